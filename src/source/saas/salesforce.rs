//! Salesforce: field history exports (`AccountHistory`, `OpportunityFieldHistory`,
//! `Foo__History`, the Field Audit Trail's `FieldHistoryArchive`), the Setup Audit
//! Trail (`SetupAuditTrail`) and, beside them, a `User` export that names the user
//! ids the others write. All are SOQL results written as CSV (Data Loader, Workbench,
//! Data Export) with API names as headers — in any case: Data Loader writes them in
//! capitals. See `../shared/reference/audit-sources.md` §5 and
//! docs/sources/salesforce.md.
//!
//! Salesforce writes one history row per changed field. The rows of one (object,
//! record, user, `CreatedDate`) are one change event, and they need not be adjacent in
//! a file, nor in one file: every row is held (as it arrived, with where it came from)
//! until the export has been read, and the events are made in `finish`, in time order.
//! Memory therefore grows with the history: about the size of its rows. The Setup
//! Audit Trail is held too, so that a `User` export read after it still names its
//! users.

use std::collections::HashMap;

use chrono::DateTime;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::event::{Event, Party, utc_time};
use super::{Format, Head, Item, ItemValue, Normalizer, Out};
use crate::source::SourceKind;
use crate::source::records::Header;

pub struct Salesforce;

impl Format for Salesforce {
    fn kind(&self) -> SourceKind {
        SourceKind::Salesforce
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        let Some(columns) = head.columns else {
            return false;
        };
        match kind_of(columns) {
            // A list of users is only Salesforce's when its ids are Salesforce user ids.
            Some(Kind::Users) => first_cell(head, "Id").is_some_and(|id| is_user_id(&id)),
            Some(_) => true,
            None => false,
        }
    }

    fn normalizer(&self) -> Box<dyn Normalizer> {
        Box::<SalesforceNormalizer>::default()
    }
}

/// What a file of the export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Field history (`…History`, `…FieldHistory`, `FieldHistoryArchive`).
    History,
    /// Setup Audit Trail.
    Audit,
    /// A `User` export: names, not events.
    Users,
}

/// The column whose name is `name`, in any case.
fn column(columns: &[String], name: &str) -> Option<usize> {
    columns.iter().position(|c| c.eq_ignore_ascii_case(name))
}

/// Columns of history files that end in `Id` and are not the record's.
const NOT_RECORD_COLUMNS: [&str; 5] = [
    "id",
    "createdbyid",
    "parentid",
    "historyid",
    "lastmodifiedbyid",
];

/// The `<Object>Id` column of a history file (`AccountId`, `OPPORTUNITYID`).
fn object_column(columns: &[String]) -> Option<usize> {
    columns.iter().position(|c| {
        let lower = c.to_ascii_lowercase();
        lower.len() > 2
            && lower.ends_with("id")
            && !lower.contains('.')
            && !NOT_RECORD_COLUMNS.contains(&lower.as_str())
    })
}

fn kind_of(columns: &[String]) -> Option<Kind> {
    let has = |name: &str| column(columns, name).is_some();
    let all = |names: &[&str]| names.iter().all(|n| has(n));
    if all(&[
        "Field",
        "OldValue",
        "NewValue",
        "CreatedById",
        "CreatedDate",
    ]) && (has("ParentId") || has("FieldHistoryType") || object_column(columns).is_some())
    {
        Some(Kind::History)
    } else if all(&["Action", "Section", "Display", "CreatedById", "CreatedDate"]) {
        Some(Kind::Audit)
    } else if all(&["Id", "Username"])
        && (has("Name") || has("Email") || has("FirstName") || has("LastName"))
    {
        Some(Kind::Users)
    } else {
        None
    }
}

/// The first record's cell of column `name`, read from the file's head.
fn first_cell(head: &Head<'_>, name: &str) -> Option<String> {
    let index = column(head.columns?, name)?;
    let text = String::from_utf8_lossy(head.bytes);
    let text = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let record = reader.records().next()?.ok()?;
    record.get(index).map(|s| s.trim().to_owned())
}

/// A Salesforce id: 15 case-sensitive characters, or 18 with the case checksum.
fn is_salesforce_id(text: &str) -> bool {
    matches!(text.len(), 15 | 18)
        && text.bytes().all(|b| b.is_ascii_alphanumeric())
        && text.bytes().any(|b| b.is_ascii_digit())
}

/// A user's id: key prefix `005`.
fn is_user_id(text: &str) -> bool {
    is_salesforce_id(text) && text.starts_with("005")
}

/// An id in its 18-character form: a 15-character id gets its case checksum (three
/// characters, each encoding which of five characters are capitals), so both forms of
/// one id are the same id. Anything else is kept as it is.
pub fn id18(id: &str) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let id = id.trim();
    if id.len() != 15 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return id.to_owned();
    }
    let mut full = id.to_owned();
    for chunk in id.as_bytes().chunks(5) {
        let bits = chunk
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_ascii_uppercase())
            .fold(0, |n, (i, _)| n | 1 << i);
        full.push(ALPHABET[bits] as char);
    }
    full
}

/// Standard objects by the key prefix of their ids, for history files that name
/// neither their object (a `ParentId` column) nor it in their file name.
const KEY_PREFIXES: [(&str, &str); 13] = [
    ("001", "Account"),
    ("003", "Contact"),
    ("005", "User"),
    ("006", "Opportunity"),
    ("00Q", "Lead"),
    ("500", "Case"),
    ("501", "Solution"),
    ("701", "Campaign"),
    ("800", "Contract"),
    ("801", "Order"),
    ("02i", "Asset"),
    ("0Q0", "Quote"),
    ("01t", "Product2"),
];

/// Standard objects with field history, to give a Data Loader column in capitals
/// (`OPPORTUNITYID`) its object's own spelling.
const OBJECTS: [&str; 17] = [
    "Account",
    "Asset",
    "Campaign",
    "Case",
    "Contact",
    "Contract",
    "ContractLineItem",
    "Entitlement",
    "Individual",
    "Lead",
    "Opportunity",
    "Order",
    "Pricebook2",
    "Product2",
    "Quote",
    "ServiceContract",
    "Solution",
];

/// The object a history file's name gives: `AccountHistory.csv` → `Account`,
/// `OpportunityFieldHistory.csv.gz` → `Opportunity`, `Foo__History.csv` → `Foo__c`.
fn object_of_file(file: &str) -> Option<String> {
    let base = file.rsplit(['/', '\\']).next()?;
    let name: String = base
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let lower = name.to_ascii_lowercase();
    let stem = |suffix: &str| &name[..name.len() - suffix.len()];
    let object = if lower.ends_with("__history") {
        format!("{}__c", stem("__History"))
    } else if lower.ends_with("fieldhistory") {
        stem("FieldHistory").to_owned()
    } else if lower.ends_with("history") {
        stem("History").to_owned()
    } else {
        return None;
    };
    (!object.is_empty() && !object.starts_with("__")).then_some(object)
}

/// The object of a `<Object>Id` column, spelt as the file name or the standard object
/// spells it when the column is in capitals.
fn object_of_column(column: &str, file: &str) -> String {
    let stem = &column[..column.len() - 2];
    if let Some(from_file) = object_of_file(file).filter(|o| o.eq_ignore_ascii_case(stem)) {
        return from_file;
    }
    match OBJECTS.iter().find(|o| o.eq_ignore_ascii_case(stem)) {
        Some(object) => (*object).to_owned(),
        None => stem.to_owned(),
    }
}

fn object_of_prefix(record: &str) -> Option<&'static str> {
    KEY_PREFIXES
        .iter()
        .find(|(prefix, _)| record.starts_with(prefix))
        .map(|(_, object)| *object)
}

/// Where a file's columns are (any of them may be absent).
#[derive(Debug, Clone, Default)]
struct Cols {
    id: Option<usize>,
    record: Option<usize>,
    history_type: Option<usize>,
    field: Option<usize>,
    data_type: Option<usize>,
    old: Option<usize>,
    new: Option<usize>,
    created_by: Option<usize>,
    created_by_name: Option<usize>,
    created_by_email: Option<usize>,
    created_date: Option<usize>,
    is_deleted: Option<usize>,
    archive_ts: Option<usize>,
    record_name: Option<usize>,
    action: Option<usize>,
    section: Option<usize>,
    display: Option<usize>,
    delegate: Option<usize>,
    namespace: Option<usize>,
    by_context: Option<usize>,
    by_issuer: Option<usize>,
    name: Option<usize>,
    first_name: Option<usize>,
    last_name: Option<usize>,
    email: Option<usize>,
    username: Option<usize>,
    user_type: Option<usize>,
}

impl Cols {
    fn of(names: &[String], record: Option<usize>, object: Option<&str>) -> Cols {
        let c = |name: &str| column(names, name);
        let record_name = object
            .and_then(|o| c(&format!("{o}.Name")))
            .or_else(|| c("Parent.Name"));
        Cols {
            id: c("Id"),
            record,
            history_type: c("FieldHistoryType"),
            field: c("Field"),
            data_type: c("DataType"),
            old: c("OldValue"),
            new: c("NewValue"),
            created_by: c("CreatedById"),
            created_by_name: c("CreatedBy.Name"),
            created_by_email: c("CreatedBy.Email"),
            created_date: c("CreatedDate"),
            is_deleted: c("IsDeleted"),
            archive_ts: c("ArchiveTimestamp"),
            record_name,
            action: c("Action"),
            section: c("Section"),
            display: c("Display"),
            delegate: c("DelegateUser"),
            namespace: c("ResponsibleNamespacePrefix"),
            by_context: c("CreatedByContext"),
            by_issuer: c("CreatedByIssuer"),
            name: c("Name"),
            first_name: c("FirstName"),
            last_name: c("LastName"),
            email: c("Email"),
            username: c("Username"),
            user_type: c("UserType"),
        }
    }
}

/// One file of the export.
struct FileInfo {
    name: String,
    kind: Kind,
    cols: Cols,
    /// History: the record's column as written (for messages).
    record_column: String,
    /// History: the object, when the file says it once (its `<Object>Id` column or
    /// its name).
    object: Option<String>,
    /// History: whether it is the Field Audit Trail archive.
    archive: bool,
}

/// A cell, trimmed; `None` when the column is absent or the cell empty.
fn cell<'a>(fields: &[&'a str], col: Option<usize>) -> Option<&'a str> {
    col.and_then(|i| fields.get(i))
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
}

/// A value cell exactly as written; empty when the column is absent.
fn value<'a>(fields: &[&'a str], col: Option<usize>) -> &'a str {
    col.and_then(|i| fields.get(i)).copied().unwrap_or("")
}

fn sha(value: &Value) -> [u8; 32] {
    Sha256::digest(value.to_string().as_bytes()).into()
}

fn millis(ts: &str) -> i64 {
    DateTime::parse_from_rfc3339(ts).map_or(0, |t| t.timestamp_millis())
}

/// A row held until the export has been read: its bytes as they arrived, where, and
/// the digest of what it says (the exact-repeat test).
struct Held {
    file: u32,
    line: u64,
    offset: u64,
    raw: Box<[u8]>,
    hash: [u8; 32],
    has_id: bool,
}

/// The rows of one change event: one (object, record, user, time).
struct Group {
    object: String,
    record: String,
    user: String,
    ts: String,
    millis: i64,
    seq: u64,
    rows: Vec<Held>,
    /// The history Id of its first row.
    first_id: Option<String>,
    /// An earlier group whose event id this one takes: rows whose Ids were seen before
    /// with other content are one id with two contents, reported as such.
    alias: Option<usize>,
}

type GroupKey = (String, String, String, String);

/// A Setup Audit Trail row held until the export has been read.
struct Audit {
    held: Held,
    id: String,
    ts: String,
    millis: i64,
    seq: u64,
}

/// What an exact repeat repeats.
#[derive(Clone, Copy)]
enum Of {
    Group(usize),
    Audit(usize),
}

/// A row dropped as an exact repeat, reported to the driver once the events are out.
struct Repeat {
    of: Of,
    file: u32,
    line: u64,
    offset: u64,
}

/// A user of the `User` export.
#[derive(Debug, Clone, Default)]
struct User {
    name: Option<String>,
    email: Option<String>,
    automation: bool,
}

#[derive(Default)]
struct SalesforceNormalizer {
    files: Vec<FileInfo>,
    users: HashMap<String, User>,
    /// Usernames (lower case) to user ids, for `DelegateUser`.
    usernames: HashMap<String, String>,
    user_rows: u64,
    groups: Vec<Group>,
    by_key: HashMap<GroupKey, Vec<usize>>,
    /// Each history Id: the digest of each content it came with, and its group.
    rows_seen: HashMap<String, Vec<([u8; 32], usize)>>,
    history_rows: u64,
    audits: Vec<Audit>,
    audits_seen: HashMap<String, Vec<([u8; 32], usize)>>,
    repeats: Vec<Repeat>,
    seq: u64,
    /// What `finish` made, for the summary.
    made: (u64, u64),
}

impl Normalizer for SalesforceNormalizer {
    fn begin_file(&mut self, file: &str, header: Option<&Header>) -> Result<(), String> {
        let Some(header) = header else {
            return Err("a Salesforce export is a CSV file".into());
        };
        let names = &header.names;
        let kind = kind_of(names).ok_or("its columns are not those of a Salesforce export")?;
        let mut info = FileInfo {
            name: file.to_owned(),
            kind,
            cols: Cols::default(),
            record_column: String::new(),
            object: None,
            archive: false,
        };
        if kind == Kind::History {
            let record = object_column(names)
                .filter(|_| column(names, "FieldHistoryType").is_none())
                .map(|i| (i, Some(object_of_column(&names[i], file))))
                .or_else(|| column(names, "ParentId").map(|i| (i, object_of_file(file))))
                .ok_or("it has no column naming the record (ParentId or <Object>Id)")?;
            info.record_column = names[record.0].clone();
            info.object = record.1;
            info.archive = column(names, "FieldHistoryType").is_some();
            info.cols = Cols::of(names, Some(record.0), info.object.as_deref());
        } else {
            info.cols = Cols::of(names, None, None);
        }
        self.files.push(info);
        Ok(())
    }

    fn push(&mut self, item: Item<'_>, _out: &mut Vec<Out>) -> Result<(), String> {
        let ItemValue::Row(row) = &item.value else {
            return Err("a Salesforce export is a CSV file".into());
        };
        let file = self.files.len().checked_sub(1).ok_or("no file was begun")?;
        match self.files[file].kind {
            Kind::History => self.push_history(file, &item, &row.fields),
            Kind::Audit => self.push_audit(file, &item, &row.fields),
            Kind::Users => {
                self.push_user(file, &row.fields);
                Ok(())
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<Out>) {
        // Event ids: a group's first history Id (or object|record|user|time), or the
        // id of the group it repeats with other content. Aliases point back only.
        let mut ids: Vec<String> = Vec::with_capacity(self.groups.len());
        for group in &self.groups {
            let id = match group.alias {
                Some(earlier) => ids[earlier].clone(),
                None => group.first_id.clone().unwrap_or_else(|| {
                    format!(
                        "{}|{}|{}|{}",
                        group.object, group.record, group.user, group.ts
                    )
                }),
            };
            ids.push(id);
        }
        let contents: Vec<Vec<u8>> = self.groups.iter().map(group_content).collect();
        // In time order; each row's bytes go to its event as it is made.
        let mut order: Vec<(i64, u64, Of)> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.millis, g.seq, Of::Group(i)))
            .chain(
                self.audits
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.millis, a.seq, Of::Audit(i))),
            )
            .collect();
        order.sort_by_key(|(millis, seq, _)| (*millis, *seq));
        self.made = (self.groups.len() as u64, self.audits.len() as u64);
        out.reserve(order.len() + self.repeats.len());
        for (_, _, of) in order {
            match of {
                Of::Group(g) => {
                    let mut one = self.group_out(&self.groups[g], &ids[g]);
                    one.content = Some(contents[g].clone());
                    self.groups[g].rows = Vec::new();
                    out.push(one);
                }
                Of::Audit(a) => {
                    let one = self.audit_out(&self.audits[a]);
                    self.audits[a].held.raw = Box::default();
                    out.push(one);
                }
            }
        }
        // Exact repeats last, file by file, so the driver counts them against the
        // events above (same id, same content) and names each file once.
        self.repeats.sort_by_key(|r| (r.file, r.line));
        for repeat in &self.repeats {
            let (id, ts, content) = match repeat.of {
                Of::Group(g) => (&ids[g], &self.groups[g].ts, contents[g].clone()),
                Of::Audit(a) => {
                    let audit = &self.audits[a];
                    (&audit.id, &audit.ts, audit.held.hash.to_vec())
                }
            };
            out.push(Out {
                event: json!({"id": id, "ts": ts}),
                raw: Vec::new(),
                file: self.files[repeat.file as usize].name.clone(),
                line: repeat.line,
                offset: repeat.offset,
                content: Some(content),
            });
        }
        self.groups = Vec::new();
        self.by_key = HashMap::new();
        self.rows_seen = HashMap::new();
        self.audits = Vec::new();
        self.audits_seen = HashMap::new();
    }

    fn summary(&self) -> Option<String> {
        let mut said = Vec::new();
        if self.history_rows > 0 {
            said.push(format!(
                "{} field history rows folded into {} change events (one per record, user and time)",
                crate::verify::group(self.history_rows),
                crate::verify::group(self.made.0)
            ));
        }
        if self.made.1 > 0 {
            said.push(format!(
                "{} Setup Audit Trail rows",
                crate::verify::group(self.made.1)
            ));
        }
        if self.user_rows > 0 {
            said.push(format!(
                "{} users named from the User export",
                crate::verify::group(self.user_rows)
            ));
        }
        (!said.is_empty()).then(|| said.join("; "))
    }
}

impl SalesforceNormalizer {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn held(file: usize, item: &Item<'_>, hash: [u8; 32], has_id: bool) -> Held {
        Held {
            file: file as u32,
            line: item.line,
            offset: item.offset,
            raw: item.raw.into(),
            hash,
            has_id,
        }
    }

    fn push_history(
        &mut self,
        file: usize,
        item: &Item<'_>,
        fields: &[&str],
    ) -> Result<(), String> {
        let info = &self.files[file];
        let c = &info.cols;
        let record = cell(fields, c.record)
            .map(id18)
            .ok_or_else(|| format!("its {} is empty", info.record_column))?;
        let field = cell(fields, c.field).ok_or("its Field is empty")?;
        let created = cell(fields, c.created_date).ok_or("its CreatedDate is empty")?;
        let ts = utc_time(created)
            .ok_or_else(|| format!("its CreatedDate {created:?} is not a time"))?;
        let user = cell(fields, c.created_by).map(id18).unwrap_or_default();
        let object = cell(fields, c.history_type)
            .map(str::to_owned)
            .or_else(|| info.object.clone())
            .or_else(|| object_of_prefix(&record).map(str::to_owned))
            .unwrap_or_else(|| "record".to_owned());
        let row_id = cell(fields, c.id).map(id18);
        // What a row says: an exact repeat says the same under the same Id, whatever
        // the tool quoted, however it wrote the time, and whether or not the record
        // has been deleted since (IsDeleted) or the export has a DataType column.
        let hash = sha(&json!([
            object,
            record,
            field,
            value(fields, c.old),
            value(fields, c.new),
            user,
            ts
        ]));
        let key: GroupKey = (object, record, user, ts);
        let holders: Vec<usize> = match &row_id {
            Some(id) => match self.rows_seen.get(id) {
                Some(seen) => {
                    if let Some((_, g)) = seen.iter().find(|(h, _)| *h == hash) {
                        let of = Of::Group(*g);
                        self.repeat(of, file, item);
                        return Ok(());
                    }
                    seen.iter().map(|(_, g)| *g).collect()
                }
                None => Vec::new(),
            },
            None => {
                // With no Id, the same row twice in one change is the same row.
                let same = self.by_key.get(&key).and_then(|groups| {
                    groups.iter().copied().find(|g| {
                        self.groups[*g]
                            .rows
                            .iter()
                            .any(|r| !r.has_id && r.hash == hash)
                    })
                });
                if let Some(g) = same {
                    self.repeat(Of::Group(g), file, item);
                    return Ok(());
                }
                Vec::new()
            }
        };
        let conflicting = !holders.is_empty();
        let variants = self.by_key.get(&key).cloned().unwrap_or_default();
        let slot = variants.iter().copied().find(|g| {
            let group = &self.groups[*g];
            group.alias.is_some() == conflicting && !holders.contains(g)
        });
        let g = match slot {
            Some(g) => g,
            None => {
                let alias = if conflicting {
                    variants
                        .iter()
                        .copied()
                        .find(|g| self.groups[*g].alias.is_none())
                        .or(holders.first().copied())
                } else {
                    None
                };
                let seq = self.next_seq();
                let (object, record, user, ts) = key.clone();
                self.groups.push(Group {
                    millis: millis(&ts),
                    object,
                    record,
                    user,
                    ts,
                    seq,
                    rows: Vec::new(),
                    first_id: row_id.clone(),
                    alias,
                });
                let g = self.groups.len() - 1;
                self.by_key.entry(key).or_default().push(g);
                g
            }
        };
        self.groups[g]
            .rows
            .push(Self::held(file, item, hash, row_id.is_some()));
        if let Some(id) = row_id {
            self.rows_seen.entry(id).or_default().push((hash, g));
        }
        self.history_rows += 1;
        Ok(())
    }

    fn repeat(&mut self, of: Of, file: usize, item: &Item<'_>) {
        self.repeats.push(Repeat {
            of,
            file: file as u32,
            line: item.line,
            offset: item.offset,
        });
    }

    fn push_audit(&mut self, file: usize, item: &Item<'_>, fields: &[&str]) -> Result<(), String> {
        let c = &self.files[file].cols;
        let id = cell(fields, c.id).map(id18).ok_or("its Id is empty")?;
        let created = cell(fields, c.created_date).ok_or("its CreatedDate is empty")?;
        let ts = utc_time(created)
            .ok_or_else(|| format!("its CreatedDate {created:?} is not a time"))?;
        cell(fields, c.action).ok_or("its Action is empty")?;
        let hash = sha(&json!([
            id,
            ts,
            value(fields, c.action),
            value(fields, c.section),
            value(fields, c.display),
            cell(fields, c.created_by).map(id18),
            value(fields, c.delegate),
            value(fields, c.namespace),
            value(fields, c.by_context),
            value(fields, c.by_issuer),
        ]));
        if let Some(a) = self
            .audits_seen
            .get(&id)
            .and_then(|seen| seen.iter().find(|(h, _)| *h == hash))
            .map(|(_, a)| *a)
        {
            self.repeat(Of::Audit(a), file, item);
            return Ok(());
        }
        let seq = self.next_seq();
        self.audits.push(Audit {
            held: Self::held(file, item, hash, true),
            millis: millis(&ts),
            id: id.clone(),
            ts,
            seq,
        });
        self.audits_seen
            .entry(id)
            .or_default()
            .push((hash, self.audits.len() - 1));
        Ok(())
    }

    fn push_user(&mut self, file: usize, fields: &[&str]) {
        let c = &self.files[file].cols;
        let Some(id) = cell(fields, c.id).map(id18) else {
            return;
        };
        let name = cell(fields, c.name).map(str::to_owned).or_else(|| {
            let parts: Vec<&str> = [c.first_name, c.last_name]
                .iter()
                .filter_map(|col| cell(fields, *col))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        let user = User {
            name,
            email: cell(fields, c.email).map(str::to_owned),
            automation: cell(fields, c.user_type)
                .is_some_and(|t| t.eq_ignore_ascii_case("AutomatedProcess")),
        };
        if let Some(username) = cell(fields, c.username) {
            self.usernames
                .insert(username.to_ascii_lowercase(), id.clone());
        }
        self.users.insert(id, user);
        self.user_rows += 1;
    }

    /// A user id as a party: named from the `User` export, or from `CreatedBy.Name`
    /// and `CreatedBy.Email` columns when the export has them.
    fn party<'a>(
        &'a self,
        id: &'a str,
        name: Option<&'a str>,
        email: Option<&'a str>,
    ) -> Party<'a> {
        let user = self.users.get(id);
        Party {
            id: Some(id),
            kind: Some(if user.is_some_and(|u| u.automation) {
                "automation"
            } else {
                "user"
            }),
            name: user.and_then(|u| u.name.as_deref()).or(name),
            email: user.and_then(|u| u.email.as_deref()).or(email),
        }
    }

    /// One change event of a group's rows, read again from their bytes.
    fn group_out(&self, group: &Group, id: &str) -> Out {
        let first = &group.rows[0];
        let info = &self.files[first.file as usize];
        let rows: Vec<(&FileInfo, Vec<String>)> = group
            .rows
            .iter()
            .map(|held| {
                let info = &self.files[held.file as usize];
                (info, reparse(&held.raw))
            })
            .collect();
        let get = |(info, fields): &(&FileInfo, Vec<String>), col: fn(&Cols) -> Option<usize>| {
            col(&info.cols)
                .and_then(|i| fields.get(i))
                .map(String::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let trimmed = |row: &(&FileInfo, Vec<String>), col: fn(&Cols) -> Option<usize>| {
            Some(get(row, col).trim().to_owned()).filter(|s| !s.is_empty())
        };
        let field_of = |row| trimmed(row, |c| c.field).unwrap_or_default();
        let mut counts: HashMap<String, usize> = HashMap::new();
        for row in &rows {
            *counts.entry(field_of(row)).or_default() += 1;
        }
        let mut created = false;
        let mut before = Map::new();
        let mut after = Map::new();
        let mut without_values = Vec::new();
        let mut data_types = Map::new();
        let mut history_ids = Vec::new();
        for row in &rows {
            if let Some(history_id) = trimmed(row, |c| c.id) {
                history_ids.push(Value::String(id18(&history_id)));
            }
            let field = field_of(row);
            if field.eq_ignore_ascii_case("created") {
                created = true;
                continue;
            }
            let (old, new) = (get(row, |c| c.old), get(row, |c| c.new));
            if old.is_empty() && new.is_empty() {
                // Salesforce records that it changed, not what to (long text areas,
                // encrypted fields) or an event that is no field (`locked`).
                without_values.push(Value::String(field));
                continue;
            }
            let data_type = trimmed(row, |c| c.data_type);
            let id_row = match &data_type {
                Some(t) => t.eq_ignore_ascii_case("EntityId"),
                // No DataType column (the archive): a field written twice in one
                // change whose values are ids is the lookup's id row.
                None => {
                    counts.get(&field).is_some_and(|n| *n > 1)
                        && [&old, &new]
                            .iter()
                            .all(|v| v.is_empty() || is_salesforce_id(v.trim()))
                }
            };
            let key = if id_row { id_key(&field) } else { field };
            if let Some(data_type) = data_type {
                data_types.insert(key.clone(), Value::String(data_type));
            }
            // The first row's old value and the last row's new one.
            before.entry(key.clone()).or_insert_with(|| nullable(old));
            after.insert(key, nullable(new));
        }
        let verb = if created { "created" } else { "updated" };
        let mut event = Event::new(id, &group.ts, &format!("{}.{verb}", group.object));
        event.text("category", Some("record"));
        let first_row = &rows[0];
        let by_name = trimmed(first_row, |c| c.created_by_name);
        let by_email = trimmed(first_row, |c| c.created_by_email);
        if !group.user.is_empty() {
            event.party(
                "actor",
                self.party(&group.user, by_name.as_deref(), by_email.as_deref()),
            );
        }
        let record_name = rows.iter().find_map(|row| trimmed(row, |c| c.record_name));
        event.party(
            "target",
            Party {
                id: Some(&group.record),
                kind: Some(&group.object),
                name: record_name.as_deref(),
                ..Party::default()
            },
        );
        event.text("outcome", Some("success"));
        event.set("before", Value::Object(before));
        event.set("after", Value::Object(after));
        event.context(
            "export",
            json!(if info.archive {
                "FieldHistoryArchive"
            } else {
                "field history"
            }),
        );
        event.context("history_ids", Value::Array(history_ids));
        if !data_types.is_empty() {
            event.context("data_types", Value::Object(data_types));
        }
        if !without_values.is_empty() {
            event.context("changed_without_values", Value::Array(without_values));
        }
        if rows.iter().any(|row| {
            trimmed(row, |c| c.is_deleted).is_some_and(|d| d.eq_ignore_ascii_case("true"))
        }) {
            event.context("is_deleted", json!(true));
        }
        if let Some(archived) = rows.iter().find_map(|row| trimmed(row, |c| c.archive_ts)) {
            event.context("archive_timestamp", json!(archived));
        }
        let mut raw = Vec::with_capacity(group.rows.iter().map(|r| r.raw.len() + 1).sum());
        for (i, held) in group.rows.iter().enumerate() {
            if i > 0 {
                raw.push(b'\n');
            }
            raw.extend_from_slice(&held.raw);
        }
        Out {
            event: event.build(),
            raw,
            file: info.name.clone(),
            line: first.line,
            offset: first.offset,
            content: None,
        }
    }

    /// One Setup Audit Trail row as an event.
    fn audit_out(&self, audit: &Audit) -> Out {
        let held = &audit.held;
        let info = &self.files[held.file as usize];
        let fields = reparse(&held.raw);
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let c = &info.cols;
        let s = |col| cell(&fields, col);
        let action = s(c.action).unwrap_or_default();
        let section = s(c.section);
        let display = s(c.display);
        let created_by = s(c.created_by).map(id18);
        let delegate = s(c.delegate);
        let mut event = Event::new(&audit.id, &audit.ts, action);
        event.text(
            "category",
            Some(audit_category(action, section.unwrap_or(""))),
        );
        // Login-As: the delegate (an administrator, by username) acted in the session
        // of the user the row names; the delegate is who did it.
        match (delegate, created_by.as_deref()) {
            (Some(delegate), by) => {
                let actor = self
                    .usernames
                    .get(&delegate.to_ascii_lowercase())
                    .map_or(delegate, String::as_str);
                event.party("actor", self.party(actor, None, None));
                if let Some(by) = by {
                    event.party("on_behalf_of", self.party(by, None, None));
                }
                event.context("impersonation", json!(true));
            }
            (None, Some(by)) => {
                event.party("actor", self.party(by, None, None));
            }
            (None, None) => {}
        }
        event.party(
            "target",
            Party {
                id: section,
                kind: Some("Setup"),
                name: section,
                ..Party::default()
            },
        );
        event.text("outcome", Some("success"));
        if let Some((what, from, to)) = display.and_then(changed_from_to) {
            event.set("before", json!({ what: nullable(from.to_owned()) }));
            event.set("after", json!({ what: nullable(to.to_owned()) }));
        }
        for (name, col) in [
            ("display", c.display),
            ("section", c.section),
            ("delegate_user", c.delegate),
            ("responsible_namespace_prefix", c.namespace),
            ("created_by_context", c.by_context),
            ("created_by_issuer", c.by_issuer),
        ] {
            if let Some(text) = s(col) {
                event.context(name, json!(text));
            }
        }
        event.context("export", json!("SetupAuditTrail"));
        Out {
            event: event.build(),
            raw: held.raw.to_vec(),
            file: info.name.clone(),
            line: held.line,
            offset: held.offset,
            content: Some(held.hash.to_vec()),
        }
    }
}

/// What an exact repeat of a group must equal: the digests of its rows, in order.
fn group_content(group: &Group) -> Vec<u8> {
    let mut hashes: Vec<[u8; 32]> = group.rows.iter().map(|r| r.hash).collect();
    hashes.sort_unstable();
    let mut content = b"salesforce field history change\n".to_vec();
    for hash in hashes {
        content.extend_from_slice(&hash);
    }
    content
}

/// A row's cells, read again from its bytes (rows are held as bytes, not cells).
fn reparse(raw: &[u8]) -> Vec<String> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(raw)
        .records()
        .next()
        .and_then(Result::ok)
        .map(|record| record.iter().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A history value: empty is no value (`null`); anything else is the text as written,
/// a formula-looking `=HYPERLINK(…)` included.
fn nullable(text: String) -> Value {
    if text.is_empty() {
        Value::Null
    } else {
        Value::String(text)
    }
}

/// The key of a lookup's id row: `Owner` → `OwnerId`, `Foo__c` → `Foo__c.Id`.
fn id_key(field: &str) -> String {
    if field.to_ascii_lowercase().ends_with("__c") {
        format!("{field}.Id")
    } else {
        format!("{field}Id")
    }
}

/// `Changed <what> from <A> to <B>` (a Setup Audit Trail `Display`): what, A and B.
/// A heuristic: the first ` from ` after `Changed ` and the last ` to ` after it.
fn changed_from_to(display: &str) -> Option<(&str, &str, &str)> {
    let rest = display.trim().strip_prefix("Changed ")?;
    let (what, values) = rest.split_once(" from ")?;
    let (from, to) = values.rsplit_once(" to ")?;
    let to = to.strip_suffix('.').unwrap_or(to);
    let what = what.trim();
    (!what.is_empty()).then_some((what, from.trim(), to.trim()))
}

/// The model's category for a Setup Audit Trail row, from its `Action` and `Section`.
fn audit_category(action: &str, section: &str) -> &'static str {
    let action = action.to_ascii_lowercase();
    let section = section.to_ascii_lowercase();
    let either = |word: &str| action.contains(word) || section.contains(word);
    if (action.starts_with("su") && action.ends_with("login"))
        || action.contains("password")
        || action.contains("loginas")
    {
        "auth"
    } else if action.starts_with("permset")
        || either("permission")
        || either("profile")
        || action.contains("role")
        || section.contains("roles")
        || section.contains("sharing")
        || section.contains("public groups")
    {
        "permission"
    } else if either("export") {
        "export"
    } else if either("import") {
        "import"
    } else if either("workflow")
        || either("flow")
        || either("approval")
        || section.contains("process")
    {
        "workflow"
    } else if section.contains("connected app")
        || section.contains("named credential")
        || section.contains("remote site")
        || section.contains("auth. provider")
        || section.contains("api")
    {
        "integration"
    } else {
        "admin"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs files (name, CSV text; one record a line) through a normalizer as the
    /// driver does: (events made, quarantined (file, line, reason)).
    fn run(files: &[(&str, &str)]) -> (Vec<Out>, Vec<(String, u64, String)>) {
        let mut normalizer = SalesforceNormalizer::default();
        let mut outs = Vec::new();
        let mut quarantined = Vec::new();
        for (name, text) in files {
            let mut lines = text.lines();
            let names: Vec<String> = lines
                .next()
                .unwrap()
                .split(',')
                .map(|s| s.trim_matches('"').to_owned())
                .collect();
            let header = Header {
                index: names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.clone(), i))
                    .collect(),
                names,
            };
            normalizer.begin_file(name, Some(&header)).unwrap();
            for (n, line) in lines.enumerate() {
                let cells = reparse(line.as_bytes());
                let fields: Vec<&str> = cells.iter().map(String::as_str).collect();
                let item = Item {
                    file: name,
                    number: n as u64 + 1,
                    line: n as u64 + 2,
                    offset: 0,
                    raw: line.as_bytes(),
                    value: ItemValue::Row(super::super::Row {
                        header: &header,
                        fields,
                    }),
                };
                if let Err(reason) = normalizer.push(item, &mut outs) {
                    quarantined.push((name.to_string(), n as u64 + 2, reason));
                }
            }
        }
        normalizer.finish(&mut outs);
        (outs, quarantined)
    }

    const OPPORTUNITY: &str = "\
Id,OpportunityId,Field,DataType,OldValue,NewValue,CreatedById,CreatedDate,IsDeleted
008000000000001AAA,006000000000001AAA,created,Text,,,005000000000001AAA,2026-03-02T08:00:00.000Z,false
008000000000002AAA,006000000000001AAA,StageName,Picklist,Prospecting,Qualification,005000000000002AAA,2026-03-02T09:00:00.000Z,false
008000000000009AAA,006000000000001AAA,Amount,Currency,,25000,005000000000001AAA,2026-03-02T10:00:00.000+0000,false
008000000000003AAA,006000000000001AAA,Amount,Currency,10000,12000,005000000000002AAA,2026-03-02T09:00:00.000Z,false
008000000000004AAA,006000000000001AAA,NextStep,Text,Call,\"=HYPERLINK(\"\"http://x\"\")\",005000000000002AAA,2026-03-02T09:00:00.000Z,false";

    fn events_of(outs: &[Out]) -> Vec<&Value> {
        outs.iter()
            .filter(|o| o.event.get("action").is_some())
            .map(|o| &o.event)
            .collect()
    }

    #[test]
    fn the_rows_of_one_record_user_and_time_are_one_change_event_in_time_order() {
        let (outs, quarantined) = run(&[("OpportunityFieldHistory.csv", OPPORTUNITY)]);
        assert!(quarantined.is_empty());
        let events = events_of(&outs);
        assert_eq!(events.len(), 3);
        assert_eq!(events[0]["action"], "Opportunity.created");
        assert_eq!(events[0]["id"], "008000000000001AAA");
        assert_eq!(
            events[0]["target"],
            json!({"id": "006000000000001AAA", "type": "Opportunity"})
        );
        assert!(events[0].get("after").is_none());
        let update = events[1];
        assert_eq!(update["action"], "Opportunity.updated");
        assert_eq!(update["id"], "008000000000002AAA", "its first row's Id");
        assert_eq!(update["ts"], "2026-03-02T09:00:00.000Z");
        assert_eq!(update["category"], "record");
        assert_eq!(update["outcome"], "success");
        assert_eq!(
            update["before"],
            json!({"StageName": "Prospecting", "Amount": "10000", "NextStep": "Call"})
        );
        assert_eq!(
            update["after"],
            json!({"StageName": "Qualification", "Amount": "12000",
                   "NextStep": "=HYPERLINK(\"http://x\")"})
        );
        assert_eq!(update["context"]["data_types"]["Amount"], "Currency");
        assert_eq!(
            update["context"]["history_ids"],
            json!([
                "008000000000002AAA",
                "008000000000003AAA",
                "008000000000004AAA"
            ])
        );
        // The rows of the event, as they arrived, joined by newlines; located at the first.
        let out = outs
            .iter()
            .find(|o| o.event["id"] == "008000000000002AAA")
            .unwrap();
        assert_eq!(out.line, 3);
        assert_eq!(String::from_utf8_lossy(&out.raw).lines().count(), 3);
        assert!(String::from_utf8_lossy(&out.raw).contains("\"=HYPERLINK(\"\"http://x\"\")\""));
        // An empty old value is no value; the offset time is the same instant in UTC.
        assert_eq!(events[2]["before"], json!({"Amount": null}));
        assert_eq!(events[2]["ts"], "2026-03-02T10:00:00.000Z");
    }

    #[test]
    fn an_owner_change_keeps_the_name_and_the_id_apart() {
        let history = "\
Id,AccountId,Field,DataType,OldValue,NewValue,CreatedById,CreatedDate
017000000000001AAA,001000000000001AAA,Owner,Text,Maria Lopez,Omar Sato,005000000000001AAA,2026-03-02T08:00:00.000Z
017000000000002AAA,001000000000001AAA,Owner,EntityId,005000000000001AAA,005000000000002AAA,005000000000001AAA,2026-03-02T08:00:00.000Z
017000000000003AAA,001000000000001AAA,Rating,Picklist,Warm,Hot,005000000000001AAA,2026-03-02T08:00:00.000Z";
        let (outs, _) = run(&[("AccountHistory.csv", history)]);
        let events = events_of(&outs);
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0]["after"],
            json!({"Owner": "Omar Sato", "OwnerId": "005000000000002AAA", "Rating": "Hot"})
        );
        // The archive has no DataType: a field twice whose values are ids is the id row.
        let archive = "\
FieldHistoryType,ParentId,Field,OldValue,NewValue,CreatedById,CreatedDate,ArchiveTimestamp
Account,001000000000001AAA,Owner,Maria Lopez,Omar Sato,005000000000001AAA,2026-03-02T08:00:00.000Z,2026-09-01T00:00:00.000Z
Account,001000000000001AAA,Owner,005000000000001AAA,005000000000002AAA,005000000000001AAA,2026-03-02T08:00:00.000Z,2026-09-01T00:00:00.000Z
Foo__c,a0X000000000001AAA,Status__c,Open,Closed,005000000000001AAA,2026-03-02T09:00:00.000Z,2026-09-01T00:00:00.000Z";
        let (outs, _) = run(&[("FieldHistoryArchive.csv", archive)]);
        let events = events_of(&outs);
        assert_eq!(
            events[0]["after"],
            json!({"Owner": "Omar Sato", "OwnerId": "005000000000002AAA"})
        );
        assert_eq!(
            events[0]["id"],
            "Account|001000000000001AAA|005000000000001AAA|2026-03-02T08:00:00.000Z",
            "no Id column: the group's key"
        );
        assert_eq!(events[0]["context"]["export"], "FieldHistoryArchive");
        assert_eq!(events[1]["action"], "Foo__c.updated");
        assert_eq!(events[1]["target"]["type"], "Foo__c");
        assert_eq!(id_key("Foo__c"), "Foo__c.Id");
    }

    #[test]
    fn a_user_export_read_last_still_names_the_actors() {
        let users = "\
Id,Username,Name,Email,UserType
005000000000001AAA,maria@acme.com.prod,Maria Lopez,maria@acme.com,Standard
005000000000002,omar@acme.com.prod,Omar Sato,omar@acme.com,Standard";
        let (outs, _) = run(&[
            ("OpportunityFieldHistory.csv", OPPORTUNITY),
            ("User.csv", users),
        ]);
        let events = events_of(&outs);
        assert_eq!(
            events[0]["actor"],
            json!({"id": "005000000000001AAA", "type": "user", "name": "Maria Lopez",
                   "email": "maria@acme.com"})
        );
        // The 15-character id of the User export is the 18-character id of the history.
        assert_eq!(events[1]["actor"]["name"], "Omar Sato");
    }

    #[test]
    fn exact_repeats_count_once_and_an_id_with_other_content_is_kept_under_one_id() {
        let overlap = "\
ID,OPPORTUNITYID,FIELD,OLDVALUE,NEWVALUE,CREATEDBYID,CREATEDDATE
\"008000000000003AAA\",\"006000000000001AAA\",\"Amount\",\"10000\",\"12000\",\"005000000000002AAA\",\"2026-03-02T09:00:00.000Z\"
\"008000000000002AAA\",\"006000000000001AAA\",\"StageName\",\"Prospecting\",\"Closed Won\",\"005000000000002AAA\",\"2026-03-02T09:00:00.000Z\"";
        let (outs, _) = run(&[
            ("OpportunityFieldHistory.csv", OPPORTUNITY),
            ("OpportunityFieldHistory-2.csv", overlap),
        ]);
        let events = events_of(&outs);
        // Three changes, and the StageName row whose Id came back with another value.
        assert_eq!(events.len(), 4);
        let same_id: Vec<&&Value> = events
            .iter()
            .filter(|e| e["id"] == "008000000000002AAA")
            .collect();
        assert_eq!(same_id.len(), 2);
        assert_eq!(same_id[1]["after"], json!({"StageName": "Closed Won"}));
        assert_ne!(
            outs.iter()
                .filter(|o| o.event["id"] == "008000000000002AAA")
                .map(|o| o.content.clone())
                .collect::<Vec<_>>()[0],
            outs.iter()
                .filter(|o| o.event["id"] == "008000000000002AAA")
                .map(|o| o.content.clone())
                .collect::<Vec<_>>()[1],
        );
        // The Amount row repeats exactly (capitals, quotes and all): handed over last,
        // with the id and content of the event it is part of.
        let repeat = outs.last().unwrap();
        assert_eq!(repeat.file, "OpportunityFieldHistory-2.csv");
        assert_eq!(repeat.event["id"], "008000000000002AAA");
        let original = outs
            .iter()
            .find(|o| o.event["id"] == "008000000000002AAA")
            .unwrap();
        assert_eq!(repeat.content, original.content);
        assert_eq!(outs.len(), 5);
    }

    #[test]
    fn a_row_without_a_usable_time_or_record_says_why() {
        let history = "\
Id,AccountId,Field,OldValue,NewValue,CreatedById,CreatedDate
017000000000001AAA,001000000000001AAA,Rating,Warm,Hot,005000000000001AAA,
017000000000002AAA,001000000000001AAA,Rating,Warm,Hot,005000000000001AAA,last Tuesday
017000000000003AAA,,Rating,Warm,Hot,005000000000001AAA,2026-03-02T08:00:00.000Z";
        let (outs, quarantined) = run(&[("AccountHistory.csv", history)]);
        assert!(outs.is_empty());
        let reasons: Vec<&str> = quarantined.iter().map(|q| q.2.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "its CreatedDate is empty",
                "its CreatedDate \"last Tuesday\" is not a time",
                "its AccountId is empty"
            ]
        );
    }

    #[test]
    fn the_setup_audit_trail_reads_sections_delegates_and_changed_from_to() {
        let trail = "\
Id,Action,Section,Display,CreatedById,CreatedDate,DelegateUser,ResponsibleNamespacePrefix,CreatedByContext,CreatedByIssuer
0Ym000000000001AAA,PermSetAssign,Manage Users,Permission set Export: assigned to user Omar Sato,005000000000002AAA,2026-03-02T08:00:00.000+0000,dana@acme.com.prod,,,
0Ym000000000002AAA,changedProfileForUser,Manage Users,Changed profile for user Omar Sato from Standard User to System Administrator,005000000000001AAA,2026-03-02T09:00:00.000+0000,,,,
0Ym000000000003AAA,suOrgAdminLogin,Manage Users,Logged in using Login-As access for Omar Sato,005000000000001AAA,2026-03-02T10:00:00.000+0000,,,,
0Ym000000000003AAA,suOrgAdminLogin,Manage Users,Logged in using Login-As access for Omar Sato,005000000000001AAA,2026-03-02T10:00:00.000+0000,,,,";
        let users = "\
Id,Username,Name,Email
005000000000009AAA,Dana@acme.com.prod,Dana Reyes,dana@acme.com";
        let (outs, _) = run(&[("SetupAuditTrail.csv", trail), ("User.csv", users)]);
        let events = events_of(&outs);
        assert_eq!(events.len(), 3);
        let assign = events[0];
        assert_eq!(assign["category"], "permission");
        assert_eq!(assign["actor"]["id"], "005000000000009AAA");
        assert_eq!(assign["actor"]["name"], "Dana Reyes");
        assert_eq!(assign["on_behalf_of"]["id"], "005000000000002AAA");
        assert_eq!(assign["context"]["impersonation"], true);
        assert_eq!(assign["context"]["delegate_user"], "dana@acme.com.prod");
        assert_eq!(
            assign["target"],
            json!({"id": "Manage Users", "type": "Setup", "name": "Manage Users"})
        );
        let profile = events[1];
        assert_eq!(
            profile["before"],
            json!({"profile for user Omar Sato": "Standard User"})
        );
        assert_eq!(
            profile["after"],
            json!({"profile for user Omar Sato": "System Administrator"})
        );
        assert!(
            profile["context"]["display"]
                .as_str()
                .unwrap()
                .starts_with("Changed profile")
        );
        assert_eq!(events[2]["category"], "auth");
        assert!(events[2].get("before").is_none());
        let repeat = outs.last().unwrap();
        assert_eq!(repeat.event["id"], "0Ym000000000003AAA");
        assert_eq!(repeat.line, 5);
    }

    #[test]
    fn files_are_told_by_their_columns_and_users_by_their_ids() {
        let columns = |names: &str| names.split(',').map(str::to_owned).collect::<Vec<_>>();
        let head = |columns: &[String], bytes: &str| {
            let columns = columns.to_vec();
            let bytes = bytes.to_owned();
            (columns, bytes)
        };
        let sniff = |(columns, bytes): (Vec<String>, String)| {
            Salesforce.sniff(&Head {
                name: "x.csv",
                bytes: bytes.as_bytes(),
                columns: Some(&columns),
                first: None,
            })
        };
        let history =
            columns("Id,AccountId,Field,DataType,OldValue,NewValue,CreatedById,CreatedDate");
        assert!(sniff(head(&history, "")));
        let upper = columns("ID,OPPORTUNITYID,FIELD,OLDVALUE,NEWVALUE,CREATEDBYID,CREATEDDATE");
        assert!(sniff(head(&upper, "")));
        let trail = columns("Id,Action,Section,Display,CreatedById,CreatedDate,DelegateUser");
        assert!(sniff(head(&trail, "")));
        let users = columns("Id,Username,Name,Email");
        assert!(sniff(head(
            &users,
            "\u{feff}Id,Username,Name,Email\n005000000000001AAA,m@a.com,Maria,m@a.com\n"
        )));
        assert!(!sniff(head(
            &users,
            "Id,Username,Name,Email\n42,m,Maria,m@a.com\n"
        )));
        let purview = columns("CreationDate,UserIds,Operations,AuditData");
        assert!(!sniff(head(&purview, "")));
        assert!(!sniff(head(&columns("Id,Field,OldValue,NewValue"), "")));
    }

    #[test]
    fn objects_come_from_columns_file_names_and_key_prefixes() {
        assert_eq!(
            object_of_file("AccountHistory.csv").as_deref(),
            Some("Account")
        );
        assert_eq!(
            object_of_file("exports/OpportunityFieldHistory.csv.gz").as_deref(),
            Some("Opportunity")
        );
        assert_eq!(
            object_of_file("Foo__History.csv").as_deref(),
            Some("Foo__c")
        );
        assert_eq!(object_of_file("FieldHistoryArchive.csv"), None);
        assert_eq!(object_of_file("extract.csv"), None);
        assert_eq!(
            object_of_column("OPPORTUNITYID", "extract.csv"),
            "Opportunity"
        );
        assert_eq!(object_of_column("CASEID", "CaseHistory.csv"), "Case");
        assert_eq!(object_of_column("WidgetId", "x.csv"), "Widget");
        assert_eq!(object_of_prefix("00Q000000000001AAA"), Some("Lead"));
        let history = "\
Id,ParentId,Field,OldValue,NewValue,CreatedById,CreatedDate
a01000000000001AAA,a0X000000000001AAA,Status__c,Open,Closed,005000000000001AAA,2026-03-02T08:00:00Z";
        let (outs, _) = run(&[("Widget__History.csv", history)]);
        assert_eq!(outs[0].event["action"], "Widget__c.updated");
        let (outs, _) = run(&[("extract.csv", history)]);
        assert_eq!(outs[0].event["action"], "record.updated");
    }

    #[test]
    fn fifteen_character_ids_get_their_checksum() {
        assert_eq!(id18("001000000000001"), "001000000000001AAA");
        assert_eq!(id18("a0XB0000000AbCD"), "a0XB0000000AbCDMA0");
        assert_eq!(id18("a0XB0000000AbCDMA0"), "a0XB0000000AbCDMA0");
        assert_eq!(id18("not an id"), "not an id");
    }

    #[test]
    fn setup_categories_and_the_changed_from_to_heuristic() {
        assert_eq!(
            audit_category("PermSetAssign", "Manage Users"),
            "permission"
        );
        assert_eq!(audit_category("suOrgAdminLogin", "Manage Users"), "auth");
        assert_eq!(audit_category("changedpassword", "Manage Users"), "auth");
        assert_eq!(audit_category("createdFlow", "Flows"), "workflow");
        assert_eq!(audit_category("dataExport", "Data Export"), "export");
        assert_eq!(
            audit_category("changedApp", "Connected Apps"),
            "integration"
        );
        assert_eq!(
            audit_category("changedSessionTimeout", "Session Settings"),
            "admin"
        );
        assert_eq!(
            changed_from_to("Changed Session Timeout from 2 hours to 30 minutes."),
            Some(("Session Timeout", "2 hours", "30 minutes"))
        );
        assert_eq!(changed_from_to("Changed password for user x"), None);
        assert_eq!(
            changed_from_to("Changed email for user Bo from  to bo@acme.com"),
            Some(("email for user Bo", "", "bo@acme.com"))
        );
    }
}
