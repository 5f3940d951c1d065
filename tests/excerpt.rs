//! Evidence excerpts: written from a real case, copied to a fresh folder with no case,
//! and checked there — a format 2 bundle by inclusion proofs (size growing with log n),
//! a format 1 bundle by the chain to its signed head, a source without integrity by
//! the custody receipt. One changed byte in any file breaks it and is named; a forged
//! statement cannot vouch for a changed event; hostile folders are refused or reported.

use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::TrustedKeys;
use trailscope::case::{Case, Subject};
use trailscope::excerpt::{self, ExcerptCheck, Method, Selection};
use trailscope::produce::SigningKeyFile;
use trailscope::query::{EventFilter, Order, list_events};
use trailscope::reviewer::Reviewer;

use crate::support::{Fixture, IMPORTED_AT, run_trailscope, trusting_options};

const MADE_AT: &str = "2026-12-03T10:00:00Z";

pub(crate) fn maria() -> Reviewer {
    Reviewer::from_key(
        "Maria Lopez",
        SigningKeyFile::from_seed("reviewer-maria", [0x4d; 32]),
    )
}

/// A case at `dir/case.sqlite` holding `source`, opened as Maria.
fn case_of(dir: &Path, source: &Path) -> Case {
    let mut case = Case::open(&dir.join("case.sqlite")).expect("open the case");
    case.set_reviewer(maria());
    add_source(&mut case, source);
    case
}

/// Imports `source` into `case`, trusting the test key.
fn add_source(case: &mut Case, source: &Path) {
    trailscope::case::import_bundle(case, source, &trusting_options(), IMPORTED_AT, &mut |_| {
        std::ops::ControlFlow::Continue(())
    })
    .expect("import");
}

/// The rows of the case, oldest first.
pub(crate) fn rows(case: &Case) -> Vec<trailscope::query::EventRow> {
    list_events(
        case,
        &EventFilter::default(),
        Order::OldestFirst,
        100_000,
        None,
    )
    .unwrap()
    .rows
}

fn tag(case: &mut Case, event_idxs: &[i64], tag: &str) {
    for idx in event_idxs {
        case.tag(&Subject::Event(*idx), tag).unwrap();
    }
}

fn tagged(tag: &str, reason: &str) -> Selection {
    Selection {
        filter: EventFilter {
            tags: vec![tag.to_owned()],
            ..EventFilter::default()
        },
        reason: Some(reason.to_owned()),
    }
}

/// Copies the excerpt folder `from` into a fresh temp dir (no case anywhere near it).
/// Copies the excerpt folder `from` into a fresh temp dir (no case anywhere near it).
pub(crate) fn fresh_copy(from: &Path) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let to = temp.path().join("received-excerpt");
    copy_dir(from, &to);
    (temp, to)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        let target = to.join(item.file_name());
        if item.file_type().unwrap().is_dir() {
            copy_dir(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), &target).unwrap();
        }
    }
}

fn check(dir: &Path) -> ExcerptCheck {
    excerpt::check(dir, &TrustedKeys::default()).expect("readable as an excerpt")
}

/// Every failure the check names, in one text.
fn failures(check: &ExcerptCheck) -> String {
    let mut all = check.statement_problems.clone();
    for part in &check.parts {
        all.extend(part.problems.iter().cloned());
        all.extend(part.events.iter().filter_map(|e| e.problem.clone()));
    }
    all.join("\n")
}

/// Replaces the first `pattern` in `file` by `with` (same length: one byte or a few).
fn change(file: &Path, pattern: &str, with: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        text.contains(pattern),
        "{} has no {pattern:?}",
        file.display()
    );
    std::fs::write(file, text.replacen(pattern, with, 1)).unwrap();
}

/// Flips one hex digit of the first 64-hex-digit hash after `after` in `file`.
fn flip_hex_after(file: &Path, after: &str) {
    let mut bytes = std::fs::read(file).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let start = text
        .find(after)
        .unwrap_or_else(|| panic!("{} has no {after:?}", file.display()))
        + after.len();
    let at = start
        + text[start..]
            .find(|c: char| c.is_ascii_hexdigit())
            .expect("a hex digit follows");
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
    std::fs::write(file, bytes).unwrap();
}

#[test]
fn a_format_2_excerpt_verifies_alone_with_proofs_that_grow_with_log_n() {
    let fixture = Fixture::generated(6000, 2);
    let temp = tempfile::tempdir().unwrap();
    let mut case = case_of(temp.path(), &fixture.dir);
    let all = rows(&case);
    let picked: Vec<i64> = [7, 2500, 5999].iter().map(|&i| all[i].event_idx).collect();
    tag(&mut case, &picked, "fraud");
    let out = temp.path().join("excerpt");
    let written = excerpt::write(
        &case,
        &maria(),
        &tagged("fraud", "Order 1842 approval"),
        &out,
        MADE_AT,
    )
    .unwrap();
    drop(case);
    assert_eq!(written.chosen, 3);
    assert_eq!(written.parts.len(), 1);
    assert_eq!(written.parts[0].method, Method::MerkleProof);
    assert_eq!(written.parts[0].carried, 3, "only the chosen events travel");

    let (_keep, copy) = fresh_copy(&out);
    let checked = check(&copy);
    assert!(checked.holds(), "{}", failures(&checked));
    assert_eq!(checked.made_by, "Maria Lopez");
    assert_eq!(checked.reason.as_deref(), Some("Order 1842 approval"));
    let part = &checked.parts[0];
    assert_eq!(part.events.len(), 3);
    let ids: Vec<&str> = picked
        .iter()
        .map(|idx| {
            all.iter()
                .find(|r| r.event_idx == *idx)
                .unwrap()
                .id
                .as_deref()
                .unwrap()
        })
        .collect();
    for id in &ids {
        assert!(
            part.events
                .iter()
                .any(|e| e.id.as_deref() == Some(*id) && e.proven),
            "{id} proven"
        );
    }
    // Each event is said in the same words as in the case it was taken from.
    for idx in &picked {
        let row = all.iter().find(|r| r.event_idx == *idx).unwrap();
        let said = trailscope::query::sentence::sentence(&row.json().unwrap());
        let event = part.events.iter().find(|e| e.id == row.id).unwrap();
        assert_eq!(event.said.as_deref(), Some(said.as_str()));
    }
    assert!(part.sentence.contains("Merkle root"), "{}", part.sentence);
    assert!(
        part.trust
            .as_deref()
            .is_some_and(|t| t.contains("not said you trust")),
        "{:?}",
        part.trust
    );

    // Each proof is the audit path of its chain's tree: ceil(log2(n)) hashes at most,
    // never the chain's thousands of events.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(copy.join("part-1/manifest.json")).unwrap()).unwrap();
    for line in std::fs::read_to_string(copy.join("part-1/proofs.jsonl"))
        .unwrap()
        .lines()
    {
        let proof: Value = serde_json::from_str(line).unwrap();
        let chain = manifest["chains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == proof["chain"])
            .unwrap();
        let n = chain["last_seq"].as_u64().unwrap();
        assert_eq!(proof["tree_size"].as_u64(), Some(n));
        let depth = 64 - (n - 1).leading_zeros() as usize;
        assert!(proof["path"].as_array().unwrap().len() <= depth);
    }
    let bytes: u64 = std::fs::read_dir(copy.join("part-1"))
        .unwrap()
        .map(|f| f.unwrap().metadata().unwrap().len())
        .sum();
    assert!(
        bytes < 16_000,
        "three events and their proofs: {bytes} bytes"
    );

    // With the producer's key and Maria's trusted, no trust note remains.
    let mut trusted = crate::support::trusted_keys();
    trusted.add(maria().key_id(), excerpt_key(&maria()));
    let trusting = excerpt::check(&copy, &trusted).unwrap();
    assert!(trusting.holds() && trusting.made_by_trusted);
    assert_eq!(trusting.parts[0].trust, None);

    // The real binary says the same, and exits 0.
    let output = run_trailscope(&["verify", copy.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with("The excerpt holds: all 3 events are proven"),
        "{stdout}"
    );
}

fn excerpt_key(reviewer: &Reviewer) -> [u8; 32] {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(reviewer.public_key_base64())
        .unwrap()
        .try_into()
        .unwrap()
}

/// One excerpt of a format 2 case, made once per test.
fn v2_excerpt() -> (tempfile::TempDir, PathBuf) {
    let fixture = Fixture::generated(800, 1);
    let temp = tempfile::tempdir().unwrap();
    let mut case = case_of(temp.path(), &fixture.dir);
    let all = rows(&case);
    tag(&mut case, &[all[10].event_idx, all[500].event_idx], "keep");
    let out = temp.path().join("excerpt");
    excerpt::write(
        &case,
        &maria(),
        &tagged("keep", "two approvals"),
        &out,
        MADE_AT,
    )
    .unwrap();
    (temp, out)
}

#[test]
fn one_changed_byte_in_any_file_breaks_the_excerpt_and_the_failure_is_named() {
    let (_temp, out) = v2_excerpt();
    assert!(check(&out).holds());
    type Tamper = fn(&Path);
    let cases: [(&str, Tamper, &[&str]); 6] = [
        (
            "part-1/events.jsonl",
            |f| change(f, "\"id\":\"evt_", "\"id\":\"evu_"),
            &[
                "part-1/events.jsonl was changed after the reviewer signed",
                "part-1/events.jsonl line 1 (chain acme-prod seq",
                "its content does not hash to its body_hash",
            ],
        ),
        (
            "part-1/proofs.jsonl",
            |f| flip_hex_after(f, "\"path\":[\""),
            &[
                "part-1/proofs.jsonl was changed",
                "part-1/proofs.jsonl line 1",
                "does not lead to the signed Merkle root",
            ],
        ),
        (
            "part-1/manifest.json",
            |f| change(f, "\"producer\"", "\"producex\""),
            &[
                "part-1/manifest.json was changed",
                "the producer's signature does not verify",
            ],
        ),
        (
            "part-1/receipt.json",
            |f| change(f, "Maria Lopez", "Mario Lopez"),
            &["part-1/receipt.json was changed"],
        ),
        (
            "statement.json",
            |f| change(f, "two approvals", "two approvalz"),
            &["statement.json: the reviewer's signature does not verify"],
        ),
        (
            "README.txt",
            |f| change(f, "evidence excerpt", "evidence exterpt"),
            &["README.txt was changed"],
        ),
    ];
    for (file, tamper, said) in cases {
        let (_keep, copy) = fresh_copy(&out);
        tamper(&copy.join(file));
        let checked = check(&copy);
        assert!(
            !checked.holds(),
            "one changed byte in {file} went unnoticed"
        );
        let text = failures(&checked);
        for words in said {
            assert!(text.contains(words), "{file}: {words:?} not in:\n{text}");
        }
        let output = run_trailscope(&["verify", copy.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "{file}: exit code");
        assert!(String::from_utf8_lossy(&output.stdout).contains("does NOT hold"));
    }
    // A file added, and one removed, are named too.
    let (_keep, copy) = fresh_copy(&out);
    std::fs::write(copy.join("part-1/extra.txt"), "planted").unwrap();
    std::fs::remove_file(copy.join("README.txt")).unwrap();
    let text = failures(&check(&copy));
    assert!(text.contains("part-1/extra.txt was added"), "{text}");
    assert!(text.contains("README.txt is missing"), "{text}");
}

#[test]
fn a_statement_re_signed_by_someone_else_cannot_vouch_for_a_changed_event() {
    let (_temp, out) = v2_excerpt();
    let (_keep, copy) = fresh_copy(&out);
    change(
        &copy.join("part-1/events.jsonl"),
        "\"outcome\":\"success\"",
        "\"outcome\":\"failure\"",
    );
    // The forger rewrites the statement's file digests and signs it with their own key.
    let forger = Reviewer::from_key("Mallory", SigningKeyFile::from_seed("mallory", [0x66; 32]));
    let mut statement: Value =
        serde_json::from_slice(&std::fs::read(copy.join("statement.json")).unwrap()).unwrap();
    for file in statement["files"].as_array_mut().unwrap() {
        let path = copy.join(file["path"].as_str().unwrap());
        let hashed = trailscope::case::receipt::hash_file(&path, String::new()).unwrap();
        file["sha256"] = hashed.sha256.into();
        file["bytes"] = hashed.bytes.into();
    }
    statement["made_by"]["name"] = "Mallory".into();
    statement["made_by"]["public_key"] = forger.public_key_base64().into();
    statement.as_object_mut().unwrap().remove("signature");
    let message = trailscope::canonical::canonical_of_value(&statement, None);
    statement["signature"] = forger.signature_of(&message);
    std::fs::write(
        copy.join("statement.json"),
        serde_json::to_vec(&statement).unwrap(),
    )
    .unwrap();

    let checked = check(&copy);
    assert!(
        checked.statement_signed && checked.statement_problems.is_empty(),
        "{:?}",
        checked.statement_problems
    );
    assert!(
        !checked.holds(),
        "the producer's proof decides, not the statement"
    );
    let part = &checked.parts[0];
    let failed: Vec<&str> = part
        .events
        .iter()
        .filter_map(|e| e.problem.as_deref())
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].contains("its content does not hash to its body_hash"),
        "{failed:?}"
    );
    assert!(
        part.sentence
            .starts_with("NOT proven: 1 of the 2 chosen events fails"),
        "{}",
        part.sentence
    );
}

#[test]
fn a_format_1_excerpt_carries_the_chain_to_the_signed_head_and_says_why() {
    let fixture = Fixture::generated_v1(600, 1);
    let temp = tempfile::tempdir().unwrap();
    let mut case = case_of(temp.path(), &fixture.dir);
    let all = rows(&case);
    let seq_of = |i: usize| all[i].seq.unwrap();
    let (first, second) = (seq_of(99), seq_of(399));
    tag(&mut case, &[all[99].event_idx, all[399].event_idx], "v1");
    let out = temp.path().join("excerpt");
    let written =
        excerpt::write(&case, &maria(), &tagged("v1", "two changes"), &out, MADE_AT).unwrap();
    drop(case);
    let part = &written.parts[0];
    assert_eq!(part.method, Method::ChainToHead);
    assert_eq!(
        part.carried,
        600 - first as u64 + 1,
        "from the first chosen event to the head"
    );
    assert!(
        part.why
            .contains("format 1 binds an event only through every event after it"),
        "{}",
        part.why
    );

    let (_keep, copy) = fresh_copy(&out);
    let checked = check(&copy);
    assert!(checked.holds(), "{}", failures(&checked));
    assert!(
        checked.parts[0]
            .sentence
            .contains(&format!("{} events carried", part.carried))
    );

    // An event after the second chosen one is changed: neither chosen event is bound to
    // the signed head any more (v1 binds only through every later event).
    let (_keep2, copy) = fresh_copy(&out);
    let events = copy.join("part-1/events.jsonl");
    let mut lines: Vec<String> = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let later = (450 - first) as usize;
    lines[later] = lines[later].replacen("\"outcome\":\"", "\"outcome\":\"x", 1);
    std::fs::write(&events, lines.join("\n") + "\n").unwrap();
    let checked = check(&copy);
    assert!(!checked.holds());
    for event in &checked.parts[0].events {
        assert!(!event.proven, "{} is still called proven", event.what);
        assert!(
            event
                .problem
                .as_deref()
                .unwrap()
                .contains("not bound to the signed head"),
            "{:?}",
            event.problem
        );
    }
    assert!(
        checked.parts[0]
            .events
            .iter()
            .any(|e| e.what == format!("chain acme-prod seq {second}"))
    );
}

#[test]
fn a_source_without_integrity_is_excerpted_with_the_custody_receipt() {
    let temp = tempfile::tempdir().unwrap();
    let export = temp.path().join("okta.json");
    trailscope::produce::saas::write_export(
        &export,
        &trailscope::produce::saas::ExportRequest {
            format: "okta",
            shape: None,
            records: 300,
            seed: 3,
            quirks: false,
        },
    )
    .unwrap();
    let mut case = case_of(temp.path(), &export);
    let all = rows(&case);
    let picked = [all[3].event_idx, all[150].event_idx, all[299].event_idx];
    tag(&mut case, &picked, "okta");
    assert_eq!(
        excerpt::count_chosen(&case, &tagged("okta", "").filter).unwrap(),
        3
    );
    let nothing = excerpt::count_chosen(&case, &tagged("no-such-tag", "").filter).unwrap_err();
    assert!(
        nothing.to_string().contains("nothing to excerpt"),
        "{nothing}"
    );
    let out = temp.path().join("excerpt");
    let written =
        excerpt::write(&case, &maria(), &tagged("okta", "sign-ins"), &out, MADE_AT).unwrap();
    drop(case);
    assert_eq!(written.parts[0].method, Method::CustodyReceipt);
    assert!(
        written.parts[0]
            .why
            .starts_with("the source carries no integrity of its own"),
        "{}",
        written.parts[0].why
    );

    let (_keep, copy) = fresh_copy(&out);
    let checked = check(&copy);
    assert!(checked.holds(), "{}", failures(&checked));
    let part = &checked.parts[0];
    for idx in &picked {
        let row = all.iter().find(|r| r.event_idx == *idx).unwrap();
        let said = trailscope::query::sentence::sentence(&row.json().unwrap());
        assert!(
            part.events
                .iter()
                .any(|e| e.said.as_deref() == Some(said.as_str())),
            "{said:?} in {:?}",
            part.events
        );
    }
    let file_sha = trailscope::case::receipt::hash_file(&export, String::new())
        .unwrap()
        .sha256;
    assert!(
        part.sentence.starts_with("No integrity from the source."),
        "{}",
        part.sentence
    );
    assert!(
        part.sentence.contains(&file_sha),
        "the received file's SHA-256 is named: {}",
        part.sentence
    );
    assert!(
        part.sentence
            .contains("Maria Lopez received on 2026-03-01T09:00:00Z"),
        "{}",
        part.sentence
    );

    // One byte of a record as received: that record fails, by its place.
    let (_keep2, copy) = fresh_copy(&out);
    let records = copy.join("part-1/records.jsonl");
    change(&records, "\"eventType\\\"", "\"eventTypf\\\"");
    let checked = check(&copy);
    assert!(!checked.holds());
    let failed: Vec<&str> = checked.parts[0]
        .events
        .iter()
        .filter_map(|e| e.problem.as_deref())
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].starts_with("part-1/records.jsonl line 1 (record 4 of okta.json"),
        "{failed:?}"
    );
    assert!(
        failed[0].contains("does not lead to the Merkle root the receipt sealed"),
        "{failed:?}"
    );

    // The receipt itself changed: its signature fails, and nothing is proven by it.
    let (_keep3, copy) = fresh_copy(&out);
    change(
        &copy.join("part-1/receipt.json"),
        "\"count\":300",
        "\"count\":301",
    );
    let checked = check(&copy);
    assert!(
        failures(&checked).contains("part-1/receipt.json: the receipt's signature does not verify"),
        "{}",
        failures(&checked)
    );
}

#[test]
fn the_cli_writes_journals_and_verifies_an_excerpt() {
    let fixture = Fixture::generated(300, 1);
    let temp = tempfile::tempdir().unwrap();
    let case = temp.path().join("case.sqlite");
    let case_arg = case.to_str().unwrap();
    let keys = crate::support::trusted_keys_path();
    let output = run_trailscope(&[
        "import",
        "--case",
        case_arg,
        "--trusted-keys",
        keys.to_str().unwrap(),
        fixture.dir.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let id = {
        let opened = Case::open_read_only(&case).unwrap();
        rows(&opened)[42].id.clone().unwrap()
    };
    assert!(
        run_trailscope(&["star", "--case", case_arg, &id])
            .status
            .success()
    );
    let out = temp.path().join("x");
    let output = run_trailscope(&[
        "excerpt",
        "--case",
        case_arg,
        "--starred",
        "--why",
        "the approval",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(written["chosen"], 1);
    assert_eq!(written["parts"][0]["method"], "merkle-proof");

    let (_keep, copy) = fresh_copy(&out);
    let output = run_trailscope(&["verify", copy.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let checked: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(checked["holds"], true);
    assert_eq!(checked["statement"]["reason"], "the approval");
    assert_eq!(checked["parts"][0]["events"][0]["id"], id.as_str());

    let journal = run_trailscope(&["journal", "--case", case_arg]);
    let journal = String::from_utf8_lossy(&journal.stdout);
    assert!(
        journal.contains("excerpt.written") && journal.contains("count 1"),
        "{journal}"
    );
    // Nothing matches: a clear refusal, and no folder is made.
    let empty = temp.path().join("none");
    let output = run_trailscope(&[
        "excerpt",
        "--case",
        case_arg,
        "--tag",
        "nothing",
        "--out",
        empty.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no events match the selection"));
    assert!(!empty.exists());
}

#[test]
fn hostile_excerpts_are_refused_or_reported_and_nothing_outside_is_read() {
    let (_temp, out) = v2_excerpt();
    // Not an excerpt at all.
    let plain = tempfile::tempdir().unwrap();
    assert!(excerpt::check(plain.path(), &TrustedKeys::default()).is_err());
    std::fs::write(plain.path().join("statement.json"), b"{not json").unwrap();
    let error = excerpt::check(plain.path(), &TrustedKeys::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("statement.json is not JSON"), "{error}");

    // A part folder naming a place outside the excerpt is not read.
    let (_keep, copy) = fresh_copy(&out);
    change(
        &copy.join("statement.json"),
        "\"dir\": \"part-1\"",
        "\"dir\": \"../../..\"",
    );
    let text = failures(&check(&copy));
    assert!(
        text.contains("\"../../..\" is not a part folder name; it was not read"),
        "{text}"
    );

    // A file replaced by a link to a file elsewhere is not followed.
    let (_keep2, copy) = fresh_copy(&out);
    let outside = copy.parent().unwrap().join("outside.json");
    std::fs::copy(copy.join("part-1/manifest.json"), &outside).unwrap();
    std::fs::remove_file(copy.join("part-1/manifest.json")).unwrap();
    std::os::unix::fs::symlink(&outside, copy.join("part-1/manifest.json")).unwrap();
    let text = failures(&check(&copy));
    assert!(
        text.contains("part-1/manifest.json is a link; it was not followed"),
        "{text}"
    );

    // A line beyond the limit stops the reading with a message, not a hang or a crash.
    let (_keep3, copy) = fresh_copy(&out);
    let huge = vec![b'x'; (16 << 20) + 10];
    std::fs::write(copy.join("part-1/proofs.jsonl"), huge).unwrap();
    let text = failures(&check(&copy));
    assert!(
        text.contains("part-1/proofs.jsonl line 1 is longer than"),
        "{text}"
    );
}

/// The lines `from..to` (0-based) of `fixture`'s one chain as a bundle of their own at
/// `dir`, with the manifest a producer holding the whole chain up to `to` writes: its
/// Merkle root covers seq 1 to `to`.
fn v2_part(fixture: &Fixture, from: usize, to: usize, dir: &Path) {
    use trailscope::canonical::{parse_hash_hex, sha256, to_hex};
    let lines = fixture.lines();
    let hash =
        |i: usize| -> Value { serde_json::from_str::<Value>(&lines[i]).unwrap()["hash"].clone() };
    let mut tree = trailscope::merkle::TreeBuilder::new();
    for line in &lines[..to] {
        tree.push(&parse_hash_hex(hash_text(line).as_str()).unwrap());
    }
    std::fs::create_dir_all(dir).unwrap();
    let events = lines[from..to].join("\n") + "\n";
    std::fs::write(dir.join("events.jsonl"), &events).unwrap();
    let mut manifest = fixture.manifest();
    let chain = &mut manifest["chains"][0];
    chain["first_seq"] = (from as u64 + 1).into();
    chain["last_seq"] = (to as u64).into();
    chain["event_count"] = ((to - from) as u64).into();
    chain["start_prev_hash"] = if from == 0 {
        chain["start_prev_hash"].clone()
    } else {
        hash(from - 1)
    };
    chain["head_hash"] = hash(to - 1);
    chain["merkle_root"] = to_hex(&tree.root()).into();
    manifest["files"][0]["sha256"] = to_hex(&sha256(events.as_bytes())).into();
    manifest["files"][0]["bytes"] = events.len().into();
    trailscope::produce::sign_manifest(&mut manifest, &crate::support::test_key());
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
}

fn hash_text(line: &str) -> String {
    serde_json::from_str::<Value>(line).unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_format_2_segment_is_proven_to_its_head_until_the_case_holds_its_chain_from_seq_1() {
    let fixture = Fixture::generated(60, 1);
    let temp = tempfile::tempdir().unwrap();
    let (head_part, tail_part) = (
        temp.path().join("seq-1-to-20"),
        temp.path().join("seq-21-to-60"),
    );
    v2_part(&fixture, 0, 20, &head_part);
    v2_part(&fixture, 20, 60, &tail_part);
    let mut case = case_of(temp.path(), &tail_part);
    let chosen = rows(&case)
        .iter()
        .find(|r| r.seq == Some(30))
        .unwrap()
        .event_idx;
    tag(&mut case, &[chosen], "seg");

    // Only seq 21 to 60 held: no inclusion proof can be made, the chain to the head can.
    let out = temp.path().join("segment-excerpt");
    let written =
        excerpt::write(&case, &maria(), &tagged("seg", "one change"), &out, MADE_AT).unwrap();
    let part = &written.parts[0];
    assert_eq!(part.method, Method::ChainToHead);
    assert_eq!(part.carried, 31, "seq 30 to 60");
    assert!(
        part.why
            .starts_with("the case does not hold seq 1 of chain acme-prod;"),
        "{}",
        part.why
    );
    let (_keep, copy) = fresh_copy(&out);
    assert!(check(&copy).holds(), "{}", failures(&check(&copy)));

    // With the first 20 imported too, the chain is held from seq 1 across two sources,
    // and the same event travels alone with its proof.
    add_source(&mut case, &head_part);
    let out = temp.path().join("whole-excerpt");
    let written =
        excerpt::write(&case, &maria(), &tagged("seg", "one change"), &out, MADE_AT).unwrap();
    assert_eq!(written.parts[0].method, Method::MerkleProof);
    assert_eq!(written.parts[0].carried, 1);
    let (_keep2, copy) = fresh_copy(&out);
    let checked = check(&copy);
    assert!(checked.holds(), "{}", failures(&checked));
    assert_eq!(checked.parts[0].events[0].what, "chain acme-prod seq 30");
}
