//! The column index: every row's facet values as codes and its time, kept in chunks of
//! 65,536 rows, one blob per column (`table::column`), so that counting, grouping and
//! choosing the newest matching rows reads a few bytes a row in Rust instead of every
//! row of the `event` table (whose rows carry the record itself: at 10,000,000 events,
//! grouping by action read 12 GB and took 9–12 s).
//!
//! - **Written by the import**, in its transaction, from the codes the facet dictionary
//!   gives each row (`table::facet::FacetTally`): about 20 bytes a row, a full chunk
//!   written as it fills, the last one rewritten when the import ends. Cases imported
//!   before schema 10 are coded when the migration runs (`catch_up`).
//! - **Read by `query::events`** when a filter uses only what the index holds (actors
//!   and their types, action or an action prefix, category, record type, outcome,
//!   channel, IP, batch, rule, time range, and text once the text index is complete);
//!   any other filter is answered by SQL, as before. A chunk's time range lets a page
//!   skip chunks that cannot hold its rows.
//! - A code is a value's number in `facet_count` (per facet, from 0); a row's code
//!   width in a chunk is 1, 2 or 4 bytes, as its largest code needs; times are kept as
//!   offsets from the chunk's earliest time (4 bytes when they fit, else 8).

use std::collections::{BinaryHeap, HashMap};

use rusqlite::Connection;

use super::UNKNOWN_TS;
use super::table::column::{self, ChunkSpan};
use super::table::event::{Cursor, EventFilter, FacetBy, FacetCount, Order};
use super::table::facet::{self, CODED, Codes, FacetTally};
use crate::{Error, Result};

/// Rows per chunk.
pub(crate) const CHUNK_ROWS: i64 = 65_536;

/// A row's kind in the `kind` column.
const ABSENT: u8 = 0;
const EVENT: u8 = 1;
const STUB: u8 = 2;

/// The name of the derived index in `derived_index`.
const INDEX: &str = "columns";

fn place(event_idx: i64) -> (i64, usize) {
    let position = event_idx - 1;
    (
        position.div_euclid(CHUNK_ROWS),
        position.rem_euclid(CHUNK_ROWS) as usize,
    )
}

fn chunk_rows(chunk: i64) -> (i64, i64) {
    (chunk * CHUNK_ROWS + 1, (chunk + 1) * CHUNK_ROWS)
}

// ---- The blobs ----

fn encode_codes(codes: &[u32]) -> Vec<u8> {
    let max = codes.iter().copied().max().unwrap_or(0);
    let width: usize = if max <= u8::MAX as u32 {
        1
    } else if max <= u16::MAX as u32 {
        2
    } else {
        4
    };
    let mut data = Vec::with_capacity(1 + codes.len() * width);
    data.push(width as u8);
    for code in codes {
        data.extend_from_slice(&code.to_le_bytes()[..width]);
    }
    data
}

fn corrupt(what: &str) -> Error {
    Error::Invalid(format!(
        "the case's column index is damaged ({what}); it is derived from the rows and can be rebuilt"
    ))
}

fn decode_codes(data: &[u8], out: &mut Vec<u32>) -> Result<()> {
    out.clear();
    let (&width, body) = data
        .split_first()
        .ok_or_else(|| corrupt("an empty column"))?;
    let width = width as usize;
    if !matches!(width, 1 | 2 | 4) || !body.len().is_multiple_of(width) {
        return Err(corrupt("a column of unknown width"));
    }
    match width {
        1 => out.extend(body.iter().map(|&b| b as u32)),
        2 => out.extend(
            body.chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]) as u32),
        ),
        _ => out.extend(
            body.chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        ),
    }
    Ok(())
}

/// Times as offsets from the earliest known one; the largest offset of the width
/// stands for an unknown time.
fn encode_ts(ts: &[i64]) -> Vec<u8> {
    let known = ts.iter().copied().filter(|&t| t != UNKNOWN_TS);
    let base = known.clone().min().unwrap_or(0);
    let span = known.max().map_or(0, |max| max.wrapping_sub(base) as u64);
    let width: usize = if span < u32::MAX as u64 { 4 } else { 8 };
    let mut data = Vec::with_capacity(9 + ts.len() * width);
    data.push(width as u8);
    data.extend_from_slice(&base.to_le_bytes());
    for &t in ts {
        let offset = if t == UNKNOWN_TS {
            u64::MAX
        } else {
            t.wrapping_sub(base) as u64
        };
        data.extend_from_slice(&offset.to_le_bytes()[..width]);
    }
    data
}

fn decode_ts(data: &[u8], out: &mut Vec<i64>) -> Result<()> {
    out.clear();
    if data.len() < 9 {
        return Err(corrupt("a short time column"));
    }
    let width = data[0] as usize;
    let base = i64::from_le_bytes(data[1..9].try_into().expect("8 bytes"));
    let body = &data[9..];
    if !matches!(width, 4 | 8) || !body.len().is_multiple_of(width) {
        return Err(corrupt("a time column of unknown width"));
    }
    if width == 4 {
        out.extend(body.chunks_exact(4).map(|b| {
            let offset = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            if offset == u32::MAX {
                UNKNOWN_TS
            } else {
                base.wrapping_add(offset as i64)
            }
        }));
    } else {
        out.extend(body.chunks_exact(8).map(|b| {
            let offset = u64::from_le_bytes(b.try_into().expect("8 bytes"));
            if offset == u64::MAX {
                UNKNOWN_TS
            } else {
                base.wrapping_add(offset as i64)
            }
        }));
    }
    Ok(())
}

// ---- Writing ----

/// Appends rows to the column index, a chunk at a time.
pub(crate) struct ColumnWriter {
    chunk: i64,
    kinds: Vec<u8>,
    ts: Vec<i64>,
    codes: Vec<Vec<u32>>,
    /// The row the next push should be.
    next_idx: i64,
}

impl ColumnWriter {
    /// Continues after the last row the index holds (reading back its partial chunk).
    pub(crate) fn open(connection: &Connection) -> Result<ColumnWriter> {
        let through = column::through(connection, INDEX)?;
        let (chunk, filled) = place(through + 1);
        let mut writer = ColumnWriter {
            chunk,
            kinds: Vec::with_capacity(CHUNK_ROWS as usize),
            ts: Vec::with_capacity(CHUNK_ROWS as usize),
            codes: vec![Vec::with_capacity(CHUNK_ROWS as usize); CODED.len()],
            next_idx: through + 1,
        };
        if filled > 0 {
            let read = |name: &str| {
                column::get(connection, name, chunk)?.ok_or_else(|| corrupt("a missing chunk"))
            };
            writer.kinds = read("kind")?;
            decode_ts(&read("ts")?, &mut writer.ts)?;
            for (i, name) in CODED.iter().enumerate() {
                decode_codes(&read(name)?, &mut writer.codes[i])?;
            }
            if writer.kinds.len() != filled
                || writer.ts.len() != filled
                || writer.codes.iter().any(|c| c.len() != filled)
            {
                return Err(corrupt("a chunk shorter than its rows"));
            }
        }
        Ok(writer)
    }

    /// Adds the row `event_idx` (rows the index skipped are marked absent).
    pub(crate) fn push(
        &mut self,
        connection: &Connection,
        event_idx: i64,
        ts: i64,
        stub: bool,
        codes: &Codes,
    ) -> Result<()> {
        if event_idx < self.next_idx {
            return Err(corrupt("rows added out of order"));
        }
        while self.next_idx < event_idx {
            self.append(connection, ABSENT, UNKNOWN_TS, &[0; CODED.len()])?;
        }
        self.append(connection, if stub { STUB } else { EVENT }, ts, codes)
    }

    fn append(&mut self, connection: &Connection, kind: u8, ts: i64, codes: &Codes) -> Result<()> {
        self.kinds.push(kind);
        self.ts.push(ts);
        for (column, code) in self.codes.iter_mut().zip(codes) {
            column.push(*code);
        }
        self.next_idx += 1;
        if self.kinds.len() == CHUNK_ROWS as usize {
            self.flush(connection)?;
            self.chunk += 1;
            self.kinds.clear();
            self.ts.clear();
            self.codes.iter_mut().for_each(Vec::clear);
        }
        Ok(())
    }

    fn flush(&self, connection: &Connection) -> Result<()> {
        if self.kinds.is_empty() {
            return Ok(());
        }
        column::put(connection, "kind", self.chunk, &self.kinds)?;
        column::put(connection, "ts", self.chunk, &encode_ts(&self.ts))?;
        for (name, codes) in CODED.iter().zip(&self.codes) {
            column::put(connection, name, self.chunk, &encode_codes(codes))?;
        }
        let present = || {
            self.kinds
                .iter()
                .zip(&self.ts)
                .filter(|(kind, _)| **kind != ABSENT)
                .map(|(_, ts)| *ts)
        };
        let span = ChunkSpan {
            chunk: self.chunk,
            min_ts: present().min().unwrap_or(UNKNOWN_TS),
            max_ts: present().max().unwrap_or(UNKNOWN_TS),
        };
        column::put_span(connection, span, self.kinds.len() as i64)
    }

    /// Writes the last, partial chunk and records how far the index has got.
    pub(crate) fn finish(self, connection: &Connection) -> Result<()> {
        self.flush(connection)?;
        column::set_through(connection, INDEX, self.next_idx - 1)
    }
}

/// Codes the rows the index does not hold yet (a case imported before it existed).
pub(crate) fn catch_up(connection: &Connection) -> Result<()> {
    let through = column::through(connection, INDEX)?;
    if through >= column::last_event_idx(connection)? {
        return Ok(());
    }
    let mut tally = FacetTally::load(connection)?;
    let mut writer = ColumnWriter::open(connection)?;
    column::for_each_row_after(connection, through, |event_idx, ts, omitted, fields| {
        let codes = tally.code(fields, false);
        writer.push(connection, event_idx, ts, omitted, &codes)
    })?;
    writer.finish(connection)?;
    tally.store(connection)
}

// ---- Reading ----

/// Up to this many rows matching a text are listed once, not asked for chunk by chunk.
const FEW_TEXT_ROWS: usize = 5_000;

/// A filter as the column index answers it.
#[derive(Debug)]
pub(crate) struct Plan {
    /// Per coded column, which codes pass.
    columns: Vec<(usize, Vec<bool>)>,
    since: Option<i64>,
    until: Option<i64>,
    /// The text index's query (`text_index::query`).
    text: Option<String>,
    /// Every row the text matches, in order, when they are few (`FEW_TEXT_ROWS`): then
    /// only their chunks are read, without asking the text index chunk by chunk.
    text_rows: Option<Vec<i64>>,
    /// No row can match (a value the case does not hold).
    nothing: bool,
}

/// The plan for `filter`, or `None` when the index cannot answer it (a filter on what
/// it does not hold, or an index not up to date) and SQL must.
pub(crate) fn plan(connection: &Connection, filter: &EventFilter) -> Result<Option<Plan>> {
    let unsupported = filter.target_id.is_some()
        || filter.file.is_some()
        || filter.request.is_some()
        || filter.starred
        || filter.has_note
        || !filter.tags.is_empty();
    if unsupported {
        return Ok(None);
    }
    let last = column::last_event_idx(connection)?;
    if column::through(connection, INDEX)? < last {
        return Ok(None);
    }
    let text = match &filter.text {
        None => None,
        Some(text) => match super::text_index::query(connection, text, last)? {
            Some(query) => Some(query),
            None => return Ok(None),
        },
    };
    let text_rows = match &text {
        Some(query) => {
            let rows = super::text_index::first_matches(connection, query, FEW_TEXT_ROWS + 1)?;
            (rows.len() <= FEW_TEXT_ROWS).then_some(rows)
        }
        None => None,
    };
    let mut plan = Plan {
        columns: Vec::new(),
        since: filter.since,
        until: filter.until,
        nothing: text_rows.as_ref().is_some_and(Vec::is_empty),
        text,
        text_rows,
    };
    let column_of = |by: FacetBy| facet::coded_column(by).expect("a coded facet");
    // Per coded column, the values wanted: one value, or a range [low, high).
    type Wanted = Vec<(String, Option<String>)>;
    let mut wanted: Vec<(usize, Wanted)> = Vec::new();
    if !filter.actors.is_empty() {
        let values = filter.actors.iter().map(|a| (a.clone(), None)).collect();
        wanted.push((column_of(FacetBy::Actor), values));
    }
    if !filter.actor_types.is_empty() {
        let actor_type = CODED.len() - 1;
        let values = filter
            .actor_types
            .iter()
            .map(|a| (a.clone(), None))
            .collect();
        wanted.push((actor_type, values));
    }
    if let Some(action) = &filter.action {
        let value = match action.strip_suffix('*') {
            Some(prefix) => (prefix.to_owned(), Some(format!("{prefix}\u{10FFFF}"))),
            None => (action.clone(), None),
        };
        wanted.push((column_of(FacetBy::Action), vec![value]));
    }
    let exact = [
        (FacetBy::Category, &filter.category),
        (FacetBy::TargetType, &filter.target_type),
        (FacetBy::Outcome, &filter.outcome),
        (FacetBy::Channel, &filter.channel),
        (FacetBy::Ip, &filter.ip),
        (FacetBy::Batch, &filter.batch),
        (FacetBy::Rule, &filter.rule),
    ];
    for (by, value) in exact {
        if let Some(value) = value {
            wanted.push((column_of(by), vec![(value.clone(), None)]));
        }
    }
    for (column, values) in wanted {
        let mut allowed = vec![false; facet::code_count(connection, column)?];
        let mut any = false;
        for (value, below) in values {
            for code in facet::codes_of(connection, column, &value, below.as_deref())? {
                if let Some(slot) = allowed.get_mut(code as usize) {
                    *slot = true;
                    any = true;
                }
            }
        }
        plan.nothing |= !any;
        plan.columns.push((column, allowed));
    }
    Ok(Some(plan))
}

impl Plan {
    /// Where the listed text rows from `first` to `last` are in `text_rows`.
    fn rows_in(&self, first: i64, last: i64) -> std::ops::Range<usize> {
        let rows = self.text_rows.as_deref().unwrap_or_default();
        rows.partition_point(|idx| *idx < first)..rows.partition_point(|idx| *idx <= last)
    }

    /// Whether chunk `chunk` cannot hold a matching row (the text's few rows are elsewhere).
    fn skips(&self, chunk: i64) -> bool {
        let (first, last) = chunk_rows(chunk);
        self.text_rows.is_some() && self.rows_in(first, last).is_empty()
    }
}

/// One chunk's rows as a plan sees them.
#[derive(Default)]
struct Chunk {
    kinds: Vec<u8>,
    ts: Vec<i64>,
    codes: Vec<u32>,
    /// The rows that match.
    mask: Vec<bool>,
}

impl Chunk {
    /// Loads chunk `chunk` and marks its rows that match `plan` (stubs too, unless
    /// `events_only`); reads the times when `with_ts` or the plan needs them, and the
    /// codes of `column` into `codes` when given.
    fn load(
        &mut self,
        connection: &Connection,
        plan: &Plan,
        chunk: i64,
        events_only: bool,
        with_ts: bool,
        column: Option<usize>,
    ) -> Result<bool> {
        let Some(kinds) = column::get(connection, "kind", chunk)? else {
            return Ok(false);
        };
        self.kinds = kinds;
        self.mask.clear();
        self.mask.extend(self.kinds.iter().map(|&kind| {
            if events_only {
                kind == EVENT
            } else {
                kind != ABSENT
            }
        }));
        let mut any = self.mask.iter().any(|m| *m);
        for (column, allowed) in &plan.columns {
            if !any {
                break;
            }
            self.read_codes(connection, *column, chunk)?;
            for (m, code) in self.mask.iter_mut().zip(&self.codes) {
                *m = *m && allowed.get(*code as usize).copied().unwrap_or(false);
            }
            any = self.mask.iter().any(|m| *m);
        }
        let needs_ts = with_ts || plan.since.is_some() || plan.until.is_some();
        if needs_ts {
            let data = column::get(connection, "ts", chunk)?
                .ok_or_else(|| corrupt("a missing time chunk"))?;
            decode_ts(&data, &mut self.ts)?;
            if self.ts.len() != self.kinds.len() {
                return Err(corrupt("a time chunk of the wrong length"));
            }
            let (since, until) = (plan.since.unwrap_or(i64::MIN), plan.until);
            for (m, ts) in self.mask.iter_mut().zip(&self.ts) {
                *m = *m && *ts >= since && until.is_none_or(|until| *ts < until);
            }
            any = self.mask.iter().any(|m| *m);
        }
        if let (Some(text), true) = (&plan.text, any) {
            let (first, last) = chunk_rows(chunk);
            let mut matched = vec![false; self.mask.len()];
            let mut mark = |event_idx: i64| {
                if let Some(slot) = matched.get_mut((event_idx - first) as usize) {
                    *slot = true;
                }
            };
            match &plan.text_rows {
                Some(rows) => rows[plan.rows_in(first, last)]
                    .iter()
                    .for_each(|idx| mark(*idx)),
                None => super::text_index::for_each_match(connection, text, first, last, mark)?,
            }
            for (m, hit) in self.mask.iter_mut().zip(matched) {
                *m = *m && hit;
            }
        }
        if let Some(column) = column {
            self.read_codes(connection, column, chunk)?;
        }
        Ok(true)
    }

    fn read_codes(&mut self, connection: &Connection, column: usize, chunk: i64) -> Result<()> {
        let data = column::get(connection, CODED[column], chunk)?
            .ok_or_else(|| corrupt("a missing code chunk"))?;
        decode_codes(&data, &mut self.codes)?;
        if self.codes.len() != self.kinds.len() {
            return Err(corrupt("a code chunk of the wrong length"));
        }
        Ok(())
    }
}

/// Calls `each(chunk, &Chunk)` for every chunk, after marking its matching rows.
fn for_each_chunk(
    connection: &Connection,
    plan: &Plan,
    events_only: bool,
    with_ts: bool,
    column: Option<usize>,
    mut each: impl FnMut(i64, &Chunk),
) -> Result<()> {
    if plan.nothing {
        return Ok(());
    }
    let mut data = Chunk::default();
    for span in column::spans(connection)? {
        if plan.skips(span.chunk) {
            continue;
        }
        if data.load(connection, plan, span.chunk, events_only, with_ts, column)? {
            each(span.chunk, &data);
        }
    }
    Ok(())
}

/// How many events match (stubs aside).
pub(crate) fn count(connection: &Connection, plan: &Plan) -> Result<u64> {
    if plan.nothing {
        return Ok(0);
    }
    if let (Some(text), true, None, None) =
        (&plan.text, plan.columns.is_empty(), plan.since, plan.until)
    {
        // The text index holds no stub: it counts by itself.
        return super::text_index::count(connection, text);
    }
    let mut n = 0u64;
    for_each_chunk(connection, plan, true, false, None, |_, chunk| {
        n += chunk.mask.iter().filter(|m| **m).count() as u64;
    })?;
    Ok(n)
}

/// The matching events (stubs aside) counted by one facet, largest first (days in order).
pub(crate) fn facet(connection: &Connection, plan: &Plan, by: FacetBy) -> Result<Vec<FacetCount>> {
    let Some(column) = facet::coded_column(by) else {
        // Days, from the times.
        let mut days: HashMap<Option<i64>, i64> = HashMap::new();
        for_each_chunk(connection, plan, true, true, None, |_, chunk| {
            for (m, ts) in chunk.mask.iter().zip(&chunk.ts) {
                if *m {
                    let day = (*ts != UNKNOWN_TS).then(|| (ts / 1000).div_euclid(86_400));
                    *days.entry(day).or_default() += 1;
                }
            }
        })?;
        let known: Vec<i64> = days.keys().flatten().copied().collect();
        let names = facet::day_names(connection, &known)?;
        let mut counts: Vec<FacetCount> = known
            .iter()
            .zip(names)
            .map(|(day, name)| FacetCount {
                value: Some(name),
                label: None,
                count: days[&Some(*day)],
            })
            .collect();
        if let Some(n) = days.get(&None) {
            counts.push(FacetCount {
                value: None,
                label: None,
                count: *n,
            });
        }
        counts.sort_by(|a, b| a.value.cmp(&b.value));
        return Ok(counts);
    };
    let mut tally = vec![0i64; facet::code_count(connection, column)?];
    for_each_chunk(connection, plan, true, false, Some(column), |_, chunk| {
        for (m, code) in chunk.mask.iter().zip(&chunk.codes) {
            if *m && let Some(slot) = tally.get_mut(*code as usize) {
                *slot += 1;
            }
        }
    })?;
    let mut counts: Vec<FacetCount> = facet::dictionary(connection, column)?
        .into_iter()
        .filter_map(|(code, value, label)| {
            let count = tally.get(code as usize).copied().unwrap_or(0);
            (count > 0).then_some(FacetCount {
                value,
                label: if by == FacetBy::Actor { label } else { None },
                count,
            })
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    Ok(counts)
}

/// The rows of one page, in order: up to `limit` matching rows (stubs included, as the
/// SQL page has them) after `after`. Chunks are read newest (or oldest) first by their
/// time range, and the walk stops when no chunk left can hold a row of the page.
pub(crate) fn page(
    connection: &Connection,
    plan: &Plan,
    order: Order,
    limit: usize,
    after: Option<Cursor>,
) -> Result<Vec<i64>> {
    if plan.nothing || limit == 0 {
        return Ok(Vec::new());
    }
    let newest = order == Order::NewestFirst;
    // Keys are ordered so that "better" is larger: the heap's top is the worst kept.
    let key = |ts: i64, idx: i64| {
        if newest {
            (ts, idx)
        } else {
            (-1 - ts, -1 - idx)
        }
    };
    let bound = after.map(|c| key(c.ts, c.event_idx));
    let mut spans = column::spans(connection)?;
    if newest {
        spans.sort_by(|a, b| b.max_ts.cmp(&a.max_ts).then(b.chunk.cmp(&a.chunk)));
    } else {
        spans.sort_by(|a, b| a.min_ts.cmp(&b.min_ts).then(a.chunk.cmp(&b.chunk)));
    }
    let mut kept: BinaryHeap<std::cmp::Reverse<(i64, i64)>> = BinaryHeap::new();
    let mut data = Chunk::default();
    for span in spans {
        // The best and worst keys a row of this chunk could have. Chunks come best
        // first (ties by row), so once the page is full and this chunk's best is worse
        // than the worst row kept, no later chunk can add one.
        let (first, last) = chunk_rows(span.chunk);
        let (lowest, highest) = if newest {
            ((span.min_ts, first), (span.max_ts, last))
        } else {
            (key(span.max_ts, last), key(span.min_ts, first))
        };
        if kept.len() == limit && kept.peek().is_some_and(|worst| highest < worst.0) {
            break;
        }
        // Every row of the chunk is at or before the cursor: nothing to add.
        if bound.is_some_and(|bound| lowest >= bound) || plan.skips(span.chunk) {
            continue;
        }
        if !data.load(connection, plan, span.chunk, false, true, None)? {
            continue;
        }
        for (offset, (m, ts)) in data.mask.iter().zip(&data.ts).enumerate() {
            if !*m {
                continue;
            }
            let k = key(*ts, first + offset as i64);
            if bound.is_some_and(|bound| k >= bound) {
                continue;
            }
            if kept.len() < limit {
                kept.push(std::cmp::Reverse(k));
            } else if kept.peek().is_some_and(|worst| k > worst.0) {
                kept.pop();
                kept.push(std::cmp::Reverse(k));
            }
        }
    }
    let mut keys: Vec<(i64, i64)> = kept.into_iter().map(|r| r.0).collect();
    keys.sort_by(|a, b| b.cmp(a));
    Ok(keys
        .into_iter()
        .map(|(_, idx)| if newest { idx } else { -1 - idx })
        .collect())
}

/// Among the matching events (stubs aside): the earliest and latest known times, and
/// how many have no readable time (as `event::time_bounds` gives them).
pub(crate) fn time_bounds(
    connection: &Connection,
    plan: &Plan,
) -> Result<(Option<i64>, Option<i64>, i64)> {
    let (mut min, mut max, mut unknown) = (None::<i64>, None::<i64>, 0);
    for_each_chunk(connection, plan, true, true, None, |_, chunk| {
        for (m, ts) in chunk.mask.iter().zip(&chunk.ts) {
            if *m {
                max = Some(max.map_or(*ts, |max| max.max(*ts)));
                if *ts == UNKNOWN_TS {
                    unknown += 1;
                } else {
                    min = Some(min.map_or(*ts, |min| min.min(*ts)));
                }
            }
        }
    })?;
    Ok((min, max, unknown))
}

/// The matching events (stubs and untimed ones aside) counted per period of
/// `period_ms` from `start`, for the periods that have any, in order.
pub(crate) fn count_per_period(
    connection: &Connection,
    plan: &Plan,
    start: i64,
    period_ms: i64,
) -> Result<Vec<(i64, i64)>> {
    let mut periods: HashMap<i64, i64> = HashMap::new();
    for_each_chunk(connection, plan, true, true, None, |_, chunk| {
        for (m, ts) in chunk.mask.iter().zip(&chunk.ts) {
            if *m && *ts != UNKNOWN_TS {
                *periods
                    .entry(ts.wrapping_sub(start) / period_ms)
                    .or_default() += 1;
            }
        }
    })?;
    let mut periods: Vec<(i64, i64)> = periods.into_iter().collect();
    periods.sort_unstable();
    Ok(periods)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_times_read_back_as_written_at_every_width() {
        for codes in [
            vec![0, 1, 255],
            vec![3, 256, 65_535],
            vec![7, 65_536, u32::MAX - 1],
        ] {
            let mut back = Vec::new();
            decode_codes(&encode_codes(&codes), &mut back).unwrap();
            assert_eq!(back, codes);
        }
        let near = vec![
            1_700_000_000_000,
            UNKNOWN_TS,
            1_700_000_000_001,
            1_700_000_999_999,
        ];
        let far = vec![-5_000, UNKNOWN_TS, i64::MAX - 1, 0];
        for (ts, width) in [(near, 4), (far, 8)] {
            let data = encode_ts(&ts);
            assert_eq!(data[0], width);
            let mut back = Vec::new();
            decode_ts(&data, &mut back).unwrap();
            assert_eq!(back, ts);
        }
        let mut back = Vec::new();
        assert!(decode_codes(&[3, 1, 2, 3], &mut back).is_err());
        assert!(decode_ts(&[4, 0], &mut Vec::new()).is_err());
    }

    #[test]
    fn rows_fall_in_chunks_of_65536_from_row_one() {
        assert_eq!(place(1), (0, 0));
        assert_eq!(place(65_536), (0, 65_535));
        assert_eq!(place(65_537), (1, 0));
        assert_eq!(chunk_rows(1), (65_537, 131_072));
    }
}
