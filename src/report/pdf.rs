//! The report as a PDF written by the engine (typst's `pdf-writer`): A4 pages with
//! margins, wrapped lines, tables whose rows wrap and never split (unless taller than a
//! page) and whose header repeats, verdicts and findings kept whole, major sections on
//! new pages, and "Page 3 of 12" at the foot of each page.
//!
//! **Fonts.** DejaVu Sans and DejaVu Sans Bold (Debian's `fonts-dejavu-core`) are read
//! at run time and embedded as CID fonts, subset to the glyphs used (typst's
//! `subsetter`; the whole font if subsetting fails), with a ToUnicode map so every
//! character can be searched, copied and extracted (`pdftotext`). Each distinct
//! character gets its own CID, even one the font has no glyph for: such a character
//! is drawn as the font's empty box but its CID still maps to it, so it is never lost
//! from the text. How each script degrades:
//! - Latin, Greek, Cyrillic, Armenian, Georgian: drawn by DejaVu Sans.
//! - Hebrew and Arabic: drawn, but left to right in the order they are stored, and
//!   Arabic letters in their isolated forms (no bidi reordering, no shaping); the text
//!   layer keeps the characters in their stored order.
//! - CJK, emoji and other characters DejaVu Sans lacks: an empty box each; the text
//!   layer keeps the characters.
//! - Control characters: shown as U+FFFD (a line break in a value breaks the line).
//!
//! When DejaVu Sans is missing, the PDF uses the built-in Courier (nothing embedded):
//! characters outside its Western European encoding (WinAnsi) are written as '?', and
//! the first page says so in a line of its own. The HTML report shows every character.
//!
//! Nothing here reads the case or decides anything: it draws a `Document`.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Rect, Ref, Str, TextStr};
use sha2::{Digest, Sha256};

use super::doc::{
    Block, Cell, Document, FindingBlock, KeyValue, Paragraph, Section, Table, Tone, VerdictBlock,
    shown_char,
};

/// Where Debian's `fonts-dejavu-core` puts the fonts.
pub const DEJAVU_DIR: &str = "/usr/share/fonts/truetype/dejavu";
const REGULAR_FILE: &str = "DejaVuSans.ttf";
const BOLD_FILE: &str = "DejaVuSans-Bold.ttf";

/// How to write the PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfOptions {
    /// The folder holding `DejaVuSans.ttf` and `DejaVuSans-Bold.ttf`.
    pub font_dir: PathBuf,
}

impl Default for PdfOptions {
    fn default() -> Self {
        PdfOptions {
            font_dir: PathBuf::from(DEJAVU_DIR),
        }
    }
}

/// The font the PDF was written with.
#[derive(Debug, Clone, PartialEq)]
pub enum PdfFont {
    /// DejaVu Sans (and its bold, when found), embedded.
    DejaVuSans,
    /// The built-in Courier, because DejaVu Sans could not be read (why).
    Courier { why: String },
}

/// A written PDF.
#[derive(Debug, Clone)]
pub struct PdfReport {
    pub bytes: Vec<u8>,
    pub pages: usize,
    pub font: PdfFont,
}

/// Draws the document as a PDF.
pub fn render(doc: &Document, options: &PdfOptions) -> PdfReport {
    let regular = read_font(&options.font_dir.join(REGULAR_FILE));
    let bold = read_font(&options.font_dir.join(BOLD_FILE));
    let (mut faces, font) = match &regular {
        Ok(data) => match Embedded::new(data) {
            Ok(regular) => {
                let bold = bold.as_ref().ok().and_then(|data| Embedded::new(data).ok());
                (
                    Faces::Embedded {
                        regular: Box::new(regular),
                        bold: bold.map(Box::new),
                    },
                    PdfFont::DejaVuSans,
                )
            }
            Err(why) => (Faces::Courier, PdfFont::Courier { why }),
        },
        Err(why) => (Faces::Courier, PdfFont::Courier { why: why.clone() }),
    };
    let mut layout = Layout::new(&mut faces);
    if let PdfFont::Courier { why } = &font {
        layout.font_notice(why);
    }
    layout.cover(doc);
    for section in &doc.sections {
        layout.section(section);
    }
    let pages = layout.finish(&doc.running_title);
    let n_pages = pages.len();
    let bytes = write_pdf(&doc.title, pages, &mut faces);
    PdfReport {
        bytes,
        pages: n_pages,
        font,
    }
}

fn read_font(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| {
        format!(
            "{} could not be read ({e}); install the Debian package fonts-dejavu-core",
            path.display()
        )
    })
}

// ---------------------------------------------------------------------------------
// Fonts: an embedded TrueType font (CIDs handed out per character) or built-in Courier.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
}

/// An embedded font: each character used gets a CID (from 1; 0 is the empty glyph),
/// with its glyph in the font, its width and the character it stands for.
struct Embedded<'a> {
    data: &'a [u8],
    face: ttf_parser::Face<'a>,
    units_per_em: f32,
    cids: HashMap<char, u16>,
    glyphs: Vec<u16>,
    widths: Vec<f32>,
    chars: Vec<char>,
}

impl<'a> Embedded<'a> {
    fn new(data: &'a [u8]) -> Result<Embedded<'a>, String> {
        let face = ttf_parser::Face::parse(data, 0)
            .map_err(|e| format!("the font could not be read: {e}"))?;
        let units_per_em = f32::from(face.units_per_em());
        let notdef = face
            .glyph_hor_advance(ttf_parser::GlyphId(0))
            .map_or(500.0, |a| f32::from(a) * 1000.0 / units_per_em);
        Ok(Embedded {
            data,
            face,
            units_per_em,
            cids: HashMap::new(),
            glyphs: vec![0],
            widths: vec![notdef],
            chars: vec!['\u{FFFD}'],
        })
    }

    /// The CID of a character, handed out on first use.
    fn cid(&mut self, c: char) -> u16 {
        if let Some(&cid) = self.cids.get(&c) {
            return cid;
        }
        if self.glyphs.len() >= usize::from(u16::MAX) {
            // 65,535 distinct characters in one report: the rest share the empty glyph.
            return 0;
        }
        let glyph = self.face.glyph_index(c).map_or(0, |g| g.0);
        let advance = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .map_or(0.0, |a| f32::from(a) * 1000.0 / self.units_per_em);
        let cid = self.glyphs.len() as u16;
        self.glyphs.push(glyph);
        self.widths.push(advance);
        self.chars.push(c);
        self.cids.insert(c, cid);
        cid
    }

    fn width(&mut self, c: char) -> f32 {
        let cid = self.cid(c);
        self.widths[usize::from(cid)]
    }
}

enum Faces<'a> {
    Embedded {
        regular: Box<Embedded<'a>>,
        /// `None` when DejaVu Sans Bold is missing: bold text is drawn regular.
        bold: Option<Box<Embedded<'a>>>,
    },
    Courier,
}

impl Faces<'_> {
    /// A character's advance in thousandths of the font size.
    fn width(&mut self, weight: Weight, c: char) -> f32 {
        match self {
            Faces::Embedded { regular, bold } => match (weight, bold) {
                (Weight::Bold, Some(bold)) => bold.width(c),
                _ => regular.width(c),
            },
            Faces::Courier => 600.0,
        }
    }

    fn text_width(&mut self, weight: Weight, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.width(weight, c)).sum::<f32>() * size / 1000.0
    }

    /// The bytes that show `text`: two-byte CIDs, or WinAnsi codes ('?' for the rest).
    fn encode(&mut self, weight: Weight, text: &str) -> Vec<u8> {
        match self {
            Faces::Embedded { regular, bold } => {
                let font = match (weight, bold) {
                    (Weight::Bold, Some(bold)) => bold.as_mut(),
                    _ => regular.as_mut(),
                };
                text.chars()
                    .flat_map(|c| font.cid(c).to_be_bytes())
                    .collect()
            }
            Faces::Courier => text.chars().map(|c| win_ansi(c).unwrap_or(b'?')).collect(),
        }
    }
}

/// A character's code in WinAnsiEncoding (PDF 1.7 Annex D), if it has one.
fn win_ansi(c: char) -> Option<u8> {
    const HIGH: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8A),
        ('‹', 0x8B),
        ('Œ', 0x8C),
        ('Ž', 0x8E),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9A),
        ('›', 0x9B),
        ('œ', 0x9C),
        ('ž', 0x9E),
        ('Ÿ', 0x9F),
    ];
    match u32::from(c) {
        code @ (0x20..=0x7E | 0xA0..=0xFF) => Some(code as u8),
        _ => HIGH.iter().find(|(h, _)| *h == c).map(|(_, code)| *code),
    }
}

// ---------------------------------------------------------------------------------
// Layout: blocks into pages of drawing operations.

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 62.0;
const RIGHT: f32 = 62.0;
const TOP: f32 = 62.0;
const BOTTOM: f32 = 70.0;
const WIDTH: f32 = PAGE_W - LEFT - RIGHT;
const SOFT_HYPHEN: char = '\u{AD}';

type Rgb = (f32, f32, f32);
const INK: Rgb = (0.114, 0.141, 0.2);
const QUIET: Rgb = (0.357, 0.392, 0.459);
const RULE: Rgb = (0.847, 0.863, 0.89);
const WASH: Rgb = (0.957, 0.965, 0.976);

fn tone_color(tone: Tone) -> Rgb {
    match tone {
        Tone::Proven => (0.09, 0.41, 0.227),
        Tone::Partial => (0.541, 0.353, 0.0),
        Tone::NotProven => (0.302, 0.341, 0.4),
        Tone::Failed => (0.659, 0.137, 0.102),
        Tone::Neutral => QUIET,
    }
}

/// A drawing operation; `y` is measured down from the top of the page.
enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        color: Rgb,
        text: String,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
}

/// Text in one style.
#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    leading: f32,
    color: Rgb,
}

const BODY: Style = Style {
    size: 9.5,
    leading: 14.0,
    color: INK,
};
const SMALL: Style = Style {
    size: 8.5,
    leading: 12.0,
    color: INK,
};
const NOTE: Style = Style {
    size: 8.0,
    leading: 11.5,
    color: QUIET,
};

/// One wrapped line: pieces of one weight each, and its width.
#[derive(Debug, Clone, Default)]
struct Line {
    pieces: Vec<(Weight, String)>,
}

struct Layout<'f, 'a> {
    faces: &'f mut Faces<'a>,
    pages: Vec<Vec<Op>>,
    /// The cursor, down from the top of the current page.
    y: f32,
}

impl<'f, 'a> Layout<'f, 'a> {
    fn new(faces: &'f mut Faces<'a>) -> Self {
        Layout {
            faces,
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn room(&self) -> f32 {
        PAGE_H - BOTTOM - self.y
    }

    fn at_top(&self) -> bool {
        self.y <= TOP + 0.01
    }

    /// Starts a new page unless `height` fits on this one (or this page is empty).
    fn ensure(&mut self, height: f32) {
        if height > self.room() && !self.at_top() {
            self.new_page();
        }
    }

    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.ops().push(Op::Fill { x, y, w, h, color });
    }

    fn text(&mut self, x: f32, baseline: f32, size: f32, weight: Weight, color: Rgb, text: &str) {
        if text.is_empty() {
            return;
        }
        self.ops().push(Op::Text {
            x,
            baseline,
            size,
            weight,
            color,
            text: text.to_owned(),
        });
    }

    /// Draws one wrapped line with its top at `top`.
    fn draw_line(&mut self, line: &Line, x: f32, top: f32, style: Style, color: Rgb) {
        let baseline = top + (style.leading + style.size * 0.72) / 2.0;
        let mut x = x;
        for (weight, text) in &line.pieces {
            self.text(x, baseline, style.size, *weight, color, text);
            x += self.faces.text_width(*weight, text, style.size);
        }
    }

    /// Wraps runs of text to `width` points: at spaces, and inside a word only when the
    /// word alone is wider than a line (a hash, a long path). A line break in the text
    /// breaks the line.
    fn wrap(&mut self, runs: &[(&str, Weight)], size: f32, width: f32) -> Vec<Line> {
        let mut lines: Vec<Vec<(char, Weight)>> = Vec::new();
        let mut line: Vec<(char, Weight)> = Vec::new();
        let mut line_w = 0.0;
        let mut word: Vec<(char, Weight)> = Vec::new();
        let mut space: Option<Weight> = None;
        let scale = size / 1000.0;

        let chars = runs.iter().flat_map(|(text, weight)| {
            text.chars().map(move |c| {
                let c = if c == '\t' { ' ' } else { shown_char(c) };
                (c, *weight)
            })
        });
        // Places the word held in `word` on the lines. A soft hyphen (U+00AD) in it is a
        // place it may break, shown as '-' there and as nothing elsewhere.
        let place = |word: &mut Vec<(char, Weight)>,
                     space: &mut Option<Weight>,
                     line: &mut Vec<(char, Weight)>,
                     line_w: &mut f32,
                     lines: &mut Vec<Vec<(char, Weight)>>,
                     faces: &mut Faces<'_>| {
            let mut rest: Vec<(char, Weight)> = std::mem::take(word);
            while !rest.is_empty() {
                let visible: Vec<(char, Weight)> = rest
                    .iter()
                    .copied()
                    .filter(|(c, _)| *c != SOFT_HYPHEN)
                    .collect();
                let word_w: f32 = visible
                    .iter()
                    .map(|(c, w)| faces.width(*w, *c))
                    .sum::<f32>()
                    * scale;
                let space_w = match space {
                    Some(weight) if !line.is_empty() => faces.width(*weight, ' ') * scale,
                    _ => 0.0,
                };
                let room = width - *line_w - space_w;
                if word_w <= room {
                    push_space(line, *space);
                    line.extend(visible);
                    *line_w += space_w + word_w;
                    break;
                }
                // The longest part up to a soft hyphen that fits with its '-'.
                let mut split = None;
                let mut part_w = 0.0;
                for (i, (c, weight)) in rest.iter().enumerate() {
                    if *c == SOFT_HYPHEN {
                        if part_w + faces.width(*weight, '-') * scale <= room {
                            split = Some(i);
                        }
                    } else {
                        part_w += faces.width(*weight, *c) * scale;
                    }
                }
                if let Some(i) = split {
                    push_space(line, *space);
                    let weight = rest[i].1;
                    line.extend(rest[..i].iter().copied().filter(|(c, _)| *c != SOFT_HYPHEN));
                    line.push(('-', weight));
                    lines.push(std::mem::take(line));
                    *line_w = 0.0;
                    *space = None;
                    rest.drain(..=i);
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(line));
                    *line_w = 0.0;
                    *space = None;
                    continue;
                }
                // Alone and still too wide (a hash, a long path): break anywhere.
                for (c, weight) in visible {
                    let w = faces.width(weight, c) * scale;
                    if !line.is_empty() && *line_w + w > width {
                        lines.push(std::mem::take(line));
                        *line_w = 0.0;
                    }
                    line.push((c, weight));
                    *line_w += w;
                }
                break;
            }
            *space = None;
        };
        for (c, weight) in chars {
            match c {
                ' ' => {
                    place(
                        &mut word,
                        &mut space,
                        &mut line,
                        &mut line_w,
                        &mut lines,
                        self.faces,
                    );
                    space = Some(weight);
                }
                '\n' => {
                    place(
                        &mut word,
                        &mut space,
                        &mut line,
                        &mut line_w,
                        &mut lines,
                        self.faces,
                    );
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                    space = None;
                }
                c => word.push((c, weight)),
            }
        }
        place(
            &mut word,
            &mut space,
            &mut line,
            &mut line_w,
            &mut lines,
            self.faces,
        );
        if !line.is_empty() {
            lines.push(line);
        }
        lines
            .into_iter()
            .map(|chars| {
                let mut pieces: Vec<(Weight, String)> = Vec::new();
                for (c, weight) in chars {
                    match pieces.last_mut() {
                        Some((w, text)) if *w == weight => text.push(c),
                        _ => pieces.push((weight, c.to_string())),
                    }
                }
                Line { pieces }
            })
            .collect()
    }

    fn wrap_paragraph(&mut self, paragraph: &Paragraph, size: f32, width: f32) -> Vec<Line> {
        let runs: Vec<(&str, Weight)> = paragraph
            .runs
            .iter()
            .map(|r| {
                let weight = if r.emphasis {
                    Weight::Bold
                } else {
                    Weight::Regular
                };
                (r.text.as_str(), weight)
            })
            .collect();
        self.wrap(&runs, size, width)
    }

    /// Lines that may break across pages.
    fn flow(&mut self, lines: &[Line], x: f32, style: Style) {
        for line in lines {
            self.ensure(style.leading);
            let top = self.y;
            self.draw_line(line, x, top, style, style.color);
            self.y += style.leading;
        }
    }

    fn font_notice(&mut self, why: &str) {
        let text = format!(
            "The font DejaVu Sans was not found ({why}). This PDF uses the built-in Courier font: characters outside Western European Latin are shown as '?'. The HTML report shows every character."
        );
        let lines = self.wrap(&[(&text, Weight::Bold)], SMALL.size, WIDTH - 16.0);
        let h = lines.len() as f32 * SMALL.leading + 12.0;
        let top = self.y;
        self.fill(LEFT, top, WIDTH, h, (0.99, 0.93, 0.92));
        self.fill(LEFT, top, 3.0, h, tone_color(Tone::Failed));
        self.y += 6.0;
        let red = tone_color(Tone::Failed);
        for line in &lines {
            let y = self.y;
            self.draw_line(line, LEFT + 10.0, y, SMALL, red);
            self.y += SMALL.leading;
        }
        self.y += 6.0 + 14.0;
    }

    fn cover(&mut self, doc: &Document) {
        let kicker = doc.running_title.to_uppercase();
        let top = self.y;
        self.text(LEFT, top + 8.0, 8.0, Weight::Bold, QUIET, &kicker);
        self.fill(LEFT, top + 14.0, WIDTH, 1.6, INK);
        self.y += 52.0;
        let title = self.wrap(&[(&doc.title, Weight::Bold)], 24.0, WIDTH);
        let title_style = Style {
            size: 24.0,
            leading: 30.0,
            color: INK,
        };
        self.flow(&title, LEFT, title_style);
        self.y += 2.0;
        let subtitle = self.wrap(&[(&doc.subtitle, Weight::Regular)], 12.0, WIDTH);
        let subtitle_style = Style {
            size: 12.0,
            leading: 17.0,
            color: QUIET,
        };
        self.flow(&subtitle, LEFT, subtitle_style);
        self.y += 22.0;
        for block in &doc.cover {
            self.block(block);
        }
    }

    fn section(&mut self, section: &Section) {
        if section.page_break_before {
            if !self.at_top() {
                self.new_page();
            }
        } else {
            self.y += 10.0;
            // A heading with at least a few lines under it.
            self.ensure(80.0);
        }
        let lines = self.wrap(&[(&section.heading, Weight::Bold)], 15.0, WIDTH);
        let style = Style {
            size: 15.0,
            leading: 20.0,
            color: INK,
        };
        self.flow(&lines, LEFT, style);
        let y = self.y + 2.0;
        self.fill(LEFT, y, WIDTH, 0.8, RULE);
        self.y += 12.0;
        for block in &section.blocks {
            self.block(block);
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading(text) => {
                self.y += 6.0;
                self.ensure(60.0);
                let lines = self.wrap(&[(text, Weight::Bold)], 11.5, WIDTH);
                let style = Style {
                    size: 11.5,
                    leading: 16.0,
                    color: INK,
                };
                self.flow(&lines, LEFT, style);
                self.y += 4.0;
            }
            Block::Paragraph(paragraph) => {
                let style = if paragraph.quiet { NOTE } else { BODY };
                let lines = self.wrap_paragraph(paragraph, style.size, WIDTH);
                self.flow(&lines, LEFT, style);
                self.y += 6.0;
            }
            Block::KeyValues(lines) => self.key_values(lines),
            Block::Table(table) => self.table(table),
            Block::Verdict(verdict) => self.verdict(verdict),
            Block::Finding(finding) => self.finding(finding),
            Block::Keep(blocks) => {
                if let Some(height) = self.height_of(blocks) {
                    self.ensure(height);
                }
                for block in blocks {
                    self.block(block);
                }
            }
        }
    }

    /// The height blocks take from the top of a page, if they fit on one.
    fn height_of(&mut self, blocks: &[Block]) -> Option<f32> {
        let mut scratch = Layout {
            faces: &mut *self.faces,
            pages: vec![Vec::new()],
            y: TOP,
        };
        for block in blocks {
            scratch.block(block);
        }
        (scratch.pages.len() == 1).then_some(scratch.y - TOP)
    }

    fn key_values(&mut self, lines: &[KeyValue]) {
        let key_w = WIDTH * 0.3;
        let value_w = WIDTH - key_w - 8.0;
        for kv in lines {
            let key = self.wrap(&[(&kv.key, Weight::Regular)], BODY.size, key_w - 6.0);
            let value = self.wrap_paragraph(&kv.value, BODY.size, value_w);
            let n = key.len().max(value.len()).max(1);
            let h = n as f32 * BODY.leading + 3.0;
            self.ensure(h);
            let top = self.y;
            for (i, line) in key.iter().enumerate() {
                self.draw_line(line, LEFT, top + i as f32 * BODY.leading, BODY, QUIET);
            }
            for (i, line) in value.iter().enumerate() {
                self.draw_line(line, LEFT + key_w, top + i as f32 * BODY.leading, BODY, INK);
            }
            self.y += h;
        }
        self.y += 8.0;
    }

    fn table(&mut self, table: &Table) {
        const PAD: f32 = 4.0;
        let total: f32 = table
            .columns
            .iter()
            .map(|c| c.weight)
            .sum::<f32>()
            .max(1e-3);
        let widths: Vec<f32> = table
            .columns
            .iter()
            .map(|c| c.weight / total * WIDTH)
            .collect();
        let header: Vec<Vec<Line>> = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| self.wrap(&[(&c.title, Weight::Bold)], SMALL.size, w - 2.0 * PAD))
            .collect();
        let header_h = rows_height(&header) + 2.0 * PAD;
        // The header and the first row stay together.
        let first_h = table.rows.first().map_or(0.0, |row| {
            let cells = self.wrap_cells(row, &widths, PAD);
            rows_height(&cells) + 2.0 * PAD
        });
        self.ensure(header_h + first_h.min(PAGE_H - TOP - BOTTOM - header_h));
        self.table_header(&header, &widths, header_h, PAD);
        for row in &table.rows {
            let cells = self.wrap_cells(row, &widths, PAD);
            let tones: Vec<Option<Tone>> = row.iter().map(|c| c.tone).collect();
            let n_lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let mut from = 0;
            while from < n_lines {
                let fits = ((self.room() - 2.0 * PAD) / SMALL.leading).floor().max(0.0) as usize;
                let left = n_lines - from;
                // A row that fits on a page is never split; a taller one fills pages.
                let fresh_fits = ((PAGE_H - TOP - BOTTOM - header_h - 2.0 * PAD) / SMALL.leading)
                    .floor() as usize;
                if fits < left && (left <= fresh_fits || fits == 0) {
                    self.new_page();
                    self.table_header(&header, &widths, header_h, PAD);
                    continue;
                }
                let count = left.min(fits.max(1));
                self.table_row(&cells, &tones, &widths, from, count, PAD);
                from += count;
            }
        }
        self.y += 10.0;
    }

    fn wrap_cells(&mut self, row: &[Cell], widths: &[f32], pad: f32) -> Vec<Vec<Line>> {
        row.iter()
            .zip(widths)
            .map(|(cell, w)| {
                let weight = if cell.tone.is_some() {
                    Weight::Bold
                } else {
                    Weight::Regular
                };
                self.wrap(&[(&cell.text, weight)], SMALL.size, w - 2.0 * pad)
            })
            .collect()
    }

    fn table_header(&mut self, header: &[Vec<Line>], widths: &[f32], h: f32, pad: f32) {
        let top = self.y;
        self.fill(LEFT, top, WIDTH, h, WASH);
        self.fill(LEFT, top + h - 0.8, WIDTH, 0.8, (0.725, 0.753, 0.8));
        let mut x = LEFT;
        for (lines, w) in header.iter().zip(widths) {
            for (i, line) in lines.iter().enumerate() {
                self.draw_line(
                    line,
                    x + pad,
                    top + pad + i as f32 * SMALL.leading,
                    SMALL,
                    INK,
                );
            }
            x += w;
        }
        self.y += h;
    }

    fn table_row(
        &mut self,
        cells: &[Vec<Line>],
        tones: &[Option<Tone>],
        widths: &[f32],
        from: usize,
        count: usize,
        pad: f32,
    ) {
        let top = self.y;
        let mut x = LEFT;
        for ((lines, w), tone) in cells.iter().zip(widths).zip(tones) {
            let color = tone.map_or(INK, tone_color);
            for (i, line) in lines.iter().skip(from).take(count).enumerate() {
                self.draw_line(
                    line,
                    x + pad,
                    top + pad + i as f32 * SMALL.leading,
                    SMALL,
                    color,
                );
            }
            x += w;
        }
        let h = count as f32 * SMALL.leading + 2.0 * pad;
        self.fill(LEFT, top + h - 0.5, WIDTH, 0.5, RULE);
        self.y += h;
    }

    fn verdict(&mut self, verdict: &VerdictBlock) {
        const PAD: f32 = 11.0;
        let inner = WIDTH - 2.0 * PAD - 4.0;
        let status = self.wrap(
            &[(&verdict.status.to_uppercase(), Weight::Bold)],
            7.5,
            inner,
        );
        let title = self.wrap(&[(&verdict.title, Weight::Bold)], 12.5, inner);
        let text = self.wrap_paragraph(&verdict.text, BODY.size, inner);
        let status_style = Style {
            size: 7.5,
            leading: 11.0,
            color: tone_color(verdict.tone),
        };
        let title_style = Style {
            size: 12.5,
            leading: 17.0,
            color: INK,
        };
        let h = status.len() as f32 * status_style.leading
            + title.len() as f32 * title_style.leading
            + text.len() as f32 * BODY.leading
            + 2.0 * PAD
            + 3.0;
        self.ensure(h + 8.0);
        let top = self.y;
        self.fill(LEFT, top, WIDTH, h, WASH);
        self.fill(LEFT, top, 4.5, h, tone_color(verdict.tone));
        self.y += PAD;
        let x = LEFT + 4.0 + PAD;
        self.flow(&status, x, status_style);
        self.flow(&title, x, title_style);
        self.y += 3.0;
        self.flow(&text, x, BODY);
        self.y = top + h + 12.0;
    }

    fn finding(&mut self, finding: &FindingBlock) {
        let inner = WIDTH - 14.0;
        let label_style = Style {
            size: 7.5,
            leading: 11.0,
            color: tone_color(finding.tone),
        };
        let label = self.wrap(&[(&finding.label.to_uppercase(), Weight::Bold)], 7.5, inner);
        let text = self.wrap(&[(&finding.text, Weight::Regular)], BODY.size, inner);
        let place = self.wrap(&[(&finding.place, Weight::Regular)], NOTE.size, inner);
        let h = label.len() as f32 * label_style.leading
            + text.len() as f32 * BODY.leading
            + place.len() as f32 * NOTE.leading
            + 6.0;
        self.ensure(h + 10.0);
        let top = self.y;
        self.fill(LEFT, top, 3.0, h, tone_color(finding.tone));
        self.y += 3.0;
        self.flow(&label, LEFT + 14.0, label_style);
        self.flow(&text, LEFT + 14.0, BODY);
        self.flow(&place, LEFT + 14.0, NOTE);
        self.y = top + h + 10.0;
    }

    /// The pages, each with its footer: the running title and "Page N of M".
    fn finish(mut self, running_title: &str) -> Vec<Vec<Op>> {
        let n = self.pages.len();
        for i in 0..n {
            let line_y = PAGE_H - BOTTOM + 26.0;
            let number = format!("Page {} of {}", i + 1, n);
            let number_w = self.faces.text_width(Weight::Regular, &number, 7.5);
            let title_room = WIDTH - number_w - 24.0;
            let title = self
                .wrap(&[(running_title, Weight::Regular)], 7.5, title_room)
                .into_iter()
                .next()
                .unwrap_or_default();
            let page = &mut self.pages[i];
            page.push(Op::Fill {
                x: LEFT,
                y: line_y,
                w: WIDTH,
                h: 0.5,
                color: RULE,
            });
            let mut x = LEFT;
            for (weight, text) in title.pieces {
                let w = self.faces.text_width(weight, &text, 7.5);
                page.push(Op::Text {
                    x,
                    baseline: line_y + 14.0,
                    size: 7.5,
                    weight,
                    color: QUIET,
                    text,
                });
                x += w;
            }
            page.push(Op::Text {
                x: PAGE_W - RIGHT - number_w,
                baseline: line_y + 14.0,
                size: 7.5,
                weight: Weight::Regular,
                color: QUIET,
                text: number,
            });
        }
        self.pages
    }
}

/// The space before a word, unless it starts the line.
fn push_space(line: &mut Vec<(char, Weight)>, space: Option<Weight>) {
    if let Some(weight) = space
        && !line.is_empty()
    {
        line.push((' ', weight));
    }
}

/// The height of a row of wrapped cells (without padding).
fn rows_height(cells: &[Vec<Line>]) -> f32 {
    cells.iter().map(Vec::len).max().unwrap_or(0).max(1) as f32 * SMALL.leading
}

// ---------------------------------------------------------------------------------
// Writing the file.

fn write_pdf(title: &str, pages: Vec<Vec<Op>>, faces: &mut Faces<'_>) -> Vec<u8> {
    let mut next = 1;
    let mut alloc = || {
        let id = Ref::new(next);
        next += 1;
        id
    };
    let catalog_id = alloc();
    let tree_id = alloc();
    let info_id = alloc();
    let regular_id = alloc();
    let bold_id = alloc();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut pdf = pdf_writer::Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id).lang(TextStr("en"));
    pdf.document_info(info_id)
        .title(TextStr(title))
        .producer(TextStr(&format!(
            "Trailscope {}",
            env!("CARGO_PKG_VERSION")
        )));
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(page_ids.len() as i32);

    for (ops, (page_id, content_id)) in pages.into_iter().zip(&page_ids) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree_id)
            .contents(*content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), regular_id);
        fonts.pair(Name(b"F2"), bold_id);
        fonts.finish();
        resources.finish();
        page.finish();

        let mut content = Content::new();
        for op in ops {
            match op {
                Op::Fill { x, y, w, h, color } => {
                    content
                        .set_fill_rgb(color.0, color.1, color.2)
                        .rect(x, PAGE_H - y - h, w, h)
                        .fill_nonzero();
                }
                Op::Text {
                    x,
                    baseline,
                    size,
                    weight,
                    color,
                    text,
                } => {
                    let bytes = faces.encode(weight, &text);
                    let font = match weight {
                        Weight::Regular => Name(b"F1"),
                        Weight::Bold => Name(b"F2"),
                    };
                    content
                        .set_fill_rgb(color.0, color.1, color.2)
                        .begin_text()
                        .set_font(font, size)
                        .next_line(x, PAGE_H - baseline)
                        .show(Str(&bytes))
                        .end_text();
                }
            }
        }
        let data = deflate(&content.finish());
        pdf.stream(*content_id, &data).filter(Filter::FlateDecode);
    }

    match faces {
        Faces::Embedded { regular, bold } => {
            write_embedded(&mut pdf, &mut alloc, regular, regular_id, "DejaVuSans");
            match bold {
                Some(bold) => {
                    write_embedded(&mut pdf, &mut alloc, bold, bold_id, "DejaVuSans-Bold")
                }
                // Bold text was drawn with the regular font's CIDs: the same font again.
                None => write_embedded(&mut pdf, &mut alloc, regular, bold_id, "DejaVuSans"),
            }
        }
        Faces::Courier => {
            for (id, name) in [(regular_id, "Courier"), (bold_id, "Courier-Bold")] {
                pdf.type1_font(id)
                    .base_font(Name(name.as_bytes()))
                    .encoding_predefined(Name(b"WinAnsiEncoding"));
            }
        }
    }
    pdf.finish()
}

/// Writes an embedded font as a Type 0 font over a CIDFontType2, subset to the glyphs
/// used (or whole, if subsetting fails), with a CID-to-glyph map and a ToUnicode map.
fn write_embedded(
    pdf: &mut pdf_writer::Pdf,
    alloc: &mut impl FnMut() -> Ref,
    font: &Embedded<'_>,
    type0_id: Ref,
    family: &str,
) {
    let (cid_id, descriptor_id, file_id, to_unicode_id, cid_to_gid_id) =
        (alloc(), alloc(), alloc(), alloc(), alloc());

    let mut remapper = subsetter::GlyphRemapper::new();
    for &glyph in &font.glyphs {
        remapper.remap(glyph);
    }
    // The font file, its name, and the glyph in it of each CID.
    let (file, base_font, cid_glyphs): (Vec<u8>, String, Vec<u16>) =
        match subsetter::subset(font.data, 0, &remapper) {
            Ok(subset) => {
                // A subset is named with a tag of six capitals (PDF 1.7, 9.6.4).
                let digest = Sha256::digest(
                    font.glyphs
                        .iter()
                        .flat_map(|g| g.to_be_bytes())
                        .collect::<Vec<u8>>(),
                );
                let tag: String = digest[..6]
                    .iter()
                    .map(|b| char::from(b'A' + b % 26))
                    .collect();
                let glyphs = font
                    .glyphs
                    .iter()
                    .map(|&g| remapper.get(g).unwrap_or(0))
                    .collect();
                (subset, format!("{tag}+{family}"), glyphs)
            }
            Err(_) => (font.data.to_vec(), family.to_owned(), font.glyphs.clone()),
        };

    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(type0_id)
        .base_font(Name(base_font.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_id)
        .to_unicode(to_unicode_id);

    let mut cid = pdf.cid_font(cid_id);
    cid.subtype(CidFontType::Type2)
        .base_font(Name(base_font.as_bytes()))
        .system_info(system_info)
        .font_descriptor(descriptor_id)
        .default_width(0.0)
        .cid_to_gid_map_stream(cid_to_gid_id);
    cid.widths().consecutive(0, font.widths.iter().copied());
    cid.finish();

    let face = &font.face;
    let scale = 1000.0 / font.units_per_em;
    let bbox = face.global_bounding_box();
    let mut flags = FontFlags::SYMBOLIC;
    if face.is_monospaced() {
        flags |= FontFlags::FIXED_PITCH;
    }
    let weight = face.weight().to_number();
    pdf.font_descriptor(descriptor_id)
        .name(Name(base_font.as_bytes()))
        .flags(flags)
        .bbox(Rect::new(
            f32::from(bbox.x_min) * scale,
            f32::from(bbox.y_min) * scale,
            f32::from(bbox.x_max) * scale,
            f32::from(bbox.y_max) * scale,
        ))
        .italic_angle(face.italic_angle())
        .ascent(f32::from(face.ascender()) * scale)
        .descent(f32::from(face.descender()) * scale)
        .cap_height(f32::from(face.capital_height().unwrap_or(face.ascender())) * scale)
        // An estimate from the weight, as PDF writers commonly do.
        .stem_v(10.0 + 0.244 * (f32::from(weight) - 50.0))
        .font_file2(file_id);

    let file_len = file.len() as i32;
    pdf.stream(file_id, &deflate(&file))
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), file_len);

    let map: Vec<u8> = cid_glyphs.iter().flat_map(|g| g.to_be_bytes()).collect();
    pdf.stream(cid_to_gid_id, &deflate(&map))
        .filter(Filter::FlateDecode);

    let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Trailscope-UCS"), system_info);
    for (cid, &c) in font.chars.iter().enumerate().skip(1) {
        cmap.pair(cid as u16, c);
    }
    let cmap = cmap.finish();
    pdf.stream(to_unicode_id, &deflate(cmap.as_slice()))
        .filter(Filter::FlateDecode);
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .expect("compressing into memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc::{Cell, Paragraph};
    use crate::report::tool;

    const CYRILLIC: &str = "Журнал аудита проверен";
    const CJK: &str = "審計ログ検証";
    const ARABIC: &str = "سجل التدقيق";
    const HEBREW: &str = "יומן ביקורת";
    const EMOJI: &str = "🔒✅";

    fn document(texts: &[&str]) -> Document {
        let mut section = Section::new("Findings", true);
        for text in texts {
            section.paragraph(Paragraph::plain("Value: ").strong(*text));
        }
        let mut table = Table::new(&[("Field", 1.0), ("Value", 3.0)]);
        for text in texts {
            table.row(vec![
                Cell::plain("actor.name"),
                Cell::toned(*text, Tone::Failed),
            ]);
        }
        section.push(Block::Table(table));
        Document {
            title: "Audit log examination report".into(),
            subtitle: "case.trailscope".into(),
            running_title: "Trailscope report".into(),
            cover: vec![Block::Paragraph(Paragraph::plain("Cover"))],
            sections: vec![section],
        }
    }

    fn text_of(pdf: &PdfReport) -> Option<String> {
        let dir = tempfile_dir();
        let path = dir.join("report.pdf");
        std::fs::write(&path, &pdf.bytes).unwrap();
        let text = tool::pdftotext(&path);
        let _ = std::fs::remove_dir_all(&dir);
        text
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "trailscope-pdf-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn non_latin_text_is_kept_in_the_text_layer_with_dejavu_sans() {
        if !Path::new(DEJAVU_DIR).join(REGULAR_FILE).exists() {
            tool::missing("DejaVu Sans (fonts-dejavu-core)");
            return;
        }
        let texts = [CYRILLIC, CJK, ARABIC, HEBREW, EMOJI];
        let pdf = render(&document(&texts), &PdfOptions::default());
        assert_eq!(pdf.font, PdfFont::DejaVuSans);
        // Subset: far smaller than the two fonts (~1.4 MB) it draws with.
        assert!(pdf.bytes.len() < 120_000, "{} bytes", pdf.bytes.len());
        let Some(text) = text_of(&pdf) else { return };
        for found in [CYRILLIC, CJK, EMOJI] {
            assert_eq!(text.matches(found).count(), 2, "{found} in\n{text}");
        }
        // Right-to-left scripts: every letter is there (the order is the reader's to
        // choose: drawn left to right in stored order, reordered by some extractors).
        for rtl in [ARABIC, HEBREW] {
            for word in rtl.split(' ') {
                let reversed: String = word.chars().rev().collect();
                let n = text.matches(word).count() + text.matches(&reversed).count();
                assert_eq!(n, 2, "{word} in\n{text}");
            }
        }
    }

    #[test]
    fn without_dejavu_sans_courier_writes_question_marks_and_says_so() {
        let empty = tempfile_dir().join("no-fonts");
        let pdf = render(
            &document(&[CYRILLIC, "Café – “quoted” •••• €5"]),
            &PdfOptions { font_dir: empty },
        );
        assert!(matches!(&pdf.font, PdfFont::Courier { why } if why.contains("DejaVuSans.ttf")));
        let Some(text) = text_of(&pdf) else { return };
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("The font DejaVu Sans was not found"),
            "{flat}"
        );
        assert!(
            flat.contains("Western European Latin are shown as '?'"),
            "{flat}"
        );
        assert!(flat.contains("Value: ?????? ?????? ????????"), "{flat}");
        assert!(flat.contains("Café – “quoted” •••• €5"), "{flat}");
        assert!(!flat.contains("Журнал"));
    }

    #[test]
    fn a_long_table_spans_pages_repeats_its_header_and_numbers_every_page() {
        let mut section = Section::new("Files", true);
        let mut table = Table::new(&[("File", 2.0), ("SHA-256", 3.0)]);
        for i in 0..200 {
            table.row(vec![
                Cell::plain(format!("log-{i:03}.json.gz")),
                Cell::plain("ab".repeat(32)),
            ]);
        }
        section.push(Block::Table(table));
        let doc = Document {
            title: "T".into(),
            subtitle: "S".into(),
            running_title: "Running".into(),
            cover: vec![],
            sections: vec![section],
        };
        let pdf = render(&doc, &PdfOptions::default());
        assert!(pdf.pages >= 4, "{} pages", pdf.pages);
        let Some(text) = text_of(&pdf) else { return };
        let pages: Vec<&str> = text
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .collect();
        assert_eq!(pages.len(), pdf.pages);
        for (i, page) in pages.iter().enumerate().skip(1) {
            assert!(
                page.contains(&format!("Page {} of {}", i + 1, pdf.pages)),
                "{page}"
            );
            assert!(
                page.contains("SHA-256"),
                "the header repeats on page {}",
                i + 1
            );
        }
        for i in [0, 99, 199] {
            assert_eq!(text.matches(&format!("log-{i:03}.json.gz")).count(), 1);
        }
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_inside_a_word_only_when_it_is_longer_than_a_line() {
        let mut faces = Faces::Courier;
        let mut layout = Layout::new(&mut faces);
        // Courier: 600/1000 em; at 10 pt a character is 6 pt wide: 10 characters a line.
        let lines = layout.wrap(
            &[("aaaa bbbb cccc 0123456789abcdef", Weight::Regular)],
            10.0,
            60.0,
        );
        let texts: Vec<String> = lines
            .iter()
            .map(|l| l.pieces.iter().map(|(_, t)| t.as_str()).collect())
            .collect();
        assert_eq!(texts, vec!["aaaa bbbb", "cccc", "0123456789", "abcdef"]);
        let lines = layout.wrap(
            &[("one\ntwo", Weight::Regular), (" three", Weight::Bold)],
            10.0,
            60.0,
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[1].pieces,
            vec![
                (Weight::Regular, "two".to_owned()),
                (Weight::Bold, " three".to_owned())
            ]
        );
    }

    #[test]
    fn a_soft_hyphen_breaks_a_word_that_does_not_fit_and_is_unseen_otherwise() {
        let mut faces = Faces::Courier;
        let mut layout = Layout::new(&mut faces);
        let texts = |lines: Vec<Line>| -> Vec<String> {
            lines
                .iter()
                .map(|l| l.pieces.iter().map(|(_, t)| t.as_str()).collect())
                .collect()
        };
        let hyphenated = "Authen\u{AD}ticity Authen\u{AD}ti\u{AD}city";
        // Ten Courier characters a line at 10 pt in 60 pt.
        assert_eq!(
            texts(layout.wrap(&[(hyphenated, Weight::Regular)], 10.0, 60.0)),
            vec!["Authen-", "ticity", "Authenti-", "city"]
        );
        assert_eq!(
            texts(layout.wrap(&[(hyphenated, Weight::Regular)], 10.0, 200.0)),
            vec!["Authenticity Authenticity"]
        );
    }
}
