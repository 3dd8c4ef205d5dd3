//! The genealogy index: forward and backward traces over EPCIS events.
//!
//! [`TraceIndex`] is an in-memory graph derived from the event log (it can always be rebuilt
//! from it). Events arrive in any eventTime order; every answer follows eventTime, so the same
//! events give the same trace whatever order they were inserted in.
//!
//! - **Transformations**: every input of a TransformationEvent feeds every output; events
//!   sharing a transformationID are one transformation. An ObjectEvent ADD of serialised
//!   instances (`…/01/{gtin}/21/{serial}`) with an ILMD lotNumber makes them from that lot
//!   (`…/01/{gtin}/10/{lot}`). Not time-bounded (a lot-level trace
//!   cannot tell which part of a lot went where, so it keeps every path: over-reporting in a
//!   recall is safe, under-reporting is not).
//! - **Containment** (AggregationEvent, AssociationEvent) is time-bounded: ADD and OBSERVE put
//!   children in the parent from their eventTime, DELETE takes the listed children out (all of
//!   them when none are listed). What happens to a container (an ObjectEvent or
//!   TransactionEvent naming it in epcList, or a TransactionEvent naming it as parentID)
//!   happens to what it holds, transitively, at that moment. Events at the same instant are
//!   ordered by eventID, so ties have one answer too.
//! - **Error declarations** retract the event with the same eventID.
//!
//! See `index.rs` for the memory layout and `query.rs` for the walk.
//!
//! ```
//! use lotrace_trace::{Direction, Limits, TraceIndex, synth};
//! let mut index = TraceIndex::new(Limits::default());
//! index.insert_many(synth::Generator::new(synth::Config::for_events(2_000, 1))).unwrap();
//! let lot = index.object_ids().find(|id| synth::is_lot(id)).unwrap();
//! let trace = index.trace(&lot, Direction::Forward).unwrap();
//! assert_eq!(trace.origin, lot);
//! assert_eq!(index.reach(&lot, Direction::Forward).unwrap(), trace.lots);
//! ```
//!
//! A trace serialises as:
//!
//! ```json
//! { "origin": "https://id.gs1.org/01/…/10/A", "direction": "forward",
//!   "lots": ["…"], "containers": ["https://id.gs1.org/00/…"],
//!   "shipped_to": [{ "type": "owning_party", "id": "…", "event": "urn:uuid:…",
//!                    "time": "2026-03-02T12:00:00+00:00", "biz_step": "shipping",
//!                    "biz_transactions": [{ "type": "po", "id": "…" }],
//!                    "items": [{ "id": "…", "quantity": 10.0, "uom": "KGM", "via": "…" }] }],
//!   "received_from": [], "holdings": [{ "id": "…", "state": "in_transit", "location": "…",
//!                    "event": "…", "time": "…", "biz_step": "shipping", "disposition": "in_transit" }],
//!   "created": [], "events": ["…"],
//!   "edges": [{ "from": "…", "to": "…", "relation": "made_into", "event": "…", "time": "…" }],
//!   "depth_hops": 1 }
//! ```

mod containment;
mod index;
mod intern;
mod output;
mod query;
pub mod synth;
mod vocab;

pub use index::{TraceIndex, canonical};
pub use output::{
    BizTransactionRef, Creation, Edge, Holding, HoldingState, MovedItem, Movement, Relation, Trace,
};

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Bounds on one trace. Exceeding one is an error ([`TraceError::Limit`]), never a silently
/// truncated answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Transformation steps from the origin (a lot made from a lot made from the origin is 2).
    pub max_depth_hops: u32,
    /// Containers inside containers (a case on a pallet in a shipping container is 3).
    pub max_nesting_levels: u32,
    /// Lots, containers, edges, shipments, receipts and holdings in one answer, together.
    pub max_result_items: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth_hops: 64,
            max_nesting_levels: 16,
            max_result_items: 200_000,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Where did it go: everything made from it, what held it, where it was shipped.
    Forward,
    /// Where did it come from: every input, recursively, and where each was received from.
    Backward,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Forward => "forward",
            Direction::Backward => "backward",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Direction, String> {
        match s {
            "forward" => Ok(Direction::Forward),
            "backward" => Ok(Direction::Backward),
            other => Err(format!(
                "unknown trace direction {other:?}: expected \"forward\" or \"backward\""
            )),
        }
    }
}

/// Which limit a trace ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    DepthHops,
    NestingLevels,
    ResultItems,
}

impl LimitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::DepthHops => "max_depth_hops",
            LimitKind::NestingLevels => "max_nesting_levels",
            LimitKind::ResultItems => "max_result_items",
        }
    }
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    /// No event names this identifier as an object (HTTP 404).
    #[error("unknown identifier {0:?}: no event names it as an object")]
    UnknownId(String),
    /// The trace is larger than a limit allows (HTTP 422): raise the limit or trace a narrower origin.
    #[error(
        "the {direction} trace of {origin} goes beyond {limit} = {max}; raise the limit or trace from a narrower origin"
    )]
    Limit {
        origin: String,
        direction: Direction,
        limit: LimitKind,
        max: u32,
    },
}

/// The index cannot grow further (its fixed-width ids are used up).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InsertError {
    #[error("the event has no eventID: the store assigns one before indexing")]
    MissingEventId,
    #[error("the trace index is full: at most {max} {what}")]
    Capacity { what: &'static str, max: u64 },
}

/// Sizes of the index, for monitoring and the benchmark's bytes per edge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IndexStats {
    /// Events indexed (error declarations and duplicates not counted).
    pub events: u64,
    /// Events retracted by an error declaration (still counted in `events`).
    pub retracted_events: u64,
    pub error_declarations: u64,
    /// Events whose eventID had been indexed before; ignored.
    pub duplicates_ignored: u64,
    /// Distinct object identifiers: lots, instances, containers.
    pub nodes: u64,
    /// Distinct transformationIDs.
    pub transformations_with_id: u64,
    /// Object–event links: one per object an event names, in any role (epc, child, input,
    /// output, ...), and one per event with a transformationID. The graph's edges.
    pub edges: u64,
    /// Heap bytes held by the index (capacity, not length), all strings included.
    pub heap_bytes: u64,
}

impl IndexStats {
    pub fn bytes_per_edge(&self) -> f64 {
        if self.edges == 0 {
            return 0.0;
        }
        self.heap_bytes as f64 / self.edges as f64
    }
}
