//! Operations against the inventory projection, with quantities worked out by hand.

use lotrace_core::catalog::Catalog;
use lotrace_core::inventory::{HoldState, Inventory};
use lotrace_core::ops::{Need, OpContext, Operation, Plan};
use lotrace_core::{DomainError, Qty};
use lotrace_epcis::TzOffset;
use serde_json::{Value, json};

struct World {
    catalog: Catalog,
    inventory: Inventory,
    ctx: OpContext,
    counters: std::collections::HashMap<String, u64>,
}

impl World {
    fn new() -> World {
        let mut catalog = Catalog::default();
        for p in [
            json!({ "code": "LETTUCE", "name": "Romaine lettuce", "uom": "KGM", "gtin": "00614141123452",
                    "required_at_receipt": ["supplier_lot", "expiry"] }),
            json!({ "code": "SALAD", "name": "Salad mix", "uom": "KGM", "gtin": "04012345111118",
                    "lot_template": "{yy}{doy:03}-{line}-{seq:03}", "shelf_life_days": 9 }),
            json!({ "code": "BOTTLE", "name": "Bottles", "uom": "H87" }),
        ] {
            let mut p: lotrace_core::master::Product = serde_json::from_value(p).unwrap();
            p.validate().unwrap();
            catalog.products.insert(p.code.clone(), p);
        }
        for l in [
            json!({ "code": "PLANT", "name": "Plant", "kind": "site", "gln": "4012345000016" }),
            json!({ "code": "COLD", "name": "Cold room", "kind": "zone", "parent": "PLANT" }),
            json!({ "code": "L3", "name": "Line 3", "kind": "zone", "parent": "PLANT" }),
        ] {
            let l: lotrace_core::master::Location = serde_json::from_value(l).unwrap();
            l.validate().unwrap();
            catalog.locations.insert(l.code.clone(), l);
        }
        for p in [
            json!({ "code": "FARM", "name": "Green Valley", "roles": ["supplier"], "gln": "0614141000012" }),
            json!({ "code": "SHOP", "name": "Harbor Market", "roles": ["customer"] }),
        ] {
            let p: lotrace_core::master::Party = serde_json::from_value(p).unwrap();
            p.validate().unwrap();
            catalog.parties.insert(p.code.clone(), p);
        }
        World {
            catalog,
            inventory: Inventory::new(),
            ctx: OpContext {
                now: "2026-03-12T09:00:00Z".parse().unwrap(),
                offset: TzOffset::parse("+00:00").unwrap(),
                operator: "tester".into(),
                company_prefix: "4012345".into(),
            },
            counters: Default::default(),
        }
    }

    fn run(&mut self, name: &str, body: Value) -> Result<Plan, DomainError> {
        let op = Operation::from_json(name, body)?;
        let needs = op.needs(&self.catalog, &self.ctx)?;
        let drawn: Vec<(Need, u64)> = needs
            .into_iter()
            .map(|n| {
                let c = self.counters.entry(n.counter_name()).or_insert(0);
                *c += 1;
                (n, *c)
            })
            .collect();
        let plan = op.plan(&self.catalog, &self.inventory, &self.ctx, &drawn)?;
        for e in &plan.events {
            self.inventory.apply(e);
        }
        Ok(plan)
    }

    fn lot(&self, uri: &str) -> &lotrace_core::inventory::LotState {
        self.inventory
            .lot(uri)
            .unwrap_or_else(|| panic!("lot {uri} unknown"))
    }
}

const LETTUCE_L1: &str = "https://id.gs1.org/01/00614141123452/10/L1";
const COLD: &str = "urn:lotrace:location:COLD";
const LINE3: &str = "urn:lotrace:location:L3";

fn receive_lettuce(w: &mut World, kg: u32) -> Plan {
    w.run(
        "receive",
        json!({ "product": "LETTUCE", "supplier": "FARM", "location": "COLD", "quantity": kg,
                "supplier_lot": "L1", "expiry": "2026-03-30", "purchase_order": "PO-1" }),
    )
    .unwrap()
}

#[test]
fn receive_keeps_the_supplier_lot_and_required_fields() {
    let mut w = World::new();
    let plan = receive_lettuce(&mut w, 100);
    assert_eq!(plan.lots, vec![LETTUCE_L1]);
    let lot = w.lot(LETTUCE_L1);
    assert_eq!(lot.received, Qty::from_units(100));
    assert_eq!(lot.on_hand_at(COLD), Qty::from_units(100));
    assert_eq!(lot.expiry.unwrap().to_string(), "2026-03-30");
    assert_eq!(lot.attributes["lotrace:supplierLot"], "L1");

    let missing = w
        .run("receive", json!({ "product": "LETTUCE", "supplier": "FARM", "location": "COLD", "quantity": 5, "supplier_lot": "L2" }))
        .unwrap_err();
    assert_eq!(
        missing,
        DomainError::field("expiry", "required when receiving \"LETTUCE\"")
    );
    let wrong_unit = w
        .run(
            "receive",
            json!({ "product": "LETTUCE", "supplier": "FARM", "location": "COLD", "quantity": 5,
                                "uom": "LTR", "supplier_lot": "L2", "expiry": "2026-04-01" }),
        )
        .unwrap_err();
    assert!(
        matches!(&wrong_unit, DomainError::Field { field, .. } if field == "uom"),
        "{wrong_unit}"
    );
    let not_supplier = w
        .run(
            "receive",
            json!({ "product": "LETTUCE", "supplier": "SHOP", "location": "COLD", "quantity": 5,
                                "supplier_lot": "L2", "expiry": "2026-04-01" }),
        )
        .unwrap_err();
    assert!(
        not_supplier.to_string().contains("not a supplier"),
        "{not_supplier}"
    );
}

#[test]
fn produce_consumes_inputs_and_numbers_the_output_from_the_template() {
    let mut w = World::new();
    receive_lettuce(&mut w, 100);
    let produce = |qty_in: u32| {
        json!({ "product": "SALAD", "quantity": 50, "location": "L3",
                "inputs": [{ "product": "LETTUCE", "lot": "L1", "quantity": qty_in, "location": "COLD" }] })
    };
    let first = w.run("produce", produce(30)).unwrap();
    let second = w.run("produce", produce(20)).unwrap();
    // 2026-03-12 is day 071; the sequence counts per day and line.
    assert_eq!(first.assigned_lots, vec!["26071-L3-001"]);
    assert_eq!(second.assigned_lots, vec!["26071-L3-002"]);
    assert_eq!(
        first.events.len(),
        2,
        "a staging move, then the transformation"
    );
    let lettuce = w.lot(LETTUCE_L1);
    assert_eq!(lettuce.consumed, Qty::from_units(50));
    assert_eq!(lettuce.on_hand_at(COLD), Qty::from_units(50));
    assert_eq!(lettuce.on_hand_at(LINE3), Qty::ZERO);
    let salad = w.lot("https://id.gs1.org/01/04012345111118/10/26071-L3-001");
    assert_eq!(salad.produced, Qty::from_units(50));
    assert_eq!(salad.on_hand_at(LINE3), Qty::from_units(50));
    assert_eq!(
        salad.expiry.unwrap().to_string(),
        "2026-03-21",
        "9 days of shelf life"
    );

    let too_much = w.run("produce", produce(51)).unwrap_err();
    assert!(
        matches!(&too_much, DomainError::Refused { rule, .. } if rule == "insufficient_stock"),
        "{too_much}"
    );
    assert!(too_much.to_string().contains("only 50"), "{too_much}");

    let typed = w.run(
        "produce",
        json!({ "product": "SALAD", "lot": "bad-lot", "quantity": 1, "location": "L3" }),
    );
    assert!(typed.unwrap_err().to_string().contains("does not fit"));
}

#[test]
fn held_lots_cannot_be_consumed_or_shipped_until_released() {
    let mut w = World::new();
    receive_lettuce(&mut w, 100);
    w.run(
        "hold",
        json!({ "product": "LETTUCE", "lot": "L1", "reason": "Listeria swab positive" }),
    )
    .unwrap();
    assert_eq!(w.lot(LETTUCE_L1).hold, HoldState::OnHold);
    let ship = json!({ "customer": "SHOP", "location": "COLD",
                       "lots": [{ "product": "LETTUCE", "lot": "L1", "quantity": 10 }], "purchase_order": "SO-1" });
    let refused = w.run("ship", ship.clone()).unwrap_err();
    assert!(
        matches!(&refused, DomainError::Refused { rule, .. } if rule == "lot_on_hold"),
        "{refused}"
    );
    assert!(refused.to_string().contains("Listeria"));
    let again = w
        .run(
            "hold",
            json!({ "product": "LETTUCE", "lot": "L1", "reason": "x" }),
        )
        .unwrap_err();
    assert!(again.to_string().contains("already on hold"));

    w.run(
        "release",
        json!({ "product": "LETTUCE", "lot": "L1", "reason": "retest negative" }),
    )
    .unwrap();
    w.run("ship", ship).unwrap();
    let lot = w.lot(LETTUCE_L1);
    assert_eq!(lot.shipped, Qty::from_units(10));
    assert_eq!(lot.on_hand_at(COLD), Qty::from_units(90));
}

#[test]
fn pack_allocates_an_sscc_and_shipping_it_ships_its_contents() {
    let mut w = World::new();
    receive_lettuce(&mut w, 100);
    let packed = w
        .run("pack", json!({ "location": "COLD", "lots": [{ "product": "LETTUCE", "lot": "L1", "quantity": 40 }] }))
        .unwrap();
    let sscc = packed.sscc.clone().unwrap();
    // Extension 0, prefix 4012345, serial 1 padded to 9 digits, check digit.
    assert_eq!(sscc, "https://id.gs1.org/00/040123450000000016");
    w.run(
        "ship",
        json!({ "customer": "SHOP", "location": "COLD", "containers": ["040123450000000016"] }),
    )
    .unwrap();
    let lot = w.lot(LETTUCE_L1);
    assert_eq!(lot.shipped, Qty::from_units(40));
    assert_eq!(lot.on_hand_at(COLD), Qty::from_units(60));
    let twice = w
        .run(
            "ship",
            json!({ "customer": "SHOP", "location": "COLD", "containers": [sscc] }),
        )
        .unwrap_err();
    assert!(
        twice.to_string().contains("already been shipped"),
        "{twice}"
    );
}

#[test]
fn unpacked_lots_do_not_ship_with_the_pallet() {
    let mut w = World::new();
    receive_lettuce(&mut w, 100);
    w.run(
        "pack",
        json!({ "location": "COLD", "sscc": "040123450000000023",
                          "lots": [{ "product": "LETTUCE", "lot": "L1", "quantity": 40 }] }),
    )
    .unwrap();
    w.run(
        "unpack",
        json!({ "location": "COLD", "sscc": "040123450000000023",
                            "lots": [{ "product": "LETTUCE", "lot": "L1", "quantity": 15 }] }),
    )
    .unwrap();
    w.run(
        "ship",
        json!({ "customer": "SHOP", "location": "COLD", "containers": ["040123450000000023"] }),
    )
    .unwrap();
    assert_eq!(w.lot(LETTUCE_L1).shipped, Qty::from_units(25));
}

#[test]
fn move_adjust_scrap_and_return_keep_the_balance_closed() {
    let mut w = World::new();
    receive_lettuce(&mut w, 100);
    w.run("move", json!({ "from": "COLD", "to": "L3", "lots": [{ "product": "LETTUCE", "lot": "L1", "quantity": 30 }] })).unwrap();
    w.run("adjust", json!({ "product": "LETTUCE", "lot": "L1", "location": "COLD", "counted": 68, "reason": "cycle count" })).unwrap();
    w.run("scrap", json!({ "product": "LETTUCE", "lot": "L1", "location": "L3", "quantity": 5, "reason": "damaged" })).unwrap();
    w.run("ship", json!({ "customer": "SHOP", "location": "COLD", "lots": [{ "product": "LETTUCE", "lot": "L1", "quantity": 8 }] })).unwrap();
    w.run("return", json!({ "customer": "SHOP", "location": "COLD", "product": "LETTUCE", "lot": "L1", "quantity": 3, "rma": "RMA-9" })).unwrap();
    let lot = w.lot(LETTUCE_L1);
    assert_eq!(lot.on_hand_at(COLD), Qty::from_units(68 - 8 + 3));
    assert_eq!(lot.on_hand_at(LINE3), Qty::from_units(25));
    assert_eq!(lot.adjusted, Qty::from_units(-2));
    assert_eq!(lot.scrapped, Qty::from_units(5));
    assert_eq!(lot.returned, Qty::from_units(3));
    assert_eq!(
        lot.balance_difference(),
        Qty::ZERO,
        "100 + 3 - 2 - 8 - 5 = 88 on hand"
    );
    let too_much = w.run("scrap", json!({ "product": "LETTUCE", "lot": "L1", "location": "L3", "quantity": 26, "reason": "x" }));
    assert!(too_much.unwrap_err().to_string().contains("only 25"));
}

#[test]
fn a_failed_inspection_puts_the_lot_on_hold() {
    let mut w = World::new();
    receive_lettuce(&mut w, 10);
    w.run("inspect", json!({ "product": "LETTUCE", "lot": "L1", "result": "fail",
                             "measurements": [{ "name": "temperature", "value": 9.5, "uom": "CEL", "max": 5.0 }],
                             "certificate": "COA-2026-0042" })).unwrap();
    assert_eq!(w.lot(LETTUCE_L1).hold, HoldState::OnHold);
}

#[test]
fn expired_lots_are_refused_and_skipped_by_fefo() {
    let mut w = World::new();
    receive_lettuce(&mut w, 10);
    w.run(
        "receive",
        json!({ "product": "LETTUCE", "supplier": "FARM", "location": "COLD", "quantity": 10,
                             "supplier_lot": "OLD", "expiry": "2026-03-01" }),
    )
    .unwrap();
    w.run(
        "receive",
        json!({ "product": "LETTUCE", "supplier": "FARM", "location": "COLD", "quantity": 10,
                             "supplier_lot": "SOON", "expiry": "2026-03-20" }),
    )
    .unwrap();
    let refused = w.run("ship", json!({ "customer": "SHOP", "location": "COLD",
                                         "lots": [{ "product": "LETTUCE", "lot": "OLD", "quantity": 1 }] })).unwrap_err();
    assert!(
        matches!(&refused, DomainError::Refused { rule, .. } if rule == "lot_expired"),
        "{refused}"
    );
    let today = "2026-03-12".parse().unwrap();
    let picks = lotrace_core::ops::suggest_picks(
        &w.catalog,
        &w.inventory,
        "LETTUCE",
        Qty::from_units(15),
        None,
        today,
    )
    .unwrap();
    let lots: Vec<_> = picks
        .iter()
        .map(|p| (p.lot.rsplit('/').next().unwrap().to_owned(), p.quantity))
        .collect();
    assert_eq!(
        lots,
        vec![
            ("SOON".to_owned(), Qty::from_units(10)),
            ("L1".to_owned(), Qty::from_units(5))
        ]
    );
}

#[test]
fn unknown_fields_and_bad_values_name_the_field() {
    let mut w = World::new();
    let e = w.run("receive", json!({ "product": "LETTUCE", "supplier": "FARM", "location": "COLD", "quantity": 5, "colour": "red" })).unwrap_err();
    assert!(e.to_string().contains("colour"), "{e}");
    let e = w.run("receive", json!({ "product": "LETTUCE", "supplier": "FARM", "location": "COLD", "quantity": "lots" })).unwrap_err();
    assert!(e.to_string().starts_with("quantity"), "{e}");
    let e = w
        .run(
            "receive",
            json!({ "product": "NOPE", "supplier": "FARM", "location": "COLD", "quantity": 1 }),
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("no product with code \"NOPE\""),
        "{e}"
    );
    let e = w.run("ship", json!({ "customer": "SHOP", "location": "COLD", "lots": [{ "product": "LETTUCE", "lot": "L1", "quantity": -1 }] })).unwrap_err();
    assert!(e.to_string().starts_with("lots[0].quantity"), "{e}");
}

#[test]
fn a_ship_line_stored_elsewhere_is_picked_to_the_ship_from_location_first() {
    let mut w = World::new();
    receive_lettuce(&mut w, 100);
    let plan = w
        .run(
            "ship",
            json!({ "customer": "SHOP", "location": "L3",
                "lots": [{ "product": "LETTUCE", "lot": "L1", "quantity": 10, "location": "COLD" }] }),
        )
        .unwrap();
    let events: Vec<Value> = plan
        .events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect();
    let steps: Vec<&str> = events
        .iter()
        .map(|e| e["bizStep"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["picking", "shipping"]);
    assert_eq!(events[0]["sourceList"][0]["source"], COLD);
    assert_eq!(events[0]["destinationList"][0]["destination"], LINE3);
    assert_eq!(events[1]["readPoint"]["id"], LINE3);
    let lot = w.lot(LETTUCE_L1);
    assert_eq!(
        lot.on_hand_at(COLD),
        Qty::from_units(90),
        "taken from the cold room"
    );
    assert_eq!(
        lot.on_hand_at(LINE3),
        Qty::ZERO,
        "picked to line 3, then shipped"
    );
    assert_eq!(lot.shipped, Qty::from_units(10));
    assert_eq!(lot.balance_difference(), Qty::ZERO);
}
