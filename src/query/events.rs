//! Filtered, paginated event lists and facet counts over a case.
//!
//! The filter, order, cursor, row and facet types live beside the SQL that reads them
//! (`case::table::event`, which builds a filter's WHERE clause from fixed fragments and
//! bound parameters only) and are re-exported here. Pagination is keyset (time, then
//! row), so the thousandth page costs what the first does.

use crate::Result;
use crate::case::table::event;
use crate::case::{Case, UNKNOWN_TS, columns};

pub use crate::case::table::event::{Cursor, EventFilter, EventRow, FacetBy, FacetCount, Order};

/// One page of events matching a filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<EventRow>,
    /// Where the next page starts, if there may be more.
    pub next: Option<Cursor>,
}

/// Lists events matching `filter`, `limit` at a time, after `after` if given.
pub fn list_events(
    case: &Case,
    filter: &EventFilter,
    order: Order,
    limit: usize,
    after: Option<Cursor>,
) -> Result<Page> {
    let rows = Answerer::for_filter(case, filter)?.page(order, limit, after)?;
    let next = (rows.len() == limit).then(|| {
        let last = rows.last().expect("a full page");
        Cursor {
            ts: last.ts.unwrap_or(UNKNOWN_TS),
            event_idx: last.event_idx,
        }
    });
    Ok(Page { rows, next })
}

/// Calls `each` for every event matching `filter`, oldest first (for exports).
pub fn for_each_event(
    case: &Case,
    filter: &EventFilter,
    each: impl FnMut(EventRow) -> Result<()>,
) -> Result<()> {
    event::for_each_matching(case.connection(), filter, each)
}

/// Counts the events matching `filter` by one facet, largest first (days in order).
/// Without a filter it reads the case's facet counts (`table::facet`), kept by every
/// import; with one the column index counts the matching rows' codes
/// (`case::columns`), and SQL groups them only for a filter the index cannot answer.
/// An actor's label is the name the case knows it by.
pub fn facet_counts(case: &Case, filter: &EventFilter, by: FacetBy) -> Result<Vec<FacetCount>> {
    if *filter == EventFilter::default() {
        return crate::case::table::facet::counts(case.connection(), by);
    }
    Answerer::for_filter(case, filter)?.facet(by)
}

/// The events with this id (normally one; two if the case holds two histories).
pub fn events_by_id(case: &Case, id: &str) -> Result<Vec<EventRow>> {
    event::with_id(case.connection(), id)
}

/// The stored line with this row number, if the case has it.
pub fn event_by_idx(case: &Case, event_idx: i64) -> Result<Option<EventRow>> {
    event::by_idx(case.connection(), event_idx)
}

/// How many events match `filter` (stubs aside).
pub fn count_events(case: &Case, filter: &EventFilter) -> Result<u64> {
    Answerer::for_filter(case, filter)?.count()
}

/// What answers a filter: the column index when it can (`case::columns`: the filter
/// uses only its fields, time and text, and the index is complete), else SQL over
/// `event`. The one place that chooses; both give the same answers
/// (`tests/columns.rs`).
pub(crate) struct Answerer<'a> {
    connection: &'a rusqlite::Connection,
    filter: &'a EventFilter,
    plan: Option<columns::Plan>,
}

impl<'a> Answerer<'a> {
    pub(crate) fn for_filter(case: &'a Case, filter: &'a EventFilter) -> Result<Answerer<'a>> {
        let connection = case.connection();
        Ok(Answerer {
            connection,
            filter,
            plan: columns::plan(connection, filter)?,
        })
    }

    fn page(&self, order: Order, limit: usize, after: Option<Cursor>) -> Result<Vec<EventRow>> {
        match &self.plan {
            Some(plan) => {
                let idxs = columns::page(self.connection, plan, order, limit, after)?;
                event::by_idxs(self.connection, &idxs)
            }
            None => event::page(self.connection, self.filter, order, limit, after),
        }
    }

    fn facet(&self, by: FacetBy) -> Result<Vec<FacetCount>> {
        match &self.plan {
            Some(plan) => columns::facet(self.connection, plan, by),
            None => event::facet(self.connection, self.filter, by),
        }
    }

    fn count(&self) -> Result<u64> {
        match &self.plan {
            Some(plan) => columns::count(self.connection, plan),
            None => event::count_matching(self.connection, self.filter),
        }
    }

    /// The first and last known times of the matching events, and how many have none.
    pub(crate) fn time_bounds(&self) -> Result<(Option<i64>, Option<i64>, i64)> {
        match &self.plan {
            Some(plan) => columns::time_bounds(self.connection, plan),
            None => event::time_bounds(self.connection, self.filter),
        }
    }

    /// The matching events per period of `period_ms` from `start`: (period, count).
    pub(crate) fn count_per_period(&self, start: i64, period_ms: i64) -> Result<Vec<(i64, i64)>> {
        match &self.plan {
            Some(plan) => columns::count_per_period(self.connection, plan, start, period_ms),
            None => event::count_per_period(self.connection, self.filter, start, period_ms),
        }
    }
}
