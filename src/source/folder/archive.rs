//! A folder that arrives as a ZIP archive, read in place (never extracted, never
//! written to).
//!
//! The folder's root is the archive's top, or a prefix a source finds among the names
//! (CloudTrail's trail under one top folder, as zipping a folder makes it): that prefix
//! is stripped, so paths are the same as in the directory. The central directory is
//! parsed once (by the `zip` crate); every `open` reads its entry's bytes with
//! positional reads on the one open file, so several threads read entries at once
//! without re-parsing anything or sharing a cursor.
//!
//! Hostile archives: entries whose names could leave the folder (`..`, absolute paths,
//! backslashes), are not UTF-8, are symbolic links, encrypted, compressed in a way we do
//! not read, repeated, or declare sizes over the limits (`bundle::Limits`: one entry,
//! and the ratio to the compressed size) are skipped and said why, like a link in a
//! directory; archives declaring more than the total limit, or that cannot be read as a
//! ZIP at all, are refused. An entry's real bytes are held to what it declares: one
//! that inflates past its declared size, ends before it, or fails its CRC-32 is a read
//! error, so a lying header cannot get past the readers' own bounds.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::Crc;
use flate2::read::DeflateDecoder;
use zip::{CompressionMethod, ZipArchive};

use super::{Folder, Listing, Skipped, is_safe_relative};
use crate::bundle::{Container, Limits, RATIO_FREE_BYTES};
use crate::{Error, Result};

/// The most central directory names read when looking for repeated names.
const MAX_ENTRIES: usize = 1 << 22;

/// A ZIP archive of a folder.
pub struct ZipFolder {
    path: PathBuf,
    /// The parsed central directory over the open file; cloned (cheaply: the directory
    /// is shared) for each entry opened.
    archive: ZipArchive<At>,
    /// Each listed file (relative to the folder's root): its entry's index and declared
    /// uncompressed size.
    entries: HashMap<String, (usize, u64)>,
    listing: Listing,
}

impl ZipFolder {
    /// Opens the archive at `path`, its top the folder's root, and lists it. `Err` when
    /// it is not a ZIP archive that can be read, or declares more than `limits` allow
    /// in all.
    pub fn open(path: &Path, limits: Limits) -> Result<ZipFolder> {
        ZipFolder::open_at(path, limits, |_| Ok(String::new()))
    }

    /// Opens the archive at `path` with the folder's root where `root` finds it among
    /// the entries' names: `""` (the top) or a prefix ending in `/`, or why the archive
    /// holds no such folder (then it is refused). Entries outside the root are skipped.
    pub fn open_at(
        path: &Path,
        limits: Limits,
        root: impl FnOnce(&mut dyn Iterator<Item = &[u8]>) -> std::result::Result<String, String>,
    ) -> Result<ZipFolder> {
        let refuse = |reason: String| Error::Refused {
            path: path.to_owned(),
            reason,
        };
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        let archive = ZipArchive::new(At::new(Arc::new(file), len))
            .map_err(|e| refuse(format!("not a readable ZIP archive ({e})")))?;
        let prefix = root(&mut archive.file_names_raw()).map_err(refuse)?;
        let repeated = if archive.has_duplicate_names() {
            let at = archive.clone().into_inner();
            repeated_names(At::new(at.file, at.len), archive.central_directory_start())
                .map_err(|e| refuse(format!("the archive's names cannot be read ({e})")))?
                .into_iter()
                .collect()
        } else {
            HashSet::new()
        };

        let mut listing = Listing::default();
        let mut entries = HashMap::new();
        let mut declared_total: u64 = 0;
        for index in 0..archive.len() {
            let entry = archive
                .by_index_data(index)
                .map_err(|e| refuse(format!("archive entry {index} cannot be read ({e})")))?;
            let raw = entry.name_raw();
            if raw.ends_with(b"/") && !entry.is_symlink() {
                // A folder: the files under it are listed by their own entries.
                continue;
            }
            let Ok(name) = std::str::from_utf8(raw) else {
                listing.skipped.push(Skipped::new(
                    &String::from_utf8_lossy(raw),
                    "its name is not UTF-8",
                ));
                continue;
            };
            if !is_safe_relative(name) {
                listing.skipped.push(Skipped::new(
                    name,
                    "its name could lead outside the folder (an absolute path, `..`, `.` or a backslash); not read",
                ));
                continue;
            }
            let Some(relative) = name.strip_prefix(prefix.as_str()) else {
                listing.skipped.push(Skipped::new(
                    name,
                    &format!("outside {prefix}, the folder read from this archive; not read"),
                ));
                continue;
            };
            let (size, compressed) = (entry.size(), entry.compressed_size());
            let problem = if repeated.contains(raw) {
                Some("the archive holds more than one entry of this name; none is read".to_owned())
            } else if entry.is_symlink() {
                Some("a symbolic link; not followed".to_owned())
            } else if entry.encrypted() {
                Some("encrypted; not read".to_owned())
            } else if !matches!(
                entry.compression(),
                CompressionMethod::Stored | CompressionMethod::Deflated
            ) {
                Some(format!(
                    "compressed with {}, which Trailscope does not read (only stored or deflated entries)",
                    entry.compression()
                ))
            } else if size > limits.max_entry_bytes {
                Some(format!(
                    "declares {size} bytes uncompressed, over the limit of {} bytes for one entry; not read",
                    limits.max_entry_bytes
                ))
            } else if size > RATIO_FREE_BYTES
                && size > compressed.saturating_mul(limits.max_compression_ratio)
            {
                Some(format!(
                    "declares {size} bytes uncompressed from {compressed} compressed, over the limit of {} times (a decompression bomb?); not read",
                    limits.max_compression_ratio
                ))
            } else {
                None
            };
            if let Some(reason) = problem {
                listing.skipped.push(Skipped::new(name, &reason));
                continue;
            }
            declared_total = declared_total.saturating_add(size);
            if declared_total > limits.max_total_bytes {
                return Err(refuse(format!(
                    "archive entries up to {name:?} declare {declared_total} bytes uncompressed, over the limit of {} bytes for the whole archive",
                    limits.max_total_bytes
                )));
            }
            listing.files.push(relative.to_owned());
            entries.insert(relative.to_owned(), (index, size));
        }
        listing.files.sort();
        Ok(ZipFolder {
            path: path.to_owned(),
            archive,
            entries,
            listing,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Folder for ZipFolder {
    fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn list(&self) -> Result<Listing> {
        Ok(self.listing.clone())
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn Read + Send + '_>> {
        let Some(&(index, _)) = self.entries.get(path) else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{path} is not a file of the archive"),
            ));
        };
        // The clone shares the parsed directory; its reader has a position of its own.
        let mut archive = self.archive.clone();
        let entry = archive.by_index_raw(index).map_err(io::Error::other)?;
        let (Some(start), method, compressed, size, crc32) = (
            entry.data_start(),
            entry.compression(),
            entry.compressed_size(),
            entry.size(),
            entry.crc32(),
        ) else {
            return Err(io::Error::other(format!(
                "archive entry {path} has no data offset"
            )));
        };
        drop(entry);
        let at = archive.into_inner();
        let raw = At::new(at.file, at.len).starting_at(start).take(compressed);
        let inner: Box<dyn Read + Send> = match method {
            CompressionMethod::Stored => Box::new(raw),
            CompressionMethod::Deflated => Box::new(DeflateDecoder::new(raw)),
            other => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    format!("archive entry {path} is compressed with {other}"),
                ));
            }
        };
        Ok(Box::new(Declared {
            inner,
            name: path.to_owned(),
            declared: size,
            read: 0,
            crc: Crc::new(),
            crc32,
        }))
    }

    fn container(&self) -> Container {
        Container::Zip
    }

    fn size(&self, path: &str) -> Option<u64> {
        self.entries.get(path).map(|&(_, size)| size)
    }
}

/// Whether `path` is a file that begins as a ZIP archive does (a local file header,
/// or the end record of an empty archive). Says nothing of whether it can be read.
pub fn is_zip(path: &Path) -> bool {
    let Ok(mut file) = File::open(path) else {
        return false;
    };
    let mut magic = [0u8; 4];
    file.metadata().is_ok_and(|m| m.is_file())
        && file.read_exact(&mut magic).is_ok()
        && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06")
}

/// What `read` makes of the names of the ZIP archive at `path` (raw bytes, in the
/// central directory's order); `None` when `path` is no ZIP archive that can be read.
pub fn zip_names<T>(
    path: &Path,
    read: impl FnOnce(&mut dyn Iterator<Item = &[u8]>) -> T,
) -> Option<T> {
    if !is_zip(path) {
        return None;
    }
    let archive = ZipArchive::new(BufReader::new(File::open(path).ok()?)).ok()?;
    Some(read(&mut archive.file_names_raw()))
}

/// The names that stand more than once in a ZIP archive's central directory, each
/// once, in the order they first repeat. The `zip` crate keeps one entry per name, so
/// only the raw directory (read from `start`, its offset in `reader`) tells: a bundle
/// refuses such an archive, a folder skips the entries.
pub(crate) fn repeated_names(reader: impl Read + Seek, start: u64) -> io::Result<Vec<Vec<u8>>> {
    let mut reader = BufReader::new(reader);
    reader.seek(SeekFrom::Start(start))?;
    let mut seen = HashSet::new();
    let mut repeated = Vec::new();
    let mut header = [0u8; 46];
    for _ in 0..MAX_ENTRIES {
        match reader.read_exact(&mut header) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
        if header[..4] != *b"PK\x01\x02" {
            break;
        }
        let field = |at: usize| u16::from_le_bytes([header[at], header[at + 1]]);
        let mut name = vec![0; usize::from(field(28))];
        reader.read_exact(&mut name)?;
        reader.seek_relative(i64::from(field(30)) + i64::from(field(32)))?;
        if !seen.insert(name.clone()) && !repeated.contains(&name) {
            repeated.push(name);
        }
    }
    Ok(repeated)
}

/// Reads one file at a position of its own (`pread`), with a small read-ahead for the
/// many small reads of the central directory; clones share the file, never a cursor.
struct At {
    file: Arc<File>,
    len: u64,
    pos: u64,
    buf: Vec<u8>,
    /// Where `buf` starts in the file.
    buf_at: u64,
}

/// Read-ahead for reads smaller than this; larger ones go straight to the file.
const READ_AHEAD: usize = 16 * 1024;

impl At {
    fn new(file: Arc<File>, len: u64) -> At {
        At {
            file,
            len,
            pos: 0,
            buf: Vec::new(),
            buf_at: 0,
        }
    }

    fn starting_at(mut self, pos: u64) -> At {
        self.pos = pos;
        self
    }
}

impl Clone for At {
    fn clone(&self) -> At {
        At::new(Arc::clone(&self.file), self.len).starting_at(self.pos)
    }
}

impl Read for At {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let buffered = self
            .pos
            .checked_sub(self.buf_at)
            .and_then(|skip| usize::try_from(skip).ok())
            .filter(|&skip| skip < self.buf.len());
        if let Some(skip) = buffered {
            let n = out.len().min(self.buf.len() - skip);
            out[..n].copy_from_slice(&self.buf[skip..skip + n]);
            self.pos += n as u64;
            return Ok(n);
        }
        if out.len() >= READ_AHEAD {
            let n = read_at(&self.file, out, self.pos)?;
            self.pos += n as u64;
            return Ok(n);
        }
        self.buf.resize(READ_AHEAD, 0);
        let n = read_at(&self.file, &mut self.buf, self.pos)?;
        self.buf.truncate(n);
        self.buf_at = self.pos;
        let n = out.len().min(n);
        out[..n].copy_from_slice(&self.buf[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for At {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(pos) => Some(pos),
            SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.pos.checked_add_signed(delta),
        };
        self.pos = pos.ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "seek before the file's start")
        })?;
        Ok(self.pos)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    use std::os::unix::fs::FileExt;
    loop {
        match file.read_at(buf, pos) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    use std::os::windows::fs::FileExt;
    file.seek_read(buf, pos)
}

/// An entry's bytes held to what its header declares: no more than its size (a lying
/// header cannot let a bomb through), not fewer (a cut archive), and its CRC-32.
struct Declared {
    inner: Box<dyn Read + Send>,
    name: String,
    declared: u64,
    read: u64,
    crc: Crc,
    crc32: u32,
}

impl Read for Declared {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            if buf.is_empty() {
                return Ok(0);
            }
            if self.read < self.declared {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "archive entry {} ends after {} of the {} bytes it declares (the archive is cut or damaged)",
                        self.name, self.read, self.declared
                    ),
                ));
            }
            if self.crc.sum() != self.crc32 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "archive entry {} does not match its CRC-32 (the archive is damaged)",
                        self.name
                    ),
                ));
            }
            return Ok(0);
        }
        self.read += n as u64;
        if self.read > self.declared {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "archive entry {} inflates past the {} bytes its header declares; refused (a decompression bomb?)",
                    self.name, self.declared
                ),
            ));
        }
        self.crc.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::source::folder::read_limited;

    const FILE: &str = "exports/2026/okta.json.gz";

    /// Bytes that do not compress (xorshift).
    fn noise(len: usize) -> Vec<u8> {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
        let mut writer = zip::ZipWriter::new(File::create(path).unwrap());
        for (name, data) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap();
    }

    #[test]
    fn an_archive_reads_like_the_directory_from_several_threads_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("exports.zip");
        let big = noise(3 << 20);
        write_zip(
            &zip,
            &[("notes.txt", b"{}"), (FILE, b"log"), ("big.bin", &big)],
        );
        assert!(is_zip(&zip));
        assert_eq!(
            zip_names(&zip, |names| names.count()),
            Some(3),
            "every entry's name"
        );
        let folder = ZipFolder::open(&zip, Limits::default()).unwrap();
        assert_eq!(folder.container(), Container::Zip);
        let listing = folder.list().unwrap();
        assert_eq!(listing.files, ["big.bin", FILE, "notes.txt"]);
        assert!(listing.skipped.is_empty());
        assert_eq!(read_limited(&folder, FILE, 10).unwrap(), b"log");
        assert_eq!(folder.size(FILE), Some(3));
        assert!(folder.open("../exports.zip").is_err());
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..8 {
                        assert_eq!(read_limited(&folder, "big.bin", 4 << 20).unwrap(), big);
                        assert_eq!(read_limited(&folder, FILE, 10).unwrap(), b"log");
                    }
                });
            }
        });
    }

    #[test]
    fn two_entries_of_one_name_are_both_skipped_and_the_rest_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("twins.zip");
        write_zip(
            &zip,
            &[
                ("okta.json", b"[]".as_slice()),
                ("other.json", b"[1]".as_slice()),
                ("okta.jsoX", b"[2]".as_slice()),
            ],
        );
        // Name the decoy like the first entry, in its local header and the directory.
        let mut bytes = std::fs::read(&zip).unwrap();
        let mut patched = 0;
        for at in 0..bytes.len() - 9 {
            if &bytes[at..at + 9] == b"okta.jsoX" {
                bytes[at..at + 9].copy_from_slice(b"okta.json");
                patched += 1;
            }
        }
        assert_eq!(patched, 2);
        std::fs::write(&zip, bytes).unwrap();
        let file = File::open(&zip).unwrap();
        let start = ZipArchive::new(File::open(&zip).unwrap())
            .unwrap()
            .central_directory_start();
        assert_eq!(
            repeated_names(file, start).unwrap(),
            [b"okta.json".to_vec()]
        );

        let listing = ZipFolder::open(&zip, Limits::default())
            .unwrap()
            .list()
            .unwrap();
        assert_eq!(listing.files, ["other.json"]);
        // Said once for the name (neither entry is read).
        assert_eq!(listing.skipped.len(), 1, "{:?}", listing.skipped);
        assert!(
            listing
                .skipped
                .iter()
                .all(|s| s.path == "okta.json" && s.reason.contains("more than one entry")),
            "{:?}",
            listing.skipped
        );
    }

    #[test]
    fn a_root_found_among_the_names_is_stripped_and_what_lies_outside_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("under.zip");
        write_zip(
            &zip,
            &[
                (&format!("top/{FILE}"), b"log"),
                ("__MACOSX/top/._x", b"junk"),
            ],
        );
        let folder = ZipFolder::open_at(&zip, Limits::default(), |names| {
            let tops: Vec<Vec<u8>> = names.map(<[u8]>::to_vec).collect();
            assert_eq!(tops.len(), 2);
            Ok("top/".to_owned())
        })
        .unwrap();
        let listing = folder.list().unwrap();
        assert_eq!(listing.files, [FILE]);
        assert_eq!(listing.skipped.len(), 1);
        assert_eq!(listing.skipped[0].path, "__MACOSX/top/._x");
        assert!(listing.skipped[0].reason.contains("outside top/"));
        assert!(folder.open(&format!("top/{FILE}")).is_err());
        assert_eq!(read_limited(&folder, FILE, 10).unwrap(), b"log");

        let error = ZipFolder::open_at(&zip, Limits::default(), |_| Err("no trail".into()))
            .err()
            .unwrap();
        assert!(
            matches!(&error, Error::Refused { reason, .. } if reason == "no trail"),
            "{error}"
        );
    }

    #[test]
    fn names_that_could_leave_the_folder_are_skipped_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("escape.zip");
        let names = [
            "exports/../../etc/passwd",
            "/etc/passwd",
            "exports\\..\\x.json.gz",
            "exports//x",
            "./exports/x",
        ];
        let mut entries: Vec<(&str, &[u8])> = names.iter().map(|n| (*n, &b"x"[..])).collect();
        entries.push((FILE, b"log"));
        write_zip(&zip, &entries);
        let folder = ZipFolder::open(&zip, Limits::default()).unwrap();
        let listing = folder.list().unwrap();
        assert_eq!(listing.files, [FILE]);
        let skipped: Vec<&str> = listing.skipped.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(skipped, names);
        for s in &listing.skipped {
            assert!(s.reason.contains("could lead outside the folder"), "{s:?}");
        }
        for name in names {
            assert!(folder.open(name).is_err(), "{name}");
        }
    }

    #[test]
    fn names_not_utf8_symlinks_and_twins_are_skipped_and_said_why() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("odd.zip");
        let mut writer = zip::ZipWriter::new(File::create(&zip).unwrap());
        for name in [
            FILE,
            "exports/twin-a",
            "exports/twin-b",
            "exports/bad-\u{e9}",
        ] {
            writer
                .start_file(name, SimpleFileOptions::default())
                .unwrap();
            writer.write_all(name.as_bytes()).unwrap();
        }
        writer
            .add_symlink("exports/link", "/etc/passwd", SimpleFileOptions::default())
            .unwrap();
        writer.finish().unwrap();
        let mut bytes = std::fs::read(&zip).unwrap();
        patch(&mut bytes, b"exports/twin-b", b"exports/twin-a");
        // "é" in UTF-8 is C3 A9: make it a lone C3 (not UTF-8), in both headers.
        patch(&mut bytes, "bad-\u{e9}".as_bytes(), b"bad-\xc3 ");
        std::fs::write(&zip, &bytes).unwrap();

        let folder = ZipFolder::open(&zip, Limits::default()).unwrap();
        let listing = folder.list().unwrap();
        assert_eq!(listing.files, [FILE]);
        let reasons: Vec<(&str, &str)> = listing
            .skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    "exports/twin-a",
                    "the archive holds more than one entry of this name; none is read"
                ),
                ("exports/bad-\u{fffd} ", "its name is not UTF-8"),
                ("exports/link", "a symbolic link; not followed"),
            ]
        );
    }

    #[test]
    fn a_cut_archive_or_another_file_is_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("exports.zip");
        write_zip(&zip, &[(FILE, &noise(100_000))]);
        let bytes = std::fs::read(&zip).unwrap();
        let cut = dir.path().join("cut.zip");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let error = ZipFolder::open(&cut, Limits::default()).err().unwrap();
        assert!(
            matches!(&error, Error::Refused { reason, .. } if reason.starts_with("not a readable ZIP archive")),
            "{error}"
        );
        assert!(is_zip(&cut), "it begins as one");
        assert_eq!(zip_names(&cut, |names| names.count()), None);

        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "PK but not a zip").unwrap();
        assert!(ZipFolder::open(&text, Limits::default()).is_err());
        assert!(!is_zip(&text));
        assert!(!is_zip(dir.path()));

        // An entry whose data was damaged inside the archive: a read error, not a crash.
        let mut damaged = bytes.clone();
        let data = 30 + FILE.len();
        damaged[data..data + 1000].fill(0xff);
        std::fs::write(&zip, &damaged).unwrap();
        let folder = ZipFolder::open(&zip, Limits::default()).unwrap();
        assert!(read_limited(&folder, FILE, 1 << 20).is_err());
    }

    #[test]
    fn an_entry_that_inflates_past_what_it_declares_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("bomb.zip");
        let zeros = vec![0u8; 8 << 20];
        write_zip(&zip, &[(FILE, &zeros)]);
        let mut bytes = std::fs::read(&zip).unwrap();
        // Declare 100 bytes in the local header (offset 22) and the central one (24).
        let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        bytes[22..26].copy_from_slice(&100u32.to_le_bytes());
        bytes[central + 24..central + 28].copy_from_slice(&100u32.to_le_bytes());
        std::fs::write(&zip, &bytes).unwrap();

        let folder = ZipFolder::open(&zip, Limits::default()).unwrap();
        assert_eq!(folder.list().unwrap().files, [FILE]);
        for limit in [1000, 1 << 30] {
            let error = read_limited(&folder, FILE, limit).unwrap_err();
            assert!(
                error.to_string().contains("inflates past the 100 bytes"),
                "{error}"
            );
        }

        // Declared sizes over the limits are not read at all.
        write_zip(&zip, &[(FILE, &zeros), ("exports/small", b"x")]);
        let limits = Limits {
            max_entry_bytes: 1 << 20,
            ..Limits::default()
        };
        let listing = ZipFolder::open(&zip, limits).unwrap().list().unwrap();
        assert_eq!(listing.files, ["exports/small"]);
        assert!(listing.skipped[0].reason.contains("over the limit"));
        let limits = Limits {
            max_compression_ratio: 100,
            ..Limits::default()
        };
        let listing = ZipFolder::open(&zip, limits).unwrap().list().unwrap();
        assert!(
            listing.skipped[0].reason.contains("decompression bomb"),
            "{listing:?}"
        );
        let limits = Limits {
            max_total_bytes: 4,
            max_compression_ratio: u64::MAX,
            ..Limits::default()
        };
        assert!(ZipFolder::open(&zip, limits).is_err());
    }

    fn patch(bytes: &mut [u8], from: &[u8], to: &[u8]) {
        assert_eq!(from.len(), to.len());
        let mut n = 0;
        let mut i = 0;
        while let Some(at) = bytes[i..].windows(from.len()).position(|w| w == from) {
            bytes[i + at..i + at + to.len()].copy_from_slice(to);
            i += at + to.len();
            n += 1;
        }
        assert!(n > 0);
    }
}
