//! SQL of the `bundle_chain` table: each chain as one bundle holds it, with its verdict,
//! seq range, start and head hashes and five dimensions.

use rusqlite::{Connection, params};

use super::named;
use crate::Result;
use crate::verify::{ChainReport, Dimension, DimensionStatus, Verdict};

/// One chain as one bundle holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainSummary {
    pub chain: String,
    pub verdict: Verdict,
    pub n_events: i64,
    pub n_omitted: i64,
    pub first_seq: i64,
    pub last_seq: i64,
    pub head_hash: String,
    /// (name, status, detail) of the five dimensions, in spec order.
    pub dimensions: Vec<(&'static str, DimensionStatus, String)>,
}

/// Where another bundle's part of a chain starts and ends, for continuity checks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeldPart {
    pub(crate) first_seq: i64,
    pub(crate) last_seq: i64,
    /// `prev_hash` of its first event.
    pub(crate) start_prev_hash: Option<String>,
    pub(crate) head_hash: String,
}

/// Stores one chain of a bundle's report.
pub(crate) fn insert(connection: &Connection, bundle_idx: i64, chain: &ChainReport) -> Result<()> {
    let dims: [&Dimension; 5] = [
        &chain.integrity,
        &chain.linkage,
        &chain.completeness,
        &chain.authenticity,
        &chain.coverage,
    ];
    connection.execute(
        "INSERT INTO bundle_chain (bundle_idx, chain, verdict, n_events, n_omitted, first_seq, last_seq,
                                   start_prev_hash, head_hash, first_ts, last_ts,
                                   integrity_status, integrity_detail, linkage_status, linkage_detail,
                                   completeness_status, completeness_detail, authenticity_status,
                                   authenticity_detail, coverage_status, coverage_detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
        params![
            bundle_idx,
            chain.id,
            chain.verdict.as_str(),
            chain.events as i64,
            chain.omitted as i64,
            chain.first_seq as i64,
            chain.last_seq as i64,
            chain.start_prev_hash,
            chain.head_hash,
            chain.first_ts,
            chain.last_ts,
            dims[0].status.as_str(),
            dims[0].detail,
            dims[1].status.as_str(),
            dims[1].detail,
            dims[2].status.as_str(),
            dims[2].detail,
            dims[3].status.as_str(),
            dims[3].detail,
            dims[4].status.as_str(),
            dims[4].detail,
        ],
    )?;
    Ok(())
}

/// The parts of `chain` that the case's other bundles hold, by first seq.
pub(crate) fn of_chain_except(
    connection: &Connection,
    chain: &str,
    bundle_idx: i64,
) -> Result<Vec<HeldPart>> {
    let mut statement = connection.prepare_cached(
        "SELECT bundle_idx, first_seq, last_seq, start_prev_hash, head_hash FROM bundle_chain
             WHERE chain = ?1 AND bundle_idx != ?2 ORDER BY first_seq",
    )?;
    let parts = statement
        .query_map(params![chain, bundle_idx], |row| {
            // Column 0 (the bundle) is selected but not needed.
            Ok(HeldPart {
                first_seq: row.get(1)?,
                last_seq: row.get(2)?,
                start_prev_hash: row.get(3)?,
                head_hash: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(parts)
}

/// The chains one bundle holds, by name.
pub(crate) fn of_bundle(connection: &Connection, bundle_idx: i64) -> Result<Vec<ChainSummary>> {
    // Cached: `status` asks once per bundle.
    let mut statement = connection.prepare_cached(
        "SELECT chain, verdict, n_events, n_omitted, first_seq, last_seq, head_hash,
                integrity_status, integrity_detail, linkage_status, linkage_detail,
                completeness_status, completeness_detail, authenticity_status, authenticity_detail,
                coverage_status, coverage_detail
         FROM bundle_chain WHERE bundle_idx = ?1 ORDER BY chain",
    )?;
    let chains = statement
        .query_map(params![bundle_idx], |row| {
            let names = [
                "integrity",
                "linkage",
                "completeness",
                "authenticity",
                "coverage",
            ];
            let mut dimensions = Vec::new();
            for (i, name) in names.into_iter().enumerate() {
                dimensions.push((
                    name,
                    named(row, 7 + 2 * i, DimensionStatus::from_name)?,
                    row.get(8 + 2 * i)?,
                ));
            }
            Ok(ChainSummary {
                chain: row.get(0)?,
                verdict: named(row, 1, Verdict::from_name)?,
                n_events: row.get(2)?,
                n_omitted: row.get(3)?,
                first_seq: row.get(4)?,
                last_seq: row.get(5)?,
                head_hash: row.get(6)?,
                dimensions,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(chains)
}

/// Deletes the chains of one bundle (before they are stored again).
pub(crate) fn delete_of_bundle(connection: &Connection, bundle_idx: i64) -> Result<()> {
    connection.execute(
        "DELETE FROM bundle_chain WHERE bundle_idx = ?1",
        [bundle_idx],
    )?;
    Ok(())
}
