//! A record's history: every event on one target in order, the record's state at any
//! instant (folded from the events, `state`), gaps where the export omitted events,
//! and the field diff of any one event.

use serde_json::Value;

use super::diff::{FieldChange, diff};
use super::events::EventRow;
use crate::Result;
use crate::case::Case;
use crate::case::table::event;
use crate::state::{Discrepancy, RecordState, StateFold, Step};

/// One event of a record's history.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub row: EventRow,
    /// Stubs (omitted events) in the same chain since the previous entry: events that
    /// may have touched this record and that the export left out.
    pub omitted_before: i64,
    /// Where this event's `before` disagrees with the state the earlier events left.
    pub discrepancies: Vec<Discrepancy>,
    /// The field changes this event made.
    pub changes: Vec<FieldChange>,
}

/// A record's history and its state at the chosen instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub target_type: String,
    pub target_id: String,
    /// The latest name events gave the record.
    pub target_name: Option<String>,
    pub entries: Vec<TimelineEntry>,
    /// The state at `at` (or after the last event).
    pub state: RecordState,
    pub at: Option<i64>,
}

/// The history of one record and its state at `at` (ms since the epoch, UTC), or after
/// its last event when `at` is `None`.
pub fn timeline(
    case: &Case,
    target_type: &str,
    target_id: &str,
    at: Option<i64>,
) -> Result<Timeline> {
    let connection = case.connection();
    let rows = event::of_target(connection, target_type, target_id)?;

    let mut fold = StateFold::new();
    let mut state_at: Option<RecordState> = None;
    let mut entries = Vec::with_capacity(rows.len());
    let mut previous: Option<(Option<String>, Option<i64>)> = None;
    let mut target_name = None;
    for row in rows {
        if let (Some(at), None) = (at, &state_at)
            && row.ts.is_some_and(|ts| ts > at)
        {
            state_at = Some(fold.state().clone());
        }
        let omitted_before = match (&previous, &row.chain, row.seq) {
            (Some((Some(chain), Some(previous_seq))), Some(this_chain), Some(seq))
                if chain == this_chain =>
            {
                event::stubs_between(connection, chain, *previous_seq, seq)?
            }
            _ => 0,
        };
        if omitted_before > 0 {
            fold.apply(Step::Omitted);
        }
        let event: Option<Value> = row.json();
        let (discrepancies, changes) = match &event {
            Some(event) => (
                fold.apply(Step::Event(event)),
                diff(event.get("before"), event.get("after")),
            ),
            None => (Vec::new(), Vec::new()),
        };
        previous = Some((row.chain.clone(), row.seq));
        if row.target_name.is_some() {
            target_name = row.target_name.clone();
        }
        entries.push(TimelineEntry {
            row,
            omitted_before,
            discrepancies,
            changes,
        });
    }
    let state = state_at.unwrap_or_else(|| fold.into_state());
    Ok(Timeline {
        target_type: target_type.to_owned(),
        target_id: target_id.to_owned(),
        target_name,
        entries,
        state,
        at,
    })
}

/// One event's field-level changes, found by its id.
pub fn event_diff(case: &Case, event_id: &str) -> Result<Vec<(EventRow, Vec<FieldChange>)>> {
    let rows = super::events::events_by_id(case, event_id)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let changes = row.json().map_or_else(Vec::new, |event| {
                diff(event.get("before"), event.get("after"))
            });
            (row, changes)
        })
        .collect())
}
