//! Golden vectors from `spec/vectors`: canonical JSON byte for byte, every hash
//! of the sample bundle, and the sample's verdict in both containers.

use serde_json::Value;
use trailscope::canonical;
use trailscope::verify::{SignatureStatus, Verdict};

use crate::support::*;

#[test]
fn every_jcs_vector_canonicalizes_byte_for_byte() {
    let text = std::fs::read_to_string(vectors_dir().join("jcs.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(cases.len() >= 5);
    for case in cases {
        let input = case["input"].as_str().unwrap();
        let expected = case["canonical"].as_str().unwrap();
        assert_eq!(
            canonical::canonicalize(input.as_bytes()).unwrap(),
            expected,
            "input {input}"
        );
    }
}

#[test]
fn every_sample_line_hashes_as_the_expected_file_says() {
    let expected: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(vectors_dir().join("sample.expected.json")).unwrap(),
    )
    .unwrap();
    let events = std::fs::read_to_string(vectors_dir().join("sample/events.jsonl")).unwrap();
    let lines: Vec<&str> = events.lines().collect();
    assert_eq!(expected.len(), lines.len());
    let mut scratch = Vec::new();
    for want in &expected {
        let (chain, seq) = (
            want["chain"].as_str().unwrap(),
            want["seq"].as_u64().unwrap(),
        );
        let line = lines
            .iter()
            .find(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                v["chain"] == chain && v["seq"] == seq
            })
            .unwrap();
        let parsed = canonical::parse(line.as_bytes()).unwrap();
        let Some(canonical_text) = want["canonical"].as_str() else {
            // A stub: its hash belongs to the left-out event and cannot be recomputed (§4).
            assert_eq!(
                parsed.get("omitted"),
                Some(&canonical::Json::Bool(true)),
                "{chain} {seq}"
            );
            assert_eq!(
                parsed.get("hash").and_then(canonical::Json::as_str),
                want["hash"].as_str()
            );
            continue;
        };
        let mut text = Vec::new();
        parsed.write_canonical_skipping(&mut text, Some("hash"));
        assert_eq!(
            String::from_utf8(text).unwrap(),
            canonical_text,
            "{chain} {seq}"
        );
        let hash = canonical::to_hex(&canonical::event_hash(&parsed, &mut scratch));
        assert_eq!(hash, want["hash"].as_str().unwrap(), "{chain} {seq}");
    }
}

#[test]
fn the_sample_directory_and_zip_verify_with_no_findings() {
    for bundle in ["sample", "sample-zip.audit.zip"] {
        let report = verify_with(&vectors_dir().join(bundle), &[]);
        assert_eq!(report.findings, vec![], "{bundle}");
        assert_eq!(report.verdict(), Verdict::Verified, "{bundle}");
        assert_eq!(report.signature.status, SignatureStatus::Trusted);
        assert_eq!(report.signature.key_id.as_deref(), Some("acme-audit-2026"));
        let chains: Vec<_> = report
            .chains
            .iter()
            .map(|c| (c.id.as_str(), c.events, c.omitted, c.last_seq))
            .collect();
        assert_eq!(
            chains,
            vec![("acme-region-1", 5, 1, 6), ("acme-prod", 6, 0, 6)],
            "{bundle}"
        );
    }
}

#[test]
fn the_sample_checkpoint_matches() {
    let keys = trusted_keys();
    let checkpoints = trailscope::verify::load_checkpoints(
        &vectors_dir().join("sample.checkpoints.jsonl"),
        &keys,
    )
    .unwrap();
    assert_eq!(checkpoints.len(), 1);
    let report = verify_with(&vectors_dir().join("sample"), &checkpoints);
    assert_eq!(report.findings, vec![]);
    assert_eq!(report.verdict(), Verdict::Verified);
}

#[test]
fn the_sample_without_trusted_keys_is_intact_and_says_the_key_is_untrusted() {
    let options = trailscope::VerifyOptions::default();
    let report = trailscope::verify_bundle(&vectors_dir().join("sample"), &options).unwrap();
    assert_eq!(report.verdict(), Verdict::Intact);
    assert_eq!(kinds(&report), vec!["signature_untrusted"]);
    assert!(
        report
            .headline()
            .starts_with("Intact but unvouched: 11 events in 2 chains"),
        "{}",
        report.headline()
    );
}

#[test]
fn the_signature_is_over_the_canonical_manifest_without_its_signature() {
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(vectors_dir().join("sample/manifest.json")).unwrap())
            .unwrap();
    let original = manifest["signature"]["value"].clone();
    trailscope::produce::sign_manifest(&mut manifest, &test_key());
    assert_eq!(manifest["signature"]["value"], original);
}
