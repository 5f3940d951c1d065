//! GitHub audit log exports, generated as the JSON export, one entry a line and the CSV
//! export with the quirks real ones have, through the `trailscope` binary and the case:
//! events, actors, emails, outcomes and the history of repositories' visibility, branch
//! protection, team and organization memberships and webhooks match what the generator
//! wrote; exact repeats are counted once, differing repeats and untimed entries are
//! kept; a cut-off file keeps what is whole; a folder is one export.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use trailscope::case::Case;
use trailscope::produce::github::{GitHubPlan, GitHubShape, GitHubTruth, write_github};
use trailscope::query;

use crate::support::{all_events, count_kind, import, normal, run_trailscope, verify};

fn quirky(shape: GitHubShape) -> GitHubPlan {
    GitHubPlan {
        records: 500,
        seed: 11,
        shape,
        repeats: 25,
        conflicting: 3,
        untimed: 2,
    }
}

/// The events of one target, oldest first, as (ts, the normalized event).
fn history(case: &Case, target_type: &str, target_id: &str) -> Vec<(String, Value)> {
    query::timeline(case, target_type, target_id, None)
        .unwrap()
        .entries
        .iter()
        .map(|entry| {
            // The before of every event agrees with what the earlier ones left.
            assert!(
                entry.discrepancies.is_empty(),
                "{target_type} {target_id}: {:?}",
                entry.discrepancies
            );
            let event = normal(&entry.row);
            (event["ts"].as_str().unwrap().to_owned(), event)
        })
        .collect()
}

/// The case's answers against the generator's truth.
fn check_case(case_path: &Path, truth: &GitHubTruth) {
    let case = Case::open_read_only(case_path).unwrap();
    let rows = all_events(&case);
    let readable: Vec<_> = rows.iter().filter(|r| r.malformed.is_none()).collect();
    assert_eq!(readable.len() as u64, truth.events, "events");
    assert_eq!(
        (rows.len() - readable.len()) as u64,
        truth.quarantined,
        "untimed entries are kept"
    );

    // Actors, their emails, outcomes.
    let per_actor: BTreeMap<String, u64> = query::list_actors(&case)
        .unwrap()
        .into_iter()
        .map(|a| (a.actor_id, a.n_events as u64))
        .collect();
    assert_eq!(per_actor, truth.per_actor, "events per actor");
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut org_arrays = 0;
    for row in &readable {
        *outcomes
            .entry(row.outcome.clone().unwrap_or_default())
            .or_default() += 1;
        let event = normal(row);
        let actor = event["actor"]["id"].as_str().unwrap();
        assert_eq!(
            event["actor"].get("email").and_then(Value::as_str),
            truth.emails.get(actor).map(String::as_str),
            "email of {actor}"
        );
        if actor.ends_with("[bot]") {
            assert_eq!(event["actor"]["type"], "automation");
        }
        org_arrays += usize::from(event["context"]["org"].is_array());
    }
    assert_eq!(outcomes, truth.outcomes, "outcomes");
    assert!(org_arrays > 10, "org arrays are kept as they are");

    // Each repository's visibility, change by change, and where it ended.
    assert!(truth.visibility.values().filter(|v| v.len() >= 3).count() >= 3);
    for (repo, changes) in &truth.visibility {
        let seen: Vec<(String, Value, Value)> = history(&case, "repository", repo)
            .into_iter()
            .filter(|(_, e)| e["action"] == "repo.access")
            .map(|(ts, e)| {
                (
                    ts,
                    e["before"]["visibility"].clone(),
                    e["after"]["visibility"].clone(),
                )
            })
            .collect();
        assert_eq!(&seen, changes, "visibility of {repo}");
        let state = query::timeline(&case, "repository", repo, None)
            .unwrap()
            .state;
        assert_eq!(
            state.fields["visibility"],
            changes.last().unwrap().2,
            "{repo}"
        );
    }

    // Each protected branch, setting by setting.
    assert!(truth.protection.values().filter(|v| v.len() >= 3).count() >= 3);
    for (branch, changes) in &truth.protection {
        let seen: Vec<(String, String, Value, Value)> = history(&case, "protected branch", branch)
            .into_iter()
            .map(|(ts, e)| {
                let after = e["after"].as_object().unwrap();
                assert_eq!(after.len(), 1, "{e:#}");
                let (setting, value) = after.iter().next().unwrap();
                (
                    ts,
                    setting.clone(),
                    e["before"][setting].clone(),
                    value.clone(),
                )
            })
            .collect();
        assert_eq!(&seen, changes, "protection of {branch}");
        let state = query::timeline(&case, "protected branch", branch, None)
            .unwrap()
            .state;
        for (_, setting, _, _) in changes {
            let last = changes.iter().rev().find(|c| &c.1 == setting).unwrap();
            assert_eq!(&state.fields[setting], &last.3, "{branch} {setting}");
        }
    }

    // Team memberships: who was added and removed, in order.
    assert!(truth.memberships.values().filter(|v| v.len() >= 3).count() >= 2);
    for (membership, steps) in &truth.memberships {
        let seen: Vec<(String, String)> = history(&case, "membership", membership)
            .into_iter()
            .map(|(ts, e)| (ts, e["action"].as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(&seen, steps, "membership {membership}");
    }

    // Organization roles (`old_permission`) and webhook events (`data.events_were`).
    for (membership, changes) in &truth.org_roles {
        let seen: Vec<(String, Value, Value)> = history(&case, "membership", membership)
            .into_iter()
            .map(|(ts, e)| {
                (
                    ts,
                    e["before"]["permission"].clone(),
                    e["after"]["permission"].clone(),
                )
            })
            .collect();
        assert_eq!(&seen, changes, "role of {membership}");
    }
    assert!(!truth.hook_events.is_empty());
    for (hook, changes) in &truth.hook_events {
        let seen: Vec<(String, Value, Value)> = history(&case, "hook", hook)
            .into_iter()
            .map(|(ts, e)| {
                (
                    ts,
                    e["before"]["events"].clone(),
                    e["after"]["events"].clone(),
                )
            })
            .collect();
        assert_eq!(&seen, changes, "events of hook {hook}");
    }
    // Nothing contradicts itself: no state warning at import.
    let status = run_trailscope(&["status", "--case", case_path.to_str().unwrap(), "--json"]);
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(count_kind(&status, "state_discontinuity"), 0, "{status:#}");
}

#[test]
fn each_shape_imports_with_its_actors_outcomes_and_history_and_nothing_silently_lost() {
    let temp = tempfile::tempdir().unwrap();
    for (shape, name) in [
        (GitHubShape::Json, "export.json"),
        (GitHubShape::Lines, "stream.json"),
        (GitHubShape::Csv, "export.csv"),
    ] {
        let path = temp.path().join(name);
        let truth = write_github(&path, &quirky(shape)).unwrap();
        let (code, report) = verify(&path);
        assert_eq!(code, 4, "unverifiable: {report:#}");
        assert_eq!(report["verdict"], "unverifiable");
        assert_eq!(report["bundle"]["source"], "github", "{name}");
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
        // One finding per differing repeat, one saying how many exact repeats.
        assert_eq!(count_kind(&report, "duplicate_record"), 3 + 1, "{name}");
        let case = temp.path().join(format!("{name}.case"));
        import(&case, &path);
        check_case(&case, &truth);
    }
}

#[test]
fn an_untimed_entry_is_kept_with_its_line_and_reason() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("stream.json");
    write_github(
        &path,
        &GitHubPlan {
            records: 20,
            untimed: 2,
            shape: GitHubShape::Lines,
            ..GitHubPlan::default()
        },
    )
    .unwrap();
    let (_, report) = verify(&path);
    let details: Vec<(u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "malformed_record")
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(details.len(), 2, "{report:#}");
    assert_eq!(details[0].0, 21);
    assert!(
        details[0].1.contains("no @timestamp or created_at"),
        "{details:?}"
    );
    assert_eq!(details[1].0, 22);
    assert!(
        details[1]
            .1
            .contains("\"yesterday afternoon\" is not a time"),
        "{details:?}"
    );
}

#[test]
fn a_cut_off_export_keeps_its_whole_entries_and_says_where_it_stopped() {
    let temp = tempfile::tempdir().unwrap();
    let whole = temp.path().join("whole.json");
    let truth = write_github(
        &whole,
        &GitHubPlan {
            records: 100,
            ..GitHubPlan::default()
        },
    )
    .unwrap();
    assert_eq!(truth.events, 100);
    let bytes = std::fs::read(&whole).unwrap();
    let cut = temp.path().join("cut.json");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (code, report) = verify(&cut);
    assert_eq!(code, 1, "records were lost: {report:#}");
    let records = report["chains"][0]["counts"]["records"].as_u64().unwrap();
    assert!((40..60).contains(&records), "{records}");
    assert_eq!(count_kind(&report, "file_cut_off"), 1, "{report:#}");

    // The Git events export is gzip, one entry a line: cut inside the stream.
    let lines = temp.path().join("lines.json");
    write_github(
        &lines,
        &GitHubPlan {
            records: 100,
            shape: GitHubShape::Lines,
            ..GitHubPlan::default()
        },
    )
    .unwrap();
    let gz = temp.path().join("export-acme-1772409600.json.gz");
    let compressed = {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&std::fs::read(&lines).unwrap()).unwrap();
        encoder.finish().unwrap()
    };
    std::fs::write(&gz, &compressed[..compressed.len() * 2 / 3]).unwrap();
    let (code, report) = verify(&gz);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["bundle"]["source"], "github");
    assert_eq!(count_kind(&report, "file_cut_off"), 1);
    assert!(report["chains"][0]["counts"]["records"].as_u64().unwrap() > 10);
}

#[test]
fn a_folder_of_json_and_csv_exports_is_one_source_whose_repeats_count_once() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("exports");
    std::fs::create_dir(&folder).unwrap();
    // The same entries exported twice, as JSON and as CSV: each is counted once.
    let plan = |shape| GitHubPlan {
        untimed: 0,
        ..quirky(shape)
    };
    let first = write_github(&folder.join("audit-1.json"), &plan(GitHubShape::Json)).unwrap();
    write_github(&folder.join("audit-2.csv"), &plan(GitHubShape::Csv)).unwrap();
    std::fs::write(folder.join("README.txt"), "exported by the org owner\n").unwrap();
    let (code, report) = verify(&folder);
    assert_eq!(code, 4, "{report:#}");
    assert_eq!(report["bundle"]["source"], "github");
    assert_eq!(report["chains"][0]["counts"]["records"], first.events);
    assert_eq!(count_kind(&report, "file_skipped"), 1);
    let case = temp.path().join("folder.case");
    import(&case, &folder);
    check_case(&case, &first);
}
