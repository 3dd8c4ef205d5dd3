//! EPCIS XML: EPCIS 2.0 and 1.2 documents in (`parse_xml_document`), EPCIS 2.0 out
//! (`to_xml_document`).
//!
//! Reading goes XML → element tree (`tree`, quick-xml's `NsReader`, namespaces resolved) →
//! the JSON-LD form of the same document (`read`) → `parse_document`, so an XML document
//! gets exactly the model and the validation of its JSON-LD twin. User extensions keep
//! their namespace: an element `{ns}local` becomes the field `prefix:local`, with the prefix
//! bound to `ns` in the document's `@context`.

mod read;
mod tree;
mod write;

use crate::document::{CaptureError, Document, FieldError, Limits, parse_document};

pub use write::{to_xml_document, to_xml_document_with};

/// The deepest element nesting accepted in an XML document.
pub const MAX_XML_DEPTH: usize = 64;

/// The most elements accepted per event on average (the limit of a document is this times
/// `Limits::max_events`, and at least `MIN_XML_ELEMENTS`).
pub const MAX_XML_ELEMENTS_PER_EVENT: usize = 1_000;

/// The element limit of a document with few events.
pub const MIN_XML_ELEMENTS: usize = 100_000;

/// Parses and validates an EPCIS 2.0 or EPCIS 1.2 XML document (`EPCISDocument`, or the
/// results of an `EPCISQueryDocument`) into the same model, with the same rules, as
/// `parse_document` for JSON-LD. All or nothing.
pub fn parse_xml_document(bytes: &[u8], limits: &Limits) -> Result<Document, CaptureError> {
    let json = xml_to_json(bytes, limits)?;
    let bytes = serde_json::to_vec(&json).map_err(|e| XmlError::syntax(0, e.to_string()))?;
    parse_document(&bytes, limits)
}

/// The JSON-LD document equivalent to an EPCIS XML document, before validation.
pub fn xml_to_json(bytes: &[u8], limits: &Limits) -> Result<serde_json::Value, CaptureError> {
    let tree_limits = tree::TreeLimits {
        max_depth: MAX_XML_DEPTH,
        max_elements: limits
            .max_events
            .saturating_mul(MAX_XML_ELEMENTS_PER_EVENT)
            .max(MIN_XML_ELEMENTS),
    };
    let (root, bindings) = tree::parse(bytes, tree_limits)?;
    Ok(read::document(&root, &bindings, limits)?)
}

/// Whether a document is XML rather than JSON: its first non-blank character is `<`.
pub fn looks_like_xml(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
}

/// What is wrong with an XML document, located by field (or byte offset for syntax).
#[derive(Debug)]
pub(crate) struct XmlError {
    field: String,
    rule: String,
}

impl XmlError {
    pub(crate) fn syntax(offset: usize, message: impl std::fmt::Display) -> XmlError {
        XmlError {
            field: "(document)".into(),
            rule: format!("malformed XML near byte {offset}: {message}"),
        }
    }

    pub(crate) fn limit(message: impl Into<String>) -> XmlError {
        XmlError {
            field: "(document)".into(),
            rule: message.into(),
        }
    }

    pub(crate) fn field(field: impl Into<String>, rule: impl Into<String>) -> XmlError {
        XmlError {
            field: field.into(),
            rule: rule.into(),
        }
    }
}

impl From<XmlError> for CaptureError {
    fn from(e: XmlError) -> CaptureError {
        CaptureError {
            errors: vec![FieldError {
                event_index: None,
                event_id: None,
                field: e.field,
                rule: e.rule,
            }],
        }
    }
}
