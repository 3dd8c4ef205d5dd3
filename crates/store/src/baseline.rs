//! A trace answered by one recursive SQL query over the event log and its identifier index:
//! the baseline `lotrace bench` measures the trace index against.
//!
//! It follows transformations only, as the trace index does: every input of a
//! TransformationEvent feeds every output, events sharing a transformationID are one
//! transformation, and events retracted by an error declaration take no part. It answers the
//! set of lots and instances reached (the index's `Trace::lots`), nothing else: no
//! containers, shipments or holdings, and not the index's rule that serialised instances
//! commissioned with an ILMD lot number are made from that lot.
//!
//! The identifier index (`event_identifier`) is keyed by identifier, which serves the step
//! "events naming this lot as an input"; the step back ("the outputs of this event") and the
//! transformationID grouping need two more indexes, which the store's own queries do not use.
//! `prepare` creates them (the benchmark does, after the import, so that the baseline is a
//! fair one); without them the query gives the same answer, slowly.

use std::sync::LazyLock;

use lotrace_epcis::Role;
use sqlx::AssertSqlSafe;

use crate::Result;
use crate::sqlite::SqliteStore;

/// The role codes (`event_identifier.role`) of a list of roles, for an `IN (...)`.
fn codes(roles: [Role; 2]) -> String {
    format!("{}, {}", roles[0].code(), roles[1].code())
}

/// The indexes the baseline query needs to be fast; idempotent. Not part of the schema
/// migrations: only the benchmark creates them (and runs ANALYZE, see `prepare_trace_baseline`).
const PREPARE: [&str; 2] = [
    "CREATE INDEX IF NOT EXISTS baseline_identifier_by_event \
     ON event_identifier (seq, role, identifier)",
    "CREATE INDEX IF NOT EXISTS baseline_event_by_transformation_id \
     ON event (json_extract(body, '$.transformationID')) \
     WHERE event_type = 'TransformationEvent' \
     AND json_extract(body, '$.transformationID') IS NOT NULL",
];

/// The recursive query, `$1` the canonical origin. `from` are the roles a lot plays in the
/// events that take the trace further (inputs forward), `to` the roles of what they lead to.
/// The first recursive branch follows one event; the second the other events of its
/// transformationID. `UNION` (not `UNION ALL`) keeps every id once, so cycles end.
/// The terms on `g` repeat the partial index's `WHERE` so that SQLite may use it, and
/// `+declaration` keeps the planner from building an automatic index on
/// (declaration, event_type) for every execution instead.
fn trace_sql(from: &str, to: &str) -> String {
    let live = |alias: &str| {
        format!(
            "+{alias}.declaration = 0 AND NOT EXISTS (SELECT 1 FROM event d \
             WHERE d.event_id = {alias}.event_id AND d.declaration = 1)"
        )
    };
    format!(
        "WITH RECURSIVE reach(id) AS ( \
             SELECT $1 \
             UNION \
             SELECT o.identifier FROM reach r \
             JOIN event_identifier i ON i.identifier = r.id AND i.role IN ({from}) \
             JOIN event e ON e.seq = i.seq \
             JOIN event_identifier o ON o.seq = e.seq AND o.role IN ({to}) \
             WHERE {live_e} \
             UNION \
             SELECT o.identifier FROM reach r \
             JOIN event_identifier i ON i.identifier = r.id AND i.role IN ({from}) \
             JOIN event e ON e.seq = i.seq \
             JOIN event g ON g.event_type = 'TransformationEvent' \
                 AND json_extract(g.body, '$.transformationID') IS NOT NULL \
                 AND json_extract(g.body, '$.transformationID') \
                     = json_extract(e.body, '$.transformationID') \
                 AND g.seq <> e.seq \
             JOIN event_identifier o ON o.seq = g.seq AND o.role IN ({to}) \
             WHERE e.event_type = 'TransformationEvent' AND {live_e} AND {live_g} \
         ) \
         SELECT id FROM reach WHERE id <> $1 ORDER BY id",
        live_e = live("e"),
        live_g = live("g"),
    )
}

const INPUTS: [Role; 2] = [Role::Input, Role::InputClass];
const OUTPUTS: [Role; 2] = [Role::Output, Role::OutputClass];
static FORWARD: LazyLock<String> = LazyLock::new(|| trace_sql(&codes(INPUTS), &codes(OUTPUTS)));
static BACKWARD: LazyLock<String> = LazyLock::new(|| trace_sql(&codes(OUTPUTS), &codes(INPUTS)));

impl SqliteStore {
    pub(crate) async fn prepare_trace_baseline(&self) -> Result<()> {
        for statement in PREPARE {
            sqlx::query(statement).execute(self.writer_pool()).await?;
        }
        // Without statistics SQLite 3.51 preferred building an automatic index for every
        // execution over the transformationID index (a trace took 0.9 s instead of 0.7 ms at
        // 10^5 events). A sampled ANALYZE gives it the selectivity of the indexes.
        sqlx::raw_sql("PRAGMA analysis_limit = 1000; ANALYZE;")
            .execute(self.writer_pool())
            .await?;
        Ok(())
    }

    pub(crate) async fn trace_baseline_sql(
        &self,
        canonical: &str,
        forward: bool,
    ) -> Result<Vec<String>> {
        let sql: &'static str = if forward {
            FORWARD.as_str()
        } else {
            BACKWARD.as_str()
        };
        Ok(sqlx::query_scalar::<_, String>(AssertSqlSafe(sql))
            .bind(canonical)
            .fetch_all(self.reader_pool())
            .await?)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn directions_swap_the_roles() {
        let forward = super::FORWARD.as_str();
        assert!(forward.contains("i.role IN (5, 6)") && forward.contains("o.role IN (7, 8)"));
        let backward = super::BACKWARD.as_str();
        assert!(backward.contains("i.role IN (7, 8)") && backward.contains("o.role IN (5, 6)"));
    }
}
