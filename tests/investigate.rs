//! Investigating a case: event filters and paging, facet counts, a record's state at a
//! time, one event's diff, and CSV / JSONL exports with masking, through the engine and
//! the real binary.
//!
//! Every expected answer is computed here from the bundle's own events file with
//! serde_json (filters, counts, state folds, diffs), never through the engine's query,
//! sentence, diff or state functions.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use trailscope::case::Case;
use trailscope::query::{
    Cursor, EventFilter, FacetBy, Order, event_diff, facet_counts, list_events, timeline,
};

use crate::support::*;

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// One line of the events file as this test reads it.
pub(crate) struct Truth {
    /// 1-based line number.
    pub(crate) line: usize,
    pub(crate) raw: String,
    pub(crate) event: Value,
    pub(crate) ts: i64,
}

impl Truth {
    pub(crate) fn id(&self) -> &str {
        self.event["id"].as_str().unwrap()
    }

    pub(crate) fn get(&self, object: &str, field: &str) -> Option<&str> {
        self.event.get(object)?.get(field)?.as_str()
    }

    pub(crate) fn str(&self, field: &str) -> Option<&str> {
        self.event.get(field)?.as_str()
    }
}

/// A generated signed bundle imported into a fresh case, and the file's own truth.
pub(crate) struct Investigation {
    pub(crate) fixture: Fixture,
    pub(crate) case: PathBuf,
    pub(crate) truth: Vec<Truth>,
}

impl Investigation {
    pub(crate) fn new() -> Investigation {
        Investigation::with(|_| {})
    }

    /// Like `new`, with the events file's lines changed first (then re-linked and resealed).
    pub(crate) fn with(change: impl FnOnce(&mut Vec<String>)) -> Investigation {
        Investigation::build(change, true)
    }

    /// Like `with`, keeping the changed lines' bytes (no re-linking: for changes that
    /// leave each event's canonical form, hence its hash, as it was).
    pub(crate) fn with_bytes(change: impl FnOnce(&mut Vec<String>)) -> Investigation {
        Investigation::build(change, false)
    }

    fn build(change: impl FnOnce(&mut Vec<String>), relinked: bool) -> Investigation {
        let fixture = Fixture::generated(3_000, 2);
        let mut lines = fixture.lines();
        let original = lines.clone();
        change(&mut lines);
        if lines != original {
            fixture.write_lines(&if relinked { relink(&lines) } else { lines });
            fixture.reseal(Some(&test_key()));
        }
        let case = fixture.temp.path().join("investigation.case");
        let outcome = import_into(&case, &fixture.dir);
        assert_eq!(outcome.report.verdict(), trailscope::Verdict::Verified);
        let truth = fixture
            .lines()
            .into_iter()
            .enumerate()
            .map(|(i, raw)| {
                let event: Value = serde_json::from_str(&raw).unwrap();
                let ts = millis(event["ts"].as_str().unwrap());
                Truth {
                    line: i + 1,
                    raw,
                    event,
                    ts,
                }
            })
            .collect();
        Investigation {
            fixture,
            case,
            truth,
        }
    }

    pub(crate) fn open(&self) -> Case {
        Case::open_read_only(&self.case).unwrap()
    }

    pub(crate) fn case_arg(&self) -> &str {
        path_str(&self.case)
    }

    /// The ids of the lines `keep` accepts, newest first (time, then line, descending).
    pub(crate) fn expected(&self, keep: impl Fn(&Truth) -> bool) -> Vec<String> {
        let mut kept: Vec<&Truth> = self.truth.iter().filter(|t| keep(t)).collect();
        kept.sort_by_key(|t| std::cmp::Reverse((t.ts, t.line)));
        kept.iter().map(|t| t.id().to_owned()).collect()
    }

    /// Every page of `filter` through the engine, `limit` at a time.
    pub(crate) fn pages(&self, filter: &EventFilter, order: Order, limit: usize) -> Vec<String> {
        let case = self.open();
        let mut ids = Vec::new();
        let mut after: Option<Cursor> = None;
        loop {
            let page = list_events(&case, filter, order, limit, after).unwrap();
            assert!(page.rows.len() <= limit);
            ids.extend(page.rows.iter().map(|row| row.id.clone().unwrap()));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        ids
    }

    /// Every page of `trailscope events --format json` with these filter arguments,
    /// following the cursor the binary prints; the events without their `verified` key.
    fn cli_pages(&self, filter_args: &[&str], limit: usize) -> Vec<Value> {
        let mut events = Vec::new();
        let mut after: Option<String> = None;
        let limit = limit.to_string();
        loop {
            let mut args = vec!["events", "--case", self.case_arg(), "--format", "json"];
            args.extend_from_slice(&["--limit", &limit]);
            args.extend_from_slice(filter_args);
            if let Some(cursor) = &after {
                args.extend_from_slice(&["--after", cursor]);
            }
            let output = run_trailscope(&args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
            for line in String::from_utf8(output.stdout).unwrap().lines() {
                let mut event: Value = serde_json::from_str(line).unwrap();
                let members = event.as_object_mut().unwrap();
                let verified = members.remove("verified");
                assert_eq!(verified, Some(json!(true)));
                // The record as it arrived, and where: the same event, byte for byte.
                let record = members.remove("record").unwrap();
                let provenance = members.remove("provenance").unwrap();
                assert_eq!(provenance["source"], "audit-bundle");
                match record.as_str().unwrap() {
                    // Masked fields: a record as it arrived cannot be shown.
                    "(withheld: fields are masked)" => {}
                    text => assert_eq!(serde_json::from_str::<Value>(text).unwrap(), event),
                }
                events.push(event);
            }
            match stderr
                .lines()
                .find_map(|l| l.strip_prefix("more: --after="))
            {
                Some(cursor) => after = Some(cursor.trim().to_owned()),
                None => break,
            }
        }
        events
    }
}

fn assert_no_repeats(ids: &[String], what: &str) {
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "{what}: pagination repeated an event"
    );
}

/// The most frequent value of `key` over the lines (ties: the smallest value).
pub(crate) fn most_frequent(truth: &[Truth], key: impl Fn(&Truth) -> Option<String>) -> String {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for t in truth {
        if let Some(k) = key(t) {
            *counts.entry(k).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(k, n)| (*n, std::cmp::Reverse(k.clone())))
        .unwrap()
        .0
}

#[test]
fn each_filter_returns_exactly_the_events_the_file_says_match_newest_first() {
    let inv = Investigation::new();
    let truth = &inv.truth;
    let busiest_actor = most_frequent(truth, |t| t.get("actor", "id").map(str::to_owned));
    let other_actor = "wh_stripe".to_owned();
    let busiest_order = most_frequent(truth, |t| {
        (t.get("target", "type") == Some("Order"))
            .then(|| t.get("target", "id").unwrap().to_owned())
    });
    let mut times: Vec<i64> = truth.iter().map(|t| t.ts).collect();
    times.sort();
    // The bounds as +02:00 local times, so the filter must convert them to UTC.
    let since = times[times.len() / 3];
    let until = times[2 * times.len() / 3];
    let plus_two = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap())
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
    };
    let (since_text, until_text) = (plus_two(since), plus_two(until));
    let order_target = format!("Order:{busiest_order}");

    type Keep<'a> = Box<dyn Fn(&Truth) -> bool + 'a>;
    let cases: Vec<(Vec<&str>, EventFilter, Keep)> = vec![
        (
            vec!["--actor", &busiest_actor],
            EventFilter {
                actors: vec![busiest_actor.clone()],
                ..EventFilter::default()
            },
            Box::new(|t| t.get("actor", "id") == Some(&busiest_actor)),
        ),
        (
            vec!["--actor", &busiest_actor, "--actor", &other_actor],
            EventFilter {
                actors: vec![busiest_actor.clone(), other_actor.clone()],
                ..EventFilter::default()
            },
            Box::new(|t| {
                let actor = t.get("actor", "id");
                actor == Some(&busiest_actor) || actor == Some(&other_actor)
            }),
        ),
        (
            vec!["--action", "order.*"],
            EventFilter {
                action: Some("order.*".into()),
                ..EventFilter::default()
            },
            Box::new(|t| t.str("action").unwrap().starts_with("order.")),
        ),
        (
            vec!["--action", "order.updated"],
            EventFilter {
                action: Some("order.updated".into()),
                ..EventFilter::default()
            },
            Box::new(|t| t.str("action") == Some("order.updated")),
        ),
        (
            vec!["--outcome", "denied"],
            EventFilter {
                outcome: Some("denied".into()),
                ..EventFilter::default()
            },
            Box::new(|t| t.str("outcome") == Some("denied")),
        ),
        (
            vec!["--target", &order_target],
            EventFilter {
                target_type: Some("Order".into()),
                target_id: Some(busiest_order.clone()),
                ..EventFilter::default()
            },
            Box::new(|t| {
                t.get("target", "type") == Some("Order")
                    && t.get("target", "id") == Some(&busiest_order)
            }),
        ),
        (
            vec!["--since", &since_text, "--until", &until_text],
            EventFilter {
                since: Some(since),
                until: Some(until),
                ..EventFilter::default()
            },
            Box::new(|t| since <= t.ts && t.ts < until),
        ),
        (
            // Upper case, to be matched without regard to case.
            vec!["--text", "OKAFOR"],
            EventFilter {
                text: Some("OKAFOR".into()),
                ..EventFilter::default()
            },
            Box::new(|t| t.raw.to_lowercase().contains("okafor")),
        ),
        (
            vec![
                "--action",
                "order.*",
                "--outcome",
                "success",
                "--since",
                &since_text,
            ],
            EventFilter {
                action: Some("order.*".into()),
                outcome: Some("success".into()),
                since: Some(since),
                ..EventFilter::default()
            },
            Box::new(|t| {
                t.str("action").unwrap().starts_with("order.")
                    && t.str("outcome") == Some("success")
                    && t.ts >= since
            }),
        ),
    ];

    for (args, filter, keep) in cases {
        let expected = inv.expected(keep);
        assert!(
            expected.len() > 2,
            "{args:?} matches too little to test: {}",
            expected.len()
        );
        assert!(expected.len() < truth.len(), "{args:?} matches everything");

        // Engine, pages of 37: newest first, nothing skipped or repeated.
        let api = inv.pages(&filter, Order::NewestFirst, 37);
        assert_no_repeats(&api, &format!("{args:?}"));
        assert_eq!(api, expected, "{args:?} through the engine");

        // Binary, pages of 100, following the printed cursor.
        let shown = inv.cli_pages(&args, 100);
        let ids: Vec<String> = shown
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect();
        assert_no_repeats(&ids, &format!("{args:?} (cli)"));
        assert_eq!(ids, expected, "{args:?} through the binary");
        // Each shown event is the line the file holds.
        let by_id: HashMap<&str, &Truth> = truth.iter().map(|t| (t.id(), t)).collect();
        for event in &shown {
            assert_eq!(event, &by_id[event["id"].as_str().unwrap()].event);
        }
    }
}

#[test]
fn paging_oldest_first_visits_every_event_once_in_time_order() {
    let inv = Investigation::new();
    let mut expected = inv.expected(|_| true);
    expected.reverse();
    let ids = inv.pages(&EventFilter::default(), Order::OldestFirst, 250);
    assert_no_repeats(&ids, "oldest first");
    assert_eq!(ids, expected);
    // A page size dividing the total exactly ends with an empty page, not a repeat.
    assert_eq!(inv.truth.len() % 100, 0);
    let ids = inv.pages(&EventFilter::default(), Order::NewestFirst, 100);
    expected.reverse();
    assert_eq!(ids, expected);
}

#[test]
fn facets_by_action_and_by_actor_equal_counts_from_the_file() {
    let inv = Investigation::new();
    let case = inv.open();
    for (by, name, key) in [
        (
            FacetBy::Action,
            "action",
            Box::new(|t: &Truth| t.str("action").map(str::to_owned))
                as Box<dyn Fn(&Truth) -> Option<String>>,
        ),
        (
            FacetBy::Actor,
            "actor",
            Box::new(|t: &Truth| t.get("actor", "id").map(str::to_owned)),
        ),
        (
            FacetBy::Outcome,
            "outcome",
            Box::new(|t: &Truth| t.str("outcome").map(str::to_owned)),
        ),
    ] {
        let mut expected: BTreeMap<Option<String>, i64> = BTreeMap::new();
        for t in &inv.truth {
            *expected.entry(key(t)).or_default() += 1;
        }
        let counts = facet_counts(&case, &EventFilter::default(), by).unwrap();
        let stored: BTreeMap<Option<String>, i64> =
            counts.iter().map(|c| (c.value.clone(), c.count)).collect();
        assert_eq!(stored.len(), counts.len(), "{name}: a value counted twice");
        assert_eq!(stored, expected, "{name}");
        // Largest first.
        assert!(
            counts.windows(2).all(|w| w[0].count >= w[1].count),
            "{name}"
        );

        let output = run_trailscope(&["facets", "--case", inv.case_arg(), "--by", name, "--json"]);
        assert_eq!(output.status.code(), Some(0));
        let shown: Value = serde_json::from_slice(&output.stdout).unwrap();
        let shown: BTreeMap<Option<String>, i64> = shown
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["value"].as_str().map(str::to_owned),
                    c["count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(shown, expected, "{name} (cli)");
    }

    // Filtered facets count only the filtered events.
    let denied = facet_counts(
        &case,
        &EventFilter {
            outcome: Some("denied".into()),
            ..EventFilter::default()
        },
        FacetBy::Action,
    )
    .unwrap();
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for t in inv
        .truth
        .iter()
        .filter(|t| t.str("outcome") == Some("denied"))
    {
        *expected
            .entry(t.str("action").unwrap().to_owned())
            .or_default() += 1;
    }
    let stored: BTreeMap<String, i64> = denied
        .into_iter()
        .map(|c| (c.value.unwrap(), c.count))
        .collect();
    assert_eq!(stored, expected);
}

/// A record's state folded from its events, as the test reads the rules: a successful
/// create sets the state to `after`, a successful update merges `after`'s top-level keys,
/// a delete ends the record; events that did not succeed change nothing.
fn fold_state(events: &[&Truth]) -> (bool, Map<String, Value>) {
    let mut exists = false;
    let mut fields = Map::new();
    for t in events {
        let e = &t.event;
        if e["outcome"] != "success" {
            continue;
        }
        let before = e.get("before").filter(|v| !v.is_null());
        match (before, e.get("after")) {
            (None, Some(Value::Object(after))) => {
                exists = true;
                fields = after.clone();
            }
            (_, Some(Value::Null)) => {
                exists = false;
                fields.clear();
            }
            (Some(_), Some(Value::Object(after))) => {
                for (key, value) in after {
                    fields.insert(key.clone(), value.clone());
                }
            }
            _ => {}
        }
    }
    (exists, fields)
}

#[test]
fn a_record_s_state_at_a_time_is_its_events_folded_up_to_then() {
    let inv = Investigation::new();
    // Records created in this bundle, by (type, id), with their events in time order.
    let mut records: BTreeMap<(String, String), Vec<&Truth>> = BTreeMap::new();
    for t in &inv.truth {
        if let (Some(kind), Some(id)) = (t.get("target", "type"), t.get("target", "id")) {
            records
                .entry((kind.to_owned(), id.to_owned()))
                .or_default()
                .push(t);
        }
    }
    for events in records.values_mut() {
        events.sort_by_key(|t| {
            (
                t.ts,
                t.str("chain").unwrap().to_owned(),
                t.event["seq"].as_u64(),
            )
        });
    }
    let updates = |events: &[&Truth]| {
        events
            .iter()
            .filter(|t| {
                t.event.get("before").is_some_and(Value::is_object) && t.event["after"].is_object()
            })
            .count()
    };
    let ((kind, id), events) = records
        .iter()
        .filter(|(_, events)| events[0].str("action").unwrap().ends_with(".created"))
        .max_by_key(|(key, events)| (updates(events), std::cmp::Reverse((*key).clone())))
        .unwrap();
    assert!(updates(events) >= 3, "no record with several updates");

    let case = inv.open();
    // Halfway through its history, between two events.
    let half = events.len() / 2;
    let k = (half..events.len() - 1)
        .chain(0..half)
        .find(|&k| events[k].ts < events[k + 1].ts)
        .unwrap();
    let at = events[k].ts + (events[k + 1].ts - events[k].ts) / 2;
    let (exists, expected) = fold_state(&events[..=k]);
    assert!(exists && !expected.is_empty());

    let found = timeline(&case, kind, id, Some(at)).unwrap();
    assert_eq!(
        Value::Object(found.state.fields.clone()),
        Value::Object(expected.clone())
    );
    assert!(found.state.exists);
    assert!(found.state.uncertain.is_empty());
    // The history is every event of the record, in time order.
    let ids: Vec<&str> = found
        .entries
        .iter()
        .map(|e| e.row.id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, events.iter().map(|t| t.id()).collect::<Vec<_>>());
    assert!(found.entries.windows(2).all(|w| w[0].row.ts <= w[1].row.ts));

    // After the last event.
    let (exists_now, now) = fold_state(events);
    let latest = timeline(&case, kind, id, None).unwrap();
    assert_eq!(latest.state.exists, exists_now);
    assert_eq!(Value::Object(latest.state.fields), Value::Object(now));

    // The binary, given the instant as RFC 3339.
    let at_text = chrono::DateTime::from_timestamp_millis(at)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let output = run_trailscope(&[
        "timeline",
        "--case",
        inv.case_arg(),
        kind,
        id,
        "--at",
        &at_text,
        "--json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["state"], Value::Object(expected));
    assert_eq!(document["exists"], true);
    let shown: Vec<&str> = document["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ids);
}

#[test]
fn a_deleted_record_does_not_exist_after_its_delete() {
    let inv = Investigation::new();
    let deleted = inv
        .truth
        .iter()
        .find(|t| t.str("outcome") == Some("success") && t.event.get("after") == Some(&Value::Null))
        .expect("a delete in the bundle");
    let (kind, id) = (
        deleted.get("target", "type").unwrap(),
        deleted.get("target", "id").unwrap(),
    );
    let case = inv.open();
    let before = timeline(&case, kind, id, Some(deleted.ts - 1)).unwrap();
    let after = timeline(&case, kind, id, Some(deleted.ts)).unwrap();
    assert!(!after.state.exists);
    assert!(after.state.fields.is_empty());
    // The delete's `before` names fields the record had just before.
    if before.state.exists {
        for (key, value) in deleted.event["before"].as_object().unwrap() {
            if let Some(known) = before.state.fields.get(key) {
                assert_eq!(known, value, "{kind} {id} field {key}");
            }
        }
    }
}

/// (path, kind, before, after) of every leaf that differs, objects walked by key.
fn own_diff(
    path: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    out: &mut Vec<(String, String, Value, Value)>,
) {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for key in keys {
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                own_diff(&sub, b.get(key), a.get(key), out);
            }
        }
        (Some(b), Some(a)) if b != a => {
            out.push((path.to_owned(), "changed".into(), b.clone(), a.clone()))
        }
        (Some(_), Some(_)) => {}
        (Some(b), None) => out.push((path.to_owned(), "removed".into(), b.clone(), Value::Null)),
        (None, Some(a)) => out.push((path.to_owned(), "added".into(), Value::Null, a.clone())),
        (None, None) => {}
    }
}

fn is_plain(value: &Value) -> bool {
    !value.is_array() && !value.is_object()
}

#[test]
fn an_update_s_diff_lists_exactly_the_fields_that_changed() {
    let inv = Investigation::new();
    let case = inv.open();
    let objects_only = |v: &Value| match v {
        Value::Object(m) => m
            .values()
            .all(|x| is_plain(x) || x.as_object().is_some_and(|o| o.values().all(is_plain))),
        _ => false,
    };
    let flat = |v: &Value| v.as_object().is_some_and(|m| m.values().all(is_plain));
    let updates: Vec<&Truth> = inv
        .truth
        .iter()
        .filter(|t| t.str("action").unwrap().ends_with(".updated"))
        .collect();
    let simple = updates
        .iter()
        .find(|t| flat(&t.event["before"]) && flat(&t.event["after"]))
        .expect("a flat update");
    let nested = updates
        .iter()
        .find(|t| {
            objects_only(&t.event["before"])
                && objects_only(&t.event["after"])
                && !flat(&t.event["after"])
        })
        .expect("an update of a nested object");

    for t in [simple, nested] {
        let mut expected = Vec::new();
        own_diff(
            "",
            t.event.get("before"),
            t.event.get("after"),
            &mut expected,
        );
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert!(!expected.is_empty());

        let found = event_diff(&case, t.id()).unwrap();
        assert_eq!(found.len(), 1);
        let mut changes: Vec<(String, String, Value, Value)> = found[0]
            .1
            .iter()
            .map(|c| {
                (
                    c.path.clone(),
                    c.kind.as_str().to_owned(),
                    c.before.clone().unwrap_or(Value::Null),
                    c.after.clone().unwrap_or(Value::Null),
                )
            })
            .collect();
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(changes, expected, "{}", t.raw);

        let output = run_trailscope(&["diff", "--case", inv.case_arg(), t.id(), "--json"]);
        assert_eq!(output.status.code(), Some(0));
        let document: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(document["event_id"], t.id());
        let mut shown: Vec<(String, String, Value, Value)> = document["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["path"].as_str().unwrap().to_owned(),
                    c["kind"].as_str().unwrap().to_owned(),
                    c["before"].clone(),
                    c["after"].clone(),
                )
            })
            .collect();
        shown.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(shown, expected, "{} (cli)", t.raw);
    }
}

// Exports.

const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"Order\")";

fn export(inv: &Investigation, format: &str, filter_args: &[&str]) -> Vec<u8> {
    let out = inv.fixture.temp.path().join(format!("export.{format}"));
    cli_export(inv, format, filter_args, &out)
}

/// `trailscope export` of the investigation's case into `out`; the file's bytes.
pub(crate) fn cli_export(
    inv: &Investigation,
    format: &str,
    filter_args: &[&str],
    out: &Path,
) -> Vec<u8> {
    let mut args = vec![
        "export",
        "--case",
        inv.case_arg(),
        "--format",
        format,
        "--out",
        path_str(out),
    ];
    args.extend_from_slice(filter_args);
    let output = run_trailscope(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(out).unwrap()
}

/// The lines `keep` accepts, oldest first (the order exports use).
fn oldest_first(inv: &Investigation, keep: impl Fn(&Truth) -> bool) -> Vec<&Truth> {
    let mut kept: Vec<&Truth> = inv.truth.iter().filter(|t| keep(t)).collect();
    kept.sort_by_key(|t| (t.ts, t.line));
    kept
}

#[test]
fn csv_export_is_rfc_4180_with_formula_cells_neutralised() {
    // A target name a spreadsheet would run, on an order event.
    let mut edited_id = String::new();
    let inv = Investigation::with(|lines| {
        let i = lines
            .iter()
            .position(|l| l.contains("\"action\":\"order.updated\""))
            .unwrap();
        lines[i] = edit(&lines[i], |e| e["target"]["name"] = json!(FORMULA));
        edited_id = serde_json::from_str::<Value>(&lines[i]).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
    });

    for (filter_args, keep) in [
        (
            vec![],
            Box::new(|_: &Truth| true) as Box<dyn Fn(&Truth) -> bool>,
        ),
        (
            vec!["--action", "order.*"],
            Box::new(|t: &Truth| t.str("action").unwrap().starts_with("order.")),
        ),
    ] {
        let bytes = export(&inv, "csv", &filter_args);
        let expected = oldest_first(&inv, keep);
        let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let column = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("no column {name}"))
        };
        let records: Vec<csv::StringRecord> =
            reader.records().map(|r| r.expect("RFC 4180")).collect();
        assert_eq!(records.len(), expected.len(), "{filter_args:?}");
        for (record, t) in records.iter().zip(&expected) {
            assert_eq!(record.len(), header.len());
            assert_eq!(&record[column("event_id")], t.id());
            assert_eq!(&record[column("action")], t.str("action").unwrap());
            assert_eq!(Some(&record[column("actor_id")]), t.get("actor", "id"));
            assert_eq!(
                record[column("seq")].parse::<u64>().ok(),
                t.event["seq"].as_u64()
            );
            assert_eq!(millis(&record[column("time_utc")]), t.ts);
            for cell in record {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "a cell a spreadsheet would run: {cell:?}"
                );
            }
        }
        let edited = records
            .iter()
            .find(|r| &r[column("event_id")] == edited_id.as_str())
            .expect("the edited event is exported");
        assert_eq!(&edited[column("target_name")], format!("'{FORMULA}"));
    }
}

#[test]
fn jsonl_export_returns_the_original_lines_byte_for_byte() {
    let inv = Investigation::new();
    let busiest_actor = most_frequent(&inv.truth, |t| t.get("actor", "id").map(str::to_owned));
    for (filter_args, keep) in [
        (
            vec!["--action", "order.*"],
            Box::new(|t: &Truth| t.str("action").unwrap().starts_with("order."))
                as Box<dyn Fn(&Truth) -> bool>,
        ),
        (
            vec!["--actor", busiest_actor.as_str()],
            Box::new(|t: &Truth| t.get("actor", "id") == Some(busiest_actor.as_str())),
        ),
        (vec![], Box::new(|_: &Truth| true)),
    ] {
        let mut expected = String::new();
        for t in oldest_first(&inv, keep) {
            expected.push_str(&t.raw);
            expected.push('\n');
        }
        let exported = export(&inv, "jsonl", &filter_args);
        assert!(
            exported == expected.as_bytes(),
            "{filter_args:?}: the export differs from the original lines"
        );
    }
}

/// Every value of a member named `email`, at any depth.
fn emails(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                match member.as_str() {
                    Some(text) if key == "email" => {
                        found.insert(text.to_owned());
                    }
                    _ => emails(member, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| emails(item, found)),
        _ => {}
    }
}

/// The event with every member named `email` replaced by `mask`, as the test reads masking.
fn masked(value: &Value, mask: &str) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(key, member)| {
                    let member = if key == "email" {
                        json!(mask)
                    } else {
                        masked(member, mask)
                    };
                    (key.clone(), member)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|item| masked(item, mask)).collect()),
        other => other.clone(),
    }
}

#[test]
fn masked_emails_appear_in_neither_export() {
    let inv = Investigation::new();
    let output = run_trailscope(&["mask", "--case", inv.case_arg(), "--add", "email"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("email"));

    let mut addresses = BTreeSet::new();
    for t in &inv.truth {
        emails(&t.event, &mut addresses);
    }
    assert!(addresses.len() > 5);
    let jsonl = String::from_utf8(export(&inv, "jsonl", &[])).unwrap();
    let csv = String::from_utf8(export(&inv, "csv", &[])).unwrap();
    for address in &addresses {
        assert!(
            !jsonl.contains(address.as_str()),
            "{address} in the JSONL export"
        );
        assert!(
            !csv.contains(address.as_str()),
            "{address} in the CSV export"
        );
    }
    // Apart from the masked values, each JSONL line is the original event.
    let expected = oldest_first(&inv, |_| true);
    let lines: Vec<&str> = jsonl.lines().collect();
    assert_eq!(lines.len(), expected.len());
    for (line, t) in lines.iter().zip(expected) {
        let exported: Value = serde_json::from_str(line).unwrap();
        assert_eq!(
            exported,
            masked(&t.event, trailscope::query::view::MASK),
            "line {}",
            t.line
        );
    }
    // Listing shows them masked too.
    let shown = inv.cli_pages(&["--actor", "u_003"], 500);
    assert!(!shown.is_empty());
    for event in shown {
        assert_eq!(event["actor"]["email"], trailscope::query::view::MASK);
    }
}

#[test]
fn text_search_ignores_the_case_of_accented_letters_too() {
    let mut edited_id = String::new();
    let inv = Investigation::with(|lines| {
        lines[100] = edit(&lines[100], |e| {
            e["reason"] = json!("ÉLODIE ÖSTERGAARD asked for it")
        });
        edited_id = serde_json::from_str::<Value>(&lines[100]).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
    });
    // Even the exact capitals as stored do not match.
    for query in ["ÉLODIE ÖSTERGAARD", "élodie", "Élodie", "östergaard"] {
        let ids = inv.pages(
            &EventFilter {
                text: Some(query.into()),
                ..EventFilter::default()
            },
            Order::NewestFirst,
            50,
        );
        assert_eq!(ids, vec![edited_id.clone()], "--text {query}");
    }
}

#[test]
fn text_search_finds_text_the_producer_wrote_with_json_escapes() {
    // The same events, with `ë` written as `\u00eb`: same canonical form, same hash.
    let mut escaped = Vec::new();
    let inv = Investigation::with_bytes(|lines| {
        for line in lines.iter_mut().filter(|l| l.contains("Zoë")) {
            *line = line.replace('ë', "\\u00eb");
            escaped.push(
                serde_json::from_str::<Value>(line).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
    });
    assert!(!escaped.is_empty());
    let expected = inv.expected(|t| t.event.to_string().to_lowercase().contains("zoë"));
    let found = inv.pages(
        &EventFilter {
            text: Some("Zoë".into()),
            ..EventFilter::default()
        },
        Order::NewestFirst,
        500,
    );
    assert_eq!(found, expected);
}

#[test]
fn the_cursor_printed_after_a_quarantined_line_can_be_passed_back_as_printed() {
    let inv = Investigation::new();
    let mut text = std::fs::read_to_string(inv.fixture.events_path()).unwrap();
    text.insert_str(0, "this line is not JSON\n");
    let dir = inv.fixture.temp.path().join("with-garbage");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("events.jsonl"), text).unwrap();
    let case = inv.fixture.temp.path().join("garbage.case");
    import_into(&case, &dir);

    let first = run_trailscope(&[
        "events",
        "--case",
        path_str(&case),
        "--oldest-first",
        "--limit",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(first.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&first.stderr);
    let cursor = stderr
        .lines()
        .find_map(|l| l.strip_prefix("more: --after="))
        .expect("a cursor")
        .trim()
        .to_owned();
    let next = run_trailscope(&[
        "events",
        "--case",
        path_str(&case),
        "--oldest-first",
        "--limit",
        "1",
        "--format",
        "json",
        "--after",
        &cursor,
    ]);
    assert_eq!(
        next.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&next.stderr)
    );
    let event: Value = serde_json::from_slice(&next.stdout).unwrap();
    let oldest = oldest_first(&inv, |_| true)[0];
    assert_eq!(event["id"], oldest.id());
}

#[test]
fn an_event_is_found_by_its_row_number() {
    let inv = Investigation::new();
    let case = inv.open();
    let page = list_events(&case, &EventFilter::default(), Order::OldestFirst, 5, None).unwrap();
    for row in &page.rows {
        let found = trailscope::query::event_by_idx(&case, row.event_idx).unwrap();
        assert_eq!(found.as_ref(), Some(row));
    }
    assert_eq!(trailscope::query::event_by_idx(&case, -1).unwrap(), None);
}
