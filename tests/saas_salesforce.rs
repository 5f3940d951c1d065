//! Salesforce exports — field history, Setup Audit Trail and a User export in one
//! folder — generated with the quirks real ones have, through the `trailscope` binary
//! and the case: events, actors and their names, outcomes, categories, and each
//! record's state after each of its changes match what the generator wrote; rows
//! repeated by overlapping exports count once, a history Id that comes back with
//! another value is kept twice, rows without a usable time are kept in quarantine; a
//! gzip folder reads the same; a cut-off file keeps what is whole.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value, json};
use trailscope::case::Case;
use trailscope::produce::salesforce::{SalesforcePlan, SalesforceTruth, write_salesforce};
use trailscope::query;

use crate::support::{all_events, findings, import, millis, normal, verify};

fn quirky() -> SalesforcePlan {
    SalesforcePlan {
        seed: 23,
        opportunities: 8,
        accounts: 6,
        updates: 7,
        setup_rows: 20,
        repeats: 12,
        conflicting: 1,
        untimed: 2,
        data_loader: true,
    }
}

/// The report of the generated folder against the truth.
fn check_report(report: &Value, truth: &SalesforceTruth) {
    assert_eq!(report["verdict"], "unverifiable", "{report:#}");
    assert_eq!(report["bundle"]["source"], "salesforce");
    let chain = &report["chains"][0];
    assert_eq!(chain["counts"]["records"], truth.events);
    assert_eq!(chain["counts"]["exact_repeats"], truth.exact_repeats);
    let malformed = findings(report, "malformed_record");
    assert_eq!(malformed.len() as u64, truth.quarantined);
    assert!(
        malformed
            .iter()
            .all(|f| f["detail"].as_str().unwrap().contains("CreatedDate")),
        "{malformed:#?}"
    );
    // One finding per differing repeat, one for the file of exact repeats.
    let duplicates = findings(report, "duplicate_record");
    assert_eq!(
        duplicates.len(),
        truth.conflicts.len() + 1,
        "{duplicates:#?}"
    );
    assert!(
        duplicates.iter().any(|f| f["detail"]
            .as_str()
            .unwrap()
            .contains("OpportunityFieldHistory_2.csv")),
        "{duplicates:#?}"
    );
    assert!(findings(report, "file_skipped").is_empty());
    let completeness = chain["dimensions"]["completeness"]["detail"]
        .as_str()
        .unwrap();
    assert!(
        completeness.contains("field history rows folded into"),
        "{completeness}"
    );
}

/// The case's answers against the generator's truth.
fn check_case(case_path: &Path, truth: &SalesforceTruth) {
    let case = Case::open_read_only(case_path).unwrap();
    let rows = all_events(&case);
    let readable: Vec<_> = rows.iter().filter(|r| r.malformed.is_none()).collect();
    assert_eq!(readable.len() as u64, truth.events, "events");
    assert_eq!(
        (rows.len() - readable.len()) as u64,
        truth.quarantined,
        "quarantined rows are kept"
    );

    // Actors, with the names and emails of the User export.
    let mut per_actor: BTreeMap<String, u64> = BTreeMap::new();
    for actor in query::list_actors(&case).unwrap() {
        per_actor.insert(actor.actor_id.clone(), actor.n_events as u64);
        match truth.names.get(&actor.actor_id) {
            Some((name, _)) => assert_eq!(actor.name.as_deref(), Some(name.as_str())),
            None => {
                assert!(truth.unnamed.contains(&actor.actor_id), "{actor:?}");
                assert_eq!(actor.name, None);
            }
        }
    }
    assert_eq!(per_actor, truth.per_actor, "events per actor");
    for row in &readable {
        let event = normal(row);
        if let Some((_, email)) = truth.names.get(event["actor"]["id"].as_str().unwrap()) {
            assert_eq!(event["actor"]["email"], json!(email));
        }
    }
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut categories: BTreeMap<String, u64> = BTreeMap::new();
    for row in &readable {
        *outcomes
            .entry(row.outcome.clone().unwrap_or_default())
            .or_default() += 1;
        *categories
            .entry(row.category.clone().unwrap_or_default())
            .or_default() += 1;
    }
    assert_eq!(outcomes, truth.outcomes, "outcomes");
    assert_eq!(categories, truth.categories, "categories");

    // Every record's state after each of its changes, as the generator made them.
    assert!(truth.history.len() >= 10);
    for ((object, id), changes) in &truth.history {
        let whole = query::timeline(&case, object, id, None).unwrap();
        assert_eq!(whole.entries.len(), changes.len(), "{object} {id}");
        for (ts, state) in changes {
            let timeline = query::timeline(&case, object, id, Some(millis(ts))).unwrap();
            let expected: Map<String, Value> = state
                .iter()
                .map(|(field, value)| (field.clone(), json!(value)))
                .collect();
            assert_eq!(
                timeline.state.fields, expected,
                "{object} {id} after its change at {ts}"
            );
        }
    }
    // StageName and Amount changed several times on the opportunities; owners and
    // ratings on the accounts.
    let changed = |object: &str, field: &str| {
        truth
            .history
            .iter()
            .filter(|((o, _), _)| o == object)
            .map(|(_, changes)| {
                changes
                    .windows(2)
                    .filter(|w| w[0].1.get(field) != w[1].1.get(field))
                    .count()
            })
            .max()
            .unwrap_or(0)
    };
    assert!(changed("Opportunity", "StageName") >= 3);
    assert!(changed("Opportunity", "Amount") >= 3);
    assert!(changed("Account", "OwnerId") >= 1);
    assert!(changed("Account", "Rating") >= 1);

    // The formula-looking value is stored as the text it is.
    let (object, id, field, value) = &truth.formula;
    let timeline = query::timeline(&case, object, id, None).unwrap();
    assert!(
        timeline
            .entries
            .iter()
            .any(|entry| normal(&entry.row)["after"][field] == json!(value)),
        "{value}"
    );

    // A history Id that came back with another value: both changes, one id.
    for (object, id, ts, field, first, other) in &truth.conflicts {
        let timeline = query::timeline(&case, object, id, None).unwrap();
        let at: Vec<Value> = timeline
            .entries
            .iter()
            .map(|entry| normal(&entry.row))
            .filter(|event| event["ts"] == json!(ts) && event["after"].get(field).is_some())
            .collect();
        assert_eq!(at.len(), 2, "{at:#?}");
        assert_eq!(at[0]["id"], at[1]["id"]);
        let mut values: Vec<&Value> = at.iter().map(|e| &e["after"][field]).collect();
        values.sort_by_key(|v| v.to_string());
        let mut expected = [json!(first), json!(other)];
        expected.sort_by_key(|v| v.to_string());
        assert_eq!(values, expected.iter().collect::<Vec<_>>());
    }

    // Login-As: the administrator acted, in the session of the user she logged in as.
    assert!(!truth.delegated.is_empty());
    for (ts, action, actor, whom) in &truth.delegated {
        let event = readable
            .iter()
            .map(|r| normal(r))
            .find(|e| e["ts"] == json!(ts) && e["action"] == json!(action))
            .unwrap();
        assert_eq!(event["actor"]["id"], json!(actor));
        assert_eq!(event["on_behalf_of"]["id"], json!(whom));
        assert_eq!(event["context"]["impersonation"], true);
    }
    // "Changed X from A to B" reads as a before and after, and keeps its text.
    assert!(!truth.setting_changes.is_empty());
    for (ts, what, from, to) in &truth.setting_changes {
        let event = readable
            .iter()
            .map(|r| normal(r))
            .find(|e| e["ts"] == json!(ts) && e["before"].get(what).is_some())
            .unwrap_or_else(|| panic!("{what} at {ts}"));
        assert_eq!(event["before"][what], json!(from));
        assert_eq!(event["after"][what], json!(to));
        assert!(
            event["context"]["display"]
                .as_str()
                .unwrap()
                .starts_with("Changed ")
        );
    }
}

#[test]
fn a_folder_of_history_setup_trail_and_users_imports_as_one_source_with_names() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("salesforce");
    let truth = write_salesforce(&folder, &quirky()).unwrap();
    assert!(truth.exact_repeats >= 12);
    let (code, report) = verify(&folder);
    assert_eq!(code, 4, "unverifiable: {report:#}");
    check_report(&report, &truth);
    let case = temp.path().join("salesforce.case");
    import(&case, &folder);
    check_case(&case, &truth);
}

#[test]
fn the_same_folder_gzipped_with_a_note_beside_it_reads_the_same() {
    let temp = tempfile::tempdir().unwrap();
    let plain = temp.path().join("plain");
    let truth = write_salesforce(&plain, &quirky()).unwrap();
    let gzipped = temp.path().join("gzipped");
    std::fs::create_dir(&gzipped).unwrap();
    for name in &truth.files {
        let bytes = std::fs::read(plain.join(name)).unwrap();
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&bytes).unwrap();
        std::fs::write(
            gzipped.join(format!("{name}.gz")),
            encoder.finish().unwrap(),
        )
        .unwrap();
    }
    std::fs::write(gzipped.join("notes.txt"), "exported by Dana, March\n").unwrap();
    let (code, report) = verify(&gzipped);
    assert_eq!(code, 4, "{report:#}");
    let chain = &report["chains"][0];
    assert_eq!(chain["counts"]["records"], truth.events);
    assert_eq!(chain["counts"]["exact_repeats"], truth.exact_repeats);
    assert_eq!(findings(&report, "file_skipped").len(), 1);
    let case = temp.path().join("gzipped.case");
    import(&case, &gzipped);
    check_case(&case, &truth);
}

#[test]
fn one_history_file_alone_imports_without_names_and_the_users_file_alone_has_no_events() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("exports");
    let truth = write_salesforce(&folder, &SalesforcePlan::default()).unwrap();
    let (code, report) = verify(&folder.join("AccountHistory.csv"));
    assert_eq!(code, 4, "{report:#}");
    let accounts: usize = truth
        .history
        .iter()
        .filter(|((object, _), _)| object == "Account")
        .map(|(_, changes)| changes.len())
        .sum();
    assert_eq!(report["chains"][0]["counts"]["records"], accounts as u64);
    let case = temp.path().join("accounts.case");
    import(&case, &folder.join("AccountHistory.csv"));
    let opened = Case::open_read_only(&case).unwrap();
    assert!(
        query::list_actors(&opened)
            .unwrap()
            .iter()
            .all(|a| a.name.is_none())
    );
    // A User export is Salesforce's, and holds no events.
    let (_, report) = verify(&folder.join("User.csv"));
    assert_eq!(report["bundle"]["source"], "salesforce");
    assert_eq!(report["chains"][0]["counts"]["records"], 0);
}

#[test]
fn a_cut_off_history_file_keeps_its_whole_rows_and_says_where_it_stopped() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("exports");
    write_salesforce(
        &folder,
        &SalesforcePlan {
            opportunities: 30,
            updates: 8,
            ..SalesforcePlan::default()
        },
    )
    .unwrap();
    let bytes = std::fs::read(folder.join("OpportunityFieldHistory.csv")).unwrap();
    let compressed = {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&bytes).unwrap();
        encoder.finish().unwrap()
    };
    let cut = temp.path().join("OpportunityFieldHistory.csv.gz");
    std::fs::write(&cut, &compressed[..compressed.len() * 2 / 3]).unwrap();
    let (code, report) = verify(&cut);
    assert_eq!(code, 1, "records were lost: {report:#}");
    assert_eq!(findings(&report, "file_cut_off").len(), 1);
    assert!(report["chains"][0]["counts"]["records"].as_u64().unwrap() > 10);
}
