//! The index's storage: events, their objects, and each object's events.
//!
//! Memory layout (all flat arrays, no allocation per event or per object):
//! - `events[e]`: a fixed 24-byte record per event `e` (time, bizLocation, bizStep,
//!   disposition, offset, type, action, flags). The ordinal `e` is also the id of the event's
//!   eventID in `event_ids` (interned in event order), so no eventID→event map is needed.
//! - `items[item_offsets[e]..item_offsets[e+1]]`: the objects event `e` names, each a `u32`
//!   packing role (4 bits) and node id (28 bits), sorted by `(role, node)`. This is the
//!   event→object half of a bipartite graph in CSR form.
//! - `extras[extra_offsets[e]..extra_offsets[e+1]]`: sources, destinations, business
//!   transactions and quantities (8 bytes each).
//! - Strings (objects, names, eventIDs, CBV words) live in interners (`intern.rs`): one byte
//!   arena each, stored in compact forms (binary UUIDs and hash IDs, packed GS1 digits).
//! - `incidences[inc_offsets[n]..inc_offsets[n+1]]`: the object→event half, packing role and
//!   event ordinal, rebuilt by `compact` (a counting sort of `items`). Events inserted since the
//!   last compaction are linked per node in `delta` (a singly linked list in a `Vec`), merged
//!   into the CSR arrays once the delta is as large as the base.
//!
//! A transformation is the set of events sharing a transformationID (or a single event): the
//! transformationID is a pseudo-node whose incidences are its events, so inputs reach outputs
//! in two hops (input → event → transformation → events → outputs) without storing m×n edges.

use std::borrow::Borrow;
use std::borrow::Cow;
use std::collections::HashSet;

use lotrace_epcis::{Action, Event, EventType, QuantityElement};

use crate::intern::{ArenaFull, Interner, NONE};
use crate::vocab::{ItemRole, MAX_PACKED_ID, bare_cbv_word, flag, pack, unpack};
use crate::{IndexStats, InsertError, Limits};

/// The delta is merged into the CSR arrays once it has at least this many links and is at
/// least as large as the base.
const DELTA_MIN_LINKS: usize = 1 << 14;

/// Prefix of the pseudo-node that stands for a transformationID. No canonical identifier
/// starts with a NUL byte, so these never collide with objects.
pub(crate) const TRANSFORMATION_PREFIX: char = '\0';

/// "No word" in 16-bit vocabulary fields.
pub(crate) const NO_WORD: u16 = u16::MAX;

/// 24 bytes. The event's ordinal is also its eventID's id in `TraceIndex::event_ids`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EventRec {
    pub time_us: i64,
    /// Canonical id in `names`, or NONE.
    pub biz_location: u32,
    /// Bare CBV word in `words`, or NO_WORD.
    pub biz_step: u16,
    pub disposition: u16,
    pub offset_minutes: i16,
    pub event_type: EventType,
    pub action: Option<Action>,
    pub flags: u8,
}

const _: () = assert!(size_of::<EventRec>() == 24, "an event record is 24 bytes");
const _: () = assert!(size_of::<Extra>() == 8, "an extra is 8 bytes");

impl EventRec {
    pub fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }
    pub fn is_containment(&self) -> bool {
        matches!(
            self.event_type,
            EventType::AggregationEvent | EventType::AssociationEvent
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum ExtraTag {
    Source = 0,
    Destination = 1,
    BizTransaction = 2,
    /// A whole quantity below 2^32 with a small uom id, for an item at position < 2^16.
    QuantityWhole = 3,
    /// Any other quantity: `value` indexes `TraceIndex::quantities`.
    QuantityOther = 4,
}

const TAG_SHIFT: u32 = 29;
const FIELD_MASK: u32 = (1 << TAG_SHIFT) - 1;
/// "No type" in a party or transaction record's field.
const FIELD_NONE: u32 = FIELD_MASK;
/// QuantityWhole packs the uom word in 13 bits (8191 = none) and the position in 16.
const UOM_NONE: u32 = (1 << 13) - 1;

/// 8 bytes: `head` = tag (3 bits) | field (29 bits), and `value`.
/// - Source, Destination, BizTransaction: field = type word (or FIELD_NONE); value = id in `names`.
/// - QuantityWhole: field = uom word << 16 | item position; value = the quantity.
/// - QuantityOther: field = item position; value = index in `quantities`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Extra {
    head: u32,
    pub value: u32,
}

impl Extra {
    fn new(tag: ExtraTag, field: u32, value: u32) -> Extra {
        assert!(field <= FIELD_MASK);
        Extra {
            head: ((tag as u32) << TAG_SHIFT) | field,
            value,
        }
    }

    fn party(tag: ExtraTag, type_word: u32, name: u32) -> Extra {
        let field = if type_word == NONE {
            FIELD_NONE
        } else {
            type_word
        };
        Extra::new(tag, field, name)
    }

    pub fn tag(&self) -> ExtraTag {
        match self.head >> TAG_SHIFT {
            0 => ExtraTag::Source,
            1 => ExtraTag::Destination,
            2 => ExtraTag::BizTransaction,
            3 => ExtraTag::QuantityWhole,
            _ => ExtraTag::QuantityOther,
        }
    }

    /// Source, Destination, BizTransaction: the type word, or NONE.
    pub fn type_word(&self) -> u32 {
        match self.head & FIELD_MASK {
            FIELD_NONE => NONE,
            w => w,
        }
    }

    /// Quantity records: the item's position in the event.
    fn position(&self, quantities: &[(f64, u32, u32)]) -> u32 {
        match self.tag() {
            ExtraTag::QuantityWhole => self.head & 0xFFFF,
            _ => quantities[self.value as usize].2,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct DeltaLink {
    incidence: u32,
    next: u32,
}

#[derive(Clone, Copy, Debug)]
struct ScratchItem {
    packed: u32,
    /// NaN when the element has no quantity.
    quantity: f64,
    uom: u32,
}

/// The genealogy index. See the module documentation for the memory layout.
#[derive(Debug)]
pub struct TraceIndex {
    pub(crate) limits: Limits,
    pub(crate) objects: Interner,
    pub(crate) names: Interner,
    /// bizSteps, dispositions, source/destination/business transaction types, units.
    pub(crate) words: Interner,
    /// Interned in event order: an event's ordinal is its eventID's id.
    pub(crate) event_ids: Interner,
    /// Error declarations whose event has not arrived yet (rare: late uploads).
    pending_declarations: HashSet<String>,
    pub(crate) events: Vec<EventRec>,
    item_offsets: Vec<u32>,
    items: Vec<u32>,
    extra_offsets: Vec<u32>,
    extras: Vec<Extra>,
    /// Quantities that do not fit a QuantityWhole record: (quantity, uom word or NONE, position).
    quantities: Vec<(f64, u32, u32)>,
    inc_offsets: Vec<u32>,
    incidences: Vec<u32>,
    delta_head: Vec<u32>,
    delta: Vec<DeltaLink>,
    scratch: Vec<ScratchItem>,
    scratch_extras: Vec<Extra>,
    transformation_ids: u64,
    error_declarations: u64,
    duplicates_ignored: u64,
}

impl TraceIndex {
    pub fn new(limits: Limits) -> TraceIndex {
        TraceIndex {
            limits,
            objects: Interner::default(),
            names: Interner::default(),
            words: Interner::default(),
            event_ids: Interner::default(),
            pending_declarations: HashSet::new(),
            events: Vec::new(),
            item_offsets: vec![0],
            items: Vec::new(),
            extra_offsets: vec![0],
            extras: Vec::new(),
            quantities: Vec::new(),
            inc_offsets: vec![0],
            incidences: Vec::new(),
            delta_head: Vec::new(),
            delta: Vec::new(),
            scratch: Vec::new(),
            scratch_extras: Vec::new(),
            transformation_ids: 0,
            error_declarations: 0,
            duplicates_ignored: 0,
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Adds one event, in any eventTime order; ready for traces when it returns.
    ///
    /// An error declaration retracts the event with its eventID (before or after that event
    /// arrives). An eventID seen before is ignored: inserting is idempotent, like capture.
    pub fn insert(&mut self, event: &Event) -> Result<(), InsertError> {
        if let Some(ordinal) = self.append(event)? {
            self.link_delta(ordinal);
            if self.delta.len() >= DELTA_MIN_LINKS.max(self.incidences.len()) {
                self.compact();
            }
        }
        Ok(())
    }

    /// Adds many events (the bulk path used at startup and for imports): events are appended
    /// without per-object links, and the object→event arrays are built once at the end.
    /// Returns the number of events read. On error the events before the failing one are in.
    pub fn insert_many<I>(&mut self, events: I) -> Result<u64, InsertError>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        let mut count = 0u64;
        let mut result = Ok(());
        for event in events {
            if let Err(e) = self.append(event.borrow()) {
                result = Err(e);
                break;
            }
            count += 1;
        }
        self.compact();
        result.map(|()| count)
    }

    pub fn stats(&self) -> IndexStats {
        let retracted = self
            .events
            .iter()
            .filter(|e| e.has(flag::RETRACTED))
            .count();
        let heap_bytes: usize = self.heap_breakdown().iter().map(|(_, b)| b).sum();
        IndexStats {
            events: self.events.len() as u64,
            retracted_events: retracted as u64,
            error_declarations: self.error_declarations,
            duplicates_ignored: self.duplicates_ignored,
            nodes: self.objects.len() as u64 - self.transformation_ids,
            transformations_with_id: self.transformation_ids,
            edges: self.items.len() as u64,
            heap_bytes: heap_bytes as u64,
        }
    }

    /// Heap bytes (capacity) by part of the index, for tuning and monitoring.
    pub fn heap_breakdown(&self) -> Vec<(&'static str, usize)> {
        vec![
            ("object ids", self.objects.heap_bytes()),
            (
                "names (locations, parties, transactions)",
                self.names.heap_bytes(),
            ),
            ("words", self.words.heap_bytes()),
            ("event ids", self.event_ids.heap_bytes()),
            (
                "pending declarations",
                self.pending_declarations
                    .iter()
                    .map(|s| s.capacity() + size_of::<String>())
                    .sum::<usize>(),
            ),
            (
                "event records",
                self.events.capacity() * size_of::<EventRec>(),
            ),
            (
                "event -> objects (CSR)",
                (self.item_offsets.capacity() + self.items.capacity()) * 4,
            ),
            (
                "event extras",
                self.extra_offsets.capacity() * 4
                    + self.extras.capacity() * size_of::<Extra>()
                    + self.quantities.capacity() * size_of::<(f64, u32, u32)>(),
            ),
            (
                "object -> events (CSR)",
                (self.inc_offsets.capacity() + self.incidences.capacity()) * 4,
            ),
            (
                "object -> events (delta)",
                self.delta_head.capacity() * 4 + self.delta.capacity() * size_of::<DeltaLink>(),
            ),
            (
                "scratch",
                self.scratch.capacity() * size_of::<ScratchItem>()
                    + self.scratch_extras.capacity() * size_of::<Extra>(),
            ),
        ]
    }

    /// Every object identifier the index knows (canonical), in first-seen order.
    pub fn object_ids(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.objects.len() as u32)
            .map(|n| self.objects.resolve(n))
            .filter(|s| !s.starts_with(TRANSFORMATION_PREFIX))
    }

    // ---- reading (crate-internal) ----

    pub(crate) fn items_of(&self, event: u32) -> impl Iterator<Item = (ItemRole, u32)> + '_ {
        let e = event as usize;
        self.items[self.item_offsets[e] as usize..self.item_offsets[e + 1] as usize]
            .iter()
            .map(|&p| unpack(p))
    }

    /// The position-th item's quantity and uom, if the event gave one.
    pub(crate) fn quantity_of(&self, event: u32, position: u32) -> Option<(f64, u32)> {
        let x = self.extras_of(event).find(|x| {
            matches!(x.tag(), ExtraTag::QuantityWhole | ExtraTag::QuantityOther)
                && x.position(&self.quantities) == position
        })?;
        Some(match x.tag() {
            ExtraTag::QuantityWhole => {
                let uom = (x.head & FIELD_MASK) >> 16;
                (f64::from(x.value), if uom == UOM_NONE { NONE } else { uom })
            }
            _ => {
                let (q, uom, _) = self.quantities[x.value as usize];
                (q, uom)
            }
        })
    }

    pub(crate) fn extras_of(&self, event: u32) -> impl Iterator<Item = &Extra> + '_ {
        let e = event as usize;
        self.extras[self.extra_offsets[e] as usize..self.extra_offsets[e + 1] as usize].iter()
    }

    /// The parentID of an event, if it has one (the parent sorts first).
    pub(crate) fn parent_of(&self, event: u32) -> Option<u32> {
        let e = event as usize;
        let first = self.item_offsets[e] as usize;
        if first == self.item_offsets[e + 1] as usize {
            return None;
        }
        match unpack(self.items[first]) {
            (ItemRole::Parent, node) => Some(node),
            _ => None,
        }
    }

    /// The transformationID pseudo-node of an event, if it has one (it sorts last).
    pub(crate) fn transformation_of(&self, event: u32) -> Option<u32> {
        let e = event as usize;
        let end = self.item_offsets[e + 1] as usize;
        if end == self.item_offsets[e] as usize {
            return None;
        }
        match unpack(self.items[end - 1]) {
            (ItemRole::Transformation, node) => Some(node),
            _ => None,
        }
    }

    /// The events naming a node, as (role, event ordinal), in no particular order.
    pub(crate) fn incidences(&self, node: u32) -> Incidences<'_> {
        let n = node as usize;
        let base: &[u32] = if n + 1 < self.inc_offsets.len() {
            &self.incidences[self.inc_offsets[n] as usize..self.inc_offsets[n + 1] as usize]
        } else {
            &[]
        };
        Incidences {
            base: base.iter(),
            delta: &self.delta,
            next: self.delta_head.get(n).copied().unwrap_or(NONE),
        }
    }

    pub(crate) fn event_id(&self, event: u32) -> String {
        self.event_ids.resolve(event)
    }

    // ---- writing ----

    /// Appends an event's record, items and extras; returns its ordinal, or None if the event
    /// was an error declaration or a duplicate. Does not link incidences.
    fn append(&mut self, event: &Event) -> Result<Option<u32>, InsertError> {
        let raw_id = event
            .event_id
            .as_deref()
            .ok_or(InsertError::MissingEventId)?;
        let existing = self.event_ids.get(raw_id);
        if event.error_declaration.is_some() {
            self.error_declarations += 1;
            match existing {
                Some(e) => self.events[e as usize].flags |= flag::RETRACTED,
                None => {
                    self.pending_declarations.insert(raw_id.to_owned());
                }
            }
            return Ok(None);
        }
        if existing.is_some() {
            self.duplicates_ignored += 1;
            return Ok(None);
        }
        if self.events.len() >= MAX_PACKED_ID as usize {
            return Err(InsertError::Capacity {
                what: "events",
                max: u64::from(MAX_PACKED_ID),
            });
        }
        let ordinal = self.events.len() as u32;

        // Intern everything first: a failure leaves no half-written event behind.
        self.collect_items(event)?;
        self.collect_extras(event)?;
        let step = match &event.biz_step {
            Some(s) => bare_cbv_word(s),
            None => "",
        };
        let biz_step = self.intern_word16(event.biz_step.as_deref().map(bare_cbv_word))?;
        let disposition = self.intern_word16(event.disposition.as_deref().map(bare_cbv_word))?;
        let biz_location = match &event.biz_location {
            Some(l) => self.name_of(&l.id)?,
            None => NONE,
        };
        if self.items.len() + self.scratch.len() > u32::MAX as usize
            || self.extras.len() + self.scratch_extras.len() > u32::MAX as usize
        {
            return Err(InsertError::Capacity {
                what: "object links",
                max: u64::from(u32::MAX),
            });
        }

        let mut flags = 0u8;
        if !self.pending_declarations.is_empty() && self.pending_declarations.remove(raw_id) {
            flags |= flag::RETRACTED;
        }
        if step == "shipping" {
            flags |= flag::SHIPPING | flag::IN_TRANSIT;
        }
        if step == "departing" {
            flags |= flag::IN_TRANSIT;
        }
        if step == "receiving" {
            flags |= flag::RECEIVING;
        }
        if event.source_list.as_ref().is_some_and(|l| !l.is_empty()) {
            flags |= flag::HAS_SOURCES;
        }
        let no_children = event.child_epcs.as_ref().is_none_or(|l| l.is_empty())
            && event
                .child_quantity_list
                .as_ref()
                .is_none_or(|l| l.is_empty());
        let containment = matches!(
            event.event_type,
            EventType::AggregationEvent | EventType::AssociationEvent
        );
        if containment && event.action == Some(Action::Delete) && no_children {
            flags |= flag::CLEARS;
        }
        if event.event_type == EventType::ObjectEvent
            && event.action == Some(Action::Add)
            && (step == "commissioning" || event.ilmd.is_some())
        {
            flags |= flag::CREATES;
        }

        // Last fallible step: the eventID's id must equal the ordinal.
        let (eid, new) = self.event_ids.intern(raw_id).map_err(full)?;
        assert!(
            new && eid == ordinal,
            "eventIDs are interned in event order"
        );
        self.events.push(EventRec {
            time_us: event.event_time.instant.as_microsecond(),
            biz_step,
            disposition,
            biz_location,
            offset_minutes: event.event_time_zone_offset.minutes,
            event_type: event.event_type,
            action: event.action,
            flags,
        });
        for (position, item) in self.scratch.iter().enumerate() {
            self.items.push(item.packed);
            let q = item.quantity;
            if q.is_nan() {
                continue;
            }
            let small_uom = item.uom == NONE || item.uom < UOM_NONE;
            let whole = q >= 0.0 && q <= f64::from(u32::MAX) && q.fract() == 0.0;
            let extra = if whole && small_uom && position < 1 << 16 {
                let uom = if item.uom == NONE { UOM_NONE } else { item.uom };
                Extra::new(
                    ExtraTag::QuantityWhole,
                    (uom << 16) | position as u32,
                    q as u32,
                )
            } else {
                self.quantities.push((q, item.uom, position as u32));
                let index = (self.quantities.len() - 1) as u32;
                Extra::new(ExtraTag::QuantityOther, 0, index)
            };
            self.extras.push(extra);
        }
        self.extras.extend_from_slice(&self.scratch_extras);
        self.item_offsets.push(self.items.len() as u32);
        self.extra_offsets.push(self.extras.len() as u32);
        Ok(Some(ordinal))
    }

    fn collect_items(&mut self, event: &Event) -> Result<(), InsertError> {
        self.scratch.clear();
        if let Some(parent) = &event.parent_id {
            self.push_item(ItemRole::Parent, parent, None)?;
        }
        let lists = [
            (ItemRole::Epc, &event.epc_list),
            (ItemRole::Child, &event.child_epcs),
            (ItemRole::Input, &event.input_epc_list),
            (ItemRole::Output, &event.output_epc_list),
        ];
        for (role, list) in lists {
            for epc in list.iter().flatten() {
                self.push_item(role, epc, None)?;
            }
        }
        let quantities = [
            (ItemRole::EpcClass, &event.quantity_list),
            (ItemRole::ChildClass, &event.child_quantity_list),
            (ItemRole::InputClass, &event.input_quantity_list),
            (ItemRole::OutputClass, &event.output_quantity_list),
        ];
        for (role, list) in quantities {
            for q in list.iter().flatten() {
                self.push_item(role, &q.epc_class, Some(q))?;
            }
        }
        // Serialised instances commissioned with a lot number in their ILMD are made from that
        // lot: the lot feeds them like an input feeds an output.
        if event.event_type == EventType::ObjectEvent
            && event.action == Some(Action::Add)
            && let Some(lot) = ilmd_lot_number(event)
        {
            for epc in event.epc_list.iter().flatten() {
                if let Some(gtin) = instance_gtin(&canonical(epc)) {
                    let lot_id = format!("https://id.gs1.org/01/{gtin}/10/{}", dl_escape(lot));
                    self.push_item(ItemRole::InputClass, &lot_id, None)?;
                    self.push_item(ItemRole::Output, epc, None)?;
                }
            }
        }
        if let Some(tid) = &event.transformation_id {
            let key = format!("{TRANSFORMATION_PREFIX}{tid}");
            let (node, new) = self.objects.intern(&key).map_err(full)?;
            check_node(node)?;
            if new {
                self.transformation_ids += 1;
            }
            self.scratch.push(ScratchItem {
                packed: pack(ItemRole::Transformation, node),
                quantity: f64::NAN,
                uom: NONE,
            });
        }
        // Sorted by (role, node), first of equal ones kept: the parent comes first and the
        // transformation last, and an object named twice in one role counts once.
        self.scratch.sort_by_key(|i| i.packed);
        self.scratch.dedup_by_key(|i| i.packed);
        Ok(())
    }

    fn push_item(
        &mut self,
        role: ItemRole,
        raw: &str,
        quantity: Option<&QuantityElement>,
    ) -> Result<(), InsertError> {
        let Some(node) = self.object_node(raw)? else {
            return Ok(());
        };
        let (value, uom) = match quantity {
            Some(q) => (
                q.quantity
                    .as_ref()
                    .and_then(|n| n.as_f64())
                    .unwrap_or(f64::NAN),
                self.intern_word(q.uom.as_deref())?,
            ),
            None => (f64::NAN, NONE),
        };
        self.scratch.push(ScratchItem {
            packed: pack(role, node),
            quantity: value,
            uom,
        });
        Ok(())
    }

    /// The node of an object identifier as written, canonicalised. Fast path: a spelling that
    /// is already interned is canonical (canonicalisation is idempotent), so it skips parsing.
    fn object_node(&mut self, raw: &str) -> Result<Option<u32>, InsertError> {
        if raw.starts_with(TRANSFORMATION_PREFIX) {
            return Ok(None);
        }
        if let Some(node) = self.objects.get(raw) {
            return Ok(Some(node));
        }
        let id = canonical(raw);
        if id.starts_with(TRANSFORMATION_PREFIX) {
            return Ok(None);
        }
        let (node, _) = self.objects.intern(&id).map_err(full)?;
        check_node(node)?;
        Ok(Some(node))
    }

    /// As `object_node`, for locations, parties and business transactions.
    fn name_of(&mut self, raw: &str) -> Result<u32, InsertError> {
        if let Some(id) = self.names.get(raw) {
            return Ok(id);
        }
        self.intern_name(&canonical(raw))
    }

    fn collect_extras(&mut self, event: &Event) -> Result<(), InsertError> {
        let mut out = std::mem::take(&mut self.scratch_extras);
        out.clear();
        let result = (|| {
            for s in event.source_list.iter().flatten() {
                let kind = self.intern_word(Some(bare_cbv_word(&s.kind)))?;
                let id = self.name_of(&s.source)?;
                out.push(Extra::party(ExtraTag::Source, kind, id));
            }
            for d in event.destination_list.iter().flatten() {
                let kind = self.intern_word(Some(bare_cbv_word(&d.kind)))?;
                let id = self.name_of(&d.destination)?;
                out.push(Extra::party(ExtraTag::Destination, kind, id));
            }
            for bt in event.biz_transaction_list.iter().flatten() {
                let kind = self.intern_word(bt.kind.as_deref().map(bare_cbv_word))?;
                let id = self.name_of(&bt.biz_transaction)?;
                out.push(Extra::party(ExtraTag::BizTransaction, kind, id));
            }
            Ok(())
        })();
        self.scratch_extras = out;
        result
    }

    fn intern_name(&mut self, s: &str) -> Result<u32, InsertError> {
        Ok(self.names.intern(s).map_err(full)?.0)
    }

    /// A vocabulary word's id, or NONE.
    fn intern_word(&mut self, s: Option<&str>) -> Result<u32, InsertError> {
        match s {
            Some(s) => Ok(self.words.intern(s).map_err(full)?.0),
            None => Ok(NONE),
        }
    }

    /// A vocabulary word's id in 16 bits, or NO_WORD.
    fn intern_word16(&mut self, s: Option<&str>) -> Result<u16, InsertError> {
        let Some(s) = s else { return Ok(NO_WORD) };
        if self.words.get(s).is_none() && self.words.len() >= usize::from(NO_WORD) {
            return Err(InsertError::Capacity {
                what: "distinct bizStep, disposition, type and unit words",
                max: u64::from(NO_WORD),
            });
        }
        Ok(self.words.intern(s).map_err(full)?.0 as u16)
    }

    fn link_delta(&mut self, ordinal: u32) {
        if self.delta_head.len() < self.objects.len() {
            self.delta_head.resize(self.objects.len(), NONE);
        }
        let e = ordinal as usize;
        for i in self.item_offsets[e] as usize..self.item_offsets[e + 1] as usize {
            let (role, node) = unpack(self.items[i]);
            let head = &mut self.delta_head[node as usize];
            self.delta.push(DeltaLink {
                incidence: pack(role, ordinal),
                next: *head,
            });
            *head = (self.delta.len() - 1) as u32;
        }
    }

    /// Rebuilds the object→event CSR arrays from the event→object arrays (a counting sort)
    /// and drops the delta. O(objects + links).
    pub fn compact(&mut self) {
        let nodes = self.objects.len();
        let mut offsets = vec![0u32; nodes + 1];
        for &packed in &self.items {
            offsets[(packed & MAX_PACKED_ID) as usize + 1] += 1;
        }
        for n in 0..nodes {
            offsets[n + 1] += offsets[n];
        }
        let mut fill = offsets.clone();
        let mut incidences = std::mem::take(&mut self.incidences);
        incidences.clear();
        incidences.resize(self.items.len(), 0);
        for e in 0..self.events.len() {
            for i in self.item_offsets[e] as usize..self.item_offsets[e + 1] as usize {
                let (role, node) = unpack(self.items[i]);
                let slot = &mut fill[node as usize];
                incidences[*slot as usize] = pack(role, e as u32);
                *slot += 1;
            }
        }
        debug_assert!((0..nodes).all(|n| fill[n] == offsets[n + 1]));
        incidences.shrink_to_fit();
        self.events.shrink_to_fit();
        self.items.shrink_to_fit();
        self.item_offsets.shrink_to_fit();
        self.extras.shrink_to_fit();
        self.extra_offsets.shrink_to_fit();
        self.objects.shrink_to_fit();
        self.names.shrink_to_fit();
        self.event_ids.shrink_to_fit();
        self.incidences = incidences;
        self.inc_offsets = offsets;
        self.delta = Vec::new();
        self.delta_head = Vec::new();
    }
}

pub(crate) struct Incidences<'a> {
    base: std::slice::Iter<'a, u32>,
    delta: &'a [DeltaLink],
    next: u32,
}

impl Iterator for Incidences<'_> {
    type Item = (ItemRole, u32);
    fn next(&mut self) -> Option<(ItemRole, u32)> {
        if let Some(&p) = self.base.next() {
            return Some(unpack(p));
        }
        if self.next == NONE {
            return None;
        }
        let link = self.delta[self.next as usize];
        self.next = link.next;
        Some(unpack(link.incidence))
    }
}

/// The canonical form of an identifier; identifiers that do not canonicalise are kept as
/// written (validation rejects those at capture).
pub fn canonical(raw: &str) -> Cow<'_, str> {
    match lotrace_gs1::canonicalize(raw) {
        Ok(id) if id.canonical == raw => Cow::Borrowed(raw),
        Ok(id) => Cow::Owned(id.canonical),
        Err(_) => Cow::Borrowed(raw),
    }
}

/// The ILMD lot number (`cbvmda:lotNumber` or the same term as a full IRI), if any.
fn ilmd_lot_number(event: &Event) -> Option<&str> {
    let ilmd = event.ilmd.as_ref()?;
    ilmd.iter()
        .find(|(k, _)| {
            k.as_str() == "lotNumber" || k.ends_with(":lotNumber") || k.ends_with("#lotNumber")
        })
        .and_then(|(_, v)| v.as_str())
        .filter(|lot| !lot.is_empty())
}

/// The GTIN of a canonical serialised instance (`https://id.gs1.org/01/{gtin}/21/{serial}`).
fn instance_gtin(id: &str) -> Option<&str> {
    let rest = id.strip_prefix("https://id.gs1.org/01/")?;
    let gtin = rest.get(..14)?;
    (gtin.bytes().all(|b| b.is_ascii_digit()) && rest[14..].starts_with("/21/")).then_some(gtin)
}

/// Percent-encodes everything but unreserved characters, for a Digital Link path segment.
fn dl_escape(value: &str) -> Cow<'_, str> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if value.bytes().all(plain) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if plain(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Cow::Owned(out)
}

fn full(_: ArenaFull) -> InsertError {
    InsertError::Capacity {
        what: "bytes of identifier text",
        max: crate::intern::MAX_ARENA_BYTES as u64,
    }
}

fn check_node(node: u32) -> Result<(), InsertError> {
    if node > MAX_PACKED_ID {
        return Err(InsertError::Capacity {
            what: "distinct objects",
            max: u64::from(MAX_PACKED_ID),
        });
    }
    Ok(())
}
