//! SQL of the column index (`case::columns`): `event_column` holds each column of a
//! chunk of 65,536 rows as one blob, `event_chunk` each chunk's row count and time
//! range (what a page skips by), and `derived_index` how far each index derived from
//! the rows has got (`columns`, `text`).

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// One chunk's time range (ms since the epoch; unknown times count as `i64::MIN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChunkSpan {
    pub(crate) chunk: i64,
    pub(crate) min_ts: i64,
    pub(crate) max_ts: i64,
}

/// Stores (or replaces) one column of one chunk.
pub(crate) fn put(connection: &Connection, name: &str, chunk: i64, data: &[u8]) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT OR REPLACE INTO event_column (name, chunk, data) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![name, chunk, data])?;
    Ok(())
}

/// One column of one chunk, if stored.
pub(crate) fn get(connection: &Connection, name: &str, chunk: i64) -> Result<Option<Vec<u8>>> {
    Ok(connection
        .prepare_cached("SELECT data FROM event_column WHERE name = ?1 AND chunk = ?2")?
        .query_row(params![name, chunk], |row| row.get(0))
        .optional()?)
}

/// Stores (or replaces) a chunk's row count and time range.
pub(crate) fn put_span(connection: &Connection, span: ChunkSpan, n_rows: i64) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT OR REPLACE INTO event_chunk (chunk, n_rows, min_ts, max_ts) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![span.chunk, n_rows, span.min_ts, span.max_ts])?;
    Ok(())
}

/// Every chunk's time range, by chunk.
pub(crate) fn spans(connection: &Connection) -> Result<Vec<ChunkSpan>> {
    let spans = connection
        .prepare_cached("SELECT chunk, min_ts, max_ts FROM event_chunk ORDER BY chunk")?
        .query_map([], |row| {
            Ok(ChunkSpan {
                chunk: row.get(0)?,
                min_ts: row.get(1)?,
                max_ts: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(spans)
}

/// How far a derived index has got: every row up to this `event_idx` is in it.
pub(crate) fn through(connection: &Connection, index: &str) -> Result<i64> {
    Ok(connection
        .prepare_cached("SELECT through_event_idx FROM derived_index WHERE name = ?1")?
        .query_row([index], |row| row.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Records how far a derived index has got.
pub(crate) fn set_through(connection: &Connection, index: &str, event_idx: i64) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO derived_index (name, through_event_idx) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET through_event_idx = excluded.through_event_idx",
        )?
        .execute(params![index, event_idx])?;
    Ok(())
}

/// The last row of the case (0 when it holds none).
pub(crate) fn last_event_idx(connection: &Connection) -> Result<i64> {
    Ok(connection
        .prepare_cached("SELECT coalesce(max(event_idx), 0) FROM event")?
        .query_row([], |row| row.get(0))?)
}

/// The rows after `after`, in row order, with the columns the column index keeps:
/// `each(event_idx, ts, omitted, fields)` (a case imported before the index existed).
pub(crate) fn for_each_row_after(
    connection: &Connection,
    after: i64,
    mut each: impl FnMut(i64, i64, bool, &crate::verify::EventFields) -> Result<()>,
) -> Result<()> {
    let mut statement = connection.prepare(
        "SELECT event_idx, ts, omitted, actor_id, action, category, target_type, outcome, channel,
                ip, batch_id, rule_id, actor_type, actor_name
           FROM event WHERE event_idx > ?1 ORDER BY event_idx",
    )?;
    let mut rows = statement.query([after])?;
    let mut fields = crate::verify::EventFields::default();
    while let Some(row) = rows.next()? {
        fields.actor_id = row.get(3)?;
        fields.action = row.get(4)?;
        fields.category = row.get(5)?;
        fields.target_type = row.get(6)?;
        fields.outcome = row.get(7)?;
        fields.channel = row.get(8)?;
        fields.ip = row.get(9)?;
        fields.batch_id = row.get(10)?;
        fields.rule_id = row.get(11)?;
        fields.actor_type = row.get(12)?;
        fields.actor_name = row.get(13)?;
        each(row.get(0)?, row.get(1)?, row.get(2)?, &fields)?;
    }
    Ok(())
}
