//! SQL of the `masked_field` table: the field names masked on display and in exports.

use std::collections::BTreeSet;

use rusqlite::Connection;

use crate::Result;

/// Every masked field name, in order.
pub(crate) fn names(connection: &Connection) -> Result<BTreeSet<String>> {
    let mut statement = connection.prepare_cached("SELECT name FROM masked_field ORDER BY name")?;
    let names = statement
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

/// Adds the names in `add` (those already masked stay) and removes those in `remove`,
/// in that order; the caller holds the transaction.
pub(crate) fn set(connection: &Connection, add: &[String], remove: &[String]) -> Result<()> {
    for name in add {
        connection.execute(
            "INSERT OR IGNORE INTO masked_field (name) VALUES (?1)",
            [name],
        )?;
    }
    for name in remove {
        connection.execute("DELETE FROM masked_field WHERE name = ?1", [name])?;
    }
    Ok(())
}
