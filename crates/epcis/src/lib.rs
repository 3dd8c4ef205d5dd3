//! The GS1 EPCIS 2.0 event model: JSON-LD documents in, validated events out. No I/O.

pub mod cbv;
mod document;
mod identifiers;
mod model;
mod validate;

pub use cbv::is_uri;
pub use document::{
    CaptureError, Document, FieldError, Limits, MAX_REPORTED_ERRORS, parse_document,
};
pub use model::*;
