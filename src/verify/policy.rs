//! The verdict policy: how much each finding weighs, how a chain's proven facts become
//! its verdict, how verdicts and findings combine into one for a bundle or a case, and
//! which exit status each verdict gives.
//!
//! This is the one place that decides (after sigstore's split of verifier and policy):
//! the checks produce located findings and per-chain facts, and everything that shows a
//! verdict — `verify`, `import`, `status`, the desktop app — asks this module, so they
//! can never disagree. It never reads a file or a finding's text.

use super::report::FindingKind;

/// How much a finding weighs on the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Makes the chain (or bundle) broken.
    Break,
    /// Worth a look, but does not break the chain (spec §8 "a warning").
    Warning,
    /// Says what is not proven (no or untrusted signature); bounds the verdict at intact.
    Notice,
}

impl Severity {
    /// `break`, `warning` or `notice`, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Break => "break",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
        }
    }

    /// The severity stored under `name` (see `as_str`).
    pub fn from_name(name: &str) -> Option<Severity> {
        [Severity::Break, Severity::Warning, Severity::Notice]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// How much a finding of each kind weighs. Spec §8 names the warnings; `unsigned` and
/// `signature_untrusted` say what is not proven; everything else breaks.
pub fn severity(kind: FindingKind) -> Severity {
    match kind {
        FindingKind::TsRegression
        | FindingKind::StateDiscontinuity
        | FindingKind::UnknownActorType
        | FindingKind::ImpreciseNumber
        | FindingKind::MalformedRecord => Severity::Warning,
        FindingKind::Unsigned
        | FindingKind::SignatureUntrusted
        | FindingKind::SignatureUnavailable
        | FindingKind::PublicKeyMissing
        | FindingKind::DuplicateRecord
        | FindingKind::FileSkipped => Severity::Notice,
        FindingKind::MalformedLine
        | FindingKind::HashMismatch
        | FindingKind::BrokenLink
        | FindingKind::SeqGap
        | FindingKind::SeqOutOfOrder
        | FindingKind::DuplicateId
        | FindingKind::Truncated
        | FindingKind::ManifestMismatch
        | FindingKind::FileDigestMismatch
        | FindingKind::SignatureInvalid
        | FindingKind::CheckpointMismatch
        | FindingKind::Discontinuity
        | FindingKind::Equivocation
        | FindingKind::LogFileHashMismatch
        | FindingKind::LogFileMissing
        | FindingKind::LogFileUnreferenced
        | FindingKind::DigestMissing
        | FindingKind::DigestSignatureInvalid
        | FindingKind::DigestHashMismatch
        | FindingKind::DigestGap
        | FindingKind::DigestMoved
        | FindingKind::GzipTrailingData
        | FindingKind::FileCutOff
        | FindingKind::BodyHashMismatch
        | FindingKind::MerkleRootMismatch => Severity::Break,
    }
}

/// The overall judgement of spec §8, plus one for a file that holds nothing to judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Every check holds and something the reviewer trusts (a key, a checkpoint at the
    /// head) vouches for all of it.
    Verified,
    /// Every check holds, but nothing outside the bundle vouches for all of it.
    Intact,
    /// The source carries no integrity (a mapped CSV or JSON file): it can be read and
    /// reviewed, but nothing about it can be proven. Never intact.
    Unverifiable,
    /// A check does not hold.
    Broken,
    /// The input holds no events at all: there is nothing to verify, and no verdict
    /// may claim that a chain holds.
    Empty,
}

impl Verdict {
    pub const ALL: [Verdict; 5] = [
        Verdict::Verified,
        Verdict::Intact,
        Verdict::Unverifiable,
        Verdict::Broken,
        Verdict::Empty,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Intact => "intact",
            Verdict::Unverifiable => "unverifiable",
            Verdict::Broken => "broken",
            Verdict::Empty => "empty",
        }
    }

    /// The verdict stored under `name` (see `as_str`).
    pub fn from_name(name: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == name)
    }

    /// The command line's exit status for this verdict: 0 verified, 1 broken, 2 nothing
    /// to verify (as for input that could not be read), 3 intact, 4 unverifiable.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Verified => 0,
            Verdict::Broken => 1,
            Verdict::Empty => 2,
            Verdict::Intact => 3,
            Verdict::Unverifiable => 4,
        }
    }

    /// How bad, for combining: a part that holds nothing never improves or worsens
    /// the whole.
    fn rank(self) -> u8 {
        match self {
            Verdict::Empty => 0,
            Verdict::Verified => 1,
            Verdict::Intact => 2,
            Verdict::Unverifiable => 3,
            Verdict::Broken => 4,
        }
    }

    /// The worse of two verdicts (an empty part leaves the other as it is).
    pub fn worst(self, other: Verdict) -> Verdict {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

/// One chain's verdict from what was established about it.
pub fn chain_verdict(broken: bool, has_manifest: bool, authenticity_proven: bool) -> Verdict {
    if broken {
        Verdict::Broken
    } else if has_manifest && authenticity_proven {
        Verdict::Verified
    } else {
        Verdict::Intact
    }
}

/// The verdict over several parts (chains, bundles) and the findings about them: any
/// finding that breaks makes it broken; otherwise the worst part decides; with no
/// part that holds anything, it is empty. Warnings and notices never decide it: a
/// notice's effect is already in its chain's verdict.
pub fn combine(
    parts: impl IntoIterator<Item = Verdict>,
    findings: impl IntoIterator<Item = Severity>,
) -> Verdict {
    if findings.into_iter().any(|s| s == Severity::Break) {
        return Verdict::Broken;
    }
    parts.into_iter().fold(Verdict::Empty, Verdict::worst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verdict_round_trips_through_its_name_and_has_its_own_exit_code() {
        let mut codes = Vec::new();
        for verdict in Verdict::ALL {
            assert_eq!(Verdict::from_name(verdict.as_str()), Some(verdict));
            codes.push(verdict.exit_code());
        }
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Verdict::ALL.len());
    }

    #[test]
    fn warnings_never_break_and_nothing_is_empty() {
        use Verdict::*;
        assert_eq!(combine([Intact], [Severity::Warning]), Intact);
        assert_eq!(combine([Verified, Intact], []), Intact);
        assert_eq!(combine([Verified], [Severity::Break]), Broken);
        assert_eq!(combine([Empty, Verified], []), Verified);
        assert_eq!(combine([], []), Empty);
        assert_eq!(combine([], [Severity::Break]), Broken);
        assert_eq!(combine([Verified, Unverifiable], []), Unverifiable);
        assert_eq!(combine([Unverifiable], [Severity::Warning]), Unverifiable);
    }
}
