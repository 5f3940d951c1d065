//! One test per kind of tampering: a generated, signed bundle is changed in exactly one
//! way, and the report must name the finding kind, chain, seq and line, and the verdict.
//!
//! The fixture has one chain `acme-prod` of 40 events, so line N holds seq N.

use serde_json::{Value, json};
use trailscope::verify::{Verdict, parse_checkpoints};

use crate::support::*;

const CHAIN: &str = "acme-prod";

fn fixture() -> Fixture {
    checked(Fixture::generated(40, 1))
}

/// The fixture in format version 1, for what version 1 reports (version 2's findings
/// for the same tampering are in `format_v2`).
fn fixture_v1() -> Fixture {
    checked(Fixture::generated_v1(40, 1))
}

fn checked(fixture: Fixture) -> Fixture {
    assert_eq!(
        fixture.verify().findings,
        vec![],
        "the untampered fixture verifies cleanly"
    );
    fixture
}

fn digest_mismatch() -> Located {
    ("file_digest_mismatch", None, None, None)
}

#[test]
fn the_untampered_bundle_is_verified() {
    let report = fixture().verify();
    assert_eq!(report.verdict(), Verdict::Verified);
    assert_eq!(report.n_events(), 40);
    assert!(
        report
            .headline()
            .starts_with("Verified: 40 events in 1 chain, signed by acme-audit-2026")
    );
}

#[test]
fn editing_a_value_reports_a_hash_mismatch_at_that_event() {
    let f = fixture_v1();
    let mut lines = f.lines();
    lines[11] = edit(&lines[11], |e| e["reason"] = json!("tampered"));
    f.write_lines(&lines);
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![at("hash_mismatch", CHAIN, 12, 12), digest_mismatch()]
    );
    assert_eq!(report.verdict(), Verdict::Broken);
    let finding = &report.findings[0];
    assert_eq!(finding.actual.as_deref(), f.event(12)["hash"].as_str());
    assert_ne!(finding.expected, finding.actual);
}

#[test]
fn editing_and_rehashing_one_event_breaks_the_next_link() {
    let f = fixture_v1();
    let mut lines = f.lines();
    lines[19] = edit(&lines[19], |e| {
        e["actor"]["name"] = json!("Someone Else");
        trailscope::produce::rehash_event(e);
    });
    f.write_lines(&lines);
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![at("broken_link", CHAIN, 21, 21), digest_mismatch()]
    );
    assert_eq!(report.verdict(), Verdict::Broken);
}

#[test]
fn deleting_one_event_reports_a_gap_and_a_broken_link() {
    let f = fixture();
    let mut lines = f.lines();
    lines.remove(9); // seq 10
    f.write_lines(&lines);
    let report = f.verify();
    let gap = only(&report, trailscope::FindingKind::SeqGap);
    assert_eq!(gap.len(), 1);
    assert_eq!(
        (gap[0].seq, gap[0].seq_end, gap[0].line),
        (Some(10), None, Some(10))
    );
    assert_eq!(
        problems(&report),
        vec![
            ("seq_gap", Some(CHAIN.into()), Some(10), Some(10)),
            at("broken_link", CHAIN, 11, 10),
            digest_mismatch(),
            ("manifest_mismatch", Some(CHAIN.into()), None, None),
        ]
    );
    assert_eq!(report.verdict(), Verdict::Broken);
}

#[test]
fn inserting_a_forged_event_reports_out_of_order_and_the_broken_link_after_it() {
    let f = fixture_v1();
    let mut lines = f.lines();
    // A forger inserts a well-formed event that links to seq 15 and claims seq 16.
    let forged = edit(&lines[14], |e| {
        e["prev_hash"] = e["hash"].clone();
        e["seq"] = json!(16);
        e["id"] = json!("evt_forged00000000");
        trailscope::produce::rehash_event(e);
    });
    lines.insert(15, forged);
    f.write_lines(&lines);
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![
            at("seq_out_of_order", CHAIN, 16, 17),
            at("broken_link", CHAIN, 17, 18),
            digest_mismatch(),
            ("manifest_mismatch", Some(CHAIN.into()), None, None),
        ]
    );
}

#[test]
fn swapping_two_lines_reports_the_gap_and_the_reordering() {
    let f = fixture();
    let mut lines = f.lines();
    lines.swap(4, 5); // seq 5 and 6
    f.write_lines(&lines);
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![
            ("seq_gap", Some(CHAIN.into()), Some(5), Some(5)),
            at("broken_link", CHAIN, 6, 5),
            at("seq_out_of_order", CHAIN, 5, 6),
            digest_mismatch(),
        ]
    );
}

#[test]
fn cutting_events_off_the_end_reports_truncation() {
    let f = fixture();
    let mut lines = f.lines();
    lines.truncate(37);
    f.write_lines(&lines);
    let report = f.verify();
    let truncated = only(&report, trailscope::FindingKind::Truncated);
    assert_eq!(truncated.len(), 1);
    assert_eq!(
        (truncated[0].seq, truncated[0].seq_end),
        (Some(38), Some(40))
    );
    assert_eq!(
        kinds(&report),
        vec!["file_digest_mismatch", "truncated", "manifest_mismatch"],
        "{:#?}",
        report.findings
    );
    assert_eq!(report.verdict(), Verdict::Broken);
}

#[test]
fn a_file_cut_mid_line_reports_the_partial_line_and_truncation() {
    let f = fixture();
    let text = std::fs::read(f.events_path()).unwrap();
    std::fs::write(f.events_path(), &text[..text.len() - 50]).unwrap();
    let report = f.verify();
    let malformed = only(&report, trailscope::FindingKind::MalformedLine);
    assert_eq!(malformed.len(), 1);
    assert_eq!(malformed[0].line, Some(40));
    assert_eq!(
        only(&report, trailscope::FindingKind::Truncated)[0].seq,
        Some(40)
    );
}

#[test]
fn rewriting_history_and_keeping_the_signature_invalidates_it() {
    let f = fixture();
    let mut lines = f.lines();
    lines[24] = edit(&lines[24], |e| e["reason"] = json!("tampered"));
    let rewritten = relink(&lines);
    f.write_lines(&rewritten);
    let old_signature = f.manifest()["signature"].clone();
    f.reseal(None);
    let mut manifest = f.manifest();
    manifest["signature"] = old_signature;
    f.write_manifest(&manifest);
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![("signature_invalid", None, None, None)]
    );
    assert_eq!(report.verdict(), Verdict::Broken);
}

#[test]
fn rewriting_history_and_replacing_the_signature_is_only_intact() {
    let f = fixture();
    let original_head = f.event(30);
    let mut lines = f.lines();
    lines[24] = edit(&lines[24], |e| e["reason"] = json!("tampered"));
    f.write_lines(&relink(&lines));
    f.reseal(Some(&forger_key()));
    let report = f.verify();
    assert_eq!(problems(&report), vec![]);
    assert_eq!(kinds(&report), vec!["signature_untrusted"]);
    assert_eq!(
        report.verdict(),
        Verdict::Intact,
        "a forger's own signature vouches for nothing"
    );
    assert!(
        report.findings[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("different key")
    );

    // A checkpoint published before the rewrite exposes it.
    let checkpoint = json!({"chain": CHAIN, "seq": 30, "hash": original_head["hash"]}).to_string();
    let checkpoints = parse_checkpoints(&checkpoint, "cp.jsonl".as_ref(), &trusted_keys()).unwrap();
    let report = verify_with(&f.dir, &checkpoints);
    assert_eq!(
        problems(&report),
        vec![at("checkpoint_mismatch", CHAIN, 30, 30)]
    );
    assert_eq!(report.verdict(), Verdict::Broken);
}

#[test]
fn reformatting_whitespace_only_changes_the_file_digest_and_nothing_else() {
    let f = fixture();
    let lines: Vec<String> = f
        .lines()
        .iter()
        .map(|l| {
            serde_json::to_string_pretty(&serde_json::from_str::<Value>(l).unwrap())
                .unwrap()
                .replace('\n', " ")
        })
        .collect();
    f.write_lines(&lines);
    let report = f.verify();
    assert_eq!(problems(&report), vec![digest_mismatch()]);
    assert_eq!(
        report.chains[0].integrity.status,
        trailscope::DimensionStatus::Proven
    );
    assert_eq!(
        report.chains[0].linkage.status,
        trailscope::DimensionStatus::Proven
    );
    assert_eq!(
        report.verdict(),
        Verdict::Broken,
        "the manifest pins the bytes, and they changed"
    );
}

#[test]
fn a_garbage_line_is_reported_with_its_number_and_the_rest_is_still_checked() {
    let f = fixture_v1();
    let mut lines = f.lines();
    lines.insert(7, "this is {not json".into());
    lines[30] = edit(&lines[30], |e| e["action"] = json!("order.deleted")); // seq 30 at line 31
    f.write_lines(&lines);
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![
            ("malformed_line", None, None, Some(8)),
            at("hash_mismatch", CHAIN, 30, 31),
            digest_mismatch()
        ]
    );
    assert!(
        report.findings[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("not valid JSON")
    );
}

#[test]
fn a_line_missing_a_required_field_is_malformed_but_keeps_its_place_in_the_chain() {
    let f = fixture();
    let mut lines = f.lines();
    lines[3] = edit(&lines[3], |e| {
        e.as_object_mut().unwrap().remove("actor");
        trailscope::produce::rehash_event(e);
    });
    f.write_lines(&relink(&lines));
    f.reseal(Some(&test_key()));
    let report = f.verify();
    assert_eq!(problems(&report), vec![at("malformed_line", CHAIN, 4, 4)]);
    assert!(
        report.findings[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("\"actor\" is missing")
    );
}

#[test]
fn a_duplicate_key_makes_the_line_malformed() {
    let f = fixture();
    let mut lines = f.lines();
    lines[2] = lines[2].replacen('{', "{\"outcome\":\"success\",", 1);
    f.write_lines(&lines);
    let report = f.verify();
    let malformed = only(&report, trailscope::FindingKind::MalformedLine);
    assert_eq!(malformed.len(), 1);
    assert_eq!(malformed[0].line, Some(3));
    assert!(
        malformed[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("duplicate key")
    );
}

#[test]
fn reusing_an_event_id_reports_a_duplicate_id() {
    let f = fixture();
    let mut lines = f.lines();
    let first_id = f.event(5)["id"].clone();
    lines[8] = edit(&lines[8], |e| e["id"] = first_id);
    f.write_lines(&relink(&lines));
    f.reseal(Some(&test_key()));
    let report = f.verify();
    assert_eq!(problems(&report), vec![at("duplicate_id", CHAIN, 9, 9)]);
    assert!(
        report.findings[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("line 5")
    );
}

#[test]
fn a_duplicated_line_is_out_of_order_and_reuses_an_id() {
    let f = fixture();
    let mut lines = f.lines();
    let copy = lines[9].clone();
    lines.insert(10, copy);
    f.write_lines(&lines);
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![
            at("seq_out_of_order", CHAIN, 10, 11),
            digest_mismatch(),
            // Duplicate ids are known when every id has been seen (verify::ids).
            at("duplicate_id", CHAIN, 10, 11),
            ("manifest_mismatch", Some(CHAIN.into()), None, None),
        ]
    );
}

#[test]
fn a_wrong_genesis_is_a_broken_link_at_seq_1() {
    let f = fixture();
    let mut lines = f.lines();
    lines[0] = edit(&lines[0], |e| e["prev_hash"] = json!("ab".repeat(32)));
    f.write_lines(&relink(&lines));
    f.reseal(Some(&test_key()));
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![
            at("broken_link", CHAIN, 1, 1),
            ("manifest_mismatch", Some(CHAIN.into()), None, None)
        ]
    );
    assert_eq!(
        report.findings[0].expected.as_deref(),
        Some("0".repeat(64).as_str())
    );
}

#[test]
fn a_clock_going_backwards_is_only_a_warning() {
    let f = fixture();
    let mut lines = f.lines();
    let earlier = f.event(1)["ts"].clone();
    lines[15] = edit(&lines[15], |e| e["ts"] = earlier);
    f.write_lines(&relink(&lines));
    f.reseal(Some(&test_key()));
    let report = f.verify();
    assert_eq!(problems(&report), vec![at("ts_regression", CHAIN, 16, 16)]);
    assert_eq!(
        report.verdict(),
        Verdict::Verified,
        "clocks skew; a warning does not break the chain"
    );
}

#[test]
fn a_chain_the_manifest_does_not_list_is_a_manifest_mismatch() {
    let f = Fixture::generated(30, 2);
    let mut manifest = f.manifest();
    let chains = manifest["chains"].as_array_mut().unwrap();
    let dropped = chains.pop().unwrap()["id"].as_str().unwrap().to_owned();
    trailscope::produce::sign_manifest(&mut manifest, &test_key());
    f.write_manifest(&manifest);
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![("manifest_mismatch", Some(dropped), None, None)]
    );
    assert_eq!(report.verdict(), Verdict::Broken);
}

#[test]
fn a_manifest_with_a_wrong_event_count_is_a_manifest_mismatch() {
    let f = fixture();
    let mut manifest = f.manifest();
    manifest["chains"][0]["event_count"] = json!(41);
    trailscope::produce::sign_manifest(&mut manifest, &test_key());
    f.write_manifest(&manifest);
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![("manifest_mismatch", Some(CHAIN.into()), None, None)]
    );
    assert_eq!(report.findings[0].expected.as_deref(), Some("41 lines"));
}

#[test]
fn an_edited_manifest_under_the_old_signature_is_signature_invalid() {
    let f = fixture();
    let mut manifest = f.manifest();
    manifest["exported_by"]["name"] = json!("Somebody Innocent");
    f.write_manifest(&manifest);
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![("signature_invalid", None, None, None)]
    );
}

#[test]
fn an_unsigned_bundle_is_intact_and_says_so() {
    let f = fixture();
    f.reseal(None);
    let report = f.verify();
    assert_eq!(kinds(&report), vec!["unsigned"]);
    assert_eq!(report.verdict(), Verdict::Intact);
    assert!(
        report
            .headline()
            .contains("nothing outside the bundle vouches for it")
    );
}

#[test]
fn a_checkpoint_with_another_hash_is_a_checkpoint_mismatch() {
    let f = fixture();
    let checkpoint = json!({"chain": CHAIN, "seq": 12, "hash": "ab".repeat(32)}).to_string();
    let checkpoints = parse_checkpoints(&checkpoint, "cp.jsonl".as_ref(), &trusted_keys()).unwrap();
    let report = verify_with(&f.dir, &checkpoints);
    assert_eq!(
        problems(&report),
        vec![at("checkpoint_mismatch", CHAIN, 12, 12)]
    );
}

#[test]
fn an_unknown_actor_type_is_shown_and_warned_about_not_rejected() {
    let f = fixture();
    let mut lines = f.lines();
    lines[6] = edit(&lines[6], |e| e["actor"]["type"] = json!("robot"));
    f.write_lines(&relink(&lines));
    f.reseal(Some(&test_key()));
    let report = f.verify();
    assert_eq!(
        problems(&report),
        vec![at("unknown_actor_type", CHAIN, 7, 7)]
    );
    assert_eq!(
        report.findings[0].detail.as_deref(),
        Some("actor type \"robot\"")
    );
    assert_eq!(
        report.verdict(),
        Verdict::Verified,
        "a warning does not break the chain"
    );
}
