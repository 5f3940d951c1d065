//! Activity over time: how many events matching a filter fall in each hour, day, week
//! or month, for a histogram, and which of those periods stand out as spikes
//! (e.g. a burst of permission denials).

use super::events::EventFilter;
use crate::Result;
use crate::case::Case;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Period lengths a histogram may use, shortest first, with their names.
const PERIODS: [(i64, &str); 6] = [
    (HOUR, "hour"),
    (6 * HOUR, "6 hours"),
    (DAY, "day"),
    (7 * DAY, "week"),
    (30 * DAY, "30 days"),
    (365 * DAY, "365 days"),
];

/// A period counts as a spike when it holds at least this many events …
const SPIKE_MIN_EVENTS: i64 = 5;
/// … and more than this many times the median of the periods with any events.
const SPIKE_FACTOR: i64 = 4;

/// Events per period, oldest period first.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Start of the first period, ms since the epoch (UTC), aligned to the period.
    pub start: i64,
    /// Length of each period in ms.
    pub period_ms: i64,
    /// "hour", "day", "week", …
    pub period_name: &'static str,
    pub counts: Vec<i64>,
    /// Indexes into `counts` of periods far busier than usual.
    pub spikes: Vec<usize>,
    /// Matching events without a readable time (not counted in any period).
    pub untimed: i64,
}

/// Counts the events matching `filter` per period, using the shortest period that
/// keeps the histogram within `max_periods` bars.
pub fn activity(case: &Case, filter: &EventFilter, max_periods: usize) -> Result<Activity> {
    let max_periods = max_periods.max(1) as i64;
    let answerer = super::events::Answerer::for_filter(case, filter)?;
    let (first, last, untimed) = answerer.time_bounds()?;
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(Activity {
            start: 0,
            period_ms: DAY,
            period_name: "day",
            counts: Vec::new(),
            spikes: Vec::new(),
            untimed,
        });
    };
    let (period_ms, period_name) = PERIODS
        .iter()
        .copied()
        .find(|(length, _)| {
            let start = first.div_euclid(*length) * length;
            (last - start) / length < max_periods
        })
        .unwrap_or(PERIODS[PERIODS.len() - 1]);
    let start = first.div_euclid(period_ms) * period_ms;
    let n_periods = ((last - start) / period_ms + 1) as usize;
    let mut counts = vec![0i64; n_periods];
    let per_period = answerer.count_per_period(start, period_ms)?;
    for (period, count) in per_period {
        if let Some(slot) = usize::try_from(period).ok().and_then(|p| counts.get_mut(p)) {
            *slot = count;
        }
    }
    let spikes = spikes(&counts);
    Ok(Activity {
        start,
        period_ms,
        period_name,
        counts,
        spikes,
        untimed,
    })
}

/// Periods with at least `SPIKE_MIN_EVENTS` events and more than `SPIKE_FACTOR` times
/// the median of the busy periods.
fn spikes(counts: &[i64]) -> Vec<usize> {
    let mut busy: Vec<i64> = counts.iter().copied().filter(|&c| c > 0).collect();
    if busy.len() < 3 {
        return Vec::new();
    }
    busy.sort_unstable();
    let median = busy[busy.len() / 2];
    counts
        .iter()
        .enumerate()
        .filter(|&(_, &count)| count >= SPIKE_MIN_EVENTS && count > SPIKE_FACTOR * median)
        .map(|(index, _)| index)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::spikes;

    #[test]
    fn a_period_far_above_the_median_is_a_spike() {
        assert_eq!(spikes(&[2, 3, 0, 2, 40, 3, 2]), vec![4]);
    }

    #[test]
    fn an_even_series_has_no_spike() {
        assert!(spikes(&[10, 12, 9, 11, 13]).is_empty());
        // A few events are never a spike, however quiet the rest.
        assert!(spikes(&[1, 1, 0, 1, 4]).is_empty());
        assert!(spikes(&[0, 50]).is_empty());
    }
}
