//! CloudTrail Lake query results through the `trailscope` binary and the case: a result
//! folder (result files and a `result_sign.json` signed by an RSA key made in the test)
//! verifies with the reviewer's keys, is only intact with the folder's own, breaks where a
//! result file was edited, and its rows import as events, each vouched for by its file's
//! signed hash.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use trailscope::canonical::{sha256, to_hex};
use trailscope::produce::cloudtrail::{
    DEMO_KEY_SEED, fingerprint, gzip, list_public_keys_json, pkcs1_der, sign, trail_keys,
};

use crate::support::run_trailscope;

const QUERY: &str =
    "AWSLogs/123456789012/CloudTrail-Lake/Query/2026/03/01/5e2d7a10-0b1c-4d2e-9f3a-0123456789ab";

/// A saved query result: 3 result files of 40, 40 and 20 rows.
struct LakeResult {
    dir: tempfile::TempDir,
    keys: PathBuf,
}

fn rows(first: usize, n: usize) -> String {
    let mut text = String::from(
        "eventid,eventtime,eventsource,eventname,useridentity,sourceipaddress,errorcode,awsregion\n",
    );
    for i in first..first + n {
        let error = if i % 10 == 9 { "AccessDenied" } else { "" };
        text.push_str(&format!(
            "ev-{i},2026-03-01 {:02}:{:02}:00.000,iam.amazonaws.com,CreateUser,\"{{type=IAMUser, principalid=AIDA{i}, arn=arn:aws:iam::123456789012:user/u{}, accountid=123456789012, username=u{}}}\",192.0.2.{},{error},us-east-1\n",
            i / 60,
            i % 60,
            i % 4,
            i % 4,
            i % 250
        ));
    }
    text
}

impl LakeResult {
    fn new() -> LakeResult {
        let dir = tempfile::tempdir().unwrap();
        let query = dir.path().join("evidence").join(QUERY);
        std::fs::create_dir_all(&query).unwrap();
        let key = &trail_keys(DEMO_KEY_SEED).first;
        let der = pkcs1_der(key);
        let mut files = Vec::new();
        for (i, (first, n)) in [(0, 40), (40, 40), (80, 20)].into_iter().enumerate() {
            let name = format!("result_{}.csv.gz", i + 1);
            let bytes = gzip(rows(first, n).as_bytes());
            std::fs::write(query.join(&name), &bytes).unwrap();
            files.push(json!({"fileHashValue": to_hex(&sha256(&bytes)), "fileName": name}));
        }
        let hashes: Vec<&str> = files
            .iter()
            .map(|f| f["fileHashValue"].as_str().unwrap())
            .collect();
        let signature = sign(key, hashes.join(" ").as_bytes());
        let sign_file = json!({
            "version": "1.0", "region": "us-east-1", "files": files,
            "hashAlgorithm": "SHA-256", "signatureAlgorithm": "SHA256withRSA",
            "queryCompleteTime": "2026-03-02T08:00:00Z",
            "hashSignature": to_hex(&signature), "publicKeyFingerprint": fingerprint(&der),
        });
        std::fs::write(
            query.join("result_sign.json"),
            serde_json::to_vec_pretty(&sign_file).unwrap(),
        )
        .unwrap();
        // The folder carries the region's keys, as collected; the reviewer has their own.
        let keys_json = list_public_keys_json(&[(&der, None)]);
        let folder_keys = dir.path().join("evidence/public-keys");
        std::fs::create_dir_all(&folder_keys).unwrap();
        std::fs::write(folder_keys.join("us-east-1.json"), &keys_json).unwrap();
        let keys = dir.path().join("aws-keys.json");
        std::fs::write(&keys, keys_json).unwrap();
        LakeResult { dir, keys }
    }

    fn query(&self) -> PathBuf {
        self.dir.path().join("evidence").join(QUERY)
    }

    fn verify(&self, path: &Path, trusted: bool) -> (i32, Value) {
        let mut args = vec!["verify", path.to_str().unwrap(), "--json"];
        if trusted {
            args.extend(["--trusted-keys", self.keys.to_str().unwrap()]);
        }
        let output = run_trailscope(&args);
        let json = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
        (output.status.code().unwrap(), json)
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

#[test]
fn a_lake_result_is_verified_by_the_reviewers_keys_and_only_intact_by_its_own() {
    let lake = LakeResult::new();
    let (code, report) = lake.verify(&lake.query(), true);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["verdict"], "verified");
    assert_eq!(report["bundle"]["source"], "cloudtrail");
    let chains = report["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 1, "one chain: the query");
    let counts = &chains[0]["counts"];
    assert_eq!(counts["result_files"], 3);
    assert_eq!(counts["result_files_verified"], 3);
    assert_eq!(counts["records"], 100);
    assert_eq!(chains[0]["dimensions"]["authenticity"]["status"], "proven");
    assert_eq!(kinds(&report), Vec::<String>::new());

    // The sign file itself opens the same query.
    let (code, by_file) = lake.verify(&lake.query().join("result_sign.json"), true);
    assert_eq!((code, &by_file["verdict"]), (0, &json!("verified")));

    let (code, report) = lake.verify(&lake.query(), false);
    assert_eq!(code, 3, "intact: the folder's keys vouch for nothing");
    assert_eq!(report["verdict"], "intact");
    assert_eq!(
        report["chains"][0]["dimensions"]["authenticity"]["status"],
        "unproven"
    );
}

#[test]
fn an_edited_result_file_breaks_the_result_and_is_named() {
    let lake = LakeResult::new();
    let edited = rows(40, 40).replace("192.0.2.45,", "198.51.100.45,");
    std::fs::write(
        lake.query().join("result_2.csv.gz"),
        gzip(edited.as_bytes()),
    )
    .unwrap();
    let (code, report) = lake.verify(&lake.query(), true);
    assert_eq!(code, 1);
    assert_eq!(report["verdict"], "broken");
    assert_eq!(kinds(&report), ["log_file_hash_mismatch"]);
    let finding = &report["findings"][0];
    assert_eq!(finding["file"], "result_2.csv.gz");
    let headline = report["headline"].as_str().unwrap();
    assert!(headline.starts_with("Broken"), "{headline}");
}

#[test]
fn a_lake_results_rows_import_as_events_vouched_by_their_files() {
    let lake = LakeResult::new();
    let case = lake.dir.path().join("lake.case");
    let output = run_trailscope(&[
        "import",
        "--case",
        case.to_str().unwrap(),
        lake.query().to_str().unwrap(),
        "--trusted-keys",
        lake.keys.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let output = run_trailscope(&[
        "events",
        "--case",
        case.to_str().unwrap(),
        "--format",
        "json",
        "--limit",
        "1000",
    ]);
    let events: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 100);
    assert!(events.iter().all(|e| e["verified"] == true));
    let denied = events.iter().filter(|e| e["outcome"] == "denied").count();
    assert_eq!(denied, 10);
    let first = events.iter().find(|e| e["id"] == "ev-0").unwrap();
    assert_eq!(first["action"], "iam.CreateUser");
    assert_eq!(first["ts"], "2026-03-01T00:00:00.000Z");
    assert_eq!(first["actor"]["id"], "arn:aws:iam::123456789012:user/u0");
    assert_eq!(first["provenance"]["file"], "result_1.csv.gz");
    assert_eq!(first["provenance"]["line"], 2);

    // Importing it again adds nothing.
    let again = run_trailscope(&[
        "import",
        "--case",
        case.to_str().unwrap(),
        lake.query().to_str().unwrap(),
        "--trusted-keys",
        lake.keys.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&again.stdout).starts_with("Already in the case"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}
