//! Opening audit bundles in their three containers (spec §1): ZIP archive, directory,
//! or a bare JSON Lines file; reading the manifest and streaming the events files.
//!
//! The evidence is opened read-only and never modified. ZIP entries are checked for
//! names that would escape the archive root and their decompressed size is bounded.
//! This module never touches a database and never judges the content: that is `verify`.

mod lines;
mod manifest;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub use lines::{FileDigest, LineBatch, LineSpan, LineSplitter};
pub use manifest::{Manifest, ManifestChain, ManifestFile, ManifestSignature, Provenance};

use crate::{Error, Result};

/// The container a bundle came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Zip,
    Directory,
    Jsonl,
}

impl Container {
    pub fn as_str(self) -> &'static str {
        match self {
            Container::Zip => "zip",
            Container::Directory => "directory",
            Container::Jsonl => "jsonl",
        }
    }
}

/// Limits that keep hostile bundles from exhausting memory or disk.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest events line accepted; longer ones are reported as malformed and skipped.
    pub max_line_bytes: usize,
    /// Largest decompressed size of one ZIP entry.
    pub max_entry_bytes: u64,
    /// Largest ratio of decompressed to compressed size of one ZIP entry.
    pub max_compression_ratio: u64,
    /// Largest manifest accepted.
    pub max_manifest_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: 16 << 20,
            max_entry_bytes: 64 << 30,
            max_compression_ratio: 1000,
            max_manifest_bytes: 64 << 20,
        }
    }
}

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
                Ok(file) => read_manifest(file, limits.max_manifest_bytes),
                Err(e) if e.kind() == io::ErrorKind::NotFound => ManifestState::Absent,
                Err(e) => return Err(Error::io(manifest_path, e)),
            };
            return Ok(Bundle {
                path: path.to_owned(),
                container: Container::Directory,
                manifest,
                archive: None,
                limits,
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
            };
            bundle.check_zip_entries()?;
            if bundle.zip_has("manifest.json") {
                let reader = bundle.open_entry("manifest.json")?;
                bundle.manifest = read_manifest(reader, limits.max_manifest_bytes);
            }
            return Ok(bundle);
        }
        Ok(Bundle {
            path: path.to_owned(),
            container: Container::Jsonl,
            manifest: ManifestState::Absent,
            archive: None,
            limits,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
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

    /// Opens one events file for streaming. `Ok(None)` if the bundle does not hold it.
    pub fn open_events_file(&mut self, name: &str) -> Result<Option<Box<dyn Read + Send + '_>>> {
        match self.container {
            Container::Jsonl => {
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
        let archive = self.archive.as_mut().expect("zip bundle");
        let entry = archive.by_name(name).map_err(|e| Error::Refused {
            path: path.clone(),
            reason: format!("cannot read entry {name:?} of the archive ({e})"),
        })?;
        let declared = entry.size();
        let compressed = entry.compressed_size().max(1);
        if declared > limits.max_entry_bytes {
            return Err(Error::Refused {
                path,
                reason: format!(
                    "entry {name:?} would decompress to {declared} bytes, over the limit of {}",
                    limits.max_entry_bytes
                ),
            });
        }
        // The declared size can lie; the bounded reader enforces the limit on real bytes.
        let bound = limits.max_entry_bytes.min(
            compressed
                .saturating_mul(limits.max_compression_ratio)
                .max(1 << 20),
        );
        Ok(Box::new(BoundedReader {
            inner: entry,
            remaining: bound,
            name: name.to_owned(),
            bound,
        }))
    }

    fn check_zip_entries(&mut self) -> Result<()> {
        let path = self.path.clone();
        let refuse = |reason: String| Error::Refused {
            path: path.clone(),
            reason,
        };
        let archive = self.archive.as_mut().expect("zip bundle");
        let mut seen = std::collections::HashSet::new();
        for raw in archive.file_names_raw() {
            let name = String::from_utf8_lossy(raw).into_owned();
            if !is_safe_relative_name(name.trim_end_matches('/')) {
                return Err(refuse(format!(
                    "archive entry {name:?} would escape the bundle root"
                )));
            }
            if !seen.insert(name.clone()) {
                return Err(refuse(format!("archive holds two entries named {name:?}")));
            }
        }
        for index in 0..archive.len() {
            let entry = archive
                .by_index_raw(index)
                .map_err(|e| refuse(format!("archive entry {index} cannot be read ({e})")))?;
            if entry.is_symlink() {
                return Err(refuse(format!(
                    "archive entry {:?} is a symbolic link",
                    entry.name()
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

fn read_manifest(reader: impl Read, max_bytes: u64) -> ManifestState {
    let mut text = Vec::new();
    match reader.take(max_bytes + 1).read_to_end(&mut text) {
        Err(e) => ManifestState::Unreadable(format!("manifest.json cannot be read: {e}")),
        Ok(_) if text.len() as u64 > max_bytes => {
            ManifestState::Unreadable(format!("manifest.json is larger than {max_bytes} bytes"))
        }
        Ok(_) => match Manifest::parse(&text) {
            Ok(manifest) => ManifestState::Present(Box::new(manifest)),
            Err(reason) => ManifestState::Unreadable(reason),
        },
    }
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

/// Stops a decompression bomb: errors once more bytes come out than the bound allows.
struct BoundedReader<R> {
    inner: R,
    remaining: u64,
    bound: u64,
    name: String,
}

impl<R: Read> Read for BoundedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.remaining {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "archive entry {:?} decompresses to more than {} bytes (a decompression bomb?); refused",
                    self.name, self.bound
                ),
            ));
        }
        self.remaining -= n as u64;
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
