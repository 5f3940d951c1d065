//! Parts of our own bundles: `merkle-proof` (format v2: each chosen event with its
//! inclusion proof in the chain's signed Merkle root) and `chain-to-head` (format v1, or
//! a v2 chain the case does not hold from seq 1: every event from the first chosen one
//! to the signed head).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rusqlite::Connection;
use serde_json::{Value, json};

use super::check::{EventCheck, HOW_TO_TRUST, PartCheck, counted, each_of, said_of};
use super::{Method, Part, files};
use crate::bundle::{FormatVersion, Manifest, ManifestChain};
use crate::canonical::{Digest32, parse_hash_hex, to_hex};
use crate::case::table;
use crate::case::table::bundle::ExcerptSource;
use crate::case::table::event::EventRow;
use crate::merkle::{ProofBuilder, leaf_hash, root_from_inclusion};
use crate::verify::{LineCheck, Link, SignatureCheck, TrustedKeys, check_line_as, check_signature};
use crate::{Error, Result};

const MANIFEST_FILE: &str = "manifest.json";
const EVENTS_FILE: &str = "events.jsonl";
const PROOFS_FILE: &str = "proofs.jsonl";

/// Writes the part of `rows` (all of one source) if the source is one of our bundles
/// whose signed manifest the case kept; `Err(why)` when it cannot be proven this way.
pub(crate) fn write(
    connection: &Connection,
    source: &ExcerptSource,
    rows: &[EventRow],
    dir: &Path,
) -> Result<std::result::Result<Part, String>> {
    if source.source != "audit-bundle" {
        return Ok(Err(String::new()));
    }
    let Some(manifest_bytes) = &source.manifest else {
        return Ok(Err(if source.format_version.is_some() {
            "the case was made before Trailscope kept each bundle's manifest, so the producer's signature cannot travel with these events".to_owned()
        } else {
            "the bundle has no signed manifest, so nothing of the producer's pins its chain"
                .to_owned()
        }));
    };
    let manifest = match Manifest::parse(manifest_bytes) {
        Ok(manifest) => manifest,
        Err(why) => return Ok(Err(format!("its manifest cannot be read ({why})"))),
    };
    let Ok(version) = manifest.version() else {
        return Ok(Err(
            "its manifest declares no format version this reviewer reads".to_owned(),
        ));
    };
    if manifest.signature.is_none() {
        return Ok(Err("its manifest is not signed".to_owned()));
    }
    let mut chosen: BTreeMap<&str, Vec<(u64, &EventRow)>> = BTreeMap::new();
    for row in rows {
        let (Some(chain), Some(seq)) = (&row.chain, row.seq) else {
            return Ok(Err(format!(
                "line {} of {} has no place in a chain",
                row.line, row.file
            )));
        };
        if row.malformed.is_some() {
            return Ok(Err(format!(
                "line {} of {} is malformed",
                row.line, row.file
            )));
        }
        chosen.entry(chain).or_default().push((seq as u64, row));
    }
    let mut pinned = Vec::new();
    for chain in chosen.keys() {
        match manifest.chain(chain) {
            Some(entry) => pinned.push(entry.clone()),
            None => return Ok(Err(format!("its manifest does not list chain {chain}"))),
        }
    }
    let extra = producer_key(&manifest, source);
    let chosen_list: Vec<Value> = rows
        .iter()
        .map(|r| json!({"chain": r.chain, "seq": r.seq, "id": r.id}))
        .collect();
    files::write(dir, MANIFEST_FILE, manifest_bytes)?;

    if version == FormatVersion::V2 {
        match merkle_proofs(connection, &chosen, &pinned)? {
            Ok(proved) => {
                let mut events = Vec::new();
                let mut proofs = Vec::new();
                for (line, proof) in proved {
                    events.extend_from_slice(&line);
                    events.push(b'\n');
                    proofs.extend_from_slice(
                        &serde_json::to_vec(&proof).expect("a Value serializes"),
                    );
                    proofs.push(b'\n');
                }
                files::write(dir, EVENTS_FILE, &events)?;
                files::write(dir, PROOFS_FILE, &proofs)?;
                return Ok(Ok(Part {
                    method: Method::MerkleProof,
                    chosen: chosen_list,
                    carried: rows.len() as u64,
                    why: "format 2: each event carries its inclusion proof in its chain's Merkle root, which the producer signed; the rest of the export is not needed".to_owned(),
                    extra,
                }));
            }
            Err(why) => {
                // Fall through to the chain to the head, saying why.
                let part = chain_to_head(connection, &chosen, &pinned, dir, chosen_list, extra)?;
                return Ok(part.map(|mut part| {
                    part.why = format!("{why}; {}", part.why);
                    part
                }));
            }
        }
    }
    chain_to_head(connection, &chosen, &pinned, dir, chosen_list, extra)
}

/// The producer's key as the statement records it, with whether the reviewer trusted
/// it when the source was imported.
fn producer_key(manifest: &Manifest, source: &ExcerptSource) -> serde_json::Map<String, Value> {
    let mut extra = serde_json::Map::new();
    if let Some(signature) = &manifest.signature {
        extra.insert(
            "producer_key".to_owned(),
            json!({
                "key_id": signature.key_id,
                "public_key": signature.public_key,
                "trusted_by_reviewer": source.signature_status == "trusted",
            }),
        );
    }
    extra
}

/// Each chosen event's line and proof, in chain and seq order; `Err(why)` if the case
/// does not hold every event of a chain from seq 1 to its signed `last_seq`.
#[allow(clippy::type_complexity)]
fn merkle_proofs(
    connection: &Connection,
    chosen: &BTreeMap<&str, Vec<(u64, &EventRow)>>,
    pinned: &[ManifestChain],
) -> Result<std::result::Result<Vec<(Vec<u8>, Value)>, String>> {
    let mut out = Vec::new();
    for (entry, (chain, events)) in pinned.iter().zip(chosen) {
        if entry.merkle_root.is_none() {
            return Ok(Err(format!("chain {chain} has no Merkle root")));
        }
        let mut events = events.clone();
        events.sort_by_key(|(seq, _)| *seq);
        events.dedup_by_key(|(seq, _)| *seq);
        let indexes: Vec<u64> = events.iter().map(|(seq, _)| seq - 1).collect();
        let Some(mut builder) = ProofBuilder::new(entry.last_seq, &indexes) else {
            return Ok(Err(format!(
                "an event chosen in chain {chain} lies after the seq its manifest ends at"
            )));
        };
        let mut problem = None;
        table::event::for_each_in_chain_range(
            connection,
            chain,
            (1, entry.last_seq),
            false,
            |seq, hash, _| {
                let hash: Option<Digest32> = hash.and_then(|h| h.try_into().ok());
                match hash {
                    Some(hash) if problem.is_none() && seq == builder.pushed() + 1 => {
                        builder.push_leaf_hash(leaf_hash(&hash));
                    }
                    _ if problem.is_none() => {
                        problem = Some(if seq <= builder.pushed() {
                            format!("the case holds two records at seq {seq} of chain {chain}")
                        } else {
                            format!(
                                "the case does not hold seq {} of chain {chain}",
                                builder.pushed() + 1
                            )
                        });
                    }
                    _ => {}
                }
                Ok(())
            },
        )?;
        let Some((_, proofs)) = builder.finish().filter(|_| problem.is_none()) else {
            return Ok(Err(problem.unwrap_or_else(|| {
                format!(
                    "the case does not hold all of chain {chain} from seq 1 to {}, so no inclusion proof can be made",
                    entry.last_seq
                )
            })));
        };
        for ((seq, row), path) in events.iter().zip(proofs) {
            out.push((
                row.raw.clone(),
                json!({
                    "chain": chain,
                    "seq": seq,
                    "tree_size": entry.last_seq,
                    "path": path.iter().map(|h| to_hex(h)).collect::<Vec<_>>(),
                }),
            ));
        }
    }
    Ok(Ok(out))
}

/// Writes every event from the first chosen one of each chain to its signed head.
fn chain_to_head(
    connection: &Connection,
    chosen: &BTreeMap<&str, Vec<(u64, &EventRow)>>,
    pinned: &[ManifestChain],
    dir: &Path,
    chosen_list: Vec<Value>,
    extra: serde_json::Map<String, Value>,
) -> Result<std::result::Result<Part, String>> {
    let path = dir.join(EVENTS_FILE);
    let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
    let mut out = std::io::BufWriter::new(file);
    let mut carried = 0u64;
    for (entry, (chain, events)) in pinned.iter().zip(chosen) {
        let from = events.iter().map(|(seq, _)| *seq).min().unwrap_or(1);
        let mut next = from;
        let mut problem = None;
        table::event::for_each_in_chain_range(
            connection,
            chain,
            (from, entry.last_seq),
            true,
            |seq, _, raw| {
                if problem.is_some() {
                    return Ok(());
                }
                if seq != next {
                    problem = Some(if seq < next {
                        format!("the case holds two records at seq {seq} of chain {chain}")
                    } else {
                        format!("the case does not hold seq {next} of chain {chain}")
                    });
                    return Ok(());
                }
                out.write_all(raw)
                    .and_then(|()| out.write_all(b"\n"))
                    .map_err(|e| Error::io(&path, e))?;
                next += 1;
                carried += 1;
                Ok(())
            },
        )?;
        if problem.is_none() && next != entry.last_seq + 1 {
            problem = Some(format!(
                "the case does not hold chain {chain} up to its signed head (seq {})",
                entry.last_seq
            ));
        }
        if let Some(problem) = problem {
            drop(out);
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            std::fs::remove_file(dir.join(MANIFEST_FILE)).map_err(|e| Error::io(dir, e))?;
            return Ok(Err(problem));
        }
    }
    out.flush().map_err(|e| Error::io(&path, e))?;
    let chosen_n = chosen_list.len();
    Ok(Ok(Part {
        method: Method::ChainToHead,
        chosen: chosen_list,
        carried,
        why: format!(
            "format 1 binds an event only through every event after it up to the head the producer signed, so this part carries {carried} events for the {chosen_n} chosen"
        ),
        extra,
    }))
}

/// Checks a `merkle-proof` or `chain-to-head` part.
pub(crate) fn check(root: &Path, part: &mut PartCheck, entry: &Value, trusted: &TrustedKeys) {
    let dir = part.dir.clone();
    let name = |file: &str| format!("{dir}/{file}");
    let manifest = match files::read_small(root, &name(MANIFEST_FILE)) {
        Ok(bytes) => match Manifest::parse(&bytes) {
            Ok(manifest) => manifest,
            Err(why) => {
                return part.fail(format!(
                    "{}: the producer's manifest cannot be read: {why}",
                    name(MANIFEST_FILE)
                ));
            }
        },
        Err(why) => return part.fail(why),
    };
    let version = match manifest.version() {
        Ok(version) => version,
        Err(why) => return part.fail(format!("{}: {why}", name(MANIFEST_FILE))),
    };
    let method = part.method;
    if method == Some(Method::MerkleProof) && version != FormatVersion::V2 {
        return part.fail(format!(
            "{}: a Merkle proof needs a format 2 manifest, and this one is format {}",
            name(MANIFEST_FILE),
            version.number()
        ));
    }
    let signer = match &manifest.signature {
        None => {
            return part.fail(format!(
                "{}: the producer's manifest is not signed",
                name(MANIFEST_FILE)
            ));
        }
        Some(signature) => {
            let fingerprint = crate::reviewer::fingerprint_of_public_key(&signature.public_key)
                .unwrap_or_default();
            match check_signature(signature, &manifest.signed_bytes, trusted) {
                SignatureCheck::Trusted { key_id } => format!("key {key_id}, which you trust"),
                SignatureCheck::Untrusted { .. } => {
                    let reviewer_trusted = entry
                        .pointer("/producer_key/trusted_by_reviewer")
                        .and_then(Value::as_bool)
                        == Some(true)
                        && entry
                            .pointer("/producer_key/public_key")
                            .and_then(Value::as_str)
                            == Some(signature.public_key.as_str());
                    part.trust = Some(format!(
                        "You have not said you trust the producer's key {} (fingerprint {fingerprint}){}. Compare it with the key the producer publishes, then {HOW_TO_TRUST}.",
                        signature.key_id,
                        if reviewer_trusted {
                            "; the reviewer who made the excerpt trusted it"
                        } else {
                            ""
                        }
                    ));
                    format!("key {} (fingerprint {fingerprint})", signature.key_id)
                }
                SignatureCheck::Invalid { why } => {
                    return part.fail(format!(
                        "{}: the producer's signature does not verify ({why}): the manifest was changed after it was signed",
                        name(MANIFEST_FILE)
                    ));
                }
            }
        }
    };
    let chosen: Vec<(String, u64)> = entry
        .get("chosen")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|c| {
                    Some((
                        c.get("chain")?.as_str()?.to_owned(),
                        c.get("seq")?.as_u64()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();

    let mut lines: Vec<(u64, Link)> = Vec::new();
    let mut said: BTreeMap<(String, u64), String> = BTreeMap::new();
    let wanted: std::collections::BTreeSet<(&str, u64)> =
        chosen.iter().map(|(c, s)| (c.as_str(), *s)).collect();
    let mut scratch = Vec::new();
    let read = files::for_each_line(
        root,
        &name(EVENTS_FILE),
        |number, text| match check_line_as(text, &mut scratch, Some(version)) {
            LineCheck::Event(link) => {
                if wanted.contains(&(link.chain.as_str(), link.seq))
                    && let Some(words) = said_of(text)
                {
                    said.insert((link.chain.clone(), link.seq), words);
                }
                lines.push((number, link))
            }
            LineCheck::Malformed { reason, .. } => part.problems.push(format!(
                "{} line {number} is not a readable event: {reason}",
                name(EVENTS_FILE)
            )),
            LineCheck::Unchained { .. } => part.problems.push(format!(
                "{} line {number} is not an event of a hash chain",
                name(EVENTS_FILE)
            )),
        },
    );
    if let Err(why) = read {
        return part.fail(why);
    }
    let mut proven: Proven = BTreeMap::new();
    for (number, link) in &lines {
        let at = format!(
            "{} line {number} (chain {} seq {})",
            name(EVENTS_FILE),
            link.chain,
            link.seq
        );
        proven.insert(
            (link.chain.clone(), link.seq),
            own_hashes(link)
                .map_err(|why| format!("{at}: {why}"))
                .map(|()| (link.id.clone(), *number)),
        );
    }
    match method {
        Some(Method::MerkleProof) => check_proofs(
            root,
            &name(PROOFS_FILE),
            &manifest,
            &lines,
            &mut proven,
            part,
        ),
        _ => check_links(&manifest, &lines, &mut proven, &name(EVENTS_FILE), part),
    }
    // The chains chosen, as the statement says: named even when no line parsed.
    let chains: Vec<&str> = chosen
        .iter()
        .map(|(chain, _)| chain.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for (chain, seq) in &chosen {
        let what = format!("chain {chain} seq {seq}");
        let key = (chain.clone(), *seq);
        let words = said.get(&key).cloned();
        let check = match proven.get(&key) {
            Some(Ok((id, _))) => EventCheck::proven(what, id.clone(), words),
            Some(Err(why)) => EventCheck::not_proven(what, why.clone(), words),
            None => EventCheck::not_proven(
                what,
                format!(
                    "the event chosen at chain {chain} seq {seq} is not among the readable events of {}",
                    name(EVENTS_FILE)
                ),
                None,
            ),
        };
        part.events.push(check);
    }
    let n = part.events.len();
    let chains = chains.join(", ");
    match method {
        Some(Method::MerkleProof) => part.conclude(
            format!(
                "{} is proven to be, unchanged, in chain {chains} of the export the producer signed with {signer}: its content hashes, through its inclusion proof, to the Merkle root the signed manifest pins. The rest of the export is not needed.",
                each_of(n, "events")
            ),
            &format!("Each event's content must hash, through its inclusion proof, to the Merkle root of chain {chains} that the producer signed with {signer}."),
        ),
        _ => part.conclude(
            format!(
                "{} is proven, unchanged, by the hash chain from it to the head the producer signed with {signer} ({} events carried: format 1 cannot prove an event without every later one). The manifest's digest of the whole events file is not checked: the excerpt does not carry the whole file.",
                each_of(n, "chosen events"),
                lines.len()
            ),
            &format!("Each event must link, through every later event, to the head of chain {chains} that the producer signed with {signer}."),
        ),
    }
}

/// What is established of each event of the part so far, by (chain, seq): its id and
/// line, or why it is not proven.
type Proven = BTreeMap<(String, u64), std::result::Result<(Option<String>, u64), String>>;

/// An event's own hashes: v2 its body hash and its hash from prev_hash and body hash;
/// v1 its hash from its content (a v1 stub cannot be recomputed).
fn own_hashes(link: &Link) -> std::result::Result<(), String> {
    if let (Some(declared), Some(recomputed)) = (link.body_hash, link.body_recomputed)
        && declared != recomputed
    {
        return Err("its content does not hash to its body_hash: it was changed".to_owned());
    }
    match link.recomputed {
        Some(recomputed) if recomputed == link.hash => Ok(()),
        Some(_) => {
            Err("its hash does not match its content and prev_hash: it was changed".to_owned())
        }
        None if link.is_stub => {
            Err("it is a stub (an omitted event) that format 1 cannot recompute".to_owned())
        }
        None => Err("its hash cannot be recomputed".to_owned()),
    }
}

/// `merkle-proof`: each event's proof leads to its chain's signed root.
fn check_proofs(
    root: &Path,
    proofs_file: &str,
    manifest: &Manifest,
    lines: &[(u64, Link)],
    proven: &mut Proven,
    part: &mut PartCheck,
) {
    let mut proofs: Vec<(u64, Value)> = Vec::new();
    if let Err(why) = files::for_each_line(root, proofs_file, |number, text| {
        proofs.push((number, serde_json::from_slice(text).unwrap_or(Value::Null)));
    }) {
        return part.fail(why);
    }
    if proofs.len() != lines.len() {
        part.problems.push(format!(
            "{proofs_file} holds {} for {}",
            counted(proofs.len(), "proof"),
            counted(lines.len(), "readable event")
        ));
    }
    for ((_, link), (number, proof)) in lines.iter().zip(&proofs) {
        let key = (link.chain.clone(), link.seq);
        if proven.get(&key).is_some_and(|r| r.is_err()) {
            continue;
        }
        let at = format!(
            "{proofs_file} line {number} (chain {} seq {})",
            link.chain, link.seq
        );
        let result = (|| {
            let entry = manifest
                .chain(&link.chain)
                .ok_or_else(|| format!("the signed manifest does not list chain {}", link.chain))?;
            let merkle_root = entry
                .merkle_root
                .ok_or("the signed manifest gives this chain no Merkle root")?;
            if proof.get("chain").and_then(Value::as_str) != Some(link.chain.as_str())
                || proof.get("seq").and_then(Value::as_u64) != Some(link.seq)
            {
                return Err("the proof is for another event".to_owned());
            }
            if proof.get("tree_size").and_then(Value::as_u64) != Some(entry.last_seq) {
                return Err(format!(
                    "the proof is for a tree of another size than the signed chain's {} events",
                    entry.last_seq
                ));
            }
            let path: Option<Vec<Digest32>> =
                proof.get("path").and_then(Value::as_array).and_then(|p| {
                    p.iter()
                        .map(|h| h.as_str().and_then(parse_hash_hex))
                        .collect()
                });
            let path = path.ok_or("the proof's path is not a list of 64-hex-digit hashes")?;
            match root_from_inclusion(&leaf_hash(&link.hash), link.seq - 1, entry.last_seq, &path) {
                Some(computed) if computed == merkle_root => Ok(()),
                Some(_) => Err("the inclusion proof does not lead to the signed Merkle root: the event or its proof was changed".to_owned()),
                None => Err("the inclusion proof has the wrong length for its place in the tree".to_owned()),
            }
        })();
        if let Err(why) = result {
            proven.insert(key, Err(format!("{at}: {why}")));
        }
    }
}

/// `chain-to-head`: each chain's lines link, one to the next, up to the signed head.
fn check_links(
    manifest: &Manifest,
    lines: &[(u64, Link)],
    proven: &mut Proven,
    events_file: &str,
    part: &mut PartCheck,
) {
    let mut by_chain: BTreeMap<&str, Vec<&(u64, Link)>> = BTreeMap::new();
    for line in lines {
        by_chain
            .entry(line.1.chain.as_str())
            .or_default()
            .push(line);
    }
    for (chain, links) in by_chain {
        let Some(entry) = manifest.chain(chain) else {
            part.problems
                .push(format!("the signed manifest does not list chain {chain}"));
            continue;
        };
        // Walk back from the head: an event is bound while every link after it holds.
        let head = links.last().expect("a chain here has a line");
        let mut bound = if head.1.seq != entry.last_seq || head.1.hash != entry.head_hash {
            part.problems.push(format!(
                "{events_file} line {}: chain {chain} does not end at the head the producer signed (seq {}, hash {})",
                head.0,
                entry.last_seq,
                to_hex(&entry.head_hash)
            ));
            false
        } else {
            true
        };
        for (i, (number, link)) in links.iter().enumerate().rev() {
            let key = (link.chain.clone(), link.seq);
            let own = proven.get(&key).cloned();
            if let Some(Err(_)) = own {
                // Its own hash fails: neither it nor anything before it is bound.
                bound = false;
                continue;
            }
            if !bound {
                proven.insert(key, Err(format!("{events_file} line {number}: an event after it in the chain does not hold, so it is not bound to the signed head")));
                continue;
            }
            if let Some((_, previous)) = i.checked_sub(1).map(|j| links[j])
                && (previous.seq + 1 != link.seq || link.prev_hash != previous.hash)
            {
                bound = false;
                part.problems.push(format!(
                    "{events_file} line {number}: chain {chain} seq {} does not link to the event before it",
                    link.seq
                ));
            }
        }
    }
}
