//! Evidence excerpts that prove themselves (docs/excerpt.md): a handful of chosen
//! events, taken out of a case into a folder a third party can check on their own,
//! without the case and without the rest of the export.
//!
//! An excerpt is one folder: `statement.json` (the reviewer's signed statement of what
//! was selected and why, pinning every other file by SHA-256), a `README.txt`, and one
//! `part-N/` folder per source the chosen events come from. Each part proves its events
//! the strongest way its source allows (`Method`), and is checked on its own, never
//! trusting the reviewer's statement for it:
//!
//! * `merkle-proof` — a format v2 bundle: the producer's manifest verbatim (its
//!   signature still verifies), the chosen events as they were, and an RFC 6962
//!   inclusion proof of each against its chain's signed `merkle_root`. Size grows with
//!   log n.
//! * `chain-to-head` — a format v1 bundle (or a v2 segment whose root cannot be
//!   recomputed): the manifest and every event from the first chosen one to the chain's
//!   signed head, which is all v1 can prove; the statement says why it is large.
//! * `cloudtrail-digest` — AWS CloudTrail: the log files holding the chosen records, the
//!   signed digest files that list them, and the public keys (`cloudtrail`), each as
//!   received at its path in the trail's folder, checked by the CloudTrail verifier
//!   itself. The digests before and after are not carried: not the trail's completeness.
//! * `custody-receipt` — a source with no integrity of its own: the records as received,
//!   the reviewer's signed custody receipt, and an inclusion proof of each record against
//!   the receipt's Merkle root of the rows sealed at import.
//!
//! `write` never touches the case (it is opened read-only by callers); `check` reads
//! only the files the statement names, each bounded in size, and reports every failure
//! with where it is. A damaged excerpt is never an `Err`: `Err` means it could not be
//! read as an excerpt at all.

mod chain;
mod check;
mod cloudtrail;
mod custody;
mod files;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

pub use check::{EventCheck, ExcerptCheck, PartCheck, check};

use crate::case::Case;
use crate::case::journal::JournalEntry;
use crate::case::table;
use crate::case::table::event::EventRow;
use crate::query::EventFilter;
use crate::reviewer::Reviewer;
use crate::{Error, Result};

/// The statement's file name: what makes a folder an excerpt.
pub const STATEMENT_FILE: &str = "statement.json";
/// What the statement's `type` says.
const STATEMENT_TYPE: &str = "trailscope-excerpt";
/// The excerpt layout this code writes and reads.
const VERSION: u64 = 1;
/// The most events one excerpt carries by choice: an excerpt is a handful of events
/// for a third party, not an export.
pub const MAX_CHOSEN: usize = 100_000;

/// How a part proves its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    MerkleProof,
    ChainToHead,
    CloudTrailDigest,
    CustodyReceipt,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::MerkleProof => "merkle-proof",
            Method::ChainToHead => "chain-to-head",
            Method::CloudTrailDigest => "cloudtrail-digest",
            Method::CustodyReceipt => "custody-receipt",
        }
    }

    pub fn parse(text: &str) -> Option<Method> {
        [
            Method::MerkleProof,
            Method::ChainToHead,
            Method::CloudTrailDigest,
            Method::CustodyReceipt,
        ]
        .into_iter()
        .find(|m| m.as_str() == text)
    }
}

/// What the reviewer chose, and why.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub filter: EventFilter,
    /// Why these events (the reviewer's words), if given.
    pub reason: Option<String>,
}

/// One part written.
#[derive(Debug, Clone, PartialEq)]
pub struct PartWritten {
    pub dir: String,
    pub method: Method,
    /// The source as it was received (its path).
    pub source: String,
    pub kind: String,
    /// Events chosen from this source.
    pub chosen: u64,
    /// Events the part carries (more than chosen for `chain-to-head`).
    pub carried: u64,
    /// Why this method, in words.
    pub why: String,
}

impl PartWritten {
    /// How each event is proven, in a few words ("each with its proof in the
    /// producer's signed Merkle root"): `why` said short, for a one-line message.
    pub fn proof(&self) -> String {
        match self.method {
            Method::MerkleProof => "each with its proof in the producer's signed Merkle root".to_owned(),
            Method::ChainToHead => format!(
                "each bound to the head the producer signed through every event after it ({} events carried)",
                self.carried
            ),
            Method::CloudTrailDigest => {
                "in their log files, with the digest files AWS signed that list them".to_owned()
            }
            Method::CustodyReceipt => "each with its proof in the custody receipt you signed on import (as you received them; the source proves nothing itself)".to_owned(),
        }
    }
}

/// An excerpt written.
#[derive(Debug, Clone, PartialEq)]
pub struct ExcerptWritten {
    pub dir: PathBuf,
    pub chosen: u64,
    pub parts: Vec<PartWritten>,
    /// SHA-256 of `statement.json` (the journal records it).
    pub statement_sha256: String,
    /// Bytes of every file written.
    pub bytes: u64,
}

/// A part as a writer made it: what goes into the statement.
pub(crate) struct Part {
    pub(crate) method: Method,
    pub(crate) chosen: Vec<Value>,
    pub(crate) carried: u64,
    pub(crate) why: String,
    /// Extra members of the statement's entry (the producer key the reviewer trusted).
    pub(crate) extra: serde_json::Map<String, Value>,
}

/// Refuses `n` chosen events past `MAX_CHOSEN`, as soon as the count passes it.
fn refuse_too_many(n: usize) -> Result<()> {
    if n > MAX_CHOSEN {
        return Err(Error::Invalid(format!(
            "more than {MAX_CHOSEN} events match; an excerpt is for a few chosen events — narrow the selection (or export the events instead)"
        )));
    }
    Ok(())
}

/// Refuses an excerpt of nothing.
fn refuse_none(n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::Invalid(
            "no events match the selection: there is nothing to excerpt".to_owned(),
        ));
    }
    Ok(())
}

/// How many events an excerpt of `filter` would hold (omitted stubs are never
/// chosen), refused as `write` would refuse it, so that the app can say so before it
/// asks where to write.
pub fn count_chosen(case: &Case, filter: &crate::query::EventFilter) -> Result<u64> {
    let mut n = 0usize;
    crate::query::for_each_event(case, filter, |row| {
        if !row.omitted {
            n += 1;
            refuse_too_many(n)?;
        }
        Ok(())
    })?;
    refuse_none(n)?;
    Ok(n as u64)
}

/// Writes an excerpt of the events `selection` picks out of `case` into `dir` (new or
/// empty), signed by `reviewer` at `made_at` (RFC 3339).
pub fn write(
    case: &Case,
    reviewer: &Reviewer,
    selection: &Selection,
    dir: &Path,
    made_at: &str,
) -> Result<ExcerptWritten> {
    let mut by_source: BTreeMap<i64, Vec<EventRow>> = BTreeMap::new();
    let mut n = 0usize;
    crate::query::for_each_event(case, &selection.filter, |row| {
        if row.omitted {
            return Ok(());
        }
        n += 1;
        refuse_too_many(n)?;
        by_source.entry(row.bundle_idx).or_default().push(row);
        Ok(())
    })?;
    refuse_none(n)?;
    crate::export::prepare_empty_dir(dir, "an excerpt")?;
    let connection = case.connection();
    let mut entries = Vec::new();
    let mut parts = Vec::new();
    for (i, (bundle_idx, rows)) in by_source.iter().enumerate() {
        let part_dir = format!("part-{}", i + 1);
        let path = dir.join(&part_dir);
        std::fs::create_dir(&path).map_err(|e| Error::io(&path, e))?;
        let source = table::bundle::excerpt_source(connection, *bundle_idx)?;
        let receipt = table::journal::receipt_of(connection, *bundle_idx)?;
        if let Some(receipt) = &receipt {
            files::write(&path, custody::RECEIPT_FILE, receipt)?;
        }
        let stronger = if source.source == "cloudtrail" {
            cloudtrail::write(connection, *bundle_idx, &source, rows, &path)?
        } else {
            chain::write(connection, &source, rows, &path)?
        };
        let part = match stronger {
            Ok(part) => part,
            Err(why_not) => custody::write(
                connection,
                *bundle_idx,
                &source,
                receipt.as_deref(),
                rows,
                &path,
                &why_not,
            )?,
        };
        let mut entry = json!({
            "dir": part_dir,
            "method": part.method.as_str(),
            "source": {"path": source.path, "kind": source.source},
            "chosen": part.chosen,
            "carried": part.carried,
            "why": part.why,
        });
        for (key, value) in &part.extra {
            entry[key] = value.clone();
        }
        entries.push(entry);
        parts.push(PartWritten {
            dir: part_dir,
            method: part.method,
            source: source.path,
            kind: source.source,
            chosen: rows.len() as u64,
            carried: part.carried,
            why: part.why,
        });
    }
    files::write(dir, files::README_FILE, files::README.as_bytes())?;
    let listed = files::list(dir)?;
    let filter = serde_json::to_value(&selection.filter).expect("a filter serializes");
    let mut statement = json!({
        "type": STATEMENT_TYPE,
        "version": VERSION,
        "case_id": table::journal::case_id(connection)?,
        "made_at": made_at,
        "made_by": {
            "name": reviewer.name(),
            "key_id": reviewer.key_id(),
            "public_key": reviewer.public_key_base64(),
            "fingerprint": reviewer.fingerprint(),
        },
        "trailscope_version": env!("CARGO_PKG_VERSION"),
        "selection": {
            "filter": filter,
            "words": crate::case::journal::filter_words(&filter),
            "reason": selection.reason,
            "count": n,
        },
        "parts": entries,
        "files": listed.iter().map(|f| json!({"path": f.path, "bytes": f.bytes, "sha256": f.sha256})).collect::<Vec<_>>(),
    });
    let message = crate::canonical::canonical_of_value(&statement, Some("signature"));
    statement["signature"] = reviewer.signature_of(&message);
    let text = serde_json::to_vec_pretty(&statement).expect("a Value serializes");
    files::write(dir, STATEMENT_FILE, &text)?;
    Ok(ExcerptWritten {
        dir: dir.to_owned(),
        chosen: n as u64,
        parts,
        statement_sha256: crate::canonical::to_hex(&crate::canonical::sha256(&text)),
        bytes: listed.iter().map(|f| f.bytes).sum::<u64>() + text.len() as u64,
    })
}

/// The journal's line for an excerpt written.
pub fn journal_entry(written: &ExcerptWritten, selection: &Selection) -> JournalEntry {
    JournalEntry::new("excerpt.written", "export").context(json!({
        "out": written.dir.display().to_string(),
        "filter": selection.filter,
        "reason": selection.reason,
        "count": written.chosen,
        "parts": written.parts.iter().map(|p| p.method.as_str()).collect::<Vec<_>>(),
        "statement_sha256": written.statement_sha256,
    }))
}

/// Whether `path` is an excerpt (a folder holding a statement).
pub fn is_excerpt(path: &Path) -> bool {
    path.join(STATEMENT_FILE).is_file()
}
