//! Every actor of a case: who or what acted, how often, when, and how often it failed
//! or was denied. Read from the `actor` table the import keeps up to date.

use crate::Result;
use crate::case::Case;
use crate::case::table::actor;

pub use crate::case::table::actor::ActorSummary;

/// What kind of actor, in words a reviewer uses (spec §2.2 types grouped).
pub fn actor_kind(actor_type: Option<&str>) -> &'static str {
    match actor_type {
        Some("user") | Some("admin") => "person",
        Some("automation") => "automation",
        Some("api_client") => "API client",
        Some("webhook") => "webhook",
        Some("import") => "import",
        Some("job") => "job",
        Some("integration") => "integration",
        Some("system") => "system",
        _ => "unknown type",
    }
}

/// Every actor, most active first.
pub fn list_actors(case: &Case) -> Result<Vec<ActorSummary>> {
    actor::most_active_first(case.connection())
}
