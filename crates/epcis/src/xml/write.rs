//! Events to an EPCIS 2.0 XML document (quick-xml's `Writer`), fields in the order of the
//! EPCIS 2.0 XSD, user extensions as elements in their namespaces.

use std::collections::BTreeSet;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event as XmlEvent};
use serde_json::Value;

use crate::hash::Namespaces;
use crate::model::{Event, EventType, Object, QuantityElement};

const EPCIS_NS: &str = "urn:epcglobal:epcis:xsd:2";

/// The events as an EPCIS 2.0 XML `EPCISDocument`. Extension prefixes are those of the
/// standard context and of each event's own `@context`; see [`to_xml_document_with`].
pub fn to_xml_document(events: &[Event]) -> String {
    to_xml_document_with(events, &Namespaces::standard())
}

/// The events as an EPCIS 2.0 XML `EPCISDocument`, with `namespaces` binding the prefixes
/// of their extension fields (e.g. those of the JSON-LD document they came from). A prefix
/// bound nowhere gets the namespace `urn:lotrace:undeclared-prefix:<prefix>`.
pub fn to_xml_document_with(events: &[Event], namespaces: &Namespaces) -> String {
    let mut ns = namespaces.clone();
    for event in events {
        if let Some(context) = &event.context {
            ns.add_context(context);
        }
    }
    let mut used = BTreeSet::new();
    for event in events {
        collect_prefixes(event, &mut used);
    }
    let mut out = Out {
        w: Writer::new_with_indent(Vec::new(), b' ', 2),
    };
    out.event(XmlEvent::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut root = BytesStart::new("epcis:EPCISDocument");
    root.push_attribute(("xmlns:epcis", EPCIS_NS));
    for prefix in &used {
        let iri = ns
            .get(prefix)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("urn:lotrace:undeclared-prefix:{prefix}"));
        root.push_attribute((format!("xmlns:{prefix}").as_str(), iri.as_str()));
    }
    root.push_attribute(("schemaVersion", "2.0"));
    root.push_attribute(("creationDate", jiff::Timestamp::now().to_string().as_str()));
    out.event(XmlEvent::Start(root));
    out.start("EPCISBody");
    out.start("EventList");
    for event in events {
        out.write_event(event);
    }
    out.end("EventList");
    out.end("EPCISBody");
    out.end("epcis:EPCISDocument");
    String::from_utf8(out.w.into_inner()).unwrap_or_default()
}

/// Every prefix an extension name uses, in any event field that can carry extensions.
fn collect_prefixes(event: &Event, used: &mut BTreeSet<String>) {
    fn names(object: &Object, used: &mut BTreeSet<String>) {
        for (key, value) in object {
            if let Some((prefix, _)) = key.split_once(':')
                && !prefix.is_empty()
                && key != "#text"
            {
                used.insert(prefix.to_owned());
            }
            values(value, used);
        }
    }
    fn values(value: &Value, used: &mut BTreeSet<String>) {
        match value {
            Value::Object(o) => names(o, used),
            Value::Array(items) => items.iter().for_each(|v| values(v, used)),
            _ => {}
        }
    }
    names(&event.extensions, used);
    for location in [&event.read_point, &event.biz_location]
        .into_iter()
        .flatten()
    {
        names(&location.extensions, used);
    }
    if let Some(ilmd) = &event.ilmd {
        names(ilmd, used);
    }
    if let Some(declaration) = &event.error_declaration {
        names(&declaration.extensions, used);
    }
    for element in event.sensor_element_list.iter().flatten() {
        names(&element.extensions, used);
        for object in element.sensor_metadata.iter().chain(&element.sensor_report) {
            names(object, used);
        }
    }
}

struct Out {
    w: Writer<Vec<u8>>,
}

impl Out {
    fn event(&mut self, event: XmlEvent) {
        // Writing to a Vec cannot fail.
        let _ = self.w.write_event(event);
    }

    fn start(&mut self, name: &str) {
        self.event(XmlEvent::Start(BytesStart::new(name)));
    }

    fn end(&mut self, name: &str) {
        self.event(XmlEvent::End(BytesEnd::new(name)));
    }

    fn leaf(&mut self, name: &str, text: &str) {
        if text.is_empty() {
            self.event(XmlEvent::Empty(BytesStart::new(name)));
            return;
        }
        self.start(name);
        self.event(XmlEvent::Text(BytesText::new(text)));
        self.end(name);
    }

    fn opt(&mut self, name: &str, text: &Option<String>) {
        if let Some(text) = text {
            self.leaf(name, text);
        }
    }

    fn list(&mut self, name: &str, item: &str, values: &Option<Vec<String>>) {
        if let Some(values) = values {
            self.start(name);
            for v in values {
                self.leaf(item, v);
            }
            self.end(name);
        }
    }

    fn quantities(&mut self, name: &str, list: &Option<Vec<QuantityElement>>) {
        let Some(list) = list else { return };
        self.start(name);
        for q in list {
            self.start("quantityElement");
            self.leaf("epcClass", &q.epc_class);
            if let Some(quantity) = &q.quantity {
                self.leaf("quantity", &quantity.to_string());
            }
            self.opt("uom", &q.uom);
            self.end("quantityElement");
        }
        self.end(name);
    }

    /// A user extension field: an element per value, objects as child elements.
    fn extension(&mut self, name: &str, value: &Value) {
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.extension(name, v)),
            Value::Object(object) => {
                self.start(name);
                if let Some(text) = object.get("#text").and_then(scalar) {
                    self.event(XmlEvent::Text(BytesText::new(&text)));
                }
                self.extensions(object);
                self.end(name);
            }
            other => self.leaf(name, &scalar(other).unwrap_or_default()),
        }
    }

    fn extensions(&mut self, object: &Object) {
        for (key, value) in object {
            if key != "#text" && key != "@context" {
                self.extension(key, value);
            }
        }
    }

    fn write_event(&mut self, e: &Event) {
        let name = e.event_type.as_str();
        self.start(name);
        self.leaf("eventTime", &e.event_time.text);
        if let Some(t) = &e.record_time {
            self.leaf("recordTime", &t.text);
        }
        self.leaf("eventTimeZoneOffset", &e.event_time_zone_offset.to_string());
        self.opt("eventID", &e.event_id);
        match &e.certification_info {
            Some(crate::model::CertificationInfo::One(v)) => self.leaf("certificationInfo", v),
            Some(crate::model::CertificationInfo::Many(vs)) => {
                vs.iter().for_each(|v| self.leaf("certificationInfo", v))
            }
            None => {}
        }
        if let Some(d) = &e.error_declaration {
            self.start("errorDeclaration");
            self.leaf("declarationTime", &d.declaration_time.text);
            self.opt("reason", &d.reason);
            if !d.corrective_event_ids.is_empty() {
                self.list(
                    "correctiveEventIDs",
                    "correctiveEventID",
                    &Some(d.corrective_event_ids.clone()),
                );
            }
            self.extensions(&d.extensions);
            self.end("errorDeclaration");
        }
        if e.event_type == EventType::TransactionEvent {
            self.biz_transactions(e);
        }
        self.opt("parentID", &e.parent_id);
        self.list("epcList", "epc", &e.epc_list);
        self.list("childEPCs", "epc", &e.child_epcs);
        self.list("inputEPCList", "epc", &e.input_epc_list);
        self.quantities("inputQuantityList", &e.input_quantity_list);
        self.list("outputEPCList", "epc", &e.output_epc_list);
        self.quantities("outputQuantityList", &e.output_quantity_list);
        self.quantities("quantityList", &e.quantity_list);
        self.quantities("childQuantityList", &e.child_quantity_list);
        if let Some(action) = e.action {
            self.leaf("action", action.as_str());
        }
        self.opt("transformationID", &e.transformation_id);
        self.opt("bizStep", &e.biz_step);
        self.opt("disposition", &e.disposition);
        if let Some(pd) = &e.persistent_disposition {
            self.start("persistentDisposition");
            pd.set.iter().for_each(|v| self.leaf("set", v));
            pd.unset.iter().for_each(|v| self.leaf("unset", v));
            self.end("persistentDisposition");
        }
        for (tag, location) in [
            ("readPoint", &e.read_point),
            ("bizLocation", &e.biz_location),
        ] {
            if let Some(location) = location {
                self.start(tag);
                self.leaf("id", &location.id);
                self.extensions(&location.extensions);
                self.end(tag);
            }
        }
        if e.event_type != EventType::TransactionEvent {
            self.biz_transactions(e);
        }
        self.typed(
            "sourceList",
            "source",
            e.source_list
                .iter()
                .flatten()
                .map(|s| (Some(&s.kind), &s.source)),
        );
        self.typed(
            "destinationList",
            "destination",
            e.destination_list
                .iter()
                .flatten()
                .map(|d| (Some(&d.kind), &d.destination)),
        );
        if let Some(list) = &e.sensor_element_list {
            self.start("sensorElementList");
            for element in list {
                self.start("sensorElement");
                if let Some(meta) = &element.sensor_metadata {
                    self.sensor_object("sensorMetadata", meta);
                }
                for report in &element.sensor_report {
                    self.sensor_object("sensorReport", report);
                }
                self.extensions(&element.extensions);
                self.end("sensorElement");
            }
            self.end("sensorElementList");
        }
        if let Some(ilmd) = &e.ilmd {
            self.start("ilmd");
            self.extensions(ilmd);
            self.end("ilmd");
        }
        self.extensions(&e.extensions);
        self.end(name);
    }

    fn biz_transactions(&mut self, e: &Event) {
        let items = e
            .biz_transaction_list
            .iter()
            .flatten()
            .map(|b| (b.kind.as_ref(), &b.biz_transaction));
        if e.biz_transaction_list.is_some() {
            self.typed("bizTransactionList", "bizTransaction", items);
        }
    }

    fn typed<'a>(
        &mut self,
        list: &str,
        item: &str,
        items: impl Iterator<Item = (Option<&'a String>, &'a String)>,
    ) {
        let items: Vec<_> = items.collect();
        if items.is_empty() {
            return;
        }
        self.start(list);
        for (kind, value) in items {
            let mut start = BytesStart::new(item);
            if let Some(kind) = kind {
                start.push_attribute(("type", kind.as_str()));
            }
            self.event(XmlEvent::Start(start));
            self.event(XmlEvent::Text(BytesText::new(value)));
            self.end(item);
        }
        self.end(list);
    }

    /// sensorMetadata and sensorReport: scalars as attributes, anything else as elements.
    fn sensor_object(&mut self, name: &str, object: &Object) {
        let mut start = BytesStart::new(name);
        let mut nested = Object::new();
        for (key, value) in object {
            match scalar(value) {
                Some(text) => start.push_attribute((key.as_str(), text.as_str())),
                None => {
                    nested.insert(key.clone(), value.clone());
                }
            }
        }
        if nested.is_empty() {
            self.event(XmlEvent::Empty(start));
        } else {
            self.event(XmlEvent::Start(start));
            self.extensions(&nested);
            self.end(name);
        }
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
