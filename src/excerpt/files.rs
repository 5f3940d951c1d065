//! The excerpt folder's files: written whole, listed with their digests, and read back
//! as hostile input (only names inside the folder, only regular files, each bounded).

use std::io::{BufRead, BufReader, Read};
use std::path::{Component, Path, PathBuf};

use crate::case::receipt::{ReceivedFile, received_files};
use crate::{Error, Result};

pub(crate) const README_FILE: &str = "README.txt";

pub(crate) const README: &str = "\
This folder is an evidence excerpt made with Trailscope: a few events chosen from an
audit export, with what proves them, so that they can be checked without the rest of
the export.

To check it:    trailscope verify THIS-FOLDER

statement.json  the reviewer's signed statement: what was selected and why, and the
                SHA-256 of every other file here.
part-N/         one folder per source the events come from, with the proof that
                source allows (see \"method\" in statement.json):
                merkle-proof       the producer's signed manifest, the events, and an
                                   inclusion proof of each in the signed Merkle root
                chain-to-head      the producer's signed manifest and every event from
                                   the first chosen one to the signed head
                cloudtrail-digest  the AWS log files, the signed digest files that list
                                   them, and the public keys that signed those
                custody-receipt    the records as received and the reviewer's signed
                                   custody receipt, with an inclusion proof of each
";

/// The largest statement, manifest, receipt or key file read back.
pub(crate) const MAX_SMALL_FILE: u64 = 64 << 20;
/// The longest line of an events, proofs or records file read back.
pub(crate) const MAX_LINE: u64 = 16 << 20;

/// Writes `name` in `dir`.
pub(crate) fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
}

/// Every file under `dir` with its size and SHA-256, by path.
pub(crate) fn list(dir: &Path) -> Result<Vec<ReceivedFile>> {
    Ok(received_files(dir)?.0)
}

/// `relative` inside `root`, if it names a regular file there: only plain names (no
/// `..`, no absolute path), and no link, which could lead out of the folder.
pub(crate) fn inside(root: &Path, relative: &str) -> std::result::Result<PathBuf, String> {
    let path = Path::new(relative);
    if relative.is_empty() || !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(format!(
            "{relative:?} is not a name inside the excerpt; it was not read"
        ));
    }
    let mut full = root.to_owned();
    for component in path.components() {
        full.push(component);
        let metadata =
            std::fs::symlink_metadata(&full).map_err(|_| format!("{relative} is missing"))?;
        if metadata.file_type().is_symlink() {
            return Err(format!("{relative} is a link; it was not followed"));
        }
    }
    if !std::fs::symlink_metadata(&full).is_ok_and(|m| m.is_file()) {
        return Err(format!("{relative} is not a file"));
    }
    Ok(full)
}

/// The whole of a small file, refused beyond `MAX_SMALL_FILE`.
pub(crate) fn read_small(root: &Path, relative: &str) -> std::result::Result<Vec<u8>, String> {
    let path = inside(root, relative)?;
    let file = std::fs::File::open(&path).map_err(|e| format!("{relative} cannot be read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_SMALL_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{relative} cannot be read: {e}"))?;
    if bytes.len() as u64 > MAX_SMALL_FILE {
        return Err(format!(
            "{relative} is larger than {MAX_SMALL_FILE} bytes; it was not read"
        ));
    }
    Ok(bytes)
}

/// Calls `each(line number, bytes)` for every non-blank line of a file (without its
/// newline), streaming; a line longer than `MAX_LINE` stops the reading with an error.
pub(crate) fn for_each_line(
    root: &Path,
    relative: &str,
    mut each: impl FnMut(u64, &[u8]),
) -> std::result::Result<(), String> {
    let path = inside(root, relative)?;
    let file = std::fs::File::open(&path).map_err(|e| format!("{relative} cannot be read: {e}"))?;
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("{relative} cannot be read: {e}"))?;
        if n == 0 {
            return Ok(());
        }
        number += 1;
        if line.len() as u64 > MAX_LINE {
            return Err(format!(
                "{relative} line {number} is longer than {MAX_LINE} bytes; the rest was not read"
            ));
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if !text.iter().all(u8::is_ascii_whitespace) {
            each(number, text);
        }
    }
}
