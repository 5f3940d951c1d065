//! The reviewer's part of the auditor's report: the events they starred, tagged or
//! noted (with the notes), their marks on records and actors, their saved searches with
//! what each matches now, each source's custody receipt checked, and the journal of what
//! was done in the case (checked; its head ties the report to the case).

use std::collections::BTreeMap;

use super::build::{ExaminedFile, ReportExtras};
use super::doc::{Block, Cell, KeyValue, Paragraph, Section, Table, Tone};
use crate::Result;
use crate::case::journal::{self, filter_words};
use crate::case::receipt::{FilesNow, check_receipts};
use crate::case::{Case, SubjectKind};
use crate::query::{self, Masking};
use crate::reviewer::Reviewer;

/// The most journal entries listed in the report; the rest are counted.
const MAX_JOURNAL_ENTRIES: usize = 2_000;

/// The reviewer's sections and what they add to the title page and the files examined.
/// `reviewer` is who makes the report (to say whose key signed what).
pub fn extras(case: &Case, reviewer: Option<&Reviewer>) -> Result<ReportExtras> {
    let masking = Masking::of_case(case)?;
    let mut sections = vec![marks_section(case, &masking)?, searches_section(case)?];
    let (receipts, examined_files) = receipts_section(case, reviewer)?;
    sections.push(receipts);
    let (journal, journal_head) = journal_section(case, reviewer)?;
    sections.push(journal);
    Ok(ReportExtras {
        sections,
        journal_head,
        examined_files,
    })
}

fn utc(millis: Option<i64>) -> String {
    millis
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "unknown time".to_owned())
}

fn marks_words(starred: bool, tags: &[String]) -> String {
    let mut parts = Vec::new();
    if starred {
        parts.push("★ starred".to_owned());
    }
    if !tags.is_empty() {
        parts.push(tags.join(", "));
    }
    parts.join("; ")
}

fn marks_section(case: &Case, masking: &Masking) -> Result<Section> {
    let mut section = Section::new("What the reviewer marked", true);
    let annotations = case.annotations()?;
    if annotations.is_empty() {
        section.paragraph(Paragraph::quiet(
            "The reviewer starred, tagged or noted nothing in this case.",
        ));
        return Ok(section);
    }
    let mut events = Table::new(&[
        ("When", 1.3),
        ("Event", 3.0),
        ("Marks", 1.1),
        ("Note", 2.3),
        ("Proven", 1.1),
    ]);
    let mut others = Table::new(&[("Record or actor", 2.0), ("Marks", 1.5), ("Note", 3.0)]);
    for annotation in &annotations {
        let marks = marks_words(annotation.starred, &annotation.tags);
        let note = annotation.note.clone().unwrap_or_default();
        match annotation.kind {
            SubjectKind::Event => {
                let Some(row) = annotation
                    .event_idx
                    .map(|idx| query::event_by_idx(case, idx))
                    .transpose()?
                    .flatten()
                else {
                    continue;
                };
                let view = query::event_view(&row, masking);
                events.row(vec![
                    Cell::plain(utc(row.ts)),
                    Cell::plain(format!(
                        "{} (line {} of {})",
                        view.sentence, row.line, row.file
                    )),
                    Cell::plain(marks),
                    Cell::plain(note),
                    if row.verified() {
                        Cell::toned("Verified", Tone::Proven)
                    } else if row.checks_ok {
                        Cell::toned("Intact", Tone::Partial)
                    } else if !row.source.has_integrity() && row.malformed.is_none() {
                        Cell::toned("No integrity", Tone::NotProven)
                    } else {
                        Cell::toned("Broken", Tone::Failed)
                    },
                ]);
            }
            SubjectKind::Record => {
                let name = serde_json::from_str::<Vec<String>>(&annotation.subject)
                    .map(|parts| parts.join(" "))
                    .unwrap_or_else(|_| annotation.subject.clone());
                others.row(vec![
                    Cell::plain(format!("Record {name}")),
                    Cell::plain(marks),
                    Cell::plain(note),
                ]);
            }
            SubjectKind::Actor => others.row(vec![
                Cell::plain(format!("Actor {}", annotation.subject)),
                Cell::plain(marks),
                Cell::plain(note),
            ]),
        }
    }
    if !events.rows.is_empty() {
        section.paragraph(Paragraph::plain(format!(
            "{} event{} the reviewer starred, tagged or wrote a note on, in time order. \"Proven\" is the engine's answer for the event's own record.",
            events.rows.len(),
            if events.rows.len() == 1 { "" } else { "s" }
        )));
        section.push(Block::Table(events));
    }
    if !others.rows.is_empty() {
        section.push(Block::Heading("Records and actors".to_owned()));
        section.push(Block::Table(others));
    }
    Ok(section)
}

fn searches_section(case: &Case) -> Result<Section> {
    let mut section = Section::new("Saved searches", false);
    let searches = case.saved_searches()?;
    if searches.is_empty() {
        section.paragraph(Paragraph::quiet("The reviewer saved no searches."));
        return Ok(section);
    }
    let mut table = Table::new(&[("Name", 1.5), ("What it keeps", 3.5), ("Events now", 1.0)]);
    for search in &searches {
        let filter = serde_json::to_value(&search.filter).unwrap_or_default();
        table.row(vec![
            Cell::plain(search.name.clone()),
            Cell::plain(filter_words(&filter)),
            Cell::plain(crate::verify::group(query::count_events(
                case,
                &search.filter,
            )?)),
        ]);
    }
    section.push(Block::Table(table));
    Ok(section)
}

fn receipts_section(
    case: &Case,
    reviewer: Option<&Reviewer>,
) -> Result<(Section, BTreeMap<i64, Vec<ExaminedFile>>)> {
    let mut section = Section::new("Custody receipts", true);
    let receipts = check_receipts(case, reviewer)?;
    let mut examined = BTreeMap::new();
    if receipts.is_empty() {
        section.paragraph(Paragraph::quiet(
            "No custody receipts: the sources of this case were imported before Trailscope wrote them.",
        ));
        return Ok((section, examined));
    }
    section.paragraph(Paragraph::plain(
        "When each source was received, Trailscope listed every file with its SHA-256, sealed the rows it added to the case and signed the receipt with the reviewer's key. Each receipt is checked again for this report.",
    ));
    for receipt in &receipts {
        examined.insert(
            receipt.source_index,
            receipt
                .files
                .iter()
                .map(|f| ExaminedFile {
                    name: f.path.clone(),
                    bytes: f.bytes,
                    sha256: f.sha256.clone(),
                })
                .collect(),
        );
        let now = match &receipt.files_now {
            FilesNow::Unchanged => "still the same where they were received from".to_owned(),
            FilesNow::Changed(files) => format!(
                "CHANGED where they were received from: {}",
                files.join(", ")
            ),
            FilesNow::NotThere(_) => {
                "no longer where they were received from (not compared)".to_owned()
            }
        };
        let mut block = vec![
            Block::Heading(format!("Source {}: {}", receipt.source_index, receipt.path)),
            Block::KeyValues(vec![
                KeyValue::new(
                    "Received",
                    format!(
                        "{} by {} (key {})",
                        receipt.received_at, receipt.received_by, receipt.fingerprint
                    ),
                ),
                KeyValue::new("Verdict then", receipt.verdict_at_receipt.clone()),
                KeyValue::new("Rows sealed", crate::verify::group(receipt.n_rows as u64)),
                KeyValue::new("The files now", now),
            ]),
            Block::Paragraph(if receipt.holds() {
                Paragraph::plain(receipt.sentence())
            } else {
                Paragraph::default().strong(receipt.sentence())
            }),
        ];
        let mut files = Table::new(&[("File", 2.5), ("Bytes", 1.0), ("SHA-256", 4.0)]);
        for file in &receipt.files {
            files.row(vec![
                Cell::plain(file.path.clone()),
                Cell::plain(crate::verify::group(file.bytes)),
                Cell::plain(file.sha256.clone()),
            ]);
        }
        block.push(Block::Table(files));
        section.push(Block::Keep(block));
    }
    Ok((section, examined))
}

fn journal_section(case: &Case, reviewer: Option<&Reviewer>) -> Result<(Section, Option<String>)> {
    let mut section = Section::new("What was done in this case: the reviewer's journal", true);
    let (check, lines) = journal::check(case, reviewer)?;
    section.push(Block::Paragraph(if check.holds() {
        Paragraph::plain(check.headline())
    } else {
        Paragraph::default().strong(check.headline())
    }));
    for problem in &check.problems {
        section.paragraph(Paragraph::plain(format!("✗ {problem}")));
    }
    if let Some(head) = &check.head_hash {
        section.push(Block::KeyValues(vec![KeyValue::new(
            "Journal head",
            head.clone(),
        )]));
    }
    let mut table = Table::new(&[("#", 0.4), ("When (UTC)", 1.4), ("What was done", 5.0)]);
    for line in lines.iter().take(MAX_JOURNAL_ENTRIES) {
        let when = chrono::DateTime::parse_from_rfc3339(&line.ts)
            .map(|t| t.timestamp_millis())
            .ok();
        let what = if line.holds {
            Cell::plain(line.sentence())
        } else {
            Cell::toned(format!("{} (ALTERED)", line.sentence()), Tone::Failed)
        };
        table.row(vec![
            Cell::plain(line.seq.to_string()),
            Cell::plain(utc(when)),
            what,
        ]);
    }
    if !table.rows.is_empty() {
        section.push(Block::Table(table));
    }
    if lines.len() > MAX_JOURNAL_ENTRIES {
        section.paragraph(Paragraph::quiet(format!(
            "The first {MAX_JOURNAL_ENTRIES} of {} entries are listed; `trailscope journal` prints them all.",
            lines.len()
        )));
    }
    let head = if check.holds() {
        check.head_hash.clone()
    } else {
        None
    };
    Ok((section, head))
}
