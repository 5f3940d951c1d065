//! AWS CloudTrail evidence folders through the `trailscope` binary and the case: a
//! generated trail (RSA keys made in the test, key rotation, two regions) verifies with
//! the reviewer's keys, is only intact with the folder's own, breaks where it was
//! tampered with, and is unverifiable without digests; its records import, each vouched
//! for by its log file's digest, and can be listed by the file a finding names.

use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::produce::cloudtrail::{
    BuiltTrail, TrailPlan, build_trail, gzip, trusted_keys_json,
};

use crate::support::run_trailscope;

struct Trail {
    dir: tempfile::TempDir,
    built: BuiltTrail,
    keys: PathBuf,
}

impl Trail {
    fn new(plan: &TrailPlan) -> Trail {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("evidence");
        let built = build_trail(&root, plan).unwrap();
        let keys = dir.path().join("aws-keys.json");
        std::fs::write(&keys, trusted_keys_json(plan)).unwrap();
        Trail { dir, built, keys }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("evidence")
    }

    fn verify(&self, trusted: bool) -> (i32, Value) {
        let root = self.root();
        let mut args = vec!["verify", root.to_str().unwrap(), "--json"];
        if trusted {
            args.extend(["--trusted-keys", self.keys.to_str().unwrap()]);
        }
        let output = run_trailscope(&args);
        let json = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
        (output.status.code().unwrap(), json)
    }
}

/// `trailscope events --format json` of a case (with more arguments), one event a line.
fn events_json(case: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec![
        "events",
        "--case",
        case.to_str().unwrap(),
        "--format",
        "json",
        "--limit",
        "1000",
    ];
    all.extend(args);
    let output = run_trailscope(&all);
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn plan() -> TrailPlan {
    TrailPlan {
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        hours: 6,
        logs_per_hour: 2,
        records_per_log: 10,
        ..TrailPlan::default()
    }
}

fn kinds(report: &Value) -> Vec<String> {
    let mut kinds: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_owned())
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// Rewrites a gzip file of the folder: its inflated JSON changed by `change`.
fn rewrite(path: &Path, change: impl FnOnce(&mut Value)) {
    use std::io::Read;
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    let mut value: Value = serde_json::from_slice(&text).unwrap();
    change(&mut value);
    std::fs::write(path, gzip(&serde_json::to_vec(&value).unwrap())).unwrap();
}

#[test]
fn a_trail_is_verified_by_the_reviewers_keys_and_only_intact_by_its_own() {
    let trail = Trail::new(&plan());
    let (code, report) = trail.verify(true);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["verdict"], "verified");
    assert_eq!(report["bundle"]["source"], "cloudtrail");
    let chains = report["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 2);
    for chain in chains {
        let counts = &chain["counts"];
        assert_eq!(counts["digests"], 6);
        assert_eq!(counts["digests_verified"], 6);
        assert_eq!(counts["log_files"], 12);
        assert_eq!(counts["log_files_verified"], 12);
        assert_eq!(counts["records"], 120);
        assert_eq!(counts["hours_covered"], 6);
        assert_eq!(counts["hours_missing"], 0);
        assert_eq!(chain["dimensions"]["authenticity"]["status"], "proven");
    }
    assert_eq!(trail.built.records, 240);

    let (code, report) = trail.verify(false);
    assert_eq!(code, 3, "intact: the folder's keys vouch for nothing");
    assert!(
        report["headline"]
            .as_str()
            .unwrap()
            .contains("came with the folder"),
        "{}",
        report["headline"]
    );
}

#[test]
fn an_edited_record_and_two_deleted_digests_are_each_located() {
    let trail = Trail::new(&plan());
    let region = &trail.built.regions[0];
    let edited = trail.root().join(&region.logs[3]);
    rewrite(&edited, |v| {
        v["Records"][2]["sourceIPAddress"] = "198.51.100.66".into()
    });
    for h in [2, 3] {
        std::fs::remove_file(trail.root().join(&region.digests[h].path)).unwrap();
    }
    let (code, report) = trail.verify(true);
    assert_eq!(code, 1);
    assert_eq!(report["verdict"], "broken");
    let found = kinds(&report);
    for kind in ["digest_gap", "digest_missing", "log_file_hash_mismatch"] {
        assert!(found.iter().any(|k| k == kind), "{kind} in {found:?}");
    }
    let findings = report["findings"].as_array().unwrap();
    let mismatch = findings
        .iter()
        .find(|f| f["kind"] == "log_file_hash_mismatch")
        .unwrap();
    assert_eq!(mismatch["file"], region.logs[3].as_str());
    // Both missing hours are named, not only the first (aws-cli#7054).
    let gap = findings.iter().find(|f| f["kind"] == "digest_gap").unwrap();
    let text = gap["message"].as_str().unwrap();
    assert!(
        text.contains("02:01:31") && text.contains("04:01:31"),
        "the gap names its hours: {text}"
    );
    let chain = report["chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "123456789012/us-east-1/main-trail")
        .unwrap();
    assert_eq!(chain["counts"]["hours_missing"], 2);
    assert_eq!(chain["dimensions"]["completeness"]["status"], "failed");
}

#[test]
fn a_copy_of_the_log_files_alone_is_unverifiable_and_says_how_to_get_the_digests() {
    let trail = Trail::new(&plan());
    std::fs::remove_dir_all(trail.root().join("AWSLogs/123456789012/CloudTrail-Digest")).unwrap();
    let (code, report) = trail.verify(true);
    assert_eq!(code, 4);
    assert_eq!(report["verdict"], "unverifiable");
    let headline = report["headline"].as_str().unwrap();
    assert!(
        headline.contains("no digest files") && headline.contains("collect-cloudtrail"),
        "{headline}"
    );
}

#[test]
fn a_clean_trail_imports_verified_record_by_record() {
    let trail = Trail::new(&plan());
    let case = trail.dir.path().join("clean.case");
    let output = run_trailscope(&[
        "import",
        "--case",
        case.to_str().unwrap(),
        trail.root().to_str().unwrap(),
        "--trusted-keys",
        trail.keys.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let events = events_json(&case, &[]);
    assert_eq!(events.len(), 240);
    assert!(events.iter().all(|e| e["verified"] == true));
}

#[test]
fn a_trail_imports_with_every_record_vouched_and_a_files_records_are_listed_by_its_name() {
    let trail = Trail::new(&plan());
    let region = &trail.built.regions[0];
    let edited = region.logs[5].clone();
    rewrite(&trail.root().join(&edited), |v| {
        v["Records"][0]["sourceIPAddress"] = "198.51.100.66".into()
    });
    let case = trail.dir.path().join("trail.case");
    let output = run_trailscope(&[
        "import",
        "--case",
        case.to_str().unwrap(),
        trail.root().to_str().unwrap(),
        "--trusted-keys",
        trail.keys.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let list = |args: &[&str]| events_json(&case, args);
    let all = list(&[]);
    assert_eq!(all.len(), 240);
    let in_file = list(&["--file", &edited]);
    assert_eq!(in_file.len(), 10);
    assert!(
        in_file
            .iter()
            .all(|e| e["provenance"]["file"] == edited.as_str())
    );
    // The trail is broken, so no record is verified; but each record keeps whether its
    // own log file's digest vouches for it: the edited file's do not, the others do.
    assert!(all.iter().all(|e| e["verified"] == false));
    let opened = trailscope::case::Case::open_read_only(&case).unwrap();
    let vouched = |file: Option<String>| -> Vec<bool> {
        let filter = trailscope::query::EventFilter {
            file,
            ..Default::default()
        };
        trailscope::query::list_events(
            &opened,
            &filter,
            trailscope::query::Order::OldestFirst,
            1000,
            None,
        )
        .unwrap()
        .rows
        .iter()
        .map(|row| row.checks_ok)
        .collect()
    };
    assert_eq!(vouched(Some(edited.clone())), vec![false; 10]);
    assert_eq!(vouched(None).iter().filter(|ok| **ok).count(), 230);
    // Each event keeps its record as it arrived, and the call as requested/result.
    let event = &all[0];
    assert_eq!(event["provenance"]["source"], "cloudtrail");
    assert!(event["record"].as_str().unwrap().contains("\"eventID\""));
    assert!(event.get("before").is_none());
}

/// Whether each record of the case is proven (`checks_ok`), in order.
fn proven(case: &trailscope::case::Case) -> Vec<bool> {
    trailscope::query::list_events(
        case,
        &trailscope::query::EventFilter::default(),
        trailscope::query::Order::OldestFirst,
        1000,
        None,
    )
    .unwrap()
    .rows
    .iter()
    .map(|row| row.checks_ok)
    .collect()
}

#[test]
fn trusting_the_aws_keys_later_verifies_an_imported_trail_and_distrusting_them_undoes_it() {
    use trailscope::case::{Case, Retrust, retrust, stored_findings};
    use trailscope::{TrustedKeys, VerifyOptions};
    // A folder without its public keys: no digest can be checked at import.
    let trail = Trail::new(&plan());
    std::fs::remove_dir_all(trail.root().join("public-keys")).unwrap();
    let case_path = trail.dir.path().join("later.case");
    let output = run_trailscope(&[
        "import",
        "--case",
        case_path.to_str().unwrap(),
        trail.root().to_str().unwrap(),
    ]);
    assert_ne!(output.status.code(), Some(0));
    let mut case = Case::open(&case_path).unwrap();
    let kinds_stored = |case: &Case| -> Vec<String> {
        let mut kinds: Vec<String> = stored_findings(case)
            .unwrap()
            .iter()
            .map(|f| f.kind.as_str().to_owned())
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    };
    assert!(kinds_stored(&case).contains(&"public_key_missing".to_owned()));
    assert_eq!(proven(&case), vec![false; 240]);

    let trusting = VerifyOptions {
        trusted_keys: TrustedKeys::load(&trail.keys).unwrap(),
        ..VerifyOptions::default()
    };
    let outcomes = retrust(&mut case, &trusting).unwrap();
    let [
        Retrust::Rechecked {
            before, verdict, ..
        },
    ] = outcomes.as_slice()
    else {
        panic!("{outcomes:?}")
    };
    assert_ne!(before, "verified");
    assert_eq!(verdict, "verified");
    assert!(
        !kinds_stored(&case).contains(&"public_key_missing".to_owned()),
        "{:?}",
        kinds_stored(&case)
    );
    assert_eq!(proven(&case), vec![true; 240]);
    let status = trailscope::case::case_status(&case).unwrap();
    assert_eq!(status.bundles[0].verdict.as_str(), "verified");
    // The same as importing with the keys trusted from the start.
    let fresh = trail.dir.path().join("fresh.case");
    let output = run_trailscope(&[
        "import",
        "--case",
        fresh.to_str().unwrap(),
        trail.root().to_str().unwrap(),
        "--trusted-keys",
        trail.keys.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let fresh = Case::open_read_only(&fresh).unwrap();
    assert_eq!(kinds_stored(&case), kinds_stored(&fresh));

    // Taking the keys back leaves the trail as it was imported.
    let outcomes = retrust(&mut case, &VerifyOptions::default()).unwrap();
    let [Retrust::Rechecked { verdict, .. }] = outcomes.as_slice() else {
        panic!("{outcomes:?}")
    };
    assert_ne!(verdict, "verified");
    assert!(kinds_stored(&case).contains(&"public_key_missing".to_owned()));
    assert_eq!(proven(&case), vec![false; 240]);
}

/// `aws cloudtrail lookup-events` output of the trail's records: each item with the
/// record as a JSON string, as the CLI prints it.
fn lookup_items(trail: &Trail) -> Vec<Value> {
    use std::io::Read;
    let mut items = Vec::new();
    for log in &trail.built.regions[0].logs {
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(trail.root().join(log)).unwrap())
            .read_to_end(&mut text)
            .unwrap();
        let file: Value = serde_json::from_slice(&text).unwrap();
        for record in file["Records"].as_array().unwrap() {
            items.push(serde_json::json!({
                "EventId": record["eventID"],
                "EventName": record["eventName"],
                "ReadOnly": "false",
                "EventTime": record["eventTime"],
                "EventSource": record["eventSource"],
                "Username": record["userIdentity"]["userName"],
                "Resources": [],
                "CloudTrailEvent": record.to_string(),
            }));
        }
    }
    items
}

#[test]
fn lookup_events_output_is_unverifiable_and_reviewable_in_both_shapes() {
    let trail = Trail::new(&plan());
    let items = lookup_items(&trail);
    assert_eq!(items.len(), 120);
    let document = trail.dir.path().join("lookup.json");
    std::fs::write(
        &document,
        serde_json::to_vec_pretty(&serde_json::json!({"Events": items, "NextToken": null}))
            .unwrap(),
    )
    .unwrap();
    let lines = trail.dir.path().join("lookup.jsonl");
    let mut text: String = items.iter().map(|i| format!("{i}\n")).collect();
    text.push_str("{\"EventId\": \"broken\", \"EventSource\": 7}\n");
    std::fs::write(&lines, text).unwrap();

    for (path, records) in [(&document, 120), (&lines, 121)] {
        let output = run_trailscope(&["verify", path.to_str().unwrap(), "--json"]);
        assert_eq!(
            output.status.code(),
            Some(4),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(report["verdict"], "unverifiable");
        assert_eq!(report["bundle"]["source"], "cloudtrail");
        assert_eq!(report["bundle"]["lines"], records);
        let headline = report["headline"].as_str().unwrap();
        assert!(
            headline.contains("lookup-events") && headline.contains("collect-cloudtrail"),
            "{headline}"
        );
    }
    // The item that cannot be read is kept and located.
    let output = run_trailscope(&["verify", lines.to_str().unwrap(), "--json"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let malformed: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "malformed_record")
        .collect();
    assert_eq!(malformed.len(), 1);
    assert_eq!(malformed[0]["line"], 121);

    let case = trail.dir.path().join("lookup.case");
    let output = run_trailscope(&[
        "import",
        "--case",
        case.to_str().unwrap(),
        document.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(4));
    let events = events_json(&case, &[]);
    assert_eq!(events.len(), 120);
    // The same records as the trail's own, normalized alike.
    let ids: std::collections::BTreeSet<&str> =
        events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let expected: std::collections::BTreeSet<&str> = items
        .iter()
        .map(|i| i["EventId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, expected);
    assert!(
        events
            .iter()
            .all(|e| e["action"].as_str().unwrap().contains('.'))
    );
}
