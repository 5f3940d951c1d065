//! Microsoft 365 (Purview) audit search exports, generated in the three shapes with the
//! quirks real ones have, through the `trailscope` binary and the case: events, actors,
//! outcomes and the field history of users match what the generator wrote; exact
//! repeats are counted once, differing repeats and broken rows are kept; a cut-off file
//! keeps what is whole.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};
use trailscope::case::Case;
use trailscope::produce::purview::{PurviewPlan, PurviewShape, PurviewTruth, write_purview};
use trailscope::query;

use crate::support::{all_events, count_kind, import, verify};

fn quirky(shape: PurviewShape) -> PurviewPlan {
    PurviewPlan {
        records: 400,
        seed: 11,
        shape,
        repeats: 25,
        conflicting: 3,
        broken: 2,
        untimed: 2,
    }
}

/// The case's answers against the generator's truth.
fn check_case(case_path: &Path, truth: &PurviewTruth) {
    let case = Case::open_read_only(case_path).unwrap();
    let rows = all_events(&case);
    let readable: Vec<_> = rows.iter().filter(|r| r.malformed.is_none()).collect();
    assert_eq!(readable.len() as u64, truth.events, "events");
    assert_eq!(
        (rows.len() - readable.len()) as u64,
        truth.quarantined,
        "quarantined rows are kept"
    );
    let mut per_actor: BTreeMap<String, u64> = BTreeMap::new();
    for actor in query::list_actors(&case).unwrap() {
        per_actor.insert(actor.actor_id, actor.n_events as u64);
    }
    assert_eq!(per_actor, truth.per_actor, "events per actor");
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    for row in &readable {
        *outcomes
            .entry(row.outcome.clone().unwrap_or_default())
            .or_default() += 1;
    }
    assert_eq!(outcomes, truth.outcomes, "outcomes");
    // Each user's department, event by event, as the generator changed it.
    assert!(truth.departments.len() >= 3);
    for (user, changes) in &truth.departments {
        let timeline = query::timeline(&case, "user", user, None).unwrap();
        let department_changes: Vec<(String, Option<Value>, Value)> = timeline
            .entries
            .iter()
            .filter(|entry| entry.row.action.as_deref() == Some("Update user."))
            .map(|entry| {
                let normal: Value =
                    serde_json::from_slice(entry.row.normal.as_deref().unwrap()).unwrap();
                (
                    normal["ts"].as_str().unwrap().to_owned(),
                    normal["before"].get("Department").cloned(),
                    normal["after"]["Department"].clone(),
                )
            })
            .collect();
        let expected: Vec<(String, Option<Value>, Value)> = changes
            .iter()
            // `["Finance"]` → `["Legal"]` reads as one department replaced by another.
            .map(|(ts, before, after)| {
                (ts.clone(), before.as_ref().map(|b| json!(b)), json!(after))
            })
            .collect();
        assert_eq!(department_changes, expected, "history of {user}");
        let last = &changes.last().unwrap().2;
        assert_eq!(
            timeline.state.fields["Department"],
            json!(last),
            "state of {user}"
        );
    }
    // A role grant reads who gave which role to whom.
    let (ts, actor, user, role) = truth.role_grants.first().unwrap();
    let grant = readable
        .iter()
        .find(|r| {
            r.action.as_deref() == Some("Add member to role.")
                && r.target_id.as_deref() == Some(user)
        })
        .unwrap();
    let normal: Value = serde_json::from_slice(grant.normal.as_deref().unwrap()).unwrap();
    assert!(
        truth
            .role_grants
            .iter()
            .any(|(t, a, u, r)| t == &normal["ts"]
                && a == &normal["actor"]["id"]
                && u == &normal["target"]["id"]
                && r == &normal["after"]["Role.DisplayName"])
    );
    let _ = (ts, actor, role);
}

#[test]
fn each_shape_imports_with_its_actors_outcomes_and_history_and_nothing_silently_lost() {
    let temp = tempfile::tempdir().unwrap();
    for (shape, name) in [
        (PurviewShape::Classic, "classic.csv"),
        (PurviewShape::New, "new.csv"),
        (PurviewShape::Json, "api.json"),
    ] {
        let path = temp.path().join(name);
        let truth = write_purview(&path, &quirky(shape)).unwrap();
        let (code, report) = verify(&path);
        assert_eq!(code, 4, "unverifiable: {report:#}");
        assert_eq!(report["verdict"], "unverifiable");
        assert_eq!(report["bundle"]["source"], "microsoft-365");
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
        let output = import(&case, &path);
        assert!(
            output.status.code().is_some_and(|c| c != 2),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        check_case(&case, &truth);
    }
}

#[test]
fn a_broken_audit_data_row_is_kept_with_its_line_and_reason() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("search.csv");
    write_purview(
        &path,
        &PurviewPlan {
            records: 20,
            broken: 1,
            ..PurviewPlan::default()
        },
    )
    .unwrap();
    let (_, report) = verify(&path);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "malformed_record")
        .unwrap();
    // Header on line 1, twenty records on lines 2-21: the broken row is line 22.
    assert_eq!(finding["line"], 22, "{finding:#}");
    assert!(
        finding["detail"]
            .as_str()
            .unwrap()
            .contains("AuditData is not valid JSON"),
        "{finding:#}"
    );
}

#[test]
fn a_cut_off_export_keeps_its_whole_records_and_says_where_it_stopped() {
    let temp = tempfile::tempdir().unwrap();
    let whole = temp.path().join("whole.json");
    let truth = write_purview(
        &whole,
        &PurviewPlan {
            records: 100,
            shape: PurviewShape::Json,
            ..PurviewPlan::default()
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
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "file_cut_off")
        .unwrap();
    assert!(
        finding["detail"]
            .as_str()
            .unwrap()
            .contains("cut off at byte"),
        "{finding:#}"
    );

    // The same cut inside a gzip stream.
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
    assert_eq!(count_kind(&report, "file_cut_off"), 1);
    assert!(report["chains"][0]["counts"]["records"].as_u64().unwrap() > 10);
}

#[test]
fn a_folder_of_exports_is_one_source_and_names_the_files_it_skipped() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("exports");
    std::fs::create_dir(&folder).unwrap();
    // Two overlapping searches: the second repeats the first's records exactly (in the
    // newer shape, so only their AuditData is the same).
    let plan = |shape| PurviewPlan {
        broken: 0,
        untimed: 0,
        ..quirky(shape)
    };
    let first = write_purview(&folder.join("search-1.csv"), &plan(PurviewShape::Classic)).unwrap();
    write_purview(&folder.join("search-2.csv"), &plan(PurviewShape::New)).unwrap();
    std::fs::write(
        folder.join("notes.txt"),
        "asked HR for the March searches\n",
    )
    .unwrap();
    let (code, report) = verify(&folder);
    assert_eq!(code, 4, "{report:#}");
    assert_eq!(report["chains"][0]["counts"]["records"], first.events);
    assert_eq!(count_kind(&report, "file_skipped"), 1);
    let case = temp.path().join("folder.case");
    import(&case, &folder);
    check_case(&case, &first);
}
