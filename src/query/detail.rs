//! One event as the detail panel shows it: where it came from (IP, user agent, channel,
//! rule, batch) and its own verification, re-done from the stored line: the hash
//! recomputed now, the link to its predecessor in the case, and the findings that
//! point at it. Read-only.

use serde_json::Value;

use super::events::{EventRow, event_by_idx};
use crate::Result;
use crate::bundle::FormatVersion;
use crate::canonical::to_hex;
use crate::case::table::event;
use crate::case::{Case, StoredFinding};
use crate::verify::{LineCheck, check_line_as};

/// Where an event came from, as it says (spec §2.1 `source`, `on_behalf_of`, `reason`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventSource {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub channel: Option<String>,
    pub request_id: Option<String>,
    pub batch_id: Option<String>,
    pub client_id: Option<String>,
    /// The automation rule that fired: its name (or id), with its version.
    pub rule: Option<String>,
    /// The principal the actor acted for: name (or id).
    pub on_behalf_of: Option<String>,
    pub reason: Option<String>,
}

/// What one check of one event established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStatus {
    Proven,
    Failed,
    /// Nothing to check against (a malformed line, or the predecessor is not in the case).
    Unknown,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Proven => "proven",
            CheckStatus::Failed => "failed",
            CheckStatus::Unknown => "unknown",
        }
    }
}

/// One check and what it means, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct EventCheck {
    pub status: CheckStatus,
    pub detail: String,
}

impl EventCheck {
    fn new(status: CheckStatus, detail: impl Into<String>) -> Self {
        EventCheck {
            status,
            detail: detail.into(),
        }
    }
}

/// Everything the detail panel shows about one event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDetail {
    pub row: EventRow,
    pub source: EventSource,
    /// The event's own hash, recomputed from its stored line now.
    pub own_hash: EventCheck,
    /// Its `prev_hash` against the hash of the event before it in the case.
    pub link: EventCheck,
    /// The findings that point at this event.
    pub findings: Vec<StoredFinding>,
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

fn source_of(event: &Value) -> EventSource {
    let source = event.get("source");
    let field = |name: &str| text(source.and_then(|s| s.get(name)));
    let rule = source.and_then(|s| s.get("rule")).and_then(|rule| {
        let name = text(rule.get("name")).or_else(|| text(rule.get("id")))?;
        Some(match text(rule.get("version")) {
            Some(version) => format!("{name} (version {version})"),
            None => name,
        })
    });
    let on_behalf_of = event
        .get("on_behalf_of")
        .and_then(|who| text(who.get("name")).or_else(|| text(who.get("id"))));
    EventSource {
        ip: field("ip"),
        user_agent: field("user_agent"),
        channel: field("channel"),
        request_id: field("request_id"),
        batch_id: field("batch_id"),
        client_id: field("client_id"),
        rule,
        on_behalf_of,
        reason: text(event.get("reason")),
    }
}

/// The event stored at `event_idx` with its source and own verification; `None` if
/// there is no such row.
pub fn event_detail(case: &Case, event_idx: i64) -> Result<Option<EventDetail>> {
    let Some(row) = event_by_idx(case, event_idx)? else {
        return Ok(None);
    };
    let source = row.json().as_ref().map(source_of).unwrap_or_default();
    // Our bundle's events are rechecked one by one; any other source says how it
    // vouches for a record (`SourceKind::record_vouch`).
    let (own_hash, link_check) = match row.source.record_vouch(row.checks_ok) {
        Some(vouch) => (vouched(vouch.content), vouched(vouch.place)),
        None => bundle_checks(case, &row)?,
    };
    let findings = crate::case::findings_of_event(case, event_idx)?;
    Ok(Some(EventDetail {
        row,
        source,
        own_hash,
        link: link_check,
        findings,
    }))
}

/// A source's own words for one of a record's checks.
fn vouched((proven, text): (Option<bool>, &str)) -> EventCheck {
    let status = match proven {
        Some(true) => CheckStatus::Proven,
        Some(false) => CheckStatus::Failed,
        None => CheckStatus::Unknown,
    };
    EventCheck::new(status, text)
}

/// An event of our bundle, rechecked: its hash recomputed from its content (under its
/// bundle's format version), and its link to the event before it in the case.
fn bundle_checks(case: &Case, row: &EventRow) -> Result<(EventCheck, EventCheck)> {
    let mut scratch = Vec::new();
    // `None` (no version recorded): the line is read by its own shape, as at import.
    let version = crate::case::table::bundle::format_version(case.connection(), row.bundle_idx)?;
    let check = (!row.raw.is_empty()).then(|| check_line_as(&row.raw, &mut scratch, version));
    let link = match &check {
        Some(LineCheck::Event(link))
        | Some(LineCheck::Malformed {
            link: Some(link), ..
        }) => Some(link.clone()),
        _ => None,
    };
    let own_hash = match (&check, &link) {
        (None, _) => EventCheck::new(
            CheckStatus::Unknown,
            "The line was too long to read, so its hash could not be recomputed.",
        ),
        (Some(LineCheck::Malformed { reason, .. }), None) => EventCheck::new(
            CheckStatus::Unknown,
            format!("The line is malformed ({reason}), so it has no hash to recompute."),
        ),
        (_, Some(link)) if link.is_stub => match link.recomputed {
            // Version 2: the hash binds the hash before it and the left-out content's body hash.
            Some(recomputed) if recomputed == link.hash => EventCheck::new(
                CheckStatus::Proven,
                "An omitted event (stub): its content was left out, but its hash recomputes from the event before it and the body hash of the left-out content.",
            ),
            Some(recomputed) => EventCheck::new(
                CheckStatus::Failed,
                format!(
                    "An omitted event (stub) whose hash, prev_hash or body hash was changed: recomputed hash {} differs from the declared {}.",
                    short(&recomputed),
                    short(&link.hash)
                ),
            ),
            None => EventCheck::new(
                CheckStatus::Unknown,
                "An omitted event (stub): its content was left out, so its hash is taken as declared.",
            ),
        },
        (_, Some(link))
            if link
                .body_recomputed
                .zip(link.body_hash)
                .is_some_and(|(recomputed, declared)| recomputed != declared) =>
        {
            let (recomputed, declared) =
                link.body_recomputed.zip(link.body_hash).unwrap_or_default();
            EventCheck::new(
                CheckStatus::Failed,
                format!(
                    "Its content was changed: recomputed body hash {} differs from the declared {}.",
                    short(&recomputed),
                    short(&declared)
                ),
            )
        }
        (_, Some(link)) => match link.recomputed {
            Some(recomputed) if recomputed == link.hash => EventCheck::new(
                CheckStatus::Proven,
                "Its hash, recomputed from its content, matches the hash it declares.",
            ),
            Some(recomputed) => EventCheck::new(
                CheckStatus::Failed,
                format!(
                    "{}: recomputed hash {} differs from the declared {}.",
                    match link.version {
                        FormatVersion::V1 => "Its content was changed",
                        FormatVersion::V2 =>
                            "Its hash, prev_hash or body hash was changed (its hash must be that of the two)",
                    },
                    short(&recomputed),
                    short(&link.hash)
                ),
            ),
            None => EventCheck::new(CheckStatus::Unknown, "Its hash could not be recomputed."),
        },
        (Some(LineCheck::Event(_) | LineCheck::Unchained { .. }), None) => EventCheck::new(
            CheckStatus::Unknown,
            "It is not part of a hash chain, so there is no hash to recompute.",
        ),
    };
    let link_check = match &link {
        None => EventCheck::new(
            CheckStatus::Unknown,
            "Its position in a chain cannot be read, so its link cannot be checked.",
        ),
        Some(link) if link.seq == 1 => {
            if link.prev_hash == crate::verify::GENESIS {
                EventCheck::new(
                    CheckStatus::Proven,
                    "The first event of its chain: it links to the chain's start (all zeros).",
                )
            } else {
                EventCheck::new(
                    CheckStatus::Failed,
                    "The first event of its chain, but it does not link to the chain's start.",
                )
            }
        }
        Some(link) => {
            let previous: Option<Option<Vec<u8>>> =
                event::first_hash_at(case.connection(), &link.chain, link.seq - 1)?;
            match previous {
                Some(Some(hash)) if hash.as_slice() == link.prev_hash.as_slice() => {
                    EventCheck::new(
                        CheckStatus::Proven,
                        format!(
                            "It links to event {} of chain {}, the one before it.",
                            link.seq - 1,
                            link.chain
                        ),
                    )
                }
                Some(Some(hash)) => EventCheck::new(
                    CheckStatus::Failed,
                    format!(
                        "It does not link to event {} of chain {}: that event's hash is {}, this one expects {}.",
                        link.seq - 1,
                        link.chain,
                        short(&hash),
                        short(&link.prev_hash)
                    ),
                ),
                _ => EventCheck::new(
                    CheckStatus::Unknown,
                    format!(
                        "Event {} of chain {}, the one before it, is not in this case.",
                        link.seq - 1,
                        link.chain
                    ),
                ),
            }
        }
    };
    Ok((own_hash, link_check))
}

/// The first 12 hex digits of a hash, enough to tell two apart when reading.
fn short(hash: &[u8]) -> String {
    format!("{}…", &to_hex(hash)[..12.min(hash.len() * 2)])
}
