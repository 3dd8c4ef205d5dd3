//! The impact of a recall: every affected lot downstream of the origins, where its stock is,
//! where it went and to whom, what it became, and whether its mass balance closes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use lotrace_core::Qty;
use lotrace_core::catalog::Catalog;
use lotrace_core::inventory::{Flow, HoldState, LedgerEntry, LotState};
use lotrace_core::ops::RecallHold;
use lotrace_trace::{Direction, TraceError};
use serde::Serialize;

use crate::balance::{MassBalance, mass_balance};
use crate::{MAX_AFFECTED_LOTS, RecallError, Views, canonical};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LotRelation {
    /// Named by the recall's scope.
    Origin,
    /// Made from an input an origin was made from (when the recall is widened).
    Sibling,
    /// Made from, or packed with, an origin or a sibling, directly or not.
    Downstream,
}

impl LotRelation {
    pub fn as_str(self) -> &'static str {
        match self {
            LotRelation::Origin => "origin",
            LotRelation::Sibling => "sibling",
            LotRelation::Downstream => "downstream",
        }
    }
}

/// A quantity at a place.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Place {
    pub location: String,
    /// The location's name when it is one of ours, or the party's whose location it is.
    pub name: Option<String>,
    pub quantity: Qty,
}

/// One ledger line of an affected lot, with names resolved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Movement {
    pub event: String,
    pub time: Timestamp,
    pub quantity: Option<Qty>,
    pub uom: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_location: Option<String>,
    /// The counterparty: a shipment's customer, a receipt's supplier, a return's customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// (type, id): orders, invoices, despatch advices, RMAs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transactions: Vec<(Option<String>, String)>,
    /// Consumed: the lots made from it; produced: the lots it was made from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AffectedLot {
    pub id: String,
    pub relation: LotRelation,
    pub product: Option<String>,
    pub product_name: Option<String>,
    /// The lot number.
    pub lot: Option<String>,
    pub uom: Option<String>,
    pub status: String,
    pub hold_reason: Option<String>,
    pub expiry: Option<Date>,
    pub on_hand: Vec<Place>,
    pub in_transit: Vec<Place>,
    pub received: Vec<Movement>,
    pub produced: Vec<Movement>,
    pub shipped: Vec<Movement>,
    pub consumed: Vec<Movement>,
    pub scrapped: Vec<Movement>,
    pub returned: Vec<Movement>,
    pub balance: MassBalance,
}

impl AffectedLot {
    pub fn on_hand_total(&self) -> Qty {
        self.on_hand.iter().map(|p| p.quantity).sum()
    }
}

/// One shipment of an affected lot to a customer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomerLine {
    pub lot: String,
    pub product: Option<String>,
    pub quantity: Option<Qty>,
    pub uom: Option<String>,
    pub time: Timestamp,
    pub event: String,
    pub ship_from: Option<String>,
    pub ship_to: Option<String>,
    pub via: Option<String>,
    pub transactions: Vec<(Option<String>, String)>,
}

/// A customer to notify, with everything affected it received.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Customer {
    /// The party's identifier (or the ship-to location's, when the event named no party).
    pub id: String,
    pub code: Option<String>,
    pub name: Option<String>,
    pub ship_to: Vec<String>,
    pub lines: Vec<CustomerLine>,
    /// Total quantity per unit.
    pub totals: BTreeMap<String, Qty>,
}

/// What regulators ask first: for each origin, where it came from (one down) and where it
/// went (one up).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OneUpOneDown {
    pub lot: String,
    /// Receipts (with the supplier) and the lots it was made from.
    pub one_down: Vec<Movement>,
    /// Shipments (with the customer) and the lots made from it.
    pub one_up: Vec<Movement>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct UnitTotals {
    pub uom: String,
    pub lots: u32,
    pub on_hand: Qty,
    pub in_transit: Qty,
    pub shipped: Qty,
    pub consumed: Qty,
    pub scrapped: Qty,
    pub returned: Qty,
    /// Inflow of every affected lot (received, produced, returned, counted up).
    pub inflow: Qty,
    /// The share of the inflow that the events account for (1.0: every balance closes).
    pub accounted_share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Impact {
    pub origins: Vec<String>,
    /// Lots added by widening to siblings.
    pub siblings: Vec<String>,
    /// Origins first, then siblings, then downstream lots; each group sorted by id.
    pub lots: Vec<AffectedLot>,
    pub customers: Vec<Customer>,
    pub one_up_one_down: Vec<OneUpOneDown>,
    pub totals: Vec<UnitTotals>,
    /// Affected lots whose mass balance does not close.
    pub lots_not_closing: Vec<String>,
}

/// Names of our locations and of parties and their locations, by canonical URI.
struct Names<'a> {
    locations: HashMap<String, &'a str>,
    parties: HashMap<String, (&'a str, &'a str)>,
}

impl<'a> Names<'a> {
    fn new(catalog: &'a Catalog) -> Names<'a> {
        let locations = catalog
            .locations
            .values()
            .map(|l| (canonical(&l.uri()), l.name.as_str()))
            .collect();
        let mut parties = HashMap::new();
        for p in catalog.parties.values() {
            let names = (p.code.as_str(), p.name.as_str());
            parties.insert(canonical(&p.location_uri()), names);
            parties.insert(canonical(&p.uri()), names);
        }
        Names { locations, parties }
    }

    fn place(&self, location: &str, quantity: Qty) -> Place {
        let name = self
            .locations
            .get(location)
            .or_else(|| self.parties.get(location).map(|(_, name)| name))
            .map(|n| (*n).to_owned());
        Place {
            location: location.to_owned(),
            name,
            quantity,
        }
    }

    fn movement(&self, e: &LedgerEntry) -> Movement {
        let party = e.party.as_ref().or(e.to_location.as_ref());
        let names = party.and_then(|p| self.parties.get(p));
        Movement {
            event: e.event.clone(),
            time: e.time,
            quantity: e.quantity,
            uom: e.uom.clone(),
            location: e.location.clone(),
            to_location: e.to_location.clone(),
            party: e.party.clone(),
            party_code: names.map(|(code, _)| (*code).to_owned()),
            party_name: names.map(|(_, name)| (*name).to_owned()),
            via: e.via.clone(),
            transactions: e.transactions.clone(),
            related: e.related.clone(),
        }
    }
}

fn movements(names: &Names, lot: &LotState, flows: &[Flow]) -> Vec<Movement> {
    lot.ledger
        .iter()
        .filter(|e| flows.contains(&e.flow))
        .map(|e| names.movement(e))
        .collect()
}

/// Lots made from the inputs an origin was made from.
fn siblings(views: &Views, origins: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for origin in origins {
        let Some(lot) = views.inventory.lot(origin) else {
            continue;
        };
        let inputs = lot
            .ledger
            .iter()
            .filter(|e| e.flow == Flow::Produced)
            .flat_map(|e| e.related.iter());
        for input in inputs {
            let Some(input) = views.inventory.lot(input) else {
                continue;
            };
            let outputs = input
                .ledger
                .iter()
                .filter(|e| e.flow == Flow::Consumed)
                .flat_map(|e| e.related.iter());
            out.extend(outputs.filter(|o| !origins.contains(*o)).cloned());
        }
    }
    out
}

/// Everything reached forward from `starts` (the starts included), by the trace index.
fn downstream(views: &Views, starts: &BTreeSet<String>) -> Result<BTreeSet<String>, RecallError> {
    let mut out = BTreeSet::new();
    for start in starts {
        match views.trace.reach(start, Direction::Forward) {
            Ok(lots) => out.extend(lots),
            // A lot no event names as an object (only as a class, say) reaches nothing more.
            Err(TraceError::UnknownId(_)) => {}
            Err(other) => return Err(other.into()),
        }
        if out.len() > MAX_AFFECTED_LOTS {
            return Err(RecallError::field(
                "scope",
                format!(
                    "reaches more than {MAX_AFFECTED_LOTS} lots; split the recall by lot or window"
                ),
            ));
        }
    }
    Ok(out)
}

fn affected_lot(views: &Views, names: &Names, id: &str, relation: LotRelation) -> AffectedLot {
    let product = views.catalog.product_of_lot(id);
    let empty = LotState {
        id: id.to_owned(),
        ..LotState::default()
    };
    let state = views.inventory.lot(id).unwrap_or(&empty);
    AffectedLot {
        id: id.to_owned(),
        relation,
        product: product.map(|p| p.code.clone()),
        product_name: product.map(|p| p.name.clone()),
        lot: product.and_then(|p| p.lot_code_of(id)),
        uom: state.uom.clone(),
        status: state.status(views.today).to_owned(),
        hold_reason: state.hold_reason.clone(),
        expiry: state.expiry,
        on_hand: state
            .on_hand
            .iter()
            .filter(|(_, q)| q.is_positive())
            .map(|(l, q)| names.place(l, *q))
            .collect(),
        // On its way to one of our own sites; to a customer it is shipped, not in transit.
        in_transit: state
            .in_transit
            .iter()
            .filter(|(l, _)| names.locations.contains_key(*l))
            .map(|(l, q)| names.place(l, *q))
            .collect(),
        received: movements(names, state, &[Flow::Received]),
        produced: movements(names, state, &[Flow::Produced]),
        shipped: movements(names, state, &[Flow::Shipped]),
        consumed: movements(names, state, &[Flow::Consumed]),
        scrapped: movements(names, state, &[Flow::Scrapped]),
        returned: movements(names, state, &[Flow::Returned]),
        balance: mass_balance(state),
    }
}

/// Who received affected stock, from every shipment that did not go to one of our own sites.
fn customers(names: &Names, lots: &[AffectedLot]) -> Vec<Customer> {
    let mut by_id: BTreeMap<String, Customer> = BTreeMap::new();
    for lot in lots {
        for s in &lot.shipped {
            let internal = s.party.is_none()
                && s.to_location
                    .as_ref()
                    .is_some_and(|l| names.locations.contains_key(l));
            if internal {
                continue;
            }
            let id = s
                .party
                .clone()
                .or_else(|| s.to_location.clone())
                .unwrap_or_else(|| "unknown".to_owned());
            let customer = by_id.entry(id.clone()).or_insert_with(|| Customer {
                id,
                code: s.party_code.clone(),
                name: s.party_name.clone(),
                ship_to: Vec::new(),
                lines: Vec::new(),
                totals: BTreeMap::new(),
            });
            if let Some(to) = &s.to_location
                && !customer.ship_to.contains(to)
            {
                customer.ship_to.push(to.clone());
            }
            if let (Some(q), Some(uom)) = (s.quantity, s.uom.as_ref().or(lot.uom.as_ref())) {
                *customer.totals.entry(uom.clone()).or_default() += q;
            }
            customer.lines.push(CustomerLine {
                lot: lot.id.clone(),
                product: lot.product.clone(),
                quantity: s.quantity,
                uom: s.uom.clone().or_else(|| lot.uom.clone()),
                time: s.time,
                event: s.event.clone(),
                ship_from: s.location.clone(),
                ship_to: s.to_location.clone(),
                via: s.via.clone(),
                transactions: s.transactions.clone(),
            });
        }
    }
    let mut out: Vec<Customer> = by_id.into_values().collect();
    for c in &mut out {
        c.ship_to.sort();
        c.lines
            .sort_by(|a, b| (a.time, &a.lot, &a.event).cmp(&(b.time, &b.lot, &b.event)));
    }
    out
}

fn totals(lots: &[AffectedLot]) -> Vec<UnitTotals> {
    let mut by_unit: BTreeMap<String, (UnitTotals, Qty)> = BTreeMap::new();
    let sum = |list: &[Movement]| -> Qty { list.iter().filter_map(|m| m.quantity).sum() };
    for lot in lots {
        let own = lot.uom.clone().unwrap_or_default();
        let (t, unexplained) = by_unit.entry(own.clone()).or_insert_with(|| {
            (
                UnitTotals {
                    uom: own.clone(),
                    ..UnitTotals::default()
                },
                Qty::ZERO,
            )
        });
        t.lots += 1;
        t.on_hand += lot.on_hand_total();
        t.in_transit += lot.in_transit.iter().map(|p| p.quantity).sum::<Qty>();
        t.shipped += sum(&lot.shipped);
        t.consumed += sum(&lot.consumed);
        t.scrapped += sum(&lot.scrapped);
        t.returned += sum(&lot.returned);
        if let Some(b) = lot.balance.units.first() {
            t.inflow += b.inflow();
            let diff = b.difference;
            *unexplained += if diff.is_negative() { -diff } else { diff };
        }
    }
    by_unit
        .into_values()
        .map(|(mut t, unexplained)| {
            let inflow = t.inflow.micro_units() as f64;
            t.accounted_share = if inflow > 0.0 {
                ((inflow - unexplained.micro_units() as f64) / inflow).clamp(0.0, 1.0)
            } else {
                1.0
            };
            t
        })
        .collect()
}

/// The impact of a recall from `origins` (canonical ids, as [`crate::resolve`] gives them).
pub fn impact(
    views: &Views,
    origins: &[String],
    widen_to_siblings: bool,
) -> Result<Impact, RecallError> {
    let origin_set: BTreeSet<String> = origins.iter().cloned().collect();
    let sibling_set = if widen_to_siblings {
        siblings(views, &origin_set)
    } else {
        BTreeSet::new()
    };
    let starts: BTreeSet<String> = origin_set.union(&sibling_set).cloned().collect();
    let reached = downstream(views, &starts)?;
    let names = Names::new(views.catalog);
    let mut lots = Vec::with_capacity(starts.len() + reached.len());
    for id in &origin_set {
        // A container origin is not a lot: what it held is downstream.
        if views.inventory.container(id).is_none() {
            lots.push(affected_lot(views, &names, id, LotRelation::Origin));
        }
    }
    for id in &sibling_set {
        lots.push(affected_lot(views, &names, id, LotRelation::Sibling));
    }
    for id in reached.difference(&starts) {
        if views.inventory.container(id).is_none() {
            lots.push(affected_lot(views, &names, id, LotRelation::Downstream));
        }
    }
    let one_up_one_down = lots
        .iter()
        .filter(|l| l.relation == LotRelation::Origin)
        .map(|l| {
            let state = views.inventory.lot(&l.id);
            let pick = |flows: &[Flow]| {
                state
                    .map(|s| movements(&names, s, flows))
                    .unwrap_or_default()
            };
            OneUpOneDown {
                lot: l.id.clone(),
                one_down: pick(&[Flow::Received, Flow::Produced]),
                one_up: pick(&[Flow::Shipped, Flow::Consumed]),
            }
        })
        .collect();
    let lots_not_closing = lots
        .iter()
        .filter(|l| !l.balance.closes)
        .map(|l| l.id.clone())
        .collect();
    Ok(Impact {
        origins: origin_set.into_iter().collect(),
        siblings: sibling_set.into_iter().collect(),
        customers: customers(&names, &lots),
        totals: totals(&lots),
        one_up_one_down,
        lots_not_closing,
        lots,
    })
}

/// The on-hand stock of an impact at our own locations that is not already in `target`
/// state, grouped by location: what a recall hold writes events for. Stock at other parties'
/// locations cannot be held by us; it is returned second, for notifying them.
pub fn recall_holds(
    views: &Views,
    impact: &Impact,
    target: HoldState,
) -> (Vec<RecallHold>, Vec<(String, Place)>) {
    let ours: BTreeSet<String> = views
        .catalog
        .locations
        .values()
        .map(|l| canonical(&l.uri()))
        .collect();
    let mut by_location: BTreeMap<String, Vec<(String, Qty, String)>> = BTreeMap::new();
    let mut elsewhere = Vec::new();
    for lot in &impact.lots {
        let state = views.inventory.lot(&lot.id);
        if state.is_some_and(|s| s.hold == target) {
            continue;
        }
        let uom = lot.uom.clone().unwrap_or_else(|| "H87".to_owned());
        for place in &lot.on_hand {
            if ours.contains(&place.location) {
                by_location
                    .entry(place.location.clone())
                    .or_default()
                    .push((lot.id.clone(), place.quantity, uom.clone()));
            } else {
                elsewhere.push((lot.id.clone(), place.clone()));
            }
        }
    }
    let holds = by_location
        .into_iter()
        .map(|(location, lines)| RecallHold { location, lines })
        .collect();
    (holds, elsewhere)
}
