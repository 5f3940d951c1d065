//! The reviewer's journal: everything done to a case, appended as events of our own
//! bundle format (spec `audit-bundle-v1.md`) in one hash chain, `journal-<case id>`.
//!
//! Each append, in one transaction with the change it records, writes the next line
//! (its `prev_hash` the last line's `hash`) and replaces `journal_head` with a
//! checkpoint of the new head (spec §6) signed by the reviewer who appended it. So an
//! edited line breaks its own hash, a removed or inserted line breaks a link or the
//! seq, and removed lines at the end no longer reach the signed head. What it cannot
//! stop: whoever holds the private key of the last signer can rewrite the whole
//! journal and sign again — which is why the check says whose key signed the head.
//!
//! `export` writes the journal as a bundle (events.jsonl, a manifest signed by the
//! exporting reviewer, the head checkpoint, and the signers' keys) that `trailscope
//! verify` checks like any other.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};
use serde_json::{Value, json};

use super::Case;
use super::table;
use crate::canonical::{self, canonical_of_value, event_hash_of_value, to_hex};
use crate::reviewer::{Reviewer, fingerprint_of_public_key};
use crate::verify::{LineCheck, check_line};
use crate::{Error, Result};

/// One thing the reviewer did, before it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalEntry {
    /// `object.verb`, e.g. `source.imported`, `event.starred`, `events.exported`.
    pub action: String,
    /// A category of spec §2.1 (`import`, `export`, `record`, `access`, `admin`, …).
    pub category: &'static str,
    /// What it was done to (spec §2.1 `target`), if anything.
    pub target: Option<Value>,
    /// The details: a filter and its count, a file's SHA-256, a note's text.
    pub context: Value,
}

impl JournalEntry {
    pub fn new(action: &str, category: &'static str) -> JournalEntry {
        JournalEntry {
            action: action.to_owned(),
            category,
            target: None,
            context: json!({}),
        }
    }

    pub fn target(mut self, kind: &str, id: &str, name: Option<&str>) -> JournalEntry {
        let mut target = json!({"type": kind, "id": id});
        if let Some(name) = name {
            target["name"] = Value::String(name.to_owned());
        }
        self.target = Some(target);
        self
    }

    pub fn context(mut self, context: Value) -> JournalEntry {
        self.context = context;
        self
    }
}

/// The journal's chain id in a case.
pub fn chain_id(case_id: &str) -> String {
    format!("journal-{case_id}")
}

/// Now, as the journal writes times: RFC 3339 UTC with milliseconds.
pub(crate) fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Appends one entry inside the caller's transaction and re-signs the head. Returns the
/// line as written.
pub(crate) fn append(
    connection: &Connection,
    reviewer: &Reviewer,
    entry: &JournalEntry,
) -> Result<Value> {
    let case_id = table::journal::case_id(connection)?;
    let chain = chain_id(&case_id);
    let (seq, prev_hash) = match table::journal::last(connection)? {
        Some((seq, line)) => {
            let last: Value = serde_json::from_slice(&line).map_err(|_| {
                Error::Invalid(format!(
                    "the journal's line {seq} is not JSON: the case file was edited; nothing more can be appended until it is looked into"
                ))
            })?;
            let hash = last
                .get("hash")
                .and_then(Value::as_str)
                .filter(|h| canonical::parse_hash_hex(h).is_some())
                .ok_or_else(|| {
                    Error::Invalid(format!(
                        "the journal's line {seq} has no hash: the case file was edited"
                    ))
                })?;
            (seq + 1, hash.to_owned())
        }
        None => (1, to_hex(&crate::verify::GENESIS)),
    };
    let ts = now();
    let mut actor = reviewer.as_actor();
    actor["public_key"] = Value::String(reviewer.public_key_base64());
    let mut line = json!({
        "chain": chain,
        "seq": seq,
        "id": format!("{chain}-{seq}"),
        "ts": ts,
        "action": entry.action,
        "category": entry.category,
        "actor": actor,
        "target": entry.target.clone().unwrap_or(Value::Null),
        "outcome": "success",
        "context": entry.context,
        "prev_hash": prev_hash,
    });
    let hash = to_hex(&event_hash_of_value(&line));
    line["hash"] = Value::String(hash.clone());
    let bytes = serde_json::to_vec(&line).expect("a Value serializes");
    table::journal::append(connection, seq, &bytes)?;

    let mut checkpoint = json!({"chain": chain, "seq": seq, "hash": hash, "ts": ts});
    let message = canonical_of_value(&checkpoint, Some("signature"));
    checkpoint["signature"] = reviewer.signature_of(&message);
    table::journal::set_head(
        connection,
        &serde_json::to_vec(&checkpoint).expect("a Value serializes"),
    )?;
    Ok(line)
}

impl Case {
    /// Acts as `reviewer` from now on: what changes the case is journaled and signed
    /// by them. Without a reviewer nothing is journaled (library use in tests); the
    /// command line and the app always set one.
    pub fn set_reviewer(&mut self, reviewer: Reviewer) {
        self.reviewer = Some(reviewer);
    }

    pub fn reviewer(&self) -> Option<&Reviewer> {
        self.reviewer.as_ref()
    }

    /// The case's id (random, made with the case).
    pub fn case_id(&self) -> Result<String> {
        table::journal::case_id(self.connection())
    }

    /// Appends one entry to the journal in a transaction of its own (an action that
    /// changed nothing else: a search run, an export written). Does nothing without a
    /// reviewer.
    pub fn record(&mut self, entry: JournalEntry) -> Result<()> {
        let Some(reviewer) = self.reviewer.clone() else {
            return Ok(());
        };
        let transaction = self
            .connection_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        append(&transaction, &reviewer, &entry)?;
        transaction.commit()?;
        Ok(())
    }

    /// Runs `change` and journals `entry` in one transaction, so a change is never kept
    /// without its line (or the line without the change). The entry is journaled only
    /// when `change` says it changed something.
    pub(crate) fn change_and_record(
        &mut self,
        change: impl FnOnce(&Connection) -> Result<Option<JournalEntry>>,
    ) -> Result<bool> {
        let reviewer = self.reviewer.clone();
        let transaction = self
            .connection_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let entry = change(&transaction)?;
        let changed = entry.is_some();
        if let (Some(entry), Some(reviewer)) = (entry, reviewer) {
            append(&transaction, &reviewer, &entry)?;
        }
        transaction.commit()?;
        Ok(changed)
    }
}

/// Appends one entry to the journal of the case at `path` (for commands that only read
/// the case: a search, an export). Opens the case for writing just for this.
pub fn record_in(path: &Path, reviewer: &Reviewer, entry: JournalEntry) -> Result<()> {
    let mut case = Case::open(path)?;
    case.set_reviewer(reviewer.clone());
    case.record(entry)
}

// ---- Checking ----

/// One line of the journal as a reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalLine {
    pub seq: i64,
    /// RFC 3339 UTC, as written.
    pub ts: String,
    pub action: String,
    /// Who did it: their name and key fingerprint.
    pub reviewer_name: String,
    pub reviewer_fingerprint: String,
    pub target: Option<Value>,
    pub context: Value,
    /// The line's own hash recomputes and it links to the line before.
    pub holds: bool,
    pub hash: String,
}

impl JournalLine {
    /// What was done, in words ("Maria Lopez starred the event evt_0042.").
    pub fn sentence(&self) -> String {
        let who = if self.reviewer_name.is_empty() {
            "Someone"
        } else {
            self.reviewer_name.as_str()
        };
        let c = |key: &str| -> String {
            match self.context.get(key) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            }
        };
        let target = self.target.as_ref();
        let t = |key: &str| {
            target
                .and_then(|t| t.get(key))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let (subject_kind, verb) = self.action.split_once('.').unwrap_or(("", &self.action));
        let subject = match subject_kind {
            "event" => format!("the event {}", t("name")),
            "record" => format!("the record {} {}", t("type"), t("id")),
            "actor" => format!("the actor {}", t("id")),
            _ => String::new(),
        };
        match (subject_kind, verb) {
            ("event" | "record" | "actor", "starred") => format!("{who} starred {subject}."),
            ("event" | "record" | "actor", "unstarred") => {
                format!("{who} took the star off {subject}.")
            }
            ("event" | "record" | "actor", "tagged") => {
                format!("{who} tagged {subject} \u{201c}{}\u{201d}.", c("tag"))
            }
            ("event" | "record" | "actor", "untagged") => {
                format!(
                    "{who} took the tag \u{201c}{}\u{201d} off {subject}.",
                    c("tag")
                )
            }
            ("event" | "record" | "actor", "noted") => {
                format!(
                    "{who} wrote a note on {subject}: \u{201c}{}\u{201d}",
                    c("note")
                )
            }
            ("event" | "record" | "actor", "note_removed") => {
                format!("{who} removed the note on {subject}.")
            }
            ("actor", "unlinked") => format!(
                "{who} said the account {} is not the same person as the accounts sharing its address.",
                t("id")
            ),
            ("actor", "relinked") => {
                format!("{who} linked the account {} to its person again.", t("id"))
            }
            ("source", "imported") => format!(
                "{who} received {} ({}, {} file{}, {} bytes): {} events added; verdict {}.",
                c("path"),
                c("kind"),
                c("files"),
                if c("files") == "1" { "" } else { "s" },
                c("bytes"),
                c("events_added"),
                c("verdict")
            ),
            ("source", "imported_again") => format!(
                "{who} opened {} again: it was already in this case, nothing was added.",
                c("path")
            ),
            ("search", "saved") => format!("{who} saved the search \u{201c}{}\u{201d}.", t("id")),
            ("search", "deleted") => format!(
                "{who} deleted the saved search \u{201c}{}\u{201d}.",
                t("id")
            ),
            ("search", "run") => {
                let count = if c("count").is_empty() {
                    c("shown")
                } else {
                    c("count")
                };
                match self.context.get("name").and_then(Value::as_str) {
                    Some(name) => {
                        format!("{who} ran the search \u{201c}{name}\u{201d}: {count} events.")
                    }
                    None => format!(
                        "{who} searched the events ({}): {count} shown.",
                        filter_words(&self.context["filter"])
                    ),
                }
            }
            ("events", "exported") => format!(
                "{who} exported {} events ({}) as {} to {}.",
                c("count"),
                filter_words(&self.context["filter"]),
                c("format").to_uppercase(),
                c("out")
            ),
            ("mask", "changed") => format!(
                "{who} changed the masked fields; now masked: {}.",
                self.context["masked"]
                    .as_array()
                    .map(|a| a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "none".to_owned())
            ),
            ("case", "opened") => format!("{who} opened the case."),
            ("case", "retrusted") => format!(
                "{who} re-checked every source against {} trusted key{} and {} checkpoint file{}.",
                self.context["trusted_keys"].as_array().map_or(0, Vec::len),
                if self.context["trusted_keys"].as_array().map_or(0, Vec::len) == 1 {
                    ""
                } else {
                    "s"
                },
                c("checkpoints"),
                if c("checkpoints") == "1" { "" } else { "s" }
            ),
            ("case", "reverified") => format!(
                "{who} re-verified the case: {} rows, {} problem{}; the journal {}; {} of {} receipts hold.",
                c("rows"),
                c("findings"),
                if c("findings") == "1" { "" } else { "s" },
                if self.context["journal_holds"] == true {
                    "holds"
                } else {
                    "does NOT hold"
                },
                c("receipts_holding"),
                c("receipts")
            ),
            ("receipts", "checked") => format!(
                "{who} checked the custody receipts: {} of {} hold.",
                c("holding"),
                c("receipts")
            ),
            ("journal", "exported") => format!(
                "{who} exported this journal ({} entries) to {}.",
                c("entries"),
                c("out")
            ),
            ("report", "written") => format!("{who} wrote the auditor's report to {}.", c("out")),
            ("excerpt", "written") => format!(
                "{who} wrote an evidence excerpt of {} events to {}.",
                c("count"),
                c("out")
            ),
            _ => format!("{who}: {}.", self.action),
        }
    }
}

/// A filter in a few words ("actor u_001, action order.*"); "all events" when empty.
pub fn filter_words(filter: &Value) -> String {
    let Some(fields) = filter.as_object().filter(|f| !f.is_empty()) else {
        return "all events".to_owned();
    };
    fields
        .iter()
        .map(|(key, value)| {
            let value = match value {
                Value::Number(ms) if key == "since" || key == "until" => ms
                    .as_i64()
                    .and_then(chrono::DateTime::from_timestamp_millis)
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_else(|| ms.to_string()),
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(" or "),
                Value::Bool(true) => String::new(),
                other => other.to_string(),
            };
            let key = key.replace('_', " ");
            if value.is_empty() {
                key
            } else {
                format!("{key} {value}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Who signed the journal's head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadSigner {
    pub name: String,
    pub key_id: String,
    pub fingerprint: String,
    /// The key is the reviewer's own (the one checking).
    pub is_you: bool,
}

/// What checking the journal established.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalCheck {
    pub n_entries: i64,
    /// The last line's hash: ties a report or an export to this state of the case.
    pub head_hash: Option<String>,
    pub signer: Option<HeadSigner>,
    /// Each problem in plain words, located by the line's seq.
    pub problems: Vec<String>,
}

impl JournalCheck {
    /// Every line holds and the signed head is the last line.
    pub fn holds(&self) -> bool {
        self.problems.is_empty()
    }

    /// The result in words, first line of every report of it.
    pub fn headline(&self) -> String {
        if !self.holds() {
            return format!(
                "The journal was altered: {} problem{} (below). Its record of what was done in this case cannot be relied on.",
                self.problems.len(),
                if self.problems.len() == 1 { "" } else { "s" }
            );
        }
        match (&self.signer, self.n_entries) {
            (_, 0) => "The journal is empty: nothing has been done in this case yet.".to_owned(),
            (Some(signer), n) => format!(
                "The journal holds: {n} entr{} unbroken, its last one signed by {} ({}, key {}).",
                if n == 1 { "y" } else { "ies" },
                signer.name,
                if signer.is_you { "you" } else { "not your key" },
                signer.fingerprint
            ),
            (None, n) => format!("The journal holds {n} entries but its head is not signed."),
        }
    }
}

/// Re-checks the journal from the case's rows: every line's hash, every link and seq,
/// and the signed head against the last line. `own` is the reviewer checking (to say
/// whether the head was signed by their key).
pub fn check(case: &Case, own: Option<&Reviewer>) -> Result<(JournalCheck, Vec<JournalLine>)> {
    let connection = case.connection();
    let chain = chain_id(&table::journal::case_id(connection)?);
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    let mut scratch = Vec::new();
    let mut previous: Option<(i64, String)> = None;
    let mut last_actor_key: Option<String> = None;
    table::journal::for_each(connection, |seq, raw| {
        let value: Option<Value> = serde_json::from_slice(&raw).ok();
        let mut holds = true;
        let hash = match check_line(&raw, &mut scratch) {
            LineCheck::Event(link) => {
                if link.recomputed != Some(link.hash) {
                    holds = false;
                    problems.push(format!(
                        "Entry {seq} was changed after it was written (its hash no longer matches its content)."
                    ));
                }
                if link.chain != chain || link.seq != seq as u64 {
                    holds = false;
                    problems.push(format!(
                        "Entry {seq} says it is entry {} of {:?}: it was moved or copied from another journal.",
                        link.seq, link.chain
                    ));
                }
                let expected_prev = match &previous {
                    Some((prev_seq, prev_hash)) => {
                        if *prev_seq + 1 != seq {
                            holds = false;
                            problems.push(format!(
                                "Entries {} to {} are missing: they were removed from the journal.",
                                prev_seq + 1,
                                seq - 1
                            ));
                        }
                        prev_hash.clone()
                    }
                    None => {
                        if seq != 1 {
                            holds = false;
                            problems.push(format!(
                                "Entries 1 to {} are missing: they were removed from the journal.",
                                seq - 1
                            ));
                        }
                        to_hex(&crate::verify::GENESIS)
                    }
                };
                if to_hex(&link.prev_hash) != expected_prev {
                    holds = false;
                    problems.push(format!(
                        "Entry {seq} does not follow the entry before it (its link is broken): an entry before it was changed, removed or inserted."
                    ));
                }
                to_hex(&link.hash)
            }
            LineCheck::Malformed { reason, .. } => {
                holds = false;
                problems.push(format!(
                    "Entry {seq} cannot be read ({reason}): the case file was edited."
                ));
                String::new()
            }
            LineCheck::Unchained { .. } => unreachable!("our own lines are chained"),
        };
        let value = value.unwrap_or(Value::Null);
        let actor = value.get("actor").cloned().unwrap_or(Value::Null);
        let public_key = actor
            .get("public_key")
            .and_then(Value::as_str)
            .unwrap_or_default();
        last_actor_key = Some(public_key.to_owned());
        let text = |v: &Value, key: &str| {
            v.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        lines.push(JournalLine {
            seq,
            ts: text(&value, "ts"),
            action: text(&value, "action"),
            reviewer_name: text(&actor, "name"),
            reviewer_fingerprint: fingerprint_of_public_key(public_key).unwrap_or_default(),
            target: value.get("target").filter(|t| !t.is_null()).cloned(),
            context: value.get("context").cloned().unwrap_or(Value::Null),
            holds,
            hash: hash.clone(),
        });
        previous = Some((seq, hash));
        Ok(())
    })?;

    let head = table::journal::head(connection)?;
    let mut signer = None;
    match (head, &previous) {
        (None, None) => {}
        (None, Some(_)) => problems.push(
            "The journal's signed head is missing: it was removed from the case file, so entries removed from its end could not be noticed."
                .to_owned(),
        ),
        (Some(head), last) => match check_head(&head, &chain, own) {
            Ok((seq, hash, head_signer)) => {
                match last {
                    Some((last_seq, last_hash)) if *last_seq == seq && *last_hash == hash => {}
                    Some((last_seq, _)) if *last_seq < seq => problems.push(format!(
                        "The journal ends at entry {last_seq} but its signed head is entry {seq}: entries were removed from its end."
                    )),
                    _ => problems.push(format!(
                        "The journal's signed head (entry {seq}) does not match its last entry: the journal was rewritten."
                    )),
                }
                if let Some(key) = &last_actor_key
                    && fingerprint_of_public_key(key).as_deref() != Some(head_signer.fingerprint.as_str())
                {
                    problems.push(
                        "The journal's head was signed by someone other than the reviewer of its last entry."
                            .to_owned(),
                    );
                }
                signer = Some(head_signer);
            }
            Err(problem) => problems.push(problem),
        },
    }
    let check = JournalCheck {
        n_entries: lines.len() as i64,
        head_hash: previous.map(|(_, hash)| hash),
        signer,
        problems,
    };
    Ok((check, lines))
}

/// Reads and verifies the signed head: (seq, hash, signer), or the problem in words.
fn check_head(
    head: &[u8],
    chain: &str,
    own: Option<&Reviewer>,
) -> std::result::Result<(i64, String, HeadSigner), String> {
    let unreadable =
        || "The journal's signed head cannot be read: the case file was edited.".to_owned();
    let value: Value = serde_json::from_slice(head).map_err(|_| unreadable())?;
    let seq = value
        .get("seq")
        .and_then(Value::as_i64)
        .ok_or_else(unreadable)?;
    let hash = value
        .get("hash")
        .and_then(Value::as_str)
        .ok_or_else(unreadable)?
        .to_owned();
    if value.get("chain").and_then(Value::as_str) != Some(chain) {
        return Err("The journal's signed head belongs to another case's journal.".to_owned());
    }
    let (key_id, public_key) = crate::reviewer::signed_by(&value).ok_or_else(|| {
        "The journal's signed head does not verify: it was changed after it was signed.".to_owned()
    })?;
    let is_you = own.is_some_and(|r| r.public_key_base64() == public_key);
    let name = own
        .filter(|_| is_you)
        .map(|r| r.name().to_owned())
        .unwrap_or_else(|| key_id.clone());
    Ok((
        seq,
        hash,
        HeadSigner {
            name,
            key_id,
            fingerprint: fingerprint_of_public_key(&public_key).unwrap_or_default(),
            is_you,
        },
    ))
}

// ---- Export ----

/// What `export` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalExport {
    pub n_entries: i64,
    pub head_hash: Option<String>,
    /// The signers' keys, one trusted-keys line each (also written to `reviewer-keys.txt`).
    pub keys: Vec<String>,
}

/// Writes the journal as a bundle in `dir` (created; must be empty or absent):
/// `events.jsonl` (the lines as stored), `manifest.json` signed by `reviewer`,
/// `checkpoints.jsonl` (the signed head) and `reviewer-keys.txt` (the keys that
/// signed, to trust after comparing their fingerprints). Refuses a journal whose check
/// fails: an altered journal is reported, not re-signed.
pub fn export(case: &Case, reviewer: &Reviewer, dir: &Path) -> Result<JournalExport> {
    let (check, _) = check(case, Some(reviewer))?;
    if !check.holds() {
        return Err(Error::Invalid(format!(
            "{}\n{}",
            check.headline(),
            check.problems.join("\n")
        )));
    }
    crate::export::prepare_empty_dir(dir, "the journal")?;
    let connection = case.connection();
    let case_id = table::journal::case_id(connection)?;
    let chain = chain_id(&case_id);
    let mut events = Vec::new();
    let mut keys = std::collections::BTreeSet::new();
    let mut first_ts = None;
    let mut last_ts = None;
    table::journal::for_each(connection, |_, line| {
        let value: Value = serde_json::from_slice(&line).unwrap_or(Value::Null);
        if let (Some(id), Some(key)) = (
            value.pointer("/actor/id").and_then(Value::as_str),
            value.pointer("/actor/public_key").and_then(Value::as_str),
        ) {
            keys.insert(format!("{id} {key}"));
        }
        let ts = value.get("ts").and_then(Value::as_str).map(str::to_owned);
        first_ts = first_ts.clone().or(ts.clone());
        last_ts = ts;
        events.extend_from_slice(&line);
        events.push(b'\n');
        Ok(())
    })?;
    keys.insert(reviewer.trusted_keys_line());
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
    };
    write("events.jsonl", &events)?;
    let mut chains = Vec::new();
    if let Some(head_hash) = &check.head_hash {
        chains.push(crate::produce::ChainSummary {
            id: chain.clone(),
            first_seq: 1,
            last_seq: check.n_entries as u64,
            event_count: check.n_entries as u64,
            start_prev_hash: to_hex(&crate::verify::GENESIS),
            head_hash: head_hash.clone(),
        });
    }
    let files = vec![(
        "events.jsonl".to_owned(),
        to_hex(&canonical::sha256(&events)),
        events.len() as u64,
    )];
    let exported_at = now();
    let mut manifest = crate::produce::build_manifest(&chains, &files, &chain, &exported_at);
    manifest["producer"] = json!({"name": "Trailscope", "version": env!("CARGO_PKG_VERSION")});
    manifest["exported_by"] = reviewer.as_actor();
    manifest["scope"] = json!({
        "description": format!("The reviewer's journal of case {case_id}: everything done in the case, in order"),
        "filter": {},
        "first_ts": first_ts,
        "last_ts": last_ts,
    });
    crate::produce::sign_manifest(&mut manifest, reviewer.signing_key());
    let mut text = serde_json::to_vec_pretty(&manifest).expect("serializes");
    text.push(b'\n');
    write("manifest.json", &text)?;
    if let Some(head) = table::journal::head(connection)? {
        let mut head = head;
        head.push(b'\n');
        write("checkpoints.jsonl", &head)?;
    }
    let keys: Vec<String> = keys.into_iter().collect();
    let mut keys_text = String::from(
        "# The keys that signed this journal. Compare each fingerprint with its reviewer before trusting it.\n",
    );
    for key in &keys {
        keys_text.push_str(key);
        keys_text.push('\n');
    }
    write("reviewer-keys.txt", keys_text.as_bytes())?;
    Ok(JournalExport {
        n_entries: check.n_entries,
        head_hash: check.head_hash,
        keys,
    })
}
