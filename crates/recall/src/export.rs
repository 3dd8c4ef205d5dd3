//! The impact as tables, for CSV, XLSX and PDF (rendered by lotrace-report).

use lotrace_core::Qty;
use lotrace_report::{Cell, Column, Report, Table};

use crate::UnitBalance;
use crate::impact::{AffectedLot, Impact, Movement};

fn qty(q: Qty) -> Cell {
    Cell::Number(q.micro_units() as f64 / 1_000_000.0)
}

fn opt_qty(q: Option<Qty>) -> Cell {
    q.map_or(Cell::Empty, qty)
}

fn sum(list: &[Movement]) -> Qty {
    list.iter().filter_map(|m| m.quantity).sum()
}

/// "SALAD S1" when the product is ours, else the identifier.
fn lot_label(lot: &AffectedLot) -> String {
    match (&lot.product, &lot.lot) {
        (Some(p), Some(l)) => format!("{p} {l}"),
        _ => lot.id.clone(),
    }
}

fn transactions(list: &[(Option<String>, String)]) -> String {
    list.iter()
        .map(|(kind, id)| match kind {
            Some(k) => format!("{k}: {id}"),
            None => id.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One row per affected lot: where its stock is and where it went.
pub fn lots_table(impact: &Impact) -> Table {
    let mut table = Table::new(
        "Affected lots",
        vec![
            Column::text("Lot"),
            Column::text("Product name"),
            Column::text("Relation"),
            Column::text("Status"),
            Column::text("Unit"),
            Column::number("On hand"),
            Column::text("On hand at"),
            Column::number("In transit"),
            Column::number("Shipped"),
            Column::number("Consumed"),
            Column::number("Scrapped"),
            Column::number("Returned"),
            Column::text("Balance closes"),
            Column::text("Identifier"),
        ],
    );
    for lot in &impact.lots {
        let places: Vec<String> = lot
            .on_hand
            .iter()
            .map(|p| {
                let name = p.name.as_deref().unwrap_or(&p.location);
                format!("{name}: {}", p.quantity)
            })
            .collect();
        table.rows.push(vec![
            lot_label(lot).into(),
            lot.product_name.clone().into(),
            lot.relation.as_str().into(),
            lot.status.clone().into(),
            lot.uom.clone().into(),
            qty(lot.on_hand_total()),
            places.join("; ").into(),
            qty(lot.in_transit.iter().map(|p| p.quantity).sum()),
            qty(sum(&lot.shipped)),
            qty(sum(&lot.consumed)),
            qty(sum(&lot.scrapped)),
            qty(sum(&lot.returned)),
            (if lot.balance.closes { "yes" } else { "no" }).into(),
            lot.id.clone().into(),
        ]);
    }
    table
}

/// One row per shipment of an affected lot to a customer: the notification list.
pub fn customers_table(impact: &Impact) -> Table {
    let mut table = Table::new(
        "Customers",
        vec![
            Column::text("Customer"),
            Column::text("Customer name"),
            Column::text("Ship to"),
            Column::text("Lot"),
            Column::number("Quantity"),
            Column::text("Unit"),
            Column::datetime("Shipped at"),
            Column::text("Container"),
            Column::text("Orders and invoices"),
            Column::text("Event"),
        ],
    );
    for c in &impact.customers {
        for line in &c.lines {
            let lot = impact
                .lots
                .iter()
                .find(|l| l.id == line.lot)
                .map(lot_label)
                .unwrap_or_else(|| line.lot.clone());
            table.rows.push(vec![
                c.code.clone().unwrap_or_else(|| c.id.clone()).into(),
                c.name.clone().into(),
                line.ship_to.clone().into(),
                lot.into(),
                opt_qty(line.quantity),
                line.uom.clone().into(),
                line.time.into(),
                line.via.clone().into(),
                transactions(&line.transactions).into(),
                line.event.clone().into(),
            ]);
        }
    }
    table
}

/// The columns of one unit's mass balance, as every balance table shows them.
pub fn balance_columns() -> [Column; 9] {
    [
        Column::number("Received"),
        Column::number("Produced"),
        Column::number("Returned"),
        Column::number("Adjusted"),
        Column::number("On hand"),
        Column::number("Shipped"),
        Column::number("Consumed"),
        Column::number("Scrapped"),
        Column::number("Difference"),
    ]
}

/// One unit's mass balance as cells, in `balance_columns` order.
pub fn balance_cells(u: &UnitBalance) -> [Cell; 9] {
    [
        u.received,
        u.produced,
        u.returned,
        u.adjusted,
        u.on_hand,
        u.shipped,
        u.consumed,
        u.scrapped,
        u.difference,
    ]
    .map(qty)
}

/// One row per affected lot and unit: the mass balance and what keeps it from closing.
pub fn balance_table(impact: &Impact) -> Table {
    let mut table = Table::new(
        "Mass balance",
        vec![Column::text("Lot"), Column::text("Unit")]
            .into_iter()
            .chain(balance_columns())
            .chain([Column::text("Closes"), Column::text("Issues")])
            .collect(),
    );
    for lot in &impact.lots {
        let issues: Vec<String> = lot
            .balance
            .issues
            .iter()
            .map(|i| format!("{} (events: {})", i.message, i.events.join(", ")))
            .collect();
        for u in &lot.balance.units {
            let mut row = vec![lot_label(lot).into(), u.uom.clone().into()];
            row.extend(balance_cells(u));
            row.push((if lot.balance.closes { "yes" } else { "no" }).into());
            row.push(issues.join(" | ").into());
            table.rows.push(row);
        }
    }
    table
}

/// For each origin: its sources one step down and its destinations one step up.
pub fn one_up_one_down_table(impact: &Impact) -> Table {
    let mut table = Table::new(
        "One up one down",
        vec![
            Column::text("Origin"),
            Column::text("Step"),
            Column::text("Party or lots"),
            Column::number("Quantity"),
            Column::text("Unit"),
            Column::datetime("Time"),
            Column::text("Orders and invoices"),
            Column::text("Event"),
        ],
    );
    for ud in &impact.one_up_one_down {
        for (step, list) in [("one down", &ud.one_down), ("one up", &ud.one_up)] {
            for m in list {
                let who = m
                    .party_code
                    .clone()
                    .or_else(|| m.party.clone())
                    .or_else(|| m.to_location.clone())
                    .unwrap_or_else(|| m.related.join(", "));
                table.rows.push(vec![
                    ud.lot.clone().into(),
                    step.into(),
                    who.into(),
                    opt_qty(m.quantity),
                    m.uom.clone().into(),
                    m.time.into(),
                    transactions(&m.transactions).into(),
                    m.event.clone().into(),
                ]);
            }
        }
    }
    table
}

/// The names of the tables a CSV export can be, for [`table`].
pub const TABLES: [&str; 4] = ["lots", "customers", "balance", "one_up_one_down"];

/// One table of the impact by its name in [`TABLES`].
pub fn table(impact: &Impact, name: &str) -> Option<Table> {
    Some(match name {
        "lots" => lots_table(impact),
        "customers" => customers_table(impact),
        "balance" => balance_table(impact),
        "one_up_one_down" => one_up_one_down_table(impact),
        _ => return None,
    })
}

/// The whole impact as one report: `lines` say which recall (or drill) it is.
pub fn impact_report(title: &str, lines: Vec<(String, String)>, impact: &Impact) -> Report {
    let mut report = Report::new(title);
    report.lines = lines;
    for t in &impact.totals {
        report.lines.push((
            format!("Totals ({})", t.uom),
            format!(
                "{} lots; on hand {}, in transit {}, shipped {}, consumed {}, scrapped {}, \
                 returned {}; {:.1} % accounted for",
                t.lots,
                t.on_hand,
                t.in_transit,
                t.shipped,
                t.consumed,
                t.scrapped,
                t.returned,
                t.accounted_share * 100.0
            ),
        ));
    }
    report.lines.push((
        "Customers to notify".into(),
        impact.customers.len().to_string(),
    ));
    report.tables = vec![
        lots_table(impact),
        customers_table(impact),
        one_up_one_down_table(impact),
        balance_table(impact),
    ];
    report
}
