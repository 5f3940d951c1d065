//! A CloudTrail digest file (reference §1.3), the string its signature covers (§1.6),
//! and the `aws s3api head-object` output that carries the signature offline (§1.4).
//!
//! The string to sign is built exactly as awscli's `_create_string_to_sign` does: the
//! JSON string values as they decode (never re-formatted), joined by LF (AWS's Java
//! sample uses `%n`, which is CRLF on Windows: a trap), with the SHA-256 of the inflated
//! digest bytes as they arrived (never of re-serialized JSON), and the literal `null`
//! when there is no previous signature.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

use super::parse_time;

/// The signature algorithm CloudTrail uses, and the only one accepted.
pub const SIGNATURE_ALGORITHM: &str = "SHA256withRSA";

/// The hash algorithm of `previousDigestHashValue` and `logFiles[].hashValue`.
pub const HASH_ALGORITHM: &str = "SHA-256";

/// A digest file's fields. `None` is JSON `null` (or, for optional fields, absent).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestFile {
    pub aws_account_id: Option<String>,
    /// The window of delivery times this digest covers, as written.
    #[serde(deserialize_with = "present")]
    pub digest_start_time: Option<String>,
    #[serde(deserialize_with = "present")]
    pub digest_end_time: Option<String>,
    /// Where CloudTrail delivered this digest (signed: `bucket/object`).
    #[serde(rename = "digestS3Bucket", deserialize_with = "present")]
    pub digest_s3_bucket: Option<String>,
    #[serde(rename = "digestS3Object", deserialize_with = "present")]
    pub digest_s3_object: Option<String>,
    #[serde(deserialize_with = "present")]
    pub digest_public_key_fingerprint: Option<String>,
    pub digest_signature_algorithm: Option<String>,
    pub newest_event_time: Option<String>,
    pub oldest_event_time: Option<String>,
    /// The link to the previous digest: all null in a chain's starting digest.
    #[serde(rename = "previousDigestS3Bucket")]
    pub previous_digest_s3_bucket: Option<String>,
    #[serde(rename = "previousDigestS3Object")]
    pub previous_digest_s3_object: Option<String>,
    pub previous_digest_hash_value: Option<String>,
    pub previous_digest_hash_algorithm: Option<String>,
    #[serde(deserialize_with = "present")]
    pub previous_digest_signature: Option<String>,
    #[serde(default, deserialize_with = "null_is_empty")]
    pub log_files: Vec<ListedLogFile>,
}

/// One entry of `logFiles[]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedLogFile {
    #[serde(rename = "s3Bucket")]
    pub s3_bucket: Option<String>,
    #[serde(rename = "s3Object")]
    pub s3_object: String,
    /// Hex SHA-256 of the inflated log file.
    pub hash_value: String,
    pub hash_algorithm: Option<String>,
    pub newest_event_time: Option<String>,
    pub oldest_event_time: Option<String>,
}

/// The keys awscli requires present (they may be null): `required_digest_keys`. Serde
/// would read a missing `Option` as `None`; this keeps "absent" an error.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d)
}

fn null_is_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ListedLogFile>, D::Error> {
    Ok(Option::<Vec<ListedLogFile>>::deserialize(d)?.unwrap_or_default())
}

impl DigestFile {
    /// Parses the inflated bytes. Unknown fields are ignored (AWS adds some); a wrong
    /// type, a duplicate field or a missing required one is an error in words.
    pub fn parse(inflated: &[u8]) -> Result<DigestFile, String> {
        serde_json::from_slice(inflated).map_err(|e| format!("not a digest file: {e}"))
    }

    pub fn start(&self) -> Option<DateTime<Utc>> {
        self.digest_start_time.as_deref().and_then(parse_time)
    }

    pub fn end(&self) -> Option<DateTime<Utc>> {
        self.digest_end_time.as_deref().and_then(parse_time)
    }

    /// Whether it starts a chain: no link to a previous digest.
    pub fn is_chain_start(&self) -> bool {
        self.previous_digest_s3_object.is_none()
    }

    /// The string the signature covers, given the hex SHA-256 of the inflated digest.
    /// `Err` names the signed field that is null.
    pub fn string_to_sign(&self, inflated_sha256_hex: &str) -> Result<String, String> {
        let field = |value: &Option<String>, name: &str| {
            value
                .clone()
                .ok_or_else(|| format!("{name} is null, so nothing can be signed"))
        };
        let end = field(&self.digest_end_time, "digestEndTime")?;
        let bucket = field(&self.digest_s3_bucket, "digestS3Bucket")?;
        let object = field(&self.digest_s3_object, "digestS3Object")?;
        // "null" to match the Java implementation (awscli's comment).
        let previous = self.previous_digest_signature.as_deref().unwrap_or("null");
        Ok(format!(
            "{end}\n{bucket}/{object}\n{inflated_sha256_hex}\n{previous}"
        ))
    }
}

/// The signature of a digest as `aws s3api head-object` prints it (`Metadata` holds the
/// `x-amz-meta-*` headers without their prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadObject {
    /// Hex RSA signature.
    pub signature: Option<String>,
    pub algorithm: Option<String>,
    /// Backfill digests carry it; kept for the report.
    pub backfill_generation_timestamp: Option<String>,
}

impl HeadObject {
    /// Parses head-object output. Metadata names are matched without regard to case
    /// (S3 lowercases them, but a hand-made file may not).
    pub fn parse(json: &[u8]) -> Result<HeadObject, String> {
        let value: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| format!("not JSON ({e})"))?;
        let metadata = value
            .get("Metadata")
            .and_then(serde_json::Value::as_object)
            .ok_or("no Metadata object: not `aws s3api head-object` output")?;
        let get = |name: &str| {
            metadata
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .and_then(|(_, value)| value.as_str())
                .map(str::to_owned)
        };
        Ok(HeadObject {
            signature: get("signature"),
            algorithm: get("signature-algorithm"),
            backfill_generation_timestamp: get("backfill-generation-timestamp"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
        "awsAccountId": "111122223333",
        "digestStartTime": "2015-08-17T14:01:31Z",
        "digestEndTime": "2015-08-17T15:01:31Z",
        "digestS3Bucket": "S3-bucket-name",
        "digestS3Object": "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz",
        "digestPublicKeyFingerprint": "31e8b5433410dfb61a9dc45cc65b22ff",
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": "2015-08-17T14:52:27Z",
        "oldestEventTime": "2015-08-17T14:42:27Z",
        "previousDigestS3Bucket": "S3-bucket-name",
        "previousDigestS3Object": "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T140131Z.json.gz",
        "previousDigestHashValue": "97fb791cf91ffc440d274f8190dbdd9aa09c34432aba82739df18b6d3c13df2d",
        "previousDigestHashAlgorithm": "SHA-256",
        "previousDigestSignature": "50887ccffad4c002b97caa37cc9dc626e3c680207d41d27fa5835458e066e0d3",
        "logFiles": [{
            "s3Bucket": "S3-bucket-name",
            "s3Object": "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1445Z_9nYN7gp2eWAJHIfT.json.gz",
            "hashValue": "9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6",
            "hashAlgorithm": "SHA-256",
            "newestEventTime": "2015-08-17T14:52:27Z",
            "oldestEventTime": "2015-08-17T14:42:27Z"
        }],
        "someFieldAwsAddsLater": {"x": 1}
    }"#;

    #[test]
    fn the_documented_sample_parses_and_signs_as_awscli_builds_it() {
        let digest = DigestFile::parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(digest.log_files.len(), 1);
        assert_eq!(
            digest.log_files[0].hash_algorithm.as_deref(),
            Some(HASH_ALGORITHM)
        );
        assert!(!digest.is_chain_start());
        assert_eq!(digest.end(), parse_time("2015-08-17T15:01:31Z"));
        let to_sign = digest.string_to_sign("abc").unwrap();
        assert_eq!(
            to_sign,
            "2015-08-17T15:01:31Z\nS3-bucket-name/AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz\nabc\n50887ccffad4c002b97caa37cc9dc626e3c680207d41d27fa5835458e066e0d3"
        );
        assert!(!to_sign.contains('\r'));
    }

    #[test]
    fn a_starting_digest_signs_the_literal_null() {
        let start = SAMPLE
            .replace(r#""previousDigestSignature": "50887ccffad4c002b97caa37cc9dc626e3c680207d41d27fa5835458e066e0d3""#, r#""previousDigestSignature": null"#)
            .replace(r#""previousDigestS3Object": "AWSLogs"#, r#""ignored": "AWSLogs"#);
        let digest = DigestFile::parse(start.as_bytes()).unwrap();
        assert!(digest.is_chain_start());
        assert!(digest.string_to_sign("h").unwrap().ends_with("\nh\nnull"));
    }

    #[test]
    fn strings_are_used_as_they_decode() {
        let escaped = SAMPLE.replace(
            "2015-08-17T15:01:31Z\",\n        \"digestS3Bucket",
            "2015-08-17T15:01:31\\u005a\",\n        \"digestS3Bucket",
        );
        let digest = DigestFile::parse(escaped.as_bytes()).unwrap();
        assert!(
            digest
                .string_to_sign("h")
                .unwrap()
                .starts_with("2015-08-17T15:01:31Z\n")
        );
    }

    #[test]
    fn missing_required_fields_wrong_types_and_duplicates_are_refused() {
        let missing = SAMPLE.replace("\"digestPublicKeyFingerprint\"", "\"fingerprintElsewhere\"");
        assert!(
            DigestFile::parse(missing.as_bytes())
                .unwrap_err()
                .contains("digestPublicKeyFingerprint")
        );
        let number = SAMPLE.replace("\"2015-08-17T15:01:31Z\"", "1439823691");
        assert!(DigestFile::parse(number.as_bytes()).is_err());
        let duplicate = SAMPLE.replace(
            "\"newestEventTime\": \"2015-08-17T14:52:27Z\",\n        \"oldest",
            "\"newestEventTime\": \"x\", \"newestEventTime\": \"y\",\n        \"oldest",
        );
        assert!(DigestFile::parse(duplicate.as_bytes()).is_err());
        for bad in ["", "[]", "null", "{", "\"x\""] {
            assert!(DigestFile::parse(bad.as_bytes()).is_err(), "{bad}");
        }
        let no_log_files = SAMPLE.replace("\"logFiles\"", "\"x\"");
        assert!(
            DigestFile::parse(no_log_files.as_bytes())
                .unwrap()
                .log_files
                .is_empty()
        );
        let null_end = SAMPLE.replace(
            "\"digestEndTime\": \"2015-08-17T15:01:31Z\"",
            "\"digestEndTime\": null",
        );
        let digest = DigestFile::parse(null_end.as_bytes()).unwrap();
        assert!(
            digest
                .string_to_sign("h")
                .unwrap_err()
                .contains("digestEndTime")
        );
    }

    #[test]
    fn head_object_output_gives_the_signature() {
        let json = br#"{"AcceptRanges":"bytes","ContentLength":1234,"Metadata":{"signature":"00ff","Signature-Algorithm":"SHA256withRSA"}}"#;
        let head = HeadObject::parse(json).unwrap();
        assert_eq!(head.signature.as_deref(), Some("00ff"));
        assert_eq!(head.algorithm.as_deref(), Some(SIGNATURE_ALGORITHM));
        assert_eq!(
            HeadObject::parse(br#"{"Metadata":{}}"#).unwrap().signature,
            None
        );
        assert!(HeadObject::parse(br#"{"ContentLength":1}"#).is_err());
        assert!(HeadObject::parse(b"\xff").is_err());
    }
}
