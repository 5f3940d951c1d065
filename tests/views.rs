//! The engine behind the investigation views: activity over time with its spikes, the
//! common questions, one event's detail with its own re-verification, re-checking a
//! case's trust under new keys and checkpoints (retrust), exports written to a file,
//! and the migration of a version 1 case.
//!
//! As in `investigate.rs`, every expected answer is computed here from the bundle's own
//! events file with serde_json (times bucketed by the test, selections and counts made
//! by the test), never through the engine function under test.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use trailscope::case::{Case, Retrust, case_status, import_bundle, retrust, stored_findings};
use trailscope::export::{ExportFormat, export_to_file};
use trailscope::query::{
    Activity, CheckStatus, EventDetail, EventFilter, EventSource, FacetBy, Needs, Order, activity,
    event_detail, facet_counts, for_each_event, question, questions_for,
};
use trailscope::{DimensionStatus, FindingKind, SignatureStatus, Verdict, VerifyOptions};

use crate::investigate::{Investigation, Truth, cli_export, most_frequent};
use crate::support::*;

const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn date_of(ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .date_naive()
}

/// Row numbers of a case by line number (one events file).
fn rows_by_line(case: &Case) -> HashMap<i64, i64> {
    let mut rows = HashMap::new();
    for_each_event(case, &EventFilter::default(), |row| {
        rows.insert(row.line, row.event_idx);
        Ok(())
    })
    .unwrap();
    rows
}

// Activity over time.

/// Lines of a generated day this test spreads over the calendar.
const LINES_PER_DAY: usize = 150;
/// The day (counted from the first) that gets a burst of denials, and its size.
const BURST_DAY: usize = 9;
const BURST: usize = 40;

/// The generated events (all on one day) spread over 20 days: line i moves i / 150 days
/// later, so each chain's times still only go forward.
fn spread_over_days(lines: &mut [String]) {
    for (i, line) in lines.iter_mut().enumerate() {
        *line = edit(line, |e| {
            let ts = millis(e["ts"].as_str().unwrap()) + (i / LINES_PER_DAY) as i64 * DAY_MS;
            e["ts"] = json!(rfc3339(ts));
        });
    }
}

/// `spread_over_days`, and on day `BURST_DAY` `BURST` successful events that change no
/// record (no `before` / `after`, so no state is affected) turned into denials.
fn spread_with_a_burst_of_denials(lines: &mut [String]) {
    spread_over_days(lines);
    let mut turned = 0;
    for line in &mut lines[BURST_DAY * LINES_PER_DAY..(BURST_DAY + 1) * LINES_PER_DAY] {
        let event: Value = serde_json::from_str(line).unwrap();
        if turned < BURST
            && event["outcome"] == "success"
            && event.get("before").is_none()
            && event.get("after").is_none()
        {
            *line = edit(line, |e| e["outcome"] = json!("denied"));
            turned += 1;
        }
    }
    assert_eq!(turned, BURST);
}

/// Counts of the lines `keep` accepts per `period_ms`, keyed by period number since the
/// epoch (UTC), every period from the first to the last with events listed.
fn own_buckets(
    truth: &[Truth],
    period_ms: i64,
    keep: impl Fn(&Truth) -> bool,
) -> BTreeMap<i64, i64> {
    let mut counts: BTreeMap<i64, i64> = BTreeMap::new();
    for t in truth.iter().filter(|t| keep(t)) {
        *counts.entry(t.ts.div_euclid(period_ms)).or_default() += 1;
    }
    if let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().last()) {
        for period in first..=last {
            counts.entry(period).or_default();
        }
    }
    counts
}

/// What the engine shows, keyed the same way.
fn shown_buckets(found: &Activity) -> BTreeMap<i64, i64> {
    assert_eq!(found.start.rem_euclid(found.period_ms), 0, "aligned start");
    let first = found.start.div_euclid(found.period_ms);
    found
        .counts
        .iter()
        .enumerate()
        .map(|(i, &n)| (first + i as i64, n))
        .collect()
}

#[test]
fn activity_per_day_and_per_week_equals_the_files_own_times() {
    let inv = Investigation::with(|lines| spread_over_days(lines));
    let case = inv.open();
    let busiest_actor = most_frequent(&inv.truth, |t| t.get("actor", "id").map(str::to_owned));
    let days: BTreeSet<NaiveDate> = inv.truth.iter().map(|t| date_of(t.ts)).collect();
    assert_eq!(days.len(), 20, "the fixture spans 20 days");

    type Keep<'a> = Box<dyn Fn(&Truth) -> bool + 'a>;
    let cases: Vec<(&str, EventFilter, Keep)> = vec![
        (
            "one actor",
            EventFilter {
                actors: vec![busiest_actor.clone()],
                ..EventFilter::default()
            },
            Box::new(|t| t.get("actor", "id") == Some(busiest_actor.as_str())),
        ),
        (
            "denied",
            EventFilter {
                outcome: Some("denied".into()),
                ..EventFilter::default()
            },
            Box::new(|t| t.str("outcome") == Some("denied")),
        ),
        (
            "one actor, denied",
            EventFilter {
                actors: vec![busiest_actor.clone()],
                outcome: Some("denied".into()),
                ..EventFilter::default()
            },
            Box::new(|t| {
                t.get("actor", "id") == Some(busiest_actor.as_str())
                    && t.str("outcome") == Some("denied")
            }),
        ),
        ("everything", EventFilter::default(), Box::new(|_| true)),
    ];
    for (what, filter, keep) in cases {
        let n_kept = inv.truth.iter().filter(|t| keep(t)).count() as i64;
        assert!(n_kept > 0, "{what} matches nothing to count");

        // 20 days fit in 60 bars of a day but not in 60 bars of six hours.
        let per_day = activity(&case, &filter, 60).unwrap();
        assert_eq!(
            (per_day.period_name, per_day.period_ms),
            ("day", DAY_MS),
            "{what}"
        );
        assert_eq!(
            shown_buckets(&per_day),
            own_buckets(&inv.truth, DAY_MS, &keep),
            "{what} per day"
        );
        assert_eq!(per_day.untimed, 0, "{what}");
        assert_eq!(per_day.counts.iter().sum::<i64>(), n_kept, "{what}");

        // In 5 bars: weeks (aligned, as the days are, to the epoch).
        let per_week = activity(&case, &filter, 5).unwrap();
        assert_eq!(
            (per_week.period_name, per_week.period_ms),
            ("week", WEEK_MS),
            "{what}"
        );
        assert_eq!(
            shown_buckets(&per_week),
            own_buckets(&inv.truth, WEEK_MS, &keep),
            "{what} per week"
        );
    }

    // Whatever the limit, the bars fit in it, hold every event, and are the shortest of
    // the documented periods that fit.
    const HOUR_MS: i64 = 3_600_000;
    let documented = [
        ("hour", HOUR_MS),
        ("6 hours", 6 * HOUR_MS),
        ("day", DAY_MS),
        ("week", WEEK_MS),
        ("30 days", 30 * DAY_MS),
        ("365 days", 365 * DAY_MS),
    ];
    let bars_of = |period_ms: i64| own_buckets(&inv.truth, period_ms, |_| true).len();
    for max_periods in [1, 3, 5, 21, 60, 100, 500] {
        let found = activity(&case, &EventFilter::default(), max_periods).unwrap();
        assert!(
            !found.counts.is_empty() && found.counts.len() <= max_periods,
            "{} bars for at most {max_periods}",
            found.counts.len()
        );
        assert_eq!(
            found.counts.iter().sum::<i64>(),
            inv.truth.len() as i64,
            "{max_periods}"
        );
        let shortest = documented
            .iter()
            .find(|(_, ms)| bars_of(*ms) <= max_periods)
            .unwrap();
        assert_eq!(
            (found.period_name, found.period_ms),
            *shortest,
            "at most {max_periods} bars"
        );
        assert_eq!(
            shown_buckets(&found),
            own_buckets(&inv.truth, found.period_ms, |_| true)
        );
    }

    // A filter nothing matches: no bars, no spikes, nothing untimed.
    let nothing = activity(
        &case,
        &EventFilter {
            actors: vec!["nobody-at-all".into()],
            ..EventFilter::default()
        },
        60,
    )
    .unwrap();
    assert!(nothing.counts.is_empty());
    assert!(nothing.spikes.is_empty());
    assert_eq!(nothing.untimed, 0);
}

#[test]
fn a_burst_of_denials_on_one_day_is_a_spike_and_quiet_days_are_not() {
    let inv = Investigation::with(|lines| spread_with_a_burst_of_denials(lines));
    let case = inv.open();
    let denied = |t: &Truth| t.str("outcome") == Some("denied");
    let found = activity(
        &case,
        &EventFilter {
            outcome: Some("denied".into()),
            ..EventFilter::default()
        },
        60,
    )
    .unwrap();
    let expected = own_buckets(&inv.truth, DAY_MS, denied);
    assert_eq!(shown_buckets(&found), expected);

    let burst_day = date_of(inv.truth[BURST_DAY * LINES_PER_DAY].ts);
    let first_day = date_of(found.start);
    let burst_index = (burst_day - first_day).num_days() as usize;
    assert!(found.counts[burst_index] >= BURST as i64);
    let mut busy: Vec<i64> = expected.values().copied().filter(|&n| n > 0).collect();
    busy.sort();
    let median = busy[busy.len() / 2];
    assert!(busy.len() > 10 && median > 0);

    assert!(
        found.spikes.contains(&burst_index),
        "day {burst_day} ({} denials, median {median}) is not a spike: {:?}",
        found.counts[burst_index],
        found.spikes
    );
    for (index, &count) in found.counts.iter().enumerate() {
        if count <= 2 * median {
            assert!(
                !found.spikes.contains(&index),
                "a quiet day ({count} denials, median {median}) is a spike"
            );
        }
    }
    assert_eq!(found.spikes, vec![burst_index]);

    // Every day holds the same number of events: no spike at all.
    let everything = activity(&case, &EventFilter::default(), 60).unwrap();
    assert!(everything.counts.iter().all(|&n| n == LINES_PER_DAY as i64));
    assert_eq!(everything.spikes, Vec::<usize>::new());
}

#[test]
fn events_without_a_readable_time_are_counted_apart() {
    let f = Fixture::generated(200, 1);
    let mut lines = f.lines();
    for i in [19, 59, 120] {
        lines[i] = edit(&lines[i], |e| e["ts"] = json!("yesterday at noon"));
    }
    f.write_lines(&relink(&lines));
    f.reseal(Some(&test_key()));
    let case_path = f.temp.path().join("untimed.case");
    import_into(&case_path, &f.dir);
    let case = Case::open_read_only(&case_path).unwrap();

    let events: Vec<Value> = f
        .lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let readable =
        |e: &Value| chrono::DateTime::parse_from_rfc3339(e["ts"].as_str().unwrap()).is_ok();
    let actor = events[59]["actor"]["id"].as_str().unwrap().to_owned();
    for (what, filter, keep) in [
        (
            "everything",
            EventFilter::default(),
            Box::new(|_: &Value| true) as Box<dyn Fn(&Value) -> bool>,
        ),
        (
            "one actor",
            EventFilter {
                actors: vec![actor.clone()],
                ..EventFilter::default()
            },
            Box::new(|e: &Value| e["actor"]["id"] == actor.as_str()),
        ),
    ] {
        let kept: Vec<&Value> = events.iter().filter(|e| keep(e)).collect();
        let untimed = kept.iter().filter(|e| !readable(e)).count() as i64;
        assert!(untimed > 0, "{what}");
        let found = activity(&case, &filter, 100).unwrap();
        assert_eq!(found.untimed, untimed, "{what}");
        assert_eq!(
            found.counts.iter().sum::<i64>(),
            kept.len() as i64 - untimed,
            "{what}: the untimed events are in no bar"
        );
    }

    // Only untimed events match: no bars, all of them untimed.
    let found = activity(
        &case,
        &EventFilter {
            text: Some("yesterday at noon".into()),
            ..EventFilter::default()
        },
        100,
    )
    .unwrap();
    assert!(found.counts.is_empty());
    assert_eq!(found.untimed, 3);
}

// The common questions.

/// `source.<field>` of an event, as text.
fn source_field(t: &Truth, field: &str) -> Option<String> {
    t.get("source", field).map(str::to_owned)
}

fn rule_id(t: &Truth) -> Option<String> {
    t.event
        .get("source")?
        .get("rule")?
        .get("id")?
        .as_str()
        .map(str::to_owned)
}

fn actor_id(t: &Truth) -> Option<String> {
    t.get("actor", "id").map(str::to_owned)
}

/// Counts of `key` over the lines `keep` accepts.
fn own_counts(
    truth: &[Truth],
    keep: impl Fn(&Truth) -> bool,
    key: impl Fn(&Truth) -> Option<String>,
) -> BTreeMap<Option<String>, i64> {
    let mut counts = BTreeMap::new();
    for t in truth.iter().filter(|t| keep(t)) {
        *counts.entry(key(t)).or_default() += 1;
    }
    counts
}

/// The engine's facet counts as a map, checking that they come largest first.
fn facet_map(case: &Case, filter: &EventFilter, by: FacetBy) -> BTreeMap<Option<String>, i64> {
    let counts = facet_counts(case, filter, by).unwrap();
    assert!(
        counts.windows(2).all(|w| w[0].count >= w[1].count),
        "{by:?}: largest first"
    );
    let map: BTreeMap<Option<String>, i64> =
        counts.iter().map(|c| (c.value.clone(), c.count)).collect();
    assert_eq!(map.len(), counts.len(), "{by:?}: a value counted twice");
    map
}

type Keep = fn(&Truth) -> bool;
type Key = fn(&Truth) -> Option<String>;

#[test]
fn each_question_that_needs_nothing_answers_what_the_file_says() {
    let inv = Investigation::new();
    let case = inv.open();
    // The test's own reading of each question: which events, counted by what.
    let own: Vec<(&str, Keep, FacetBy, Key)> = vec![
        (
            "failed-logins",
            |t| t.str("action") == Some("user.login_failed"),
            FacetBy::Ip,
            |t| source_field(t, "ip"),
        ),
        (
            "export-trail",
            |t| t.str("action").unwrap().starts_with("export."),
            FacetBy::Actor,
            actor_id,
        ),
        (
            "permission-denials",
            |t| t.str("outcome") == Some("denied"),
            FacetBy::Actor,
            actor_id,
        ),
        (
            "automation-by-rule",
            |t| t.get("actor", "type") == Some("automation"),
            FacetBy::Rule,
            rule_id,
        ),
        (
            "role-and-permission-changes",
            |t| t.str("category") == Some("permission"),
            FacetBy::Actor,
            actor_id,
        ),
    ];
    let answerable: BTreeSet<&str> = questions_for(&case)
        .unwrap()
        .iter()
        .filter(|q| q.needs == Needs::Nothing)
        .map(|q| q.id)
        .collect();
    assert_eq!(
        answerable,
        own.iter().map(|(id, ..)| *id).collect(),
        "a question this test does not read"
    );

    for (id, keep, by, key) in own {
        let q = question(id).unwrap();
        assert_eq!(q.id, id);
        assert_eq!(q.needs, Needs::Nothing);
        assert_eq!(q.breakdown, Some(by), "{id}");

        let expected = inv.expected(keep);
        assert!(
            !expected.is_empty(),
            "{id}: no answer on the generated data"
        );
        assert!(expected.len() < inv.truth.len(), "{id} matches everything");
        assert_eq!(
            inv.pages(&q.filter, Order::NewestFirst, 17),
            expected,
            "{id}"
        );

        let counts = own_counts(&inv.truth, keep, key);
        assert!(
            counts.keys().any(Option::is_some),
            "{id}: nothing to break down by"
        );
        assert_eq!(facet_map(&case, &q.filter, by), counts, "{id} by {by:?}");
    }

    // The questions that need an actor or a record are listed too, and unknown ids fail.
    for (id, needs) in [
        ("recent-actions-by-person", Needs::Actor),
        ("changes-to-record", Needs::Record),
    ] {
        assert_eq!(question(id).unwrap().needs, needs);
    }
    let error = question("who-ate-the-cookies").unwrap_err().to_string();
    assert!(error.contains("failed-logins"), "{error}");
}

#[test]
fn actor_types_ip_batch_and_rule_select_and_count_what_the_file_says() {
    let inv = Investigation::new();
    let case = inv.open();
    let truth = &inv.truth;

    // Actor types: one, and several.
    for types in [vec!["automation"], vec!["import", "webhook"]] {
        let filter = EventFilter {
            actor_types: types.iter().map(|t| t.to_string()).collect(),
            ..EventFilter::default()
        };
        let expected = inv.expected(|t| types.contains(&t.get("actor", "type").unwrap()));
        assert!(expected.len() > 10, "{types:?}");
        assert_eq!(
            inv.pages(&filter, Order::NewestFirst, 40),
            expected,
            "{types:?}"
        );
    }

    // The new facets over everything, and each as a filter on its most frequent value.
    let batch = |t: &Truth| source_field(t, "batch_id");
    let ip = |t: &Truth| source_field(t, "ip");
    type Field<'a> = &'a dyn Fn(&Truth) -> Option<String>;
    let facets: [(FacetBy, Field); 3] = [
        (FacetBy::Ip, &ip),
        (FacetBy::Batch, &batch),
        (FacetBy::Rule, &rule_id),
    ];
    for (by, key) in facets {
        let expected = own_counts(truth, |_| true, key);
        assert!(
            expected.keys().filter(|k| k.is_some()).count() > 2,
            "{by:?}: too few values to test"
        );
        assert_eq!(
            facet_map(&case, &EventFilter::default(), by),
            expected,
            "{by:?}"
        );
        assert_eq!(FacetBy::parse(by.name()).unwrap(), by);

        let value = most_frequent(truth, key);
        let mut filter = EventFilter::default();
        match by {
            FacetBy::Ip => filter.ip = Some(value.clone()),
            FacetBy::Batch => filter.batch = Some(value.clone()),
            _ => filter.rule = Some(value.clone()),
        }
        let expected = inv.expected(|t| key(t).as_deref() == Some(value.as_str()));
        assert!(expected.len() > 1, "{by:?} = {value}");
        assert_eq!(
            inv.pages(&filter, Order::NewestFirst, 40),
            expected,
            "{by:?} = {value}"
        );
    }
}

// One event's detail.

/// Where an event says it came from, as this test reads spec §2.1: rule as "name (or
/// id) (version N)", on behalf of a name (or id).
fn own_source(event: &Value) -> EventSource {
    let text = |v: Option<&Value>| match v? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    let source = event.get("source");
    let field = |name: &str| text(source.and_then(|s| s.get(name)));
    let rule = source.and_then(|s| s.get("rule")).map(|rule| {
        let name = text(rule.get("name"))
            .or_else(|| text(rule.get("id")))
            .unwrap();
        match text(rule.get("version")) {
            Some(version) => format!("{name} (version {version})"),
            None => name,
        }
    });
    let on_behalf_of = event.get("on_behalf_of").map(|who| {
        text(who.get("name"))
            .or_else(|| text(who.get("id")))
            .unwrap()
    });
    EventSource {
        ip: field("ip"),
        user_agent: field("user_agent"),
        channel: field("channel"),
        request_id: field("request_id"),
        batch_id: field("batch_id"),
        client_id: field("client_id"),
        rule,
        on_behalf_of,
        reason: text(event.get("reason")),
    }
}

fn detail_at(case: &Case, rows: &HashMap<i64, i64>, line: usize) -> EventDetail {
    event_detail(case, rows[&(line as i64)])
        .unwrap()
        .expect("the row exists")
}

fn finding_kinds(detail: &EventDetail) -> Vec<&str> {
    detail.findings.iter().map(|f| f.kind.as_str()).collect()
}

#[test]
fn an_untampered_event_shows_its_source_and_proves_its_hash_and_link() {
    let inv = Investigation::new();
    let case = inv.open();
    let rows = rows_by_line(&case);
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut firsts = 0;
    for t in &inv.truth {
        let detail = detail_at(&case, &rows, t.line);
        assert_eq!(detail.row.raw, t.raw.as_bytes(), "line {}", t.line);
        assert_eq!(detail.row.id.as_deref(), Some(t.id()));
        let source = own_source(&t.event);
        assert_eq!(detail.source, source, "line {}", t.line);
        for (name, present) in [
            ("ip", source.ip.is_some()),
            ("user_agent", source.user_agent.is_some()),
            ("channel", source.channel.is_some()),
            ("batch_id", source.batch_id.is_some()),
            ("client_id", source.client_id.is_some()),
            (
                "rule with a version",
                source
                    .rule
                    .as_ref()
                    .is_some_and(|r| r.contains("(version ")),
            ),
            ("on_behalf_of", source.on_behalf_of.is_some()),
            ("reason", source.reason.is_some()),
        ] {
            *seen.entry(name).or_default() += usize::from(present);
        }
        assert_eq!(
            detail.own_hash.status,
            CheckStatus::Proven,
            "line {}: {}",
            t.line,
            detail.own_hash.detail
        );
        assert_eq!(
            detail.link.status,
            CheckStatus::Proven,
            "line {}: {}",
            t.line,
            detail.link.detail
        );
        assert_eq!(detail.findings, vec![], "line {}", t.line);
        if t.event["seq"] == 1 {
            firsts += 1;
            assert_eq!(t.str("prev_hash"), Some("0".repeat(64).as_str()));
            assert!(
                detail.link.detail.contains("start"),
                "{}",
                detail.link.detail
            );
        }
    }
    assert_eq!(firsts, 2, "one first event per chain");
    for (name, n) in &seen {
        assert!(*n > 0, "no event on the generated data has {name}");
    }
    assert_eq!(seen.len(), 8);
    assert_eq!(event_detail(&case, -1).unwrap(), None);
}

#[test]
fn a_tampered_event_s_detail_says_which_check_failed() {
    // Version 1's findings (format_v2 checks a version 2 event's detail).
    let f = Fixture::generated_v1(200, 1);
    let mut lines = f.lines();
    // seq 50: content changed, hash left as it was.
    lines[49] = edit(&lines[49], |e| e["target"]["name"] = json!("Someone else"));
    // seq 100: content changed and re-hashed, the next event not re-linked.
    lines[99] = edit(&lines[99], |e| {
        e["target"]["name"] = json!("Someone else");
        trailscope::produce::rehash_event(e);
    });
    // seq 1: re-hashed onto a start other than the genesis.
    lines[0] = edit(&lines[0], |e| {
        e["prev_hash"] = json!("ab".repeat(32));
        trailscope::produce::rehash_event(e);
    });
    // A line that is not JSON at all, after seq 150 (file line 151).
    lines.insert(150, "this line is not JSON".to_owned());
    f.write_lines(&lines);
    let case_path = f.temp.path().join("tampered.case");
    import_into(&case_path, &f.dir);
    let case = Case::open_read_only(&case_path).unwrap();
    let rows = rows_by_line(&case);

    let edited = detail_at(&case, &rows, 50);
    assert_eq!(edited.own_hash.status, CheckStatus::Failed);
    assert!(
        edited.own_hash.detail.contains("changed"),
        "{}",
        edited.own_hash.detail
    );
    assert_eq!(edited.link.status, CheckStatus::Proven);
    assert!(
        finding_kinds(&edited).contains(&"hash_mismatch"),
        "{:?}",
        edited.findings
    );
    // Its successor still links to the hash it declares.
    let after_edited = detail_at(&case, &rows, 51);
    assert_eq!(after_edited.link.status, CheckStatus::Proven);
    assert_eq!(after_edited.findings, vec![]);

    let rehashed = detail_at(&case, &rows, 100);
    assert_eq!(rehashed.own_hash.status, CheckStatus::Proven);
    assert_eq!(rehashed.link.status, CheckStatus::Proven);
    let next = detail_at(&case, &rows, 101);
    assert_eq!(next.own_hash.status, CheckStatus::Proven);
    assert_eq!(
        next.link.status,
        CheckStatus::Failed,
        "{}",
        next.link.detail
    );
    assert!(
        next.link.detail.contains("event 100"),
        "{}",
        next.link.detail
    );
    assert!(
        finding_kinds(&next).contains(&"broken_link"),
        "{:?}",
        next.findings
    );

    let first = detail_at(&case, &rows, 1);
    assert_eq!(first.own_hash.status, CheckStatus::Proven);
    assert_eq!(
        first.link.status,
        CheckStatus::Failed,
        "{}",
        first.link.detail
    );
    assert!(!first.findings.is_empty());

    let garbage = detail_at(&case, &rows, 151);
    assert_eq!(garbage.own_hash.status, CheckStatus::Unknown);
    assert_eq!(garbage.link.status, CheckStatus::Unknown);
    assert_eq!(garbage.source, EventSource::default());
    assert!(
        finding_kinds(&garbage).contains(&"malformed_line"),
        "{:?}",
        garbage.findings
    );
    // The event after the garbage line links to the one before it.
    let after_garbage = detail_at(&case, &rows, 152);
    assert_eq!(after_garbage.link.status, CheckStatus::Proven);

    let untouched = detail_at(&case, &rows, 120);
    assert_eq!(
        (untouched.own_hash.status, untouched.link.status),
        (CheckStatus::Proven, CheckStatus::Proven)
    );
    assert_eq!(untouched.findings, vec![]);
}

#[test]
fn the_first_event_of_a_segment_has_no_predecessor_to_link_to() {
    // Sealed from its own lines: version 1 (a version 2 root covers seq 1 onwards).
    let f = Fixture::generated_v1(50, 1);
    let lines = f.lines();
    f.write_lines(&lines[10..]);
    f.reseal(Some(&test_key()));
    assert_eq!(f.event(1)["seq"], 11);
    let case_path = f.temp.path().join("segment.case");
    let outcome = import_into(&case_path, &f.dir);
    assert_eq!(outcome.report.verdict(), Verdict::Verified);
    let case = Case::open_read_only(&case_path).unwrap();
    let rows = rows_by_line(&case);

    let first = detail_at(&case, &rows, 1);
    assert_eq!(first.own_hash.status, CheckStatus::Proven);
    assert_eq!(
        first.link.status,
        CheckStatus::Unknown,
        "{}",
        first.link.detail
    );
    assert!(
        first.link.detail.contains("not in this case"),
        "{}",
        first.link.detail
    );
    let second = detail_at(&case, &rows, 2);
    assert_eq!(second.link.status, CheckStatus::Proven);
}

// Re-checking trust.

/// SHA-256 and modification time of every file of a bundle directory.
fn evidence(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let digest = Sha256::digest(std::fs::read(&path).unwrap()).to_vec();
            let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
            (path, (digest, modified))
        })
        .collect()
}

/// Imports `bundle` as a reviewer who trusts no key yet.
fn import_untrusted(case_path: &Path, bundle: &Path) -> trailscope::case::ImportOutcome {
    let mut case = Case::open(case_path).unwrap();
    import_bundle(
        &mut case,
        bundle,
        &VerifyOptions::default(),
        IMPORTED_AT,
        &mut |_| ControlFlow::Continue(()),
    )
    .unwrap()
}

const TRUST_KINDS: [&str; 4] = [
    "signature_invalid",
    "signature_untrusted",
    "unsigned",
    "checkpoint_mismatch",
];

fn findings_not_about_trust(case: &Case) -> Vec<trailscope::case::StoredFinding> {
    stored_findings(case)
        .unwrap()
        .into_iter()
        .filter(|f| !TRUST_KINDS.contains(&f.kind.as_str()))
        .collect()
}

#[test]
fn retrust_with_the_signing_key_now_trusted_turns_an_intact_case_verified() {
    // A signed bundle with a clock that goes back once: a warning that has nothing to do
    // with trust and must survive the re-check.
    let f = Fixture::generated(300, 2);
    let mut lines = f.lines();
    let chain = serde_json::from_str::<Value>(&lines[40]).unwrap()["chain"].clone();
    let earliest = lines
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["chain"] == chain)
        .unwrap()["ts"]
        .clone();
    lines[40] = edit(&lines[40], |e| e["ts"] = earliest);
    f.write_lines(&relink(&lines));
    f.reseal(Some(&test_key()));
    let before_files = evidence(&f.dir);

    let case_path = f.temp.path().join("retrust.case");
    let outcome = import_untrusted(&case_path, &f.dir);
    assert_eq!(outcome.report.verdict(), Verdict::Intact);
    let mut case = Case::open(&case_path).unwrap();
    let kinds: BTreeSet<String> = stored_findings(&case)
        .unwrap()
        .into_iter()
        .map(|f| f.kind.as_str().to_owned())
        .collect();
    assert!(kinds.contains("signature_untrusted"), "{kinds:?}");
    assert!(kinds.contains("ts_regression"), "{kinds:?}");
    assert_eq!(case_status(&case).unwrap().verdict(), Verdict::Intact);
    let others = findings_not_about_trust(&case);
    assert!(!others.is_empty());

    let outcomes = retrust(&mut case, &trusting_options()).unwrap();
    assert_eq!(outcomes.len(), 1);
    let Retrust::Rechecked {
        bundle_idx,
        before,
        verdict,
        headline,
    } = &outcomes[0]
    else {
        panic!("not re-checked: {:?}", outcomes[0]);
    };
    assert_eq!((before.as_str(), verdict.as_str()), ("intact", "verified"));
    let said = outcomes[0].describe();
    assert!(said.contains(&format!("Bundle {bundle_idx}")), "{said}");
    assert!(said.contains("now verified (was intact)"), "{said}");
    assert!(said.contains(headline.as_str()), "{said}");

    let status = case_status(&case).unwrap();
    assert_eq!(status.verdict(), Verdict::Verified);
    assert_eq!(status.bundles[0].verdict, Verdict::Verified);
    assert_eq!(status.bundles[0].signature_status, SignatureStatus::Trusted);
    assert_eq!(
        status.bundles[0].signature_key_id.as_deref(),
        Some("acme-audit-2026")
    );
    for chain in &status.bundles[0].chains {
        assert_eq!(chain.verdict, Verdict::Verified, "{}", chain.chain);
        let authenticity = chain
            .dimensions
            .iter()
            .find(|d| d.0 == "authenticity")
            .unwrap();
        assert_eq!(
            authenticity.1,
            DimensionStatus::Proven,
            "{}",
            authenticity.2
        );
    }
    let kinds: Vec<String> = stored_findings(&case)
        .unwrap()
        .into_iter()
        .map(|f| f.kind.as_str().to_owned())
        .collect();
    assert!(
        !kinds.contains(&"signature_untrusted".to_owned()),
        "{kinds:?}"
    );
    assert_eq!(
        findings_not_about_trust(&case),
        others,
        "other findings untouched"
    );

    // Once more: nothing changes, and it says so.
    let again = retrust(&mut case, &trusting_options()).unwrap();
    assert!(
        again[0].describe().contains("still verified"),
        "{}",
        again[0].describe()
    );
    assert_eq!(findings_not_about_trust(&case), others);

    // The evidence was only read.
    assert_eq!(evidence(&f.dir), before_files);
}

#[test]
fn retrust_with_a_checkpoint_that_contradicts_the_chain_breaks_the_case_at_that_event() {
    let f = Fixture::generated(300, 2);
    let case_path = f.temp.path().join("checkpoint.case");
    let outcome = import_into(&case_path, &f.dir);
    assert_eq!(outcome.report.verdict(), Verdict::Verified);
    let mut case = Case::open(&case_path).unwrap();
    let others = findings_not_about_trust(&case);

    // A checkpoint published earlier says event 100's line held another hash.
    let contradicted = f.event(100);
    let text = json!({
        "chain": contradicted["chain"],
        "seq": contradicted["seq"],
        "hash": "ab".repeat(32),
    })
    .to_string();
    let checkpoints_path = f.temp.path().join("checkpoints.jsonl");
    std::fs::write(&checkpoints_path, &text).unwrap();
    let checkpoints =
        trailscope::verify::parse_checkpoints(&text, &checkpoints_path, &trusted_keys()).unwrap();
    let options = VerifyOptions {
        checkpoints,
        ..trusting_options()
    };

    let outcomes = retrust(&mut case, &options).unwrap();
    let Retrust::Rechecked {
        before, verdict, ..
    } = &outcomes[0]
    else {
        panic!("not re-checked: {:?}", outcomes[0]);
    };
    assert_eq!((before.as_str(), verdict.as_str()), ("verified", "broken"));
    assert!(
        outcomes[0].describe().contains("now broken (was verified)"),
        "{}",
        outcomes[0].describe()
    );
    let status = case_status(&case).unwrap();
    assert_eq!(status.verdict(), Verdict::Broken);
    assert_eq!(status.bundles[0].verdict, Verdict::Broken);
    let mismatches: Vec<_> = status
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::CheckpointMismatch)
        .collect();
    assert_eq!(mismatches.len(), 1, "{:?}", status.findings);
    let mismatch = mismatches[0];
    assert_eq!(mismatch.chain.as_deref(), contradicted["chain"].as_str());
    assert_eq!(mismatch.seq, contradicted["seq"].as_i64());
    assert_eq!(mismatch.line, Some(100));
    assert_eq!(mismatch.expected.as_deref(), Some("ab".repeat(32).as_str()));
    assert_eq!(findings_not_about_trust(&case), others);

    // The finding points at the event, as it would had the checkpoint come with the
    // import: the event's detail lists it.
    let rows = rows_by_line(&case);
    assert_eq!(mismatch.event_idx, Some(rows[&100]));
    let detail = event_detail(&case, rows[&100]).unwrap().unwrap();
    assert!(
        finding_kinds(&detail).contains(&"checkpoint_mismatch"),
        "{:?}",
        detail.findings
    );

    assert!(
        !detail.row.checks_ok,
        "the contradicted event still counts as sound"
    );
    assert!(detail_at(&case, &rows, 99).row.checks_ok);

    // Without that checkpoint file the case is verified again.
    let outcomes = retrust(&mut case, &trusting_options()).unwrap();
    assert!(
        outcomes[0].describe().contains("now verified (was broken)"),
        "{}",
        outcomes[0].describe()
    );
    assert_eq!(case_status(&case).unwrap().verdict(), Verdict::Verified);
    assert!(
        stored_findings(&case)
            .unwrap()
            .iter()
            .all(|f| f.kind != FindingKind::CheckpointMismatch)
    );
}

#[test]
fn a_checkpoint_dropped_by_retrust_no_longer_marks_its_event_unverified() {
    let f = Fixture::generated(300, 2);
    let contradicted = f.event(100);
    let text = json!({
        "chain": contradicted["chain"],
        "seq": contradicted["seq"],
        "hash": "ab".repeat(32),
    })
    .to_string();
    let checkpoints =
        trailscope::verify::parse_checkpoints(&text, "cp.jsonl".as_ref(), &trusted_keys()).unwrap();
    let case_path = f.temp.path().join("wrong-checkpoint.case");
    let mut case = Case::open(&case_path).unwrap();
    let outcome = import_bundle(
        &mut case,
        &f.dir,
        &VerifyOptions {
            checkpoints,
            ..trusting_options()
        },
        IMPORTED_AT,
        &mut |_| ControlFlow::Continue(()),
    )
    .unwrap();
    assert_eq!(outcome.report.verdict(), Verdict::Broken);
    let rows = rows_by_line(&case);
    let at_checkpoint = detail_at(&case, &rows, 100);
    assert!(!at_checkpoint.row.checks_ok);
    assert!(finding_kinds(&at_checkpoint).contains(&"checkpoint_mismatch"));

    // The checkpoint file was the wrong one: re-checked without it, every event holds.
    let outcomes = retrust(&mut case, &trusting_options()).unwrap();
    assert!(matches!(&outcomes[0], Retrust::Rechecked { verdict, .. } if verdict == "verified"));
    let at_checkpoint = detail_at(&case, &rows, 100);
    assert_eq!(at_checkpoint.findings, vec![]);
    assert!(
        at_checkpoint.row.checks_ok && at_checkpoint.row.verified(),
        "event 100 is still shown as unverified"
    );
    let mut unverified = Vec::new();
    for_each_event(&case, &EventFilter::default(), |row| {
        if !row.verified() {
            unverified.push(row.line);
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(unverified, Vec::<i64>::new());
}

#[test]
fn retrust_leaves_the_verdict_alone_when_the_bundle_is_missing_or_changed() {
    let f = Fixture::generated(200, 1);
    let case_path = f.temp.path().join("moved.case");
    import_untrusted(&case_path, &f.dir);
    let mut case = Case::open(&case_path).unwrap();
    let stored = |case: &Case| {
        let status = case_status(case).unwrap();
        (status.bundles, status.findings)
    };
    let before = stored(&case);
    assert_eq!(before.0[0].verdict, Verdict::Intact);

    // Moved away.
    let moved = f.temp.path().join("moved-away");
    std::fs::rename(&f.dir, &moved).unwrap();
    let outcomes = retrust(&mut case, &trusting_options()).unwrap();
    assert_eq!(
        outcomes,
        vec![Retrust::Missing {
            bundle_idx: before.0[0].bundle_idx,
            path: f.dir.clone(),
        }]
    );
    let said = outcomes[0].describe();
    assert!(said.contains("no longer at"), "{said}");
    assert!(said.contains(&f.dir.display().to_string()), "{said}");
    assert!(said.contains("earlier verdict stands"), "{said}");
    assert_eq!(stored(&case), before);

    // Another bundle in its place (same shape, another seed).
    trailscope::produce::generate(
        &f.dir,
        &trailscope::produce::GenOptions {
            events: 200,
            chains: 1,
            seed: 43,
            sign_key: Some(test_key()),
            ..trailscope::produce::GenOptions::default()
        },
    )
    .unwrap();
    let outcomes = retrust(&mut case, &trusting_options()).unwrap();
    assert_eq!(
        outcomes,
        vec![Retrust::Changed {
            bundle_idx: before.0[0].bundle_idx,
            path: f.dir.clone(),
        }]
    );
    let said = outcomes[0].describe();
    assert!(
        said.contains("no longer the bundle that was imported"),
        "{said}"
    );
    assert!(said.contains("earlier verdict stands"), "{said}");
    assert_eq!(stored(&case), before);

    // The original back where it was: re-checked.
    std::fs::remove_dir_all(&f.dir).unwrap();
    std::fs::rename(&moved, &f.dir).unwrap();
    let outcomes = retrust(&mut case, &trusting_options()).unwrap();
    assert!(matches!(&outcomes[0], Retrust::Rechecked { verdict, .. } if verdict == "verified"));
}

// Exports to a file.

/// The names in `dir` ending in `.partial`.
fn partial_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".partial"))
        .collect()
}

#[test]
fn export_to_file_writes_what_the_cli_writes_and_counts_the_events() {
    let inv = Investigation::new();
    let case = inv.open();
    let dir = inv.fixture.temp.path().join("exports");
    std::fs::create_dir(&dir).unwrap();
    for (filter_args, filter, keep) in [
        (
            vec![],
            EventFilter::default(),
            Box::new(|_: &Truth| true) as Box<dyn Fn(&Truth) -> bool>,
        ),
        (
            vec!["--action", "order.*"],
            EventFilter {
                action: Some("order.*".into()),
                ..EventFilter::default()
            },
            Box::new(|t: &Truth| t.str("action").unwrap().starts_with("order.")),
        ),
    ] {
        let n_kept = inv.truth.iter().filter(|t| keep(t)).count() as u64;
        for format in [ExportFormat::Csv, ExportFormat::Jsonl] {
            let name = format.as_str();
            let ours = dir.join(format!("engine.{name}"));
            let n = export_to_file(&case, &filter, format, &ours).unwrap();
            assert_eq!(n, n_kept, "{name} {filter_args:?}");
            let cli = cli_export(&inv, name, &filter_args, &dir.join(format!("cli.{name}")));
            let written = std::fs::read(&ours).unwrap();
            assert!(
                written == cli,
                "{name} {filter_args:?}: differs from the CLI's"
            );
            let records = match format {
                ExportFormat::Csv => csv::Reader::from_reader(written.as_slice())
                    .records()
                    .inspect(|r| assert!(r.is_ok(), "{r:?}"))
                    .count(),
                ExportFormat::Jsonl => written
                    .split(|&b| b == b'\n')
                    .filter(|l| !l.is_empty())
                    .count(),
            };
            assert_eq!(records as u64, n_kept, "{name} {filter_args:?}");
        }
    }
    assert_eq!(partial_files(&dir), Vec::<PathBuf>::new());
}

#[test]
fn a_failed_export_leaves_neither_the_file_nor_a_partial_one() {
    let inv = Investigation::new();
    let case = inv.open();
    let dir = inv.fixture.temp.path().join("failures");
    std::fs::create_dir(&dir).unwrap();
    let partial_of = |path: &Path| {
        let mut name = path.as_os_str().to_owned();
        name.push(".partial");
        PathBuf::from(name)
    };

    // In a folder that does not exist.
    let nowhere = dir.join("no-such-folder").join("out.csv");
    let result = export_to_file(&case, &EventFilter::default(), ExportFormat::Csv, &nowhere);
    assert!(result.is_err(), "{result:?}");
    assert!(!nowhere.exists() && !partial_of(&nowhere).exists());
    assert!(!dir.join("no-such-folder").exists());

    // Onto a folder.
    let folder = dir.join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let result = export_to_file(&case, &EventFilter::default(), ExportFormat::Jsonl, &folder);
    assert!(result.is_err(), "{result:?}");
    assert!(folder.is_dir());
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
    assert!(!partial_of(&folder).exists());

    assert_eq!(partial_files(&dir), Vec::<PathBuf>::new());
    let left: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(left, vec![folder]);
}

// Case schema migrations.

#[test]
fn a_version_1_case_is_migrated_to_the_current_version_on_open_with_its_data_intact() {
    // A bundle in format version 1, as such a case held (its edit a hash_mismatch).
    let f = Fixture::generated_v1(200, 1);
    let mut lines = f.lines();
    lines[30] = edit(&lines[30], |e| e["target"]["name"] = json!("edited"));
    f.write_lines(&lines);
    let case_path = f.temp.path().join("old.case");
    import_into(&case_path, &f.dir);
    let snapshot = |case: &Case| {
        let mut rows = Vec::new();
        for_each_event(case, &EventFilter::default(), |row| {
            rows.push(row);
            Ok(())
        })
        .unwrap();
        (case_status(case).unwrap(), rows)
    };
    let before = snapshot(&Case::open_read_only(&case_path).unwrap());
    assert!(!before.0.findings.is_empty());
    assert_eq!(before.1.len(), 200);

    // The indexes later versions added: (name, table).
    let later = [
        ("finding_by_event", "finding"),
        ("event_malformed", "event"),
    ];
    let has_index = |connection: &rusqlite::Connection| -> bool {
        later.iter().all(|(name, table)| {
            connection
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?1 AND tbl_name = ?2",
                    [name, table],
                    |row| row.get::<_, i64>(0),
                )
                .unwrap()
                == 1
        })
    };
    let current = trailscope::case::CURRENT_VERSION;
    let version = |connection: &rusqlite::Connection| -> i64 {
        connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap()
    };
    // Back to what version 1 wrote.
    {
        let connection = rusqlite::Connection::open(&case_path).unwrap();
        assert_eq!(version(&connection), current);
        assert!(has_index(&connection));
        connection
            .execute_batch(
                "DROP INDEX finding_by_event; DROP INDEX event_malformed; DROP TABLE source_file;
                 ALTER TABLE bundle DROP COLUMN source; ALTER TABLE bundle DROP COLUMN mapping;
                 ALTER TABLE event DROP COLUMN normal;
                 DROP INDEX actor_by_email; ALTER TABLE actor DROP COLUMN email;
                 DROP TABLE actor_source; DROP TABLE actor_unlinked;
                 DROP TABLE case_info; DROP TABLE annotation_tag; DROP TABLE annotation;
                 DROP TABLE saved_search; DROP TABLE journal; DROP TABLE journal_head;
                 DROP TABLE receipt; ALTER TABLE bundle DROP COLUMN format_version;
                 ALTER TABLE bundle DROP COLUMN manifest; DROP TABLE facet_count; DROP TABLE event_column; DROP TABLE event_chunk;
                 DROP TABLE derived_index; DROP TABLE event_text;
                 DROP TABLE raw_dictionary; ALTER TABLE event DROP COLUMN raw_codec;
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        assert_eq!(version(&connection), 1);
        assert!(!has_index(&connection));
    }
    // Read-only cannot upgrade it, and says how.
    let refused = Case::open_read_only(&case_path).err().expect("refused");
    assert!(refused.to_string().contains("schema 1"), "{refused}");

    // Opening it for writing migrates it.
    drop(Case::open(&case_path).unwrap());
    assert_eq!(current, 11);
    {
        let connection = rusqlite::Connection::open(&case_path).unwrap();
        assert_eq!(version(&connection), current);
        assert!(has_index(&connection));
        // Schema 9 counted the facets of the events already there.
        let (kept, events): (i64, i64) = connection
            .query_row(
                "SELECT (SELECT sum(n) FROM facet_count WHERE facet = 'action'),
                        (SELECT count(*) FROM event WHERE omitted = 0)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert!(events > 0);
        assert_eq!(kept, events, "every event counted once by action");
        // Schema 10 coded every row into the column index.
        let (through, last): (i64, i64) = connection
            .query_row(
                "SELECT (SELECT through_event_idx FROM derived_index WHERE name = 'columns'),
                        (SELECT max(event_idx) FROM event)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!(through, last, "every row coded");
        // The detail panel's lookup uses it.
        let plan: Vec<String> = connection
            .prepare("EXPLAIN QUERY PLAN SELECT * FROM finding WHERE event_idx = ?1")
            .unwrap()
            .query_map([1], |row| row.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter().any(|p| p.contains("finding_by_event")),
            "{plan:?}"
        );
    }
    let case = Case::open_read_only(&case_path).unwrap();
    assert_eq!(snapshot(&case), before);
    assert_eq!(case.integrity_check().unwrap(), "ok");
    // And the findings of the edited event are found through it.
    let edited = &before.1[30];
    assert_eq!(edited.line, 31);
    let detail = event_detail(&case, edited.event_idx).unwrap().unwrap();
    assert!(finding_kinds(&detail).contains(&"hash_mismatch"));
    // The rows of each file are found again after the upgrade (filled in from the rows).
    let by_file = trailscope::query::EventFilter {
        file: Some(edited.file.clone()),
        ..Default::default()
    };
    let page = trailscope::query::list_events(
        &case,
        &by_file,
        trailscope::query::Order::OldestFirst,
        100_000,
        None,
    )
    .unwrap();
    assert_eq!(page.rows.len(), before.1.len());
}
