//! EPCIS 2.0 JSON-LD documents: parsing and document-level rules; event rules are in `validate`.

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

/// The most errors one rejected document reports; past it, a count of the rest.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// Parses and validates an `EPCISDocument` (a capture) or an `EPCISQueryDocument` (the
/// answer of another repository's query, imported as it stands). All or nothing: any broken
/// rule in any event rejects the whole document, with every broken rule found.
pub fn parse_document(bytes: &[u8], limits: &Limits) -> Result<Document, CaptureError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| CaptureError::document("(document)", format!("malformed JSON: {e}")))?;
    let Value::Object(mut top) = value else {
        return Err(CaptureError::document(
            "(document)",
            "expected a JSON object",
        ));
    };
    let kind = check_header(&top)?;
    let context = top.remove("@context").unwrap_or(Value::Null);
    let (list_path, list) = take_event_list(&mut top, kind)?;
    let Value::Array(items) = list else {
        return Err(CaptureError::document(
            list_path,
            "expected an array of events",
        ));
    };
    if items.len() > limits.max_events {
        return Err(CaptureError::document(
            list_path,
            format!(
                "{} events exceed the limit of {} per document; split the document",
                items.len(),
                limits.max_events
            ),
        ));
    }
    let mut events = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    let mut more_errors = 0usize;
    for (i, item) in items.into_iter().enumerate() {
        let event_id = item
            .get("eventID")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut report = |field: String, rule: String| {
            if errors.len() < MAX_REPORTED_ERRORS {
                errors.push(FieldError {
                    event_index: Some(i),
                    event_id: event_id.clone(),
                    field,
                    rule,
                });
            } else {
                more_errors += 1;
            }
        };
        if !item.is_object() {
            report("(event)".into(), "expected a JSON object".into());
            continue;
        }
        match serde_path_to_error::deserialize::<_, Event>(item) {
            Ok(event) => {
                for (field, rule) in crate::validate::check_event(&event).errors {
                    report(field, rule);
                }
                events.push(event);
            }
            Err(e) => report(field_path(&e), e.inner().to_string()),
        }
    }
    if more_errors > 0 {
        errors.push(FieldError {
            event_index: None,
            event_id: None,
            field: list_path.to_owned(),
            rule: format!("{more_errors} more errors not listed"),
        });
    }
    if !errors.is_empty() {
        return Err(CaptureError { errors });
    }
    Ok(Document {
        context,
        header: top,
        events,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum DocumentKind {
    Capture,
    QueryResults,
}

/// The document-level rules: a JSON-LD context, a known document type, and for a capture
/// document its schema version and creation date.
fn check_header(top: &Object) -> Result<DocumentKind, CaptureError> {
    let mut errors = Vec::new();
    let mut error = |field: &str, rule: String| {
        errors.push(FieldError {
            event_index: None,
            event_id: None,
            field: field.to_owned(),
            rule,
        })
    };
    match top.get("@context") {
        None => error(
            "@context",
            "missing: an EPCIS 2.0 JSON-LD document names its context, e.g. \
             [\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\"]"
                .into(),
        ),
        Some(Value::String(_) | Value::Array(_) | Value::Object(_)) => {}
        Some(_) => error(
            "@context",
            "expected a context URI, an object or a list of them".into(),
        ),
    }
    let kind = match top.get("type").and_then(Value::as_str) {
        Some("EPCISDocument") => Some(DocumentKind::Capture),
        Some("EPCISQueryDocument") => Some(DocumentKind::QueryResults),
        Some(other) => {
            error(
                "type",
                format!(
                    "{other:?} is not a document type: expected EPCISDocument or EPCISQueryDocument"
                ),
            );
            None
        }
        None => {
            error(
                "type",
                "missing: expected \"EPCISDocument\" (or \"EPCISQueryDocument\")".into(),
            );
            None
        }
    };
    if kind == Some(DocumentKind::Capture) {
        match top.get("schemaVersion").and_then(Value::as_str) {
            Some(v) if v == "2.0" || v.starts_with("2.0.") => {}
            Some(v) => error(
                "schemaVersion",
                format!(
                    "{v:?} is not supported: this is an EPCIS 2.0 interface (schemaVersion \"2.0\")"
                ),
            ),
            None => error("schemaVersion", "missing: expected \"2.0\"".into()),
        }
    }
    match top.get("creationDate") {
        None if kind == Some(DocumentKind::Capture) => error(
            "creationDate",
            "missing: expected the date-time the document was made".into(),
        ),
        None => {}
        Some(Value::String(text)) => {
            if let Err(rule) = crate::model::Time::parse(text) {
                error("creationDate", rule);
            }
        }
        Some(_) => error("creationDate", "expected a date-time string".into()),
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(kind),
        _ => Err(CaptureError { errors }),
    }
}

/// Takes the event list out of the body; returns its path for error messages.
fn take_event_list(
    top: &mut Object,
    kind: DocumentKind,
) -> Result<(&'static str, Value), CaptureError> {
    let path = match kind {
        DocumentKind::Capture => "epcisBody.eventList",
        DocumentKind::QueryResults => "epcisBody.queryResults.resultsBody.eventList",
    };
    let mut node = top.remove("epcisBody");
    let steps: &[&str] = match kind {
        DocumentKind::Capture => &["eventList"],
        DocumentKind::QueryResults => &["queryResults", "resultsBody", "eventList"],
    };
    for step in steps {
        node = match node {
            Some(Value::Object(mut o)) => o.remove(*step),
            _ => None,
        };
    }
    node.map(|list| (path, list))
        .ok_or_else(|| CaptureError::document(path, "missing"))
}

/// The path of the field serde stopped at. For a missing field serde names the object
/// that lacks it; the field itself is in the message, and it is the more useful name.
fn field_path(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = e.path().to_string();
    let parent = if path == "." || path.is_empty() {
        None
    } else {
        Some(path)
    };
    let message = e.inner().to_string();
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name.to_owned());
    match (parent, missing) {
        (Some(parent), Some(name)) => format!("{parent}.{name}"),
        (None, Some(name)) => name,
        (Some(parent), None) => parent,
        (None, None) => "(event)".to_owned(),
    }
}
