//! Sources: what a path is, and how its records are read. This is the seam that every
//! format goes through on its way into a report and a case:
//!
//! ```text
//! path ─► Source::open (detect by content) ─► read_into(sink)
//!            │ AuditBundle: bundle::Bundle + verify (hash chain, manifest, signature)
//!            │ Mapped:      records (CSV / JSON Lines / JSON array) + mapping
//!            │ CloudTrail:  digest chain + log files (cloudtrail::verify), records
//!            ▼
//!   SeenLine per record (raw bytes, location, normalized event fields) ─► LineSink
//!   Report  (one shape for every source: verdict, five dimensions, located findings)
//! ```
//!
//! A source reads its records byte-exact with where they lie, normalizes each into the
//! one event model (our field names, see `mapping`), and runs its own integrity check
//! if the format carries one. Adding a format means one module here (plus its verifier
//! if it has integrity) and one arm in `Source`; nothing downstream reads a source's
//! own field names. This module never touches the case.

pub mod cloudtrail;
pub mod folder;
pub mod mapped;
pub mod mapping;
pub mod preview;
pub mod records;
pub mod saas;
pub mod unverifiable;

use std::path::Path;

pub use mapping::{FieldSource, Mapping, MappingError, RecordFormat};
pub use preview::{MappingDraft, Preview, PreviewEvent, preview, preview_events};

use crate::bundle::{Bundle, Limits};
use crate::verify::{LineSink, Report, VerifyOptions, verify_into};
use crate::{Error, Result};

/// The kinds of source Trailscope reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Our own hash-chained bundle (spec `audit-bundle-v1`).
    AuditBundle,
    /// Any CSV or JSON file, read through a mapping; it carries no integrity.
    Mapped,
    /// An AWS CloudTrail evidence folder: log files, signed digest files, keys.
    CloudTrail,
    /// Exports of systems with no integrity of their own (`saas`).
    Microsoft365,
    EntraId,
    Okta,
    Kubernetes,
    GitHub,
    GitLab,
    GoogleWorkspace,
    Salesforce,
}

impl SourceKind {
    pub const ALL: [SourceKind; 11] = [
        SourceKind::AuditBundle,
        SourceKind::Mapped,
        SourceKind::CloudTrail,
        SourceKind::Microsoft365,
        SourceKind::EntraId,
        SourceKind::Okta,
        SourceKind::Kubernetes,
        SourceKind::GitHub,
        SourceKind::GitLab,
        SourceKind::GoogleWorkspace,
        SourceKind::Salesforce,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::AuditBundle => "audit-bundle",
            SourceKind::Mapped => "mapped",
            SourceKind::CloudTrail => "cloudtrail",
            SourceKind::Microsoft365 => "microsoft-365",
            SourceKind::EntraId => "entra-id",
            SourceKind::Okta => "okta",
            SourceKind::Kubernetes => "kubernetes",
            SourceKind::GitHub => "github",
            SourceKind::GitLab => "gitlab",
            SourceKind::GoogleWorkspace => "google-workspace",
            SourceKind::Salesforce => "salesforce",
        }
    }

    /// Its name for people: "Microsoft 365 audit log".
    pub fn title(self) -> &'static str {
        match self {
            SourceKind::AuditBundle => "audit bundle",
            SourceKind::Mapped => "file read through a mapping",
            SourceKind::CloudTrail => "AWS CloudTrail",
            SourceKind::Microsoft365 => "Microsoft 365 audit log",
            SourceKind::EntraId => "Entra ID audit log",
            SourceKind::Okta => "Okta System Log",
            SourceKind::Kubernetes => "Kubernetes audit log",
            SourceKind::GitHub => "GitHub audit log",
            SourceKind::GitLab => "GitLab audit events",
            SourceKind::GoogleWorkspace => "Google Workspace activity",
            SourceKind::Salesforce => "Salesforce audit export",
        }
    }

    pub fn from_name(name: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether the format carries anything that can prove integrity.
    pub fn has_integrity(self) -> bool {
        matches!(self, SourceKind::AuditBundle | SourceKind::CloudTrail)
    }

    /// How this source vouches for one stored record, in words, for a source whose
    /// records carry no hash of their own: (proven or not, if known; what vouches for
    /// its content; what places it). `None` for our bundle, whose events are rechecked
    /// one by one (hash and link).
    pub fn record_vouch(self, checks_ok: bool) -> Option<RecordVouch> {
        match self {
            SourceKind::AuditBundle => None,
            SourceKind::CloudTrail if checks_ok => Some(RecordVouch {
                content: (
                    Some(true),
                    "Its log file's SHA-256 matches the hash a signed digest file records for it.",
                ),
                place: (
                    Some(true),
                    "That digest file's signature holds and it links to the digest before it (see the verification panel for the chain).",
                ),
            }),
            SourceKind::CloudTrail => Some(RecordVouch {
                content: (
                    None,
                    "No verified digest file vouches for its log file: it differs from its digest, no digest lists it, or the digest's signature could not be checked (see the findings).",
                ),
                place: (
                    None,
                    "Its place in the trail is not proven (see the verification panel).",
                ),
            }),
            // Sources with no integrity of their own.
            _ => Some(RecordVouch {
                content: (
                    None,
                    "This source carries no hash: there is nothing to recompute.",
                ),
                place: (
                    None,
                    "This source carries no chain: there is no link to check.",
                ),
            }),
        }
    }
}

/// See [`SourceKind::record_vouch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordVouch {
    pub content: (Option<bool>, &'static str),
    pub place: (Option<bool>, &'static str),
}

/// An opened source, ready to be read once.
pub enum Source<'m> {
    AuditBundle(Box<Bundle>),
    Mapped {
        path: std::path::PathBuf,
        mapping: &'m Mapping,
        limits: Limits,
    },
    CloudTrail {
        root: std::path::PathBuf,
    },
    /// `aws cloudtrail lookup-events` output (no integrity).
    CloudTrailLookup {
        path: std::path::PathBuf,
        shape: cloudtrail::lookup::Shape,
        limits: Limits,
    },
    /// A CloudTrail Lake query result: its result files and signed `result_sign.json`.
    CloudTrailLake {
        query: cloudtrail::lake::LakeQuery,
        limits: Limits,
    },
    /// An export of a system with no integrity of its own (Microsoft 365, Okta, …): a
    /// file or a folder of them.
    Export {
        path: std::path::PathBuf,
        format: &'static dyn saas::Format,
        limits: Limits,
    },
}

impl<'m> Source<'m> {
    /// Opens `path`: through `mapping` when one is given, else as an audit bundle
    /// (refused with `Error::UnknownFormat` when its content is not one).
    pub fn open(path: &Path, mapping: Option<&'m Mapping>, limits: Limits) -> Result<Self> {
        match mapping {
            Some(mapping) => {
                let metadata = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
                if metadata.is_dir() {
                    return Err(Error::Mapping {
                        path: path.to_owned(),
                        reason: "a mapping reads one CSV or JSON file, and this is a folder".into(),
                    });
                }
                Ok(Source::Mapped {
                    path: path.to_owned(),
                    mapping,
                    limits,
                })
            }
            None if let Some(query) = cloudtrail::lake::sniff(path) => {
                Ok(Source::CloudTrailLake { query, limits })
            }
            None if cloudtrail::read::is_trail_folder(path) => Ok(Source::CloudTrail {
                root: path.to_owned(),
            }),
            None => match cloudtrail::lookup::sniff(path) {
                Some(shape) => Ok(Source::CloudTrailLookup {
                    path: path.to_owned(),
                    shape,
                    limits,
                }),
                None => match saas::detect(path)? {
                    Some(format) => Ok(Source::Export {
                        path: path.to_owned(),
                        format,
                        limits,
                    }),
                    None => Ok(Source::AuditBundle(Box::new(Bundle::open(path, limits)?))),
                },
            },
        }
    }

    pub fn kind(&self) -> SourceKind {
        match self {
            Source::AuditBundle(_) => SourceKind::AuditBundle,
            Source::Mapped { .. } => SourceKind::Mapped,
            Source::CloudTrail { .. }
            | Source::CloudTrailLookup { .. }
            | Source::CloudTrailLake { .. } => SourceKind::CloudTrail,
            Source::Export { format, .. } => format.kind(),
        }
    }

    /// The size of what will be read, for progress (unknown for some ZIP bundles).
    pub fn bytes_total(&self) -> Option<u64> {
        match self {
            Source::AuditBundle(bundle) => bundle.events_size(),
            Source::Mapped { path, .. } => std::fs::metadata(path).ok().map(|m| m.len()),
            Source::CloudTrail { root } => cloudtrail::read::log_bytes_total(root),
            Source::CloudTrailLookup { path, .. } => std::fs::metadata(path).ok().map(|m| m.len()),
            Source::CloudTrailLake { query, .. } => cloudtrail::lake::bytes_total(query),
            Source::Export { path, .. } => saas::read::bytes_total(path),
        }
    }

    /// The files (named as `receipt::received_files` lists them) whose every byte as
    /// stored is read, and hashed, by `read_into`: their digests in the report are the
    /// received files' own, so a receipt need not read them again. Only our bundle's
    /// plain files are; every other source's digests are of what it decompressed or
    /// parsed, and its files are hashed apart.
    pub fn files_hashed_as_read(&self) -> Vec<String> {
        use crate::bundle::Container;
        match self {
            Source::AuditBundle(bundle)
                if matches!(bundle.container(), Container::Directory | Container::Jsonl) =>
            {
                let names = bundle.event_file_names();
                names.into_iter().filter(|n| bundle.is_inside(n)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Reads every record, handing each to `sink`, and returns the source's report.
    pub fn read_into(
        &mut self,
        options: &VerifyOptions,
        sink: &mut dyn LineSink,
    ) -> Result<Report> {
        match self {
            Source::AuditBundle(bundle) => verify_into(bundle, options, sink),
            Source::Mapped {
                path,
                mapping,
                limits,
            } => mapped::read_mapped(path, mapping, *limits, sink),
            Source::CloudTrail { root } => cloudtrail::read::read_trail(root, options, sink),
            Source::CloudTrailLookup {
                path,
                shape,
                limits,
            } => cloudtrail::lookup::read_lookup(path, *shape, *limits, sink),
            Source::CloudTrailLake { query, limits } => {
                cloudtrail::lake::read_lake(query, options, *limits, sink)
            }
            Source::Export {
                path,
                format,
                limits,
            } => saas::read::read_export(path, *format, *limits, sink),
        }
    }
}

/// A record that could not be read, kept as it arrived: handed to `sink` as malformed
/// at its place (file, line or record number, byte offset), and its `malformed_record`
/// finding (saying `detail`) returned for the report. One way for every source.
pub(crate) fn keep_malformed(
    sink: &mut dyn LineSink,
    file: &str,
    line: u64,
    offset: u64,
    raw: &[u8],
    reason: String,
    detail: String,
) -> Result<crate::verify::Finding> {
    let finding = crate::verify::Finding::new(crate::verify::FindingKind::MalformedRecord)
        .at(file, line, offset)
        .detail(detail);
    let span = crate::bundle::LineSpan {
        line_no: line,
        offset,
        start: 0,
        end: raw.len(),
        too_long: None,
    };
    sink.line(crate::verify::SeenLine {
        file,
        span: &span,
        raw,
        check: &crate::verify::LineCheck::Malformed {
            reason,
            chain: None,
            seq: None,
            link: None,
        },
        fields: None,
        normalized: None,
        n_breaking_findings: 0,
        n_findings: 1,
    })?;
    Ok(finding)
}

/// Opens and reads a source without keeping its records: verification alone.
pub fn verify_source(
    path: &Path,
    mapping: Option<&Mapping>,
    options: &VerifyOptions,
) -> Result<Report> {
    Source::open(path, mapping, options.limits)?.read_into(options, &mut crate::verify::NoSink)
}

/// Reads a mapping file.
pub fn load_mapping(path: &Path) -> Result<Mapping> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    Mapping::parse(&text).map_err(|e| Error::Mapping {
        path: path.to_owned(),
        reason: e.0,
    })
}
