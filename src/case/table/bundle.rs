//! SQL of the `bundle` table: each imported source with its content digest, provenance,
//! signature, verdict and what its import stored.

use rusqlite::{Connection, OptionalExtension, params};

use super::bundle_chain::ChainSummary;
use super::named;
use crate::Result;
use crate::bundle::FormatVersion;
use crate::source::SourceKind;
use crate::verify::{Report, SignatureStatus, Verdict};

/// One bundle of the case.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleSummary {
    pub bundle_idx: i64,
    pub path: String,
    pub container: String,
    /// The kind of source it was read as.
    pub source: SourceKind,
    pub bundle_id: Option<String>,
    pub producer: Option<String>,
    pub exported_at: Option<String>,
    pub exported_by: Option<String>,
    pub verdict: Verdict,
    pub headline: String,
    pub signature_status: SignatureStatus,
    pub signature_key_id: Option<String>,
    pub n_lines: i64,
    pub n_malformed: i64,
    pub n_events_added: i64,
    pub imported_at: String,
    pub chains: Vec<ChainSummary>,
}

/// Where a bundle was imported from and what it was, for verifying it again.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Origin {
    pub(crate) bundle_idx: i64,
    pub(crate) path: String,
    pub(crate) digest: String,
    pub(crate) verdict: String,
    pub(crate) source: SourceKind,
}

/// Adds the row of a bundle being imported, before its report is known (its events
/// point at it); `set_report` fills it in. Returns its `bundle_idx`.
pub(crate) fn insert_pending(connection: &Connection, path: &str, now: &str) -> Result<i64> {
    connection.execute(
        "INSERT INTO bundle (digest, path, container, has_manifest, signature_status, verdict, headline,
                             n_lines, n_malformed, n_events_added, imported_at)
         VALUES ('pending', ?1, ?2, 0, 'absent', 'broken', '', 0, 0, 0, ?3)",
        params![path, "pending", now],
    )?;
    Ok(connection.last_insert_rowid())
}

/// The bundle with this content digest, if the case holds it.
pub(crate) fn with_digest(connection: &Connection, digest: &str) -> Result<Option<i64>> {
    Ok(connection
        .query_row(
            "SELECT bundle_idx FROM bundle WHERE digest = ?1",
            [digest],
            |row| row.get(0),
        )
        .optional()?)
}

/// Fills in a bundle's row from its report once the import has read it all.
pub(crate) fn set_report(
    connection: &Connection,
    bundle_idx: i64,
    digest: &str,
    report: &Report,
    events_added: u64,
) -> Result<()> {
    let info = &report.bundle;
    connection.execute(
        "UPDATE bundle SET digest = ?2, bundle_id = ?3, producer = ?4, exported_at = ?5, exported_by = ?6,
                scope = ?7, has_manifest = ?8, signature_status = ?9, signature_key_id = ?10, verdict = ?11,
                headline = ?12, n_lines = ?13, n_malformed = ?14, n_events_added = ?15,
                container = ?16, source = ?17, mapping = ?18, format_version = ?19,
                manifest = ?20
         WHERE bundle_idx = ?1",
        params![
            bundle_idx,
            digest,
            info.provenance.bundle_id,
            info.provenance.producer,
            info.provenance.exported_at,
            info.provenance.exported_by,
            info.provenance.scope,
            info.has_manifest,
            report.signature.status.as_str(),
            report.signature.key_id,
            report.verdict().as_str(),
            report.headline(),
            info.lines as i64,
            info.malformed_lines as i64,
            events_added as i64,
            info.container.as_str(),
            info.source.as_str(),
            info.mapping,
            info.provenance.format_version.map(FormatVersion::number),
            info.manifest,
        ],
    )?;
    Ok(())
}

/// Each bundle's format version as its manifest declared it (`None`: no manifest, a
/// version this reviewer does not read, a source of another kind, or a bundle imported
/// before the case recorded versions), by `bundle_idx`.
pub(crate) fn format_versions(
    connection: &Connection,
) -> Result<std::collections::HashMap<i64, Option<FormatVersion>>> {
    let versions = connection
        .prepare("SELECT bundle_idx, format_version FROM bundle")?
        .query_map([], |row| {
            let number: Option<i64> = row.get(1)?;
            Ok((
                row.get::<_, i64>(0)?,
                number.and_then(|n| FormatVersion::from_number(u64::try_from(n).ok()?)),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(versions)
}

/// One bundle's format version (see `format_versions`).
pub(crate) fn format_version(
    connection: &Connection,
    bundle_idx: i64,
) -> Result<Option<FormatVersion>> {
    let number: Option<Option<i64>> = connection
        .query_row(
            "SELECT format_version FROM bundle WHERE bundle_idx = ?1",
            [bundle_idx],
            |row| row.get(0),
        )
        .optional()?;
    Ok(number
        .flatten()
        .and_then(|n| FormatVersion::from_number(u64::try_from(n).ok()?)))
}

/// Replaces what depends on the reviewer's keys and checkpoints: the signature status,
/// verdict and headline of a report made again.
pub(crate) fn set_trust(connection: &Connection, bundle_idx: i64, report: &Report) -> Result<()> {
    connection.execute(
        "UPDATE bundle SET signature_status = ?2, signature_key_id = ?3, verdict = ?4, headline = ?5
             WHERE bundle_idx = ?1",
        params![
            bundle_idx,
            report.signature.status.as_str(),
            report.signature.key_id,
            report.verdict().as_str(),
            report.headline(),
        ],
    )?;
    Ok(())
}

/// Every bundle of the case, in import order, without its chains
/// (`bundle_chain::of_bundle` reads those).
pub(crate) fn summaries(connection: &Connection) -> Result<Vec<BundleSummary>> {
    let bundles = connection
        .prepare(
            "SELECT bundle_idx, path, container, bundle_id, producer, exported_at, exported_by, verdict,
                    headline, signature_status, signature_key_id, n_lines, n_malformed, n_events_added,
                    imported_at, source
             FROM bundle ORDER BY bundle_idx",
        )?
        .query_map([], |row| {
            Ok(BundleSummary {
                bundle_idx: row.get(0)?,
                path: row.get(1)?,
                container: row.get(2)?,
                bundle_id: row.get(3)?,
                producer: row.get(4)?,
                exported_at: row.get(5)?,
                exported_by: row.get(6)?,
                verdict: named(row, 7, Verdict::from_name)?,
                headline: row.get(8)?,
                signature_status: named(row, 9, SignatureStatus::from_name)?,
                signature_key_id: row.get(10)?,
                n_lines: row.get(11)?,
                n_malformed: row.get(12)?,
                n_events_added: row.get(13)?,
                imported_at: row.get(14)?,
                source: named(row, 15, SourceKind::from_name)?,
                chains: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(bundles)
}

/// Every bundle's file, digest and stored verdict, in import order.
pub(crate) fn origins(connection: &Connection) -> Result<Vec<Origin>> {
    let origins = connection
        .prepare(
            "SELECT bundle_idx, path, digest, verdict, source FROM bundle ORDER BY bundle_idx",
        )?
        .query_map([], |row| {
            Ok(Origin {
                bundle_idx: row.get(0)?,
                path: row.get(1)?,
                digest: row.get(2)?,
                verdict: row.get(3)?,
                source: named(row, 4, SourceKind::from_name)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(origins)
}

/// For each bundle, in import order: (bundle_idx, the rows its import added, the rows
/// the case holds of it now).
///
/// Here rather than in `event`: it reads one row per bundle and compares the bundle's
/// own record (`n_events_added`) with a count; the event table is only counted.
pub(crate) fn rows_added_and_held(connection: &Connection) -> Result<Vec<(i64, i64, i64)>> {
    let mut counts = connection.prepare(
        "SELECT b.bundle_idx, b.n_events_added, (SELECT count(*) FROM event e WHERE e.bundle_idx = b.bundle_idx)
         FROM bundle b ORDER BY b.bundle_idx",
    )?;
    let counted = counts
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(counted)
}

/// What an excerpt needs to know of the source a row came from.
#[derive(Debug, Clone)]
pub(crate) struct ExcerptSource {
    pub(crate) path: String,
    pub(crate) source: String,
    pub(crate) format_version: Option<i64>,
    /// The manifest's bytes as received (bundles imported since schema 8).
    pub(crate) manifest: Option<Vec<u8>>,
    pub(crate) signature_status: String,
}

/// The source `bundle_idx` as an excerpt sees it.
pub(crate) fn excerpt_source(connection: &Connection, bundle_idx: i64) -> Result<ExcerptSource> {
    Ok(connection.query_row(
        "SELECT path, source, format_version, manifest, signature_status FROM bundle WHERE bundle_idx = ?1",
        [bundle_idx],
        |row| {
            Ok(ExcerptSource {
                path: row.get(0)?,
                source: row.get(1)?,
                format_version: row.get(2)?,
                manifest: row.get(3)?,
                signature_status: row.get(4)?,
            })
        },
    )?)
}
