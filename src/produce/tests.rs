//! Tests of the producer as a whole: generated bundles are reproducible, hash and link
//! exactly as spec §3–§5 say (checked with the verifier's `crate::canonical`, not the
//! producer's own writer), and tell a consistent story record by record.
//!
//! These tests must never use the producer's own JSON writer to check its output.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde_json::{Value, json};

use super::*;

/// Whether a manifest's signature verifies, with ed25519-dalek directly under the
/// public key it carries (independently of the verifier's trust logic).
pub(crate) fn manifest_signature_verifies(manifest: &Value) -> bool {
    let signature = &manifest["signature"];
    let public: [u8; 32] = BASE64
        .decode(signature["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let value: [u8; 64] = BASE64
        .decode(signature["value"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let message = canonical_of_value(manifest, Some("signature"));
    VerifyingKey::from_bytes(&public)
        .unwrap()
        .verify(&message, &Signature::from_bytes(&value))
        .is_ok()
}
use crate::bundle::FormatVersion;
use crate::canonical::{
    canonical_of_value, canonical_of_value_without, event_hash, parse, parse_hash_hex, sha256,
    to_hex,
};

fn scratch(name: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("trailscope-produce-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    let _ = std::fs::remove_file(&path);
    path
}

fn options(events: u64, chains: u32, seed: u64, stub_ratio: f64) -> GenOptions {
    GenOptions {
        events,
        chains,
        seed,
        stub_ratio,
        ..GenOptions::default()
    }
}

fn test_key() -> SigningKeyFile {
    SigningKeyFile::from_seed("acme-audit-2026", [1u8; 32])
}

fn read_manifest(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

fn lines(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("events.jsonl")).unwrap();
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn zip_entry(path: &Path, name: &str) -> Vec<u8> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut bytes = Vec::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let (a, b, c) = (scratch("det-a"), scratch("det-b"), scratch("det-c"));
    generate(&a, &options(3000, 2, 7, 0.1)).unwrap();
    generate(&b, &options(3000, 2, 7, 0.1)).unwrap();
    generate(&c, &options(3000, 2, 8, 0.1)).unwrap();
    let events = |dir: &Path| std::fs::read(dir.join("events.jsonl")).unwrap();
    let manifest = |dir: &Path| std::fs::read(dir.join("manifest.json")).unwrap();
    assert_eq!(events(&a), events(&b));
    assert_eq!(manifest(&a), manifest(&b));
    assert_ne!(events(&a), events(&c));
    for dir in [a, b, c] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn a_zip_bundle_holds_the_same_events_and_manifest_as_a_directory() {
    let dir = scratch("zip-dir");
    let zip = scratch("zip").with_extension("audit.zip");
    let mut signed = options(1500, 3, 3, 0.05);
    signed.sign_key = Some(test_key());
    generate(&dir, &signed).unwrap();
    let summary = generate(
        &zip,
        &GenOptions {
            zip: true,
            ..signed.clone()
        },
    )
    .unwrap();
    assert_eq!(summary.path, zip);
    assert_eq!(
        zip_entry(&zip, "events.jsonl"),
        std::fs::read(dir.join("events.jsonl")).unwrap()
    );
    assert_eq!(
        zip_entry(&zip, "manifest.json"),
        std::fs::read(dir.join("manifest.json")).unwrap()
    );
    // Twice the same archive, byte for byte.
    let again = scratch("zip-again").with_extension("audit.zip");
    generate(
        &again,
        &GenOptions {
            zip: true,
            ..signed
        },
    )
    .unwrap();
    assert_eq!(std::fs::read(&zip).unwrap(), std::fs::read(&again).unwrap());
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::remove_file(zip).unwrap();
    std::fs::remove_file(again).unwrap();
}

/// RFC 6962's tree hash written out recursively over the raw event hashes (leaf =
/// SHA-256(0x00 ‖ hash), node = SHA-256(0x01 ‖ left ‖ right)): the truth for a
/// generated manifest's `merkle_root`, apart from `crate::merkle`.
fn tree_hash(hashes: &[[u8; 32]]) -> [u8; 32] {
    match hashes.len() {
        1 => sha256(&[&[0u8][..], &hashes[0]].concat()),
        n => {
            let mut k = 1; // the largest power of two below n
            while k * 2 < n {
                k *= 2;
            }
            let (left, right) = (tree_hash(&hashes[..k]), tree_hash(&hashes[k..]));
            sha256(&[&[1u8][..], &left, &right].concat())
        }
    }
}

/// Checks spec §2–§5 (of the version the manifest declares) on a generated directory
/// with the verifier's canonical code.
fn check_bundle(dir: &Path, summary: &GenSummary, version: FormatVersion) {
    let bytes = std::fs::read(dir.join("events.jsonl")).unwrap();
    let manifest = read_manifest(dir);
    assert_eq!(
        manifest["files"],
        json!([{"path": "events.jsonl", "sha256": to_hex(&sha256(&bytes)), "bytes": bytes.len()}])
    );
    assert_eq!(manifest["format"], json!("audit-bundle"));
    assert_eq!(manifest["format_version"], json!(version.number()));
    let v2 = version == FormatVersion::V2;

    let mut scratch = Vec::new();
    let mut hashes: HashMap<String, Vec<[u8; 32]>> = HashMap::new();
    let mut heads: HashMap<String, (u64, String)> = HashMap::new();
    let mut ids = HashSet::new();
    let mut last_ts = String::new();
    let mut n_lines = 0;
    for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        n_lines += 1;
        let event = parse(line).expect("every line is JSON without duplicate keys");
        let chain = event
            .get("chain")
            .and_then(|v| v.as_str())
            .unwrap()
            .to_owned();
        let value = event.to_value();
        let seq = value["seq"].as_f64().unwrap() as u64;
        let prev_hash = value["prev_hash"].as_str().unwrap();
        let hash = value["hash"].as_str().unwrap().to_owned();
        let (last_seq, last_hash) = heads.get(&chain).cloned().unwrap_or((0, "0".repeat(64)));
        assert_eq!(seq, last_seq + 1, "seq contiguous in {chain}");
        assert_eq!(prev_hash, last_hash, "link at {chain} seq {seq}");
        if value.get("omitted") == Some(&json!(true)) {
            let keys: HashSet<&str> = value
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let mut want = HashSet::from([
                "chain",
                "seq",
                "omitted",
                "prev_hash",
                "hash",
                "omitted_reason",
            ]);
            if v2 {
                want.insert("body_hash");
            }
            assert_eq!(keys, want);
        } else if v2 {
            // Version 2: the body is the event without hash, prev_hash and body_hash.
            let body = canonical_of_value_without(&value, &["hash", "prev_hash", "body_hash"]);
            assert_eq!(
                value["body_hash"],
                json!(to_hex(&sha256(&body))),
                "body hash of {chain} seq {seq}"
            );
        } else {
            assert_eq!(
                to_hex(&event_hash(&event, &mut scratch)),
                hash,
                "hash of {chain} seq {seq}"
            );
        }
        if v2 {
            // Stubs too: the hash is SHA-256 of the raw prev_hash and body_hash.
            let linked = [
                parse_hash_hex(prev_hash).unwrap(),
                parse_hash_hex(value["body_hash"].as_str().unwrap()).unwrap(),
            ]
            .concat();
            assert_eq!(to_hex(&sha256(&linked)), hash, "hash of {chain} seq {seq}");
        } else {
            assert!(value.get("body_hash").is_none());
        }
        hashes
            .entry(chain.clone())
            .or_default()
            .push(parse_hash_hex(&hash).unwrap());
        if value.get("omitted") != Some(&json!(true)) {
            for field in ["id", "ts", "action", "actor", "target", "outcome"] {
                assert!(value.get(field).is_some(), "{field} in {value}");
            }
            assert!(
                ids.insert(value["id"].as_str().unwrap().to_owned()),
                "duplicate id"
            );
            let ts = value["ts"].as_str().unwrap();
            assert!(ts >= last_ts.as_str(), "ts goes back: {ts} after {last_ts}");
            last_ts = ts.to_owned();
            assert!(["success", "failure", "denied"].contains(&value["outcome"].as_str().unwrap()));
        }
        heads.insert(chain, (seq, hash));
    }
    assert_eq!(n_lines, summary.events);
    let listed: Vec<Value> = manifest["chains"].as_array().unwrap().clone();
    assert_eq!(listed.len(), heads.len());
    for (listed, summary) in listed.iter().zip(&summary.chains) {
        let (last_seq, head) = &heads[listed["id"].as_str().unwrap()];
        assert_eq!(listed["first_seq"], json!(1));
        assert_eq!(listed["last_seq"], json!(last_seq));
        assert_eq!(listed["event_count"], json!(last_seq));
        assert_eq!(listed["head_hash"], json!(head));
        assert_eq!(listed["start_prev_hash"], json!("0".repeat(64)));
        assert_eq!(listed["id"], json!(summary.id));
        assert_eq!(listed["head_hash"], json!(summary.head_hash));
        let root = v2.then(|| json!(to_hex(&tree_hash(&hashes[&summary.id]))));
        assert_eq!(listed.get("merkle_root"), root.as_ref());
    }
}

#[test]
fn every_generated_hash_recomputes_and_every_link_holds() {
    for version in [FormatVersion::V1, FormatVersion::V2] {
        every_hash_recomputes_in(version);
    }
}

fn every_hash_recomputes_in(version: FormatVersion) {
    let dir = scratch("links");
    let options = GenOptions {
        format_version: version,
        ..options(6000, 3, 11, 0.2)
    };
    let summary = generate(&dir, &options).unwrap();
    assert_eq!(
        summary
            .chains
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        ["acme-prod", "acme-region-1", "acme-region-2"]
    );
    assert!(
        summary.stubs > 900 && summary.stubs < 1500,
        "{} stubs",
        summary.stubs
    );
    check_bundle(&dir, &summary, version);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_stub_carries_the_hash_of_the_event_it_replaces() {
    let (full, filtered) = (scratch("stub-full"), scratch("stub-filtered"));
    generate(&full, &options(2000, 2, 5, 0.0)).unwrap();
    let summary = generate(&filtered, &options(2000, 2, 5, 0.5)).unwrap();
    assert!(summary.stubs > 800);
    let full_lines = lines(&full);
    let filtered_lines = lines(&filtered);
    assert_eq!(full_lines.len(), filtered_lines.len());
    for (whole, line) in full_lines.iter().zip(&filtered_lines) {
        assert_eq!(whole["hash"], line["hash"]);
        assert_eq!(whole["prev_hash"], line["prev_hash"]);
        if line.get("omitted").is_none() {
            assert_eq!(whole, line);
        }
    }
    std::fs::remove_dir_all(full).unwrap();
    std::fs::remove_dir_all(filtered).unwrap();
}

/// Walks the events and checks that each `before` is what the record's earlier events
/// left, that creates come first, and that nothing touches a deleted record.
#[test]
fn every_update_starts_from_the_state_the_previous_event_left() {
    let dir = scratch("state");
    generate(&dir, &options(20_000, 2, 21, 0.0)).unwrap();
    let mut state: HashMap<(String, String), serde_json::Map<String, Value>> = HashMap::new();
    let mut deleted: HashSet<(String, String)> = HashSet::new();
    let (mut creates, mut updates, mut deletes) = (0, 0, 0);
    for event in lines(&dir) {
        let Some(target) = event["target"].as_object() else {
            continue;
        };
        let key = (
            target["type"].as_str().unwrap().to_owned(),
            target["id"].as_str().unwrap().to_owned(),
        );
        assert!(
            !deleted.contains(&key),
            "{key:?} touched after its deletion: {event}"
        );
        let is_record =
            ["Order", "Customer", "Lead", "Ticket", "Invoice"].contains(&key.0.as_str());
        let (before, after) = (event.get("before"), event.get("after"));
        if before.is_none() && after.is_none() {
            if is_record {
                assert!(
                    state.contains_key(&key),
                    "{key:?} used before it was created: {event}"
                );
            }
            continue;
        }
        match (before, after) {
            (Some(Value::Null), Some(Value::Object(snapshot))) => {
                creates += 1;
                assert!(
                    state.insert(key.clone(), snapshot.clone()).is_none(),
                    "{key:?} created twice"
                );
            }
            (Some(Value::Object(old)), Some(Value::Null)) => {
                deletes += 1;
                assert_eq!(
                    state.remove(&key).as_ref(),
                    Some(old),
                    "delete of {key:?}: {event}"
                );
                deleted.insert(key);
            }
            (Some(Value::Object(old)), Some(Value::Object(new))) => {
                updates += 1;
                assert_eq!(
                    old.keys().collect::<Vec<_>>(),
                    new.keys().collect::<Vec<_>>()
                );
                assert_ne!(old, new, "an update that changes nothing: {event}");
                let current = match state.get_mut(&key) {
                    Some(current) => current,
                    // Users and settings exist before the log starts.
                    None if !is_record => state.entry(key.clone()).or_insert_with(|| old.clone()),
                    None => panic!("{key:?} updated before it was created: {event}"),
                };
                for (field, value) in old {
                    if !is_record && !current.contains_key(field) {
                        // A field of a user or setting not seen changing yet: its state
                        // before the log started is whatever this event says.
                        current.insert(field.clone(), value.clone());
                    }
                    assert_eq!(
                        current.get(field).unwrap_or(&Value::Null),
                        value,
                        "{key:?}.{field} in {event}"
                    );
                }
                for (field, value) in new {
                    current.insert(field.clone(), value.clone());
                }
            }
            other => panic!("unexpected before/after {other:?} in {event}"),
        }
    }
    assert!(
        creates > 1000 && updates > 1000 && deletes > 10,
        "{creates} {updates} {deletes}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_log_reads_like_a_real_company() {
    let dir = scratch("realism");
    generate(&dir, &options(20_000, 1, 1, 0.0)).unwrap();
    let events = lines(&dir);
    let actor_types: HashSet<&str> = events
        .iter()
        .map(|e| e["actor"]["type"].as_str().unwrap())
        .collect();
    for kind in crate::verify::KNOWN_ACTOR_TYPES {
        assert!(actor_types.contains(kind), "no {kind} actor");
    }
    let categories: HashSet<&str> = events
        .iter()
        .filter_map(|e| e["category"].as_str())
        .collect();
    for category in [
        "record",
        "auth",
        "permission",
        "access",
        "export",
        "import",
        "workflow",
        "integration",
        "admin",
        "system",
    ] {
        assert!(categories.contains(category), "no {category} event");
    }
    let actions: HashSet<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "order.created",
        "order.updated",
        "user.login",
        "user.login_failed",
        "role.granted",
        "export.created",
        "import.completed",
        "order.approved",
        "integration.sync_completed",
        "settings.updated",
    ] {
        assert!(actions.contains(action), "no {action}");
    }
    assert!(events.iter().any(|e| {
        e["outcome"] == "denied"
            && e["reason"]
                .as_str()
                .unwrap()
                .starts_with("missing permission ")
    }));
    assert!(events.iter().any(|e| e["outcome"] == "failure"));
    assert!(events.iter().any(|e| e.get("on_behalf_of").is_some()));
    assert!(
        events
            .iter()
            .any(|e| e["source"]["rule"]["version"].is_u64())
    );
    assert!(
        events
            .iter()
            .any(|e| e["source"]["batch_id"].is_string() && e["actor"]["type"] == "import")
    );
    assert!(
        events
            .iter()
            .any(|e| e["source"]["client_id"].is_string() && e["source"]["channel"] == "api")
    );
    assert!(
        events
            .iter()
            .any(|e| e["after"]["shipping_address"]["city"].is_string())
    );
    assert!(events.iter().any(|e| e["before"]["roles"].is_array()));
    let first = events.first().unwrap()["ts"].as_str().unwrap();
    assert!(first.starts_with("2026-01-05T08:0"), "{first}");
    for event in &events {
        let ip = event["source"]["ip"].as_str().unwrap_or("203.0.113.1");
        assert!(
            ip.starts_with("203.0.113.") || ip.starts_with("198.51.100."),
            "{ip}"
        );
        let id = event["id"].as_str().unwrap();
        assert!(id.len() == 20 && id.starts_with("evt_"), "{id}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_signed_bundle_verifies_and_sealing_it_again_gives_the_same_pins() {
    let dir = scratch("signed");
    let summary = generate(
        &dir,
        &GenOptions {
            sign_key: Some(test_key()),
            ..options(800, 2, 9, 0.1)
        },
    )
    .unwrap();
    let manifest = read_manifest(&dir);
    let signature = &manifest["signature"];
    assert_eq!(signature["key_id"], json!("acme-audit-2026"));
    assert!(
        manifest_signature_verifies(&manifest),
        "the manifest signature verifies"
    );

    let sealed = seal_directory(&dir, None).unwrap();
    assert_eq!(sealed["chains"], manifest["chains"]);
    assert_eq!(sealed["files"], manifest["files"]);
    assert!(sealed.get("signature").is_none());
    assert_eq!(summary.chains.len(), 2);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn fewer_events_than_chains_lists_only_the_chains_that_have_events() {
    let dir = scratch("tiny");
    let summary = generate(&dir, &options(2, 4, 1, 0.0)).unwrap();
    assert_eq!(summary.chains.len(), 2);
    check_bundle(&dir, &summary, FormatVersion::LATEST);
    let empty = scratch("empty");
    let summary = generate(&empty, &options(0, 1, 1, 0.0)).unwrap();
    assert!(summary.chains.is_empty());
    assert_eq!(read_manifest(&empty)["files"][0]["bytes"], json!(0));
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::remove_dir_all(empty).unwrap();
}

#[test]
fn bad_options_are_refused() {
    let dir = scratch("refused");
    assert!(matches!(
        generate(&dir, &options(10, 0, 1, 0.0)),
        Err(crate::Error::Invalid(_))
    ));
    assert!(matches!(
        generate(&dir, &options(10, 1, 1, 1.5)),
        Err(crate::Error::Invalid(_))
    ));
    assert!(!dir.exists());
}
