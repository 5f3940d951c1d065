//! Opening audit bundles in their three containers (spec §1): ZIP archive, directory,
//! or a bare JSON Lines file; reading the manifest and streaming the events files.
//!
//! The evidence is opened read-only and never modified. ZIP entries are checked for
//! names that would escape the archive root, symbolic links and duplicate names, and
//! their decompressed sizes are bounded (each entry, all entries together, and the ratio
//! to the compressed size): first by what the archive declares, then on the real bytes.
//! This module never touches a database and never judges the content: that is `verify`.

mod lines;
mod manifest;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use lines::{FileDigest, LineBatch, LineSpan, LineSplitter};
pub use manifest::{
    FormatVersion, Manifest, ManifestChain, ManifestFile, ManifestSignature, Provenance,
};

use crate::{Error, Result};

/// The container a bundle came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Zip,
    Directory,
    Jsonl,
    /// A CSV file (a mapped source).
    Csv,
    /// A JSON file holding one array of records (a mapped source).
    JsonArray,
}

impl Container {
    pub fn as_str(self) -> &'static str {
        match self {
            Container::Zip => "zip",
            Container::Directory => "directory",
            Container::Jsonl => "jsonl",
            Container::Csv => "csv",
            Container::JsonArray => "json",
        }
    }
}

/// Limits that keep hostile bundles from exhausting memory or disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest events line accepted; longer ones are reported as malformed and skipped.
    pub max_line_bytes: usize,
    /// Largest decompressed size of one ZIP entry.
    pub max_entry_bytes: u64,
    /// Largest decompressed size of all the entries of a ZIP archive together.
    pub max_total_bytes: u64,
    /// Largest ratio of decompressed to compressed size of one ZIP entry (entries that
    /// decompress to at most [`RATIO_FREE_BYTES`] are not held to it).
    pub max_compression_ratio: u64,
    /// Largest manifest accepted.
    pub max_manifest_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: 16 << 20,
            max_entry_bytes: 64 << 30,
            max_total_bytes: 64 << 30,
            max_compression_ratio: 1000,
            max_manifest_bytes: 64 << 20,
        }
    }
}

/// Entries that decompress to no more than this are not held to the compression
/// ratio: a small file of repeated text legitimately compresses very well.
pub const RATIO_FREE_BYTES: u64 = 1 << 20;

/// What became of the bundle's manifest.
#[derive(Debug, Clone)]
pub enum ManifestState {
    /// No manifest: a bare JSON Lines file, or a directory/archive without one.
    Absent,
    /// A manifest that could not be read: the reason.
    Unreadable(String),
    Present(Box<Manifest>),
}

/// An opened bundle, ready to stream its events files.
pub struct Bundle {
    path: PathBuf,
    container: Container,
    manifest: ManifestState,
    archive: Option<zip::ZipArchive<File>>,
    limits: Limits,
    /// Bytes decompressed so far from all the archive's entries.
    unzipped: Arc<AtomicU64>,
}

/// The name of the events file in a bundle whose manifest lists none.
pub const DEFAULT_EVENTS_FILE: &str = "events.jsonl";

impl Bundle {
    /// Opens a bundle, detecting its container. Fails only if it cannot be read at all.
    pub fn open(path: &Path, limits: Limits) -> Result<Bundle> {
        let metadata = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if metadata.is_dir() {
            let manifest_path = path.join("manifest.json");
            let manifest = match File::open(&manifest_path) {
                Ok(file) => read_manifest(file, limits.max_manifest_bytes).unwrap_or_else(|e| {
                    ManifestState::Unreadable(format!("manifest.json cannot be read: {e}"))
                }),
                Err(e) if e.kind() == io::ErrorKind::NotFound => ManifestState::Absent,
                Err(e) => return Err(Error::io(manifest_path, e)),
            };
            if matches!(manifest, ManifestState::Absent) && !path.join(DEFAULT_EVENTS_FILE).exists()
            {
                return Err(unknown_format(
                    path,
                    "a folder holding nothing Trailscope reads",
                ));
            }
            return Ok(Bundle {
                path: path.to_owned(),
                container: Container::Directory,
                manifest,
                archive: None,
                limits,
                unzipped: Arc::default(),
            });
        }
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut magic = [0u8; 4];
        let n = read_up_to(&mut file, &mut magic).map_err(|e| Error::io(path, e))?;
        if n == 4 && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06") {
            let archive = zip::ZipArchive::new(file).map_err(|e| Error::Refused {
                path: path.to_owned(),
                reason: format!("not a readable ZIP archive ({e})"),
            })?;
            let mut bundle = Bundle {
                path: path.to_owned(),
                container: Container::Zip,
                manifest: ManifestState::Absent,
                archive: Some(archive),
                limits,
                unzipped: Arc::default(),
            };
            bundle.check_zip_entries()?;
            if !bundle.zip_has("manifest.json") && !bundle.zip_has(DEFAULT_EVENTS_FILE) {
                return Err(unknown_format(
                    path,
                    "a ZIP archive holding nothing Trailscope reads",
                ));
            }
            if bundle.zip_has("manifest.json") {
                // Inside an archive a read error is a corrupt or hostile entry: refused.
                let reader = bundle.open_entry("manifest.json")?;
                let manifest = read_manifest(reader, limits.max_manifest_bytes);
                bundle.manifest = manifest.map_err(|e| Error::Refused {
                    path: path.to_owned(),
                    reason: format!("manifest.json: {e}"),
                })?;
            }
            return Ok(bundle);
        }
        let mut sample = magic[..n].to_vec();
        file.take(SNIFF_BYTES as u64 - n as u64)
            .read_to_end(&mut sample)
            .map_err(|e| Error::io(path, e))?;
        if let Some(found) = not_events(&sample) {
            return Err(unknown_format(path, found));
        }
        Ok(Bundle {
            path: path.to_owned(),
            container: Container::Jsonl,
            manifest: ManifestState::Absent,
            archive: None,
            limits,
            unzipped: Arc::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The bytes of events files to read, for progress (unknown for a ZIP without a manifest).
    pub fn events_size(&self) -> Option<u64> {
        match self.container {
            Container::Directory => self
                .event_file_names()
                .iter()
                .map(|name| {
                    std::fs::metadata(self.path.join(name))
                        .ok()
                        .map(|m| m.len())
                })
                .sum(),
            Container::Zip => self
                .manifest()
                .map(|m| m.files.iter().map(|f| f.bytes).sum()),
            _ => std::fs::metadata(&self.path).ok().map(|m| m.len()),
        }
    }

    pub fn container(&self) -> Container {
        self.container
    }

    pub fn manifest_state(&self) -> &ManifestState {
        &self.manifest
    }

    pub fn manifest(&self) -> Option<&Manifest> {
        match &self.manifest {
            ManifestState::Present(m) => Some(m),
            _ => None,
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The events files to read, in order: those the manifest lists, else `events.jsonl`.
    pub fn event_file_names(&self) -> Vec<String> {
        match self.container {
            Container::Jsonl => vec![self.path.file_name().map_or_else(
                || DEFAULT_EVENTS_FILE.to_owned(),
                |n| n.to_string_lossy().into_owned(),
            )],
            _ => match self.manifest() {
                Some(m) if !m.files.is_empty() => m.files.iter().map(|f| f.path.clone()).collect(),
                _ => vec![DEFAULT_EVENTS_FILE.to_owned()],
            },
        }
    }

    /// Whether `name` (as a manifest lists it) names a file inside the bundle: relative,
    /// with no `..`, backslash or drive letter.
    pub fn is_inside(&self, name: &str) -> bool {
        self.container == Container::Jsonl || is_safe_relative_name(name)
    }

    /// Opens one events file for streaming. `Ok(None)` if the bundle does not hold it.
    pub fn open_events_file(&mut self, name: &str) -> Result<Option<Box<dyn Read + Send + '_>>> {
        match self.container {
            Container::Jsonl | Container::Csv | Container::JsonArray => {
                let file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
                Ok(Some(Box::new(file)))
            }
            Container::Directory => {
                if !is_safe_relative_name(name) {
                    return Err(Error::Refused {
                        path: self.path.clone(),
                        reason: format!(
                            "the manifest names the file {name:?}, which lies outside the bundle"
                        ),
                    });
                }
                let path = self.path.join(name);
                match File::open(&path) {
                    Ok(file) => Ok(Some(Box::new(file))),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(Error::io(path, e)),
                }
            }
            Container::Zip => {
                if !self.zip_has(name) {
                    return Ok(None);
                }
                self.open_entry(name).map(Some)
            }
        }
    }

    fn zip_has(&self, name: &str) -> bool {
        self.archive
            .as_ref()
            .is_some_and(|a| a.index_for_name(name).is_some())
    }

    fn open_entry(&mut self, name: &str) -> Result<Box<dyn Read + Send + '_>> {
        let limits = self.limits;
        let path = self.path.clone();
        let unzipped = Arc::clone(&self.unzipped);
        let archive = self.archive.as_mut().expect("zip bundle");
        let entry = archive.by_name(name).map_err(|e| Error::Refused {
            path: path.clone(),
            reason: format!("cannot read entry {name:?} of the archive ({e})"),
        })?;
        // The declared sizes were checked on opening, but they can lie: the bounded
        // reader enforces the limits on the bytes that really come out.
        let by_ratio = entry
            .compressed_size()
            .max(1)
            .saturating_mul(limits.max_compression_ratio)
            .max(RATIO_FREE_BYTES);
        let (bound, why) = if by_ratio < limits.max_entry_bytes {
            (
                by_ratio,
                format!(
                    "{} times its compressed size of {} bytes",
                    limits.max_compression_ratio,
                    entry.compressed_size()
                ),
            )
        } else {
            (limits.max_entry_bytes, "the limit for one entry".to_owned())
        };
        Ok(Box::new(BoundedReader {
            inner: entry,
            name: name.to_owned(),
            read: 0,
            bound,
            why,
            unzipped,
            max_total: limits.max_total_bytes,
        }))
    }

    /// Refuses an archive with an entry that escapes the root, is a symbolic link,
    /// repeats a name, or declares sizes over the limits (a decompression bomb).
    fn check_zip_entries(&mut self) -> Result<()> {
        let path = self.path.clone();
        let limits = self.limits;
        let refuse = |reason: String| Error::Refused {
            path: path.clone(),
            reason,
        };
        let archive = self.archive.as_mut().expect("zip bundle");
        if archive.has_duplicate_names() {
            // The `zip` crate keeps one entry per name; the central directory says which.
            let twin = File::open(&path)
                .and_then(|file| {
                    crate::source::folder::repeated_names(file, archive.central_directory_start())
                })
                .unwrap_or_default()
                .into_iter()
                .next();
            return Err(refuse(match twin {
                Some(name) => format!(
                    "archive holds two entries named {:?}",
                    String::from_utf8_lossy(&name)
                ),
                None => "archive holds two entries of one name".to_owned(),
            }));
        }
        for raw in archive.file_names_raw() {
            let name = String::from_utf8_lossy(raw);
            if !is_safe_relative_name(name.trim_end_matches('/')) {
                return Err(refuse(format!(
                    "archive entry {name:?} would escape the bundle root"
                )));
            }
        }
        let mut declared_total: u64 = 0;
        for index in 0..archive.len() {
            let entry = archive
                .by_index_raw(index)
                .map_err(|e| refuse(format!("archive entry {index} cannot be read ({e})")))?;
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            if entry.is_symlink() {
                return Err(refuse(format!("archive entry {name:?} is a symbolic link")));
            }
            let (size, compressed) = (entry.size(), entry.compressed_size());
            if size > limits.max_entry_bytes {
                return Err(refuse(format!(
                    "archive entry {name:?} declares {size} bytes uncompressed, over the limit of {} bytes for one entry",
                    limits.max_entry_bytes
                )));
            }
            if size > RATIO_FREE_BYTES
                && size > compressed.saturating_mul(limits.max_compression_ratio)
            {
                return Err(refuse(format!(
                    "archive entry {name:?} declares {size} bytes uncompressed from {compressed} compressed, over the limit of {} times (a decompression bomb?)",
                    limits.max_compression_ratio
                )));
            }
            declared_total = declared_total.saturating_add(size);
            if declared_total > limits.max_total_bytes {
                return Err(refuse(format!(
                    "archive entries up to {name:?} declare {declared_total} bytes uncompressed, over the limit of {} bytes for the whole archive",
                    limits.max_total_bytes
                )));
            }
        }
        Ok(())
    }
}

/// A name inside a bundle: relative, no `..`, no backslashes, no drive letters.
fn is_safe_relative_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains(':')
        && !name.contains('\0')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != ".." && part != ".")
}

/// Reads and parses a manifest. `Err` only when its bytes cannot be read; a manifest
/// that is too large or not valid is `Unreadable`, for a finding.
fn read_manifest(reader: impl Read, max_bytes: u64) -> io::Result<ManifestState> {
    let mut text = Vec::new();
    reader.take(max_bytes + 1).read_to_end(&mut text)?;
    if text.len() as u64 > max_bytes {
        return Ok(ManifestState::Unreadable(format!(
            "manifest.json is larger than {max_bytes} bytes"
        )));
    }
    Ok(match Manifest::parse(&text) {
        Ok(manifest) => ManifestState::Present(Box::new(manifest)),
        Err(reason) => ManifestState::Unreadable(reason),
    })
}

/// How much of a bare file is read to tell whether it holds audit events.
const SNIFF_BYTES: usize = 64 << 10;

/// An `UnknownFormat` error for `path`, found to be `found`.
fn unknown_format(path: &Path, found: &str) -> Error {
    let mappable = [NOT_EVENT_LINES, JSON_DOCUMENT, DELIMITED].contains(&found);
    let hint = if mappable {
        ". A CSV or JSON export of another system opens with a mapping that names its columns (--mapping FILE)"
    } else {
        ""
    };
    Error::UnknownFormat {
        path: path.to_owned(),
        found: found.to_owned(),
        hint: hint.to_owned(),
    }
}

const NOT_EVENT_LINES: &str =
    "JSON Lines whose records are not audit-bundle events (no chain, seq and hash)";
const JSON_DOCUMENT: &str = "a JSON document (not JSON Lines of audit events)";
const DELIMITED: &str = "a CSV or other delimited text file";

/// Looks at the first bytes of a bare file: `None` if they could be an events file
/// (some line is a JSON object with `chain`, `seq` and `hash`; or the file is empty,
/// which is reported as holding no events; or its first line is too long to judge and
/// opens like an object), else what the file looks like instead. A bad line among
/// events is a finding of verification, not a reason to refuse the file.
fn not_events(sample: &[u8]) -> Option<&'static str> {
    let complete = sample.len() < SNIFF_BYTES;
    let mut lines: Vec<&[u8]> = sample.split(|&b| b == b'\n').collect();
    if !complete {
        // The last piece was cut by the sample's end.
        lines.pop();
    }
    let lines: Vec<&[u8]> = lines
        .into_iter()
        .map(|line| line.trim_ascii())
        .filter(|line| !line.is_empty())
        .collect();
    let Some(first) = lines.first() else {
        let opening = sample.trim_ascii_start().first();
        return match opening {
            None | Some(b'{') => None,
            Some(b'[') => Some(JSON_DOCUMENT),
            Some(_) => Some("text that is not JSON"),
        };
    };
    // Each line parsed once: an events line ends the look; other objects are counted.
    let mut objects = 0;
    for line in &lines {
        let Ok(object) = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(line)
        else {
            continue;
        };
        if ["chain", "seq", "hash"]
            .iter()
            .all(|k| object.contains_key(*k))
        {
            return None;
        }
        objects += 1;
    }
    Some(if objects > 0 {
        NOT_EVENT_LINES
    } else if first.starts_with(b"[") || first.starts_with(b"{") {
        JSON_DOCUMENT
    } else if std::str::from_utf8(first).is_err() {
        "a binary file"
    } else if [b',', b'\t', b';'].iter().any(|sep| first.contains(sep)) {
        DELIMITED
    } else {
        "text that is not JSON"
    })
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Stops a decompression bomb: errors once more bytes come out of an entry than its
/// bound allows, or out of all the archive's entries than the total limit allows.
struct BoundedReader<R> {
    inner: R,
    name: String,
    /// Bytes read so far from this entry.
    read: u64,
    bound: u64,
    /// Why `bound` is what it is, for the message.
    why: String,
    unzipped: Arc<AtomicU64>,
    max_total: u64,
}

impl<R: Read> Read for BoundedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.bound {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "archive entry {:?} decompresses to more than {} bytes, {} (a decompression bomb?)",
                    self.name, self.bound, self.why
                ),
            ));
        }
        let total = self.unzipped.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if total > self.max_total {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the archive's entries decompress to more than {} bytes in all, the limit for the whole archive (at entry {:?})",
                    self.max_total, self.name
                ),
            ));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::is_safe_relative_name;

    #[test]
    fn names_that_escape_the_bundle_are_unsafe() {
        for bad in [
            "../x",
            "/etc/passwd",
            "a/../../b",
            "c:\\x",
            "a\\b",
            "",
            "./a",
        ] {
            assert!(!is_safe_relative_name(bad), "{bad}");
        }
        assert!(is_safe_relative_name("events.jsonl"));
        assert!(is_safe_relative_name("part/events-2.jsonl"));
    }
}
