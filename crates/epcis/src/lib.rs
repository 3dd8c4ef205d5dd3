//! The GS1 EPCIS 2.0 event model: JSON-LD and XML documents in, validated events out;
//! EPCIS XML out; CBV 2.0 event hash IDs. No I/O.

pub mod cbv;
mod document;
pub mod hash;
mod identifiers;
mod model;
mod validate;
pub mod xml;

pub use cbv::is_uri;
pub use document::{
    CaptureError, Document, FieldError, Limits, MAX_REPORTED_ERRORS, parse_document,
};
pub use hash::{event_hash_id, prehash};
pub use model::*;
pub use xml::{looks_like_xml, parse_xml_document, to_xml_document};
