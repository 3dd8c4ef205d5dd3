//! The element tree of an EPCIS XML document to its JSON-LD form (EPCIS 2.0 §12 maps one to
//! the other): event fields by name, lists to arrays, attributes of sensor data to typed
//! values, 1.2 `extension` wrappers dissolved, user extensions to `prefix:local` fields.

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};

use super::XmlError;
use super::tree::{Bindings, Element};
use crate::document::Limits;
use crate::model::EventType;

/// The EPCIS 2.0 JSON-LD context every converted document names.
pub const EPCIS_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/// Prefixes for the namespaces of user extensions: the one the document used where it is
/// unambiguous, a fresh `nsN` otherwise.
struct Prefixes {
    by_ns: BTreeMap<String, String>,
    taken: BTreeMap<String, String>,
}

impl Prefixes {
    fn new(bindings: &Bindings) -> Prefixes {
        let mut p = Prefixes {
            by_ns: BTreeMap::new(),
            taken: BTreeMap::new(),
        };
        for (prefix, ns) in bindings {
            if !prefix.is_empty() && !is_reserved(ns) {
                p.bind(Some(prefix), ns);
            }
        }
        p
    }

    fn bind(&mut self, wanted: Option<&str>, ns: &str) -> String {
        if let Some(prefix) = self.by_ns.get(ns) {
            return prefix.clone();
        }
        let prefix = match wanted {
            Some(w) if !w.is_empty() && !self.taken.contains_key(w) => w.to_owned(),
            _ => (1..)
                .map(|i| format!("ns{i}"))
                .find(|p| !self.taken.contains_key(p))
                .unwrap_or_default(),
        };
        self.taken.insert(prefix.clone(), ns.to_owned());
        self.by_ns.insert(ns.to_owned(), prefix.clone());
        prefix
    }

    fn name(&mut self, ns: &Option<String>, prefix: &Option<String>, local: &str) -> String {
        match ns {
            None => local.to_owned(),
            Some(ns) => format!("{}:{local}", self.bind(prefix.as_deref(), ns)),
        }
    }

    /// The `@context` entry binding the prefixes that were used.
    fn context(&self, used: &BTreeMap<String, ()>) -> Map<String, Value> {
        self.taken
            .iter()
            .filter(|(p, _)| used.contains_key(*p))
            .map(|(p, ns)| (p.clone(), Value::String(ns.clone())))
            .collect()
    }
}

fn is_reserved(ns: &str) -> bool {
    ns == "http://www.w3.org/2001/XMLSchema-instance" || ns.starts_with("urn:epcglobal:epcis")
}

struct Reader {
    prefixes: Prefixes,
    used: BTreeMap<String, ()>,
}

/// The JSON-LD form of the document whose element is `root`.
pub fn document(root: &Element, bindings: &Bindings, limits: &Limits) -> Result<Value, XmlError> {
    let query = match root.local.as_str() {
        "EPCISDocument" => false,
        "EPCISQueryDocument" => true,
        other => {
            return Err(XmlError::field(
                "(document)",
                format!(
                    "<{other}> is not an EPCIS document: expected EPCISDocument or EPCISQueryDocument"
                ),
            ));
        }
    };
    let mut reader = Reader {
        prefixes: Prefixes::new(bindings),
        used: BTreeMap::new(),
    };
    let mut doc = Map::new();
    doc.insert("@context".into(), Value::Null);
    doc.insert("type".into(), Value::String(root.local.clone()));
    let version = root.attr("schemaVersion").unwrap_or("2.0").trim();
    // EPCIS 1.x documents become EPCIS 2.0 events; the version said is then 2.0.
    let version = if version.starts_with("1.") {
        "2.0"
    } else {
        version
    };
    doc.insert("schemaVersion".into(), Value::String(version.to_owned()));
    if let Some(date) = root.attr("creationDate") {
        doc.insert("creationDate".into(), Value::String(date.trim().to_owned()));
    }

    // Containers on the way to the event list; their namespaced children are header fields.
    let mut events_parent = None;
    let mut query_results = Map::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        for child in &node.children {
            if child.ns.is_some() {
                let name = reader.name_of(child);
                let value = reader.extension_value(child);
                push(&mut doc, name, value);
                continue;
            }
            match child.local.as_str() {
                "EPCISBody" | "QueryResults" | "resultsBody" => stack.push(child),
                "queryName" | "subscriptionID" => {
                    query_results
                        .insert(child.local.clone(), Value::String(child.trimmed().into()));
                }
                "EventList" | "eventList" => events_parent = Some(child),
                _ => {}
            }
        }
    }
    let list = events_parent.ok_or_else(|| XmlError::field("EPCISBody.EventList", "missing"))?;
    let mut events = Vec::new();
    for element in dissolve(&list.children) {
        if events.len() >= limits.max_events {
            return Err(XmlError::field(
                "EPCISBody.EventList",
                format!(
                    "more than {} events exceed the limit per document; split the document",
                    limits.max_events
                ),
            ));
        }
        if element.local.parse::<EventType>().is_err() || element.ns.is_some() {
            return Err(XmlError::field(
                format!("EventList[{}]", events.len()),
                format!("<{}> is not an EPCIS event", element.local),
            ));
        }
        events.push(reader.event(element, events.len())?);
    }
    let body = if query {
        let mut results_body = Map::new();
        results_body.insert("eventList".into(), Value::Array(events));
        query_results.insert("resultsBody".into(), Value::Object(results_body));
        let mut body = Map::new();
        body.insert("queryResults".into(), Value::Object(query_results));
        body
    } else {
        let mut body = Map::new();
        body.insert("eventList".into(), Value::Array(events));
        body
    };
    doc.insert("epcisBody".into(), Value::Object(body));
    let mut context = vec![Value::String(EPCIS_CONTEXT.into())];
    let prefixes = reader.prefixes.context(&reader.used);
    if !prefixes.is_empty() {
        context.push(Value::Object(prefixes));
    }
    doc.insert("@context".into(), Value::Array(context));
    Ok(Value::Object(doc))
}

/// The children, with EPCIS 1.x `extension` and `baseExtension` wrappers replaced by what
/// they hold.
fn dissolve(children: &[Element]) -> Vec<&Element> {
    let mut out = Vec::with_capacity(children.len());
    for child in children {
        if child.ns.is_none() && (child.local == "extension" || child.local == "baseExtension") {
            out.extend(dissolve(&child.children));
        } else {
            out.push(child);
        }
    }
    out
}

/// Adds a field; a name seen before makes an array.
fn push(object: &mut Map<String, Value>, name: String, value: Value) {
    match object.get_mut(&name) {
        None => {
            object.insert(name, value);
        }
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
    }
}

fn text(element: &Element) -> Value {
    Value::String(element.trimmed().to_owned())
}

/// A number as JSON writes it (`150`, `452.0`), or the text when it is not one (validation
/// then names the field).
fn number(text: &str) -> Value {
    let text = text.trim();
    if let Ok(n) = serde_json::from_str::<Number>(text) {
        return Value::Number(n);
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map_or_else(|| Value::String(text.to_owned()), Value::Number)
}

const SENSOR_NUMBERS: [&str; 7] = [
    "value",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
];

impl Reader {
    fn name_of(&mut self, element: &Element) -> String {
        let name = self
            .prefixes
            .name(&element.ns, &element.prefix, &element.local);
        self.note(&name);
        name
    }

    fn note(&mut self, name: &str) {
        if let Some((prefix, _)) = name.split_once(':') {
            self.used.insert(prefix.to_owned(), ());
        }
    }

    /// A user extension element: its text, or an object of its attributes, children and
    /// (as `#text`) its text.
    fn extension_value(&mut self, element: &Element) -> Value {
        if element.attrs.is_empty() && element.children.is_empty() {
            return text(element);
        }
        let mut object = Map::new();
        for attr in &element.attrs {
            let name = self.prefixes.name(&attr.ns, &attr.prefix, &attr.local);
            self.note(&name);
            object.insert(name, Value::String(attr.value.clone()));
        }
        for child in &element.children {
            let name = self.name_of(child);
            let value = self.extension_value(child);
            push(&mut object, name, value);
        }
        if !element.trimmed().is_empty() {
            object.insert("#text".into(), text(element));
        }
        Value::Object(object)
    }

    /// Namespaced children of a standard element, as its extension fields.
    fn extensions_into(&mut self, children: &[&Element], object: &mut Map<String, Value>) {
        for child in children.iter().filter(|c| c.ns.is_some()) {
            let name = self.name_of(child);
            let value = self.extension_value(child);
            push(object, name, value);
        }
    }

    fn event(&mut self, element: &Element, index: usize) -> Result<Value, XmlError> {
        let at = |field: &str| format!("EventList[{index}].{field}");
        let mut event = Map::new();
        event.insert("type".into(), Value::String(element.local.clone()));
        for child in dissolve(&element.children) {
            if child.ns.is_some() {
                let name = self.name_of(child);
                let value = self.extension_value(child);
                push(&mut event, name, value);
                continue;
            }
            let name = child.local.as_str();
            let value = match name {
                "epcList" | "childEPCs" | "inputEPCList" | "outputEPCList" => {
                    Value::Array(self.texts(child, "epc", &at(name))?)
                }
                "quantityList" | "childQuantityList" | "inputQuantityList"
                | "outputQuantityList" => self.quantities(child, &at(name))?,
                "readPoint" | "bizLocation" => {
                    let mut object = Map::new();
                    let children = dissolve(&child.children);
                    if let Some(id) = children.iter().find(|c| c.ns.is_none() && c.local == "id") {
                        object.insert("id".into(), text(id));
                    }
                    self.extensions_into(&children, &mut object);
                    Value::Object(object)
                }
                "bizTransactionList" => self.typed_list(child, "bizTransaction", &at(name))?,
                "sourceList" => self.typed_list(child, "source", &at(name))?,
                "destinationList" => self.typed_list(child, "destination", &at(name))?,
                "persistentDisposition" => {
                    let mut object = Map::new();
                    for part in ["set", "unset"] {
                        let values: Vec<Value> = child.plain(part).map(text).collect();
                        if !values.is_empty() {
                            object.insert(part.into(), Value::Array(values));
                        }
                    }
                    Value::Object(object)
                }
                "sensorElementList" => self.sensor_elements(child, &at(name))?,
                "ilmd" => {
                    let mut object = Map::new();
                    self.extensions_into(&dissolve(&child.children), &mut object);
                    Value::Object(object)
                }
                "errorDeclaration" => self.error_declaration(child),
                "certificationInfo" => {
                    push(&mut event, name.to_owned(), text(child));
                    continue;
                }
                _ if child.children.is_empty() => text(child),
                _ => self.extension_value(child),
            };
            if event.contains_key(name) {
                return Err(XmlError::field(at(name), "appears more than once"));
            }
            event.insert(name.to_owned(), value);
        }
        Ok(Value::Object(event))
    }

    /// The texts of the `item` children of a list element.
    fn texts(&mut self, list: &Element, item: &str, at: &str) -> Result<Vec<Value>, XmlError> {
        dissolve(&list.children)
            .into_iter()
            .map(|c| {
                if c.ns.is_none() && c.local == item {
                    Ok(text(c))
                } else {
                    Err(XmlError::field(
                        at,
                        format!("expected <{item}> elements, found <{}>", c.local),
                    ))
                }
            })
            .collect()
    }

    fn quantities(&mut self, list: &Element, at: &str) -> Result<Value, XmlError> {
        let mut items = Vec::new();
        for (i, q) in dissolve(&list.children).into_iter().enumerate() {
            if q.ns.is_some() || q.local != "quantityElement" {
                return Err(XmlError::field(
                    at,
                    format!("expected <quantityElement> elements, found <{}>", q.local),
                ));
            }
            let mut object = Map::new();
            for field in dissolve(&q.children) {
                let value = match field.local.as_str() {
                    "quantity" => number(field.trimmed()),
                    _ => text(field),
                };
                let name = self.name_of(field);
                if object.contains_key(&name) {
                    return Err(XmlError::field(
                        format!("{at}[{i}].{name}"),
                        "appears more than once",
                    ));
                }
                object.insert(name, value);
            }
            items.push(Value::Object(object));
        }
        Ok(Value::Array(items))
    }

    /// bizTransactionList, sourceList, destinationList: `<item type="…">value</item>`.
    fn typed_list(&mut self, list: &Element, item: &str, at: &str) -> Result<Value, XmlError> {
        let mut items = Vec::new();
        for c in dissolve(&list.children) {
            if c.ns.is_some() || c.local != item {
                return Err(XmlError::field(
                    at,
                    format!("expected <{item}> elements, found <{}>", c.local),
                ));
            }
            let mut object = Map::new();
            if let Some(kind) = c.attr("type") {
                object.insert("type".into(), Value::String(kind.trim().to_owned()));
            }
            object.insert(item.into(), text(c));
            items.push(Value::Object(object));
        }
        Ok(Value::Array(items))
    }

    fn sensor_elements(&mut self, list: &Element, at: &str) -> Result<Value, XmlError> {
        let mut items = Vec::new();
        for element in dissolve(&list.children) {
            if element.ns.is_some() || element.local != "sensorElement" {
                return Err(XmlError::field(
                    at,
                    format!(
                        "expected <sensorElement> elements, found <{}>",
                        element.local
                    ),
                ));
            }
            let mut object = Map::new();
            let mut reports = Vec::new();
            let children = dissolve(&element.children);
            for child in &children {
                match (child.ns.is_some(), child.local.as_str()) {
                    (false, "sensorMetadata") => {
                        object.insert("sensorMetadata".into(), self.sensor_object(child));
                    }
                    (false, "sensorReport") => reports.push(self.sensor_object(child)),
                    _ => {}
                }
            }
            object.insert("sensorReport".into(), Value::Array(reports));
            self.extensions_into(&children, &mut object);
            items.push(Value::Object(object));
        }
        Ok(Value::Array(items))
    }

    /// sensorMetadata or sensorReport: attributes, typed as JSON types them.
    fn sensor_object(&mut self, element: &Element) -> Value {
        let mut object = Map::new();
        for attr in &element.attrs {
            let name = self.prefixes.name(&attr.ns, &attr.prefix, &attr.local);
            self.note(&name);
            let value = match (attr.ns.is_none(), attr.local.as_str()) {
                (true, field) if SENSOR_NUMBERS.contains(&field) => number(&attr.value),
                (true, "booleanValue") => match attr.value.trim() {
                    "true" | "1" => Value::Bool(true),
                    "false" | "0" => Value::Bool(false),
                    other => Value::String(other.to_owned()),
                },
                _ => Value::String(attr.value.trim().to_owned()),
            };
            object.insert(name, value);
        }
        self.extensions_into(&dissolve(&element.children), &mut object);
        Value::Object(object)
    }

    fn error_declaration(&mut self, element: &Element) -> Value {
        let mut object = Map::new();
        let children = dissolve(&element.children);
        for child in &children {
            if child.ns.is_some() {
                continue;
            }
            match child.local.as_str() {
                "correctiveEventIDs" => {
                    let ids: Vec<Value> = child.plain("correctiveEventID").map(text).collect();
                    object.insert("correctiveEventIDs".into(), Value::Array(ids));
                }
                other => {
                    object.insert(other.to_owned(), text(child));
                }
            }
        }
        self.extensions_into(&children, &mut object);
        Value::Object(object)
    }
}
