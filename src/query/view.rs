//! The one facade for showing events: the worded, masked views of an event row, its
//! detail, a record's history and state at a moment, and an event's changes. The CLI
//! and the desktop shell only print or convert these, field for field; masking happens
//! here, once, so no output can show a masked field another output hides.
//!
//! **Masking** hides a field by its name wherever it is: at the top of an event, inside
//! `actor`, `target`, `source`, or nested at any depth in `before`, `after` and
//! `context` (`after.contact.email`, `after.items[0].email`). A change to a masked
//! field is still listed (that it changed is not hidden), with both values masked.

use std::collections::BTreeSet;

use serde_json::Value;

use super::detail::{EventCheck, EventSource, event_detail};
use super::diff::{FieldChange, diff};
use super::events::EventRow;
use super::sentence::sentence;
use super::timeline::{Timeline, event_diff, timeline};
use crate::Result;
use crate::case::{Case, StoredFinding};
use crate::state::Discrepancy;

/// The text that replaces a masked value.
pub const MASK: &str = "••••";

/// Replaces, at any depth, the values of object members named in `masked`.
fn mask(value: &mut Value, masked: &BTreeSet<String>) {
    if masked.is_empty() {
        return;
    }
    match value {
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if masked.contains(key) {
                    *member = Value::String(MASK.to_owned());
                } else {
                    mask(member, masked);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| mask(item, masked)),
        _ => {}
    }
}

/// The field names a case hides on display and in exports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Masking {
    names: BTreeSet<String>,
}

impl Masking {
    pub fn new(names: BTreeSet<String>) -> Masking {
        Masking { names }
    }

    /// The case's masked field names.
    pub fn of_case(case: &Case) -> Result<Masking> {
        Ok(Masking::new(case.masked_fields()?))
    }

    pub fn names(&self) -> &BTreeSet<String> {
        &self.names
    }

    pub fn is_masked(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// Nothing is masked.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The normalized event of a row, masked, or `None` if it cannot be read.
    pub fn event(&self, row: &EventRow) -> Option<Value> {
        Some(self.value(row.json()?))
    }

    /// The record as it arrived, for reading: its own text, or, when fields are
    /// masked, the masked rendering (withheld if it cannot be read to mask it).
    pub fn line_as_arrived(&self, row: &EventRow) -> String {
        if self.is_empty() {
            return String::from_utf8_lossy(&row.raw).into_owned();
        }
        match self.event(row) {
            Some(event) => event.to_string(),
            None => {
                "(withheld: fields are masked and this line cannot be read to mask them)".to_owned()
            }
        }
    }

    /// A value with every masked member hidden, at any depth.
    pub fn value(&self, mut value: Value) -> Value {
        mask(&mut value, &self.names);
        value
    }

    /// A value found under the field `name`: hidden whole if `name` is masked.
    pub fn field(&self, name: &str, value: Value) -> Value {
        if self.is_masked(name) {
            Value::String(MASK.to_owned())
        } else {
            self.value(value)
        }
    }

    /// A text column found under `name` (`actor_name` under `name`, `ip` under `ip`).
    pub fn text(&self, name: &str, value: &Option<String>) -> Option<String> {
        value.as_ref().map(|v| {
            if self.is_masked(name) {
                MASK.to_owned()
            } else {
                v.clone()
            }
        })
    }

    /// A change with its values hidden when any part of its path is a masked name, and
    /// masked names inside its values hidden.
    pub fn change(&self, change: FieldChange) -> FieldChange {
        let hidden = path_names(&change.path).any(|name| self.is_masked(name));
        let hide = |value: Option<Value>| {
            value.map(|v| {
                if hidden {
                    Value::String(MASK.to_owned())
                } else {
                    self.value(v)
                }
            })
        };
        FieldChange {
            before: hide(change.before),
            after: hide(change.after),
            ..change
        }
    }
}

/// The member names along a change path: `items[0].email` → `items`, `email`.
fn path_names(path: &str) -> impl Iterator<Item = &str> {
    path.split('.')
        .map(|part| part.split('[').next().unwrap_or(part))
        .filter(|name| !name.is_empty())
}

/// One event as a list shows it, masked.
#[derive(Debug, Clone, PartialEq)]
pub struct EventView {
    pub event_idx: i64,
    /// Milliseconds since the epoch (UTC); `None` when unknown.
    pub ts: Option<i64>,
    pub id: Option<String>,
    pub chain: Option<String>,
    pub seq: Option<i64>,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub actor_type: Option<String>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
    pub outcome: Option<String>,
    /// The event in plain words (masked fields hidden).
    pub sentence: String,
    /// Its own checks hold and its bundle is verified.
    pub verified: bool,
    pub checks_ok: bool,
    pub malformed: Option<String>,
    pub omitted: bool,
    /// The kind of source its bundle was read as.
    pub source: crate::source::SourceKind,
    /// Its changes, field by field, masked.
    pub changes: Vec<FieldChange>,
    /// What the request asked for and what came back, masked, for a source that
    /// records those instead of the record's state (never shown as before/after).
    pub requested: Option<Value>,
    pub result: Option<Value>,
}

/// The sentence of a row (masked), or what it is when it is not a readable event.
pub fn row_sentence(row: &EventRow, masking: &Masking) -> String {
    sentence_of(row, row.json().as_ref(), masking)
}

fn sentence_of(row: &EventRow, event: Option<&Value>, masking: &Masking) -> String {
    match (&row.malformed, event) {
        (Some(reason), _) => format!("Malformed line {} kept in quarantine: {reason}", row.line),
        (None, Some(event)) => sentence(&masking.value(event.clone())),
        (None, None) => "(unreadable line)".to_owned(),
    }
}

/// An event's field changes (`before` → `after`), masked.
fn changes_of(event: Option<&Value>, masking: &Masking) -> Vec<FieldChange> {
    event
        .map(|event| diff(event.get("before"), event.get("after")))
        .unwrap_or_default()
        .into_iter()
        .map(|change| masking.change(change))
        .collect()
}

/// One of an event's JSON members (`requested`, `result`), masked; absent or null: `None`.
fn member(event: Option<&Value>, name: &str, masking: &Masking) -> Option<Value> {
    let value = event?.get(name).filter(|v| !v.is_null())?;
    Some(masking.field(name, value.clone()))
}

/// One row as every list shows it.
pub fn event_view(row: &EventRow, masking: &Masking) -> EventView {
    let event = row.json();
    let event = event.as_ref();
    EventView {
        event_idx: row.event_idx,
        ts: row.ts,
        id: masking.text("id", &row.id),
        chain: row.chain.clone(),
        seq: row.seq,
        actor_id: masking.text("id", &row.actor_id),
        actor_name: masking.text("name", &row.actor_name),
        actor_type: masking.text("type", &row.actor_type),
        action: masking.text("action", &row.action),
        target_type: masking.text("type", &row.target_type),
        target_id: masking.text("id", &row.target_id),
        target_name: masking.text("name", &row.target_name),
        outcome: masking.text("outcome", &row.outcome),
        sentence: sentence_of(row, event, masking),
        verified: row.verified(),
        checks_ok: row.checks_ok,
        malformed: row.malformed.clone(),
        omitted: row.omitted,
        source: row.source,
        changes: changes_of(event, masking),
        requested: member(event, "requested", masking),
        result: member(event, "result", masking),
    }
}

/// One event as the detail panel shows it, masked.
#[derive(Debug, Clone, PartialEq)]
pub struct DetailView {
    pub event: EventView,
    /// The record as it arrived, or its masked rendering (withheld if it cannot be
    /// read to mask it).
    pub line_text: String,
    pub source: EventSource,
    pub bundle_idx: i64,
    pub file: String,
    pub line: i64,
    pub category: Option<String>,
    pub bundle_verdict: crate::Verdict,
    pub own_hash: EventCheck,
    pub link: EventCheck,
    pub findings: Vec<StoredFinding>,
}

/// The detail of one stored event, masked.
pub fn detail_view(case: &Case, event_idx: i64, masking: &Masking) -> Result<Option<DetailView>> {
    let Some(detail) = event_detail(case, event_idx)? else {
        return Ok(None);
    };
    let row = &detail.row;
    let source = detail.source;
    let hide = |name: &str, value: Option<String>| masking.text(name, &value);
    Ok(Some(DetailView {
        event: event_view(row, masking),
        line_text: masking.line_as_arrived(row),
        source: EventSource {
            ip: hide("ip", source.ip),
            user_agent: hide("user_agent", source.user_agent),
            channel: hide("channel", source.channel),
            request_id: hide("request_id", source.request_id),
            batch_id: hide("batch_id", source.batch_id),
            client_id: hide("client_id", source.client_id),
            rule: hide("rule", source.rule),
            on_behalf_of: hide("on_behalf_of", source.on_behalf_of),
            reason: hide("reason", source.reason),
        },
        bundle_idx: row.bundle_idx,
        file: row.file.clone(),
        line: row.line,
        category: masking.text("category", &row.category),
        bundle_verdict: row.bundle_verdict,
        own_hash: detail.own_hash,
        link: detail.link,
        findings: detail.findings,
    }))
}

/// One entry of a record's history, masked.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntryView {
    pub event: EventView,
    /// Stubs in the same chain since the previous entry.
    pub omitted_before: i64,
    /// Where the event's `before` disagrees with the state left by earlier events.
    pub discrepancies: Vec<Discrepancy>,
}

/// A record's history and its state at a moment, masked.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryView {
    pub target_type: String,
    pub target_id: String,
    pub target_name: Option<String>,
    pub entries: Vec<HistoryEntryView>,
    /// The record's fields at `at` (or after its last event), masked.
    pub state: serde_json::Map<String, Value>,
    pub exists: bool,
    pub uncertain: BTreeSet<String>,
    pub at: Option<i64>,
}

/// A record's history and its state at `at` (ms since the epoch), masked.
pub fn history_view(
    case: &Case,
    target_type: &str,
    target_id: &str,
    at: Option<i64>,
    masking: &Masking,
) -> Result<HistoryView> {
    let Timeline {
        target_type,
        target_id,
        target_name,
        entries,
        state,
        at,
    } = timeline(case, target_type, target_id, at)?;
    let state_fields = match masking.value(Value::Object(state.fields)) {
        Value::Object(fields) => fields,
        _ => serde_json::Map::new(),
    };
    Ok(HistoryView {
        target_type,
        target_id,
        target_name: masking.text("name", &target_name),
        entries: entries
            .into_iter()
            .map(|entry| HistoryEntryView {
                event: event_view(&entry.row, masking),
                omitted_before: entry.omitted_before,
                discrepancies: entry
                    .discrepancies
                    .into_iter()
                    .map(|d| Discrepancy {
                        expected: masking.field(&d.field, d.expected),
                        actual: masking.field(&d.field, d.actual),
                        field: d.field,
                    })
                    .collect(),
            })
            .collect(),
        state: state_fields,
        exists: state.exists,
        uncertain: state.uncertain,
        at,
    })
}

/// The events with `event_id` (more than one if bundles disagree), each with its
/// changes, masked.
pub fn diff_view(case: &Case, event_id: &str, masking: &Masking) -> Result<Vec<EventView>> {
    Ok(event_diff(case, event_id)?
        .into_iter()
        .map(|(row, _)| event_view(&row, masking))
        .collect())
}

/// Findings of one cause as one entry (`verify::group_findings`), worded.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingGroupView {
    pub kind: crate::FindingKind,
    pub severity: crate::verify::Severity,
    pub chain: Option<String>,
    /// First and last seq the group covers.
    pub seqs: Option<(u64, u64)>,
    /// The group in words (`FindingGroup::message`).
    pub message: String,
    /// Its findings, in order (the single events, one click away).
    pub members: Vec<StoredFinding>,
    /// The warnings it explains, attributed to it instead of listed apart.
    pub explained: Vec<StoredFinding>,
}

/// The case's findings grouped by cause, in the order found.
pub fn finding_groups(findings: Vec<StoredFinding>) -> Vec<FindingGroupView> {
    let groups = crate::verify::group_findings(&findings);
    groups
        .iter()
        .map(|group| FindingGroupView {
            kind: group.kind,
            severity: group.kind.severity(),
            chain: group.chain.clone(),
            seqs: group.seqs,
            message: group.message(&findings),
            members: group.members.iter().map(|&i| findings[i].clone()).collect(),
            explained: group
                .explained
                .iter()
                .map(|&i| findings[i].clone())
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::diff::ChangeKind;
    use serde_json::json;

    #[test]
    fn masking_reaches_nested_fields() {
        let masking = Masking::new(["email".to_owned(), "card_number".to_owned()].into());
        let event = json!({"actor": {"email": "a@b"}, "after": {"card_number": "4111", "items": [{"email": "c@d"}]}});
        assert_eq!(
            masking.value(event),
            json!({"actor": {"email": MASK}, "after": {"card_number": MASK, "items": [{"email": MASK}]}})
        );
    }

    #[test]
    fn a_change_to_a_nested_masked_field_is_listed_with_its_values_hidden() {
        let masking = Masking::new(["email".to_owned()].into());
        let before = json!({"contact": {"email": "a@x"}, "items": [{"email": "b@x", "qty": 1}]});
        let after = json!({"contact": {"email": "c@x"}, "items": [{"email": "d@x", "qty": 2}], "owner": {"email": "e@x"}});
        let changes: Vec<FieldChange> = diff(Some(&before), Some(&after))
            .into_iter()
            .map(|c| masking.change(c))
            .collect();
        let text = serde_json::to_string(
            &changes
                .iter()
                .map(|c| json!([c.path, c.before, c.after]))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        for address in ["a@x", "b@x", "c@x", "d@x", "e@x"] {
            assert!(!text.contains(address), "{address} in {text}");
        }
        assert!(
            changes
                .iter()
                .any(|c| c.path == "contact.email" && c.kind == ChangeKind::Changed)
        );
        assert!(
            text.contains("\"qty\"") || text.contains("items[0].qty"),
            "{text}"
        );
    }
}
