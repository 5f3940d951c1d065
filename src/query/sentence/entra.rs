//! Entra ID (Azure AD) audit log activities in plain words, each said to be Entra's so
//! a reader of several directories' events knows which one changed: "Entra: Maria
//! Lopez added Bob to the role Global Administrator from 203.0.113.7", "Entra: HR
//! Provisioning (service) changed user bob@acme.com: Department from Sales to Finance",
//! "Entra: carla@acme.com tried to reset their own password (self-service) — failed:
//! User's account is locked".
//!
//! **Which events.** Those the Entra normalizer made (`source::saas::entra`): its
//! `context.logged_by_service` (Graph's `loggedByService`, the portal CSV's `Service`),
//! or Entra's `result` and `category` beside one of the keys only it writes. Microsoft
//! 365's own copy of these operations (`Add member to role.`, with a
//! `context.workload`) is worded by `microsoft`.
//!
//! **Data, not branches.** [`ACTIVITIES`] words the common activities, with `{target}`
//! (the first target), `{role}`, `{group}` (from the target's modified properties, else
//! the other targets), `{perms}` and `{whose}` ("their own" when actors change their
//! own account). A change of properties lists them, a one-value list (`["Sales"]`) read
//! as its value. Any other activity reads its name in the past tense ("Update policy" →
//! "updated policy — Block legacy sign-in"), else "performed “…”".

use serde_json::Value;

use super::saas::*;
use super::*;

/// `context` keys only the Entra normalizer writes.
const ENTRA_KEYS: &[&str] = &[
    "operation_type",
    "actor_object_id",
    "actor_app_id",
    "actor_home_tenant_id",
    "actor_service_principal_name",
    "target_object_id",
    "target_group_type",
    "updated_properties",
    "additional_details",
];

/// (activity, past, infinitive).
const ACTIVITIES: &[(&str, &str, &str)] = &[
    (
        "Add member to role",
        "added {target} to {role}",
        "add {target} to {role}",
    ),
    (
        "Remove member from role",
        "removed {target} from {role}",
        "remove {target} from {role}",
    ),
    (
        "Add eligible member to role",
        "made {target} eligible for {role}",
        "make {target} eligible for {role}",
    ),
    (
        "Remove eligible member from role",
        "removed the eligibility of {target} for {role}",
        "remove the eligibility of {target} for {role}",
    ),
    (
        "Add member to role completed (PIM activation)",
        "activated {role} for {target}",
        "activate {role} for {target}",
    ),
    (
        "Add member to group",
        "added {target} to {group}",
        "add {target} to {group}",
    ),
    (
        "Remove member from group",
        "removed {target} from {group}",
        "remove {target} from {group}",
    ),
    (
        "Add owner to group",
        "made {target} an owner of {group}",
        "make {target} an owner of {group}",
    ),
    (
        "Remove owner from group",
        "removed {target} as an owner of {group}",
        "remove {target} as an owner of {group}",
    ),
    (
        "Add user",
        "created the user {target}",
        "create the user {target}",
    ),
    (
        "Delete user",
        "deleted the user {target}",
        "delete the user {target}",
    ),
    (
        "Hard delete user",
        "permanently deleted the user {target}",
        "permanently delete the user {target}",
    ),
    (
        "Restore user",
        "restored the user {target}",
        "restore the user {target}",
    ),
    (
        "Disable account",
        "disabled the account of {target}",
        "disable the account of {target}",
    ),
    (
        "Enable account",
        "enabled the account of {target}",
        "enable the account of {target}",
    ),
    (
        "Reset user password",
        "reset the password of {target}",
        "reset the password of {target}",
    ),
    (
        "Reset password (by admin)",
        "reset the password of {target}",
        "reset the password of {target}",
    ),
    (
        "Change user password",
        "changed the password of {target}",
        "change the password of {target}",
    ),
    (
        "Reset password (self-service)",
        "reset {whose} password (self-service)",
        "reset {whose} password (self-service)",
    ),
    (
        "Change password (self-service)",
        "changed {whose} password (self-service)",
        "change {whose} password (self-service)",
    ),
    (
        "Add group",
        "created the group {target}",
        "create the group {target}",
    ),
    (
        "Delete group",
        "deleted the group {target}",
        "delete the group {target}",
    ),
    (
        "Consent to application",
        "consented to the application {target}{perms}",
        "consent to the application {target}{perms}",
    ),
    (
        "Add application",
        "registered the application {target}",
        "register the application {target}",
    ),
    (
        "Delete application",
        "deleted the application {target}",
        "delete the application {target}",
    ),
    (
        "Add service principal",
        "added the service principal {target}",
        "add the service principal {target}",
    ),
    (
        "Add service principal credentials",
        "added credentials to the service principal {target}",
        "add credentials to the service principal {target}",
    ),
    (
        "Remove service principal credentials",
        "removed credentials from the service principal {target}",
        "remove credentials from the service principal {target}",
    ),
    (
        "Add delegated permission grant",
        "granted delegated permissions to {target}",
        "grant delegated permissions to {target}",
    ),
    (
        "Add conditional access policy",
        "created the conditional access policy {target}",
        "create the conditional access policy {target}",
    ),
    (
        "Update conditional access policy",
        "changed the conditional access policy {target}",
        "change the conditional access policy {target}",
    ),
    (
        "Delete conditional access policy",
        "deleted the conditional access policy {target}",
        "delete the conditional access policy {target}",
    ),
    (
        "Invite external user",
        "invited the guest {target}",
        "invite the guest {target}",
    ),
    (
        "Redeem external user invite",
        "accepted an invitation as a guest",
        "accept an invitation as a guest",
    ),
    (
        "User registered security info",
        "registered security info",
        "register security info",
    ),
    (
        "User deleted security info",
        "deleted security info",
        "delete security info",
    ),
    (
        "User changed default security info",
        "changed their default security info",
        "change their default security info",
    ),
    (
        "Register device",
        "registered the device {target}",
        "register the device {target}",
    ),
    (
        "Delete device",
        "deleted the device {target}",
        "delete the device {target}",
    ),
];

pub(super) fn entra_sentence(event: &Value) -> Option<String> {
    let context = event.get("context")?.as_object()?;
    if context.contains_key("workload") {
        return None;
    }
    let has = |key: &str| context.get(key).is_some_and(Value::is_string);
    let is_entra = has("logged_by_service")
        || has("result") && has("category") && ENTRA_KEYS.iter().any(|k| context.contains_key(*k));
    if !is_entra {
        return None;
    }
    let activity = text(event, "action")?;
    let who = subject(event);
    let deed = deed(event, &activity);
    let said = tell(event, &who, &deed, &from_ip(event), &reason_of(event));
    Some(format!("Entra: {said}"))
}

fn deed(event: &Value, activity: &str) -> Deed {
    let target = event.get("target").and_then(target_name);
    let activity = activity.trim().trim_end_matches('.');
    if let Some((_, past, base)) = ACTIVITIES
        .iter()
        .find(|(a, _, _)| a.eq_ignore_ascii_case(activity))
    {
        let filled = |template: &str| fill(template, event, target.as_deref());
        if let (Some(past), Some(base)) = (filled(past), filled(base)) {
            return Deed { past, base };
        }
    }
    // Properties changed: listed, on what they belong to ("user bob@acme.com").
    if let Some(deed) = changed(event, target.as_deref(), &as_is, &one_value) {
        return deed;
    }
    match imperative(activity) {
        // "Update policy" on a policy: "updated policy Block legacy sign-in".
        Some(deed) => match (
            event.pointer("/target/type").and_then(Value::as_str),
            target_label(event),
        ) {
            (Some(kind), Some(label)) if deed.past.to_lowercase().ends_with(kind) => Deed {
                past: format!("{} {label}", deed.past),
                base: format!("{} {label}", deed.base),
            },
            _ => on_target(deed, target.as_deref()),
        },
        None => {
            // "User registered security info": the user is the actor.
            let rest = activity.strip_prefix("User ").unwrap_or(activity);
            let (first, words) = rest.split_once(' ').unwrap_or((rest, ""));
            let fallback = performed(activity, target.as_deref());
            if rest == activity || !first.ends_with("ed") {
                return fallback;
            }
            let base = match base_form(first) {
                Some(base) => format!("{base} {words}").trim_end().to_owned(),
                None => fallback.base,
            };
            on_target(
                Deed {
                    past: rest.to_owned(),
                    base,
                },
                target.as_deref(),
            )
        }
    }
}

/// A template filled from the event; `None` when it needs a target the event lacks.
fn fill(template: &str, event: &Value, target: Option<&str>) -> Option<String> {
    if template.contains("{target}") && target.is_none() {
        return None;
    }
    // The role or group a member was added to (`after`) or removed from (`before`).
    let property = |name: &str| {
        ["after", "before"].into_iter().find_map(|side| {
            let value = event.get(side)?.get(name)?;
            Some(describe_value(&one_value(value)))
        })
    };
    let role = property("Role.DisplayName")
        .or_else(|| other_target(event, "role"))
        .map(|r| format!("the role {r}"))
        .unwrap_or_else(|| "a role".to_owned());
    let group = property("Group.DisplayName")
        .or_else(|| other_target(event, "group"))
        .map(|g| format!("the group {g}"))
        .unwrap_or_else(|| "a group".to_owned());
    let perms = property("ConsentAction.Permissions")
        .map(|p| format!(" (permissions: {p})"))
        .unwrap_or_default();
    let own = |pointer: &str| event.pointer(pointer).and_then(Value::as_str);
    let whose = match target {
        Some(t) if own("/target/id").is_some() && own("/actor/id") != own("/target/id") => {
            format!("{t}'s")
        }
        _ => "their own".to_owned(),
    };
    Some(
        template
            .replace("{target}", target.unwrap_or_default())
            .replace("{role}", &role)
            .replace("{group}", &group)
            .replace("{perms}", &perms)
            .replace("{whose}", &whose),
    )
}

/// Entra writes most values as a list of one (`["Sales"]`): that one value.
fn one_value(value: &Value) -> Value {
    match value {
        Value::Array(items)
            if items.len() == 1 && !items[0].is_object() && !items[0].is_array() =>
        {
            items[0].clone()
        }
        other => other.clone(),
    }
}
