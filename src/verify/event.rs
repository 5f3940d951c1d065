//! Checks one events line on its own: parses it, checks the required fields of spec
//! §2.1 (or the stub shape of §4), and recomputes its hash (§3) under the bundle's
//! format version: version 1 over the event without `hash`; version 2 its body hash,
//! and its hash from `prev_hash` and `body_hash`, for stubs too.
//!
//! This is the part of verification that is independent per line, so it runs on all
//! cores. It never looks at other lines: links, order and duplicates are `chain`'s job.

use std::borrow::Cow;

use chrono::DateTime;
use serde_json::Value;

use crate::bundle::FormatVersion;
use crate::canonical::{self, Digest32, Json, cmp_utf16, parse_hash_hex};

/// What a chain needs to know of a line to check its place in the chain.
#[derive(Debug, Clone)]
pub struct Link {
    pub chain: String,
    pub seq: u64,
    pub prev_hash: Digest32,
    /// The hash the line declares.
    pub hash: Digest32,
    /// The hash recomputed: version 1 from the content (`None` for a stub, which
    /// cannot be recomputed); version 2 from `prev_hash` and the declared `body_hash`,
    /// stubs included (`None` when the line has no readable `body_hash`).
    pub recomputed: Option<Digest32>,
    /// The format version the line was read as.
    pub version: FormatVersion,
    /// Version 2: the `body_hash` the line declares.
    pub body_hash: Option<Digest32>,
    /// Version 2: the body hash recomputed from the content (`None` for a stub).
    pub body_recomputed: Option<Digest32>,
    /// Version 2: the Merkle leaf hash of the declared `hash` (spec v2 §5.3), made
    /// here so the sequential walk only joins nodes.
    pub merkle_leaf: Option<Digest32>,
    pub id: Option<String>,
    /// The event time as written, and in milliseconds since the epoch.
    pub ts: Option<(String, i64)>,
    pub is_stub: bool,
    /// An actor type outside spec §2.2, shown as it is and warned about.
    pub unknown_actor_type: Option<String>,
    /// Paths (`after.amount`, `items[0].qty`) of integers beyond ±(2^53−1), which the
    /// hash protects only to double precision.
    pub imprecise_numbers: Vec<String>,
}

/// The result of checking one line.
#[derive(Debug, Clone)]
pub enum LineCheck {
    /// A well-formed event or stub.
    Event(Link),
    /// A record of a source without a hash chain of its own: there is nothing to link
    /// or recompute. `vouched` when the source proves its content another way (a
    /// CloudTrail record whose log file matches the hash a verified digest lists);
    /// never for a mapped CSV or JSON file.
    Unchained { vouched: bool },
    /// A malformed line. If its chain position fields are readable (`link`), it still
    /// takes its place in the chain, so one bad field does not break every later link.
    Malformed {
        reason: String,
        chain: Option<String>,
        seq: Option<u64>,
        link: Option<Link>,
    },
}

/// Actor types of spec §2.2.
pub const KNOWN_ACTOR_TYPES: [&str; 9] = [
    "user",
    "admin",
    "automation",
    "api_client",
    "webhook",
    "import",
    "job",
    "integration",
    "system",
];

/// The largest integer a double holds exactly (spec §2.1 notes the ±(2^53−1) bound).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// The indexed fields of one event, for the case index: what investigators filter on.
/// Text fields are `None` when absent or not strings; nothing here is judged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFields {
    pub id: Option<String>,
    /// Event time in milliseconds since the epoch (UTC).
    pub ts_millis: Option<i64>,
    pub action: Option<String>,
    pub category: Option<String>,
    pub actor_id: Option<String>,
    pub actor_type: Option<String>,
    pub actor_name: Option<String>,
    /// The actor's email or user principal name, when the event gives one.
    pub actor_email: Option<String>,
    pub on_behalf_of_id: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
    pub outcome: Option<String>,
    pub channel: Option<String>,
    pub ip: Option<String>,
    pub batch_id: Option<String>,
    pub client_id: Option<String>,
    pub rule_id: Option<String>,
    /// For events that carry `before` or `after`: `{action, outcome, before, after}` with
    /// compact stand-ins for the values (see `compact_state_change`): what a record's
    /// state fold during import needs (see `crate::state`).
    pub state_change: Option<serde_json::Value>,
}

impl EventFields {
    /// Reads the indexed fields of a parsed event.
    pub fn of(json: &Json<'_>) -> EventFields {
        let text = |value: Option<&Json<'_>>| value.and_then(Json::as_str).map(str::to_owned);
        let actor = json.get("actor");
        let target = json.get("target");
        let source = json.get("source");
        let member = |parent: Option<&Json<'_>>, key: &str| text(parent.and_then(|p| p.get(key)));
        EventFields {
            id: text(json.get("id")),
            ts_millis: json
                .get("ts")
                .and_then(Json::as_str)
                .and_then(|ts| DateTime::parse_from_rfc3339(ts).ok())
                .map(|t| t.timestamp_millis()),
            action: text(json.get("action")),
            category: text(json.get("category")),
            actor_id: member(actor, "id"),
            actor_type: member(actor, "type"),
            actor_name: member(actor, "name"),
            actor_email: member(actor, "email"),
            on_behalf_of_id: member(json.get("on_behalf_of"), "id"),
            target_type: member(target, "type"),
            target_id: member(target, "id"),
            target_name: member(target, "name"),
            outcome: text(json.get("outcome")),
            channel: member(source, "channel"),
            ip: member(source, "ip"),
            batch_id: member(source, "batch_id"),
            client_id: member(source, "client_id"),
            rule_id: member(source.and_then(|s| s.get("rule")), "id"),
            state_change: (json.get("before").is_some() || json.get("after").is_some())
                .then(|| compact_state_change(json)),
        }
    }
}

impl EventFields {
    /// The indexed fields of an event held as a `serde_json::Value` (a normalized event
    /// before it is written out): exactly what [`EventFields::of`] reads from its JSON
    /// text parsed back, without writing and parsing it. `None` for an event nested
    /// deeper than `READ_BACK_DEPTH` (its text could meet the parser's nesting limit and
    /// be refused, which only reading it back tells) or holding a number that is no
    /// double: read that one back.
    pub fn of_value(event: &Value) -> Option<EventFields> {
        if deeper_than(event, READ_BACK_DEPTH) {
            return None;
        }
        let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_owned);
        let actor = event.get("actor");
        let target = event.get("target");
        let source = event.get("source");
        let member = |parent: Option<&Value>, key: &str| text(parent.and_then(|p| p.get(key)));
        let state_change = if event.get("before").is_some() || event.get("after").is_some() {
            // Only the members the state change reads, as parsing would give them
            // (`Json::get` finds members of an object sorted by key: these four are).
            let mut members = Vec::with_capacity(4);
            for key in ["action", "after", "before", "outcome"] {
                if let Some(value) = event.get(key) {
                    members.push((Cow::Borrowed(key), json_of(value)?));
                }
            }
            Some(compact_state_change(&Json::Object(members)))
        } else {
            None
        };
        Some(EventFields {
            id: text(event.get("id")),
            ts_millis: event
                .get("ts")
                .and_then(Value::as_str)
                .and_then(|ts| DateTime::parse_from_rfc3339(ts).ok())
                .map(|t| t.timestamp_millis()),
            action: text(event.get("action")),
            category: text(event.get("category")),
            actor_id: member(actor, "id"),
            actor_type: member(actor, "type"),
            actor_name: member(actor, "name"),
            actor_email: member(actor, "email"),
            on_behalf_of_id: member(event.get("on_behalf_of"), "id"),
            target_type: member(target, "type"),
            target_id: member(target, "id"),
            target_name: member(target, "name"),
            outcome: text(event.get("outcome")),
            channel: member(source, "channel"),
            ip: member(source, "ip"),
            batch_id: member(source, "batch_id"),
            client_id: member(source, "client_id"),
            rule_id: member(source.and_then(|s| s.get("rule")), "id"),
            state_change,
        })
    }
}

/// Nesting up to which [`EventFields::of_value`] reads an event itself: well below
/// serde_json's limit of 128, which the text read back meets first.
const READ_BACK_DEPTH: usize = 64;

/// Whether `value` nests arrays and objects more than `limit` deep.
fn deeper_than(value: &Value, limit: usize) -> bool {
    match value {
        Value::Array(items) => limit == 0 || items.iter().any(|v| deeper_than(v, limit - 1)),
        Value::Object(members) => limit == 0 || members.values().any(|v| deeper_than(v, limit - 1)),
        _ => false,
    }
}

/// A `Value` as `canonical::parse` reads its JSON text: every number a double, the
/// members of an object sorted by key. `None` for a number that is no double.
fn json_of(value: &Value) -> Option<Json<'_>> {
    Some(match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => Json::Number(n.as_f64().filter(|n| n.is_finite())?),
        Value::String(s) => Json::String(Cow::Borrowed(s)),
        Value::Array(items) => Json::Array(items.iter().map(json_of).collect::<Option<_>>()?),
        Value::Object(members) => {
            let mut sorted = members
                .iter()
                .map(|(key, member)| Some((Cow::Borrowed(key.as_str()), json_of(member)?)))
                .collect::<Option<Vec<_>>>()?;
            sorted.sort_unstable_by(|a, b| cmp_utf16(&a.0, &b.0));
            Json::Object(sorted)
        }
    })
}

/// `{action, outcome, before, after}` of an event, with each top-level value of `before`
/// and `after` replaced by a compact stand-in that is equal exactly when the values are:
/// its canonical JSON text when short, else `#` and a digest of that text. A record's
/// state fold over these needs memory per field, not per byte of the values.
fn compact_state_change(json: &Json<'_>) -> serde_json::Value {
    const SHORT: usize = 48;
    // One buffer for every member's canonical text: only the stand-in is allocated.
    let mut text = Vec::with_capacity(256);
    let mut compact = |value: &Json<'_>| match value {
        Json::Object(members) => serde_json::Value::Object(
            members
                .iter()
                .map(|(key, member)| {
                    text.clear();
                    member.write_canonical(&mut text);
                    let stand_in = if text.len() <= SHORT {
                        String::from_utf8(text.clone()).expect("canonical JSON is UTF-8")
                    } else {
                        format!("#{}", canonical::to_hex(&canonical::sha256(&text)[..12]))
                    };
                    (key.to_string(), serde_json::Value::String(stand_in))
                })
                .collect(),
        ),
        other => other.to_value(),
    };
    let mut change = serde_json::Map::new();
    for key in ["action", "outcome"] {
        if let Some(value) = json.get(key) {
            change.insert(key.to_owned(), value.to_value());
        }
    }
    for key in ["before", "after"] {
        if let Some(value) = json.get(key) {
            change.insert(key.to_owned(), compact(value));
        }
    }
    serde_json::Value::Object(change)
}

/// Checks one non-blank line of a version 1 bundle. `scratch` is a reusable buffer
/// for the canonical text.
pub fn check_line(text: &[u8], scratch: &mut Vec<u8>) -> LineCheck {
    check_line_as(text, scratch, Some(FormatVersion::V1))
}

/// Checks one non-blank line of a bundle of `version` (its manifest's). `None` when
/// nothing declares one (a bare events file, an unreadable manifest, a version this
/// reviewer does not read): each line is then read by its own shape, as version 2
/// when it carries `body_hash` (spec v2 §2).
pub fn check_line_as(
    text: &[u8],
    scratch: &mut Vec<u8>,
    version: Option<FormatVersion>,
) -> LineCheck {
    check_line_with_fields(text, scratch, false, version).0
}

/// Checks one line and, if asked and the line is a JSON object, reads its indexed fields.
pub fn check_line_with_fields(
    text: &[u8],
    scratch: &mut Vec<u8>,
    want_fields: bool,
    version: Option<FormatVersion>,
) -> (LineCheck, Option<EventFields>) {
    match canonical::parse(text) {
        Ok(json) => {
            let fields =
                (want_fields && matches!(json, Json::Object(_))).then(|| EventFields::of(&json));
            (check_parsed(&json, scratch, version), fields)
        }
        Err(error) => {
            let reason = if std::str::from_utf8(text).is_err() && error.0.contains("unicode") {
                format!("not valid UTF-8 ({error})")
            } else {
                format!("not valid JSON: {error}")
            };
            let check = LineCheck::Malformed {
                reason,
                chain: None,
                seq: None,
                link: None,
            };
            (check, None)
        }
    }
}

/// Checks a parsed line.
fn check_parsed(
    json: &Json<'_>,
    scratch: &mut Vec<u8>,
    version: Option<FormatVersion>,
) -> LineCheck {
    if !matches!(json, Json::Object(_)) {
        return LineCheck::Malformed {
            reason: "not a JSON object".into(),
            chain: None,
            seq: None,
            link: None,
        };
    }
    let chain = json
        .get("chain")
        .and_then(Json::as_str)
        .filter(|c| !c.is_empty());
    let seq = match json.get("seq") {
        Some(Json::Number(n)) if n.fract() == 0.0 && *n >= 1.0 && *n <= MAX_SAFE_INTEGER => {
            Some(*n as u64)
        }
        _ => None,
    };
    let prev_hash = json
        .get("prev_hash")
        .and_then(Json::as_str)
        .and_then(parse_hash_hex);
    let hash = json
        .get("hash")
        .and_then(Json::as_str)
        .and_then(parse_hash_hex);
    let is_stub = matches!(json.get("omitted"), Some(Json::Bool(true)));

    let (Some(chain), Some(seq), Some(prev_hash), Some(hash)) = (chain, seq, prev_hash, hash)
    else {
        let missing = [
            ("chain", chain.is_none(), "a non-empty string"),
            ("seq", seq.is_none(), "an integer from 1 to 2^53-1"),
            ("prev_hash", prev_hash.is_none(), "64 lowercase hex digits"),
            ("hash", hash.is_none(), "64 lowercase hex digits"),
        ]
        .into_iter()
        .filter(|(_, bad, _)| *bad)
        .map(|(name, _, want)| describe_field_problem(json, name, want))
        .collect::<Vec<_>>()
        .join("; ");
        return LineCheck::Malformed {
            reason: missing,
            chain: chain.map(str::to_owned),
            seq,
            link: None,
        };
    };

    let ts = json.get("ts").and_then(Json::as_str).and_then(|ts| {
        DateTime::parse_from_rfc3339(ts)
            .ok()
            .map(|t| (ts.to_owned(), t.timestamp_millis()))
    });
    let version = version.unwrap_or(if json.get("body_hash").is_some() {
        FormatVersion::V2
    } else {
        FormatVersion::V1
    });
    let body_hash = match version {
        FormatVersion::V1 => None,
        FormatVersion::V2 => json
            .get("body_hash")
            .and_then(Json::as_str)
            .and_then(parse_hash_hex),
    };
    let mut problems = if is_stub {
        stub_problems(json, version)
    } else {
        event_problems(json, ts.is_some())
    };
    if version == FormatVersion::V2 && body_hash.is_none() {
        problems.push(describe_field_problem(
            json,
            "body_hash",
            "64 lowercase hex digits (version 2 events and stubs carry it)",
        ));
    }
    let (recomputed, body_recomputed, merkle_leaf) = match version {
        FormatVersion::V1 => (
            (!is_stub).then(|| canonical::event_hash(json, scratch)),
            None,
            None,
        ),
        FormatVersion::V2 => (
            body_hash.map(|body| canonical::linked_hash(&prev_hash, &body)),
            (!is_stub).then(|| canonical::body_hash(json, scratch)),
            Some(crate::merkle::leaf_hash(&hash)),
        ),
    };
    let link = Link {
        chain: chain.to_owned(),
        seq,
        prev_hash,
        hash,
        recomputed,
        version,
        body_hash,
        body_recomputed,
        merkle_leaf,
        id: json.get("id").and_then(Json::as_str).map(str::to_owned),
        ts,
        is_stub,
        unknown_actor_type: json
            .get("actor")
            .and_then(|actor| actor.get("type"))
            .and_then(Json::as_str)
            .filter(|kind| !KNOWN_ACTOR_TYPES.contains(kind))
            .map(str::to_owned),
        imprecise_numbers: imprecise_numbers(json),
    };
    if problems.is_empty() {
        LineCheck::Event(link)
    } else {
        LineCheck::Malformed {
            reason: problems.join("; "),
            chain: Some(link.chain.clone()),
            seq: Some(seq),
            link: Some(link),
        }
    }
}

/// The paths of the numbers in `json` whose magnitude is beyond 2^53−1. Canonical JSON
/// (and so the hash) holds every number as a double: from 2^53 on, neighbouring
/// integers are the same double, so `9007199254740993` and `9007199254740992` hash alike.
pub fn imprecise_numbers(json: &Json<'_>) -> Vec<String> {
    fn walk(value: &Json<'_>, path: &mut String, found: &mut Vec<String>) {
        match value {
            Json::Number(n) if n.abs() > MAX_SAFE_INTEGER => found.push(path.clone()),
            Json::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path, found);
                    path.truncate(len);
                }
            }
            Json::Object(members) => {
                for (key, member) in members {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    walk(member, path, found);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    fn any(value: &Json<'_>) -> bool {
        match value {
            Json::Number(n) => n.abs() > MAX_SAFE_INTEGER,
            Json::Array(items) => items.iter().any(any),
            Json::Object(members) => members.iter().any(|(_, member)| any(member)),
            _ => false,
        }
    }
    let mut found = Vec::new();
    // Nearly every event has none: look before spelling out any path.
    if any(json) {
        walk(json, &mut String::new(), &mut found);
    }
    found
}

fn describe_field_problem(json: &Json<'_>, name: &str, want: &str) -> String {
    match json.get(name) {
        None => format!("\"{name}\" is missing"),
        Some(_) => format!("\"{name}\" is not {want}"),
    }
}

/// Spec §4: a stub keeps chain, seq, prev_hash, hash (version 2: and body_hash), may
/// carry omitted_reason, nothing else.
fn stub_problems(json: &Json<'_>, version: FormatVersion) -> Vec<String> {
    const ALLOWED: [&str; 7] = [
        "chain",
        "seq",
        "omitted",
        "prev_hash",
        "hash",
        "omitted_reason",
        "body_hash",
    ];
    let allowed = match version {
        FormatVersion::V1 => &ALLOWED[..6],
        FormatVersion::V2 => &ALLOWED[..],
    };
    let Json::Object(members) = json else {
        return vec![];
    };
    let mut problems: Vec<String> = members
        .iter()
        .filter(|(key, _)| !allowed.contains(&key.as_ref()))
        .map(|(key, _)| format!("a stub (omitted event) must not carry \"{key}\""))
        .collect();
    if let Some(reason) = json.get("omitted_reason")
        && !matches!(reason, Json::String(_))
    {
        problems.push("\"omitted_reason\" is not a string".into());
    }
    problems
}

/// Spec §2.1: the required fields of a real event, with their types.
/// `ts_parses`: whether `ts` is a string holding a valid RFC 3339 time.
fn event_problems(json: &Json<'_>, ts_parses: bool) -> Vec<String> {
    let mut problems = Vec::new();
    for key in ["id", "action"] {
        match json.get(key) {
            Some(Json::String(s)) if !s.is_empty() => {}
            other => problems.push(field_problem(key, other, "a non-empty string")),
        }
    }
    match json.get("ts") {
        Some(Json::String(_)) if ts_parses => {}
        Some(Json::String(_)) => problems.push("\"ts\" is not an RFC 3339 time".into()),
        other => problems.push(field_problem("ts", other, "an RFC 3339 time")),
    }
    match json.get("actor") {
        Some(actor @ Json::Object(_)) => {
            for key in ["id", "type"] {
                match actor.get(key) {
                    Some(Json::String(s)) if !s.is_empty() => {}
                    other => problems.push(field_problem(
                        &format!("actor.{key}"),
                        other,
                        "a non-empty string",
                    )),
                }
            }
        }
        other => problems.push(field_problem("actor", other, "an object")),
    }
    match json.get("target") {
        Some(Json::Null) => {}
        Some(target @ Json::Object(_)) => {
            for key in ["type", "id"] {
                if !matches!(target.get(key), Some(Json::String(_))) {
                    problems.push(field_problem(
                        &format!("target.{key}"),
                        target.get(key),
                        "a string",
                    ));
                }
            }
        }
        other => problems.push(field_problem("target", other, "an object or null")),
    }
    match json.get("outcome") {
        Some(Json::String(s)) if matches!(s.as_ref(), "success" | "failure" | "denied") => {}
        Some(Json::String(s)) => problems.push(format!(
            "\"outcome\" is {s:?}, not success, failure or denied"
        )),
        other => problems.push(field_problem("outcome", other, "a string")),
    }
    if let Some(omitted) = json.get("omitted")
        && !matches!(omitted, Json::Bool(_))
    {
        problems.push("\"omitted\" is not a boolean".into());
    }
    problems
}

fn field_problem(key: &str, value: Option<&Json<'_>>, want: &str) -> String {
    match value {
        None => format!("\"{key}\" is missing"),
        Some(_) => format!("\"{key}\" is not {want}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `EventFields::of` of the event written out and parsed back: the truth.
    fn read_back(event: &Value) -> EventFields {
        let text = serde_json::to_vec(event).unwrap();
        EventFields::of(&canonical::parse(&text).unwrap())
    }

    /// Values of every shape, for the fields and the state change to meet.
    fn values() -> Vec<Value> {
        vec![
            json!(null),
            json!(true),
            json!("maria@acme.com"),
            json!(""),
            json!("ünïcødé \u{1F600} \"quoted\" \\ \n"),
            json!(7),
            json!(-0.0),
            json!(0.1),
            json!(1e300),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(9_007_199_254_740_993_u64),
            json!([]),
            json!(["Finance"]),
            json!([1, [2, {"b": 1, "a": 2}]]),
            json!({}),
            json!({"id": "u-1", "type": "user", "email": "maria@acme.com", "name": "Maria"}),
            json!({"z": 1, "\u{FB33}": 2, "\u{1F600}": 3, "é": 4, "a": {"y": [0.5, -0.0]}}),
            json!({"long": "x".repeat(200), "short": "Legal", "n": 42, "list": ["a", "b"]}),
        ]
    }

    #[test]
    fn an_events_fields_read_from_its_value_are_those_of_its_text_read_back() {
        let base = json!({
            "id": "e-1",
            "ts": "2026-03-01T10:00:00.123+02:00",
            "action": "user.update",
            "category": "identity",
            "actor": {"id": "u-1", "type": "user", "name": "Maria", "email": "maria@acme.com"},
            "on_behalf_of": {"id": "u-2", "type": "user"},
            "target": {"type": "User", "id": "u-3", "name": "Jon"},
            "outcome": "success",
            "source": {"channel": "web", "ip": "203.0.113.7", "batch_id": "b-1",
                       "client_id": "c-1", "rule": {"id": "r-1"}},
            "before": {"department": "Finance", "roles": ["a", "b"]},
            "after": {"department": "Legal", "note": "y".repeat(60)},
        });
        let paths: &[&[&str]] = &[
            &["id"],
            &["ts"],
            &["action"],
            &["category"],
            &["outcome"],
            &["actor"],
            &["actor", "id"],
            &["actor", "email"],
            &["actor", "name"],
            &["on_behalf_of"],
            &["on_behalf_of", "id"],
            &["target"],
            &["target", "type"],
            &["target", "id"],
            &["source"],
            &["source", "ip"],
            &["source", "rule"],
            &["source", "rule", "id"],
            &["before"],
            &["after"],
            &["before", "department"],
            &["after", "\u{1F600}"],
        ];
        let mut n = 0;
        // Each value at each place, in the whole event and with `before`/`after` left out.
        for with_state in [true, false] {
            let mut event = base.clone();
            if !with_state {
                let members = event.as_object_mut().unwrap();
                members.remove("before");
                members.remove("after");
            }
            let fields = EventFields::of_value(&event).unwrap();
            assert_eq!(fields, read_back(&event));
            assert_eq!(fields.actor_email.as_deref(), Some("maria@acme.com"));
            assert_eq!(fields.state_change.is_some(), with_state);
            for path in paths {
                for value in values() {
                    let mut changed = event.clone();
                    let (last, parents) = path.split_last().unwrap();
                    let mut at = &mut changed;
                    for key in parents {
                        at = at.as_object_mut().unwrap().entry(*key).or_insert(json!({}));
                        if !at.is_object() {
                            *at = json!({});
                        }
                    }
                    at.as_object_mut().unwrap().insert(last.to_string(), value);
                    assert_eq!(
                        EventFields::of_value(&changed).as_ref(),
                        Some(&read_back(&changed)),
                        "{changed}"
                    );
                    n += 1;
                }
            }
        }
        assert_eq!(n, 2 * paths.len() * values().len());
        // Not an object at all.
        for value in values().into_iter().filter(|v| !v.is_object()) {
            assert_eq!(EventFields::of_value(&value), Some(read_back(&value)));
        }
    }

    #[test]
    fn a_deeply_nested_event_is_left_to_be_read_back() {
        let nested = |depth: usize| {
            let mut value = json!(1);
            for _ in 0..depth {
                value = json!([value]);
            }
            value
        };
        // The event object is one level; its `context` holds the rest.
        let fits = json!({"id": "e", "before": {"a": 1}, "context": nested(READ_BACK_DEPTH - 1)});
        assert_eq!(EventFields::of_value(&fits), Some(read_back(&fits)));
        let deep = json!({"id": "e", "context": nested(READ_BACK_DEPTH)});
        assert_eq!(EventFields::of_value(&deep), None);
        // What reading back then meets: too deep for the parser is refused.
        let too_deep = serde_json::to_vec(&json!({"id": "e", "context": nested(127)})).unwrap();
        assert!(canonical::parse(&too_deep).is_err());
    }
}
