//! The answer to a trace, as it serialises to JSON.

use serde::{Deserialize, Serialize};

use crate::Direction;

/// One trace. Every list is sorted, so equal event logs give byte-equal JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// The traced identifier, canonical.
    pub origin: String,
    pub direction: Direction,
    /// Every affected lot or instance (forward: made from the origin, directly or through
    /// transformations; backward: its inputs, recursively), canonical ids, the origin excluded.
    /// When the origin is a container, what it ever held is included.
    pub lots: Vec<String>,
    /// Forward: every container that held the origin or a lot while it held it (the origin
    /// itself excluded). Empty backward.
    pub containers: Vec<String>,
    /// Forward: one entry per shipping event and destination it names.
    pub shipped_to: Vec<Movement>,
    /// Backward: one entry per receiving event (or event with a sourceList) and source it names.
    pub received_from: Vec<Movement>,
    /// Forward: where the origin and each lot was last seen.
    pub holdings: Vec<Holding>,
    /// Backward: where the origin and its inputs were commissioned (ObjectEvent ADD).
    pub created: Vec<Creation>,
    /// Every eventID cited anywhere in this answer, sorted.
    pub events: Vec<String>,
    /// Who came from whom, via which event: enough to print the trace as a tree from `origin`
    /// (follow `from` → `to`). Sorted by (from, to, event).
    pub edges: Vec<Edge>,
    /// Transformation steps between the origin and the farthest lot reached.
    pub depth_hops: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Forward: `from` is an input of a transformation whose output is `to`.
    MadeInto,
    /// Backward: `from` is an output of a transformation whose input is `to`.
    MadeFrom,
    /// Forward: `to` held `from` (an affected item or a container holding one) from `time`
    /// until `until_time` (absent: still held, as far as the events tell).
    PackedInto,
    /// The origin container `from` held `to` at some time (both directions).
    Contains,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub relation: Relation,
    /// The event that names `to` (made_into/made_from: the output's or input's event; packed_into,
    /// contains: the aggregation that put it in).
    pub event: String,
    pub time: String,
    /// packed_into only: the event that took it out (a DELETE), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_event: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_time: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BizTransactionRef {
    /// Bare CBV word (`po`, `desadv`, `inv`, ...), if the event gave a type.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub id: String,
}

/// An object an event moved: named directly, or held by a container the event named.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovedItem {
    pub id: String,
    /// As the event's quantityList gave it (direct only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uom: Option<String>,
    /// The outermost container the event named, when the item moved inside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// A shipment (forward) or receipt (backward), one per party or location the event names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Movement {
    /// The destination (or source) type as a bare CBV word: `owning_party`,
    /// `possessing_party`, `location`. Absent when the event names no destination (source).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The destination (or source) id, canonical.
    pub id: Option<String>,
    pub event: String,
    pub time: String,
    pub biz_step: Option<String>,
    pub biz_transactions: Vec<BizTransactionRef>,
    /// The affected items the event moved, sorted by id.
    pub items: Vec<MovedItem>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldingState {
    /// The last sighting was an event with a bizLocation.
    AtLocation,
    /// The last sighting was shipping or departing.
    InTransit,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Holding {
    pub id: String,
    pub state: HoldingState,
    /// at_location: the bizLocation; in_transit: the destination location, if named.
    pub location: Option<String>,
    pub event: String,
    pub time: String,
    pub biz_step: Option<String>,
    pub disposition: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Creation {
    pub id: String,
    pub event: String,
    pub time: String,
    pub location: Option<String>,
}
