//! One person across sources: a case holding a Microsoft 365 export, an Okta System Log
//! and a GitHub audit log of the same company links the accounts seen with one email
//! (Maria's UPN, her Okta login, her GitHub login with its SAML identity) into one
//! person whose events span all three, against truth the generators computed; the
//! reviewer separates an account and links it again; a case written before people
//! existed is filled in when opened.

use std::collections::{BTreeMap, BTreeSet};

use trailscope::case::Case;
use trailscope::produce::github::{GitHubPlan, GitHubShape, write_github};
use trailscope::produce::okta::{OktaPlan, OktaShape, write_okta};
use trailscope::produce::purview::{PurviewPlan, PurviewShape, write_purview};
use trailscope::query::{self, EventFilter, Order, Person};

use crate::support::import;

/// What the three generators say each address did, and through which account ids.
struct Truth {
    /// address → (account ids, events)
    people: BTreeMap<String, (BTreeSet<String>, u64)>,
}

/// Writes the three exports into `dir`, imports them into `case`, and says what the
/// case must link.
fn three_sources(dir: &std::path::Path, case: &std::path::Path) -> Truth {
    let purview = dir.join("purview.csv");
    let okta = dir.join("okta.json");
    let github = dir.join("github.json");
    let purview_truth = write_purview(
        &purview,
        &PurviewPlan {
            records: 300,
            seed: 3,
            shape: PurviewShape::Classic,
            repeats: 0,
            conflicting: 0,
            broken: 0,
            untimed: 0,
        },
    )
    .unwrap();
    let okta_truth = write_okta(
        &okta,
        &OktaPlan {
            records: 300,
            seed: 5,
            shape: OktaShape::Array,
            repeats: 0,
            conflicting: 0,
            untimed: 0,
        },
    )
    .unwrap();
    let github_truth = write_github(
        &github,
        &GitHubPlan {
            records: 300,
            seed: 7,
            shape: GitHubShape::Json,
            repeats: 0,
            conflicting: 0,
            untimed: 0,
        },
    )
    .unwrap();
    for path in [&purview, &okta, &github] {
        import(case, path);
    }

    let mut people: BTreeMap<String, (BTreeSet<String>, u64)> = BTreeMap::new();
    let mut add = |address: &str, id: &str, n: u64| {
        let entry = people.entry(address.to_lowercase()).or_default();
        entry.0.insert(id.to_owned());
        entry.1 += n;
    };
    // Microsoft 365 and Okta name people by their address.
    for (id, n) in purview_truth.per_actor.iter().chain(&okta_truth.per_actor) {
        if id.contains('@') {
            add(id, id, *n);
        }
    }
    for (login, n) in &github_truth.per_actor {
        if let Some(address) = github_truth.emails.get(login) {
            add(address, login, *n);
        }
    }
    Truth { people }
}

fn person_with<'a>(people: &'a [Person], actor_id: &str) -> &'a Person {
    people
        .iter()
        .find(|p| p.accounts.iter().any(|a| a.actor_id == actor_id))
        .unwrap_or_else(|| panic!("no person holds {actor_id}"))
}

fn events_of(case: &Case, actor_ids: Vec<String>) -> usize {
    let filter = EventFilter {
        actors: actor_ids,
        ..EventFilter::default()
    };
    query::list_events(case, &filter, Order::OldestFirst, 1_000_000, None)
        .unwrap()
        .rows
        .len()
}

#[test]
fn accounts_seen_with_one_address_are_one_person_whose_events_span_every_source() {
    let dir = tempfile::tempdir().unwrap();
    let case_path = dir.path().join("case.trailscope");
    let truth = three_sources(dir.path(), &case_path);
    let case = Case::open_read_only(&case_path).unwrap();
    let people = query::list_people(&case).unwrap();

    let mut linked_somewhere = 0;
    for (address, (ids, n_events)) in &truth.people {
        let first = ids.iter().next().unwrap();
        let person = person_with(&people, first);
        let held: BTreeSet<String> = person.actor_ids().into_iter().collect();
        assert_eq!(&held, ids, "{address}'s accounts");
        assert_eq!(person.n_events() as u64, *n_events, "{address}'s events");
        assert_eq!(
            events_of(&case, person.actor_ids()) as u64,
            *n_events,
            "filtering by {address}'s accounts finds all their events"
        );
        if ids.len() > 1 {
            linked_somewhere += 1;
            assert_eq!(person.linked_by.as_deref(), Some(address.as_str()));
            assert_eq!(person.key(), format!("linked:{address}"));
        } else {
            assert_eq!(person.linked_by, None, "{address} has one account");
        }
    }
    assert!(
        linked_somewhere >= 3,
        "the generators share people: {linked_somewhere}"
    );

    // Maria acted in all three systems; her person says so, most events first.
    let maria = person_with(&people, "maria-lopez");
    let sources: BTreeSet<&str> = maria.sources().into_iter().collect();
    assert_eq!(
        sources,
        BTreeSet::from(["microsoft-365", "okta", "github"]),
        "{maria:?}"
    );
    // Nobody is in two people, and nobody is lost.
    let mut seen = BTreeSet::new();
    for person in &people {
        for account in &person.accounts {
            assert!(
                seen.insert(account.actor_id.clone()),
                "{} twice",
                account.actor_id
            );
        }
    }
    assert_eq!(seen.len(), query::list_actors(&case).unwrap().len());
}

#[test]
fn a_separated_account_stands_alone_until_linked_again() {
    let dir = tempfile::tempdir().unwrap();
    let case_path = dir.path().join("case.trailscope");
    let truth = three_sources(dir.path(), &case_path);
    let (ids, n_events) = &truth.people["maria@acme.com"];

    let mut case = Case::open(&case_path).unwrap();
    assert!(
        case.unlink_actor("maria-lopez", "2026-12-02T10:00:00Z")
            .unwrap()
    );
    assert!(
        !case
            .unlink_actor("maria-lopez", "2026-12-02T10:00:01Z")
            .unwrap(),
        "once"
    );
    assert!(
        !case.unlink_actor("nobody", "2026-12-02T10:00:00Z").unwrap(),
        "no such actor"
    );
    let people = query::list_people(&case).unwrap();
    let apart = person_with(&people, "maria-lopez");
    assert_eq!(apart.accounts.len(), 1);
    assert!(apart.accounts[0].unlinked);
    assert_eq!(apart.linked_by, None);
    let maria = person_with(&people, "maria@acme.com");
    let github_events = apart.n_events();
    assert_eq!(maria.n_events() + github_events, *n_events as i64);
    assert!(!maria.actor_ids().contains(&"maria-lopez".to_owned()));

    assert!(case.relink_actor("maria-lopez").unwrap());
    assert!(
        !case.relink_actor("maria-lopez").unwrap(),
        "was not separated"
    );
    let people = query::list_people(&case).unwrap();
    let maria = person_with(&people, "maria-lopez");
    let held: BTreeSet<String> = maria.actor_ids().into_iter().collect();
    assert_eq!(&held, ids);
}

#[test]
fn a_case_written_before_people_existed_links_them_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let case_path = dir.path().join("case.trailscope");
    let truth = three_sources(dir.path(), &case_path);
    let before: Vec<(Vec<String>, i64)> = {
        let case = Case::open_read_only(&case_path).unwrap();
        let mut people: Vec<_> = query::list_people(&case)
            .unwrap()
            .into_iter()
            .map(|p| (p.actor_ids(), p.n_events()))
            .collect();
        people.sort();
        people
    };
    // Take the case back to schema 5, as an older Trailscope left it.
    let connection = rusqlite::Connection::open(&case_path).unwrap();
    connection
        .execute_batch(
            "DROP TABLE case_info; DROP TABLE annotation_tag; DROP TABLE annotation; DROP TABLE saved_search; DROP TABLE journal; DROP TABLE journal_head; DROP TABLE receipt; ALTER TABLE bundle DROP COLUMN format_version; ALTER TABLE bundle DROP COLUMN manifest; DROP TABLE facet_count; DROP TABLE event_column; DROP TABLE event_chunk;
                 DROP TABLE derived_index; DROP TABLE event_text; ALTER TABLE source_file DROP COLUMN sha256;
             DROP INDEX actor_by_email; ALTER TABLE actor DROP COLUMN email;
             DROP TABLE actor_source; DROP TABLE actor_unlinked; DROP TABLE raw_dictionary; ALTER TABLE event DROP COLUMN raw_codec; PRAGMA user_version = 5;",
        )
        .unwrap();
    drop(connection);

    let case = Case::open(&case_path).unwrap();
    let mut after: Vec<_> = query::list_people(&case)
        .unwrap()
        .into_iter()
        .map(|p| (p.actor_ids(), p.n_events()))
        .collect();
    after.sort();
    assert_eq!(after, before);
    let maria = person_with(&query::list_people(&case).unwrap(), "maria-lopez").clone();
    assert_eq!(
        maria.actor_ids().len(),
        truth.people["maria@acme.com"].0.len()
    );
    assert_eq!(maria.sources().len(), 3);
}
