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
}

/// Verifies the trail in `folder` against the reviewer's `trusted` keys (and the
/// folder's own `public-keys/`, which make it intact at best). `Err` only when the
/// folder cannot be listed at all: everything else is a finding or a note.
pub fn verify_trail(
    folder: &dyn Folder,
    trusted: &KeyRing,
    limits: &TrailLimits,
) -> Result<TrailReport> {
    verify(folder, trusted, limits, None)
}

/// As `verify_trail`, and hands every log file that inflates (verified or not, with its
/// status) to `on_log`, in path order, a few files in memory at a time.
pub fn verify_trail_reading(
    folder: &dyn Folder,
    trusted: &KeyRing,
    limits: &TrailLimits,
    on_log: &mut dyn FnMut(LogFileBytes<'_>),
) -> Result<TrailReport> {
    verify(folder, trusted, limits, Some(on_log))
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

fn verify(
    folder: &dyn Folder,
    trusted: &KeyRing,
    limits: &TrailLimits,
    on_log: Option<&mut dyn FnMut(LogFileBytes<'_>)>,
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

    fn run(
        mut self,
        folder: &dyn Folder,
        limits: &TrailLimits,
        on_log: Option<&mut dyn FnMut(LogFileBytes<'_>)>,
    ) -> Checked {
        let logs = &self.inventory.logs;
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
            Some(on_log) => {
                // A reader wants the bytes: a few files at a time, in path order.
                let batch = 2 * rayon::current_num_threads().max(1);
                for chunk in logs.chunks(batch) {
                    let reads: Vec<FileRead> = chunk
                        .par_iter()
                        .map(|log| read_file(folder, &log.path, limits, true))
                        .collect();
                    for (log, read) in chunk.iter().zip(reads) {
                        let result = self.judge(log, Some(&read));
                        if let (Ok(_), Some(bytes)) = (&read.inflated, &read.bytes) {
                            on_log(LogFileBytes {
                                path: &log.path,
                                chain: result.chain.as_deref(),
                                status: result.status,
                                inflated: bytes,
                            });
                        }
                    }
                }
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

/// Evidence folders made in tests: RSA keys (made once per test binary), real gzip,
/// hourly digests chained and signed as CloudTrail signs them.
#[cfg(test)]
pub(crate) mod testkit {
    use std::convert::Infallible;
    use std::path::Path;
    use std::sync::OnceLock;

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as BASE64;
    use chrono::{DateTime, TimeDelta, Utc};
    use rsa::pkcs1::EncodeRsaPublicKey as _;
    use rsa::pkcs8::EncodePublicKey as _;
    use rsa::rand_core::{TryCryptoRng, TryRng};
    use serde_json::{Value, json};
    use sha2::{Digest, Sha256};

    use super::super::keys::{KeyOrigin, KeyRing, TrailKey, fingerprint};
    use super::super::{format_time, gz::gzip, parse_time};
    use super::Span;
    use crate::canonical::to_hex;

    pub const ACCOUNT: &str = "123456789012";
    pub const BUCKET: &str = "acme-trail-bucket";
    pub const TRAIL: &str = "main-trail";

    pub struct Keys {
        pub first: rsa::PrivateKey,
        pub second: rsa::PrivateKey,
        pub attacker: rsa::PrivateKey,
    }

    /// SHA-256 in counter mode from a seed: the same keys on every run.
    struct TestRng {
        seed: u64,
        counter: u64,
    }

    impl TryRng for TestRng {
        type Error = Infallible;

        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            let mut bytes = [0u8; 4];
            self.try_fill_bytes(&mut bytes)?;
            Ok(u32::from_le_bytes(bytes))
        }

        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            let mut bytes = [0u8; 8];
            self.try_fill_bytes(&mut bytes)?;
            Ok(u64::from_le_bytes(bytes))
        }

        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
            for chunk in dst.chunks_mut(32) {
                self.counter += 1;
                let mut hasher = Sha256::new();
                hasher.update(self.seed.to_le_bytes());
                hasher.update(self.counter.to_le_bytes());
                let block = hasher.finalize();
                chunk.copy_from_slice(&block[..chunk.len()]);
            }
            Ok(())
        }
    }

    impl TryCryptoRng for TestRng {}

    /// Three 2048-bit keys, made once (in parallel: generation is the slow part).
    pub fn keys() -> &'static Keys {
        static KEYS: OnceLock<Keys> = OnceLock::new();
        KEYS.get_or_init(|| {
            let make =
                |seed| rsa::PrivateKey::new(&mut TestRng { seed, counter: 0 }, 2048).expect("key");
            std::thread::scope(|s| {
                let first = s.spawn(|| make(1));
                let second = s.spawn(|| make(2));
                let attacker = make(3);
                Keys {
                    first: first.join().unwrap(),
                    second: second.join().unwrap(),
                    attacker,
                }
            })
        })
    }

    pub fn pkcs1_der(key: &rsa::PrivateKey) -> Vec<u8> {
        key.to_public_key()
            .to_pkcs1_der()
            .unwrap()
            .as_bytes()
            .to_vec()
    }

    pub fn spki_der(key: &rsa::PrivateKey) -> Vec<u8> {
        key.to_public_key()
            .to_public_key_der()
            .unwrap()
            .as_bytes()
            .to_vec()
    }

    pub fn sign(key: &rsa::PrivateKey, message: &[u8]) -> Vec<u8> {
        key.pkcs1v15_sign::<Sha256>(message).unwrap()
    }

    /// `aws cloudtrail list-public-keys` output for these DER keys and windows.
    pub fn list_public_keys_json(keys: &[(&[u8], Option<Span>)]) -> String {
        let list: Vec<Value> = keys
            .iter()
            .map(|(der, window)| {
                let mut entry = json!({
                    "Value": BASE64.encode(der),
                    "Fingerprint": fingerprint(der),
                });
                if let Some((from, to)) = window {
                    entry["ValidityStartTime"] = json!(from.to_rfc3339());
                    entry["ValidityEndTime"] = json!(to.to_rfc3339());
                }
                entry
            })
            .collect();
        json!({ "PublicKeyList": list }).to_string()
    }

    /// Digests end a minute and a half past the hour, as in AWS's sample.
    pub fn t0() -> DateTime<Utc> {
        parse_time("2026-03-01T00:01:31Z").unwrap()
    }

    pub fn hour(h: usize) -> DateTime<Utc> {
        t0() + TimeDelta::hours(h as i64)
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum HeadObjects {
        All,
        AllButNewest,
        None,
    }

    /// What to build.
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

    pub struct BuiltDigest {
        pub hour: usize,
        pub path: String,
        pub to_sign: String,
        pub signature: Vec<u8>,
        pub logs: Vec<String>,
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

    pub fn write(root: &Path, path: &str, bytes: &[u8]) {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
    }

    fn folder_date(t: DateTime<Utc>) -> String {
        t.format("%Y/%m/%d").to_string()
    }

    pub fn digest_path(region: &str, end: DateTime<Utc>) -> String {
        format!(
            "AWSLogs/{ACCOUNT}/CloudTrail-Digest/{region}/{}/{ACCOUNT}_CloudTrail-Digest_{region}_{TRAIL}_{region}_{}.json.gz",
            folder_date(end),
            end.format("%Y%m%dT%H%M%SZ")
        )
    }

    pub fn log_path(region: &str, delivered: DateTime<Utc>, unique: &str) -> String {
        format!(
            "AWSLogs/{ACCOUNT}/CloudTrail/{region}/{}/{ACCOUNT}_CloudTrail_{region}_{}_{unique}.json.gz",
            folder_date(delivered),
            delivered.format("%Y%m%dT%H%MZ")
        )
    }

    /// A log file's JSON: a few IAM calls by alice.
    pub fn records(region: &str, at: DateTime<Utc>, seed: usize) -> Vec<u8> {
        records_n(region, at, seed, 3)
    }

    /// A log file's JSON with `n` records of about 700 bytes each.
    pub fn records_n(region: &str, at: DateTime<Utc>, seed: usize, n: usize) -> Vec<u8> {
        let records: Vec<Value> = (0..n as i64)
            .map(|i| {
                json!({
                    "eventVersion": "1.11",
                    "eventID": format!("{seed:08x}-0000-4000-8000-{i:012x}"),
                    "eventTime": format_time(at - TimeDelta::minutes(i)),
                    "eventSource": "iam.amazonaws.com",
                    "eventName": "CreateUser",
                    "awsRegion": region,
                    "sourceIPAddress": "203.0.113.7",
                    "userAgent": "aws-cli/2.15.0",
                    "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::{ACCOUNT}:user/alice"), "userName": "alice"},
                    "requestParameters": {"userName": format!("user-{seed}-{i}")},
                    "responseElements": {"user": {"path": "/", "userName": format!("user-{seed}-{i}"),
                        "userId": format!("AIDA{seed:016X}"), "arn": format!("arn:aws:iam::{ACCOUNT}:user/user-{seed}-{i}")}},
                    "requestID": format!("{seed:08x}-{i:04x}-4000-8000-000000000000"),
                    "readOnly": false,
                    "eventType": "AwsApiCall",
                    "managementEvent": true,
                    "recipientAccountId": ACCOUNT,
                    "eventCategory": "Management",
                })
            })
            .collect();
        serde_json::to_vec(&json!({ "Records": records })).unwrap()
    }

    fn sha256_hex(bytes: &[u8]) -> String {
        to_hex(&Sha256::digest(bytes))
    }

    /// The signing key of hour `h`, its DER as the folder delivers it.
    fn signer(plan: &Plan, h: usize) -> (&'static rsa::PrivateKey, Vec<u8>) {
        let keys = keys();
        if plan.attacker_from.is_some_and(|from| h >= from) {
            (&keys.attacker, pkcs1_der(&keys.attacker))
        } else if h < plan.rotate_at {
            (&keys.first, pkcs1_der(&keys.first))
        } else {
            (&keys.second, spki_der(&keys.second))
        }
    }

    /// The two real keys with their overlapping windows, as list-public-keys gives them.
    pub fn real_keys_json(plan: &Plan) -> String {
        let keys = keys();
        let rotation = hour(plan.rotate_at);
        list_public_keys_json(&[
            (
                &pkcs1_der(&keys.first),
                Some((t0() - TimeDelta::days(10), rotation + TimeDelta::hours(1))),
            ),
            (
                &spki_der(&keys.second),
                Some((rotation - TimeDelta::hours(1), t0() + TimeDelta::days(30))),
            ),
        ])
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

    /// Writes the plan's trail under `root`.
    pub fn build(root: &Path, plan: &Plan) -> Built {
        let mut keys_file = serde_json::from_str::<Value>(&real_keys_json(plan)).unwrap();
        if plan.attacker_from.is_some() {
            let der = pkcs1_der(&keys().attacker);
            let entry = json!({"Value": BASE64.encode(&der), "Fingerprint": fingerprint(&der)});
            keys_file["PublicKeyList"]
                .as_array_mut()
                .unwrap()
                .push(entry);
        }
        write(
            root,
            &format!("public-keys/{}.json", plan.region),
            keys_file.to_string().as_bytes(),
        );

        let mut built = Built {
            digests: Vec::new(),
            logs: Vec::new(),
        };
        let mut previous: Option<(String, String, String)> = None;
        for h in 0..plan.hours {
            if plan.restart_at.is_some_and(|r| h + 2 >= r && h < r) {
                previous = None;
                continue;
            }
            let logs = build_logs(root, plan, h);
            let digest = build_digest(root, plan, h, &logs, previous.as_ref());
            previous = Some((
                digest.path.clone(),
                digest.to_sign.lines().nth(2).unwrap().to_owned(),
                to_hex(&digest.signature),
            ));
            built.logs.extend(logs.iter().map(|(path, _)| path.clone()));
            built.digests.push(digest);
        }
        built
    }

    /// Hour `h`'s log files: (path, hex SHA-256 of the inflated bytes).
    fn build_logs(root: &Path, plan: &Plan, h: usize) -> Vec<(String, String)> {
        use rayon::prelude::*;
        (0..plan.logs_per_hour)
            .into_par_iter()
            .map(|k| {
                let delivered = log_time(plan, h, k);
                let unique = format!("{:016}", h * 100 + k);
                let path = log_path(plan.region, delivered, &unique);
                let inflated = records_n(plan.region, delivered, h * 100 + k, plan.records_per_log);
                write(root, &path, &gzip(&inflated));
                (path, sha256_hex(&inflated))
            })
            .collect()
    }

    /// When log file `k` of hour `h` is delivered: spread over the hour.
    pub fn log_time(plan: &Plan, h: usize, k: usize) -> DateTime<Utc> {
        let minutes = 5 + 50 * k / plan.logs_per_hour.max(1);
        hour(h) + TimeDelta::minutes(minutes as i64)
    }

    fn build_digest(
        root: &Path,
        plan: &Plan,
        h: usize,
        logs: &[(String, String)],
        previous: Option<&(String, String, String)>,
    ) -> BuiltDigest {
        let (start, end) = (hour(h), hour(h + 1));
        let path = digest_path(plan.region, end);
        let (key, der) = signer(plan, h);
        let log_files: Vec<Value> = logs
            .iter()
            .map(|(log, hash)| {
                json!({"s3Bucket": BUCKET, "s3Object": log, "hashValue": hash, "hashAlgorithm": "SHA-256",
                       "newestEventTime": format_time(start), "oldestEventTime": format_time(start)})
            })
            .collect();
        let mut digest = json!({
            "awsAccountId": ACCOUNT,
            "digestStartTime": format_time(start),
            "digestEndTime": format_time(end),
            "digestS3Bucket": BUCKET,
            "digestS3Object": path,
            "digestPublicKeyFingerprint": fingerprint(&der),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": format_time(start),
            "oldestEventTime": format_time(start),
            "previousDigestS3Bucket": previous.map(|_| BUCKET),
            "previousDigestS3Object": previous.map(|p| p.0.clone()),
            "previousDigestHashValue": previous.map(|p| p.1.clone()),
            "previousDigestHashAlgorithm": previous.map(|_| "SHA-256"),
            "previousDigestSignature": previous.map(|p| p.2.clone()),
            "logFiles": log_files,
        });
        if let Some(edit) = plan.edit {
            edit(h, &mut digest);
        }
        let inflated = serde_json::to_vec_pretty(&digest).unwrap();
        let to_sign = string_to_sign(&digest, &sha256_hex(&inflated));
        let signature = sign(key, to_sign.as_bytes());
        write(root, &path, &gzip(&inflated));
        let newest = h + 1 == plan.hours;
        let head = match plan.head_objects {
            HeadObjects::All => true,
            HeadObjects::AllButNewest => !newest,
            HeadObjects::None => false,
        };
        if head {
            write(
                root,
                &format!("digest-signatures/{path}.json"),
                head_object(&signature).as_bytes(),
            );
        }
        BuiltDigest {
            hour: h,
            path,
            to_sign,
            signature,
            logs: logs.iter().map(|l| l.0.clone()).collect(),
        }
    }

    /// Built here from the JSON values, independently of `DigestFile`.
    fn string_to_sign(digest: &Value, inflated_sha256: &str) -> String {
        let text = |name: &str| digest[name].as_str().unwrap_or("null").to_owned();
        format!(
            "{}\n{}/{}\n{inflated_sha256}\n{}",
            text("digestEndTime"),
            text("digestS3Bucket"),
            text("digestS3Object"),
            text("previousDigestSignature")
        )
    }

    pub fn head_object(signature: &[u8]) -> String {
        json!({
            "AcceptRanges": "bytes",
            "LastModified": "2026-03-01T01:02:00+00:00",
            "ContentLength": 1234,
            "ETag": "\"0123456789abcdef\"",
            "ContentType": "application/json",
            "Metadata": {"signature": to_hex(signature), "signature-algorithm": "SHA256withRSA"},
        })
        .to_string()
    }

    /// Inflates a gzip file of the folder, lets `change` edit its JSON, writes it back.
    pub fn rewrite(root: &Path, path: &str, change: impl FnOnce(&mut Value)) {
        let gz = std::fs::read(root.join(path)).unwrap();
        let mut value: Value =
            serde_json::from_slice(&super::gz::inflate(&gz, 1 << 30).unwrap()).unwrap();
        change(&mut value);
        write(root, path, &gzip(&serde_json::to_vec(&value).unwrap()));
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::testkit::{self, HeadObjects, Plan, hour};
    use super::*;
    use crate::source::cloudtrail::DirFolder;
    use crate::source::cloudtrail::gz::gzip;
    use crate::verify::Severity;

    fn verify_with(root: &Path, trusted: &KeyRing, limits: &TrailLimits) -> TrailReport {
        verify_trail(&DirFolder::new(root), trusted, limits).unwrap()
    }

    fn run(root: &Path, plan: &Plan) -> TrailReport {
        verify_with(root, &testkit::trusted(plan), &TrailLimits::default())
    }

    fn kinds(report: &TrailReport) -> Vec<FindingKind> {
        let mut kinds: Vec<FindingKind> = report.all_findings().map(|f| f.kind).collect();
        kinds.sort();
        kinds
    }

    fn only(report: &TrailReport, kind: FindingKind) -> Vec<&Finding> {
        report.all_findings().filter(|f| f.kind == kind).collect()
    }

    fn status(report: &TrailReport, path: &str) -> LogFileStatus {
        report
            .log_files
            .iter()
            .find(|l| l.path == path)
            .unwrap()
            .status
    }

    fn built(plan: &Plan) -> (tempfile::TempDir, testkit::Built) {
        let dir = tempfile::tempdir().unwrap();
        let built = testkit::build(dir.path(), plan);
        (dir, built)
    }

    #[test]
    fn a_clean_trail_with_a_key_rotation_verifies_with_trusted_keys() {
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        let report = run(dir.path(), &plan);
        assert_eq!(
            kinds(&report),
            [],
            "{:#?}",
            report.all_findings().collect::<Vec<_>>()
        );
        assert!(report.notes.is_empty(), "{:?}", report.notes);
        assert_eq!(report.chains.len(), 1);
        let chain = &report.chains[0];
        assert_eq!(chain.id, "123456789012/us-east-1/main-trail");
        assert_eq!(
            (chain.digests, chain.digests_verified, chain.digests_trusted),
            (6, 6, 6)
        );
        assert_eq!(chain.trust, ChainTrust::Trusted);
        assert!(chain.notes.is_empty(), "{:?}", chain.notes);
        assert_eq!(chain.gaps, []);
        assert_eq!(chain.hours_covered, 6);
        assert_eq!(
            (chain.first_covered, chain.last_covered),
            (Some(hour(0)), Some(hour(6)))
        );
        assert_eq!((chain.log_files_listed, chain.log_files_verified), (12, 12));
        assert_eq!(report.log_files.len(), 12);
        for log in &built.logs {
            assert_eq!(
                status(&report, log),
                LogFileStatus::Verified { trusted: true }
            );
        }
        assert_eq!(
            (report.folder_keys, report.trusted_keys, report.digest_files),
            (2, 2, 6)
        );
        assert!(report.ignored.is_empty(), "{:?}", report.ignored);
    }

    #[test]
    fn with_only_the_folders_keys_it_verifies_but_is_not_trusted() {
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        let report = verify_with(dir.path(), &KeyRing::new(), &TrailLimits::default());
        assert_eq!(kinds(&report), []);
        let chain = &report.chains[0];
        assert_eq!((chain.digests_verified, chain.digests_trusted), (6, 0));
        assert_eq!(chain.trust, ChainTrust::FolderKeys);
        assert_eq!(
            status(&report, &built.logs[0]),
            LogFileStatus::Verified { trusted: false }
        );
    }

    #[test]
    fn an_edited_record_is_a_log_hash_mismatch_at_its_file() {
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        let target = &built.logs[3];
        testkit::rewrite(dir.path(), target, |v| {
            v["Records"][1]["sourceIPAddress"] = "198.51.100.1".into()
        });
        let report = run(dir.path(), &plan);
        assert_eq!(kinds(&report), [FindingKind::LogFileHashMismatch]);
        let finding = only(&report, FindingKind::LogFileHashMismatch)[0];
        assert_eq!(finding.file.as_deref(), Some(target.as_str()));
        assert_eq!(
            finding.chain.as_deref(),
            Some("123456789012/us-east-1/main-trail")
        );
        assert!(
            finding.expected.is_some()
                && finding.actual.is_some()
                && finding.expected != finding.actual
        );
        assert_eq!(status(&report, target), LogFileStatus::HashMismatch);
        assert_eq!(report.chains[0].log_files_verified, 11);
    }

    #[test]
    fn a_deleted_log_file_is_missing_at_the_digest_that_lists_it() {
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        std::fs::remove_file(dir.path().join(&built.logs[5])).unwrap();
        let report = run(dir.path(), &plan);
        assert_eq!(kinds(&report), [FindingKind::LogFileMissing]);
        let finding = only(&report, FindingKind::LogFileMissing)[0];
        assert_eq!(finding.file.as_deref(), Some(built.digest(2).path.as_str()));
        assert_eq!(finding.expected.as_deref(), Some(built.logs[5].as_str()));
    }

    #[test]
    fn an_injected_log_file_is_unreferenced() {
        let plan = Plan::default();
        let (dir, _) = built(&plan);
        let injected = testkit::log_path("us-east-1", hour(2), "INJECTEDINJECTED");
        testkit::write(
            dir.path(),
            &injected,
            &gzip(&testkit::records("us-east-1", hour(2), 999)),
        );
        let report = run(dir.path(), &plan);
        assert_eq!(kinds(&report), [FindingKind::LogFileUnreferenced]);
        assert_eq!(report.findings[0].file.as_deref(), Some(injected.as_str()));
        assert_eq!(report.findings[0].chain, None);
        assert_eq!(status(&report, &injected), LogFileStatus::Unreferenced);
    }

    fn delete_digest(root: &Path, built: &testkit::Built, h: usize) {
        let path = &built.digest(h).path;
        std::fs::remove_file(root.join(path)).unwrap();
        std::fs::remove_file(root.join(format!("digest-signatures/{path}.json"))).unwrap();
    }

    #[test]
    fn one_deleted_digest_is_missing_and_its_hour_a_gap() {
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        delete_digest(dir.path(), &built, 2);
        let report = run(dir.path(), &plan);
        use FindingKind::*;
        assert_eq!(
            kinds(&report),
            [
                LogFileUnreferenced,
                LogFileUnreferenced,
                DigestMissing,
                DigestGap
            ]
        );
        let missing = only(&report, DigestMissing)[0];
        assert_eq!(missing.file.as_deref(), Some(built.digest(3).path.as_str()));
        assert_eq!(
            missing.expected.as_deref(),
            Some(built.digest(2).path.as_str())
        );
        let chain = &report.chains[0];
        assert_eq!(
            chain.gaps,
            [Gap {
                start: hour(2),
                end: hour(3),
                hours: 1,
                restart: false
            }]
        );
        let gap = only(&report, DigestGap)[0];
        assert_eq!(gap.file.as_deref(), Some(built.digest(3).path.as_str()));
        assert!(
            gap.detail
                .as_ref()
                .unwrap()
                .contains("2026-03-01T02:01:31Z–2026-03-01T03:01:31Z"),
            "{gap:?}"
        );
    }

    #[test]
    fn a_folder_that_starts_mid_chain_is_no_break() {
        // A window of a longer trail: the oldest digest's previous digest is not here,
        // and log files delivered outside the digests' hours cannot be listed by them.
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        delete_digest(dir.path(), &built, 0);
        let late = testkit::log_path(
            "us-east-1",
            hour(6) + chrono::TimeDelta::minutes(10),
            "LATELATELATELATE",
        );
        testkit::write(
            dir.path(),
            &late,
            &gzip(&testkit::records("us-east-1", hour(6), 1)),
        );
        let report = run(dir.path(), &plan);
        assert_eq!(kinds(&report), []);
        let chain = &report.chains[0];
        assert_eq!(chain.first_covered, Some(hour(1)));
        assert!(
            chain.notes[0].text.contains("evidence starts here"),
            "{:?}",
            chain.notes
        );
        for log in built.digest(0).logs.iter().chain([&late]) {
            assert_eq!(status(&report, log), LogFileStatus::BeyondDigests, "{log}");
        }
        assert!(
            report.notes[0].text.starts_with(
                "3 log files were delivered before the first or after the last digest"
            ),
            "{:?}",
            report.notes
        );
    }

    #[test]
    fn two_consecutive_deleted_digests_name_both_hours() {
        // aws-cli#7054: validate-logs names only one of the two.
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        delete_digest(dir.path(), &built, 2);
        delete_digest(dir.path(), &built, 3);
        let report = run(dir.path(), &plan);
        assert_eq!(only(&report, FindingKind::DigestMissing).len(), 1);
        let chain = &report.chains[0];
        assert_eq!(
            chain.gaps,
            [Gap {
                start: hour(2),
                end: hour(4),
                hours: 2,
                restart: false
            }]
        );
        let starts: Vec<_> = chain.gaps[0].hour_starts().collect();
        assert_eq!(starts, [hour(2), hour(3)]);
        let detail = only(&report, FindingKind::DigestGap)[0]
            .detail
            .clone()
            .unwrap();
        assert!(detail.contains("2 hours"), "{detail}");
        assert!(
            detail.contains("02:01:31Z–2026-03-01T03:01:31Z")
                && detail.contains("03:01:31Z–2026-03-01T04:01:31Z"),
            "{detail}"
        );
        assert_eq!(only(&report, FindingKind::LogFileUnreferenced).len(), 4);
        assert_eq!(chain.hours_covered, 4);
    }

    #[test]
    fn an_edited_digest_does_not_verify_and_leaves_its_hour_and_log_files_unvouched() {
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        let edited = &built.digest(2).path;
        testkit::rewrite(dir.path(), edited, |v| {
            v["logFiles"]
                .as_array_mut()
                .unwrap()
                .pop()
                .map(|_| ())
                .unwrap()
        });
        let report = run(dir.path(), &plan);
        use FindingKind::*;
        assert_eq!(
            kinds(&report),
            [
                LogFileUnreferenced,
                LogFileUnreferenced,
                DigestSignatureInvalid,
                DigestHashMismatch,
                DigestGap
            ]
        );
        for kind in [DigestSignatureInvalid, DigestHashMismatch] {
            assert_eq!(
                only(&report, kind)[0].file.as_deref(),
                Some(edited.as_str()),
                "{kind:?}"
            );
        }
        let unreferenced = only(&report, LogFileUnreferenced);
        assert!(unreferenced.iter().any(|f| f.detail.as_deref()
            == Some("only a digest whose signature does not verify lists it")));
        assert_eq!(report.chains[0].trust, ChainTrust::Incomplete);
    }

    #[test]
    fn a_trail_resigned_with_an_attackers_key_verifies_only_against_the_folders_keys() {
        let plan = Plan {
            attacker_from: Some(4),
            ..Plan::default()
        };
        let (dir, built) = built(&plan);
        let report = run(dir.path(), &plan);
        assert_eq!(kinds(&report), []);
        let chain = &report.chains[0];
        assert_eq!((chain.digests_verified, chain.digests_trusted), (6, 4));
        assert_eq!(chain.trust, ChainTrust::FolderKeys);
        assert_eq!(
            status(&report, &built.digest(4).logs[0]),
            LogFileStatus::Verified { trusted: false }
        );
        assert_eq!(
            status(&report, &built.digest(3).logs[0]),
            LogFileStatus::Verified { trusted: true }
        );
        // Against the trusted keys alone, the attacker's digests have no key.
        std::fs::remove_dir_all(dir.path().join("public-keys")).unwrap();
        let report = run(dir.path(), &plan);
        assert_eq!(
            kinds(&report),
            [FindingKind::PublicKeyMissing, FindingKind::PublicKeyMissing]
        );
        assert_eq!(report.chains[0].trust, ChainTrust::Incomplete);
    }

    #[test]
    fn a_wrong_previous_hash_under_valid_signatures_is_a_digest_hash_mismatch() {
        fn wrong_hash(h: usize, digest: &mut serde_json::Value) {
            if h == 3 {
                digest["previousDigestHashValue"] = "00".repeat(32).into();
            }
        }
        let plan = Plan {
            edit: Some(wrong_hash),
            ..Plan::default()
        };
        let (dir, built) = built(&plan);
        let report = run(dir.path(), &plan);
        assert_eq!(kinds(&report), [FindingKind::DigestHashMismatch]);
        let finding = only(&report, FindingKind::DigestHashMismatch)[0];
        assert_eq!(finding.file.as_deref(), Some(built.digest(2).path.as_str()));
        assert_eq!(finding.expected, Some("00".repeat(32)));
        assert_eq!(report.chains[0].digests_trusted, 6);
    }

    #[test]
    fn a_moved_digest_is_reported_where_it_lies() {
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        let original = built.digest(2).path.clone();
        let moved = original.replace("/2026/03/01/", "/2026/03/02/");
        for (from, to) in [
            (original.clone(), moved.clone()),
            (
                format!("digest-signatures/{original}.json"),
                format!("digest-signatures/{moved}.json"),
            ),
        ] {
            std::fs::create_dir_all(dir.path().join(&to).parent().unwrap()).unwrap();
            std::fs::rename(dir.path().join(from), dir.path().join(to)).unwrap();
        }
        let report = run(dir.path(), &plan);
        assert_eq!(
            kinds(&report),
            [FindingKind::DigestMissing, FindingKind::DigestMoved]
        );
        let finding = only(&report, FindingKind::DigestMoved)[0];
        assert_eq!(finding.file.as_deref(), Some(moved.as_str()));
        assert_eq!(finding.expected.as_deref(), Some(original.as_str()));
        // It still verifies and covers its hour: no gap, its log files are verified.
        assert_eq!(report.chains[0].gaps, []);
        assert_eq!(report.chains[0].log_files_verified, 12);
    }

    #[test]
    fn gzip_data_appended_to_a_log_file_is_refused() {
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        let target = dir.path().join(&built.logs[0]);
        let mut bytes = std::fs::read(&target).unwrap();
        let original_len = bytes.len() as u64;
        bytes.extend_from_slice(&gzip(&testkit::records("us-east-1", hour(0), 77)));
        std::fs::write(&target, bytes).unwrap();
        let report = run(dir.path(), &plan);
        assert_eq!(kinds(&report), [FindingKind::GzipTrailingData]);
        let finding = only(&report, FindingKind::GzipTrailingData)[0];
        assert!(
            finding
                .detail
                .as_ref()
                .unwrap()
                .contains(&format!("ends at byte {original_len}")),
            "{finding:?}"
        );
        assert_eq!(status(&report, &built.logs[0]), LogFileStatus::TrailingData);
    }

    #[test]
    fn gzip_data_appended_to_a_digest_makes_it_unusable() {
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        let target = dir.path().join(&built.digest(4).path);
        let mut bytes = std::fs::read(&target).unwrap();
        bytes.extend_from_slice(b"\x1f\x8b junk");
        std::fs::write(&target, bytes).unwrap();
        let report = run(dir.path(), &plan);
        use FindingKind::*;
        assert_eq!(
            kinds(&report),
            [
                LogFileUnreferenced,
                LogFileUnreferenced,
                DigestGap,
                GzipTrailingData
            ]
        );
    }

    #[test]
    fn a_restarted_chain_is_a_gap_between_the_two_times() {
        let plan = Plan {
            hours: 7,
            restart_at: Some(4),
            ..Plan::default()
        };
        let (dir, built) = built(&plan);
        assert_eq!(built.digests.len(), 5);
        let report = run(dir.path(), &plan);
        assert_eq!(kinds(&report), [FindingKind::DigestGap]);
        let chain = &report.chains[0];
        assert_eq!(
            chain.gaps,
            [Gap {
                start: hour(2),
                end: hour(4),
                hours: 2,
                restart: true
            }]
        );
        let finding = only(&report, FindingKind::DigestGap)[0];
        assert_eq!(finding.file.as_deref(), Some(built.digest(4).path.as_str()));
        assert!(
            finding.detail.as_ref().unwrap().contains("starts again"),
            "{finding:?}"
        );
    }

    #[test]
    fn a_restart_without_lost_time_is_still_a_gap() {
        fn restart_at_3(h: usize, digest: &mut serde_json::Value) {
            if h == 3 {
                for field in [
                    "previousDigestS3Bucket",
                    "previousDigestS3Object",
                    "previousDigestHashValue",
                    "previousDigestHashAlgorithm",
                    "previousDigestSignature",
                ] {
                    digest[field] = serde_json::Value::Null;
                }
            }
        }
        let plan = Plan {
            edit: Some(restart_at_3),
            ..Plan::default()
        };
        let (dir, _) = built(&plan);
        let report = run(dir.path(), &plan);
        assert_eq!(kinds(&report), [FindingKind::DigestGap]);
        assert_eq!(
            report.chains[0].gaps,
            [Gap {
                start: hour(3),
                end: hour(3),
                hours: 0,
                restart: true
            }]
        );
    }

    #[test]
    fn the_newest_digest_without_head_object_is_unavailable_and_its_hour_unvouched() {
        let plan = Plan {
            head_objects: HeadObjects::AllButNewest,
            ..Plan::default()
        };
        let (dir, built) = built(&plan);
        let report = run(dir.path(), &plan);
        assert_eq!(kinds(&report), [FindingKind::SignatureUnavailable]);
        let finding = only(&report, FindingKind::SignatureUnavailable)[0];
        assert_eq!(finding.severity(), Severity::Notice);
        assert_eq!(finding.file.as_deref(), Some(built.digest(5).path.as_str()));
        let detail = finding.detail.as_ref().unwrap();
        assert!(
            detail.contains("2026-03-01T05:01:31Z to 2026-03-01T06:01:31Z (1 hour) is unvouched"),
            "{detail}"
        );
        let chain = &report.chains[0];
        assert_eq!(chain.unvouched, [(hour(5), hour(6))]);
        assert_eq!((chain.digests_verified, chain.digests_unchecked), (5, 1));
        assert_eq!(chain.trust, ChainTrust::Incomplete);
        assert_eq!(chain.gaps, []);
        assert_eq!(
            status(&report, &built.digest(5).logs[0]),
            LogFileStatus::Unvouched
        );
        assert_eq!(chain.log_files_verified, 10);
    }

    #[test]
    fn without_any_head_object_file_the_successors_signatures_verify_all_but_the_newest() {
        let plan = Plan {
            head_objects: HeadObjects::None,
            ..Plan::default()
        };
        let (dir, _) = built(&plan);
        let report = run(dir.path(), &plan);
        assert_eq!(kinds(&report), [FindingKind::SignatureUnavailable]);
        assert_eq!(report.chains[0].digests_trusted, 5);
    }

    #[test]
    fn a_gzip_bomb_is_refused_at_the_limit() {
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        let bomb = gzip(&vec![b' '; 64 << 20]);
        std::fs::write(dir.path().join(&built.logs[2]), &bomb).unwrap();
        std::fs::write(dir.path().join(&built.digest(4).path), &bomb).unwrap();
        let limits = TrailLimits {
            max_log_bytes: 1 << 20,
            max_digest_bytes: 1 << 20,
            ..TrailLimits::default()
        };
        let report = verify_with(dir.path(), &testkit::trusted(&plan), &limits);
        let mismatch = only(&report, FindingKind::LogFileHashMismatch);
        assert_eq!(mismatch.len(), 1);
        assert!(
            mismatch[0].detail.as_ref().unwrap().contains("limit"),
            "{mismatch:?}"
        );
        assert_eq!(status(&report, &built.logs[2]), LogFileStatus::Unreadable);
        let invalid = only(&report, FindingKind::DigestSignatureInvalid);
        assert!(
            invalid[0].detail.as_ref().unwrap().contains("limit"),
            "{invalid:?}"
        );
    }

    #[test]
    fn keys_outside_the_trail_never_read_outside_the_folder() {
        fn hostile(h: usize, digest: &mut serde_json::Value) {
            if h == 3 {
                digest["logFiles"][0]["s3Object"] = "../../etc/passwd".into();
                digest["previousDigestS3Object"] = "../../../etc/shadow".into();
            }
            if h == 4 {
                digest["digestS3Object"] = "/etc/passwd".into();
            }
        }
        let plan = Plan {
            edit: Some(hostile),
            ..Plan::default()
        };
        let (dir, built) = built(&plan);
        let report = run(dir.path(), &plan);
        use FindingKind::*;
        assert_eq!(
            kinds(&report),
            [
                LogFileMissing,
                LogFileUnreferenced,
                DigestMissing,
                DigestMoved
            ]
        );
        assert!(
            only(&report, LogFileMissing)[0]
                .detail
                .as_ref()
                .unwrap()
                .contains("outside")
        );
        assert!(
            only(&report, DigestMissing)[0]
                .detail
                .as_ref()
                .unwrap()
                .contains("outside")
        );
        assert_eq!(
            only(&report, LogFileUnreferenced)[0].file.as_deref(),
            Some(built.digest(3).logs[0].as_str())
        );
    }

    #[test]
    fn a_folder_synced_from_under_the_trails_prefix_lies_where_its_keys_say() {
        // The keys say logs/AWSLogs/…; the collector syncs the prefix to ROOT/AWSLogs/….
        fn prefixed(_: usize, digest: &mut serde_json::Value) {
            let prefix = |v: &mut serde_json::Value| {
                if let Some(key) = v.as_str() {
                    *v = format!("logs/{key}").into();
                }
            };
            prefix(&mut digest["digestS3Object"]);
            prefix(&mut digest["previousDigestS3Object"]);
            for entry in digest["logFiles"].as_array_mut().unwrap() {
                prefix(&mut entry["s3Object"]);
            }
        }
        let plan = Plan {
            edit: Some(prefixed),
            ..Plan::default()
        };
        let (dir, _) = built(&plan);
        let report = run(dir.path(), &plan);
        assert_eq!(kinds(&report), []);
        assert_eq!(report.chains[0].digests_trusted, 6);
        assert_eq!(report.chains[0].log_files_verified, 12);
    }

    #[test]
    fn findings_are_bounded_as_they_are_made_and_digests_in_total() {
        fn many_missing(h: usize, digest: &mut serde_json::Value) {
            if h == 3 {
                let entry =
                    serde_json::json!({"s3Object": "AWSLogs/gone.json.gz", "hashValue": "00"});
                digest["logFiles"] = vec![entry; MAX_FINDINGS_PER_KIND + 5].into();
            }
        }
        let plan = Plan {
            edit: Some(many_missing),
            ..Plan::default()
        };
        let (dir, _) = built(&plan);
        let report = run(dir.path(), &plan);
        assert_eq!(
            only(&report, FindingKind::LogFileMissing).len(),
            MAX_FINDINGS_PER_KIND
        );
        assert_eq!(
            report.findings_not_listed,
            [(FindingKind::LogFileMissing, 5)]
        );

        let limits = TrailLimits {
            max_digest_total_bytes: 4096,
            ..TrailLimits::default()
        };
        let error =
            verify_trail(&DirFolder::new(dir.path()), &KeyRing::new(), &limits).unwrap_err();
        assert!(error.to_string().contains("CloudTrail-Digest"), "{error}");
        assert!(error.to_string().contains("4096 bytes together"), "{error}");
    }

    #[test]
    fn hostile_files_are_findings_and_notes_never_panics() {
        use std::os::unix::ffi::OsStrExt;
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        let root = dir.path();
        let region_dir = |h: usize| {
            Path::new(&built.digest(h).path)
                .parent()
                .unwrap()
                .to_owned()
        };
        let name = |stamp: &str| {
            format!("123456789012_CloudTrail-Digest_us-east-1_main-trail_us-east-1_{stamp}.json.gz")
        };
        let garbage: [(&str, Vec<u8>); 4] = [
            ("20260301T100131Z", b"not gzip".to_vec()),
            ("20260301T110131Z", gzip(b"[]")),
            ("20260301T120131Z", gzip(br#"{"digestEndTime": 5}"#)),
            ("20260301T130131Z", gzip(&[0xff, 0xfe, 0x00])),
        ];
        for (stamp, bytes) in &garbage {
            testkit::write(
                root,
                region_dir(0).join(name(stamp)).to_str().unwrap(),
                bytes,
            );
        }
        testkit::write(
            root,
            &format!("digest-signatures/{}.json", built.digest(2).path),
            b"{\"Metadata\": 5}",
        );
        testkit::write(root, "public-keys/eu-west-1.json", b"\xff\xfe");
        testkit::write(root, "digest-signatures/nothing.json", b"{}");
        std::fs::write(
            root.join(std::ffi::OsStr::from_bytes(b"bad\xffname.json.gz")),
            b"x",
        )
        .unwrap();
        let report = run(root, &plan);
        let invalid = only(&report, FindingKind::DigestSignatureInvalid);
        assert_eq!(invalid.len(), 4, "{invalid:#?}");
        // The garbage digests leave hours 6 to 13 unvouched: one gap.
        assert_eq!(report.chains[0].gaps.len(), 1);
        assert_eq!(report.chains[0].gaps[0].start, hour(6));
        // Digest 2 still verifies through the next digest's previousDigestSignature.
        assert_eq!(report.chains[0].digests_trusted, 6);
        assert!(
            report.chains[0]
                .notes
                .iter()
                .any(|n| n.text.contains("head-object file")),
            "{:?}",
            report.chains[0].notes
        );
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.file.as_deref() == Some("public-keys/eu-west-1.json"))
        );
        assert_eq!(report.ignored.len(), 2, "{:?}", report.ignored);
    }

    #[test]
    fn a_key_outside_its_window_or_in_another_encoding_is_noted_not_failed() {
        let plan = Plan::default();
        let (dir, _) = built(&plan);
        let keys = testkit::keys();
        // The folder's first key claims to expire before the trail starts.
        let early = (
            hour(0) - chrono::TimeDelta::days(9),
            hour(0) - chrono::TimeDelta::days(1),
        );
        let folder_keys = testkit::list_public_keys_json(&[
            (&testkit::pkcs1_der(&keys.first), Some(early)),
            (&testkit::spki_der(&keys.second), None),
        ]);
        testkit::write(
            dir.path(),
            "public-keys/us-east-1.json",
            folder_keys.as_bytes(),
        );
        let report = verify_with(dir.path(), &KeyRing::new(), &TrailLimits::default());
        assert_eq!(kinds(&report), []);
        let window_notes = report.chains[0]
            .notes
            .iter()
            .filter(|n| n.text.contains("does not cover"))
            .count();
        assert_eq!(window_notes, 3);

        // The reviewer trusts the first key as SubjectPublicKeyInfo: another fingerprint,
        // the same key.
        std::fs::remove_dir_all(dir.path().join("public-keys")).unwrap();
        let trusted = testkit::trusted_der(&testkit::spki_der(&keys.first));
        let report = verify_with(dir.path(), &trusted, &TrailLimits::default());
        assert_eq!(report.chains[0].digests_trusted, 3);
        assert!(
            report.chains[0]
                .notes
                .iter()
                .any(|n| n.text.contains("another encoding"))
        );
        assert_eq!(only(&report, FindingKind::PublicKeyMissing).len(), 3);
    }

    #[test]
    fn two_regions_are_two_chains_and_a_copy_without_digests_has_none() {
        let dir = tempfile::tempdir().unwrap();
        let east = Plan::default();
        let west = Plan {
            region: "us-west-2",
            hours: 3,
            ..Plan::default()
        };
        testkit::build(dir.path(), &east);
        testkit::build(dir.path(), &west);
        let report = run(dir.path(), &east);
        assert_eq!(kinds(&report), []);
        let ids: Vec<&str> = report.chains.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "123456789012/us-east-1/main-trail",
                "123456789012/us-west-2/main-trail"
            ]
        );

        std::fs::remove_dir_all(dir.path().join("AWSLogs/123456789012/CloudTrail-Digest")).unwrap();
        let report = run(dir.path(), &east);
        assert_eq!(kinds(&report), []);
        assert_eq!(report.digest_files, 0);
        assert!(
            report
                .log_files
                .iter()
                .all(|l| l.status == LogFileStatus::NoDigests)
        );
    }

    #[test]
    fn a_reader_gets_every_log_files_bytes_in_path_order_with_its_status() {
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        let injected = testkit::log_path("us-east-1", hour(1), "INJECTEDINJECTED");
        testkit::write(dir.path(), &injected, &gzip(b"{\"Records\":[]}"));
        testkit::rewrite(dir.path(), &built.logs[0], |v| {
            v["Records"][0]["eventName"] = "DeleteUser".into()
        });
        let mut seen = Vec::new();
        let report = verify_trail_reading(
            &DirFolder::new(dir.path()),
            &testkit::trusted(&plan),
            &TrailLimits::default(),
            &mut |log| {
                assert!(serde_json::from_slice::<serde_json::Value>(log.inflated).is_ok());
                seen.push((log.path.to_owned(), log.status));
            },
        )
        .unwrap();
        let paths: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted);
        assert_eq!(seen.len(), 13);
        assert!(seen.contains(&(injected.clone(), LogFileStatus::Unreferenced)));
        assert!(seen.contains(&(built.logs[0].clone(), LogFileStatus::HashMismatch)));
        assert_eq!(
            kinds(&report),
            [
                FindingKind::LogFileHashMismatch,
                FindingKind::LogFileUnreferenced
            ]
        );
        let bytes = read_log_file(
            &DirFolder::new(dir.path()),
            &built.logs[1],
            &TrailLimits::default(),
        )
        .unwrap();
        let delivered = testkit::log_time(&plan, 0, 1);
        assert_eq!(bytes, testkit::records("us-east-1", delivered, 1));
    }

    #[test]
    fn openssl_agrees_with_our_signatures() {
        let plan = Plan::default();
        let (dir, built) = built(&plan);
        let keys = testkit::keys();
        let work = tempfile::tempdir().unwrap();
        let der = testkit::spki_der(&keys.first);
        let base64 = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(&der)
        };
        let lines: Vec<&str> = base64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        );
        let digest = built.digest(1);
        std::fs::write(work.path().join("pub.pem"), pem).unwrap();
        std::fs::write(work.path().join("sig.bin"), &digest.signature).unwrap();
        std::fs::write(work.path().join("data.txt"), &digest.to_sign).unwrap();
        std::fs::write(
            work.path().join("other.txt"),
            format!("{}x", digest.to_sign),
        )
        .unwrap();
        let openssl = |data: &str| {
            std::process::Command::new("openssl")
                .args([
                    "dgst",
                    "-sha256",
                    "-verify",
                    "pub.pem",
                    "-signature",
                    "sig.bin",
                    data,
                ])
                .current_dir(work.path())
                .output()
                .unwrap_or_else(|e| {
                    panic!("openssl could not be run ({e}); run scripts/setup.sh to install it")
                })
        };
        let output = openssl("data.txt");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            "Verified OK"
        );
        assert!(!openssl("other.txt").status.success());
        // And the verifier accepts the very same digest.
        let report = run(dir.path(), &plan);
        assert_eq!(report.chains[0].digests_trusted, 6);
    }

    /// Not run by default. `TRAILSCOPE_CT_BENCH=DIR cargo test --release --lib
    /// cloudtrail_bench -- --ignored --nocapture` builds a 30-day, 2-region trail of
    /// about 2,000,000 records in DIR (once; reused when DIR exists) and times
    /// verification; the peak memory printed is the process's (run it again on the
    /// built DIR to see verification's alone).
    #[test]
    #[ignore]
    fn cloudtrail_bench() {
        let Ok(dir) = std::env::var("TRAILSCOPE_CT_BENCH") else {
            eprintln!("set TRAILSCOPE_CT_BENCH to a directory");
            return;
        };
        let root = Path::new(&dir);
        let east = Plan {
            hours: 720,
            logs_per_hour: 12,
            records_per_log: 116,
            rotate_at: 360,
            ..Plan::default()
        };
        let west = Plan {
            region: "eu-west-1",
            ..east.clone()
        };
        if !root.exists() {
            let started = std::time::Instant::now();
            testkit::build(root, &east);
            testkit::build(root, &west);
            eprintln!("built in {:.1} s", started.elapsed().as_secs_f64());
        }
        let started = std::time::Instant::now();
        let report = run(root, &east);
        let elapsed = started.elapsed().as_secs_f64();
        let inflated: u64 = report.log_files.iter().filter_map(|l| l.size).sum();
        assert_eq!(kinds(&report), []);
        let peak = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM"))
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        eprintln!(
            "verified {} digests, {} log files, {:.0} MB inflated in {elapsed:.2} s ({:.0} MB/s); {peak}",
            report.digest_files,
            report.log_files.len(),
            inflated as f64 / 1e6,
            inflated as f64 / 1e6 / elapsed
        );
        let started = std::time::Instant::now();
        let mut handed = 0u64;
        let folder = DirFolder::new(root);
        let trusted = testkit::trusted(&east);
        verify_trail_reading(&folder, &trusted, &TrailLimits::default(), &mut |log| {
            handed += log.inflated.len() as u64
        })
        .unwrap();
        assert_eq!(handed, inflated);
        eprintln!(
            "verified again handing out every file's bytes in {:.2} s",
            started.elapsed().as_secs_f64()
        );
    }
}
