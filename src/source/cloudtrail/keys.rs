//! CloudTrail's public keys, as `aws cloudtrail list-public-keys` prints them, and the
//! RSA check of a digest's signature.
//!
//! A key is found by its fingerprint: the lowercase hex MD5 of the DER bytes exactly as
//! delivered (reference §1.5; checked against AWS's sample keys). AWS delivers PKCS#1
//! `RSAPublicKey` DER, but its own docs show a SubjectPublicKeyInfo too, so both are
//! accepted and the fingerprint is computed over whichever bytes came. Where a key came
//! from decides trust: keys in the folder's `public-keys/` were put there by whoever made
//! the folder; only keys the reviewer brings make a digest verified rather than intact.
//!
//! Versions: `rsa` 0.10 is built on `digest` 0.11, the same as the workspace's `sha2`
//! 0.11 and `md-5` 0.11, so `Sha256` here is the very type `rsa` hashes with; no second
//! `sha2` is compiled (rsa 0.9 would have needed `sha2` 0.10 beside ours).

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use md5::{Digest as _, Md5};
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::pkcs8::DecodePublicKey as _;
use serde_json::Value;
use sha2::Sha256;

use super::parse_time;
use crate::canonical::to_hex;
use crate::{Error, Result};

/// Largest keys file read (a year of monthly keys in every region is a few hundred KB).
pub const MAX_KEYS_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// How the DER bytes of a key were encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyEncoding {
    /// PKCS#1 `RSAPublicKey`, as CloudTrail delivers it.
    Pkcs1,
    /// X.509 `SubjectPublicKeyInfo`.
    Spki,
}

/// Where a key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    /// The evidence folder's `public-keys/` (the path relative to the folder): whoever
    /// made the folder chose it.
    Folder(String),
    /// A file the reviewer trusts (its path).
    Trusted(String),
}

/// One public key with its validity window.
#[derive(Debug, Clone)]
pub struct TrailKey {
    /// Lowercase hex MD5 of the DER bytes as delivered.
    pub fingerprint: String,
    pub encoding: KeyEncoding,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
    pub origin: KeyOrigin,
    key: rsa::PublicKey,
}

impl TrailKey {
    /// A key from its DER bytes (PKCS#1 or SubjectPublicKeyInfo).
    pub fn from_der(
        der: &[u8],
        valid_from: Option<DateTime<Utc>>,
        valid_to: Option<DateTime<Utc>>,
        origin: KeyOrigin,
    ) -> std::result::Result<TrailKey, String> {
        let (key, encoding) = decode_public_key(der)?;
        Ok(TrailKey {
            fingerprint: fingerprint(der),
            encoding,
            valid_from,
            valid_to,
            origin,
            key,
        })
    }

    pub fn is_trusted(&self) -> bool {
        matches!(self.origin, KeyOrigin::Trusted(_))
    }

    /// Whether the validity window holds `time`; `None` when the window is not known.
    pub fn covers(&self, time: DateTime<Utc>) -> Option<bool> {
        let (from, to) = (self.valid_from?, self.valid_to?);
        Some(from <= time && time <= to)
    }

    /// RSASSA-PKCS1-v1_5 over `message`, requiring SHA-256: a signature whose DigestInfo
    /// names another hash fails, unlike python-rsa, which takes the hash from it.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key
            .pkcs1v15_verify::<Sha256>(message, signature)
            .is_ok()
    }

    /// Where it came from, in words.
    pub fn describe_origin(&self) -> String {
        match &self.origin {
            KeyOrigin::Folder(file) => format!("the folder's {file}"),
            KeyOrigin::Trusted(file) => format!("your trusted keys ({file})"),
        }
    }
}

/// Lowercase hex MD5 of the DER bytes: CloudTrail's key fingerprint.
pub fn fingerprint(der: &[u8]) -> String {
    to_hex(&Md5::digest(der))
}

/// An RSA public key from PKCS#1 or SubjectPublicKeyInfo DER.
pub fn decode_public_key(der: &[u8]) -> std::result::Result<(rsa::PublicKey, KeyEncoding), String> {
    if let Ok(key) = rsa::PublicKey::from_pkcs1_der(der) {
        return Ok((key, KeyEncoding::Pkcs1));
    }
    rsa::PublicKey::from_public_key_der(der)
        .map(|key| (key, KeyEncoding::Spki))
        .map_err(|e| format!("not an RSA public key in PKCS#1 or SubjectPublicKeyInfo DER ({e})"))
}

/// Public keys by fingerprint, trusted and not.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    keys: Vec<TrailKey>,
}

impl KeyRing {
    pub fn new() -> KeyRing {
        KeyRing::default()
    }

    /// The reviewer's trusted keys from a file in `list-public-keys` JSON shape.
    pub fn load_trusted(path: &Path) -> Result<KeyRing> {
        let invalid = |reason: String| Error::KeyFile {
            path: path.to_owned(),
            reason,
        };
        let size = std::fs::metadata(path)
            .map_err(|e| Error::io(path, e))?
            .len();
        if size > MAX_KEYS_FILE_BYTES {
            return Err(invalid(format!(
                "{size} bytes, more than a keys file can be ({MAX_KEYS_FILE_BYTES})"
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let mut ring = KeyRing::new();
        let origin = KeyOrigin::Trusted(path.display().to_string());
        let problems = ring.add_listed(&bytes, &origin).map_err(&invalid)?;
        if let Some(first) = problems.first() {
            return Err(invalid(first.clone()));
        }
        Ok(ring)
    }

    pub fn add(&mut self, key: TrailKey) {
        self.keys.push(key);
    }

    /// Adds every key of a `list-public-keys` output. `Err` when the file is no such
    /// output at all; otherwise the problems with single keys (skipped, or kept with a
    /// fingerprint that disagrees with the file's), in words.
    pub fn add_listed(
        &mut self,
        json: &[u8],
        origin: &KeyOrigin,
    ) -> std::result::Result<Vec<String>, String> {
        let value: Value = serde_json::from_slice(json).map_err(|e| format!("not JSON ({e})"))?;
        let Some(list) = value.get("PublicKeyList").and_then(Value::as_array) else {
            return Err(
                "no PublicKeyList: not `aws cloudtrail list-public-keys` output".to_owned(),
            );
        };
        let mut problems = Vec::new();
        for (index, entry) in list.iter().enumerate() {
            match listed_key(entry, origin) {
                Ok((key, declared)) => {
                    if let Some(declared) = declared
                        && !declared.eq_ignore_ascii_case(&key.fingerprint)
                    {
                        problems.push(format!(
                            "key {} says its fingerprint is {declared}, but the MD5 of its bytes is {}; it is used under the computed one",
                            index + 1,
                            key.fingerprint
                        ));
                    }
                    self.keys.push(key);
                }
                Err(why) => problems.push(format!("key {} skipped: {why}", index + 1)),
            }
        }
        Ok(problems)
    }

    /// Every key with this fingerprint (either case), trusted ones first.
    pub fn with_fingerprint(&self, fingerprint: &str) -> Vec<&TrailKey> {
        self.all()
            .filter(|k| k.fingerprint.eq_ignore_ascii_case(fingerprint))
            .collect()
    }

    /// Every key, trusted ones first (for a digest whose fingerprint names none).
    pub fn all(&self) -> impl Iterator<Item = &TrailKey> {
        let trusted = self.keys.iter().filter(|k| k.is_trusted());
        trusted.chain(self.keys.iter().filter(|k| !k.is_trusted()))
    }

    /// Both rings' keys in one.
    pub fn merged(&self, other: &KeyRing) -> KeyRing {
        let mut keys = self.keys.clone();
        keys.extend(other.keys.iter().cloned());
        KeyRing { keys }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn trusted_count(&self) -> usize {
        self.keys.iter().filter(|k| k.is_trusted()).count()
    }
}

/// One `PublicKeyList` entry: the key and the fingerprint the file declares for it.
fn listed_key(
    entry: &Value,
    origin: &KeyOrigin,
) -> std::result::Result<(TrailKey, Option<String>), String> {
    let value = entry
        .get("Value")
        .and_then(Value::as_str)
        .ok_or("no Value (the base64 DER key)")?;
    let der = BASE64
        .decode(value.trim())
        .map_err(|e| format!("Value is not base64 ({e})"))?;
    let valid_from = entry.get("ValidityStartTime").and_then(listed_time);
    let valid_to = entry.get("ValidityEndTime").and_then(listed_time);
    let key = TrailKey::from_der(&der, valid_from, valid_to, origin.clone())?;
    let declared = entry
        .get("Fingerprint")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok((key, declared))
}

/// A validity time as the CLI prints it: ISO 8601 text by default, or epoch seconds
/// when `cli_timestamp_format` is `wire` style.
fn listed_time(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::String(text) => parse_time(text),
        Value::Number(n) => {
            let seconds = n.as_f64()?;
            if !seconds.is_finite() || seconds.abs() > 1e13 {
                return None;
            }
            DateTime::from_timestamp(seconds.floor() as i64, 0)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::cloudtrail::verify::testkit;

    #[test]
    fn fingerprint_is_md5_of_the_der_as_delivered() {
        // The reference's check: AWS's documented sample key and its Fingerprint.
        assert_eq!(fingerprint(b""), "d41d8cd98f00b204e9800998ecf8427e");
        let keys = testkit::keys();
        let pkcs1 = testkit::pkcs1_der(&keys.first);
        let spki = testkit::spki_der(&keys.first);
        assert_ne!(fingerprint(&pkcs1), fingerprint(&spki));
        assert_eq!(fingerprint(&pkcs1), to_hex(&Md5::digest(&pkcs1)));
    }

    #[test]
    fn both_encodings_decode_and_verify_only_sha256_signatures() {
        let keys = testkit::keys();
        let message = b"2026-01-01T01:00:00Z\nbucket/key\nabc\nnull";
        let signature = testkit::sign(&keys.first, message);
        for (der, encoding) in [
            (testkit::pkcs1_der(&keys.first), KeyEncoding::Pkcs1),
            (testkit::spki_der(&keys.first), KeyEncoding::Spki),
        ] {
            let key = TrailKey::from_der(&der, None, None, KeyOrigin::Folder("k".into())).unwrap();
            assert_eq!(key.encoding, encoding);
            assert!(key.verifies(message, &signature));
            assert!(!key.verifies(b"other", &signature));
            assert!(!key.verifies(message, &signature[1..]));
        }
        // The same key signing with SHA-512's DigestInfo is refused: SHA-256 is required.
        let sha512_signature = keys.first.pkcs1v15_sign::<sha2::Sha512>(message).unwrap();
        let der = testkit::pkcs1_der(&keys.first);
        let key = TrailKey::from_der(&der, None, None, KeyOrigin::Folder("k".into())).unwrap();
        assert!(!key.verifies(message, &sha512_signature));
        assert!(decode_public_key(b"\x30\x03\x02\x01\x05").is_err());
    }

    #[test]
    fn list_public_keys_output_is_read_with_windows_and_fingerprint_disagreements_said() {
        let keys = testkit::keys();
        let der = testkit::pkcs1_der(&keys.first);
        let json = format!(
            r#"{{"PublicKeyList":[
                {{"Value":"{}","ValidityStartTime":"2026-01-01T00:00:00+00:00","ValidityEndTime":"2026-02-01T00:00:00Z","Fingerprint":"{}"}},
                {{"Value":"{}","ValidityStartTime":1767225600,"ValidityEndTime":1769904000.0,"Fingerprint":"00000000000000000000000000000000"}},
                {{"Value":"not base64!"}},
                {{"Value":"AAAA"}},
                {{"Fingerprint":"x"}}
            ]}}"#,
            BASE64.encode(&der),
            fingerprint(&der),
            BASE64.encode(testkit::spki_der(&keys.second)),
        );
        let mut ring = KeyRing::new();
        let problems = ring
            .add_listed(
                json.as_bytes(),
                &KeyOrigin::Folder("public-keys/us-east-1.json".into()),
            )
            .unwrap();
        assert_eq!(ring.len(), 2);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(
            problems[0].contains("says its fingerprint is 0000"),
            "{problems:?}"
        );
        let first = ring.with_fingerprint(&fingerprint(&der))[0];
        let january = parse_time("2026-01-15T00:00:00Z").unwrap();
        let march = parse_time("2026-03-01T00:00:00Z").unwrap();
        assert_eq!(first.covers(january), Some(true));
        assert_eq!(first.covers(march), Some(false));
        let second = ring.with_fingerprint(&fingerprint(&testkit::spki_der(&keys.second)))[0];
        assert_eq!(second.covers(january), Some(true), "epoch-second windows");
        assert!(!second.is_trusted());

        for bad in [&b"[]"[..], b"{}", b"not json", br#"{"PublicKeyList":"x"}"#] {
            assert!(
                KeyRing::new()
                    .add_listed(bad, &KeyOrigin::Folder("f".into()))
                    .is_err()
            );
        }
    }

    #[test]
    fn trusted_keys_come_first_and_a_trusted_file_with_a_bad_key_is_refused() {
        let keys = testkit::keys();
        let der = testkit::pkcs1_der(&keys.first);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trusted.json");
        std::fs::write(&path, testkit::list_public_keys_json(&[(&der, None)])).unwrap();
        let trusted = KeyRing::load_trusted(&path).unwrap();
        let mut folder = KeyRing::new();
        folder.add(TrailKey::from_der(&der, None, None, KeyOrigin::Folder("p".into())).unwrap());
        let ring = folder.merged(&trusted);
        let found: Vec<bool> = ring
            .with_fingerprint(&fingerprint(&der))
            .into_iter()
            .map(TrailKey::is_trusted)
            .collect();
        assert_eq!(found, [true, false]);
        assert_eq!(ring.trusted_count(), 1);

        std::fs::write(&path, r#"{"PublicKeyList":[{"Value":"AAAA"}]}"#).unwrap();
        let error = KeyRing::load_trusted(&path).unwrap_err().to_string();
        assert!(error.contains("key 1 skipped"), "{error}");
    }
}
