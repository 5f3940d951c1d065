//! A folder that is a directory on disk: listed breadth-first without following
//! links, read by paths its listing returned. It never writes and never leaves the
//! root (no link is followed, no path with `..` is opened).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{Folder, Listing, Skipped, is_safe_relative};
use crate::{Error, Result};

/// Deepest folder nesting listed (a CloudTrail trail is 9 levels deep under a prefix).
const MAX_DEPTH: usize = 64;

/// A directory on disk.
#[derive(Debug, Clone)]
pub struct DirFolder {
    root: PathBuf,
}

impl DirFolder {
    pub fn new(root: impl Into<PathBuf>) -> DirFolder {
        DirFolder { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// One directory's entries, sorted by name.
    fn entries(&self, dir: &Path) -> io::Result<Vec<std::fs::DirEntry>> {
        let mut entries = std::fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
        entries.sort_by_key(|e| e.file_name());
        Ok(entries)
    }

    /// Where a listed path lies on disk.
    fn full(&self, path: &str) -> PathBuf {
        path.split('/')
            .fold(self.root.clone(), |p, part| p.join(part))
    }
}

impl Folder for DirFolder {
    fn name(&self) -> String {
        self.root.display().to_string()
    }

    fn list(&self) -> Result<Listing> {
        let mut listing = Listing::default();
        // Breadth-first with an explicit queue: no recursion for a hostile depth.
        let mut queue = VecDeque::from([(self.root.clone(), String::new(), 0usize)]);
        while let Some((dir, prefix, depth)) = queue.pop_front() {
            let entries = match self.entries(&dir) {
                Ok(entries) => entries,
                Err(e) if depth == 0 => return Err(Error::io(&self.root, e)),
                Err(e) => {
                    listing
                        .skipped
                        .push(Skipped::new(&prefix, &format!("cannot be listed ({e})")));
                    continue;
                }
            };
            for entry in entries {
                let raw_name = entry.file_name();
                let Some(name) = raw_name.to_str() else {
                    let shown = format!("{prefix}{}", raw_name.to_string_lossy());
                    listing
                        .skipped
                        .push(Skipped::new(&shown, "its name is not UTF-8"));
                    continue;
                };
                let path = format!("{prefix}{name}");
                // `file_type` does not follow links: a link could lead outside the root.
                match entry.file_type() {
                    Ok(t) if t.is_symlink() => listing
                        .skipped
                        .push(Skipped::new(&path, "a symbolic link; not followed")),
                    Ok(t) if t.is_dir() && depth + 1 >= MAX_DEPTH => listing
                        .skipped
                        .push(Skipped::new(&path, "nested too deeply; not listed")),
                    Ok(t) if t.is_dir() => {
                        queue.push_back((entry.path(), format!("{path}/"), depth + 1))
                    }
                    Ok(t) if t.is_file() => listing.files.push(path),
                    Ok(_) => listing
                        .skipped
                        .push(Skipped::new(&path, "not a regular file")),
                    Err(e) => listing
                        .skipped
                        .push(Skipped::new(&path, &format!("cannot be read ({e})"))),
                }
            }
        }
        listing.files.sort();
        Ok(listing)
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn Read + Send + '_>> {
        if !is_safe_relative(path) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{path:?} is not a path inside the folder"),
            ));
        }
        let full = self.full(path);
        if std::fs::symlink_metadata(&full)?.file_type().is_symlink() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{path} is a symbolic link; not followed"),
            ));
        }
        Ok(Box::new(File::open(full)?))
    }

    fn size(&self, path: &str) -> Option<u64> {
        is_safe_relative(path)
            .then(|| std::fs::symlink_metadata(self.full(path)).ok())
            .flatten()
            .map(|m| m.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::folder::read_limited;

    #[test]
    fn a_directory_lists_files_sorted_skips_links_and_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::write(root.join("b/c/d.txt"), "d").unwrap();
        std::fs::write(root.join("a.txt"), "a").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("link")).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("dirlink")).unwrap();
        let folder = DirFolder::new(root);
        let listing = folder.list().unwrap();
        assert_eq!(listing.files, ["a.txt", "b/c/d.txt"]);
        let skipped: Vec<&str> = listing.skipped.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(skipped, ["dirlink", "link"]);
        assert_eq!(read_limited(&folder, "b/c/d.txt", 10).unwrap(), b"d");
        assert!(read_limited(&folder, "b/c/d.txt", 0).is_err());
        assert_eq!(folder.size("b/c/d.txt"), Some(1));
        assert_eq!(folder.size("../b/c/d.txt"), None);
        assert!(folder.open("link").is_err());
        assert!(folder.open("../etc/passwd").is_err());
        assert!(folder.open("/etc/passwd").is_err());
        assert!(DirFolder::new(root.join("missing")).list().is_err());
    }

    #[test]
    fn names_that_are_not_utf8_are_skipped_by_name() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let name = std::ffi::OsStr::from_bytes(b"bad\xff.json.gz");
        std::fs::write(dir.path().join(name), "x").unwrap();
        let listing = DirFolder::new(dir.path()).list().unwrap();
        assert!(listing.files.is_empty());
        assert_eq!(listing.skipped.len(), 1);
        assert!(listing.skipped[0].reason.contains("UTF-8"));
    }
}
