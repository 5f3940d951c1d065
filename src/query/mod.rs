//! Answers to investigators' questions: plain-language sentences, field diffs and record
//! state (pure functions over events), and over a case: actors, filtered event lists,
//! facet counts, activity over time, the common questions and record timelines.
//!
//! Nothing here verifies anything or writes to a case.

pub mod activity;
pub mod actors;
pub mod around;
pub mod detail;
// Pure pieces below both the case and the queries, re-exported where they were.
pub use crate::{diff, state};
pub mod events;
pub mod questions;
pub mod sentence;
pub mod timeline;
pub mod view;

pub use activity::{Activity, activity};
pub use actors::{ActorSummary, Person, actor_kind, list_actors, list_people};
pub use around::{Around, Neighbours, around};
pub use detail::{CheckStatus, EventCheck, EventDetail, EventSource, event_detail};
pub use events::{
    Cursor, EventFilter, EventRow, FacetBy, FacetCount, Order, Page, count_events, event_by_idx,
    events_by_id, facet_counts, for_each_event, list_events,
};
pub use questions::{AppliesTo, Needs, Question, question, questions, questions_for};
pub use timeline::{Timeline, TimelineEntry, event_diff, timeline};
pub use view::{
    DetailView, EventView, FindingGroupView, HistoryEntryView, HistoryView, Masking, detail_view,
    diff_view, event_view, finding_groups, history_view,
};
