//! Renders a verification report for the terminal: plain language for people, and the
//! stable `--json` contract for tools. Rendering only; it never decides anything.

use serde_json::{Map, Value, json};

use trailscope::Finding;
use trailscope::verify::{ChainReport, Dimension, Report};

/// The stable JSON contract of `trailscope verify --json`.
pub fn report_json(report: &Report) -> Value {
    let provenance = &report.bundle.provenance;
    json!({
        "verdict": report.verdict().as_str(),
        "headline": report.headline(),
        "bundle": {
            "path": report.bundle.path,
            "container": report.bundle.container.as_str(),
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
    })
}

fn finding_json(finding: &Finding) -> Value {
    let mut object = Map::new();
    object.insert("kind".into(), json!(finding.kind.as_str()));
    object.insert(
        "severity".into(),
        json!(match finding.severity() {
            trailscope::verify::Severity::Break => "break",
            trailscope::verify::Severity::Warning => "warning",
            trailscope::verify::Severity::Notice => "notice",
        }),
    );
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
    if let Some(producer) = &provenance.producer {
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
        out.push_str(&format!(
            "\nChain {} — {}\n",
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
        for finding in &report.findings {
            out.push_str(&format!(
                "  [{}] {}\n",
                finding.kind.as_str(),
                finding.describe()
            ));
        }
    }
    for (kind, n) in &report.findings_not_listed {
        out.push_str(&format!(
            "  … and {n} more {} findings not listed\n",
            kind.as_str()
        ));
    }
    out
}
