//! Findings of one cause, shown as one: a run of findings of one kind in one chain over
//! consecutive seqs (200 `equivocation`s where two bundles fork) becomes one group with
//! its range and count, and the warnings a fork explains (`state_discontinuity` on the
//! forked events) are attributed to it instead of being listed as problems of their
//! own. The single findings stay in the group (`members`), one click away.
//!
//! Grouping changes how findings are shown, never what they are or the verdict.

use std::collections::HashSet;

use super::report::{Finding, FindingKind, group};

/// What grouping needs to know of a finding (a fresh `Finding` or a stored one).
pub trait Locate {
    fn kind(&self) -> FindingKind;
    fn chain(&self) -> Option<&str>;
    /// First seq, and last seq of a range.
    fn seqs(&self) -> Option<(u64, u64)>;
    /// The finding in full words, values included (`Finding::describe`).
    fn words(&self) -> String;
    /// In words only, no values to compare (`Finding::summary`).
    fn summary_words(&self) -> String;
}

impl Locate for Finding {
    fn kind(&self) -> FindingKind {
        self.kind
    }
    fn chain(&self) -> Option<&str> {
        self.chain.as_deref()
    }
    fn seqs(&self) -> Option<(u64, u64)> {
        self.seq.map(|first| (first, self.seq_end.unwrap_or(first)))
    }
    fn words(&self) -> String {
        self.describe()
    }
    fn summary_words(&self) -> String {
        self.summary()
    }
}

impl Locate for crate::case::StoredFinding {
    fn kind(&self) -> FindingKind {
        self.kind
    }
    fn chain(&self) -> Option<&str> {
        self.chain.as_deref()
    }
    fn seqs(&self) -> Option<(u64, u64)> {
        let first = u64::try_from(self.seq?).ok()?;
        let last = self
            .seq_end
            .and_then(|s| u64::try_from(s).ok())
            .unwrap_or(first);
        Some((first, last))
    }
    fn words(&self) -> String {
        self.message.clone()
    }
    fn summary_words(&self) -> String {
        self.summary()
    }
}

/// One group of findings of one cause.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingGroup {
    pub kind: FindingKind,
    pub chain: Option<String>,
    /// The seq range the group covers, if its findings have seqs.
    pub seqs: Option<(u64, u64)>,
    /// Indices (into the list grouped) of its findings, in order.
    pub members: Vec<usize>,
    /// Indices of the warnings this group explains (attributed to it, not listed apart).
    pub explained: Vec<usize>,
}

impl FindingGroup {
    pub fn count(&self) -> u64 {
        self.members.len() as u64
    }

    /// The group in words, from its first finding's: in full when it stands alone, in
    /// words only when the group holds many (one member's hashes are not all of
    /// theirs); a run adds its range and count, and what it explains.
    pub fn message<F: Locate>(&self, findings: &[F]) -> String {
        let first = &findings[self.members[0]];
        let mut text = if self.members.len() > 1 {
            first.summary_words()
        } else {
            first.words()
        };
        if self.members.len() > 1 {
            text.pop();
            let range = match self.seqs {
                Some((a, b)) => format!(
                    "; {} findings like this one, events {} to {}",
                    group(self.count()),
                    group(a),
                    group(b)
                ),
                None => format!("; {} findings like this one", group(self.count())),
            };
            text.push_str(&range);
            text.push('.');
        }
        for (kind, n) in self.explained_kinds(findings) {
            text.pop();
            text.push_str(&format!(
                "; it explains {} {} {} on the same events",
                group(n),
                kind.as_str(),
                if n == 1 { "warning" } else { "warnings" }
            ));
            text.push('.');
        }
        text
    }

    /// How many explained warnings of each kind.
    pub fn explained_kinds<F: Locate>(&self, findings: &[F]) -> Vec<(FindingKind, u64)> {
        let mut kinds: Vec<(FindingKind, u64)> = Vec::new();
        for &i in &self.explained {
            let kind = findings[i].kind();
            match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => kinds.push((kind, 1)),
            }
        }
        kinds
    }
}

/// Groups `findings` (kept in their order): runs of one kind in one chain over
/// consecutive seqs join, and `state_discontinuity` warnings inside an `equivocation`
/// run's range of the same chain are attributed to it.
pub fn group_findings<F: Locate>(findings: &[F]) -> Vec<FindingGroup> {
    // The forks first, to know which warnings they explain; then the runs without those
    // warnings, so no group's range covers a finding it does not hold.
    let forks: Vec<(String, u64, u64)> = runs(findings, &HashSet::new())
        .into_iter()
        .filter(|g| g.kind == FindingKind::Equivocation)
        .filter_map(|g| Some((g.chain?, g.seqs?.0, g.seqs?.1)))
        .collect();
    let fork_of = |finding: &F| -> Option<usize> {
        if finding.kind() != FindingKind::StateDiscontinuity {
            return None;
        }
        let (chain, (seq, _)) = (finding.chain()?, finding.seqs()?);
        forks
            .iter()
            .position(|(c, a, b)| c == chain && (*a..=*b).contains(&seq))
    };
    let explained: Vec<(usize, usize)> = findings
        .iter()
        .enumerate()
        .filter_map(|(i, finding)| fork_of(finding).map(|fork| (fork, i)))
        .collect();
    let skip: HashSet<usize> = explained.iter().map(|(_, i)| *i).collect();
    let mut groups = runs(findings, &skip);
    for (fork, member) in explained {
        let (chain, a, b) = &forks[fork];
        if let Some(group) = groups.iter_mut().find(|g| {
            g.kind == FindingKind::Equivocation
                && g.chain.as_ref() == Some(chain)
                && g.seqs == Some((*a, *b))
        }) {
            group.explained.push(member);
        }
    }
    groups
}

/// Runs of one kind in one chain over consecutive seqs, in order, leaving out `skip`.
fn runs<F: Locate>(findings: &[F], skip: &HashSet<usize>) -> Vec<FindingGroup> {
    let mut groups: Vec<FindingGroup> = Vec::new();
    for (i, finding) in findings.iter().enumerate() {
        if skip.contains(&i) {
            continue;
        }
        let seqs = finding.seqs();
        if let Some(last) = groups.last_mut()
            && last.kind == finding.kind()
            && last.chain.as_deref() == finding.chain()
            && let (Some((first, end)), Some((a, b))) = (last.seqs, seqs)
            && a == end + 1
        {
            last.seqs = Some((first, b));
            last.members.push(i);
            continue;
        }
        groups.push(FindingGroup {
            kind: finding.kind(),
            chain: finding.chain().map(str::to_owned),
            seqs,
            members: vec![i],
            explained: Vec::new(),
        });
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(kind: FindingKind, chain: &str, seq: u64) -> Finding {
        Finding::new(kind).chain(chain).seq(seq)
    }

    #[test]
    fn a_fork_is_one_group_that_explains_the_warnings_on_its_events() {
        let mut findings: Vec<Finding> = (1801..=2000)
            .map(|seq| at(FindingKind::Equivocation, "c", seq))
            .collect();
        findings.extend((1850..1949).map(|seq| at(FindingKind::StateDiscontinuity, "c", seq)));
        findings.push(at(FindingKind::StateDiscontinuity, "c", 5));
        // A run of warnings that starts before the fork keeps only the seqs it holds.
        findings.extend((1798..=1802).map(|seq| at(FindingKind::StateDiscontinuity, "c", seq)));
        findings.push(at(FindingKind::StateDiscontinuity, "other", 1900));
        let groups = group_findings(&findings);
        type Summary = (FindingKind, Option<(u64, u64)>, u64, usize);
        let summary: Vec<Summary> = groups
            .iter()
            .map(|g| (g.kind, g.seqs, g.count(), g.explained.len()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (FindingKind::Equivocation, Some((1801, 2000)), 200, 101),
                (FindingKind::StateDiscontinuity, Some((5, 5)), 1, 0),
                (FindingKind::StateDiscontinuity, Some((1798, 1800)), 3, 0),
                (FindingKind::StateDiscontinuity, Some((1900, 1900)), 1, 0),
            ]
        );
        // The first member's values are not all 200's: a group speaks in words only.
        findings[0] = findings[0]
            .clone()
            .expected("aa".repeat(32))
            .actual("bb".repeat(32));
        assert_eq!(
            groups[0].message(&findings),
            "Two bundles give different events for the same position: two different histories (chain c, event 1,801); 200 findings like this one, events 1,801 to 2,000; it explains 101 state_discontinuity warnings on the same events."
        );
        // A finding alone keeps its values.
        let alone = vec![findings[0].clone()];
        let single = group_findings(&alone);
        assert!(single[0].message(&alone).contains(&"aa".repeat(32)));
    }

    #[test]
    fn findings_apart_or_of_other_kinds_stay_apart() {
        let findings = vec![
            at(FindingKind::HashMismatch, "c", 3),
            at(FindingKind::HashMismatch, "c", 5),
            at(FindingKind::BrokenLink, "c", 6),
            Finding::new(FindingKind::Unsigned),
            Finding::new(FindingKind::Unsigned),
        ];
        assert_eq!(group_findings(&findings).len(), 5);
    }
}
