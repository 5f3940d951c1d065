//! The sequential half of verification: walks the checked lines in file order and
//! checks what depends on order — links, seq continuity, duplicate ids, timestamps,
//! checkpoints — then compares each chain with the manifest (version 2: its Merkle
//! root too, built as the events pass).
//!
//! It never stops at the first break: every damaged place becomes a finding and the
//! walk goes on. State is per chain (a few hashes and counters, and for version 2 the
//! O(log n) stack of a Merkle tree); event ids go to `ids::DuplicateIds`, which keeps
//! a bounded batch in memory and the rest in sorted temporary runs, so memory does not
//! grow with the events. Duplicate ids are therefore reported when the walk ends
//! (`finish_chains`), located at the line that reuses the id.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use crate::bundle::{FormatVersion, LineSpan, Manifest};
use crate::canonical::{Digest32, to_hex};
use crate::merkle::TreeBuilder;

use super::event::{LineCheck, Link};
use super::ids::{DuplicateIds, Place};
use super::policy::Severity;
use super::report::{Finding, FindingKind, MAX_FINDINGS_PER_KIND, group};
use super::trust::Checkpoint;

/// The `prev_hash` of the first event of every chain (spec §3).
pub const GENESIS: Digest32 = [0; 32];

/// What became of a chain's Merkle root (spec v2 §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MerkleCheck {
    /// Not a version 2 bundle, or no manifest entry to compare with.
    NotApplicable,
    /// The root computed from the events is the manifest's.
    Matched,
    /// The root computed from the events differs (a `merkle_root_mismatch`).
    Mismatched,
    /// The bundle holds a segment (first seq > 1): the root covers events it does not
    /// hold, so it cannot be recomputed from this bundle alone. Not a failure.
    NotCheckable,
    /// Events are missing or out of place (other findings say which), so no root was
    /// computed to compare.
    Incomplete,
}

/// What the walk knows about one chain.
#[derive(Debug, Clone)]
pub struct ChainState {
    pub id: String,
    /// Seq of the first event seen.
    pub first_seq: u64,
    /// Highest seq accepted in order, and its declared hash.
    pub last_seq: u64,
    pub last_hash: Digest32,
    /// Lines of this chain, stubs and out-of-order lines included (the manifest's event_count).
    pub lines: u64,
    pub events: u64,
    pub omitted: u64,
    pub earliest_ts: Option<(String, i64)>,
    pub latest_ts: Option<(String, i64)>,
    previous_ts: Option<(String, i64)>,
    /// Findings per kind on this chain (all of them, even those not listed).
    pub counts: HashMap<FindingKind, u64>,
    /// Seq ranges (first, last) that a checkpoint the reviewer holds binds. A
    /// checkpoint at seq N binds only the full events after the last version 1 stub
    /// before N: such a stub's hash is a bare claim, not computed over its `prev_hash`
    /// (spec v1 §4), so nothing ties the events before it to what follows it. A version
    /// 2 stub's hash is recomputed, so it binds like an event.
    pub vouched: Vec<(u64, u64)>,
    /// The highest seq of a stub whose hash is a bare claim (version 1) accepted so far.
    last_stub_seq: Option<u64>,
    /// Stubs whose hash could not be recomputed (version 1): each binds nothing before it.
    pub unbound_omitted: u64,
    /// Version 2: the Merkle tree over the hashes of seq 1, 2, … as accepted, while
    /// they run without a gap from seq 1; `None` once they do not.
    merkle: Option<TreeBuilder>,
    pub merkle_check: MerkleCheck,
    /// Whether the chain's first event could be anchored (genesis or the manifest's start hash).
    pub anchored: bool,
    /// `prev_hash` of the first event placed.
    pub start_prev_hash: Option<Digest32>,
}

impl ChainState {
    pub fn count(&self, kind: FindingKind) -> u64 {
        self.counts.get(&kind).copied().unwrap_or(0)
    }

    pub fn count_where(&self, f: impl Fn(FindingKind) -> bool) -> u64 {
        self.counts
            .iter()
            .filter(|(k, _)| f(**k))
            .map(|(_, n)| n)
            .sum()
    }

    pub fn is_broken(&self) -> bool {
        self.count_where(|k| k.severity() == Severity::Break) > 0
    }

    /// The ranges of seq that checkpoints vouch for, merged and in order.
    pub fn vouched_ranges(&self) -> Vec<(u64, u64)> {
        merge_ranges(self.vouched.clone())
    }

    /// The ranges of seq of this chain that no checkpoint vouches for, in order.
    pub fn unvouched_ranges(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut next = self.first_seq;
        for (from, to) in self.vouched_ranges() {
            if from > next {
                out.push((next, from - 1));
            }
            next = next.max(to.saturating_add(1));
        }
        if next <= self.last_seq {
            out.push((next, self.last_seq));
        }
        out
    }
}

/// Sorts ranges and merges those that overlap or touch.
fn merge_ranges(mut ranges: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (from, to) in ranges {
        match merged.last_mut() {
            Some(last) if from <= last.1.saturating_add(1) => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// Collects findings, keeping at most `MAX_FINDINGS_PER_KIND` of each kind in memory.
#[derive(Debug, Default)]
pub struct FindingSink {
    pub listed: Vec<Finding>,
    per_kind: HashMap<FindingKind, u64>,
    breaking: u64,
    total: u64,
}

impl FindingSink {
    fn push(&mut self, finding: Finding) {
        self.total += 1;
        if finding.severity() == Severity::Break {
            self.breaking += 1;
        }
        let n = self.per_kind.entry(finding.kind).or_default();
        *n += 1;
        if *n as usize <= MAX_FINDINGS_PER_KIND {
            self.listed.push(finding);
        }
    }

    /// How many findings were counted so far (listed or not).
    pub fn n_total(&self) -> u64 {
        self.total
    }

    /// How many breaking findings were counted so far (listed or not).
    pub fn n_breaking(&self) -> u64 {
        self.breaking
    }

    /// Per kind, how many findings were counted but not listed.
    pub fn not_listed(&self) -> Vec<(FindingKind, u64)> {
        let mut out: Vec<_> = self
            .per_kind
            .iter()
            .filter(|(_, n)| **n as usize > MAX_FINDINGS_PER_KIND)
            .map(|(k, n)| (*k, n - MAX_FINDINGS_PER_KIND as u64))
            .collect();
        out.sort();
        out
    }
}

/// The sequential walk over one bundle's lines.
pub struct ChainWalk<'a> {
    manifest: Option<&'a Manifest>,
    /// Whether to build each chain's Merkle tree: a version 2 manifest pins its root.
    track_merkle: bool,
    pub chains: Vec<ChainState>,
    chain_index: HashMap<String, usize>,
    /// Event ids seen (128-bit keyed digests and where), for duplicates at the end.
    ids: DuplicateIds,
    id_hasher: [std::hash::RandomState; 2],
    files: Vec<String>,
    checkpoints: HashMap<(String, u64), usize>,
    checkpoint_list: &'a [Checkpoint],
    checkpoint_seen: Vec<bool>,
    pub sink: FindingSink,
    pub malformed_lines: u64,
}

impl<'a> ChainWalk<'a> {
    pub fn new(manifest: Option<&'a Manifest>, checkpoints: &'a [Checkpoint]) -> Self {
        ChainWalk {
            manifest,
            track_merkle: manifest.is_some_and(|m| m.version() == Ok(FormatVersion::V2)),
            chains: Vec::new(),
            chain_index: HashMap::new(),
            ids: DuplicateIds::default(),
            id_hasher: [std::hash::RandomState::new(), std::hash::RandomState::new()],
            files: Vec::new(),
            checkpoints: checkpoints
                .iter()
                .enumerate()
                .map(|(i, c)| ((c.chain.clone(), c.seq), i))
                .collect(),
            checkpoint_list: checkpoints,
            checkpoint_seen: vec![false; checkpoints.len()],
            sink: FindingSink::default(),
            malformed_lines: 0,
        }
    }

    /// Records a finding, counting it on its chain.
    pub fn report(&mut self, finding: Finding) {
        if let Some(chain) = &finding.chain
            && let Some(&i) = self.chain_index.get(chain)
        {
            *self.chains[i].counts.entry(finding.kind).or_default() += 1;
        }
        self.sink.push(finding);
    }

    pub fn begin_file(&mut self, name: &str) {
        self.files.push(name.to_owned());
    }

    fn file(&self) -> &str {
        self.files.last().map_or("", String::as_str)
    }

    /// Takes one checked line, in file order.
    pub fn absorb(&mut self, span: &LineSpan, check: &LineCheck) {
        let file = self.file().to_owned();
        let here = |kind| Finding::new(kind).at(&file, span.line_no, span.offset);
        if let Some(length) = span.too_long {
            self.malformed_lines += 1;
            self.report(here(FindingKind::MalformedLine).detail(format!(
                "the line is {} bytes long, over the limit; it was not read",
                group(length)
            )));
            return;
        }
        match check {
            // A record without a chain has no place in one (never handed to a walk).
            LineCheck::Unchained { .. } => {}
            LineCheck::Event(link) => self.place(link, &file, span),
            LineCheck::Malformed {
                reason,
                chain,
                seq,
                link,
            } => {
                self.malformed_lines += 1;
                let mut finding = here(FindingKind::MalformedLine).detail(reason.clone());
                if let Some(chain) = chain {
                    // Register the chain first so the finding counts against it.
                    self.chain_state(chain, seq.unwrap_or(0));
                    finding = finding.chain(chain);
                }
                if let Some(seq) = *seq {
                    finding = finding.seq(seq);
                }
                self.report(finding);
                if let Some(link) = link {
                    self.place(link, &file, span);
                }
            }
        }
    }

    fn chain_state(&mut self, chain: &str, seq: u64) -> (usize, bool) {
        if let Some(&i) = self.chain_index.get(chain) {
            return (i, false);
        }
        let i = self.chains.len();
        self.chains.push(ChainState {
            id: chain.to_owned(),
            first_seq: seq,
            last_seq: 0,
            last_hash: GENESIS,
            lines: 0,
            events: 0,
            omitted: 0,
            earliest_ts: None,
            latest_ts: None,
            previous_ts: None,
            counts: HashMap::new(),
            vouched: Vec::new(),
            last_stub_seq: None,
            unbound_omitted: 0,
            merkle: self.track_merkle.then(TreeBuilder::new),
            merkle_check: MerkleCheck::NotApplicable,
            anchored: false,
            start_prev_hash: None,
        });
        self.chain_index.insert(chain.to_owned(), i);
        (i, true)
    }

    /// Puts an event (or stub) in its place in its chain and checks everything about that place.
    fn place(&mut self, link: &Link, file: &str, span: &LineSpan) {
        let here = |kind| {
            Finding::new(kind)
                .at(file, span.line_no, span.offset)
                .chain(&link.chain)
                .seq(link.seq)
        };
        let (i, new) = self.chain_state(&link.chain, link.seq);
        if self.chains[i].lines == 0 {
            self.chains[i].first_seq = link.seq;
        }
        self.chains[i].lines += 1;

        if let Some(kind) = &link.unknown_actor_type {
            self.report(here(FindingKind::UnknownActorType).detail(format!("actor type {kind:?}")));
        }
        for path in &link.imprecise_numbers {
            self.report(here(FindingKind::ImpreciseNumber).detail(format!("field {path}")));
        }
        if let (Some(recomputed), Some(declared)) = (link.body_recomputed, link.body_hash)
            && recomputed != declared
        {
            self.report(
                here(FindingKind::BodyHashMismatch)
                    .expected(to_hex(&recomputed))
                    .actual(to_hex(&declared)),
            );
        }
        if let Some(recomputed) = link.recomputed
            && recomputed != link.hash
        {
            let mut finding = here(FindingKind::HashMismatch)
                .expected(to_hex(&recomputed))
                .actual(to_hex(&link.hash));
            if link.version == FormatVersion::V2 {
                finding = finding.detail(if link.is_stub {
                    "the omitted event's hash is not SHA-256 of its prev_hash and body_hash"
                } else {
                    "its hash is not SHA-256 of its prev_hash and body_hash"
                });
            }
            self.report(finding);
        }
        if let Some(id) = &link.id {
            let key = self.id_key(id);
            let place = Place {
                file: self.files.len() as u32 - 1,
                line: span.line_no,
                offset: span.offset,
                chain: i as u32,
                seq: link.seq,
            };
            self.ids.push(key, id, place);
        }

        let state = &self.chains[i];
        let first_event = new || state.last_seq == 0;
        if first_event {
            self.place_first(i, link, file, span);
        } else if link.seq <= state.last_seq {
            let last = state.last_seq;
            self.report(
                here(FindingKind::SeqOutOfOrder)
                    .expected(format!("seq {}", group(last + 1)))
                    .actual(format!("seq {}", group(link.seq))),
            );
            return; // not accepted: the chain continues from the last event in order
        } else {
            let (last_seq, last_hash) = (state.last_seq, state.last_hash);
            if link.seq > last_seq + 1 {
                self.report(
                    here(FindingKind::SeqGap)
                        .seq_range(last_seq + 1, link.seq - 1)
                        .expected(format!("seq {}", group(last_seq + 1)))
                        .actual(format!("seq {}", group(link.seq))),
                );
            }
            if link.prev_hash != last_hash {
                self.report(
                    here(FindingKind::BrokenLink)
                        .expected(to_hex(&last_hash))
                        .actual(to_hex(&link.prev_hash))
                        .detail(format!(
                            "prev_hash does not match the hash of seq {}",
                            group(last_seq)
                        )),
                );
            }
        }
        self.accept(i, link, file, span);
    }

    /// Checks the first event a bundle holds of a chain against genesis or the manifest.
    fn place_first(&mut self, i: usize, link: &Link, file: &str, span: &LineSpan) {
        self.chains[i].start_prev_hash = Some(link.prev_hash);
        let here = |kind| {
            Finding::new(kind)
                .at(file, span.line_no, span.offset)
                .chain(&link.chain)
                .seq(link.seq)
        };
        let entry = self.manifest.and_then(|m| m.chain(&link.chain));
        if let Some(entry) = entry {
            if link.seq > entry.first_seq {
                self.report(
                    here(FindingKind::SeqGap)
                        .seq_range(entry.first_seq, link.seq - 1)
                        .expected(format!("seq {}", group(entry.first_seq)))
                        .actual(format!("seq {}", group(link.seq)))
                        .detail("the chain starts later than the manifest's first_seq"),
                );
            } else if link.seq < entry.first_seq {
                self.report(
                    here(FindingKind::ManifestMismatch)
                        .expected(format!("first seq {}", group(entry.first_seq)))
                        .actual(format!("seq {}", group(link.seq)))
                        .detail("the chain starts earlier than the manifest says"),
                );
            }
        }
        let anchor = if link.seq == 1 {
            Some((
                GENESIS,
                "the first event of a chain must link to 64 zeros (genesis)",
            ))
        } else {
            entry.filter(|e| e.first_seq == link.seq).map(|e| {
                (
                    e.start_prev_hash,
                    "the first event does not link to the manifest's start_prev_hash",
                )
            })
        };
        if let Some((anchor, why)) = anchor {
            self.chains[i].anchored = true;
            if link.prev_hash != anchor {
                self.report(
                    here(FindingKind::BrokenLink)
                        .expected(to_hex(&anchor))
                        .actual(to_hex(&link.prev_hash))
                        .detail(why),
                );
            }
        }
    }

    fn accept(&mut self, i: usize, link: &Link, file: &str, span: &LineSpan) {
        let here = |kind| {
            Finding::new(kind)
                .at(file, span.line_no, span.offset)
                .chain(&link.chain)
                .seq(link.seq)
        };
        if let (Some((ts, millis)), Some((previous, previous_millis))) =
            (&link.ts, &self.chains[i].previous_ts)
            && millis < previous_millis
        {
            let finding = here(FindingKind::TsRegression)
                .expected(format!("a time at or after {previous}"))
                .actual(ts.clone());
            self.report(finding);
        }
        let state = &mut self.chains[i];
        state.last_seq = link.seq;
        state.last_hash = link.hash;
        if let Some(tree) = &mut state.merkle {
            if tree.size() + 1 == link.seq {
                let leaf = link
                    .merkle_leaf
                    .unwrap_or_else(|| crate::merkle::leaf_hash(&link.hash));
                tree.push_leaf_hash(leaf);
            } else {
                state.merkle = None; // a gap, or a chain that does not start at seq 1
            }
        }
        if link.is_stub {
            state.omitted += 1;
            if link.recomputed.is_none() {
                state.unbound_omitted += 1;
                state.last_stub_seq = Some(link.seq);
            }
        } else {
            state.events += 1;
        }
        if let Some(ts) = &link.ts {
            if state.earliest_ts.as_ref().is_none_or(|(_, m)| ts.1 < *m) {
                state.earliest_ts = Some(ts.clone());
            }
            if state.latest_ts.as_ref().is_none_or(|(_, m)| ts.1 > *m) {
                state.latest_ts = Some(ts.clone());
            }
            state.previous_ts = Some(ts.clone());
        }
        if let Some(&c) = self.checkpoints.get(&(link.chain.clone(), link.seq)) {
            self.checkpoint_seen[c] = true;
            let checkpoint = &self.checkpoint_list[c];
            if checkpoint.hash != link.hash {
                self.report(
                    here(FindingKind::CheckpointMismatch)
                        .expected(to_hex(&checkpoint.hash))
                        .actual(to_hex(&link.hash))
                        .detail(format!("checkpoints file line {}", checkpoint.line)),
                );
            } else if checkpoint.signature_problem.is_none() {
                let state = &mut self.chains[i];
                let from = state.last_stub_seq.map_or(state.first_seq, |stub| stub + 1);
                if from <= link.seq {
                    state.vouched.push((from, link.seq));
                }
            }
        }
    }

    /// Compares a chain's Merkle root, built as its events passed, with the manifest's.
    fn check_merkle_root(&mut self, i: usize, entry: &crate::bundle::ManifestChain) {
        let finding = || Finding::new(FindingKind::MerkleRootMismatch).chain(&entry.id);
        let Some(pinned) = entry.merkle_root else {
            self.report(
                Finding::new(FindingKind::ManifestMismatch)
                    .chain(&entry.id)
                    .detail("a version 2 manifest must give each chain's merkle_root; this chain has none"),
            );
            return;
        };
        let state = &self.chains[i];
        let check = if entry.first_seq > 1 {
            MerkleCheck::NotCheckable
        } else {
            match &state.merkle {
                Some(tree) if tree.size() == entry.last_seq => {
                    let computed = tree.root();
                    if computed == pinned {
                        MerkleCheck::Matched
                    } else {
                        self.report(
                            finding()
                                .seq_range(1, entry.last_seq)
                                .expected(to_hex(&pinned))
                                .actual(to_hex(&computed))
                                .detail(format!(
                                    "the tree over the hashes of seq 1 to {} is not the manifest's merkle_root",
                                    group(entry.last_seq)
                                )),
                        );
                        MerkleCheck::Mismatched
                    }
                }
                _ => MerkleCheck::Incomplete,
            }
        };
        self.chains[i].merkle_check = check;
    }

    fn id_key(&self, id: &str) -> u128 {
        let half = |state: &std::hash::RandomState| {
            let mut hasher = state.build_hasher();
            hasher.write(id.as_bytes());
            hasher.finish()
        };
        (u128::from(half(&self.id_hasher[0])) << 64) | u128::from(half(&self.id_hasher[1]))
    }

    /// After the last line: reports every id used again, at the line that reuses it.
    fn finish_ids(&mut self) {
        let duplicates = match std::mem::take(&mut self.ids).finish() {
            Ok(duplicates) => duplicates,
            Err(error) => {
                // The temporary runs could not be read back: say that duplicates were
                // not checked rather than that there are none.
                self.report(Finding::new(FindingKind::FileSkipped).detail(format!(
                    "event ids could not be checked for duplicates: a temporary file failed ({error})"
                )));
                return;
            }
        };
        for duplicate in duplicates {
            let (again, first) = (duplicate.again, duplicate.first);
            let file = self.files[again.file as usize].clone();
            let where_ = if first.file == again.file {
                format!("line {}", group(first.line))
            } else {
                format!(
                    "line {} of {}",
                    group(first.line),
                    self.files[first.file as usize]
                )
            };
            let chain = self.chains[again.chain as usize].id.clone();
            self.report(
                Finding::new(FindingKind::DuplicateId)
                    .at(&file, again.line, again.offset)
                    .chain(&chain)
                    .seq(again.seq)
                    .detail(format!("id {:?} is also used on {where_}", duplicate.id)),
            );
        }
    }

    /// After the last line: reports duplicate ids, compares chains with the manifest
    /// and settles checkpoints.
    pub fn finish_chains(&mut self) {
        self.finish_ids();
        if let Some(manifest) = self.manifest {
            for entry in &manifest.chains {
                let Some(&i) = self.chain_index.get(&entry.id) else {
                    self.report(
                        Finding::new(FindingKind::Truncated)
                            .chain(&entry.id)
                            .seq_range(entry.first_seq, entry.last_seq)
                            .detail("the manifest lists this chain, but the bundle holds none of its events"),
                    );
                    continue;
                };
                let state = self.chains[i].clone();
                let finding = |kind| Finding::new(kind).chain(&entry.id);
                if entry.first_seq == 1 && entry.start_prev_hash != GENESIS {
                    self.report(
                        finding(FindingKind::ManifestMismatch)
                            .expected(to_hex(&GENESIS))
                            .actual(to_hex(&entry.start_prev_hash))
                            .detail("a chain starting at seq 1 must have the genesis start hash"),
                    );
                }
                if state.last_seq < entry.last_seq {
                    self.report(
                        finding(FindingKind::Truncated)
                            .seq_range(state.last_seq + 1, entry.last_seq)
                            .expected(format!(
                                "last seq {} with head {}",
                                group(entry.last_seq),
                                to_hex(&entry.head_hash)
                            ))
                            .actual(format!("last seq {}", group(state.last_seq))),
                    );
                } else if state.last_seq > entry.last_seq {
                    self.report(
                        finding(FindingKind::ManifestMismatch)
                            .seq(state.last_seq)
                            .expected(format!("last seq {}", group(entry.last_seq)))
                            .actual(format!("last seq {}", group(state.last_seq)))
                            .detail("the chain goes on past the manifest's last_seq"),
                    );
                } else if state.last_hash != entry.head_hash {
                    self.report(
                        finding(FindingKind::ManifestMismatch)
                            .seq(state.last_seq)
                            .expected(to_hex(&entry.head_hash))
                            .actual(to_hex(&state.last_hash))
                            .detail("the last event's hash is not the manifest's head_hash"),
                    );
                }
                if self.track_merkle {
                    self.check_merkle_root(i, entry);
                }
                if state.lines != entry.event_count {
                    self.report(
                        finding(FindingKind::ManifestMismatch)
                            .expected(format!("{} lines", group(entry.event_count)))
                            .actual(format!("{} lines", group(state.lines)))
                            .detail(
                                "event_count differs from the lines the bundle holds of this chain",
                            ),
                    );
                }
            }
            let unlisted: Vec<String> = self
                .chains
                .iter()
                .filter(|c| manifest.chain(&c.id).is_none())
                .map(|c| c.id.clone())
                .collect();
            for chain in unlisted {
                self.report(
                    Finding::new(FindingKind::ManifestMismatch)
                        .chain(&chain)
                        .detail("the bundle holds events of a chain the manifest does not list"),
                );
            }
        }
        for (c, checkpoint) in self.checkpoint_list.iter().enumerate() {
            let Some(&i) = self.chain_index.get(&checkpoint.chain) else {
                continue;
            };
            let (first, last) = (self.chains[i].first_seq, self.chains[i].last_seq);
            if let Some(problem) = &checkpoint.signature_problem {
                self.report(
                    Finding::new(FindingKind::SignatureInvalid)
                        .chain(&checkpoint.chain)
                        .seq(checkpoint.seq)
                        .detail(format!(
                            "{problem} (checkpoints file line {}); it vouches for nothing",
                            checkpoint.line
                        )),
                );
            }
            if !self.checkpoint_seen[c] && (first..=last).contains(&checkpoint.seq) {
                self.report(
                    Finding::new(FindingKind::CheckpointMismatch)
                        .chain(&checkpoint.chain)
                        .seq(checkpoint.seq)
                        .expected(to_hex(&checkpoint.hash))
                        .actual("no event at this position")
                        .detail(format!("checkpoints file line {}", checkpoint.line)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::merge_ranges;

    #[test]
    fn ranges_that_overlap_or_touch_are_merged() {
        assert_eq!(
            merge_ranges(vec![(10, 12), (1, 3), (4, 5), (11, 20), (30, 30)]),
            vec![(1, 5), (10, 20), (30, 30)]
        );
        assert_eq!(merge_ranges(vec![]), vec![]);
    }
}
