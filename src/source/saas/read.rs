//! Reading an export: its files (one file, or every file of a folder that is of the
//! format), each inflated if it is gzip, its records handed to the format's
//! normalizer, and every event it makes handed to the sink, once.
//!
//! What is never lost: a record that cannot be read, or that the normalizer cannot make
//! an event of, or whose event has no usable time or id, is kept as it arrived with a
//! `malformed_record` finding at its place; a record whose id was seen before with
//! other content is kept beside the first, with a `duplicate_record` finding. Only an
//! exact repeat (same id, same content) is dropped, and counted. A file cut off part
//! way (a truncated JSON array or gzip stream) keeps what is whole and says where it
//! stopped (`file_cut_off`). A file of a folder that is not of the format, or that the
//! folder could not list or read as a file (a link; in a ZIP archive, an entry that
//! could leave the folder, is encrypted, or declares a bomb's sizes), is said to be
//! skipped (`file_skipped`). A ZIP archive of exports is read as the folder it holds,
//! in place (`source::folder`).

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Format, Head, Item, ItemValue, Normalizer, Out, Row};
use crate::bundle::{Container, Limits, LineSpan, Provenance};
use crate::canonical::{self, sha256, to_hex};
use crate::source::folder::{AnyFolder, Folder, Skipped, is_hidden, is_zip, open_folder};
use crate::source::mapping::RecordFormat;
use crate::source::records::{Content, Header, ReadOptions, read_records_from};
use crate::source::unverifiable::{self, NO_COUNT, Stream, Times};
use crate::source::{SourceKind, keep_malformed};
use crate::verify::{
    BundleInfo, EventFields, Finding, FindingKind, LineCheck, LineSink, Report, SeenLine, group,
};
use crate::{Error, Result};

/// How much of a file is read to tell its format.
pub const HEAD_BYTES: usize = 64 * 1024;

/// What every dimension but coverage says of these exports.
const NOT_PROVABLE: &str = "not provable: this export carries no hash chain or signature";

/// The files of an export: one file, or the files of a folder (a directory, or a ZIP
/// archive of one).
pub enum Files {
    One(PathBuf),
    Folder(Box<AnyFolder>),
}

impl Files {
    /// The files at `path`: a folder, a ZIP archive (its entries' sizes held to
    /// `limits`; refused when it cannot be read as one), or one file.
    pub fn at(path: &Path, limits: Limits) -> Result<Files> {
        if path.is_dir() || is_zip(path) {
            Ok(Files::Folder(Box::new(open_folder(path, limits)?)))
        } else {
            Ok(Files::One(path.to_owned()))
        }
    }

    /// Every file to look at (for a folder, its path inside it; hidden files are
    /// passed by), and what the folder could not list or read as a file.
    pub fn list(&self) -> Result<(Vec<String>, Vec<Skipped>)> {
        match self {
            Files::One(path) => Ok((vec![file_name(path)], Vec::new())),
            Files::Folder(folder) => {
                let listing = folder.list()?;
                let files = listing
                    .files
                    .into_iter()
                    .filter(|name| !is_hidden(name))
                    .collect();
                Ok((files, listing.skipped))
            }
        }
    }

    pub fn open(&self, name: &str) -> io::Result<Box<dyn Read + Send + '_>> {
        match self {
            Files::One(path) => Ok(Box::new(std::fs::File::open(path)?)),
            Files::Folder(folder) => folder.open(name),
        }
    }

    /// A file's size as it lies (a ZIP entry's uncompressed size), for progress.
    fn size(&self, name: &str) -> Option<u64> {
        match self {
            Files::One(path) => std::fs::metadata(path).ok().map(|m| m.len()),
            Files::Folder(folder) => folder.size(name),
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// How a file's records are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Csv,
    Lines,
    /// A JSON array, or one object holding it in a wrapper member.
    Json,
}

/// A file's first bytes (inflated) and what they tell.
pub struct Sniffed {
    pub gzip: bool,
    pub bytes: Vec<u8>,
    layout: Option<Layout>,
    pub columns: Option<Vec<String>>,
    pub first: Option<Value>,
}

impl Sniffed {
    pub fn head<'a>(&'a self, name: &'a str) -> Head<'a> {
        Head {
            name,
            bytes: &self.bytes,
            columns: self.columns.as_deref(),
            first: self.first.as_ref(),
        }
    }
}

/// The wrapper members any format may use, for telling a file's layout.
/// Only these: a record's own array member (a Google activity's `events`) must not be
/// taken for a wrapper.
const ANY_WRAPPER: &[&str] = &["value", "items"];

/// Reads a file's head and tells its layout, first record and columns.
pub fn sniff(reader: impl Read) -> io::Result<Sniffed> {
    let mut raw = Vec::new();
    let mut reader = io::BufReader::new(reader);
    // A file that fails part way (a damaged ZIP entry) is told by what came before;
    // reading it then stops at the same place and says so (`file_cut_off`).
    if let Err(error) = (&mut reader).take(HEAD_BYTES as u64).read_to_end(&mut raw)
        && raw.is_empty()
    {
        return Err(error);
    }
    let gzip = raw.starts_with(&[0x1f, 0x8b]);
    let bytes = if gzip {
        let mut inflated = Vec::new();
        // A head cut off inside the gzip stream is fine: what inflated is the head.
        let _ = MultiGzDecoder::new(&raw[..])
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut inflated);
        inflated
    } else {
        raw
    };
    let text = String::from_utf8_lossy(&bytes);
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let mut sniffed = Sniffed {
        gzip,
        bytes: Vec::new(),
        layout: None,
        columns: None,
        first: None,
    };
    let first_record = |format: RecordFormat, wrappers: &'static [&'static str]| {
        let mut first = None;
        let _ = read_records_from(
            trimmed.as_bytes(),
            Path::new("head"),
            format,
            b',',
            HEAD_BYTES,
            ReadOptions {
                keep_whole: true,
                wrappers,
            },
            &mut |_| Ok(()),
            &mut |record| {
                if first.is_none()
                    && let Content::Json(value) = record.content
                {
                    first = Some(value);
                }
                Ok(())
            },
        );
        first
    };
    if trimmed.starts_with('[') {
        sniffed.layout = Some(Layout::Json);
        sniffed.first = first_record(RecordFormat::Json, &[]);
    } else if trimmed.starts_with('{') {
        // One object holding the records, or one record a line?
        let first_line = trimmed.lines().next().unwrap_or_default();
        let line: Option<Value> = serde_json::from_str(first_line).ok();
        let wraps = |value: &Value| {
            ANY_WRAPPER
                .iter()
                .any(|w| value.get(w).is_some_and(Value::is_array))
        };
        match line {
            Some(value) if !wraps(&value) => {
                sniffed.layout = Some(Layout::Lines);
                sniffed.first = Some(value);
            }
            _ => {
                sniffed.layout = Some(Layout::Json);
                sniffed.first = first_record(RecordFormat::Json, ANY_WRAPPER);
            }
        }
    } else if !trimmed.is_empty() && !bytes.contains(&0) {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(trimmed.as_bytes());
        if let Ok(header) = reader.headers() {
            sniffed.layout = Some(Layout::Csv);
            sniffed.columns = Some(header.iter().map(|c| c.trim().to_owned()).collect());
        }
    }
    sniffed.bytes = bytes;
    Ok(sniffed)
}

/// The size of the export's files as they lie (a ZIP archive's entries inflated),
/// for progress.
pub fn bytes_total(path: &Path) -> Option<u64> {
    let files = Files::at(path, Limits::default()).ok()?;
    let (names, _) = files.list().ok()?;
    Some(names.iter().filter_map(|name| files.size(name)).sum())
}

/// Reads the export at `path` (a file, or a folder or ZIP archive of files) as
/// `format`, handing every event to `sink`.
pub fn read_export(
    path: &Path,
    format: &'static dyn Format,
    limits: Limits,
    sink: &mut dyn LineSink,
) -> Result<Report> {
    let files = Files::at(path, limits)?;
    let mut reader = Reader {
        kind: format.kind(),
        sink,
        findings: Vec::new(),
        seen: HashMap::new(),
        records: 0,
        events: 0,
        malformed: 0,
        repeats: 0,
        repeats_by_file: Vec::new(),
        times: Times::default(),
        bytes_before: 0,
    };
    let mut normalizer = format.normalizer();
    let mut read_files = Vec::new();
    let mut containers = Vec::new();
    let (names, skipped) = files.list()?;
    reader.findings.extend(skipped.iter().map(Skipped::finding));
    for name in names {
        let open = |name: &str| files.open(name).map_err(|e| Error::io(path.join(name), e));
        let sniffed = match files.open(&name).and_then(sniff) {
            Ok(sniffed) => sniffed,
            Err(e) if matches!(files, Files::One(_)) => return Err(Error::io(path, e)),
            // A file of the folder that cannot be read at all is said, not fatal.
            Err(e) => {
                let reason = format!("cannot be read ({e}); nothing of it is imported");
                reader.findings.push(Skipped::new(&name, &reason).finding());
                continue;
            }
        };
        let Some(layout) = sniffed
            .layout
            .filter(|_| format.sniff(&sniffed.head(&name)))
        else {
            if matches!(files, Files::One(_)) {
                return Err(Error::Refused {
                    path: path.to_owned(),
                    reason: format!("it is not a {} export", format.kind().title()),
                });
            }
            reader.findings.push(
                Finding::new(FindingKind::FileSkipped)
                    .in_file(&name)
                    .detail(format!("{name} is not a {} export", format.kind().title())),
            );
            continue;
        };
        containers.push(match layout {
            Layout::Csv => Container::Csv,
            Layout::Lines => Container::Jsonl,
            Layout::Json => Container::JsonArray,
        });
        let (sha, bytes) = reader.read_file(
            &name,
            open(&name)?,
            &sniffed,
            layout,
            (format, normalizer.as_mut()),
            limits,
        )?;
        read_files.push((name, sha, bytes));
    }
    let mut outs = Vec::new();
    normalizer.finish(&mut outs);
    for out in outs {
        reader.emit(out)?;
    }
    let summary = normalizer.summary();
    let container = match &files {
        Files::One(_) => containers.first().copied().unwrap_or(Container::Csv),
        Files::Folder(folder) => folder.container(),
    };
    Ok(reader.report(path, format, summary, read_files, container))
}

struct Reader<'s> {
    kind: SourceKind,
    sink: &'s mut dyn LineSink,
    findings: Vec<Finding>,
    /// Each id seen: the SHA-256 of each content it came with, and where that was
    /// first (mostly one; more when repeats differ).
    seen: HashMap<String, Vec<([u8; 32], String, u64)>>,
    records: u64,
    events: u64,
    malformed: u64,
    repeats: u64,
    /// Exact repeats per file, in file order.
    repeats_by_file: Vec<(String, u64)>,
    times: Times,
    bytes_before: u64,
}

/// Counts and hashes the bytes that pass through (a file as it lies, before gunzip),
/// and refuses to pass more than `limit` (a gzip bomb stops there).
struct Counted<R> {
    inner: R,
    hasher: std::rc::Rc<std::cell::RefCell<(Sha256, u64)>>,
    limit: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut state = self.hasher.borrow_mut();
        state.0.update(&buf[..n]);
        state.1 += n as u64;
        if state.1 > self.limit {
            return Err(io::Error::other(format!(
                "it is larger than {} bytes, the limit for one file (--max-entry-bytes)",
                group(self.limit)
            )));
        }
        Ok(n)
    }
}

impl Reader<'_> {
    /// Reads one file; returns its SHA-256 (as it lies) and size.
    fn read_file(
        &mut self,
        name: &str,
        file: Box<dyn Read + Send + '_>,
        sniffed: &Sniffed,
        layout: Layout,
        (format, normalizer): (&dyn Format, &mut dyn Normalizer),
        limits: Limits,
    ) -> Result<(String, u64)> {
        let state = std::rc::Rc::new(std::cell::RefCell::new((Sha256::new(), 0u64)));
        let on_disk = Counted {
            inner: file,
            hasher: std::rc::Rc::clone(&state),
            limit: limits.max_entry_bytes,
        };
        let input: Box<dyn Read + '_> = if sniffed.gzip {
            // The inflated bytes are held to the same limit: a gzip bomb stops there.
            Box::new(Counted {
                inner: MultiGzDecoder::new(on_disk),
                hasher: std::rc::Rc::new(std::cell::RefCell::new((Sha256::new(), 0))),
                limit: limits.max_entry_bytes,
            })
        } else {
            Box::new(on_disk)
        };
        let record_format = match layout {
            Layout::Csv => RecordFormat::Csv,
            Layout::Lines => RecordFormat::Jsonl,
            Layout::Json => RecordFormat::Json,
        };
        let header = std::cell::RefCell::new(Header::default());
        let refused: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
        let normalizer = std::cell::RefCell::new(normalizer);
        if layout != Layout::Csv
            && let Err(reason) = normalizer.borrow_mut().begin_file(name, None)
        {
            return Err(Error::Refused {
                path: name.into(),
                reason,
            });
        }
        let mut handed = Vec::new();
        let read = read_records_from(
            input,
            Path::new(name),
            record_format,
            b',',
            limits.max_line_bytes,
            ReadOptions {
                keep_whole: true,
                wrappers: format.wrappers(),
            },
            &mut |h: &Header| {
                *header.borrow_mut() = h.clone();
                if let Err(reason) = normalizer.borrow_mut().begin_file(name, Some(h)) {
                    *refused.borrow_mut() = Some(reason.clone());
                    return Err(Error::Refused {
                        path: name.into(),
                        reason,
                    });
                }
                Ok(())
            },
            &mut |record| {
                let crate::source::records::Record {
                    index,
                    line,
                    offset,
                    raw,
                    content,
                } = record;
                let kept = |raw: &[u8]| Out {
                    event: Value::Null,
                    raw: raw.to_vec(),
                    file: name.to_owned(),
                    line,
                    offset,
                    content: None,
                };
                let header = header.borrow();
                let value = match content {
                    Content::Malformed(reason) => return self.quarantine(kept(raw), reason),
                    Content::Json(value) => ItemValue::Json(value),
                    Content::Csv(fields) => ItemValue::Row(Row {
                        header: &header,
                        fields,
                    }),
                };
                let item = Item {
                    file: name,
                    number: index,
                    line,
                    offset,
                    raw,
                    value,
                };
                handed.clear();
                if index.is_multiple_of(4096) {
                    self.sink.progress(self.bytes_before + offset)?;
                }
                let pushed = normalizer.borrow_mut().push(item, &mut handed);
                match pushed {
                    Ok(()) => handed.drain(..).try_for_each(|out| self.emit(out)),
                    Err(reason) => self.quarantine(kept(raw), reason),
                }
            },
        );
        let read = match read {
            Ok(read) => read,
            Err(error) => {
                return Err(match refused.take() {
                    Some(reason) => Error::Refused {
                        path: name.into(),
                        reason,
                    },
                    None => error,
                });
            }
        };
        if let Some(stopped) = read.stopped {
            self.findings.push(
                Finding::new(FindingKind::FileCutOff)
                    .in_file(name)
                    .detail(format!("{name}: {stopped}")),
            );
        }
        let (hasher, bytes) = state.take();
        self.bytes_before += bytes;
        self.sink.progress(self.bytes_before)?;
        let digest: [u8; 32] = hasher.finalize().into();
        Ok((to_hex(&digest), bytes))
    }

    /// Keeps a record that cannot be read or made an event of, with why.
    fn quarantine(&mut self, out: Out, reason: String) -> Result<()> {
        self.records += 1;
        self.malformed += 1;
        let detail = format!("{} line {}: {reason}", out.file, group(out.line));
        let finding = keep_malformed(
            self.sink, &out.file, out.line, out.offset, &out.raw, reason, detail,
        )?;
        self.findings.push(finding);
        Ok(())
    }

    /// Hands one event to the sink: checked for a usable time and id, and for repeats.
    fn emit(&mut self, out: Out) -> Result<()> {
        let id = out.event.get("id").and_then(Value::as_str).map(str::trim);
        let Some(id) = id.filter(|id| !id.is_empty()).map(str::to_owned) else {
            return self.quarantine(out, "it has no id".into());
        };
        let normalized =
            serde_json::to_vec(&out.event).map_err(|e| Error::Invalid(e.to_string()))?;
        let fields = canonical::parse(&normalized)
            .map(|json| EventFields::of(&json))
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let (Some(ts), Some(ts_text)) = (fields.ts_millis, out.event["ts"].as_str()) else {
            let said = out
                .event
                .get("ts")
                .map(Value::to_string)
                .unwrap_or_default();
            return self.quarantine(out, format!("it has no usable time ({said})"));
        };
        let content: [u8; 32] = sha256(out.content.as_deref().unwrap_or(&out.raw));
        let mut n_findings = 0;
        let earlier = self.seen.entry(id.clone()).or_default();
        if earlier.iter().any(|(seen, _, _)| *seen == content) {
            self.repeats += 1;
            match self.repeats_by_file.last_mut() {
                Some((file, n)) if *file == out.file => *n += 1,
                _ => self.repeats_by_file.push((out.file.clone(), 1)),
            }
            return Ok(());
        }
        if let Some((_, file, line)) = earlier.first() {
            n_findings = 1;
            let detail = format!(
                "id {id} was seen before ({file} line {}) with different content; both are kept",
                group(*line)
            );
            self.findings.push(
                Finding::new(FindingKind::DuplicateRecord)
                    .at(&out.file, out.line, out.offset)
                    .detail(detail),
            );
        }
        earlier.push((content, out.file.clone(), out.line));
        self.times.add(ts, ts_text);
        self.records += 1;
        self.events += 1;
        let span = LineSpan {
            line_no: out.line,
            offset: out.offset,
            start: 0,
            end: out.raw.len(),
            too_long: None,
        };
        self.sink.line(SeenLine {
            file: &out.file,
            span: &span,
            raw: &out.raw,
            check: &LineCheck::Unchained { vouched: false },
            fields: Some(fields),
            normalized: Some(&normalized),
            n_breaking_findings: 0,
            n_findings,
        })
    }

    fn report(
        mut self,
        path: &Path,
        format: &dyn Format,
        summary: Option<String>,
        files: Vec<(String, String, u64)>,
        container: Container,
    ) -> Report {
        for (file, n) in &self.repeats_by_file {
            self.findings.push(
                Finding::new(FindingKind::DuplicateRecord)
                    .in_file(file)
                    .detail(format!(
                        "{} records of {file} repeat earlier ones exactly (same id, same content), as overlapping exports do; each is counted once",
                        group(*n)
                    )),
            );
        }
        let mut counts = vec![("records", self.events)];
        if self.repeats > 0 {
            counts.push(("exact_repeats", self.repeats));
        }
        let title = format.kind().title();
        let mut completeness = NO_COUNT.to_owned();
        if let Some(summary) = summary {
            completeness.push_str("; ");
            completeness.push_str(&summary);
        }
        let bundle = BundleInfo {
            path: path.display().to_string(),
            container,
            source: self.kind,
            mapping: None,
            mapping_sha256: None,
            has_manifest: false,
            provenance: Provenance {
                producer: Some(title.to_owned()),
                ..Provenance::default()
            },
            lines: self.records,
            malformed_lines: self.malformed,
            files,
            manifest_sha256: None,
        };
        let stream = Stream {
            id: title.to_owned(),
            not_provable: NOT_PROVABLE,
            completeness,
            records: self.records,
            events: self.events,
            times: self.times,
            counts,
        };
        unverifiable::report(stream, bundle, self.findings)
    }
}
