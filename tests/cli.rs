//! The real `trailscope` binary: exit codes (0 verified, 3 intact, 1 broken, 2 unreadable),
//! the `--json` contract, the plain report, and the producer commands.

use std::process::{Command, Output};

use serde_json::Value;

use crate::support::*;

fn trailscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(args)
        .output()
        .expect("run trailscope")
}

fn path_str(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn verify_json_on_the_sample_follows_the_contract() {
    let keys = vectors_dir().join("trusted-keys.txt");
    let sample = vectors_dir().join("sample-zip.audit.zip");
    let output = trailscope(&[
        "verify",
        path_str(&sample),
        "--trusted-keys",
        path_str(&keys),
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["verdict"], "verified");
    assert_eq!(report["signature"]["status"], "trusted");
    assert_eq!(report["signature"]["key_id"], "acme-audit-2026");
    assert_eq!(report["findings"], serde_json::json!([]));
    let chain = &report["chains"][1];
    assert_eq!(chain["id"], "acme-prod");
    assert_eq!(chain["verdict"], "verified");
    assert_eq!(chain["events"], 6);
    assert_eq!(chain["omitted"], 0);
    assert_eq!(
        (chain["first_seq"].as_u64(), chain["last_seq"].as_u64()),
        (Some(1), Some(6))
    );
    assert_eq!(
        chain["head_hash"],
        "e26305efa9e57b21cfe5d77fa26b3400e9e1275dc441946d0a10c0f1302dcefd"
    );
    for dimension in [
        "integrity",
        "linkage",
        "completeness",
        "authenticity",
        "coverage",
    ] {
        assert_eq!(
            chain["dimensions"][dimension]["status"], "proven",
            "{dimension}"
        );
    }
    assert_eq!(report["chains"][0]["omitted"], 1);
}

#[test]
fn verify_text_says_the_verdict_first_in_words() {
    let keys = vectors_dir().join("trusted-keys.txt");
    let output = trailscope(&[
        "verify",
        path_str(&vectors_dir().join("sample")),
        "--trusted-keys",
        path_str(&keys),
    ]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("Verified: 11 events in 2 chains (1 omitted by the export), signed by acme-audit-2026 (trusted key)"),
        "{text}"
    );
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_broken_bundle_exits_1_and_lists_findings_with_chain_seq_and_line() {
    // Version 1: the edit is a hash_mismatch (version 2: a body_hash_mismatch).
    let f = Fixture::generated_v1(30, 1);
    let mut lines = f.lines();
    lines[6] = edit(&lines[6], |e| e["reason"] = serde_json::json!("tampered"));
    f.write_lines(&lines);
    let keys = vectors_dir().join("trusted-keys.txt");
    let output = trailscope(&[
        "verify",
        path_str(&f.dir),
        "--trusted-keys",
        path_str(&keys),
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["verdict"], "broken");
    let finding = &report["findings"][0];
    assert_eq!(finding["kind"], "hash_mismatch");
    assert_eq!(finding["chain"], "acme-prod");
    assert_eq!(finding["seq"], 7);
    assert_eq!(finding["line"], 7);
    assert_eq!(finding["expected"].as_str().unwrap().len(), 64);
    assert_eq!(report["findings"][1]["kind"], "file_digest_mismatch");

    let text = String::from_utf8(trailscope(&["verify", path_str(&f.dir)]).stdout).unwrap();
    assert!(text.starts_with("Broken: 2 problems"), "{text}");
    assert!(text.contains("chain acme-prod, event 7, line 7"), "{text}");
}

#[test]
fn an_unvouched_bundle_exits_3() {
    let f = Fixture::generated(10, 1);
    let output = trailscope(&["verify", path_str(&f.events_path())]);
    assert_eq!(output.status.code(), Some(3));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("Intact but unvouched"), "{text}");
    assert!(
        text.contains("no manifest: completeness unproven"),
        "{text}"
    );
}

#[test]
fn an_unreadable_bundle_exits_2_with_a_one_line_reason() {
    let output = trailscope(&["verify", "/nonexistent/bundle.zip"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("/nonexistent/bundle.zip"), "{stderr}");

    let usage = trailscope(&["verify"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn a_corrupt_zip_is_refused_with_a_reason() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("bad.audit.zip");
    let mut bytes = std::fs::read(vectors_dir().join("sample-zip.audit.zip")).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&path, bytes).unwrap();
    let output = trailscope(&["verify", path_str(&path)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("ZIP"));
}

#[test]
fn keygen_gen_and_seal_make_a_bundle_that_verifies_with_the_new_key() {
    let temp = tempfile::tempdir().unwrap();
    let key = temp.path().join("signing.key");
    let output = trailscope(&["keygen", path_str(&key), "--key-id", "test-2026"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let trusted_line = String::from_utf8(output.stdout).unwrap();
    assert!(trusted_line.starts_with("test-2026 "));
    let pub_file = temp.path().join("signing.key.pub");
    assert_eq!(
        std::fs::read_to_string(&pub_file).unwrap().trim(),
        trusted_line.trim()
    );

    let bundle = temp.path().join("bundle");
    let output = trailscope(&[
        "gen",
        path_str(&bundle),
        "--events",
        "120",
        "--chains",
        "2",
        "--sign-key",
        path_str(&key),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verified = trailscope(&[
        "verify",
        path_str(&bundle),
        "--trusted-keys",
        path_str(&pub_file),
    ]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );

    // Re-seal after removing the manifest: the same events verify again.
    std::fs::remove_file(bundle.join("manifest.json")).unwrap();
    let output = trailscope(&["seal", path_str(&bundle), "--key", path_str(&key)]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verified = trailscope(&[
        "verify",
        path_str(&bundle),
        "--trusted-keys",
        path_str(&pub_file),
    ]);
    assert_eq!(verified.status.code(), Some(0));
}

#[test]
fn gen_export_writes_every_format_with_its_quirks_and_each_imports_as_its_source() {
    let temp = tempfile::tempdir().unwrap();
    // (format, a shape other than the default, the source's id and its title).
    let formats = [
        (
            "purview",
            "json",
            "microsoft-365",
            "Microsoft 365 audit log",
        ),
        ("entra", "csv", "entra-id", "Entra ID audit log"),
        ("okta", "lines", "okta", "Okta System Log"),
        ("kubernetes", "log", "kubernetes", "Kubernetes audit log"),
        ("github", "csv", "github", "GitHub audit log"),
        ("gitlab", "csv", "gitlab", "GitLab audit events"),
        (
            "google",
            "lines",
            "google-workspace",
            "Google Workspace activity",
        ),
        (
            "salesforce",
            "data-loader",
            "salesforce",
            "Salesforce audit export",
        ),
    ];
    for (format, shape, source, title) in formats {
        for shape in [None, Some(shape)] {
            let out = temp
                .path()
                .join(format!("{format}-{}", shape.unwrap_or("default")));
            let mut args = vec!["gen-export", format, path_str(&out), "--records", "300"];
            args.extend(shape.map(|s| ["--shape", s]).into_iter().flatten());
            args.push("--quirks");
            let generated = trailscope(&args);
            let said = String::from_utf8_lossy(&generated.stderr);
            assert_eq!(
                generated.status.code(),
                Some(0),
                "{format} {shape:?}: {said}"
            );
            assert!(said.contains("exact repeats"), "{format}: {said}");

            // An export carries no integrity: unverifiable (4), its quirks found.
            let verified = trailscope(&["verify", path_str(&out), "--json"]);
            let report: Value = serde_json::from_slice(&verified.stdout).unwrap_or_else(|e| {
                panic!(
                    "{format}: {e}: {}",
                    String::from_utf8_lossy(&verified.stderr)
                )
            });
            assert_eq!(verified.status.code(), Some(4), "{format}: {report:#}");
            assert_eq!(report["bundle"]["source"], source, "{format}");
            let kinds: Vec<&str> = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|f| f["kind"].as_str())
                .collect();
            assert!(kinds.contains(&"malformed_record"), "{format}: {kinds:?}");

            let case = temp
                .path()
                .join(format!("{format}-{}.case", shape.unwrap_or("default")));
            let imported = trailscope(&["import", "--case", path_str(&case), path_str(&out)]);
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&imported.stdout),
                String::from_utf8_lossy(&imported.stderr)
            );
            assert_eq!(imported.status.code(), Some(4), "{format}: {text}");
            assert!(text.contains(title), "{format} names its source: {text}");
        }
    }

    // A shape the format does not have is refused with those it has; nothing written.
    let out = temp.path().join("refused.json");
    let refused = trailscope(&["gen-export", "okta", path_str(&out), "--shape", "csv"]);
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("use array or lines"), "{said}");
    assert!(!out.exists());
    // So is a format there is none of, naming the formats there are.
    let refused = trailscope(&["gen-export", "splunk", path_str(&out)]);
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("purview") && said.contains("salesforce"),
        "{said}"
    );

    // `gen-purview` (scripts call it) still writes the classic search export.
    let classic = temp.path().join("classic.csv");
    let generated = trailscope(&["gen-purview", path_str(&classic), "--records", "50"]);
    assert_eq!(generated.status.code(), Some(0));
    let text = std::fs::read_to_string(&classic).unwrap();
    assert!(text.starts_with("CreationDate,UserIds,Operations,AuditData"));
    assert_eq!(text.lines().count(), 51);
}
