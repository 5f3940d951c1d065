//! Google Workspace activities in plain words: "bob@acme.com changed the password of
//! carol@acme.com", "maria@acme.com changed the Gmail setting Email forwarding for Sales
//! from false to true from 203.0.113.7", "grace@acme.com changed the access of
//! partner@outside.example to Customer list from none to can view", "eve@acme.com tried
//! to sign in to Google from 198.51.100.9 — failed: invalid password".
//!
//! **Which events.** Those the Google Workspace normalizer made
//! (`source::saas::google`): a `context.application_name` (`login`, `admin`, `drive`, …)
//! and the id it gives each event of an activity (`<time>|<uniqueQualifier>|<index>`).
//!
//! **Data, not branches.** [`EVENTS`] words the common events of each application, with
//! values from the event's parameters (`{user}`, `{group}`, `{setting}`, `{app}`,
//! `{unit}`, `{role}`, `{grantee}`, `{scopes}`), `{doc}` (the document's title, else
//! its id), `{target}` and `{change}` (" from A to B"); a row whose value the event
//! lacks gives way. Any other event lists what it changed, else reads its name in the
//! past tense ("SUSPEND_MOBILE_DEVICE" → "suspended mobile device — …"), else
//! "performed “…”". A sign-in failure's reason is said in words
//! (`login_failure_invalid_password` → "invalid password").

use serde_json::Value;

use super::saas::*;
use super::*;

/// (application, event name, past, infinitive); an empty application matches any.
const EVENTS: &[(&str, &str, &str, &str)] = &[
    (
        "login",
        "login_success",
        "signed in to Google{via}",
        "sign in to Google{via}",
    ),
    (
        "login",
        "login_failure",
        "signed in to Google{via}",
        "sign in to Google{via}",
    ),
    (
        "login",
        "logout",
        "signed out of Google",
        "sign out of Google",
    ),
    (
        "login",
        "login_verification",
        "verified their identity at sign-in",
        "verify their identity at sign-in",
    ),
    (
        "login",
        "login_challenge",
        "was asked to verify their identity at sign-in",
        "be asked to verify their identity at sign-in",
    ),
    (
        "saml",
        "login_success",
        "signed in to {saml_app} through single sign-on",
        "sign in to {saml_app} through single sign-on",
    ),
    (
        "saml",
        "login_failure",
        "signed in to {saml_app} through single sign-on",
        "sign in to {saml_app} through single sign-on",
    ),
    (
        "admin",
        "CHANGE_PASSWORD",
        "changed the password of {user}",
        "change the password of {user}",
    ),
    (
        "admin",
        "CREATE_USER",
        "created the user {user}",
        "create the user {user}",
    ),
    (
        "admin",
        "DELETE_USER",
        "deleted the user {user}",
        "delete the user {user}",
    ),
    (
        "admin",
        "UNDELETE_USER",
        "restored the user {user}",
        "restore the user {user}",
    ),
    (
        "admin",
        "SUSPEND_USER",
        "suspended the user {user}",
        "suspend the user {user}",
    ),
    (
        "admin",
        "UNSUSPEND_USER",
        "unsuspended the user {user}",
        "unsuspend the user {user}",
    ),
    (
        "admin",
        "RENAME_USER",
        "renamed the user {user}{change}",
        "rename the user {user}{change}",
    ),
    (
        "admin",
        "CHANGE_FIRST_NAME",
        "changed the first name of {user}{change}",
        "change the first name of {user}{change}",
    ),
    (
        "admin",
        "CHANGE_LAST_NAME",
        "changed the last name of {user}{change}",
        "change the last name of {user}{change}",
    ),
    (
        "admin",
        "MOVE_USER_TO_ORG_UNIT",
        "moved {user} to another organizational unit{change}",
        "move {user} to another organizational unit{change}",
    ),
    (
        "admin",
        "ADD_GROUP_MEMBER",
        "added {user} to the group {group}",
        "add {user} to the group {group}",
    ),
    (
        "admin",
        "REMOVE_GROUP_MEMBER",
        "removed {user} from the group {group}",
        "remove {user} from the group {group}",
    ),
    (
        "admin",
        "CREATE_GROUP",
        "created the group {group}",
        "create the group {group}",
    ),
    (
        "admin",
        "DELETE_GROUP",
        "deleted the group {group}",
        "delete the group {group}",
    ),
    (
        "admin",
        "ASSIGN_ROLE",
        "gave {user} the admin role {role}",
        "give {user} the admin role {role}",
    ),
    (
        "admin",
        "UNASSIGN_ROLE",
        "took the admin role {role} from {user}",
        "take the admin role {role} from {user}",
    ),
    (
        "admin",
        "GRANT_ADMIN_PRIVILEGE",
        "made {user} a super administrator",
        "make {user} a super administrator",
    ),
    (
        "admin",
        "REVOKE_ADMIN_PRIVILEGE",
        "took super administrator rights from {user}",
        "take super administrator rights from {user}",
    ),
    (
        "admin",
        "CHANGE_APPLICATION_SETTING",
        "changed the {app} setting {setting}{unit}{change}",
        "change the {app} setting {setting}{unit}{change}",
    ),
    (
        "admin",
        "CREATE_APPLICATION_SETTING",
        "set the {app} setting {setting}{unit}{change}",
        "set the {app} setting {setting}{unit}{change}",
    ),
    (
        "admin",
        "DELETE_APPLICATION_SETTING",
        "removed the {app} setting {setting}{unit}",
        "remove the {app} setting {setting}{unit}",
    ),
    (
        "admin",
        "AUTHORIZE_API_CLIENT_ACCESS",
        "gave the API client {client} access to the whole domain{api_scopes}",
        "give the API client {client} access to the whole domain{api_scopes}",
    ),
    (
        "admin",
        "REMOVE_API_CLIENT_ACCESS",
        "removed the domain-wide access of the API client {client}",
        "remove the domain-wide access of the API client {client}",
    ),
    ("drive", "view", "viewed {doc}", "view {doc}"),
    ("drive", "preview", "previewed {doc}", "preview {doc}"),
    ("drive", "download", "downloaded {doc}", "download {doc}"),
    ("drive", "print", "printed {doc}", "print {doc}"),
    ("drive", "edit", "edited {doc}", "edit {doc}"),
    ("drive", "create", "created {doc}", "create {doc}"),
    ("drive", "upload", "uploaded {doc}", "upload {doc}"),
    ("drive", "copy", "copied {doc}", "copy {doc}"),
    ("drive", "move", "moved {doc}", "move {doc}"),
    (
        "drive",
        "rename",
        "renamed {doc}{change}",
        "rename {doc}{change}",
    ),
    (
        "drive",
        "trash",
        "moved {doc} to the trash",
        "move {doc} to the trash",
    ),
    (
        "drive",
        "untrash",
        "restored {doc} from the trash",
        "restore {doc} from the trash",
    ),
    (
        "drive",
        "delete",
        "permanently deleted {doc}",
        "permanently delete {doc}",
    ),
    (
        "drive",
        "change_user_access",
        "changed the access of {grantee} to {doc}{access}",
        "change the access of {grantee} to {doc}{access}",
    ),
    (
        "drive",
        "change_document_visibility",
        "changed the visibility of {doc}{access}",
        "change the visibility of {doc}{access}",
    ),
    (
        "drive",
        "change_document_access_scope",
        "changed who can find {doc}{access}",
        "change who can find {doc}{access}",
    ),
    (
        "token",
        "authorize",
        "allowed the app {token_app} to use their Google account{scopes}",
        "allow the app {token_app} to use their Google account{scopes}",
    ),
    (
        "token",
        "revoke",
        "revoked the access of the app {token_app} to their Google account",
        "revoke the access of the app {token_app} to their Google account",
    ),
    (
        "user_accounts",
        "password_change",
        "changed their password",
        "change their password",
    ),
    (
        "user_accounts",
        "2sv_enroll",
        "turned on 2-step verification",
        "turn on 2-step verification",
    ),
    (
        "user_accounts",
        "2sv_disable",
        "turned off 2-step verification",
        "turn off 2-step verification",
    ),
    (
        "user_accounts",
        "recovery_email_edit",
        "changed their recovery email",
        "change their recovery email",
    ),
    (
        "user_accounts",
        "recovery_phone_edit",
        "changed their recovery phone",
        "change their recovery phone",
    ),
];

/// The prefix of a scope URL, left out so the permission reads `gmail.send`.
const SCOPE_PREFIX: &str = "https://www.googleapis.com/auth/";

pub(super) fn google_sentence(event: &Value) -> Option<String> {
    let application = context_text(event, "application_name")?;
    if event.pointer("/context/workload").is_some() {
        return None;
    }
    // The id the normalizer gives each event of an activity: time|qualifier|index.
    let id = event.get("id")?.as_str()?;
    let parts: Vec<&str> = id.split('|').collect();
    let is_google =
        parts.len() == 3 && !parts[2].is_empty() && parts[2].bytes().all(|b| b.is_ascii_digit());
    if !is_google {
        return None;
    }
    let name = text(event, "action")?;
    let deed = deed(event, &application, &name);
    // "login_failure_invalid_password" → "invalid password".
    let reason = text(event, "reason")
        .map(|r| {
            let bare = r.strip_prefix("login_failure_").unwrap_or(&r);
            format!(": {}", words_of(bare))
        })
        .unwrap_or_default();
    Some(tell(
        event,
        &subject(event),
        &deed,
        &from_ip(event),
        &reason,
    ))
}

fn deed(event: &Value, application: &str, name: &str) -> Deed {
    let target = event.get("target").and_then(target_name);
    let row = EVENTS
        .iter()
        .find(|(app, n, _, _)| (app.is_empty() || *app == application) && *n == name);
    if let Some((_, _, past, base)) = row
        && let (Some(past), Some(base)) = (fill(past, event), fill(base, event))
    {
        return Deed { past, base };
    }
    // A change named by the event (`CHANGE_NICKNAME` → "nickname").
    let label = |key: &str| {
        if key == name {
            let words = words_of(key);
            match words.split_once(' ') {
                Some((first, rest)) if past_of(first).is_some() => rest.to_owned(),
                _ => words,
            }
        } else {
            key.to_owned()
        }
    };
    if let Some(deed) = changed(event, target.as_deref(), &label, &same) {
        return deed;
    }
    match imperative(name) {
        Some(deed) => on_target(deed, target.as_deref()),
        None => performed(name, target.as_deref()),
    }
}

/// A template filled from the event's parameters; `None` when it needs a value the
/// event lacks.
fn fill(template: &str, event: &Value) -> Option<String> {
    let param = |key: &str| {
        event
            .pointer(&format!("/context/parameters/{key}"))
            .filter(|v| !v.is_null())
            .map(describe_value)
            .filter(|v| !v.trim().is_empty())
    };
    let doc = event
        .pointer("/target/type")
        .and_then(Value::as_str)
        .filter(|t| *t == "document")
        .and_then(|_| target_label(event))
        .or_else(|| param("doc_title"))
        .or_else(|| param("doc_id"));
    let via = match param("login_type").as_deref() {
        Some("google_password") => " with a password".to_owned(),
        Some("saml") => " through single sign-on".to_owned(),
        _ => String::new(),
    };
    let values: [(&str, Option<String>); 16] = [
        ("{user}", param("USER_EMAIL")),
        ("{group}", param("GROUP_EMAIL")),
        ("{setting}", param("SETTING_NAME")),
        ("{app}", param("APPLICATION_NAME")),
        (
            "{unit}",
            Some(
                param("ORG_UNIT_NAME")
                    .map(|u| format!(" for {u}"))
                    .unwrap_or_default(),
            ),
        ),
        ("{role}", param("ROLE_NAME").map(|r| role_name(&r))),
        ("{client}", param("API_CLIENT_NAME")),
        (
            "{api_scopes}",
            Some(
                param("API_SCOPES")
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default(),
            ),
        ),
        (
            "{grantee}",
            param("target_user").or_else(|| param("target_domain")),
        ),
        ("{doc}", doc),
        ("{access}", Some(access(event))),
        (
            "{token_app}",
            param("app_name").or_else(|| param("client_id")),
        ),
        ("{scopes}", Some(scopes(event))),
        ("{saml_app}", param("application_name")),
        ("{via}", Some(via)),
        ("{change}", Some(one_change(event))),
    ];
    let mut out = template.to_owned();
    for (key, value) in &values {
        if out.contains(key) {
            out = out.replace(key, value.as_deref()?);
        }
    }
    Some(out)
}

/// `_GROUPS_ADMIN_ROLE` (a system role's id) → "Groups Admin"; a custom role as named.
fn role_name(role: &str) -> String {
    match role.strip_prefix('_').and_then(|r| r.strip_suffix("_ROLE")) {
        Some(system) => system
            .split('_')
            .filter(|w| !w.is_empty())
            .map(|w| {
                let lower = w.to_lowercase();
                let mut chars = lower.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" "),
        None => role.to_owned(),
    }
}

/// " from none to can view": a Drive access or visibility change, in words.
fn access(event: &Value) -> String {
    let side = |key: &str| {
        let value = event.pointer(&format!("/context/parameters/{key}"))?;
        let words: Vec<String> = match value {
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(words_of)
                .collect(),
            Value::String(s) => vec![words_of(s)],
            _ => return None,
        };
        (!words.is_empty()).then(|| shorten(&words.join(", "), TEXT_CHARS))
    };
    match (side("old_value"), side("new_value")) {
        (Some(from), Some(to)) => format!(" from {from} to {to}"),
        (None, Some(to)) => format!(" to {to}"),
        _ => String::new(),
    }
}

/// " (gmail.send, drive.readonly)": the permissions an app was given.
fn scopes(event: &Value) -> String {
    let Some(Value::Array(scopes)) = event.pointer("/context/parameters/scope") else {
        return String::new();
    };
    let names: Vec<&str> = scopes
        .iter()
        .filter_map(Value::as_str)
        .map(|s| s.strip_prefix(SCOPE_PREFIX).unwrap_or(s))
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(" ({})", shorten(&names.join(", "), TEXT_CHARS))
    }
}

/// " from false to true": the one value before/after holds (a setting, a name).
fn one_change(event: &Value) -> String {
    let value = |side: &str| {
        let fields = event.get(side)?.as_object()?;
        (fields.len() == 1)
            .then(|| fields.values().next().map(describe_value))
            .flatten()
    };
    match (value("before"), value("after")) {
        (Some(from), Some(to)) => format!(" from {from} to {to}"),
        (None, Some(to)) => format!(" to {to}"),
        (Some(from), None) => format!(" (it was {from})"),
        (None, None) => String::new(),
    }
}
