//! Hand-made scenarios; every expected answer below was worked out by hand from the events.

mod common;

use common::*;
use lotrace_epcis::Event;
use lotrace_trace::{
    Direction, HoldingState, LimitKind, Limits, Relation, Trace, TraceError, TraceIndex,
};
use serde_json::json;

fn index(events: &[Event]) -> TraceIndex {
    let mut ix = TraceIndex::new(Limits::default());
    for e in events {
        ix.insert(e).unwrap();
    }
    ix
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn ids(names: &[&str]) -> Vec<String> {
    sorted(names.iter().map(|n| eid(n)).collect())
}

/// A plant: lots A and B make C; C goes in CASE1, A (left over) in CASE2; both cases on a
/// pallet; CASE2 comes off before the pallet ships; the pallet is received, emptied with a
/// DELETE without children, shipped again empty; CASE1 then ships on its own.
fn warehouse() -> Vec<Event> {
    let (a, b, c) = (lot("A"), lot("B"), lot("C"));
    let (case1, case2, pallet) = (sscc(1), sscc(2), sscc(10));
    vec![
        commission("c1", "08:00", &a, &place(1)),
        commission("c2", "08:30", &b, &place(1)),
        transform("t1", "10:00", &[&a, &b], &[&c], None),
        aggregate("p1", "11:00", "ADD", &case1, &[&c], &[]),
        aggregate("p2", "11:05", "ADD", &case2, &[&a], &[]),
        aggregate("p3", "11:10", "ADD", &pallet, &[], &[&case1, &case2]),
        aggregate("p4", "11:20", "DELETE", &pallet, &[], &[&case2]),
        ship("s1", "12:00", &[&pallet], &party(1), Some(&place(3))),
        receive("r1", "15:00", &[&pallet], &party(9), &place(3)),
        aggregate("p5", "16:00", "DELETE", &pallet, &[], &[]),
        ship("s2", "17:00", &[&pallet], &party(2), None),
        ship("s3", "18:00", &[&case1], &party(3), Some(&place(4))),
    ]
}

#[test]
fn forward_through_nested_pallets() {
    let ix = index(&warehouse());
    let t = ix.trace(&lot("A"), Direction::Forward).unwrap();
    let (a, c) = (lot("A"), lot("C"));
    let (case1, case2, pallet) = (sscc(1), sscc(2), sscc(10));

    assert_eq!(t.origin, a);
    assert_eq!(t.lots, vec![c.clone()]);
    assert_eq!(t.depth_hops, 1);
    // CASE2 held A all along; the pallet held A (in CASE2) from p3 to p4 and C (in CASE1)
    // from p3 until p5 emptied it; CASE1 still holds C.
    assert_eq!(
        t.containers,
        sorted(vec![case1.clone(), case2.clone(), pallet.clone()])
    );
    // s1 ships the pallet after CASE2 came off: C goes (via the pallet), A does not.
    // s2 ships the empty pallet: nothing of ours. s3 ships CASE1, with C in it.
    let shipped = serde_json::to_value(&t.shipped_to).unwrap();
    assert_eq!(
        shipped,
        json!([
            {
                "type": "location", "id": place(3), "event": eid("s1"),
                "time": "2026-03-02T12:00:00+00:00", "biz_step": "shipping",
                "biz_transactions": [{ "type": "po", "id": "urn:test:po:s1" }],
                "items": [{ "id": c, "via": pallet }],
            },
            {
                "type": "owning_party", "id": party(1), "event": eid("s1"),
                "time": "2026-03-02T12:00:00+00:00", "biz_step": "shipping",
                "biz_transactions": [{ "type": "po", "id": "urn:test:po:s1" }],
                "items": [{ "id": c, "via": pallet }],
            },
            {
                "type": "location", "id": place(4), "event": eid("s3"),
                "time": "2026-03-02T18:00:00+00:00", "biz_step": "shipping",
                "biz_transactions": [{ "type": "po", "id": "urn:test:po:s3" }],
                "items": [{ "id": c, "via": case1 }],
            },
            {
                "type": "owning_party", "id": party(3), "event": eid("s3"),
                "time": "2026-03-02T18:00:00+00:00", "biz_step": "shipping",
                "biz_transactions": [{ "type": "po", "id": "urn:test:po:s3" }],
                "items": [{ "id": c, "via": case1 }],
            },
        ])
    );
    assert!(t.received_from.is_empty());

    // A was last seen when CASE2 came off the pallet (p4, at the plant); C left in CASE1.
    let holdings = serde_json::to_value(&t.holdings).unwrap();
    assert_eq!(
        holdings,
        json!([
            {
                "id": a, "state": "at_location", "location": place(2), "event": eid("p4"),
                "time": "2026-03-02T11:20:00+00:00", "biz_step": "unpacking", "disposition": null,
            },
            {
                "id": c, "state": "in_transit", "location": place(4), "event": eid("s3"),
                "time": "2026-03-02T18:00:00+00:00", "biz_step": "shipping",
                "disposition": "in_transit",
            },
        ])
    );

    let edges: Vec<(String, String, Relation, String, Option<String>)> = t
        .edges
        .iter()
        .map(|e| {
            (
                e.from.clone(),
                e.to.clone(),
                e.relation,
                e.event.clone(),
                e.until_event.clone(),
            )
        })
        .collect();
    let mut expected = vec![
        (a.clone(), c.clone(), Relation::MadeInto, eid("t1"), None),
        (
            a.clone(),
            case2.clone(),
            Relation::PackedInto,
            eid("p2"),
            None,
        ),
        (
            case2.clone(),
            pallet.clone(),
            Relation::PackedInto,
            eid("p3"),
            Some(eid("p4")),
        ),
        (
            c.clone(),
            case1.clone(),
            Relation::PackedInto,
            eid("p1"),
            None,
        ),
        (
            case1.clone(),
            pallet.clone(),
            Relation::PackedInto,
            eid("p3"),
            Some(eid("p5")),
        ),
    ];
    expected.sort();
    assert_eq!(edges, expected);
    assert_eq!(
        t.events,
        ids(&["t1", "p1", "p2", "p3", "p4", "p5", "s1", "s3"])
    );
}

#[test]
fn backward_to_sources_and_receipts() {
    let ix = index(&warehouse());
    let t = ix.trace(&lot("C"), Direction::Backward).unwrap();
    let (a, b, c) = (lot("A"), lot("B"), lot("C"));
    assert_eq!(t.lots, sorted(vec![a.clone(), b.clone()]));
    assert!(t.containers.is_empty());
    assert!(t.shipped_to.is_empty());
    assert!(t.holdings.is_empty());
    // The only receipt: the pallet at 15:00 while it held C (in CASE1).
    assert_eq!(
        serde_json::to_value(&t.received_from).unwrap(),
        json!([{
            "type": "owning_party", "id": party(9), "event": eid("r1"),
            "time": "2026-03-02T15:00:00+00:00", "biz_step": "receiving",
            "biz_transactions": [{ "type": "desadv", "id": "urn:test:asn:r1" }],
            "items": [{ "id": c, "via": sscc(10) }],
        }])
    );
    assert_eq!(
        serde_json::to_value(&t.created).unwrap(),
        json!([
            { "id": a, "event": eid("c1"), "time": "2026-03-02T08:00:00+00:00", "location": place(1) },
            { "id": b, "event": eid("c2"), "time": "2026-03-02T08:30:00+00:00", "location": place(1) },
        ])
    );
    let edges: Vec<(&str, &str, Relation, &str)> = t
        .edges
        .iter()
        .map(|e| (e.from.as_str(), e.to.as_str(), e.relation, e.event.as_str()))
        .collect();
    let t1 = eid("t1");
    assert_eq!(
        edges,
        vec![
            (c.as_str(), a.as_str(), Relation::MadeFrom, t1.as_str()),
            (c.as_str(), b.as_str(), Relation::MadeFrom, t1.as_str()),
        ]
    );
    assert_eq!(t.events, ids(&["c1", "c2", "r1", "t1"]));
}

#[test]
fn a_child_removed_before_shipping_is_not_shipped() {
    // A alone: A is in CASE2, CASE2 left the pallet at 11:20, the pallet shipped at 12:00.
    let ix = index(&warehouse());
    let t = ix.trace(&lot("B"), Direction::Forward).unwrap();
    // B went into C, so B's forward trace ships exactly what C's does.
    let c_trace = ix.trace(&lot("C"), Direction::Forward).unwrap();
    assert_eq!(t.lots, vec![lot("C")]);
    assert_eq!(t.shipped_to, c_trace.shipped_to);
    // And a trace from CASE2's own content ships nothing.
    let mut events = warehouse();
    events.retain(|e| e.event_id.as_deref() != Some(&eid("t1")));
    let ix = index(&events);
    let t = ix.trace(&lot("A"), Direction::Forward).unwrap();
    assert!(t.lots.is_empty());
    assert!(t.shipped_to.is_empty(), "{:?}", t.shipped_to);
    assert_eq!(t.containers, sorted(vec![sscc(2), sscc(10)]));
}

#[test]
fn delete_without_children_empties_the_parent() {
    // After p5 the pallet is empty: its shipment s2 carries nothing of C's.
    let ix = index(&warehouse());
    let t = ix.trace(&lot("C"), Direction::Forward).unwrap();
    assert!(t.shipped_to.iter().all(|m| m.event != eid("s2")));
    assert_eq!(
        t.shipped_to
            .iter()
            .map(|m| m.event.as_str())
            .collect::<Vec<_>>(),
        vec![
            eid("s1").as_str(),
            eid("s1").as_str(),
            eid("s3").as_str(),
            eid("s3").as_str()
        ]
    );
    // Without p5 the pallet still holds CASE1 (and C) at 17:00: s2 ships C too.
    let mut events = warehouse();
    events.retain(|e| e.event_id.as_deref() != Some(&eid("p5")));
    let t = index(&events).trace(&lot("C"), Direction::Forward).unwrap();
    let s2: Vec<_> = t
        .shipped_to
        .iter()
        .filter(|m| m.event == eid("s2"))
        .collect();
    assert_eq!(s2.len(), 1);
    assert_eq!(s2[0].id, Some(party(2)));
    assert_eq!(s2[0].items[0].via, Some(sscc(10)));
}

#[test]
fn a_container_origin_stands_for_what_it_held() {
    let ix = index(&warehouse());
    let t = ix.trace(&sscc(10), Direction::Forward).unwrap();
    // The pallet held CASE1 and CASE2, which held C and A; A went into C.
    assert_eq!(t.lots, sorted(vec![lot("A"), lot("C"), sscc(1), sscc(2)]));
    // The cases are containers of A and C; the origin pallet is not listed.
    assert_eq!(t.containers, sorted(vec![sscc(1), sscc(2)]));
    let contains: Vec<(&str, &str)> = t
        .edges
        .iter()
        .filter(|e| e.relation == Relation::Contains)
        .map(|e| (e.from.as_str(), e.to.as_str()))
        .collect();
    let (p, c1, c2, a, c) = (sscc(10), sscc(1), sscc(2), lot("A"), lot("C"));
    let mut expected = vec![
        (p.as_str(), c1.as_str()),
        (p.as_str(), c2.as_str()),
        (c1.as_str(), c.as_str()),
        (c2.as_str(), a.as_str()),
    ];
    expected.sort();
    assert_eq!(contains, expected);
}

/// X goes in under transformationID T (one event), Y and Z come out under T (another);
/// Y then makes W in a plain TransformationEvent.
fn split_transformation() -> Vec<Event> {
    let (x, y, z, w) = (lot("X"), lot("Y"), lot("Z"), lot("W"));
    vec![
        transform("in", "09:00", &[&x], &[], Some("urn:test:tid:T")),
        transform("out", "10:00", &[], &[&y, &z], Some("urn:test:tid:T")),
        transform("t2", "11:00", &[&y], &[&w], None),
    ]
}

#[test]
fn transformation_id_joins_two_events() {
    let ix = index(&split_transformation());
    let (x, y, z, w) = (lot("X"), lot("Y"), lot("Z"), lot("W"));
    let t = ix.trace(&x, Direction::Forward).unwrap();
    assert_eq!(t.lots, sorted(vec![y.clone(), z.clone(), w.clone()]));
    assert_eq!(t.depth_hops, 2);
    let edges: Vec<(String, String, String)> = t
        .edges
        .iter()
        .map(|e| (e.from.clone(), e.to.clone(), e.event.clone()))
        .collect();
    let mut expected = vec![
        (x.clone(), y.clone(), eid("out")),
        (x.clone(), z.clone(), eid("out")),
        (y.clone(), w.clone(), eid("t2")),
    ];
    expected.sort();
    assert_eq!(edges, expected);
    assert_eq!(t.events, ids(&["in", "out", "t2"]));

    assert_eq!(
        ix.reach(&w, Direction::Backward).unwrap(),
        sorted(vec![x.clone(), y.clone()])
    );
    assert_eq!(ix.reach(&z, Direction::Backward).unwrap(), vec![x.clone()]);
    assert_eq!(ix.reach(&y, Direction::Forward).unwrap(), vec![w.clone()]);
    assert!(ix.reach(&z, Direction::Forward).unwrap().is_empty());
}

#[test]
fn error_declaration_retracts_an_event_whenever_it_arrives() {
    let events = split_transformation();
    let declaration = retract(&events[2]); // t2: Y → W
    let (x, y, z, w) = (lot("X"), lot("Y"), lot("Z"), lot("W"));
    let after = {
        let mut v = events.clone();
        v.push(declaration.clone());
        v
    };
    let before = {
        let mut v = vec![declaration.clone()];
        v.extend(events.iter().cloned());
        v
    };
    for order in [after, before] {
        let ix = index(&order);
        assert_eq!(
            ix.reach(&x, Direction::Forward).unwrap(),
            sorted(vec![y.clone(), z.clone()])
        );
        assert!(ix.reach(&y, Direction::Forward).unwrap().is_empty());
        // W stays known (its event is still in the log) but has no history.
        let t = ix.trace(&w, Direction::Backward).unwrap();
        assert!(t.lots.is_empty());
        assert!(t.events.is_empty());
        let stats = ix.stats();
        assert_eq!(stats.events, 3);
        assert_eq!(stats.retracted_events, 1);
        assert_eq!(stats.error_declarations, 1);
    }
    // Retracting the output half of T cuts X off from Y and Z.
    let mut v = events.clone();
    v.push(retract(&events[1]));
    let ix = index(&v);
    assert!(ix.reach(&x, Direction::Forward).unwrap().is_empty());
    assert_eq!(ix.reach(&w, Direction::Backward).unwrap(), vec![y.clone()]);
}

#[test]
fn unknown_id_is_an_error() {
    let ix = index(&warehouse());
    let missing = lot("NOPE");
    assert_eq!(
        ix.trace(&missing, Direction::Forward).unwrap_err(),
        TraceError::UnknownId(missing.clone())
    );
    assert_eq!(
        ix.reach(&missing, Direction::Backward).unwrap_err(),
        TraceError::UnknownId(missing)
    );
    // A location is not a traceable object.
    assert!(matches!(
        ix.trace(&place(1), Direction::Forward),
        Err(TraceError::UnknownId(_))
    ));
    // Nor is a transformationID's internal key.
    let ix = index(&split_transformation());
    assert!(matches!(
        ix.trace("\0urn:test:tid:T", Direction::Forward),
        Err(TraceError::UnknownId(_))
    ));
}

/// L0 → L1 → L2 → L3, one transformation each.
fn chain() -> Vec<Event> {
    let l: Vec<String> = (0..4).map(|i| lot(&format!("L{i}"))).collect();
    (0..3)
        .map(|i| {
            transform(
                &format!("t{i}"),
                &format!("1{i}:00"),
                &[&l[i]],
                &[&l[i + 1]],
                None,
            )
        })
        .collect()
}

#[test]
fn depth_limit() {
    let limits = Limits {
        max_depth_hops: 2,
        ..Limits::default()
    };
    let mut ix = TraceIndex::new(limits);
    ix.insert_many(chain()).unwrap();
    let err = ix.trace(&lot("L0"), Direction::Forward).unwrap_err();
    assert_eq!(
        err,
        TraceError::Limit {
            origin: lot("L0"),
            direction: Direction::Forward,
            limit: LimitKind::DepthHops,
            max: 2,
        }
    );
    assert!(err.to_string().contains("max_depth_hops = 2"), "{err}");
    let t = ix.trace(&lot("L1"), Direction::Forward).unwrap();
    assert_eq!(t.lots, vec![lot("L2"), lot("L3")]);
    assert_eq!(t.depth_hops, 2);
    assert!(matches!(
        ix.trace(&lot("L3"), Direction::Backward),
        Err(TraceError::Limit {
            limit: LimitKind::DepthHops,
            ..
        })
    ));
    assert_eq!(
        ix.reach(&lot("L2"), Direction::Backward).unwrap(),
        vec![lot("L0"), lot("L1")]
    );
}

#[test]
fn result_size_limit() {
    let limits = Limits {
        max_result_items: 4,
        ..Limits::default()
    };
    let mut ix = TraceIndex::new(limits);
    ix.insert_many(chain()).unwrap();
    // L2's forward trace: one lot (L3), one edge, two holdings (L2 and L3, last seen at t2):
    // 4 items.
    let t = ix.trace(&lot("L2"), Direction::Forward).unwrap();
    assert_eq!((t.lots.len(), t.edges.len(), t.holdings.len()), (1, 1, 2));
    // L1's: two lots, two edges, three holdings.
    assert!(matches!(
        ix.trace(&lot("L1"), Direction::Forward),
        Err(TraceError::Limit {
            limit: LimitKind::ResultItems,
            max: 4,
            ..
        })
    ));
}

#[test]
fn traces_read_back_from_json() {
    let ix = index(&warehouse());
    for d in [Direction::Forward, Direction::Backward] {
        let t = ix.trace(&lot("A"), d).unwrap();
        let back: Trace = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);
    }
}

fn json_of(t: &Trace) -> String {
    serde_json::to_string(t).unwrap()
}

fn all_traces(ix: &TraceIndex, origins: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for o in origins {
        for d in [Direction::Forward, Direction::Backward] {
            out.push(match ix.trace(o, d) {
                Ok(t) => json_of(&t),
                Err(e) => e.to_string(),
            });
        }
    }
    out
}

fn warehouse_origins() -> Vec<String> {
    vec![lot("A"), lot("B"), lot("C"), sscc(1), sscc(2), sscc(10)]
}

#[test]
fn arrival_order_does_not_change_answers() {
    let events = warehouse();
    let origins = warehouse_origins();
    let reference = all_traces(&index(&events), &origins);

    let mut reversed = events.clone();
    reversed.reverse();
    let mut rotated = events.clone();
    rotated.rotate_left(5);
    let mut interleaved: Vec<Event> = events.iter().step_by(2).cloned().collect();
    interleaved.extend(events.iter().skip(1).step_by(2).cloned());
    for order in [reversed, rotated, interleaved] {
        assert_eq!(all_traces(&index(&order), &origins), reference);
        // The bulk path gives the same answers.
        let mut bulk = TraceIndex::new(Limits::default());
        bulk.insert_many(order.iter()).unwrap();
        assert_eq!(all_traces(&bulk, &origins), reference);
        // And so does a mix: half in bulk, half one by one.
        let mut mixed = TraceIndex::new(Limits::default());
        mixed.insert_many(order[..6].iter()).unwrap();
        for e in &order[6..] {
            mixed.insert(e).unwrap();
        }
        assert_eq!(all_traces(&mixed, &origins), reference);
    }
}

#[test]
fn ties_in_event_time_are_ordered_by_event_id() {
    // ADD and DELETE of the same child at the same instant: the eventID orders them
    // ("a-add" < "b-del": the child is out afterwards) whatever the arrival order.
    let (x, box1) = (lot("X"), sscc(5));
    let events = vec![
        aggregate("b-del", "10:00", "DELETE", &box1, &[&x], &[]),
        aggregate("a-add", "10:00", "ADD", &box1, &[&x], &[]),
        ship("s", "11:00", &[&box1], &party(1), None),
    ];
    for order in [events.clone(), events.iter().rev().cloned().collect()] {
        let t = index(&order).trace(&x, Direction::Forward).unwrap();
        assert!(t.shipped_to.is_empty());
        // The box held X between the two events (a span in event order), so it is listed.
        assert_eq!(t.containers, vec![box1.clone()]);
        let packed = t
            .edges
            .iter()
            .find(|e| e.relation == Relation::PackedInto)
            .unwrap();
        assert_eq!(
            (packed.event.as_str(), packed.until_event.as_deref()),
            (eid("a-add").as_str(), Some(eid("b-del").as_str()))
        );
    }
    // A shipment at the same instant as the ADD sees the child in (state after all events
    // at that instant, ordered by eventID: "a-add" < "c-ship").
    let events = vec![
        aggregate("a-add", "10:00", "ADD", &box1, &[&x], &[]),
        ship("c-ship", "10:00", &[&box1], &party(1), None),
    ];
    let t = index(&events).trace(&x, Direction::Forward).unwrap();
    assert_eq!(t.shipped_to.len(), 1);
}

#[test]
fn transaction_event_parent_and_departing() {
    // A TransactionEvent naming the pallet as parentID ships what it holds; a later
    // departing event puts it in transit.
    let (x, pallet) = (lot("X"), sscc(7));
    let tx = event(json!({
        "type": "TransactionEvent", "eventID": eid("tx"), "eventTime": at("12:00"),
        "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "shipping",
        "parentID": pallet,
        "bizTransactionList": [{ "type": "inv", "bizTransaction": "urn:test:inv:9" }],
        "destinationList": [{ "type": "possessing_party", "destination": party(4) }],
    }));
    let departing = event(json!({
        "type": "ObjectEvent", "eventID": eid("dep"), "eventTime": at("13:00"),
        "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "departing",
        "epcList": [pallet],
    }));
    let events = vec![
        aggregate("pack", "11:00", "ADD", &pallet, &[&x], &[]),
        tx,
        departing,
    ];
    let t = index(&events).trace(&x, Direction::Forward).unwrap();
    assert_eq!(
        serde_json::to_value(&t.shipped_to).unwrap(),
        json!([{
            "type": "possessing_party", "id": party(4), "event": eid("tx"),
            "time": "2026-03-02T12:00:00+00:00", "biz_step": "shipping",
            "biz_transactions": [{ "type": "inv", "id": "urn:test:inv:9" }],
            "items": [{ "id": x, "via": pallet }],
        }])
    );
    assert_eq!(t.holdings.len(), 1);
    assert_eq!(t.holdings[0].state, HoldingState::InTransit);
    assert_eq!(t.holdings[0].event, eid("dep"));
    assert_eq!(t.holdings[0].location, None);
}

#[test]
fn direct_shipment_carries_quantity() {
    let x = lot("X");
    let shipment = event(json!({
        "type": "ObjectEvent", "eventID": eid("s"), "eventTime": "2026-03-02T12:00:00-08:00",
        "eventTimeZoneOffset": "-08:00", "action": "OBSERVE",
        "bizStep": "https://ref.gs1.org/cbv/BizStep-shipping",
        "quantityList": [{ "epcClass": x, "quantity": 12.5, "uom": "KGM" }],
        "destinationList": [{ "type": "https://ref.gs1.org/cbv/SDT-location", "destination": place(8) }],
    }));
    let t = index(&[shipment]).trace(&x, Direction::Forward).unwrap();
    assert_eq!(
        serde_json::to_value(&t.shipped_to).unwrap(),
        json!([{
            "type": "location", "id": place(8), "event": eid("s"),
            "time": "2026-03-02T12:00:00-08:00", "biz_step": "shipping",
            "biz_transactions": [],
            "items": [{ "id": x, "quantity": 12.5, "uom": "KGM" }],
        }])
    );
}

#[test]
fn duplicate_event_ids_are_ignored() {
    let events = split_transformation();
    let mut ix = index(&events);
    ix.insert(&events[2]).unwrap();
    let stats = ix.stats();
    assert_eq!(stats.events, 3);
    assert_eq!(stats.duplicates_ignored, 1);
    // X, Y, Z, W and one transformationID.
    assert_eq!(stats.nodes, 4);
    assert_eq!(stats.transformations_with_id, 1);
    // in: X + T; out: Y, Z + T; t2: Y, W.
    assert_eq!(stats.edges, 7);
    assert!(stats.heap_bytes > 0);
}

#[test]
fn urn_and_digital_link_name_the_same_lot() {
    // GTIN 00614141123452 (company prefix 0614141, item reference 012345), lot ROM-1.
    let urn = "urn:epc:class:lgtin:0614141.012345.ROM-1";
    let dl = "https://id.gs1.org/01/00614141123452/10/ROM-1";
    let other_domain = "https://example.com/01/00614141123452/10/ROM-1";
    let out = lot("SALAD");
    let events = vec![
        commission("c", "08:00", urn, &place(1)),
        transform("t", "09:00", &[dl], &[&out], None),
    ];
    let ix = index(&events);
    for spelling in [urn, dl, other_domain] {
        let t = ix.trace(spelling, Direction::Forward).unwrap();
        assert_eq!(t.origin, dl);
        assert_eq!(t.lots, vec![out.clone()]);
    }
    let t = ix.trace(&out, Direction::Backward).unwrap();
    assert_eq!(t.lots, vec![dl.to_owned()]);
    assert_eq!(t.created.len(), 1);
    assert_eq!(t.created[0].event, eid("c"));
}

#[test]
fn the_index_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<TraceIndex>();
    shared::<Trace>();
}

#[test]
fn serials_commissioned_with_a_lot_number_come_from_that_lot() {
    // R makes LOT1 of GTIN 09506000134352; serials 1 and 2 of that GTIN are commissioned with
    // lotNumber LOT1 in their ILMD, serial 3 with lotNumber A/1; serial 1 ships.
    let (r, lot1) = (lot("R"), lot("LOT1"));
    let serial = |n: u32| format!("https://id.gs1.org/01/09506000134352/21/{n}");
    let commission_serials = |name: &str, serials: &[String], lot_number: &str| {
        event(json!({
            "type": "ObjectEvent", "eventID": eid(name), "eventTime": at("10:00"),
            "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
            "epcList": serials, "bizLocation": { "id": place(2) },
            "ilmd": { "cbvmda:lotNumber": lot_number },
        }))
    };
    let events = vec![
        transform("t", "09:00", &[&r], &[&lot1], None),
        commission_serials("c", &[serial(1), serial(2)], "LOT1"),
        commission_serials("c3", &[serial(3)], "A/1"),
        ship("s", "11:00", &[&serial(1)], &party(1), None),
    ];
    let ix = index(&events);

    let t = ix.trace(&r, Direction::Forward).unwrap();
    assert_eq!(t.lots, sorted(vec![lot1.clone(), serial(1), serial(2)]));
    assert_eq!(t.depth_hops, 2);
    assert_eq!(t.shipped_to.len(), 1);
    assert_eq!(t.shipped_to[0].items[0].id, serial(1));
    let edges: Vec<(&str, &str, &str)> = t
        .edges
        .iter()
        .map(|e| (e.from.as_str(), e.to.as_str(), e.event.as_str()))
        .collect();
    let (s1, s2, c, te) = (serial(1), serial(2), eid("c"), eid("t"));
    assert_eq!(
        edges,
        vec![
            (lot1.as_str(), s1.as_str(), c.as_str()),
            (lot1.as_str(), s2.as_str(), c.as_str()),
            (r.as_str(), lot1.as_str(), te.as_str()),
        ]
    );

    let t = ix.trace(&serial(2), Direction::Backward).unwrap();
    assert_eq!(t.lots, sorted(vec![lot1.clone(), r.clone()]));
    assert_eq!(t.created.len(), 1);
    assert_eq!(
        (t.created[0].id.as_str(), t.created[0].event.as_str()),
        (s2.as_str(), c.as_str())
    );

    // A lot number that is not URI-safe is percent-encoded in the lot's Digital Link.
    assert_eq!(
        ix.reach(
            "https://id.gs1.org/01/09506000134352/10/A%2F1",
            Direction::Forward
        )
        .unwrap(),
        vec![serial(3)]
    );
}

/// The index skips canonicalisation for spellings it has already interned (they came out of
/// `canonical`), which is only right if canonicalising a canonical id changes nothing.
#[test]
fn canonicalisation_is_idempotent() {
    for raw in [
        "urn:epc:class:lgtin:0614141.012345.ROM-1",
        "https://example.com/01/00614141123452/10/ROM-1",
        "https://id.gs1.org/01/00614141123452/10/A%2F1",
        "https://id.gs1.org/01/00614141123452/10/A/1",
        "urn:epc:id:sgtin:0614141.012345.62852",
        "urn:epc:id:sscc:0614141.1234567890",
        "urn:epc:id:sgln:0614141.00001.0",
        "urn:epc:id:pgln:0614141.00001",
        "urn:epcglobal:cbv:bt:0614141000012:PO-7781",
        "urn:epc:idpat:sgtin:4012345.066666.*",
        "not a uri",
    ] {
        let once = lotrace_trace::canonical(raw).into_owned();
        let twice = lotrace_trace::canonical(&once).into_owned();
        assert_eq!(twice, once, "{raw}");
    }
}
