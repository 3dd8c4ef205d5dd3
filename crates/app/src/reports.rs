//! Reports over the views: a lot's history (attributes, ledger, trace, mass balance) and
//! the inventory with expiry, as `lotrace-report` documents (PDF, XLSX, CSV).

use jiff::Timestamp;
use jiff::civil::Date;
use lotrace_core::inventory::LotState;
use lotrace_core::{DomainError, Qty};
use lotrace_report::{Cell, Column, Report, Table};
use lotrace_trace::Direction;

use crate::{App, Result};

/// The longest expiry horizon an inventory report takes.
pub const MAX_EXPIRY_DAYS: u32 = 3_650;
/// The most related lots the lot history lists per direction.
pub const MAX_TRACE_LOTS: usize = 10_000;

fn qty(q: Qty) -> Cell {
    Cell::Number(q.micro_units() as f64 / 1_000_000.0)
}

fn label(catalog: &lotrace_core::catalog::Catalog, id: &str) -> (String, String) {
    match catalog.product_of_lot(id) {
        Some(p) => (
            p.code.clone(),
            p.lot_code_of(id).unwrap_or_else(|| id.to_owned()),
        ),
        None => (String::new(), id.to_owned()),
    }
}

impl App {
    /// One lot's history: attributes, every ledger entry, the lots it came from and went
    /// into, its mass balance per unit.
    pub async fn lot_history(&self, lot: &str) -> Result<Report> {
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        let id = crate::compliance::resolve_lot(&views.catalog, "lot", lot)?;
        let state: LotState = views
            .inventory
            .lot(&id)
            .cloned()
            .ok_or_else(|| DomainError::field("lot", format!("no lot {lot:?} is known")))?;
        let today = self.config.offset_date(Timestamp::now());
        let (product, code) = label(&views.catalog, &state.id);
        let mut report = Report::new(format!("Lot history: {product} {code}"));
        let product_name = views
            .catalog
            .products
            .get(&product)
            .map(|p| p.name.clone())
            .unwrap_or_default();
        let balance = lotrace_recall::mass_balance(&state);
        report.lines = vec![
            ("Lot".into(), code.clone()),
            ("Product".into(), format!("{product_name} ({product})")),
            ("Identifier".into(), state.id.clone()),
            ("Status".into(), state.status(today).to_owned()),
            (
                "Expiry".into(),
                state.expiry.map(|d| d.to_string()).unwrap_or_default(),
            ),
            (
                "On hand".into(),
                format!(
                    "{} {}",
                    state.on_hand_total(),
                    state.uom.clone().unwrap_or_default()
                ),
            ),
            (
                "Mass balance".into(),
                if balance.closes {
                    "closes".into()
                } else {
                    format!("does not close ({} issues)", balance.issues.len())
                },
            ),
            ("Generated".into(), Timestamp::now().to_string()),
        ];
        if let Some(reason) = &state.hold_reason {
            report.lines.push(("Hold reason".into(), reason.clone()));
        }

        let mut attributes = Table::new(
            "Attributes",
            vec![Column::text("Attribute"), Column::text("Value")],
        );
        for (key, value) in &state.attributes {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            attributes
                .rows
                .push(vec![Cell::from(key.as_str()), Cell::Text(text)]);
        }
        report.tables.push(attributes);

        let mut events = Table::new(
            "Events",
            vec![
                Column::datetime("Time (UTC)"),
                Column::text("What"),
                Column::number("Quantity"),
                Column::text("Unit"),
                Column::text("Location"),
                Column::text("To"),
                Column::text("Party"),
                Column::text("Container"),
                Column::text("Documents"),
                Column::text("Related lots"),
                Column::text("Event ID"),
            ],
        );
        for e in &state.ledger {
            let location = |l: &Option<String>| -> Cell {
                match l {
                    Some(uri) => Cell::Text(
                        views
                            .catalog
                            .location_by_uri(uri)
                            .map(|l| l.code.clone())
                            .unwrap_or_else(|| uri.clone()),
                    ),
                    None => Cell::Empty,
                }
            };
            let related: Vec<String> = e
                .related
                .iter()
                .map(|r| {
                    let (p, c) = label(&views.catalog, r);
                    if p.is_empty() { c } else { format!("{p} {c}") }
                })
                .collect();
            let documents: Vec<String> = e
                .transactions
                .iter()
                .map(|(kind, id)| match kind {
                    Some(k) => format!("{k} {id}"),
                    None => id.clone(),
                })
                .collect();
            let join = |v: Vec<String>| {
                if v.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(v.join("; "))
                }
            };
            events.rows.push(vec![
                Cell::DateTime(e.time),
                Cell::Text(format!("{:?}", e.flow).to_lowercase()),
                e.quantity.map_or(Cell::Empty, qty),
                Cell::from(e.uom.clone()),
                location(&e.location),
                location(&e.to_location),
                Cell::from(e.party.clone()),
                Cell::from(e.via.clone()),
                join(documents),
                join(related),
                Cell::Text(e.event.clone()),
            ]);
        }
        report.tables.push(events);

        let mut trace = Table::new(
            "Trace",
            vec![
                Column::text("Direction"),
                Column::text("Product"),
                Column::text("Lot"),
                Column::text("Status"),
                Column::text("Identifier"),
            ],
        );
        if views.trace.contains(&state.id) {
            for (direction, word) in [
                (Direction::Backward, "came from"),
                (Direction::Forward, "went into"),
            ] {
                let lots = views.trace.reach(&state.id, direction)?;
                for other in lots.iter().filter(|l| **l != state.id).take(MAX_TRACE_LOTS) {
                    let (p, c) = label(&views.catalog, other);
                    let status = views
                        .inventory
                        .lot(other)
                        .map(|l| l.status(today).to_owned());
                    trace.rows.push(vec![
                        Cell::from(word),
                        Cell::Text(p),
                        Cell::Text(c),
                        Cell::from(status),
                        Cell::Text(other.clone()),
                    ]);
                }
            }
        }
        report.tables.push(trace);

        let mut units = Table::new(
            "Mass balance",
            std::iter::once(Column::text("Unit"))
                .chain(lotrace_recall::export::balance_columns())
                .collect(),
        );
        for u in &balance.units {
            let mut row = vec![Cell::Text(u.uom.clone())];
            row.extend(lotrace_recall::export::balance_cells(u));
            units.rows.push(row);
        }
        report.tables.push(units);
        if !balance.issues.is_empty() {
            let mut issues = Table::new(
                "Balance issues",
                vec![
                    Column::text("Issue"),
                    Column::text("Location"),
                    Column::text("Events"),
                ],
            );
            for i in &balance.issues {
                issues.rows.push(vec![
                    Cell::Text(i.message.clone()),
                    Cell::from(i.location.clone()),
                    Cell::Text(i.events.join("; ")),
                ]);
            }
            report.tables.push(issues);
        }
        Ok(report)
    }

    /// Stock by lot and location with status and expiry, and the lots on hand that
    /// expire within `expiring_within_days` (already expired ones included).
    pub async fn inventory_report(&self, expiring_within_days: u32) -> Result<Report> {
        if expiring_within_days > MAX_EXPIRY_DAYS {
            return Err(DomainError::field(
                "expiring_within_days",
                format!("at most {MAX_EXPIRY_DAYS} days"),
            )
            .into());
        }
        let mut views = self.views.lock().await;
        self.catch_up(&mut views).await?;
        let today = self.config.offset_date(Timestamp::now());
        let horizon = today
            .checked_add(jiff::Span::new().days(i64::from(expiring_within_days)))
            .unwrap_or(Date::MAX);
        let columns = || {
            vec![
                Column::text("Product"),
                Column::text("Product name"),
                Column::text("Lot"),
                Column::text("Location"),
                Column::number("On hand"),
                Column::text("Unit"),
                Column::text("Status"),
                Column::date("Expiry"),
                Column::number("Days to expiry"),
                Column::text("Identifier"),
            ]
        };
        let mut stock = Table::new("Inventory", columns());
        let mut expiring = Table::new("Expiring", columns());
        let mut lots: Vec<&LotState> = views.inventory.lots().collect();
        lots.sort_by(|a, b| {
            (a.expiry.is_none(), a.expiry, &a.id).cmp(&(b.expiry.is_none(), b.expiry, &b.id))
        });
        let mut total_lines = 0usize;
        for lot in lots {
            let (product, code) = label(&views.catalog, &lot.id);
            let name = views
                .catalog
                .products
                .get(&product)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            for (location, on_hand) in lot.on_hand.iter().filter(|(_, q)| q.is_positive()) {
                total_lines += 1;
                let place = views
                    .catalog
                    .location_by_uri(location)
                    .map(|l| l.code.clone())
                    .unwrap_or_else(|| location.clone());
                let days = lot.expiry.map(|e| (e - today).get_days() as i64);
                let row = vec![
                    Cell::Text(product.clone()),
                    Cell::Text(name.clone()),
                    Cell::Text(code.clone()),
                    Cell::Text(place),
                    qty(*on_hand),
                    Cell::from(lot.uom.clone()),
                    Cell::from(lot.status(today)),
                    Cell::from(lot.expiry),
                    Cell::from(days),
                    Cell::Text(lot.id.clone()),
                ];
                if lot.expiry.is_some_and(|e| e <= horizon) {
                    expiring.rows.push(row.clone());
                }
                stock.rows.push(row);
            }
        }
        let mut report = Report::new("Inventory and expiry");
        report.lines = vec![
            ("Date".into(), today.to_string()),
            ("Stock lines".into(), total_lines.to_string()),
            (
                "Expiring".into(),
                format!(
                    "{} lines expire by {horizon} (within {expiring_within_days} days, or already expired)",
                    expiring.rows.len()
                ),
            ),
            ("Generated".into(), Timestamp::now().to_string()),
        ];
        report.tables.push(stock);
        report.tables.push(expiring);
        Ok(report)
    }
}
