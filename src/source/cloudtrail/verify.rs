//! Offline verification of a CloudTrail evidence folder: every digest chain and every
//! log file a digest lists (issue 11, "Verification"; reference §1.6–1.7).
//!
//! The order of work keeps memory bounded: the digests (small) are read and checked
//! first, chain by chain; then the log files are streamed one at a time per worker,
//! hashed as they inflate, so no log file is held whole unless a reader of records
//! asks for its bytes (`verify_trail_reading`), and then only a few at a time.
//!
//! Where this is more careful than `aws cloudtrail validate-logs`: every listed digest
//! is judged (not only those reached by following links), so two consecutive deleted
//! digests leave a gap naming both hours (aws-cli#7054); `previousDigestHashValue` is
//! compared with the previous digest's bytes; trailing gzip data is refused; log files
//! that no verified digest lists are reported; and a restarted chain is a gap.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use rayon::prelude::*;

use super::digest::{DigestFile, HASH_ALGORITHM, HeadObject, ListedLogFile, SIGNATURE_ALGORITHM};
use super::gz::{self, GzError, Inflated};
use super::keys::{KeyOrigin, KeyRing, TrailKey};
use super::layout::{
    self, ChainKey, DigestKey, Entry, Folder, LogFileKey, Skipped, local_candidates, read_limited,
};
use super::{format_time, from_hex};
use crate::canonical::to_hex;
use crate::verify::{Finding, FindingKind, MAX_FINDINGS_PER_KIND};
use crate::{Error, Result};

/// A stretch of time: from, to.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// Bounds on what is read, so a hostile folder costs no more than they allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailLimits {
    /// Largest inflated digest file (a digest lists an hour's log files: kilobytes).
    pub max_digest_bytes: u64,
    /// Largest inflated log file (CloudTrail delivers every few minutes: megabytes).
    pub max_log_bytes: u64,
    /// Largest head-object or list-public-keys JSON file.
    pub max_json_bytes: u64,
    /// All digests' inflated bytes together: they are held while the chains are
    /// walked (a month of a two-region trail is a few megabytes).
    pub max_digest_total_bytes: u64,
}

impl Default for TrailLimits {
    fn default() -> TrailLimits {
        TrailLimits {
            max_digest_bytes: 64 << 20,
            max_log_bytes: 1 << 30,
            max_json_bytes: 16 << 20,
            max_digest_total_bytes: 1 << 30,
        }
    }
}

/// What the verification of one evidence folder established.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailReport {
    /// One per digest chain, sorted by id.
    pub chains: Vec<ChainResult>,
    /// Every log file in the folder, in path order.
    pub log_files: Vec<LogFileResult>,
    /// Findings that belong to no chain (a log file no verified digest lists).
    pub findings: Vec<Finding>,
    /// Findings counted beyond `MAX_FINDINGS_PER_KIND`, per kind, over the whole report.
    pub findings_not_listed: Vec<(FindingKind, u64)>,
    /// Files that are not part of the trail, and why.
    pub ignored: Vec<Skipped>,
    /// What is worth saying but is no finding (keys files, head-object files).
    pub notes: Vec<Note>,
    /// Digest files found (0: a copy of `CloudTrail/` alone, which nothing can verify).
    pub digest_files: usize,
    /// Keys read from the folder's `public-keys/`, and keys the reviewer trusts.
    pub folder_keys: usize,
    pub trusted_keys: usize,
}

impl TrailReport {
    /// Every finding, the chains' first.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.chains
            .iter()
            .flat_map(|c| c.findings.iter())
            .chain(self.findings.iter())
    }
}

/// One digest chain: (org, account, source region, trail, home region, backfill).
#[derive(Debug, Clone, PartialEq)]
pub struct ChainResult {
    /// Readable: `123456789012/us-east-1/my-trail` (see `ChainKey`'s `Display`).
    pub id: String,
    pub key: ChainKey,
    /// Digest files of the chain in the folder.
    pub digests: usize,
    /// Digests whose signature verified with any key given, and with a trusted one.
    pub digests_verified: usize,
    pub digests_trusted: usize,
    /// Digests whose signature could not be checked (no signature, or no key).
    pub digests_unchecked: usize,
    /// Earliest and latest time a present digest (verified or unchecked) covers.
    pub first_covered: Option<DateTime<Utc>>,
    pub last_covered: Option<DateTime<Utc>>,
    /// Hours those digests cover (rounded).
    pub hours_covered: u64,
    /// Time within the chain's span that no verified or unchecked digest covers.
    pub gaps: Vec<Gap>,
    /// Times covered only by digests whose signature could not be checked.
    pub unvouched: Vec<Span>,
    /// `logFiles[]` entries of the chain's verified or unchecked digests.
    pub log_files_listed: usize,
    /// Of those, files present whose inflated SHA-256 matches, listed by a verified digest.
    pub log_files_verified: usize,
    pub findings: Vec<Finding>,
    pub notes: Vec<Note>,
    pub trust: ChainTrust,
}

/// Who vouches for a chain's digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainTrust {
    /// Every digest verified with a key the reviewer trusts.
    Trusted,
    /// Every digest verified, some only with keys from the folder itself.
    FolderKeys,
    /// Some digest did not verify, or could not be checked.
    Incomplete,
}

/// Time no digest vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Hourly digests missing: the hours from `start`, the last one possibly partial.
    pub hours: u64,
    /// The chain restarts after it (a starting digest with no previous digest).
    pub restart: bool,
}

impl Gap {
    fn new(start: DateTime<Utc>, end: DateTime<Utc>, restart: bool) -> Gap {
        Gap {
            start,
            end,
            hours: hours_between(start, end),
            restart,
        }
    }

    /// The start of each missing hour.
    pub fn hour_starts(&self) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        (0..self.hours as i64).map(|h| self.start + TimeDelta::hours(h))
    }
}

/// A log file and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFileResult {
    /// Relative to the root.
    pub path: String,
    /// The chain of the (first) digest that lists it.
    pub chain: Option<String>,
    pub status: LogFileStatus,
    /// Inflated size, when it was inflated.
    pub size: Option<u64>,
}

/// A log file's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFileStatus {
    /// Its hash matches a verified digest; `trusted` when that digest's key is trusted.
    Verified { trusted: bool },
    /// Its hash matches, but only digests whose signature could not be checked list it.
    Unvouched,
    /// Its hash differs from what a digest lists.
    HashMismatch,
    /// Bytes follow its gzip member.
    TrailingData,
    /// It cannot be inflated (corrupt, cut, or over the size limit).
    Unreadable,
    /// No verified digest lists it.
    Unreferenced,
    /// Delivered before the first or after the last digest of its region in the folder:
    /// a digest outside the folder's window lists it (collect the next hour's digests
    /// to check it). Not a finding: the chain's covered times show the window.
    BeyondDigests,
    /// No digest of its account and region is in the folder (none at all, or only
    /// the `CloudTrail/` prefix of this region was copied): nothing can vouch for it.
    NoDigests,
}

/// Something worth saying that is not a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub file: Option<String>,
    pub text: String,
}

/// A log file's inflated bytes, handed to a reader of records during verification.
#[derive(Debug)]
pub struct LogFileBytes<'a> {
    pub path: &'a str,
    pub chain: Option<&'a str>,
    pub status: LogFileStatus,
    /// The first (only) gzip member, inflated.
    pub inflated: &'a [u8],
    /// SHA-256 of `inflated` (what a digest's `hashValue` is compared with).
    pub sha256: &'a [u8; 32],
}

/// What a reader of records is handed each log file through; it says whether to go on.
pub type OnLog<'f> = dyn FnMut(LogFileBytes<'_>) -> ControlFlow<()> + 'f;

/// Work on one log file's inflated bytes (its path, its bytes) done on a worker thread,
/// several files at once, before the file reaches its reader in path order.
pub type Prepare<'f, T> = dyn Fn(&str, &[u8]) -> T + Sync + 'f;

/// What a reader that prepares its files is handed each file through, with what
/// `Prepare` made of it; it says whether to go on.
pub type OnPrepared<'f, T> = dyn FnMut(LogFileBytes<'_>, T) -> ControlFlow<()> + 'f;

/// Log files inflated (and prepared) ahead of the reader, per worker thread: enough to
/// keep every core busy while the reader works, few enough to bound memory.
const FILES_AHEAD_PER_WORKER: usize = 4;

/// Verifies the trail in `folder` against the reviewer's `trusted` keys (and the
/// folder's own `public-keys/`, which make it intact at best). `Err` only when the
/// folder cannot be listed at all: everything else is a finding or a note.
pub fn verify_trail(
    folder: &dyn Folder,
    trusted: &KeyRing,
    limits: &TrailLimits,
) -> Result<TrailReport> {
    verify::<()>(folder, trusted, limits, None)
}

/// As `verify_trail`, and hands every log file that inflates (verified or not, with its
/// status) to `on_log`, in path order, a few files in memory at a time.
pub fn verify_trail_reading(
    folder: &dyn Folder,
    trusted: &KeyRing,
    limits: &TrailLimits,
    on_log: &mut dyn FnMut(LogFileBytes<'_>),
) -> Result<TrailReport> {
    verify_trail_reading_until(folder, trusted, limits, &mut |log| {
        on_log(log);
        ControlFlow::Continue(())
    })
}

/// As `verify_trail_reading`, stopping when `on_log` says so (an import cancelled, or
/// its case unwritable): no more files are read, and the report returned is partial,
/// for the caller to drop.
pub fn verify_trail_reading_until(
    folder: &dyn Folder,
    trusted: &KeyRing,
    limits: &TrailLimits,
    on_log: &mut OnLog<'_>,
) -> Result<TrailReport> {
    verify_trail_preparing(folder, trusted, limits, &|_, _| (), &mut |log, ()| {
        on_log(log)
    })
}

/// As `verify_trail_reading_until`, and each log file's bytes are first handed to
/// `prepare` on a worker thread, as soon as the file is inflated and while the reader
/// is still busy with earlier files (the reader's own work, on the calling thread,
/// overlaps the inflating, hashing and preparing of the files after it). `on_log` gets
/// each file with what `prepare` made of it, in path order. At most
/// `FILES_AHEAD_PER_WORKER` files per worker thread are held ahead of the reader.
pub fn verify_trail_preparing<T: Send>(
    folder: &dyn Folder,
    trusted: &KeyRing,
    limits: &TrailLimits,
    prepare: &Prepare<'_, T>,
    on_log: &mut OnPrepared<'_, T>,
) -> Result<TrailReport> {
    verify(folder, trusted, limits, Some((prepare, on_log)))
}

/// One log file's inflated bytes (to read its records after verification). A file
/// with bytes after its gzip member is refused (`GzError::TrailingData`).
pub fn read_log_file(
    folder: &dyn Folder,
    path: &str,
    limits: &TrailLimits,
) -> std::result::Result<Vec<u8>, GzError> {
    let reader = folder
        .open(path)
        .map_err(|e| GzError::Read(e.to_string()))?;
    let mut bytes = Vec::new();
    let inflated = gz::inflate_member(reader, limits.max_log_bytes, Some(&mut bytes))?;
    match inflated.trailing {
        Some(trailing) => Err(trailing),
        None => Ok(bytes),
    }
}

/// A reader of records: how each file is prepared, and what receives it.
type Reader<'r, 'f, T> = (&'r Prepare<'f, T>, &'r mut OnPrepared<'f, T>);

fn verify<T: Send>(
    folder: &dyn Folder,
    trusted: &KeyRing,
    limits: &TrailLimits,
    on_log: Option<Reader<'_, '_, T>>,
) -> Result<TrailReport> {
    let listing = folder.list()?;
    let inventory = Inventory::take(listing.files, listing.skipped);
    let mut notes = Vec::new();
    let folder_keys = load_folder_keys(folder, &inventory, limits, &mut notes);
    let keys = folder_keys.merged(trusted);
    let digests = load_digests(folder, &inventory.digests, limits)?;
    let walks: Vec<ChainWalk> = group_chains(&digests)
        .into_par_iter()
        .map(|(key, members)| ChainWalk::new(key, members, &keys, &inventory, folder, limits).run())
        .collect();
    let mut checked = LogCheck::new(&inventory, &walks).run(folder, limits, on_log);
    notes.append(&mut checked.notes);
    let mut chains: Vec<ChainResult> = walks.into_iter().map(ChainWalk::finish).collect();
    for (chain, (listed, verified, findings)) in chains.iter_mut().zip(checked.per_chain) {
        chain.log_files_listed = listed;
        chain.log_files_verified = verified;
        chain.findings.extend(findings);
    }
    let findings_not_listed = cap_findings(&mut chains, &mut checked.findings, checked.not_listed);
    Ok(TrailReport {
        chains,
        log_files: checked.results,
        findings: checked.findings,
        findings_not_listed,
        ignored: inventory.ignored,
        notes,
        digest_files: digests.len(),
        folder_keys: folder_keys.len(),
        trusted_keys: trusted.len(),
    })
}

/// The folder's files by what they are.
struct Inventory {
    logs: Vec<LogFileKey>,
    digests: Vec<DigestKey>,
    /// Digest path → its head-object file.
    head_objects: HashMap<String, String>,
    key_files: Vec<String>,
    ignored: Vec<Skipped>,
}

impl Inventory {
    fn take(files: Vec<String>, skipped: Vec<Skipped>) -> Inventory {
        let mut inventory = Inventory {
            logs: Vec::new(),
            digests: Vec::new(),
            head_objects: HashMap::new(),
            key_files: Vec::new(),
            ignored: skipped,
        };
        let mut signatures = Vec::new();
        for path in files {
            match layout::classify(&path) {
                Entry::LogFile(key) => inventory.logs.push(key),
                Entry::Digest(key) => inventory.digests.push(key),
                Entry::DigestSignature { digest } => signatures.push((digest, path)),
                Entry::PublicKeys { .. } => inventory.key_files.push(path),
                Entry::Other { reason } => inventory.ignored.push(Skipped { path, reason }),
            }
        }
        let digest_paths: HashSet<&str> =
            inventory.digests.iter().map(|d| d.path.as_str()).collect();
        for (digest, path) in signatures {
            if digest_paths.contains(digest.as_str()) {
                inventory.head_objects.insert(digest, path);
            } else {
                let reason = "a head-object file for a digest that is not in the folder".to_owned();
                inventory.ignored.push(Skipped { path, reason });
            }
        }
        inventory
    }
}

fn load_folder_keys(
    folder: &dyn Folder,
    inventory: &Inventory,
    limits: &TrailLimits,
    notes: &mut Vec<Note>,
) -> KeyRing {
    let mut ring = KeyRing::new();
    for path in &inventory.key_files {
        let note = |text: String| Note {
            file: Some(path.clone()),
            text,
        };
        let bytes = match read_limited(folder, path, limits.max_json_bytes) {
            Ok(bytes) => bytes,
            Err(e) => {
                notes.push(note(format!("keys not read: {e}")));
                continue;
            }
        };
        match ring.add_listed(&bytes, &KeyOrigin::Folder(path.clone())) {
            Ok(problems) => notes.extend(problems.into_iter().map(note)),
            Err(why) => notes.push(note(format!("keys not read: {why}"))),
        }
    }
    ring
}

/// A digest file as read: its place and its content, or why it has none.
struct LoadedDigest {
    key: DigestKey,
    content: std::result::Result<DigestContent, Unreadable>,
}

struct DigestContent {
    file: DigestFile,
    /// Hex SHA-256 of the inflated bytes: signed, and what the next digest records.
    sha256_hex: String,
    /// Inflated size in bytes.
    size: u64,
}

enum Unreadable {
    Gzip(GzError),
    Format(String),
}

/// Reads every digest, in parallel. `Err` (the folder is refused, naming the file)
/// when together they inflate to more than the limit: they are all held at once.
fn load_digests(
    folder: &dyn Folder,
    keys: &[DigestKey],
    limits: &TrailLimits,
) -> Result<Vec<LoadedDigest>> {
    let total = AtomicU64::new(0);
    keys.par_iter()
        .map(|key| {
            let content = load_digest(folder, &key.path, limits);
            let size = content.as_ref().map_or(0, |c| c.size);
            if total.fetch_add(size, Ordering::Relaxed) + size > limits.max_digest_total_bytes {
                return Err(Error::Refused {
                    path: key.path.clone().into(),
                    reason: format!(
                        "the digest files inflate to more than {} bytes together, the limit",
                        limits.max_digest_total_bytes
                    ),
                });
            }
            Ok(LoadedDigest {
                key: key.clone(),
                content,
            })
        })
        .collect()
}

fn load_digest(
    folder: &dyn Folder,
    path: &str,
    limits: &TrailLimits,
) -> std::result::Result<DigestContent, Unreadable> {
    let reader = folder
        .open(path)
        .map_err(|e| Unreadable::Gzip(GzError::Read(e.to_string())))?;
    let mut inflated = Vec::new();
    let member = gz::inflate_member(reader, limits.max_digest_bytes, Some(&mut inflated))
        .map_err(Unreadable::Gzip)?;
    if let Some(trailing) = member.trailing {
        return Err(Unreadable::Gzip(trailing));
    }
    let file = DigestFile::parse(&inflated).map_err(Unreadable::Format)?;
    Ok(DigestContent {
        file,
        sha256_hex: to_hex(&member.sha256),
        size: member.size,
    })
}

/// Digests by chain, each chain's newest first (by the end time in the name, as awscli
/// sorts its listing), chains in id order.
fn group_chains(digests: &[LoadedDigest]) -> Vec<(ChainKey, Vec<&LoadedDigest>)> {
    let mut chains: HashMap<&ChainKey, Vec<&LoadedDigest>> = HashMap::new();
    for digest in digests {
        chains.entry(&digest.key.chain).or_default().push(digest);
    }
    let mut chains: Vec<(ChainKey, Vec<&LoadedDigest>)> = chains
        .into_iter()
        .map(|(key, mut members)| {
            members.sort_by(|a, b| b.key.end.cmp(&a.key.end).then(b.key.path.cmp(&a.key.path)));
            (key.clone(), members)
        })
        .collect();
    chains.sort_by_cached_key(|(key, _)| key.to_string());
    chains
}

/// What a digest's signature check came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    Verified {
        trusted: bool,
    },
    /// No signature to check: no head-object file and no successor recording it.
    NoSignature,
    /// No key given with its fingerprint (nor any other key that verifies it).
    NoKey,
    /// Unreadable, or its signature does not verify.
    Invalid,
}

impl Standing {
    /// Present and not proven bad: it covers its time, and its log files are checked.
    fn vouches(self) -> bool {
        self != Standing::Invalid
    }
}

/// Where a signature to try came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignatureSource {
    HeadObject,
    Successor,
}

/// One chain, judged digest by digest, newest first.
struct ChainWalk<'a> {
    key: ChainKey,
    id: String,
    digests: Vec<&'a LoadedDigest>,
    /// Path → position in `digests`.
    index: HashMap<&'a str, usize>,
    keys: &'a KeyRing,
    inventory: &'a Inventory,
    folder: &'a dyn Folder,
    limits: &'a TrailLimits,
    /// For each digest, the position of the digest that names it as previous.
    successor: Vec<Option<usize>>,
    standing: Vec<Standing>,
    findings: Vec<Finding>,
    notes: Vec<Note>,
    gaps: Vec<Gap>,
}

impl<'a> ChainWalk<'a> {
    fn new(
        key: ChainKey,
        digests: Vec<&'a LoadedDigest>,
        keys: &'a KeyRing,
        inventory: &'a Inventory,
        folder: &'a dyn Folder,
        limits: &'a TrailLimits,
    ) -> ChainWalk<'a> {
        let index = digests
            .iter()
            .enumerate()
            .map(|(i, d)| (d.key.path.as_str(), i))
            .collect();
        let n = digests.len();
        ChainWalk {
            id: key.to_string(),
            key,
            digests,
            index,
            keys,
            inventory,
            folder,
            limits,
            successor: vec![None; n],
            standing: vec![Standing::Invalid; n],
            findings: Vec::new(),
            notes: Vec::new(),
            gaps: Vec::new(),
        }
    }

    fn run(mut self) -> Self {
        let previous = self.link_predecessors();
        for i in 0..self.digests.len() {
            self.standing[i] = self.judge(i);
        }
        let oldest = self.digests.len().saturating_sub(1);
        for (i, link) in previous.iter().enumerate() {
            match link {
                Some(Ok(j)) => self.check_link(i, *j),
                Some(Err(key)) if i == oldest => self.note_window_start(i, key),
                Some(Err(key)) => self.report_missing(i, key),
                None => {}
            }
        }
        // Backfill digests arrive only when late log files need them: time between
        // them is no gap, so only their links and signatures are judged.
        if !self.key.backfill {
            self.find_gaps(&previous);
        }
        self
    }

    fn content(&self, i: usize) -> Option<&'a DigestContent> {
        self.digests[i].content.as_ref().ok()
    }

    fn path(&self, i: usize) -> &'a str {
        &self.digests[i].key.path
    }

    fn finding(&self, kind: FindingKind, i: usize) -> Finding {
        located(kind, self.path(i)).chain(&self.id)
    }

    fn note(&mut self, i: usize, text: String) {
        let file = Some(self.path(i).to_owned());
        self.notes.push(Note { file, text });
    }

    /// For each digest, the digest its `previousDigestS3Object` names: `Ok(position)`,
    /// `Err(key)` when that is not in the chain, `None` for a chain start.
    fn link_predecessors(&mut self) -> Vec<Option<std::result::Result<usize, String>>> {
        let mut previous = Vec::with_capacity(self.digests.len());
        for i in 0..self.digests.len() {
            let named = self
                .content(i)
                .and_then(|c| c.file.previous_digest_s3_object.clone());
            let link = named.map(|key| match self.resolve(&key) {
                Some(j) if j != i => Ok(j),
                _ => Err(key),
            });
            if let Some(Ok(j)) = link {
                match self.successor[j] {
                    None => self.successor[j] = Some(i),
                    Some(other) => {
                        let text = format!(
                            "two digests name it as their previous digest: {} and {}; the first is used",
                            self.path(other),
                            self.path(i)
                        );
                        self.note(j, text);
                    }
                }
            }
            previous.push(link);
        }
        previous
    }

    /// The chain's digest an S3 key names, if it is in the folder.
    fn resolve(&self, key: &str) -> Option<usize> {
        let (exact, from_awslogs) = local_candidates(key)?;
        self.index
            .get(exact)
            .or_else(|| from_awslogs.and_then(|k| self.index.get(k)))
            .copied()
    }

    /// One digest's standing, with its findings.
    fn judge(&mut self, i: usize) -> Standing {
        let digest: &'a LoadedDigest = self.digests[i];
        let content = match &digest.content {
            Ok(content) => content,
            Err(problem) => {
                let finding = self.unreadable_finding(i, problem);
                self.findings.push(finding);
                return Standing::Invalid;
            }
        };
        self.check_moved(i, content);
        let to_sign = match self.signed_string(content) {
            Ok(text) => text,
            Err(why) => {
                let finding = self
                    .finding(FindingKind::DigestSignatureInvalid, i)
                    .detail(why);
                self.findings.push(finding);
                return Standing::Invalid;
            }
        };
        let candidates = self.signatures(i);
        if candidates.is_empty() {
            let finding = self.unavailable_finding(i, content);
            self.findings.push(finding);
            return Standing::NoSignature;
        }
        self.check_signature(i, content, to_sign.as_bytes(), &candidates)
    }

    fn unreadable_finding(&self, i: usize, problem: &Unreadable) -> Finding {
        match problem {
            Unreadable::Gzip(trailing @ GzError::TrailingData { .. }) => self
                .finding(FindingKind::GzipTrailingData, i)
                .detail(format!("a digest file: {trailing}; it is not used")),
            Unreadable::Gzip(error) => self
                .finding(FindingKind::DigestSignatureInvalid, i)
                .detail(format!("the digest file cannot be inflated: {error}")),
            Unreadable::Format(why) => self
                .finding(FindingKind::DigestSignatureInvalid, i)
                .detail(format!("the file is {why}")),
        }
    }

    /// `digestS3Object` must name the place the file lies (awscli: "has been moved
    /// from its original location"). The signature still verifies: it signs the field.
    fn check_moved(&mut self, i: usize, content: &DigestContent) {
        let Some(recorded) = &content.file.digest_s3_object else {
            return;
        };
        let here = self.path(i);
        let same = local_candidates(recorded)
            .is_some_and(|(exact, from_awslogs)| exact == here || from_awslogs == Some(here));
        if !same {
            let finding = self
                .finding(FindingKind::DigestMoved, i)
                .expected(recorded.clone())
                .actual(here);
            self.findings.push(finding);
        }
    }

    fn signed_string(&self, content: &DigestContent) -> std::result::Result<String, String> {
        if let Some(algorithm) = &content.file.digest_signature_algorithm
            && algorithm != SIGNATURE_ALGORITHM
        {
            return Err(format!(
                "it says it is signed with {algorithm}; only {SIGNATURE_ALGORITHM} is accepted"
            ));
        }
        content.file.string_to_sign(&content.sha256_hex)
    }

    /// The signatures to try: the head-object file's, then the one the next digest
    /// records as `previousDigestSignature` (AWS's offline procedure, step G).
    fn signatures(&mut self, i: usize) -> Vec<(SignatureSource, Vec<u8>)> {
        let mut found = Vec::new();
        if let Some(signature) = self.head_object_signature(i) {
            found.push((SignatureSource::HeadObject, signature));
        }
        let recorded = self.successor[i]
            .and_then(|s| self.content(s))
            .and_then(|c| c.file.previous_digest_signature.as_deref());
        if let Some(hex) = recorded {
            match from_hex(hex) {
                Some(signature) if !found.iter().any(|(_, s)| *s == signature) => {
                    found.push((SignatureSource::Successor, signature))
                }
                Some(_) => {}
                None => self.note(
                    i,
                    "the next digest's previousDigestSignature is not hex".to_owned(),
                ),
            }
        }
        found
    }

    /// The signature in the digest's head-object file, if there is a usable one (what
    /// is wrong with it is said in a note).
    fn head_object_signature(&mut self, i: usize) -> Option<Vec<u8>> {
        let file = self.inventory.head_objects.get(self.path(i))?.clone();
        let parsed = read_limited(self.folder, &file, self.limits.max_json_bytes)
            .map_err(|e| e.to_string())
            .and_then(|bytes| HeadObject::parse(&bytes));
        let problem = match parsed {
            Err(why) => format!("its head-object file {file} is not used: {why}"),
            Ok(head) => match (head.signature, head.algorithm) {
                (_, Some(algorithm)) if algorithm != SIGNATURE_ALGORITHM => format!(
                    "its head-object file {file} gives a {algorithm} signature; only {SIGNATURE_ALGORITHM} is accepted"
                ),
                (Some(hex), _) => match from_hex(&hex) {
                    Some(signature) => return Some(signature),
                    None => format!("its head-object file {file} has a signature that is not hex"),
                },
                (None, _) => format!("its head-object file {file} has no Metadata.signature"),
            },
        };
        self.note(i, problem);
        None
    }

    fn unavailable_finding(&self, i: usize, content: &DigestContent) -> Finding {
        let place = format!("digest-signatures/{}.json", self.path(i));
        let when = match (content.file.start(), content.file.end()) {
            (Some(start), Some(end)) => format!(
                "; {} to {} ({}) is unvouched",
                format_time(start),
                format_time(end),
                hours_text(hours_between(start, end))
            ),
            _ => String::new(),
        };
        self.finding(FindingKind::SignatureUnavailable, i)
            .detail(format!(
                "no head-object file ({place}) and no later digest records its signature{when}"
            ))
    }

    /// Tries every candidate signature with the keys of the digest's fingerprint
    /// (trusted first); with none, every key, since a key given in the other encoding
    /// has another fingerprint.
    fn check_signature(
        &mut self,
        i: usize,
        content: &DigestContent,
        to_sign: &[u8],
        candidates: &[(SignatureSource, Vec<u8>)],
    ) -> Standing {
        let ring: &'a KeyRing = self.keys;
        let fingerprint = content
            .file
            .digest_public_key_fingerprint
            .clone()
            .unwrap_or_default();
        let by_fingerprint: Vec<&TrailKey> = ring.with_fingerprint(&fingerprint);
        let keys: Vec<&TrailKey> = if by_fingerprint.is_empty() {
            ring.all().collect()
        } else {
            by_fingerprint.clone()
        };
        for key in &keys {
            for (source, signature) in candidates {
                if key.verifies(to_sign, signature) {
                    self.after_verified(
                        i,
                        content,
                        key,
                        *source,
                        candidates,
                        by_fingerprint.is_empty(),
                    );
                    return Standing::Verified {
                        trusted: key.is_trusted(),
                    };
                }
            }
        }
        let finding = if by_fingerprint.is_empty() {
            let named = if fingerprint.is_empty() {
                "no fingerprint".to_owned()
            } else {
                format!("fingerprint {fingerprint}")
            };
            self.finding(FindingKind::PublicKeyMissing, i).detail(format!(
                "it names {named}; add the region's list-public-keys output to public-keys/ or your trusted keys"
            ))
        } else {
            let sources: Vec<&str> = candidates
                .iter()
                .map(|(s, _)| describe_source(*s))
                .collect();
            self.finding(FindingKind::DigestSignatureInvalid, i)
                .detail(format!(
                    "the signature from {} does not verify with the key {fingerprint}",
                    sources.join(" and from ")
                ))
        };
        self.findings.push(finding);
        if by_fingerprint.is_empty() {
            Standing::NoKey
        } else {
            Standing::Invalid
        }
    }

    /// Notes on a verified digest: a key outside its validity window, a key found under
    /// another fingerprint, a head-object signature that did not verify.
    fn after_verified(
        &mut self,
        i: usize,
        content: &DigestContent,
        key: &TrailKey,
        source: SignatureSource,
        candidates: &[(SignatureSource, Vec<u8>)],
        other_fingerprint: bool,
    ) {
        if let Some(end) = content.file.end()
            && key.covers(end) == Some(false)
        {
            let window = |t: Option<DateTime<Utc>>| t.map(format_time).unwrap_or_default();
            self.note(i, format!(
                "signed by key {} from {}, valid {} to {}, which does not cover the digest's end {}",
                key.fingerprint,
                key.describe_origin(),
                window(key.valid_from),
                window(key.valid_to),
                format_time(end)
            ));
        }
        if other_fingerprint {
            self.note(i, format!(
                "it names fingerprint {}, but key {} from {} verifies it (the same key in another encoding)",
                content.file.digest_public_key_fingerprint.as_deref().unwrap_or("none"),
                key.fingerprint,
                key.describe_origin()
            ));
        }
        if source == SignatureSource::Successor
            && candidates
                .iter()
                .any(|(s, _)| *s == SignatureSource::HeadObject)
        {
            self.note(i, "the signature in its head-object file does not verify; the one the next digest records does".to_owned());
        }
    }

    /// The link from digest `i` to the previous digest `j` it names: the hash it
    /// records must be the SHA-256 of `j`'s inflated bytes (awscli never checks this).
    /// An invalid `i` proves nothing about `j` (its own finding says why).
    fn check_link(&mut self, i: usize, j: usize) {
        let (Some(next), Some(previous)) = (self.content(i), self.content(j)) else {
            return;
        };
        if self.standing[i] == Standing::Invalid {
            return;
        }
        let recorded = next.file.previous_digest_hash_value.as_deref();
        let algorithm = next
            .file
            .previous_digest_hash_algorithm
            .as_deref()
            .unwrap_or(HASH_ALGORITHM);
        let detail = match recorded {
            _ if algorithm != HASH_ALGORITHM => Some(format!(
                "{} records its hash with {algorithm}, not {HASH_ALGORITHM}",
                self.path(i)
            )),
            None => Some(format!("{} records no hash for it", self.path(i))),
            Some(hash) if !hash.eq_ignore_ascii_case(&previous.sha256_hex) => {
                Some(format!("{} records another hash for it", self.path(i)))
            }
            Some(_) => None,
        };
        if let Some(detail) = detail {
            let finding = self
                .finding(FindingKind::DigestHashMismatch, j)
                .detail(detail)
                .expected(recorded.unwrap_or("a hash"))
                .actual(previous.sha256_hex.clone());
            self.findings.push(finding);
        }
        self.check_times_meet(i, j);
    }

    /// Consecutive digests should meet: a later start is a gap (found by `find_gaps`),
    /// an earlier one an overlap worth a note.
    fn check_times_meet(&mut self, i: usize, j: usize) {
        let (Some(next), Some(previous)) = (self.content(i), self.content(j)) else {
            return;
        };
        if let (Some(start), Some(end)) = (next.file.start(), previous.file.end())
            && start < end
        {
            let text = format!(
                "it starts at {}, before the previous digest ends ({})",
                format_time(start),
                format_time(end)
            );
            self.note(i, text);
        }
    }

    /// The oldest digest's previous digest is absent: a folder holds a window of a
    /// trail that began earlier, so this is where the folder starts, not a deletion.
    /// (A deleted oldest digest looks the same; the chain's first covered time shows
    /// where the evidence starts.)
    fn note_window_start(&mut self, i: usize, key: &str) {
        let text = format!(
            "the chain goes on before this digest, the oldest in the folder: its previous digest {key} is not here, so the evidence starts here"
        );
        self.note(i, text);
    }

    fn report_missing(&mut self, i: usize, key: &str) {
        let detail = if local_candidates(key).is_none() {
            "the previous digest it names lies outside the folder's tree; it was not read"
                .to_owned()
        } else {
            "the previous digest it names is not in the folder".to_owned()
        };
        let finding = self
            .finding(FindingKind::DigestMissing, i)
            .expected(key)
            .detail(detail);
        self.findings.push(finding);
    }

    /// The time a digest covers: its own start and end when it is not proven bad and
    /// they can be read; else the hour before the end its name carries (digests are
    /// hourly), so a forged digest cannot stretch the chain's span.
    fn interval(&self, i: usize) -> Span {
        let from_file = self
            .content(i)
            .filter(|_| self.standing[i].vouches())
            .and_then(|c| Some((c.file.start()?, c.file.end()?)));
        match from_file {
            Some((start, end)) if start <= end => (start, end),
            _ => {
                let end = self.digests[i].key.end;
                (end - TimeDelta::hours(1), end)
            }
        }
    }

    /// Time within the chain's span that no present, not-invalid digest covers: each
    /// hole is a gap naming every missing hour; a chain that starts again (a starting
    /// digest after older ones) is a gap too, even when no time is lost.
    fn find_gaps(&mut self, previous: &[Option<std::result::Result<usize, String>>]) {
        let n = self.digests.len();
        let mut span_start = (0..n).map(|i| self.interval(i).0).min();
        // A missing previous digest extends the span back by its hour (but not the
        // oldest one's: that is where the folder's window starts).
        for key in previous[..n.saturating_sub(1)]
            .iter()
            .flatten()
            .filter_map(|link| link.as_ref().err())
        {
            if let Some(end) = layout::digest_key_end(key) {
                let start = end - TimeDelta::hours(1);
                span_start = Some(span_start.map_or(start, |s| s.min(start)));
            }
        }
        let span_end = (0..n).map(|i| self.interval(i).1).max();
        let (Some(span_start), Some(span_end)) = (span_start, span_end) else {
            return;
        };
        let covering: Vec<Span> = (0..n)
            .filter(|&i| self.standing[i].vouches())
            .map(|i| self.interval(i))
            .collect();
        let mut gaps: Vec<Gap> = holes(span_start, span_end, covering)
            .into_iter()
            .map(|(start, end)| Gap::new(start, end, false))
            .collect();
        for i in 0..n.saturating_sub(1) {
            let starts_again = self.content(i).is_some_and(|c| c.file.is_chain_start());
            if starts_again {
                mark_restart(&mut gaps, self.interval(i + 1).1, self.interval(i).0);
            }
        }
        gaps.sort_by_key(|g| g.start);
        for gap in &gaps {
            let finding = self.gap_finding(gap);
            self.findings.push(finding);
        }
        self.gaps = gaps;
    }

    /// A gap's finding, at the first digest after it.
    fn gap_finding(&self, gap: &Gap) -> Finding {
        let after = (0..self.digests.len())
            .filter(|&i| self.interval(i).0 >= gap.end)
            .min_by_key(|&i| self.interval(i).0)
            .unwrap_or(0);
        let mut detail = if gap.start == gap.end {
            format!(
                "the chain starts again at {}, right where the previous digest ends",
                format_time(gap.end)
            )
        } else {
            format!(
                "no verified digest covers {} to {} ({})",
                format_time(gap.start),
                format_time(gap.end),
                name_hours(gap)
            )
        };
        if gap.restart && gap.start != gap.end {
            detail.push_str(
                "; the chain starts again after it (a digest with no previous digest: log file validation was turned off and on, or logging stopped)",
            );
        }
        self.finding(FindingKind::DigestGap, after).detail(detail)
    }

    /// The digests that vouch for log files, with how, and what they list.
    fn listings(&self) -> impl Iterator<Item = (&'a str, Standing, &'a [ListedLogFile])> + '_ {
        (0..self.digests.len()).filter_map(move |i| {
            let content = self.content(i)?;
            Some((
                self.path(i),
                self.standing[i],
                content.file.log_files.as_slice(),
            ))
        })
    }

    fn finish(self) -> ChainResult {
        let count = |f: &dyn Fn(Standing) -> bool| self.standing.iter().filter(|s| f(**s)).count();
        let verified = count(&|s| matches!(s, Standing::Verified { .. }));
        let trusted = count(&|s| s == Standing::Verified { trusted: true });
        let unchecked = count(&|s| matches!(s, Standing::NoSignature | Standing::NoKey));
        let n = self.digests.len();
        let covering: Vec<_> = (0..n)
            .filter(|&i| self.standing[i].vouches())
            .map(|i| self.interval(i))
            .collect();
        let unvouched = (0..n)
            .filter(|&i| matches!(self.standing[i], Standing::NoSignature | Standing::NoKey))
            .map(|i| self.interval(i))
            .collect();
        let merged = merge(covering);
        let seconds: i64 = merged.iter().map(|(a, b)| (*b - *a).num_seconds()).sum();
        ChainResult {
            id: self.id,
            key: self.key,
            digests: n,
            digests_verified: verified,
            digests_trusted: trusted,
            digests_unchecked: unchecked,
            first_covered: merged.first().map(|(a, _)| *a),
            last_covered: merged.last().map(|(_, b)| *b),
            hours_covered: ((seconds + 1800) / 3600) as u64,
            gaps: self.gaps,
            unvouched,
            log_files_listed: 0,
            log_files_verified: 0,
            findings: self.findings,
            notes: self.notes,
            trust: if trusted == n {
                ChainTrust::Trusted
            } else if verified == n {
                ChainTrust::FolderKeys
            } else {
                ChainTrust::Incomplete
            },
        }
    }
}

fn describe_source(source: SignatureSource) -> &'static str {
    match source {
        SignatureSource::HeadObject => "its head-object file",
        SignatureSource::Successor => "the next digest's previousDigestSignature",
    }
}

/// A finding about a whole file (no line): the builder's `at` wants a line.
fn located(kind: FindingKind, file: &str) -> Finding {
    let mut finding = Finding::new(kind);
    finding.file = Some(file.to_owned());
    finding
}

/// Whole hours from `start` to `end`, a started hour counting as one.
fn hours_between(start: DateTime<Utc>, end: DateTime<Utc>) -> u64 {
    let seconds = (end - start).num_seconds().max(0) as u64;
    seconds.div_ceil(3600)
}

/// "1 hour", "3 hours".
fn hours_text(hours: u64) -> String {
    match hours {
        1 => "1 hour".to_owned(),
        n => format!("{n} hours"),
    }
}

/// The missing hours in words: every one of them, up to a week's worth.
fn name_hours(gap: &Gap) -> String {
    const NAMED: usize = 168;
    let mut named: Vec<String> = gap
        .hour_starts()
        .take(NAMED)
        .map(|start| {
            format!(
                "{}–{}",
                format_time(start),
                format_time((start + TimeDelta::hours(1)).min(gap.end))
            )
        })
        .collect();
    if gap.hours as usize > NAMED {
        named.push(format!("and {} more hours", gap.hours as usize - NAMED));
    }
    format!("{}: {}", hours_text(gap.hours), named.join(", "))
}

/// Merges intervals into sorted, disjoint ones.
fn merge(mut intervals: Vec<Span>) -> Vec<Span> {
    intervals.sort();
    let mut merged: Vec<Span> = Vec::new();
    for (start, end) in intervals {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// The parts of `[from, to]` that no interval covers.
fn holes(from: DateTime<Utc>, to: DateTime<Utc>, covering: Vec<Span>) -> Vec<Span> {
    let mut found = Vec::new();
    let mut cursor = from;
    for (start, end) in merge(covering) {
        if start > cursor {
            found.push((cursor, start.min(to)));
        }
        cursor = cursor.max(end);
    }
    if cursor < to {
        found.push((cursor, to));
    }
    found
}

/// Marks the gap where a chain starts again (between the older digest's end and the
/// starting digest's start), or adds one when no time was lost there.
fn mark_restart(gaps: &mut Vec<Gap>, older_end: DateTime<Utc>, start: DateTime<Utc>) {
    let (from, to) = (older_end.min(start), start.max(older_end));
    match gaps.iter_mut().find(|g| g.start <= to && g.end >= from) {
        Some(gap) => gap.restart = true,
        None => gaps.push(Gap::new(from, to, true)),
    }
}

/// How a digest vouches for a log file it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vouch {
    Trusted,
    FolderKey,
    Unchecked,
}

/// One digest's claim about one log file.
struct Expectation<'a> {
    chain: usize,
    digest: &'a str,
    hash: &'a str,
    algorithm: Option<&'a str>,
    vouch: Vouch,
}

/// What one log file's bytes came to.
struct FileRead {
    inflated: std::result::Result<Inflated, GzError>,
    bytes: Option<Vec<u8>>,
}

/// The log file pass: every listed file checked, every file in the folder accounted for.
struct LogCheck<'a> {
    inventory: &'a Inventory,
    chain_ids: Vec<String>,
    expected: HashMap<&'a str, Vec<Expectation<'a>>>,
    /// Listed only by digests that are invalid: unreferenced, and the detail says so.
    listed_by_invalid: HashSet<&'a str>,
    /// The time the (non-backfill) digests of each (org, account, region) span.
    spans: HashMap<Region<'a>, Span>,
    per_chain: Vec<(usize, usize, Vec<Finding>)>,
    findings: Vec<Finding>,
    /// Findings kept and counted beyond the cap, per kind: a digest may list the same
    /// file a million times, so findings are bounded as they are made.
    kept: HashMap<FindingKind, usize>,
    not_listed: HashMap<FindingKind, u64>,
    results: Vec<LogFileResult>,
}

/// Where a log file or digest was delivered from: (org, account, region).
type Region<'a> = (Option<&'a str>, &'a str, &'a str);

struct Checked {
    per_chain: Vec<(usize, usize, Vec<Finding>)>,
    findings: Vec<Finding>,
    not_listed: HashMap<FindingKind, u64>,
    results: Vec<LogFileResult>,
    notes: Vec<Note>,
}

impl<'a> LogCheck<'a> {
    fn new(inventory: &'a Inventory, walks: &'a [ChainWalk<'a>]) -> LogCheck<'a> {
        let mut check = LogCheck {
            inventory,
            chain_ids: walks.iter().map(|w| w.id.clone()).collect(),
            expected: HashMap::new(),
            listed_by_invalid: HashSet::new(),
            spans: region_spans(walks),
            per_chain: vec![(0, 0, Vec::new()); walks.len()],
            findings: Vec::new(),
            kept: HashMap::new(),
            not_listed: HashMap::new(),
            results: Vec::new(),
        };
        let logs: HashSet<&str> = inventory.logs.iter().map(|l| l.path.as_str()).collect();
        for (chain, walk) in walks.iter().enumerate() {
            for (digest, standing, listed) in walk.listings() {
                for entry in listed {
                    check.expect(&logs, chain, digest, standing, entry);
                }
            }
        }
        check
    }

    /// Records what a digest says about a log file, or that the file is missing.
    fn expect(
        &mut self,
        logs: &HashSet<&'a str>,
        chain: usize,
        digest: &'a str,
        standing: Standing,
        entry: &'a ListedLogFile,
    ) {
        let local = local_candidates(&entry.s3_object).and_then(|(exact, from_awslogs)| {
            logs.get(exact)
                .or_else(|| from_awslogs.and_then(|k| logs.get(k)))
                .copied()
        });
        let vouch = match standing {
            Standing::Verified { trusted: true } => Vouch::Trusted,
            Standing::Verified { trusted: false } => Vouch::FolderKey,
            Standing::NoSignature | Standing::NoKey => Vouch::Unchecked,
            Standing::Invalid => {
                self.listed_by_invalid.extend(local);
                return;
            }
        };
        self.per_chain[chain].0 += 1;
        let Some(path) = local else {
            let detail = if local_candidates(&entry.s3_object).is_none() {
                format!("{digest} lists a log file outside the folder's tree; it was not read")
            } else {
                format!("{digest} lists it")
            };
            let finding = located(FindingKind::LogFileMissing, digest)
                .chain(&self.chain_ids[chain])
                .expected(entry.s3_object.clone())
                .detail(detail);
            self.push(Some(chain), finding);
            return;
        };
        self.expected.entry(path).or_default().push(Expectation {
            chain,
            digest,
            hash: &entry.hash_value,
            algorithm: entry.hash_algorithm.as_deref(),
            vouch,
        });
    }

    fn run<T: Send>(
        mut self,
        folder: &dyn Folder,
        limits: &TrailLimits,
        on_log: Option<Reader<'_, '_, T>>,
    ) -> Checked {
        let logs: &'a [LogFileKey] = &self.inventory.logs;
        match on_log {
            None => {
                // Only listed files need reading; each is streamed through the hash.
                let reads: Vec<Option<FileRead>> = logs
                    .par_iter()
                    .map(|log| {
                        self.expected
                            .contains_key(log.path.as_str())
                            .then(|| read_file(folder, &log.path, limits, false))
                    })
                    .collect();
                for (log, read) in logs.iter().zip(reads) {
                    self.judge(log, read.as_ref());
                }
            }
            Some((prepare, on_log)) => {
                // A reader wants the bytes: workers inflate and prepare files ahead of
                // it, and it gets them here in path order.
                let workers = rayon::current_num_threads().max(1);
                in_order(
                    logs,
                    workers,
                    workers * FILES_AHEAD_PER_WORKER,
                    |log| {
                        let read = read_file(folder, &log.path, limits, true);
                        let prepared = match (&read.inflated, &read.bytes) {
                            (Ok(_), Some(bytes)) => Some(prepare(&log.path, bytes)),
                            _ => None,
                        };
                        (read, prepared)
                    },
                    |i, (read, prepared)| {
                        let log = &logs[i];
                        let result = self.judge(log, Some(&read));
                        match (&read.inflated, read.bytes, prepared) {
                            (Ok(inflated), Some(bytes), Some(prepared)) => on_log(
                                LogFileBytes {
                                    path: &log.path,
                                    chain: result.chain.as_deref(),
                                    status: result.status,
                                    inflated: &bytes,
                                    sha256: &inflated.sha256,
                                },
                                prepared,
                            ),
                            _ => ControlFlow::Continue(()),
                        }
                    },
                );
            }
        }
        Checked {
            notes: self.summary_notes(),
            per_chain: self.per_chain,
            findings: self.findings,
            not_listed: self.not_listed,
            results: self.results,
        }
    }

    /// Keeps a finding (of a chain, or of the trail), or counts it beyond the cap.
    fn push(&mut self, chain: Option<usize>, finding: Finding) {
        let kept = self.kept.entry(finding.kind).or_default();
        if *kept >= MAX_FINDINGS_PER_KIND {
            *self.not_listed.entry(finding.kind).or_default() += 1;
            return;
        }
        *kept += 1;
        match chain {
            Some(chain) => self.per_chain[chain].2.push(finding),
            None => self.findings.push(finding),
        }
    }

    /// One log file's result and findings.
    fn judge(&mut self, log: &'a LogFileKey, read: Option<&FileRead>) -> LogFileResult {
        let path = log.path.as_str();
        let result = match (self.expected.remove(path), read) {
            (Some(expectations), Some(read)) => self.judge_listed(path, &expectations, read),
            _ => self.judge_unlisted(log, read),
        };
        self.results.push(result.clone());
        result
    }

    /// A log file no verified or unchecked digest lists: unreferenced, unless no
    /// digest in the folder could list it.
    fn judge_unlisted(&mut self, log: &'a LogFileKey, read: Option<&FileRead>) -> LogFileResult {
        let size = read.and_then(|r| r.inflated.as_ref().ok()).map(|i| i.size);
        let status = self.unlisted_status(log);
        if status == LogFileStatus::Unreferenced {
            let detail = if self.listed_by_invalid.contains(log.path.as_str()) {
                "only a digest whose signature does not verify lists it"
            } else {
                "no digest lists it"
            };
            let finding = located(FindingKind::LogFileUnreferenced, &log.path).detail(detail);
            self.push(None, finding);
        }
        LogFileResult {
            path: log.path.clone(),
            chain: None,
            status,
            size,
        }
    }

    fn unlisted_status(&self, log: &'a LogFileKey) -> LogFileStatus {
        let region = (
            log.org.as_deref(),
            log.account.as_str(),
            log.region.as_str(),
        );
        let Some((first, last)) = self.spans.get(&region) else {
            return LogFileStatus::NoDigests;
        };
        // The name's time is the minute of delivery: a file of the last digest's final
        // minute may belong to the next digest.
        let outside = log
            .time
            .is_some_and(|t| t < *first || t + TimeDelta::minutes(1) > *last);
        if outside {
            LogFileStatus::BeyondDigests
        } else {
            LogFileStatus::Unreferenced
        }
    }

    /// What the statuses without a finding leave unproven, in words.
    fn summary_notes(&self) -> Vec<Note> {
        let count = |status| self.results.iter().filter(|r| r.status == status).count();
        let mut notes = Vec::new();
        let beyond = count(LogFileStatus::BeyondDigests);
        if beyond > 0 {
            notes.push(Note {
                file: None,
                text: format!(
                    "{beyond} log files were delivered before the first or after the last digest of their region in the folder; they are unproven (collect the digests of the hour after the last one to check the latest)"
                ),
            });
        }
        let without = count(LogFileStatus::NoDigests);
        if without > 0 {
            notes.push(Note {
                file: None,
                text: format!(
                    "{without} log files have no digest files of their account and region in the folder, so nothing can verify them: copy the trail's CloudTrail-Digest/ prefix too (aws s3 sync with the AWSLogs/ prefix), with digest-signatures/ and public-keys/"
                ),
            });
        }
        notes
    }

    fn judge_listed(
        &mut self,
        path: &str,
        expectations: &[Expectation<'a>],
        read: &FileRead,
    ) -> LogFileResult {
        let first = &expectations[0];
        let chain_id = self.chain_ids[first.chain].clone();
        let mut result = LogFileResult {
            path: path.to_owned(),
            chain: Some(chain_id.clone()),
            status: LogFileStatus::Unreadable,
            size: None,
        };
        let inflated = match &read.inflated {
            Ok(inflated) => inflated,
            Err(error) => {
                let finding = located(FindingKind::LogFileHashMismatch, path)
                    .chain(&chain_id)
                    .expected(first.hash)
                    .detail(format!("the file cannot be inflated: {error}"));
                self.push(Some(first.chain), finding);
                return result;
            }
        };
        result.size = Some(inflated.size);
        let actual = to_hex(&inflated.sha256);
        let mut matched = true;
        for expectation in expectations {
            if let Some(finding) = hash_finding(
                path,
                expectation,
                &actual,
                &self.chain_ids[expectation.chain],
            ) {
                self.push(Some(expectation.chain), finding);
                matched = false;
            }
        }
        result.status = if !matched {
            LogFileStatus::HashMismatch
        } else if let Some(trailing) = &inflated.trailing {
            let finding = located(FindingKind::GzipTrailingData, path)
                .chain(&chain_id)
                .detail(trailing.to_string());
            self.push(Some(first.chain), finding);
            LogFileStatus::TrailingData
        } else {
            self.count_verified(expectations)
        };
        result
    }

    /// The best vouch among the digests listing a matching file, counted per chain.
    fn count_verified(&mut self, expectations: &[Expectation<'a>]) -> LogFileStatus {
        let mut counted = HashSet::new();
        for e in expectations.iter().filter(|e| e.vouch != Vouch::Unchecked) {
            if counted.insert(e.chain) {
                self.per_chain[e.chain].1 += 1;
            }
        }
        if expectations.iter().any(|e| e.vouch == Vouch::Trusted) {
            LogFileStatus::Verified { trusted: true }
        } else if expectations.iter().any(|e| e.vouch == Vouch::FolderKey) {
            LogFileStatus::Verified { trusted: false }
        } else {
            LogFileStatus::Unvouched
        }
    }
}

/// The time the digests of each (org, account, source region) span, backfill chains
/// aside (they list late files of times the normal chain spans).
fn region_spans<'a>(walks: &'a [ChainWalk<'a>]) -> HashMap<Region<'a>, Span> {
    let mut spans: HashMap<Region<'a>, Span> = HashMap::new();
    for walk in walks.iter().filter(|w| !w.key.backfill) {
        let key = &walk.key;
        let region = (
            key.org.as_deref(),
            key.account.as_str(),
            key.source_region.as_str(),
        );
        for i in 0..walk.digests.len() {
            let (start, end) = walk.interval(i);
            let span = spans.entry(region).or_insert((start, end));
            *span = (span.0.min(start), span.1.max(end));
        }
    }
    spans
}

/// A mismatch between a digest's `hashValue` and the file's inflated SHA-256.
fn hash_finding(
    path: &str,
    expectation: &Expectation<'_>,
    actual: &str,
    chain: &str,
) -> Option<Finding> {
    let finding = located(FindingKind::LogFileHashMismatch, path).chain(chain);
    let algorithm = expectation.algorithm.unwrap_or(HASH_ALGORITHM);
    if algorithm != HASH_ALGORITHM {
        let detail = format!(
            "{} lists it with a {algorithm} hash, not {HASH_ALGORITHM}",
            expectation.digest
        );
        return Some(finding.detail(detail));
    }
    (!expectation.hash.eq_ignore_ascii_case(actual)).then(|| {
        finding
            .expected(expectation.hash)
            .actual(actual)
            .detail(format!("listed by {}", expectation.digest))
    })
}

/// Maps `work` over `items` on `workers` threads of their own and hands each result to
/// `consume`, on the calling thread, in the items' order, while the workers go on with
/// the items after it; at most `ahead` items are worked on or waiting at a time, so
/// memory stays bounded however slow `consume` is. Stops when `consume` says so. A
/// panic in `work` is raised again here.
fn in_order<I: Sync, R: Send>(
    items: &[I],
    workers: usize,
    ahead: usize,
    work: impl Fn(&I) -> R + Sync,
    mut consume: impl FnMut(usize, R) -> ControlFlow<()>,
) {
    use std::collections::BTreeMap;
    use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
    use std::sync::{Condvar, Mutex, PoisonError};

    struct State<R> {
        /// The next item no worker has taken.
        next: usize,
        /// Items before this one have been consumed.
        consumed: usize,
        done: BTreeMap<usize, std::thread::Result<R>>,
        stop: bool,
    }
    let ahead = ahead.max(1);
    let state = Mutex::new(State {
        next: 0,
        consumed: 0,
        done: BTreeMap::new(),
        stop: false,
    });
    let (room, ready) = (Condvar::new(), Condvar::new());
    let lock = || state.lock().unwrap_or_else(PoisonError::into_inner);
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = {
                        let mut st = lock();
                        loop {
                            if st.stop || st.next >= items.len() {
                                return;
                            }
                            if st.next < st.consumed + ahead {
                                break;
                            }
                            st = room.wait(st).unwrap_or_else(PoisonError::into_inner);
                        }
                        st.next += 1;
                        st.next - 1
                    };
                    let result = catch_unwind(AssertUnwindSafe(|| work(&items[i])));
                    let failed = result.is_err();
                    lock().done.insert(i, result);
                    ready.notify_one();
                    if failed {
                        return;
                    }
                }
            });
        }
        // However the loop below ends (done, stopped, or a panic), the workers stop.
        struct StopOnDrop<F: Fn()>(F);
        impl<F: Fn()> Drop for StopOnDrop<F> {
            fn drop(&mut self) {
                (self.0)();
            }
        }
        let _stop = StopOnDrop(|| {
            lock().stop = true;
            room.notify_all();
        });
        for i in 0..items.len() {
            let result = {
                let mut st = lock();
                loop {
                    if let Some(result) = st.done.remove(&i) {
                        st.consumed = i + 1;
                        room.notify_all();
                        break result;
                    }
                    st = ready.wait(st).unwrap_or_else(PoisonError::into_inner);
                }
            };
            let result = match result {
                Ok(result) => result,
                Err(panic) => resume_unwind(panic),
            };
            if consume(i, result).is_break() {
                break;
            }
        }
    });
}

/// Inflates one log file, hashing it; keeps the bytes only when asked.
fn read_file(folder: &dyn Folder, path: &str, limits: &TrailLimits, keep: bool) -> FileRead {
    let mut bytes = keep.then(Vec::new);
    let inflated = folder
        .open(path)
        .map_err(|e| GzError::Read(e.to_string()))
        .and_then(|reader| gz::inflate_member(reader, limits.max_log_bytes, bytes.as_mut()));
    FileRead { inflated, bytes }
}

/// Keeps at most `MAX_FINDINGS_PER_KIND` findings of each kind over the whole report
/// (chains first, in order), counting the rest.
fn cap_findings(
    chains: &mut [ChainResult],
    trail: &mut Vec<Finding>,
    mut dropped: HashMap<FindingKind, u64>,
) -> Vec<(FindingKind, u64)> {
    let mut kept: HashMap<FindingKind, usize> = HashMap::new();
    let mut keep = |finding: &Finding| {
        let n = kept.entry(finding.kind).or_default();
        *n += 1;
        if *n > MAX_FINDINGS_PER_KIND {
            *dropped.entry(finding.kind).or_default() += 1;
            false
        } else {
            true
        }
    };
    for chain in chains.iter_mut() {
        chain.findings.retain(&mut keep);
    }
    trail.retain(&mut keep);
    let mut dropped: Vec<(FindingKind, u64)> = dropped.into_iter().collect();
    dropped.sort();
    dropped
}

/// Evidence folders made in tests: a thin layer over `crate::produce::cloudtrail` (the
/// producer side, with its own gzip, hashes, fingerprints and signatures, so a bug
/// there cannot hide one here), plus the verifier's key rings for the reviewer's
/// trusted keys. The keys are made once per test binary.
#[cfg(test)]
pub(crate) mod testkit {
    use std::path::Path;
    use std::sync::Arc;

    use chrono::{DateTime, Utc};
    use serde_json::Value;

    use super::super::keys::{KeyOrigin, KeyRing, TrailKey};
    use super::Span;
    use crate::produce::cloudtrail as produce;

    pub use produce::{
        BuiltDigest, HeadObjects, TrailKeys as Keys, hour, pkcs1_der, sign, spki_der,
    };

    /// The three keys of every test trail.
    pub fn keys() -> &'static Keys {
        produce::trail_keys(produce::DEMO_KEY_SEED)
    }

    /// `aws cloudtrail list-public-keys` output for these DER keys and windows.
    pub fn list_public_keys_json(keys: &[(&[u8], Option<Span>)]) -> String {
        produce::list_public_keys_json(keys)
    }

    /// What to build: one region's chain (`produce::TrailPlan` has several).
    #[derive(Clone)]
    pub struct Plan {
        pub region: &'static str,
        pub hours: usize,
        pub logs_per_hour: usize,
        pub records_per_log: usize,
        /// The first hour signed by the second key (delivered as SubjectPublicKeyInfo).
        pub rotate_at: usize,
        /// Hours from here are signed by the attacker's key, added to public-keys/.
        pub attacker_from: Option<usize>,
        /// Validation off for the two hours before: no digests; a starting digest here.
        pub restart_at: Option<usize>,
        pub head_objects: HeadObjects,
        /// Changes hour `h`'s digest before it is signed.
        pub edit: Option<fn(usize, &mut Value)>,
    }

    impl Default for Plan {
        fn default() -> Plan {
            Plan {
                region: "us-east-1",
                hours: 6,
                logs_per_hour: 2,
                records_per_log: 3,
                rotate_at: 3,
                attacker_from: None,
                restart_at: None,
                head_objects: HeadObjects::All,
                edit: None,
            }
        }
    }

    impl Plan {
        fn produce(&self) -> produce::TrailPlan {
            produce::TrailPlan {
                regions: vec![self.region.to_owned()],
                hours: self.hours,
                logs_per_hour: self.logs_per_hour,
                records_per_log: self.records_per_log,
                rotate_at: self.rotate_at,
                attacker_from: self.attacker_from,
                restart_at: self.restart_at,
                head_objects: self.head_objects,
                edit: self.edit.map(|edit| -> produce::DigestEdit {
                    Arc::new(move |_: &str, h: usize, digest: &mut Value| edit(h, digest))
                }),
                ..produce::TrailPlan::default()
            }
        }
    }

    pub struct Built {
        pub digests: Vec<BuiltDigest>,
        pub logs: Vec<String>,
    }

    impl Built {
        pub fn digest(&self, hour: usize) -> &BuiltDigest {
            self.digests.iter().find(|d| d.hour == hour).unwrap()
        }
    }

    /// Writes the plan's trail under `root`.
    pub fn build(root: &Path, plan: &Plan) -> Built {
        let built = produce::build_trail(root, &plan.produce()).unwrap();
        let region = built.regions.into_iter().next().unwrap();
        Built {
            digests: region.digests,
            logs: region.logs,
        }
    }

    pub fn write(root: &Path, path: &str, bytes: &[u8]) {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
    }

    pub fn log_path(region: &str, delivered: DateTime<Utc>, unique: &str) -> String {
        produce::log_path(region, delivered, unique)
    }

    /// When log file `k` of hour `h` is delivered.
    pub fn log_time(plan: &Plan, h: usize, k: usize) -> DateTime<Utc> {
        produce::log_time(plan.logs_per_hour, h, k)
    }

    /// The JSON of a log file of three records: what `build` writes as the log file
    /// of index `seed` (hour × logs per hour + position) delivered at `at`.
    pub fn records(region: &str, at: DateTime<Utc>, seed: usize) -> Vec<u8> {
        let plan = Plan::default().produce();
        produce::log_file_json(plan.seed, region, at, seed as u64, 3).json
    }

    /// The two real keys with their overlapping windows, as list-public-keys gives them.
    pub fn real_keys_json(plan: &Plan) -> String {
        produce::trusted_keys_json(&plan.produce())
    }

    /// The reviewer's trusted keys: the two real ones.
    pub fn trusted(plan: &Plan) -> KeyRing {
        let mut ring = KeyRing::new();
        let problems = ring
            .add_listed(
                real_keys_json(plan).as_bytes(),
                &KeyOrigin::Trusted("trusted.json".into()),
            )
            .unwrap();
        assert!(problems.is_empty());
        ring
    }

    /// A trusted ring holding one key in the given DER.
    pub fn trusted_der(der: &[u8]) -> KeyRing {
        let mut ring = KeyRing::new();
        ring.add(TrailKey::from_der(der, None, None, KeyOrigin::Trusted("t".into())).unwrap());
        ring
    }

    /// Inflates a gzip file of the folder, lets `change` edit its JSON, writes it back.
    pub fn rewrite(root: &Path, path: &str, change: impl FnOnce(&mut Value)) {
        let gz = std::fs::read(root.join(path)).unwrap();
        let mut value: Value =
            serde_json::from_slice(&super::gz::inflate(&gz, 1 << 30).unwrap()).unwrap();
        change(&mut value);
        write(
            root,
            path,
            &produce::gzip(&serde_json::to_vec(&value).unwrap()),
        );
    }
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
