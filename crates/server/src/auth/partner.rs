//! Partner scoping: a token made for one party (`--partner FARM`) sees only the events that
//! name one of that party's identifiers as source or destination, business location or
//! read point. `visible` is the one test; the EPCIS query scan, the event-by-ID endpoint and
//! the trace answer call it, and every other route is closed to partner tokens by the
//! policy (`Rule::partner`).

use std::collections::HashSet;

use lotrace_epcis::{Event, Role};
use lotrace_trace::Trace;

/// The identifiers (canonical) that make an event visible to one partner.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartnerScope {
    /// The party code the token was made for.
    pub party: String,
    /// Exact identifiers: the party's PGLN, its location GLN (as SGLN), ...
    pub ids: HashSet<String>,
    /// Identifier prefixes: the party's sub-locations (`…/414/{gln}/254/`).
    pub prefixes: Vec<String>,
}

/// The roles in which a partner's identifier makes an event visible.
const ROLES: [Role; 4] = [
    Role::Source,
    Role::Destination,
    Role::BizLocation,
    Role::ReadPoint,
];

impl PartnerScope {
    /// The scope of party `code` from the catalog (deactivated or not); a party the catalog
    /// does not know sees nothing.
    pub fn of_party(catalog: &lotrace_core::catalog::Catalog, code: &str) -> PartnerScope {
        let mut scope = PartnerScope {
            party: code.to_owned(),
            ..PartnerScope::default()
        };
        let Some(party) = catalog.parties.get(code) else {
            return scope;
        };
        scope.ids.insert(canonical(&party.uri()));
        scope.ids.insert(canonical(&party.location_uri()));
        for gln in [&party.gln, &party.location_gln].into_iter().flatten() {
            // The same GLN names the party and its sites; sub-locations extend it.
            scope.ids.insert(format!("https://id.gs1.org/414/{gln}"));
            scope.ids.insert(format!("https://id.gs1.org/417/{gln}"));
            scope
                .prefixes
                .push(format!("https://id.gs1.org/414/{gln}/254/"));
        }
        scope
    }

    /// Does the event name one of the partner's identifiers in a role that counts?
    pub fn allows(&self, event: &Event) -> bool {
        event.identifiers().iter().any(|id| {
            ROLES.contains(&id.role)
                && (self.ids.contains(&id.id)
                    || self.prefixes.iter().any(|p| id.id.starts_with(p.as_str())))
        })
    }
}

fn canonical(id: &str) -> String {
    lotrace_gs1::canonicalize(id)
        .map(|c| c.canonical)
        .unwrap_or_else(|_| id.to_owned())
}

/// Whether the request being served may see `event`: always, unless it came with a
/// partner token and the event does not name the partner.
pub fn visible(event: &Event) -> bool {
    super::current_partner().is_none_or(|scope| scope.allows(event))
}

/// Cuts a trace down to what the current request may see (unchanged without a partner
/// token): only the events it may see, and only what they say (edges, shipments, receipts,
/// holdings, creations, the lots and containers those name). None: it may see none of it.
pub async fn filter_trace(store: &lotrace_store::Store, trace: &mut Trace) -> Option<()> {
    let Some(scope) = super::current_partner() else {
        return Some(());
    };
    let mut seen = HashSet::new();
    for id in &trace.events {
        let Ok(stored) = store.events_by_id(id).await else {
            continue;
        };
        if stored.iter().any(|s| scope.allows(&s.event)) {
            seen.insert(id.clone());
        }
    }
    if seen.is_empty() {
        return None;
    }
    trace.events.retain(|e| seen.contains(e));
    trace.edges.retain(|e| seen.contains(&e.event));
    trace.shipped_to.retain(|m| seen.contains(&m.event));
    trace.received_from.retain(|m| seen.contains(&m.event));
    trace.holdings.retain(|h| seen.contains(&h.event));
    trace.created.retain(|c| seen.contains(&c.event));
    let mut named: HashSet<&str> = HashSet::new();
    named.insert(trace.origin.as_str());
    for e in &trace.edges {
        named.insert(&e.from);
        named.insert(&e.to);
    }
    for m in trace.shipped_to.iter().chain(&trace.received_from) {
        for item in &m.items {
            named.insert(&item.id);
        }
    }
    for h in &trace.holdings {
        named.insert(&h.id);
    }
    for c in &trace.created {
        named.insert(&c.id);
    }
    let named: HashSet<String> = named.into_iter().map(str::to_owned).collect();
    trace.lots.retain(|l| named.contains(l));
    trace.containers.retain(|c| named.contains(c));
    Some(())
}
