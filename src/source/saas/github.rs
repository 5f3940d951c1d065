//! GitHub organization and enterprise audit log exports: the JSON export (an array of
//! entries, or one entry a line as the Git events export and streaming write them) and
//! the CSV export, whose columns are the JSON keys with nested ones flattened
//! (`actor_location.country_code`, `data.hook_id`). A CSV row is rebuilt into the
//! entry the JSON export would hold, so both read the same. See
//! `../shared/reference/audit-sources.md` §4.1 and docs/sources/github.md.

use serde_json::{Map, Value};

use super::event::{Event, Party, decoded, text, time_of};
use super::{Format, Head, Item, ItemValue, Normalizer, Out, Row};
use crate::canonical::{sha256, to_hex};
use crate::source::SourceKind;
use crate::source::records::Header;

pub struct GitHub;

/// Keys of which a GitHub entry has at least one (the older export: `org`, `repo` or
/// `business`; the current one also `_document_id` and `@timestamp`).
const GITHUB_KEYS: &[&str] = &[
    "_document_id",
    "@timestamp",
    "org",
    "repo",
    "business",
    "actor_location.country_code",
    "actor_location",
];

/// Keys of other formats' records that a GitHub entry never has.
const FOREIGN_KEYS: &[&str] = &[
    "author_id",
    "entity_type",
    "Operation",
    "eventType",
    "eventName",
    "auditID",
    "activityDisplayName",
];

impl Format for GitHub {
    fn kind(&self) -> SourceKind {
        SourceKind::GitHub
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        // Besides `action`, `actor` and a time, one key GitHub's entries have and a
        // generic application log seldom does.
        if head.columns.is_some() {
            return head.has_columns(&["action", "actor"])
                && (head.has_columns(&["@timestamp"]) || head.has_columns(&["created_at"]))
                && GITHUB_KEYS.iter().any(|key| head.has_columns(&[key]));
        }
        let Some(first) = head.first.and_then(Value::as_object) else {
            return false;
        };
        // `action` is always namespaced (`repo.create`), `actor` a login (never an
        // object, as Okta's and Google's are), and the entry has its time or id.
        first
            .get("action")
            .and_then(Value::as_str)
            .is_some_and(|action| action.contains('.') && !action.contains(' '))
            && first
                .get("actor")
                .is_none_or(|actor| actor.is_string() || actor.is_null())
            && ["@timestamp", "created_at", "_document_id"]
                .iter()
                .any(|key| first.contains_key(*key))
            && GITHUB_KEYS.iter().any(|key| first.contains_key(*key))
            && !FOREIGN_KEYS.iter().any(|key| first.contains_key(*key))
    }

    fn normalizer(&self) -> Box<dyn Normalizer> {
        Box::new(GitHubNormalizer)
    }
}

struct GitHubNormalizer;

impl Normalizer for GitHubNormalizer {
    fn begin_file(&mut self, _file: &str, header: Option<&Header>) -> Result<(), String> {
        match header {
            Some(header) if !header.index.contains_key("action") => {
                Err("the CSV file has no action column".into())
            }
            _ => Ok(()),
        }
    }

    fn push(&mut self, item: Item<'_>, out: &mut Vec<Out>) -> Result<(), String> {
        let rebuilt;
        let entry = match &item.value {
            ItemValue::Json(value) => value,
            ItemValue::Row(row) => {
                rebuilt = row_entry(row);
                &rebuilt
            }
        };
        let event = normalize(entry)?;
        // The entry is the content, whatever the container: the same entry in a JSON
        // and a CSV export (or written with other spacing) is an exact repeat.
        let mut made = Out::of(&item, event);
        made.content = serde_json::to_vec(entry).ok();
        out.push(made);
        Ok(())
    }
}

/// A CSV row as the JSON entry it flattens: a column `a.b` is member `b` of object
/// `a`; empty cells are absent; `true`/`false` are booleans, integers written plainly
/// (no sign but `-`, no leading zero) are numbers, cells holding a JSON array or
/// object (`["acme","acme-labs"]`) are decoded; anything else is text.
pub fn row_entry(row: &Row<'_>) -> Value {
    let mut entry = Map::new();
    for (i, name) in row.header.names.iter().enumerate() {
        let Some(cell) = row.fields.get(i).copied() else {
            continue;
        };
        if cell.trim().is_empty() || name.is_empty() {
            continue;
        }
        insert_path(&mut entry, name, cell_value(cell));
    }
    Value::Object(entry)
}

fn cell_value(cell: &str) -> Value {
    match cell {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && let Ok(n) = cell.parse::<i64>()
    {
        return Value::from(n);
    }
    decoded(&Value::String(cell.to_owned()))
}

/// Puts `value` at the dotted `path` of `entry`. A path whose parent already holds
/// something other than an object keeps the whole dotted name as one key.
fn insert_path(entry: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    if parts.len() == 1 || parts.iter().any(|p| p.is_empty()) {
        entry.insert(path.to_owned(), value);
        return;
    }
    let last = parts.pop().unwrap_or_default();
    let mut node = &mut *entry;
    for part in parts {
        let slot = node
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        match slot {
            Value::Object(inner) => node = inner,
            _ => {
                entry.insert(path.to_owned(), value);
                return;
            }
        }
    }
    node.insert(last.to_owned(), value);
}

/// Members and collaborators: a person's place in an organization, team or repository.
const MEMBERSHIP_VERBS: &[&str] = &[
    "add_member",
    "remove_member",
    "update_member",
    "invite_member",
    "promote_maintainer",
    "demote_maintainer",
    "add_outside_collaborator",
    "remove_outside_collaborator",
    "add_collaborator",
    "remove_collaborator",
    "update_collaborator",
];

/// Top-level keys the mapping reads (the rest go to `context`).
const MAPPED: &[&str] = &[
    "_document_id",
    "@timestamp",
    "created_at",
    "action",
    "actor",
    "actor_ip",
    "user_agent",
    "request_id",
];

/// One audit log entry as an event.
pub fn normalize(record: &Value) -> Result<Value, String> {
    let Some(entry) = record.as_object() else {
        return Err("the entry is not a JSON object".into());
    };
    let s = |key: &str| text(entry.get(key));
    let id = match entry.get("_document_id") {
        // The older export has no id: the digest of the entry (its keys sorted) stands
        // in, so an exact repeat is still one event.
        None => {
            let bytes = serde_json::to_vec(record).map_err(|e| e.to_string())?;
            format!("sha256:{}", to_hex(&sha256(&bytes)))
        }
        Some(value) => {
            text(Some(value)).ok_or_else(|| format!("its _document_id {value} is empty"))?
        }
    };
    let ts = time(entry)?;
    let action = s("action").ok_or("it has no action")?;
    let mut event = Event::new(&id, &ts, &action);
    let (prefix, verb) = action.split_once('.').unwrap_or((action.as_str(), ""));
    event.text(
        "category",
        Some(category(prefix, verb, s("operation_type").as_deref())),
    );

    // Who: the login; its SAML identity as email when it is one.
    let actor = s("actor");
    let nameid = s("external_identity_nameid");
    let email = nameid
        .as_deref()
        .filter(|n| n.contains('@') && !n.contains(char::is_whitespace));
    let kind = if actor.as_deref().is_some_and(|a| a.ends_with("[bot]")) {
        "automation"
    } else {
        "user"
    };
    event.party(
        "actor",
        Party {
            id: actor.as_deref(),
            kind: Some(kind),
            email,
            ..Party::default()
        },
    );

    let (target_type, target_id, target_name) = target(entry, prefix, verb);
    event.party(
        "target",
        Party {
            id: target_id.as_deref(),
            kind: Some(target_type),
            name: target_name.as_deref(),
            ..Party::default()
        },
    );

    // The log records actions that were performed; a `failed_…` action (GitHub
    // Enterprise Server's `user.failed_login`) is the one that says it failed.
    let outcome = if verb.starts_with("failed") {
        "failure"
    } else {
        "success"
    };
    event.text("outcome", Some(outcome));

    event.source("ip", s("actor_ip").as_deref());
    event.source("user_agent", s("user_agent").as_deref());
    event.source("request_id", s("request_id").as_deref());
    let client = if entry.contains_key("token_id") {
        "token_id"
    } else {
        "hashed_token"
    };
    event.source("client_id", s(client).as_deref());

    // What changed: `X_was`/`X_were`/`previous_X`/`old_X` beside `X`, at the top or in
    // `data`.
    let changes = changes(entry);
    event.set("before", Value::Object(changes.before));
    event.set("after", Value::Object(changes.after));

    // Everything else the entry says.
    for (key, value) in entry {
        if MAPPED.contains(&key.as_str()) || key == client || changes.used.top.contains(key) {
            continue;
        }
        if key == "data"
            && let Value::Object(data) = value
        {
            let rest: Map<String, Value> = data
                .iter()
                .filter(|(k, _)| !changes.used.data.contains(*k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !rest.is_empty() {
                event.context("data", Value::Object(rest));
            }
            continue;
        }
        event.context(key, value.clone());
    }
    Ok(event.build())
}

/// `@timestamp`, else `created_at` (epoch milliseconds, or a time written out).
fn time(entry: &Map<String, Value>) -> Result<String, String> {
    let present: Vec<(&str, &Value)> = ["@timestamp", "created_at"]
        .into_iter()
        .filter_map(|key| entry.get(key).filter(|v| !v.is_null()).map(|v| (key, v)))
        .collect();
    if let Some(ts) = present.iter().find_map(|(_, value)| time_of(value)) {
        return Ok(ts);
    }
    match present.first() {
        None => Err("it has no @timestamp or created_at".into()),
        Some((key, value)) => Err(format!("its {key} {value} is not a time")),
    }
}

/// The model's category for an action (`prefix.verb`).
fn category(prefix: &str, verb: &str, operation_type: Option<&str>) -> &'static str {
    if MEMBERSHIP_VERBS.contains(&verb)
        || (prefix == "repo" && verb == "access")
        || matches!(prefix, "team" | "role" | "org_role" | "custom_role")
        || verb.contains("permission")
        || verb.contains("visibility")
    {
        "permission"
    } else if matches!(
        prefix,
        "oauth_authorization"
            | "oauth_access"
            | "personal_access_token"
            | "public_key"
            | "two_factor_authentication"
            | "org_credential_authorization"
            | "passkey"
    ) || verb.contains("sso")
        || verb.contains("login")
        || verb.contains("saml")
        || operation_type == Some("authentication")
    {
        "auth"
    } else if matches!(
        prefix,
        "hook"
            | "integration"
            | "integration_installation"
            | "integration_installation_request"
            | "oauth_application"
            | "marketplace_listing"
    ) {
        "integration"
    } else if matches!(prefix, "workflows" | "environment" | "actions") {
        "workflow"
    } else if (prefix == "git" && matches!(verb, "clone" | "fetch"))
        || verb.contains("download")
        || verb.contains("export")
        || prefix == "migration"
    {
        "export"
    } else if verb.contains("import") {
        "import"
    } else if matches!(
        prefix,
        "protected_branch" | "repository_ruleset" | "business" | "org" | "enterprise"
    ) || verb.starts_with("update_")
        || verb.contains("config")
    {
        "admin"
    } else if operation_type == Some("access") {
        "access"
    } else {
        "record"
    }
}

/// `org`, which some entries write as an array of organizations: their names joined
/// with commas.
fn org(entry: &Map<String, Value>) -> Option<String> {
    match entry.get("org")? {
        Value::Array(orgs) => {
            let names: Vec<String> = orgs.iter().filter_map(|o| text(Some(o))).collect();
            (!names.is_empty()).then(|| names.join(","))
        }
        other => text(Some(other)),
    }
}

/// (type, id, name) of what an entry was done to.
fn target(
    entry: &Map<String, Value>,
    prefix: &str,
    verb: &str,
) -> (&'static str, Option<String>, Option<String>) {
    let data = entry.get("data").and_then(Value::as_object);
    let s = |key: &str| text(entry.get(key)).or_else(|| text(data.and_then(|d| d.get(key))));
    let (user, team, repo) = (s("user"), s("team"), s("repo").or_else(|| s("repository")));
    let org = org(entry);
    if prefix == "protected_branch"
        && let (Some(repo), Some(branch)) = (&repo, s("name").or_else(|| s("branch")))
    {
        return (
            "protected branch",
            Some(format!("{repo}:{branch}")),
            Some(branch),
        );
    }
    if MEMBERSHIP_VERBS.contains(&verb)
        && let Some(user) = &user
    {
        let container = match prefix {
            "team" => team.clone(),
            "repo" => repo.clone(),
            _ => org.clone(),
        };
        if let Some(container) = container {
            return (
                "membership",
                Some(format!("{container}:{user}")),
                Some(user.clone()),
            );
        }
    }
    if prefix == "hook"
        && let Some(hook) = s("hook_id")
    {
        return ("hook", Some(hook), None);
    }
    if prefix == "team"
        && let Some(team) = team
    {
        return ("team", Some(team), None);
    }
    if let Some(repo) = repo {
        ("repository", Some(repo), None)
    } else if let Some(team) = team {
        ("team", Some(team), None)
    } else if let Some(user) = user {
        ("user", Some(user), None)
    } else if let Some(org) = org {
        ("organization", Some(org), None)
    } else {
        ("enterprise", s("business"), None)
    }
}

/// The keys read into before/after, top-level and in `data`.
#[derive(Default)]
struct Used {
    top: Vec<String>,
    data: Vec<String>,
}

#[derive(Default)]
struct Changes {
    before: Map<String, Value>,
    after: Map<String, Value>,
    used: Used,
}

/// The field a key holds the earlier value of: `visibility_was`, `events_were`,
/// `previous_visibility`, `old_permission`.
fn earlier_of(key: &str) -> Option<&str> {
    let field = key
        .strip_suffix("_was")
        .or_else(|| key.strip_suffix("_were"))
        .or_else(|| key.strip_prefix("previous_"))
        .or_else(|| key.strip_prefix("old_"))?;
    (!field.is_empty()).then_some(field)
}

/// Before/after from the keys that hold earlier values and their counterparts (looked
/// for first beside them, then at the other level). A null earlier value means the
/// field had none and is left out of `before`.
fn changes(entry: &Map<String, Value>) -> Changes {
    let empty = Map::new();
    let data = entry
        .get("data")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut changes = Changes::default();
    for (in_data, level, other) in [(false, entry, data), (true, data, entry)] {
        for (key, value) in level {
            let Some(field) = earlier_of(key) else {
                continue;
            };
            let used = |changes: &mut Changes, in_data: bool, key: &str| {
                let list = if in_data {
                    &mut changes.used.data
                } else {
                    &mut changes.used.top
                };
                if !list.iter().any(|k| k == key) {
                    list.push(key.to_owned());
                }
            };
            used(&mut changes, in_data, key);
            if !value.is_null() {
                changes.before.insert(field.to_owned(), decoded(value));
            }
            if let Some(now) = level.get(field) {
                used(&mut changes, in_data, field);
                if !now.is_null() {
                    changes.after.insert(field.to_owned(), decoded(now));
                }
            } else if let Some(now) = other.get(field)
                && field != "data"
            {
                used(&mut changes, !in_data, field);
                if !now.is_null() {
                    changes.after.insert(field.to_owned(), decoded(now));
                }
            }
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn visibility_change() -> Value {
        json!({
            "@timestamp": 1772443800000_i64,
            "_document_id": "Xk3v9QmB2aR1cD4eF5gH6w",
            "action": "repo.access",
            "actor": "maria-lopez",
            "actor_id": 1001,
            "actor_ip": "203.0.113.7",
            "actor_location": {"country_code": "DE"},
            "created_at": 1772443800000_i64,
            "external_identity_nameid": "maria@acme.com",
            "external_identity_username": "maria.lopez",
            "operation_type": "modify",
            "org": "acme",
            "org_id": 9001,
            "repo": "acme/api",
            "repo_id": 5001,
            "request_id": "C0DE:1F2A:33B4C5:44D6E7:67C3A1B2",
            "user_agent": "Mozilla/5.0",
            "visibility": "private",
            "visibility_was": "public"
        })
    }

    #[test]
    fn a_visibility_change_reads_who_did_what_to_which_repository_with_before_and_after() {
        let event = normalize(&visibility_change()).unwrap();
        assert_eq!(event["id"], "Xk3v9QmB2aR1cD4eF5gH6w");
        assert_eq!(event["ts"], "2026-03-02T09:30:00.000Z");
        assert_eq!(event["action"], "repo.access");
        assert_eq!(event["category"], "permission");
        assert_eq!(
            event["actor"],
            json!({"id": "maria-lopez", "type": "user", "email": "maria@acme.com"})
        );
        assert_eq!(
            event["target"],
            json!({"id": "acme/api", "type": "repository"})
        );
        assert_eq!(event["outcome"], "success");
        assert_eq!(event["before"], json!({"visibility": "public"}));
        assert_eq!(event["after"], json!({"visibility": "private"}));
        assert_eq!(event["source"]["ip"], "203.0.113.7");
        assert_eq!(
            event["source"]["request_id"],
            "C0DE:1F2A:33B4C5:44D6E7:67C3A1B2"
        );
        assert_eq!(
            event["context"]["external_identity_nameid"],
            "maria@acme.com"
        );
        assert_eq!(
            event["context"]["external_identity_username"],
            "maria.lopez"
        );
        assert_eq!(event["context"]["actor_location"]["country_code"], "DE");
        assert!(event["context"].get("visibility").is_none());
        assert!(event["context"].get("@timestamp").is_none());
    }

    #[test]
    fn earlier_values_are_read_in_every_spelling_and_in_data() {
        let mut record = visibility_change();
        let entry = record.as_object_mut().unwrap();
        entry.remove("visibility_was");
        entry.insert("previous_visibility".into(), json!("internal"));
        assert_eq!(
            normalize(&record).unwrap()["before"],
            json!({"visibility": "internal"})
        );

        let hook = json!({
            "@timestamp": 1772443800000_i64, "_document_id": "h1", "action": "hook.events_changed",
            "actor": "jdoe", "repo": "acme/api",
            "data": {"hook_id": 77, "events": ["push", "release"], "events_were": ["push"]}
        });
        let event = normalize(&hook).unwrap();
        assert_eq!(event["target"], json!({"id": "77", "type": "hook"}));
        assert_eq!(event["category"], "integration");
        assert_eq!(event["before"], json!({"events": ["push"]}));
        assert_eq!(event["after"], json!({"events": ["push", "release"]}));
        assert_eq!(event["context"]["data"], json!({"hook_id": 77}));

        let member = json!({
            "@timestamp": 1772443800000_i64, "_document_id": "m1", "action": "org.update_member",
            "actor": "maria-lopez", "org": ["acme"], "user": "bob-stone",
            "permission": "admin", "old_permission": "read"
        });
        let event = normalize(&member).unwrap();
        assert_eq!(
            event["target"],
            json!({"id": "acme:bob-stone", "type": "membership", "name": "bob-stone"})
        );
        assert_eq!(event["before"], json!({"permission": "read"}));
        assert_eq!(event["after"], json!({"permission": "admin"}));
        assert_eq!(event["context"]["org"], json!(["acme"]));
    }

    #[test]
    fn targets_follow_the_action() {
        let with = |record: Value| normalize(&record).unwrap()["target"].clone();
        assert_eq!(
            with(json!({"_document_id": "a", "@timestamp": 1772443800000_i64,
                "action": "protected_branch.update", "actor": "jdoe", "repo": "acme/api", "name": "main"})),
            json!({"id": "acme/api:main", "type": "protected branch", "name": "main"})
        );
        assert_eq!(
            with(json!({"_document_id": "b", "@timestamp": 1772443800000_i64,
                "action": "team.add_member", "actor": "jdoe", "team": "acme/security", "user": "carla", "org": "acme"})),
            json!({"id": "acme/security:carla", "type": "membership", "name": "carla"})
        );
        assert_eq!(
            with(json!({"_document_id": "c", "@timestamp": 1772443800000_i64,
                "action": "org.update_default_repository_permission", "actor": "jdoe", "org": ["acme", "acme-labs"]})),
            json!({"id": "acme,acme-labs", "type": "organization"})
        );
    }

    #[test]
    fn bots_are_automation_and_a_failed_login_fails() {
        let bot = json!({"_document_id": "w", "@timestamp": 1772443800000_i64,
            "action": "workflows.completed_workflow_run", "actor": "github-actions[bot]", "repo": "acme/api"});
        let event = normalize(&bot).unwrap();
        assert_eq!(event["actor"]["type"], "automation");
        assert_eq!(event["category"], "workflow");
        let failed = json!({"_document_id": "f", "created_at": "2026-03-02T09:30:00Z",
            "action": "user.failed_login", "actor": "bob-stone", "user": "bob-stone"});
        let event = normalize(&failed).unwrap();
        assert_eq!(event["outcome"], "failure");
        assert_eq!(event["category"], "auth");
        assert_eq!(event["ts"], "2026-03-02T09:30:00.000Z");
    }

    #[test]
    fn a_record_without_a_usable_time_says_why_and_one_without_an_id_gets_its_digest() {
        let mut record = visibility_change();
        record["@timestamp"] = json!("yesterday");
        // created_at still holds a time.
        assert_eq!(
            normalize(&record).unwrap()["ts"],
            "2026-03-02T09:30:00.000Z"
        );
        record["created_at"] = json!(null);
        assert!(
            normalize(&record)
                .unwrap_err()
                .contains("@timestamp \"yesterday\" is not a time")
        );
        let entry = record.as_object_mut().unwrap();
        entry.remove("@timestamp");
        entry.remove("created_at");
        assert!(
            normalize(&record)
                .unwrap_err()
                .contains("no @timestamp or created_at")
        );
        let mut record = visibility_change();
        record.as_object_mut().unwrap().remove("_document_id");
        let id = normalize(&record).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(id.starts_with("sha256:") && id.len() == 7 + 64, "{id}");
        assert_eq!(normalize(&record).unwrap()["id"], id.as_str());
        record["_document_id"] = json!("");
        assert!(normalize(&record).unwrap_err().contains("_document_id"));
        assert!(normalize(&json!([1])).is_err());
    }

    #[test]
    fn a_csv_row_is_rebuilt_into_the_json_entry() {
        let names = [
            "@timestamp",
            "_document_id",
            "action",
            "actor",
            "actor_location.country_code",
            "org",
            "repo",
            "data.hook_id",
            "data.events",
            "data.events_were",
            "public",
            "user",
        ];
        let header = Header {
            names: names.iter().map(|n| n.to_string()).collect(),
            index: names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.to_string(), i))
                .collect(),
        };
        let row = Row {
            header: &header,
            fields: vec![
                "1772443800000",
                "d1",
                "hook.events_changed",
                "jdoe",
                "DE",
                "[\"acme\",\"acme-labs\"]",
                "acme/api",
                "77",
                "[\"push\"]",
                "[]",
                "false",
                "",
            ],
        };
        assert_eq!(
            row_entry(&row),
            json!({"@timestamp": 1772443800000_i64, "_document_id": "d1",
                "action": "hook.events_changed", "actor": "jdoe",
                "actor_location": {"country_code": "DE"}, "org": ["acme", "acme-labs"],
                "repo": "acme/api", "data": {"hook_id": 77, "events": ["push"], "events_were": []},
                "public": false})
        );
        assert_eq!(cell_value("007"), json!("007"));
        assert_eq!(cell_value("-3"), json!(-3));
        assert_eq!(
            cell_value("99999999999999999999"),
            json!("99999999999999999999")
        );
    }

    #[test]
    fn github_entries_are_told_apart_from_gitlab_and_purview_records() {
        let sniff = |first: Value| {
            GitHub.sniff(&Head {
                name: "x.json",
                bytes: b"[",
                columns: None,
                first: Some(&first),
            })
        };
        assert!(sniff(visibility_change()));
        assert!(!sniff(
            json!({"id": 1, "author_id": 2, "entity_type": "Group", "created_at": "2026-03-02T09:30:00Z", "details": {}})
        ));
        assert!(!sniff(
            json!({"Id": "x", "CreationTime": "2026-03-02T09:30:00", "Operation": "Set-Mailbox", "UserId": "a", "Workload": "Exchange"})
        ));
        assert!(!sniff(
            json!({"uuid": "x", "published": "2026-03-02T09:30:00Z", "eventType": "user.session.start", "actor": {"id": "a"}})
        ));
        // An application's own log with an action, an actor and a time is not GitHub's.
        assert!(!sniff(
            json!({"action": "order.updated", "actor": "bob", "created_at": "2026-03-02T09:30:00Z", "user": "carla"})
        ));
        assert!(sniff(
            json!({"action": "team.add_member", "actor": "bob", "created_at": 1772443800000_i64, "org": "acme", "user": "carla"})
        ));
    }
}
