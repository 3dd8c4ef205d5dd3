//! The application service: one place where the event log, the derived views and the rules
//! meet. The HTTP server and the CLI are thin layers over [`App`].
//!
//! Architecture invariant: every write of events goes through [`App::capture`] or
//! [`App::run`], which hold the views lock, write to the store, then apply the stored events
//! to the views; so the views never run ahead of the log. Before each operation the views
//! catch up with events other processes appended (another server, the CLI).

mod bom;
mod compliance;
pub mod import;
mod master;
pub mod quality;
mod recall;
mod replay;
mod reports;

use std::sync::Arc;

use jiff::Timestamp;
use lotrace_core::catalog::Catalog;
use lotrace_core::inventory::{ContainerState, Inventory, LotState, ReplayLimits};
use lotrace_core::ops::{Need, OpContext, Operation, Pick};
use lotrace_core::{DomainError, Qty};
use lotrace_epcis::{Event, TzOffset};
use lotrace_store::{CaptureReceipt, CounterStep, Store, StoreError};
use lotrace_trace::{Direction, Trace, TraceError, TraceIndex};
use serde::Serialize;
use tokio::sync::Mutex;

pub use bom::{OrderProduction, OrderView, Proposal, ProposedLine};
pub use compliance::{Fsma204Export, Fsma204Request};
pub use master::MasterKind;
pub use recall::{
    DrillRecord, DrillRequest, Notification, RecallRecord, RecallRequest, RecallStatus, RecallView,
};
pub use replay::ReplayStats;

/// How many times an operation is retried when another process drew the same counter.
const MAX_COUNTER_RETRIES: u32 = 5;
/// The most lots one scan looks up (a scan names one or two).
pub const MAX_SCAN_LOTS: usize = 16;
/// Events read per batch when catching up with the log.
const CATCH_UP_BATCH: u32 = 2_000;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Trace(#[from] TraceError),
    #[error(transparent)]
    Index(#[from] lotrace_trace::InsertError),
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Clone, Debug)]
pub struct AppConfig {
    /// GS1 company prefix for the SSCCs this site allocates.
    pub company_prefix: String,
    /// The site's offset from UTC, for event times and lot-number dates.
    pub offset: TzOffset,
    pub trace_limits: lotrace_trace::Limits,
    /// How far repairing a stale inventory replays in part before it rebuilds whole.
    pub replay_limits: ReplayLimits,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            company_prefix: "4012345".into(),
            offset: TzOffset { minutes: 0 },
            trace_limits: lotrace_trace::Limits::default(),
            replay_limits: ReplayLimits::default(),
        }
    }
}

/// The views derived from the log, kept in step with it under one lock.
struct Views {
    catalog: Catalog,
    inventory: Inventory,
    trace: TraceIndex,
    /// The last log position applied.
    last_seq: i64,
    replays: ReplayStats,
}

/// What an operation did.
#[derive(Clone, Debug, Serialize)]
pub struct OpOutcome {
    pub operation: String,
    pub event_ids: Vec<String>,
    pub lots: Vec<String>,
    pub assigned_lots: Vec<String>,
    pub sscc: Option<String>,
    /// A production against an order: the BOM check's lines, variance and yield.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<lotrace_bom::CheckedRun>,
}

#[derive(Clone)]
pub struct App {
    store: Store,
    config: AppConfig,
    views: Arc<Mutex<Views>>,
}

impl App {
    /// Loads master data and replays the log into the views.
    pub async fn open(store: Store, config: AppConfig) -> Result<App> {
        let catalog = master::load_catalog(&store).await?;
        let mut trace = TraceIndex::new(config.trace_limits);
        let mut last_seq = 0;
        let mut events = Vec::new();
        store
            .for_each_event_by_time(|stored| {
                last_seq = last_seq.max(stored.seq);
                events.push(stored.event);
                Ok(())
            })
            .await?;
        trace.insert_many(&events)?;
        let inventory = Inventory::rebuild(events.iter());
        drop(events);
        Ok(App {
            store,
            config,
            views: Arc::new(Mutex::new(Views {
                catalog,
                inventory,
                trace,
                last_seq,
                replays: ReplayStats::default(),
            })),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stores the events of one document and applies them to the views.
    pub async fn capture(&self, events: Vec<Event>, source: &str) -> Result<CaptureReceipt> {
        // The store commits without the views lock, so reads and traces do not wait for the
        // disk; the views then read our events back through the log, in log order with
        // everyone else's, as they do for other processes' captures.
        let receipt = self.store.capture(events, source).await?;
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        Ok(receipt)
    }

    /// Applies what other processes appended to the log since we last looked.
    async fn catch_up(&self, views: &mut Views) -> Result<()> {
        loop {
            let batch = self
                .store
                .events_after(views.last_seq, CATCH_UP_BATCH)
                .await?;
            let Some(last) = batch.last() else { break };
            views.last_seq = last.seq;
            for stored in &batch {
                views.trace.insert(&stored.event)?;
                views.inventory.apply(&stored.event);
            }
            if batch.len() < CATCH_UP_BATCH as usize {
                break;
            }
        }
        if views.inventory.is_stale() {
            // Late events (batched uploads, captures whose commits overtook each other) are
            // normal: replay what they touched, not the log (see `replay.rs`).
            self.repair_inventory(views).await?;
        }
        Ok(())
    }

    /// Rebuilds the inventory from the whole log, in eventTime order, up to the position
    /// the views have reached (the next catch-up applies what came after).
    async fn rebuild_inventory(&self, views: &mut Views) -> Result<()> {
        let mut events = Vec::new();
        let up_to = views.last_seq;
        self.store
            .for_each_event_by_time(|stored| {
                if stored.seq <= up_to {
                    events.push(stored.event);
                }
                Ok(())
            })
            .await?;
        views.inventory = Inventory::rebuild(events.iter());
        Ok(())
    }

    /// Runs one operation: checks its rules, captures its events atomically, applies them.
    pub async fn run(
        &self,
        operation: &Operation,
        name: &str,
        operator: &str,
    ) -> Result<OpOutcome> {
        let ctx = OpContext {
            now: Timestamp::now(),
            offset: self.config.offset,
            operator: operator.to_owned(),
            company_prefix: self.config.company_prefix.clone(),
        };
        if let Operation::Inspect(inspect) = operation
            && let Some(certificate) = &inspect.certificate
            && certificate.starts_with(lotrace_store::DOCUMENT_URI_PREFIX)
            && self.store.document(certificate).await?.is_none()
        {
            return Err(DomainError::field(
                "certificate",
                format!("no document {certificate}; upload the file first"),
            )
            .into());
        }
        let mut views = self.views.lock().await;
        for _ in 0..MAX_COUNTER_RETRIES {
            self.catch_up(&mut views).await?;
            // A production against an order: checked against its BOM version first.
            let checked = self.check_order_run(&views, operation).await?;
            let (operation, batch) = match checked {
                Some((op, run)) => (std::borrow::Cow::Owned(op), Some(run)),
                None => (std::borrow::Cow::Borrowed(operation), None),
            };
            let needs = operation.needs(&views.catalog, &ctx)?;
            // Peek the next value of each counter; the capture advances them atomically
            // and fails if another process got there first, so numbers have no gaps.
            let mut drawn: Vec<(Need, u64)> = Vec::with_capacity(needs.len());
            let mut steps = Vec::with_capacity(needs.len());
            for need in needs {
                let name = need.counter_name();
                let next = self.store.counter_value(&name).await? + 1;
                steps.push(CounterStep { name, value: next });
                drawn.push((need, next));
            }
            let plan = operation.plan(&views.catalog, &views.inventory, &ctx, &drawn)?;
            let source = format!("op:{name}:{operator}");
            match self
                .store
                .capture_with_counters(plan.events.clone(), &source, &steps)
                .await
            {
                Ok(_) => {
                    self.catch_up(&mut views).await?;
                    return Ok(OpOutcome {
                        operation: name.to_owned(),
                        event_ids: plan
                            .events
                            .iter()
                            .filter_map(|e| e.event_id.clone())
                            .collect(),
                        lots: plan.lots,
                        assigned_lots: plan.assigned_lots,
                        sscc: plan.sscc,
                        batch,
                    });
                }
                Err(StoreError::CounterConflict { .. }) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(DomainError::refused(
            "busy",
            "another process kept drawing the same counter; try again",
        )
        .into())
    }

    /// The state of one lot (any spelling of its identifier).
    pub async fn lot(&self, id: &str) -> Result<Option<LotState>> {
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        Ok(views.inventory.lot(id).cloned())
    }

    /// Every lot, filtered; sorted by id.
    pub async fn lots(&self, filter: impl Fn(&LotState) -> bool) -> Result<Vec<LotState>> {
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        let mut lots: Vec<LotState> = views
            .inventory
            .lots()
            .filter(|l| filter(l))
            .cloned()
            .collect();
        lots.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(lots)
    }

    /// The lot number a receipt or production of `product` at `location` (on `line`) that
    /// names none would get now, from the product's template; None without a template.
    /// Nothing is drawn: another operation may take the number first.
    pub async fn propose_lot(
        &self,
        product: &str,
        location: &str,
        line: Option<&str>,
    ) -> Result<Option<String>> {
        let ctx = OpContext {
            now: Timestamp::now(),
            offset: self.config.offset,
            operator: String::new(),
            company_prefix: self.config.company_prefix.clone(),
        };
        let catalog = self.catalog().await;
        let seq = match lotrace_core::ops::lot_counter(&catalog, &ctx, product, location, line)? {
            Some(need) => self.store.counter_value(&need.counter_name()).await? + 1,
            None => 0,
        };
        Ok(lotrace_core::ops::propose_lot(
            &catalog, &ctx, product, location, line, seq,
        )?)
    }

    pub async fn picks(
        &self,
        product: &str,
        quantity: Qty,
        location: Option<&str>,
    ) -> Result<Vec<Pick>> {
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        let today = self.config.offset_date(Timestamp::now());
        Ok(lotrace_core::ops::suggest_picks(
            &views.catalog,
            &views.inventory,
            product,
            quantity,
            location,
            today,
        )?)
    }

    /// What the store knows of the lots and serialised items among `ids` (canonical ids,
    /// other identifiers skipped), for a scan: status, expiry, on hand. At most
    /// `MAX_SCAN_LOTS` are looked up.
    pub async fn scanned_lots(
        &self,
        ids: &[lotrace_gs1::Identifier],
    ) -> Result<Vec<serde_json::Value>> {
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        let today = self.config.offset_date(Timestamp::now());
        let lots = ids
            .iter()
            .filter(|id| {
                matches!(
                    id.kind,
                    lotrace_gs1::IdKind::Lgtin | lotrace_gs1::IdKind::Sgtin
                )
            })
            .take(MAX_SCAN_LOTS)
            .map(|id| match views.inventory.lot(&id.canonical) {
                Some(lot) => serde_json::json!({
                    "id": lot.id,
                    "known": true,
                    "status": lot.status(today),
                    "expiry": lot.expiry,
                    "on_hand": lot.on_hand_total(),
                    "uom": lot.uom,
                    "hold_reason": lot.hold_reason,
                }),
                None => serde_json::json!({ "id": id.canonical, "known": false }),
            })
            .collect();
        Ok(lots)
    }

    /// What a container (any spelling of its identifier) holds directly and where it is.
    pub async fn container(&self, id: &str) -> Result<Option<ContainerState>> {
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        Ok(views.inventory.container(id).cloned())
    }

    pub async fn trace(&self, id: &str, direction: Direction) -> Result<Trace> {
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        Ok(views.trace.trace(id, direction)?)
    }

    pub async fn catalog(&self) -> Catalog {
        self.views.lock().await.catalog.clone()
    }
}

impl AppConfig {
    fn offset_date(&self, t: Timestamp) -> jiff::civil::Date {
        let offset = jiff::tz::Offset::from_seconds(i32::from(self.offset.minutes) * 60)
            .unwrap_or(jiff::tz::Offset::UTC);
        offset.to_datetime(t).date()
    }
}
