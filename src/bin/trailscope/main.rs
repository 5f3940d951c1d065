//! The `trailscope` command line: argument parsing and printing only. Every decision
//! (verdicts, findings, what is proven) comes from the engine; this file renders it as
//! plain text or as the stable JSON contract and maps verdicts to exit codes.
//!
//! Exit status: 0 verified, 3 intact, 1 broken, 2 usage error or unreadable input.

mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use trailscope::produce::{self, GenOptions};
use trailscope::{Checkpoint, TrustedKeys, Verdict, VerifyOptions, verify_bundle};

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
        /// The bundle to verify.
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
    },
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

fn run(command: Command) -> trailscope::Result<ExitCode> {
    match command {
        Command::Verify {
            bundle,
            trusted_keys,
            checkpoints,
            json,
        } => {
            let trusted_keys = match trusted_keys {
                Some(path) => TrustedKeys::load(&path)?,
                None => TrustedKeys::default(),
            };
            let checkpoints: Vec<Checkpoint> = match checkpoints {
                Some(path) => trailscope::verify::load_checkpoints(&path, &trusted_keys)?,
                None => Vec::new(),
            };
            let options = VerifyOptions {
                trusted_keys,
                checkpoints,
                ..VerifyOptions::default()
            };
            let report = verify_bundle(&bundle, &options)?;
            if json {
                println!("{}", render::report_json(&report));
            } else {
                print!("{}", render::report_text(&report));
            }
            Ok(ExitCode::from(match report.verdict() {
                Verdict::Verified => 0,
                Verdict::Intact => 3,
                Verdict::Broken => 1,
            }))
        }
        Command::Gen {
            out,
            events,
            chains,
            seed,
            stub_ratio,
            zip,
            sign_key,
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
            println!("{}", key.trusted_keys_line());
            Ok(ExitCode::SUCCESS)
        }
        Command::Seal { dir, key } => {
            let key = key
                .map(|path| produce::load_signing_key(&path))
                .transpose()?;
            produce::seal_directory(&dir, key.as_ref())?;
            eprintln!("wrote {}", dir.join("manifest.json").display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
