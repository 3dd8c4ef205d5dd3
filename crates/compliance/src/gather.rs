//! Which events an FSMA 204 export of some lots needs, found through the store's identifier
//! index instead of by reading the whole log.
//!
//! The rows of a lot L (as subject, or as a transformation's input) depend on:
//! 1. the events naming L: its receipts, harvest, cooling, shipments, the transformations
//!    that made it or used it, and the aggregations that put it in a container;
//! 2. for each transformation among those, the events naming its other inputs and
//!    outputs: whether an input is a raw commodity (initial packing or transformation) and
//!    an input's TLC come from that input's own receipts and transformations. One hop is
//!    enough: those facts never reach further;
//! 3. every container that held L, directly or nested up to [`MAX_NESTING`] deep, with
//!    all the events naming it: its whole packing history (so what it held when it shipped
//!    is known) and its shipments and receipts.
//!
//! Events beyond these may come along (a lot's events name other lots too); they are real
//! events, so they only add rows for lots outside the selection, which the selection drops.
//! Error declarations are fetched by eventID apart, since a partner's declaration need not
//! repeat the identifiers of the event it retracts.

use std::collections::BTreeSet;

use lotrace_epcis::{Event, EventType};

use crate::fsma204::MAX_NESTING;

/// What the identifiers a gathering asks for are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Start,
    Lots,
    /// The other inputs and outputs of the lots' transformations.
    Hops,
    /// Containers this many levels above the lots (1: the lots' own containers).
    Containers(usize),
    Done,
}

/// A gathering in progress: ask [`Gathering::next_identifiers`] for identifiers, look up
/// the events naming them, hand those to [`Gathering::found`], until it gives `None`.
#[derive(Debug)]
pub struct Gathering {
    /// What the identifiers `next_identifiers` gave last are.
    asking: Stage,
    lots: BTreeSet<String>,
    /// Every identifier asked for so far.
    asked: BTreeSet<String>,
    hops: BTreeSet<String>,
    /// The containers being looked up.
    containers: BTreeSet<String>,
    /// The containers of the level above, found so far.
    parents: BTreeSet<String>,
}

impl Gathering {
    /// A gathering for these lots (canonical identifiers).
    pub fn new(lots: BTreeSet<String>) -> Gathering {
        Gathering {
            asking: Stage::Start,
            asked: BTreeSet::new(),
            lots,
            hops: BTreeSet::new(),
            containers: BTreeSet::new(),
            parents: BTreeSet::new(),
        }
    }

    /// The identifiers (canonical) whose events to look up next, or `None` when every
    /// event needed has been asked for. Never the same identifier twice.
    pub fn next_identifiers(&mut self) -> Option<Vec<String>> {
        loop {
            let (stage, wanted) = match self.asking {
                Stage::Start => (Stage::Lots, self.lots.clone()),
                Stage::Lots => (Stage::Hops, std::mem::take(&mut self.hops)),
                Stage::Hops => (Stage::Containers(1), std::mem::take(&mut self.parents)),
                Stage::Containers(level) if level <= MAX_NESTING => (
                    Stage::Containers(level + 1),
                    std::mem::take(&mut self.parents),
                ),
                Stage::Containers(_) | Stage::Done => (Stage::Done, BTreeSet::new()),
            };
            self.asking = stage;
            if stage == Stage::Done {
                return None;
            }
            let fresh: Vec<String> = wanted
                .into_iter()
                .filter(|id| self.asked.insert(id.clone()))
                .collect();
            if let Stage::Containers(_) = stage {
                self.containers = fresh.iter().cloned().collect();
                if fresh.is_empty() {
                    // No container at this level: none above it either.
                    self.asking = Stage::Done;
                    return None;
                }
            }
            if !fresh.is_empty() {
                return Some(fresh);
            }
        }
    }

    /// Takes note of the events found for the identifiers `next_identifiers` gave last.
    pub fn found<'e>(&mut self, events: impl IntoIterator<Item = &'e Event>) {
        for event in events {
            match self.asking {
                Stage::Lots => {
                    if event.event_type == EventType::TransformationEvent {
                        let lots = event
                            .input_quantity_list
                            .iter()
                            .chain(&event.output_quantity_list)
                            .flatten()
                            .map(|q| canonical(&q.epc_class));
                        self.hops.extend(lots);
                    }
                    self.containers_of(event, |id, g| g.lots.contains(id));
                }
                Stage::Containers(_) => {
                    self.containers_of(event, |id, g| g.containers.contains(id));
                }
                // A hop's containers do not matter: only its facts do.
                Stage::Start | Stage::Hops | Stage::Done => {}
            }
        }
    }

    /// The parent of an aggregation with a child that `holds` picks, for the next level.
    fn containers_of(&mut self, event: &Event, holds: impl Fn(&str, &Gathering) -> bool) {
        if event.event_type != EventType::AggregationEvent {
            return;
        }
        let Some(parent) = event.parent_id.as_deref() else {
            return;
        };
        let mut children = event
            .child_quantity_list
            .iter()
            .flatten()
            .map(|q| canonical(&q.epc_class))
            .chain(event.child_epcs.iter().flatten().map(|c| canonical(c)));
        if children.any(|c| holds(&c, self)) {
            self.parents.insert(canonical(parent));
        }
    }
}

fn canonical(id: &str) -> String {
    lotrace_trace::canonical(id).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const L: &str = "https://id.gs1.org/01/00614141000050/10/L";
    const M: &str = "https://id.gs1.org/01/00614141000067/10/M";
    const OUT: &str = "https://id.gs1.org/01/04012345111118/10/OUT";

    fn sscc(n: u32) -> String {
        let digits = format!("0061414100000{n:04}");
        let check = lotrace_trace::synth::check_digit(&digits);
        format!("https://id.gs1.org/00/{digits}{check}")
    }

    fn event(body: serde_json::Value) -> Event {
        let mut body = body;
        body["eventTime"] = json!("2026-03-01T10:00:00Z");
        body["eventTimeZoneOffset"] = json!("+00:00");
        serde_json::from_value(body).unwrap()
    }

    fn packed(parent: &str, lot: Option<&str>, child: Option<&str>) -> Event {
        let mut e = json!({ "type": "AggregationEvent", "action": "ADD", "parentID": parent });
        if let Some(lot) = lot {
            e["childQuantityList"] = json!([{ "epcClass": lot, "quantity": 1 }]);
        }
        if let Some(child) = child {
            e["childEPCs"] = json!([child]);
        }
        event(e)
    }

    #[test]
    fn lots_then_their_transformations_other_lots_then_containers_level_by_level() {
        let mut g = Gathering::new([L.to_owned()].into());
        assert_eq!(g.next_identifiers(), Some(vec![L.to_owned()]));
        let made = event(json!({ "type": "TransformationEvent",
            "inputQuantityList": [{ "epcClass": L, "quantity": 1 }, { "epcClass": M, "quantity": 1 }],
            "outputQuantityList": [{ "epcClass": OUT, "quantity": 1 }] }));
        let (case, pallet) = (sscc(1), sscc(2));
        g.found([&made, &packed(&case, Some(L), None)]);
        // The transformation's other lots: one hop, whose own containers do not count.
        assert_eq!(
            g.next_identifiers(),
            Some(vec![M.to_owned(), OUT.to_owned()])
        );
        g.found([&packed(&sscc(9), Some(M), None)]);
        assert_eq!(g.next_identifiers(), Some(vec![case.clone()]));
        g.found([&packed(&pallet, None, Some(&case))]);
        assert_eq!(g.next_identifiers(), Some(vec![pallet.clone()]));
        // A pallet's own events name it as parent only: nothing above it.
        g.found([&packed(&pallet, None, Some(&sscc(3)))]);
        assert_eq!(g.next_identifiers(), None);
        assert_eq!(g.next_identifiers(), None, "done stays done");
    }

    #[test]
    fn containers_are_followed_to_the_nesting_limit_and_never_asked_twice() {
        let mut g = Gathering::new([L.to_owned()].into());
        g.next_identifiers();
        g.found([&packed(&sscc(0), Some(L), None)]);
        // No transformation, no hops: straight to the lot's own case.
        assert_eq!(g.next_identifiers(), Some(vec![sscc(0)]));
        let mut levels = 1;
        let mut level = 0;
        loop {
            // Each container sits in the next, and (a loop) in the lot's own case again.
            g.found([
                &packed(&sscc(level + 1), None, Some(&sscc(level))),
                &packed(&sscc(0), None, Some(&sscc(level))),
            ]);
            level += 1;
            match g.next_identifiers() {
                Some(asked) => {
                    assert_eq!(asked, vec![sscc(level)]);
                    levels += 1;
                }
                None => break,
            }
        }
        assert_eq!(
            levels,
            MAX_NESTING + 1,
            "as deep as a shipment's contents are read"
        );
    }
}
