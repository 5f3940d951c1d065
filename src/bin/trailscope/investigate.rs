//! The investigation commands of the CLI (actors, events, facets, timeline, diff,
//! export, reverify, mask): argument shapes and printing only; every answer comes from
//! the engine's `query`, `case` and `export` modules.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use trailscope::case::Case;
use trailscope::export::{CsvExport, event_document};
use trailscope::query::{self, Cursor, EventFilter, FacetBy, Masking, Order, actor_kind};
use trailscope::{Error, Result};

/// The filters shared by `events`, `facets` and `export`.
#[derive(Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only this actor id (repeatable).
    #[arg(long = "actor")]
    actors: Vec<String>,
    /// An action, exact (order.updated) or a prefix (order.*).
    #[arg(long)]
    action: Option<String>,
    #[arg(long)]
    category: Option<String>,
    /// An actor type (user, admin, automation, api_client, …); repeat for several.
    #[arg(long = "actor-type")]
    actor_types: Vec<String>,
    /// A target type, or TYPE:ID for one record.
    #[arg(long)]
    target: Option<String>,
    /// success, failure or denied.
    #[arg(long)]
    outcome: Option<String>,
    #[arg(long)]
    channel: Option<String>,
    #[arg(long)]
    ip: Option<String>,
    /// An import batch id.
    #[arg(long)]
    batch: Option<String>,
    /// An automation rule id.
    #[arg(long)]
    rule: Option<String>,
    /// The records of one file (a CloudTrail log file's path in its folder).
    #[arg(long)]
    file: Option<String>,
    /// From this time on (RFC 3339, or a date: local midnight).
    #[arg(long)]
    since: Option<String>,
    /// Before this time (RFC 3339, or a date: local midnight).
    #[arg(long)]
    until: Option<String>,
    /// Words anywhere in the event's values, ignoring case and accents (mar* for words
    /// starting with mar); a substring scan until the case's text index is built.
    #[arg(long)]
    text: Option<String>,
    /// The request id the events were made by (source.request_id).
    #[arg(long)]
    request: Option<String>,
    /// Only events you starred.
    #[arg(long)]
    starred: bool,
    /// Only events you tagged with this tag (repeat for any of several).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Only events you wrote a note on.
    #[arg(long = "has-note")]
    has_note: bool,
}

impl FilterArgs {
    pub fn to_filter(&self) -> Result<EventFilter> {
        let (target_type, target_id) = match &self.target {
            Some(target) => match target.split_once(':') {
                Some((kind, id)) => (Some(kind.to_owned()), Some(id.to_owned())),
                None => (Some(target.clone()), None),
            },
            None => (None, None),
        };
        Ok(EventFilter {
            actors: self.actors.clone(),
            actor_types: self.actor_types.clone(),
            action: self.action.clone(),
            category: self.category.clone(),
            target_type,
            target_id,
            outcome: self.outcome.clone(),
            channel: self.channel.clone(),
            ip: self.ip.clone(),
            batch: self.batch.clone(),
            rule: self.rule.clone(),
            file: self.file.clone(),
            since: self.since.as_deref().map(parse_time).transpose()?,
            until: self.until.as_deref().map(parse_time).transpose()?,
            text: self.text.clone(),
            request: self.request.clone(),
            starred: self.starred,
            tags: self.tags.clone(),
            has_note: self.has_note,
        })
    }
}

/// An instant given on the command line: RFC 3339, or a date meaning local midnight.
pub fn parse_time(text: &str) -> Result<i64> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp_millis());
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        if let Some(local) = Local.from_local_datetime(&midnight).earliest() {
            return Ok(local.timestamp_millis());
        }
    }
    Err(Error::Invalid(format!(
        "{text:?} is not a time: use RFC 3339 (2026-04-01T09:30:00Z) or a date (2026-04-01)"
    )))
}

/// How times are shown: local by default, UTC on request.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub utc: bool,
}

impl Clock {
    pub fn show(&self, millis: Option<i64>) -> String {
        let Some(time) = millis.and_then(|m| Utc.timestamp_millis_opt(m).single()) else {
            return "unknown time".into();
        };
        if self.utc {
            time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
        } else {
            time.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S %Z")
                .to_string()
        }
    }
}

fn iso(millis: Option<i64>) -> Value {
    millis
        .and_then(|m| Utc.timestamp_millis_opt(m).single())
        .map_or(Value::Null, |t| {
            json!(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        })
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Jsonl,
    /// Hive-partitioned Parquet: --out is a folder (new or empty), one
    /// `date=YYYY-MM-DD/part-00000.parquet` per UTC day (docs/parquet.md).
    Parquet,
}

pub fn io_error(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        // The reader (e.g. `head`) has what it wanted: stop quietly, as Unix tools do.
        std::process::exit(0);
    }
    Error::Invalid(format!("cannot write output: {e}"))
}

/// `trailscope actors`.
pub fn actors(case: PathBuf, json_output: bool, clock: Clock) -> Result<()> {
    let case = Case::open_read_only(&case)?;
    let actors = query::list_actors(&case)?;
    let mut out = std::io::stdout().lock();
    if json_output {
        let list: Vec<Value> = actors
            .iter()
            .map(|a| {
                json!({
                    "id": a.actor_id, "name": a.name, "type": a.actor_type,
                    "kind": actor_kind(a.actor_type.as_deref()), "events": a.n_events,
                    "first_seen": iso(Some(a.first_ts)), "last_seen": iso(Some(a.last_ts)),
                    "failures": a.n_failures, "denials": a.n_denials,
                })
            })
            .collect();
        writeln!(out, "{}", Value::Array(list)).map_err(io_error)?;
        return Ok(());
    }
    for a in &actors {
        writeln!(
            out,
            "{:<24} {:<14} {:>9} events  {} failures  {} denials  first {}  last {}  ({})",
            a.name.as_deref().unwrap_or(&a.actor_id),
            actor_kind(a.actor_type.as_deref()),
            trailscope::verify::group(a.n_events as u64),
            a.n_failures,
            a.n_denials,
            clock.show(Some(a.first_ts)),
            clock.show(Some(a.last_ts)),
            a.actor_id
        )
        .map_err(io_error)?;
    }
    Ok(())
}

/// `trailscope events`.
pub fn events(
    case: PathBuf,
    filter: &FilterArgs,
    format: ListFormat,
    limit: usize,
    after: Option<String>,
    oldest_first: bool,
    clock: Clock,
) -> Result<usize> {
    let case = Case::open_read_only(&case)?;
    let masking = Masking::of_case(&case)?;
    let digests = trailscope::export::FileDigests::of_case(&case)?;
    let after = after.as_deref().map(Cursor::decode).transpose()?;
    let order = if oldest_first {
        Order::OldestFirst
    } else {
        Order::NewestFirst
    };
    let page = query::list_events(&case, &filter.to_filter()?, order, limit, after)?;
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            for row in &page.rows {
                let mut event = event_document(row, &masking, &digests);
                event["verified"] = json!(row.verified());
                writeln!(out, "{event}").map_err(io_error)?;
            }
        }
        ListFormat::Csv => {
            let mut export = CsvExport::new(&mut out, masking.clone(), digests.clone())?;
            for row in &page.rows {
                export.write(row)?;
            }
            export.finish()?;
        }
        ListFormat::Table => {
            for row in &page.rows {
                // As the app marks it: a record of a source with no integrity, which
                // could be read, has nothing to check ("–"), which is not a failure.
                let mark = if row.verified() {
                    "✓"
                } else if row.checks_ok {
                    " "
                } else if !row.source.has_integrity() && row.malformed.is_none() {
                    "–"
                } else {
                    "✗"
                };
                writeln!(
                    out,
                    "{} {mark} {}",
                    clock.show(row.ts),
                    query::view::row_sentence(row, &masking)
                )
                .map_err(io_error)?;
            }
        }
    }
    if let Some(next) = page.next {
        eprintln!("more: --after={}", next.encode());
    }
    Ok(page.rows.len())
}

/// `trailscope facets`.
pub fn facets(case: PathBuf, filter: &FilterArgs, by: &str, json_output: bool) -> Result<()> {
    let case = Case::open_read_only(&case)?;
    let counts = query::facet_counts(&case, &filter.to_filter()?, FacetBy::parse(by)?)?;
    let mut out = std::io::stdout().lock();
    if json_output {
        let list: Vec<Value> = counts
            .iter()
            .map(|c| json!({"value": c.value, "label": c.label, "count": c.count}))
            .collect();
        writeln!(out, "{}", Value::Array(list)).map_err(io_error)?;
    } else {
        for c in &counts {
            let value = c.value.as_deref().unwrap_or("(none)");
            let label = c
                .label
                .as_deref()
                .map(|l| format!(" {l}"))
                .unwrap_or_default();
            writeln!(
                out,
                "{:>9}  {value}{label}",
                trailscope::verify::group(c.count as u64)
            )
            .map_err(io_error)?;
        }
    }
    Ok(())
}

/// `trailscope timeline`: the engine's masked history view, printed.
pub fn timeline(
    case: PathBuf,
    target_type: &str,
    target_id: &str,
    at: Option<String>,
    json_output: bool,
    clock: Clock,
) -> Result<()> {
    let case = Case::open_read_only(&case)?;
    let masking = Masking::of_case(&case)?;
    let at = at.as_deref().map(parse_time).transpose()?;
    let history = query::history_view(&case, target_type, target_id, at, &masking)?;
    let state = Value::Object(history.state.clone());
    let mut out = std::io::stdout().lock();
    if json_output {
        let events: Vec<Value> = history
            .entries
            .iter()
            .map(|entry| {
                let event = &entry.event;
                json!({
                    "event_id": event.id, "time": iso(event.ts), "chain": event.chain, "seq": event.seq,
                    "action": event.action, "actor_id": event.actor_id, "outcome": event.outcome,
                    "sentence": event.sentence, "verified": event.verified,
                    "omitted_before": entry.omitted_before,
                    "changes": event.changes.iter().map(change_json).collect::<Vec<_>>(),
                    "state_discontinuity": entry.discrepancies.iter()
                        .map(|d| json!({"field": d.field, "expected": d.expected, "actual": d.actual}))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        let document = json!({
            "target": {"type": history.target_type, "id": history.target_id, "name": history.target_name},
            "at": iso(history.at),
            "state": state,
            "exists": history.exists,
            "uncertain_fields": history.uncertain,
            "events": events,
        });
        writeln!(out, "{document}").map_err(io_error)?;
        return Ok(());
    }
    let name = history
        .target_name
        .clone()
        .unwrap_or_else(|| format!("{target_type} {target_id}"));
    writeln!(out, "{name}: {} events", history.entries.len()).map_err(io_error)?;
    for entry in &history.entries {
        if entry.omitted_before > 0 {
            writeln!(
                out,
                "  … {} omitted events in this chain here (the record may have changed)",
                entry.omitted_before
            )
            .map_err(io_error)?;
        }
        writeln!(
            out,
            "  {}  {}",
            clock.show(entry.event.ts),
            entry.event.sentence
        )
        .map_err(io_error)?;
        for d in &entry.discrepancies {
            writeln!(
                out,
                "      ! state discontinuity: {} was {} before this event, but it says {}",
                d.field, d.expected, d.actual
            )
            .map_err(io_error)?;
        }
    }
    let when = match history.at {
        Some(at) => format!("at {}", clock.show(Some(at))),
        None => "now".into(),
    };
    if history.exists {
        writeln!(out, "State {when}: {state}").map_err(io_error)?;
    } else {
        writeln!(
            out,
            "State {when}: the record does not exist (not yet created, or deleted)"
        )
        .map_err(io_error)?;
    }
    if !history.uncertain.is_empty() {
        let fields: Vec<&str> = history.uncertain.iter().map(String::as_str).collect();
        writeln!(
            out,
            "Uncertain (omitted events may have changed them): {}",
            fields.join(", ")
        )
        .map_err(io_error)?;
    }
    Ok(())
}

/// A change as JSON; its values are already masked by the engine's view.
fn change_json(change: &query::diff::FieldChange) -> Value {
    json!({
        "path": change.path,
        "kind": change.kind.as_str(),
        "before": change.before,
        "after": change.after,
    })
}

/// `trailscope diff`: the engine's masked view of the event's changes, printed.
pub fn diff(case: PathBuf, event_id: &str, json_output: bool) -> Result<bool> {
    let case = Case::open_read_only(&case)?;
    let masking = Masking::of_case(&case)?;
    let found = query::diff_view(&case, event_id, &masking)?;
    let mut out = std::io::stdout().lock();
    if json_output {
        let list: Vec<Value> = found
            .iter()
            .map(|event| {
                json!({
                    "event_id": event.id, "sentence": event.sentence, "verified": event.verified,
                    "changes": event.changes.iter().map(change_json).collect::<Vec<_>>(),
                    "requested": event.requested, "result": event.result,
                })
            })
            .collect();
        let document = if list.len() == 1 {
            list[0].clone()
        } else {
            Value::Array(list)
        };
        writeln!(out, "{document}").map_err(io_error)?;
    } else {
        for event in &found {
            writeln!(out, "{}", event.sentence).map_err(io_error)?;
            let exchange = [("requested", &event.requested), ("result", &event.result)];
            if event.changes.is_empty() && exchange.iter().all(|(_, value)| value.is_none()) {
                writeln!(out, "  (no field changes)").map_err(io_error)?;
            }
            // A source that records a request and its result, not the record's state:
            // shown as what it is, never as a before → after.
            for (label, value) in exchange {
                let members: Vec<(String, &Value)> = match value {
                    Some(Value::Object(members)) => {
                        members.iter().map(|(k, v)| (format!(" {k}"), v)).collect()
                    }
                    Some(other) => vec![(String::new(), other)],
                    None => Vec::new(),
                };
                for (name, value) in members {
                    let text = query::sentence::describe_value(value);
                    writeln!(out, "  {label}{name}: {text}").map_err(io_error)?;
                }
            }
            for change in &event.changes {
                let show = |v: &Option<Value>| {
                    query::sentence::describe_value(v.as_ref().unwrap_or(&Value::Null))
                };
                let line = match change.kind {
                    query::diff::ChangeKind::Added => {
                        format!("  + {}: {}", change.path, show(&change.after))
                    }
                    query::diff::ChangeKind::Removed => {
                        format!("  - {}: {}", change.path, show(&change.before))
                    }
                    query::diff::ChangeKind::Changed => format!(
                        "  ~ {}: {} → {}",
                        change.path,
                        show(&change.before),
                        show(&change.after)
                    ),
                };
                writeln!(out, "{line}").map_err(io_error)?;
            }
        }
    }
    Ok(!found.is_empty())
}

/// `trailscope export`.
pub fn export(
    case: PathBuf,
    filter: &FilterArgs,
    format: ExportFormat,
    out_path: PathBuf,
) -> Result<u64> {
    let case = Case::open_read_only(&case)?;
    let format = match format {
        ExportFormat::Csv => trailscope::export::ExportFormat::Csv,
        ExportFormat::Jsonl => trailscope::export::ExportFormat::Jsonl,
        ExportFormat::Parquet => {
            return trailscope::export::parquet::export_to_dir(
                &case,
                &filter.to_filter()?,
                &out_path,
            );
        }
    };
    trailscope::export::export_to_file(&case, &filter.to_filter()?, format, &out_path)
}
