//! The GS1 EPCIS 2.0 event model: JSON-LD documents in, validated events out. No I/O.

pub mod cbv;
mod document;
pub mod hash;
mod identifiers;
mod model;
mod validate;

pub use cbv::is_uri;
pub use document::{
    CaptureError, Document, FieldError, Limits, MAX_REPORTED_ERRORS, parse_document,
};
pub use hash::{event_hash_id, prehash};
pub use model::*;
