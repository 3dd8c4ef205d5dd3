//! The GS1 EPCIS 2.0 event model: JSON-LD documents in, validated events out. No I/O.

mod document;
mod identifiers;
mod model;

pub use document::{CaptureError, Document, FieldError, Limits, parse_document};
pub use model::*;
