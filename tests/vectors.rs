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

// Format version 2 (`spec/audit-bundle-v2.md`, vectors in `spec/vectors/v2`, written by
// `make_vectors.py`, a second implementation in Python): every body, body hash, hash,
// Merkle root and inclusion proof byte for byte, and the sample's verdict.

fn v2_dir() -> std::path::PathBuf {
    vectors_dir().join("v2")
}

fn v2_expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(v2_dir().join("expected.json")).unwrap()).unwrap()
}

fn hex_digest(value: &Value) -> canonical::Digest32 {
    canonical::parse_hash_hex(value.as_str().unwrap()).unwrap()
}

#[test]
fn every_v2_sample_line_has_the_expected_body_body_hash_and_hash() {
    let expected = v2_expected();
    let want_lines = expected["lines"].as_array().unwrap();
    let events = std::fs::read_to_string(v2_dir().join("sample/events.jsonl")).unwrap();
    let lines: Vec<&str> = events.lines().collect();
    assert_eq!(want_lines.len(), lines.len());
    assert_eq!(lines.len(), 12);
    let mut scratch = Vec::new();
    let mut stubs = 0;
    for (i, (line, want)) in lines.iter().zip(want_lines).enumerate() {
        assert_eq!(want["line"], i + 1);
        let parsed = canonical::parse(line.as_bytes()).unwrap();
        let field = |name: &str| parsed.get(name).and_then(canonical::Json::as_str).unwrap();
        assert_eq!(want["chain"].as_str(), Some(field("chain")));
        assert_eq!(field("prev_hash"), want["prev_hash"].as_str().unwrap());
        assert_eq!(field("body_hash"), want["body_hash"].as_str().unwrap());
        assert_eq!(field("hash"), want["hash"].as_str().unwrap());
        let body_hash = match want["canonical"].as_str() {
            Some(text) => {
                let mut body = Vec::new();
                parsed.write_canonical_without(&mut body, &canonical::NOT_IN_BODY);
                assert_eq!(String::from_utf8(body).unwrap(), text, "line {}", i + 1);
                canonical::body_hash(&parsed, &mut scratch)
            }
            None => {
                // A stub: its body hash is that of the left-out event, given beside it.
                stubs += 1;
                assert_eq!(parsed.get("omitted"), Some(&canonical::Json::Bool(true)));
                let left_out = want["left_out_canonical"].as_str().unwrap();
                assert_eq!(
                    canonical::canonicalize(left_out.as_bytes()).unwrap(),
                    left_out
                );
                canonical::sha256(left_out.as_bytes())
            }
        };
        assert_eq!(body_hash, hex_digest(&want["body_hash"]), "line {}", i + 1);
        let hash = canonical::linked_hash(&hex_digest(&want["prev_hash"]), &body_hash);
        assert_eq!(hash, hex_digest(&want["hash"]), "line {}", i + 1);
        // And the verifier's own per-line check agrees.
        let check = trailscope::verify::check_line_as(
            line.as_bytes(),
            &mut scratch,
            Some(trailscope::bundle::FormatVersion::V2),
        );
        let trailscope::verify::LineCheck::Event(link) = check else {
            panic!("line {} is not an event: {check:?}", i + 1);
        };
        assert_eq!(link.recomputed, Some(hash));
    }
    assert_eq!(stubs, 1);
}

#[test]
fn the_v2_merkle_roots_and_inclusion_proofs_are_the_expected_ones() {
    use trailscope::merkle;
    let expected = v2_expected();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(v2_dir().join("sample/manifest.json")).unwrap())
            .unwrap();
    let mut leaves_of = std::collections::HashMap::new();
    for chain in expected["chains"].as_array().unwrap() {
        let id = chain["id"].as_str().unwrap();
        let hashes: Vec<canonical::Digest32> = expected["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|line| line["chain"] == id)
            .map(|line| hex_digest(&line["hash"]))
            .collect();
        assert_eq!(chain["last_seq"], hashes.len());
        let leaves: Vec<canonical::Digest32> =
            hashes.iter().map(|h| merkle::leaf_hash(h)).collect();
        let leaves_hex: Vec<String> = leaves.iter().map(|l| canonical::to_hex(l)).collect();
        assert_eq!(chain["leaf_hashes"], serde_json::json!(leaves_hex), "{id}");
        let mut tree = merkle::TreeBuilder::new();
        for hash in &hashes {
            tree.push(hash);
        }
        let root = canonical::to_hex(&tree.root());
        assert_eq!(chain["merkle_root"], root, "{id}");
        let pinned = manifest["chains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap();
        assert_eq!(pinned["merkle_root"], root, "{id}");
        leaves_of.insert(id.to_owned(), leaves);
    }
    let proofs = expected["inclusion_proofs"].as_array().unwrap();
    assert_eq!(proofs.len(), 6);
    for want in proofs {
        let (chain, seq) = (
            want["chain"].as_str().unwrap(),
            want["seq"].as_u64().unwrap(),
        );
        let leaves = &leaves_of[chain];
        assert_eq!(want["leaf_index"], seq - 1);
        assert_eq!(want["tree_size"], leaves.len());
        let proof = merkle::inclusion_proof(leaves, seq - 1).unwrap();
        let proof_hex: Vec<String> = proof.iter().map(|p| canonical::to_hex(p)).collect();
        assert_eq!(want["proof"], serde_json::json!(proof_hex), "{chain} {seq}");
        let leaf = merkle::leaf_hash(&hex_digest(&want["hash"]));
        assert_eq!(
            canonical::to_hex(&leaf),
            want["leaf_hash"].as_str().unwrap()
        );
        assert!(merkle::verify_inclusion(
            &leaf,
            seq - 1,
            leaves.len() as u64,
            &proof,
            &hex_digest(&want["merkle_root"])
        ));
    }
}

#[test]
fn the_v2_sample_directory_and_zip_verify_with_no_findings_and_hold_the_same_bytes() {
    for bundle in ["sample", "sample-zip.audit.zip"] {
        let report = verify_with(&v2_dir().join(bundle), &[]);
        assert_eq!(report.findings, vec![], "{bundle}");
        assert_eq!(report.verdict(), Verdict::Verified, "{bundle}");
        assert_eq!(report.signature.status, SignatureStatus::Trusted);
        assert_eq!(
            report.bundle.provenance.format_version,
            Some(trailscope::bundle::FormatVersion::V2)
        );
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
        for chain in &report.chains {
            assert!(
                chain
                    .completeness
                    .detail
                    .contains("Merkle root as the manifest pins"),
                "{}",
                chain.completeness.detail
            );
        }
    }
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(v2_dir().join("sample-zip.audit.zip")).unwrap())
            .unwrap();
    for name in ["manifest.json", "events.jsonl"] {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(name).unwrap(), &mut bytes).unwrap();
        assert_eq!(
            bytes,
            std::fs::read(v2_dir().join("sample").join(name)).unwrap(),
            "{name}"
        );
    }
    // The version 1 sample is still read as version 1.
    let v1 = verify_with(&vectors_dir().join("sample"), &[]);
    assert_eq!(
        v1.bundle.provenance.format_version,
        Some(trailscope::bundle::FormatVersion::V1)
    );
}

#[test]
fn the_v2_signature_covers_the_canonical_manifest_and_sealing_the_events_reproduces_it() {
    let text = std::fs::read(v2_dir().join("sample/manifest.json")).unwrap();
    let parsed = trailscope::bundle::Manifest::parse(&text).unwrap();
    assert_eq!(
        String::from_utf8(parsed.signed_bytes).unwrap(),
        v2_expected()["manifest_signed_canonical"].as_str().unwrap()
    );
    let mut manifest: Value = serde_json::from_slice(&text).unwrap();
    let original = manifest["signature"]["value"].clone();
    trailscope::produce::sign_manifest(&mut manifest, &test_key());
    assert_eq!(manifest["signature"]["value"], original);
    // Our producer, sealing the sample's events, pins the same chains (Merkle roots
    // included) and file as the Python implementation did.
    let temp = tempfile::tempdir().unwrap();
    std::fs::copy(
        v2_dir().join("sample/events.jsonl"),
        temp.path().join("events.jsonl"),
    )
    .unwrap();
    let sealed = trailscope::produce::seal_directory(temp.path(), None).unwrap();
    assert_eq!(sealed["format_version"], 2);
    assert_eq!(sealed["chains"], manifest["chains"]);
    assert_eq!(sealed["files"], manifest["files"]);
}
