//! Properties over generated input (proptest): canonical JSON is a fixed point of
//! parse-then-canonicalize whatever the spelling of the text (escapes, surrogate pairs,
//! whitespace, number forms), and any single-byte change to an event line is caught.
//!
//! Case counts are kept modest so the suite stays fast; failures shrink to a minimal
//! value or byte change and are kept by proptest as regressions.

use std::fmt::Write as _;
use std::sync::OnceLock;

use proptest::prelude::*;
use trailscope::canonical::canonicalize;
use trailscope::verify::{Severity, Verdict};
use trailscope::{VerifyOptions, verify_bundle};

use crate::support::*;

/// How many cases to try: `$PROPTEST_CASES` for a deeper run, else a modest default.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// A JSON value as a tree, to be written out in several spellings.
#[derive(Debug, Clone)]
enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Double(f64),
    Str(String),
    Array(Vec<Node>),
    /// Keys are unique (duplicates would make the text invalid, on purpose).
    Object(Vec<(String, Node)>),
}

/// How to spell a value: the canonical form must not depend on it.
#[derive(Debug, Clone, Copy)]
struct Spelling {
    /// Write every non-ASCII character as `\u` escapes (supplementary ones as surrogate pairs).
    escape_non_ascii: bool,
    /// Whitespace around every token.
    spaced: bool,
    /// Doubles in exponent form (`1.5e2`) rather than Rust's shortest decimal form.
    exponents: bool,
}

fn text_strategy() -> impl Strategy<Value = String> {
    // Any char (including supplementary characters, controls, quotes and backslashes),
    // weighted towards the ones that need escaping or sort differently in UTF-16.
    let special = prop::sample::select(vec![
        '"',
        '\\',
        '/',
        '\n',
        '\r',
        '\t',
        '\u{0}',
        '\u{1f}',
        '\u{7f}',
        '\u{e9}',
        '\u{20ac}',
        '\u{ffff}',
        '\u{fb33}',
        '\u{1f600}',
        '\u{10ffff}',
        '\u{d7ff}',
        '\u{e000}',
    ]);
    let ch = prop_oneof![3 => any::<char>(), 2 => special, 2 => proptest::char::range('a', 'e')];
    prop::collection::vec(ch, 0..8).prop_map(|chars| chars.into_iter().collect())
}

fn double_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |d| d.is_finite()),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1e21,
            1e-7,
            0.1,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            9007199254740993.0,
            -1.5,
        ]),
    ]
}

fn node_strategy() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        Just(Node::Null),
        any::<bool>().prop_map(Node::Bool),
        any::<i64>().prop_map(Node::Int),
        double_strategy().prop_map(Node::Double),
        text_strategy().prop_map(Node::Str),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Node::Array),
            prop::collection::vec((text_strategy(), inner), 0..6).prop_map(|members| {
                let mut seen = std::collections::HashSet::new();
                Node::Object(
                    members
                        .into_iter()
                        .filter(|(key, _)| seen.insert(key.clone()))
                        .collect(),
                )
            }),
        ]
    })
}

fn write_string(s: &str, spelling: Spelling, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if spelling.escape_non_ascii => out.push_str("\\/"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c if spelling.escape_non_ascii && !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(out, "\\u{unit:04X}").unwrap();
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_node(node: &Node, spelling: Spelling, out: &mut String) {
    let gap = if spelling.spaced { " \n\t" } else { "" };
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => write!(out, "{b}").unwrap(),
        Node::Int(i) => write!(out, "{i}").unwrap(),
        Node::Double(d) if spelling.exponents => write!(out, "{d:e}").unwrap(),
        Node::Double(d) => write!(out, "{d:?}").unwrap(),
        Node::Str(s) => write_string(s, spelling, out),
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(gap);
                write_node(item, spelling, out);
            }
            out.push_str(gap);
            out.push(']');
        }
        Node::Object(members) => {
            out.push('{');
            // Reversed, so the canonical writer has to sort.
            for (i, (key, value)) in members.iter().rev().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(gap);
                write_string(key, spelling, out);
                out.push_str(gap);
                out.push(':');
                out.push_str(gap);
                write_node(value, spelling, out);
            }
            out.push_str(gap);
            out.push('}');
        }
    }
}

fn spell(node: &Node, spelling: Spelling) -> String {
    let mut out = String::new();
    write_node(node, spelling, &mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(400), ..ProptestConfig::default() })]

    #[test]
    fn canonical_json_is_a_fixed_point_whatever_the_spelling(
        node in node_strategy(),
        escape_non_ascii in any::<bool>(),
        spaced in any::<bool>(),
        exponents in any::<bool>(),
    ) {
        let plain = spell(&node, Spelling { escape_non_ascii: false, spaced: false, exponents: false });
        let other = spell(&node, Spelling { escape_non_ascii, spaced, exponents });
        let canonical = canonicalize(plain.as_bytes()).expect("valid JSON canonicalizes");
        // canonicalize(parse(canonicalize(x))) == canonicalize(x)
        prop_assert_eq!(&canonicalize(canonical.as_bytes()).unwrap(), &canonical);
        // Escapes (surrogate pairs included), whitespace and number spelling do not matter.
        prop_assert_eq!(&canonicalize(other.as_bytes()).unwrap(), &canonical);
        prop_assert!(serde_json::from_str::<serde_json::Value>(&canonical).is_ok());
    }
}

/// A bare JSON Lines file of 40 events in 2 chains (no stubs: a stub's content
/// cannot be recomputed, by design), as lines.
fn event_lines() -> &'static Vec<Vec<u8>> {
    static LINES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    LINES.get_or_init(|| {
        let f = Fixture::generated(40, 2);
        f.lines().into_iter().map(String::into_bytes).collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(300), ..ProptestConfig::default() })]

    #[test]
    fn any_single_byte_change_to_an_event_line_is_caught_at_that_line(
        line_pick in any::<prop::sample::Index>(),
        byte_pick in any::<prop::sample::Index>(),
        new_byte in any::<u8>(),
    ) {
        let lines = event_lines();
        let line = line_pick.index(lines.len());
        let at = byte_pick.index(lines[line].len());
        prop_assume!(lines[line][at] != new_byte);
        let mut changed = lines.clone();
        changed[line][at] = new_byte;

        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("events.jsonl");
        let mut file = changed.join(&b'\n');
        file.push(b'\n');
        std::fs::write(&path, file).unwrap();
        let report = verify_bundle(&path, &VerifyOptions::default()).unwrap();

        prop_assert_eq!(report.verdict(), Verdict::Broken);
        let line_no = line as u64 + 1;
        prop_assert!(
            report
                .findings
                .iter()
                .any(|f| f.severity() == Severity::Break && f.line == Some(line_no)),
            "byte {} of line {} set to {:#04x}: {:?}",
            at,
            line_no,
            new_byte,
            report.findings.iter().map(|f| f.describe()).collect::<Vec<_>>()
        );
    }
}

#[test]
fn the_unchanged_event_lines_are_intact() {
    // The baseline of the property above: unchanged, the file has nothing that breaks.
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("events.jsonl");
    let mut file = event_lines().join(&b'\n');
    file.push(b'\n');
    std::fs::write(&path, file).unwrap();
    let report = verify_bundle(&path, &VerifyOptions::default()).unwrap();
    assert_eq!(report.verdict(), Verdict::Intact);
    assert_eq!(report.n_events(), 40);
}
