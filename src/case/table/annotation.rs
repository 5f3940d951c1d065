//! SQL of the reviewer's marks: `annotation` (a star and a note on an event, a record or
//! an actor), `annotation_tag` (its tags) and `saved_search` (named filters). They point
//! at the evidence; the evidence never points at them, and no statement here writes to
//! `event`.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// What an annotation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectKind {
    Event,
    Record,
    Actor,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Event => "event",
            SubjectKind::Record => "record",
            SubjectKind::Actor => "actor",
        }
    }

    pub fn from_name(name: &str) -> Option<SubjectKind> {
        match name {
            "event" => Some(SubjectKind::Event),
            "record" => Some(SubjectKind::Record),
            "actor" => Some(SubjectKind::Actor),
            _ => None,
        }
    }
}

/// One annotated subject as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnnotation {
    pub kind: SubjectKind,
    /// An event: the SHA-256 (hex) of its record as received; a record: JSON
    /// `["Order","1842"]`; an actor: its id.
    pub subject: String,
    /// An event's row.
    pub event_idx: Option<i64>,
    pub starred: bool,
    pub note: Option<String>,
    /// Sorted.
    pub tags: Vec<String>,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

impl StoredAnnotation {
    /// Nothing marked: no star, no note, no tag.
    pub fn is_empty(&self) -> bool {
        !self.starred && self.note.is_none() && self.tags.is_empty()
    }
}

/// The annotation's row for a subject, made (empty) if there is none.
pub(crate) fn ensure(
    connection: &Connection,
    kind: SubjectKind,
    subject: &str,
    event_idx: Option<i64>,
    now: &str,
) -> Result<i64> {
    connection
        .prepare_cached(
            "INSERT INTO annotation (subject_kind, subject, event_idx, updated_at)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (subject_kind, subject) DO NOTHING",
        )?
        .execute(params![kind.as_str(), subject, event_idx, now])?;
    Ok(connection
        .prepare_cached(
            "SELECT annotation_idx FROM annotation WHERE subject_kind = ?1 AND subject = ?2",
        )?
        .query_row(params![kind.as_str(), subject], |row| row.get(0))?)
}

pub(crate) fn set_starred(
    connection: &Connection,
    idx: i64,
    starred: bool,
    now: &str,
) -> Result<bool> {
    Ok(connection
        .prepare_cached(
            "UPDATE annotation SET starred = ?2, updated_at = ?3
             WHERE annotation_idx = ?1 AND starred IS NOT ?2",
        )?
        .execute(params![idx, starred, now])?
        > 0)
}

pub(crate) fn set_note(
    connection: &Connection,
    idx: i64,
    note: Option<&str>,
    now: &str,
) -> Result<bool> {
    Ok(connection
        .prepare_cached(
            "UPDATE annotation SET note = ?2, updated_at = ?3
             WHERE annotation_idx = ?1 AND note IS NOT ?2",
        )?
        .execute(params![idx, note, now])?
        > 0)
}

pub(crate) fn add_tag(connection: &Connection, idx: i64, tag: &str, now: &str) -> Result<bool> {
    let added = connection
        .prepare_cached(
            "INSERT INTO annotation_tag (annotation_idx, tag) VALUES (?1, ?2)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![idx, tag])?
        > 0;
    if added {
        touch(connection, idx, now)?;
    }
    Ok(added)
}

pub(crate) fn remove_tag(connection: &Connection, idx: i64, tag: &str, now: &str) -> Result<bool> {
    let removed = connection
        .prepare_cached("DELETE FROM annotation_tag WHERE annotation_idx = ?1 AND tag = ?2")?
        .execute(params![idx, tag])?
        > 0;
    if removed {
        touch(connection, idx, now)?;
    }
    Ok(removed)
}

fn touch(connection: &Connection, idx: i64, now: &str) -> Result<()> {
    connection
        .prepare_cached("UPDATE annotation SET updated_at = ?2 WHERE annotation_idx = ?1")?
        .execute(params![idx, now])?;
    Ok(())
}

const COLUMNS: &str =
    "a.annotation_idx, a.subject_kind, a.subject, a.event_idx, a.starred, a.note, a.updated_at,
     (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM annotation_tag t
        WHERE t.annotation_idx = a.annotation_idx ORDER BY tag))";

fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, StoredAnnotation)> {
    let tags: Option<String> = row.get(7)?;
    Ok((
        row.get(0)?,
        StoredAnnotation {
            kind: super::named(row, 1, SubjectKind::from_name)?,
            subject: row.get(2)?,
            event_idx: row.get(3)?,
            starred: row.get(4)?,
            note: row.get(5)?,
            updated_at: row.get(6)?,
            tags: tags
                .map(|t| t.split('\u{1f}').map(str::to_owned).collect())
                .unwrap_or_default(),
        },
    ))
}

/// The annotation of one subject, if it has one.
pub(crate) fn get(
    connection: &Connection,
    kind: SubjectKind,
    subject: &str,
) -> Result<Option<StoredAnnotation>> {
    let sql =
        format!("SELECT {COLUMNS} FROM annotation a WHERE a.subject_kind = ?1 AND a.subject = ?2");
    Ok(connection
        .prepare_cached(&sql)?
        .query_row(params![kind.as_str(), subject], read)
        .optional()?
        .map(|(_, a)| a))
}

/// Every annotation that marks something, events in time order then records and actors.
pub(crate) fn all(connection: &Connection) -> Result<Vec<StoredAnnotation>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM annotation a LEFT JOIN event e ON e.event_idx = a.event_idx
         ORDER BY a.subject_kind, e.ts, a.event_idx, a.subject"
    );
    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map([], read)?;
    let mut out = Vec::new();
    for row in rows {
        let (_, annotation) = row?;
        if !annotation.is_empty() {
            out.push(annotation);
        }
    }
    Ok(out)
}

/// The marks of the given event rows (for a table page): row → annotation.
pub(crate) fn of_events(
    connection: &Connection,
    event_idxs: &[i64],
) -> Result<HashMap<i64, StoredAnnotation>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM annotation a WHERE a.subject_kind = 'event' AND a.event_idx = ?1"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let mut out = HashMap::new();
    for &idx in event_idxs {
        if let Some((_, annotation)) = statement.query_row([idx], read).optional()?
            && !annotation.is_empty()
        {
            out.insert(idx, annotation);
        }
    }
    Ok(out)
}

/// Every tag in use with how many subjects carry it, most used first (suggestions).
pub(crate) fn tag_counts(connection: &Connection) -> Result<Vec<(String, i64)>> {
    let mut statement = connection.prepare_cached(
        "SELECT tag, count(*) FROM annotation_tag GROUP BY tag ORDER BY count(*) DESC, tag",
    )?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---- Saved searches ----

/// A named filter as stored: its JSON and when it was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredSearch {
    pub name: String,
    pub filter: String,
    pub saved_at: String,
}

/// Saves (or replaces) a search; true when one of that name was replaced.
pub(crate) fn save_search(
    connection: &Connection,
    name: &str,
    filter_json: &str,
    now: &str,
) -> Result<bool> {
    let replaced = connection
        .prepare_cached("SELECT 1 FROM saved_search WHERE name = ?1")?
        .exists([name])?;
    connection
        .prepare_cached(
            "INSERT INTO saved_search (name, filter, saved_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET filter = excluded.filter, saved_at = excluded.saved_at",
        )?
        .execute(params![name, filter_json, now])?;
    Ok(replaced)
}

pub(crate) fn delete_search(connection: &Connection, name: &str) -> Result<bool> {
    Ok(connection
        .prepare_cached("DELETE FROM saved_search WHERE name = ?1")?
        .execute([name])?
        > 0)
}

pub(crate) fn searches(connection: &Connection) -> Result<Vec<StoredSearch>> {
    let mut statement = connection
        .prepare_cached("SELECT name, filter, saved_at FROM saved_search ORDER BY name")?;
    let rows = statement.query_map([], |row| {
        Ok(StoredSearch {
            name: row.get(0)?,
            filter: row.get(1)?,
            saved_at: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
