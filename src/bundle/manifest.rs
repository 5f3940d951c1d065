//! The bundle manifest (spec §5; version 2 adds each chain's `merkle_root`), parsed
//! strictly but without judging it.
//!
//! Parsing extracts what the manifest claims; whether those claims hold is the
//! verifier's business. A manifest that cannot be parsed at all is reported as
//! such by the caller, never silently treated as absent.

use crate::canonical::{self, Digest32, Json, parse_hash_hex};

/// The versions of the format this reviewer reads (`format_version` in the manifest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FormatVersion {
    /// `spec/audit-bundle-v1.md`: an event's hash over the event without `hash`; a
    /// stub's hash is a bare claim.
    V1,
    /// `spec/audit-bundle-v2.md`: `hash = SHA-256(prev_hash ‖ body_hash)`, recomputed
    /// for stubs too, and each chain's Merkle root in the manifest.
    V2,
}

impl FormatVersion {
    /// The version a producer writes unless told otherwise.
    pub const LATEST: FormatVersion = FormatVersion::V2;

    /// The number the manifest spells it with.
    pub fn number(self) -> u32 {
        match self {
            FormatVersion::V1 => 1,
            FormatVersion::V2 => 2,
        }
    }

    /// The version numbered `number`, if it is one this reviewer reads.
    pub fn from_number(number: u64) -> Option<FormatVersion> {
        match number {
            1 => Some(FormatVersion::V1),
            2 => Some(FormatVersion::V2),
            _ => None,
        }
    }
}

/// One chain as the manifest pins it.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestChain {
    pub id: String,
    pub first_seq: u64,
    pub last_seq: u64,
    pub event_count: u64,
    pub start_prev_hash: Digest32,
    pub head_hash: Digest32,
    /// Version 2: the RFC 6962 tree hash over the chain's event hashes, seq 1 to
    /// `last_seq`. `None` when the manifest gives none (a version 1 manifest).
    pub merkle_root: Option<Digest32>,
}

/// One events file as the manifest pins it.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: Digest32,
    pub bytes: u64,
}

/// The manifest's signature block, as written (not yet checked).
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestSignature {
    pub alg: String,
    pub key_id: String,
    pub public_key: String,
    pub value: String,
}

/// Who or what produced and exported the bundle: shown to the reviewer, proves nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provenance {
    pub bundle_id: Option<String>,
    pub producer: Option<String>,
    pub exported_at: Option<String>,
    pub exported_by: Option<String>,
    pub scope: Option<String>,
    /// The format version the bundle declares and was read as, when it is one this
    /// reviewer reads; `None` without a manifest (each line is read by its own shape).
    pub format_version: Option<FormatVersion>,
}

/// A parsed manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub format: Option<String>,
    pub format_version: Option<f64>,
    pub provenance: Provenance,
    pub chains: Vec<ManifestChain>,
    pub files: Vec<ManifestFile>,
    pub signature: Option<ManifestSignature>,
    /// `UTF-8(JCS(manifest without "signature"))`: the bytes the signature covers.
    pub signed_bytes: Vec<u8>,
    /// SHA-256 of the manifest file's bytes as read.
    pub file_sha256: Digest32,
    /// The manifest file's bytes as read (an excerpt carries them verbatim).
    pub bytes: Vec<u8>,
}

impl Manifest {
    /// The version the manifest declares, or why it is none this reviewer reads.
    pub fn version(&self) -> Result<FormatVersion, String> {
        let spelled = match self.format_version {
            Some(n) => n.to_string(),
            None => "missing".to_owned(),
        };
        match (self.format.as_deref(), self.format_version) {
            (Some("audit-bundle"), Some(n)) if n.fract() == 0.0 && n >= 0.0 => {
                FormatVersion::from_number(n as u64).ok_or_else(|| {
                    format!(
                        "format_version {spelled} is not one this reviewer reads (1 or 2): nothing about its rules can be checked"
                    )
                })
            }
            (format, _) => Err(format!(
                "format {:?} version {spelled} is not audit-bundle version 1 or 2",
                format.unwrap_or("missing")
            )),
        }
    }

    /// Parses `manifest.json`. The error says what is wrong, for a finding.
    pub fn parse(text: &[u8]) -> Result<Manifest, String> {
        let json =
            canonical::parse(text).map_err(|e| format!("manifest.json is not valid JSON: {e}"))?;
        if !matches!(json, Json::Object(_)) {
            return Err("manifest.json is not a JSON object".into());
        }
        let mut signed_bytes = Vec::with_capacity(text.len());
        json.write_canonical_skipping(&mut signed_bytes, Some("signature"));

        let chains = match json.get("chains") {
            Some(Json::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    parse_chain(item).map_err(|e| format!("manifest chains[{i}]: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err("manifest \"chains\" is not an array".into()),
            None => return Err("manifest has no \"chains\"".into()),
        };
        let files = match json.get("files") {
            Some(Json::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| parse_file(item).map_err(|e| format!("manifest files[{i}]: {e}")))
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err("manifest \"files\" is not an array".into()),
            None => return Err("manifest has no \"files\"".into()),
        };
        let signature = match json.get("signature") {
            None | Some(Json::Null) => None,
            Some(sig @ Json::Object(_)) => Some(ManifestSignature {
                alg: string_field(sig, "alg").unwrap_or_default(),
                key_id: string_field(sig, "key_id").unwrap_or_default(),
                public_key: string_field(sig, "public_key").unwrap_or_default(),
                value: string_field(sig, "value").unwrap_or_default(),
            }),
            Some(_) => return Err("manifest \"signature\" is not an object".into()),
        };
        let provenance = Provenance {
            bundle_id: string_field(&json, "bundle_id"),
            producer: json.get("producer").map(|p| {
                let name = string_field(p, "name").unwrap_or_else(|| "unknown producer".into());
                match string_field(p, "version") {
                    Some(version) => format!("{name} {version}"),
                    None => name,
                }
            }),
            exported_at: string_field(&json, "exported_at"),
            exported_by: json
                .get("exported_by")
                .and_then(|p| string_field(p, "name").or_else(|| string_field(p, "id"))),
            scope: json
                .get("scope")
                .and_then(|s| string_field(s, "description")),
            format_version: None,
        };
        let mut manifest = Manifest {
            format: string_field(&json, "format"),
            format_version: match json.get("format_version") {
                Some(Json::Number(n)) => Some(*n),
                _ => None,
            },
            provenance,
            chains,
            files,
            signature,
            signed_bytes,
            file_sha256: canonical::sha256(text),
            bytes: text.to_vec(),
        };
        manifest.provenance.format_version = manifest.version().ok();
        Ok(manifest)
    }

    /// The manifest's entry for a chain.
    pub fn chain(&self, id: &str) -> Option<&ManifestChain> {
        self.chains.iter().find(|c| c.id == id)
    }
}

fn string_field(json: &Json<'_>, key: &str) -> Option<String> {
    json.get(key).and_then(Json::as_str).map(str::to_owned)
}

fn u64_field(json: &Json<'_>, key: &str) -> Result<u64, String> {
    match json.get(key) {
        Some(Json::Number(n)) if n.fract() == 0.0 && *n >= 0.0 && *n <= 9_007_199_254_740_991.0 => {
            Ok(*n as u64)
        }
        Some(_) => Err(format!("\"{key}\" is not a non-negative integer")),
        None => Err(format!("\"{key}\" is missing")),
    }
}

fn hash_field(json: &Json<'_>, key: &str) -> Result<Digest32, String> {
    let text = json
        .get(key)
        .and_then(Json::as_str)
        .ok_or_else(|| format!("\"{key}\" is missing or not a string"))?;
    parse_hash_hex(text).ok_or_else(|| format!("\"{key}\" is not 64 lowercase hex digits"))
}

fn parse_chain(item: &Json<'_>) -> Result<ManifestChain, String> {
    Ok(ManifestChain {
        id: string_field(item, "id").ok_or("\"id\" is missing or not a string")?,
        first_seq: u64_field(item, "first_seq")?,
        last_seq: u64_field(item, "last_seq")?,
        event_count: u64_field(item, "event_count")?,
        start_prev_hash: hash_field(item, "start_prev_hash")?,
        head_hash: hash_field(item, "head_hash")?,
        merkle_root: match item.get("merkle_root") {
            None => None,
            Some(_) => Some(hash_field(item, "merkle_root")?),
        },
    })
}

fn parse_file(item: &Json<'_>) -> Result<ManifestFile, String> {
    Ok(ManifestFile {
        path: string_field(item, "path").ok_or("\"path\" is missing or not a string")?,
        sha256: hash_field(item, "sha256")?,
        bytes: u64_field(item, "bytes")?,
    })
}
