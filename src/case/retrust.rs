//! Re-checks the trust of every bundle in a case under the reviewer's current trusted
//! keys and checkpoints: after a key is added or a checkpoint file arrives, a bundle
//! that was "intact but unvouched" may now be verified (or a checkpoint may now
//! contradict it).
//!
//! Trust is about the bundle's manifest and chain heads, which the case does not copy,
//! so each bundle is verified again from its original file, read-only. The file must
//! still be the one imported (same content digest); a missing or changed file is
//! reported and its stored verdict is left as it was. Only what depends on the
//! reviewer's keys and checkpoints is replaced: the bundle's verdict, headline and
//! signature status, its chains' five dimensions, its signature and checkpoint
//! findings (each pointing at its event's row, as an import stores them) and, for the
//! rows those findings leave or reach, whether anything breaks at their line
//! (`checks_ok`); every other finding depends only on the bytes, which are unchanged.

use std::path::PathBuf;

use rusqlite::TransactionBehavior;

use super::Case;
use super::import::bundle_digest;
use super::table;
use super::table::bundle::Origin;
use crate::verify::{FindingKind, VerifyOptions, verify_bundle};
use crate::{Error, Result};

/// The finding kinds whose presence depends on the reviewer's keys and checkpoints.
const TRUST_KINDS: [FindingKind; 4] = [
    FindingKind::SignatureInvalid,
    FindingKind::SignatureUntrusted,
    FindingKind::Unsigned,
    FindingKind::CheckpointMismatch,
];

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
        }
    }
}

/// Re-verifies every bundle of the case from its original file under `options` and
/// stores what depends on trust. Each bundle is updated in its own transaction.
pub fn retrust(case: &mut Case, options: &VerifyOptions) -> Result<Vec<Retrust>> {
    let bundles = table::bundle::origins(case.connection())?;
    let mut outcomes = Vec::new();
    for Origin {
        bundle_idx,
        path,
        digest,
        verdict: before,
    } in bundles
    {
        let path = PathBuf::from(path);
        if !path.exists() {
            outcomes.push(Retrust::Missing { bundle_idx, path });
            continue;
        }
        let report = match verify_bundle(&path, options) {
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
        // The rows whose trust findings go or come: whether anything breaks at their
        // line (`checks_ok`) is worked out again below.
        let mut rows_touched: Vec<i64> = Vec::new();
        for kind in TRUST_KINDS {
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
            .filter(|finding| TRUST_KINDS.contains(&finding.kind))
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
        // hash_mismatch finding) and at which no finding breaks.
        for event_idx in rows_touched {
            table::event::recheck_ok(&transaction, event_idx)?;
        }
        transaction.commit()?;
        outcomes.push(Retrust::Rechecked {
            bundle_idx,
            before,
            verdict: report.verdict().as_str().to_owned(),
            headline: report.headline(),
        });
    }
    Ok(outcomes)
}
