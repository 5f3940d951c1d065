//! The report as one self-contained HTML file: no script, no external resource, one
//! inline `<style>` (allowed by its SHA-256 in the page's Content-Security-Policy, so
//! nothing else may style or run), and print rules so a browser prints it to PDF with
//! clean page breaks (sections on new pages, rows and findings kept whole, table
//! headers repeated).
//!
//! Every piece of text is escaped (`& < > " '`) and control characters are shown as
//! U+FFFD: text from events is data here, never markup. This module must never write
//! a `<script>`, an event handler, a link or a URL.

use sha2::{Digest, Sha256};

use super::doc::{
    Block, Cell, Document, FindingBlock, KeyValue, Paragraph, Section, Table, Tone, VerdictBlock,
    shown_char,
};

/// The page's styles: calm typography for the screen, A4 pages for print.
const STYLE: &str = r#"
:root { --ink: #1d2433; --quiet: #5b6475; --rule: #d8dce3; --wash: #f4f6f9;
  --proven: #17693a; --partial: #8a5a00; --not-proven: #4d5766; --failed: #a8231a; --neutral: #5b6475; }
* { box-sizing: border-box; }
html { background: #e9ecf1; }
body { margin: 0; color: var(--ink); font: 10.5pt/1.5 "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 210mm; margin: 24px auto; background: #fff; padding: 18mm 18mm 24mm; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
h1 { font-size: 24pt; line-height: 1.2; margin: 0 0 6px; letter-spacing: -0.01em; }
.subtitle { font-size: 12pt; color: var(--quiet); margin: 0 0 18px; }
.kicker { text-transform: uppercase; letter-spacing: .14em; font-size: 8pt; color: var(--quiet); margin: 0 0 28px; border-bottom: 2px solid var(--ink); padding-bottom: 6px; }
h2 { font-size: 15pt; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); break-after: avoid; }
h3 { font-size: 11.5pt; margin: 18px 0 6px; break-after: avoid; }
p { margin: 0 0 8px; }
p.quiet { font-size: 9pt; color: var(--quiet); }
p, td { overflow-wrap: anywhere; }
table { width: 100%; border-collapse: collapse; margin: 6px 0 14px; font-size: 9pt; }
table.data { table-layout: fixed; }
thead { display: table-header-group; }
th { text-align: left; background: var(--wash); border-bottom: 1px solid #b9c0cc; padding: 5px 6px; font-weight: 600; font-size: 8.5pt; hyphens: manual; }
td { border-bottom: 1px solid var(--rule); padding: 5px 6px; vertical-align: top; }
tr { break-inside: avoid; }
table.kv td { border: none; padding: 3px 6px 3px 0; }
table.kv td.k { color: var(--quiet); width: 30%; }
.tone-proven { color: var(--proven); font-weight: 600; }
.tone-partial { color: var(--partial); font-weight: 600; }
.tone-not-proven { color: var(--not-proven); font-weight: 600; }
.tone-failed { color: var(--failed); font-weight: 600; }
.tone-neutral { color: var(--neutral); font-weight: 600; }
.verdict { border: 1px solid var(--rule); border-left: 5px solid var(--neutral); background: var(--wash); padding: 10px 14px; margin: 10px 0 16px; break-inside: avoid; }
.verdict .status { text-transform: uppercase; letter-spacing: .1em; font-size: 8pt; font-weight: 700; margin: 0 0 2px; }
.verdict .title { font-size: 12.5pt; font-weight: 700; margin: 0 0 4px; }
.verdict p:last-child, .finding p:last-child { margin-bottom: 0; }
.verdict.tone-proven, .finding.tone-proven { border-left-color: var(--proven); font-weight: normal; color: inherit; }
.verdict.tone-partial, .finding.tone-partial { border-left-color: var(--partial); font-weight: normal; color: inherit; }
.verdict.tone-not-proven, .finding.tone-not-proven { border-left-color: var(--not-proven); font-weight: normal; color: inherit; }
.verdict.tone-failed, .finding.tone-failed { border-left-color: var(--failed); font-weight: normal; color: inherit; }
.verdict.tone-neutral, .finding.tone-neutral { border-left-color: var(--neutral); font-weight: normal; color: inherit; }
.finding { border-left: 4px solid var(--neutral); padding: 4px 0 4px 12px; margin: 0 0 10px; break-inside: avoid; }
.finding .label { font-size: 8pt; font-weight: 700; text-transform: uppercase; letter-spacing: .08em; margin: 0; }
.finding .place { font-size: 8.5pt; color: var(--quiet); }
section.cover { break-after: page; }
.keep { break-inside: avoid; }
@media print {
  @page { size: A4; margin: 16mm 16mm 18mm; }
  html, body { background: #fff; }
  main { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  section.major { break-before: page; }
  h2 { margin-top: 0; }
}
"#;

/// The report as an HTML file.
pub fn render(doc: &Document) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let style = style_of(doc);
    let style_hash = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        Sha256::digest(style.as_bytes()),
    );
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    // Nothing may run or load: no script source at all, no other style than this one.
    out.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'none'; style-src 'sha256-{style_hash}'; img-src 'none'; font-src 'none'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'\">\n"
    ));
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<meta name=\"generator\" content=\"Trailscope {}\">\n",
        escape(env!("CARGO_PKG_VERSION"))
    ));
    out.push_str(&format!("<title>{}</title>\n", escape(&doc.title)));
    out.push_str("<style>");
    out.push_str(&style);
    out.push_str("</style>\n</head>\n<body>\n<main>\n");

    out.push_str("<section class=\"cover\">\n");
    out.push_str(&format!(
        "<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n",
        escape(&doc.running_title),
        escape(&doc.title),
        escape(&doc.subtitle)
    ));
    for block in &doc.cover {
        block_html(&mut out, block);
    }
    out.push_str("</section>\n");

    for section in &doc.sections {
        section_html(&mut out, section);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The page's styles, with a rule for each column width the tables use (a class per
/// width: the policy trusts no `style` attribute).
fn style_of(doc: &Document) -> String {
    let widths: std::collections::BTreeSet<u32> = doc
        .cover
        .iter()
        .chain(doc.sections.iter().flat_map(|s| &s.blocks))
        .flat_map(tables)
        .flat_map(column_percents)
        .collect();
    let mut style = STYLE.to_owned();
    for width in widths {
        style.push_str(&format!("col.w{width} {{ width: {width}%; }}\n"));
    }
    style
}

/// The tables of a block (one kept together may hold some).
fn tables(block: &Block) -> Vec<&Table> {
    match block {
        Block::Table(table) => vec![table],
        Block::Keep(blocks) => blocks.iter().flat_map(tables).collect(),
        _ => Vec::new(),
    }
}

/// Each column's share of its table's width, in whole percent.
fn column_percents(table: &Table) -> Vec<u32> {
    let total: f32 = table
        .columns
        .iter()
        .map(|c| c.weight)
        .sum::<f32>()
        .max(1e-3);
    table
        .columns
        .iter()
        .map(|c| (c.weight / total * 100.0).round() as u32)
        .collect()
}

fn section_html(out: &mut String, section: &Section) {
    let class = if section.page_break_before {
        " class=\"major\""
    } else {
        ""
    };
    out.push_str(&format!(
        "<section{class}>\n<h2>{}</h2>\n",
        escape(&section.heading)
    ));
    for block in &section.blocks {
        block_html(out, block);
    }
    out.push_str("</section>\n");
}

fn block_html(out: &mut String, block: &Block) {
    match block {
        Block::Heading(text) => out.push_str(&format!("<h3>{}</h3>\n", escape(text))),
        Block::Paragraph(paragraph) => paragraph_html(out, paragraph, None),
        Block::KeyValues(lines) => key_values_html(out, lines),
        Block::Table(table) => table_html(out, table),
        Block::Verdict(verdict) => verdict_html(out, verdict),
        Block::Finding(finding) => finding_html(out, finding),
        Block::Keep(blocks) => {
            out.push_str("<div class=\"keep\">\n");
            for block in blocks {
                block_html(out, block);
            }
            out.push_str("</div>\n");
        }
    }
}

fn paragraph_html(out: &mut String, paragraph: &Paragraph, class: Option<&str>) {
    let class = class.or(paragraph.quiet.then_some("quiet"));
    match class {
        Some(class) => out.push_str(&format!("<p class=\"{class}\">")),
        None => out.push_str("<p>"),
    }
    runs_html(out, paragraph);
    out.push_str("</p>\n");
}

fn runs_html(out: &mut String, paragraph: &Paragraph) {
    for run in &paragraph.runs {
        if run.emphasis {
            out.push_str(&format!("<strong>{}</strong>", escape(&run.text)));
        } else {
            out.push_str(&escape(&run.text));
        }
    }
}

fn key_values_html(out: &mut String, lines: &[KeyValue]) {
    out.push_str("<table class=\"kv\">\n<tbody>\n");
    for line in lines {
        out.push_str(&format!(
            "<tr><td class=\"k\">{}</td><td>",
            escape(&line.key)
        ));
        runs_html(out, &line.value);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn table_html(out: &mut String, table: &Table) {
    out.push_str("<table class=\"data\">\n<colgroup>");
    for percent in column_percents(table) {
        out.push_str(&format!("<col class=\"w{percent}\">"));
    }
    out.push_str("</colgroup>\n<thead><tr>");
    for column in &table.columns {
        out.push_str(&format!("<th>{}</th>", escape(&column.title)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for cell in row {
            cell_html(out, cell);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn cell_html(out: &mut String, cell: &Cell) {
    match cell.tone {
        Some(tone) => out.push_str(&format!(
            "<td class=\"{}\">{}</td>",
            tone_class(tone),
            escape(&cell.text)
        )),
        None => out.push_str(&format!("<td>{}</td>", escape(&cell.text))),
    }
}

fn verdict_html(out: &mut String, verdict: &VerdictBlock) {
    out.push_str(&format!(
        "<div class=\"verdict {}\">\n<p class=\"status {}\">{}</p>\n<p class=\"title\">{}</p>\n",
        tone_class(verdict.tone),
        tone_class(verdict.tone),
        escape(&verdict.status),
        escape(&verdict.title)
    ));
    paragraph_html(out, &verdict.text, None);
    out.push_str("</div>\n");
}

fn finding_html(out: &mut String, finding: &FindingBlock) {
    out.push_str(&format!(
        "<div class=\"finding {}\">\n<p class=\"label {}\">{}</p>\n<p>{}</p>\n",
        tone_class(finding.tone),
        tone_class(finding.tone),
        escape(&finding.label),
        escape(&finding.text)
    ));
    if !finding.place.is_empty() {
        out.push_str(&format!(
            "<p class=\"place\">{}</p>\n",
            escape(&finding.place)
        ));
    }
    out.push_str("</div>\n");
}

fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Proven => "tone-proven",
        Tone::Partial => "tone-partial",
        Tone::NotProven => "tone-not-proven",
        Tone::Failed => "tone-failed",
        Tone::Neutral => "tone-neutral",
    }
}

/// Text as HTML text: the five characters that could open or close markup or an
/// attribute are escaped, control characters shown as U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(shown_char(c)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc::{Column, Paragraph};

    fn doc_with(text: &str) -> Document {
        let mut section = Section::new(text, true);
        section.paragraph(Paragraph::plain(text).strong(text));
        section.push(Block::Heading(text.to_owned()));
        section.push(Block::KeyValues(vec![KeyValue::new(text, text)]));
        section.push(Block::Table(Table {
            columns: vec![Column {
                title: text.to_owned(),
                weight: 1.0,
            }],
            rows: vec![vec![Cell::toned(text, Tone::Failed)]],
        }));
        section.push(Block::Verdict(VerdictBlock {
            tone: Tone::Failed,
            status: text.to_owned(),
            title: text.to_owned(),
            text: Paragraph::plain(text),
        }));
        section.push(Block::Finding(FindingBlock {
            tone: Tone::Failed,
            label: text.to_owned(),
            text: text.to_owned(),
            place: text.to_owned(),
        }));
        Document {
            title: text.to_owned(),
            subtitle: text.to_owned(),
            running_title: text.to_owned(),
            cover: vec![Block::Paragraph(Paragraph::plain(text))],
            sections: vec![section],
        }
    }

    #[test]
    fn markup_in_any_text_is_escaped_everywhere_it_is_shown() {
        let hostile = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>&amp;\u{0}";
        let html = render(&doc_with(hostile));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"));
        assert!(!html.contains("'x'"));
        assert!(!html.contains('\u{0}'));
        let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;\u{FFFD}";
        // <title>, kicker, h1, subtitle, cover, heading, paragraph (twice), sub-heading,
        // key, value, column, cell, status, title, text, label, text, place.
        assert_eq!(html.matches(escaped).count(), 19, "{html}");
    }

    #[test]
    fn the_policy_allows_the_one_inline_style_and_no_script() {
        let html = render(&doc_with("plain"));
        let doc = doc_with("plain");
        let hash = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            Sha256::digest(style_of(&doc).as_bytes()),
        );
        assert!(style_of(&doc).contains("col.w100 { width: 100%; }"));
        assert!(html.contains(&format!("style-src 'sha256-{hash}'")));
        assert!(html.contains("script-src 'none'"));
        assert_eq!(html.matches("<style>").count(), 1);
        assert!(!html.contains(" style="));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }
}
