//! The `trailscope` command line: argument parsing and printing only. Every decision
//! (verdicts, findings, what is proven) comes from the engine; this file renders it as
//! plain text or as the stable JSON contract and maps verdicts to exit codes.
//!
//! Exit status (`Verdict::exit_code`): 0 verified, 3 intact, 1 broken, 4 unverifiable
//! (a source that carries no integrity), 2 usage error, unreadable input, or input
//! that holds no events.

// Verification allocates on the worker threads and frees on the walking thread;
// glibc's allocator fragments under that pattern (half the import's memory, a fifth of
// its time, measured), mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Like `print!`, to standard output; when the reader has gone (`| head`), the
/// program ends quietly instead of panicking (see `investigate::io_error`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*).map_err(crate::investigate::io_error)?
    }};
}

/// Like `println!`; see `out!`.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(crate::investigate::io_error)?
    }};
}

mod excerpt;
mod investigate;
mod render;
mod report;
mod work;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use trailscope::produce::{self, GenOptions};
use trailscope::{Checkpoint, TrustedKeys, Verdict, VerifyOptions};

#[derive(Parser)]
#[command(
    name = "trailscope",
    version,
    about = "Review and independently verify audit-log bundles"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify a bundle (ZIP, directory or bare JSON Lines) and report every finding.
    Verify {
        /// The bundle (or evidence excerpt) to verify.
        bundle: PathBuf,
        /// Your trusted keys: one `<key_id> <base64 public key>` a line.
        #[arg(long)]
        trusted_keys: Option<PathBuf>,
        /// Checkpoints obtained separately (JSON Lines).
        #[arg(long)]
        checkpoints: Option<PathBuf>,
        /// Print one JSON object instead of the plain report.
        #[arg(long)]
        json: bool,
        /// Read a CSV or JSON file of another system through this mapping (TOML; see docs/mapping.md).
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Import bundles into a case (a SQLite file), verifying them on the way.
    Import {
        /// The case file; created if it does not exist.
        #[arg(long)]
        case: PathBuf,
        /// The bundles to import.
        #[arg(required = true)]
        bundles: Vec<PathBuf>,
        #[arg(long)]
        trusted_keys: Option<PathBuf>,
        #[arg(long)]
        checkpoints: Option<PathBuf>,
        /// Read CSV or JSON files of another system through this mapping (TOML; see docs/mapping.md).
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        /// Leave the text index for later (`trailscope index`); text search scans the
        /// stored lines until it is built.
        #[arg(long)]
        no_text_index: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Build what is missing of the case's text index (after `import --no-text-index`).
    Index {
        #[arg(long)]
        case: PathBuf,
    },
    /// What a case holds: bundles, verdicts, chains, time span, findings.
    Status {
        #[arg(long)]
        case: PathBuf,
        /// Compare the time span covered with a retention period, e.g. 7y, 18m, 90d.
        #[arg(long)]
        retention: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Re-verify a case from its stored lines (detects a case file edited after import).
    Reverify {
        #[arg(long)]
        case: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Every actor: type, event count, first and last seen, failures and denials.
    Actors {
        #[arg(long)]
        case: PathBuf,
        #[arg(long)]
        json: bool,
        /// Show times in UTC instead of local time.
        #[arg(long)]
        utc: bool,
    },
    /// Events matching filters, newest first, a page at a time.
    Events {
        #[arg(long)]
        case: PathBuf,
        #[command(flatten)]
        filter: investigate::FilterArgs,
        #[arg(long, value_enum, default_value = "table")]
        format: investigate::ListFormat,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Continue after this cursor (printed on stderr as "more: --after=…").
        #[arg(long, allow_hyphen_values = true)]
        after: Option<String>,
        /// Oldest first instead of newest first.
        #[arg(long)]
        oldest_first: bool,
        #[arg(long)]
        utc: bool,
    },
    /// Count the events matching filters by actor, action, category, target_type, outcome, channel or day.
    Facets {
        #[arg(long)]
        case: PathBuf,
        #[command(flatten)]
        filter: investigate::FilterArgs,
        #[arg(long)]
        by: String,
        #[arg(long)]
        json: bool,
    },
    /// Star an event (its id or #ROW), a record (--record TYPE:ID) or an actor (--actor ID).
    Star {
        #[arg(long)]
        case: PathBuf,
        #[command(flatten)]
        target: work::SubjectArgs,
        /// Take the star off.
        #[arg(long)]
        off: bool,
        #[arg(long)]
        json: bool,
    },
    /// Tag an event, a record or an actor (several tags at once; --remove takes them off).
    Tag {
        #[arg(long)]
        case: PathBuf,
        #[command(flatten)]
        target: work::SubjectArgs,
        /// The tags.
        #[arg(long = "tag", required = true)]
        tags: Vec<String>,
        #[arg(long)]
        remove: bool,
        #[arg(long)]
        json: bool,
    },
    /// Write the note on an event, a record or an actor (--remove deletes it).
    Note {
        #[arg(long)]
        case: PathBuf,
        #[command(flatten)]
        target: work::SubjectArgs,
        /// The note's text.
        #[arg(long, required_unless_present = "remove")]
        text: Option<String>,
        #[arg(long, conflicts_with = "text")]
        remove: bool,
        #[arg(long)]
        json: bool,
    },
    /// Saved searches: save the current filter under a name, list them with their counts.
    Search {
        #[command(subcommand)]
        command: work::SearchCommand,
    },
    /// The events around one: just before and after it, and the nearest of the same
    /// actor, record, IP address and request.
    Around {
        #[arg(long)]
        case: PathBuf,
        /// The event: its id, or #ROW.
        event: String,
        /// How many on each side.
        #[arg(long, default_value_t = 5)]
        n: usize,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        utc: bool,
    },
    /// The journal of everything done in the case: checked and printed, or with --out
    /// written as a bundle signed by you that `trailscope verify` checks.
    Journal {
        #[arg(long)]
        case: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        utc: bool,
    },
    /// Write an evidence excerpt of the chosen events into an empty or new folder: each
    /// with what proves it (inclusion proofs in a signed Merkle root, the chain to the
    /// signed head, or the custody receipt), and a statement signed by you of what was
    /// chosen and why. `trailscope verify OUT` checks it without the case.
    Excerpt {
        #[arg(long)]
        case: PathBuf,
        #[command(flatten)]
        filter: investigate::FilterArgs,
        /// Why these events (written into the signed statement).
        #[arg(long)]
        why: Option<String>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// The custody receipt of every source in the case, each verified: its signature,
    /// the case's rows it sealed, and the files where they were received from.
    Receipt {
        #[arg(long)]
        case: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Who signs your work on this machine (your name and key); --name sets the name.
    Reviewer {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A record's history and its state at any instant.
    Timeline {
        #[arg(long)]
        case: PathBuf,
        /// The record's type, e.g. Order.
        target_type: String,
        /// The record's id, e.g. 1842.
        target_id: String,
        /// The instant to show the state at (RFC 3339 or a date); default: after the last event.
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        utc: bool,
    },
    /// Field-level before → after of one event.
    Diff {
        #[arg(long)]
        case: PathBuf,
        event_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Export the events matching filters as CSV (formula-safe), JSON Lines (original
    /// lines) or Hive-partitioned Parquet (--out is then a new or empty folder).
    Export {
        #[arg(long)]
        case: PathBuf,
        #[command(flatten)]
        filter: investigate::FilterArgs,
        #[arg(long, value_enum)]
        format: investigate::ExportFormat,
        #[arg(long)]
        out: PathBuf,
    },
    /// The auditor's report: what was examined, every verdict and finding, the time
    /// covered, as a self-contained HTML file (and a PDF with --pdf).
    Report {
        #[arg(long)]
        case: PathBuf,
        /// The HTML file to write.
        #[arg(long)]
        out: PathBuf,
        /// Also write the report as a PDF.
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
        /// Compare the time covered with a retention period, e.g. 7y, 18m, 90d.
        #[arg(long)]
        retention: Option<String>,
        /// Say what was written as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Mask field names (e.g. email, card_number) on display and in exports.
    Mask {
        #[arg(long)]
        case: PathBuf,
        #[arg(long)]
        add: Vec<String>,
        #[arg(long)]
        remove: Vec<String>,
    },
    /// Generate a deterministic, realistic synthetic bundle (for tests and benchmarks).
    Gen {
        /// Output directory, or ZIP file with --zip.
        out: PathBuf,
        #[arg(long, default_value_t = 1000)]
        events: u64,
        #[arg(long, default_value_t = 1)]
        chains: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Share of events replaced by stubs (omitted events), 0 to 1.
        #[arg(long, default_value_t = 0.0)]
        stub_ratio: f64,
        /// Write a ZIP archive instead of a directory.
        #[arg(long)]
        zip: bool,
        /// Sign the manifest with this key file (from `trailscope keygen`).
        #[arg(long)]
        sign_key: Option<PathBuf>,
        /// The bundle format version to write: 2 (body hashes, Merkle roots) or 1.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=2))]
        format_version: u64,
    },
    /// Make an Ed25519 key pair: OUT (private) and OUT.pub (a trusted-keys line).
    Keygen {
        out: PathBuf,
        /// The key's id, as it will appear in signatures.
        #[arg(long, default_value = "trailscope-key")]
        key_id: String,
    },
    /// Write (and sign) manifest.json for a directory holding events.jsonl.
    Seal {
        dir: PathBuf,
        #[arg(long)]
        key: Option<PathBuf>,
        /// The format version the events are written in and the manifest declares: 2 or 1.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=2))]
        format_version: u64,
    },
    /// Generate a deterministic CloudTrail evidence folder: log files, signed hourly
    /// digests, head-object files, public keys (demo keys: never trust them for real).
    GenCloudtrail {
        /// Output directory (must be empty or absent).
        out: PathBuf,
        /// Source regions, comma-separated; the first is the trail's home region.
        #[arg(long, value_delimiter = ',', default_value = "us-east-1")]
        regions: Vec<String>,
        /// Days of trail [default: 1].
        #[arg(long, conflicts_with = "hours")]
        days: Option<usize>,
        /// Hours of trail, instead of --days.
        #[arg(long)]
        hours: Option<usize>,
        #[arg(long, default_value_t = 12)]
        logs_per_hour: usize,
        #[arg(long, default_value_t = 50)]
        records_per_log: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also write the reviewer's trusted keys (list-public-keys JSON of the real keys).
        #[arg(long, value_name = "FILE")]
        trusted_keys_out: Option<PathBuf>,
    },
    /// Generate a deterministic export of a SaaS system's audit log, as investigators
    /// are handed it.
    GenExport {
        /// Which system's export.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(produce::saas::FORMATS))]
        format: String,
        /// Output file (a folder for salesforce, which exports several files).
        out: PathBuf,
        /// About how many records (kubernetes: requests; google: activities).
        #[arg(long, default_value_t = 1000)]
        records: usize,
        /// The export's shape [default: the first] — purview: classic, new, json; entra:
        /// graph, array, csv; okta: array, lines; kubernetes: log; github: json, lines,
        /// csv; gitlab: json, csv; google: page, array, lines; salesforce: csv, data-loader.
        #[arg(long)]
        shape: Option<String>,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Add the quirks of real exports: repeated records, a repeated id with other
        /// content, times missing or not times, broken records where the shape has them.
        #[arg(long)]
        quirks: bool,
    },
    /// The same as `gen-export purview` (kept for scripts that call it).
    #[command(hide = true)]
    GenPurview {
        /// Output file.
        out: PathBuf,
        #[arg(long, default_value_t = 1000)]
        records: usize,
        /// classic (CreationDate,UserIds,Operations,AuditData), new (RecordId,…) or json.
        #[arg(long, default_value = "classic")]
        shape: String,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Add the quirks of real exports: repeated rows, a repeated Id with other
        /// content, broken AuditData, times missing or not times.
        #[arg(long)]
        quirks: bool,
    },
}

/// The bounds that keep a hostile bundle from exhausting memory or disk
/// (`bundle::Limits`). Sizes are bytes, or with a K, M or G suffix (powers of 1024).
#[derive(clap::Args)]
struct LimitArgs {
    /// Longest events line read; a longer one is a malformed line, skipped unread (default 16M).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_line_bytes: Option<u64>,
    /// Largest decompressed size of one ZIP entry (default 64G).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_entry_bytes: Option<u64>,
    /// Largest decompressed size of all of a ZIP archive's entries together (default 64G).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_total_bytes: Option<u64>,
    /// Largest ratio of decompressed to compressed size of a ZIP entry over 1 MiB (default 1000).
    #[arg(long, value_name = "N")]
    max_ratio: Option<u64>,
    /// Largest manifest.json read (default 64M).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_manifest_bytes: Option<u64>,
}

impl LimitArgs {
    fn limits(&self) -> trailscope::bundle::Limits {
        let default = trailscope::bundle::Limits::default();
        trailscope::bundle::Limits {
            max_line_bytes: self.max_line_bytes.map_or(default.max_line_bytes, |n| {
                usize::try_from(n).unwrap_or(usize::MAX)
            }),
            max_entry_bytes: self.max_entry_bytes.unwrap_or(default.max_entry_bytes),
            max_total_bytes: self.max_total_bytes.unwrap_or(default.max_total_bytes),
            max_compression_ratio: self.max_ratio.unwrap_or(default.max_compression_ratio),
            max_manifest_bytes: self
                .max_manifest_bytes
                .unwrap_or(default.max_manifest_bytes),
        }
    }
}

/// A byte count: digits, optionally followed by K, M or G (powers of 1024; `KiB`,
/// `MB` and the like are read the same way).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 1048576, 512K, 16M or 2G"))?;
    let shift = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => return Err(format!("{text:?}: the unit must be K, M or G")),
    };
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("{text:?} is too large"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("trailscope: {error}");
            ExitCode::from(2)
        }
    }
}

/// The reviewer's trusted keys and checkpoints, as given on the command line.
fn verify_options(
    trusted_keys: Option<PathBuf>,
    checkpoints: Option<PathBuf>,
    limits: &LimitArgs,
) -> trailscope::Result<VerifyOptions> {
    let trusted_keys = match trusted_keys {
        Some(path) => TrustedKeys::load(&path)?,
        None => TrustedKeys::default(),
    };
    let checkpoints: Vec<Checkpoint> = match checkpoints {
        Some(path) => trailscope::verify::load_checkpoints(&path, &trusted_keys)?,
        None => Vec::new(),
    };
    Ok(VerifyOptions {
        trusted_keys,
        checkpoints,
        limits: limits.limits(),
    })
}

/// Builds what is missing of the case's text index, saying how far it has got.
fn build_text_index(case: &mut trailscope::case::Case) -> trailscope::Result<()> {
    use trailscope::case::text_index;
    let started = std::time::Instant::now();
    let before = text_index::state(case)?;
    if before.complete() {
        return Ok(());
    }
    let done = text_index::build(case, &mut |state| {
        eprint!(
            "\rIndexing words for text search: {:.0}%",
            state.fraction() * 100.0
        );
        std::ops::ControlFlow::Continue(())
    })?;
    eprintln!(
        "\rIndexed the words of {} rows for text search in {:.1} s.",
        trailscope::verify::group((done.through - before.through).max(0) as u64),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn exit_code(verdict: Verdict) -> ExitCode {
    ExitCode::from(verdict.exit_code())
}

fn run(command: Command) -> trailscope::Result<ExitCode> {
    match command {
        Command::Import {
            case,
            bundles,
            trusted_keys,
            checkpoints,
            mapping,
            no_text_index,
            limits,
        } => {
            let options = verify_options(trusted_keys, checkpoints, &limits)?;
            let mapping = mapping
                .map(|path| trailscope::source::load_mapping(&path))
                .transpose()?;
            let mut case = trailscope::case::Case::open(&case)?;
            case.set_reviewer(work::reviewer()?);
            let mut worst = Verdict::Empty;
            for bundle in bundles {
                let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                let mut bar = render::ProgressBar::new(&bundle);
                let outcome = trailscope::case::import_source(
                    &mut case,
                    &bundle,
                    mapping.as_ref(),
                    &options,
                    &now,
                    &mut |p| {
                        bar.show(p);
                        std::ops::ControlFlow::Continue(())
                    },
                )?;
                bar.finish();
                out!("{}", render::import_text(&outcome));
                worst = worst.worst(outcome.verdict());
            }
            if !no_text_index {
                build_text_index(&mut case)?;
            }
            Ok(exit_code(worst))
        }
        Command::Index { case } => {
            let mut case = trailscope::case::Case::open(&case)?;
            build_text_index(&mut case)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Status {
            case,
            retention,
            json,
        } => {
            let case = trailscope::case::Case::open_read_only(&case)?;
            let status = trailscope::case::case_status(&case)?;
            let retention = retention.map(|r| render::parse_retention(&r)).transpose()?;
            if json {
                outln!("{}", render::status_json(&status, retention));
            } else {
                out!("{}", render::status_text(&status, retention));
            }
            Ok(exit_code(status.verdict()))
        }
        Command::Reverify {
            case: case_path,
            json,
        } => {
            let case = trailscope::case::Case::open_read_only(&case_path)?;
            let result = trailscope::case::reverify(&case)?;
            // The reviewer's own record is part of the case: its journal and receipts.
            let reviewer = work::reviewer()?;
            let (journal, _) = trailscope::case::journal::check(&case, Some(&reviewer))?;
            let receipts = trailscope::case::receipt::check_receipts(&case, Some(&reviewer))?;
            drop(case);
            let receipts_hold = receipts.iter().all(|r| r.holds());
            let all_hold = result.findings.is_empty() && journal.holds() && receipts_hold;
            work::journal_read(
                &case_path,
                trailscope::case::journal::JournalEntry::new("case.reverified", "admin").context(
                    serde_json::json!({
                        "rows": result.n_rows,
                        "findings": result.findings.len(),
                        "journal_holds": journal.holds(),
                        "receipts_holding": receipts.iter().filter(|r| r.holds()).count(),
                        "receipts": receipts.len(),
                    }),
                ),
            );
            if json {
                let findings: Vec<_> = result.findings.iter().map(render::finding_json).collect();
                outln!(
                    "{}",
                    serde_json::json!({
                        "rows": result.n_rows,
                        "findings": findings,
                        "journal": {"holds": journal.holds(), "headline": journal.headline(),
                                    "problems": journal.problems, "head_hash": journal.head_hash},
                        "receipts": receipts.iter().map(|r| serde_json::json!({
                            "source": r.source_index, "holds": r.holds(), "sentence": r.sentence(),
                        })).collect::<Vec<_>>(),
                    })
                );
                return Ok(ExitCode::from(if all_hold { 0 } else { 1 }));
            }
            outln!("{}", journal.headline());
            for problem in &journal.problems {
                outln!("  ✗ {problem}");
            }
            for receipt in &receipts {
                outln!(
                    "{} Receipt of source {}: {}",
                    if receipt.holds() { "✓" } else { "✗" },
                    receipt.source_index,
                    receipt.sentence()
                );
            }
            if result.findings.is_empty() {
                outln!(
                    "Re-verified {} stored lines: every hash recomputes, every link holds, every indexed column matches its line.",
                    trailscope::verify::group(result.n_rows)
                );
                if result.n_without_integrity > 0 {
                    outln!(
                        "{} of them come from sources without hashes: for those only the indexed columns could be checked against their normalized events.",
                        trailscope::verify::group(result.n_without_integrity)
                    );
                }
            } else {
                outln!(
                    "The case file does not match what was imported: {} problems.",
                    result.findings.len()
                );
                for finding in &result.findings {
                    outln!("  [{}] {}", finding.kind.as_str(), finding.describe());
                }
            }
            Ok(ExitCode::from(if all_hold { 0 } else { 1 }))
        }
        Command::Actors { case, json, utc } => {
            investigate::actors(case, json, investigate::Clock { utc })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Events {
            case,
            filter,
            format,
            limit,
            after,
            oldest_first,
            utc,
        } => {
            let shown = investigate::events(
                case.clone(),
                &filter,
                format,
                limit.max(1),
                after,
                oldest_first,
                investigate::Clock { utc },
            )?;
            work::journal_read(
                &case,
                trailscope::case::journal::JournalEntry::new("search.run", "access")
                    .context(serde_json::json!({"filter": filter.to_filter()?, "shown": shown})),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Star {
            case,
            target,
            off,
            json,
        } => {
            work::star(&case, &target, off, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Tag {
            case,
            target,
            tags,
            remove,
            json,
        } => {
            work::tag(&case, &target, &tags, remove, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Note {
            case,
            target,
            text,
            remove: _,
            json,
        } => {
            work::note(&case, &target, text.as_deref(), json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Search { command } => {
            work::search(command)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Around {
            case,
            event,
            n,
            json,
            utc,
        } => {
            work::around(&case, &event, n.max(1), json, investigate::Clock { utc })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Journal {
            case,
            out,
            json,
            utc,
        } => {
            let holds = work::journal(&case, out.as_deref(), json, investigate::Clock { utc })?;
            Ok(ExitCode::from(if holds { 0 } else { 1 }))
        }
        Command::Excerpt {
            case,
            filter,
            why,
            out,
            json,
        } => {
            excerpt::write(&case, filter.to_filter()?, why, &out, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Receipt { case, json } => {
            let hold = work::receipt(&case, json)?;
            Ok(ExitCode::from(if hold { 0 } else { 1 }))
        }
        Command::Reviewer { name, json } => {
            work::show_reviewer(name.as_deref(), json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Facets {
            case,
            filter,
            by,
            json,
        } => {
            investigate::facets(case, &filter, &by, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Timeline {
            case,
            target_type,
            target_id,
            at,
            json,
            utc,
        } => {
            investigate::timeline(
                case,
                &target_type,
                &target_id,
                at,
                json,
                investigate::Clock { utc },
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff {
            case,
            event_id,
            json,
        } => {
            if investigate::diff(case, &event_id, json)? {
                Ok(ExitCode::SUCCESS)
            } else {
                Err(trailscope::Error::Invalid(format!(
                    "no event with id {event_id:?} in the case"
                )))
            }
        }
        Command::Export {
            case,
            filter,
            format,
            out,
        } => {
            let n = investigate::export(case.clone(), &filter, format, out.clone())?;
            let mut context = serde_json::json!({
                "filter": filter.to_filter()?,
                "count": n,
                "format": format!("{format:?}").to_lowercase(),
                "out": out.display().to_string(),
                "sha256": trailscope::case::receipt::hash_file(&out, String::new())
                    .ok()
                    .map(|file| file.sha256),
            });
            if out.is_dir() {
                // A folder (Parquet): each file written, with its size and SHA-256.
                context["files"] = serde_json::Value::Array(exported_files(&out));
            }
            work::journal_read(
                &case,
                trailscope::case::journal::JournalEntry::new("events.exported", "export")
                    .context(context),
            );
            eprintln!(
                "wrote {} events to {}",
                trailscope::verify::group(n),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            case,
            out,
            pdf,
            retention,
            json,
        } => report::report(&case, &out, pdf.as_deref(), retention.as_deref(), json),
        Command::Mask { case, add, remove } => {
            let mut case = trailscope::case::Case::open(&case)?;
            case.set_reviewer(work::reviewer()?);
            case.set_masked_fields(&add, &remove)?;
            let fields: Vec<String> = case.masked_fields()?.into_iter().collect();
            outln!(
                "Masked fields: {}",
                if fields.is_empty() {
                    "none".to_owned()
                } else {
                    fields.join(", ")
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify {
            bundle,
            trusted_keys,
            checkpoints,
            json,
            mapping,
            limits,
        } => {
            let options = verify_options(trusted_keys, checkpoints, &limits)?;
            let mapping = mapping
                .map(|path| trailscope::source::load_mapping(&path))
                .transpose()?;
            if mapping.is_none() && trailscope::excerpt::is_excerpt(&bundle) {
                let holds = excerpt::verify(&bundle, &options.trusted_keys, json)?;
                return Ok(ExitCode::from(if holds { 0 } else { 1 }));
            }
            let report = trailscope::source::verify_source(&bundle, mapping.as_ref(), &options)?;
            if json {
                outln!("{}", render::report_json(&report));
            } else {
                out!("{}", render::report_text(&report));
            }
            Ok(exit_code(report.verdict()))
        }
        Command::Gen {
            out,
            events,
            chains,
            seed,
            stub_ratio,
            zip,
            sign_key,
            format_version,
        } => {
            if !(0.0..=1.0).contains(&stub_ratio) {
                return Err(trailscope::Error::Invalid(
                    "--stub-ratio must be between 0 and 1".into(),
                ));
            }
            let sign_key = sign_key
                .map(|path| produce::load_signing_key(&path))
                .transpose()?;
            let options = GenOptions {
                events,
                chains: chains.max(1),
                seed,
                stub_ratio,
                zip,
                sign_key,
                format_version: format_version_arg(format_version),
            };
            let summary = produce::generate(&out, &options)?;
            eprintln!(
                "wrote {} ({} events, {} omitted, {} chains)",
                summary.path.display(),
                summary.events,
                summary.stubs,
                summary.chains.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Keygen { out, key_id } => {
            let key = produce::keygen(&out, &key_id)?;
            eprintln!("wrote {} and {}.pub", out.display(), out.display());
            outln!("{}", key.trusted_keys_line());
            Ok(ExitCode::SUCCESS)
        }
        Command::GenCloudtrail {
            out,
            regions,
            days,
            hours,
            logs_per_hour,
            records_per_log,
            seed,
            trusted_keys_out,
        } => {
            let hours = hours.unwrap_or(24 * days.unwrap_or(1));
            let regions: Vec<&str> = regions.iter().map(|r| r.trim()).collect();
            let plan =
                produce::TrailPlan::demo(&regions, hours, logs_per_hour, records_per_log, seed);
            if std::fs::read_dir(&out).is_ok_and(|mut entries| entries.next().is_some()) {
                return Err(trailscope::Error::Invalid(format!(
                    "{} is not empty",
                    out.display()
                )));
            }
            let built = produce::build_trail(&out, &plan)?;
            if let Some(path) = &trusted_keys_out {
                let keys = produce::cloudtrail::trusted_keys_json(&plan);
                std::fs::write(path, keys).map_err(|e| trailscope::Error::io(path, e))?;
            }
            let group = trailscope::verify::group;
            eprintln!(
                "wrote {}: {} records in {} log files, {} digests ({} regions × {hours} hours), {} bytes",
                out.display(),
                group(built.records),
                group(built.log_files),
                group(built.digests),
                plan.regions.len(),
                group(built.bytes)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::GenExport {
            format,
            out,
            records,
            shape,
            seed,
            quirks,
        } => gen_export(&format, &out, records, shape.as_deref(), seed, quirks),
        Command::GenPurview {
            out,
            records,
            shape,
            seed,
            quirks,
        } => gen_export("purview", &out, records, Some(shape.as_str()), seed, quirks),
        Command::Seal {
            dir,
            key,
            format_version,
        } => {
            let key = key
                .map(|path| produce::load_signing_key(&path))
                .transpose()?;
            let version = format_version_arg(format_version);
            produce::seal_directory_as(&dir, key.as_ref(), Some(version))?;
            eprintln!("wrote {}", dir.join("manifest.json").display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `--format-version` (clap keeps it to 1 or 2).
fn format_version_arg(number: u64) -> trailscope::bundle::FormatVersion {
    trailscope::bundle::FormatVersion::from_number(number)
        .unwrap_or(trailscope::bundle::FormatVersion::LATEST)
}

/// The files of an exported folder (`date=…/part-….parquet`), by path under it, with
/// their size and SHA-256, for the journal.
fn exported_files(dir: &std::path::Path) -> Vec<serde_json::Value> {
    trailscope::case::receipt::received_files(dir)
        .map(|(files, _)| files)
        .unwrap_or_default()
        .into_iter()
        .map(|file| serde_json::json!({"path": file.path, "bytes": file.bytes, "sha256": file.sha256}))
        .collect()
}

/// `gen-export`: writes the export and says what it wrote.
fn gen_export(
    format: &str,
    out: &std::path::Path,
    records: usize,
    shape: Option<&str>,
    seed: u64,
    quirks: bool,
) -> trailscope::Result<ExitCode> {
    let request = produce::saas::ExportRequest {
        format,
        shape,
        records,
        seed,
        quirks,
    };
    let written = produce::saas::write_export(out, &request)?;
    let group = trailscope::verify::group;
    eprintln!(
        "wrote {}: {} {}, {} events, {} exact repeats, {} to quarantine",
        out.display(),
        group(written.written),
        written.unit,
        group(written.events),
        group(written.exact_repeats),
        group(written.quarantined)
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_plain_bytes_and_k_m_g_suffixes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("16m"), Ok(16 << 20));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert!(parse_size("").is_err());
        assert!(parse_size("12T").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999999G").is_err());
    }
}
