//! GitLab audit events, generated as the REST API's JSON and the admin CSV export with
//! the quirks real ones have, through the `trailscope` binary and the case: events,
//! actors, emails, outcomes and the history of members' access levels and projects'
//! visibility match what the generator wrote; exact repeats are counted once, differing
//! repeats and untimed events are kept; a target id holding a name is kept and said;
//! GitLab, GitHub and Microsoft 365 JSON are told apart.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use trailscope::case::Case;
use trailscope::produce::github::{GitHubPlan, write_github};
use trailscope::produce::gitlab::{GitLabPlan, GitLabShape, GitLabTruth, Step, write_gitlab};
use trailscope::produce::purview::{PurviewPlan, PurviewShape, write_purview};
use trailscope::query;

use crate::support::{all_events, count_kind, import, normal, run_trailscope, verify};

fn quirky(shape: GitLabShape) -> GitLabPlan {
    GitLabPlan {
        records: 500,
        seed: 11,
        shape,
        repeats: 25,
        conflicting: 3,
        untimed: 2,
    }
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

/// The history of one field of one target, as the case's timeline gives it.
fn history(case: &Case, target_type: &str, target_id: &str, field: &str) -> Vec<Step> {
    query::timeline(case, target_type, target_id, None)
        .unwrap()
        .entries
        .iter()
        .map(|entry| {
            assert!(
                entry.discrepancies.is_empty(),
                "{target_type} {target_id}: {:?}",
                entry.discrepancies
            );
            let event = normal(&entry.row);
            (
                event["ts"].as_str().unwrap().to_owned(),
                text(&event["before"][field]),
                text(&event["after"][field]),
            )
        })
        .collect()
}

/// The case's answers against the generator's truth.
fn check_case(case_path: &Path, truth: &GitLabTruth, with_emails: bool) {
    let case = Case::open_read_only(case_path).unwrap();
    let rows = all_events(&case);
    let readable: Vec<_> = rows.iter().filter(|r| r.malformed.is_none()).collect();
    assert_eq!(readable.len() as u64, truth.events, "events");
    assert_eq!(
        (rows.len() - readable.len()) as u64,
        truth.quarantined,
        "untimed events are kept"
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
        let event = normal(row);
        let actor = event["actor"]["id"].as_str().unwrap();
        // The CSV export has no email; the JSON gives it wherever GitLab knows it.
        let expected = truth.emails.get(actor).filter(|_| with_emails);
        assert_eq!(
            event["actor"].get("email").and_then(Value::as_str),
            expected.map(String::as_str),
            "email of {actor}"
        );
        if event["outcome"] == "failure" {
            assert_eq!(event["category"], "auth", "{event:#}");
        }
    }
    assert_eq!(outcomes, truth.outcomes, "outcomes");
    assert!(truth.outcomes.get("failure").is_some_and(|n| *n > 5));

    // Each membership's access level, event by event: added, changed, removed.
    assert!(
        truth
            .access_levels
            .values()
            .filter(|h| h.len() >= 4)
            .count()
            >= 5,
        "memberships change several times"
    );
    for (membership, steps) in &truth.access_levels {
        assert_eq!(
            &history(&case, "membership", membership, "access_level"),
            steps,
            "access level of {membership}"
        );
    }
    // Each project's visibility, and where it ended.
    for (project, steps) in &truth.visibility {
        assert!(steps.len() >= 3);
        let seen: Vec<Step> = history(&case, "project", project, "visibility")
            .into_iter()
            .filter(|(_, before, after)| before.is_some() || after.is_some())
            .collect();
        assert_eq!(&seen, steps, "visibility of project {project}");
        let state = query::timeline(&case, "project", project, None)
            .unwrap()
            .state;
        assert_eq!(
            text(&state.fields["visibility"]),
            steps.last().unwrap().2,
            "{project}"
        );
    }
    // Subgroups whose target id GitLab wrote as their path: kept, and said.
    assert!(!truth.named_targets.is_empty());
    for (ts, path) in &truth.named_targets {
        let seen = history(&case, "group", path, "none");
        assert_eq!(seen.len(), 1, "{path}");
        assert_eq!(&seen[0].0, ts);
        let row = &query::timeline(&case, "group", path, None).unwrap().entries[0].row;
        assert_eq!(normal(row)["context"]["target_id_is_name"], true);
    }
    let status = run_trailscope(&["status", "--case", case_path.to_str().unwrap(), "--json"]);
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(count_kind(&status, "state_discontinuity"), 0, "{status:#}");
}

#[test]
fn each_shape_imports_with_its_actors_outcomes_and_history_and_nothing_silently_lost() {
    let temp = tempfile::tempdir().unwrap();
    for (shape, name) in [
        (GitLabShape::Json, "audit_events.json"),
        (GitLabShape::Csv, "audit_events.csv"),
    ] {
        let path = temp.path().join(name);
        let truth = write_gitlab(&path, &quirky(shape)).unwrap();
        let (code, report) = verify(&path);
        assert_eq!(code, 4, "unverifiable: {report:#}");
        assert_eq!(report["bundle"]["source"], "gitlab", "{name}");
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
        assert_eq!(count_kind(&report, "duplicate_record"), 3 + 1, "{name}");
        let case = temp.path().join(format!("{name}.case"));
        import(&case, &path);
        check_case(&case, &truth, shape == GitLabShape::Json);
    }
}

#[test]
fn an_untimed_row_is_kept_with_its_line_and_reason() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("audit.csv");
    write_gitlab(
        &path,
        &GitLabPlan {
            records: 20,
            untimed: 2,
            shape: GitLabShape::Csv,
            ..GitLabPlan::default()
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
    // Header on line 1, twenty events on lines 2-21.
    assert_eq!(details.len(), 2, "{report:#}");
    assert_eq!(details[0].0, 22);
    assert!(
        details[0].1.contains("Created At (UTC) is empty"),
        "{details:?}"
    );
    assert_eq!(details[1].0, 23);
    assert!(
        details[1]
            .1
            .contains("\"yesterday afternoon\" is not a time"),
        "{details:?}"
    );
}

#[test]
fn a_cut_off_export_keeps_its_whole_events_and_says_where_it_stopped() {
    let temp = tempfile::tempdir().unwrap();
    let whole = temp.path().join("whole.json");
    let truth = write_gitlab(
        &whole,
        &GitLabPlan {
            records: 100,
            ..GitLabPlan::default()
        },
    )
    .unwrap();
    assert_eq!(truth.events, 100);
    let bytes = std::fs::read(&whole).unwrap();
    let gz = temp.path().join("cut.json.gz");
    let compressed = {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&bytes).unwrap();
        encoder.finish().unwrap()
    };
    std::fs::write(&gz, &compressed[..compressed.len() * 2 / 3]).unwrap();
    let (code, report) = verify(&gz);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["bundle"]["source"], "gitlab");
    assert_eq!(count_kind(&report, "file_cut_off"), 1);
    let records = report["chains"][0]["counts"]["records"].as_u64().unwrap();
    assert!((10..100).contains(&records), "{records}");
}

#[test]
fn gitlab_github_and_microsoft_365_json_are_told_apart() {
    let temp = tempfile::tempdir().unwrap();
    let gitlab = temp.path().join("gitlab.json");
    let github = temp.path().join("github.json");
    let purview = temp.path().join("purview.json");
    write_gitlab(&gitlab, &GitLabPlan::default()).unwrap();
    write_github(&github, &GitHubPlan::default()).unwrap();
    write_purview(
        &purview,
        &PurviewPlan {
            shape: PurviewShape::Json,
            ..PurviewPlan::default()
        },
    )
    .unwrap();
    for (path, source) in [
        (&gitlab, "gitlab"),
        (&github, "github"),
        (&purview, "microsoft-365"),
    ] {
        let (code, report) = verify(path);
        assert_eq!(code, 4, "{report:#}");
        assert_eq!(report["bundle"]["source"], source);
        assert_eq!(report["chains"][0]["counts"]["records"], 200);
    }
    // A folder of GitLab exports skips the GitHub file in it.
    let folder = temp.path().join("mixed");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(&gitlab, folder.join("a-gitlab.json")).unwrap();
    std::fs::copy(&github, folder.join("b-github.json")).unwrap();
    let (_, report) = verify(&folder);
    assert_eq!(report["bundle"]["source"], "gitlab");
    assert_eq!(count_kind(&report, "file_skipped"), 1);
    assert_eq!(report["chains"][0]["counts"]["records"], 200);
}
