//! The exports of systems that carry no integrity of their own — Microsoft 365, Entra
//! ID, Okta, Kubernetes, GitHub, GitLab, Google Workspace, Salesforce — read the same
//! way: a file, or a folder or ZIP archive of them, is told apart by content
//! (`Format::sniff`), its records are read byte-exact and located (`records`), and each
//! format's `Normalizer` turns them into events of the one model. Everything else is
//! shared (`read`): gzip, folders and ZIP archives (`source::folder`), records that
//! cannot be read (kept, with where and why), records with no usable time or id (kept
//! in quarantine), exact repeats (dropped and counted), repeats that differ (both
//! kept, with a finding), a file cut off part way (what is whole is kept, and where it
//! stopped is said), and the report, which is `unverifiable` with its coverage measured
//! (`source::unverifiable`).
//!
//! Adding a format is one module here with a `Format` and its `Normalizer`, listed in
//! `FORMATS`, and its `SourceKind`. See `../shared/reference/audit-sources.md` §2–§5
//! and docs/sources/.

pub mod entra;
pub mod event;
pub mod github;
pub mod gitlab;
pub mod google;
pub mod kubernetes;
pub mod okta;
pub mod purview;
pub mod read;
pub mod salesforce;

use serde_json::Value;

use super::SourceKind;
use super::records::Header;

/// One export format.
pub trait Format: Sync {
    fn kind(&self) -> SourceKind;
    /// Whether a file is of this format, from its first bytes (inflated) and first
    /// record.
    fn sniff(&self, head: &Head<'_>) -> bool;
    /// For a JSON document that is one object: the members that may hold the array of
    /// records (`value` for Microsoft Graph, `items` for Google's APIs).
    fn wrappers(&self) -> &'static [&'static str] {
        &[]
    }
    /// A fresh normalizer for one export (all its files).
    fn normalizer(&self) -> Box<dyn Normalizer>;
}

/// What is known of a file when telling its format.
pub struct Head<'a> {
    /// Its name (for a folder: its path inside it).
    pub name: &'a str,
    /// Its first bytes, inflated if it is gzip.
    pub bytes: &'a [u8],
    /// A CSV file's column names.
    pub columns: Option<&'a [String]>,
    /// The first record of a JSON file (an array's first element, the first line, or
    /// the first element of a wrapper's array).
    pub first: Option<&'a Value>,
}

impl Head<'_> {
    /// Whether the CSV header has every one of `names`.
    pub fn has_columns(&self, names: &[&str]) -> bool {
        self.columns
            .is_some_and(|columns| names.iter().all(|n| columns.iter().any(|c| c == n)))
    }

    /// Whether the first JSON record has every one of `keys` (JSON pointers or plain
    /// member names).
    pub fn has_keys(&self, keys: &[&str]) -> bool {
        self.first.is_some_and(|first| {
            keys.iter().all(|key| {
                if key.starts_with('/') {
                    first.pointer(key).is_some()
                } else {
                    first.get(key).is_some()
                }
            })
        })
    }
}

/// Turns an export's records into events. Stateful: a format may fold several records
/// into one event (Kubernetes' stages of one request, Salesforce's rows of one change)
/// or make several of one (a Google Workspace activity holding several events).
pub trait Normalizer {
    /// A file begins; `header` for a CSV file. `Err` says why the file cannot be read
    /// as this format (it is refused; no record of it is read).
    fn begin_file(&mut self, _file: &str, _header: Option<&Header>) -> Result<(), String> {
        Ok(())
    }
    /// One readable record; events made of it go to `out`. `Err` quarantines the
    /// record with that reason (kept as it arrived, with a `malformed_record` finding).
    fn push(&mut self, item: Item<'_>, out: &mut Vec<Out>) -> Result<(), String>;
    /// The export has been read: events still held go to `out`.
    fn finish(&mut self, _out: &mut Vec<Out>) {}
    /// Words for the report about what was folded, if anything ("3,120 stage lines of
    /// 1,040 requests folded into one event each").
    fn summary(&self) -> Option<String> {
        None
    }
}

/// One readable record.
pub struct Item<'a> {
    pub file: &'a str,
    /// 1-based record number in the file.
    pub number: u64,
    pub line: u64,
    pub offset: u64,
    /// Its bytes exactly as they arrived.
    pub raw: &'a [u8],
    pub value: ItemValue<'a>,
}

pub enum ItemValue<'a> {
    Json(Value),
    Row(Row<'a>),
}

/// A CSV row, read by column name.
pub struct Row<'a> {
    pub header: &'a Header,
    pub fields: Vec<&'a str>,
}

impl<'a> Row<'a> {
    /// The cell of column `name`, if the header has it.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.header
            .index
            .get(name)
            .and_then(|i| self.fields.get(*i).copied())
    }

    /// The cell of column `name`, when it is not empty.
    pub fn text(&self, name: &str) -> Option<&'a str> {
        self.get(name).map(str::trim).filter(|s| !s.is_empty())
    }
}

/// One event made by a normalizer.
pub struct Out {
    /// The normalized event (our model: `docs/event-model.md`); it must have `id` and
    /// `ts`, else it is quarantined.
    pub event: Value,
    /// The record(s) it was made of, exactly as they arrived.
    pub raw: Vec<u8>,
    pub file: String,
    pub line: u64,
    pub offset: u64,
    /// What an exact repeat must equal besides the id (default: the raw bytes). A
    /// Purview row repeats its `AuditData` in overlapping searches while the wrapper
    /// columns may differ.
    pub content: Option<Vec<u8>>,
}

impl Out {
    /// An event made of one item.
    pub fn of(item: &Item<'_>, event: Value) -> Out {
        Out {
            event,
            raw: item.raw.to_vec(),
            file: item.file.to_owned(),
            line: item.line,
            offset: item.offset,
            content: None,
        }
    }
}

/// Every format, in the order they are tried.
pub static FORMATS: &[&dyn Format] = &[
    &purview::Purview,
    &entra::Entra,
    &okta::Okta,
    &salesforce::Salesforce,
    &github::GitHub,
    &gitlab::GitLab,
    &kubernetes::Kubernetes,
    &google::GoogleWorkspace,
];

/// The format of the file `head` describes, if any.
pub fn format_of(head: &Head<'_>) -> Option<&'static dyn Format> {
    FORMATS.iter().copied().find(|format| format.sniff(head))
}

/// What `path` is an export of, by content: a file of one of the formats, or a folder
/// or ZIP archive whose files are (the first file that is one decides; files of another
/// format are skipped when it is read). `None` when it is none of them, and for a ZIP
/// archive that cannot be read as one or is one of our bundles (`manifest.json` at its
/// top): the bundle reader says what it is.
pub fn detect(path: &std::path::Path) -> crate::Result<Option<&'static dyn Format>> {
    /// Files looked at in a folder before giving up.
    const MAX_TRIED: usize = 64;
    let Ok(files) = read::Files::at(path, crate::bundle::Limits::default()) else {
        return Ok(None);
    };
    let Ok((names, _)) = files.list() else {
        return Ok(None);
    };
    if matches!(files, read::Files::Folder(_))
        && !path.is_dir()
        && names.iter().any(|name| name == "manifest.json")
    {
        return Ok(None);
    }
    for name in names.iter().take(MAX_TRIED) {
        if let Ok(file) = files.open(name)
            && let Ok(sniffed) = read::sniff(file)
            && let Some(format) = format_of(&sniffed.head(name))
        {
            return Ok(Some(format));
        }
    }
    Ok(None)
}

/// The format of a source kind, if it is one of these exports.
pub fn format_for(kind: SourceKind) -> Option<&'static dyn Format> {
    FORMATS.iter().copied().find(|format| format.kind() == kind)
}
