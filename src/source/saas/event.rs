//! Building normalized events: the time shapes exports write, and an event object that
//! leaves out whatever the source does not say.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

/// A time as the model writes it (RFC 3339, UTC, milliseconds), from the shapes
/// exports use: RFC 3339 with `Z` or an offset; a date and time with no zone
/// (`2026-03-01T10:00:00`, `2026-03-01 10:00:00.123`), which these sources write in
/// UTC; or epoch milliseconds written as digits. `None` when it is none of those.
pub fn utc_time(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) && text.len() >= 10 {
        return text.parse::<i64>().ok().and_then(millis_time);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(format(time.with_timezone(&Utc)));
    }
    for shape in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, shape) {
            return Some(format(time.and_utc()));
        }
    }
    // `2026-03-01 10:00:00 UTC`, `2026-03-01T10:00:00.000+0000` (Salesforce, GitLab).
    for shape in [
        "%Y-%m-%d %H:%M:%S%.f %Z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
    ] {
        if let Ok(time) = DateTime::parse_from_str(text, shape) {
            return Some(format(time.with_timezone(&Utc)));
        }
    }
    if let Some(bare) = text.strip_suffix(" UTC")
        && let Ok(time) = NaiveDateTime::parse_from_str(bare, "%Y-%m-%d %H:%M:%S%.f")
    {
        return Some(format(time.and_utc()));
    }
    None
}

/// Epoch milliseconds as the model writes a time; `None` outside years 1970–9999.
pub fn millis_time(ms: i64) -> Option<String> {
    if !(0..=253_402_300_799_999).contains(&ms) {
        return None;
    }
    DateTime::from_timestamp_millis(ms).map(format)
}

/// A JSON time: a string (see [`utc_time`]) or a number of epoch milliseconds.
pub fn time_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => utc_time(text),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .and_then(millis_time),
        _ => None,
    }
}

fn format(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A value that may be JSON written inside a string (`"[\"a\",\"b\"]"`): decoded when
/// it parses as an object or array, else kept as it is.
pub fn decoded(value: &Value) -> Value {
    if let Value::String(text) = value {
        let trimmed = text.trim_start();
        if (trimmed.starts_with('{') || trimmed.starts_with('['))
            && let Ok(inner @ (Value::Object(_) | Value::Array(_))) =
                serde_json::from_str::<Value>(text)
        {
            return inner;
        }
    }
    value.clone()
}

/// A changed property's two sides (already [`decoded`]; `None` where it had no value)
/// with Microsoft's one-element arrays read as the value they hold: Entra writes a
/// department as `["Finance"]` → `["Legal"]`, which is a department changed from
/// Finance to Legal, not an element of a list taken out and another put in.
///
/// The sides are unwrapped only together, and only when neither is a real list: when
/// at least one is a one-element array of a plain value (text, number, true or false)
/// and the other is one too, a plain value, or empty (absent, or `[]`: the property
/// had no value, and that side is left out). A list of several values, or of objects,
/// on either side keeps both sides as written, so a list that grows from one value to
/// two still shows the value added.
pub fn unwrapped_pair(old: Option<Value>, new: Option<Value>) -> (Option<Value>, Option<Value>) {
    enum Side {
        Empty,
        One,
        Plain,
        List,
    }
    let side = |value: &Option<Value>| match value {
        None | Some(Value::Null) => Side::Empty,
        Some(Value::Array(items)) => match items.as_slice() {
            [] => Side::Empty,
            [Value::String(_) | Value::Number(_) | Value::Bool(_)] => Side::One,
            _ => Side::List,
        },
        Some(Value::Object(_)) => Side::List,
        Some(_) => Side::Plain,
    };
    let (old_side, new_side) = (side(&old), side(&new));
    let unwrap = matches!(old_side, Side::One) || matches!(new_side, Side::One);
    if !unwrap || matches!(old_side, Side::List) || matches!(new_side, Side::List) {
        return (old, new);
    }
    let scalar = |value: Option<Value>, side: Side| match (value, side) {
        (Some(Value::Array(mut items)), Side::One) => items.pop(),
        (_, Side::Empty) => None,
        (value, _) => value,
    };
    (scalar(old, old_side), scalar(new, new_side))
}

/// Text of a JSON value: a string as it is, a number or boolean written out; `None`
/// for null, empty strings, objects and arrays.
pub fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An event object under construction: members that are absent, null or empty are
/// left out, as the model asks.
#[derive(Debug, Default)]
pub struct Event(Map<String, Value>);

impl Event {
    /// An event with its id, time (already in the model's form) and action.
    pub fn new(id: &str, ts: &str, action: &str) -> Event {
        let mut event = Event::default();
        event.text("id", Some(id));
        event.text("ts", Some(ts));
        event.text("action", Some(action));
        event
    }

    /// Sets `key` to `value` unless it is null or empty.
    pub fn set(&mut self, key: &str, value: Value) -> &mut Event {
        let empty = match &value {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            Value::Object(o) => o.is_empty(),
            Value::Array(a) => a.is_empty(),
            _ => false,
        };
        if !empty {
            self.0.insert(key.to_owned(), value);
        }
        self
    }

    pub fn text(&mut self, key: &str, value: Option<&str>) -> &mut Event {
        if let Some(value) = value {
            self.set(key, Value::String(value.to_owned()));
        }
        self
    }

    /// `actor`, `target` or `on_behalf_of`: `{id, type, name, email}` without the
    /// members not given. Left out when it has no id.
    pub fn party(&mut self, key: &str, party: Party<'_>) -> &mut Event {
        let mut object = Map::new();
        for (name, value) in [
            ("id", party.id),
            ("type", party.kind),
            ("name", party.name),
            ("email", party.email),
        ] {
            if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
                object.insert(name.to_owned(), Value::String(value.to_owned()));
            }
        }
        if object.contains_key("id") {
            self.set(key, Value::Object(object));
        }
        self
    }

    /// One member of `source` (`ip`, `user_agent`, `request_id`, `batch_id`,
    /// `client_id`, `channel`).
    pub fn source(&mut self, key: &str, value: Option<&str>) -> &mut Event {
        if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
            self.member("source", key, Value::String(value.to_owned()));
        }
        self
    }

    /// One member of `context`.
    pub fn context(&mut self, key: &str, value: Value) -> &mut Event {
        if !value.is_null() {
            self.member("context", key, value);
        }
        self
    }

    /// Sets `key` of the object `parent`, made when absent (looked up first: an
    /// entry would cost the parent's name as a new string each time).
    fn member(&mut self, parent: &str, key: &str, value: Value) {
        match self.0.get_mut(parent) {
            Some(Value::Object(members)) => {
                members.insert(key.to_owned(), value);
            }
            Some(_) => {}
            None => {
                let mut members = Map::new();
                members.insert(key.to_owned(), value);
                self.0.insert(parent.to_owned(), Value::Object(members));
            }
        }
    }

    pub fn build(self) -> Value {
        Value::Object(self.0)
    }
}

/// Who or what: see [`Event::party`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Party<'a> {
    pub id: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_in_the_shapes_exports_write_become_utc_with_milliseconds() {
        let t = "2026-03-01T10:00:00.000Z";
        for text in [
            "2026-03-01T10:00:00Z",
            "2026-03-01T10:00:00",
            "2026-03-01 10:00:00",
            "2026-03-01 10:00:00.000",
            "2026-03-01T11:00:00+01:00",
            "2026-03-01T10:00:00.000+0000",
            "2026-03-01 10:00:00 UTC",
            "1772359200000",
        ] {
            assert_eq!(utc_time(text).as_deref(), Some(t), "{text}");
        }
        for text in ["", "yesterday", "2026-13-01T00:00:00Z", "12", "-5"] {
            assert_eq!(utc_time(text), None, "{text}");
        }
        assert_eq!(time_of(&json!(1772359200000_i64)).as_deref(), Some(t));
        assert_eq!(time_of(&json!(null)), None);
        assert_eq!(millis_time(-1), None);
    }

    #[test]
    fn json_inside_a_string_is_decoded_only_when_it_is_an_object_or_array() {
        assert_eq!(decoded(&json!("[\"a\",\"b\"]")), json!(["a", "b"]));
        assert_eq!(decoded(&json!("{\"x\":1}")), json!({"x": 1}));
        assert_eq!(decoded(&json!("[not json")), json!("[not json"));
        assert_eq!(decoded(&json!("42")), json!("42"));
        assert_eq!(decoded(&json!(7)), json!(7));
    }

    #[test]
    fn one_element_arrays_on_both_sides_of_a_change_read_as_their_values() {
        let pair = |old: Option<Value>, new: Option<Value>| unwrapped_pair(old, new);
        // A department changed: the value, not a list.
        assert_eq!(
            pair(Some(json!(["Finance"])), Some(json!(["Legal"]))),
            (Some(json!("Finance")), Some(json!("Legal")))
        );
        // A property that had no value, written as nothing, `[]` or null.
        for none in [None, Some(json!([])), Some(json!(null))] {
            assert_eq!(
                pair(none.clone(), Some(json!(["Legal"]))),
                (None, Some(json!("Legal"))),
                "{none:?}"
            );
            assert_eq!(
                pair(Some(json!([42])), none.clone()),
                (Some(json!(42)), None),
                "{none:?}"
            );
        }
        // Beside a plain value, and with numbers and booleans.
        assert_eq!(
            pair(Some(json!("Finance")), Some(json!(["Legal"]))),
            (Some(json!("Finance")), Some(json!("Legal")))
        );
        assert_eq!(
            pair(Some(json!([false])), Some(json!([true]))),
            (Some(json!(false)), Some(json!(true)))
        );
    }

    #[test]
    fn real_lists_and_plain_values_are_kept_as_written() {
        let pair = |old: Value, new: Value| unwrapped_pair(Some(old), Some(new));
        // A list that grows keeps both sides lists: one value added, not replaced.
        assert_eq!(
            pair(json!(["a"]), json!(["a", "b"])),
            (Some(json!(["a"])), Some(json!(["a", "b"])))
        );
        assert_eq!(
            pair(json!(["a", "b"]), json!(["c"])),
            (Some(json!(["a", "b"])), Some(json!(["c"])))
        );
        assert_eq!(
            unwrapped_pair(Some(json!([])), Some(json!(["a", "b"]))),
            (Some(json!([])), Some(json!(["a", "b"])))
        );
        // One object in a list is no plain value.
        assert_eq!(
            pair(json!([{"x": 1}]), json!([{"x": 2}])),
            (Some(json!([{"x": 1}])), Some(json!([{"x": 2}])))
        );
        assert_eq!(
            pair(json!({"x": 1}), json!(["a"])),
            (Some(json!({"x": 1})), Some(json!(["a"])))
        );
        // No array at all: nothing to unwrap, an empty list stays.
        assert_eq!(
            pair(json!("Sales"), json!("Legal")),
            (Some(json!("Sales")), Some(json!("Legal")))
        );
        assert_eq!(
            unwrapped_pair(Some(json!([])), None),
            (Some(json!([])), None)
        );
        assert_eq!(unwrapped_pair(None, None), (None, None));
    }

    #[test]
    fn an_event_leaves_out_what_the_source_does_not_say() {
        let mut event = Event::new("e1", "2026-03-01T10:00:00.000Z", "user.update");
        event
            .party(
                "actor",
                Party {
                    id: Some("maria@acme.com"),
                    kind: Some("user"),
                    name: Some(" "),
                    email: None,
                },
            )
            .party("target", Party::default())
            .source("ip", Some("203.0.113.7"))
            .source("user_agent", Some(""))
            .text("reason", None)
            .set("before", json!({}))
            .context("n", json!(null));
        assert_eq!(
            event.build(),
            json!({"id": "e1", "ts": "2026-03-01T10:00:00.000Z", "action": "user.update",
                   "actor": {"id": "maria@acme.com", "type": "user"},
                   "source": {"ip": "203.0.113.7"}})
        );
    }
}
