//! Generates a folder of Salesforce exports as an investigator receives them
//! (`docs/sources/salesforce.md`): `AccountHistory.csv` and
//! `OpportunityFieldHistory.csv` (one row per changed field; the rows of one change
//! are written apart, in no order), a second, overlapping `OpportunityFieldHistory`
//! export, `SetupAuditTrail.csv` (permission set changes, a profile change, a Login-As
//! session) and `User.csv` (names and emails for the ids; a departed user is missing
//! from it). The quirks: rows repeated exactly by the overlapping export, a history Id
//! repeated with another value, rows whose `CreatedDate` is empty or not a time, an
//! owner change written twice (names and ids), a value that looks like a spreadsheet
//! formula, Data Loader's capital headers with every cell quoted. It returns what it
//! wrote as the truth an import must reproduce: events, actors and their names,
//! outcomes, categories, and each record's state after each of its changes.
//!
//! Like the rest of `produce`, it shares nothing with the reader it feeds.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::quirks::{self, Quirk};
use super::rng::Rng;

/// What to write.
#[derive(Debug, Clone)]
pub struct SalesforcePlan {
    pub seed: u64,
    pub opportunities: usize,
    pub accounts: usize,
    /// Changes per record after its creation.
    pub updates: usize,
    /// Setup Audit Trail rows (at least the eight scripted ones).
    pub setup_rows: usize,
    /// At least this many Opportunity history rows are written again, exactly, by a
    /// second export whose period overlaps the first (`OpportunityFieldHistory_2.csv`).
    pub repeats: usize,
    /// Account history rows whose Id comes back with another `NewValue`.
    pub conflicting: usize,
    /// History rows whose `CreatedDate` is empty or not a time.
    pub untimed: usize,
    /// `AccountHistory.csv` as Data Loader writes it: capital headers, every cell quoted.
    pub data_loader: bool,
}

impl Default for SalesforcePlan {
    fn default() -> SalesforcePlan {
        SalesforcePlan {
            seed: 5,
            opportunities: 6,
            accounts: 5,
            updates: 6,
            setup_rows: 16,
            repeats: 0,
            conflicting: 0,
            untimed: 0,
            data_loader: false,
        }
    }
}

/// A record's fields after one of its changes: field → value (`None`: no value).
pub type State = BTreeMap<String, Option<String>>;

/// What was written: what an import must find.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SalesforceTruth {
    /// Rows written to the history and Setup Audit Trail files (quirks included).
    pub rows: u64,
    /// Events an import keeps: change events, Setup Audit Trail rows, and the changes
    /// made again by conflicting rows.
    pub events: u64,
    /// Rows kept in quarantine (no usable time).
    pub quarantined: u64,
    /// Rows repeated exactly, counted once.
    pub exact_repeats: u64,
    /// Events per actor id (Login-As: the administrator who logged in as the user).
    pub per_actor: BTreeMap<String, u64>,
    pub outcomes: BTreeMap<String, u64>,
    pub categories: BTreeMap<String, u64>,
    /// The users of the User export: id → (name, email).
    pub names: BTreeMap<String, (String, String)>,
    /// Actor ids the User export does not name.
    pub unnamed: Vec<String>,
    /// Per (object, record id): after each of its change events, (ts, the fields the
    /// history has shown so far and their values). Records with a conflicting row are
    /// left out (two changes at one time): see `conflicts`.
    pub history: BTreeMap<(String, String), Vec<(String, State)>>,
    /// (object, record, ts, field, the value first written, the other value).
    pub conflicts: Vec<(String, String, String, String, String, String)>,
    /// Setup changes made in a Login-As session: (ts, action, administrator's id,
    /// the id of the user logged in as).
    pub delegated: Vec<(String, String, String, String)>,
    /// Setup changes whose text says `Changed X from A to B`: (ts, X, A, B).
    pub setting_changes: Vec<(String, String, String, String)>,
    /// The formula-looking value: (object, record, field, value).
    pub formula: (String, String, String, String),
    /// The files written, in the order a folder lists them.
    pub files: Vec<String>,
}

/// (name, email and username local part, UserType, in the User export).
const PEOPLE: [(&str, &str, &str, bool); 6] = [
    ("Maria Lopez", "maria.lopez", "Standard", true),
    ("Omar Sato", "omar.sato", "Standard", true),
    ("Dana Reyes", "dana.reyes", "Standard", true),
    ("Lee Park", "lee.park", "Standard", true),
    ("Automated Process", "autoproc", "AutomatedProcess", true),
    // Left the company: the User export (active users) no longer lists her.
    ("Jordan Kim", "jordan.kim", "Standard", false),
];
const MARIA: usize = 0;
const OMAR: usize = 1;
const DANA: usize = 2;
const LEE: usize = 3;
const AUTOMATION: usize = 4;
const JORDAN: usize = 5;

const STAGES: [&str; 6] = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
];
const RATINGS: [&str; 3] = ["Hot", "Warm", "Cold"];
const NEXT_STEPS: [&str; 4] = [
    "Send pricing",
    "Book demo with IT",
    "Legal review of MSA",
    "Follow up after budget meeting",
];
const FORMULA: &str = "=HYPERLINK(\"http://x\")";

/// When every generated export starts: 2026-03-02T08:00:00Z.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A Salesforce id: key prefix, then 12 characters, then the three-character case
/// checksum of the 18-character form.
fn sfid(prefix: &str, n: usize) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut body = Vec::new();
    let mut rest = n;
    for _ in 0..7 {
        body.push(DIGITS[rest % 62]);
        rest /= 62;
    }
    body.reverse();
    let short = format!("{prefix}Wq000{}", String::from_utf8(body).unwrap());
    debug_assert_eq!(short.len(), 15);
    let mut full = short.clone();
    for chunk in short.as_bytes().chunks(5) {
        let mut bits = 0usize;
        for (i, b) in chunk.iter().enumerate() {
            if b.is_ascii_uppercase() {
                bits += 1 << i;
            }
        }
        full.push(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits] as char);
    }
    full
}

fn user_id(person: usize) -> String {
    sfid("005", person + 1)
}

fn username(person: usize) -> String {
    format!("{}@acme.com.prod", PEOPLE[person].1)
}

fn ms(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// One history row.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    record: String,
    field: String,
    data_type: &'static str,
    old: String,
    new: String,
    user: String,
    created: String,
}

/// One change: the rows Salesforce wrote for it.
struct Change {
    object: &'static str,
    record: String,
    user: usize,
    time: DateTime<Utc>,
    rows: Vec<Row>,
}

struct Builder<'a> {
    rng: &'a mut Rng,
    row_ids: BTreeMap<&'static str, usize>,
}

impl Builder<'_> {
    fn row(
        &mut self,
        change: &Change,
        field: &str,
        data_type: &'static str,
        old: &str,
        new: &str,
    ) -> Row {
        let prefix = if change.object == "Account" {
            "017"
        } else {
            "008"
        };
        let n = self.row_ids.entry(prefix).or_default();
        *n += 1;
        Row {
            id: sfid(prefix, *n),
            record: change.record.clone(),
            field: field.to_owned(),
            data_type,
            old: old.to_owned(),
            new: new.to_owned(),
            user: user_id(change.user),
            created: ms(change.time),
        }
    }

    /// Who made a change: mostly the sales team, sometimes automation or a departed user.
    fn editor(&mut self) -> usize {
        match self.rng.index(10) {
            0 => AUTOMATION,
            1 => JORDAN,
            2 => DANA,
            n => [MARIA, OMAR, LEE][n % 3],
        }
    }

    fn change(&mut self, object: &'static str, record: &str, time: DateTime<Utc>) -> Change {
        Change {
            object,
            record: record.to_owned(),
            user: self.editor(),
            time,
            rows: Vec::new(),
        }
    }

    fn created(&mut self, object: &'static str, record: &str, time: DateTime<Utc>) -> Change {
        let mut change = self.change(object, record, time);
        let row = self.row(&change, "created", "Text", "", "");
        change.rows.push(row);
        change
    }

    fn opportunity(&mut self, k: usize, updates: usize, changes: &mut Vec<Change>) {
        let record = sfid("006", k + 1);
        let mut time = start() + Duration::minutes(7 * k as i64);
        changes.push(self.created("Opportunity", &record, time));
        // What the record was created with (history does not say; the first change's
        // old values do).
        let mut stage = 0;
        let mut amount = 5_000 * self.rng.between(2, 40);
        let mut next_step = String::new();
        let mut close = 20 + self.rng.index(40) as i64;
        for u in 0..updates {
            time += Duration::minutes(self.rng.between(20, 900) as i64);
            let mut change = self.change("Opportunity", &record, time);
            let mut kind = if u % 2 == 0 { 2 } else { self.rng.index(5) };
            if k == 0 && u == 1 {
                kind = 3;
            }
            if (kind == 0 || kind == 2) && stage + 1 >= STAGES.len() {
                kind = 1;
            }
            if kind == 0 || kind == 2 {
                let row = self.row(
                    &change,
                    "StageName",
                    "DynamicEnum",
                    STAGES[stage],
                    STAGES[stage + 1],
                );
                change.rows.push(row);
                stage += 1;
            }
            if kind == 1 || kind == 2 {
                let new = loop {
                    let new = 5_000 * self.rng.between(2, 40);
                    if new != amount {
                        break new;
                    }
                };
                let row = self.row(
                    &change,
                    "Amount",
                    "Currency",
                    &amount.to_string(),
                    &new.to_string(),
                );
                change.rows.push(row);
                amount = new;
            }
            if kind == 3 {
                let new = if k == 0 && u == 1 {
                    FORMULA.to_owned()
                } else if !next_step.is_empty() && self.rng.chance(0.4) {
                    String::new()
                } else {
                    NEXT_STEPS[self.rng.index(NEXT_STEPS.len())].to_owned()
                };
                if new != next_step {
                    let row = self.row(&change, "NextStep", "Text", &next_step, &new);
                    change.rows.push(row);
                    next_step = new;
                }
            }
            if kind == 4 || change.rows.is_empty() {
                let old = date(close);
                close += 7 + self.rng.index(30) as i64;
                let row = self.row(&change, "CloseDate", "DateOnly", &old, &date(close));
                change.rows.push(row);
            }
            changes.push(change);
        }
    }

    fn account(&mut self, k: usize, updates: usize, changes: &mut Vec<Change>) {
        let record = sfid("001", k + 1);
        let mut time = start() + Duration::minutes(3 + 11 * k as i64);
        changes.push(self.created("Account", &record, time));
        let mut owner = [MARIA, OMAR, LEE][k % 3];
        let mut rating = RATINGS[1];
        for u in 0..updates {
            time += Duration::minutes(self.rng.between(30, 1_200) as i64);
            let mut change = self.change("Account", &record, time);
            let kind = if u == 0 { 1 } else { self.rng.index(3) };
            if kind == 0 || kind == 2 {
                let new = loop {
                    let new = [MARIA, OMAR, LEE, JORDAN][self.rng.index(4)];
                    if new != owner {
                        break new;
                    }
                };
                // Salesforce writes an owner change twice: names, then ids.
                let names = self.row(&change, "Owner", "Text", PEOPLE[owner].0, PEOPLE[new].0);
                let ids = self.row(&change, "Owner", "EntityId", &user_id(owner), &user_id(new));
                change.rows.extend([names, ids]);
                owner = new;
            }
            if kind == 1 || kind == 2 {
                let new = loop {
                    let new = RATINGS[self.rng.index(RATINGS.len())];
                    if new != rating {
                        break new;
                    }
                };
                let row = self.row(&change, "Rating", "DynamicEnum", rating, new);
                change.rows.push(row);
                rating = new;
            }
            changes.push(change);
        }
    }
}

fn date(days: i64) -> String {
    (start() + Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// One Setup Audit Trail row.
struct Setup {
    id: String,
    action: &'static str,
    section: &'static str,
    display: String,
    by: usize,
    time: DateTime<Utc>,
    delegate: Option<usize>,
    category: &'static str,
}

/// (Action, Section, Display, CreatedBy, DelegateUser, category).
type SetupRow = (
    &'static str,
    &'static str,
    String,
    usize,
    Option<usize>,
    &'static str,
);

fn add_setup(rng: &mut Rng, rows: &mut Vec<Setup>, time: &mut DateTime<Utc>, row: SetupRow) {
    let (action, section, display, by, delegate, category) = row;
    *time += Duration::minutes(rng.between(5, 400) as i64);
    rows.push(Setup {
        id: sfid("0Ym", rows.len() + 1),
        action,
        section,
        display,
        by,
        time: *time,
        delegate,
        category,
    });
}

fn setup_rows(rng: &mut Rng, n: usize) -> Vec<Setup> {
    let mut time = start() + Duration::minutes(45);
    let mut rows = Vec::new();
    let omar = PEOPLE[OMAR].0;
    let lee = PEOPLE[LEE].0;
    let scripted: [SetupRow; 8] = [
        (
            "PermSetCreate",
            "Manage Users",
            "Created permission set Export Reports: with no license".to_owned(),
            DANA,
            None,
            "permission",
        ),
        (
            "PermSetEnableUserPerm",
            "Manage Users",
            "Permission set Export Reports: system permission Export Reports was enabled"
                .to_owned(),
            DANA,
            None,
            "permission",
        ),
        (
            "PermSetAssign",
            "Manage Users",
            format!("Permission set Export Reports: assigned to user {omar} (omar.sato@acme.com)"),
            DANA,
            None,
            "permission",
        ),
        (
            "suOrgAdminLogin",
            "Manage Users",
            format!("Logged in using Login-As access for {lee}"),
            DANA,
            None,
            "auth",
        ),
        // In Lee's session, done by Dana.
        (
            "PermSetAssign",
            "Manage Users",
            format!("Permission set Export Reports: assigned to user {lee} (lee.park@acme.com)"),
            LEE,
            Some(DANA),
            "permission",
        ),
        (
            "changedProfileForUser",
            "Manage Users",
            format!("Changed profile for user {lee} from Standard User to System Administrator"),
            LEE,
            Some(DANA),
            "permission",
        ),
        (
            "PermSetUnassign",
            "Manage Users",
            format!(
                "Permission set Export Reports: unassigned from user {omar} (omar.sato@acme.com)"
            ),
            MARIA,
            None,
            "permission",
        ),
        (
            "changedSessionTimeout",
            "Session Settings",
            "Changed Session Timeout from 2 hours to 30 minutes".to_owned(),
            DANA,
            None,
            "admin",
        ),
    ];
    for row in scripted {
        add_setup(rng, &mut rows, &mut time, row);
    }
    while rows.len() < n {
        let person = PEOPLE[[MARIA, OMAR, LEE][rng.index(3)]].0;
        let row = match rng.index(3) {
            0 => (
                "changedpassword",
                "Manage Users",
                format!("Changed password for user {person}"),
                DANA,
                None,
                "auth",
            ),
            1 => (
                "PermSetAssign",
                "Manage Users",
                format!("Permission set Sales Ops: assigned to user {person}"),
                DANA,
                None,
                "permission",
            ),
            _ => (
                "changedFlowActivation",
                "Flows",
                "Activated flow Opportunity Approval, version 3".to_owned(),
                MARIA,
                None,
                "workflow",
            ),
        };
        add_setup(rng, &mut rows, &mut time, row);
    }
    rows
}

/// Writes the export into the folder `dir` (created if needed) and returns the truth.
pub fn write_salesforce(dir: &Path, plan: &SalesforcePlan) -> std::io::Result<SalesforceTruth> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng::new(plan.seed);
    let mut truth = SalesforceTruth::default();
    let mut opportunities = Vec::new();
    let mut accounts = Vec::new();
    {
        let mut builder = Builder {
            rng: &mut rng,
            row_ids: BTreeMap::new(),
        };
        for k in 0..plan.opportunities {
            builder.opportunity(k, plan.updates, &mut opportunities);
        }
        for k in 0..plan.accounts {
            builder.account(k, plan.updates, &mut accounts);
        }
    }
    // The truth of every change: its actor, and its record's state after it.
    let mut states: BTreeMap<(String, String), State> = BTreeMap::new();
    let mut changes: Vec<&Change> = opportunities.iter().chain(&accounts).collect();
    changes.sort_by_key(|c| c.time);
    for change in &changes {
        let key = (change.object.to_owned(), change.record.clone());
        let state = states.entry(key.clone()).or_default();
        for row in &change.rows {
            if row.field == "created" {
                continue;
            }
            let field = if row.data_type == "EntityId" {
                format!("{}Id", row.field)
            } else {
                row.field.clone()
            };
            let value = (!row.new.is_empty()).then(|| row.new.clone());
            state.insert(field, value);
            if row.new == FORMULA {
                truth.formula = (
                    change.object.to_owned(),
                    change.record.clone(),
                    row.field.clone(),
                    FORMULA.to_owned(),
                );
            }
        }
        truth
            .history
            .entry(key)
            .or_default()
            .push((ms(change.time), state.clone()));
        *truth.per_actor.entry(user_id(change.user)).or_default() += 1;
        *truth.categories.entry("record".into()).or_default() += 1;
        truth.events += 1;
    }

    // Account history, with rows whose Id comes back with another value.
    let mut account_rows: Vec<Row> = accounts.iter().flat_map(|c| c.rows.clone()).collect();
    shuffle(&mut rng, &mut account_rows);
    for k in 0..plan.conflicting.min(plan.accounts) {
        let record = sfid(
            "001",
            quirks::pick(Quirk::Conflicting, k, plan.accounts) + 1,
        );
        let change = accounts
            .iter()
            .rev()
            .find(|c| c.record == record && c.rows.iter().any(|r| r.field == "Rating"))
            .expect("every account changes its rating");
        let row = change.rows.iter().find(|r| r.field == "Rating").unwrap();
        let other = RATINGS
            .iter()
            .find(|r| **r != row.new && **r != row.old)
            .unwrap();
        let mut again = row.clone();
        again.new = (*other).to_owned();
        truth.conflicts.push((
            "Account".into(),
            record.clone(),
            ms(change.time),
            "Rating".into(),
            row.new.clone(),
            again.new.clone(),
        ));
        truth.history.remove(&("Account".to_owned(), record));
        *truth.per_actor.entry(user_id(change.user)).or_default() += 1;
        *truth.categories.entry("record".into()).or_default() += 1;
        truth.events += 1;
        account_rows.push(again);
    }

    // Opportunity history: two exports whose periods overlap.
    let mut by_time: Vec<&Change> = opportunities.iter().collect();
    by_time.sort_by_key(|c| c.time);
    let mid = by_time.len() / 2;
    let mut end_of_first = mid;
    let mut repeated = 0;
    while plan.repeats > 0 && repeated < plan.repeats && end_of_first < by_time.len() {
        repeated += by_time[end_of_first].rows.len();
        end_of_first += 1;
    }
    let rows_of =
        |changes: &[&Change]| -> Vec<Row> { changes.iter().flat_map(|c| c.rows.clone()).collect() };
    let (mut first, mut second) = if plan.repeats > 0 {
        (rows_of(&by_time[..end_of_first]), rows_of(&by_time[mid..]))
    } else {
        (rows_of(&by_time), Vec::new())
    };
    truth.exact_repeats = repeated as u64;
    let written = first.len();
    for k in 0..plan.untimed * usize::from(written > 0) {
        let mut row = first[quirks::pick(Quirk::Untimed, k, written)].clone();
        row.id = sfid("008", 900_000 + k);
        row.field = "Description".into();
        row.data_type = "TextArea";
        row.old = String::new();
        row.new = format!("Customer asked for a callback ({k})");
        row.created = quirks::garbled_time(k, "yesterday afternoon")
            .unwrap_or_default()
            .to_owned();
        first.push(row);
        truth.quarantined += 1;
    }
    shuffle(&mut rng, &mut first);
    shuffle(&mut rng, &mut second);

    let setup = setup_rows(&mut rng, plan.setup_rows);
    for row in &setup {
        let actor = row.delegate.unwrap_or(row.by);
        *truth.per_actor.entry(user_id(actor)).or_default() += 1;
        *truth.categories.entry(row.category.into()).or_default() += 1;
        truth.events += 1;
        if let Some(delegate) = row.delegate {
            truth.delegated.push((
                ms(row.time),
                row.action.to_owned(),
                user_id(delegate),
                user_id(row.by),
            ));
        }
        if let Some(rest) = row.display.strip_prefix("Changed ")
            && let Some((what, values)) = rest.split_once(" from ")
            && let Some((from, to)) = values.split_once(" to ")
        {
            truth.setting_changes.push((
                ms(row.time),
                what.to_owned(),
                from.to_owned(),
                to.to_owned(),
            ));
        }
    }
    truth.outcomes.insert("success".into(), truth.events);
    for (person, (name, local, _, exported)) in PEOPLE.iter().enumerate() {
        if *exported {
            truth.names.insert(
                user_id(person),
                ((*name).to_owned(), format!("{local}@acme.com")),
            );
        } else {
            truth.unnamed.push(user_id(person));
        }
    }

    truth.rows = (account_rows.len() + first.len() + second.len() + setup.len()) as u64;
    let history_header = |object: &str| {
        [
            "Id".to_owned(),
            format!("{object}Id"),
            "Field".into(),
            "DataType".into(),
            "OldValue".into(),
            "NewValue".into(),
            "CreatedById".into(),
            "CreatedDate".into(),
            "IsDeleted".into(),
        ]
    };
    let mut header = history_header("Account").to_vec();
    if plan.data_loader {
        header = header.iter().map(|h| h.to_uppercase()).collect();
    }
    write_history(
        &dir.join("AccountHistory.csv"),
        &header,
        &account_rows,
        plan.data_loader,
    )?;
    write_history(
        &dir.join("OpportunityFieldHistory.csv"),
        &history_header("Opportunity"),
        &first,
        false,
    )?;
    truth.files = vec![
        "AccountHistory.csv".into(),
        "OpportunityFieldHistory.csv".into(),
    ];
    if !second.is_empty() {
        write_history(
            &dir.join("OpportunityFieldHistory_2.csv"),
            &history_header("Opportunity"),
            &second,
            false,
        )?;
        truth.files.push("OpportunityFieldHistory_2.csv".into());
    }
    write_setup(&dir.join("SetupAuditTrail.csv"), &setup)?;
    write_users(&dir.join("User.csv"))?;
    truth
        .files
        .extend(["SetupAuditTrail.csv".into(), "User.csv".into()]);
    Ok(truth)
}

fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.index(i + 1);
        items.swap(i, j);
    }
}

fn writer(path: &Path, quote_all: bool) -> std::io::Result<csv::Writer<std::fs::File>> {
    let style = if quote_all {
        csv::QuoteStyle::Always
    } else {
        csv::QuoteStyle::Necessary
    };
    Ok(csv::WriterBuilder::new()
        .quote_style(style)
        .from_writer(std::fs::File::create(path)?))
}

fn write_history(
    path: &Path,
    header: &[String],
    rows: &[Row],
    quote_all: bool,
) -> std::io::Result<()> {
    let mut csv = writer(path, quote_all)?;
    csv.write_record(header)?;
    for row in rows {
        csv.write_record([
            row.id.as_str(),
            &row.record,
            &row.field,
            row.data_type,
            &row.old,
            &row.new,
            &row.user,
            &row.created,
            "false",
        ])?;
    }
    csv.flush()
}

fn write_setup(path: &Path, rows: &[Setup]) -> std::io::Result<()> {
    let mut csv = writer(path, false)?;
    csv.write_record([
        "Id",
        "Action",
        "Section",
        "Display",
        "CreatedById",
        "CreatedDate",
        "DelegateUser",
        "ResponsibleNamespacePrefix",
        "CreatedByContext",
        "CreatedByIssuer",
    ])?;
    for row in rows {
        csv.write_record([
            row.id.as_str(),
            row.action,
            row.section,
            &row.display,
            &user_id(row.by),
            &row.time.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string(),
            &row.delegate.map(username).unwrap_or_default(),
            "",
            "",
            "",
        ])?;
    }
    csv.flush()
}

fn write_users(path: &Path) -> std::io::Result<()> {
    let mut csv = writer(path, false)?;
    csv.write_record([
        "Id",
        "Username",
        "FirstName",
        "LastName",
        "Name",
        "Email",
        "IsActive",
        "UserType",
    ])?;
    for (person, (name, local, user_type, exported)) in PEOPLE.iter().enumerate() {
        if !exported {
            continue;
        }
        let (first, last) = name.split_once(' ').unwrap_or(("", name));
        csv.write_record([
            user_id(person).as_str(),
            &username(person),
            first,
            last,
            name,
            &format!("{local}@acme.com"),
            "true",
            user_type,
        ])?;
    }
    csv.flush()
}
