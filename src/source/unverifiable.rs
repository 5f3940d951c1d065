//! The report of a source that carries no integrity of its own (a file read through a
//! mapping, `aws cloudtrail lookup-events` output, the exports of `saas`): one stream
//! whose integrity, linkage, completeness and authenticity are said plainly to be not
//! provable, and whose coverage — the time span and the days in it without events —
//! is measured. Its verdict is `unverifiable` (`empty` when it holds no record), never
//! intact. Built here once for every such source; it never reads a file.

use std::collections::BTreeSet;

use crate::verify::{
    BundleInfo, ChainReport, Dimension, DimensionStatus, Finding, Report, SignatureReport,
    SignatureStatus, Verdict, group,
};

const MS_PER_DAY: i64 = 86_400_000;

/// What completeness says when nothing records how many events there should be.
pub const NO_COUNT: &str = "not provable: nothing records how many events the export should hold";

/// The event times a source held: the first, the last (as they were written), and
/// each UTC day with events.
#[derive(Debug, Default)]
pub struct Times {
    first: Option<(i64, String)>,
    last: Option<(i64, String)>,
    days: BTreeSet<i64>,
}

impl Times {
    /// One event at `ts` (ms since the epoch), written `text`.
    pub fn add(&mut self, ts: i64, text: &str) {
        if self.first.as_ref().is_none_or(|(t, _)| ts < *t) {
            self.first = Some((ts, text.to_owned()));
        }
        if self.last.as_ref().is_none_or(|(t, _)| ts > *t) {
            self.last = Some((ts, text.to_owned()));
        }
        self.days.insert(ts.div_euclid(MS_PER_DAY));
    }

    /// The time span covered and the days in it without events (UTC days): what can be
    /// measured of any source without integrity.
    pub fn coverage(&self) -> Dimension {
        let (Some((first, first_text)), Some((last, last_text))) = (&self.first, &self.last) else {
            return Dimension {
                status: DimensionStatus::Unproven,
                detail: "no readable event times".into(),
            };
        };
        let span_days = (last.div_euclid(MS_PER_DAY) - first.div_euclid(MS_PER_DAY) + 1) as u64;
        let empty_days = span_days - self.days.len() as u64;
        Dimension {
            status: DimensionStatus::Unproven,
            detail: format!(
                "measured: {first_text} to {last_text}, {} {} (UTC), {} without events; nothing proves no events are missing",
                group(span_days),
                if span_days == 1 { "day" } else { "days" },
                match empty_days {
                    0 => "no day".to_owned(),
                    1 => "1 day".to_owned(),
                    n => format!("{} days", group(n)),
                }
            ),
        }
    }
}

/// What was read of a source without integrity: its one stream.
pub struct Stream {
    /// What the stream is called (its file, or the system's name).
    pub id: String,
    /// Why integrity, linkage and authenticity cannot be proven, in words.
    pub not_provable: &'static str,
    /// What completeness says.
    pub completeness: String,
    /// Every record read, those kept in quarantine too.
    pub records: u64,
    pub events: u64,
    pub times: Times,
    pub counts: Vec<(&'static str, u64)>,
}

/// The report of a source without integrity: `stream` as its one chain, `bundle` for
/// where it came from, and the findings made while reading it.
pub fn report(stream: Stream, bundle: BundleInfo, findings: Vec<Finding>) -> Report {
    let not_provable = || Dimension {
        status: DimensionStatus::Unproven,
        detail: stream.not_provable.to_owned(),
    };
    let chain = ChainReport {
        id: stream.id,
        verdict: if stream.records == 0 {
            Verdict::Empty
        } else {
            Verdict::Unverifiable
        },
        events: stream.events,
        omitted: 0,
        first_seq: u64::from(stream.records > 0),
        last_seq: stream.records,
        head_hash: String::new(),
        start_prev_hash: None,
        first_ts: stream.times.first.as_ref().map(|t| t.1.clone()),
        last_ts: stream.times.last.as_ref().map(|t| t.1.clone()),
        integrity: not_provable(),
        linkage: not_provable(),
        completeness: Dimension {
            status: DimensionStatus::Unproven,
            detail: stream.completeness,
        },
        authenticity: not_provable(),
        coverage: stream.times.coverage(),
        counts: stream.counts,
    };
    Report {
        bundle,
        chains: vec![chain],
        signature: SignatureReport {
            status: SignatureStatus::Absent,
            key_id: None,
        },
        findings,
        findings_not_listed: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_counts_the_days_between_the_first_and_last_event_without_any() {
        assert_eq!(
            Times::default().coverage().detail,
            "no readable event times"
        );
        let mut times = Times::default();
        // Out of order: the first and last are by time, not by arrival.
        times.add(5 * MS_PER_DAY + 1, "day 5");
        times.add(MS_PER_DAY, "day 1");
        times.add(MS_PER_DAY + 7, "day 1 again");
        times.add(3 * MS_PER_DAY, "day 3");
        let coverage = times.coverage();
        assert_eq!(coverage.status, DimensionStatus::Unproven);
        assert_eq!(
            coverage.detail,
            "measured: day 1 to day 5, 5 days (UTC), 2 days without events; nothing proves no events are missing"
        );
        let mut one = Times::default();
        one.add(-1, "just before 1970");
        assert!(
            one.coverage()
                .detail
                .contains("1 day (UTC), no day without"),
            "{}",
            one.coverage().detail
        );
    }
}
