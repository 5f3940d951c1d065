//! Salesforce field history and Setup Audit Trail in plain words: "Maria Lopez changed
//! Opportunity Big Deal: Stage from Prospecting to Closed Won", "Omar Sato created
//! Account Acme Corp", "Maria Lopez changed profile for user Omar Sato from Standard
//! User to System Administrator", "Dana Reyes, impersonating Omar Sato, made a setup
//! change in Manage Users: Permission set Export: assigned to user Omar Sato".
//!
//! **Which events.** Those the Salesforce normalizer made (`source::saas::salesforce`):
//! its `context.export` names the export (`field history`, `FieldHistoryArchive`,
//! `SetupAuditTrail`).
//!
//! **Field history.** The record is named by its object and name (else its id); fields
//! by their label (the standard ones whose label differs from their API name in
//! [`LABELS`], else the API name in words: `NextStep` → "Next Step", `Status__c` →
//! "Status"). A lookup's id row is left out when its named row is there (`Owner` beside
//! `OwnerId`). Fields Salesforce marks as changed without recording values (long text,
//! encrypted fields) are named as such.
//!
//! **Setup Audit Trail.** Salesforce's own `Display` is the deed when it begins with
//! what was done ("Changed …", "Logged in …"); otherwise the section it happened in
//! leads ("made a setup change in Manage Users: …").

use serde_json::Value;

use super::saas::*;
use super::*;

/// Standard fields whose label is not their API name in words.
const LABELS: &[(&str, &str)] = &[
    ("StageName", "Stage"),
    ("ForecastCategoryName", "Forecast Category"),
    ("CloseDate", "Close Date"),
    ("OwnerId", "Owner ID"),
    ("AccountId", "Account ID"),
    ("ContactId", "Contact ID"),
    ("RecordTypeId", "Record Type ID"),
    ("IsClosed", "Closed"),
    ("IsWon", "Won"),
    ("IsEscalated", "Escalated"),
    ("ExpectedRevenue", "Expected Amount"),
    ("TotalOpportunityQuantity", "Quantity"),
];

/// Standard objects whose label is not their API name in words.
const OBJECTS: &[(&str, &str)] = &[
    ("Product2", "Product"),
    ("Pricebook2", "Price Book"),
    ("record", "record"),
];

/// The exports the Salesforce normalizer names in `context.export`.
const EXPORTS: &[&str] = &["field history", "FieldHistoryArchive", "SetupAuditTrail"];

pub(super) fn salesforce_sentence(event: &Value) -> Option<String> {
    let export = event.pointer("/context/export")?.as_str()?;
    if !EXPORTS.contains(&export) {
        return None;
    }
    let who = subject(event);
    let deed = if export == "SetupAuditTrail" {
        setup_deed(event)
    } else {
        history_deed(event)?
    };
    Some(tell(event, &who, &deed, &from_ip(event), &reason_of(event)))
}

fn history_deed(event: &Value) -> Option<Deed> {
    let action = event.get("action")?.as_str()?;
    let (_, verb) = action.rsplit_once('.')?;
    let object = event
        .pointer("/target/type")
        .and_then(Value::as_str)
        .map(object_label)
        .unwrap_or_else(|| "record".to_owned());
    let record = target_label(event).unwrap_or_default();
    let what = format!("{object} {record}").trim_end().to_owned();
    if verb == "created" {
        return Some(Deed::new("created ", "create ", &what));
    }
    // A lookup's id row beside its named row says the same change again.
    let kept = |key: &str| {
        let named = key
            .strip_suffix(".Id")
            .or_else(|| key.strip_suffix("Id").filter(|n| !n.is_empty()));
        !named.is_some_and(|named| {
            ["before", "after"]
                .iter()
                .any(|side| event.pointer(&format!("/{side}/{named}")).is_some())
        })
    };
    let mut trimmed = event.clone();
    for side in ["before", "after"] {
        if let Some(fields) = trimmed.get_mut(side).and_then(Value::as_object_mut) {
            fields.retain(|key, _| kept(key));
        }
    }
    let without_values: Vec<String> = event
        .pointer("/context/changed_without_values")
        .and_then(Value::as_array)
        .map(|fields| {
            fields
                .iter()
                .filter_map(Value::as_str)
                .map(field_label)
                .collect()
        })
        .unwrap_or_default();
    let unrecorded = (!without_values.is_empty())
        .then(|| format!("{} (values not recorded)", list(&without_values)));
    let deed = match (
        changed(&trimmed, Some(&what), &field_label, &same),
        unrecorded,
    ) {
        (Some(deed), None) => deed,
        (Some(deed), Some(unrecorded)) => Deed {
            past: format!("{}; and {unrecorded}", deed.past),
            base: format!("{}; and {unrecorded}", deed.base),
        },
        (None, Some(unrecorded)) => {
            Deed::new("changed ", "change ", &format!("{what}: {unrecorded}"))
        }
        (None, None) => Deed::new("updated ", "update ", &what),
    };
    Some(deed)
}

fn setup_deed(event: &Value) -> Deed {
    let section = context_text(event, "section");
    let in_section = section
        .as_deref()
        .map(|s| format!(" in {s}"))
        .unwrap_or_default();
    match context_text(event, "display") {
        Some(display) => {
            let display = display.trim_end_matches('.').to_owned();
            let (first, rest) = display.split_once(' ').unwrap_or((&display, ""));
            let lower = first.to_lowercase();
            let is_past = lower.len() > 2 && lower.ends_with("ed") || base_form(&lower).is_some();
            if is_past {
                let past = format!("{lower} {rest}").trim_end().to_owned();
                let base = base_form(&lower)
                    .map(|b| format!("{b} {rest}").trim_end().to_owned())
                    .unwrap_or_else(|| format!("make a setup change{in_section}: {display}"));
                Deed { past, base }
            } else {
                Deed::new(
                    "made ",
                    "make ",
                    &format!("a setup change{in_section}: {display}"),
                )
            }
        }
        None => {
            let action = text(event, "action")
                .map(|a| format!(" ({a})"))
                .unwrap_or_default();
            Deed::new(
                "made ",
                "make ",
                &format!("a setup change{in_section}{action}"),
            )
        }
    }
}

/// `Opportunity` → "Opportunity", `Foo_Bar__c` → "Foo Bar", `Product2` → "Product".
fn object_label(object: &str) -> String {
    if let Some((_, label)) = OBJECTS.iter().find(|(o, _)| *o == object) {
        return (*label).to_owned();
    }
    api_words(object)
}

/// A field's label: `StageName` → "Stage", `NextStep` → "Next Step", `Status__c` →
/// "Status".
fn field_label(field: &str) -> String {
    if let Some((_, label)) = LABELS.iter().find(|(f, _)| *f == field) {
        return (*label).to_owned();
    }
    api_words(field)
}

/// An API name in words: custom suffixes off, underscores and case changes as spaces.
fn api_words(name: &str) -> String {
    let bare = name
        .strip_suffix(".Id")
        .map(|n| format!("{n} ID"))
        .unwrap_or_else(|| name.to_owned());
    let bare = bare
        .replace("__c", "")
        .replace("__r", "")
        .replace("__History", "");
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in bare.chars() {
        if c == '_' {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            if c.is_uppercase() && previous.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
            {
                out.push(' ');
            }
            out.push(c);
        }
        previous = Some(c);
    }
    let out = out.trim().to_owned();
    if out.is_empty() {
        shorten(name, TEXT_CHARS)
    } else {
        shorten(&out, TEXT_CHARS)
    }
}
