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
    pub findings: Vec<Finding>,
}

/// Re-verifies every stored line of the case.
pub fn reverify(case: &Case) -> Result<Reverification> {
    let connection = case.connection();
    let mut statement = connection.prepare(
        "SELECT event_idx, file, line, chain, seq, hash, raw, malformed, id, ts, action, actor_id, target_type,
                target_id, outcome
         FROM event ORDER BY chain, seq, event_idx",
    )?;
    let mut rows = statement.query(params![])?;
    let mut findings = Vec::new();
    let mut n_rows = 0;
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
        if malformed.is_some() || raw.is_empty() {
            continue;
        }
        let check = check_line(&raw, &mut scratch);
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
        let fields = EventFields::of(&parsed);
        let columns: (
            Option<String>,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        ) = (
            row.get(8)?,
            row.get(9)?,
            row.get(10)?,
            row.get(11)?,
            row.get(12)?,
            row.get(13)?,
            row.get(14)?,
        );
        let from_raw = (
            fields.id,
            Some(fields.ts_millis.unwrap_or(super::UNKNOWN_TS)),
            fields.action,
            fields.actor_id,
            fields.target_type,
            fields.target_id,
            fields.outcome,
        );
        if columns != from_raw {
            findings.push(edited(format!(
                "row {event_idx}'s indexed columns (id, time, action, actor, target, outcome) disagree with its stored line: the case file was edited"
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
    Ok(Reverification { n_rows, findings })
}
