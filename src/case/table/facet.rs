//! The `facet_count` table: how many events (stubs aside) have each value of each
//! facet, for the whole case. An unfiltered facet (the app's pickers with nothing
//! chosen, `trailscope facets` without filters) reads these few rows instead of
//! grouping every event (12 s for the actions of 10,000,000 events; milliseconds here).
//!
//! The importer tallies the rows it adds in memory (a count per distinct value, never
//! per event: `FacetTally`) and adds them when its transaction commits, so the table
//! always equals `GROUP BY` over the stored rows; schema 9 fills it for cases imported
//! before. A test compares the two for every facet.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::event::{FacetBy, FacetCount, NewEvent, facet_count};
use crate::Result;
use crate::case::UNKNOWN_TS;

/// One value's count and, for actors, the greatest name seen (as `max(actor_name)`).
#[derive(Debug, Default)]
struct Tally {
    n: i64,
    label: Option<String>,
}

/// The counts of the rows an import adds, by facet and value. A day is kept as its
/// number since 1970 (of whole seconds, as SQLite's `date(ts / 1000, 'unixepoch')`
/// truncates) and written as a date by SQLite itself, so both agree on every time.
#[derive(Debug, Default)]
pub(crate) struct FacetTally {
    /// Per facet of `COLUMNS`: its values (looked up without allocating), and the
    /// rows without one.
    values: [(HashMap<String, Tally>, Tally); 9],
    days: HashMap<Option<i64>, i64>,
}

/// The facets kept from a stored column, in `FacetTally::values`' order: every facet
/// but the day (the last), which is kept from the time.
const COLUMNS: &[FacetBy] = FacetBy::ALL.split_last().expect("facets").1;

impl FacetTally {
    /// Counts one row as stored (stubs are not counted, as no facet counts them).
    pub(crate) fn add(&mut self, event: &NewEvent<'_>) {
        if event.omitted {
            return;
        }
        let fields = event.fields;
        let columns = [
            &fields.actor_id,
            &fields.action,
            &fields.category,
            &fields.target_type,
            &fields.outcome,
            &fields.channel,
            &fields.ip,
            &fields.batch_id,
            &fields.rule_id,
        ];
        for (i, value) in columns.into_iter().enumerate() {
            let (values, none) = &mut self.values[i];
            let tally = match value {
                None => none,
                Some(value) => match values.get_mut(value.as_str()) {
                    Some(tally) => tally,
                    None => values.entry(value.clone()).or_default(),
                },
            };
            tally.n += 1;
            // Actors (the first column) carry the greatest name seen, as max() would.
            if i == 0 && fields.actor_name > tally.label {
                tally.label.clone_from(&fields.actor_name);
            }
        }
        let day = (event.ts != UNKNOWN_TS).then(|| (event.ts / 1000).div_euclid(86_400));
        *self.days.entry(day).or_default() += 1;
    }

    /// Adds the tallies to the table (inside the import's transaction).
    pub(crate) fn store(&self, connection: &Connection) -> Result<()> {
        for (by, (values, none)) in COLUMNS.iter().zip(&self.values) {
            for (value, tally) in values {
                merge(
                    connection,
                    *by,
                    Some(value),
                    tally.label.as_deref(),
                    tally.n,
                )?;
            }
            if none.n > 0 {
                merge(connection, *by, None, none.label.as_deref(), none.n)?;
            }
        }
        let mut date = connection.prepare_cached("SELECT date(?1 * 86400, 'unixepoch')")?;
        for (day, n) in &self.days {
            let value: Option<String> = match day {
                Some(day) => date.query_row([day], |row| row.get(0))?,
                None => None,
            };
            merge(connection, FacetBy::Day, value.as_deref(), None, *n)?;
        }
        Ok(())
    }
}

/// Adds `n` events with `value` of facet `by` (a new row, or more on the row it has).
fn merge(
    connection: &Connection,
    by: FacetBy,
    value: Option<&str>,
    label: Option<&str>,
    n: i64,
) -> Result<()> {
    let changed = connection
        .prepare_cached(
            "UPDATE facet_count SET n = n + ?3, label = max(coalesce(label, ?4), coalesce(?4, label))
              WHERE facet = ?1 AND value IS ?2",
        )?
        .execute(params![by.name(), value, n, label])?;
    if changed == 0 {
        connection
            .prepare_cached(
                "INSERT INTO facet_count (facet, value, label, n) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![by.name(), value, label, n])?;
    }
    Ok(())
}

/// The counts of facet `by` over the whole case, in the order `event::facet` gives.
pub(crate) fn counts(connection: &Connection, by: FacetBy) -> Result<Vec<FacetCount>> {
    let order = if by == FacetBy::Day {
        "value"
    } else {
        "n DESC, value"
    };
    let mut statement = connection.prepare_cached(&format!(
        "SELECT value, label, n FROM facet_count WHERE facet = ?1 AND n > 0 ORDER BY {order}"
    ))?;
    let counts = statement
        .query_map([by.name()], facet_count)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(counts)
}
