//! SQL of the `event` table: one row per line held (events, stubs and quarantined
//! lines), each with its bytes as they arrived beside the columns investigators filter
//! on; and the types a query over it speaks in (filter, order, cursor, row, facet),
//! which `query` re-exports under their public paths.
//!
//! Filters become SQL built only from fixed fragments with bound parameters: no text a
//! user typed is ever spliced into a statement. Pagination is keyset (time, then row),
//! so the thousandth page costs what the first does.

use std::collections::HashSet;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::named;
use crate::case::UNKNOWN_TS;
use crate::source::SourceKind;
use crate::verify::EventFields;
use crate::{Error, Result, Verdict};

/// What to keep. Empty fields keep everything. Saved searches keep it as JSON (only
/// the fields set), so a field added later reads back as "keep everything".
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EventFilter {
    /// Any of these actor ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<String>,
    /// Actor types (spec §2.2), e.g. `automation`; empty keeps every type.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actor_types: Vec<String>,
    /// An action, exact (`order.updated`) or a prefix ending in `.*` (`order.*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The file the records came from (a CloudTrail log file, an events file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Inclusive lower and exclusive upper bounds, ms since the epoch (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
    /// Words of the event's values, ignoring case and accents (`case::text_index`: whole
    /// words, `mar*` a prefix); before the case's text index is built, a
    /// case-insensitive substring of its text (names and values).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The request id (`source.request_id`) the events were made by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// Only events the reviewer starred.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub starred: bool,
    /// Only events the reviewer tagged with any of these tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Only events the reviewer wrote a note on.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub has_note: bool,
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

/// What to count events by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Every facet.
    pub const ALL: [FacetBy; 10] = [
        FacetBy::Actor,
        FacetBy::Action,
        FacetBy::Category,
        FacetBy::TargetType,
        FacetBy::Outcome,
        FacetBy::Channel,
        FacetBy::Ip,
        FacetBy::Batch,
        FacetBy::Rule,
        FacetBy::Day,
    ];

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

const EVENT_COLUMNS: &str =
    "e.event_idx, e.bundle_idx, e.file, e.line, e.chain, e.seq, e.id, e.ts, e.action,
     e.category, e.actor_id, e.actor_type, e.actor_name, e.target_type, e.target_id, e.target_name,
     e.outcome, e.omitted, e.malformed, e.checks_ok, b.verdict, trailscope_raw(e.raw, e.raw_codec), e.normal, b.source";

fn event_row(row: &Row<'_>) -> rusqlite::Result<EventRow> {
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
        bundle_verdict: named(row, 20, Verdict::from_name)?,
        raw: row.get(21)?,
        normal: row.get(22)?,
        source: named(row, 23, SourceKind::from_name)?,
    })
}

/// The WHERE clause of a filter: fixed fragments, with the values to bind.
fn where_clause(filter: &EventFilter) -> (String, Vec<SqlValue>) {
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
    if let Some(file) = &filter.file {
        // A file's rows are a range of event_idx (`source_file`): read through the key.
        bind(
            "e.event_idx >= (SELECT min(first_event_idx) FROM source_file WHERE file = ?)",
            SqlValue::Text(file.clone()),
            &mut clauses,
        );
        bind(
            "e.event_idx <= (SELECT max(last_event_idx) FROM source_file WHERE file = ?)",
            SqlValue::Text(file.clone()),
            &mut clauses,
        );
        bind("e.file = ?", SqlValue::Text(file.clone()), &mut clauses);
    }
    if let Some(since) = filter.since {
        bind("e.ts >= ?", SqlValue::Integer(since), &mut clauses);
    }
    if let Some(until) = filter.until {
        bind("e.ts < ?", SqlValue::Integer(until), &mut clauses);
    }
    if let Some(text) = &filter.text {
        bind(
            "trailscope_text_match(trailscope_raw(e.raw, e.raw_codec), ?)",
            SqlValue::Text(text.to_lowercase()),
            &mut clauses,
        );
    }
    if let Some(request) = &filter.request {
        // Not a column (few filter by it): read from the normalized event, so every
        // source's request id is found by our field name.
        bind(
            "CASE WHEN json_valid(CAST(coalesce(e.normal, trailscope_raw(e.raw, e.raw_codec)) AS TEXT)) \
             THEN json_extract(CAST(coalesce(e.normal, trailscope_raw(e.raw, e.raw_codec)) AS TEXT), '$.source.request_id') END = ?",
            SqlValue::Text(request.clone()),
            &mut clauses,
        );
    }
    // The reviewer's marks live in `annotation`, which points at rows (never the
    // other way round): the evidence rows are not touched by annotating.
    if filter.starred {
        clauses.push(
            "e.event_idx IN (SELECT event_idx FROM annotation WHERE subject_kind = 'event' AND starred = 1)"
                .to_owned(),
        );
    }
    if filter.has_note {
        clauses.push(
            "e.event_idx IN (SELECT event_idx FROM annotation WHERE subject_kind = 'event' AND note IS NOT NULL)"
                .to_owned(),
        );
    }
    if !filter.tags.is_empty() {
        let mut placeholders = Vec::new();
        for tag in &filter.tags {
            values.push(SqlValue::Text(tag.clone()));
            placeholders.push(format!("?{}", values.len()));
        }
        clauses.push(format!(
            "e.event_idx IN (SELECT a.event_idx FROM annotation a JOIN annotation_tag t USING (annotation_idx) \
             WHERE a.subject_kind = 'event' AND t.tag IN ({}))",
            placeholders.join(", ")
        ));
    }
    let clause = if clauses.is_empty() {
        "1".to_owned()
    } else {
        clauses.join(" AND ")
    };
    (clause, values)
}

// ---- Importing ----

/// The event table's indexes as an import into an empty case dropped them, to be built
/// again at its end.
#[derive(Debug, Default)]
pub(crate) struct DeferredIndexes {
    /// (name, the SQL that creates it).
    indexes: Vec<(String, String)>,
}

/// Whether the case holds no line at all.
pub(crate) fn is_empty(connection: &Connection) -> Result<bool> {
    Ok(
        connection.query_row("SELECT NOT EXISTS (SELECT 1 FROM event)", [], |row| {
            row.get(0)
        })?,
    )
}

/// Drops the event table's indexes so that rows go in without them, and returns them
/// for `build_deferred_indexes` (a sort each at the end instead of a million B-tree
/// inserts). Their SQL is read back from the schema, so the migrations stay the one
/// place that defines them. Partial indexes stay: they hold the rare rows (stubs,
/// quarantined lines), so keeping them costs an insert next to nothing, where building
/// one again reads the whole table (2 s at 10,000,000 events for the two).
pub(crate) fn defer_indexes(connection: &Connection) -> Result<DeferredIndexes> {
    let mut statement = connection.prepare(
        "SELECT m.name, m.sql FROM sqlite_master m JOIN pragma_index_list('event') i ON i.name = m.name
          WHERE m.type = 'index' AND m.sql IS NOT NULL AND i.partial = 0",
    )?;
    let indexes = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    for (name, _) in &indexes {
        connection.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(DeferredIndexes { indexes })
}

/// Builds the indexes `defer_indexes` dropped.
pub(crate) fn build_deferred_indexes(
    connection: &Connection,
    deferred: &DeferredIndexes,
) -> Result<()> {
    for (_, sql) in &deferred.indexes {
        connection.execute_batch(sql)?;
    }
    Ok(())
}

/// The chains the case holds lines of.
pub(crate) fn chains(connection: &Connection) -> Result<HashSet<String>> {
    let mut statement =
        connection.prepare("SELECT DISTINCT chain FROM event WHERE chain IS NOT NULL")?;
    let chains = statement
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(chains)
}

/// The hashes of the lines held at (chain, seq): none, one, or more after an equivocation.
pub(crate) fn hashes_at(connection: &Connection, chain: &str, seq: u64) -> Result<Vec<Vec<u8>>> {
    let mut statement =
        connection.prepare_cached("SELECT hash FROM event WHERE chain = ?1 AND seq = ?2")?;
    let held = statement
        .query_map(params![chain, seq as i64], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(held)
}

/// One line to store, as an import hands it over.
pub(crate) struct NewEvent<'a> {
    pub(crate) bundle_idx: i64,
    pub(crate) file: &'a str,
    pub(crate) line: u64,
    pub(crate) chain: Option<&'a str>,
    pub(crate) seq: Option<u64>,
    /// ms since the epoch, UTC; `UNKNOWN_TS` when unknown.
    pub(crate) ts: i64,
    pub(crate) fields: &'a EventFields,
    /// A stub (spec §4).
    pub(crate) omitted: bool,
    /// Why the line is quarantined, if it is.
    pub(crate) malformed: Option<&'a str>,
    /// The declared hash.
    pub(crate) hash: Option<&'a [u8]>,
    pub(crate) checks_ok: bool,
    /// The record as stored, and how (`case::raw`).
    pub(crate) raw: &'a [u8],
    pub(crate) raw_codec: Option<i64>,
    pub(crate) normal: Option<&'a [u8]>,
}

/// Stores an import's lines one after another through one prepared statement.
pub(crate) struct Inserter<'c> {
    connection: &'c Connection,
    statement: rusqlite::Statement<'c>,
}

impl<'c> Inserter<'c> {
    pub(crate) fn new(connection: &'c Connection) -> Result<Inserter<'c>> {
        let statement = connection.prepare(
            "INSERT INTO event (bundle_idx, file, line, chain, seq, id, ts, action, category,
                                actor_id, actor_type, actor_name, on_behalf_of, target_type, target_id,
                                target_name, outcome, channel, ip, batch_id, client_id, rule_id,
                                omitted, malformed, hash, checks_ok, raw, raw_codec, normal)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                     ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
        )?;
        Ok(Inserter {
            connection,
            statement,
        })
    }

    /// Stores one row; returns its `event_idx`.
    pub(crate) fn insert(&mut self, event: &NewEvent<'_>) -> Result<i64> {
        let fields = event.fields;
        self.statement.execute(params![
            event.bundle_idx,
            event.file,
            event.line as i64,
            event.chain,
            event.seq.map(|s| s as i64),
            fields.id,
            event.ts,
            fields.action,
            fields.category,
            fields.actor_id,
            fields.actor_type,
            fields.actor_name,
            fields.on_behalf_of_id,
            fields.target_type,
            fields.target_id,
            fields.target_name,
            fields.outcome,
            fields.channel,
            fields.ip,
            fields.batch_id,
            fields.client_id,
            fields.rule_id,
            event.omitted,
            event.malformed,
            event.hash,
            event.checks_ok,
            event.raw,
            event.raw_codec,
            event.normal,
        ])?;
        Ok(self.connection.last_insert_rowid())
    }
}

/// Calls `each` with the stored line of every event on one record that other bundles
/// than `bundle_idx` brought, in time order (the state they leave the record in).
pub(crate) fn for_each_raw_of_target_except(
    connection: &Connection,
    target_type: &str,
    target_id: &str,
    bundle_idx: i64,
    mut each: impl FnMut(&[u8]),
) -> Result<()> {
    let mut statement = connection.prepare_cached(
        "SELECT trailscope_raw(raw, raw_codec) FROM event WHERE target_type = ?1 AND target_id = ?2 AND bundle_idx != ?3
             ORDER BY ts, chain, seq",
    )?;
    let mut rows = statement.query(params![target_type, target_id, bundle_idx])?;
    while let Some(row) = rows.next()? {
        let raw: Vec<u8> = row.get(0)?;
        each(&raw);
    }
    Ok(())
}

// ---- Status ----

/// How many rows the case holds, and of what kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowCounts {
    pub(crate) rows: i64,
    /// Stubs.
    pub(crate) omitted: i64,
    /// Quarantined lines.
    pub(crate) malformed: i64,
    /// Rows that are both.
    pub(crate) omitted_and_malformed: i64,
}

/// Counts the rows. Each count reads an index (stubs and quarantined lines have partial
/// ones), never the rows themselves: opening a million-event case must not scan it.
pub(crate) fn counts(connection: &Connection) -> Result<RowCounts> {
    let count = |sql: &str| -> Result<i64> { Ok(connection.query_row(sql, [], |row| row.get(0))?) };
    Ok(RowCounts {
        rows: count("SELECT count(*) FROM event")?,
        omitted: count("SELECT count(*) FROM event WHERE omitted = 1")?,
        malformed: count("SELECT count(*) FROM event WHERE malformed IS NOT NULL")?,
        // Rows both: few (stubs are), each checked through the stubs' index.
        omitted_and_malformed: count(
            "SELECT count(*) FROM event WHERE omitted = 1 AND malformed IS NOT NULL",
        )?,
    })
}

/// The earliest and latest known event times (ms since the epoch, UTC).
/// Two reads of one end of `event_by_time` each: `min(ts), max(ts)` together with
/// `ts != ?` read every entry (0.6 s at 10,000,000 events, on every opening of a case).
pub(crate) fn time_span(connection: &Connection) -> Result<(Option<i64>, Option<i64>)> {
    let end = |sql: &str| -> Result<Option<i64>> {
        Ok(connection
            .prepare_cached(sql)?
            .query_row(params![UNKNOWN_TS], |row| row.get(0))?)
    };
    Ok((
        end("SELECT min(ts) FROM event WHERE ts > ?1")?,
        end("SELECT max(ts) FROM event WHERE ts > ?1")?,
    ))
}

// ---- Re-verification and re-trust ----

/// A stored line with everything re-verification compares: its bytes, its position
/// and hash columns, and its indexed columns as event fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredLine {
    pub(crate) event_idx: i64,
    pub(crate) file: String,
    pub(crate) line: i64,
    pub(crate) chain: Option<String>,
    pub(crate) seq: Option<i64>,
    pub(crate) hash: Option<Vec<u8>>,
    /// `None` when its stored form does not decompress (`case::raw`).
    pub(crate) raw: Option<Vec<u8>>,
    pub(crate) malformed: Option<String>,
    /// The indexed columns (`state_change` is not stored: always `None`).
    pub(crate) columns: EventFields,
    pub(crate) omitted: bool,
    pub(crate) normal: Option<Vec<u8>>,
    /// The bundle it came from (whose format version says how to recompute its hash).
    pub(crate) bundle_idx: i64,
}

/// Calls `each` with every stored line in (chain, seq) order, then by row.
pub(crate) fn for_each_in_chain_order(
    connection: &Connection,
    mut each: impl FnMut(StoredLine) -> Result<()>,
) -> Result<()> {
    let mut statement = connection.prepare(
        "SELECT event_idx, file, line, chain, seq, hash, trailscope_raw_or_null(raw, raw_codec), malformed, id, ts, action, category, actor_id,
                actor_type, actor_name, on_behalf_of, target_type, target_id, target_name, outcome, channel, ip,
                batch_id, client_id, rule_id, omitted, normal, bundle_idx
         FROM event ORDER BY chain, seq, event_idx",
    )?;
    let mut rows = statement.query(params![])?;
    while let Some(row) = rows.next()? {
        each(StoredLine {
            event_idx: row.get(0)?,
            file: row.get(1)?,
            line: row.get(2)?,
            chain: row.get(3)?,
            seq: row.get(4)?,
            hash: row.get(5)?,
            raw: row.get(6)?,
            malformed: row.get(7)?,
            columns: columns_of(row)?,
            omitted: row.get(25)?,
            normal: row.get(26)?,
            bundle_idx: row.get(27)?,
        })?;
    }
    Ok(())
}

/// The indexed columns of a row of the query above, as event fields.
fn columns_of(row: &Row<'_>) -> rusqlite::Result<EventFields> {
    let ts: i64 = row.get(9)?;
    Ok(EventFields {
        id: row.get(8)?,
        ts_millis: (ts != UNKNOWN_TS).then_some(ts),
        action: row.get(10)?,
        category: row.get(11)?,
        actor_id: row.get(12)?,
        actor_type: row.get(13)?,
        actor_name: row.get(14)?,
        // Not a column (the actor table keeps each actor's address), so not compared.
        actor_email: None,
        on_behalf_of_id: row.get(15)?,
        target_type: row.get(16)?,
        target_id: row.get(17)?,
        target_name: row.get(18)?,
        outcome: row.get(19)?,
        channel: row.get(20)?,
        ip: row.get(21)?,
        batch_id: row.get(22)?,
        client_id: row.get(23)?,
        rule_id: row.get(24)?,
        state_change: None,
    })
}

/// The row of the line at `file`:`line` of one bundle, which holds (chain, seq); found
/// through (chain, seq), which is indexed.
pub(crate) fn at_line(
    connection: &Connection,
    bundle_idx: i64,
    file: &str,
    line: u64,
    chain: &str,
    seq: u64,
) -> Result<Option<i64>> {
    Ok(connection
        .query_row(
            "SELECT event_idx FROM event
                         WHERE chain = ?1 AND seq = ?2 AND bundle_idx = ?3 AND file = ?4 AND line = ?5",
            params![chain, seq as i64, bundle_idx, file, line as i64],
            |row| row.get(0),
        )
        .optional()?)
}

/// The row of `bundle_idx` read from `line` of `file`, found without an index on lines:
/// a file's rows are a range of `event_idx` (`source_file`) in line order, so a binary
/// search over that range reads about log2(rows) rows.
pub(crate) fn idx_at_line(
    connection: &Connection,
    bundle_idx: i64,
    file: &str,
    line: u64,
) -> Result<Option<i64>> {
    let range: Option<(i64, i64)> = connection
        .query_row(
            "SELECT first_event_idx, last_event_idx FROM source_file WHERE bundle_idx = ?1 AND file = ?2",
            params![bundle_idx, file],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((mut low, mut high)) = range else {
        return Ok(None);
    };
    let mut line_of = connection.prepare_cached("SELECT line FROM event WHERE event_idx = ?1")?;
    let line = line as i64;
    while low <= high {
        let middle = low + (high - low) / 2;
        let at: i64 = line_of.query_row([middle], |row| row.get(0))?;
        match at.cmp(&line) {
            std::cmp::Ordering::Equal => return Ok(Some(middle)),
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle - 1,
        }
    }
    Ok(None)
}

/// Works out again whether anything breaks at a row's line, as the import decides it:
/// a readable line (its own hash holding, else it has a `hash_mismatch` finding) at
/// which no finding breaks.
pub(crate) fn recheck_ok(connection: &Connection, event_idx: i64) -> Result<()> {
    connection.execute(
        "UPDATE event SET checks_ok = (malformed IS NULL AND NOT EXISTS (
                     SELECT 1 FROM finding f WHERE f.event_idx = event.event_idx AND f.severity = 'break'))
                 WHERE event_idx = ?1",
        [event_idx],
    )?;
    Ok(())
}

/// The rows one source added, in row order: a range of the primary key (its files'
/// ranges), of that source.
const SOURCE_ROWS: &str = "WHERE event_idx BETWEEN
        coalesce((SELECT min(first_event_idx) FROM source_file WHERE bundle_idx = ?1), 0)
    AND coalesce((SELECT max(last_event_idx) FROM source_file WHERE bundle_idx = ?1), -1)
  AND bundle_idx = ?1
ORDER BY event_idx";

/// The rows one source added, in row order: `each(event_idx, file, line, raw,
/// normal)`. What a custody receipt seals (`receipt::seal_rows`).
pub(crate) fn for_each_row_of_source(
    connection: &Connection,
    bundle_idx: i64,
    mut each: impl FnMut(i64, &str, i64, &[u8], Option<&[u8]>) -> Result<()>,
) -> Result<()> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT event_idx, file, line, trailscope_raw(raw, raw_codec), normal FROM event {SOURCE_ROWS}"
    ))?;
    let mut rows = statement.query([bundle_idx])?;
    while let Some(row) = rows.next()? {
        each(
            row.get(0)?,
            row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?,
            row.get(2)?,
            row.get_ref(3)?.as_blob().map_err(rusqlite::Error::from)?,
            row.get_ref(4)?
                .as_blob_or_null()
                .map_err(rusqlite::Error::from)?,
        )?;
    }
    Ok(())
}

/// The rows of `chain` from `from_seq` to `to_seq`, in seq order (several rows of one
/// seq, from different sources, by row): `each(seq, declared hash, raw)`; `raw` is
/// empty unless `with_raw` (a proof needs only the hashes, and a row's bytes are most
/// of what is read).
pub(crate) fn for_each_in_chain_range(
    connection: &Connection,
    chain: &str,
    (from_seq, to_seq): (u64, u64),
    with_raw: bool,
    mut each: impl FnMut(u64, Option<&[u8]>, &[u8]) -> Result<()>,
) -> Result<()> {
    let raw = if with_raw {
        "trailscope_raw(raw, raw_codec)"
    } else {
        "X''"
    };
    let mut statement = connection.prepare_cached(&format!(
        "SELECT seq, hash, {raw} FROM event WHERE chain = ?1 AND seq BETWEEN ?2 AND ?3
         ORDER BY seq, event_idx"
    ))?;
    let mut rows = statement.query(params![chain, from_seq as i64, to_seq as i64])?;
    while let Some(row) = rows.next()? {
        each(
            row.get::<_, i64>(0)? as u64,
            row.get_ref(1)?
                .as_blob_or_null()
                .map_err(rusqlite::Error::from)?,
            row.get_ref(2)?.as_blob().map_err(rusqlite::Error::from)?,
        )?;
    }
    Ok(())
}

/// Every row one source added, in row order, by its `event_idx` alone (an index-only
/// scan): how a row's place among them is found (`for_each_row_of_source`'s order).
pub(crate) fn for_each_idx_of_source(
    connection: &Connection,
    bundle_idx: i64,
    mut each: impl FnMut(i64),
) -> Result<()> {
    let mut statement =
        connection.prepare_cached(&format!("SELECT event_idx FROM event {SOURCE_ROWS}"))?;
    let mut rows = statement.query([bundle_idx])?;
    while let Some(row) = rows.next()? {
        each(row.get(0)?);
    }
    Ok(())
}

// ---- Queries ----

/// Up to `limit` events matching `filter` in `order`, after `after` if given: a keyset
/// page on (time, row).
pub(crate) fn page(
    connection: &Connection,
    filter: &EventFilter,
    order: Order,
    limit: usize,
    after: Option<Cursor>,
) -> Result<Vec<EventRow>> {
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
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement
        .query_map(params_from_iter(values), event_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Calls `each` for every event matching `filter`, oldest first.
pub(crate) fn for_each_matching(
    connection: &Connection,
    filter: &EventFilter,
    mut each: impl FnMut(EventRow) -> Result<()>,
) -> Result<()> {
    let (clause, values) = where_clause(filter);
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM event e JOIN bundle b ON b.bundle_idx = e.bundle_idx
         WHERE {clause} ORDER BY e.ts, e.event_idx"
    );
    let mut statement = connection.prepare(&sql)?;
    let mut rows = statement.query(params_from_iter(values))?;
    while let Some(row) = rows.next()? {
        each(event_row(row)?)?;
    }
    Ok(())
}

/// How many events match `filter` (stubs aside).
pub(crate) fn count_matching(connection: &Connection, filter: &EventFilter) -> Result<u64> {
    let (clause, values) = where_clause(filter);
    let sql = format!("SELECT count(*) FROM event e WHERE {clause} AND e.omitted = 0");
    Ok(connection
        .prepare_cached(&sql)?
        .query_row(params_from_iter(values), |row| row.get::<_, i64>(0))? as u64)
}

/// The events matching `filter` (stubs aside) counted by one facet, largest first (days
/// in order).
pub(crate) fn facet(
    connection: &Connection,
    filter: &EventFilter,
    by: FacetBy,
) -> Result<Vec<FacetCount>> {
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
    let mut statement = connection.prepare_cached(&sql)?;
    let counts = statement
        .query_map(params_from_iter(values), facet_count)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(counts)
}

/// A row of (value, label, count), as `facet` and `table::facet::counts` select it.
pub(crate) fn facet_count(row: &rusqlite::Row<'_>) -> rusqlite::Result<FacetCount> {
    Ok(FacetCount {
        value: row.get(0)?,
        label: row.get(1)?,
        count: row.get(2)?,
    })
}

/// The events with this id, by row.
pub(crate) fn with_id(connection: &Connection, id: &str) -> Result<Vec<EventRow>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM event e JOIN bundle b ON b.bundle_idx = e.bundle_idx WHERE e.id = ?1 ORDER BY e.event_idx"
    ))?;
    let rows = statement
        .query_map([id], event_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The stored lines with these row numbers, in the order given (rows the case does not
/// have are left out).
pub(crate) fn by_idxs(connection: &Connection, event_idxs: &[i64]) -> Result<Vec<EventRow>> {
    let mut rows = Vec::with_capacity(event_idxs.len());
    for event_idx in event_idxs {
        rows.extend(by_idx(connection, *event_idx)?);
    }
    Ok(rows)
}

/// The stored line with this row number, if the case has it.
pub(crate) fn by_idx(connection: &Connection, event_idx: i64) -> Result<Option<EventRow>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM event e JOIN bundle b ON b.bundle_idx = e.bundle_idx WHERE e.event_idx = ?1"
    ))?;
    Ok(statement.query_row([event_idx], event_row).optional()?)
}

/// The hash of the first row held at (chain, seq): `None` if there is no such row, and
/// `Some(None)` if it has no hash.
pub(crate) fn first_hash_at(
    connection: &Connection,
    chain: &str,
    seq: u64,
) -> Result<Option<Option<Vec<u8>>>> {
    Ok(connection
        .query_row(
            "SELECT hash FROM event WHERE chain = ?1 AND seq = ?2 ORDER BY event_idx LIMIT 1",
            params![chain, seq as i64],
            |r| r.get(0),
        )
        .optional()?)
}

/// Every event on one record, in time order (then chain position, then row).
pub(crate) fn of_target(
    connection: &Connection,
    target_type: &str,
    target_id: &str,
) -> Result<Vec<EventRow>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM event e JOIN bundle b ON b.bundle_idx = e.bundle_idx
         WHERE e.target_type = ?1 AND e.target_id = ?2 ORDER BY e.ts, e.chain, e.seq, e.event_idx"
    ))?;
    let rows = statement
        .query_map([target_type, target_id], event_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// How many stubs `chain` holds strictly between two seqs.
pub(crate) fn stubs_between(
    connection: &Connection,
    chain: &str,
    after_seq: i64,
    before_seq: i64,
) -> Result<i64> {
    let mut statement = connection.prepare_cached(
        "SELECT count(*) FROM event WHERE omitted = 1 AND chain = ?1 AND seq > ?2 AND seq < ?3",
    )?;
    Ok(statement.query_row(params![chain, after_seq, before_seq], |r| r.get(0))?)
}

/// Among the events matching `filter` (stubs aside): the earliest and latest known
/// times, and how many have no readable time.
pub(crate) fn time_bounds(
    connection: &Connection,
    filter: &EventFilter,
) -> Result<(Option<i64>, Option<i64>, i64)> {
    let (clause, values) = where_clause(filter);
    Ok(connection
        .prepare_cached(&format!(
            "SELECT min(CASE WHEN e.ts = {UNKNOWN_TS} THEN NULL ELSE e.ts END), max(e.ts),
                    count(*) FILTER (WHERE e.ts = {UNKNOWN_TS})
             FROM event e WHERE {clause} AND e.omitted = 0"
        ))?
        .query_row(params_from_iter(values.iter()), |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?)
}

/// The events matching `filter` (stubs and untimed ones aside) counted per period of
/// `period_ms` from `start`: (period number, count) for the periods that have any.
pub(crate) fn count_per_period(
    connection: &Connection,
    filter: &EventFilter,
    start: i64,
    period_ms: i64,
) -> Result<Vec<(i64, i64)>> {
    let (clause, values) = where_clause(filter);
    let sql = format!(
        "SELECT (e.ts - {start}) / {period_ms} AS period, count(*) FROM event e
         WHERE {clause} AND e.omitted = 0 AND e.ts <> {UNKNOWN_TS} GROUP BY period"
    );
    let mut statement = connection.prepare(&sql)?;
    let counts = statement
        .query_map(params_from_iter(values.iter()), |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(counts)
}
