//! Partial replay: bringing a stale inventory back to what a full rebuild in eventTime order
//! gives, by replaying only the objects a late event (or a retraction) can have changed.
//!
//! What the state of an object (a lot, an instance, a container) depends on:
//! - the events that name it;
//! - the events that name a container holding it at that moment (shipping, receiving,
//!   moving or holding a container applies to its contents), and so the whole packing history
//!   of those containers and of the containers nested in them;
//! - whether each EPC an event names counts as a container at that moment (`items`): an SSCC
//!   always does, another EPC once an aggregation has named it as parent. A transformation
//!   drops container EPCs and lists the others in each lot's `related`.
//!
//! So the objects to replay (the members) are the objects the late and retracted events
//! name, closed under:
//! - containment over all time: every object of an aggregation naming a member (the
//!   containers that ever held a member and everything a member container ever held, which
//!   a DELETE without a child list or a shipment of it can change);
//! - classification: every object of an event naming a member and an EPC other than an
//!   SSCC that is (or was) a container, since a late aggregation can change what that event
//!   did to all of them. The current state's containers are a superset of every moment's:
//!   container entries are never removed, and a retracted event was applied or never was.
//!
//! The replay resets the members, applies every event naming a member in eventTime order to
//! a scratch inventory and takes back the members' states only: what those events did to
//! other objects was right already (the closure holds every object whose history changed),
//! and the scratch copy of such an object is wrong (it saw only some of its events).
//!
//! The store finds the events naming some identifiers through its identifier index; the
//! caller drives [`ReplaySet`] the way it drives the FSMA 204 gathering: ask
//! [`ReplaySet::next_identifiers`], hand the events found to [`ReplaySet::found`], until
//! `None`, then [`Inventory::replay`] the events in eventTime order. Past [`ReplayLimits`]
//! a full rebuild (`Inventory::rebuild`) is cheaper than the lookups: give up and do that.

use std::collections::{BTreeSet, HashSet};

use lotrace_epcis::{Event, EventType};

use super::{Inventory, canonical, is_sscc};

/// The most events a partial replay reads. The lookups cost about what a full rebuild costs
/// per event (decoding dominates); past this, on the stores we expect, it saves little.
pub const MAX_REPLAY_EVENTS: usize = 200_000;
/// The most objects a partial replay resets (a pallet reused across the whole chain links
/// everything it ever held).
pub const MAX_REPLAY_OBJECTS: usize = 100_000;

/// How far a partial replay may go before the caller rebuilds the whole inventory instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayLimits {
    pub events: usize,
    pub objects: usize,
}

impl Default for ReplayLimits {
    fn default() -> Self {
        ReplayLimits {
            events: MAX_REPLAY_EVENTS,
            objects: MAX_REPLAY_OBJECTS,
        }
    }
}

/// What went stale since the inventory was last right: the seeds of a partial replay.
#[derive(Clone, Debug, Default)]
pub(super) struct Late {
    /// Objects named by events applied out of order or retracted (canonical; sorted, so
    /// a replay asks for them in the same order every time).
    objects: BTreeSet<String>,
    /// EventIDs retracted: the events themselves may name objects their declarations do not.
    retracted: Vec<String>,
    /// More than [`MAX_REPLAY_OBJECTS`] seeds: only a full rebuild will do.
    overflow: bool,
}

impl Late {
    /// `event` was applied older than an event applied before it.
    pub(super) fn applied(&mut self, event: &Event) {
        self.note(event);
    }

    /// `declaration` retracts the event `id`.
    pub(super) fn retracted(&mut self, id: &str, declaration: &Event) {
        if !self.overflow {
            self.retracted.push(id.to_owned());
        }
        self.note(declaration);
    }

    fn note(&mut self, event: &Event) {
        if self.overflow {
            return;
        }
        self.objects.extend(raw_objects(event).map(canonical));
        if self.objects.len() + self.retracted.len() > MAX_REPLAY_OBJECTS {
            *self = Late {
                overflow: true,
                ..Late::default()
            };
        }
    }
}

/// The spellings of the objects whose state an event can change, as `apply` reads them:
/// the EPCs and classes of an ObjectEvent, an aggregation's parent and children, a
/// transformation's inputs and outputs. Transaction and association events change none.
fn raw_objects(event: &Event) -> impl Iterator<Item = &str> {
    let (epcs, classes, parent): ([_; 2], [_; 2], _) = match event.event_type {
        EventType::ObjectEvent => (
            [&event.epc_list, &None],
            [&event.quantity_list, &None],
            None,
        ),
        EventType::AggregationEvent => (
            [&event.child_epcs, &None],
            [&event.child_quantity_list, &None],
            event.parent_id.as_deref(),
        ),
        EventType::TransformationEvent => (
            [&event.input_epc_list, &event.output_epc_list],
            [&event.input_quantity_list, &event.output_quantity_list],
            None,
        ),
        EventType::TransactionEvent | EventType::AssociationEvent => {
            ([&None, &None], [&None, &None], None)
        }
    };
    let epcs = epcs.into_iter().flatten().flatten().map(String::as_str);
    let classes = classes
        .into_iter()
        .flatten()
        .flatten()
        .map(|q| q.epc_class.as_str());
    parent.into_iter().chain(epcs).chain(classes)
}

/// The objects (canonical identifiers) whose state `event` can change; see [`ReplaySet`].
pub fn objects_named(event: &Event) -> Vec<String> {
    raw_objects(event).map(canonical).collect()
}

/// The members of a partial replay, growing as the events naming them are found.
#[derive(Clone, Debug)]
pub struct ReplaySet {
    limits: ReplayLimits,
    members: HashSet<String>,
    /// Members whose events have not been asked for yet, in the order they joined.
    unasked: Vec<String>,
    retracted: Vec<String>,
}

impl ReplaySet {
    fn new(limits: ReplayLimits) -> ReplaySet {
        ReplaySet {
            limits,
            members: HashSet::new(),
            unasked: Vec::new(),
            retracted: Vec::new(),
        }
    }

    pub fn limits(&self) -> ReplayLimits {
        self.limits
    }

    /// How many objects the replay resets.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// More members than the limits allow: rebuild the whole inventory instead.
    pub fn is_over_limit(&self) -> bool {
        self.members.len() > self.limits.objects
    }

    pub fn contains(&self, id: &str) -> bool {
        self.members.contains(id)
    }

    /// EventIDs retracted since the inventory was last right. The caller looks each event up
    /// and hands it to [`ReplaySet::add_objects_of`]: what it did is to be undone, and its
    /// declaration need not name the same objects.
    pub fn retracted(&self) -> &[String] {
        &self.retracted
    }

    /// Every object `event` names becomes a member.
    pub fn add_objects_of(&mut self, event: &Event) {
        for raw in raw_objects(event) {
            self.join(canonical(raw));
        }
    }

    /// The members whose events to look up next (each once), or `None` when every event
    /// the replay needs has been asked for.
    pub fn next_identifiers(&mut self) -> Option<Vec<String>> {
        (!self.unasked.is_empty()).then(|| std::mem::take(&mut self.unasked))
    }

    /// Takes note of an event found naming a member: it widens the set when it links the
    /// members to other objects (see the module comment). `inventory` is the stale state
    /// the replay will repair, whose containers are every container there ever was.
    pub fn found(&mut self, inventory: &Inventory, event: &Event) {
        // A declaration or a retracted event does nothing in a rebuild: it links nothing.
        // (The objects of the events retracted since the last replay are members already.)
        if event.error_declaration.is_some()
            || event
                .event_id
                .as_ref()
                .is_some_and(|id| inventory.retracted.contains(id))
        {
            return;
        }
        let links = match event.event_type {
            EventType::AggregationEvent => true,
            EventType::ObjectEvent | EventType::TransformationEvent => {
                raw_objects(event).any(|raw| {
                    let id = canonical(raw);
                    !is_sscc(&id) && inventory.containers.contains_key(&id)
                })
            }
            EventType::TransactionEvent | EventType::AssociationEvent => false,
        };
        if links {
            self.add_objects_of(event);
        }
    }

    fn join(&mut self, id: String) {
        if !self.members.contains(&id) {
            self.members.insert(id.clone());
            self.unasked.push(id);
        }
    }
}

impl Inventory {
    /// The partial replay a stale inventory needs, seeded with what went stale; `None` when
    /// so much did that only [`Inventory::rebuild`] will do (or when nothing is stale).
    pub fn partial_replay(&self, limits: ReplayLimits) -> Option<ReplaySet> {
        if !self.stale || self.late.overflow {
            return None;
        }
        let mut set = ReplaySet::new(limits);
        for id in &self.late.objects {
            set.join(id.clone());
        }
        set.retracted = self.late.retracted.clone();
        (!set.is_over_limit()).then_some(set)
    }

    /// Replays the members of `set`: `events` are every event naming a member (more do no
    /// harm), in eventTime order, log order among equal times, as for `rebuild`. Afterwards
    /// every member's state is what a rebuild gives, and the state is no longer stale.
    pub fn replay<'a>(&mut self, set: &ReplaySet, events: impl IntoIterator<Item = &'a Event>) {
        // The declarations were all applied already: the scratch state borrows the set of
        // retracted eventIDs, so it skips what a rebuild skips.
        let mut scratch = Inventory {
            retracted: std::mem::take(&mut self.retracted),
            ..Inventory::default()
        };
        for event in events {
            if event.error_declaration.is_none() {
                scratch.apply(event);
            }
        }
        self.retracted = std::mem::take(&mut scratch.retracted);
        for id in &set.members {
            match scratch.lots.remove(id) {
                Some(lot) => self.lots.insert(id.clone(), lot),
                None => self.lots.remove(id),
            };
            match scratch.containers.remove(id) {
                Some(container) => self.containers.insert(id.clone(), container),
                None => self.containers.remove(id),
            };
        }
        self.stale = false;
        self.late = Late::default();
    }
}
