//! Okta System Log events in plain words: "Maria Lopez signed in to Okta from
//! 203.0.113.7", "Okta System (system) added Bob Stone to the group Payroll", "Bob
//! Stone was refused permission to sign in by the sign-on policy Default Policy (rule
//! Require MFA off network) from 198.51.100.23: …".
//!
//! **Which events.** Those carrying at least two of the `context` keys the Okta
//! normalizer writes ([`OKTA_KEYS`]: `severity`, `display_message`, `outcome_result`,
//! Okta's own actor ids, …; `source::saas::okta`).
//!
//! **Data, not branches.** [`EVENT_TYPES`] words the common event types, with `{target}`
//! (what it was done to; a row that needs it gives way when there is none), `{of}`,
//! `{to}`, `{from}` (" of <target>" or nothing), `{group}`, `{app}` and `{role}`. A
//! profile change lists its fields; a sign-on policy's verdict says what the policy
//! decided. Any other event type reads its `displayMessage` ("Update user profile for
//! Okta" → "updated user profile for Okta — Bob Stone"), else "performed “…”". An Okta
//! result the model counts as a success but that is not one (`CHALLENGE`, `SKIPPED`)
//! is said after the deed.

use serde_json::Value;

use super::saas::*;
use super::*;

/// `context` keys only the Okta normalizer writes together.
const OKTA_KEYS: &[&str] = &[
    "outcome_result",
    "actor_alternate_id",
    "actor_type",
    "target_alternate_id",
    "display_message",
    "severity",
    "legacy_event_type",
    "transaction_type",
    "client_zone",
    "session_id",
];

/// (event type, past, infinitive).
const EVENT_TYPES: &[(&str, &str, &str)] = &[
    ("user.session.start", "signed in to Okta", "sign in to Okta"),
    ("user.session.end", "signed out of Okta", "sign out of Okta"),
    (
        "user.session.clear",
        "ended the Okta sessions{of}",
        "end the Okta sessions{of}",
    ),
    (
        "user.authentication.sso",
        "signed in to {target} through Okta",
        "sign in to {target} through Okta",
    ),
    (
        "user.authentication.auth_via_mfa",
        "verified their identity with a second factor",
        "verify their identity with a second factor",
    ),
    (
        "user.authentication.verify",
        "verified their identity",
        "verify their identity",
    ),
    (
        "user.authentication.auth_via_IDP",
        "signed in through the identity provider {target}",
        "sign in through the identity provider {target}",
    ),
    (
        "user.mfa.factor.activate",
        "set up a second factor",
        "set up a second factor",
    ),
    (
        "user.mfa.factor.deactivate",
        "removed a second factor{of}",
        "remove a second factor{of}",
    ),
    (
        "user.mfa.factor.reset_all",
        "reset all second factors{of}",
        "reset all second factors{of}",
    ),
    (
        "user.mfa.okta_verify.deny_push",
        "rejected an Okta Verify sign-in request",
        "reject an Okta Verify sign-in request",
    ),
    (
        "user.account.lock",
        "locked the account{of}",
        "lock the account{of}",
    ),
    (
        "user.account.unlock",
        "unlocked the account{of}",
        "unlock the account{of}",
    ),
    (
        "user.account.unlock_by_admin",
        "unlocked the account{of}",
        "unlock the account{of}",
    ),
    (
        "user.account.update_password",
        "changed the password{of}",
        "change the password{of}",
    ),
    (
        "user.account.reset_password",
        "reset the password{of}",
        "reset the password{of}",
    ),
    (
        "user.account.update_profile",
        "updated the profile{of}",
        "update the profile{of}",
    ),
    (
        "user.account.privilege.grant",
        "granted {role}{to}",
        "grant {role}{to}",
    ),
    (
        "user.account.privilege.revoke",
        "revoked {role}{from}",
        "revoke {role}{from}",
    ),
    (
        "user.account.report_suspicious_activity_by_enduser",
        "reported suspicious activity on their account",
        "report suspicious activity on their account",
    ),
    (
        "user.lifecycle.create",
        "created the user {target}",
        "create the user {target}",
    ),
    (
        "user.lifecycle.activate",
        "activated the user {target}",
        "activate the user {target}",
    ),
    (
        "user.lifecycle.reactivate",
        "reactivated the user {target}",
        "reactivate the user {target}",
    ),
    (
        "user.lifecycle.deactivate",
        "deactivated the user {target}",
        "deactivate the user {target}",
    ),
    (
        "user.lifecycle.suspend",
        "suspended the user {target}",
        "suspend the user {target}",
    ),
    (
        "user.lifecycle.unsuspend",
        "unsuspended the user {target}",
        "unsuspend the user {target}",
    ),
    (
        "user.lifecycle.delete.initiated",
        "deleted the user {target}",
        "delete the user {target}",
    ),
    (
        "user.session.impersonation.initiate",
        "started impersonating {target}",
        "start impersonating {target}",
    ),
    (
        "user.session.impersonation.end",
        "stopped impersonating {target}",
        "stop impersonating {target}",
    ),
    (
        "group.user_membership.add",
        "added {target} to {group}",
        "add {target} to {group}",
    ),
    (
        "group.user_membership.remove",
        "removed {target} from {group}",
        "remove {target} from {group}",
    ),
    (
        "group.lifecycle.create",
        "created the group {target}",
        "create the group {target}",
    ),
    (
        "group.lifecycle.delete",
        "deleted the group {target}",
        "delete the group {target}",
    ),
    (
        "application.user_membership.add",
        "gave {target} access to {app}",
        "give {target} access to {app}",
    ),
    (
        "application.user_membership.remove",
        "removed the access of {target} to {app}",
        "remove the access of {target} to {app}",
    ),
    (
        "application.lifecycle.create",
        "added the app {target}",
        "add the app {target}",
    ),
    (
        "application.lifecycle.update",
        "changed the app {target}",
        "change the app {target}",
    ),
    (
        "application.lifecycle.activate",
        "activated the app {target}",
        "activate the app {target}",
    ),
    (
        "application.lifecycle.deactivate",
        "deactivated the app {target}",
        "deactivate the app {target}",
    ),
    (
        "application.lifecycle.delete",
        "deleted the app {target}",
        "delete the app {target}",
    ),
    (
        "system.api_token.create",
        "created the API token {target}",
        "create the API token {target}",
    ),
    (
        "system.api_token.revoke",
        "revoked the API token {target}",
        "revoke the API token {target}",
    ),
    (
        "policy.lifecycle.create",
        "created the policy {target}",
        "create the policy {target}",
    ),
    (
        "policy.lifecycle.update",
        "changed the policy {target}",
        "change the policy {target}",
    ),
    (
        "policy.lifecycle.delete",
        "deleted the policy {target}",
        "delete the policy {target}",
    ),
];

/// Okta results the model counts as a success and that need no word.
const PLAIN_RESULTS: &[&str] = &["SUCCESS", "ALLOW", "DENY", "FAILURE"];

pub(super) fn okta_sentence(event: &Value) -> Option<String> {
    let context = event.get("context")?.as_object()?;
    let signs = OKTA_KEYS
        .iter()
        .filter(|k| context.get(**k).is_some_and(|v| !v.is_null()))
        .count();
    if signs < 2 {
        return None;
    }
    let event_type = text(event, "action")?;
    let who = subject(event);
    let from = from_ip(event);
    let reason = reason_of(event);
    let result = context_text(event, "outcome_result").map(|r| r.to_uppercase());
    if event_type == "policy.evaluate_sign_on" {
        return Some(sign_on_policy(
            event,
            &who,
            &from,
            &reason,
            result.as_deref(),
        ));
    }
    let deed = deed(event, &event_type);
    let said = tell(event, &who, &deed, &from, &reason);
    Some(match result {
        Some(result)
            if event.get("outcome").and_then(Value::as_str) == Some("success")
                && !PLAIN_RESULTS.contains(&result.as_str()) =>
        {
            format!("{said} (Okta's result: {result})")
        }
        _ => said,
    })
}

fn deed(event: &Value, event_type: &str) -> Deed {
    let target = event.get("target").and_then(target_name);
    // One's own account: "changed the password of their own account".
    let own = |id: &str| event.pointer(id).and_then(Value::as_str);
    let is_self = own("/actor/id").is_some() && own("/actor/id") == own("/target/id");
    if event_type == "user.account.update_profile" {
        let whose = match (&target, is_self) {
            (_, true) => Some("their own profile".to_owned()),
            (Some(t), false) => Some(format!("the profile of {t}")),
            (None, false) => None,
        };
        if let Some(deed) = changed(event, whose.as_deref(), &as_is, &same) {
            return deed;
        }
    }
    if let Some((_, past, base)) = EVENT_TYPES.iter().find(|(t, _, _)| *t == event_type) {
        let target_words = if is_self {
            Some("their own account".to_owned())
        } else {
            target.clone()
        };
        let filled = |template: &str| fill(template, event, target_words.as_deref());
        if let (Some(past), Some(base)) = (filled(past), filled(base)) {
            return Deed { past, base };
        }
    }
    // Okta's own words for the event: "Update user profile for Okta".
    if let Some(message) = context_text(event, "display_message") {
        return match imperative(&message) {
            Some(deed) => on_target(deed, target.as_deref()),
            None => performed(&message, target.as_deref()),
        };
    }
    performed(event_type, target.as_deref())
}

/// A template filled from the event; `None` when it needs a target the event lacks.
fn fill(template: &str, event: &Value, target: Option<&str>) -> Option<String> {
    if template.contains("{target}") && target.is_none() {
        return None;
    }
    let joined = |word: &str| target.map(|t| format!(" {word} {t}")).unwrap_or_default();
    let group = other_target(event, "group")
        .map(|g| format!("the group {g}"))
        .unwrap_or_else(|| "a group".to_owned());
    let app = other_target(event, "app")
        .map(|a| format!("the app {a}"))
        .unwrap_or_else(|| "an app".to_owned());
    let debug = |key: &str| {
        event
            .pointer(&format!("/context/debug_data/{key}"))
            .filter(|v| !v.is_null())
            .map(describe_value)
    };
    let role = debug("privilegeGranted")
        .or_else(|| debug("privilegeRevoked"))
        .map(|r| format!("the admin role {r}"))
        .unwrap_or_else(|| "an admin role".to_owned());
    Some(
        template
            .replace("{target}", target.unwrap_or_default())
            .replace("{of}", &joined("of"))
            .replace("{to}", &joined("to"))
            .replace("{from}", &joined("from"))
            .replace("{group}", &group)
            .replace("{app}", &app)
            .replace("{role}", &role),
    )
}

/// What a sign-on policy decided for whom.
fn sign_on_policy(
    event: &Value,
    who: &str,
    from: &str,
    reason: &str,
    result: Option<&str>,
) -> String {
    let policy = target_label(event)
        .map(|p| format!("the sign-on policy {p}"))
        .unwrap_or_else(|| "a sign-on policy".to_owned());
    let rule = other_target(event, "policyrule")
        .map(|r| format!(" (rule {r})"))
        .unwrap_or_default();
    match (event.get("outcome").and_then(Value::as_str), result) {
        (Some("denied"), _) => {
            format!("{who} was refused permission to sign in by {policy}{rule}{from}{reason}")
        }
        (Some("failure"), _) => {
            format!("{who} could not be checked against {policy}{rule}{from} — failed{reason}")
        }
        (Some("success"), Some("ALLOW" | "SUCCESS")) => {
            format!("{who} was allowed to sign in by {policy}{rule}{from}")
        }
        (Some("success"), Some("CHALLENGE")) => {
            format!("{who} was asked to verify their identity by {policy}{rule}{from}")
        }
        (_, Some(other)) => {
            format!("{who} was checked against {policy}{rule}{from} (Okta's result: {other})")
        }
        (_, None) => format!(
            "{who} was checked against {policy}{rule}{from} — how it ended was not recorded"
        ),
    }
}
