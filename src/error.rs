//! The engine's typed errors. An `Err` means "could not read or write at all";
//! a damaged chain is never an error — it is a finding in a verification report.

use std::path::PathBuf;

/// What went wrong when the engine could not do its job at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The path is no export Trailscope can read: `found` says what it is instead.
    #[error(
        "{path} is not a format Trailscope knows: it is {found}. Trailscope looked for an audit bundle (a ZIP archive or folder holding manifest.json or events.jsonl, or a JSON Lines file of hash-chained events), AWS CloudTrail evidence (a folder or ZIP archive of a trail's log and digest files, a CloudTrail Lake query result, or Event history), or one of these exports (a file, or a folder or ZIP archive of them): {exports}{hint}",
        exports = export_titles()
    )]
    UnknownFormat {
        path: PathBuf,
        found: String,
        /// What would open it, if anything (e.g. a mapping for a CSV file).
        hint: String,
    },
    #[error("refused {path}: {reason}")]
    Refused { path: PathBuf, reason: String },
    #[error("invalid trusted-keys file {path}, line {line}: {reason}")]
    TrustedKeys {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    #[error("invalid checkpoints file {path}, line {line}: {reason}")]
    Checkpoints {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    #[error("invalid key file {path}: {reason}")]
    KeyFile { path: PathBuf, reason: String },
    #[error("{0}")]
    Invalid(String),
    /// A mapping that cannot be used, or a file that does not fit it (the first record
    /// and field that fail, and why).
    #[error("{path}: {reason}")]
    Mapping { path: PathBuf, reason: String },
    /// A case was to be read where there is none.
    #[error("no case at {path} (import a bundle with --case to make one)")]
    NoCase { path: PathBuf },
    /// The input holds no events at all: nothing to verify or import.
    #[error("{path} holds no events; there is nothing to verify or import")]
    NoEvents { path: PathBuf },
    /// The user stopped the operation; nothing was changed.
    #[error("cancelled; nothing was changed")]
    Cancelled,
    #[error("case database: {}", describe_case_error(.0))]
    Case(#[from] rusqlite::Error),
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The exports Trailscope reads, by name ("Microsoft 365 audit log, Entra ID audit log,
/// … or Google Workspace activity"), from the one list of formats (`saas::FORMATS`), so
/// a format added there is named here too.
fn export_titles() -> String {
    let titles: Vec<&str> = crate::source::saas::FORMATS
        .iter()
        .map(|format| format.kind().title())
        .collect();
    match titles.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// SQLite's words, made plain where a reviewer can act on them: a write that failed
/// for want of space (a full disk, or a file-size limit) is said to be that, and that
/// SQLite rolled it back, so the case is as it was before.
fn describe_case_error(error: &rusqlite::Error) -> String {
    use rusqlite::ffi;
    let rusqlite::Error::SqliteFailure(failure, _) = error else {
        return error.to_string();
    };
    let why = if failure.code == rusqlite::ErrorCode::DiskFull {
        "the disk is full"
    } else if matches!(
        failure.extended_code,
        ffi::SQLITE_IOERR_WRITE | ffi::SQLITE_IOERR_FSYNC | ffi::SQLITE_IOERR_TRUNCATE
    ) {
        "writing the case file failed (a full disk, a file-size limit or a failing device)"
    } else {
        return error.to_string();
    };
    format!("{why} ({error}); the change was rolled back and the case is as it was")
}
