//! The verification report: verdicts, the five dimensions of spec §8, and findings,
//! each able to describe itself in plain language.
//!
//! A report is a result, never an error: a broken chain is data to show. These types
//! carry no serialization; the CLI and the desktop shell render them at their edge.

use super::policy::{self, Severity, Verdict};
use crate::bundle::{Container, Provenance};
use crate::source::SourceKind;

/// The finding kinds of spec §8, spelled in `as_str` exactly as the spec spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FindingKind {
    MalformedLine,
    HashMismatch,
    BrokenLink,
    SeqGap,
    SeqOutOfOrder,
    DuplicateId,
    Truncated,
    ManifestMismatch,
    FileDigestMismatch,
    SignatureInvalid,
    SignatureUntrusted,
    Unsigned,
    CheckpointMismatch,
    Discontinuity,
    Equivocation,
    TsRegression,
    StateDiscontinuity,
    /// Not in spec §8: an actor type outside §2.2, which §2.2 says to show and warn about.
    UnknownActorType,
    /// Not in spec §8: an integer beyond ±(2^53−1). Canonical JSON writes numbers as
    /// doubles, so its neighbours hash alike: the hash does not protect it digit for digit.
    ImpreciseNumber,
    /// Not in spec §8: a record of a source without integrity (a mapped CSV or JSON
    /// file) that could not be read; kept as it arrived. A warning: such a source has no
    /// chain for it to break.
    MalformedRecord,
    // AWS CloudTrail (issue: its digest chain, verified offline).
    LogFileHashMismatch,
    LogFileMissing,
    LogFileUnreferenced,
    DigestMissing,
    DigestSignatureInvalid,
    DigestHashMismatch,
    DigestGap,
    DigestMoved,
    GzipTrailingData,
    SignatureUnavailable,
    PublicKeyMissing,
    DuplicateRecord,
    // Exports without integrity (issue: the SaaS exports).
    FileCutOff,
    FileSkipped,
    // Format version 2 of our bundle (spec/audit-bundle-v2.md §8).
    /// An event's content no longer matches the `body_hash` it declares.
    BodyHashMismatch,
    /// A chain's Merkle root, computed from its event hashes, differs from the manifest's.
    MerkleRootMismatch,
}

impl FindingKind {
    pub const ALL: [FindingKind; 36] = [
        FindingKind::MalformedLine,
        FindingKind::HashMismatch,
        FindingKind::BrokenLink,
        FindingKind::SeqGap,
        FindingKind::SeqOutOfOrder,
        FindingKind::DuplicateId,
        FindingKind::Truncated,
        FindingKind::ManifestMismatch,
        FindingKind::FileDigestMismatch,
        FindingKind::SignatureInvalid,
        FindingKind::SignatureUntrusted,
        FindingKind::Unsigned,
        FindingKind::CheckpointMismatch,
        FindingKind::Discontinuity,
        FindingKind::Equivocation,
        FindingKind::TsRegression,
        FindingKind::StateDiscontinuity,
        FindingKind::UnknownActorType,
        FindingKind::ImpreciseNumber,
        FindingKind::MalformedRecord,
        FindingKind::LogFileHashMismatch,
        FindingKind::LogFileMissing,
        FindingKind::LogFileUnreferenced,
        FindingKind::DigestMissing,
        FindingKind::DigestSignatureInvalid,
        FindingKind::DigestHashMismatch,
        FindingKind::DigestGap,
        FindingKind::DigestMoved,
        FindingKind::GzipTrailingData,
        FindingKind::SignatureUnavailable,
        FindingKind::PublicKeyMissing,
        FindingKind::DuplicateRecord,
        FindingKind::FileCutOff,
        FindingKind::FileSkipped,
        FindingKind::BodyHashMismatch,
        FindingKind::MerkleRootMismatch,
    ];

    /// The kind's name as spec §8 spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::MalformedLine => "malformed_line",
            FindingKind::HashMismatch => "hash_mismatch",
            FindingKind::BrokenLink => "broken_link",
            FindingKind::SeqGap => "seq_gap",
            FindingKind::SeqOutOfOrder => "seq_out_of_order",
            FindingKind::DuplicateId => "duplicate_id",
            FindingKind::Truncated => "truncated",
            FindingKind::ManifestMismatch => "manifest_mismatch",
            FindingKind::FileDigestMismatch => "file_digest_mismatch",
            FindingKind::SignatureInvalid => "signature_invalid",
            FindingKind::SignatureUntrusted => "signature_untrusted",
            FindingKind::Unsigned => "unsigned",
            FindingKind::CheckpointMismatch => "checkpoint_mismatch",
            FindingKind::Discontinuity => "discontinuity",
            FindingKind::Equivocation => "equivocation",
            FindingKind::TsRegression => "ts_regression",
            FindingKind::StateDiscontinuity => "state_discontinuity",
            FindingKind::UnknownActorType => "unknown_actor_type",
            FindingKind::ImpreciseNumber => "imprecise_number",
            FindingKind::MalformedRecord => "malformed_record",
            FindingKind::LogFileHashMismatch => "log_file_hash_mismatch",
            FindingKind::LogFileMissing => "log_file_missing",
            FindingKind::LogFileUnreferenced => "log_file_unreferenced",
            FindingKind::DigestMissing => "digest_missing",
            FindingKind::DigestSignatureInvalid => "digest_signature_invalid",
            FindingKind::DigestHashMismatch => "digest_hash_mismatch",
            FindingKind::DigestGap => "digest_gap",
            FindingKind::DigestMoved => "digest_moved",
            FindingKind::GzipTrailingData => "gzip_trailing_data",
            FindingKind::SignatureUnavailable => "signature_unavailable",
            FindingKind::PublicKeyMissing => "public_key_missing",
            FindingKind::DuplicateRecord => "duplicate_record",
            FindingKind::FileCutOff => "file_cut_off",
            FindingKind::FileSkipped => "file_skipped",
            FindingKind::BodyHashMismatch => "body_hash_mismatch",
            FindingKind::MerkleRootMismatch => "merkle_root_mismatch",
        }
    }

    pub fn from_spec_name(name: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// What a CloudTrail finding means, in words (for its summary).
    fn meaning(self) -> &'static str {
        match self {
            FindingKind::LogFileHashMismatch => {
                "A log file's content differs from the hash its digest file records: records were changed, added or removed"
            }
            FindingKind::LogFileMissing => {
                "A log file that a digest file lists is not in the folder"
            }
            FindingKind::LogFileUnreferenced => {
                "This log file is not listed by any verified digest file: nothing proves CloudTrail delivered it"
            }
            FindingKind::DigestMissing => "A digest file the chain points to is not in the folder",
            FindingKind::DigestSignatureInvalid => {
                "This digest file's signature does not match it: the digest was changed after CloudTrail signed it, or signed by another key"
            }
            FindingKind::DigestHashMismatch => {
                "The next digest file records a different hash for this one: the digest was replaced"
            }
            FindingKind::DigestGap => {
                "No verified digest file covers this time: hours of the trail are unproven"
            }
            FindingKind::DigestMoved => {
                "This digest file is not where CloudTrail delivered it: it records another location"
            }
            FindingKind::GzipTrailingData => {
                "This file has data appended after its compressed content; other tools would read it as more records"
            }
            FindingKind::SignatureUnavailable => {
                "The signature of this digest file is not in the folder (the newest of a chain needs its head-object file), so it cannot be checked"
            }
            FindingKind::PublicKeyMissing => {
                "No public key given has the fingerprint this digest file names"
            }
            FindingKind::DuplicateRecord => {
                "The source delivered a record with the same id twice: an exact repeat is counted once, one that differs is kept beside the first"
            }
            FindingKind::FileCutOff => {
                "This file ends part way (cut off, or its structure breaks there): the records before that point were read, anything after it is lost"
            }
            FindingKind::FileSkipped => {
                "This file in the folder or ZIP archive was not read, so nothing of it was checked or imported"
            }
            _ => "",
        }
    }

    /// How much it weighs (`policy::severity`).
    pub fn severity(self) -> Severity {
        policy::severity(self)
    }
}

/// One thing the verifier found, located as precisely as it can be.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    pub chain: Option<String>,
    pub seq: Option<u64>,
    /// Last seq of a range (e.g. the missing events of a gap).
    pub seq_end: Option<u64>,
    /// The events file, for findings located in one.
    pub file: Option<String>,
    pub line: Option<u64>,
    pub byte_offset: Option<u64>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub detail: Option<String>,
}

impl Finding {
    pub fn new(kind: FindingKind) -> Finding {
        Finding {
            kind,
            chain: None,
            seq: None,
            seq_end: None,
            file: None,
            line: None,
            byte_offset: None,
            expected: None,
            actual: None,
            detail: None,
        }
    }

    pub fn kind(&self) -> FindingKind {
        self.kind
    }

    pub fn chain(mut self, chain: &str) -> Self {
        self.chain = Some(chain.to_owned());
        self
    }
    pub fn seq(mut self, seq: u64) -> Self {
        self.seq = Some(seq);
        self
    }
    pub fn seq_range(mut self, first: u64, last: u64) -> Self {
        self.seq = Some(first);
        self.seq_end = (last != first).then_some(last);
        self
    }
    /// About a whole file, not a place in it.
    pub fn in_file(mut self, file: &str) -> Self {
        self.file = Some(file.to_owned());
        self
    }
    pub fn at(mut self, file: &str, line: u64, byte_offset: u64) -> Self {
        self.file = Some(file.to_owned());
        self.line = Some(line);
        self.byte_offset = Some(byte_offset);
        self
    }
    pub fn expected(mut self, value: impl Into<String>) -> Self {
        self.expected = Some(value.into());
        self
    }
    pub fn actual(mut self, value: impl Into<String>) -> Self {
        self.actual = Some(value.into());
        self
    }
    pub fn detail(mut self, value: impl Into<String>) -> Self {
        self.detail = Some(value.into());
        self
    }

    pub fn severity(&self) -> Severity {
        self.kind().severity()
    }

    /// The finding in plain language, with where it is, and the expected and found
    /// values (hashes, sizes) when it has them.
    pub fn describe(&self) -> String {
        let mut text = self.summary();
        text.pop();
        if let (Some(expected), Some(actual)) = (&self.expected, &self.actual) {
            text.push_str(&format!(". Expected {expected}, found {actual}"));
        }
        text.push('.');
        text
    }

    /// What the finding means and where it is, in words only: no hashes or other
    /// values to compare (those are in `describe`). For headlines.
    pub fn summary(&self) -> String {
        let what = match self.kind() {
            FindingKind::MalformedLine => "This line is not a valid event".to_owned(),
            FindingKind::HashMismatch => {
                "This event's content was changed after it was recorded: its hash no longer matches".to_owned()
            }
            FindingKind::BrokenLink => {
                "The link to the previous event is broken: an earlier event was altered, removed or inserted".to_owned()
            }
            FindingKind::SeqGap => match (self.seq, self.seq_end) {
                (Some(a), Some(b)) => format!("Events {} to {} are missing", group(a), group(b)),
                (Some(a), None) => format!("Event {} is missing", group(a)),
                _ => "Events are missing".to_owned(),
            },
            FindingKind::SeqOutOfOrder => {
                "This event is out of order: its position repeats or goes back (a duplicated, inserted or reordered line)".to_owned()
            }
            FindingKind::DuplicateId => "Two events carry the same id".to_owned(),
            FindingKind::Truncated => "The chain ends before the end the manifest records: events were cut off".to_owned(),
            FindingKind::ManifestMismatch => "The events disagree with the manifest".to_owned(),
            FindingKind::FileDigestMismatch => {
                "The events file is not the one the manifest pins: its bytes differ".to_owned()
            }
            FindingKind::SignatureInvalid => {
                "The signature does not match the manifest: the manifest was changed after signing".to_owned()
            }
            FindingKind::SignatureUntrusted => {
                "The signature is valid, but its key is not one of your trusted keys".to_owned()
            }
            FindingKind::Unsigned => "Nothing signs this bundle".to_owned(),
            FindingKind::CheckpointMismatch => {
                "The event does not match a checkpoint published earlier: the history was rewritten".to_owned()
            }
            FindingKind::Discontinuity => "This bundle does not continue the earlier one".to_owned(),
            FindingKind::Equivocation => {
                "Two bundles give different events for the same position: two different histories".to_owned()
            }
            FindingKind::TsRegression => {
                "This event's time is earlier than the event before it (clocks can skew)".to_owned()
            }
            FindingKind::UnknownActorType => {
                "This event's actor has a type the format does not define; it is shown as it is".to_owned()
            }
            FindingKind::StateDiscontinuity => {
                "This event's before-values disagree with the record's state left by earlier events".to_owned()
            }
            FindingKind::MalformedRecord => {
                "This record could not be read; it is kept exactly as it arrived".to_owned()
            }
            FindingKind::LogFileHashMismatch
            | FindingKind::LogFileMissing
            | FindingKind::LogFileUnreferenced
            | FindingKind::DigestMissing
            | FindingKind::DigestSignatureInvalid
            | FindingKind::DigestHashMismatch
            | FindingKind::DigestGap
            | FindingKind::DigestMoved
            | FindingKind::GzipTrailingData
            | FindingKind::SignatureUnavailable
            | FindingKind::PublicKeyMissing
            | FindingKind::DuplicateRecord
            | FindingKind::FileCutOff
            | FindingKind::FileSkipped => self.kind().meaning().to_owned(),
            FindingKind::BodyHashMismatch => {
                "This event's content was changed after it was recorded: it no longer matches its body hash".to_owned()
            }
            FindingKind::MerkleRootMismatch => {
                "The chain's events do not make the Merkle root the manifest pins: an event was changed, added, removed or reordered".to_owned()
            }
            FindingKind::ImpreciseNumber => {
                "This event holds a number too large to be protected digit for digit: its hash covers it only to double precision, so a nearby number would hash alike".to_owned()
            }
        };
        let mut text = what;
        if let Some(detail) = &self.detail {
            text.push_str(": ");
            text.push_str(detail);
        }
        let mut place = Vec::new();
        if let Some(chain) = &self.chain {
            place.push(format!("chain {chain}"));
        }
        if let Some(seq) = self.seq
            && self.kind() != FindingKind::SeqGap
        {
            match self.seq_end {
                Some(end) => place.push(format!("events {}–{}", group(seq), group(end))),
                None => place.push(format!("event {}", group(seq))),
            }
        }
        if let Some(line) = self.line {
            place.push(format!("line {}", group(line)));
        }
        if !place.is_empty() {
            text.push_str(&format!(" ({})", place.join(", ")));
        }
        text.push('.');
        text
    }
}

/// Formats an integer with thousands separators: 3000 -> "3,000".
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The state of one dimension of spec §8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DimensionStatus {
    /// Checked and holds.
    Proven,
    /// Cannot be checked with what the reviewer has (no manifest, no trusted signature).
    Unproven,
    /// Checked and does not hold.
    Failed,
}

impl DimensionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DimensionStatus::Proven => "proven",
            DimensionStatus::Unproven => "unproven",
            DimensionStatus::Failed => "failed",
        }
    }

    /// The status stored under `name` (see `as_str`).
    pub fn from_name(name: &str) -> Option<DimensionStatus> {
        [
            DimensionStatus::Proven,
            DimensionStatus::Unproven,
            DimensionStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// One dimension with a plain sentence saying what exactly is (not) proven.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub status: DimensionStatus,
    pub detail: String,
}

/// What the report says about one chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainReport {
    pub id: String,
    pub verdict: Verdict,
    /// Real events (stubs excluded).
    pub events: u64,
    /// Stubs: events the export left out (spec §4).
    pub omitted: u64,
    pub first_seq: u64,
    pub last_seq: u64,
    /// Hash of the last event in seq order.
    pub head_hash: String,
    /// `prev_hash` of the first event held: where this bundle's part of the chain attaches.
    pub start_prev_hash: Option<String>,
    /// Earliest and latest event times, as written (RFC 3339).
    pub first_ts: Option<String>,
    pub last_ts: Option<String>,
    pub integrity: Dimension,
    pub linkage: Dimension,
    pub completeness: Dimension,
    pub authenticity: Dimension,
    pub coverage: Dimension,
    /// What the source counted for this chain beyond its events, by name (CloudTrail:
    /// `digests`, `digests_verified`, `log_files`, `log_files_verified`,
    /// `hours_covered`, `hours_missing`); empty for sources with nothing more to count.
    pub counts: Vec<(&'static str, u64)>,
}

/// The manifest signature's standing, spec §5.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureStatus {
    Trusted,
    Untrusted,
    Invalid,
    Absent,
}

impl SignatureStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureStatus::Trusted => "trusted",
            SignatureStatus::Untrusted => "untrusted",
            SignatureStatus::Invalid => "invalid",
            SignatureStatus::Absent => "absent",
        }
    }

    /// The status stored under `name` (see `as_str`).
    pub fn from_name(name: &str) -> Option<SignatureStatus> {
        [
            SignatureStatus::Trusted,
            SignatureStatus::Untrusted,
            SignatureStatus::Invalid,
            SignatureStatus::Absent,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// The manifest signature as checked against the reviewer's trusted keys.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureReport {
    pub status: SignatureStatus,
    pub key_id: Option<String>,
}

/// Facts about the bundle itself.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleInfo {
    pub path: String,
    pub container: Container,
    /// The kind of source it was read as.
    pub source: SourceKind,
    /// The mapping's text, for a mapped source.
    pub mapping: Option<String>,
    /// SHA-256 (hex) of the mapping's text, for a mapped source.
    pub mapping_sha256: Option<String>,
    pub has_manifest: bool,
    pub provenance: Provenance,
    /// Lines read, blank ones included.
    pub lines: u64,
    pub malformed_lines: u64,
    /// Each events file read: name, SHA-256 (hex) and size in bytes.
    pub files: Vec<(String, String, u64)>,
    /// SHA-256 (hex) of the manifest file, if there is one.
    pub manifest_sha256: Option<String>,
    /// The manifest file's bytes as read, if there is one (kept in the case, for excerpts).
    pub manifest: Option<Vec<u8>>,
}

/// How many findings of one kind were counted but not kept (bounded memory).
pub const MAX_FINDINGS_PER_KIND: usize = 10_000;

/// Everything the verifier established about one bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub bundle: BundleInfo,
    pub chains: Vec<ChainReport>,
    pub signature: SignatureReport,
    pub findings: Vec<Finding>,
    /// Findings counted beyond `MAX_FINDINGS_PER_KIND`, per kind.
    pub findings_not_listed: Vec<(FindingKind, u64)>,
}

impl Report {
    /// Broken if any finding breaks, else the worst chain's verdict; empty when the
    /// bundle holds no events (`policy::combine`).
    pub fn verdict(&self) -> Verdict {
        policy::combine(
            self.chains
                .iter()
                .filter(|c| c.events + c.omitted > 0)
                .map(|c| c.verdict),
            self.findings
                .iter()
                .map(Finding::severity)
                .chain(self.findings_not_listed.iter().map(|(k, _)| k.severity())),
        )
    }

    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Findings of one kind.
    pub fn findings_of(&self, kind: FindingKind) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.kind() == kind)
    }

    /// Real events over all chains.
    pub fn n_events(&self) -> u64 {
        self.chains.iter().map(|c| c.events).sum()
    }

    /// The verdict in words, first line of every report.
    pub fn headline(&self) -> String {
        if let Some(headline) = crate::source::cloudtrail::lake::headline(self) {
            return headline;
        }
        let n_events = self.n_events();
        let n_chains = self.chains.len() as u64;
        let omitted: u64 = self.chains.iter().map(|c| c.omitted).sum();
        let mut counts = format!(
            "{} {} in {} {}",
            group(n_events),
            plural(n_events, "event", "events"),
            group(n_chains),
            plural(n_chains, "chain", "chains")
        );
        if omitted > 0 {
            counts.push_str(&format!(" ({} omitted by the export)", group(omitted)));
        }
        let key = self.signature.key_id.as_deref().unwrap_or("an unnamed key");
        match self.verdict() {
            Verdict::Empty => format!(
                "No events: {} holds no events, so there is nothing to verify or review",
                self.bundle.path
            ),
            Verdict::Unverifiable => {
                let span = match self.chains.first() {
                    Some(ChainReport {
                        first_ts: Some(from),
                        last_ts: Some(to),
                        ..
                    }) => format!(" from {from} to {to}"),
                    _ => String::new(),
                };
                let malformed = match self.bundle.malformed_lines {
                    0 => String::new(),
                    1 => "; 1 record could not be read and is kept as it arrived".to_owned(),
                    n => format!(
                        "; {} records could not be read and are kept as they arrived",
                        group(n)
                    ),
                };
                // A source with integrity is unverifiable when its integrity is missing
                // from what was given (a CloudTrail folder without digests): say why.
                let why = match self.bundle.source {
                    source if !source.has_integrity() => format!(
                        "this {} carries no hash chain or signature, so nothing can prove it is complete or unchanged",
                        match source {
                            SourceKind::Mapped => "source",
                            other => other.title(),
                        }
                    ),
                    _ => self
                        .chains
                        .iter()
                        .find(|c| c.verdict == Verdict::Unverifiable)
                        .map(|c| c.integrity.detail.clone())
                        .unwrap_or_default(),
                };
                // Exact repeats of an export, counted once (`saas::read`).
                let repeats = self
                    .chains
                    .iter()
                    .flat_map(|c| &c.counts)
                    .filter(|(name, _)| *name == "exact_repeats")
                    .map(|(_, n)| *n)
                    .sum::<u64>();
                let repeats = match repeats {
                    0 => String::new(),
                    1 => {
                        "; 1 record repeated an earlier one exactly and is counted once".to_owned()
                    }
                    n => format!(
                        "; {} records repeated earlier ones exactly and are counted once",
                        group(n)
                    ),
                };
                format!(
                    "Unverifiable: {} {}{span}; {why}{malformed}{repeats}",
                    group(n_events),
                    plural(n_events, "event", "events"),
                )
            }
            Verdict::Verified if self.bundle.source == SourceKind::CloudTrail => format!(
                "Verified: {counts}; every digest file is signed by an AWS key you trust, links to the one before it, and every log file matches its digest"
            ),
            Verdict::Intact if self.bundle.source == SourceKind::CloudTrail => {
                let why = self
                    .chains
                    .iter()
                    .map(|c| &c.authenticity)
                    .chain(self.chains.iter().map(|c| &c.linkage))
                    .find(|d| d.status != DimensionStatus::Proven)
                    .map(|d| d.detail.clone())
                    .unwrap_or_default();
                format!("Intact but unvouched: {counts}; the digest chain holds, but {why}")
            }
            Verdict::Verified => {
                let by = match self.signature.status {
                    SignatureStatus::Trusted => format!("signed by {key} (trusted key)"),
                    _ => "matched to your checkpoints".to_owned(),
                };
                format!("Verified: {counts}, {by}")
            }
            Verdict::Intact => {
                let why = match (self.bundle.has_manifest, self.signature.status) {
                    (false, _) => {
                        "there is no manifest, so completeness and authenticity are unproven"
                            .to_owned()
                    }
                    (true, SignatureStatus::Untrusted) => {
                        format!("signed by {key}, which is not one of your trusted keys")
                    }
                    _ => "the bundle is not signed".to_owned(),
                };
                format!(
                    "Intact but unvouched: {counts}; the chain holds, but nothing outside the bundle vouches for it ({why})"
                )
            }
            Verdict::Broken => {
                let breaking: Vec<&Finding> = self
                    .findings
                    .iter()
                    .filter(|f| f.severity() == Severity::Break)
                    .collect();
                let not_listed: u64 = self
                    .findings_not_listed
                    .iter()
                    .filter(|(k, _)| k.severity() == Severity::Break)
                    .map(|(_, n)| n)
                    .sum();
                let n = breaking.len() as u64 + not_listed;
                let first = breaking.first().map(|f| f.summary()).unwrap_or_default();
                format!(
                    "Broken: {} {} in {counts}. First: {first}",
                    group(n),
                    plural(n, "problem", "problems")
                )
            }
        }
    }
}

fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_inserts_thousands_separators() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(3000), "3,000");
        assert_eq!(group(1234567), "1,234,567");
    }

    #[test]
    fn every_kind_round_trips_through_its_spec_name() {
        for kind in FindingKind::ALL {
            assert_eq!(FindingKind::from_spec_name(kind.as_str()), Some(kind));
        }
    }
}
