//! GitHub and GitLab audit events in plain words: "maria-lopez added bob-stone to the
//! repository acme/api", "jdoe changed the visibility of the repository acme/api from
//! public to private from 203.0.113.7", "Maria Lopez gave Bob Stone Developer access to
//! the group acme/platform", "Someone tried to sign in to GitLab as bob with a password
//! from 198.51.100.9 — failed".
//!
//! **Which events.** GitHub's: a namespaced action (`repo.add_member`) beside a key only
//! GitHub's entries have (`actor_location`, `org_id`, `operation_type`, …), or two of
//! `org`, `repo`, `team`, `user`, `business`, `data` (`source::saas::github` keeps every
//! key it does not map in `context`). GitLab's: its `context.entity_type` (or the
//! admin CSV's `sentence`) beside its author or entity (`source::saas::gitlab`).
//!
//! **Data, not branches.** [`GITHUB_ACTIONS`] and [`GITLAB_ACTIONS`] word the common
//! actions, with `{user}`, `{repo}`, `{team}`, `{org}`, `{branch}`, `{hook}`, `{where}`,
//! `{entity}`, `{member}`, `{target}` and `{change}` (" from public to private" when one
//! field changed); a row whose value the event lacks gives way. Other changes list
//! their fields. Any other GitHub action reads its verb ("team.add_repository" → "added
//! repository — team acme/security"); any other GitLab event reads GitLab's own
//! sentence ("Added protected branch main" → "added protected branch main in the
//! project acme/api"), else its event type.
//!
//! A GitLab failed sign-in names the account tried, not who tried it: GitLab writes the
//! name typed as the author, so "Someone tried to sign in as bob".

use serde_json::Value;

use super::saas::*;
use super::*;

/// Keys only GitHub's entries have.
const GITHUB_KEYS: &[&str] = &[
    "actor_location",
    "actor_id",
    "org_id",
    "repo_id",
    "business_id",
    "user_id",
    "team_id",
    "operation_type",
    "external_identity_nameid",
    "external_identity_username",
    "hashed_token",
    "token_scopes",
    "programmatic_access_type",
    "actor_is_bot",
];

/// Keys GitHub's entries often have, and other logs now and then.
const GITHUB_COMMON: &[&str] = &["org", "repo", "team", "user", "business", "data"];

/// (action, past, infinitive).
const GITHUB_ACTIONS: &[(&str, &str, &str)] = &[
    (
        "repo.add_member",
        "added {user} to the repository {repo}{permission}",
        "add {user} to the repository {repo}{permission}",
    ),
    (
        "repo.remove_member",
        "removed {user} from the repository {repo}",
        "remove {user} from the repository {repo}",
    ),
    (
        "repo.update_member",
        "changed the permission of {user} on the repository {repo}{change}",
        "change the permission of {user} on the repository {repo}{change}",
    ),
    (
        "repo.add_collaborator",
        "added {user} to the repository {repo}{permission}",
        "add {user} to the repository {repo}{permission}",
    ),
    (
        "repo.remove_collaborator",
        "removed {user} from the repository {repo}",
        "remove {user} from the repository {repo}",
    ),
    (
        "org.add_member",
        "added {user} to the organization {org}",
        "add {user} to the organization {org}",
    ),
    (
        "org.remove_member",
        "removed {user} from the organization {org}",
        "remove {user} from the organization {org}",
    ),
    (
        "org.invite_member",
        "invited {user} to the organization {org}",
        "invite {user} to the organization {org}",
    ),
    (
        "org.update_member",
        "changed the role of {user} in the organization {org}{change}",
        "change the role of {user} in the organization {org}{change}",
    ),
    (
        "org.add_outside_collaborator",
        "added {user} as an outside collaborator{where}",
        "add {user} as an outside collaborator{where}",
    ),
    (
        "org.remove_outside_collaborator",
        "removed the outside collaborator {user}{where}",
        "remove the outside collaborator {user}{where}",
    ),
    (
        "org.update_default_repository_permission",
        "changed the default repository permission of the organization {org}{change}",
        "change the default repository permission of the organization {org}{change}",
    ),
    (
        "team.add_member",
        "added {user} to the team {team}",
        "add {user} to the team {team}",
    ),
    (
        "team.remove_member",
        "removed {user} from the team {team}",
        "remove {user} from the team {team}",
    ),
    (
        "team.promote_maintainer",
        "made {user} a maintainer of the team {team}",
        "make {user} a maintainer of the team {team}",
    ),
    (
        "team.demote_maintainer",
        "made {user} a regular member of the team {team}",
        "make {user} a regular member of the team {team}",
    ),
    (
        "team.create",
        "created the team {team}",
        "create the team {team}",
    ),
    (
        "team.destroy",
        "deleted the team {team}",
        "delete the team {team}",
    ),
    (
        "team.add_repository",
        "gave the team {team} access to the repository {repo}",
        "give the team {team} access to the repository {repo}",
    ),
    (
        "team.remove_repository",
        "removed the access of the team {team} to the repository {repo}",
        "remove the access of the team {team} to the repository {repo}",
    ),
    (
        "repo.create",
        "created the repository {repo}",
        "create the repository {repo}",
    ),
    (
        "repo.destroy",
        "deleted the repository {repo}",
        "delete the repository {repo}",
    ),
    (
        "repo.archived",
        "archived the repository {repo}",
        "archive the repository {repo}",
    ),
    (
        "repo.unarchived",
        "unarchived the repository {repo}",
        "unarchive the repository {repo}",
    ),
    (
        "repo.rename",
        "renamed the repository {repo}{change}",
        "rename the repository {repo}{change}",
    ),
    (
        "repo.transfer",
        "transferred the repository {repo}",
        "transfer the repository {repo}",
    ),
    (
        "repo.access",
        "changed the visibility of the repository {repo}{change}",
        "change the visibility of the repository {repo}{change}",
    ),
    (
        "repo.download_zip",
        "downloaded an archive of the repository {repo}",
        "download an archive of the repository {repo}",
    ),
    (
        "git.clone",
        "cloned the repository {repo}",
        "clone the repository {repo}",
    ),
    (
        "git.fetch",
        "fetched from the repository {repo}",
        "fetch from the repository {repo}",
    ),
    (
        "git.push",
        "pushed to the repository {repo}",
        "push to the repository {repo}",
    ),
    (
        "protected_branch.create",
        "protected the branch {branch} of the repository {repo}",
        "protect the branch {branch} of the repository {repo}",
    ),
    (
        "protected_branch.destroy",
        "removed the protection of the branch {branch} of the repository {repo}",
        "remove the protection of the branch {branch} of the repository {repo}",
    ),
    (
        "protected_branch.update",
        "changed the protection of the branch {branch} of the repository {repo}",
        "change the protection of the branch {branch} of the repository {repo}",
    ),
    (
        "protected_branch.policy_override",
        "overrode the protection of the branch {branch} of the repository {repo}",
        "override the protection of the branch {branch} of the repository {repo}",
    ),
    (
        "hook.create",
        "created the webhook {hook}{where}",
        "create the webhook {hook}{where}",
    ),
    (
        "hook.destroy",
        "deleted the webhook {hook}{where}",
        "delete the webhook {hook}{where}",
    ),
    (
        "hook.events_changed",
        "changed the events of the webhook {hook}{where}{change}",
        "change the events of the webhook {hook}{where}{change}",
    ),
    (
        "hook.config_changed",
        "changed the settings of the webhook {hook}{where}",
        "change the settings of the webhook {hook}{where}",
    ),
    (
        "workflows.created_workflow_run",
        "started a workflow run in the repository {repo}",
        "start a workflow run in the repository {repo}",
    ),
    (
        "workflows.completed_workflow_run",
        "finished a workflow run in the repository {repo}{conclusion}",
        "finish a workflow run in the repository {repo}",
    ),
    (
        "personal_access_token.access_granted",
        "granted a personal access token access to the organization {org}",
        "grant a personal access token access to the organization {org}",
    ),
    (
        "personal_access_token.access_revoked",
        "revoked the access of a personal access token to the organization {org}",
        "revoke the access of a personal access token to the organization {org}",
    ),
    (
        "personal_access_token.request_created",
        "asked for a personal access token to access the organization {org}",
        "ask for a personal access token to access the organization {org}",
    ),
    (
        "oauth_authorization.create",
        "authorized an OAuth app",
        "authorize an OAuth app",
    ),
    (
        "oauth_authorization.destroy",
        "revoked an OAuth app's authorization",
        "revoke an OAuth app's authorization",
    ),
    ("public_key.create", "added an SSH key", "add an SSH key"),
    (
        "public_key.delete",
        "removed an SSH key",
        "remove an SSH key",
    ),
    (
        "deploy_key.create",
        "added a deploy key to the repository {repo}",
        "add a deploy key to the repository {repo}",
    ),
    (
        "deploy_key.delete",
        "removed a deploy key from the repository {repo}",
        "remove a deploy key from the repository {repo}",
    ),
    (
        "two_factor_authentication.enabled",
        "turned on two-factor authentication",
        "turn on two-factor authentication",
    ),
    (
        "two_factor_authentication.disabled",
        "turned off two-factor authentication",
        "turn off two-factor authentication",
    ),
    ("user.login", "signed in to GitHub", "sign in to GitHub"),
    (
        "user.failed_login",
        "signed in to GitHub",
        "sign in to GitHub",
    ),
    (
        "repository_vulnerability_alert.create",
        "opened a vulnerability alert on the repository {repo}",
        "open a vulnerability alert on the repository {repo}",
    ),
    (
        "repository_vulnerability_alert.resolve",
        "resolved a vulnerability alert on the repository {repo}",
        "resolve a vulnerability alert on the repository {repo}",
    ),
    (
        "repository_vulnerability_alert.dismiss",
        "dismissed a vulnerability alert on the repository {repo}",
        "dismiss a vulnerability alert on the repository {repo}",
    ),
    (
        "integration_installation.create",
        "installed a GitHub App{where}",
        "install a GitHub App{where}",
    ),
    (
        "org.enable_two_factor_requirement",
        "required two-factor authentication in the organization {org}",
        "require two-factor authentication in the organization {org}",
    ),
    (
        "org.disable_two_factor_requirement",
        "stopped requiring two-factor authentication in the organization {org}",
        "stop requiring two-factor authentication in the organization {org}",
    ),
];

/// (action or event type, past, infinitive).
const GITLAB_ACTIONS: &[(&str, &str, &str)] = &[
    (
        "member_created",
        "gave {member} {level} access to {entity}",
        "give {member} {level} access to {entity}",
    ),
    (
        "user_access.added",
        "gave {member} {level} access to {entity}",
        "give {member} {level} access to {entity}",
    ),
    (
        "member_destroyed",
        "removed {member} from {entity}",
        "remove {member} from {entity}",
    ),
    (
        "user_access.removed",
        "removed {member} from {entity}",
        "remove {member} from {entity}",
    ),
    (
        "member_updated",
        "changed the access of {member} to {entity}{change}",
        "change the access of {member} to {entity}{change}",
    ),
    (
        "access_level.changed",
        "changed the access of {member} to {entity}{change}",
        "change the access of {member} to {entity}{change}",
    ),
    (
        "project_visibility_level_updated",
        "changed the visibility of {entity}{change}",
        "change the visibility of {entity}{change}",
    ),
    (
        "group_visibility_level_updated",
        "changed the visibility of {entity}{change}",
        "change the visibility of {entity}{change}",
    ),
    (
        "visibility.changed",
        "changed the visibility of {entity}{change}",
        "change the visibility of {entity}{change}",
    ),
    (
        "group_created",
        "created the group {target}",
        "create the group {target}",
    ),
    (
        "group_destroyed",
        "deleted the group {target}",
        "delete the group {target}",
    ),
    (
        "project_created",
        "created the project {target}",
        "create the project {target}",
    ),
    (
        "project_destroyed",
        "deleted the project {target}",
        "delete the project {target}",
    ),
    (
        "user_created",
        "created the user {target}",
        "create the user {target}",
    ),
    (
        "user_destroyed",
        "deleted the user {target}",
        "delete the user {target}",
    ),
    (
        "user_blocked",
        "blocked the user {target}",
        "block the user {target}",
    ),
    (
        "user_unblocked",
        "unblocked the user {target}",
        "unblock the user {target}",
    ),
    (
        "user_deactivated",
        "deactivated the user {target}",
        "deactivate the user {target}",
    ),
    (
        "user_impersonation",
        "started impersonating {target}",
        "start impersonating {target}",
    ),
    (
        "repository_download_operation",
        "downloaded the repository of {entity}",
        "download the repository of {entity}",
    ),
    (
        "protected_branch_created",
        "protected the branch {target} of {entity}",
        "protect the branch {target} of {entity}",
    ),
    (
        "protected_branch_removed",
        "removed the protection of the branch {target} of {entity}",
        "remove the protection of the branch {target} of {entity}",
    ),
    (
        "personal_access_token_created",
        "created a personal access token",
        "create a personal access token",
    ),
    (
        "personal_access_token_revoked",
        "revoked a personal access token",
        "revoke a personal access token",
    ),
    (
        "ref.updated",
        "updated {ref} of {entity}",
        "update {ref} of {entity}",
    ),
];

/// Things GitLab adds and removes, as the admin CSV's sentences name them.
const GITLAB_THINGS: &[&str] = &[
    "group",
    "project",
    "user",
    "email",
    "ssh_key",
    "deploy_key",
    "deploy_token",
    "runner",
    "personal_access_token",
    "project_access_token",
    "group_access_token",
];

pub(super) fn github_sentence(event: &Value) -> Option<String> {
    let action = event.get("action")?.as_str()?;
    let context = event.get("context")?.as_object()?;
    let namespaced = action.contains('.')
        && action.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        });
    let actor_kind = event.pointer("/actor/type").and_then(Value::as_str);
    let specific = GITHUB_KEYS.iter().any(|k| context.contains_key(*k));
    let common = GITHUB_COMMON
        .iter()
        .filter(|k| context.contains_key(**k))
        .count();
    if !namespaced
        || !matches!(actor_kind, None | Some("user" | "automation"))
        || !(specific || common >= 2)
    {
        return None;
    }
    let deed = github_deed(event, action);
    Some(tell(
        event,
        &subject(event),
        &deed,
        &from_ip(event),
        &reason_of(event),
    ))
}

fn github_deed(event: &Value, action: &str) -> Deed {
    let target = event.get("target").and_then(target_name);
    let kind = event.pointer("/target/type").and_then(Value::as_str);
    let label = target_label(event);
    let of_kind = |wanted: &str| label.clone().filter(|_| kind == Some(wanted));
    let org = match event.pointer("/context/org") {
        Some(Value::Array(orgs)) => {
            let names: Vec<String> = orgs
                .iter()
                .filter_map(|o| o.as_str().map(str::to_owned))
                .collect();
            (!names.is_empty()).then(|| shorten(&names.join(", "), TEXT_CHARS))
        }
        _ => context_text(event, "org"),
    };
    let data = |key: &str| {
        context_text(event, key).or_else(|| {
            event
                .pointer(&format!("/context/data/{key}"))
                .filter(|v| !v.is_null())
                .map(describe_value)
        })
    };
    let repo = data("repo")
        .or_else(|| data("repository"))
        .or_else(|| of_kind("repository"));
    let team = data("team").or_else(|| of_kind("team"));
    let user = of_kind("membership")
        .or_else(|| data("user"))
        .or_else(|| of_kind("user"));
    let branch = of_kind("protected branch");
    let hook = of_kind("hook");
    let where_ = match (&repo, &org) {
        (Some(repo), _) => format!(" on the repository {repo}"),
        (None, Some(org)) => format!(" in the organization {org}"),
        (None, None) => String::new(),
    };
    let permission = event
        .pointer("/after/permission")
        .map(describe_value)
        .or_else(|| data("permission"))
        .map(|p| format!(" with {p} permission"))
        .unwrap_or_default();
    let conclusion = data("conclusion")
        .map(|c| format!(" (conclusion: {c})"))
        .unwrap_or_default();
    let values: [(&str, Option<String>); 9] = [
        ("{user}", user),
        ("{repo}", repo),
        ("{team}", team),
        ("{org}", org),
        ("{branch}", branch),
        ("{hook}", hook),
        ("{where}", Some(where_)),
        ("{permission}", Some(permission)),
        ("{conclusion}", Some(conclusion)),
    ];
    if let Some((_, past, base)) = GITHUB_ACTIONS.iter().find(|(a, _, _)| *a == action)
        && let (Some(past), Some(base)) = (fill(past, event, &values), fill(base, event, &values))
    {
        // Branch protection settings are many: listed, not said as one change
        // ("changed the protection of …: required approving review count from 1 to 2").
        let whose = past.strip_prefix("changed the protection");
        if action == "protected_branch.update"
            && let Some(deed) = whose.and_then(|of| {
                changed(
                    event,
                    Some(&format!("the protection{of}")),
                    &words_of,
                    &same,
                )
            })
        {
            return deed;
        }
        return Deed { past, base };
    }
    if let Some(deed) = changed(event, target.as_deref(), &words_of, &same) {
        return deed;
    }
    // `team.add_repository` → "added repository — team acme/security".
    let (prefix, verb) = action.split_once('.').unwrap_or(("", action));
    let verb = verb.rsplit('.').next().unwrap_or(verb);
    match imperative(verb) {
        Some(deed) if deed.past.contains(' ') => on_target(deed, target.as_deref()),
        Some(deed) => on_target(
            Deed {
                past: format!("{} {}", deed.past, words_of(prefix)),
                base: format!("{} {}", deed.base, words_of(prefix)),
            },
            target.as_deref(),
        ),
        None => performed(action, target.as_deref()),
    }
}

pub(super) fn gitlab_sentence(event: &Value) -> Option<String> {
    let context = event.get("context")?.as_object()?;
    let has = |key: &str| context.get(key).is_some_and(|v| !v.is_null());
    let is_gitlab = (has("entity_type") || has("sentence"))
        && (has("author_id") || has("entity_id") || has("entity_path"));
    if !is_gitlab {
        return None;
    }
    let action = text(event, "action")?;
    let from = from_ip(event);
    let reason = reason_of(event);
    // A sign-in: `with` says how.
    if let Some(with) = context_text(event, "with") {
        let method = sign_in_method(&with);
        let failed = event.get("outcome").and_then(Value::as_str) == Some("failure");
        if failed {
            // The author of a failed sign-in is the name typed, not a person known.
            let tried = event
                .get("actor")
                .map(|a| principal(a, None))
                .filter(|a| a != "Someone")
                .map(|a| format!(" as {a}"))
                .unwrap_or_default();
            return Some(format!(
                "Someone tried to sign in to GitLab{tried} with {method}{from} — failed{reason}"
            ));
        }
        let deed = Deed::new(
            "signed in to GitLab",
            "sign in to GitLab",
            &format!(" with {method}"),
        );
        return Some(tell(event, &subject(event), &deed, &from, &reason));
    }
    let deed = gitlab_deed(event, &action);
    Some(tell(event, &subject(event), &deed, &from, &reason))
}

fn gitlab_deed(event: &Value, action: &str) -> Deed {
    let target = event.get("target").and_then(target_name);
    let kind = |key: &str| {
        context_text(event, key).map(|k| {
            let last = k.rsplit("::").next().unwrap_or(&k).to_owned();
            noun(&last, 1)
        })
    };
    // The group or project it happened in: "the group acme/platform".
    let entity = match (
        kind("entity_type"),
        context_text(event, "entity_path").or_else(|| context_text(event, "entity_id")),
    ) {
        (Some(kind), Some(path)) => Some(format!("the {kind} {path}")),
        (None, Some(path)) => Some(path),
        _ => None,
    };
    let member = if event.pointer("/target/type").and_then(Value::as_str) == Some("membership") {
        target_label(event)
    } else {
        None
    };
    let level = event
        .pointer("/after/access_level")
        .map(describe_value)
        .or_else(|| context_text(event, "as"));
    let reference = context_text(event, "ref").map(|r| format!("the ref {r}"));
    let values: [(&str, Option<String>); 5] = [
        ("{entity}", entity.clone()),
        ("{member}", member),
        ("{level}", level),
        ("{target}", target_label(event)),
        ("{ref}", reference),
    ];
    if let Some((_, past, base)) = GITLAB_ACTIONS.iter().find(|(a, _, _)| *a == action)
        && let (Some(past), Some(base)) = (fill(past, event, &values), fill(base, event, &values))
    {
        return Deed { past, base };
    }
    let in_entity = entity
        .as_ref()
        .filter(|e| Some(e.as_str()) != target.as_deref())
        .map(|e| format!(" in {e}"))
        .unwrap_or_default();
    // The admin CSV's "Added ssh key" / "Removed deploy token".
    if let Some((thing, verb)) = action.rsplit_once('.')
        && GITLAB_THINGS.contains(&thing)
        && let Some(past) = match verb {
            "added" => Some(("added", "add")),
            "removed" => Some(("removed", "remove")),
            _ => None,
        }
    {
        let what = match &target {
            Some(t) => format!(" the {} {t}{in_entity}", words_of(thing)),
            None => format!(" {} {}{in_entity}", article(thing), words_of(thing)),
        };
        return Deed::new(past.0, past.1, &what);
    }
    // Fields changed: "changed the project acme/api: merge method from merge to ff".
    let whose = entity.clone().or_else(|| target.clone());
    if let Some(deed) = changed(event, whose.as_deref(), &words_of, &same) {
        return deed;
    }
    // GitLab's own sentence (the CSV's Action, or a custom message).
    let own = context_text(event, "sentence")
        .or_else(|| context_text(event, "message"))
        .or_else(|| (action.contains(' ')).then(|| shorten(action, TEXT_CHARS)));
    if let Some(own) = own {
        let (first, rest) = own.split_once(' ').unwrap_or((&own, ""));
        let first_lower = first.to_lowercase();
        if first_lower.ends_with("ed") || base_form(&first_lower).is_some() {
            let base = base_form(&first_lower)
                .map(|b| format!("{b} {rest}").trim_end().to_owned() + &in_entity)
                .unwrap_or_else(|| performed(&own, entity.as_deref()).base);
            return Deed {
                past: format!("{first_lower} {rest}").trim_end().to_owned() + &in_entity,
                base,
            };
        }
        return performed(&own, entity.as_deref());
    }
    // An event type GitLab has no sentence for: `project_feature_flag_updated`.
    let words = words_of(action);
    match words.rsplit_once(' ') {
        Some((what, last)) if base_form(last).is_some() => on_target(
            Deed::new(last, base_form(last).unwrap_or(last), &format!(" {what}")),
            entity.as_deref().or(target.as_deref()),
        ),
        _ => performed(action, entity.as_deref().or(target.as_deref())),
    }
}

/// How GitLab says someone signed in (`STANDARD`, `group_saml`, `ldapmain`).
fn sign_in_method(with: &str) -> String {
    let lower = with.to_lowercase();
    match lower.as_str() {
        "standard" => "a password".to_owned(),
        "saml" | "group_saml" => "SAML single sign-on".to_owned(),
        "two-factor" | "two_factor" | "otp" => "a password and a second factor".to_owned(),
        other if other.starts_with("ldap") => "LDAP".to_owned(),
        _ => format!("{} authentication", shorten(with, TEXT_CHARS)),
    }
}

/// A template filled from `values`; `None` when it needs one the event lacks.
/// `{change}` is " from A to B" when exactly one field changed.
fn fill(template: &str, event: &Value, values: &[(&str, Option<String>)]) -> Option<String> {
    let mut out = template.to_owned();
    for (key, value) in values {
        if out.contains(key) {
            out = out.replace(key, value.as_deref()?);
        }
    }
    if out.contains("{change}") {
        out = out.replace("{change}", &single_change(event));
    }
    Some(out)
}

/// " from public to private": the one field before/after change, else nothing.
fn single_change(event: &Value) -> String {
    let changes = crate::diff::diff(event.get("before"), event.get("after"));
    match changes.as_slice() {
        [change] if change.element_of().is_none() => {
            let value = |v: &Option<Value>| v.as_ref().map(describe_value);
            match (value(&change.before), value(&change.after)) {
                (Some(from), Some(to)) => format!(" from {from} to {to}"),
                (None, Some(to)) => format!(" to {to}"),
                (Some(from), None) => format!(" from {from} to nothing"),
                (None, None) => String::new(),
            }
        }
        // Events of a webhook and the like: one list, elements added or removed.
        _ if !changes.is_empty() => {
            let value = |side: &str| {
                event.get(side).and_then(|s| s.as_object()).and_then(|s| {
                    (s.len() == 1)
                        .then(|| s.values().next().map(describe_value))
                        .flatten()
                })
            };
            match (value("before"), value("after")) {
                (Some(from), Some(to)) => format!(" from {from} to {to}"),
                _ => String::new(),
            }
        }
        _ => String::new(),
    }
}
