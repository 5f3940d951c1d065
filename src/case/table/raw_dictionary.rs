//! `raw_dictionary`: the dictionaries records are compressed with (`case::raw`).

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// Stores a dictionary; returns its `dictionary_idx`.
pub(crate) fn insert(connection: &Connection, bytes: &[u8]) -> Result<i64> {
    connection
        .prepare_cached("INSERT INTO raw_dictionary (bytes) VALUES (?1)")?
        .execute(params![bytes])?;
    Ok(connection.last_insert_rowid())
}

/// The dictionary stored as `dictionary_idx`, if the case holds it.
pub(crate) fn bytes_of(connection: &Connection, dictionary_idx: i64) -> Result<Option<Vec<u8>>> {
    Ok(connection
        .prepare_cached("SELECT bytes FROM raw_dictionary WHERE dictionary_idx = ?1")?
        .query_row([dictionary_idx], |row| row.get(0))
        .optional()?)
}
