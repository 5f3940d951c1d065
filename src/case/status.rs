//! What a case holds: its bundles with their verdicts, chains with seq ranges, event
//! counts, the time span covered, and every finding. Read-only.

use rusqlite::params;

use super::{Case, UNKNOWN_TS};
use crate::Result;

/// One bundle of the case.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleSummary {
    pub bundle_idx: i64,
    pub path: String,
    pub container: String,
    pub bundle_id: Option<String>,
    pub producer: Option<String>,
    pub exported_at: Option<String>,
    pub exported_by: Option<String>,
    pub verdict: String,
    pub headline: String,
    pub signature_status: String,
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
    pub verdict: String,
    pub n_events: i64,
    pub n_omitted: i64,
    pub first_seq: i64,
    pub last_seq: i64,
    pub head_hash: String,
    /// (name, status, detail) of the five dimensions, in spec order.
    pub dimensions: Vec<(&'static str, String, String)>,
}

/// A stored finding.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFinding {
    pub finding_idx: i64,
    pub bundle_idx: Option<i64>,
    pub kind: String,
    pub severity: String,
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
    /// Worst verdict over the bundles: broken, else intact, else verified.
    pub fn verdict(&self) -> &'static str {
        let has = |v: &str| self.bundles.iter().any(|b| b.verdict == v);
        // Every stored finding counts, those between bundles (equivocation) included.
        if has("broken") || self.findings.iter().any(|f| f.severity == "break") {
            "broken"
        } else if has("intact") || self.bundles.is_empty() {
            "intact"
        } else {
            "verified"
        }
    }
}

/// Reads the case's status.
pub fn case_status(case: &Case) -> Result<CaseStatus> {
    let connection = case.connection();
    let mut bundles: Vec<BundleSummary> = connection
        .prepare(
            "SELECT bundle_idx, path, container, bundle_id, producer, exported_at, exported_by, verdict,
                    headline, signature_status, signature_key_id, n_lines, n_malformed, n_events_added,
                    imported_at
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
                verdict: row.get(7)?,
                headline: row.get(8)?,
                signature_status: row.get(9)?,
                signature_key_id: row.get(10)?,
                n_lines: row.get(11)?,
                n_malformed: row.get(12)?,
                n_events_added: row.get(13)?,
                imported_at: row.get(14)?,
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
                    dimensions.push((name, row.get(7 + 2 * i)?, row.get(8 + 2 * i)?));
                }
                Ok(ChainSummary {
                    chain: row.get(0)?,
                    verdict: row.get(1)?,
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

const FINDING_COLUMNS: &str =
    "finding_idx, bundle_idx, kind, severity, chain, seq, seq_end, file, line, event_idx,
     expected, actual, detail, message";

fn stored_finding(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredFinding> {
    Ok(StoredFinding {
        finding_idx: row.get(0)?,
        bundle_idx: row.get(1)?,
        kind: row.get(2)?,
        severity: row.get(3)?,
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
