//! What the reviewer brings from outside the bundle: trusted keys (spec §5.2) and
//! checkpoints (§6), and the Ed25519 check of a signature against them.
//!
//! The key inside a bundle proves nothing by itself; only a key in the reviewer's own
//! list makes a signature "trusted". This module never reads the bundle.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, VerifyingKey};

use crate::bundle::ManifestSignature;
use crate::canonical::{self, Digest32, Json, parse_hash_hex};
use crate::{Error, Result};

/// The reviewer's trusted keys: key id and Ed25519 public key for our bundles, and
/// AWS CloudTrail's RSA keys as `aws cloudtrail list-public-keys` prints them.
#[derive(Debug, Clone, Default)]
pub struct TrustedKeys {
    keys: Vec<(String, [u8; 32])>,
    /// list-public-keys outputs (the file they came from, their text), read by the
    /// CloudTrail source: the keys a trail's digests must be signed with to be verified.
    aws_key_lists: Vec<(std::path::PathBuf, String)>,
}

impl TrustedKeys {
    /// Parses a trusted-keys file: `<key_id> <base64 public key>` a line, `#` comments;
    /// or the JSON `aws cloudtrail list-public-keys` prints (a `PublicKeyList`).
    pub fn parse(text: &str, path: &Path) -> Result<TrustedKeys> {
        if text.trim_start().starts_with('{') {
            return TrustedKeys::parse_aws_list(text, path);
        }
        let mut keys = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let error = |reason: &str| Error::TrustedKeys {
                path: path.to_owned(),
                line: index as u64 + 1,
                reason: reason.to_owned(),
            };
            let mut parts = line.split_whitespace();
            let (Some(key_id), Some(key), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(error("expected `<key_id> <base64 public key>`"));
            };
            let public_key = decode_public_key(key)
                .ok_or_else(|| error("the public key is not 32 bytes of base64"))?;
            keys.push((key_id.to_owned(), public_key));
        }
        Ok(TrustedKeys {
            keys,
            aws_key_lists: Vec::new(),
        })
    }

    /// A list-public-keys output: checked for its shape here, its keys read by the
    /// CloudTrail source (which refuses the file if one of them is not a key).
    fn parse_aws_list(text: &str, path: &Path) -> Result<TrustedKeys> {
        let error = |reason: String| Error::TrustedKeys {
            path: path.to_owned(),
            line: 1,
            reason,
        };
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| error(format!("not JSON and not key lines: {e}")))?;
        let n = value
            .get("PublicKeyList")
            .and_then(serde_json::Value::as_array)
            .map(Vec::len)
            .ok_or_else(|| {
                error(
                    "JSON, but not `aws cloudtrail list-public-keys` output (no PublicKeyList)"
                        .into(),
                )
            })?;
        if n == 0 {
            return Err(error("the PublicKeyList is empty: it trusts no key".into()));
        }
        Ok(TrustedKeys {
            keys: Vec::new(),
            aws_key_lists: vec![(path.to_owned(), text.to_owned())],
        })
    }

    /// Another file's keys beside these.
    pub fn extend(&mut self, other: TrustedKeys) {
        self.keys.extend(other.keys);
        self.aws_key_lists.extend(other.aws_key_lists);
    }

    /// The CloudTrail key lists trusted: (file, list-public-keys JSON).
    pub fn aws_key_lists(&self) -> &[(std::path::PathBuf, String)] {
        &self.aws_key_lists
    }

    pub fn load(path: &Path) -> Result<TrustedKeys> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        TrustedKeys::parse(&text, path)
    }

    pub fn add(&mut self, key_id: &str, public_key: [u8; 32]) {
        self.keys.push((key_id.to_owned(), public_key));
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.aws_key_lists.is_empty()
    }

    /// The trusted Ed25519 keys as trusted-keys lines (`<key_id> <base64>`), and the
    /// AWS key lists by file: what a journal records as the keys a check trusted.
    pub fn describe(&self) -> Vec<String> {
        self.keys
            .iter()
            .map(|(id, key)| format!("{id} {}", BASE64.encode(key)))
            .chain(
                self.aws_key_lists
                    .iter()
                    .map(|(path, _)| format!("AWS public keys from {}", path.display())),
            )
            .collect()
    }

    fn by_id(&self, key_id: &str) -> Option<&[u8; 32]> {
        self.keys
            .iter()
            .find(|(id, _)| id == key_id)
            .map(|(_, key)| key)
    }

    pub fn contains_key(&self, public_key: &[u8; 32]) -> Option<&str> {
        self.keys
            .iter()
            .find(|(_, key)| key == public_key)
            .map(|(id, _)| id.as_str())
    }
}

fn decode_public_key(text: &str) -> Option<[u8; 32]> {
    BASE64.decode(text).ok()?.try_into().ok()
}

/// How a signature stands against the trusted keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Valid, by a key the reviewer trusts (its id in the reviewer's list).
    Trusted { key_id: String },
    /// Valid under the key it carries, but that key is not trusted.
    Untrusted { why: String },
    /// Not a valid signature of these bytes.
    Invalid { why: String },
}

/// Checks a spec §5.2 signature block over `message`.
pub fn check_signature(
    signature: &ManifestSignature,
    message: &[u8],
    trusted: &TrustedKeys,
) -> SignatureCheck {
    if signature.alg != "ed25519" {
        return SignatureCheck::Invalid {
            why: format!("unsupported signature algorithm {:?}", signature.alg),
        };
    }
    let Some(value) = BASE64
        .decode(&signature.value)
        .ok()
        .and_then(|v| <[u8; 64]>::try_from(v).ok())
    else {
        return SignatureCheck::Invalid {
            why: "the signature value is not 64 bytes of base64".into(),
        };
    };
    let value = Signature::from_bytes(&value);
    let verifies = |key: &[u8; 32]| {
        VerifyingKey::from_bytes(key).is_ok_and(|key| key.verify_strict(message, &value).is_ok())
    };
    // A trusted key with the claimed id decides first: a forger may claim a trusted id.
    if let Some(key) = trusted.by_id(&signature.key_id)
        && verifies(key)
    {
        return SignatureCheck::Trusted {
            key_id: signature.key_id.clone(),
        };
    }
    let embedded = decode_public_key(&signature.public_key);
    if let Some(embedded) = embedded
        && let Some(trusted_id) = trusted.contains_key(&embedded)
        && verifies(&embedded)
    {
        return SignatureCheck::Trusted {
            key_id: trusted_id.to_owned(),
        };
    }
    match embedded {
        Some(embedded) if verifies(&embedded) => {
            let why = if trusted.by_id(&signature.key_id).is_some() {
                format!(
                    "it claims the trusted key id {:?} but was made with a different key",
                    signature.key_id
                )
            } else {
                format!("key {:?} is not among your trusted keys", signature.key_id)
            };
            SignatureCheck::Untrusted { why }
        }
        Some(_) => SignatureCheck::Invalid {
            why: "the signature does not verify".into(),
        },
        None => SignatureCheck::Invalid {
            why: "the public key is not 32 bytes of base64".into(),
        },
    }
}

/// A chain head published earlier, spec §6.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub chain: String,
    pub seq: u64,
    pub hash: Digest32,
    pub ts: Option<String>,
    /// Set when the checkpoint carries a signature that did not check out.
    pub signature_problem: Option<String>,
    pub line: u64,
}

/// Parses a checkpoints file (JSON Lines). The reviewer obtained it separately, so its
/// checkpoints are trusted as given; one whose signature does not verify is suspect.
pub fn parse_checkpoints(
    text: &str,
    path: &Path,
    trusted: &TrustedKeys,
) -> Result<Vec<Checkpoint>> {
    let mut checkpoints = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let error = |reason: String| Error::Checkpoints {
            path: path.to_owned(),
            line: line_no,
            reason,
        };
        let json = canonical::parse(line.as_bytes()).map_err(|e| error(e.to_string()))?;
        let chain = json
            .get("chain")
            .and_then(Json::as_str)
            .ok_or_else(|| error("\"chain\" is missing".into()))?;
        let seq = match json.get("seq") {
            Some(Json::Number(n)) if n.fract() == 0.0 && *n >= 1.0 => *n as u64,
            _ => return Err(error("\"seq\" is not a positive integer".into())),
        };
        let hash = json
            .get("hash")
            .and_then(Json::as_str)
            .and_then(parse_hash_hex)
            .ok_or_else(|| error("\"hash\" is not 64 lowercase hex digits".into()))?;
        let signature_problem = match json.get("signature") {
            None | Some(Json::Null) => None,
            Some(sig) => {
                let block = ManifestSignature {
                    alg: sig
                        .get("alg")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    key_id: sig
                        .get("key_id")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    public_key: sig
                        .get("public_key")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    value: sig
                        .get("value")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                };
                let mut message = Vec::new();
                json.write_canonical_skipping(&mut message, Some("signature"));
                match check_signature(&block, &message, trusted) {
                    // The reviewer brought the file; an untrusted key adds nothing but
                    // takes nothing away. Only a signature that does not verify is suspect.
                    SignatureCheck::Trusted { .. } | SignatureCheck::Untrusted { .. } => None,
                    SignatureCheck::Invalid { why } => Some(format!("checkpoint signature: {why}")),
                }
            }
        };
        checkpoints.push(Checkpoint {
            chain: chain.to_owned(),
            seq,
            hash,
            ts: json.get("ts").and_then(Json::as_str).map(str::to_owned),
            signature_problem,
            line: line_no,
        });
    }
    Ok(checkpoints)
}

/// Reads a checkpoints file.
pub fn load_checkpoints(path: &Path, trusted: &TrustedKeys) -> Result<Vec<Checkpoint>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_checkpoints(&text, path, trusted)
}
