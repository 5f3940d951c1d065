//! A folder of files read in place, whichever way it came: a directory on disk
//! (`DirFolder`) or a ZIP archive of one (`ZipFolder`), never extracted. Every source
//! made of several files reads them through this: a CloudTrail evidence folder, a
//! folder (or ZIP) of exports.
//!
//! A `Folder` lists files by their path relative to its root, with `/` between parts,
//! and opens only paths its listing returned, so a name inside a file
//! (`../../etc/passwd`) never becomes a file system path. What it cannot list as a
//! plain file (a link, a name that could leave the folder, an encrypted or oversized
//! ZIP entry, …) is skipped and said why in the listing; the source reports it. This
//! module knows nothing of any format's layout (CloudTrail's `AWSLogs/` is
//! `cloudtrail::layout`'s).

mod archive;
mod dir;

use std::io::{self, Read};
use std::path::Path;
use std::sync::OnceLock;

pub(crate) use archive::repeated_names;
pub use archive::{ZipFolder, is_zip, zip_names};
pub use dir::DirFolder;

use crate::Result;
use crate::bundle::{Container, Limits};
use crate::verify::{Finding, FindingKind};

/// A folder of files: a directory (`DirFolder`) or a ZIP archive of one (`ZipFolder`).
pub trait Folder: Sync {
    /// What to call it in messages.
    fn name(&self) -> String;
    /// Every regular file, as a path relative to the root with `/` between parts,
    /// sorted; entries it cannot list as such (links, names that are not UTF-8) are
    /// skipped and said why. `Err` only when the root cannot be read at all.
    fn list(&self) -> Result<Listing>;
    /// Opens a file by a path that `list` returned.
    fn open(&self, path: &str) -> io::Result<Box<dyn Read + Send + '_>>;
    /// The container it came in, for the report.
    fn container(&self) -> Container {
        Container::Directory
    }
    /// A listed file's size in bytes as it lies in the folder (a ZIP entry's
    /// uncompressed size), for progress, if known.
    fn size(&self, _path: &str) -> Option<u64> {
        None
    }
}

/// What a listing found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub files: Vec<String>,
    pub skipped: Vec<Skipped>,
}

/// A file of the folder that is not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

impl Skipped {
    pub fn new(path: &str, reason: &str) -> Skipped {
        Skipped {
            path: path.to_owned(),
            reason: reason.to_owned(),
        }
    }

    /// The `file_skipped` finding that says so, for a source's report.
    pub fn finding(&self) -> Finding {
        Finding::new(FindingKind::FileSkipped)
            .in_file(&self.path)
            .detail(format!("{}: {}", self.path, self.reason))
    }
}

/// Opens the folder at `path`, by what it is: a directory, else a ZIP archive whose
/// top is the folder's root (its sizes held to `limits`). A file that is not a ZIP
/// archive is refused.
pub fn open_folder(path: &Path, limits: Limits) -> Result<AnyFolder> {
    if path.is_dir() {
        Ok(DirFolder::new(path).into())
    } else {
        Ok(ZipFolder::open(path, limits)?.into())
    }
}

/// A folder whichever way it came; listed once however often it is asked.
pub struct AnyFolder {
    inner: Inner,
    listed: OnceLock<Listing>,
}

enum Inner {
    Dir(DirFolder),
    Zip(ZipFolder),
}

impl From<DirFolder> for AnyFolder {
    fn from(folder: DirFolder) -> AnyFolder {
        AnyFolder {
            inner: Inner::Dir(folder),
            listed: OnceLock::new(),
        }
    }
}

impl From<ZipFolder> for AnyFolder {
    fn from(folder: ZipFolder) -> AnyFolder {
        AnyFolder {
            inner: Inner::Zip(folder),
            listed: OnceLock::new(),
        }
    }
}

impl AnyFolder {
    fn inner(&self) -> &dyn Folder {
        match &self.inner {
            Inner::Dir(folder) => folder,
            Inner::Zip(folder) => folder,
        }
    }
}

impl Folder for AnyFolder {
    fn name(&self) -> String {
        self.inner().name()
    }

    fn list(&self) -> Result<Listing> {
        if let Some(listing) = self.listed.get() {
            return Ok(listing.clone());
        }
        let listing = self.inner().list()?;
        Ok(self.listed.get_or_init(|| listing).clone())
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn Read + Send + '_>> {
        self.inner().open(path)
    }

    fn container(&self) -> Container {
        self.inner().container()
    }

    fn size(&self, path: &str) -> Option<u64> {
        self.inner().size(path)
    }
}

/// Reads a whole file of the folder, refusing one larger than `limit` bytes.
pub fn read_limited(folder: &dyn Folder, path: &str, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    folder.open(path)?.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes"),
        ));
    }
    Ok(bytes)
}

/// A relative path with `/` between non-empty parts, none of them `.` or `..`, and no
/// backslash or NUL: it cannot name anything outside the root.
pub fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains(['\\', '\0'])
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Whether a listed path is hidden: some part of it starts with `.` (`.DS_Store`, the
/// `._name` files macOS puts in `__MACOSX/` of a ZIP). Sources of several files pass
/// these by without a word: they are never evidence.
pub fn is_hidden(path: &str) -> bool {
    path.split('/').any(|part| part.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_that_stay_inside_are_safe() {
        for bad in [
            "../../etc/passwd",
            "/etc/passwd",
            "a//b",
            "a/./b",
            "a\\b",
            "",
            "a/../x",
            "a\0b",
        ] {
            assert!(!is_safe_relative(bad), "{bad:?}");
        }
        assert!(is_safe_relative("a/b.json.gz"));
        assert!(is_safe_relative("x"));
        assert!(is_hidden("__MACOSX/exports/._okta.json"));
        assert!(is_hidden(".DS_Store"));
        assert!(!is_hidden("exports/okta.json"));
    }

    #[test]
    fn a_folder_is_listed_once_and_opened_by_what_it_is() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "a").unwrap();
        let folder = open_folder(dir.path(), Limits::default()).unwrap();
        assert_eq!(folder.list().unwrap().files, ["a.txt"]);
        // Listed once: a file added after the first listing is not seen.
        std::fs::write(dir.path().join("b.txt"), "b").unwrap();
        assert_eq!(folder.list().unwrap().files, ["a.txt"]);
        assert_eq!(folder.size("a.txt"), Some(1));
        assert_eq!(folder.container(), Container::Directory);

        let text = dir.path().join("a.txt");
        assert!(open_folder(&text, Limits::default()).is_err());
        assert!(open_folder(&dir.path().join("missing"), Limits::default()).is_err());
    }
}
