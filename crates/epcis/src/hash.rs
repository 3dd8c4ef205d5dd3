//! The CBV 2.0 event hash ID (CBV 2.0 §8.9): a fingerprint of an event that does not depend
//! on how it was serialised (JSON-LD or XML, key order, namespace prefixes, URN or Digital
//! Link spelling of identifiers, time zone of the timestamps).
//!
//! The pre-hash string is built in three parts:
//! 1. `eventType=…`;
//! 2. the standard fields in the canonical property order, each `name=value`, a list as its
//!    name followed by its items sorted (`epcListepc=…epc=…`); an element with an extension
//!    point (readPoint, bizLocation, sensorElement, sensorMetadata, sensorReport) carries its
//!    user extensions after its own fields;
//! 3. everything else, rendered generically and sorted as whole strings: the business
//!    transaction, source and destination lists (each item `type=…` then its value), ILMD,
//!    the event's user extensions (names as `{namespace}local`), and sensor fields that are
//!    neither standard nor namespaced.
//!
//! recordTime, eventID and errorDeclaration never take part: an error declaration keeps the
//! hash of the event it declares erroneous.
//!
//! Values are trimmed; timestamps of standard fields become UTC with milliseconds; numbers
//! lose trailing zeros; CBV URNs and bare CBV words become CBV web URIs; `gs1:` and `cbv:`
//! prefixes are expanded; EPC URNs and Digital Link URIs become constrained canonical Digital
//! Link URIs (`https://id.gs1.org`, no query string, only the finest level of identification).
//!
//! Where the text of the standard leaves room, this follows the published test vectors of the
//! reference implementation (`shared/standards/epcis-hash`).

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::cbv::{self, Vocabulary};
use crate::document::Document;
use crate::model::{Event, LocationRef, Object, QuantityElement, SensorElement};

/// The algorithm version written into every hash ID.
pub const ALGORITHM_VERSION: &str = "CBV2.0";

/// Namespace prefix bindings (`example` → `https://ns.example.com/epcis/`), used to write
/// extension names as `{namespace}local`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Namespaces {
    map: BTreeMap<String, String>,
}

/// The prefixes the EPCIS 2.0 JSON-LD context itself defines.
const STANDARD_PREFIXES: [(&str, &str); 9] = [
    ("epcis", "https://ref.gs1.org/epcis/"),
    ("cbv", "https://ref.gs1.org/cbv/"),
    ("cbvmda", "urn:epcglobal:cbv:mda:"),
    ("gs1", "https://gs1.org/voc/"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("dcterms", "http://purl.org/dc/terms/"),
];

impl Namespaces {
    /// The prefixes of the standard EPCIS context.
    pub fn standard() -> Namespaces {
        let map = STANDARD_PREFIXES
            .iter()
            .map(|(p, iri)| ((*p).to_owned(), (*iri).to_owned()))
            .collect();
        Namespaces { map }
    }

    /// The standard prefixes plus those a JSON-LD `@context` defines.
    pub fn from_context(context: &Value) -> Namespaces {
        let mut ns = Namespaces::standard();
        ns.add_context(context);
        ns
    }

    /// Adds the prefix definitions of a JSON-LD `@context` (a URI, an object or a list).
    pub fn add_context(&mut self, context: &Value) {
        match context {
            Value::Array(items) => items.iter().for_each(|c| self.add_context(c)),
            Value::Object(map) => {
                for (prefix, definition) in map {
                    let iri = match definition {
                        Value::String(iri) => Some(iri.as_str()),
                        Value::Object(o) => o.get("@id").and_then(Value::as_str),
                        _ => None,
                    };
                    if let Some(iri) = iri
                        && !prefix.starts_with('@')
                    {
                        self.insert(prefix, iri);
                    }
                }
            }
            _ => {}
        }
    }

    pub fn insert(&mut self, prefix: &str, iri: &str) {
        self.map.insert(prefix.to_owned(), iri.to_owned());
    }

    pub fn get(&self, prefix: &str) -> Option<&str> {
        self.map.get(prefix).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(p, i)| (p.as_str(), i.as_str()))
    }

    /// `prefix:local` as `{namespace}local` when the prefix is bound; a full IRI split after
    /// its last `/` or `#` (so that `example:a` and the IRI it stands for are the same name);
    /// otherwise as written (a prefix nobody defined).
    pub fn expand(&self, name: &str) -> String {
        let Some((prefix, local)) = name.split_once(':') else {
            return name.to_owned();
        };
        if local.starts_with("//") {
            return match name.rfind(['/', '#']) {
                Some(i) if i + 1 < name.len() && i > prefix.len() + 2 => {
                    format!("{{{}}}{}", &name[..=i], &name[i + 1..])
                }
                _ => name.to_owned(),
            };
        }
        match self.get(prefix) {
            Some(iri) => format!("{{{iri}}}{local}"),
            None => name.to_owned(),
        }
    }
}

/// The hash ID of an event whose extensions use only prefixes of the standard context or of
/// the event's own `@context`. For an event of a document, prefer [`document_hash_ids`],
/// which knows the document's prefixes.
pub fn event_hash_id(event: &Event) -> String {
    hash_id(&prehash(event))
}

/// The canonical pre-hash string of an event (see [`event_hash_id`]).
pub fn prehash(event: &Event) -> String {
    // Built once: a capture hashes every event it stores.
    static STANDARD: std::sync::LazyLock<Namespaces> =
        std::sync::LazyLock::new(Namespaces::standard);
    prehash_with(event, &STANDARD, &[])
}

/// The hash ID of an event, with the namespace bindings in force where it was written.
pub fn event_hash_id_with(event: &Event, namespaces: &Namespaces, ignored: &[String]) -> String {
    hash_id(&prehash_with(event, namespaces, ignored))
}

/// The `ni:///sha-256;…?ver=CBV2.0` URI of a pre-hash string.
pub fn hash_id(prehash: &str) -> String {
    let digest = Sha256::digest(prehash.as_bytes());
    format!(
        "ni:///sha-256;{}?ver={ALGORITHM_VERSION}",
        hex::encode(digest)
    )
}

/// The pre-hash strings of every event of a document, in document order, with the
/// document's namespace prefixes and its list of fields to ignore (see [`ignored_fields`]).
pub fn document_prehashes(document: &Document) -> Vec<String> {
    let namespaces = Namespaces::from_context(&document.context);
    let ignored = ignored_fields(document, &namespaces);
    document
        .events
        .iter()
        .map(|e| prehash_with(e, &namespaces, &ignored))
        .collect()
}

/// The hash IDs of every event of a document, in document order.
pub fn document_hash_ids(document: &Document) -> Vec<String> {
    document_prehashes(document)
        .iter()
        .map(|p| hash_id(p))
        .collect()
}

/// The namespace of the reference implementation's convention for fields a repository adds
/// to events and that must not change their hash: a document-level `ignoreFields` list.
pub const IGNORE_FIELDS_NAMESPACE: &str = "https://repository-x.example.com/";

/// The fields (as `{namespace}local`) that a document's `ignoreFields` header names.
pub fn ignored_fields(document: &Document, namespaces: &Namespaces) -> Vec<String> {
    let wanted = format!("{{{IGNORE_FIELDS_NAMESPACE}}}ignoreFields");
    let mut out = Vec::new();
    for (key, value) in &document.header {
        if namespaces.expand(key) != wanted {
            continue;
        }
        let names: Vec<&str> = match value {
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            Value::String(s) => vec![s.as_str()],
            Value::Object(o) => o.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        out.extend(names.into_iter().map(|n| namespaces.expand(n)));
    }
    out
}

/// The pre-hash string of an event. `namespaces` are the bindings of the document; the
/// event's own `@context` adds to them. `ignored` lists top-level fields (as
/// `{namespace}local`) left out.
pub fn prehash_with(event: &Event, namespaces: &Namespaces, ignored: &[String]) -> String {
    let scoped;
    let ns = match &event.context {
        Some(context) => {
            let mut n = namespaces.clone();
            n.add_context(context);
            scoped = n;
            &scoped
        }
        None => namespaces,
    };
    let mut out = format!("eventType={}", event.event_type);
    ordered_fields(event, ns, &mut out);

    let mut rest: Vec<String> = Vec::new();
    if let Some(list) = non_empty(&event.biz_transaction_list) {
        let items = list.iter().map(|b| {
            typed_item(
                b.kind.as_deref(),
                &cbv::BUSINESS_TRANSACTION_TYPES,
                "bizTransaction",
                &b.biz_transaction,
            )
        });
        rest.push(list_of("bizTransactionList", items));
    }
    if let Some(list) = non_empty(&event.source_list) {
        let items = list.iter().map(|s| {
            typed_item(
                Some(&s.kind),
                &cbv::SOURCE_DESTINATION_TYPES,
                "source",
                &s.source,
            )
        });
        rest.push(list_of("sourceList", items));
    }
    if let Some(list) = non_empty(&event.destination_list) {
        let items = list.iter().map(|d| {
            typed_item(
                Some(&d.kind),
                &cbv::SOURCE_DESTINATION_TYPES,
                "destination",
                &d.destination,
            )
        });
        rest.push(list_of("destinationList", items));
    }
    if let Some(ilmd) = &event.ilmd {
        let fields = extension_renders(ilmd, ns);
        rest.push(format!("ilmd{}", fields.concat()));
    }
    if let Some(leftover) = sensor_leftovers(event, ns) {
        rest.push(leftover);
    }
    for (key, value) in &event.extensions {
        if is_comment(key) {
            continue;
        }
        let name = ns.expand(key);
        if ignored.contains(&name) {
            continue;
        }
        render_generic(&name, value, ns, &mut rest);
    }
    rest.sort();
    out.push_str(&rest.concat());
    out
}

fn non_empty<T>(list: &Option<Vec<T>>) -> Option<&Vec<T>> {
    list.as_ref().filter(|l| !l.is_empty())
}

fn is_comment(key: &str) -> bool {
    key == "comment" || key == "rdfs:comment"
}

/// Part 2: the standard fields in canonical order.
fn ordered_fields(event: &Event, ns: &Namespaces, out: &mut String) {
    out.push_str(&format!("eventTime={}", time_text(&event.event_time.text)));
    push_value(
        out,
        "eventTimeZoneOffset",
        &event.event_time_zone_offset.to_string(),
    );
    if let Some(info) = &event.certification_info {
        let values: Vec<&String> = match info {
            crate::model::CertificationInfo::One(v) => vec![v],
            crate::model::CertificationInfo::Many(vs) => vs.iter().collect(),
        };
        let mut items: Vec<String> = values
            .into_iter()
            .filter_map(|v| value_item("certificationInfo", v))
            .collect();
        items.sort();
        out.push_str(&items.concat());
    }
    if let Some(parent) = &event.parent_id {
        push_value(out, "parentID", parent);
    }
    epc_list(out, "epcList", &event.epc_list);
    epc_list(out, "inputEPCList", &event.input_epc_list);
    epc_list(out, "childEPCs", &event.child_epcs);
    quantity_list(out, "quantityList", &event.quantity_list);
    quantity_list(out, "childQuantityList", &event.child_quantity_list);
    quantity_list(out, "inputQuantityList", &event.input_quantity_list);
    epc_list(out, "outputEPCList", &event.output_epc_list);
    quantity_list(out, "outputQuantityList", &event.output_quantity_list);
    if let Some(action) = event.action {
        push_value(out, "action", action.as_str());
    }
    if let Some(id) = &event.transformation_id {
        push_value(out, "transformationID", id);
    }
    if let Some(step) = &event.biz_step {
        push_value(out, "bizStep", &vocabulary(step, &cbv::BUSINESS_STEPS));
    }
    if let Some(disposition) = &event.disposition {
        push_value(
            out,
            "disposition",
            &vocabulary(disposition, &cbv::DISPOSITIONS),
        );
    }
    if let Some(pd) = &event.persistent_disposition {
        let group = |name: &str, values: &[String]| {
            let mut items: Vec<String> = values
                .iter()
                .filter_map(|v| value_item(name, &vocabulary(v, &cbv::DISPOSITIONS)))
                .collect();
            items.sort();
            items.concat()
        };
        let inner = group("set", &pd.set) + &group("unset", &pd.unset);
        if !inner.is_empty() {
            out.push_str("persistentDisposition");
            out.push_str(&inner);
        }
    }
    location(out, "readPoint", &event.read_point, ns);
    location(out, "bizLocation", &event.biz_location, ns);
    if let Some(list) = non_empty(&event.sensor_element_list) {
        let mut items: Vec<String> = list
            .iter()
            .map(|e| sensor_element(e, ns))
            .filter(|s| !s.is_empty())
            .collect();
        items.sort();
        if !items.is_empty() {
            out.push_str("sensorElementList");
            out.push_str(&items.concat());
        }
    }
}

/// `name=value` with the value canonicalised, or nothing for an empty value.
fn value_item(name: &str, value: &str) -> Option<String> {
    let text = canonical_value(value);
    (!text.is_empty()).then(|| format!("{name}={text}"))
}

fn push_value(out: &mut String, name: &str, value: &str) {
    if let Some(item) = value_item(name, value) {
        out.push_str(&item);
    }
}

fn epc_list(out: &mut String, name: &str, list: &Option<Vec<String>>) {
    let mut items: Vec<String> = list
        .iter()
        .flatten()
        .filter_map(|epc| value_item("epc", epc))
        .collect();
    if items.is_empty() {
        return;
    }
    items.sort();
    out.push_str(name);
    out.push_str(&items.concat());
}

fn quantity_list(out: &mut String, name: &str, list: &Option<Vec<QuantityElement>>) {
    let mut items: Vec<String> = list
        .iter()
        .flatten()
        .map(|q| {
            let mut s = String::new();
            push_value(&mut s, "epcClass", &q.epc_class);
            if let Some(quantity) = &q.quantity {
                push_value(&mut s, "quantity", &quantity.to_string());
            }
            if let Some(uom) = &q.uom {
                push_value(&mut s, "uom", uom);
            }
            s
        })
        .filter(|s| !s.is_empty())
        .map(|s| format!("quantityElement{s}"))
        .collect();
    if items.is_empty() {
        return;
    }
    items.sort();
    out.push_str(name);
    out.push_str(&items.concat());
}

fn location(out: &mut String, name: &str, location: &Option<LocationRef>, ns: &Namespaces) {
    let Some(location) = location else { return };
    let mut inner = value_item("id", &location.id).unwrap_or_default();
    inner.push_str(&extension_renders(&location.extensions, ns).concat());
    if !inner.is_empty() {
        out.push_str(name);
        out.push_str(&inner);
    }
}

/// `type=…` (if any) then `name=value`: the item of a business transaction, source or
/// destination list, its type first.
fn typed_item(kind: Option<&str>, vocab: &Vocabulary, name: &str, value: &str) -> String {
    let mut s = String::new();
    if let Some(kind) = kind {
        push_value(&mut s, "type", &vocabulary(kind, vocab));
    }
    push_value(&mut s, name, value);
    s
}

fn list_of(name: &str, items: impl Iterator<Item = String>) -> String {
    let mut items: Vec<String> = items.collect();
    items.sort();
    format!("{name}{}", items.concat())
}

const SENSOR_METADATA_ORDER: [&str; 8] = [
    "time",
    "startTime",
    "endTime",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "bizRules",
];

const SENSOR_REPORT_ORDER: [&str; 23] = [
    "type",
    "exception",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "dataProcessingMethod",
    "time",
    "microorganism",
    "chemicalSubstance",
    "value",
    "component",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "uom",
    "coordinateReferenceSystem",
];

fn sensor_element(element: &SensorElement, ns: &Namespaces) -> String {
    let mut inner = String::new();
    if let Some(meta) = &element.sensor_metadata {
        inner.push_str(&sensor_object(
            "sensorMetadata",
            meta,
            &SENSOR_METADATA_ORDER,
            ns,
        ));
    }
    let mut reports: Vec<String> = element
        .sensor_report
        .iter()
        .map(|r| sensor_object("sensorReport", r, &SENSOR_REPORT_ORDER, ns))
        .filter(|s| !s.is_empty())
        .collect();
    reports.sort();
    inner.push_str(&reports.concat());
    inner.push_str(&extension_renders(&element.extensions, ns).concat());
    if inner.is_empty() {
        inner
    } else {
        format!("sensorElement{inner}")
    }
}

/// A sensorMetadata or sensorReport: its standard fields in order, then its namespaced
/// extensions. Fields that are neither are left for the generic part (`sensor_leftovers`).
fn sensor_object(name: &str, object: &Object, order: &[&str], ns: &Namespaces) -> String {
    let mut inner = String::new();
    for field in order {
        let Some(text) = object.get(*field).and_then(scalar_text) else {
            continue;
        };
        let text = if field.to_ascii_lowercase().contains("time") {
            time_text(&text)
        } else {
            match *field {
                "type" => sensor_type(&text),
                "exception" => vocabulary(&text, &cbv::SENSOR_ALERT_TYPES),
                "component" => vocabulary(&text, &cbv::SENSOR_COMPONENTS),
                _ => text,
            }
        };
        push_value(&mut inner, field, &text);
    }
    let extensions: Object = object
        .iter()
        .filter(|(k, _)| k.contains(':') && !is_comment(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    inner.push_str(&extension_renders(&extensions, ns).concat());
    if inner.is_empty() {
        inner
    } else {
        format!("{name}{inner}")
    }
}

/// A sensor measurement type: a bare GS1 Web Vocabulary term is expanded, as the JSON-LD
/// context does (`Temperature` → `https://gs1.org/voc/Temperature`).
fn sensor_type(text: &str) -> String {
    if cbv::is_uri(text) || text.is_empty() {
        text.to_owned()
    } else {
        format!("https://gs1.org/voc/{}", text.trim())
    }
}

/// Sensor fields that are neither standard nor namespaced, with the path that leads to
/// them: `sensorElementListsensorElementsensorReportbizRules=…`.
fn sensor_leftovers(event: &Event, ns: &Namespaces) -> Option<String> {
    let list = non_empty(&event.sensor_element_list)?;
    let leftovers_of = |name: &str, object: &Object, order: &[&str]| -> Option<String> {
        let mut items = Vec::new();
        for (key, value) in object {
            if !key.contains(':') && !order.contains(&key.as_str()) && !is_comment(key) {
                render_generic(key, value, ns, &mut items);
            }
        }
        (!items.is_empty()).then(|| {
            items.sort();
            format!("{name}{}", items.concat())
        })
    };
    let mut elements = Vec::new();
    for element in list {
        let mut parts = Vec::new();
        if let Some(meta) = &element.sensor_metadata {
            parts.extend(leftovers_of("sensorMetadata", meta, &SENSOR_METADATA_ORDER));
        }
        for report in &element.sensor_report {
            parts.extend(leftovers_of("sensorReport", report, &SENSOR_REPORT_ORDER));
        }
        if !parts.is_empty() {
            parts.sort();
            elements.push(format!("sensorElement{}", parts.concat()));
        }
    }
    if elements.is_empty() {
        return None;
    }
    elements.sort();
    Some(format!("sensorElementList{}", elements.concat()))
}

/// The generic renders of the fields of an extension object, sorted.
fn extension_renders(object: &Object, ns: &Namespaces) -> Vec<String> {
    let mut items = Vec::new();
    for (key, value) in object {
        if key == "#text" || key == "@context" || is_comment(key) {
            continue;
        }
        render_generic(&ns.expand(key), value, ns, &mut items);
    }
    items.sort();
    items
}

/// Generic rendering: `name=value` for a scalar, `name` then the sorted renders of the
/// children for an object, one render per item for an array.
fn render_generic(name: &str, value: &Value, ns: &Namespaces, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for item in items {
                render_generic(name, item, ns, out);
            }
        }
        Value::Object(object) => {
            let mut s = name.to_owned();
            if let Some(text) = object.get("#text").and_then(scalar_text) {
                let text = canonical_value(&text);
                if !text.is_empty() {
                    s.push('=');
                    s.push_str(&text);
                }
            }
            s.push_str(&extension_renders(object, ns).concat());
            out.push(s);
        }
        other => {
            let text = scalar_text(other).map(|t| canonical_value(&t));
            match text {
                Some(t) if !t.is_empty() => out.push(format!("{name}={t}")),
                _ => out.push(name.to_owned()),
            }
        }
    }
}

/// The text of a scalar as XML would write it.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A CBV value: a bare term of the vocabulary becomes its web URI; anything else is kept
/// (URNs are mapped to web URIs by `canonical_value`).
fn vocabulary(value: &str, vocab: &Vocabulary) -> String {
    let trimmed = value.trim();
    if vocab.contains(trimmed) {
        format!("{}{trimmed}", vocab.web_prefix)
    } else {
        value.to_owned()
    }
}

/// The CBV URN prefixes and their web URI equivalents.
const CBV_URNS: [(&str, &str); 5] = [
    (
        "urn:epcglobal:cbv:bizstep:",
        "https://ref.gs1.org/cbv/BizStep-",
    ),
    ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
];

/// The compact IRIs expanded in values.
const VALUE_PREFIXES: [(&str, &str); 2] = [
    ("gs1:", "https://gs1.org/voc/"),
    ("cbv:", "https://ref.gs1.org/cbv/"),
];

/// Canonical form of a value: trimmed, CBV web URI for a CBV URN, expanded standard
/// prefix, number without trailing zeros, constrained canonical Digital Link for a GS1
/// identifier.
pub fn canonical_value(value: &str) -> String {
    let text = value.trim();
    for (urn, web) in CBV_URNS.iter().chain(VALUE_PREFIXES.iter()) {
        if let Some(rest) = text.strip_prefix(urn) {
            return format!("{web}{rest}");
        }
    }
    if let Some(number) = canonical_number(text) {
        return number;
    }
    identifier(text)
}

/// A timestamp in UTC with millisecond precision (`2020-03-04T10:00:30.000Z`); text that
/// is not a timestamp is kept (trimmed).
pub fn time_text(text: &str) -> String {
    let text = text.trim();
    let Ok(ts) = text.parse::<jiff::Timestamp>() else {
        return text.to_owned();
    };
    // Microsecond precision first (as the timestamp was read), then to the nearest
    // millisecond, halves to even.
    let utc = ts.to_zoned(jiff::tz::TimeZone::UTC);
    let micros = i64::from(utc.subsec_nanosecond()) / 1000;
    let (mut millis, rem) = (micros / 1000, micros % 1000);
    if rem > 500 || (rem == 500 && millis % 2 == 1) {
        millis += 1;
    }
    let whole = ts
        .checked_sub(jiff::SignedDuration::from_nanos(i64::from(
            utc.subsec_nanosecond(),
        )))
        .unwrap_or(ts);
    let rounded = whole
        .checked_add(jiff::SignedDuration::from_millis(millis))
        .unwrap_or(whole);
    let dt = rounded.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.subsec_nanosecond() / 1_000_000
    )
}

/// A decimal number written without trailing zeros (`1.0` → `1`, `0.50` → `0.5`,
/// `0.00001` → `1e-05`), or None if `text` is not a decimal number.
pub fn canonical_number(text: &str) -> Option<String> {
    if !is_decimal(text) {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    if value.fract() == 0.0 {
        if value == 0.0 {
            return Some("0".to_owned());
        }
        return Some(format!("{value:.0}"));
    }
    // Shortest round-trip digits; scientific notation below 1e-4, as in the reference.
    let sci = format!("{value:e}");
    let (mantissa, exponent) = sci.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    if exponent < -4 {
        let sign = if exponent < 0 { '-' } else { '+' };
        Some(format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs()))
    } else {
        Some(format!("{value}"))
    }
}

/// `[+-]digits[.digits][e[+-]digits]` (or `.digits`).
fn is_decimal(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

/// The GS1 keys a constrained Digital Link keeps, with the one qualifier (if any) that
/// gives the finest level of identification, most specific first.
const FINEST_QUALIFIERS: [(&str, &[&str]); 4] = [
    ("01", &["21", "235", "10"]),
    ("414", &["254"]),
    ("8006", &["21", "10"]),
    ("8010", &["8011"]),
];

/// An EPC URN, EPC class or pattern URN, or Digital Link URI as a constrained canonical
/// Digital Link URI; anything else as written.
pub fn identifier(text: &str) -> String {
    let lower = text.get(..14).map(str::to_ascii_lowercase);
    if lower.as_deref() == Some("urn:epc:idpat:") {
        return id_pattern(text).unwrap_or_else(|| text.to_owned());
    }
    let candidate =
        text.starts_with("urn:epc:") || text.starts_with("http://") || text.starts_with("https://");
    if !candidate {
        return text.to_owned();
    }
    match lotrace_gs1::canonicalize(text) {
        Ok(id) if id.kind != lotrace_gs1::IdKind::Other && id.kind != lotrace_gs1::IdKind::Gid => {
            constrain(&id.canonical)
        }
        _ => text.to_owned(),
    }
}

/// Keeps the primary key and the finest qualifier of a canonical Digital Link URI.
fn constrain(canonical: &str) -> String {
    let Some(path) = canonical.strip_prefix(lotrace_gs1::CANONICAL_ORIGIN) else {
        return canonical.to_owned();
    };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if segments.len() < 2 || !segments.len().is_multiple_of(2) {
        return canonical.to_owned();
    }
    let pairs: Vec<(&str, &str)> = segments.chunks(2).map(|c| (c[0], c[1])).collect();
    let (key, value) = pairs[0];
    let mut out = format!("{}/{key}/{value}", lotrace_gs1::CANONICAL_ORIGIN);
    if let Some((_, qualifiers)) = FINEST_QUALIFIERS.iter().find(|(k, _)| *k == key)
        && let Some((ai, v)) = qualifiers
            .iter()
            .find_map(|q| pairs[1..].iter().find(|(ai, _)| ai == q))
    {
        out.push_str(&format!("/{ai}/{v}"));
    }
    out
}

/// An EPC pattern URN of a whole class (`urn:epc:idpat:sgtin:4012345.011111.*`) as the
/// Digital Link of that class (`https://id.gs1.org/01/04012345111118`).
fn id_pattern(text: &str) -> Option<String> {
    let rest = &text[14..];
    let (scheme, body) = rest.split_once(':')?;
    let stem = body.strip_suffix(".*")?;
    if stem.contains('*') {
        return None;
    }
    // Canonicalise an instance with a placeholder serial, then drop the serial.
    let instance = format!("urn:epc:id:{scheme}:{stem}.0");
    let canonical = lotrace_gs1::canonicalize(&instance).ok()?.canonical;
    match scheme {
        "sgtin" | "upui" | "itip" | "cpi" => {
            let (class, _) = canonical.rsplit_once('/')?;
            let (class, _) = class.rsplit_once('/')?;
            Some(constrain(class))
        }
        "grai" | "gdti" | "sgcn" => canonical.strip_suffix('0').map(constrain),
        _ => None,
    }
}
