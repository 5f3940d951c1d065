//! The records a case holds, compressed.
//!
//! A case keeps every record byte-exact (`event.raw`). Most of a case's size was those
//! bytes (at 1,000,000 events, 765 MB of a 1,147 MB case), and writing them was much
//! of an import's time. Each import now trains a zstd dictionary on its first
//! [`TRAIN_ROWS`] records (`raw_dictionary`) and compresses every later record with it,
//! one record at a time, so that a row is still read alone: a page of the table reads
//! its 200 rows, never a block of their neighbours.
//!
//! `event.raw_codec` says how a row's `raw` is stored: NULL, the record as it arrived
//! (the rows an import read before its dictionary, rows of cases imported before
//! compression, and records that do not get smaller); else the `raw_dictionary` it was
//! compressed with. Every reader asks SQL for `trailscope_raw(raw, raw_codec)`, which
//! gives the bytes as they arrived, so the code above this module never sees the
//! stored form. A stored form that does not decompress (the case file was altered) is
//! an error naming the row's dictionary, never other bytes.

use std::borrow::Cow;
use std::collections::HashMap;

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use super::table;
use crate::{Error, Result};

/// Records an import reads before it trains its dictionary (they are stored as they
/// arrived). About 1.5 MB of our own events: enough for a dictionary that compresses
/// the rest 3.4 times, where each record alone compresses 1.5 times.
pub(crate) const TRAIN_ROWS: usize = 2_000;
/// Training stops waiting for rows once it holds this many bytes of records.
const TRAIN_BYTES: usize = 4 << 20;
/// The dictionary's size (zstd's own advice: about 100 times smaller than the samples).
const DICTIONARY_BYTES: usize = 16 << 10;
/// zstd's fastest standard level: an import is bound by the CPU.
const LEVEL: i32 = 1;
/// A stored record never decompresses to more than this (a damaged or hostile case
/// cannot make a reader allocate more): the longest line any source reads, with room.
const MAX_RECORD_BYTES: u64 = 1 << 30;

/// Compresses the records of one import, as the import hands them over.
pub(crate) struct RawPacker {
    state: PackerState,
}

enum PackerState {
    /// Gathering the first records to train on: their bytes, one after another.
    Sampling { bytes: Vec<u8>, sizes: Vec<usize> },
    /// Compressing with the dictionary stored as `dictionary_idx`.
    Packing {
        dictionary_idx: i64,
        compressor: Box<zstd::bulk::Compressor<'static>>,
    },
    /// Training failed (too few or too alike records): records are kept as they arrived.
    Plain,
}

impl RawPacker {
    pub(crate) fn new() -> RawPacker {
        RawPacker {
            state: PackerState::Sampling {
                bytes: Vec::new(),
                sizes: Vec::new(),
            },
        }
    }

    /// What to store for one record: its bytes, and the dictionary they are compressed
    /// with (`None`: as they arrived).
    pub(crate) fn pack<'r>(
        &mut self,
        connection: &Connection,
        raw: &'r [u8],
    ) -> Result<(Cow<'r, [u8]>, Option<i64>)> {
        match &mut self.state {
            PackerState::Packing {
                dictionary_idx,
                compressor,
            } => {
                let packed = compressor
                    .compress(raw)
                    .map_err(|e| Error::Invalid(format!("compressing a record: {e}")))?;
                Ok(if packed.len() < raw.len() {
                    (Cow::Owned(packed), Some(*dictionary_idx))
                } else {
                    (Cow::Borrowed(raw), None)
                })
            }
            PackerState::Sampling { bytes, sizes } => {
                bytes.extend_from_slice(raw);
                sizes.push(raw.len());
                if sizes.len() >= TRAIN_ROWS || bytes.len() >= TRAIN_BYTES {
                    self.train(connection)?;
                }
                Ok((Cow::Borrowed(raw), None))
            }
            PackerState::Plain => Ok((Cow::Borrowed(raw), None)),
        }
    }

    fn train(&mut self, connection: &Connection) -> Result<()> {
        let PackerState::Sampling { bytes, sizes } = &self.state else {
            return Ok(());
        };
        let Some((dictionary, compressor)) = train(bytes, sizes) else {
            self.state = PackerState::Plain;
            return Ok(());
        };
        self.state = PackerState::Packing {
            dictionary_idx: table::raw_dictionary::insert(connection, &dictionary)?,
            compressor: Box::new(compressor),
        };
        Ok(())
    }
}

/// A dictionary trained on `samples` (records one after another, of `sizes`), and a
/// compressor using it. zstd refuses to train on too little or too uniform input: the
/// records are then kept as they arrived, which is always correct.
fn train(samples: &[u8], sizes: &[usize]) -> Option<(Vec<u8>, zstd::bulk::Compressor<'static>)> {
    let dictionary = zstd::dict::from_continuous(samples, sizes, DICTIONARY_BYTES).ok()?;
    let mut compressor = zstd::bulk::Compressor::with_dictionary(LEVEL, &dictionary).ok()?;
    // Each record carries a checksum of its bytes (4 more bytes): a stored form altered
    // in the case file fails to decompress instead of giving other bytes.
    compressor
        .set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(true))
        .ok()?;
    Some((dictionary, compressor))
}

/// Registers `trailscope_raw(raw, raw_codec)`, a row's record as it arrived (an error
/// when its stored form does not decompress), and `trailscope_raw_or_null(raw,
/// raw_codec)`, the same but NULL for such a row, for `reverify`, which reports it and
/// goes on to the next row.
pub(crate) fn register(connection: &Connection) -> Result<()> {
    for (name, null_when_damaged) in [("trailscope_raw", false), ("trailscope_raw_or_null", true)] {
        let reader = std::sync::Mutex::new(RecordReader::default());
        connection.create_scalar_function(
            name,
            2,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            move |context| {
                let stored = context.get_raw(0).as_bytes_or_null()?.unwrap_or_default();
                let Some(dictionary_idx) = context.get::<Option<i64>>(1)? else {
                    return Ok(Some(stored.to_vec()));
                };
                let mut reader = reader.lock().unwrap_or_else(|p| p.into_inner());
                match reader.read(context, stored, dictionary_idx) {
                    Ok(record) => Ok(Some(record)),
                    Err(_) if null_when_damaged => Ok(None),
                    Err(e) => Err(rusqlite::Error::UserFunctionError(e.into())),
                }
            },
        )?;
    }
    Ok(())
}

/// Reads compressed records for one SQL function of one connection: the dictionaries
/// seen, and one decompression context reused for every row (making one per row took
/// longer than the decompression itself).
#[derive(Default)]
struct RecordReader {
    dictionaries: HashMap<i64, Dictionary>,
    zstd_context: zstd::zstd_safe::DCtx<'static>,
}

impl RecordReader {
    fn read(
        &mut self,
        context: &rusqlite::functions::Context<'_>,
        stored: &[u8],
        dictionary_idx: i64,
    ) -> Result<Vec<u8>> {
        let frame_id = zstd::zstd_safe::get_dict_id_from_frame(stored);
        // A dictionary is loaded once per connection; one of the same number written
        // since (an import rolled back, another committed) has another id.
        let fresh = self
            .dictionaries
            .get(&dictionary_idx)
            .is_some_and(|d| Some(d.id) == frame_id);
        if !fresh {
            // SAFETY: the connection outlives this call, and the query below only reads
            // (SQLite allows a function to run statements on its own connection).
            let connection = unsafe { context.get_connection()? };
            let bytes = table::raw_dictionary::bytes_of(&connection, dictionary_idx)?;
            self.dictionaries
                .insert(dictionary_idx, Dictionary::new(dictionary_idx, bytes)?);
        }
        unpack(
            stored,
            &self.dictionaries[&dictionary_idx],
            &mut self.zstd_context,
        )
    }
}

struct Dictionary {
    id: std::num::NonZeroU32,
    prepared: zstd::dict::DecoderDictionary<'static>,
}

impl Dictionary {
    fn new(dictionary_idx: i64, bytes: Option<Vec<u8>>) -> Result<Dictionary> {
        let bytes = bytes.ok_or_else(|| {
                Error::Invalid(format!(
                    "a stored record names dictionary {dictionary_idx}, which the case does not hold: the case file was altered"
                ))
            })?;
        let altered = || {
            Error::Invalid(format!(
                "record dictionary {dictionary_idx} is not a zstd dictionary: the case file was altered"
            ))
        };
        let id = zstd::zstd_safe::get_dict_id(&bytes).ok_or_else(altered)?;
        let prepared = zstd::dict::DecoderDictionary::try_copy(&bytes).map_err(|_| altered())?;
        Ok(Dictionary { id, prepared })
    }
}

fn unpack(
    stored: &[u8],
    dictionary: &Dictionary,
    context: &mut zstd::zstd_safe::DCtx<'static>,
) -> Result<Vec<u8>> {
    let damaged = |why: String| {
        Error::Invalid(format!(
            "a stored record does not decompress ({why}): the case file was altered"
        ))
    };
    let size = match zstd::zstd_safe::get_frame_content_size(stored) {
        Ok(Some(size)) if size <= MAX_RECORD_BYTES => size as usize,
        Ok(Some(size)) => return Err(damaged(format!("it claims {size} bytes"))),
        Ok(None) | Err(_) => return Err(damaged("no size in its header".into())),
    };
    let mut record = Vec::with_capacity(size);
    context
        .decompress_using_ddict(&mut record, stored, dictionary.prepared.as_ddict())
        .map_err(|code| damaged(zstd::zstd_safe::get_error_name(code).to_owned()))?;
    if record.len() != size {
        return Err(damaged(format!(
            "{} bytes where its header says {size}",
            record.len()
        )));
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(i: usize) -> Vec<u8> {
        format!(
            r#"{{"action":"order.updated","actor":{{"id":"u_{:03}","name":"Maria López"}},"id":"evt_{i:016x}","seq":{i},"target":{{"id":"ord_{}","type":"Order"}}}}"#,
            i % 37,
            i * 7919 % 100_003
        )
        .into_bytes()
    }

    /// Records as they arrived, each with its stored form.
    type Packed = Vec<(Vec<u8>, Vec<u8>)>;

    /// A dictionary trained on `TRAIN_ROWS` records, and what it makes of the next ones.
    fn trained() -> (Dictionary, Packed) {
        let samples: Vec<Vec<u8>> = (0..TRAIN_ROWS).map(record).collect();
        let sizes: Vec<usize> = samples.iter().map(Vec::len).collect();
        let (bytes, mut compressor) = train(&samples.concat(), &sizes).expect("trains");
        let packed = (TRAIN_ROWS..TRAIN_ROWS + 500)
            .map(|i| (record(i), compressor.compress(&record(i)).unwrap()))
            .collect();
        (Dictionary::new(7, Some(bytes)).unwrap(), packed)
    }

    #[test]
    fn records_read_back_exactly_and_smaller() {
        let (dictionary, packed) = trained();
        let (stored, original): (usize, usize) = packed
            .iter()
            .map(|(raw, stored)| (stored.len(), raw.len()))
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
        assert!(stored * 2 < original, "{stored} of {original} bytes");
        for (raw, stored) in &packed {
            assert_eq!(
                &unpack(stored, &dictionary, &mut zstd::zstd_safe::DCtx::create()).unwrap(),
                raw
            );
        }
    }

    #[test]
    fn an_altered_stored_record_or_a_missing_dictionary_is_an_error_not_other_bytes() {
        let (dictionary, packed) = trained();
        let mut altered = packed[0].1.clone();
        let middle = altered.len() / 2;
        altered[middle] ^= 0x55;
        let error = unpack(&altered, &dictionary, &mut zstd::zstd_safe::DCtx::create())
            .unwrap_err()
            .to_string();
        assert!(error.contains("the case file was altered"), "{error}");
        let error = unpack(
            &altered[..4],
            &dictionary,
            &mut zstd::zstd_safe::DCtx::create(),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("the case file was altered"), "{error}");
        let error = Dictionary::new(3, None).err().unwrap().to_string();
        assert!(error.contains("does not hold"), "{error}");
        let error = Dictionary::new(3, Some(b"not a dictionary".to_vec()))
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("not a zstd dictionary"), "{error}");
    }

    #[test]
    fn a_record_that_would_not_get_smaller_is_kept_as_it_arrived() {
        let temp = tempfile::tempdir().unwrap();
        let case = crate::case::Case::open(&temp.path().join("c.case")).unwrap();
        let mut packer = RawPacker::new();
        for i in 0..TRAIN_ROWS {
            let raw = record(i);
            let (stored, codec) = packer.pack(case.connection(), &raw).unwrap();
            assert_eq!((&*stored, codec), (&raw[..], None), "before the dictionary");
        }
        let raw = record(TRAIN_ROWS);
        let (stored, codec) = packer.pack(case.connection(), &raw).unwrap();
        assert!(codec.is_some() && stored.len() < raw.len());
        let (stored, codec) = packer.pack(case.connection(), b"{}").unwrap();
        assert_eq!((&*stored, codec), (&b"{}"[..], None));
    }
}
