//! Where things lie in a CloudTrail evidence folder, and how it is listed and read.
//!
//! ```text
//! ROOT/[prefix/]AWSLogs/[o-id/]<acct>/CloudTrail/<region>/YYYY/MM/DD/<log file>.json.gz
//! ROOT/[prefix/]AWSLogs/[o-id/]<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/<digest>.json.gz
//! ROOT/digest-signatures/<digest path relative to ROOT>.json   (`aws s3api head-object`)
//! ROOT/public-keys/<region>.json                               (`aws cloudtrail list-public-keys`)
//! ```
//! The names follow the S3 key templates of reference §1.1 (awscli's
//! `DigestProvider._create_digest_key`). Anything else is not part of the trail: it is
//! reported, never fatal.
//!
//! A `Folder` lists and reads files by their path relative to the root; the verifier
//! opens only paths the listing returned, so a key inside a digest (`../../etc/passwd`)
//! is looked up among them and never becomes a file system path.

use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use super::zipfolder::ZipFolder;
use crate::bundle::{Container, Limits};
use crate::{Error, Result};

/// Deepest folder nesting listed (a trail is 9 levels deep under a prefix).
const MAX_DEPTH: usize = 64;

/// An evidence folder: a directory (`DirFolder`) or a ZIP archive of one
/// (`zipfolder::ZipFolder`).
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
    /// A listed file's size in bytes (for progress), if known.
    fn size(&self, _path: &str) -> Option<u64> {
        None
    }
}

/// Opens the evidence at `path`, by what it is: a directory, else a ZIP archive of one
/// (whose sizes are held to `limits`).
pub fn open_folder(path: &Path, limits: Limits) -> Result<AnyFolder> {
    if path.is_dir() {
        Ok(AnyFolder::Dir(DirFolder::new(path)))
    } else {
        Ok(AnyFolder::Zip(ZipFolder::open(path, limits)?))
    }
}

/// The evidence folder whichever way it came.
pub enum AnyFolder {
    Dir(DirFolder),
    Zip(ZipFolder),
}

impl AnyFolder {
    fn inner(&self) -> &dyn Folder {
        match self {
            AnyFolder::Dir(folder) => folder,
            AnyFolder::Zip(folder) => folder,
        }
    }
}

impl Folder for AnyFolder {
    fn name(&self) -> String {
        self.inner().name()
    }

    fn list(&self) -> Result<Listing> {
        self.inner().list()
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

/// What a listing found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub files: Vec<String>,
    pub skipped: Vec<Skipped>,
}

/// A file that is not read as part of the trail, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
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

    /// One directory's entries, sorted by name, with what to do with each.
    fn entries(&self, dir: &Path) -> io::Result<Vec<std::fs::DirEntry>> {
        let mut entries = std::fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
        entries.sort_by_key(|e| e.file_name());
        Ok(entries)
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
                        .push(skipped(&prefix, &format!("cannot be listed ({e})")));
                    continue;
                }
            };
            for entry in entries {
                let raw_name = entry.file_name();
                let Some(name) = raw_name.to_str() else {
                    let shown = format!("{prefix}{}", raw_name.to_string_lossy());
                    listing
                        .skipped
                        .push(skipped(&shown, "its name is not UTF-8"));
                    continue;
                };
                let path = format!("{prefix}{name}");
                // `file_type` does not follow links: a link could lead outside the root.
                match entry.file_type() {
                    Ok(t) if t.is_symlink() => listing
                        .skipped
                        .push(skipped(&path, "a symbolic link; not followed")),
                    Ok(t) if t.is_dir() && depth + 1 >= MAX_DEPTH => listing
                        .skipped
                        .push(skipped(&path, "nested too deeply; not listed")),
                    Ok(t) if t.is_dir() => {
                        queue.push_back((entry.path(), format!("{path}/"), depth + 1))
                    }
                    Ok(t) if t.is_file() => listing.files.push(path),
                    Ok(_) => listing.skipped.push(skipped(&path, "not a regular file")),
                    Err(e) => listing
                        .skipped
                        .push(skipped(&path, &format!("cannot be read ({e})"))),
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
        let full = path
            .split('/')
            .fold(self.root.clone(), |p, part| p.join(part));
        if std::fs::symlink_metadata(&full)?.file_type().is_symlink() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{path} is a symbolic link; not followed"),
            ));
        }
        Ok(Box::new(File::open(full)?))
    }

    fn size(&self, path: &str) -> Option<u64> {
        let full = path
            .split('/')
            .fold(self.root.clone(), |p, part| p.join(part));
        is_safe_relative(path)
            .then(|| std::fs::symlink_metadata(full).ok())
            .flatten()
            .map(|m| m.len())
    }
}

fn skipped(path: &str, reason: &str) -> Skipped {
    Skipped {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
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

/// The local paths an S3 key may lie at, best first: the key itself (the folder is the
/// bucket), then the key from its `AWSLogs/` part on (the folder was synced from under
/// the trail's prefix). `None` for a key that could name something outside the folder.
pub fn local_candidates(key: &str) -> Option<(&str, Option<&str>)> {
    if !is_safe_relative(key) {
        return None;
    }
    let from_awslogs = key
        .match_indices("AWSLogs/")
        .find(|(at, _)| *at > 0 && key.as_bytes()[at - 1] == b'/')
        .map(|(at, _)| &key[at..]);
    Some((key, from_awslogs))
}

/// A trail's identity: digests of one chain share it (reference §1.7 step 1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChainKey {
    pub org: Option<String>,
    pub account: String,
    pub source_region: String,
    pub trail: String,
    pub home_region: String,
    /// Backfill digests form a chain of their own (awscli traverses them apart).
    pub backfill: bool,
}

impl fmt::Display for ChainKey {
    /// `[o-id/]account/source-region/trail`, then `@home-region` when the trail lives in
    /// another region, then ` (backfill)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(org) = &self.org {
            write!(f, "{org}/")?;
        }
        write!(f, "{}/{}/{}", self.account, self.source_region, self.trail)?;
        if self.home_region != self.source_region {
            write!(f, "@{}", self.home_region)?;
        }
        if self.backfill {
            write!(f, " (backfill)")?;
        }
        Ok(())
    }
}

/// A digest file's place: its chain and the end time its name carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestKey {
    /// Relative to the root.
    pub path: String,
    pub chain: ChainKey,
    /// The digest's end time, from its name (the date folders are its end date).
    pub end: DateTime<Utc>,
}

/// A log file's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFileKey {
    /// Relative to the root.
    pub path: String,
    pub org: Option<String>,
    pub account: String,
    pub region: String,
    /// The delivery time in its name, when it is named as CloudTrail names log files.
    pub time: Option<DateTime<Utc>>,
}

/// What a path in the evidence folder is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    LogFile(LogFileKey),
    Digest(DigestKey),
    /// `digest-signatures/<digest path>.json`: the head-object output for that digest.
    DigestSignature {
        digest: String,
    },
    /// `public-keys/<region>.json`.
    PublicKeys {
        region: String,
    },
    /// Not part of the trail, and why.
    Other {
        reason: String,
    },
}

/// Says what a path relative to the root is.
pub fn classify(path: &str) -> Entry {
    if let Some(digest) = path
        .strip_prefix("digest-signatures/")
        .and_then(|rest| rest.strip_suffix(".json"))
    {
        return Entry::DigestSignature {
            digest: digest.to_owned(),
        };
    }
    if let Some(region) = path
        .strip_prefix("public-keys/")
        .and_then(|rest| rest.strip_suffix(".json"))
        .filter(|region| !region.contains('/'))
    {
        return Entry::PublicKeys {
            region: region.to_owned(),
        };
    }
    match trail_place(path) {
        Some(place) => place.entry(path),
        None => other("not under AWSLogs/, digest-signatures/ or public-keys/"),
    }
}

fn other(reason: &str) -> Entry {
    Entry::Other {
        reason: reason.to_owned(),
    }
}

/// The parts of a path under `AWSLogs/`: `[o-id/]acct/kind/region/YYYY/MM/DD/name`.
struct TrailPlace<'a> {
    org: Option<&'a str>,
    parts: Vec<&'a str>,
}

fn trail_place(path: &str) -> Option<TrailPlace<'_>> {
    let parts: Vec<&str> = path.split('/').collect();
    let at = parts.iter().position(|p| *p == "AWSLogs")?;
    let mut rest = &parts[at + 1..];
    let org = match rest.first() {
        Some(first) if is_org_id(first) => {
            rest = &rest[1..];
            Some(*first)
        }
        _ => None,
    };
    Some(TrailPlace {
        org,
        parts: rest.to_vec(),
    })
}

impl TrailPlace<'_> {
    fn entry(&self, path: &str) -> Entry {
        let [account, kind, region, year, month, day, name] = self.parts[..] else {
            return other("under AWSLogs/ but not where CloudTrail puts log or digest files");
        };
        if !is_account(account) {
            return other("under AWSLogs/ but not in an account's folder (12 digits)");
        }
        if date_folder(year, month, day).is_none() {
            return other("under AWSLogs/ but not in a YYYY/MM/DD folder");
        }
        if !name.ends_with(".json.gz") {
            return other("not a .json.gz file");
        }
        let org = self.org.map(str::to_owned);
        match kind {
            "CloudTrail" => Entry::LogFile(LogFileKey {
                path: path.to_owned(),
                org,
                account: account.to_owned(),
                region: region.to_owned(),
                time: log_file_time(name, account, region),
            }),
            "CloudTrail-Digest" => match digest_name(name, account, region) {
                Some((trail, home_region, end, backfill)) => Entry::Digest(DigestKey {
                    path: path.to_owned(),
                    chain: ChainKey {
                        org,
                        account: account.to_owned(),
                        source_region: region.to_owned(),
                        trail,
                        home_region,
                        backfill,
                    },
                    end,
                }),
                None => other("in a digest folder but not named like a digest file"),
            },
            _ => other("not a CloudTrail log or digest file (another AWSLogs/ folder)"),
        }
    }
}

/// `<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`: the delivery time.
/// Any other name under `CloudTrail/` is still a log file (one injected under an odd
/// name must be reported unreferenced, not ignored); it just has no time.
fn log_file_time(name: &str, account: &str, region: &str) -> Option<DateTime<Utc>> {
    let rest = name
        .strip_suffix(".json.gz")?
        .strip_prefix(account)?
        .strip_prefix("_CloudTrail_")?
        .strip_prefix(region)?
        .strip_prefix('_')?;
    // AWS's docs show the unique part both with and without a `_` before it.
    compact_time(rest.get(..14)?)
}

/// `<acct>_CloudTrail-Digest_<src>_<trail>_<home>_<YYYYMMDDTHHMMSSZ>[_backfill].json.gz`:
/// trail, home region, end time, backfill. Trail names may hold `_`, regions never do,
/// so the name is taken apart from both ends.
fn digest_name(
    name: &str,
    account: &str,
    region: &str,
) -> Option<(String, String, DateTime<Utc>, bool)> {
    let rest = name
        .strip_suffix(".json.gz")?
        .strip_prefix(account)?
        .strip_prefix("_CloudTrail-Digest_")?
        .strip_prefix(region)?
        .strip_prefix('_')?;
    let (rest, backfill) = match rest.strip_suffix("_backfill") {
        Some(rest) => (rest, true),
        None => (rest, false),
    };
    let (rest, stamp) = rest.rsplit_once('_')?;
    let end = compact_time(stamp)?;
    let (trail, home) = rest.rsplit_once('_')?;
    if trail.is_empty() || home.is_empty() {
        return None;
    }
    Some((trail.to_owned(), home.to_owned(), end, backfill))
}

/// `YYYYMMDDTHHMMZ` (log files) or `YYYYMMDDTHHMMSSZ` (digests), by position: every
/// character is where the template puts it.
fn compact_time(stamp: &str) -> Option<DateTime<Utc>> {
    let bytes = stamp.as_bytes();
    let with_seconds = match bytes.len() {
        14 => false,
        16 => true,
        _ => return None,
    };
    let number = |from: usize, to: usize| -> Option<u32> {
        let digits = stamp.get(from..to)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    if bytes[8] != b'T' || bytes[bytes.len() - 1] != b'Z' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(number(0, 4)? as i32, number(4, 6)?, number(6, 8)?)?;
    let seconds = if with_seconds { number(13, 15)? } else { 0 };
    let time = date.and_hms_opt(number(9, 11)?, number(11, 13)?, seconds)?;
    Some(time.and_utc())
}

/// The end time a digest's S3 key carries in its name (for a digest that is missing).
pub fn digest_key_end(key: &str) -> Option<DateTime<Utc>> {
    match classify(key) {
        Entry::Digest(digest) => Some(digest.end),
        _ => None,
    }
}

fn is_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// An AWS Organizations id: `o-` and 10 to 32 lowercase letters or digits.
fn is_org_id(text: &str) -> bool {
    text.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

fn date_folder(year: &str, month: &str, day: &str) -> Option<NaiveDate> {
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::cloudtrail::parse_time;

    const DIGEST: &str = "AWSLogs/123456789012/CloudTrail-Digest/us-east-2/2015/08/17/123456789012_CloudTrail-Digest_us-east-2_my_trail_us-east-1_20150817T145931Z.json.gz";

    #[test]
    fn a_digest_name_gives_its_chain_and_end_time() {
        let Entry::Digest(key) = classify(DIGEST) else {
            panic!("digest expected");
        };
        assert_eq!(key.chain.account, "123456789012");
        assert_eq!(key.chain.source_region, "us-east-2");
        assert_eq!(key.chain.trail, "my_trail");
        assert_eq!(key.chain.home_region, "us-east-1");
        assert!(!key.chain.backfill);
        assert_eq!(key.end, parse_time("2015-08-17T14:59:31Z").unwrap());
        assert_eq!(
            key.chain.to_string(),
            "123456789012/us-east-2/my_trail@us-east-1"
        );

        let org = "logs/AWSLogs/o-abcdefghij/123456789012/CloudTrail-Digest/us-east-1/2026/01/02/123456789012_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20260102T010203Z_backfill.json.gz";
        let Entry::Digest(key) = classify(org) else {
            panic!("org digest expected");
        };
        assert_eq!(key.chain.org.as_deref(), Some("o-abcdefghij"));
        assert!(key.chain.backfill);
        assert_eq!(
            key.chain.to_string(),
            "o-abcdefghij/123456789012/us-east-1/org-trail (backfill)"
        );
        assert_eq!(
            digest_key_end(org),
            Some(parse_time("2026-01-02T01:02:03Z").unwrap())
        );
    }

    #[test]
    fn log_files_are_recognised_by_place_and_timed_by_name() {
        let named = "AWSLogs/123456789012/CloudTrail/us-west-1/2014/06/20/123456789012_CloudTrail_us-west-1_20140620T1255Z_HdkvFTXOA3Vnhbc.json.gz";
        let Entry::LogFile(key) = classify(named) else {
            panic!("log file expected");
        };
        assert_eq!(key.region, "us-west-1");
        assert_eq!(key.time, parse_time("2014-06-20T12:55:00Z"));
        let odd = "AWSLogs/123456789012/CloudTrail/us-west-1/2014/06/20/evil.json.gz";
        assert!(matches!(
            classify(odd),
            Entry::LogFile(LogFileKey { time: None, .. })
        ));
    }

    #[test]
    fn everything_else_is_not_part_of_the_trail() {
        for path in [
            "README.txt",
            "AWSLogs/123456789012/CloudTrail/us-west-1/2014/06/x.json.gz",
            "AWSLogs/12345/CloudTrail/us-west-1/2014/06/20/x.json.gz",
            "AWSLogs/123456789012/CloudTrail/us-west-1/2014/13/20/x.json.gz",
            "AWSLogs/123456789012/CloudTrail/us-west-1/2014/06/20/x.json",
            "AWSLogs/123456789012/CloudTrail-Insight/us-west-1/2014/06/20/x.json.gz",
            "AWSLogs/123456789012/CloudTrail-Digest/us-west-1/2014/06/20/x.json.gz",
            "AWSLogs/123456789012/CloudTrail-Digest/us-east-2/2015/08/17/123456789012_CloudTrail-Digest_us-east-2_t_us-east-1_2015081.json.gz",
            "public-keys/a/b.json",
        ] {
            assert!(matches!(classify(path), Entry::Other { .. }), "{path}");
        }
        assert_eq!(
            classify(&format!("digest-signatures/{DIGEST}.json")),
            Entry::DigestSignature {
                digest: DIGEST.to_owned()
            }
        );
        assert_eq!(
            classify("public-keys/eu-west-1.json"),
            Entry::PublicKeys {
                region: "eu-west-1".to_owned()
            }
        );
    }

    #[test]
    fn keys_that_could_leave_the_folder_have_no_local_place() {
        for key in [
            "../../etc/passwd",
            "/etc/passwd",
            "a//b",
            "a/./b",
            "a\\b",
            "",
            "AWSLogs/../x",
        ] {
            assert_eq!(local_candidates(key), None, "{key}");
        }
        assert_eq!(
            local_candidates("prefix/AWSLogs/1/x"),
            Some(("prefix/AWSLogs/1/x", Some("AWSLogs/1/x")))
        );
        assert_eq!(local_candidates("AWSLogs/1/x"), Some(("AWSLogs/1/x", None)));
    }

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
