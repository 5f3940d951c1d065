//! Exports of what an investigator found: CSV (RFC 4180, safe against formula
//! injection) and JSON Lines (the original lines as they arrived), with the case's
//! masked fields hidden in both; and Hive-partitioned Parquet ([`parquet`]), a folder.
//!
//! Every cell a spreadsheet could read as a formula (starting with `=`, `+`, `-`, `@`,
//! tab or carriage return) is neutralised with a leading apostrophe. JSONL output is
//! always valid JSON Lines, whatever the input: a line that is not JSON is exported as
//! a JSON object describing it, never as raw bytes.

pub mod parquet;

use std::borrow::Cow;
use std::io::Write;

use serde_json::json;

use crate::query::EventRow;
use crate::query::view::{Masking, event_view};
use crate::{Error, Result};

/// Neutralises a CSV cell that a spreadsheet would run as a formula.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// An event's JSON form for every source: the normalized event in our field names
/// (masked), its `provenance` (source kind, file, line, SHA-256 of the record) and the
/// `record` exactly as it arrived (withheld when fields are masked: a foreign record
/// cannot be masked reliably). A quarantined line is described, never re-parsed.
pub fn event_document(
    row: &EventRow,
    masking: &Masking,
    digests: &FileDigests,
) -> serde_json::Value {
    let mut document = match (&row.malformed, masking.event(row)) {
        (None, Some(event @ serde_json::Value::Object(_))) => event,
        _ => json!({ "malformed": row.malformed.as_deref().unwrap_or("not a JSON object") }),
    };
    document["provenance"] = json!({
        "source": row.source.as_str(),
        "file": row.file,
        "file_sha256": digests.of(row),
        "line": row.line,
        "chain": row.chain,
        "seq": row.seq,
        "record_sha256": crate::canonical::to_hex(&crate::canonical::sha256(&row.raw)),
        "verified": row.verified(),
    });
    document["record"] = if masking.is_empty() {
        json!(String::from_utf8_lossy(&row.raw))
    } else {
        json!("(withheld: fields are masked)")
    };
    document
}

/// The SHA-256 each row's source file was read with, so an exported row can be traced
/// to the exact file it came from (and its record re-hashed against it).
#[derive(Debug, Clone, Default)]
pub struct FileDigests(std::collections::HashMap<(i64, String), String>);

impl FileDigests {
    pub fn of_case(case: &crate::case::Case) -> Result<FileDigests> {
        Ok(FileDigests(crate::case::table::source_file::sha256s(
            case.connection(),
        )?))
    }

    /// The SHA-256 (hex) of the file `row` came from, if the case kept it.
    pub fn of(&self, row: &EventRow) -> Option<&str> {
        self.0
            .get(&(row.bundle_idx, row.file.clone()))
            .map(String::as_str)
    }
}

/// The CSV header of [`CsvExport`].
pub const CSV_COLUMNS: [&str; 20] = [
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
    "source",
    "file",
    "file_sha256",
    "record_sha256",
];

/// Writes events as CSV, one row each.
pub struct CsvExport<W: Write> {
    writer: csv::Writer<W>,
    masking: Masking,
    digests: FileDigests,
}

impl<W: Write> CsvExport<W> {
    pub fn new(out: W, masking: Masking, digests: FileDigests) -> Result<Self> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record(CSV_COLUMNS).map_err(csv_error)?;
        Ok(CsvExport {
            writer,
            masking,
            digests,
        })
    }

    /// One row: the event's list view (worded and masked as every output shows it).
    pub fn write(&mut self, row: &EventRow) -> Result<()> {
        let view = event_view(row, &self.masking);
        let time = row
            .ts
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        let cells: [Option<String>; 20] = [
            time,
            view.actor_id,
            view.actor_name,
            view.actor_type,
            view.action,
            self.masking.text("category", &row.category),
            view.target_type,
            view.target_id,
            view.target_name,
            view.outcome,
            Some(view.sentence),
            view.chain,
            view.seq.map(|s| s.to_string()),
            view.id,
            Some(view.verified.to_string()),
            Some(row.line.to_string()),
            Some(row.source.as_str().to_owned()),
            Some(row.file.clone()),
            self.digests.of(row).map(str::to_owned),
            Some(crate::canonical::to_hex(&crate::canonical::sha256(
                &row.raw,
            ))),
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

/// Writes one event as a JSON line: the original bytes when nothing is masked and the
/// line is a well-formed event; otherwise a JSON rendering that is always valid.
///
/// A quarantined (malformed) line is exported as an object describing it, with its
/// text as it arrived, never re-rendered through a parser (which would silently drop
/// a duplicate key's other value). When fields are masked, its text is replaced by
/// the masked parse if it can be read, else withheld: it cannot be masked reliably.
pub fn write_jsonl(
    out: &mut impl Write,
    row: &EventRow,
    masking: &Masking,
    digests: &FileDigests,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Invalid(format!("cannot write the export: {e}"));
    let json_error = |e: serde_json::Error| Error::Invalid(e.to_string());
    if row.malformed.is_some() {
        let mut quarantined = json!({
            "file": row.file,
            "line": row.line,
            "reason": row.malformed,
        });
        if masking.is_empty() {
            quarantined["malformed_line"] = json!(String::from_utf8_lossy(&row.raw));
        } else if let Some(event) = masking.event(row) {
            quarantined["malformed_line_masked"] = event;
        } else {
            quarantined["malformed_line"] =
                json!("(withheld: fields are masked and this line cannot be read to mask them)");
        }
        serde_json::to_writer(&mut *out, &quarantined).map_err(json_error)?;
    } else if row.normal.is_some() {
        // A record of another format: its normalized event, with where it came from.
        serde_json::to_writer(&mut *out, &event_document(row, masking, digests))
            .map_err(json_error)?;
    } else if masking.is_empty()
        && !row.raw.contains(&b'\n')
        && serde_json::from_slice::<serde_json::Value>(&row.raw).is_ok()
    {
        out.write_all(&row.raw).map_err(io)?;
    } else if let Some(event) = masking.event(row) {
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
    let masking = Masking::of_case(case)?;
    let digests = FileDigests::of_case(case)?;
    let mut n = 0;
    match format {
        ExportFormat::Csv => {
            let mut export = CsvExport::new(&mut *out, masking, digests)?;
            crate::query::for_each_event(case, filter, |row| {
                n += 1;
                export.write(&row)
            })?;
            export.finish()?;
        }
        ExportFormat::Jsonl => {
            crate::query::for_each_event(case, filter, |row| {
                n += 1;
                write_jsonl(out, &row, &masking, &digests)
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

/// Makes `dir` for a written folder (`what`: "the journal", "an excerpt"), refusing one
/// that is not empty: a folder export never mixes with files already there.
pub fn prepare_empty_dir(dir: &std::path::Path, what: &str) -> Result<()> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .next()
            .is_some()
    {
        return Err(Error::Refused {
            path: dir.to_owned(),
            reason: format!("the folder is not empty; {what} is written to an empty or new folder"),
        });
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}
