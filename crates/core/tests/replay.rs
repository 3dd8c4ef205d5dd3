//! The partial replay of a stale inventory gives exactly what a full rebuild in eventTime
//! order gives. Events are applied in a shuffled arrival order, in batches as a log is
//! caught up with; after each batch a stale state is repaired by the partial replay (through
//! an in-memory identifier index that answers as the store's does) and compared, lot by lot
//! and container by container, with `Inventory::rebuild` of the events so far in time order.
//!
//! The events: random ones over a small world (lots, SSCCs nested on pallets, an SGTIN that
//! is sometimes an item and sometimes a container, ADD and DELETE with and without child
//! lists, shipping and receiving containers, transformations, holds, counts, moves, scraps,
//! error declarations with and without the retracted event's identifiers), and the synthetic
//! supply chain of the benchmark with its late uploads.

use std::collections::{BTreeSet, HashMap};

use lotrace_core::inventory::{ContainerState, Inventory, LotState, ReplayLimits};
use lotrace_epcis::Event;
use lotrace_trace::synth::{self, Config, Generator, Rng};
use serde_json::{Value, json};

/// The log as the store holds it: events in arrival (log) order, and which positions name
/// each identifier (every identifier of every role, as the store's index does).
#[derive(Default)]
struct Log {
    events: Vec<Event>,
    naming: HashMap<String, Vec<usize>>,
}

impl Log {
    fn push(&mut self, event: Event) {
        let at = self.events.len();
        for id in event.identifiers() {
            self.naming.entry(id.id).or_default().push(at);
        }
        self.events.push(event);
    }

    /// The order of `for_each_event_by_time`: eventTime, then log position.
    fn by_time(&self) -> Vec<&Event> {
        let mut order: Vec<usize> = (0..self.events.len()).collect();
        order.sort_by_key(|&p| (self.events[p].event_time.instant, p));
        order.into_iter().map(|p| &self.events[p]).collect()
    }
}

/// What a catch-up did about a stale state.
#[derive(Debug, PartialEq, Eq)]
enum Repair {
    None,
    /// Replayed this many events.
    Partial(usize),
    Rebuilt,
}

/// The app's catch-up after a batch, against the in-memory log.
fn repair(inventory: &mut Inventory, log: &Log, limits: ReplayLimits) -> Repair {
    if !inventory.is_stale() {
        return Repair::None;
    }
    match replay_events(inventory, log, limits) {
        Some((set, positions)) => {
            inventory.replay(&set, positions.iter().map(|&p| &log.events[p]));
            Repair::Partial(positions.len())
        }
        None => {
            *inventory = Inventory::rebuild(log.by_time());
            Repair::Rebuilt
        }
    }
}

/// The members and the positions of the events naming them, in time order; `None` past
/// the limits.
fn replay_events(
    inventory: &Inventory,
    log: &Log,
    limits: ReplayLimits,
) -> Option<(lotrace_core::inventory::ReplaySet, Vec<usize>)> {
    let mut set = inventory.partial_replay(limits)?;
    for id in set.retracted().to_vec() {
        for e in &log.events {
            if e.event_id.as_deref() == Some(&id) && e.error_declaration.is_none() {
                set.add_objects_of(e);
            }
        }
    }
    let mut held = BTreeSet::new();
    while let Some(ids) = set.next_identifiers() {
        if set.is_over_limit() {
            return None;
        }
        for id in ids {
            for &p in log.naming.get(&id).into_iter().flatten() {
                if held.insert(p) {
                    set.found(inventory, &log.events[p]);
                }
            }
        }
        if held.len() > limits.events {
            return None;
        }
    }
    let mut positions: Vec<usize> = held.into_iter().collect();
    positions.sort_by_key(|&p| (log.events[p].event_time.instant, p));
    Some((set, positions))
}

fn lots(inventory: &Inventory) -> Vec<&LotState> {
    let mut lots: Vec<&LotState> = inventory.lots().collect();
    lots.sort_by(|a, b| a.id.cmp(&b.id));
    lots
}

fn containers(inventory: &Inventory) -> Vec<&ContainerState> {
    let mut containers: Vec<&ContainerState> = inventory.containers().collect();
    containers.sort_by(|a, b| a.id.cmp(&b.id));
    containers
}

fn assert_same(got: &Inventory, want: &Inventory, context: &str) {
    let (got_lots, want_lots) = (lots(got), lots(want));
    for (g, w) in got_lots.iter().zip(&want_lots) {
        assert_eq!(g, w, "{context}: lot {}", w.id);
    }
    assert_eq!(got_lots.len(), want_lots.len(), "{context}: lots");
    assert_eq!(containers(got), containers(want), "{context}: containers");
    assert_eq!(got.retracted(), want.retracted(), "{context}: retracted");
    assert!(!got.is_stale(), "{context}: still stale");
}

/// Applies `arrivals` in order, in batches of 1 to `max_batch` events, repairing after each
/// batch, and checks the state against a rebuild after every `check_every` batches and at
/// the end. Returns the repairs made.
fn run(
    arrivals: Vec<Event>,
    rng: &mut Rng,
    max_batch: u64,
    check_every: usize,
    limits: ReplayLimits,
) -> Vec<Repair> {
    let mut log = Log::default();
    let mut inventory = Inventory::new();
    let mut repairs = Vec::new();
    let mut arrivals = arrivals.into_iter().peekable();
    let mut batches = 0;
    while arrivals.peek().is_some() {
        for _ in 0..rng.between(1, max_batch) {
            let Some(event) = arrivals.next() else { break };
            inventory.apply(&event);
            log.push(event);
        }
        repairs.push(repair(&mut inventory, &log, limits));
        batches += 1;
        if batches % check_every == 0 || arrivals.peek().is_none() {
            let want = Inventory::rebuild(log.by_time());
            assert_same(
                &inventory,
                &want,
                &format!("after {} events", log.events.len()),
            );
        }
    }
    repairs
}

/// A small world where everything meets everything: few lots, few containers, few places.
struct World {
    rng: Rng,
    lots: Vec<String>,
    ssccs: Vec<String>,
    /// An instance that some events list as an item and others aggregate things into.
    sgtin: String,
    places: Vec<String>,
    next_id: u64,
    made: Vec<Event>,
}

impl World {
    fn new(seed: u64) -> World {
        World {
            rng: Rng::new(seed),
            lots: (0..8)
                .map(|i| synth::lot_uri(i % 3, i, &format!("L{i}")))
                .collect(),
            ssccs: (0..5).map(|i| synth::sscc_uri(9, i)).collect(),
            sgtin: format!("https://id.gs1.org/01/{}/21/S1", synth::gtin(7, 1)),
            places: (0..3).map(synth::location_uri).collect(),
            next_id: 0,
            made: Vec::new(),
        }
    }

    fn pick<'a>(&mut self, from: &'a [String]) -> &'a str {
        &from[self.rng.below(from.len() as u64) as usize]
    }

    fn lot(&mut self) -> String {
        let lots = self.lots.clone();
        self.pick(&lots).to_owned()
    }

    fn place(&mut self) -> String {
        let places = self.places.clone();
        self.pick(&places).to_owned()
    }

    /// An SSCC, or now and then the SGTIN.
    fn container(&mut self) -> String {
        if self.rng.chance(150) {
            return self.sgtin.clone();
        }
        let ssccs = self.ssccs.clone();
        self.pick(&ssccs).to_owned()
    }

    fn quantities(&mut self, n: u64) -> Value {
        let list: Vec<Value> = (0..n)
            .map(|_| {
                let lot = self.lot();
                if self.rng.chance(100) {
                    json!({ "epcClass": lot })
                } else {
                    json!({ "epcClass": lot, "quantity": self.rng.between(1, 20), "uom": "KGM" })
                }
            })
            .collect();
        json!(list)
    }

    fn body(&mut self) -> Value {
        let here = self.place();
        let there = self.place();
        match self.rng.below(12) {
            0 | 1 => {
                let mut e = json!({ "type": "ObjectEvent", "action": "ADD",
                    "bizStep": "commissioning", "bizLocation": { "id": here },
                    "quantityList": self.quantities(1) });
                if self.rng.chance(500) {
                    let day = self.rng.between(10, 28);
                    e["ilmd"] = json!({ "cbvmda:itemExpirationDate": format!("2026-04-{day}") });
                }
                e
            }
            2 => {
                let inputs = self.rng.between(1, 2);
                let mut e = json!({ "type": "TransformationEvent", "bizLocation": { "id": here },
                    "inputQuantityList": self.quantities(inputs),
                    "outputQuantityList": self.quantities(1) });
                if self.rng.chance(300) {
                    e["inputEPCList"] = json!([self.sgtin.clone()]);
                }
                if self.rng.chance(200) {
                    e["outputEPCList"] = json!([self.container()]);
                }
                e
            }
            3 | 4 => {
                let parent = self.container();
                let mut e = json!({ "type": "AggregationEvent", "action": "ADD",
                    "bizStep": "packing", "parentID": parent, "bizLocation": { "id": here } });
                if self.rng.chance(700) {
                    let n = self.rng.between(1, 2);
                    e["childQuantityList"] = self.quantities(n);
                }
                if self.rng.chance(400) {
                    e["childEPCs"] = json!([self.container()]);
                }
                e
            }
            5 => {
                let parent = self.container();
                let mut e = json!({ "type": "AggregationEvent", "action": "DELETE",
                    "bizStep": "unpacking", "parentID": parent, "readPoint": { "id": here } });
                // Without a child list it empties the container.
                if self.rng.chance(500) {
                    e["childQuantityList"] = self.quantities(1);
                }
                if self.rng.chance(300) {
                    e["childEPCs"] = json!([self.container()]);
                }
                e
            }
            6 => {
                let mut e = json!({ "type": "ObjectEvent", "action": "OBSERVE",
                    "bizStep": "shipping", "disposition": "in_transit", "readPoint": { "id": here },
                    "epcList": [self.container()],
                    "sourceList": [{ "type": "location", "source": here }],
                    "destinationList": [{ "type": "location", "destination": there },
                        { "type": "owning_party", "destination": synth::party_uri(2) }] });
                if self.rng.chance(300) {
                    e["quantityList"] = self.quantities(1);
                }
                e
            }
            7 => json!({ "type": "ObjectEvent", "action": "OBSERVE",
                "bizStep": "receiving", "disposition": "in_progress", "bizLocation": { "id": here },
                "epcList": [self.container()] }),
            8 => {
                let disposition = ["non_conformant", "recalled", "sellable_accessible"]
                    [self.rng.below(3) as usize];
                let mut e = json!({ "type": "ObjectEvent", "action": "OBSERVE",
                    "disposition": disposition, "readPoint": { "id": here } });
                if self.rng.chance(500) {
                    e["epcList"] = json!([self.container()]);
                } else {
                    e["quantityList"] = self.quantities(1);
                }
                e
            }
            9 => {
                if self.rng.chance(500) {
                    json!({ "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "cycle_counting",
                        "bizLocation": { "id": here }, "quantityList": self.quantities(1) })
                } else {
                    json!({ "type": "ObjectEvent", "action": "DELETE", "bizLocation": { "id": here },
                        "quantityList": self.quantities(1) })
                }
            }
            10 => json!({ "type": "ObjectEvent", "action": "OBSERVE",
                "readPoint": { "id": here },
                "epcList": [if self.rng.chance(500) { self.sgtin.clone() } else { self.container() }],
                "quantityList": self.quantities(1),
                "sourceList": [{ "type": "location", "source": here }],
                "destinationList": [{ "type": "location", "destination": there }] }),
            _ => self.declaration(),
        }
    }

    /// An error declaration of an event made before: its whole body, or (a partner's) none
    /// of its identifiers.
    fn declaration(&mut self) -> Value {
        if self.made.is_empty() {
            return json!({ "type": "TransactionEvent", "action": "ADD",
                "bizTransactionList": [{ "bizTransaction": "urn:example:bt:1" }] });
        }
        let at = self.rng.below(self.made.len() as u64) as usize;
        let retracted = &self.made[at];
        let mut e = if self.rng.chance(500) {
            serde_json::to_value(retracted).unwrap()
        } else {
            json!({ "type": "ObjectEvent", "action": "OBSERVE", "eventID": retracted.event_id })
        };
        e["errorDeclaration"] = json!({ "declarationTime": "2026-06-01T00:00:00Z",
            "reason": "incorrect_data" });
        e
    }

    /// The next event, at a time on a coarse grid (so that equal times happen).
    fn event(&mut self) -> Event {
        let mut body = self.body();
        let minute = self.rng.below(600);
        body["eventTime"] = json!(format!(
            "2026-03-01T{:02}:{:02}:00Z",
            minute / 60,
            minute % 60
        ));
        body["eventTimeZoneOffset"] = json!("+00:00");
        if body.get("eventID").is_none() {
            self.next_id += 1;
            body["eventID"] = json!(format!(
                "urn:uuid:00000000-0000-4000-8000-{:012}",
                self.next_id
            ));
        }
        let event: Event = serde_json::from_value(body).unwrap();
        self.made.push(event.clone());
        event
    }
}

#[test]
fn random_worlds_replayed_in_part_equal_rebuilds() {
    let mut partial = 0;
    for seed in 0..60 {
        let mut world = World::new(seed);
        let events: Vec<Event> = (0..150).map(|_| world.event()).collect();
        let mut rng = Rng::new(seed + 1_000);
        let repairs = run(events, &mut rng, 6, 1, ReplayLimits::default());
        partial += repairs
            .iter()
            .filter(|r| matches!(r, Repair::Partial(_)))
            .count();
        assert!(!repairs.contains(&Repair::Rebuilt), "seed {seed}");
    }
    assert!(
        partial > 1_000,
        "the worlds go stale often: {partial} replays"
    );
}

#[test]
fn past_the_limits_it_rebuilds_and_is_still_right() {
    for (seed, limits) in [
        (
            1,
            ReplayLimits {
                events: 3,
                objects: 100,
            },
        ),
        (
            2,
            ReplayLimits {
                events: 1_000,
                objects: 2,
            },
        ),
        (
            3,
            ReplayLimits {
                events: 20,
                objects: 6,
            },
        ),
    ] {
        let mut world = World::new(seed);
        let events: Vec<Event> = (0..150).map(|_| world.event()).collect();
        let mut rng = Rng::new(seed);
        let repairs = run(events, &mut rng, 6, 1, limits);
        assert!(repairs.contains(&Repair::Rebuilt), "{limits:?}");
    }
}

#[test]
fn hand_made_late_pallet_ship_is_replayed_for_its_contents_only() {
    let lot = |i: u32| synth::lot_uri(1, i, &format!("H{i}"));
    let (case, pallet) = (synth::sscc_uri(1, 1), synth::sscc_uri(1, 2));
    let (plant, dc) = (synth::location_uri(1), synth::location_uri(2));
    let at = |minute: u32, mut body: Value, id: u32| -> Event {
        body["eventTime"] = json!(format!("2026-03-01T10:{minute:02}:00Z"));
        body["eventTimeZoneOffset"] = json!("+00:00");
        body["eventID"] = json!(format!("urn:uuid:00000000-0000-4000-8000-{id:012}"));
        serde_json::from_value(body).unwrap()
    };
    let made = |i: u32| {
        json!({ "type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning",
        "bizLocation": { "id": plant }, "quantityList": [{ "epcClass": lot(i), "quantity": 10, "uom": "KGM" }] })
    };
    let arrivals = vec![
        at(0, made(1), 1),
        at(1, made(2), 2),
        at(2, made(3), 3),
        at(
            3,
            json!({ "type": "AggregationEvent", "action": "ADD", "parentID": case,
            "childQuantityList": [{ "epcClass": lot(1), "quantity": 4 }] }),
            4,
        ),
        at(
            5,
            json!({ "type": "AggregationEvent", "action": "ADD", "parentID": pallet,
            "childEPCs": [case] }),
            5,
        ),
        at(
            9,
            json!({ "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping",
            "epcList": [pallet], "sourceList": [{ "type": "location", "source": plant }],
            "destinationList": [{ "type": "location", "destination": dc }] }),
            6,
        ),
        // Late: lot 2 was put in the case before the pallet shipped.
        at(
            4,
            json!({ "type": "AggregationEvent", "action": "ADD", "parentID": case,
            "childQuantityList": [{ "epcClass": lot(2), "quantity": 3 }] }),
            7,
        ),
    ];
    let mut log = Log::default();
    let mut inventory = Inventory::new();
    for e in arrivals {
        inventory.apply(&e);
        log.push(e);
    }
    assert!(inventory.is_stale());
    let (set, positions) = replay_events(&inventory, &log, ReplayLimits::default()).unwrap();
    // The case, its pallet and both lots in it; lot 3 was never in a container.
    assert_eq!(set.len(), 4);
    assert!(!set.contains(&lot(3)));
    assert_eq!(positions.len(), 6, "every event but lot 3's commissioning");
    inventory.replay(&set, positions.iter().map(|&p| &log.events[p]));
    let shipped = inventory.lot(&lot(2)).unwrap();
    assert_eq!(
        shipped
            .in_transit
            .values()
            .copied()
            .sum::<lotrace_core::Qty>(),
        lotrace_core::Qty::from_units(3)
    );
    assert_same(&inventory, &Inventory::rebuild(log.by_time()), "hand made");
}

#[test]
fn the_synthetic_chain_uploaded_late_is_replayed_in_part() {
    for seed in [3, 5] {
        let mut config = Config::for_events(6_000, seed);
        config.late_per_mille = 30;
        config.late_by_events = 800;
        let events: Vec<Event> = Generator::new(config).collect();
        let total = events.len();
        let mut rng = Rng::new(seed);
        let repairs = run(events, &mut rng, 40, 25, ReplayLimits::default());
        let replayed: Vec<usize> = repairs
            .iter()
            .filter_map(|r| match r {
                Repair::Partial(n) => Some(*n),
                _ => None,
            })
            .collect();
        assert!(!repairs.contains(&Repair::Rebuilt));
        assert!(
            replayed.len() > 20,
            "seed {seed}: {} replays",
            replayed.len()
        );
        let mean = replayed.iter().sum::<usize>() / replayed.len();
        assert!(
            mean * 10 < total,
            "seed {seed}: {mean} events a replay of {total}"
        );
    }
}
