//! Duplicate event ids in bounded memory, whatever the bundle's size.
//!
//! Every event id is remembered as a 128-bit keyed digest with where it was seen. Up to
//! `RUN_ENTRIES` of them (or `RUN_ID_BYTES` of id text) are kept in memory; past that the
//! batch is sorted and written to an unnamed temporary file (a "run"), and memory starts
//! over. After the last line the runs are merged (a k-way merge over sorted files, one
//! buffered reader each), and every id seen before is a duplicate of its first use.
//!
//! Memory is one batch (about 30 MB) plus a read buffer per run (64 KiB; a run per
//! 500,000 events), not a structure per event: 10,000,000 events make 20 runs of 48
//! bytes an event plus its id, about 0.7 GB of temporary disk, freed when the walk ends.
//! A bundle of fewer than `RUN_ENTRIES` events never touches the disk.
//!
//! The price is that duplicates are known at the end of the walk, not at their line:
//! `finish` hands them back, and the importer marks those events (`checks_ok`) then.
//! When no temporary file can be made, the batch simply keeps growing in memory: the
//! answer is the same, only the memory bound is lost.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// Entries per batch before it is written out as a run.
const RUN_ENTRIES: usize = 500_000;
/// Id text per batch before it is written out (a few huge ids must not grow memory).
const RUN_ID_BYTES: usize = 8 << 20;
/// Fixed part of an entry on disk: key 16, file 4, chain 4, line 8, offset 8, seq 8,
/// id length 4.
const HEAD: usize = 52;

/// Where an id was seen: the line of an event (its file and chain by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Place {
    pub file: u32,
    pub line: u64,
    pub offset: u64,
    pub chain: u32,
    pub seq: u64,
}

/// An id used again: where (`again`), and where it was first used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Duplicate {
    pub id: String,
    pub again: Place,
    pub first: Place,
}

/// One id seen, in a batch: its text lives in the batch's arena.
#[derive(Debug, Clone, Copy)]
struct Seen {
    key: u128,
    place: Place,
    text_at: usize,
    text_len: usize,
}

/// One id seen, as read back from a run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    key: u128,
    place: Place,
    id: Vec<u8>,
}

#[derive(Default)]
pub(crate) struct DuplicateIds {
    batch: Vec<Seen>,
    arena: Vec<u8>,
    runs: Vec<File>,
    /// A temporary file could not be made: everything stays in memory.
    in_memory_only: bool,
    #[cfg(test)]
    run_entries: Option<usize>,
}

impl DuplicateIds {
    /// Remembers that `id` (digest `key`) was used at `place`. Places must come in
    /// walk order (file, then line), so that the first use is the smallest place.
    pub fn push(&mut self, key: u128, id: &str, place: Place) {
        self.batch.push(Seen {
            key,
            place,
            text_at: self.arena.len(),
            text_len: id.len(),
        });
        self.arena.extend_from_slice(id.as_bytes());
        if !self.in_memory_only
            && (self.batch.len() >= self.run_entries() || self.arena.len() >= RUN_ID_BYTES)
            && self.spill().is_err()
        {
            self.in_memory_only = true;
        }
    }

    fn run_entries(&self) -> usize {
        #[cfg(test)]
        if let Some(n) = self.run_entries {
            return n;
        }
        RUN_ENTRIES
    }

    /// Sorts the batch by (key, place) and writes it to a new run.
    fn spill(&mut self) -> std::io::Result<()> {
        let mut file = tempfile::tempfile()?;
        self.sort_batch();
        {
            let mut out = BufWriter::with_capacity(1 << 16, &mut file);
            for seen in &self.batch {
                let text = &self.arena[seen.text_at..seen.text_at + seen.text_len];
                out.write_all(&seen.key.to_le_bytes())?;
                out.write_all(&seen.place.file.to_le_bytes())?;
                out.write_all(&seen.place.chain.to_le_bytes())?;
                out.write_all(&seen.place.line.to_le_bytes())?;
                out.write_all(&seen.place.offset.to_le_bytes())?;
                out.write_all(&seen.place.seq.to_le_bytes())?;
                out.write_all(&(text.len() as u32).to_le_bytes())?;
                out.write_all(text)?;
            }
            out.flush()?;
        }
        file.seek(SeekFrom::Start(0))?;
        self.runs.push(file);
        self.batch.clear();
        self.arena.clear();
        Ok(())
    }

    fn sort_batch(&mut self) {
        self.batch
            .sort_unstable_by_key(|seen| (seen.key, seen.place));
    }

    /// Every id used more than once: one `Duplicate` per use after the first, in walk
    /// order. `Err` when a run cannot be read back (the disk failed under us).
    pub fn finish(mut self) -> std::io::Result<Vec<Duplicate>> {
        let mut found = Vec::new();
        if self.runs.is_empty() {
            self.sort_batch();
            let text = |s: &Seen| &self.arena[s.text_at..s.text_at + s.text_len];
            // Equal keys are adjacent, first use first: every later one repeats it.
            let mut i = 0;
            while i < self.batch.len() {
                let first = self.batch[i];
                let mut j = i + 1;
                while j < self.batch.len() && self.batch[j].key == first.key {
                    found.push(Duplicate {
                        id: String::from_utf8_lossy(text(&self.batch[j])).into_owned(),
                        again: self.batch[j].place,
                        first: first.place,
                    });
                    j += 1;
                }
                i = j;
            }
        } else {
            if !self.batch.is_empty() {
                self.spill()?;
            }
            let mut readers: Vec<BufReader<File>> = self
                .runs
                .drain(..)
                .map(|f| BufReader::with_capacity(1 << 16, f))
                .collect();
            let mut heap = BinaryHeap::new();
            for (i, reader) in readers.iter_mut().enumerate() {
                if let Some(entry) = read_entry(reader)? {
                    heap.push(Reverse((entry, i)));
                }
            }
            let mut first: Option<Entry> = None;
            while let Some(Reverse((entry, i))) = heap.pop() {
                if let Some(next) = read_entry(&mut readers[i])? {
                    heap.push(Reverse((next, i)));
                }
                match &first {
                    Some(f) if f.key == entry.key => found.push(Duplicate {
                        id: String::from_utf8_lossy(&entry.id).into_owned(),
                        again: entry.place,
                        first: f.place,
                    }),
                    _ => first = Some(entry),
                }
            }
        }
        found.sort_by_key(|d| d.again);
        Ok(found)
    }
}

/// The next entry of a run, `None` at its end.
fn read_entry(reader: &mut impl Read) -> std::io::Result<Option<Entry>> {
    let mut head = [0u8; HEAD];
    match reader.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let u32_at = |at: usize| u32::from_le_bytes(head[at..at + 4].try_into().expect("4 bytes"));
    let u64_at = |at: usize| u64::from_le_bytes(head[at..at + 8].try_into().expect("8 bytes"));
    let key = u128::from_le_bytes(head[..16].try_into().expect("16 bytes"));
    let place = Place {
        file: u32_at(16),
        chain: u32_at(20),
        line: u64_at(24),
        offset: u64_at(32),
        seq: u64_at(40),
    };
    let mut id = vec![0; u32_at(48) as usize];
    reader.read_exact(&mut id)?;
    Ok(Some(Entry { key, place, id }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(line: u64) -> Place {
        Place {
            file: (line / 1000) as u32,
            line,
            offset: line * 10,
            chain: 0,
            seq: line,
        }
    }

    /// The ids of `lines` (line n uses `ids[n]`) through a finder with runs of `run`.
    fn duplicates(ids: &[&str], run: Option<usize>) -> Vec<(String, u64, u64)> {
        let mut finder = DuplicateIds {
            run_entries: run,
            ..DuplicateIds::default()
        };
        for (n, id) in ids.iter().enumerate() {
            // A weak key on purpose (its first byte): equal ids have equal keys.
            let key = u128::from(id.as_bytes()[0]) << 64 | id.len() as u128;
            finder.push(key, id, place(n as u64 + 1));
        }
        let spilled = !finder.runs.is_empty();
        assert_eq!(spilled, run.is_some_and(|r| ids.len() >= r), "runs written");
        finder
            .finish()
            .unwrap()
            .into_iter()
            .map(|d| (d.id, d.again.line, d.first.line))
            .collect()
    }

    #[test]
    fn every_reuse_is_named_with_its_first_use_in_memory_and_across_runs() {
        let ids = [
            "a1", "b1", "c1", "a1", "d1", "a1", "b1", "e1", "f1", "c1", "g1",
        ];
        let expected = vec![
            ("a1".to_owned(), 4, 1),
            ("a1".to_owned(), 6, 1),
            ("b1".to_owned(), 7, 2),
            ("c1".to_owned(), 10, 3),
        ];
        assert_eq!(duplicates(&ids, None), expected);
        for run in [1, 2, 3, 5] {
            assert_eq!(duplicates(&ids, Some(run)), expected, "runs of {run}");
        }
        assert_eq!(duplicates(&["x", "y", "z"], Some(1)), vec![]);
    }

    #[test]
    fn a_place_survives_the_round_trip_through_a_run() {
        let mut finder = DuplicateIds {
            run_entries: Some(1),
            ..DuplicateIds::default()
        };
        let first = Place {
            file: 3,
            line: u64::MAX - 1,
            offset: 1 << 40,
            chain: 7,
            seq: 42,
        };
        let again = Place {
            file: 4,
            line: 2,
            offset: 99,
            chain: 1,
            seq: 43,
        };
        finder.push(9, "évt-1", first);
        finder.push(9, "évt-1", again);
        assert_eq!(
            finder.finish().unwrap(),
            vec![Duplicate {
                id: "évt-1".to_owned(),
                again,
                first
            }]
        );
    }
}
