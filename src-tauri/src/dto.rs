//! Transport types: what the desktop shell sends to the front end, and the filters it
//! receives. Each is a plain, serializable copy of an engine type, made with `From`
//! (or a named constructor where masking needs the case's masked fields), and each
//! has a generated TypeScript twin in `ui/src/bindings/` (see `bindings` below).
//!
//! This file must never run SQL, decide a verdict, or compute anything the engine
//! computes (sentences, diffs, states, headlines): it only copies and renames. Times
//! leave here as ISO 8601 UTC strings; the UI decides local or UTC display.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use trailscope::case::{
    BundleSummary, CaseStatus, ChainSummary, ImportOutcome, ImportProgress, StoredFinding,
};
use trailscope::query::diff::FieldChange;
use trailscope::query::{
    Activity, ActorSummary, DetailView, EventCheck, EventFilter, EventView, FacetCount,
    FindingGroupView, HistoryEntryView, HistoryView, Person, Question, actor_kind,
};
use trailscope::source::{
    FieldSource, MappingDraft, Preview, PreviewEvent, RecordFormat, SourceKind,
};
use trailscope::verify::Severity;
use trailscope::{DimensionStatus, Finding, FindingKind, SignatureStatus, Verdict};

/// Milliseconds since the epoch (UTC) as `2026-04-01T09:30:00.000Z`; `None` if unknown.
pub fn iso_utc(millis: Option<i64>) -> Option<String> {
    millis
        .and_then(|m| Utc.timestamp_millis_opt(m).single())
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// An RFC 3339 time from the UI, as milliseconds since the epoch.
pub fn parse_iso(text: &str) -> Result<i64, ErrorDto> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|_| ErrorDto::invalid(format!("{text:?} is not an RFC 3339 time")))
}

/// What kind of failure a command met, for the UI to switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Io,
    /// Not a format Trailscope knows (the message says what it looked for).
    UnknownFormat,
    Refused,
    TrustedKeys,
    Checkpoints,
    KeyFile,
    Invalid,
    /// The input holds no events: nothing was imported.
    NoEvents,
    /// A mapping that cannot be used, or a file that does not fit it.
    Mapping,
    Cancelled,
    Case,
    /// No case is open.
    NoCase,
    NotFound,
    Internal,
    /// The folder is an evidence excerpt: it is checked (`check_excerpt`), not imported.
    Excerpt,
}

/// Why a command failed: `code` for the UI to switch on, `message` to show.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ErrorDto {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorDto {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorDto {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        ErrorDto::new(ErrorCode::Invalid, message)
    }
}

impl From<trailscope::Error> for ErrorDto {
    fn from(error: trailscope::Error) -> Self {
        use trailscope::Error as E;
        // Exhaustive: a new engine error must be given its code here.
        let code = match &error {
            E::Io { .. } => ErrorCode::Io,
            E::UnknownFormat { .. } => ErrorCode::UnknownFormat,
            E::Refused { .. } => ErrorCode::Refused,
            E::TrustedKeys { .. } => ErrorCode::TrustedKeys,
            E::Checkpoints { .. } => ErrorCode::Checkpoints,
            E::KeyFile { .. } => ErrorCode::KeyFile,
            E::Invalid(_) => ErrorCode::Invalid,
            E::NoEvents { .. } => ErrorCode::NoEvents,
            E::Mapping { .. } => ErrorCode::Mapping,
            E::NoCase { .. } => ErrorCode::NoCase,
            E::Cancelled => ErrorCode::Cancelled,
            E::Case(_) => ErrorCode::Case,
        };
        ErrorDto::new(code, error.to_string())
    }
}

/// The engine's verdict (`trailscope::Verdict`), on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VerdictDto {
    Verified,
    Intact,
    Unverifiable,
    Broken,
    Empty,
}

impl From<Verdict> for VerdictDto {
    fn from(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Verified => VerdictDto::Verified,
            Verdict::Intact => VerdictDto::Intact,
            Verdict::Unverifiable => VerdictDto::Unverifiable,
            Verdict::Broken => VerdictDto::Broken,
            Verdict::Empty => VerdictDto::Empty,
        }
    }
}

/// How much a finding weighs (`trailscope::verify::Severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SeverityDto {
    Break,
    Warning,
    Notice,
}

impl From<Severity> for SeverityDto {
    fn from(severity: Severity) -> Self {
        match severity {
            Severity::Break => SeverityDto::Break,
            Severity::Warning => SeverityDto::Warning,
            Severity::Notice => SeverityDto::Notice,
        }
    }
}

/// A finding's kind (`trailscope::FindingKind`), spelled as spec §8 spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FindingKindDto {
    MalformedLine,
    HashMismatch,
    BrokenLink,
    SeqGap,
    SeqOutOfOrder,
    DuplicateId,
    Truncated,
    ManifestMismatch,
    FileDigestMismatch,
    SignatureInvalid,
    SignatureUntrusted,
    Unsigned,
    CheckpointMismatch,
    Discontinuity,
    Equivocation,
    TsRegression,
    StateDiscontinuity,
    UnknownActorType,
    ImpreciseNumber,
    MalformedRecord,
    LogFileHashMismatch,
    LogFileMissing,
    LogFileUnreferenced,
    DigestMissing,
    DigestSignatureInvalid,
    DigestHashMismatch,
    DigestGap,
    DigestMoved,
    GzipTrailingData,
    SignatureUnavailable,
    PublicKeyMissing,
    DuplicateRecord,
    FileCutOff,
    FileSkipped,
    BodyHashMismatch,
    MerkleRootMismatch,
}

impl From<FindingKind> for FindingKindDto {
    fn from(kind: FindingKind) -> Self {
        use FindingKind as K;
        use FindingKindDto as D;
        match kind {
            K::MalformedLine => D::MalformedLine,
            K::HashMismatch => D::HashMismatch,
            K::BrokenLink => D::BrokenLink,
            K::SeqGap => D::SeqGap,
            K::SeqOutOfOrder => D::SeqOutOfOrder,
            K::DuplicateId => D::DuplicateId,
            K::Truncated => D::Truncated,
            K::ManifestMismatch => D::ManifestMismatch,
            K::FileDigestMismatch => D::FileDigestMismatch,
            K::SignatureInvalid => D::SignatureInvalid,
            K::SignatureUntrusted => D::SignatureUntrusted,
            K::Unsigned => D::Unsigned,
            K::CheckpointMismatch => D::CheckpointMismatch,
            K::Discontinuity => D::Discontinuity,
            K::Equivocation => D::Equivocation,
            K::TsRegression => D::TsRegression,
            K::StateDiscontinuity => D::StateDiscontinuity,
            K::UnknownActorType => D::UnknownActorType,
            K::ImpreciseNumber => D::ImpreciseNumber,
            K::MalformedRecord => D::MalformedRecord,
            K::LogFileHashMismatch => D::LogFileHashMismatch,
            K::LogFileMissing => D::LogFileMissing,
            K::LogFileUnreferenced => D::LogFileUnreferenced,
            K::DigestMissing => D::DigestMissing,
            K::DigestSignatureInvalid => D::DigestSignatureInvalid,
            K::DigestHashMismatch => D::DigestHashMismatch,
            K::DigestGap => D::DigestGap,
            K::DigestMoved => D::DigestMoved,
            K::GzipTrailingData => D::GzipTrailingData,
            K::SignatureUnavailable => D::SignatureUnavailable,
            K::PublicKeyMissing => D::PublicKeyMissing,
            K::DuplicateRecord => D::DuplicateRecord,
            K::FileCutOff => D::FileCutOff,
            K::FileSkipped => D::FileSkipped,
            K::BodyHashMismatch => D::BodyHashMismatch,
            K::MerkleRootMismatch => D::MerkleRootMismatch,
        }
    }
}

/// One dimension's standing (`trailscope::DimensionStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DimensionStatusDto {
    Proven,
    Unproven,
    Failed,
}

impl From<DimensionStatus> for DimensionStatusDto {
    fn from(status: DimensionStatus) -> Self {
        match status {
            DimensionStatus::Proven => DimensionStatusDto::Proven,
            DimensionStatus::Unproven => DimensionStatusDto::Unproven,
            DimensionStatus::Failed => DimensionStatusDto::Failed,
        }
    }
}

/// The manifest signature's standing (`trailscope::SignatureStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatusDto {
    Trusted,
    Untrusted,
    Invalid,
    Absent,
}

impl From<SignatureStatus> for SignatureStatusDto {
    fn from(status: SignatureStatus) -> Self {
        match status {
            SignatureStatus::Trusted => SignatureStatusDto::Trusted,
            SignatureStatus::Untrusted => SignatureStatusDto::Untrusted,
            SignatureStatus::Invalid => SignatureStatusDto::Invalid,
            SignatureStatus::Absent => SignatureStatusDto::Absent,
        }
    }
}

/// One of the five dimensions of a chain (integrity, linkage, completeness,
/// authenticity, coverage), as the engine worded it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DimensionDto {
    pub name: String,
    pub status: DimensionStatusDto,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChainDto {
    pub chain: String,
    pub verdict: VerdictDto,
    #[ts(type = "number")]
    pub n_events: i64,
    #[ts(type = "number")]
    pub n_omitted: i64,
    #[ts(type = "number")]
    pub first_seq: i64,
    #[ts(type = "number")]
    pub last_seq: i64,
    pub head_hash: String,
    pub dimensions: Vec<DimensionDto>,
}

impl From<ChainSummary> for ChainDto {
    fn from(chain: ChainSummary) -> Self {
        ChainDto {
            chain: chain.chain,
            verdict: chain.verdict.into(),
            n_events: chain.n_events,
            n_omitted: chain.n_omitted,
            first_seq: chain.first_seq,
            last_seq: chain.last_seq,
            head_hash: chain.head_hash,
            dimensions: chain
                .dimensions
                .into_iter()
                .map(|(name, status, detail)| DimensionDto {
                    name: name.to_owned(),
                    status: status.into(),
                    detail,
                })
                .collect(),
        }
    }
}

/// The kind of source a bundle was read as (`trailscope::source::SourceKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SourceKindDto {
    /// An audit bundle: hash-chained events, perhaps signed.
    AuditBundle,
    /// A CSV or JSON file of another system, read through a mapping (no integrity).
    Mapped,
    /// An AWS CloudTrail evidence folder (log files, signed digest files, keys).
    Cloudtrail,
    /// Exports of systems with no integrity of their own.
    Microsoft365,
    EntraId,
    Okta,
    Kubernetes,
    Github,
    Gitlab,
    GoogleWorkspace,
    Salesforce,
}

impl From<SourceKind> for SourceKindDto {
    fn from(kind: SourceKind) -> Self {
        match kind {
            SourceKind::AuditBundle => SourceKindDto::AuditBundle,
            SourceKind::Mapped => SourceKindDto::Mapped,
            SourceKind::CloudTrail => SourceKindDto::Cloudtrail,
            SourceKind::Microsoft365 => SourceKindDto::Microsoft365,
            SourceKind::EntraId => SourceKindDto::EntraId,
            SourceKind::Okta => SourceKindDto::Okta,
            SourceKind::Kubernetes => SourceKindDto::Kubernetes,
            SourceKind::GitHub => SourceKindDto::Github,
            SourceKind::GitLab => SourceKindDto::Gitlab,
            SourceKind::GoogleWorkspace => SourceKindDto::GoogleWorkspace,
            SourceKind::Salesforce => SourceKindDto::Salesforce,
        }
    }
}

/// One imported bundle with the engine's verdict and headline.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BundleDto {
    #[ts(type = "number")]
    pub bundle_idx: i64,
    pub path: String,
    pub container: String,
    /// What it was read as: an audit bundle, or a file read through a mapping.
    pub source: SourceKindDto,
    pub bundle_id: Option<String>,
    pub producer: Option<String>,
    pub exported_at: Option<String>,
    pub exported_by: Option<String>,
    pub verdict: VerdictDto,
    pub headline: String,
    pub signature_status: SignatureStatusDto,
    pub signature_key_id: Option<String>,
    #[ts(type = "number")]
    pub n_lines: i64,
    #[ts(type = "number")]
    pub n_malformed: i64,
    #[ts(type = "number")]
    pub n_events_added: i64,
    pub imported_at: String,
    pub chains: Vec<ChainDto>,
}

impl From<BundleSummary> for BundleDto {
    fn from(bundle: BundleSummary) -> Self {
        BundleDto {
            bundle_idx: bundle.bundle_idx,
            path: bundle.path,
            container: bundle.container,
            source: bundle.source.into(),
            bundle_id: bundle.bundle_id,
            producer: bundle.producer,
            exported_at: bundle.exported_at,
            exported_by: bundle.exported_by,
            verdict: bundle.verdict.into(),
            headline: bundle.headline,
            signature_status: bundle.signature_status.into(),
            signature_key_id: bundle.signature_key_id,
            n_lines: bundle.n_lines,
            n_malformed: bundle.n_malformed,
            n_events_added: bundle.n_events_added,
            imported_at: bundle.imported_at,
            chains: bundle.chains.into_iter().map(ChainDto::from).collect(),
        }
    }
}

/// The case at a glance: its verdict (the engine's, worst over bundles), bundles,
/// counts and the time span covered.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CaseSummaryDto {
    pub case_path: String,
    pub verdict: VerdictDto,
    pub bundles: Vec<BundleDto>,
    #[ts(type = "number")]
    pub n_events: i64,
    #[ts(type = "number")]
    pub n_omitted: i64,
    #[ts(type = "number")]
    pub n_malformed: i64,
    #[ts(type = "number")]
    pub n_findings: i64,
    /// Earliest and latest known event times, ISO 8601 UTC.
    pub first_time: Option<String>,
    pub last_time: Option<String>,
}

impl CaseSummaryDto {
    pub fn new(case_path: String, status: CaseStatus) -> Self {
        CaseSummaryDto {
            case_path,
            verdict: status.verdict().into(),
            n_events: status.n_events,
            n_omitted: status.n_omitted,
            n_malformed: status.n_malformed,
            n_findings: status.findings.len() as i64,
            first_time: iso_utc(status.first_ts),
            last_time: iso_utc(status.last_ts),
            bundles: status.bundles.into_iter().map(BundleDto::from).collect(),
        }
    }
}

/// One finding, located as precisely as the engine located it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FindingDto {
    #[ts(type = "number")]
    pub finding_idx: i64,
    #[ts(type = "number | null")]
    pub bundle_idx: Option<i64>,
    pub kind: FindingKindDto,
    pub severity: SeverityDto,
    pub message: String,
    pub chain: Option<String>,
    #[ts(type = "number | null")]
    pub seq: Option<i64>,
    #[ts(type = "number | null")]
    pub seq_end: Option<i64>,
    pub file: Option<String>,
    #[ts(type = "number | null")]
    pub line: Option<i64>,
    /// The stored line it is about, when there is one.
    #[ts(type = "number | null")]
    pub event_idx: Option<i64>,
}

impl From<StoredFinding> for FindingDto {
    fn from(finding: StoredFinding) -> Self {
        FindingDto {
            finding_idx: finding.finding_idx,
            bundle_idx: finding.bundle_idx,
            kind: finding.kind.into(),
            severity: finding.severity.into(),
            message: finding.message,
            chain: finding.chain,
            seq: finding.seq,
            seq_end: finding.seq_end,
            file: finding.file,
            line: finding.line,
            event_idx: finding.event_idx,
        }
    }
}

/// Findings of one cause shown as one (the engine's grouping and words): a run of one
/// kind over consecutive seqs, with the warnings it explains.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FindingGroupDto {
    pub kind: FindingKindDto,
    pub severity: SeverityDto,
    pub chain: Option<String>,
    #[ts(type = "number | null")]
    pub first_seq: Option<u64>,
    #[ts(type = "number | null")]
    pub last_seq: Option<u64>,
    pub message: String,
    /// Its findings, each one click away; the first is the group's own.
    pub members: Vec<FindingDto>,
    /// Warnings this group explains, attributed to it.
    pub explained: Vec<FindingDto>,
}

impl From<FindingGroupView> for FindingGroupDto {
    fn from(group: FindingGroupView) -> Self {
        FindingGroupDto {
            kind: group.kind.into(),
            severity: group.severity.into(),
            chain: group.chain,
            first_seq: group.seqs.map(|s| s.0),
            last_seq: group.seqs.map(|s| s.1),
            message: group.message,
            members: group.members.into_iter().map(FindingDto::from).collect(),
            explained: group.explained.into_iter().map(FindingDto::from).collect(),
        }
    }
}

impl FindingDto {
    /// A finding just made (not stored in the case), numbered `index` in its list.
    pub fn live(index: usize, finding: &Finding) -> Self {
        FindingDto {
            finding_idx: index as i64,
            bundle_idx: None,
            kind: finding.kind.into(),
            severity: finding.severity().into(),
            message: finding.describe(),
            chain: finding.chain.clone(),
            seq: finding.seq.map(|s| s as i64),
            seq_end: finding.seq_end.map(|s| s as i64),
            file: finding.file.clone(),
            line: finding.line.map(|l| l as i64),
            event_idx: None,
        }
    }
}

/// One row of the events table.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EventRowDto {
    #[ts(type = "number")]
    pub event_idx: i64,
    /// ISO 8601 UTC; `null` when the line has no readable time.
    pub time: Option<String>,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub actor_type: Option<String>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
    pub outcome: Option<String>,
    /// The engine's plain-language sentence (masked fields hidden).
    pub sentence: String,
    /// The engine's answer: its own checks hold and its bundle is verified.
    pub verified: bool,
    /// Its own hash recomputes and nothing breaks at its line.
    pub checks_ok: bool,
    /// Why the line is malformed, if it is.
    pub malformed: Option<String>,
    /// A stub: an event the export left out.
    pub omitted: bool,
    /// What its bundle was read as: a mapped file's events carry no hash to check.
    pub source: SourceKindDto,
    /// Where it came from, in words ("Okta System Log").
    pub source_name: String,
    /// The reviewer's marks on it.
    pub starred: bool,
    pub tags: Vec<String>,
    pub has_note: bool,
}

impl EventRowDto {
    /// With the reviewer's marks from `marks` (a page's marks by row).
    pub fn marked(
        mut self,
        marks: &std::collections::HashMap<i64, trailscope::case::StoredAnnotation>,
    ) -> Self {
        if let Some(mark) = marks.get(&self.event_idx) {
            self.starred = mark.starred;
            self.tags = mark.tags.clone();
            self.has_note = mark.note.is_some();
        }
        self
    }
}

impl From<&EventView> for EventRowDto {
    /// The engine's masked view of a row, field for field.
    fn from(event: &EventView) -> Self {
        EventRowDto {
            event_idx: event.event_idx,
            time: iso_utc(event.ts),
            actor_id: event.actor_id.clone(),
            actor_name: event.actor_name.clone(),
            actor_type: event.actor_type.clone(),
            action: event.action.clone(),
            target_type: event.target_type.clone(),
            target_id: event.target_id.clone(),
            target_name: event.target_name.clone(),
            outcome: event.outcome.clone(),
            sentence: event.sentence.clone(),
            verified: event.verified,
            checks_ok: event.checks_ok,
            malformed: event.malformed.clone(),
            omitted: event.omitted,
            source: event.source.into(),
            source_name: event.source.title().to_owned(),
            starred: false,
            tags: Vec::new(),
            has_note: false,
        }
    }
}

/// A page of the events table and where the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EventPageDto {
    pub rows: Vec<EventRowDto>,
    /// Pass back as `after` for the next page; `null` at the end.
    pub next: Option<String>,
}

/// One field's change between `before` and `after`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChangeDto {
    pub path: String,
    /// `added`, `removed` or `changed`.
    pub kind: String,
    #[ts(type = "unknown")]
    pub before: Option<Value>,
    #[ts(type = "unknown")]
    pub after: Option<Value>,
}

impl From<FieldChange> for ChangeDto {
    fn from(change: FieldChange) -> Self {
        ChangeDto {
            path: change.path,
            kind: change.kind.as_str().to_owned(),
            before: change.before,
            after: change.after,
        }
    }
}

/// Where a stored line came from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SourceDto {
    #[ts(type = "number")]
    pub bundle_idx: i64,
    pub file: String,
    #[ts(type = "number")]
    pub line: i64,
    pub chain: Option<String>,
    #[ts(type = "number | null")]
    pub seq: Option<i64>,
    pub event_id: Option<String>,
    pub category: Option<String>,
    /// The verdict of the bundle it came from.
    pub bundle_verdict: VerdictDto,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub channel: Option<String>,
    pub request_id: Option<String>,
    pub batch_id: Option<String>,
    pub client_id: Option<String>,
    /// The automation rule that fired, with its version.
    pub rule: Option<String>,
    /// Whom the actor acted for.
    pub on_behalf_of: Option<String>,
    pub reason: Option<String>,
}

/// Everything the detail panel shows for one event.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EventDetailDto {
    pub row: EventRowDto,
    /// The line as it arrived (masked fields hidden, then re-rendered).
    pub line_text: String,
    pub changes: Vec<ChangeDto>,
    /// What the request asked for and what came back, for a source that records
    /// those instead of the record's state (masked; never shown as before/after).
    #[ts(type = "unknown")]
    pub requested: Option<Value>,
    #[ts(type = "unknown")]
    pub result: Option<Value>,
    pub source: SourceDto,
    /// Its own hash, recomputed now from the stored line.
    pub own_hash: EventCheckDto,
    /// Its link to the event before it in the case.
    pub link: EventCheckDto,
    /// The findings that point at it.
    pub findings: Vec<FindingDto>,
}

impl From<DetailView> for EventDetailDto {
    /// The engine's masked detail view, field for field.
    fn from(detail: DetailView) -> Self {
        let source = detail.source;
        EventDetailDto {
            row: EventRowDto::from(&detail.event),
            line_text: detail.line_text,
            changes: detail
                .event
                .changes
                .iter()
                .cloned()
                .map(ChangeDto::from)
                .collect(),
            requested: detail.event.requested.clone(),
            result: detail.event.result.clone(),
            source: SourceDto {
                bundle_idx: detail.bundle_idx,
                file: detail.file,
                line: detail.line,
                chain: detail.event.chain.clone(),
                seq: detail.event.seq,
                event_id: detail.event.id.clone(),
                category: detail.category,
                bundle_verdict: detail.bundle_verdict.into(),
                ip: source.ip,
                user_agent: source.user_agent,
                channel: source.channel,
                request_id: source.request_id,
                batch_id: source.batch_id,
                client_id: source.client_id,
                rule: source.rule,
                on_behalf_of: source.on_behalf_of,
                reason: source.reason,
            },
            own_hash: detail.own_hash.into(),
            link: detail.link.into(),
            findings: detail.findings.into_iter().map(FindingDto::from).collect(),
        }
    }
}

/// One actor with its activity.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ActorDto {
    pub actor_id: String,
    pub actor_type: Option<String>,
    /// The engine's plain word for the type (person, automation, API client, …).
    pub kind: String,
    pub name: Option<String>,
    #[ts(type = "number")]
    pub n_events: i64,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    #[ts(type = "number")]
    pub n_failures: i64,
    #[ts(type = "number")]
    pub n_denials: i64,
    /// The email or user principal name it was seen with (lower case).
    pub email: Option<String>,
    /// Where it acted, in words ("Okta System Log"), most events first.
    pub sources: Vec<String>,
    /// The reviewer separated it from the person its email links it to.
    pub unlinked: bool,
}

impl From<ActorSummary> for ActorDto {
    fn from(actor: ActorSummary) -> Self {
        ActorDto {
            kind: actor_kind(actor.actor_type.as_deref()).to_owned(),
            sources: source_titles(actor.sources.iter().map(String::as_str)),
            actor_id: actor.actor_id,
            actor_type: actor.actor_type,
            name: actor.name,
            n_events: actor.n_events,
            first_time: iso_utc(Some(actor.first_ts)),
            last_time: iso_utc(Some(actor.last_ts)),
            n_failures: actor.n_failures,
            n_denials: actor.n_denials,
            email: actor.email,
            unlinked: actor.unlinked,
        }
    }
}

/// Source kinds' names (`okta`) in words ("Okta System Log").
fn source_titles<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    names
        .map(|name| {
            SourceKind::from_name(name)
                .map_or_else(|| name.to_owned(), |kind| kind.title().to_owned())
        })
        .collect()
}

/// One person with every account they acted through: accounts seen with the same
/// email or user principal name are one person (the engine links them; the reviewer
/// can separate one again).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PersonDto {
    /// Stable: `linked:` and the linking address, else the one account's id.
    pub key: String,
    pub name: Option<String>,
    pub kind: String,
    /// The address the accounts share, when more than one are linked by it.
    pub linked_by: Option<String>,
    /// Where they acted, in words, most events first.
    pub sources: Vec<String>,
    #[ts(type = "number")]
    pub n_events: i64,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    #[ts(type = "number")]
    pub n_failures: i64,
    #[ts(type = "number")]
    pub n_denials: i64,
    /// Most active first; never empty.
    pub accounts: Vec<ActorDto>,
}

impl From<Person> for PersonDto {
    fn from(person: Person) -> Self {
        PersonDto {
            key: person.key(),
            name: person.name().map(str::to_owned),
            kind: actor_kind(person.actor_type()).to_owned(),
            sources: source_titles(person.sources().into_iter()),
            n_events: person.n_events(),
            first_time: iso_utc(Some(person.first_ts())),
            last_time: iso_utc(Some(person.last_ts())),
            n_failures: person.n_failures(),
            n_denials: person.n_denials(),
            linked_by: person.linked_by,
            accounts: person.accounts.into_iter().map(ActorDto::from).collect(),
        }
    }
}

/// Where an event's `before` disagrees with the state the earlier events left.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DiscrepancyDto {
    pub field: String,
    #[ts(type = "unknown")]
    pub expected: Value,
    #[ts(type = "unknown")]
    pub actual: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TimelineEntryDto {
    pub row: EventRowDto,
    /// Events of the same chain the export left out since the previous entry.
    #[ts(type = "number")]
    pub omitted_before: i64,
    pub discrepancies: Vec<DiscrepancyDto>,
    pub changes: Vec<ChangeDto>,
}

impl From<HistoryEntryView> for TimelineEntryDto {
    fn from(entry: HistoryEntryView) -> Self {
        TimelineEntryDto {
            row: EventRowDto::from(&entry.event),
            omitted_before: entry.omitted_before,
            discrepancies: entry
                .discrepancies
                .into_iter()
                .map(|d| DiscrepancyDto {
                    field: d.field,
                    expected: d.expected,
                    actual: d.actual,
                })
                .collect(),
            changes: entry
                .event
                .changes
                .into_iter()
                .map(ChangeDto::from)
                .collect(),
        }
    }
}

/// A record's history and its state at the chosen instant.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TimelineDto {
    pub target_type: String,
    pub target_id: String,
    pub target_name: Option<String>,
    pub entries: Vec<TimelineEntryDto>,
    /// The record's fields at `at` (or after its last event), masked.
    #[ts(type = "Record<string, unknown>")]
    pub state: Value,
    pub exists: bool,
    /// Fields omitted events may have changed.
    pub uncertain: Vec<String>,
    pub at: Option<String>,
}

impl From<HistoryView> for TimelineDto {
    /// The engine's masked history view, field for field.
    fn from(history: HistoryView) -> Self {
        TimelineDto {
            target_type: history.target_type,
            target_id: history.target_id,
            target_name: history.target_name,
            entries: history
                .entries
                .into_iter()
                .map(TimelineEntryDto::from)
                .collect(),
            state: Value::Object(history.state),
            exists: history.exists,
            uncertain: history.uncertain.into_iter().collect(),
            at: iso_utc(history.at),
        }
    }
}

/// How far an import has come.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ImportProgressDto {
    #[ts(type = "number")]
    pub bytes_read: u64,
    #[ts(type = "number | null")]
    pub bytes_total: Option<u64>,
    #[ts(type = "number")]
    pub lines: u64,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    pub events_per_second: f64,
    /// 0 to 1, when the size of the events files is known.
    pub fraction_done: Option<f64>,
    /// At the rate so far, when it can be told.
    pub seconds_left: Option<f64>,
}

impl From<ImportProgress> for ImportProgressDto {
    fn from(progress: ImportProgress) -> Self {
        ImportProgressDto {
            bytes_read: progress.bytes_read,
            bytes_total: progress.bytes_total,
            lines: progress.lines,
            elapsed_ms: progress.elapsed.as_millis() as u64,
            events_per_second: progress.events_per_second(),
            fraction_done: progress.fraction_done(),
            seconds_left: progress.seconds_left(),
        }
    }
}

/// What one import did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ImportResultDto {
    /// The same bundle was already in the case; nothing was added.
    pub already_imported: bool,
    #[ts(type = "number")]
    pub events_added: u64,
    #[ts(type = "number")]
    pub overlapping: u64,
    pub verdict: VerdictDto,
    pub headline: String,
}

impl From<ImportOutcome> for ImportResultDto {
    fn from(outcome: ImportOutcome) -> Self {
        ImportResultDto {
            already_imported: outcome.already_imported,
            events_added: outcome.events_added,
            overlapping: outcome.overlapping,
            verdict: outcome.verdict().into(),
            headline: outcome.report.headline(),
        }
    }
}

/// The case the app now has open, and the import that made it, if any.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OpenedDto {
    pub case_path: String,
    pub import: Option<ImportResultDto>,
}

/// How far the case's text index has got (the engine's `TextIndexState`), and whether
/// the app is building it. Until it is complete a text search is the slow scan of the
/// stored lines, which finds any piece of text; then it reads whole words.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TextIndexDto {
    /// The share of the case's rows indexed, from 0 to 1.
    pub fraction: f64,
    /// Every row is indexed: a text search reads whole words.
    pub complete: bool,
    /// The app is building it now.
    pub building: bool,
    /// Why the app's build stopped short, when it did (until the case is opened again).
    pub failure: Option<String>,
}

impl TextIndexDto {
    pub fn new(
        state: trailscope::case::text_index::TextIndexState,
        building: bool,
        failure: Option<String>,
    ) -> Self {
        TextIndexDto {
            fraction: state.fraction(),
            complete: state.complete(),
            building,
            failure,
        }
    }
}

/// A key the reviewer trusts.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TrustedKeyDto {
    pub key_id: String,
    pub public_key_base64: String,
    /// `app` (the app's own list, editable) or `environment` (TRAILSCOPE_TRUSTED_KEYS).
    pub source: String,
}

/// An AWS CloudTrail key list the reviewer trusts: an `aws cloudtrail list-public-keys`
/// output, kept as it came.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AwsKeyListDto {
    /// The file's name (what the Keys view calls it, and what removing it names).
    pub name: String,
    /// Where it is kept (the app's config dir) or read from (TRAILSCOPE_TRUSTED_KEYS).
    pub path: String,
    /// How many keys it holds, as the engine read them.
    #[ts(type = "number")]
    pub n_keys: u64,
    /// `app` (kept by the app, removable) or `environment` (TRAILSCOPE_TRUSTED_KEYS).
    pub source: String,
}

/// The events table's filter, as the UI sends it. Empty fields keep everything.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, TS)]
#[serde(default)]
pub struct EventFilterDto {
    pub actors: Vec<String>,
    /// Actor types of spec §2.2 (`user`, `automation`, …).
    pub actor_types: Vec<String>,
    /// Exact, or a prefix ending in `.*` (`order.*`).
    pub action: Option<String>,
    pub category: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub outcome: Option<String>,
    pub channel: Option<String>,
    pub ip: Option<String>,
    /// An import batch id.
    pub batch: Option<String>,
    /// An automation rule id.
    pub rule: Option<String>,
    /// The records of one file (e.g. the CloudTrail log file a finding names).
    pub file: Option<String>,
    pub text: Option<String>,
    /// RFC 3339, inclusive.
    pub since: Option<String>,
    /// RFC 3339, exclusive.
    pub until: Option<String>,
    /// The request id the events were made by.
    pub request: Option<String>,
    /// Only events the reviewer starred.
    pub starred: bool,
    /// Only events the reviewer tagged with any of these.
    pub tags: Vec<String>,
    /// Only events the reviewer wrote a note on.
    pub has_note: bool,
}

impl TryFrom<EventFilterDto> for EventFilter {
    type Error = ErrorDto;

    fn try_from(filter: EventFilterDto) -> Result<Self, ErrorDto> {
        let nonempty = |value: Option<String>| value.filter(|v| !v.is_empty());
        Ok(EventFilter {
            actors: filter.actors,
            actor_types: filter.actor_types,
            action: nonempty(filter.action),
            category: nonempty(filter.category),
            target_type: nonempty(filter.target_type),
            target_id: nonempty(filter.target_id),
            outcome: nonempty(filter.outcome),
            channel: nonempty(filter.channel),
            ip: nonempty(filter.ip),
            batch: nonempty(filter.batch),
            rule: nonempty(filter.rule),
            file: nonempty(filter.file),
            text: nonempty(filter.text),
            since: nonempty(filter.since)
                .as_deref()
                .map(parse_iso)
                .transpose()?,
            until: nonempty(filter.until)
                .as_deref()
                .map(parse_iso)
                .transpose()?,
            request: nonempty(filter.request),
            starred: filter.starred,
            tags: filter.tags,
            has_note: filter.has_note,
        })
    }
}

impl From<&EventFilter> for EventFilterDto {
    fn from(filter: &EventFilter) -> Self {
        EventFilterDto {
            actors: filter.actors.clone(),
            actor_types: filter.actor_types.clone(),
            action: filter.action.clone(),
            category: filter.category.clone(),
            target_type: filter.target_type.clone(),
            target_id: filter.target_id.clone(),
            outcome: filter.outcome.clone(),
            channel: filter.channel.clone(),
            ip: filter.ip.clone(),
            batch: filter.batch.clone(),
            rule: filter.rule.clone(),
            file: filter.file.clone(),
            text: filter.text.clone(),
            since: iso_utc(filter.since),
            until: iso_utc(filter.until),
            request: filter.request.clone(),
            starred: filter.starred,
            tags: filter.tags.clone(),
            has_note: filter.has_note,
        }
    }
}

/// One value of a breakdown and how many events have it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FacetCountDto {
    /// `null` for events without the field.
    pub value: Option<String>,
    /// A readable name (actors), when there is one.
    pub label: Option<String>,
    #[ts(type = "number")]
    pub count: i64,
}

impl From<FacetCount> for FacetCountDto {
    fn from(facet: FacetCount) -> Self {
        FacetCountDto {
            value: facet.value,
            label: facet.label,
            count: facet.count,
        }
    }
}

/// Events per period, for a histogram.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ActivityDto {
    /// Start of the first period, ISO 8601 UTC; `null` when no event has a time.
    pub start: Option<String>,
    #[ts(type = "number")]
    pub period_ms: i64,
    /// `hour`, `day`, `week`, …
    pub period_name: String,
    #[ts(type = "Array<number>")]
    pub counts: Vec<i64>,
    /// Indexes of the periods the engine calls spikes.
    #[ts(type = "Array<number>")]
    pub spikes: Vec<usize>,
    #[ts(type = "number")]
    pub untimed: i64,
}

impl From<Activity> for ActivityDto {
    fn from(activity: Activity) -> Self {
        ActivityDto {
            start: if activity.counts.is_empty() {
                None
            } else {
                iso_utc(Some(activity.start))
            },
            period_ms: activity.period_ms,
            period_name: activity.period_name.to_owned(),
            counts: activity.counts,
            spikes: activity.spikes,
            untimed: activity.untimed,
        }
    }
}

/// A common question, answered by a filter and a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QuestionDto {
    pub id: String,
    pub title: String,
    pub explains: String,
    pub filter: EventFilterDto,
    /// What to count beside the events (`actor`, `rule`, `ip`, …), if anything.
    pub breakdown: Option<String>,
    pub over_time: bool,
    /// `nothing`, `actor` (choose one first) or `record` (answered by a timeline).
    pub needs: String,
}

impl From<Question> for QuestionDto {
    fn from(question: Question) -> Self {
        QuestionDto {
            id: question.id.to_owned(),
            title: question.title.to_owned(),
            explains: question.explains.to_owned(),
            filter: EventFilterDto::from(&question.filter),
            breakdown: question.breakdown.map(|by| by.name().to_owned()),
            over_time: question.over_time,
            needs: question.needs.as_str().to_owned(),
        }
    }
}

/// One check of one event, in words.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EventCheckDto {
    /// `proven`, `failed` or `unknown`.
    pub status: String,
    pub detail: String,
}

impl From<EventCheck> for EventCheckDto {
    fn from(check: EventCheck) -> Self {
        EventCheckDto {
            status: check.status.as_str().to_owned(),
            detail: check.detail,
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExportResultDto {
    pub path: String,
    #[ts(type = "number")]
    pub rows: u64,
    /// `csv` or `jsonl`.
    pub format: String,
}

/// What the Parquet export wrote: a folder of `date=YYYY-MM-DD/part-NNNNN.parquet`
/// files (docs/parquet.md), as the engine left it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ParquetExportDto {
    /// The folder written.
    pub folder: String,
    /// Events written.
    #[ts(type = "number")]
    pub rows: u64,
    /// The partitions' folders (`date=2026-05-14`; `date=__HIVE_DEFAULT_PARTITION__`
    /// holds the events without a time), in order.
    pub day_folders: Vec<String>,
    /// Whether one of `day_folders` is the one of events without a time.
    pub undated: bool,
    /// Every file written, by its path under the folder, with its size and SHA-256.
    pub files: Vec<ReceivedFileDto>,
}

impl ParquetExportDto {
    /// The export of `rows` events into `folder`, whose files are `files` (paths under
    /// it, as `receipt::received_files` lists them).
    pub fn new(
        folder: &std::path::Path,
        rows: u64,
        files: &[trailscope::case::receipt::ReceivedFile],
    ) -> Self {
        let mut day_folders: Vec<String> = Vec::new();
        for file in files {
            if let Some((day, _)) = file.path.split_once('/')
                && day_folders.last().is_none_or(|last| last != day)
            {
                day_folders.push(day.to_owned());
            }
        }
        let undated = format!("date={}", trailscope::export::parquet::NULL_PARTITION);
        ParquetExportDto {
            folder: folder.display().to_string(),
            rows,
            undated: day_folders.contains(&undated),
            day_folders,
            files: files.iter().map(ReceivedFileDto::from).collect(),
        }
    }
}

/// A case opened before, most recent first.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, TS)]
pub struct RecentCaseDto {
    pub path: String,
    /// What was opened to make it (a bundle's path), or the case itself.
    pub opened_from: String,
    /// ISO 8601 UTC.
    pub opened_at: String,
    /// Whether the file is still there.
    #[serde(default)]
    pub exists: bool,
}

/// A checkpoint file the reviewer added (spec §6), kept in the app's config dir.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CheckpointFileDto {
    pub name: String,
    #[ts(type = "number")]
    pub n_checkpoints: u64,
}

/// What re-verification found: the case's rows against their own hashes, and each
/// bundle's trust under the reviewer's current keys and checkpoints.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReverifyDto {
    #[ts(type = "number")]
    pub n_rows: u64,
    /// Rows whose stored values no longer match their hashes or their line.
    pub findings: Vec<FindingDto>,
    /// One sentence per bundle: re-verified, or why not.
    pub bundles: Vec<String>,
}

/// The layout of a file read through a mapping (`trailscope::source::RecordFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RecordFormatDto {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object a line.
    Jsonl,
    /// One JSON array of objects.
    Json,
}

impl From<RecordFormat> for RecordFormatDto {
    fn from(format: RecordFormat) -> Self {
        match format {
            RecordFormat::Csv => RecordFormatDto::Csv,
            RecordFormat::Jsonl => RecordFormatDto::Jsonl,
            RecordFormat::Json => RecordFormatDto::Json,
        }
    }
}

impl From<RecordFormatDto> for RecordFormat {
    fn from(format: RecordFormatDto) -> Self {
        match format {
            RecordFormatDto::Csv => RecordFormat::Csv,
            RecordFormatDto::Jsonl => RecordFormat::Jsonl,
            RecordFormatDto::Json => RecordFormat::Json,
        }
    }
}

/// Where one event field's value comes from (`trailscope::source::FieldSource`):
/// `{ kind: "column", value: "User" }`, `{ kind: "hash_of_record" }`, …
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum FieldSourceDto {
    /// A CSV column, by its header name.
    Column(String),
    /// A JSON pointer into a JSON record, e.g. `/actor/alternateId`.
    Pointer(String),
    /// The same value for every record.
    Constant(String),
    /// The SHA-256 of the record as it arrived (for `id` only).
    HashOfRecord,
}

impl From<FieldSourceDto> for FieldSource {
    fn from(source: FieldSourceDto) -> Self {
        match source {
            FieldSourceDto::Column(column) => FieldSource::Column(column),
            FieldSourceDto::Pointer(pointer) => FieldSource::Pointer(pointer),
            FieldSourceDto::Constant(value) => FieldSource::Constant(value),
            FieldSourceDto::HashOfRecord => FieldSource::HashOfRecord,
        }
    }
}

impl From<FieldSource> for FieldSourceDto {
    fn from(source: FieldSource) -> Self {
        match source {
            FieldSource::Column(column) => FieldSourceDto::Column(column),
            FieldSource::Pointer(pointer) => FieldSourceDto::Pointer(pointer),
            FieldSource::Constant(value) => FieldSourceDto::Constant(value),
            FieldSource::HashOfRecord => FieldSourceDto::HashOfRecord,
        }
    }
}

/// A mapping as the form holds it (`trailscope::source::MappingDraft`); the shell
/// writes it as TOML and has the engine parse it. Nothing here checks it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(default)]
pub struct MappingDraftDto {
    /// What the mapped events are called, and the name it is saved under.
    pub name: Option<String>,
    pub format: Option<RecordFormatDto>,
    /// Event field (`ts`, `actor.id`, …) → where its value comes from.
    pub fields: BTreeMap<String, FieldSourceDto>,
    /// `rfc3339`, `epoch_seconds`, `epoch_millis` or a pattern such as `%d/%m/%Y %H:%M:%S`.
    pub time_format: Option<String>,
    /// `UTC` (the default), a zone name such as `Europe/Madrid`, or an offset like `+02:00`.
    pub timezone: Option<String>,
    /// Event field → (a record's text → the value to use), e.g. outcome `403` → `denied`.
    pub values: BTreeMap<String, BTreeMap<String, String>>,
}

impl From<MappingDraftDto> for MappingDraft {
    fn from(draft: MappingDraftDto) -> Self {
        MappingDraft {
            name: draft.name,
            format: draft.format.map(RecordFormat::from),
            fields: draft
                .fields
                .into_iter()
                .map(|(field, source)| (field, source.into()))
                .collect(),
            time_format: draft.time_format,
            timezone: draft.timezone,
            values: draft.values,
        }
    }
}

impl From<MappingDraft> for MappingDraftDto {
    fn from(draft: MappingDraft) -> Self {
        MappingDraftDto {
            name: draft.name,
            format: draft.format.map(RecordFormatDto::from),
            fields: draft
                .fields
                .into_iter()
                .map(|(field, source)| (field, source.into()))
                .collect(),
            time_format: draft.time_format,
            timezone: draft.timezone,
            values: draft.values,
        }
    }
}

/// The first records of a file of no known format, for the mapping form, with the
/// event fields a mapping can fill (the engine's lists, in its order).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FilePreviewDto {
    pub path: String,
    pub format: RecordFormatDto,
    /// CSV header names, or JSON pointers (`/actor/alternateId`).
    pub columns: Vec<String>,
    /// The first records' values, one cell per column.
    pub rows: Vec<Vec<String>>,
    /// Records among the first ones that could not be read.
    #[ts(type = "number")]
    pub unreadable: u64,
    /// The event fields (`trailscope::source::mapping::FIELDS`).
    pub fields: Vec<String>,
    /// The fields holding JSON values (`before`, `after`, `requested`, `result`).
    pub value_fields: Vec<String>,
    /// The fields every event needs.
    pub required: Vec<String>,
}

impl FilePreviewDto {
    pub fn new(path: String, preview: Preview) -> Self {
        use trailscope::source::mapping::{FIELDS, REQUIRED, VALUE_FIELDS};
        let owned = |names: &[&str]| names.iter().map(|&name| name.to_owned()).collect();
        FilePreviewDto {
            path,
            format: preview.format.into(),
            columns: preview.columns,
            rows: preview.rows,
            unreadable: preview.unreadable,
            fields: owned(&FIELDS),
            value_fields: owned(&VALUE_FIELDS),
            required: owned(&REQUIRED),
        }
    }
}

/// One event a drafted mapping makes of a record, in the engine's words.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PreviewEventDto {
    /// 1-based line of the record in the file.
    #[ts(type = "number")]
    pub line: u64,
    pub sentence: String,
    /// ISO 8601 UTC, when the event has a time.
    pub time: Option<String>,
    /// The event in Trailscope's field names.
    #[ts(type = "Record<string, unknown>")]
    pub event: Value,
}

impl From<PreviewEvent> for PreviewEventDto {
    fn from(event: PreviewEvent) -> Self {
        PreviewEventDto {
            line: event.line,
            sentence: event.sentence,
            time: event.ts,
            event: event.event,
        }
    }
}

/// A mapping the reviewer saved for reuse (kept in the app's config dir).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SavedMappingDto {
    pub name: String,
    /// Why the engine no longer accepts it, if it does not.
    pub problem: Option<String>,
}

// ---- The reviewer's work: marks, saved searches, the journal, receipts ----

/// What the reviewer marks: an event (by row), a record or an actor.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SubjectDto {
    Event {
        #[ts(type = "number")]
        event_idx: i64,
    },
    Record {
        target_type: String,
        target_id: String,
    },
    Actor {
        actor_id: String,
    },
}

impl From<SubjectDto> for trailscope::case::Subject {
    fn from(subject: SubjectDto) -> Self {
        match subject {
            SubjectDto::Event { event_idx } => trailscope::case::Subject::Event(event_idx),
            SubjectDto::Record {
                target_type,
                target_id,
            } => trailscope::case::Subject::Record {
                target_type,
                target_id,
            },
            SubjectDto::Actor { actor_id } => trailscope::case::Subject::Actor(actor_id),
        }
    }
}

/// The reviewer's marks on one subject.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct MarksDto {
    pub starred: bool,
    /// Sorted.
    pub tags: Vec<String>,
    pub note: Option<String>,
    /// ISO 8601 UTC of the last change; `null` when never marked.
    pub updated_at: Option<String>,
}

impl From<Option<trailscope::case::StoredAnnotation>> for MarksDto {
    fn from(mark: Option<trailscope::case::StoredAnnotation>) -> Self {
        match mark {
            None => MarksDto::default(),
            Some(mark) => MarksDto {
                starred: mark.starred,
                tags: mark.tags,
                note: mark.note,
                updated_at: Some(mark.updated_at),
            },
        }
    }
}

/// A tag in use and how many subjects carry it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TagCountDto {
    pub tag: String,
    #[ts(type = "number")]
    pub count: i64,
}

/// A named search and how many events it matches now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SavedSearchDto {
    pub name: String,
    pub filter: EventFilterDto,
    /// ISO 8601 UTC.
    pub saved_at: String,
    #[ts(type = "number")]
    pub count: u64,
}

/// One way of being near an event, with the nearest events on each side.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct NeighboursDto {
    /// `time`, `actor`, `record`, `ip` or `request`.
    pub by: String,
    /// What is shared, in words.
    pub shared: String,
    /// Shows every event sharing it.
    pub filter: EventFilterDto,
    /// Oldest first.
    pub before: Vec<EventRowDto>,
    pub after: Vec<EventRowDto>,
}

/// One line of the reviewer's journal.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct JournalEntryDto {
    #[ts(type = "number")]
    pub seq: i64,
    /// ISO 8601 UTC, as written.
    pub time: String,
    pub action: String,
    pub reviewer: String,
    pub fingerprint: String,
    /// The engine's words for what was done.
    pub sentence: String,
    /// Its hash recomputes and it links to the line before.
    pub holds: bool,
    pub hash: String,
}

impl From<&trailscope::case::journal::JournalLine> for JournalEntryDto {
    fn from(line: &trailscope::case::journal::JournalLine) -> Self {
        JournalEntryDto {
            seq: line.seq,
            time: line.ts.clone(),
            action: line.action.clone(),
            reviewer: line.reviewer_name.clone(),
            fingerprint: line.reviewer_fingerprint.clone(),
            sentence: line.sentence(),
            holds: line.holds,
            hash: line.hash.clone(),
        }
    }
}

/// The journal, checked: the engine's headline, each problem, and every entry.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct JournalDto {
    pub holds: bool,
    pub headline: String,
    pub problems: Vec<String>,
    /// Ties a report or an export to this state of the case.
    pub head_hash: Option<String>,
    /// Newest first.
    pub entries: Vec<JournalEntryDto>,
}

/// One file received (or written by an export): its path under its folder, size and
/// SHA-256.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReceivedFileDto {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub sha256: String,
}

impl From<&trailscope::case::receipt::ReceivedFile> for ReceivedFileDto {
    fn from(file: &trailscope::case::receipt::ReceivedFile) -> Self {
        ReceivedFileDto {
            path: file.path.clone(),
            bytes: file.bytes,
            sha256: file.sha256.clone(),
        }
    }
}

/// A source's custody receipt, checked.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReceiptDto {
    #[ts(type = "number")]
    pub source_index: i64,
    pub path: String,
    pub kind: String,
    /// ISO 8601 UTC.
    pub received_at: String,
    pub received_by: String,
    pub fingerprint: String,
    pub signed_by_you: bool,
    /// Signed and the case's rows as sealed.
    pub holds: bool,
    /// The engine's words.
    pub sentence: String,
    pub verdict_at_receipt: String,
    #[ts(type = "number")]
    pub n_rows: i64,
    pub files: Vec<ReceivedFileDto>,
    /// `unchanged`, `changed` or `not_there` (the files where they were received from).
    pub files_now: String,
}

impl From<&trailscope::case::receipt::ReceiptCheck> for ReceiptDto {
    fn from(check: &trailscope::case::receipt::ReceiptCheck) -> Self {
        use trailscope::case::receipt::FilesNow;
        ReceiptDto {
            source_index: check.source_index,
            path: check.path.clone(),
            kind: check.kind.clone(),
            received_at: check.received_at.clone(),
            received_by: check.received_by.clone(),
            fingerprint: check.fingerprint.clone(),
            signed_by_you: check.signed_by_you,
            holds: check.holds(),
            sentence: check.sentence(),
            verdict_at_receipt: check.verdict_at_receipt.clone(),
            n_rows: check.n_rows,
            files: check.files.iter().map(ReceivedFileDto::from).collect(),
            files_now: match check.files_now {
                FilesNow::Unchanged => "unchanged",
                FilesNow::Changed(_) => "changed",
                FilesNow::NotThere(_) => "not_there",
            }
            .to_owned(),
        }
    }
}

/// Who signs the reviewer's work on this machine.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReviewerDto {
    pub name: String,
    pub key_id: String,
    /// Groups of four hex digits, to compare by eye.
    pub fingerprint: String,
    /// The line a colleague adds to their trusted keys.
    pub trusted_keys_line: String,
}

impl From<&trailscope::reviewer::Reviewer> for ReviewerDto {
    fn from(reviewer: &trailscope::reviewer::Reviewer) -> Self {
        ReviewerDto {
            name: reviewer.name().to_owned(),
            key_id: reviewer.key_id().to_owned(),
            fingerprint: reviewer.fingerprint(),
            trusted_keys_line: reviewer.trusted_keys_line(),
        }
    }
}

/// One file of the auditor's report as written.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReportFileDto {
    pub path: String,
    /// The file's name alone, for "Report saved: …".
    pub name: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub sha256: String,
}

impl From<&trailscope::report::WrittenFile> for ReportFileDto {
    fn from(file: &trailscope::report::WrittenFile) -> Self {
        ReportFileDto {
            path: file.path.display().to_string(),
            name: file
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            bytes: file.bytes,
            sha256: file.sha256.clone(),
        }
    }
}

/// What `write_report` wrote: the HTML report, the PDF beside it, and, when the PDF
/// could not embed its font, the engine's words on what that means.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReportWrittenDto {
    pub verdict: VerdictDto,
    pub html: ReportFileDto,
    pub pdf: Option<ReportFileDto>,
    pub font_problem: Option<String>,
}

impl From<&trailscope::report::ReportWritten> for ReportWrittenDto {
    fn from(written: &trailscope::report::ReportWritten) -> Self {
        ReportWrittenDto {
            verdict: VerdictDto::from(written.verdict),
            html: ReportFileDto::from(&written.html),
            pdf: written
                .pdf
                .as_ref()
                .map(|pdf| ReportFileDto::from(&pdf.file)),
            font_problem: written.pdf.as_ref().and_then(|pdf| pdf.font_problem()),
        }
    }
}

/// How a part of an evidence excerpt proves its events (`trailscope::excerpt::Method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExcerptMethodDto {
    /// Format 2: inclusion proofs in the producer's signed Merkle root.
    MerkleProof,
    /// Format 1: every event from the chosen one to the head the producer signed.
    ChainToHead,
    /// AWS CloudTrail: the log files and the signed digest files listing them.
    CloudtrailDigest,
    /// No integrity of its own: the records as received, under the custody receipt.
    CustodyReceipt,
}

impl From<trailscope::excerpt::Method> for ExcerptMethodDto {
    fn from(method: trailscope::excerpt::Method) -> Self {
        use trailscope::excerpt::Method;
        match method {
            Method::MerkleProof => ExcerptMethodDto::MerkleProof,
            Method::ChainToHead => ExcerptMethodDto::ChainToHead,
            Method::CloudTrailDigest => ExcerptMethodDto::CloudtrailDigest,
            Method::CustodyReceipt => ExcerptMethodDto::CustodyReceipt,
        }
    }
}

/// A source kind as the excerpt's statement names it (`audit-bundle`), in words
/// ("audit bundle"); a kind this version does not know is shown as written.
fn source_kind_title(kind: &str) -> String {
    SourceKind::from_name(kind).map_or_else(|| kind.to_owned(), |k| k.title().to_owned())
}

/// One part of an evidence excerpt as written: the chosen events of one source.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExcerptPartWrittenDto {
    /// Its folder in the excerpt (`part-1`).
    pub dir: String,
    pub method: ExcerptMethodDto,
    /// The source as it was received (its path).
    pub source: String,
    /// The source's kind, in words ("audit bundle").
    pub kind: String,
    /// Events chosen from this source.
    #[ts(type = "number")]
    pub chosen: u64,
    /// Events the part carries (more than chosen when every later event is needed).
    #[ts(type = "number")]
    pub carried: u64,
    /// Why this method, in the engine's words.
    pub why: String,
    /// How each event is proven, in a few words ("each with its proof in the
    /// producer's signed Merkle root"), for the message once it is written.
    pub proof: String,
}

impl From<&trailscope::excerpt::PartWritten> for ExcerptPartWrittenDto {
    fn from(part: &trailscope::excerpt::PartWritten) -> Self {
        ExcerptPartWrittenDto {
            dir: part.dir.clone(),
            method: part.method.into(),
            source: part.source.clone(),
            kind: source_kind_title(&part.kind),
            chosen: part.chosen,
            carried: part.carried,
            why: part.why.clone(),
            proof: part.proof(),
        }
    }
}

/// What `write_excerpt` wrote.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExcerptWrittenDto {
    /// The excerpt's folder.
    pub folder: String,
    /// Events chosen.
    #[ts(type = "number")]
    pub chosen: u64,
    /// Bytes of every file written.
    #[ts(type = "number")]
    pub bytes: u64,
    /// SHA-256 of the signed statement (the journal records it).
    pub statement_sha256: String,
    pub parts: Vec<ExcerptPartWrittenDto>,
}

impl From<&trailscope::excerpt::ExcerptWritten> for ExcerptWrittenDto {
    fn from(written: &trailscope::excerpt::ExcerptWritten) -> Self {
        ExcerptWrittenDto {
            folder: written.dir.display().to_string(),
            chosen: written.chosen,
            bytes: written.bytes,
            statement_sha256: written.statement_sha256.clone(),
            parts: written
                .parts
                .iter()
                .map(ExcerptPartWrittenDto::from)
                .collect(),
        }
    }
}

/// One chosen event of an excerpt, as the check found it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExcerptEventCheckDto {
    /// Where it is: "chain acme seq 12", "line 4 of audit.csv".
    pub what: String,
    /// Its id, when proven and it has one.
    pub id: Option<String>,
    pub proven: bool,
    /// Why not, located.
    pub problem: Option<String>,
    /// What the event says, in words, from its content as carried (worth as much
    /// as `proven`).
    pub said: Option<String>,
}

/// One part of an excerpt, as the check found it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExcerptPartCheckDto {
    pub dir: String,
    /// `null` for a method this version cannot check.
    pub method: Option<ExcerptMethodDto>,
    /// The source as received (its path), as the statement says.
    pub source: String,
    /// The source's kind, in words.
    pub kind: String,
    /// Every chosen event proven and nothing else failed (the engine's `proven`).
    pub proven: bool,
    /// What the part proves, in the engine's words.
    pub sentence: String,
    /// Whose key the proof rests on, when the checker does not trust it yet.
    pub trust: Option<String>,
    pub problems: Vec<String>,
    pub events: Vec<ExcerptEventCheckDto>,
}

/// What checking an excerpt folder established (`trailscope::excerpt::check`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExcerptCheckDto {
    pub folder: String,
    /// The engine's verdict: the statement holds and every part proves every event.
    pub holds: bool,
    pub headline: String,
    /// Who made it: the name in the statement, and their key's fingerprint.
    pub made_by: String,
    pub fingerprint: String,
    /// The maker's key is among the keys this reviewer trusts.
    pub made_by_trusted: bool,
    /// The maker's key is this reviewer's own.
    pub made_by_you: bool,
    /// When it was made (RFC 3339, as the statement says).
    pub made_at: String,
    /// What was selected, in words.
    pub selection: String,
    /// Why, in the maker's words.
    pub reason: Option<String>,
    #[ts(type = "number")]
    pub chosen: u64,
    /// The statement's signature verifies under the key it names.
    pub statement_signed: bool,
    /// What is wrong with the statement or the files it pins, each naming its file.
    pub statement_problems: Vec<String>,
    pub parts: Vec<ExcerptPartCheckDto>,
}

impl ExcerptCheckDto {
    /// The check of the excerpt in `folder`; `your_fingerprint` is this reviewer's.
    pub fn new(
        folder: &std::path::Path,
        check: &trailscope::excerpt::ExcerptCheck,
        your_fingerprint: Option<&str>,
    ) -> Self {
        ExcerptCheckDto {
            folder: folder.display().to_string(),
            holds: check.holds(),
            headline: check.headline(),
            made_by: check.made_by.clone(),
            fingerprint: check.fingerprint.clone(),
            made_by_trusted: check.made_by_trusted,
            made_by_you: !check.fingerprint.is_empty()
                && your_fingerprint == Some(check.fingerprint.as_str()),
            made_at: check.made_at.clone(),
            selection: check.selection.clone(),
            reason: check.reason.clone(),
            chosen: check.chosen,
            statement_signed: check.statement_signed,
            statement_problems: check.statement_problems.clone(),
            parts: check
                .parts
                .iter()
                .map(|part| ExcerptPartCheckDto {
                    dir: part.dir.clone(),
                    method: part.method.map(ExcerptMethodDto::from),
                    source: part.source.clone(),
                    kind: source_kind_title(&part.kind),
                    proven: part.proven(),
                    sentence: part.sentence.clone(),
                    trust: part.trust.clone(),
                    problems: part.problems.clone(),
                    events: part
                        .events
                        .iter()
                        .map(|event| ExcerptEventCheckDto {
                            what: event.what.clone(),
                            id: event.id.clone(),
                            proven: event.proven,
                            problem: event.problem.clone(),
                            said: event.said.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The generated TypeScript twins of these types, in `ui/src/bindings/`.
///
/// `TRAILSCOPE_UPDATE_BINDINGS=1 cargo test --release -p trailscope-app bindings`
/// writes them; without the variable the test fails when they differ, so the UI
/// cannot drift from the shell.
pub mod bindings {
    use super::*;

    /// Prepended to every generated file.
    pub const HEADER: &str = "// Generated from src-tauri/src/dto.rs by `TRAILSCOPE_UPDATE_BINDINGS=1 cargo test --release -p trailscope-app bindings`.\n// Do not edit: a test fails when this file differs from the Rust types. It must never hold logic.\n";

    /// (file name, contents) of every binding.
    pub fn generated() -> Vec<(String, String)> {
        // Fixed settings, not the environment's: the files must not depend on who runs the test.
        let config = ts_rs::Config::new().with_large_int("number");
        let mut files = Vec::new();
        macro_rules! each {
            ($($ty:ty),* $(,)?) => {$(
                files.push((
                    format!("{}.ts", <$ty as TS>::ident(&config)),
                    format!("{HEADER}{}", <$ty as TS>::export_to_string(&config).expect("ts-rs renders the type")),
                ));
            )*};
        }
        each!(
            ErrorCode,
            ErrorDto,
            VerdictDto,
            SeverityDto,
            FindingKindDto,
            DimensionStatusDto,
            SignatureStatusDto,
            DimensionDto,
            ChainDto,
            BundleDto,
            CaseSummaryDto,
            FindingDto,
            FindingGroupDto,
            EventRowDto,
            EventPageDto,
            ChangeDto,
            SourceDto,
            EventDetailDto,
            ActorDto,
            PersonDto,
            DiscrepancyDto,
            TimelineEntryDto,
            TimelineDto,
            ImportProgressDto,
            ImportResultDto,
            OpenedDto,
            TextIndexDto,
            TrustedKeyDto,
            AwsKeyListDto,
            EventFilterDto,
            FacetCountDto,
            ActivityDto,
            QuestionDto,
            EventCheckDto,
            ExportResultDto,
            ParquetExportDto,
            RecentCaseDto,
            CheckpointFileDto,
            ReverifyDto,
            SourceKindDto,
            RecordFormatDto,
            FieldSourceDto,
            MappingDraftDto,
            FilePreviewDto,
            PreviewEventDto,
            SavedMappingDto,
            SubjectDto,
            MarksDto,
            TagCountDto,
            SavedSearchDto,
            NeighboursDto,
            JournalEntryDto,
            JournalDto,
            ReceivedFileDto,
            ReceiptDto,
            ReviewerDto,
            ReportFileDto,
            ReportWrittenDto,
            ExcerptMethodDto,
            ExcerptPartWrittenDto,
            ExcerptWrittenDto,
            ExcerptEventCheckDto,
            ExcerptPartCheckDto,
            ExcerptCheckDto,
        );
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    fn bindings_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings")
    }

    #[test]
    fn bindings_match_the_rust_types() {
        let dir = bindings_dir();
        let generated = bindings::generated();
        if std::env::var_os("TRAILSCOPE_UPDATE_BINDINGS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            for (name, text) in &generated {
                std::fs::write(dir.join(name), text).unwrap();
            }
        }
        let mut stale = Vec::new();
        for (name, text) in &generated {
            let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            if &committed != text {
                stale.push(name.clone());
            }
        }
        let expected: BTreeSet<&str> = generated.iter().map(|(n, _)| n.as_str()).collect();
        let extra: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| !expected.contains(name.as_str()))
            .collect();
        assert!(
            stale.is_empty() && extra.is_empty(),
            "ui/src/bindings is out of date (differ: {stale:?}, not generated: {extra:?}); \
             run TRAILSCOPE_UPDATE_BINDINGS=1 cargo test --release -p trailscope-app bindings"
        );
    }

    #[test]
    fn times_leave_as_iso_utc_with_milliseconds() {
        assert_eq!(
            iso_utc(Some(1_775_035_800_000)).as_deref(),
            Some("2026-04-01T09:30:00.000Z")
        );
        assert_eq!(iso_utc(None), None);
        assert_eq!(
            parse_iso("2026-04-01T09:30:00Z").unwrap(),
            1_775_035_800_000
        );
        assert_eq!(parse_iso("yesterday").unwrap_err().code, ErrorCode::Invalid);
    }

    #[test]
    fn a_parquet_export_names_its_day_folders_once_each_in_order() {
        use trailscope::case::receipt::ReceivedFile;
        let file = |path: &str| ReceivedFile {
            path: path.to_owned(),
            bytes: 10,
            sha256: "ab".repeat(32),
        };
        let files = [
            file("date=2026-05-12/part-00000.parquet"),
            file("date=2026-05-13/part-00000.parquet"),
            file("date=2026-05-13/part-00001.parquet"),
            file("date=__HIVE_DEFAULT_PARTITION__/part-00000.parquet"),
        ];
        let dto = ParquetExportDto::new(std::path::Path::new("/out/x-events-parquet"), 7, &files);
        assert_eq!(dto.folder, "/out/x-events-parquet");
        assert_eq!(dto.rows, 7);
        assert_eq!(
            dto.day_folders,
            [
                "date=2026-05-12",
                "date=2026-05-13",
                "date=__HIVE_DEFAULT_PARTITION__"
            ]
        );
        assert!(dto.undated);
        assert_eq!(dto.files.len(), 4);
        assert_eq!(dto.files[2].path, "date=2026-05-13/part-00001.parquet");
        let empty = ParquetExportDto::new(std::path::Path::new("/out/none"), 0, &[]);
        assert!(empty.day_folders.is_empty() && empty.files.is_empty() && !empty.undated);
    }

    #[test]
    fn an_empty_filter_keeps_everything() {
        let filter = EventFilter::try_from(EventFilterDto {
            text: Some(String::new()),
            ..EventFilterDto::default()
        })
        .unwrap();
        assert_eq!(filter, EventFilter::default());
    }

    #[test]
    fn a_draft_from_the_form_becomes_the_engines_draft_and_back() {
        let json = serde_json::json!({
            "name": "Acme ERP",
            "fields": {
                "id": { "kind": "hash_of_record" },
                "ts": { "kind": "column", "value": "When" },
                "action": { "kind": "pointer", "value": "/what" },
                "actor.type": { "kind": "constant", "value": "user" }
            },
            "time_format": "%d/%m/%Y %H:%M:%S",
            "values": { "outcome": { "403": "denied" } }
        });
        let dto: MappingDraftDto = serde_json::from_value(json.clone()).unwrap();
        let draft = MappingDraft::from(dto.clone());
        assert_eq!(draft.fields["id"], FieldSource::HashOfRecord);
        assert_eq!(draft.fields["ts"], FieldSource::Column("When".into()));
        assert_eq!(draft.fields["action"], FieldSource::Pointer("/what".into()));
        assert_eq!(
            draft.fields["actor.type"],
            FieldSource::Constant("user".into())
        );
        assert_eq!(draft.format, None);
        assert_eq!(draft.timezone, None);
        assert_eq!(MappingDraftDto::from(draft), dto);
        let back = serde_json::to_value(&dto).unwrap();
        assert_eq!(back["fields"], json["fields"]);
        assert_eq!(back["values"], json["values"]);
    }

    #[test]
    fn a_mapped_bundle_says_so_on_the_wire() {
        assert_eq!(
            serde_json::to_value(SourceKindDto::from(SourceKind::Mapped)).unwrap(),
            "mapped"
        );
        assert_eq!(
            serde_json::to_value(SourceKindDto::from(SourceKind::AuditBundle)).unwrap(),
            "audit_bundle"
        );
    }

    /// Every DTO that shows events is made from the engine's masked views: with `email`
    /// masked, no email shows anywhere on the wire, however deeply it is nested.
    #[test]
    fn a_masked_nested_field_is_hidden_in_every_dto_that_shows_events() {
        use trailscope::case::{Case, import_source};
        use trailscope::query::{self, EventFilter, Masking, Order};
        use trailscope::source::Mapping;

        let dir = std::env::temp_dir().join(format!("trailscope-dto-mask-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("crm.csv");
        let mut text = String::from("When,Who,Email,What,Record,Old,New\n");
        for i in 0..6 {
            text.push_str(&format!(
                "2026-01-0{}T09:00:00Z,u{i},who{i}@secret.example,customer.updated,C{},\"{{\"\"contact\"\":{{\"\"email\"\":\"\"old{i}@secret.example\"\"}}}}\",\"{{\"\"contact\"\":{{\"\"email\"\":\"\"new{i}@secret.example\"\"}},\"\"items\"\":[{{\"\"email\"\":\"\"item{i}@secret.example\"\"}}]}}\"\n",
                i + 1,
                i % 2
            ));
        }
        std::fs::write(&csv, text).unwrap();
        let mapping = Mapping::parse(
            "[fields]\nts = \"When\"\n\"actor.id\" = \"Who\"\n\"actor.email\" = \"Email\"\naction = \"What\"\n\"target.type\" = { value = \"Customer\" }\n\"target.id\" = \"Record\"\nbefore = \"Old\"\nafter = \"New\"\n",
        )
        .unwrap();
        let case_path = dir.join("masked.case");
        let mut case = Case::open(&case_path).unwrap();
        import_source(
            &mut case,
            &csv,
            Some(&mapping),
            &trailscope::VerifyOptions::default(),
            "2026-03-01T00:00:00Z",
            &mut |_| std::ops::ControlFlow::Continue(()),
        )
        .unwrap();
        case.set_masked_fields(&["email".to_owned()], &[]).unwrap();
        let masking = Masking::of_case(&case).unwrap();

        let page = query::list_events(
            &case,
            &EventFilter::default(),
            Order::NewestFirst,
            100,
            None,
        )
        .unwrap();
        assert_eq!(page.rows.len(), 6);
        let mut wire = Vec::new();
        for row in &page.rows {
            let view = query::event_view(row, &masking);
            wire.push(serde_json::to_string(&EventRowDto::from(&view)).unwrap());
            let detail = query::detail_view(&case, row.event_idx, &masking)
                .unwrap()
                .unwrap();
            let detail = EventDetailDto::from(detail);
            assert!(
                detail.changes.iter().any(|c| c.path == "contact.email"),
                "a change to a masked field is still listed"
            );
            wire.push(serde_json::to_string(&detail).unwrap());
        }
        for record in ["C0", "C1"] {
            let history = query::history_view(&case, "Customer", record, None, &masking).unwrap();
            wire.push(serde_json::to_string(&TimelineDto::from(history)).unwrap());
        }
        let wire = wire.join("\n");
        assert!(wire.contains("contact.email"));
        assert!(!wire.contains("secret.example"), "{wire}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn engine_errors_keep_their_variant_as_a_code() {
        assert_eq!(
            ErrorDto::from(trailscope::Error::Cancelled).code,
            ErrorCode::Cancelled
        );
        assert_eq!(
            ErrorDto::from(trailscope::Error::Invalid("x".into())).code,
            ErrorCode::Invalid
        );
    }
}
