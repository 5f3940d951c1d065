//! Checking an excerpt on its own: the reviewer's signed statement (and that every file
//! is as it pinned), then each part by its own proof, trusting nothing the statement
//! says about it.

use std::path::Path;

use serde_json::Value;

use super::{Method, STATEMENT_FILE, STATEMENT_TYPE, VERSION, files};
use crate::verify::TrustedKeys;
use crate::{Error, Result};

/// "Each of the 3 events" / "The one event": the start of a sentence whose verb is
/// singular either way ("… is proven").
pub(crate) fn each_of(n: usize, nouns: &str) -> String {
    if n == 1 {
        format!("The one {}", nouns.strip_suffix('s').unwrap_or(nouns))
    } else {
        format!("Each of the {n} {nouns}")
    }
}

/// "1 proof", "2 proofs".
pub(crate) fn counted(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// "2 of the 3 events are proven", "its one event is not proven".
fn proven_of(proven: usize, all: usize) -> String {
    match (all, proven) {
        (1, 1) => "its one event is proven".to_owned(),
        (1, _) => "its one event is not proven".to_owned(),
        (_, 1) => format!("1 of the {all} events is proven"),
        _ => format!("{proven} of the {all} events are proven"),
    }
}

/// How the excerpt's trust in a key is given, wherever it is checked.
pub(crate) const HOW_TO_TRUST: &str = "add it to your trusted keys (Keys & checkpoints in the app, --trusted-keys with trailscope verify)";

/// What checking one chosen event established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCheck {
    /// Where it is: "chain acme seq 12", "line 4 of audit.csv".
    pub what: String,
    /// Its id, when proven and it has one.
    pub id: Option<String>,
    pub proven: bool,
    /// Why not, located.
    pub problem: Option<String>,
    /// What the event says, in words, from its content as the excerpt carries it
    /// (worth as much as `proven`); `None` when it could not be read.
    pub said: Option<String>,
}

impl EventCheck {
    pub(crate) fn proven(what: String, id: Option<String>, said: Option<String>) -> Self {
        EventCheck {
            what,
            id,
            proven: true,
            problem: None,
            said,
        }
    }

    pub(crate) fn not_proven(what: String, problem: String, said: Option<String>) -> Self {
        EventCheck {
            what,
            id: None,
            proven: false,
            problem: Some(problem),
            said,
        }
    }
}

/// The sentence of a normalized event read from `bytes`, when they hold one.
pub(crate) fn said_of(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .filter(Value::is_object)
        .map(|event| crate::query::sentence::sentence(&event))
}

/// What checking one part established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartCheck {
    pub dir: String,
    /// `None` for a method this code does not know.
    pub method: Option<Method>,
    /// The source as received (its path) and its kind, as the statement says.
    pub source: String,
    pub kind: String,
    /// What the part proves, in words (empty when it could not be checked).
    pub sentence: String,
    /// Whose key the part's proof rests on, when the checker does not trust it yet.
    pub trust: Option<String>,
    /// Failures of the part as a whole, each located.
    pub problems: Vec<String>,
    /// Each chosen event.
    pub events: Vec<EventCheck>,
}

impl PartCheck {
    /// Every chosen event proven and nothing else failed.
    pub fn proven(&self) -> bool {
        self.problems.is_empty() && !self.events.is_empty() && self.events.iter().all(|e| e.proven)
    }

    pub(crate) fn fail(&mut self, why: String) {
        self.problems.push(why);
    }

    /// Says what the part proves (`proven`, when it holds) or, when it does not, how
    /// many events fail and what the check was (`how`).
    pub(crate) fn conclude(&mut self, proven: String, how: &str) {
        self.sentence = if self.proven() {
            proven
        } else {
            let failed = self.events.iter().filter(|e| !e.proven).count();
            let all = self.events.len();
            format!(
                "NOT proven: {failed} of the {all} chosen {} {}{}. {how}",
                if all == 1 { "event" } else { "events" },
                if failed == 1 { "fails" } else { "fail" },
                if self.problems.is_empty() {
                    ""
                } else {
                    ", and the part has the problems listed"
                }
            )
        };
    }
}

/// What checking an excerpt established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcerptCheck {
    pub made_by: String,
    pub fingerprint: String,
    /// The reviewer's key is among the keys the checker passed.
    pub made_by_trusted: bool,
    pub made_at: String,
    pub selection: String,
    pub reason: Option<String>,
    pub chosen: u64,
    /// The statement's signature verifies under the key it names.
    pub statement_signed: bool,
    /// Failures of the statement: its signature, files changed, missing or added.
    pub statement_problems: Vec<String>,
    pub parts: Vec<PartCheck>,
}

impl ExcerptCheck {
    /// The statement holds and every part proves every event it was chosen for.
    pub fn holds(&self) -> bool {
        self.statement_signed
            && self.statement_problems.is_empty()
            && !self.parts.is_empty()
            && self.parts.iter().all(PartCheck::proven)
    }

    /// One plain sentence.
    pub fn headline(&self) -> String {
        let proven: usize = self
            .parts
            .iter()
            .flat_map(|p| &p.events)
            .filter(|e| e.proven)
            .count();
        let all: usize = self.parts.iter().map(|p| p.events.len()).sum();
        if self.holds() {
            format!(
                "The excerpt holds: {} proven, and {}'s statement of what was chosen is signed and unchanged.",
                if all == 1 {
                    "its one event is".to_owned()
                } else {
                    format!("all {all} events are")
                },
                self.made_by
            )
        } else if !self.statement_signed || !self.statement_problems.is_empty() {
            format!(
                "The excerpt does NOT hold: the reviewer's statement or the files it pins were changed ({} by its own proof).",
                proven_of(proven, all)
            )
        } else {
            format!("The excerpt does NOT hold: {}.", proven_of(proven, all))
        }
    }
}

/// Checks the excerpt in `dir` with the checker's own trusted keys (producers' keys and
/// reviewers' keys). `Err` only when `dir` is not an excerpt at all.
pub fn check(dir: &Path, trusted: &TrustedKeys) -> Result<ExcerptCheck> {
    let bytes = files::read_small(dir, STATEMENT_FILE).map_err(|why| Error::Refused {
        path: dir.to_owned(),
        reason: format!("not an evidence excerpt: {why}"),
    })?;
    let statement: Value = serde_json::from_slice(&bytes).map_err(|e| Error::Refused {
        path: dir.to_owned(),
        reason: format!("{STATEMENT_FILE} is not JSON ({e})"),
    })?;
    if statement.get("type").and_then(Value::as_str) != Some(STATEMENT_TYPE) {
        return Err(Error::Refused {
            path: dir.to_owned(),
            reason: format!("{STATEMENT_FILE} is not the statement of an evidence excerpt"),
        });
    }
    let text = |pointer: &str| {
        statement
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut problems = Vec::new();
    if statement.get("version").and_then(Value::as_u64) != Some(VERSION) {
        problems.push(format!(
            "{STATEMENT_FILE} is of an excerpt version this Trailscope does not read (it reads {VERSION})"
        ));
    }
    let public_key = text("/signature/public_key");
    let statement_signed = crate::reviewer::signed_by(&statement)
        .is_some_and(|(_, key)| key == public_key)
        && text("/made_by/public_key") == public_key;
    if !statement_signed {
        problems.push(format!(
            "{STATEMENT_FILE}: the reviewer's signature does not verify: the statement was changed after it was signed"
        ));
    }
    let made_by_trusted =
        base64_key(&public_key).is_some_and(|key| trusted.contains_key(&key).is_some());

    // Every file as the statement pinned it, and no other.
    let pinned: Vec<(String, u64, String)> = statement
        .get("files")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|f| {
                    (
                        f["path"].as_str().unwrap_or_default().to_owned(),
                        f["bytes"].as_u64().unwrap_or_default(),
                        f["sha256"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let present = crate::case::receipt::received_files(dir)?.0;
    for (path, bytes, sha256) in &pinned {
        match present.iter().find(|f| &f.path == path) {
            None => problems.push(format!("{path} is missing")),
            Some(file) if file.bytes != *bytes || &file.sha256 != sha256 => problems.push(format!(
                "{path} was changed after the reviewer signed the statement (its SHA-256 is {}, the statement says {sha256})",
                file.sha256
            )),
            Some(_) => {}
        }
    }
    for file in &present {
        if file.path != STATEMENT_FILE && !pinned.iter().any(|(p, _, _)| p == &file.path) {
            problems.push(format!(
                "{} was added: the statement does not list it",
                file.path
            ));
        }
    }

    let mut parts = Vec::new();
    for entry in statement
        .get("parts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let dir_name = entry.get("dir").and_then(Value::as_str).unwrap_or_default();
        let method_text = entry
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut part = PartCheck {
            dir: dir_name.to_owned(),
            method: Method::parse(method_text),
            source: entry
                .pointer("/source/path")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            kind: entry
                .pointer("/source/kind")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            sentence: String::new(),
            trust: None,
            problems: Vec::new(),
            events: Vec::new(),
        };
        let plain = !dir_name.is_empty()
            && dir_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        match part.method {
            _ if !plain => part.fail(format!(
                "{dir_name:?} is not a part folder name; it was not read"
            )),
            Some(Method::MerkleProof | Method::ChainToHead) => {
                super::chain::check(dir, &mut part, entry, trusted)
            }
            Some(Method::CustodyReceipt) => super::custody::check(dir, &mut part, entry, trusted),
            Some(Method::CloudTrailDigest) => {
                super::cloudtrail::check(dir, &mut part, entry, trusted)
            }
            None => part.fail(format!(
                "{dir_name}: this Trailscope cannot check a part of method {method_text:?}"
            )),
        }
        parts.push(part);
    }
    if parts.is_empty() {
        problems.push(format!(
            "{STATEMENT_FILE} lists no parts: the excerpt proves nothing"
        ));
    }
    Ok(ExcerptCheck {
        made_by: text("/made_by/name"),
        fingerprint: crate::reviewer::fingerprint_of_public_key(&public_key).unwrap_or_default(),
        made_by_trusted,
        made_at: text("/made_at"),
        selection: text("/selection/words"),
        reason: statement
            .pointer("/selection/reason")
            .and_then(Value::as_str)
            .map(str::to_owned),
        chosen: statement
            .pointer("/selection/count")
            .and_then(Value::as_u64)
            .unwrap_or_default(),
        statement_signed,
        statement_problems: problems,
        parts,
    })
}

/// A base64 Ed25519 public key's bytes.
pub(crate) fn base64_key(text: &str) -> Option<[u8; 32]> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()?
        .try_into()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(proven: &[bool]) -> PartCheck {
        PartCheck {
            dir: "part-1".into(),
            method: None,
            source: "audit.jsonl".into(),
            kind: "bundle".into(),
            sentence: String::new(),
            trust: None,
            problems: vec![],
            events: proven
                .iter()
                .enumerate()
                .map(|(i, &proven)| {
                    let what = format!("line {}", i + 1);
                    if proven {
                        EventCheck::proven(what, None, None)
                    } else {
                        EventCheck::not_proven(what, "changed".to_owned(), None)
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn one_event_is_worded_in_the_singular() {
        assert_eq!(each_of(1, "records"), "The one record");
        assert_eq!(each_of(3, "chosen events"), "Each of the 3 chosen events");
        let mut one = part(&[false]);
        one.conclude(String::new(), "How.");
        assert_eq!(
            one.sentence,
            "NOT proven: 1 of the 1 chosen event fails. How."
        );
        let mut three = part(&[false, true, false]);
        three.conclude(String::new(), "How.");
        assert_eq!(
            three.sentence,
            "NOT proven: 2 of the 3 chosen events fail. How."
        );
        let check = ExcerptCheck {
            made_by: "Robin".into(),
            fingerprint: String::new(),
            made_by_trusted: false,
            made_at: String::new(),
            selection: String::new(),
            reason: None,
            chosen: 1,
            statement_signed: true,
            statement_problems: vec![],
            parts: vec![part(&[true])],
        };
        assert!(
            check
                .headline()
                .starts_with("The excerpt holds: its one event is proven")
        );
        let unsigned = ExcerptCheck {
            statement_signed: false,
            parts: vec![part(&[false])],
            ..check.clone()
        };
        assert!(
            unsigned
                .headline()
                .ends_with("(its one event is not proven by its own proof)."),
            "{}",
            unsigned.headline()
        );
        let some = ExcerptCheck {
            parts: vec![part(&[true, false, false])],
            ..check
        };
        assert_eq!(
            some.headline(),
            "The excerpt does NOT hold: 1 of the 3 events is proven."
        );
        assert_eq!(counted(1, "proof"), "1 proof");
    }
}
