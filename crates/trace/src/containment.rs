//! Time-bounded containment: when did a container hold an object?
//!
//! Times are events: a span runs from the event that put the object in (included) to the
//! event that took it out (excluded). Events are totally ordered by (eventTime, eventID), so
//! the answer never depends on the order events were inserted in.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::TraceIndex;
use crate::intern::NONE;
use crate::vocab::{ItemRole, flag};
use lotrace_epcis::Action;

/// `[start, end)` in event order; `start == NONE` is "since ever", `end == NONE` "still".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const ALWAYS: Span = Span {
        start: NONE,
        end: NONE,
    };
}

/// One container holding an object, directly, during `span`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Link {
    pub parent: u32,
    pub span: Span,
}

impl TraceIndex {
    /// Total order on events: eventTime, then eventID.
    pub(crate) fn cmp_events(&self, a: u32, b: u32) -> Ordering {
        let (ra, rb) = (&self.events[a as usize], &self.events[b as usize]);
        ra.time_us
            .cmp(&rb.time_us)
            .then_with(|| self.event_ids.cmp_ids(a, b))
    }

    pub(crate) fn retracted(&self, event: u32) -> bool {
        self.events[event as usize].has(flag::RETRACTED)
    }

    pub(crate) fn span_contains(&self, span: Span, event: u32) -> bool {
        (span.start == NONE || self.cmp_events(span.start, event) != Ordering::Greater)
            && (span.end == NONE || self.cmp_events(event, span.end) == Ordering::Less)
    }

    pub(crate) fn intersect(&self, a: Span, b: Span) -> Option<Span> {
        let start = match (a.start, b.start) {
            (NONE, s) | (s, NONE) => s,
            (x, y) => {
                if self.cmp_events(x, y) == Ordering::Less {
                    y
                } else {
                    x
                }
            }
        };
        let end = match (a.end, b.end) {
            (NONE, e) | (e, NONE) => e,
            (x, y) => {
                if self.cmp_events(x, y) == Ordering::Less {
                    x
                } else {
                    y
                }
            }
        };
        if start != NONE && end != NONE && self.cmp_events(start, end) != Ordering::Less {
            return None;
        }
        Some(Span { start, end })
    }

    /// Every direct container of `child` and when it held it, appended to `out`.
    /// `entries` and `parents` are scratch space; `clears` caches each parent's DELETEs
    /// without children (a busy container has many events: scan them once per query).
    pub(crate) fn direct_links(
        &self,
        child: u32,
        out: &mut Vec<Link>,
        entries: &mut Vec<(u32, bool)>,
        parents: &mut Vec<u32>,
        clears: &mut HashMap<u32, Vec<u32>>,
    ) {
        parents.clear();
        for (role, e) in self.incidences(child) {
            if role.is_child()
                && self.events[e as usize].is_containment()
                && !self.retracted(e)
                && let Some(p) = self.parent_of(e)
            {
                parents.push(p);
            }
        }
        parents.sort_unstable();
        parents.dedup();
        for &parent in parents.iter() {
            entries.clear();
            for (role, e) in self.incidences(child) {
                let rec = &self.events[e as usize];
                if role.is_child()
                    && rec.is_containment()
                    && !self.retracted(e)
                    && self.parent_of(e) == Some(parent)
                {
                    entries.push((e, rec.action != Some(Action::Delete)));
                }
            }
            let parent_clears = clears.entry(parent).or_insert_with(|| {
                self.incidences(parent)
                    .filter(|&(role, e)| {
                        role == ItemRole::Parent
                            && self.events[e as usize].has(flag::CLEARS)
                            && !self.retracted(e)
                    })
                    .map(|(_, e)| e)
                    .collect()
            });
            entries.extend(parent_clears.iter().map(|&e| (e, false)));
            entries.sort_by(|a, b| self.cmp_events(a.0, b.0));
            let mut start = NONE;
            for &(e, is_in) in entries.iter() {
                match (start == NONE, is_in) {
                    (true, true) => start = e,
                    (false, false) => {
                        out.push(Link {
                            parent,
                            span: Span { start, end: e },
                        });
                        start = NONE;
                    }
                    _ => {}
                }
            }
            if start != NONE {
                out.push(Link {
                    parent,
                    span: Span { start, end: NONE },
                });
            }
        }
    }
}
