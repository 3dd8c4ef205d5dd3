//! Forward and backward traces.
//!
//! A trace is three passes over the index:
//! 1. `walk`: the affected set. The origin, what it ever held if it is a container, then a
//!    breadth-first walk over transformations (input → transformation → outputs forward,
//!    the reverse backward), level by level so the depth limit is exact. A roaring bitmap is
//!    the visited set; transformations are visited once each.
//! 2. For every affected item, the containers that held it and when (`held`), nested
//!    containers by intersecting spans.
//! 3. The events acting on each affected item, directly or through a container while it held
//!    it: shipments, holdings (forward), receipts and creations (backward).

use std::cmp::Ordering;
use std::collections::HashMap;

use lotrace_epcis::{Action, EventType};
use roaring::RoaringBitmap;

use crate::containment::{Link, Span};
use crate::index::{ExtraTag, NO_WORD, TRANSFORMATION_PREFIX, canonical};
use crate::intern::NONE;
use crate::output::{
    BizTransactionRef, Creation, Edge, Holding, HoldingState, MovedItem, Movement, Relation, Trace,
};
use crate::vocab::{ItemRole, flag};
use crate::{Direction, LimitKind, TraceError, TraceIndex};

#[derive(Clone, Copy, Debug)]
enum Group {
    /// The events sharing a transformationID (its pseudo-node).
    Transformation(u32),
    /// A TransformationEvent without a transformationID.
    Event(u32),
}

/// The affected set and how it was reached.
#[derive(Default)]
struct Walk {
    /// Origin first, then in discovery order.
    affected: Vec<u32>,
    in_set: RoaringBitmap,
    groups: Vec<Group>,
    /// (container, content, aggregation event) for a container origin.
    contains: Vec<(u32, u32, u32)>,
    depth_hops: u32,
}

impl Walk {
    fn add(&mut self, node: u32) -> bool {
        if self.in_set.insert(node) {
            self.affected.push(node);
            true
        } else {
            false
        }
    }
}

/// A container holding an affected item (through `inner`, itself or a container nested in
/// `container`) during `span`.
#[derive(Clone, Copy, Debug)]
struct Held {
    container: u32,
    inner: u32,
    /// When `container` held `inner` directly.
    link: Span,
    /// When `container` held the affected item.
    span: Span,
    /// 1 for a direct container, 2 for its container, ...
    level: u32,
}

/// An event acting on an affected item.
#[derive(Clone, Copy, Debug)]
struct Move {
    event: u32,
    item: u32,
    /// The container the event named, or NONE when it named the item itself.
    via: u32,
    level: u32,
    /// The item's role in the event when named directly (for its quantity).
    role: ItemRole,
}

/// Scratch and caches for one trace.
struct Query<'a> {
    ix: &'a TraceIndex,
    origin: u32,
    direction: Direction,
    /// Direct containers per node, computed once per query: `links_at[node]` is a range of
    /// `links`.
    links: Vec<Link>,
    links_at: HashMap<u32, (u32, u32)>,
    entries: Vec<(u32, bool)>,
    parents: Vec<u32>,
    clears: HashMap<u32, Vec<u32>>,
    /// Event times as text, formatted once per query.
    times: HashMap<u32, String>,
}

impl TraceIndex {
    /// Traces `id` (any accepted spelling; canonicalised first).
    pub fn trace(&self, id: &str, direction: Direction) -> Result<Trace, TraceError> {
        let origin = self.lookup(id)?;
        let mut q = Query {
            ix: self,
            origin,
            direction,
            links: Vec::new(),
            links_at: HashMap::new(),
            entries: Vec::new(),
            parents: Vec::new(),
            clears: HashMap::new(),
            times: HashMap::new(),
        };
        let walk = q.walk()?;
        q.answer(&walk)
    }

    /// The affected lots of a trace (the same list as [`Trace::lots`]) without the rest of the
    /// answer: for comparing with other implementations and for benchmarks.
    pub fn reach(&self, id: &str, direction: Direction) -> Result<Vec<String>, TraceError> {
        let origin = self.lookup(id)?;
        let mut q = Query {
            ix: self,
            origin,
            direction,
            links: Vec::new(),
            links_at: HashMap::new(),
            entries: Vec::new(),
            parents: Vec::new(),
            clears: HashMap::new(),
            times: HashMap::new(),
        };
        let walk = q.walk()?;
        Ok(q.lots(&walk))
    }

    /// True when some event names `id` (any accepted spelling).
    pub fn contains(&self, id: &str) -> bool {
        self.lookup(id).is_ok()
    }

    fn lookup(&self, id: &str) -> Result<u32, TraceError> {
        if id.starts_with(TRANSFORMATION_PREFIX) {
            return Err(TraceError::UnknownId(id.to_owned()));
        }
        // An interned spelling is canonical already (see `TraceIndex::object_node`).
        if let Some(node) = self.objects.get(id) {
            return Ok(node);
        }
        let id = canonical(id);
        if id.starts_with(TRANSFORMATION_PREFIX) {
            return Err(TraceError::UnknownId(id.into_owned()));
        }
        self.objects
            .get(&id)
            .ok_or_else(|| TraceError::UnknownId(id.into_owned()))
    }

    fn group_events(&self, group: Group, out: &mut Vec<u32>) {
        out.clear();
        match group {
            Group::Transformation(t) => {
                for (role, e) in self.incidences(t) {
                    if role == ItemRole::Transformation && !self.retracted(e) {
                        out.push(e);
                    }
                }
            }
            Group::Event(e) => out.push(e),
        }
    }

    fn name(&self, id: u32) -> Option<String> {
        (id != NONE).then(|| self.names.resolve(id))
    }

    fn word(&self, id: u32) -> Option<String> {
        (id != NONE).then(|| self.words.resolve(id))
    }

    fn word16(&self, id: u16) -> Option<String> {
        (id != NO_WORD).then(|| self.words.resolve(u32::from(id)))
    }

    fn time_text(&self, event: u32) -> String {
        let rec = &self.events[event as usize];
        format_time(rec.time_us, rec.offset_minutes)
    }

    /// The position of `(role, node)` among the event's items.
    fn position_of(&self, event: u32, role: ItemRole, node: u32) -> Option<u32> {
        self.items_of(event)
            .position(|(r, n)| r == role && n == node)
            .map(|p| p as u32)
    }

    /// Does the event act on this object as a whole (so on what it holds)?
    fn acts_on(&self, role: ItemRole, event: u32) -> bool {
        role.is_object()
            || (role == ItemRole::Parent
                && self.events[event as usize].event_type == EventType::TransactionEvent)
    }
}

impl Query<'_> {
    fn limit(&self, limit: LimitKind, max: u32) -> TraceError {
        TraceError::Limit {
            origin: self.ix.objects.resolve(self.origin),
            direction: self.direction,
            limit,
            max,
        }
    }

    fn walk(&mut self) -> Result<Walk, TraceError> {
        let ix = self.ix;
        let limits = ix.limits;
        let mut walk = Walk::default();
        walk.add(self.origin);

        // A container origin stands for everything it ever held.
        let mut stack = vec![(self.origin, 0u32)];
        while let Some((container, level)) = stack.pop() {
            for (role, e) in ix.incidences(container) {
                let rec = &ix.events[e as usize];
                if role != ItemRole::Parent
                    || !rec.is_containment()
                    || rec.action == Some(Action::Delete)
                    || ix.retracted(e)
                {
                    continue;
                }
                for (r, child) in ix.items_of(e) {
                    if !r.is_child() {
                        continue;
                    }
                    walk.contains.push((container, child, e));
                    if walk.add(child) {
                        if level + 1 > limits.max_nesting_levels {
                            return Err(
                                self.limit(LimitKind::NestingLevels, limits.max_nesting_levels)
                            );
                        }
                        stack.push((child, level + 1));
                    }
                }
            }
        }

        let forward = self.direction == Direction::Forward;
        let mut visited_transformations = RoaringBitmap::new();
        let mut visited_events = RoaringBitmap::new();
        let mut group_events = Vec::new();
        let mut level_start = 0;
        let mut depth = 0u32;
        while level_start < walk.affected.len() {
            if walk.affected.len() > limits.max_result_items as usize {
                return Err(self.limit(LimitKind::ResultItems, limits.max_result_items));
            }
            let level_end = walk.affected.len();
            for i in level_start..level_end {
                let node = walk.affected[i];
                for (role, e) in ix.incidences(node) {
                    let enters = if forward {
                        role.is_input()
                    } else {
                        role.is_output()
                    };
                    if !enters || ix.retracted(e) {
                        continue;
                    }
                    let group = match ix.transformation_of(e) {
                        Some(t) => {
                            if !visited_transformations.insert(t) {
                                continue;
                            }
                            Group::Transformation(t)
                        }
                        None => {
                            if !visited_events.insert(e) {
                                continue;
                            }
                            Group::Event(e)
                        }
                    };
                    walk.groups.push(group);
                    ix.group_events(group, &mut group_events);
                    for &g in &group_events {
                        for (r, n) in ix.items_of(g) {
                            let leaves = if forward { r.is_output() } else { r.is_input() };
                            if leaves && !walk.in_set.contains(n) {
                                if depth + 1 > limits.max_depth_hops {
                                    return Err(
                                        self.limit(LimitKind::DepthHops, limits.max_depth_hops)
                                    );
                                }
                                walk.add(n);
                                walk.depth_hops = depth + 1;
                            }
                        }
                    }
                }
            }
            level_start = level_end;
            depth += 1;
        }
        if walk.affected.len() > limits.max_result_items as usize {
            return Err(self.limit(LimitKind::ResultItems, limits.max_result_items));
        }
        Ok(walk)
    }

    fn lots(&self, walk: &Walk) -> Vec<String> {
        let mut lots: Vec<String> = walk.affected[1..]
            .iter()
            .map(|&n| self.ix.objects.resolve(n))
            .collect();
        lots.sort_unstable();
        lots
    }

    /// The direct containers of `node`: a range of `self.links` (computed once per query).
    fn direct_links(&mut self, node: u32) -> std::ops::Range<usize> {
        let (start, end) = match self.links_at.get(&node) {
            Some(&range) => range,
            None => {
                let start = self.links.len() as u32;
                self.ix.direct_links(
                    node,
                    &mut self.links,
                    &mut self.entries,
                    &mut self.parents,
                    &mut self.clears,
                );
                let range = (start, self.links.len() as u32);
                self.links_at.insert(node, range);
                range
            }
        };
        start as usize..end as usize
    }

    fn time_text(&mut self, event: u32) -> String {
        let ix = self.ix;
        self.times
            .entry(event)
            .or_insert_with(|| ix.time_text(event))
            .clone()
    }

    /// Every container that held `item` and when, nested containers included.
    fn held(&mut self, item: u32, out: &mut Vec<Held>) -> Result<(), TraceError> {
        let max_levels = self.ix.limits.max_nesting_levels;
        let mut stack = vec![(item, Span::ALWAYS, 0u32)];
        let mut path: Vec<u32> = Vec::new();
        while let Some((node, span, level)) = stack.pop() {
            path.truncate(level as usize);
            path.push(node);
            for i in self.direct_links(node) {
                let link = self.links[i];
                if path.contains(&link.parent) {
                    continue; // a containment cycle in the data: physically impossible, ignored
                }
                let Some(s) = self.ix.intersect(span, link.span) else {
                    continue;
                };
                if level + 1 > max_levels {
                    return Err(self.limit(LimitKind::NestingLevels, max_levels));
                }
                out.push(Held {
                    container: link.parent,
                    inner: node,
                    link: link.span,
                    span: s,
                    level: level + 1,
                });
                stack.push((link.parent, s, level + 1));
            }
        }
        Ok(())
    }

    fn answer(&mut self, walk: &Walk) -> Result<Trace, TraceError> {
        let ix = self.ix;
        let forward = self.direction == Direction::Forward;
        let max_items = ix.limits.max_result_items as usize;
        let mut cited = RoaringBitmap::new();
        let mut edges: Vec<Edge> = Vec::new();
        let mut group_events = Vec::new();

        // Transformation edges: affected sources × the other side of each transformation.
        let mut sources: Vec<u32> = Vec::new();
        let mut targets: Vec<(u32, u32)> = Vec::new();
        for &group in &walk.groups {
            ix.group_events(group, &mut group_events);
            sources.clear();
            targets.clear();
            for &e in &group_events {
                cited.insert(e);
                for (r, n) in ix.items_of(e) {
                    let (is_source, is_target) = if forward {
                        (r.is_input(), r.is_output())
                    } else {
                        (r.is_output(), r.is_input())
                    };
                    if is_source && walk.in_set.contains(n) {
                        sources.push(n);
                    }
                    if is_target {
                        targets.push((n, e));
                    }
                }
            }
            sources.sort_unstable();
            sources.dedup();
            for &s in &sources {
                for &(t, e) in &targets {
                    if s == t {
                        continue;
                    }
                    if edges.len() >= max_items {
                        return Err(self.limit(LimitKind::ResultItems, ix.limits.max_result_items));
                    }
                    edges.push(Edge {
                        from: ix.objects.resolve(s),
                        to: ix.objects.resolve(t),
                        relation: if forward {
                            Relation::MadeInto
                        } else {
                            Relation::MadeFrom
                        },
                        event: ix.event_id(e),
                        time: self.time_text(e),
                        until_event: None,
                        until_time: None,
                    });
                }
            }
        }
        for &(container, content, e) in &walk.contains {
            cited.insert(e);
            edges.push(Edge {
                from: ix.objects.resolve(container),
                to: ix.objects.resolve(content),
                relation: Relation::Contains,
                event: ix.event_id(e),
                time: self.time_text(e),
                until_event: None,
                until_time: None,
            });
        }

        // Containers and the events acting on affected items.
        let mut containers = RoaringBitmap::new();
        let mut pack_links: Vec<(u32, u32, Span)> = Vec::new();
        let mut moves: Vec<Move> = Vec::new();
        let mut holdings: Vec<(u32, u32)> = Vec::new();
        let mut created: Vec<(u32, u32)> = Vec::new();
        let mut held = Vec::new();
        // Forward: shipments. Backward: receipts, and events that name where the objects came
        // from (a sourceList), except outgoing shipments, whose sources are ourselves.
        let is_wanted = |flags: u8| {
            if forward {
                flags & flag::SHIPPING != 0
            } else {
                flags & flag::RECEIVING != 0
                    || (flags & flag::HAS_SOURCES != 0 && flags & flag::IN_TRANSIT == 0)
            }
        };
        for &item in &walk.affected {
            let mut last_seen = NONE;
            for (role, e) in ix.incidences(item) {
                if role == ItemRole::Transformation || ix.retracted(e) {
                    continue;
                }
                let rec = &ix.events[e as usize];
                last_seen = later_sighting(ix, last_seen, e);
                if ix.acts_on(role, e) {
                    if is_wanted(rec.flags) {
                        moves.push(Move {
                            event: e,
                            item,
                            via: NONE,
                            level: 0,
                            role,
                        });
                    }
                    if !forward && rec.has(flag::CREATES) {
                        created.push((item, e));
                    }
                }
            }
            held.clear();
            self.held(item, &mut held)?;
            for h in &held {
                if forward {
                    if h.container != self.origin {
                        containers.insert(h.container);
                    }
                    pack_links.push((h.inner, h.container, h.link));
                }
                for (role, e) in ix.incidences(h.container) {
                    if role == ItemRole::Transformation
                        || ix.retracted(e)
                        || !ix.span_contains(h.span, e)
                    {
                        continue;
                    }
                    last_seen = later_sighting(ix, last_seen, e);
                    if ix.acts_on(role, e) && is_wanted(ix.events[e as usize].flags) {
                        moves.push(Move {
                            event: e,
                            item,
                            via: h.container,
                            level: h.level,
                            role,
                        });
                    }
                }
            }
            if forward && last_seen != NONE {
                holdings.push((item, last_seen));
            }
        }

        // packed_into edges, one per (inner, container, span).
        pack_links.sort_unstable_by_key(|&(i, c, s)| (i, c, s.start, s.end));
        pack_links.dedup_by_key(|&mut (i, c, s)| (i, c, s.start, s.end));
        for &(inner, container, span) in &pack_links {
            if span.start == NONE {
                continue; // unreachable: a link span always starts with an event
            }
            cited.insert(span.start);
            if span.end != NONE {
                cited.insert(span.end);
            }
            edges.push(Edge {
                from: ix.objects.resolve(inner),
                to: ix.objects.resolve(container),
                relation: Relation::PackedInto,
                event: ix.event_id(span.start),
                time: self.time_text(span.start),
                until_event: (span.end != NONE).then(|| ix.event_id(span.end)),
                until_time: (span.end != NONE).then(|| self.time_text(span.end)),
            });
        }
        edges.sort_by(|a, b| {
            (&a.from, &a.to, &a.event, a.relation).cmp(&(&b.from, &b.to, &b.event, b.relation))
        });
        edges.dedup();

        let movements = self.movements(&mut moves, &mut cited);

        let mut holding_list: Vec<Holding> = Vec::with_capacity(holdings.len());
        let location_word = ix.words.get("location");
        for &(item, e) in &holdings {
            cited.insert(e);
            let rec = &ix.events[e as usize];
            let in_transit = rec.has(flag::IN_TRANSIT);
            let location = if in_transit {
                ix.extras_of(e)
                    .find(|x| {
                        x.tag() == ExtraTag::Destination
                            && x.type_word() != NONE
                            && location_word == Some(x.type_word())
                    })
                    .map(|x| ix.names.resolve(x.value))
            } else {
                ix.name(rec.biz_location)
            };
            holding_list.push(Holding {
                id: ix.objects.resolve(item),
                state: if in_transit {
                    HoldingState::InTransit
                } else {
                    HoldingState::AtLocation
                },
                location,
                event: ix.event_id(e),
                time: self.time_text(e),
                biz_step: ix.word16(rec.biz_step),
                disposition: ix.word16(rec.disposition),
            });
        }
        holding_list.sort_by(|a, b| a.id.cmp(&b.id));

        let mut created_list: Vec<Creation> = Vec::with_capacity(created.len());
        for &(item, e) in &created {
            cited.insert(e);
            created_list.push(Creation {
                id: ix.objects.resolve(item),
                event: ix.event_id(e),
                time: self.time_text(e),
                location: ix.name(ix.events[e as usize].biz_location),
            });
        }
        created_list.sort_by(|a, b| (&a.id, &a.event).cmp(&(&b.id, &b.event)));

        let mut container_ids: Vec<String> =
            containers.iter().map(|c| ix.objects.resolve(c)).collect();
        container_ids.sort_unstable();
        let mut events: Vec<String> = cited.iter().map(|e| ix.event_id(e)).collect();
        events.sort_unstable();

        let lots = self.lots(walk);
        let total = lots.len()
            + container_ids.len()
            + edges.len()
            + movements.len()
            + holding_list.len()
            + created_list.len();
        if total > max_items {
            return Err(self.limit(LimitKind::ResultItems, ix.limits.max_result_items));
        }
        let (shipped_to, received_from) = if forward {
            (movements, Vec::new())
        } else {
            (Vec::new(), movements)
        };
        Ok(Trace {
            origin: ix.objects.resolve(self.origin),
            direction: self.direction,
            lots,
            containers: container_ids,
            shipped_to,
            received_from,
            holdings: holding_list,
            created: created_list,
            events,
            edges,
            depth_hops: walk.depth_hops,
        })
    }

    /// Groups the moves by event: one Movement per destination (forward) or source (backward).
    fn movements(&mut self, moves: &mut [Move], cited: &mut RoaringBitmap) -> Vec<Movement> {
        let ix = self.ix;
        // Per (event, item): the direct naming first, else the outermost container.
        moves.sort_by(|a, b| {
            (a.event, a.item)
                .cmp(&(b.event, b.item))
                .then_with(|| (a.via != NONE).cmp(&(b.via != NONE)))
                .then_with(|| b.level.cmp(&a.level))
                .then_with(|| match (a.via, b.via) {
                    (NONE, NONE) => Ordering::Equal,
                    (x, y) => ix.objects.cmp_ids(x, y),
                })
        });
        let party_tag = if self.direction == Direction::Forward {
            ExtraTag::Destination
        } else {
            ExtraTag::Source
        };
        let mut out = Vec::new();
        let mut keyed: Vec<(i64, String, usize)> = Vec::new();
        let mut i = 0;
        while i < moves.len() {
            let event = moves[i].event;
            cited.insert(event);
            let mut items: Vec<MovedItem> = Vec::new();
            while i < moves.len() && moves[i].event == event {
                let m = moves[i];
                let (quantity, uom) = if m.via == NONE {
                    match ix
                        .position_of(event, m.role, m.item)
                        .and_then(|p| ix.quantity_of(event, p))
                    {
                        Some((q, u)) => (Some(q), ix.word(u)),
                        None => (None, None),
                    }
                } else {
                    (None, None)
                };
                items.push(MovedItem {
                    id: ix.objects.resolve(m.item),
                    quantity,
                    uom,
                    via: (m.via != NONE).then(|| ix.objects.resolve(m.via)),
                });
                // Skip the other namings of the same item in this event.
                while i < moves.len() && moves[i].event == event && moves[i].item == m.item {
                    i += 1;
                }
            }
            items.sort_by(|a, b| a.id.cmp(&b.id));
            let rec = &ix.events[event as usize];
            let biz_transactions: Vec<BizTransactionRef> = ix
                .extras_of(event)
                .filter(|x| x.tag() == ExtraTag::BizTransaction)
                .map(|x| BizTransactionRef {
                    kind: ix.word(x.type_word()),
                    id: ix.names.resolve(x.value),
                })
                .collect();
            let parties: Vec<(Option<String>, Option<String>)> = ix
                .extras_of(event)
                .filter(|x| x.tag() == party_tag)
                .map(|x| (ix.word(x.type_word()), Some(ix.names.resolve(x.value))))
                .collect();
            let parties = if parties.is_empty() {
                vec![(None, None)]
            } else {
                parties
            };
            for (kind, id) in parties {
                keyed.push((rec.time_us, ix.event_id(event), out.len()));
                out.push(Movement {
                    kind,
                    id,
                    event: ix.event_id(event),
                    time: self.time_text(event),
                    biz_step: ix.word16(rec.biz_step),
                    biz_transactions: biz_transactions.clone(),
                    items: items.clone(),
                });
            }
        }
        // Chronological, then by eventID, type, id.
        keyed.sort_by(|a, b| {
            (a.0, &a.1)
                .cmp(&(b.0, &b.1))
                .then_with(|| (&out[a.2].kind, &out[a.2].id).cmp(&(&out[b.2].kind, &out[b.2].id)))
        });
        let mut slots: Vec<Option<Movement>> = out.into_iter().map(Some).collect();
        keyed
            .iter()
            .map(|k| slots[k.2].take().expect("each movement is placed once"))
            .collect()
    }
}

/// The later of two sightings (events with a bizLocation, or putting the object in transit).
fn later_sighting(ix: &TraceIndex, best: u32, event: u32) -> u32 {
    let rec = &ix.events[event as usize];
    if rec.biz_location == NONE && !rec.has(flag::IN_TRANSIT) {
        return best;
    }
    if best == NONE || ix.cmp_events(event, best) == Ordering::Greater {
        event
    } else {
        best
    }
}

/// RFC 3339 in the event's own offset.
pub(crate) fn format_time(time_us: i64, offset_minutes: i16) -> String {
    let ts = jiff::Timestamp::from_microsecond(time_us)
        .expect("stored times came from valid timestamps");
    let offset = jiff::tz::Offset::from_seconds(i32::from(offset_minutes) * 60)
        .unwrap_or(jiff::tz::Offset::UTC);
    ts.display_with_offset(offset).to_string()
}
