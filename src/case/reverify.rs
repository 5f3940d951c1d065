//! Re-verifies a case from itself: recomputes every hash from the stored raw lines
//! (under the format version of the bundle each came from), re-checks every link in
//! (chain, seq) order, and checks that the indexed columns still say what the raw line
//! says. This detects a case file edited after import (a row changed behind the app's
//! back). Read-only.

use super::Case;
use super::table;
use super::table::event::StoredLine;
use crate::Result;
use crate::canonical::to_hex;
use crate::verify::{EventFields, Finding, FindingKind, LineCheck, check_line_as};

/// What re-verification found.
#[derive(Debug, Clone, PartialEq)]
pub struct Reverification {
    pub n_rows: u64,
    /// Rows of sources without integrity (mapped files): only their columns against
    /// their normalized event could be checked, no hash or link.
    pub n_without_integrity: u64,
    pub findings: Vec<Finding>,
}

/// Re-verifies every stored line of the case.
pub fn reverify(case: &Case) -> Result<Reverification> {
    let connection = case.connection();
    let mut findings = Vec::new();
    let mut n_rows = 0;
    let mut n_without_integrity = 0;
    let mut scratch = Vec::new();
    let versions = table::bundle::format_versions(connection)?;
    // (chain, seq, hash) of the previous row with a readable position.
    let mut previous: Option<(String, i64, Vec<u8>)> = None;
    table::event::for_each_in_chain_order(connection, |row: StoredLine| {
        n_rows += 1;
        let StoredLine {
            event_idx,
            file,
            line,
            chain,
            seq,
            hash: stored_hash,
            raw,
            malformed,
            columns,
            omitted,
            normal,
            bundle_idx,
        } = row;
        let edited_as = |kind: FindingKind, detail: String| {
            let mut finding = Finding::new(kind).at(&file, line as u64, 0).detail(detail);
            if let Some(chain) = &chain {
                finding = finding.chain(chain);
            }
            if let Some(seq) = seq {
                finding = finding.seq(seq as u64);
            }
            finding
        };
        let edited = |detail: String| edited_as(FindingKind::HashMismatch, detail);
        let Some(raw) = raw else {
            findings.push(edited(format!(
                "row {event_idx}'s stored record does not decompress: the case file was edited"
            )));
            // The next row links to the hash this one declared.
            if let (Some(chain), Some(seq), Some(hash)) = (chain, seq, stored_hash) {
                previous = Some((chain, seq, hash));
            }
            return Ok(());
        };
        if raw.is_empty() {
            return Ok(()); // a line too long to read was stored empty, with a finding
        }
        if let Some(normal) = normal {
            n_without_integrity += 1;
            // A record of a source without integrity: there is no hash to recompute,
            // but the indexed columns must still say what its normalized event says.
            let from_normal = crate::canonical::parse(&normal)
                .ok()
                .map(|event| EventFields {
                    state_change: None,
                    actor_email: None,
                    ..EventFields::of(&event)
                });
            if from_normal.as_ref() != Some(&columns) || malformed.is_some() {
                findings.push(edited(format!(
                    "row {event_idx}'s indexed columns disagree with its normalized event: the case file was edited"
                )));
            }
            return Ok(());
        }
        // `None` (no version recorded): each line is read by its own shape, as at import.
        let version = versions.get(&bundle_idx).copied().flatten();
        let check = check_line_as(&raw, &mut scratch, version);
        if malformed.is_some() {
            // Quarantined at import; the same check must still find it malformed.
            if matches!(check, LineCheck::Event(_)) {
                findings.push(edited(format!(
                    "row {event_idx} is marked malformed but its stored line is a valid event: the case file was edited"
                )));
            }
            return Ok(());
        }
        let LineCheck::Event(link) = &check else {
            findings.push(edited(format!(
                "row {event_idx} was stored as a valid event but its stored line no longer is one: the case file was edited"
            )));
            return Ok(());
        };
        if let (Some(recomputed), Some(declared)) = (link.body_recomputed, link.body_hash)
            && recomputed != declared
        {
            findings.push(
                edited_as(
                    FindingKind::BodyHashMismatch,
                    "the stored line's content no longer matches its body hash: the case file was edited".into(),
                )
                .expected(to_hex(&recomputed))
                .actual(to_hex(&declared)),
            );
        }
        if let Some(recomputed) = link.recomputed
            && recomputed != link.hash
        {
            findings.push(
                edited("the stored line's content no longer matches its hash: the case file was edited".into())
                    .expected(to_hex(&recomputed))
                    .actual(to_hex(&link.hash)),
            );
        }
        if stored_hash.as_deref() != Some(link.hash.as_slice())
            || chain.as_deref() != Some(link.chain.as_str())
            || seq != Some(link.seq as i64)
        {
            findings.push(edited(format!(
                "row {event_idx}'s chain, seq or hash columns disagree with its stored line: the case file was edited"
            )));
        }
        let parsed = crate::canonical::parse(&raw).expect("check_line parsed it");
        let from_raw = EventFields {
            state_change: None,
            actor_email: None,
            ..EventFields::of(&parsed)
        };
        if columns != from_raw || omitted != link.is_stub {
            findings.push(edited(format!(
                "row {event_idx}'s indexed columns disagree with its stored line: the case file was edited"
            )));
        }
        if let Some((previous_chain, previous_seq, previous_hash)) = &previous
            && *previous_chain == link.chain
            && *previous_seq + 1 == link.seq as i64
            && previous_hash.as_slice() != link.prev_hash
        {
            findings.push(
                Finding::new(FindingKind::BrokenLink)
                    .chain(&link.chain)
                    .seq(link.seq)
                    .at(&file, line as u64, 0)
                    .expected(to_hex(previous_hash))
                    .actual(to_hex(&link.prev_hash))
                    .detail("re-verified from the case file"),
            );
        }
        previous = Some((link.chain.clone(), link.seq as i64, link.hash.to_vec()));
        Ok(())
    })?;
    // Rows deleted from (or slipped into) the case: each bundle's rows must number what
    // its import added.
    for (bundle_idx, added, held) in table::bundle::rows_added_and_held(connection)? {
        if added != held {
            findings.push(
                Finding::new(FindingKind::ManifestMismatch)
                    .expected(format!("{added} rows"))
                    .actual(format!("{held} rows"))
                    .detail(format!(
                        "bundle {bundle_idx}: the case holds a different number of its lines than its import stored: the case file was edited"
                    )),
            );
        }
    }
    Ok(Reverification {
        n_rows,
        n_without_integrity,
        findings,
    })
}
