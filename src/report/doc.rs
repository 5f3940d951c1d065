//! The report as a document: a title page and sections made of headings, paragraphs,
//! key/value tables, data tables, verdict blocks and findings, with hints for where a
//! page may break. Both renderers (`html`, `pdf`) read this one model, so the HTML
//! file and the PDF say the same thing.
//!
//! Everything here is plain text: a value from an event (a chain name, a field's value
//! in a finding) is held as the characters it is, never as markup. The renderers
//! escape it (HTML) or draw it glyph by glyph (PDF); nothing in this model may be
//! interpreted.

/// How a status reads at a glance: its colour in both renderers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Checked and holds (a verified source, a proven dimension).
    Proven,
    /// Every check holds, but not everything is vouched for (an intact source).
    Partial,
    /// Cannot be proven with what is held (an unverifiable source, an unproven dimension).
    NotProven,
    /// Checked and does not hold (a broken source, a failed dimension, a breaking finding).
    Failed,
    /// Neither (an empty case, a notice).
    Neutral,
}

/// A stretch of text in one style.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub text: String,
    /// Shown in bold.
    pub emphasis: bool,
}

/// Text that wraps: runs side by side.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Paragraph {
    pub runs: Vec<Run>,
    /// Smaller and grey: a note beside the main text.
    pub quiet: bool,
}

impl Paragraph {
    /// One plain run.
    pub fn plain(text: impl Into<String>) -> Paragraph {
        Paragraph::default().text(text)
    }

    /// A quiet paragraph of one run.
    pub fn quiet(text: impl Into<String>) -> Paragraph {
        Paragraph {
            quiet: true,
            ..Paragraph::plain(text)
        }
    }

    /// Adds a plain run.
    pub fn text(mut self, text: impl Into<String>) -> Paragraph {
        self.runs.push(Run {
            text: text.into(),
            emphasis: false,
        });
        self
    }

    /// Adds an emphasised run.
    pub fn strong(mut self, text: impl Into<String>) -> Paragraph {
        self.runs.push(Run {
            text: text.into(),
            emphasis: true,
        });
        self
    }
}

/// One cell of a data table.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    /// A status cell (a verdict, a dimension) is coloured and emphasised.
    pub tone: Option<Tone>,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            tone: None,
        }
    }

    pub fn toned(text: impl Into<String>, tone: Tone) -> Cell {
        Cell {
            text: text.into(),
            tone: Some(tone),
        }
    }
}

/// A column of a data table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    /// Its share of the table's width, relative to the other columns'.
    pub weight: f32,
}

/// A table with a header row. A row is never split across pages (unless it is
/// taller than a page), and the header repeats on every page the table spans.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with these (title, weight) columns and no rows yet.
    pub fn new(columns: &[(&str, f32)]) -> Table {
        Table {
            columns: columns
                .iter()
                .map(|(title, weight)| Column {
                    title: (*title).to_owned(),
                    weight: *weight,
                })
                .collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.rows.push(cells);
    }
}

/// One line of a key/value table.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyValue {
    pub key: String,
    pub value: Paragraph,
}

impl KeyValue {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: Paragraph::plain(value),
        }
    }
}

/// A verdict said plainly: whether it is proven, what, and why. Kept on one page.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictBlock {
    pub tone: Tone,
    /// "Proven" or "Not proven" (the status, in two words).
    pub status: String,
    /// The verdict: "Broken", "Verified: every check holds…".
    pub title: String,
    pub text: Paragraph,
}

/// One finding (or a run of findings of one cause), kept on one page.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingBlock {
    pub tone: Tone,
    /// What it does to the verdict: "Breaks the trail", "Warning", "Notice".
    pub label: String,
    /// The finding in plain words.
    pub text: String,
    /// Where it is: source, chain, events, file and line.
    pub place: String,
}

/// A piece of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading inside a section (a source, a chain).
    Heading(String),
    Paragraph(Paragraph),
    KeyValues(Vec<KeyValue>),
    Table(Table),
    Verdict(VerdictBlock),
    Finding(FindingBlock),
    /// Blocks kept on one page when they fit on one (a chain's line and its table).
    Keep(Vec<Block>),
}

/// A section under its own heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    /// A major section starts on a new page.
    pub page_break_before: bool,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(heading: impl Into<String>, page_break_before: bool) -> Section {
        Section {
            heading: heading.into(),
            page_break_before,
            blocks: Vec::new(),
        }
    }

    pub fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }

    pub fn paragraph(&mut self, paragraph: Paragraph) {
        self.blocks.push(Block::Paragraph(paragraph));
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    /// Under the title: what the report is about (the case).
    pub subtitle: String,
    /// At the foot of every page of the PDF, beside the page number.
    pub running_title: String,
    /// The title page, under the title: the facts, the overall verdict, the summary.
    pub cover: Vec<Block>,
    pub sections: Vec<Section>,
}

/// A character as a renderer may show it: a control character (other than a line
/// break or tab) becomes U+FFFD, so it is seen rather than acted on.
pub(crate) fn shown_char(c: char) -> char {
    if c.is_control() && c != '\n' && c != '\t' {
        '\u{FFFD}'
    } else {
        c
    }
}
