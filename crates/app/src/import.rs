//! Spreadsheet import: the rows `lotrace_sheet` read, checked against the state they will
//! meet and written all or nothing.
//!
//! 1. Every row is validated before anything is written, in the order rows are applied:
//!    master data first (locations, parties, products, each sheet in row order), then
//!    operations (receipts, productions, shipments, in row order). Each row is checked with
//!    the API's own code (`master::validate`, `Operation::from_json`, `needs`, `plan`)
//!    against a copy of the catalog and inventory to which the rows before it have already
//!    been applied: a production may consume the lot a receipt two rows up brings in, and a
//!    shipment that asks for more than that leaves is refused on its own row.
//! 2. Any error on any row: the whole file is refused with every row's errors; nothing is
//!    written.
//! 3. All rows valid: the master records are created in one transaction, then the events
//!    of every operation row are stored in one capture, with the lot-number and SSCC
//!    counters they drew; the views then catch up. A capture is all or nothing, so the
//!    operations cannot be half imported. If another process draws the same counter
//!    meanwhile the operations are planned again (as `App::run` does).
//!
//! Master data and operations are two transactions: only when one workbook holds both, and
//! the operations' capture then fails (the store fails, or a concurrent writer changed the
//! stock so the re-planned operations no longer pass), do the master records stay without
//! the operations; the error says so. Existing codes are refused (an import creates
//! records, it does not update them).

use std::collections::BTreeMap;

use jiff::Timestamp;
use lotrace_core::DomainError;
use lotrace_core::catalog::Catalog;
use lotrace_core::inventory::Inventory;
use lotrace_core::ops::{Need, OpContext, Operation};
use lotrace_epcis::Event;
use lotrace_sheet::{Format, Kind, Limits, Rejected, RowError, Sheet};
use lotrace_store::{CounterStep, StoreError};
use serde::Serialize;

use crate::master::{self, MasterKind};
use crate::{App, AppError, MAX_COUNTER_RETRIES, Views};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file, or some of its rows, were refused: nothing was written.
    #[error(transparent)]
    Rejected(#[from] Rejected),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> ImportError {
        ImportError::App(e.into())
    }
}

/// One sheet that was imported.
#[derive(Clone, Debug, Serialize)]
pub struct SheetSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    pub kind: Kind,
    pub rows: usize,
}

/// What an import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportSummary {
    pub sheets: Vec<SheetSummary>,
    pub rows: usize,
    pub records_created: usize,
    pub operations: usize,
    pub events_stored: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture_id: Option<String>,
    /// Lot numbers the operations assigned (rows without a lot, from the template).
    pub assigned_lots: Vec<String>,
}

/// The planned operations: their events and the counter steps they drew.
struct Planned {
    events: Vec<Event>,
    steps: Vec<CounterStep>,
    operations: usize,
    assigned_lots: Vec<String>,
}

fn row_error(sheet: &Sheet, row: &lotrace_sheet::Row, e: AppError) -> Result<RowError, AppError> {
    match e {
        AppError::Domain(d) => Ok(RowError::from_domain(sheet, row, &d)),
        other => Err(other),
    }
}

impl App {
    /// Reads a CSV or XLSX file and imports it (see the module documentation).
    pub async fn import_file(
        &self,
        bytes: &[u8],
        format: Format,
        kind: Option<Kind>,
        limits: &Limits,
        operator: &str,
    ) -> Result<ImportSummary, ImportError> {
        let sheets = lotrace_sheet::read(bytes, format, kind, limits)?;
        self.import_sheets(sheets, operator).await
    }

    /// Validates every row of every sheet against the state it will meet, then writes them
    /// all, or refuses them all with the errors of each row.
    pub async fn import_sheets(
        &self,
        mut sheets: Vec<Sheet>,
        operator: &str,
    ) -> Result<ImportSummary, ImportError> {
        sheets.sort_by_key(|s| s.kind);
        let mut summary = ImportSummary {
            sheets: sheets
                .iter()
                .map(|s| SheetSummary {
                    sheet: s.name.clone(),
                    kind: s.kind,
                    rows: s.rows.len(),
                })
                .collect(),
            rows: sheets.iter().map(|s| s.rows.len()).sum(),
            ..ImportSummary::default()
        };
        let ctx = OpContext {
            now: Timestamp::now(),
            offset: self.config.offset,
            operator: operator.to_owned(),
            company_prefix: self.config.company_prefix.clone(),
        };
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        let mut errors = Vec::new();
        let (catalog, records) = check_master(&views.catalog, &sheets, &mut errors)?;
        let has_operations = sheets.iter().any(|s| s.kind.operation().is_some());
        let mut planned = if has_operations {
            self.plan_operations(&catalog, &views, &sheets, &ctx, &mut errors)
                .await?
        } else {
            None
        };
        if !errors.is_empty() {
            return Err(Rejected::capped(errors).into());
        }
        if !records.is_empty() {
            self.store.create_masters(&records).await.map_err(|e| match e {
                StoreError::MasterExists { kind, code } => {
                    ImportError::Rejected(Rejected::one(RowError::file(format!(
                        "{kind} {code:?} was created by someone else meanwhile; nothing was imported"
                    ))))
                }
                other => other.into(),
            })?;
            views.catalog = catalog;
            summary.records_created = records.len();
        }
        for _ in 0..MAX_COUNTER_RETRIES {
            let Some(plan) = planned.take() else {
                return Ok(summary);
            };
            let source = format!("import:{operator}");
            match self
                .store
                .capture_with_counters(plan.events, &source, &plan.steps)
                .await
            {
                Ok(receipt) => {
                    self.catch_up(&mut views).await?;
                    summary.operations = plan.operations;
                    summary.events_stored = receipt.job.events_stored;
                    summary.capture_id = Some(receipt.job.id);
                    summary.assigned_lots = plan.assigned_lots;
                    return Ok(summary);
                }
                Err(StoreError::CounterConflict { .. }) => {
                    self.catch_up(&mut views).await?;
                    let catalog = views.catalog.clone();
                    planned = self
                        .plan_operations(&catalog, &views, &sheets, &ctx, &mut errors)
                        .await?;
                    if !errors.is_empty() {
                        return Err(after_masters(errors, summary.records_created).into());
                    }
                }
                Err(other) if summary.records_created > 0 => {
                    return Err(after_masters(
                        vec![RowError::file(format!("the store failed: {other}"))],
                        summary.records_created,
                    )
                    .into());
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(AppError::Domain(DomainError::refused(
            "busy",
            "another process kept drawing the same counters; try again",
        ))
        .into())
    }

    /// Plans every operation row in order against a copy of the state, each row seeing the
    /// rows before it. Errors go to `errors`; the plan is None when there were any.
    async fn plan_operations(
        &self,
        catalog: &Catalog,
        views: &Views,
        sheets: &[Sheet],
        ctx: &OpContext,
        errors: &mut Vec<RowError>,
    ) -> Result<Option<Planned>, AppError> {
        let mut inventory = views.inventory.clone();
        let mut next: BTreeMap<String, u64> = BTreeMap::new();
        let mut planned = Planned {
            events: Vec::new(),
            steps: Vec::new(),
            operations: 0,
            assigned_lots: Vec::new(),
        };
        let before = errors.len();
        for sheet in sheets {
            let Some(name) = sheet.kind.operation() else {
                continue;
            };
            for row in &sheet.rows {
                let plan = async {
                    let op = Operation::from_json(name, row.body.clone())?;
                    let needs = op.needs(catalog, ctx)?;
                    let mut drawn: Vec<(Need, u64)> = Vec::with_capacity(needs.len());
                    let mut steps = Vec::new();
                    for need in needs {
                        let counter = need.counter_name();
                        let value = match next.get(&counter) {
                            Some(v) => *v,
                            None => self.store.counter_value(&counter).await? + 1,
                        };
                        steps.push(CounterStep {
                            name: counter,
                            value,
                        });
                        drawn.push((need, value));
                    }
                    let plan = op.plan(catalog, &inventory, ctx, &drawn)?;
                    Ok::<_, AppError>((plan, steps))
                }
                .await;
                match plan {
                    Ok((plan, steps)) => {
                        for step in &steps {
                            next.insert(step.name.clone(), step.value + 1);
                        }
                        for event in &plan.events {
                            inventory.apply(event);
                        }
                        planned.steps.extend(steps);
                        planned.events.extend(plan.events);
                        planned.assigned_lots.extend(plan.assigned_lots);
                        planned.operations += 1;
                        if inventory.is_stale() {
                            // A row dated before stock it touches: replay in eventTime order
                            // what it touched, else everything.
                            let replay =
                                self.replay_of(&inventory, views.last_seq, &planned.events);
                            match replay.await? {
                                Some(replay) => replay.apply(&mut inventory),
                                None => {
                                    inventory =
                                        self.replayed(views.last_seq, &planned.events).await?
                                }
                            }
                        }
                    }
                    Err(e) => errors.push(row_error(sheet, row, e)?),
                }
            }
        }
        Ok((errors.len() == before).then_some(planned))
    }

    /// The inventory of the stored events (up to the views' position `up_to`) and `planned`
    /// ones, in eventTime order.
    async fn replayed(&self, up_to: i64, planned: &[Event]) -> Result<Inventory, AppError> {
        let mut events = Vec::new();
        self.store
            .for_each_event_by_time(|stored| {
                if stored.seq <= up_to {
                    events.push(stored.event);
                }
                Ok(())
            })
            .await?;
        events.extend(planned.iter().cloned());
        // Stable: equal times keep log order, then the import's row order.
        events.sort_by_key(|e| e.event_time.instant);
        Ok(Inventory::rebuild(events.iter()))
    }
}

/// The operations were refused after the master records were stored.
fn after_masters(mut errors: Vec<RowError>, created: usize) -> Rejected {
    if created > 0 {
        errors.insert(
            0,
            RowError::file(format!(
                "the {created} master record(s) were stored, but the store changed meanwhile and the operations below were refused; fix them and import the operation sheets again"
            )),
        );
    }
    Rejected::capped(errors)
}

/// Validates the master rows in order against the catalog as it grows; returns the catalog
/// with them and the records to create.
#[allow(clippy::type_complexity)]
fn check_master(
    current: &Catalog,
    sheets: &[Sheet],
    errors: &mut Vec<RowError>,
) -> Result<(Catalog, Vec<(String, String, serde_json::Value)>), AppError> {
    let mut catalog = current.clone();
    let mut records = Vec::new();
    let mut rows_of: BTreeMap<(&str, String), u32> = BTreeMap::new();
    for sheet in sheets {
        let Some(kind) = sheet.kind.master().and_then(MasterKind::parse) else {
            continue;
        };
        for row in &sheet.rows {
            let (code, json) = match master::validate(kind, row.body.clone(), &catalog) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(row_error(sheet, row, e)?);
                    continue;
                }
            };
            let exists = match kind {
                MasterKind::Product => catalog.products.contains_key(&code),
                MasterKind::Location => catalog.locations.contains_key(&code),
                MasterKind::Party => catalog.parties.contains_key(&code),
            };
            if exists {
                let also = match rows_of.get(&(kind.as_str(), code.clone())) {
                    Some(n) => format!(" (row {n} of this file)"),
                    None => "; an import creates records, it does not change them".to_owned(),
                };
                let e = DomainError::field(
                    "code",
                    format!("{} {code:?} already exists{also}", kind.as_str()),
                );
                errors.push(RowError::from_domain(sheet, row, &e));
                continue;
            }
            master::insert(&mut catalog, kind, &json)?;
            rows_of.insert((kind.as_str(), code.clone()), row.number);
            records.push((kind.as_str().to_owned(), code, json));
        }
    }
    Ok((catalog, records))
}
