//! `scripts/collect-cloudtrail.sh` against a fake `aws` on PATH (`tests/fake-aws/aws`)
//! that serves a generated bucket: the folder it assembles holds the window's log and
//! digest files as `aws s3 sync` writes them, one head-object file per digest, the
//! public keys of each region, and a record of what was collected with every file's hash.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn put(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// The trail's keys in the bucket `acme-trail` under the prefix `org`, for two regions
/// and 1-4 March 2026.
fn keys_of(region: &str, day: u32, hour: u32, digest: bool) -> String {
    let account = "123456789012";
    if digest {
        format!(
            "org/AWSLogs/{account}/CloudTrail-Digest/{region}/2026/03/{day:02}/{account}_CloudTrail-Digest_{region}_main_us-east-1_202603{day:02}T{hour:02}0000Z.json.gz"
        )
    } else {
        format!(
            "org/AWSLogs/{account}/CloudTrail/{region}/2026/03/{day:02}/{account}_CloudTrail_{region}_202603{day:02}T{hour:02}05Z_abcdefghijklmnop.json.gz"
        )
    }
}

#[test]
fn the_collect_script_assembles_the_window_with_signatures_and_keys() {
    let temp = tempfile::tempdir().unwrap();
    let s3 = temp.path().join("s3");
    let keys = temp.path().join("keys");
    let log = temp.path().join("aws.log");
    let out = temp.path().join("evidence");
    let regions = ["us-east-1", "eu-west-1"];
    for region in regions {
        for day in 1..=4 {
            for hour in [0, 12] {
                let digest = keys_of(region, day, hour, true);
                put(&s3.join("acme-trail").join(&digest), digest.as_bytes());
                let metadata = json!({"signature": format!("{day:02}{hour:02}ab"), "signature-algorithm": "SHA256withRSA"});
                put(
                    &s3.join("acme-trail")
                        .join(format!("{digest}.metadata.json")),
                    metadata.to_string().as_bytes(),
                );
                let logfile = keys_of(region, day, hour, false);
                put(&s3.join("acme-trail").join(&logfile), logfile.as_bytes());
            }
        }
        let list =
            json!({"PublicKeyList": [{"Value": format!("key-of-{region}"), "Fingerprint": "00"}]});
        put(
            &keys.join(format!("{region}.json")),
            list.to_string().as_bytes(),
        );
    }
    // Not part of any trail, and outside the prefix: never downloaded.
    put(
        &s3.join("acme-trail/org/AWSLogs/123456789012/Config/x.json.gz"),
        b"no",
    );
    put(&s3.join("acme-trail/elsewhere/AWSLogs/x.json.gz"), b"no");

    let path = format!(
        "{}:{}",
        repo().join("tests/fake-aws").display(),
        std::env::var("PATH").unwrap()
    );
    let output = Command::new("bash")
        .arg(repo().join("scripts/collect-cloudtrail.sh"))
        .args([
            "--bucket",
            "acme-trail",
            "--prefix",
            "org/",
            "--start",
            "2026-03-02",
            "--end",
            "2026-03-02",
        ])
        .arg(&out)
        .env("PATH", path)
        .env("FAKE_AWS_S3", &s3)
        .env("FAKE_AWS_KEYS", &keys)
        .env("FAKE_AWS_LOG", &log)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "collect failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    // The window (2 March) and the day after (whose first digests cover its end).
    let mut held: Vec<String> = walk(&out.join("AWSLogs"))
        .into_iter()
        .map(|p| p.strip_prefix(&out).unwrap().display().to_string())
        .collect();
    held.sort();
    let mut expected: Vec<String> = Vec::new();
    for region in regions {
        for day in [2, 3] {
            for hour in [0, 12] {
                for digest in [true, false] {
                    expected.push(
                        keys_of(region, day, hour, digest)
                            .trim_start_matches("org/")
                            .to_owned(),
                    );
                }
            }
        }
    }
    expected.sort();
    assert_eq!(held, expected);

    // One head-object per digest, its signature as S3 holds it.
    for region in regions {
        for day in [2, 3] {
            for hour in [0, 12] {
                let relative = keys_of(region, day, hour, true)
                    .trim_start_matches("org/")
                    .to_owned();
                let head: Value = serde_json::from_slice(
                    &std::fs::read(
                        out.join("digest-signatures")
                            .join(format!("{relative}.json")),
                    )
                    .unwrap(),
                )
                .unwrap();
                assert_eq!(
                    head["Metadata"]["signature"],
                    format!("{day:02}{hour:02}ab")
                );
            }
        }
        let list: Value = serde_json::from_slice(
            &std::fs::read(out.join(format!("public-keys/{region}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(
            list["PublicKeyList"][0]["Value"],
            format!("key-of-{region}")
        );
    }
    let calls: Vec<Vec<String>> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let key_calls: Vec<&Vec<String>> = calls.iter().filter(|c| c[0] == "cloudtrail").collect();
    assert_eq!(key_calls.len(), 2, "one list-public-keys per region");
    for call in key_calls {
        let at = |name: &str| call[call.iter().position(|a| a == name).unwrap() + 1].clone();
        assert_eq!(at("--start-time"), "2026-03-02T00:00:00Z");
        assert_eq!(at("--end-time"), "2026-03-04T02:00:00Z");
    }
    assert_eq!(calls.iter().filter(|c| c[0] == "s3api").count(), 8);

    // What was collected, with the hash of every file, for the custody record.
    let record = std::fs::read_to_string(out.join("COLLECTED.txt")).unwrap();
    assert!(record.contains("source: s3://acme-trail/org/AWSLogs/"));
    assert!(record.contains("window: 2026-03-02 to 2026-03-02"));
    let hashed = record
        .lines()
        .filter(|l| l.len() > 66 && l.as_bytes()[64] == b' ')
        .count();
    assert_eq!(
        hashed,
        16 + 8 + 2,
        "every log, digest, head-object and key file"
    );
}

#[test]
fn the_collect_script_refuses_a_bad_window_before_calling_aws() {
    let temp = tempfile::tempdir().unwrap();
    let output = Command::new("bash")
        .arg(repo().join("scripts/collect-cloudtrail.sh"))
        .args([
            "--bucket",
            "b",
            "--start",
            "2026-03-05",
            "--end",
            "2026-03-01",
        ])
        .arg(temp.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is after --end"));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// A real generated trail served by the fake `aws`: what the script collects verifies
/// with the reviewer's keys, every digest's signature taken from its head-object file.
#[test]
fn a_collected_trail_verifies_with_the_reviewers_keys() {
    use trailscope::produce::cloudtrail::{BUCKET, TrailPlan, build_trail, trusted_keys_json};
    let temp = tempfile::tempdir().unwrap();
    let plan = TrailPlan {
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        ..TrailPlan::default()
    };
    let generated = temp.path().join("generated");
    let built = build_trail(&generated, &plan).unwrap();
    // The bucket as S3 holds it: the objects, each digest's signature as its metadata.
    let s3 = temp.path().join("s3");
    let keys = temp.path().join("keys");
    for file in walk(&generated) {
        let relative = file
            .strip_prefix(&generated)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let bytes = std::fs::read(&file).unwrap();
        if let Some(digest) = relative.strip_prefix("digest-signatures/") {
            let head: Value = serde_json::from_slice(&bytes).unwrap();
            let digest = digest.strip_suffix(".json").unwrap();
            put(
                &s3.join(BUCKET).join(format!("{digest}.metadata.json")),
                head["Metadata"].to_string().as_bytes(),
            );
        } else if let Some(list) = relative.strip_prefix("public-keys/") {
            put(&keys.join(list), &bytes);
        } else {
            put(&s3.join(BUCKET).join(&relative), &bytes);
        }
    }
    let out = temp.path().join("evidence");
    let path = format!(
        "{}:{}",
        repo().join("tests/fake-aws").display(),
        std::env::var("PATH").unwrap()
    );
    let output = Command::new("bash")
        .arg(repo().join("scripts/collect-cloudtrail.sh"))
        .args([
            "--bucket",
            BUCKET,
            "--start",
            "2026-03-01",
            "--end",
            "2026-03-01",
        ])
        .arg(&out)
        .env("PATH", path)
        .env("FAKE_AWS_S3", &s3)
        .env("FAKE_AWS_KEYS", &keys)
        .env("FAKE_AWS_LOG", temp.path().join("aws.log"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "collect failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let trusted = temp.path().join("aws-keys.json");
    std::fs::write(&trusted, trusted_keys_json(&plan)).unwrap();
    let output = crate::support::run_trailscope(&[
        "verify",
        out.to_str().unwrap(),
        "--json",
        "--trusted-keys",
        trusted.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{report:#}");
    assert_eq!(report["verdict"], "verified");
    let chains = report["chains"].as_array().unwrap();
    assert_eq!(chains.len(), 2);
    let records: u64 = chains
        .iter()
        .map(|c| c["counts"]["records"].as_u64().unwrap())
        .sum();
    assert_eq!(records, built.records);
    assert!(
        chains
            .iter()
            .all(|c| c["counts"]["digests_verified"] == c["counts"]["digests"])
    );
}
