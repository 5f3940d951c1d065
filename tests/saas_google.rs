//! Google Workspace activity exports (Reports API), generated in the three shapes with
//! the quirks real ones have, through the `trailscope` binary and the case: an activity
//! of several events becomes several events; events, actors, outcomes, and the history
//! of settings and of users changed several times match what the generator wrote;
//! exact repeats (whatever their etag or layout) are counted once, a reused id and
//! untimed activities are kept.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;
use trailscope::case::Case;
use trailscope::produce::google::{GooglePlan, GoogleShape, GoogleTruth, write_google};
use trailscope::query;

use crate::support::{all_events, count_kind, import, normal, verify};

fn quirky(shape: GoogleShape) -> GooglePlan {
    GooglePlan {
        activities: 400,
        seed: 5,
        shape,
        repeats: 20,
        conflicting: 3,
        untimed: 2,
        broken: 1,
    }
}

/// The case's answers against the generator's truth.
fn check_case(case_path: &Path, truth: &GoogleTruth) {
    let case = Case::open_read_only(case_path).unwrap();
    let rows = all_events(&case);
    let readable: Vec<_> = rows.iter().filter(|r| r.malformed.is_none()).collect();
    assert_eq!(readable.len() as u64, truth.events, "events");
    assert_eq!(
        (rows.len() - readable.len()) as u64,
        truth.quarantined,
        "quarantined activities are kept"
    );
    let per_actor: BTreeMap<String, u64> = query::list_actors(&case)
        .unwrap()
        .into_iter()
        .map(|a| (a.actor_id, a.n_events as u64))
        .collect();
    assert_eq!(per_actor, truth.per_actor, "events per actor");
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    for row in &readable {
        *outcomes
            .entry(row.outcome.clone().unwrap_or_default())
            .or_default() += 1;
    }
    assert_eq!(outcomes, truth.outcomes, "outcomes");
    // Several events of one activity: ids time|uniqueQualifier|index.
    let split = readable
        .iter()
        .filter(|r| r.id.as_deref().is_some_and(|id| id.ends_with("|1")))
        .count();
    assert!(truth.multi_event_activities > 5);
    assert!(split as u64 >= truth.multi_event_activities);

    // Every setting, change by change.
    assert!(truth.settings.values().filter(|c| c.len() >= 3).count() >= 3);
    for ((target, setting), changes) in &truth.settings {
        let timeline = query::timeline(&case, "application settings", target, None).unwrap();
        let mut found = Vec::new();
        for entry in &timeline.entries {
            assert!(entry.discrepancies.is_empty(), "{:?}", entry.discrepancies);
            let event = normal(&entry.row);
            let Some(after) = event["after"].get(setting) else {
                continue;
            };
            let before = event["before"]
                .get(setting)
                .map(|b| b.as_str().unwrap().to_owned());
            found.push((
                event["ts"].as_str().unwrap().to_owned(),
                before,
                after.as_str().unwrap().to_owned(),
            ));
        }
        assert_eq!(&found, changes, "history of {setting} in {target}");
        assert_eq!(
            timeline.state.fields[setting],
            json!(changes.last().unwrap().2),
            "state of {setting} in {target}"
        );
    }
    // Every renamed user, change by change.
    assert!(truth.last_names.values().any(|c| c.len() >= 3));
    for (user, changes) in &truth.last_names {
        let timeline = query::timeline(&case, "user", user, None).unwrap();
        let found: Vec<(String, String, String)> = timeline
            .entries
            .iter()
            .filter(|entry| entry.row.action.as_deref() == Some("CHANGE_LAST_NAME"))
            .map(|entry| {
                let change = &entry.changes[0];
                assert_eq!(entry.changes.len(), 1);
                assert_eq!(change.path, "CHANGE_LAST_NAME");
                (
                    normal(&entry.row)["ts"].as_str().unwrap().to_owned(),
                    change.before.as_ref().unwrap().as_str().unwrap().to_owned(),
                    change.after.as_ref().unwrap().as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(&found, changes, "last names of {user}");
    }
    // An application impersonating a user acts on the user's behalf.
    let (client, user) = truth.impersonated.first().unwrap();
    let download = readable
        .iter()
        .map(|r| normal(r))
        .find(|e| e["actor"]["id"] == client.as_str() && e["on_behalf_of"]["id"] == user.as_str())
        .unwrap();
    assert_eq!(download["category"], "export");
}

/// One export of `shape`, verified and imported, against its truth.
fn check_shape(shape: GoogleShape, name: &str) {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join(name);
    let truth = write_google(&path, &quirky(shape)).unwrap();
    let (code, report) = verify(&path);
    assert_eq!(code, 4, "unverifiable: {report:#}");
    assert_eq!(report["verdict"], "unverifiable");
    assert_eq!(report["bundle"]["source"], "google-workspace");
    let chain = &report["chains"][0];
    assert_eq!(chain["counts"]["records"], truth.events, "{name}");
    assert_eq!(
        chain["counts"]["exact_repeats"], truth.exact_repeats,
        "{name}"
    );
    assert_eq!(
        count_kind(&report, "malformed_record") as u64,
        truth.quarantined,
        "{name}"
    );
    // One finding per event of an activity whose id is reused, one for the repeats.
    assert_eq!(
        count_kind(&report, "duplicate_record") as u64,
        truth.conflicting_events + 1,
        "{name}"
    );
    let case = temp.path().join(format!("{name}.case"));
    import(&case, &path);
    check_case(&case, &truth);
}

#[test]
fn an_api_page_and_an_array_import_with_actors_outcomes_and_history_and_nothing_silently_lost() {
    check_shape(GoogleShape::Page, "activities.json");
    check_shape(GoogleShape::Array, "array.json");
}

/// One activity a line: an activity's own `events` array is not taken for a wrapper
/// of records (`read.rs` `ANY_WRAPPER`).
#[test]
fn one_activity_a_line_imports_too_with_a_broken_line_kept() {
    check_shape(GoogleShape::Lines, "activities.jsonl");
}

#[test]
fn an_activity_without_a_usable_time_is_kept_with_its_reason() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("activities.json");
    write_google(
        &path,
        &GooglePlan {
            activities: 30,
            untimed: 2,
            shape: GoogleShape::Array,
            ..GooglePlan::default()
        },
    )
    .unwrap();
    let (_, report) = verify(&path);
    let reasons: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "malformed_record")
        .map(|f| f["detail"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons.iter().any(|r| r.contains("it has no id.time")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("is not a time")),
        "{reasons:?}"
    );
}

#[test]
fn overlapping_exports_in_two_shapes_are_one_source_counted_once() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("exports");
    std::fs::create_dir(&folder).unwrap();
    // The same activities from the API and from an array export: other etags, other
    // layout, same content.
    let plan = |shape| GooglePlan {
        untimed: 0,
        broken: 0,
        ..quirky(shape)
    };
    let first = write_google(&folder.join("page-1.json"), &plan(GoogleShape::Page)).unwrap();
    write_google(&folder.join("export-2.json"), &plan(GoogleShape::Array)).unwrap();
    std::fs::write(folder.join("notes.md"), "pulled with GAM on 2026-03-05\n").unwrap();
    let (code, report) = verify(&folder);
    assert_eq!(code, 4, "{report:#}");
    assert_eq!(report["chains"][0]["counts"]["records"], first.events);
    assert_eq!(
        report["chains"][0]["counts"]["exact_repeats"],
        first.exact_repeats * 2 + first.events
    );
    assert_eq!(count_kind(&report, "file_skipped"), 1);
    let case = temp.path().join("folder.case");
    import(&case, &folder);
    check_case(&case, &first);
}

#[test]
fn a_google_export_is_told_by_content_and_no_other_format_takes_it() {
    use trailscope::source::SourceKind;
    use trailscope::source::saas::{FORMATS, read::sniff};
    let temp = tempfile::tempdir().unwrap();
    for (shape, name) in [
        (GoogleShape::Page, "a.json"),
        (GoogleShape::Array, "b.json"),
        (GoogleShape::Lines, "c.jsonl"),
    ] {
        let path = temp.path().join(name);
        write_google(
            &path,
            &GooglePlan {
                shape,
                ..GooglePlan::default()
            },
        )
        .unwrap();
        let sniffed = sniff(std::fs::File::open(&path).unwrap()).unwrap();
        let head = sniffed.head(name);
        let claimed: Vec<SourceKind> = FORMATS
            .iter()
            .filter(|f| f.sniff(&head))
            .map(|f| f.kind())
            .collect();
        assert_eq!(claimed, vec![SourceKind::GoogleWorkspace], "{name}");
    }
}
