//! Importing a bundle into a case: verification and storage in one pass over the bytes.
//!
//! The whole import is one IMMEDIATE transaction: a crash or kill at any moment leaves
//! the case as it was (SQLite rolls the journal back on the next open), and a finished
//! import is all there. Every line is stored byte-exact beside its parsed columns;
//! malformed lines are stored too, quarantined, with their line numbers. Re-importing
//! the same bundle (same digest) adds nothing. Overlapping bundles of one chain are
//! de-duplicated per (chain, seq) when they agree, and reported as `equivocation` when
//! they do not; gaps and mismatched joins between bundles are `discontinuity`.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Transaction, TransactionBehavior};

use super::continuity::{self, StateJob, StateJobs};
use super::table;
use super::table::actor::ActorTally;
use super::table::bundle_chain::HeldPart;
use super::table::event::{DeferredIndexes, NewEvent};
use super::{Case, UNKNOWN_TS};

use crate::canonical::{sha256, to_hex};
use crate::source::{Mapping, Source};
use crate::state::{StateFold, Step};
use crate::verify::{
    EventFields, Finding, FindingKind, LineCheck, LineSink, Report, SeenLine, Verdict,
    VerifyOptions, combine,
};
use crate::{Error, Result};

/// How far an import has come, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct ImportProgress {
    pub bytes_read: u64,
    /// Total bytes of the events files, when known.
    pub bytes_total: Option<u64>,
    pub lines: u64,
    pub elapsed: Duration,
}

impl ImportProgress {
    /// Lines read per second so far.
    pub fn events_per_second(&self) -> f64 {
        self.lines as f64 / self.elapsed.as_secs_f64().max(1e-3)
    }

    /// Share of the events files read, 0 to 1, when their size is known.
    pub fn fraction_done(&self) -> Option<f64> {
        let total = self.bytes_total.filter(|total| *total > 0)?;
        Some((self.bytes_read as f64 / total as f64).clamp(0.0, 1.0))
    }

    /// Seconds left at the rate so far, when the size is known and reading has begun.
    pub fn seconds_left(&self) -> Option<f64> {
        let done = self.fraction_done().filter(|done| *done > 0.0)?;
        Some(self.elapsed.as_secs_f64() * (1.0 - done) / done)
    }
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub bundle_idx: i64,
    /// The bundle (same digest) was already in the case; nothing was added.
    pub already_imported: bool,
    pub report: Report,
    /// Event rows added (lines already held from an overlapping bundle are not re-added).
    pub events_added: u64,
    /// Lines that an earlier bundle of the case already held with the same hash.
    pub overlapping: u64,
    /// Findings about the case as a whole: discontinuity and equivocation between bundles.
    pub case_findings: Vec<Finding>,
}

impl ImportOutcome {
    /// The verdict on what this import brought in: the bundle's, made broken by any
    /// case finding that breaks (never by a warning), as `status` would say it.
    pub fn verdict(&self) -> Verdict {
        combine(
            [self.report.verdict()],
            self.case_findings.iter().map(Finding::severity),
        )
    }
}

/// Imports one bundle into the case, verifying it on the way. `now` is the import time
/// to record (RFC 3339), passed in so tests are deterministic. `progress` is called
/// as the import goes; returning `ControlFlow::Break` cancels it, leaving the case as
/// it was (`Error::Cancelled`).
pub fn import_bundle(
    case: &mut Case,
    path: &Path,
    options: &VerifyOptions,
    now: &str,
    progress: &mut dyn FnMut(ImportProgress) -> ControlFlow<()>,
) -> Result<ImportOutcome> {
    import_source(case, path, None, options, now, progress)
}

/// Imports one source into the case: an audit bundle when `mapping` is `None`, else a
/// CSV or JSON file read through the mapping (see [`import_bundle`]).
pub fn import_source(
    case: &mut Case,
    path: &Path,
    mapping: Option<&Mapping>,
    options: &VerifyOptions,
    now: &str,
    progress: &mut dyn FnMut(ImportProgress) -> ControlFlow<()>,
) -> Result<ImportOutcome> {
    let mut source = Source::open(path, mapping, options.limits)?;
    let bytes_total = source.bytes_total();
    let reviewer = case.reviewer().cloned();
    let transaction = case
        .connection_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;

    let case_was_empty = table::event::is_empty(&transaction)?;
    // Into an empty case, rows go in without indexes and the indexes are built once at
    // the end (a sort instead of a million B-tree inserts); `table::event` reads their
    // SQL back from the schema, so the migrations stay the one place that defines them.
    let deferred_indexes = if case_was_empty {
        table::event::defer_indexes(&transaction)?
    } else {
        DeferredIndexes::default()
    };
    let chains_held: HashSet<String> = table::event::chains(&transaction)?;

    let bundle_idx = table::bundle::insert_pending(&transaction, &path.display().to_string(), now)?;

    let facets = table::facet::FacetTally::load(&transaction)?;
    let columns = super::columns::ColumnWriter::open(&transaction)?;
    let inserter = table::event::Inserter::new(&transaction)?;
    let hashed_as_read = source.files_hashed_as_read();
    let started = Instant::now();
    // The continuity checker runs beside the inserts; its findings join the case's.
    let (report, parts, state_findings, received) = std::thread::scope(|scope| {
        let (state_jobs, checker) = continuity::spawn(scope);
        // A receipt seals the rows stored and names the files as received: both are
        // hashed while the import reads them, on threads of their own.
        let (seal_feed, custody) = reviewer
            .is_some()
            .then(|| super::receipt::spawn_custody(scope, path, hashed_as_read))
            .unzip();
        let mut sink = ImportSink {
            transaction: &transaction,
            inserter,
            bundle_idx,
            case_was_empty,
            state_jobs,
            primed: HashSet::new(),
            stubs_per_chain: HashMap::new(),
            chains_held,
            actors: HashMap::new(),
            facets,
            columns,
            finding_rows: HashMap::new(),
            case_findings: Vec::new(),
            events_added: 0,
            overlapping: 0,
            lines: 0,
            progress,
            bytes_total,
            started,
            file_rows: None,
            raw: super::raw::RawPacker::new(),
            seal_feed,
        };
        let report = source
            .read_into(options, &mut sink)
            .and_then(|report| sink.flush_file_rows().map(|()| report));
        let ImportSink {
            actors,
            facets,
            columns,
            finding_rows,
            case_findings,
            events_added,
            overlapping,
            state_jobs,
            seal_feed,
            ..
        } = sink;
        drop(seal_feed);
        drop(state_jobs);
        let state_findings = checker
            .join()
            .expect("the continuity checker does not panic");
        let received = custody.map(|custody| custody.join().expect("sealing does not panic"));
        (
            report,
            (
                (actors, facets, columns),
                finding_rows,
                case_findings,
                events_added,
                overlapping,
            ),
            state_findings,
            received,
        )
    });
    let report = report?;
    if report.verdict() == Verdict::Empty {
        transaction.rollback()?;
        return Err(Error::NoEvents {
            path: path.to_owned(),
        });
    }
    let ((actors, facets, columns), mut finding_rows, mut case_findings, events_added, overlapping) =
        parts;
    for (finding, event_idx) in state_findings {
        if let (Some(file), Some(line)) = (&finding.file, finding.line) {
            finding_rows.insert((file.clone(), line), event_idx);
        }
        case_findings.push(finding);
    }

    let digest = bundle_digest(&report);
    let existing: Option<i64> = table::bundle::with_digest(&transaction, &digest)?;
    if let Some(existing) = existing {
        transaction.rollback()?;
        case.record(
            super::journal::JournalEntry::new("source.imported_again", "import")
                .target(
                    "Source",
                    &existing.to_string(),
                    Some(&path.display().to_string()),
                )
                .context(serde_json::json!({
                    "path": path.display().to_string(),
                    "verdict": report.verdict().as_str(),
                    "note": "already in this case: nothing was added",
                })),
        )?;
        return Ok(ImportOutcome {
            bundle_idx: existing,
            already_imported: true,
            report,
            events_added: 0,
            overlapping: 0,
            case_findings: Vec::new(),
        });
    }

    store_report(&transaction, bundle_idx, &digest, &report, events_added)?;
    case_findings.extend(check_continuity(&transaction, bundle_idx, &report)?);
    for finding in report.findings.iter().chain(&case_findings) {
        let file = finding.file.clone().unwrap_or_default();
        let mut event_idx = finding
            .line
            .and_then(|line| finding_rows.get(&(file.clone(), line)))
            .copied();
        // A finding known only when the walk ended (a duplicate id: verify::ids) is
        // tied to its row now, and a breaking one fails that row's checks as it would
        // have at its line.
        let late = event_idx.is_none() && finding.line.is_some() && !file.is_empty();
        if let (true, Some(line)) = (late, finding.line) {
            event_idx = table::event::idx_at_line(&transaction, bundle_idx, &file, line)?;
        }
        table::finding::insert(&transaction, Some(bundle_idx), finding, event_idx)?;
        if late
            && let Some(event_idx) = event_idx
            && finding.severity() == crate::verify::Severity::Break
        {
            table::event::recheck_ok(&transaction, event_idx)?;
        }
    }
    table::actor::add_tallies(&transaction, &actors, report.bundle.source.as_str())?;
    facets.store(&transaction)?;
    columns.finish(&transaction)?;
    for (file, sha256, _) in &report.bundle.files {
        table::source_file::set_sha256(&transaction, bundle_idx, file, sha256)?;
    }
    table::event::build_deferred_indexes(&transaction, &deferred_indexes)?;
    if let (Some(reviewer), Some(received)) = (&reviewer, received) {
        let receipt = super::receipt::seal(
            &transaction,
            reviewer,
            bundle_idx,
            path,
            &report,
            now,
            received?.complete(&report.bundle.files)?,
        )?;
        super::journal::append(
            &transaction,
            reviewer,
            &super::receipt::journal_entry(&receipt, events_added),
        )?;
    }
    transaction.commit()?;
    Ok(ImportOutcome {
        bundle_idx,
        already_imported: false,
        report,
        events_added,
        overlapping,
        case_findings,
    })
}

/// The bundle's identity: its manifest and events files, by content.
pub(super) fn bundle_digest(report: &Report) -> String {
    let mut text = format!(
        "manifest {}\n",
        report.bundle.manifest_sha256.as_deref().unwrap_or("none")
    );
    for (name, sha, bytes) in &report.bundle.files {
        text.push_str(&format!("file {name:?} {sha} {bytes}\n"));
    }
    // The same file read through another mapping is another import.
    if let Some(mapping) = &report.bundle.mapping_sha256 {
        text.push_str(&format!("mapping {mapping}\n"));
    }
    to_hex(&sha256(text.as_bytes()))
}

/// Stores each line as verification hands it over.
struct ImportSink<'t, 'p> {
    transaction: &'t Transaction<'t>,
    /// Stores the rows.
    inserter: table::event::Inserter<'t>,
    bundle_idx: i64,
    case_was_empty: bool,
    /// State changes go to the continuity checker's thread (`continuity`).
    state_jobs: StateJobs,
    /// Records already primed with the state the case's earlier bundles left.
    primed: HashSet<(String, String)>,
    stubs_per_chain: HashMap<String, u64>,
    /// Chains the case held before this import: only their lines can overlap.
    chains_held: HashSet<String>,
    actors: HashMap<String, ActorTally>,
    /// The facet dictionary, and counts by facet value of the rows added (`facet_count`).
    facets: table::facet::FacetTally,
    /// The rows' codes and times (`columns`).
    columns: super::columns::ColumnWriter,
    /// (file, line) -> event_idx, for lines with findings.
    finding_rows: HashMap<(String, u64), i64>,
    case_findings: Vec<Finding>,
    events_added: u64,
    overlapping: u64,
    lines: u64,
    progress: &'p mut dyn FnMut(ImportProgress) -> ControlFlow<()>,
    bytes_total: Option<u64>,
    started: Instant,
    /// The rows of the file being read so far (stored when the next file begins).
    file_rows: Option<table::source_file::FileRows>,
    /// Compresses the records (`case::raw`).
    raw: super::raw::RawPacker,
    /// Seals the rows stored, for the reviewer's receipt (when there is a reviewer).
    seal_feed: Option<super::receipt::SealFeed>,
}

impl ImportSink<'_, '_> {
    /// Counts a row into its file's range, storing the previous file's when it changes.
    fn note_file_row(&mut self, file: &str, event_idx: i64) -> Result<()> {
        match &mut self.file_rows {
            Some(rows) if rows.file == file => {
                rows.last_event_idx = event_idx;
                rows.n_rows += 1;
                return Ok(());
            }
            _ => {}
        }
        self.flush_file_rows()?;
        self.file_rows = Some(table::source_file::FileRows {
            file: file.to_owned(),
            first_event_idx: event_idx,
            last_event_idx: event_idx,
            n_rows: 1,
        });
        Ok(())
    }

    fn flush_file_rows(&mut self) -> Result<()> {
        if let Some(rows) = self.file_rows.take() {
            table::source_file::insert(self.transaction, self.bundle_idx, &rows)?;
        }
        Ok(())
    }
}

impl LineSink for ImportSink<'_, '_> {
    fn wants_fields(&self) -> bool {
        true
    }

    fn progress(&mut self, bytes_read: u64) -> Result<()> {
        let progress = ImportProgress {
            bytes_read,
            bytes_total: self.bytes_total,
            lines: self.lines,
            elapsed: self.started.elapsed(),
        };
        match (self.progress)(progress) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(crate::Error::Cancelled),
        }
    }

    fn line(&mut self, seen: SeenLine<'_>) -> Result<()> {
        self.lines += 1;
        let (link, malformed) = match seen.check {
            LineCheck::Event(link) => (Some(link), None),
            LineCheck::Unchained { .. } => (None, None),
            LineCheck::Malformed { reason, link, .. } => {
                let reason = match seen.span.too_long {
                    Some(length) => {
                        format!("the line is {length} bytes long, over the limit; it was not read")
                    }
                    None => reason.clone(),
                };
                (link.as_ref(), Some(reason))
            }
        };
        let (chain, seq) = match seen.check {
            LineCheck::Event(link) => (Some(link.chain.as_str()), Some(link.seq)),
            LineCheck::Unchained { .. } => (None, None),
            LineCheck::Malformed { chain, seq, .. } => (chain.as_deref(), *seq),
        };

        if let Some(link) = link
            && self.chains_held.contains(&link.chain)
        {
            let held = table::event::hashes_at(self.transaction, &link.chain, link.seq)?;
            if held.iter().any(|hash| hash.as_slice() == link.hash) {
                self.overlapping += 1;
                return Ok(()); // the case already holds this very event
            }
            if let Some(other) = held.first() {
                self.case_findings.push(
                    Finding::new(FindingKind::Equivocation)
                        .chain(&link.chain)
                        .seq(link.seq)
                        .at(seen.file, seen.span.line_no, seen.span.offset)
                        .expected(to_hex(other))
                        .actual(to_hex(&link.hash))
                        .detail("an earlier bundle of this case holds a different event at this position"),
                );
            }
        }

        let mut fields = seen.fields.unwrap_or_default();
        let is_stub = link.is_some_and(|l| l.is_stub);
        // Proven: its own hash recomputes, or its source vouches for it another way.
        let hash_ok = link.is_some_and(|l| l.recomputed.is_none_or(|r| r == l.hash))
            || matches!(seen.check, LineCheck::Unchained { vouched: true });
        let checks_ok = malformed.is_none() && hash_ok && seen.n_breaking_findings == 0;
        let ts = link
            .and_then(|l| l.ts.as_ref().map(|t| t.1))
            .or(fields.ts_millis)
            .unwrap_or(UNKNOWN_TS);
        let (stored, raw_codec) = self.raw.pack(self.transaction, seen.raw)?;
        if let Some(seal_feed) = &mut self.seal_feed {
            seal_feed.push(
                seen.file,
                seen.span.line_no as i64,
                seen.raw,
                seen.normalized,
            );
        }
        let new_event = NewEvent {
            bundle_idx: self.bundle_idx,
            file: seen.file,
            line: seen.span.line_no,
            chain,
            seq,
            ts,
            fields: &fields,
            omitted: is_stub,
            malformed: malformed.as_deref(),
            hash: link.map(|l| l.hash.as_slice()),
            checks_ok,
            raw: &stored,
            raw_codec,
            normal: seen.normalized,
        };
        let event_idx = self.inserter.insert(&new_event)?;
        let codes = self.facets.add(&new_event);
        self.columns
            .push(self.transaction, event_idx, new_event.ts, is_stub, &codes)?;
        self.events_added += 1;
        self.note_file_row(seen.file, event_idx)?;
        if is_stub && let Some(chain) = chain {
            *self.stubs_per_chain.entry(chain.to_owned()).or_default() += 1;
        }
        if let (Some(target_type), Some(target_id), Some(change), Some(chain)) = (
            &fields.target_type,
            &fields.target_id,
            fields.state_change.take(),
            chain,
        ) {
            let key = (target_type.clone(), target_id.clone());
            let primed = if self.case_was_empty || self.primed.contains(&key) {
                None
            } else {
                self.primed.insert(key.clone());
                Some(self.fold_held(target_type, target_id)?)
            };
            let job = StateJob {
                target_type: key.0,
                target_id: key.1,
                chain: chain.to_owned(),
                stubs_in_chain: self.stubs_per_chain.get(chain).copied().unwrap_or(0),
                change,
                seq,
                file: seen.file.to_owned(),
                line: seen.span.line_no,
                byte_offset: seen.span.offset,
                event_idx,
                primed,
            };
            self.state_jobs.push(job);
        }
        if seen.n_findings > 0 || malformed.is_some() {
            self.finding_rows
                .insert((seen.file.to_owned(), seen.span.line_no), event_idx);
        }
        if let Some(actor_id) = fields.actor_id.as_ref().filter(|_| !is_stub) {
            if !self.actors.contains_key(actor_id) {
                let tally = ActorTally {
                    first_ts: i64::MAX,
                    last_ts: i64::MIN,
                    ..ActorTally::default()
                };
                self.actors.insert(actor_id.clone(), tally);
            }
            let tally = self.actors.get_mut(actor_id).expect("inserted above");
            tally.n_events += 1;
            if fields.actor_type.is_some() && tally.actor_type != fields.actor_type {
                tally.actor_type.clone_from(&fields.actor_type);
            }
            if fields.actor_name.is_some() && tally.name != fields.actor_name {
                tally.name.clone_from(&fields.actor_name);
            }
            if tally.email.is_none() {
                tally.email = table::actor::address(fields.actor_email.as_deref(), actor_id);
            }
            if ts != UNKNOWN_TS {
                tally.first_ts = tally.first_ts.min(ts);
                tally.last_ts = tally.last_ts.max(ts);
            }
            match fields.outcome.as_deref() {
                Some("failure") => tally.n_failures += 1,
                Some("denied") => tally.n_denials += 1,
                _ => {}
            }
        }
        Ok(())
    }
}

impl ImportSink<'_, '_> {
    /// The state the case's earlier bundles leave a record in.
    fn fold_held(&self, target_type: &str, target_id: &str) -> Result<StateFold> {
        let mut fold = StateFold::new();
        table::event::for_each_raw_of_target_except(
            self.transaction,
            target_type,
            target_id,
            self.bundle_idx,
            |raw| {
                if let Ok(event) = crate::canonical::parse(raw)
                    && let Some(change) = EventFields::of(&event).state_change
                {
                    fold.apply(Step::Event(&change));
                }
            },
        )?;
        Ok(fold)
    }
}

fn store_report(
    transaction: &Transaction<'_>,
    bundle_idx: i64,
    digest: &str,
    report: &Report,
    events_added: u64,
) -> Result<()> {
    table::bundle::set_report(transaction, bundle_idx, digest, report, events_added)?;
    for chain in &report.chains {
        table::bundle_chain::insert(transaction, bundle_idx, chain)?;
    }
    Ok(())
}

/// Spec §7: a bundle that starts where another of the case ends must link to its head;
/// a gap between bundles of one chain is reported too.
fn check_continuity(
    transaction: &Transaction<'_>,
    bundle_idx: i64,
    report: &Report,
) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for chain in &report.chains {
        let others: Vec<HeldPart> =
            table::bundle_chain::of_chain_except(transaction, &chain.id, bundle_idx)?;
        if others.is_empty() {
            continue;
        }
        let (first, last) = (chain.first_seq as i64, chain.last_seq as i64);
        // The bundle that ends just before this one starts, or overlaps its start.
        if first > 1 {
            let before: Option<&HeldPart> = others
                .iter()
                .filter(|o| o.first_seq < first)
                .max_by_key(|o| o.last_seq);
            match before {
                Some(other)
                    if other.last_seq == first - 1
                        && chain.start_prev_hash.as_deref() != Some(other.head_hash.as_str()) =>
                {
                    findings.push(
                            Finding::new(FindingKind::Discontinuity)
                                .chain(&chain.id)
                                .seq(chain.first_seq)
                                .expected(other.head_hash.clone())
                                .actual(chain.start_prev_hash.clone().unwrap_or_default())
                                .detail(format!(
                                    "this bundle's first event does not link to the head of the earlier bundle (seq {})",
                                    other.last_seq
                                )),
                        );
                }
                Some(other) if other.last_seq < first - 1 => findings.push(
                    Finding::new(FindingKind::Discontinuity)
                        .chain(&chain.id)
                        .seq_range((other.last_seq + 1) as u64, chain.first_seq - 1)
                        .detail("no bundle of the case holds these events: a gap between bundles"),
                ),
                _ => {}
            }
        }
        // A bundle of the case that starts right after this one ends.
        for other in others.iter().filter(|o| o.first_seq == last + 1) {
            if other.start_prev_hash.as_deref() != Some(chain.head_hash.as_str()) {
                findings.push(
                    Finding::new(FindingKind::Discontinuity)
                        .chain(&chain.id)
                        .seq(other.first_seq as u64)
                        .expected(chain.head_hash.clone())
                        .actual(other.start_prev_hash.clone().unwrap_or_default())
                        .detail(
                            "the later bundle's first event does not link to this bundle's head",
                        ),
                );
            }
        }
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_gives_rate_share_and_time_left() {
        let progress = ImportProgress {
            bytes_read: 250,
            bytes_total: Some(1000),
            lines: 5000,
            elapsed: Duration::from_secs(2),
        };
        assert_eq!(progress.events_per_second(), 2500.0);
        assert_eq!(progress.fraction_done(), Some(0.25));
        assert_eq!(progress.seconds_left(), Some(6.0));
        let unknown = ImportProgress {
            bytes_total: None,
            ..progress
        };
        assert_eq!(unknown.fraction_done(), None);
        assert_eq!(unknown.seconds_left(), None);
        let starting = ImportProgress {
            bytes_read: 0,
            ..progress
        };
        assert_eq!(starting.seconds_left(), None);
    }
}
