//! The cast of the simulated company "Acme": its ~40 people, the automations, API
//! clients, webhooks, imports, jobs and integrations that act in its audit log, and
//! which role grants which permission.
//!
//! Everything here is fixed or drawn from the generator's seeded PRNG; it must never
//! read the clock, the environment or any real identity.

use super::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Department {
    Admin,
    Sales,
    Support,
    Finance,
    Operations,
}

/// The automation rule that fired (spec §2.1 `source.rule`).
#[derive(Debug)]
pub(crate) struct Rule {
    pub id: &'static str,
    pub version: u32,
    pub name: &'static str,
}

pub(crate) static LEAD_ROUTER_RULE: Rule = Rule {
    id: "rule_014",
    version: 3,
    name: "Route EMEA leads to the regional team",
};
pub(crate) static TICKET_ESCALATION_RULE: Rule = Rule {
    id: "rule_022",
    version: 7,
    name: "Escalate urgent tickets after 4 hours",
};
pub(crate) static ORDER_APPROVAL_RULE: Rule = Rule {
    id: "rule_031",
    version: 2,
    name: "Auto-approve orders under 500",
};

/// One actor of the log. Only `id`, `type` (`kind`), `name` and `email` are written to events.
#[derive(Debug)]
pub(crate) struct Actor {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub email: Option<String>,
    pub home_ip: Option<String>,
    pub user_agent: Option<&'static str>,
    pub department: Option<Department>,
    pub client_id: Option<&'static str>,
    pub rule: Option<&'static Rule>,
}

/// Indexes into `Roster::actors` of the non-human actors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bots {
    pub lead_router: usize,
    pub ticket_escalation: usize,
    pub order_approval: usize,
    pub shopify: usize,
    pub partner_portal: usize,
    pub stripe_webhooks: usize,
    pub customer_import: usize,
    pub lead_import: usize,
    pub nightly_invoices: usize,
    pub overdue_check: usize,
    pub stripe_sync: usize,
    pub slack_notifier: usize,
    pub system: usize,
}

pub(crate) struct Roster {
    pub actors: Vec<Actor>,
    /// People are `actors[0..n_people]`; person `i` has id `u_{i+1:03}`.
    pub n_people: usize,
    /// Each person's roles at the start of the log.
    pub initial_roles: Vec<Vec<&'static str>>,
    pub bots: Bots,
}

pub(crate) const N_PEOPLE: usize = 40;

const FIRST_NAMES: [&str; 20] = [
    "Dana", "Maria", "Noor", "Zoë", "Omar", "Chen", "Priya", "Tomás", "Olga", "Lena", "Kofi",
    "Aiko", "Mateo", "Sofia", "Liam", "Fatima", "Jonas", "Inès", "Ravi", "Hana",
];
const LAST_NAMES: [&str; 16] = [
    "Reyes", "Bello", "Karim", "Sato", "Ruiz", "Wang", "Miller", "Mensah", "Novak", "Okafor",
    "Larsen", "Costa", "Haddad", "Kim", "Fischer", "Almeida",
];

pub(crate) const BROWSERS: [&str; 5] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/128.0",
    "Mozilla/5.0 (Macintosh) Safari/17.5",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/127.0",
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/129.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Safari/604.1",
];

/// Roles that can be granted on top of a department's base role.
pub(crate) const EXTRA_ROLES: [&str; 4] =
    ["reporting", "order_approver", "billing_admin", "auditor"];

/// Whether `role` carries `permission`. Actions that need no listed permission are
/// open to every signed-in member of the department that owns the record type.
pub(crate) fn role_grants(role: &str, permission: &str) -> bool {
    match role {
        "admin" => true,
        "sales_manager" => matches!(
            permission,
            "export:customers"
                | "approve:orders"
                | "delete:orders"
                | "delete:customers"
                | "delete:leads"
        ),
        "sales_rep" => permission == "delete:leads",
        "support_lead" => matches!(permission, "delete:tickets" | "export:customers"),
        "finance_manager" => {
            matches!(
                permission,
                "export:customers" | "approve:orders" | "void:invoices"
            )
        }
        "ops_manager" => matches!(
            permission,
            "approve:orders" | "delete:orders" | "export:customers"
        ),
        "reporting" | "auditor" => permission == "export:customers",
        "order_approver" => permission == "approve:orders",
        "billing_admin" => permission == "void:invoices",
        _ => false,
    }
}

/// Folds the accented letters used in names to ASCII for e-mail addresses.
fn ascii_fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ï' => 'i',
            'ó' | 'ö' | 'ô' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other.to_ascii_lowercase(),
        })
        .collect()
}

/// A person's name from the fixed lists; person 0 is Dana Reyes, the admin who exports.
pub(crate) fn person_name(i: usize) -> (&'static str, &'static str) {
    // (i*3 + 5*(i/20)) % 16 gives the two people sharing a first name different last names.
    (FIRST_NAMES[i % 20], LAST_NAMES[(i * 3 + 5 * (i / 20)) % 16])
}

fn office_ip(rng: &mut Rng) -> String {
    format!("203.0.113.{}", rng.between(2, 254))
}

fn partner_ip(rng: &mut Rng) -> String {
    format!("198.51.100.{}", rng.between(2, 254))
}

impl Roster {
    pub(crate) fn new(rng: &mut Rng) -> Roster {
        let mut actors = Vec::new();
        let mut initial_roles = Vec::new();
        for i in 0..N_PEOPLE {
            let (first, last) = person_name(i);
            let department = if i < 4 {
                Department::Admin
            } else {
                [
                    Department::Sales,
                    Department::Support,
                    Department::Finance,
                    Department::Operations,
                ][i % 4]
            };
            let manager = i % 9 == 0;
            let role = match (department, manager) {
                (Department::Admin, _) => "admin",
                (Department::Sales, true) => "sales_manager",
                (Department::Sales, false) => "sales_rep",
                (Department::Support, true) => "support_lead",
                (Department::Support, false) => "support_agent",
                (Department::Finance, true) => "finance_manager",
                (Department::Finance, false) => "finance_clerk",
                (Department::Operations, true) => "ops_manager",
                (Department::Operations, false) => "ops_agent",
            };
            initial_roles.push(vec![role]);
            actors.push(Actor {
                id: format!("u_{:03}", i + 1),
                kind: if department == Department::Admin {
                    "admin"
                } else {
                    "user"
                },
                name: format!("{first} {last}"),
                email: Some(format!(
                    "{}.{}@acme.example",
                    ascii_fold(first),
                    ascii_fold(last)
                )),
                home_ip: Some(office_ip(rng)),
                user_agent: Some(*rng.pick(&BROWSERS)),
                department: Some(department),
                client_id: None,
                rule: None,
            });
        }
        let mut bot = |id: &str,
                       kind: &'static str,
                       name: &str,
                       ip: Option<String>,
                       user_agent: Option<&'static str>,
                       client_id: Option<&'static str>,
                       rule: Option<&'static Rule>| {
            actors.push(Actor {
                id: id.to_owned(),
                kind,
                name: name.to_owned(),
                email: None,
                home_ip: ip,
                user_agent,
                department: None,
                client_id,
                rule,
            });
            actors.len() - 1
        };
        let lead_router = bot(
            "auto_lead_router",
            "automation",
            "Lead Router",
            None,
            None,
            None,
            Some(&LEAD_ROUTER_RULE),
        );
        let ticket_escalation = bot(
            "auto_ticket_escalation",
            "automation",
            "Ticket Escalation",
            None,
            None,
            None,
            Some(&TICKET_ESCALATION_RULE),
        );
        let order_approval = bot(
            "auto_order_approval",
            "automation",
            "Order Approval Policy",
            None,
            None,
            None,
            Some(&ORDER_APPROVAL_RULE),
        );
        let shopify = bot(
            "apic_shopify",
            "api_client",
            "Shopify Storefront",
            Some(partner_ip(rng)),
            Some("acme-sdk-node/5.3.0"),
            Some("cli_8f3a2c71"),
            None,
        );
        let partner_portal = bot(
            "apic_partner_portal",
            "api_client",
            "Partner Portal",
            Some(partner_ip(rng)),
            Some("acme-sdk-python/3.2.1"),
            Some("cli_19bd44e0"),
            None,
        );
        let stripe_webhooks = bot(
            "wh_stripe",
            "webhook",
            "Stripe Webhooks",
            Some(partner_ip(rng)),
            Some("Stripe/1.0 (+webhooks)"),
            None,
            None,
        );
        let customer_import = bot(
            "imp_customer_csv",
            "import",
            "Customer CSV Import",
            None,
            None,
            None,
            None,
        );
        let lead_import = bot(
            "imp_lead_list",
            "import",
            "Lead List Import",
            None,
            None,
            None,
            None,
        );
        let nightly_invoices = bot(
            "job_nightly_invoices",
            "job",
            "Nightly Invoice Run",
            None,
            None,
            None,
            None,
        );
        let overdue_check = bot(
            "job_overdue_check",
            "job",
            "Overdue Invoice Check",
            None,
            None,
            None,
            None,
        );
        let stripe_sync = bot(
            "int_stripe_sync",
            "integration",
            "Stripe Sync",
            Some(partner_ip(rng)),
            Some("acme-stripe-sync/2.8.4"),
            None,
            None,
        );
        let slack_notifier = bot(
            "int_slack",
            "integration",
            "Slack Notifier",
            None,
            None,
            None,
            None,
        );
        let system = bot("system", "system", "Acme CRM", None, None, None, None);
        Roster {
            actors,
            n_people: N_PEOPLE,
            initial_roles,
            bots: Bots {
                lead_router,
                ticket_escalation,
                order_approval,
                shopify,
                partner_portal,
                stripe_webhooks,
                customer_import,
                lead_import,
                nightly_invoices,
                overdue_check,
                stripe_sync,
                slack_notifier,
                system,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_have_distinct_names_and_dana_reyes_comes_first() {
        let roster = Roster::new(&mut Rng::new(1));
        let mut names: Vec<&str> = roster.actors[..N_PEOPLE]
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(names[0], "Dana Reyes");
        assert_eq!(roster.actors[0].id, "u_001");
        assert_eq!(roster.actors[0].kind, "admin");
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), N_PEOPLE);
    }
}
