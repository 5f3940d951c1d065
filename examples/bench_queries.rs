//! Times the investigator's queries on a case, in this process (no CLI start-up, no
//! journal line): the first page, text search, facets, counts and activity, with and
//! without filters, each the best of three runs after a first (also reported). Used by
//! `scripts/bench.sh` (`BENCH_PARTS=scale`); prints one JSON object a line.
//!
//! cargo run --release --example bench_queries -- CASE

use std::time::Instant;

use trailscope::case::Case;
use trailscope::query::{
    EventFilter, FacetBy, Order, activity, count_events, facet_counts, list_events,
};

fn main() -> trailscope::Result<()> {
    let path = std::env::args_os()
        .nth(1)
        .expect("usage: bench_queries CASE");
    let path = std::path::PathBuf::from(path);

    // Opening the case and its first page, as the app does on open.
    let started = Instant::now();
    let case = Case::open_read_only(&path)?;
    let first = list_events(
        &case,
        &EventFilter::default(),
        Order::NewestFirst,
        200,
        None,
    )?;
    report(
        "open_first_page",
        started.elapsed().as_secs_f64(),
        first.rows.len() as u64,
        "",
    );

    // Values to filter by, from the case's own unfiltered facets.
    let top = |by: FacetBy, rank: usize| -> trailscope::Result<String> {
        let counts = facet_counts(&case, &EventFilter::default(), by)?;
        let pick = if rank == usize::MAX {
            counts.len() - 1
        } else {
            rank.min(counts.len() - 1)
        };
        Ok(counts[pick].value.clone().unwrap_or_default())
    };
    let actor = top(FacetBy::Actor, 0)?;
    let rare_ip = top(FacetBy::Ip, usize::MAX)?;
    let action = top(FacetBy::Action, 2)?;
    let some_id = first
        .rows
        .last()
        .and_then(|row| row.id.clone())
        .unwrap_or_default();
    let by_actor = EventFilter {
        actors: vec![actor.clone()],
        ..EventFilter::default()
    };
    let by_action = EventFilter {
        action: Some(action.clone()),
        ..EventFilter::default()
    };
    let by_ip = EventFilter {
        ip: Some(rare_ip.clone()),
        ..EventFilter::default()
    };
    let failures = EventFilter {
        outcome: Some("failure".into()),
        ..EventFilter::default()
    };
    let text = |t: &str| EventFilter {
        text: Some(t.to_owned()),
        ..EventFilter::default()
    };

    for (name, filter) in [
        ("page_actor", &by_actor),
        ("page_action", &by_action),
        ("page_rare_ip", &by_ip),
        ("page_failures", &failures),
    ] {
        time(name, &format!("{filter:?}"), || {
            Ok(list_events(&case, filter, Order::NewestFirst, 200, None)?
                .rows
                .len() as u64)
        })?;
    }
    for word in ["acme", "maria", "declined", &some_id] {
        let filter = text(word);
        time("text_first_page", word, || {
            Ok(list_events(&case, &filter, Order::NewestFirst, 200, None)?
                .rows
                .len() as u64)
        })?;
        time("text_count", word, || count_events(&case, &filter))?;
    }
    for by in [FacetBy::Actor, FacetBy::Action, FacetBy::Ip, FacetBy::Day] {
        time("facet_unfiltered", by.name(), || {
            Ok(facet_counts(&case, &EventFilter::default(), by)?.len() as u64)
        })?;
    }
    for (by, filter, what) in [
        (FacetBy::Action, &by_actor, "action | actor"),
        (FacetBy::Actor, &by_action, "actor | action"),
        (FacetBy::Day, &failures, "day | outcome=failure"),
        (FacetBy::Ip, &by_actor, "ip | actor"),
        (FacetBy::Actor, &text("maria"), "actor | text=maria"),
    ] {
        time("facet_filtered", what, || {
            Ok(facet_counts(&case, filter, by)?.len() as u64)
        })?;
    }
    for (what, filter) in [
        ("none", &EventFilter::default()),
        ("actor", &by_actor),
        ("action", &by_action),
        ("outcome=failure", &failures),
        ("rare ip", &by_ip),
    ] {
        time("count", what, || count_events(&case, filter))?;
    }
    time("activity", "actor", || {
        Ok(activity(&case, &by_actor, 120)?.counts.len() as u64)
    })?;
    Ok(())
}

/// Runs `query` four times; reports the first run and the best of the other three.
fn time(
    name: &str,
    what: &str,
    mut query: impl FnMut() -> trailscope::Result<u64>,
) -> trailscope::Result<()> {
    let started = Instant::now();
    let result = query()?;
    let first = started.elapsed().as_secs_f64();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        query()?;
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "{}",
        serde_json::json!({"query": name, "what": what, "first_ms": first * 1000.0, "ms": best * 1000.0, "result": result})
    );
    Ok(())
}

fn report(name: &str, seconds: f64, result: u64, what: &str) {
    println!(
        "{}",
        serde_json::json!({"query": name, "what": what, "first_ms": seconds * 1000.0, "ms": seconds * 1000.0, "result": result})
    );
}
