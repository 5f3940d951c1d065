//! CloudTrail Lake query results as a source: the files a saved query delivers to S3
//! (`…/AWSLogs/<account>/CloudTrail-Lake/Query/<yyyy>/<mm>/<dd>/<query-id>/`), checked
//! offline against their sign file, and every CSV row normalized into the event model.
//!
//! ```text
//! <query-id>/result_sign.json     {"region", "files": [{"fileName", "fileHashValue"}],
//!                                  "queryCompleteTime", "hashSignature", "publicKeyFingerprint", …}
//! <query-id>/result_1.csv.gz …    the query's rows, CSV with a header, gzip
//! ```
//!
//! What is checked (reference `audit-sources.md` §1.10; awscli `verify-query-results`):
//! each listed file is present and its SHA-256 — of the **compressed** bytes, unlike a
//! trail's log files, which are hashed inflated — equals `fileHashValue`; no other
//! `result_*.csv.gz` lies beside them; each is one gzip member; and `hashSignature` is an
//! RSA PKCS#1 v1.5 SHA-256 signature over the `fileHashValue`s joined by one space, in
//! `files[]` order, by the region's CloudTrail key whose fingerprint (MD5 of its DER) the
//! file names. The signature is inside the sign file, so only the public key has to be
//! brought: keys in the folder (`public-keys/<region>.json` in the query's folder or one
//! above it, or `public-keys.json` beside the sign file) make it intact at best; a key
//! the reviewer trusts makes it verified, as for a trail (`read`).
//!
//! A row is one record: its bytes exactly as they lie in the inflated CSV, located by
//! result file, line and byte offset. The query chose its columns, so a row is mapped by
//! the column names it has (case aside, as Lake's SQL spells them in lower case): they
//! are put back into the shape of a CloudTrail record (`userIdentity` read from JSON or
//! from the `{type=IAMUser, arn=…}` text a struct column is written as) and normalized
//! by `record::normalize`, so the rules are those of a log file's records; what a query
//! did not select is not guessed (no `errorCode` column, no outcome). Every column is
//! kept in the event's `context.columns`. A row without a readable `eventTime` or an
//! `eventName` is kept as it arrived, as a `malformed_record`.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{NaiveDateTime, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::gz::{self, GzError};
use super::keys::{KeyOrigin, KeyRing, TrailKey};
use super::read::trusted_ring;
use super::record::normalize;
use super::{format_time, from_hex, parse_time};
use crate::bundle::{Container, Limits, LineSpan, Provenance};
use crate::canonical::{self, sha256, to_hex};
use crate::source::{SourceKind, keep_malformed};
use crate::verify::{
    BundleInfo, ChainReport, Dimension, DimensionStatus, EventFields, Finding, FindingKind,
    LineCheck, LineSink, Report, SeenLine, Severity, SignatureReport, SignatureStatus, Verdict,
    VerifyOptions, chain_verdict, group,
};
use crate::{Error, Result};

/// The sign file's name, as CloudTrail delivers it beside the result files.
pub const SIGN_FILE_NAME: &str = "result_sign.json";

/// The report's producer for a Lake query result (how `headline` knows one).
pub const PRODUCER: &str = "AWS CloudTrail Lake";

/// Largest sign file read (it lists a query's result files: kilobytes).
const MAX_SIGN_FILE_BYTES: u64 = 16 << 20;

/// Largest inflated result file: it is held while its rows are read.
const MAX_RESULT_BYTES: u64 = 1 << 30;

/// Largest keys file read from the folder.
const MAX_KEYS_FILE_BYTES: u64 = 16 << 20;

/// The hash and signature algorithms CloudTrail writes (and the only ones checked).
const HASH_ALGORITHM: &str = "SHA-256";
const SIGNATURE_ALGORITHM: &str = "SHA256withRSA";

/// A query result to read: the path as given, its folder and its sign file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LakeQuery {
    /// What was opened: the query's folder, or its sign file.
    pub path: PathBuf,
    /// The folder holding the sign file and the result files.
    pub dir: PathBuf,
    pub sign_file: PathBuf,
}

/// Whether `path` is a Lake query result, by content: a folder holding a
/// `result_sign.json` that is a sign file, or a sign file itself (whatever its name).
pub fn sniff(path: &Path) -> Option<LakeQuery> {
    let (dir, sign_file) = if path.is_dir() {
        (path.to_owned(), path.join(SIGN_FILE_NAME))
    } else if path.is_file() {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        (dir, path.to_owned())
    } else {
        return None;
    };
    is_sign_file(&sign_file).then(|| LakeQuery {
        path: path.to_owned(),
        dir,
        sign_file,
    })
}

/// A JSON object with a `files` array and what only a sign file holds beside it.
fn is_sign_file(path: &Path) -> bool {
    let Ok(metadata) = std::fs::metadata(path) else {
        return false;
    };
    if !metadata.is_file() || metadata.len() > MAX_SIGN_FILE_BYTES {
        return false;
    }
    // Cheap first: a sign file names its signature near the top.
    let mut head = Vec::new();
    let opened = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    if opened.is_err() {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    if !head.trim_start().starts_with('{') || !head.contains("\"files\"") {
        return false;
    }
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let Ok(Value::Object(sign)) = serde_json::from_slice::<Value>(&bytes) else {
        return false;
    };
    sign.get("files").is_some_and(Value::is_array)
        && ["hashSignature", "publicKeyFingerprint", "queryCompleteTime"]
            .iter()
            .any(|key| sign.contains_key(*key))
}

/// The compressed size of the query's result files, for progress.
pub fn bytes_total(query: &LakeQuery) -> Option<u64> {
    let entries = std::fs::read_dir(&query.dir).ok()?;
    Some(
        entries
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.file_name().to_string_lossy().ends_with(".csv.gz"))
            .filter_map(|entry| entry.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum(),
    )
}

/// The sign file, as read: every field may be missing or of the wrong type.
#[derive(Debug, Default)]
struct SignFile {
    region: Option<String>,
    files: Vec<Listed>,
    hash_algorithm: Option<String>,
    signature_algorithm: Option<String>,
    query_complete_time: Option<String>,
    hash_signature: Option<String>,
    fingerprint: Option<String>,
}

/// One entry of `files[]`.
#[derive(Debug)]
struct Listed {
    name: Option<String>,
    hash: Option<String>,
}

impl SignFile {
    fn parse(bytes: &[u8]) -> std::result::Result<SignFile, String> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON ({e})"))?;
        let Value::Object(sign) = value else {
            return Err("not a JSON object".to_owned());
        };
        let text = |key: &str| sign.get(key).and_then(Value::as_str).map(str::to_owned);
        let files = sign
            .get("files")
            .and_then(Value::as_array)
            .ok_or("no files[] list")?
            .iter()
            .map(|entry| Listed {
                name: entry
                    .get("fileName")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                hash: entry
                    .get("fileHashValue")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
            .collect();
        Ok(SignFile {
            region: text("region"),
            files,
            hash_algorithm: text("hashAlgorithm"),
            signature_algorithm: text("signatureAlgorithm"),
            query_complete_time: text("queryCompleteTime"),
            hash_signature: text("hashSignature"),
            fingerprint: text("publicKeyFingerprint"),
        })
    }

    /// What the signature covers: the `fileHashValue`s joined by one space, verbatim,
    /// in `files[]` order. `Err` names the entry without one.
    fn string_to_sign(&self) -> std::result::Result<String, String> {
        let mut hashes = Vec::with_capacity(self.files.len());
        for (i, listed) in self.files.iter().enumerate() {
            match &listed.hash {
                Some(hash) => hashes.push(hash.as_str()),
                None => {
                    return Err(format!(
                        "files[{i}] has no fileHashValue, so the text AWS signed cannot be rebuilt"
                    ));
                }
            }
        }
        Ok(hashes.join(" "))
    }
}

/// What became of the sign file's signature.
#[derive(Debug)]
enum Signature {
    /// It verifies with this key; `notes` say what is odd about that.
    Verified {
        trusted: bool,
        key: String,
        origin: String,
        notes: Vec<String>,
    },
    /// No key given has the fingerprint it names (and no other key verifies it).
    NoKey,
    /// It does not verify, or cannot be read: why.
    Invalid(String),
}

impl Signature {
    fn holds(&self) -> bool {
        matches!(self, Signature::Verified { .. })
    }

    fn trusted(&self) -> bool {
        matches!(self, Signature::Verified { trusted: true, .. })
    }
}

fn check_signature(sign: &SignFile, ring: &KeyRing) -> Signature {
    let message = match sign.string_to_sign() {
        Ok(message) => message,
        Err(why) => return Signature::Invalid(why),
    };
    let signature = match sign.hash_signature.as_deref().map(str::trim) {
        None | Some("") => {
            return Signature::Invalid("it holds no hashSignature".to_owned());
        }
        Some(hex) => match from_hex(hex) {
            Some(bytes) => bytes,
            None => return Signature::Invalid("its hashSignature is not hex".to_owned()),
        },
    };
    let fingerprint = sign.fingerprint.clone().unwrap_or_default();
    let named = ring.with_fingerprint(&fingerprint);
    let verified = |key: &TrailKey, notes: Vec<String>| Signature::Verified {
        trusted: key.is_trusted(),
        key: key.fingerprint.clone(),
        origin: key.describe_origin(),
        notes,
    };
    let window_note = |key: &TrailKey| {
        let done = sign.query_complete_time.as_deref().and_then(parse_time)?;
        (key.covers(done) == Some(false)).then(|| {
            let at = |t: Option<chrono::DateTime<Utc>>| t.map(format_time).unwrap_or_default();
            format!(
                "key {} is valid {} to {}, which does not cover the query's completion at {}",
                key.fingerprint,
                at(key.valid_from),
                at(key.valid_to),
                format_time(done)
            )
        })
    };
    if let Some(key) = named
        .iter()
        .find(|key| key.verifies(message.as_bytes(), &signature))
    {
        return verified(key, window_note(key).into_iter().collect());
    }
    if !named.is_empty() {
        let origins: Vec<String> = named.iter().map(|k| k.describe_origin()).collect();
        return Signature::Invalid(format!(
            "the signature does not verify with key {fingerprint} (from {}): the list of result file hashes was changed after AWS signed it, or another key signed it",
            origins.join(" and from ")
        ));
    }
    // A key given in the other DER encoding has another fingerprint: try every key.
    match ring
        .all()
        .find(|key| key.verifies(message.as_bytes(), &signature))
    {
        Some(key) => {
            let mut notes = vec![format!(
                "the sign file names fingerprint {}, but key {} verifies it (the same key in another encoding)",
                if fingerprint.is_empty() {
                    "none"
                } else {
                    &fingerprint
                },
                key.fingerprint
            )];
            notes.extend(window_note(key));
            verified(key, notes)
        }
        None => Signature::NoKey,
    }
}

/// A file name the sign file may list: a plain name in the query's folder.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !name.contains(':')
}

/// A region name as AWS spells them (`us-east-1`), safe as a file name.
fn plain_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Where the folder's own keys may lie, nearest first: `public-keys.json` beside the
/// sign file, and `public-keys/<region>.json` in the query's folder and the folders
/// above it, up to the evidence root (the folder holding `AWSLogs/`) or, outside that
/// layout, the query folder's parent.
fn folder_key_files(dir: &Path, region: Option<&str>) -> Vec<PathBuf> {
    let mut files = vec![dir.join("public-keys.json")];
    let Some(region) = region.filter(|r| plain_region(r)) else {
        return files;
    };
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    let in_layout = dir.components().any(|c| c.as_os_str() == "AWSLogs");
    let mut levels = 0;
    for folder in dir.ancestors() {
        files.push(folder.join("public-keys").join(format!("{region}.json")));
        levels += 1;
        let at_root = folder.join("AWSLogs").is_dir();
        if (in_layout && at_root) || (!in_layout && levels == 2) || levels > 16 {
            break;
        }
    }
    files
}

/// The folder's keys, and what went wrong reading them (in words).
fn folder_keys(dir: &Path, region: Option<&str>) -> (KeyRing, Vec<String>) {
    let mut ring = KeyRing::new();
    let mut problems = Vec::new();
    for path in folder_key_files(dir, region) {
        let Ok(metadata) = std::fs::metadata(&path) else {
            continue;
        };
        let shown = path.display().to_string();
        if !metadata.is_file() || metadata.len() > MAX_KEYS_FILE_BYTES {
            problems.push(format!("{shown} is not a keys file; not read"));
            continue;
        }
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                problems.push(format!("{shown} could not be read ({e})"));
                continue;
            }
        };
        match ring.add_listed(&bytes, &KeyOrigin::Folder(shown.clone())) {
            Ok(found) => problems.extend(found.into_iter().map(|p| format!("{shown}: {p}"))),
            Err(why) => problems.push(format!("{shown}: keys not read: {why}")),
        }
    }
    (ring, problems)
}

/// A result file's compressed bytes hashed while its one gzip member is inflated.
struct ResultFile {
    /// Hex SHA-256 of the file's bytes as they lie (compressed).
    sha256_hex: String,
    size: u64,
    inflated: std::result::Result<Vec<u8>, GzError>,
    trailing: Option<GzError>,
}

/// Hashes what passes through.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn read_result_file(path: &Path, limit: u64) -> Result<ResultFile> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hashing = Hashing {
        inner: file,
        hasher: Sha256::new(),
        bytes: 0,
    };
    let mut out = Vec::new();
    let member = gz::inflate_member(&mut hashing, limit, Some(&mut out));
    // Every byte is hashed once: what the gzip reader took, then the rest.
    std::io::copy(&mut hashing, &mut std::io::sink()).map_err(|e| Error::io(path, e))?;
    let (inflated, trailing) = match member {
        Ok(member) => (Ok(out), member.trailing),
        Err(GzError::Read(why)) => {
            return Err(Error::io(path, std::io::Error::other(why)));
        }
        Err(error) => (Err(error), None),
    };
    Ok(ResultFile {
        sha256_hex: to_hex(&hashing.hasher.finalize()),
        size: hashing.bytes,
        inflated,
        trailing,
    })
}

/// Reads the query result, handing every row to `sink`, and returns its report.
pub fn read_lake(
    query: &LakeQuery,
    options: &VerifyOptions,
    limits: Limits,
    sink: &mut dyn LineSink,
) -> Result<Report> {
    let sign_bytes = {
        let size = std::fs::metadata(&query.sign_file)
            .map_err(|e| Error::io(&query.sign_file, e))?
            .len();
        if size > MAX_SIGN_FILE_BYTES {
            return Err(Error::Invalid(format!(
                "{} is {} bytes, more than a sign file can be",
                query.sign_file.display(),
                group(size)
            )));
        }
        std::fs::read(&query.sign_file).map_err(|e| Error::io(&query.sign_file, e))?
    };
    let sign = SignFile::parse(&sign_bytes).map_err(|why| {
        Error::Invalid(format!(
            "{} is not a CloudTrail Lake sign file: {why}",
            query.sign_file.display()
        ))
    })?;
    let trusted = trusted_ring(options)?;
    let (folder, key_problems) = folder_keys(&query.dir, sign.region.as_deref());
    let ring = folder.merged(&trusted);
    let signature = check_signature(&sign, &ring);

    let sign_name = query
        .sign_file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| SIGN_FILE_NAME.to_owned());
    let query_id = std::fs::canonicalize(&query.dir)
        .ok()
        .and_then(|dir| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| query.dir.display().to_string());
    let chain = query_id.clone();
    let mut reader = Rows {
        sink,
        chain: query_id.clone(),
        findings: Vec::new(),
        records: 0,
        malformed: 0,
        first_ts: None,
        last_ts: None,
        bytes_done: 0,
        max_row_bytes: limits.max_line_bytes,
    };
    let limit = MAX_RESULT_BYTES.min(limits.max_entry_bytes);
    let mut files: Vec<(String, String, u64)> = Vec::new();
    let mut tally = FileTally::default();

    // The files the sign file lists, in its order (a name listed twice is read once).
    let mut read_names: HashSet<String> = HashSet::new();
    for (i, listed) in sign.files.iter().enumerate() {
        tally.listed += 1;
        let expected = listed.hash.clone().unwrap_or_default();
        let name = match listed.name.as_deref() {
            Some(name) if plain_name(name) => name,
            other => {
                let why = match other {
                    None => format!("files[{i}] names no file"),
                    Some(name) => format!(
                        "files[{i}] names {name:?}, which is not a file of the query's folder; it is not read"
                    ),
                };
                tally.missing += 1;
                reader.push(
                    located(FindingKind::LogFileMissing, &sign_name, &chain)
                        .expected(expected)
                        .detail(why),
                );
                continue;
            }
        };
        let path = query.dir.join(name);
        if !path.is_file() {
            tally.missing += 1;
            reader.push(
                located(FindingKind::LogFileMissing, name, &chain)
                    .expected(expected)
                    .detail(format!(
                        "{sign_name} lists it (files[{i}]), but it is not in the query's folder"
                    )),
            );
            continue;
        }
        let file = read_result_file(&path, limit)?;
        let matched = listed
            .hash
            .as_deref()
            .is_some_and(|hash| hash.trim().eq_ignore_ascii_case(&file.sha256_hex));
        if !matched {
            tally.mismatched += 1;
            let detail = match &listed.hash {
                None => format!("{sign_name} lists it without a fileHashValue"),
                Some(_) => format!(
                    "the SHA-256 of its compressed bytes differs from the one {sign_name} records (files[{i}])"
                ),
            };
            reader.push(
                located(FindingKind::LogFileHashMismatch, name, &chain)
                    .expected(expected)
                    .actual(file.sha256_hex.clone())
                    .detail(detail),
            );
        }
        if let Some(trailing) = &file.trailing {
            tally.trailing += 1;
            reader.push(
                located(FindingKind::GzipTrailingData, name, &chain).detail(trailing.to_string()),
            );
        }
        if !read_names.insert(name.to_owned()) {
            continue;
        }
        let vouched = matched && file.trailing.is_none() && signature.holds();
        if matched && file.trailing.is_none() {
            tally.matched += 1;
        }
        files.push((name.to_owned(), file.sha256_hex.clone(), file.size));
        reader.file(name, &file, vouched)?;
    }

    // Result files the sign file does not list.
    let mut unlisted: Vec<String> = std::fs::read_dir(&query.dir)
        .map_err(|e| Error::io(&query.dir, e))?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("result_") && name.ends_with(".csv.gz"))
        .filter(|name| !read_names.contains(name))
        .collect();
    unlisted.sort();
    for name in &unlisted {
        tally.unlisted += 1;
        reader.push(
            located(FindingKind::LogFileUnreferenced, name, &chain).detail(format!(
                "{sign_name} does not list it: nothing proves CloudTrail delivered it with this query's result; its rows are shown unproven"
            )),
        );
        let file = read_result_file(&query.dir.join(name), limit)?;
        if let Some(trailing) = &file.trailing {
            reader.push(
                located(FindingKind::GzipTrailingData, name, &chain).detail(trailing.to_string()),
            );
        }
        files.push((name.clone(), file.sha256_hex.clone(), file.size));
        reader.file(name, &file, false)?;
    }

    // The signature's own findings, located in the sign file.
    match &signature {
        Signature::Invalid(why) => reader.push(
            located(FindingKind::DigestSignatureInvalid, &sign_name, &chain)
                .detail(why.clone()),
        ),
        Signature::NoKey => reader.push(
            located(FindingKind::PublicKeyMissing, &sign_name, &chain).detail(format!(
                "it names fingerprint {}; add the {} output of `aws cloudtrail list-public-keys` around {} to your trusted keys",
                sign.fingerprint.as_deref().filter(|f| !f.is_empty()).unwrap_or("none"),
                sign.region.as_deref().unwrap_or("region's"),
                sign.query_complete_time.as_deref().unwrap_or("the query's completion")
            )),
        ),
        Signature::Verified { .. } => {}
    }
    let parts = Parts {
        sign: &sign,
        sign_name: &sign_name,
        signature: &signature,
        key_problems: &key_problems,
        files: &tally,
    };
    Ok(reader.report(
        query,
        &query_id,
        &parts,
        files,
        to_hex(&sha256(&sign_bytes)),
    ))
}

/// How the result files fared.
#[derive(Debug, Default)]
struct FileTally {
    listed: u64,
    /// Present, matching their hash, one gzip member.
    matched: u64,
    missing: u64,
    mismatched: u64,
    trailing: u64,
    unlisted: u64,
}

/// What the report is made of besides the rows.
struct Parts<'a> {
    sign: &'a SignFile,
    sign_name: &'a str,
    signature: &'a Signature,
    key_problems: &'a [String],
    files: &'a FileTally,
}

fn located(kind: FindingKind, file: &str, chain: &str) -> Finding {
    let mut finding = Finding::new(kind).chain(chain);
    finding.file = Some(file.to_owned());
    finding
}

/// The reader of rows, file after file.
struct Rows<'s> {
    sink: &'s mut dyn LineSink,
    chain: String,
    findings: Vec<Finding>,
    records: u64,
    malformed: u64,
    first_ts: Option<(i64, String)>,
    last_ts: Option<(i64, String)>,
    /// Compressed bytes of the files already read (progress).
    bytes_done: u64,
    max_row_bytes: usize,
}

impl Rows<'_> {
    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn file(&mut self, name: &str, file: &ResultFile, vouched: bool) -> Result<()> {
        match &file.inflated {
            Ok(inflated) => self.rows(name, inflated, file.size, vouched)?,
            Err(error) => {
                let reason = format!("the result file cannot be inflated: {error}");
                self.malformed(name, 1, 0, b"", reason)?;
            }
        }
        self.bytes_done += file.size;
        self.sink.progress(self.bytes_done)
    }

    fn rows(&mut self, name: &str, inflated: &[u8], compressed: u64, vouched: bool) -> Result<()> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(inflated);
        let columns = match csv.byte_headers() {
            Ok(header) => Columns::new(header),
            Err(error) => {
                let reason = format!("the result file is not CSV: {error}");
                return self.malformed(name, 1, 0, inflated, reason);
            }
        };
        let mut record = csv::ByteRecord::new();
        let (mut line, mut counted_to) = (1u64, 0usize);
        let mut rows = 0u64;
        loop {
            let more = match csv.read_byte_record(&mut record) {
                Ok(more) => more,
                Err(error) => {
                    // Only structure can fail here (the records are bytes, of any
                    // length): what is left is kept as one unreadable record.
                    let at = record.position().map_or(0, |p| p.byte() as usize);
                    let rest = &inflated[at.min(inflated.len())..];
                    let reason = format!("the CSV cannot be read on from here: {error}");
                    return self.malformed(name, line, at as u64, rest, reason);
                }
            };
            if !more {
                break;
            }
            // Positions can point at the line end left over from the previous row.
            let mut start = record.position().map_or(0, |p| p.byte() as usize);
            let end = (csv.position().byte() as usize).min(inflated.len());
            start = start.min(end);
            while start < end && matches!(inflated[start], b'\r' | b'\n') {
                start += 1;
            }
            let mut stop = end;
            while stop > start && matches!(inflated[stop - 1], b'\r' | b'\n') {
                stop -= 1;
            }
            line += memchr::memchr_iter(b'\n', &inflated[counted_to..start]).count() as u64;
            counted_to = start;
            let raw = &inflated[start..stop];
            rows += 1;
            if rows.is_multiple_of(4096) && !inflated.is_empty() {
                let within = compressed * start as u64 / inflated.len() as u64;
                self.sink.progress(self.bytes_done + within)?;
            }
            if raw.len() > self.max_row_bytes {
                let reason = format!(
                    "the row is {} bytes long, over the limit; it was not read",
                    group(raw.len() as u64)
                );
                self.malformed(name, line, start as u64, b"", reason)?;
                continue;
            }
            if record.len() != columns.names.len() {
                let reason = format!(
                    "the row has {} fields where the header has {}",
                    record.len(),
                    columns.names.len()
                );
                self.malformed(name, line, start as u64, raw, reason)?;
                continue;
            }
            let fields: std::result::Result<Vec<&str>, _> =
                record.iter().map(std::str::from_utf8).collect();
            let Ok(fields) = fields else {
                let reason = "the row is not valid UTF-8".to_owned();
                self.malformed(name, line, start as u64, raw, reason)?;
                continue;
            };
            let event = columns
                .event(&fields)
                .and_then(|event| stored(&event).map(|stored| (event, stored)));
            match event {
                Ok((event, (normalized, fields))) => {
                    let at = (name, line, start as u64);
                    self.row(at, raw, vouched, &event, &normalized, fields)?
                }
                Err(reason) => self.malformed(name, line, start as u64, raw, reason)?,
            }
        }
        Ok(())
    }

    /// A row that is an event, at (result file, line, byte offset).
    fn row(
        &mut self,
        (file, line, offset): (&str, u64, u64),
        raw: &[u8],
        vouched: bool,
        event: &Value,
        normalized: &[u8],
        fields: EventFields,
    ) -> Result<()> {
        if let (Some(ts), Some(text)) = (fields.ts_millis, event["ts"].as_str()) {
            if self.first_ts.as_ref().is_none_or(|(t, _)| ts < *t) {
                self.first_ts = Some((ts, text.to_owned()));
            }
            if self.last_ts.as_ref().is_none_or(|(t, _)| ts > *t) {
                self.last_ts = Some((ts, text.to_owned()));
            }
        }
        self.records += 1;
        let span = LineSpan {
            line_no: line,
            offset,
            start: 0,
            end: raw.len(),
            too_long: None,
        };
        self.sink.line(SeenLine {
            file,
            span: &span,
            raw,
            check: &LineCheck::Unchained { vouched },
            fields: Some(fields),
            normalized: Some(normalized),
            n_breaking_findings: 0,
            n_findings: 0,
        })
    }

    fn malformed(
        &mut self,
        file: &str,
        line: u64,
        offset: u64,
        raw: &[u8],
        reason: String,
    ) -> Result<()> {
        self.records += 1;
        self.malformed += 1;
        let detail = format!("line {}: {reason}", group(line));
        let finding = keep_malformed(self.sink, file, line, offset, raw, reason, detail)?;
        self.findings.push(finding.chain(&self.chain));
        Ok(())
    }

    fn report(
        self,
        query: &LakeQuery,
        query_id: &str,
        parts: &Parts<'_>,
        files: Vec<(String, String, u64)>,
        sign_sha256: String,
    ) -> Report {
        let events = self.records - self.malformed;
        let broken = self
            .findings
            .iter()
            .any(|f| f.severity() == Severity::Break);
        let chain = ChainReport {
            id: query_id.to_owned(),
            verdict: chain_verdict(broken, true, parts.signature.trusted()),
            events,
            omitted: 0,
            first_seq: u64::from(events > 0),
            last_seq: events,
            head_hash: String::new(),
            start_prev_hash: None,
            first_ts: self.first_ts.as_ref().map(|t| t.1.clone()),
            last_ts: self.last_ts.as_ref().map(|t| t.1.clone()),
            integrity: integrity(parts),
            linkage: linkage(parts),
            completeness: completeness(parts),
            authenticity: authenticity(parts),
            coverage: coverage(parts, events, &self.first_ts, &self.last_ts),
            counts: vec![
                ("result_files", parts.files.listed),
                ("result_files_verified", parts.files.matched),
                ("result_files_unlisted", parts.files.unlisted),
                ("records", events),
            ],
        };
        let status = match parts.signature {
            Signature::Verified { trusted: true, .. } => SignatureStatus::Trusted,
            Signature::Verified { .. } | Signature::NoKey => SignatureStatus::Untrusted,
            Signature::Invalid(_) => SignatureStatus::Invalid,
        };
        let scope = match &parts.sign.region {
            Some(region) => format!("CloudTrail Lake query {query_id} ({region})"),
            None => format!("CloudTrail Lake query {query_id}"),
        };
        Report {
            bundle: BundleInfo {
                path: query.path.display().to_string(),
                container: Container::Directory,
                source: SourceKind::CloudTrail,
                mapping: None,
                mapping_sha256: None,
                has_manifest: true,
                provenance: Provenance {
                    producer: Some(PRODUCER.to_owned()),
                    exported_at: parts.sign.query_complete_time.clone(),
                    scope: Some(scope),
                    ..Provenance::default()
                },
                lines: self.records,
                malformed_lines: self.malformed,
                files,
                manifest_sha256: Some(sign_sha256),
                manifest: None,
            },
            chains: vec![chain],
            signature: SignatureReport {
                status,
                key_id: parts
                    .signature
                    .trusted()
                    .then(|| "AWS CloudTrail".to_owned()),
            },
            findings: self.findings,
            findings_not_listed: Vec::new(),
        }
    }
}

/// A normalized event as stored: its JSON and its indexed fields.
fn stored(event: &Value) -> std::result::Result<(Vec<u8>, EventFields), String> {
    let bytes = serde_json::to_vec(event).map_err(|e| e.to_string())?;
    let fields = canonical::parse(&bytes)
        .map(|json| EventFields::of(&json))
        .map_err(|e| format!("its event cannot be stored: {e}"))?;
    Ok((bytes, fields))
}

fn dimension(status: DimensionStatus, detail: impl Into<String>) -> Dimension {
    Dimension {
        status,
        detail: detail.into(),
    }
}

fn files_word(n: u64) -> String {
    format!(
        "{} result {}",
        group(n),
        if n == 1 { "file" } else { "files" }
    )
}

/// The result files against the hashes the sign file records.
fn integrity(parts: &Parts<'_>) -> Dimension {
    let t = parts.files;
    let bad = t.missing + t.mismatched + t.trailing;
    if bad > 0 {
        dimension(
            DimensionStatus::Failed,
            format!(
                "broken: {} of the {} {} lists are missing, differ from the SHA-256 it records, or have data appended",
                group(bad),
                files_word(t.listed),
                parts.sign_name
            ),
        )
    } else if t.listed == 0 {
        dimension(
            DimensionStatus::Unproven,
            format!("{} lists no result file", parts.sign_name),
        )
    } else {
        dimension(
            DimensionStatus::Proven,
            format!(
                "proven: all {} match the SHA-256 {} records for them (of their compressed bytes, as AWS hashes result files)",
                files_word(t.listed),
                parts.sign_name
            ),
        )
    }
}

/// The signature over the list of hashes.
fn linkage(parts: &Parts<'_>) -> Dimension {
    match parts.signature {
        Signature::Verified { .. } => dimension(
            DimensionStatus::Proven,
            format!(
                "proven: {}'s signature holds over the hashes of its {}",
                parts.sign_name,
                files_word(parts.files.listed)
            ),
        ),
        Signature::Invalid(why) => dimension(
            DimensionStatus::Failed,
            format!(
                "broken: {}'s signature does not hold: {why}",
                parts.sign_name
            ),
        ),
        Signature::NoKey => dimension(
            DimensionStatus::Unproven,
            format!(
                "not checked: no public key given has the fingerprint {} names",
                parts.sign_name
            ),
        ),
    }
}

/// Every listed file here, and no other.
fn completeness(parts: &Parts<'_>) -> Dimension {
    let t = parts.files;
    if t.missing > 0 || t.unlisted > 0 {
        let mut said = Vec::new();
        if t.missing > 0 {
            said.push(format!(
                "{} it lists {} missing",
                files_word(t.missing),
                if t.missing == 1 { "is" } else { "are" }
            ));
        }
        if t.unlisted > 0 {
            said.push(format!(
                "{} {} here that it does not list",
                files_word(t.unlisted),
                if t.unlisted == 1 { "is" } else { "are" }
            ));
        }
        dimension(
            DimensionStatus::Failed,
            format!("broken: {}", said.join("; ")),
        )
    } else {
        dimension(
            DimensionStatus::Proven,
            format!(
                "proven: every result file {} lists is here, and no other; the query's SQL and time range are not in the sign file, so which events it selected cannot be checked",
                parts.sign_name
            ),
        )
    }
}

/// Whose key signed.
fn authenticity(parts: &Parts<'_>) -> Dimension {
    let advice = format!(
        "add the {} output of `aws cloudtrail list-public-keys` around {} to your trusted keys",
        parts.sign.region.as_deref().unwrap_or("region's"),
        parts
            .sign
            .query_complete_time
            .as_deref()
            .unwrap_or("the query's completion")
    );
    let (status, mut detail, notes): (_, String, &[String]) = match parts.signature {
        Signature::Verified {
            trusted: true,
            key,
            origin,
            notes,
        } => (
            DimensionStatus::Proven,
            format!("proven: signed by an AWS key you trust ({key}, from {origin})"),
            notes.as_slice(),
        ),
        Signature::Verified {
            trusted: false,
            key,
            origin,
            notes,
        } => (
            DimensionStatus::Unproven,
            format!(
                "the signature holds only under a key that came with the folder ({key}, from {origin}), not a key you trust: whoever made the folder could have made it ({advice})"
            ),
            notes.as_slice(),
        ),
        Signature::NoKey => (
            DimensionStatus::Unproven,
            format!(
                "the signature could not be checked: no key given has the fingerprint {} ({advice})",
                parts
                    .sign
                    .fingerprint
                    .as_deref()
                    .filter(|f| !f.is_empty())
                    .unwrap_or("none")
            ),
            &[],
        ),
        Signature::Invalid(why) => (
            DimensionStatus::Failed,
            format!("broken: the signature does not hold: {why}"),
            &[],
        ),
    };
    let mut said: Vec<String> = notes.to_vec();
    if !parts.signature.trusted() {
        said.extend(parts.key_problems.iter().cloned());
    }
    for (name, value, expected) in [
        ("hashAlgorithm", &parts.sign.hash_algorithm, HASH_ALGORITHM),
        (
            "signatureAlgorithm",
            &parts.sign.signature_algorithm,
            SIGNATURE_ALGORITHM,
        ),
    ] {
        if let Some(value) = value
            && value != expected
        {
            said.push(format!(
                "the sign file says {name} {value:?}; {expected} is what is checked"
            ));
        }
    }
    if !said.is_empty() {
        detail.push_str(&format!(". Also: {}", said.join("; ")));
    }
    dimension(status, detail)
}

/// The events' time span, measured.
fn coverage(
    parts: &Parts<'_>,
    events: u64,
    first: &Option<(i64, String)>,
    last: &Option<(i64, String)>,
) -> Dimension {
    let completed = match &parts.sign.query_complete_time {
        Some(time) => format!(" (the query completed at {time})"),
        None => String::new(),
    };
    let detail = match (first, last) {
        (Some((_, from)), Some((_, to))) => format!(
            "measured: {} {} from {from} to {to}{completed}; the query chose which events to return, and the sign file does not say which",
            group(events),
            if events == 1 { "event" } else { "events" }
        ),
        _ => format!("no readable event times{completed}"),
    };
    dimension(DimensionStatus::Unproven, detail)
}

/// The headline of a Lake query result's report, in words for someone who is not an
/// engineer; `None` for any other report. (`Report::headline` words the other sources.)
pub fn headline(report: &Report) -> Option<String> {
    if report.bundle.provenance.producer.as_deref() != Some(PRODUCER) {
        return None;
    }
    let chain = report.chains.first()?;
    let count = |name: &str| {
        chain
            .counts
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, v)| *v)
    };
    let files = count("result_files") + count("result_files_unlisted");
    let rows = report.n_events();
    let what = format!(
        "CloudTrail Lake query result, {}, {} {}",
        files_word(files),
        group(rows),
        if rows == 1 { "row" } else { "rows" }
    );
    let malformed = match report.bundle.malformed_lines {
        0 => String::new(),
        1 => "; 1 row could not be read and is kept as it arrived".to_owned(),
        n => format!(
            "; {} rows could not be read and are kept as they arrived",
            group(n)
        ),
    };
    Some(match report.verdict() {
        Verdict::Verified => format!(
            "Verified: {what}; the signature over the result files holds under an AWS key you trust, and every file matches it{malformed}"
        ),
        Verdict::Intact => format!(
            "Intact but unvouched: {what}; every file matches the list of hashes in its sign file, but {}{malformed}",
            chain.authenticity.detail
        ),
        Verdict::Broken => {
            let breaking: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| f.severity() == Severity::Break)
                .collect();
            let n = breaking.len() as u64;
            let first = breaking.first().map(|f| problem(f)).unwrap_or_default();
            format!(
                "Broken: {} {} in the {what}. First: {first}",
                group(n),
                if n == 1 { "problem" } else { "problems" }
            )
        }
        Verdict::Empty if report.bundle.malformed_lines > 0 => {
            let (rows, could, kept) = match report.bundle.malformed_lines {
                1 => (
                    "the one row".to_owned(),
                    "could not",
                    "it is kept as it arrived",
                ),
                n => (
                    format!("none of the {} rows", group(n)),
                    "could",
                    "they are kept as they arrived",
                ),
            };
            format!(
                "No events: {rows} of the CloudTrail Lake query result {} {could} be read as an event (an event needs its eventTime and eventName: select them in the query); {kept}",
                report.bundle.path
            )
        }
        Verdict::Empty => format!(
            "No events: {} is a CloudTrail Lake query result with no rows, so there is nothing to review",
            report.bundle.path
        ),
        Verdict::Unverifiable => return None,
    })
}

/// A breaking finding in words of a query result (the finding kinds' own words speak
/// of a trail's log and digest files).
fn problem(finding: &Finding) -> String {
    let file = finding.file.as_deref().unwrap_or("a result file");
    let detail = finding.detail.as_deref().unwrap_or_default();
    let said = match finding.kind {
        FindingKind::LogFileHashMismatch => {
            format!(
                "{file} is not the file AWS delivered: {detail}; its rows were changed, added or removed"
            )
        }
        FindingKind::LogFileMissing => format!("a result file is missing: {detail}"),
        FindingKind::LogFileUnreferenced => format!("{file} was added: {detail}"),
        FindingKind::DigestSignatureInvalid => {
            format!("the signature in {file} does not hold: {detail}")
        }
        FindingKind::GzipTrailingData => {
            format!(
                "{file} has data appended after its compressed content ({detail}); other tools would read it as more rows"
            )
        }
        _ => return finding.summary(),
    };
    format!("{said}.")
}

// ---------------------------------------------------------------------------------
// Rows → events

/// The fields of a CloudTrail record, as a Lake query's columns may name them.
const RECORD_FIELDS: [&str; 32] = [
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "readOnly",
    "resources",
    "eventType",
    "apiVersion",
    "managementEvent",
    "recipientAccountId",
    "sharedEventID",
    "annotation",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "serviceEventDetails",
    "addendum",
    "edgeDeviceDetails",
    "insightDetails",
    "eventCategory",
    "tlsDetails",
    "sessionCredentialFromConsole",
];

/// Record fields whose value is JSON in a log file (a struct or map in Lake).
const OBJECT_FIELDS: [&str; 10] = [
    "userIdentity",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "resources",
    "serviceEventDetails",
    "addendum",
    "edgeDeviceDetails",
    "insightDetails",
    "tlsDetails",
];

/// `userIdentity`'s members at any depth, as CloudTrail spells them.
const IDENTITY_NAMES: [&str; 30] = [
    "type",
    "principalId",
    "arn",
    "accountId",
    "accessKeyId",
    "userName",
    "sessionContext",
    "attributes",
    "creationDate",
    "mfaAuthenticated",
    "sessionIssuer",
    "webIdFederationData",
    "federatedProvider",
    "sourceIdentity",
    "ec2RoleDelivery",
    "ec2IssuedInVPC",
    "onBehalfOf",
    "userId",
    "identityStoreArn",
    "inScopeOf",
    "sourceArn",
    "sourceAccount",
    "issuerType",
    "credentialsIssuedTo",
    "invokedBy",
    "identityProvider",
    "subject",
    "subjectType",
    "issuer",
    "federatedProviderArn",
];

/// Columns that, selected on their own (`SELECT userIdentity.arn`), are a member of
/// `userIdentity`.
const IDENTITY_COLUMNS: [&str; 6] = [
    "principalId",
    "arn",
    "userName",
    "accountId",
    "accessKeyId",
    "invokedBy",
];

/// What a column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A field of the CloudTrail record.
    Field(&'static str),
    /// A member of `userIdentity`.
    Identity(&'static str),
    Other,
}

/// The header: each column's name and role.
struct Columns {
    names: Vec<String>,
    roles: Vec<Role>,
}

fn known(name: &str, names: &[&'static str]) -> Option<&'static str> {
    names.iter().copied().find(|n| n.eq_ignore_ascii_case(name))
}

impl Columns {
    fn new(header: &csv::ByteRecord) -> Columns {
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let name = String::from_utf8_lossy(name);
                let name = if i == 0 {
                    name.trim_start_matches('\u{feff}').to_owned()
                } else {
                    name.into_owned()
                };
                name.trim().trim_matches('"').trim().to_owned()
            })
            .collect();
        let roles = names.iter().map(|name| role(name)).collect();
        Columns { names, roles }
    }

    fn has(&self, field: &str) -> bool {
        self.roles
            .contains(&Role::Field(known(field, &RECORD_FIELDS).unwrap_or("")))
    }

    fn has_identity(&self) -> bool {
        self.has("userIdentity")
            || self
                .roles
                .iter()
                .any(|role| matches!(role, Role::Identity(_)))
    }

    /// The row as a normalized event, or why it cannot be one.
    fn event(&self, fields: &[&str]) -> std::result::Result<Value, String> {
        let mut record = Map::new();
        let mut identity = Map::new();
        let mut all = Map::new();
        for ((name, role), value) in self.names.iter().zip(&self.roles).zip(fields) {
            let mut key = name.clone();
            let mut n = 2;
            while all.contains_key(&key) {
                key = format!("{name} ({n})");
                n += 1;
            }
            all.insert(key, Value::String((*value).to_owned()));
            if value.trim().is_empty() {
                continue;
            }
            match *role {
                Role::Field(field) => {
                    record.insert(field.to_owned(), field_value(field, value));
                }
                Role::Identity(member) => {
                    identity.insert(member.to_owned(), Value::String((*value).to_owned()));
                }
                Role::Other => {}
            }
        }
        if !identity.is_empty() {
            let user = record
                .entry("userIdentity")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(user) = user {
                for (member, value) in identity {
                    user.entry(member).or_insert(value);
                }
            }
        }
        match record.get("eventTime").and_then(Value::as_str) {
            None if !self.has("eventTime") => {
                return Err(
                    "the query did not select eventTime, so the row does not say when it happened"
                        .to_owned(),
                );
            }
            None => return Err("eventTime is empty".to_owned()),
            Some(time) => match lake_time(time) {
                Some(rfc3339) => {
                    record.insert("eventTime".to_owned(), Value::String(rfc3339));
                }
                None => return Err(format!("eventTime {time:?} is not a time")),
            },
        }
        if !self.has("eventName") {
            return Err(
                "the query did not select eventName, so the row does not say what was done"
                    .to_owned(),
            );
        }
        // What the query did not select is not said: no errorCode column, no outcome
        // (unless a console sign-in's response says it); nothing about who, no channel.
        let sign_in_said = record.get("eventType").and_then(Value::as_str)
            == Some("AwsConsoleSignIn")
            && record.contains_key("responseElements");
        let mut event = normalize(&Value::Object(record))?;
        let Value::Object(members) = &mut event else {
            return Err("the row did not make an event".to_owned());
        };
        if !self.has("errorCode") && !sign_in_said {
            members.remove("outcome");
        }
        if !self.has("eventType")
            && !self.has("sessionCredentialFromConsole")
            && !self.has_identity()
            && let Some(Value::Object(source)) = members.get_mut("source")
        {
            source.remove("channel");
            if source.is_empty() {
                members.remove("source");
            }
        }
        let context = members
            .entry("context")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(context) = context {
            context.insert("columns".to_owned(), Value::Object(all));
        }
        Ok(event)
    }
}

/// A column's role by its name: a record field (`eventTime`, `eventtime`), a member of
/// `userIdentity` (`useridentity.arn`, `userIdentity_userName`, or `arn` alone), or
/// another column of the query's own.
fn role(name: &str) -> Role {
    if let Some(field) = known(name, &RECORD_FIELDS) {
        return Role::Field(field);
    }
    let lower = name.to_ascii_lowercase();
    if let Some(member) = lower
        .strip_prefix("useridentity.")
        .or_else(|| lower.strip_prefix("useridentity_"))
    {
        return known(member, &IDENTITY_NAMES).map_or(Role::Other, Role::Identity);
    }
    known(name, &IDENTITY_COLUMNS).map_or(Role::Other, Role::Identity)
}

/// A column's text as the record field's value: a struct or map column (JSON, or the
/// `{key=value, …}` text Lake writes) as an object, anything else as text.
fn field_value(field: &str, text: &str) -> Value {
    if !OBJECT_FIELDS.contains(&field) {
        return Value::String(text.to_owned());
    }
    let trimmed = text.trim();
    let parsed = serde_json::from_str::<Value>(trimmed)
        .ok()
        .filter(|v| v.is_object() || v.is_array())
        .or_else(|| struct_text(trimmed));
    match parsed {
        Some(value) if field == "userIdentity" => recase(value, &IDENTITY_NAMES),
        Some(value) => value,
        None => Value::String(text.to_owned()),
    }
}

/// Keys spelled as CloudTrail spells them (Lake lower-cases struct members).
fn recase(value: Value, names: &[&'static str]) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .map(|(key, value)| {
                    let key = known(&key, names).map_or(key, str::to_owned);
                    (key, recase(value, names))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| recase(v, names)).collect()),
        other => other,
    }
}

/// A struct, map or array as Lake writes it in a CSV cell: `{type=IAMUser, arn=arn:…,
/// sessioncontext={attributes={mfaauthenticated=false}}, invokedby=null}`, `[a, b]`.
/// `None` when the text is not one (a value holding `, name=` or unbalanced brackets
/// cannot be told apart, and is then kept as text).
fn struct_text(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        let mut members = Map::new();
        if inner.trim().is_empty() {
            return Some(Value::Object(members));
        }
        for part in split_top(inner, true)? {
            let (key, value) = part.split_once('=')?;
            let key = key.trim();
            if key.is_empty() {
                return None;
            }
            members.insert(key.to_owned(), struct_value(value));
        }
        return Some(Value::Object(members));
    }
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        if inner.trim().is_empty() {
            return Some(Value::Array(Vec::new()));
        }
        let items = split_top(inner, false)?;
        return Some(Value::Array(items.into_iter().map(struct_value).collect()));
    }
    None
}

fn struct_value(text: &str) -> Value {
    let text = text.trim();
    if text == "null" {
        return Value::Null;
    }
    struct_text(text).unwrap_or_else(|| Value::String(text.to_owned()))
}

/// Splits at the `, ` outside brackets; for an object, only before `name=`.
fn split_top(text: &str, object: bool) -> Option<Vec<&str>> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let (mut depth, mut from) = (0i64, 0);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            b',' if depth == 0 && bytes.get(i + 1) == Some(&b' ') => {
                let next = &text[i + 2..];
                let is_member = next
                    .split_once('=')
                    .is_some_and(|(key, _)| !key.is_empty() && key.bytes().all(is_key_byte));
                if !object || is_member {
                    parts.push(&text[from..i]);
                    from = i + 2;
                }
            }
            _ => {}
        }
    }
    if depth != 0 {
        return None;
    }
    parts.push(&text[from..]);
    Some(parts)
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// An event time as Lake writes it (`2026-03-01 10:00:00.000`, UTC) or as RFC 3339, in
/// RFC 3339; `None` when it is neither.
fn lake_time(text: &str) -> Option<String> {
    let text = text.trim();
    if parse_time(text).is_some() {
        return Some(text.to_owned());
    }
    let bare = text
        .strip_suffix(" UTC")
        .or_else(|| text.strip_suffix('Z'))
        .unwrap_or(text)
        .trim();
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(bare, format).ok())
        .map(|naive| {
            naive
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::verify::testkit;
    use super::*;
    use crate::verify::TrustedKeys;

    const HEADER: &str = "eventid,eventtime,eventsource,eventname,useridentity,sourceipaddress,useragent,errorcode,awsregion,recipientaccountid";

    /// Rows of a result file: `n` events from `first`.
    fn csv_rows(first: usize, n: usize) -> String {
        let mut text = format!("{HEADER}\n");
        for i in first..first + n {
            let error = if i % 3 == 2 { "AccessDenied" } else { "" };
            text.push_str(&format!(
                "e-{i},2026-03-01 10:{:02}:00.000,s3.amazonaws.com,DeleteBucket,\"{{type=IAMUser, principalid=AIDA{i}, arn=arn:aws:iam::123456789012:user/alice, accountid=123456789012, accesskeyid=AKIA{i}, username=alice, sessioncontext=null, invokedby=null, identityprovider=null}}\",203.0.113.{i},\"aws-cli/2.15, Python/3.11\",{error},us-east-1,123456789012\n",
                i % 60
            ));
        }
        text
    }

    /// A query result: its folder, and how to make it again differently.
    struct Query {
        dir: tempfile::TempDir,
        /// The query's folder, under an `AWSLogs/` layout.
        path: PathBuf,
        files: Vec<(String, Vec<u8>)>,
    }

    const QUERY_DIR: &str = "AWSLogs/123456789012/CloudTrail-Lake/Query/2026/03/01/0a1b2c3d-4e5f-6789-abcd-ef0123456789";

    impl Query {
        /// Two result files (3 and 2 rows), signed by the first test key.
        fn new() -> Query {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(QUERY_DIR);
            std::fs::create_dir_all(&path).unwrap();
            let files = vec![
                (
                    "result_1.csv.gz".to_owned(),
                    gz::gzip(csv_rows(0, 3).as_bytes()),
                ),
                (
                    "result_2.csv.gz".to_owned(),
                    gz::gzip(csv_rows(3, 2).as_bytes()),
                ),
            ];
            let query = Query { dir, path, files };
            for (name, bytes) in &query.files {
                std::fs::write(query.path.join(name), bytes).unwrap();
            }
            query.sign_with(&testkit::keys().first);
            query
        }

        fn hashes(&self) -> Vec<String> {
            self.files
                .iter()
                .map(|(_, bytes)| to_hex(&sha256(bytes)))
                .collect()
        }

        fn sign_with(&self, key: &rsa::PrivateKey) {
            let hashes = self.hashes();
            self.write_sign(key, &hashes, &hashes);
        }

        /// The sign file listing `listed` hashes, its signature over `signed`.
        fn write_sign(&self, key: &rsa::PrivateKey, listed: &[String], signed: &[String]) {
            let signature = testkit::sign(key, signed.join(" ").as_bytes());
            let files: Vec<Value> = self
                .files
                .iter()
                .zip(listed)
                .map(|((name, _), hash)| serde_json::json!({"fileHashValue": hash, "fileName": name}))
                .collect();
            let sign = serde_json::json!({
                "version": "1.0", "region": "us-east-1", "files": files,
                "hashAlgorithm": "SHA-256", "signatureAlgorithm": "SHA256withRSA",
                "queryCompleteTime": "2026-03-01T22:06:30Z",
                "hashSignature": to_hex(&signature),
                "publicKeyFingerprint": super::super::keys::fingerprint(&testkit::pkcs1_der(key)),
            });
            std::fs::write(
                self.path.join(SIGN_FILE_NAME),
                serde_json::to_vec_pretty(&sign).unwrap(),
            )
            .unwrap();
        }

        /// The real first key in the evidence root's `public-keys/us-east-1.json`.
        fn with_folder_keys(&self) {
            let keys = self.dir.path().join("public-keys");
            std::fs::create_dir_all(&keys).unwrap();
            let der = testkit::pkcs1_der(&testkit::keys().first);
            std::fs::write(
                keys.join("us-east-1.json"),
                testkit::list_public_keys_json(&[(&der, None)]),
            )
            .unwrap();
        }

        fn read(&self, trusted: bool) -> (Report, Kept) {
            let query = sniff(&self.path).expect("a query result");
            let mut kept = Kept::default();
            let report =
                read_lake(&query, &options(trusted), Limits::default(), &mut kept).unwrap();
            (report, kept)
        }
    }

    fn options(trusted: bool) -> VerifyOptions {
        let mut options = VerifyOptions::default();
        if trusted {
            let der = testkit::pkcs1_der(&testkit::keys().first);
            let json = testkit::list_public_keys_json(&[(&der, None)]);
            options.trusted_keys = TrustedKeys::parse(&json, Path::new("trusted.json")).unwrap();
        }
        options
    }

    /// One record as a case import would keep it: file, line, vouched, event, bytes.
    type KeptRecord = (String, u64, bool, Option<Value>, Vec<u8>);

    /// Keeps what a case import would.
    #[derive(Default)]
    struct Kept {
        records: Vec<KeptRecord>,
    }

    impl LineSink for Kept {
        fn wants_fields(&self) -> bool {
            true
        }
        fn line(&mut self, line: SeenLine<'_>) -> Result<()> {
            let vouched = matches!(line.check, LineCheck::Unchained { vouched: true });
            let event = line
                .normalized
                .map(|bytes| serde_json::from_slice(bytes).unwrap());
            self.records.push((
                line.file.to_owned(),
                line.span.line_no,
                vouched,
                event,
                line.raw.to_vec(),
            ));
            Ok(())
        }
    }

    fn kinds(report: &Report) -> Vec<FindingKind> {
        report.findings.iter().map(|f| f.kind).collect()
    }

    #[test]
    fn a_good_result_with_trusted_keys_is_verified_and_every_row_vouched() {
        let query = Query::new();
        let (report, kept) = query.read(true);
        assert_eq!(report.verdict(), Verdict::Verified, "{}", report.headline());
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        assert_eq!(report.n_events(), 5);
        assert_eq!(report.bundle.source, SourceKind::CloudTrail);
        assert_eq!(report.signature.status, SignatureStatus::Trusted);
        assert_eq!(kept.records.len(), 5);
        assert!(kept.records.iter().all(|r| r.2), "every row is vouched");
        let chain = &report.chains[0];
        assert_eq!(chain.id, "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
        for dimension in [
            &chain.integrity,
            &chain.linkage,
            &chain.completeness,
            &chain.authenticity,
        ] {
            assert_eq!(
                dimension.status,
                DimensionStatus::Proven,
                "{}",
                dimension.detail
            );
        }
        let headline = headline(&report).unwrap();
        assert_eq!(
            headline,
            "Verified: CloudTrail Lake query result, 2 result files, 5 rows; the signature over the result files holds under an AWS key you trust, and every file matches it"
        );
        // Rows are located in their file (line 1 is the header) and kept byte-exact.
        let places: Vec<(&str, u64)> = kept.records.iter().map(|r| (r.0.as_str(), r.1)).collect();
        assert_eq!(
            places,
            [
                ("result_1.csv.gz", 2),
                ("result_1.csv.gz", 3),
                ("result_1.csv.gz", 4),
                ("result_2.csv.gz", 2),
                ("result_2.csv.gz", 3)
            ]
        );
        let first_row = csv_rows(0, 3).lines().nth(1).unwrap().to_owned();
        assert_eq!(kept.records[0].4, first_row.as_bytes());
        // Normalized as a log file's record would be.
        let event = kept.records[0].3.as_ref().unwrap();
        assert_eq!(event["id"], "e-0");
        assert_eq!(event["ts"], "2026-03-01T10:00:00.000Z");
        assert_eq!(event["action"], "s3.DeleteBucket");
        assert_eq!(event["actor"]["id"], "arn:aws:iam::123456789012:user/alice");
        assert_eq!(event["actor"]["name"], "alice");
        assert_eq!(event["actor"]["type"], "user");
        assert_eq!(event["source"]["ip"], "203.0.113.0");
        assert_eq!(event["source"]["user_agent"], "aws-cli/2.15, Python/3.11");
        assert_eq!(event["source"]["client_id"], "AKIA0");
        assert_eq!(event["outcome"], "success");
        assert_eq!(event["context"]["aws_region"], "us-east-1");
        assert_eq!(event["context"]["recipient_account_id"], "123456789012");
        assert_eq!(event["context"]["columns"]["eventname"], "DeleteBucket");
        assert_eq!(event["context"]["columns"].as_object().unwrap().len(), 10);
        let denied = kept.records[2].3.as_ref().unwrap();
        assert_eq!(denied["outcome"], "denied");
        assert_eq!(report.bundle.files.len(), 2);
        assert_eq!(report.bundle.files[0].1, query.hashes()[0]);
    }

    #[test]
    fn with_only_the_folders_keys_it_is_intact_and_says_whose_keys() {
        let query = Query::new();
        query.with_folder_keys();
        let (report, kept) = query.read(false);
        assert_eq!(report.verdict(), Verdict::Intact, "{}", report.headline());
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        let headline = headline(&report).unwrap();
        assert!(
            headline.starts_with("Intact but unvouched: CloudTrail Lake query result")
                && headline.contains("came with the folder")
                && headline.contains("list-public-keys"),
            "{headline}"
        );
        // The signature holds, with the folder's key: each row's file is vouched for.
        assert!(kept.records.iter().all(|r| r.2));
        assert_eq!(report.signature.status, SignatureStatus::Untrusted);
    }

    #[test]
    fn an_edited_result_file_is_a_hash_mismatch_naming_it() {
        let query = Query::new();
        let edited = csv_rows(0, 3).replace("203.0.113.1,", "198.51.100.1,");
        let bytes = gz::gzip(edited.as_bytes());
        std::fs::write(query.path.join("result_1.csv.gz"), &bytes).unwrap();
        let (report, kept) = query.read(true);
        assert_eq!(report.verdict(), Verdict::Broken);
        assert_eq!(kinds(&report), [FindingKind::LogFileHashMismatch]);
        let finding = &report.findings[0];
        assert_eq!(finding.file.as_deref(), Some("result_1.csv.gz"));
        assert_eq!(
            finding.expected.as_deref(),
            Some(query.hashes()[0].as_str())
        );
        assert_eq!(
            finding.actual.as_deref(),
            Some(to_hex(&sha256(&bytes)).as_str())
        );
        assert_eq!(report.chains[0].integrity.status, DimensionStatus::Failed);
        // Its rows are still read, unvouched; the other file's are vouched.
        let (one, two): (Vec<_>, Vec<_>) =
            kept.records.iter().partition(|r| r.0 == "result_1.csv.gz");
        assert!(one.len() == 3 && one.iter().all(|r| !r.2));
        assert!(two.len() == 2 && two.iter().all(|r| r.2));
        let headline = headline(&report).unwrap();
        assert_eq!(
            headline,
            format!(
                "Broken: 1 problem in the CloudTrail Lake query result, 2 result files, 5 rows. First: result_1.csv.gz is not the file AWS delivered: the SHA-256 of its compressed bytes differs from the one {SIGN_FILE_NAME} records (files[0]); its rows were changed, added or removed."
            )
        );
    }

    #[test]
    fn a_deleted_result_file_is_missing() {
        let query = Query::new();
        std::fs::remove_file(query.path.join("result_2.csv.gz")).unwrap();
        let (report, kept) = query.read(true);
        assert_eq!(report.verdict(), Verdict::Broken);
        assert_eq!(kinds(&report), [FindingKind::LogFileMissing]);
        assert_eq!(report.findings[0].file.as_deref(), Some("result_2.csv.gz"));
        assert_eq!(
            report.chains[0].completeness.status,
            DimensionStatus::Failed
        );
        assert_eq!(kept.records.len(), 3);
    }

    #[test]
    fn an_injected_result_file_is_unreferenced_and_its_rows_unproven() {
        let query = Query::new();
        std::fs::write(
            query.path.join("result_3.csv.gz"),
            gz::gzip(csv_rows(10, 4).as_bytes()),
        )
        .unwrap();
        let (report, kept) = query.read(true);
        assert_eq!(report.verdict(), Verdict::Broken);
        assert_eq!(kinds(&report), [FindingKind::LogFileUnreferenced]);
        assert_eq!(report.findings[0].file.as_deref(), Some("result_3.csv.gz"));
        let injected: Vec<_> = kept
            .records
            .iter()
            .filter(|r| r.0 == "result_3.csv.gz")
            .collect();
        assert!(injected.len() == 4 && injected.iter().all(|r| !r.2));
        assert_eq!(report.n_events(), 9);
    }

    #[test]
    fn a_replaced_file_with_its_hash_edited_breaks_the_signature() {
        let mut query = Query::new();
        let signed = query.hashes();
        // The attacker replaces result_2 and writes its hash into the sign file.
        query.files[1].1 = gz::gzip(csv_rows(50, 2).as_bytes());
        std::fs::write(query.path.join("result_2.csv.gz"), &query.files[1].1).unwrap();
        query.write_sign(&testkit::keys().first, &query.hashes(), &signed);
        let (report, kept) = query.read(true);
        assert_eq!(report.verdict(), Verdict::Broken);
        assert_eq!(kinds(&report), [FindingKind::DigestSignatureInvalid]);
        assert_eq!(report.findings[0].file.as_deref(), Some(SIGN_FILE_NAME));
        assert_eq!(report.signature.status, SignatureStatus::Invalid);
        assert_eq!(report.chains[0].linkage.status, DimensionStatus::Failed);
        assert!(kept.records.iter().all(|r| !r.2), "nothing is vouched");
    }

    #[test]
    fn a_key_nobody_gave_is_a_missing_public_key_and_at_best_intact() {
        let query = Query::new();
        query.sign_with(&testkit::keys().attacker);
        query.with_folder_keys();
        let (report, kept) = query.read(true);
        assert_eq!(kinds(&report), [FindingKind::PublicKeyMissing]);
        assert_eq!(report.verdict(), Verdict::Intact, "{}", report.headline());
        let detail = report.findings[0].detail.as_deref().unwrap();
        let attacker =
            super::super::keys::fingerprint(&testkit::pkcs1_der(&testkit::keys().attacker));
        assert!(detail.contains(&attacker), "{detail}");
        assert!(kept.records.iter().all(|r| !r.2));
        let headline = headline(&report).unwrap();
        assert!(headline.contains("could not be checked"), "{headline}");
    }

    #[test]
    fn a_key_given_in_the_other_encoding_still_verifies() {
        let query = Query::new();
        let mut options = VerifyOptions::default();
        let spki = testkit::spki_der(&testkit::keys().first);
        let json = testkit::list_public_keys_json(&[(&spki, None)]);
        options.trusted_keys = TrustedKeys::parse(&json, Path::new("t.json")).unwrap();
        let lake = sniff(&query.path).unwrap();
        let report = read_lake(
            &lake,
            &options,
            Limits::default(),
            &mut crate::verify::NoSink,
        )
        .unwrap();
        assert_eq!(report.verdict(), Verdict::Verified);
        assert!(
            report.chains[0]
                .authenticity
                .detail
                .contains("another encoding")
        );
    }

    #[test]
    fn appended_data_and_unreadable_rows_are_found_and_kept() {
        let mut query = Query::new();
        let mut text = csv_rows(0, 2);
        text.push_str("e-8,,s3.amazonaws.com,GetObject,,,,,,\n");
        text.push_str("e-9,yesterday,s3.amazonaws.com,GetObject,,,,,,\n");
        text.push_str("e-10,2026-03-01T11:00:00Z,s3.amazonaws.com\n");
        let mut bytes = gz::gzip(text.as_bytes());
        bytes.extend_from_slice(&gz::gzip(b"e-11,2026-03-01 12:00:00,x,y,,,,,,\n"));
        query.files[0].1 = bytes.clone();
        std::fs::write(query.path.join("result_1.csv.gz"), &bytes).unwrap();
        query.sign_with(&testkit::keys().first);
        let (report, kept) = query.read(true);
        let mut found = kinds(&report);
        found.sort();
        assert_eq!(
            found,
            [
                FindingKind::MalformedRecord,
                FindingKind::MalformedRecord,
                FindingKind::MalformedRecord,
                FindingKind::GzipTrailingData
            ]
        );
        assert_eq!(report.verdict(), Verdict::Broken);
        let details: Vec<(u64, String)> = report
            .findings_of(FindingKind::MalformedRecord)
            .map(|f| (f.line.unwrap(), f.detail.clone().unwrap()))
            .collect();
        assert!(details[0].0 == 4 && details[0].1.contains("eventTime is empty"));
        assert!(details[1].0 == 5 && details[1].1.contains("\"yesterday\" is not a time"));
        assert!(details[2].0 == 6 && details[2].1.contains("3 fields where the header has 10"));
        // Every row is handed over, the unreadable ones as they arrived.
        assert_eq!(kept.records.len(), 2 + 3 + 2);
        assert_eq!(report.n_events(), 4);
        assert_eq!(report.bundle.malformed_lines, 3);
        // The rows of a file with data appended are not vouched for.
        assert!(
            kept.records
                .iter()
                .filter(|r| r.0 == "result_1.csv.gz")
                .all(|r| !r.2)
        );
    }

    #[test]
    fn a_query_that_did_not_select_time_or_name_keeps_its_rows_as_malformed() {
        let columns = |header: &str| {
            let mut reader = csv::ReaderBuilder::new().from_reader(header.as_bytes());
            Columns::new(reader.byte_headers().unwrap())
        };
        let no_time = columns("eventName,sourceIPAddress");
        let why = no_time.event(&["CreateUser", "1.2.3.4"]).unwrap_err();
        assert!(why.contains("did not select eventTime"), "{why}");
        let no_name = columns("eventTime,eventSource");
        let why = no_name
            .event(&["2026-03-01 10:00:00", "iam.amazonaws.com"])
            .unwrap_err();
        assert!(why.contains("did not select eventName"), "{why}");
        // Selected members of userIdentity and a column of the query's own; no
        // errorCode column: no outcome is guessed.
        let some = columns("EventTime,EventName,eventsource,useridentity.arn,username,n");
        let event = some
            .event(&[
                "2026-03-01T10:00:00Z",
                "CreateUser",
                "iam.amazonaws.com",
                "arn:aws:iam::1:user/bob",
                "bob",
                "7",
            ])
            .unwrap();
        assert_eq!(event["action"], "iam.CreateUser");
        assert_eq!(event["actor"]["id"], "arn:aws:iam::1:user/bob");
        assert_eq!(event["actor"]["name"], "bob");
        assert!(event.get("outcome").is_none(), "{event}");
        assert_eq!(event["context"]["columns"]["n"], "7");
        // A userIdentity column written as JSON is read as JSON.
        let json = columns("eventTime,eventName,userIdentity,errorCode");
        let event = json
            .event(&[
                "2026-03-01 10:00:00.5",
                "ConsoleLogin",
                r#"{"type":"Root","arn":"arn:aws:iam::1:root","accountId":"1"}"#,
                "",
            ])
            .unwrap();
        assert_eq!(event["ts"], "2026-03-01T10:00:00.500Z");
        assert_eq!(event["actor"]["name"], "root account");
        assert_eq!(event["outcome"], "success");
    }

    #[test]
    fn a_result_without_rows_or_without_events_is_empty_and_says_why() {
        let mut query = Query::new();
        query.files[0].1 = gz::gzip(format!("{HEADER}\n").as_bytes());
        query.files[1].1 = gz::gzip(b"eventtime,n\n2026-03-01 10:00:00,1\n");
        for (name, bytes) in &query.files {
            std::fs::write(query.path.join(name), bytes).unwrap();
        }
        query.sign_with(&testkit::keys().first);
        let (report, kept) = query.read(true);
        assert_eq!(report.verdict(), Verdict::Empty);
        assert_eq!(kinds(&report), [FindingKind::MalformedRecord]);
        assert_eq!(kept.records.len(), 1);
        let headline = headline(&report).unwrap();
        assert!(
            headline.starts_with("No events: the one row of the CloudTrail Lake query result")
                && headline.contains("select them in the query"),
            "{headline}"
        );
    }

    #[test]
    fn struct_text_reads_lakes_struct_and_map_columns() {
        let value = struct_text(
            "{type=AssumedRole, principalid=AROA:alice, arn=arn:aws:sts::1:assumed-role/Admin/alice, sessioncontext={attributes={creationdate=2026-03-01 09:00:00.000, mfaauthenticated=false}, sessionissuer={type=Role, username=Admin}}, invokedby=null}",
        )
        .unwrap();
        let value = recase(value, &IDENTITY_NAMES);
        assert_eq!(value["principalId"], "AROA:alice");
        assert_eq!(
            value["sessionContext"]["attributes"]["mfaAuthenticated"],
            "false"
        );
        assert_eq!(
            value["sessionContext"]["sessionIssuer"]["userName"],
            "Admin"
        );
        assert_eq!(value["invokedBy"], Value::Null);
        assert_eq!(
            struct_text("{bucketName=logs, key=a, b.txt}").unwrap()["key"],
            "a, b.txt"
        );
        assert_eq!(
            struct_text("[a, b]").unwrap(),
            serde_json::json!(["a", "b"])
        );
        assert_eq!(struct_text("{}").unwrap(), serde_json::json!({}));
        for not in ["{a}", "{=1}", "{a={b=1}", "text", "{a=1}}"] {
            assert_eq!(struct_text(not), None, "{not}");
        }
    }

    #[test]
    fn lake_times_read_as_rfc3339() {
        assert_eq!(
            lake_time("2026-03-01 10:00:00.000").as_deref(),
            Some("2026-03-01T10:00:00.000Z")
        );
        assert_eq!(
            lake_time("2026-03-01 10:00:00 UTC").as_deref(),
            Some("2026-03-01T10:00:00.000Z")
        );
        assert_eq!(
            lake_time("2026-03-01T10:00:00Z").as_deref(),
            Some("2026-03-01T10:00:00Z")
        );
        assert_eq!(lake_time("2026-03-01"), None);
        assert_eq!(lake_time("soon"), None);
    }

    #[test]
    fn it_is_told_by_content_from_its_folder_or_its_sign_file() {
        let query = Query::new();
        let by_dir = sniff(&query.path).unwrap();
        assert_eq!(by_dir.sign_file, query.path.join(SIGN_FILE_NAME));
        let renamed = query.path.join("sign.json");
        std::fs::copy(query.path.join(SIGN_FILE_NAME), &renamed).unwrap();
        let by_file = sniff(&renamed).unwrap();
        assert_eq!(
            (by_file.dir, by_file.sign_file),
            (query.path.clone(), renamed)
        );
        assert!(
            sniff(query.dir.path()).is_none(),
            "the evidence root is no query"
        );
        let other = query.path.join("other.json");
        std::fs::write(&other, r#"{"files": [], "Records": []}"#).unwrap();
        assert!(sniff(&other).is_none());
        assert_eq!(
            bytes_total(&by_dir),
            Some(query.files.iter().map(|f| f.1.len() as u64).sum())
        );
    }

    #[test]
    fn a_listed_name_outside_the_folder_is_not_read() {
        let query = Query::new();
        let sign_path = query.path.join(SIGN_FILE_NAME);
        let mut sign: Value = serde_json::from_slice(&std::fs::read(&sign_path).unwrap()).unwrap();
        sign["files"][1]["fileName"] = "../../../../../../../../../etc/passwd".into();
        std::fs::write(&sign_path, serde_json::to_vec(&sign).unwrap()).unwrap();
        let (report, _) = query.read(true);
        let mut found = kinds(&report);
        found.sort();
        assert_eq!(
            found,
            [
                FindingKind::LogFileMissing,
                FindingKind::LogFileUnreferenced
            ]
        );
        let missing = report
            .findings_of(FindingKind::LogFileMissing)
            .next()
            .unwrap();
        assert_eq!(missing.file.as_deref(), Some(SIGN_FILE_NAME));
    }

    #[test]
    fn openssl_agrees_with_the_signature() {
        let query = Query::new();
        let work = tempfile::tempdir().unwrap();
        let der = testkit::spki_der(&testkit::keys().first);
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
        let sign: Value =
            serde_json::from_slice(&std::fs::read(query.path.join(SIGN_FILE_NAME)).unwrap())
                .unwrap();
        let signature = from_hex(sign["hashSignature"].as_str().unwrap()).unwrap();
        std::fs::write(work.path().join("pub.pem"), pem).unwrap();
        std::fs::write(work.path().join("sig.bin"), signature).unwrap();
        std::fs::write(work.path().join("data.txt"), query.hashes().join(" ")).unwrap();
        std::fs::write(work.path().join("other.txt"), query.hashes().join("\n")).unwrap();
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
        };
        let output = match openssl("data.txt") {
            Ok(output) => output,
            Err(e) => {
                eprintln!("openssl could not be run ({e}): cross-check skipped");
                return;
            }
        };
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            "Verified OK"
        );
        assert!(!openssl("other.txt").unwrap().status.success());
        let (report, _) = query.read(true);
        assert_eq!(report.verdict(), Verdict::Verified);
    }
}
