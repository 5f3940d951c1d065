//! SQL of the text index (`event_text`, FTS5, contentless: only the words' lists of
//! rows are kept, never the text) that `case::text_index` builds and reads.

use rusqlite::{Connection, params};

use crate::Result;

/// Adds one row's words.
pub(crate) fn insert(connection: &Connection, event_idx: i64, words: &str) -> Result<()> {
    connection
        .prepare_cached("INSERT INTO event_text (rowid, text) VALUES (?1, ?2)")?
        .execute(params![event_idx, words])?;
    Ok(())
}

/// The rows after `after` (up to `limit`), in row order: (event_idx, raw, stub).
pub(crate) fn rows_after(
    connection: &Connection,
    after: i64,
    limit: usize,
) -> Result<Vec<(i64, Vec<u8>, bool)>> {
    let rows = connection
        .prepare_cached("SELECT event_idx, trailscope_raw(raw, raw_codec), omitted FROM event WHERE event_idx > ?1 ORDER BY event_idx LIMIT ?2")?
        .query_map(params![after, limit as i64], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Calls `each(event_idx)` for the rows from `first` to `last` that match `query`.
pub(crate) fn for_each_match(
    connection: &Connection,
    query: &str,
    first: i64,
    last: i64,
    mut each: impl FnMut(i64),
) -> Result<()> {
    let mut statement = connection.prepare_cached(
        "SELECT rowid FROM event_text WHERE event_text MATCH ?1 AND rowid BETWEEN ?2 AND ?3",
    )?;
    let mut rows = statement.query(params![query, first, last])?;
    while let Some(row) = rows.next()? {
        each(row.get(0)?);
    }
    Ok(())
}

/// The first `limit` rows that match `query`, in row order.
pub(crate) fn first_matches(
    connection: &Connection,
    query: &str,
    limit: usize,
) -> Result<Vec<i64>> {
    let rows = connection
        .prepare_cached(
            "SELECT rowid FROM event_text WHERE event_text MATCH ?1 ORDER BY rowid LIMIT ?2",
        )?
        .query_map(params![query, limit as i64], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// How many rows match `query`.
pub(crate) fn count(connection: &Connection, query: &str) -> Result<u64> {
    Ok(connection
        .prepare_cached("SELECT count(*) FROM event_text WHERE event_text MATCH ?1")?
        .query_row([query], |row| row.get::<_, i64>(0))? as u64)
}
