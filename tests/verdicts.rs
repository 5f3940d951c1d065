//! What a verdict may claim, each test pinning a defect found by trying the tool as a
//! new user would: an empty file is no intact chain; checkpoints and stubs vouch only
//! for what they bind; numbers beyond 2^53 are warned about; one policy gives
//! `verify`, `import` and `status` the same verdict and exit status; headlines speak
//! in words; a path that is no export says so; output into a closed pipe is quiet.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use trailscope::produce::{self, GenOptions};
use trailscope::verify::{Checkpoint, DimensionStatus, Verdict, parse_checkpoints};
use trailscope::{Error, FindingKind, VerifyOptions, verify_bundle};

use crate::support::*;

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// An unsigned directory bundle of `events` events in one chain (`acme-prod`).
fn unsigned(events: u64) -> Fixture {
    unsigned_in(events, trailscope::bundle::FormatVersion::LATEST)
}

/// `unsigned` in format version 1, whose stubs bind nothing (spec v1 §4; format_v2
/// shows version 2 catching what these tests show version 1 cannot).
fn unsigned_v1(events: u64) -> Fixture {
    unsigned_in(events, trailscope::bundle::FormatVersion::V1)
}

fn unsigned_in(events: u64, format_version: trailscope::bundle::FormatVersion) -> Fixture {
    let f = Fixture::generated_with(GenOptions {
        events,
        chains: 1,
        seed: 7,
        sign_key: None,
        format_version,
        ..GenOptions::default()
    });
    f.reseal(None);
    f
}

/// A checkpoints file's text for `seqs` of the fixture's chain.
fn checkpoint_lines(f: &Fixture, seqs: &[usize]) -> String {
    let lines: Vec<String> = seqs
        .iter()
        .map(|&seq| {
            let event = f.event(seq);
            json!({"chain": event["chain"], "seq": seq, "hash": event["hash"]}).to_string()
        })
        .collect();
    lines.join("\n")
}

/// Checkpoints at `seqs` of the fixture's chain, as the reviewer would hold them.
fn checkpoints_at(f: &Fixture, seqs: &[usize]) -> Vec<Checkpoint> {
    parse_checkpoints(
        &checkpoint_lines(f, seqs),
        "cp.jsonl".as_ref(),
        &trusted_keys(),
    )
    .unwrap()
}

/// The same, written to a file for `--checkpoints`.
fn write_checkpoints(f: &Fixture, seqs: &[usize]) -> std::path::PathBuf {
    let path = f.temp.path().join("checkpoints.jsonl");
    std::fs::write(&path, checkpoint_lines(f, seqs)).unwrap();
    path
}

// ---- Defect 1: an empty file holds no events, and says only that ---------------------

#[test]
fn an_empty_file_says_it_holds_no_events_and_exits_2_in_verify_import_and_status() {
    let temp = tempfile::tempdir().unwrap();
    for (name, bytes) in [("empty.jsonl", &b""[..]), ("blank.jsonl", &b"\n  \n\n"[..])] {
        let path = temp.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let report = verify_with(&path, &[]);
        assert_eq!(report.verdict(), Verdict::Empty, "{name}");
        let output = run_trailscope(&["verify", path_str(&path)]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(2), "{name}: {text}");
        assert!(text.starts_with("No events: "), "{name}: {text}");
        assert!(
            !text.contains("holds;") && !text.contains("Intact"),
            "{name}: {text}"
        );
        let json: Value =
            serde_json::from_slice(&run_trailscope(&["verify", path_str(&path), "--json"]).stdout)
                .unwrap();
        assert_eq!(json["verdict"], "empty", "{name}");

        let case = temp.path().join(format!("{name}.case"));
        let output = run_trailscope(&["import", "--case", path_str(&case), path_str(&path)]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains("holds no events"), "{name}: {stderr}");

        let output = run_trailscope(&["status", "--case", path_str(&case)]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(String::from_utf8_lossy(&output.stdout).contains("Overall: empty"));
    }
}

// ---- Defect 4: checkpoints vouch for what they cover, and the rest is named -----------

#[test]
fn checkpoints_at_500_1500_and_2500_leave_only_2501_to_3000_unvouched() {
    let f = unsigned(3000);
    let report = verify_with(&f.dir, &checkpoints_at(&f, &[500, 1500, 2500]));
    assert_eq!(report.verdict(), Verdict::Intact);
    let authenticity = &report.chains[0].authenticity;
    assert_eq!(authenticity.status, DimensionStatus::Unproven);
    assert!(
        authenticity.detail.contains(
            "checkpoints you hold vouch for seq 1 to 2,500 only: seq 2,501 to 3,000 are unvouched"
        ),
        "{}",
        authenticity.detail
    );
    assert!(
        !authenticity.detail.contains("whole chain"),
        "{}",
        authenticity.detail
    );
    // With one at the head too, every event is vouched for.
    let report = verify_with(&f.dir, &checkpoints_at(&f, &[500, 1500, 2500, 3000]));
    assert_eq!(report.verdict(), Verdict::Verified);
}

// ---- What stubs can prove (spec v1 flaw) -------------------------------------------

/// An unsigned export of 400 events whose even seqs are stubs (so every kept event
/// is followed by a stub), sealed without a signature.
fn every_other_event_stubbed() -> Fixture {
    let f = unsigned_v1(400);
    let lines: Vec<String> = f
        .lines()
        .iter()
        .map(|line| {
            let event: Value = serde_json::from_str(line).unwrap();
            if event["seq"].as_u64().unwrap().is_multiple_of(2) {
                json!({"chain": event["chain"], "seq": event["seq"], "omitted": true,
                       "prev_hash": event["prev_hash"], "hash": event["hash"]})
                .to_string()
            } else {
                line.clone()
            }
        })
        .collect();
    f.write_lines(&lines);
    f.reseal(None);
    f
}

#[test]
fn a_checkpoint_after_stubs_does_not_vouch_for_events_a_stub_leaves_unbound() {
    let honest = every_other_event_stubbed();
    let checkpoint = checkpoints_at(&honest, &[400]);
    let report = verify_with(&honest.dir, &checkpoint);
    assert_eq!(report.chains[0].omitted, 200);
    assert_eq!(report.verdict(), Verdict::Intact, "{}", report.headline());

    // The forgery: seq 101 (kept, followed by a stub) given another actor and rehashed,
    // and the stub's prev_hash pointed at the new hash. Nothing recomputes a stub's
    // hash, so every check still holds: only a verdict that claims less is honest.
    let forged = every_other_event_stubbed();
    let mut lines = forged.lines();
    let mut event: Value = serde_json::from_str(&lines[100]).unwrap();
    assert_eq!(event["seq"], 101);
    event["actor"]["id"] = json!("u_forger");
    event["actor"]["name"] = json!("Someone Else");
    produce::rehash_event(&mut event);
    let mut stub: Value = serde_json::from_str(&lines[101]).unwrap();
    assert_eq!(stub["omitted"], true);
    stub["prev_hash"] = event["hash"].clone();
    lines[100] = event.to_string();
    lines[101] = stub.to_string();
    forged.write_lines(&lines);
    forged.reseal(None);
    let report = verify_with(&forged.dir, &checkpoint);
    assert_eq!(problems(&report), vec![], "the forgery passes every check");
    assert_eq!(report.verdict(), Verdict::Intact, "{}", report.headline());
    assert!(!report.headline().starts_with("Verified"));
    let authenticity = &report.chains[0].authenticity;
    assert!(
        authenticity.detail.contains("omitted event"),
        "{}",
        authenticity.detail
    );

    // On the command line too: intact (3), never verified (0).
    let cp = write_checkpoints(&honest, &[400]);
    for f in [&honest, &forged] {
        let output = run_trailscope(&["verify", path_str(&f.dir), "--checkpoints", path_str(&cp)]);
        assert_eq!(output.status.code(), Some(3));
    }
}

#[test]
fn a_checkpoint_vouches_for_the_full_events_after_the_last_stub_before_it() {
    let f = unsigned_v1(50);
    let mut lines = f.lines();
    let event: Value = serde_json::from_str(&lines[19]).unwrap();
    lines[19] = json!({"chain": event["chain"], "seq": 20, "omitted": true,
                       "prev_hash": event["prev_hash"], "hash": event["hash"]})
    .to_string();
    f.write_lines(&lines);
    f.reseal(None);
    let report = verify_with(&f.dir, &checkpoints_at(&f, &[50]));
    assert_eq!(report.verdict(), Verdict::Intact);
    let detail = &report.chains[0].authenticity.detail;
    assert!(
        detail.contains("vouch for seq 21 to 50 only: seq 1 to 20 are unvouched"),
        "{detail}"
    );
}

// ---- Defect 5: one policy for import and status -------------------------------------

/// A signed bundle in which one event's `before` disagrees with the record's state left
/// by an earlier event: a `state_discontinuity` warning at import, nothing that breaks.
fn bundle_with_a_state_warning() -> Fixture {
    let f = Fixture::generated(300, 1);
    let mut lines = f.lines();
    let mut seen: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut tampered = false;
    for line in lines.iter_mut() {
        let mut event: Value = serde_json::from_str(line).unwrap();
        let record = format!("{}:{}", event["target"]["type"], event["target"]["id"]);
        let known = seen.entry(record).or_default();
        if !tampered
            && let Some(before) = event["before"].as_object_mut()
            && let Some(key) = before.keys().find(|k| known.contains(k)).cloned()
        {
            before.insert(key, json!("a value no earlier event left"));
            *line = event.to_string();
            tampered = true;
            continue;
        }
        if let Some(after) = event["after"].as_object() {
            known.extend(after.keys().cloned());
        }
    }
    assert!(
        tampered,
        "the generated bundle has an update of a known field"
    );
    f.write_lines(&relink(&lines));
    f.reseal(Some(&test_key()));
    f
}

#[test]
fn import_and_status_give_one_verdict_and_exit_status_when_the_case_has_only_warnings() {
    let f = bundle_with_a_state_warning();
    let case = f.temp.path().join("warned.case");
    let keys = trusted_keys_path();
    let import = run_trailscope(&[
        "import",
        "--case",
        path_str(&case),
        "--trusted-keys",
        path_str(&keys),
        path_str(&f.dir),
    ]);
    let status = run_trailscope(&["status", "--case", path_str(&case), "--json"]);
    let json: Value = serde_json::from_slice(&status.stdout).unwrap();
    let kinds: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"state_discontinuity"), "{kinds:?}");
    assert_eq!(json["verdict"], "verified");
    assert_eq!(status.status.code(), Some(0));
    assert_eq!(
        import.status.code(),
        status.status.code(),
        "{}",
        String::from_utf8_lossy(&import.stdout)
    );
}

// ---- Defect 6: a broken headline says where and what, without hashes ---------------

#[test]
fn a_broken_headline_says_where_the_chain_breaks_in_words_not_hashes() {
    // Version 1: the edit is a hash_mismatch (version 2: a body_hash_mismatch).
    let f = Fixture::generated_v1(40, 1);
    let mut lines = f.lines();
    lines[9] = edit(&lines[9], |e| e["actor"]["name"] = json!("Mallory"));
    f.write_lines(&lines);
    let report = f.verify();
    assert_eq!(report.verdict(), Verdict::Broken);
    let headline = report.headline();
    let hex_run = headline
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(hex_run < 16, "a hash in the headline: {headline}");
    assert!(
        headline.contains("changed after it was recorded") && headline.contains("event 10"),
        "{headline}"
    );
    // The hashes stay in the finding's own description.
    let finding = report
        .findings_of(FindingKind::HashMismatch)
        .next()
        .unwrap();
    assert!(finding.describe().contains("Expected "));
}

// ---- Defect 7: integers beyond 2^53 are warned about --------------------------------

#[test]
fn an_integer_beyond_2_53_is_warned_about_in_the_report_and_the_cli() {
    let f = Fixture::generated(50, 1);
    let mut lines = f.lines();
    let mut event: Value = serde_json::from_str(&lines[6]).unwrap();
    event["context"] = json!({"ledger": {"entries": [{"amount": 9_007_199_254_740_993_u64}]}});
    lines[6] = event.to_string();
    let lines = relink(&lines);
    assert!(lines[6].contains("\"amount\":9007199254740993"));
    f.write_lines(&lines);
    f.reseal(Some(&test_key()));
    // Written as ...993, hashed as the double ...992: the hash cannot tell them apart.
    let report = f.verify();
    assert_eq!(report.verdict(), Verdict::Verified);
    let warned: Vec<_> = report
        .findings_of(FindingKind::ImpreciseNumber)
        .map(|f| (f.seq, f.line, f.detail.clone()))
        .collect();
    assert_eq!(
        warned,
        vec![(
            Some(7),
            Some(7),
            Some("field context.ledger.entries[0].amount".to_owned())
        )]
    );
    let mut changed = f.lines();
    changed[6] = changed[6].replace("9007199254740993", "9007199254740992");
    f.write_lines(&changed);
    f.reseal(Some(&test_key()));
    let report = f.verify();
    assert_eq!(
        report.verdict(),
        Verdict::Verified,
        "a warning, not a break"
    );
    assert!(
        report.chains[0]
            .integrity
            .detail
            .contains("1 number beyond ±(2^53−1) is protected only to double precision"),
        "{}",
        report.chains[0].integrity.detail
    );
    let keys = trusted_keys_path();
    let output = run_trailscope(&[
        "verify",
        path_str(&f.dir),
        "--trusted-keys",
        path_str(&keys),
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("[imprecise_number]") && text.contains("context.ledger.entries[0].amount"),
        "{text}"
    );

    // Imported, the warning points at its event: the detail panel lists it.
    let case_path = f.temp.path().join("imprecise.case");
    import_into(&case_path, &f.dir);
    let case = trailscope::case::Case::open_read_only(&case_path).unwrap();
    let id = f.event(7)["id"].as_str().unwrap().to_owned();
    let row = &trailscope::query::events_by_id(&case, &id).unwrap()[0];
    let detail = trailscope::query::event_detail(&case, row.event_idx)
        .unwrap()
        .unwrap();
    let kinds: Vec<FindingKind> = detail.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, vec![FindingKind::ImpreciseNumber]);
    assert!(
        detail.findings[0]
            .message
            .contains("context.ledger.entries[0].amount")
    );
}

// ---- Defect 8: a path that is no export ---------------------------------------------

#[test]
fn a_path_that_is_no_export_is_not_called_a_broken_bundle() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("notes.txt"), "hello").unwrap();
    let text = temp.path().join("notes.txt");
    std::fs::write(&text, "just a line of text\n").unwrap();
    let csv = temp.path().join("export.csv");
    std::fs::write(&csv, "time,user,action\n2026-01-01T00:00:00Z,maria,login\n").unwrap();
    let foreign = temp.path().join("okta.jsonl");
    std::fs::write(
        &foreign,
        "{\"published\":\"2026-01-01T00:00:00Z\",\"actor\":{}}\n",
    )
    .unwrap();
    for (path, found, mapping) in [
        (&folder, "a folder holding nothing Trailscope reads", false),
        (&text, "text that is not JSON", false),
        (&csv, "a CSV or other delimited text file", true),
        (
            &foreign,
            "JSON Lines whose records are not audit-bundle events",
            true,
        ),
    ] {
        let error = verify_bundle(path, &VerifyOptions::default()).unwrap_err();
        assert!(matches!(error, Error::UnknownFormat { .. }), "{error}");
        let output = run_trailscope(&["verify", path_str(path)]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("is not a format Trailscope knows") && stderr.contains(found),
            "{stderr}"
        );
        assert!(!stderr.contains("Broken") && !stderr.contains("file_digest_mismatch"));
        assert_eq!(stderr.contains("--mapping"), mapping, "{stderr}");
    }
    // A bad line among events is still a finding, not a refusal.
    let f = Fixture::generated(10, 1);
    let mut lines = f.lines();
    lines.insert(0, "not json".into());
    f.write_lines(&lines);
    assert_eq!(f.verify().verdict(), Verdict::Broken);
}

#[test]
fn a_missing_case_says_no_case_there() {
    let temp = tempfile::tempdir().unwrap();
    let missing = temp.path().join("nowhere.case");
    for command in ["status", "actors", "events", "reverify"] {
        let output = run_trailscope(&[command, "--case", path_str(&missing)]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        assert!(stderr.contains("no case at"), "{command}: {stderr}");
        assert!(!stderr.contains("entity not found"), "{command}: {stderr}");
    }
    assert!(!missing.exists(), "reading never creates a case");
}

// ---- Defect 2: a reader that goes away ----------------------------------------------

#[test]
fn every_command_exits_quietly_when_its_reader_goes_away() {
    let f = Fixture::generated(3000, 2);
    let case = f.temp.path().join("pipe.case");
    import_into(&case, &f.dir);
    let case = path_str(&case);
    let dir = path_str(&f.dir);
    let commands: Vec<Vec<&str>> = vec![
        vec!["verify", dir],
        vec!["verify", dir, "--json"],
        vec!["status", "--case", case],
        vec!["status", "--case", case, "--json"],
        vec!["actors", "--case", case],
        vec!["events", "--case", case, "--limit", "3000"],
        vec![
            "events", "--case", case, "--limit", "3000", "--format", "json",
        ],
        vec!["reverify", "--case", case],
    ];
    for args in commands {
        // A reader that reads one byte and closes the pipe, as `| head -c1` does.
        let mut child = Command::new(env!("CARGO_BIN_EXE_trailscope"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut byte = [0u8; 1];
        let _ = stdout.read(&mut byte);
        drop(stdout);
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
        assert_ne!(status.code(), Some(101), "{args:?} panicked");
    }
}
