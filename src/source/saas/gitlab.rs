//! GitLab audit events: the REST API's JSON (`/audit_events`, `/groups/:id/audit_events`,
//! `/projects/:id/audit_events`; an array, or one event a line as streaming and
//! `audit_json.log` write them) and the admin area's CSV export (`ID, Author ID, Author
//! Name, Entity ID, Entity Type, Entity Path, Target ID, Target Type, Target Details,
//! Action, IP Address, Created At (UTC)`), whose `Action` is the sentence GitLab makes of
//! `details` ("Changed access level from Developer to Maintainer"), read back into what
//! it says. See `../shared/reference/audit-sources.md` §4.2 and docs/sources/gitlab.md.

use serde_json::{Map, Value};

use super::event::{Event, Party, decoded, text, time_of, utc_time};
use super::{Format, Head, Item, ItemValue, Normalizer, Out, Row};
use crate::source::SourceKind;
use crate::source::records::Header;

pub struct GitLab;

/// The admin CSV export's columns that tell it.
const CSV_COLUMNS: &[&str] = &[
    "ID",
    "Author Name",
    "Entity Type",
    "Action",
    "Created At (UTC)",
];

impl Format for GitLab {
    fn kind(&self) -> SourceKind {
        SourceKind::GitLab
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        if head.columns.is_some() {
            return head.has_columns(CSV_COLUMNS);
        }
        let Some(first) = head.first.and_then(Value::as_object) else {
            return false;
        };
        first.contains_key("author_id")
            && first.contains_key("entity_type")
            && (first.contains_key("details") || first.contains_key("event_type"))
    }

    fn normalizer(&self) -> Box<dyn Normalizer> {
        Box::new(GitLabNormalizer)
    }
}

struct GitLabNormalizer;

impl Normalizer for GitLabNormalizer {
    fn begin_file(&mut self, _file: &str, header: Option<&Header>) -> Result<(), String> {
        match header {
            Some(header) if !header.index.contains_key("Action") => {
                Err("the CSV file has no Action column".into())
            }
            _ => Ok(()),
        }
    }

    fn push(&mut self, item: Item<'_>, out: &mut Vec<Out>) -> Result<(), String> {
        let (record, content) = match &item.value {
            // The event is the content: the same event written with other spacing is
            // an exact repeat.
            ItemValue::Json(value) => (from_json(value)?, serde_json::to_vec(value).ok()),
            ItemValue::Row(row) => (from_row(row)?, None),
        };
        let mut made = Out::of(&item, record.event());
        made.content = content;
        out.push(made);
        Ok(())
    }
}

/// What `details` says was done.
#[derive(Debug, Clone, PartialEq)]
enum What {
    /// `change` with `from`/`to` ("Changed visibility from Private to Public").
    Change {
        field: String,
        from: Option<Value>,
        to: Option<Value>,
    },
    /// `add` with `as` ("Added user access as Developer").
    Add {
        thing: String,
        as_: Option<String>,
    },
    /// `remove` ("Removed user access").
    Remove {
        thing: String,
    },
    /// `failed_login` ("Failed to login with STANDARD authentication").
    FailedLogin {
        with: String,
    },
    /// `with` ("Signed in with SAML authentication").
    SignedIn {
        with: String,
    },
    /// `updated_ref` with `from`/`to` (SHAs).
    UpdatedRef {
        reference: String,
        from: Option<Value>,
        to: Option<Value>,
    },
    /// `custom_message`, or a CSV sentence of no known shape.
    Message(String),
    Nothing,
}

/// One audit event read from either shape.
#[derive(Debug, Default)]
struct Record {
    id: String,
    ts: String,
    event_type: Option<String>,
    what: Option<What>,
    author_id: Option<String>,
    author_name: Option<String>,
    author_email: Option<String>,
    author_class: Option<String>,
    entity_id: Option<String>,
    entity_type: Option<String>,
    entity_path: Option<String>,
    target_id: Option<String>,
    target_type: Option<String>,
    target_details: Option<String>,
    ip: Option<String>,
    /// Done by a system job (`details.system_event`), with its reason.
    system_reason: Option<Option<String>>,
    /// The sentence of the CSV `Action` column.
    sentence: Option<String>,
    /// The rest, for `context`.
    rest: Map<String, Value>,
}

/// `details` members the mapping reads (the rest go to `context`).
const DETAILS_MAPPED: &[&str] = &[
    "change",
    "from",
    "to",
    "add",
    "as",
    "remove",
    "failed_login",
    "with",
    "updated_ref",
    "custom_message",
    "author_name",
    "author_email",
    "author_class",
    "target_id",
    "target_type",
    "target_details",
    "ip_address",
    "entity_path",
    "system_event",
    "reason",
];

/// Top-level members the mapping reads.
const TOP_MAPPED: &[&str] = &[
    "id",
    "created_at",
    "event_type",
    "event_name",
    "author_id",
    "author_name",
    "entity_id",
    "entity_type",
    "entity_path",
    "target_id",
    "target_type",
    "target_details",
    "ip_address",
    "details",
];

fn from_json(value: &Value) -> Result<Record, String> {
    let Some(entry) = value.as_object() else {
        return Err("the audit event is not a JSON object".into());
    };
    let details = entry.get("details").map(decoded);
    let details = details.as_ref().and_then(Value::as_object);
    let top = |key: &str| text(entry.get(key));
    let detail = |key: &str| text(details.and_then(|d| d.get(key)));
    let either = |key: &str| top(key).or_else(|| detail(key));
    let id = top("id").ok_or("it has no id")?;
    let ts = match entry.get("created_at").filter(|v| !v.is_null()) {
        None => return Err("it has no created_at".into()),
        Some(value) => {
            time_of(value).ok_or_else(|| format!("its created_at {value} is not a time"))?
        }
    };
    let mut record = Record {
        id,
        ts,
        event_type: top("event_type").or_else(|| top("event_name")),
        author_id: top("author_id"),
        author_name: either("author_name"),
        author_email: detail("author_email"),
        author_class: detail("author_class"),
        entity_id: top("entity_id"),
        entity_type: top("entity_type"),
        entity_path: either("entity_path"),
        target_id: either("target_id"),
        target_type: either("target_type"),
        target_details: either("target_details"),
        ip: either("ip_address"),
        ..Record::default()
    };
    if let Some(details) = details {
        let get = |key: &str| details.get(key).filter(|v| !v.is_null()).cloned();
        let what = if let Some(thing) = detail("add") {
            What::Add {
                thing,
                as_: detail("as"),
            }
        } else if let Some(thing) = detail("remove") {
            What::Remove { thing }
        } else if let Some(with) = detail("failed_login") {
            What::FailedLogin { with }
        } else if let Some(reference) = detail("updated_ref") {
            What::UpdatedRef {
                reference,
                from: get("from"),
                to: get("to"),
            }
        } else if let Some(message) = detail("custom_message") {
            What::Message(message)
        } else if let Some(change) = detail("change") {
            What::Change {
                field: field_key(&change),
                from: get("from"),
                to: get("to"),
            }
        } else if let Some(with) = detail("with") {
            What::SignedIn { with }
        } else {
            What::Nothing
        };
        // A custom message beside another shape is kept in context.
        if !matches!(what, What::Message(_))
            && let Some(message) = detail("custom_message")
        {
            record.rest.insert("message".into(), Value::String(message));
        }
        record.what = Some(what);
        if details
            .get("system_event")
            .is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"))
        {
            record.system_reason = Some(detail("reason"));
        }
        if matches!(record.what, Some(What::Add { .. }))
            && let Some(as_) = detail("as")
        {
            record.rest.insert("as".into(), Value::String(as_));
        }
        for (key, value) in details {
            if !DETAILS_MAPPED.contains(&key.as_str()) && !value.is_null() {
                record.rest.insert(key.clone(), value.clone());
            }
        }
    }
    for (key, value) in entry {
        if !TOP_MAPPED.contains(&key.as_str()) && !value.is_null() {
            record.rest.insert(key.clone(), value.clone());
        }
    }
    Ok(record)
}

fn from_row(row: &Row<'_>) -> Result<Record, String> {
    let id = row.text("ID").ok_or("its ID is empty")?;
    let created = row
        .text("Created At (UTC)")
        .ok_or("its Created At (UTC) is empty")?;
    let ts = utc_time(created)
        .ok_or_else(|| format!("its Created At (UTC) {created:?} is not a time"))?;
    let cell = |name: &str| row.text(name).map(str::to_owned);
    let sentence = row.get("Action").unwrap_or_default();
    let (sentence_core, system_reason) = match sentence.split_once(" via system job. Reason: ") {
        Some((core, reason)) => (core, Some(Some(reason.trim().to_owned()))),
        None => (sentence, None),
    };
    Ok(Record {
        id: id.to_owned(),
        ts,
        what: Some(read_sentence(sentence_core)),
        author_id: cell("Author ID"),
        author_name: cell("Author Name"),
        entity_id: cell("Entity ID"),
        entity_type: cell("Entity Type"),
        entity_path: cell("Entity Path"),
        target_id: cell("Target ID"),
        target_type: cell("Target Type"),
        target_details: cell("Target Details"),
        ip: cell("IP Address"),
        system_reason: system_reason.filter(|_| !sentence.trim().is_empty()),
        sentence: Some(sentence.trim().to_owned()).filter(|s| !s.is_empty()),
        ..Record::default()
    })
}

/// `add`/`remove` subjects GitLab writes: a CSV sentence "Added <subject>…" or
/// "Removed <subject>" is read as one only for these (other sentences that begin so
/// are custom messages).
const SUBJECTS: &[&str] = &[
    "user access",
    "group",
    "project",
    "user",
    "email",
    "ssh key",
    "deploy key",
    "deploy token",
    "runner",
    "personal access token",
    "project access token",
    "group access token",
];

/// The sentence GitLab makes of `details` (`Audit::Details#humanize`) read back.
fn read_sentence(sentence: &str) -> What {
    let sentence = sentence.trim_start();
    if sentence.trim().is_empty() {
        return What::Nothing;
    }
    if let Some(rest) = sentence.strip_prefix("Signed in with ")
        && let Some(with) = rest.strip_suffix(" authentication")
    {
        return What::SignedIn {
            with: with.to_owned(),
        };
    }
    if let Some(rest) = sentence.strip_prefix("Failed to login with ")
        && let Some(with) = rest.strip_suffix(" authentication")
    {
        return What::FailedLogin {
            with: with.to_owned(),
        };
    }
    if let Some(rest) = sentence.strip_prefix("Added ") {
        let (thing, as_) = match rest.rsplit_once(" as ") {
            Some((thing, as_)) => (thing, Some(as_.to_owned())),
            None => (rest, None),
        };
        if SUBJECTS.contains(&thing) {
            return What::Add {
                thing: thing.to_owned(),
                as_,
            };
        }
        if SUBJECTS.contains(&rest) {
            return What::Add {
                thing: rest.to_owned(),
                as_: None,
            };
        }
    }
    if let Some(thing) = sentence.strip_prefix("Removed ")
        && SUBJECTS.contains(&thing)
    {
        return What::Remove {
            thing: thing.to_owned(),
        };
    }
    if let Some(rest) = sentence.strip_prefix("Updated ref ") {
        let (head, to) = split_last(rest, " to ");
        let (reference, from) = split_last(head, " from ");
        return What::UpdatedRef {
            reference: reference.to_owned(),
            from: from.map(|f| Value::String(f.to_owned())),
            to: to.map(|t| Value::String(t.to_owned())),
        };
    }
    if let Some(rest) = sentence.strip_prefix("Changed ") {
        // An access level change may end with what happened to its expiry.
        let rest = match rest.rsplit_once(" with expiry ") {
            Some((core, _)) if core.starts_with("access level") => core,
            _ => rest,
        };
        let (head, to) = split_last(rest, " to ");
        let (field, from) = split_last(head, " from ");
        return What::Change {
            field: field_key(field),
            from: from.map(|f| Value::String(f.to_owned())),
            to: to.map(|t| Value::String(t.to_owned())),
        };
    }
    What::Message(sentence.trim().to_owned())
}

/// `text` split at the last `separator`: (before, Some(after)), or (text, None).
fn split_last<'a>(text: &'a str, separator: &str) -> (&'a str, Option<&'a str>) {
    match text.rfind(separator) {
        Some(at) => (&text[..at], Some(&text[at + separator.len()..])),
        None => (text, None),
    }
}

/// `ProtectedBranch` → `protected branch`; `Operations::FeatureFlag` → `feature flag`.
fn humanized_type(kind: &str) -> String {
    let last = kind.rsplit("::").next().unwrap_or(kind);
    let mut out = String::new();
    for (i, c) in last.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out.replace('_', " ")
}

/// The key a change is kept under: GitLab's `change` with its words joined by `_`
/// (`access_level`), from the JSON (`access_level`, or words with spaces) or the CSV
/// sentence ("access level") alike.
fn field_key(change: &str) -> String {
    change
        .split([' ', '_'])
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// `access level` → `access_level`.
fn snake(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("_")
}

impl Record {
    fn action(&self) -> String {
        if let Some(event_type) = &self.event_type {
            return event_type.clone();
        }
        match &self.what {
            Some(What::Change { field, .. }) => format!("{}.changed", snake(field)),
            Some(What::Add { thing, .. }) => format!("{}.added", snake(thing)),
            Some(What::Remove { thing }) => format!("{}.removed", snake(thing)),
            Some(What::FailedLogin { .. }) => "login.failed".into(),
            Some(What::SignedIn { .. }) => "login.succeeded".into(),
            Some(What::UpdatedRef { .. }) => "ref.updated".into(),
            Some(What::Message(message)) => message.clone(),
            Some(What::Nothing) | None => "audit_event".into(),
        }
    }

    /// Words naming what the event was about, for the category.
    fn subject(&self) -> String {
        let what = match &self.what {
            Some(What::Change { field, .. }) => field.clone(),
            Some(What::Add { thing, .. } | What::Remove { thing }) => thing.clone(),
            Some(What::FailedLogin { .. } | What::SignedIn { .. }) => "login".into(),
            Some(What::UpdatedRef { .. }) => "ref".into(),
            Some(What::Message(message)) => message.clone(),
            Some(What::Nothing) | None => String::new(),
        };
        format!(
            "{} {} {}",
            self.event_type.as_deref().unwrap_or_default(),
            what,
            self.target_type.as_deref().unwrap_or_default()
        )
        .to_lowercase()
        .replace('_', " ")
    }

    fn category(&self) -> &'static str {
        let subject = self.subject();
        let has = |words: &[&str]| words.iter().any(|w| subject.contains(w));
        if matches!(
            self.what,
            Some(What::FailedLogin { .. } | What::SignedIn { .. })
        ) || has(&[
            "login",
            "sign in",
            "signed in",
            "authenticat",
            "two factor",
            "2fa",
            "password",
            "access token",
            "ssh key",
            "deploy key",
            "deploy token",
        ]) {
            "auth"
        } else if has(&[
            "access level",
            "user access",
            "member",
            "permission",
            "role",
            "visibility",
            "share",
        ]) {
            "permission"
        } else if has(&["export", "download"]) {
            "export"
        } else if has(&["import"]) {
            "import"
        } else if has(&["hook", "integration"]) {
            "integration"
        } else if has(&["pipeline", "job"]) {
            "workflow"
        } else if has(&[
            "protected",
            "approval",
            "approver",
            "push rule",
            "setting",
            "runner",
            "compliance",
            "merge method",
            "size limit",
        ]) {
            "admin"
        } else {
            "record"
        }
    }

    fn outcome(&self) -> &'static str {
        let failed = matches!(self.what, Some(What::FailedLogin { .. }))
            || self
                .event_type
                .as_deref()
                .is_some_and(|t| t.contains("fail"));
        if failed { "failure" } else { "success" }
    }

    /// (type, id, name) of what the event was done to.
    fn target(&self) -> (String, Option<String>, Option<String>) {
        let entity_is_container = matches!(self.entity_type.as_deref(), Some("Group" | "Project"));
        let about_membership = self
            .event_type
            .as_deref()
            .is_some_and(|t| t.starts_with("member"))
            || match &self.what {
                Some(What::Add { thing, .. } | What::Remove { thing }) => {
                    thing.replace('_', " ") == "user access"
                }
                Some(What::Change { field, .. }) => {
                    field.contains("access_level") || field.contains("expir")
                }
                _ => false,
            };
        let member = self
            .target_id
            .clone()
            .or_else(|| self.target_details.clone());
        if entity_is_container
            && about_membership
            && self.target_type.as_deref() == Some("User")
            && let (Some(container), Some(member)) = (
                self.entity_path.clone().or_else(|| self.entity_id.clone()),
                member.clone(),
            )
        {
            return (
                "membership".into(),
                Some(format!("{container}:{member}")),
                self.target_details.clone(),
            );
        }
        if let Some(id) = member {
            let kind = self
                .target_type
                .as_deref()
                .map(humanized_type)
                .unwrap_or_else(|| "object".into());
            let name = self.target_details.clone().filter(|d| *d != id);
            return (kind, Some(id), name);
        }
        let kind = self
            .entity_type
            .as_deref()
            .map(humanized_type)
            .unwrap_or_else(|| "object".into());
        let id = self.entity_id.clone().or_else(|| self.entity_path.clone());
        let name = self.entity_path.clone().filter(|p| Some(p) != id.as_ref());
        (kind, id, name)
    }

    fn event(mut self) -> Value {
        let action = self.action();
        let mut event = Event::new(&self.id, &self.ts, &action);
        event.text("category", Some(self.category()));

        let name = self.author_name.as_deref();
        let kind = if self.system_reason.is_some() {
            "system"
        } else if self.author_class.as_deref().is_some_and(|c| {
            c.contains("DeployToken") || c.contains("DeployKey") || c.contains("Runner")
        }) {
            "service"
        } else if name.is_some_and(|n| {
            let n = n.to_lowercase();
            n.ends_with(" bot") || n.contains("_bot_") || n.ends_with("_bot")
        }) {
            "automation"
        } else {
            "user"
        };
        event.party(
            "actor",
            Party {
                id: name.or(self.author_id.as_deref()),
                kind: Some(kind),
                email: self.author_email.as_deref().filter(|e| e.contains('@')),
                ..Party::default()
            },
        );

        let (target_type, target_id, target_name) = self.target();
        event.party(
            "target",
            Party {
                id: target_id.as_deref(),
                kind: Some(&target_type),
                name: target_name.as_deref(),
                ..Party::default()
            },
        );
        event.text("outcome", Some(self.outcome()));
        if let Some(Some(reason)) = &self.system_reason {
            event.text("reason", Some(reason));
        }
        event.source("ip", self.ip.as_deref());

        let mut before = Map::new();
        let mut after = Map::new();
        let present = |value: &Option<Value>| {
            value
                .clone()
                .filter(|v| !v.is_null() && v.as_str() != Some(""))
        };
        match self.what.take() {
            Some(What::Change { field, from, to }) => {
                if let Some(from) = present(&from) {
                    before.insert(field.clone(), from);
                }
                if let Some(to) = to.filter(|v| !v.is_null()) {
                    after.insert(field, to);
                }
            }
            // A member added with an access level: the membership's first state.
            Some(What::Add {
                thing,
                as_: Some(as_),
            }) if thing.replace('_', " ") == "user access" => {
                after.insert("access_level".into(), Value::String(as_));
            }
            Some(What::UpdatedRef {
                reference,
                from,
                to,
            }) => {
                event.context("ref", Value::String(reference));
                if let Some(from) = present(&from) {
                    before.insert("sha".into(), from);
                }
                if let Some(to) = present(&to) {
                    after.insert("sha".into(), to);
                }
            }
            Some(What::FailedLogin { with } | What::SignedIn { with }) => {
                event.context("with", Value::String(with));
            }
            Some(What::Message(message)) if Some(&message) != Some(&action) => {
                event.context("message", Value::String(message));
            }
            _ => {}
        }
        event.set("before", Value::Object(before));
        event.set("after", Value::Object(after));

        for (key, value) in [
            ("author_id", &self.author_id),
            ("entity_type", &self.entity_type),
            ("entity_id", &self.entity_id),
            ("entity_path", &self.entity_path),
            ("target_type", &self.target_type),
            ("target_id", &self.target_id),
            ("sentence", &self.sentence),
        ] {
            if let Some(value) = value {
                event.context(key, Value::String(value.clone()));
            }
        }
        // GitLab sometimes writes a name where the target's id belongs.
        if self
            .target_id
            .as_deref()
            .is_some_and(|id| !id.bytes().all(|b| b.is_ascii_digit()))
        {
            event.context("target_id_is_name", Value::Bool(true));
        }
        if self.event_type.is_some()
            && let Some(message) = self.rest.remove("message")
        {
            event.context("message", message);
        }
        for (key, value) in std::mem::take(&mut self.rest) {
            event.context(&key, value);
        }
        event.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role_change() -> Value {
        json!({
            "id": 4711,
            "author_id": 7,
            "author_name": "Maria Lopez",
            "entity_id": 11,
            "entity_type": "Group",
            "entity_path": "acme/platform",
            "event_type": "member_updated",
            "details": {
                "change": "access_level",
                "from": "Developer",
                "to": "Maintainer",
                "expiry_from": null,
                "expiry_to": null,
                "author_name": "Maria Lopez",
                "author_email": "maria@acme.com",
                "target_id": 42,
                "target_type": "User",
                "target_details": "Bob Stone",
                "ip_address": "203.0.113.7",
                "entity_path": "acme/platform"
            },
            "ip_address": "203.0.113.7",
            "target_id": 42,
            "target_type": "User",
            "target_details": "Bob Stone",
            "created_at": "2026-03-02T09:30:00.000Z"
        })
    }

    fn normalized(record: &Value) -> Value {
        from_json(record).unwrap().event()
    }

    #[test]
    fn a_role_change_reads_who_changed_whose_access_level_where_with_before_and_after() {
        let event = normalized(&role_change());
        assert_eq!(event["id"], "4711");
        assert_eq!(event["ts"], "2026-03-02T09:30:00.000Z");
        assert_eq!(event["action"], "member_updated");
        assert_eq!(event["category"], "permission");
        assert_eq!(
            event["actor"],
            json!({"id": "Maria Lopez", "type": "user", "email": "maria@acme.com"})
        );
        assert_eq!(
            event["target"],
            json!({"id": "acme/platform:42", "type": "membership", "name": "Bob Stone"})
        );
        assert_eq!(event["outcome"], "success");
        assert_eq!(event["before"], json!({"access_level": "Developer"}));
        assert_eq!(event["after"], json!({"access_level": "Maintainer"}));
        assert_eq!(event["source"]["ip"], "203.0.113.7");
        assert_eq!(event["context"]["author_id"], "7");
        assert_eq!(event["context"]["entity_path"], "acme/platform");
        assert!(event["context"].get("target_id_is_name").is_none());
    }

    #[test]
    fn the_csv_sentence_reads_back_as_the_json_details_say() {
        let with_expiry = "Changed access level from Developer to Maintainer with expiry remaining unchanged at never expires";
        assert_eq!(
            read_sentence(with_expiry),
            What::Change {
                field: "access_level".into(),
                from: Some(json!("Developer")),
                to: Some(json!("Maintainer")),
            }
        );
        assert_eq!(
            read_sentence("Changed prevent merge request approval from authors from false to true"),
            What::Change {
                field: "prevent_merge_request_approval_from_authors".into(),
                from: Some(json!("false")),
                to: Some(json!("true")),
            }
        );
        assert_eq!(
            read_sentence("Changed visibility to Public"),
            What::Change {
                field: "visibility".into(),
                from: None,
                to: Some(json!("Public")),
            }
        );
        assert_eq!(
            read_sentence("Added user access as Developer"),
            What::Add {
                thing: "user access".into(),
                as_: Some("Developer".into())
            }
        );
        assert_eq!(
            read_sentence("Removed user access"),
            What::Remove {
                thing: "user access".into()
            }
        );
        assert_eq!(
            read_sentence("Failed to login with STANDARD authentication"),
            What::FailedLogin {
                with: "STANDARD".into()
            }
        );
        assert_eq!(
            read_sentence("Added protected branch main"),
            What::Message("Added protected branch main".into())
        );
    }

    #[test]
    fn an_admin_csv_row_and_the_json_event_give_the_same_change() {
        let names = [
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
                "4711",
                "7",
                "Maria Lopez",
                "11",
                "Group",
                "acme/platform",
                "42",
                "User",
                "Bob Stone",
                "Changed access level from Developer to Maintainer",
                "203.0.113.7",
                "2026-03-02 09:30:00",
            ],
        };
        let csv = from_row(&row).unwrap().event();
        let json = normalized(&role_change());
        for key in [
            "id", "ts", "target", "before", "after", "outcome", "category",
        ] {
            assert_eq!(csv[key], json[key], "{key}");
        }
        assert_eq!(csv["action"], "access_level.changed");
        assert_eq!(csv["actor"], json!({"id": "Maria Lopez", "type": "user"}));
        assert_eq!(
            csv["context"]["sentence"],
            "Changed access level from Developer to Maintainer"
        );
        assert!(GitLab.sniff(&Head {
            name: "audit.csv",
            bytes: b"ID",
            columns: Some(&header.names),
            first: None
        }));
    }

    #[test]
    fn a_failed_login_fails_and_a_target_id_holding_a_name_is_said() {
        let failed = json!({
            "id": 9, "author_id": -1, "author_name": "bob", "entity_id": 42, "entity_type": "User",
            "entity_path": "bob", "created_at": "2026-03-02T09:30:00Z",
            "details": {"failed_login": "STANDARD", "author_name": "bob", "target_details": "bob", "ip_address": "198.51.100.9"}
        });
        let event = normalized(&failed);
        assert_eq!(event["outcome"], "failure");
        assert_eq!(event["category"], "auth");
        assert_eq!(event["action"], "login.failed");
        assert_eq!(event["actor"]["id"], "bob");
        let group = json!({
            "id": 10, "author_id": 7, "entity_id": 10, "entity_type": "Group", "created_at": "2026-03-02T09:30:00Z",
            "details": {"add": "group", "author_name": "Maria Lopez", "target_id": "acme/platform/tools",
                        "target_type": "Group", "target_details": "acme/platform/tools", "entity_path": "acme"}
        });
        let event = normalized(&group);
        assert_eq!(event["action"], "group.added");
        assert_eq!(
            event["target"],
            json!({"id": "acme/platform/tools", "type": "group"})
        );
        assert_eq!(event["context"]["target_id_is_name"], true);
    }

    #[test]
    fn a_record_without_a_usable_time_or_id_says_why() {
        let mut record = role_change();
        record["created_at"] = json!("not a time");
        assert!(from_json(&record).unwrap_err().contains("not a time"));
        record.as_object_mut().unwrap().remove("created_at");
        assert!(from_json(&record).unwrap_err().contains("created_at"));
        let mut record = role_change();
        record.as_object_mut().unwrap().remove("id");
        assert!(from_json(&record).unwrap_err().contains("id"));
        assert!(from_json(&json!("x")).is_err());
    }

    #[test]
    fn gitlab_events_are_told_apart_from_github_and_purview_records() {
        let sniff = |first: Value| {
            GitLab.sniff(&Head {
                name: "x.json",
                bytes: b"[",
                columns: None,
                first: Some(&first),
            })
        };
        assert!(sniff(role_change()));
        assert!(!sniff(
            json!({"@timestamp": 1, "_document_id": "x", "action": "repo.access", "actor": "a"})
        ));
        assert!(!sniff(
            json!({"Id": "x", "CreationTime": "2026-03-02T09:30:00", "Operation": "Set-Mailbox", "UserId": "a", "Workload": "Exchange"})
        ));
    }

    #[test]
    fn types_are_humanized() {
        assert_eq!(humanized_type("ProtectedBranch"), "protected branch");
        assert_eq!(humanized_type("Operations::FeatureFlag"), "feature flag");
        assert_eq!(humanized_type("Project"), "project");
    }
}
