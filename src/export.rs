//! Exports of what an investigator found: CSV (RFC 4180, safe against formula
//! injection) and JSON Lines (the original lines as they arrived), with the case's
//! masked fields hidden in both.
//!
//! Every cell a spreadsheet could read as a formula (starting with `=`, `+`, `-`, `@`,
//! tab or carriage return) is neutralised with a leading apostrophe. JSONL output is
//! always valid JSON Lines, whatever the input: a line that is not JSON is exported as
//! a JSON object describing it, never as raw bytes.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::Write;

use serde_json::{Value, json};

use crate::query::EventRow;
use crate::query::sentence::sentence;
use crate::{Error, Result};

/// The text that replaces a masked value.
pub const MASK: &str = "••••";

/// Neutralises a CSV cell that a spreadsheet would run as a formula.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Replaces, at any depth, the values of object members named in `masked`.
pub fn mask(value: &mut Value, masked: &BTreeSet<String>) {
    if masked.is_empty() {
        return;
    }
    match value {
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if masked.contains(key) {
                    *member = Value::String(MASK.to_owned());
                } else {
                    mask(member, masked);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| mask(item, masked)),
        _ => {}
    }
}

/// The event of a row, masked, or `None` if the line is not JSON.
pub fn masked_event(row: &EventRow, masked: &BTreeSet<String>) -> Option<Value> {
    let mut event = row.json()?;
    mask(&mut event, masked);
    Some(event)
}

/// An event's JSON form for every source: the normalized event in our field names
/// (masked), its `provenance` (source kind, file, line, SHA-256 of the record) and the
/// `record` exactly as it arrived (withheld when fields are masked: a foreign record
/// cannot be masked reliably). A quarantined line is described, never re-parsed.
pub fn event_document(row: &EventRow, masked: &BTreeSet<String>) -> Value {
    let mut document = match (&row.malformed, masked_event(row, masked)) {
        (None, Some(event @ Value::Object(_))) => event,
        _ => json!({ "malformed": row.malformed.as_deref().unwrap_or("not a JSON object") }),
    };
    document["provenance"] = json!({
        "source": row.source.as_str(),
        "file": row.file,
        "line": row.line,
        "record_sha256": crate::canonical::to_hex(&crate::canonical::sha256(&row.raw)),
    });
    document["record"] = if masked.is_empty() {
        json!(String::from_utf8_lossy(&row.raw))
    } else {
        json!("(withheld: fields are masked)")
    };
    document
}

/// The CSV header of [`CsvExport`].
pub const CSV_COLUMNS: [&str; 16] = [
    "time_utc",
    "actor_id",
    "actor_name",
    "actor_type",
    "action",
    "category",
    "target_type",
    "target_id",
    "target_name",
    "outcome",
    "sentence",
    "chain",
    "seq",
    "event_id",
    "verified",
    "line",
];

/// Writes events as CSV, one row each.
pub struct CsvExport<W: Write> {
    writer: csv::Writer<W>,
    masked: BTreeSet<String>,
}

impl<W: Write> CsvExport<W> {
    pub fn new(out: W, masked: BTreeSet<String>) -> Result<Self> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record(CSV_COLUMNS).map_err(csv_error)?;
        Ok(CsvExport { writer, masked })
    }

    pub fn write(&mut self, row: &EventRow) -> Result<()> {
        let event = masked_event(row, &self.masked);
        let masked_field = |name: &str, value: &Option<String>| {
            if self.masked.contains(name) {
                value.as_ref().map(|_| MASK.to_owned())
            } else {
                value.clone()
            }
        };
        let sentence = match (&event, &row.malformed) {
            (_, Some(reason)) => format!("Malformed line kept in quarantine: {reason}"),
            (Some(event), None) => sentence(event),
            (None, None) => String::new(),
        };
        let time = row
            .ts
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        let cells: [Option<String>; 16] = [
            time,
            row.actor_id.clone(),
            masked_field("name", &row.actor_name),
            row.actor_type.clone(),
            row.action.clone(),
            row.category.clone(),
            row.target_type.clone(),
            row.target_id.clone(),
            masked_field("name", &row.target_name),
            row.outcome.clone(),
            Some(sentence),
            row.chain.clone(),
            row.seq.map(|s| s.to_string()),
            row.id.clone(),
            Some(row.verified().to_string()),
            Some(row.line.to_string()),
        ];
        let cells: Vec<String> = cells
            .iter()
            .map(|c| formula_safe(c.as_deref().unwrap_or("")).into_owned())
            .collect();
        self.writer.write_record(&cells).map_err(csv_error)
    }

    pub fn finish(mut self) -> Result<()> {
        self.writer
            .flush()
            .map_err(|e| Error::Invalid(format!("cannot write the export: {e}")))
    }
}

fn csv_error(error: csv::Error) -> Error {
    Error::Invalid(format!("cannot write the export: {error}"))
}

/// The line as it arrived, for reading: its own text, or, when fields are masked, the
/// masked rendering (withheld if the line cannot be read to mask it).
pub fn line_as_arrived(row: &EventRow, masked: &BTreeSet<String>) -> String {
    if masked.is_empty() {
        return String::from_utf8_lossy(&row.raw).into_owned();
    }
    match masked_event(row, masked) {
        Some(event) => event.to_string(),
        None => {
            "(withheld: fields are masked and this line cannot be read to mask them)".to_owned()
        }
    }
}

/// Writes one event as a JSON line: the original bytes when nothing is masked and the
/// line is a well-formed event; otherwise a JSON rendering that is always valid.
///
/// A quarantined (malformed) line is exported as an object describing it, with its
/// text as it arrived, never re-rendered through a parser (which would silently drop
/// a duplicate key's other value). When fields are masked, its text is replaced by
/// the masked parse if it can be read, else withheld: it cannot be masked reliably.
pub fn write_jsonl(out: &mut impl Write, row: &EventRow, masked: &BTreeSet<String>) -> Result<()> {
    let io = |e: std::io::Error| Error::Invalid(format!("cannot write the export: {e}"));
    let json_error = |e: serde_json::Error| Error::Invalid(e.to_string());
    if row.malformed.is_some() {
        let mut quarantined = json!({
            "file": row.file,
            "line": row.line,
            "reason": row.malformed,
        });
        if masked.is_empty() {
            quarantined["malformed_line"] = json!(String::from_utf8_lossy(&row.raw));
        } else if let Some(event) = masked_event(row, masked) {
            quarantined["malformed_line_masked"] = event;
        } else {
            quarantined["malformed_line"] =
                json!("(withheld: fields are masked and this line cannot be read to mask them)");
        }
        serde_json::to_writer(&mut *out, &quarantined).map_err(json_error)?;
    } else if row.normal.is_some() {
        // A record of another format: its normalized event, with where it came from.
        serde_json::to_writer(&mut *out, &event_document(row, masked)).map_err(json_error)?;
    } else if masked.is_empty()
        && !row.raw.contains(&b'\n')
        && serde_json::from_slice::<Value>(&row.raw).is_ok()
    {
        out.write_all(&row.raw).map_err(io)?;
    } else if let Some(event) = masked_event(row, masked) {
        serde_json::to_writer(&mut *out, &event).map_err(json_error)?;
    } else {
        let unreadable = json!({
            "malformed_line": String::from_utf8_lossy(&row.raw),
            "file": row.file,
            "line": row.line,
        });
        serde_json::to_writer(&mut *out, &unreadable).map_err(json_error)?;
    }
    out.write_all(b"\n").map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_start_like_formulas_are_neutralised() {
        for dangerous in ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx"] {
            assert_eq!(formula_safe(dangerous), format!("'{dangerous}"));
        }
        assert_eq!(formula_safe("Order #1842"), "Order #1842");
        assert_eq!(formula_safe(""), "");
    }

    #[test]
    fn masking_reaches_nested_fields() {
        let mut event = json!({"actor": {"email": "a@b"}, "after": {"card_number": "4111", "items": [{"email": "c@d"}]}});
        mask(
            &mut event,
            &["email".to_owned(), "card_number".to_owned()].into(),
        );
        assert_eq!(
            event,
            json!({"actor": {"email": MASK}, "after": {"card_number": MASK, "items": [{"email": MASK}]}})
        );
    }
}

/// Which export to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl => "jsonl",
        }
    }
}

/// Writes every event of the case matching `filter` (oldest first), masked, to `out`.
/// Returns how many events were written.
pub fn export_events(
    case: &crate::case::Case,
    filter: &crate::query::EventFilter,
    format: ExportFormat,
    out: &mut impl Write,
) -> Result<u64> {
    let masked = case.masked_fields()?;
    let mut n = 0;
    match format {
        ExportFormat::Csv => {
            let mut export = CsvExport::new(&mut *out, masked)?;
            crate::query::for_each_event(case, filter, |row| {
                n += 1;
                export.write(&row)
            })?;
            export.finish()?;
        }
        ExportFormat::Jsonl => {
            crate::query::for_each_event(case, filter, |row| {
                n += 1;
                write_jsonl(out, &row, &masked)
            })?;
        }
    }
    Ok(n)
}

/// Exports to a file: written beside it under a temporary name and renamed into place
/// only when complete, so a failed export (disk full, cancelled) never leaves a
/// half-written file that looks finished.
pub fn export_to_file(
    case: &crate::case::Case,
    filter: &crate::query::EventFilter,
    format: ExportFormat,
    path: &std::path::Path,
) -> Result<u64> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let written = (|| {
        let file = std::fs::File::create(&partial).map_err(|e| Error::io(&partial, e))?;
        let mut writer = std::io::BufWriter::new(file);
        let n = export_events(case, filter, format, &mut writer)?;
        let file = writer
            .into_inner()
            .map_err(|e| Error::io(&partial, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&partial, e))?;
        std::fs::rename(&partial, path).map_err(|e| Error::io(path, e))?;
        Ok(n)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}
