//! Format version 2 (`spec/audit-bundle-v2.md`): generated and sealed bundles verify;
//! version 1 still does; a stub's hash is recomputed, so tampering that version 1 cannot
//! see is caught; the Merkle root under the signature; segments; the case and its
//! rechecks read each bundle in its own version.
//!
//! Truth is computed here or taken from the spec: the Merkle roots compared with come
//! from `trailscope::merkle`, itself checked against RFC 6962's published vectors.

use std::path::Path;

use rusqlite::Connection;
use serde_json::{Value, json};
use trailscope::bundle::FormatVersion;
use trailscope::canonical::{Digest32, parse_hash_hex, sha256, to_hex};
use trailscope::case::{Case, reverify};
use trailscope::merkle;
use trailscope::produce::{self, GenOptions};
use trailscope::query::{CheckStatus, event_detail};
use trailscope::verify::{Checkpoint, DimensionStatus, FindingKind, Verdict, parse_checkpoints};

use crate::support::*;

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// A signed version 2 bundle of one chain `acme-prod`, `events` lines, some of them
/// stubs (line N holds seq N).
fn with_stubs(events: u64, version: FormatVersion) -> Fixture {
    Fixture::generated_with(GenOptions {
        events,
        chains: 1,
        seed: 3,
        stub_ratio: 0.25,
        sign_key: Some(test_key()),
        format_version: version,
        ..GenOptions::default()
    })
}

fn json_of(line: &str) -> Value {
    serde_json::from_str(line).unwrap()
}

fn is_stub(line: &str) -> bool {
    json_of(line)["omitted"] == json!(true)
}

/// The seq (= line number) of the first stub that follows a full event, from line 3 on.
fn stub_after_event(lines: &[String]) -> usize {
    (3..lines.len())
        .find(|&i| is_stub(&lines[i - 1]) && !is_stub(&lines[i - 2]))
        .expect("the fixture holds a stub after an event")
}

/// The chain's hashes in seq order, as its lines declare them.
fn hashes(lines: &[String]) -> Vec<Digest32> {
    lines
        .iter()
        .map(|line| parse_hash_hex(json_of(line)["hash"].as_str().unwrap()).unwrap())
        .collect()
}

fn root_of(hashes: &[Digest32]) -> String {
    let mut tree = merkle::TreeBuilder::new();
    for hash in hashes {
        tree.push(hash);
    }
    to_hex(&tree.root())
}

/// A checkpoint at `seq` holding the hash the line declares, as the reviewer would hold it.
fn checkpoint_at(f: &Fixture, seq: usize) -> Vec<Checkpoint> {
    let event = f.event(seq);
    let line = json!({"chain": event["chain"], "seq": seq, "hash": event["hash"]}).to_string();
    parse_checkpoints(&line, "cp.jsonl".as_ref(), &trusted_keys()).unwrap()
}

#[test]
fn a_generated_v2_bundle_is_verified_and_pins_each_chains_merkle_root() {
    let f = Fixture::generated_with(GenOptions {
        events: 500,
        chains: 3,
        seed: 11,
        stub_ratio: 0.1,
        sign_key: Some(test_key()),
        ..GenOptions::default()
    });
    let report = f.verify();
    assert_eq!(report.findings, vec![]);
    assert_eq!(report.verdict(), Verdict::Verified);
    assert_eq!(
        report.bundle.provenance.format_version,
        Some(FormatVersion::V2)
    );
    let manifest = f.manifest();
    assert_eq!(manifest["format_version"], 2);
    let lines = f.lines();
    for chain in manifest["chains"].as_array().unwrap() {
        let of_chain: Vec<String> = lines
            .iter()
            .filter(|l| json_of(l)["chain"] == chain["id"])
            .cloned()
            .collect();
        assert!(
            of_chain
                .iter()
                .all(|l| json_of(l).get("body_hash").is_some())
        );
        assert_eq!(chain["merkle_root"], root_of(&hashes(&of_chain)));
        // Any event's inclusion proof verifies against the signed root.
        let leaves: Vec<Digest32> = hashes(&of_chain)
            .iter()
            .map(|h| merkle::leaf_hash(h))
            .collect();
        let root = parse_hash_hex(chain["merkle_root"].as_str().unwrap()).unwrap();
        for index in [0, leaves.len() / 2, leaves.len() - 1] {
            let proof = merkle::inclusion_proof(&leaves, index as u64).unwrap();
            assert!(merkle::verify_inclusion(
                &leaves[index],
                index as u64,
                leaves.len() as u64,
                &proof,
                &root
            ));
        }
    }
    for chain in &report.chains {
        assert!(
            chain.integrity.detail.contains("omitted events recompute"),
            "{}",
            chain.integrity.detail
        );
    }
}

#[test]
fn a_generated_v1_bundle_is_still_verified_and_read_as_version_1() {
    let f = with_stubs(200, FormatVersion::V1);
    assert_eq!(f.manifest()["format_version"], 1);
    assert!(f.manifest()["chains"][0].get("merkle_root").is_none());
    assert!(
        f.lines()
            .iter()
            .all(|l| json_of(l).get("body_hash").is_none())
    );
    let report = f.verify();
    assert_eq!(report.findings, vec![]);
    assert_eq!(report.verdict(), Verdict::Verified);
    assert_eq!(
        report.bundle.provenance.format_version,
        Some(FormatVersion::V1)
    );
}

#[test]
fn editing_a_v2_event_is_a_body_hash_mismatch_at_that_event() {
    let f = with_stubs(60, FormatVersion::V2);
    let mut lines = f.lines();
    let seq = (1..=lines.len())
        .find(|&s| !is_stub(&lines[s - 1]))
        .unwrap();
    lines[seq - 1] = edit(&lines[seq - 1], |e| e["outcome"] = json!("denied"));
    f.write_lines(&lines);
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![
            at("body_hash_mismatch", "acme-prod", seq as u64, seq as u64),
            ("file_digest_mismatch", None, None, None),
        ]
    );
    assert_eq!(report.verdict(), Verdict::Broken);
    assert_eq!(report.chains[0].integrity.status, DimensionStatus::Failed);
}

#[test]
fn changing_a_v2_stubs_body_hash_is_caught_at_the_stub() {
    let f = with_stubs(60, FormatVersion::V2);
    let mut lines = f.lines();
    let stub = stub_after_event(&lines);
    lines[stub - 1] = edit(&lines[stub - 1], |e| {
        e["body_hash"] = json!("ab".repeat(32))
    });
    f.write_lines(&lines);
    // Resealed, so only the stub itself can give it away.
    f.reseal(Some(&test_key()));
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![at("hash_mismatch", "acme-prod", stub as u64, stub as u64)]
    );
    assert_eq!(report.verdict(), Verdict::Broken);
    let mismatch = only(&report, FindingKind::HashMismatch)[0];
    assert!(
        mismatch.describe().contains("prev_hash and body_hash"),
        "{}",
        mismatch.describe()
    );
}

/// The forgery of spec v1 §4: an event that a stub follows is changed and rehashed, and
/// the stub's prev_hash pointed at the new hash. The reviewer holds a checkpoint at the
/// head; the bundle is resealed without a signature.
fn forge_the_event_before_a_stub(f: &Fixture) -> usize {
    let mut lines = f.lines();
    let stub = stub_after_event(&lines);
    let mut event = json_of(&lines[stub - 2]);
    event["actor"]["id"] = json!("u_forger");
    event["actor"]["name"] = json!("Someone Else");
    produce::rehash_event(&mut event);
    let mut forged_stub = json_of(&lines[stub - 1]);
    forged_stub["prev_hash"] = event["hash"].clone();
    lines[stub - 2] = event.to_string();
    lines[stub - 1] = forged_stub.to_string();
    f.write_lines(&lines);
    f.reseal(None);
    stub
}

#[test]
fn changing_the_event_a_stub_follows_passes_version_1_but_version_2_catches_it() {
    // Version 1: every check holds; only a verdict that claims less is honest.
    let v1 = with_stubs(80, FormatVersion::V1);
    let head = checkpoint_at(&v1, 80);
    forge_the_event_before_a_stub(&v1);
    let report = verify_with(&v1.dir, &head);
    assert_eq!(
        problems(&report),
        vec![],
        "version 1 cannot see the forgery"
    );
    assert_eq!(report.verdict(), Verdict::Intact);

    // Version 2, honest: a checkpoint at the head vouches through every stub.
    let v2 = with_stubs(80, FormatVersion::V2);
    let head = checkpoint_at(&v2, 80);
    v2.reseal(None);
    let honest = verify_with(&v2.dir, &head);
    assert_eq!(problems(&honest), vec![]);
    assert_eq!(honest.verdict(), Verdict::Verified, "{}", honest.headline());

    // Version 2, forged the same way: the stub's hash no longer recomputes.
    let stub = forge_the_event_before_a_stub(&v2);
    let report = verify_with(&v2.dir, &head);
    assert_eq!(
        problems(&report),
        vec![at("hash_mismatch", "acme-prod", stub as u64, stub as u64)]
    );
    assert_eq!(report.verdict(), Verdict::Broken);

    // The forger who also rehashes the stub breaks the next link; who relinks the rest
    // changes the head, which the checkpoint pins.
    let mut lines = v2.lines();
    let mut forged_stub = json_of(&lines[stub - 1]);
    produce::rehash_event(&mut forged_stub);
    lines[stub - 1] = forged_stub.to_string();
    v2.write_lines(&lines);
    v2.reseal(None);
    let report = verify_with(&v2.dir, &head);
    assert_eq!(
        problems(&report),
        vec![at(
            "broken_link",
            "acme-prod",
            stub as u64 + 1,
            stub as u64 + 1
        )]
    );
    let relinked: Vec<String> = lines
        .iter()
        .enumerate()
        .scan(String::new(), |previous, (i, line)| {
            let mut event = json_of(line);
            if i >= stub {
                event["prev_hash"] = json!(previous.clone());
                produce::rehash_event(&mut event);
            }
            *previous = event["hash"].as_str().unwrap().to_owned();
            Some(event.to_string())
        })
        .collect();
    v2.write_lines(&relinked);
    v2.reseal(None);
    let report = verify_with(&v2.dir, &head);
    assert_eq!(
        problems(&report),
        vec![at("checkpoint_mismatch", "acme-prod", 80, 80)]
    );
    assert_eq!(report.verdict(), Verdict::Broken);
}

#[test]
fn a_merkle_root_changed_under_the_signature_invalidates_it() {
    let f = with_stubs(40, FormatVersion::V2);
    let mut manifest = f.manifest();
    manifest["chains"][0]["merkle_root"] = json!("cd".repeat(32));
    f.write_manifest(&manifest);
    let report = f.verify();
    assert_eq!(
        report.signature.status,
        trailscope::SignatureStatus::Invalid
    );
    assert!(
        kinds(&report).contains(&"signature_invalid"),
        "{:?}",
        kinds(&report)
    );
    assert_eq!(report.verdict(), Verdict::Broken);
}

#[test]
fn a_merkle_root_changed_and_re_signed_is_a_merkle_root_mismatch() {
    let f = with_stubs(40, FormatVersion::V2);
    let mut manifest = f.manifest();
    let pinned = manifest["chains"][0]["merkle_root"].clone();
    manifest["chains"][0]["merkle_root"] = json!("cd".repeat(32));
    produce::sign_manifest(&mut manifest, &test_key());
    f.write_manifest(&manifest);
    let report = f.verify();
    assert_eq!(
        report.signature.status,
        trailscope::SignatureStatus::Trusted
    );
    assert_eq!(
        problems(&report),
        vec![(
            "merkle_root_mismatch",
            Some("acme-prod".into()),
            Some(1),
            None
        )]
    );
    let finding = only(&report, FindingKind::MerkleRootMismatch)[0];
    assert_eq!(finding.expected.as_deref(), Some("cd".repeat(32).as_str()));
    assert_eq!(
        finding.actual.as_ref(),
        pinned.as_str().map(str::to_owned).as_ref()
    );
    assert_eq!(finding.seq_end, Some(40));
    assert_eq!(report.verdict(), Verdict::Broken);
    assert_eq!(
        report.chains[0].completeness.status,
        DimensionStatus::Failed
    );

    // A version 2 manifest without the root is a manifest mismatch.
    manifest["chains"][0]
        .as_object_mut()
        .unwrap()
        .remove("merkle_root");
    produce::sign_manifest(&mut manifest, &test_key());
    f.write_manifest(&manifest);
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![("manifest_mismatch", Some("acme-prod".into()), None, None)]
    );
}

/// The last 40 of a 50-event version 2 chain, with the manifest its producer (who holds
/// the whole chain) writes: the Merkle root still covers seq 1 to 50.
fn segment() -> (Fixture, Value) {
    let f = with_stubs(50, FormatVersion::V2);
    let full = f.manifest();
    let lines = f.lines();
    let start_prev_hash = json_of(&lines[9])["hash"].clone();
    f.write_lines(&lines[10..]);
    let bytes = std::fs::read(f.events_path()).unwrap();
    let mut manifest = full.clone();
    manifest["chains"][0]["first_seq"] = json!(11);
    manifest["chains"][0]["event_count"] = json!(40);
    manifest["chains"][0]["start_prev_hash"] = start_prev_hash;
    manifest["files"][0]["sha256"] = json!(to_hex(&sha256(&bytes)));
    manifest["files"][0]["bytes"] = json!(bytes.len());
    produce::sign_manifest(&mut manifest, &test_key());
    f.write_manifest(&manifest);
    (f, full)
}

#[test]
fn a_segment_says_its_merkle_root_is_not_checkable_from_the_bundle_alone() {
    let (f, full) = segment();
    let report = f.verify();
    assert_eq!(report.findings, vec![]);
    assert_eq!(report.verdict(), Verdict::Verified);
    let completeness = &report.chains[0].completeness;
    assert_eq!(completeness.status, DimensionStatus::Proven);
    assert!(
        completeness
            .detail
            .contains("its Merkle root covers seq 1 to 50, but this bundle holds only seq 11 onwards, so the root is not checkable from this bundle alone"),
        "{}",
        completeness.detail
    );
    // Which is a limit, said plainly: a wrong root in a segment goes unseen here.
    let mut manifest = f.manifest();
    assert_eq!(
        manifest["chains"][0]["merkle_root"],
        full["chains"][0]["merkle_root"]
    );
    manifest["chains"][0]["merkle_root"] = json!("cd".repeat(32));
    produce::sign_manifest(&mut manifest, &test_key());
    f.write_manifest(&manifest);
    let report = f.verify();
    assert_eq!(report.findings, vec![]);
    assert!(
        report.chains[0]
            .completeness
            .detail
            .contains("not checkable")
    );

    // Our sealer, holding only the segment's lines, refuses to write a version 2 root.
    let error = produce::seal_directory(&f.dir, None)
        .unwrap_err()
        .to_string();
    assert!(error.contains("starts at seq 11"), "{error}");
    assert!(
        produce::seal_directory_as(&f.dir, None, Some(FormatVersion::V1))
            .unwrap_err()
            .to_string()
            .contains("carries a body_hash")
    );
}

#[test]
fn an_unknown_format_version_is_a_manifest_mismatch_and_never_read_as_version_1() {
    let f = with_stubs(30, FormatVersion::V2);
    let mut manifest = f.manifest();
    manifest["format_version"] = json!(3);
    produce::sign_manifest(&mut manifest, &test_key());
    f.write_manifest(&manifest);
    let report = f.verify();
    // The lines carry body_hash, so they are read as version 2: no hash_mismatch.
    assert_eq!(
        problems(&report),
        vec![("manifest_mismatch", None, None, None)]
    );
    let finding = only(&report, FindingKind::ManifestMismatch)[0];
    assert!(
        finding
            .describe()
            .contains("format_version 3 is not one this reviewer reads"),
        "{}",
        finding.describe()
    );
    assert_eq!(report.bundle.provenance.format_version, None);
    assert_eq!(report.verdict(), Verdict::Broken);
}

#[test]
fn a_v2_line_without_body_hash_is_malformed_and_a_bare_v2_file_reads_by_shape() {
    let f = with_stubs(30, FormatVersion::V2);
    let bare = verify_with(&f.events_path(), &[]);
    assert_eq!(problems(&bare), vec![]);
    assert_eq!(bare.verdict(), Verdict::Intact);
    assert!(
        bare.chains[0]
            .integrity
            .detail
            .contains("omitted events recompute")
    );

    let mut lines = f.lines();
    lines[4] = edit(&lines[4], |e| {
        e.as_object_mut().unwrap().remove("body_hash");
    });
    f.write_lines(&lines);
    f.reseal(Some(&test_key()));
    let report = f.verify();
    assert_eq!(
        problems(&report)[0],
        at("malformed_line", "acme-prod", 5, 5)
    );
    let malformed = only(&report, FindingKind::MalformedLine)[0];
    assert!(
        malformed.describe().contains("\"body_hash\" is missing"),
        "{}",
        malformed.describe()
    );
}

#[test]
fn the_cli_writes_v2_by_default_and_v1_when_asked() {
    let temp = tempfile::tempdir().unwrap();
    let (v2, v1) = (temp.path().join("v2"), temp.path().join("v1"));
    for (dir, extra) in [(&v2, None), (&v1, Some("1"))] {
        let mut args = vec![
            "gen",
            path_str(dir),
            "--events",
            "120",
            "--stub-ratio",
            "0.1",
        ];
        if let Some(version) = extra {
            args.extend(["--format-version", version]);
        }
        assert!(run_trailscope(&args).status.success());
    }
    let manifest = |dir: &Path| -> Value {
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
    };
    assert_eq!(manifest(&v2)["format_version"], 2);
    assert_eq!(manifest(&v1)["format_version"], 1);
    for dir in [&v2, &v1] {
        let output = run_trailscope(&["verify", path_str(dir)]);
        assert_eq!(output.status.code(), Some(3), "intact: unsigned");
    }
    // `seal` writes version 2 by default, and refuses to call version 1 lines version 2.
    let written = manifest(&v2);
    assert!(run_trailscope(&["seal", path_str(&v2)]).status.success());
    assert_eq!(manifest(&v2)["chains"], written["chains"]);
    let refused = run_trailscope(&["seal", path_str(&v1)]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("not version 2"), "{stderr}");
    assert!(
        run_trailscope(&["seal", path_str(&v1), "--format-version", "1"])
            .status
            .success()
    );
    assert_eq!(manifest(&v1)["format_version"], 1);
    let bad = run_trailscope(&[
        "gen",
        path_str(&temp.path().join("v3")),
        "--format-version",
        "3",
    ]);
    assert!(!bad.status.success());
}

fn event_idx_of_line(case_path: &Path, line: usize) -> i64 {
    Connection::open(case_path)
        .unwrap()
        .query_row(
            "SELECT event_idx FROM event WHERE line = ?1",
            [line as i64],
            |row| row.get(0),
        )
        .unwrap()
}

fn edit_stored_line(case_path: &Path, line: usize, change: impl FnOnce(&mut Value)) {
    let connection = Connection::open(case_path).unwrap();
    let idx = event_idx_of_line(case_path, line);
    let raw: Vec<u8> = connection
        .query_row("SELECT raw FROM event WHERE event_idx = ?1", [idx], |r| {
            r.get(0)
        })
        .unwrap();
    let mut event: Value = serde_json::from_slice(&raw).unwrap();
    change(&mut event);
    connection
        .execute(
            "UPDATE event SET raw = ?1 WHERE event_idx = ?2",
            rusqlite::params![serde_json::to_vec(&event).unwrap(), idx],
        )
        .unwrap();
}

#[test]
fn an_imported_v2_bundle_reverifies_and_its_details_say_each_hash_recomputes() {
    let f = with_stubs(120, FormatVersion::V2);
    let lines = f.lines();
    let case_path = f.temp.path().join("v2.case");
    let outcome = import_into(&case_path, &f.dir);
    assert_eq!(outcome.report.verdict(), Verdict::Verified);
    let case = Case::open_read_only(&case_path).unwrap();
    assert_eq!(reverify(&case).unwrap().findings, vec![]);

    let stub = stub_after_event(&lines);
    let event = event_detail(&case, event_idx_of_line(&case_path, stub - 1))
        .unwrap()
        .unwrap();
    assert_eq!(event.own_hash.status, CheckStatus::Proven);
    assert!(
        event
            .own_hash
            .detail
            .contains("recomputed from its content, matches"),
        "{}",
        event.own_hash.detail
    );
    assert_eq!(event.link.status, CheckStatus::Proven);
    let omitted = event_detail(&case, event_idx_of_line(&case_path, stub))
        .unwrap()
        .unwrap();
    assert_eq!(
        omitted.own_hash.status,
        CheckStatus::Proven,
        "{}",
        omitted.own_hash.detail
    );
    assert!(
        omitted.own_hash.detail.contains("its hash recomputes"),
        "{}",
        omitted.own_hash.detail
    );
    drop(case);

    // Edited behind the app's back: a body hash and a stub's hash no longer recompute.
    edit_stored_line(&case_path, stub - 1, |e| {
        e["actor"]["name"] = json!("Someone Else")
    });
    edit_stored_line(&case_path, stub, |e| {
        e["body_hash"] = json!("ab".repeat(32))
    });
    let case = Case::open_read_only(&case_path).unwrap();
    let found: Vec<(&str, Option<u64>)> = reverify(&case)
        .unwrap()
        .findings
        .iter()
        .map(|f| (f.kind.as_str(), f.line))
        .collect();
    assert!(
        found.contains(&("body_hash_mismatch", Some(stub as u64 - 1))),
        "{found:?}"
    );
    assert!(
        found.contains(&("hash_mismatch", Some(stub as u64))),
        "{found:?}"
    );
    let event = event_detail(&case, event_idx_of_line(&case_path, stub - 1))
        .unwrap()
        .unwrap();
    assert_eq!(event.own_hash.status, CheckStatus::Failed);
    assert!(
        event.own_hash.detail.contains("body hash"),
        "{}",
        event.own_hash.detail
    );
    let omitted = event_detail(&case, event_idx_of_line(&case_path, stub))
        .unwrap()
        .unwrap();
    assert_eq!(
        omitted.own_hash.status,
        CheckStatus::Failed,
        "{}",
        omitted.own_hash.detail
    );
}

#[test]
fn a_v2_segment_imports_verified_and_a_v1_case_row_still_reverifies() {
    let (f, _) = segment();
    let case_path = f.temp.path().join("segment.case");
    let outcome = import_into(&case_path, &f.dir);
    assert_eq!(outcome.report.verdict(), Verdict::Verified);
    // A version 1 bundle of another chain beside it in the same case: each is rechecked
    // in its own version.
    let v1 = Fixture::generated_v1(60, 2);
    let region: Vec<String> = v1
        .lines()
        .into_iter()
        .filter(|l| json_of(l)["chain"] == "acme-region-1")
        .collect();
    let other = sealed_bundle(&f.temp.path().join("v1-region"), &region);
    assert_eq!(
        import_into(&case_path, &other).report.verdict(),
        Verdict::Verified
    );
    let case = Case::open_read_only(&case_path).unwrap();
    let reverified = reverify(&case).unwrap();
    assert_eq!(reverified.findings, vec![]);
    assert_eq!(reverified.n_rows, 40 + region.len() as u64);
}
