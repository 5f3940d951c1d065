//! `aws cloudtrail lookup-events` output as a source: the console's Event history, as
//! the CLI prints it (`{"Events": [{"EventId", "EventName", …, "CloudTrailEvent": "<the
//! record as a JSON string>"}]}`), or one such item a line (as tools such as Plaso keep
//! it). It carries no digest or signature, so it is `unverifiable`: its records are
//! imported and reviewable, its coverage measured, and the report says how to get a
//! copy that can be verified (the trail's S3 folder, `scripts/collect-cloudtrail.sh`).

use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::record::normalize_lookup_event;
use crate::bundle::{Container, Limits, LineSpan, Provenance};
use crate::canonical::{self, sha256, to_hex};
use crate::source::RecordFormat;
use crate::source::records::{Content, read_records};
use crate::source::unverifiable::{self, Stream, Times};
use crate::source::{SourceKind, keep_malformed};
use crate::verify::{
    BundleInfo, EventFields, Finding, LineCheck, LineSink, Report, SeenLine, group,
};
use crate::{Error, Result};

/// Why nothing about this source's integrity can be proven, and what to get instead.
const NOT_PROVABLE: &str = "not provable: `aws cloudtrail lookup-events` output carries no digest file or signature; to verify the trail, collect its S3 folder with scripts/collect-cloudtrail.sh";

/// How much of a file is read to tell what it is.
const SNIFF_BYTES: u64 = 64 * 1024;

/// The two shapes lookup-events output is kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"Events": [...]}`, as the CLI prints it.
    Document,
    /// One `Events` item a line.
    Lines,
}

/// Whether `path` is lookup-events output, and in which shape (by content).
pub fn sniff(path: &Path) -> Option<Shape> {
    if !path.is_file() {
        return None;
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .ok()?;
    let text = String::from_utf8_lossy(&head);
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') && trimmed.contains("\"Events\"") && trimmed.contains("\"EventId\"")
    {
        // One document, or one item a line? A first line that is a whole item is a line.
        let first_line = trimmed.lines().next().unwrap_or_default();
        return match serde_json::from_str::<Value>(first_line) {
            Ok(item) if is_item(&item) => Some(Shape::Lines),
            _ => Some(Shape::Document),
        };
    }
    let first_line = trimmed.lines().next()?;
    let item: Value = serde_json::from_str(first_line).ok()?;
    is_item(&item).then_some(Shape::Lines)
}

fn is_item(value: &Value) -> bool {
    value.get("EventId").is_some()
        && (value.get("CloudTrailEvent").is_some() || value.get("EventSource").is_some())
}

#[derive(Deserialize)]
struct Document<'a> {
    #[serde(rename = "Events", borrow)]
    events: Vec<&'a RawValue>,
}

/// Reads lookup-events output at `path`, handing every item to `sink`.
pub fn read_lookup(
    path: &Path,
    shape: Shape,
    limits: Limits,
    sink: &mut dyn LineSink,
) -> Result<Report> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut reader = Items {
        file: file_name.clone(),
        sink,
        findings: Vec::new(),
        records: 0,
        malformed: 0,
        times: Times::default(),
    };
    let (sha256_hex, bytes) = match shape {
        Shape::Document => {
            let size = std::fs::metadata(path)
                .map_err(|e| Error::io(path, e))?
                .len();
            if size > limits.max_entry_bytes {
                return Err(Error::Invalid(format!(
                    "{} is {} bytes, over the limit of {} for one file (--max-entry-bytes)",
                    path.display(),
                    group(size),
                    group(limits.max_entry_bytes)
                )));
            }
            let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            let document: Document<'_> = serde_json::from_slice(&text).map_err(|e| {
                Error::Invalid(format!(
                    "{} looks like `aws cloudtrail lookup-events` output but is not valid JSON of it: {e}",
                    path.display()
                ))
            })?;
            let base = text.as_ptr() as usize;
            for (index, raw) in document.events.iter().enumerate() {
                let raw = raw.get();
                let offset = (raw.as_ptr() as usize - base) as u64;
                reader.item(index as u64 + 1, offset, raw.as_bytes())?;
                if index % 4096 == 0 {
                    reader.sink.progress(offset)?;
                }
            }
            (to_hex(&sha256(&text)), text.len() as u64)
        }
        Shape::Lines => {
            let read = read_records(
                path,
                RecordFormat::Jsonl,
                b',',
                limits.max_line_bytes,
                &mut |_| Ok(()),
                &mut |record| match record.content {
                    Content::Malformed(reason) => {
                        reader.malformed(record.line, record.offset, record.raw, reason)
                    }
                    _ => reader.item(record.line, record.offset, record.raw),
                },
            )?;
            (to_hex(&read.sha256), read.bytes)
        }
    };
    Ok(reader.report(path, &file_name, shape, sha256_hex, bytes))
}

/// The reader of items, in file order.
struct Items<'s> {
    file: String,
    sink: &'s mut dyn LineSink,
    findings: Vec<Finding>,
    records: u64,
    malformed: u64,
    times: Times,
}

impl Items<'_> {
    fn item(&mut self, number: u64, offset: u64, raw: &[u8]) -> Result<()> {
        let event = serde_json::from_slice::<Value>(raw)
            .map_err(|e| format!("the item is not JSON: {e}"))
            .and_then(|item| normalize_lookup_event(&item));
        let event = match event {
            Ok(event) => event,
            Err(reason) => return self.malformed(number, offset, raw, reason),
        };
        let normalized = serde_json::to_vec(&event).map_err(|e| Error::Invalid(e.to_string()))?;
        let fields = canonical::parse(&normalized)
            .map(|json| EventFields::of(&json))
            .map_err(|e| Error::Invalid(e.to_string()))?;
        if let (Some(ts), Some(text)) = (fields.ts_millis, event["ts"].as_str()) {
            self.times.add(ts, text);
        }
        self.records += 1;
        let span = LineSpan {
            line_no: number,
            offset,
            start: 0,
            end: raw.len(),
            too_long: None,
        };
        self.sink.line(SeenLine {
            file: &self.file,
            span: &span,
            raw,
            check: &LineCheck::Unchained { vouched: false },
            fields: Some(fields),
            normalized: Some(&normalized),
            n_breaking_findings: 0,
            n_findings: 0,
        })
    }

    fn malformed(&mut self, number: u64, offset: u64, raw: &[u8], reason: String) -> Result<()> {
        self.records += 1;
        self.malformed += 1;
        let detail = format!("item {}: {reason}", group(number));
        let finding = keep_malformed(self.sink, &self.file, number, offset, raw, reason, detail)?;
        self.findings.push(finding);
        Ok(())
    }

    fn report(
        self,
        path: &Path,
        file_name: &str,
        shape: Shape,
        sha256_hex: String,
        bytes: u64,
    ) -> Report {
        let events = self.records - self.malformed;
        let bundle = BundleInfo {
            path: path.display().to_string(),
            container: match shape {
                Shape::Document => Container::JsonArray,
                Shape::Lines => Container::Jsonl,
            },
            source: SourceKind::CloudTrail,
            mapping: None,
            mapping_sha256: None,
            has_manifest: false,
            provenance: Provenance {
                producer: Some("AWS CloudTrail (lookup-events)".into()),
                ..Provenance::default()
            },
            lines: self.records,
            malformed_lines: self.malformed,
            files: vec![(file_name.to_owned(), sha256_hex, bytes)],
            manifest_sha256: None,
            manifest: None,
        };
        let stream = Stream {
            id: file_name.to_owned(),
            not_provable: NOT_PROVABLE,
            completeness: NOT_PROVABLE.to_owned(),
            records: self.records,
            events,
            times: self.times,
            counts: vec![("records", events)],
        };
        unverifiable::report(stream, bundle, self.findings)
    }
}
