//! Shared helpers for the integration tests: where the spec's golden vectors live,
//! generating small bundles, and tampering with them the way an attacker would.
//!
//! Helpers only make and edit bundles; they never decide what a verifier should say.

use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::produce::{self, GenOptions, SigningKeyFile};
use trailscope::verify::{Finding, FindingKind, Report, Severity};
use trailscope::{Checkpoint, TrustedKeys, VerifyOptions, verify_bundle};

/// The format's golden vectors, published with the code in `spec/vectors`.
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/vectors")
}

/// The test key of the vectors (seed 0x01 repeated), trusted as `acme-audit-2026`.
pub fn test_key() -> SigningKeyFile {
    SigningKeyFile::from_seed("acme-audit-2026", [1u8; 32])
}

/// A key nobody trusts: what a forger would sign with.
pub fn forger_key() -> SigningKeyFile {
    SigningKeyFile::from_seed("acme-audit-2026", [7u8; 32])
}

pub fn trusted_keys() -> TrustedKeys {
    TrustedKeys::load(&vectors_dir().join("trusted-keys.txt")).expect("vectors trusted keys")
}

/// A generated bundle in a temporary directory.
pub struct Fixture {
    pub temp: tempfile::TempDir,
    pub dir: PathBuf,
}

impl Fixture {
    /// A signed directory bundle of `events` events over `chains` chains.
    pub fn generated(events: u64, chains: u32) -> Fixture {
        Fixture::generated_with(GenOptions {
            events,
            chains,
            seed: 42,
            sign_key: Some(test_key()),
            ..GenOptions::default()
        })
    }

    /// `generated`, written in format version 1: for tests of what version 1 says (an
    /// edited event is a `hash_mismatch`, a stub binds nothing) and of segments sealed
    /// from their own lines, which a version 2 manifest's Merkle root does not allow.
    pub fn generated_v1(events: u64, chains: u32) -> Fixture {
        Fixture::generated_with(GenOptions {
            events,
            chains,
            seed: 42,
            sign_key: Some(test_key()),
            format_version: trailscope::bundle::FormatVersion::V1,
            ..GenOptions::default()
        })
    }

    pub fn generated_with(options: GenOptions) -> Fixture {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path().join("bundle");
        produce::generate(&dir, &options).expect("generate");
        Fixture { temp, dir }
    }

    pub fn events_path(&self) -> PathBuf {
        self.dir.join("events.jsonl")
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.dir.join("manifest.json")
    }

    /// The events file's lines (without newlines).
    pub fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(self.events_path())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    pub fn write_lines(&self, lines: &[String]) {
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(self.events_path(), text).unwrap();
    }

    pub fn event(&self, line_no: usize) -> Value {
        serde_json::from_str(&self.lines()[line_no - 1]).unwrap()
    }

    pub fn manifest(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.manifest_path()).unwrap()).unwrap()
    }

    pub fn write_manifest(&self, manifest: &Value) {
        std::fs::write(
            self.manifest_path(),
            serde_json::to_vec_pretty(manifest).unwrap(),
        )
        .unwrap();
    }

    /// Re-writes the manifest from the (tampered) events and signs it with `key`.
    pub fn reseal(&self, key: Option<&SigningKeyFile>) {
        produce::seal_directory(&self.dir, key).expect("seal");
    }

    pub fn verify(&self) -> Report {
        verify_with(&self.dir, &[])
    }
}

pub fn verify_with(path: &Path, checkpoints: &[Checkpoint]) -> Report {
    let options = VerifyOptions {
        trusted_keys: trusted_keys(),
        checkpoints: checkpoints.to_vec(),
        ..VerifyOptions::default()
    };
    verify_bundle(path, &options).expect("the bundle can be read")
}

/// Edits one event's JSON without touching its hash (content tampering).
pub fn edit(line: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut event: Value = serde_json::from_str(line).unwrap();
    change(&mut event);
    serde_json::to_string(&event).unwrap()
}

/// Re-links a whole events file: recomputes every hash and prev_hash in order, per chain,
/// as a forger who rewrites history does. Stub lines keep their hash (it cannot be
/// recomputed) but get the new prev_hash.
pub fn relink(lines: &[String]) -> Vec<String> {
    let mut heads: std::collections::HashMap<String, String> = Default::default();
    lines
        .iter()
        .map(|line| {
            let Ok(mut event) = serde_json::from_str::<Value>(line) else {
                return line.clone();
            };
            let chain = event["chain"].as_str().unwrap_or_default().to_owned();
            if let Some(head) = heads.get(&chain) {
                event["prev_hash"] = Value::String(head.clone());
            }
            if event.get("omitted") != Some(&Value::Bool(true)) {
                produce::rehash_event(&mut event);
            }
            heads.insert(chain, event["hash"].as_str().unwrap().to_owned());
            serde_json::to_string(&event).unwrap()
        })
        .collect()
}

/// A finding as (kind, chain, seq, line).
pub type Located = (&'static str, Option<String>, Option<u64>, Option<u64>);

/// The findings that break or warn (notices such as `unsigned` left out), as
/// (kind, chain, seq, line) for compact assertions.
pub fn problems(report: &Report) -> Vec<Located> {
    report
        .findings
        .iter()
        .filter(|f| f.severity() != Severity::Notice)
        .map(|f| (f.kind.as_str(), f.chain.clone(), f.seq, f.line))
        .collect()
}

pub fn kinds(report: &Report) -> Vec<&'static str> {
    let mut kinds: Vec<_> = report.findings.iter().map(|f| f.kind.as_str()).collect();
    kinds.dedup();
    kinds
}

pub fn only(report: &Report, kind: FindingKind) -> Vec<&Finding> {
    report.findings_of(kind).collect()
}

/// `Some(chain)` and friends, for tuple assertions.
pub fn at(kind: &'static str, chain: &str, seq: u64, line: u64) -> Located {
    (kind, Some(chain.to_owned()), Some(seq), Some(line))
}

// Helpers for the case tests (`case`, `investigate`): importing, running the binary,
// reading event times.

/// Verification options that trust the test key, as a reviewer holding its public key.
pub fn trusting_options() -> VerifyOptions {
    VerifyOptions {
        trusted_keys: trusted_keys(),
        ..VerifyOptions::default()
    }
}

/// The import time recorded by the tests (passed in; never the clock).
pub const IMPORTED_AT: &str = "2026-03-01T09:00:00Z";

/// Imports `bundle` into the case at `case_path` (created if absent) through the engine.
pub fn import_into(case_path: &Path, bundle: &Path) -> trailscope::case::ImportOutcome {
    let mut case = trailscope::case::Case::open(case_path).expect("open the case");
    trailscope::case::import_bundle(
        &mut case,
        bundle,
        &trusting_options(),
        IMPORTED_AT,
        &mut |_| std::ops::ControlFlow::Continue(()),
    )
    .expect("the bundle can be imported")
}

/// Runs the real `trailscope` binary.
pub fn run_trailscope(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .env("TRAILSCOPE_HOME", reviewer_home())
        .args(args)
        .output()
        .expect("run trailscope")
}

/// The reviewer folder the tests' `trailscope` runs use (its key is made on first use),
/// so no test writes to the real reviewer's folder.
pub fn reviewer_home() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("reviewer")
}

/// `trailscope import` of `bundle` into `case`, trusting the test key, with its output
/// discarded (for imports that are timed or killed).
pub fn quiet_import_command(case: &Path, bundle: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trailscope"));
    command
        .env("TRAILSCOPE_HOME", reviewer_home())
        .arg("import")
        .arg("--case")
        .arg(case)
        .arg("--trusted-keys")
        .arg(trusted_keys_path())
        .arg(bundle)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// The trusted-keys file holding the test key, for `--trusted-keys`.
pub fn trusted_keys_path() -> PathBuf {
    vectors_dir().join("trusted-keys.txt")
}

/// An RFC 3339 time as ms since the epoch (UTC), parsed here, not by the engine.
pub fn millis(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339:?} is not RFC 3339: {e}"))
        .timestamp_millis()
}

/// Writes `lines` as the events file of a new directory bundle at `dir` and seals it
/// with the test key (the manifest then pins these lines' seq range and hashes).
pub fn sealed_bundle(dir: &Path, lines: &[String]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(dir.join("events.jsonl"), text).unwrap();
    produce::seal_directory(dir, Some(&test_key())).expect("seal");
    dir.to_owned()
}

// Helpers for the export tests (`saas_*`, `saas_zip`): the binary's report and import of
// an export, and the case's events read back.

/// `trailscope verify PATH --json`: its exit code and report.
pub fn verify(path: &Path) -> (i32, Value) {
    let output = run_trailscope(&["verify", path.to_str().unwrap(), "--json"]);
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().unwrap(), report)
}

/// `trailscope import --case CASE PATH`, which must not fail to read (exit code 2).
pub fn import(case: &Path, path: &Path) -> std::process::Output {
    let output = run_trailscope(&[
        "import",
        "--case",
        case.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert!(
        output.status.code().is_some_and(|c| c != 2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The findings of one kind in a report as `--json` prints it.
pub fn findings<'a>(report: &'a Value, kind: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .collect()
}

pub fn count_kind(report: &Value, kind: &str) -> usize {
    findings(report, kind).len()
}

/// A stored event's normalized JSON.
pub fn normal(row: &trailscope::query::EventRow) -> Value {
    serde_json::from_slice(row.normal.as_deref().unwrap()).unwrap()
}

/// Every event of a case, oldest first (quarantined records too).
pub fn all_events(case: &trailscope::case::Case) -> Vec<trailscope::query::EventRow> {
    trailscope::query::list_events(
        case,
        &trailscope::query::EventFilter::default(),
        trailscope::query::Order::OldestFirst,
        100_000,
        None,
    )
    .unwrap()
    .rows
}

/// The SQL over the `event` table that groups rows by a facet, written here apart from
/// the engine's own (`FacetBy`'s expression), for tests that compare the two.
pub fn facet_sql(by: trailscope::query::FacetBy) -> &'static str {
    use trailscope::query::FacetBy;
    match by {
        FacetBy::Actor => "actor_id",
        FacetBy::Action => "action",
        FacetBy::Category => "category",
        FacetBy::TargetType => "target_type",
        FacetBy::Outcome => "outcome",
        FacetBy::Channel => "channel",
        FacetBy::Ip => "ip",
        FacetBy::Batch => "batch_id",
        FacetBy::Rule => "rule_id",
        FacetBy::Day => {
            "CASE WHEN ts = -9223372036854775808 THEN NULL ELSE date(ts / 1000, 'unixepoch') END"
        }
    }
}

/// A row's record as it arrived, read from the case file with SQL and decompressed
/// here with the row's dictionary (written apart from the engine's `case::raw`).
pub fn stored_record(connection: &rusqlite::Connection, event_idx: i64) -> Vec<u8> {
    let (stored, codec): (Vec<u8>, Option<i64>) = connection
        .query_row(
            "SELECT raw, raw_codec FROM event WHERE event_idx = ?1",
            [event_idx],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    match codec {
        None => stored,
        Some(dictionary_idx) => {
            zstd::bulk::Decompressor::with_dictionary(&dictionary(connection, dictionary_idx))
                .unwrap()
                .decompress(&stored, 1 << 20)
                .unwrap()
        }
    }
}

/// Compresses `record` as the case stores a row with dictionary `dictionary_idx`.
pub fn packed_record(
    connection: &rusqlite::Connection,
    dictionary_idx: i64,
    record: &[u8],
) -> Vec<u8> {
    zstd::bulk::Compressor::with_dictionary(1, &dictionary(connection, dictionary_idx))
        .unwrap()
        .compress(record)
        .unwrap()
}

/// The bytes of one of the case's record dictionaries.
fn dictionary(connection: &rusqlite::Connection, dictionary_idx: i64) -> Vec<u8> {
    connection
        .query_row(
            "SELECT bytes FROM raw_dictionary WHERE dictionary_idx = ?1",
            [dictionary_idx],
            |row| row.get(0),
        )
        .unwrap()
}
