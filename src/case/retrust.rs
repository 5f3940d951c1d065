//! Re-checks the trust of every source in a case under the reviewer's current trusted
//! keys and checkpoints: after a key is added or a checkpoint file arrives, a bundle
//! (or a CloudTrail trail) that was "intact but unvouched" may now be verified (or a
//! checkpoint may now contradict it).
//!
//! Trust is about what the case does not copy (a bundle's manifest and chain heads, a
//! trail's digest files and their signatures), so each source is read again from its
//! original path, read-only. It must still be the one imported (same content digest);
//! a missing or changed source is reported and its stored verdict is left as it was.
//! Only what depends on the reviewer's keys and checkpoints is replaced: the verdict,
//! headline and signature status, the chains' five dimensions, the findings whose
//! presence depends on keys (`trust_kinds`), and, for the rows those findings leave or
//! reach (or, for a trail, the log files a digest now vouches for or no longer does),
//! whether each record is proven (`checks_ok`); every other finding depends only on
//! the bytes, which are unchanged. A source with no integrity of its own (a mapped
//! CSV) has nothing that keys change and is not read.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rusqlite::{Transaction, TransactionBehavior};

use super::Case;
use super::import::bundle_digest;
use super::table;
use super::table::bundle::Origin;
use crate::source::{Source, SourceKind};
use crate::verify::{FindingKind, LineCheck, LineSink, SeenLine, VerifyOptions};
use crate::{Error, Result};

/// The finding kinds whose presence depends on the reviewer's keys and checkpoints,
/// per source. For a trail every finding about its files, digests and chains is
/// replaced: which digests verify (a key given or not) decides which hours are
/// covered, which log files are vouched for and which gaps there are. Findings about
/// one record (a malformed or repeated one) depend only on its bytes.
fn trust_kinds(source: SourceKind) -> &'static [FindingKind] {
    match source {
        SourceKind::AuditBundle => &[
            FindingKind::SignatureInvalid,
            FindingKind::SignatureUntrusted,
            FindingKind::Unsigned,
            FindingKind::CheckpointMismatch,
        ],
        SourceKind::CloudTrail => &crate::source::cloudtrail::TRAIL_KINDS,
        _ => &[],
    }
}

/// What became of one bundle.
#[derive(Debug, Clone, PartialEq)]
pub enum Retrust {
    /// Verified again; its stored verdict is now `verdict` (it was `before`).
    Rechecked {
        bundle_idx: i64,
        before: String,
        verdict: String,
        headline: String,
    },
    /// The original file is not where it was imported from.
    Missing { bundle_idx: i64, path: PathBuf },
    /// The file there is no longer the bundle that was imported.
    Changed { bundle_idx: i64, path: PathBuf },
    /// The file could not be read as a bundle.
    Unreadable {
        bundle_idx: i64,
        path: PathBuf,
        reason: String,
    },
    /// A source with no integrity of its own: nothing in it depends on keys.
    NoIntegrity { bundle_idx: i64 },
}

impl Retrust {
    /// One sentence for the reviewer.
    pub fn describe(&self) -> String {
        match self {
            Retrust::Rechecked {
                bundle_idx,
                before,
                verdict,
                headline,
            } if before == verdict => {
                format!("Bundle {bundle_idx}: re-verified, still {verdict}. {headline}")
            }
            Retrust::Rechecked {
                bundle_idx,
                before,
                verdict,
                headline,
            } => format!(
                "Bundle {bundle_idx}: re-verified, now {verdict} (was {before}). {headline}"
            ),
            Retrust::Missing { bundle_idx, path } => format!(
                "Bundle {bundle_idx}: not re-verified: its file is no longer at {}; its earlier verdict stands.",
                path.display()
            ),
            Retrust::Changed { bundle_idx, path } => format!(
                "Bundle {bundle_idx}: not re-verified: the file at {} is no longer the bundle that was imported; its earlier verdict stands.",
                path.display()
            ),
            Retrust::Unreadable {
                bundle_idx,
                path,
                reason,
            } => format!(
                "Bundle {bundle_idx}: not re-verified: {} cannot be read ({reason}); its earlier verdict stands.",
                path.display()
            ),
            Retrust::NoIntegrity { bundle_idx } => format!(
                "Bundle {bundle_idx}: carries no integrity of its own, so no key changes what can be proven about it."
            ),
        }
    }
}

/// Re-verifies every source of the case from its original path under `options` and
/// stores what depends on trust. Each source is updated in its own transaction.
pub fn retrust(case: &mut Case, options: &VerifyOptions) -> Result<Vec<Retrust>> {
    let bundles = table::bundle::origins(case.connection())?;
    let mut outcomes = Vec::new();
    for Origin {
        bundle_idx,
        path,
        digest,
        verdict: before,
        source,
    } in bundles
    {
        if !source.has_integrity() {
            outcomes.push(Retrust::NoIntegrity { bundle_idx });
            continue;
        }
        let path = PathBuf::from(path);
        if !path.exists() {
            outcomes.push(Retrust::Missing { bundle_idx, path });
            continue;
        }
        let mut vouches = FileVouches::default();
        let read = Source::open(&path, None, options.limits)
            .and_then(|mut opened| opened.read_into(options, &mut vouches));
        let report = match read {
            Ok(report) => report,
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                outcomes.push(Retrust::Missing { bundle_idx, path });
                continue;
            }
            Err(error) => {
                outcomes.push(Retrust::Unreadable {
                    bundle_idx,
                    path,
                    reason: error.to_string(),
                });
                continue;
            }
        };
        if bundle_digest(&report) != digest {
            outcomes.push(Retrust::Changed { bundle_idx, path });
            continue;
        }
        let transaction = case
            .connection_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        table::bundle::set_trust(&transaction, bundle_idx, &report)?;
        table::bundle_chain::delete_of_bundle(&transaction, bundle_idx)?;
        for chain in &report.chains {
            table::bundle_chain::insert(&transaction, bundle_idx, chain)?;
        }
        let kinds = trust_kinds(source);
        // The rows whose trust findings go or come: whether anything breaks at their
        // line (`checks_ok`) is worked out again below.
        let mut rows_touched: Vec<i64> = Vec::new();
        for &kind in kinds {
            rows_touched.extend(table::finding::events_of_kind(
                &transaction,
                bundle_idx,
                kind,
            )?);
            table::finding::delete_of_kind(&transaction, bundle_idx, kind)?;
        }
        for finding in report
            .findings
            .iter()
            .filter(|finding| kinds.contains(&finding.kind))
        {
            // Point it at its line's row, as the import does (the event's detail lists
            // the findings at it); found through (chain, seq), which is indexed.
            let event_idx: Option<i64> = match (&finding.chain, finding.seq, finding.line) {
                (Some(chain), Some(seq), Some(line)) => table::event::at_line(
                    &transaction,
                    bundle_idx,
                    finding.file.as_deref().unwrap_or_default(),
                    line,
                    chain,
                    seq,
                )?,
                _ => None,
            };
            table::finding::insert(&transaction, Some(bundle_idx), finding, event_idx)?;
            rows_touched.extend(event_idx);
        }
        // As the import decides it: a readable line whose own hash holds (else it has a
        // hash_mismatch finding), or whose file its source vouches for, and at which no
        // finding breaks.
        for event_idx in rows_touched {
            table::event::recheck_ok(&transaction, event_idx)?;
        }
        recheck_files(&transaction, bundle_idx, &vouches)?;
        transaction.commit()?;
        outcomes.push(Retrust::Rechecked {
            bundle_idx,
            before,
            verdict: report.verdict().as_str().to_owned(),
            headline: report.headline(),
        });
    }
    case.record(
        super::journal::JournalEntry::new("case.retrusted", "admin").context(serde_json::json!({
            "trusted_keys": options.trusted_keys.describe(),
            "checkpoints": options.checkpoints.len(),
            "sources": outcomes.iter().map(Retrust::describe).collect::<Vec<_>>(),
        })),
    )?;
    Ok(outcomes)
}

/// For a source whose records carry no hash of their own (a trail's), whether it
/// vouches for each file's records now: its log file matches a digest whose signature
/// holds. Every record of one file is vouched for alike.
#[derive(Default)]
struct FileVouches {
    files: BTreeMap<String, bool>,
}

impl LineSink for FileVouches {
    fn line(&mut self, line: SeenLine<'_>) -> Result<()> {
        if let LineCheck::Unchained { vouched } = line.check
            && !self.files.contains_key(line.file)
        {
            self.files.insert(line.file.to_owned(), *vouched);
        }
        Ok(())
    }
}

fn recheck_files(
    transaction: &Transaction<'_>,
    bundle_idx: i64,
    vouches: &FileVouches,
) -> Result<()> {
    for (file, vouched) in &vouches.files {
        table::source_file::set_vouched(transaction, bundle_idx, file, *vouched)?;
    }
    Ok(())
}
