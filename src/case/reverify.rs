//! Re-verifies a case from itself: recomputes every hash from the stored raw lines,
//! re-checks every link in (chain, seq) order, and checks that the indexed columns
//! still say what the raw line says. This detects a case file edited after import
//! (a row changed behind the app's back). Read-only.

use rusqlite::params;

use super::Case;
use crate::Result;
use crate::canonical::to_hex;
use crate::verify::{EventFields, Finding, FindingKind, LineCheck, check_line};

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
    let mut statement = connection.prepare(
        "SELECT event_idx, file, line, chain, seq, hash, raw, malformed, id, ts, action, category, actor_id,
                actor_type, actor_name, on_behalf_of, target_type, target_id, target_name, outcome, channel, ip,
                batch_id, client_id, rule_id, omitted, normal
         FROM event ORDER BY chain, seq, event_idx",
    )?;
    let mut rows = statement.query(params![])?;
    let mut findings = Vec::new();
    let mut n_rows = 0;
    let mut n_without_integrity = 0;
    let mut scratch = Vec::new();
    // (chain, seq, hash) of the previous row with a readable position.
    let mut previous: Option<(String, i64, Vec<u8>)> = None;
    while let Some(row) = rows.next()? {
        n_rows += 1;
        let event_idx: i64 = row.get(0)?;
        let file: String = row.get(1)?;
        let line: i64 = row.get(2)?;
        let chain: Option<String> = row.get(3)?;
        let seq: Option<i64> = row.get(4)?;
        let stored_hash: Option<Vec<u8>> = row.get(5)?;
        let raw: Vec<u8> = row.get(6)?;
        let malformed: Option<String> = row.get(7)?;
        let edited = |detail: String| {
            let mut finding = Finding::new(FindingKind::HashMismatch)
                .at(&file, line as u64, 0)
                .detail(detail);
            if let Some(chain) = &chain {
                finding = finding.chain(chain);
            }
            if let Some(seq) = seq {
                finding = finding.seq(seq as u64);
            }
            finding
        };
        if raw.is_empty() {
            continue; // a line too long to read was stored empty, with a finding
        }
        let normal: Option<Vec<u8>> = row.get(26)?;
        if let Some(normal) = normal {
            n_without_integrity += 1;
            // A record of a source without integrity: there is no hash to recompute,
            // but the indexed columns must still say what its normalized event says.
            let from_normal = crate::canonical::parse(&normal)
                .ok()
                .map(|event| EventFields {
                    state_change: None,
                    ..EventFields::of(&event)
                });
            if from_normal.as_ref() != Some(&columns_of(row)?) || malformed.is_some() {
                findings.push(edited(format!(
                    "row {event_idx}'s indexed columns disagree with its normalized event: the case file was edited"
                )));
            }
            continue;
        }
        let check = check_line(&raw, &mut scratch);
        if malformed.is_some() {
            // Quarantined at import; the same check must still find it malformed.
            if matches!(check, LineCheck::Event(_)) {
                findings.push(edited(format!(
                    "row {event_idx} is marked malformed but its stored line is a valid event: the case file was edited"
                )));
            }
            continue;
        }
        let LineCheck::Event(link) = &check else {
            findings.push(edited(format!(
                "row {event_idx} was stored as a valid event but its stored line no longer is one: the case file was edited"
            )));
            continue;
        };
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
            ..EventFields::of(&parsed)
        };
        let from_columns = columns_of(row)?;
        let omitted: bool = row.get(25)?;
        if from_columns != from_raw || omitted != link.is_stub {
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
    }
    // Rows deleted from (or slipped into) the case: each bundle's rows must number what
    // its import added.
    let mut counts = connection.prepare(
        "SELECT b.bundle_idx, b.n_events_added, (SELECT count(*) FROM event e WHERE e.bundle_idx = b.bundle_idx)
         FROM bundle b ORDER BY b.bundle_idx",
    )?;
    let counted = counts
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (bundle_idx, added, held) in counted {
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

/// The indexed columns of a row of the query above, as event fields.
fn columns_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<EventFields> {
    let ts: i64 = row.get(9)?;
    Ok(EventFields {
        id: row.get(8)?,
        ts_millis: (ts != super::UNKNOWN_TS).then_some(ts),
        action: row.get(10)?,
        category: row.get(11)?,
        actor_id: row.get(12)?,
        actor_type: row.get(13)?,
        actor_name: row.get(14)?,
        on_behalf_of_id: row.get(15)?,
        target_type: row.get(16)?,
        target_id: row.get(17)?,
        target_name: row.get(18)?,
        outcome: row.get(19)?,
        channel: row.get(20)?,
        ip: row.get(21)?,
        batch_id: row.get(22)?,
        client_id: row.get(23)?,
        rule_id: row.get(24)?,
        state_change: None,
    })
}
