//! SQL of the `source_file` table: each file a bundle's rows came from (an events file,
//! a mapped CSV, each CloudTrail log file) with the range of rows it holds. An import
//! inserts a file's rows one after another, so a file's rows are a range of
//! `event_idx`: "the records of this log file" reads that range through the primary
//! key instead of scanning the event table by its (long, repeated) file names.

use rusqlite::{Connection, params};

use crate::Result;

/// One file's rows of one bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileRows {
    pub file: String,
    pub first_event_idx: i64,
    pub last_event_idx: i64,
    pub n_rows: i64,
}

/// Sets, for the rows of `file` of `bundle_idx`, whether their record is proven
/// (`checks_ok`) from whether their source vouches for the file (`vouched`): a row is
/// proven when its file is vouched for, it was readable and no finding at it breaks
/// the trail. Returns how many rows changed.
pub(crate) fn set_vouched(
    connection: &Connection,
    bundle_idx: i64,
    file: &str,
    vouched: bool,
) -> Result<usize> {
    let mut statement = connection.prepare_cached(
        "UPDATE event SET checks_ok = (?3 AND malformed IS NULL AND NOT EXISTS (
                 SELECT 1 FROM finding f WHERE f.event_idx = event.event_idx AND f.severity = 'break'))
         WHERE event_idx BETWEEN
                 (SELECT first_event_idx FROM source_file WHERE bundle_idx = ?1 AND file = ?2)
             AND (SELECT last_event_idx FROM source_file WHERE bundle_idx = ?1 AND file = ?2)
           AND bundle_idx = ?1
           AND checks_ok IS NOT (?3 AND malformed IS NULL AND NOT EXISTS (
                 SELECT 1 FROM finding f WHERE f.event_idx = event.event_idx AND f.severity = 'break'))",
    )?;
    Ok(statement.execute(params![bundle_idx, file, vouched])?)
}

pub(crate) fn insert(connection: &Connection, bundle_idx: i64, rows: &FileRows) -> Result<()> {
    let mut statement = connection.prepare_cached(
        "INSERT INTO source_file (bundle_idx, file, first_event_idx, last_event_idx, n_rows)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (bundle_idx, file) DO UPDATE SET
             first_event_idx = min(first_event_idx, excluded.first_event_idx),
             last_event_idx = max(last_event_idx, excluded.last_event_idx),
             n_rows = n_rows + excluded.n_rows",
    )?;
    statement.execute(params![
        bundle_idx,
        rows.file,
        rows.first_event_idx,
        rows.last_event_idx,
        rows.n_rows
    ])?;
    Ok(())
}

/// The files of one bundle with the rows each holds, in the order they were read.
pub(crate) fn of_bundle(connection: &Connection, bundle_idx: i64) -> Result<Vec<FileRows>> {
    let mut statement = connection.prepare_cached(
        "SELECT file, first_event_idx, last_event_idx, n_rows FROM source_file
         WHERE bundle_idx = ?1 ORDER BY first_event_idx",
    )?;
    let files = statement
        .query_map([bundle_idx], |row| {
            Ok(FileRows {
                file: row.get(0)?,
                first_event_idx: row.get(1)?,
                last_event_idx: row.get(2)?,
                n_rows: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(files)
}

/// Records the SHA-256 (hex) a source's file was read with.
pub(crate) fn set_sha256(
    connection: &Connection,
    bundle_idx: i64,
    file: &str,
    sha256: &str,
) -> Result<()> {
    connection
        .prepare_cached("UPDATE source_file SET sha256 = ?3 WHERE bundle_idx = ?1 AND file = ?2")?
        .execute(params![bundle_idx, file, sha256])?;
    Ok(())
}

/// Every source file's SHA-256 (hex), by (bundle, file); files read before digests
/// were kept are absent.
pub(crate) fn sha256s(
    connection: &Connection,
) -> Result<std::collections::HashMap<(i64, String), String>> {
    let mut statement = connection
        .prepare("SELECT bundle_idx, file, sha256 FROM source_file WHERE sha256 IS NOT NULL")?;
    let rows = statement.query_map([], |row| Ok(((row.get(0)?, row.get(1)?), row.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The SHA-256 (hex) one file of a source was read with, if it was kept.
pub(crate) fn sha256_of(
    connection: &Connection,
    bundle_idx: i64,
    file: &str,
) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(connection
        .prepare_cached("SELECT sha256 FROM source_file WHERE bundle_idx = ?1 AND file = ?2")?
        .query_row(params![bundle_idx, file], |row| row.get(0))
        .optional()?
        .flatten())
}
