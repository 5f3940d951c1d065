//! SQL of the `actor` table: each actor's tallies, added to by every import so the
//! actor list never scans events.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use crate::Result;

/// One actor with its activity.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorSummary {
    pub actor_id: String,
    pub actor_type: Option<String>,
    pub name: Option<String>,
    pub n_events: i64,
    pub first_ts: i64,
    pub last_ts: i64,
    pub n_failures: i64,
    pub n_denials: i64,
    /// The email or user principal name it was seen with, in lower case.
    pub email: Option<String>,
    /// The kinds of source it acted in (`SourceKind::as_str`), most events first.
    pub sources: Vec<String>,
    /// The reviewer said this account is not the person its address links it to.
    pub unlinked: bool,
}

/// What one import counted for one actor.
#[derive(Debug, Default)]
pub(crate) struct ActorTally {
    pub(crate) actor_type: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) n_events: i64,
    pub(crate) first_ts: i64,
    pub(crate) last_ts: i64,
    pub(crate) n_failures: i64,
    pub(crate) n_denials: i64,
    pub(crate) email: Option<String>,
}

/// The address an actor is known by across sources, in lower case: the email the
/// event gives, else its id when that is one (a user principal name). Something
/// shaped `local@domain.tld` with no spaces or angle brackets; the case's schema
/// (V6) fills older cases in by the same rule.
pub(crate) fn address(email: Option<&str>, id: &str) -> Option<String> {
    let looks_like = |text: &str| {
        text.rsplit_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain
                    .split_once('.')
                    .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
                && !text.contains(|c: char| c.is_whitespace() || c == '<' || c == '>')
        })
    };
    email
        .map(str::trim)
        .filter(|e| looks_like(e))
        .or(Some(id).filter(|i| looks_like(i)))
        .map(str::to_lowercase)
}

/// Adds an import's tallies to the actors' rows, creating the rows of new actors; a
/// type or name the import did not see keeps the one stored.
pub(crate) fn add_tallies(
    connection: &Connection,
    actors: &HashMap<String, ActorTally>,
    source: &str,
) -> Result<()> {
    let mut statement = connection.prepare_cached(
        "INSERT INTO actor (actor_id, actor_type, name, n_events, first_ts, last_ts, n_failures, n_denials, email)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (actor_id) DO UPDATE SET
             actor_type = coalesce(excluded.actor_type, actor_type),
             name = coalesce(excluded.name, name),
             email = coalesce(email, excluded.email),
             n_events = n_events + excluded.n_events,
             first_ts = min(first_ts, excluded.first_ts),
             last_ts = max(last_ts, excluded.last_ts),
             n_failures = n_failures + excluded.n_failures,
             n_denials = n_denials + excluded.n_denials",
    )?;
    let mut per_source = connection.prepare_cached(
        "INSERT INTO actor_source (actor_id, source, n_events) VALUES (?1, ?2, ?3)
         ON CONFLICT (actor_id, source) DO UPDATE SET n_events = n_events + excluded.n_events",
    )?;
    for (actor_id, tally) in actors {
        statement.execute(params![
            actor_id,
            tally.actor_type,
            tally.name,
            tally.n_events,
            tally.first_ts,
            tally.last_ts,
            tally.n_failures,
            tally.n_denials,
            tally.email,
        ])?;
        per_source.execute(params![actor_id, source, tally.n_events])?;
    }
    Ok(())
}

/// Every actor, most active first.
pub(crate) fn most_active_first(connection: &Connection) -> Result<Vec<ActorSummary>> {
    let mut statement = connection.prepare_cached(
        "SELECT a.actor_id, a.actor_type, a.name, a.n_events, a.first_ts, a.last_ts,
                a.n_failures, a.n_denials, a.email,
                (SELECT group_concat(source, ' ') FROM
                    (SELECT source FROM actor_source s WHERE s.actor_id = a.actor_id
                     ORDER BY n_events DESC, source)),
                u.actor_id IS NOT NULL
         FROM actor a LEFT JOIN actor_unlinked u USING (actor_id)
         ORDER BY a.n_events DESC, a.actor_id",
    )?;
    let actors = statement
        .query_map([], |row| {
            Ok(ActorSummary {
                actor_id: row.get(0)?,
                actor_type: row.get(1)?,
                name: row.get(2)?,
                n_events: row.get(3)?,
                first_ts: row.get(4)?,
                last_ts: row.get(5)?,
                n_failures: row.get(6)?,
                n_denials: row.get(7)?,
                email: row.get(8)?,
                sources: row
                    .get::<_, Option<String>>(9)?
                    .map(|names| names.split(' ').map(str::to_owned).collect())
                    .unwrap_or_default(),
                unlinked: row.get(10)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(actors)
}

/// Remembers that the reviewer separated this account from the person its address
/// links it to (`at`: RFC 3339); nothing else changes.
pub(crate) fn unlink(connection: &Connection, actor_id: &str, at: &str) -> Result<bool> {
    let changed = connection.execute(
        "INSERT INTO actor_unlinked (actor_id, unlinked_at)
         SELECT actor_id, ?2 FROM actor WHERE actor_id = ?1
         ON CONFLICT (actor_id) DO NOTHING",
        params![actor_id, at],
    )?;
    Ok(changed > 0)
}

/// Undoes [`unlink`]: the account is linked by its address again.
pub(crate) fn relink(connection: &Connection, actor_id: &str) -> Result<bool> {
    let changed = connection.execute(
        "DELETE FROM actor_unlinked WHERE actor_id = ?1",
        params![actor_id],
    )?;
    Ok(changed > 0)
}
