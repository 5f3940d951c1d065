//! The column index and the text index answer as SQL over every row would: counts,
//! facets, pages in both orders with cursors, and activity, for filters of every kind
//! the index takes, over a case of several chunks (65,536 rows each) filled by three
//! imports (the second and third continue a partial chunk), with stubs and a
//! quarantined line without a time.
//!
//! The truth is computed here, with SQL written in this file against the case file
//! and, for text, a scan of the rows' own bytes; never through the engine's queries.

use std::path::{Path, PathBuf};

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags, params_from_iter};
use trailscope::case::{Case, text_index};
use trailscope::produce::GenOptions;
use trailscope::query::{
    EventFilter, FacetBy, Order, activity, count_events, facet_counts, list_events,
};

use crate::support::*;

struct Built {
    _big: Fixture,
    _small: Fixture,
    _temp: tempfile::TempDir,
    case: PathBuf,
}

fn build() -> Built {
    let big = Fixture::generated_with(GenOptions {
        events: 140_000,
        chains: 3,
        seed: 5,
        stub_ratio: 0.02,
        ..GenOptions::default()
    });
    let small = Fixture::generated_with(GenOptions {
        events: 700,
        chains: 1,
        seed: 9,
        stub_ratio: 0.1,
        ..GenOptions::default()
    });
    let temp = tempfile::tempdir().unwrap();
    // A bare events file with a line that is not JSON: kept, quarantined, without a time.
    let quarantined = temp.path().join("odd.jsonl");
    let lines = small.lines();
    std::fs::write(
        &quarantined,
        format!("{}\nnot json at all, maria\n", lines[..3].join("\n")),
    )
    .unwrap();
    let case = temp.path().join("columns.case");
    import_into(&case, &big.dir);
    import_into(&case, &small.dir);
    import_into(&case, &quarantined);
    Built {
        _big: big,
        _small: small,
        _temp: temp,
        case,
    }
}

fn read_only(path: &Path) -> Connection {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

/// A filter and the same filter as SQL written here.
struct Case_ {
    filter: EventFilter,
    sql: String,
    values: Vec<SqlValue>,
}

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}

/// The most common value of a column among events.
fn most_common(connection: &Connection, column: &str) -> String {
    connection
        .query_row(
            &format!(
                "SELECT {column} FROM event WHERE omitted = 0 AND {column} IS NOT NULL
                 GROUP BY {column} ORDER BY count(*) DESC, {column} LIMIT 1"
            ),
            [],
            |row| row.get(0),
        )
        .unwrap()
}

fn least_common(connection: &Connection, column: &str) -> String {
    connection
        .query_row(
            &format!(
                "SELECT {column} FROM event WHERE omitted = 0 AND {column} IS NOT NULL
                 GROUP BY {column} ORDER BY count(*), {column} LIMIT 1"
            ),
            [],
            |row| row.get(0),
        )
        .unwrap()
}

fn filters(connection: &Connection) -> Vec<Case_> {
    let actor = most_common(connection, "actor_id");
    let rare_actor = least_common(connection, "actor_id");
    let action = most_common(connection, "action");
    let prefix = action.split('.').next().unwrap().to_owned();
    let ip = least_common(connection, "ip");
    let category: String = connection
        .query_row(
            "SELECT category FROM event WHERE action = ?1 AND category IS NOT NULL LIMIT 1",
            [&action],
            |row| row.get(0),
        )
        .unwrap();
    let outcome = least_common(connection, "outcome");
    let actor_type = most_common(connection, "actor_type");
    let (min, max): (i64, i64) = connection
        .query_row(
            "SELECT min(ts), max(ts) FROM event WHERE ts != -9223372036854775808",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    let (since, until) = (min + (max - min) / 3, min + (max - min) / 2);
    vec![
        Case_ {
            filter: EventFilter {
                actors: vec![actor.clone()],
                ..EventFilter::default()
            },
            sql: "actor_id = ?1".into(),
            values: vec![text(&actor)],
        },
        Case_ {
            filter: EventFilter {
                actors: vec![actor.clone(), rare_actor.clone()],
                since: Some(since),
                ..EventFilter::default()
            },
            sql: "actor_id IN (?1, ?2) AND ts >= ?3".into(),
            values: vec![text(&actor), text(&rare_actor), SqlValue::Integer(since)],
        },
        Case_ {
            filter: EventFilter {
                action: Some(action.clone()),
                ..EventFilter::default()
            },
            sql: "action = ?1".into(),
            values: vec![text(&action)],
        },
        Case_ {
            filter: EventFilter {
                action: Some(format!("{prefix}.*")),
                category: Some(category.clone()),
                ..EventFilter::default()
            },
            sql: "action >= ?1 AND action < ?2 AND category = ?3".into(),
            values: vec![
                text(&format!("{prefix}.")),
                text(&format!("{prefix}.\u{10FFFF}")),
                text(&category),
            ],
        },
        Case_ {
            filter: EventFilter {
                ip: Some(ip.clone()),
                ..EventFilter::default()
            },
            sql: "ip = ?1".into(),
            values: vec![text(&ip)],
        },
        Case_ {
            filter: EventFilter {
                outcome: Some(outcome.clone()),
                actor_types: vec![actor_type.clone()],
                until: Some(until),
                ..EventFilter::default()
            },
            sql: "outcome = ?1 AND actor_type = ?2 AND ts < ?3".into(),
            values: vec![text(&outcome), text(&actor_type), SqlValue::Integer(until)],
        },
        Case_ {
            filter: EventFilter {
                since: Some(since),
                until: Some(until),
                ..EventFilter::default()
            },
            sql: "ts >= ?1 AND ts < ?2".into(),
            values: vec![SqlValue::Integer(since), SqlValue::Integer(until)],
        },
        Case_ {
            filter: EventFilter {
                channel: Some("no such channel".into()),
                ..EventFilter::default()
            },
            sql: "channel = ?1".into(),
            values: vec![text("no such channel")],
        },
    ]
}

fn sql_count(connection: &Connection, case: &Case_) -> u64 {
    connection
        .query_row(
            &format!(
                "SELECT count(*) FROM event WHERE omitted = 0 AND {}",
                case.sql
            ),
            params_from_iter(&case.values),
            |row| row.get::<_, i64>(0),
        )
        .unwrap() as u64
}

fn sql_page(
    connection: &Connection,
    case: &Case_,
    order: &str,
    limit: usize,
    offset: usize,
) -> Vec<i64> {
    let mut statement = connection
        .prepare(&format!(
            "SELECT event_idx FROM event WHERE {} ORDER BY ts {order}, event_idx {order} LIMIT {limit} OFFSET {offset}",
            case.sql
        ))
        .unwrap();
    statement
        .query_map(params_from_iter(&case.values), |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn sql_facet(connection: &Connection, case: &Case_, by: FacetBy) -> Vec<(Option<String>, i64)> {
    let expression = facet_sql(by);
    let order = if by == FacetBy::Day {
        "v"
    } else {
        "count(*) DESC, v"
    };
    let mut statement = connection
        .prepare(&format!(
            "SELECT {expression} AS v, count(*) FROM event WHERE omitted = 0 AND {} GROUP BY v ORDER BY {order}",
            case.sql
        ))
        .unwrap();
    statement
        .query_map(params_from_iter(&case.values), |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Three pages through the engine, in `order`.
fn pages(case: &Case, filter: &EventFilter, order: Order) -> Vec<i64> {
    let mut idxs = Vec::new();
    let mut after = None;
    for _ in 0..3 {
        let page = list_events(case, filter, order, 150, after).unwrap();
        idxs.extend(page.rows.iter().map(|row| row.event_idx));
        after = page.next;
        if after.is_none() {
            break;
        }
    }
    idxs
}

#[test]
fn the_column_index_answers_as_sql_over_every_row() {
    let built = build();
    let case = Case::open_read_only(&built.case).unwrap();
    let connection = read_only(&built.case);
    let rows: i64 = connection
        .query_row("SELECT count(*) FROM event", [], |row| row.get(0))
        .unwrap();
    assert!(rows > 2 * 65_536, "the case spans three chunks: {rows}");
    let stubs: i64 = connection
        .query_row("SELECT count(*) FROM event WHERE omitted = 1", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert!(stubs > 0);

    for case_ in filters(&connection) {
        let filter = &case_.filter;
        let expected = sql_count(&connection, &case_);
        assert_eq!(count_events(&case, filter).unwrap(), expected, "{filter:?}");
        if case_.sql != "channel = ?1" {
            assert!(expected > 0, "{filter:?} matches something");
        }
        for by in FacetBy::ALL {
            let got: Vec<(Option<String>, i64)> = facet_counts(&case, filter, by)
                .unwrap()
                .into_iter()
                .map(|c| (c.value, c.count))
                .collect();
            assert_eq!(
                got,
                sql_facet(&connection, &case_, by),
                "{filter:?} by {by:?}"
            );
        }
        assert_eq!(
            pages(&case, filter, Order::NewestFirst),
            sql_page(&connection, &case_, "DESC", 450, 0),
            "{filter:?} newest first"
        );
        assert_eq!(
            pages(&case, filter, Order::OldestFirst),
            sql_page(&connection, &case_, "ASC", 450, 0),
            "{filter:?} oldest first"
        );
        let histogram = activity(&case, filter, 60).unwrap();
        assert_eq!(
            histogram.counts.iter().sum::<i64>() + histogram.untimed,
            expected as i64,
            "{filter:?} activity"
        );
    }

    // Unfiltered pages hold the stubs and the quarantined line, as SQL's do.
    let everything = Case_ {
        filter: EventFilter::default(),
        sql: "1".into(),
        values: vec![],
    };
    assert_eq!(
        pages(&case, &everything.filter, Order::OldestFirst),
        sql_page(&connection, &everything, "ASC", 450, 0)
    );
}

/// Rows whose own bytes hold `needle` (lower case), stubs aside: the text truth.
fn rows_holding(connection: &Connection, needle: &str) -> Vec<i64> {
    let mut statement = connection
        .prepare("SELECT event_idx FROM event WHERE omitted = 0 ORDER BY ts DESC, event_idx DESC")
        .unwrap();
    let rows: Vec<i64> = statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.into_iter()
        .filter(|idx| {
            String::from_utf8_lossy(&stored_record(connection, *idx))
                .to_lowercase()
                .contains(needle)
        })
        .collect()
}

#[test]
fn text_search_finds_the_same_events_before_and_after_the_text_index() {
    let built = build();
    let connection = read_only(&built.case);
    let truth = rows_holding(&connection, "maria");
    assert!(truth.len() > 300, "{} rows hold maria", truth.len());
    let filter = EventFilter {
        text: Some("Maria".into()),
        ..EventFilter::default()
    };
    let newest = |case: &Case| {
        let mut idxs = Vec::new();
        let mut after = None;
        loop {
            let page = list_events(case, &filter, Order::NewestFirst, 200, after).unwrap();
            idxs.extend(page.rows.iter().map(|row| row.event_idx));
            match page.next {
                Some(next) => after = Some(next),
                None => break idxs,
            }
        }
    };
    {
        let case = Case::open_read_only(&built.case).unwrap();
        assert!(!text_index::state(&case).unwrap().complete());
        assert_eq!(newest(&case), truth, "the scan, before the index");
        assert_eq!(count_events(&case, &filter).unwrap(), truth.len() as u64);
    }
    let mut case = Case::open(&built.case).unwrap();
    let mut steps = 0;
    let state = text_index::build(&mut case, &mut |_| {
        steps += 1;
        std::ops::ControlFlow::Continue(())
    })
    .unwrap();
    assert!(state.complete() && steps >= 3, "built in {steps} steps");
    let case = Case::open_read_only(&built.case).unwrap();
    assert_eq!(newest(&case), truth, "the index");
    assert_eq!(count_events(&case, &filter).unwrap(), truth.len() as u64);
    // With another filter, through the column index's chunks.
    let actor: String = connection
        .query_row(
            "SELECT actor_id FROM event WHERE actor_name LIKE '%maria%'
             GROUP BY actor_id ORDER BY count(*) DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .unwrap();
    let both = EventFilter {
        actors: vec![actor.clone()],
        ..filter.clone()
    };
    let with_actor: Vec<i64> = {
        let mut statement = connection
            .prepare("SELECT event_idx FROM event WHERE actor_id = ?1")
            .unwrap();
        let of_actor: std::collections::HashSet<i64> = statement
            .query_map([&actor], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        truth
            .iter()
            .copied()
            .filter(|idx| of_actor.contains(idx))
            .collect()
    };
    assert!(!with_actor.is_empty());
    assert_eq!(count_events(&case, &both).unwrap(), with_actor.len() as u64);
    let page = list_events(&case, &both, Order::NewestFirst, 50, None).unwrap();
    let shown: Vec<i64> = page.rows.iter().map(|row| row.event_idx).collect();
    assert_eq!(shown, with_actor[..with_actor.len().min(50)]);
    // Words match whole; with a star, as a prefix; a piece inside a word never.
    let whole = EventFilter {
        text: Some("mari".into()),
        ..EventFilter::default()
    };
    assert_eq!(count_events(&case, &whole).unwrap(), 0);
    let prefix = EventFilter {
        text: Some("mari*".into()),
        ..EventFilter::default()
    };
    assert!(count_events(&case, &prefix).unwrap() >= truth.len() as u64);
    let inside = EventFilter {
        text: Some("aria".into()),
        ..EventFilter::default()
    };
    assert_eq!(count_events(&case, &inside).unwrap(), 0);
}

#[test]
fn a_text_index_build_killed_midway_keeps_its_whole_steps_and_finishes_later() {
    let f = Fixture::generated(160_000, 2);
    let case_path = f.temp.path().join("killed-index.case");
    let mut import = quiet_import_command(&case_path, &f.dir);
    assert_eq!(
        import.arg("--no-text-index").status().unwrap().code(),
        Some(0)
    );
    let through = |connection: &Connection| -> i64 {
        connection
            .query_row(
                "SELECT coalesce((SELECT through_event_idx FROM derived_index WHERE name = 'text'), 0)",
                [],
                |row| row.get(0),
            )
            .unwrap()
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .env("TRAILSCOPE_HOME", reviewer_home())
        .args(["index", "--case", case_path.to_str().unwrap()])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed once its first step is committed, while later ones are under way.
    let started = std::time::Instant::now();
    loop {
        let done = Connection::open_with_flags(&case_path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map(|c| through(&c))
            .unwrap_or(0);
        if done > 0 || started.elapsed().as_secs() > 60 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let connection = Connection::open(&case_path).unwrap();
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let done = through(&connection);
    assert!(done > 0 && done < 160_000, "a part was built: {done}");
    assert_eq!(done % 50_000, 0, "whole steps only: {done}");
    drop(connection);

    // Until it is complete, search scans; then the index answers the same.
    let filter = EventFilter {
        text: Some("maria".into()),
        ..EventFilter::default()
    };
    let truth = rows_holding(&read_only(&case_path), "maria").len() as u64;
    assert!(truth > 0);
    let case = Case::open_read_only(&case_path).unwrap();
    assert!(!text_index::state(&case).unwrap().complete());
    assert_eq!(count_events(&case, &filter).unwrap(), truth);
    drop(case);
    let output = run_trailscope(&["index", "--case", case_path.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let case = Case::open_read_only(&case_path).unwrap();
    assert!(text_index::state(&case).unwrap().complete());
    assert_eq!(count_events(&case, &filter).unwrap(), truth);
}
