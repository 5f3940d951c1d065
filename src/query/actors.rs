//! Every actor of a case: who or what acted, how often, when, and how often it failed
//! or was denied. Read from the `actor` table the import keeps up to date.
//!
//! One person often has an account in each system a case holds (maria@acme.com in
//! Microsoft 365, her Okta login, her GitHub account with its SAML identity). Accounts
//! seen with the same email or user principal name (compared in lower case) are one
//! [`Person`], so "everything Maria did" spans every source; the link is shown with the
//! address that made it, and a reviewer who knows better separates an account again
//! (`Case::unlink_actor`, undone by `Case::relink_actor`). Nothing is linked by name:
//! two Maria Lopez are not assumed to be one.

use std::collections::HashMap;

use crate::Result;
use crate::case::Case;
use crate::case::table::actor;

pub use crate::case::table::actor::ActorSummary;

/// What kind of actor, in words a reviewer uses (spec §2.2 types grouped).
pub fn actor_kind(actor_type: Option<&str>) -> &'static str {
    match actor_type {
        Some("user") | Some("admin") => "person",
        Some("automation") => "automation",
        Some("api_client") => "API client",
        Some("webhook") => "webhook",
        Some("import") => "import",
        Some("job") => "job",
        Some("integration") => "integration",
        Some("system") => "system",
        _ => "unknown type",
    }
}

/// Every actor, most active first.
pub fn list_actors(case: &Case) -> Result<Vec<ActorSummary>> {
    actor::most_active_first(case.connection())
}

/// One person or thing that acted, with every account it acted through.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// Most active first; never empty.
    pub accounts: Vec<ActorSummary>,
    /// The address the accounts share, when more than one are linked by it.
    pub linked_by: Option<String>,
}

impl Person {
    /// A stable key: `linked:` and the linking address, else the one account's id
    /// (an account separated from the others keeps its id, even when that is the
    /// address they share).
    pub fn key(&self) -> String {
        match &self.linked_by {
            Some(address) => format!("linked:{address}"),
            None => self.accounts[0].actor_id.clone(),
        }
    }

    /// The name of the most active account that has one.
    pub fn name(&self) -> Option<&str> {
        self.accounts.iter().find_map(|a| a.name.as_deref())
    }

    /// The type of the most active account.
    pub fn actor_type(&self) -> Option<&str> {
        self.accounts[0].actor_type.as_deref()
    }

    pub fn n_events(&self) -> i64 {
        self.accounts.iter().map(|a| a.n_events).sum()
    }

    pub fn n_failures(&self) -> i64 {
        self.accounts.iter().map(|a| a.n_failures).sum()
    }

    pub fn n_denials(&self) -> i64 {
        self.accounts.iter().map(|a| a.n_denials).sum()
    }

    pub fn first_ts(&self) -> i64 {
        self.accounts
            .iter()
            .map(|a| a.first_ts)
            .min()
            .unwrap_or(i64::MAX)
    }

    pub fn last_ts(&self) -> i64 {
        self.accounts
            .iter()
            .map(|a| a.last_ts)
            .max()
            .unwrap_or(i64::MIN)
    }

    /// The kinds of source its accounts acted in, most events first, each once.
    pub fn sources(&self) -> Vec<&str> {
        let mut counted: Vec<(&str, i64)> = Vec::new();
        for account in &self.accounts {
            for source in &account.sources {
                match counted.iter_mut().find(|(s, _)| s == source) {
                    Some((_, n)) => *n += account.n_events,
                    None => counted.push((source, account.n_events)),
                }
            }
        }
        counted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        counted.into_iter().map(|(s, _)| s).collect()
    }

    /// Every account id, for a filter that spans them.
    pub fn actor_ids(&self) -> Vec<String> {
        self.accounts.iter().map(|a| a.actor_id.clone()).collect()
    }
}

/// Every person, most active first: accounts that share an address are one person
/// unless the reviewer separated them; a separated account stands alone.
pub fn list_people(case: &Case) -> Result<Vec<Person>> {
    Ok(people_of(actor::most_active_first(case.connection())?))
}

/// Groups accounts (most active first) into people.
fn people_of(actors: Vec<ActorSummary>) -> Vec<Person> {
    let mut people: Vec<Person> = Vec::new();
    let mut by_address: HashMap<String, usize> = HashMap::new();
    for account in actors {
        let address = account.email.clone().filter(|_| !account.unlinked);
        match address.as_ref().and_then(|a| by_address.get(a)) {
            Some(&at) => {
                let person = &mut people[at];
                person.linked_by.clone_from(&address);
                person.accounts.push(account);
            }
            None => {
                if let Some(address) = address {
                    by_address.insert(address, people.len());
                }
                people.push(Person {
                    accounts: vec![account],
                    linked_by: None,
                });
            }
        }
    }
    people.sort_by(|a, b| {
        b.n_events()
            .cmp(&a.n_events())
            .then_with(|| a.key().cmp(&b.key()))
    });
    people
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, email: Option<&str>, n_events: i64, source: &str) -> ActorSummary {
        ActorSummary {
            actor_id: id.to_owned(),
            actor_type: Some("user".to_owned()),
            name: None,
            n_events,
            first_ts: n_events,
            last_ts: n_events * 10,
            n_failures: 1,
            n_denials: 0,
            email: email.map(str::to_owned),
            sources: vec![source.to_owned()],
            unlinked: false,
        }
    }

    #[test]
    fn accounts_sharing_an_address_are_one_person_and_a_separated_one_stands_alone() {
        let mut shared_mailbox = account("ops@acme.com", Some("ops@acme.com"), 2, "microsoft-365");
        shared_mailbox.unlinked = true;
        let people = people_of(vec![
            account(
                "maria@acme.com",
                Some("maria@acme.com"),
                50,
                "microsoft-365",
            ),
            account("00u1", Some("maria@acme.com"), 30, "okta"),
            account("bob", Some("bob@acme.com"), 25, "github"),
            account("maria-lopez", Some("maria@acme.com"), 5, "github"),
            account("00u9", Some("ops@acme.com"), 3, "okta"),
            shared_mailbox,
            account("system", None, 1, "okta"),
        ]);
        let keys: Vec<String> = people.iter().map(Person::key).collect();
        assert_eq!(
            keys,
            [
                "linked:maria@acme.com",
                "bob",
                "00u9",
                "ops@acme.com",
                "system"
            ]
        );
        let maria = &people[0];
        assert_eq!(maria.linked_by.as_deref(), Some("maria@acme.com"));
        assert_eq!(maria.actor_ids(), ["maria@acme.com", "00u1", "maria-lopez"]);
        assert_eq!(maria.n_events(), 85);
        assert_eq!(maria.n_failures(), 3);
        assert_eq!((maria.first_ts(), maria.last_ts()), (5, 500));
        assert_eq!(maria.sources(), ["microsoft-365", "okta", "github"]);
        // One account alone is not "linked", even with an address.
        assert_eq!(people[1].linked_by, None);
        assert_eq!(people[2].linked_by, None, "its twin was separated");
    }
}
