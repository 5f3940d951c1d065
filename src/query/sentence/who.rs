//! Who acted, for whom, and on what: the subject and target of a sentence, never
//! hiding an impersonation or the rule behind an automation.

use serde_json::Value;

use super::*;

/// Who acted, as the sentence opens: "Lead Router (automation, rule v3)", and
/// "Dana Reyes, acting for Omar Sato," when someone acted for someone else.
pub(super) fn subject(event: &Value) -> String {
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
pub(super) fn is_impersonation(event: &Value) -> bool {
    let truthy = |v: Option<&Value>| matches!(v, Some(Value::Bool(true)));
    truthy(event.pointer("/context/impersonation"))
        || truthy(event.pointer("/context/impersonated"))
        || event.pointer("/source/channel").and_then(Value::as_str) == Some("impersonation")
}

pub(super) fn principal(who: &Value, rule: Option<&Value>) -> String {
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
pub(super) fn target_name(target: &Value) -> Option<String> {
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
