//! Untampered bundles in every container and shape: ZIP, directory, bare JSON Lines,
//! several interleaved chains, stubs, segments that start past seq 1, and what the
//! report says it cannot prove in each case.

use trailscope::bundle::FormatVersion;
use trailscope::produce::GenOptions;
use trailscope::verify::{DimensionStatus, Verdict};

use crate::support::*;

#[test]
fn a_generated_zip_with_three_chains_is_verified() {
    let temp = tempfile::tempdir().unwrap();
    let zip = temp.path().join("export.audit.zip");
    trailscope::produce::generate(
        &zip,
        &GenOptions {
            events: 300,
            chains: 3,
            seed: 9,
            zip: true,
            sign_key: Some(test_key()),
            ..GenOptions::default()
        },
    )
    .unwrap();
    let report = verify_with(&zip, &[]);
    assert_eq!(report.findings, vec![]);
    assert_eq!(report.verdict(), Verdict::Verified);
    assert_eq!(report.chains.len(), 3);
    assert_eq!(report.n_events(), 300);
    assert_eq!(report.bundle.container, trailscope::bundle::Container::Zip);
}

#[test]
fn stubs_are_counted_as_omitted_not_as_events() {
    // Version 1 cannot recompute a stub's hash; version 2 recomputes it from its links.
    for (version, says) in [
        (FormatVersion::V1, "omitted events cannot be recomputed"),
        (
            FormatVersion::V2,
            "omitted events recompute from the hash before them",
        ),
    ] {
        stubs_are_counted_in(version, says);
    }
}

fn stubs_are_counted_in(version: FormatVersion, says: &str) {
    let f = Fixture::generated_with(GenOptions {
        events: 400,
        chains: 2,
        seed: 5,
        stub_ratio: 0.2,
        sign_key: Some(test_key()),
        format_version: version,
        ..GenOptions::default()
    });
    let stub_lines = f
        .lines()
        .iter()
        .filter(|l| l.contains("\"omitted\":true"))
        .count() as u64;
    assert!(stub_lines > 40, "the generator wrote {stub_lines} stubs");
    let report = f.verify();
    assert_eq!(report.findings, vec![]);
    assert_eq!(report.verdict(), Verdict::Verified);
    let omitted: u64 = report.chains.iter().map(|c| c.omitted).sum();
    assert_eq!(omitted, stub_lines);
    assert_eq!(report.n_events() + omitted, 400);
    assert!(
        report.chains[0].integrity.detail.contains(says),
        "{}",
        report.chains[0].integrity.detail
    );
}

#[test]
fn a_segment_is_anchored_at_the_manifests_start_hash() {
    // Sealed from its own lines: version 1 (format_v2 tests a version 2 segment).
    let f = Fixture::generated_v1(50, 1);
    let lines = f.lines();
    f.write_lines(&lines[10..]);
    f.reseal(Some(&test_key()));
    let manifest = f.manifest();
    assert_eq!(manifest["chains"][0]["first_seq"], 11);
    let report = f.verify();
    assert_eq!(report.findings, vec![]);
    assert_eq!(report.verdict(), Verdict::Verified);
    assert_eq!(
        (report.chains[0].first_seq, report.chains[0].last_seq),
        (11, 50)
    );

    // A segment whose start hash in the manifest is wrong breaks at its first event.
    let mut manifest = f.manifest();
    manifest["chains"][0]["start_prev_hash"] = serde_json::json!("cd".repeat(32));
    trailscope::produce::sign_manifest(&mut manifest, &test_key());
    f.write_manifest(&manifest);
    assert_eq!(
        problems(&f.verify()),
        vec![at("broken_link", "acme-prod", 11, 1)]
    );
}

#[test]
fn a_bare_jsonl_file_is_at_best_intact_and_says_completeness_is_unproven() {
    let f = Fixture::generated(60, 2);
    let report = verify_with(&f.events_path(), &[]);
    assert_eq!(
        report.bundle.container,
        trailscope::bundle::Container::Jsonl
    );
    assert_eq!(kinds(&report), vec!["unsigned"]);
    assert_eq!(report.verdict(), Verdict::Intact);
    for chain in &report.chains {
        assert_eq!(chain.completeness.status, DimensionStatus::Unproven);
        assert!(
            chain
                .completeness
                .detail
                .contains("no manifest: completeness unproven")
        );
        assert_eq!(chain.linkage.status, DimensionStatus::Proven);
    }
    assert!(
        report.headline().contains("there is no manifest"),
        "{}",
        report.headline()
    );
}

#[test]
fn a_bare_segment_says_its_first_link_cannot_be_checked() {
    let f = Fixture::generated(30, 1);
    let lines = f.lines();
    let path = f.temp.path().join("segment.jsonl");
    std::fs::write(&path, lines[5..].join("\n")).unwrap();
    let report = verify_with(&path, &[]);
    assert_eq!(problems(&report), vec![]);
    assert_eq!(report.chains[0].linkage.status, DimensionStatus::Unproven);
    assert!(
        report.chains[0]
            .linkage
            .detail
            .contains("cannot be checked without a manifest")
    );
}

#[test]
fn a_checkpoint_at_the_head_vouches_for_an_unsigned_bundle() {
    let f = Fixture::generated(20, 1);
    f.reseal(None);
    let head = f.event(20);
    let checkpoint =
        serde_json::json!({"chain": "acme-prod", "seq": 20, "hash": head["hash"]}).to_string();
    let checkpoints =
        trailscope::verify::parse_checkpoints(&checkpoint, "cp.jsonl".as_ref(), &trusted_keys())
            .unwrap();
    let report = verify_with(&f.dir, &checkpoints);
    assert_eq!(report.verdict(), Verdict::Verified);
    assert!(report.headline().contains("matched to your checkpoints"));

    // An earlier checkpoint proves only the prefix: the chain stays intact, and says why.
    let earlier = f.event(10);
    let checkpoint =
        serde_json::json!({"chain": "acme-prod", "seq": 10, "hash": earlier["hash"]}).to_string();
    let checkpoints =
        trailscope::verify::parse_checkpoints(&checkpoint, "cp.jsonl".as_ref(), &trusted_keys())
            .unwrap();
    let report = verify_with(&f.dir, &checkpoints);
    assert_eq!(report.verdict(), Verdict::Intact);
    assert!(
        report.chains[0].authenticity.detail.contains(
            "checkpoints you hold vouch for seq 1 to 10 only: seq 11 to 20 are unvouched"
        )
    );
}

#[test]
fn generation_is_deterministic_for_a_seed() {
    let a = Fixture::generated(200, 2);
    let b = Fixture::generated(200, 2);
    assert_eq!(
        std::fs::read(a.events_path()).unwrap(),
        std::fs::read(b.events_path()).unwrap()
    );
}
