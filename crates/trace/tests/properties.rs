//! Property tests: arrival order never matters; reachability matches petgraph; containment
//! matches a replay of the aggregation events in time order.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use lotrace_epcis::Event;
use lotrace_trace::{Direction, Limits, TraceIndex};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Bfs, Reversed};
use proptest::prelude::*;
use proptest::sample::subsequence;

fn traces(ix: &TraceIndex, origins: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for o in origins {
        for d in [Direction::Forward, Direction::Backward] {
            out.push(match ix.trace(o, d) {
                Ok(t) => serde_json::to_string(&t).unwrap(),
                Err(e) => e.to_string(),
            });
        }
    }
    out
}

/// The warehouse of the scenarios, plus a second pallet round and an error declaration.
fn events() -> Vec<Event> {
    let (a, b, c, d) = (lot("A"), lot("B"), lot("C"), lot("D"));
    let (case1, case2, pallet, pallet2) = (sscc(1), sscc(2), sscc(10), sscc(11));
    let mistaken = ship("s0", "11:30", &[&pallet], &party(5), None);
    vec![
        commission("c1", "08:00", &a, &place(1)),
        commission("c2", "08:30", &b, &place(1)),
        transform("t1", "10:00", &[&a, &b], &[&c], None),
        transform("t2a", "10:00", &[&c], &[], Some("urn:test:tid:2")),
        transform("t2b", "10:30", &[], &[&d], Some("urn:test:tid:2")),
        aggregate("p1", "11:00", "ADD", &case1, &[&c], &[]),
        aggregate("p2", "11:00", "ADD", &case2, &[&a, &d], &[]),
        aggregate("p3", "11:10", "ADD", &pallet, &[], &[&case1, &case2]),
        aggregate("p4", "11:20", "DELETE", &pallet, &[], &[&case2]),
        retract(&mistaken),
        mistaken,
        ship("s1", "12:00", &[&pallet], &party(1), Some(&place(3))),
        receive("r1", "15:00", &[&pallet], &party(9), &place(3)),
        aggregate("p5", "15:00", "DELETE", &pallet, &[], &[]),
        aggregate("p6", "15:30", "ADD", &pallet2, &[], &[&case2]),
        ship("s2", "17:00", &[&pallet, &pallet2], &party(2), None),
        ship("s3", "18:00", &[&case1], &party(3), Some(&place(4))),
        receive("r3", "20:00", &[&case1], &party(3), &place(4)),
    ]
}

fn origins() -> Vec<String> {
    vec![
        lot("A"),
        lot("B"),
        lot("C"),
        lot("D"),
        sscc(1),
        sscc(2),
        sscc(10),
        sscc(11),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_arrival_order_gives_the_same_answers(
        order in Just(events()).prop_shuffle(),
        bulk_prefix in 0usize..18,
    ) {
        let mut reference = TraceIndex::new(Limits::default());
        reference.insert_many(events()).unwrap();
        let expected = traces(&reference, &origins());

        let mut ix = TraceIndex::new(Limits::default());
        ix.insert_many(order[..bulk_prefix].iter()).unwrap();
        for e in &order[bulk_prefix..] {
            ix.insert(e).unwrap();
        }
        prop_assert_eq!(traces(&ix, &origins()), expected);
        // Everything but the heap size (capacities depend on the insert path).
        let (mut got, mut want) = (ix.stats(), reference.stats());
        got.heap_bytes = 0;
        want.heap_bytes = 0;
        prop_assert_eq!(got, want);
    }
}

/// A random transformation event: inputs, outputs (lot numbers), a transformationID from a
/// small pool or none, and whether it is retracted.
#[derive(Clone, Debug)]
struct Step {
    inputs: Vec<u8>,
    outputs: Vec<u8>,
    tid: Option<u8>,
    retracted: bool,
    minute: u8,
}

fn step(lots: u8) -> impl Strategy<Value = Step> {
    let ids: Vec<u8> = (0..lots).collect();
    (
        subsequence(ids.clone(), 0..=3),
        subsequence(ids, 0..=3),
        prop::option::weighted(0.3, 0u8..3),
        prop::bool::weighted(0.1),
        0u8..60,
    )
        .prop_map(|(inputs, outputs, tid, retracted, minute)| Step {
            inputs,
            outputs,
            tid,
            retracted,
            minute,
        })
}

fn lot_n(n: u8) -> String {
    lot(&format!("R{n}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn reachability_matches_petgraph(steps in prop::collection::vec(step(12), 1..20)) {
        let mut events = Vec::new();
        for (i, s) in steps.iter().enumerate() {
            let ins: Vec<String> = s.inputs.iter().map(|&n| lot_n(n)).collect();
            let outs: Vec<String> = s.outputs.iter().map(|&n| lot_n(n)).collect();
            if ins.is_empty() && outs.is_empty() {
                continue;
            }
            let ins: Vec<&str> = ins.iter().map(String::as_str).collect();
            let outs: Vec<&str> = outs.iter().map(String::as_str).collect();
            let tid = s.tid.map(|t| format!("urn:test:tid:{t}"));
            let e = transform(
                &format!("e{i}"),
                &format!("10:{:02}", s.minute),
                &ins,
                &outs,
                tid.as_deref(),
            );
            if s.retracted {
                events.push(retract(&e));
            }
            events.push(e);
        }

        // Oracle: a transformation (a transformationID, or an event without one) links each of
        // its inputs to each of its outputs; retracted events take no part.
        let mut groups: BTreeMap<String, (BTreeSet<u8>, BTreeSet<u8>)> = BTreeMap::new();
        let mut known: BTreeSet<u8> = BTreeSet::new();
        for (i, s) in steps.iter().enumerate() {
            known.extend(s.inputs.iter().chain(&s.outputs));
            if s.retracted {
                continue;
            }
            let key = match s.tid {
                Some(t) => format!("tid{t}"),
                None => format!("event{i}"),
            };
            let g = groups.entry(key).or_default();
            g.0.extend(&s.inputs);
            g.1.extend(&s.outputs);
        }
        // Node k of the graph is lot Rk.
        let mut graph: DiGraph<u8, ()> = DiGraph::new();
        for n in 0..12u8 {
            graph.add_node(n);
        }
        let node = |n: u8| NodeIndex::new(usize::from(n));
        for (ins, outs) in groups.values() {
            for &i in ins {
                for &o in outs {
                    graph.add_edge(node(i), node(o), ());
                }
            }
        }

        let ix = {
            let mut ix = TraceIndex::new(Limits::default());
            for e in &events {
                ix.insert(e).unwrap();
            }
            ix
        };
        for &origin in &known {
            let mut forward = BTreeSet::new();
            let mut bfs = Bfs::new(&graph, node(origin));
            while let Some(n) = bfs.next(&graph) {
                forward.insert(lot_n(graph[n]));
            }
            forward.remove(&lot_n(origin));
            let mut backward = BTreeSet::new();
            let reversed = Reversed(&graph);
            let mut bfs = Bfs::new(reversed, node(origin));
            while let Some(n) = bfs.next(reversed) {
                backward.insert(lot_n(graph[n]));
            }
            backward.remove(&lot_n(origin));
            let got_forward: BTreeSet<String> =
                ix.reach(&lot_n(origin), Direction::Forward).unwrap().into_iter().collect();
            let got_backward: BTreeSet<String> =
                ix.reach(&lot_n(origin), Direction::Backward).unwrap().into_iter().collect();
            prop_assert_eq!(got_forward, forward, "forward from R{}", origin);
            prop_assert_eq!(got_backward, backward, "backward from R{}", origin);
        }
    }
}

/// A random containment event. Containers are C0..C3; C_k may hold C_j only for j < k, so the
/// data has no cycles. Items are lots X0..X2. Times come from a few minutes, so ties happen.
#[derive(Clone, Debug)]
enum Op {
    /// ADD, OBSERVE or DELETE of children (lots and containers) in a container.
    Aggregate {
        action: u8,
        parent: u8,
        lots: Vec<u8>,
        containers: Vec<u8>,
    },
    /// DELETE without children.
    Clear { parent: u8 },
    /// Ship containers and lots named directly.
    Ship { containers: Vec<u8>, lots: Vec<u8> },
}

fn op() -> impl Strategy<Value = (Op, u8)> {
    let aggregate = (0u8..3, 1u8..4, subsequence(vec![0u8, 1, 2], 0..=2), 0u8..4).prop_flat_map(
        |(action, parent, lots, n)| {
            let below: Vec<u8> = (0..parent).collect();
            let n = (n as usize).min(below.len());
            (
                Just(action),
                Just(parent),
                Just(lots),
                subsequence(below, 0..=n),
            )
        },
    );
    let op = prop_oneof![
        4 => aggregate.prop_map(|(action, parent, lots, containers)| Op::Aggregate {
            action, parent, lots, containers,
        }),
        1 => (0u8..4).prop_map(|parent| Op::Clear { parent }),
        3 => (subsequence(vec![0u8, 1, 2, 3], 1..=2), subsequence(vec![0u8, 1, 2], 0..=1))
            .prop_map(|(containers, lots)| Op::Ship { containers, lots }),
    ];
    (op, 0u8..6)
}

fn container(n: u8) -> String {
    sscc(100 + u32::from(n))
}

fn item(n: u8) -> String {
    lot(&format!("X{n}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn shipments_match_a_replay_of_containment(ops in prop::collection::vec(op(), 1..25)) {
        let mut events = Vec::new();
        // (minute, eventID) per op: the total order events are judged in.
        let mut keys = Vec::new();
        for (i, (op, minute)) in ops.iter().enumerate() {
            let name = format!("e{:02}", (i * 7) % 25); // IDs not in generation order
            let name = format!("{name}-{i}");
            let hhmm = format!("10:{minute:02}");
            keys.push((*minute, eid(&name)));
            let e = match op {
                Op::Aggregate { action, parent, lots, containers } => {
                    let action = ["ADD", "OBSERVE", "DELETE"][*action as usize];
                    let lots: Vec<String> = lots.iter().map(|&n| item(n)).collect();
                    let cs: Vec<String> = containers.iter().map(|&n| container(n)).collect();
                    let lots: Vec<&str> = lots.iter().map(String::as_str).collect();
                    let cs: Vec<&str> = cs.iter().map(String::as_str).collect();
                    if lots.is_empty() && cs.is_empty() {
                        // An empty ADD/OBSERVE does nothing; an empty DELETE would clear.
                        aggregate(&name, &hhmm, "ADD", &container(*parent), &[], &[])
                    } else {
                        aggregate(&name, &hhmm, action, &container(*parent), &lots, &cs)
                    }
                }
                Op::Clear { parent } => {
                    aggregate(&name, &hhmm, "DELETE", &container(*parent), &[], &[])
                }
                Op::Ship { containers, lots } => {
                    let mut named: Vec<String> = containers.iter().map(|&n| container(n)).collect();
                    named.extend(lots.iter().map(|&n| item(n)));
                    let named: Vec<&str> = named.iter().map(String::as_str).collect();
                    ship(&name, &hhmm, &named, &party(1), None)
                }
            };
            events.push(e);
        }

        // Oracle: replay the aggregation events in (time, eventID) order; at each shipment,
        // every item inside a named container (transitively), or named itself, is shipped.
        let mut order: Vec<usize> = (0..ops.len()).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        let mut holds: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for &i in &order {
            match &ops[i].0 {
                Op::Aggregate { action, parent, lots, containers } => {
                    let children: Vec<String> = lots
                        .iter()
                        .map(|&n| item(n))
                        .chain(containers.iter().map(|&n| container(n)))
                        .collect();
                    let set = holds.entry(container(*parent)).or_default();
                    if children.is_empty() {
                        continue;
                    }
                    for c in children {
                        if *action == 2 {
                            set.remove(&c);
                        } else {
                            set.insert(c);
                        }
                    }
                }
                Op::Clear { parent } => {
                    holds.entry(container(*parent)).or_default().clear();
                }
                Op::Ship { containers, lots } => {
                    let mut inside: BTreeSet<String> = lots.iter().map(|&n| item(n)).collect();
                    let mut stack: Vec<String> = containers.iter().map(|&n| container(n)).collect();
                    while let Some(c) = stack.pop() {
                        for child in holds.get(&c).into_iter().flatten() {
                            if inside.insert(child.clone()) {
                                stack.push(child.clone());
                            }
                        }
                    }
                    for x in inside {
                        expected.entry(x).or_default().insert(keys[i].1.clone());
                    }
                }
            }
        }

        let mut ix = TraceIndex::new(Limits::default());
        ix.insert_many(events.iter()).unwrap();
        for n in 0..3u8 {
            let x = item(n);
            let got: BTreeSet<String> = match ix.trace(&x, Direction::Forward) {
                Ok(t) => t.shipped_to.iter().map(|m| m.event.clone()).collect(),
                Err(_) => BTreeSet::new(), // never named: nothing shipped
            };
            let want = expected.get(&x).cloned().unwrap_or_default();
            prop_assert_eq!(got, want, "shipments of X{}", n);
        }
    }
}
