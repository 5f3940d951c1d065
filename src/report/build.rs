//! Builds the report's document from a case, read-only: the title page (the case, when
//! and with what the report was made, the overall verdict, every source at a glance),
//! what was examined, each source's and chain's verdict with its five dimensions,
//! every finding in words (runs of one cause as one), the time covered and the
//! retention period, the sections the caller adds, and an appendix on reading it.
//!
//! It only words what the case holds: verdicts come from `verify::policy` through
//! `case::case_status`, findings' words and groups from `verify` (`query::view::
//! finding_groups`), and a masked field's values never appear (`query::view::Masking`).
//! The time is passed in, never read from the clock.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};

use super::doc::{
    Block, Cell, Document, FindingBlock, KeyValue, Paragraph, Section, Table, Tone, VerdictBlock,
};
use crate::Result;
use crate::case::table::{bundle as bundle_table, source_file};
use crate::case::{BundleSummary, Case, CaseStatus, ChainSummary, StoredFinding, case_status};
use crate::query::view::{MASK, Masking, finding_groups};
use crate::source::SourceKind;
use crate::verify::{DimensionStatus, FindingKind, Severity, SignatureStatus, Verdict, group};

/// Files listed per source; the rest are counted.
const MAX_FILES_LISTED: usize = 200;
/// Groups of findings listed; the rest are counted (each stays in the case).
const MAX_GROUPS_LISTED: usize = 2_000;

/// When and how the report is made.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// The moment the report is made, in the reviewer's local time (its offset says
    /// where): shown in UTC and in that local time.
    pub made_at: DateTime<FixedOffset>,
    /// A retention period (days) to compare the time covered with, if one applies.
    pub retention_days: Option<f64>,
}

/// One file of a source as received: name, size and SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExaminedFile {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// What the caller adds to the report from parts of the case this module does not
/// read (annotations, saved searches, custody receipts, the journal).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportExtras {
    /// Sections placed after the time covered and before the appendix, in order.
    pub sections: Vec<Section>,
    /// The head hash of the reviewer's journal, printed on the title page: it ties
    /// this report to the state of the case it was made from.
    pub journal_head: Option<String>,
    /// Each source's files as received (by `bundle_idx`), with size and SHA-256, when
    /// the case holds them (custody receipts); the table of what was examined shows them.
    pub examined_files: BTreeMap<i64, Vec<ExaminedFile>>,
}

/// The report of a case.
pub fn build(case: &Case, options: &ReportOptions, extras: ReportExtras) -> Result<Document> {
    let status = case_status(case)?;
    let masking = Masking::of_case(case)?;
    let findings: Vec<StoredFinding> = status
        .findings
        .iter()
        .map(|f| masked_finding(f, &masking))
        .collect();
    let digests: BTreeMap<i64, String> = bundle_table::origins(case.connection())?
        .into_iter()
        .map(|o| (o.bundle_idx, o.digest))
        .collect();
    let mut files = BTreeMap::new();
    for bundle in &status.bundles {
        files.insert(
            bundle.bundle_idx,
            source_file::of_bundle(case.connection(), bundle.bundle_idx)?,
        );
    }
    let case_name = file_name(&case.path().display().to_string());
    let facts = Facts {
        status: &status,
        findings: &findings,
        masking: &masking,
        options,
        case_name: &case_name,
    };

    let mut sections = vec![
        facts.examined(&digests, &files, &extras.examined_files),
        facts.verdicts(),
        facts.findings_section(),
        facts.time_covered(),
    ];
    sections.extend(extras.sections);
    sections.push(facts.appendix());
    Ok(Document {
        title: "Audit log examination report".to_owned(),
        subtitle: format!("Case {case_name}"),
        running_title: format!("Trailscope audit report · {case_name}"),
        cover: facts.cover(extras.journal_head.as_deref()),
        sections,
    })
}

/// What every section reads.
struct Facts<'a> {
    status: &'a CaseStatus,
    /// The case's findings, masked, in the order found.
    findings: &'a [StoredFinding],
    masking: &'a Masking,
    options: &'a ReportOptions,
    case_name: &'a str,
}

impl Facts<'_> {
    fn cover(&self, journal_head: Option<&str>) -> Vec<Block> {
        let status = self.status;
        let made = self.options.made_at;
        let mut facts = vec![
            KeyValue::new("Case file", self.case_name),
            KeyValue::new(
                "Report made",
                moment(made.with_timezone(&Utc), *made.offset()),
            ),
            KeyValue::new(
                "Made with",
                format!(
                    "Trailscope {}, from the case alone (opened read-only)",
                    env!("CARGO_PKG_VERSION")
                ),
            ),
            KeyValue::new("Sources examined", sources_in_words(&status.bundles)),
            KeyValue::new("Events", events_in_words(status)),
            KeyValue::new("Time covered", self.span_words()),
        ];
        if let Some(head) = journal_head {
            facts.push(KeyValue {
                key: "Journal head".to_owned(),
                value: Paragraph::default()
                    .strong(head)
                    .text(", which ties this report to the case and the reviewer's journal of it"),
            });
        }
        if !self.masking.is_empty() {
            facts.push(KeyValue::new("Masked fields", masked_words(self.masking)));
        }

        let verdict = status.verdict();
        let (tone, proven, title, meaning) = verdict_words(verdict);
        let mut text = Paragraph::plain(format!("{meaning} "));
        let (breaks, warnings, notices) = severity_counts(self.findings.iter());
        if breaks + warnings + notices == 0 {
            text = text.text("No check raised a finding.");
        } else {
            text = breaking_words(text.text("Findings: "), breaks)
                .text(", ")
                .text(count_or_no(warnings, "warning", "warnings"))
                .text(", ")
                .text(count_or_no(notices, "notice", "notices"))
                .text(".");
        }

        let mut glance = Table::new(&[
            ("#", 0.35),
            ("Source", 2.4),
            ("Kind", 1.8),
            ("Verdict", 1.3),
            ("Events", 0.8),
            ("Findings", 1.8),
        ]);
        for bundle in &status.bundles {
            let of_bundle = || {
                self.findings
                    .iter()
                    .filter(|f| f.bundle_idx == Some(bundle.bundle_idx))
            };
            let (breaks, warnings, notices) =
                severity_counts(of_bundle().filter(|f| !between_sources(f.kind)));
            let mut findings = findings_cell(breaks, warnings, notices);
            let (breaks, warnings, notices) =
                severity_counts(of_bundle().filter(|f| between_sources(f.kind)));
            if breaks + warnings + notices > 0 {
                findings.push_str(&format!(
                    "; {} where it meets an earlier source",
                    findings_cell(breaks, warnings, notices).to_lowercase()
                ));
            }
            glance.row(vec![
                Cell::plain(bundle.bundle_idx.to_string()),
                Cell::plain(file_name(&bundle.path)),
                Cell::plain(capitalised(bundle.source.title())),
                verdict_cell(bundle.verdict),
                Cell::plain(group(bundle.n_events_added.max(0) as u64)),
                Cell::plain(findings),
            ]);
        }
        let between: Vec<&StoredFinding> = self
            .findings
            .iter()
            .filter(|f| f.bundle_idx.is_none())
            .collect();

        let mut cover = vec![
            Block::KeyValues(facts),
            Block::Verdict(VerdictBlock {
                tone,
                status: proven.to_owned(),
                title: format!("Overall verdict: {title}"),
                text,
            }),
            Block::Heading("Sources at a glance".to_owned()),
        ];
        if status.bundles.is_empty() {
            cover.push(Block::Paragraph(Paragraph::plain(
                "The case holds no source yet.",
            )));
        } else {
            cover.push(Block::Table(glance));
        }
        if !between.is_empty() {
            let (breaks, warnings, notices) = severity_counts(between.into_iter());
            cover.push(Block::Paragraph(Paragraph::quiet(format!(
                "Between sources (where two exports of one trail disagree or do not join): {}.",
                findings_cell(breaks, warnings, notices).to_lowercase()
            ))));
        }
        cover.push(Block::Paragraph(Paragraph::quiet(
            "How to read it: \"Proven\" means Trailscope checked it and it holds; \"Not proven\" means it could not be established from what the case holds, or a check failed. Each source's verdict, its five dimensions and every finding follow; the appendix explains every word.",
        )));
        cover
    }

    fn span_words(&self) -> String {
        match (self.status.first_ts, self.status.last_ts) {
            (Some(first), Some(last)) => format!(
                "{} to {} ({})",
                utc_minute(first),
                utc_minute(last),
                days_words(span_days(first, last))
            ),
            _ => "No event has a readable time".to_owned(),
        }
    }

    fn examined(
        &self,
        digests: &BTreeMap<i64, String>,
        files: &BTreeMap<i64, Vec<source_file::FileRows>>,
        examined_files: &BTreeMap<i64, Vec<ExaminedFile>>,
    ) -> Section {
        let mut section = Section::new("What was examined", true);
        section.paragraph(Paragraph::plain(format!(
            "The case {} holds {}, read in the order below. Each was verified as it was imported, and what verification established was stored with it; this report is made from that record.",
            self.case_name,
            count_words(self.status.bundles.len() as u64, "source", "sources")
        )));
        for bundle in &self.status.bundles {
            section.push(Block::Heading(format!(
                "Source {}: {}",
                bundle.bundle_idx,
                file_name(&bundle.path)
            )));
            let mut facts = vec![
                KeyValue::new("Kind", capitalised(bundle.source.title())),
                KeyValue::new("Read from", &bundle.path),
                KeyValue::new("Form", container_words(&bundle.container)),
                KeyValue::new("Imported", stored_time_words(&bundle.imported_at)),
            ];
            if bundle.source.has_integrity() {
                if let Some(claim) = producer_claim(bundle) {
                    facts.push(KeyValue::new("Exported", claim));
                }
                if let Some(id) = &bundle.bundle_id {
                    facts.push(KeyValue::new("Export id", id));
                }
            }
            facts.push(KeyValue::new("Signature", signature_words(bundle)));
            facts.push(KeyValue::new("Read", lines_words(bundle)));
            if let Some(digest) = digests.get(&bundle.bundle_idx) {
                facts.push(KeyValue::new(
                    "Content fingerprint",
                    format!("{digest} (SHA-256 over the SHA-256 of each file read, computed at import; the same files give the same fingerprint)"),
                ));
            }
            section.push(Block::KeyValues(facts));

            let held: &[source_file::FileRows] =
                files.get(&bundle.bundle_idx).map_or(&[], Vec::as_slice);
            match examined_files.get(&bundle.bundle_idx) {
                Some(received) if !received.is_empty() => {
                    let mut table = Table::new(&[
                        ("File", 2.4),
                        ("Size", 0.9),
                        ("SHA-256", 3.4),
                        ("Records", 0.8),
                    ]);
                    for file in received.iter().take(MAX_FILES_LISTED) {
                        let rows = held
                            .iter()
                            .find(|h| h.file == file.name)
                            .map_or("—".to_owned(), |h| group(h.n_rows.max(0) as u64));
                        table.row(vec![
                            Cell::plain(&file.name),
                            Cell::plain(bytes_words(file.bytes)),
                            Cell::plain(&file.sha256),
                            Cell::plain(rows),
                        ]);
                    }
                    section.push(Block::Table(table));
                    more_files(&mut section, received.len());
                }
                _ => {
                    let mut table = Table::new(&[("File", 4.0), ("Records held", 1.2)]);
                    for file in held.iter().take(MAX_FILES_LISTED) {
                        table.row(vec![
                            Cell::plain(&file.file),
                            Cell::plain(group(file.n_rows.max(0) as u64)),
                        ]);
                    }
                    if !held.is_empty() {
                        section.push(Block::Table(table));
                        more_files(&mut section, held.len());
                    }
                    section.paragraph(Paragraph::quiet(
                        "This case does not record each file's size and SHA-256 separately: the content fingerprint above was computed from them when the source was imported.",
                    ));
                }
            }
        }
        section
    }

    fn verdicts(&self) -> Section {
        let mut section = Section::new("Verdicts: what is proven and what is not", true);
        section.paragraph(Paragraph::plain(
            "Each source is judged on five questions. Integrity: is each event's content as it was recorded? Linkage: does each event link to the one before it, so nothing was inserted, removed or reordered? Completeness: does the export hold everything its producer says it holds? Authenticity: does something you trust, a signing key or a checkpoint, vouch for it? Coverage: what time do the events span? The appendix says what each verdict means.",
        ));
        let mut matrix = Table::new(&[
            ("Source and chain", 2.1),
            ("Verdict", 1.3),
            ("Integrity", 1.05),
            ("Linkage", 1.05),
            ("Complete\u{AD}ness", 1.1),
            ("Authen\u{AD}ticity", 1.1),
            ("Coverage", 1.05),
        ]);
        for bundle in &self.status.bundles {
            for chain in &bundle.chains {
                let mut row = vec![
                    Cell::plain(format!(
                        "{} · {}",
                        bundle.bundle_idx,
                        chain_title(bundle.source, chain)
                    )),
                    verdict_cell(chain.verdict),
                ];
                row.extend(
                    chain
                        .dimensions
                        .iter()
                        .map(|(_, status, _)| dimension_cell(*status)),
                );
                matrix.row(row);
            }
        }
        if matrix.rows.is_empty() {
            section.paragraph(Paragraph::plain("The case holds no source yet."));
            return section;
        }
        section.push(Block::Table(matrix));

        for bundle in &self.status.bundles {
            section.push(Block::Heading(format!(
                "Source {}: {}",
                bundle.bundle_idx,
                file_name(&bundle.path)
            )));
            let (tone, proven, title, _) = verdict_words(bundle.verdict);
            section.push(Block::Verdict(VerdictBlock {
                tone,
                status: proven.to_owned(),
                title: title.to_owned(),
                text: Paragraph::plain(&bundle.headline),
            }));
            for chain in &bundle.chains {
                let line = Paragraph::default()
                    .strong(chain_title(bundle.source, chain))
                    .text(format!(" — {}. ", capitalised(chain.verdict.as_str())))
                    .text(chain_counts(bundle.source, chain));
                let mut table = Table::new(&[("Question", 1.2), ("Answer", 1.0), ("Why", 4.6)]);
                for (name, status, detail) in &chain.dimensions {
                    table.row(vec![
                        Cell::plain(capitalised(name)),
                        dimension_cell(*status),
                        Cell::plain(capitalised(detail)),
                    ]);
                }
                section.push(Block::Keep(vec![
                    Block::Paragraph(line),
                    Block::Table(table),
                ]));
            }
        }
        section
    }

    fn findings_section(&self) -> Section {
        let mut section = Section::new("Findings", true);
        let groups = finding_groups(self.findings.to_vec());
        let (breaks, warnings, notices) = severity_counts(self.findings.iter());
        if groups.is_empty() {
            section.paragraph(Paragraph::plain(
                "No findings: every check that could be made holds. What could not be checked is said under each source's verdict.",
            ));
            return section;
        }
        let intro = Paragraph::plain(format!(
            "{} in {}, in the order they were found: ",
            count_words(self.findings.len() as u64, "finding", "findings"),
            count_words(groups.len() as u64, "group", "groups"),
        ));
        section.paragraph(breaking_words(intro, breaks).text(format!(
            ", {} (worth a look; they do not break it) and {} (they say what is not proven). Findings of one cause over consecutive events are shown as one.",
            count_or_no(warnings, "warning", "warnings"),
            count_or_no(notices, "notice", "notices")
        )));
        for view in groups.iter().take(MAX_GROUPS_LISTED) {
            let (tone, label) = severity_words(view.severity);
            let first = &view.members[0];
            let mut place = Vec::new();
            if let Some(idx) = first.bundle_idx {
                let name = self
                    .status
                    .bundles
                    .iter()
                    .find(|b| b.bundle_idx == idx)
                    .map(|b| file_name(&b.path))
                    .unwrap_or_default();
                place.push(format!("Source {idx} ({name})"));
            } else {
                place.push("Between sources".to_owned());
            }
            if let Some(chain) = &view.chain {
                place.push(format!("chain {chain}"));
            }
            if let Some((a, b)) = view.seqs {
                place.push(if a == b {
                    format!("event {}", group(a))
                } else {
                    format!("events {} to {}", group(a), group(b))
                });
            }
            if let Some(file) = &first.file {
                match first.line {
                    Some(line) => {
                        place.push(format!("{} line {}", file, group(line.max(0) as u64)))
                    }
                    None => place.push(file.clone()),
                }
            }
            if view.members.len() > 1 {
                place.push(count_words(
                    view.members.len() as u64,
                    "finding",
                    "findings",
                ));
            }
            place.push(format!("kind {}", view.kind.as_str()));
            section.push(Block::Finding(FindingBlock {
                tone,
                label: label.to_owned(),
                text: view.message.clone(),
                place: place.join(" · "),
            }));
        }
        if groups.len() > MAX_GROUPS_LISTED {
            section.paragraph(Paragraph::plain(format!(
                "… and {} more groups of findings, not listed here: the case holds every one (trailscope status --json lists them).",
                group((groups.len() - MAX_GROUPS_LISTED) as u64)
            )));
        }
        section
    }

    fn time_covered(&self) -> Section {
        let mut section = Section::new("Time covered and retention", false);
        let (Some(first), Some(last)) = (self.status.first_ts, self.status.last_ts) else {
            section.paragraph(Paragraph::plain(
                "No event in the case has a readable time, so the time covered is unknown.",
            ));
            return section;
        };
        let offset = *self.options.made_at.offset();
        let span = span_days(first, last);
        section.push(Block::KeyValues(vec![
            KeyValue::new("First event", moment(utc(first), offset)),
            KeyValue::new("Last event", moment(utc(last), offset)),
            KeyValue::new("Span", days_words(span)),
        ]));
        match self.options.retention_days {
            Some(retention) => {
                let covers = span >= retention;
                section.paragraph(
                    Paragraph::plain(format!(
                        "The events span {}, which ",
                        days_words(span)
                    ))
                    .strong(if covers { "covers" } else { "does not cover" })
                    .text(format!(
                        " the retention period of {}.",
                        days_words(retention.round())
                    )),
                );
            }
            None => section.paragraph(Paragraph::quiet(
                "No retention period was given for this report (trailscope report --retention 7y compares the span with one).",
            )),
        }
        section.paragraph(Paragraph::quiet(
            "The span runs from the first event to the last; it does not show that every day in between is present. Each chain's coverage, under Verdicts, names the days without events where its source measures them.",
        ));
        section
    }

    fn appendix(&self) -> Section {
        let mut section = Section::new("Appendix: how to read this report", true);
        section.push(Block::Heading("Verdicts".to_owned()));
        let mut verdicts =
            Table::new(&[("Verdict", 1.2), ("Proven?", 1.0), ("What it means", 5.0)]);
        for verdict in Verdict::ALL {
            let (tone, proven, title, meaning) = verdict_words(verdict);
            verdicts.row(vec![
                Cell::toned(title, tone),
                Cell::plain(proven),
                Cell::plain(meaning),
            ]);
        }
        section.push(Block::Table(verdicts));
        section.push(Block::Heading("Findings".to_owned()));
        let mut severities = Table::new(&[("Finding", 1.6), ("What it does to the verdict", 5.0)]);
        for (severity, meaning) in [
            (
                Severity::Break,
                "Something does not hold: the source's verdict is broken.",
            ),
            (
                Severity::Warning,
                "Worth a look (a clock that went back, values that disagree with earlier events), but nothing it says breaks the trail.",
            ),
            (
                Severity::Notice,
                "Says what is not proven (no signature, a key you do not trust): the verdict can be at best intact.",
            ),
        ] {
            let (tone, label) = severity_words(severity);
            severities.row(vec![Cell::toned(label, tone), Cell::plain(meaning)]);
        }
        section.push(Block::Table(severities));
        section.push(Block::Heading("About this report".to_owned()));
        section.paragraph(Paragraph::plain(format!(
            "Made by Trailscope {} from the case file {} alone, opened read-only: the evidence files were not read again. Times are given in UTC, with the reviewer's local time (UTC{}) where it helps. The verdicts, findings and their words are Trailscope's own, the same the command line and the app show.",
            env!("CARGO_PKG_VERSION"),
            self.case_name,
            self.options.made_at.offset()
        )));
        section.paragraph(Paragraph::plain(if self.masking.is_empty() {
            "No field is masked in this case.".to_owned()
        } else {
            format!(
                "Masked fields ({}): wherever their values would appear in this report they are shown as {MASK}.",
                masked_words(self.masking)
            )
        }));
        section
    }
}

// ---------------------------------------------------------------------------------
// Words.

/// (tone, proven or not, the verdict's name, what it means).
fn verdict_words(verdict: Verdict) -> (Tone, &'static str, &'static str, &'static str) {
    match verdict {
        Verdict::Verified => (
            Tone::Proven,
            "Proven",
            "Verified",
            "Every check holds, and a key or checkpoint you trust vouches for all of it.",
        ),
        Verdict::Intact => (
            Tone::Partial,
            "Not proven",
            "Intact",
            "Every check holds, but nothing you trust vouches for all of it: whoever produced the export could have rewritten it consistently.",
        ),
        Verdict::Unverifiable => (
            Tone::NotProven,
            "Not proven",
            "Unverifiable",
            "A source carries no integrity of its own (no hash chain or signature): its events can be read and reviewed, but nothing proves they are complete or unchanged.",
        ),
        Verdict::Broken => (
            Tone::Failed,
            "Not proven",
            "Broken",
            "A check does not hold: events were changed, removed, inserted or cut off, or a signature or digest does not match. The findings say where.",
        ),
        Verdict::Empty => (
            Tone::Neutral,
            "Not proven",
            "Empty",
            "There are no events, so there is nothing to verify.",
        ),
    }
}

fn verdict_cell(verdict: Verdict) -> Cell {
    let (tone, _, title, _) = verdict_words(verdict);
    Cell::toned(title, tone)
}

fn dimension_cell(status: DimensionStatus) -> Cell {
    match status {
        DimensionStatus::Proven => Cell::toned("Proven", Tone::Proven),
        DimensionStatus::Unproven => Cell::toned("Not proven", Tone::NotProven),
        DimensionStatus::Failed => Cell::toned("Failed", Tone::Failed),
    }
}

fn severity_words(severity: Severity) -> (Tone, &'static str) {
    match severity {
        Severity::Break => (Tone::Failed, "Breaks the trail"),
        Severity::Warning => (Tone::Partial, "Warning"),
        Severity::Notice => (Tone::NotProven, "Notice"),
    }
}

/// (breaking, warnings, notices) among `findings`.
fn severity_counts<'a>(findings: impl Iterator<Item = &'a StoredFinding>) -> (u64, u64, u64) {
    findings.fold((0, 0, 0), |(b, w, n), f| match f.severity {
        Severity::Break => (b + 1, w, n),
        Severity::Warning => (b, w + 1, n),
        Severity::Notice => (b, w, n + 1),
    })
}

/// A finding about how a source joins the case's earlier ones (two histories of one
/// chain, a gap between two exports): found at its import, not in the source alone.
fn between_sources(kind: FindingKind) -> bool {
    matches!(kind, FindingKind::Equivocation | FindingKind::Discontinuity)
}

fn findings_cell(breaks: u64, warnings: u64, notices: u64) -> String {
    let mut parts = Vec::new();
    if breaks > 0 {
        parts.push(format!("{} breaking", group(breaks)));
    }
    if warnings > 0 {
        parts.push(count_words(warnings, "warning", "warnings"));
    }
    if notices > 0 {
        parts.push(count_words(notices, "notice", "notices"));
    }
    if parts.is_empty() {
        "None".to_owned()
    } else {
        parts.join(", ")
    }
}

/// The title of a chain as the app's verification panel words it.
fn chain_title(source: SourceKind, chain: &ChainSummary) -> String {
    match source {
        SourceKind::AuditBundle => format!("Chain {}", chain.chain),
        SourceKind::Mapped => format!("File {}", chain.chain),
        SourceKind::CloudTrail => format!("Digest chain {}", chain.chain),
        _ => chain.chain.clone(),
    }
}

fn chain_counts(source: SourceKind, chain: &ChainSummary) -> String {
    let events = count_words(chain.n_events.max(0) as u64, "event", "events");
    let mut text = match source {
        SourceKind::AuditBundle => format!(
            "{events}, seq {} to {}",
            group(chain.first_seq.max(0) as u64),
            group(chain.last_seq.max(0) as u64)
        ),
        SourceKind::Mapped => format!(
            "{events} from records {} to {}",
            group(chain.first_seq.max(0) as u64),
            group(chain.last_seq.max(0) as u64)
        ),
        _ => events,
    };
    if chain.n_omitted > 0 {
        text.push_str(&format!(
            ", {} omitted by the export",
            group(chain.n_omitted as u64)
        ));
    }
    if source.has_integrity() && !chain.head_hash.is_empty() {
        text.push_str(&format!("; head hash {}", chain.head_hash));
    }
    text.push('.');
    text
}

fn sources_in_words(bundles: &[BundleSummary]) -> String {
    if bundles.is_empty() {
        return "None".to_owned();
    }
    let mut kinds: Vec<(SourceKind, u64)> = Vec::new();
    for bundle in bundles {
        match kinds.iter_mut().find(|(k, _)| *k == bundle.source) {
            Some((_, n)) => *n += 1,
            None => kinds.push((bundle.source, 1)),
        }
    }
    let kinds: Vec<String> = kinds
        .iter()
        .map(|(kind, n)| match n {
            1 => kind.title().to_owned(),
            n => format!("{} ×{}", kind.title(), group(*n)),
        })
        .collect();
    format!("{}: {}", group(bundles.len() as u64), kinds.join(", "))
}

fn events_in_words(status: &CaseStatus) -> String {
    let mut text = count_words(status.n_events.max(0) as u64, "event", "events");
    if status.n_omitted > 0 {
        text.push_str(&format!(
            ", {} omitted by the exports (only their hashes are held)",
            group(status.n_omitted as u64)
        ));
    }
    if status.n_malformed > 0 {
        text.push_str(&format!(
            ", {} that could not be read, kept exactly as they arrived",
            count_words(status.n_malformed as u64, "line", "lines")
        ));
    }
    text
}

fn lines_words(bundle: &BundleSummary) -> String {
    let mut text = format!(
        "{} read, {} stored",
        count_words(bundle.n_lines.max(0) as u64, "line", "lines"),
        group(bundle.n_events_added.max(0) as u64)
    );
    if bundle.n_malformed > 0 {
        text.push_str(&format!(
            "; {} could not be read and {} kept exactly as {} arrived",
            group(bundle.n_malformed as u64),
            if bundle.n_malformed == 1 { "is" } else { "are" },
            if bundle.n_malformed == 1 {
                "it"
            } else {
                "they"
            }
        ));
    }
    text
}

fn signature_words(bundle: &BundleSummary) -> String {
    if !bundle.source.has_integrity() {
        return "None: this kind of source carries no signature".to_owned();
    }
    let key = bundle
        .signature_key_id
        .as_deref()
        .unwrap_or("an unnamed key");
    match bundle.signature_status {
        SignatureStatus::Trusted => format!("Signed by {key}, a key you trust"),
        SignatureStatus::Untrusted => {
            format!("Signed by {key}, which is not one of your trusted keys")
        }
        SignatureStatus::Invalid => {
            "The signature does not match: what it signs was changed after signing".to_owned()
        }
        SignatureStatus::Absent => "Not signed".to_owned(),
    }
}

fn producer_claim(bundle: &BundleSummary) -> Option<String> {
    let producer = bundle.producer.as_deref()?;
    let mut text = format!("From {producer}");
    if let Some(by) = &bundle.exported_by {
        text.push_str(&format!(" by {by}"));
    }
    if let Some(at) = &bundle.exported_at {
        text.push_str(&format!(" at {at}"));
    }
    text.push_str(" (the producer's own claim)");
    Some(text)
}

fn container_words(container: &str) -> String {
    match container {
        "zip" => "ZIP archive",
        "directory" => "Folder",
        "jsonl" => "JSON Lines file",
        "csv" => "CSV file",
        "json" => "JSON file",
        other => return capitalised(other),
    }
    .to_owned()
}

fn masked_words(masking: &Masking) -> String {
    masking
        .names()
        .iter()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}

/// "3 break the trail", emphasised, or "no finding breaks the trail".
fn breaking_words(paragraph: Paragraph, breaks: u64) -> Paragraph {
    match breaks {
        0 => paragraph.text("no finding breaks the trail"),
        n => paragraph.strong(count_words(n, "breaks the trail", "break the trail")),
    }
}

/// "2 warnings", or "no warnings".
fn count_or_no(n: u64, one: &str, many: &str) -> String {
    match n {
        0 => format!("no {many}"),
        n => count_words(n, one, many),
    }
}

fn count_words(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group(n), if n == 1 { one } else { many })
}

fn bytes_words(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return count_words(bytes, "byte", "bytes");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {} ({} bytes)", UNITS[unit], group(bytes))
}

fn days_words(days: f64) -> String {
    if days < 1.0 {
        let hours = days * 24.0;
        return format!("{hours:.1} hours");
    }
    let rounded = (days * 10.0).round() / 10.0;
    if rounded == 1.0 {
        "1 day".to_owned()
    } else if rounded.fract() == 0.0 {
        format!("{} days", group(rounded as u64))
    } else {
        format!("{rounded:.1} days")
    }
}

fn span_days(first: i64, last: i64) -> f64 {
    (last - first) as f64 / 86_400_000.0
}

fn utc(millis: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(millis)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn utc_minute(millis: i64) -> String {
    utc(millis).format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A moment in UTC and in the reviewer's local time.
fn moment(at: DateTime<Utc>, offset: FixedOffset) -> String {
    let utc_text = at.format("%Y-%m-%d %H:%M:%S UTC");
    if offset.local_minus_utc() == 0 {
        return format!("{utc_text} (the reviewer's local time is UTC)");
    }
    let local = at.with_timezone(&offset);
    format!(
        "{utc_text} ({} in the reviewer's local time, UTC{offset})",
        local.format("%Y-%m-%d %H:%M:%S")
    )
}

/// A time the case stored as RFC 3339 text, in words (as stored, if it is not).
fn stored_time_words(text: &str) -> String {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => t
            .with_timezone(&Utc)
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        Err(_) => text.to_owned(),
    }
}

/// The last part of a path (a file or folder name), or the path itself.
fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_owned())
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn more_files(section: &mut Section, n: usize) {
    if n > MAX_FILES_LISTED {
        section.paragraph(Paragraph::quiet(format!(
            "… and {} more files, not listed here.",
            group((n - MAX_FILES_LISTED) as u64)
        )));
    }
}

// ---------------------------------------------------------------------------------
// Masking.

/// A finding with the values of a masked field hidden. Only a state discontinuity
/// carries event values (the field's value the earlier events left, and the one this
/// event's `before` gives), worded by `case::continuity` as "…, field F: the earlier
/// events left X, this event's before says Y" with "Expected X, found Y" after it.
fn masked_finding(finding: &StoredFinding, masking: &Masking) -> StoredFinding {
    let mut finding = finding.clone();
    if finding.kind != FindingKind::StateDiscontinuity || masking.is_empty() {
        return finding;
    }
    let Some(field) = finding.detail.as_deref().and_then(|detail| {
        let start = detail.find(", field ")? + ", field ".len();
        let end = detail[start..].find(": ")? + start;
        Some(detail[start..end].to_owned())
    }) else {
        return finding;
    };
    let hidden = field
        .split('.')
        .map(|part| part.split('[').next().unwrap_or(part))
        .any(|name| masking.is_masked(name));
    if !hidden {
        return finding;
    }
    let (Some(expected), Some(actual)) = (finding.expected.clone(), finding.actual.clone()) else {
        return finding;
    };
    let said = format!("left {expected}, this event's before says {actual}");
    let masked = format!("left {MASK}, this event's before says {MASK}");
    let compared = format!("Expected {expected}, found {actual}");
    let masked_compared = format!("Expected {MASK}, found {MASK}");
    if let Some(detail) = &mut finding.detail {
        *detail = detail.replace(&said, &masked);
    }
    finding.message = finding
        .message
        .replace(&said, &masked)
        .replace(&compared, &masked_compared);
    finding.expected = Some(MASK.to_owned());
    finding.actual = Some(MASK.to_owned());
    finding
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discontinuity(field: &str, expected: &str, actual: &str) -> StoredFinding {
        let detail = format!(
            "Order 1842, field {field}: the earlier events left {expected}, this event's before says {actual}"
        );
        let finding = crate::verify::Finding::new(FindingKind::StateDiscontinuity)
            .chain("c")
            .seq(7)
            .detail(detail.clone())
            .expected(expected)
            .actual(actual);
        StoredFinding {
            finding_idx: 1,
            bundle_idx: Some(1),
            kind: FindingKind::StateDiscontinuity,
            severity: Severity::Warning,
            chain: Some("c".into()),
            seq: Some(7),
            seq_end: None,
            file: None,
            line: None,
            event_idx: None,
            expected: Some(expected.into()),
            actual: Some(actual.into()),
            detail: Some(detail),
            message: finding.describe(),
        }
    }

    #[test]
    fn a_masked_fields_values_leave_a_state_discontinuity_and_others_stay() {
        let masking = Masking::new(["email".to_owned()].into());
        let finding = discontinuity("contact.email", "\"a@x.example\"", "\"b@x.example\"");
        assert!(
            finding.message.contains("a@x.example"),
            "{}",
            finding.message
        );
        let masked = masked_finding(&finding, &masking);
        for text in [
            &masked.message,
            masked.detail.as_ref().unwrap(),
            &masked.summary(),
        ] {
            assert!(!text.contains("@x.example"), "{text}");
            assert!(text.contains(MASK), "{text}");
            assert!(text.contains("field contact.email"), "{text}");
        }
        // Another field keeps its values, and so does any finding when nothing is masked.
        let other = discontinuity("status", "\"Draft\"", "\"Shipped\"");
        assert_eq!(masked_finding(&other, &masking), other);
        assert_eq!(masked_finding(&finding, &Masking::default()), finding);
    }

    #[test]
    fn spans_and_sizes_read_as_words() {
        assert_eq!(days_words(0.5), "12.0 hours");
        assert_eq!(days_words(1.0), "1 day");
        assert_eq!(days_words(365.0), "365 days");
        assert_eq!(days_words(9.35), "9.4 days");
        assert_eq!(bytes_words(999), "999 bytes");
        assert_eq!(bytes_words(1_234_567), "1.2 MB (1,234,567 bytes)");
        let offset = FixedOffset::east_opt(3600).unwrap();
        let at = utc(1_772_355_600_000); // 2026-03-01T09:00:00Z
        assert_eq!(
            moment(at, offset),
            "2026-03-01 09:00:00 UTC (2026-03-01 10:00:00 in the reviewer's local time, UTC+01:00)"
        );
    }
}
