//! Generates Entra ID audit log exports in the shapes investigators receive
//! (`docs/sources/entra-id.md`): a Graph `directoryAudit` page (`{"value": […]}`), the
//! portal's JSON download (a bare array) and its CSV download (no id column, up to
//! three targets of five modified properties each), newest first as Microsoft writes
//! them. Records are role assignments with before/after, department changes of several
//! users by administrators and by a provisioning app, group memberships with two
//! targets, self-service password resets that fail, consents that time out. The quirks
//! real exports have: records repeated by overlapping downloads, an id repeated with
//! other content, times with seven fractional digits, and times missing or not times.
//! It returns what it wrote as the truth an import must reproduce.
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
pub enum EntraShape {
    /// A Graph `auditLogs/directoryAudits` page: `{"@odata.context": …, "value": […]}`.
    Graph,
    /// The portal's JSON download: a bare array of `directoryAudit` objects.
    Array,
    /// The portal's CSV download.
    Csv,
}

/// What to write.
#[derive(Debug, Clone)]
pub struct EntraPlan {
    /// Distinct records, before the quirks below are added.
    pub records: usize,
    pub seed: u64,
    pub shape: EntraShape,
    /// Records repeated exactly (as overlapping downloads do), appended at the end.
    pub repeats: usize,
    /// Records whose id repeats an earlier one with different content (in the CSV,
    /// which has no id, they are simply other rows).
    pub conflicting: usize,
    /// Records whose time is missing or not a time.
    pub untimed: usize,
}

impl Default for EntraPlan {
    fn default() -> EntraPlan {
        EntraPlan {
            records: 200,
            seed: 7,
            shape: EntraShape::Graph,
            repeats: 0,
            conflicting: 0,
            untimed: 0,
        }
    }
}

/// What was written: what an import must find.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntraTruth {
    /// Records written (all of them, quirks included).
    pub rows: u64,
    /// Events an import keeps: distinct records plus conflicting repeats.
    pub events: u64,
    /// Records kept in quarantine (untimed).
    pub quarantined: u64,
    /// Exact repeats, counted once.
    pub exact_repeats: u64,
    /// Records whose id was seen before with other content (a finding each).
    pub differing_repeats: u64,
    /// Events per actor id (a user's UPN, an app's service principal id).
    pub per_actor: BTreeMap<String, u64>,
    /// Events per outcome (`success`, `failure`).
    pub outcomes: BTreeMap<String, u64>,
    /// Per user whose department changed: each change (ts, before, after), in time
    /// order; `before` is `None` when the user had none.
    pub departments: BTreeMap<String, Vec<(String, Option<String>, String)>>,
    /// Role grants: (ts, actor, user, role).
    pub role_grants: Vec<(String, String, String, String)>,
    /// Group additions: (ts, user, group) — the group is the second target.
    pub group_adds: Vec<(String, String, String)>,
}

/// Administrators: (UPN, object id, display name).
const ADMINS: [(&str, &str, &str); 2] = [
    (
        "maria@acme.com",
        "5a1d0000-0000-4000-8000-00000000a001",
        "Maria Lopez",
    ),
    (
        "it-admin@acme.com",
        "5a1d0000-0000-4000-8000-00000000a002",
        "IT Admin",
    ),
];
/// The provisioning app: (service principal id, app id, display name).
const APP: (&str, &str, &str) = (
    "9e0f0000-0000-4000-8000-0000000005e1",
    "0c1a0000-0000-4000-8000-000000000a99",
    "HR Provisioning",
);
const USERS: [&str; 6] = [
    "bob@acme.com",
    "carla@acme.com",
    "dev@acme.com",
    "eve@acme.com",
    "frank@acme.com",
    "grace@acme.com",
];
const DEPARTMENTS: [&str; 5] = ["Sales", "Finance", "Legal", "Engineering", "Support"];
/// Roles: (display name, template id, well-known name).
const ROLES: [(&str, &str, &str); 3] = [
    (
        "Global Administrator",
        "62e90394-69f5-4237-9190-012177145e10",
        "CompanyAdministrator",
    ),
    (
        "Exchange Administrator",
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "ExchangeServiceAdministrator",
    ),
    (
        "Billing Administrator",
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",
        "BillingAdministrator",
    ),
];
const GROUPS: [(&str, &str); 3] = [
    ("Payroll", "6b0a0000-0000-4000-8000-0000000000b1"),
    ("VPN Users", "6b0a0000-0000-4000-8000-0000000000b2"),
    ("Finance Share", "6b0a0000-0000-4000-8000-0000000000b3"),
];
const IPS: [&str; 4] = ["203.0.113.7", "198.51.100.23", "192.0.2.44", "203.0.113.99"];
const AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0";

/// When every generated export starts: 2026-03-02T08:00:00Z.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A user's object id, made of their name.
fn object_id(upn: &str) -> String {
    let name = upn.split('@').next().unwrap_or_default();
    let digits: String = name.bytes().map(|b| format!("{b:02x}")).collect();
    format!(
        "0b1e0000-0000-4000-8000-{:0>12}",
        &digits[..digits.len().min(12)]
    )
}

/// Writes the export to `path` and returns the truth.
pub fn write_entra(path: &Path, plan: &EntraPlan) -> std::io::Result<EntraTruth> {
    let mut rng = Rng::new(plan.seed);
    let mut truth = EntraTruth::default();
    let mut world = World::default();
    let mut records: Vec<Value> = Vec::with_capacity(plan.records);
    let mut time = start();
    for n in 0..plan.records {
        time += Duration::seconds(1 + rng.index(90) as i64);
        let record = record(&mut rng, n, time, &mut world, &mut truth);
        count(&mut truth, &record);
        records.push(record);
    }
    truth.events = records.len() as u64;
    // Microsoft writes the newest first.
    records.reverse();
    let quirks = Quirks {
        repeats: plan.repeats,
        conflicting: plan.conflicting,
        untimed: plan.untimed,
        broken: 0,
    };
    // Conflicting repeats: an earlier id with other content (both are kept). Taken
    // from records that change no department, so each user's history stays as written.
    let plain: Vec<usize> = (0..records.len())
        .filter(|&i| records[i]["activityDisplayName"] != "Update user")
        .collect();
    let (rows, added) = quirks.rows(
        &records,
        &plain,
        |quirk, k, record| match quirk {
            Quirk::Conflicting => {
                record["correlationId"] =
                    json!(format!("c0ffee00-0000-4000-8000-{:012}", 800_000 + k));
                count(&mut truth, record);
                truth.events += 1;
            }
            Quirk::Untimed => {
                record["id"] = json!(format!("Directory_untimed_{k:04}"));
                record["correlationId"] =
                    json!(format!("c0ffee00-0000-4000-8000-{:012}", 900_000 + k));
                quirks::untime(k, record, "activityDateTime", "n/a");
            }
            _ => {}
        },
        None,
    );
    // The CSV has no id: a record with other content is simply another row.
    if plan.shape != EntraShape::Csv {
        truth.differing_repeats = added.conflicting;
    }
    truth.quarantined = added.quarantined();
    truth.exact_repeats = added.repeats;
    truth.rows = rows.len() as u64;
    let rows: Vec<Value> = rows.into_iter().filter_map(Row::into_record).collect();
    write_rows(path, plan.shape, &rows)?;
    Ok(truth)
}

/// Counts a record's actor and outcome into the truth.
fn count(truth: &mut EntraTruth, record: &Value) {
    let initiated = &record["initiatedBy"];
    let actor = initiated["user"]["userPrincipalName"]
        .as_str()
        .or_else(|| initiated["app"]["servicePrincipalId"].as_str())
        .unwrap_or_default();
    *truth.per_actor.entry(actor.to_owned()).or_default() += 1;
    let outcome = match record["result"].as_str() {
        Some("success") => "success",
        _ => "failure",
    };
    *truth.outcomes.entry(outcome.to_owned()).or_default() += 1;
}

#[derive(Default)]
struct World {
    departments: BTreeMap<&'static str, &'static str>,
    titles: BTreeMap<&'static str, String>,
}

/// A time as Graph writes it: seven fractional digits (`…:07.1234567Z`). The model
/// keeps milliseconds.
fn graph_time(rng: &mut Rng, time: DateTime<Utc>) -> String {
    let seconds = time.format("%Y-%m-%dT%H:%M:%S");
    let millis = time.timestamp_subsec_millis() as u64;
    format!("{seconds}.{:07}Z", millis * 10_000 + rng.below(10_000))
}

fn user_initiator(upn: &str, id: &str, name: &str, ip: &str) -> Value {
    json!({"app": null, "user": {"id": id, "displayName": name, "userPrincipalName": upn,
                                 "ipAddress": ip, "userType": null, "homeTenantId": null,
                                 "homeTenantName": null}})
}

fn app_initiator() -> Value {
    json!({"user": null, "app": {"appId": APP.1, "displayName": APP.2,
                                 "servicePrincipalId": APP.0, "servicePrincipalName": null}})
}

fn user_target(upn: &str, properties: Value) -> Value {
    json!({"id": object_id(upn), "displayName": null, "type": "User", "userPrincipalName": upn,
           "groupType": null, "modifiedProperties": properties})
}

/// One `directoryAudit` record.
fn record(
    rng: &mut Rng,
    n: usize,
    time: DateTime<Utc>,
    world: &mut World,
    truth: &mut EntraTruth,
) -> Value {
    let time = time + Duration::milliseconds(rng.index(1000) as i64);
    let ts = time.to_rfc3339_opts(SecondsFormat::Millis, true);
    let when = graph_time(rng, time);
    let id = format!(
        "Directory_{:08x}-{:04x}_{}_{:08}",
        0x5f1c_0000 + n,
        n % 0xffff,
        rng.hex(5).to_ascii_uppercase(),
        rng.below(100_000_000)
    );
    let correlation = format!("c0ffee00-0000-4000-8000-{n:012}");
    let ip = IPS[rng.index(IPS.len())];
    let user = USERS[rng.index(USERS.len())];
    let (admin, admin_id, admin_name) = ADMINS[rng.index(ADMINS.len())];
    let details = json!([{"key": "User-Agent", "value": AGENT}]);
    let base = |activity: &str, category: &str, service: &str, operation: &str| {
        json!({"id": id, "category": category, "correlationId": correlation, "result": "success",
               "resultReason": "", "activityDisplayName": activity, "activityDateTime": when,
               "loggedByService": service, "operationType": operation,
               "additionalDetails": []})
    };
    match rng.index(6) {
        // A department change, by an administrator or by the provisioning app; now and
        // then with the job title too.
        0 | 1 => {
            let old = world.departments.get(user).copied();
            let new = loop {
                let d = DEPARTMENTS[rng.index(DEPARTMENTS.len())];
                if Some(d) != old {
                    break d;
                }
            };
            world.departments.insert(user, new);
            truth.departments.entry(user.to_owned()).or_default().push((
                ts,
                old.map(str::to_owned),
                new.to_owned(),
            ));
            let by_app = rng.chance(0.4);
            let mut properties = vec![json!({
                "displayName": "Department",
                "oldValue": old.map_or_else(|| "[]".to_owned(), |o| format!("[\"{o}\"]")),
                "newValue": format!("[\"{new}\"]"),
            })];
            let mut updated = "Department";
            if rng.chance(0.3) {
                let title = format!("{new} Analyst");
                let old_title = world.titles.insert(user, title.clone());
                if old_title.as_ref() != Some(&title) {
                    properties.push(json!({"displayName": "JobTitle",
                        "oldValue": old_title.map_or_else(|| "[]".to_owned(), |t| format!("[\"{t}\"]")),
                        "newValue": format!("[\"{title}\"]")}));
                    updated = "Department, JobTitle";
                }
            }
            properties.push(json!({"displayName": "Included Updated Properties",
                                   "oldValue": null, "newValue": format!("\"{updated}\"")}));
            let mut record = base("Update user", "UserManagement", "Core Directory", "Update");
            record["initiatedBy"] = if by_app {
                app_initiator()
            } else {
                user_initiator(admin, admin_id, admin_name, ip)
            };
            record["targetResources"] = json!([user_target(user, Value::Array(properties))]);
            if !by_app {
                record["additionalDetails"] = details;
            }
            record
        }
        // A role assignment: the member is the first target, the role the second.
        2 => {
            let (role, template, well_known) = ROLES[rng.index(ROLES.len())];
            truth
                .role_grants
                .push((ts, admin.to_owned(), user.to_owned(), role.to_owned()));
            let mut record = base(
                "Add member to role",
                "RoleManagement",
                "Core Directory",
                "Assign",
            );
            record["initiatedBy"] = user_initiator(admin, admin_id, admin_name, ip);
            record["targetResources"] = json!([
                user_target(user, json!([
                    {"displayName": "Role.ObjectID", "oldValue": null, "newValue": format!("\"{template}\"")},
                    {"displayName": "Role.DisplayName", "oldValue": null, "newValue": format!("\"{role}\"")},
                    {"displayName": "Role.TemplateId", "oldValue": null, "newValue": format!("\"{template}\"")},
                    {"displayName": "Role.WellKnownObjectName", "oldValue": null, "newValue": format!("\"{well_known}\"")}
                ])),
                {"id": template, "displayName": role, "type": "Role", "userPrincipalName": null,
                 "groupType": null, "modifiedProperties": []}
            ]);
            record["additionalDetails"] = details;
            record
        }
        // A self-service password reset that fails: the user is actor and target.
        3 => {
            let mut record = base(
                "Reset password (self-service)",
                "UserManagement",
                "Self-service Password Management",
                "Update",
            );
            record["result"] = json!("failure");
            let reason = [
                "User's account is locked",
                "Incorrect verification code entered",
            ][rng.index(2)];
            record["resultReason"] = json!(reason);
            record["initiatedBy"] = user_initiator(user, &object_id(user), "", ip);
            record["targetResources"] = json!([user_target(user, json!([]))]);
            record["additionalDetails"] = details;
            record
        }
        // A group membership: the user and the group are both targets.
        4 => {
            let (group, group_id) = GROUPS[rng.index(GROUPS.len())];
            truth
                .group_adds
                .push((ts, user.to_owned(), group.to_owned()));
            let mut record = base(
                "Add member to group",
                "GroupManagement",
                "Core Directory",
                "Assign",
            );
            record["initiatedBy"] = app_initiator();
            record["targetResources"] = json!([
                user_target(user, json!([
                    {"displayName": "Group.ObjectID", "oldValue": null, "newValue": format!("\"{group_id}\"")},
                    {"displayName": "Group.DisplayName", "oldValue": null, "newValue": format!("\"{group}\"")}
                ])),
                {"id": group_id, "displayName": group, "type": "Group", "userPrincipalName": null,
                 "groupType": "unifiedGroups", "modifiedProperties": []}
            ]);
            record
        }
        // A consent to an application, now and then timing out.
        _ => {
            let mut record = base(
                "Consent to application",
                "ApplicationManagement",
                "Core Directory",
                "Assign",
            );
            if rng.chance(0.3) {
                record["result"] = json!("timeout");
                record["resultReason"] = json!("Microsoft.Online.Directory.TimeoutException");
            }
            record["initiatedBy"] = user_initiator(user, &object_id(user), "", ip);
            record["targetResources"] = json!([
                {"id": "7c3e0000-0000-4000-8000-0000000000c1", "displayName": "Expense Tracker",
                 "type": "ServicePrincipal", "userPrincipalName": null, "groupType": null,
                 "modifiedProperties": [
                    {"displayName": "ConsentAction.Permissions", "oldValue": null,
                     "newValue": "[\"User.Read Mail.Read\"]"}
                 ]}
            ]);
            record["additionalDetails"] = details;
            record
        }
    }
}

fn write_rows(path: &Path, shape: EntraShape, rows: &[Value]) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    match shape {
        EntraShape::Graph | EntraShape::Array => {
            if shape == EntraShape::Graph {
                file.write_all(
                    b"{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits\",\"value\":[\n",
                )?;
            } else {
                file.write_all(b"[\n")?;
            }
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    file.write_all(b",\n")?;
                }
                serde_json::to_writer(&mut file, row)?;
            }
            file.write_all(if shape == EntraShape::Graph {
                b"\n]}\n"
            } else {
                b"\n]\n"
            })?;
            file.flush()
        }
        EntraShape::Csv => {
            // The portal writes a byte-order mark.
            file.write_all("\u{feff}".as_bytes())?;
            let mut csv = csv::Writer::from_writer(file);
            csv.write_record(csv_header())?;
            for row in rows {
                csv.write_record(csv_row(row))?;
            }
            csv.flush()
        }
    }
}

/// The portal CSV's columns: three targets of five modified properties, six details.
fn csv_header() -> Vec<String> {
    let mut header: Vec<String> = [
        "Date (UTC)",
        "CorrelationId",
        "Service",
        "Category",
        "Activity",
        "Result",
        "ResultReason",
        "User Agent",
        "ActorType",
        "ActorDisplayName",
        "ActorObjectId",
        "ActorUserPrincipalName",
        "IPAddress",
        "ActorHomeTenantId",
        "ActorHomeTenantName",
        "ActorServicePrincipalId",
        "ActorServicePrincipalName",
    ]
    .map(str::to_owned)
    .to_vec();
    for t in 1..=3 {
        for field in ["Type", "DisplayName", "ObjectId", "UserPrincipalName"] {
            header.push(format!("Target{t}{field}"));
        }
        for p in 1..=5 {
            for field in ["Name", "OldValue", "NewValue"] {
                header.push(format!("Target{t}ModifiedProperty{p}{field}"));
            }
        }
    }
    for d in 1..=6 {
        header.push(format!("AdditionalDetail{d}Key"));
        header.push(format!("AdditionalDetail{d}Value"));
    }
    header
}

fn csv_row(record: &Value) -> Vec<String> {
    let s = |value: &Value| match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let user = &record["initiatedBy"]["user"];
    let app = &record["initiatedBy"]["app"];
    let agent = record["additionalDetails"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["key"] == "User-Agent"))
        .map(|d| s(&d["value"]))
        .unwrap_or_default();
    let mut row = vec![
        s(&record["activityDateTime"]),
        s(&record["correlationId"]),
        s(&record["loggedByService"]),
        s(&record["category"]),
        s(&record["activityDisplayName"]),
        // The portal capitalizes the result.
        capitalized(&s(&record["result"])),
        s(&record["resultReason"]),
        agent,
    ];
    if user.is_object() {
        row.extend([
            "User".to_owned(),
            s(&user["displayName"]),
            s(&user["id"]),
            s(&user["userPrincipalName"]),
            s(&user["ipAddress"]),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    } else {
        row.extend([
            "Application".to_owned(),
            s(&app["displayName"]),
            s(&app["servicePrincipalId"]),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            s(&app["servicePrincipalId"]),
            s(&app["servicePrincipalName"]),
        ]);
    }
    let targets = record["targetResources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for t in 0..3 {
        let target = targets.get(t).cloned().unwrap_or(Value::Null);
        for field in ["type", "displayName", "id", "userPrincipalName"] {
            row.push(s(&target[field]));
        }
        let properties = target["modifiedProperties"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for p in 0..5 {
            let property = properties.get(p).cloned().unwrap_or(Value::Null);
            for field in ["displayName", "oldValue", "newValue"] {
                row.push(s(&property[field]));
            }
        }
    }
    let details: Vec<&Value> = record["additionalDetails"]
        .as_array()
        .map(|d| d.iter().filter(|d| d["key"] != "User-Agent").collect())
        .unwrap_or_default();
    for d in 0..6 {
        let detail = details.get(d).copied().unwrap_or(&Value::Null);
        row.push(s(&detail["key"]));
        row.push(s(&detail["value"]));
    }
    row
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
