//! Bills of materials (recipes), production orders, the check of a production against its
//! order's BOM version (components, substitutes, lot status, overrides), yield and variance,
//! electronic batch records and where-used. No I/O: the store keeps the records, the
//! application gathers the events, this decides and assembles.
//!
//! A BOM version never changes once stored: the produced event names the order and the
//! BOM version (`lotrace:batch`), so a batch record is rebuilt from the log and the BOM
//! tables whatever versions came after.

pub mod check;
pub mod model;
pub mod record;

pub use check::{
    CheckedRun, ComponentVariance, Figures, InputMatch, YieldFigures, batch_ref, check_run, figures,
};
pub use model::{
    Bom, BomSpec, Component, Order, OrderSpec, OrderStatus, Role, Substitute, check_code,
};
pub use record::{
    BatchRecord, BomUse, Deviation, ProductionUse, QcResult, RecordInput, RecordRun, RecordSources,
    WhereUsed, bom_uses, consumptions, referenced,
};

/// The extension member of a produced TransformationEvent that names the order, the BOM
/// version, the overrides and the figures.
pub const BATCH_EXTENSION: &str = "lotrace:batch";
