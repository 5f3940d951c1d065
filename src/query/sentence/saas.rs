//! What the wordings of the exports without integrity share (Entra ID, Okta,
//! Kubernetes, GitHub, GitLab, Google Workspace, Salesforce): how a deed ends (done,
//! refused, failed, or not recorded), where the caller was, changes of fields named in
//! words, and the past tense of the imperative verbs their action names begin with.
//!
//! Each format is told by the `context` keys its normalizer writes (`source::saas::*`),
//! never by a field its event does not carry. Nothing here reads a source's own field
//! names.

use std::net::IpAddr;

use serde_json::{Map, Value};

use super::*;
use crate::diff::diff;

/// A string of the event's `context`, cut like any name.
pub(super) fn context_text(event: &Value, key: &str) -> Option<String> {
    event
        .get("context")?
        .get(key)?
        .as_str()
        .filter(|s| !s.trim().is_empty())
        .map(|s| shorten(s, TEXT_CHARS))
}

/// " from 203.0.113.7" when the event names the caller's address (and it is one).
pub(super) fn from_ip(event: &Value) -> String {
    event
        .pointer("/source/ip")
        .and_then(Value::as_str)
        .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
        .map(|ip| format!(" from {ip}"))
        .unwrap_or_default()
}

/// ": <reason>" when the event gives one.
pub(super) fn reason_of(event: &Value) -> String {
    text(event, "reason")
        .map(|r| format!(": {r}"))
        .unwrap_or_default()
}

/// The sentence of a deed by its outcome: done in the past tense; refused or failed as
/// what was tried, with the reason; and, when the source did not record how it ended,
/// said so rather than read as done.
pub(super) fn tell(event: &Value, who: &str, deed: &Deed, from: &str, reason: &str) -> String {
    match event.get("outcome").and_then(Value::as_str) {
        Some("success") => format!("{who} {}{from}", deed.past),
        Some("denied") => format!(
            "{who} was refused permission to {}{from}{reason}",
            deed.base
        ),
        Some("failure") => format!("{who} tried to {}{from} — failed{reason}", deed.base),
        Some(other) => format!(
            "{who} {}{from} (outcome: {})",
            deed.past,
            shorten(other, TEXT_CHARS)
        ),
        None => format!(
            "{who} tried to {}{from} — how it ended was not recorded",
            deed.base
        ),
    }
}

/// The target as it is known, without its type: its name, else its id.
pub(super) fn target_label(event: &Value) -> Option<String> {
    let target = event.get("target")?;
    ["name", "id"]
        .into_iter()
        .find_map(|key| match target.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(shorten(s, TEXT_CHARS)),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
}

/// The name (else id) of the first of `context.other_targets` of type `kind`.
pub(super) fn other_target(event: &Value, kind: &str) -> Option<String> {
    event
        .pointer("/context/other_targets")?
        .as_array()?
        .iter()
        .filter(|t| t.get("type").and_then(Value::as_str) == Some(kind))
        .find_map(|t| {
            ["name", "id"].into_iter().find_map(|key| {
                t.get(key)
                    .and_then(Value::as_str)
                    .filter(|s| !s.trim().is_empty())
            })
        })
        .map(|s| shorten(s, TEXT_CHARS))
}

/// "changed <what>: Stage from Prospecting to Closed Won" (more changes are counted, as
/// the general rules do), the fields named by `label` and their values shown through
/// `shown`; `None` when before and after hold no change.
pub(super) fn changed(
    event: &Value,
    what: Option<&str>,
    label: &dyn Fn(&str) -> String,
    shown: &dyn Fn(&Value) -> Value,
) -> Option<Deed> {
    let side = |key: &str| -> Map<String, Value> {
        match event.get(key) {
            Some(Value::Object(fields)) => {
                fields.iter().map(|(k, v)| (label(k), shown(v))).collect()
            }
            _ => Map::new(),
        }
    };
    let (before, after) = (side("before"), side("after"));
    if before.is_empty() && after.is_empty() {
        return None;
    }
    let mut changes = diff(
        Some(&Value::Object(before.clone())),
        Some(&Value::Object(after.clone())),
    );
    // A diff path quotes a name that is not a plain identifier (`["Next Step"]`); a
    // sentence names it as it reads.
    for change in &mut changes {
        let quoted = before.keys().chain(after.keys()).find_map(|key| {
            let written = format!("[{}]", Value::String(key.clone()));
            change
                .path
                .strip_prefix(&written)
                .map(|rest| format!("{key}{rest}"))
        });
        if let Some(path) = quoted {
            change.path = path;
        }
    }
    // "changed Opportunity Big Deal: Stage from …": the colon only before listed
    // fields, not before "added x to <what> tags" or a count.
    let listed =
        changes.len() <= LISTED_CHANGES && changes.iter().all(|c| c.element_of().is_none());
    let what = what.map(|w| {
        if listed {
            format!("{w}:")
        } else {
            w.to_owned()
        }
    });
    change_deed(what.as_deref(), &changes, &before, &after)
}

/// A key as it is.
pub(super) fn as_is(key: &str) -> String {
    key.to_owned()
}

/// A value as it is.
pub(super) fn same(value: &Value) -> Value {
    value.clone()
}

/// `access_level` → "access level", `CHANGE_LAST_NAME` → "change last name".
pub(super) fn words_of(name: &str) -> String {
    name.split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The past tense of an imperative verb an action name begins with ("Add" → "added",
/// `CHANGE` → "changed"), whatever its case.
pub(super) fn past_of(verb: &str) -> Option<&'static str> {
    const PAST: &[(&str, &str)] = &[
        ("activate", "activated"),
        ("add", "added"),
        ("approve", "approved"),
        ("archive", "archived"),
        ("assign", "assigned"),
        ("authorize", "authorized"),
        ("block", "blocked"),
        ("change", "changed"),
        ("clear", "cleared"),
        ("confirm", "confirmed"),
        ("consent", "consented"),
        ("copy", "copied"),
        ("create", "created"),
        ("deactivate", "deactivated"),
        ("delete", "deleted"),
        ("demote", "demoted"),
        ("deny", "denied"),
        ("destroy", "deleted"),
        ("disable", "disabled"),
        ("download", "downloaded"),
        ("edit", "edited"),
        ("enable", "enabled"),
        ("enforce", "enforced"),
        ("export", "exported"),
        ("grant", "granted"),
        ("import", "imported"),
        ("install", "installed"),
        ("invite", "invited"),
        ("lock", "locked"),
        ("move", "moved"),
        ("promote", "promoted"),
        ("publish", "published"),
        ("register", "registered"),
        ("reject", "rejected"),
        ("remove", "removed"),
        ("rename", "renamed"),
        ("request", "requested"),
        ("reset", "reset"),
        ("restore", "restored"),
        ("revoke", "revoked"),
        ("rotate", "rotated"),
        ("set", "set"),
        ("share", "shared"),
        ("start", "started"),
        ("stop", "stopped"),
        ("suspend", "suspended"),
        ("toggle", "toggled"),
        ("transfer", "transferred"),
        ("unarchive", "unarchived"),
        ("unassign", "unassigned"),
        ("unblock", "unblocked"),
        ("uninstall", "uninstalled"),
        ("unlock", "unlocked"),
        ("unsuspend", "unsuspended"),
        ("update", "updated"),
        ("upload", "uploaded"),
        ("verify", "verified"),
        ("view", "viewed"),
    ];
    PAST.iter()
        .find(|(base, _)| base.eq_ignore_ascii_case(verb))
        .map(|(_, past)| *past)
}

/// A name made of an imperative and its object as a deed: `Update policy` → "updated
/// policy", `CHANGE_USER_ORGANIZATION` → "changed user organization", "Update user
/// profile for Okta" → "updated user profile for Okta" (a phrase keeps its words as
/// written); `None` when it does not begin with a verb [`past_of`] knows, or ends in
/// a participle or an outcome (`download_denied` says what happened, not what to do).
pub(super) fn imperative(name: &str) -> Option<Deed> {
    let name = name.trim().trim_end_matches('.');
    let words = if name.contains(' ') {
        name.to_owned()
    } else {
        words_of(name)
    };
    let (first, rest) = words.split_once(' ').unwrap_or((&words, ""));
    // "download_denied", "Add member to role requested": not an imperative.
    let last = rest
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if last.len() > 3 && last.ends_with("ed") || matches!(last.as_str(), "failure" | "success") {
        return None;
    }
    let past = past_of(first)?;
    let first = first.to_lowercase();
    let base = if first == "destroy" { "delete" } else { &first };
    let rest = if rest.trim().is_empty() {
        String::new()
    } else {
        format!(" {}", rest.trim())
    };
    Some(Deed::new(past, base, &rest))
}

/// A deed named by an action this module does not know, still as a sentence:
/// "performed “User login to Okta” on Expense Tracker".
pub(super) fn performed(name: &str, on: Option<&str>) -> Deed {
    let on = on.map(|t| format!(" on {t}")).unwrap_or_default();
    Deed::new(
        "performed ",
        "perform ",
        &format!("“{}”{on}", shorten(name, TEXT_CHARS)),
    )
}

/// Appends " — <target>" (or nothing) to a deed read from an action name, so what it
/// was done to is never left out.
pub(super) fn on_target(deed: Deed, target: Option<&str>) -> Deed {
    match target {
        Some(t) => Deed {
            past: format!("{} — {t}", deed.past),
            base: format!("{} — {t}", deed.base),
        },
        None => deed,
    }
}
