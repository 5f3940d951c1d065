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
use std::hash::{BuildHasher, RandomState};
use std::io::{self, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use flate2::read::MultiGzDecoder;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Format, Head, Item, ItemValue, Normalizer, Out, Row};
use crate::bundle::{Container, Limits, LineSpan, Provenance};
use crate::canonical::{self, to_hex};
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
///
/// Two threads share the work, in order: one reads the files and makes each record's
/// events ready (normalized, written as our JSON, fields read, hashed; `Steps`), the
/// calling one takes them as they come in batches (`Batch`: repeats, findings, the
/// sink).
pub fn read_export(
    path: &Path,
    format: &'static dyn Format,
    limits: Limits,
    sink: &mut dyn LineSink,
) -> Result<Report> {
    let files = Files::at(path, limits)?;
    let (names, skipped) = files.list()?;
    let mut reader = Reader {
        kind: format.kind(),
        sink,
        findings: skipped.iter().map(Skipped::finding).collect(),
        seen: Seen::default(),
        file_names: Vec::new(),
        file_numbers: HashMap::new(),
        records: 0,
        events: 0,
        malformed: 0,
        repeats: 0,
        repeats_by_file: Vec::new(),
        times: Times::default(),
    };
    let (read, produced) = std::thread::scope(|scope| {
        let (batches, taken) = mpsc::sync_channel(BATCHES_AHEAD);
        let (give_back, returned) = mpsc::channel();
        let files = &files;
        let producer = scope.spawn(move || {
            let mut steps = Steps {
                batch: Batch::default(),
                batches,
                returned,
                bytes_before: 0,
            };
            let produced = steps.read_files(path, files, names, format, limits);
            // What came before a failure is handed over too, as it was read.
            let flushed = steps.flush();
            produced.and_then(|produced| flushed.map(|()| produced))
        });
        let read: Result<()> = taken.iter().try_for_each(|mut batch| {
            reader.take(&mut batch)?;
            batch.clear();
            // The reading thread may have finished: then the batch is let go of.
            let _ = give_back.send(batch);
            Ok(())
        });
        // Stops the reading thread at its next batch if the sink stopped this one.
        drop(taken);
        let produced = producer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (read, produced)
    });
    // The sink's error came first: the reading thread stopped because of it.
    read?;
    let Produced {
        read_files,
        containers,
        summary,
    } = produced?;
    let container = match &files {
        Files::One(_) => containers.first().copied().unwrap_or(Container::Csv),
        Files::Folder(folder) => folder.container(),
    };
    Ok(reader.report(path, format, summary, read_files, container))
}

/// Steps a batch at most, bytes of texts and records a batch before it is handed
/// over, and batches the reading thread may be ahead by.
const BATCH: usize = 256;
const BATCH_BYTES: usize = 4 << 20;
const BATCHES_AHEAD: usize = 4;

/// Steps of the reading thread, in order, the texts and bytes of their events packed
/// into two buffers. A batch taken goes back to be filled again, so that the two
/// threads share no small allocations: memory one thread lets go of and the other
/// takes again costs a cache miss each time.
#[derive(Default)]
struct Batch {
    steps: Vec<Step>,
    /// One for each `Step::Event`, in order.
    events: Vec<Packed>,
    text: String,
    bytes: Vec<u8>,
}

/// What the reading thread hands over.
enum Step {
    /// A finding about a file (skipped, cut off).
    Finding(Finding),
    /// Bytes read so far.
    Progress(u64),
    /// A record kept in quarantine, and why.
    Quarantine(Out, String),
    /// The next of `Batch::events`.
    Event,
}

/// An event ready for the sink, packed: where its texts lie in `Batch::text` and its
/// bytes in `Batch::bytes`.
struct Packed {
    file: Range<usize>,
    line: u64,
    offset: u64,
    id: Range<usize>,
    ts: i64,
    ts_text: Range<usize>,
    /// The texts of its `EventFields` (see `texts`).
    texts: [Option<Range<usize>>; TEXTS],
    state_change: Option<Value>,
    raw: Range<usize>,
    normalized: Range<usize>,
    id_key: Digest16,
    content_key: Digest16,
}

impl Packed {
    /// Its indexed fields; `text` is its batch's.
    fn fields(&mut self, text: &str) -> EventFields {
        let mut fields = EventFields {
            ts_millis: Some(self.ts),
            state_change: self.state_change.take(),
            ..EventFields::default()
        };
        for (field, at) in texts(&mut fields).into_iter().zip(&self.texts) {
            *field = at.clone().map(|at| text[at].to_owned());
        }
        fields
    }
}

impl Batch {
    fn is_full(&self) -> bool {
        self.steps.len() >= BATCH || self.text.len() + self.bytes.len() >= BATCH_BYTES
    }

    fn text(&mut self, text: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(text);
        start..self.text.len()
    }

    fn bytes(&mut self, bytes: &[u8]) -> Range<usize> {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        start..self.bytes.len()
    }

    /// Packs an event (what it held is let go of on this thread).
    fn pack(&mut self, ready: Ready) -> Packed {
        let Ready {
            out,
            id,
            normalized,
            mut fields,
            ts,
            ts_text,
            id_key,
            content_key,
        } = ready;
        let state_change = fields.state_change.take();
        Packed {
            file: self.text(&out.file),
            line: out.line,
            offset: out.offset,
            id: self.text(&id),
            ts,
            ts_text: self.text(&ts_text),
            texts: texts(&mut fields).map(|text| text.as_deref().map(|text| self.text(text))),
            state_change,
            raw: self.bytes(&out.raw),
            normalized: self.bytes(&normalized),
            id_key,
            content_key,
        }
    }

    /// Empties it to be filled again; buffers a huge record grew are given back.
    fn clear(&mut self) {
        self.steps.clear();
        self.events.clear();
        self.text.clear();
        self.bytes.clear();
        self.text.shrink_to(BATCH_BYTES);
        self.bytes.shrink_to(BATCH_BYTES);
    }
}

/// The text fields of `EventFields`, in the order `Packed::texts` holds them. Every
/// field is named, so one added there does not compile until it is placed here.
fn texts(fields: &mut EventFields) -> [&mut Option<String>; TEXTS] {
    let EventFields {
        id,
        ts_millis: _,
        action,
        category,
        actor_id,
        actor_type,
        actor_name,
        actor_email,
        on_behalf_of_id,
        target_type,
        target_id,
        target_name,
        outcome,
        channel,
        ip,
        batch_id,
        client_id,
        rule_id,
        state_change: _,
    } = fields;
    [
        id,
        action,
        category,
        actor_id,
        actor_type,
        actor_name,
        actor_email,
        on_behalf_of_id,
        target_type,
        target_id,
        target_name,
        outcome,
        channel,
        ip,
        batch_id,
        client_id,
        rule_id,
    ]
}

const TEXTS: usize = 17;

/// What the reading thread made of the files besides steps.
struct Produced {
    /// Each file read: name, SHA-256 as it lies, size.
    read_files: Vec<(String, String, u64)>,
    containers: Vec<Container>,
    summary: Option<String>,
}

/// The reading thread: files read, records normalized and prepared, handed over in
/// batches.
struct Steps {
    batch: Batch,
    batches: mpsc::SyncSender<Batch>,
    /// Batches taken, to be filled again.
    returned: mpsc::Receiver<Batch>,
    bytes_before: u64,
}

impl Steps {
    fn send(&mut self, step: Step) -> Result<()> {
        self.batch.steps.push(step);
        if self.batch.is_full() {
            self.flush()?;
        }
        Ok(())
    }

    /// Hands the batch over. `Err` when the other side stopped (the sink failed, and
    /// its error is the one said).
    fn flush(&mut self) -> Result<()> {
        if self.batch.steps.is_empty() {
            return Ok(());
        }
        let next = self.returned.try_recv().unwrap_or_default();
        let batch = std::mem::replace(&mut self.batch, next);
        self.batches.send(batch).map_err(|_| Error::Cancelled)
    }

    fn emit(&mut self, out: Out) -> Result<()> {
        match prepare(out)? {
            Prepared::Event(ready) => {
                let packed = self.batch.pack(*ready);
                self.batch.events.push(packed);
                self.send(Step::Event)
            }
            Prepared::Quarantine(out, reason) => self.quarantine(out, reason),
        }
    }

    fn quarantine(&mut self, out: Out, reason: String) -> Result<()> {
        self.send(Step::Quarantine(out, reason))
    }

    /// Reads every file of the format.
    fn read_files(
        &mut self,
        path: &Path,
        files: &Files,
        names: Vec<String>,
        format: &'static dyn Format,
        limits: Limits,
    ) -> Result<Produced> {
        let mut normalizer = format.normalizer();
        let mut read_files = Vec::new();
        let mut containers = Vec::new();
        for name in names {
            let open = |name: &str| files.open(name).map_err(|e| Error::io(path.join(name), e));
            let sniffed = match files.open(&name).and_then(sniff) {
                Ok(sniffed) => sniffed,
                Err(e) if matches!(files, Files::One(_)) => return Err(Error::io(path, e)),
                // A file of the folder that cannot be read at all is said, not fatal.
                Err(e) => {
                    let reason = format!("cannot be read ({e}); nothing of it is imported");
                    self.send(Step::Finding(Skipped::new(&name, &reason).finding()))?;
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
                self.send(Step::Finding(
                    Finding::new(FindingKind::FileSkipped)
                        .in_file(&name)
                        .detail(format!("{name} is not a {} export", format.kind().title())),
                ))?;
                continue;
            };
            containers.push(match layout {
                Layout::Csv => Container::Csv,
                Layout::Lines => Container::Jsonl,
                Layout::Json => Container::JsonArray,
            });
            let (sha, bytes) = self.read_file(
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
            self.emit(out)?;
        }
        Ok(Produced {
            read_files,
            containers,
            summary: normalizer.summary(),
        })
    }

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
                    self.send(Step::Progress(self.bytes_before + offset))?;
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
            self.send(Step::Finding(
                Finding::new(FindingKind::FileCutOff)
                    .in_file(name)
                    .detail(format!("{name}: {stopped}")),
            ))?;
        }
        let (hasher, bytes) = state.take();
        self.bytes_before += bytes;
        self.send(Step::Progress(self.bytes_before))?;
        let digest: [u8; 32] = hasher.finalize().into();
        Ok((to_hex(&digest), bytes))
    }
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

/// The calling thread: repeats, findings and the sink.
struct Reader<'s> {
    kind: SourceKind,
    sink: &'s mut dyn LineSink,
    findings: Vec<Finding>,
    /// Every event kept, by id and content (see `Seen`).
    seen: Seen,
    /// The files events came from, numbered for `Seen`.
    file_names: Vec<String>,
    file_numbers: HashMap<String, u32>,
    records: u64,
    events: u64,
    malformed: u64,
    repeats: u64,
    /// Exact repeats per file, in file order.
    repeats_by_file: Vec<(String, u64)>,
    times: Times,
}

impl Reader<'_> {
    /// Takes the steps of a batch of the reading thread.
    fn take(&mut self, batch: &mut Batch) -> Result<()> {
        let Batch {
            steps,
            events,
            text,
            bytes,
        } = batch;
        let mut events = events.drain(..);
        for step in steps.drain(..) {
            match step {
                Step::Finding(finding) => self.findings.push(finding),
                Step::Progress(read) => self.sink.progress(read)?,
                Step::Quarantine(out, reason) => self.quarantine(out, reason)?,
                Step::Event => {
                    let packed = events.next().expect("an event for each step");
                    self.emit(packed, text, bytes)?;
                }
            }
        }
        Ok(())
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

    /// Hands one event to the sink, unless it repeats one exactly. `text` and `bytes`
    /// are its batch's.
    fn emit(&mut self, mut packed: Packed, text: &str, bytes: &[u8]) -> Result<()> {
        let name = &text[packed.file.clone()];
        let file = self.file_number(name);
        let mut n_findings = 0;
        match self
            .seen
            .meet(packed.id_key, packed.content_key, file, packed.line)
        {
            Met::First => {}
            Met::Repeat => {
                self.repeats += 1;
                match self.repeats_by_file.last_mut() {
                    Some((file, n)) if file == name => *n += 1,
                    _ => self.repeats_by_file.push((name.to_owned(), 1)),
                }
                return Ok(());
            }
            Met::Differs { file, line } => {
                n_findings = 1;
                let detail = format!(
                    "id {} was seen before ({} line {}) with different content; both are kept",
                    &text[packed.id.clone()],
                    self.file_names[file as usize],
                    group(line)
                );
                self.findings.push(
                    Finding::new(FindingKind::DuplicateRecord)
                        .at(name, packed.line, packed.offset)
                        .detail(detail),
                );
            }
        }
        self.times.add(packed.ts, &text[packed.ts_text.clone()]);
        self.records += 1;
        self.events += 1;
        let raw = &bytes[packed.raw.clone()];
        let span = LineSpan {
            line_no: packed.line,
            offset: packed.offset,
            start: 0,
            end: raw.len(),
            too_long: None,
        };
        self.sink.line(SeenLine {
            file: name,
            span: &span,
            raw,
            check: &LineCheck::Unchained { vouched: false },
            fields: Some(packed.fields(text)),
            normalized: Some(&bytes[packed.normalized.clone()]),
            n_breaking_findings: 0,
            n_findings,
        })
    }

    /// The number of the file `name` for `Seen` (files are numbered as events of
    /// them come).
    fn file_number(&mut self, name: &str) -> u32 {
        if let Some(last) = self.file_names.last()
            && last == name
        {
            return (self.file_names.len() - 1) as u32;
        }
        if let Some(number) = self.file_numbers.get(name) {
            return *number;
        }
        let number = u32::try_from(self.file_names.len()).expect("fewer than 2^32 files");
        self.file_names.push(name.to_owned());
        self.file_numbers.insert(name.to_owned(), number);
        number
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
            manifest: None,
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

/// An event of a normalizer, made ready for the sink as far as that needs no other
/// event: written as our JSON, its indexed fields read, its time checked, its id and
/// content hashed. Or why it is kept in quarantine instead.
enum Prepared {
    Event(Box<Ready>),
    Quarantine(Out, String),
}

struct Ready {
    out: Out,
    /// Its id (trimmed), the time as written, and the normalized event.
    id: String,
    normalized: Vec<u8>,
    fields: EventFields,
    ts: i64,
    ts_text: String,
    /// See `Seen`.
    id_key: Digest16,
    content_key: Digest16,
}

fn prepare(out: Out) -> Result<Prepared> {
    let id = out.event.get("id").and_then(Value::as_str).map(str::trim);
    let Some(id) = id.filter(|id| !id.is_empty()).map(str::to_owned) else {
        return Ok(Prepared::Quarantine(out, "it has no id".into()));
    };
    let normalized = serde_json::to_vec(&out.event).map_err(|e| Error::Invalid(e.to_string()))?;
    let fields = match EventFields::of_value(&out.event) {
        Some(fields) => fields,
        None => canonical::parse(&normalized)
            .map(|json| EventFields::of(&json))
            .map_err(|e| Error::Invalid(e.to_string()))?,
    };
    let (Some(ts), Some(ts_text)) = (fields.ts_millis, out.event["ts"].as_str()) else {
        let said = out
            .event
            .get("ts")
            .map(Value::to_string)
            .unwrap_or_default();
        return Ok(Prepared::Quarantine(
            out,
            format!("it has no usable time ({said})"),
        ));
    };
    let ts_text = ts_text.to_owned();
    let mut out = out;
    // What the sink needs no more is let go of here, on the reading thread.
    out.event = Value::Null;
    let content = out.content.take();
    let content = content.as_deref().unwrap_or(&out.raw);
    let id_key = digest16(Sha256::new().chain_update(id.as_bytes()));
    let content_key = digest16(
        Sha256::new()
            .chain_update((id.len() as u64).to_le_bytes())
            .chain_update(id.as_bytes())
            .chain_update(content),
    );
    Ok(Prepared::Event(Box::new(Ready {
        out,
        id,
        normalized,
        fields,
        ts,
        ts_text,
        id_key,
        content_key,
    })))
}

type Digest16 = [u8; 16];

fn digest16(hasher: Sha256) -> Digest16 {
    hasher.finalize()[..16].try_into().expect("16 bytes")
}

/// Every event kept, in little memory: for each, the first 16 bytes of the SHA-256 of
/// its id (`id_key`) and of its id and content together (`content_key`), and where it
/// lies — 48 bytes, in chunks that never move — found through an open-addressing
/// table of 4-byte slots placed by a randomly keyed hash of `id_key` (so no one can
/// choose ids that pile into one place). A million events take about 56 MB.
///
/// An exact repeat is an event whose `content_key` equals that of one kept under the
/// same `id_key`; as the content key covers the id, two different ids that share an
/// `id_key` are never taken for repeats of each other: both are kept.
#[derive(Default)]
struct Seen {
    keys: RandomState,
    /// The number (plus one) of a kept event, or 0; at most half full.
    slots: Vec<u32>,
    chunks: Vec<Vec<Kept>>,
    len: usize,
}

struct Kept {
    id_key: Digest16,
    content_key: Digest16,
    /// Where it lies: its file's number (`Reader::file_names`) and line.
    file: u32,
    line: u64,
}

/// Kept events a chunk (3 MB).
const CHUNK: usize = 1 << 16;

/// What an event meets among those kept.
#[derive(Debug, PartialEq, Eq)]
enum Met {
    /// None of its id: it is kept.
    First,
    /// One of its id and content: it is not kept again.
    Repeat,
    /// Only others of its id: it is kept too; the first of them lies at `file`, `line`.
    Differs { file: u32, line: u64 },
}

impl Seen {
    fn kept(&self, number: usize) -> &Kept {
        &self.chunks[number / CHUNK][number % CHUNK]
    }

    fn home(&self, id_key: &Digest16) -> usize {
        self.keys.hash_one(id_key) as usize & (self.slots.len() - 1)
    }

    /// What an event meets; it is kept unless it is an exact repeat.
    fn meet(&mut self, id_key: Digest16, content_key: Digest16, file: u32, line: u64) -> Met {
        let mut first: Option<usize> = None;
        if !self.slots.is_empty() {
            let mask = self.slots.len() - 1;
            let mut i = self.home(&id_key);
            while self.slots[i] != 0 {
                let number = self.slots[i] as usize - 1;
                let kept = self.kept(number);
                if kept.id_key == id_key {
                    if kept.content_key == content_key {
                        return Met::Repeat;
                    }
                    first = Some(first.map_or(number, |f| f.min(number)));
                }
                i = (i + 1) & mask;
            }
        }
        self.keep(Kept {
            id_key,
            content_key,
            file,
            line,
        });
        match first.map(|number| self.kept(number)) {
            None => Met::First,
            Some(kept) => Met::Differs {
                file: kept.file,
                line: kept.line,
            },
        }
    }

    fn keep(&mut self, kept: Kept) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let id_key = kept.id_key;
        self.chunks.last_mut().expect("a chunk").push(kept);
        self.len += 1;
        self.place(&id_key, self.len - 1);
    }

    fn place(&mut self, id_key: &Digest16, number: usize) {
        let slot = u32::try_from(number + 1).expect("fewer than 2^32 events");
        let mask = self.slots.len() - 1;
        let mut i = self.home(id_key);
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }

    /// Twice the slots, every kept event placed again (in the order kept).
    fn grow(&mut self) {
        self.slots = vec![0; (self.slots.len() * 2).max(CHUNK)];
        for number in 0..self.len {
            let id_key = self.kept(number).id_key;
            self.place(&id_key, number);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::produce::saas::{ExportRequest, FORMATS, shapes, write_export};

    /// Checks every event's fields against its normalized JSON read back, and counts.
    #[derive(Default)]
    struct Check {
        events: u64,
        quarantined: u64,
        with_email: u64,
        with_state: u64,
        /// Fail at this line (1-based), as a case that cannot be written would.
        fail_at: Option<u64>,
    }

    impl LineSink for Check {
        fn line(&mut self, seen: SeenLine<'_>) -> Result<()> {
            if self.fail_at == Some(self.events + self.quarantined + 1) {
                return Err(Error::Invalid("the case is full".into()));
            }
            match seen.normalized {
                Some(normalized) => {
                    let truth = EventFields::of(&canonical::parse(normalized).unwrap());
                    let text = String::from_utf8_lossy(normalized);
                    assert_eq!(seen.fields.as_ref(), Some(&truth), "{text}");
                    self.events += 1;
                    self.with_email += u64::from(truth.actor_email.is_some());
                    self.with_state += u64::from(truth.state_change.is_some());
                }
                None => {
                    assert!(matches!(seen.check, LineCheck::Malformed { .. }));
                    self.quarantined += 1;
                }
            }
            Ok(())
        }
    }

    fn count(report: &Report, name: &str) -> u64 {
        report.chains[0]
            .counts
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, n)| *n)
    }

    #[test]
    fn every_format_and_shape_reads_as_its_generator_wrote_with_fields_as_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let (mut emails, mut states) = (0, 0);
        for format in FORMATS {
            for shape in shapes(format).unwrap() {
                let path = dir.path().join(format!("{format}-{shape}"));
                let request = ExportRequest {
                    format,
                    shape: Some(shape),
                    records: 300,
                    seed: 5,
                    quirks: true,
                };
                let written = write_export(&path, &request).unwrap();
                let kind = super::super::detect(&path).unwrap().unwrap();
                let mut check = Check::default();
                let report = read_export(&path, kind, Limits::default(), &mut check).unwrap();
                let what = format!("{format} {shape}");
                assert_eq!(check.events, written.events, "{what}");
                assert_eq!(check.quarantined, written.quarantined, "{what}");
                assert_eq!(count(&report, "records"), written.events, "{what}");
                assert_eq!(
                    count(&report, "exact_repeats"),
                    written.exact_repeats,
                    "{what}"
                );
                emails += check.with_email;
                states += check.with_state;
            }
        }
        // The sweep met events with an email and with a state change.
        assert!(emails > 1000 && states > 100, "{emails} {states}");
    }

    #[test]
    fn a_sink_that_fails_stops_the_reading_and_its_error_is_the_one_said() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.csv");
        let request = ExportRequest {
            format: "purview",
            shape: None,
            records: 3000,
            seed: 2,
            quirks: false,
        };
        write_export(&path, &request).unwrap();
        let kind = super::super::detect(&path).unwrap().unwrap();
        let mut check = Check {
            fail_at: Some(1500),
            ..Check::default()
        };
        let error = read_export(&path, kind, Limits::default(), &mut check).unwrap_err();
        assert_eq!(error.to_string(), "the case is full");
        assert_eq!(check.events + check.quarantined, 1499);
    }

    fn key(text: &str) -> Digest16 {
        digest16(Sha256::new().chain_update(text.as_bytes()))
    }

    #[test]
    fn an_exact_repeat_is_one_of_the_same_id_and_content_and_ids_sharing_a_key_are_kept() {
        let mut seen = Seen::default();
        assert_eq!(seen.meet(key("a"), key("a1"), 0, 10), Met::First);
        assert_eq!(seen.meet(key("b"), key("b1"), 0, 11), Met::First);
        assert_eq!(seen.meet(key("a"), key("a1"), 1, 12), Met::Repeat);
        // Another content of "a": kept, and said against the first of "a".
        assert_eq!(
            seen.meet(key("a"), key("a2"), 1, 13),
            Met::Differs { file: 0, line: 10 }
        );
        assert_eq!(seen.meet(key("a"), key("a2"), 2, 14), Met::Repeat);
        assert_eq!(
            seen.meet(key("a"), key("a3"), 2, 15),
            Met::Differs { file: 0, line: 10 }
        );
        // Two ids whose id keys collide, with the same content: the content key covers
        // the id, so they differ, and both are kept.
        let content = |id: &str| {
            let out = Out {
                event: serde_json::json!({"id": id, "ts": "2026-03-01T10:00:00Z"}),
                raw: b"same bytes".to_vec(),
                file: "f".into(),
                line: 1,
                offset: 0,
                content: None,
            };
            match prepare(out).unwrap() {
                Prepared::Event(ready) => ready.content_key,
                Prepared::Quarantine(..) => unreachable!(),
            }
        };
        assert_ne!(content("x"), content("y"));
        assert_eq!(content("x"), content("x"));
        assert_eq!(seen.meet(key("x"), content("x"), 3, 1), Met::First);
        assert_eq!(
            seen.meet(key("x"), content("y"), 3, 2),
            Met::Differs { file: 3, line: 1 }
        );
    }

    #[test]
    fn many_events_are_found_again_in_little_memory() {
        let mut seen = Seen::default();
        let n: u64 = 300_000;
        for i in 0..n {
            let id = format!("id-{i}");
            assert_eq!(seen.meet(key(&id), key(""), 0, i), Met::First);
        }
        for i in (0..n).step_by(7) {
            let id = format!("id-{i}");
            assert_eq!(seen.meet(key(&id), key(""), 0, 0), Met::Repeat, "{id}");
            assert_eq!(
                seen.meet(key(&id), key("other"), 0, 0),
                Met::Differs { file: 0, line: i },
                "{id}"
            );
        }
        let kept = n + n.div_ceil(7);
        assert_eq!(seen.len as u64, kept);
        let bytes = seen.slots.len() * size_of::<u32>()
            + seen.chunks.iter().map(Vec::capacity).sum::<usize>() * size_of::<Kept>();
        // 48 bytes an event kept, plus the slots (a map of ids took over 400).
        assert!(
            bytes as u64 <= kept * 80,
            "{} bytes an event",
            bytes as u64 / kept
        );
    }
}
