//! What a case holds: its bundles with their verdicts, chains with seq ranges, event
//! counts, the time span covered, and every finding. Read-only.

use super::Case;
use super::table::bundle::{self, BundleSummary};
use super::table::finding::{self, StoredFinding};
use super::table::{bundle_chain, event};
use crate::Result;
use crate::verify::{Verdict, combine};

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
    let mut bundles = bundle::summaries(connection)?;
    for summary in &mut bundles {
        summary.chains = bundle_chain::of_bundle(connection, summary.bundle_idx)?;
    }
    let counts = event::counts(connection)?;
    let n_events = counts.rows - counts.omitted - counts.malformed + counts.omitted_and_malformed;
    let (first_ts, last_ts) = event::time_span(connection)?;
    let findings = stored_findings(case)?;
    Ok(CaseStatus {
        bundles,
        n_events,
        n_omitted: counts.omitted,
        n_malformed: counts.malformed,
        first_ts,
        last_ts,
        findings,
    })
}

/// Every finding stored in the case, in the order found.
pub fn stored_findings(case: &Case) -> Result<Vec<StoredFinding>> {
    finding::all(case.connection())
}

/// The findings that point at one stored event, in the order found.
pub fn findings_of_event(case: &Case, event_idx: i64) -> Result<Vec<StoredFinding>> {
    finding::of_event(case.connection(), event_idx)
}
