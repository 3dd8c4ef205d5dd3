//! The inventory projection: lot state, quantities by location and container contents,
//! derived from EPCIS events applied in eventTime order.
//!
//! The rules, for any event (ours or a partner's): where an event happens is its
//! bizLocation, else its readPoint (for shipping, the source location first).
//! - TransformationEvent: inputs are consumed, outputs produced, at that location.
//! - ObjectEvent shipping: shipped out of the location; a container ships its contents.
//! - ObjectEvent receiving: received into the location (returned, with disposition
//!   `returned` or an `rma` transaction); a container brings its contents.
//! - ObjectEvent ADD otherwise: produced (commissioned, harvested) at the location.
//! - ObjectEvent DELETE, or disposition `destroyed`: scrapped.
//! - ObjectEvent cycle_counting with a quantity: the count replaces the balance; the
//!   difference is an adjustment.
//! - ObjectEvent with a source and a destination location (a move): out of one, into the other.
//! - AggregationEvent ADD / DELETE: container contents; stock stays where it is.
//! - Dispositions set status: `non_sellable_other`, `non_conformant`, `damaged` put a lot on
//!   hold, `recalled` recalls it, `sellable_accessible`, `conformant`, `active`,
//!   `available` release it. On a container they apply to its contents.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use lotrace_epcis::{Action, Event, EventType, QuantityElement};
use serde::Serialize;

use crate::quantity::Qty;

mod replay;

pub use replay::{MAX_REPLAY_EVENTS, MAX_REPLAY_OBJECTS, ReplayLimits, ReplaySet, objects_named};

/// The unit of an instance-level identifier (an SGTIN): one piece.
pub const PIECE_UOM: &str = "H87";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldState {
    #[default]
    Released,
    OnHold,
    Recalled,
}

/// Everything known of one lot (or serialised instance).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LotState {
    pub id: String,
    /// The unit its quantities are counted in (the first one seen).
    pub uom: Option<String>,
    pub hold: HoldState,
    /// Why it is on hold or recalled, and since when.
    pub hold_reason: Option<String>,
    pub hold_since: Option<Timestamp>,
    pub expiry: Option<Date>,
    pub first_seen: Option<Timestamp>,
    /// ILMD attributes, merged in event order.
    pub attributes: BTreeMap<String, serde_json::Value>,
    pub received: Qty,
    pub produced: Qty,
    pub returned: Qty,
    pub shipped: Qty,
    pub consumed: Qty,
    pub scrapped: Qty,
    /// Net change from cycle counts (negative: found less than expected).
    pub adjusted: Qty,
    pub on_hand: BTreeMap<String, Qty>,
    /// Shipped towards a named destination location and not yet received there.
    pub in_transit: BTreeMap<String, Qty>,
    /// Events that changed this lot, in the order applied.
    pub events: Vec<String>,
    /// Every quantity that came in, went out or moved, with whom and where: the lot's
    /// mass balance and the recall impact are read from it.
    pub ledger: Vec<LedgerEntry>,
}

/// What one event did to a lot's quantity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    Received,
    Produced,
    Returned,
    Shipped,
    Consumed,
    Scrapped,
    /// A cycle count: the quantity is the change (negative: found less).
    Adjusted,
    Moved,
    /// Named by an event that gave no quantity (a whole-lot hold, a count-less list).
    Named,
}

/// One line of a lot's ledger.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LedgerEntry {
    pub event: String,
    pub time: Timestamp,
    pub flow: Flow,
    /// Absent when the event named the lot without a quantity.
    pub quantity: Option<Qty>,
    pub uom: Option<String>,
    /// Where it happened (a move: where from; a shipment: the ship-from location).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// A move's or a shipment's destination location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_location: Option<String>,
    /// A shipment's destination party; a receipt's or a return's source party.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// The outermost container the event named, when the lot moved inside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// (type as a bare CBV word, id) of the event's business transactions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transactions: Vec<(Option<String>, String)>,
    /// Consumed: the lots it went into; produced: the lots it was made from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
}

impl LotState {
    pub fn on_hand_total(&self) -> Qty {
        self.on_hand.values().copied().sum()
    }

    pub fn on_hand_at(&self, location: &str) -> Qty {
        self.on_hand.get(location).copied().unwrap_or_default()
    }

    pub fn is_expired(&self, today: Date) -> bool {
        self.expiry.is_some_and(|e| e < today)
    }

    /// The one-word status the API, the CLI and scans show: recalled, on_hold, expired,
    /// released (stock on hand), consumed, shipped or empty.
    pub fn status(&self, today: Date) -> &'static str {
        match self.hold {
            HoldState::Recalled => "recalled",
            HoldState::OnHold => "on_hold",
            HoldState::Released if self.is_expired(today) => "expired",
            HoldState::Released if self.on_hand_total().is_positive() => "released",
            HoldState::Released if self.consumed.is_positive() && self.shipped.is_zero() => {
                "consumed"
            }
            HoldState::Released if self.shipped.is_positive() => "shipped",
            HoldState::Released => "empty",
        }
    }

    /// What came in minus what went out, plus adjustments, minus what is on hand: zero
    /// when the lot's mass balance closes.
    pub fn balance_difference(&self) -> Qty {
        self.received + self.produced + self.returned + self.adjusted
            - self.shipped
            - self.consumed
            - self.scrapped
            - self.on_hand_total()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ContainerState {
    pub id: String,
    pub location: Option<String>,
    /// Lots (and instances) directly inside, with quantities.
    pub contents: BTreeMap<String, Qty>,
    /// Containers directly inside.
    pub children: BTreeSet<String>,
    pub shipped: bool,
}

/// An item an event lists: canonical id, quantity (absent: the whole lot) and unit.
type Item = (String, Option<Qty>, Option<String>);

#[derive(Clone, Debug, Default)]
pub struct Inventory {
    lots: HashMap<String, LotState>,
    containers: HashMap<String, ContainerState>,
    /// The latest eventTime applied: an older event makes the state stale. A high-water
    /// mark: a retraction does not lower it (an event then counts as late sooner, which
    /// costs a replay, never a wrong answer).
    last_applied: Option<Timestamp>,
    stale: bool,
    retracted: HashSet<String>,
    /// Since the state went stale: what a partial replay starts from (see `replay.rs`).
    late: replay::Late,
}

/// Distinct spellings whose canonical form the cache keeps; when full it starts over.
const CANONICAL_CACHE_ENTRIES: usize = 1 << 20;

thread_local! {
    /// Canonical forms by spelling. A replay of the log canonicalises every identifier of
    /// every event, and the same lots, containers and locations recur in many events:
    /// parsing each once instead of each time makes the replay about three times faster.
    static CANONICAL_CACHE: std::cell::RefCell<HashMap<String, String>> =
        std::cell::RefCell::new(HashMap::new());
}

fn canonical(id: &str) -> String {
    CANONICAL_CACHE.with_borrow_mut(|cache| {
        if let Some(c) = cache.get(id) {
            return c.clone();
        }
        let c = lotrace_gs1::canonicalize(id)
            .map(|i| i.canonical)
            .unwrap_or_else(|_| id.to_owned());
        if cache.len() >= CANONICAL_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(id.to_owned(), c.clone());
        c
    })
}

/// An SSCC (a logistic unit) is a container whatever has happened to it; another EPC is one
/// once an aggregation has named it as parent.
fn is_sscc(id: &str) -> bool {
    id.starts_with("https://id.gs1.org/00/")
}

/// The bare CBV word of a value written as a bare word, a URN
/// (`urn:epcglobal:cbv:bizstep:shipping`) or a web URI (`https://ref.gs1.org/cbv/BizStep-shipping`).
pub fn cbv_word(value: Option<&str>) -> Option<&str> {
    let v = value?;
    if let Some((_, term)) = v.rsplit_once("/cbv/") {
        return Some(term.split_once('-').map_or(term, |(_, w)| w));
    }
    if v.starts_with("urn:epcglobal:cbv:") {
        return v.rsplit_once(':').map(|(_, w)| w);
    }
    Some(v)
}

impl Inventory {
    pub fn new() -> Inventory {
        Inventory::default()
    }

    /// True when an event arrived older than one already applied, or a declaration retracted
    /// one: the caller replays what that touched (`partial_replay`, `replay`) or rebuilds
    /// from the log (in eventTime order) before trusting the state.
    pub fn is_stale(&self) -> bool {
        self.stale
    }

    pub fn lot(&self, id: &str) -> Option<&LotState> {
        self.lots.get(&canonical(id))
    }

    pub fn lots(&self) -> impl Iterator<Item = &LotState> {
        self.lots.values()
    }

    pub fn containers(&self) -> impl Iterator<Item = &ContainerState> {
        self.containers.values()
    }

    /// The eventIDs error declarations have retracted.
    pub fn retracted(&self) -> &HashSet<String> {
        &self.retracted
    }

    pub fn container(&self, id: &str) -> Option<&ContainerState> {
        self.containers.get(&canonical(id))
    }

    /// Every lot inside a container, through nested containers, with quantities.
    pub fn container_contents(&self, id: &str) -> BTreeMap<String, Qty> {
        let mut out = BTreeMap::new();
        let mut stack = vec![canonical(id)];
        let mut seen = HashSet::new();
        while let Some(c) = stack.pop() {
            if !seen.insert(c.clone()) {
                continue;
            }
            if let Some(state) = self.containers.get(&c) {
                for (lot, q) in &state.contents {
                    *out.entry(lot.clone()).or_default() += *q;
                }
                stack.extend(state.children.iter().cloned());
            }
        }
        out
    }

    /// Applies one event. Call in eventTime order; an out-of-order event marks the state stale.
    pub fn apply(&mut self, event: &Event) {
        let time = event.event_time.instant;
        if let Some(id) = &event.event_id {
            if event.error_declaration.is_some() {
                self.retracted.insert(id.clone());
                self.stale = true;
                self.late.retracted(id, event);
                return;
            }
            if self.retracted.contains(id) {
                return;
            }
        }
        if self.last_applied.is_some_and(|last| time < last) {
            self.stale = true;
            self.late.applied(event);
        }
        self.last_applied = Some(self.last_applied.map_or(time, |l| l.max(time)));
        let event_id = event.event_id.clone().unwrap_or_default();
        match event.event_type {
            EventType::TransformationEvent => self.apply_transformation(event, &event_id),
            EventType::ObjectEvent => self.apply_object(event, &event_id),
            EventType::AggregationEvent => self.apply_aggregation(event),
            EventType::TransactionEvent | EventType::AssociationEvent => {}
        }
    }

    /// Rebuilds from scratch; `events` must come in (eventTime, log order) order.
    pub fn rebuild<'a>(events: impl IntoIterator<Item = &'a Event>) -> Inventory {
        let events: Vec<&Event> = events.into_iter().collect();
        let mut inventory = Inventory::new();
        // Declarations first, so the events they retract are skipped wherever they fall.
        for e in &events {
            if let (Some(id), Some(_)) = (&e.event_id, &e.error_declaration) {
                inventory.retracted.insert(id.clone());
            }
        }
        for e in events {
            if e.error_declaration.is_none() {
                inventory.apply(e);
            }
        }
        inventory.stale = false;
        inventory.late = replay::Late::default();
        inventory
    }

    fn lot_mut(&mut self, id: &str, uom: Option<&str>, time: Timestamp) -> &mut LotState {
        let lot = self.lots.entry(id.to_owned()).or_insert_with(|| LotState {
            id: id.to_owned(),
            ..LotState::default()
        });
        if lot.uom.is_none() {
            lot.uom = uom.map(str::to_owned);
        }
        if lot.first_seen.is_none() {
            lot.first_seen = Some(time);
        }
        lot
    }

    fn location_of(event: &Event) -> Option<String> {
        event
            .biz_location
            .as_ref()
            .or(event.read_point.as_ref())
            .map(|l| canonical(&l.id))
    }

    fn typed_location(list: Option<impl IntoIterator<Item = (String, String)>>) -> Option<String> {
        list.into_iter()
            .flatten()
            .find(|(kind, _)| cbv_word(Some(kind)) == Some("location"))
            .map(|(_, id)| canonical(&id))
    }

    fn source_location(event: &Event) -> Option<String> {
        Self::typed_location(
            event
                .source_list
                .as_ref()
                .map(|l| l.iter().map(|s| (s.kind.clone(), s.source.clone()))),
        )
    }

    fn destination_location(event: &Event) -> Option<String> {
        Self::typed_location(
            event
                .destination_list
                .as_ref()
                .map(|l| l.iter().map(|d| (d.kind.clone(), d.destination.clone()))),
        )
    }

    /// (canonical id, quantity, uom) of every item an event lists: quantity elements and
    /// instances (one piece each). Containers among the instances are returned separately.
    fn items(
        &self,
        epcs: Option<&Vec<String>>,
        quantities: Option<&Vec<QuantityElement>>,
    ) -> (Vec<Item>, Vec<String>) {
        let mut items = Vec::new();
        let mut containers = Vec::new();
        for epc in epcs.into_iter().flatten() {
            let id = canonical(epc);
            if self.containers.contains_key(&id) || is_sscc(&id) {
                containers.push(id);
            } else {
                items.push((id, Some(Qty::from_units(1)), Some(PIECE_UOM.to_owned())));
            }
        }
        for q in quantities.into_iter().flatten() {
            let qty = q
                .quantity
                .as_ref()
                .and_then(|n| Qty::from_json_number(n).ok());
            items.push((canonical(&q.epc_class), qty, q.uom.clone()));
        }
        (items, containers)
    }

    fn apply_transformation(&mut self, event: &Event, event_id: &str) {
        let time = event.event_time.instant;
        let location = Self::location_of(event).unwrap_or_default();
        let (inputs, _) = self.items(
            event.input_epc_list.as_ref(),
            event.input_quantity_list.as_ref(),
        );
        let (outputs, _) = self.items(
            event.output_epc_list.as_ref(),
            event.output_quantity_list.as_ref(),
        );
        let input_ids: Vec<String> = inputs.iter().map(|(id, _, _)| id.clone()).collect();
        let output_ids: Vec<String> = outputs.iter().map(|(id, _, _)| id.clone()).collect();
        let entry = |flow, qty: Option<Qty>, uom: Option<String>, related: &[String]| LedgerEntry {
            event: event_id.to_owned(),
            time,
            flow: if qty.is_some() { flow } else { Flow::Named },
            quantity: qty,
            uom,
            location: Some(location.clone()),
            to_location: None,
            party: None,
            via: None,
            transactions: transactions_of(event),
            related: related.to_vec(),
        };
        for (id, qty, uom) in inputs {
            let lot = self.lot_mut(&id, uom.as_deref(), time);
            if let Some(q) = qty {
                lot.consumed += q;
                *lot.on_hand.entry(location.clone()).or_default() -= q;
            }
            lot.ledger
                .push(entry(Flow::Consumed, qty, uom, &output_ids));
            lot.events.push(event_id.to_owned());
        }
        for (id, qty, uom) in outputs {
            let lot = self.lot_mut(&id, uom.as_deref(), time);
            if let Some(q) = qty {
                lot.produced += q;
                *lot.on_hand.entry(location.clone()).or_default() += q;
            }
            lot.ledger.push(entry(Flow::Produced, qty, uom, &input_ids));
            absorb_ilmd(lot, event);
            lot.events.push(event_id.to_owned());
        }
    }

    fn apply_object(&mut self, event: &Event, event_id: &str) {
        let time = event.event_time.instant;
        let biz_step = cbv_word(event.biz_step.as_deref());
        let disposition = cbv_word(event.disposition.as_deref());
        let (items, containers) = self.items(event.epc_list.as_ref(), event.quantity_list.as_ref());
        // Whatever the containers hold at this moment is part of the event too.
        let mut all: Vec<(Item, Option<String>)> = items.into_iter().map(|i| (i, None)).collect();
        for c in &containers {
            for (lot, q) in self.container_contents(c) {
                let uom = self.lots.get(&lot).and_then(|l| l.uom.clone());
                all.push(((lot, Some(q), uom), Some(c.clone())));
            }
        }
        let here = Self::location_of(event).unwrap_or_default();
        let source = Self::source_location(event);
        let destination = Self::destination_location(event);
        let is_return = disposition == Some("returned")
            || event
                .biz_transaction_list
                .iter()
                .flatten()
                .any(|t| cbv_word(t.kind.as_deref()) == Some("rma"));

        enum Step {
            Ship(String),
            Receive(String, bool),
            Produce(String),
            Scrap(String),
            Count(String),
            Move(String, String),
            None,
        }
        let step = match (biz_step, event.action) {
            (Some("shipping"), _) => Step::Ship(source.clone().unwrap_or_else(|| here.clone())),
            (Some("receiving"), _) => Step::Receive(here.clone(), is_return),
            (Some("destroying" | "decommissioning"), _) | (_, Some(Action::Delete)) => {
                Step::Scrap(here.clone())
            }
            _ if disposition == Some("destroyed") => Step::Scrap(here.clone()),
            (Some("cycle_counting"), _) => Step::Count(here.clone()),
            (_, Some(Action::Add)) => Step::Produce(here.clone()),
            _ => match (source.clone(), destination.clone()) {
                (Some(s), Some(d)) if s != d => Step::Move(s, d),
                _ => Step::None,
            },
        };
        let transactions = transactions_of(event);
        for ((id, qty, uom), via) in &all {
            let lot = self.lot_mut(id, uom.as_deref(), time);
            let mut entry = LedgerEntry {
                event: event_id.to_owned(),
                time,
                flow: Flow::Named,
                quantity: *qty,
                uom: uom.clone(),
                location: (!here.is_empty()).then(|| here.clone()),
                to_location: None,
                party: None,
                via: via.clone(),
                transactions: transactions.clone(),
                related: Vec::new(),
            };
            if let Some(q) = *qty {
                match &step {
                    Step::Ship(from) => {
                        lot.shipped += q;
                        *lot.on_hand.entry(from.clone()).or_default() -= q;
                        if let Some(to) = &destination {
                            *lot.in_transit.entry(to.clone()).or_default() += q;
                        }
                        entry.flow = Flow::Shipped;
                        entry.location = Some(from.clone());
                        entry.to_location = destination.clone();
                        entry.party = party_in(
                            event
                                .destination_list
                                .iter()
                                .flatten()
                                .map(|d| (d.kind.as_str(), d.destination.as_str())),
                        );
                    }
                    Step::Receive(at, returned) => {
                        if *returned {
                            lot.returned += q;
                        } else {
                            lot.received += q;
                        }
                        *lot.on_hand.entry(at.clone()).or_default() += q;
                        if let Some(t) = lot.in_transit.get_mut(at) {
                            *t -= q.min(*t);
                        }
                        lot.in_transit.retain(|_, q| q.is_positive());
                        entry.flow = if *returned {
                            Flow::Returned
                        } else {
                            Flow::Received
                        };
                        entry.party = party_in(
                            event
                                .source_list
                                .iter()
                                .flatten()
                                .map(|s| (s.kind.as_str(), s.source.as_str())),
                        );
                    }
                    Step::Produce(at) => {
                        lot.produced += q;
                        *lot.on_hand.entry(at.clone()).or_default() += q;
                        entry.flow = Flow::Produced;
                    }
                    Step::Scrap(at) => {
                        lot.scrapped += q;
                        *lot.on_hand.entry(at.clone()).or_default() -= q;
                        entry.flow = Flow::Scrapped;
                    }
                    Step::Count(at) => {
                        let balance = lot.on_hand.entry(at.clone()).or_default();
                        let change = q - *balance;
                        lot.adjusted += change;
                        *balance = q;
                        entry.flow = Flow::Adjusted;
                        entry.quantity = Some(change);
                    }
                    Step::Move(from, to) => {
                        *lot.on_hand.entry(from.clone()).or_default() -= q;
                        *lot.on_hand.entry(to.clone()).or_default() += q;
                        entry.flow = Flow::Moved;
                        entry.location = Some(from.clone());
                        entry.to_location = Some(to.clone());
                    }
                    Step::None => {}
                }
            }
            // A sighting or a status change moves no stock; a stock step without a quantity
            // is kept, as `Named`, because the mass balance cannot account for it.
            if entry.flow != Flow::Named || !matches!(step, Step::None) {
                lot.ledger.push(entry);
            }
            lot.on_hand.retain(|_, q| !q.is_zero());
            apply_disposition(lot, disposition, event, time);
            if event.action == Some(Action::Add) {
                absorb_ilmd(lot, event);
            }
            lot.events.push(event_id.to_owned());
        }
        for c in containers {
            let state = self
                .containers
                .entry(c.clone())
                .or_insert_with(|| ContainerState {
                    id: c.clone(),
                    ..ContainerState::default()
                });
            match &step {
                Step::Ship(_) => state.shipped = true,
                Step::Receive(at, _) => {
                    state.shipped = false;
                    state.location = Some(at.clone());
                }
                Step::Move(_, to) => state.location = Some(to.clone()),
                _ => {}
            }
        }
    }

    fn apply_aggregation(&mut self, event: &Event) {
        let Some(parent) = event.parent_id.as_deref().map(canonical) else {
            return;
        };
        let (items, containers) = self.items(
            event.child_epcs.as_ref(),
            event.child_quantity_list.as_ref(),
        );
        let here = Self::location_of(event);
        let time = event.event_time.instant;
        for (id, _, uom) in &items {
            self.lot_mut(id, uom.as_deref(), time);
        }
        let state = self
            .containers
            .entry(parent.clone())
            .or_insert_with(|| ContainerState {
                id: parent.clone(),
                ..ContainerState::default()
            });
        if here.is_some() {
            state.location = here;
        }
        match event.action {
            Some(Action::Add) => {
                for (id, qty, _) in items {
                    *state.contents.entry(id).or_default() += qty.unwrap_or_default();
                }
                state.children.extend(containers);
            }
            Some(Action::Delete) => {
                if items.is_empty() && containers.is_empty() {
                    state.contents.clear();
                    state.children.clear();
                } else {
                    for (id, qty, _) in items {
                        let left = state.contents.entry(id.clone()).or_default();
                        match qty {
                            Some(q) => *left -= q,
                            None => *left = Qty::ZERO,
                        }
                        if !left.is_negative() && !left.is_zero() {
                            continue;
                        }
                        state.contents.remove(&id);
                    }
                    for c in containers {
                        state.children.remove(&c);
                    }
                }
            }
            _ => {}
        }
    }
}

fn apply_disposition(
    lot: &mut LotState,
    disposition: Option<&str>,
    event: &Event,
    time: Timestamp,
) {
    let reason = event
        .extensions
        .iter()
        .find(|(k, _)| k.ends_with("reason"))
        .and_then(|(_, v)| v.as_str())
        .map(str::to_owned);
    let new_state = match disposition {
        Some("non_sellable_other" | "non_conformant" | "damaged") => HoldState::OnHold,
        Some("recalled") => HoldState::Recalled,
        Some("sellable_accessible" | "conformant" | "active" | "available") => HoldState::Released,
        _ => return,
    };
    if new_state != lot.hold {
        lot.hold = new_state;
        lot.hold_since = (new_state != HoldState::Released).then_some(time);
        lot.hold_reason = if new_state == HoldState::Released {
            None
        } else {
            reason.or_else(|| disposition.map(str::to_owned))
        };
    }
}

/// (type, id) of an event's business transactions, the type as a bare CBV word.
fn transactions_of(event: &Event) -> Vec<(Option<String>, String)> {
    event
        .biz_transaction_list
        .iter()
        .flatten()
        .map(|t| {
            (
                cbv_word(t.kind.as_deref()).map(str::to_owned),
                t.biz_transaction.clone(),
            )
        })
        .collect()
}

/// The owning party (else the possessing party) among typed (type, id) pairs, canonical.
fn party_in<'a>(list: impl Iterator<Item = (&'a str, &'a str)> + Clone) -> Option<String> {
    ["owning_party", "possessing_party"]
        .iter()
        .find_map(|want| {
            list.clone()
                .find(|(kind, _)| cbv_word(Some(kind)) == Some(*want))
                .map(|(_, id)| canonical(id))
        })
}

/// Merges an event's ILMD into the lot's attributes and reads its expiry date.
fn absorb_ilmd(lot: &mut LotState, event: &Event) {
    let Some(ilmd) = &event.ilmd else { return };
    for (key, value) in ilmd {
        lot.attributes.insert(key.clone(), value.clone());
        if key.ends_with("itemExpirationDate")
            || key.ends_with("bestBeforeDate")
            || key.ends_with("sellByDate")
        {
            let date = value
                .as_str()
                .and_then(|s| s.get(..10))
                .and_then(|s| s.parse().ok());
            // The expiry date wins over best-before and sell-by when a lot has several.
            if date.is_some() && (key.ends_with("itemExpirationDate") || lot.expiry.is_none()) {
                lot.expiry = date;
            }
        }
    }
}
