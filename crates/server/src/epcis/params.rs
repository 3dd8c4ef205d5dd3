//! The EPCIS 2.0 query parameters (SimpleEventQuery, REST binding): raw name/value pairs to
//! a checked `Query`, or a `ParamError` naming the parameter. Pure: no I/O, no panics on
//! any input (a fuzz target).
//!
//! Values arrive from a URL (`EQ_bizStep=shipping|receiving`, pipe-delimited as the REST
//! binding's OpenAPI says, or the parameter repeated) or from the JSON body of a named query
//! (`{"EQ_bizStep": ["shipping", "receiving"]}`); both become `RawParams`.

use jiff::Timestamp;
use lotrace_epcis::Action;
use lotrace_epcis::cbv::{
    BUSINESS_STEPS, BUSINESS_TRANSACTION_TYPES, DISPOSITIONS, ERROR_REASONS,
    SOURCE_DESTINATION_TYPES,
};
use serde_json::Value;

use super::matcher::{MatchField, Pattern, canonical};

/// The most parameters, and values of one parameter, one query takes.
pub const MAX_PARAMS: usize = 64;
pub const MAX_VALUES: usize = 256;
/// The longest value accepted, in bytes.
pub const MAX_VALUE_BYTES: usize = 4096;

/// Parameters as given: each name with its values, in order.
pub type RawParams = Vec<(String, Vec<String>)>;

/// A parameter that cannot be used, and why: a `QueryParameterException`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamError {
    pub parameter: String,
    pub message: String,
}

impl ParamError {
    fn new(parameter: &str, message: impl Into<String>) -> ParamError {
        ParamError {
            parameter: parameter.to_owned(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "query parameter {}: {}", self.parameter, self.message)
    }
}

/// `[ge, lt)` on a time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TimeRange {
    pub ge: Option<Timestamp>,
    pub lt: Option<Timestamp>,
}

impl TimeRange {
    pub fn is_set(&self) -> bool {
        self.ge.is_some() || self.lt.is_some()
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        self.ge.is_none_or(|ge| t >= ge) && self.lt.is_none_or(|lt| t < lt)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Cmp {
    pub fn holds(self, value: f64, bound: f64) -> bool {
        match self {
            Cmp::Eq => value == bound,
            Cmp::Gt => value > bound,
            Cmp::Ge => value >= bound,
            Cmp::Lt => value < bound,
            Cmp::Le => value <= bound,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrderBy {
    #[default]
    EventTime,
    RecordTime,
}

/// `EQ_bizTransaction_<type>`, `EQ_source_<type>`, `EQ_destination_<type>`: the type
/// (bare CBV word or URI) and the canonical identifiers.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedIds {
    pub kind: String,
    pub ids: Vec<String>,
}

/// A checked query. `None` / empty: the condition is not set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pub event_types: Option<Vec<String>>,
    pub event_time: TimeRange,
    pub record_time: TimeRange,
    pub actions: Option<Vec<Action>>,
    /// Bare CBV words for CBV terms, URIs otherwise (as the store keeps business steps).
    pub biz_steps: Option<Vec<String>>,
    pub dispositions: Option<Vec<String>>,
    pub persistent_set: Option<Vec<String>>,
    pub persistent_unset: Option<Vec<String>>,
    /// `EQ_persistentDisposition`: in `set` or in `unset`.
    pub persistent_any: Option<Vec<String>>,
    /// Canonical identifiers.
    pub read_points: Option<Vec<String>>,
    pub wd_read_points: Option<Vec<String>>,
    pub biz_locations: Option<Vec<String>>,
    pub wd_biz_locations: Option<Vec<String>>,
    pub transformation_ids: Option<Vec<String>>,
    pub matches: Vec<(MatchField, Vec<Pattern>)>,
    pub quantity: Vec<(Cmp, f64)>,
    pub biz_transactions: Vec<TypedIds>,
    pub sources: Vec<TypedIds>,
    pub destinations: Vec<TypedIds>,
    pub event_ids: Option<Vec<String>>,
    pub exists_error_declaration: bool,
    pub error_declaration_time: TimeRange,
    pub error_reasons: Option<Vec<String>>,
    pub corrective_event_ids: Option<Vec<String>>,
    pub order_by: Option<OrderBy>,
    /// Descending: the standard's default when `orderBy` is given.
    pub descending: bool,
    pub event_count_limit: Option<u64>,
    pub max_event_count: Option<u64>,
    pub per_page: Option<u32>,
    pub next_page_token: Option<String>,
}

/// The names this parser knows, for the error on an unknown one.
const KNOWN: &[&str] = &[
    "eventType",
    "GE_eventTime",
    "LT_eventTime",
    "GE_recordTime",
    "LT_recordTime",
    "EQ_action",
    "EQ_bizStep",
    "EQ_disposition",
    "EQ_persistentDisposition",
    "EQ_persistentDisposition_set",
    "EQ_persistentDisposition_unset",
    "EQ_readPoint",
    "WD_readPoint",
    "EQ_bizLocation",
    "WD_bizLocation",
    "EQ_transformationID",
    "MATCH_epc",
    "MATCH_parentID",
    "MATCH_inputEPC",
    "MATCH_outputEPC",
    "MATCH_anyEPC",
    "MATCH_epcClass",
    "MATCH_inputEPCClass",
    "MATCH_outputEPCClass",
    "MATCH_anyEPCClass",
    "EQ_quantity",
    "GT_quantity",
    "GE_quantity",
    "LT_quantity",
    "LE_quantity",
    "EQ_bizTransaction_<type>",
    "EQ_source_<type>",
    "EQ_destination_<type>",
    "EQ_eventID",
    "EXISTS_errorDeclaration",
    "GE_errorDeclarationTime",
    "LT_errorDeclarationTime",
    "EQ_errorReason",
    "EQ_correctiveEventID",
    "orderBy",
    "orderDirection",
    "eventCountLimit",
    "maxEventCount",
    "perPage",
    "nextPageToken",
];

/// Standard parameters this repository does not answer (sensor data, extension fields):
/// refused by name rather than ignored, so a client never mistakes a wider answer for theirs.
const UNSUPPORTED_PREFIXES: &[&str] = &[
    "GE_startTime",
    "LT_startTime",
    "GE_endTime",
    "LT_endTime",
    "EQ_type",
    "EQ_deviceID",
    "EQ_dataProcessingMethod",
    "EQ_microorganism",
    "EQ_chemicalSubstance",
    "EQ_bizRules",
    "EQ_stringValue",
    "EQ_hexBinaryValue",
    "EQ_uriValue",
    "EQ_booleanValue",
    "EQ_sensorMetadata",
    "EQ_sensorReport",
    "EXISTS_sensorMetadata",
    "EXISTS_sensorReport",
    "GT_value",
    "GE_value",
    "LT_value",
    "LE_value",
    "GT_minValue",
    "GE_minValue",
    "LT_minValue",
    "LE_minValue",
    "GT_maxValue",
    "GE_maxValue",
    "LT_maxValue",
    "LE_maxValue",
    "GT_meanValue",
    "GE_meanValue",
    "LT_meanValue",
    "LE_meanValue",
    "GT_sDev",
    "GE_sDev",
    "LT_sDev",
    "LE_sDev",
    "GT_percValue",
    "GE_percValue",
    "LT_percValue",
    "LE_percValue",
    "GT_percRank",
    "GE_percRank",
    "LT_percRank",
    "LE_percRank",
    "EQ_INNER_",
    "EQ_ILMD_",
    "EXISTS_",
    "HASATTR_",
    "EQATTR_",
    "EQ_value",
];

/// Splits URL query pairs into `RawParams`: pipe-delimited values, repeats appended.
pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> RawParams {
    let mut raw: RawParams = Vec::new();
    for (name, value) in pairs {
        let values = value.split('|').map(str::to_owned);
        match raw.iter_mut().find(|(n, _)| *n == name) {
            Some((_, list)) => list.extend(values),
            None => raw.push((name, values.collect())),
        }
    }
    raw
}

/// A named query's JSON definition (`{"EQ_bizStep": ["shipping"], "GE_eventTime": "..."}`)
/// as `RawParams`: strings, numbers and booleans, or arrays of them.
pub fn from_json(query: &Value) -> Result<RawParams, ParamError> {
    let Value::Object(map) = query else {
        return Err(ParamError::new(
            "query",
            "expected an object of query parameters, e.g. {\"eventType\": [\"ObjectEvent\"]}",
        ));
    };
    let scalar = |name: &str, v: &Value| -> Result<String, ParamError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(ParamError::new(
                name,
                "expected a string, a number, a boolean or an array of them",
            )),
        }
    };
    let mut raw = Vec::with_capacity(map.len());
    for (name, value) in map {
        let values = match value {
            Value::Array(items) => items
                .iter()
                .map(|v| scalar(name, v))
                .collect::<Result<Vec<_>, _>>()?,
            other => vec![scalar(name, other)?],
        };
        raw.push((name.clone(), values));
    }
    Ok(raw)
}

/// Checks every parameter and builds the query; the first problem found is the error.
pub fn parse(raw: &RawParams) -> Result<Query, ParamError> {
    if raw.len() > MAX_PARAMS {
        return Err(ParamError::new(
            "(query)",
            format!(
                "at most {MAX_PARAMS} parameters, this query has {}",
                raw.len()
            ),
        ));
    }
    let mut q = Query::default();
    let mut seen: Vec<&str> = Vec::with_capacity(raw.len());
    let mut order_direction: Option<bool> = None;
    for (name, values) in raw {
        let name = name.as_str();
        // An error naming "" would name nothing (found by fuzzing: `?=shipping`).
        if name.is_empty() {
            return Err(ParamError::new(
                "(query string)",
                "a parameter has no name; write name=value",
            ));
        }
        if seen.contains(&name) {
            return Err(ParamError::new(
                name,
                "given twice; give it once (values separated by |)",
            ));
        }
        seen.push(name);
        if values.len() > MAX_VALUES {
            return Err(ParamError::new(
                name,
                format!("at most {MAX_VALUES} values, this one has {}", values.len()),
            ));
        }
        for v in values {
            if v.is_empty() {
                return Err(ParamError::new(name, "an empty value"));
            }
            if v.len() > MAX_VALUE_BYTES {
                return Err(ParamError::new(
                    name,
                    format!("a value is at most {MAX_VALUE_BYTES} bytes"),
                ));
            }
        }
        if values.is_empty() {
            return Err(ParamError::new(name, "no value"));
        }
        match name {
            "eventType" => q.event_types = Some(event_types(name, values)?),
            "GE_eventTime" => q.event_time.ge = Some(time(name, values)?),
            "LT_eventTime" => q.event_time.lt = Some(time(name, values)?),
            "GE_recordTime" => q.record_time.ge = Some(time(name, values)?),
            "LT_recordTime" => q.record_time.lt = Some(time(name, values)?),
            "EQ_action" => q.actions = Some(actions(name, values)?),
            "EQ_bizStep" => q.biz_steps = Some(vocabulary(name, values, &BUSINESS_STEPS)?),
            "EQ_disposition" => q.dispositions = Some(vocabulary(name, values, &DISPOSITIONS)?),
            "EQ_persistentDisposition" => {
                q.persistent_any = Some(vocabulary(name, values, &DISPOSITIONS)?)
            }
            "EQ_persistentDisposition_set" => {
                q.persistent_set = Some(vocabulary(name, values, &DISPOSITIONS)?)
            }
            "EQ_persistentDisposition_unset" => {
                q.persistent_unset = Some(vocabulary(name, values, &DISPOSITIONS)?)
            }
            "EQ_readPoint" => q.read_points = Some(identifiers(name, values)?),
            "WD_readPoint" => q.wd_read_points = Some(identifiers(name, values)?),
            "EQ_bizLocation" => q.biz_locations = Some(identifiers(name, values)?),
            "WD_bizLocation" => q.wd_biz_locations = Some(identifiers(name, values)?),
            "EQ_transformationID" => q.transformation_ids = Some(uris(name, values)?),
            "EQ_eventID" => q.event_ids = Some(uris(name, values)?),
            "EQ_correctiveEventID" => q.corrective_event_ids = Some(uris(name, values)?),
            "EQ_errorReason" => q.error_reasons = Some(vocabulary(name, values, &ERROR_REASONS)?),
            "EQ_quantity" => q.quantity.push((Cmp::Eq, number(name, values)?)),
            "GT_quantity" => q.quantity.push((Cmp::Gt, number(name, values)?)),
            "GE_quantity" => q.quantity.push((Cmp::Ge, number(name, values)?)),
            "LT_quantity" => q.quantity.push((Cmp::Lt, number(name, values)?)),
            "LE_quantity" => q.quantity.push((Cmp::Le, number(name, values)?)),
            "EXISTS_errorDeclaration" => q.exists_error_declaration = boolean(name, values)?,
            "GE_errorDeclarationTime" => q.error_declaration_time.ge = Some(time(name, values)?),
            "LT_errorDeclarationTime" => q.error_declaration_time.lt = Some(time(name, values)?),
            "orderBy" => {
                q.order_by = Some(match single(name, values)? {
                    "eventTime" => OrderBy::EventTime,
                    "recordTime" => OrderBy::RecordTime,
                    other => {
                        return Err(ParamError::new(
                            name,
                            format!(
                                "{other:?} cannot order results here: use eventTime or recordTime"
                            ),
                        ));
                    }
                })
            }
            "orderDirection" => {
                order_direction = Some(match single(name, values)? {
                    "ASC" => false,
                    "DESC" => true,
                    other => {
                        return Err(ParamError::new(
                            name,
                            format!("{other:?} is not a direction: use ASC or DESC"),
                        ));
                    }
                })
            }
            "eventCountLimit" => q.event_count_limit = Some(count(name, values)?),
            "maxEventCount" => q.max_event_count = Some(count(name, values)?),
            "perPage" => {
                let n = count(name, values)?;
                // Over the limit is an error rather than a shorter page, so that a client
                // asking for more learns the limit instead of guessing from the page size.
                let max = super::query::MAX_PER_PAGE;
                if n == 0 || n > u64::from(max) {
                    return Err(ParamError::new(
                        name,
                        format!(
                            "must be 1 to {max} events per page (the server's limit); \
                             follow the next-page Link for the rest"
                        ),
                    ));
                }
                q.per_page = Some(u32::try_from(n).unwrap_or(max));
            }
            "nextPageToken" => q.next_page_token = Some(single(name, values)?.to_owned()),
            _ => {
                if let Some(field) = MatchField::from_param(name) {
                    let patterns = values
                        .iter()
                        .map(|v| Pattern::parse(v).map_err(|e| ParamError::new(name, e)))
                        .collect::<Result<Vec<_>, _>>()?;
                    q.matches.push((field, patterns));
                } else if let Some(kind) = name.strip_prefix("EQ_bizTransaction_") {
                    q.biz_transactions.push(typed(
                        name,
                        kind,
                        values,
                        &BUSINESS_TRANSACTION_TYPES,
                    )?);
                } else if let Some(kind) = name.strip_prefix("EQ_source_") {
                    q.sources
                        .push(typed(name, kind, values, &SOURCE_DESTINATION_TYPES)?);
                } else if let Some(kind) = name.strip_prefix("EQ_destination_") {
                    q.destinations
                        .push(typed(name, kind, values, &SOURCE_DESTINATION_TYPES)?);
                } else if UNSUPPORTED_PREFIXES.iter().any(|p| name.starts_with(p)) {
                    return Err(ParamError::new(
                        name,
                        "this standard parameter (sensor data or extension fields) is not \
                         supported by this repository",
                    ));
                } else {
                    return Err(ParamError::new(
                        name,
                        format!(
                            "unknown query parameter; the parameters are {}",
                            KNOWN.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    if q.event_count_limit.is_some() && q.max_event_count.is_some() {
        return Err(ParamError::new(
            "maxEventCount",
            "eventCountLimit and maxEventCount exclude each other; give one",
        ));
    }
    q.descending = order_direction.unwrap_or(true);
    Ok(q)
}

fn single<'a>(name: &str, values: &'a [String]) -> Result<&'a str, ParamError> {
    match values {
        [one] => Ok(one),
        _ => Err(ParamError::new(
            name,
            format!("takes one value, not {}", values.len()),
        )),
    }
}

fn time(name: &str, values: &[String]) -> Result<Timestamp, ParamError> {
    let text = single(name, values)?;
    // A `+` offset sent unescaped in a URL arrives as a space.
    let fixed = text.replace(' ', "+");
    fixed.parse::<Timestamp>().map_err(|_| {
        ParamError::new(
            name,
            format!(
                "{text:?} is not a date-time with a time zone offset (e.g. 2026-03-01T08:00:00Z)"
            ),
        )
    })
}

fn number(name: &str, values: &[String]) -> Result<f64, ParamError> {
    let text = single(name, values)?;
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(n),
        _ => Err(ParamError::new(name, format!("{text:?} is not a number"))),
    }
}

fn count(name: &str, values: &[String]) -> Result<u64, ParamError> {
    let text = single(name, values)?;
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParamError::new(
            name,
            format!("{text:?} is not a non-negative integer"),
        ));
    }
    text.parse::<u64>()
        .map_err(|_| ParamError::new(name, format!("{text:?} is too large")))
}

fn boolean(name: &str, values: &[String]) -> Result<bool, ParamError> {
    match single(name, values)? {
        "true" | "" => Ok(true),
        "false" => Ok(false),
        other => Err(ParamError::new(
            name,
            format!("{other:?} is not true or false"),
        )),
    }
}

fn event_types(name: &str, values: &[String]) -> Result<Vec<String>, ParamError> {
    for v in values {
        let standard = lotrace_epcis::EventType::ALL
            .iter()
            .any(|t| t.as_str() == v);
        if !standard && !lotrace_epcis::is_uri(v) && !v.contains(':') {
            return Err(ParamError::new(
                name,
                format!(
                    "{v:?} is not an event type: ObjectEvent, AggregationEvent, \
                     TransactionEvent, TransformationEvent, AssociationEvent (or an \
                     extension type's URI)"
                ),
            ));
        }
    }
    Ok(values.to_vec())
}

fn actions(name: &str, values: &[String]) -> Result<Vec<Action>, ParamError> {
    values
        .iter()
        .map(|v| {
            v.parse::<Action>().map_err(|_| {
                ParamError::new(
                    name,
                    format!("{v:?} is not an action: ADD, OBSERVE or DELETE"),
                )
            })
        })
        .collect()
}

/// CBV terms (any spelling) become the bare word; other values must be URIs.
fn vocabulary(
    name: &str,
    values: &[String],
    vocabulary: &lotrace_epcis::cbv::Vocabulary,
) -> Result<Vec<String>, ParamError> {
    values
        .iter()
        .map(|v| {
            vocabulary.check(v).map_err(|e| ParamError::new(name, e))?;
            Ok(normalize(vocabulary, v))
        })
        .collect()
}

/// The bare CBV word of a term, the value itself otherwise.
pub fn normalize(vocabulary: &lotrace_epcis::cbv::Vocabulary, value: &str) -> String {
    vocabulary.bare(value).unwrap_or(value).to_owned()
}

fn uris(name: &str, values: &[String]) -> Result<Vec<String>, ParamError> {
    for v in values {
        if !lotrace_epcis::is_uri(v) {
            return Err(ParamError::new(name, format!("{v:?} is not a URI")));
        }
    }
    Ok(values.to_vec())
}

/// Identifiers in canonical form; a GS1 identifier that does not parse is an error.
fn identifiers(name: &str, values: &[String]) -> Result<Vec<String>, ParamError> {
    uris(name, values)?;
    values
        .iter()
        .map(|v| canonical(v).map_err(|e| ParamError::new(name, e)))
        .collect()
}

fn typed(
    name: &str,
    kind: &str,
    values: &[String],
    vocabulary: &lotrace_epcis::cbv::Vocabulary,
) -> Result<TypedIds, ParamError> {
    if kind.is_empty() {
        return Err(ParamError::new(
            name,
            "names no type: write the type after the underscore (EQ_bizTransaction_po)",
        ));
    }
    vocabulary
        .check(kind)
        .map_err(|e| ParamError::new(name, e))?;
    Ok(TypedIds {
        kind: normalize(vocabulary, kind),
        ids: identifiers(name, values)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawParams {
        from_pairs(
            pairs
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned())),
        )
    }

    #[test]
    fn pipes_and_repeats_are_lists() {
        let q = parse(&raw(&[
            ("EQ_bizStep", "shipping|urn:epcglobal:cbv:bizstep:receiving"),
            ("EQ_action", "ADD"),
        ]))
        .unwrap();
        assert_eq!(
            q.biz_steps,
            Some(vec!["shipping".to_owned(), "receiving".to_owned()])
        );
        let q = parse(&raw(&[
            ("eventType", "ObjectEvent"),
            ("eventType", "AggregationEvent"),
        ]))
        .unwrap();
        assert_eq!(q.event_types.unwrap().len(), 2);
    }

    #[test]
    fn errors_name_the_parameter() {
        for (name, value) in [
            ("GE_eventTime", "yesterday"),
            ("EQ_action", "MOVE"),
            ("EQ_bizStep", "shipingg"),
            ("GT_quantity", "many"),
            ("eventCountLimit", "-1"),
            ("orderBy", "quantity"),
            ("orderDirection", "UP"),
            ("EXISTS_errorDeclaration", "maybe"),
            ("MATCH_epc", "urn:epc:idpat:sgtin:0614141.*.5"),
            ("EQ_readPoint", "not a uri"),
            ("EQ_bizTransaction_", "urn:x:1"),
            ("perPage", "0"),
            ("perPage", "1001"),
            ("EQ_nonsense", "x"),
            ("EQ_type", "x"),
        ] {
            let e = parse(&raw(&[(name, value)])).unwrap_err();
            assert_eq!(e.parameter, name, "{e}");
        }
        let e = parse(&raw(&[("eventCountLimit", "1"), ("maxEventCount", "1")])).unwrap_err();
        assert_eq!(e.parameter, "maxEventCount");
        let e = parse(&raw(&[("", "shipping")])).unwrap_err();
        assert_eq!(e.parameter, "(query string)", "{e}");
    }

    #[test]
    fn json_definitions_parse_like_urls() {
        let json = serde_json::json!({"EQ_bizStep": ["shipping"], "eventCountLimit": 3, "EXISTS_errorDeclaration": true});
        let q = parse(&from_json(&json).unwrap()).unwrap();
        assert_eq!(q.event_count_limit, Some(3));
        assert!(q.exists_error_declaration);
        assert!(from_json(&serde_json::json!({"EQ_bizStep": [{"x": 1}]})).is_err());
    }
}
