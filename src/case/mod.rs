//! The case: one SQLite file holding imported bundles, their verification reports and
//! an index of every event for investigation.
//!
//! A case is opened for writing (import, settings) or read-only (queries). SQL is
//! parameterised everywhere; no statement is assembled from user text. Every statement
//! about a table lives in `table/`, one module per table (only the migrations and this
//! module's connection setup and checks hold SQL elsewhere; `tests/tidy.rs` enforces
//! it). This module never deletes or recreates a case file it cannot read: that file
//! is evidence.

mod annotate;
pub(crate) mod columns;
mod continuity;
mod import;
pub mod journal;
mod raw;
pub mod receipt;
mod retrust;
mod reverify;
mod schema;
mod status;
pub(crate) mod table;
pub mod text_index;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

pub use annotate::{MAX_NOTE_CHARS, MAX_TAG_CHARS, SavedSearch, Subject, clean_tag};
pub use import::{ImportOutcome, ImportProgress, import_bundle, import_source};
pub use retrust::{Retrust, retrust};
pub use reverify::{Reverification, reverify};
pub use schema::CURRENT_VERSION;
pub use status::{CaseStatus, case_status, findings_of_event, stored_findings};
pub use table::annotation::{StoredAnnotation, SubjectKind};
pub use table::bundle::BundleSummary;
pub use table::bundle_chain::ChainSummary;
pub use table::finding::StoredFinding;

use crate::{Error, Result};

/// The `ts` stored for an event whose time is unknown (malformed lines): sorts first.
pub const UNKNOWN_TS: i64 = i64::MIN;

/// An open case file.
pub struct Case {
    path: PathBuf,
    connection: Connection,
    /// Who is acting: what changes the case is journaled and signed by them.
    reviewer: Option<crate::reviewer::Reviewer>,
}

impl Case {
    /// Opens a case for writing, creating it if it does not exist, and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Case> {
        let mut connection = Connection::open(path)?;
        configure(&connection)?;
        check_is_case(&connection, path)?;
        // Pages of 16 KiB for a new case (an existing one keeps its own): a row holds
        // its record (about 1 KB), and 4 KiB pages left a fifth of each page unused
        // (a case of 1,000,000 events: 1,229 MB with 4 KiB pages, 1,147 MB with 16 KiB).
        connection.pragma_update(None, "page_size", 16_384)?;
        schema::migrate(&mut connection)?;
        Ok(Case {
            path: path.to_owned(),
            connection,
            reviewer: None,
        })
    }

    /// Opens an existing case read-only (queries). Its schema must be current.
    pub fn open_read_only(path: &Path) -> Result<Case> {
        if !path.exists() {
            return Err(Error::NoCase {
                path: path.to_owned(),
            });
        }
        // An import that was killed leaves its rollback journal. Only a connection that
        // may write can roll it back, restoring the case as it was before that import.
        let mut journal = path.as_os_str().to_owned();
        journal.push("-journal");
        if std::fs::metadata(&journal).is_ok_and(|m| m.len() > 0) {
            let connection = Connection::open(path)?;
            connection.query_row("SELECT count(*) FROM sqlite_master", [], |row| {
                row.get::<_, i64>(0)
            })?;
        }
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&connection)?;
        check_is_case(&connection, path)?;
        let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version != CURRENT_VERSION {
            return Err(Error::Invalid(format!(
                "{} has case schema {version}, expected {CURRENT_VERSION}; open it for writing once to upgrade",
                path.display()
            )));
        }
        Ok(Case {
            path: path.to_owned(),
            connection,
            reviewer: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection, for the engine's own query modules.
    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    pub(crate) fn connection_mut(&mut self) -> &mut Connection {
        &mut self.connection
    }

    /// SQLite's own consistency check ("ok" when the file is sound).
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .connection
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
    }
}

fn configure(connection: &Connection) -> Result<()> {
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    crate::text_search::register_text_search(connection)?;
    raw::register(connection)?;
    // A 16 MiB page cache (and about as much per sorter thread when indexes are
    // built) keeps an import under 300 MB. Measured at 1,000,000 events: 4 KiB pages
    // and 32 MiB, 237 MB; 16 KiB pages (6.6% smaller cases) and 32 MiB, 336 MB; 16 KiB
    // and 16 MiB, 252 MB.
    connection.pragma_update(None, "cache_size", -16_384)?;
    // Index builds sort with a helper thread (CREATE INDEX after a bulk import).
    connection.pragma_update(None, "threads", 2)?;
    connection.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Refuses a file that is not a SQLite database, or is one but not a case.
fn check_is_case(connection: &Connection, path: &Path) -> Result<()> {
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut statement| statement.query_map([], |row| row.get(0))?.collect())
        .map_err(|e| Error::Invalid(format!("{} is not a Trailscope case: {e}", path.display())))?;
    if !tables.is_empty() && !tables.iter().any(|t| t == "event") {
        return Err(Error::Invalid(format!(
            "{} is a SQLite database but not a Trailscope case; it was left untouched",
            path.display()
        )));
    }
    Ok(())
}

impl Case {
    /// The field names masked on display and in exports.
    pub fn masked_fields(&self) -> Result<std::collections::BTreeSet<String>> {
        table::masked_field::names(&self.connection)
    }

    /// Adds and removes masked field names.
    pub fn set_masked_fields(&mut self, add: &[String], remove: &[String]) -> Result<()> {
        self.change_and_record(|connection| {
            let before = table::masked_field::names(connection)?;
            table::masked_field::set(connection, add, remove)?;
            let after = table::masked_field::names(connection)?;
            Ok((before != after).then(|| {
                journal::JournalEntry::new("mask.changed", "admin")
                    .context(serde_json::json!({"masked": after, "added": add, "removed": remove}))
            }))
        })?;
        Ok(())
    }

    /// Separates an account from the person its email links it to (the reviewer
    /// knows better: a shared mailbox, a reused address); `at` is RFC 3339. False when
    /// the case has no such actor or it was separated already.
    pub fn unlink_actor(&mut self, actor_id: &str, at: &str) -> Result<bool> {
        self.change_and_record(|connection| {
            Ok(table::actor::unlink(connection, actor_id, at)?.then(|| {
                journal::JournalEntry::new("actor.unlinked", "access")
                    .target("Actor", actor_id, None)
                    .context(serde_json::json!({"note": "not the same person as the accounts sharing its address"}))
            }))
        })
    }

    /// Undoes [`Case::unlink_actor`]. False when it was not separated.
    pub fn relink_actor(&mut self, actor_id: &str) -> Result<bool> {
        self.change_and_record(|connection| {
            Ok(table::actor::relink(connection, actor_id)?.then(|| {
                journal::JournalEntry::new("actor.relinked", "access")
                    .target("Actor", actor_id, None)
            }))
        })
    }
}
