//! What a case holds: its bundles with their verdicts, chains with seq ranges, event
//! counts, the time span covered, and every finding. Read-only.

use rusqlite::params;

use super::{Case, UNKNOWN_TS};
use crate::Result;
use crate::source::SourceKind;
use crate::verify::{DimensionStatus, FindingKind, Severity, SignatureStatus, Verdict, combine};

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

/// One chain as one bundle holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainSummary {
    pub chain: String,
    pub verdict: Verdict,
    pub n_events: i64,
    pub n_omitted: i64,
    pub first_seq: i64,
    pub last_seq: i64,
    pub head_hash: String,
    /// (name, status, detail) of the five dimensions, in spec order.
    pub dimensions: Vec<(&'static str, DimensionStatus, String)>,
}

/// A stored finding.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFinding {
    pub finding_idx: i64,
    pub bundle_idx: Option<i64>,
    pub kind: FindingKind,
    pub severity: Severity,
    pub chain: Option<String>,
    pub seq: Option<i64>,
    pub seq_end: Option<i64>,
    pub file: Option<String>,
    pub line: Option<i64>,
    pub event_idx: Option<i64>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub detail: Option<String>,
    pub message: String,
}

/// Everything `trailscope status` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseStatus {
    pub bundles: Vec<BundleSummary>,
    pub n_events: i64,
    pub n_omitted: i64,
    pub n_malformed: i64,
    /// Earliest and latest known event times (ms since the epoch, UTC).
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
    pub findings: Vec<StoredFinding>,
}

impl CaseStatus {
    /// The case's verdict: the worst bundle's, made broken by any stored finding that
    /// breaks (those between bundles, such as equivocation, included); empty when the
    /// case holds no bundle (`policy::combine`, as `import` says it).
    pub fn verdict(&self) -> Verdict {
        combine(
            self.bundles.iter().map(|b| b.verdict),
            self.findings.iter().map(|f| f.severity),
        )
    }
}

/// Reads the case's status.
pub fn case_status(case: &Case) -> Result<CaseStatus> {
    let connection = case.connection();
    let mut bundles: Vec<BundleSummary> = connection
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
    let mut chains = connection.prepare(
        "SELECT chain, verdict, n_events, n_omitted, first_seq, last_seq, head_hash,
                integrity_status, integrity_detail, linkage_status, linkage_detail,
                completeness_status, completeness_detail, authenticity_status, authenticity_detail,
                coverage_status, coverage_detail
         FROM bundle_chain WHERE bundle_idx = ?1 ORDER BY chain",
    )?;
    for bundle in &mut bundles {
        bundle.chains = chains
            .query_map(params![bundle.bundle_idx], |row| {
                let names = [
                    "integrity",
                    "linkage",
                    "completeness",
                    "authenticity",
                    "coverage",
                ];
                let mut dimensions = Vec::new();
                for (i, name) in names.into_iter().enumerate() {
                    dimensions.push((
                        name,
                        named(row, 7 + 2 * i, DimensionStatus::from_name)?,
                        row.get(8 + 2 * i)?,
                    ));
                }
                Ok(ChainSummary {
                    chain: row.get(0)?,
                    verdict: named(row, 1, Verdict::from_name)?,
                    n_events: row.get(2)?,
                    n_omitted: row.get(3)?,
                    first_seq: row.get(4)?,
                    last_seq: row.get(5)?,
                    head_hash: row.get(6)?,
                    dimensions,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    // Each count reads an index (stubs and quarantined lines have partial ones), never
    // the rows themselves: opening a million-event case must not scan it.
    let count = |sql: &str| -> Result<i64> { Ok(connection.query_row(sql, [], |row| row.get(0))?) };
    let n_rows = count("SELECT count(*) FROM event")?;
    let n_omitted = count("SELECT count(*) FROM event WHERE omitted = 1")?;
    let n_malformed = count("SELECT count(*) FROM event WHERE malformed IS NOT NULL")?;
    // Rows both: few (stubs are), each checked through the stubs' index.
    let n_both = count("SELECT count(*) FROM event WHERE omitted = 1 AND malformed IS NOT NULL")?;
    let n_events = n_rows - n_omitted - n_malformed + n_both;
    let (first_ts, last_ts): (Option<i64>, Option<i64>) = connection.query_row(
        "SELECT min(ts), max(ts) FROM event WHERE ts != ?1",
        params![UNKNOWN_TS],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let findings = stored_findings(case)?;
    Ok(CaseStatus {
        bundles,
        n_events,
        n_omitted,
        n_malformed,
        first_ts,
        last_ts,
        findings,
    })
}

/// Reads a column stored by name (a verdict, a finding kind) back into its type; a
/// name this code does not know is an error, never a guess.
pub(crate) fn named<T>(
    row: &rusqlite::Row<'_>,
    column: usize,
    from_name: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let name: String = row.get(column)?;
    from_name(&name).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            format!("{name:?} is not a name this version of Trailscope knows").into(),
        )
    })
}

const FINDING_COLUMNS: &str =
    "finding_idx, bundle_idx, kind, severity, chain, seq, seq_end, file, line, event_idx,
     expected, actual, detail, message";

fn stored_finding(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredFinding> {
    Ok(StoredFinding {
        finding_idx: row.get(0)?,
        bundle_idx: row.get(1)?,
        kind: named(row, 2, FindingKind::from_spec_name)?,
        severity: named(row, 3, Severity::from_name)?,
        chain: row.get(4)?,
        seq: row.get(5)?,
        seq_end: row.get(6)?,
        file: row.get(7)?,
        line: row.get(8)?,
        event_idx: row.get(9)?,
        expected: row.get(10)?,
        actual: row.get(11)?,
        detail: row.get(12)?,
        message: row.get(13)?,
    })
}

/// Every finding stored in the case, in the order found.
pub fn stored_findings(case: &Case) -> Result<Vec<StoredFinding>> {
    let findings = case
        .connection()
        .prepare(&format!(
            "SELECT {FINDING_COLUMNS} FROM finding ORDER BY finding_idx"
        ))?
        .query_map([], stored_finding)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(findings)
}

/// The findings that point at one stored event, in the order found.
pub fn findings_of_event(case: &Case, event_idx: i64) -> Result<Vec<StoredFinding>> {
    let findings = case
        .connection()
        .prepare_cached(&format!(
            "SELECT {FINDING_COLUMNS} FROM finding WHERE event_idx = ?1 ORDER BY finding_idx"
        ))?
        .query_map([event_idx], stored_finding)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(findings)
}
