//! Every SQL statement the engine runs against a case's tables, one module per table:
//! `bundle`, `bundle_chain`, `event`, `facet` (the case's facet counts), `finding`, `actor`, `masked_field`, `raw_dictionary`, `source_file`, and the column
//! and text indexes (`column`, `text`). A statement
//! belongs to the table it is about (one that joins `event` with `bundle` for the
//! bundle's verdict is about events). Each function is small and named for what it
//! does; the callers (`import`, `status`, `retrust`, `reverify`, the `query` modules)
//! keep their logic (cursor math, continuity rules, folds, verification) and hold no
//! SQL text.
//!
//! Outside this module only the migrations (`case/schema.rs`) and the connection's own
//! setup and checks (`case/mod.rs`: pragmas, `integrity_check`, the journal-rollback
//! probe, `sqlite_master`) carry SQL; `tests/tidy.rs` fails on a statement anywhere else.
//!
//! Functions take a `&Connection`: a `&Transaction` derefs to one, so an import's or a
//! retrust's statements run inside its transaction.

pub(crate) mod actor;
pub(crate) mod annotation;
pub(crate) mod bundle;
pub(crate) mod bundle_chain;
pub(crate) mod column;
pub(crate) mod event;
pub(crate) mod facet;
pub(crate) mod finding;
pub(crate) mod journal;
pub(crate) mod masked_field;
pub(crate) mod raw_dictionary;
pub(crate) mod source_file;
pub(crate) mod text;

/// Reads a column stored by name (a verdict, a finding kind) back into its type; a
/// name this code does not know is an error, never a guess.
pub(crate) fn named<T>(
    row: &rusqlite::Row<'_>,
    column: usize,
    from_name: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let name: String = row.get(column)?;
    from_name(&name).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            format!("{name:?} is not a name this version of Trailscope knows").into(),
        )
    })
}
