//! EPCIS 2.0 JSON-LD documents: parsing and document-level rules; event rules are in `validate`.

use std::fmt;

use serde::de::{Deserialize, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

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
    // The document is read as members whose values stay unparsed text, and each event is
    // deserialised straight from its own text: no tree of the whole document is built, and
    // one broken event does not stop the others from being checked.
    let members: RawMembers = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            CaptureError::document("(document)", "expected a JSON object")
        }
        _ => CaptureError::document("(document)", format!("malformed JSON: {e}")),
    })?;
    let mut top = Object::new();
    let mut body = None;
    for (name, value) in members.0 {
        if name == "epcisBody" {
            body = Some(value);
        } else {
            // Members of a document parse: their text was read as JSON already.
            let value: Value = serde_json::from_str(value.get()).map_err(|e| {
                CaptureError::document("(document)", format!("malformed JSON: {e}"))
            })?;
            top.insert(name, value);
        }
    }
    let kind = check_header(&top)?;
    let context = top.remove("@context").unwrap_or(Value::Null);
    let (list_path, list) = event_list(body, kind)?;
    let items: Vec<&RawValue> = serde_json::from_str(list.get())
        .map_err(|_| CaptureError::document(list_path, "expected an array of events"))?;
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
    let Events {
        events,
        mut errors,
        more_errors,
    } = parse_events(&items);
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

/// Events of a document below which it is parsed on the calling thread alone.
const EVENTS_PER_PARSE_THREAD: usize = 20_000;
/// The most threads one document's events are parsed on.
const MAX_PARSE_THREADS: usize = 8;

/// Parsed and checked events, with the errors found in them (at most
/// `MAX_REPORTED_ERRORS`, then a count), in document order.
struct Events {
    events: Vec<Event>,
    errors: Vec<FieldError>,
    more_errors: usize,
}

/// Parses and checks every event. Events are independent of each other, so a large
/// document is split into runs parsed on threads of their own (parsing and checking are
/// most of an import's work besides storing); the runs are joined in document order, so the
/// answer is the same as on one thread.
fn parse_events(items: &[&RawValue]) -> Events {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = (items.len() / EVENTS_PER_PARSE_THREAD).clamp(1, cores.min(MAX_PARSE_THREADS));
    if threads == 1 {
        return parse_run(items, 0);
    }
    let run = items.len().div_ceil(threads);
    let runs: Vec<Events> = std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(run)
            .enumerate()
            .map(|(k, part)| scope.spawn(move || parse_run(part, k * run)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut all = Events {
        events: Vec::with_capacity(items.len()),
        errors: Vec::new(),
        more_errors: 0,
    };
    for part in runs {
        all.events.extend(part.events);
        let room = MAX_REPORTED_ERRORS - all.errors.len();
        all.more_errors += part.more_errors + part.errors.len().saturating_sub(room);
        all.errors.extend(part.errors.into_iter().take(room));
    }
    all
}

/// Parses and checks a run of events; `first_index` is the first one's index in the list.
fn parse_run(items: &[&RawValue], first_index: usize) -> Events {
    let mut events = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    let mut more_errors = 0usize;
    for (offset, item) in items.iter().enumerate() {
        let text = item.get();
        let parsed = if text.starts_with('{') {
            // Straight from the text; should that fail, the event is read again as a tree,
            // which keeps the last of repeated names (the standard's own examples repeat
            // some) and gives serde's error without a text position.
            let direct = serde_json::from_str::<Event>(text).ok();
            Some(direct.map(Ok).unwrap_or_else(|| {
                let tree: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                let event_id = tree
                    .get("eventID")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                serde_path_to_error::deserialize::<_, Event>(tree).map_err(|e| (event_id, e))
            }))
        } else {
            None
        };
        let event_id = match &parsed {
            Some(Ok(event)) => event.event_id.clone(),
            Some(Err((event_id, _))) => event_id.clone(),
            None => None,
        };
        let mut report = |field: String, rule: String| {
            if errors.len() < MAX_REPORTED_ERRORS {
                errors.push(FieldError {
                    event_index: Some(first_index + offset),
                    event_id: event_id.clone(),
                    field,
                    rule,
                });
            } else {
                more_errors += 1;
            }
        };
        match parsed {
            None => report("(event)".into(), "expected a JSON object".into()),
            Some(Ok(event)) => {
                for (field, rule) in crate::validate::check_event(&event).errors {
                    report(field, rule);
                }
                events.push(event);
            }
            Some(Err((_, e))) => report(field_path(&e), e.inner().to_string()),
        }
    }
    Events {
        events,
        errors,
        more_errors,
    }
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

/// The event list's text inside the body; returns its path for error messages.
fn event_list(
    body: Option<&RawValue>,
    kind: DocumentKind,
) -> Result<(&'static str, &RawValue), CaptureError> {
    let path = match kind {
        DocumentKind::Capture => "epcisBody.eventList",
        DocumentKind::QueryResults => "epcisBody.queryResults.resultsBody.eventList",
    };
    let steps: &[&str] = match kind {
        DocumentKind::Capture => &["eventList"],
        DocumentKind::QueryResults => &["queryResults", "resultsBody", "eventList"],
    };
    let mut node = body;
    for step in steps {
        node = node.and_then(|n| {
            let members: RawMembers = serde_json::from_str(n.get()).ok()?;
            // As in a parsed object, the last of repeated names counts.
            members
                .0
                .into_iter()
                .rev()
                .find(|(name, _)| name == step)
                .map(|(_, v)| v)
        });
    }
    node.map(|list| (path, list))
        .ok_or_else(|| CaptureError::document(path, "missing"))
}

/// An object's members in document order, their values as unparsed JSON text.
struct RawMembers<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for RawMembers<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Members<'a> {
            type Value = RawMembers<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(RawMembers(members))
            }
        }
        deserializer.deserialize_map(Members(std::marker::PhantomData))
    }
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
