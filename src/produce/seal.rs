//! Sealing a bundle: summarising its chains, writing `manifest.json` (spec §5; version
//! 2 with each chain's Merkle root, spec v2 §5) and signing it (spec §5.2), plus
//! `rehash_event` for building forged test events.
//!
//! This is the producer's side: it *trusts* the `seq`, `prev_hash` and `hash` each line
//! declares and never checks them; checking is `verify`'s job, and a sealed bundle of
//! bad events must stay bad for the verifier to find. It must never modify the events file.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::keys::SigningKeyFile;
use crate::bundle::FormatVersion;
use crate::canonical::{
    self, Json, body_hash_of_value, canonical_of_value, event_hash_of_value, linked_hash,
    parse_hash_hex, to_hex,
};
use crate::merkle::TreeBuilder;
use crate::{Error, Result};

/// The prev_hash of a chain's first event (spec §3).
pub(crate) const ZERO_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// One chain of a bundle as the manifest pins it (spec §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    pub id: String,
    pub first_seq: u64,
    pub last_seq: u64,
    /// Lines of this chain in the bundle, stubs included.
    pub event_count: u64,
    /// `prev_hash` of the chain's first event in the bundle.
    pub start_prev_hash: String,
    /// `hash` of the chain's last event in the bundle.
    pub head_hash: String,
}

/// The version 1 manifest of spec §5, unsigned. `files` are `(path, sha256 hex, bytes)`.
pub fn build_manifest(
    chains: &[ChainSummary],
    files: &[(String, String, u64)],
    bundle_id: &str,
    exported_at: &str,
) -> Value {
    manifest_of(
        FormatVersion::V1,
        chains,
        &[],
        files,
        bundle_id,
        exported_at,
    )
}

/// The version 2 manifest of spec v2 §5, unsigned: as version 1, with each chain's
/// `merkle_root` (`merkle_roots[i]`, lowercase hex, belongs to `chains[i]`; a chain
/// without one is written without, which a reviewer reports).
pub fn build_manifest_v2(
    chains: &[ChainSummary],
    merkle_roots: &[Option<String>],
    files: &[(String, String, u64)],
    bundle_id: &str,
    exported_at: &str,
) -> Value {
    manifest_of(
        FormatVersion::V2,
        chains,
        merkle_roots,
        files,
        bundle_id,
        exported_at,
    )
}

fn manifest_of(
    version: FormatVersion,
    chains: &[ChainSummary],
    merkle_roots: &[Option<String>],
    files: &[(String, String, u64)],
    bundle_id: &str,
    exported_at: &str,
) -> Value {
    let chains: Vec<Value> = chains
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut chain = json!({
                "id": c.id,
                "first_seq": c.first_seq,
                "last_seq": c.last_seq,
                "event_count": c.event_count,
                "start_prev_hash": c.start_prev_hash,
                "head_hash": c.head_hash,
            });
            if let Some(Some(root)) = merkle_roots.get(i) {
                chain["merkle_root"] = Value::String(root.clone());
            }
            chain
        })
        .collect();
    let files: Vec<Value> = files
        .iter()
        .map(|(path, sha256, bytes)| json!({"path": path, "sha256": sha256, "bytes": bytes}))
        .collect();
    json!({
        "format": "audit-bundle",
        "format_version": version.number(),
        "bundle_id": bundle_id,
        "producer": {"name": "Acme CRM", "version": "4.2.0"},
        "exported_at": exported_at,
        "exported_by": {"id": "u_001", "type": "admin", "name": "Dana Reyes"},
        "scope": {"description": "All events", "filter": {}},
        "chains": chains,
        "files": files,
    })
}

/// Signs `manifest` in place (spec §5.2): any old `signature` is dropped, the key signs
/// UTF-8(JCS(manifest without "signature")), and the new `signature` is inserted.
/// Does nothing if `manifest` is not an object.
pub fn sign_manifest(manifest: &mut Value, key: &SigningKeyFile) {
    let Some(object) = manifest.as_object_mut() else {
        return;
    };
    object.remove("signature");
    let message = canonical_of_value(manifest, Some("signature"));
    let signature = key.sign(&message);
    if let Some(object) = manifest.as_object_mut() {
        object.insert(
            "signature".to_owned(),
            json!({
                "alg": "ed25519",
                "key_id": key.key_id,
                "public_key": key.public_key_base64(),
                "value": BASE64.encode(signature),
            }),
        );
    }
}

/// Sets `event["hash"]` to the spec §3 hash of the event as it now is. Tests use it to
/// forge events whose own hash is right. An event that carries `body_hash` is rehashed
/// as version 2: its `body_hash` recomputed from its content (a stub keeps its own: the
/// content is not there), then its `hash` from `prev_hash` and `body_hash` (left as it
/// is if either is not 64 lowercase hex digits). Does nothing if `event` is not an object.
pub fn rehash_event(event: &mut Value) {
    let Some(object) = event.as_object() else {
        return;
    };
    if !object.contains_key("body_hash") {
        // event_hash_of_value leaves any existing "hash" key out of what it hashes.
        let hash = to_hex(&event_hash_of_value(event));
        if let Some(object) = event.as_object_mut() {
            object.insert("hash".to_owned(), Value::String(hash));
        }
        return;
    }
    let is_stub = object.get("omitted") == Some(&Value::Bool(true));
    let body_hash = if is_stub {
        object
            .get("body_hash")
            .and_then(Value::as_str)
            .and_then(parse_hash_hex)
    } else {
        Some(body_hash_of_value(event))
    };
    let prev_hash = event
        .get("prev_hash")
        .and_then(Value::as_str)
        .and_then(parse_hash_hex);
    if let Some(object) = event.as_object_mut()
        && let Some(body_hash) = body_hash
    {
        object.insert("body_hash".to_owned(), Value::String(to_hex(&body_hash)));
        if let Some(prev_hash) = prev_hash {
            let hash = to_hex(&linked_hash(&prev_hash, &body_hash));
            object.insert("hash".to_owned(), Value::String(hash));
        }
    }
}

/// Reads `dir/events.jsonl`, summarises its chains as the lines declare them (listed
/// by id), and writes `dir/manifest.json` (signed when `key` is given) in the version
/// the lines are written in: version 2 when the first line carries `body_hash`, else 1.
/// Returns the manifest.
///
/// Reproducible: `bundle_id` comes from the file's digest and `exported_at` from the
/// latest event timestamp, so sealing the same file twice gives the same manifest.
pub fn seal_directory(dir: &Path, key: Option<&SigningKeyFile>) -> Result<Value> {
    seal_directory_as(dir, key, None)
}

/// [`seal_directory`] declaring `version` (`None`: the version the lines are written
/// in). Refused when the first line is written in the other version, and for version 2
/// when a chain starts past seq 1: its Merkle root covers seq 1 onwards (spec v2 §5.3),
/// which a segment's events cannot give.
pub fn seal_directory_as(
    dir: &Path,
    key: Option<&SigningKeyFile>,
    version: Option<FormatVersion>,
) -> Result<Value> {
    let events_path = dir.join("events.jsonl");
    let file = File::open(&events_path).map_err(|e| Error::io(&events_path, e))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut digest = Sha256::new();
    let mut bytes = 0u64;
    let mut line = Vec::new();
    let mut line_no = 0u64;
    let mut chains = ChainSummaries::default();
    let mut version = version;
    let mut latest: Option<chrono::DateTime<chrono::FixedOffset>> = None;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(&events_path, e))?;
        if n == 0 {
            break;
        }
        digest.update(&line);
        bytes += n as u64;
        line_no += 1;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let bad = |reason: String| {
            Error::Invalid(format!(
                "{} line {line_no}: {reason}",
                events_path.display()
            ))
        };
        let event = canonical::parse(text).map_err(|e| bad(format!("not JSON: {e}")))?;
        if !matches!(event, Json::Object(_)) {
            return Err(bad("not a JSON object".to_owned()));
        }
        let string = |field: &str| {
            event
                .get(field)
                .and_then(Json::as_str)
                .ok_or_else(|| bad(format!("no string \"{field}\"")))
        };
        // The first line says which version its events are written in.
        let written_in = if event.get("body_hash").is_some() {
            FormatVersion::V2
        } else {
            FormatVersion::V1
        };
        if chains.list.is_empty() {
            match version {
                None => version = Some(written_in),
                Some(declared) if declared != written_in => {
                    return Err(bad(format!(
                        "it is written as format version {} ({}), not version {}",
                        written_in.number(),
                        match written_in {
                            FormatVersion::V1 => "it has no body_hash",
                            FormatVersion::V2 => "it carries a body_hash",
                        },
                        declared.number()
                    )));
                }
                Some(_) => {}
            }
            if version == Some(FormatVersion::V2) {
                chains.track_merkle();
            }
        }
        let chain = string("chain")?;
        let prev_hash = string("prev_hash")?;
        let hash = string("hash")?;
        let seq = match event.get("seq") {
            Some(Json::Number(n))
                if *n >= 1.0 && n.fract() == 0.0 && *n <= 9_007_199_254_740_991.0 =>
            {
                *n as u64
            }
            _ => return Err(bad("no integer \"seq\" >= 1".to_owned())),
        };
        if let Some(ts) = event.get("ts").and_then(Json::as_str)
            && let Ok(ts) = chrono::DateTime::parse_from_rfc3339(ts)
            && latest.is_none_or(|l| ts > l)
        {
            latest = Some(ts);
        }
        chains.add(chain, seq, prev_hash, hash);
    }
    let sha256 = to_hex(&digest.finalize());
    let bundle_id = format!("b-{}", &sha256[..12]);
    let exported_at = match latest {
        Some(ts) => exported_after(ts.timestamp_millis()),
        // No timestamped event at all: nothing to derive the time from.
        None => chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let files = [("events.jsonl".to_owned(), sha256, bytes)];
    if version == Some(FormatVersion::V2)
        && let Some(segment) = chains.list.iter().find(|c| c.first_seq > 1)
    {
        return Err(Error::Invalid(format!(
            "{}: chain {} starts at seq {}; a version 2 manifest pins its Merkle root over seq 1 to {}, which needs the events before seq {} (seal the whole chain, or seal as version 1)",
            events_path.display(),
            segment.id,
            segment.first_seq,
            segment.last_seq,
            segment.first_seq
        )));
    }
    // Listed by id, as the spec's sample is, whatever order the lines interleave in.
    let (chains, roots): (Vec<_>, Vec<_>) = chains.sorted_by_id().into_iter().unzip();
    let mut manifest = match version {
        Some(FormatVersion::V2) => {
            build_manifest_v2(&chains, &roots, &files, &bundle_id, &exported_at)
        }
        _ => build_manifest(&chains, &files, &bundle_id, &exported_at),
    };
    if let Some(key) = key {
        sign_manifest(&mut manifest, key);
    }
    write_manifest(&dir.join("manifest.json"), &manifest)?;
    Ok(manifest)
}

/// `exported_at` for a bundle whose last event is at `last_event_ms`: five minutes later,
/// to the second.
pub(crate) fn exported_after(last_event_ms: i64) -> String {
    let at = (last_event_ms / 1000 + 300) * 1000;
    chrono::DateTime::from_timestamp_millis(at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The manifest's bytes as written: pretty JSON and a final newline.
pub(crate) fn manifest_bytes(manifest: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(manifest).expect("a Value always serializes");
    bytes.push(b'\n');
    bytes
}

pub(crate) fn write_manifest(path: &Path, manifest: &Value) -> Result<()> {
    std::fs::write(path, manifest_bytes(manifest)).map_err(|e| Error::io(path, e))
}

/// Chains in order of first appearance, summarised line by line.
#[derive(Default)]
pub(crate) struct ChainSummaries {
    pub list: Vec<ChainSummary>,
    index: std::collections::HashMap<String, usize>,
    /// Version 2: per chain, the Merkle tree over its lines' hashes in the order added
    /// (as declared: sealing trusts the lines); `None` for a chain one of whose hashes
    /// is not 64 lowercase hex digits, which then gets no root.
    trees: Option<Vec<Option<TreeBuilder>>>,
}

impl ChainSummaries {
    /// Also builds each chain's Merkle tree (version 2). Call before the first `add`.
    pub(crate) fn track_merkle(&mut self) {
        self.trees = Some(Vec::new());
    }

    /// Each chain's Merkle root (lowercase hex; `None` without one), in list order.
    pub(crate) fn merkle_roots(&self) -> Vec<Option<String>> {
        match &self.trees {
            Some(trees) => trees
                .iter()
                .map(|tree| tree.as_ref().map(|t| to_hex(&t.root())))
                .collect(),
            None => vec![None; self.list.len()],
        }
    }

    /// The chains with their Merkle roots (see `merkle_roots`), listed by id.
    pub(crate) fn sorted_by_id(self) -> Vec<(ChainSummary, Option<String>)> {
        let roots = self.merkle_roots();
        let mut chains: Vec<_> = self.list.into_iter().zip(roots).collect();
        chains.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        chains
    }

    pub(crate) fn add(&mut self, chain: &str, seq: u64, prev_hash: &str, hash: &str) {
        let i = self.index.get(chain).copied();
        if let Some(trees) = &mut self.trees {
            if i.is_none() {
                trees.push(Some(TreeBuilder::new()));
            }
            let tree = &mut trees[i.unwrap_or(self.list.len())];
            match parse_hash_hex(hash) {
                Some(hash) => {
                    if let Some(tree) = tree {
                        tree.push(&hash);
                    }
                }
                None => *tree = None,
            }
        }
        match i {
            Some(i) => {
                let summary = &mut self.list[i];
                summary.last_seq = seq;
                summary.event_count += 1;
                summary.head_hash.clear();
                summary.head_hash.push_str(hash);
            }
            None => {
                self.index.insert(chain.to_owned(), self.list.len());
                self.list.push(ChainSummary {
                    id: chain.to_owned(),
                    first_seq: seq,
                    last_seq: seq,
                    event_count: 1,
                    start_prev_hash: prev_hash.to_owned(),
                    head_hash: hash.to_owned(),
                });
            }
        }
    }
}

/// A writer that hashes and counts the bytes it passes on (the manifest's `files[]`).
pub(crate) struct DigestWriter<W> {
    inner: W,
    digest: Sha256,
    bytes: u64,
}

impl<W: Write> DigestWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        DigestWriter {
            inner,
            digest: Sha256::new(),
            bytes: 0,
        }
    }

    /// The inner writer, the lowercase hex SHA-256 and the count of the bytes written.
    pub(crate) fn finish(self) -> (W, String, u64) {
        (self.inner, to_hex(&self.digest.finalize()), self.bytes)
    }
}

impl<W: Write> Write for DigestWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.digest.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::produce::tests::manifest_signature_verifies;

    /// `vectors/sample/manifest.json`, copied here so the signing test never depends on
    /// where the vectors are checked out.
    const SAMPLE_MANIFEST: &str = r#"{
  "format": "audit-bundle",
  "format_version": 1,
  "bundle_id": "b-dd41afa8",
  "producer": {
    "name": "Acme CRM",
    "version": "4.2.0"
  },
  "exported_at": "2026-07-01T00:00:00Z",
  "exported_by": {
    "id": "u_001",
    "type": "admin",
    "name": "Dana Reyes"
  },
  "scope": {
    "description": "All events",
    "filter": {}
  },
  "chains": [
    {
      "id": "acme-prod",
      "first_seq": 1,
      "last_seq": 6,
      "event_count": 6,
      "start_prev_hash": "0000000000000000000000000000000000000000000000000000000000000000",
      "head_hash": "e26305efa9e57b21cfe5d77fa26b3400e9e1275dc441946d0a10c0f1302dcefd"
    },
    {
      "id": "acme-region-1",
      "first_seq": 1,
      "last_seq": 6,
      "event_count": 6,
      "start_prev_hash": "0000000000000000000000000000000000000000000000000000000000000000",
      "head_hash": "15c5672a35bb85735ed136b0a5b3a08426773d975f38c6d268f962eced0750be"
    }
  ],
  "files": [
    {
      "path": "events.jsonl",
      "sha256": "a334ce2f1933db517d2f4fa338246b8019cb3d96c905b2cfef344dcf2f38a114",
      "bytes": 7249
    }
  ],
  "signature": {
    "alg": "ed25519",
    "key_id": "acme-audit-2026",
    "public_key": "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=",
    "value": "Xs6bnfUXI4TygRkK54MKrRcAph7+KZR/bCEOh2YsFZKSVnvmyH6UEMGhes0QSzunmyT9xHkcXPt4Tmy0WwKuCA=="
  }
}"#;

    fn sample_manifest() -> Value {
        serde_json::from_str(SAMPLE_MANIFEST).expect("the sample manifest is JSON")
    }

    fn test_key() -> SigningKeyFile {
        SigningKeyFile::from_seed("acme-audit-2026", [1u8; 32])
    }

    #[test]
    fn re_signing_the_sample_manifest_reproduces_its_signature() {
        let mut manifest = sample_manifest();
        let expected = manifest["signature"]["value"].clone();
        sign_manifest(&mut manifest, &test_key());
        assert_eq!(manifest["signature"]["value"], expected);
        assert_eq!(
            manifest["signature"]["public_key"],
            json!("iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=")
        );
        assert_eq!(manifest["signature"]["key_id"], json!("acme-audit-2026"));
    }

    #[test]
    fn a_signed_manifest_verifies_with_ed25519_dalek() {
        let files = [("events.jsonl".to_owned(), "ab".repeat(32), 10)];
        let chains = [ChainSummary {
            id: "acme-prod".into(),
            first_seq: 1,
            last_seq: 3,
            event_count: 3,
            start_prev_hash: ZERO_HASH.into(),
            head_hash: "cd".repeat(32),
        }];
        let mut manifest = build_manifest(&chains, &files, "b-1", "2026-07-01T00:00:00Z");
        sign_manifest(&mut manifest, &test_key());
        assert!(manifest_signature_verifies(&manifest), "signature verifies");
        // Altering any pinned field breaks it.
        manifest["chains"][0]["last_seq"] = json!(2);
        assert!(!manifest_signature_verifies(&manifest));
    }

    #[test]
    fn rehash_event_makes_the_hash_match_the_content() {
        let mut event = json!({"chain": "c", "seq": 1, "prev_hash": ZERO_HASH, "action": "x.y", "hash": "stale"});
        rehash_event(&mut event);
        let hash = event["hash"].as_str().unwrap().to_owned();
        let mut without = event.clone();
        without.as_object_mut().unwrap().remove("hash");
        let text = canonical_of_value(&without, None);
        assert_eq!(hash, to_hex(&canonical::sha256(&text)));
    }

    #[test]
    fn rehash_event_matches_the_sample_lines() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/spec/vectors/sample/events.jsonl"
        );
        let text = std::fs::read_to_string(path).expect("the spec's vectors beside the repository");
        for line in text.lines().filter(|l| !l.contains("\"omitted\"")) {
            let mut event: Value = serde_json::from_str(line).unwrap();
            let expected = event["hash"].clone();
            rehash_event(&mut event);
            assert_eq!(event["hash"], expected);
        }
    }

    fn scratch_dir(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("trailscope-seal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn sealing_the_sample_events_reproduces_its_chains_and_file_digest() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/spec/vectors/sample/events.jsonl"
        );
        let events = std::fs::read(path).expect("the spec's vectors beside the repository");
        let sample = sample_manifest();
        let dir = scratch_dir("sample");
        std::fs::write(dir.join("events.jsonl"), &events).unwrap();
        let manifest = seal_directory(&dir, Some(&test_key())).unwrap();
        assert_eq!(manifest["chains"], sample["chains"]);
        assert_eq!(manifest["files"], sample["files"]);
        let written: Value =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(written, manifest);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sealing_refuses_a_line_that_is_not_an_event() {
        let dir = scratch_dir("bad");
        let good = format!(
            "{{\"chain\":\"c\",\"seq\":1,\"prev_hash\":\"{ZERO_HASH}\",\"hash\":\"{ZERO_HASH}\"}}\n\n"
        );
        for bad in [
            "[1,2]",
            "{\"chain\":\"c\",\"seq\":0,\"prev_hash\":\"a\",\"hash\":\"b\"}",
            "{\"chain\":\"c\",\"seq\":2}",
            "nope",
        ] {
            std::fs::write(dir.join("events.jsonl"), format!("{good}{bad}\n")).unwrap();
            let error = seal_directory(&dir, None).unwrap_err().to_string();
            assert!(error.contains("line 3"), "{error}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
