//! EPCISDocument parsing. PLACEHOLDER: structural parse only, validation comes next.

use std::fmt;

use serde_json::Value;

use crate::model::{Event, Object};

/// Limits on one document.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_events: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_events: 100_000,
        }
    }
}

/// A parsed, validated EPCISDocument.
#[derive(Clone, Debug)]
pub struct Document {
    /// The document's `@context`, as written.
    pub context: Value,
    /// Every top-level field other than `@context` and `epcisBody`.
    pub header: Object,
    pub events: Vec<Event>,
}

/// One violated rule, located as precisely as possible.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    /// Index of the event in `eventList`, or None for a document-level problem.
    pub event_index: Option<usize>,
    pub event_id: Option<String>,
    /// Path of the offending field inside the event (or the document), e.g. `quantityList[0].quantity`.
    pub field: String,
    /// What is wrong and what was expected.
    pub rule: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(i) = self.event_index {
            write!(f, "event {i}")?;
            if let Some(id) = &self.event_id {
                write!(f, " ({id})")?;
            }
            write!(f, ", ")?;
        }
        write!(f, "field {}: {}", self.field, self.rule)
    }
}

/// A rejected document: every error found (at least one).
#[derive(Clone, Debug, PartialEq)]
pub struct CaptureError {
    pub errors: Vec<FieldError>,
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for e in &self.errors {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CaptureError {}

impl CaptureError {
    fn document(field: &str, rule: impl Into<String>) -> CaptureError {
        CaptureError {
            errors: vec![FieldError {
                event_index: None,
                event_id: None,
                field: field.to_owned(),
                rule: rule.into(),
            }],
        }
    }
}

pub fn parse_document(bytes: &[u8], limits: &Limits) -> Result<Document, CaptureError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| CaptureError::document("(document)", format!("malformed JSON: {e}")))?;
    let Value::Object(mut top) = value else {
        return Err(CaptureError::document(
            "(document)",
            "expected a JSON object",
        ));
    };
    let context = top.remove("@context").unwrap_or(Value::Null);
    let body = top.remove("epcisBody");
    let list = body
        .and_then(|b| match b {
            Value::Object(mut o) => o.remove("eventList"),
            _ => None,
        })
        .ok_or_else(|| CaptureError::document("epcisBody.eventList", "missing"))?;
    let Value::Array(items) = list else {
        return Err(CaptureError::document(
            "epcisBody.eventList",
            "expected an array",
        ));
    };
    if items.len() > limits.max_events {
        return Err(CaptureError::document(
            "epcisBody.eventList",
            format!(
                "{} events exceed the limit of {}",
                items.len(),
                limits.max_events
            ),
        ));
    }
    let mut events = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let event: Event = serde_path_to_error::deserialize(item).map_err(|e| CaptureError {
            errors: vec![FieldError {
                event_index: Some(i),
                event_id: None,
                field: e.path().to_string(),
                rule: e.inner().to_string(),
            }],
        })?;
        events.push(event);
    }
    Ok(Document {
        context,
        header: top,
        events,
    })
}
