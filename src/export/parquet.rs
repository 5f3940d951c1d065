//! The Parquet export: every event matching a filter, Hive-partitioned by its UTC day
//! (`date=YYYY-MM-DD/part-00000.parquet`, `date=__HIVE_DEFAULT_PARTITION__` for events
//! with no time), for reading with DuckDB, Spark, Trino or Athena. docs/parquet.md
//! describes the columns.
//!
//! The columns are the CSV export's (the event's list view, masked as every output
//! shows it; the same provenance: source, file, its SHA-256, line, chain, seq, verified)
//! plus the record itself. Streamed: events are read oldest first, so a day's events
//! are contiguous and only one file is open at a time, and rows are written in row
//! groups of at most [`ROW_GROUP_ROWS`] rows (or [`ROW_GROUP_BYTES`] of text), so
//! memory does not grow with the export. Written into a temporary folder beside `out`
//! and renamed into place only when complete.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::FileDigests;
use crate::query::EventRow;
use crate::query::view::{Masking, event_view};
use crate::{Error, Result};

/// At most this many rows per row group.
pub const ROW_GROUP_ROWS: usize = 65_536;
/// A row group is also closed once its text and byte columns add up to this many bytes.
pub const ROW_GROUP_BYTES: usize = 32 * 1024 * 1024;

/// The partition of events with no time (Hive's name for a null partition value).
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// BYTE_ARRAY annotated STRING (UTF-8).
    Text,
    /// BYTE_ARRAY without annotation.
    Bytes,
    /// INT64 annotated TIMESTAMP(MILLIS, UTC).
    Timestamp,
    Int64,
    Bool,
}

/// The columns, in order: name, type, required (never null).
const COLUMNS: [(&str, Kind, bool); 25] = [
    ("ts", Kind::Timestamp, false),
    ("actor_id", Kind::Text, false),
    ("actor_name", Kind::Text, false),
    ("actor_type", Kind::Text, false),
    ("action", Kind::Text, false),
    ("category", Kind::Text, false),
    ("target_type", Kind::Text, false),
    ("target_id", Kind::Text, false),
    ("target_name", Kind::Text, false),
    ("outcome", Kind::Text, false),
    ("sentence", Kind::Text, true),
    ("chain", Kind::Text, false),
    ("seq", Kind::Int64, false),
    ("event_id", Kind::Text, false),
    ("verified", Kind::Bool, true),
    ("omitted", Kind::Bool, true),
    ("malformed", Kind::Text, false),
    ("line", Kind::Int64, true),
    ("source", Kind::Text, true),
    ("file", Kind::Text, true),
    ("file_sha256", Kind::Text, false),
    ("raw_sha256", Kind::Text, true),
    ("raw", Kind::Text, false),
    ("raw_bytes", Kind::Bytes, false),
    ("raw_withheld", Kind::Bool, true),
];

/// The Parquet schema of every file of the export (the message type, as text).
pub fn schema_text() -> String {
    let mut schema = String::from("message trailscope_event {\n");
    for (name, kind, required) in COLUMNS {
        let repetition = if required { "required" } else { "optional" };
        let physical = match kind {
            Kind::Text => "binary",
            Kind::Bytes => "binary",
            Kind::Timestamp | Kind::Int64 => "int64",
            Kind::Bool => "boolean",
        };
        let annotation = match kind {
            Kind::Text => " (STRING)",
            Kind::Timestamp => " (TIMESTAMP(MILLIS,true))",
            _ => "",
        };
        schema.push_str(&format!("  {repetition} {physical} {name}{annotation};\n"));
    }
    schema.push('}');
    schema
}

fn parquet_error(error: parquet::errors::ParquetError) -> Error {
    Error::Invalid(format!("cannot write the Parquet export: {error}"))
}

/// One cell of a row.
enum Value {
    Null,
    Bytes(Vec<u8>),
    Int64(i64),
    Bool(bool),
}

fn text(value: Option<String>) -> Value {
    value.map_or(Value::Null, |s| Value::Bytes(s.into_bytes()))
}

/// The partition (the `date=` folder's value) of an event: its UTC day.
pub fn partition_of(ts: Option<i64>) -> String {
    ts.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| NULL_PARTITION.to_owned())
}

/// One row: the event's list view (masked, as the CSV export writes it), its
/// provenance and its record.
fn row_values(row: &EventRow, masking: &Masking, digests: &FileDigests) -> [Value; 25] {
    let view = event_view(row, masking);
    let raw_sha256 = crate::canonical::to_hex(&crate::canonical::sha256(&row.raw));
    // The record as it arrived, unless fields are masked (a foreign record cannot be
    // masked reliably, so it is withheld, as the JSON export does).
    let withheld = !masking.is_empty();
    let (raw, raw_bytes) = if withheld {
        (Value::Null, Value::Null)
    } else {
        match std::str::from_utf8(&row.raw) {
            Ok(_) => (Value::Bytes(row.raw.clone()), Value::Null),
            Err(_) => (Value::Null, Value::Bytes(row.raw.clone())),
        }
    };
    [
        row.ts.map_or(Value::Null, Value::Int64),
        text(view.actor_id),
        text(view.actor_name),
        text(view.actor_type),
        text(view.action),
        text(masking.text("category", &row.category)),
        text(view.target_type),
        text(view.target_id),
        text(view.target_name),
        text(view.outcome),
        Value::Bytes(view.sentence.into_bytes()),
        text(view.chain),
        view.seq.map_or(Value::Null, Value::Int64),
        text(view.id),
        Value::Bool(view.verified),
        Value::Bool(view.omitted),
        text(view.malformed),
        Value::Int64(row.line),
        Value::Bytes(row.source.as_str().as_bytes().to_vec()),
        Value::Bytes(row.file.clone().into_bytes()),
        text(digests.of(row).map(str::to_owned)),
        Value::Bytes(raw_sha256.into_bytes()),
        raw,
        raw_bytes,
        Value::Bool(withheld),
    ]
}

/// A column's values not yet written, and its definition levels (1 present, 0 null).
enum Buffer {
    Bytes(Vec<ByteArray>),
    Int64(Vec<i64>),
    Bool(Vec<bool>),
}

struct Column {
    values: Buffer,
    levels: Vec<i16>,
    required: bool,
}

/// The rows of one row group, column by column.
struct RowGroup {
    columns: Vec<Column>,
    rows: usize,
    bytes: usize,
}

impl RowGroup {
    fn new() -> RowGroup {
        let columns = COLUMNS
            .iter()
            .map(|&(_, kind, required)| Column {
                values: match kind {
                    Kind::Text | Kind::Bytes => Buffer::Bytes(Vec::new()),
                    Kind::Timestamp | Kind::Int64 => Buffer::Int64(Vec::new()),
                    Kind::Bool => Buffer::Bool(Vec::new()),
                },
                levels: Vec::new(),
                required,
            })
            .collect();
        RowGroup {
            columns,
            rows: 0,
            bytes: 0,
        }
    }

    fn push(&mut self, values: [Value; 25]) {
        for (column, value) in self.columns.iter_mut().zip(values) {
            match (&mut column.values, value) {
                (_, Value::Null) => {
                    debug_assert!(!column.required);
                    column.levels.push(0);
                    continue;
                }
                (Buffer::Bytes(values), Value::Bytes(bytes)) => {
                    self.bytes += bytes.len();
                    values.push(ByteArray::from(bytes));
                }
                (Buffer::Int64(values), Value::Int64(n)) => values.push(n),
                (Buffer::Bool(values), Value::Bool(b)) => values.push(b),
                _ => unreachable!("a value of another type than its column"),
            }
            column.levels.push(1);
        }
        self.rows += 1;
    }

    fn is_full(&self) -> bool {
        self.rows >= ROW_GROUP_ROWS || self.bytes >= ROW_GROUP_BYTES
    }

    /// Writes the rows as one row group and empties the buffers.
    fn write_to(&mut self, file: &mut SerializedFileWriter<BufWriter<File>>) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut group = file.next_row_group().map_err(parquet_error)?;
        for column in &mut self.columns {
            let mut writer = group
                .next_column()
                .map_err(parquet_error)?
                .ok_or_else(|| Error::Invalid("the Parquet schema has too few columns".into()))?;
            let levels = (!column.required).then_some(column.levels.as_slice());
            match &mut column.values {
                Buffer::Bytes(values) => {
                    writer
                        .typed::<ByteArrayType>()
                        .write_batch(values, levels, None)
                        .map_err(parquet_error)?;
                    values.clear();
                }
                Buffer::Int64(values) => {
                    writer
                        .typed::<Int64Type>()
                        .write_batch(values, levels, None)
                        .map_err(parquet_error)?;
                    values.clear();
                }
                Buffer::Bool(values) => {
                    writer
                        .typed::<BoolType>()
                        .write_batch(values, levels, None)
                        .map_err(parquet_error)?;
                    values.clear();
                }
            }
            column.levels.clear();
            writer.close().map_err(parquet_error)?;
        }
        group.close().map_err(parquet_error)?;
        self.rows = 0;
        self.bytes = 0;
        Ok(())
    }
}

/// The one file being written: its partition and writer.
struct OpenFile {
    partition: String,
    path: PathBuf,
    writer: SerializedFileWriter<BufWriter<File>>,
}

impl OpenFile {
    fn close(self, rows: &mut RowGroup) -> Result<()> {
        let OpenFile {
            path, mut writer, ..
        } = self;
        rows.write_to(&mut writer)?;
        let file = writer
            .into_inner()
            .map_err(parquet_error)?
            .into_inner()
            .map_err(|e| Error::io(&path, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&path, e))
    }
}

/// Writes the partitioned files into `dir` (which exists and is empty).
fn write_partitions(
    case: &crate::case::Case,
    filter: &crate::query::EventFilter,
    dir: &Path,
) -> Result<u64> {
    let masking = Masking::of_case(case)?;
    let digests = FileDigests::of_case(case)?;
    let schema = Arc::new(
        parquet::schema::parser::parse_message_type(&schema_text()).map_err(parquet_error)?,
    );
    let properties = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("trailscope {}", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    let open = |partition: String, parts: &mut HashMap<String, u32>| -> Result<OpenFile> {
        let folder = dir.join(format!("date={partition}"));
        std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
        // Events come oldest first, so a partition is normally written once; should
        // one come back, it gets a further part rather than overwriting the first.
        let part = parts.entry(partition.clone()).or_insert(0);
        let path = folder.join(format!("part-{:05}.parquet", *part));
        *part += 1;
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        let writer = SerializedFileWriter::new(
            BufWriter::new(file),
            Arc::<Type>::clone(&schema),
            Arc::clone(&properties),
        )
        .map_err(parquet_error)?;
        Ok(OpenFile {
            partition,
            path,
            writer,
        })
    };
    let mut parts: HashMap<String, u32> = HashMap::new();
    let mut current: Option<OpenFile> = None;
    let mut rows = RowGroup::new();
    let mut n = 0u64;
    crate::query::for_each_event(case, filter, |row| {
        let partition = partition_of(row.ts);
        if current.as_ref().is_none_or(|f| f.partition != partition) {
            if let Some(done) = current.take() {
                done.close(&mut rows)?;
            }
            current = Some(open(partition, &mut parts)?);
        }
        rows.push(row_values(&row, &masking, &digests));
        if rows.is_full() {
            let file = current.as_mut().expect("a file is open");
            rows.write_to(&mut file.writer)?;
        }
        n += 1;
        Ok(())
    })?;
    if let Some(done) = current.take() {
        done.close(&mut rows)?;
    }
    Ok(n)
}

/// Exports every event of the case matching `filter` (oldest first), masked, as
/// Hive-partitioned Parquet into the folder `out`, which must not exist or be empty.
/// Written into a temporary folder beside it and renamed into place only when
/// complete, so a failed export never leaves a folder that looks finished. Returns how
/// many events were written.
pub fn export_to_dir(
    case: &crate::case::Case,
    filter: &crate::query::EventFilter,
    out: &Path,
) -> Result<u64> {
    let out_exists = out.exists();
    if out_exists
        && (!out.is_dir()
            || std::fs::read_dir(out)
                .map_err(|e| Error::io(out, e))?
                .next()
                .is_some())
    {
        return Err(Error::Refused {
            path: out.to_owned(),
            reason: "it exists and is not an empty folder; the Parquet export is written to \
                     an empty or new folder"
                .into(),
        });
    }
    let name = out
        .file_name()
        .ok_or_else(|| Error::Invalid(format!("{} is not a folder name", out.display())))?;
    let parent = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut partial_name = std::ffi::OsString::from(".");
    partial_name.push(name);
    partial_name.push(format!(".partial-{}", std::process::id()));
    let partial = parent.join(partial_name);
    let written = (|| {
        std::fs::create_dir(&partial).map_err(|e| Error::io(&partial, e))?;
        let n = write_partitions(case, filter, &partial)?;
        if out_exists {
            // Empty (checked above): replaced by the finished folder.
            std::fs::remove_dir(out).map_err(|e| Error::io(out, e))?;
        }
        std::fs::rename(&partial, out).map_err(|e| Error::io(out, e))?;
        Ok(n)
    })();
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&partial);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_parses_with_every_column() {
        let schema = parquet::schema::parser::parse_message_type(&schema_text()).unwrap();
        assert_eq!(schema.get_fields().len(), COLUMNS.len());
    }

    /// A synthetic row: every required column set, the optional ones null but `seq`.
    fn synthetic(n: i64) -> [Value; 25] {
        std::array::from_fn(|i| match COLUMNS[i] {
            ("seq", ..) => Value::Int64(n),
            (_, _, false) => Value::Null,
            (_, Kind::Bool, true) => Value::Bool(n % 2 == 0),
            (_, Kind::Int64, true) => Value::Int64(n),
            (_, _, true) => Value::Bytes(format!("row {n}").into_bytes()),
        })
    }

    #[test]
    fn row_groups_are_bounded_and_read_back_in_order() {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        use parquet::record::RowAccessor;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part-00000.parquet");
        let schema = Arc::new(parquet::schema::parser::parse_message_type(&schema_text()).unwrap());
        let file = File::create(&path).unwrap();
        let mut writer = SerializedFileWriter::new(
            BufWriter::new(file),
            schema,
            Arc::new(WriterProperties::builder().build()),
        )
        .unwrap();
        let mut rows = RowGroup::new();
        let total = ROW_GROUP_ROWS as i64 + 10;
        for n in 0..total {
            rows.push(synthetic(n));
            if rows.is_full() {
                rows.write_to(&mut writer).unwrap();
            }
        }
        rows.write_to(&mut writer).unwrap();
        writer.close().unwrap();

        let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
        let groups: Vec<i64> = reader
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect();
        assert_eq!(groups, [ROW_GROUP_ROWS as i64, 10]);
        let seq = COLUMNS.iter().position(|c| c.0 == "seq").unwrap();
        let seqs: Vec<i64> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|row| row.unwrap().get_long(seq).unwrap())
            .collect();
        assert_eq!(seqs, (0..total).collect::<Vec<_>>());
    }

    #[test]
    fn partitions_are_utc_days() {
        assert_eq!(partition_of(Some(0)), "1970-01-01");
        assert_eq!(partition_of(Some(1_700_000_000_000)), "2023-11-14");
        assert_eq!(partition_of(None), NULL_PARTITION);
    }
}
