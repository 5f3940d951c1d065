//! SQL of the `finding` table: the findings of verification (per bundle) and of the
//! case (between bundles, state continuity), each located as precisely as known.

use rusqlite::{Connection, params};

use super::named;
use crate::Result;
use crate::verify::{Finding, FindingKind, Severity};

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

impl StoredFinding {
    /// The finding in words only (no hashes or values to compare), as
    /// `Finding::summary` says it: for a group of many, whose first member's values
    /// would be taken for all of them.
    pub fn summary(&self) -> String {
        let as_u64 = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok());
        crate::verify::Finding {
            kind: self.kind,
            chain: self.chain.clone(),
            seq: as_u64(self.seq),
            seq_end: as_u64(self.seq_end),
            file: self.file.clone(),
            line: as_u64(self.line),
            byte_offset: None,
            expected: None,
            actual: None,
            detail: self.detail.clone(),
        }
        .summary()
    }
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

/// Stores one finding of `bundle_idx` (none for a finding about the case), pointing
/// at the row of the line it is located at, if known.
pub(crate) fn insert(
    connection: &Connection,
    bundle_idx: Option<i64>,
    finding: &Finding,
    event_idx: Option<i64>,
) -> Result<()> {
    let mut statement = connection.prepare_cached(
        "INSERT INTO finding (bundle_idx, kind, severity, chain, seq, seq_end, file, line, byte_offset,
                              event_idx, expected, actual, detail, message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    statement.execute(params![
        bundle_idx,
        finding.kind.as_str(),
        finding.severity().as_str(),
        finding.chain,
        finding.seq.map(|s| s as i64),
        finding.seq_end.map(|s| s as i64),
        finding.file,
        finding.line.map(|l| l as i64),
        finding.byte_offset.map(|b| b as i64),
        event_idx,
        finding.expected,
        finding.actual,
        finding.detail,
        finding.describe(),
    ])?;
    Ok(())
}

/// Every finding stored in the case, in the order found.
pub(crate) fn all(connection: &Connection) -> Result<Vec<StoredFinding>> {
    let findings = connection
        .prepare(&format!(
            "SELECT {FINDING_COLUMNS} FROM finding ORDER BY finding_idx"
        ))?
        .query_map([], stored_finding)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(findings)
}

/// The findings that point at one stored event, in the order found.
pub(crate) fn of_event(connection: &Connection, event_idx: i64) -> Result<Vec<StoredFinding>> {
    let findings = connection
        .prepare_cached(&format!(
            "SELECT {FINDING_COLUMNS} FROM finding WHERE event_idx = ?1 ORDER BY finding_idx"
        ))?
        .query_map([event_idx], stored_finding)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(findings)
}

/// The rows that the findings of one kind of one bundle point at.
pub(crate) fn events_of_kind(
    connection: &Connection,
    bundle_idx: i64,
    kind: FindingKind,
) -> Result<Vec<i64>> {
    let mut statement = connection.prepare_cached(
        "SELECT event_idx FROM finding
                 WHERE bundle_idx = ?1 AND kind = ?2 AND event_idx IS NOT NULL",
    )?;
    let rows = statement
        .query_map(params![bundle_idx, kind.as_str()], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Deletes the findings of one kind of one bundle.
pub(crate) fn delete_of_kind(
    connection: &Connection,
    bundle_idx: i64,
    kind: FindingKind,
) -> Result<()> {
    connection.execute(
        "DELETE FROM finding WHERE bundle_idx = ?1 AND kind = ?2",
        params![bundle_idx, kind.as_str()],
    )?;
    Ok(())
}
