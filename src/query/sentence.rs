//! The plain-language sentence a non-engineer reads for one event ("Maria Lopez changed
//! Order #1842 status from Pending Review to Approved"), built only from its fields.
//!
//! Pure: no database, no I/O, no clock, no lookups in other events. It must never
//! produce markup or more than one line (control characters from the event become
//! spaces, and bidirectional overrides become U+FFFD so a name cannot reorder the text
//! around it), never hide who acted for whom, and never soften an outcome: a denied or
//! failed event always says so. It never invents facts: what an event lacks, the
//! sentence leaves out or names by id.

use serde_json::{Map, Value};

use super::diff::{ChangeKind, FieldChange, diff, values_equal};

/// Values longer than this many characters are cut and end with "…".
const VALUE_CHARS: usize = 80;
/// Names and reasons are cut later than values: they are the point of the sentence.
const TEXT_CHARS: usize = 160;
/// More changed fields than this are counted instead of listed.
const LISTED_CHANGES: usize = 3;

/// The sentence for one event (or stub).
pub fn sentence(event: &Value) -> String {
    plain_text(&compose(event))
}

/// A JSON value as a sentence shows it: strings as they are, numbers plainly, booleans
/// as yes/no, null as "empty", arrays as `[smb, vip]`, objects as `{3 fields}`; cut
/// with "…" past about 80 characters.
pub fn describe_value(value: &Value) -> String {
    let text = match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(describe_element).collect();
            format!("[{}]", items.join(", "))
        }
        other => describe_element(other),
    };
    shorten(&plain_text(&text), VALUE_CHARS)
}

fn describe_element(value: &Value) -> String {
    match value {
        Value::Null => "empty".to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::Number(n) => describe_number(n),
        Value::String(s) if s.is_empty() => "blank".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        Value::Array(items) => format!("[{}]", counted(items.len() as u64, "item", "items")),
        Value::Object(members) if members.is_empty() => "{}".to_owned(),
        Value::Object(members) => {
            format!("{{{}}}", counted(members.len() as u64, "field", "fields"))
        }
    }
}

fn describe_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let x = n.as_f64().unwrap_or(f64::NAN);
    if x != 0.0 && (x.abs() >= 1e21 || x.abs() < 1e-6) {
        format!("{x:e}")
    } else {
        // Rust writes the shortest round-trip form, without exponent: 178.0 -> "178".
        format!("{x}")
    }
}

fn compose(event: &Value) -> String {
    if event.get("omitted").and_then(Value::as_bool) == Some(true) {
        return match text(event, "omitted_reason") {
            Some(reason) => format!("An event was omitted from this export (reason: {reason})"),
            None => "An event was omitted from this export".to_owned(),
        };
    }
    let who = subject(event);
    let action = text(event, "action").unwrap_or_else(|| "an unnamed action".to_owned());
    let target = event.get("target").and_then(target_name);
    let reason = text(event, "reason")
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    let outcome = event
        .get("outcome")
        .and_then(Value::as_str)
        .unwrap_or("success");

    let (object, verb) = split_action(&action);
    if outcome == "denied" {
        // What they were not allowed to do, in words ("delete Customer #1087").
        let deed = deed(event, object, verb, &action, target.as_deref());
        return format!("{who} was refused permission to {}{reason}", deed.base);
    }
    if verb == "login_failed" {
        return format!("{who} failed to sign in{reason}");
    }
    let deed = deed(event, object, verb, &action, target.as_deref());
    match outcome {
        "success" => format!("{who} {}", deed.past),
        "failure" => format!("{who} tried to {} but it failed{reason}", deed.base),
        other => format!(
            "{who} {} (outcome: {})",
            deed.past,
            shorten(other, TEXT_CHARS)
        ),
    }
}

/// What was done, in the past tense ("changed …") and as an infinitive ("change …")
/// for "tried to … but it failed".
struct Deed {
    past: String,
    base: String,
}

impl Deed {
    fn new(past: &str, base: &str, rest: &str) -> Deed {
        Deed {
            past: format!("{past}{rest}"),
            base: format!("{base}{rest}"),
        }
    }
}

fn deed(event: &Value, object: &str, verb: &str, action: &str, target: Option<&str>) -> Deed {
    let context = event.get("context").and_then(Value::as_object);
    let before = event.get("before").filter(|v| !v.is_null());
    let after = event.get("after").filter(|v| !v.is_null());
    match (object, verb) {
        (_, "login") => return Deed::new("signed in", "sign in", ""),
        (_, "logout") => return Deed::new("signed out", "sign out", ""),
        ("role", "granted" | "revoked") => return role_deed(verb, event, target),
        ("export", "created") | (_, "exported") => return export_deed(context, target),
        ("import", "completed") => return import_deed(context),
        ("import", "started") => {
            let what = import_file(context)
                .map(|file| format!("importing {file}{}", import_rows(context)))
                .unwrap_or_else(|| "an import".to_owned());
            return Deed::new("started ", "start ", &what);
        }
        (_, "impersonation_started" | "impersonation_ended" | "impersonation_stopped") => {
            let whom = target.map(|t| format!(" {t}")).unwrap_or_default();
            let (past, base) = if verb == "impersonation_started" {
                ("started", "start")
            } else {
                ("stopped", "stop")
            };
            return Deed::new(past, base, &format!(" impersonating{whom}"));
        }
        (_, "created") | (_, "deleted") => {
            return generic_deed(object, verb, action, target, event);
        }
        _ => {}
    }
    if let (Some(Value::Object(b)), Some(Value::Object(a))) = (before, after) {
        let changes = diff(before, after);
        if !is_named_by_verb(verb, &changes)
            && let Some(deed) = change_deed(target, &changes, b, a)
        {
            return deed;
        }
    }
    generic_deed(object, verb, action, target, event)
}

/// "user.locked" changing `locked` from no to yes reads better as "locked Ravi Mensah".
fn is_named_by_verb(verb: &str, changes: &[FieldChange]) -> bool {
    match changes {
        [change] => {
            let is_flag = matches!(
                (&change.before, &change.after),
                (Some(Value::Bool(_)), Some(Value::Bool(_)))
            );
            is_flag
                && (change.path == verb || verb.strip_prefix("un") == Some(change.path.as_str()))
        }
        _ => false,
    }
}

/// One listed change: a field from one value to another, or an array's added and
/// removed elements.
enum Clause {
    Field(String),
    Elements {
        array: String,
        added: Vec<String>,
        removed: Vec<String>,
    },
}

fn change_deed(
    target: Option<&str>,
    changes: &[FieldChange],
    before: &Map<String, Value>,
    after: &Map<String, Value>,
) -> Option<Deed> {
    let mut clauses: Vec<Clause> = Vec::new();
    for change in changes {
        let Some(array) = change.element_of() else {
            clauses.push(Clause::Field(field_clause(change)));
            continue;
        };
        let position = clauses
            .iter()
            .position(|c| matches!(c, Clause::Elements { array: a, .. } if a == array));
        let index = position.unwrap_or_else(|| {
            clauses.push(Clause::Elements {
                array: array.to_owned(),
                added: Vec::new(),
                removed: Vec::new(),
            });
            clauses.len() - 1
        });
        if let Clause::Elements { added, removed, .. } = &mut clauses[index] {
            match change.kind {
                ChangeKind::Added => added.extend(change.after.as_ref().map(describe_value)),
                _ => removed.extend(change.before.as_ref().map(describe_value)),
            }
        }
    }
    match clauses.as_slice() {
        [] => None,
        // Only elements added to, or only removed from, one array: "added login to Ticket #1003 tags".
        [
            Clause::Elements {
                array,
                added,
                removed,
            },
        ] if added.is_empty() || removed.is_empty() => {
            let whose = format!(
                "{}{array}",
                target.map(|t| format!("{t} ")).unwrap_or_default()
            );
            Some(if removed.is_empty() {
                Deed::new("added ", "add ", &format!("{} to {whose}", list(added)))
            } else {
                Deed::new(
                    "removed ",
                    "remove ",
                    &format!("{} from {whose}", list(removed)),
                )
            })
        }
        listed if listed.len() <= LISTED_CHANGES => {
            let texts: Vec<String> = listed.iter().map(clause_text).collect();
            let rest = match target {
                Some(t) => format!(" {t} {}", list(&texts)),
                None => format!(" {}", list(&texts)),
            };
            Some(Deed::new("changed", "change", &rest))
        }
        many => {
            let n = many.len() as u64;
            // Name the top-level fields when they are fewer than the changes: "(address)".
            let top: Vec<&String> = before
                .keys()
                .chain(after.keys().filter(|k| !before.contains_key(*k)))
                .filter(|k| !opt_equal(before.get(*k), after.get(*k)))
                .collect();
            let fields = if top.len() <= LISTED_CHANGES && (top.len() as u64) < n {
                let names: Vec<String> = top.iter().map(|k| shorten(k, TEXT_CHARS)).collect();
                format!(" ({})", list(&names))
            } else {
                String::new()
            };
            let rest = match target {
                Some(t) => format!(" {} fields of {t}{fields}", group(n)),
                None => format!(" {} fields{fields}", group(n)),
            };
            Some(Deed::new("changed", "change", &rest))
        }
    }
}

fn opt_equal(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => values_equal(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn field_clause(change: &FieldChange) -> String {
    let path = shorten(&change.path, TEXT_CHARS);
    let value = |v: &Option<Value>| v.as_ref().map(describe_value).unwrap_or_default();
    match change.kind {
        ChangeKind::Changed => format!(
            "{path} from {} to {}",
            value(&change.before),
            value(&change.after)
        ),
        ChangeKind::Added => format!("{path} to {}", value(&change.after)),
        ChangeKind::Removed => format!("{path} from {} to nothing", value(&change.before)),
    }
}

fn clause_text(clause: &Clause) -> String {
    match clause {
        Clause::Field(text) => text.clone(),
        Clause::Elements {
            array,
            added,
            removed,
        } => {
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("added {}", list(added)));
            }
            if !removed.is_empty() {
                parts.push(format!("removed {}", list(removed)));
            }
            format!("{array} ({})", parts.join("; "))
        }
    }
}

fn role_deed(verb: &str, event: &Value, target: Option<&str>) -> Deed {
    let context = event.get("context");
    let mut roles: Vec<String> = match context.and_then(|c| c.get("role")) {
        Some(Value::String(role)) => vec![role.clone()],
        _ => Vec::new(),
    };
    if roles.is_empty()
        && let Some(Value::Array(listed)) = context.and_then(|c| c.get("roles"))
    {
        roles = listed.iter().map(describe_value).collect();
    }
    if roles.is_empty() {
        // The roles that appeared (granted) or disappeared (revoked) between before and after.
        let roles_of = |side: &str| event.get(side).and_then(|s| s.get("roles")).cloned();
        let wanted = if verb == "granted" {
            ChangeKind::Added
        } else {
            ChangeKind::Removed
        };
        roles = diff(roles_of("before").as_ref(), roles_of("after").as_ref())
            .into_iter()
            .filter(|c| c.kind == wanted && c.element_of().is_some())
            .filter_map(|c| c.after.or(c.before))
            .map(|v| describe_value(&v))
            .collect();
    }
    let what = match roles.len() {
        0 => "a role".to_owned(),
        1 => format!("the {} role", roles[0]),
        _ => format!("the {} roles", list(&roles)),
    };
    let (past, base, to) = if verb == "granted" {
        ("granted", "grant", "to")
    } else {
        ("revoked", "revoke", "from")
    };
    let whom = target.map(|t| format!(" {to} {t}")).unwrap_or_default();
    Deed::new(past, base, &format!(" {what}{whom}"))
}

fn export_deed(context: Option<&Map<String, Value>>, target: Option<&str>) -> Deed {
    let get = |key: &str| context.and_then(|c| c.get(key));
    let filter = get("filter");
    // What kind of record was exported, when the export says.
    let kind_key = ["type", "entity", "object"]
        .into_iter()
        .find(|k| filter.and_then(|f| f.get(*k)).is_some_and(Value::is_string));
    let kind = kind_key
        .and_then(|k| filter.and_then(|f| f.get(k)))
        .or_else(|| get("type").filter(|v| v.is_string()))
        .and_then(Value::as_str)
        .map(|t| shorten(t, TEXT_CHARS));
    let count = ["row_count", "rows", "record_count"]
        .into_iter()
        .find_map(|k| get(k).and_then(count_of));
    let what = match (count, kind, target) {
        (Some(n), Some(kind), _) => format!("{} {}", group(n), noun(&kind, n)),
        (Some(n), None, Some(target)) => format!("{} of {target}", counted(n, "row", "rows")),
        (Some(n), None, None) => counted(n, "row", "rows"),
        (None, Some(kind), _) => noun(&kind, 2),
        (None, None, Some(target)) => target.to_owned(),
        (None, None, None) => "data".to_owned(),
    };
    let format = get("format")
        .and_then(Value::as_str)
        .filter(|f| !f.is_empty())
        .map(|f| format!(" as {}", shorten(&f.to_uppercase(), TEXT_CHARS)))
        .unwrap_or_default();
    let filter = match filter {
        Some(Value::Object(members)) => {
            let terms: Vec<String> = members
                .iter()
                .filter(|(k, _)| Some(k.as_str()) != kind_key)
                .map(|(k, v)| format!("{} = {}", shorten(k, TEXT_CHARS), describe_value(v)))
                .collect();
            if terms.is_empty() {
                String::new()
            } else {
                format!(" (filter: {})", terms.join(", "))
            }
        }
        Some(Value::String(s)) if !s.is_empty() => format!(" (filter: {})", shorten(s, TEXT_CHARS)),
        _ => String::new(),
    };
    Deed::new("exported ", "export ", &format!("{what}{format}{filter}"))
}

fn import_file(context: Option<&Map<String, Value>>) -> Option<String> {
    ["file_name", "filename", "file"]
        .into_iter()
        .find_map(|k| context?.get(k)?.as_str())
        .filter(|f| !f.is_empty())
        .map(|f| shorten(f, TEXT_CHARS))
}

fn import_rows(context: Option<&Map<String, Value>>) -> String {
    match context.and_then(|c| c.get("rows_total")).and_then(count_of) {
        Some(n) => format!(" ({})", counted(n, "row", "rows")),
        None => String::new(),
    }
}

fn import_deed(context: Option<&Map<String, Value>>) -> Deed {
    let count = |key: &str| context.and_then(|c| c.get(key)).and_then(count_of);
    let what = import_file(context).unwrap_or_else(|| "a file".to_owned());
    let mut parts = Vec::new();
    match (count("rows_created"), count("rows_total")) {
        (Some(created), Some(total)) => parts.push(format!(
            "{} of {} created",
            group(created),
            counted(total, "row", "rows")
        )),
        (Some(created), None) => parts.push(format!("{} created", counted(created, "row", "rows"))),
        (None, Some(total)) => parts.push(counted(total, "row", "rows")),
        (None, None) => {}
    }
    for (key, label) in [
        ("rows_updated", "updated"),
        ("rows_skipped", "skipped"),
        ("rows_failed", "failed"),
    ] {
        if let Some(n) = count(key).filter(|n| *n > 0) {
            parts.push(format!("{} {label}", group(n)));
        }
    }
    let counts = if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join(", "))
    };
    Deed::new("imported ", "import ", &format!("{what}{counts}"))
}

/// Any other action, from its words: `invoice.voided` -> "voided Invoice INV-01025",
/// `api_client.secret_rotated` -> "rotated the secret of Shopify Storefront",
/// `notification.sent` -> "sent a notification about Ticket #1001",
/// `system.backup_completed` -> "completed a backup", `job.started` by a job -> "started".
fn generic_deed(
    object: &str,
    verb: &str,
    action: &str,
    target: Option<&str>,
    event: &Value,
) -> Deed {
    let mut words: Vec<&str> = verb.split('_').filter(|w| !w.is_empty()).collect();
    let last = words.pop().unwrap_or("");
    let base = base_form(last);
    let is_past = base.is_some() || (last.len() > 2 && last.ends_with("ed"));
    if !is_past {
        let on = target.map(|t| format!(" on {t}")).unwrap_or_default();
        return Deed::new("performed ", "perform ", &format!("{action}{on}"));
    }
    let object_words = object.replace('_', " ");
    let rest = if !words.is_empty() {
        let noun = words.join(" ");
        match target {
            Some(t) => format!(" the {noun} of {t}"),
            None => format!(" {} {noun}", article(&noun)),
        }
    } else {
        let actor_type = event
            .pointer("/actor/type")
            .and_then(Value::as_str)
            .unwrap_or("");
        match target {
            Some(t) if object.is_empty() || same_kind(object, event) => format!(" {t}"),
            Some(t) => format!(" {} {object_words} about {t}", article(&object_words)),
            None if object.is_empty() || object == actor_type => String::new(),
            None => format!(" {} {object_words}", article(&object_words)),
        }
    };
    match base {
        Some(base) => Deed::new(last, base, &rest),
        // The infinitive of an unknown verb cannot be guessed safely.
        None => Deed {
            past: format!("{last}{rest}"),
            base: format!(
                "perform {action}{}",
                target.map(|t| format!(" on {t}")).unwrap_or_default()
            ),
        },
    }
}

/// Whether the action's object names the target's type (`api_client` and `ApiClient`).
fn same_kind(object: &str, event: &Value) -> bool {
    let squash = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    event
        .pointer("/target/type")
        .and_then(Value::as_str)
        .is_some_and(|t| squash(t) == squash(object))
}

/// Infinitives of the past tenses audit actions use; an unknown verb keeps its past
/// tense and a failure of it says "tried to perform <action>".
fn base_form(past: &str) -> Option<&'static str> {
    const VERBS: &[(&str, &str)] = &[
        ("accepted", "accept"),
        ("activated", "activate"),
        ("added", "add"),
        ("approved", "approve"),
        ("archived", "archive"),
        ("assigned", "assign"),
        ("cancelled", "cancel"),
        ("canceled", "cancel"),
        ("changed", "change"),
        ("closed", "close"),
        ("completed", "complete"),
        ("contacted", "contact"),
        ("converted", "convert"),
        ("created", "create"),
        ("deactivated", "deactivate"),
        ("declined", "decline"),
        ("deleted", "delete"),
        ("delivered", "deliver"),
        ("disabled", "disable"),
        ("disqualified", "disqualify"),
        ("downloaded", "download"),
        ("enabled", "enable"),
        ("escalated", "escalate"),
        ("expired", "expire"),
        ("exported", "export"),
        ("failed", "fail"),
        ("finished", "finish"),
        ("granted", "grant"),
        ("imported", "import"),
        ("invited", "invite"),
        ("issued", "issue"),
        ("locked", "lock"),
        ("merged", "merge"),
        ("paid", "pay"),
        ("published", "publish"),
        ("qualified", "qualify"),
        ("reactivated", "reactivate"),
        ("refunded", "refund"),
        ("rejected", "reject"),
        ("removed", "remove"),
        ("renewed", "renew"),
        ("reopened", "reopen"),
        ("replied", "reply"),
        ("reset", "reset"),
        ("resolved", "resolve"),
        ("restored", "restore"),
        ("revoked", "revoke"),
        ("rotated", "rotate"),
        ("run", "run"),
        ("sent", "send"),
        ("shared", "share"),
        ("shipped", "ship"),
        ("started", "start"),
        ("stopped", "stop"),
        ("submitted", "submit"),
        ("suspended", "suspend"),
        ("synced", "sync"),
        ("unlocked", "unlock"),
        ("updated", "update"),
        ("uploaded", "upload"),
        ("viewed", "view"),
        ("voided", "void"),
    ];
    VERBS
        .iter()
        .find(|(p, _)| *p == past)
        .map(|(_, base)| *base)
}

/// Who acted, as the sentence opens: "Lead Router (automation, rule v3)", and
/// "Dana Reyes, acting for Omar Sato," when someone acted for someone else.
fn subject(event: &Value) -> String {
    let rule = event.pointer("/source/rule");
    let actor = event
        .get("actor")
        .map_or_else(|| "Someone".to_owned(), |a| principal(a, rule));
    match event.get("on_behalf_of").filter(|p| p.is_object()) {
        Some(principal_acted_for) => {
            let relation = if is_impersonation(event) {
                "impersonating"
            } else {
                "acting for"
            };
            format!(
                "{actor}, {relation} {},",
                principal(principal_acted_for, None)
            )
        }
        None => actor,
    }
}

/// The spec's `on_behalf_of` covers both; an event says it was impersonation with a
/// truthy `context.impersonation` (or `impersonated`), or a `source.channel` of
/// "impersonation".
fn is_impersonation(event: &Value) -> bool {
    let truthy = |v: Option<&Value>| matches!(v, Some(Value::Bool(true)));
    truthy(event.pointer("/context/impersonation"))
        || truthy(event.pointer("/context/impersonated"))
        || event.pointer("/source/channel").and_then(Value::as_str) == Some("impersonation")
}

fn principal(who: &Value, rule: Option<&Value>) -> String {
    let name = ["name", "id"]
        .into_iter()
        .find_map(|k| {
            who.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
        })
        .map_or_else(|| "Someone".to_owned(), |s| shorten(s, TEXT_CHARS));
    let kind = match who.get("type").and_then(Value::as_str) {
        None | Some("" | "user" | "admin") => return name,
        Some("api_client") => "API client".to_owned(),
        Some("automation") => {
            let version = rule.and_then(|r| r.get("version")).filter(|v| !v.is_null());
            let rule_id = rule.and_then(|r| r.get("id")).and_then(Value::as_str);
            match (version, rule_id) {
                (Some(v), _) => format!("automation, rule v{}", describe_value(v)),
                (None, Some(id)) => format!("automation, rule {}", shorten(id, TEXT_CHARS)),
                (None, None) => "automation".to_owned(),
            }
        }
        // webhook, import, job, integration, system, and unknown types as they are.
        Some(other) => shorten(other, TEXT_CHARS),
    };
    format!("{name} ({kind})")
}

/// The target as a reader knows it: its name, else "Type id".
fn target_name(target: &Value) -> Option<String> {
    if let Some(name) = target
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
    {
        return Some(shorten(name, TEXT_CHARS));
    }
    let part = |k: &str| match target.get(k) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let joined = match (part("type"), part("id")) {
        (Some(kind), Some(id)) => format!("{kind} {id}"),
        (Some(only), None) | (None, Some(only)) => only,
        (None, None) => return None,
    };
    Some(shorten(&joined, TEXT_CHARS))
}

/// `order.updated` -> ("order", "updated"); an action without a dot is all verb.
fn split_action(action: &str) -> (&str, &str) {
    action.rsplit_once('.').unwrap_or(("", action))
}

fn text(event: &Value, key: &str) -> Option<String> {
    event
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(|s| shorten(s, TEXT_CHARS))
}

/// A count written by the producer: a non-negative whole number.
fn count_of(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        let x = value.as_f64()?;
        (x >= 0.0 && x.fract() == 0.0 && x < 9.007_199_254_740_992e15).then_some(x as u64)
    })
}

/// "Customer" with 2 -> "customers"; "SupportTicket" with 1 -> "support ticket".
fn noun(kind: &str, n: u64) -> String {
    let mut words = String::new();
    let mut previous_lower = false;
    for c in kind.chars() {
        if c.is_uppercase() && previous_lower {
            words.push(' ');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        words.extend(if c == '_' {
            vec![' ']
        } else {
            c.to_lowercase().collect()
        });
    }
    if n == 1 {
        return words;
    }
    let ends_in_consonant_y = words.ends_with('y')
        && !["ay", "ey", "iy", "oy", "uy"]
            .iter()
            .any(|e| words.ends_with(e));
    if ends_in_consonant_y {
        words.pop();
        words.push_str("ies");
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| words.ends_with(e))
    {
        words.push_str("es");
    } else {
        words.push('s');
    }
    words
}

fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group(n), if n == 1 { one } else { many })
}

/// 1204 -> "1,204".
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn article(noun: &str) -> &'static str {
    match noun.chars().next() {
        Some(c) if "aeiouAEIOU".contains(c) => "an",
        _ => "a",
    }
}

/// "a", "a and b", "a, b and c".
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Cuts `text` to at most `max` characters, the last being "…".
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max - 1).collect();
    format!("{}…", kept.trim_end())
}

/// One line of plain text: control characters become spaces, and bidirectional
/// embeddings, overrides and isolates become U+FFFD so they cannot reorder what a
/// reader sees.
fn plain_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}' => '\u{FFFD}',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(name: &str) -> Value {
        json!({"id": "u_001", "type": "user", "name": name})
    }

    fn order(name: &str) -> Value {
        json!({"type": "Order", "id": "1842", "name": name})
    }

    fn event(action: &str, actor: Value, target: Value, extra: Value) -> Value {
        let mut event =
            json!({"action": action, "actor": actor, "target": target, "outcome": "success"});
        for (k, v) in extra.as_object().expect("extra fields are an object") {
            event[k] = v.clone();
        }
        event
    }

    #[test]
    fn a_status_change_names_the_field_and_both_values() {
        for action in ["order.updated", "order.approved"] {
            let e = event(
                action,
                user("Maria Lopez"),
                order("Order #1842"),
                json!({"before": {"status": "Pending Review"}, "after": {"status": "Approved"}}),
            );
            assert_eq!(
                sentence(&e),
                "Maria Lopez changed Order #1842 status from Pending Review to Approved"
            );
        }
    }

    #[test]
    fn an_automation_is_named_with_its_rule_version() {
        let e = event(
            "lead.assigned",
            json!({"id": "auto_lead_router", "type": "automation", "name": "Lead Router"}),
            json!({"type": "Lead", "id": "1007", "name": "Lead #1007"}),
            json!({
                "before": {"owner": "u_004"}, "after": {"owner": "u_019"},
                "source": {"channel": "rule", "rule": {"id": "rule_014", "version": 3, "name": "Route EMEA leads"}}
            }),
        );
        assert_eq!(
            sentence(&e),
            "Lead Router (automation, rule v3) changed Lead #1007 owner from u_004 to u_019"
        );
    }

    #[test]
    fn a_denied_event_says_what_was_refused_and_why() {
        let e = event(
            "export.created",
            user("Jacob Miller"),
            json!({"type": "List", "id": "customers", "name": "Customer list"}),
            json!({"outcome": "denied", "reason": "missing permission export:customers"}),
        );
        assert_eq!(
            sentence(&e),
            "Jacob Miller was refused permission to export Customer list: missing permission export:customers"
        );
        let without_target = event(
            "order.deleted",
            user("Zoë Larsen"),
            Value::Null,
            json!({"outcome": "denied"}),
        );
        let said = sentence(&without_target);
        assert!(
            said.starts_with("Zoë Larsen was refused permission to delete"),
            "{said}"
        );
    }

    #[test]
    fn two_or_three_changed_fields_are_listed() {
        let e = event(
            "order.updated",
            user("Maria Lopez"),
            order("Order #1842"),
            json!({"before": {"status": "Draft", "amount": 10}, "after": {"status": "Pending Review", "amount": 12}}),
        );
        assert_eq!(
            sentence(&e),
            "Maria Lopez changed Order #1842 amount from 10 to 12 and status from Draft to Pending Review"
        );
        let e = event(
            "order.shipped",
            user("Tomás Wang"),
            order("Order #1003"),
            json!({"before": {"status": "Approved", "tracking_number": null, "paid": false},
                   "after": {"status": "Shipped", "tracking_number": "1Z257C", "paid": true}}),
        );
        assert_eq!(
            sentence(&e),
            "Tomás Wang changed Order #1003 paid from no to yes, status from Approved to Shipped \
             and tracking_number from empty to 1Z257C"
        );
    }

    #[test]
    fn more_than_three_changed_fields_are_counted() {
        let e = event(
            "order.updated",
            user("Maria Lopez"),
            order("Order #1842"),
            json!({"before": {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1}, "after": {"a": 2, "b": 2, "c": 2, "d": 2, "e": 2}}),
        );
        assert_eq!(sentence(&e), "Maria Lopez changed 5 fields of Order #1842");
    }

    #[test]
    fn nested_changes_name_their_path_and_many_name_their_top_level_field() {
        let before = json!({"address": {"city": "Berlin", "country": "DE", "postal_code": "10115", "street": "111 Market Sq"}});
        let after = json!({"address": {"city": "Leeds", "country": "GB", "postal_code": "LS1 4AP", "street": "145 Birch St"}});
        let customer = json!({"type": "Customer", "id": "1001", "name": "Customer #1001"});
        let e = event(
            "customer.updated",
            user("Maria Ruiz"),
            customer.clone(),
            json!({"before": before, "after": after}),
        );
        assert_eq!(
            sentence(&e),
            "Maria Ruiz changed 4 fields of Customer #1001 (address)"
        );
        let e = event(
            "customer.updated",
            user("Maria Ruiz"),
            customer,
            json!({"before": {"address": {"street": "55 Harbour Rd"}}, "after": {"address": {"street": "189 Calle Mayor"}}}),
        );
        assert_eq!(
            sentence(&e),
            "Maria Ruiz changed Customer #1001 address.street from 55 Harbour Rd to 189 Calle Mayor"
        );
    }

    #[test]
    fn elements_added_to_or_removed_from_an_array_are_named() {
        let ticket = json!({"type": "Ticket", "id": "1003", "name": "Ticket #1003"});
        let tags = |b: Value, a: Value| {
            sentence(&event(
                "ticket.updated",
                user("Zoë Larsen"),
                ticket.clone(),
                json!({"before": {"tags": b}, "after": {"tags": a}}),
            ))
        };
        assert_eq!(
            tags(json!(["bug", "vip"]), json!(["bug", "vip", "login"])),
            "Zoë Larsen added login to Ticket #1003 tags"
        );
        assert_eq!(
            tags(json!(["login"]), json!([])),
            "Zoë Larsen removed login from Ticket #1003 tags"
        );
        assert_eq!(
            tags(json!(["a"]), json!(["b", "c"])),
            "Zoë Larsen changed Ticket #1003 tags (added b and c; removed a)"
        );
    }

    #[test]
    fn created_deleted_and_viewed_records_are_named() {
        let customer = json!({"type": "Customer", "id": "1001", "name": "Customer #1001"});
        let lead = json!({"type": "Lead", "id": "1007", "name": "Lead #1007"});
        let created = event(
            "customer.created",
            user("Noor Miller"),
            customer.clone(),
            json!({"before": null, "after": {"plan": "Basic"}}),
        );
        let deleted = event(
            "lead.deleted",
            user("Noor Miller"),
            lead,
            json!({"before": {"status": "New"}, "after": null, "reason": "spam"}),
        );
        let viewed = event("customer.viewed", user("Noor Miller"), customer, json!({}));
        assert_eq!(sentence(&created), "Noor Miller created Customer #1001");
        assert_eq!(sentence(&deleted), "Noor Miller deleted Lead #1007");
        assert_eq!(sentence(&viewed), "Noor Miller viewed Customer #1001");
    }

    #[test]
    fn sign_in_sign_out_and_failed_sign_in_read_as_such() {
        let me = json!({"type": "User", "id": "u_001", "name": "Dana Reyes"});
        let login = event("user.login", user("Dana Reyes"), me.clone(), json!({}));
        let logout = event("user.logout", user("Dana Reyes"), me.clone(), json!({}));
        let failed = event(
            "user.login_failed",
            user("Dana Reyes"),
            me.clone(),
            json!({"outcome": "failure", "reason": "invalid password"}),
        );
        let failed_no_reason = event(
            "user.login_failed",
            user("Dana Reyes"),
            me,
            json!({"outcome": "failure"}),
        );
        assert_eq!(sentence(&login), "Dana Reyes signed in");
        assert_eq!(sentence(&logout), "Dana Reyes signed out");
        assert_eq!(
            sentence(&failed),
            "Dana Reyes failed to sign in: invalid password"
        );
        assert_eq!(sentence(&failed_no_reason), "Dana Reyes failed to sign in");
    }

    #[test]
    fn roles_granted_and_revoked_name_the_role_and_the_person() {
        let noor = json!({"type": "User", "id": "u_009", "name": "Noor Bello"});
        let granted = event(
            "role.granted",
            user("Dana Reyes"),
            noor.clone(),
            json!({"before": {"roles": ["sales_rep"]}, "after": {"roles": ["sales_rep", "admin"]}}),
        );
        let revoked = event(
            "role.revoked",
            user("Dana Reyes"),
            noor.clone(),
            json!({"before": {"roles": ["sales_rep", "admin"]}, "after": {"roles": ["sales_rep"]},
                                   "context": {"role": "admin"}}),
        );
        let unknown = event("role.granted", user("Dana Reyes"), noor, json!({}));
        assert_eq!(
            sentence(&granted),
            "Dana Reyes granted the admin role to Noor Bello"
        );
        assert_eq!(
            sentence(&revoked),
            "Dana Reyes revoked the admin role from Noor Bello"
        );
        assert_eq!(
            sentence(&unknown),
            "Dana Reyes granted a role to Noor Bello"
        );
    }

    #[test]
    fn an_export_says_how_many_of_what_and_the_filter() {
        let export = |context: Value| {
            sentence(&event(
                "export.created",
                user("Noor Miller"),
                Value::Null,
                json!({"context": context}),
            ))
        };
        assert_eq!(
            export(json!({"row_count": 1204, "filter": {"type": "Customer", "region": "EU"}})),
            "Noor Miller exported 1,204 customers (filter: region = EU)"
        );
        assert_eq!(
            export(
                json!({"row_count": 1, "format": "csv", "filter": {"type": "Customer", "plan": "Enterprise", "vip": true}})
            ),
            "Noor Miller exported 1 customer as CSV (filter: plan = Enterprise, vip = yes)"
        );
        assert_eq!(
            export(json!({"row_count": 12})),
            "Noor Miller exported 12 rows"
        );
        assert_eq!(export(json!({})), "Noor Miller exported data");
    }

    #[test]
    fn an_import_names_its_file_and_counts() {
        let import =
            json!({"id": "imp_customer_csv", "type": "import", "name": "Customer CSV Import"});
        let completed = event(
            "import.completed",
            import,
            Value::Null,
            json!({
                "on_behalf_of": {"id": "u_003", "type": "admin", "name": "Noor Miller"},
                "context": {"file_name": "customers.csv", "rows_total": 10, "rows_created": 9, "rows_failed": 1}
            }),
        );
        assert_eq!(
            sentence(&completed),
            "Customer CSV Import (import), acting for Noor Miller, imported customers.csv: 9 of 10 rows created, 1 failed"
        );
        let started = event(
            "import.started",
            user("Liam Costa"),
            Value::Null,
            json!({"context": {"file_name": "leads.csv", "rows_total": 16}}),
        );
        assert_eq!(
            sentence(&started),
            "Liam Costa started importing leads.csv (16 rows)"
        );
    }

    #[test]
    fn a_failure_says_what_was_tried_and_why_it_failed() {
        let slack = json!({"id": "int_slack", "type": "integration", "name": "Slack Notifier"});
        let ticket = json!({"type": "Ticket", "id": "1015", "name": "Ticket #1015"});
        let e = event(
            "notification.sent",
            slack,
            ticket.clone(),
            json!({"outcome": "failure", "reason": "channel_not_found"}),
        );
        assert_eq!(
            sentence(&e),
            "Slack Notifier (integration) tried to send a notification about Ticket #1015 but it failed: channel_not_found"
        );
        let e = event(
            "ticket.updated",
            user("Lena Costa"),
            ticket.clone(),
            json!({"outcome": "failure", "before": {"status": "Open"}, "after": {"status": "Closed"}}),
        );
        assert_eq!(
            sentence(&e),
            "Lena Costa tried to change Ticket #1015 status from Open to Closed but it failed"
        );
        let e = event(
            "ticket.frobnicated",
            user("Lena Costa"),
            ticket,
            json!({"outcome": "failure", "reason": "x"}),
        );
        assert_eq!(
            sentence(&e),
            "Lena Costa tried to perform ticket.frobnicated on Ticket #1015 but it failed: x"
        );
    }

    #[test]
    fn acting_for_someone_and_impersonation_are_never_hidden() {
        let order = order("Order #1842");
        let dana = json!({"id": "u_001", "type": "admin", "name": "Dana Reyes"});
        let omar = json!({"id": "u_017", "type": "user", "name": "Omar Sato"});
        let changes = json!({"on_behalf_of": omar, "before": {"status": "Draft"}, "after": {"status": "Void"}});
        let e = event(
            "order.updated",
            dana.clone(),
            order.clone(),
            changes.clone(),
        );
        assert_eq!(
            sentence(&e),
            "Dana Reyes, acting for Omar Sato, changed Order #1842 status from Draft to Void"
        );
        let mut impersonated = e.clone();
        impersonated["context"] = json!({"impersonation": true});
        assert_eq!(
            sentence(&impersonated),
            "Dana Reyes, impersonating Omar Sato, changed Order #1842 status from Draft to Void"
        );
        let mut denied = e;
        denied["outcome"] = json!("denied");
        assert_eq!(
            sentence(&denied),
            "Dana Reyes, acting for Omar Sato, was refused permission to change Order #1842 status from Draft to Void"
        );
        let started = event(
            "support.impersonation_started",
            dana,
            json!({"type": "User", "id": "u_024", "name": "Zoë Larsen"}),
            json!({}),
        );
        assert_eq!(
            sentence(&started),
            "Dana Reyes started impersonating Zoë Larsen"
        );
    }

    #[test]
    fn machine_actors_show_their_type_and_unknown_types_as_they_are() {
        let invoice = json!({"type": "Invoice", "id": "1001", "name": "Invoice INV-01001"});
        let by = |id: &str, kind: &str, name: &str| {
            sentence(&event(
                "invoice.viewed",
                json!({"id": id, "type": kind, "name": name}),
                invoice.clone(),
                json!({}),
            ))
        };
        assert_eq!(
            by("apic_shop", "api_client", "Shop"),
            "Shop (API client) viewed Invoice INV-01001"
        );
        assert_eq!(
            by("wh_stripe", "webhook", "Stripe Webhooks"),
            "Stripe Webhooks (webhook) viewed Invoice INV-01001"
        );
        assert_eq!(
            by("imp_1", "import", "CSV Import"),
            "CSV Import (import) viewed Invoice INV-01001"
        );
        assert_eq!(
            by("job_1", "job", "Nightly Run"),
            "Nightly Run (job) viewed Invoice INV-01001"
        );
        assert_eq!(
            by("int_1", "integration", "Stripe Sync"),
            "Stripe Sync (integration) viewed Invoice INV-01001"
        );
        assert_eq!(
            by("system", "system", "Acme CRM"),
            "Acme CRM (system) viewed Invoice INV-01001"
        );
        assert_eq!(
            by("r2", "robot", "R2"),
            "R2 (robot) viewed Invoice INV-01001"
        );
        assert_eq!(by("u_1", "admin", "Dana"), "Dana viewed Invoice INV-01001");
        let rule_without_version = event(
            "invoice.viewed",
            json!({"id": "auto_1", "type": "automation", "name": "Dunning"}),
            invoice,
            json!({"source": {"rule": {"id": "rule_9"}}}),
        );
        assert_eq!(
            sentence(&rule_without_version),
            "Dunning (automation, rule rule_9) viewed Invoice INV-01001"
        );
    }

    #[test]
    fn other_actions_are_phrased_from_their_words() {
        let system = json!({"id": "system", "type": "system", "name": "Acme CRM"});
        let job = json!({"id": "job_nightly", "type": "job", "name": "Nightly Invoice Run"});
        let admin = json!({"id": "u_004", "type": "admin", "name": "Zoë Okafor"});
        let client = json!({"type": "ApiClient", "id": "cli_8f", "name": "Shopify Storefront"});
        let ravi = json!({"type": "User", "id": "u_039", "name": "Ravi Mensah"});
        let cases = [
            (
                event(
                    "system.backup_completed",
                    system.clone(),
                    Value::Null,
                    json!({}),
                ),
                "Acme CRM (system) completed a backup",
            ),
            (
                event("job.started", job, Value::Null, json!({})),
                "Nightly Invoice Run (job) started",
            ),
            (
                event(
                    "api_client.secret_rotated",
                    admin.clone(),
                    client,
                    json!({}),
                ),
                "Zoë Okafor rotated the secret of Shopify Storefront",
            ),
            (
                event(
                    "invoice.voided",
                    admin.clone(),
                    json!({"type": "Invoice", "id": "1", "name": "INV-1"}),
                    json!({}),
                ),
                "Zoë Okafor voided INV-1",
            ),
            (
                event("report.generated", admin.clone(), Value::Null, json!({})),
                "Zoë Okafor generated a report",
            ),
            (
                event(
                    "user.locked",
                    system,
                    ravi,
                    json!({"before": {"locked": false}, "after": {"locked": true}}),
                ),
                "Acme CRM (system) locked Ravi Mensah",
            ),
            (
                event("account.past_due", admin, Value::Null, json!({})),
                "Zoë Okafor performed account.past_due",
            ),
        ];
        for (e, expected) in cases {
            assert_eq!(sentence(&e), expected);
        }
    }

    #[test]
    fn missing_names_fall_back_to_ids_and_types() {
        let e = event(
            "order.viewed",
            json!({"id": "u_042", "type": "user"}),
            json!({"type": "Order", "id": "1842"}),
            json!({}),
        );
        assert_eq!(sentence(&e), "u_042 viewed Order 1842");
        let e = json!({"action": "order.viewed", "outcome": "success", "target": null});
        assert_eq!(sentence(&e), "Someone viewed an order");
    }

    #[test]
    fn a_stub_says_an_event_was_omitted_and_why() {
        let stub = json!({"chain": "acme-prod", "seq": 42, "omitted": true, "prev_hash": "00", "hash": "11",
                          "omitted_reason": "filtered"});
        assert_eq!(
            sentence(&stub),
            "An event was omitted from this export (reason: filtered)"
        );
        let stub = json!({"chain": "acme-prod", "seq": 42, "omitted": true});
        assert_eq!(sentence(&stub), "An event was omitted from this export");
    }

    #[test]
    fn values_are_described_plainly() {
        assert_eq!(describe_value(&json!("Approved")), "Approved");
        assert_eq!(describe_value(&json!(12)), "12");
        assert_eq!(describe_value(&json!(178.0)), "178");
        assert_eq!(describe_value(&json!(14206.42)), "14206.42");
        assert_eq!(describe_value(&json!(-3)), "-3");
        assert_eq!(describe_value(&json!(1e21)), "1e21");
        assert_eq!(describe_value(&json!(true)), "yes");
        assert_eq!(describe_value(&json!(false)), "no");
        assert_eq!(describe_value(&Value::Null), "empty");
        assert_eq!(describe_value(&json!("")), "blank");
        assert_eq!(describe_value(&json!(["smb", "vip"])), "[smb, vip]");
        assert_eq!(describe_value(&json!([])), "[]");
        assert_eq!(
            describe_value(&json!([{"qty": 1}, [1, 2], null])),
            "[{1 field}, [2 items], empty]"
        );
        assert_eq!(
            describe_value(&json!({"a": 1, "b": 2, "c": 3})),
            "{3 fields}"
        );
        assert_eq!(describe_value(&json!({})), "{}");
    }

    #[test]
    fn long_values_are_cut_with_an_ellipsis() {
        let long = "x".repeat(200);
        let described = describe_value(&json!(long));
        assert_eq!(described.chars().count(), 80);
        assert!(described.ends_with("xx…"));
        let many: Vec<Value> = (0..100).map(|i| json!(i)).collect();
        let described = describe_value(&Value::Array(many));
        assert!(described.starts_with("[0, 1, 2") && described.ends_with('…'));
        assert!(described.chars().count() <= 80);
    }

    #[test]
    fn the_sentence_is_one_line_of_plain_text() {
        let e = event(
            "order.updated",
            user("Eve\n<b>Admin</b>\u{202E}gnp.exe"),
            order("Order\r\n#1"),
            json!({"before": {"note": "a\tb"}, "after": {"note": "c"}}),
        );
        let s = sentence(&e);
        assert_eq!(
            s,
            "Eve <b>Admin</b>\u{FFFD}gnp.exe changed Order  #1 note from a b to c"
        );
        assert!(!s.contains('\n'));
    }

    #[test]
    fn an_update_that_changed_nothing_falls_back_to_its_verb() {
        let e = event(
            "order.updated",
            user("Maria Lopez"),
            order("Order #1842"),
            json!({"before": {"status": "Draft"}, "after": {"status": "Draft"}}),
        );
        assert_eq!(sentence(&e), "Maria Lopez updated Order #1842");
    }

    #[test]
    fn a_field_only_after_or_only_before_reads_naturally() {
        let e = event(
            "order.updated",
            user("Maria Lopez"),
            order("Order #1842"),
            json!({"before": {"note": "call"}, "after": {"priority": "High"}}),
        );
        assert_eq!(
            sentence(&e),
            "Maria Lopez changed Order #1842 note from call to nothing and priority to High"
        );
    }
}
