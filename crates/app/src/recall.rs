//! Recalls and drills: the journal in the store, the impact from the views, holds through
//! the log. A recall's record is its journal folded in order; its impact is computed from
//! its origins whenever asked, so it follows holds, returns and late events.

use std::time::Instant;

use jiff::Timestamp;
use lotrace_core::DomainError;
use lotrace_core::inventory::HoldState;
use lotrace_core::ops::{OpContext, Operation, recall_hold_plan};
use lotrace_recall::{Impact, RecallError, Scope};
use lotrace_store::{JournalKind, NewRecallEntry, RecallEntry};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{App, Result};

/// Most recalls (or drills) one list answers.
pub const MAX_LISTED_RECALLS: u32 = 1_000;
/// Journal entries read per trip when listing.
const LIST_BATCH_ENTRIES: u32 = 5_000;

/// What starts a recall (the body of `POST /api/v1/recalls`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecallRequest {
    pub scope: Scope,
    pub reason: String,
    /// Also recall the lots made from the same inputs as the origins.
    #[serde(default)]
    pub widen_to_siblings: bool,
    /// The disposition the hold writes: `recalled` (default) or `non_sellable_other`.
    #[serde(default = "recalled")]
    pub hold_disposition: String,
}

fn recalled() -> String {
    "recalled".to_owned()
}

/// What a drill runs (the body of `POST /api/v1/drills`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DrillRequest {
    pub scope: Scope,
    #[serde(default)]
    pub widen_to_siblings: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// A customer told of the recall.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// The customer's party code (or the id the impact lists for it).
    pub customer: String,
    /// email, phone, letter, edi, in_person, other.
    pub channel: String,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

const CHANNELS: [&str; 6] = ["email", "phone", "letter", "edi", "in_person", "other"];
const MAX_TEXT_CHARS: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecallStatus {
    Open,
    Closed,
}

impl RecallStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecallStatus::Open => "open",
            RecallStatus::Closed => "closed",
        }
    }
}

/// One journal entry as the record shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Action {
    pub at: Timestamp,
    pub by: String,
    #[serde(flatten)]
    pub body: Value,
}

/// A recall (or drill) as its journal tells it.
#[derive(Clone, Debug, Serialize)]
pub struct RecallRecord {
    pub id: String,
    pub status: RecallStatus,
    pub opened_at: Timestamp,
    pub opened_by: String,
    pub reason: String,
    pub scope: Value,
    pub scope_text: String,
    pub origins: Vec<String>,
    pub widen_to_siblings: bool,
    pub hold_disposition: String,
    pub holds: Vec<Action>,
    pub notifications: Vec<Action>,
    pub returns: Vec<Action>,
    pub closed: Option<Action>,
}

/// A recall with its impact as of now.
#[derive(Clone, Debug, Serialize)]
pub struct RecallView {
    pub recall: RecallRecord,
    pub impact: Impact,
}

impl RecallView {
    /// The recall as one report (XLSX, PDF): what it is, what was done, then the impact.
    pub fn report(&self) -> lotrace_report::Report {
        let r = &self.recall;
        let mut lines = vec![
            ("Recall".to_owned(), r.id.clone()),
            ("Status".to_owned(), r.status.as_str().to_owned()),
            ("Reason".to_owned(), r.reason.clone()),
            ("Scope".to_owned(), r.scope_text.clone()),
            (
                "Opened".to_owned(),
                format!("{} by {}", r.opened_at, r.opened_by),
            ),
            ("Holds".to_owned(), r.holds.len().to_string()),
            (
                "Notifications".to_owned(),
                r.notifications.len().to_string(),
            ),
            ("Returns".to_owned(), r.returns.len().to_string()),
        ];
        if let Some(c) = &r.closed {
            lines.push(("Closed".to_owned(), format!("{} by {}", c.at, c.by)));
        }
        lotrace_recall::export::impact_report(&format!("Recall {}", r.id), lines, &self.impact)
    }
}

/// What a drill found and how long it took.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DrillRecord {
    pub id: String,
    pub run_at: Timestamp,
    pub run_by: String,
    pub scope: Value,
    pub scope_text: String,
    pub widen_to_siblings: bool,
    pub note: Option<String>,
    /// From the request to the full impact with every mass balance, in milliseconds.
    pub duration_ms: f64,
    pub origins: u32,
    pub lots: u32,
    pub customers: u32,
    pub lots_not_closing: Vec<String>,
    /// The lowest share of the quantity accounted for, over the units of measure.
    pub accounted_share: f64,
    pub totals: Value,
}

fn field(e: RecallError) -> crate::AppError {
    match e {
        RecallError::Field { field, message } => DomainError::field(&field, message).into(),
        RecallError::Trace(t) => t.into(),
    }
}

fn check_text(field: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() || text.chars().count() > MAX_TEXT_CHARS {
        return Err(
            DomainError::field(field, format!("must be 1 to {MAX_TEXT_CHARS} characters")).into(),
        );
    }
    Ok(())
}

fn parse<T: serde::de::DeserializeOwned>(body: Value) -> Result<T> {
    serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body" } else { path.as_str() };
        DomainError::field(field, e.inner().to_string()).into()
    })
}

impl RecallRequest {
    pub fn from_json(body: Value) -> Result<RecallRequest> {
        parse(body)
    }
}

impl DrillRequest {
    pub fn from_json(body: Value) -> Result<DrillRequest> {
        parse(body)
    }
}

impl Notification {
    pub fn from_json(body: Value) -> Result<Notification> {
        let n: Notification = parse(body)?;
        check_text("customer", &n.customer)?;
        if !CHANNELS.contains(&n.channel.as_str()) {
            return Err(DomainError::field(
                "channel",
                format!("{:?}: expected one of {}", n.channel, CHANNELS.join(", ")),
            )
            .into());
        }
        for (name, value) in [("contact", &n.contact), ("note", &n.note)] {
            if let Some(v) = value {
                check_text(name, v)?;
            }
        }
        Ok(n)
    }
}

fn text_of(body: &Value, key: &str) -> String {
    body.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Folds a recall's journal into its record.
fn fold(entries: &[RecallEntry]) -> Option<RecallRecord> {
    let first = entries.first()?;
    let body = &first.body;
    let mut record = RecallRecord {
        id: first.recall_id.clone(),
        status: RecallStatus::Open,
        opened_at: first.at,
        opened_by: first.actor.clone(),
        reason: text_of(body, "reason"),
        scope: body.get("scope").cloned().unwrap_or(Value::Null),
        scope_text: text_of(body, "scope_text"),
        origins: serde_json::from_value(body.get("origins").cloned().unwrap_or_default())
            .unwrap_or_default(),
        widen_to_siblings: body["widen_to_siblings"].as_bool().unwrap_or(false),
        hold_disposition: text_of(body, "hold_disposition"),
        holds: Vec::new(),
        notifications: Vec::new(),
        returns: Vec::new(),
        closed: None,
    };
    for entry in &entries[1..] {
        let action = Action {
            at: entry.at,
            by: entry.actor.clone(),
            body: entry.body.clone(),
        };
        match entry.kind.as_str() {
            "hold" => record.holds.push(action),
            "notification" => record.notifications.push(action),
            "return" => record.returns.push(action),
            "closed" => {
                record.status = RecallStatus::Closed;
                record.closed = Some(action);
            }
            _ => {}
        }
    }
    Some(record)
}

impl App {
    /// The site's offset from UTC, for times typed in site time (recall windows).
    pub fn site_offset(&self) -> lotrace_epcis::TzOffset {
        self.config.offset
    }

    fn recall_views<'a>(&self, views: &'a crate::Views) -> lotrace_recall::Views<'a> {
        lotrace_recall::Views {
            catalog: &views.catalog,
            inventory: &views.inventory,
            trace: &views.trace,
            today: self.config.offset_date(Timestamp::now()),
        }
    }

    /// Resolves the scope, opens the recall in the journal and answers its impact.
    pub async fn start_recall(&self, request: RecallRequest, actor: &str) -> Result<RecallView> {
        check_text("reason", &request.reason)?;
        if !matches!(
            request.hold_disposition.as_str(),
            "recalled" | "non_sellable_other"
        ) {
            return Err(DomainError::field(
                "hold_disposition",
                format!(
                    "{:?}: expected \"recalled\" or \"non_sellable_other\"",
                    request.hold_disposition
                ),
            )
            .into());
        }
        let origins = {
            let mut views = self.views.lock().await;
            self.catch_up(&mut views).await?;
            lotrace_recall::resolve(&request.scope, &self.recall_views(&views)).map_err(field)?
        };
        let body = json!({
            "reason": request.reason,
            "scope": request.scope,
            "scope_text": request.scope.describe(),
            "origins": origins,
            "widen_to_siblings": request.widen_to_siblings,
            "hold_disposition": request.hold_disposition,
        });
        let opened = self
            .store
            .open_recall(
                JournalKind::Recall,
                NewRecallEntry {
                    kind: "opened",
                    actor,
                    body: &body,
                },
            )
            .await?;
        self.recall(&opened.recall_id).await
    }

    async fn recall_record(&self, id: &str) -> Result<RecallRecord> {
        let entries = self.store.recall_entries(id).await?;
        match fold(&entries) {
            Some(record) if id.starts_with("R-") => Ok(record),
            _ => Err(DomainError::not_found("recall", id).into()),
        }
    }

    /// A recall and its impact as of now.
    pub async fn recall(&self, id: &str) -> Result<RecallView> {
        let recall = self.recall_record(id).await?;
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        let impact = lotrace_recall::impact(
            &self.recall_views(&views),
            &recall.origins,
            recall.widen_to_siblings,
        )
        .map_err(field)?;
        Ok(RecallView { recall, impact })
    }

    /// Every recall, newest first, at most [`MAX_LISTED_RECALLS`].
    pub async fn recalls(&self) -> Result<Vec<RecallRecord>> {
        let mut out = Vec::new();
        for entries in self.journals(JournalKind::Recall).await? {
            out.extend(fold(&entries));
        }
        out.reverse();
        Ok(out)
    }

    /// The journals of every recall or drill, by id, each in order.
    async fn journals(&self, kind: JournalKind) -> Result<Vec<Vec<RecallEntry>>> {
        let mut journals: Vec<Vec<RecallEntry>> = Vec::new();
        let mut after = (String::new(), 0u32);
        loop {
            let batch = self
                .store
                .recall_entries_after(kind, (&after.0, after.1), LIST_BATCH_ENTRIES)
                .await?;
            let Some(last) = batch.last() else { break };
            after = (last.recall_id.clone(), last.seq);
            let full = batch.len() == LIST_BATCH_ENTRIES as usize;
            for entry in batch {
                match journals.last_mut() {
                    Some(j) if j[0].recall_id == entry.recall_id => j.push(entry),
                    _ => journals.push(vec![entry]),
                }
            }
            if journals.len() > MAX_LISTED_RECALLS as usize {
                journals.drain(..journals.len() - MAX_LISTED_RECALLS as usize);
            }
            if !full {
                break;
            }
        }
        Ok(journals)
    }

    async fn open_record(&self, id: &str) -> Result<RecallRecord> {
        let record = self.recall_record(id).await?;
        if record.status == RecallStatus::Closed {
            return Err(DomainError::refused(
                "recall_closed",
                format!("recall {id} is closed; open a new one"),
            )
            .into());
        }
        Ok(record)
    }

    /// Puts every affected on-hand quantity at our locations on hold, in one capture (all or
    /// nothing), and records it in the journal. Stock already in the hold state is skipped,
    /// so holding twice writes nothing the second time.
    pub async fn recall_hold(&self, id: &str, actor: &str) -> Result<Value> {
        let record = self.open_record(id).await?;
        let target = if record.hold_disposition == "non_sellable_other" {
            HoldState::OnHold
        } else {
            HoldState::Recalled
        };
        let ctx = OpContext {
            now: Timestamp::now(),
            offset: self.config.offset,
            operator: actor.to_owned(),
            company_prefix: self.config.company_prefix.clone(),
        };
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        let rv = self.recall_views(&views);
        let impact = lotrace_recall::impact(&rv, &record.origins, record.widen_to_siblings)
            .map_err(field)?;
        let (holds, elsewhere) = lotrace_recall::recall_holds(&rv, &impact, target);
        let plan = recall_hold_plan(
            &ctx,
            id,
            &format!("recall {id}: {}", record.reason),
            &record.hold_disposition,
            &holds,
        )?;
        let lines: Vec<Value> = holds
            .iter()
            .flat_map(|h| {
                h.lines.iter().map(|(lot, qty, uom)| {
                    json!({ "lot": lot, "location": h.location, "quantity": qty, "uom": uom })
                })
            })
            .collect();
        let elsewhere: Vec<Value> = elsewhere
            .iter()
            .map(|(lot, place)| json!({ "lot": lot, "location": place.location, "name": place.name, "quantity": place.quantity }))
            .collect();
        let event_ids: Vec<String> = plan
            .events
            .iter()
            .filter_map(|e| e.event_id.clone())
            .collect();
        if !plan.events.is_empty() {
            self.store
                .capture(plan.events, &format!("recall:{id}:{actor}"))
                .await?;
            self.catch_up(&mut views).await?;
        }
        drop(views);
        let body = json!({ "events": event_ids, "held": lines, "not_ours": elsewhere });
        if !event_ids.is_empty() {
            self.store
                .append_recall_entry(
                    id,
                    NewRecallEntry {
                        kind: "hold",
                        actor,
                        body: &body,
                    },
                )
                .await?;
        }
        Ok(body)
    }

    /// Records that a customer was told.
    pub async fn recall_notify(
        &self,
        id: &str,
        notification: Notification,
        actor: &str,
    ) -> Result<RecallEntry> {
        self.open_record(id).await?;
        let body = serde_json::to_value(&notification).unwrap_or_default();
        Ok(self
            .store
            .append_recall_entry(
                id,
                NewRecallEntry {
                    kind: "notification",
                    actor,
                    body: &body,
                },
            )
            .await?)
    }

    /// Receives a customer's return of affected stock (the `return` operation) and records it
    /// against the recall. A lot the recall does not affect is refused.
    pub async fn recall_return(&self, id: &str, body: Value, actor: &str) -> Result<Value> {
        let mut body = body;
        if let Some(map) = body.as_object_mut() {
            map.entry("reason")
                .or_insert_with(|| Value::String(format!("recall {id}")));
        }
        let operation = Operation::from_json("return", body.clone())?;
        let Operation::Return(ret) = &operation else {
            unreachable!("from_json(\"return\") gives a return");
        };
        let view = self.recall(id).await?;
        if view.recall.status == RecallStatus::Closed {
            return Err(DomainError::refused(
                "recall_closed",
                format!("recall {id} is closed; open a new one"),
            )
            .into());
        }
        let affected = view.impact.lots.iter().any(|l| {
            l.product.as_deref() == Some(&ret.product) && l.lot.as_deref() == Some(&ret.lot)
        });
        if !affected {
            return Err(DomainError::field(
                "lot",
                format!(
                    "lot {} of {} is not affected by recall {id}",
                    ret.lot, ret.product
                ),
            )
            .into());
        }
        let outcome = self.run(&operation, "return", actor).await?;
        let entry = json!({
            "customer": ret.customer, "product": ret.product, "lot": ret.lot,
            "quantity": ret.quantity, "uom": ret.uom, "location": ret.location,
            "rma": ret.rma, "events": outcome.event_ids,
        });
        self.store
            .append_recall_entry(
                id,
                NewRecallEntry {
                    kind: "return",
                    actor,
                    body: &entry,
                },
            )
            .await?;
        Ok(entry)
    }

    /// Closes a recall with a summary and the figures it closed with.
    pub async fn recall_close(&self, id: &str, summary: &str, actor: &str) -> Result<RecallView> {
        check_text("summary", summary)?;
        let view = self.recall(id).await?;
        if view.recall.status == RecallStatus::Closed {
            return Err(DomainError::refused(
                "recall_closed",
                format!("recall {id} is closed already"),
            )
            .into());
        }
        let notified: std::collections::BTreeSet<&str> = view
            .recall
            .notifications
            .iter()
            .filter_map(|n| n.body.get("customer").and_then(Value::as_str))
            .collect();
        let not_notified: Vec<&str> = view
            .impact
            .customers
            .iter()
            .filter(|c| {
                !notified.contains(c.id.as_str())
                    && !c
                        .code
                        .as_deref()
                        .is_some_and(|code| notified.contains(code))
            })
            .map(|c| c.code.as_deref().unwrap_or(&c.id))
            .collect();
        let body = json!({
            "summary": summary,
            "lots": view.impact.lots.len(),
            "customers": view.impact.customers.len(),
            "customers_not_notified": not_notified,
            "returns": view.recall.returns.len(),
            "totals": view.impact.totals,
            "lots_not_closing": view.impact.lots_not_closing,
        });
        self.store
            .append_recall_entry(
                id,
                NewRecallEntry {
                    kind: "closed",
                    actor,
                    body: &body,
                },
            )
            .await?;
        self.recall(id).await
    }

    /// Runs a mock recall: the full impact with mass balances, timed, holding nothing, and
    /// keeps what it found in the drill history.
    pub async fn run_drill(&self, request: DrillRequest, actor: &str) -> Result<DrillRecord> {
        if let Some(note) = &request.note {
            check_text("note", note)?;
        }
        let started = Instant::now();
        let impact = {
            let mut views = self.views.lock().await;
            self.catch_up(&mut views).await?;
            let rv = self.recall_views(&views);
            let origins = lotrace_recall::resolve(&request.scope, &rv).map_err(field)?;
            lotrace_recall::impact(&rv, &origins, request.widen_to_siblings).map_err(field)?
        };
        let duration_ms = started.elapsed().as_secs_f64() * 1_000.0;
        let accounted_share = impact
            .totals
            .iter()
            .map(|t| t.accounted_share)
            .fold(1.0_f64, f64::min);
        let body = json!({
            "scope": request.scope,
            "scope_text": request.scope.describe(),
            "widen_to_siblings": request.widen_to_siblings,
            "note": request.note,
            "duration_ms": duration_ms,
            "origins": impact.origins.len(),
            "lots": impact.lots.len(),
            "customers": impact.customers.len(),
            "lots_not_closing": impact.lots_not_closing,
            "accounted_share": accounted_share,
            "totals": impact.totals,
        });
        let entry = self
            .store
            .open_recall(
                JournalKind::Drill,
                NewRecallEntry {
                    kind: "drill",
                    actor,
                    body: &body,
                },
            )
            .await?;
        Ok(drill_record(&entry))
    }

    pub async fn drill(&self, id: &str) -> Result<DrillRecord> {
        let entries = self.store.recall_entries(id).await?;
        match entries.first() {
            Some(e) if id.starts_with("D-") => Ok(drill_record(e)),
            _ => Err(DomainError::not_found("drill", id).into()),
        }
    }

    /// The drill history, newest first.
    pub async fn drills(&self) -> Result<Vec<DrillRecord>> {
        let journals = self.journals(JournalKind::Drill).await?;
        Ok(journals.iter().rev().map(|j| drill_record(&j[0])).collect())
    }
}

fn drill_record(entry: &RecallEntry) -> DrillRecord {
    let b = &entry.body;
    let number = |key: &str| b[key].as_u64().unwrap_or(0) as u32;
    DrillRecord {
        id: entry.recall_id.clone(),
        run_at: entry.at,
        run_by: entry.actor.clone(),
        scope: b["scope"].clone(),
        scope_text: text_of(b, "scope_text"),
        widen_to_siblings: b["widen_to_siblings"].as_bool().unwrap_or(false),
        note: b["note"].as_str().map(str::to_owned),
        duration_ms: b["duration_ms"].as_f64().unwrap_or(0.0),
        origins: number("origins"),
        lots: number("lots"),
        customers: number("customers"),
        lots_not_closing: serde_json::from_value(b["lots_not_closing"].clone()).unwrap_or_default(),
        accounted_share: b["accounted_share"].as_f64().unwrap_or(0.0),
        totals: b["totals"].clone(),
    }
}
