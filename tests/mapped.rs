//! The mapped source: any CSV, JSON Lines or JSON array file read through a mapping,
//! against the truth the test itself wrote into the file. Such a file carries no
//! integrity: its verdict is `unverifiable` (exit 4), its coverage is measured, a record
//! that cannot be read is kept and reported, and a record that does not fit the mapping
//! stops the read naming the record and the field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use trailscope::case::{Case, case_status, import_source, reverify};
use trailscope::query::{EventFilter, Order, list_actors, list_events, timeline};
use trailscope::source::{Mapping, verify_source};
use trailscope::verify::DimensionStatus;
use trailscope::{Error, FindingKind, Verdict, VerifyOptions};

use crate::support::*;

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// One row of the test's own truth.
#[derive(Debug, Clone)]
struct Row {
    /// Local time in Madrid, `dd/mm/yyyy HH:MM:SS`.
    when: String,
    /// The same instant in UTC, RFC 3339 with milliseconds.
    utc: String,
    who: String,
    name: String,
    action: String,
    order: String,
    result: &'static str,
    status: String,
}

/// 120 events over 10 days of January 2026 (Madrid is UTC+1 then), skipping days 4
/// and 7: three people acting on six orders.
fn rows() -> Vec<Row> {
    let people = [
        ("maria", "Maria Lopez"),
        ("omar", "Omar Haddad"),
        ("li", "Li Wei"),
    ];
    let statuses = ["Draft", "Pending Review", "Approved", "Shipped"];
    let mut rows = Vec::new();
    let mut i = 0;
    for day in (1..=10).filter(|d| *d != 4 && *d != 7) {
        for slot in 0..15 {
            let (who, name) = people[i % 3];
            let hour = 8 + slot / 2;
            let minute = (slot % 2) * 30;
            rows.push(Row {
                when: format!("{day:02}/01/2026 {hour:02}:{minute:02}:00"),
                utc: format!("2026-01-{day:02}T{:02}:{minute:02}:00.000Z", hour - 1),
                who: who.into(),
                name: name.into(),
                action: if i % 10 == 9 {
                    "order.deleted"
                } else {
                    "order.updated"
                }
                .into(),
                order: format!("{}", 1840 + i % 6),
                result: if i % 10 == 9 { "403" } else { "OK" },
                status: statuses[(i / 6) % 4].into(),
            });
            i += 1;
        }
    }
    rows
}

const MAPPING: &str = r#"
name = "Acme ERP audit export"
[time]
format = "%d/%m/%Y %H:%M:%S"
timezone = "Europe/Madrid"
[fields]
id = { hash_of_record = true }
ts = "When"
"actor.id" = "Who"
"actor.name" = "Name"
"actor.type" = { value = "user" }
action = "What"
"target.type" = { value = "Order" }
"target.id" = "Order"
outcome = "Result"
after = "New"
[values.outcome]
OK = "success"
"403" = "denied"
"#;

fn csv_text(rows: &[Row]) -> String {
    let mut text = String::from("When,Who,Name,What,Order,Result,New\r\n");
    for r in rows {
        let new = if r.result == "OK" {
            format!("\"{{\"\"status\"\":\"\"{}\"\"}}\"", r.status)
        } else {
            String::new()
        };
        text.push_str(&format!(
            "{},{},{},{},{},{},{new}\r\n",
            r.when, r.who, r.name, r.action, r.order, r.result
        ));
    }
    text
}

fn json_record(r: &Row) -> Value {
    let mut record = json!({"When": r.when, "Who": r.who, "Name": r.name, "What": r.action,
                            "Order": r.order, "Result": r.result});
    if r.result == "OK" {
        record["New"] = json!({"status": r.status});
    }
    record
}

struct Files {
    temp: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files {
            temp: tempfile::tempdir().unwrap(),
        }
    }
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.temp.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

fn mapping() -> Mapping {
    Mapping::parse(MAPPING).unwrap()
}

fn import(
    case: &Path,
    file: &Path,
    mapping: &Mapping,
) -> trailscope::Result<trailscope::case::ImportOutcome> {
    let mut case = Case::open(case).unwrap();
    import_source(
        &mut case,
        file,
        Some(mapping),
        &VerifyOptions::default(),
        IMPORTED_AT,
        &mut |_| std::ops::ControlFlow::Continue(()),
    )
}

/// Every stored event as (ts, actor, action, target, outcome, after), oldest first.
fn stored(case: &Case) -> Vec<(i64, String, String, String, String, Value)> {
    let page = list_events(
        case,
        &EventFilter::default(),
        Order::OldestFirst,
        10_000,
        None,
    )
    .unwrap();
    page.rows
        .iter()
        .map(|row| {
            let event = row.json().unwrap();
            (
                row.ts.unwrap(),
                event["actor"]["id"].as_str().unwrap().to_owned(),
                event["action"].as_str().unwrap().to_owned(),
                format!(
                    "{}:{}",
                    event["target"]["type"].as_str().unwrap(),
                    event["target"]["id"].as_str().unwrap()
                ),
                event["outcome"].as_str().unwrap().to_owned(),
                event["after"].clone(),
            )
        })
        .collect()
}

#[test]
fn a_csv_json_lines_and_json_array_of_the_same_records_give_the_same_events() {
    let files = Files::new();
    let truth = rows();
    let csv = files.write("erp.csv", csv_text(&truth));
    let jsonl = files.write(
        "erp.jsonl",
        truth
            .iter()
            .map(|r| json_record(r).to_string() + "\n")
            .collect::<String>(),
    );
    let array = files.write(
        "erp.json",
        serde_json::to_vec_pretty(&truth.iter().map(json_record).collect::<Vec<_>>()).unwrap(),
    );
    let expected: Vec<(i64, String, String, String, String, Value)> = truth
        .iter()
        .map(|r| {
            (
                millis(&r.utc),
                r.who.clone(),
                r.action.clone(),
                format!("Order:{}", r.order),
                if r.result == "OK" {
                    "success"
                } else {
                    "denied"
                }
                .to_owned(),
                if r.result == "OK" {
                    json!({"status": r.status})
                } else {
                    Value::Null
                },
            )
        })
        .collect();
    for file in [&csv, &jsonl, &array] {
        let case_path = files.temp.path().join(format!(
            "{}.case",
            file.file_name().unwrap().to_string_lossy()
        ));
        let outcome = import(&case_path, file, &mapping()).unwrap();
        assert_eq!(outcome.verdict(), Verdict::Unverifiable, "{file:?}");
        assert_eq!(outcome.events_added, truth.len() as u64);
        let case = Case::open_read_only(&case_path).unwrap();
        assert_eq!(stored(&case), expected, "{file:?}");

        // Filter by actor: exactly that person's events, from the file's own truth.
        let actors = list_actors(&case).unwrap();
        let counts: BTreeMap<String, i64> = actors
            .iter()
            .map(|a| (a.actor_id.clone(), a.n_events))
            .collect();
        let mut truth_counts: BTreeMap<String, i64> = BTreeMap::new();
        for r in &truth {
            *truth_counts.entry(r.who.clone()).or_default() += 1;
        }
        assert_eq!(counts, truth_counts);
        let denials: i64 = actors.iter().map(|a| a.n_denials).sum();
        assert_eq!(
            denials,
            truth.iter().filter(|r| r.result == "403").count() as i64
        );

        // A record's history and its state at the end, folded from the file.
        let history = timeline(&case, "Order", "1841", None).unwrap();
        let of_1841: Vec<&Row> = truth.iter().filter(|r| r.order == "1841").collect();
        assert_eq!(history.entries.len(), of_1841.len());
        let last_status = of_1841.iter().rev().find(|r| r.result == "OK").unwrap();
        assert_eq!(history.state.fields["status"], json!(last_status.status));

        // Re-verification finds nothing changed, and says what it could check.
        let checked = reverify(&case).unwrap();
        assert_eq!(checked.findings, vec![]);
        assert_eq!(checked.n_without_integrity, truth.len() as u64);
    }
}

#[test]
fn a_mapped_file_is_unverifiable_with_its_coverage_measured() {
    let files = Files::new();
    let csv = files.write("erp.csv", csv_text(&rows()));
    let report = verify_source(&csv, Some(&mapping()), &VerifyOptions::default()).unwrap();
    assert_eq!(report.verdict(), Verdict::Unverifiable);
    let stream = &report.chains[0];
    for dimension in [&stream.integrity, &stream.linkage, &stream.authenticity] {
        assert_eq!(dimension.status, DimensionStatus::Unproven);
        assert_eq!(
            dimension.detail,
            "not provable: this source carries no hash chain or signature"
        );
    }
    // 1 to 10 January: ten days, two of them (4 and 7) without events.
    assert!(
        stream
            .coverage
            .detail
            .contains("10 days (UTC), 2 days without events"),
        "{}",
        stream.coverage.detail
    );
    assert!(report.headline().starts_with("Unverifiable: 120 events"));
    assert!(!report.headline().contains("Intact"));

    // The command line: exit 4, in verify, import and status alike.
    let map = files.write("erp.toml", MAPPING);
    let output = run_trailscope(&[
        "verify",
        path_str(&csv),
        "--mapping",
        path_str(&map),
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(4));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["verdict"], "unverifiable");
    assert_eq!(json["bundle"]["source"], "mapped");
    let case = files.temp.path().join("cli.case");
    let output = run_trailscope(&[
        "import",
        "--case",
        path_str(&case),
        "--mapping",
        path_str(&map),
        path_str(&csv),
    ]);
    assert_eq!(
        output.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = run_trailscope(&["status", "--case", path_str(&case)]);
    assert_eq!(output.status.code(), Some(4));

    // `events --format json`: our field names, the provenance, the record as it arrived.
    let output = run_trailscope(&[
        "events",
        "--case",
        path_str(&case),
        "--format",
        "json",
        "--oldest-first",
        "--limit",
        "1",
    ]);
    let event: Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &rows()[0];
    assert_eq!(event["actor"]["id"], json!(first.who));
    assert_eq!(event["ts"], json!(first.utc));
    assert_eq!(event["provenance"]["source"], "mapped");
    assert_eq!(event["provenance"]["line"], 2);
    let line = csv_text(&rows()).lines().nth(1).unwrap().to_owned();
    assert_eq!(event["record"], json!(line));
}

#[test]
fn a_record_that_does_not_fit_the_mapping_names_the_record_and_the_field() {
    let files = Files::new();
    let mut truth = rows();
    truth[56].when = "31/02/2026 25:00:00".into();
    let csv = files.write("erp.csv", csv_text(&truth));
    let error = verify_source(&csv, Some(&mapping()), &VerifyOptions::default()).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::Mapping { .. }), "{message}");
    assert!(
        message.contains("record 57 (line 58,")
            && message.contains("field ts")
            && message.contains("31/02/2026 25:00:00"),
        "{message}"
    );
    // A column the header does not have is named before any record is read.
    let other =
        Mapping::parse(&MAPPING.replace("\"actor.id\" = \"Who\"", "\"actor.id\" = \"User\""))
            .unwrap();
    let message = verify_source(&csv, Some(&other), &VerifyOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("column \"User\"") && message.contains("When, Who, Name"),
        "{message}"
    );
    // Nothing is imported from a file that does not fit.
    let case = files.temp.path().join("misfit.case");
    assert!(import(&case, &csv, &mapping()).is_err());
    assert!(
        case_status(&Case::open_read_only(&case).unwrap())
            .unwrap()
            .bundles
            .is_empty()
    );
}

#[test]
fn unreadable_records_are_kept_and_reported_and_a_broken_file_is_refused() {
    let files = Files::new();
    let mut text = csv_text(&rows()[..10]).into_bytes();
    text.extend_from_slice(b"only,three,fields\r\n");
    text.extend_from_slice(b"01/01/2026 09:00:00,li,Li \xff Wei,order.updated,1840,OK,\r\n");
    let csv = files.write("bad.csv", &text);
    let case_path = files.temp.path().join("bad.case");
    let outcome = import(&case_path, &csv, &mapping()).unwrap();
    assert_eq!(
        outcome.verdict(),
        Verdict::Unverifiable,
        "warnings never break it"
    );
    let located: Vec<(FindingKind, Option<u64>)> = outcome
        .report
        .findings
        .iter()
        .map(|f| (f.kind, f.line))
        .collect();
    assert_eq!(
        located,
        vec![
            (FindingKind::MalformedRecord, Some(12)),
            (FindingKind::MalformedRecord, Some(13))
        ]
    );
    let case = Case::open_read_only(&case_path).unwrap();
    assert_eq!(case_status(&case).unwrap().n_malformed, 2);

    // A JSON array cut off, or followed by more data, is refused whole.
    let record = json_record(&rows()[0]).to_string();
    for (name, text, reason) in [
        ("cut.json", format!("[{record}, {{\"Wh"), "cut off"),
        (
            "trailing.json",
            format!("[{record}] []"),
            "after the JSON array",
        ),
    ] {
        let path = files.write(name, text);
        let error = verify_source(&path, Some(&mapping()), &VerifyOptions::default()).unwrap_err();
        assert!(error.to_string().contains(reason), "{error}");
    }

    // A header and no records: nothing to verify or import.
    let empty = files.write("empty.csv", "When,Who,Name,What,Order,Result,New\n");
    let report = verify_source(&empty, Some(&mapping()), &VerifyOptions::default()).unwrap();
    assert_eq!(report.verdict(), Verdict::Empty);
}

#[test]
fn the_same_file_is_imported_once_per_mapping_and_beside_a_verified_bundle() {
    let files = Files::new();
    let csv = files.write("erp.csv", csv_text(&rows()));
    let case_path = files.temp.path().join("mixed.case");
    let f = Fixture::generated(50, 1);
    let bundle = import_into(&case_path, &f.dir);
    assert_eq!(bundle.verdict(), Verdict::Verified);
    assert!(
        !import(&case_path, &csv, &mapping())
            .unwrap()
            .already_imported
    );
    assert!(
        import(&case_path, &csv, &mapping())
            .unwrap()
            .already_imported
    );
    let other =
        Mapping::parse(&MAPPING.replace("name = \"Acme ERP audit export\"", "name = \"other\""))
            .unwrap();
    assert!(!import(&case_path, &csv, &other).unwrap().already_imported);
    let case = Case::open_read_only(&case_path).unwrap();
    let status = case_status(&case).unwrap();
    assert_eq!(
        status.verdict(),
        Verdict::Unverifiable,
        "the case is only as proven as its least proven part"
    );
    assert_eq!(status.n_events, 50 + 2 * 120);
}

/// A source that records a call (what was asked, what came back) rather than the
/// record's state keeps those as `requested` and `result`: shown as such, masked like
/// any field, never turned into a before → after or a record state.
#[test]
fn a_request_and_its_result_are_kept_as_such_never_as_before_and_after() {
    let files = Files::new();
    let calls = [
        json!({"when": "2026-02-01T10:00:00Z", "who": "alice", "api": "s3.DeleteBucket", "id": "c1",
               "bucket": "acme-logs",
               "params": {"bucketName": "acme-logs", "owner": {"email": "alice@acme.test"}},
               "response": null}),
        json!({"when": "2026-02-01T10:05:00Z", "who": "alice", "api": "iam.CreateUser", "id": "c2",
               "bucket": "u-bob",
               "params": {"userName": "bob"},
               "response": {"user": {"userName": "bob", "arn": "arn:aws:iam::1:user/bob"}}}),
    ];
    let text: String = calls.iter().map(|c| format!("{c}\n")).collect();
    let file = files.write("calls.jsonl", text);
    let mapping = Mapping::parse(
        r#"
format = "jsonl"
[fields]
id = "/id"
ts = "/when"
action = "/api"
"actor.id" = "/who"
"target.type" = { value = "resource" }
"target.id" = "/bucket"
requested = "/params"
result = "/response"
"#,
    )
    .unwrap();
    let case_path = files.temp.path().join("calls.case");
    import(&case_path, &file, &mapping).unwrap();
    let mut case = Case::open(&case_path).unwrap();
    case.set_masked_fields(&["email".to_owned()], &[]).unwrap();
    drop(case);
    let case = Case::open_read_only(&case_path).unwrap();
    let masking = trailscope::query::Masking::of_case(&case).unwrap();

    let deleted = &trailscope::query::diff_view(&case, "c1", &masking).unwrap()[0];
    assert!(deleted.changes.is_empty(), "a request is not a change");
    assert_eq!(
        deleted.requested,
        Some(json!({"bucketName": "acme-logs", "owner": {"email": trailscope::query::view::MASK}}))
    );
    assert_eq!(deleted.result, None, "a null result is no result");
    let created = &trailscope::query::diff_view(&case, "c2", &masking).unwrap()[0];
    assert_eq!(created.requested, Some(json!({"userName": "bob"})));
    assert_eq!(
        created.result.as_ref().unwrap()["user"]["arn"],
        json!("arn:aws:iam::1:user/bob")
    );
    // The record's state is built from before/after only: a request asserts none.
    let history = timeline(&case, "resource", "u-bob", None).unwrap();
    assert!(history.state.fields.is_empty());
    // The JSON form keeps them under their own names.
    let row = &trailscope::query::events_by_id(&case, "c2").unwrap()[0];
    let document = trailscope::export::event_document(row, &masking, &Default::default());
    assert_eq!(document["requested"], json!({"userName": "bob"}));
    assert!(document.get("before").is_none() && document.get("after").is_none());
}
