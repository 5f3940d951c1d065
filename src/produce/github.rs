//! Generates GitHub organization audit log exports in the shapes investigators receive
//! (`docs/sources/github.md`): the JSON export (an array), the same entries one a line
//! (as the Git events export and streaming write them), and the CSV export with nested
//! keys flattened (`data.hook_id`, `actor_location.country_code`). The organization's
//! life: repositories whose visibility changes again and again (`visibility_was`, or
//! `previous_visibility` as newer entries spell it), branch protection settings changed
//! one by one (`*_was`), team members added and removed, organization roles changed
//! (`old_permission`), webhook events changed (`data.events_were`), clones, token use
//! and workflow runs by bots. With the quirks real exports have: entries repeated by
//! overlapping exports, a `_document_id` repeated with other content, times missing or
//! not times, and `org` written as an array. It returns what it wrote as the truth an
//! import must reproduce.
//!
//! Like the rest of `produce`, it shares nothing with the reader it feeds.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::quirks::{self, Quirk, Quirks, Row};
use super::rng::Rng;

/// Which export shape to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitHubShape {
    /// The JSON export: an array of entries.
    Json,
    /// One entry a line.
    Lines,
    /// The CSV export: one column per key, nested keys dotted.
    Csv,
}

/// What to write.
#[derive(Debug, Clone)]
pub struct GitHubPlan {
    /// Distinct entries, before the quirks below are added.
    pub records: usize,
    pub seed: u64,
    pub shape: GitHubShape,
    /// Entries repeated exactly (as overlapping exports do), appended at the end.
    pub repeats: usize,
    /// Entries whose `_document_id` repeats an earlier one with different content.
    pub conflicting: usize,
    /// Entries whose `@timestamp` and `created_at` are missing or not times.
    pub untimed: usize,
}

impl Default for GitHubPlan {
    fn default() -> GitHubPlan {
        GitHubPlan {
            records: 200,
            seed: 7,
            shape: GitHubShape::Json,
            repeats: 0,
            conflicting: 0,
            untimed: 0,
        }
    }
}

/// One change of one field: (ts, before, after).
pub type Change = (String, Value, Value);

/// What was written: what an import must find.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GitHubTruth {
    /// Entries written (all of them, quirks included).
    pub rows: u64,
    /// Events an import keeps: distinct entries plus conflicting repeats.
    pub events: u64,
    /// Entries kept in quarantine (untimed).
    pub quarantined: u64,
    /// Exact repeats, counted once.
    pub exact_repeats: u64,
    /// Events per actor login.
    pub per_actor: BTreeMap<String, u64>,
    /// Each human actor's SAML email.
    pub emails: BTreeMap<String, String>,
    /// Events per outcome.
    pub outcomes: BTreeMap<String, u64>,
    /// Per repository: each visibility change.
    pub visibility: BTreeMap<String, Vec<Change>>,
    /// Per protected branch (`repo:branch`): each change (ts, setting, before, after).
    pub protection: BTreeMap<String, Vec<(String, String, Value, Value)>>,
    /// Per team membership (`team:user`): (ts, action) of each add and remove.
    pub memberships: BTreeMap<String, Vec<(String, String)>>,
    /// Per organization membership (`org:user`): each role change.
    pub org_roles: BTreeMap<String, Vec<Change>>,
    /// Per webhook id: each change of its events.
    pub hook_events: BTreeMap<String, Vec<Change>>,
}

const ORG: &str = "acme";
/// (login, SAML email) of the people.
const ADMINS: [(&str, &str); 2] = [
    ("maria-lopez", "maria@acme.com"),
    ("jdoe", "john.doe@acme.com"),
];
const USERS: [(&str, &str); 5] = [
    ("bob-stone", "bob@acme.com"),
    ("carla-diaz", "carla@acme.com"),
    ("dev-eve", "eve@acme.com"),
    ("frank-o", "frank@acme.com"),
    ("grace-h", "grace@acme.com"),
];
const BOTS: [&str; 2] = ["github-actions[bot]", "dependabot[bot]"];
/// (repository, its visibility when the export starts).
const REPOS: [(&str, &str); 5] = [
    ("acme/api", "private"),
    ("acme/web", "public"),
    ("acme/infra", "internal"),
    ("acme/docs", "public"),
    ("acme/mobile", "private"),
];
const VISIBILITIES: [&str; 3] = ["public", "private", "internal"];
const TEAMS: [&str; 3] = ["acme/security", "acme/platform", "acme/frontend"];
const BRANCHES: [&str; 2] = ["main", "release/*"];
const HOOK_EVENTS: [&str; 5] = ["push", "pull_request", "release", "issues", "deployment"];
const IPS: [&str; 4] = ["203.0.113.7", "198.51.100.23", "192.0.2.44", "203.0.113.99"];
const COUNTRIES: [&str; 3] = ["DE", "US", "FR"];

/// When every generated export starts: 2026-03-02T08:00:00Z.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// The organization as the entries so far left it.
struct World {
    visibility: BTreeMap<&'static str, &'static str>,
    /// (repo:branch, setting) → value.
    protection: BTreeMap<(String, &'static str), Value>,
    members: BTreeSet<(&'static str, &'static str)>,
    roles: BTreeMap<&'static str, &'static str>,
    hooks: BTreeMap<String, Vec<&'static str>>,
}

/// Writes the export to `path` and returns the truth.
pub fn write_github(path: &Path, plan: &GitHubPlan) -> std::io::Result<GitHubTruth> {
    let mut rng = Rng::new(plan.seed);
    let mut truth = GitHubTruth::default();
    let mut world = World {
        visibility: REPOS.iter().copied().collect(),
        protection: BTreeMap::new(),
        members: BTreeSet::new(),
        roles: BTreeMap::new(),
        hooks: BTreeMap::new(),
    };
    let mut records: Vec<Value> = Vec::with_capacity(plan.records);
    // Entries that change no state: the ones a conflicting repeat copies.
    let mut stateless = Vec::new();
    let mut time = start();
    for n in 0..plan.records {
        time += Duration::milliseconds(1000 + rng.below(89_000) as i64);
        let (record, changes_state) = entry(&mut rng, n, time, &mut world, &mut truth);
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
                record["actor_ip"] = json!("192.0.2.200");
                record["user_agent"] = json!("curl/8.5.0");
                count(&mut truth, record);
                truth.events += 1;
            }
            Quirk::Untimed => {
                record["_document_id"] = json!(format!("untimed{k:015}"));
                if let Some(object) = record.as_object_mut() {
                    object.remove("created_at");
                }
                quirks::untime(k, record, "@timestamp", "yesterday afternoon");
            }
            _ => {}
        },
        None,
    );
    truth.quarantined = added.quarantined();
    truth.exact_repeats = added.repeats;
    truth.rows = rows.len() as u64;
    let rows: Vec<Value> = rows.into_iter().filter_map(Row::into_record).collect();
    write_rows(path, plan.shape, &rows)?;
    Ok(truth)
}

fn count(truth: &mut GitHubTruth, record: &Value) {
    let actor = record["actor"].as_str().unwrap_or_default().to_owned();
    if let Some(email) = record
        .get("external_identity_nameid")
        .and_then(Value::as_str)
    {
        truth.emails.insert(actor.clone(), email.to_owned());
    }
    *truth.per_actor.entry(actor).or_default() += 1;
    // The log records what was done.
    *truth.outcomes.entry("success".into()).or_default() += 1;
}

fn write_rows(path: &Path, shape: GitHubShape, rows: &[Value]) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    match shape {
        GitHubShape::Json => {
            file.write_all(b"[\n")?;
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    file.write_all(b",\n")?;
                }
                serde_json::to_writer(&mut file, row)?;
            }
            file.write_all(b"\n]\n")?;
        }
        GitHubShape::Lines => {
            for row in rows {
                serde_json::to_writer(&mut file, row)?;
                file.write_all(b"\n")?;
            }
        }
        GitHubShape::Csv => {
            let flat: Vec<BTreeMap<String, String>> = rows
                .iter()
                .map(|row| {
                    let mut cells = BTreeMap::new();
                    flatten("", row, &mut cells);
                    cells
                })
                .collect();
            let columns: BTreeSet<&String> = flat.iter().flat_map(|cells| cells.keys()).collect();
            let mut csv = csv::Writer::from_writer(file);
            csv.write_record(&columns)?;
            for cells in &flat {
                csv.write_record(
                    columns
                        .iter()
                        .map(|c| cells.get(*c).map(String::as_str).unwrap_or("")),
                )?;
            }
            return csv.flush();
        }
    }
    file.flush()
}

/// Nested objects become dotted columns; arrays are written as JSON.
fn flatten(prefix: &str, value: &Value, cells: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(object) => {
            for (key, value) in object {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, value, cells);
            }
        }
        Value::String(s) => {
            cells.insert(prefix.to_owned(), s.clone());
        }
        Value::Null => {}
        other => {
            cells.insert(prefix.to_owned(), other.to_string());
        }
    }
}

/// A `_document_id`: 22 characters of base64url, starting with a letter.
fn document_id(rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut id = String::with_capacity(22);
    id.push(ALPHABET[rng.index(52)] as char);
    for _ in 1..22 {
        id.push(ALPHABET[rng.index(64)] as char);
    }
    id
}

/// One entry: (the entry, whether it changes any state the truth follows).
fn entry(
    rng: &mut Rng,
    n: usize,
    time: DateTime<Utc>,
    world: &mut World,
    truth: &mut GitHubTruth,
) -> (Value, bool) {
    let ms = time.timestamp_millis();
    let ts = time.to_rfc3339_opts(SecondsFormat::Millis, true);
    let admin = ADMINS[rng.index(ADMINS.len())];
    let user = USERS[rng.index(USERS.len())];
    let (repo, _) = REPOS[rng.index(REPOS.len())];
    let mut record = Map::new();
    let mut changes_state = true;
    let mut actor = Some(admin);
    let mut bot = None;
    match rng.weighted(&[3.0, 3.0, 3.0, 1.5, 1.5, 2.0, 1.5, 1.5]) {
        0 => {
            let old = world.visibility[repo];
            let new = loop {
                let v = VISIBILITIES[rng.index(3)];
                if v != old {
                    break v;
                }
            };
            world.visibility.insert(repo, new);
            truth.visibility.entry(repo.to_owned()).or_default().push((
                ts.clone(),
                json!(old),
                json!(new),
            ));
            record.insert("action".into(), json!("repo.access"));
            record.insert("repo".into(), json!(repo));
            record.insert("visibility".into(), json!(new));
            // Newer entries spell the earlier value `previous_visibility`.
            let was = if rng.chance(0.3) {
                "previous_visibility"
            } else {
                "visibility_was"
            };
            record.insert(was.into(), json!(old));
            record.insert("operation_type".into(), json!("modify"));
        }
        1 => {
            let branch = BRANCHES[rng.index(BRANCHES.len())];
            let key = format!("{repo}:{branch}");
            let (setting, old, new) = match rng.index(3) {
                0 => {
                    let old = world
                        .protection
                        .get(&(key.clone(), "required_approving_review_count"))
                        .cloned()
                        .unwrap_or(json!(1));
                    let new = loop {
                        let v = json!(rng.index(5));
                        if v != old {
                            break v;
                        }
                    };
                    ("required_approving_review_count", old, new)
                }
                1 => {
                    let old = world
                        .protection
                        .get(&(key.clone(), "admin_enforced"))
                        .cloned()
                        .unwrap_or(json!(false));
                    let new = json!(!old.as_bool().unwrap());
                    ("admin_enforced", old, new)
                }
                _ => {
                    let old = world
                        .protection
                        .get(&(key.clone(), "allow_force_pushes_enforcement_level"))
                        .cloned()
                        .unwrap_or(json!("off"));
                    let new = loop {
                        let v = json!(["off", "non_admins", "everyone"][rng.index(3)]);
                        if v != old {
                            break v;
                        }
                    };
                    ("allow_force_pushes_enforcement_level", old, new)
                }
            };
            world.protection.insert((key.clone(), setting), new.clone());
            truth.protection.entry(key).or_default().push((
                ts.clone(),
                setting.to_owned(),
                old.clone(),
                new.clone(),
            ));
            record.insert("action".into(), json!("protected_branch.update"));
            record.insert("repo".into(), json!(repo));
            record.insert("name".into(), json!(branch));
            record.insert(setting.into(), new);
            record.insert(format!("{setting}_was"), old);
            record.insert("operation_type".into(), json!("modify"));
        }
        2 => {
            let team = TEAMS[rng.index(TEAMS.len())];
            let member = (team, user.0);
            let action = if world.members.remove(&member) {
                "team.remove_member"
            } else {
                world.members.insert(member);
                "team.add_member"
            };
            truth
                .memberships
                .entry(format!("{team}:{}", user.0))
                .or_default()
                .push((ts.clone(), action.to_owned()));
            record.insert("action".into(), json!(action));
            record.insert("team".into(), json!(team));
            record.insert("user".into(), json!(user.0));
            record.insert(
                "operation_type".into(),
                json!(if action.ends_with("add_member") {
                    "create"
                } else {
                    "remove"
                }),
            );
        }
        3 => {
            let old = world.roles.get(user.0).copied().unwrap_or("member");
            let new = if old == "member" { "admin" } else { "member" };
            world.roles.insert(user.0, new);
            truth
                .org_roles
                .entry(format!("{ORG}:{}", user.0))
                .or_default()
                .push((ts.clone(), json!(old), json!(new)));
            record.insert("action".into(), json!("org.update_member"));
            record.insert("user".into(), json!(user.0));
            record.insert("permission".into(), json!(new));
            record.insert("old_permission".into(), json!(old));
            record.insert("operation_type".into(), json!("modify"));
        }
        4 => {
            let hook = format!("{}", 4000 + REPOS.iter().position(|r| r.0 == repo).unwrap());
            let old = world
                .hooks
                .get(&hook)
                .cloned()
                .unwrap_or_else(|| vec!["push"]);
            let new = loop {
                let mut events: Vec<&str> = HOOK_EVENTS
                    .iter()
                    .copied()
                    .filter(|_| rng.chance(0.5))
                    .collect();
                if events.is_empty() {
                    events.push("push");
                }
                if events != old {
                    break events;
                }
            };
            world.hooks.insert(hook.clone(), new.clone());
            truth.hook_events.entry(hook.clone()).or_default().push((
                ts.clone(),
                json!(old),
                json!(new),
            ));
            record.insert("action".into(), json!("hook.events_changed"));
            record.insert("repo".into(), json!(repo));
            record.insert(
                "data".into(),
                json!({"hook_id": hook.parse::<u64>().unwrap(), "events": new, "events_were": old}),
            );
            record.insert("operation_type".into(), json!("modify"));
        }
        5 => {
            changes_state = false;
            actor = Some(user);
            let action = if rng.chance(0.7) {
                "git.clone"
            } else {
                "repo.download_zip"
            };
            record.insert("action".into(), json!(action));
            record.insert("repo".into(), json!(repo));
            record.insert("operation_type".into(), json!("access"));
            if action == "git.clone" {
                record.insert("transport_protocol_name".into(), json!("http"));
            }
        }
        6 => {
            changes_state = false;
            actor = Some(user);
            record.insert(
                "action".into(),
                json!("personal_access_token.access_granted"),
            );
            record.insert("user".into(), json!(user.0));
            record.insert("token_id".into(), json!(7_000_000 + rng.below(1000)));
            record.insert(
                "hashed_token".into(),
                json!(format!("{}{}=", rng.hex(16), rng.hex(16))),
            );
            record.insert(
                "programmatic_access_type".into(),
                json!("Fine-grained personal access token"),
            );
            record.insert("operation_type".into(), json!("authentication"));
        }
        _ => {
            changes_state = false;
            actor = None;
            let name = BOTS[rng.index(BOTS.len())];
            bot = Some(name);
            record.insert(
                "action".into(),
                json!(if name.starts_with("github-actions") {
                    "workflows.completed_workflow_run"
                } else {
                    "repository_vulnerability_alert.create"
                }),
            );
            record.insert("repo".into(), json!(repo));
            record.insert("operation_type".into(), json!("create"));
        }
    }
    record.insert("@timestamp".into(), json!(ms));
    record.insert("created_at".into(), json!(ms));
    record.insert("_document_id".into(), json!(document_id(rng)));
    match (actor, bot) {
        (Some((login, email)), _) => {
            let i = ADMINS
                .iter()
                .chain(USERS.iter())
                .position(|(l, _)| *l == login)
                .unwrap();
            record.insert("actor".into(), json!(login));
            record.insert("actor_id".into(), json!(1001 + i));
            record.insert("external_identity_nameid".into(), json!(email));
            record.insert(
                "external_identity_username".into(),
                json!(email.split('@').next().unwrap()),
            );
            record.insert(
                "actor_location".into(),
                json!({"country_code": COUNTRIES[rng.index(COUNTRIES.len())]}),
            );
            if rng.chance(0.6) {
                record.insert("actor_ip".into(), json!(IPS[rng.index(IPS.len())]));
            }
            if rng.chance(0.5) {
                record.insert(
                    "user_agent".into(),
                    json!("Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0"),
                );
            }
        }
        (None, Some(bot)) => {
            record.insert("actor".into(), json!(bot));
            record.insert(
                "actor_id".into(),
                json!(if bot.starts_with("github") {
                    41898282
                } else {
                    49699333
                }),
            );
        }
        (None, None) => {}
    }
    // Some entries write `org` as an array, as enterprise exports do.
    // (Not on organization actions: their target is the organization.)
    let on_org = record["action"]
        .as_str()
        .is_some_and(|a| a.starts_with("org."));
    let org = match n % 11 {
        3 => json!([ORG]),
        7 if !on_org => json!([ORG, "acme-labs"]),
        _ => json!(ORG),
    };
    record.insert("org".into(), org);
    record.insert("org_id".into(), json!(9001));
    if rng.chance(0.5) {
        record.insert(
            "request_id".into(),
            json!(format!(
                "{}:{}:{}:{}",
                rng.hex(4).to_uppercase(),
                rng.hex(4).to_uppercase(),
                rng.hex(6).to_uppercase(),
                rng.hex(8).to_uppercase()
            )),
        );
    }
    if rng.chance(0.3) {
        record.insert("business".into(), json!("acme-corp"));
    }
    (Value::Object(record), changes_state)
}
