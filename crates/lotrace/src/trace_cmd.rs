//! `lotrace trace ID --forward|--backward [--json]`: where a lot went, or where it came from.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use lotrace_app::{App, AppError};
use lotrace_trace::{Direction, Edge, Movement, Relation, Trace, TraceError};

/// Where a trace export goes, and whether it is signed.
#[derive(clap::Args, Debug, Default)]
pub struct ExportArgs {
    /// Write the trace to this file instead of printing it.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Sign the export (Ed25519, `lotrace keys init`): the detached signature goes to
    /// OUTPUT.sig; check it with `lotrace verify-export`.
    #[arg(long, requires = "output")]
    pub sign: bool,
    /// The private signing key (default: next to the SQLite database).
    #[arg(long, env = "LOTRACE_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

/// Traces `id` and prints the answer: a readable tree, or with `json` the JSON object that
/// `GET /api/v1/trace` answers (on one line); with `export.output` writes it to that file
/// instead, signed if `export.sign`.
pub async fn run(
    app: &App,
    id: &str,
    direction: Direction,
    json: bool,
    export: &ExportArgs,
    location: &lotrace_store::Location,
) -> Result<()> {
    // Load the key first: a missing key fails before the work.
    let key = export
        .sign
        .then(|| {
            crate::keys_cmd::load(&crate::keys_cmd::key_path(
                export.key_file.as_deref(),
                location,
            ))
        })
        .transpose()?;
    let trace = match app.trace(id, direction).await {
        Ok(trace) => trace,
        Err(AppError::Trace(TraceError::UnknownId(canonical))) => {
            let also = if canonical == id {
                String::new()
            } else {
                format!(" (canonical form {canonical})")
            };
            bail!(
                "{id}{also} is not in the store: no event names it as a lot, instance or container, so there is nothing to trace"
            );
        }
        Err(AppError::Trace(limit @ TraceError::Limit { .. })) => {
            bail!("trace refused: {limit}");
        }
        Err(other) => return Err(other.into()),
    };
    let text = if json {
        format!("{}\n", serde_json::to_string(&trace)?)
    } else {
        render(&trace)
    };
    match (&export.output, key) {
        (Some(path), Some(key)) => {
            let sig = crate::keys_cmd::write_signed(path, text.as_bytes(), &key)?;
            eprintln!(
                "wrote {} and its signature {}",
                path.display(),
                sig.display()
            );
        }
        (Some(path), None) => {
            std::fs::write(path, text.as_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        }
        (None, _) => print!("{text}"),
    }
    Ok(())
}

/// The most lines of the tree part; a larger trace is summarised (the lists below it are
/// complete, and `--json` has everything).
const MAX_TREE_LINES: usize = 10_000;

/// The trace as text: the origin, then what it was made into (or from) as a tree with the
/// containers that held each item, then shipments or receipts, holdings, creations.
pub fn render(trace: &Trace) -> String {
    let mut out = String::new();
    let forward = trace.direction == Direction::Forward;
    let _ = writeln!(out, "{} trace of {}", trace.direction, trace.origin);

    let mut children: HashMap<&str, Vec<&Edge>> = HashMap::new();
    for edge in &trace.edges {
        children.entry(edge.from.as_str()).or_default().push(edge);
    }
    let mut tree = Tree {
        children,
        expanded: HashSet::new(),
        lines: 0,
        out: String::new(),
    };
    tree.expanded.insert(trace.origin.as_str());
    tree.node(trace.origin.as_str(), "");
    out.push_str(&tree.out);
    if tree.lines >= MAX_TREE_LINES {
        let _ = writeln!(
            out,
            "  ... (tree cut at {MAX_TREE_LINES} lines; see --json)"
        );
    }

    let noun = if forward {
        "made from it"
    } else {
        "it was made from"
    };
    list(&mut out, &format!("lots {noun}"), &trace.lots);
    if forward {
        list(&mut out, "containers that held them", &trace.containers);
        movements(&mut out, "shipped to", &trace.shipped_to);
        if !trace.holdings.is_empty() {
            let _ = writeln!(out, "holdings ({}):", trace.holdings.len());
            for h in &trace.holdings {
                let state = match h.state {
                    lotrace_trace::HoldingState::AtLocation => "at",
                    lotrace_trace::HoldingState::InTransit => "in transit to",
                };
                let _ = writeln!(
                    out,
                    "  {} {state} {} since {}{} ({})",
                    h.id,
                    h.location.as_deref().unwrap_or("(no location named)"),
                    h.time,
                    h.biz_step
                        .as_deref()
                        .map(|s| format!(", {s}"))
                        .unwrap_or_default(),
                    h.event
                );
            }
        }
    } else {
        movements(&mut out, "received from", &trace.received_from);
        if !trace.created.is_empty() {
            let _ = writeln!(out, "created ({}):", trace.created.len());
            for c in &trace.created {
                let _ = writeln!(
                    out,
                    "  {} at {} on {} ({})",
                    c.id,
                    c.location.as_deref().unwrap_or("(no location named)"),
                    c.time,
                    c.event
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "{} event(s), {} transformation step(s) deep",
        trace.events.len(),
        trace.depth_hops
    );
    out
}

struct Tree<'a> {
    children: HashMap<&'a str, Vec<&'a Edge>>,
    /// Nodes whose children are printed already: printed again, they say so instead.
    expanded: HashSet<&'a str>,
    lines: usize,
    out: String,
}

impl<'a> Tree<'a> {
    fn node(&mut self, node: &'a str, indent: &str) {
        let Some(edges) = self.children.get(node).cloned() else {
            return;
        };
        for (i, edge) in edges.iter().enumerate() {
            if self.lines >= MAX_TREE_LINES {
                return;
            }
            let last = i + 1 == edges.len();
            let (branch, more) = if last {
                ("└─ ", "   ")
            } else {
                ("├─ ", "│  ")
            };
            let relation = match edge.relation {
                Relation::MadeInto => "made into",
                Relation::MadeFrom => "made from",
                Relation::PackedInto => "packed into",
                Relation::Contains => "held",
            };
            let when = match (&edge.relation, &edge.until_time) {
                (Relation::PackedInto, Some(until)) => {
                    format!("from {} until {}", edge.time, until)
                }
                (Relation::PackedInto, None) => format!("from {}", edge.time),
                _ => edge.time.clone(),
            };
            let seen = !self.expanded.insert(edge.to.as_str());
            let _ = writeln!(
                self.out,
                "{indent}{branch}{relation} {}  ({when}, {}){}",
                edge.to,
                edge.event,
                if seen && self.children.contains_key(edge.to.as_str()) {
                    "  (see above)"
                } else {
                    ""
                }
            );
            self.lines += 1;
            if !seen {
                self.node(edge.to.as_str(), &format!("{indent}{more}"));
            }
        }
    }
}

fn list(out: &mut String, title: &str, items: &[String]) {
    if items.is_empty() {
        let _ = writeln!(out, "{title}: none");
        return;
    }
    let _ = writeln!(out, "{title} ({}):", items.len());
    for item in items {
        let _ = writeln!(out, "  {item}");
    }
}

/// Shipments or receipts, one block per event (an event names a party and a location as
/// two entries).
fn movements(out: &mut String, title: &str, all: &[Movement]) {
    if all.is_empty() {
        let _ = writeln!(out, "{title}: none");
        return;
    }
    let mut events: Vec<(&str, Vec<&Movement>)> = Vec::new();
    for m in all {
        match events.iter_mut().find(|(e, _)| *e == m.event) {
            Some((_, group)) => group.push(m),
            None => events.push((m.event.as_str(), vec![m])),
        }
    }
    let _ = writeln!(out, "{title} ({} event(s)):", events.len());
    for (event, group) in events {
        let first = group[0];
        let _ = writeln!(
            out,
            "  {} {} ({event})",
            first.time,
            first.biz_step.as_deref().unwrap_or("(no bizStep)")
        );
        for m in &group {
            match (&m.kind, &m.id) {
                (Some(kind), Some(id)) => {
                    let _ = writeln!(out, "    {kind} {id}");
                }
                (None, Some(id)) => {
                    let _ = writeln!(out, "    {id}");
                }
                _ => {}
            }
        }
        if !first.biz_transactions.is_empty() {
            let list: Vec<String> = first
                .biz_transactions
                .iter()
                .map(|t| match &t.kind {
                    Some(k) => format!("{k} {}", t.id),
                    None => t.id.clone(),
                })
                .collect();
            let _ = writeln!(out, "    business transactions: {}", list.join(", "));
        }
        for item in &first.items {
            let quantity = match (item.quantity, &item.uom) {
                (Some(q), Some(u)) => format!(" {q} {u}"),
                (Some(q), None) => format!(" {q}"),
                _ => String::new(),
            };
            let via = item
                .via
                .as_deref()
                .map(|v| format!(" in {v}"))
                .unwrap_or_default();
            let _ = writeln!(out, "    item {}{quantity}{via}", item.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lotrace_trace::{BizTransactionRef, MovedItem};

    fn edge(from: &str, to: &str, relation: Relation) -> Edge {
        Edge {
            from: from.into(),
            to: to.into(),
            relation,
            event: "urn:uuid:e".into(),
            time: "2026-03-01T10:00:00+00:00".into(),
            until_event: None,
            until_time: None,
        }
    }

    #[test]
    fn the_tree_follows_edges_from_the_origin_and_stops_at_cycles() {
        let trace = Trace {
            origin: "A".into(),
            direction: Direction::Forward,
            lots: vec!["B".into(), "C".into()],
            containers: vec!["P".into()],
            shipped_to: vec![
                Movement {
                    kind: Some("owning_party".into()),
                    id: Some("urn:party".into()),
                    event: "urn:uuid:s".into(),
                    time: "2026-03-02T09:00:00+00:00".into(),
                    biz_step: Some("shipping".into()),
                    biz_transactions: vec![BizTransactionRef {
                        kind: Some("po".into()),
                        id: "PO-1".into(),
                    }],
                    items: vec![MovedItem {
                        id: "B".into(),
                        quantity: Some(10.0),
                        uom: Some("KGM".into()),
                        via: Some("P".into()),
                    }],
                },
                Movement {
                    kind: Some("location".into()),
                    id: Some("urn:place".into()),
                    event: "urn:uuid:s".into(),
                    time: "2026-03-02T09:00:00+00:00".into(),
                    biz_step: Some("shipping".into()),
                    biz_transactions: vec![],
                    items: vec![],
                },
            ],
            received_from: vec![],
            holdings: vec![],
            created: vec![],
            events: vec!["urn:uuid:e".into(), "urn:uuid:s".into()],
            edges: vec![
                edge("A", "B", Relation::MadeInto),
                edge("B", "C", Relation::MadeInto),
                edge("B", "P", Relation::PackedInto),
                edge("C", "B", Relation::MadeInto),
            ],
            depth_hops: 2,
        };
        let text = render(&trace);
        assert!(
            text.starts_with("forward trace of A\n└─ made into B"),
            "{text}"
        );
        assert!(text.contains("   ├─ made into C"), "{text}");
        assert!(
            text.contains(
                "   │  └─ made into B  (2026-03-01T10:00:00+00:00, urn:uuid:e)  (see above)"
            ),
            "{text}"
        );
        assert!(
            text.contains("   └─ packed into P  (from 2026-03-01T10:00:00+00:00"),
            "{text}"
        );
        assert!(text.contains("shipped to (1 event(s)):"), "{text}");
        assert!(
            text.contains("    owning_party urn:party\n    location urn:place\n"),
            "{text}"
        );
        assert!(text.contains("business transactions: po PO-1"), "{text}");
        assert!(text.contains("item B 10 KGM in P"), "{text}");
        assert!(
            text.ends_with("2 event(s), 2 transformation step(s) deep\n"),
            "{text}"
        );
    }
}
