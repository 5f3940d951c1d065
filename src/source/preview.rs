//! A first look at a CSV or JSON file of no known format, for the person writing its
//! mapping: its columns (CSV header names, or the JSON pointers of the first records'
//! values) with the first rows' values; and, once a mapping is drafted, the first
//! events it makes, worded as sentences, or the first record and field that do not fit.
//!
//! Reads only the first records (never the whole file) and never touches a case.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::mapping::{FieldSource, Mapping, RecordFormat};
use super::records::{Content, Header, read_records, sniff_format};
use crate::bundle::Limits;
use crate::query::sentence::sentence;
use crate::verify::{LineSink, SeenLine, VerifyOptions};
use crate::{Error, Result};

/// The first records of a file, as a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub format: RecordFormat,
    /// CSV header names, or JSON pointers (`/actor/alternateId`) in order of appearance.
    pub columns: Vec<String>,
    /// The first records' values, one cell per column (empty when a record lacks it).
    pub rows: Vec<Vec<String>>,
    /// Records among the first ones that could not be read.
    pub unreadable: u64,
}

/// The longest cell shown in a preview (longer text is cut with "…").
const CELL_CHARS: usize = 200;

/// Reads the first `n` records of `path`.
pub fn preview(path: &Path, limits: Limits, n: usize) -> Result<Preview> {
    let format = sniff_format(path)?;
    let header = std::cell::RefCell::new(Header::default());
    let columns: std::cell::RefCell<Vec<String>> = std::cell::RefCell::default();
    let mut records: Vec<BTreeMap<String, String>> = Vec::new();
    let mut unreadable = 0;
    let result = read_records(
        path,
        format,
        b',',
        limits.max_line_bytes,
        &mut |h| {
            *header.borrow_mut() = h.clone();
            *columns.borrow_mut() = h.names.clone();
            Ok(())
        },
        &mut |record| {
            if records.len() + unreadable as usize >= n {
                return Err(Error::Cancelled);
            }
            match record.content {
                Content::Csv(fields) => records.push(
                    header
                        .borrow()
                        .names
                        .iter()
                        .zip(fields)
                        .map(|(name, value)| (name.clone(), cut(value)))
                        .collect(),
                ),
                Content::Json(value) => {
                    let mut flat = BTreeMap::new();
                    flatten(
                        &value,
                        &mut String::new(),
                        &mut flat,
                        &mut columns.borrow_mut(),
                    );
                    records.push(flat);
                }
                Content::Malformed(_) => unreadable += 1,
            }
            Ok(())
        },
    );
    match result {
        Ok(_) | Err(Error::Cancelled) => {}
        Err(error) => return Err(error),
    }
    let columns = columns.into_inner();
    let rows = records
        .iter()
        .map(|record| {
            columns
                .iter()
                .map(|c| record.get(c).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    Ok(Preview {
        format,
        columns,
        rows,
        unreadable,
    })
}

/// A JSON record's leaf values by pointer; new pointers join `columns` in order.
fn flatten(
    value: &Value,
    pointer: &mut String,
    out: &mut BTreeMap<String, String>,
    columns: &mut Vec<String>,
) {
    match value {
        Value::Object(members) if !members.is_empty() => {
            for (key, member) in members {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                flatten(member, pointer, out, columns);
                pointer.truncate(len);
            }
        }
        other => {
            if !columns.contains(pointer) {
                columns.push(pointer.clone());
            }
            let text = match other {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            out.insert(pointer.clone(), cut(&text));
        }
    }
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(CELL_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// One event a drafted mapping makes of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewEvent {
    /// 1-based line of the record.
    pub line: u64,
    /// The event in plain words.
    pub sentence: String,
    /// The event's time, RFC 3339 UTC.
    pub ts: Option<String>,
    /// The normalized event (our field names).
    pub event: Value,
}

/// The first `n` events `mapping` makes of `path`; `Err` with the first record and
/// field that do not fit, as an import would say it.
pub fn preview_events(
    path: &Path,
    mapping: &Mapping,
    limits: Limits,
    n: usize,
) -> Result<Vec<PreviewEvent>> {
    struct Collect {
        events: Vec<PreviewEvent>,
        n: usize,
    }
    impl LineSink for Collect {
        fn line(&mut self, line: SeenLine<'_>) -> Result<()> {
            if let Some(normalized) = line.normalized
                && let Ok(event) = serde_json::from_slice::<Value>(normalized)
            {
                self.events.push(PreviewEvent {
                    line: line.span.line_no,
                    sentence: sentence(&event),
                    ts: event["ts"].as_str().map(str::to_owned),
                    event,
                });
            }
            // Stop as soon as there are enough: later records are not read at all.
            if self.events.len() >= self.n {
                return Err(Error::Cancelled);
            }
            Ok(())
        }
    }
    let mut sink = Collect {
        events: Vec::new(),
        n,
    };
    let options = VerifyOptions {
        limits,
        ..VerifyOptions::default()
    };
    match super::Source::open(path, Some(mapping), options.limits)?.read_into(&options, &mut sink) {
        Ok(_) | Err(Error::Cancelled) => Ok(sink.events),
        Err(error) => Err(error),
    }
}

/// A mapping as a form holds it, before it is written as TOML.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MappingDraft {
    pub name: Option<String>,
    pub format: Option<RecordFormat>,
    /// Event field → where its value comes from.
    pub fields: BTreeMap<String, FieldSource>,
    /// `rfc3339`, `epoch_seconds`, `epoch_millis` or a strftime pattern.
    pub time_format: Option<String>,
    pub timezone: Option<String>,
    /// Event field → (a record's text → the value to use).
    pub values: BTreeMap<String, BTreeMap<String, String>>,
}

impl From<&Mapping> for MappingDraft {
    /// The form's view of a saved mapping (to edit and reuse it).
    fn from(mapping: &Mapping) -> Self {
        use super::mapping::{TimeFormat, Zone};
        MappingDraft {
            name: mapping.name.clone(),
            format: mapping.format,
            fields: mapping.fields.clone(),
            time_format: match &mapping.time_format {
                TimeFormat::Rfc3339 => None,
                TimeFormat::EpochSeconds => Some("epoch_seconds".into()),
                TimeFormat::EpochMillis => Some("epoch_millis".into()),
                TimeFormat::Pattern(pattern) => Some(pattern.clone()),
            },
            timezone: match &mapping.zone {
                Zone::Utc => None,
                Zone::Fixed(offset) => Some(offset.to_string()),
                Zone::Named(zone) => Some(zone.name().to_owned()),
            },
            values: mapping.values.clone(),
        }
    }
}

impl MappingDraft {
    /// The mapping file's text (TOML), ready to be parsed, saved and reused.
    pub fn to_toml(&self) -> String {
        let quote = |text: &str| Value::String(text.to_owned()).to_string();
        let mut out = String::from("# A Trailscope mapping (see docs/mapping.md).\n");
        if let Some(name) = &self.name {
            out.push_str(&format!("name = {}\n", quote(name)));
        }
        if let Some(format) = self.format {
            out.push_str(&format!("format = {}\n", quote(format.as_str())));
        }
        if self.time_format.is_some() || self.timezone.is_some() {
            out.push_str("\n[time]\n");
            if let Some(format) = &self.time_format {
                out.push_str(&format!("format = {}\n", quote(format)));
            }
            if let Some(zone) = &self.timezone {
                out.push_str(&format!("timezone = {}\n", quote(zone)));
            }
        }
        out.push_str("\n[fields]\n");
        for (field, source) in &self.fields {
            let value = match source {
                FieldSource::Column(column) => format!("{{ column = {} }}", quote(column)),
                FieldSource::Pointer(pointer) => format!("{{ pointer = {} }}", quote(pointer)),
                FieldSource::Constant(value) => format!("{{ value = {} }}", quote(value)),
                FieldSource::HashOfRecord => "{ hash_of_record = true }".to_owned(),
            };
            out.push_str(&format!("{} = {value}\n", quote(field)));
        }
        for (field, map) in &self.values {
            if map.is_empty() {
                continue;
            }
            out.push_str(&format!("\n[values.{}]\n", quote(field)));
            for (from, to) in map {
                out.push_str(&format!("{} = {}\n", quote(from), quote(to)));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_shows_the_first_records_by_column_or_json_pointer() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("a.csv");
        std::fs::write(&csv, "When,Who\n1,maria\n2,omar\n3,li\n").unwrap();
        let seen = preview(&csv, Limits::default(), 2).unwrap();
        assert_eq!(seen.format, RecordFormat::Csv);
        assert_eq!(seen.columns, ["When", "Who"]);
        assert_eq!(seen.rows, [["1", "maria"], ["2", "omar"]]);
        let json = dir.path().join("a.json");
        std::fs::write(
            &json,
            r#"[{"t": 1, "actor": {"id": "maria"}}, {"t": 2, "actor": {"id": "omar", "n": "x"}}, 7]"#,
        )
        .unwrap();
        let seen = preview(&json, Limits::default(), 5).unwrap();
        assert_eq!(seen.format, RecordFormat::Json);
        assert_eq!(seen.columns, ["/actor/id", "/t", "/actor/n"]);
        assert_eq!(seen.rows, [["maria", "1", ""], ["omar", "2", "x"]]);
        assert_eq!(seen.unreadable, 1);
    }

    #[test]
    fn the_first_events_of_a_draft_read_as_sentences_or_name_the_misfit() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("a.csv");
        std::fs::write(
            &csv,
            "When,Who,What\n2026-01-01T09:00:00Z,maria,user.login\nyesterday,omar,user.login\n",
        )
        .unwrap();
        let mapping =
            Mapping::parse("[fields]\nts = \"When\"\n\"actor.id\" = \"Who\"\naction = \"What\"\n")
                .unwrap();
        let events = preview_events(&csv, &mapping, Limits::default(), 1).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].ts.as_deref(), Some("2026-01-01T09:00:00.000Z"));
        assert!(
            events[0].sentence.contains("maria"),
            "{}",
            events[0].sentence
        );
        let misfit = preview_events(&csv, &mapping, Limits::default(), 5).unwrap_err();
        assert!(misfit.to_string().contains("record 2 (line 3"), "{misfit}");
    }

    #[test]
    fn a_draft_written_as_toml_reads_back_as_the_same_mapping() {
        let mut draft = MappingDraft {
            name: Some("Acme \"ERP\"".into()),
            format: Some(RecordFormat::Csv),
            time_format: Some("%d/%m/%Y %H:%M".into()),
            timezone: Some("Europe/Madrid".into()),
            ..MappingDraft::default()
        };
        draft
            .fields
            .insert("ts".into(), FieldSource::Column("When".into()));
        draft
            .fields
            .insert("action".into(), FieldSource::Pointer("/a/b".into()));
        draft
            .fields
            .insert("actor.type".into(), FieldSource::Constant("user".into()));
        draft.fields.insert("id".into(), FieldSource::HashOfRecord);
        draft.values.insert(
            "outcome".into(),
            [("403".to_owned(), "denied".to_owned())].into(),
        );
        draft
            .fields
            .insert("outcome".into(), FieldSource::Column("Result".into()));
        let mapping = Mapping::parse(&draft.to_toml()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mapping.name.as_deref(), Some("Acme \"ERP\""));
        assert_eq!(mapping.fields, draft.fields);
        assert_eq!(mapping.values, draft.values);
        assert_eq!(MappingDraft::from(&mapping), draft);
    }
}
