//! `cloudtrail-digest` parts: AWS CloudTrail records proven by AWS's own signatures.
//!
//! The part is a small CloudTrail evidence folder, each file byte for byte as received
//! and at its path in the folder received (`part-N/AWSLogs/…`): the log files holding
//! the chosen records, the hourly digest files that list them, each digest's signature
//! (its head-object file under `digest-signatures/`, or else the next digest, which
//! records it), and the `public-keys/` files holding the keys the digests name. The
//! check runs the CloudTrail verifier itself over that folder — never a second copy of
//! its digest, signature or key code — then finds each chosen record at its place in
//! its log file. The other log files those digests list, and the digests before and
//! after, are not carried: the part proves the chosen records, never that the trail is
//! complete, and it must not pretend to.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::check::{EventCheck, HOW_TO_TRUST, PartCheck, each_of};
use super::{Method, Part};
use crate::bundle::Limits;
use crate::canonical::to_hex;
use crate::case::receipt::hash_file;
use crate::case::table;
use crate::case::table::bundle::ExcerptSource;
use crate::case::table::event::EventRow;
use crate::source::cloudtrail::digest::DigestFile;
use crate::source::cloudtrail::gz;
use crate::source::cloudtrail::keys::{KeyOrigin, KeyRing};
use crate::source::cloudtrail::layout::{Entry, classify, local_candidates, open_trail};
use crate::source::cloudtrail::read::{log_records, trusted_ring};
use crate::source::cloudtrail::{
    DirFolder, Folder, LogFileStatus, TrailLimits, verify_trail_reading,
};
use crate::source::folder::read_limited;
use crate::verify::{FindingKind, TrustedKeys, VerifyOptions};
use crate::{Error, Result};

/// The source kind whose parts this module writes.
const KIND: &str = "cloudtrail";

/// Writes the part of `rows` (all of one source) if the source is a CloudTrail trail
/// still where it was received from and unchanged since; `Err(why)` when it cannot be
/// proven this way (then the custody receipt proves what it can).
pub(crate) fn write(
    connection: &Connection,
    bundle_idx: i64,
    source: &ExcerptSource,
    rows: &[EventRow],
    dir: &Path,
) -> Result<std::result::Result<Part, String>> {
    if source.source != KIND {
        return Ok(Err(String::new()));
    }
    let refuse = |why: String| -> Result<std::result::Result<Part, String>> {
        Ok(Err(format!(
            "{why}, so AWS's signed digest files cannot travel with its records"
        )))
    };
    let receipt: Option<Value> = table::journal::receipt_of(connection, bundle_idx)?
        .and_then(|body| serde_json::from_slice(&body).ok());
    // The receipt keeps the absolute path; the source table keeps it as it was given.
    let place = receipt
        .as_ref()
        .and_then(|r| r.pointer("/received/path"))
        .and_then(Value::as_str)
        .unwrap_or(&source.path)
        .to_owned();
    let path = PathBuf::from(&place);
    if std::fs::symlink_metadata(&path).is_err() {
        return refuse(format!(
            "the trail is no longer at {place}, where it was received from"
        ));
    }
    let received = match Received::of(receipt.as_ref(), &path, &place) {
        Ok(received) => received,
        Err(why) => return refuse(why),
    };
    let folder = match open_trail(&path, Limits::default()) {
        Ok(folder) => folder,
        Err(error) => {
            return refuse(format!(
                "the trail at {place} cannot be read again ({error})"
            ));
        }
    };
    let listed: HashSet<String> = match folder.list() {
        Ok(listing) => listing.files.into_iter().collect(),
        Err(error) => {
            return refuse(format!(
                "the trail at {place} cannot be listed again ({error})"
            ));
        }
    };
    let limits = TrailLimits::default();
    let gathered = match gather(
        connection, bundle_idx, rows, &folder, &listed, &limits, &received, &place,
    )? {
        Ok(gathered) => gathered,
        Err(why) => return refuse(why),
    };
    if let Err(why) = copy_files(&folder, &gathered.carry, dir)? {
        return refuse(why);
    }
    // The case keeps the trail's trust as a whole: "trusted" when every digest verified
    // with an AWS key the reviewer passed (at import or re-verification).
    let trusted_by_reviewer = source.signature_status == "trusted";
    let mut extra = serde_json::Map::new();
    extra.insert(
        "aws_keys".to_owned(),
        gathered
            .keys
            .iter()
            .map(|(fingerprint, files)| {
                json!({
                    "fingerprint": fingerprint,
                    "files": files,
                    "trusted_by_reviewer": trusted_by_reviewer,
                })
            })
            .collect(),
    );
    let missing_keys = if gathered.keys.values().any(Vec::is_empty) {
        "; the trail's folder holds no public key for some digest, so whoever checks must bring AWS's keys (--trusted-keys)"
    } else {
        ""
    };
    Ok(Ok(Part {
        method: Method::CloudTrailDigest,
        chosen: gathered.chosen,
        carried: gathered.carried,
        why: format!(
            "AWS CloudTrail signs every hour a digest file listing the SHA-256 of each log file it delivered: the {} log files holding the chosen records travel whole and byte for byte ({} records in all, as a digest vouches for whole files), with the {} digest files that list them, their signatures and AWS's public keys from the trail's folder{missing_keys}",
            gathered.n_logs, gathered.carried, gathered.n_digests
        ),
        extra,
    }))
}

/// What the case recorded of the files as received, to copy only what is unchanged.
enum Received {
    /// A folder: each file's SHA-256 (hex), by its path in the folder.
    Files(HashMap<String, String>),
    /// A ZIP archive, checked whole before anything is read from it; or a source
    /// received before custody receipts (its log files are still checked against the
    /// SHA-256 each was imported with, and each chosen record against the case's).
    Checked,
}

impl Received {
    fn of(
        receipt: Option<&Value>,
        path: &Path,
        place: &str,
    ) -> std::result::Result<Received, String> {
        let Some(receipt) = receipt else {
            return Ok(Received::Checked);
        };
        let files: HashMap<String, String> = receipt
            .pointer("/received/files")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| {
                Some((
                    f["path"].as_str()?.to_owned(),
                    f["sha256"].as_str()?.to_owned(),
                ))
            })
            .collect();
        if path.is_dir() {
            return Ok(Received::Files(files));
        }
        let now = hash_file(path, String::new())
            .map_err(|error| format!("{place} cannot be read again ({error})"))?;
        match files.values().next() {
            Some(sha256) if files.len() == 1 && *sha256 == now.sha256 => Ok(Received::Checked),
            _ => Err(format!(
                "{place} has changed since it was received: its SHA-256 is no longer the one in the custody receipt"
            )),
        }
    }

    /// `Err(why)` unless `path` is as received.
    fn agrees(&self, path: &str, sha256: &str, place: &str) -> std::result::Result<(), String> {
        match self {
            Received::Checked => Ok(()),
            Received::Files(files) => match files.get(path) {
                Some(received) if received == sha256 => Ok(()),
                Some(_) => Err(format!(
                    "{path} in {place} has changed since it was received: its SHA-256 is no longer the one in the custody receipt"
                )),
                None => Err(format!(
                    "{path} in {place} was not among the files received"
                )),
            },
        }
    }
}

/// What the part will hold.
struct Gathered {
    /// Every file to copy, by its path in the trail, with its SHA-256 as read.
    carry: BTreeMap<String, String>,
    chosen: Vec<Value>,
    /// Records in the log files carried.
    carried: u64,
    n_logs: usize,
    n_digests: usize,
    /// Each key fingerprint the digests name, with the keys files that hold it.
    keys: BTreeMap<String, Vec<String>>,
}

/// A digest file of the trail that lists a chosen log file.
struct TrailDigest {
    path: String,
    sha256: String,
    /// The key fingerprint it names.
    fingerprint: String,
    /// The chosen log files it lists.
    lists: Vec<String>,
}

/// Finds, reads and checks against the case everything the part needs; `Err(why)`
/// when the records cannot be proven by AWS's signature from what the trail holds now.
#[allow(clippy::too_many_arguments)]
fn gather(
    connection: &Connection,
    bundle_idx: i64,
    rows: &[EventRow],
    folder: &dyn Folder,
    listed: &HashSet<String>,
    limits: &TrailLimits,
    received: &Received,
    place: &str,
) -> Result<std::result::Result<Gathered, String>> {
    let mut carry = BTreeMap::new();
    let mut by_file: BTreeMap<&str, Vec<&EventRow>> = BTreeMap::new();
    for row in rows {
        by_file.entry(row.file.as_str()).or_default().push(row);
    }
    let mut carried = 0u64;
    for (file, file_rows) in &by_file {
        if !listed.contains(*file) || !matches!(classify(file), Entry::LogFile(_)) {
            return Ok(Err(format!(
                "the log file {file} is no longer in the trail at {place}"
            )));
        }
        let read = match read_gzip(folder, file, limits.max_log_bytes) {
            Ok(read) => read,
            Err(why) => return Ok(Err(why)),
        };
        if let Err(why) = received.agrees(file, &read.raw_sha256, place) {
            return Ok(Err(why));
        }
        if let Some(imported) = table::source_file::sha256_of(connection, bundle_idx, file)?
            && imported != to_hex(&read.sha256)
        {
            return Ok(Err(format!(
                "the log file {file} in {place} is no longer the one imported (its SHA-256 differs)"
            )));
        }
        let records = match log_records(&read.inflated) {
            Ok(records) => records,
            Err(why) => return Ok(Err(format!("{file}: {why}"))),
        };
        for row in file_rows {
            let at = usize::try_from(row.line - 1).ok();
            if at.and_then(|i| records.get(i)).map(|r| r.get().as_bytes()) != Some(&row.raw[..]) {
                return Ok(Err(format!(
                    "record {} of {file} in {place} is not the record the case holds: the file has changed since it was received",
                    row.line
                )));
            }
        }
        carried += records.len() as u64;
        carry.insert((*file).to_owned(), read.raw_sha256);
    }
    let chosen = rows
        .iter()
        .map(|r| {
            json!({
                "file": r.file,
                "record": r.line,
                "id": r.id,
                "sha256": to_hex(&crate::canonical::sha256(&r.raw)),
            })
        })
        .collect();

    // The digests listing a chosen log file, and what every digest names as the one
    // before it (its next digest records that one's signature). Only these few strings
    // are kept of each digest, however long the trail.
    let names = |key: &str, path: &str| {
        local_candidates(key)
            .is_some_and(|(exact, from_awslogs)| exact == path || from_awslogs == Some(path))
    };
    let mut digest_paths: Vec<&String> = listed
        .iter()
        .filter(|path| matches!(classify(path), Entry::Digest(_)))
        .collect();
    digest_paths.sort();
    let mut digests: Vec<TrailDigest> = Vec::new();
    // (the previous digest it names, its path, its SHA-256)
    let mut successors: Vec<(String, String, String)> = Vec::new();
    for path in digest_paths {
        // An unreadable digest vouches for nothing: the import said so.
        let Ok(read) = read_gzip(folder, path, limits.max_digest_bytes) else {
            continue;
        };
        let Ok(file) = DigestFile::parse(&read.inflated) else {
            continue;
        };
        if let Some(previous) = file.previous_digest_s3_object {
            successors.push((previous, path.clone(), read.raw_sha256.clone()));
        }
        let lists: Vec<String> = by_file
            .keys()
            .filter(|wanted| file.log_files.iter().any(|l| names(&l.s3_object, wanted)))
            .map(|wanted| (*wanted).to_owned())
            .collect();
        if !lists.is_empty() {
            digests.push(TrailDigest {
                path: path.clone(),
                sha256: read.raw_sha256,
                fingerprint: file.digest_public_key_fingerprint.unwrap_or_default(),
                lists,
            });
        }
    }
    let mut signing: BTreeSet<usize> = BTreeSet::new();
    for file in by_file.keys() {
        let listing: Vec<usize> = (0..digests.len())
            .filter(|&i| digests[i].lists.iter().any(|l| l == file))
            .collect();
        if listing.is_empty() {
            return Ok(Err(format!(
                "no digest file in the trail lists the log file {file}, so AWS's signature cannot vouch for its records"
            )));
        }
        let mut signed = false;
        for i in listing {
            let digest = &digests[i];
            let head = format!("digest-signatures/{}.json", digest.path);
            let successor = successors
                .iter()
                .find(|(previous, _, _)| names(previous, &digest.path));
            if listed.contains(&head) {
                let bytes = match read_limited(folder, &head, limits.max_json_bytes) {
                    Ok(bytes) => bytes,
                    Err(e) => return Ok(Err(format!("{head} cannot be read ({e})"))),
                };
                let sha256 = to_hex(&crate::canonical::sha256(&bytes));
                if let Err(why) = received.agrees(&head, &sha256, place) {
                    return Ok(Err(why));
                }
                carry.insert(head, sha256);
            } else if let Some((_, path, sha256)) = successor {
                // The next digest records this one's signature.
                if let Err(why) = received.agrees(path, sha256, place) {
                    return Ok(Err(why));
                }
                carry.insert(path.clone(), sha256.clone());
            } else {
                continue;
            }
            if let Err(why) = received.agrees(&digest.path, &digest.sha256, place) {
                return Ok(Err(why));
            }
            carry.insert(digest.path.clone(), digest.sha256.clone());
            signing.insert(i);
            signed = true;
        }
        if !signed {
            return Ok(Err(format!(
                "no digest file listing the log file {file} carries its signature (no head-object file in digest-signatures/, and no later digest records it)"
            )));
        }
    }

    // AWS's keys the signing digests name, from the folder's public-keys/ files.
    let mut key_files: Vec<(String, Vec<u8>, KeyRing)> = Vec::new();
    let mut key_paths: Vec<&String> = listed
        .iter()
        .filter(|path| matches!(classify(path), Entry::PublicKeys { .. }))
        .collect();
    key_paths.sort();
    for path in key_paths {
        // A keys file that cannot be read or holds no keys list gives no key.
        let Ok(bytes) = read_limited(folder, path, limits.max_json_bytes) else {
            continue;
        };
        let mut ring = KeyRing::new();
        if ring
            .add_listed(&bytes, &KeyOrigin::Folder(path.clone()))
            .is_ok()
        {
            key_files.push((path.clone(), bytes, ring));
        }
    }
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for &i in &signing {
        let fingerprint = digests[i].fingerprint.clone();
        let holding: Vec<&(String, Vec<u8>, KeyRing)> = key_files
            .iter()
            .filter(|(_, _, ring)| !ring.with_fingerprint(&fingerprint).is_empty())
            .collect();
        // None names it: the verifier then tries every key (one delivered in another
        // encoding has another fingerprint), so every keys file travels.
        let holding = if holding.is_empty() {
            key_files.iter().collect()
        } else {
            holding
        };
        let files = keys.entry(fingerprint).or_default();
        for (path, bytes, _) in holding {
            let sha256 = to_hex(&crate::canonical::sha256(bytes));
            if let Err(why) = received.agrees(path, &sha256, place) {
                return Ok(Err(why));
            }
            carry.insert(path.clone(), sha256);
            if !files.contains(path) {
                files.push(path.clone());
            }
        }
    }
    let n_digests = carry
        .keys()
        .filter(|p| matches!(classify(p), Entry::Digest(_)))
        .count();
    Ok(Ok(Gathered {
        carry,
        chosen,
        carried,
        n_logs: by_file.len(),
        n_digests,
        keys,
    }))
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buffer)?;
        self.hasher.update(&buffer[..n]);
        Ok(n)
    }
}

/// A gzip file of the trail read once: the SHA-256 of its bytes as they lie, and its
/// one member inflated (at most `limit` bytes, as the verifier reads it) with its
/// SHA-256, which is what a digest lists.
struct GzipRead {
    raw_sha256: String,
    inflated: Vec<u8>,
    sha256: [u8; 32],
}

fn read_gzip(folder: &dyn Folder, path: &str, limit: u64) -> std::result::Result<GzipRead, String> {
    let reader = folder
        .open(path)
        .map_err(|e| format!("{path} cannot be read ({e})"))?;
    let mut hashing = Hashing {
        inner: reader,
        hasher: Sha256::new(),
    };
    let mut inflated = Vec::new();
    let member = gz::inflate_member(&mut hashing, limit, Some(&mut inflated))
        .map_err(|e| format!("{path} cannot be read as the trail's gzip file: {e}"))?;
    if let Some(trailing) = member.trailing {
        return Err(format!(
            "{path}: {trailing}, which its digest does not cover"
        ));
    }
    io::copy(&mut hashing, &mut io::sink()).map_err(|e| format!("{path} cannot be read ({e})"))?;
    Ok(GzipRead {
        raw_sha256: to_hex(&hashing.hasher.finalize()),
        inflated,
        sha256: member.sha256,
    })
}

/// Copies each file into `dir` at its path in the trail, byte for byte; `Err(why)`
/// (and nothing left behind) when one is no longer what was read a moment before.
fn copy_files(
    folder: &dyn Folder,
    carry: &BTreeMap<String, String>,
    dir: &Path,
) -> Result<std::result::Result<(), String>> {
    let tops: BTreeSet<&str> = carry.keys().filter_map(|p| p.split('/').next()).collect();
    let undo = || -> Result<()> {
        for top in &tops {
            let path = dir.join(top);
            if path.exists() {
                std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
        Ok(())
    };
    for (path, sha256) in carry {
        // Listed paths are plain relative names (`source::folder`): they stay in `dir`.
        let target = path.split('/').fold(dir.to_owned(), |p, part| p.join(part));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let reader = match folder.open(path) {
            Ok(reader) => reader,
            Err(e) => {
                undo()?;
                return Ok(Err(format!("{path} cannot be read again ({e})")));
            }
        };
        let mut hashing = Hashing {
            inner: reader,
            hasher: Sha256::new(),
        };
        let mut out = std::fs::File::create(&target).map_err(|e| Error::io(&target, e))?;
        if let Err(e) = io::copy(&mut hashing, &mut out) {
            undo()?;
            return Ok(Err(format!("{path} cannot be copied ({e})")));
        }
        out.sync_all().map_err(|e| Error::io(&target, e))?;
        if to_hex(&hashing.hasher.finalize()) != *sha256 {
            undo()?;
            return Ok(Err(format!(
                "{path} changed while the excerpt was being written"
            )));
        }
    }
    Ok(Ok(()))
}

/// A chosen record as found in its log file: its `eventID`, SHA-256 and sentence, or
/// why not.
type FoundRecord = std::result::Result<(Option<String>, String, Option<String>), String>;

/// One chosen record as the statement names it.
struct Chosen {
    file: String,
    record: u64,
    sha256: String,
}

/// A digest of the part, for naming it and its key.
struct PartDigest {
    path: String,
    words: String,
    fingerprint: String,
    lists: Vec<String>,
}

/// Checks a `cloudtrail-digest` part: the CloudTrail verifier over the part's folder
/// with the checker's own AWS keys, then each chosen record in its log file.
pub(crate) fn check(root: &Path, part: &mut PartCheck, entry: &Value, trusted: &TrustedKeys) {
    let dir = part.dir.clone();
    let at = |file: &str| format!("{dir}/{file}");
    let part_root = root.join(&dir);
    if !std::fs::symlink_metadata(&part_root).is_ok_and(|m| m.is_dir()) {
        return part.fail(format!("{dir} is missing or is not a folder"));
    }
    let options = VerifyOptions {
        trusted_keys: trusted.clone(),
        ..VerifyOptions::default()
    };
    let ring = match trusted_ring(&options) {
        Ok(ring) => ring,
        Err(error) => return part.fail(format!("your trusted AWS keys cannot be used: {error}")),
    };
    let chosen: Vec<Chosen> = entry
        .get("chosen")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| Chosen {
            file: c
                .get("file")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            record: c.get("record").and_then(Value::as_u64).unwrap_or_default(),
            sha256: c
                .get("sha256")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        })
        .collect();
    if chosen.is_empty() {
        return part.fail(format!("{dir}: the statement names no chosen record"));
    }
    let mut wanted: HashMap<&str, Vec<u64>> = HashMap::new();
    for c in &chosen {
        wanted.entry(c.file.as_str()).or_default().push(c.record);
    }
    // (file, record) → the record's eventID and SHA-256, or why it cannot be read.
    let mut found: HashMap<(String, u64), FoundRecord> = HashMap::new();
    let folder = DirFolder::new(&part_root);
    let limits = TrailLimits::default();
    let report = verify_trail_reading(&folder, &ring, &limits, &mut |log| {
        let Some(numbers) = wanted.get(log.path) else {
            return;
        };
        let records = log_records(log.inflated);
        for &number in numbers {
            let result = match &records {
                Err(why) => Err(why.clone()),
                Ok(records) => match usize::try_from(number)
                    .ok()
                    .and_then(|n| records.get(n.checked_sub(1)?))
                {
                    None => Err(format!(
                        "it holds {} records, and no record {number}",
                        records.len()
                    )),
                    Some(raw) => {
                        let record = serde_json::from_str::<Value>(raw.get()).ok();
                        let id = record.as_ref().and_then(|v| {
                            v.get("eventID").and_then(Value::as_str).map(str::to_owned)
                        });
                        let said = record
                            .as_ref()
                            .and_then(|v| crate::source::cloudtrail::record::normalize(v).ok())
                            .map(|event| crate::query::sentence::sentence(&event));
                        Ok((
                            id,
                            to_hex(&crate::canonical::sha256(raw.get().as_bytes())),
                            said,
                        ))
                    }
                },
            };
            found.insert((log.path.to_owned(), number), result);
        }
    });
    let report = match report {
        Ok(report) => report,
        Err(error) => {
            return part.fail(format!(
                "{dir} cannot be read as a CloudTrail folder: {error}"
            ));
        }
    };

    // The part's digests: which log files each lists, its hours and its key.
    let logs: Vec<&str> = report.log_files.iter().map(|l| l.path.as_str()).collect();
    let mut digests: Vec<PartDigest> = Vec::new();
    if let Ok(listing) = folder.list() {
        for path in listing.files {
            let Entry::Digest(key) = classify(&path) else {
                continue;
            };
            let Ok(read) = read_gzip(&folder, &path, limits.max_digest_bytes) else {
                continue;
            };
            let Ok(file) = DigestFile::parse(&read.inflated) else {
                continue;
            };
            let lists = logs
                .iter()
                .filter(|log| {
                    file.log_files.iter().any(|l| {
                        local_candidates(&l.s3_object)
                            .is_some_and(|(exact, from)| exact == **log || from == Some(**log))
                    })
                })
                .map(|log| (*log).to_owned())
                .collect();
            digests.push(PartDigest {
                words: format!(
                    "{} {} for {} to {}",
                    key.chain.account,
                    key.chain.source_region,
                    file.digest_start_time.as_deref().unwrap_or("?"),
                    file.digest_end_time.as_deref().unwrap_or("?"),
                ),
                fingerprint: file
                    .digest_public_key_fingerprint
                    .clone()
                    .unwrap_or_default(),
                path,
                lists,
            });
        }
    }
    let chosen_files: HashSet<&str> = chosen.iter().map(|c| c.file.as_str()).collect();
    // Digests carried only for the signature they record of the one before them.
    let carriers: HashSet<&str> = digests
        .iter()
        .filter(|d| !d.lists.iter().any(|l| chosen_files.contains(l.as_str())))
        .map(|d| d.path.as_str())
        .collect();
    let mut unsigned: HashSet<String> = HashSet::new();
    for finding in report.all_findings() {
        let file = finding.file.as_deref().unwrap_or_default();
        match finding.kind {
            // Not carried, by design: the other log files of those hours, the digests
            // before and after them, and so the hours between.
            FindingKind::DigestMissing | FindingKind::DigestGap | FindingKind::LogFileMissing => {
                continue;
            }
            FindingKind::SignatureUnavailable | FindingKind::PublicKeyMissing
                if carriers.contains(file) =>
            {
                continue;
            }
            FindingKind::DigestSignatureInvalid
            | FindingKind::SignatureUnavailable
            | FindingKind::PublicKeyMissing
            | FindingKind::GzipTrailingData => {
                unsigned.insert(file.to_owned());
            }
            _ => {}
        }
        let text = finding.describe();
        part.problems.push(if file.is_empty() {
            text
        } else {
            format!("{}: {text}", at(file))
        });
    }
    // A keys file with a key that cannot be read, or whose bytes are not the key it says.
    for note in &report.notes {
        if let Some(file) = &note.file
            && matches!(classify(file), Entry::PublicKeys { .. })
        {
            part.problems.push(format!("{}: {}", at(file), note.text));
        }
    }

    let signing = |file: &str| -> Vec<&PartDigest> {
        digests
            .iter()
            .filter(|d| d.lists.iter().any(|l| l == file) && !unsigned.contains(&d.path))
            .collect()
    };
    let mut folder_keyed = false;
    for c in &chosen {
        let what = format!("record {} of {}", c.record, c.file);
        let status = report
            .log_files
            .iter()
            .find(|l| l.path == c.file)
            .map(|l| l.status);
        let said = match found.get(&(c.file.clone(), c.record)) {
            Some(Ok((_, _, said))) => said.clone(),
            _ => None,
        };
        let result: std::result::Result<Option<String>, String> = match status {
            None => Err(format!(
                "{} is missing: the log file holding the record is not in the excerpt",
                at(&c.file)
            )),
            Some(LogFileStatus::Verified { trusted }) => {
                folder_keyed |= !trusted;
                match found.get(&(c.file.clone(), c.record)) {
                    Some(Ok((id, sha256, _))) if *sha256 == c.sha256 => Ok(id.clone()),
                    Some(Ok(_)) => Err(format!(
                        "record {} of {} is not the record chosen: its content differs from the one the statement names",
                        c.record,
                        at(&c.file)
                    )),
                    Some(Err(why)) => Err(format!("{}: {why}", at(&c.file))),
                    None => Err(format!("{} could not be read", at(&c.file))),
                }
            }
            Some(status) => Err(format!("{}: {}", at(&c.file), status_words(status))),
        };
        part.events.push(match result {
            Ok(id) => EventCheck::proven(what, id, said),
            Err(why) => EventCheck::not_proven(what, why, said),
        });
    }

    let vouching: Vec<&PartDigest> = {
        let mut list: Vec<&PartDigest> = chosen_files.iter().flat_map(|f| signing(f)).collect();
        list.sort_by(|a, b| a.path.cmp(&b.path));
        list.dedup_by(|a, b| a.path == b.path);
        list
    };
    let keys: BTreeSet<&str> = vouching.iter().map(|d| d.fingerprint.as_str()).collect();
    let fingerprints = match keys.iter().copied().collect::<Vec<_>>().as_slice() {
        [one] => format!("AWS key {one}"),
        [first @ .., last] => format!("AWS keys {} and {last}", first.join(", ")),
        [] => "an AWS key".to_owned(),
    };
    let them = if keys.len() > 1 { "them" } else { "it" };
    if folder_keyed {
        let reviewer_trusted = entry
            .get("aws_keys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|k| k.get("trusted_by_reviewer").and_then(Value::as_bool) == Some(true))
            .filter_map(|k| k.get("fingerprint").and_then(Value::as_str))
            .any(|f| keys.iter().any(|k| k.eq_ignore_ascii_case(f)));
        part.trust = Some(format!(
            "The digests are signed with {fingerprints}, which came with the excerpt (its public-keys/ folder); you have not said you trust {them}{}. Get AWS's keys yourself (aws cloudtrail list-public-keys in the trail's region), then {HOW_TO_TRUST}.",
            if reviewer_trusted {
                format!(
                    "; the reviewer who made the excerpt trusted {them} when the trail was imported"
                )
            } else {
                String::new()
            }
        ));
    }
    let n = part.events.len();
    let hours: Vec<&str> = vouching.iter().map(|d| d.words.as_str()).collect();
    part.conclude(
        format!(
            "{} is, unchanged, in a log file whose SHA-256 AWS CloudTrail listed in its hourly digest file, signed with {fingerprints} (the digest of {}): checked the way the whole trail is. Not examined: the other log files of {} and the digests before and after are not in the excerpt, so whether the rest of the trail is complete (no log file or hour deleted) is not shown here.",
            each_of(n, "records"),
            hours.join("; the digest of "),
            if hours.len() == 1 { "that hour" } else { "those hours" },
        ),
        "Each record's log file must match the SHA-256 that a digest file signed by AWS lists for it.",
    );
}

/// Why a log file does not vouch for its records, in words.
fn status_words(status: LogFileStatus) -> &'static str {
    match status {
        LogFileStatus::Verified { .. } => "it matches a digest AWS signed",
        LogFileStatus::HashMismatch => {
            "its content is not the content AWS signed: its SHA-256 differs from the one its digest lists, so it was changed"
        }
        LogFileStatus::TrailingData => {
            "bytes were added after its gzip data, which its digest does not cover"
        }
        LogFileStatus::Unreadable => {
            "it cannot be inflated (corrupt, cut or too large), so it cannot be compared with its digest: it was changed"
        }
        LogFileStatus::Unvouched => {
            "it matches a digest whose signature could not be checked (no signature, or no AWS key to check it with)"
        }
        LogFileStatus::Unreferenced => "no digest file whose AWS signature verifies lists it",
        LogFileStatus::BeyondDigests | LogFileStatus::NoDigests => {
            "no digest file in the excerpt lists it"
        }
    }
}
