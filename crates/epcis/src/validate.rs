//! The rules of EPCIS 2.0 and CBV 2.0 that a parsed event must keep, beyond what its JSON
//! shape already says: which fields each event type may and must carry, which values a
//! vocabulary field takes, that identifiers are URIs and GS1 keys have the right check
//! digits, that user extensions are namespaced.
//!
//! Every rule found broken is reported (up to a limit), each naming the field by its path
//! inside the event (`childEPCs[2]`, `quantityList[0].uom`).

use serde_json::Value;

use crate::cbv::{self, Vocabulary, is_uri};
use crate::model::{Action, Event, EventType, Object, QuantityElement, Time};

/// Collects the broken rules of one event.
pub(crate) struct Findings {
    pub errors: Vec<(String, String)>,
}

impl Findings {
    fn add(&mut self, field: impl Into<String>, rule: impl Into<String>) {
        self.errors.push((field.into(), rule.into()));
    }
}

/// Which fields beyond the common ones each event type may carry.
fn allows(event_type: EventType, field: Field) -> bool {
    use EventType::*;
    use Field::*;
    match field {
        Action => event_type != TransformationEvent,
        ParentId => matches!(
            event_type,
            AggregationEvent | TransactionEvent | AssociationEvent
        ),
        EpcList | QuantityList => matches!(event_type, ObjectEvent | TransactionEvent),
        ChildEpcs | ChildQuantityList => matches!(event_type, AggregationEvent | AssociationEvent),
        Inputs | Outputs | TransformationId => event_type == TransformationEvent,
        Ilmd | PersistentDisposition => matches!(event_type, ObjectEvent | TransformationEvent),
    }
}

#[derive(Clone, Copy)]
enum Field {
    Action,
    ParentId,
    EpcList,
    QuantityList,
    ChildEpcs,
    ChildQuantityList,
    Inputs,
    Outputs,
    TransformationId,
    Ilmd,
    PersistentDisposition,
}

pub(crate) fn check_event(event: &Event) -> Findings {
    let mut f = Findings { errors: Vec::new() };
    check_fields_allowed(event, &mut f);
    check_required(event, &mut f);
    check_identifiers(event, &mut f);
    check_vocabularies(event, &mut f);
    check_quantities(event, &mut f);
    check_extensions(event, &mut f);
    f
}

fn check_fields_allowed(event: &Event, f: &mut Findings) {
    let t = event.event_type;
    let present = [
        ("action", Field::Action, event.action.is_some()),
        ("parentID", Field::ParentId, event.parent_id.is_some()),
        ("epcList", Field::EpcList, event.epc_list.is_some()),
        (
            "quantityList",
            Field::QuantityList,
            event.quantity_list.is_some(),
        ),
        ("childEPCs", Field::ChildEpcs, event.child_epcs.is_some()),
        (
            "childQuantityList",
            Field::ChildQuantityList,
            event.child_quantity_list.is_some(),
        ),
        (
            "inputEPCList",
            Field::Inputs,
            event.input_epc_list.is_some(),
        ),
        (
            "inputQuantityList",
            Field::Inputs,
            event.input_quantity_list.is_some(),
        ),
        (
            "outputEPCList",
            Field::Outputs,
            event.output_epc_list.is_some(),
        ),
        (
            "outputQuantityList",
            Field::Outputs,
            event.output_quantity_list.is_some(),
        ),
        (
            "transformationID",
            Field::TransformationId,
            event.transformation_id.is_some(),
        ),
        ("ilmd", Field::Ilmd, event.ilmd.is_some()),
        (
            "persistentDisposition",
            Field::PersistentDisposition,
            event.persistent_disposition.is_some(),
        ),
    ];
    for (name, field, is_present) in present {
        if is_present && !allows(t, field) {
            f.add(name, format!("a {t} has no field {name}"));
        }
    }
}

fn non_empty<T>(list: &Option<Vec<T>>) -> bool {
    list.as_ref().is_some_and(|l| !l.is_empty())
}

fn check_required(event: &Event, f: &mut Findings) {
    let t = event.event_type;
    if t != EventType::TransformationEvent && event.action.is_none() {
        f.add(
            "action",
            format!("a {t} needs an action: ADD, OBSERVE or DELETE"),
        );
    }
    let action = event.action;
    match t {
        EventType::ObjectEvent => {
            let sensor_only = non_empty(&event.sensor_element_list) && event.read_point.is_some();
            if event.epc_list.is_none() && !non_empty(&event.quantity_list) && !sensor_only {
                f.add(
                    "epcList",
                    "an ObjectEvent names what it is about: give epcList or a non-empty \
                     quantityList (or sensorElementList with a readPoint)",
                );
            }
            if event.ilmd.is_some() && action.is_some_and(|a| a != Action::Add) {
                f.add(
                    "ilmd",
                    "ilmd (lot master data) belongs to an ADD event only",
                );
            }
        }
        EventType::AggregationEvent | EventType::AssociationEvent => {
            let needs_parent = t == EventType::AssociationEvent || action != Some(Action::Observe);
            if needs_parent && event.parent_id.is_none() {
                let when = if t == EventType::AssociationEvent {
                    "always"
                } else {
                    "unless its action is OBSERVE"
                };
                f.add(
                    "parentID",
                    format!("a {t} needs parentID (the container or parent) {when}"),
                );
            }
            let has_children =
                non_empty(&event.child_epcs) || non_empty(&event.child_quantity_list);
            if !has_children && action != Some(Action::Delete) {
                f.add(
                    "childEPCs",
                    format!(
                        "a {t} with action {} needs childEPCs or childQuantityList \
                         (only DELETE may leave both out, meaning all children)",
                        action.map_or("(none)", Action::as_str)
                    ),
                );
            }
        }
        EventType::TransactionEvent => {
            if !non_empty(&event.biz_transaction_list) {
                f.add(
                    "bizTransactionList",
                    "a TransactionEvent needs at least one business transaction",
                );
            }
            if event.epc_list.is_none()
                && !non_empty(&event.quantity_list)
                && action != Some(Action::Delete)
            {
                f.add(
                    "epcList",
                    "a TransactionEvent names what it is about: give epcList or a non-empty quantityList",
                );
            }
        }
        EventType::TransformationEvent => {
            let inputs = non_empty(&event.input_epc_list) || non_empty(&event.input_quantity_list);
            let outputs =
                non_empty(&event.output_epc_list) || non_empty(&event.output_quantity_list);
            let complete = inputs && outputs;
            let part_of_one = (inputs || outputs) && event.transformation_id.is_some();
            if !complete && !part_of_one {
                f.add(
                    if inputs {
                        "outputEPCList"
                    } else {
                        "inputEPCList"
                    },
                    "a TransformationEvent needs both inputs and outputs, or a \
                     transformationID that ties it to the other events of one transformation",
                );
            }
        }
    }
    if let Some(declaration) = &event.error_declaration {
        check_time_order(&declaration.declaration_time, &event.event_time, f);
    }
}

/// An error can only be declared about an event after it happened.
fn check_time_order(declared: &Time, happened: &Time, f: &mut Findings) {
    if declared.instant < happened.instant {
        f.add(
            "errorDeclaration.declarationTime",
            format!(
                "{} is before the eventTime {}: an error is declared after the event",
                declared.text, happened.text
            ),
        );
    }
}

/// A GS1 key must be well formed with a right check digit; anything else must be a URI.
/// `field` names the field only when there is something to report: most values are fine,
/// and building a path for each would cost an allocation per identifier.
fn check_id(field: impl FnOnce() -> String, value: &str, f: &mut Findings) {
    if !is_uri(value) {
        f.add(
            field(),
            format!(
                "{value:?} is not a URI (an EPC URN, a GS1 Digital Link or another absolute URI)"
            ),
        );
        return;
    }
    if let Err(e) = lotrace_gs1::canonicalize(value) {
        f.add(field(), e.to_string());
    }
}

fn check_id_list(field: &str, list: &Option<Vec<String>>, f: &mut Findings) {
    for (i, value) in list.iter().flatten().enumerate() {
        check_id(|| format!("{field}[{i}]"), value, f);
    }
}

fn check_uri(field: &str, value: &str, f: &mut Findings) {
    if !is_uri(value) {
        f.add(field, format!("{value:?} is not a URI"));
    }
}

fn check_identifiers(event: &Event, f: &mut Findings) {
    if let Some(id) = &event.event_id {
        check_uri("eventID", id, f);
    }
    check_id_list("epcList", &event.epc_list, f);
    check_id_list("childEPCs", &event.child_epcs, f);
    check_id_list("inputEPCList", &event.input_epc_list, f);
    check_id_list("outputEPCList", &event.output_epc_list, f);
    if let Some(parent) = &event.parent_id {
        check_id(|| "parentID".into(), parent, f);
    }
    if let Some(id) = &event.transformation_id {
        check_uri("transformationID", id, f);
    }
    if let Some(rp) = &event.read_point {
        check_id(|| "readPoint.id".into(), &rp.id, f);
    }
    if let Some(bl) = &event.biz_location {
        check_id(|| "bizLocation.id".into(), &bl.id, f);
    }
    for (i, s) in event.source_list.iter().flatten().enumerate() {
        check_id(|| format!("sourceList[{i}].source"), &s.source, f);
    }
    for (i, d) in event.destination_list.iter().flatten().enumerate() {
        check_id(
            || format!("destinationList[{i}].destination"),
            &d.destination,
            f,
        );
    }
    for (i, bt) in event.biz_transaction_list.iter().flatten().enumerate() {
        check_uri(
            &format!("bizTransactionList[{i}].bizTransaction"),
            &bt.biz_transaction,
            f,
        );
    }
    match &event.certification_info {
        Some(crate::model::CertificationInfo::One(uri)) => check_uri("certificationInfo", uri, f),
        Some(crate::model::CertificationInfo::Many(uris)) => {
            for (i, uri) in uris.iter().enumerate() {
                check_uri(&format!("certificationInfo[{i}]"), uri, f);
            }
        }
        None => {}
    }
    if let Some(declaration) = &event.error_declaration {
        for (i, id) in declaration.corrective_event_ids.iter().enumerate() {
            check_uri(&format!("errorDeclaration.correctiveEventIDs[{i}]"), id, f);
        }
    }
}

fn check_word(field: &str, value: &str, vocabulary: &Vocabulary, f: &mut Findings) {
    if let Err(rule) = vocabulary.check(value) {
        f.add(field, rule);
    }
}

fn check_vocabularies(event: &Event, f: &mut Findings) {
    if let Some(step) = &event.biz_step {
        check_word("bizStep", step, &cbv::BUSINESS_STEPS, f);
    }
    if let Some(disposition) = &event.disposition {
        check_word("disposition", disposition, &cbv::DISPOSITIONS, f);
    }
    if let Some(pd) = &event.persistent_disposition {
        if pd.set.is_empty() && pd.unset.is_empty() {
            f.add(
                "persistentDisposition",
                "give set or unset (a list of dispositions), or leave the field out",
            );
        }
        for (name, list) in [("set", &pd.set), ("unset", &pd.unset)] {
            for (i, d) in list.iter().enumerate() {
                check_word(
                    &format!("persistentDisposition.{name}[{i}]"),
                    d,
                    &cbv::DISPOSITIONS,
                    f,
                );
            }
        }
    }
    for (i, bt) in event.biz_transaction_list.iter().flatten().enumerate() {
        if let Some(kind) = &bt.kind {
            check_word(
                &format!("bizTransactionList[{i}].type"),
                kind,
                &cbv::BUSINESS_TRANSACTION_TYPES,
                f,
            );
        }
    }
    for (i, s) in event.source_list.iter().flatten().enumerate() {
        check_word(
            &format!("sourceList[{i}].type"),
            &s.kind,
            &cbv::SOURCE_DESTINATION_TYPES,
            f,
        );
    }
    for (i, d) in event.destination_list.iter().flatten().enumerate() {
        check_word(
            &format!("destinationList[{i}].type"),
            &d.kind,
            &cbv::SOURCE_DESTINATION_TYPES,
            f,
        );
    }
    if let Some(reason) = event
        .error_declaration
        .as_ref()
        .and_then(|d| d.reason.as_ref())
    {
        check_word("errorDeclaration.reason", reason, &cbv::ERROR_REASONS, f);
    }
    for (i, element) in event.sensor_element_list.iter().flatten().enumerate() {
        check_sensor_element(&format!("sensorElementList[{i}]"), element, f);
    }
}

const SENSOR_TIME_FIELDS: [&str; 3] = ["time", "startTime", "endTime"];
const SENSOR_NUMBER_FIELDS: [&str; 6] = [
    "value",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percValue",
];

fn check_sensor_element(path: &str, element: &crate::model::SensorElement, f: &mut Findings) {
    if element.sensor_report.is_empty() {
        f.add(
            format!("{path}.sensorReport"),
            "a sensor element needs at least one sensor report",
        );
    }
    if let Some(meta) = &element.sensor_metadata {
        check_sensor_object(&format!("{path}.sensorMetadata"), meta, f);
    }
    for (i, report) in element.sensor_report.iter().enumerate() {
        let at = format!("{path}.sensorReport[{i}]");
        check_sensor_object(&at, report, f);
        if let Some(Value::String(kind)) = report.get("type") {
            check_word(
                &format!("{at}.type"),
                kind,
                &cbv::SENSOR_MEASUREMENT_TYPES,
                f,
            );
        }
        if let Some(Value::String(component)) = report.get("component") {
            check_word(
                &format!("{at}.component"),
                component,
                &cbv::SENSOR_COMPONENTS,
                f,
            );
        }
        if let Some(Value::String(alert)) = report.get("exception") {
            check_word(
                &format!("{at}.exception"),
                alert,
                &cbv::SENSOR_ALERT_TYPES,
                f,
            );
        }
        if let Some(Value::String(uom)) = report.get("uom") {
            check_uom(|| format!("{at}.uom"), uom, f);
        }
    }
}

fn check_sensor_object(path: &str, object: &Object, f: &mut Findings) {
    for field in SENSOR_TIME_FIELDS {
        match object.get(field) {
            None => {}
            Some(Value::String(text)) => {
                if let Err(rule) = Time::parse(text) {
                    f.add(format!("{path}.{field}"), rule);
                }
            }
            Some(_) => f.add(format!("{path}.{field}"), "expected a date-time string"),
        }
    }
    for field in SENSOR_NUMBER_FIELDS {
        if let Some(value) = object.get(field)
            && !value.is_number()
        {
            f.add(format!("{path}.{field}"), "expected a number");
        }
    }
}

fn check_uom(field: impl FnOnce() -> String, uom: &str, f: &mut Findings) {
    let ok = (2..=3).contains(&uom.len())
        && uom
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !ok {
        f.add(
            field(),
            format!(
                "{uom:?} is not a UN/ECE Recommendation 20 unit code (2 or 3 capital letters \
                 or digits, e.g. KGM, LTR, EA)"
            ),
        );
    }
}

fn check_quantity_list(name: &str, list: &Option<Vec<QuantityElement>>, f: &mut Findings) {
    for (i, q) in list.iter().flatten().enumerate() {
        let at = || format!("{name}[{i}]");
        check_id(|| format!("{}.epcClass", at()), &q.epc_class, f);
        if let Some(quantity) = &q.quantity {
            let value = quantity.as_f64().unwrap_or(f64::NAN);
            if !value.is_finite() || value < 0.0 {
                f.add(
                    format!("{}.quantity", at()),
                    format!("{quantity} is not a quantity: expected a number of zero or more"),
                );
            }
        }
        if let Some(uom) = &q.uom {
            check_uom(|| format!("{}.uom", at()), uom, f);
            if q.quantity.is_none() {
                f.add(format!("{}.uom", at()), "a uom needs a quantity");
            }
        }
    }
}

fn check_quantities(event: &Event, f: &mut Findings) {
    check_quantity_list("quantityList", &event.quantity_list, f);
    check_quantity_list("childQuantityList", &event.child_quantity_list, f);
    check_quantity_list("inputQuantityList", &event.input_quantity_list, f);
    check_quantity_list("outputQuantityList", &event.output_quantity_list, f);
}

/// User extensions are namespaced terms: `prefix:name` or a full IRI.
fn check_extension_names(path: &str, object: &Object, what: &str, f: &mut Findings) {
    for name in object.keys() {
        if !is_uri(name) {
            let at = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            f.add(
                at,
                format!(
                    "{name:?} is not a field of {what}; a field of your own must be namespaced \
                     (prefix:{name}, with the prefix in @context, or a full IRI)"
                ),
            );
        }
    }
}

fn check_extensions(event: &Event, f: &mut Findings) {
    let what = format!("an EPCIS 2.0 {}", event.event_type);
    check_extension_names("", &event.extensions, &what, f);
    if let Some(ilmd) = &event.ilmd {
        check_extension_names(
            "ilmd",
            ilmd,
            "ilmd (lot master data is namespaced, e.g. cbvmda:lotNumber)",
            f,
        );
    }
    if let Some(declaration) = &event.error_declaration {
        check_extension_names(
            "errorDeclaration",
            &declaration.extensions,
            "an error declaration",
            f,
        );
    }
    for (i, element) in event.sensor_element_list.iter().flatten().enumerate() {
        check_extension_names(
            &format!("sensorElementList[{i}]"),
            &element.extensions,
            "a sensor element",
            f,
        );
    }
}
