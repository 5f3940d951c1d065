//! SQL of the reviewer's record: `journal` (one line of our own bundle format per
//! action, in seq order), `journal_head` (the signed checkpoint of its last line),
//! `receipt` (the signed custody receipt of each source) and `case_info` (the case's id).

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// The case's id (made when the case got schema 7).
pub(crate) fn case_id(connection: &Connection) -> Result<String> {
    Ok(connection
        .prepare_cached("SELECT value FROM case_info WHERE key = 'case_id'")?
        .query_row([], |row| row.get(0))?)
}

/// The last line of the journal: (seq, line).
pub(crate) fn last(connection: &Connection) -> Result<Option<(i64, Vec<u8>)>> {
    Ok(connection
        .prepare_cached("SELECT seq, line FROM journal ORDER BY seq DESC LIMIT 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?)
}

pub(crate) fn append(connection: &Connection, seq: i64, line: &[u8]) -> Result<()> {
    connection
        .prepare_cached("INSERT INTO journal (seq, line) VALUES (?1, ?2)")?
        .execute(params![seq, line])?;
    Ok(())
}

/// Every line in seq order: (seq, line).
pub(crate) fn for_each(
    connection: &Connection,
    mut each: impl FnMut(i64, Vec<u8>) -> Result<()>,
) -> Result<()> {
    let mut statement = connection.prepare_cached("SELECT seq, line FROM journal ORDER BY seq")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        each(row.get(0)?, row.get(1)?)?;
    }
    Ok(())
}

/// The signed checkpoint of the journal's head, as stored.
pub(crate) fn head(connection: &Connection) -> Result<Option<Vec<u8>>> {
    Ok(connection
        .prepare_cached("SELECT line FROM journal_head WHERE one = 1")?
        .query_row([], |row| row.get(0))
        .optional()?)
}

pub(crate) fn set_head(connection: &Connection, line: &[u8]) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO journal_head (one, line) VALUES (1, ?1)
             ON CONFLICT (one) DO UPDATE SET line = excluded.line",
        )?
        .execute([line])?;
    Ok(())
}

// ---- Receipts ----

pub(crate) fn insert_receipt(connection: &Connection, bundle_idx: i64, body: &[u8]) -> Result<()> {
    connection
        .prepare_cached("INSERT INTO receipt (bundle_idx, body) VALUES (?1, ?2)")?
        .execute(params![bundle_idx, body])?;
    Ok(())
}

/// Every receipt: (source index, signed receipt JSON), in import order.
pub(crate) fn receipts(connection: &Connection) -> Result<Vec<(i64, Vec<u8>)>> {
    let mut statement =
        connection.prepare_cached("SELECT bundle_idx, body FROM receipt ORDER BY bundle_idx")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The custody receipt of one source, if it has one.
pub(crate) fn receipt_of(connection: &Connection, bundle_idx: i64) -> Result<Option<Vec<u8>>> {
    Ok(connection
        .prepare_cached("SELECT body FROM receipt WHERE bundle_idx = ?1")?
        .query_row([bundle_idx], |row| row.get(0))
        .optional()?)
}
