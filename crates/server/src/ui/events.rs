//! The event list: every stored event, newest first, filtered by type, business step,
//! identifier and date, paged by a cursor (the same keyset paging as the EPCIS query).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use lotrace_epcis::Role;
use lotrace_store::{EventQuery, IdentifierCondition, SortKey};
use serde::Deserialize;

use super::{Layout, explain, lot_label, render};
use crate::AppState;

/// Events one page shows.
const PAGE_EVENTS: u32 = 50;
/// Longest filter value accepted.
const MAX_FILTER_CHARS: usize = 500;
const EVENT_TYPES: &[&str] = &[
    "ObjectEvent",
    "AggregationEvent",
    "TransformationEvent",
    "TransactionEvent",
    "AssociationEvent",
];

#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default, rename = "type")]
    event_type: String,
    #[serde(default)]
    biz_step: String,
    /// Any identifier the event names, in any accepted form.
    #[serde(default)]
    id: String,
    /// Inclusive, a date.
    #[serde(default)]
    from: String,
    /// Inclusive, a date.
    #[serde(default)]
    to: String,
    /// The cursor: `EVENT_TIME_US.SEQ` of the last event of the previous page.
    #[serde(default)]
    after: String,
}

pub struct EventLine {
    pub time: String,
    pub what: String,
    pub names: Vec<(String, String)>,
    pub place: String,
    pub event_id: String,
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    layout: Layout,
    types: &'static [&'static str],
    event_type: String,
    biz_step: String,
    id: String,
    from: String,
    to: String,
    events: Vec<EventLine>,
    /// The query string of the next page, if there is one.
    next: Option<String>,
    first_page: bool,
}

fn cut(text: &str) -> String {
    text.trim().chars().take(MAX_FILTER_CHARS).collect()
}

fn day_start_us(field: &str, text: &str, days_later: i64) -> Result<Option<i64>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let date: Date = text
        .parse()
        .map_err(|_| format!("{field}: {text:?} is not a date (YYYY-MM-DD)"))?;
    let day = date
        .checked_add(jiff::Span::new().days(days_later))
        .map_err(|_| format!("{field}: {text:?} is out of range"))?;
    let instant = day
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|_| format!("{field}: {text:?} is out of range"))?
        .timestamp();
    Ok(Some(instant.as_microsecond()))
}

fn query_of(filters: &Filters) -> Result<EventQuery, String> {
    let mut query = EventQuery {
        order: SortKey::EventTime,
        descending: true,
        limit: PAGE_EVENTS + 1,
        ..EventQuery::default()
    };
    if !filters.event_type.is_empty() {
        if !EVENT_TYPES.contains(&filters.event_type.as_str()) {
            return Err(format!(
                "type: {:?} is not an EPCIS event type",
                filters.event_type
            ));
        }
        query.event_types = Some(vec![filters.event_type.clone()]);
    }
    if !filters.biz_step.is_empty() {
        // Stored as the bare CBV word, or the URI for a step of one's own.
        let step = filters
            .biz_step
            .strip_prefix("https://ref.gs1.org/cbv/BizStep-")
            .or_else(|| filters.biz_step.strip_prefix("urn:epcglobal:cbv:bizstep:"))
            .unwrap_or(&filters.biz_step);
        query.biz_steps = Some(vec![step.to_owned()]);
    }
    if !filters.id.is_empty() {
        let canonical = lotrace_trace::canonical(&filters.id).into_owned();
        query.identifiers.push(IdentifierCondition {
            roles: Role::ALL.to_vec(),
            exact: vec![canonical],
            prefixes: Vec::new(),
        });
    }
    let from = day_start_us("from", &filters.from, 0)?;
    let until = day_start_us("to", &filters.to, 1)?;
    query.event_time = (from, until);
    if !filters.after.is_empty() {
        let parsed = filters
            .after
            .split_once('.')
            .and_then(|(k, s)| Some((k.parse::<i64>().ok()?, s.parse::<i64>().ok()?)));
        query.after = Some(parsed.ok_or("after: not a page cursor")?);
    }
    Ok(query)
}

pub async fn list(State(state): State<AppState>, Query(raw): Query<Filters>) -> Response {
    let filters = Filters {
        event_type: cut(&raw.event_type),
        biz_step: cut(&raw.biz_step),
        id: cut(&raw.id),
        from: cut(&raw.from),
        to: cut(&raw.to),
        after: cut(&raw.after),
    };
    let mut layout = Layout::new("/events");
    let mut events = Vec::new();
    let mut next = None;
    let mut status = StatusCode::OK;
    match query_of(&filters) {
        Err(message) => {
            layout = layout.error(message);
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok(query) => match state.app.store().query_events(&query).await {
            Err(e) => {
                layout = layout.error(explain(&e.into()).0);
                status = StatusCode::INTERNAL_SERVER_ERROR;
            }
            Ok(mut rows) => {
                let catalog = state.app.catalog().await;
                if rows.len() > PAGE_EVENTS as usize {
                    rows.truncate(PAGE_EVENTS as usize);
                    let last = rows.last().expect("more rows than a page");
                    next = Some(format!(
                        "type={}&biz_step={}&id={}&from={}&to={}&after={}.{}",
                        super::encode(&filters.event_type),
                        super::encode(&filters.biz_step),
                        super::encode(&filters.id),
                        super::encode(&filters.from),
                        super::encode(&filters.to),
                        last.key,
                        last.stored.seq
                    ));
                }
                events = rows
                    .iter()
                    .map(|row| line(&catalog, &row.stored.event))
                    .collect();
            }
        },
    }
    render(
        &EventsPage {
            layout,
            types: EVENT_TYPES,
            first_page: filters.after.is_empty(),
            event_type: filters.event_type,
            biz_step: filters.biz_step,
            id: filters.id,
            from: filters.from,
            to: filters.to,
            events,
            next,
        },
        status,
    )
}

fn line(catalog: &lotrace_core::catalog::Catalog, event: &lotrace_epcis::Event) -> EventLine {
    let step = event
        .biz_step
        .as_deref()
        .map(|s| s.rsplit(['/', ':', '-']).next().unwrap_or(s))
        .unwrap_or("event");
    let action = event
        .action
        .as_ref()
        .map(|a| format!(" {a:?}").to_uppercase())
        .unwrap_or_default();
    let mut names = Vec::new();
    let mut place = String::new();
    for identifier in event.identifiers() {
        match identifier.role {
            Role::BizLocation => {
                place = catalog
                    .location_by_uri(&identifier.id)
                    .map(|l| l.name.clone())
                    .unwrap_or_else(|| identifier.id.clone());
            }
            Role::ReadPoint | Role::Source | Role::Destination | Role::BizTransaction => {}
            _ if names.len() < 4 => {
                names.push((identifier.id.clone(), lot_label(catalog, &identifier.id)));
            }
            _ => {}
        }
    }
    EventLine {
        time: event
            .event_time
            .instant
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        what: format!("{:?}{action} {step}", event.event_type),
        names,
        place,
        event_id: event.event_id.clone().unwrap_or_default(),
    }
}
