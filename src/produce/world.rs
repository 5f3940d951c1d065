//! The simulation that decides what happens next at Acme: who is signed in, which
//! record they touch and how, what the automations, API clients, webhooks, imports,
//! jobs and integrations do, and who is refused for lack of a permission.
//!
//! Every state change (records, users' roles and locks, settings) is applied here at
//! the moment its event is drafted, and scripted sequences (an import, the nightly
//! jobs, a brute-force burst) sit in a queue that the generator drains before any
//! other event anywhere, so state read by a later event is always what the events
//! before it left. Memory stays flat: each chain keeps at most `POOL_CAP` live
//! records per type; a record pushed out simply goes quiet and is never touched again.
//! This module must never produce timestamps, hashes or file output: `gen` does that.

use std::collections::VecDeque;

use serde_json::{Value, json};

use super::records::{self, By, Kind, Record, Refs, Verb, initial_state, transitions};
use super::rng::Rng;
use super::roster::{Department, EXTRA_ROLES, Roster, Rule, role_grants};

/// How long a lock-out after repeated failed sign-ins lasts.
const LOCKOUT_MS: i64 = 30 * 60 * 1000;
/// Live records kept per record type and chain.
const POOL_CAP: usize = 800;
/// People signed in at once per chain.
const SESSION_CAP: usize = 12;

/// `target` of an event (spec §2.1).
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub kind: &'static str,
    pub id: String,
    pub name: String,
}

/// `source` of an event (spec §2.1).
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub ip: Option<String>,
    pub user_agent: Option<&'static str>,
    pub channel: &'static str,
    pub request_id: Option<String>,
    pub batch_id: Option<String>,
    pub client_id: Option<&'static str>,
    pub rule: Option<&'static Rule>,
}

/// An event before it is placed in a chain: everything but chain, seq, id, ts and hashes.
#[derive(Debug)]
pub(crate) struct Draft {
    pub action: &'static str,
    pub category: &'static str,
    /// Index into `Roster::actors`.
    pub actor: usize,
    pub on_behalf_of: Option<usize>,
    pub target: Option<Target>,
    pub outcome: &'static str,
    pub reason: Option<String>,
    pub source: Option<Source>,
    /// `None` leaves the field out; `Some(Value::Null)` writes `null`.
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub context: Option<Value>,
}

struct ChainWorld {
    pools: [Vec<Record>; 5],
    sessions: Vec<usize>,
    queue: VecDeque<Draft>,
}

/// An admin setting: `target` {type Setting} with state {"value": …}.
struct Setting {
    key: &'static str,
    name: &'static str,
    choices: &'static [i64],
    record: Record,
}

pub(crate) struct World {
    pub roster: Roster,
    /// The `User` records' state ({"roles", "locked"}), indexed by person. Changed only
    /// by events of the first chain, so each chain's history of a user is complete.
    users: Vec<Record>,
    settings: Vec<Setting>,
    chains: Vec<ChainWorld>,
    next_id: [u64; 5],
    n_queued: usize,
    today: String,
    due: String,
    /// The time of the event being drafted, milliseconds since the epoch.
    now_ms: i64,
    /// Locked people and when their lock-out ends.
    lockouts: Vec<(usize, i64)>,
}

#[derive(Clone, Copy)]
enum Family {
    Login,
    Logout,
    LoginFailed,
    RecordWork,
    View,
    Export,
    Automation,
    ApiClient,
    Webhook,
    Integration,
    Import,
    Admin,
    System,
}

const FAMILIES: [(Family, f64, bool); 13] = [
    // (family, weight in working hours, done by people)
    (Family::Login, 10.0, true),
    (Family::Logout, 4.0, true),
    (Family::LoginFailed, 1.2, true),
    (Family::RecordWork, 42.0, true),
    (Family::View, 8.0, true),
    (Family::Export, 1.2, true),
    (Family::Automation, 6.0, false),
    (Family::ApiClient, 4.0, false),
    (Family::Webhook, 2.0, false),
    (Family::Integration, 2.5, false),
    (Family::Import, 0.25, true),
    (Family::Admin, 1.0, true),
    (Family::System, 0.3, false),
];

fn record_target(kind: Kind, id: u64) -> Target {
    Target {
        kind: kind.type_name(),
        id: id.to_string(),
        name: kind.label(id),
    }
}

fn reason_for(action: &str, rng: &mut Rng) -> Option<String> {
    let choices: &[&str] = match action {
        "order.cancelled" => &["customer request", "duplicate order", "payment failed"],
        "order.rejected" => &["budget not approved", "credit check failed"],
        "lead.disqualified" => &["no budget", "chose a competitor", "unresponsive"],
        "invoice.voided" => &["issued in error", "replaced by corrected invoice"],
        "customer.cancelled" => &["switched to competitor", "company closed", "budget cuts"],
        "ticket.reopened" => &["customer reports the issue persists"],
        "order.approved" => &["manager approval", "within quarterly budget"],
        _ => return None,
    };
    Some((*rng.pick(choices)).to_owned())
}

impl World {
    pub(crate) fn new(n_chains: usize, rng: &mut Rng) -> World {
        let roster = Roster::new(rng);
        let users = roster
            .initial_roles
            .iter()
            .enumerate()
            .map(|(i, roles)| {
                let state = json!({"roles": roles, "locked": false});
                Record {
                    id: i as u64,
                    state: state.as_object().cloned().unwrap_or_default(),
                }
            })
            .collect();
        let setting = |key, name, choices: &'static [i64], value: i64| Setting {
            key,
            name,
            choices,
            record: Record {
                id: 0,
                state: json!({"value": value})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            },
        };
        let settings = vec![
            setting(
                "security.session_timeout_minutes",
                "Session timeout",
                &[15, 30, 60, 120],
                30,
            ),
            setting(
                "security.password_min_length",
                "Minimum password length",
                &[10, 12, 14, 16],
                10,
            ),
            setting(
                "security.mfa_required",
                "Require MFA for all users",
                &[0, 1],
                0,
            ),
            setting(
                "exports.max_rows",
                "Export row limit",
                &[10_000, 50_000, 100_000],
                50_000,
            ),
            setting(
                "integrations.stripe.sync_interval_minutes",
                "Stripe sync interval",
                &[5, 15, 60],
                15,
            ),
        ];
        let chains = (0..n_chains)
            .map(|_| ChainWorld {
                pools: Default::default(),
                sessions: Vec::new(),
                queue: VecDeque::new(),
            })
            .collect();
        World {
            roster,
            users,
            settings,
            chains,
            next_id: [1001; 5],
            n_queued: 0,
            today: String::new(),
            due: String::new(),
            now_ms: 0,
            lockouts: Vec::new(),
        }
    }

    /// The first chain with scripted events waiting, which must be drained first.
    pub(crate) fn queued_chain(&self) -> Option<usize> {
        if self.n_queued == 0 {
            return None;
        }
        self.chains.iter().position(|c| !c.queue.is_empty())
    }

    /// A new calendar day: sessions expire overnight; the nightly jobs are queued.
    pub(crate) fn start_day(&mut self, today: String, due: String, rng: &mut Rng) {
        self.today = today;
        self.due = due;
        for chain in &mut self.chains {
            chain.sessions.clear();
        }
        for chain in 0..self.chains.len() {
            self.queue_nightly_jobs(chain, rng);
        }
    }

    /// Sets the date without running the nightly jobs (the first day of the log).
    pub(crate) fn set_day(&mut self, today: String, due: String) {
        self.today = today;
        self.due = due;
    }

    fn enqueue(&mut self, chain: usize, draft: Draft) {
        self.chains[chain].queue.push_back(draft);
        self.n_queued += 1;
    }

    /// What happens next in `chain`, at `now_ms`.
    pub(crate) fn next_draft(
        &mut self,
        chain: usize,
        now_ms: i64,
        off_hours: bool,
        rng: &mut Rng,
    ) -> Draft {
        self.now_ms = now_ms;
        if let Some(draft) = self.chains[chain].queue.pop_front() {
            self.n_queued -= 1;
            return draft;
        }
        if chain == 0
            && let Some(position) = self.lockouts.iter().position(|&(_, until)| until <= now_ms)
        {
            let (person, _) = self.lockouts.swap_remove(position);
            let (before, after) = self.users[person].apply(vec![("locked", json!(false))]);
            let mut draft = self.draft(
                "user.unlocked",
                "auth",
                self.roster.bots.system,
                Some(self.user_target(person)),
                rng,
            );
            draft.reason = Some("lock-out period of 30 minutes ended".to_owned());
            draft.before = Some(before);
            draft.after = Some(after);
            return draft;
        }
        let (people, machines) = if off_hours { (0.12, 0.5) } else { (1.0, 1.0) };
        let mut weights = [0.0; FAMILIES.len()];
        for (w, &(_, weight, by_people)) in weights.iter_mut().zip(FAMILIES.iter()) {
            *w = weight * if by_people { people } else { machines };
        }
        for _ in 0..4 {
            let family = FAMILIES[rng.weighted(&weights)].0;
            let draft = match family {
                Family::Login => Some(self.login(chain, rng)),
                Family::Logout => self.logout(chain, rng),
                Family::LoginFailed => Some(self.login_failed(chain, rng)),
                Family::RecordWork => self.record_work(chain, rng),
                Family::View => self.view_by_person(chain, rng),
                Family::Export => self.export(chain, rng),
                Family::Automation => self.automation(chain, rng),
                Family::ApiClient => self.api_client(chain, rng),
                Family::Webhook => self.webhook(chain, rng),
                Family::Integration => self.integration(chain, rng),
                Family::Import => self.import(chain, rng),
                Family::Admin => self.admin(chain, rng),
                Family::System => Some(self.system(rng)),
            };
            if let Some(draft) = draft {
                return draft;
            }
        }
        self.login(chain, rng)
    }

    // ---- building blocks --------------------------------------------------------

    fn source(&self, actor: usize, rng: &mut Rng) -> Option<Source> {
        let a = &self.roster.actors[actor];
        let request_id = |rng: &mut Rng| Some(format!("req_{}", rng.hex(12)));
        let source = match a.kind {
            "user" | "admin" => {
                let ip = if rng.chance(0.92) {
                    a.home_ip.clone()
                } else {
                    Some(format!("198.51.100.{}", rng.between(2, 254)))
                };
                Source {
                    ip,
                    user_agent: a.user_agent,
                    channel: "web",
                    request_id: request_id(rng),
                    batch_id: None,
                    client_id: None,
                    rule: None,
                }
            }
            "automation" => Source {
                ip: None,
                user_agent: None,
                channel: "rule",
                request_id: None,
                batch_id: None,
                client_id: None,
                rule: a.rule,
            },
            "api_client" | "webhook" | "integration" => Source {
                ip: a.home_ip.clone(),
                user_agent: a.user_agent,
                channel: if a.kind == "webhook" {
                    "webhook"
                } else {
                    "api"
                },
                request_id: request_id(rng),
                batch_id: None,
                client_id: a.client_id,
                rule: None,
            },
            "import" => Source {
                ip: None,
                user_agent: None,
                channel: "import",
                request_id: None,
                batch_id: None,
                client_id: None,
                rule: None,
            },
            "job" => Source {
                ip: None,
                user_agent: None,
                channel: "job",
                request_id: None,
                batch_id: None,
                client_id: None,
                rule: None,
            },
            _ => return None,
        };
        Some(source)
    }

    fn draft(
        &self,
        action: &'static str,
        category: &'static str,
        actor: usize,
        target: Option<Target>,
        rng: &mut Rng,
    ) -> Draft {
        Draft {
            action,
            category,
            actor,
            on_behalf_of: None,
            target,
            outcome: "success",
            reason: None,
            source: self.source(actor, rng),
            before: None,
            after: None,
            context: None,
        }
    }

    fn user_target(&self, person: usize) -> Target {
        let a = &self.roster.actors[person];
        Target {
            kind: "User",
            id: a.id.clone(),
            name: a.name.clone(),
        }
    }

    fn permits(&self, person: usize, permission: &str) -> bool {
        self.users[person].state["roles"]
            .as_array()
            .is_some_and(|roles| {
                roles
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|r| role_grants(r, permission))
            })
    }

    fn denied(
        &self,
        action: &'static str,
        category: &'static str,
        person: usize,
        target: Option<Target>,
        permission: &str,
        rng: &mut Rng,
    ) -> Draft {
        let mut draft = self.draft(action, category, person, target, rng);
        draft.outcome = "denied";
        draft.reason = Some(format!("missing permission {permission}"));
        draft
    }

    fn refs(&self, chain: usize, rng: &mut Rng) -> Refs {
        let customers = &self.chains[chain].pools[Kind::Customer.index()];
        let customer_id = if customers.is_empty() {
            Value::Null
        } else {
            json!(customers[rng.index(customers.len())].id.to_string())
        };
        Refs {
            customer_id,
            owner: json!(self.person_in(Department::Sales, rng)),
            today: self.today.clone(),
            due: self.due.clone(),
        }
    }

    /// A random person of `department` (person 0, an admin, if none is found).
    fn person_index_in(&self, department: Department, rng: &mut Rng) -> usize {
        (0..64)
            .map(|_| rng.index(self.roster.n_people))
            .find(|&i| self.roster.actors[i].department == Some(department))
            .unwrap_or(0)
    }

    /// The id of a random person of `department`.
    fn person_in(&self, department: Department, rng: &mut Rng) -> String {
        self.roster.actors[self.person_index_in(department, rng)]
            .id
            .clone()
    }

    fn pool(&self, chain: usize, kind: Kind) -> &Vec<Record> {
        &self.chains[chain].pools[kind.index()]
    }

    /// A random live record of `kind` in `chain` that satisfies `accept`, if one is found quickly.
    fn find(
        &self,
        chain: usize,
        kind: Kind,
        rng: &mut Rng,
        tries: usize,
        accept: impl Fn(&Record) -> bool,
    ) -> Option<usize> {
        let pool = self.pool(chain, kind);
        if pool.is_empty() {
            return None;
        }
        (0..tries)
            .map(|_| rng.index(pool.len()))
            .find(|&i| accept(&pool[i]))
    }

    /// Creates a record (state applied now) and drafts its `<kind>.created` event.
    fn create(
        &mut self,
        chain: usize,
        kind: Kind,
        actor: usize,
        status: Option<&str>,
        overrides: Vec<(&'static str, Value)>,
        rng: &mut Rng,
    ) -> Draft {
        let id = self.next_id[kind.index()];
        self.next_id[kind.index()] += 1;
        let refs = self.refs(chain, rng);
        let mut state = initial_state(kind, id, status, &refs, rng);
        for (field, value) in overrides {
            state.insert(field.to_owned(), value);
        }
        let after = Value::Object(state.clone());
        let pool = &mut self.chains[chain].pools[kind.index()];
        if pool.len() >= POOL_CAP {
            // The record pushed out goes quiet; it is never touched again.
            pool.swap_remove(rng.index(pool.len()));
        }
        pool.push(Record { id, state });
        let mut draft = self.draft(
            kind.action(Verb::Created),
            "record",
            actor,
            Some(record_target(kind, id)),
            rng,
        );
        draft.before = Some(Value::Null);
        draft.after = Some(after);
        draft
    }

    fn edit(
        &mut self,
        chain: usize,
        kind: Kind,
        index: usize,
        actor: usize,
        rng: &mut Rng,
    ) -> Draft {
        let refs = self.refs(chain, rng);
        let record = &self.chains[chain].pools[kind.index()][index];
        let id = record.id;
        let changes = records::field_edit(kind, record, &refs, rng);
        if changes.is_empty() {
            return self.view(chain, kind, index, actor, rng);
        }
        let (before, after) = self.chains[chain].pools[kind.index()][index].apply(changes);
        let mut draft = self.draft(
            kind.action(Verb::Updated),
            "record",
            actor,
            Some(record_target(kind, id)),
            rng,
        );
        draft.before = Some(before);
        draft.after = Some(after);
        draft
    }

    fn view(&self, chain: usize, kind: Kind, index: usize, actor: usize, rng: &mut Rng) -> Draft {
        let id = self.pool(chain, kind)[index].id;
        self.draft(
            kind.action(Verb::Viewed),
            "access",
            actor,
            Some(record_target(kind, id)),
            rng,
        )
    }

    fn delete(
        &mut self,
        chain: usize,
        kind: Kind,
        index: usize,
        actor: usize,
        reason: &str,
        rng: &mut Rng,
    ) -> Draft {
        let record = self.chains[chain].pools[kind.index()].swap_remove(index);
        let mut draft = self.draft(
            kind.action(Verb::Deleted),
            "record",
            actor,
            Some(record_target(kind, record.id)),
            rng,
        );
        draft.reason = Some(reason.to_owned());
        draft.before = Some(Value::Object(record.state));
        draft.after = Some(Value::Null);
        draft
    }

    /// Moves a record along its workflow, with the fields that step sets.
    fn transit(
        &mut self,
        chain: usize,
        kind: Kind,
        index: usize,
        step: (&'static str, &'static str),
        actor: usize,
        rng: &mut Rng,
    ) -> Draft {
        let (action, to) = step;
        let mut changes = vec![(kind.status_field(), json!(to))];
        let mut converted_company = None;
        match action {
            "order.shipped" => changes.push(("tracking_number", records::tracking_number(rng))),
            "ticket.assigned" => {
                let assignee = if self.roster.actors[actor].department.is_some() {
                    self.roster.actors[actor].id.clone()
                } else {
                    self.person_in(Department::Support, rng)
                };
                changes.push(("assignee", json!(assignee)));
            }
            "invoice.paid" => changes.push(("paid_at", json!(self.today))),
            "lead.converted" => {
                let customer_id = self.next_id[Kind::Customer.index()];
                changes.push(("customer_id", json!(customer_id.to_string())));
                converted_company = Some(self.pool(chain, kind)[index].state["company"].clone());
            }
            _ => {}
        }
        let record = &mut self.chains[chain].pools[kind.index()][index];
        let id = record.id;
        let (before, after) = record.apply(changes);
        let mut draft = self.draft(
            action,
            "workflow",
            actor,
            Some(record_target(kind, id)),
            rng,
        );
        draft.reason = reason_for(action, rng);
        draft.before = Some(before);
        draft.after = Some(after);
        if let Some(company) = converted_company {
            // The customer the lead became is created right after, by the same person.
            let contact_email = json!(format!(
                "billing@{}.example",
                records::slug(company.as_str().unwrap_or_default())
            ));
            let overrides = vec![("company", company), ("contact_email", contact_email)];
            let created = self.create(chain, Kind::Customer, actor, Some("Trial"), overrides, rng);
            self.enqueue(chain, created);
        }
        draft
    }

    // ---- people -----------------------------------------------------------------

    fn login(&mut self, chain: usize, rng: &mut Rng) -> Draft {
        let mut person = rng.index(self.roster.n_people);
        if self.is_locked(person) && rng.chance(0.7) {
            // Most locked-out people wait; pick someone else.
            person = (0..5)
                .map(|_| rng.index(self.roster.n_people))
                .find(|&p| !self.is_locked(p))
                .unwrap_or(person);
        }
        if self.is_locked(person) {
            let mut draft = self.draft(
                "user.login_failed",
                "auth",
                person,
                Some(self.user_target(person)),
                rng,
            );
            draft.outcome = "failure";
            draft.reason = Some("account locked".to_owned());
            return draft;
        }
        let sessions = &mut self.chains[chain].sessions;
        if !sessions.contains(&person) {
            if sessions.len() >= SESSION_CAP {
                sessions.remove(0);
            }
            sessions.push(person);
        }
        let mut draft = self.draft(
            "user.login",
            "auth",
            person,
            Some(self.user_target(person)),
            rng,
        );
        if rng.chance(0.3) {
            draft.context = Some(json!({"method": "password+totp"}));
        }
        draft
    }

    fn is_locked(&self, person: usize) -> bool {
        self.users[person].state["locked"] == Value::Bool(true)
    }

    fn logout(&mut self, chain: usize, rng: &mut Rng) -> Option<Draft> {
        let sessions = &mut self.chains[chain].sessions;
        if sessions.is_empty() {
            return None;
        }
        let person = sessions.remove(rng.index(sessions.len()));
        Some(self.draft(
            "user.logout",
            "auth",
            person,
            Some(self.user_target(person)),
            rng,
        ))
    }

    fn login_failed(&mut self, chain: usize, rng: &mut Rng) -> Draft {
        let person = rng.index(self.roster.n_people);
        let target = Some(self.user_target(person));
        let mut draft = self.draft("user.login_failed", "auth", person, target.clone(), rng);
        draft.outcome = "failure";
        draft.reason = Some(
            (*rng.pick(&["invalid password", "invalid password", "MFA code expired"])).to_owned(),
        );
        if chain == 0 && !self.is_locked(person) && rng.chance(0.12) {
            // A password-guessing burst from one foreign address, then the lock-out.
            let ip = format!("198.51.100.{}", rng.between(2, 254));
            let burst = rng.between(3, 6);
            if let Some(source) = draft.source.as_mut() {
                source.ip = Some(ip.clone());
                source.user_agent = Some("python-requests/2.32");
            }
            for _ in 0..burst {
                let mut attempt =
                    self.draft("user.login_failed", "auth", person, target.clone(), rng);
                attempt.outcome = "failure";
                attempt.reason = Some("invalid password".to_owned());
                if let Some(source) = attempt.source.as_mut() {
                    source.ip = Some(ip.clone());
                    source.user_agent = Some("python-requests/2.32");
                }
                self.enqueue(chain, attempt);
            }
            let (before, after) = self.users[person].apply(vec![("locked", json!(true))]);
            self.lockouts.push((person, self.now_ms + LOCKOUT_MS));
            self.chains[chain].sessions.retain(|&p| p != person);
            let mut lock = self.draft("user.locked", "auth", self.roster.bots.system, target, rng);
            lock.reason = Some(format!(
                "{} failed sign-in attempts in 10 minutes",
                burst + 1
            ));
            lock.before = Some(before);
            lock.after = Some(after);
            lock.context = Some(json!({"ip": ip}));
            self.enqueue(chain, lock);
        }
        draft
    }

    fn kinds_of(department: Option<Department>) -> &'static [Kind] {
        match department {
            Some(Department::Sales) => &[Kind::Lead, Kind::Lead, Kind::Customer, Kind::Order],
            Some(Department::Support) => &[Kind::Ticket, Kind::Ticket, Kind::Customer],
            Some(Department::Finance) => &[Kind::Invoice, Kind::Invoice, Kind::Customer],
            Some(Department::Operations) => &[Kind::Order, Kind::Order, Kind::Ticket],
            _ => &Kind::ALL,
        }
    }

    fn creates(department: Option<Department>, kind: Kind) -> bool {
        matches!(
            (department, kind),
            (Some(Department::Admin), _)
                | (
                    Some(Department::Sales),
                    Kind::Lead | Kind::Customer | Kind::Order
                )
                | (Some(Department::Support), Kind::Ticket)
                | (Some(Department::Finance), Kind::Invoice)
                | (Some(Department::Operations), Kind::Order)
        )
    }

    fn signed_in(&self, chain: usize, rng: &mut Rng) -> Option<usize> {
        let sessions = &self.chains[chain].sessions;
        (!sessions.is_empty()).then(|| sessions[rng.index(sessions.len())])
    }

    fn record_work(&mut self, chain: usize, rng: &mut Rng) -> Option<Draft> {
        let person = self.signed_in(chain, rng)?;
        let department = self.roster.actors[person].department;
        let kind = *rng.pick(Self::kinds_of(department));
        let n_records = self.pool(chain, kind).len();
        if Self::creates(department, kind) && (n_records < 12 || rng.chance(0.14)) {
            return Some(self.create(chain, kind, person, None, Vec::new(), rng));
        }
        if n_records == 0 {
            return None;
        }
        let index = rng.index(n_records);
        let roll = rng.unit();
        if roll < 0.42 {
            let mut draft = self.edit(chain, kind, index, person, rng);
            if department == Some(Department::Admin) && draft.after.is_some() && rng.chance(0.3) {
                // Support staff fixing a record for a colleague who asked.
                let colleague = 4 + rng.index(self.roster.n_people - 4);
                draft.on_behalf_of = Some(colleague);
                draft.reason = Some(format!(
                    "requested in support ticket #{}",
                    rng.between(1001, 1001 + 5000)
                ));
            }
            return Some(draft);
        }
        if roll < 0.80 {
            let status = self.pool(chain, kind)[index].status(kind).to_owned();
            let open: Vec<&records::Transition> = transitions(kind, &status)
                .iter()
                .filter(|t| t.by == By::Person)
                .collect();
            if open.is_empty() {
                return Some(self.view(chain, kind, index, person, rng));
            }
            // Mostly the usual way forward; now and then a cancellation or rejection.
            let weights: Vec<f64> = open.iter().map(|t| t.weight).collect();
            if weights.iter().sum::<f64>() < 1.0 && !rng.chance(weights.iter().sum()) {
                return Some(self.edit(chain, kind, index, person, rng));
            }
            let step = open[rng.weighted(&weights)];
            if let Some(permission) = step.permission
                && !self.permits(person, permission)
            {
                let id = self.pool(chain, kind)[index].id;
                return Some(self.denied(
                    step.action,
                    "workflow",
                    person,
                    Some(record_target(kind, id)),
                    permission,
                    rng,
                ));
            }
            return Some(self.transit(chain, kind, index, (step.action, step.to), person, rng));
        }
        if roll < 0.83 {
            let record = &self.pool(chain, kind)[index];
            let reason = match (kind, record.status(kind)) {
                (Kind::Order, "Draft" | "Cancelled" | "Rejected") => "duplicate order",
                (Kind::Lead, "New" | "Disqualified") => "spam submission",
                (Kind::Ticket, "Open" | "Closed") => "spam",
                (Kind::Customer, "Cancelled" | "Trial") => "GDPR erasure request",
                _ => return Some(self.view(chain, kind, index, person, rng)),
            };
            let permission = kind.delete_permission()?;
            if !self.permits(person, permission) {
                let id = record.id;
                return Some(self.denied(
                    kind.action(Verb::Deleted),
                    "record",
                    person,
                    Some(record_target(kind, id)),
                    permission,
                    rng,
                ));
            }
            return Some(self.delete(chain, kind, index, person, reason, rng));
        }
        Some(self.view(chain, kind, index, person, rng))
    }

    fn view_by_person(&mut self, chain: usize, rng: &mut Rng) -> Option<Draft> {
        let person = self.signed_in(chain, rng)?;
        let kind = *rng.pick(Self::kinds_of(self.roster.actors[person].department));
        let n_records = self.pool(chain, kind).len();
        (n_records > 0).then(|| self.view(chain, kind, rng.index(n_records), person, rng))
    }

    fn export(&mut self, chain: usize, rng: &mut Rng) -> Option<Draft> {
        let person = self.signed_in(chain, rng)?;
        let permission = "export:customers";
        if !self.permits(person, permission) {
            return Some(self.denied("export.created", "export", person, None, permission, rng));
        }
        let (field, value) = *rng.pick(&[
            ("plan", "Enterprise"),
            ("plan", "Pro"),
            ("billing_status", "Active"),
            ("billing_status", "Past Due"),
        ]);
        // A plausible count; counting the pool on every export would cost more than it shows.
        let n_customers = self.pool(chain, Kind::Customer).len() as u64;
        let row_count = rng.between(n_customers / 20, n_customers / 3 + 1);
        let mut draft = self.draft("export.created", "export", person, None, rng);
        draft.context = Some(json!({
            "format": rng.pick(&["csv", "csv", "xlsx"]),
            "filter": {"type": "Customer", field: value},
            "columns": ["id", "company", "plan", "billing_status", "contact_email"],
            "row_count": row_count,
        }));
        Some(draft)
    }

    fn import(&mut self, chain: usize, rng: &mut Rng) -> Option<Draft> {
        let person = self.signed_in(chain, rng)?;
        let (kind, importer, file_name) = if rng.chance(0.6) {
            (
                Kind::Lead,
                self.roster.bots.lead_import,
                format!("leads-{}.csv", self.today),
            )
        } else {
            (
                Kind::Customer,
                self.roster.bots.customer_import,
                format!("customers-migration-{}.csv", self.today),
            )
        };
        let rows_total = rng.between(5, 30);
        let rows_failed = rng.below(3).min(rows_total);
        let batch_id = format!("batch_{}", rng.hex(10));
        let mut started = self.draft("import.started", "import", person, None, rng);
        started.context = Some(json!({"file_name": file_name, "rows_total": rows_total}));
        let mut failed_rows = Vec::new();
        let mut queued = Vec::new();
        for row in 1..=rows_total {
            if failed_rows.len() < rows_failed as usize && rng.chance(0.2) {
                failed_rows.push(json!({"row": row + 1, "error": rng.pick(&["invalid email", "missing company name", "duplicate of existing record"])}));
                continue;
            }
            let mut created = self.create(chain, kind, importer, None, Vec::new(), rng);
            created.on_behalf_of = Some(person);
            if let Some(source) = created.source.as_mut() {
                source.batch_id = Some(batch_id.clone());
            }
            queued.push(created);
        }
        let rows_created = queued.len();
        let mut completed = self.draft("import.completed", "import", importer, None, rng);
        completed.on_behalf_of = Some(person);
        if let Some(source) = completed.source.as_mut() {
            source.batch_id = Some(batch_id.clone());
        }
        completed.context = Some(json!({
            "file_name": file_name,
            "rows_total": rows_total,
            "rows_created": rows_created,
            "rows_failed": failed_rows.len(),
            "errors": failed_rows,
        }));
        if let Some(source) = started.source.as_mut() {
            source.batch_id = Some(batch_id);
        }
        for draft in queued {
            self.enqueue(chain, draft);
        }
        self.enqueue(chain, completed);
        Some(started)
    }

    fn admin(&mut self, chain: usize, rng: &mut Rng) -> Option<Draft> {
        let sessions = &self.chains[chain].sessions;
        let admins: Vec<usize> = sessions
            .iter()
            .copied()
            .filter(|&p| self.roster.actors[p].kind == "admin")
            .collect();
        if admins.is_empty() {
            return None;
        }
        let admin = admins[rng.index(admins.len())];
        // User and setting state changes happen only in the first chain (see `users`).
        let roll = if chain == 0 {
            rng.unit()
        } else {
            0.8 + 0.2 * rng.unit()
        };
        if roll < 0.35 {
            let person = 4 + rng.index(self.roster.n_people - 4);
            let held: Vec<Value> = self.users[person].state["roles"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let grantable: Vec<&str> = EXTRA_ROLES
                .iter()
                .copied()
                .filter(|r| !held.contains(&json!(r)))
                .collect();
            let role = *grantable.get(rng.index(grantable.len().max(1)))?;
            let mut roles = held;
            roles.push(json!(role));
            let (before, after) = self.users[person].apply(vec![("roles", Value::Array(roles))]);
            let mut draft = self.draft(
                "role.granted",
                "permission",
                admin,
                Some(self.user_target(person)),
                rng,
            );
            draft.reason = Some(
                (*rng.pick(&[
                    "quarter-end reporting",
                    "covering for a manager on leave",
                    "approved in access review",
                ]))
                .to_owned(),
            );
            draft.before = Some(before);
            draft.after = Some(after);
            draft.context = Some(json!({"role": role}));
            return Some(draft);
        }
        if roll < 0.55 {
            for _ in 0..6 {
                let person = 4 + rng.index(self.roster.n_people - 4);
                let held: Vec<Value> = self.users[person].state["roles"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let Some(position) = held
                    .iter()
                    .position(|r| r.as_str().is_some_and(|r| EXTRA_ROLES.contains(&r)))
                else {
                    continue;
                };
                let mut roles = held.clone();
                let role = roles.remove(position);
                let (before, after) =
                    self.users[person].apply(vec![("roles", Value::Array(roles))]);
                let mut draft = self.draft(
                    "role.revoked",
                    "permission",
                    admin,
                    Some(self.user_target(person)),
                    rng,
                );
                draft.reason = Some("access review: no longer needed".to_owned());
                draft.before = Some(before);
                draft.after = Some(after);
                draft.context = Some(json!({"role": role}));
                return Some(draft);
            }
            return None;
        }
        if roll < 0.72 {
            let setting = rng.index(self.settings.len());
            let s = &self.settings[setting];
            let current = s.record.state["value"].clone();
            let is_flag = s.key == "security.mfa_required";
            let new = if is_flag {
                json!(!current.as_bool().unwrap_or(false))
            } else {
                let options: Vec<i64> = s
                    .choices
                    .iter()
                    .copied()
                    .filter(|c| json!(c) != current)
                    .collect();
                json!(options[rng.index(options.len())])
            };
            let target = Target {
                kind: "Setting",
                id: s.key.to_owned(),
                name: s.name.to_owned(),
            };
            let (before, after) = self.settings[setting].record.apply(vec![("value", new)]);
            let mut draft = self.draft("settings.updated", "admin", admin, Some(target), rng);
            draft.before = Some(before);
            draft.after = Some(after);
            return Some(draft);
        }
        if roll < 0.8 {
            let position = rng.index(self.lockouts.len().max(1));
            let (locked, _) = *self.lockouts.get(position)?;
            self.lockouts.swap_remove(position);
            let (before, after) = self.users[locked].apply(vec![("locked", json!(false))]);
            let mut draft = self.draft(
                "user.unlocked",
                "admin",
                admin,
                Some(self.user_target(locked)),
                rng,
            );
            draft.reason = Some("identity verified by phone".to_owned());
            draft.before = Some(before);
            draft.after = Some(after);
            return Some(draft);
        }
        if roll < 0.92 {
            let client = if rng.chance(0.5) {
                self.roster.bots.shopify
            } else {
                self.roster.bots.partner_portal
            };
            let a = &self.roster.actors[client];
            let target = Target {
                kind: "ApiClient",
                id: a.client_id.unwrap_or_default().to_owned(),
                name: a.name.clone(),
            };
            let mut draft = self.draft(
                "api_client.secret_rotated",
                "admin",
                admin,
                Some(target),
                rng,
            );
            draft.context = Some(json!({"previous_secret_age_days": rng.between(30, 400)}));
            return Some(draft);
        }
        let person = 4 + rng.index(self.roster.n_people - 4);
        let mut draft = self.draft(
            "support.impersonation_started",
            "access",
            admin,
            Some(self.user_target(person)),
            rng,
        );
        draft.reason = Some(format!("support ticket #{}", rng.between(1001, 6000)));
        Some(draft)
    }

    // ---- machines ---------------------------------------------------------------

    fn automation(&mut self, chain: usize, rng: &mut Rng) -> Option<Draft> {
        let bots = self.roster.bots;
        match rng.below(3) {
            0 => {
                let index = self.find(chain, Kind::Lead, rng, 4, |r| {
                    r.state["owner"].is_null() && r.str_field("status") == "New"
                })?;
                let owner = self.person_in(Department::Sales, rng);
                let record = &mut self.chains[chain].pools[Kind::Lead.index()][index];
                let id = record.id;
                let (before, after) = record.apply(vec![("owner", json!(owner))]);
                let mut draft = self.draft(
                    "lead.assigned",
                    "workflow",
                    bots.lead_router,
                    Some(record_target(Kind::Lead, id)),
                    rng,
                );
                draft.reason = Some("matched region EMEA".to_owned());
                draft.before = Some(before);
                draft.after = Some(after);
                Some(draft)
            }
            1 => {
                let index = self.find(chain, Kind::Ticket, rng, 4, |r| {
                    matches!(r.str_field("status"), "Open" | "In Progress")
                        && r.str_field("priority") != "Urgent"
                })?;
                let record = &mut self.chains[chain].pools[Kind::Ticket.index()][index];
                let id = record.id;
                let (before, after) = record.apply(vec![("priority", json!("Urgent"))]);
                let mut draft = self.draft(
                    "ticket.escalated",
                    "workflow",
                    bots.ticket_escalation,
                    Some(record_target(Kind::Ticket, id)),
                    rng,
                );
                draft.reason = Some("no first response within 4 hours".to_owned());
                draft.before = Some(before);
                draft.after = Some(after);
                Some(draft)
            }
            _ => {
                let index = self.find(chain, Kind::Order, rng, 6, |r| {
                    r.str_field("status") == "Pending Review"
                        && r.state["total"].as_f64().is_some_and(|t| t < 500.0)
                })?;
                let mut draft = self.transit(
                    chain,
                    Kind::Order,
                    index,
                    ("order.approved", "Approved"),
                    bots.order_approval,
                    rng,
                );
                draft.reason = Some("order total under 500".to_owned());
                Some(draft)
            }
        }
    }

    fn api_client(&mut self, chain: usize, rng: &mut Rng) -> Option<Draft> {
        let bots = self.roster.bots;
        if rng.chance(0.7) {
            if rng.chance(0.4)
                && let Some(index) = self.find(chain, Kind::Order, rng, 4, |r| {
                    r.str_field("status") == "Shipped"
                })
            {
                let mut draft = self.transit(
                    chain,
                    Kind::Order,
                    index,
                    ("order.delivered", "Delivered"),
                    bots.shopify,
                    rng,
                );
                draft.context =
                    Some(json!({"carrier": rng.pick(&["DHL", "UPS", "PostNL", "La Poste"])}));
                return Some(draft);
            }
            let tags = vec![("tags", json!(["shopify"]))];
            return Some(self.create(
                chain,
                Kind::Order,
                bots.shopify,
                Some("Pending Review"),
                tags,
                rng,
            ));
        }
        if rng.chance(0.5) {
            let mut draft = self.create(
                chain,
                Kind::Lead,
                bots.partner_portal,
                None,
                vec![("source", json!("Partner referral"))],
                rng,
            );
            draft.context = Some(
                json!({"partner": rng.pick(&["Brightline Consulting", "Nordic Resellers", "Peak IT"])}),
            );
            return Some(draft);
        }
        let n_customers = self.pool(chain, Kind::Customer).len();
        if n_customers == 0 {
            return None;
        }
        let mut draft = self.view(
            chain,
            Kind::Customer,
            rng.index(n_customers),
            bots.partner_portal,
            rng,
        );
        draft.on_behalf_of = Some(self.person_index_in(Department::Sales, rng));
        Some(draft)
    }

    fn webhook(&mut self, chain: usize, rng: &mut Rng) -> Option<Draft> {
        let index = self.find(chain, Kind::Invoice, rng, 6, |r| {
            matches!(r.str_field("status"), "Issued" | "Overdue")
        })?;
        let mut draft = self.transit(
            chain,
            Kind::Invoice,
            index,
            ("invoice.paid", "Paid"),
            self.roster.bots.stripe_webhooks,
            rng,
        );
        draft.context = Some(
            json!({"event_type": "invoice.paid", "delivery_id": format!("whd_{}", rng.hex(14))}),
        );
        Some(draft)
    }

    fn integration(&mut self, chain: usize, rng: &mut Rng) -> Option<Draft> {
        let bots = self.roster.bots;
        if rng.chance(0.6) {
            if rng.chance(0.5)
                && let Some(index) = self.find(chain, Kind::Customer, rng, 4, |r| {
                    matches!(r.str_field("billing_status"), "Active" | "Past Due")
                })
            {
                let (action, to) = if self.pool(chain, Kind::Customer)[index]
                    .str_field("billing_status")
                    == "Active"
                {
                    ("customer.past_due", "Past Due")
                } else {
                    ("customer.reactivated", "Active")
                };
                let mut draft = self.transit(
                    chain,
                    Kind::Customer,
                    index,
                    (action, to),
                    bots.stripe_sync,
                    rng,
                );
                draft.reason = Some(
                    if to == "Active" {
                        "payment method updated"
                    } else {
                        "card declined"
                    }
                    .to_owned(),
                );
                return Some(draft);
            }
            let mut draft = self.draft(
                "integration.sync_completed",
                "integration",
                bots.stripe_sync,
                None,
                rng,
            );
            draft.context = Some(json!({
                "provider": "stripe",
                "records_synced": rng.between(0, 400),
                "duration_ms": rng.between(300, 9000),
            }));
            return Some(draft);
        }
        let index = self
            .find(chain, Kind::Ticket, rng, 3, |r| {
                r.str_field("priority") == "Urgent"
            })
            .or_else(|| self.find(chain, Kind::Ticket, rng, 1, |_| true))?;
        let id = self.pool(chain, Kind::Ticket)[index].id;
        let mut draft = self.draft(
            "notification.sent",
            "integration",
            bots.slack_notifier,
            Some(record_target(Kind::Ticket, id)),
            rng,
        );
        let delivered = rng.chance(0.95);
        if !delivered {
            draft.outcome = "failure";
            draft.reason = Some("channel_not_found".to_owned());
        }
        draft.context = Some(json!({
            "channel": "slack",
            "recipient": "#support-escalations",
            "delivery": if delivered { "delivered" } else { "failed" },
        }));
        Some(draft)
    }

    fn system(&self, rng: &mut Rng) -> Draft {
        let system = self.roster.bots.system;
        if rng.chance(0.7) {
            let mut draft = self.draft("system.backup_completed", "system", system, None, rng);
            draft.context = Some(json!({
                "size_bytes": rng.between(40_000_000_000, 90_000_000_000),
                "duration_ms": rng.between(60_000, 900_000),
                "storage": "worm-eu-west",
            }));
            draft
        } else {
            let mut draft = self.draft("system.certificate_renewed", "system", system, None, rng);
            draft.context = Some(json!({"domain": "crm.acme.example", "valid_days": 90}));
            draft
        }
    }

    /// The Nightly Invoice Run and the Overdue Invoice Check, queued in `chain`.
    fn queue_nightly_jobs(&mut self, chain: usize, rng: &mut Rng) {
        let bots = self.roster.bots;
        let mut started = self.draft("job.started", "system", bots.nightly_invoices, None, rng);
        started.context = Some(json!({"schedule": "0 2 * * *"}));
        self.enqueue(chain, started);
        let n_invoices = if self.pool(chain, Kind::Customer).is_empty() {
            0
        } else {
            rng.between(1, 6)
        };
        for _ in 0..n_invoices {
            let created = self.create(
                chain,
                Kind::Invoice,
                bots.nightly_invoices,
                Some("Issued"),
                Vec::new(),
                rng,
            );
            self.enqueue(chain, created);
        }
        let mut completed = self.draft("job.completed", "system", bots.nightly_invoices, None, rng);
        completed.context =
            Some(json!({"invoices_created": n_invoices, "duration_ms": rng.between(800, 20_000)}));
        self.enqueue(chain, completed);

        let started = self.draft("job.started", "system", bots.overdue_check, None, rng);
        self.enqueue(chain, started);
        // The check looks at a sample of invoices each night, not the whole ledger.
        let today = self.today.clone();
        let invoices = self.pool(chain, Kind::Invoice);
        let mut overdue: Vec<usize> = Vec::new();
        for _ in 0..invoices.len().min(60) {
            let index = rng.index(invoices.len());
            let invoice = &invoices[index];
            if invoice.str_field("status") == "Issued"
                && invoice.str_field("due_date") < today.as_str()
                && !overdue.contains(&index)
            {
                overdue.push(index);
            }
        }
        for &index in &overdue {
            let mut draft = self.transit(
                chain,
                Kind::Invoice,
                index,
                ("invoice.overdue", "Overdue"),
                bots.overdue_check,
                rng,
            );
            draft.reason = Some("past due date".to_owned());
            self.enqueue(chain, draft);
        }
        let mut completed = self.draft("job.completed", "system", bots.overdue_check, None, rng);
        completed.context = Some(json!({"invoices_marked_overdue": overdue.len()}));
        self.enqueue(chain, completed);
    }
}
