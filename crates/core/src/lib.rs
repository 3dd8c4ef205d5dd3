//! lotrace's domain: master data, lot numbering, operations that become EPCIS events, and the
//! inventory projection those events build. No I/O: the server loads and stores, this decides.

pub mod catalog;
pub mod error;
pub mod inventory;
pub mod lotnum;
pub mod master;
pub mod ops;
pub mod quantity;

pub use error::{DomainError, Result};
pub use quantity::Qty;
