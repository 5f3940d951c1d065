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
}

/// Adds an import's tallies to the actors' rows, creating the rows of new actors; a
/// type or name the import did not see keeps the one stored.
pub(crate) fn add_tallies(
    connection: &Connection,
    actors: &HashMap<String, ActorTally>,
) -> Result<()> {
    let mut statement = connection.prepare_cached(
        "INSERT INTO actor (actor_id, actor_type, name, n_events, first_ts, last_ts, n_failures, n_denials)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (actor_id) DO UPDATE SET
             actor_type = coalesce(excluded.actor_type, actor_type),
             name = coalesce(excluded.name, name),
             n_events = n_events + excluded.n_events,
             first_ts = min(first_ts, excluded.first_ts),
             last_ts = max(last_ts, excluded.last_ts),
             n_failures = n_failures + excluded.n_failures,
             n_denials = n_denials + excluded.n_denials",
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
        ])?;
    }
    Ok(())
}

/// Every actor, most active first.
pub(crate) fn most_active_first(connection: &Connection) -> Result<Vec<ActorSummary>> {
    let mut statement = connection.prepare_cached(
        "SELECT actor_id, actor_type, name, n_events, first_ts, last_ts, n_failures, n_denials
         FROM actor ORDER BY n_events DESC, actor_id",
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
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(actors)
}
