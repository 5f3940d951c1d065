//! `custody-receipt` parts: for a source without integrity of its own (Microsoft 365,
//! Okta, a mapped CSV, a bare events file, …) the records as received, the reviewer's
//! signed custody receipt, and an inclusion proof of each record in the receipt's
//! Merkle root of the rows sealed at import (`receipt::row_bytes`). What that proves is
//! custody: the records are as they were when the reviewer received them.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rusqlite::Connection;
use serde_json::{Value, json};

use super::check::{EventCheck, HOW_TO_TRUST, PartCheck, base64_key, each_of, said_of};
use super::{Method, Part, files};
use crate::canonical::{Digest32, parse_hash_hex, to_hex};
use crate::case::receipt::{receipt_signer, row_bytes, sealed_tree};
use crate::case::table;
use crate::case::table::bundle::ExcerptSource;
use crate::case::table::event::EventRow;
use crate::merkle::{ProofBuilder, leaf_hash, root_from_inclusion};
use crate::verify::TrustedKeys;
use crate::{Error, Result};

pub(crate) const RECEIPT_FILE: &str = "receipt.json";
const RECORDS_FILE: &str = "records.jsonl";

/// Writes the records of `rows` with their proofs against the source's receipt.
pub(crate) fn write(
    connection: &Connection,
    bundle_idx: i64,
    source: &ExcerptSource,
    receipt: Option<&[u8]>,
    rows: &[EventRow],
    dir: &Path,
    why_not_stronger: &str,
) -> Result<Part> {
    let refuse = |why: String| Error::Invalid(format!("{}: {why}", source.path));
    let receipt: Value = receipt
        .and_then(|r| serde_json::from_slice(r).ok())
        .ok_or_else(|| refuse("the case holds no custody receipt for this source (it was imported before Trailscope sealed receipts), so its events cannot be excerpted with a proof".to_owned()))?;
    let Some((count, root)) = sealed_tree(&receipt) else {
        return Err(refuse("its custody receipt was sealed before receipts carried a Merkle root of the records, so one record cannot be shown to be among them".to_owned()));
    };
    let event_idxs: Vec<i64> = rows.iter().map(|r| r.event_idx).collect();
    // Each chosen row's place among the source's rows, in one index-only pass.
    let wanted: std::collections::HashMap<i64, usize> = event_idxs
        .iter()
        .enumerate()
        .map(|(i, idx)| (*idx, i))
        .collect();
    let mut ranks = vec![None; event_idxs.len()];
    let mut place = 0u64;
    table::event::for_each_idx_of_source(connection, bundle_idx, |event_idx| {
        if let Some(&i) = wanted.get(&event_idx) {
            ranks[i] = Some(place);
        }
        place += 1;
    })?;
    let ranks: Vec<u64> = ranks
        .into_iter()
        .collect::<Option<_>>()
        .ok_or_else(|| refuse("a chosen row is not among the rows this source added".to_owned()))?;
    let mut builder = ProofBuilder::new(count, &ranks).ok_or_else(|| {
        refuse("the case holds more rows of this source than its receipt sealed: it has changed since it was received".to_owned())
    })?;
    table::event::for_each_row_of_source(connection, bundle_idx, |_, file, line, raw, normal| {
        builder.push_leaf_hash(leaf_hash(&row_bytes(file, line, raw, normal)));
        Ok(())
    })?;
    let sealed = builder.finish().filter(|(computed, _)| *computed == root);
    let Some((_, proofs)) = sealed else {
        return Err(refuse("the case's copy of this source has changed since it was received (its rows no longer match the custody receipt), so no excerpt can prove them".to_owned()));
    };
    let mut records = Vec::new();
    for ((row, index), path) in rows.iter().zip(&ranks).zip(&proofs) {
        let mut record = json!({
            "file": row.file,
            "line": row.line,
            "index": index,
            "path": path.iter().map(|h| to_hex(h)).collect::<Vec<_>>(),
        });
        bytes_member(&mut record, "raw", Some(&row.raw));
        bytes_member(&mut record, "normal", row.normal.as_deref());
        records.extend_from_slice(&serde_json::to_vec(&record).expect("a Value serializes"));
        records.push(b'\n');
    }
    files::write(dir, RECORDS_FILE, &records)?;
    let lead = if why_not_stronger.is_empty() {
        "the source carries no integrity of its own".to_owned()
    } else {
        why_not_stronger.to_owned()
    };
    Ok(Part {
        method: Method::CustodyReceipt,
        chosen: rows
            .iter()
            .zip(&ranks)
            .map(|(r, index)| json!({"file": r.file, "line": r.line, "index": index, "id": r.id}))
            .collect(),
        carried: rows.len() as u64,
        why: format!(
            "{lead}: each record carries its inclusion proof in the Merkle root of the records the reviewer received and sealed in the custody receipt"
        ),
        extra: serde_json::Map::new(),
    })
}

/// Bytes as text when they are UTF-8 (`name`), else as base64 (`name_base64`).
fn bytes_member(record: &mut Value, name: &str, bytes: Option<&[u8]>) {
    match bytes.map(std::str::from_utf8) {
        None => {}
        Some(Ok(text)) => record[name] = json!(text),
        Some(Err(_)) => {
            record[format!("{name}_base64")] = json!(BASE64.encode(bytes.unwrap_or_default()))
        }
    }
}

/// A record's bytes back from `bytes_member`; `Err` when both or a bad one are given.
fn member_bytes(record: &Value, name: &str) -> std::result::Result<Option<Vec<u8>>, String> {
    let base64_name = format!("{name}_base64");
    match (record.get(name), record.get(&base64_name)) {
        (None, None) => Ok(None),
        (Some(Value::String(text)), None) => Ok(Some(text.as_bytes().to_vec())),
        (None, Some(Value::String(text))) => BASE64
            .decode(text)
            .map(Some)
            .map_err(|_| format!("{base64_name} is not base64")),
        _ => Err(format!("{name} is not text")),
    }
}

/// Checks a `custody-receipt` part.
pub(crate) fn check(root: &Path, part: &mut PartCheck, entry: &Value, trusted: &TrustedKeys) {
    let receipt_name = format!("{}/{RECEIPT_FILE}", part.dir);
    let records_name = format!("{}/{RECORDS_FILE}", part.dir);
    let receipt: Value = match files::read_small(root, &receipt_name) {
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(value) => value,
            Err(e) => return part.fail(format!("{receipt_name} is not JSON ({e})")),
        },
        Err(why) => return part.fail(why),
    };
    let text = |pointer: &str| {
        receipt
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let Some(public_key) = receipt_signer(&receipt) else {
        return part.fail(format!(
            "{receipt_name}: the receipt's signature does not verify: it was changed after it was signed"
        ));
    };
    let Some((count, merkle_root)) = sealed_tree(&receipt) else {
        return part.fail(format!(
            "{receipt_name}: the receipt has no Merkle root of the records it sealed"
        ));
    };
    // Records by their place among the rows sealed (a JSON array on one line puts
    // many records on one line of one file).
    let mut proven: Vec<(u64, std::result::Result<(), String>, Option<String>)> = Vec::new();
    let read = files::for_each_line(root, &records_name, |number, line| {
        let at = format!("{records_name} line {number}");
        let record: Value = serde_json::from_slice(line).unwrap_or(Value::Null);
        let place = (
            record
                .get("file")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            record
                .get("line")
                .and_then(Value::as_i64)
                .unwrap_or_default(),
        );
        let index = record.get("index").and_then(Value::as_u64);
        let said = member_bytes(&record, "normal")
            .ok()
            .flatten()
            .and_then(|normal| said_of(&normal));
        let result = (|| {
            let raw = member_bytes(&record, "raw")?.ok_or("the record has no raw bytes")?;
            let normal = member_bytes(&record, "normal")?;
            let index = index.ok_or("the record has no index")?;
            let path: Option<Vec<Digest32>> = record
                .get("path")
                .and_then(Value::as_array)
                .and_then(|p| p.iter().map(|h| h.as_str().and_then(parse_hash_hex)).collect());
            let path = path.ok_or("the proof's path is not a list of 64-hex-digit hashes")?;
            let leaf = leaf_hash(&row_bytes(&place.0, place.1, &raw, normal.as_deref()));
            match root_from_inclusion(&leaf, index, count, &path) {
                Some(computed) if computed == merkle_root => Ok(()),
                Some(_) => Err("the record or its proof was changed: it does not lead to the Merkle root the receipt sealed".to_owned()),
                None => Err("the inclusion proof has the wrong length for its place in the tree".to_owned()),
            }
        })()
        .map_err(|why: String| format!("{at} ({}): {why}", record_place(index, &place.0, place.1)));
        if let Some(index) = index {
            proven.push((index, result, said));
        } else if let Err(why) = result {
            part.problems.push(why);
        }
    });
    if let Err(why) = read {
        return part.fail(why);
    }
    for chosen in entry
        .get("chosen")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let index = chosen.get("index").and_then(Value::as_u64);
        let what = record_place(
            index,
            chosen
                .get("file")
                .and_then(Value::as_str)
                .unwrap_or_default(),
            chosen
                .get("line")
                .and_then(Value::as_i64)
                .unwrap_or_default(),
        );
        let check = match proven.iter().find(|(i, _, _)| Some(*i) == index) {
            Some((_, Ok(()), said)) => EventCheck::proven(
                what,
                chosen.get("id").and_then(Value::as_str).map(str::to_owned),
                said.clone(),
            ),
            Some((_, Err(why), said)) => EventCheck::not_proven(what, why.clone(), said.clone()),
            None => {
                let why = format!("the record chosen ({what}) is not in {records_name}");
                EventCheck::not_proven(what, why, None)
            }
        };
        part.events.push(check);
    }
    let fingerprint = crate::reviewer::fingerprint_of_public_key(&public_key).unwrap_or_default();
    if base64_key(&public_key).is_none_or(|k| trusted.contains_key(&k).is_none()) {
        part.trust = Some(format!(
            "You have not said you trust the key of {} who sealed the receipt (fingerprint {fingerprint}). Ask them for it, then {HOW_TO_TRUST}.",
            text("/received_by/name")
        ));
    }
    let files: Vec<String> = receipt
        .pointer("/received/files")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{} (SHA-256 {})",
                f["path"].as_str().unwrap_or_default(),
                f["sha256"].as_str().unwrap_or_default()
            )
        })
        .collect();
    let sealed = format!(
        "{} received on {} from {} and sealed with key {fingerprint}",
        text("/received_by/name"),
        text("/received_at"),
        files.join(", "),
    );
    part.conclude(
        format!(
            "No integrity from the source. {} is proven to be, unchanged, one of the {count} records {sealed}. That proves they are as received then, not what the source wrote.",
            each_of(part.events.len(), "records")
        ),
        &format!("No integrity from the source: each record must be, through its inclusion proof, one of the {count} records {sealed}."),
    );
}

/// A record's place in words: "record 4 of okta.json, line 1".
fn record_place(index: Option<u64>, file: &str, line: i64) -> String {
    match index {
        Some(index) => format!("record {} of {file}, line {line}", index + 1),
        None => format!("line {line} of {file}"),
    }
}
