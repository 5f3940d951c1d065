//! Answers to investigators' questions: plain-language sentences, field diffs and record
//! state (pure functions over events), and over a case: actors, filtered event lists,
//! facet counts and record timelines.
//!
//! Nothing here verifies anything or writes to a case.

pub mod actors;
pub mod diff;
pub mod events;
pub mod sentence;
pub mod state;
pub mod timeline;

pub use actors::{ActorSummary, actor_kind, list_actors};
pub use events::{
    Cursor, EventFilter, EventRow, FacetBy, FacetCount, Order, Page, event_by_idx, events_by_id,
    facet_counts, for_each_event, list_events, register_text_search, text_matches,
};
pub use timeline::{Timeline, TimelineEntry, event_diff, timeline};
