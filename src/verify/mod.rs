//! Independent verification of a bundle (spec §3–§8): recomputes every hash, checks
//! every link, the manifest, the signature against the reviewer's trusted keys, and
//! checkpoints, and returns a report listing every finding.
//!
//! Data flow: a reader thread splits the events file into batches of lines (hashing
//! the raw bytes for the manifest's file digest on the way); each batch's lines are
//! parsed, canonicalized and hashed on all cores (`event`); the results are walked in
//! file order (`chain`), which is the only sequential part. Memory is bounded by the
//! batch size, not the bundle size.
//!
//! A damaged bundle is never an `Err`: `Err` means the bundle could not be read at all.

mod chain;
mod dimensions;
mod event;
mod groups;
mod ids;
mod policy;
mod report;
mod trust;

use std::io::Read;
use std::path::Path;
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

pub use chain::GENESIS;
pub use event::{
    EventFields, KNOWN_ACTOR_TYPES, LineCheck, Link, check_line, check_line_as,
    check_line_with_fields, imprecise_numbers,
};
pub use groups::{FindingGroup, Locate, group_findings};
pub use policy::{Severity, Verdict, chain_verdict, combine};
pub use report::{
    BundleInfo, ChainReport, Dimension, DimensionStatus, Finding, FindingKind,
    MAX_FINDINGS_PER_KIND, Report, SignatureReport, SignatureStatus, group,
};
pub use trust::{
    Checkpoint, SignatureCheck, TrustedKeys, check_signature, load_checkpoints, parse_checkpoints,
};

use crate::bundle::{
    Bundle, FileDigest, FormatVersion, Limits, LineBatch, LineSpan, LineSplitter, ManifestState,
};
use crate::canonical::to_hex;
use crate::{Error, Result};
use chain::ChainWalk;
use dimensions::chain_report;

/// What the reviewer brings to a verification.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    pub trusted_keys: TrustedKeys,
    pub checkpoints: Vec<Checkpoint>,
    pub limits: Limits,
}

/// Bytes of lines handed to the worker threads at a time.
const BATCH_BYTES: usize = 1 << 20;

/// Opens and verifies a bundle (ZIP, directory or bare JSON Lines).
pub fn verify_bundle(path: &Path, options: &VerifyOptions) -> Result<Report> {
    let mut bundle = Bundle::open(path, options.limits)?;
    verify_opened(&mut bundle, options)
}

/// One line of a bundle as verification saw it, handed to a [`LineSink`] in file order.
pub struct SeenLine<'a> {
    /// The events file it is in.
    pub file: &'a str,
    pub span: &'a LineSpan,
    /// The line's bytes as they arrived (without the newline); empty for a line that
    /// was too long to read.
    pub raw: &'a [u8],
    pub check: &'a LineCheck,
    /// The indexed fields, when the sink asked for them and the line is a JSON object.
    pub fields: Option<EventFields>,
    /// The normalized event (JSON in our field names) when it differs from `raw`: for
    /// sources whose records are not our events (a mapped CSV or JSON file).
    pub normalized: Option<&'a [u8]>,
    /// Findings that break the chain located at this line (hash, link, order, malformed).
    pub n_breaking_findings: u64,
    /// Findings of any severity located at this line.
    pub n_findings: u64,
}

/// Receives every non-blank line during verification: how the case import stores each
/// event in the same single pass over the bytes.
pub trait LineSink {
    /// Whether the worker threads should read the indexed fields of each event.
    fn wants_fields(&self) -> bool {
        false
    }
    /// Bytes read so far of the current events file (for progress). An `Err` stops
    /// verification (e.g. the user cancelled an import).
    fn progress(&mut self, _bytes_read: u64) -> Result<()> {
        Ok(())
    }
    /// One line; an `Err` stops verification (e.g. the case could not be written).
    fn line(&mut self, line: SeenLine<'_>) -> Result<()>;
}

/// A sink that keeps nothing: plain verification.
pub(crate) struct NoSink;

impl LineSink for NoSink {
    fn line(&mut self, _line: SeenLine<'_>) -> Result<()> {
        Ok(())
    }
}

/// Verifies an opened bundle.
pub fn verify_opened(bundle: &mut Bundle, options: &VerifyOptions) -> Result<Report> {
    verify_into(bundle, options, &mut NoSink)
}

/// Verifies an opened bundle, handing every line to `sink` as it goes.
pub fn verify_into(
    bundle: &mut Bundle,
    options: &VerifyOptions,
    sink: &mut dyn LineSink,
) -> Result<Report> {
    let manifest = bundle.manifest().cloned();
    let mut walk = ChainWalk::new(manifest.as_ref(), &options.checkpoints);
    let mut lines = 0;
    let mut files = Vec::new();

    if let ManifestState::Unreadable(reason) = bundle.manifest_state() {
        walk.report(Finding::new(FindingKind::ManifestMismatch).detail(format!(
            "{reason}; the bundle is checked as if it had no manifest"
        )));
    }
    // The version the lines are read as: the manifest's. Without one this reviewer
    // reads, each line is read by its own shape (spec v2 §2), never silently as v1.
    let version = manifest.as_ref().and_then(|m| m.version().ok());
    if let Some(manifest) = &manifest {
        if let Err(why) = manifest.version() {
            walk.report(Finding::new(FindingKind::ManifestMismatch).detail(format!(
                "{why}; each line is checked by its own shape (version 2 where it carries body_hash)"
            )));
        }
        if manifest.files.is_empty() {
            walk.report(Finding::new(FindingKind::ManifestMismatch).detail(format!(
                "the manifest lists no events files; {} was read unpinned",
                crate::bundle::DEFAULT_EVENTS_FILE
            )));
        }
    }

    let manifest_absent = matches!(bundle.manifest_state(), ManifestState::Absent);
    let max_line_bytes = bundle.limits().max_line_bytes;
    let container = bundle.container();
    for name in bundle.event_file_names() {
        let pinned = manifest
            .as_ref()
            .and_then(|m| m.files.iter().find(|f| f.path == name))
            .cloned();
        if !bundle.is_inside(&name) {
            walk.report(
                Finding::new(FindingKind::FileDigestMismatch).detail(format!(
                    "the manifest lists {name:?}, which would lie outside the bundle; it was not read"
                )),
            );
            continue;
        }
        let Some(reader) = bundle.open_events_file(&name)? else {
            let detail = match (&manifest, manifest_absent) {
                (Some(_), _) => {
                    format!("the manifest lists {name}, but the bundle does not hold it")
                }
                (None, true) => {
                    format!("the bundle holds neither a manifest nor {name}: it has no events")
                }
                (None, false) => format!("the bundle does not hold {name}"),
            };
            walk.report(Finding::new(FindingKind::FileDigestMismatch).detail(detail));
            continue;
        };
        walk.begin_file(&name);
        let want_fields = sink.wants_fields();
        let mut bytes_seen = 0;
        let digest = stream_checks(
            reader,
            max_line_bytes,
            want_fields,
            version,
            |batch, checks| {
                for (span, (check, fields)) in batch.lines.iter().zip(checks) {
                    let (breaking_before, all_before) =
                        (walk.sink.n_breaking(), walk.sink.n_total());
                    walk.absorb(span, &check);
                    sink.line(SeenLine {
                        file: &name,
                        span,
                        raw: batch.text(span),
                        check: &check,
                        fields,
                        normalized: None,
                        n_breaking_findings: walk.sink.n_breaking() - breaking_before,
                        n_findings: walk.sink.n_total() - all_before,
                    })?;
                }
                if let Some(last) = batch.lines.last() {
                    bytes_seen = last.offset;
                    sink.progress(bytes_seen)?;
                }
                Ok(())
            },
        )
        .map_err(|e| match e {
            StreamError::Read(e) => Error::Refused {
                path: bundle.path().to_owned(),
                reason: format!("{name}: {e}"),
            },
            StreamError::Sink(e) => e,
        })?;
        lines += digest.lines;
        files.push((name.clone(), to_hex(&digest.sha256), digest.bytes));
        if let Some(pinned) = pinned {
            if pinned.sha256 != digest.sha256 {
                walk.report(
                    Finding::new(FindingKind::FileDigestMismatch)
                        .expected(to_hex(&pinned.sha256))
                        .actual(to_hex(&digest.sha256))
                        .detail(format!("SHA-256 of {name}")),
                );
            } else if pinned.bytes != digest.bytes {
                walk.report(
                    Finding::new(FindingKind::FileDigestMismatch)
                        .expected(format!("{} bytes", group(pinned.bytes)))
                        .actual(format!("{} bytes", group(digest.bytes)))
                        .detail(format!("size of {name}")),
                );
            }
        }
    }
    walk.finish_chains();

    let signature = match (&manifest, container) {
        (None, _) => {
            walk.report(Finding::new(FindingKind::Unsigned).detail(
                "there is no manifest: completeness unproven, and nothing outside the events vouches for them",
            ));
            SignatureReport {
                status: SignatureStatus::Absent,
                key_id: None,
            }
        }
        (Some(m), _) => match &m.signature {
            None => {
                walk.report(Finding::new(FindingKind::Unsigned).detail(
                    "the manifest carries no signature: anyone who could write the bundle could have recomputed every hash",
                ));
                SignatureReport {
                    status: SignatureStatus::Absent,
                    key_id: None,
                }
            }
            Some(sig) => {
                let key_id = Some(sig.key_id.clone());
                match check_signature(sig, &m.signed_bytes, &options.trusted_keys) {
                    SignatureCheck::Trusted { key_id } => SignatureReport {
                        status: SignatureStatus::Trusted,
                        key_id: Some(key_id),
                    },
                    SignatureCheck::Untrusted { why } => {
                        walk.report(Finding::new(FindingKind::SignatureUntrusted).detail(why));
                        SignatureReport {
                            status: SignatureStatus::Untrusted,
                            key_id,
                        }
                    }
                    SignatureCheck::Invalid { why } => {
                        walk.report(Finding::new(FindingKind::SignatureInvalid).detail(why));
                        SignatureReport {
                            status: SignatureStatus::Invalid,
                            key_id,
                        }
                    }
                }
            }
        },
    };

    // Findings about the bundle as a whole that undermine every chain's completeness.
    let bundle_unpinned = walk.sink.listed.iter().any(|f| {
        f.chain.is_none()
            && matches!(
                f.kind,
                FindingKind::FileDigestMismatch | FindingKind::ManifestMismatch
            )
    });
    let chains = walk
        .chains
        .iter()
        .filter(|state| state.lines > 0)
        .map(|state| chain_report(state, manifest.is_some(), &signature, bundle_unpinned))
        .collect();
    let info = BundleInfo {
        path: bundle.path().display().to_string(),
        container,
        source: crate::source::SourceKind::AuditBundle,
        mapping: None,
        mapping_sha256: None,
        has_manifest: manifest.is_some(),
        provenance: manifest
            .as_ref()
            .map(|m| m.provenance.clone())
            .unwrap_or_default(),
        lines,
        malformed_lines: walk.malformed_lines,
        files,
        manifest_sha256: manifest.as_ref().map(|m| to_hex(&m.file_sha256)),
        manifest: manifest.as_ref().map(|m| m.bytes.clone()),
    };
    let findings_not_listed = walk.sink.not_listed();
    Ok(Report {
        bundle: info,
        chains,
        signature,
        findings: walk.sink.listed,
        findings_not_listed,
    })
}

/// A batch of lines with the check of each.
type CheckedBatch = (LineBatch, Vec<(LineCheck, Option<EventFields>)>);

/// Why streaming stopped early.
enum StreamError {
    Read(std::io::Error),
    Sink(Error),
}

/// Streams one events file through the line checks: a reader thread splits lines,
/// rayon checks each batch on all cores, `absorb` sees the results in file order.
fn stream_checks(
    reader: Box<dyn Read + Send + '_>,
    max_line_bytes: usize,
    want_fields: bool,
    version: Option<FormatVersion>,
    mut absorb: impl FnMut(&LineBatch, Vec<(LineCheck, Option<EventFields>)>) -> Result<()>,
) -> Result<FileDigest, StreamError> {
    std::thread::scope(|scope| {
        let (sender, receiver) = sync_channel::<std::io::Result<LineBatch>>(2);
        let splitter = scope.spawn(move || {
            let mut splitter = LineSplitter::new(reader, max_line_bytes);
            loop {
                match splitter.next_batch(BATCH_BYTES) {
                    Ok(Some(batch)) => {
                        if sender.send(Ok(batch)).is_err() {
                            return None;
                        }
                    }
                    Ok(None) => return Some(splitter.finish()),
                    Err(e) => {
                        let _ = sender.send(Err(e));
                        return None;
                    }
                }
            }
        });
        // A checking stage between reading and absorbing, so the sequential walk (and
        // the case import's inserts) of one batch overlap the parallel checks of the next.
        let (checked_sender, checked_receiver) = sync_channel::<CheckedBatch>(1);
        let checker = scope.spawn(move || {
            for batch in receiver {
                let batch = match batch {
                    Ok(batch) => batch,
                    Err(e) => return Err(e),
                };
                let checks: Vec<(LineCheck, Option<EventFields>)> = batch
                    .lines
                    .par_iter()
                    .with_min_len(64)
                    .map_init(Vec::new, |scratch, span| {
                        if span.too_long.is_some() {
                            let check = LineCheck::Malformed {
                                reason: String::new(),
                                chain: None,
                                seq: None,
                                link: None,
                            };
                            (check, None)
                        } else {
                            check_line_with_fields(batch.text(span), scratch, want_fields, version)
                        }
                    })
                    .collect();
                if checked_sender.send((batch, checks)).is_err() {
                    break;
                }
            }
            Ok(())
        });
        for (batch, checks) in checked_receiver {
            absorb(&batch, checks).map_err(StreamError::Sink)?;
        }
        checker
            .join()
            .expect("the line checker does not panic")
            .map_err(StreamError::Read)?;
        splitter
            .join()
            .expect("the line splitter does not panic")
            .ok_or_else(|| StreamError::Read(std::io::Error::other("reading stopped early")))
    })
}
