//! Evidence excerpts of AWS CloudTrail records: a generated trail (real RSA keys, signed
//! digests, a key rotation) imported into a case, a few records chosen, the excerpt
//! copied to a fresh folder with no case and checked there, by the engine and by the
//! real binary. One changed byte in a log file, a digest or a keys file, or a log file
//! removed, each breaks it and is named; a trail moved or changed since it was received
//! falls back to the custody receipt and says why; a ZIP-received trail is read from the
//! ZIP; a digest whose signature only its successor records travels with it.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::TrustedKeys;
use trailscope::VerifyOptions;
use trailscope::case::{Case, Subject};
use trailscope::excerpt::{self, ExcerptCheck, ExcerptWritten, Method, PartCheck, Selection};
use trailscope::produce::cloudtrail::{
    BuiltTrail, HeadObjects, TrailPlan, build_trail, gzip, trusted_keys_json,
};
use trailscope::query::{EventFilter, EventRow};

use crate::excerpt::{fresh_copy, maria, rows};
use crate::support::{IMPORTED_AT, run_trailscope};

const MADE_AT: &str = "2026-12-03T10:00:00Z";
const TAG: &str = "exfiltration";

/// One region, five hours, two log files an hour of four records; the key rotates at
/// hour 3, so records of hours 1 and 3 are signed by two different AWS keys.
fn plan(head_objects: HeadObjects) -> TrailPlan {
    TrailPlan {
        regions: vec!["us-east-1".into()],
        hours: 5,
        logs_per_hour: 2,
        records_per_log: 4,
        rotate_at: 3,
        head_objects,
        ..TrailPlan::default()
    }
}

/// AWS's keys as the reviewer (or the checker) fetched them.
fn aws_keys(plan: &TrailPlan) -> TrustedKeys {
    TrustedKeys::parse(&trusted_keys_json(plan), Path::new("aws-keys.json")).unwrap()
}

/// A generated trail in a temp dir, and a case beside it.
struct Trail {
    temp: tempfile::TempDir,
    plan: TrailPlan,
    built: BuiltTrail,
}

impl Trail {
    fn new(plan: TrailPlan) -> Trail {
        let temp = tempfile::tempdir().unwrap();
        let built = build_trail(&temp.path().join("evidence"), &plan).unwrap();
        Trail { temp, plan, built }
    }

    fn root(&self) -> PathBuf {
        self.temp.path().join("evidence")
    }

    /// Log file `k` of hour `h`, relative to the root.
    fn log(&self, h: usize, k: usize) -> &str {
        &self.built.regions[0].logs[h * self.plan.logs_per_hour + k]
    }

    fn digest(&self, h: usize) -> &str {
        &self.built.regions[0].digests[h].path
    }

    /// Imports `source` (the folder, or a ZIP of it) into a new case as Maria, trusting
    /// AWS's keys.
    fn import(&self, source: &Path) -> Case {
        let mut case = Case::open(&self.temp.path().join("case.sqlite")).unwrap();
        case.set_reviewer(maria());
        let options = VerifyOptions {
            trusted_keys: aws_keys(&self.plan),
            ..VerifyOptions::default()
        };
        trailscope::case::import_bundle(&mut case, source, &options, IMPORTED_AT, &mut |_| {
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
        case
    }

    /// Tags `records` ((log file, record number)) and writes their excerpt.
    fn excerpt(&self, case: &mut Case, records: &[(&str, i64)]) -> (ExcerptWritten, Vec<EventRow>) {
        let rows = rows(case);
        let picked: Vec<EventRow> = records
            .iter()
            .map(|(file, line)| {
                rows.iter()
                    .find(|r| r.file == *file && r.line == *line)
                    .unwrap_or_else(|| panic!("record {line} of {file} is in the case"))
                    .clone()
            })
            .collect();
        for row in &picked {
            case.tag(&Subject::Event(row.event_idx), TAG).unwrap();
        }
        let selection = Selection {
            filter: EventFilter {
                tags: vec![TAG.to_owned()],
                ..EventFilter::default()
            },
            reason: Some("the keys read out of the vault".to_owned()),
        };
        let out = self.temp.path().join("excerpt");
        let written = excerpt::write(case, &maria(), &selection, &out, MADE_AT).unwrap();
        (written, picked)
    }
}

/// The `eventID` of record `number` of a log file, read here with flate2 and serde_json.
fn event_id(log: &Path, number: usize) -> String {
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(log).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    let value: Value = serde_json::from_slice(&text).unwrap();
    value["Records"][number - 1]["eventID"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Every file under `dir`, relative, with `/`.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(at) = pending.pop() {
        for item in std::fs::read_dir(&at).unwrap() {
            let path = item.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(relative);
            }
        }
    }
    out.sort();
    out
}

fn check(dir: &Path, trusted: &TrustedKeys) -> ExcerptCheck {
    excerpt::check(dir, trusted).expect("readable as an excerpt")
}

/// What the part itself names as failing (not the statement's file pins).
fn part_failures(part: &PartCheck) -> String {
    let mut all = part.problems.clone();
    all.extend(part.events.iter().filter_map(|e| e.problem.clone()));
    all.join("\n")
}

/// Flips every bit of the byte in the middle of `file`.
fn flip_middle_byte(file: &Path) {
    let mut bytes = std::fs::read(file).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0xff;
    std::fs::write(file, bytes).unwrap();
}

#[test]
fn chosen_cloudtrail_records_travel_with_their_signed_digests_and_verify_alone() {
    let trail = Trail::new(plan(HeadObjects::All));
    let mut case = trail.import(&trail.root());
    let chosen = [
        (trail.log(1, 0), 2),
        (trail.log(1, 0), 4),
        (trail.log(3, 1), 1),
    ];
    let (written, picked) = trail.excerpt(&mut case, &chosen);
    drop(case);
    assert_eq!(written.chosen, 3);
    assert_eq!(written.parts.len(), 1);
    let part = &written.parts[0];
    assert_eq!(part.method, Method::CloudTrailDigest, "{}", part.why);
    assert_eq!(part.kind, "cloudtrail");
    assert_eq!(part.carried, 8, "two whole log files of four records");

    // The part is a small evidence folder: exactly the two log files, the digests of
    // hours 1 and 3 with their head-object files, the keys, and the receipt — each
    // byte for byte as received.
    let out = written.dir.clone();
    let mut expected: Vec<String> = vec![
        trail.log(1, 0).to_owned(),
        trail.log(3, 1).to_owned(),
        trail.digest(1).to_owned(),
        trail.digest(3).to_owned(),
        format!("digest-signatures/{}.json", trail.digest(1)),
        format!("digest-signatures/{}.json", trail.digest(3)),
        "public-keys/us-east-1.json".to_owned(),
    ];
    for file in &expected {
        assert_eq!(
            std::fs::read(out.join("part-1").join(file)).unwrap(),
            std::fs::read(trail.root().join(file)).unwrap(),
            "{file} is carried as received"
        );
    }
    expected.push("receipt.json".to_owned());
    expected.sort();
    assert_eq!(files_under(&out.join("part-1")), expected);

    let (_keep, copy) = fresh_copy(&out);
    let checked = check(&copy, &TrustedKeys::default());
    let part = &checked.parts[0];
    assert!(
        checked.holds(),
        "{}\n{}",
        part_failures(part),
        part.sentence
    );
    assert_eq!(part.method, Some(Method::CloudTrailDigest));
    assert_eq!(part.events.len(), 3);
    for ((file, number), row) in chosen.iter().zip(&picked) {
        let truth = event_id(&trail.root().join(file), *number as usize);
        assert_eq!(
            row.id.as_deref(),
            Some(truth.as_str()),
            "the case's id is the eventID"
        );
        let event = part
            .events
            .iter()
            .find(|e| e.what == format!("record {number} of {file}"))
            .unwrap_or_else(|| panic!("record {number} of {file} is checked: {:?}", part.events));
        assert!(event.proven, "{:?}", event.problem);
        assert_eq!(event.id.as_deref(), Some(truth.as_str()));
        // Said in the words the case uses for the same record.
        let said = trailscope::query::sentence::sentence(&row.json().unwrap());
        assert_eq!(event.said.as_deref(), Some(said.as_str()));
    }
    assert!(
        part.sentence.starts_with("Each of the 3 records is, unchanged, in a log file whose SHA-256 AWS CloudTrail listed in its hourly digest file"),
        "{}",
        part.sentence
    );
    assert!(
        part.sentence
            .contains("2026-03-01T01:01:31Z to 2026-03-01T02:01:31Z"),
        "{}",
        part.sentence
    );
    assert!(part.sentence.contains("Not examined"), "{}", part.sentence);
    let trust = part.trust.as_deref().unwrap_or_default();
    assert!(
        trust.contains("you have not said you trust them")
            && trust.contains("the reviewer who made the excerpt trusted them")
            && trust.contains("--trusted-keys with trailscope verify"),
        "{trust}"
    );

    // With AWS's keys of their own, the checker has nothing left to take on trust.
    let trusting = check(&copy, &aws_keys(&trail.plan));
    assert!(trusting.holds());
    assert_eq!(trusting.parts[0].trust, None);

    // The real binary says the same, and exits 0.
    let output = run_trailscope(&["verify", copy.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("The excerpt holds: all 3 events are proven"),
        "{stdout}"
    );
}

/// One way of tampering with a file of the excerpt.
type Tamper = fn(&Path);

/// Changes one base64 character of the first key's bytes in a keys file.
fn change_first_key(file: &Path) {
    let text = std::fs::read_to_string(file).unwrap();
    let at = text.find("\"Value\":\"").unwrap() + "\"Value\":\"".len() + 60;
    let mut bytes = text.into_bytes();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(file, bytes).unwrap();
}

#[test]
fn one_changed_byte_or_a_removed_log_file_breaks_the_part_and_names_the_file() {
    let trail = Trail::new(plan(HeadObjects::All));
    let mut case = trail.import(&trail.root());
    let (written, _) = trail.excerpt(&mut case, &[(trail.log(1, 0), 3), (trail.log(3, 1), 2)]);
    drop(case);
    let log = format!("part-1/{}", trail.log(1, 0));
    let other_log = format!("part-1/{}", trail.log(3, 1));
    let digest = format!("part-1/{}", trail.digest(1));
    let keys = "part-1/public-keys/us-east-1.json".to_owned();

    let cases: [(&str, &String, Tamper); 4] = [
        ("a byte of a log file", &log, flip_middle_byte),
        ("a byte of a digest file", &digest, flip_middle_byte),
        ("a byte of the keys file", &keys, change_first_key),
        ("a log file removed", &other_log, |f| {
            std::fs::remove_file(f).unwrap()
        }),
    ];
    for (what, file, tamper) in cases {
        let (_keep, copy) = fresh_copy(&written.dir);
        tamper(&copy.join(file));
        let checked = check(&copy, &TrustedKeys::default());
        assert!(!checked.holds(), "{what}");
        let part = &checked.parts[0];
        assert!(
            !part.proven(),
            "{what}: the part itself fails, not only the statement"
        );
        let failures = part_failures(part);
        assert!(
            failures.contains(file.as_str()),
            "{what}: {file} is named in:\n{failures}"
        );
        assert!(
            part.sentence.starts_with("NOT proven"),
            "{what}: {}",
            part.sentence
        );
        // The statement pins every file too, and says so.
        assert!(
            checked
                .statement_problems
                .iter()
                .any(|p| p.contains(file.as_str())),
            "{what}: {:?}",
            checked.statement_problems
        );
    }

    // Each tampering reaches the right records: a changed log file fails its own
    // records, and leaves the other log file's proven.
    let (_keep, copy) = fresh_copy(&written.dir);
    flip_middle_byte(&copy.join(&log));
    let checked = check(&copy, &aws_keys(&trail.plan));
    let part = &checked.parts[0];
    let proven: Vec<bool> = part.events.iter().map(|e| e.proven).collect();
    assert_eq!(proven, [false, true], "{:?}", part.events);
    assert!(
        part.events[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("it was changed"),
        "{:?}",
        part.events[0]
    );
}

#[test]
fn a_trail_moved_or_changed_since_it_was_received_falls_back_to_the_custody_receipt() {
    // Moved away after the import: the excerpt says so and proves custody instead.
    let trail = Trail::new(plan(HeadObjects::All));
    let mut case = trail.import(&trail.root());
    std::fs::rename(trail.root(), trail.temp.path().join("elsewhere")).unwrap();
    let (written, _) = trail.excerpt(&mut case, &[(trail.log(2, 1), 1)]);
    drop(case);
    let part = &written.parts[0];
    assert_eq!(part.method, Method::CustodyReceipt);
    assert!(part.why.contains("no longer at"), "{}", part.why);
    assert!(
        part.why.contains("AWS's signed digest files cannot travel"),
        "{}",
        part.why
    );
    assert!(!written.dir.join("part-1/AWSLogs").exists());
    let (_keep, copy) = fresh_copy(&written.dir);
    let checked = check(&copy, &TrustedKeys::default());
    assert!(checked.holds(), "{}", part_failures(&checked.parts[0]));
    assert_eq!(checked.parts[0].method, Some(Method::CustodyReceipt));

    // Changed after the import (a record edited in a chosen log file): the same.
    let trail = Trail::new(plan(HeadObjects::All));
    let mut case = trail.import(&trail.root());
    let edited = trail.root().join(trail.log(2, 1));
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&edited).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    let mut value: Value = serde_json::from_slice(&text).unwrap();
    value["Records"][0]["sourceIPAddress"] = "198.51.100.66".into();
    std::fs::write(&edited, gzip(&serde_json::to_vec(&value).unwrap())).unwrap();
    let (written, _) = trail.excerpt(&mut case, &[(trail.log(2, 1), 1)]);
    let part = &written.parts[0];
    assert_eq!(part.method, Method::CustodyReceipt);
    assert!(
        part.why.contains("has changed since it was received"),
        "{}",
        part.why
    );
    assert!(part.why.contains(trail.log(2, 1)), "{}", part.why);
    assert!(
        !written.dir.join("part-1/AWSLogs").exists(),
        "nothing of the trail is left behind"
    );
}

#[test]
fn a_trail_received_as_a_zip_is_excerpted_from_the_zip() {
    use std::io::Write;
    let trail = Trail::new(plan(HeadObjects::All));
    let zip = trail.temp.path().join("evidence.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
    for file in files_under(&trail.root()) {
        writer
            .start_file(
                format!("evidence/{file}"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
        writer
            .write_all(&std::fs::read(trail.root().join(&file)).unwrap())
            .unwrap();
    }
    writer.finish().unwrap();
    // Only the ZIP remains: the excerpt can come from nowhere else.
    std::fs::remove_dir_all(trail.root()).unwrap();
    let mut case = trail.import(&zip);
    let (written, _) = trail.excerpt(&mut case, &[(trail.log(4, 0), 2)]);
    drop(case);
    assert_eq!(
        written.parts[0].method,
        Method::CloudTrailDigest,
        "{}",
        written.parts[0].why
    );
    assert!(written.dir.join("part-1").join(trail.log(4, 0)).is_file());
    assert!(written.dir.join("part-1").join(trail.digest(4)).is_file());
    let (_keep, copy) = fresh_copy(&written.dir);
    let checked = check(&copy, &aws_keys(&trail.plan));
    assert!(checked.holds(), "{}", part_failures(&checked.parts[0]));
    assert_eq!(checked.parts[0].trust, None);

    // A ZIP changed since it was received is not read for an excerpt.
    let mut bytes = std::fs::read(&zip).unwrap();
    bytes.extend_from_slice(b"appended");
    std::fs::write(&zip, bytes).unwrap();
    let mut case = Case::open(&trail.temp.path().join("case.sqlite")).unwrap();
    case.set_reviewer(maria());
    let selection = Selection {
        filter: EventFilter {
            tags: vec![TAG.to_owned()],
            ..EventFilter::default()
        },
        reason: None,
    };
    let again = excerpt::write(
        &case,
        &maria(),
        &selection,
        &trail.temp.path().join("again"),
        MADE_AT,
    )
    .unwrap();
    assert_eq!(again.parts[0].method, Method::CustodyReceipt);
    assert!(
        again.parts[0]
            .why
            .contains("has changed since it was received"),
        "{}",
        again.parts[0].why
    );
}

#[test]
fn a_digest_without_its_head_object_travels_with_the_next_digest_that_records_its_signature() {
    let trail = Trail::new(plan(HeadObjects::None));
    let mut case = trail.import(&trail.root());
    let (written, _) = trail.excerpt(&mut case, &[(trail.log(1, 1), 4)]);
    drop(case);
    assert_eq!(
        written.parts[0].method,
        Method::CloudTrailDigest,
        "{}",
        written.parts[0].why
    );
    let part_dir = written.dir.join("part-1");
    assert!(part_dir.join(trail.digest(1)).is_file());
    assert!(
        part_dir.join(trail.digest(2)).is_file(),
        "the successor carries the signature"
    );
    assert!(!part_dir.join("digest-signatures").exists());
    let (_keep, copy) = fresh_copy(&written.dir);
    let checked = check(&copy, &aws_keys(&trail.plan));
    assert!(checked.holds(), "{}", part_failures(&checked.parts[0]));

    // The newest hour's digest has neither: AWS's signature cannot travel, and the
    // excerpt says so and falls back.
    let trail = Trail::new(plan(HeadObjects::None));
    let mut case = trail.import(&trail.root());
    let (written, _) = trail.excerpt(&mut case, &[(trail.log(4, 0), 1)]);
    let part = &written.parts[0];
    assert_eq!(part.method, Method::CustodyReceipt);
    assert!(part.why.contains("carries its signature"), "{}", part.why);
}
