//! Microsoft 365 operations in plain words: "grace@acme.com failed to sign in from
//! 203.0.113.7: InvalidPassword", "maria@acme.com added bob@acme.com to the role Global
//! Administrator", "bob@acme.com downloaded salaries.xlsx".
//!
//! **Which events.** Those with a `context.workload` (every Microsoft 365 record
//! carries its `Workload`: `source::saas::purview`). An operation not worded here gives
//! way to the general rules (`None`), which already word a change of fields ("changed
//! user eve@acme.com Department from …").
//!
//! **Data, not branches.** [`OPERATIONS`] holds the operations worth their own words:
//! the past tense and the infinitive (for "tried to … — failed"), with `{target}`
//! standing for what the operation was done to. Entra operations written as an
//! imperative sentence ("Add user.", "Reset user password.") read with their first
//! word in the past tense ("added user … — user carla@acme.com"); cmdlets
//! ("Set-Mailbox") read "ran Set-Mailbox on …".

use serde_json::Value;

use super::*;

/// (operation, past, infinitive); `{target}` is what it was done to.
const OPERATIONS: &[(&str, &str, &str)] = &[
    ("UserLoggedIn", "signed in", "sign in"),
    ("UserLoginFailed", "failed to sign in", "sign in"),
    ("FileAccessed", "opened {target}", "open {target}"),
    ("FilePreviewed", "previewed {target}", "preview {target}"),
    ("FileDownloaded", "downloaded {target}", "download {target}"),
    (
        "FileSyncDownloadedFull",
        "downloaded {target} to a synced device",
        "download {target}",
    ),
    ("FileUploaded", "uploaded {target}", "upload {target}"),
    ("FileModified", "modified {target}", "modify {target}"),
    ("FileDeleted", "deleted {target}", "delete {target}"),
    ("FileMoved", "moved {target}", "move {target}"),
    ("FileCopied", "copied {target}", "copy {target}"),
    ("SharingSet", "shared {target}", "share {target}"),
    (
        "AnonymousLinkCreated",
        "created an anyone-with-the-link for {target}",
        "create a link for {target}",
    ),
    (
        "MailItemsAccessed",
        "read mail in {target}",
        "read mail in {target}",
    ),
    ("Send", "sent mail from {target}", "send mail from {target}"),
    (
        "SoftDelete",
        "deleted mail in {target}",
        "delete mail in {target}",
    ),
    (
        "HardDelete",
        "permanently deleted mail in {target}",
        "permanently delete mail in {target}",
    ),
    (
        "New-InboxRule",
        "created an inbox rule in {target}",
        "create an inbox rule in {target}",
    ),
    (
        "Set-InboxRule",
        "changed an inbox rule in {target}",
        "change an inbox rule in {target}",
    ),
    ("SearchQueryPerformed", "searched", "search"),
];

/// Imperative first words of Entra operations and their past tense.
const VERBS: &[(&str, &str)] = &[
    ("Add", "added"),
    ("Assign", "assigned"),
    ("Change", "changed"),
    ("Consent", "consented"),
    ("Create", "created"),
    ("Delete", "deleted"),
    ("Disable", "disabled"),
    ("Enable", "enabled"),
    ("Hard", "permanently"),
    ("Remove", "removed"),
    ("Reset", "reset"),
    ("Restore", "restored"),
    ("Revoke", "revoked"),
    ("Set", "set"),
    ("Update", "updated"),
];

pub(super) fn microsoft_sentence(event: &Value) -> Option<String> {
    event.pointer("/context/workload")?.as_str()?;
    let action = text(event, "action")?;
    let who = subject(event);
    let target = event.get("target").and_then(target_name);
    let from = event
        .pointer("/source/ip")
        .and_then(Value::as_str)
        .map(|ip| format!(" from {}", shorten(ip, TEXT_CHARS)))
        .unwrap_or_default();
    let reason = text(event, "reason")
        .map(|r| format!(": {}", shorten(&r, TEXT_CHARS)))
        .unwrap_or_default();
    let outcome = event
        .get("outcome")
        .and_then(Value::as_str)
        .unwrap_or("success");
    let fill =
        |template: &str| template.replace("{target}", target.as_deref().unwrap_or("an item"));
    let role = |side: &str| {
        event
            .pointer(&format!("/{side}/Role.DisplayName"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (past, base) =
        if let Some((_, past, base)) = OPERATIONS.iter().find(|(op, _, _)| *op == action) {
            (fill(past), fill(base))
        } else if action == "Add member to role."
            && let Some(role) = role("after")
        {
            let whom = target.clone().unwrap_or_else(|| "someone".to_owned());
            (
                format!("added {whom} to the role {role}"),
                format!("add {whom} to the role {role}"),
            )
        } else if action == "Remove member from role."
            && let Some(role) = role("before")
        {
            let whom = target.clone().unwrap_or_else(|| "someone".to_owned());
            (
                format!("removed {whom} from the role {role}"),
                format!("remove {whom} from the role {role}"),
            )
        } else if let Some(sentence) = action.strip_suffix('.') {
            // An Entra operation: its first word in the past tense, unless its fields
            // changed, which the general rules word field by field.
            if event.get("before").is_some() || event.get("after").is_some() {
                return None;
            }
            let (first, rest) = sentence.split_once(' ').unwrap_or((sentence, ""));
            let past = VERBS
                .iter()
                .find(|(verb, _)| *verb == first)
                .map(|(_, past)| *past)?;
            let on = target
                .as_deref()
                .map(|t| format!(" — {t}"))
                .unwrap_or_default();
            (
                format!("{past} {rest}{on}"),
                format!("{} {rest}{on}", first.to_lowercase()),
            )
        } else if action.contains('-') && !action.contains(' ') {
            // An Exchange or Security & Compliance cmdlet.
            let on = target
                .as_deref()
                .map(|t| format!(" on {t}"))
                .unwrap_or_default();
            (format!("ran {action}{on}"), format!("run {action}{on}"))
        } else {
            return None;
        };
    Some(match outcome {
        _ if action == "UserLoginFailed" => format!("{who} failed to sign in{from}{reason}"),
        "success" => format!("{who} {past}{from}"),
        "denied" => format!("{who} was refused permission to {base}{from}{reason}"),
        _ => format!("{who} tried to {base}{from} — failed{reason}"),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::sentence;

    fn event(action: &str, outcome: &str) -> serde_json::Value {
        json!({"id": "1", "ts": "2026-03-02T09:00:00.000Z", "action": action, "outcome": outcome,
               "actor": {"id": "maria@acme.com", "type": "user"},
               "target": {"type": "file", "id": "https://x/salaries.xlsx", "name": "salaries.xlsx"},
               "source": {"ip": "203.0.113.7"},
               "context": {"workload": "SharePoint"}})
    }

    #[test]
    fn sign_ins_files_and_mail_read_as_what_was_done() {
        assert_eq!(
            sentence(&event("FileDownloaded", "success")),
            "maria@acme.com downloaded salaries.xlsx from 203.0.113.7"
        );
        let mut failed = event("UserLoginFailed", "failure");
        failed["reason"] = json!("InvalidPassword");
        assert_eq!(
            sentence(&failed),
            "maria@acme.com failed to sign in from 203.0.113.7: InvalidPassword"
        );
        // A sign-in that failed by its LogonError reads as failed, never as done.
        let mut logged = event("UserLoggedIn", "failure");
        logged["reason"] = json!("UserAccountLocked");
        assert_eq!(
            sentence(&logged),
            "maria@acme.com tried to sign in from 203.0.113.7 — failed: UserAccountLocked"
        );
        assert_eq!(
            sentence(&event("Set-Mailbox", "failure")),
            "maria@acme.com tried to run Set-Mailbox on salaries.xlsx from 203.0.113.7 — failed"
        );
    }

    #[test]
    fn a_role_change_names_the_role_and_entra_operations_read_in_the_past() {
        let mut grant = event("Add member to role.", "success");
        grant["target"] = json!({"type": "user", "id": "bob@acme.com"});
        grant["after"] = json!({"Role.DisplayName": "Global Administrator"});
        assert_eq!(
            sentence(&grant),
            "maria@acme.com added user bob@acme.com to the role Global Administrator from 203.0.113.7"
        );
        let mut reset = event("Reset user password.", "success");
        reset["target"] = json!({"type": "user", "id": "carla@acme.com"});
        assert_eq!(
            sentence(&reset),
            "maria@acme.com reset user password — user carla@acme.com from 203.0.113.7"
        );
        // Not a Microsoft 365 event: the general rules.
        let mut ours = event("FileDownloaded", "success");
        ours.as_object_mut().unwrap().remove("context");
        assert!(!sentence(&ours).contains("downloaded salaries.xlsx from"));
    }
}
