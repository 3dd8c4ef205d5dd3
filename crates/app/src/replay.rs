//! Bringing a stale inventory back in step with the log. A late event (older than one
//! already applied) or an error declaration makes the inventory stale; instead of replaying
//! the whole log, the app replays only the objects that can have changed
//! (`lotrace_core::inventory::ReplaySet` says which and why), with the events naming them
//! found through the store's identifier index, level by level as the set grows. Past the
//! set's limits, and only then, it rebuilds from the whole log. Both give the same state.

use std::collections::HashSet;

use lotrace_core::inventory::{Inventory, ReplaySet, objects_named};
use lotrace_epcis::Event;
use lotrace_store::StoredEvent;
use serde::Serialize;

use crate::{App, Result, Views};

/// What keeping the inventory in step has cost since the app opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReplayStats {
    /// Partial replays, and the events they read in all.
    pub partial: u64,
    pub partial_events: u64,
    /// Events the last partial replay read.
    pub last_partial_events: u64,
    /// Rebuilds from the whole log (a partial replay past its limits).
    pub whole: u64,
}

/// The events of a partial replay, in the order a rebuild applies them, and its members.
pub(crate) struct Replay {
    set: ReplaySet,
    events: Vec<Event>,
}

impl Replay {
    pub(crate) fn apply(&self, inventory: &mut Inventory) {
        inventory.replay(&self.set, &self.events);
    }

    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }
}

impl App {
    /// Repairs a stale inventory, in part when the replay stays within its limits.
    pub(crate) async fn repair_inventory(&self, views: &mut Views) -> Result<()> {
        match self
            .replay_of(&views.inventory, views.last_seq, &[])
            .await?
        {
            Some(replay) => {
                replay.apply(&mut views.inventory);
                let n = replay.len() as u64;
                views.replays.partial += 1;
                views.replays.partial_events += n;
                views.replays.last_partial_events = n;
                tracing::debug!(events = n, "inventory replayed in part");
            }
            None => {
                self.rebuild_inventory(views).await?;
                views.replays.whole += 1;
                tracing::info!("inventory rebuilt from the whole log");
            }
        }
        Ok(())
    }

    /// What the views' inventory repairs have cost so far.
    pub async fn replay_stats(&self) -> ReplayStats {
        self.views.lock().await.replays
    }

    /// The partial replay of stale `inventory`: its members, and every event naming one,
    /// from the log up to position `up_to` (what the inventory has seen; an event past it
    /// is applied by the next catch-up, and must not be applied twice) and from `planned`
    /// (an import's events, not stored yet, after the log's at equal times, in their order).
    /// `None` past the limits.
    pub(crate) async fn replay_of(
        &self,
        inventory: &Inventory,
        up_to: i64,
        planned: &[Event],
    ) -> Result<Option<Replay>> {
        let Some(mut set) = inventory.partial_replay(self.config.replay_limits) else {
            return Ok(None);
        };
        let limit = set.limits().events;
        self.add_retracted(&mut set, up_to, planned).await?;
        let mut held: HashSet<i64> = HashSet::new();
        let mut stored: Vec<StoredEvent> = Vec::new();
        let mut taken = vec![false; planned.len()];
        let mut from_planned = Vec::new();
        // One more than the limit, to tell "exactly the limit" from "more".
        let ask = u32::try_from(limit.saturating_add(1)).unwrap_or(u32::MAX);
        while let Some(identifiers) = set.next_identifiers() {
            if set.is_over_limit() {
                return Ok(None);
            }
            let seqs = self.store.positions_naming(&identifiers, ask).await?;
            if seqs.len() > limit {
                return Ok(None);
            }
            let fresh: Vec<i64> = seqs
                .into_iter()
                .filter(|&s| s <= up_to && held.insert(s))
                .collect();
            if held.len() + from_planned.len() > limit {
                return Ok(None);
            }
            let found = self.store.events_at(&fresh).await?;
            for s in &found {
                set.found(inventory, &s.event);
            }
            stored.extend(found);
            for at in planned_naming(planned, &identifiers, &mut taken) {
                set.found(inventory, &planned[at]);
                from_planned.push(at);
            }
        }
        if set.is_over_limit() || held.len() + from_planned.len() > limit {
            return Ok(None);
        }
        // The order of the whole log's read: eventTime, then log position.
        stored.sort_by_key(|s| (s.event.event_time.instant.as_microsecond(), s.seq));
        let mut events: Vec<Event> = stored.into_iter().map(|s| s.event).collect();
        if !from_planned.is_empty() {
            from_planned.sort_unstable();
            events.extend(from_planned.into_iter().map(|at| planned[at].clone()));
            // Stable: equal times keep log order, then the import's row order.
            events.sort_by_key(|e| e.event_time.instant);
        }
        Ok(Some(Replay { set, events }))
    }

    /// Makes members of the objects of the events retracted since the inventory was last
    /// right: their declarations need not repeat them.
    async fn add_retracted(
        &self,
        set: &mut ReplaySet,
        up_to: i64,
        planned: &[Event],
    ) -> Result<()> {
        for id in set.retracted().to_vec() {
            for stored in self.store.events_by_id(&id).await? {
                if stored.seq <= up_to && stored.event.error_declaration.is_none() {
                    set.add_objects_of(&stored.event);
                }
            }
            for event in planned {
                if event.event_id.as_deref() == Some(&id) && event.error_declaration.is_none() {
                    set.add_objects_of(event);
                }
            }
        }
        Ok(())
    }
}

/// The planned events not `taken` yet that change an object among `identifiers`; marks them
/// taken. An import plans a few thousand events at most, so a scan per level is cheap.
fn planned_naming(planned: &[Event], identifiers: &[String], taken: &mut [bool]) -> Vec<usize> {
    if planned.is_empty() {
        return Vec::new();
    }
    let wanted: HashSet<&str> = identifiers.iter().map(String::as_str).collect();
    let mut found = Vec::new();
    for (at, event) in planned.iter().enumerate() {
        if !taken[at]
            && objects_named(event)
                .iter()
                .any(|id| wanted.contains(id.as_str()))
        {
            taken[at] = true;
            found.push(at);
        }
    }
    found
}
