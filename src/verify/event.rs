//! Checks one events line on its own: parses it, checks the required fields of spec
//! §2.1 (or the stub shape of §4), and recomputes its hash (§3).
//!
//! This is the part of verification that is independent per line, so it runs on all
//! cores. It never looks at other lines: links, order and duplicates are `chain`'s job.

use chrono::DateTime;

use crate::canonical::{self, Digest32, Json, parse_hash_hex};

/// What a chain needs to know of a line to check its place in the chain.
#[derive(Debug, Clone)]
pub struct Link {
    pub chain: String,
    pub seq: u64,
    pub prev_hash: Digest32,
    /// The hash the line declares.
    pub hash: Digest32,
    /// The hash recomputed from the content; `None` for a stub, which cannot be recomputed.
    pub recomputed: Option<Digest32>,
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

/// `{action, outcome, before, after}` of an event, with each top-level value of `before`
/// and `after` replaced by a compact stand-in that is equal exactly when the values are:
/// its canonical JSON text when short, else `#` and a digest of that text. A record's
/// state fold over these needs memory per field, not per byte of the values.
fn compact_state_change(json: &Json<'_>) -> serde_json::Value {
    const SHORT: usize = 48;
    let compact = |value: &Json<'_>| match value {
        Json::Object(members) => serde_json::Value::Object(
            members
                .iter()
                .map(|(key, member)| {
                    let text = member.to_canonical_string();
                    let stand_in = if text.len() <= SHORT {
                        text
                    } else {
                        format!(
                            "#{}",
                            canonical::to_hex(&canonical::sha256(text.as_bytes())[..12])
                        )
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

/// Checks one non-blank line. `scratch` is a reusable buffer for the canonical text.
pub fn check_line(text: &[u8], scratch: &mut Vec<u8>) -> LineCheck {
    check_line_with_fields(text, scratch, false).0
}

/// Checks one line and, if asked and the line is a JSON object, reads its indexed fields.
pub fn check_line_with_fields(
    text: &[u8],
    scratch: &mut Vec<u8>,
    want_fields: bool,
) -> (LineCheck, Option<EventFields>) {
    match canonical::parse(text) {
        Ok(json) => {
            let fields =
                (want_fields && matches!(json, Json::Object(_))).then(|| EventFields::of(&json));
            (check_parsed(&json, scratch), fields)
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
fn check_parsed(json: &Json<'_>, scratch: &mut Vec<u8>) -> LineCheck {
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
    let problems = if is_stub {
        stub_problems(json)
    } else {
        event_problems(json, ts.is_some())
    };
    let recomputed = (!is_stub).then(|| canonical::event_hash(json, scratch));
    let link = Link {
        chain: chain.to_owned(),
        seq,
        prev_hash,
        hash,
        recomputed,
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
    let mut found = Vec::new();
    walk(json, &mut String::new(), &mut found);
    found
}

fn describe_field_problem(json: &Json<'_>, name: &str, want: &str) -> String {
    match json.get(name) {
        None => format!("\"{name}\" is missing"),
        Some(_) => format!("\"{name}\" is not {want}"),
    }
}

/// Spec §4: a stub keeps chain, seq, prev_hash, hash, may carry omitted_reason, nothing else.
fn stub_problems(json: &Json<'_>) -> Vec<String> {
    const ALLOWED: [&str; 6] = [
        "chain",
        "seq",
        "omitted",
        "prev_hash",
        "hash",
        "omitted_reason",
    ];
    let Json::Object(members) = json else {
        return vec![];
    };
    let mut problems: Vec<String> = members
        .iter()
        .filter(|(key, _)| !ALLOWED.contains(&key.as_ref()))
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
