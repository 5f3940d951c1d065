//! The `facet_count` table: each value of each facet, its code in the case's column
//! index (`case::columns`) and how many events (stubs aside) have it, for the whole
//! case. An unfiltered facet (the app's pickers with nothing chosen, `trailscope
//! facets` without filters) reads these few rows instead of grouping every event (12 s
//! for the actions of 10,000,000 events; milliseconds here), and a filtered one maps
//! the codes the column index counted back to their values.
//!
//! The importer keeps a dictionary of the values (a code and a count per distinct
//! value, never per event: `FacetTally`) and adds its counts and new values when its
//! transaction commits, so the table always equals `GROUP BY` over the stored rows;
//! schema 9 filled it for cases imported before and schema 10 numbered their values.
//! A test compares the two for every facet.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::event::{FacetBy, FacetCount, NewEvent, facet_count};
use crate::Result;
use crate::case::UNKNOWN_TS;
use crate::verify::EventFields;

/// The columns coded through the dictionary, in the column index's order: every facet
/// but the day (kept from the time), then the actor's type (a filter, not a facet).
pub(crate) const CODED: [&str; 10] = [
    "actor",
    "action",
    "category",
    "target_type",
    "outcome",
    "channel",
    "ip",
    "batch",
    "rule",
    "actor_type",
];

/// A facet's place in `CODED`; `None` for the day.
pub(crate) fn coded_column(by: FacetBy) -> Option<usize> {
    CODED.iter().position(|name| *name == by.name())
}

/// One value's code, how many rows this import adds with it, and, for actors, the
/// greatest name seen (as `max(actor_name)`).
#[derive(Debug)]
struct Entry {
    code: u32,
    n: i64,
    label: Option<String>,
    /// Not in the table yet.
    new: bool,
}

/// One column's dictionary: its values, the row without a value, the next free code.
#[derive(Debug, Default)]
struct Dictionary {
    values: HashMap<String, Entry>,
    none: Option<Entry>,
    next_code: u32,
}

impl Dictionary {
    fn entry(&mut self, value: Option<&String>) -> &mut Entry {
        let next_code = &mut self.next_code;
        let mut fresh = || {
            let code = *next_code;
            *next_code += 1;
            Entry {
                code,
                n: 0,
                label: None,
                new: true,
            }
        };
        match value {
            None => self.none.get_or_insert_with(fresh),
            Some(value) => {
                // Looked up without allocating; a new value is cloned once.
                if !self.values.contains_key(value.as_str()) {
                    self.values.insert(value.clone(), fresh());
                }
                self.values.get_mut(value.as_str()).expect("just inserted")
            }
        }
    }
}

/// The codes of one row's coded columns, in `CODED` order.
pub(crate) type Codes = [u32; CODED.len()];

/// The dictionary of every coded column, and the counts of the rows an import adds, by
/// facet and value. A day is kept as its number since 1970 (of whole seconds, as
/// SQLite's `date(ts / 1000, 'unixepoch')` truncates) and written as a date by SQLite
/// itself, so both agree on every time.
#[derive(Debug, Default)]
pub(crate) struct FacetTally {
    columns: [Dictionary; CODED.len()],
    days: HashMap<Option<i64>, i64>,
}

impl FacetTally {
    /// The case's dictionary as stored, with nothing counted yet.
    pub(crate) fn load(connection: &Connection) -> Result<FacetTally> {
        let mut tally = FacetTally::default();
        let mut statement = connection
            .prepare("SELECT facet, value, code FROM facet_count WHERE code IS NOT NULL")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let facet: String = row.get(0)?;
            let Some(column) = CODED.iter().position(|name| *name == facet) else {
                continue;
            };
            let value: Option<String> = row.get(1)?;
            let code = row.get::<_, i64>(2)? as u32;
            let dictionary = &mut tally.columns[column];
            dictionary.next_code = dictionary.next_code.max(code + 1);
            let entry = Entry {
                code,
                n: 0,
                label: None,
                new: false,
            };
            match value {
                None => dictionary.none = Some(entry),
                Some(value) => {
                    dictionary.values.insert(value, entry);
                }
            }
        }
        Ok(tally)
    }

    /// Codes one row as stored, counting it unless it is a stub (no facet counts stubs).
    pub(crate) fn add(&mut self, event: &NewEvent<'_>) -> Codes {
        let codes = self.code(event.fields, !event.omitted);
        if !event.omitted {
            let day = (event.ts != UNKNOWN_TS).then(|| (event.ts / 1000).div_euclid(86_400));
            *self.days.entry(day).or_default() += 1;
        }
        codes
    }

    /// The codes of a row's columns, counted or not (a row already counted: the
    /// column index catching up on a case imported before it existed).
    pub(crate) fn code(&mut self, fields: &EventFields, count: bool) -> Codes {
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
            &fields.actor_type,
        ];
        let mut codes = [0; CODED.len()];
        for (i, value) in columns.into_iter().enumerate() {
            let entry = self.columns[i].entry(value.as_ref());
            codes[i] = entry.code;
            // The actor's type is a filter, not a facet: only its codes are kept.
            if count && CODED[i] != "actor_type" {
                entry.n += 1;
                // Actors (the first column) carry the greatest name seen, as max() would.
                if i == 0 && fields.actor_name > entry.label {
                    entry.label.clone_from(&fields.actor_name);
                }
            }
        }
        codes
    }

    /// Adds the counts and the new values to the table (inside the import's transaction).
    pub(crate) fn store(&self, connection: &Connection) -> Result<()> {
        for (name, dictionary) in CODED.iter().zip(&self.columns) {
            let values = dictionary.values.iter().map(|(v, e)| (Some(v.as_str()), e));
            for (value, entry) in values.chain(dictionary.none.iter().map(|e| (None, e))) {
                if entry.new {
                    connection
                        .prepare_cached(
                            "INSERT INTO facet_count (facet, value, label, n, code) VALUES (?1, ?2, ?3, ?4, ?5)",
                        )?
                        .execute(params![name, value, entry.label, entry.n, entry.code])?;
                } else if entry.n > 0 {
                    connection
                        .prepare_cached(
                            "UPDATE facet_count SET n = n + ?3, label = max(coalesce(label, ?4), coalesce(?4, label))
                              WHERE facet = ?1 AND value IS ?2",
                        )?
                        .execute(params![name, value, entry.n, entry.label])?;
                }
            }
        }
        let mut date = connection.prepare_cached("SELECT date(?1 * 86400, 'unixepoch')")?;
        for (day, n) in &self.days {
            let value: Option<String> = match day {
                Some(day) => date.query_row([day], |row| row.get(0))?,
                None => None,
            };
            let changed = connection
                .prepare_cached(
                    "UPDATE facet_count SET n = n + ?2 WHERE facet = 'day' AND value IS ?1",
                )?
                .execute(params![value, n])?;
            if changed == 0 {
                connection
                    .prepare_cached(
                        "INSERT INTO facet_count (facet, value, label, n) VALUES ('day', ?1, NULL, ?2)",
                    )?
                    .execute(params![value, n])?;
            }
        }
        Ok(())
    }
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

/// The codes of a coded column's values equal to `value`, or in `[low, high)` when a
/// range is given (an action prefix).
pub(crate) fn codes_of(
    connection: &Connection,
    column: usize,
    value: &str,
    below: Option<&str>,
) -> Result<Vec<u32>> {
    let codes = match below {
        None => connection
            .prepare_cached("SELECT code FROM facet_count WHERE facet = ?1 AND value = ?2")?
            .query_map(params![CODED[column], value], |row| row.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        Some(high) => connection
            .prepare_cached(
                "SELECT code FROM facet_count WHERE facet = ?1 AND value >= ?2 AND value < ?3",
            )?
            .query_map(params![CODED[column], value, high], |row| {
                row.get::<_, i64>(0)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    Ok(codes.into_iter().map(|code| code as u32).collect())
}

/// How many codes a coded column has given (its largest code plus one).
pub(crate) fn code_count(connection: &Connection, column: usize) -> Result<usize> {
    let max: Option<i64> = connection
        .prepare_cached("SELECT max(code) FROM facet_count WHERE facet = ?1")?
        .query_row([CODED[column]], |row| row.get(0))?;
    Ok(max.map_or(0, |max| max as usize + 1))
}

/// A coded value as stored: (code, value, label).
pub(crate) type DictionaryRow = (u32, Option<String>, Option<String>);

/// Every value of a coded column with its code and label.
pub(crate) fn dictionary(connection: &Connection, column: usize) -> Result<Vec<DictionaryRow>> {
    let rows = connection
        .prepare_cached(
            "SELECT code, value, label FROM facet_count WHERE facet = ?1 AND code IS NOT NULL",
        )?
        .query_map([CODED[column]], |row| {
            Ok((row.get::<_, i64>(0)? as u32, row.get(1)?, row.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The date SQLite writes for a day number since 1970 (as the day facet spells it).
pub(crate) fn day_names(connection: &Connection, days: &[i64]) -> Result<Vec<String>> {
    let mut date = connection.prepare_cached("SELECT date(?1 * 86400, 'unixepoch')")?;
    days.iter()
        .map(|day| Ok(date.query_row([day], |row| row.get(0))?))
        .collect()
}
