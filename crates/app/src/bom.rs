//! Bills of materials, production orders, productions against an order, batch records and
//! where-used: lotrace-bom's rules over the store's BOM tables and the views.

use std::collections::BTreeMap;

use jiff::Timestamp;
use lotrace_bom::{
    BatchRecord, Bom, BomSpec, CheckedRun, Order, OrderSpec, OrderStatus, RecordSources, WhereUsed,
    bom_uses, check_run, consumptions, referenced,
};
use lotrace_core::inventory::{Flow, LotState};
use lotrace_core::ops::{LotLine, Operation, OrderCheck, Produce};
use lotrace_core::{DomainError, Qty};
use lotrace_store::OrderRow;
use serde::Serialize;
use serde_json::Value;

use crate::{App, AppError, Result, Views};

/// Most events one batch record or where-used reads from the log.
pub const MAX_RECORD_EVENTS: u32 = 10_000;
/// Most productions one where-used lists.
pub const MAX_WHERE_USED_PRODUCTIONS: usize = 10_000;

fn decode<T: serde::de::DeserializeOwned>(body: Value) -> Result<T> {
    serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "(body)".to_owned()
        } else {
            path
        };
        AppError::Domain(DomainError::field(&field, e.inner().to_string()))
    })
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Domain(DomainError::refused(
        "corrupt",
        format!("a stored {what} cannot be read: {e}"),
    ))
}

fn bom_of(row: lotrace_store::BomRow) -> Result<Bom> {
    serde_json::from_value(row.body).map_err(|e| corrupt("BOM version", e))
}

fn order_of(row: OrderRow) -> Result<Order> {
    serde_json::from_value(row.body).map_err(|e| corrupt("production order", e))
}

/// One production of an order, from the inventory's ledger.
#[derive(Clone, Debug, Serialize)]
pub struct OrderProduction {
    pub event_id: String,
    pub lot: String,
    pub time: Timestamp,
    pub quantity: Option<Qty>,
}

/// An order with what has been made against it.
#[derive(Clone, Debug, Serialize)]
pub struct OrderView {
    #[serde(flatten)]
    pub order: Order,
    /// The status as kept, or `in_progress` for an open order with productions.
    pub effective_status: &'static str,
    pub produced: Qty,
    pub productions: Vec<OrderProduction>,
}

/// A proposed input line: take `quantity` of `lot` (of `product`) from `location`.
#[derive(Clone, Debug, Serialize)]
pub struct ProposedLine {
    pub component: String,
    pub product: String,
    pub lot: String,
    pub quantity: Qty,
    pub location: String,
}

/// FEFO input lots for an output quantity of an order, and what is missing.
#[derive(Clone, Debug, Serialize)]
pub struct Proposal {
    pub order: String,
    pub quantity: Qty,
    pub lines: Vec<ProposedLine>,
    /// Lot-tracked components without enough stock: (component, quantity missing).
    pub short: Vec<(String, Qty)>,
}

/// The prodorder business transaction an order's productions carry.
fn order_transaction(id: &str) -> String {
    format!(
        "urn:lotrace:bt:prodorder:{}",
        lotrace_core::master::encode_segment(id)
    )
}

impl App {
    /// Stores a BOM: version 1 of a new code, or the next version of an existing one (the
    /// body then names the latest version as `previous_version`).
    pub async fn create_bom(&self, body: Value, actor: &str) -> Result<Bom> {
        let spec: BomSpec = decode(body)?;
        lotrace_bom::check_code("code", &spec.code)?;
        let latest = self
            .store
            .bom_versions(&spec.code)
            .await?
            .last()
            .map(|b| b.version);
        let version = match (latest, spec.previous_version) {
            (None, None) => 1,
            (None, Some(v)) => {
                return Err(DomainError::field(
                    "previous_version",
                    format!(
                        "there is no BOM {:?} yet, so no version {v} to replace",
                        spec.code
                    ),
                )
                .into());
            }
            (Some(l), Some(v)) if l == v => l + 1,
            (Some(l), given) => {
                return Err(DomainError::field(
                    "previous_version",
                    format!(
                        "BOM {:?} is at version {l}; give previous_version {l} to add version {} ({})",
                        spec.code,
                        l + 1,
                        given.map_or("none was given".to_owned(), |v| format!("{v} was given"))
                    ),
                )
                .into());
            }
        };
        let catalog = self.catalog().await;
        let bom = spec.validate(&catalog, version, actor, Timestamp::now())?;
        let body = serde_json::to_value(&bom).map_err(|e| corrupt("BOM version", e))?;
        if !self
            .store
            .insert_bom_version(&bom.code, bom.version, &bom.product, &body)
            .await?
        {
            return Err(DomainError::refused(
                "bom_conflict",
                format!("{} was added meanwhile; read it and try again", bom.label()),
            )
            .into());
        }
        Ok(bom)
    }

    /// One version of a BOM (None: the latest).
    pub async fn bom(&self, code: &str, version: Option<u64>) -> Result<Bom> {
        let row = match version {
            Some(v) => self.store.bom_version(code, v).await?,
            None => self.store.bom_versions(code).await?.pop(),
        };
        let label = match version {
            Some(v) => format!("{code} v{v}"),
            None => code.to_owned(),
        };
        bom_of(row.ok_or_else(|| DomainError::not_found("BOM", &label))?)
    }

    /// Every version of one BOM, oldest first.
    pub async fn bom_versions(&self, code: &str) -> Result<Vec<Bom>> {
        let rows = self.store.bom_versions(code).await?;
        if rows.is_empty() {
            return Err(DomainError::not_found("BOM", code).into());
        }
        rows.into_iter().map(bom_of).collect()
    }

    /// The latest version of every BOM.
    pub async fn boms(&self) -> Result<Vec<Bom>> {
        self.store
            .latest_boms()
            .await?
            .into_iter()
            .map(bom_of)
            .collect()
    }

    pub async fn create_order(&self, body: Value, actor: &str) -> Result<Order> {
        let spec: OrderSpec = decode(body)?;
        lotrace_bom::check_code("bom", &spec.bom)?;
        let bom = self
            .bom(&spec.bom, spec.bom_version)
            .await
            .map_err(|e| match e {
                AppError::Domain(DomainError::NotFound { code, .. }) => {
                    AppError::Domain(DomainError::field("bom", format!("no BOM {code}")))
                }
                other => other,
            })?;
        let catalog = self.catalog().await;
        let order = spec.validate(&catalog, &bom, actor, Timestamp::now())?;
        let row = OrderRow {
            id: order.id.clone(),
            product: order.product.clone(),
            bom: order.bom.clone(),
            bom_version: order.bom_version,
            status: order.status.as_str().to_owned(),
            body: serde_json::to_value(&order).map_err(|e| corrupt("production order", e))?,
            created_at: order.created_at,
            updated_at: order.created_at,
        };
        if !self.store.insert_order(&row).await? {
            return Err(DomainError::Exists {
                entity: "production order".into(),
                code: order.id,
            }
            .into());
        }
        Ok(order)
    }

    async fn stored_order(&self, id: &str) -> Result<Order> {
        let row = self
            .store
            .order(id)
            .await?
            .ok_or_else(|| DomainError::not_found("production order", id))?;
        order_of(row)
    }

    /// An order with its productions (from the inventory: produced lots whose event names
    /// the order as its prodorder transaction).
    pub async fn order(&self, id: &str) -> Result<OrderView> {
        let order = self.stored_order(id).await?;
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        let tx = order_transaction(&order.id);
        let mut productions = Vec::new();
        for lot in views.inventory.lots() {
            for e in lot.ledger.iter().filter(|e| e.flow == Flow::Produced) {
                if e.transactions.iter().any(|(_, t)| *t == tx) {
                    productions.push(OrderProduction {
                        event_id: e.event.clone(),
                        lot: lot.id.clone(),
                        time: e.time,
                        quantity: e.quantity,
                    });
                }
            }
        }
        drop(views);
        productions.sort_by(|a, b| (a.time, &a.event_id).cmp(&(b.time, &b.event_id)));
        let produced = productions.iter().filter_map(|p| p.quantity).sum();
        let effective_status = match order.status {
            s if s.is_open() && !productions.is_empty() => "in_progress",
            s => s.as_str(),
        };
        Ok(OrderView {
            order,
            effective_status,
            produced,
            productions,
        })
    }

    pub async fn orders(&self) -> Result<Vec<Order>> {
        self.store
            .orders()
            .await?
            .into_iter()
            .map(order_of)
            .collect()
    }

    /// Changes an order's status (planned → released → closed; either → cancelled).
    pub async fn set_order_status(&self, id: &str, status: &str) -> Result<Order> {
        let to = OrderStatus::parse("status", status)?;
        let mut order = self.stored_order(id).await?;
        let from = order.status;
        from.check_change(to)?;
        order.status = to;
        let body = serde_json::to_value(&order).map_err(|e| corrupt("production order", e))?;
        if !self
            .store
            .update_order_status(id, from.as_str(), to.as_str(), &body)
            .await?
        {
            return Err(DomainError::refused(
                "order_conflict",
                format!("order {id} changed meanwhile; read it and try again"),
            )
            .into());
        }
        Ok(order)
    }

    /// FEFO input lots for `quantity` of the order's output.
    pub async fn order_proposal(&self, id: &str, quantity: Qty) -> Result<Proposal> {
        if !quantity.is_positive() {
            return Err(DomainError::field("quantity", "must be more than zero").into());
        }
        let order = self.stored_order(id).await?;
        let bom = self.bom(&order.bom, Some(order.bom_version)).await?;
        let views = {
            let mut views = self.views.lock().await;
            self.catch_up(&mut views).await?;
            views
        };
        let today = self.config.offset_date(Timestamp::now());
        propose(&views, &order, &bom, quantity, today)
    }

    /// For a produce operation against an order: the operation with its inputs (proposed by
    /// FEFO when none were given), line and prodorder transaction filled in and the BOM
    /// check's result attached; None for any other operation.
    pub(crate) async fn check_order_run(
        &self,
        views: &Views,
        operation: &Operation,
    ) -> Result<Option<(Operation, CheckedRun)>> {
        let Operation::Produce(p) = operation else {
            return Ok(None);
        };
        let Some(order_id) = &p.order else {
            return Ok(None);
        };
        let order = self.stored_order(order_id).await.map_err(|e| match e {
            AppError::Domain(DomainError::NotFound { .. }) => AppError::Domain(DomainError::field(
                "order",
                format!("no production order {order_id:?}"),
            )),
            other => other,
        })?;
        let bom = self.bom(&order.bom, Some(order.bom_version)).await?;
        let today = self
            .config
            .offset_date(p.time.unwrap_or_else(Timestamp::now));
        let mut p: Produce = p.clone();
        if p.inputs.is_empty() {
            let proposal = propose(views, &order, &bom, p.quantity, today)?;
            if let Some((component, missing)) = proposal.short.first() {
                return Err(DomainError::refused(
                    "insufficient_stock",
                    format!(
                        "inputs: no input lines were given and the stock of {component} (or its substitutes) is short by {missing} for {} {}",
                        p.quantity, order.uom
                    ),
                )
                .into());
            }
            p.inputs = proposal
                .lines
                .into_iter()
                .map(|l| LotLine {
                    product: l.product,
                    lot: l.lot,
                    quantity: l.quantity,
                    uom: None,
                    location: Some(l.location),
                })
                .collect();
        }
        if p.line.is_none() {
            p.line.clone_from(&order.line);
        }
        match &p.production_order {
            None => p.production_order = Some(order.id.clone()),
            Some(given) if *given != order.id => {
                return Err(DomainError::field(
                    "production_order",
                    format!(
                        "{given:?} is not the order this runs against ({})",
                        order.id
                    ),
                )
                .into());
            }
            Some(_) => {}
        }
        let run = check_run(&order, &bom, &p, &views.catalog, &views.inventory, today)?;
        p.order_check = Some(OrderCheck {
            extensions: run.extensions(),
            overridden_inputs: run.overridden_inputs.clone(),
        });
        Ok(Some((Operation::Produce(p), run)))
    }

    /// The electronic batch record of a produced lot (any spelling of its identifier).
    pub async fn batch_record(&self, lot_id: &str) -> Result<BatchRecord> {
        let stored = self.store.events_naming(lot_id, MAX_RECORD_EVENTS).await?;
        let events: Vec<_> = stored.into_iter().map(|s| s.event).collect();
        let mut boms = BTreeMap::new();
        let mut orders = BTreeMap::new();
        for (order, code, version) in referenced(&events) {
            if let Some(row) = self.store.bom_version(&code, version).await? {
                boms.insert((code, version), bom_of(row)?);
            }
            if let Some(row) = self.store.order(&order).await? {
                orders.insert(order, order_of(row)?);
            }
        }
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        let lot = views
            .inventory
            .lot(lot_id)
            .cloned()
            .ok_or_else(|| DomainError::not_found("lot", lot_id))?;
        if !lot.produced.is_positive() {
            return Err(DomainError::refused(
                "not_produced",
                format!("lot {lot_id} was not produced here: it has no batch record"),
            )
            .into());
        }
        let mut input_lots: BTreeMap<String, LotState> = BTreeMap::new();
        for e in &events {
            for q in e.input_quantity_list.iter().flatten() {
                if let Some(state) = views.inventory.lot(&q.epc_class) {
                    input_lots.insert(q.epc_class.clone(), state.clone());
                }
            }
        }
        let catalog = views.catalog.clone();
        drop(views);
        let now = Timestamp::now();
        Ok(BatchRecord::build(&RecordSources {
            catalog: &catalog,
            lot: &lot,
            events: &events,
            input_lots: &input_lots,
            boms: &boms,
            orders: &orders,
            today: self.config.offset_date(now),
            now,
        }))
    }

    /// Every BOM version and every production that used `product` (a component product) or
    /// the lots received with supplier lot `supplier_lot`.
    pub async fn where_used(
        &self,
        product: Option<&str>,
        supplier_lot: Option<&str>,
    ) -> Result<WhereUsed> {
        let (lots, products) = {
            let mut views = self.views.lock().await;
            self.catch_up(&mut views).await?;
            let catalog = &views.catalog;
            let lots: Vec<LotState> = match (product, supplier_lot) {
                (Some(code), None) => {
                    let p = catalog.products.get(code).ok_or_else(|| {
                        DomainError::field("product", format!("no product with code {code:?}"))
                    })?;
                    let prefix = p.lot_uri("");
                    views
                        .inventory
                        .lots()
                        .filter(|l| l.id.starts_with(&prefix))
                        .cloned()
                        .collect()
                }
                (None, Some(code)) => {
                    lotrace_core::master::check_lot_code("supplier_lot", code)?;
                    views
                        .inventory
                        .lots()
                        .filter(|l| {
                            l.attributes
                                .get("lotrace:supplierLot")
                                .and_then(Value::as_str)
                                == Some(code)
                        })
                        .cloned()
                        .collect()
                }
                _ => {
                    return Err(DomainError::field(
                        "product",
                        "give either product or supplier_lot",
                    )
                    .into());
                }
            };
            let mut products: Vec<String> = match product {
                Some(p) => vec![p.to_owned()],
                None => lots
                    .iter()
                    .filter_map(|l| catalog.product_of_lot(&l.id).map(|p| p.code.clone()))
                    .collect(),
            };
            products.sort();
            products.dedup();
            let refs: Vec<&LotState> = lots.iter().collect();
            (consumptions(catalog, &refs), products)
        };
        let all: Vec<Bom> = self
            .store
            .all_bom_versions()
            .await?
            .into_iter()
            .map(bom_of)
            .collect::<Result<_>>()?;
        let boms = products.iter().flat_map(|p| bom_uses(&all, p)).collect();
        let mut productions = lots;
        productions.truncate(MAX_WHERE_USED_PRODUCTIONS);
        let mut cache: BTreeMap<String, Option<lotrace_epcis::Event>> = BTreeMap::new();
        for use_ in &mut productions {
            if !cache.contains_key(&use_.event_id) {
                let event = self
                    .store
                    .events_by_id(&use_.event_id)
                    .await?
                    .into_iter()
                    .next()
                    .map(|s| s.event);
                cache.insert(use_.event_id.clone(), event);
            }
            if let Some(Some(event)) = cache.get(&use_.event_id) {
                use_.with_batch(event);
            }
        }
        Ok(WhereUsed {
            product: product.map(str::to_owned),
            supplier_lot: supplier_lot.map(str::to_owned),
            boms,
            productions,
        })
    }
}

/// FEFO lots for every lot-tracked component (then its substitutes) of `quantity` output.
fn propose(
    views: &Views,
    order: &Order,
    bom: &Bom,
    quantity: Qty,
    today: jiff::civil::Date,
) -> Result<Proposal> {
    let mut lines = Vec::new();
    let mut short = Vec::new();
    for c in bom.components.iter().filter(|c| c.lot_tracked) {
        let mut left = lotrace_bom::check::mul(c.quantity_per_unit, quantity);
        let candidates = std::iter::once((c.product.clone(), c.quantity_per_unit)).chain(
            c.substitutes.iter().map(|s| {
                (
                    s.product.clone(),
                    s.quantity_per_unit.unwrap_or(c.quantity_per_unit),
                )
            }),
        );
        for (product_code, per_unit) in candidates {
            if !left.is_positive() {
                break;
            }
            // `left` is in component units; this product's need in its own units.
            let need = lotrace_bom::check::div(
                lotrace_bom::check::mul(left, per_unit),
                c.quantity_per_unit,
            )
            .unwrap_or_default();
            let Some(product) = views.catalog.products.get(&product_code) else {
                continue;
            };
            let picks = lotrace_core::ops::suggest_picks(
                &views.catalog,
                &views.inventory,
                &product_code,
                need,
                None,
                today,
            )?;
            let mut taken = Qty::ZERO;
            for pick in picks {
                let location = views
                    .catalog
                    .location_by_uri(&pick.location)
                    .map(|l| l.code.clone())
                    .unwrap_or(pick.location);
                lines.push(ProposedLine {
                    component: c.product.clone(),
                    product: product_code.clone(),
                    lot: product.lot_code_of(&pick.lot).unwrap_or(pick.lot),
                    quantity: pick.quantity,
                    location,
                });
                taken += pick.quantity;
            }
            let covered = lotrace_bom::check::div(
                lotrace_bom::check::mul(taken, c.quantity_per_unit),
                per_unit,
            )
            .unwrap_or_default();
            left -= covered.min(left);
        }
        if left.is_positive() {
            short.push((c.product.clone(), left));
        }
    }
    Ok(Proposal {
        order: order.id.clone(),
        quantity,
        lines,
        short,
    })
}
