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
//! The folder is read through `source::folder` (a directory, or a ZIP archive of one);
//! this module says where the trail lies in it: `open_trail` finds it in a ZIP archive
//! (at the top, or under one top folder, as zipping a folder makes it), `classify`
//! says what each listed path is. The verifier opens only paths the listing returned,
//! so a key inside a digest (`../../etc/passwd`) is looked up among them and never
//! becomes a file system path.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use crate::Result;
use crate::bundle::Limits;
use crate::source::folder::{AnyFolder, DirFolder, ZipFolder, is_safe_relative};
// What the verifier reads the folder with, named from here as it always was.
pub use crate::source::folder::{Folder, Skipped, read_limited};

/// Opens the evidence at `path`, by what it is: a directory, else a ZIP archive of one
/// (whose sizes are held to `limits`), refused when it holds no trail or two.
pub fn open_trail(path: &Path, limits: Limits) -> Result<AnyFolder> {
    if path.is_dir() {
        Ok(DirFolder::new(path).into())
    } else {
        let folder = ZipFolder::open_at(path, limits, |names| match trail_root(names) {
            TrailRoot::At(prefix) => Ok(prefix),
            TrailRoot::None => {
                Err("the archive holds no AWSLogs/ folder, at its top or under one folder".into())
            }
            TrailRoot::Ambiguous(folders) => Err(format!(
                "the archive holds AWSLogs/ under more than one folder ({}): zip one evidence folder",
                folders.join(", ")
            )),
        })?;
        Ok(folder.into())
    }
}

/// Whether `path` is a ZIP archive of an evidence folder: a file that opens as a ZIP
/// archive, holds `AWSLogs/` at its top or under one top folder, and holds no top-level
/// `manifest.json` (that is one of our bundles).
pub fn is_trail_zip(path: &Path) -> bool {
    crate::source::folder::zip_names(path, |names| {
        let names: Vec<&[u8]> = names.collect();
        !names.contains(&&b"manifest.json"[..]) && trail_root(names.into_iter()) != TrailRoot::None
    })
    .unwrap_or(false)
}

/// Where the trail lies in an archive.
#[derive(Debug, PartialEq, Eq)]
enum TrailRoot {
    /// Under this prefix: empty, or one top folder and `/`.
    At(String),
    None,
    /// `AWSLogs/` under several top folders (and not at the top).
    Ambiguous(Vec<String>),
}

/// Finds the trail among the archive's names: `AWSLogs/` at the top wins; else the one
/// top folder with `AWSLogs/` directly under it.
fn trail_root<'a>(names: impl Iterator<Item = &'a [u8]>) -> TrailRoot {
    let mut folders = BTreeSet::new();
    for name in names {
        if name.starts_with(b"AWSLogs/") {
            return TrailRoot::At(String::new());
        }
        let Some(slash) = name.iter().position(|&b| b == b'/') else {
            continue;
        };
        let (top, rest) = (&name[..slash], &name[slash + 1..]);
        if rest.starts_with(b"AWSLogs/")
            && let Ok(top) = std::str::from_utf8(top)
            && is_safe_relative(top)
        {
            folders.insert(top.to_owned());
        }
    }
    match folders.len() {
        0 => TrailRoot::None,
        1 => TrailRoot::At(format!("{}/", folders.pop_first().unwrap_or_default())),
        _ => TrailRoot::Ambiguous(folders.into_iter().collect()),
    }
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

    const LOG: &str = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/01/01/123456789012_CloudTrail_us-east-1_20260101T0000Z_a.json.gz";

    #[test]
    fn the_trail_is_found_at_the_top_or_under_one_folder() {
        let at = |names: &[&str]| trail_root(names.iter().map(|n| n.as_bytes()));
        assert_eq!(at(&[LOG]), TrailRoot::At(String::new()));
        assert_eq!(
            at(&["evidence/", &format!("evidence/{LOG}")]),
            TrailRoot::At("evidence/".into())
        );
        assert_eq!(
            at(&[&format!("a/{LOG}"), &format!("b/{LOG}"), "c.txt"]),
            TrailRoot::Ambiguous(vec!["a".into(), "b".into()])
        );
        assert_eq!(at(&[&format!("a/b/{LOG}"), "x"]), TrailRoot::None);
        assert_eq!(at(&[&format!("../{LOG}")]), TrailRoot::None);
    }

    fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        for (name, data) in entries {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap();
    }

    #[test]
    fn a_zipped_trail_opens_from_its_folder_and_anything_else_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("evidence.zip");
        write_zip(
            &zip,
            &[
                ("evidence/public-keys/us-east-1.json", b"{}"),
                (&format!("evidence/{LOG}"), b"log"),
                ("__MACOSX/evidence/._x", b"junk"),
            ],
        );
        assert!(is_trail_zip(&zip));
        let folder = open_trail(&zip, Limits::default()).unwrap();
        let listing = folder.list().unwrap();
        assert_eq!(listing.files, [LOG, "public-keys/us-east-1.json"]);
        assert_eq!(listing.skipped.len(), 1);
        assert!(listing.skipped[0].reason.contains("outside evidence/"));
        assert_eq!(read_limited(&folder, LOG, 10).unwrap(), b"log");

        let other = dir.path().join("other.zip");
        write_zip(&other, &[("manifest.json", b"{}"), (LOG, b"x")]);
        assert!(!is_trail_zip(&other), "one of our bundles");
        write_zip(&other, &[("a/b.txt", b"x")]);
        assert!(!is_trail_zip(&other));
        let error = open_trail(&other, Limits::default()).err().unwrap();
        assert!(error.to_string().contains("holds no AWSLogs/"), "{error}");
        write_zip(
            &other,
            &[(&format!("a/{LOG}"), b"x"), (&format!("b/{LOG}"), b"x")],
        );
        assert!(is_trail_zip(&other));
        let error = open_trail(&other, Limits::default()).err().unwrap();
        assert!(
            error.to_string().contains("more than one folder (a, b)"),
            "{error}"
        );

        let bytes = std::fs::read(&zip).unwrap();
        std::fs::write(&other, &bytes[..bytes.len() / 2]).unwrap();
        assert!(!is_trail_zip(&other));
        let error = open_trail(&other, Limits::default()).err().unwrap();
        assert!(
            error.to_string().contains("not a readable ZIP archive"),
            "{error}"
        );
    }
}
