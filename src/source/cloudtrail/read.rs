//! A CloudTrail evidence folder as a source: the trail verified (`verify`), and every
//! record of every log file handed to the sink as it arrived, with where it lies (log
//! file, record number, byte offset in the inflated file) and its normalized event
//! (`record`). The verifier's facts become the one report shape: per digest chain its
//! verdict and five dimensions, every finding located in its file.
//!
//! Records repeat: CloudTrail may deliver one event twice. A repeat identical to a
//! copy already kept (same `eventID`, same bytes) is one event and a `duplicate_record`
//! notice; a repeat that differs is kept beside the first, with the same finding saying
//! so — never silently collapsed. How repeats are found without holding every record:
//! see `Records::repeat`.
//!
//! The work per record (parsing, normalizing, the indexed fields) runs on worker
//! threads, a log file at a time and several files at once, ahead of the sink, which
//! gets the records in order on the calling thread (`verify_trail_preparing`). When the
//! sink does not want the events (`LineSink::wants_fields` false: plain verification),
//! a record is not normalized whole: it is checked as JSON exactly as a full parse
//! would check it, and only `eventID`, `eventName` and `eventTime` are kept and
//! normalized (which is all that can make a record malformed), so verification counts,
//! refuses and de-duplicates exactly the records an import does; such a sink is handed
//! neither `fields` nor `normalized`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::ops::ControlFlow;
use std::path::Path;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use super::format_time;
use super::gz;
use super::keys::{KeyOrigin, KeyRing};
use super::layout::{Entry, classify, is_trail_zip, open_trail};
use super::record::normalize;
use super::verify::{
    ChainResult, ChainTrust, LogFileBytes, LogFileStatus, TrailLimits, TrailReport,
    verify_trail_preparing,
};
use crate::bundle::{Limits, LineSpan, Provenance};
use crate::canonical::{self, to_hex};
use crate::source::folder::{Folder, Skipped};
use crate::source::{SourceKind, keep_malformed};
use crate::verify::{
    BundleInfo, ChainReport, Dimension, DimensionStatus, EventFields, Finding, FindingKind,
    LineCheck, LineSink, Report, SeenLine, SignatureReport, SignatureStatus, Verdict,
    VerifyOptions, chain_verdict, group,
};
use crate::{Error, Result};

/// Whether `path` is a CloudTrail evidence folder: a directory with `AWSLogs/` in it,
/// or a ZIP archive of one (`AWSLogs/` at its top or under one top folder, and no
/// `manifest.json` of ours; see `layout::is_trail_zip`).
pub fn is_trail_folder(path: &Path) -> bool {
    if path.is_dir() {
        path.join("AWSLogs").is_dir()
    } else {
        is_trail_zip(path)
    }
}

/// The compressed size of the folder's log files, for progress.
pub fn log_bytes_total(root: &Path) -> Option<u64> {
    let folder = open_trail(root, Limits::default()).ok()?;
    let listing = folder.list().ok()?;
    Some(
        listing
            .files
            .iter()
            .filter(|path| matches!(classify(path), Entry::LogFile(_)))
            .filter_map(|path| folder.size(path))
            .sum(),
    )
}

/// The keys the reviewer trusts for CloudTrail (list-public-keys files given as
/// trusted keys). A trusted file with a key that cannot be read is refused.
pub(crate) fn trusted_ring(options: &VerifyOptions) -> Result<KeyRing> {
    let mut ring = KeyRing::new();
    for (path, text) in options.trusted_keys.aws_key_lists() {
        let problems = ring
            .add_listed(
                text.as_bytes(),
                &KeyOrigin::Trusted(path.display().to_string()),
            )
            .map_err(|e| Error::TrustedKeys {
                path: path.clone(),
                line: 1,
                reason: e.to_string(),
            })?;
        if let Some(problem) = problems.first() {
            return Err(Error::TrustedKeys {
                path: path.clone(),
                line: 1,
                reason: problem.clone(),
            });
        }
    }
    Ok(ring)
}

/// Verifies the trail in `root` and hands every record to `sink`.
pub fn read_trail(root: &Path, options: &VerifyOptions, sink: &mut dyn LineSink) -> Result<Report> {
    let trusted = trusted_ring(options)?;
    let folder = open_trail(root, options.limits)?;
    // What the folder could not list as a file (a link, a hostile ZIP entry) is said;
    // the folder keeps its listing, so the verifier does not list it again.
    let skipped = folder.list()?.skipped;
    let limits = TrailLimits {
        // A log file's inflated JSON is held while its records are read.
        max_log_bytes: TrailLimits::default().max_log_bytes,
        ..TrailLimits::default()
    };
    let events = if sink.wants_fields() {
        Events::Stored
    } else {
        Events::Counted
    };
    let ids = RandomState::new();
    let mut reader = Records::new(sink, &folder, &limits);
    let prepare = |_: &str, inflated: &[u8]| prepare_file(inflated, events, &ids);
    let trail = verify_trail_preparing(
        &folder,
        &trusted,
        &limits,
        &prepare,
        &mut |log, prepared| match reader.file(&log, prepared) {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                reader.failed = Some(error);
                ControlFlow::Break(())
            }
        },
    )?;
    if let Some(error) = reader.failed.take() {
        return Err(error);
    }
    reader.findings.extend(skipped.iter().map(Skipped::finding));
    Ok(reader.report(root, &trail))
}

/// What the records of one chain (or of the log files no digest lists) held.
#[derive(Debug, Default)]
struct Tally {
    events: u64,
    first_ts: Option<(i64, String)>,
    last_ts: Option<(i64, String)>,
}

impl Tally {
    fn add(&mut self, ts: Option<i64>, text: Option<&str>) {
        self.events += 1;
        let (Some(ts), Some(text)) = (ts, text) else {
            return;
        };
        if self.first_ts.as_ref().is_none_or(|(t, _)| ts < *t) {
            self.first_ts = Some((ts, text.to_owned()));
        }
        if self.last_ts.as_ref().is_none_or(|(t, _)| ts > *t) {
            self.last_ts = Some((ts, text.to_owned()));
        }
    }

    fn merge(&mut self, other: Tally) {
        self.events += other.events;
        if let Some(first) = other.first_ts
            && self.first_ts.as_ref().is_none_or(|(t, _)| first.0 < *t)
        {
            self.first_ts = Some(first);
        }
        if let Some(last) = other.last_ts
            && self.last_ts.as_ref().is_none_or(|(t, _)| last.0 > *t)
        {
            self.last_ts = Some(last);
        }
    }
}

/// The record reader, fed one log file at a time by the verifier.
struct Records<'s, 'r> {
    sink: &'s mut dyn LineSink,
    /// Where a repeat's first copy is read again from.
    folder: &'r dyn Folder,
    limits: &'r TrailLimits,
    /// Per eventID (by its key, see `Prepared::id_key`), the first record kept with it.
    first: FirstSeen,
    /// Scratch for `FirstSeen::candidates`.
    candidates: Vec<u64>,
    /// The ordinal in the trail of each log file's first record (see `FirstSeen`), and
    /// of the next file's.
    file_starts: Vec<u64>,
    next_ordinal: u64,
    /// For each eventID seen more than once, the first 16 bytes of the SHA-256 of
    /// every copy kept.
    repeated: HashMap<String, HashSet<[u8; 16]>>,
    /// Log files read again to compare a repeat with its first copy, the latest first.
    reread: Vec<Reread>,
    findings: Vec<Finding>,
    /// Per chain id, or per "account/region" for log files no digest lists.
    tallies: BTreeMap<String, Tally>,
    records: u64,
    malformed: u64,
    bytes_read: u64,
    /// Each log file read: path, SHA-256 of its inflated bytes, inflated size.
    files: Vec<(String, String, u64)>,
    /// The same SHA-256s, as bytes (to check a file read again is the same file).
    file_sha256: Vec<[u8; 32]>,
    failed: Option<Error>,
}

/// Log files kept read again, for repeats whose first copy lies in an earlier file.
const REREAD_FILES: usize = 8;

/// A log file read again: its index in `Records::files`, its inflated bytes, and each
/// record's offset and length in them.
struct Reread {
    file: usize,
    bytes: Vec<u8>,
    spans: Vec<(usize, usize)>,
}

/// A log file's JSON: its records, each kept as the bytes it arrived as.
#[derive(Deserialize)]
struct LogFile<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<&'a RawValue>,
}

/// What the sink asked for, which decides how much of each record is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Events {
    /// The normalized event and its indexed fields (a case import).
    Stored,
    /// Only what verification counts: malformed or not, eventID, time.
    Counted,
}

/// A log file's records, prepared on a worker thread; `Err` (why) when the file is not
/// `{"Records": [...]}`.
type PreparedFile = std::result::Result<Vec<Prepared>, String>;

/// One record, read and normalized (on a worker) before it goes to the sink in order.
struct Prepared {
    offset: usize,
    len: usize,
    event: std::result::Result<Event, String>,
    /// The record's `eventID` hashed with the reader's random key (`RandomState`, so no
    /// one can choose ids that collide); a collision costs a comparison, never a record.
    id_key: Option<u64>,
}

/// A record that is an event.
struct Event {
    /// The normalized event (JSON) and its indexed fields, for `Events::Stored`.
    stored: Option<(Vec<u8>, EventFields)>,
    ts_millis: Option<i64>,
    /// The normalized `ts`, as reports show the first and last.
    ts_text: Option<String>,
}

/// A log file's records, each as the bytes it arrived as (an evidence excerpt finds
/// its chosen records with this too); `Err` (why) when the file is not
/// `{"Records": [...]}`.
pub(crate) fn log_records(inflated: &[u8]) -> std::result::Result<Vec<&RawValue>, String> {
    serde_json::from_slice::<LogFile<'_>>(inflated)
        .map(|file| file.records)
        .map_err(|error| {
            format!("the log file is not CloudTrail's {{\"Records\": [...]}}: {error}")
        })
}

fn prepare_file(inflated: &[u8], events: Events, ids: &RandomState) -> PreparedFile {
    let records = log_records(inflated)?;
    let base = inflated.as_ptr() as usize;
    Ok(records
        .iter()
        .map(|raw| prepare(raw, base, events, ids))
        .collect())
}

fn prepare(raw: &RawValue, base: usize, events: Events, ids: &RandomState) -> Prepared {
    let text = raw.get();
    let (event, id_key) = match events {
        Events::Counted => counted(text, ids).unwrap_or_else(|| {
            let (event, id_key) = stored(text, ids);
            let event = event.map(|event| Event {
                stored: None,
                ..event
            });
            (event, id_key)
        }),
        Events::Stored => stored(text, ids),
    };
    Prepared {
        offset: text.as_ptr() as usize - base,
        len: text.len(),
        event,
        id_key,
    }
}

type PreparedEvent = (std::result::Result<Event, String>, Option<u64>);

/// The whole record: parsed, normalized, written as our JSON and its fields read.
fn stored(text: &str, ids: &RandomState) -> PreparedEvent {
    let parsed: std::result::Result<Value, String> =
        serde_json::from_str(text).map_err(|e| format!("the record is not JSON: {e}"));
    let id_key = parsed
        .as_ref()
        .ok()
        .and_then(|record| record.get("eventID"))
        .and_then(Value::as_str)
        .map(|id| ids.hash_one(id));
    let event = parsed
        .and_then(|record| normalize(&record))
        .and_then(|event| {
            let bytes = serde_json::to_vec(&event).map_err(|e| e.to_string())?;
            let fields = match EventFields::of_value(&event) {
                Some(fields) => fields,
                None => canonical::parse(&bytes)
                    .map(|json| EventFields::of(&json))
                    .map_err(|e| e.to_string())?,
            };
            Ok(Event {
                ts_millis: fields.ts_millis,
                ts_text: event["ts"].as_str().map(str::to_owned),
                stored: Some((bytes, fields)),
            })
        });
    (event, id_key)
}

/// Nesting up to which `counted` decides alone: well below serde_json's limit of 128,
/// which `stored` can meet one level deeper than the record (`additionalEventData`
/// moves under `context`) when it reads its own event back.
const SHALLOW: usize = 64;

/// Only what verification counts, when that is certain to be what `stored` would
/// find: `None` (use `stored`) when the record is not a JSON object, is not JSON, or is
/// nested deeper than `SHALLOW`. Every value is checked as serde_json checks it into a
/// `Value` (escapes, surrogates, numbers in range, nesting), so a record is refused
/// here exactly when `stored` refuses it; and `normalize` refuses a record only for
/// its `eventName` and `eventTime`, which are all it is given here besides `eventID`.
fn counted(text: &str, ids: &RandomState) -> Option<PreparedEvent> {
    let light: Light = serde_json::from_str(text).ok()?;
    if light.depth > SHALLOW {
        return None;
    }
    let id_key = light
        .fields
        .get("eventID")
        .and_then(Value::as_str)
        .map(|id| ids.hash_one(id));
    let event = normalize(&Value::Object(light.fields)).map(|event| {
        let ts_text = event["ts"].as_str().map(str::to_owned);
        Event {
            stored: None,
            ts_millis: ts_text
                .as_deref()
                .and_then(|ts| chrono::DateTime::parse_from_rfc3339(ts).ok())
                .map(|t| t.timestamp_millis()),
            ts_text,
        }
    });
    Some((event, id_key))
}

/// A CloudTrail record read for verification: its `eventID`, `eventName` and
/// `eventTime` (the last of each, as a `Value` keeps repeated keys), the rest checked
/// and dropped.
struct Light {
    fields: serde_json::Map<String, Value>,
    /// Nesting: 1 for an object of plain values.
    depth: usize,
}

impl<'de> Deserialize<'de> for Light {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Light, D::Error> {
        struct Record;
        impl<'de> Visitor<'de> for Record {
            type Value = Light;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a CloudTrail record")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Light, A::Error> {
                let mut fields = serde_json::Map::new();
                let mut depth = 0;
                while let Some(Key(kept)) = map.next_key()? {
                    match kept {
                        Some(name) => {
                            let value: Value = map.next_value()?;
                            depth = depth.max(value_depth(&value));
                            fields.insert(name.to_owned(), value);
                        }
                        None => depth = depth.max(map.next_value::<Checked>()?.0),
                    }
                }
                Ok(Light {
                    fields,
                    depth: depth + 1,
                })
            }
        }
        deserializer.deserialize_any(Record)
    }
}

/// A record's key: one of the three `Light` keeps, or another.
struct Key(Option<&'static str>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Key, D::Error> {
        struct Name;
        impl Visitor<'_> for Name {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, key: &str) -> std::result::Result<Key, E> {
                Ok(Key(["eventID", "eventName", "eventTime"]
                    .into_iter()
                    .find(|k| *k == key)))
            }
        }
        deserializer.deserialize_any(Name)
    }
}

/// Any JSON value, checked as a `Value` would be and dropped; its nesting.
struct Checked(usize);

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Checked, D::Error> {
        struct Any;
        impl<'de> Visitor<'de> for Any {
            type Value = Checked;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> std::result::Result<Checked, E> {
                Ok(Checked(0))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Checked, E> {
                Ok(Checked(0))
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Checked, E> {
                Ok(Checked(0))
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Checked, E> {
                Ok(Checked(0))
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Checked, E> {
                Ok(Checked(0))
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Checked, E> {
                Ok(Checked(0))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Checked, A::Error> {
                let mut depth = 0;
                while let Some(Checked(inner)) = seq.next_element()? {
                    depth = depth.max(inner);
                }
                Ok(Checked(depth + 1))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Checked, A::Error> {
                let mut depth = 0;
                while map.next_key::<Checked>()?.is_some() {
                    depth = depth.max(map.next_value::<Checked>()?.0);
                }
                Ok(Checked(depth + 1))
            }
        }
        deserializer.deserialize_any(Any)
    }
}

fn value_depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(value_depth).max().unwrap_or(0),
        Value::Object(members) => 1 + members.values().map(value_depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// A record's `eventID` as the reader keys it (a record that is not JSON has none).
fn event_id(raw: &[u8]) -> Option<String> {
    let fields = match serde_json::from_slice::<Light>(raw) {
        Ok(light) => light.fields,
        Err(_) => match serde_json::from_slice::<Value>(raw).ok()? {
            Value::Object(fields) => fields,
            _ => return None,
        },
    };
    fields.get("eventID")?.as_str().map(str::to_owned)
}

/// The first 16 bytes of a record's SHA-256.
fn digest16(raw: &[u8]) -> [u8; 16] {
    Sha256::digest(raw)[..16].try_into().expect("16 bytes")
}

/// Where a record lies: its log file (index in `Records::files`) and its index in the
/// file's `Records`.
fn place(file: usize, index: usize) -> u64 {
    ((file as u64) << 32) | index as u64
}

fn unplace(place: u64) -> (usize, usize) {
    ((place >> 32) as usize, (place & 0xffff_ffff) as usize)
}

/// The first record kept under each eventID key, in little memory: open-addressing
/// tables of one `u64` a slot (the key's top 24 bits beside the record's ordinal in the
/// trail plus one; 0 is an empty slot) that are never rehashed: when a table is 3/4
/// full the next, twice as large, takes the new keys, and a lookup probes them all.
/// Two million records take 31 MB (a `HashMap<u64, u64>` took 71 MB, which the
/// allocator then kept while a case's indexes were built). A slot holds 24 bits of its
/// key beyond its position, so what a lookup finds are candidates, whose eventIDs the
/// caller compares.
#[derive(Default)]
struct FirstSeen {
    tables: Vec<FirstTable>,
}

struct FirstTable {
    slots: Vec<u64>,
    len: usize,
}

/// Slots of the first table (2 MB).
const FIRST_TABLE_SLOTS: usize = 1 << 18;
/// Bits of a slot that hold the ordinal (plus one); the rest hold the key's top bits.
const ORDINAL_BITS: u32 = 40;
const ORDINAL_MASK: u64 = (1 << ORDINAL_BITS) - 1;

impl FirstSeen {
    /// The ordinals of the records kept under keys that may be `key`, into `out`.
    fn candidates(&self, key: u64, out: &mut Vec<u64>) {
        out.clear();
        let fingerprint = key >> ORDINAL_BITS;
        for table in &self.tables {
            let mask = table.slots.len() - 1;
            let mut i = key as usize & mask;
            while table.slots[i] != 0 {
                if table.slots[i] >> ORDINAL_BITS == fingerprint {
                    out.push((table.slots[i] & ORDINAL_MASK) - 1);
                }
                i = (i + 1) & mask;
            }
        }
    }

    fn insert(&mut self, key: u64, ordinal: u64) {
        assert!(ordinal < ORDINAL_MASK, "more records than a trail can hold");
        if self
            .tables
            .last()
            .is_none_or(|table| (table.len + 1) * 4 > table.slots.len() * 3)
        {
            let slots = self
                .tables
                .last()
                .map_or(FIRST_TABLE_SLOTS, |table| table.slots.len() * 2);
            self.tables.push(FirstTable {
                slots: vec![0; slots],
                len: 0,
            });
        }
        let table = self.tables.last_mut().expect("a table");
        let mask = table.slots.len() - 1;
        let mut i = key as usize & mask;
        while table.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        table.slots[i] = (key >> ORDINAL_BITS) << ORDINAL_BITS | (ordinal + 1);
        table.len += 1;
    }
}

/// What `Records::repeat` made of a record's eventID.
enum Repeat {
    /// The first record kept with it.
    First,
    /// Byte for byte a copy already kept: it is not kept again.
    Same(String),
    /// It differs from every copy kept: kept too.
    Differs(String),
    /// The first copy could not be read again to compare (its file changed or went
    /// away while the trail was read): kept too.
    Uncompared(String),
}

impl<'s, 'r> Records<'s, 'r> {
    fn new(
        sink: &'s mut dyn LineSink,
        folder: &'r dyn Folder,
        limits: &'r TrailLimits,
    ) -> Records<'s, 'r> {
        Records {
            sink,
            folder,
            limits,
            first: FirstSeen::default(),
            candidates: Vec::new(),
            file_starts: Vec::new(),
            next_ordinal: 0,
            repeated: HashMap::new(),
            reread: Vec::new(),
            findings: Vec::new(),
            tallies: BTreeMap::new(),
            records: 0,
            malformed: 0,
            bytes_read: 0,
            files: Vec::new(),
            file_sha256: Vec::new(),
            failed: None,
        }
    }
}

impl Records<'_, '_> {
    fn file(&mut self, log: &LogFileBytes<'_>, prepared: PreparedFile) -> Result<()> {
        self.files.push((
            log.path.to_owned(),
            to_hex(log.sha256),
            log.inflated.len() as u64,
        ));
        self.file_sha256.push(*log.sha256);
        let file = self.files.len() - 1;
        self.file_starts.push(self.next_ordinal);
        if let Ok(records) = &prepared {
            self.next_ordinal += records.len() as u64;
        }
        let tally_key = match log.chain {
            Some(chain) => chain.to_owned(),
            None => unlisted_key(log.path),
        };
        // A record is vouched for when its file matches a digest whose signature holds.
        let vouched = matches!(log.status, LogFileStatus::Verified { .. });
        match prepared {
            Ok(records) => {
                let spans: Vec<(usize, usize)> =
                    records.iter().map(|r| (r.offset, r.len)).collect();
                for (index, record) in records.into_iter().enumerate() {
                    let at = place(file, index);
                    self.record(log, at, &spans, record, vouched, &tally_key)?;
                }
            }
            Err(reason) => {
                // Not `{"Records": [...]}`: the file is kept whole as one malformed record.
                self.malformed(log.path, 1, 0, log.inflated, reason)?;
            }
        }
        self.bytes_read += self.folder.size(log.path).unwrap_or(0);
        self.sink.progress(self.bytes_read)
    }

    /// Whether a record repeats an eventID already kept, and how. Every record with
    /// an eventID new to the trail is kept under its key (`first`); a record whose key
    /// may be there already is compared with the records found under it, read again
    /// (from the file at hand, or their earlier file inflated anew and checked against
    /// the SHA-256 it had): by eventID itself, then byte for byte, so that keys alike
    /// never drop a record. From then on that eventID's copies are known by their
    /// SHA-256 (`repeated`): a third copy is compared with each kept copy by 16 bytes
    /// of it.
    fn repeat(
        &mut self,
        key: u64,
        at: u64,
        raw: &[u8],
        current: &[u8],
        spans: &[(usize, usize)],
    ) -> Repeat {
        let (file, index) = unplace(at);
        let ordinal = self.file_starts[file] + index as u64;
        let mut candidates = std::mem::take(&mut self.candidates);
        self.first.candidates(key, &mut candidates);
        let repeat = self.compare(key, ordinal, raw, current, spans, &candidates);
        self.candidates = candidates;
        repeat
    }

    fn compare(
        &mut self,
        key: u64,
        ordinal: u64,
        raw: &[u8],
        current: &[u8],
        spans: &[(usize, usize)],
        candidates: &[u64],
    ) -> Repeat {
        let id = match candidates {
            [] => None,
            _ => event_id(raw),
        };
        let Some(id) = id else {
            self.first.insert(key, ordinal);
            return Repeat::First;
        };
        if let Some(copies) = self.repeated.get_mut(&id) {
            return if copies.insert(digest16(raw)) {
                Repeat::Differs(id)
            } else {
                Repeat::Same(id)
            };
        }
        let mut uncompared = false;
        for &candidate in candidates {
            let at = self.place_of(candidate);
            match self.record_at(at, current, spans) {
                Some(earlier) if event_id(&earlier).as_deref() == Some(id.as_str()) => {
                    let mut copies = HashSet::from([digest16(&earlier)]);
                    let repeat = if earlier == raw {
                        Repeat::Same(id.clone())
                    } else {
                        copies.insert(digest16(raw));
                        Repeat::Differs(id.clone())
                    };
                    self.repeated.insert(id, copies);
                    return repeat;
                }
                // Another eventID, whose key looks alike.
                Some(_) => {}
                None => uncompared = true,
            }
        }
        // No earlier record has this eventID, unless one that could not be read again.
        self.first.insert(key, ordinal);
        if uncompared {
            Repeat::Uncompared(id)
        } else {
            Repeat::First
        }
    }

    /// Where the record of an ordinal lies (see `place`).
    fn place_of(&self, ordinal: u64) -> u64 {
        let file = self.file_starts.partition_point(|&start| start <= ordinal) - 1;
        place(file, (ordinal - self.file_starts[file]) as usize)
    }

    /// The bytes of the record at `at`: in the file being read (`current`, whose
    /// records lie at `spans`), or in an earlier file, read again. `None` when that
    /// file cannot be read again or is no longer what it was.
    fn record_at(&mut self, at: u64, current: &[u8], spans: &[(usize, usize)]) -> Option<Vec<u8>> {
        let (file, index) = unplace(at);
        let slice = |bytes: &[u8], spans: &[(usize, usize)]| {
            spans
                .get(index)
                .map(|&(offset, len)| bytes[offset..offset + len].to_vec())
        };
        if file + 1 == self.files.len() {
            return slice(current, spans);
        }
        if let Some(i) = self.reread.iter().position(|r| r.file == file) {
            let entry = self.reread.remove(i);
            let record = slice(&entry.bytes, &entry.spans);
            self.reread.insert(0, entry);
            return record;
        }
        let mut bytes = Vec::new();
        let reader = self.folder.open(&self.files[file].0).ok()?;
        let inflated =
            gz::inflate_member(reader, self.limits.max_log_bytes, Some(&mut bytes)).ok()?;
        if inflated.sha256 != self.file_sha256[file] {
            return None;
        }
        let spans: Vec<(usize, usize)> = {
            let parsed = serde_json::from_slice::<LogFile<'_>>(&bytes).ok()?;
            let base = bytes.as_ptr() as usize;
            parsed
                .records
                .iter()
                .map(|raw| (raw.get().as_ptr() as usize - base, raw.get().len()))
                .collect()
        };
        let record = slice(&bytes, &spans);
        self.reread.insert(0, Reread { file, bytes, spans });
        self.reread.truncate(REREAD_FILES);
        record
    }

    fn record(
        &mut self,
        log: &LogFileBytes<'_>,
        at: u64,
        spans: &[(usize, usize)],
        record: Prepared,
        vouched: bool,
        tally_key: &str,
    ) -> Result<()> {
        let number = unplace(at).1 as u64 + 1;
        let raw = &log.inflated[record.offset..record.offset + record.len];
        let event = match record.event {
            Ok(event) => event,
            Err(reason) => {
                return self.malformed(log.path, number, record.offset as u64, raw, reason);
            }
        };
        let mut n_findings = 0;
        if let Some(key) = record.id_key {
            let said = |id: &str| match id.trim() {
                "" => "?".to_owned(),
                _ => id.to_owned(),
            };
            let detail = match self.repeat(key, at, raw, log.inflated, spans) {
                Repeat::First => None,
                Repeat::Same(id) => {
                    self.findings.push(
                        Finding::new(FindingKind::DuplicateRecord)
                            .at(log.path, number, record.offset as u64)
                            .detail(format!(
                                "eventID {} was delivered before with the same content; it is counted once",
                                said(&id)
                            )),
                    );
                    return Ok(());
                }
                Repeat::Differs(id) => Some(format!(
                    "eventID {} was delivered before with different content; both are kept",
                    said(&id)
                )),
                Repeat::Uncompared(id) => Some(format!(
                    "eventID {} was delivered before, in a log file that could not be read again to compare (it changed while the trail was read); both are kept",
                    said(&id)
                )),
            };
            if let Some(detail) = detail {
                n_findings = 1;
                self.findings.push(
                    Finding::new(FindingKind::DuplicateRecord)
                        .at(log.path, number, record.offset as u64)
                        .detail(detail),
                );
            }
        }
        self.records += 1;
        self.tallies
            .entry(tally_key.to_owned())
            .or_default()
            .add(event.ts_millis, event.ts_text.as_deref());
        let span = LineSpan {
            line_no: number,
            offset: record.offset as u64,
            start: 0,
            end: raw.len(),
            too_long: None,
        };
        let (normalized, fields) = match event.stored {
            Some((normalized, fields)) => (Some(normalized), Some(fields)),
            None => (None, None),
        };
        self.sink.line(SeenLine {
            file: log.path,
            span: &span,
            raw,
            check: &LineCheck::Unchained { vouched },
            fields,
            normalized: normalized.as_deref(),
            n_breaking_findings: 0,
            n_findings,
        })
    }

    fn malformed(
        &mut self,
        file: &str,
        number: u64,
        offset: u64,
        raw: &[u8],
        reason: String,
    ) -> Result<()> {
        self.records += 1;
        self.malformed += 1;
        let detail = format!("record {}: {reason}", group(number));
        let finding = keep_malformed(self.sink, file, number, offset, raw, reason, detail)?;
        self.findings.push(finding);
        Ok(())
    }

    fn report(mut self, root: &Path, trail: &TrailReport) -> Report {
        // Records of log files no digest lists (delivered at the edges of the digests'
        // hours, or unreferenced) count with their region's chain: each is shown
        // unproven, and an unreferenced file is a finding of its own. They do not
        // weaken what the digests prove of the hours they cover.
        let mut chains: Vec<ChainReport> = Vec::new();
        for chain in &trail.chains {
            let mut tally = self.tallies.remove(&chain.id).unwrap_or_default();
            if !chain.key.backfill
                && let Some(unlisted) = self.tallies.remove(&region_of(chain))
            {
                tally.merge(unlisted);
            }
            chains.push(chain_report(chain, &tally));
        }
        // A region with no digest at all: nothing proves its records.
        for (id, tally) in std::mem::take(&mut self.tallies) {
            chains.push(unlisted_report(&id, &tally, trail.digest_files == 0));
        }
        let mut findings: Vec<Finding> = trail.all_findings().cloned().collect();
        findings.append(&mut self.findings);
        let all_trusted =
            !trail.chains.is_empty() && trail.chains.iter().all(|c| c.trust == ChainTrust::Trusted);
        let any_invalid = trail
            .all_findings()
            .any(|f| f.kind == FindingKind::DigestSignatureInvalid);
        let mut files = self.files;
        files.sort();
        Report {
            bundle: BundleInfo {
                path: root.display().to_string(),
                container: self.folder.container(),
                source: SourceKind::CloudTrail,
                mapping: None,
                mapping_sha256: None,
                has_manifest: trail.digest_files > 0,
                provenance: Provenance {
                    producer: Some("AWS CloudTrail".into()),
                    scope: Some(
                        trail
                            .chains
                            .iter()
                            .map(|c| c.id.clone())
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                    .filter(|s| !s.is_empty()),
                    ..Provenance::default()
                },
                lines: self.records,
                malformed_lines: self.malformed,
                files,
                manifest_sha256: None,
                manifest: None,
            },
            chains,
            signature: SignatureReport {
                status: if any_invalid {
                    SignatureStatus::Invalid
                } else if all_trusted {
                    SignatureStatus::Trusted
                } else if trail.digest_files > 0 {
                    SignatureStatus::Untrusted
                } else {
                    SignatureStatus::Absent
                },
                key_id: all_trusted.then(|| "AWS CloudTrail".to_owned()),
            },
            findings,
            findings_not_listed: trail.findings_not_listed.clone(),
        }
    }
}

/// Where the records of a log file no digest lists are counted until the chains are
/// known: `[org/]account/region`.
fn unlisted_key(path: &str) -> String {
    match classify(path) {
        Entry::LogFile(key) => match key.org {
            Some(org) => format!("{org}/{}/{}", key.account, key.region),
            None => format!("{}/{}", key.account, key.region),
        },
        _ => "(not in a region's folder)".to_owned(),
    }
}

/// The `[org/]account/region` of a chain, to match `unlisted_key`.
fn region_of(chain: &ChainResult) -> String {
    match &chain.key.org {
        Some(org) => format!("{org}/{}/{}", chain.key.account, chain.key.source_region),
        None => format!("{}/{}", chain.key.account, chain.key.source_region),
    }
}

fn dimension(status: DimensionStatus, detail: impl Into<String>) -> Dimension {
    Dimension {
        status,
        detail: detail.into(),
    }
}

fn hours(n: u64) -> String {
    format!("{} {}", group(n), if n == 1 { "hour" } else { "hours" })
}

/// One digest chain in the report's shape: integrity is the log files matching their
/// digests; linkage the digests' signatures chaining one to the next; completeness the
/// hours no digest covers; authenticity whose keys signed; coverage the hours covered.
fn chain_report(chain: &ChainResult, tally: &Tally) -> ChainReport {
    let breaks = |kinds: &[FindingKind]| {
        chain
            .findings
            .iter()
            .filter(|f| kinds.contains(&f.kind))
            .count()
    };
    let file_breaks = breaks(&[
        FindingKind::LogFileHashMismatch,
        FindingKind::LogFileMissing,
        FindingKind::GzipTrailingData,
    ]);
    let integrity = if file_breaks > 0 {
        dimension(
            DimensionStatus::Failed,
            format!(
                "broken: {} of {} log files listed by its digests are missing or differ from the hash their digest records",
                group(file_breaks as u64),
                group(chain.log_files_listed as u64)
            ),
        )
    } else if chain.log_files_verified == chain.log_files_listed && chain.log_files_listed > 0 {
        dimension(
            DimensionStatus::Proven,
            format!(
                "proven: all {} log files match the SHA-256 their digest files record",
                group(chain.log_files_verified as u64)
            ),
        )
    } else {
        dimension(
            DimensionStatus::Unproven,
            format!(
                "{} of {} log files match a digest whose signature could be checked",
                group(chain.log_files_verified as u64),
                group(chain.log_files_listed as u64)
            ),
        )
    };
    let link_breaks = breaks(&[
        FindingKind::DigestSignatureInvalid,
        FindingKind::DigestHashMismatch,
        FindingKind::DigestMissing,
        FindingKind::DigestMoved,
    ]);
    let linkage = if link_breaks > 0 {
        dimension(
            DimensionStatus::Failed,
            format!(
                "broken: {} of its {} digest files fail their signature, their link to the one before, or are missing",
                group(link_breaks as u64),
                group(chain.digests as u64)
            ),
        )
    } else if chain.digests_unchecked > 0 {
        dimension(
            DimensionStatus::Unproven,
            format!(
                "{} of {} digest files verified and linked; {} could not be checked (no signature or no key in the folder)",
                group(chain.digests_verified as u64),
                group(chain.digests as u64),
                group(chain.digests_unchecked as u64)
            ),
        )
    } else {
        dimension(
            DimensionStatus::Proven,
            format!(
                "proven: all {} digest files are signed and each links to the one before it",
                group(chain.digests as u64)
            ),
        )
    };
    let completeness = if chain.gaps.is_empty() {
        dimension(
            DimensionStatus::Proven,
            "proven: every hour from the first digest to the last is covered; no log file is missing",
        )
    } else {
        let missing: u64 = chain.gaps.iter().map(|g| g.hours).sum();
        let spans: Vec<String> = chain
            .gaps
            .iter()
            .map(|g| {
                format!(
                    "{} to {}{}",
                    format_time(g.start),
                    format_time(g.end),
                    if g.restart {
                        " (the chain restarts: validation was off)"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        dimension(
            DimensionStatus::Failed,
            format!(
                "broken: {} no verified digest covers: {}",
                hours(missing),
                spans.join("; ")
            ),
        )
    };
    let authenticity = match chain.trust {
        ChainTrust::Trusted => dimension(
            DimensionStatus::Proven,
            "proven: every digest file is signed by an AWS key you trust",
        ),
        ChainTrust::FolderKeys => dimension(
            DimensionStatus::Unproven,
            "the digests are signed by keys that came with the folder, not keys you trust: whoever made the folder could have made them (add the region's `aws cloudtrail list-public-keys` output to your trusted keys)",
        ),
        ChainTrust::Incomplete => {
            let unvouched: Vec<String> = chain
                .unvouched
                .iter()
                .map(|(from, to)| format!("{} to {}", format_time(*from), format_time(*to)))
                .collect();
            let detail = if unvouched.is_empty() {
                "not every digest file's signature holds".to_owned()
            } else {
                format!(
                    "nothing vouches for {}: the signature of the digest covering it is not in the folder (collect its head-object file)",
                    unvouched.join("; ")
                )
            };
            dimension(DimensionStatus::Unproven, detail)
        }
    };
    let coverage = match (chain.first_covered, chain.last_covered) {
        (Some(from), Some(to)) => dimension(
            DimensionStatus::Proven,
            format!(
                "{} covered by {} digest files, {} to {}",
                hours(chain.hours_covered),
                group(chain.digests as u64),
                format_time(from),
                format_time(to)
            ),
        ),
        _ => dimension(DimensionStatus::Unproven, "no digest file could be read"),
    };
    let broken = chain
        .findings
        .iter()
        .any(|f| f.severity() == crate::verify::Severity::Break);
    ChainReport {
        id: chain.id.clone(),
        verdict: chain_verdict(broken, true, chain.trust == ChainTrust::Trusted),
        events: tally.events,
        omitted: 0,
        first_seq: u64::from(tally.events > 0),
        last_seq: tally.events,
        head_hash: String::new(),
        start_prev_hash: None,
        first_ts: tally.first_ts.as_ref().map(|t| t.1.clone()),
        last_ts: tally.last_ts.as_ref().map(|t| t.1.clone()),
        integrity,
        linkage,
        completeness,
        authenticity,
        coverage,
        counts: vec![
            ("digests", chain.digests as u64),
            ("digests_verified", chain.digests_verified as u64),
            ("digests_unchecked", chain.digests_unchecked as u64),
            ("log_files", chain.log_files_listed as u64),
            ("log_files_verified", chain.log_files_verified as u64),
            ("records", tally.events),
            ("hours_covered", chain.hours_covered),
            ("hours_missing", chain.gaps.iter().map(|g| g.hours).sum()),
        ],
    }
}

/// Log files no digest in the folder lists: shown, proven by nothing.
fn unlisted_report(region: &str, tally: &Tally, no_digests_at_all: bool) -> ChainReport {
    let why = if no_digests_at_all {
        "not provable: the folder holds no digest files (only CloudTrail/ was copied); collect CloudTrail-Digest/ and the digests' signatures with scripts/collect-cloudtrail.sh"
    } else {
        "not provable: the folder holds no digest file of this region; collect its CloudTrail-Digest/ folder and the digests' signatures with scripts/collect-cloudtrail.sh"
    };
    let id = format!("{region} (no digests)");
    let span = match (&tally.first_ts, &tally.last_ts) {
        (Some((_, from)), Some((_, to))) => format!("events from {from} to {to}"),
        _ => "no readable event times".to_owned(),
    };
    ChainReport {
        id,
        verdict: Verdict::Unverifiable,
        events: tally.events,
        omitted: 0,
        first_seq: u64::from(tally.events > 0),
        last_seq: tally.events,
        head_hash: String::new(),
        start_prev_hash: None,
        first_ts: tally.first_ts.as_ref().map(|t| t.1.clone()),
        last_ts: tally.last_ts.as_ref().map(|t| t.1.clone()),
        integrity: dimension(DimensionStatus::Unproven, why),
        linkage: dimension(DimensionStatus::Unproven, why),
        completeness: dimension(DimensionStatus::Unproven, why),
        authenticity: dimension(DimensionStatus::Unproven, why),
        coverage: dimension(DimensionStatus::Unproven, format!("measured: {span}")),
        counts: vec![("records", tally.events)],
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::verify::testkit::{self, Plan};
    use super::*;
    use crate::source::folder::DirFolder;
    use crate::verify::TrustedKeys;

    /// Keeps what a case import would: each record's file, number, vouching and event.
    #[derive(Default)]
    struct Kept {
        records: Vec<(String, u64, bool, Option<serde_json::Value>)>,
        raw: Vec<Vec<u8>>,
    }

    impl LineSink for Kept {
        fn wants_fields(&self) -> bool {
            true
        }
        fn line(&mut self, line: SeenLine<'_>) -> Result<()> {
            let vouched = matches!(line.check, LineCheck::Unchained { vouched: true });
            let event = line
                .normalized
                .map(|bytes| serde_json::from_slice(bytes).unwrap());
            self.records
                .push((line.file.to_owned(), line.span.line_no, vouched, event));
            self.raw.push(line.raw.to_vec());
            Ok(())
        }
    }

    fn options(trusted_json: Option<String>) -> VerifyOptions {
        let mut options = VerifyOptions::default();
        if let Some(json) = trusted_json {
            options.trusted_keys = TrustedKeys::parse(&json, Path::new("trusted.json")).unwrap();
        }
        options
    }

    fn read(root: &Path, plan: &Plan, trusted: bool) -> (Report, Kept) {
        let trusted = trusted.then(|| testkit::real_keys_json(plan));
        let mut kept = Kept::default();
        let report = read_trail(root, &options(trusted), &mut kept).unwrap();
        (report, kept)
    }

    fn built(plan: &Plan) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        testkit::build(dir.path(), plan);
        dir
    }

    #[test]
    fn a_clean_trail_under_trusted_keys_is_verified_with_every_record_vouched() {
        let plan = Plan::default();
        let dir = built(&plan);
        assert!(is_trail_folder(dir.path()));
        let (report, kept) = read(dir.path(), &plan, true);
        assert_eq!(report.verdict(), Verdict::Verified, "{}", report.headline());
        assert!(report.headline().contains("signed by an AWS key you trust"));
        let expected = (plan.hours * plan.logs_per_hour * plan.records_per_log) as u64;
        assert_eq!(report.n_events(), expected);
        assert_eq!(kept.records.len() as u64, expected);
        assert!(
            kept.records.iter().all(|r| r.2),
            "every record is vouched for"
        );
        // Each record is normalized into the event model, in our field names.
        let event = kept.records[0].3.as_ref().unwrap();
        assert_eq!(event["action"], "iam.CreateUser");
        assert!(event["requested"].is_object() && event.get("before").is_none());
        let chain = &report.chains[0];
        for dimension in [
            &chain.integrity,
            &chain.linkage,
            &chain.completeness,
            &chain.authenticity,
        ] {
            assert_eq!(
                dimension.status,
                DimensionStatus::Proven,
                "{}",
                dimension.detail
            );
        }
        assert!(
            chain
                .coverage
                .detail
                .starts_with("6 hours covered by 6 digest files")
        );
        assert_eq!(report.bundle.files.len(), plan.hours * plan.logs_per_hour);
    }

    #[test]
    fn with_only_the_folders_keys_it_is_intact_and_says_whose_keys() {
        let plan = Plan::default();
        let dir = built(&plan);
        let (report, kept) = read(dir.path(), &plan, false);
        assert_eq!(report.verdict(), Verdict::Intact);
        assert!(
            report.headline().contains("came with the folder"),
            "{}",
            report.headline()
        );
        // The content is still vouched for by a digest whose signature holds.
        assert!(kept.records.iter().all(|r| r.2));
    }

    #[test]
    fn an_edited_record_breaks_the_trail_and_its_files_records_are_not_vouched() {
        let plan = Plan::default();
        let dir = built(&plan);
        let built = testkit::build(dir.path(), &plan);
        let target = built.logs[3].clone();
        testkit::rewrite(dir.path(), &target, |v| {
            v["Records"][1]["sourceIPAddress"] = "198.51.100.1".into()
        });
        let (report, kept) = read(dir.path(), &plan, true);
        assert_eq!(report.verdict(), Verdict::Broken);
        assert!(
            report
                .headline()
                .contains("differs from the hash its digest"),
            "{}",
            report.headline()
        );
        let (edited, others): (Vec<_>, Vec<_>) = kept.records.iter().partition(|r| r.0 == target);
        assert_eq!(edited.len(), plan.records_per_log);
        assert!(edited.iter().all(|r| !r.2) && others.iter().all(|r| r.2));
        assert_eq!(report.chains[0].integrity.status, DimensionStatus::Failed);
    }

    #[test]
    fn a_folder_without_digests_is_unverifiable_and_says_how_to_get_them() {
        let plan = Plan::default();
        let dir = built(&plan);
        std::fs::remove_dir_all(dir.path().join("AWSLogs/123456789012/CloudTrail-Digest")).unwrap();
        let (report, kept) = read(dir.path(), &plan, true);
        assert_eq!(report.verdict(), Verdict::Unverifiable);
        let headline = report.headline();
        assert!(
            headline.contains("no digest files") && headline.contains("collect-cloudtrail"),
            "{headline}"
        );
        assert_eq!(
            kept.records.len(),
            plan.hours * plan.logs_per_hour * plan.records_per_log
        );
        assert!(kept.records.iter().all(|r| !r.2));
    }

    #[test]
    fn a_repeated_record_is_one_event_and_a_differing_repeat_is_kept_beside_it() {
        let record = |ip: &str| {
            serde_json::json!({"eventVersion": "1.11", "eventID": "e-1", "eventTime": "2026-03-01T10:00:00Z",
                "eventSource": "s3.amazonaws.com", "eventName": "DeleteBucket", "sourceIPAddress": ip,
                "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/alice", "userName": "alice"}})
        };
        let other = serde_json::json!({"eventID": "e-2", "eventTime": "2026-03-01T10:01:00Z",
            "eventSource": "iam.amazonaws.com", "eventName": "CreateUser"});
        // CloudTrail's own repeats: the same record again, and once changed.
        let file = serde_json::json!({"Records": [record("203.0.113.7"), other, record("203.0.113.7"), record("192.0.2.55")]});
        let inflated = serde_json::to_vec(&file).unwrap();
        let mut kept = Kept::default();
        let (folder, limits, ids) = (
            DirFolder::new("/nonexistent"),
            TrailLimits::default(),
            RandomState::new(),
        );
        let mut reader = Records::new(&mut kept, &folder, &limits);
        feed(
            &mut reader,
            &ids,
            "AWSLogs/1/CloudTrail/us-east-1/2026/03/01/x.json.gz",
            &inflated,
        );
        let findings = std::mem::take(&mut reader.findings);
        assert_eq!(reader.records, 3, "the identical repeat is counted once");
        let details: Vec<(u64, String)> = findings
            .iter()
            .map(|f| (f.line.unwrap(), f.detail.clone().unwrap()))
            .collect();
        assert_eq!(details.len(), 2, "{details:?}");
        assert!(
            details[0].0 == 3 && details[0].1.contains("same content"),
            "{details:?}"
        );
        assert!(
            details[1].0 == 4 && details[1].1.contains("both are kept"),
            "{details:?}"
        );
        assert!(
            findings
                .iter()
                .all(|f| f.kind == FindingKind::DuplicateRecord)
        );
        let numbers: Vec<u64> = kept.records.iter().map(|r| r.1).collect();
        assert_eq!(numbers, [1, 2, 4]);
        // Each kept record is its own bytes, exactly as they arrived in the file.
        assert_eq!(
            kept.raw[2],
            serde_json::to_vec(&record("192.0.2.55")).unwrap()
        );
        assert!(kept.records.iter().all(|r| r.2), "its file is verified");
    }

    /// Hands `inflated` to `reader` as a verified log file at `path`, prepared as its
    /// sink asks.
    fn feed(reader: &mut Records<'_, '_>, ids: &RandomState, path: &str, inflated: &[u8]) {
        let events = if reader.sink.wants_fields() {
            Events::Stored
        } else {
            Events::Counted
        };
        let sha256: [u8; 32] = Sha256::digest(inflated).into();
        let log = LogFileBytes {
            path,
            chain: Some("1/us-east-1/t"),
            status: LogFileStatus::Verified { trusted: true },
            inflated,
            sha256: &sha256,
        };
        reader
            .file(&log, prepare_file(inflated, events, ids))
            .unwrap();
    }

    fn aws_record(id: &str, ip: &str) -> serde_json::Value {
        serde_json::json!({"eventVersion": "1.11", "eventID": id, "eventTime": "2026-03-01T10:00:00Z",
            "eventSource": "s3.amazonaws.com", "eventName": "DeleteBucket", "sourceIPAddress": ip,
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/alice", "userName": "alice"}})
    }

    fn log_json(records: &[serde_json::Value]) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({ "Records": records })).unwrap()
    }

    /// (line, detail) of each finding.
    fn details(findings: &[Finding]) -> Vec<(u64, String)> {
        findings
            .iter()
            .map(|f| (f.line.unwrap(), f.detail.clone().unwrap()))
            .collect()
    }

    #[test]
    fn a_later_copy_is_compared_with_every_copy_kept_and_across_log_files() {
        // e-1 first in a.json.gz; then, in b.json.gz: the first copy again, a changed
        // copy, the first again, the changed one again; e-9 changed.
        let dir = tempfile::tempdir().unwrap();
        let a = log_json(&[
            aws_record("e-1", "203.0.113.7"),
            aws_record("e-9", "203.0.113.9"),
        ]);
        let b = log_json(&[
            aws_record("e-1", "203.0.113.7"),
            aws_record("e-1", "192.0.2.55"),
            aws_record("e-1", "203.0.113.7"),
            aws_record("e-1", "192.0.2.55"),
            aws_record("e-9", "192.0.2.99"),
        ]);
        std::fs::write(dir.path().join("a.json.gz"), gz::gzip(&a)).unwrap();
        for sink_wants_fields in [true, false] {
            let (folder, limits, ids) = (
                DirFolder::new(dir.path()),
                TrailLimits::default(),
                RandomState::new(),
            );
            let mut kept = Kept::default();
            let mut counted = crate::verify::NoSink;
            let sink: &mut dyn LineSink = if sink_wants_fields {
                &mut kept
            } else {
                &mut counted
            };
            let mut reader = Records::new(sink, &folder, &limits);
            feed(&mut reader, &ids, "a.json.gz", &a);
            feed(&mut reader, &ids, "b.json.gz", &b);
            assert_eq!(reader.records, 2 + 2, "e-1 twice, e-9 twice");
            let details = details(&reader.findings);
            let expected = [
                (1, "same content"),
                (2, "different content; both are kept"),
                (3, "same content"),
                (4, "same content"),
                (5, "different content; both are kept"),
            ];
            assert_eq!(details.len(), expected.len(), "{details:?}");
            for ((line, detail), (want_line, want)) in details.iter().zip(expected) {
                assert!(*line == want_line && detail.contains(want), "{details:?}");
            }
            // The first copy of e-1 was read again from a.json.gz, once.
            assert_eq!(reader.reread.len(), 1);
            if sink_wants_fields {
                let numbers: Vec<(String, u64)> =
                    kept.records.iter().map(|r| (r.0.clone(), r.1)).collect();
                let expected = [
                    ("a.json.gz", 1),
                    ("a.json.gz", 2),
                    ("b.json.gz", 2),
                    ("b.json.gz", 5),
                ];
                assert_eq!(numbers, expected.map(|(f, n)| (f.to_owned(), n)));
            }
        }
    }

    #[test]
    fn a_first_copy_that_cannot_be_read_again_keeps_the_repeat() {
        let dir = tempfile::tempdir().unwrap();
        let a = log_json(&[aws_record("e-1", "203.0.113.7")]);
        // On disk a.json.gz is no longer what was read: nothing to compare with.
        std::fs::write(dir.path().join("a.json.gz"), gz::gzip(b"{\"Records\": []}")).unwrap();
        let (folder, limits, ids) = (
            DirFolder::new(dir.path()),
            TrailLimits::default(),
            RandomState::new(),
        );
        let mut kept = Kept::default();
        let mut reader = Records::new(&mut kept, &folder, &limits);
        feed(&mut reader, &ids, "a.json.gz", &a);
        feed(
            &mut reader,
            &ids,
            "b.json.gz",
            &log_json(&[aws_record("e-1", "203.0.113.7")]),
        );
        assert_eq!(reader.records, 2);
        let details = details(&reader.findings);
        assert!(
            details[0].1.contains("could not be read again"),
            "{details:?}"
        );
    }

    #[test]
    fn two_event_ids_with_one_key_are_two_events() {
        let dir = tempfile::tempdir().unwrap();
        let first = log_json(&[aws_record("e-1", "203.0.113.7")]);
        std::fs::write(dir.path().join("a.json.gz"), gz::gzip(&first)).unwrap();
        let (folder, limits, ids) = (
            DirFolder::new(dir.path()),
            TrailLimits::default(),
            RandomState::new(),
        );
        let mut kept = Kept::default();
        let mut reader = Records::new(&mut kept, &folder, &limits);
        feed(&mut reader, &ids, "a.json.gz", &first);
        // As if e-2 hashed to e-1's key (what a collision of the keys would do): the
        // first record (ordinal 0, e-1) is found under both.
        reader.first.insert(ids.hash_one("e-2"), 0);
        let both = log_json(&[
            aws_record("e-2", "203.0.113.7"),
            aws_record("e-2", "203.0.113.7"),
            aws_record("e-1", "203.0.113.7"),
        ]);
        feed(&mut reader, &ids, "b.json.gz", &both);
        assert_eq!(reader.records, 2, "e-1 once, e-2 once");
        let details = details(&reader.findings);
        assert_eq!(details.len(), 2, "{details:?}");
        assert!(
            details[0].0 == 2
                && details[0]
                    .1
                    .contains("eventID e-2 was delivered before with the same")
        );
        assert!(
            details[1].0 == 3
                && details[1]
                    .1
                    .contains("eventID e-1 was delivered before with the same")
        );
    }

    #[test]
    fn the_first_seen_tables_find_every_key_they_hold_as_they_grow() {
        let ids = RandomState::new();
        let mut first = FirstSeen::default();
        let n = FIRST_TABLE_SLOTS as u64 * 3 / 4 + 1000;
        for ordinal in 0..n {
            first.insert(ids.hash_one(ordinal), ordinal);
        }
        assert_eq!(first.tables.len(), 2, "the first table filled up");
        let mut out = Vec::new();
        for ordinal in (0..n).step_by(97) {
            first.candidates(ids.hash_one(ordinal), &mut out);
            assert!(out.contains(&ordinal), "{ordinal}");
        }
        // A key never inserted finds (almost always) nothing.
        let strays = (n..n + 10_000)
            .filter(|i| {
                first.candidates(ids.hash_one(i), &mut out);
                !out.is_empty()
            })
            .count();
        assert!(strays < 5, "{strays}");
    }

    /// What a record came to, comparable between the two ways of reading it.
    fn outcome(record: &Prepared) -> (Option<String>, Option<i64>, Option<String>, Option<u64>) {
        match &record.event {
            Ok(event) => (None, event.ts_millis, event.ts_text.clone(), record.id_key),
            Err(reason) => (Some(reason.clone()), None, None, record.id_key),
        }
    }

    #[test]
    fn an_events_fields_are_what_reading_its_json_back_gives() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mut n = 0;
        for index in 0..40 {
            let json =
                crate::produce::cloudtrail::log_file_json(7, "eu-west-1", at, index, 50).json;
            let file: LogFile<'_> = serde_json::from_slice(&json).unwrap();
            for raw in file.records {
                let event = normalize(&serde_json::from_str(raw.get()).unwrap()).unwrap();
                let bytes = serde_json::to_vec(&event).unwrap();
                let read_back = EventFields::of(&canonical::parse(&bytes).unwrap());
                assert_eq!(
                    EventFields::of_value(&event),
                    Some(read_back),
                    "{}",
                    raw.get()
                );
                n += 1;
            }
        }
        assert_eq!(n, 2000);
    }

    #[test]
    fn verification_alone_refuses_counts_and_keys_exactly_the_records_an_import_does() {
        let nested = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let good = r#""eventVersion":"1.11","eventID":"e-1","eventTime":"2026-03-01T10:00:00.123456Z","eventName":"GetObject""#;
        let mut records: Vec<String> = vec![
            format!("{{{good}}}"),
            r#"{"eventID":"e-2","eventName":"GetObject"}"#.into(),
            r#"{"eventID":"e-2","eventName":"GetObject","eventTime":1700000000}"#.into(),
            r#"{"eventID":"e-2","eventName":"GetObject","eventTime":"yesterday"}"#.into(),
            r#"{"eventID":"e-2","eventName":"  ","eventTime":"2026-03-01T10:00:00Z"}"#.into(),
            r#"{"eventID":"e-2","eventName":7,"eventTime":"2026-03-01T10:00:00Z"}"#.into(),
            r#"{"eventID":"e-2","eventTime":"2026-03-01T10:00:00Z"}"#.into(),
            r#"{"eventID":"e-2","eventName":"A","eventTime":"2026-03-01T10:00:00+02:00"}"#.into(),
            r#"{"eventID":"e-2","eventName":"A","eventTime":"2016-12-31T23:59:60.5Z"}"#.into(),
            // Repeated keys: the last counts, as in a Value.
            r#"{"eventName":"","eventID":"x","eventName":"A","eventTime":"2026-03-01T10:00:00Z","eventID":"e-3"}"#.into(),
            r#"{"eventName":"A","eventTime":"2026-03-01T10:00:00Z","eventName":null}"#.into(),
            // Ids: blank, a number, escaped.
            r#"{"eventID":" ","eventName":"A","eventTime":"2026-03-01T10:00:00Z"}"#.into(),
            r#"{"eventID":12,"eventName":"A","eventTime":"2026-03-01T10:00:00Z"}"#.into(),
            r#"{"eventID":"e\u002d1","eventName":"A","eventTime":"2026-03-01T10:00:00Z"}"#.into(),
            // Not an object.
            "[1,2]".into(),
            r#""text""#.into(),
            "null".into(),
            // What a Value refuses in a field nothing reads.
            format!(r#"{{{good},"x":"\ud800"}}"#),
            format!(r#"{{{good},"x":1e400}}"#),
            format!(r#"{{{good},"x":{{"\ud800":1}}}}"#),
            format!(r#"{{{good},"x":"\ud83d\ude00 \u00e9"}}"#),
        ];
        // Deep records, in an unread field and where the event nests them deeper.
        for depth in [60, 63, 64, 65, 100, 124, 125, 126, 127, 128] {
            records.push(format!(r#"{{{good},"x":{}}}"#, nested(depth)));
            records.push(format!(
                r#"{{{good},"additionalEventData":{}}}"#,
                nested(depth)
            ));
        }
        let ids = RandomState::new();
        for record in &records {
            let file = format!(r#"{{"Records":[{record}]}}"#);
            let stored = prepare_file(file.as_bytes(), Events::Stored, &ids);
            let counted = prepare_file(file.as_bytes(), Events::Counted, &ids);
            match (stored, counted) {
                (Ok(stored), Ok(counted)) => {
                    assert_eq!(outcome(&stored[0]), outcome(&counted[0]), "{record}");
                    assert!(
                        counted[0]
                            .event
                            .as_ref()
                            .map_or(true, |e| e.stored.is_none())
                    );
                }
                (Err(a), Err(b)) => assert_eq!(a, b),
                (a, b) => panic!("{record}: {:?} / {:?}", a.is_ok(), b.is_ok()),
            }
        }
        // The good record's time, and the last eventID of a record that repeats it.
        let file = format!(r#"{{"Records":[{}]}}"#, records[0]);
        let counted = prepare_file(file.as_bytes(), Events::Counted, &ids).unwrap();
        let (_, _, ts, key) = outcome(&counted[0]);
        assert_eq!(ts.as_deref(), Some("2026-03-01T10:00:00.123Z"));
        assert_eq!(key, Some(ids.hash_one("e-1")));
        assert_eq!(event_id(records[9].as_bytes()).as_deref(), Some("e-3"));
        assert_eq!(event_id(records[13].as_bytes()).as_deref(), Some("e-1"));
    }

    #[test]
    fn a_verification_and_an_import_of_a_trail_agree() {
        let plan = Plan::default();
        let dir = built(&plan);
        // A record repeated in another file, and one made malformed.
        let built = testkit::build(dir.path(), &plan);
        let first: serde_json::Value = serde_json::from_slice(
            &gz::inflate(
                &std::fs::read(dir.path().join(&built.logs[0])).unwrap(),
                1 << 30,
            )
            .unwrap(),
        )
        .unwrap();
        let repeated = first["Records"][0].clone();
        testkit::rewrite(dir.path(), &built.logs[5], |v| {
            v["Records"].as_array_mut().unwrap().push(repeated);
            v["Records"][0]["eventTime"] = "soon".into();
        });
        let (imported, kept) = read(dir.path(), &plan, true);
        let verified = read_trail(
            dir.path(),
            &options(Some(testkit::real_keys_json(&plan))),
            &mut crate::verify::NoSink,
        )
        .unwrap();
        assert_eq!(verified.n_events(), imported.n_events());
        // The sink also gets the malformed record, which is no event.
        assert_eq!(kept.records.len() as u64, imported.n_events() + 1);
        let findings = |report: &Report| -> Vec<(FindingKind, Option<u64>, Option<String>)> {
            report
                .findings
                .iter()
                .map(|f| (f.kind, f.line, f.file.clone()))
                .collect()
        };
        assert_eq!(findings(&verified), findings(&imported));
        assert!(
            findings(&verified)
                .iter()
                .any(|f| f.0 == FindingKind::DuplicateRecord)
        );
        assert!(
            findings(&verified)
                .iter()
                .any(|f| f.0 == FindingKind::MalformedRecord)
        );
        for (a, b) in verified.chains.iter().zip(&imported.chains) {
            assert_eq!(
                (a.events, &a.first_ts, &a.last_ts),
                (b.events, &b.first_ts, &b.last_ts)
            );
        }
    }
}
