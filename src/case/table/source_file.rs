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
