//! Renders a verification report for the terminal: plain language for people, and the
//! stable `--json` contract for tools. Rendering only; it never decides anything.

use serde_json::{Map, Value, json};

use trailscope::Finding;
use trailscope::verify::{ChainReport, Dimension, Locate, Report, group_findings};

/// The stable JSON contract of `trailscope verify --json`.
pub fn report_json(report: &Report) -> Value {
    let provenance = &report.bundle.provenance;
    json!({
        "verdict": report.verdict().as_str(),
        "headline": report.headline(),
        "bundle": {
            "path": report.bundle.path,
            "container": report.bundle.container.as_str(),
            "source": report.bundle.source.as_str(),
            "manifest": report.bundle.has_manifest,
            "bundle_id": provenance.bundle_id,
            "producer": provenance.producer,
            "exported_at": provenance.exported_at,
            "exported_by": provenance.exported_by,
            "scope": provenance.scope,
            "lines": report.bundle.lines,
            "malformed_lines": report.bundle.malformed_lines,
        },
        "chains": report.chains.iter().map(chain_json).collect::<Vec<_>>(),
        "signature": {
            "status": report.signature.status.as_str(),
            "key_id": report.signature.key_id,
        },
        "findings": report.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "finding_groups": groups_json(&report.findings),
        "findings_not_listed": report.findings_not_listed.iter()
            .map(|(kind, n)| json!({"kind": kind.as_str(), "count": n}))
            .collect::<Vec<_>>(),
    })
}

fn chain_json(chain: &ChainReport) -> Value {
    let dimension = |d: &Dimension| json!({"status": d.status.as_str(), "detail": d.detail});
    json!({
        "id": chain.id,
        "verdict": chain.verdict.as_str(),
        "events": chain.events,
        "omitted": chain.omitted,
        "first_seq": chain.first_seq,
        "last_seq": chain.last_seq,
        "head_hash": chain.head_hash,
        "first_ts": chain.first_ts,
        "last_ts": chain.last_ts,
        "dimensions": {
            "integrity": dimension(&chain.integrity),
            "linkage": dimension(&chain.linkage),
            "completeness": dimension(&chain.completeness),
            "authenticity": dimension(&chain.authenticity),
            "coverage": dimension(&chain.coverage),
        },
        "counts": chain.counts.iter().map(|(name, n)| (name.to_string(), json!(n))).collect::<Map<String, Value>>(),
    })
}

pub fn finding_json(finding: &Finding) -> Value {
    let mut object = Map::new();
    object.insert("kind".into(), json!(finding.kind.as_str()));
    object.insert("severity".into(), json!(finding.severity().as_str()));
    let mut put = |key: &str, value: Value| {
        if !value.is_null() {
            object.insert(key.into(), value);
        }
    };
    put("chain", json!(finding.chain));
    put("seq", json!(finding.seq));
    put("seq_end", json!(finding.seq_end));
    put("file", json!(finding.file));
    put("line", json!(finding.line));
    put("byte_offset", json!(finding.byte_offset));
    put("expected", json!(finding.expected));
    put("actual", json!(finding.actual));
    put("detail", json!(finding.detail));
    object.insert("message".into(), json!(finding.describe()));
    Value::Object(object)
}

/// The plain report: verdict in words first, then what is and is not proven, then findings.
pub fn report_text(report: &Report) -> String {
    let mut out = String::new();
    out.push_str(&report.headline());
    out.push('\n');
    let provenance = &report.bundle.provenance;
    if let Some(producer) = provenance
        .producer
        .as_ref()
        .filter(|_| report.bundle.source.has_integrity())
    {
        let by = provenance
            .exported_by
            .as_deref()
            .unwrap_or("someone unnamed");
        let at = provenance
            .exported_at
            .as_deref()
            .unwrap_or("an unknown time");
        out.push_str(&format!(
            "Exported from {producer} by {by} at {at} (the producer's own claim).\n"
        ));
    }
    for chain in &report.chains {
        // A chain; the one file a mapping read; or an export, named by its system.
        let what = match report.bundle.source {
            source if source.has_integrity() => "Chain ",
            trailscope::source::SourceKind::Mapped => "File ",
            _ => "",
        };
        out.push_str(&format!(
            "\n{what}{} — {}\n",
            chain.id,
            chain.verdict.as_str()
        ));
        for (name, dimension) in [
            ("integrity", &chain.integrity),
            ("linkage", &chain.linkage),
            ("completeness", &chain.completeness),
            ("authenticity", &chain.authenticity),
            ("coverage", &chain.coverage),
        ] {
            out.push_str(&format!(
                "  {name:<13} {:<9} {}\n",
                dimension.status.as_str(),
                dimension.detail
            ));
        }
    }
    if !report.findings.is_empty() {
        out.push_str("\nFindings:\n");
        out.push_str(&grouped_text(&report.findings));
    }
    for (kind, n) in &report.findings_not_listed {
        out.push_str(&format!(
            "  … and {n} more {} findings not listed\n",
            kind.as_str()
        ));
    }
    out
}

/// A progress line on stderr during an import (events/s and ETA), redrawn in place
/// on a terminal and printed every few seconds otherwise.
pub struct ProgressBar {
    name: String,
    terminal: bool,
    last_drawn: Option<std::time::Instant>,
    drew: bool,
}

impl ProgressBar {
    pub fn new(bundle: &std::path::Path) -> Self {
        use std::io::IsTerminal;
        ProgressBar {
            name: bundle.display().to_string(),
            terminal: std::io::stderr().is_terminal(),
            last_drawn: None,
            drew: false,
        }
    }

    pub fn show(&mut self, progress: trailscope::case::ImportProgress) {
        let every = if self.terminal { 0.2 } else { 5.0 };
        if self
            .last_drawn
            .is_some_and(|t| t.elapsed().as_secs_f64() < every)
        {
            return;
        }
        self.last_drawn = Some(std::time::Instant::now());
        let mut line = format!(
            "importing {}: {} lines, {:.0} events/s",
            self.name,
            group(progress.lines),
            progress.events_per_second()
        );
        if let Some(done) = progress.fraction_done() {
            let left = progress.seconds_left().unwrap_or(0.0);
            line.push_str(&format!(", {:.0}%, about {left:.0} s left", done * 100.0));
        }
        if self.terminal {
            eprint!("\r\x1b[2K{line}");
        } else {
            eprintln!("{line}");
        }
        self.drew = true;
    }

    pub fn finish(&mut self) {
        if self.terminal && self.drew {
            eprint!("\r\x1b[2K");
        }
    }
}

fn group(n: u64) -> String {
    trailscope::verify::group(n)
}

/// What one import did, in words.
pub fn import_text(outcome: &trailscope::case::ImportOutcome) -> String {
    let mut out = String::new();
    if outcome.already_imported {
        out.push_str(&format!(
            "Already in the case (bundle {}): nothing added.\n",
            outcome.bundle_idx
        ));
    } else {
        out.push_str(&format!(
            "Imported bundle {}: {} lines added",
            outcome.bundle_idx,
            group(outcome.events_added)
        ));
        if outcome.overlapping > 0 {
            out.push_str(&format!(
                ", {} already held from an earlier bundle",
                group(outcome.overlapping)
            ));
        }
        out.push_str(".\n");
    }
    out.push_str(&report_text(&outcome.report));
    out.push_str(&grouped_text(&outcome.case_findings));
    out
}

/// Findings as lines, runs of one cause grouped (`verify::group_findings`).
fn grouped_text<F: Locate>(findings: &[F]) -> String {
    let mut out = String::new();
    for g in group_findings(findings) {
        out.push_str(&format!(
            "  [{}] {}\n",
            g.kind.as_str(),
            g.message(findings)
        ));
    }
    out
}

/// Findings grouped by cause, as JSON: each group with its range, count, what it
/// explains, and the indices of its findings in the flat `findings` list.
fn groups_json<F: Locate>(findings: &[F]) -> Vec<Value> {
    group_findings(findings)
        .iter()
        .map(|g| {
            let explains: Map<String, Value> = g
                .explained_kinds(findings)
                .iter()
                .map(|(kind, n)| (kind.as_str().to_owned(), json!(n)))
                .collect();
            json!({
                "kind": g.kind.as_str(),
                "severity": g.kind.severity().as_str(),
                "chain": g.chain,
                "first_seq": g.seqs.map(|s| s.0),
                "last_seq": g.seqs.map(|s| s.1),
                "count": g.count(),
                "message": g.message(findings),
                "explains": explains,
                "findings": g.members,
                "explained_findings": g.explained,
            })
        })
        .collect()
}

/// A retention period such as `7y`, `18m` or `90d`, in days.
pub fn parse_retention(text: &str) -> trailscope::Result<f64> {
    let invalid = || {
        trailscope::Error::Invalid(format!(
            "--retention {text:?}: expected a number and y, m or d, e.g. 7y"
        ))
    };
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let number: f64 = number.parse().map_err(|_| invalid())?;
    match unit {
        "y" => Ok(number * 365.25),
        "m" => Ok(number * 30.44),
        "d" => Ok(number),
        _ => Err(invalid()),
    }
}

fn time_text(millis: Option<i64>) -> String {
    use chrono::{Local, TimeZone, Utc};
    match millis.and_then(|m| Utc.timestamp_millis_opt(m).single()) {
        Some(t) => format!(
            "{} ({} UTC)",
            t.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S %Z"),
            t.format("%Y-%m-%d %H:%M:%S")
        ),
        None => "unknown".into(),
    }
}

fn iso(millis: Option<i64>) -> Option<String> {
    use chrono::{TimeZone, Utc};
    millis
        .and_then(|m| Utc.timestamp_millis_opt(m).single())
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

fn span_days(status: &trailscope::case::CaseStatus) -> Option<f64> {
    Some((status.last_ts? - status.first_ts?) as f64 / 86_400_000.0)
}

/// `trailscope status --json`.
pub fn status_json(status: &trailscope::case::CaseStatus, retention_days: Option<f64>) -> Value {
    json!({
        "verdict": status.verdict().as_str(),
        "events": status.n_events,
        "omitted": status.n_omitted,
        "malformed": status.n_malformed,
        "first_ts": iso(status.first_ts),
        "last_ts": iso(status.last_ts),
        "span_days": span_days(status),
        "retention_days": retention_days,
        "covers_retention": retention_days.zip(span_days(status)).map(|(r, s)| s >= r),
        "bundles": status.bundles.iter().map(|b| json!({
            "bundle": b.bundle_idx,
            "path": b.path,
            "container": b.container,
            "source": b.source.as_str(),
            "bundle_id": b.bundle_id,
            "producer": b.producer,
            "exported_at": b.exported_at,
            "exported_by": b.exported_by,
            "verdict": b.verdict.as_str(),
            "headline": b.headline,
            "signature": {"status": b.signature_status.as_str(), "key_id": b.signature_key_id},
            "lines": b.n_lines,
            "malformed_lines": b.n_malformed,
            "events_added": b.n_events_added,
            "imported_at": b.imported_at,
            "chains": b.chains.iter().map(|c| {
                let dimensions: Map<String, Value> = c.dimensions.iter()
                    .map(|(name, s, d)| ((*name).to_owned(), json!({"status": s.as_str(), "detail": d})))
                    .collect();
                json!({
                    "id": c.chain, "verdict": c.verdict.as_str(), "events": c.n_events, "omitted": c.n_omitted,
                    "first_seq": c.first_seq, "last_seq": c.last_seq, "head_hash": c.head_hash,
                    "dimensions": dimensions,
                })
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "findings": status.findings.iter().map(|f| {
            let mut object = Map::new();
            object.insert("kind".into(), json!(f.kind.as_str()));
            object.insert("severity".into(), json!(f.severity.as_str()));
            for (key, value) in [
                ("bundle", json!(f.bundle_idx)), ("chain", json!(f.chain)), ("seq", json!(f.seq)),
                ("seq_end", json!(f.seq_end)), ("file", json!(f.file)), ("line", json!(f.line)),
                ("event", json!(f.event_idx)), ("expected", json!(f.expected)),
                ("actual", json!(f.actual)), ("detail", json!(f.detail)),
            ] {
                if !value.is_null() {
                    object.insert(key.into(), value);
                }
            }
            object.insert("message".into(), json!(f.message));
            Value::Object(object)
        }).collect::<Vec<_>>(),
        "finding_groups": groups_json(&status.findings),
    })
}

/// `trailscope status` for people.
pub fn status_text(status: &trailscope::case::CaseStatus, retention_days: Option<f64>) -> String {
    let mut out = format!(
        "Case: {} bundles, {} events, {} omitted, {} malformed lines kept in quarantine. Overall: {}.\n",
        status.bundles.len(),
        group(status.n_events as u64),
        group(status.n_omitted as u64),
        group(status.n_malformed as u64),
        status.verdict().as_str()
    );
    out.push_str(&format!(
        "Events from {} to {}.\n",
        time_text(status.first_ts),
        time_text(status.last_ts)
    ));
    if let (Some(retention), Some(span)) = (retention_days, span_days(status)) {
        let verdict = if span >= retention {
            "covers"
        } else {
            "does NOT cover"
        };
        out.push_str(&format!(
            "The events span {:.0} days, which {verdict} the retention period of {:.0} days.\n",
            span, retention
        ));
    }
    for bundle in &status.bundles {
        out.push_str(&format!(
            "\nBundle {} — {} ({})\n  {}\n",
            bundle.bundle_idx,
            bundle.verdict.as_str(),
            bundle.path,
            bundle.headline
        ));
        for chain in &bundle.chains {
            let line = if bundle.source.has_integrity() {
                format!(
                    "  chain {}: {}, seq {}–{}, {} events, {} omitted\n",
                    chain.chain,
                    chain.verdict.as_str(),
                    group(chain.first_seq as u64),
                    group(chain.last_seq as u64),
                    group(chain.n_events as u64),
                    group(chain.n_omitted as u64)
                )
            } else {
                // A mapped file: its "seq" range is the record numbers.
                format!(
                    "  file {}: {}, {} records, {} events\n",
                    chain.chain,
                    chain.verdict.as_str(),
                    group(chain.last_seq as u64),
                    group(chain.n_events as u64),
                )
            };
            out.push_str(&line);
        }
    }
    if !status.findings.is_empty() {
        out.push_str("\nFindings:\n");
        out.push_str(&grouped_text(&status.findings));
    }
    out
}
