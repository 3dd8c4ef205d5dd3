//! Event queries for the EPCIS query interface: the part of a query that the indexes can
//! answer, as one keyset-paged SQL statement per backend.
//!
//! `EventQuery` is a pre-filter: every event it returns may match the caller's query, and
//! every event that matches is among those it returns. The caller checks each event
//! against the whole query in Rust (the EPCIS server does), which is what makes it safe for
//! PostgreSQL to find identifiers by hashed key and for SQLite to find patterns by prefix
//! range. Results come in (sort key, log position) order, ascending or descending, from a
//! cursor, at most `MAX_QUERY_BATCH` at a time.

use std::fmt::Write;

use lotrace_epcis::Role;
use sqlx::Row;

use crate::{Backend, Result, Store, StoredEvent, rows};

/// The most events one `query_events` call returns.
pub const MAX_QUERY_BATCH: u32 = 2_000;

/// What events are ordered by, and what the cursor holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    #[default]
    EventTime,
    RecordTime,
}

impl SortKey {
    fn column(self) -> &'static str {
        match self {
            SortKey::EventTime => "event_time_us",
            SortKey::RecordTime => "record_time_us",
        }
    }
}

/// Events naming one of `exact` (canonical identifiers) or an identifier starting with one
/// of `prefixes`, in one of `roles`. The roles narrow the answer on SQLite only: on
/// PostgreSQL the index keys name an identifier in any role, and the caller's filter checks
/// the role.
#[derive(Clone, Debug, Default)]
pub struct IdentifierCondition {
    pub roles: Vec<Role>,
    pub exact: Vec<String>,
    /// Canonical prefixes: an identifier matches when it equals the prefix or continues it
    /// (`prefix/...`). Only SQLite uses them; PostgreSQL, whose index holds hashed keys,
    /// leaves a condition with prefixes to the caller's filter.
    pub prefixes: Vec<String>,
}

/// The indexed conditions of a query: every event they match is returned, and on PostgreSQL
/// perhaps more (see `IdentifierCondition`), which the caller's filter removes.
#[derive(Clone, Debug, Default)]
pub struct EventQuery {
    pub event_types: Option<Vec<String>>,
    /// Business steps as stored: the bare CBV word for CBV steps, otherwise the URI.
    pub biz_steps: Option<Vec<String>>,
    pub actions: Option<Vec<String>>,
    pub event_ids: Option<Vec<String>>,
    /// `[from, until)` on eventTime, microseconds since the epoch.
    pub event_time: (Option<i64>, Option<i64>),
    /// `[from, until)` on recordTime, microseconds since the epoch.
    pub record_time: (Option<i64>, Option<i64>),
    pub identifiers: Vec<IdentifierCondition>,
    pub order: SortKey,
    pub descending: bool,
    /// Continue after this (sort key, seq), exclusive, in the query's direction.
    pub after: Option<(i64, i64)>,
    /// At most this many (capped at `MAX_QUERY_BATCH`).
    pub limit: u32,
}

/// An event with the value of its sort key, for the cursor.
#[derive(Clone, Debug)]
pub struct QueryRow {
    pub key: i64,
    pub stored: StoredEvent,
}

enum Param {
    Int(i64),
    Text(String),
    Keys(Vec<i64>),
}

#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    Sqlite,
    Postgres,
}

/// The SQL text and parameters of `query` for `dialect`.
fn build(query: &EventQuery, dialect: Dialect) -> (String, Vec<Param>) {
    let key = query.order.column();
    let mut sql = format!("SELECT seq, capture_id, body, {key} AS sort_key FROM event WHERE TRUE");
    let mut params: Vec<Param> = Vec::new();
    let push = |params: &mut Vec<Param>, p: Param| {
        params.push(p);
        params.len()
    };
    let text_in = |sql: &mut String, params: &mut Vec<Param>, column: &str, values: &[String]| {
        if values.is_empty() {
            sql.push_str(" AND FALSE");
            return;
        }
        let _ = write!(sql, " AND {column} IN (");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let n = push(params, Param::Text(v.clone()));
            let _ = write!(sql, "${n}");
        }
        sql.push(')');
    };
    if let Some(v) = &query.event_types {
        text_in(&mut sql, &mut params, "event_type", v);
    }
    if let Some(v) = &query.biz_steps {
        text_in(&mut sql, &mut params, "biz_step", v);
    }
    if let Some(v) = &query.actions {
        text_in(&mut sql, &mut params, "action", v);
    }
    if let Some(v) = &query.event_ids {
        text_in(&mut sql, &mut params, "event_id", v);
    }
    let range =
        |sql: &mut String, params: &mut Vec<Param>, column: &str, r: (Option<i64>, Option<i64>)| {
            if let Some(from) = r.0 {
                let n = push(params, Param::Int(from));
                let _ = write!(sql, " AND {column} >= ${n}");
            }
            if let Some(until) = r.1 {
                let n = push(params, Param::Int(until));
                let _ = write!(sql, " AND {column} < ${n}");
            }
        };
    range(&mut sql, &mut params, "event_time_us", query.event_time);
    range(&mut sql, &mut params, "record_time_us", query.record_time);
    for condition in &query.identifiers {
        identifier_condition(&mut sql, &mut params, condition, dialect);
    }
    if let Some((k, s)) = query.after {
        let op = if query.descending { "<" } else { ">" };
        let a = push(&mut params, Param::Int(k));
        let b = push(&mut params, Param::Int(s));
        let _ = write!(sql, " AND ({key}, seq) {op} (${a}, ${b})");
    }
    let dir = if query.descending { "DESC" } else { "ASC" };
    let n = push(
        &mut params,
        Param::Int(i64::from(query.limit.min(MAX_QUERY_BATCH))),
    );
    let _ = write!(sql, " ORDER BY {key} {dir}, seq {dir} LIMIT ${n}");
    (sql, params)
}

fn identifier_condition(
    sql: &mut String,
    params: &mut Vec<Param>,
    condition: &IdentifierCondition,
    dialect: Dialect,
) {
    if condition.roles.is_empty() || (condition.exact.is_empty() && condition.prefixes.is_empty()) {
        sql.push_str(" AND FALSE");
        return;
    }
    match dialect {
        Dialect::Sqlite => {
            let roles: Vec<String> = condition
                .roles
                .iter()
                .map(|r| r.code().to_string())
                .collect();
            let _ = write!(
                sql,
                " AND seq IN (SELECT seq FROM event_identifier WHERE role IN ({}) AND (FALSE",
                roles.join(", ")
            );
            for id in &condition.exact {
                params.push(Param::Text(id.clone()));
                let _ = write!(sql, " OR identifier = ${}", params.len());
            }
            for prefix in &condition.prefixes {
                // [prefix, prefix + '0'): the prefix itself and everything after a '/'
                // (0x2F, just below '0'), plus some neighbours the caller filters out.
                params.push(Param::Text(prefix.clone()));
                let a = params.len();
                params.push(Param::Text(format!("{prefix}0")));
                let b = params.len();
                let _ = write!(sql, " OR (identifier >= ${a} AND identifier < ${b})");
            }
            sql.push_str("))");
        }
        Dialect::Postgres => {
            if !condition.prefixes.is_empty() {
                // Hashed keys cannot answer a prefix: the caller's filter does.
                return;
            }
            // The keys name identifiers in any role: the caller's filter checks the role.
            let keys: Vec<i64> = condition
                .exact
                .iter()
                .map(|id| crate::postgres::identifier_key(id))
                .collect();
            params.push(Param::Keys(keys));
            let _ = write!(sql, " AND identifier_keys && ${}", params.len());
        }
    }
}

pub(crate) async fn query_events(store: &Store, query: &EventQuery) -> Result<Vec<QueryRow>> {
    match &store.backend {
        Backend::Sqlite(b) => {
            let (text, params) = build(query, Dialect::Sqlite);
            let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
            for p in params {
                q = match p {
                    Param::Int(v) => q.bind(v),
                    Param::Text(v) => q.bind(v),
                    Param::Keys(_) => unreachable!("keys are PostgreSQL's"),
                };
            }
            let rows = q.fetch_all(b.reader_pool()).await?;
            rows.iter()
                .map(|row| {
                    Ok(QueryRow {
                        key: row.try_get("sort_key")?,
                        stored: rows::stored_event(row)?,
                    })
                })
                .collect()
        }
        Backend::Postgres(b) => {
            let (text, params) = build(query, Dialect::Postgres);
            let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
            for p in params {
                q = match p {
                    Param::Int(v) => q.bind(v),
                    Param::Text(v) => q.bind(v),
                    Param::Keys(v) => q.bind(v),
                };
            }
            let rows = q.fetch_all(b.pool()).await?;
            rows.iter()
                .map(|row| {
                    Ok(QueryRow {
                        key: row.try_get("sort_key")?,
                        stored: rows::stored_event(row)?,
                    })
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_text_numbers_parameters_in_order() {
        let query = EventQuery {
            event_types: Some(vec!["ObjectEvent".into()]),
            event_time: (Some(1), None),
            identifiers: vec![IdentifierCondition {
                roles: vec![Role::Epc, Role::Child],
                exact: vec!["a".into()],
                prefixes: vec!["b".into()],
            }],
            after: Some((5, 6)),
            descending: true,
            limit: 10,
            ..EventQuery::default()
        };
        let (sql, params) = build(&query, Dialect::Sqlite);
        assert_eq!(params.len(), 8, "{sql}");
        assert!(sql.contains("event_type IN ($1)"), "{sql}");
        assert!(sql.contains("event_time_us >= $2"), "{sql}");
        assert!(sql.contains("role IN (0, 3)"), "{sql}");
        assert!(sql.contains("identifier = $3"), "{sql}");
        assert!(
            sql.contains("(identifier >= $4 AND identifier < $5)"),
            "{sql}"
        );
        assert!(sql.contains("(event_time_us, seq) < ($6, $7)"), "{sql}");
        assert!(
            sql.ends_with("ORDER BY event_time_us DESC, seq DESC LIMIT $8"),
            "{sql}"
        );
    }

    #[test]
    fn postgres_leaves_prefix_conditions_to_the_caller() {
        let query = EventQuery {
            identifiers: vec![IdentifierCondition {
                roles: vec![Role::Epc],
                exact: vec![],
                prefixes: vec!["b".into()],
            }],
            limit: 10,
            ..EventQuery::default()
        };
        let (sql, _) = build(&query, Dialect::Postgres);
        assert!(!sql.contains("identifier"), "{sql}");
    }
}
