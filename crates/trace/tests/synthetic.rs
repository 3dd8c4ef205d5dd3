//! The synthetic supply chain: the same answers whatever the arrival order, and reachability
//! equal to petgraph's over the generated transformations.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use lotrace_epcis::Event;
use lotrace_trace::synth::{Config, Generator};
use lotrace_trace::{Direction, Limits, TraceIndex};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Bfs, Reversed};

fn sample(ix: &TraceIndex, every: usize) -> Vec<String> {
    ix.object_ids().step_by(every).collect()
}

fn answers(ix: &TraceIndex, origins: &[String]) -> Vec<String> {
    origins
        .iter()
        .flat_map(|o| {
            [Direction::Forward, Direction::Backward].map(|d| match ix.trace(o, d) {
                Ok(t) => serde_json::to_string(&t).unwrap(),
                Err(e) => e.to_string(),
            })
        })
        .collect()
}

#[test]
fn arrival_order_does_not_matter_at_scale() {
    let events: Vec<Event> = Generator::new(Config::for_events(6_000, 11)).collect();
    let mut as_generated = TraceIndex::new(Limits::default());
    as_generated.insert_many(&events).unwrap();
    let origins = sample(&as_generated, 37);
    assert!(origins.len() > 50);
    let expected = answers(&as_generated, &origins);

    let mut by_time = events.clone();
    by_time.sort_by(|a, b| {
        (a.event_time.instant, &a.event_id).cmp(&(b.event_time.instant, &b.event_id))
    });
    let mut in_time_order = TraceIndex::new(Limits::default());
    for e in &by_time {
        in_time_order.insert(e).unwrap();
    }
    assert_eq!(answers(&in_time_order, &origins), expected);

    let mut reversed = TraceIndex::new(Limits::default());
    for e in by_time.iter().rev() {
        reversed.insert(e).unwrap();
    }
    assert_eq!(answers(&reversed, &origins), expected);
}

#[test]
fn reachability_matches_petgraph_at_scale() {
    let events: Vec<Event> = Generator::new(Config::for_events(8_000, 5)).collect();
    let mut ix = TraceIndex::new(Limits::default());
    ix.insert_many(&events).unwrap();

    // Oracle: inputs → outputs of each transformation (transformationID or event).
    let mut groups: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for e in &events {
        let key = e
            .transformation_id
            .clone()
            .unwrap_or_else(|| e.event_id.clone().unwrap());
        let classes = |l: &Option<Vec<lotrace_epcis::QuantityElement>>| {
            l.iter()
                .flatten()
                .map(|q| q.epc_class.clone())
                .collect::<Vec<_>>()
        };
        let g = groups.entry(key).or_default();
        g.0.extend(classes(&e.input_quantity_list));
        g.1.extend(classes(&e.output_quantity_list));
    }
    let mut graph: DiGraph<String, ()> = DiGraph::new();
    let mut nodes: HashMap<String, NodeIndex> = HashMap::new();
    let mut node = |g: &mut DiGraph<String, ()>, id: &String| {
        *nodes
            .entry(id.clone())
            .or_insert_with(|| g.add_node(id.clone()))
    };
    for (ins, outs) in groups.values() {
        for i in ins {
            for o in outs {
                let (a, b) = (node(&mut graph, i), node(&mut graph, o));
                graph.add_edge(a, b, ());
            }
        }
    }
    let mut checked = 0;
    for n in graph.node_indices().step_by(7) {
        let id = graph[n].clone();
        let mut forward = BTreeSet::new();
        let mut bfs = Bfs::new(&graph, n);
        while let Some(m) = bfs.next(&graph) {
            forward.insert(graph[m].clone());
        }
        forward.remove(&id);
        let reversed = Reversed(&graph);
        let mut backward = BTreeSet::new();
        let mut bfs = Bfs::new(reversed, n);
        while let Some(m) = bfs.next(reversed) {
            backward.insert(graph[m].clone());
        }
        backward.remove(&id);
        let got: BTreeSet<String> = ix
            .reach(&id, Direction::Forward)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(got, forward, "forward from {id}");
        let got: BTreeSet<String> = ix
            .reach(&id, Direction::Backward)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(got, backward, "backward from {id}");
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
}
