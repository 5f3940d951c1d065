//! The common questions a reviewer asks, answered without building a filter: each is a
//! filter over the events, a breakdown to show beside them, and what the reviewer must
//! supply (an actor, a record). The app lists them as default views; the CLI runs them
//! with `trailscope events --question ID`. Definitions only: running one is an ordinary
//! `list_events` / `facet_counts` / `activity` / `timeline` call.
//!
//! Some questions only make sense for some sources: "Who exported data?" reads our
//! own events' `export.*` actions, which no CloudTrail trail holds, and "Which AWS
//! console sign-ins failed?" reads CloudTrail's. Each question says which kinds of
//! source it is for ([`AppliesTo`]); [`questions_for`] lists those a case's sources
//! call for, [`questions`] every one.

use super::events::{EventFilter, FacetBy};
use crate::case::Case;
use crate::case::table::bundle;
use crate::source::SourceKind;
use crate::{Error, Result};

/// Which cases a question is asked of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppliesTo {
    /// Any case: the question reads only fields every source fills alike.
    Any,
    /// Cases holding events read from one of these kinds of source: the question
    /// reads actions or actor types only those sources write.
    Sources(&'static [SourceKind]),
}

impl AppliesTo {
    /// Whether a case whose events were read from these kinds of source is asked it.
    pub fn holds(self, sources: &[SourceKind]) -> bool {
        match self {
            AppliesTo::Any => true,
            AppliesTo::Sources(kinds) => kinds.iter().any(|k| sources.contains(k)),
        }
    }
}

/// Our own events, and files mapped into their field names: `export.*`,
/// `user.login_failed`, automations and their rules.
const OUR_EVENTS: AppliesTo = AppliesTo::Sources(&[SourceKind::AuditBundle, SourceKind::Mapped]);

/// AWS CloudTrail: `signin.ConsoleLogin`, `iam.*`, `cloudtrail.*`.
const CLOUDTRAIL: AppliesTo = AppliesTo::Sources(&[SourceKind::CloudTrail]);

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
    /// Which cases it is asked of.
    pub applies_to: AppliesTo,
}

fn filter(edit: impl FnOnce(&mut EventFilter)) -> EventFilter {
    let mut filter = EventFilter::default();
    edit(&mut filter);
    filter
}

/// Every question, in the order the app lists them, whatever the case holds (see
/// [`questions_for`]).
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
            applies_to: AppliesTo::Any,
        },
        Question {
            id: "changes-to-record",
            title: "How did this record get to its current state?",
            explains: "A record's history in order, each change with its before and after.",
            filter: EventFilter::default(),
            breakdown: None,
            over_time: false,
            needs: Needs::Record,
            applies_to: AppliesTo::Any,
        },
        Question {
            id: "export-trail",
            title: "Who exported data, and what?",
            explains: "Every export, with who ran it and the filter and row count it records.",
            filter: filter(|f| f.action = Some("export.*".into())),
            breakdown: Some(FacetBy::Actor),
            over_time: true,
            needs: Needs::Nothing,
            applies_to: OUR_EVENTS,
        },
        Question {
            id: "permission-denials",
            title: "Who was refused permission, and when?",
            explains: "Actions refused by authorization, by actor; a burst stands out on the chart.",
            filter: filter(|f| f.outcome = Some("denied".into())),
            breakdown: Some(FacetBy::Actor),
            over_time: true,
            needs: Needs::Nothing,
            applies_to: AppliesTo::Any,
        },
        Question {
            id: "automation-by-rule",
            title: "What did automations do, rule by rule?",
            explains: "Actions taken by automation rules, counted by the rule that fired.",
            filter: filter(|f| f.actor_types = vec!["automation".into()]),
            breakdown: Some(FacetBy::Rule),
            over_time: true,
            needs: Needs::Nothing,
            applies_to: OUR_EVENTS,
        },
        Question {
            id: "failed-logins",
            title: "Which sign-ins failed?",
            explains: "Failed sign-in attempts, by the address they came from.",
            filter: filter(|f| f.action = Some("user.login_failed".into())),
            breakdown: Some(FacetBy::Ip),
            over_time: true,
            needs: Needs::Nothing,
            applies_to: OUR_EVENTS,
        },
        Question {
            id: "role-and-permission-changes",
            title: "Whose roles or permissions changed?",
            explains: "Roles and permissions granted, revoked or changed, by who changed them.",
            filter: filter(|f| f.category = Some("permission".into())),
            breakdown: Some(FacetBy::Actor),
            over_time: false,
            needs: Needs::Nothing,
            applies_to: AppliesTo::Any,
        },
        // AWS CloudTrail. Its refused calls by principal are `permission-denials`
        // above: the same filter and breakdown, asked of every case.
        Question {
            id: "aws-failed-console-sign-ins",
            title: "Which AWS console sign-ins failed?",
            explains: "Failed sign-ins to the AWS console, by the address they came from; \
                       a burst from one address stands out.",
            filter: filter(|f| {
                f.action = Some("signin.ConsoleLogin".into());
                f.outcome = Some("failure".into());
            }),
            breakdown: Some(FacetBy::Ip),
            over_time: true,
            needs: Needs::Nothing,
            applies_to: CLOUDTRAIL,
        },
        Question {
            id: "aws-iam-changes",
            title: "What changed in IAM?",
            explains: "Users, roles, groups, policies and access keys created, changed or \
                       deleted (refused and failed attempts included), counted by what was done.",
            filter: filter(|f| {
                f.action = Some("iam.*".into());
                f.category = Some("permission".into());
            }),
            breakdown: Some(FacetBy::Action),
            over_time: true,
            needs: Needs::Nothing,
            applies_to: CLOUDTRAIL,
        },
        Question {
            id: "aws-trail-changes",
            title: "Who stopped or changed CloudTrail logging?",
            explains: "Trails stopped, started, deleted or reconfigured (StopLogging, DeleteTrail, \
                       UpdateTrail, PutEventSelectors, …): what could hide later activity.",
            filter: filter(|f| {
                f.action = Some("cloudtrail.*".into());
                f.category = Some("admin".into());
            }),
            breakdown: Some(FacetBy::Action),
            over_time: true,
            needs: Needs::Nothing,
            applies_to: CLOUDTRAIL,
        },
    ]
}

/// The questions asked of this case: those for any case, and those for the kinds of
/// source its events were read from.
pub fn questions_for(case: &Case) -> Result<Vec<Question>> {
    let sources: Vec<SourceKind> = bundle::summaries(case.connection())?
        .iter()
        .map(|b| b.source)
        .collect();
    Ok(questions()
        .into_iter()
        .filter(|q| q.applies_to.holds(&sources))
        .collect())
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

    #[test]
    fn a_question_is_asked_of_the_cases_whose_sources_it_reads() {
        let asked = |sources: &[SourceKind]| -> Vec<&'static str> {
            questions()
                .into_iter()
                .filter(|q| q.applies_to.holds(sources))
                .map(|q| q.id)
                .collect()
        };
        let trail = asked(&[SourceKind::CloudTrail]);
        assert!(trail.contains(&"aws-trail-changes") && trail.contains(&"permission-denials"));
        assert!(!trail.contains(&"export-trail") && !trail.contains(&"failed-logins"));
        let ours = asked(&[SourceKind::AuditBundle]);
        assert!(ours.contains(&"export-trail") && !ours.contains(&"aws-iam-changes"));
        assert_eq!(asked(&[SourceKind::Mapped]), ours);
        let both = asked(&[SourceKind::AuditBundle, SourceKind::CloudTrail]);
        assert_eq!(both.len(), questions().len());
        let none = asked(&[]);
        assert!(
            none.iter()
                .all(|id| question(id).unwrap().applies_to == AppliesTo::Any)
        );
    }

    /// The CloudTrail questions against a case imported from a generated trail: each
    /// answers exactly the records the trail's log files hold, counted as they count.
    mod cloudtrail {
        use std::collections::{BTreeMap, BTreeSet};
        use std::io::Read as _;
        use std::ops::ControlFlow;

        use serde_json::Value;

        use super::*;
        use crate::case::import_source;
        use crate::produce::cloudtrail::{TrailPlan, build_trail};
        use crate::query::events::{Order, facet_counts, list_events};
        use crate::verify::VerifyOptions;

        /// Which records a question keeps, and what it counts them by, read from the
        /// records as CloudTrail wrote them.
        type Keep = fn(&Value) -> bool;
        type Key = fn(&Value) -> String;

        fn field<'a>(record: &'a Value, pointer: &str) -> &'a str {
            record
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
        }

        fn from(record: &Value) -> &str {
            field(record, "/eventSource")
        }

        fn writes(record: &Value) -> bool {
            record["readOnly"] == Value::Bool(false)
        }

        fn action(record: &Value) -> String {
            format!(
                "{}.{}",
                from(record).trim_end_matches(".amazonaws.com"),
                field(record, "/eventName")
            )
        }

        #[test]
        fn each_cloudtrail_question_answers_what_the_trail_holds() {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("trail");
            // Fifteen log files: every notable kind of record opens one of them.
            let plan = TrailPlan::demo(&["us-east-1"], 5, 3, 25, 11);
            let built = build_trail(&root, &plan).unwrap();
            let mut records = Vec::new();
            for log in &built.regions[0].logs {
                let gz = std::fs::read(root.join(log)).unwrap();
                let mut json = Vec::new();
                flate2::read::GzDecoder::new(&gz[..])
                    .read_to_end(&mut json)
                    .unwrap();
                let file: Value = serde_json::from_slice(&json).unwrap();
                records.extend(file["Records"].as_array().unwrap().iter().cloned());
            }
            assert_eq!(records.len() as u64, built.records);

            let mut case = Case::open(&dir.path().join("case.sqlite")).unwrap();
            let outcome = import_source(
                &mut case,
                &root,
                None,
                &VerifyOptions::default(),
                "2026-03-02T00:00:00Z",
                &mut |_| ControlFlow::Continue(()),
            )
            .unwrap();
            assert_eq!(outcome.events_added, built.records);

            let asked: Vec<&str> = questions_for(&case).unwrap().iter().map(|q| q.id).collect();
            for id in [
                "aws-failed-console-sign-ins",
                "aws-iam-changes",
                "aws-trail-changes",
                "permission-denials",
                "role-and-permission-changes",
                "recent-actions-by-person",
            ] {
                assert!(asked.contains(&id), "{id} not asked: {asked:?}");
            }
            for id in ["export-trail", "failed-logins", "automation-by-rule"] {
                assert!(!asked.contains(&id), "{id} asked of a trail");
            }

            let own: Vec<(&str, Keep, Key)> = vec![
                (
                    "aws-failed-console-sign-ins",
                    |r| {
                        from(r) == "signin.amazonaws.com"
                            && field(r, "/eventName") == "ConsoleLogin"
                            && field(r, "/responseElements/ConsoleLogin") == "Failure"
                    },
                    |r| field(r, "/sourceIPAddress").to_owned(),
                ),
                (
                    "permission-denials",
                    |r| {
                        let code = field(r, "/errorCode");
                        code.starts_with("AccessDenied") || code.ends_with("UnauthorizedOperation")
                    },
                    |r| field(r, "/userIdentity/arn").to_owned(),
                ),
                (
                    "aws-iam-changes",
                    |r| from(r) == "iam.amazonaws.com" && writes(r),
                    action,
                ),
                (
                    "aws-trail-changes",
                    |r| from(r) == "cloudtrail.amazonaws.com" && writes(r),
                    action,
                ),
            ];
            for (id, keep, key) in own {
                let q = question(id).unwrap();
                let kept: Vec<&Value> = records.iter().filter(|r| keep(r)).collect();
                assert!(!kept.is_empty(), "{id}: nothing in the trail to answer");
                assert!(kept.len() < records.len(), "{id} keeps everything");

                let expected: BTreeSet<&str> = kept.iter().map(|r| field(r, "/eventID")).collect();
                let page = list_events(&case, &q.filter, Order::NewestFirst, 10_000, None).unwrap();
                let answered: BTreeSet<&str> = page
                    .rows
                    .iter()
                    .filter_map(|row| row.id.as_deref())
                    .collect();
                assert_eq!(answered, expected, "{id}");
                assert_eq!(page.rows.len(), kept.len(), "{id}");

                let mut counts = BTreeMap::<String, i64>::new();
                for record in &kept {
                    *counts.entry(key(record)).or_default() += 1;
                }
                let by = q.breakdown.unwrap();
                let facets: BTreeMap<String, i64> = facet_counts(&case, &q.filter, by)
                    .unwrap()
                    .into_iter()
                    .map(|c| (c.value.unwrap_or_default(), c.count))
                    .collect();
                assert_eq!(facets, counts, "{id} by {by:?}");
            }
        }

        #[test]
        fn an_empty_case_is_asked_only_what_any_case_is() {
            let dir = tempfile::tempdir().unwrap();
            let case = Case::open(&dir.path().join("case.sqlite")).unwrap();
            let asked = questions_for(&case).unwrap();
            assert!(!asked.is_empty());
            assert!(asked.iter().all(|q| q.applies_to == AppliesTo::Any));
        }
    }
}
