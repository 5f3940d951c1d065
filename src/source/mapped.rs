//! The mapped source: a CSV or JSON file of another system, read record by record
//! through a mapping into the one event model.
//!
//! Such a file carries no hash chain or signature, so its report says plainly that
//! integrity, linkage, completeness and authenticity are not provable, and measures
//! what can be measured: the time span covered and the days without events. Its
//! verdict is `unverifiable`, never intact. A record that cannot be read is a
//! `malformed_record` (kept as it arrived); a record that can be read but does not fit
//! the mapping stops the read with the first record and field that fail, and why.

use std::path::Path;

use serde_json::Value;

use super::SourceKind;
use super::mapping::{FieldSource, Mapping, RecordFormat};
use super::records::{Content, Header, read_records, sniff_format};
use super::unverifiable::{self, NO_COUNT, Stream, Times};
use crate::bundle::{Container, Limits, LineSpan, Provenance};
use crate::canonical::{self, sha256, to_hex};
use crate::verify::{BundleInfo, EventFields, LineCheck, LineSink, Report, SeenLine, group};
use crate::{Error, Result};

/// What every dimension but coverage says of a source without integrity.
pub const NOT_PROVABLE: &str = "not provable: this source carries no hash chain or signature";

/// Reads `path` through `mapping`, handing every record to `sink`.
pub fn read_mapped(
    path: &Path,
    mapping: &Mapping,
    limits: Limits,
    sink: &mut dyn LineSink,
) -> Result<Report> {
    let format = match mapping.format {
        Some(format) => format,
        None => sniff_format(path)?,
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mismatch = |reason: String| Error::Mapping {
        path: path.to_owned(),
        reason,
    };

    let columns = std::cell::RefCell::new(Header::default());
    let mut check_header = |header: &Header| -> Result<()> {
        for (field, column) in mapping.columns() {
            if !header.index.contains_key(column) {
                return Err(mismatch(format!(
                    "field {field} reads column {column:?}, which the file's header does not have (it has: {})",
                    header.names.join(", ")
                )));
            }
        }
        *columns.borrow_mut() = header.clone();
        Ok(())
    };

    let mut findings = Vec::new();
    let mut n_events = 0u64;
    let mut n_malformed = 0u64;
    let mut times = Times::default();
    let mut scratch = String::new();
    let mut each = |record: super::records::Record<'_>| -> Result<()> {
        let span = LineSpan {
            line_no: record.line,
            offset: record.offset,
            start: 0,
            end: record.raw.len(),
            too_long: None,
        };
        let fields_of = |fields: &Vec<&str>, source: &FieldSource| -> Option<Value> {
            let FieldSource::Column(column) = source else {
                return None;
            };
            let i = *columns.borrow().index.get(column)?;
            fields.get(i).map(|text| Value::String((*text).to_owned()))
        };
        let normalized = match &record.content {
            Content::Malformed(reason) => {
                n_malformed += 1;
                let detail = format!("record {}: {reason}", group(record.index));
                findings.push(super::keep_malformed(
                    sink,
                    &file_name,
                    record.line,
                    record.offset,
                    record.raw,
                    reason.clone(),
                    detail,
                )?);
                return Ok(());
            }
            Content::Csv(fields) => {
                let lookup = |source: &FieldSource| fields_of(fields, source);
                mapping.normalize(&lookup, record.raw)
            }
            Content::Json(object) => {
                let lookup = |source: &FieldSource| match source {
                    FieldSource::Pointer(pointer) => object.pointer(pointer).cloned(),
                    FieldSource::Column(key) => object.get(key).cloned(),
                    _ => None,
                };
                mapping.normalize(&lookup, record.raw)
            }
        };
        let event = normalized.map_err(|e| {
            mismatch(format!(
                "record {} (line {}, byte {}) does not fit the mapping: field {}: {}",
                group(record.index),
                group(record.line),
                group(record.offset),
                e.field,
                e.reason
            ))
        })?;
        scratch.clear();
        scratch.push_str(&event.to_string());
        let fields = canonical::parse(scratch.as_bytes())
            .map(|json| EventFields::of(&json))
            .map_err(|e| mismatch(format!("record {}: {e}", group(record.index))))?;
        if let Some(ts) = fields.ts_millis {
            times.add(ts, event["ts"].as_str().unwrap_or_default());
        }
        n_events += 1;
        let check = LineCheck::Unchained { vouched: false };
        sink.line(SeenLine {
            file: &file_name,
            span: &span,
            raw: record.raw,
            check: &check,
            fields: Some(fields),
            normalized: Some(scratch.as_bytes()),
            n_breaking_findings: 0,
            n_findings: 0,
        })?;
        if record.index.is_multiple_of(4096) {
            sink.progress(record.offset)?;
        }
        Ok(())
    };
    let read = read_records(
        path,
        format,
        mapping.delimiter,
        limits.max_line_bytes,
        &mut check_header,
        &mut each,
    )?;

    let container = match format {
        RecordFormat::Csv => Container::Csv,
        RecordFormat::Jsonl => Container::Jsonl,
        RecordFormat::Json => Container::JsonArray,
    };
    let info = BundleInfo {
        path: path.display().to_string(),
        container,
        source: SourceKind::Mapped,
        mapping: Some(mapping.text.clone()),
        has_manifest: false,
        provenance: Provenance {
            producer: mapping.name.clone(),
            ..Provenance::default()
        },
        lines: read.records,
        malformed_lines: n_malformed,
        files: vec![(file_name.clone(), to_hex(&read.sha256), read.bytes)],
        manifest_sha256: None,
        manifest: None,
        mapping_sha256: Some(to_hex(&sha256(mapping.text.as_bytes()))),
    };
    let stream = Stream {
        id: file_name,
        not_provable: NOT_PROVABLE,
        completeness: NO_COUNT.to_owned(),
        records: read.records,
        events: n_events,
        times,
        counts: Vec::new(),
    };
    Ok(unverifiable::report(stream, info, findings))
}
