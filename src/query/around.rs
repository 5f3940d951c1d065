//! Events around an event: the ones just before and after it in time, and the nearest
//! ones of the same actor, the same record, the same IP address and the same request —
//! each with the filter that shows all of them (one click from the detail panel).

use super::events::{Cursor, EventFilter, EventRow, Order, Page, list_events};
use crate::case::{Case, UNKNOWN_TS};
use crate::{Error, Result};

/// One way of being near: what is shared, the filter for all of it, and the nearest
/// events on each side (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbours {
    /// `time`, `actor`, `record`, `ip` or `request`.
    pub by: &'static str,
    /// What is shared, in words ("Maria Lopez", "Order #1842", "203.0.113.7").
    pub shared: String,
    /// Shows every event sharing it (for `time`: the whole case).
    pub filter: EventFilter,
    pub before: Vec<EventRow>,
    pub after: Vec<EventRow>,
}

/// The event and its neighbourhoods. A neighbourhood the event has nothing for (no
/// IP, no request id) is left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Around {
    pub event: EventRow,
    pub neighbours: Vec<Neighbours>,
}

/// Up to `n` events on each side of the event at row `event_idx`, for each way of
/// being near it.
pub fn around(case: &Case, event_idx: i64, n: usize) -> Result<Around> {
    let event = super::events::event_by_idx(case, event_idx)?
        .ok_or_else(|| Error::Invalid(format!("this case has no event {event_idx}")))?;
    let json = event.json();
    let text = |pointer: &str| {
        json.as_ref()
            .and_then(|j| j.pointer(pointer))
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let mut ways: Vec<(&'static str, String, EventFilter)> =
        vec![("time", "the whole case".to_owned(), EventFilter::default())];
    if let Some(actor) = &event.actor_id {
        ways.push((
            "actor",
            event.actor_name.clone().unwrap_or_else(|| actor.clone()),
            EventFilter {
                actors: vec![actor.clone()],
                ..Default::default()
            },
        ));
    }
    if let (Some(kind), Some(id)) = (&event.target_type, &event.target_id) {
        ways.push((
            "record",
            event
                .target_name
                .clone()
                .unwrap_or_else(|| format!("{kind} {id}")),
            EventFilter {
                target_type: Some(kind.clone()),
                target_id: Some(id.clone()),
                ..Default::default()
            },
        ));
    }
    if let Some(ip) = text("/source/ip") {
        ways.push((
            "ip",
            ip.clone(),
            EventFilter {
                ip: Some(ip),
                ..Default::default()
            },
        ));
    }
    if let Some(request) = text("/source/request_id") {
        ways.push((
            "request",
            request.clone(),
            EventFilter {
                request: Some(request),
                ..Default::default()
            },
        ));
    }
    let pivot = Cursor {
        ts: event.ts.unwrap_or(UNKNOWN_TS),
        event_idx,
    };
    let mut neighbours = Vec::new();
    for (by, shared, filter) in ways {
        let Page {
            rows: mut before, ..
        } = list_events(case, &filter, Order::NewestFirst, n, Some(pivot))?;
        before.reverse();
        let Page { rows: after, .. } =
            list_events(case, &filter, Order::OldestFirst, n, Some(pivot))?;
        neighbours.push(Neighbours {
            by,
            shared,
            filter,
            before,
            after,
        });
    }
    Ok(Around { event, neighbours })
}
