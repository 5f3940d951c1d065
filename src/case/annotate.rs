//! The reviewer's marks on a case: stars, tags and notes on events, records and
//! actors, and saved searches. Each change is journaled in the same transaction.
//!
//! An event is marked by its identity in the export — the file and line it was read
//! from and the SHA-256 of its record as received — beside its row, so a mark names
//! exactly what was marked whatever happens to row numbers, and the evidence rows are
//! never written to.

use rusqlite::Connection;
use serde_json::{Value, json};

use super::Case;
use super::journal::{JournalEntry, now};
use super::table;
use super::table::annotation::{StoredAnnotation, SubjectKind};
use crate::canonical::{sha256, to_hex};
use crate::query::EventFilter;
use crate::{Error, Result};

/// What the reviewer marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// An event, by its row in this case.
    Event(i64),
    /// A record (`Order` `1842`), all of its history.
    Record {
        target_type: String,
        target_id: String,
    },
    /// An actor, by id.
    Actor(String),
}

/// A subject resolved to how it is stored and journaled.
struct Resolved {
    kind: SubjectKind,
    key: String,
    event_idx: Option<i64>,
    /// The journal's `target`.
    target: Value,
}

/// The longest note kept (characters); a longer one is refused, never cut.
pub const MAX_NOTE_CHARS: usize = 20_000;
/// The longest tag (characters).
pub const MAX_TAG_CHARS: usize = 64;

fn resolve(connection: &Connection, subject: &Subject) -> Result<Resolved> {
    Ok(match subject {
        Subject::Event(event_idx) => {
            let row = table::event::by_idx(connection, *event_idx)?
                .ok_or_else(|| Error::Invalid(format!("this case has no event {event_idx}")))?;
            let record_sha256 = to_hex(&sha256(&row.raw));
            let key = json!([row.file, row.line, record_sha256]).to_string();
            let name = row
                .id
                .clone()
                .unwrap_or_else(|| format!("line {} of {}", row.line, row.file));
            Resolved {
                kind: SubjectKind::Event,
                key,
                event_idx: Some(*event_idx),
                target: json!({"type": "Event", "id": record_sha256, "name": name,
                               "file": row.file, "line": row.line}),
            }
        }
        Subject::Record {
            target_type,
            target_id,
        } => Resolved {
            kind: SubjectKind::Record,
            key: json!([target_type, target_id]).to_string(),
            event_idx: None,
            target: json!({"type": target_type, "id": target_id}),
        },
        Subject::Actor(actor_id) => Resolved {
            kind: SubjectKind::Actor,
            key: actor_id.clone(),
            event_idx: None,
            target: json!({"type": "Actor", "id": actor_id}),
        },
    })
}

fn entry(resolved: &Resolved, verb: &str, context: Value) -> JournalEntry {
    JournalEntry {
        action: format!("{}.{verb}", resolved.kind.as_str()),
        category: "access",
        target: Some(resolved.target.clone()),
        context,
    }
}

/// A tag as kept: trimmed, one line, not empty, at most [`MAX_TAG_CHARS`].
pub fn clean_tag(tag: &str) -> Result<String> {
    let tag = tag.trim();
    if tag.is_empty() || tag.chars().any(char::is_control) || tag.chars().count() > MAX_TAG_CHARS {
        return Err(Error::Invalid(format!(
            "a tag is a word or a few, on one line, up to {MAX_TAG_CHARS} characters"
        )));
    }
    Ok(tag.to_owned())
}

impl Case {
    /// Resolves `subject`, makes its annotation row if it has none, and applies
    /// `change` to that row at one instant; when it changed something, journals
    /// `journaled` of it in the same transaction. True when it changed something.
    fn mark(
        &mut self,
        subject: &Subject,
        change: impl FnOnce(&Connection, i64, &str) -> Result<bool>,
        journaled: impl FnOnce(&Resolved) -> JournalEntry,
    ) -> Result<bool> {
        self.change_and_record(|connection| {
            let resolved = resolve(connection, subject)?;
            let at = now();
            let idx = table::annotation::ensure(
                connection,
                resolved.kind,
                &resolved.key,
                resolved.event_idx,
                &at,
            )?;
            Ok(change(connection, idx, &at)?.then(|| journaled(&resolved)))
        })
    }

    /// Stars (or un-stars) a subject. False when it already was (or was not).
    pub fn star(&mut self, subject: &Subject, starred: bool) -> Result<bool> {
        self.mark(
            subject,
            |connection, idx, at| table::annotation::set_starred(connection, idx, starred, at),
            |resolved| {
                let verb = if starred { "starred" } else { "unstarred" };
                entry(resolved, verb, json!({}))
            },
        )
    }

    /// Tags a subject. False when it carried the tag already.
    pub fn tag(&mut self, subject: &Subject, tag: &str) -> Result<bool> {
        let tag = clean_tag(tag)?;
        self.mark(
            subject,
            |connection, idx, at| table::annotation::add_tag(connection, idx, &tag, at),
            |resolved| entry(resolved, "tagged", json!({"tag": tag})),
        )
    }

    /// Removes a tag. False when the subject did not carry it.
    pub fn untag(&mut self, subject: &Subject, tag: &str) -> Result<bool> {
        let tag = tag.trim().to_owned();
        self.change_and_record(|connection| {
            let resolved = resolve(connection, subject)?;
            if table::annotation::get(connection, resolved.kind, &resolved.key)?.is_none() {
                return Ok(None);
            }
            let idx = table::annotation::ensure(
                connection,
                resolved.kind,
                &resolved.key,
                resolved.event_idx,
                &now(),
            )?;
            let changed = table::annotation::remove_tag(connection, idx, &tag, &now())?;
            Ok(changed.then(|| entry(&resolved, "untagged", json!({"tag": tag}))))
        })
    }

    /// Writes (or with `None` or blank text, removes) the note on a subject. False when
    /// the note already said exactly that.
    pub fn set_note(&mut self, subject: &Subject, note: Option<&str>) -> Result<bool> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if let Some(note) = note
            && note.chars().count() > MAX_NOTE_CHARS
        {
            return Err(Error::Invalid(format!(
                "a note is at most {MAX_NOTE_CHARS} characters; this one has {}",
                note.chars().count()
            )));
        }
        self.mark(
            subject,
            |connection, idx, at| table::annotation::set_note(connection, idx, note, at),
            |resolved| match note {
                Some(note) => entry(resolved, "noted", json!({"note": note})),
                None => entry(resolved, "note_removed", json!({})),
            },
        )
    }

    /// The marks on one subject (empty marks when it has none).
    pub fn annotation(&self, subject: &Subject) -> Result<Option<StoredAnnotation>> {
        let resolved = resolve(self.connection(), subject)?;
        table::annotation::get(self.connection(), resolved.kind, &resolved.key)
    }

    /// Every marked subject: events in time order, then records, then actors.
    pub fn annotations(&self) -> Result<Vec<StoredAnnotation>> {
        table::annotation::all(self.connection())
    }

    /// The marks of these event rows (a page of the table), by row.
    pub fn event_marks(
        &self,
        event_idxs: &[i64],
    ) -> Result<std::collections::HashMap<i64, StoredAnnotation>> {
        table::annotation::of_events(self.connection(), event_idxs)
    }

    /// Tags in use, most used first, with how many subjects carry each (suggestions).
    pub fn tags_in_use(&self) -> Result<Vec<(String, i64)>> {
        table::annotation::tag_counts(self.connection())
    }

    /// Saves the filter under a name (replacing one of that name). True when replaced.
    pub fn save_search(&mut self, name: &str, filter: &EventFilter) -> Result<bool> {
        let name = name.trim();
        if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > 200 {
            return Err(Error::Invalid(
                "a saved search needs a name on one line, up to 200 characters".to_owned(),
            ));
        }
        let filter_json = serde_json::to_string(filter).expect("a filter serializes");
        let mut replaced = false;
        self.change_and_record(|connection| {
            replaced = table::annotation::save_search(connection, name, &filter_json, &now())?;
            Ok(Some(
                JournalEntry::new("search.saved", "access")
                    .target("Search", name, None)
                    .context(json!({"filter": filter, "replaced": replaced})),
            ))
        })?;
        Ok(replaced)
    }

    /// Deletes a saved search. False when there is none of that name.
    pub fn delete_search(&mut self, name: &str) -> Result<bool> {
        self.change_and_record(|connection| {
            Ok(
                table::annotation::delete_search(connection, name)?.then(|| {
                    JournalEntry::new("search.deleted", "access").target("Search", name, None)
                }),
            )
        })
    }

    /// The saved searches, by name.
    pub fn saved_searches(&self) -> Result<Vec<SavedSearch>> {
        table::annotation::searches(self.connection())?
            .into_iter()
            .map(|stored| {
                let filter = serde_json::from_str(&stored.filter).map_err(|e| {
                    Error::Invalid(format!(
                        "the saved search {:?} cannot be read ({e}): the case file was edited",
                        stored.name
                    ))
                })?;
                Ok(SavedSearch {
                    name: stored.name,
                    filter,
                    saved_at: stored.saved_at,
                })
            })
            .collect()
    }
}

/// A named filter the reviewer saved.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedSearch {
    pub name: String,
    pub filter: EventFilter,
    /// RFC 3339 UTC.
    pub saved_at: String,
}
