//! SQLite's own share of an import, apart from Trailscope's: copies the event rows of
//! an imported case into a new database, in one statement (`INSERT … SELECT`, so no
//! row is parsed, checked, compressed or bound by us), then builds the indexes an
//! import builds after its rows. Same SQLite (the engine's bundled one), page size,
//! page cache and sorter threads as a case. With `trailscope verify` of the same bundle
//! (verification alone), it gives the floor an import cannot go below while it stores
//! rows in SQLite and builds those indexes (`scripts/bench-scale.sh`). Prints one JSON
//! object.
//!
//! cargo run --release --example bench_floor -- CASE SCRATCH_DB

use std::time::Instant;

use rusqlite::{Connection, OpenFlags};

fn main() -> rusqlite::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let (Some(held), Some(scratch)) = (args.next(), args.next()) else {
        panic!("usage: bench_floor CASE SCRATCH_DB");
    };
    let held_case = Connection::open_with_flags(&held, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    // The rows' bundles too: a case checks each row's reference to its bundle.
    let table = |name: &str| -> rusqlite::Result<String> {
        held_case.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [name],
            |row| row.get(0),
        )
    };
    let tables = [table("bundle")?, table("event")?];
    // The import keeps the partial indexes live and builds the others after the rows
    // (`table::event::defer_indexes`, which tells them apart by the same flag): here too.
    let mut statement = held_case.prepare(
        "SELECT m.sql, i.partial FROM sqlite_master m JOIN pragma_index_list('event') i ON i.name = m.name
          WHERE m.type = 'index' AND m.sql IS NOT NULL ORDER BY m.name",
    )?;
    let indexes: Vec<(String, bool)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    drop(statement);
    drop(held_case);

    let _ = std::fs::remove_file(&scratch);
    let connection = Connection::open(&scratch)?;
    // As `case::configure` and a new case set them.
    connection.pragma_update(None, "page_size", 16_384)?;
    connection.pragma_update(None, "cache_size", -16_384)?;
    connection.pragma_update(None, "threads", 2)?;
    connection.pragma_update(None, "foreign_keys", true)?;
    for sql in &tables {
        connection.execute_batch(sql)?;
    }
    for (sql, _) in indexes.iter().filter(|(_, partial)| *partial) {
        connection.execute_batch(sql)?;
    }
    connection.execute(
        "ATTACH DATABASE ?1 AS held",
        [format!("file:{}?mode=ro", held.to_string_lossy())],
    )?;

    connection.execute_batch("INSERT INTO main.bundle SELECT * FROM held.bundle")?;
    let started = Instant::now();
    connection
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO main.event SELECT * FROM held.event;")?;
    let rows_s = started.elapsed().as_secs_f64();
    let built = Instant::now();
    let deferred: Vec<&str> = indexes
        .iter()
        .filter(|(_, partial)| !partial)
        .map(|(sql, _)| sql.as_str())
        .collect();
    for sql in &deferred {
        connection.execute_batch(sql)?;
    }
    connection.execute_batch("COMMIT")?;
    let indexes_s = built.elapsed().as_secs_f64();
    let rows: i64 =
        connection.query_row("SELECT count(*) FROM main.event", [], |row| row.get(0))?;
    drop(connection);
    let _ = std::fs::remove_file(&scratch);
    println!(
        "{{\"rows\": {rows}, \"rows_s\": {rows_s:.3}, \"indexes\": {}, \"indexes_s\": {indexes_s:.3}, \"sqlite\": \"{}\"}}",
        deferred.len(),
        rusqlite::version()
    );
    Ok(())
}
