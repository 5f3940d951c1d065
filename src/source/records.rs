//! Reading the records of a CSV (with a header), JSON Lines or JSON array file one at a
//! time, each with its bytes exactly as they arrived and where it lies (record number,
//! line, byte offset), while the file's SHA-256 is computed on the way.
//!
//! Files are streamed, never loaded whole: a JSON array is split element by element by
//! a small scanner that tracks strings and nesting, so memory is bounded by the largest
//! record. A record that cannot be read (bad JSON, invalid UTF-8, a CSV row with the
//! wrong number of fields, one longer than the limit) is handed over as malformed and
//! the rest is read; a file whose structure is broken (a JSON array cut off or followed
//! by other data) is refused. This module knows no mapping and no case.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::mapping::RecordFormat;
use crate::bundle::LineSplitter;
use crate::{Error, Result};

/// One record as it arrived.
pub struct Record<'a> {
    /// 1-based number of the record in the file (the header row is not one).
    pub index: u64,
    /// 1-based line where it starts.
    pub line: u64,
    /// Byte offset where it starts.
    pub offset: u64,
    /// Its bytes (without the line end); empty when it was too long to keep.
    pub raw: &'a [u8],
    pub content: Content<'a>,
}

/// What a record holds.
pub enum Content<'a> {
    /// A CSV row's fields, by column index (see `Header`).
    Csv(Vec<&'a str>),
    /// A JSON object.
    Json(Value),
    /// Why it could not be read.
    Malformed(String),
}

/// The CSV header: column names and their index.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub names: Vec<String>,
    pub index: HashMap<String, usize>,
}

/// The whole file as read: its SHA-256, size, and how many records it held.
#[derive(Debug, Clone)]
pub struct FileRead {
    pub sha256: [u8; 32],
    pub bytes: u64,
    pub records: u64,
    /// With [`ReadOptions::keep_whole`]: where and why reading stopped before the end
    /// (the input is cut off, or its structure breaks); the records before it were read.
    pub stopped: Option<String>,
}

/// How [`read_records_from`] reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions<'k> {
    /// When the input is cut off (a truncated JSON array or gzip stream) or its
    /// structure breaks part way, keep the records read before that point and say
    /// where it stopped ([`FileRead::stopped`]) instead of refusing the file.
    pub keep_whole: bool,
    /// A JSON file may be one object holding the array of records in one of these
    /// members (`{"value": [...]}` as Microsoft Graph writes it, `{"items": [...]}` as
    /// Google's APIs do); its other members are skipped.
    pub wrappers: &'k [&'k str],
}

/// Tells a file's record format by its first non-blank byte: `[` a JSON array, `{`
/// JSON Lines, anything else CSV.
pub fn sniff_format(path: &Path) -> Result<RecordFormat> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buffer = [0u8; 4096];
    loop {
        let n = file.read(&mut buffer).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            return Ok(RecordFormat::Csv);
        }
        let opening = buffer[..n]
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
        match opening {
            Some(b'[') => return Ok(RecordFormat::Json),
            Some(b'{') => return Ok(RecordFormat::Jsonl),
            Some(_) => return Ok(RecordFormat::Csv),
            None => continue,
        }
    }
}

/// Reads every record of `path`, calling `each` in file order. `header` is called once
/// with the CSV header before the first record (and is not called for JSON files).
pub fn read_records(
    path: &Path,
    format: RecordFormat,
    delimiter: u8,
    max_record_bytes: usize,
    header: &mut dyn FnMut(&Header) -> Result<()>,
    each: &mut dyn FnMut(Record<'_>) -> Result<()>,
) -> Result<FileRead> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    read_records_from(
        file,
        path,
        format,
        delimiter,
        max_record_bytes,
        ReadOptions::default(),
        header,
        each,
    )
}

/// Reads every record of `reader` (named `path` in messages), as [`read_records`]
/// does, under `options`. The SHA-256 and size are of the bytes `reader` gives.
#[allow(clippy::too_many_arguments)]
pub fn read_records_from<R: Read>(
    reader: R,
    path: &Path,
    format: RecordFormat,
    delimiter: u8,
    max_record_bytes: usize,
    options: ReadOptions<'_>,
    header: &mut dyn FnMut(&Header) -> Result<()>,
    each: &mut dyn FnMut(Record<'_>) -> Result<()>,
) -> Result<FileRead> {
    // Kept whole: an error of the input ends it there, so every record before it is
    // read (a line-by-line reader takes lines in batches), and is said afterwards.
    let deferred: Rc<RefCell<Option<io::Error>>> = Rc::default();
    let reader = EndAtError {
        inner: reader,
        keep_whole: options.keep_whole,
        error: Rc::clone(&deferred),
    };
    let hashing = HashingReader::new(reader);
    let state = Rc::clone(&hashing.state);
    // An error of the caller's (a record it refuses, a case it cannot write) always
    // stops the read; only the input's own errors may be kept as where it stopped.
    let callers = std::cell::Cell::new(false);
    let mut read = 0u64;
    let mut header = |h: &Header| header(h).inspect_err(|_| callers.set(true));
    let mut each = |record: Record<'_>| {
        read = record.index;
        each(record).inspect_err(|_| callers.set(true))
    };
    let result = match format {
        RecordFormat::Csv => read_csv(
            path,
            hashing,
            delimiter,
            max_record_bytes,
            &mut header,
            &mut each,
        ),
        RecordFormat::Jsonl => read_jsonl(path, hashing, max_record_bytes, &mut each),
        RecordFormat::Json => {
            read_json_array(path, hashing, max_record_bytes, options.wrappers, &mut each)
        }
    };
    let cut = deferred.borrow_mut().take();
    let result = match (result, cut) {
        (Err(error), _) if callers.get() => Err(error),
        (_, Some(cut)) => Err(Error::io(path, cut)),
        (result, None) => result,
    };
    let (records, stopped) = match result {
        Ok(records) => (records, None),
        Err(error) if options.keep_whole && !callers.get() => (
            read,
            Some(format!(
                "{}; the {} records before that point were read",
                stop_reason(&error),
                read
            )),
        ),
        Err(error) => return Err(error),
    };
    let state = state.borrow();
    Ok(FileRead {
        sha256: state.hasher.clone().finalize().into(),
        bytes: state.bytes,
        records,
        stopped,
    })
}

/// Reads `inner`; with `keep_whole`, an error ends the input instead (kept in `error`).
struct EndAtError<R> {
    inner: R,
    keep_whole: bool,
    error: Rc<RefCell<Option<io::Error>>>,
}

impl<R: Read> Read for EndAtError<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.error.borrow().is_some() {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Err(error) if self.keep_whole && error.kind() != io::ErrorKind::Interrupted => {
                *self.error.borrow_mut() = Some(error);
                Ok(0)
            }
            other => other,
        }
    }
}

/// An input error in words, without the path (the caller names the file).
fn stop_reason(error: &Error) -> String {
    match error {
        Error::Refused { reason, .. } => reason.clone(),
        Error::Io { source, .. } if source.kind() == io::ErrorKind::UnexpectedEof => {
            "the file is cut off (it ends in the middle of its compressed data)".to_owned()
        }
        Error::Io { source, .. } => format!("it could not be read further ({source})"),
        other => other.to_string(),
    }
}

/// Hashes the bytes that pass through, and keeps those not yet taken (`log`), so a CSV
/// record's exact bytes can be cut out of what the CSV reader read.
struct HashingReader<R> {
    inner: R,
    state: Rc<RefCell<HashState>>,
}

struct HashState {
    hasher: Sha256,
    bytes: u64,
    /// Bytes read from `log_base` on, kept only while `keep_log` is set.
    log: Vec<u8>,
    log_base: u64,
    keep_log: bool,
}

impl<R> HashingReader<R> {
    fn new(inner: R) -> Self {
        HashingReader {
            inner,
            state: Rc::new(RefCell::new(HashState {
                hasher: Sha256::new(),
                bytes: 0,
                log: Vec::new(),
                log_base: 0,
                keep_log: false,
            })),
        }
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut state = self.state.borrow_mut();
        state.hasher.update(&buf[..n]);
        state.bytes += n as u64;
        if state.keep_log {
            state.log.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }
}

fn read_csv<R: Read>(
    path: &Path,
    reader: HashingReader<R>,
    delimiter: u8,
    max_record_bytes: usize,
    header: &mut dyn FnMut(&Header) -> Result<()>,
    each: &mut dyn FnMut(Record<'_>) -> Result<()>,
) -> Result<u64> {
    let state = Rc::clone(&reader.state);
    state.borrow_mut().keep_log = true;
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let refused = |e: csv::Error| Error::Refused {
        path: path.to_owned(),
        reason: format!("the CSV file cannot be read: {e}"),
    };
    let names: Vec<String> = csv
        .byte_headers()
        .map_err(refused)?
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let name = String::from_utf8_lossy(name);
            // A byte-order mark before the first column's name is not part of it.
            let name = if i == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                &name
            };
            name.trim().to_owned()
        })
        .collect();
    let index = names
        .iter()
        .enumerate()
        .map(|(i, name)| (name.clone(), i))
        .collect();
    header(&Header { names, index })?;
    let n_columns = csv.byte_headers().map_err(refused)?.len();

    let mut record = csv::ByteRecord::new();
    let mut count = 0;
    // Newlines in the bytes already dropped from the log (so before `log_base`).
    let mut newlines_before_log = 0u64;
    loop {
        // The byte-record reader checks no UTF-8 and (flexible) no field count: those
        // are reported per record below, so an error here is I/O or structure.
        let more = csv.read_byte_record(&mut record).map_err(refused)?;
        if !more {
            break;
        }
        count += 1;
        // The CSV reader's own positions can point at the line end left over from the
        // previous row (`\r|\n`), so the record's place is counted here, from its bytes.
        let start = record.position().map_or(0, |p| p.byte());
        let end = csv.position().byte();
        let mut guard = state.borrow_mut();
        let base = guard.log_base;
        let to = ((end.saturating_sub(base)) as usize).min(guard.log.len());
        let mut from = (start.saturating_sub(base) as usize).min(to);
        while from < to && matches!(guard.log[from], b'\r' | b'\n') {
            from += 1;
        }
        let newlines = |bytes: &[u8]| bytes.iter().filter(|b| **b == b'\n').count() as u64;
        let line = 1 + newlines_before_log + newlines(&guard.log[..from]);
        let start = base + from as u64;
        let mut raw: Vec<u8> = guard.log[from..to].to_vec();
        newlines_before_log += newlines(&guard.log[..to]);
        guard.log.drain(..to);
        guard.log_base = base + to as u64;
        drop(guard);
        while raw.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            raw.pop();
        }
        let content = if raw.len() > max_record_bytes {
            Content::Malformed(format!(
                "the record is {} bytes long, over the limit; it was not read",
                raw.len()
            ))
        } else if record.len() != n_columns {
            Content::Malformed(format!(
                "the row has {} fields where the header has {n_columns}",
                record.len()
            ))
        } else {
            match record
                .iter()
                .map(std::str::from_utf8)
                .collect::<std::result::Result<Vec<&str>, _>>()
            {
                Ok(fields) => Content::Csv(fields),
                Err(_) => Content::Malformed("the row is not valid UTF-8".into()),
            }
        };
        let raw: &[u8] = if raw.len() > max_record_bytes {
            &[]
        } else {
            &raw
        };
        each(Record {
            index: count,
            line,
            offset: start,
            raw,
            content,
        })?;
    }
    Ok(count)
}

fn read_jsonl<R: Read>(
    path: &Path,
    reader: HashingReader<R>,
    max_record_bytes: usize,
    each: &mut dyn FnMut(Record<'_>) -> Result<()>,
) -> Result<u64> {
    let mut splitter = LineSplitter::new(reader, max_record_bytes);
    let mut count = 0;
    while let Some(batch) = splitter
        .next_batch(1 << 20)
        .map_err(|e| Error::io(path, e))?
    {
        for span in &batch.lines {
            count += 1;
            let raw = batch.text(span);
            let content = if let Some(length) = span.too_long {
                Content::Malformed(format!(
                    "the line is {length} bytes long, over the limit; it was not read"
                ))
            } else {
                json_object(raw)
            };
            each(Record {
                index: count,
                line: span.line_no,
                offset: span.offset,
                raw,
                content,
            })?;
        }
    }
    Ok(count)
}

/// A record's bytes as a JSON object, or why they are not one.
fn json_object(raw: &[u8]) -> Content<'static> {
    match serde_json::from_slice::<Value>(raw) {
        Ok(value @ Value::Object(_)) => Content::Json(value),
        Ok(_) => Content::Malformed("not a JSON object".into()),
        Err(e) if std::str::from_utf8(raw).is_err() => {
            Content::Malformed(format!("not valid UTF-8 ({e})"))
        }
        Err(e) => Content::Malformed(format!("not valid JSON: {e}")),
    }
}

fn read_json_array<R: Read>(
    path: &Path,
    reader: HashingReader<R>,
    max_record_bytes: usize,
    wrappers: &[&str],
    each: &mut dyn FnMut(Record<'_>) -> Result<()>,
) -> Result<u64> {
    let mut scanner = Scanner {
        reader: BufReader::with_capacity(1 << 16, reader),
        offset: 0,
        line: 1,
    };
    let refused = |reason: String| Error::Refused {
        path: path.to_owned(),
        reason,
    };
    let io = |e: io::Error| Error::io(path, e);
    scanner.skip_whitespace().map_err(io)?;
    let wrapped = match scanner.next_byte().map_err(io)? {
        Some(b'[') => false,
        Some(b'{') if !wrappers.is_empty() => {
            if !scanner
                .find_member(wrappers)
                .map_err(io)?
                .map_err(refused)?
            {
                // An object without records (an empty page of results).
                return finish_json(&mut scanner, path).map(|()| 0);
            }
            true
        }
        _ => {
            return Err(refused(
                "a JSON file of records must be one array (it does not start with '[')".into(),
            ));
        }
    };
    let mut count = 0;
    let mut element = Vec::new();
    scanner.skip_whitespace().map_err(io)?;
    if scanner.peek().map_err(io)? == Some(b']') {
        scanner.next_byte().map_err(io)?;
    } else {
        loop {
            scanner.skip_whitespace().map_err(io)?;
            let (line, offset) = (scanner.line, scanner.offset);
            element.clear();
            let length = scanner
                .value(&mut element, max_record_bytes)
                .map_err(io)?
                .ok_or_else(|| {
                    refused(format!(
                        "the JSON array is cut off at byte {} (line {}): the file is truncated",
                        scanner.offset, scanner.line
                    ))
                })?;
            count += 1;
            let content = if length > max_record_bytes as u64 {
                Content::Malformed(format!(
                    "the record is {length} bytes long, over the limit; it was not read"
                ))
            } else {
                json_object(&element)
            };
            let raw: &[u8] = if length > max_record_bytes as u64 {
                &[]
            } else {
                &element
            };
            each(Record {
                index: count,
                line,
                offset,
                raw,
                content,
            })?;
            scanner.skip_whitespace().map_err(io)?;
            match scanner.next_byte().map_err(io)? {
                Some(b',') => continue,
                Some(b']') => break,
                Some(other) => {
                    return Err(refused(format!(
                        "the JSON array has {:?} where a ',' or ']' belongs, at byte {} (line {})",
                        other as char,
                        scanner.offset - 1,
                        scanner.line
                    )));
                }
                None => {
                    return Err(refused(format!(
                        "the JSON array is cut off at byte {} (line {}): the file is truncated",
                        scanner.offset, scanner.line
                    )));
                }
            }
        }
    }
    if wrapped {
        // The object's members after the array.
        scanner.skip_members().map_err(io)?.map_err(refused)?;
    }
    finish_json(&mut scanner, path)?;
    Ok(count)
}

/// Refuses anything but whitespace after the JSON text.
fn finish_json<R: Read>(scanner: &mut Scanner<R>, path: &Path) -> Result<()> {
    scanner.skip_whitespace().map_err(|e| Error::io(path, e))?;
    if scanner.peek().map_err(|e| Error::io(path, e))?.is_some() {
        return Err(Error::Refused {
            path: path.to_owned(),
            reason: format!(
                "there is data after the JSON array (or the object holding it), at byte {} (line {})",
                scanner.offset, scanner.line
            ),
        });
    }
    Ok(())
}

/// Splits a JSON text into values without parsing them: it tracks only strings,
/// escapes and nesting.
struct Scanner<R> {
    reader: BufReader<R>,
    offset: u64,
    line: u64,
}

impl<R: Read> Scanner<R> {
    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        let byte = self.peek()?;
        if let Some(b) = byte {
            self.reader.consume(1);
            self.offset += 1;
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(byte)
    }

    fn skip_whitespace(&mut self) -> io::Result<()> {
        while let Some(b) = self.peek()? {
            if !b.is_ascii_whitespace() {
                break;
            }
            self.next_byte()?;
        }
        Ok(())
    }

    /// Inside an object (its `{` read): reads members up to the one named in `names`
    /// whose value is an array, and consumes that array's `[`. `Ok(false)` when the
    /// object ends first; the inner `Err` says how the object is malformed.
    fn find_member(&mut self, names: &[&str]) -> io::Result<std::result::Result<bool, String>> {
        let mut scratch = Vec::new();
        loop {
            self.skip_whitespace()?;
            match self.peek()? {
                Some(b'}') => {
                    self.next_byte()?;
                    return Ok(Ok(false));
                }
                Some(b'"') => {}
                _ => return Ok(Err(self.unexpected("a member name"))),
            }
            scratch.clear();
            if self.value(&mut scratch, 4096)?.is_none() {
                return Ok(Err(self.cut_off()));
            }
            let name: Option<String> = serde_json::from_slice(&scratch).ok();
            self.skip_whitespace()?;
            if self.next_byte()? != Some(b':') {
                return Ok(Err(self.unexpected("':'")));
            }
            self.skip_whitespace()?;
            if name.as_deref().is_some_and(|n| names.contains(&n)) && self.peek()? == Some(b'[') {
                self.next_byte()?;
                return Ok(Ok(true));
            }
            scratch.clear();
            if self.value(&mut scratch, 0)?.is_none() {
                return Ok(Err(self.cut_off()));
            }
            self.skip_whitespace()?;
            match self.next_byte()? {
                Some(b',') => continue,
                Some(b'}') => return Ok(Ok(false)),
                None => return Ok(Err(self.cut_off())),
                Some(_) => return Ok(Err(self.unexpected("',' or '}'"))),
            }
        }
    }

    /// Inside an object, after a member's value: skips the remaining members and the
    /// closing `}`.
    fn skip_members(&mut self) -> io::Result<std::result::Result<(), String>> {
        let mut scratch = Vec::new();
        loop {
            self.skip_whitespace()?;
            match self.next_byte()? {
                Some(b'}') => return Ok(Ok(())),
                Some(b',') => {}
                None => return Ok(Err(self.cut_off())),
                Some(_) => return Ok(Err(self.unexpected("',' or '}'"))),
            }
            // name : value
            for expect_colon in [false, true] {
                self.skip_whitespace()?;
                if expect_colon {
                    if self.next_byte()? != Some(b':') {
                        return Ok(Err(self.unexpected("':'")));
                    }
                    self.skip_whitespace()?;
                }
                scratch.clear();
                if self.value(&mut scratch, 0)?.is_none() {
                    return Ok(Err(self.cut_off()));
                }
            }
        }
    }

    fn cut_off(&self) -> String {
        format!(
            "the JSON text is cut off at byte {} (line {}): the file is truncated",
            self.offset, self.line
        )
    }

    fn unexpected(&self, wanted: &str) -> String {
        format!(
            "the JSON text has something else where {wanted} belongs, at byte {} (line {})",
            self.offset, self.line
        )
    }

    /// Reads one value's bytes into `out` (up to `max` of them; the rest is read and
    /// dropped) and returns its whole length, or `None` if the input ends inside it.
    fn value(&mut self, out: &mut Vec<u8>, max: usize) -> io::Result<Option<u64>> {
        let mut depth = 0u32;
        let mut in_string = false;
        let mut escaped = false;
        let mut length = 0u64;
        loop {
            let Some(b) = self.peek()? else {
                // A bare scalar may end the input; anything open is cut off.
                return Ok((depth == 0 && !in_string && length > 0).then_some(length));
            };
            if !in_string && depth == 0 && length > 0 && matches!(b, b',' | b']' | b'}') {
                return Ok(Some(length));
            }
            if !in_string && depth == 0 && length > 0 && b.is_ascii_whitespace() {
                return Ok(Some(length));
            }
            self.next_byte()?;
            length += 1;
            if out.len() < max {
                out.push(b);
            }
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                    if depth == 0 {
                        return Ok(Some(length));
                    }
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(Some(length));
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (record number, line, byte offset, bytes as they arrived, what was read)
    type Seen = (u64, u64, u64, String, String);

    fn read(format: RecordFormat, text: &[u8]) -> Result<Vec<Seen>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records");
        std::fs::write(&path, text).unwrap();
        let mut out = Vec::new();
        let mut columns = Vec::new();
        read_records(
            &path,
            format,
            b',',
            1000,
            &mut |h| {
                columns = h.names.clone();
                Ok(())
            },
            &mut |r| {
                let what = match r.content {
                    Content::Csv(fields) => fields.join("|"),
                    Content::Json(v) => v.to_string(),
                    Content::Malformed(why) => format!("malformed: {why}"),
                };
                out.push((
                    r.index,
                    r.line,
                    r.offset,
                    String::from_utf8_lossy(r.raw).into_owned(),
                    what,
                ));
                Ok(())
            },
        )?;
        Ok(out)
    }

    #[test]
    fn csv_records_keep_their_bytes_and_place_even_across_quoted_newlines() {
        let text = b"a,b\r\n1,\"two\nlines\"\r\n3,4\r\n5\r\n";
        let rows = read(RecordFormat::Csv, text).unwrap();
        assert_eq!(
            rows,
            vec![
                (1, 2, 5, "1,\"two\nlines\"".into(), "1|two\nlines".into()),
                (2, 4, 20, "3,4".into(), "3|4".into()),
                (
                    3,
                    5,
                    25,
                    "5".into(),
                    "malformed: the row has 1 fields where the header has 2".into()
                ),
            ]
        );
    }

    #[test]
    fn a_json_array_is_read_element_by_element() {
        let text = b" [ {\"a\": \"x]\"},\n {\"b\": [1, {\"c\": 2}]}, 3 ] \n";
        let rows = read(RecordFormat::Json, text).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].3, "{\"a\": \"x]\"}");
        assert_eq!((rows[1].1, rows[1].2), (2, 17));
        assert_eq!(rows[1].3, "{\"b\": [1, {\"c\": 2}]}");
        assert_eq!(rows[2].4, "malformed: not a JSON object");
        assert!(read(RecordFormat::Json, b"[]").unwrap().is_empty());
    }

    #[test]
    fn a_cut_or_trailing_json_array_is_refused() {
        for (text, reason) in [
            (&b"[{\"a\": 1}, {\"b\""[..], "cut off"),
            (b"[{\"a\": 1}", "cut off"),
            (b"[{\"a\": 1}] {\"b\": 2}", "after the JSON array"),
            (b"[{\"a\": 1} {\"b\": 2}]", "where a ',' or ']' belongs"),
            (b"{\"a\": 1}", "does not start with '['"),
        ] {
            let error = read(RecordFormat::Json, text).unwrap_err().to_string();
            assert!(error.contains(reason), "{error}");
        }
    }

    #[test]
    fn json_lines_report_bad_lines_and_read_the_rest() {
        let rows = read(
            RecordFormat::Jsonl,
            b"{\"a\":1}\nnot json\n[1]\n{\"b\":2}\n",
        )
        .unwrap();
        let what: Vec<&str> = rows.iter().map(|r| r.4.as_str()).collect();
        assert_eq!(what[0], "{\"a\":1}");
        assert!(what[1].starts_with("malformed: not valid JSON"));
        assert_eq!(what[2], "malformed: not a JSON object");
        assert_eq!(what[3], "{\"b\":2}");
    }

    /// Reads `text` from memory under `options`: (records as `read` shows them, stopped).
    fn read_from(
        format: RecordFormat,
        text: &[u8],
        options: ReadOptions<'_>,
    ) -> Result<(Vec<String>, Option<String>)> {
        let mut out = Vec::new();
        let read = read_records_from(
            std::io::Cursor::new(text),
            Path::new("export.json"),
            format,
            b',',
            1000,
            options,
            &mut |_| Ok(()),
            &mut |r| {
                out.push(match r.content {
                    Content::Csv(fields) => fields.join("|"),
                    Content::Json(v) => v.to_string(),
                    Content::Malformed(why) => format!("malformed: {why}"),
                });
                Ok(())
            },
        )?;
        assert_eq!(read.records, out.len() as u64);
        Ok((out, read.stopped))
    }

    #[test]
    fn a_json_object_holding_the_records_in_a_named_member_is_read_member_by_member() {
        let wrapped = ReadOptions {
            wrappers: &["value", "items"],
            ..ReadOptions::default()
        };
        let text = br#"{"@odata.context": "x{[", "count": 2, "value": [{"a": 1}, {"a": "]}"}], "@odata.nextLink": null, "n": 5}"#;
        let (records, stopped) = read_from(RecordFormat::Json, text, wrapped).unwrap();
        assert_eq!(records, vec![r#"{"a":1}"#, r#"{"a":"]}"}"#]);
        assert_eq!(stopped, None);
        // No member with records: nothing, and no error.
        let (records, _) = read_from(
            RecordFormat::Json,
            br#"{"kind": "admin#reports#activities"}"#,
            wrapped,
        )
        .unwrap();
        assert!(records.is_empty());
        // A member of that name that is not an array is skipped.
        let (records, _) = read_from(
            RecordFormat::Json,
            br#"{"value": 3, "items": [{"b": true}]}"#,
            wrapped,
        )
        .unwrap();
        assert_eq!(records, vec![r#"{"b":true}"#]);
        // Without wrappers the object is refused as before.
        assert!(read_from(RecordFormat::Json, text, ReadOptions::default()).is_err());
        // Something after the object is refused.
        assert!(read_from(RecordFormat::Json, br#"{"value": []} {}"#, wrapped).is_err());
    }

    #[test]
    fn a_cut_off_file_keeps_its_whole_records_and_says_where_it_stopped_when_asked() {
        let keep = ReadOptions {
            keep_whole: true,
            wrappers: &["value"],
        };
        let cut = br#"[{"a": 1}, {"a": 2}, {"a": "#;
        assert!(read_from(RecordFormat::Json, cut, ReadOptions::default()).is_err());
        let (records, stopped) = read_from(RecordFormat::Json, cut, keep).unwrap();
        assert_eq!(records, vec![r#"{"a":1}"#, r#"{"a":2}"#]);
        let stopped = stopped.unwrap();
        assert!(stopped.contains("cut off at byte"), "{stopped}");
        assert!(stopped.contains("the 2 records before"), "{stopped}");
        let (records, stopped) =
            read_from(RecordFormat::Json, br#"{"value": [{"a": 1}"#, keep).unwrap();
        assert_eq!(records.len(), 1);
        assert!(stopped.is_some());
        // A gzip stream cut off part way: the records inflated before the cut are kept.
        let lines: Vec<u8> = (0..2000)
            .flat_map(|i| format!("{{\"n\": {i}}}\n").into_bytes())
            .collect();
        let gz = crate::source::cloudtrail::gz::gzip(&lines);
        let truncated = &gz[..gz.len() / 2];
        let mut out = 0u64;
        let read = read_records_from(
            flate2::read::MultiGzDecoder::new(truncated),
            Path::new("export.jsonl.gz"),
            RecordFormat::Jsonl,
            b',',
            1000,
            keep,
            &mut |_| Ok(()),
            &mut |_| {
                out += 1;
                Ok(())
            },
        )
        .unwrap();
        assert!(out > 0 && out < 2000, "{out}");
        assert!(read.stopped.unwrap().contains("cut off"));
        // The caller's own error still stops the read.
        let error = read_records_from(
            std::io::Cursor::new(cut),
            Path::new("x"),
            RecordFormat::Json,
            b',',
            1000,
            keep,
            &mut |_| Ok(()),
            &mut |_| Err(Error::Invalid("stop".into())),
        );
        assert!(error.is_err());
    }
}
