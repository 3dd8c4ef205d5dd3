//! Mass balance of one lot, per unit of measure:
//! received + produced + returned + adjusted = on hand + shipped + consumed + scrapped.
//!
//! The ledger always adds up, so a balance that does not close means the events do not tell
//! the whole story: stock left a place it never arrived at (the on-hand balance there is
//! negative, and physical stock cannot be), a stock step named the lot without a quantity,
//! or quantities came in another unit than the lot's own. Each is an issue with the events
//! that explain it.

use std::collections::BTreeMap;

use lotrace_core::Qty;
use lotrace_core::inventory::{Flow, LotState};
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct UnitBalance {
    pub uom: String,
    pub received: Qty,
    pub produced: Qty,
    pub returned: Qty,
    /// Net change from cycle counts (negative: found less).
    pub adjusted: Qty,
    /// Physical stock: the positive balances at each location.
    pub on_hand: Qty,
    pub shipped: Qty,
    pub consumed: Qty,
    pub scrapped: Qty,
    /// In minus out minus on hand: zero when the balance closes.
    pub difference: Qty,
}

impl UnitBalance {
    /// What came in (received + produced + returned + a positive adjustment).
    pub fn inflow(&self) -> Qty {
        let gain = if self.adjusted.is_positive() {
            self.adjusted
        } else {
            Qty::ZERO
        };
        self.received + self.produced + self.returned + gain
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// More went out of a location than came in.
    NegativeOnHand,
    /// A stock step named the lot without a quantity.
    Unquantified,
    /// Quantities in a unit other than the lot's.
    OtherUnit,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BalanceIssue {
    pub kind: IssueKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The events that explain it, in ledger order.
    pub events: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MassBalance {
    pub closes: bool,
    /// The lot's own unit first.
    pub units: Vec<UnitBalance>,
    pub issues: Vec<BalanceIssue>,
}

/// The mass balance of one lot from its ledger and on-hand balances.
pub fn mass_balance(lot: &LotState) -> MassBalance {
    let own_unit = lot.uom.clone().unwrap_or_default();
    let mut units: BTreeMap<String, UnitBalance> = BTreeMap::new();
    let mut issues = Vec::new();
    let mut unquantified = Vec::new();
    let mut other_unit: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in &lot.ledger {
        let uom = entry.uom.clone().unwrap_or_else(|| own_unit.clone());
        let Some(q) = entry.quantity else {
            if entry.flow == Flow::Named {
                unquantified.push(entry.event.clone());
            }
            continue;
        };
        if uom != own_unit {
            other_unit
                .entry(uom.clone())
                .or_default()
                .push(entry.event.clone());
        }
        let unit = units.entry(uom.clone()).or_insert_with(|| UnitBalance {
            uom,
            ..UnitBalance::default()
        });
        match entry.flow {
            Flow::Received => unit.received += q,
            Flow::Produced => unit.produced += q,
            Flow::Returned => unit.returned += q,
            Flow::Shipped => unit.shipped += q,
            Flow::Consumed => unit.consumed += q,
            Flow::Scrapped => unit.scrapped += q,
            Flow::Adjusted => unit.adjusted += q,
            Flow::Moved | Flow::Named => {}
        }
    }
    // On-hand balances are kept in the lot's own unit.
    let own = units
        .entry(own_unit.clone())
        .or_insert_with(|| UnitBalance {
            uom: own_unit.clone(),
            ..UnitBalance::default()
        });
    for (location, q) in &lot.on_hand {
        if q.is_positive() {
            own.on_hand += *q;
        } else if q.is_negative() {
            let events = lot
                .ledger
                .iter()
                .filter(|e| {
                    e.location.as_deref() == Some(location)
                        || e.to_location.as_deref() == Some(location)
                })
                .map(|e| e.event.clone())
                .collect();
            issues.push(BalanceIssue {
                kind: IssueKind::NegativeOnHand,
                message: format!(
                    "{} {own_unit} more left {location} than arrived there: an event that \
                     brought it there is missing",
                    -*q
                ),
                location: Some(location.clone()),
                events,
            });
        }
    }
    if !unquantified.is_empty() {
        issues.push(BalanceIssue {
            kind: IssueKind::Unquantified,
            message: format!(
                "{} event(s) moved the lot without saying how much",
                unquantified.len()
            ),
            location: None,
            events: unquantified,
        });
    }
    for (uom, events) in other_unit {
        issues.push(BalanceIssue {
            kind: IssueKind::OtherUnit,
            message: format!(
                "quantities in {uom}, not the lot's unit {own_unit}: on hand is counted in \
                 {own_unit} only"
            ),
            location: None,
            events,
        });
    }
    let mut units: Vec<UnitBalance> = units.into_values().collect();
    for u in &mut units {
        u.difference = u.received + u.produced + u.returned + u.adjusted
            - u.on_hand
            - u.shipped
            - u.consumed
            - u.scrapped;
    }
    units.sort_by_key(|u| u.uom != own_unit);
    let closes = issues.is_empty() && units.iter().all(|u| u.difference.is_zero());
    MassBalance {
        closes,
        units,
        issues,
    }
}
