//! A mapping: how to read the records of a CSV or JSON file of another system as
//! Trailscope events. It names, for each event field, a CSV column or a JSON pointer
//! (or a constant), the time format and zone, value maps (`OK` → `success`), and where
//! the event id comes from (a field, or the hash of the record).
//!
//! The mapping file is TOML (its schema is in `docs/mapping.md`). This module parses and
//! checks it, and turns one record into the normalized event (in our field names); it
//! never reads a file of events or touches the case.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::canonical::{sha256, to_hex};

/// The event fields a mapping can fill, in the order they are listed to users.
pub const FIELDS: [&str; 23] = [
    "id",
    "ts",
    "action",
    "category",
    "actor.id",
    "actor.type",
    "actor.name",
    "actor.email",
    "on_behalf_of.id",
    "on_behalf_of.name",
    "target.type",
    "target.id",
    "target.name",
    "outcome",
    "reason",
    "source.ip",
    "source.user_agent",
    "source.channel",
    "source.request_id",
    "source.batch_id",
    "source.client_id",
    "source.rule.id",
    "context",
];

/// Fields beyond `FIELDS` that hold JSON values: the record's state around the event
/// (`before`, `after`) or, for a source that only knows those, what the request asked
/// for and what came back (`requested`, `result`). The pair a source knows is never
/// passed off as the other: a request is not a record's state.
pub const VALUE_FIELDS: [&str; 4] = ["before", "after", "requested", "result"];

/// Without these no event can be built from a record.
pub const REQUIRED: [&str; 2] = ["ts", "action"];

/// The layout of the file a mapping reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object a line.
    Jsonl,
    /// One JSON array of objects (read element by element, never whole).
    Json,
}

impl RecordFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordFormat::Csv => "csv",
            RecordFormat::Jsonl => "jsonl",
            RecordFormat::Json => "json",
        }
    }
}

/// Where one event field's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldSource {
    /// A CSV column, by its header name.
    Column(String),
    /// A JSON pointer (RFC 6901) into a JSON record, e.g. `/actor/alternateId`.
    Pointer(String),
    /// The same value for every record.
    Constant(String),
    /// The SHA-256 of the record's bytes as they arrived (for `id` when a source has none).
    HashOfRecord,
}

/// How times are written.
#[derive(Debug, Clone, PartialEq)]
pub enum TimeFormat {
    /// RFC 3339 / ISO 8601 with an offset (`2026-03-01T09:30:00Z`).
    Rfc3339,
    /// Seconds since the Unix epoch (may have a fraction).
    EpochSeconds,
    /// Milliseconds since the Unix epoch.
    EpochMillis,
    /// A strftime pattern (chrono's), e.g. `%d/%m/%Y %H:%M:%S`; read in `zone` unless
    /// it holds its own offset (`%z`).
    Pattern(String),
}

/// The zone of times written without an offset.
#[derive(Debug, Clone, PartialEq)]
pub enum Zone {
    Utc,
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

/// A parsed, checked mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// What the mapped events are called in reports (e.g. "Acme ERP audit export").
    pub name: Option<String>,
    /// The file's layout; `None`: told by its content.
    pub format: Option<RecordFormat>,
    /// The CSV delimiter (default `,`).
    pub delimiter: u8,
    pub fields: BTreeMap<String, FieldSource>,
    pub time_format: TimeFormat,
    pub zone: Zone,
    /// Per event field: a record's text → the value to use.
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// The mapping file's text as given (kept with the case, for provenance).
    pub text: String,
}

/// Why a mapping file is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError(pub String);

impl std::fmt::Display for MappingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The mapping file as written (TOML).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    name: Option<String>,
    format: Option<RecordFormat>,
    delimiter: Option<String>,
    #[serde(default)]
    time: TimeTable,
    fields: BTreeMap<String, FieldSpec>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeTable {
    format: Option<String>,
    timezone: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FieldSpec {
    /// `"Column"` or `"/json/pointer"`.
    Name(String),
    Table(FieldTable),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldTable {
    column: Option<String>,
    pointer: Option<String>,
    value: Option<String>,
    hash_of_record: Option<bool>,
}

impl Mapping {
    /// Parses and checks a mapping file's text.
    pub fn parse(text: &str) -> Result<Mapping, MappingError> {
        let file: MappingFile = toml::from_str(text)
            .map_err(|e| MappingError(format!("the mapping is not valid: {e}")))?;
        let mut fields = BTreeMap::new();
        for (name, spec) in file.fields {
            if !FIELDS.contains(&name.as_str()) && !VALUE_FIELDS.contains(&name.as_str()) {
                return Err(MappingError(format!(
                    "the mapping names a field {name:?} that events do not have; the fields are {}, {}",
                    FIELDS.join(", "),
                    VALUE_FIELDS.join(", ")
                )));
            }
            let source = match spec {
                FieldSpec::Name(text) if text.starts_with('/') => FieldSource::Pointer(text),
                FieldSpec::Name(text) => FieldSource::Column(text),
                FieldSpec::Table(table) => {
                    let given = [
                        table.column.clone().map(FieldSource::Column),
                        table.pointer.clone().map(FieldSource::Pointer),
                        table.value.clone().map(FieldSource::Constant),
                        (table.hash_of_record == Some(true)).then_some(FieldSource::HashOfRecord),
                    ];
                    let mut given = given.into_iter().flatten();
                    match (given.next(), given.next()) {
                        (Some(source), None) => source,
                        _ => {
                            return Err(MappingError(format!(
                                "field {name:?}: give exactly one of column, pointer, value or hash_of_record = true"
                            )));
                        }
                    }
                }
            };
            if source == FieldSource::HashOfRecord && name != "id" {
                return Err(MappingError(format!(
                    "field {name:?}: only id can be the hash of the record"
                )));
            }
            if let FieldSource::Pointer(pointer) = &source
                && !pointer.starts_with('/')
            {
                return Err(MappingError(format!(
                    "field {name:?}: a JSON pointer starts with '/'"
                )));
            }
            fields.insert(name, source);
        }
        for required in REQUIRED {
            if !fields.contains_key(required) {
                return Err(MappingError(format!(
                    "the mapping does not say where {required:?} comes from; every event needs it"
                )));
            }
        }
        for field in file.values.keys() {
            if !fields.contains_key(field) {
                return Err(MappingError(format!(
                    "[values.{field}] maps the values of a field the mapping does not read"
                )));
            }
        }
        if let Some(outcomes) = file.values.get("outcome") {
            for (from, to) in outcomes {
                if !matches!(to.as_str(), "success" | "failure" | "denied") {
                    return Err(MappingError(format!(
                        "[values.outcome] maps {from:?} to {to:?}; an outcome is success, failure or denied"
                    )));
                }
            }
        }
        let delimiter = match file.delimiter.as_deref() {
            None => b',',
            Some("\\t" | "\t" | "tab") => b'\t',
            Some(d) if d.len() == 1 && d.is_ascii() => d.as_bytes()[0],
            Some(d) => {
                return Err(MappingError(format!(
                    "delimiter {d:?}: give one ASCII character, or \"tab\""
                )));
            }
        };
        let time_format = match file.time.format.as_deref() {
            None | Some("rfc3339") => TimeFormat::Rfc3339,
            Some("epoch_seconds") => TimeFormat::EpochSeconds,
            Some("epoch_millis") => TimeFormat::EpochMillis,
            Some(pattern) if pattern.contains('%') => {
                check_pattern(pattern)?;
                TimeFormat::Pattern(pattern.to_owned())
            }
            Some(other) => {
                return Err(MappingError(format!(
                    "time format {other:?}: use rfc3339, epoch_seconds, epoch_millis or a strftime pattern such as \"%d/%m/%Y %H:%M:%S\""
                )));
            }
        };
        let zone = match file.time.timezone.as_deref() {
            None | Some("UTC" | "utc" | "Z") => Zone::Utc,
            Some(text) => parse_zone(text)?,
        };
        Ok(Mapping {
            name: file.name,
            format: file.format,
            delimiter,
            fields,
            time_format,
            zone,
            values: file.values,
            text: text.to_owned(),
        })
    }

    /// The CSV columns the mapping reads, each with the event field that reads it.
    pub fn columns(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .filter_map(|(field, source)| match source {
                FieldSource::Column(column) => Some((field.as_str(), column.as_str())),
                _ => None,
            })
    }

    /// Builds the normalized event (our field names) from one record. `lookup` reads a
    /// CSV column or a JSON pointer of the record; `raw` is the record as it arrived.
    pub fn normalize(
        &self,
        lookup: &dyn Fn(&FieldSource) -> Option<Value>,
        raw: &[u8],
    ) -> Result<Value, FieldError> {
        let mut event = Map::new();
        for (field, source) in &self.fields {
            let value = match source {
                FieldSource::Constant(text) => Some(Value::String(text.clone())),
                FieldSource::HashOfRecord => Some(Value::String(to_hex(&sha256(raw)))),
                other => lookup(other),
            };
            let value = value.filter(|v| !is_blank(v));
            let Some(value) = value else {
                if REQUIRED.contains(&field.as_str()) {
                    return Err(FieldError {
                        field: field.clone(),
                        reason: format!("{} is missing or empty", describe(source)),
                    });
                }
                continue;
            };
            let value = self.mapped_value(field, value);
            let value = match field.as_str() {
                "ts" => Value::String(self.parse_time(&value).map_err(|reason| FieldError {
                    field: field.clone(),
                    reason,
                })?),
                "outcome" => {
                    let text = as_text(&value);
                    if !matches!(text.as_str(), "success" | "failure" | "denied") {
                        return Err(FieldError {
                            field: field.clone(),
                            reason: format!(
                                "{text:?} is not success, failure or denied, and [values.outcome] does not map it"
                            ),
                        });
                    }
                    Value::String(text)
                }
                "before" | "after" | "requested" | "result" | "context" => json_value(value),
                _ => Value::String(as_text(&value)),
            };
            insert_path(&mut event, field, value);
        }
        Ok(Value::Object(event))
    }

    /// A value after the field's value map, if it has one.
    fn mapped_value(&self, field: &str, value: Value) -> Value {
        match self.values.get(field) {
            Some(map) => match map.get(&as_text(&value)) {
                Some(to) => Value::String(to.clone()),
                None => value,
            },
            None => value,
        }
    }

    /// A time as RFC 3339 UTC with milliseconds.
    fn parse_time(&self, value: &Value) -> Result<String, String> {
        let text = as_text(value);
        let instant: DateTime<Utc> = match &self.time_format {
            TimeFormat::Rfc3339 => DateTime::parse_from_rfc3339(text.trim())
                .map_err(|e| format!("{text:?} is not an RFC 3339 time ({e})"))?
                .with_timezone(&Utc),
            TimeFormat::EpochSeconds => {
                let seconds: f64 = text
                    .trim()
                    .parse()
                    .map_err(|_| format!("{text:?} is not a number of seconds"))?;
                let millis = (seconds * 1000.0).round();
                Utc.timestamp_millis_opt(millis as i64)
                    .single()
                    .filter(|_| millis.is_finite())
                    .ok_or_else(|| format!("{text:?} seconds is out of range"))?
            }
            TimeFormat::EpochMillis => {
                let millis: i64 = text
                    .trim()
                    .parse()
                    .map_err(|_| format!("{text:?} is not a whole number of milliseconds"))?;
                Utc.timestamp_millis_opt(millis)
                    .single()
                    .ok_or_else(|| format!("{text:?} milliseconds is out of range"))?
            }
            TimeFormat::Pattern(pattern) => parse_with_pattern(text.trim(), pattern, &self.zone)?,
        };
        Ok(instant.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    }
}

/// Why one record does not fit the mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

fn describe(source: &FieldSource) -> String {
    match source {
        FieldSource::Column(column) => format!("column {column:?}"),
        FieldSource::Pointer(pointer) => format!("JSON pointer {pointer}"),
        FieldSource::Constant(value) => format!("the constant {value:?}"),
        FieldSource::HashOfRecord => "the record's hash".into(),
    }
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        _ => false,
    }
}

/// A JSON value as text: strings as they are, numbers and booleans written out,
/// objects and arrays as compact JSON.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// `before`, `after` and `context`: a CSV cell holding JSON is read as that JSON.
fn json_value(value: Value) -> Value {
    match value {
        Value::String(text) => match serde_json::from_str::<Value>(text.trim()) {
            Ok(parsed @ (Value::Object(_) | Value::Array(_))) => parsed,
            _ => Value::String(text),
        },
        other => other,
    }
}

/// Sets `a.b.c` in a JSON object, making the objects on the way.
fn insert_path(event: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().expect("a field name is never empty");
    let mut object = event;
    for part in parts {
        let entry = object
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        object = entry.as_object_mut().expect("made an object above");
    }
    object.insert(last.to_owned(), value);
}

fn parse_zone(text: &str) -> Result<Zone, MappingError> {
    if let Ok(offset) = text.parse::<FixedOffset>() {
        return Ok(Zone::Fixed(offset));
    }
    text.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| {
        MappingError(format!(
            "time zone {text:?}: use UTC, an offset such as +02:00, or a zone name such as Europe/Paris"
        ))
    })
}

/// A strftime pattern must at least name the day and the hour.
fn check_pattern(pattern: &str) -> Result<(), MappingError> {
    let items = chrono::format::StrftimeItems::new(pattern);
    if items
        .clone()
        .any(|item| matches!(item, chrono::format::Item::Error))
    {
        return Err(MappingError(format!(
            "time format {pattern:?} is not a strftime pattern chrono understands"
        )));
    }
    Ok(())
}

fn parse_with_pattern(text: &str, pattern: &str, zone: &Zone) -> Result<DateTime<Utc>, String> {
    if let Ok(with_offset) = DateTime::parse_from_str(text, pattern) {
        return Ok(with_offset.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text, pattern)
        .or_else(|_| {
            NaiveDate::parse_from_str(text, pattern)
                .map(|date| date.and_hms_opt(0, 0, 0).expect("midnight exists"))
        })
        .map_err(|e| format!("{text:?} does not match the time format {pattern:?} ({e})"))?;
    let local = match zone {
        Zone::Utc => return Ok(Utc.from_utc_datetime(&naive)),
        Zone::Fixed(offset) => offset.from_local_datetime(&naive).single(),
        Zone::Named(tz) => tz
            .from_local_datetime(&naive)
            // In the hour a clock goes back, a local time happens twice: the earlier.
            .earliest()
            .map(|t| t.fixed_offset()),
    };
    local
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("{text:?} does not exist in that time zone (a clock change)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapping(text: &str) -> Mapping {
        Mapping::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn normalize(m: &Mapping, record: Value) -> Result<Value, FieldError> {
        let lookup = |source: &FieldSource| match source {
            FieldSource::Column(c) => record.get(c).cloned(),
            FieldSource::Pointer(p) => record.pointer(p).cloned(),
            _ => None,
        };
        m.normalize(&lookup, b"raw bytes")
    }

    #[test]
    fn a_record_becomes_an_event_in_our_field_names() {
        let m = mapping(
            r#"
            [time]
            format = "%d/%m/%Y %H:%M"
            timezone = "Europe/Paris"
            [fields]
            id = { hash_of_record = true }
            ts = "When"
            action = "What"
            "actor.id" = "Who"
            "actor.type" = { value = "user" }
            outcome = "Result"
            "target.type" = { value = "Order" }
            "target.id" = "Order"
            after = "New"
            [values.outcome]
            OK = "success"
            "403" = "denied"
            "#,
        );
        let event = normalize(
            &m,
            json!({"When": "01/07/2026 09:30", "What": "order.approved", "Who": "maria",
                   "Result": "403", "Order": "1842", "New": "{\"status\":\"Approved\"}"}),
        )
        .unwrap();
        assert_eq!(
            event,
            json!({
                "id": to_hex(&sha256(b"raw bytes")),
                "ts": "2026-07-01T07:30:00.000Z",
                "action": "order.approved",
                "actor": {"id": "maria", "type": "user"},
                "outcome": "denied",
                "target": {"type": "Order", "id": "1842"},
                "after": {"status": "Approved"},
            })
        );
    }

    #[test]
    fn a_record_that_does_not_fit_names_the_field_and_why() {
        let m = mapping("[fields]\nts = \"/t\"\naction = \"/a\"\noutcome = \"/o\"\n");
        let error = normalize(&m, json!({"t": "yesterday", "a": "x"})).unwrap_err();
        assert_eq!(error.field, "ts");
        assert!(error.reason.contains("not an RFC 3339 time"), "{error:?}");
        let error = normalize(&m, json!({"t": "2026-01-01T00:00:00Z"})).unwrap_err();
        assert_eq!(
            (error.field.as_str(), error.reason.as_str()),
            ("action", "JSON pointer /a is missing or empty")
        );
        let error = normalize(
            &m,
            json!({"t": "2026-01-01T00:00:00Z", "a": "x", "o": "WEIRD"}),
        )
        .unwrap_err();
        assert!(
            error.reason.contains("\"WEIRD\" is not success"),
            "{error:?}"
        );
    }

    #[test]
    fn epoch_times_and_fixed_offsets_read_as_utc() {
        let m =
            mapping("[time]\nformat = \"epoch_millis\"\n[fields]\nts = \"/t\"\naction = \"/a\"\n");
        let event = normalize(&m, json!({"t": 1767225600123i64, "a": "x"})).unwrap();
        assert_eq!(event["ts"], "2026-01-01T00:00:00.123Z");
        let m = mapping(
            "[time]\nformat = \"%Y-%m-%d %H:%M:%S\"\ntimezone = \"+02:00\"\n[fields]\nts = \"/t\"\naction = \"/a\"\n",
        );
        let event = normalize(&m, json!({"t": "2026-01-01 02:00:00", "a": "x"})).unwrap();
        assert_eq!(event["ts"], "2026-01-01T00:00:00.000Z");
    }

    #[test]
    fn a_mapping_that_cannot_work_is_refused_with_the_reason() {
        for (text, reason) in [
            ("[fields]\naction = \"A\"\n", "\"ts\""),
            (
                "[fields]\nts = \"T\"\naction = \"A\"\nactor = \"X\"\n",
                "field \"actor\"",
            ),
            (
                "[fields]\nts = \"T\"\naction = \"A\"\n[values.outcome]\nOK = \"fine\"\n",
                "[values.outcome]",
            ),
            (
                "[fields]\nts = \"T\"\naction = \"A\"\noutcome = \"O\"\n[values.outcome]\nOK = \"fine\"\n",
                "success, failure or denied",
            ),
            (
                "[time]\ntimezone = \"Mars/Base\"\n[fields]\nts = \"T\"\naction = \"A\"\n",
                "time zone",
            ),
            (
                "[fields]\nts = { column = \"T\", value = \"x\" }\naction = \"A\"\n",
                "exactly one",
            ),
            (
                "[fields]\nts = \"T\"\naction = { hash_of_record = true }\n",
                "only id",
            ),
            ("fields = 3", "not valid"),
        ] {
            let error = Mapping::parse(text).unwrap_err();
            assert!(error.0.contains(reason), "{text}: {error}");
        }
    }
}
