//! Filtered, paginated event lists and facet counts over a case.
//!
//! Filters become SQL built only from fixed fragments with bound parameters: no text a
//! user typed is ever spliced into a statement. Pagination is keyset (time, then row),
//! so the thousandth page costs what the first does.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Row, params_from_iter};

use crate::case::{Case, UNKNOWN_TS};
use crate::source::SourceKind;
use crate::{Error, Result, Verdict};

/// What to keep. Empty fields keep everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFilter {
    /// Any of these actor ids.
    pub actors: Vec<String>,
    /// Actor types (spec §2.2), e.g. `automation`; empty keeps every type.
    pub actor_types: Vec<String>,
    /// An action, exact (`order.updated`) or a prefix ending in `.*` (`order.*`).
    pub action: Option<String>,
    pub category: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub outcome: Option<String>,
    pub channel: Option<String>,
    pub ip: Option<String>,
    pub batch: Option<String>,
    pub rule: Option<String>,
    /// Inclusive lower and exclusive upper bounds, ms since the epoch (UTC).
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Case-insensitive substring of the event's text (names and values).
    pub text: Option<String>,
}

/// Newest first (the default) or oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    NewestFirst,
    OldestFirst,
}

/// Where a page ends: the next page starts after this (time, row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub ts: i64,
    pub event_idx: i64,
}

impl Cursor {
    /// The cursor as text for the command line (`ts.event_idx`).
    pub fn encode(&self) -> String {
        format!("{}.{}", self.ts, self.event_idx)
    }

    pub fn decode(text: &str) -> Result<Cursor> {
        let invalid = || Error::Invalid(format!("invalid cursor {text:?}"));
        let (ts, idx) = text.rsplit_once('.').ok_or_else(invalid)?;
        Ok(Cursor {
            ts: ts.parse().map_err(|_| invalid())?,
            event_idx: idx.parse().map_err(|_| invalid())?,
        })
    }
}

/// One stored line with the columns a list shows.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub event_idx: i64,
    pub bundle_idx: i64,
    pub file: String,
    pub line: i64,
    pub chain: Option<String>,
    pub seq: Option<i64>,
    pub id: Option<String>,
    /// ms since the epoch, UTC; `None` when unknown.
    pub ts: Option<i64>,
    pub action: Option<String>,
    pub category: Option<String>,
    pub actor_id: Option<String>,
    pub actor_type: Option<String>,
    pub actor_name: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
    pub outcome: Option<String>,
    pub omitted: bool,
    pub malformed: Option<String>,
    /// The event's own hash recomputes and nothing breaks at its line.
    pub checks_ok: bool,
    /// The verdict of the bundle it came from.
    pub bundle_verdict: Verdict,
    /// The line exactly as it arrived.
    pub raw: Vec<u8>,
    /// The normalized event (JSON in our field names) when the record is not one of
    /// our events (a mapped CSV or JSON source); `None` when `raw` is the event.
    pub normal: Option<Vec<u8>>,
    /// The kind of source its bundle was read as.
    pub source: SourceKind,
}

impl EventRow {
    /// Verified: its own checks hold and its bundle is verified (signed by a trusted key
    /// or matched to checkpoints).
    pub fn verified(&self) -> bool {
        self.checks_ok && self.bundle_verdict == Verdict::Verified
    }

    /// The normalized event in our field names (for sentences, details, diffs, state
    /// and exports); `None` if the record could not be read. This is the one place
    /// that knows where an event is kept: every reader goes through it, never a
    /// source's own field names.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(self.normal.as_deref().unwrap_or(&self.raw)).ok()
    }
}

pub(crate) const EVENT_COLUMNS: &str =
    "e.event_idx, e.bundle_idx, e.file, e.line, e.chain, e.seq, e.id, e.ts, e.action,
     e.category, e.actor_id, e.actor_type, e.actor_name, e.target_type, e.target_id, e.target_name,
     e.outcome, e.omitted, e.malformed, e.checks_ok, b.verdict, e.raw, e.normal, b.source";

pub(crate) fn event_row(row: &Row<'_>) -> rusqlite::Result<EventRow> {
    let ts: i64 = row.get(7)?;
    Ok(EventRow {
        event_idx: row.get(0)?,
        bundle_idx: row.get(1)?,
        file: row.get(2)?,
        line: row.get(3)?,
        chain: row.get(4)?,
        seq: row.get(5)?,
        id: row.get(6)?,
        ts: (ts != UNKNOWN_TS).then_some(ts),
        action: row.get(8)?,
        category: row.get(9)?,
        actor_id: row.get(10)?,
        actor_type: row.get(11)?,
        actor_name: row.get(12)?,
        target_type: row.get(13)?,
        target_id: row.get(14)?,
        target_name: row.get(15)?,
        outcome: row.get(16)?,
        omitted: row.get(17)?,
        malformed: row.get(18)?,
        checks_ok: row.get(19)?,
        bundle_verdict: crate::case::status::named(row, 20, Verdict::from_name)?,
        raw: row.get(21)?,
        normal: row.get(22)?,
        source: crate::case::status::named(row, 23, SourceKind::from_name)?,
    })
}

/// The WHERE clause of a filter: fixed fragments, with the values to bind.
pub(crate) fn where_clause(filter: &EventFilter) -> (String, Vec<SqlValue>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut values: Vec<SqlValue> = Vec::new();
    if !filter.actors.is_empty() {
        let mut placeholders = Vec::new();
        for actor in &filter.actors {
            values.push(SqlValue::Text(actor.clone()));
            placeholders.push(format!("?{}", values.len()));
        }
        clauses.push(format!("e.actor_id IN ({})", placeholders.join(", ")));
    }
    if !filter.actor_types.is_empty() {
        let mut placeholders = Vec::new();
        for actor_type in &filter.actor_types {
            values.push(SqlValue::Text(actor_type.clone()));
            placeholders.push(format!("?{}", values.len()));
        }
        clauses.push(format!("e.actor_type IN ({})", placeholders.join(", ")));
    }
    let mut bind = |clause: &str, value: SqlValue, clauses: &mut Vec<String>| {
        values.push(value);
        clauses.push(clause.replace('?', &format!("?{}", values.len())));
    };
    if let Some(action) = &filter.action {
        match action.strip_suffix('*') {
            // `order.*`: a range on the prefix, so an index on action could serve it.
            Some(prefix) => {
                bind(
                    "e.action >= ?",
                    SqlValue::Text(prefix.to_owned()),
                    &mut clauses,
                );
                bind(
                    "e.action < ?",
                    SqlValue::Text(format!("{prefix}\u{10FFFF}")),
                    &mut clauses,
                );
            }
            None => bind("e.action = ?", SqlValue::Text(action.clone()), &mut clauses),
        }
    }
    let exact = [
        ("e.category = ?", &filter.category),
        ("e.target_type = ?", &filter.target_type),
        ("e.target_id = ?", &filter.target_id),
        ("e.outcome = ?", &filter.outcome),
        ("e.channel = ?", &filter.channel),
        ("e.ip = ?", &filter.ip),
        ("e.batch_id = ?", &filter.batch),
        ("e.rule_id = ?", &filter.rule),
    ];
    for (clause, value) in exact {
        if let Some(value) = value {
            bind(clause, SqlValue::Text(value.clone()), &mut clauses);
        }
    }
    if let Some(since) = filter.since {
        bind("e.ts >= ?", SqlValue::Integer(since), &mut clauses);
    }
    if let Some(until) = filter.until {
        bind("e.ts < ?", SqlValue::Integer(until), &mut clauses);
    }
    if let Some(text) = &filter.text {
        bind(
            "trailscope_text_match(e.raw, ?)",
            SqlValue::Text(text.to_lowercase()),
            &mut clauses,
        );
    }
    let clause = if clauses.is_empty() {
        "1".to_owned()
    } else {
        clauses.join(" AND ")
    };
    (clause, values)
}

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
    let (mut clause, mut values) = where_clause(filter);
    let (direction, comparison) = match order {
        Order::NewestFirst => ("DESC", "<"),
        Order::OldestFirst => ("ASC", ">"),
    };
    if let Some(cursor) = after {
        values.push(SqlValue::Integer(cursor.ts));
        values.push(SqlValue::Integer(cursor.event_idx));
        clause.push_str(&format!(
            " AND (e.ts, e.event_idx) {comparison} (?{}, ?{})",
            values.len() - 1,
            values.len()
        ));
    }
    values.push(SqlValue::Integer(limit as i64));
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM event e JOIN bundle b ON b.bundle_idx = e.bundle_idx
         WHERE {clause} ORDER BY e.ts {direction}, e.event_idx {direction} LIMIT ?{}",
        values.len()
    );
    let mut statement = case.connection().prepare_cached(&sql)?;
    let rows: Vec<EventRow> = statement
        .query_map(params_from_iter(values), event_row)?
        .collect::<rusqlite::Result<_>>()?;
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
    mut each: impl FnMut(EventRow) -> Result<()>,
) -> Result<()> {
    let (clause, values) = where_clause(filter);
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM event e JOIN bundle b ON b.bundle_idx = e.bundle_idx
         WHERE {clause} ORDER BY e.ts, e.event_idx"
    );
    let mut statement = case.connection().prepare(&sql)?;
    let mut rows = statement.query(params_from_iter(values))?;
    while let Some(row) = rows.next()? {
        each(event_row(row)?)?;
    }
    Ok(())
}

/// What to count events by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetBy {
    Actor,
    Action,
    Category,
    TargetType,
    Outcome,
    Channel,
    Ip,
    Batch,
    Rule,
    Day,
}

impl FacetBy {
    pub fn parse(name: &str) -> Result<FacetBy> {
        Ok(match name {
            "actor" => FacetBy::Actor,
            "action" => FacetBy::Action,
            "category" => FacetBy::Category,
            "target" | "target_type" => FacetBy::TargetType,
            "outcome" => FacetBy::Outcome,
            "channel" => FacetBy::Channel,
            "ip" => FacetBy::Ip,
            "batch" => FacetBy::Batch,
            "rule" => FacetBy::Rule,
            "day" => FacetBy::Day,
            other => {
                return Err(Error::Invalid(format!(
                    "cannot count by {other:?}: use actor, action, category, target_type, outcome, channel, ip, batch, rule or day"
                )));
            }
        })
    }

    /// The name `parse` reads.
    pub fn name(self) -> &'static str {
        match self {
            FacetBy::Actor => "actor",
            FacetBy::Action => "action",
            FacetBy::Category => "category",
            FacetBy::TargetType => "target_type",
            FacetBy::Outcome => "outcome",
            FacetBy::Channel => "channel",
            FacetBy::Ip => "ip",
            FacetBy::Batch => "batch",
            FacetBy::Rule => "rule",
            FacetBy::Day => "day",
        }
    }

    /// The grouping expression: a fixed fragment per facet.
    fn expression(self) -> &'static str {
        match self {
            FacetBy::Actor => "e.actor_id",
            FacetBy::Action => "e.action",
            FacetBy::Category => "e.category",
            FacetBy::TargetType => "e.target_type",
            FacetBy::Outcome => "e.outcome",
            FacetBy::Channel => "e.channel",
            FacetBy::Ip => "e.ip",
            FacetBy::Batch => "e.batch_id",
            FacetBy::Rule => "e.rule_id",
            FacetBy::Day => {
                "CASE WHEN e.ts = -9223372036854775808 THEN NULL ELSE date(e.ts / 1000, 'unixepoch') END"
            }
        }
    }
}

/// One facet value and how many events have it; `label` is a readable name (actors).
#[derive(Debug, Clone, PartialEq)]
pub struct FacetCount {
    pub value: Option<String>,
    pub label: Option<String>,
    pub count: i64,
}

/// Counts the events matching `filter` by one facet, largest first (days in order).
pub fn facet_counts(case: &Case, filter: &EventFilter, by: FacetBy) -> Result<Vec<FacetCount>> {
    let (clause, values) = where_clause(filter);
    let order = if by == FacetBy::Day {
        "value"
    } else {
        "count(*) DESC, value"
    };
    let label = if by == FacetBy::Actor {
        "max(e.actor_name)"
    } else {
        "NULL"
    };
    let sql = format!(
        "SELECT {} AS value, {label}, count(*) FROM event e WHERE {clause} AND e.omitted = 0
         GROUP BY value ORDER BY {order}",
        by.expression()
    );
    let mut statement = case.connection().prepare_cached(&sql)?;
    let counts = statement
        .query_map(params_from_iter(values), |row| {
            Ok(FacetCount {
                value: row.get(0)?,
                label: row.get(1)?,
                count: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(counts)
}

/// The events with this id (normally one; two if the case holds two histories).
pub fn events_by_id(case: &Case, id: &str) -> Result<Vec<EventRow>> {
    let mut statement = case.connection().prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM event e JOIN bundle b ON b.bundle_idx = e.bundle_idx WHERE e.id = ?1 ORDER BY e.event_idx"
    ))?;
    let rows = statement
        .query_map([id], event_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The stored line with this row number, if the case has it.
pub fn event_by_idx(case: &Case, event_idx: i64) -> Result<Option<EventRow>> {
    use rusqlite::OptionalExtension;
    let mut statement = case.connection().prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM event e JOIN bundle b ON b.bundle_idx = e.bundle_idx WHERE e.event_idx = ?1"
    ))?;
    Ok(statement.query_row([event_idx], event_row).optional()?)
}
