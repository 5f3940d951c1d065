//! The common questions a reviewer asks, answered without building a filter: each is a
//! filter over the events, a breakdown to show beside them, and what the reviewer must
//! supply (an actor, a record). The app lists them as default views; the CLI runs them
//! with `trailscope events --question ID`. Definitions only: running one is an ordinary
//! `list_events` / `facet_counts` / `activity` / `timeline` call.

use super::events::{EventFilter, FacetBy};
use crate::{Error, Result};

/// What a question needs from the reviewer before it can be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    /// One actor, e.g. "recent actions by a person".
    Actor,
    /// One record (target type and id), answered with its timeline.
    Record,
}

impl Needs {
    pub fn as_str(self) -> &'static str {
        match self {
            Needs::Nothing => "nothing",
            Needs::Actor => "actor",
            Needs::Record => "record",
        }
    }
}

/// One common question.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Stable id, e.g. `failed-logins`.
    pub id: &'static str,
    /// The question as a reviewer would ask it.
    pub title: &'static str,
    /// What the answer shows, in a sentence.
    pub explains: &'static str,
    pub filter: EventFilter,
    /// Counts to show beside the events (who, which rule, …), if any.
    pub breakdown: Option<FacetBy>,
    /// Whether a histogram over time helps (spikes stand out).
    pub over_time: bool,
    pub needs: Needs,
}

fn filter(edit: impl FnOnce(&mut EventFilter)) -> EventFilter {
    let mut filter = EventFilter::default();
    edit(&mut filter);
    filter
}

/// Every question, in the order the app lists them.
pub fn questions() -> Vec<Question> {
    vec![
        Question {
            id: "recent-actions-by-person",
            title: "What did this person do recently?",
            explains: "Everything one actor did, newest first, with what they did most.",
            filter: EventFilter::default(),
            breakdown: Some(FacetBy::Action),
            over_time: true,
            needs: Needs::Actor,
        },
        Question {
            id: "changes-to-record",
            title: "How did this record get to its current state?",
            explains: "A record's history in order, each change with its before and after.",
            filter: EventFilter::default(),
            breakdown: None,
            over_time: false,
            needs: Needs::Record,
        },
        Question {
            id: "export-trail",
            title: "Who exported data, and what?",
            explains: "Every export, with who ran it and the filter and row count it records.",
            filter: filter(|f| f.action = Some("export.*".into())),
            breakdown: Some(FacetBy::Actor),
            over_time: true,
            needs: Needs::Nothing,
        },
        Question {
            id: "permission-denials",
            title: "Who was refused permission, and when?",
            explains: "Actions refused by authorization, by actor; a burst stands out on the chart.",
            filter: filter(|f| f.outcome = Some("denied".into())),
            breakdown: Some(FacetBy::Actor),
            over_time: true,
            needs: Needs::Nothing,
        },
        Question {
            id: "automation-by-rule",
            title: "What did automations do, rule by rule?",
            explains: "Actions taken by automation rules, counted by the rule that fired.",
            filter: filter(|f| f.actor_types = vec!["automation".into()]),
            breakdown: Some(FacetBy::Rule),
            over_time: true,
            needs: Needs::Nothing,
        },
        Question {
            id: "failed-logins",
            title: "Which sign-ins failed?",
            explains: "Failed sign-in attempts, by the address they came from.",
            filter: filter(|f| f.action = Some("user.login_failed".into())),
            breakdown: Some(FacetBy::Ip),
            over_time: true,
            needs: Needs::Nothing,
        },
        Question {
            id: "role-and-permission-changes",
            title: "Whose roles or permissions changed?",
            explains: "Roles and permissions granted, revoked or changed, by who changed them.",
            filter: filter(|f| f.category = Some("permission".into())),
            breakdown: Some(FacetBy::Actor),
            over_time: false,
            needs: Needs::Nothing,
        },
    ]
}

/// The question with this id.
pub fn question(id: &str) -> Result<Question> {
    questions()
        .into_iter()
        .find(|question| question.id == id)
        .ok_or_else(|| {
            let ids: Vec<&str> = questions().iter().map(|q| q.id).collect();
            Error::Invalid(format!("no question {id:?}: use one of {}", ids.join(", ")))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_found() {
        let all = questions();
        for q in &all {
            assert_eq!(question(q.id).unwrap().id, q.id);
            assert_eq!(all.iter().filter(|other| other.id == q.id).count(), 1);
        }
        assert!(question("nope").is_err());
    }
}
