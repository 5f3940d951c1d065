//! What was done, by kind of action: field changes, role grants, exports, imports,
//! and the generic "did X to Y" for any other action.

use serde_json::{Map, Value};

use super::*;
use crate::diff::{ChangeKind, FieldChange, diff, values_equal};

/// More changed fields than this are counted instead of listed.
pub(super) const LISTED_CHANGES: usize = 3;

/// "user.locked" changing `locked` from no to yes reads better as "locked Ravi Mensah".
pub(super) fn is_named_by_verb(verb: &str, changes: &[FieldChange]) -> bool {
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
pub(super) enum Clause {
    Field(String),
    Elements {
        array: String,
        added: Vec<String>,
        removed: Vec<String>,
    },
}

pub(super) fn change_deed(
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

pub(super) fn opt_equal(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => values_equal(a, b),
        (None, None) => true,
        _ => false,
    }
}

pub(super) fn field_clause(change: &FieldChange) -> String {
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

pub(super) fn clause_text(clause: &Clause) -> String {
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

pub(super) fn role_deed(verb: &str, event: &Value, target: Option<&str>) -> Deed {
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

pub(super) fn export_deed(context: Option<&Map<String, Value>>, target: Option<&str>) -> Deed {
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

pub(super) fn import_file(context: Option<&Map<String, Value>>) -> Option<String> {
    ["file_name", "filename", "file"]
        .into_iter()
        .find_map(|k| context?.get(k)?.as_str())
        .filter(|f| !f.is_empty())
        .map(|f| shorten(f, TEXT_CHARS))
}

pub(super) fn import_rows(context: Option<&Map<String, Value>>) -> String {
    match context.and_then(|c| c.get("rows_total")).and_then(count_of) {
        Some(n) => format!(" ({})", counted(n, "row", "rows")),
        None => String::new(),
    }
}

pub(super) fn import_deed(context: Option<&Map<String, Value>>) -> Deed {
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
pub(super) fn generic_deed(
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
pub(super) fn same_kind(object: &str, event: &Value) -> bool {
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
pub(super) fn base_form(past: &str) -> Option<&'static str> {
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

/// `order.updated` -> ("order", "updated"); an action without a dot is all verb.
pub(super) fn split_action(action: &str) -> (&str, &str) {
    action.rsplit_once('.').unwrap_or(("", action))
}

pub(super) fn text(event: &Value, key: &str) -> Option<String> {
    event
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(|s| shorten(s, TEXT_CHARS))
}

/// A count written by the producer: a non-negative whole number.
pub(super) fn count_of(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        let x = value.as_f64()?;
        (x >= 0.0 && x.fract() == 0.0 && x < 9.007_199_254_740_992e15).then_some(x as u64)
    })
}
