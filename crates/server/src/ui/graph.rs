//! The trace drawn as a graph: a server-rendered SVG, the origin in the middle, where it
//! came from to the left (one column per step back), where it went to the right. Each node
//! links to its own page; the same SVG downloads from `/lot/graph.svg`.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write;

use lotrace_trace::{Relation, Trace};

/// Most nodes drawn; a larger trace says so and the lists below it have everything.
pub const MAX_NODES: usize = 150;
const NODE_W: i32 = 190;
const NODE_H: i32 = 34;
const COL_GAP: i32 = 60;
const ROW_GAP: i32 = 14;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The most steps each way a graph may be cut to (more is "all").
pub const MAX_STEPS: u32 = 50;

/// Columns from the origin: negative backward, positive forward; at most `steps` steps.
fn columns(
    origin: &str,
    trace: &Trace,
    sign: i32,
    steps: Option<u32>,
    out: &mut BTreeMap<String, i32>,
) {
    let steps = steps.map_or(i32::MAX, |s| s.min(MAX_STEPS) as i32);
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for e in &trace.edges {
        next.entry(e.from.as_str()).or_default().push(e.to.as_str());
    }
    let mut queue = VecDeque::from([(origin, 0i32)]);
    while let Some((node, depth)) = queue.pop_front() {
        if out.len() >= MAX_NODES {
            return;
        }
        if depth >= steps {
            continue;
        }
        for to in next.get(node).into_iter().flatten() {
            if !out.contains_key(*to) {
                out.insert((*to).to_owned(), sign * (depth + 1));
                queue.push_back((to, depth + 1));
            }
        }
    }
}

/// The SVG of a lot's backward and forward traces, each cut to `steps` steps from the
/// origin when given (the graph collapsed); `label` names a node.
pub fn svg(
    origin: &str,
    backward: Option<&Trace>,
    forward: Option<&Trace>,
    steps: Option<u32>,
    label: impl Fn(&str) -> String,
) -> String {
    let mut col: BTreeMap<String, i32> = BTreeMap::from([(origin.to_owned(), 0)]);
    if let Some(t) = backward {
        columns(origin, t, -1, steps, &mut col);
    }
    if let Some(t) = forward {
        columns(origin, t, 1, steps, &mut col);
    }
    let min_col = col.values().copied().min().unwrap_or(0);
    let mut rows: BTreeMap<i32, i32> = BTreeMap::new();
    let mut at: HashMap<&str, (i32, i32)> = HashMap::new();
    for (node, c) in &col {
        let row = rows.entry(*c).or_insert(0);
        let x = (c - min_col) * (NODE_W + COL_GAP) + 10;
        let y = *row * (NODE_H + ROW_GAP) + 10;
        *row += 1;
        at.insert(node.as_str(), (x, y));
    }
    let width = at.values().map(|p| p.0).max().unwrap_or(0) + NODE_W + 10;
    let height = at.values().map(|p| p.1).max().unwrap_or(0) + NODE_H + 10;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Trace graph of {}\" \
         font-family=\"sans-serif\" font-size=\"12\">",
        escape(origin)
    );
    for t in backward.into_iter().chain(forward) {
        for e in &t.edges {
            if let (Some(a), Some(b)) = (at.get(e.from.as_str()), at.get(e.to.as_str())) {
                let (from, to) = if a.0 <= b.0 { (a, b) } else { (b, a) };
                let dash = if matches!(e.relation, Relation::PackedInto | Relation::Contains) {
                    " stroke-dasharray=\"4 3\""
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#7a8794\"{dash}/>",
                    from.0 + NODE_W,
                    from.1 + NODE_H / 2,
                    to.0,
                    to.1 + NODE_H / 2
                );
            }
        }
    }
    for (node, (x, y)) in &at {
        let fill = if *node == origin {
            "#14324f"
        } else {
            "#ffffff"
        };
        let ink = if *node == origin {
            "#ffffff"
        } else {
            "#1b1f24"
        };
        let mut text = label(node);
        if text.chars().count() > 26 {
            text = text.chars().take(25).collect::<String>() + "…";
        }
        let _ = write!(
            out,
            "<a href=\"/lot?id={}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" \
             height=\"{NODE_H}\" rx=\"5\" fill=\"{fill}\" stroke=\"#14324f\"/><text x=\"{}\" \
             y=\"{}\" fill=\"{ink}\">{}</text></a>",
            super::encode(node),
            escape(node),
            x + 8,
            y + NODE_H / 2 + 4,
            escape(&text)
        );
    }
    out.push_str("</svg>");
    out
}
