//! The verifier's tests: evidence folders built by `testkit` (the producer's
//! `crate::produce::cloudtrail`), tampered with as issue 11 lists, then verified.

use std::path::Path;

use super::testkit::{self, HeadObjects, Plan, hour};
use super::*;
use crate::source::cloudtrail::DirFolder;
use crate::source::cloudtrail::gz::gzip;
use crate::verify::Severity;

fn verify_with(root: &Path, trusted: &KeyRing, limits: &TrailLimits) -> TrailReport {
    verify_trail(&DirFolder::new(root), trusted, limits).unwrap()
}

fn run(root: &Path, plan: &Plan) -> TrailReport {
    verify_with(root, &testkit::trusted(plan), &TrailLimits::default())
}

fn kinds(report: &TrailReport) -> Vec<FindingKind> {
    let mut kinds: Vec<FindingKind> = report.all_findings().map(|f| f.kind).collect();
    kinds.sort();
    kinds
}

fn only(report: &TrailReport, kind: FindingKind) -> Vec<&Finding> {
    report.all_findings().filter(|f| f.kind == kind).collect()
}

fn status(report: &TrailReport, path: &str) -> LogFileStatus {
    report
        .log_files
        .iter()
        .find(|l| l.path == path)
        .unwrap()
        .status
}

fn built(plan: &Plan) -> (tempfile::TempDir, testkit::Built) {
    let dir = tempfile::tempdir().unwrap();
    let built = testkit::build(dir.path(), plan);
    (dir, built)
}

#[test]
fn a_clean_trail_with_a_key_rotation_verifies_with_trusted_keys() {
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    let report = run(dir.path(), &plan);
    assert_eq!(
        kinds(&report),
        [],
        "{:#?}",
        report.all_findings().collect::<Vec<_>>()
    );
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    assert_eq!(report.chains.len(), 1);
    let chain = &report.chains[0];
    assert_eq!(chain.id, "123456789012/us-east-1/main-trail");
    assert_eq!(
        (chain.digests, chain.digests_verified, chain.digests_trusted),
        (6, 6, 6)
    );
    assert_eq!(chain.trust, ChainTrust::Trusted);
    assert!(chain.notes.is_empty(), "{:?}", chain.notes);
    assert_eq!(chain.gaps, []);
    assert_eq!(chain.hours_covered, 6);
    assert_eq!(
        (chain.first_covered, chain.last_covered),
        (Some(hour(0)), Some(hour(6)))
    );
    assert_eq!((chain.log_files_listed, chain.log_files_verified), (12, 12));
    assert_eq!(report.log_files.len(), 12);
    for log in &built.logs {
        assert_eq!(
            status(&report, log),
            LogFileStatus::Verified { trusted: true }
        );
    }
    assert_eq!(
        (report.folder_keys, report.trusted_keys, report.digest_files),
        (2, 2, 6)
    );
    assert!(report.ignored.is_empty(), "{:?}", report.ignored);
}

#[test]
fn with_only_the_folders_keys_it_verifies_but_is_not_trusted() {
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    let report = verify_with(dir.path(), &KeyRing::new(), &TrailLimits::default());
    assert_eq!(kinds(&report), []);
    let chain = &report.chains[0];
    assert_eq!((chain.digests_verified, chain.digests_trusted), (6, 0));
    assert_eq!(chain.trust, ChainTrust::FolderKeys);
    assert_eq!(
        status(&report, &built.logs[0]),
        LogFileStatus::Verified { trusted: false }
    );
}

#[test]
fn an_edited_record_is_a_log_hash_mismatch_at_its_file() {
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    let target = &built.logs[3];
    testkit::rewrite(dir.path(), target, |v| {
        v["Records"][1]["sourceIPAddress"] = "198.51.100.1".into()
    });
    let report = run(dir.path(), &plan);
    assert_eq!(kinds(&report), [FindingKind::LogFileHashMismatch]);
    let finding = only(&report, FindingKind::LogFileHashMismatch)[0];
    assert_eq!(finding.file.as_deref(), Some(target.as_str()));
    assert_eq!(
        finding.chain.as_deref(),
        Some("123456789012/us-east-1/main-trail")
    );
    assert!(
        finding.expected.is_some()
            && finding.actual.is_some()
            && finding.expected != finding.actual
    );
    assert_eq!(status(&report, target), LogFileStatus::HashMismatch);
    assert_eq!(report.chains[0].log_files_verified, 11);
}

#[test]
fn a_deleted_log_file_is_missing_at_the_digest_that_lists_it() {
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    std::fs::remove_file(dir.path().join(&built.logs[5])).unwrap();
    let report = run(dir.path(), &plan);
    assert_eq!(kinds(&report), [FindingKind::LogFileMissing]);
    let finding = only(&report, FindingKind::LogFileMissing)[0];
    assert_eq!(finding.file.as_deref(), Some(built.digest(2).path.as_str()));
    assert_eq!(finding.expected.as_deref(), Some(built.logs[5].as_str()));
}

#[test]
fn an_injected_log_file_is_unreferenced() {
    let plan = Plan::default();
    let (dir, _) = built(&plan);
    let injected = testkit::log_path("us-east-1", hour(2), "INJECTEDINJECTED");
    testkit::write(
        dir.path(),
        &injected,
        &gzip(&testkit::records("us-east-1", hour(2), 999)),
    );
    let report = run(dir.path(), &plan);
    assert_eq!(kinds(&report), [FindingKind::LogFileUnreferenced]);
    assert_eq!(report.findings[0].file.as_deref(), Some(injected.as_str()));
    assert_eq!(report.findings[0].chain, None);
    assert_eq!(status(&report, &injected), LogFileStatus::Unreferenced);
}

fn delete_digest(root: &Path, built: &testkit::Built, h: usize) {
    let path = &built.digest(h).path;
    std::fs::remove_file(root.join(path)).unwrap();
    std::fs::remove_file(root.join(format!("digest-signatures/{path}.json"))).unwrap();
}

#[test]
fn one_deleted_digest_is_missing_and_its_hour_a_gap() {
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    delete_digest(dir.path(), &built, 2);
    let report = run(dir.path(), &plan);
    use FindingKind::*;
    assert_eq!(
        kinds(&report),
        [
            LogFileUnreferenced,
            LogFileUnreferenced,
            DigestMissing,
            DigestGap
        ]
    );
    let missing = only(&report, DigestMissing)[0];
    assert_eq!(missing.file.as_deref(), Some(built.digest(3).path.as_str()));
    assert_eq!(
        missing.expected.as_deref(),
        Some(built.digest(2).path.as_str())
    );
    let chain = &report.chains[0];
    assert_eq!(
        chain.gaps,
        [Gap {
            start: hour(2),
            end: hour(3),
            hours: 1,
            restart: false
        }]
    );
    let gap = only(&report, DigestGap)[0];
    assert_eq!(gap.file.as_deref(), Some(built.digest(3).path.as_str()));
    assert!(
        gap.detail
            .as_ref()
            .unwrap()
            .contains("2026-03-01T02:01:31Z–2026-03-01T03:01:31Z"),
        "{gap:?}"
    );
}

#[test]
fn a_folder_that_starts_mid_chain_is_no_break() {
    // A window of a longer trail: the oldest digest's previous digest is not here,
    // and log files delivered outside the digests' hours cannot be listed by them.
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    delete_digest(dir.path(), &built, 0);
    let late = testkit::log_path(
        "us-east-1",
        hour(6) + chrono::TimeDelta::minutes(10),
        "LATELATELATELATE",
    );
    testkit::write(
        dir.path(),
        &late,
        &gzip(&testkit::records("us-east-1", hour(6), 1)),
    );
    let report = run(dir.path(), &plan);
    assert_eq!(kinds(&report), []);
    let chain = &report.chains[0];
    assert_eq!(chain.first_covered, Some(hour(1)));
    assert!(
        chain.notes[0].text.contains("evidence starts here"),
        "{:?}",
        chain.notes
    );
    for log in built.digest(0).logs.iter().chain([&late]) {
        assert_eq!(status(&report, log), LogFileStatus::BeyondDigests, "{log}");
    }
    assert!(
        report.notes[0]
            .text
            .starts_with("3 log files were delivered before the first or after the last digest"),
        "{:?}",
        report.notes
    );
}

#[test]
fn two_consecutive_deleted_digests_name_both_hours() {
    // aws-cli#7054: validate-logs names only one of the two.
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    delete_digest(dir.path(), &built, 2);
    delete_digest(dir.path(), &built, 3);
    let report = run(dir.path(), &plan);
    assert_eq!(only(&report, FindingKind::DigestMissing).len(), 1);
    let chain = &report.chains[0];
    assert_eq!(
        chain.gaps,
        [Gap {
            start: hour(2),
            end: hour(4),
            hours: 2,
            restart: false
        }]
    );
    let starts: Vec<_> = chain.gaps[0].hour_starts().collect();
    assert_eq!(starts, [hour(2), hour(3)]);
    let detail = only(&report, FindingKind::DigestGap)[0]
        .detail
        .clone()
        .unwrap();
    assert!(detail.contains("2 hours"), "{detail}");
    assert!(
        detail.contains("02:01:31Z–2026-03-01T03:01:31Z")
            && detail.contains("03:01:31Z–2026-03-01T04:01:31Z"),
        "{detail}"
    );
    assert_eq!(only(&report, FindingKind::LogFileUnreferenced).len(), 4);
    assert_eq!(chain.hours_covered, 4);
}

#[test]
fn an_edited_digest_does_not_verify_and_leaves_its_hour_and_log_files_unvouched() {
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    let edited = &built.digest(2).path;
    testkit::rewrite(dir.path(), edited, |v| {
        v["logFiles"]
            .as_array_mut()
            .unwrap()
            .pop()
            .map(|_| ())
            .unwrap()
    });
    let report = run(dir.path(), &plan);
    use FindingKind::*;
    assert_eq!(
        kinds(&report),
        [
            LogFileUnreferenced,
            LogFileUnreferenced,
            DigestSignatureInvalid,
            DigestHashMismatch,
            DigestGap
        ]
    );
    for kind in [DigestSignatureInvalid, DigestHashMismatch] {
        assert_eq!(
            only(&report, kind)[0].file.as_deref(),
            Some(edited.as_str()),
            "{kind:?}"
        );
    }
    let unreferenced = only(&report, LogFileUnreferenced);
    assert!(
        unreferenced.iter().any(|f| f.detail.as_deref()
            == Some("only a digest whose signature does not verify lists it"))
    );
    assert_eq!(report.chains[0].trust, ChainTrust::Incomplete);
}

#[test]
fn a_trail_resigned_with_an_attackers_key_verifies_only_against_the_folders_keys() {
    let plan = Plan {
        attacker_from: Some(4),
        ..Plan::default()
    };
    let (dir, built) = built(&plan);
    let report = run(dir.path(), &plan);
    assert_eq!(kinds(&report), []);
    let chain = &report.chains[0];
    assert_eq!((chain.digests_verified, chain.digests_trusted), (6, 4));
    assert_eq!(chain.trust, ChainTrust::FolderKeys);
    assert_eq!(
        status(&report, &built.digest(4).logs[0]),
        LogFileStatus::Verified { trusted: false }
    );
    assert_eq!(
        status(&report, &built.digest(3).logs[0]),
        LogFileStatus::Verified { trusted: true }
    );
    // Against the trusted keys alone, the attacker's digests have no key.
    std::fs::remove_dir_all(dir.path().join("public-keys")).unwrap();
    let report = run(dir.path(), &plan);
    assert_eq!(
        kinds(&report),
        [FindingKind::PublicKeyMissing, FindingKind::PublicKeyMissing]
    );
    assert_eq!(report.chains[0].trust, ChainTrust::Incomplete);
}

#[test]
fn a_wrong_previous_hash_under_valid_signatures_is_a_digest_hash_mismatch() {
    fn wrong_hash(h: usize, digest: &mut serde_json::Value) {
        if h == 3 {
            digest["previousDigestHashValue"] = "00".repeat(32).into();
        }
    }
    let plan = Plan {
        edit: Some(wrong_hash),
        ..Plan::default()
    };
    let (dir, built) = built(&plan);
    let report = run(dir.path(), &plan);
    assert_eq!(kinds(&report), [FindingKind::DigestHashMismatch]);
    let finding = only(&report, FindingKind::DigestHashMismatch)[0];
    assert_eq!(finding.file.as_deref(), Some(built.digest(2).path.as_str()));
    assert_eq!(finding.expected, Some("00".repeat(32)));
    assert_eq!(report.chains[0].digests_trusted, 6);
}

#[test]
fn a_moved_digest_is_reported_where_it_lies() {
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    let original = built.digest(2).path.clone();
    let moved = original.replace("/2026/03/01/", "/2026/03/02/");
    for (from, to) in [
        (original.clone(), moved.clone()),
        (
            format!("digest-signatures/{original}.json"),
            format!("digest-signatures/{moved}.json"),
        ),
    ] {
        std::fs::create_dir_all(dir.path().join(&to).parent().unwrap()).unwrap();
        std::fs::rename(dir.path().join(from), dir.path().join(to)).unwrap();
    }
    let report = run(dir.path(), &plan);
    assert_eq!(
        kinds(&report),
        [FindingKind::DigestMissing, FindingKind::DigestMoved]
    );
    let finding = only(&report, FindingKind::DigestMoved)[0];
    assert_eq!(finding.file.as_deref(), Some(moved.as_str()));
    assert_eq!(finding.expected.as_deref(), Some(original.as_str()));
    // It still verifies and covers its hour: no gap, its log files are verified.
    assert_eq!(report.chains[0].gaps, []);
    assert_eq!(report.chains[0].log_files_verified, 12);
}

#[test]
fn gzip_data_appended_to_a_log_file_is_refused() {
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    let target = dir.path().join(&built.logs[0]);
    let mut bytes = std::fs::read(&target).unwrap();
    let original_len = bytes.len() as u64;
    bytes.extend_from_slice(&gzip(&testkit::records("us-east-1", hour(0), 77)));
    std::fs::write(&target, bytes).unwrap();
    let report = run(dir.path(), &plan);
    assert_eq!(kinds(&report), [FindingKind::GzipTrailingData]);
    let finding = only(&report, FindingKind::GzipTrailingData)[0];
    assert!(
        finding
            .detail
            .as_ref()
            .unwrap()
            .contains(&format!("ends at byte {original_len}")),
        "{finding:?}"
    );
    assert_eq!(status(&report, &built.logs[0]), LogFileStatus::TrailingData);
}

#[test]
fn gzip_data_appended_to_a_digest_makes_it_unusable() {
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    let target = dir.path().join(&built.digest(4).path);
    let mut bytes = std::fs::read(&target).unwrap();
    bytes.extend_from_slice(b"\x1f\x8b junk");
    std::fs::write(&target, bytes).unwrap();
    let report = run(dir.path(), &plan);
    use FindingKind::*;
    assert_eq!(
        kinds(&report),
        [
            LogFileUnreferenced,
            LogFileUnreferenced,
            DigestGap,
            GzipTrailingData
        ]
    );
}

#[test]
fn a_restarted_chain_is_a_gap_between_the_two_times() {
    let plan = Plan {
        hours: 7,
        restart_at: Some(4),
        ..Plan::default()
    };
    let (dir, built) = built(&plan);
    assert_eq!(built.digests.len(), 5);
    let report = run(dir.path(), &plan);
    assert_eq!(kinds(&report), [FindingKind::DigestGap]);
    let chain = &report.chains[0];
    assert_eq!(
        chain.gaps,
        [Gap {
            start: hour(2),
            end: hour(4),
            hours: 2,
            restart: true
        }]
    );
    let finding = only(&report, FindingKind::DigestGap)[0];
    assert_eq!(finding.file.as_deref(), Some(built.digest(4).path.as_str()));
    assert!(
        finding.detail.as_ref().unwrap().contains("starts again"),
        "{finding:?}"
    );
}

#[test]
fn a_restart_without_lost_time_is_still_a_gap() {
    fn restart_at_3(h: usize, digest: &mut serde_json::Value) {
        if h == 3 {
            for field in [
                "previousDigestS3Bucket",
                "previousDigestS3Object",
                "previousDigestHashValue",
                "previousDigestHashAlgorithm",
                "previousDigestSignature",
            ] {
                digest[field] = serde_json::Value::Null;
            }
        }
    }
    let plan = Plan {
        edit: Some(restart_at_3),
        ..Plan::default()
    };
    let (dir, _) = built(&plan);
    let report = run(dir.path(), &plan);
    assert_eq!(kinds(&report), [FindingKind::DigestGap]);
    assert_eq!(
        report.chains[0].gaps,
        [Gap {
            start: hour(3),
            end: hour(3),
            hours: 0,
            restart: true
        }]
    );
}

#[test]
fn the_newest_digest_without_head_object_is_unavailable_and_its_hour_unvouched() {
    let plan = Plan {
        head_objects: HeadObjects::AllButNewest,
        ..Plan::default()
    };
    let (dir, built) = built(&plan);
    let report = run(dir.path(), &plan);
    assert_eq!(kinds(&report), [FindingKind::SignatureUnavailable]);
    let finding = only(&report, FindingKind::SignatureUnavailable)[0];
    assert_eq!(finding.severity(), Severity::Notice);
    assert_eq!(finding.file.as_deref(), Some(built.digest(5).path.as_str()));
    let detail = finding.detail.as_ref().unwrap();
    assert!(
        detail.contains("2026-03-01T05:01:31Z to 2026-03-01T06:01:31Z (1 hour) is unvouched"),
        "{detail}"
    );
    let chain = &report.chains[0];
    assert_eq!(chain.unvouched, [(hour(5), hour(6))]);
    assert_eq!((chain.digests_verified, chain.digests_unchecked), (5, 1));
    assert_eq!(chain.trust, ChainTrust::Incomplete);
    assert_eq!(chain.gaps, []);
    assert_eq!(
        status(&report, &built.digest(5).logs[0]),
        LogFileStatus::Unvouched
    );
    assert_eq!(chain.log_files_verified, 10);
}

#[test]
fn without_any_head_object_file_the_successors_signatures_verify_all_but_the_newest() {
    let plan = Plan {
        head_objects: HeadObjects::None,
        ..Plan::default()
    };
    let (dir, _) = built(&plan);
    let report = run(dir.path(), &plan);
    assert_eq!(kinds(&report), [FindingKind::SignatureUnavailable]);
    assert_eq!(report.chains[0].digests_trusted, 5);
}

#[test]
fn a_gzip_bomb_is_refused_at_the_limit() {
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    let bomb = gzip(&vec![b' '; 64 << 20]);
    std::fs::write(dir.path().join(&built.logs[2]), &bomb).unwrap();
    std::fs::write(dir.path().join(&built.digest(4).path), &bomb).unwrap();
    let limits = TrailLimits {
        max_log_bytes: 1 << 20,
        max_digest_bytes: 1 << 20,
        ..TrailLimits::default()
    };
    let report = verify_with(dir.path(), &testkit::trusted(&plan), &limits);
    let mismatch = only(&report, FindingKind::LogFileHashMismatch);
    assert_eq!(mismatch.len(), 1);
    assert!(
        mismatch[0].detail.as_ref().unwrap().contains("limit"),
        "{mismatch:?}"
    );
    assert_eq!(status(&report, &built.logs[2]), LogFileStatus::Unreadable);
    let invalid = only(&report, FindingKind::DigestSignatureInvalid);
    assert!(
        invalid[0].detail.as_ref().unwrap().contains("limit"),
        "{invalid:?}"
    );
}

#[test]
fn keys_outside_the_trail_never_read_outside_the_folder() {
    fn hostile(h: usize, digest: &mut serde_json::Value) {
        if h == 3 {
            digest["logFiles"][0]["s3Object"] = "../../etc/passwd".into();
            digest["previousDigestS3Object"] = "../../../etc/shadow".into();
        }
        if h == 4 {
            digest["digestS3Object"] = "/etc/passwd".into();
        }
    }
    let plan = Plan {
        edit: Some(hostile),
        ..Plan::default()
    };
    let (dir, built) = built(&plan);
    let report = run(dir.path(), &plan);
    use FindingKind::*;
    assert_eq!(
        kinds(&report),
        [
            LogFileMissing,
            LogFileUnreferenced,
            DigestMissing,
            DigestMoved
        ]
    );
    assert!(
        only(&report, LogFileMissing)[0]
            .detail
            .as_ref()
            .unwrap()
            .contains("outside")
    );
    assert!(
        only(&report, DigestMissing)[0]
            .detail
            .as_ref()
            .unwrap()
            .contains("outside")
    );
    assert_eq!(
        only(&report, LogFileUnreferenced)[0].file.as_deref(),
        Some(built.digest(3).logs[0].as_str())
    );
}

#[test]
fn a_folder_synced_from_under_the_trails_prefix_lies_where_its_keys_say() {
    // The keys say logs/AWSLogs/…; the collector syncs the prefix to ROOT/AWSLogs/….
    fn prefixed(_: usize, digest: &mut serde_json::Value) {
        let prefix = |v: &mut serde_json::Value| {
            if let Some(key) = v.as_str() {
                *v = format!("logs/{key}").into();
            }
        };
        prefix(&mut digest["digestS3Object"]);
        prefix(&mut digest["previousDigestS3Object"]);
        for entry in digest["logFiles"].as_array_mut().unwrap() {
            prefix(&mut entry["s3Object"]);
        }
    }
    let plan = Plan {
        edit: Some(prefixed),
        ..Plan::default()
    };
    let (dir, _) = built(&plan);
    let report = run(dir.path(), &plan);
    assert_eq!(kinds(&report), []);
    assert_eq!(report.chains[0].digests_trusted, 6);
    assert_eq!(report.chains[0].log_files_verified, 12);
}

#[test]
fn findings_are_bounded_as_they_are_made_and_digests_in_total() {
    fn many_missing(h: usize, digest: &mut serde_json::Value) {
        if h == 3 {
            let entry = serde_json::json!({"s3Object": "AWSLogs/gone.json.gz", "hashValue": "00"});
            digest["logFiles"] = vec![entry; MAX_FINDINGS_PER_KIND + 5].into();
        }
    }
    let plan = Plan {
        edit: Some(many_missing),
        ..Plan::default()
    };
    let (dir, _) = built(&plan);
    let report = run(dir.path(), &plan);
    assert_eq!(
        only(&report, FindingKind::LogFileMissing).len(),
        MAX_FINDINGS_PER_KIND
    );
    assert_eq!(
        report.findings_not_listed,
        [(FindingKind::LogFileMissing, 5)]
    );

    let limits = TrailLimits {
        max_digest_total_bytes: 4096,
        ..TrailLimits::default()
    };
    let error = verify_trail(&DirFolder::new(dir.path()), &KeyRing::new(), &limits).unwrap_err();
    assert!(error.to_string().contains("CloudTrail-Digest"), "{error}");
    assert!(error.to_string().contains("4096 bytes together"), "{error}");
}

#[test]
fn hostile_files_are_findings_and_notes_never_panics() {
    use std::os::unix::ffi::OsStrExt;
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    let root = dir.path();
    let region_dir = |h: usize| {
        Path::new(&built.digest(h).path)
            .parent()
            .unwrap()
            .to_owned()
    };
    let name = |stamp: &str| {
        format!("123456789012_CloudTrail-Digest_us-east-1_main-trail_us-east-1_{stamp}.json.gz")
    };
    let garbage: [(&str, Vec<u8>); 4] = [
        ("20260301T100131Z", b"not gzip".to_vec()),
        ("20260301T110131Z", gzip(b"[]")),
        ("20260301T120131Z", gzip(br#"{"digestEndTime": 5}"#)),
        ("20260301T130131Z", gzip(&[0xff, 0xfe, 0x00])),
    ];
    for (stamp, bytes) in &garbage {
        testkit::write(
            root,
            region_dir(0).join(name(stamp)).to_str().unwrap(),
            bytes,
        );
    }
    testkit::write(
        root,
        &format!("digest-signatures/{}.json", built.digest(2).path),
        b"{\"Metadata\": 5}",
    );
    testkit::write(root, "public-keys/eu-west-1.json", b"\xff\xfe");
    testkit::write(root, "digest-signatures/nothing.json", b"{}");
    std::fs::write(
        root.join(std::ffi::OsStr::from_bytes(b"bad\xffname.json.gz")),
        b"x",
    )
    .unwrap();
    let report = run(root, &plan);
    let invalid = only(&report, FindingKind::DigestSignatureInvalid);
    assert_eq!(invalid.len(), 4, "{invalid:#?}");
    // The garbage digests leave hours 6 to 13 unvouched: one gap.
    assert_eq!(report.chains[0].gaps.len(), 1);
    assert_eq!(report.chains[0].gaps[0].start, hour(6));
    // Digest 2 still verifies through the next digest's previousDigestSignature.
    assert_eq!(report.chains[0].digests_trusted, 6);
    assert!(
        report.chains[0]
            .notes
            .iter()
            .any(|n| n.text.contains("head-object file")),
        "{:?}",
        report.chains[0].notes
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.file.as_deref() == Some("public-keys/eu-west-1.json"))
    );
    assert_eq!(report.ignored.len(), 2, "{:?}", report.ignored);
}

#[test]
fn a_key_outside_its_window_or_in_another_encoding_is_noted_not_failed() {
    let plan = Plan::default();
    let (dir, _) = built(&plan);
    let keys = testkit::keys();
    // The folder's first key claims to expire before the trail starts.
    let early = (
        hour(0) - chrono::TimeDelta::days(9),
        hour(0) - chrono::TimeDelta::days(1),
    );
    let folder_keys = testkit::list_public_keys_json(&[
        (&testkit::pkcs1_der(&keys.first), Some(early)),
        (&testkit::spki_der(&keys.second), None),
    ]);
    testkit::write(
        dir.path(),
        "public-keys/us-east-1.json",
        folder_keys.as_bytes(),
    );
    let report = verify_with(dir.path(), &KeyRing::new(), &TrailLimits::default());
    assert_eq!(kinds(&report), []);
    let window_notes = report.chains[0]
        .notes
        .iter()
        .filter(|n| n.text.contains("does not cover"))
        .count();
    assert_eq!(window_notes, 3);

    // The reviewer trusts the first key as SubjectPublicKeyInfo: another fingerprint,
    // the same key.
    std::fs::remove_dir_all(dir.path().join("public-keys")).unwrap();
    let trusted = testkit::trusted_der(&testkit::spki_der(&keys.first));
    let report = verify_with(dir.path(), &trusted, &TrailLimits::default());
    assert_eq!(report.chains[0].digests_trusted, 3);
    assert!(
        report.chains[0]
            .notes
            .iter()
            .any(|n| n.text.contains("another encoding"))
    );
    assert_eq!(only(&report, FindingKind::PublicKeyMissing).len(), 3);
}

#[test]
fn two_regions_are_two_chains_and_a_copy_without_digests_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let east = Plan::default();
    let west = Plan {
        region: "us-west-2",
        hours: 3,
        ..Plan::default()
    };
    testkit::build(dir.path(), &east);
    testkit::build(dir.path(), &west);
    let report = run(dir.path(), &east);
    assert_eq!(kinds(&report), []);
    let ids: Vec<&str> = report.chains.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "123456789012/us-east-1/main-trail",
            "123456789012/us-west-2/main-trail"
        ]
    );

    std::fs::remove_dir_all(dir.path().join("AWSLogs/123456789012/CloudTrail-Digest")).unwrap();
    let report = run(dir.path(), &east);
    assert_eq!(kinds(&report), []);
    assert_eq!(report.digest_files, 0);
    assert!(
        report
            .log_files
            .iter()
            .all(|l| l.status == LogFileStatus::NoDigests)
    );
}

#[test]
fn a_reader_gets_every_log_files_bytes_in_path_order_with_its_status() {
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    let injected = testkit::log_path("us-east-1", hour(1), "INJECTEDINJECTED");
    testkit::write(dir.path(), &injected, &gzip(b"{\"Records\":[]}"));
    testkit::rewrite(dir.path(), &built.logs[0], |v| {
        v["Records"][0]["eventName"] = "DeleteUser".into()
    });
    let mut seen = Vec::new();
    let report = verify_trail_reading(
        &DirFolder::new(dir.path()),
        &testkit::trusted(&plan),
        &TrailLimits::default(),
        &mut |log| {
            assert!(serde_json::from_slice::<serde_json::Value>(log.inflated).is_ok());
            seen.push((log.path.to_owned(), log.status));
        },
    )
    .unwrap();
    let paths: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(seen.len(), 13);
    assert!(seen.contains(&(injected.clone(), LogFileStatus::Unreferenced)));
    assert!(seen.contains(&(built.logs[0].clone(), LogFileStatus::HashMismatch)));
    assert_eq!(
        kinds(&report),
        [
            FindingKind::LogFileHashMismatch,
            FindingKind::LogFileUnreferenced
        ]
    );
    let bytes = read_log_file(
        &DirFolder::new(dir.path()),
        &built.logs[1],
        &TrailLimits::default(),
    )
    .unwrap();
    let delivered = testkit::log_time(&plan, 0, 1);
    assert_eq!(bytes, testkit::records("us-east-1", delivered, 1));
}

#[test]
fn openssl_agrees_with_our_signatures() {
    let plan = Plan::default();
    let (dir, built) = built(&plan);
    let keys = testkit::keys();
    let work = tempfile::tempdir().unwrap();
    let der = testkit::spki_der(&keys.first);
    let base64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&der)
    };
    let lines: Vec<&str> = base64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        lines.join("\n")
    );
    let digest = built.digest(1);
    std::fs::write(work.path().join("pub.pem"), pem).unwrap();
    std::fs::write(work.path().join("sig.bin"), &digest.signature).unwrap();
    std::fs::write(work.path().join("data.txt"), &digest.to_sign).unwrap();
    std::fs::write(
        work.path().join("other.txt"),
        format!("{}x", digest.to_sign),
    )
    .unwrap();
    let openssl = |data: &str| {
        std::process::Command::new("openssl")
            .args([
                "dgst",
                "-sha256",
                "-verify",
                "pub.pem",
                "-signature",
                "sig.bin",
                data,
            ])
            .current_dir(work.path())
            .output()
            .unwrap_or_else(|e| {
                panic!("openssl could not be run ({e}); run scripts/setup.sh to install it")
            })
    };
    let output = openssl("data.txt");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "Verified OK"
    );
    assert!(!openssl("other.txt").status.success());
    // And the verifier accepts the very same digest.
    let report = run(dir.path(), &plan);
    assert_eq!(report.chains[0].digests_trusted, 6);
}

/// Not run by default. `TRAILSCOPE_CT_BENCH=DIR cargo test --release --lib
/// cloudtrail_bench -- --ignored --nocapture` builds a 30-day, 2-region trail of
/// about 2,000,000 records in DIR (once; reused when DIR exists) and times
/// verification; the peak memory printed is the process's (run it again on the
/// built DIR to see verification's alone).
#[test]
#[ignore]
fn cloudtrail_bench() {
    let Ok(dir) = std::env::var("TRAILSCOPE_CT_BENCH") else {
        eprintln!("set TRAILSCOPE_CT_BENCH to a directory");
        return;
    };
    let root = Path::new(&dir);
    let east = Plan {
        hours: 720,
        logs_per_hour: 12,
        records_per_log: 116,
        rotate_at: 360,
        ..Plan::default()
    };
    let west = Plan {
        region: "eu-west-1",
        ..east.clone()
    };
    if !root.exists() {
        let started = std::time::Instant::now();
        testkit::build(root, &east);
        testkit::build(root, &west);
        eprintln!("built in {:.1} s", started.elapsed().as_secs_f64());
    }
    let started = std::time::Instant::now();
    let report = run(root, &east);
    let elapsed = started.elapsed().as_secs_f64();
    let inflated: u64 = report.log_files.iter().filter_map(|l| l.size).sum();
    assert_eq!(kinds(&report), []);
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_owned)
        })
        .unwrap_or_default();
    eprintln!(
        "verified {} digests, {} log files, {:.0} MB inflated in {elapsed:.2} s ({:.0} MB/s); {peak}",
        report.digest_files,
        report.log_files.len(),
        inflated as f64 / 1e6,
        inflated as f64 / 1e6 / elapsed
    );
    let started = std::time::Instant::now();
    let mut handed = 0u64;
    let folder = DirFolder::new(root);
    let trusted = testkit::trusted(&east);
    verify_trail_reading(&folder, &trusted, &TrailLimits::default(), &mut |log| {
        handed += log.inflated.len() as u64
    })
    .unwrap();
    assert_eq!(handed, inflated);
    eprintln!(
        "verified again handing out every file's bytes in {:.2} s",
        started.elapsed().as_secs_f64()
    );
}
