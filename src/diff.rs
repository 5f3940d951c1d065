//! Field-level differences between an event's `before` and `after`: which field, at
//! which path, was added, removed or changed, and from what to what.
//!
//! A pure function of two JSON values: no database, no I/O, no clock. It must never
//! guess beyond the data: it does not detect renamed keys or moved array elements, it
//! only matches array elements by an `id` the producer wrote, and it never reports a
//! change between numbers that are equal as doubles (`1` and `1.0`).
//!
//! Paths read like code a reviewer can follow: `status`, `address.city`,
//! `lines[2].qty`, `lines[id=L2].qty`, `["odd key"]`, and `tags[]` for an element
//! added to or removed from an array of plain values (compared as a multiset, so a
//! reordering alone is not a change). The path of a whole value that is not an
//! object (a malformed `before`/`after`) is the empty string.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

/// What happened to one field between `before` and `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// Present only after (a new field, or an element added to an array).
    Added,
    /// Present only before (a dropped field, or an element removed from an array).
    Removed,
    /// Present on both sides with different values.
    Changed,
}

impl ChangeKind {
    /// The lowercase name shown to users and written to exports.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One field's change. `before` is `None` for [`ChangeKind::Added`], `after` is `None`
/// for [`ChangeKind::Removed`]; both are set for [`ChangeKind::Changed`].
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub path: String,
    pub kind: ChangeKind,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl FieldChange {
    /// For an element added to or removed from an array of plain values (`tags[]`),
    /// the array's path (`tags`); `None` for any other change.
    pub fn element_of(&self) -> Option<&str> {
        self.path.strip_suffix("[]")
    }
}

/// The field-level changes from `before` to `after`, sorted by path (changes at one
/// path keep the order they were found in: removals before additions).
///
/// `None` and JSON `null` both mean "no record": a create (`before` absent) reports
/// every field of `after` as added, a delete (`after` null) every field of `before`
/// as removed.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let before = before.filter(|v| !v.is_null());
    let after = after.filter(|v| !v.is_null());
    let mut found = Vec::new();
    let mut path = Vec::new();
    match (before, after) {
        (None, None) => {}
        (Some(before), Some(after)) => walk(&mut path, before, after, &mut found),
        (None, Some(Value::Object(after))) => {
            for (key, value) in after {
                found.push(change(
                    vec![Segment::Key(key.clone())],
                    ChangeKind::Added,
                    None,
                    Some(value),
                ));
            }
        }
        (Some(Value::Object(before)), None) => {
            for (key, value) in before {
                found.push(change(
                    vec![Segment::Key(key.clone())],
                    ChangeKind::Removed,
                    Some(value),
                    None,
                ));
            }
        }
        (None, Some(after)) => found.push(change(path, ChangeKind::Added, None, Some(after))),
        (Some(before), None) => found.push(change(path, ChangeKind::Removed, Some(before), None)),
    }
    // Stable: several changes at one path (`tags[]`) keep their order.
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
        .into_iter()
        .map(|(segments, kind, before, after)| FieldChange {
            path: render_path(&segments),
            kind,
            before,
            after,
        })
        .collect()
}

/// JSON equality as a reviewer means it: numbers are compared as doubles (`1 == 1.0`),
/// object members regardless of their order, arrays element by element.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| values_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| values_equal(x, y)))
        }
        _ => a == b,
    }
}

/// One step of a path. The derived order sorts paths the way a reader expects:
/// `lines[2]` before `lines[10]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Key(String),
    Index(usize),
    /// An array element matched by its `id`, already rendered (`L2`, `"a b"`, `7`).
    Id(String),
    /// An element of an array of plain values (`tags[]`).
    Element,
}

type Found = (Vec<Segment>, ChangeKind, Option<Value>, Option<Value>);

fn change(
    path: Vec<Segment>,
    kind: ChangeKind,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Found {
    (path, kind, before.cloned(), after.cloned())
}

fn walk(path: &mut Vec<Segment>, before: &Value, after: &Value, found: &mut Vec<Found>) {
    match (before, after) {
        (Value::Object(before), Value::Object(after)) => walk_objects(path, before, after, found),
        (Value::Array(before), Value::Array(after)) => walk_arrays(path, before, after, found),
        _ => {
            if !values_equal(before, after) {
                found.push(change(
                    path.clone(),
                    ChangeKind::Changed,
                    Some(before),
                    Some(after),
                ));
            }
        }
    }
}

fn walk_objects(
    path: &mut Vec<Segment>,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    found: &mut Vec<Found>,
) {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        path.push(Segment::Key(key.clone()));
        match (before.get(key), after.get(key)) {
            (Some(b), Some(a)) => walk(path, b, a, found),
            (Some(b), None) => found.push(change(path.clone(), ChangeKind::Removed, Some(b), None)),
            (None, Some(a)) => found.push(change(path.clone(), ChangeKind::Added, None, Some(a))),
            (None, None) => {}
        }
        path.pop();
    }
}

fn walk_arrays(path: &mut Vec<Segment>, before: &[Value], after: &[Value], found: &mut Vec<Found>) {
    let all = || before.iter().chain(after);
    if all().all(is_plain) {
        walk_multiset(path, before, after, found);
    } else if let (Some(before_ids), Some(after_ids)) = (ids_of(before), ids_of(after)) {
        walk_by_id(path, before, &before_ids, after, &after_ids, found);
    } else {
        walk_by_index(path, before, after, found);
    }
}

/// Plain values (not arrays or objects) are compared as a multiset: an element is
/// added or removed as many times as its count differs.
fn walk_multiset(
    path: &mut Vec<Segment>,
    before: &[Value],
    after: &[Value],
    found: &mut Vec<Found>,
) {
    let counts = |values: &[Value]| {
        let mut counts: HashMap<PlainKey, usize> = HashMap::new();
        for value in values {
            *counts.entry(PlainKey::of(value)).or_default() += 1;
        }
        counts
    };
    path.push(Segment::Element);
    let mut unmatched_after = counts(after);
    for value in before {
        match unmatched_after.get_mut(&PlainKey::of(value)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => found.push(change(path.clone(), ChangeKind::Removed, Some(value), None)),
        }
    }
    let mut unmatched_before = counts(before);
    for value in after {
        match unmatched_before.get_mut(&PlainKey::of(value)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => found.push(change(path.clone(), ChangeKind::Added, None, Some(value))),
        }
    }
    path.pop();
}

fn walk_by_id(
    path: &mut Vec<Segment>,
    before: &[Value],
    before_ids: &[String],
    after: &[Value],
    after_ids: &[String],
    found: &mut Vec<Found>,
) {
    let (before_at, after_at) = (positions(before_ids), positions(after_ids));
    let ids: BTreeSet<&String> = before_ids.iter().chain(after_ids).collect();
    for id in ids {
        path.push(Segment::Id(id.clone()));
        match (
            before_at.get(id.as_str()).copied(),
            after_at.get(id.as_str()).copied(),
        ) {
            (Some(b), Some(a)) => walk(path, &before[b], &after[a], found),
            (Some(b), None) => found.push(change(
                path.clone(),
                ChangeKind::Removed,
                Some(&before[b]),
                None,
            )),
            (None, Some(a)) => found.push(change(
                path.clone(),
                ChangeKind::Added,
                None,
                Some(&after[a]),
            )),
            (None, None) => {}
        }
        path.pop();
    }
}

fn positions(ids: &[String]) -> HashMap<&str, usize> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect()
}

fn walk_by_index(
    path: &mut Vec<Segment>,
    before: &[Value],
    after: &[Value],
    found: &mut Vec<Found>,
) {
    for index in 0..before.len().max(after.len()) {
        path.push(Segment::Index(index));
        match (before.get(index), after.get(index)) {
            (Some(b), Some(a)) => walk(path, b, a, found),
            (Some(b), None) => found.push(change(path.clone(), ChangeKind::Removed, Some(b), None)),
            (None, Some(a)) => found.push(change(path.clone(), ChangeKind::Added, None, Some(a))),
            (None, None) => {}
        }
        path.pop();
    }
}

fn is_plain(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

/// The rendered `id` of every element, if every element is an object with a plain,
/// non-null `id` and no two share one; otherwise the array is compared index-wise.
fn ids_of(values: &[Value]) -> Option<Vec<String>> {
    let mut ids = Vec::with_capacity(values.len());
    let mut seen = BTreeSet::new();
    for value in values {
        let id = match value.get("id")? {
            Value::String(s) => render_id_string(s),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        if !seen.insert(id.clone()) {
            return None;
        }
        ids.push(id);
    }
    Some(ids)
}

fn render_id_string(id: &str) -> String {
    if is_simple(id) {
        id.to_owned()
    } else {
        Value::String(id.to_owned()).to_string()
    }
}

/// A hashable stand-in for a plain value, equal exactly when `values_equal` is.
#[derive(Debug, PartialEq, Eq, Hash)]
enum PlainKey {
    Null,
    Bool(bool),
    Number(u64),
    String(String),
    Other,
}

impl PlainKey {
    fn of(value: &Value) -> PlainKey {
        match value {
            Value::Null => PlainKey::Null,
            Value::Bool(b) => PlainKey::Bool(*b),
            Value::Number(n) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                // -0.0 == 0.0 as doubles; give them one key.
                PlainKey::Number(if x == 0.0 { 0 } else { x.to_bits() })
            }
            Value::String(s) => PlainKey::String(s.clone()),
            Value::Array(_) | Value::Object(_) => PlainKey::Other,
        }
    }
}

/// A key that can follow a `.` unquoted; anything else is written `["…"]`.
fn is_simple(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn render_path(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Key(key) if is_simple(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Key(key) => {
                out.push('[');
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(']');
            }
            Segment::Index(index) => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
            Segment::Id(id) => {
                out.push_str("[id=");
                out.push_str(id);
                out.push(']');
            }
            Segment::Element => out.push_str("[]"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Renders changes one a line, `path kind before -> after`, for compact asserts.
    fn check(before: Value, after: Value, expected: &str) {
        let changes = diff(Some(&before), Some(&after));
        assert_eq!(render(&changes), expected);
    }

    fn render(changes: &[FieldChange]) -> String {
        let show = |v: &Option<Value>| v.as_ref().map_or("-".to_owned(), |v| v.to_string());
        changes
            .iter()
            .map(|c| {
                format!(
                    "{} {} {} -> {}\n",
                    c.path,
                    c.kind.as_str(),
                    show(&c.before),
                    show(&c.after)
                )
            })
            .collect()
    }

    #[test]
    fn a_changed_top_level_field_is_reported_with_both_values() {
        check(
            json!({"status": "Pending Review", "total": 10}),
            json!({"status": "Approved", "total": 10}),
            "status changed \"Pending Review\" -> \"Approved\"\n",
        );
    }

    #[test]
    fn numbers_equal_as_doubles_are_not_a_change() {
        check(
            json!({"total": 1, "n": [2]}),
            json!({"total": 1.0, "n": [2.0]}),
            "",
        );
    }

    #[test]
    fn nested_objects_are_compared_field_by_field() {
        check(
            json!({"address": {"city": "Berlin", "street": "1 Elm", "zip": "10115"}}),
            json!({"address": {"city": "Leeds", "street": "1 Elm", "unit": "4B"}}),
            "address.city changed \"Berlin\" -> \"Leeds\"\n\
             address.unit added - -> \"4B\"\n\
             address.zip removed \"10115\" -> -\n",
        );
    }

    #[test]
    fn a_value_that_changes_shape_is_one_change_at_its_path() {
        check(
            json!({"address": "1 Elm St"}),
            json!({"address": {"street": "1 Elm St"}}),
            "address changed \"1 Elm St\" -> {\"street\":\"1 Elm St\"}\n",
        );
    }

    #[test]
    fn arrays_of_plain_values_are_compared_as_multisets() {
        check(
            json!({"tags": ["bug", "vip", "vip"]}),
            json!({"tags": ["login", "vip", "bug"]}),
            "tags[] removed \"vip\" -> -\n\
             tags[] added - -> \"login\"\n",
        );
    }

    #[test]
    fn reordering_an_array_of_plain_values_is_not_a_change() {
        check(
            json!({"roles": ["a", "b", 1]}),
            json!({"roles": [1.0, "b", "a"]}),
            "",
        );
    }

    #[test]
    fn arrays_of_objects_with_ids_are_matched_by_id() {
        check(
            json!({"lines": [{"id": "L1", "qty": 1}, {"id": "L2", "qty": 2}, {"id": "L3", "qty": 3}]}),
            json!({"lines": [{"id": "L4", "qty": 4}, {"id": "L2", "qty": 5}, {"id": "L1", "qty": 1}]}),
            "lines[id=L2].qty changed 2 -> 5\n\
             lines[id=L3] removed {\"id\":\"L3\",\"qty\":3} -> -\n\
             lines[id=L4] added - -> {\"id\":\"L4\",\"qty\":4}\n",
        );
    }

    #[test]
    fn ids_that_need_quoting_are_written_as_json_strings() {
        check(
            json!({"lines": [{"id": "a b", "qty": 1}]}),
            json!({"lines": [{"id": "a b", "qty": 2}]}),
            "lines[id=\"a b\"].qty changed 1 -> 2\n",
        );
    }

    #[test]
    fn arrays_of_objects_without_unique_ids_are_compared_index_wise() {
        check(
            json!({"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]}),
            json!({"items": [{"sku": "A", "qty": 3}, {"sku": "B", "qty": 2}, {"sku": "C", "qty": 1}]}),
            "items[0].qty changed 1 -> 3\n\
             items[2] added - -> {\"qty\":1,\"sku\":\"C\"}\n",
        );
        check(
            json!({"lines": [{"id": 1, "q": 1}, {"id": 1, "q": 2}]}),
            json!({"lines": [{"id": 1, "q": 1}]}),
            "lines[1] removed {\"id\":1,\"q\":2} -> -\n",
        );
    }

    #[test]
    fn index_paths_sort_numerically() {
        let before: Vec<Value> = (0..12).map(|i| json!({ "q": i })).collect();
        let after: Vec<Value> = (0..12).map(|i| json!({ "q": i + 1 })).collect();
        let paths: Vec<String> = diff(Some(&json!({ "m": before })), Some(&json!({ "m": after })))
            .into_iter()
            .map(|c| c.path)
            .collect();
        assert_eq!(paths[..3], ["m[0].q", "m[1].q", "m[2].q"]);
        assert_eq!(paths[10..], ["m[10].q", "m[11].q"]);
    }

    #[test]
    fn keys_that_are_not_identifiers_are_quoted() {
        check(
            json!({"odd key": 1, "a.b": {"c d": 1}, "ok-key_2": 1}),
            json!({"odd key": 2, "a.b": {"c d": 2}, "ok-key_2": 2}),
            "[\"a.b\"][\"c d\"] changed 1 -> 2\n\
             [\"odd key\"] changed 1 -> 2\n\
             ok-key_2 changed 1 -> 2\n",
        );
    }

    #[test]
    fn a_create_reports_every_field_of_after_as_added() {
        let after = json!({"status": "Draft", "tags": ["gift"], "address": {"city": "Milano"}});
        for before in [None, Some(&Value::Null)] {
            let changes = diff(before, Some(&after));
            assert_eq!(
                render(&changes),
                "address added - -> {\"city\":\"Milano\"}\n\
                 status added - -> \"Draft\"\n\
                 tags added - -> [\"gift\"]\n"
            );
        }
    }

    #[test]
    fn a_delete_reports_every_field_of_before_as_removed() {
        let before = json!({"status": "New", "score": 18});
        let changes = diff(Some(&before), Some(&Value::Null));
        assert_eq!(
            render(&changes),
            "score removed 18 -> -\nstatus removed \"New\" -> -\n"
        );
        assert_eq!(diff(Some(&before), None), changes);
    }

    #[test]
    fn nothing_before_and_nothing_after_is_no_change() {
        assert!(diff(None, None).is_empty());
        assert!(diff(Some(&Value::Null), Some(&Value::Null)).is_empty());
        assert!(diff(Some(&json!({})), Some(&json!({}))).is_empty());
    }

    #[test]
    fn values_that_are_not_objects_are_compared_whole_at_the_empty_path() {
        check(json!("a"), json!("b"), " changed \"a\" -> \"b\"\n");
        assert_eq!(render(&diff(None, Some(&json!(5)))), " added - -> 5\n");
    }

    #[test]
    fn an_element_change_names_its_array() {
        let changes = diff(Some(&json!({"tags": []})), Some(&json!({"tags": ["x"]})));
        assert_eq!(changes[0].element_of(), Some("tags"));
        let changes = diff(Some(&json!({"n": 1})), Some(&json!({"n": 2})));
        assert_eq!(changes[0].element_of(), None);
    }

    #[test]
    fn change_kinds_have_lowercase_names() {
        assert_eq!(ChangeKind::Added.as_str(), "added");
        assert_eq!(ChangeKind::Removed.as_str(), "removed");
        assert_eq!(ChangeKind::Changed.as_str(), "changed");
    }
}
