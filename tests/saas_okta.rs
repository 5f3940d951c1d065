//! Okta System Log exports, generated as a JSON array and as one record a line with the
//! quirks real ones have, through the `trailscope` binary and the case: events, actors
//! (people by email, apps by their Okta id), outcomes (DENY is denied, FAILURE a
//! failure, CHALLENGE a success kept as said), batches, and the field history of users
//! match what the generator wrote; exact repeats are counted once, differing repeats
//! kept with a finding, untimed records kept in quarantine; a cut-off file and a folder
//! read as the others do.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};
use trailscope::case::Case;
use trailscope::produce::entra::{EntraPlan, write_entra};
use trailscope::produce::okta::{OktaPlan, OktaShape, OktaTruth, write_okta};
use trailscope::query;

use crate::support::{all_events, count_kind, import, normal, verify};

fn quirky(shape: OktaShape) -> OktaPlan {
    OktaPlan {
        records: 400,
        seed: 17,
        shape,
        repeats: 25,
        conflicting: 3,
        untimed: 4,
    }
}

/// The case's answers against the generator's truth.
fn check_case(case_path: &Path, truth: &OktaTruth) {
    let case = Case::open_read_only(case_path).unwrap();
    let rows = all_events(&case);
    let readable: Vec<_> = rows.iter().filter(|r| r.malformed.is_none()).collect();
    assert_eq!(readable.len() as u64, truth.events, "events");
    assert_eq!(
        (rows.len() - readable.len()) as u64,
        truth.quarantined,
        "quarantined records are kept"
    );
    let actors = query::list_actors(&case).unwrap();
    let per_actor: BTreeMap<String, u64> = actors
        .iter()
        .map(|a| (a.actor_id.clone(), a.n_events as u64))
        .collect();
    assert_eq!(per_actor, truth.per_actor, "events per actor");
    let kind_of = |id: &str| {
        actors
            .iter()
            .find(|a| a.actor_id == id)
            .and_then(|a| a.actor_type.clone())
    };
    assert_eq!(kind_of("maria@acme.com").as_deref(), Some("user"));
    assert_eq!(kind_of("0oa1hrsync000000c001").as_deref(), Some("service"));
    assert_eq!(kind_of("system@okta.com").as_deref(), Some("system"));

    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut results: BTreeMap<String, u64> = BTreeMap::new();
    let mut batches: BTreeMap<String, u64> = BTreeMap::new();
    for row in &readable {
        *outcomes
            .entry(row.outcome.clone().unwrap_or_default())
            .or_default() += 1;
        let event = normal(row);
        let result = event["context"]["outcome_result"].as_str().unwrap();
        *results.entry(result.to_owned()).or_default() += 1;
        if event["context"]["transaction_type"] == "JOB" {
            let batch = event["source"]["batch_id"].as_str().unwrap();
            *batches.entry(batch.to_owned()).or_default() += 1;
        }
    }
    assert_eq!(outcomes, truth.outcomes, "outcomes");
    assert_eq!(results, truth.results, "outcome results as Okta wrote them");
    for result in ["DENY", "CHALLENGE", "FAILURE", "ALLOW"] {
        assert!(results.contains_key(result), "{result}: {results:?}");
    }
    assert_eq!(batches, truth.batches, "events per batch job");
    assert!(batches.values().any(|n| *n > 1));

    // Each user's department, event by event, as the generator changed it.
    assert!(truth.departments.len() >= 3);
    assert!(truth.departments.values().any(|changes| changes.len() >= 3));
    for (user, changes) in &truth.departments {
        let timeline = query::timeline(&case, "user", user, None).unwrap();
        let seen: Vec<(String, Option<Value>, Value)> = timeline
            .entries
            .iter()
            .filter(|entry| entry.row.action.as_deref() == Some("user.account.update_profile"))
            .map(|entry| {
                let event = normal(&entry.row);
                (
                    event["ts"].as_str().unwrap().to_owned(),
                    event.get("before").map(|b| b["department"].clone()),
                    event["after"]["department"].clone(),
                )
            })
            .collect();
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
        assert_eq!(
            timeline.state.fields["department"],
            json!(changes.last().unwrap().2),
            "state of {user}"
        );
    }

    // Every admin role grant, with the roles before and after.
    assert!(truth.role_grants.len() >= 3);
    for (ts, actor, user, before, after) in &truth.role_grants {
        let grant = readable
            .iter()
            .map(|r| normal(r))
            .find(|e| &e["ts"] == ts && e["action"] == "user.account.privilege.grant")
            .unwrap();
        assert_eq!(&grant["actor"]["id"], actor);
        assert_eq!(&grant["target"]["id"], user);
        assert_eq!(grant["category"], "permission");
        assert_eq!(grant["before"]["adminRoles"], json!(before));
        assert_eq!(grant["after"]["adminRoles"], json!(after));
    }

    // A group membership names the user as target and the group in context; a denied
    // sign-on and a failed sign-in say why.
    let add = readable
        .iter()
        .find(|r| r.action.as_deref() == Some("group.user_membership.add"))
        .unwrap();
    let add = normal(add);
    assert_eq!(add["target"]["type"], "user");
    assert_eq!(add["context"]["other_targets"][0]["type"], "group");
    let denied = readable
        .iter()
        .find(|r| r.outcome.as_deref() == Some("denied"))
        .unwrap();
    assert!(normal(denied)["reason"].as_str().unwrap().contains("DENY"));
    let failed = readable
        .iter()
        .find(|r| {
            r.outcome.as_deref() == Some("failure")
                && r.action.as_deref() == Some("user.session.start")
        })
        .unwrap();
    let failed = normal(failed);
    assert_eq!(failed["category"], "auth");
    assert!(failed["reason"].as_str().is_some());
    assert!(failed["source"]["ip"].as_str().is_some());
    assert!(failed["source"]["user_agent"].as_str().is_some());
}

#[test]
fn each_shape_imports_with_its_actors_outcomes_and_history_and_nothing_silently_lost() {
    let temp = tempfile::tempdir().unwrap();
    for (shape, name) in [
        (OktaShape::Array, "system-log.json"),
        (OktaShape::Lines, "system-log.jsonl"),
    ] {
        let path = temp.path().join(name);
        let truth = write_okta(&path, &quirky(shape)).unwrap();
        let (code, report) = verify(&path);
        assert_eq!(code, 4, "unverifiable: {report:#}");
        assert_eq!(report["verdict"], "unverifiable");
        assert_eq!(report["bundle"]["source"], "okta");
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
            reasons.iter().any(|r| r.contains("no published time")),
            "{reasons:?}"
        );
        let case = temp.path().join(format!("{name}.case"));
        import(&case, &path);
        check_case(&case, &truth);
    }
}

#[test]
fn a_cut_off_export_keeps_its_whole_records_and_says_where_it_stopped() {
    let temp = tempfile::tempdir().unwrap();
    let whole = temp.path().join("logs.json");
    let truth = write_okta(
        &whole,
        &OktaPlan {
            records: 100,
            ..OktaPlan::default()
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
    assert!((35..65).contains(&records), "{records}");
    assert_eq!(count_kind(&report, "file_cut_off"), 1);

    // One record a line, gzip-compressed and cut inside the stream.
    let lines = temp.path().join("logs.jsonl");
    write_okta(
        &lines,
        &OktaPlan {
            records: 100,
            shape: OktaShape::Lines,
            ..OktaPlan::default()
        },
    )
    .unwrap();
    let compressed = {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&std::fs::read(&lines).unwrap()).unwrap();
        encoder.finish().unwrap()
    };
    let gz = temp.path().join("logs.jsonl.gz");
    std::fs::write(&gz, &compressed[..compressed.len() * 2 / 3]).unwrap();
    let (code, report) = verify(&gz);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["bundle"]["source"], "okta");
    assert_eq!(count_kind(&report, "file_cut_off"), 1);
    assert!(report["chains"][0]["counts"]["records"].as_u64().unwrap() > 10);
}

#[test]
fn a_folder_of_pulls_is_one_source_and_names_the_files_it_skipped() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("okta");
    std::fs::create_dir(&folder).unwrap();
    let plan = OktaPlan {
        untimed: 0,
        ..quirky(OktaShape::Array)
    };
    let first = write_okta(&folder.join("pull-1.json"), &plan).unwrap();
    // The same period pulled again, one record a line: every record repeats exactly.
    write_okta(
        &folder.join("pull-2.jsonl"),
        &OktaPlan {
            shape: OktaShape::Lines,
            ..plan.clone()
        },
    )
    .unwrap();
    write_entra(&folder.join("pull-3.json"), &EntraPlan::default()).unwrap();
    let (code, report) = verify(&folder);
    assert_eq!(code, 4, "{report:#}");
    assert_eq!(report["bundle"]["source"], "okta");
    assert_eq!(report["chains"][0]["counts"]["records"], first.events);
    assert_eq!(
        report["chains"][0]["counts"]["exact_repeats"],
        first.exact_repeats + first.rows
    );
    assert_eq!(count_kind(&report, "file_skipped"), 1);
    let case = temp.path().join("folder.case");
    import(&case, &folder);
    check_case(&case, &first);
}
