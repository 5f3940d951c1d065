//! One chain's five dimensions (spec §8: integrity, linkage, completeness,
//! authenticity, coverage) in plain words, from what the chain walk established. The
//! verdict itself is `policy`'s; this module only says what is and is not proven.

use super::chain::{ChainState, MerkleCheck};
use super::policy::chain_verdict;
use super::report::{
    ChainReport, Dimension, DimensionStatus, FindingKind, SignatureReport, SignatureStatus, group,
};
use crate::canonical::to_hex;

/// One chain's verdict and dimensions. `bundle_unpinned`: the manifest or file digest
/// failed for the bundle as a whole, so no chain's completeness holds.
pub(super) fn chain_report(
    state: &ChainState,
    has_manifest: bool,
    signature: &SignatureReport,
    bundle_unpinned: bool,
) -> ChainReport {
    use DimensionStatus::{Failed, Proven, Unproven};
    use FindingKind as K;
    let dimension = |status, detail: String| Dimension { status, detail };
    let range = format!(
        "seq {} to {}",
        group(state.first_seq),
        group(state.last_seq)
    );

    let altered = state.count(K::HashMismatch) + state.count(K::BodyHashMismatch);
    let mut integrity = if altered > 0 {
        dimension(
            Failed,
            format!(
                "{} {} no longer match their hash",
                group(altered),
                if altered == 1 {
                    "event's contents"
                } else {
                    "events' contents"
                }
            ),
        )
    } else if state.unbound_omitted > 0 {
        dimension(
            Proven,
            format!(
                "all {} events recompute to their recorded hash; {} omitted events cannot be recomputed, only linked",
                group(state.events),
                group(state.omitted)
            ),
        )
    } else if state.omitted > 0 {
        dimension(
            Proven,
            format!(
                "all {} events recompute to their recorded hash; {} omitted events recompute from the hash before them and the body hash of their left-out content",
                group(state.events),
                group(state.omitted)
            ),
        )
    } else {
        dimension(
            Proven,
            format!(
                "all {} events recompute to their recorded hash",
                group(state.events)
            ),
        )
    };

    let imprecise = state.count(K::ImpreciseNumber);
    if imprecise > 0 {
        integrity.detail.push_str(&format!(
            "; {} {} beyond ±(2^53−1) {} protected only to double precision, not digit for digit",
            group(imprecise),
            if imprecise == 1 { "number" } else { "numbers" },
            if imprecise == 1 { "is" } else { "are" },
        ));
    }

    let link_problems = state.count_where(|k| {
        matches!(
            k,
            K::BrokenLink | K::SeqGap | K::SeqOutOfOrder | K::DuplicateId | K::MalformedLine
        )
    });
    let linkage = if link_problems > 0 {
        dimension(
            Failed,
            format!(
                "{} broken links, gaps, reorderings, duplicates or unreadable lines",
                group(link_problems)
            ),
        )
    } else if state.anchored {
        dimension(Proven, format!("every link holds, {range}"))
    } else {
        dimension(
            Unproven,
            format!(
                "every link holds, {range}, but the first event's link to seq {} cannot be checked without a manifest",
                group(state.first_seq.saturating_sub(1))
            ),
        )
    };

    let completeness_problems = state.count_where(|k| {
        matches!(
            k,
            K::Truncated | K::ManifestMismatch | K::FileDigestMismatch | K::MerkleRootMismatch
        )
    });
    let completeness = if completeness_problems > 0 || bundle_unpinned {
        dimension(
            Failed,
            "the events do not match what the manifest pins".into(),
        )
    } else if !has_manifest {
        dimension(
            Unproven,
            "no manifest: completeness unproven (events could be missing at the end)".into(),
        )
    } else {
        let pinned = match state.merkle_check {
            MerkleCheck::Matched => "head hash and Merkle root as the manifest pins".to_owned(),
            MerkleCheck::NotCheckable => format!(
                "head hash as the manifest pins; its Merkle root covers seq 1 to {}, but this bundle holds only seq {} onwards, so the root is not checkable from this bundle alone",
                group(state.last_seq),
                group(state.first_seq)
            ),
            _ => "head hash as the manifest pins".to_owned(),
        };
        dimension(
            Proven,
            format!("{range}, {} lines, {pinned}", group(state.lines)),
        )
    };

    let key = signature.key_id.as_deref().unwrap_or("an unnamed key");
    let checkpoint_problems =
        state.count_where(|k| matches!(k, K::CheckpointMismatch | K::SignatureInvalid));
    let unvouched = state.unvouched_ranges();
    let authenticity = if checkpoint_problems > 0 || signature.status == SignatureStatus::Invalid {
        dimension(
            Failed,
            match signature.status {
                SignatureStatus::Invalid => {
                    "the manifest's signature is invalid: the manifest was changed after signing"
                        .into()
                }
                _ => "the events do not match checkpoints published earlier".into(),
            },
        )
    } else if has_manifest && signature.status == SignatureStatus::Trusted {
        dimension(Proven, format!("signed by {key}, a key you trust"))
    } else if unvouched.is_empty() {
        dimension(
            Proven,
            format!(
                "the head, seq {}, matches a checkpoint you hold, and it binds every event",
                group(state.last_seq)
            ),
        )
    } else {
        let why = match signature.status {
            SignatureStatus::Untrusted => {
                format!("signed by {key}, which is not one of your trusted keys")
            }
            _ if !has_manifest => "no manifest and no signature".into(),
            _ => "the bundle is not signed".into(),
        };
        let vouched = state.vouched_ranges();
        let detail = if vouched.is_empty() {
            let mut detail = format!("{why}: a producer could have recomputed the whole chain");
            if state.unbound_omitted > 0 && state.count(K::CheckpointMismatch) == 0 {
                detail.push_str(STUB_BINDING);
            }
            detail
        } else {
            let mut detail = format!(
                "{why}; checkpoints you hold vouch for {} only: {} {} unvouched",
                describe_ranges(&vouched),
                describe_ranges(&unvouched),
                if unvouched.len() == 1 && unvouched[0].0 == unvouched[0].1 {
                    "is"
                } else {
                    "are"
                }
            );
            if state.unbound_omitted > 0 {
                detail.push_str(STUB_BINDING);
            }
            detail
        };
        dimension(Unproven, detail)
    };

    let coverage = match (&state.earliest_ts, &state.latest_ts) {
        (Some((from, _)), Some((to, _))) => {
            let status = if state.is_broken() || bundle_unpinned {
                Unproven
            } else {
                Proven
            };
            dimension(status, format!("{from} to {to}"))
        }
        _ => dimension(Unproven, "no readable event times".into()),
    };

    let verdict = chain_verdict(
        state.is_broken() || bundle_unpinned || signature.status == SignatureStatus::Invalid,
        has_manifest,
        authenticity.status == Proven,
    );
    ChainReport {
        id: state.id.clone(),
        verdict,
        events: state.events,
        omitted: state.omitted,
        first_seq: state.first_seq,
        last_seq: state.last_seq,
        head_hash: to_hex(&state.last_hash),
        start_prev_hash: state.start_prev_hash.as_ref().map(|h| to_hex(h)),
        first_ts: state.earliest_ts.as_ref().map(|t| t.0.clone()),
        last_ts: state.latest_ts.as_ref().map(|t| t.0.clone()),
        integrity,
        linkage,
        completeness,
        authenticity,
        coverage,
        counts: Vec::new(),
    }
}

/// Why version 1 stubs limit what a checkpoint vouches for (spec v1 §4: a stub's hash
/// is a claim; version 2 recomputes it).
const STUB_BINDING: &str = " (a checkpoint binds only the full events after the last omitted event before it: an omitted event's hash is a bare claim that ties nothing before it to what follows)";

/// `seq 1 to 500, 1,001 to 2,500 and 3,000`: ranges in words, at most four listed.
fn describe_ranges(ranges: &[(u64, u64)]) -> String {
    const LISTED: usize = 4;
    let mut parts: Vec<String> = ranges
        .iter()
        .take(LISTED)
        .map(|&(from, to)| {
            if from == to {
                group(from)
            } else {
                format!("{} to {}", group(from), group(to))
            }
        })
        .collect();
    if ranges.len() > LISTED {
        parts.push(format!(
            "{} more ranges",
            group((ranges.len() - LISTED) as u64)
        ));
    }
    let text = match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    };
    format!("seq {text}")
}
