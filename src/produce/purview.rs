//! Generates Microsoft 365 (Purview) audit search exports in the shapes investigators
//! receive (`docs/sources/microsoft-365.md`), with the quirks real exports have: rows
//! repeated by overlapping searches, a repeated `Id` whose content differs, a broken
//! `AuditData`, times with no zone suffix, times that are missing or not times, and
//! `ResultStatus` in all its spellings (or absent). It returns what it wrote as the
//! truth an import must reproduce: events, actors, outcomes and the history of the
//! users whose department it changed.
//!
//! Like the rest of `produce`, it shares nothing with the reader it feeds.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::quirks::{self, Quirk, Quirks, Row};
use super::rng::Rng;

/// Which export shape to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurviewShape {
    /// `CreationDate,UserIds,Operations,AuditData`.
    Classic,
    /// `RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames`.
    New,
    /// Management Activity API: a JSON array of `AuditData` objects.
    Json,
}

/// What to write.
#[derive(Debug, Clone)]
pub struct PurviewPlan {
    /// Distinct records, before the quirks below are added.
    pub records: usize,
    pub seed: u64,
    pub shape: PurviewShape,
    /// Rows repeated exactly (as overlapping searches do), appended at the end.
    pub repeats: usize,
    /// Rows whose `Id` repeats an earlier one with different content.
    pub conflicting: usize,
    /// Rows whose `AuditData` is not JSON (CSV shapes only).
    pub broken: usize,
    /// Rows whose `CreationTime` is missing or not a time.
    pub untimed: usize,
}

impl Default for PurviewPlan {
    fn default() -> PurviewPlan {
        PurviewPlan {
            records: 200,
            seed: 7,
            shape: PurviewShape::Classic,
            repeats: 0,
            conflicting: 0,
            broken: 0,
            untimed: 0,
        }
    }
}

/// What was written: what an import must find.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PurviewTruth {
    /// Rows written (all of them, quirks included).
    pub rows: u64,
    /// Events an import keeps: distinct records plus conflicting repeats.
    pub events: u64,
    /// Rows kept in quarantine (broken or untimed).
    pub quarantined: u64,
    /// Exact repeats, counted once.
    pub exact_repeats: u64,
    /// Events per actor id.
    pub per_actor: BTreeMap<String, u64>,
    /// Events per outcome (`success`, `failure`).
    pub outcomes: BTreeMap<String, u64>,
    /// Per user whose department changed: each change (ts, before, after), in order.
    pub departments: BTreeMap<String, Vec<(String, Option<String>, String)>>,
    /// Role grants: (ts, actor, user, role).
    pub role_grants: Vec<(String, String, String, String)>,
}

const ADMINS: [&str; 3] = [
    "maria@acme.com",
    "it-admin@acme.com",
    "Exchange Online\\svc",
];
const USERS: [&str; 6] = [
    "bob@acme.com",
    "carla@acme.com",
    "dev@acme.com",
    "eve@acme.com",
    "frank@acme.com",
    "grace@acme.com",
];
const DEPARTMENTS: [&str; 5] = ["Sales", "Finance", "Legal", "Engineering", "Support"];
const ROLES: [&str; 3] = [
    "Global Administrator",
    "Exchange Administrator",
    "Billing Administrator",
];
const IPS: [&str; 4] = ["203.0.113.7", "198.51.100.23", "192.0.2.44", "203.0.113.99"];

/// When every generated export starts: 2026-03-02T08:00:00Z.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Writes the export to `path` and returns the truth.
pub fn write_purview(path: &Path, plan: &PurviewPlan) -> std::io::Result<PurviewTruth> {
    let mut rng = Rng::new(plan.seed);
    let mut truth = PurviewTruth::default();
    let mut departments: BTreeMap<&str, &str> = BTreeMap::new();
    let mut records: Vec<Value> = Vec::with_capacity(plan.records);
    let mut time = start();
    for n in 0..plan.records {
        time += Duration::seconds(1 + rng.index(90) as i64);
        let (record, actor, outcome) = record(&mut rng, n, time, &mut departments, &mut truth);
        *truth.per_actor.entry(actor).or_default() += 1;
        *truth.outcomes.entry(outcome.to_owned()).or_default() += 1;
        records.push(record);
    }
    truth.events = records.len() as u64;
    let quirks = Quirks {
        repeats: plan.repeats,
        conflicting: plan.conflicting,
        untimed: plan.untimed,
        broken: plan.broken,
    };
    // Conflicting repeats (an earlier Id with other content: both are kept) copy
    // records that change nothing, so each user's history and the role grants stay as
    // written.
    let plain: Vec<usize> = (0..records.len())
        .filter(|&i| records[i].get("ModifiedProperties").is_none())
        .collect();
    let broken =
        (plan.shape != PurviewShape::Json).then_some(broken_audit_data as fn(usize) -> String);
    let (rows, added) = quirks.rows(
        &records,
        &plain,
        |quirk, k, record| match quirk {
            Quirk::Conflicting => {
                record["ClientIP"] = json!("192.0.2.200");
                let actor = record["UserId"].as_str().unwrap_or_default().to_owned();
                *truth.per_actor.entry(actor).or_default() += 1;
                *truth
                    .outcomes
                    .entry(outcome_of(record).to_owned())
                    .or_default() += 1;
                truth.events += 1;
            }
            Quirk::Untimed => {
                record["Id"] = json!(format!("00000000-0000-4000-8000-{:012}", 900_000 + k));
                quirks::untime(k, record, "CreationTime", "yesterday afternoon");
            }
            _ => {}
        },
        broken,
    );
    truth.quarantined = added.quarantined();
    truth.exact_repeats = added.repeats;
    truth.rows = rows.len() as u64;
    write_rows(path, plan.shape, &rows)?;
    Ok(truth)
}

/// `AuditData` cut short, as a damaged export has it.
fn broken_audit_data(k: usize) -> String {
    format!("{{\"Id\":\"broken-{k}\",\"CreationTime\":\"2026-03-02T10:00:00\",\"Operation\":")
}

fn write_rows(path: &Path, shape: PurviewShape, rows: &[Row<Value>]) -> std::io::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    match shape {
        PurviewShape::Json => {
            let mut file = file;
            file.write_all(b"[\n")?;
            for (i, row) in rows.iter().enumerate() {
                if let Row::Record(record) = row {
                    if i > 0 {
                        file.write_all(b",\n")?;
                    }
                    serde_json::to_writer(&mut file, record)?;
                }
            }
            file.write_all(b"\n]\n")?;
            file.flush()
        }
        PurviewShape::Classic | PurviewShape::New => {
            let mut csv = csv::Writer::from_writer(file);
            let header: &[&str] = if shape == PurviewShape::Classic {
                &["CreationDate", "UserIds", "Operations", "AuditData"]
            } else {
                &[
                    "RecordId",
                    "CreationDate",
                    "RecordType",
                    "Operation",
                    "UserId",
                    "AuditData",
                    "AssociatedAdminUnits",
                    "AssociatedAdminUnitsNames",
                ]
            };
            csv.write_record(header)?;
            for row in rows {
                let (audit, record) = match row {
                    Row::Record(record) => (record.to_string(), Some(record)),
                    Row::Broken(text) => (text.clone(), None),
                };
                let s = |key: &str| {
                    record
                        .and_then(|r| r.get(key))
                        .map(|v| {
                            v.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| v.to_string())
                        })
                        .unwrap_or_default()
                };
                let created = format!("{}Z", s("CreationTime"));
                if shape == PurviewShape::Classic {
                    csv.write_record([created.as_str(), &s("UserId"), &s("Operation"), &audit])?;
                } else {
                    csv.write_record([
                        s("Id").as_str(),
                        &created,
                        &s("RecordType"),
                        &s("Operation"),
                        &s("UserId"),
                        &audit,
                        "",
                        "",
                    ])?;
                }
            }
            csv.flush()
        }
    }
}

fn outcome_of(record: &Value) -> &'static str {
    let op = record["Operation"].as_str().unwrap_or_default();
    let status = record
        .get("ResultStatus")
        .and_then(Value::as_str)
        .unwrap_or("");
    if op == "UserLoginFailed"
        || record.get("LogonError").is_some()
        || matches!(status, "Failed" | "False" | "PartiallySucceeded")
    {
        "failure"
    } else {
        "success"
    }
}

/// One record: (AuditData, actor id, outcome).
fn record(
    rng: &mut Rng,
    n: usize,
    time: DateTime<Utc>,
    departments: &mut BTreeMap<&'static str, &'static str>,
    truth: &mut PurviewTruth,
) -> (Value, String, &'static str) {
    let id = format!("00000000-0000-4000-8000-{n:012}");
    // No zone suffix, as Purview writes it.
    let created = time
        .to_rfc3339_opts(SecondsFormat::Secs, true)
        .trim_end_matches('Z')
        .to_owned();
    let ip = IPS[rng.index(IPS.len())];
    let user = USERS[rng.index(USERS.len())];
    let admin = ADMINS[rng.index(2)];
    let ts = time.to_rfc3339_opts(SecondsFormat::Millis, true);
    let record = match rng.index(8) {
        0 => {
            json!({"Id": id, "RecordType": 15, "CreationTime": created, "Operation": "UserLoggedIn",
            "Workload": "AzureActiveDirectory", "UserId": user, "UserType": 0, "ResultStatus": "Success",
            "ObjectId": "00000003-0000-0000-c000-000000000000", "ClientIP": ip,
            "ExtendedProperties": [{"Name": "UserAgent", "Value": "Mozilla/5.0"}]})
        }
        1 => {
            json!({"Id": id, "RecordType": 15, "CreationTime": created, "Operation": "UserLoginFailed",
            "Workload": "AzureActiveDirectory", "UserId": user, "UserType": 0, "ResultStatus": "Succeeded",
            "LogonError": "InvalidPassword", "ObjectId": "00000003-0000-0000-c000-000000000000", "ClientIP": ip})
        }
        2 => {
            json!({"Id": id, "RecordType": 6, "CreationTime": created, "Operation": "FileAccessed",
            "Workload": "SharePoint", "UserId": user, "UserType": 0,
            "ObjectId": format!("https://acme.sharepoint.com/sites/hr/Shared Documents/review-{}.docx", n % 13),
            "SourceFileName": format!("review-{}.docx", n % 13), "ClientIP": ip, "UserAgent": "OneDriveMpc/1.0"})
        }
        3 => {
            json!({"Id": id, "RecordType": 6, "CreationTime": created, "Operation": "FileDownloaded",
            "Workload": "OneDrive", "UserId": user, "UserType": 0, "ResultStatus": "Succeeded",
            "ObjectId": format!("https://acme-my.sharepoint.com/personal/{}/salaries.xlsx", user.replace(['@', '.'], "_")),
            "SourceFileName": "salaries.xlsx", "ClientIP": ip})
        }
        4 => {
            let status = ["Succeeded", "True", "False"][rng.index(3)];
            json!({"Id": id, "RecordType": 1, "CreationTime": created, "Operation": "Set-Mailbox",
                "Workload": "Exchange", "UserId": ADMINS[2 * rng.index(2)], "UserType": 2, "ResultStatus": status,
                "ObjectId": user, "ModifiedObjectResolvedName": user,
                "Parameters": [{"Name": "Identity", "Value": user}, {"Name": "ForwardingSmtpAddress", "Value": "smtp:archive@acme.com"}]})
        }
        5 => {
            let role = ROLES[rng.index(ROLES.len())];
            truth.role_grants.push((
                ts.clone(),
                admin.to_owned(),
                user.to_owned(),
                role.to_owned(),
            ));
            json!({"Id": id, "RecordType": 8, "CreationTime": created, "Operation": "Add member to role.",
            "Workload": "AzureActiveDirectory", "UserId": admin, "UserType": 0, "ResultStatus": "Success",
            "ObjectId": format!("User_{}", user.split('@').next().unwrap()), "ClientIP": ip,
            "Target": [{"ID": format!("User_{}", user.split('@').next().unwrap()), "Type": 2}, {"ID": user, "Type": 5}],
            "ModifiedProperties": [
                {"Name": "Role.DisplayName", "NewValue": role, "OldValue": ""},
                {"Name": "Role.WellKnownObjectName", "NewValue": format!("[\"{}\"]", role.replace(' ', "")), "OldValue": ""}
            ]})
        }
        6 => {
            let old = departments.get(user).copied();
            let new = loop {
                let d = DEPARTMENTS[rng.index(DEPARTMENTS.len())];
                if Some(d) != old {
                    break d;
                }
            };
            departments.insert(user, new);
            truth.departments.entry(user.to_owned()).or_default().push((
                ts.clone(),
                old.map(str::to_owned),
                new.to_owned(),
            ));
            json!({"Id": id, "RecordType": 8, "CreationTime": created, "Operation": "Update user.",
            "Workload": "AzureActiveDirectory", "UserId": admin, "UserType": 0, "ResultStatus": "Success",
            "ObjectId": user, "ClientIP": ip,
            "Target": [{"ID": user, "Type": 5}],
            "ModifiedProperties": [
                {"Name": "Department", "NewValue": format!("[\"{new}\"]"), "OldValue": old.map(|o| format!("[\"{o}\"]")).unwrap_or_default()},
                {"Name": "Included Updated Properties", "NewValue": "Department", "OldValue": ""}
            ]})
        }
        _ => {
            json!({"Id": id, "RecordType": 50, "CreationTime": created, "Operation": "MailItemsAccessed",
            "Workload": "Exchange", "UserId": ADMINS[1], "UserType": 0, "ResultStatus": "Succeeded",
            "MailboxOwnerUPN": user, "ObjectId": user, "ClientIPAddress": ip})
        }
    };
    let actor = record["UserId"].as_str().unwrap_or_default().to_owned();
    let outcome = outcome_of(&record);
    (record, actor, outcome)
}
