//! Recalls, mass balance and mock-recall drills, computed from the views the event log
//! builds: the inventory (quantities, ledgers) and the trace index (genealogy). No I/O: the
//! application stores recall records and captures the hold events this crate plans.
//!
//! A recall resolves its [`Scope`] to origin lots once, when it starts ([`resolve`]); its
//! [`Impact`] is then computed from those origins whenever it is asked for, so it follows
//! what happens after (holds, returns, late events).

mod balance;
pub mod export;
mod impact;
mod scope;

pub use balance::{BalanceIssue, IssueKind, MassBalance, UnitBalance, mass_balance};
pub use impact::{
    AffectedLot, Customer, CustomerLine, Impact, LotRelation, Movement, OneUpOneDown, Place,
    UnitTotals, impact, recall_holds,
};
pub use scope::{LotRef, Scope, resolve};

use jiff::civil::Date;
use lotrace_core::catalog::Catalog;
use lotrace_core::inventory::Inventory;
use lotrace_trace::TraceIndex;

/// The canonical form of an identifier, owned (the trace index's rule, so that lots found
/// in the inventory and in the index are spelt alike).
fn canonical(id: &str) -> String {
    lotrace_trace::canonical(id).into_owned()
}

/// Most origin lots one recall starts from.
pub const MAX_ORIGINS: usize = 10_000;
/// Most affected lots one impact lists (beyond it the recall is refused, never truncated).
pub const MAX_AFFECTED_LOTS: usize = 200_000;

/// The views a recall reads, borrowed from the application for one computation.
pub struct Views<'a> {
    pub catalog: &'a Catalog,
    pub inventory: &'a Inventory,
    pub trace: &'a TraceIndex,
    /// The site's date today, for lot status (expired).
    pub today: Date,
}

#[derive(Debug, thiserror::Error)]
pub enum RecallError {
    /// The request is wrong: `field` names what, `message` says why.
    #[error("{field}: {message}")]
    Field { field: String, message: String },
    #[error(transparent)]
    Trace(#[from] lotrace_trace::TraceError),
}

impl RecallError {
    pub fn field(field: &str, message: impl Into<String>) -> RecallError {
        RecallError::Field {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}
