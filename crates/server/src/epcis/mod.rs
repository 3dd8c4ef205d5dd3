//! The EPCIS 2.0 REST binding: capture (JSON-LD and XML, rollback or proceed) and capture
//! jobs (`capture`), event queries with paging and content negotiation (`params` parses,
//! `matcher` decides, `query` runs them through the store's indexes), the resource
//! endpoints (`resources`), named queries (`named`) and webhook subscriptions
//! (`subscriptions`), WebSocket subscriptions (`websocket`), and EPCIS documents of traces
//! and recalls (`export`).

mod capture;
pub(crate) use capture::parse_upload;
pub mod export;
pub mod matcher;
mod named;
pub mod params;
pub mod query;
mod resources;
pub mod subscriptions;
pub mod websocket;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lotrace_epcis::Event;
use serde_json::{Value, json};

use crate::AppState;
use crate::problem::Problem;

/// The `@context` of every document this server writes.
pub const EPCIS_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

pub fn routes() -> Router<AppState> {
    capture::routes()
        .merge(resources::routes())
        .merge(named::routes())
        .merge(subscriptions::routes())
        .merge(export::routes())
}

/// An `EPCISQueryDocument` holding `events`, as the REST binding answers event queries.
pub fn query_document(events: &[Event]) -> Value {
    query_document_named(events, "SimpleEventQuery", None)
}

pub fn query_document_named(
    events: &[Event],
    query_name: &str,
    subscription_id: Option<&str>,
) -> Value {
    let mut results = json!({
        "queryName": query_name,
        "resultsBody": { "eventList": events }
    });
    if let Some(id) = subscription_id {
        results["subscriptionID"] = json!(id);
    }
    json!({
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": jiff::Timestamp::now().to_string(),
        "epcisBody": { "queryResults": results }
    })
}

/// The same answer as an EPCIS 2.0 XML `EPCISQueryDocument` (the XML writer's event list,
/// inside `QueryResults`).
pub fn query_xml_document(events: &[Event], query_name: &str) -> String {
    let doc = lotrace_epcis::to_xml_document(events);
    let (Some(open), Some(close)) = (doc.find("<EventList"), doc.rfind("</EventList>")) else {
        // An empty list may be written as one empty element.
        return doc
            .replacen(
                "<epcis:EPCISDocument",
                "<epcisq:EPCISQueryDocument xmlns:epcisq=\"urn:epcglobal:epcis-query:xsd:2\"",
                1,
            )
            .replacen("</epcis:EPCISDocument>", "</epcisq:EPCISQueryDocument>", 1);
    };
    let close = close + "</EventList>".len();
    let head = doc[..open].replacen(
        "<epcis:EPCISDocument",
        "<epcisq:EPCISQueryDocument xmlns:epcisq=\"urn:epcglobal:epcis-query:xsd:2\"",
        1,
    );
    let tail = doc[close..].replacen("</epcis:EPCISDocument>", "</epcisq:EPCISQueryDocument>", 1);
    let name = query_name
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "{head}<epcisq:QueryResults><queryName>{name}</queryName><resultsBody>{}</resultsBody></epcisq:QueryResults>{tail}",
        &doc[open..close]
    )
}

/// Whether the client asked for XML (`Accept: application/xml` or `text/xml`, preferred to
/// JSON when both are named).
pub fn wants_xml(headers: &HeaderMap) -> bool {
    let accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",")
        .to_ascii_lowercase();
    let position = |needle: &str| accept.find(needle);
    let xml = [position("application/xml"), position("text/xml")]
        .into_iter()
        .flatten()
        .min();
    let json = [
        position("application/json"),
        position("application/ld+json"),
    ]
    .into_iter()
    .flatten()
    .min();
    match (xml, json) {
        (Some(x), Some(j)) => x < j,
        (Some(_), None) => true,
        _ => false,
    }
}

/// An event query's answer in the format asked for, with the `Link` to the next page.
pub fn answer(
    headers: &HeaderMap,
    events: &[Event],
    query_name: &str,
    next: Option<String>,
) -> Response {
    let mut response = if wants_xml(headers) {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/xml")],
            query_xml_document(events, query_name),
        )
            .into_response()
    } else {
        let body = query_document_named(events, query_name, None);
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/ld+json")],
            body.to_string(),
        )
            .into_response()
    };
    let headers = response.headers_mut();
    headers.insert("GS1-EPCIS-Version", HeaderValue::from_static("2.0.0"));
    headers.insert("GS1-CBV-Version", HeaderValue::from_static("2.0.0"));
    if let Some(link) = next.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LINK, link);
    }
    response
}

/// A `QueryParameterException` naming the parameter.
pub fn query_parameter(parameter: &str, detail: impl Into<String>) -> Problem {
    let detail = detail.into();
    let mut problem = Problem::new(
        StatusCode::BAD_REQUEST,
        "epcisException:QueryParameterException",
        format!("query parameter {parameter}: {detail}"),
    );
    problem.errors = vec![json!({ "parameter": parameter, "message": detail })];
    problem
}

impl From<params::ParamError> for Problem {
    fn from(e: params::ParamError) -> Problem {
        query_parameter(&e.parameter, e.message)
    }
}

/// `<path?query&nextPageToken=…>; rel="next"`: the query as sent, with the new token.
pub fn next_link(path: &str, query: Option<&str>, token: &str) -> String {
    let mut pairs: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("nextPageToken="))
        .collect();
    let token_pair = format!("nextPageToken={token}");
    pairs.push(&token_pair);
    format!("<{path}?{}>; rel=\"next\"", pairs.join("&"))
}
