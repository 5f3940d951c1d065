//! AWS CloudTrail: a trail as `aws s3 sync` writes it (log files and digest files under
//! `AWSLogs/`), with the digests' signatures (`digest-signatures/`) and the region's
//! public keys (`public-keys/`), verified offline, and its records normalized into the
//! event model. See `../shared/reference/audit-sources.md` §1 and docs/cloudtrail.md.
//!
//! The pieces, from the bottom up: `gz` inflates one gzip member under a size limit;
//! `layout` says what a path in the evidence folder is, and finds the trail in a ZIP
//! archive (the folder itself, a directory or a ZIP, is read through `source::folder`);
//! `keys` holds the RSA public keys by fingerprint; `digest` reads a digest file and
//! builds the string its signature covers; `verify` walks every chain and checks every
//! log file a digest lists.

pub mod digest;
pub mod gz;
pub mod keys;
pub mod lake;
pub mod layout;
pub mod lookup;
pub mod read;
pub mod record;
pub mod verify;

pub use crate::source::folder::{DirFolder, Folder};
pub use keys::{KeyOrigin, KeyRing};
pub use verify::{
    ChainResult, ChainTrust, Gap, LogFileBytes, LogFileResult, LogFileStatus, Note, Span,
    TrailLimits, TrailReport, read_log_file, verify_trail, verify_trail_reading,
    verify_trail_reading_until,
};

use chrono::{DateTime, SecondsFormat, Utc};

use crate::verify::FindingKind;

/// What a trail's report finds about its files, digests and chains rather than about
/// one record. Which of them are found depends on which digests verify, so on the keys
/// given: re-checking a case's trust under new keys replaces all of them.
pub const TRAIL_KINDS: [FindingKind; 11] = [
    FindingKind::LogFileHashMismatch,
    FindingKind::LogFileMissing,
    FindingKind::LogFileUnreferenced,
    FindingKind::DigestMissing,
    FindingKind::DigestSignatureInvalid,
    FindingKind::DigestHashMismatch,
    FindingKind::DigestGap,
    FindingKind::DigestMoved,
    FindingKind::GzipTrailingData,
    FindingKind::SignatureUnavailable,
    FindingKind::PublicKeyMissing,
];

/// A time as CloudTrail and the AWS CLI write it (`2026-01-31T14:01:31Z`, or with an
/// offset or fractional seconds), in UTC; `None` when it is not one.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A time the way CloudTrail writes it: `2026-01-31T14:01:31Z`.
pub fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Hex (either case) to bytes; `None` unless every character pair is a hex byte.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_in_the_shapes_the_cli_prints_and_format_back() {
        let t = parse_time("2026-01-31T14:01:31Z").unwrap();
        assert_eq!(format_time(t), "2026-01-31T14:01:31Z");
        assert_eq!(parse_time("2026-01-31T14:01:31+00:00"), Some(t));
        assert_eq!(parse_time("2026-01-31T15:01:31.000+01:00"), Some(t));
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time(""), None);
    }

    #[test]
    fn hex_decodes_both_cases_and_refuses_anything_else() {
        assert_eq!(from_hex("00ffAb"), Some(vec![0, 255, 0xab]));
        assert_eq!(from_hex(""), Some(vec![]));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex("é1"), None);
    }
}
