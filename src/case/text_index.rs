//! The text index: the words of every record (SQLite FTS5, `event_text`), so a text
//! search reads word lists instead of every stored line (18–29 s at 10,000,000 events).
//!
//! - **What is indexed**: every value of the record as it arrived (names of fields are
//!   not; nor are our chain's own `hash`, `prev_hash`, `body_hash`, `seq` and `ts`:
//!   times are found with the time filter, and a time's digits as words cost a tenth
//!   of the index for nothing a reviewer types), split into words
//!   by Unicode letters and digits, ignoring case and accents (`unicode61
//!   remove_diacritics 2`). A record that is not JSON (a CSV line, a quarantined line)
//!   is indexed as its text. Stubs hold no event text and are not indexed.
//! - **What matches**: events holding every word typed, whole, in any field and any
//!   order (`maria lopez`, `203.0.113.12`: its four numbers); a word typed with a `*` at
//!   its end also matches longer words it starts (`mar*` finds Maria and Mark). A piece
//!   inside a word (`aria`) is not found. Whole words are read from the index a chunk
//!   of rows at a time; a prefix makes SQLite gather every word it starts first (at
//!   1,000,000 events, 150 ms for a prefix of nearly every event against 35 ms), which
//!   is why it is asked for, not assumed. Until the index is complete the search is the
//!   older scan of the stored lines, which finds any piece of text (and is slow on
//!   large cases).
//! - **When it is built**: after an import, in steps of 50,000 rows, each its own short
//!   transaction (`build`), so the case stays readable meanwhile; the CLI's `import`
//!   builds it before it returns and the app builds it in the background. It is kept
//!   without the text itself (contentless, `detail=none`: row lists only), about 90
//!   bytes a row.

use std::ops::ControlFlow;

use rayon::prelude::*;
use rusqlite::{Connection, TransactionBehavior};

use super::Case;
use super::table::{column, text};
use crate::Result;

/// The name of the derived index in `derived_index`.
const INDEX: &str = "text";

/// Rows per step of `build`.
const STEP: usize = 50_000;

/// How far the text index has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextIndexState {
    /// Rows indexed (every row up to this one).
    pub through: i64,
    /// The case's last row.
    pub last: i64,
}

impl TextIndexState {
    pub fn complete(&self) -> bool {
        self.through >= self.last
    }

    /// The share done, from 0 to 1.
    pub fn fraction(&self) -> f64 {
        if self.last <= 0 {
            1.0
        } else {
            (self.through as f64 / self.last as f64).min(1.0)
        }
    }
}

/// How far the case's text index has got.
pub fn state(case: &Case) -> Result<TextIndexState> {
    let connection = case.connection();
    Ok(TextIndexState {
        through: column::through(connection, INDEX)?,
        last: column::last_event_idx(connection)?,
    })
}

/// Indexes the rows not indexed yet, a step at a time, calling `progress` after each;
/// `Break` stops after the step (what is done stays done).
pub fn build(
    case: &mut Case,
    progress: &mut dyn FnMut(TextIndexState) -> ControlFlow<()>,
) -> Result<TextIndexState> {
    loop {
        let transaction = case
            .connection_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let through = column::through(&transaction, INDEX)?;
        let rows = text::rows_after(&transaction, through, STEP)?;
        let Some(last_row) = rows.last().map(|row| row.0) else {
            drop(transaction);
            return state(case);
        };
        let words: Vec<(i64, Option<String>)> = rows
            .into_par_iter()
            .map(|(event_idx, raw, stub)| (event_idx, (!stub).then(|| words_of(&raw))))
            .collect();
        for (event_idx, words) in &words {
            if let Some(words) = words {
                text::insert(&transaction, *event_idx, words)?;
            }
        }
        column::set_through(&transaction, INDEX, last_row)?;
        transaction.commit()?;
        if progress(state(case)?).is_break() {
            return state(case);
        }
    }
}

/// The words of a stored record, as the index takes them.
pub(crate) fn words_of(raw: &[u8]) -> String {
    fn walk(value: &serde_json::Value, top: bool, out: &mut String) {
        match value {
            serde_json::Value::String(s) => {
                out.push_str(s);
                out.push(' ');
            }
            serde_json::Value::Number(n) => {
                out.push_str(&n.to_string());
                out.push(' ');
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| walk(item, false, out)),
            serde_json::Value::Object(members) => {
                for (name, member) in members {
                    if top
                        && matches!(
                            name.as_str(),
                            "hash" | "prev_hash" | "body_hash" | "seq" | "ts"
                        )
                    {
                        continue;
                    }
                    walk(member, false, out);
                }
            }
            serde_json::Value::Bool(_) | serde_json::Value::Null => {}
        }
    }
    match serde_json::from_slice::<serde_json::Value>(raw) {
        Ok(value) => {
            let mut out = String::with_capacity(raw.len() / 2);
            walk(&value, true, &mut out);
            out
        }
        Err(_) => String::from_utf8_lossy(raw).into_owned(),
    }
}

/// The index's query for what the reviewer typed: every word, whole unless typed with
/// a `*` at its end. `None` when the index cannot answer (not complete, or no word typed): the
/// search is then the scan of the stored lines.
pub(crate) fn query(connection: &Connection, typed: &str, last: i64) -> Result<Option<String>> {
    if column::through(connection, INDEX)? < last {
        return Ok(None);
    }
    Ok(fts_query(typed))
}

fn fts_query(typed: &str) -> Option<String> {
    let mut terms: Vec<String> = Vec::new();
    for piece in typed.split_whitespace() {
        let words: Vec<&str> = piece
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .collect();
        let prefix = piece.ends_with('*');
        for (i, word) in words.iter().enumerate() {
            // Words hold letters and digits only, so quoting them needs no escaping.
            let star = if prefix && i + 1 == words.len() {
                "*"
            } else {
                ""
            };
            terms.push(format!("\"{word}\"{star}"));
        }
    }
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// Calls `each(event_idx)` for the rows from `first` to `last` whose words match.
pub(crate) fn for_each_match(
    connection: &Connection,
    query: &str,
    first: i64,
    last: i64,
    each: impl FnMut(i64),
) -> Result<()> {
    text::for_each_match(connection, query, first, last, each)
}

/// The first `limit` rows that match, in row order.
pub(crate) fn first_matches(
    connection: &Connection,
    query: &str,
    limit: usize,
) -> Result<Vec<i64>> {
    text::first_matches(connection, query, limit)
}

/// How many rows match (stubs are not indexed).
pub(crate) fn count(connection: &Connection, query: &str) -> Result<u64> {
    text::count(connection, query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_becomes_every_word_and_a_star_makes_a_prefix() {
        assert_eq!(fts_query("Maria"), Some("\"Maria\"".to_owned()));
        assert_eq!(fts_query("mar*"), Some("\"mar\"*".to_owned()));
        assert_eq!(
            fts_query("203.0.113.*"),
            Some("\"203\" \"0\" \"113\"*".to_owned())
        );
        assert_eq!(
            fts_query("  order \"1842\" OR x*y"),
            Some("\"order\" \"1842\" \"OR\" \"x\" \"y\"".to_owned())
        );
        assert_eq!(fts_query("..."), None);
        assert_eq!(fts_query("*"), None);
    }

    #[test]
    fn words_are_the_values_without_our_chain_hashes() {
        let raw = br#"{"actor":{"name":"Zo\u00eb"},"n":3,"ok":true,"hash":"ab","prev_hash":"cd","seq":7,"ts":"2026-01-05T08:00:54.970Z","context":{"hash":"kept"}}"#;
        assert_eq!(words_of(raw), "Zoë kept 3 ");
        assert_eq!(words_of(b"a,b,\"c d\""), "a,b,\"c d\"");
    }
}
