//! A record's state over time, folded from the events of one target in chain order:
//! what the timeline shows as "state at time T", and the continuity check behind the
//! `state_discontinuity` warning of spec §8 (an event's `before` disagrees with what
//! the earlier events left).
//!
//! Pure: no database, no I/O. It must never invent a value: fields are learned only
//! from what events wrote (`after`, or `before` for records whose creation is not in
//! the bundle), and after an omitted event (a stub) it never claims to know a field
//! until a later event re-establishes it, so it never reports a discrepancy the gap
//! could explain. It never decides a verdict either: a discrepancy is evidence for a
//! reviewer, and the caller chooses how to report it.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::diff::values_equal;

/// What the events so far say about one record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordState {
    /// Top-level fields and their last known values.
    pub fields: Map<String, Value>,
    /// False before any event showed the record, and after it was deleted.
    pub exists: bool,
    /// Fields whose value is shown but not known: an omitted event came after the event
    /// that set them, and no later event has re-established them.
    pub uncertain: BTreeSet<String>,
}

/// One step of a record's history, in chain (or time) order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step<'a> {
    /// A real event about this record.
    Event(&'a Value),
    /// A stub: an event that may have been about this record was left out of the export.
    Omitted,
}

/// An event's `before` disagreeing with the state the earlier events left.
#[derive(Debug, Clone, PartialEq)]
pub struct Discrepancy {
    /// The top-level field.
    pub field: String,
    /// Its value in the state before the event.
    pub expected: Value,
    /// Its value in the event's `before`.
    pub actual: Value,
}

/// The state after every step, with the discrepancies each step revealed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fold {
    pub state: RecordState,
    /// One entry per step, in step order (empty for steps that agreed or had no `before`).
    pub discrepancies_per_step: Vec<Vec<Discrepancy>>,
}

/// Folds all steps at once; see [`StateFold`] for the rules.
pub fn fold(steps: &[Step<'_>]) -> Fold {
    let mut state_fold = StateFold::new();
    let discrepancies_per_step = steps.iter().map(|step| state_fold.apply(*step)).collect();
    Fold {
        state: state_fold.into_state(),
        discrepancies_per_step,
    }
}

/// A record's state, folded one step at a time (for "state at T" and for checking an
/// imported bundle against the state a case already holds).
///
/// Rules, for events whose `outcome` is `success` (other outcomes change nothing):
/// * create (`before` null or absent, `after` an object): the state becomes `after`. On a
///   record that already exists this replaces it only if the action is `*.created`;
///   otherwise `after` is merged as an update that did not say what it replaced.
/// * update (`before` and `after` objects): each key of `before` is checked against the
///   state (a known, certain key with a different value is a [`Discrepancy`]), keys the
///   state has never seen are learned from `before`, then `after`'s keys replace.
/// * delete (`after` null, with a `before` object or a `*.deleted` action): `before` is
///   checked, then the record stops existing and its fields are cleared.
/// * no `before`/`after` (viewed, login): nothing changes.
///
/// After a discrepancy the state takes the event's `before`, so one break is reported
/// once, not again at every later event.
#[derive(Debug, Clone, Default)]
pub struct StateFold {
    state: RecordState,
}

impl StateFold {
    /// A record nothing is known about yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Continues from a state computed earlier (e.g. stored in a case).
    pub fn starting_from(state: RecordState) -> Self {
        StateFold { state }
    }

    pub fn state(&self) -> &RecordState {
        &self.state
    }

    pub fn into_state(self) -> RecordState {
        self.state
    }

    /// Applies one step and returns the discrepancies it revealed, by field name.
    pub fn apply(&mut self, step: Step<'_>) -> Vec<Discrepancy> {
        let event = match step {
            Step::Event(event) => event,
            Step::Omitted => {
                // The left-out event may have changed anything: keep the values for
                // display but stop vouching for them.
                self.state.uncertain = self.state.fields.keys().cloned().collect();
                return Vec::new();
            }
        };
        let outcome = event
            .get("outcome")
            .and_then(Value::as_str)
            .unwrap_or("success");
        if outcome != "success" {
            return Vec::new();
        }
        let verb = event
            .get("action")
            .and_then(Value::as_str)
            .and_then(|action| action.rsplit('.').next())
            .unwrap_or("");
        let before = event.get("before").and_then(Value::as_object);
        let after = event.get("after");
        let after_is_null = matches!(after, Some(Value::Null));
        let after = after.and_then(Value::as_object);

        let discrepancies = match before {
            Some(before) => self.check_and_learn(before),
            None => Vec::new(),
        };
        if after_is_null && (before.is_some() || verb == "deleted") {
            self.state = RecordState::default();
        } else if let Some(after) = after {
            if before.is_none() && (!self.state.exists || verb == "created") {
                self.state.fields = after.clone();
                self.state.uncertain.clear();
            } else {
                for (key, value) in after {
                    self.state.fields.insert(key.clone(), value.clone());
                    self.state.uncertain.remove(key);
                }
            }
            self.state.exists = true;
        } else if before.is_some() {
            self.state.exists = true;
        }
        discrepancies
    }

    /// Compares `before` with the state, then takes `before`'s values: new keys are
    /// learned, uncertain keys re-established, disagreeing keys re-synchronised.
    fn check_and_learn(&mut self, before: &Map<String, Value>) -> Vec<Discrepancy> {
        let mut discrepancies = Vec::new();
        for (key, actual) in before {
            let certain = !self.state.uncertain.contains(key);
            match self.state.fields.get(key) {
                Some(expected) if certain && !values_equal(expected, actual) => {
                    discrepancies.push(Discrepancy {
                        field: key.clone(),
                        expected: expected.clone(),
                        actual: actual.clone(),
                    });
                }
                _ => {}
            }
            self.state.fields.insert(key.clone(), actual.clone());
            self.state.uncertain.remove(key);
        }
        discrepancies
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn update(before: Value, after: Value) -> Value {
        json!({"action": "order.updated", "outcome": "success", "before": before, "after": after})
    }

    fn created(after: Value) -> Value {
        json!({"action": "order.created", "outcome": "success", "before": null, "after": after})
    }

    fn fields(state: &RecordState) -> Value {
        Value::Object(state.fields.clone())
    }

    #[test]
    fn a_create_sets_the_state_and_an_update_merges_into_it() {
        let create = created(json!({"status": "Draft", "total": 178}));
        let submit = update(
            json!({"status": "Draft"}),
            json!({"status": "Pending Review"}),
        );
        let result = fold(&[Step::Event(&create), Step::Event(&submit)]);
        assert_eq!(
            fields(&result.state),
            json!({"status": "Pending Review", "total": 178})
        );
        assert!(result.state.exists);
        assert_eq!(result.discrepancies_per_step, vec![vec![], vec![]]);
    }

    #[test]
    fn a_before_that_disagrees_with_the_state_is_a_discrepancy() {
        let create = created(json!({"status": "Draft"}));
        let approve = update(
            json!({"status": "Pending Review"}),
            json!({"status": "Approved"}),
        );
        let result = fold(&[Step::Event(&create), Step::Event(&approve)]);
        assert_eq!(
            result.discrepancies_per_step[1],
            vec![Discrepancy {
                field: "status".into(),
                expected: json!("Draft"),
                actual: json!("Pending Review"),
            }]
        );
        assert_eq!(fields(&result.state), json!({"status": "Approved"}));
    }

    #[test]
    fn one_break_is_reported_once_not_at_every_later_event() {
        let create = created(json!({"status": "Draft", "note": "a"}));
        let edit = update(json!({"note": "b"}), json!({"status": "Pending Review"}));
        let later = update(json!({"note": "b"}), json!({"note": "c"}));
        let result = fold(&[
            Step::Event(&create),
            Step::Event(&edit),
            Step::Event(&later),
        ]);
        assert_eq!(result.discrepancies_per_step[1].len(), 1);
        assert!(result.discrepancies_per_step[2].is_empty());
    }

    #[test]
    fn numbers_equal_as_doubles_agree() {
        let create = created(json!({"total": 178}));
        let edit = update(json!({"total": 178.0}), json!({"total": 180}));
        assert!(
            fold(&[Step::Event(&create), Step::Event(&edit)]).discrepancies_per_step[1].is_empty()
        );
    }

    #[test]
    fn fields_never_seen_are_learned_from_before() {
        // A user created before the bundle starts: its first event is an update.
        let lock = json!({"action": "user.locked", "outcome": "success",
                          "before": {"locked": false, "roles": ["sales_rep"]}, "after": {"locked": true}});
        let unlock = update(json!({"locked": true}), json!({"locked": false}));
        let grant = update(
            json!({"roles": ["sales_rep"]}),
            json!({"roles": ["sales_rep", "admin"]}),
        );
        let result = fold(&[
            Step::Event(&lock),
            Step::Event(&unlock),
            Step::Event(&grant),
        ]);
        assert!(result.discrepancies_per_step.iter().all(Vec::is_empty));
        assert_eq!(
            fields(&result.state),
            json!({"locked": false, "roles": ["sales_rep", "admin"]})
        );
        assert!(result.state.exists);
    }

    #[test]
    fn a_learned_field_is_checked_at_the_next_event() {
        let first = update(json!({"value": 30}), json!({"value": 60}));
        let second = update(json!({"value": 45}), json!({"value": 90}));
        let result = fold(&[Step::Event(&first), Step::Event(&second)]);
        assert_eq!(result.discrepancies_per_step[1][0].expected, json!(60));
        assert_eq!(result.discrepancies_per_step[1][0].actual, json!(45));
    }

    #[test]
    fn a_delete_checks_before_then_clears_the_record() {
        let create = created(json!({"status": "New", "score": 18}));
        let delete = json!({"action": "lead.deleted", "outcome": "success",
                            "before": {"status": "New", "score": 20}, "after": null});
        let mut state_fold = StateFold::new();
        state_fold.apply(Step::Event(&create));
        let found = state_fold.apply(Step::Event(&delete));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].field, "score");
        assert_eq!(state_fold.state(), &RecordState::default());
    }

    #[test]
    fn a_record_can_be_created_again_after_its_deletion() {
        let create = created(json!({"status": "New"}));
        let delete = json!({"action": "order.deleted", "outcome": "success", "after": null});
        let again = created(json!({"status": "Draft"}));
        let result = fold(&[
            Step::Event(&create),
            Step::Event(&delete),
            Step::Event(&again),
        ]);
        assert!(result.state.exists);
        assert_eq!(fields(&result.state), json!({"status": "Draft"}));
    }

    #[test]
    fn events_without_before_or_after_change_nothing() {
        let create = created(json!({"status": "Draft"}));
        let viewed = json!({"action": "order.viewed", "outcome": "success"});
        let mut state_fold = StateFold::new();
        state_fold.apply(Step::Event(&create));
        let snapshot = state_fold.state().clone();
        assert!(state_fold.apply(Step::Event(&viewed)).is_empty());
        assert_eq!(state_fold.state(), &snapshot);
    }

    #[test]
    fn denied_and_failed_events_change_nothing() {
        let create = created(json!({"status": "Draft"}));
        let denied = json!({"action": "order.deleted", "outcome": "denied", "after": null});
        let failed = json!({"action": "order.updated", "outcome": "failure",
                            "before": {"status": "Other"}, "after": {"status": "X"}});
        let result = fold(&[
            Step::Event(&create),
            Step::Event(&denied),
            Step::Event(&failed),
        ]);
        assert!(result.state.exists);
        assert_eq!(fields(&result.state), json!({"status": "Draft"}));
        assert!(result.discrepancies_per_step.iter().all(Vec::is_empty));
    }

    #[test]
    fn after_an_omitted_step_fields_are_uncertain_until_re_established() {
        let create = created(json!({"status": "Draft", "total": 10, "tags": []}));
        let edit = update(json!({"status": "Approved"}), json!({"status": "Shipped"}));
        let tag = update(json!({"tags": ["x"]}), json!({"tags": ["x", "y"]}));
        let mut state_fold = StateFold::new();
        state_fold.apply(Step::Event(&create));
        assert!(state_fold.apply(Step::Omitted).is_empty());
        let state = state_fold.state();
        assert_eq!(
            state.uncertain,
            BTreeSet::from(["status".into(), "tags".into(), "total".into()])
        );
        assert_eq!(
            state.fields["status"],
            json!("Draft"),
            "last values stay for display"
        );

        // The gap explains the difference: no discrepancy, and the field is known again.
        assert!(state_fold.apply(Step::Event(&edit)).is_empty());
        assert!(state_fold.apply(Step::Event(&tag)).is_empty());
        let state = state_fold.state();
        assert_eq!(state.uncertain, BTreeSet::from(["total".into()]));
        assert_eq!(state.fields["status"], json!("Shipped"));

        // Once re-established, a field is checked again.
        let wrong = update(json!({"status": "Draft"}), json!({"status": "Delivered"}));
        assert_eq!(state_fold.apply(Step::Event(&wrong)).len(), 1);
    }

    #[test]
    fn a_create_after_an_omitted_step_makes_every_field_certain() {
        let create = created(json!({"status": "Draft"}));
        let result = fold(&[Step::Event(&create), Step::Omitted, Step::Event(&create)]);
        assert!(result.state.uncertain.is_empty());
    }

    #[test]
    fn an_after_without_before_on_an_existing_record_merges() {
        let create = created(json!({"status": "Draft", "total": 10}));
        let patch = json!({"action": "order.approved", "outcome": "success", "after": {"status": "Approved"}});
        let result = fold(&[Step::Event(&create), Step::Event(&patch)]);
        assert_eq!(
            fields(&result.state),
            json!({"status": "Approved", "total": 10})
        );
    }

    #[test]
    fn folding_resumes_from_a_stored_state() {
        let create = created(json!({"status": "Draft"}));
        let stored = fold(&[Step::Event(&create)]).state;
        let mut state_fold = StateFold::starting_from(stored);
        let edit = update(
            json!({"status": "Pending Review"}),
            json!({"status": "Approved"}),
        );
        assert_eq!(state_fold.apply(Step::Event(&edit)).len(), 1);
    }
}
