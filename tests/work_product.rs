//! The reviewer's work product in a case: annotations that survive imports and leave
//! the evidence untouched, the journal of the reviewer's actions (verifying as a
//! bundle, failing after a row is edited or removed) and custody receipts (failing
//! after the evidence file or the case's rows change).

use std::path::{Path, PathBuf};

use trailscope::case::receipt::{FilesNow, check_receipts};
use trailscope::case::{Case, Subject, journal};
use trailscope::produce::SigningKeyFile;
use trailscope::query::{EventFilter, Order, list_events};
use trailscope::reviewer::Reviewer;
use trailscope::{TrustedKeys, Verdict, VerifyOptions, verify_bundle};

use crate::support::{Fixture, IMPORTED_AT, trusting_options};

fn maria() -> Reviewer {
    Reviewer::from_key(
        "Maria Lopez",
        SigningKeyFile::from_seed("reviewer-maria", [0x4d; 32]),
    )
}

fn open_as(path: &Path, reviewer: &Reviewer) -> Case {
    let mut case = Case::open(path).expect("open the case");
    case.set_reviewer(reviewer.clone());
    case
}

fn import(case: &mut Case, bundle: &Path) -> trailscope::case::ImportOutcome {
    trailscope::case::import_bundle(case, bundle, &trusting_options(), IMPORTED_AT, &mut |_| {
        std::ops::ControlFlow::Continue(())
    })
    .expect("import")
}

fn matching(case: &Case, filter: EventFilter) -> Vec<i64> {
    let mut idxs: Vec<i64> = list_events(case, &filter, Order::OldestFirst, 1000, None)
        .unwrap()
        .rows
        .iter()
        .map(|e| e.event_idx)
        .collect();
    idxs.sort();
    idxs
}

/// Every evidence row's bytes and columns, to show annotating never writes to them.
fn evidence_rows(path: &Path) -> Vec<(i64, Vec<u8>, Option<String>, bool)> {
    let connection = rusqlite::Connection::open(path).unwrap();
    let mut statement = connection
        .prepare("SELECT event_idx, raw, actor_id, checks_ok FROM event ORDER BY event_idx")
        .unwrap();
    statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn stars_tags_and_notes_filter_events_survive_imports_and_leave_evidence_untouched() {
    let first = Fixture::generated(60, 2);
    let temp = tempfile::tempdir().unwrap();
    // A second source of another kind, added to the case after the marks were made.
    let second = temp.path().join("okta.json");
    trailscope::produce::saas::write_export(
        &second,
        &trailscope::produce::saas::ExportRequest {
            format: "okta",
            shape: None,
            records: 40,
            seed: 7,
            quirks: false,
        },
    )
    .unwrap();
    let case_path = temp.path().join("case.sqlite");
    let reviewer = maria();
    let mut case = open_as(&case_path, &reviewer);
    import(&mut case, &first.dir);
    let all = matching(&case, EventFilter::default());
    let (a, b, c) = (all[3], all[10], all[25]);
    let before = evidence_rows(&case_path);

    assert!(case.star(&Subject::Event(a), true).unwrap());
    assert!(
        !case.star(&Subject::Event(a), true).unwrap(),
        "starring twice changes nothing"
    );
    assert!(case.star(&Subject::Event(b), true).unwrap());
    assert!(case.tag(&Subject::Event(b), "  wire fraud ").unwrap());
    assert!(case.tag(&Subject::Event(c), "wire fraud").unwrap());
    assert!(case.tag(&Subject::Event(c), "follow up").unwrap());
    assert!(
        case.set_note(&Subject::Event(c), Some("Approved outside hours."))
            .unwrap()
    );
    assert!(
        case.tag(&Subject::Event(a), "").is_err(),
        "an empty tag is refused"
    );
    case.tag(
        &Subject::Record {
            target_type: "Order".into(),
            target_id: "1842".into(),
        },
        "wire fraud",
    )
    .unwrap();
    case.set_note(&Subject::Actor("u_001".into()), Some("Interviewed 3 Dec."))
        .unwrap();

    let starred = EventFilter {
        starred: true,
        ..Default::default()
    };
    assert_eq!(matching(&case, starred.clone()), vec![a, b]);
    let tagged = EventFilter {
        tags: vec!["wire fraud".into()],
        ..Default::default()
    };
    assert_eq!(matching(&case, tagged.clone()), vec![b, c]);
    let noted = EventFilter {
        has_note: true,
        ..Default::default()
    };
    assert_eq!(matching(&case, noted.clone()), vec![c]);
    assert_eq!(
        case.tags_in_use().unwrap(),
        vec![("wire fraud".to_owned(), 3), ("follow up".to_owned(), 1)]
    );
    assert_eq!(
        evidence_rows(&case_path),
        before,
        "annotating wrote to no evidence row"
    );

    // Un-marking.
    assert!(case.star(&Subject::Event(a), false).unwrap());
    assert!(case.untag(&Subject::Event(c), "follow up").unwrap());
    assert!(!case.untag(&Subject::Event(c), "follow up").unwrap());
    assert_eq!(matching(&case, starred.clone()), vec![b]);

    // A second export and the first again: the marks still point at the same events.
    import(&mut case, &second);
    assert!(import(&mut case, &first.dir).already_imported);
    drop(case);
    let case = Case::open(&case_path).unwrap();
    assert_eq!(matching(&case, starred), vec![b]);
    assert_eq!(matching(&case, tagged), vec![b, c]);
    assert_eq!(matching(&case, noted), vec![c]);
    let mark = case.annotation(&Subject::Event(c)).unwrap().unwrap();
    assert_eq!(mark.note.as_deref(), Some("Approved outside hours."));
    assert_eq!(mark.tags, vec!["wire fraud".to_owned()]);
    let reverified = trailscope::case::reverify(&case).unwrap();
    assert!(reverified.findings.is_empty(), "{:?}", reverified.findings);
}

#[test]
fn saved_searches_keep_their_filter() {
    let fixture = Fixture::generated(30, 1);
    let temp = tempfile::tempdir().unwrap();
    let case_path = temp.path().join("case.sqlite");
    let mut case = open_as(&case_path, &maria());
    import(&mut case, &fixture.dir);
    let filter = EventFilter {
        actors: vec!["u_001".into()],
        action: Some("order.*".into()),
        starred: true,
        since: Some(1_700_000_000_000),
        ..Default::default()
    };
    assert!(!case.save_search("Dana's order changes", &filter).unwrap());
    assert!(
        case.save_search("Dana's order changes", &filter).unwrap(),
        "replaced"
    );
    assert!(case.save_search(" ", &filter).is_err());
    let saved = case.saved_searches().unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].filter, filter);
    assert!(case.delete_search("Dana's order changes").unwrap());
    assert!(case.saved_searches().unwrap().is_empty());
}

/// Runs `sql` on the case file behind the engine's back.
fn edit_case(path: &Path, sql: &str) {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection.execute_batch(sql).unwrap();
}

#[test]
fn the_journal_records_each_action_verifies_as_a_bundle_and_catches_edits() {
    let fixture = Fixture::generated(30, 1);
    let temp = tempfile::tempdir().unwrap();
    let case_path = temp.path().join("case.sqlite");
    let reviewer = maria();
    let mut case = open_as(&case_path, &reviewer);
    import(&mut case, &fixture.dir);
    let first = matching(&case, EventFilter::default())[0];
    case.star(&Subject::Event(first), true).unwrap();
    case.tag(&Subject::Event(first), "suspicious").unwrap();
    case.set_note(&Subject::Event(first), Some("See ticket 88."))
        .unwrap();
    case.save_search(
        "starred",
        &EventFilter {
            starred: true,
            ..Default::default()
        },
    )
    .unwrap();

    let (check, lines) = journal::check(&case, Some(&reviewer)).unwrap();
    assert!(check.holds(), "{:?}", check.problems);
    let actions: Vec<&str> = lines.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "source.imported",
            "event.starred",
            "event.tagged",
            "event.noted",
            "search.saved"
        ]
    );
    assert_eq!(lines[0].context["events_added"], 30);
    assert_eq!(lines[0].context["verdict"], "verified");
    assert_eq!(lines[2].context["tag"], "suspicious");
    assert!(lines.iter().all(|l| l.reviewer_name == "Maria Lopez"));
    assert!(
        lines[1]
            .sentence()
            .starts_with("Maria Lopez starred the event "),
        "{}",
        lines[1].sentence()
    );
    assert!(
        lines[3]
            .sentence()
            .ends_with("\u{201c}See ticket 88.\u{201d}")
    );
    assert_eq!(
        lines[4].sentence(),
        "Maria Lopez saved the search \u{201c}starred\u{201d}."
    );
    assert!(
        lines[0]
            .sentence()
            .contains("30 events added; verdict verified.")
    );
    assert!(check.signer.as_ref().unwrap().is_you);
    assert!(
        check.headline().contains("5 entries unbroken"),
        "{}",
        check.headline()
    );

    // Exported, it is a bundle the ordinary verifier verifies.
    let out = temp.path().join("journal");
    let written = journal::export(&case, &reviewer, &out).unwrap();
    assert_eq!(written.n_entries, 5);
    let trusted = TrustedKeys::load(&out.join("reviewer-keys.txt")).unwrap();
    let checkpoints =
        trailscope::verify::load_checkpoints(&out.join("checkpoints.jsonl"), &trusted).unwrap();
    let report = verify_bundle(
        &out,
        &VerifyOptions {
            trusted_keys: trusted,
            checkpoints,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(report.verdict(), Verdict::Verified, "{:?}", report.findings);
    assert_eq!(report.n_events(), 5);
    // Without trusting the reviewer's key it is intact, not verified.
    let untrusted = verify_bundle(&out, &VerifyOptions::default()).unwrap();
    assert_eq!(untrusted.verdict(), Verdict::Intact);
    drop(case);

    // An edited row (a note rewritten) breaks its hash.
    let edited = temp.path().join("edited.sqlite");
    std::fs::copy(&case_path, &edited).unwrap();
    edit_case(
        &edited,
        "UPDATE journal SET line = CAST(replace(CAST(line AS TEXT), 'See ticket 88.', 'Nothing found.') AS BLOB) WHERE seq = 4",
    );
    let (check, _) = journal::check(&Case::open(&edited).unwrap(), Some(&reviewer)).unwrap();
    assert!(!check.holds());
    assert!(
        check.problems[0].contains("Entry 4 was changed"),
        "{:?}",
        check.problems
    );

    // The last row removed: the signed head names an entry that is gone.
    let cut = temp.path().join("cut.sqlite");
    std::fs::copy(&case_path, &cut).unwrap();
    edit_case(&cut, "DELETE FROM journal WHERE seq = 5");
    let (check, _) = journal::check(&Case::open(&cut).unwrap(), Some(&reviewer)).unwrap();
    assert!(
        check
            .problems
            .iter()
            .any(|p| p.contains("entries were removed from its end")),
        "{:?}",
        check.problems
    );

    // A middle row removed: the link and the seq break.
    let holed = temp.path().join("holed.sqlite");
    std::fs::copy(&case_path, &holed).unwrap();
    edit_case(&holed, "DELETE FROM journal WHERE seq = 2");
    let (check, _) = journal::check(&Case::open(&holed).unwrap(), Some(&reviewer)).unwrap();
    assert!(
        check
            .problems
            .iter()
            .any(|p| p.contains("Entries 2 to 2 are missing"))
    );
    assert!(
        journal::export(
            &Case::open(&holed).unwrap(),
            &reviewer,
            &temp.path().join("j2")
        )
        .is_err()
    );

    // The head removed: said, since removed end entries could no longer be noticed.
    let headless = temp.path().join("headless.sqlite");
    std::fs::copy(&case_path, &headless).unwrap();
    edit_case(&headless, "DELETE FROM journal_head");
    let (check, _) = journal::check(&Case::open(&headless).unwrap(), Some(&reviewer)).unwrap();
    assert!(
        check
            .problems
            .iter()
            .any(|p| p.contains("signed head is missing"))
    );

    // Another reviewer sees whose key signed.
    let other = Reviewer::from_key("Sam", SigningKeyFile::from_seed("reviewer-sam", [9; 32]));
    let (check, _) = journal::check(&Case::open(&case_path).unwrap(), Some(&other)).unwrap();
    assert!(check.holds());
    assert!(!check.signer.unwrap().is_you);
}

#[test]
fn a_receipt_sealed_while_importing_holds_when_its_compressed_rows_are_read_back() {
    // 3,000 rows: the first 2,000 stored as they arrived, the rest compressed. The
    // import sealed the rows as it stored them; the check reads them back from the case.
    let received = ReceivedByMaria::new(3_000, 2);
    let checks = check_receipts(&received.case, Some(&received.reviewer)).unwrap();
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].n_rows, 3_000);
    assert!(checks[0].rows_unchanged);
    assert!(checks[0].holds());
    assert_eq!(checks[0].files_now, FilesNow::Unchanged);
}

#[test]
fn a_receipt_names_each_file_received_with_its_own_size_and_sha256() {
    // The events file's digest is the one the import's reader took as it read every
    // byte; the manifest and a file the bundle carries beside them are hashed apart.
    // Each must equal the file's own SHA-256, computed here.
    let fixture = Fixture::generated(40, 2);
    std::fs::write(
        fixture.dir.join("README.txt"),
        b"exported by the orders service\n",
    )
    .unwrap();
    let bare = tempfile::tempdir().unwrap();
    let bare_events = bare.path().join("orders-export.jsonl");
    std::fs::copy(fixture.events_path(), &bare_events).unwrap();
    let sha = |path: &Path| {
        let bytes = std::fs::read(path).unwrap();
        let sha256 = trailscope::canonical::to_hex(&trailscope::canonical::sha256(&bytes));
        (sha256, bytes.len() as u64)
    };
    for (received, expected) in [
        (
            fixture.dir.clone(),
            vec![
                ("README.txt", fixture.dir.join("README.txt")),
                ("events.jsonl", fixture.events_path()),
                ("manifest.json", fixture.dir.join("manifest.json")),
            ],
        ),
        (
            bare_events.clone(),
            vec![("orders-export.jsonl", bare_events.clone())],
        ),
    ] {
        let temp = tempfile::tempdir().unwrap();
        let reviewer = maria();
        let mut case = open_as(&temp.path().join("case.sqlite"), &reviewer);
        import(&mut case, &received);
        let checks = check_receipts(&case, Some(&reviewer)).unwrap();
        assert_eq!(checks.len(), 1);
        assert!(checks[0].holds());
        assert_eq!(checks[0].files_now, FilesNow::Unchanged);
        let files: Vec<(&str, (String, u64))> = checks[0]
            .files
            .iter()
            .map(|f| (f.path.as_str(), (f.sha256.clone(), f.bytes)))
            .collect();
        let expected: Vec<(&str, (String, u64))> = expected
            .iter()
            .map(|(name, path)| (*name, sha(path)))
            .collect();
        assert_eq!(files, expected, "{}", received.display());
    }
}

/// A generated bundle imported by Maria into a new case.
struct ReceivedByMaria {
    fixture: Fixture,
    _temp: tempfile::TempDir,
    case_path: PathBuf,
    reviewer: Reviewer,
    case: Case,
}

impl ReceivedByMaria {
    fn new(events: u64, chains: u32) -> ReceivedByMaria {
        let fixture = Fixture::generated(events, chains);
        let temp = tempfile::tempdir().unwrap();
        let case_path = temp.path().join("case.sqlite");
        let reviewer = maria();
        let mut case = open_as(&case_path, &reviewer);
        import(&mut case, &fixture.dir);
        ReceivedByMaria {
            fixture,
            _temp: temp,
            case_path,
            reviewer,
            case,
        }
    }
}

#[test]
fn receipts_verify_and_fail_after_the_evidence_or_the_case_changes() {
    let ReceivedByMaria {
        fixture,
        _temp,
        case_path,
        reviewer,
        case,
    } = ReceivedByMaria::new(25, 1);

    let checks = check_receipts(&case, Some(&reviewer)).unwrap();
    assert_eq!(checks.len(), 1);
    let receipt = &checks[0];
    assert!(receipt.holds());
    assert!(receipt.signed_by_you);
    assert_eq!(receipt.files_now, FilesNow::Unchanged);
    assert_eq!(receipt.n_rows, 25);
    assert_eq!(receipt.verdict_at_receipt, "verified");
    let names: Vec<&str> = receipt.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(names, ["events.jsonl", "manifest.json"]);
    let events = std::fs::read(fixture.events_path()).unwrap();
    assert_eq!(receipt.files[0].bytes, events.len() as u64);
    assert_eq!(
        receipt.files[0].sha256,
        trailscope::canonical::to_hex(&trailscope::canonical::sha256(&events))
    );
    assert!(receipt.sentence().contains("Received and sealed by you on"));
    assert!(receipt.sentence().contains("unchanged since"));
    drop(case);

    // The evidence file changes where it was received from.
    let mut changed = events.clone();
    changed.extend_from_slice(b"\n");
    std::fs::write(fixture.events_path(), &changed).unwrap();
    let checks = check_receipts(&Case::open(&case_path).unwrap(), Some(&reviewer)).unwrap();
    assert_eq!(
        checks[0].files_now,
        FilesNow::Changed(vec!["events.jsonl".into()])
    );
    assert!(checks[0].holds(), "the case's own copy is still as sealed");
    std::fs::write(fixture.events_path(), &events).unwrap();

    // A row of the case is edited.
    edit_case(
        &case_path,
        "UPDATE event SET raw = CAST(replace(CAST(raw AS TEXT), '\"success\"', '\"failure\"') AS BLOB) WHERE event_idx = (SELECT min(event_idx) FROM event)",
    );
    let checks = check_receipts(&Case::open(&case_path).unwrap(), Some(&reviewer)).unwrap();
    assert!(!checks[0].rows_unchanged);
    assert!(!checks[0].holds());
    assert!(checks[0].sentence().contains("CHANGED since"));

    // The receipt itself edited (its verdict upgraded): the signature fails.
    edit_case(
        &case_path,
        "UPDATE receipt SET body = CAST(replace(CAST(body AS TEXT), '\"verified\"', '\"intact\"') AS BLOB)",
    );
    let checks = check_receipts(&Case::open(&case_path).unwrap(), Some(&reviewer)).unwrap();
    assert!(!checks[0].signature_valid);
}

fn cli(args: &[&str]) -> (bool, String, String) {
    let output = crate::support::run_trailscope(args);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn the_command_line_marks_searches_journals_and_checks_receipts() {
    let fixture = Fixture::generated(40, 2);
    let temp = tempfile::tempdir().unwrap();
    let case = temp.path().join("case.sqlite");
    let case = case.to_str().unwrap();
    let keys = crate::support::trusted_keys_path();
    let (ok, _, err) = cli(&[
        "import",
        "--case",
        case,
        "--trusted-keys",
        keys.to_str().unwrap(),
        fixture.dir.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let id = fixture.event(5)["id"].as_str().unwrap().to_owned();
    let other = fixture.event(9)["id"].as_str().unwrap().to_owned();

    let (ok, out, err) = cli(&["star", "--case", case, &id, "--json"]);
    assert!(ok, "{err}");
    assert_eq!(json_of(&out)["marks"]["starred"], true);
    let (ok, out, _) = cli(&[
        "tag",
        "--case",
        case,
        &id,
        "--tag",
        "wire fraud",
        "--tag",
        "q3",
        "--json",
    ]);
    assert!(ok);
    assert_eq!(
        json_of(&out)["marks"]["tags"],
        serde_json::json!(["q3", "wire fraud"])
    );
    let (ok, out, _) = cli(&[
        "note",
        "--case",
        case,
        &other,
        "--text",
        "Called Dana: she confirms.",
    ]);
    assert!(ok);
    assert!(out.contains("note: Called Dana: she confirms."), "{out}");
    let (ok, _, err) = cli(&[
        "note",
        "--case",
        case,
        "--record",
        "Order:1842",
        "--text",
        "Disputed",
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = cli(&["star", "--case", case, "no-such-event"]);
    assert!(!ok);
    assert!(err.contains("no event with id"), "{err}");

    // Filters on the marks, and a saved search listed with its count.
    let (ok, out, _) = cli(&["events", "--case", case, "--starred", "--format", "json"]);
    assert!(ok);
    let ids: Vec<String> = out
        .lines()
        .map(|l| json_of(l)["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, std::slice::from_ref(&id));
    let (ok, out, _) = cli(&["events", "--case", case, "--has-note", "--format", "json"]);
    assert!(ok);
    assert_eq!(out.lines().count(), 1);
    let (ok, _, err) = cli(&[
        "search",
        "save",
        "--case",
        case,
        "Fraud review",
        "--tag",
        "wire fraud",
    ]);
    assert!(ok, "{err}");
    let (ok, out, _) = cli(&["search", "list", "--case", case, "--json"]);
    assert!(ok);
    let list = json_of(&out);
    assert_eq!(list[0]["name"], "Fraud review");
    assert_eq!(list[0]["count"], 1);

    // Around: the event's neighbours, each with its filter.
    let (ok, out, err) = cli(&["around", "--case", case, &id, "--n", "2", "--json"]);
    assert!(ok, "{err}");
    let around = json_of(&out);
    let by: Vec<&str> = around["around"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["by"].as_str().unwrap())
        .collect();
    assert_eq!(&by[..3], ["time", "actor", "record"], "{by:?}");
    assert!(around["around"][0]["before"].as_array().unwrap().len() <= 2);

    // The journal holds every action, in order, and exports as a verifiable bundle.
    let (ok, out, _) = cli(&["journal", "--case", case, "--json"]);
    assert!(ok);
    let journal = json_of(&out);
    assert_eq!(journal["holds"], true);
    let actions: Vec<&str> = journal["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "source.imported",
            "event.starred",
            "event.tagged",
            "event.tagged",
            "event.noted",
            "record.noted",
            "search.run",
            "search.run",
            "search.saved"
        ]
    );
    let out_dir = temp.path().join("journal");
    let (ok, _, err) = cli(&[
        "journal",
        "--case",
        case,
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let (code, out, _) = {
        let output = crate::support::run_trailscope(&[
            "verify",
            out_dir.to_str().unwrap(),
            "--trusted-keys",
            out_dir.join("reviewer-keys.txt").to_str().unwrap(),
            "--checkpoints",
            out_dir.join("checkpoints.jsonl").to_str().unwrap(),
            "--json",
        ]);
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            (),
        )
    };
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(json_of(&out)["verdict"], "verified");

    // Receipts hold; reverify checks the journal and the receipts too.
    let (ok, out, _) = cli(&["receipt", "--case", case, "--json"]);
    assert!(ok, "{out}");
    let receipts = json_of(&out);
    assert_eq!(receipts[0]["holds"], true);
    assert_eq!(receipts[0]["files_now"]["status"], "unchanged");
    let (ok, out, _) = cli(&["reverify", "--case", case]);
    assert!(ok, "{out}");
    assert!(out.contains("The journal holds"), "{out}");

    // A journal row edited behind the app's back: reverify and journal fail.
    edit_case(
        Path::new(case),
        "UPDATE journal SET line = CAST(replace(CAST(line AS TEXT), 'she confirms', 'she denies') AS BLOB) WHERE seq = 5",
    );
    let (ok, out, _) = cli(&["reverify", "--case", case]);
    assert!(!ok);
    assert!(out.contains("Entry 5 was changed"), "{out}");
    let (ok, _, _) = cli(&["journal", "--case", case]);
    assert!(!ok);
}

#[test]
fn exports_carry_where_each_row_came_from() {
    let fixture = Fixture::generated(12, 1);
    let temp = tempfile::tempdir().unwrap();
    let case_path = temp.path().join("case.sqlite");
    let mut case = open_as(&case_path, &maria());
    import(&mut case, &fixture.dir);
    let okta = temp.path().join("okta.json");
    trailscope::produce::saas::write_export(
        &okta,
        &trailscope::produce::saas::ExportRequest {
            format: "okta",
            shape: None,
            records: 5,
            seed: 3,
            quirks: false,
        },
    )
    .unwrap();
    import(&mut case, &okta);
    let sha = |bytes: &[u8]| trailscope::canonical::to_hex(&trailscope::canonical::sha256(bytes));
    let events_sha = sha(&std::fs::read(fixture.events_path()).unwrap());
    let okta_sha = sha(&std::fs::read(&okta).unwrap());

    let csv_path = temp.path().join("out.csv");
    let n = trailscope::export::export_to_file(
        &case,
        &EventFilter::default(),
        trailscope::export::ExportFormat::Csv,
        &csv_path,
    )
    .unwrap();
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let lines = fixture.lines();
    let mut seen = 0;
    for record in reader.records() {
        let record = record.unwrap();
        match &record[col("source")] {
            "audit-bundle" => {
                assert_eq!(&record[col("file")], "events.jsonl");
                assert_eq!(&record[col("file_sha256")], events_sha);
                let line: usize = record[col("line")].parse().unwrap();
                assert_eq!(
                    &record[col("record_sha256")],
                    sha(lines[line - 1].as_bytes())
                );
                assert!(!record[col("chain")].is_empty() && !record[col("seq")].is_empty());
                assert_eq!(&record[col("verified")], "true");
            }
            _ => {
                assert_eq!(&record[col("file_sha256")], okta_sha);
                assert_eq!(&record[col("verified")], "false");
            }
        }
        seen += 1;
    }
    assert_eq!(seen as u64, n);

    let jsonl_path = temp.path().join("out.jsonl");
    trailscope::export::export_to_file(
        &case,
        &EventFilter::default(),
        trailscope::export::ExportFormat::Jsonl,
        &jsonl_path,
    )
    .unwrap();
    let text = std::fs::read_to_string(&jsonl_path).unwrap();
    let okta_rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v.get("provenance").is_some())
        .collect();
    assert_eq!(okta_rows.len(), 5);
    assert!(
        okta_rows
            .iter()
            .all(|r| r["provenance"]["file_sha256"] == okta_sha.as_str())
    );
    // Our own events leave as the lines that arrived: they carry chain, seq and hash.
    assert!(text.lines().any(|l| lines.contains(&l.to_owned())));
}
