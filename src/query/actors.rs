//! Every actor of a case: who or what acted, how often, when, and how often it failed
//! or was denied. Read from the `actor` table the import keeps up to date.

use crate::Result;
use crate::case::Case;

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

/// One actor with its activity.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorSummary {
    pub actor_id: String,
    pub actor_type: Option<String>,
    pub name: Option<String>,
    pub n_events: i64,
    pub first_ts: i64,
    pub last_ts: i64,
    pub n_failures: i64,
    pub n_denials: i64,
}

/// Every actor, most active first.
pub fn list_actors(case: &Case) -> Result<Vec<ActorSummary>> {
    let mut statement = case.connection().prepare_cached(
        "SELECT actor_id, actor_type, name, n_events, first_ts, last_ts, n_failures, n_denials
         FROM actor ORDER BY n_events DESC, actor_id",
    )?;
    let actors = statement
        .query_map([], |row| {
            Ok(ActorSummary {
                actor_id: row.get(0)?,
                actor_type: row.get(1)?,
                name: row.get(2)?,
                n_events: row.get(3)?,
                first_ts: row.get(4)?,
                last_ts: row.get(5)?,
                n_failures: row.get(6)?,
                n_denials: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(actors)
}
