//! Running a `Query` against the store: the indexed conditions go to
//! `Store::query_events` (by type, business step, action, eventID, times, identifiers by
//! role), everything is checked again in Rust (`matcher`), and pages follow a keyset cursor
//! carried in `nextPageToken`.
//!
//! Limits: a page holds at most `MAX_PER_PAGE` events, and one request reads at most
//! `MAX_SCANNED` candidate events; a page cut short by the scan limit still carries a token
//! to continue from where the scan stopped.

use lotrace_epcis::Role;
use lotrace_store::{EventQuery, IdentifierCondition, SortKey, Store, StoredEvent};
use sha2::{Digest, Sha256};

use super::matcher;
use super::params::{OrderBy, Query, RawParams};
use crate::problem::Problem;

pub const DEFAULT_PER_PAGE: u32 = 30;
pub const MAX_PER_PAGE: u32 = 1_000;
/// Candidate events one request reads at most.
pub const MAX_SCANNED: u64 = 100_000;
const BATCH: u32 = 500;

pub struct Page {
    pub events: Vec<StoredEvent>,
    pub next_page_token: Option<String>,
}

/// Where a query stands: after (sort key, seq), having returned `emitted` events so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cursor {
    key: i64,
    seq: i64,
    emitted: u64,
}

/// A short digest of the parameters other than paging: a token is only good for the query
/// that made it.
pub fn fingerprint(raw: &RawParams) -> String {
    let mut pairs: Vec<String> = raw
        .iter()
        .filter(|(n, _)| n != "perPage" && n != "nextPageToken")
        .map(|(n, v)| format!("{n}={}", v.join("|")))
        .collect();
    pairs.sort();
    hex::encode(&Sha256::digest(pairs.join("&").as_bytes())[..8])
}

fn token(cursor: Cursor, fingerprint: &str) -> String {
    format!(
        "{}.{}.{}.{fingerprint}",
        cursor.key, cursor.seq, cursor.emitted
    )
}

fn parse_token(text: &str, fingerprint: &str) -> Result<Cursor, Problem> {
    let bad = |why: &str| {
        super::query_parameter("nextPageToken", format!("{text:?} is not usable: {why}"))
    };
    let parts: Vec<&str> = text.split('.').collect();
    let [key, seq, emitted, fp] = parts.as_slice() else {
        return Err(bad("not a token this server made"));
    };
    if *fp != fingerprint {
        return Err(bad(
            "it belongs to another query; send the same parameters as the first page",
        ));
    }
    let number = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| bad("not a token this server made"))
    };
    Ok(Cursor {
        key: number(key)?,
        seq: number(seq)?,
        emitted: u64::try_from(number(emitted)?).map_err(|_| bad("negative count"))?,
    })
}

/// The store-side pre-filter of `q`.
fn index_query(q: &Query) -> EventQuery {
    let us = |t: jiff::Timestamp| t.as_microsecond();
    // Stored times have microsecond precision: widen the bounds to whole microseconds; the
    // exact comparison happens in `matcher`.
    let range = |r: super::params::TimeRange| (r.ge.map(us), r.lt.map(|t| us(t) + 1));
    let mut identifiers = Vec::new();
    for (field, patterns) in &q.matches {
        let mut condition = IdentifierCondition {
            roles: field.roles().to_vec(),
            ..IdentifierCondition::default()
        };
        let mut indexable = true;
        for p in patterns {
            match p.index_prefix() {
                Some((id, true)) => condition.exact.push(id.to_owned()),
                Some((prefix, false)) => condition.prefixes.push(prefix.to_owned()),
                None => indexable = false,
            }
        }
        if indexable {
            identifiers.push(condition);
        }
    }
    let mut location = |eq: &Option<Vec<String>>, wd: &Option<Vec<String>>, role: Role| {
        if eq.is_none() && wd.is_none() {
            return;
        }
        identifiers.push(IdentifierCondition {
            roles: vec![role],
            exact: eq.clone().unwrap_or_default(),
            prefixes: wd.clone().unwrap_or_default(),
        });
    };
    location(&q.read_points, &q.wd_read_points, Role::ReadPoint);
    location(&q.biz_locations, &q.wd_biz_locations, Role::BizLocation);
    for (list, role) in [
        (&q.biz_transactions, Role::BizTransaction),
        (&q.sources, Role::Source),
        (&q.destinations, Role::Destination),
    ] {
        for typed in list {
            identifiers.push(IdentifierCondition {
                roles: vec![role],
                exact: typed.ids.clone(),
                prefixes: Vec::new(),
            });
        }
    }
    EventQuery {
        event_types: q.event_types.clone(),
        biz_steps: q.biz_steps.clone(),
        actions: q
            .actions
            .as_ref()
            .map(|a| a.iter().map(|a| a.as_str().to_owned()).collect()),
        event_ids: q.event_ids.clone(),
        event_time: range(q.event_time),
        record_time: range(q.record_time),
        identifiers,
        order: match q.order_by {
            Some(OrderBy::RecordTime) => SortKey::RecordTime,
            _ => SortKey::EventTime,
        },
        // Without orderBy the order is ours to choose: oldest first.
        descending: q.order_by.is_some() && q.descending,
        after: None,
        limit: BATCH,
    }
}

/// Reads candidates from `after`, calling `visit` for each matching event until it says
/// stop; returns the position of the last candidate read and whether the log ran out.
async fn scan(
    store: &Store,
    q: &Query,
    after: Option<(i64, i64)>,
    mut visit: impl FnMut((i64, i64), StoredEvent) -> bool,
) -> Result<ScanEnd, Problem> {
    let mut query = index_query(q);
    query.after = after;
    let mut scanned: u64 = 0;
    loop {
        let rows = store.query_events(&query).await?;
        let exhausted = (rows.len() as u32) < BATCH;
        for row in rows {
            scanned += 1;
            let position = (row.key, row.stored.seq);
            query.after = Some(position);
            let ids = row.stored.event.identifiers();
            if matcher::matches(q, &row.stored.event, &ids)
                && crate::auth::partner::visible(&row.stored.event)
                && !visit(position, row.stored)
            {
                return Ok(ScanEnd::Stopped);
            }
            if scanned >= MAX_SCANNED {
                return Ok(ScanEnd::Budget(position));
            }
        }
        if exhausted {
            return Ok(ScanEnd::Exhausted);
        }
    }
}

enum ScanEnd {
    Stopped,
    Exhausted,
    /// The scan limit was reached at this position.
    Budget((i64, i64)),
}

/// One page of `q`'s answer.
pub async fn run(
    store: &Store,
    q: &Query,
    fingerprint: &str,
    per_page_cap: u32,
) -> Result<Page, Problem> {
    let cursor = q
        .next_page_token
        .as_deref()
        .map(|t| parse_token(t, fingerprint))
        .transpose()?;
    let emitted = cursor.map_or(0, |c| c.emitted);
    if let (Some(max), None) = (q.max_event_count, cursor) {
        let mut count: u64 = 0;
        let end = scan(store, q, None, |_, _| {
            count += 1;
            count <= max
        })
        .await?;
        if count > max || matches!(end, ScanEnd::Budget(_)) {
            return Err(Problem::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "epcisException:QueryTooLargeException",
                format!(
                    "the query matches more than maxEventCount = {max} events; narrow it or \
                     raise maxEventCount"
                ),
            ));
        }
    }
    let per_page = q
        .per_page
        .unwrap_or(DEFAULT_PER_PAGE)
        .min(per_page_cap)
        .min(MAX_PER_PAGE);
    let limit = q.event_count_limit.or(q.max_event_count);
    let remaining = limit.map_or(u64::MAX, |l| l.saturating_sub(emitted));
    let want = u64::from(per_page).min(remaining) as usize;
    if want == 0 {
        return Ok(Page {
            events: Vec::new(),
            next_page_token: None,
        });
    }
    let mut events: Vec<StoredEvent> = Vec::with_capacity(want);
    let mut last_included = None;
    let mut more = false;
    let end = scan(
        store,
        q,
        cursor.map(|c| (c.key, c.seq)),
        |position, stored| {
            if events.len() == want {
                // One more match exists: there is a next page.
                more = true;
                return false;
            }
            events.push(stored);
            last_included = Some(position);
            true
        },
    )
    .await?;
    let total = emitted + events.len() as u64;
    let next_at = match end {
        ScanEnd::Stopped if more && total < limit.unwrap_or(u64::MAX) => last_included,
        ScanEnd::Budget(position) if total < limit.unwrap_or(u64::MAX) => Some(position),
        _ => None,
    };
    Ok(Page {
        events,
        next_page_token: next_at.map(|(key, seq)| {
            token(
                Cursor {
                    key,
                    seq,
                    emitted: total,
                },
                fingerprint,
            )
        }),
    })
}

/// Every page of `q`, up to `max` events in all (a hard limit for callers that do not page:
/// subscriptions, exports read page by page themselves).
pub async fn run_all(store: &Store, q: &Query, max: usize) -> Result<Vec<StoredEvent>, Problem> {
    let fp = "all";
    let mut q = q.clone();
    let mut out = Vec::new();
    loop {
        let page = run(store, &q, fp, MAX_PER_PAGE).await?;
        out.extend(page.events);
        if out.len() >= max {
            out.truncate(max);
            return Ok(out);
        }
        match page.next_page_token {
            Some(t) => q.next_page_token = Some(t),
            None => return Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_other_queries() {
        let c = Cursor {
            key: -5,
            seq: 7,
            emitted: 30,
        };
        let t = token(c, "abcd");
        assert_eq!(parse_token(&t, "abcd").unwrap(), c);
        assert!(parse_token(&t, "ffff").is_err());
        assert!(parse_token("garbage", "abcd").is_err());
    }
}
