//! Generates GitLab audit events in the shapes investigators receive
//! (`docs/sources/gitlab.md`): the REST API's JSON (an array of events with `details`)
//! and the admin area's CSV export, whose `Action` column is the sentence GitLab makes
//! of `details` ("Changed access level from Developer to Maintainer"). A company's
//! groups and projects: members added, their access levels changed again and again,
//! removed; project visibility changed; sign-ins through SAML, failed sign-ins;
//! repository downloads; subgroups created, whose `target_id` GitLab writes as the
//! group's path instead of its id. With the quirks real exports have: events repeated
//! by overlapping exports, an `id` repeated with other content, and times missing or
//! not times. It returns what it wrote as the truth an import must reproduce.
//!
//! Like the rest of `produce`, it shares nothing with the reader it feeds.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::quirks::{self, Quirk, Quirks, Row};
use super::rng::Rng;

/// Which export shape to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitLabShape {
    /// The REST API's JSON: an array of audit events.
    Json,
    /// The admin area's CSV export.
    Csv,
}

/// What to write.
#[derive(Debug, Clone)]
pub struct GitLabPlan {
    /// Distinct events, before the quirks below are added.
    pub records: usize,
    pub seed: u64,
    pub shape: GitLabShape,
    /// Events repeated exactly (as overlapping exports do), appended at the end.
    pub repeats: usize,
    /// Events whose `id` repeats an earlier one with different content.
    pub conflicting: usize,
    /// Events whose `created_at` is missing or not a time.
    pub untimed: usize,
}

impl Default for GitLabPlan {
    fn default() -> GitLabPlan {
        GitLabPlan {
            records: 200,
            seed: 7,
            shape: GitLabShape::Json,
            repeats: 0,
            conflicting: 0,
            untimed: 0,
        }
    }
}

/// One step of a field's history: (ts, before, after); `None` where the event does not
/// say (a member added has no earlier level; a member removed says no level).
pub type Step = (String, Option<String>, Option<String>);

/// What was written: what an import must find.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GitLabTruth {
    /// Events written (all of them, quirks included).
    pub rows: u64,
    /// Events an import keeps: distinct events plus conflicting repeats.
    pub events: u64,
    /// Events kept in quarantine (untimed).
    pub quarantined: u64,
    /// Exact repeats, counted once.
    pub exact_repeats: u64,
    /// Events per author (`author_name`; the attempted username for a failed sign-in).
    pub per_actor: BTreeMap<String, u64>,
    /// Each author's email, as the JSON details give it.
    pub emails: BTreeMap<String, String>,
    /// Events per outcome.
    pub outcomes: BTreeMap<String, u64>,
    /// Per membership (`<group or project path>:<user id>`): its access level, event by
    /// event (added, changed, removed).
    pub access_levels: BTreeMap<String, Vec<Step>>,
    /// Per project id: each visibility change.
    pub visibility: BTreeMap<String, Vec<Step>>,
    /// Subgroups created: (ts, the path GitLab wrote as `target_id`).
    pub named_targets: Vec<(String, String)>,
}

/// (id, username, name, email).
type User = (u64, &'static str, &'static str, &'static str);
const ADMINS: [User; 2] = [
    (7, "maria", "Maria Lopez", "maria@acme.com"),
    (8, "jdoe", "John Doe", "john.doe@acme.com"),
];
const USERS: [User; 5] = [
    (42, "bob", "Bob Stone", "bob@acme.com"),
    (43, "carla", "Carla Diaz", "carla@acme.com"),
    (44, "eve", "Eve Adams", "eve@acme.com"),
    (45, "frank", "Frank Ode", "frank@acme.com"),
    (46, "grace", "Grace Hu", "grace@acme.com"),
];
const GROUPS: [(u64, &str); 3] = [(10, "acme"), (11, "acme/platform"), (12, "acme/frontend")];
/// (id, path, visibility when the export starts).
const PROJECTS: [(u64, &str, &str); 3] = [
    (101, "acme/platform/api", "Private"),
    (102, "acme/platform/infra", "Internal"),
    (103, "acme/frontend/web", "Public"),
];
const VISIBILITIES: [&str; 3] = ["Private", "Internal", "Public"];
const LEVELS: [&str; 5] = ["Guest", "Reporter", "Developer", "Maintainer", "Owner"];
const IPS: [&str; 4] = ["203.0.113.7", "198.51.100.23", "192.0.2.44", "203.0.113.99"];

/// When every generated export starts: 2026-03-02T08:00:00Z.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

struct World {
    /// (container path, user id) → access level.
    members: BTreeMap<(&'static str, u64), &'static str>,
    visibility: BTreeMap<u64, &'static str>,
    subgroups: usize,
}

/// Writes the export to `path` and returns the truth.
pub fn write_gitlab(path: &Path, plan: &GitLabPlan) -> std::io::Result<GitLabTruth> {
    let mut rng = Rng::new(plan.seed);
    let mut truth = GitLabTruth::default();
    let mut world = World {
        members: BTreeMap::new(),
        visibility: PROJECTS.iter().map(|(id, _, v)| (*id, *v)).collect(),
        subgroups: 0,
    };
    let mut records = Vec::with_capacity(plan.records);
    let mut stateless = Vec::new();
    let mut time = start();
    for n in 0..plan.records {
        // Whole seconds: the CSV export writes no fraction.
        time += Duration::seconds(1 + rng.below(90) as i64);
        let (record, changes_state) = event(&mut rng, n, time, &mut world, &mut truth);
        count(&mut truth, &record);
        if !changes_state {
            stateless.push(n);
        }
        records.push(record);
    }
    truth.events = records.len() as u64;
    let quirks = Quirks {
        repeats: plan.repeats,
        conflicting: plan.conflicting,
        untimed: plan.untimed,
        broken: 0,
    };
    let (rows, added) = quirks.rows(
        &records,
        &stateless,
        |quirk, k, record| match quirk {
            Quirk::Conflicting => {
                record["ip_address"] = json!("192.0.2.200");
                record["details"]["ip_address"] = json!("192.0.2.200");
                count(&mut truth, record);
                truth.events += 1;
            }
            Quirk::Untimed => {
                record["id"] = json!(900_000 + k);
                quirks::untime(k, record, "created_at", "yesterday afternoon");
            }
            _ => {}
        },
        None,
    );
    truth.quarantined = added.quarantined();
    truth.exact_repeats = added.repeats;
    let rows: Vec<Value> = rows.into_iter().filter_map(Row::into_record).collect();
    truth.rows = rows.len() as u64;
    write_rows(path, plan.shape, &rows)?;
    Ok(truth)
}

fn count(truth: &mut GitLabTruth, record: &Value) {
    let author = record["author_name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if let Some(email) = record["details"]
        .get("author_email")
        .and_then(Value::as_str)
    {
        truth.emails.insert(author.clone(), email.to_owned());
    }
    let outcome = if record["details"].get("failed_login").is_some() {
        "failure"
    } else {
        "success"
    };
    *truth.outcomes.entry(outcome.into()).or_default() += 1;
    *truth.per_actor.entry(author).or_default() += 1;
}

fn write_rows(path: &Path, shape: GitLabShape, rows: &[Value]) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    match shape {
        GitLabShape::Json => {
            file.write_all(b"[\n")?;
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    file.write_all(b",\n")?;
                }
                serde_json::to_writer(&mut file, row)?;
            }
            file.write_all(b"\n]\n")?;
            file.flush()
        }
        GitLabShape::Csv => {
            let mut csv = csv::Writer::from_writer(file);
            csv.write_record([
                "ID",
                "Author ID",
                "Author Name",
                "Entity ID",
                "Entity Type",
                "Entity Path",
                "Target ID",
                "Target Type",
                "Target Details",
                "Action",
                "IP Address",
                "Created At (UTC)",
            ])?;
            for row in rows {
                let s = |value: &Value| match value {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                let created = match &row["created_at"] {
                    Value::String(text) => match DateTime::parse_from_rfc3339(text) {
                        Ok(time) => time.format("%Y-%m-%d %H:%M:%S").to_string(),
                        Err(_) => text.clone(),
                    },
                    _ => String::new(),
                };
                csv.write_record([
                    s(&row["id"]),
                    s(&row["author_id"]),
                    s(&row["author_name"]),
                    s(&row["entity_id"]),
                    s(&row["entity_type"]),
                    s(&row["entity_path"]),
                    s(&row["target_id"]),
                    s(&row["target_type"]),
                    s(&row["target_details"]),
                    sentence(&row["details"]),
                    s(&row["ip_address"]),
                    created,
                ])?;
            }
            csv.flush()
        }
    }
}

/// What GitLab writes in the CSV `Action` column for `details`.
fn sentence(details: &Value) -> String {
    let s = |key: &str| details.get(key).and_then(Value::as_str);
    if let Some(with) = s("with") {
        return format!("Signed in with {} authentication", with.to_uppercase());
    }
    if let Some(thing) = s("add") {
        let mut text = format!("Added {}", thing.replace('_', " "));
        if let Some(level) = s("as") {
            text.push_str(&format!(" as {level}"));
        }
        return text;
    }
    if let Some(thing) = s("remove") {
        return format!("Removed {}", thing.replace('_', " "));
    }
    if let Some(with) = s("failed_login") {
        return format!("Failed to login with {with} authentication");
    }
    if let Some(message) = s("custom_message") {
        return message.to_owned();
    }
    let change = s("change").unwrap_or_default().replace('_', " ");
    let mut text = format!("Changed {change}");
    if let Some(from) = s("from") {
        text.push_str(&format!(" from {from}"));
    }
    if let Some(to) = s("to") {
        text.push_str(&format!(" to {to}"));
    }
    if change == "access level"
        && details.get("expiry_from").is_some()
        && details.get("expiry_to").is_some()
    {
        text.push_str(" with expiry remaining unchanged at never expires");
    }
    text
}

/// An entity or a target: (id, type, path or details).
type Party = (Value, &'static str, String);

/// One event: (the event, whether it changes any state the truth follows).
fn event(
    rng: &mut Rng,
    n: usize,
    time: DateTime<Utc>,
    world: &mut World,
    truth: &mut GitLabTruth,
) -> (Value, bool) {
    let ts = time.to_rfc3339_opts(SecondsFormat::Millis, true);
    let ip = IPS[rng.index(IPS.len())];
    let admin = ADMINS[rng.index(ADMINS.len())];
    let user = USERS[rng.index(USERS.len())];
    let mut author = admin;
    let mut changes_state = true;
    // (entity id, type, path), (target id, type, details), details, event type.
    let (entity, target, mut details, event_type): (Party, Party, Map<String, Value>, &str) =
        match rng.weighted(&[6.0, 2.0, 1.5, 1.5, 1.0, 0.5]) {
            0 => {
                // A member of a group or a project.
                let (container_id, container, kind) = if rng.chance(0.5) {
                    let (id, path) = GROUPS[rng.index(GROUPS.len())];
                    (id, path, "Group")
                } else {
                    let (id, path, _) = PROJECTS[rng.index(PROJECTS.len())];
                    (id, path, "Project")
                };
                let key = (container, user.0);
                let history = truth
                    .access_levels
                    .entry(format!("{container}:{}", user.0))
                    .or_default();
                let (details, event_type) = match world.members.get(&key).copied() {
                    None => {
                        let level = LEVELS[rng.index(4)];
                        world.members.insert(key, level);
                        history.push((ts.clone(), None, Some(level.to_owned())));
                        (json!({"add": "user_access", "as": level}), "member_created")
                    }
                    Some(_) if rng.chance(0.2) => {
                        world.members.remove(&key);
                        history.push((ts.clone(), None, None));
                        (json!({"remove": "user_access"}), "member_destroyed")
                    }
                    Some(old) => {
                        let new = loop {
                            let level = LEVELS[rng.index(LEVELS.len())];
                            if level != old {
                                break level;
                            }
                        };
                        world.members.insert(key, new);
                        history.push((ts.clone(), Some(old.to_owned()), Some(new.to_owned())));
                        (
                            json!({"change": "access_level", "from": old, "to": new,
                               "expiry_from": null, "expiry_to": null}),
                            "member_updated",
                        )
                    }
                };
                (
                    (json!(container_id), kind, container.to_owned()),
                    (json!(user.0), "User", user.2.to_owned()),
                    details.as_object().unwrap().clone(),
                    event_type,
                )
            }
            1 => {
                let (id, path, _) = PROJECTS[rng.index(PROJECTS.len())];
                let old = world.visibility[&id];
                let new = loop {
                    let v = VISIBILITIES[rng.index(3)];
                    if v != old {
                        break v;
                    }
                };
                world.visibility.insert(id, new);
                truth.visibility.entry(id.to_string()).or_default().push((
                    ts.clone(),
                    Some(old.to_owned()),
                    Some(new.to_owned()),
                ));
                (
                    (json!(id), "Project", path.to_owned()),
                    (json!(id), "Project", path.to_owned()),
                    json!({"change": "visibility", "from": old, "to": new})
                        .as_object()
                        .unwrap()
                        .clone(),
                    "project_visibility_level_updated",
                )
            }
            2 => {
                // A failed sign-in: GitLab writes the attempted username as the author.
                changes_state = false;
                let target = USERS[rng.index(USERS.len())];
                author = (u64::MAX, target.1, target.1, "");
                (
                    (json!(target.0), "User", target.1.to_owned()),
                    (json!(target.0), "User", target.1.to_owned()),
                    json!({"failed_login": "STANDARD"})
                        .as_object()
                        .unwrap()
                        .clone(),
                    "login_failed_with_standard_authentication",
                )
            }
            3 => {
                changes_state = false;
                author = user;
                let (id, path) = GROUPS[0];
                (
                    (json!(id), "Group", path.to_owned()),
                    (json!(user.0), "User", user.2.to_owned()),
                    json!({"with": "group_saml"}).as_object().unwrap().clone(),
                    "authenticated_with_group_saml",
                )
            }
            4 => {
                changes_state = false;
                author = user;
                let (id, path, _) = PROJECTS[rng.index(PROJECTS.len())];
                (
                    (json!(id), "Project", path.to_owned()),
                    (json!(id), "Project", path.to_owned()),
                    json!({"custom_message": "Repository Download Started"})
                        .as_object()
                        .unwrap()
                        .clone(),
                    "repository_download_operation",
                )
            }
            _ => {
                // A subgroup: GitLab writes its path where its id belongs.
                world.subgroups += 1;
                let (id, path) = GROUPS[1 + rng.index(2)];
                let sub = format!("{path}/tools-{}", world.subgroups);
                truth.named_targets.push((ts.clone(), sub.clone()));
                (
                    (json!(id), "Group", path.to_owned()),
                    (json!(sub), "Group", sub.clone()),
                    json!({"add": "group"}).as_object().unwrap().clone(),
                    "group_created",
                )
            }
        };
    let (author_id, author_name) = if author.0 == u64::MAX {
        (json!(-1), author.1)
    } else {
        (json!(author.0), author.2)
    };
    details.insert("author_name".into(), json!(author_name));
    if !author.3.is_empty() {
        details.insert("author_email".into(), json!(author.3));
    }
    details.insert("target_id".into(), target.0.clone());
    details.insert("target_type".into(), json!(target.1));
    details.insert("target_details".into(), json!(target.2));
    details.insert("ip_address".into(), json!(ip));
    details.insert("entity_path".into(), json!(entity.2));
    let record = json!({
        "id": 50_000 + n,
        "author_id": author_id,
        "author_name": author_name,
        "entity_id": entity.0,
        "entity_type": entity.1,
        "entity_path": entity.2,
        "event_type": event_type,
        "details": details,
        "ip_address": ip,
        "target_id": target.0,
        "target_type": target.1,
        "target_details": target.2,
        "created_at": ts,
    });
    (record, changes_state)
}
