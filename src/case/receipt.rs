//! Custody receipts: for every source received into a case, what was received (each
//! file's name, size and SHA-256), when, by whom (the reviewer's name and key), with
//! which Trailscope, the verdict at that moment, and a seal of the rows it added —
//! signed by the reviewer's key.
//!
//! For a source with integrity of its own the receipt adds the moment of receipt; for
//! one without (Microsoft 365, Okta, a mapped CSV, …) it is what makes later tampering
//! detectable: the rows must still hash to the sealed digest, and the files, if still
//! where they were, to the digests received.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde_json::{Value, json};

use super::Case;
use super::journal::JournalEntry;
use super::table;
use crate::canonical::{Digest32, canonical_of_value, to_hex};
use crate::reviewer::{Reviewer, fingerprint_of_public_key};
use crate::verify::Report;
use crate::{Error, Result};

/// What a receipt's `type` says.
const RECEIPT_TYPE: &str = "trailscope-custody-receipt";

/// Version 2 adds `rows.merkle_root`, so one record can be shown to be among those
/// sealed (an evidence excerpt) without the others. Version 1 receipts are still read.
const RECEIPT_VERSION: u32 = 2;

/// The seal of the rows one source added to the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowSeal {
    pub count: i64,
    /// SHA-256 over every row's [`row_bytes`], in row order.
    pub sha256: Digest32,
    /// The RFC 6962 tree hash whose leaves are the rows' [`row_bytes`], in row order
    /// (receipt version 2).
    pub merkle_root: Digest32,
}

/// The bytes a receipt seals for one row: its file, line, record as received and
/// normalized event, each length-prefixed (8 bytes, big-endian), the normalized event
/// after a byte saying whether there is one.
pub fn row_bytes(file: &str, line: i64, raw: &[u8], normal: Option<&[u8]>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(file.len() + raw.len() + normal.map_or(0, <[u8]>::len) + 41);
    write_row_bytes(&mut bytes, file, line, raw, normal);
    bytes
}

/// Appends [`row_bytes`] to `bytes`.
fn write_row_bytes(bytes: &mut Vec<u8>, file: &str, line: i64, raw: &[u8], normal: Option<&[u8]>) {
    let part = |bytes: &mut Vec<u8>, part: &[u8]| {
        bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
        bytes.extend_from_slice(part);
    };
    part(bytes, file.as_bytes());
    part(bytes, &line.to_be_bytes());
    part(bytes, raw);
    match normal {
        Some(normal) => {
            bytes.push(1);
            part(bytes, normal);
        }
        None => bytes.push(0),
    }
}

/// Seals rows one by one, in row order: an import seals its rows as it stores them,
/// and a check reads them back through the same code (`seal_rows`).
pub(crate) struct RowSealer {
    hasher: sha2::Sha256,
    tree: crate::merkle::TreeBuilder,
    count: i64,
    bytes: Vec<u8>,
}

impl RowSealer {
    pub(crate) fn new() -> RowSealer {
        use sha2::Digest;
        RowSealer {
            hasher: sha2::Sha256::new(),
            tree: crate::merkle::TreeBuilder::new(),
            count: 0,
            bytes: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, file: &str, line: i64, raw: &[u8], normal: Option<&[u8]>) {
        let mut bytes = std::mem::take(&mut self.bytes);
        bytes.clear();
        write_row_bytes(&mut bytes, file, line, raw, normal);
        self.push_row_bytes(&bytes);
        self.bytes = bytes;
    }

    fn push_row_bytes(&mut self, bytes: &[u8]) {
        use sha2::Digest;
        self.hasher.update(bytes);
        self.tree.push(bytes);
        self.count += 1;
    }

    pub(crate) fn finish(self) -> RowSeal {
        use sha2::Digest;
        RowSeal {
            count: self.count,
            sha256: self.hasher.finalize().into(),
            merkle_root: self.tree.root(),
        }
    }
}

/// Rows an import hands to its sealing thread ([`spawn_custody`]), a chunk at a time:
/// hashing every row twice (the rows' SHA-256 and their Merkle leaves) is a second of
/// CPU at 1,000,000 events that the inserting thread no longer spends.
pub(crate) struct SealFeed {
    chunk: Vec<u8>,
    ends: Vec<usize>,
    sender: std::sync::mpsc::SyncSender<(Vec<u8>, Vec<usize>)>,
}

/// Rows are handed over in chunks of about this many bytes.
const SEAL_CHUNK_BYTES: usize = 1 << 20;

impl SealFeed {
    pub(crate) fn push(&mut self, file: &str, line: i64, raw: &[u8], normal: Option<&[u8]>) {
        write_row_bytes(&mut self.chunk, file, line, raw, normal);
        self.ends.push(self.chunk.len());
        if self.chunk.len() >= SEAL_CHUNK_BYTES {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(SEAL_CHUNK_BYTES * 2));
        let ends = std::mem::take(&mut self.ends);
        // The sealer only stops when this feed is dropped; a send error means it
        // panicked, which its join reports.
        let _ = self.sender.send((chunk, ends));
    }
}

impl Drop for SealFeed {
    fn drop(&mut self) {
        if !self.ends.is_empty() {
            self.flush();
        }
    }
}

/// Starts what a receipt seals of one import, beside it: a thread that seals the rows
/// fed to it, in the order fed, and one that hashes the files received at `path`. The
/// result, once the feed is dropped, is both.
pub(crate) fn spawn_custody<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    path: &'env Path,
    hashed_as_read: Vec<String>,
) -> (
    SealFeed,
    std::thread::ScopedJoinHandle<'scope, Result<Received>>,
) {
    let (sender, chunks) = std::sync::mpsc::sync_channel::<(Vec<u8>, Vec<usize>)>(4);
    let custody = scope.spawn(move || {
        let files = scope.spawn(move || received_files_except(path, &hashed_as_read));
        let mut sealer = RowSealer::new();
        for (chunk, ends) in chunks {
            let mut start = 0;
            for end in ends {
                sealer.push_row_bytes(&chunk[start..end]);
                start = end;
            }
        }
        let rows = sealer.finish();
        let (files, skipped, read_by_import) =
            files.join().expect("hashing files does not panic")?;
        Ok(Received {
            files,
            skipped,
            read_by_import,
            rows,
        })
    });
    let feed = SealFeed {
        chunk: Vec::with_capacity(SEAL_CHUNK_BYTES * 2),
        ends: Vec::new(),
        sender,
    };
    (feed, custody)
}

/// Seals the rows source `bundle_idx` added, in one pass over them.
pub(crate) fn seal_rows(connection: &Connection, bundle_idx: i64) -> Result<RowSeal> {
    let mut sealer = RowSealer::new();
    table::event::for_each_row_of_source(connection, bundle_idx, |_, file, line, raw, normal| {
        sealer.push(file, line, raw, normal);
        Ok(())
    })?;
    Ok(sealer.finish())
}

/// One file received: its path (relative to the folder received, or its name), size
/// and SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The files at `path` as received: the file itself, or every regular file under the
/// folder (sorted by path; links are not followed, and are listed as skipped).
pub fn received_files(path: &Path) -> Result<(Vec<ReceivedFile>, Vec<String>)> {
    let (files, skipped, _) = received_files_except(path, &[])?;
    Ok((files, skipped))
}

/// Files an import's reader hashes as it reads them: (name as listed, path).
type ReadByImport = Vec<(String, PathBuf)>;

/// [`received_files`], leaving out the files named in `hashed_as_read` (the import's
/// reader hashes them): they come back apart, (name, path), for [`Received::complete`].
fn received_files_except(
    path: &Path,
    hashed_as_read: &[String],
) -> Result<(Vec<ReceivedFile>, Vec<String>, ReadByImport)> {
    let metadata = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut read_elsewhere = Vec::new();
    let mut hash_or_defer = |item_path: PathBuf, name: String| -> Result<()> {
        if hashed_as_read.contains(&name) {
            read_elsewhere.push((name, item_path));
        } else {
            files.push(hash_file(&item_path, name)?);
        }
        Ok(())
    };
    if metadata.is_dir() {
        let mut pending = vec![path.to_owned()];
        while let Some(dir) = pending.pop() {
            for item in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
                let item = item.map_err(|e| Error::io(&dir, e))?;
                let item_path = item.path();
                let relative = item_path
                    .strip_prefix(path)
                    .unwrap_or(&item_path)
                    .to_string_lossy()
                    .replace('\\', "/");
                let kind = item.file_type().map_err(|e| Error::io(&item_path, e))?;
                if kind.is_dir() {
                    pending.push(item_path);
                } else if kind.is_file() {
                    hash_or_defer(item_path, relative)?;
                } else {
                    skipped.push(relative);
                }
            }
        }
        skipped.sort();
    } else {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        hash_or_defer(path.to_owned(), name)?;
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((files, skipped, read_elsewhere))
}

/// One file's size and SHA-256, read in 1 MiB blocks (memory stays flat whatever its
/// size); `name` is how it is listed.
pub fn hash_file(path: &Path, name: String) -> Result<ReceivedFile> {
    use sha2::{Digest, Sha256};
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = std::io::Read::read(&mut file, &mut buffer).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok(ReceivedFile {
        path: name,
        bytes,
        sha256: to_hex(&hasher.finalize()),
    })
}

/// What a receipt seals of one import: the files as received (hashed while the import
/// reads them) and the rows it stored (sealed as it stored them).
pub(crate) struct Received {
    pub(crate) files: Vec<ReceivedFile>,
    pub(crate) skipped: Vec<String>,
    /// Files the import's reader hashed as it read them (name, path): not in `files`
    /// until [`Received::complete`].
    read_by_import: ReadByImport,
    pub(crate) rows: RowSeal,
}

impl Received {
    /// Adds the files the import read, with the size and SHA-256 its reader took of
    /// every byte (`report_files`: the report's (name, sha256, bytes)). A file the
    /// reader did not finish is hashed here.
    pub(crate) fn complete(mut self, report_files: &[(String, String, u64)]) -> Result<Received> {
        for (name, path) in std::mem::take(&mut self.read_by_import) {
            let file = match report_files.iter().find(|(read, _, _)| *read == name) {
                Some((_, sha256, bytes)) => ReceivedFile {
                    path: name,
                    bytes: *bytes,
                    sha256: sha256.clone(),
                },
                None => hash_file(&path, name)?,
            };
            self.files.push(file);
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(self)
    }
}

/// Writes the signed receipt of a source just imported (inside the import's
/// transaction) and returns it.
pub(crate) fn seal(
    connection: &Connection,
    reviewer: &Reviewer,
    bundle_idx: i64,
    path: &Path,
    report: &Report,
    received_at: &str,
    received: Received,
) -> Result<Value> {
    let Received {
        files,
        skipped,
        read_by_import,
        rows,
    } = received;
    debug_assert!(read_by_import.is_empty(), "Received::complete comes first");
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut receipt = json!({
        "type": RECEIPT_TYPE,
        "version": RECEIPT_VERSION,
        "case_id": table::journal::case_id(connection)?,
        "source_index": bundle_idx,
        "received": {
            "path": absolute.display().to_string(),
            "kind": report.bundle.source.as_str(),
            "container": report.bundle.container.as_str(),
            "bytes": files.iter().map(|f| f.bytes).sum::<u64>(),
            "files": files.iter().map(|f| json!({"path": f.path, "bytes": f.bytes, "sha256": f.sha256})).collect::<Vec<_>>(),
            "not_read": skipped,
        },
        "received_at": received_at,
        "received_by": {
            "name": reviewer.name(),
            "key_id": reviewer.key_id(),
            "public_key": reviewer.public_key_base64(),
            "fingerprint": reviewer.fingerprint(),
        },
        "trailscope_version": env!("CARGO_PKG_VERSION"),
        "verdict": report.verdict().as_str(),
        "headline": report.headline(),
        "rows": {
            "count": rows.count,
            "sha256": to_hex(&rows.sha256),
            "merkle_root": to_hex(&rows.merkle_root),
        },
    });
    let message = canonical_of_value(&receipt, Some("signature"));
    receipt["signature"] = reviewer.signature_of(&message);
    table::journal::insert_receipt(
        connection,
        bundle_idx,
        &serde_json::to_vec(&receipt).expect("a Value serializes"),
    )?;
    Ok(receipt)
}

/// The journal's line for a source received.
pub(crate) fn journal_entry(receipt: &Value, events_added: u64) -> JournalEntry {
    let received = &receipt["received"];
    let files = received["files"].as_array().cloned().unwrap_or_default();
    JournalEntry::new("source.imported", "import")
        .target(
            "Source",
            &receipt["source_index"].to_string(),
            received["path"].as_str(),
        )
        .context(json!({
            "path": received["path"],
            "kind": received["kind"],
            "bytes": received["bytes"],
            "files": files.len(),
            // One file: its own SHA-256; several: each is in the receipt.
            "sha256": (files.len() == 1).then(|| files[0]["sha256"].clone()),
            "verdict": receipt["verdict"],
            "events_added": events_added,
            "receipt_sha256": to_hex(&crate::canonical::sha256(&canonical_of_value(receipt, None))),
        }))
}

/// Whether the files received are still as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilesNow {
    /// Every file is at its place with the same size and SHA-256.
    Unchanged,
    /// These files differ (or are gone, or are new) at the place they were received from.
    Changed(Vec<String>),
    /// The place they were received from is gone or unreadable: not checked.
    NotThere(String),
}

/// What checking one receipt established.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptCheck {
    pub source_index: i64,
    pub path: String,
    pub kind: String,
    pub files: Vec<ReceivedFile>,
    /// RFC 3339 UTC.
    pub received_at: String,
    pub received_by: String,
    pub fingerprint: String,
    /// The key that signed it is the checking reviewer's own.
    pub signed_by_you: bool,
    /// The signature verifies under the key it names.
    pub signature_valid: bool,
    pub verdict_at_receipt: String,
    /// The case's rows of this source still hash to the sealed digest.
    pub rows_unchanged: bool,
    pub n_rows: i64,
    pub files_now: FilesNow,
}

impl ReceiptCheck {
    /// The receipt holds: signed, and the rows are as sealed.
    pub fn holds(&self) -> bool {
        self.signature_valid && self.rows_unchanged
    }

    /// What it proves, in words.
    pub fn sentence(&self) -> String {
        if !self.signature_valid {
            return "The receipt's signature does not verify: the receipt was changed after it was signed.".to_owned();
        }
        let who = if self.signed_by_you {
            "you".to_owned()
        } else {
            format!("{} (key {})", self.received_by, self.fingerprint)
        };
        let rows = if self.rows_unchanged {
            "unchanged since"
        } else {
            "but the case's copy has CHANGED since"
        };
        let files = match &self.files_now {
            FilesNow::Unchanged => {
                " The files received are still the same where they were received from.".to_owned()
            }
            FilesNow::Changed(files) => format!(
                " The files received have changed where they were received from: {}.",
                files.join(", ")
            ),
            FilesNow::NotThere(path) => {
                format!(" The files are no longer at {path}, so they were not compared.")
            }
        };
        format!(
            "Received and sealed by {who} on {} — {rows}.{files}",
            self.received_at
        )
    }
}

/// The public key (base64) that signed `receipt`, when its signature verifies under the
/// key it names and that key is the one it says received the source.
pub fn receipt_signer(receipt: &Value) -> Option<String> {
    let (_, key) = crate::reviewer::signed_by(receipt)?;
    (receipt
        .pointer("/received_by/public_key")
        .and_then(Value::as_str)
        == Some(key.as_str()))
    .then_some(key)
}

/// The receipt's seal of the rows as an excerpt proves against it: how many rows and
/// the Merkle root over them (receipt version 2; `None` before).
pub fn sealed_tree(receipt: &Value) -> Option<(u64, Digest32)> {
    Some((
        receipt.pointer("/rows/count")?.as_u64()?,
        crate::canonical::parse_hash_hex(receipt.pointer("/rows/merkle_root")?.as_str()?)?,
    ))
}

/// Checks every receipt of the case: its signature, the rows it sealed, and the files
/// where they were received from (if still there).
pub fn check_receipts(case: &Case, own: Option<&Reviewer>) -> Result<Vec<ReceiptCheck>> {
    let connection = case.connection();
    let mut checks = Vec::new();
    for (bundle_idx, body) in table::journal::receipts(connection)? {
        let receipt: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let text = |pointer: &str| {
            receipt
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let files: Vec<ReceivedFile> = receipt
            .pointer("/received/files")
            .and_then(Value::as_array)
            .map(|files| {
                files
                    .iter()
                    .map(|f| ReceivedFile {
                        path: f["path"].as_str().unwrap_or_default().to_owned(),
                        bytes: f["bytes"].as_u64().unwrap_or_default(),
                        sha256: f["sha256"].as_str().unwrap_or_default().to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let public_key = text("/signature/public_key");
        let signature_valid = receipt_signer(&receipt).is_some()
            && receipt.get("source_index").and_then(Value::as_i64) == Some(bundle_idx);
        let rows = seal_rows(connection, bundle_idx)?;
        let n_rows = rows.count;
        // A version 1 receipt has no Merkle root; every one it has must hold.
        let root = receipt.pointer("/rows/merkle_root");
        let rows_unchanged = receipt.pointer("/rows/count").and_then(Value::as_i64) == Some(n_rows)
            && text("/rows/sha256") == to_hex(&rows.sha256)
            && root.is_none_or(|root| root.as_str() == Some(&to_hex(&rows.merkle_root)));
        let path = text("/received/path");
        let files_now = match received_files(Path::new(&path)) {
            Err(_) => FilesNow::NotThere(path.clone()),
            Ok((now, _)) => {
                let mut changed: Vec<String> = files
                    .iter()
                    .filter(|f| !now.contains(f))
                    .map(|f| f.path.clone())
                    .collect();
                changed.extend(
                    now.iter()
                        .filter(|n| !files.iter().any(|f| f.path == n.path))
                        .map(|n| format!("{} (new)", n.path)),
                );
                if changed.is_empty() {
                    FilesNow::Unchanged
                } else {
                    FilesNow::Changed(changed)
                }
            }
        };
        checks.push(ReceiptCheck {
            source_index: bundle_idx,
            path,
            kind: text("/received/kind"),
            files,
            received_at: text("/received_at"),
            received_by: text("/received_by/name"),
            fingerprint: fingerprint_of_public_key(&public_key).unwrap_or_default(),
            signed_by_you: own.is_some_and(|r| r.public_key_base64() == public_key),
            signature_valid,
            verdict_at_receipt: text("/verdict"),
            rows_unchanged,
            n_rows,
            files_now,
        });
    }
    Ok(checks)
}
