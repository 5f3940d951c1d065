//! The plain-language sentence a non-engineer reads for one event ("Maria Lopez changed
//! Order #1842 status from Pending Review to Approved"), built only from its fields.
//!
//! Pure: no database, no I/O, no clock, no lookups in other events. It must never
//! produce markup or more than one line (control characters from the event become
//! spaces, and bidirectional overrides become U+FFFD so a name cannot reorder the text
//! around it), never hide who acted for whom, and never soften an outcome: a denied or
//! failed event always says so. It never invents facts: what an event lacks, the
//! sentence leaves out or names by id.
//!
//! Microsoft 365 operations are worded by `microsoft` ("grace@acme.com failed to sign
//! in from 203.0.113.7: InvalidPassword"). AWS API calls (CloudTrail) are worded by `aws` from tables of verbs, exceptions and
//! service names ("alice (IAM user) tried to delete S3 bucket acme-logs from
//! 203.0.113.7 — refused: AccessDenied"). The other exports, each told by the
//! `context` its normalizer writes and worded from a table of its actions with a
//! fallback that still reads as a sentence (`saas` holds what they share): Kubernetes
//! by `kubernetes` ("system:serviceaccount:ci:deployer was refused permission to delete
//! pod web-1 in namespace prod"), Okta by `okta` ("Maria Lopez signed in to Okta from
//! 203.0.113.7"), Google Workspace by `google` ("bob@acme.com changed the password of
//! carol@acme.com"), Salesforce by `salesforce` ("Maria Lopez changed Opportunity Big
//! Deal: Stage from Prospecting to Closed Won"), GitLab and GitHub by `git`
//! ("maria-lopez added bob to the repository acme/api"), Entra ID by `entra` ("Entra:
//! Maria Lopez added Bob to the role Global Administrator"). Every other event is
//! worded by the rules below.

use serde_json::Value;

use crate::diff::diff;

mod aws;
mod deeds;
mod entra;
mod git;
mod google;
mod kubernetes;
mod microsoft;
mod okta;
mod saas;
mod salesforce;
mod values;
mod who;

use aws::aws_sentence;
use deeds::*;
use entra::entra_sentence;
use git::{github_sentence, gitlab_sentence};
use google::google_sentence;
use kubernetes::kubernetes_sentence;
use microsoft::microsoft_sentence;
use okta::okta_sentence;
use salesforce::salesforce_sentence;
pub use values::describe_value;
use values::*;
use who::*;

/// The sentence for one event (or stub).
pub fn sentence(event: &Value) -> String {
    plain_text(&compose(event))
}

pub(super) fn compose(event: &Value) -> String {
    if event.get("omitted").and_then(Value::as_bool) == Some(true) {
        return match text(event, "omitted_reason") {
            Some(reason) => format!("An event was omitted from this export (reason: {reason})"),
            None => "An event was omitted from this export".to_owned(),
        };
    }
    if let Some(said) = aws_sentence(event) {
        return said;
    }
    if let Some(said) = microsoft_sentence(event) {
        return said;
    }
    // Most particular first: GitHub's signs are the weakest, and Okta's event types
    // are namespaced as GitHub's actions are.
    for saas_sentence in [
        kubernetes_sentence,
        okta_sentence,
        google_sentence,
        salesforce_sentence,
        gitlab_sentence,
        entra_sentence,
        github_sentence,
    ] {
        if let Some(said) = saas_sentence(event) {
            return said;
        }
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
pub(super) struct Deed {
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

pub(super) fn deed(
    event: &Value,
    object: &str,
    verb: &str,
    action: &str,
    target: Option<&str>,
) -> Deed {
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

#[cfg(test)]
mod saas_tests;
#[cfg(test)]
mod tests;
