//! `trailscope excerpt` (write an evidence excerpt of chosen events) and `trailscope
//! verify EXCERPT` (check one on its own). Printing only: `trailscope::excerpt` writes
//! and checks.

use std::path::Path;

use serde_json::{Value, json};

use trailscope::case::Case;
use trailscope::excerpt::{self, ExcerptCheck, Selection};
use trailscope::query::EventFilter;
use trailscope::{Result, TrustedKeys};

use crate::work::{journal_read, reviewer};

/// Writes the excerpt of the events `filter` picks from `case` into `out`.
pub fn write(
    case: &Path,
    filter: EventFilter,
    reason: Option<String>,
    out: &Path,
    json_output: bool,
) -> Result<()> {
    let reviewer = reviewer()?;
    let opened = Case::open_read_only(case)?;
    let made_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let selection = Selection { filter, reason };
    let written = excerpt::write(&opened, &reviewer, &selection, out, &made_at)?;
    drop(opened);
    journal_read(case, excerpt::journal_entry(&written, &selection));
    if json_output {
        outln!(
            "{}",
            json!({
                "out": out.display().to_string(),
                "chosen": written.chosen,
                "bytes": written.bytes,
                "statement_sha256": written.statement_sha256,
                "parts": written.parts.iter().map(|p| json!({
                    "dir": p.dir, "method": p.method.as_str(), "source": p.source, "kind": p.kind,
                    "chosen": p.chosen, "carried": p.carried, "why": p.why,
                })).collect::<Vec<_>>(),
            })
        );
        return Ok(());
    }
    outln!(
        "Wrote an evidence excerpt of {} events ({} bytes) to {}, signed by {} (key {}).",
        written.chosen,
        written.bytes,
        out.display(),
        reviewer.name(),
        reviewer.fingerprint()
    );
    for part in &written.parts {
        outln!(
            "  {}: {} events from {} — {} ({}).",
            part.dir,
            part.chosen,
            part.source,
            part.method.as_str(),
            part.why
        );
    }
    outln!(
        "Anyone can check it with: trailscope verify {}",
        out.display()
    );
    Ok(())
}

/// Checks the excerpt at `dir`; true when it holds.
pub fn verify(dir: &Path, trusted: &TrustedKeys, json_output: bool) -> Result<bool> {
    let check = excerpt::check(dir, trusted)?;
    if json_output {
        outln!("{}", check_json(&check));
    } else {
        out!("{}", check_text(&check));
    }
    Ok(check.holds())
}

fn check_json(check: &ExcerptCheck) -> Value {
    json!({
        "holds": check.holds(),
        "headline": check.headline(),
        "statement": {
            "made_by": check.made_by,
            "fingerprint": check.fingerprint,
            "made_by_trusted": check.made_by_trusted,
            "made_at": check.made_at,
            "selection": check.selection,
            "reason": check.reason,
            "chosen": check.chosen,
            "signed": check.statement_signed,
            "problems": check.statement_problems,
        },
        "parts": check.parts.iter().map(|p| json!({
            "dir": p.dir,
            "method": p.method.map(|m| m.as_str()),
            "source": p.source,
            "kind": p.kind,
            "proven": p.proven(),
            "sentence": p.sentence,
            "trust": p.trust,
            "problems": p.problems,
            "events": p.events.iter().map(|e| json!({
                "what": e.what, "id": e.id, "proven": e.proven, "problem": e.problem,
                "said": e.said,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn check_text(check: &ExcerptCheck) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{}", check.headline());
    let _ = writeln!(
        out,
        "Made by {} (key {}{}) on {}: {} chosen ({}){}.",
        check.made_by,
        check.fingerprint,
        if check.made_by_trusted {
            ", a key you trust"
        } else {
            ""
        },
        check.made_at,
        check.chosen,
        check.selection,
        check
            .reason
            .as_deref()
            .map(|r| format!(", because: {r}"))
            .unwrap_or_default()
    );
    for problem in &check.statement_problems {
        let _ = writeln!(out, "  ✗ {problem}");
    }
    for part in &check.parts {
        let _ = writeln!(
            out,
            "\n{} — {} from {} ({}): {}",
            part.dir,
            part.method.map_or("unknown method", |m| m.as_str()),
            part.source,
            part.kind,
            if part.proven() {
                "proven"
            } else {
                "NOT proven"
            }
        );
        if !part.sentence.is_empty() {
            let _ = writeln!(out, "  {}", part.sentence);
        }
        if let Some(trust) = &part.trust {
            let _ = writeln!(out, "  {trust}");
        }
        for problem in &part.problems {
            let _ = writeln!(out, "  ✗ {problem}");
        }
        for event in &part.events {
            match &event.problem {
                None => {
                    let id = event
                        .id
                        .as_deref()
                        .map(|id| format!(" {id}"))
                        .unwrap_or_default();
                    let _ = writeln!(out, "  ✓ {}{id}", event.what);
                }
                Some(why) => {
                    let _ = writeln!(out, "  ✗ {}: {why}", event.what);
                }
            }
            if let Some(said) = &event.said {
                let _ = writeln!(
                    out,
                    "      {said}{}",
                    if event.proven {
                        ""
                    } else {
                        " (as the excerpt carries it, not proven)"
                    }
                );
            }
        }
    }
    out
}
