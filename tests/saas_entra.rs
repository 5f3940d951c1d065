//! Entra ID audit logs, generated as a Graph page, the portal's JSON array and its CSV
//! with the quirks real ones have, through the `trailscope` binary and the case:
//! events, actors (users by UPN, apps by service principal), outcomes (timeouts are
//! failures) and the field history of users match what the generator wrote; exact
//! repeats are counted once, differing repeats kept with a finding, untimed records
//! kept in quarantine; a cut-off or gzip file, and a folder, read as the others do; and
//! Entra, Okta and Microsoft 365 files are not taken for one another.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};
use trailscope::case::Case;
use trailscope::produce::entra::{EntraPlan, EntraShape, EntraTruth, write_entra};
use trailscope::produce::okta::{OktaPlan, write_okta};
use trailscope::produce::purview::{PurviewPlan, PurviewShape, write_purview};
use trailscope::query::{self, EventFilter, Order};
use trailscope::source::SourceKind;
use trailscope::source::saas::detect;

use crate::support::{count_kind, import, normal, verify};

fn quirky(shape: EntraShape) -> EntraPlan {
    EntraPlan {
        records: 400,
        seed: 13,
        shape,
        repeats: 25,
        conflicting: 3,
        untimed: 4,
    }
}

/// The case's answers against the generator's truth.
fn check_case(case_path: &Path, truth: &EntraTruth) {
    let case = Case::open_read_only(case_path).unwrap();
    let rows = query::list_events(
        &case,
        &EventFilter::default(),
        Order::OldestFirst,
        100_000,
        None,
    )
    .unwrap()
    .rows;
    let readable: Vec<_> = rows.iter().filter(|r| r.malformed.is_none()).collect();
    assert_eq!(readable.len() as u64, truth.events, "events");
    assert_eq!(
        (rows.len() - readable.len()) as u64,
        truth.quarantined,
        "quarantined records are kept"
    );
    let mut per_actor: BTreeMap<String, u64> = BTreeMap::new();
    for actor in query::list_actors(&case).unwrap() {
        per_actor.insert(actor.actor_id, actor.n_events as u64);
    }
    assert_eq!(per_actor, truth.per_actor, "events per actor");
    assert!(
        query::list_actors(&case)
            .unwrap()
            .iter()
            .any(|a| a.actor_type.as_deref() == Some("service")),
        "the provisioning app is an actor"
    );
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    for row in &readable {
        *outcomes
            .entry(row.outcome.clone().unwrap_or_default())
            .or_default() += 1;
    }
    assert_eq!(outcomes, truth.outcomes, "outcomes");

    // Each user's department, event by event, as the generator changed it.
    assert!(truth.departments.len() >= 3);
    assert!(truth.departments.values().any(|changes| changes.len() >= 3));
    for (user, changes) in &truth.departments {
        let timeline = query::timeline(&case, "user", user, None).unwrap();
        let seen: Vec<(String, Option<Value>, Value)> = timeline
            .entries
            .iter()
            .filter(|entry| entry.row.action.as_deref() == Some("Update user"))
            .map(|entry| {
                let event = normal(&entry.row);
                (
                    event["ts"].as_str().unwrap().to_owned(),
                    event["before"].get("Department").cloned(),
                    event["after"]["Department"].clone(),
                )
            })
            .collect();
        // Microsoft writes `["Finance"]` → `["Legal"]`: read as one department replaced
        // by another; a user with no department yet (`[]`) has none before.
        let expected: Vec<(String, Option<Value>, Value)> = changes
            .iter()
            .map(|(ts, before, after)| {
                (ts.clone(), before.as_ref().map(|b| json!(b)), json!(after))
            })
            .collect();
        assert_eq!(seen, expected, "history of {user}");
        assert!(
            timeline.entries.iter().all(|e| e.discrepancies.is_empty()),
            "each before agrees with the state the earlier events left ({user})"
        );
        let last = &changes.last().unwrap().2;
        assert_eq!(
            timeline.state.fields["Department"],
            json!(last),
            "state of {user}"
        );
        assert!(
            !timeline
                .state
                .fields
                .contains_key("Included Updated Properties"),
            "the list of updated properties is not a property"
        );
    }

    // Every role grant reads who gave which role to whom.
    let grants: Vec<(String, String, String, String)> = readable
        .iter()
        .filter(|r| r.action.as_deref() == Some("Add member to role"))
        .map(|r| {
            let event = normal(r);
            assert_eq!(event["category"], "permission");
            assert_eq!(event["context"]["other_targets"][0]["type"], "role");
            (
                event["ts"].as_str().unwrap().to_owned(),
                event["actor"]["id"].as_str().unwrap().to_owned(),
                event["target"]["id"].as_str().unwrap().to_owned(),
                event["after"]["Role.DisplayName"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    let mut expected_grants = truth.role_grants.clone();
    let mut grants_sorted = grants.clone();
    // A conflicting repeat of a grant is a second event with the same content.
    grants_sorted.sort();
    grants_sorted.dedup();
    expected_grants.sort();
    assert_eq!(grants_sorted, expected_grants, "role grants");

    // A group membership names the user as target and the group in context.
    let (ts, user, group) = truth.group_adds.first().unwrap();
    let add = readable
        .iter()
        .map(|r| normal(r))
        .find(|e| &e["ts"] == ts && e["action"] == "Add member to group")
        .unwrap();
    assert_eq!(&add["target"]["id"], user);
    assert_eq!(&add["context"]["other_targets"][0]["name"], group);
    assert_eq!(add["actor"]["type"], "service");

    // A failed password reset says why.
    let reset = readable
        .iter()
        .find(|r| r.action.as_deref() == Some("Reset password (self-service)"))
        .unwrap();
    assert_eq!(reset.outcome.as_deref(), Some("failure"));
    let reset = normal(reset);
    assert_eq!(reset["category"], "auth");
    assert!(reset["reason"].as_str().unwrap().len() > 5);
    assert_eq!(reset["actor"]["id"], reset["target"]["id"]);
}

#[test]
fn each_shape_imports_with_its_actors_outcomes_and_history_and_nothing_silently_lost() {
    let temp = tempfile::tempdir().unwrap();
    for (shape, name) in [
        (EntraShape::Graph, "directoryAudits.json"),
        (EntraShape::Array, "AuditLogs_2026-03-02.json"),
        (EntraShape::Csv, "AuditLogs_2026-03-02.csv"),
    ] {
        let path = temp.path().join(name);
        let truth = write_entra(&path, &quirky(shape)).unwrap();
        assert!(truth.outcomes["failure"] > 10, "{:?}", truth.outcomes);
        let (code, report) = verify(&path);
        assert_eq!(code, 4, "unverifiable: {report:#}");
        assert_eq!(report["verdict"], "unverifiable");
        assert_eq!(report["bundle"]["source"], "entra-id");
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
        // One finding per differing repeat (none in the CSV, which has no ids), one
        // saying how many exact repeats there were.
        let differing = if shape == EntraShape::Csv { 0 } else { 3 };
        assert_eq!(truth.differing_repeats, differing);
        assert_eq!(
            count_kind(&report, "duplicate_record") as u64,
            differing + 1,
            "{name}"
        );
        let reasons: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "malformed_record")
            .map(|f| f["detail"].as_str().unwrap())
            .collect();
        assert!(
            reasons.iter().any(|r| r.contains("is not a time")),
            "{reasons:?}"
        );
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("no activityDateTime") || r.contains("Date (UTC) is empty")),
            "{reasons:?}"
        );
        let case = temp.path().join(format!("{name}.case"));
        import(&case, &path);
        check_case(&case, &truth);
    }
}

#[test]
fn a_cut_off_page_keeps_its_whole_records_and_a_gzip_file_reads_whole() {
    let temp = tempfile::tempdir().unwrap();
    let whole = temp.path().join("page.json");
    let truth = write_entra(
        &whole,
        &EntraPlan {
            records: 100,
            shape: EntraShape::Graph,
            ..EntraPlan::default()
        },
    )
    .unwrap();
    let bytes = std::fs::read(&whole).unwrap();
    let cut = temp.path().join("cut.json");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (code, report) = verify(&cut);
    assert_eq!(code, 1, "records were lost: {report:#}");
    let records = report["chains"][0]["counts"]["records"].as_u64().unwrap();
    assert!((35..65).contains(&records), "{records}");
    assert_eq!(count_kind(&report, "file_cut_off"), 1);

    let gz = temp.path().join("page.json.gz");
    let compressed = {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&bytes).unwrap();
        encoder.finish().unwrap()
    };
    std::fs::write(&gz, &compressed).unwrap();
    let (code, report) = verify(&gz);
    assert_eq!(code, 4, "{report:#}");
    assert_eq!(report["bundle"]["source"], "entra-id");
    assert_eq!(report["chains"][0]["counts"]["records"], truth.events);
}

#[test]
fn a_folder_of_pages_is_one_source_and_names_the_files_it_skipped() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("entra");
    std::fs::create_dir(&folder).unwrap();
    let plan = EntraPlan {
        untimed: 0,
        ..quirky(EntraShape::Graph)
    };
    let first = write_entra(&folder.join("page-1.json"), &plan).unwrap();
    // The same period downloaded again: every record repeats exactly.
    write_entra(
        &folder.join("page-2.json"),
        &EntraPlan {
            shape: EntraShape::Array,
            ..plan.clone()
        },
    )
    .unwrap();
    write_okta(&folder.join("page-3.json"), &OktaPlan::default()).unwrap();
    std::fs::write(folder.join("notes.txt"), "asked IT for March\n").unwrap();
    let (code, report) = verify(&folder);
    assert_eq!(code, 4, "{report:#}");
    assert_eq!(report["chains"][0]["counts"]["records"], first.events);
    assert_eq!(
        report["chains"][0]["counts"]["exact_repeats"],
        first.exact_repeats + first.rows
    );
    assert_eq!(count_kind(&report, "file_skipped"), 2);
    let case = temp.path().join("folder.case");
    import(&case, &folder);
    check_case(&case, &first);
}

#[test]
fn entra_okta_and_microsoft_365_files_are_not_taken_for_one_another() {
    let temp = tempfile::tempdir().unwrap();
    let entra = temp.path().join("a.json");
    let entra_csv = temp.path().join("b.csv");
    let okta = temp.path().join("c.json");
    let purview = temp.path().join("d.json");
    let purview_csv = temp.path().join("e.csv");
    write_entra(&entra, &EntraPlan::default()).unwrap();
    write_entra(
        &entra_csv,
        &EntraPlan {
            shape: EntraShape::Csv,
            ..EntraPlan::default()
        },
    )
    .unwrap();
    write_okta(&okta, &OktaPlan::default()).unwrap();
    for (path, shape) in [
        (&purview, PurviewShape::Json),
        (&purview_csv, PurviewShape::New),
    ] {
        write_purview(
            path,
            &PurviewPlan {
                shape,
                ..PurviewPlan::default()
            },
        )
        .unwrap();
    }
    let kind = |path: &Path| detect(path).unwrap().map(|f| f.kind());
    assert_eq!(kind(&entra), Some(SourceKind::EntraId));
    assert_eq!(kind(&entra_csv), Some(SourceKind::EntraId));
    assert_eq!(kind(&okta), Some(SourceKind::Okta));
    assert_eq!(kind(&purview), Some(SourceKind::Microsoft365));
    assert_eq!(kind(&purview_csv), Some(SourceKind::Microsoft365));
}
