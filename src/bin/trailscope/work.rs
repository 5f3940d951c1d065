//! The reviewer's work on the command line: stars, tags, notes, saved searches, events
//! around an event, the journal, custody receipts and the reviewer's own identity.
//! Every change is journaled by the engine under the reviewer's key.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::{Value, json};
use trailscope::case::receipt::{FilesNow, check_receipts};
use trailscope::case::{Case, Subject, journal};
use trailscope::query::{self, EventRow, Masking};
use trailscope::reviewer::Reviewer;
use trailscope::{Error, Result};

use crate::investigate::{Clock, FilterArgs};

/// What a mark is put on: an event (its id, or `#ROW`), or with `--record` a record,
/// or with `--actor` an actor.
#[derive(clap::Args, Debug)]
pub struct SubjectArgs {
    /// The event: its id, or `#N` for row N of the case (as `--json` outputs show).
    #[arg(required_unless_present_any = ["record", "actor"])]
    event: Option<String>,
    /// A record instead, as TYPE:ID (e.g. Order:1842).
    #[arg(long, conflicts_with_all = ["event", "actor"])]
    record: Option<String>,
    /// An actor instead, by id.
    #[arg(long, conflicts_with_all = ["event", "record"])]
    actor: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum SearchCommand {
    /// Save the filter given as a named search.
    Save {
        #[arg(long)]
        case: PathBuf,
        name: String,
        #[command(flatten)]
        filter: Box<FilterArgs>,
    },
    /// The saved searches, with how many events each matches now.
    List {
        #[arg(long)]
        case: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Delete a saved search.
    Delete {
        #[arg(long)]
        case: PathBuf,
        name: String,
    },
}

/// The reviewer of this machine (made on first use).
pub fn reviewer() -> Result<Reviewer> {
    Reviewer::load_default()
}

/// The case opened for writing, acting as this machine's reviewer.
fn open_as_reviewer(path: &Path) -> Result<Case> {
    let mut case = Case::open(path)?;
    case.set_reviewer(reviewer()?);
    Ok(case)
}

/// Records a read-only command (a search, an export) in the journal; a case that cannot
/// be written to (read-only media) is said, not an error.
pub fn journal_read(path: &Path, entry: journal::JournalEntry) {
    let recorded = reviewer().and_then(|r| journal::record_in(path, &r, entry));
    if let Err(error) = recorded {
        eprintln!("note: this was not written to the case's journal: {error}");
    }
}

fn event_row(case: &Case, spec: &str) -> Result<EventRow> {
    if let Some(row) = spec.strip_prefix('#') {
        let idx: i64 = row
            .parse()
            .map_err(|_| Error::Invalid(format!("{spec:?}: after # comes a row number")))?;
        return query::event_by_idx(case, idx)?
            .ok_or_else(|| Error::Invalid(format!("this case has no row {idx}")));
    }
    let mut rows = query::events_by_id(case, spec)?;
    match rows.len() {
        0 => Err(Error::Invalid(format!(
            "this case has no event with id {spec:?}"
        ))),
        1 => Ok(rows.remove(0)),
        n => Err(Error::Invalid(format!(
            "{n} events carry the id {spec:?} ({}); name one by its row: {}",
            rows.iter()
                .map(|r| format!("line {} of {}", r.line, r.file))
                .collect::<Vec<_>>()
                .join(", "),
            rows.iter()
                .map(|r| format!("#{}", r.event_idx))
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}

fn subject(case: &Case, args: &SubjectArgs) -> Result<Subject> {
    if let Some(record) = &args.record {
        let (kind, id) = record.split_once(':').ok_or_else(|| {
            Error::Invalid(format!(
                "--record {record:?}: give TYPE:ID, e.g. Order:1842"
            ))
        })?;
        return Ok(Subject::Record {
            target_type: kind.to_owned(),
            target_id: id.to_owned(),
        });
    }
    if let Some(actor) = &args.actor {
        return Ok(Subject::Actor(actor.clone()));
    }
    let spec = args.event.as_deref().expect("clap requires one");
    Ok(Subject::Event(event_row(case, spec)?.event_idx))
}

fn marks_json(case: &Case, subject: &Subject) -> Result<Value> {
    let mark = case.annotation(subject)?;
    Ok(json!({
        "starred": mark.as_ref().is_some_and(|m| m.starred),
        "tags": mark.as_ref().map(|m| m.tags.clone()).unwrap_or_default(),
        "note": mark.as_ref().and_then(|m| m.note.clone()),
    }))
}

fn print_marks(case: &Case, subject: &Subject, changed: bool, json_output: bool) -> Result<()> {
    let marks = marks_json(case, subject)?;
    if json_output {
        outln!("{}", json!({"changed": changed, "marks": marks}));
        return Ok(());
    }
    let mut parts = Vec::new();
    if marks["starred"] == true {
        parts.push("starred".to_owned());
    }
    if let Some(tags) = marks["tags"].as_array().filter(|t| !t.is_empty()) {
        let tags: Vec<&str> = tags.iter().filter_map(Value::as_str).collect();
        parts.push(format!("tagged {}", tags.join(", ")));
    }
    if let Some(note) = marks["note"].as_str() {
        parts.push(format!("note: {note}"));
    }
    outln!(
        "{}{}",
        if changed { "" } else { "(no change) " },
        if parts.is_empty() {
            "No marks.".to_owned()
        } else {
            format!("Now {}.", parts.join("; "))
        }
    );
    Ok(())
}

/// `trailscope star`.
pub fn star(case: &Path, target: &SubjectArgs, off: bool, json_output: bool) -> Result<()> {
    let mut case = open_as_reviewer(case)?;
    let subject = subject(&case, target)?;
    let changed = case.star(&subject, !off)?;
    print_marks(&case, &subject, changed, json_output)
}

/// `trailscope tag`.
pub fn tag(
    case: &Path,
    target: &SubjectArgs,
    tags: &[String],
    remove: bool,
    json_output: bool,
) -> Result<()> {
    let mut case = open_as_reviewer(case)?;
    let subject = subject(&case, target)?;
    let mut changed = false;
    for tag in tags {
        changed |= if remove {
            case.untag(&subject, tag)?
        } else {
            case.tag(&subject, tag)?
        };
    }
    print_marks(&case, &subject, changed, json_output)
}

/// `trailscope note`.
pub fn note(
    case: &Path,
    target: &SubjectArgs,
    text: Option<&str>,
    json_output: bool,
) -> Result<()> {
    let mut case = open_as_reviewer(case)?;
    let subject = subject(&case, target)?;
    let changed = case.set_note(&subject, text)?;
    print_marks(&case, &subject, changed, json_output)
}

/// `trailscope search …`.
pub fn search(command: SearchCommand) -> Result<()> {
    match command {
        SearchCommand::Save { case, name, filter } => {
            let mut case = open_as_reviewer(&case)?;
            let replaced = case.save_search(&name, &filter.to_filter()?)?;
            outln!(
                "{} the search {name:?}.",
                if replaced { "Replaced" } else { "Saved" }
            );
        }
        SearchCommand::Delete { case, name } => {
            let mut case = open_as_reviewer(&case)?;
            if !case.delete_search(&name)? {
                return Err(Error::Invalid(format!("there is no saved search {name:?}")));
            }
            outln!("Deleted the search {name:?}.");
        }
        SearchCommand::List { case, json } => {
            let case = Case::open_read_only(&case)?;
            let mut list = Vec::new();
            for saved in case.saved_searches()? {
                let count = query::count_events(&case, &saved.filter)?;
                list.push((saved, count));
            }
            if json {
                let items: Vec<Value> = list
                    .iter()
                    .map(|(s, count)| {
                        json!({"name": s.name, "filter": s.filter, "saved_at": s.saved_at, "count": count})
                    })
                    .collect();
                outln!("{}", Value::Array(items));
            } else if list.is_empty() {
                outln!("No saved searches.");
            } else {
                for (saved, count) in &list {
                    outln!(
                        "{:<32} {:>9} events   {}",
                        saved.name,
                        trailscope::verify::group(*count),
                        serde_json::to_string(&saved.filter).expect("serializes")
                    );
                }
            }
        }
    }
    Ok(())
}

/// `trailscope around`.
pub fn around(case: &Path, event: &str, n: usize, json_output: bool, clock: Clock) -> Result<()> {
    let case = Case::open_read_only(case)?;
    let masking = Masking::of_case(&case)?;
    let row = event_row(&case, event)?;
    let around = query::around(&case, row.event_idx, n)?;
    if json_output {
        let rows = |rows: &[EventRow]| -> Vec<Value> {
            rows.iter()
                .map(|r| {
                    json!({"row": r.event_idx, "id": r.id, "ts": r.ts,
                           "sentence": query::view::row_sentence(r, &masking)})
                })
                .collect()
        };
        let items: Vec<Value> = around
            .neighbours
            .iter()
            .map(|n| {
                json!({"by": n.by, "shared": n.shared, "filter": n.filter,
                       "before": rows(&n.before), "after": rows(&n.after)})
            })
            .collect();
        outln!(
            "{}",
            json!({"event": {"row": row.event_idx, "id": row.id,
                             "sentence": query::view::row_sentence(&row, &masking)},
                   "around": items})
        );
        return Ok(());
    }
    let line = |r: &EventRow| {
        format!(
            "{}  {}  (#{})",
            clock.show(r.ts),
            query::view::row_sentence(r, &masking),
            r.event_idx
        )
    };
    outln!("{}", line(&around.event));
    for neighbours in &around.neighbours {
        let heading = match neighbours.by {
            "time" => "Just before and after, in the whole case".to_owned(),
            "actor" => format!("The same actor: {}", neighbours.shared),
            "record" => format!("The same record: {}", neighbours.shared),
            "ip" => format!("The same IP address: {}", neighbours.shared),
            _ => format!("The same request: {}", neighbours.shared),
        };
        outln!("\n{heading}");
        for r in &neighbours.before {
            outln!("  before  {}", line(r));
        }
        outln!("  ──────  this event");
        for r in &neighbours.after {
            outln!("  after   {}", line(r));
        }
    }
    Ok(())
}

/// `trailscope journal`: checks it and prints it, or writes it as a bundle.
pub fn journal(case: &Path, out: Option<&Path>, json_output: bool, clock: Clock) -> Result<bool> {
    let reviewer = reviewer()?;
    let opened = Case::open_read_only(case)?;
    if let Some(out) = out {
        let written = journal::export(&opened, &reviewer, out)?;
        drop(opened);
        journal_read(
            case,
            journal::JournalEntry::new("journal.exported", "export").context(json!({
                "out": out.display().to_string(), "entries": written.n_entries,
                "head_hash": written.head_hash,
            })),
        );
        if json_output {
            outln!(
                "{}",
                json!({"entries": written.n_entries, "head_hash": written.head_hash,
                       "out": out.display().to_string(), "keys": written.keys})
            );
        } else {
            outln!(
                "Wrote the journal ({} entries, head {}) to {} as a bundle signed by {} (key {}).",
                written.n_entries,
                written.head_hash.as_deref().unwrap_or("none"),
                out.display(),
                reviewer.name(),
                reviewer.fingerprint()
            );
            outln!(
                "Check it with: trailscope verify {} --trusted-keys {} --checkpoints {}",
                out.display(),
                out.join("reviewer-keys.txt").display(),
                out.join("checkpoints.jsonl").display()
            );
        }
        return Ok(true);
    }
    let (check, lines) = journal::check(&opened, Some(&reviewer))?;
    if json_output {
        let items: Vec<Value> = lines
            .iter()
            .map(|l| {
                json!({"seq": l.seq, "ts": l.ts, "action": l.action, "reviewer": l.reviewer_name,
                       "fingerprint": l.reviewer_fingerprint, "target": l.target,
                       "context": l.context, "holds": l.holds, "hash": l.hash})
            })
            .collect();
        outln!(
            "{}",
            json!({"holds": check.holds(), "headline": check.headline(), "problems": check.problems,
                   "entries": check.n_entries, "head_hash": check.head_hash, "lines": items})
        );
        return Ok(check.holds());
    }
    outln!("{}", check.headline());
    for problem in &check.problems {
        outln!("  ✗ {problem}");
    }
    for line in &lines {
        let millis = chrono::DateTime::parse_from_rfc3339(&line.ts)
            .ok()
            .map(|t| t.timestamp_millis());
        outln!(
            "{:>5} {} {} {:<22} {}",
            line.seq,
            if line.holds { " " } else { "✗" },
            clock.show(millis),
            line.action,
            journal_summary(line)
        );
    }
    if let Some(head) = &check.head_hash {
        outln!("Head: {head}");
    }
    Ok(check.holds())
}

/// A journal line's details in a few words.
fn journal_summary(line: &journal::JournalLine) -> String {
    let target = line
        .target
        .as_ref()
        .map(|t| {
            let name = t.get("name").and_then(Value::as_str);
            let id = t.get("id").and_then(Value::as_str).unwrap_or_default();
            name.unwrap_or(id).to_owned()
        })
        .unwrap_or_default();
    let mut details: Vec<String> = Vec::new();
    if let Some(context) = line.context.as_object() {
        for key in ["tag", "note", "verdict", "events_added", "count", "out"] {
            if let Some(value) = context.get(key).filter(|v| !v.is_null()) {
                details.push(format!(
                    "{key} {}",
                    value
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| value.to_string())
                ));
            }
        }
    }
    format!(
        "{target}  {}  by {}",
        details.join(", "),
        line.reviewer_name
    )
}

/// `trailscope receipt`: prints and verifies the custody receipts.
pub fn receipt(case: &Path, json_output: bool) -> Result<bool> {
    let reviewer = reviewer()?;
    let opened = Case::open_read_only(case)?;
    let checks = check_receipts(&opened, Some(&reviewer))?;
    drop(opened);
    journal_read(
        case,
        journal::JournalEntry::new("receipts.checked", "access").context(json!({
            "receipts": checks.len(),
            "holding": checks.iter().filter(|c| c.holds()).count(),
        })),
    );
    let all_hold = checks.iter().all(|c| c.holds());
    if json_output {
        let items: Vec<Value> = checks
            .iter()
            .map(|c| {
                let files_now = match &c.files_now {
                    FilesNow::Unchanged => json!({"status": "unchanged"}),
                    FilesNow::Changed(files) => json!({"status": "changed", "files": files}),
                    FilesNow::NotThere(path) => json!({"status": "not_there", "path": path}),
                };
                json!({
                    "source": c.source_index, "path": c.path, "kind": c.kind,
                    "files": c.files.iter().map(|f| json!({"path": f.path, "bytes": f.bytes, "sha256": f.sha256})).collect::<Vec<_>>(),
                    "received_at": c.received_at, "received_by": c.received_by,
                    "fingerprint": c.fingerprint, "signed_by_you": c.signed_by_you,
                    "signature_valid": c.signature_valid, "verdict_at_receipt": c.verdict_at_receipt,
                    "rows": c.n_rows, "rows_unchanged": c.rows_unchanged, "files_now": files_now,
                    "holds": c.holds(), "sentence": c.sentence(),
                })
            })
            .collect();
        outln!("{}", Value::Array(items));
        return Ok(all_hold);
    }
    if checks.is_empty() {
        outln!("No receipts: the sources of this case were imported before receipts existed.");
    }
    for c in &checks {
        outln!(
            "{} Source {}: {} ({})",
            if c.holds() { "✓" } else { "✗" },
            c.source_index,
            c.path,
            c.kind
        );
        outln!("  {}", c.sentence());
        outln!(
            "  Verdict when received: {}. {} rows sealed.",
            c.verdict_at_receipt,
            trailscope::verify::group(c.n_rows as u64)
        );
        for file in &c.files {
            outln!("  {}  {:>12} bytes  {}", file.sha256, file.bytes, file.path);
        }
    }
    Ok(all_hold)
}

/// `trailscope reviewer`: who signs on this machine; `--name` sets the name.
pub fn show_reviewer(name: Option<&str>, json_output: bool) -> Result<()> {
    let home = Reviewer::default_home()?;
    let reviewer = match name {
        Some(name) => Reviewer::set_name(&home, name)?,
        None => Reviewer::load_or_create(&home)?,
    };
    if json_output {
        outln!(
            "{}",
            json!({"name": reviewer.name(), "key_id": reviewer.key_id(),
                   "fingerprint": reviewer.fingerprint(),
                   "public_key": reviewer.public_key_base64(),
                   "folder": home.display().to_string()})
        );
    } else {
        outln!("Reviewer: {}", reviewer.name());
        outln!(
            "Key: {} (fingerprint {})",
            reviewer.key_id(),
            reviewer.fingerprint()
        );
        outln!(
            "Trusted-keys line for others: {}",
            reviewer.trusted_keys_line()
        );
        outln!("Kept in {}", home.display());
    }
    Ok(())
}
