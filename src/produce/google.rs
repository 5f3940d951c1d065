//! Generates Google Workspace activity exports (Admin SDK Reports API
//! `activities.list`; `docs/sources/google-workspace.md`) in the three shapes
//! investigators receive — an API page `{"kind": "admin#reports#activities", "items":
//! [...]}`, a plain array, one activity a line — with the quirks real ones have:
//! activities holding several events (settings saved together), settings changed
//! several times (`OLD_VALUE`/`NEW_VALUE`, the first change of one without an
//! `OLD_VALUE`), users renamed several times, an application impersonating a user,
//! activities repeated exactly (with another `etag`), an id reused with other content,
//! times missing or not times, and (one a line) a line that is not JSON. It returns
//! what it wrote as the truth an import must reproduce.
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
pub enum GoogleShape {
    /// One API response page: `{"kind": "admin#reports#activities", "items": [...]}`.
    Page,
    /// A JSON array of activities.
    Array,
    /// One activity a line.
    Lines,
}

/// What to write.
#[derive(Debug, Clone)]
pub struct GooglePlan {
    /// Distinct activities, before the quirks below are added.
    pub activities: usize,
    pub seed: u64,
    pub shape: GoogleShape,
    /// Activities repeated exactly at the end (with another `etag`).
    pub repeats: usize,
    /// Activities whose id (time and uniqueQualifier) another, different one reuses.
    pub conflicting: usize,
    /// Activities whose `id.time` is missing or not a time.
    pub untimed: usize,
    /// Lines that are not JSON (one activity a line only).
    pub broken: usize,
}

impl Default for GooglePlan {
    fn default() -> GooglePlan {
        GooglePlan {
            activities: 200,
            seed: 7,
            shape: GoogleShape::Page,
            repeats: 0,
            conflicting: 0,
            untimed: 0,
            broken: 0,
        }
    }
}

/// One change of a setting: (ts, old value if logged, new value).
pub type SettingChange = (String, Option<String>, String);

/// What was written: what an import must find.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoogleTruth {
    /// Activities written (quirks included).
    pub activities: u64,
    /// Events an import keeps: one per event of each distinct activity, plus those of
    /// the activities that reuse an id.
    pub events: u64,
    /// Activities (or lines) kept in quarantine.
    pub quarantined: u64,
    /// Events whose activity was repeated exactly, counted once.
    pub exact_repeats: u64,
    /// Events that reuse an id with other content (each gets a finding).
    pub conflicting_events: u64,
    /// Activities holding more than one event.
    pub multi_event_activities: u64,
    /// Events per actor id.
    pub per_actor: BTreeMap<String, u64>,
    /// Events per outcome.
    pub outcomes: BTreeMap<String, u64>,
    /// Per (settings target id, setting name): each change (ts, old, new), in order.
    pub settings: BTreeMap<(String, String), Vec<SettingChange>>,
    /// Per user renamed: each change of last name (ts, old, new), in order.
    pub last_names: BTreeMap<String, Vec<(String, String, String)>>,
    /// Downloads made by an application impersonating a user: (client id, user).
    pub impersonated: Vec<(String, String)>,
}

const ADMINS: [&str; 2] = ["maria@acme.com", "it-admin@acme.com"];
const USERS: [&str; 6] = [
    "bob@acme.com",
    "carla@acme.com",
    "dev@acme.com",
    "eve@acme.com",
    "frank@acme.com",
    "grace@acme.com",
];
const LAST_NAMES: [&str; 5] = ["Stone", "Marsh", "Okafor", "Lindqvist", "Reyes"];
const IPS: [&str; 4] = ["203.0.113.7", "198.51.100.23", "192.0.2.44", "2001:db8::17"];
const BACKUP_CLIENT: &str = "109876543210-backup.apps.googleusercontent.com";

/// Settings an administrator changes: (application, org unit, setting, values).
const SETTINGS: [(&str, &str, &str, &[&str]); 5] = [
    ("Gmail", "Sales", "Automatic forwarding", &["true", "false"]),
    (
        "Gmail",
        "Sales",
        "Attachment deep scanning",
        &["true", "false"],
    ),
    (
        "Gmail",
        "Sales",
        "Email spam filter bypass",
        &["NONE", "INTERNAL", "ALL"],
    ),
    (
        "Drive and Docs",
        "acme.com",
        "Sharing outside of acme.com",
        &["ALLOWED", "NOT_ALLOWED", "ALLOWED_WITH_WARNING"],
    ),
    (
        "Drive and Docs",
        "acme.com",
        "Default link sharing",
        &["PRIVATE", "DOMAIN", "PUBLIC"],
    ),
];

/// When every generated export starts: 2026-03-02T08:00:00Z.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn parameter(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

/// Writes the export to `path` and returns the truth.
pub fn write_google(path: &Path, plan: &GooglePlan) -> std::io::Result<GoogleTruth> {
    let mut rng = Rng::new(plan.seed);
    let mut truth = GoogleTruth::default();
    // What each setting and each user's last name is now.
    let mut settings: Vec<Option<&str>> = SETTINGS
        .iter()
        .enumerate()
        // The second setting's default is not logged: its first change has no OLD_VALUE.
        .map(|(i, s)| (i != 1).then_some(s.3[0]))
        .collect();
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    let mut activities: Vec<Value> = Vec::with_capacity(plan.activities);
    let mut time = start();
    for n in 0..plan.activities {
        time += Duration::milliseconds(1000 + rng.below(90_000) as i64);
        let activity = activity(&mut rng, n, time, &mut settings, &mut names, &mut truth);
        count(&activity, &mut truth);
        if activity["events"].as_array().map_or(0, Vec::len) > 1 {
            truth.multi_event_activities += 1;
        }
        activities.push(activity);
    }
    truth.events = truth.per_actor.values().sum();
    let quirks = Quirks {
        repeats: plan.repeats,
        conflicting: plan.conflicting,
        untimed: plan.untimed,
        broken: plan.broken,
    };
    // An id reused by a different activity (its address differs): sign-ins and
    // downloads, which change no setting and no name.
    let plain: Vec<usize> = (0..activities.len())
        .filter(|&i| {
            let app = activities[i]["id"]["applicationName"].as_str();
            matches!(app, Some("login" | "drive"))
        })
        .collect();
    // A line that is not JSON can only be where each activity is a line.
    let broken = (plan.shape == GoogleShape::Lines).then_some(broken_line as fn(usize) -> String);
    let (written, added) = quirks.rows(
        &activities,
        &plain,
        |quirk, k, activity| match quirk {
            Quirk::Conflicting => {
                activity["ipAddress"] = json!("192.0.2.200");
                activity["etag"] = json!(format!("\"conflict-{k}\""));
                let before = truth.per_actor.values().sum::<u64>();
                count(activity, &mut truth);
                let added = truth.per_actor.values().sum::<u64>() - before;
                truth.events += added;
                truth.conflicting_events += added;
            }
            Quirk::Untimed => {
                activity["id"]["uniqueQualifier"] = json!(format!("-9{:017}", k));
                quirks::untime(k, &mut activity["id"], "time", "Mon Mar  2 09:15 (local)");
            }
            // Overlapping exports give the same activity again, with another etag.
            Quirk::Repeat => {
                activity["etag"] = json!(format!("\"repeat-{k}\""));
                truth.exact_repeats += activity["events"].as_array().map_or(0, |e| e.len() as u64);
            }
            Quirk::Incomplete => {}
        },
        broken,
    );
    truth.quarantined = added.quarantined();
    truth.activities = written.len() as u64;
    write_items(path, plan.shape, &written, plan.seed)?;
    Ok(truth)
}

/// A line cut short, as a damaged export has it.
fn broken_line(_: usize) -> String {
    "{\"kind\":\"admin#reports#activity\",\"id\":{\"time\":\"2026-03-02T10:00:00.000Z\",\"uniqueQualifier\":\"12".into()
}

fn write_items(
    path: &Path,
    shape: GoogleShape,
    items: &[Row<Value>],
    seed: u64,
) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let activities = || items.iter().filter_map(Row::record);
    match shape {
        GoogleShape::Page => {
            let page = json!({
                "kind": "admin#reports#activities",
                "etag": format!("\"page-{seed}\""),
                "items": activities().collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut file, &page)?;
            file.write_all(b"\n")?;
        }
        GoogleShape::Array => {
            file.write_all(b"[\n")?;
            for (i, activity) in activities().enumerate() {
                if i > 0 {
                    file.write_all(b",\n")?;
                }
                serde_json::to_writer(&mut file, &other_etag(activity, "array"))?;
            }
            file.write_all(b"\n]\n")?;
        }
        GoogleShape::Lines => {
            for item in items {
                match item {
                    Row::Record(activity) => {
                        serde_json::to_writer(&mut file, &other_etag(activity, "lines"))?
                    }
                    Row::Broken(text) => file.write_all(text.as_bytes())?,
                }
                file.write_all(b"\n")?;
            }
        }
    }
    file.flush()
}

/// The activity as another export gives it: with another etag.
fn other_etag(activity: &Value, export: &str) -> Value {
    let mut activity = activity.clone();
    if let Some(etag) = activity.get("etag").and_then(Value::as_str) {
        activity["etag"] = json!(format!("{etag}-{export}"));
    }
    activity
}

/// Counts an activity's events per actor and outcome.
fn count(activity: &Value, truth: &mut GoogleTruth) {
    let impersonating = activity["actor"]["applicationInfo"]["impersonation"] == json!(true);
    let actor = if impersonating {
        activity["actor"]["applicationInfo"]["oauthClientId"].as_str()
    } else {
        activity["actor"]["email"].as_str()
    }
    .unwrap_or_default()
    .to_owned();
    for event in activity["events"].as_array().into_iter().flatten() {
        *truth.per_actor.entry(actor.clone()).or_default() += 1;
        let outcome = if event["name"] == "login_failure" {
            "failure"
        } else {
            "success"
        };
        *truth.outcomes.entry(outcome.to_owned()).or_default() += 1;
    }
}

/// One activity.
fn activity(
    rng: &mut Rng,
    n: usize,
    time: DateTime<Utc>,
    settings: &mut [Option<&'static str>],
    names: &mut BTreeMap<&'static str, &'static str>,
    truth: &mut GoogleTruth,
) -> Value {
    let ts = time.to_rfc3339_opts(SecondsFormat::Millis, true);
    let unique = (rng.next_u64() as i64).to_string();
    let user = USERS[rng.index(USERS.len())];
    let admin = ADMINS[rng.index(ADMINS.len())];
    let ip = IPS[rng.index(IPS.len())];
    let profile = |email: &str| {
        let hash = email
            .bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        format!("1{:019}", hash % 10_000_000_000_000_000_000)
    };
    let actor =
        |email: &str| json!({"callerType": "USER", "email": email, "profileId": profile(email)});
    let (application, actor, events) = match rng
        .weighted(&[4.0, 1.0, 4.0, 1.0, 1.0, 2.0, 1.0, 1.0, 0.5])
    {
        0 => (
            "login",
            actor(user),
            vec![
                json!({"type": "login", "name": "login_success", "parameters": [
                parameter("login_type", "google_password"),
                {"name": "login_challenge_method", "multiValue": ["password", "idv_preregistered_phone"]},
                {"name": "is_suspicious", "boolValue": false}]}),
            ],
        ),
        1 => (
            "login",
            actor(user),
            vec![
                json!({"type": "login", "name": "login_failure", "parameters": [
                parameter("login_type", "google_password"),
                parameter("login_failure_type", "login_failure_invalid_password"),
                {"name": "login_challenge_method", "multiValue": ["password"]},
                {"name": "is_suspicious", "boolValue": rng.chance(0.3)}]}),
            ],
        ),
        2 => {
            let doc = n % 11;
            let name = ["view", "download", "edit"][rng.index(3)];
            (
                "drive",
                actor(user),
                vec![json!({"type": "access", "name": name, "parameters": [
                    {"name": "primary_event", "boolValue": true},
                    parameter("doc_id", &format!("1aBcD{doc:03}xYz")),
                    parameter("doc_type", "spreadsheet"),
                    parameter("doc_title", &format!("Q1 forecast {doc}")),
                    parameter("visibility", "shared_internally"),
                    parameter("owner", "finance@acme.com"),
                    {"name": "size", "intValue": "20480"}]})],
            )
        }
        3 => {
            // Sharing a file outside: the grantee's access and the file's scope change
            // together, in one activity.
            let doc = format!("1aBcD9{n:04}xYz");
            let grantee = format!("partner{n}@outside.example");
            (
                "drive",
                actor(user),
                vec![
                    json!({"type": "acl_change", "name": "change_user_access", "parameters": [
                        {"name": "primary_event", "boolValue": true},
                        parameter("doc_id", &doc),
                        parameter("doc_title", "Customer list"),
                        parameter("target_user", &grantee),
                        {"name": "old_value", "multiValue": ["none"]},
                        {"name": "new_value", "multiValue": ["can_view"]}]}),
                    json!({"type": "acl_change", "name": "change_document_visibility", "parameters": [
                        {"name": "primary_event", "boolValue": false},
                        parameter("doc_id", &doc),
                        parameter("doc_title", "Customer list"),
                        {"name": "old_value", "multiValue": ["private"]},
                        {"name": "new_value", "multiValue": ["shared_externally"]}]}),
                ],
            )
        }
        4 => {
            truth
                .impersonated
                .push((BACKUP_CLIENT.to_owned(), user.to_owned()));
            let mut actor = actor(user);
            actor["applicationInfo"] = json!({"oauthClientId": BACKUP_CLIENT,
                "applicationName": "Acme Backup", "impersonation": true});
            (
                "drive",
                actor,
                vec![json!({"type": "access", "name": "download", "parameters": [
                    parameter("doc_id", "1aBcD777xYz"), parameter("doc_title", "Payroll 2026"),
                    parameter("doc_type", "spreadsheet"), parameter("owner", user)]})],
            )
        }
        5 => {
            // Settings saved together: one activity, one event a setting.
            let app = [0usize, 3][rng.index(2)];
            let of_app: Vec<usize> = (0..SETTINGS.len())
                .filter(|&i| SETTINGS[i].0 == SETTINGS[app].0)
                .collect();
            let how_many = 1 + rng.index(of_app.len());
            let first = rng.index(of_app.len());
            let mut events = Vec::new();
            for k in 0..how_many {
                let i = of_app[(first + k) % of_app.len()];
                let (application, unit, setting, values) = SETTINGS[i];
                let old = settings[i];
                let new = loop {
                    let v = values[rng.index(values.len())];
                    if Some(v) != old {
                        break v;
                    }
                };
                settings[i] = Some(new);
                truth
                    .settings
                    .entry((format!("{application} @ {unit}"), setting.to_owned()))
                    .or_default()
                    .push((ts.clone(), old.map(str::to_owned), new.to_owned()));
                let mut parameters = vec![
                    parameter("APPLICATION_EDITION", "business_plus"),
                    parameter("APPLICATION_NAME", application),
                    parameter("SETTING_NAME", setting),
                    parameter("NEW_VALUE", new),
                    parameter("ORG_UNIT_NAME", unit),
                ];
                if let Some(old) = old {
                    parameters.insert(3, parameter("OLD_VALUE", old));
                }
                events.push(json!({"type": "APPLICATION_SETTINGS",
                    "name": "CHANGE_APPLICATION_SETTING", "parameters": parameters}));
            }
            ("admin", actor(admin), events)
        }
        6 => {
            let renamed = USERS[3 + rng.index(2)];
            let old = *names.get(renamed).unwrap_or(&LAST_NAMES[0]);
            let new = loop {
                let v = LAST_NAMES[rng.index(LAST_NAMES.len())];
                if v != old {
                    break v;
                }
            };
            names.insert(renamed, new);
            truth
                .last_names
                .entry(renamed.to_owned())
                .or_default()
                .push((ts.clone(), old.to_owned(), new.to_owned()));
            (
                "admin",
                actor(admin),
                vec![
                    json!({"type": "USER_SETTINGS", "name": "CHANGE_LAST_NAME", "parameters": [
                    parameter("USER_EMAIL", renamed),
                    parameter("OLD_VALUE", old), parameter("NEW_VALUE", new)]}),
                ],
            )
        }
        7 => (
            "admin",
            actor(admin),
            vec![
                json!({"type": "DELEGATED_ADMIN_SETTINGS", "name": "ASSIGN_ROLE", "parameters": [
                parameter("ROLE_NAME", ["_GROUPS_ADMIN_ROLE", "_USER_MANAGEMENT_ADMIN_ROLE"][rng.index(2)]),
                parameter("USER_EMAIL", user)]}),
            ],
        ),
        _ => (
            "token",
            actor(user),
            vec![json!({"type": "auth", "name": "authorize", "parameters": [
                parameter("client_id", "55555-mailmerge.apps.googleusercontent.com"),
                parameter("app_name", "Mail Merge Pro"),
                {"name": "scope", "multiValue": ["https://www.googleapis.com/auth/gmail.send",
                                                  "https://www.googleapis.com/auth/drive.readonly"]}]})],
        ),
    };
    json!({
        "kind": "admin#reports#activity",
        "id": {"time": ts, "uniqueQualifier": unique, "applicationName": application, "customerId": "C03az79cb"},
        "etag": format!("\"JDMC8884sebSctZ17CIssbQ/{}\"", rng.hex(12)),
        "actor": actor,
        "ownerDomain": "acme.com",
        "ipAddress": ip,
        "events": events,
    })
}
