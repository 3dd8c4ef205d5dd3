//! A synthetic supply chain: deterministic from a seed, streaming, any size.
//!
//! Suppliers commission raw lots and ship parts of each to processors; processors turn 2-3
//! raw lots into an intermediate lot per batch (some batches recorded as two events sharing a
//! transformationID), palletise and ship them to manufacturers, who unpack them and turn 2-3
//! intermediate lots into finished lots, pack those into cases (SSCCs) and the cases onto
//! pallets (nested containment). Distribution centres receive the pallets, break some
//! completely (DELETE without children), take a few cases off others, build mixed store
//! pallets from the loose cases, and ship store pallets and the rest intact to stores, which
//! receive and unpack them.
//!
//! Every event has an eventID; identifiers are GS1 Digital Links on id.gs1.org with valid check
//! digits (canonical). Events come out in eventTime order perturbed as real uploads are: shuffled
//! within a window, and a few held back and delivered much later. Memory stays bounded by the
//! size of the chain (sites and their recent stock), not the number of events.
//!
//! ```
//! use lotrace_trace::synth::{Config, Generator};
//! let events: Vec<_> = Generator::new(Config::for_events(1_000, 7)).collect();
//! assert_eq!(events.len(), 1_000);
//! ```

use std::collections::VecDeque;

use lotrace_epcis::{
    Action, BizTransaction, Destination, Event, EventType, LocationRef, Object, QuantityElement,
    Source, Time, TzOffset,
};
use serde_json::{Number, Value};

/// The shape of the chain and of the upload stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub seed: u64,
    /// The generator stops after this many events.
    pub events: u64,
    pub suppliers: u32,
    pub processors: u32,
    pub manufacturers: u32,
    pub distribution_centres: u32,
    pub stores: u32,
    /// Events leave in eventTime order shuffled within a window of this many events.
    pub reorder_window: u32,
    /// Per mille of events uploaded late ...
    pub late_per_mille: u32,
    /// ... by up to this many events.
    pub late_by_events: u32,
}

impl Config {
    /// About 500 events per simulated day per unit of scale; the scale grows with the number of
    /// events so that a run covers about a year whatever its size.
    pub fn for_events(events: u64, seed: u64) -> Config {
        let scale = (events / 200_000).clamp(1, 1 << 16) as u32;
        Config {
            seed,
            events,
            suppliers: 40 * scale,
            processors: 10 * scale,
            manufacturers: 6 * scale,
            distribution_centres: 4 * scale,
            stores: 60 * scale,
            reorder_window: 64,
            late_per_mille: 10,
            late_by_events: 5_000,
        }
    }
}

/// SplitMix64: small, fast, deterministic.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0)");
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }
}

/// GS1 mod-10 check digit of `digits` (the digits before the check digit).
pub fn check_digit(digits: &str) -> char {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

fn with_check(digits: String) -> String {
    let c = check_digit(&digits);
    let mut s = digits;
    s.push(c);
    s
}

/// Company `c`'s GS1 company prefix (7 digits).
fn prefix(company: u32) -> u32 {
    2_000_000 + company
}

pub fn gtin(company: u32, item: u32) -> String {
    with_check(format!("0{:07}{:05}", prefix(company), item % 100_000))
}

pub fn lot_uri(company: u32, item: u32, lot: &str) -> String {
    format!("https://id.gs1.org/01/{}/10/{lot}", gtin(company, item))
}

pub fn sscc_uri(company: u32, serial: u64) -> String {
    format!(
        "https://id.gs1.org/00/{}",
        with_check(format!(
            "0{:07}{:09}",
            prefix(company),
            serial % 1_000_000_000
        ))
    )
}

pub fn location_uri(company: u32) -> String {
    format!(
        "https://id.gs1.org/414/{}",
        with_check(format!("{:07}00001", prefix(company)))
    )
}

pub fn party_uri(company: u32) -> String {
    format!(
        "https://id.gs1.org/417/{}",
        with_check(format!("{:07}00000", prefix(company)))
    )
}

/// Is this one of the generator's lot identifiers (not a container)?
pub fn is_lot(id: &str) -> bool {
    id.contains("/10/")
}

impl Config {
    /// Is this a raw lot commissioned by a supplier (where recalls usually start: the widest
    /// forward traces)?
    pub fn is_supplier_lot(&self, id: &str) -> bool {
        let Some(gtin) = id
            .strip_prefix("https://id.gs1.org/01/")
            .and_then(|rest| rest.get(..14))
        else {
            return false;
        };
        match gtin[1..8].parse::<u32>() {
            Ok(p) => is_lot(id) && p >= prefix(0) && p - prefix(0) < self.suppliers,
            Err(_) => false,
        }
    }
}

const DAY_US: i64 = 86_400_000_000;
const HOUR_US: i64 = 3_600_000_000;
/// 2026-01-01T00:00:00Z.
const EPOCH_US: i64 = 1_767_225_600_000_000;

#[derive(Clone, Debug)]
struct Stock {
    lot: String,
    uses_left: u32,
    since_day: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Supplier,
    Processor,
    Manufacturer,
    Dc,
    Store,
}

/// The event stream. An iterator of `Event`s; see the module documentation.
pub struct Generator {
    config: Config,
    rng: Rng,
    day: i64,
    emitted: u64,
    /// Per processor / manufacturer: lots on hand.
    processor_stock: Vec<Vec<Stock>>,
    manufacturer_stock: Vec<Vec<Stock>>,
    /// Per DC: cases on hand (loose, after breaking pallets).
    dc_cases: Vec<Vec<String>>,
    /// Per DC: pallets received today, with their cases.
    dc_pallets: Vec<Vec<(String, Vec<String>)>>,
    next_serial: u64,
    next_lot: u64,
    /// Events by day from today; day 0 is being built.
    days: VecDeque<Vec<Event>>,
    /// The reorder window, and events held back with the count at which they are released.
    window: Vec<Event>,
    late: VecDeque<(u64, Event)>,
    ready: VecDeque<Event>,
    templates: [Event; 3],
}

impl Generator {
    pub fn new(config: Config) -> Generator {
        assert!(
            config.suppliers > 0
                && config.processors > 0
                && config.manufacturers > 0
                && config.distribution_centres > 0
                && config.stores > 0,
            "every tier needs at least one site"
        );
        let template = |kind: &str| -> Event {
            serde_json::from_value(serde_json::json!({
                "type": kind,
                "eventTime": "2026-01-01T00:00:00Z",
                "eventTimeZoneOffset": "+00:00",
            }))
            .expect("a minimal event parses")
        };
        Generator {
            rng: Rng::new(config.seed),
            day: 0,
            emitted: 0,
            processor_stock: vec![Vec::new(); config.processors as usize],
            manufacturer_stock: vec![Vec::new(); config.manufacturers as usize],
            dc_cases: vec![Vec::new(); config.distribution_centres as usize],
            dc_pallets: vec![Vec::new(); config.distribution_centres as usize],
            next_serial: 1,
            next_lot: 1,
            days: VecDeque::new(),
            window: Vec::new(),
            late: VecDeque::new(),
            ready: VecDeque::new(),
            templates: [
                template("ObjectEvent"),
                template("AggregationEvent"),
                template("TransformationEvent"),
            ],
            config,
        }
    }

    fn company(&self, kind: Kind, index: u32) -> u32 {
        let c = &self.config;
        match kind {
            Kind::Supplier => index,
            Kind::Processor => c.suppliers + index,
            Kind::Manufacturer => c.suppliers + c.processors + index,
            Kind::Dc => c.suppliers + c.processors + c.manufacturers + index,
            Kind::Store => {
                c.suppliers + c.processors + c.manufacturers + c.distribution_centres + index
            }
        }
    }

    fn event_id(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        format!(
            "urn:uuid:{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }

    fn base(&mut self, kind: EventType, time_us: i64) -> Event {
        let mut e = match kind {
            EventType::AggregationEvent => self.templates[1].clone(),
            EventType::TransformationEvent => self.templates[2].clone(),
            _ => self.templates[0].clone(),
        };
        e.event_id = Some(self.event_id());
        let instant = jiff::Timestamp::from_microsecond(EPOCH_US + time_us)
            .expect("simulated times are in range");
        e.event_time = Time::from_instant(instant);
        e.event_time_zone_offset = TzOffset { minutes: 0 };
        e
    }

    fn push(&mut self, event: Event, time_us: i64) {
        let day = (time_us.div_euclid(DAY_US) - self.day).max(0) as usize;
        while self.days.len() <= day {
            self.days.push_back(Vec::new());
        }
        self.days[day].push(event);
    }

    fn lot_code(&mut self) -> String {
        let n = self.next_lot;
        self.next_lot += 1;
        format!("L{}-{n}", self.day)
    }

    fn serial(&mut self) -> u64 {
        let n = self.next_serial;
        self.next_serial += 1;
        n
    }

    fn quantity(&mut self, epc_class: &str) -> QuantityElement {
        QuantityElement {
            epc_class: epc_class.to_owned(),
            quantity: Some(Number::from(self.rng.between(50, 2_000))),
            uom: Some("KGM".to_owned()),
        }
    }

    fn at(company: u32) -> Option<LocationRef> {
        Some(LocationRef {
            id: location_uri(company),
            extensions: Object::new(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn movement(
        &mut self,
        step: &str,
        time_us: i64,
        from: u32,
        to: u32,
        epcs: Option<Vec<String>>,
        quantities: Option<Vec<QuantityElement>>,
        order: u64,
    ) -> Event {
        let mut e = self.base(EventType::ObjectEvent, time_us);
        e.action = Some(Action::Observe);
        e.biz_step = Some(step.to_owned());
        let (disposition, here) = if step == "shipping" {
            ("in_transit", from)
        } else {
            ("in_progress", to)
        };
        e.disposition = Some(disposition.to_owned());
        e.read_point = Self::at(here);
        if step == "receiving" {
            e.biz_location = Self::at(to);
        }
        e.epc_list = epcs;
        e.quantity_list = quantities;
        e.biz_transaction_list = Some(vec![
            BizTransaction {
                kind: Some("po".to_owned()),
                biz_transaction: format!("urn:epcglobal:cbv:bt:{}:PO-{order}", gln(to)),
            },
            BizTransaction {
                kind: Some("desadv".to_owned()),
                biz_transaction: format!("urn:epcglobal:cbv:bt:{}:ASN-{order}", gln(from)),
            },
        ]);
        e.source_list = Some(vec![
            Source {
                kind: "owning_party".to_owned(),
                source: party_uri(from),
            },
            Source {
                kind: "location".to_owned(),
                source: location_uri(from),
            },
        ]);
        e.destination_list = Some(vec![
            Destination {
                kind: "owning_party".to_owned(),
                destination: party_uri(to),
            },
            Destination {
                kind: "location".to_owned(),
                destination: location_uri(to),
            },
        ]);
        e
    }

    fn aggregation(
        &mut self,
        action: Action,
        time_us: i64,
        site: u32,
        parent: &str,
        child_epcs: Option<Vec<String>>,
        child_quantities: Option<Vec<QuantityElement>>,
    ) -> Event {
        let mut e = self.base(EventType::AggregationEvent, time_us);
        e.action = Some(action);
        e.biz_step = Some(
            if action == Action::Delete {
                "unpacking"
            } else {
                "packing"
            }
            .to_owned(),
        );
        e.disposition = Some("in_progress".to_owned());
        e.parent_id = Some(parent.to_owned());
        e.read_point = Self::at(site);
        e.biz_location = Self::at(site);
        e.child_epcs = child_epcs;
        e.child_quantity_list = child_quantities;
        e
    }

    /// Ship `pallets` (SSCCs) from one site to another: shipping today, receiving tomorrow.
    fn ship_pallets(&mut self, day_us: i64, from: u32, to: u32, pallets: Vec<String>) -> i64 {
        let order = self.rng.next_u64() % 1_000_000;
        let ship_at = day_us + 15 * HOUR_US + self.rng.below(HOUR_US as u64) as i64;
        let receive_at = day_us + DAY_US + 6 * HOUR_US + self.rng.below(2 * HOUR_US as u64) as i64;
        let e = self.movement(
            "shipping",
            ship_at,
            from,
            to,
            Some(pallets.clone()),
            None,
            order,
        );
        self.push(e, ship_at);
        let e = self.movement(
            "receiving",
            receive_at,
            from,
            to,
            Some(pallets),
            None,
            order,
        );
        self.push(e, receive_at);
        receive_at
    }

    fn transform(
        &mut self,
        time_us: i64,
        site: u32,
        inputs: &[String],
        outputs: &[String],
    ) -> Vec<(Event, i64)> {
        let quantities =
            |g: &mut Self, ids: &[String]| ids.iter().map(|id| g.quantity(id)).collect::<Vec<_>>();
        let inputs_q = quantities(self, inputs);
        let outputs_q = quantities(self, outputs);
        let make = |g: &mut Self, t: i64, ins: Option<Vec<QuantityElement>>, outs| {
            let mut e = g.base(EventType::TransformationEvent, t);
            e.biz_step = Some("commissioning".to_owned());
            e.disposition = Some("active".to_owned());
            e.read_point = Self::at(site);
            e.biz_location = Self::at(site);
            e.input_quantity_list = ins;
            e.output_quantity_list = outs;
            e
        };
        // 15% of batches: the line logs inputs, the scale logs outputs, joined by transformationID.
        if self.rng.chance(150) {
            let tid = format!("urn:uuid:{}", &self.event_id()[9..]);
            let mut a = make(self, time_us, Some(inputs_q), None);
            a.transformation_id = Some(tid.clone());
            let later = time_us + HOUR_US / 2;
            let mut b = make(self, later, None, Some(outputs_q));
            b.transformation_id = Some(tid);
            vec![(a, time_us), (b, later)]
        } else {
            vec![(
                make(self, time_us, Some(inputs_q), Some(outputs_q)),
                time_us,
            )]
        }
    }

    /// Takes 2-3 lots (distinct) from a stock, preferring the oldest; None if too few.
    fn take_inputs(rng: &mut Rng, stock: &mut Vec<Stock>, today: i64) -> Option<Vec<String>> {
        stock.retain(|s| s.uses_left > 0 && today - s.since_day <= 6);
        let available: Vec<usize> = (0..stock.len())
            .filter(|&i| stock[i].since_day <= today)
            .collect();
        if available.len() < 2 {
            return None;
        }
        let want = (rng.between(2, 3) as usize).min(available.len());
        let mut picked: Vec<usize> = Vec::with_capacity(want);
        while picked.len() < want {
            // Bias towards the front (older stock) by taking the min of two draws.
            let i = available[(rng.below(available.len() as u64))
                .min(rng.below(available.len() as u64)) as usize];
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        let lots = picked
            .iter()
            .map(|&i| {
                stock[i].uses_left -= 1;
                stock[i].lot.clone()
            })
            .collect();
        Some(lots)
    }

    fn simulate_day(&mut self) {
        let day = self.day;
        let day_us = day * DAY_US;
        let c = self.config.clone();

        // Suppliers: commission a raw lot, ship parts of it to 1-3 processors.
        for s in 0..c.suppliers {
            if !self.rng.chance(700) {
                continue;
            }
            let company = self.company(Kind::Supplier, s);
            let item = self.rng.below(2) as u32;
            let code = self.lot_code();
            let lot = lot_uri(company, item, &code);
            let t = day_us + 5 * HOUR_US + self.rng.below(3 * HOUR_US as u64) as i64;
            let mut e = self.base(EventType::ObjectEvent, t);
            e.action = Some(Action::Add);
            e.biz_step = Some("commissioning".to_owned());
            e.disposition = Some("active".to_owned());
            e.read_point = Self::at(company);
            e.biz_location = Self::at(company);
            e.quantity_list = Some(vec![self.quantity(&lot)]);
            let mut ilmd = Object::new();
            ilmd.insert(
                "cbvmda:countryOfOrigin".to_owned(),
                Value::String("US".to_owned()),
            );
            e.ilmd = Some(ilmd);
            self.push(e, t);
            let shipments = self.rng.between(1, 3);
            for _ in 0..shipments {
                // Processors buy from nearby suppliers.
                let p = ((u64::from(s) * u64::from(c.processors) / u64::from(c.suppliers)
                    + self.rng.below(3))
                    % u64::from(c.processors)) as u32;
                let to = self.company(Kind::Processor, p);
                let order = self.rng.next_u64() % 1_000_000;
                let ship_at = day_us + 10 * HOUR_US + self.rng.below(4 * HOUR_US as u64) as i64;
                let q = vec![self.quantity(&lot)];
                let e = self.movement("shipping", ship_at, company, to, None, Some(q), order);
                self.push(e, ship_at);
                let receive_at = day_us + DAY_US + 6 * HOUR_US;
                let q = vec![self.quantity(&lot)];
                let e = self.movement("receiving", receive_at, company, to, None, Some(q), order);
                self.push(e, receive_at);
                let uses = self.rng.between(2, 4) as u32;
                self.processor_stock[p as usize].push(Stock {
                    lot: lot.clone(),
                    uses_left: uses,
                    since_day: day + 1,
                });
            }
        }

        // Processors: 4 batches a day; the day's outputs go to one manufacturer on 1-2 pallets.
        for p in 0..c.processors {
            let company = self.company(Kind::Processor, p);
            let mut outputs = Vec::new();
            for batch in 0..4 {
                let Some(inputs) =
                    Self::take_inputs(&mut self.rng, &mut self.processor_stock[p as usize], day)
                else {
                    break;
                };
                let code = self.lot_code();
                let out = lot_uri(company, self.rng.below(3) as u32, &code);
                let t = day_us + (7 + 2 * batch) * HOUR_US;
                for (e, at) in self.transform(t, company, &inputs, std::slice::from_ref(&out)) {
                    self.push(e, at);
                }
                outputs.push(out);
            }
            if outputs.is_empty() {
                continue;
            }
            let m = ((u64::from(p) * u64::from(c.manufacturers) / u64::from(c.processors)
                + self.rng.below(2))
                % u64::from(c.manufacturers)) as u32;
            let to = self.company(Kind::Manufacturer, m);
            let split = if outputs.len() > 2 { 2 } else { 1 };
            let per = outputs.len().div_ceil(split);
            let mut pallets = Vec::new();
            for chunk in outputs.chunks(per) {
                let pallet = sscc_uri(company, self.serial());
                let t = day_us + 14 * HOUR_US;
                let q: Vec<QuantityElement> = chunk.iter().map(|l| self.quantity(l)).collect();
                let e = self.aggregation(Action::Add, t, company, &pallet, None, Some(q));
                self.push(e, t);
                pallets.push(pallet);
            }
            let received = self.ship_pallets(day_us, company, to, pallets.clone());
            for pallet in pallets {
                let t = received + HOUR_US;
                let e = self.aggregation(Action::Delete, t, to, &pallet, None, None);
                self.push(e, t);
            }
            for out in outputs {
                let uses = self.rng.between(2, 4) as u32;
                self.manufacturer_stock[m as usize].push(Stock {
                    lot: out,
                    uses_left: uses,
                    since_day: day + 1,
                });
            }
        }

        // Manufacturers: 6 batches a day; each finished lot into 2-4 cases; cases on pallets
        // of 4-8 to one DC.
        for m in 0..c.manufacturers {
            let company = self.company(Kind::Manufacturer, m);
            let mut cases = Vec::new();
            for batch in 0..6 {
                let Some(inputs) =
                    Self::take_inputs(&mut self.rng, &mut self.manufacturer_stock[m as usize], day)
                else {
                    break;
                };
                let code = self.lot_code();
                let out = lot_uri(company, self.rng.below(5) as u32, &code);
                let t = day_us + 6 * HOUR_US + batch * 90 * 60_000_000;
                for (e, at) in self.transform(t, company, &inputs, std::slice::from_ref(&out)) {
                    self.push(e, at);
                }
                for _ in 0..self.rng.between(2, 4) {
                    let case = sscc_uri(company, self.serial());
                    let at = t + HOUR_US;
                    let q = vec![self.quantity(&out)];
                    let e = self.aggregation(Action::Add, at, company, &case, None, Some(q));
                    self.push(e, at);
                    cases.push(case);
                }
            }
            if cases.is_empty() {
                continue;
            }
            let dc = self.rng.below(u64::from(c.distribution_centres)) as u32;
            let to = self.company(Kind::Dc, dc);
            let mut pallets = Vec::new();
            let mut rest = &cases[..];
            while !rest.is_empty() {
                let n = (self.rng.between(4, 8) as usize).min(rest.len());
                let (these, more) = rest.split_at(n);
                rest = more;
                let pallet = sscc_uri(company, self.serial());
                let t = day_us + 15 * HOUR_US;
                let e =
                    self.aggregation(Action::Add, t, company, &pallet, Some(these.to_vec()), None);
                self.push(e, t);
                self.dc_pallets[dc as usize].push((pallet.clone(), these.to_vec()));
                pallets.push(pallet);
            }
            self.ship_pallets(day_us, company, to, pallets);
        }

        // DCs: yesterday's pallets arrived this morning. Break half of them; take 1-2 cases off
        // the others; build store pallets of 6 loose cases; ship to stores.
        for dc in 0..c.distribution_centres {
            let company = self.company(Kind::Dc, dc);
            let arrived = std::mem::take(&mut self.dc_pallets[dc as usize]);
            let mut outbound: Vec<String> = Vec::new();
            let t = day_us + DAY_US + 9 * HOUR_US;
            for (pallet, cases) in arrived {
                if self.rng.chance(500) || cases.len() < 3 {
                    let e = self.aggregation(Action::Delete, t, company, &pallet, None, None);
                    self.push(e, t);
                    self.dc_cases[dc as usize].extend(cases);
                } else {
                    let off = self.rng.between(1, 2) as usize;
                    let removed: Vec<String> = cases[..off].to_vec();
                    let e = self.aggregation(
                        Action::Delete,
                        t,
                        company,
                        &pallet,
                        Some(removed.clone()),
                        None,
                    );
                    self.push(e, t);
                    self.dc_cases[dc as usize].extend(removed);
                    outbound.push(pallet);
                }
            }
            let loose = std::mem::take(&mut self.dc_cases[dc as usize]);
            let mut rest = &loose[..];
            while rest.len() >= 6 {
                let (these, more) = rest.split_at(6);
                rest = more;
                let pallet = sscc_uri(company, self.serial());
                let at = t + HOUR_US;
                let e = self.aggregation(
                    Action::Add,
                    at,
                    company,
                    &pallet,
                    Some(these.to_vec()),
                    None,
                );
                self.push(e, at);
                outbound.push(pallet);
            }
            self.dc_cases[dc as usize] = rest.to_vec();
            for pallet in outbound {
                let store = self.rng.below(u64::from(c.stores)) as u32;
                let to = self.company(Kind::Store, store);
                let received =
                    self.ship_pallets(day_us + DAY_US, company, to, vec![pallet.clone()]);
                let at = received + 2 * HOUR_US;
                let e = self.aggregation(Action::Delete, at, to, &pallet, None, None);
                self.push(e, at);
            }
        }
        self.day += 1;
    }

    /// Moves today's events (now final) through the reorder window and late queue.
    fn release_day(&mut self) {
        let mut today = self.days.pop_front().unwrap_or_default();
        today.sort_by_key(|e| e.event_time.instant);
        let window = self.config.reorder_window.max(1) as usize;
        for e in today {
            if self.rng.chance(self.config.late_per_mille) {
                let delay = self
                    .rng
                    .between(1, u64::from(self.config.late_by_events.max(1)));
                let due = self.emitted + self.ready.len() as u64 + delay;
                let pos = self.late.partition_point(|(d, _)| *d <= due);
                self.late.insert(pos, (due, e));
                continue;
            }
            self.window.push(e);
            if self.window.len() >= window {
                let i = self.rng.below(self.window.len() as u64) as usize;
                let out = self.window.swap_remove(i);
                self.ready.push_back(out);
            }
        }
    }
}

impl Iterator for Generator {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if self.emitted >= self.config.events {
            return None;
        }
        loop {
            let position = self.emitted + self.ready.len() as u64;
            if let Some((due, _)) = self.late.front()
                && *due <= position
            {
                let (_, e) = self.late.pop_front().expect("front exists");
                self.ready.push_back(e);
            }
            if let Some(e) = self.ready.pop_front() {
                self.emitted += 1;
                return Some(e);
            }
            // Nothing ready: simulate another day (the chain never runs dry: suppliers
            // commission every day).
            self.simulate_day();
            self.release_day();
        }
    }
}

/// The 13-digit GLN of a company's party, for business transaction URNs.
fn gln(company: u32) -> String {
    with_check(format!("{:07}00000", prefix(company)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits() {
        // GS1's example GTIN 09506000134352 and SSCC 106141412345678908.
        assert_eq!(check_digit("0950600013435"), '2');
        assert_eq!(check_digit("10614141234567890"), '8');
    }

    #[test]
    fn deterministic_and_exact_count() {
        let a: Vec<Event> = Generator::new(Config::for_events(5_000, 42)).collect();
        let b: Vec<Event> = Generator::new(Config::for_events(5_000, 42)).collect();
        let c: Vec<Event> = Generator::new(Config::for_events(5_000, 43)).collect();
        assert_eq!(a.len(), 5_000);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mut ids: Vec<&str> = a.iter().map(|e| e.event_id.as_deref().unwrap()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 5_000, "eventIDs are unique");
    }

    #[test]
    fn out_of_time_order_but_bounded() {
        let events: Vec<Event> = Generator::new(Config::for_events(20_000, 1)).collect();
        let inversions = events
            .windows(2)
            .filter(|w| w[1].event_time.instant < w[0].event_time.instant)
            .count();
        assert!(inversions > 1_000, "{inversions} inversions");
        let kinds = |t: EventType| events.iter().filter(|e| e.event_type == t).count();
        assert!(kinds(EventType::TransformationEvent) > 1_000);
        assert!(kinds(EventType::AggregationEvent) > 1_000);
        assert!(
            events
                .iter()
                .any(|e| e.transformation_id.is_some() && e.output_quantity_list.is_none())
        );
        assert!(events.iter().any(|e| e.action == Some(Action::Delete)
            && e.child_epcs.is_none()
            && e.child_quantity_list.is_none()));
        let config = Config::for_events(20_000, 1);
        let commissioned: Vec<&str> = events
            .iter()
            .filter(|e| e.biz_step.as_deref() == Some("commissioning") && e.ilmd.is_some())
            .map(|e| e.quantity_list.as_ref().unwrap()[0].epc_class.as_str())
            .collect();
        assert!(!commissioned.is_empty());
        assert!(commissioned.iter().all(|id| config.is_supplier_lot(id)));
        let outputs = events
            .iter()
            .flat_map(|e| e.output_quantity_list.iter().flatten())
            .map(|q| q.epc_class.as_str());
        assert!(outputs.into_iter().all(|id| !config.is_supplier_lot(id)));
    }
}
