//! Regulatory exports computed from the event log and the master data. No I/O: events and
//! the catalog come in, rows and [`lotrace_report::Report`]s go out.
//!
//! [`fsma204`] maps EPCIS events to the Critical Tracking Events of the FDA Food
//! Traceability Rule (21 CFR Part 1, Subpart S) with every Key Data Element in its own
//! column, for the electronic sortable spreadsheet of §1.1455(c)(3). A Key Data Element the
//! records do not hold is named in the row's "Missing KDEs" column, never left silently blank.

mod describe;
pub mod fsma204;
mod gather;

pub use fsma204::{
    ComplianceError, Cte, Fsma204, Row, Selection, build, glossary_table, report, rows_table,
};
pub use gather::Gathering;
