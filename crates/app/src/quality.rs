//! Quality analytics: holds placed and released, inspections and their failures, recalls and
//! drills started, counted by supplier, product, production line or period over a range of
//! site-local dates.
//!
//! What counts, and how:
//! - A hold placed is an ObjectEvent with bizStep `holding` and a hold disposition
//!   (`non_sellable_other`, `non_conformant`, `damaged`, `recalled`): the hold operation and
//!   a recall's hold both write one. A release is bizStep `inspecting` with a releasing
//!   disposition and no inspection result (the release operation).
//! - An inspection is bizStep `inspecting` with a result: the `lotrace:inspection` result the
//!   inspect operation writes, else the disposition (`conformant` passed,
//!   `non_conformant` failed) for inspections captured from elsewhere.
//! - Events count per lot they name: a hold of three lots is three holds. Retracted events
//!   (an error declaration with the same eventID) are left out.
//! - A recall or drill counts once in each group its origin lots fall in (a recall of lots
//!   from two suppliers is a recall of each), and once in the total. Its affected lots are
//!   the recall's impact as of now (origins, siblings when widened, everything downstream).
//! - A lot's supplier is the party it was received from; a lot made here has none. Its line
//!   is the `line` given at production, else the location it was produced at.
//!
//! The grouping (`tally`) and the reading of events (`classify`) are pure; `App::quality`
//! reads the events, the recall journal and the views.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use lotrace_core::DomainError;
use lotrace_core::catalog::Catalog;
use lotrace_core::inventory::{Flow, LotState, cbv_word};
use lotrace_epcis::{Event, EventType, TzOffset};
use lotrace_report::{Cell, Column, Table};
use lotrace_store::EventFilter;
use serde::Serialize;
use serde_json::Value;

use crate::{App, Result};

/// The longest range one answer covers, in days (a year, leap day included).
pub const MAX_RANGE_DAYS: i64 = 366;
/// The most groups one answer lists (a year by day fits).
pub const MAX_GROUPS: usize = 400;
/// The most hold and inspection events one answer reads.
pub const MAX_QUALITY_EVENTS: usize = 200_000;
/// The days a range covers when the request gives no `from`.
pub const DEFAULT_RANGE_DAYS: i64 = 30;
/// Events read per trip to the store.
const PAGE_EVENTS: u32 = lotrace_store::MAX_MATCHING_EVENTS;

/// What the counts are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Supplier,
    Product,
    Line,
    Period,
}

impl GroupBy {
    pub const ALL: [GroupBy; 4] = [
        GroupBy::Supplier,
        GroupBy::Product,
        GroupBy::Line,
        GroupBy::Period,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Supplier => "supplier",
            GroupBy::Product => "product",
            GroupBy::Line => "line",
            GroupBy::Period => "period",
        }
    }

    pub fn parse(text: &str) -> std::result::Result<GroupBy, DomainError> {
        GroupBy::ALL
            .into_iter()
            .find(|g| g.as_str() == text)
            .ok_or_else(|| {
                DomainError::field(
                    "by",
                    format!("{text:?}: expected supplier, product, line or period"),
                )
            })
    }
}

/// The bucket of a period grouping, in the site's offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    /// ISO weeks, Monday to Sunday, named `2026-W49`.
    Week,
    Month,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Day, Period::Week, Period::Month];

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    pub fn parse(text: &str) -> std::result::Result<Period, DomainError> {
        Period::ALL
            .into_iter()
            .find(|p| p.as_str() == text)
            .ok_or_else(|| {
                DomainError::field("period", format!("{text:?}: expected day, week or month"))
            })
    }

    /// The bucket a site-local date falls in.
    pub fn bucket(self, date: Date) -> String {
        match self {
            Period::Day => date.to_string(),
            Period::Week => {
                let w = date.iso_week_date();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
            Period::Month => format!("{:04}-{:02}", date.year(), date.month()),
        }
    }
}

/// What an analytics request asks: dates inclusive, site-local; absent: the last
/// [`DEFAULT_RANGE_DAYS`] days up to today.
#[derive(Clone, Debug)]
pub struct QualityRequest {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub by: GroupBy,
    pub period: Period,
}

impl Default for QualityRequest {
    fn default() -> Self {
        QualityRequest {
            from: None,
            to: None,
            by: GroupBy::Period,
            period: Period::Day,
        }
    }
}

/// A checked request: the range resolved.
#[derive(Clone, Copy, Debug)]
pub struct QualityQuery {
    pub from: Date,
    pub to: Date,
    pub by: GroupBy,
    pub period: Period,
    pub offset: TzOffset,
}

impl QualityQuery {
    /// Fills the range's defaults from `today` and checks its limits.
    pub fn new(
        request: &QualityRequest,
        today: Date,
        offset: TzOffset,
    ) -> std::result::Result<QualityQuery, DomainError> {
        let to = request.to.unwrap_or(today);
        let from = match request.from {
            Some(f) => f,
            None => to
                .checked_sub(jiff::Span::new().days(DEFAULT_RANGE_DAYS - 1))
                .map_err(|_| DomainError::field("to", "is too early a date"))?,
        };
        if from > to {
            return Err(DomainError::field(
                "from",
                format!("{from} is after to ({to})"),
            ));
        }
        let days = i64::from((to - from).get_days()) + 1;
        if days > MAX_RANGE_DAYS {
            return Err(DomainError::field(
                "to",
                format!("the range {from} to {to} is {days} days; at most {MAX_RANGE_DAYS}"),
            ));
        }
        Ok(QualityQuery {
            from,
            to,
            by: request.by,
            period: request.period,
            offset,
        })
    }

    fn jiff_offset(&self) -> jiff::tz::Offset {
        jiff::tz::Offset::from_seconds(i32::from(self.offset.minutes) * 60)
            .unwrap_or(jiff::tz::Offset::UTC)
    }

    /// The instants the range covers: from `from` at 00:00 to the day after `to` at 00:00,
    /// site time.
    pub fn window(&self) -> (Timestamp, Timestamp) {
        let offset = self.jiff_offset();
        let at = |d: Date| {
            offset
                .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                .unwrap_or(Timestamp::MAX)
        };
        let end = self.to.tomorrow().map_or(Timestamp::MAX, at);
        (at(self.from), end)
    }

    /// The site-local date of an instant.
    pub fn local_date(&self, t: Timestamp) -> Date {
        self.jiff_offset().to_datetime(t).date()
    }
}

/// What happened, as the analytics count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    HoldPlaced,
    HoldReleased,
    InspectionPassed,
    InspectionFailed,
    Recall,
    Drill,
}

/// One thing that happened: when, what, to which lots (canonical ids: an event's lots, a
/// recall's origins) and, for a recall, every lot it affects.
#[derive(Clone, Debug)]
pub struct Happening {
    pub at: Timestamp,
    pub kind: Kind,
    pub lots: Vec<String>,
    pub affected: Vec<String>,
}

/// The groups a lot falls in (codes); None: it has none (a lot made here has no supplier).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LotKeys {
    pub supplier: Option<String>,
    pub product: Option<String>,
    pub line: Option<String>,
}

/// The counts of one group.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QualityRow {
    /// The code (supplier, product, line) or the period (`2026-12-01`, `2026-W49`,
    /// `2026-12`); empty for the lots that have none.
    pub group: String,
    /// What a person reads: `Green Valley (FARM)`, `(no supplier)`, the period.
    pub label: String,
    pub holds_placed: u32,
    pub holds_released: u32,
    pub inspections: u32,
    pub inspections_failed: u32,
    /// Failed over all inspections, in percent to one decimal; None without inspections.
    pub failure_rate_percent: Option<f64>,
    pub recalls: u32,
    pub drills: u32,
    /// Distinct lots the group's recalls affect.
    pub recall_lots: u32,
}

impl QualityRow {
    fn finish(&mut self) {
        self.failure_rate_percent = (self.inspections > 0).then(|| {
            (f64::from(self.inspections_failed) * 1_000.0 / f64::from(self.inspections)).round()
                / 10.0
        });
    }

    /// Holds placed, failed inspections and recalls: what the chart draws.
    pub fn problems(&self) -> u64 {
        u64::from(self.holds_placed) + u64::from(self.inspections_failed) + u64::from(self.recalls)
    }
}

/// The analytics of one request.
#[derive(Clone, Debug, Serialize)]
pub struct QualityReport {
    pub from: Date,
    pub to: Date,
    pub by: GroupBy,
    pub period: Period,
    /// The site's offset the dates and periods are in (`+02:00`).
    pub utc_offset: String,
    /// In group order: periods in time order, other groups by code, the lots without a
    /// group last. A period grouping lists every period of the range, empty ones too.
    pub rows: Vec<QualityRow>,
    /// Every happening once (a recall in two groups is one recall here).
    pub total: QualityRow,
}

const NO_GROUP: &str = "";

/// Counts the happenings inside the query's range into groups. `keys` tells a lot's groups,
/// `catalog` the names of suppliers and products.
pub fn tally(
    query: &QualityQuery,
    happenings: &[Happening],
    keys: &dyn Fn(&str) -> LotKeys,
    catalog: &Catalog,
) -> std::result::Result<QualityReport, DomainError> {
    let (start, end) = query.window();
    let mut rows: BTreeMap<String, QualityRow> = BTreeMap::new();
    let mut recall_lots: HashMap<String, HashSet<&str>> = HashMap::new();
    let mut total = QualityRow::default();
    let mut total_lots: HashSet<&str> = HashSet::new();
    if query.by == GroupBy::Period {
        let mut day = query.from;
        while day <= query.to {
            rows.entry(query.period.bucket(day)).or_default();
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
    }
    let group_of = |lot: &str, at: Timestamp| -> String {
        match query.by {
            GroupBy::Period => query.period.bucket(query.local_date(at)),
            GroupBy::Supplier => keys(lot).supplier.unwrap_or_default(),
            GroupBy::Product => keys(lot).product.unwrap_or_default(),
            GroupBy::Line => keys(lot).line.unwrap_or_default(),
        }
    };
    for h in happenings.iter().filter(|h| h.at >= start && h.at < end) {
        match h.kind {
            Kind::Recall | Kind::Drill => {
                let mut groups: BTreeSet<String> =
                    h.lots.iter().map(|lot| group_of(lot, h.at)).collect();
                if groups.is_empty() {
                    groups.insert(group_of("", h.at));
                }
                let recall = h.kind == Kind::Recall;
                for g in groups {
                    let row = rows.entry(g.clone()).or_default();
                    if recall {
                        row.recalls += 1;
                        recall_lots
                            .entry(g)
                            .or_default()
                            .extend(h.affected.iter().map(String::as_str));
                    } else {
                        row.drills += 1;
                    }
                }
                if recall {
                    total.recalls += 1;
                    total_lots.extend(h.affected.iter().map(String::as_str));
                } else {
                    total.drills += 1;
                }
            }
            kind => {
                for lot in &h.lots {
                    let row = rows.entry(group_of(lot, h.at)).or_default();
                    for r in [&mut *row, &mut total] {
                        match kind {
                            Kind::HoldPlaced => r.holds_placed += 1,
                            Kind::HoldReleased => r.holds_released += 1,
                            Kind::InspectionPassed => r.inspections += 1,
                            Kind::InspectionFailed => {
                                r.inspections += 1;
                                r.inspections_failed += 1;
                            }
                            Kind::Recall | Kind::Drill => {}
                        }
                    }
                }
            }
        }
        if rows.len() > MAX_GROUPS {
            return Err(DomainError::field(
                "by",
                format!(
                    "more than {MAX_GROUPS} {}s in {} to {}; narrow the range",
                    query.by.as_str(),
                    query.from,
                    query.to
                ),
            ));
        }
    }
    total.recall_lots = total_lots.len() as u32;
    total.group = "total".into();
    total.label = "Total".into();
    total.finish();
    let mut out: Vec<QualityRow> = rows
        .into_iter()
        .map(|(group, mut row)| {
            row.recall_lots = recall_lots.get(&group).map_or(0, |s| s.len() as u32);
            row.label = label(query.by, &group, catalog);
            row.group = group;
            row.finish();
            row
        })
        .collect();
    // The lots without a group go last (the empty key sorts first).
    if out.first().is_some_and(|r| r.group == NO_GROUP) && query.by != GroupBy::Period {
        let none = out.remove(0);
        out.push(none);
    }
    Ok(QualityReport {
        from: query.from,
        to: query.to,
        by: query.by,
        period: query.period,
        utc_offset: query.offset.to_string(),
        rows: out,
        total,
    })
}

fn label(by: GroupBy, group: &str, catalog: &Catalog) -> String {
    if group == NO_GROUP {
        return match by {
            GroupBy::Supplier => "(no supplier: made here)",
            GroupBy::Product => "(unknown product)",
            GroupBy::Line => "(not produced here)",
            GroupBy::Period => "",
        }
        .to_owned();
    }
    let name = match by {
        GroupBy::Supplier => catalog.parties.get(group).map(|p| p.name.as_str()),
        GroupBy::Product => catalog.products.get(group).map(|p| p.name.as_str()),
        GroupBy::Line | GroupBy::Period => None,
    };
    match name {
        Some(n) if n != group => format!("{n} ({group})"),
        _ => group.to_owned(),
    }
}

/// What an event is to the analytics, if anything (an error declaration is nothing: the
/// caller leaves out the event it retracts).
pub fn classify(event: &Event) -> Option<Kind> {
    if event.event_type != EventType::ObjectEvent || event.error_declaration.is_some() {
        return None;
    }
    let disposition = cbv_word(event.disposition.as_deref());
    match cbv_word(event.biz_step.as_deref())? {
        "holding" => matches!(
            disposition,
            Some("non_sellable_other" | "non_conformant" | "damaged" | "recalled")
        )
        .then_some(Kind::HoldPlaced),
        "inspecting" => {
            let result = event
                .extensions
                .get("lotrace:inspection")
                .and_then(|i| i.get("lotrace:result"))
                .and_then(Value::as_str);
            match (result, disposition) {
                (Some("pass"), _) => Some(Kind::InspectionPassed),
                (Some("fail"), _) => Some(Kind::InspectionFailed),
                (_, Some("conformant")) => Some(Kind::InspectionPassed),
                (_, Some("non_conformant")) => Some(Kind::InspectionFailed),
                (_, Some("sellable_accessible" | "active" | "available")) => {
                    Some(Kind::HoldReleased)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The identifiers an object event lists (instances and classes), canonical.
fn listed(event: &Event) -> Vec<String> {
    let mut ids: Vec<String> = event
        .epc_list
        .iter()
        .flatten()
        .map(|e| lotrace_trace::canonical(e).into_owned())
        .chain(
            event
                .quantity_list
                .iter()
                .flatten()
                .map(|q| lotrace_trace::canonical(&q.epc_class).into_owned()),
        )
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// A lot's groups from its state and the catalog.
pub fn lot_keys(catalog: &Catalog, id: &str, state: Option<&LotState>) -> LotKeys {
    let text = |key: &str| {
        state
            .and_then(|s| s.attributes.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let supplier = text("lotrace:supplier").or_else(|| {
        let party = state?
            .ledger
            .iter()
            .find(|e| e.flow == Flow::Received)?
            .party
            .clone()?;
        Some(
            catalog
                .parties
                .values()
                .find(|p| lotrace_trace::canonical(&p.uri()) == party)
                .map_or(party, |p| p.code.clone()),
        )
    });
    let line = text("lotrace:line").or_else(|| {
        let at = state?
            .ledger
            .iter()
            .find(|e| e.flow == Flow::Produced)?
            .location
            .clone()?;
        Some(catalog.location_by_uri(&at).map_or(at, |l| l.code.clone()))
    });
    LotKeys {
        supplier,
        product: catalog.product_of_lot(id).map(|p| p.code.clone()),
        line,
    }
}

impl QualityReport {
    /// The rows and the total as one table (the CSV).
    pub fn table(&self) -> Table {
        let mut table = Table::new(
            "Quality",
            vec![
                Column::text(match self.by {
                    GroupBy::Supplier => "Supplier",
                    GroupBy::Product => "Product",
                    GroupBy::Line => "Line",
                    GroupBy::Period => "Period",
                }),
                Column::text("Name"),
                Column::number("Holds placed"),
                Column::number("Holds released"),
                Column::number("Inspections"),
                Column::number("Failed inspections"),
                Column::number("Failure rate (%)"),
                Column::number("Recalls"),
                Column::number("Drills"),
                Column::number("Recall lots"),
            ],
        );
        for r in self.rows.iter().chain([&self.total]) {
            table.rows.push(vec![
                Cell::Text(r.group.clone()),
                Cell::Text(r.label.clone()),
                Cell::Number(f64::from(r.holds_placed)),
                Cell::Number(f64::from(r.holds_released)),
                Cell::Number(f64::from(r.inspections)),
                Cell::Number(f64::from(r.inspections_failed)),
                r.failure_rate_percent.map_or(Cell::Empty, Cell::Number),
                Cell::Number(f64::from(r.recalls)),
                Cell::Number(f64::from(r.drills)),
                Cell::Number(f64::from(r.recall_lots)),
            ]);
        }
        table
    }
}

impl App {
    /// Holds, inspections, recalls and drills in the range asked for, grouped.
    pub async fn quality(&self, request: &QualityRequest) -> Result<QualityReport> {
        let today = self.config.offset_date(Timestamp::now());
        let query = QualityQuery::new(request, today, self.config.offset)?;
        let (start, end) = query.window();
        let mut happenings = Vec::new();
        let mut read = 0usize;
        for step in ["holding", "inspecting"] {
            self.quality_events(step, start, end, &mut read, &mut happenings)
                .await?;
        }
        let recalls: Vec<(Timestamp, Vec<String>, bool)> = self
            .recalls()
            .await?
            .into_iter()
            .filter(|r| r.opened_at >= start && r.opened_at < end)
            .map(|r| (r.opened_at, r.origins, r.widen_to_siblings))
            .collect();
        let drills: Vec<(Timestamp, Value)> = self
            .drills()
            .await?
            .into_iter()
            .filter(|d| d.run_at >= start && d.run_at < end)
            .map(|d| (d.run_at, d.scope))
            .collect();

        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        let rv = lotrace_recall::Views {
            catalog: &views.catalog,
            inventory: &views.inventory,
            trace: &views.trace,
            today,
        };
        for (at, origins, widen) in recalls {
            // The impact as of now; a recall whose origins left the trace keeps its origins.
            let affected = lotrace_recall::impact(&rv, &origins, widen)
                .map(|i| i.lots.into_iter().map(|l| l.id).collect())
                .unwrap_or_else(|_| origins.clone());
            happenings.push(Happening {
                at,
                kind: Kind::Recall,
                lots: origins,
                affected,
            });
        }
        for (at, scope) in drills {
            let lots = serde_json::from_value::<lotrace_recall::Scope>(scope)
                .ok()
                .and_then(|s| lotrace_recall::resolve(&s, &rv).ok())
                .unwrap_or_default();
            happenings.push(Happening {
                at,
                kind: Kind::Drill,
                lots,
                affected: Vec::new(),
            });
        }
        // A hold of a container holds what is in it (as of now: the log keeps no history of
        // contents the inventory could answer from).
        for h in &mut happenings {
            if h.lots
                .iter()
                .any(|l| views.inventory.container(l).is_some())
            {
                let mut lots = Vec::new();
                for l in h.lots.drain(..) {
                    match views.inventory.container(&l) {
                        Some(_) => lots.extend(views.inventory.container_contents(&l).into_keys()),
                        None => lots.push(l),
                    }
                }
                lots.sort();
                lots.dedup();
                h.lots = lots;
            }
        }
        let mut cache: HashMap<String, LotKeys> = HashMap::new();
        if query.by != GroupBy::Period {
            for lot in happenings.iter().flat_map(|h| &h.lots) {
                if !cache.contains_key(lot) {
                    let keys = lot_keys(&views.catalog, lot, views.inventory.lot(lot));
                    cache.insert(lot.clone(), keys);
                }
            }
        }
        let keys = |lot: &str| cache.get(lot).cloned().unwrap_or_default();
        Ok(tally(&query, &happenings, &keys, &views.catalog)?)
    }

    /// The analytics' events of one business step in the window, retracted ones left out,
    /// read in pages; at most [`MAX_QUALITY_EVENTS`] over all steps.
    async fn quality_events(
        &self,
        step: &str,
        start: Timestamp,
        end: Timestamp,
        read: &mut usize,
        out: &mut Vec<Happening>,
    ) -> Result<()> {
        let mut cursor = start;
        // The log positions already read at the cursor's instant (pages overlap there).
        let mut at_cursor: HashSet<i64> = HashSet::new();
        let mut events: Vec<Event> = Vec::new();
        loop {
            let page = self
                .store
                .events_matching(&EventFilter {
                    event_type: Some(EventType::ObjectEvent),
                    biz_step: Some(step.to_owned()),
                    from: Some(cursor),
                    until: Some(end),
                    limit: PAGE_EVENTS,
                })
                .await?;
            let full = page.len() >= PAGE_EVENTS as usize;
            let Some(last_time) = page.last().map(|s| s.event.event_time.instant) else {
                break;
            };
            if full && last_time == cursor && page.iter().all(|s| at_cursor.contains(&s.seq)) {
                return Err(DomainError::refused(
                    "too_many_events",
                    format!("more than {PAGE_EVENTS} {step} events at {cursor}"),
                )
                .into());
            }
            let mut next_at_cursor = HashSet::new();
            for stored in page {
                let t = stored.event.event_time.instant;
                if t == last_time {
                    next_at_cursor.insert(stored.seq);
                }
                if t == cursor && at_cursor.contains(&stored.seq) {
                    continue;
                }
                *read += 1;
                if *read > MAX_QUALITY_EVENTS {
                    return Err(DomainError::field(
                        "from",
                        format!(
                            "the range holds more than {MAX_QUALITY_EVENTS} hold and inspection events; narrow it"
                        ),
                    )
                    .into());
                }
                events.push(stored.event);
            }
            if !full {
                break;
            }
            if last_time != cursor {
                at_cursor.clear();
            }
            at_cursor.extend(next_at_cursor);
            cursor = last_time;
        }
        let retracted: HashSet<&str> = events
            .iter()
            .filter(|e| e.error_declaration.is_some())
            .filter_map(|e| e.event_id.as_deref())
            .collect();
        for e in &events {
            if e.event_id
                .as_deref()
                .is_some_and(|id| retracted.contains(id))
            {
                continue;
            }
            if let Some(kind) = classify(e) {
                out.push(Happening {
                    at: e.event_time.instant,
                    kind,
                    lots: listed(e),
                    affected: Vec::new(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(from: &str, to: &str, by: GroupBy, period: Period, minutes: i16) -> QualityQuery {
        let request = QualityRequest {
            from: Some(from.parse().unwrap()),
            to: Some(to.parse().unwrap()),
            by,
            period,
        };
        QualityQuery::new(
            &request,
            "2026-12-01".parse().unwrap(),
            TzOffset { minutes },
        )
        .unwrap()
    }

    fn at(t: &str) -> Timestamp {
        t.parse().unwrap()
    }

    fn event(step: &str, disposition: &str, extra: Value) -> Event {
        let mut e = json!({
            "type": "ObjectEvent",
            "eventID": "urn:uuid:0190c1a2-0000-7000-8000-000000000001",
            "eventTime": "2026-11-02T10:00:00Z",
            "eventTimeZoneOffset": "+00:00",
            "action": "OBSERVE",
            "bizStep": step,
            "disposition": disposition,
            "quantityList": [{ "epcClass": "https://id.gs1.org/01/00614141123452/10/L1" }],
        });
        for (k, v) in extra.as_object().unwrap() {
            e[k] = v.clone();
        }
        serde_json::from_value(e).unwrap()
    }

    #[test]
    fn events_are_read_by_step_disposition_and_result() {
        let hold = event("holding", "non_sellable_other", json!({}));
        assert_eq!(classify(&hold), Some(Kind::HoldPlaced));
        let urn = event(
            "urn:epcglobal:cbv:bizstep:holding",
            "urn:epcglobal:cbv:disp:recalled",
            json!({}),
        );
        assert_eq!(classify(&urn), Some(Kind::HoldPlaced));
        let release = event("inspecting", "sellable_accessible", json!({}));
        assert_eq!(classify(&release), Some(Kind::HoldReleased));
        // The operation's own result wins over the disposition.
        let failed = event(
            "inspecting",
            "conformant",
            json!({ "@context": [{ "lotrace": "https://lotrace.example/ns" }],
                    "lotrace:inspection": { "lotrace:result": "fail" } }),
        );
        assert_eq!(classify(&failed), Some(Kind::InspectionFailed));
        let passed = event("inspecting", "conformant", json!({}));
        assert_eq!(classify(&passed), Some(Kind::InspectionPassed));
        assert_eq!(
            classify(&event("inspecting", "non_conformant", json!({}))),
            Some(Kind::InspectionFailed)
        );
        assert_eq!(classify(&event("shipping", "in_transit", json!({}))), None);
        assert_eq!(classify(&event("holding", "in_progress", json!({}))), None);
    }

    fn happening(t: &str, kind: Kind, lots: &[&str], affected: &[&str]) -> Happening {
        Happening {
            at: at(t),
            kind,
            lots: lots.iter().map(|s| s.to_string()).collect(),
            affected: affected.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn keys(lot: &str) -> LotKeys {
        let (supplier, product, line) = match lot {
            "a1" => (Some("MILL"), Some("FLOUR"), None),
            "a2" => (Some("FARM"), Some("FLOUR"), None),
            "b1" => (None, Some("BREAD"), Some("L1")),
            _ => (None, None, None),
        };
        LotKeys {
            supplier: supplier.map(str::to_owned),
            product: product.map(str::to_owned),
            line: line.map(str::to_owned),
        }
    }

    fn sample() -> Vec<Happening> {
        vec![
            happening("2026-11-02T10:00:00Z", Kind::HoldPlaced, &["a1", "b1"], &[]),
            happening("2026-11-03T10:00:00Z", Kind::HoldReleased, &["a1"], &[]),
            happening("2026-11-03T11:00:00Z", Kind::InspectionFailed, &["a1"], &[]),
            happening("2026-11-03T12:00:00Z", Kind::InspectionPassed, &["a2"], &[]),
            happening("2026-11-03T13:00:00Z", Kind::InspectionPassed, &["a1"], &[]),
            // A recall of lots from two suppliers, reaching the bread.
            happening(
                "2026-11-04T09:00:00Z",
                Kind::Recall,
                &["a1", "a2"],
                &["a1", "a2", "b1"],
            ),
            happening("2026-11-04T10:00:00Z", Kind::Drill, &["a2"], &[]),
            // Outside the range: not counted.
            happening("2026-11-30T10:00:00Z", Kind::HoldPlaced, &["a1"], &[]),
        ]
    }

    fn row<'a>(report: &'a QualityReport, group: &str) -> &'a QualityRow {
        report.rows.iter().find(|r| r.group == group).unwrap()
    }

    #[test]
    fn counts_by_supplier_with_a_recall_in_each_of_its_groups() {
        let q = query(
            "2026-11-01",
            "2026-11-07",
            GroupBy::Supplier,
            Period::Day,
            0,
        );
        let report = tally(&q, &sample(), &keys, &Catalog::default()).unwrap();
        let groups: Vec<&str> = report.rows.iter().map(|r| r.group.as_str()).collect();
        assert_eq!(groups, ["FARM", "MILL", ""]);
        let mill = row(&report, "MILL");
        assert_eq!(
            (mill.holds_placed, mill.holds_released, mill.inspections),
            (1, 1, 2)
        );
        assert_eq!(mill.inspections_failed, 1);
        assert_eq!(mill.failure_rate_percent, Some(50.0));
        assert_eq!((mill.recalls, mill.drills, mill.recall_lots), (1, 0, 3));
        let farm = row(&report, "FARM");
        assert_eq!(
            (farm.inspections, farm.failure_rate_percent),
            (1, Some(0.0))
        );
        assert_eq!((farm.recalls, farm.drills), (1, 1));
        let none = row(&report, "");
        assert_eq!((none.holds_placed, none.failure_rate_percent), (1, None));
        assert_eq!(none.label, "(no supplier: made here)");
        // The total counts the recall once.
        let t = &report.total;
        assert_eq!(
            (t.holds_placed, t.inspections, t.inspections_failed),
            (2, 3, 1)
        );
        assert_eq!((t.recalls, t.drills, t.recall_lots), (1, 1, 3));
        assert_eq!(t.failure_rate_percent, Some(33.3));
    }

    #[test]
    fn periods_list_every_bucket_in_the_site_offset() {
        // 23:30 UTC on the 2nd is the 3rd at +02:00.
        let happenings = vec![
            happening("2026-11-02T23:30:00Z", Kind::HoldPlaced, &["a1"], &[]),
            happening("2026-11-02T21:30:00Z", Kind::HoldPlaced, &["a1"], &[]),
        ];
        let q = query(
            "2026-11-01",
            "2026-11-04",
            GroupBy::Period,
            Period::Day,
            120,
        );
        let report = tally(&q, &happenings, &keys, &Catalog::default()).unwrap();
        let got: Vec<(&str, u32)> = report
            .rows
            .iter()
            .map(|r| (r.group.as_str(), r.holds_placed))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-11-01", 0),
                ("2026-11-02", 1),
                ("2026-11-03", 1),
                ("2026-11-04", 0)
            ]
        );
        // 2026-11-01 is a Sunday: ISO week 44 ends there.
        let weeks = query("2026-11-01", "2026-11-09", GroupBy::Period, Period::Week, 0);
        let report = tally(&weeks, &[], &keys, &Catalog::default()).unwrap();
        let got: Vec<&str> = report.rows.iter().map(|r| r.group.as_str()).collect();
        assert_eq!(got, ["2026-W44", "2026-W45", "2026-W46"]);
        let months = query(
            "2025-12-20",
            "2026-02-01",
            GroupBy::Period,
            Period::Month,
            0,
        );
        let report = tally(&months, &[], &keys, &Catalog::default()).unwrap();
        let got: Vec<&str> = report.rows.iter().map(|r| r.group.as_str()).collect();
        assert_eq!(got, ["2025-12", "2026-01", "2026-02"]);
    }

    #[test]
    fn ranges_are_checked_and_defaulted() {
        let today: Date = "2026-12-01".parse().unwrap();
        let offset = TzOffset { minutes: 0 };
        let q = QualityQuery::new(&QualityRequest::default(), today, offset).unwrap();
        assert_eq!((q.from.to_string(), q.to), ("2026-11-02".to_owned(), today));
        let backwards = QualityRequest {
            from: Some("2026-12-02".parse().unwrap()),
            ..QualityRequest::default()
        };
        let e = QualityQuery::new(&backwards, today, offset).unwrap_err();
        assert!(
            matches!(&e, DomainError::Field { field, .. } if field == "from"),
            "{e}"
        );
        let long = QualityRequest {
            from: Some("2025-01-01".parse().unwrap()),
            ..QualityRequest::default()
        };
        let e = QualityQuery::new(&long, today, offset).unwrap_err();
        assert!(
            matches!(&e, DomainError::Field { field, .. } if field == "to"),
            "{e}"
        );
        assert_eq!(GroupBy::parse("line").unwrap(), GroupBy::Line);
        assert!(
            matches!(GroupBy::parse("site"), Err(DomainError::Field { field, .. }) if field == "by")
        );
        assert!(
            matches!(Period::parse("year"), Err(DomainError::Field { field, .. }) if field == "period")
        );
    }

    #[test]
    fn too_many_groups_is_refused_naming_by() {
        let happenings: Vec<Happening> = (0..=MAX_GROUPS)
            .map(|i| Happening {
                at: at("2026-11-02T10:00:00Z"),
                kind: Kind::HoldPlaced,
                lots: vec![format!("lot{i}")],
                affected: Vec::new(),
            })
            .collect();
        let many = |lot: &str| LotKeys {
            product: Some(lot.to_owned()),
            ..LotKeys::default()
        };
        let q = query("2026-11-01", "2026-11-07", GroupBy::Product, Period::Day, 0);
        let e = tally(&q, &happenings, &many, &Catalog::default()).unwrap_err();
        assert!(
            matches!(&e, DomainError::Field { field, .. } if field == "by"),
            "{e}"
        );
    }
}
