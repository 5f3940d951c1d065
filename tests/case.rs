//! The case file: importing bundles into SQLite and what it then holds — every line
//! byte-exact, actor tallies, re-imports, bundles of one chain joined, overlapping or
//! contradicting each other, a kill in mid-import, re-verification of an edited case,
//! quarantined lines, and evidence left untouched.
//!
//! Every expected value is computed here from the bundle's own events file with
//! serde_json, never through the engine's query functions.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use rusqlite::{Connection, OpenFlags};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use trailscope::case::{Case, case_status, reverify};
use trailscope::produce::{self, GenOptions};
use trailscope::query::{
    EventFilter, EventRow, FacetBy, events_by_id, facet_counts, for_each_event, list_actors,
};
use trailscope::{FindingKind, Verdict};

use crate::support::*;

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn parse(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// A generated signed bundle (3,000 events, 2 chains) and a case path beside it.
fn fixture() -> (Fixture, PathBuf) {
    let f = Fixture::generated(3_000, 2);
    let case = f.temp.path().join("investigation.case");
    (f, case)
}

/// Every stored row, oldest first.
fn all_rows(case: &Case) -> Vec<EventRow> {
    let mut rows = Vec::new();
    for_each_event(case, &EventFilter::default(), |row| {
        rows.push(row);
        Ok(())
    })
    .unwrap();
    rows
}

fn count(connection: &Connection, sql: &str) -> i64 {
    connection.query_row(sql, [], |row| row.get(0)).unwrap()
}

fn cli_json(args: &[&str]) -> (Option<i32>, Value) {
    let output = run_trailscope(args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), value)
}

#[test]
fn importing_a_bundle_stores_every_line_byte_for_byte_and_status_counts_them() {
    let (f, case_path) = fixture();
    let lines = f.lines();
    let events = parse(&lines);
    let output = run_trailscope(&[
        "import",
        "--case",
        path_str(&case_path),
        "--trusted-keys",
        path_str(&trusted_keys_path()),
        path_str(&f.dir),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let case = Case::open_read_only(&case_path).unwrap();
    let status = case_status(&case).unwrap();
    assert_eq!(status.bundles.len(), 1);
    assert_eq!(status.verdict(), Verdict::Verified);
    assert_eq!(status.bundles[0].verdict, Verdict::Verified);
    assert_eq!(status.n_events, lines.len() as i64);
    assert_eq!(status.bundles[0].n_events_added, lines.len() as i64);
    assert_eq!((status.n_malformed, status.n_omitted), (0, 0));
    let times: Vec<i64> = events
        .iter()
        .map(|e| millis(e["ts"].as_str().unwrap()))
        .collect();
    assert_eq!(status.first_ts, times.iter().min().copied());
    assert_eq!(status.last_ts, times.iter().max().copied());

    let (code, json) = cli_json(&["status", "--case", path_str(&case_path), "--json"]);
    assert_eq!(code, Some(0));
    assert_eq!(json["verdict"], "verified");
    assert_eq!(json["events"], lines.len());
    assert_eq!(json["bundles"].as_array().unwrap().len(), 1);

    // Every line, at its own line number, exactly as the file holds it.
    let rows = all_rows(&case);
    assert_eq!(rows.len(), lines.len());
    let by_line: HashMap<i64, &EventRow> = rows.iter().map(|row| (row.line, row)).collect();
    assert_eq!(by_line.len(), lines.len(), "two rows claim one line");
    for (i, (line, event)) in lines.iter().zip(&events).enumerate() {
        let row = by_line[&(i as i64 + 1)];
        assert_eq!(
            row.raw,
            line.as_bytes(),
            "line {} is not stored byte-exact",
            i + 1
        );
        assert_eq!(row.file, "events.jsonl");
        assert_eq!(row.id.as_deref(), event["id"].as_str());
        assert_eq!(row.chain.as_deref(), event["chain"].as_str());
        assert_eq!(row.seq, event["seq"].as_i64());
        assert_eq!(row.ts, Some(times[i]));
        assert!(row.verified(), "line {} is not shown as verified", i + 1);
    }
}

#[test]
fn every_actor_s_counts_and_first_and_last_times_match_a_tally_of_the_file() {
    let (f, case_path) = fixture();
    let events = parse(&f.lines());
    import_into(&case_path, &f.dir);

    // actor id -> (events, first, last, failures, denials)
    let mut tally: BTreeMap<String, (i64, i64, i64, i64, i64)> = BTreeMap::new();
    for event in &events {
        let id = event["actor"]["id"].as_str().unwrap().to_owned();
        let ts = millis(event["ts"].as_str().unwrap());
        let entry = tally.entry(id).or_insert((0, i64::MAX, i64::MIN, 0, 0));
        entry.0 += 1;
        entry.1 = entry.1.min(ts);
        entry.2 = entry.2.max(ts);
        match event["outcome"].as_str() {
            Some("failure") => entry.3 += 1,
            Some("denied") => entry.4 += 1,
            _ => {}
        }
    }
    assert!(tally.values().any(|t| t.3 > 0) && tally.values().any(|t| t.4 > 0));

    let case = Case::open_read_only(&case_path).unwrap();
    let stored: BTreeMap<String, (i64, i64, i64, i64, i64)> = list_actors(&case)
        .unwrap()
        .into_iter()
        .map(|a| {
            (
                a.actor_id,
                (a.n_events, a.first_ts, a.last_ts, a.n_failures, a.n_denials),
            )
        })
        .collect();
    assert_eq!(stored, tally);

    let (code, json) = cli_json(&["actors", "--case", path_str(&case_path), "--json"]);
    assert_eq!(code, Some(0));
    let shown: BTreeMap<String, (i64, i64, i64, i64, i64)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                (
                    a["events"].as_i64().unwrap(),
                    millis(a["first_seen"].as_str().unwrap()),
                    millis(a["last_seen"].as_str().unwrap()),
                    a["failures"].as_i64().unwrap(),
                    a["denials"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(shown, tally);
}

#[test]
fn importing_the_same_bundle_twice_adds_nothing_the_second_time() {
    let (f, case_path) = fixture();
    let n_lines = f.lines().len() as i64;
    let first = import_into(&case_path, &f.dir);
    assert!(!first.already_imported);
    assert_eq!(first.events_added, n_lines as u64);

    let again = import_into(&case_path, &f.dir);
    assert!(again.already_imported);
    assert_eq!(again.bundle_idx, first.bundle_idx);
    assert_eq!((again.events_added, again.overlapping), (0, 0));

    let output = run_trailscope(&[
        "import",
        "--case",
        path_str(&case_path),
        "--trusted-keys",
        path_str(&trusted_keys_path()),
        path_str(&f.dir),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("Already in the case"));

    let connection = Connection::open(&case_path).unwrap();
    assert_eq!(count(&connection, "SELECT count(*) FROM event"), n_lines);
    assert_eq!(count(&connection, "SELECT count(*) FROM bundle"), 1);
    assert_eq!(
        count(&connection, "SELECT sum(n_events) FROM actor"),
        n_lines
    );
    let (_, status) = cli_json(&["status", "--case", path_str(&case_path), "--json"]);
    assert_eq!(status["events"], n_lines);
}

// Bundles of one chain: split a generated single-chain bundle's lines by seq.

/// A single-chain bundle of 100 events, seq 1..=100 on lines 1..=100.
fn one_chain() -> (Fixture, Vec<String>) {
    // Its segments are sealed from their own lines: version 1, since a version 2
    // manifest's Merkle root covers the events before a segment (format_v2 imports one).
    let f = Fixture::generated_with(GenOptions {
        events: 100,
        chains: 1,
        seed: 7,
        sign_key: Some(test_key()),
        format_version: trailscope::bundle::FormatVersion::V1,
        ..GenOptions::default()
    });
    let lines = f.lines();
    for (i, event) in parse(&lines).iter().enumerate() {
        assert_eq!(event["seq"], i as u64 + 1);
    }
    (f, lines)
}

/// The lines of seq `first..=last`.
fn seqs(lines: &[String], first: usize, last: usize) -> Vec<String> {
    lines[first - 1..last].to_vec()
}

fn hash_of(line: &str) -> String {
    serde_json::from_str::<Value>(line).unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn case_finding_kinds(
    outcome: &trailscope::case::ImportOutcome,
) -> Vec<(&'static str, Option<u64>)> {
    outcome
        .case_findings
        .iter()
        .map(|f| (f.kind.as_str(), f.seq))
        .collect()
}

#[test]
fn two_consecutive_bundles_of_one_chain_join_without_a_discontinuity() {
    let (f, lines) = one_chain();
    let a = sealed_bundle(&f.temp.path().join("a"), &seqs(&lines, 1, 60));
    let b = sealed_bundle(&f.temp.path().join("b"), &seqs(&lines, 61, 100));
    // B's manifest starts where A's head is.
    let b_manifest: Value =
        serde_json::from_slice(&std::fs::read(b.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        b_manifest["chains"][0]["start_prev_hash"],
        hash_of(&lines[59])
    );

    for (name, order) in [("in order", [&a, &b]), ("later one first", [&b, &a])] {
        let case_path = f.temp.path().join(format!("{name}.case"));
        let first = import_into(&case_path, order[0]);
        let second = import_into(&case_path, order[1]);
        for outcome in [&first, &second] {
            assert_eq!(
                outcome.report.verdict(),
                trailscope::Verdict::Verified,
                "{name}"
            );
            assert_eq!(case_finding_kinds(outcome), vec![], "{name}");
            assert_eq!(outcome.overlapping, 0, "{name}");
        }
        assert_eq!(first.events_added + second.events_added, 100, "{name}");
        let case = Case::open_read_only(&case_path).unwrap();
        let status = case_status(&case).unwrap();
        assert_eq!(status.n_events, 100, "{name}");
        assert_eq!(status.verdict(), Verdict::Verified, "{name}");
        let stored: Vec<&str> = status.findings.iter().map(|f| f.kind.as_str()).collect();
        assert!(!stored.contains(&"discontinuity"), "{name}: {stored:?}");
    }
}

/// The case's facet counts, kept by each import, are what grouping the stored rows
/// gives for every facet (ground truth by SQL here, on the file itself): after two
/// overlapping bundles (the shared events stored once) and a bundle with stubs (never
/// counted), with actor names as labels.
#[test]
fn unfiltered_facets_read_from_the_kept_counts_equal_grouping_every_row() {
    let (f, lines) = one_chain();
    let a = sealed_bundle(&f.temp.path().join("a"), &seqs(&lines, 1, 60));
    let b = sealed_bundle(&f.temp.path().join("b"), &seqs(&lines, 40, 100));
    let stubs = Fixture::generated_with(GenOptions {
        events: 400,
        chains: 2,
        seed: 11,
        stub_ratio: 0.1,
        ..GenOptions::default()
    });
    let case_path = f.temp.path().join("facets.case");
    import_into(&case_path, &a);
    import_into(&case_path, &b);
    import_into(&case_path, &stubs.dir);

    let case = Case::open_read_only(&case_path).unwrap();
    let connection =
        Connection::open_with_flags(&case_path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    assert!(count(&connection, "SELECT count(*) FROM event WHERE omitted = 1") > 0);
    for by in FacetBy::ALL {
        let column = facet_sql(by);
        let label = if by == FacetBy::Actor {
            "max(actor_name)"
        } else {
            "NULL"
        };
        let mut statement = connection
            .prepare(&format!(
                "SELECT {column} AS v, {label}, count(*) FROM event WHERE omitted = 0 GROUP BY v"
            ))
            .unwrap();
        let mut truth: Vec<(Option<String>, Option<String>, i64)> = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut kept: Vec<(Option<String>, Option<String>, i64)> =
            facet_counts(&case, &EventFilter::default(), by)
                .unwrap()
                .into_iter()
                .map(|c| (c.value, c.label, c.count))
                .collect();
        truth.sort();
        kept.sort();
        // The generated events fall on one day; every other facet has several values.
        assert!(
            truth.len() > usize::from(by != FacetBy::Day),
            "{by:?} has values"
        );
        assert_eq!(kept, truth, "{by:?}");
    }
}

#[test]
fn overlapping_bundles_of_one_chain_store_the_shared_events_once() {
    let (f, lines) = one_chain();
    let a = sealed_bundle(&f.temp.path().join("a"), &seqs(&lines, 1, 60));
    let b = sealed_bundle(&f.temp.path().join("b"), &seqs(&lines, 40, 100));
    let case_path = f.temp.path().join("overlap.case");
    let first = import_into(&case_path, &a);
    let second = import_into(&case_path, &b);
    assert_eq!(first.events_added, 60);
    assert_eq!(second.events_added, 40);
    assert_eq!(second.overlapping, 21);
    assert_eq!(case_finding_kinds(&second), vec![]);

    let case = Case::open_read_only(&case_path).unwrap();
    let status = case_status(&case).unwrap();
    assert_eq!(status.n_events, 100);
    assert_eq!(status.verdict(), Verdict::Verified);
    // Each seq once, with the bytes of the original line.
    let rows = all_rows(&case);
    let mut by_seq: BTreeMap<i64, Vec<&EventRow>> = BTreeMap::new();
    for row in &rows {
        by_seq.entry(row.seq.unwrap()).or_default().push(row);
    }
    assert_eq!(
        by_seq.keys().copied().collect::<Vec<_>>(),
        (1..=100).collect::<Vec<_>>()
    );
    for (seq, held) in &by_seq {
        assert_eq!(held.len(), 1, "seq {seq} held {} times", held.len());
        assert_eq!(held[0].raw, lines[*seq as usize - 1].as_bytes());
    }
    // Actors are tallied once per event, not once per bundle that held it.
    let mut tally: BTreeMap<String, i64> = BTreeMap::new();
    for event in parse(&lines) {
        *tally
            .entry(event["actor"]["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let stored: BTreeMap<String, i64> = list_actors(&case)
        .unwrap()
        .into_iter()
        .map(|a| (a.actor_id, a.n_events))
        .collect();
    assert_eq!(stored, tally);
}

/// Bundle B (seq 40..=100) with the event at seq 50 rewritten and the chain re-linked
/// from there: each bundle verifies alone, but they tell two histories.
fn equivocating_case() -> (
    Fixture,
    PathBuf,
    Vec<String>,
    trailscope::case::ImportOutcome,
) {
    let (f, lines) = one_chain();
    let a = sealed_bundle(&f.temp.path().join("a"), &seqs(&lines, 1, 60));
    let mut rewritten = seqs(&lines, 40, 100);
    // The first line of B already links to A's seq 39; relink keeps its prev_hash.
    assert_eq!(
        serde_json::from_str::<Value>(&rewritten[0]).unwrap()["prev_hash"],
        hash_of(&lines[38])
    );
    rewritten[10] = edit(&rewritten[10], |e| e["reason"] = json!("rewritten later"));
    let rewritten = relink(&rewritten);
    let b = sealed_bundle(&f.temp.path().join("b"), &rewritten);
    let case_path = f.temp.path().join("equivocation.case");
    import_into(&case_path, &a);
    let outcome = import_into(&case_path, &b);
    assert_eq!(outcome.report.verdict(), trailscope::Verdict::Verified);
    (f, case_path, lines, outcome)
}

#[test]
fn an_overlapping_bundle_that_rewrote_an_event_reports_equivocation_from_its_seq() {
    let (_f, case_path, lines, outcome) = equivocating_case();
    // Seq 40..=49 agree with A; from seq 50 to A's end (60) every position differs.
    assert_eq!(outcome.overlapping, 10);
    let equivocations: Vec<u64> = outcome
        .case_findings
        .iter()
        .filter(|f| f.kind.as_str() == "equivocation")
        .map(|f| f.seq.unwrap())
        .collect();
    assert_eq!(
        equivocations.first(),
        Some(&50),
        "{:#?}",
        outcome.case_findings
    );
    assert!(equivocations.iter().all(|seq| (50..=60).contains(seq)));
    assert!(
        outcome
            .case_findings
            .iter()
            .all(|f| f.kind.as_str() == "equivocation"),
        "{:#?}",
        outcome.case_findings
    );

    // Both versions of seq 50 are kept as evidence, and the finding is stored.
    let case = Case::open_read_only(&case_path).unwrap();
    let id = serde_json::from_str::<Value>(&lines[49]).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let versions = events_by_id(&case, &id).unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions.iter().any(|row| row.raw == lines[49].as_bytes()));
    let status = case_status(&case).unwrap();
    assert!(
        status
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::Equivocation && f.seq == Some(50))
    );
}

#[test]
fn a_case_holding_two_histories_of_one_chain_is_broken_in_status() {
    let (_f, case_path, _, outcome) = equivocating_case();
    assert!(!outcome.case_findings.is_empty());
    let case = Case::open_read_only(&case_path).unwrap();
    assert_eq!(case_status(&case).unwrap().verdict(), Verdict::Broken);
    let (code, json) = cli_json(&["status", "--case", path_str(&case_path), "--json"]);
    assert_eq!(json["verdict"], "broken");
    assert_eq!(code, Some(1));
}

#[test]
fn a_bundle_that_does_not_link_to_the_earlier_head_reports_a_discontinuity() {
    let (f, lines) = one_chain();
    let a = sealed_bundle(&f.temp.path().join("a"), &seqs(&lines, 1, 60));
    let mut later = seqs(&lines, 61, 100);
    later[0] = edit(&later[0], |e| e["prev_hash"] = json!("ab".repeat(32)));
    let later = relink(&later);
    let b = sealed_bundle(&f.temp.path().join("b"), &later);
    let case_path = f.temp.path().join("discontinuity.case");
    import_into(&case_path, &a);
    let outcome = import_into(&case_path, &b);
    assert_eq!(outcome.report.verdict(), trailscope::Verdict::Verified);
    assert_eq!(
        case_finding_kinds(&outcome),
        vec![("discontinuity", Some(61))]
    );
    let finding = &outcome.case_findings[0];
    assert_eq!(
        finding.expected.as_deref(),
        Some(hash_of(&lines[59]).as_str())
    );
    assert_eq!(finding.actual.as_deref(), Some("ab".repeat(32).as_str()));

    // The later bundle first: the join is checked from the other side.
    let reversed = f.temp.path().join("discontinuity-reversed.case");
    import_into(&reversed, &b);
    let outcome = import_into(&reversed, &a);
    assert_eq!(
        case_finding_kinds(&outcome),
        vec![("discontinuity", Some(61))]
    );

    let output = run_trailscope(&[
        "import",
        "--case",
        path_str(&f.temp.path().join("discontinuity-cli.case")),
        "--trusted-keys",
        path_str(&trusted_keys_path()),
        path_str(&a),
        path_str(&b),
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a broken join fails the import"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("[discontinuity]"));
}

#[test]
fn a_gap_between_two_bundles_of_one_chain_reports_a_discontinuity_over_the_missing_seqs() {
    let (f, lines) = one_chain();
    let a = sealed_bundle(&f.temp.path().join("a"), &seqs(&lines, 1, 60));
    let b = sealed_bundle(&f.temp.path().join("b"), &seqs(&lines, 71, 100));
    let case_path = f.temp.path().join("gap.case");
    import_into(&case_path, &a);
    let outcome = import_into(&case_path, &b);
    assert_eq!(
        case_finding_kinds(&outcome),
        vec![("discontinuity", Some(61))]
    );
    assert_eq!(outcome.case_findings[0].seq_end, Some(70));
}

// A kill -9 in mid-import.

/// `trailscope import` of the fixture's bundle into `case`, quietly.
fn import_command(f: &Fixture, case: &Path) -> Command {
    quiet_import_command(case, &f.dir)
}

/// How long a full import of the fixture takes here (into a throwaway case).
fn full_import_time(f: &Fixture) -> Duration {
    let started = Instant::now();
    let status = import_command(f, &f.temp.path().join("timed.case"))
        .status()
        .unwrap();
    let full = started.elapsed();
    assert_eq!(status.code(), Some(0));
    assert!(
        full >= Duration::from_millis(500),
        "import too quick to kill: {full:?}"
    );
    full
}

/// Starts an import into `case` and SIGKILLs it after `delay`.
fn kill_import_after(f: &Fixture, case: &Path, delay: Duration) {
    let mut child = import_command(f, case).spawn().unwrap();
    std::thread::sleep(delay);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

/// The case after a killed import, opened for writing (as the next import does):
/// sound, and either without the bundle or with all of it.
fn assert_empty_or_complete(case_path: &Path, n_events: i64, when: &str) {
    let case =
        Case::open(case_path).unwrap_or_else(|e| panic!("{when}: the case cannot be opened: {e}"));
    assert_eq!(case.integrity_check().unwrap(), "ok", "{when}");
    drop(case);
    let connection =
        Connection::open_with_flags(case_path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let bundles = count(&connection, "SELECT count(*) FROM bundle");
    let rows = count(&connection, "SELECT count(*) FROM event");
    let actors = count(&connection, "SELECT count(*) FROM actor");
    match bundles {
        0 => assert_eq!((rows, actors), (0, 0), "{when}: rows without their bundle"),
        1 => {
            let added = count(&connection, "SELECT n_events_added FROM bundle");
            assert_eq!(
                (added, rows),
                (n_events, n_events),
                "{when}: a partial bundle"
            );
            let pending = count(
                &connection,
                "SELECT count(*) FROM bundle WHERE digest = 'pending'",
            );
            assert_eq!(pending, 0, "{when}");
        }
        n => panic!("{when}: {n} bundles after one import"),
    }
}

#[test]
fn killing_an_import_at_any_moment_leaves_the_case_either_empty_or_complete() {
    let n_events = 100_000;
    let f = Fixture::generated(n_events as u64, 2);
    let full = full_import_time(&f);
    let mut survivors = Vec::new();
    for percent in [10u32, 30, 50, 70, 90] {
        let case_path = f.temp.path().join(format!("killed-at-{percent}.case"));
        let delay = full * percent / 100;
        kill_import_after(&f, &case_path, delay);
        if case_path.exists() {
            assert_empty_or_complete(
                &case_path,
                n_events,
                &format!("killed at {percent}% ({delay:?})"),
            );
            survivors.push(case_path);
        }
    }

    // A killed case takes the import again, to the end.
    let case_path = survivors.last().expect("a killed import left a case file");
    let status = import_command(&f, case_path).status().unwrap();
    assert_eq!(status.code(), Some(0));
    let case = Case::open_read_only(case_path).unwrap();
    assert_eq!(case.integrity_check().unwrap(), "ok");
    let summary = case_status(&case).unwrap();
    assert_eq!(summary.bundles.len(), 1);
    assert_eq!(summary.n_events, n_events);
    assert_eq!(summary.verdict(), Verdict::Verified);
}

#[test]
fn a_case_killed_late_in_an_import_can_be_read_before_anything_writes_to_it() {
    let f = Fixture::generated(100_000, 2);
    let full = full_import_time(&f);
    // Late, when the page cache has spilled into the file and the journal is needed.
    for percent in [75u32, 85, 95] {
        let case_path = f.temp.path().join(format!("killed-at-{percent}.case"));
        kill_import_after(&f, &case_path, full * percent / 100);
        let case = Case::open_read_only(&case_path)
            .unwrap_or_else(|e| panic!("killed at {percent}%: read-only open: {e}"));
        assert_eq!(case.integrity_check().unwrap(), "ok");
        let status = case_status(&case).unwrap();
        assert!(status.bundles.is_empty() || status.n_events == 100_000);
        drop(case);
        let output = run_trailscope(&["status", "--case", path_str(&case_path), "--json"]);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "killed at {percent}%: status is not JSON ({e}): {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        // A case the kill left without a bundle holds nothing (exit 2); else the import's verdict.
        let (verdict, code) = if status.bundles.is_empty() {
            ("empty", 2)
        } else {
            ("verified", 0)
        };
        assert_eq!(json["verdict"], verdict, "killed at {percent}%");
        assert_eq!(output.status.code(), Some(code), "killed at {percent}%");
    }
}

// Re-verification of a case edited behind the app's back.

fn reverify_cli(case_path: &Path) -> (Option<i32>, Value) {
    cli_json(&["reverify", "--case", path_str(case_path), "--json"])
}

#[test]
fn reverifying_an_untouched_case_finds_nothing() {
    let (f, case_path) = fixture();
    import_into(&case_path, &f.dir);
    let case = Case::open_read_only(&case_path).unwrap();
    let result = reverify(&case).unwrap();
    assert_eq!(result.n_rows, f.lines().len() as u64);
    assert_eq!(result.findings, vec![]);
    let (code, json) = reverify_cli(&case_path);
    assert_eq!(code, Some(0));
    assert_eq!(json["findings"], json!([]));
}

/// The case's row for one line of the events file.
fn event_idx_of_line(connection: &Connection, line: usize) -> i64 {
    connection
        .query_row(
            "SELECT event_idx FROM event WHERE line = ?1",
            [line as i64],
            |row| row.get(0),
        )
        .unwrap()
}

/// A generated version-1 bundle of 3,000 events in 2 chains imported into a new case:
/// the fixture (its folder lives as long as it does), the case and the bundle's lines.
fn imported_v1_of_3000() -> (Fixture, PathBuf, Vec<String>) {
    let f = Fixture::generated_v1(3_000, 2);
    let case_path = f.temp.path().join("investigation.case");
    let lines = f.lines();
    import_into(&case_path, &f.dir);
    (f, case_path, lines)
}

#[test]
fn a_stored_line_edited_in_the_case_file_is_caught_by_reverify() {
    // Version 1, where the edit is a hash_mismatch (format_v2: a body_hash_mismatch).
    let (_f, case_path, lines) = imported_v1_of_3000();
    // The actor's name changed inside the stored bytes (its indexed column left as it was).
    let line_no = 777;
    let event: Value = serde_json::from_str(&lines[line_no - 1]).unwrap();
    let name = event["actor"]["name"].as_str().unwrap();
    let connection = Connection::open(&case_path).unwrap();
    let idx = event_idx_of_line(&connection, line_no);
    let raw: Vec<u8> = connection
        .query_row("SELECT raw FROM event WHERE event_idx = ?1", [idx], |r| {
            r.get(0)
        })
        .unwrap();
    let needle = format!("\"name\":{}", json!(name));
    let raw = String::from_utf8(raw).unwrap();
    assert!(raw.contains(&needle));
    let edited = raw.replacen(&needle, "\"name\":\"Someone Else\"", 1);
    connection
        .execute(
            "UPDATE event SET raw = ?1 WHERE event_idx = ?2",
            rusqlite::params![edited.into_bytes(), idx],
        )
        .unwrap();
    drop(connection);

    let case = Case::open_read_only(&case_path).unwrap();
    let found = reverify(&case).unwrap().findings;
    // The content no longer matches its hash, and the actor_name column no longer
    // matches the content: two findings, both on that line.
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found.iter().all(|f| f.line == Some(line_no as u64)),
        "{found:#?}"
    );
    assert!(
        found[1]
            .detail
            .as_deref()
            .unwrap()
            .contains("indexed columns")
    );
    assert_eq!(found[0].kind.as_str(), "hash_mismatch");
    assert_eq!(found[0].line, Some(line_no as u64));
    assert_eq!(found[0].seq, event["seq"].as_u64());
    assert_eq!(found[0].actual.as_deref(), event["hash"].as_str());
    let (code, json) = reverify_cli(&case_path);
    assert_eq!(code, Some(1));
    assert_eq!(json["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn records_are_stored_compressed_and_read_back_exactly() {
    let (_f, case_path, lines) = imported_v1_of_3000();
    let connection = Connection::open(&case_path).unwrap();
    // The first 2,000 records trained the dictionary and are stored as they arrived;
    // every later one is compressed, more than twice smaller.
    let (plain, packed, stored_bytes): (i64, i64, i64) = connection
        .query_row(
            "SELECT sum(raw_codec IS NULL), sum(raw_codec IS NOT NULL),
                    sum(CASE WHEN raw_codec IS NOT NULL THEN length(raw) END) FROM event",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    assert_eq!((plain, packed), (2_000, 1_000));
    let arrived: usize = lines[2_000..].iter().map(String::len).sum();
    assert!(
        (stored_bytes as usize) * 2 < arrived,
        "{stored_bytes} of {arrived}"
    );
    // Every row reads back as its line, through the engine and decompressed apart.
    let case = Case::open_read_only(&case_path).unwrap();
    let rows = all_events(&case);
    let mut by_line: Vec<_> = rows.iter().map(|r| (r.line, &r.raw)).collect();
    by_line.sort();
    assert_eq!(by_line.len(), lines.len());
    for ((line, raw), expected) in by_line.iter().zip(&lines) {
        assert_eq!(raw.as_slice(), expected.as_bytes(), "line {line}");
    }
    for line in [1, 2_000, 2_001, 3_000] {
        let idx = event_idx_of_line(&connection, line);
        assert_eq!(stored_record(&connection, idx), lines[line - 1].as_bytes());
    }
    assert!(reverify(&case).unwrap().findings.is_empty());
}

#[test]
fn a_compressed_record_edited_or_damaged_in_the_case_file_is_caught() {
    let (_f, case_path, lines) = imported_v1_of_3000();
    let line_no = 2_777;
    let connection = Connection::open(&case_path).unwrap();
    let idx = event_idx_of_line(&connection, line_no);
    let codec: i64 = connection
        .query_row(
            "SELECT raw_codec FROM event WHERE event_idx = ?1",
            [idx],
            |row| row.get(0),
        )
        .unwrap();
    // Edited and compressed again with the case's own dictionary: it decompresses,
    // and reverify finds the content no longer matches its hash.
    let edited = lines[line_no - 1].replacen("\"seq\":", "\"note\":\"x\",\"seq\":", 1);
    assert_ne!(edited, lines[line_no - 1]);
    connection
        .execute(
            "UPDATE event SET raw = ?1 WHERE event_idx = ?2",
            rusqlite::params![packed_record(&connection, codec, edited.as_bytes()), idx],
        )
        .unwrap();
    let case = Case::open_read_only(&case_path).unwrap();
    let found = reverify(&case).unwrap().findings;
    assert!(
        found
            .iter()
            .any(|f| f.kind == FindingKind::HashMismatch && f.line == Some(line_no as u64)),
        "{found:#?}"
    );
    drop(case);
    // One byte of the stored form changed: reading it is an error that says the case
    // file was altered, never other bytes.
    connection
        .execute(
            "UPDATE event SET raw = CAST(substr(raw, 1, 12) || X'5A' || substr(raw, 14) AS BLOB) WHERE event_idx = ?1",
            [idx],
        )
        .unwrap();
    let case = Case::open_read_only(&case_path).unwrap();
    let error = trailscope::query::event_by_idx(&case, idx)
        .expect_err("refused")
        .to_string();
    assert!(error.contains("the case file was altered"), "{error}");
    // Reverify says which row, and goes on: every other row still checks, no link
    // reported broken around it.
    let found = reverify(&case).unwrap().findings;
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].line, Some(line_no as u64));
    assert!(
        found[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("does not decompress"),
        "{found:#?}"
    );
}

#[test]
fn an_indexed_column_edited_in_the_case_file_is_caught_by_reverify() {
    let (f, case_path) = fixture();
    import_into(&case_path, &f.dir);
    let connection = Connection::open(&case_path).unwrap();
    let idx = event_idx_of_line(&connection, 1234);
    connection
        .execute(
            "UPDATE event SET actor_id = 'u_scapegoat' WHERE event_idx = ?1",
            [idx],
        )
        .unwrap();
    drop(connection);

    let case = Case::open_read_only(&case_path).unwrap();
    let found = reverify(&case).unwrap().findings;
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].line, Some(1234));
    let (code, json) = reverify_cli(&case_path);
    assert_eq!(code, Some(1));
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn a_row_deleted_from_the_case_file_is_caught_by_reverify() {
    let (f, case_path) = fixture();
    import_into(&case_path, &f.dir);
    let connection = Connection::open(&case_path).unwrap();
    let deleted = connection
        .execute("DELETE FROM event WHERE line = 1234", [])
        .unwrap();
    assert_eq!(deleted, 1);
    drop(connection);

    let case = Case::open_read_only(&case_path).unwrap();
    let found = reverify(&case).unwrap().findings;
    assert!(
        !found.is_empty(),
        "an event vanished from the case and reverify found nothing"
    );
    let (code, _) = reverify_cli(&case_path);
    assert_eq!(code, Some(1));
}

#[test]
fn a_filter_column_edited_in_the_case_file_is_caught_by_reverify() {
    let (f, case_path) = fixture();
    import_into(&case_path, &f.dir);
    let connection = Connection::open(&case_path).unwrap();
    connection
        .execute("UPDATE event SET ip = '192.0.2.99' WHERE line = 1234", [])
        .unwrap();
    drop(connection);

    let case = Case::open_read_only(&case_path).unwrap();
    let found = reverify(&case).unwrap().findings;
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].line, Some(1234));
}

/// Duplicate ids are known only when every id has been seen (verify::ids keeps them
/// on disk past a batch), so the import ties the finding to its row afterwards: the
/// row that reuses the id is linked to its finding and its own checks fail; those of
/// the row that used it first, and of every other row, hold.
#[test]
fn a_reused_id_found_at_the_end_of_the_walk_still_fails_its_own_row() {
    let (f, case_path) = fixture();
    let mut lines = f.lines();
    let first_id = f.event(5)["id"].clone();
    lines[2_500] = edit(&lines[2_500], |e| e["id"] = first_id.clone());
    f.write_lines(&relink(&lines));
    f.reseal(Some(&test_key()));

    let outcome = import_into(&case_path, &f.dir);
    let duplicates: Vec<_> = outcome
        .report
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::DuplicateId)
        .collect();
    assert_eq!(duplicates.len(), 1, "{:#?}", outcome.report.findings);
    assert_eq!(duplicates[0].line, Some(2_501));

    let case = Case::open_read_only(&case_path).unwrap();
    let rows = all_rows(&case);
    // The bundle as a whole is broken by it; each row's own checks say where.
    let failing: Vec<i64> = rows
        .iter()
        .filter(|r| !r.checks_ok)
        .map(|r| r.line)
        .take(5)
        .collect();
    assert_eq!(
        failing,
        vec![2_501],
        "only the row that reuses the id fails"
    );
    let linked: i64 = count(
        &Connection::open_with_flags(&case_path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap(),
        "SELECT e.line FROM finding f JOIN event e ON e.event_idx = f.event_idx
          WHERE f.kind = 'duplicate_id'",
    );
    assert_eq!(linked, 2_501, "the finding points at the row of its line");
    let first: Vec<&EventRow> = rows
        .iter()
        .filter(|r| r.id.as_deref() == first_id.as_str())
        .collect();
    assert_eq!(first.len(), 2);
    assert!(first[0].checks_ok && first[0].line == 5);
}

#[test]
fn a_malformed_line_is_kept_in_quarantine_with_its_line_number() {
    let (f, case_path) = fixture();
    let mut lines = f.lines();
    let garbage = "{\"action\": \"order.updated\", this is not JSON".to_owned();
    lines.insert(10, garbage.clone()); // line 11
    f.write_lines(&lines);
    // The manifest pins the new file, so the only problem is the line itself.
    let bytes = std::fs::read(f.events_path()).unwrap();
    let mut manifest = f.manifest();
    manifest["files"][0]["sha256"] = json!(hex(&Sha256::digest(&bytes)));
    manifest["files"][0]["bytes"] = json!(bytes.len());
    produce::sign_manifest(&mut manifest, &test_key());
    f.write_manifest(&manifest);

    let outcome = import_into(&case_path, &f.dir);
    let kinds: Vec<&str> = outcome
        .report
        .findings
        .iter()
        .map(|f| f.kind.as_str())
        .collect();
    assert!(kinds.contains(&"malformed_line"), "{kinds:?}");

    let case = Case::open_read_only(&case_path).unwrap();
    let status = case_status(&case).unwrap();
    assert_eq!(status.n_malformed, 1);
    assert_eq!(status.bundles[0].n_malformed, 1);
    assert_eq!(status.n_events, lines.len() as i64 - 1);
    let (_, json) = cli_json(&["status", "--case", path_str(&case_path), "--json"]);
    assert_eq!(json["malformed"], 1);

    let quarantined: Vec<EventRow> = all_rows(&case)
        .into_iter()
        .filter(|row| row.malformed.is_some())
        .collect();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].line, 11);
    assert_eq!(quarantined[0].raw, garbage.as_bytes());
    assert_eq!(quarantined[0].ts, None);
    assert!(!quarantined[0].verified());
    let stored = status
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::MalformedLine)
        .unwrap();
    assert_eq!(stored.line, Some(11));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// (path, SHA-256, length, mtime) of every file of a bundle (a directory or one file).
fn fingerprint(bundle: &Path) -> Vec<(PathBuf, String, u64, SystemTime)> {
    let files: Vec<PathBuf> = if bundle.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(bundle)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        files
    } else {
        vec![bundle.to_owned()]
    };
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            let metadata = std::fs::metadata(&path).unwrap();
            (
                path,
                hex(&Sha256::digest(&bytes)),
                metadata.len(),
                metadata.modified().unwrap(),
            )
        })
        .collect()
}

#[test]
fn importing_verifying_and_exporting_never_modify_the_evidence() {
    for zip in [false, true] {
        let f = Fixture::generated_with(GenOptions {
            events: 2_000,
            chains: 2,
            seed: 42,
            zip,
            sign_key: Some(test_key()),
            ..GenOptions::default()
        });
        let before = fingerprint(&f.dir);
        let case = f.temp.path().join("evidence.case");
        let out = f.temp.path().join("out");
        let (case, bundle, out) = (path_str(&case), path_str(&f.dir), path_str(&out));
        let keys = trusted_keys_path();
        let keys = path_str(&keys);
        for args in [
            vec!["verify", bundle, "--trusted-keys", keys],
            vec!["import", "--case", case, "--trusted-keys", keys, bundle],
            vec!["import", "--case", case, "--trusted-keys", keys, bundle],
            vec!["status", "--case", case],
            vec!["reverify", "--case", case],
            vec!["export", "--case", case, "--format", "csv", "--out", out],
            vec!["export", "--case", case, "--format", "jsonl", "--out", out],
        ] {
            let output = run_trailscope(&args);
            assert_eq!(output.status.code(), Some(0), "{args:?}");
        }
        import_into(&f.temp.path().join("api.case"), &f.dir);
        assert_eq!(fingerprint(&f.dir), before, "zip: {zip}");
    }
}

#[test]
fn a_cancelled_import_leaves_the_case_as_it_was() {
    let (f, case_path) = fixture();
    let mut case = Case::open(&case_path).unwrap();
    let mut calls = 0;
    let result = trailscope::case::import_bundle(
        &mut case,
        &f.dir,
        &trusting_options(),
        IMPORTED_AT,
        &mut |_| {
            calls += 1;
            std::ops::ControlFlow::Break(())
        },
    );
    assert!(
        matches!(result, Err(trailscope::Error::Cancelled)),
        "{result:?}"
    );
    assert_eq!(calls, 1, "the import stops at the first progress report");
    let status = case_status(&case).unwrap();
    assert!(status.bundles.is_empty());
    assert_eq!(status.n_events + status.n_omitted + status.n_malformed, 0);
    drop(case);
    // And the next import goes through.
    let outcome = import_into(&case_path, &f.dir);
    assert!(!outcome.already_imported);
}

#[test]
fn two_bundles_that_fork_show_one_finding_with_its_range_that_explains_the_warnings() {
    // One chain of 2,000 events; a second bundle of the same chain rewrites seq 1,801
    // (a record's state with it) and relinks the rest: every position from 1,801 on
    // differs, and later changes of that record no longer follow from the case's state.
    let f = Fixture::generated_with(GenOptions {
        events: 2000,
        chains: 1,
        seed: 11,
        sign_key: Some(test_key()),
        ..GenOptions::default()
    });
    let lines = f.lines();
    let mut forked = lines.clone();
    forked[1800] = edit(&forked[1800], |e| {
        e["actor"]["name"] = json!("Someone Else");
        if let Some(after) = e["after"].as_object_mut() {
            for value in after.values_mut() {
                *value = json!("forked");
            }
        }
    });
    let a = sealed_bundle(&f.temp.path().join("a"), &lines);
    let b = sealed_bundle(&f.temp.path().join("b"), &relink(&forked));
    let case_path = f.temp.path().join("fork.case");
    import_into(&case_path, &a);
    let outcome = import_into(&case_path, &b);
    let n_equivocations = outcome
        .case_findings
        .iter()
        .filter(|f| f.kind == FindingKind::Equivocation)
        .count();
    assert_eq!(n_equivocations, 200);
    let explained: Vec<&trailscope::Finding> = outcome
        .case_findings
        .iter()
        .filter(|f| f.kind == FindingKind::StateDiscontinuity && f.seq.is_some_and(|s| s >= 1801))
        .collect();
    assert!(!explained.is_empty(), "the fork leaves warnings behind it");

    let (_, json) = cli_json(&["status", "--case", path_str(&case_path), "--json"]);
    let groups = json["finding_groups"].as_array().unwrap();
    let fork: Vec<&Value> = groups
        .iter()
        .filter(|g| g["kind"] == "equivocation")
        .collect();
    assert_eq!(fork.len(), 1, "{groups:#?}");
    assert_eq!(fork[0]["count"], 200);
    assert_eq!(
        (fork[0]["first_seq"].clone(), fork[0]["last_seq"].clone()),
        (json!(1801), json!(2000))
    );
    assert_eq!(
        fork[0]["explains"]["state_discontinuity"]
            .as_u64()
            .unwrap_or(0),
        explained.len() as u64
    );
    // Every single finding stays reachable from its group.
    assert_eq!(fork[0]["findings"].as_array().unwrap().len(), 200);
    assert!(
        groups
            .iter()
            .filter(|g| g["kind"] == "state_discontinuity")
            .all(|g| g["first_seq"].as_u64().is_some_and(|s| s < 1801)),
        "no warning the fork explains is listed apart: {groups:#?}"
    );

    let output = run_trailscope(&["status", "--case", path_str(&case_path)]);
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("[equivocation]"))
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].contains("200 findings like this one, events 1,801 to 2,000"),
        "{}",
        lines[0]
    );
    // One member's hashes are not all 200's: a group speaks in words.
    let longest_hex_run = lines[0]
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(
        !lines[0].contains("Expected") && longest_hex_run < 64,
        "{}",
        lines[0]
    );
}

#[test]
fn an_import_into_an_empty_case_leaves_every_index_the_schema_defines_and_each_agrees_with_the_rows()
 {
    // Stubs and a quarantined line: the rows the two partial indexes hold.
    let f = Fixture::generated_with(GenOptions {
        events: 600,
        chains: 2,
        seed: 5,
        stub_ratio: 0.1,
        ..GenOptions::default()
    });
    let mut lines = f.lines();
    lines.insert(20, "{\"action\": not JSON".to_owned());
    f.write_lines(&lines);
    let case_path = f.temp.path().join("indexes.case");
    let indexes = |connection: &Connection| -> Vec<(String, String)> {
        let mut statement = connection
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event' AND sql IS NOT NULL ORDER BY name")
            .unwrap();
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    drop(Case::open(&case_path).unwrap());
    let schema = indexes(&Connection::open(&case_path).unwrap());
    assert!(schema.len() >= 7, "{schema:?}");

    import_into(&case_path, &f.dir);
    let connection = Connection::open(&case_path).unwrap();
    assert_eq!(indexes(&connection), schema);
    // integrity_check compares every index entry with its row.
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let stubs = count(&connection, "SELECT count(*) FROM event WHERE omitted = 1");
    assert!(stubs > 10, "{stubs}");
    assert_eq!(
        count(
            &connection,
            "SELECT count(*) FROM event INDEXED BY event_stubs WHERE omitted = 1"
        ),
        stubs
    );
    assert_eq!(
        count(
            &connection,
            "SELECT count(*) FROM event INDEXED BY event_malformed WHERE malformed IS NOT NULL"
        ),
        1
    );
}
