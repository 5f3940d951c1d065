//! Splits an events file into lines, in batches, with bounded memory.
//!
//! Each line keeps its 1-based line number and byte offset so every finding can say
//! where it is. A line longer than the limit is not buffered: it is skipped to its end
//! and reported as too long, so a hostile multi-gigabyte line cannot exhaust memory.
//! While splitting, the raw bytes are hashed (SHA-256) and counted, which is what the
//! manifest's `files[]` pins; the file is therefore read exactly once.
//!
//! This module never interprets the bytes of a line: it does not parse JSON.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

use crate::canonical::Digest32;

/// One line of an events file, located inside its batch's buffer.
#[derive(Debug, Clone)]
pub struct LineSpan {
    /// 1-based line number in the file.
    pub line_no: u64,
    /// Byte offset of the line's first byte in the file.
    pub offset: u64,
    /// Range of the line's bytes in `LineBatch::data` (without `\r\n`); empty when too long.
    pub start: usize,
    pub end: usize,
    /// `Some(length)` when the line exceeded the limit and was skipped.
    pub too_long: Option<u64>,
}

/// A batch of consecutive non-blank lines.
#[derive(Debug, Default)]
pub struct LineBatch {
    pub data: Vec<u8>,
    pub lines: Vec<LineSpan>,
}

impl LineBatch {
    /// The bytes of one line of this batch.
    pub fn text(&self, span: &LineSpan) -> &[u8] {
        &self.data[span.start..span.end]
    }
}

/// What the splitter saw of the whole file once it is done.
#[derive(Debug, Clone, Copy)]
pub struct FileDigest {
    pub sha256: Digest32,
    pub bytes: u64,
    /// Number of physical lines (including blank ones).
    pub lines: u64,
}

/// Streams a reader into batches of lines.
pub struct LineSplitter<R> {
    reader: R,
    max_line_bytes: usize,
    block: Vec<u8>,
    block_pos: usize,
    block_len: usize,
    digest: Sha256,
    bytes_read: u64,
    /// Line number and offset of the line being assembled.
    line_no: u64,
    line_offset: u64,
    /// Bytes of the current line already seen while skipping a too-long line.
    skipping: Option<u64>,
    /// Bytes of the current (incomplete) line carried to the next batch.
    carry: Vec<u8>,
    eof: bool,
}

const BLOCK_BYTES: usize = 1 << 20;

impl<R: Read> LineSplitter<R> {
    pub fn new(reader: R, max_line_bytes: usize) -> Self {
        LineSplitter {
            reader,
            max_line_bytes,
            block: vec![0; BLOCK_BYTES],
            block_pos: 0,
            block_len: 0,
            digest: Sha256::new(),
            bytes_read: 0,
            line_no: 1,
            line_offset: 0,
            skipping: None,
            carry: Vec::new(),
            eof: false,
        }
    }

    /// Returns the next batch of about `target_bytes`, or `None` at the end of the file.
    pub fn next_batch(&mut self, target_bytes: usize) -> io::Result<Option<LineBatch>> {
        let mut batch = LineBatch {
            data: Vec::with_capacity(target_bytes + 4096),
            lines: Vec::new(),
        };
        batch.data.append(&mut self.carry);
        loop {
            if batch.data.len() >= target_bytes
                && !batch.lines.is_empty()
                && self.skipping.is_none()
            {
                // Carry the incomplete line over, so batches end on line boundaries.
                let start = self.current_line_start(&batch);
                self.carry = batch.data.split_off(start);
                return Ok(Some(batch));
            }
            if self.block_pos == self.block_len {
                if self.eof {
                    self.finish_last_line(&mut batch);
                    return Ok(if batch.lines.is_empty() {
                        None
                    } else {
                        Some(batch)
                    });
                }
                let n = read_retrying(&mut self.reader, &mut self.block)?;
                if n == 0 {
                    self.eof = true;
                    continue;
                }
                self.digest.update(&self.block[..n]);
                self.bytes_read += n as u64;
                self.block_pos = 0;
                self.block_len = n;
            }
            let available = &self.block[self.block_pos..self.block_len];
            let (segment, newline) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..i], true),
                None => (available, false),
            };
            let consumed = segment.len() + usize::from(newline);
            let line_start = self.current_line_start(&batch);
            if let Some(seen) = self.skipping.as_mut() {
                *seen += segment.len() as u64;
            } else if batch.data.len() - line_start + segment.len() > self.max_line_bytes {
                self.skipping = Some((batch.data.len() - line_start + segment.len()) as u64);
                batch.data.truncate(line_start);
            } else {
                batch.data.extend_from_slice(segment);
            }
            self.block_pos += consumed;
            if newline {
                self.end_line(&mut batch, consumed as u64);
            }
        }
    }

    /// Where the line being assembled starts in the batch buffer.
    fn current_line_start(&self, batch: &LineBatch) -> usize {
        batch
            .lines
            .last()
            .map_or(0, |last| last.end.max(last.start))
    }

    fn end_line(&mut self, batch: &mut LineBatch, _consumed: u64) {
        let start = self.current_line_start(batch);
        let line_bytes;
        if let Some(length) = self.skipping.take() {
            batch.lines.push(LineSpan {
                line_no: self.line_no,
                offset: self.line_offset,
                start,
                end: start,
                too_long: Some(length),
            });
            line_bytes = length;
        } else {
            let mut end = batch.data.len();
            line_bytes = (end - start) as u64;
            if end > start && batch.data[end - 1] == b'\r' {
                end -= 1;
                batch.data.truncate(end);
            }
            if batch.data[start..end].iter().all(u8::is_ascii_whitespace) {
                batch.data.truncate(start); // blank lines are ignored (spec §2)
            } else {
                batch.lines.push(LineSpan {
                    line_no: self.line_no,
                    offset: self.line_offset,
                    start,
                    end,
                    too_long: None,
                });
            }
        }
        self.line_offset += line_bytes + 1;
        self.line_no += 1;
    }

    fn finish_last_line(&mut self, batch: &mut LineBatch) {
        let start = self.current_line_start(batch);
        if self.skipping.is_some() || batch.data.len() > start {
            self.end_line(batch, 0);
            self.line_offset -= 1; // there was no newline
        }
    }

    /// The file's digest, size and line count; call after `next_batch` returned `None`.
    pub fn finish(self) -> FileDigest {
        FileDigest {
            sha256: self.digest.finalize().into(),
            bytes: self.bytes_read,
            lines: self.line_no - 1,
        }
    }
}

fn read_retrying(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Split = (Vec<(u64, u64, String, Option<u64>)>, FileDigest);

    fn split(input: &[u8], max_line: usize, target: usize) -> Split {
        let mut splitter = LineSplitter::new(input, max_line);
        let mut out = Vec::new();
        while let Some(batch) = splitter.next_batch(target).unwrap() {
            for span in &batch.lines {
                out.push((
                    span.line_no,
                    span.offset,
                    String::from_utf8_lossy(batch.text(span)).into_owned(),
                    span.too_long,
                ));
            }
        }
        (out, splitter.finish())
    }

    #[test]
    fn lines_keep_numbers_and_offsets_across_blank_lines_and_crlf() {
        let (lines, digest) = split(b"a\r\n\n  \nbb\ncc", 100, 1);
        assert_eq!(
            lines,
            vec![
                (1, 0, "a".into(), None),
                (4, 7, "bb".into(), None),
                (5, 10, "cc".into(), None)
            ]
        );
        assert_eq!(digest.bytes, 12);
        assert_eq!(digest.lines, 5);
    }

    #[test]
    fn a_line_over_the_limit_is_skipped_and_reported_with_its_length() {
        let (lines, _) = split(b"ok\n0123456789\nfine\n", 5, 1 << 20);
        assert_eq!(
            lines,
            vec![
                (1, 0, "ok".into(), None),
                (2, 3, "".into(), Some(10)),
                (3, 14, "fine".into(), None)
            ]
        );
    }

    #[test]
    fn batch_boundaries_do_not_split_lines() {
        let input: Vec<u8> = (0..1000)
            .flat_map(|i| format!("line{i}\n").into_bytes())
            .collect();
        let (lines, digest) = split(&input, 100, 64);
        assert_eq!(lines.len(), 1000);
        assert_eq!(lines[999].2, "line999");
        assert_eq!(digest.sha256, crate::canonical::sha256(&input));
    }
}
