//! The case file's schema as versioned migrations, and the runner that applies them.
//!
//! Migrations are append-only: a shipped migration is never edited, a change is a new
//! one. They run in one IMMEDIATE transaction together with the `user_version` bump,
//! so a case is at one version or the next, never between. A case newer than this
//! code is refused, never downgraded, and a damaged case is never deleted or
//! recreated: it is evidence (unlike mozilla/application-services' open_database).

use rusqlite::{Connection, TransactionBehavior};

use crate::{Error, Result};

/// The migrations, in order; `user_version` N means the first N have run.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11];

/// The schema version this code writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

const V1: &str = r#"
CREATE TABLE bundle (
    bundle_idx       INTEGER PRIMARY KEY,
    digest           TEXT NOT NULL UNIQUE,  -- SHA-256 over the manifest and events files
    path             TEXT NOT NULL,
    container        TEXT NOT NULL,
    bundle_id        TEXT,
    producer         TEXT,
    exported_at      TEXT,
    exported_by      TEXT,
    scope            TEXT,
    has_manifest     INTEGER NOT NULL,
    signature_status TEXT NOT NULL,
    signature_key_id TEXT,
    verdict          TEXT NOT NULL,
    headline         TEXT NOT NULL,
    n_lines          INTEGER NOT NULL,
    n_malformed      INTEGER NOT NULL,
    n_events_added   INTEGER NOT NULL,      -- rows this bundle added (overlaps are not re-added)
    imported_at      TEXT NOT NULL
) STRICT;

CREATE TABLE bundle_chain (
    bundle_idx           INTEGER NOT NULL REFERENCES bundle(bundle_idx),
    chain                TEXT NOT NULL,
    verdict              TEXT NOT NULL,
    n_events             INTEGER NOT NULL,
    n_omitted            INTEGER NOT NULL,
    first_seq            INTEGER NOT NULL,
    last_seq             INTEGER NOT NULL,
    start_prev_hash      TEXT,              -- prev_hash of the first event held
    head_hash            TEXT NOT NULL,
    first_ts             TEXT,
    last_ts              TEXT,
    integrity_status     TEXT NOT NULL,
    integrity_detail     TEXT NOT NULL,
    linkage_status       TEXT NOT NULL,
    linkage_detail       TEXT NOT NULL,
    completeness_status  TEXT NOT NULL,
    completeness_detail  TEXT NOT NULL,
    authenticity_status  TEXT NOT NULL,
    authenticity_detail  TEXT NOT NULL,
    coverage_status      TEXT NOT NULL,
    coverage_detail      TEXT NOT NULL,
    PRIMARY KEY (bundle_idx, chain)
) STRICT;

-- Findings of verification (per bundle) and of the case (continuity between bundles,
-- state continuity across events), each located as precisely as known.
CREATE TABLE finding (
    finding_idx  INTEGER PRIMARY KEY,
    bundle_idx   INTEGER REFERENCES bundle(bundle_idx),
    kind         TEXT NOT NULL,
    severity     TEXT NOT NULL,
    chain        TEXT,
    seq          INTEGER,
    seq_end      INTEGER,
    file         TEXT,
    line         INTEGER,
    byte_offset  INTEGER,
    event_idx    INTEGER,
    expected     TEXT,
    actual       TEXT,
    detail       TEXT,
    message      TEXT NOT NULL
) STRICT;
CREATE INDEX finding_by_bundle ON finding(bundle_idx, kind);

-- One row per line held: events, stubs and quarantined malformed lines, each with
-- its bytes exactly as they arrived (`raw`) beside the columns investigators filter on.
CREATE TABLE event (
    event_idx    INTEGER PRIMARY KEY,
    bundle_idx   INTEGER NOT NULL REFERENCES bundle(bundle_idx),
    file         TEXT NOT NULL,
    line         INTEGER NOT NULL,
    chain        TEXT,
    seq          INTEGER,
    id           TEXT,
    ts           INTEGER NOT NULL,          -- ms since the epoch, UTC; i64::MIN when unknown
    action       TEXT,
    category     TEXT,
    actor_id     TEXT,
    actor_type   TEXT,
    actor_name   TEXT,
    on_behalf_of TEXT,
    target_type  TEXT,
    target_id    TEXT,
    target_name  TEXT,
    outcome      TEXT,
    channel      TEXT,
    ip           TEXT,
    batch_id     TEXT,
    client_id    TEXT,
    rule_id      TEXT,
    omitted      INTEGER NOT NULL,          -- a stub (spec §4)
    malformed    TEXT,                      -- why the line is quarantined, if it is
    hash         BLOB,                      -- the declared hash (32 bytes)
    checks_ok    INTEGER NOT NULL,          -- own hash recomputes and nothing breaks at this line
    raw          BLOB NOT NULL
) STRICT;
CREATE INDEX event_by_time   ON event(ts);
CREATE INDEX event_by_actor  ON event(actor_id, ts);
CREATE INDEX event_by_target ON event(target_type, target_id, ts);
CREATE INDEX event_by_id     ON event(id);
CREATE INDEX event_by_chain  ON event(chain, seq);
CREATE INDEX event_stubs     ON event(chain, seq) WHERE omitted = 1;

CREATE TABLE actor (
    actor_id     TEXT PRIMARY KEY,
    actor_type   TEXT,
    name         TEXT,
    n_events     INTEGER NOT NULL,
    first_ts     INTEGER NOT NULL,
    last_ts      INTEGER NOT NULL,
    n_failures   INTEGER NOT NULL,
    n_denials    INTEGER NOT NULL
) STRICT;

-- Field names masked on display and in exports (e.g. email, card_number).
CREATE TABLE masked_field (
    name TEXT PRIMARY KEY
) STRICT;
"#;

/// The detail panel lists the findings that point at one event.
const V2: &str = r#"
CREATE INDEX finding_by_event ON finding(event_idx) WHERE event_idx IS NOT NULL;
"#;

/// Opening a case counts its quarantined lines: with this the count reads a small
/// index instead of every row (a full scan of a million-event case took a second).
const V3: &str = r#"
CREATE INDEX event_malformed ON event(event_idx) WHERE malformed IS NOT NULL;
"#;

/// Many sources: each bundle says what kind of source it was read as (and the mapping
/// that read it), and an event whose record is not one of our events keeps the
/// normalized event (JSON in our field names) beside its record as it arrived.
const V4: &str = r#"
ALTER TABLE bundle ADD COLUMN source TEXT NOT NULL DEFAULT 'audit-bundle';
ALTER TABLE bundle ADD COLUMN mapping TEXT;
ALTER TABLE event ADD COLUMN normal BLOB;
"#;

/// A source may hold many files (a CloudTrail trail: thousands of log files): each
/// file's rows are a range of `event_idx`, so "the records of this file" reads a range
/// of the primary key. Cases imported before are filled in from their rows.
const V5: &str = r#"
CREATE TABLE source_file (
    bundle_idx       INTEGER NOT NULL REFERENCES bundle(bundle_idx),
    file             TEXT NOT NULL,
    first_event_idx  INTEGER NOT NULL,
    last_event_idx   INTEGER NOT NULL,
    n_rows           INTEGER NOT NULL,
    PRIMARY KEY (bundle_idx, file)
) STRICT;
CREATE INDEX source_file_by_name ON source_file(file);
INSERT INTO source_file (bundle_idx, file, first_event_idx, last_event_idx, n_rows)
    SELECT bundle_idx, file, min(event_idx), max(event_idx), count(*) FROM event GROUP BY bundle_idx, file;
"#;

/// One person across sources: each actor keeps the email or user principal name it
/// was seen with (lower case; an id that is one counts), and which kinds of source it
/// acted in, so the actors view links accounts that share an address (Maria's Microsoft
/// 365 UPN, her Okta login, her GitHub SAML identity) into one person. A link the
/// reviewer undoes is remembered in `actor_unlinked`. Cases imported before are filled
/// in from their rows: the address of the actor's first event that gives one, else
/// its id when that looks like one (`table::actor::address`'s rule).
const V6: &str = r#"
ALTER TABLE actor ADD COLUMN email TEXT;
CREATE INDEX actor_by_email ON actor(email) WHERE email IS NOT NULL;
UPDATE actor SET email = coalesce(
    (SELECT lower(trim(address)) FROM (
        SELECT json_extract(CAST(coalesce(e.normal, e.raw) AS TEXT), '$.actor.email') AS address
        FROM event e
        WHERE e.actor_id = actor.actor_id AND e.malformed IS NULL AND e.omitted = 0
          AND json_valid(CAST(coalesce(e.normal, e.raw) AS TEXT))
        LIMIT 1)
     WHERE address GLOB '?*@?*.?*' AND address NOT GLOB '*[ <>]*'),
    CASE WHEN actor_id GLOB '?*@?*.?*' AND actor_id NOT GLOB '*[ <>]*' THEN lower(actor_id) END);
CREATE TABLE actor_source (
    actor_id  TEXT NOT NULL,
    source    TEXT NOT NULL,
    n_events  INTEGER NOT NULL,
    PRIMARY KEY (actor_id, source)
) STRICT, WITHOUT ROWID;
INSERT INTO actor_source (actor_id, source, n_events)
    SELECT e.actor_id, b.source, count(*) FROM event e JOIN bundle b USING (bundle_idx)
    WHERE e.actor_id IS NOT NULL AND e.omitted = 0 GROUP BY e.actor_id, b.source;
CREATE TABLE actor_unlinked (
    actor_id     TEXT PRIMARY KEY,
    unlinked_at  TEXT NOT NULL
) STRICT;
"#;

/// The reviewer's own work, kept apart from the evidence rows, which it only points at:
/// stars, tags and notes on events (by the SHA-256 of the record as received, and the
/// row), records (`["Order","1842"]`) and actors; saved searches; the journal of
/// everything the reviewer did (one event of our own format a row, hash-chained, its
/// head signed as a checkpoint by whoever appended last); and the custody receipt of
/// each source received. `case_info` names the case (a random id made here); each
/// source file keeps the SHA-256 it was read with (exports carry it beside each row).
const V7: &str = r#"
CREATE TABLE case_info (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;
INSERT INTO case_info (key, value) VALUES ('case_id', lower(hex(randomblob(16))));
ALTER TABLE bundle ADD COLUMN format_version INTEGER;
ALTER TABLE source_file ADD COLUMN sha256 TEXT;
CREATE TABLE annotation (
    annotation_idx  INTEGER PRIMARY KEY,
    subject_kind    TEXT NOT NULL CHECK (subject_kind IN ('event', 'record', 'actor')),
    subject         TEXT NOT NULL,
    event_idx       INTEGER,
    starred         INTEGER NOT NULL DEFAULT 0,
    note            TEXT,
    updated_at      TEXT NOT NULL,
    UNIQUE (subject_kind, subject)
) STRICT;
CREATE INDEX annotation_by_event ON annotation(event_idx) WHERE event_idx IS NOT NULL;
CREATE TABLE annotation_tag (
    annotation_idx  INTEGER NOT NULL REFERENCES annotation(annotation_idx),
    tag             TEXT NOT NULL,
    PRIMARY KEY (annotation_idx, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX annotation_tag_by_tag ON annotation_tag(tag);
CREATE TABLE saved_search (
    name      TEXT PRIMARY KEY,
    filter    TEXT NOT NULL,
    saved_at  TEXT NOT NULL
) STRICT;
CREATE TABLE journal (
    seq   INTEGER PRIMARY KEY,
    line  BLOB NOT NULL
) STRICT;
CREATE TABLE journal_head (
    one   INTEGER PRIMARY KEY CHECK (one = 1),
    line  BLOB NOT NULL
) STRICT;
CREATE TABLE receipt (
    bundle_idx  INTEGER PRIMARY KEY REFERENCES bundle(bundle_idx),
    body        BLOB NOT NULL
) STRICT;
"#;

/// Evidence excerpts: each bundle keeps its manifest's bytes as received (an excerpt
/// carries the producer's manifest verbatim, so its signature still verifies). Bundles
/// imported before have none, and an excerpt of their events says so.
const V8: &str = r#"
ALTER TABLE bundle ADD COLUMN manifest BLOB;
"#;

/// The case's facet counts (`table::facet`): how many events have each value of each
/// facet, kept by every import so that an unfiltered facet reads a few rows. Cases
/// imported before are counted here once, by grouping their events (the same
/// expressions as `FacetBy::expression`).
const V9: &str = r#"
CREATE TABLE facet_count (
    facet  TEXT NOT NULL,
    value  TEXT,
    label  TEXT,
    n      INTEGER NOT NULL
) STRICT;
CREATE INDEX facet_count_by_facet ON facet_count(facet, value);
INSERT INTO facet_count (facet, value, label, n)
    SELECT 'actor', actor_id, max(actor_name), count(*) FROM event WHERE omitted = 0 GROUP BY actor_id;
INSERT INTO facet_count (facet, value, label, n)
    SELECT 'action', action, NULL, count(*) FROM event WHERE omitted = 0 GROUP BY action;
INSERT INTO facet_count (facet, value, label, n)
    SELECT 'category', category, NULL, count(*) FROM event WHERE omitted = 0 GROUP BY category;
INSERT INTO facet_count (facet, value, label, n)
    SELECT 'target_type', target_type, NULL, count(*) FROM event WHERE omitted = 0 GROUP BY target_type;
INSERT INTO facet_count (facet, value, label, n)
    SELECT 'outcome', outcome, NULL, count(*) FROM event WHERE omitted = 0 GROUP BY outcome;
INSERT INTO facet_count (facet, value, label, n)
    SELECT 'channel', channel, NULL, count(*) FROM event WHERE omitted = 0 GROUP BY channel;
INSERT INTO facet_count (facet, value, label, n)
    SELECT 'ip', ip, NULL, count(*) FROM event WHERE omitted = 0 GROUP BY ip;
INSERT INTO facet_count (facet, value, label, n)
    SELECT 'batch', batch_id, NULL, count(*) FROM event WHERE omitted = 0 GROUP BY batch_id;
INSERT INTO facet_count (facet, value, label, n)
    SELECT 'rule', rule_id, NULL, count(*) FROM event WHERE omitted = 0 GROUP BY rule_id;
INSERT INTO facet_count (facet, value, label, n)
    SELECT 'day', d, NULL, count(*) FROM (
        SELECT CASE WHEN ts = -9223372036854775808 THEN NULL ELSE date(ts / 1000, 'unixepoch') END AS d
          FROM event WHERE omitted = 0) GROUP BY d;
"#;

/// The indexes derived from the rows (`case::columns`, `case::text_index`):
/// every value of a facet gets a code (numbered here for cases imported before, in the
/// order they were counted); `event_column` holds the rows' codes and times in chunks
/// of 65,536 rows, one blob a column, and `event_chunk` each chunk's time range;
/// `derived_index` says how far each index has got. The rows of a case imported before
/// are coded when the migration runs (`columns::catch_up`, in its transaction); the
/// text index (`event_text`, FTS5 over the words of each record, the words only) is
/// built after an import, in steps, by `text_index::build`.
const V10: &str = r#"
ALTER TABLE facet_count ADD COLUMN code INTEGER;
UPDATE facet_count SET code = r.rn FROM (
    SELECT rowid AS id, row_number() OVER (PARTITION BY facet ORDER BY rowid) - 1 AS rn
      FROM facet_count WHERE facet != 'day') AS r
 WHERE facet_count.rowid = r.id;
CREATE UNIQUE INDEX facet_count_by_code ON facet_count(facet, code) WHERE code IS NOT NULL;
CREATE TABLE event_column (
    name   TEXT NOT NULL,
    chunk  INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (name, chunk)
) STRICT;
CREATE TABLE event_chunk (
    chunk   INTEGER PRIMARY KEY,
    n_rows  INTEGER NOT NULL,
    min_ts  INTEGER NOT NULL,
    max_ts  INTEGER NOT NULL
) STRICT;
CREATE TABLE derived_index (
    name               TEXT PRIMARY KEY,
    through_event_idx  INTEGER NOT NULL
) STRICT;
CREATE VIRTUAL TABLE event_text USING fts5(
    text, content='', detail=none, columnsize=0, tokenize='unicode61 remove_diacritics 2');
"#;

/// Records stored compressed (`case::raw`): each import's dictionary, and how each
/// row's `raw` is stored (NULL: as it arrived, as every row stored before this was).
const V11: &str = r#"
CREATE TABLE raw_dictionary (
    dictionary_idx  INTEGER PRIMARY KEY,
    bytes           BLOB NOT NULL
) STRICT;
ALTER TABLE event ADD COLUMN raw_codec INTEGER;
"#;

/// Brings a case to the current schema, or refuses one written by newer code.
pub fn migrate(connection: &mut Connection) -> Result<()> {
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > CURRENT_VERSION {
        return Err(Error::Invalid(format!(
            "this case was written by a newer Trailscope (schema {version}, this one knows up to {CURRENT_VERSION}); it was not changed"
        )));
    }
    if version == CURRENT_VERSION {
        return Ok(());
    }
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for migration in &MIGRATIONS[version as usize..] {
        transaction.execute_batch(migration)?;
    }
    // Rows stored before the column index existed are coded now, in this transaction.
    super::columns::catch_up(&transaction)?;
    transaction.pragma_update(None, "user_version", CURRENT_VERSION)?;
    transaction.commit()?;
    Ok(())
}
