//! The business records of the simulated company (orders, customers, leads, tickets,
//! invoices): their initial snapshots, the field edits users make, and the status
//! workflow each follows.
//!
//! A record's `state` is the single source of truth for its `before`/`after`
//! diffs: every change goes through `Record::apply`, so an update's `before` is always
//! exactly what the previous event on that record left. Nothing here may change a
//! record's state without producing that diff.

use serde_json::{Map, Value, json};

use super::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Order,
    Customer,
    Lead,
    Ticket,
    Invoice,
}

/// Which verb of a record's life an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Created,
    Updated,
    Deleted,
    Viewed,
}

impl Kind {
    pub(crate) const ALL: [Kind; 5] = [
        Kind::Order,
        Kind::Customer,
        Kind::Lead,
        Kind::Ticket,
        Kind::Invoice,
    ];

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The `target.type` of events on this record.
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            Kind::Order => "Order",
            Kind::Customer => "Customer",
            Kind::Lead => "Lead",
            Kind::Ticket => "Ticket",
            Kind::Invoice => "Invoice",
        }
    }

    /// The readable `target.name`, e.g. "Order #1842" or "Invoice INV-01001".
    pub(crate) fn label(self, id: u64) -> String {
        match self {
            Kind::Invoice => format!("Invoice INV-{id:05}"),
            other => format!("{} #{id}", other.type_name()),
        }
    }

    pub(crate) fn action(self, verb: Verb) -> &'static str {
        const TABLE: [[&str; 4]; 5] = [
            [
                "order.created",
                "order.updated",
                "order.deleted",
                "order.viewed",
            ],
            [
                "customer.created",
                "customer.updated",
                "customer.deleted",
                "customer.viewed",
            ],
            [
                "lead.created",
                "lead.updated",
                "lead.deleted",
                "lead.viewed",
            ],
            [
                "ticket.created",
                "ticket.updated",
                "ticket.deleted",
                "ticket.viewed",
            ],
            [
                "invoice.created",
                "invoice.updated",
                "invoice.deleted",
                "invoice.viewed",
            ],
        ];
        TABLE[self.index()][verb as usize]
    }

    /// The permission deleting needs; invoices are voided, never deleted.
    pub(crate) fn delete_permission(self) -> Option<&'static str> {
        match self {
            Kind::Order => Some("delete:orders"),
            Kind::Customer => Some("delete:customers"),
            Kind::Lead => Some("delete:leads"),
            Kind::Ticket => Some("delete:tickets"),
            Kind::Invoice => None,
        }
    }

    /// The field that holds the record's workflow status.
    pub(crate) fn status_field(self) -> &'static str {
        match self {
            Kind::Customer => "billing_status",
            _ => "status",
        }
    }
}

/// Who may drive a workflow transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum By {
    /// A signed-in person.
    Person,
    /// Only a job, webhook or integration (payment arrives, an invoice falls due).
    Machine,
}

#[derive(Debug)]
pub(crate) struct Transition {
    pub action: &'static str,
    pub to: &'static str,
    pub permission: Option<&'static str>,
    pub by: By,
    /// How likely a person at this status takes this step: 1 for the usual way
    /// forward, less for cancelling, rejecting and the like.
    pub weight: f64,
}

const fn step(
    action: &'static str,
    to: &'static str,
    permission: Option<&'static str>,
    by: By,
) -> Transition {
    let weight = match to.as_bytes() {
        b"Cancelled" | b"Rejected" | b"Disqualified" | b"Void" => 0.25,
        _ => 1.0,
    };
    Transition {
        action,
        to,
        permission,
        by,
        weight,
    }
}

/// The workflow steps open from `status`; none from a final status.
pub(crate) fn transitions(kind: Kind, status: &str) -> &'static [Transition] {
    use By::{Machine, Person};
    static ORDER_DRAFT: [Transition; 2] = [
        step("order.submitted", "Pending Review", None, Person),
        step("order.cancelled", "Cancelled", None, Person),
    ];
    static ORDER_PENDING: [Transition; 3] = [
        step("order.approved", "Approved", Some("approve:orders"), Person),
        step("order.rejected", "Rejected", Some("approve:orders"), Person),
        step("order.cancelled", "Cancelled", None, Person),
    ];
    static ORDER_APPROVED: [Transition; 1] = [step("order.shipped", "Shipped", None, Person)];
    static ORDER_SHIPPED: [Transition; 1] = [step("order.delivered", "Delivered", None, Person)];
    static CUSTOMER_TRIAL: [Transition; 2] = [
        step("customer.activated", "Active", None, Person),
        step("customer.cancelled", "Cancelled", None, Person),
    ];
    static CUSTOMER_ACTIVE: [Transition; 2] = [
        step("customer.past_due", "Past Due", None, Machine),
        step("customer.cancelled", "Cancelled", None, Person),
    ];
    static CUSTOMER_PAST_DUE: [Transition; 2] = [
        step("customer.reactivated", "Active", None, Machine),
        step("customer.cancelled", "Cancelled", None, Person),
    ];
    static LEAD_NEW: [Transition; 2] = [
        step("lead.contacted", "Contacted", None, Person),
        step("lead.disqualified", "Disqualified", None, Person),
    ];
    static LEAD_CONTACTED: [Transition; 2] = [
        step("lead.qualified", "Qualified", None, Person),
        step("lead.disqualified", "Disqualified", None, Person),
    ];
    static LEAD_QUALIFIED: [Transition; 1] = [step("lead.converted", "Converted", None, Person)];
    static TICKET_OPEN: [Transition; 1] = [step("ticket.assigned", "In Progress", None, Person)];
    static TICKET_IN_PROGRESS: [Transition; 2] = [
        step(
            "ticket.waiting_on_customer",
            "Waiting on Customer",
            None,
            Person,
        ),
        step("ticket.resolved", "Resolved", None, Person),
    ];
    static TICKET_WAITING: [Transition; 1] =
        [step("ticket.customer_replied", "In Progress", None, Person)];
    static TICKET_RESOLVED: [Transition; 2] = [
        step("ticket.closed", "Closed", None, Person),
        step("ticket.reopened", "In Progress", None, Person),
    ];
    static INVOICE_DRAFT: [Transition; 2] = [
        step("invoice.issued", "Issued", None, Person),
        step("invoice.voided", "Void", Some("void:invoices"), Person),
    ];
    static INVOICE_ISSUED: [Transition; 3] = [
        step("invoice.paid", "Paid", None, Machine),
        step("invoice.overdue", "Overdue", None, Machine),
        step("invoice.voided", "Void", Some("void:invoices"), Person),
    ];
    static INVOICE_OVERDUE: [Transition; 2] = [
        step("invoice.paid", "Paid", None, Machine),
        step("invoice.voided", "Void", Some("void:invoices"), Person),
    ];
    match (kind, status) {
        (Kind::Order, "Draft") => &ORDER_DRAFT,
        (Kind::Order, "Pending Review") => &ORDER_PENDING,
        (Kind::Order, "Approved") => &ORDER_APPROVED,
        (Kind::Order, "Shipped") => &ORDER_SHIPPED,
        (Kind::Customer, "Trial") => &CUSTOMER_TRIAL,
        (Kind::Customer, "Active") => &CUSTOMER_ACTIVE,
        (Kind::Customer, "Past Due") => &CUSTOMER_PAST_DUE,
        (Kind::Lead, "New") => &LEAD_NEW,
        (Kind::Lead, "Contacted") => &LEAD_CONTACTED,
        (Kind::Lead, "Qualified") => &LEAD_QUALIFIED,
        (Kind::Ticket, "Open") => &TICKET_OPEN,
        (Kind::Ticket, "In Progress") => &TICKET_IN_PROGRESS,
        (Kind::Ticket, "Waiting on Customer") => &TICKET_WAITING,
        (Kind::Ticket, "Resolved") => &TICKET_RESOLVED,
        (Kind::Invoice, "Draft") => &INVOICE_DRAFT,
        (Kind::Invoice, "Issued") => &INVOICE_ISSUED,
        (Kind::Invoice, "Overdue") => &INVOICE_OVERDUE,
        _ => &[],
    }
}

/// One live record and its current state.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub id: u64,
    pub state: Map<String, Value>,
}

impl Record {
    pub(crate) fn str_field(&self, field: &str) -> &str {
        self.state.get(field).and_then(Value::as_str).unwrap_or("")
    }

    pub(crate) fn status(&self, kind: Kind) -> &str {
        self.str_field(kind.status_field())
    }

    /// Applies `changes` and returns `(before, after)` holding exactly the changed fields.
    pub(crate) fn apply(&mut self, changes: Vec<(&'static str, Value)>) -> (Value, Value) {
        let mut before = Map::new();
        let mut after = Map::new();
        for (field, value) in changes {
            let old = self
                .state
                .insert(field.to_owned(), value.clone())
                .unwrap_or(Value::Null);
            before.insert(field.to_owned(), old);
            after.insert(field.to_owned(), value);
        }
        (Value::Object(before), Value::Object(after))
    }
}

/// References a new record may point at.
pub(crate) struct Refs {
    /// `"1004"` or null when the chain has no customer yet.
    pub customer_id: Value,
    /// The person a record is assigned to, or null.
    pub owner: Value,
    /// Today, `YYYY-MM-DD`, and the same date 30 days on.
    pub today: String,
    pub due: String,
}

const COMPANIES: [&str; 24] = [
    "Northwind Traders",
    "Globex",
    "Initech",
    "Umbrella Logistics",
    "Vandelay Industries",
    "Stark Components",
    "Wayne Freight",
    "Hooli",
    "Soylent Foods",
    "Tyrell Systems",
    "Cyberdyne Labs",
    "Wonka Confectionery",
    "Acorn Outfitters",
    "Blue Harbor Hotels",
    "Kestrel Aviation",
    "Lumen Clinics",
    "Mistral Energy",
    "Oakridge Schools",
    "Pinecrest Realty",
    "Quantum Retail",
    "Riverside Dental",
    "Sable Textiles",
    "Tidewater Marine",
    "Zephyr Bikes",
];
const LEAD_FIRST: [&str; 12] = [
    "Kai", "Amara", "Luca", "Yuki", "Elif", "Sven", "Nadia", "Diego", "Mei", "Arjun", "Chloé",
    "Björn",
];
const LEAD_LAST: [&str; 10] = [
    "Novak", "Ibrahim", "Rossi", "Tanaka", "Yılmaz", "Berg", "Petrova", "Alves", "Lin", "Shah",
];
const STREETS: [&str; 10] = [
    "Birch St",
    "Harbour Rd",
    "Market Sq",
    "Rue de la Paix",
    "Kingsway",
    "Calle Mayor",
    "Linden Allee",
    "Elm Ave",
    "Station Rd",
    "Canal Walk",
];
const CITIES: [(&str, &str, &str); 8] = [
    ("Lyon", "FR", "69002"),
    ("Berlin", "DE", "10115"),
    ("Madrid", "ES", "28013"),
    ("Leeds", "GB", "LS1 4AP"),
    ("Rotterdam", "NL", "3011"),
    ("Austin", "US", "78701"),
    ("Toronto", "CA", "M5V 2T6"),
    ("Milano", "IT", "20121"),
];
/// (sku, unit price in cents)
const CATALOG: [(&str, u64); 10] = [
    ("SKU-1042", 12_900),
    ("SKU-1107", 4_450),
    ("SKU-2210", 89_900),
    ("SKU-2318", 1_999),
    ("SKU-3001", 24_500),
    ("SKU-3350", 7_725),
    ("SKU-4120", 149_000),
    ("SKU-4404", 3_310),
    ("SKU-5077", 56_050),
    ("SKU-5902", 999),
];
const CURRENCIES: [&str; 3] = ["EUR", "EUR", "USD"];
const TICKET_SUBJECTS: [&str; 10] = [
    "Cannot download invoice PDF",
    "Order arrived damaged",
    "Request to change billing address",
    "Login link expired",
    "Wrong VAT number on invoice",
    "Shipment delayed",
    "Need copy of contract",
    "Refund not received",
    "Add a second admin user",
    "Export to CSV times out",
];
const LEAD_SOURCES: [&str; 5] = [
    "Web form",
    "Referral",
    "Trade show",
    "Webinar",
    "Partner referral",
];

fn tag_vocabulary(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Order => &["rush", "gift", "b2b", "backorder", "priority"],
        Kind::Customer => &["smb", "enterprise", "emea", "amer", "strategic", "at-risk"],
        Kind::Lead => &["emea", "amer", "hot", "nurture", "event-2026"],
        Kind::Ticket => &["billing", "shipping", "login", "bug", "vip"],
        Kind::Invoice => &[],
    }
}

/// Money as JSON: whole amounts as integers (`700`), others with cents (`686.22`).
pub(crate) fn money(cents: u64) -> Value {
    if cents.is_multiple_of(100) {
        json!(cents / 100)
    } else {
        json!(cents as f64 / 100.0)
    }
}

fn address(rng: &mut Rng) -> Value {
    let (city, country, postal_code) = *rng.pick(&CITIES);
    json!({
        "street": format!("{} {}", rng.between(1, 240), rng.pick(&STREETS)),
        "city": city,
        "postal_code": postal_code,
        "country": country,
    })
}

fn items(rng: &mut Rng) -> (Value, u64) {
    let n = rng.between(1, 4);
    let mut total = 0;
    let mut items = Vec::new();
    for _ in 0..n {
        let (sku, unit) = *rng.pick(&CATALOG);
        let qty = rng.between(1, 12);
        total += unit * qty;
        items.push(json!({"sku": sku, "qty": qty, "unit_price": money(unit)}));
    }
    (Value::Array(items), total)
}

fn some_tags(kind: Kind, rng: &mut Rng) -> Value {
    let vocabulary = tag_vocabulary(kind);
    let mut tags = Vec::new();
    for _ in 0..rng.below(3) {
        let tag = *rng.pick(vocabulary);
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    json!(tags)
}

/// The tag list with one tag added or removed.
fn retag(kind: Kind, old: &Value, rng: &mut Rng) -> Value {
    let mut tags: Vec<Value> = old.as_array().cloned().unwrap_or_default();
    if !tags.is_empty() && rng.chance(0.4) {
        tags.remove(rng.index(tags.len()));
    } else {
        let tag = Value::from(*rng.pick(tag_vocabulary(kind)));
        if tags.contains(&tag) {
            tags.retain(|t| *t != tag);
        } else {
            tags.push(tag);
        }
    }
    Value::Array(tags)
}

pub(crate) fn slug(company: &str) -> String {
    company
        .split_whitespace()
        .next()
        .unwrap_or("example")
        .to_ascii_lowercase()
}

/// The full state of a new record. `status` overrides the first workflow status.
pub(crate) fn initial_state(
    kind: Kind,
    id: u64,
    status: Option<&str>,
    refs: &Refs,
    rng: &mut Rng,
) -> Map<String, Value> {
    let value = match kind {
        Kind::Order => {
            let (items, total) = items(rng);
            json!({
                "status": status.unwrap_or("Draft"),
                "customer_id": refs.customer_id,
                "currency": rng.pick(&CURRENCIES),
                "items": items,
                "total": money(total),
                "shipping_address": address(rng),
                "tags": some_tags(kind, rng),
                "tracking_number": null,
            })
        }
        Kind::Customer => {
            let company = *rng.pick(&COMPANIES);
            json!({
                "company": company,
                "plan": rng.pick(&["Basic", "Basic", "Pro", "Enterprise"]),
                "billing_status": status.unwrap_or("Trial"),
                "owner": refs.owner,
                "contact_email": format!("billing@{}.example", slug(company)),
                "address": address(rng),
                "tags": some_tags(kind, rng),
            })
        }
        Kind::Lead => {
            let first = *rng.pick(&LEAD_FIRST);
            let last = *rng.pick(&LEAD_LAST);
            let company = *rng.pick(&COMPANIES);
            json!({
                "name": format!("{first} {last}"),
                "company": company,
                "email": format!("{}@{}.example", first.to_lowercase(), slug(company)),
                "source": rng.pick(&LEAD_SOURCES),
                "status": "New",
                "owner": null,
                "score": rng.between(5, 95),
                "tags": some_tags(kind, rng),
                "customer_id": null,
            })
        }
        Kind::Ticket => json!({
            "subject": rng.pick(&TICKET_SUBJECTS),
            "status": "Open",
            "priority": rng.pick(&["Low", "Normal", "Normal", "Normal", "High"]),
            "assignee": null,
            "customer_id": refs.customer_id,
            "channel": rng.pick(&["email", "chat", "phone", "portal"]),
            "tags": some_tags(kind, rng),
        }),
        Kind::Invoice => json!({
            "number": format!("INV-{id:05}"),
            "status": status.unwrap_or("Draft"),
            "amount": money(rng.between(2_000, 1_500_000)),
            "currency": rng.pick(&CURRENCIES),
            "customer_id": refs.customer_id,
            "issued_on": refs.today,
            "due_date": refs.due,
            "paid_at": null,
            "disputed": false,
        }),
    };
    match value {
        Value::Object(map) => map,
        _ => unreachable!("snapshots are objects"),
    }
}

/// A plain edit of one or two non-workflow fields (`<kind>.updated`).
pub(crate) fn field_edit(
    kind: Kind,
    record: &Record,
    refs: &Refs,
    rng: &mut Rng,
) -> Vec<(&'static str, Value)> {
    let state = &record.state;
    let mut changes: Vec<(&'static str, Value)> = Vec::with_capacity(2);
    let tags = |rng: &mut Rng| retag(kind, state.get("tags").unwrap_or(&Value::Null), rng);
    match kind {
        Kind::Order => {
            let editable = matches!(record.status(kind), "Draft" | "Pending Review");
            match rng.below(3) {
                0 if editable => {
                    let (items, total) = items(rng);
                    changes.push(("items", items));
                    changes.push(("total", money(total)));
                }
                1 => changes.push(("shipping_address", address(rng))),
                _ => changes.push(("tags", tags(rng))),
            }
        }
        Kind::Customer => match rng.below(5) {
            0 => {
                let plan = match record.str_field("plan") {
                    "Basic" => "Pro",
                    "Pro" => *rng.pick(&["Basic", "Enterprise"]),
                    _ => "Pro",
                };
                changes.push(("plan", json!(plan)));
            }
            1 => changes.push(("address", address(rng))),
            2 if !refs.owner.is_null() && state.get("owner") != Some(&refs.owner) => {
                changes.push(("owner", refs.owner.clone()));
            }
            3 => {
                let company = record.str_field("company");
                let contact = rng.pick(&["ap", "finance", "accounts", "billing", "invoices"]);
                changes.push((
                    "contact_email",
                    json!(format!(
                        "{contact}.{}@{}.example",
                        rng.hex(2),
                        slug(company)
                    )),
                ));
            }
            _ => changes.push(("tags", tags(rng))),
        },
        Kind::Lead => match rng.below(3) {
            0 => {
                let old = state.get("score").and_then(Value::as_u64).unwrap_or(50);
                let new = (old + rng.between(1, 30)).saturating_sub(15).min(100);
                let new = if new == old { (old + 7) % 101 } else { new };
                changes.push(("score", json!(new)));
            }
            1 => changes.push(("company", json!(rng.pick(&COMPANIES)))),
            _ => changes.push(("tags", tags(rng))),
        },
        Kind::Ticket => match rng.below(3) {
            0 => {
                let priority = match record.str_field("priority") {
                    "Low" => "Normal",
                    "Normal" => *rng.pick(&["Low", "High"]),
                    _ => "Normal",
                };
                changes.push(("priority", json!(priority)));
            }
            1 => changes.push((
                "subject",
                json!(format!("{} (follow-up)", rng.pick(&TICKET_SUBJECTS))),
            )),
            _ => changes.push(("tags", tags(rng))),
        },
        Kind::Invoice => match rng.below(3) {
            0 if record.status(kind) == "Draft" => {
                changes.push(("amount", money(rng.between(2_000, 1_500_000))));
            }
            1 => {
                let disputed = state
                    .get("disputed")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                changes.push(("disputed", json!(!disputed)));
            }
            _ => changes.push(("due_date", json!(refs.due))),
        },
    }
    if changes.is_empty() {
        // The drawn edit did not apply to this record; tagging always does.
        if kind == Kind::Invoice {
            changes.push(("due_date", json!(refs.due)));
        } else {
            changes.push(("tags", tags(rng)));
        }
    }
    // An edit that sets a field to the value it already has is no edit.
    changes.retain(|(field, value)| state.get(*field) != Some(value));
    if changes.is_empty() && kind == Kind::Invoice {
        let disputed = state
            .get("disputed")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        changes.push(("disputed", json!(!disputed)));
    } else if changes.is_empty() {
        changes.push(("tags", tags(rng)));
        changes.retain(|(field, value)| state.get(*field) != Some(value));
    }
    changes
}

/// A tracking number for a shipment.
pub(crate) fn tracking_number(rng: &mut Rng) -> Value {
    json!(format!("1Z{}", rng.hex(12).to_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_returns_exactly_the_changed_fields_before_and_after() {
        let mut record = Record {
            id: 1001,
            state: Map::new(),
        };
        record.state.insert("status".into(), json!("Draft"));
        record.state.insert("total".into(), json!(12.5));
        let (before, after) = record.apply(vec![("status", json!("Pending Review"))]);
        assert_eq!(before, json!({"status": "Draft"}));
        assert_eq!(after, json!({"status": "Pending Review"}));
        assert_eq!(record.state["total"], json!(12.5));
    }

    #[test]
    fn money_writes_whole_amounts_as_integers() {
        assert_eq!(serde_json::to_string(&money(70_000)).unwrap(), "700");
        assert_eq!(serde_json::to_string(&money(68_622)).unwrap(), "686.22");
    }
}
