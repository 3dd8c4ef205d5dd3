//! SQL text that both backends run unchanged. `$n` placeholders work on SQLite and
//! PostgreSQL alike; `TRUE`/`FALSE` too (SQLite stores them as 1/0).
//!
//! What differs (DDL, bulk writes, locks) lives in the backend modules.

use std::fmt::Write;

/// The columns of `event`, in the order `EventRow` binds and decodes them.
pub const EVENT_COLUMNS: &str = "seq, event_id, declaration, event_type, event_time_us, \
     tz_offset_min, record_time_us, action, biz_step, capture_id, body";

/// The columns of `capture_job`, in the order `insert_jobs` binds them.
pub const JOB_COLUMNS: &str = "id, created_at_us, finished_at_us, running, success, \
     error_behaviour, source, events_read, events_stored, events_existing, errors_json";
pub const JOB_COLUMN_COUNT: usize = 11;

pub const MAX_SEQ: &str = "SELECT COALESCE(MAX(seq), 0) FROM event";

pub const FINISH_JOB: &str =
    "UPDATE capture_job SET events_stored = $1, events_existing = $2 WHERE id = $3";

pub const JOB_BY_ID: &str = "SELECT * FROM capture_job WHERE id = $1";
pub const LATEST_JOBS: &str =
    "SELECT * FROM capture_job ORDER BY created_at_us DESC, id DESC LIMIT $1";
pub const JOBS_AFTER: &str = "SELECT * FROM capture_job WHERE id > $1 ORDER BY id LIMIT $2";

pub const EVENTS_BY_ID: &str =
    "SELECT seq, capture_id, body FROM event WHERE event_id = $1 ORDER BY declaration";
pub const EVENTS_AFTER: &str =
    "SELECT seq, capture_id, body FROM event WHERE seq > $1 ORDER BY seq LIMIT $2";
pub const EVENT_COUNT: &str = "SELECT count(*) FROM event";

pub const JOB_COUNT: &str = "SELECT count(*) FROM capture_job";
/// Master records, all their versions, counters, documents, recall journal entries, named
/// queries, subscriptions, capture reports; users, API tokens, web sessions, audit entries;
/// BOM versions, production orders.
pub const MASTER_COUNTS: [&str; 14] = [
    "SELECT count(*) FROM master_record",
    "SELECT count(*) FROM master_history",
    "SELECT count(*) FROM counter",
    "SELECT count(*) FROM document",
    "SELECT count(*) FROM recall_entry",
    "SELECT count(*) FROM named_query",
    "SELECT count(*) FROM subscription",
    "SELECT count(*) FROM capture_report",
    "SELECT count(*) FROM app_user",
    "SELECT count(*) FROM api_token",
    "SELECT count(*) FROM web_session",
    "SELECT count(*) FROM audit_entry",
    "SELECT count(*) FROM bom_version",
    "SELECT count(*) FROM production_order",
];

/// Every event in eventTime order (log order among equal times), from a keyset cursor.
pub const EVENTS_BY_TIME_AFTER: &str = "SELECT seq, capture_id, body, event_time_us FROM event \
     WHERE (event_time_us, seq) > ($1, $2) ORDER BY event_time_us, seq LIMIT $3";

/// `SELECT event_id, declaration FROM event WHERE event_id IN ($1, ..., $n)`: which of a
/// batch of eventIDs are already stored.
pub fn existing_events(n: usize) -> String {
    let mut sql = String::with_capacity(64 + n * 7);
    sql.push_str("SELECT event_id, declaration FROM event WHERE event_id IN (");
    placeholders(&mut sql, 1, n);
    sql.push(')');
    sql
}

/// `INSERT INTO capture_job (...) VALUES (...), ...` for `n` jobs.
pub fn insert_jobs(n: usize) -> String {
    let mut sql = format!("INSERT INTO capture_job ({JOB_COLUMNS}) VALUES ");
    for row in 0..n {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        placeholders(&mut sql, row * JOB_COLUMN_COUNT + 1, JOB_COLUMN_COUNT);
        sql.push(')');
    }
    sql
}

/// `$first, $first+1, ...`, `count` of them.
fn placeholders(sql: &mut String, first: usize, count: usize) {
    for i in 0..count {
        if i > 0 {
            sql.push_str(", ");
        }
        let _ = write!(sql, "${}", first + i);
    }
}

/// A parameter of a query whose text depends on its filter.
pub enum Param {
    Int(i64),
    Text(String),
}

/// `events_matching`: the conditions that are set, in eventTime order (log order among
/// equal times), so that the type and business-step indexes serve it.
pub fn events_matching(filter: &crate::EventFilter) -> (String, Vec<Param>) {
    let mut sql = String::from("SELECT seq, capture_id, body FROM event WHERE TRUE");
    let mut params = Vec::new();
    let mut condition = |sql: &mut String, column: &str, op: &str, param: Param| {
        params.push(param);
        let _ = write!(sql, " AND {column} {op} ${}", params.len());
    };
    if let Some(t) = filter.event_type {
        condition(
            &mut sql,
            "event_type",
            "=",
            Param::Text(t.as_str().to_owned()),
        );
    }
    if let Some(step) = &filter.biz_step {
        let bare = lotrace_epcis::cbv::BUSINESS_STEPS
            .bare(step)
            .unwrap_or(step);
        condition(&mut sql, "biz_step", "=", Param::Text(bare.to_owned()));
    }
    if let Some(from) = filter.from {
        condition(
            &mut sql,
            "event_time_us",
            ">=",
            Param::Int(crate::to_us(from)),
        );
    }
    if let Some(until) = filter.until {
        condition(
            &mut sql,
            "event_time_us",
            "<",
            Param::Int(crate::to_us(until)),
        );
    }
    params.push(Param::Int(i64::from(
        filter.limit.min(crate::MAX_MATCHING_EVENTS),
    )));
    let _ = write!(sql, " ORDER BY event_time_us, seq LIMIT ${}", params.len());
    (sql, params)
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_from_one_across_rows() {
        assert_eq!(
            super::existing_events(2),
            "SELECT event_id, declaration FROM event WHERE event_id IN ($1, $2)"
        );
        let jobs = super::insert_jobs(2);
        assert!(
            jobs.contains("($1, $2,") && jobs.ends_with("$21, $22)"),
            "{jobs}"
        );
    }
}
