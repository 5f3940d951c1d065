//! State continuity during an import (spec §8 `state_discontinuity`): each record's
//! state is folded from its events as they arrive (`crate::state`), on a thread of its
//! own so the fold overlaps the inserts, and an event whose `before` disagrees with the
//! folded state becomes a warning.
//!
//! Memory is bounded: at most `MAX_RECORDS` records are held, the least recently
//! changed are dropped first, and a dropped record that changes again starts over by
//! learning from that event's `before` (so nothing is reported that the tracker cannot
//! back up; the record's timeline still re-checks its whole history). It never touches
//! the database: records already in the case are primed by the caller.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use serde_json::Value;

use crate::state::{StateFold, Step};
use crate::verify::{Finding, FindingKind};

/// Records held at most; about 1 KiB each.
pub const MAX_RECORDS: usize = 50_000;

/// One state change to check, with where it is.
pub struct StateJob {
    pub target_type: String,
    pub target_id: String,
    pub chain: String,
    /// Stubs (omitted events) seen in the chain so far.
    pub stubs_in_chain: u64,
    /// `{action, outcome, before, after}` with compact values (`EventFields::state_change`).
    pub change: Value,
    pub seq: Option<u64>,
    pub file: String,
    pub line: u64,
    pub byte_offset: u64,
    pub event_idx: i64,
    /// The state the case's earlier bundles left the record in, the first time it is seen.
    pub primed: Option<StateFold>,
}

struct Record {
    fold: StateFold,
    stubs_in_chain: u64,
    last_changed: u64,
}

/// Jobs go to the checker in batches of this many: one hand-over per job cost more
/// CPU in waking threads (about 7% of an import) than the checks themselves.
const BATCH: usize = 1024;

/// Hands jobs to the checker, a batch at a time; dropping it sends the last batch and
/// lets the checker finish.
pub struct StateJobs {
    batch: Vec<StateJob>,
    sender: SyncSender<Vec<StateJob>>,
}

impl StateJobs {
    /// Queues one job; jobs must come in event order.
    pub fn push(&mut self, job: StateJob) {
        self.batch.push(job);
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        // The checker only stops when this sender is dropped; a send error means it
        // panicked, which its join reports.
        let _ = self.sender.send(batch);
    }
}

impl Drop for StateJobs {
    fn drop(&mut self) {
        if !self.batch.is_empty() {
            self.flush();
        }
    }
}

/// Starts the checker; push it jobs in event order, drop the feed, then join it for
/// the findings (each with the row it is about).
pub fn spawn<'scope>(
    scope: &'scope Scope<'scope, '_>,
) -> (StateJobs, ScopedJoinHandle<'scope, Vec<(Finding, i64)>>) {
    let (sender, receiver) = sync_channel(4);
    let feed = StateJobs {
        batch: Vec::with_capacity(BATCH),
        sender,
    };
    (feed, scope.spawn(move || check_all(receiver)))
}

fn check_all(batches: Receiver<Vec<StateJob>>) -> Vec<(Finding, i64)> {
    let mut records: HashMap<(String, String), Record> = HashMap::new();
    let mut findings = Vec::new();
    for (tick, job) in batches.into_iter().flatten().enumerate() {
        let tick = tick as u64;
        let key = (job.target_type, job.target_id);
        let record = records.entry(key.clone()).or_insert_with(|| Record {
            fold: job.primed.unwrap_or_default(),
            stubs_in_chain: job.stubs_in_chain,
            last_changed: tick,
        });
        if record.stubs_in_chain != job.stubs_in_chain {
            record.fold.apply(Step::Omitted);
            record.stubs_in_chain = job.stubs_in_chain;
        }
        record.last_changed = tick;
        for discrepancy in record.fold.apply(Step::Event(&job.change)) {
            let (expected, actual) = (shown(&discrepancy.expected), shown(&discrepancy.actual));
            let mut finding = Finding::new(FindingKind::StateDiscontinuity)
                .chain(&job.chain)
                .at(&job.file, job.line, job.byte_offset)
                .detail(format!(
                    "{} {}, field {}: the earlier events left {expected}, this event's before says {actual}",
                    key.0, key.1, discrepancy.field
                ))
                .expected(expected)
                .actual(actual);
            if let Some(seq) = job.seq {
                finding = finding.seq(seq);
            }
            findings.push((finding, job.event_idx));
        }
        let state = record.fold.state();
        if !state.exists && state.fields.is_empty() {
            records.remove(&key); // deleted: nothing left to compare with
        }
        if records.len() > MAX_RECORDS {
            forget_least_recent_half(&mut records);
        }
    }
    findings
}

fn forget_least_recent_half(records: &mut HashMap<(String, String), Record>) {
    let mut ticks: Vec<u64> = records.values().map(|r| r.last_changed).collect();
    let middle = ticks.len() / 2;
    let (_, cutoff, _) = ticks.select_nth_unstable(middle);
    let cutoff = *cutoff;
    records.retain(|_, record| record.last_changed >= cutoff);
}

/// A compact stand-in (see `EventFields::state_change`) as a reviewer reads it.
fn shown(stand_in: &Value) -> String {
    match stand_in.as_str() {
        Some(digest) if digest.starts_with('#') => {
            "a longer value (see the record's timeline)".to_owned()
        }
        Some(canonical_text) => canonical_text.to_owned(),
        None => stand_in.to_string(),
    }
}
