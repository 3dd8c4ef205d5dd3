//! The PostgreSQL backend: a connection pool, bulk writes by `COPY`, one capture at a time
//! per schema (a transaction-scoped advisory lock), `LISTEN`/`NOTIFY` to wake followers.
//!
//! The identifier index differs from SQLite's table of (identifier, seq, role) rows: each
//! event row carries the 64-bit keys of what it names (`identifier_keys`) under a GIN
//! index. Measured at 10^6 events, a B-tree of text rows cost more than the events
//! themselves (random inserts into an index as large as the event table); GIN batches
//! its inserts and stores compressed posting lists.

use std::str::FromStr;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgListener, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Postgres, Transaction};
use tokio::sync::{Notify, OnceCell};

use crate::capture::Present;
use crate::master::{self, MasterRecord};
use crate::migrate::{self, LOCK_CLASS_CAPTURE};
use crate::pgcopy::CopyBinary;
use crate::rows::{self, EventRow};
use crate::{CaptureJob, Result, StoreCounts, StoreError, StoredEvent, sql, to_us};

/// Connections per store: captures queue on the capture lock, readers run beside them.
const CONNECTIONS: u32 = 8;
/// The channel a capture notifies on commit. One channel for every schema: a follower of
/// another schema wakes for nothing, re-reads its position and sleeps again.
const CHANNEL: &str = "lotrace_event";
/// Buffer reserved per event row for COPY; bodies of a few hundred bytes are typical.
const COPY_BYTES_PER_EVENT: usize = 1_024;

/// Events naming any of the keys in $1: one identifier in each of its possible roles.
///
/// The matches are found first, through the GIN index, and only then ordered (a
/// MATERIALIZED CTE): given `ORDER BY ... LIMIT` over `&&`, PostgreSQL 15 prefers to walk
/// the ordering index and test every row of the log, since it cannot estimate how few rows
/// an array overlap matches (measured at 10^5 events: 511 ms that way, 15 ms this way).
const EVENTS_NAMING: &str = "WITH hits AS MATERIALIZED \
     (SELECT seq, event_time_us FROM event WHERE identifier_keys && $1) \
     SELECT e.seq, e.capture_id, e.body, e.event_time_us FROM hits JOIN event e USING (seq) \
     ORDER BY hits.event_time_us, hits.seq LIMIT $2";
/// Identifiers (one key each) per `&&` lookup. PostgreSQL rechecks every row the GIN index
/// finds against the whole key array, comparing pair by pair, so one lookup of n keys costs
/// n times as much per row found: a partial replay asking for a thousand identifiers at once
/// spent seconds in that recheck at 10^5 events, when each identifier was 14 keys.
const IDENTIFIERS_PER_OVERLAP: usize = 32;
/// As `EVENTS_NAMING`, positions only, in log order.
const POSITIONS_NAMING: &str = "WITH hits AS MATERIALIZED \
     (SELECT seq FROM event WHERE identifier_keys && $1) \
     SELECT seq FROM hits ORDER BY seq LIMIT $2";
const EVENTS_AT: &str = "SELECT seq, capture_id, body FROM event WHERE seq = ANY($1)";
const DECLARATIONS_OF: &str =
    "SELECT seq, capture_id, body FROM event WHERE declaration AND event_id = ANY($1)";
const IDENTIFIER_COUNT: &str =
    "SELECT COALESCE(sum(cardinality(identifier_keys)), 0)::BIGINT FROM event";

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Wakes followers in this process; fed by NOTIFY from every process once listening.
    committed: Arc<Notify>,
    listening: Arc<OnceCell<()>>,
    /// Captures of this process queue here, holding no connection, before one takes a
    /// connection to wait for the schema's capture lock: otherwise waiting captures would
    /// hold every pooled connection, and reads (and the views catching up) would queue
    /// behind them for one.
    write_gate: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects, and brings the schema up to date. `shown` is the location without secrets,
    /// for error messages.
    pub async fn open(url: &str, shown: &str) -> Result<PgStore> {
        let bad = |reason: String| StoreError::BadLocation {
            location: shown.to_owned(),
            reason,
        };
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| bad(e.to_string()))?
            // Every statement of the store is a short indexed lookup or write, yet the planner
            // overestimates `= ANY($1)` and `&&` over large arrays and compiles them: at 10^6
            // events, JIT made the eventID lookups of a capture of stored events 50% slower.
            .options([("jit", "off")]);
        migrate::run_postgres(&options).await.map_err(|e| match e {
            StoreError::Database(e @ (sqlx::Error::Io(_) | sqlx::Error::Tls(_))) => {
                bad(format!("cannot connect: {e}"))
            }
            other => other,
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .connect_with(options)
            .await?;
        Ok(PgStore {
            pool,
            committed: Arc::new(Notify::new()),
            listening: Arc::new(OnceCell::new()),
            write_gate: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn begin_write(&self) -> Result<PgWriter> {
        let gate = self.write_gate.clone().lock_owned().await;
        let mut tx = self.pool.begin().await?;
        // Held to commit: captures of one schema run one at a time, so log positions are
        // assigned and become visible in the same order.
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))")
            .bind(LOCK_CLASS_CAPTURE)
            .execute(&mut *tx)
            .await?;
        Ok(PgWriter {
            tx,
            pool: self.pool.clone(),
            _gate: gate,
        })
    }

    /// The notifier followers wait on; starts listening for other processes' captures the
    /// first time (LISTEN is in place before this returns, so no commit after it is missed).
    pub(crate) async fn committed(&self) -> Result<&Notify> {
        self.listening
            .get_or_try_init(|| async {
                let mut listener = PgListener::connect_with(&self.pool).await?;
                listener.listen(CHANNEL).await?;
                let committed = self.committed.clone();
                // Ends when the pool closes (recv fails); followers then fall back to polling.
                tokio::spawn(async move {
                    while listener.recv().await.is_ok() {
                        committed.notify_waiters();
                    }
                });
                Ok::<(), StoreError>(())
            })
            .await?;
        Ok(&self.committed)
    }

    pub async fn capture_job(&self, id: &str) -> Result<Option<CaptureJob>> {
        let row = sqlx::query(sql::JOB_BY_ID)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::capture_job).transpose()
    }

    pub async fn capture_jobs(&self, limit: u32) -> Result<Vec<CaptureJob>> {
        let rows = sqlx::query(sql::LATEST_JOBS)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rows::capture_job).collect()
    }

    pub async fn events_by_id(&self, event_id: &str) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(sql::EVENTS_BY_ID)
            .bind(event_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rows::stored_event).collect()
    }

    pub async fn events_naming(&self, identifier: &str, limit: u32) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(EVENTS_NAMING)
            .bind(vec![identifier_key(identifier)])
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in &rows {
            let stored = rows::stored_event(row)?;
            // A key is a hash: keep only events that really name the identifier.
            if stored
                .event
                .identifiers()
                .iter()
                .any(|r| r.id == identifier)
            {
                found.push(stored);
            }
        }
        Ok(found)
    }

    pub async fn positions_naming(&self, identifiers: &[String], limit: u32) -> Result<Vec<i64>> {
        let mut seqs: Vec<i64> = Vec::new();
        for chunk in identifiers.chunks(IDENTIFIERS_PER_OVERLAP) {
            let keys: Vec<i64> = chunk.iter().map(|id| identifier_key(id)).collect();
            let found: Vec<i64> = sqlx::query_scalar(POSITIONS_NAMING)
                .bind(keys)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
            seqs.extend(found);
        }
        // Each lookup gave its lowest `limit`; so the union's lowest `limit` are among them.
        seqs.sort_unstable();
        seqs.dedup();
        seqs.truncate(limit as usize);
        Ok(seqs)
    }

    pub async fn events_at(&self, seqs: &[i64]) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(EVENTS_AT)
            .bind(seqs)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rows::stored_event).collect()
    }

    pub async fn declarations_of(&self, event_ids: &[String]) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(DECLARATIONS_OF)
            .bind(event_ids)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rows::stored_event).collect()
    }

    pub async fn events_after(&self, seq: i64, limit: u32) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(sql::EVENTS_AFTER)
            .bind(seq)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rows::stored_event).collect()
    }

    pub async fn document(&self, sha256: &str) -> Result<Option<crate::Document>> {
        let row = sqlx::query(crate::documents::BY_HASH)
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(crate::documents::from_row).transpose()
    }

    pub(crate) async fn recall_entries(
        &self,
        recall_id: &str,
        limit: u32,
    ) -> Result<Vec<crate::RecallEntry>> {
        let rows = sqlx::query(crate::journal::OF_ONE)
            .bind(recall_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(crate::journal::from_row).collect()
    }

    pub(crate) async fn recall_entries_after(
        &self,
        after: (&str, u32),
        id_like: &str,
        limit: u32,
    ) -> Result<Vec<crate::RecallEntry>> {
        let rows = sqlx::query(crate::journal::AFTER)
            .bind(after.0)
            .bind(i64::from(after.1))
            .bind(id_like)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(crate::journal::from_row).collect()
    }

    pub(crate) async fn documents_after(
        &self,
        sha256: &str,
        limit: u32,
    ) -> Result<Vec<crate::Document>> {
        let rows = sqlx::query(crate::documents::AFTER)
            .bind(sha256)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(crate::documents::from_row).collect()
    }

    pub async fn events_matching(&self, filter: &crate::EventFilter) -> Result<Vec<StoredEvent>> {
        let (text, params) = sql::events_matching(filter);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(text));
        for param in params {
            query = match param {
                sql::Param::Int(v) => query.bind(v),
                sql::Param::Text(v) => query.bind(v),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(rows::stored_event).collect()
    }

    pub(crate) async fn events_by_time_after(
        &self,
        after: (i64, i64),
        limit: u32,
    ) -> Result<Vec<(i64, StoredEvent)>> {
        let rows = sqlx::query(sql::EVENTS_BY_TIME_AFTER)
            .bind(after.0)
            .bind(after.1)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    rows::Columns::int(row, "event_time_us")?.unwrap_or_default(),
                    rows::stored_event(row)?,
                ))
            })
            .collect()
    }

    pub async fn event_count(&self) -> Result<u64> {
        let count: i64 = sqlx::query_scalar(sql::EVENT_COUNT)
            .fetch_one(&self.pool)
            .await?;
        Ok(count as u64)
    }

    pub async fn max_seq(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(sql::MAX_SEQ)
            .fetch_one(&self.pool)
            .await?)
    }

    pub(crate) async fn counts(&self) -> Result<StoreCounts> {
        counts(&mut *self.pool.acquire().await?).await
    }

    pub(crate) async fn jobs_after(&self, id: &str, limit: u32) -> Result<Vec<CaptureJob>> {
        let rows = sqlx::query(sql::JOBS_AFTER)
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rows::capture_job).collect()
    }

    pub async fn master_records(&self, kind: &str) -> Result<Vec<MasterRecord>> {
        let rows = sqlx::query(master::MASTER_RECORDS)
            .bind(kind)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(master::record).collect()
    }

    pub async fn master_record(&self, kind: &str, code: &str) -> Result<Option<MasterRecord>> {
        let row = sqlx::query(master::MASTER_RECORD)
            .bind(kind)
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(master::record).transpose()
    }

    pub async fn counter_value(&self, name: &str) -> Result<u64> {
        let value: Option<i64> = sqlx::query_scalar(master::COUNTER)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(value.unwrap_or(0) as u64)
    }

    pub(crate) async fn master_history_after(
        &self,
        after: (&str, &str, u64),
        limit: u32,
    ) -> Result<Vec<MasterRecord>> {
        let rows = sqlx::query(master::HISTORY_AFTER)
            .bind(after.0)
            .bind(after.1)
            .bind(after.2 as i64)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(master::record).collect()
    }

    pub(crate) async fn counters(&self) -> Result<Vec<(String, u64)>> {
        let rows = sqlx::query(master::COUNTERS).fetch_all(&self.pool).await?;
        rows.iter().map(master::counter).collect()
    }

    /// Whole rows with their chain hash and capture source, by position (copy, verify).
    pub(crate) async fn chain_rows_after(
        &self,
        seq: i64,
        limit: u32,
    ) -> Result<Vec<crate::chain::ChainRow>> {
        let rows = sqlx::query(crate::chain::CHAIN_ROWS_AFTER)
            .bind(seq)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(crate::chain::chain_row).collect()
    }
}

/// The 64-bit key under which an event is indexed for naming `identifier`, in whatever
/// role: the first 8 bytes, big-endian, of SHA-256 of the identifier's bytes. Stored in
/// `event.identifier_keys`, once for each role the event names it in (so that the array
/// has one key per identifier row of SQLite's index); migration 11 rekeyed the events
/// stored before (`rekey`). Never change it without another migration.
///
/// No role in the key: a lookup of one identifier asks for one key rather than one per
/// role (14), and callers that care about the role check it in the event, as they check
/// every match for a colliding key.
pub(crate) fn identifier_key(identifier: &str) -> i64 {
    let digest = Sha256::digest(identifier.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Events rekeyed per statement by `rekey`.
const REKEY_BATCH_ROWS: i64 = 2_000;

/// Recomputes `identifier_keys` of every stored event from its body (migration 11, in its
/// transaction): the keys before it hashed the role with the identifier.
pub(crate) async fn rekey(conn: &mut PgConnection) -> Result<u64> {
    let mut after = 0i64;
    let mut done = 0u64;
    loop {
        let batch: Vec<(i64, String)> =
            sqlx::query_as("SELECT seq, body FROM event WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(after)
                .bind(REKEY_BATCH_ROWS)
                .fetch_all(&mut *conn)
                .await?;
        let Some((last, _)) = batch.last() else {
            return Ok(done);
        };
        after = *last;
        let mut seqs = Vec::with_capacity(batch.len());
        let mut keys = Vec::with_capacity(batch.len());
        for (seq, body) in &batch {
            let event = crate::chain::parse_body(body)
                .map_err(|reason| StoreError::Corrupt { seq: *seq, reason })?;
            let row_keys: Vec<String> = event
                .identifiers()
                .iter()
                .map(|r| identifier_key(&r.id).to_string())
                .collect();
            seqs.push(*seq);
            keys.push(format!("{{{}}}", row_keys.join(",")));
        }
        sqlx::query(
            "UPDATE event SET identifier_keys = v.k::BIGINT[] \
             FROM unnest($1::BIGINT[], $2::TEXT[]) AS v(seq, k) WHERE event.seq = v.seq",
        )
        .bind(&seqs)
        .bind(&keys)
        .execute(&mut *conn)
        .await?;
        done += batch.len() as u64;
    }
}

async fn counts(conn: &mut PgConnection) -> Result<StoreCounts> {
    let events: i64 = sqlx::query_scalar(sql::EVENT_COUNT)
        .fetch_one(&mut *conn)
        .await?;
    let identifiers: i64 = sqlx::query_scalar(IDENTIFIER_COUNT)
        .fetch_one(&mut *conn)
        .await?;
    let capture_jobs: i64 = sqlx::query_scalar(sql::JOB_COUNT)
        .fetch_one(&mut *conn)
        .await?;
    let max_seq: i64 = sqlx::query_scalar(sql::MAX_SEQ)
        .fetch_one(&mut *conn)
        .await?;
    let mut more = [0i64; sql::MASTER_COUNTS.len()];
    for (count, statement) in more.iter_mut().zip(sql::MASTER_COUNTS) {
        *count = sqlx::query_scalar(statement).fetch_one(&mut *conn).await?;
    }
    Ok(StoreCounts {
        events: events as u64,
        identifiers: identifiers as u64,
        capture_jobs: capture_jobs as u64,
        max_seq,
        master_records: more[0] as u64,
        master_versions: more[1] as u64,
        counters: more[2] as u64,
        documents: more[3] as u64,
        recall_entries: more[4] as u64,
        named_queries: more[5] as u64,
        subscriptions: more[6] as u64,
        capture_reports: more[7] as u64,
        users: more[8] as u64,
        api_tokens: more[9] as u64,
        sessions: more[10] as u64,
        audit_entries: more[11] as u64,
        bom_versions: more[12] as u64,
        production_orders: more[13] as u64,
    })
}

/// Event rows streamed into one `COPY ... FROM STDIN (FORMAT binary)`: opened at the first
/// row sent (a capture of events all present sends none), ended by `finish`.
pub(crate) enum PgEventCopy<'w> {
    Idle(&'w mut PgConnection),
    Open(sqlx::postgres::PgCopyIn<&'w mut PgConnection>),
    /// Between the two, or after a failed open: nothing more can be sent.
    Broken,
}

impl PgEventCopy<'_> {
    pub async fn send(&mut self, rows: Vec<EventRow<'_>>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut data = CopyBinary::with_capacity(rows.len() * COPY_BYTES_PER_EVENT);
        for row in &rows {
            data.event(row);
        }
        drop(rows);
        if let PgEventCopy::Idle(_) = self {
            let PgEventCopy::Idle(conn) = std::mem::replace(self, PgEventCopy::Broken) else {
                unreachable!("matched just above")
            };
            let statement = format!(
                "COPY event ({}, identifier_keys, chain_hash) FROM STDIN (FORMAT binary)",
                sql::EVENT_COLUMNS
            );
            let mut copy = conn.copy_in_raw(&statement).await?;
            copy.send(crate::pgcopy::HEADER).await?;
            *self = PgEventCopy::Open(copy);
        }
        match self {
            PgEventCopy::Open(copy) => {
                copy.send(data.into_bytes()).await?;
                Ok(())
            }
            _ => Err(StoreError::Database(sqlx::Error::Protocol(
                "rows sent after the COPY of events failed to start; the write is rolled back"
                    .into(),
            ))),
        }
    }

    /// Ends the COPY: the server has then stored every row sent.
    pub async fn finish(self) -> Result<()> {
        if let PgEventCopy::Open(mut copy) = self {
            copy.send(crate::pgcopy::TRAILER.as_slice()).await?;
            copy.finish().await?;
        }
        Ok(())
    }

    /// Abandons the COPY, leaving the connection usable for the rollback that follows.
    pub async fn abort(self, reason: &StoreError) {
        if let PgEventCopy::Open(copy) = self {
            let _ = copy.abort(reason.to_string()).await;
        }
    }
}

/// A write transaction holding the schema's capture lock.
pub(crate) struct PgWriter {
    pub(crate) tx: Transaction<'static, Postgres>,
    /// For reads beside the transaction (`Committed`).
    pub(crate) pool: PgPool,
    /// This process's turn to write, given back on commit or drop.
    _gate: tokio::sync::OwnedMutexGuard<()>,
}

impl PgWriter {
    /// Events per round trip: COPY has no parameter limit, and the eventID lookup binds
    /// one array.
    pub const BATCH_EVENTS: usize = 5_000;

    pub async fn log_head(&mut self) -> Result<(i64, [u8; 32])> {
        let head: Option<(i64, Option<Vec<u8>>)> = sqlx::query_as(crate::chain::HEAD)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(crate::chain::head_from(head))
    }

    pub async fn insert_jobs(&mut self, jobs: &[CaptureJob]) -> Result<()> {
        // 11 parameters per job: 1000 jobs stay under PostgreSQL's 65535.
        for chunk in jobs.chunks(1_000) {
            let mut query = sqlx::query(AssertSqlSafe(sql::insert_jobs(chunk.len())));
            for job in chunk {
                query = query
                    .bind(job.id.as_str())
                    .bind(to_us(job.created_at))
                    .bind(job.finished_at.map(to_us))
                    .bind(job.running)
                    .bind(job.success)
                    .bind(job.capture_error_behaviour.as_str())
                    .bind(job.source.as_str())
                    .bind(job.events_read as i64)
                    .bind(job.events_stored as i64)
                    .bind(job.events_already_present as i64)
                    .bind(serde_json::Value::from(job.errors.clone()).to_string());
            }
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    pub async fn master_version(&mut self, kind: &str, code: &str) -> Result<Option<u64>> {
        let version: Option<i64> = sqlx::query_scalar(master::MASTER_VERSION)
            .bind(kind)
            .bind(code)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(version.map(|v| v as u64))
    }

    /// The record as its current version, and as one more version in the history.
    pub async fn recall_last_seq(&mut self, recall_id: &str) -> Result<u32> {
        let seq: Option<i64> = sqlx::query_scalar(crate::journal::LAST_SEQ)
            .bind(recall_id)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(seq.unwrap_or(0) as u32)
    }

    pub async fn insert_recall_entry(
        &mut self,
        entry: &crate::RecallEntry,
        body: &str,
    ) -> Result<()> {
        sqlx::query(crate::journal::INSERT)
            .bind(entry.recall_id.as_str())
            .bind(i64::from(entry.seq))
            .bind(entry.kind.as_str())
            .bind(to_us(entry.at))
            .bind(entry.actor.as_str())
            .bind(body)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn put_document(&mut self, document: &crate::Document) -> Result<()> {
        let meta = &document.meta;
        sqlx::query(crate::documents::INSERT)
            .bind(meta.sha256.as_str())
            .bind(meta.media_type.as_str())
            .bind(meta.file_name.as_str())
            .bind(meta.size_bytes as i64)
            .bind(document.body.as_slice())
            .bind(to_us(meta.created_at))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn write_master(&mut self, record: &MasterRecord) -> Result<()> {
        for statement in [master::UPSERT_MASTER, master::INSERT_HISTORY] {
            sqlx::query(statement)
                .bind(record.kind.as_str())
                .bind(record.code.as_str())
                .bind(record.version as i64)
                .bind(record.body.to_string())
                .bind(to_us(record.updated_at))
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    pub async fn counter_value(&mut self, name: &str) -> Result<u64> {
        let value: Option<i64> = sqlx::query_scalar(master::COUNTER)
            .bind(name)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(value.unwrap_or(0) as u64)
    }

    pub async fn set_counter(&mut self, name: &str, value: u64) -> Result<()> {
        sqlx::query(master::SET_COUNTER)
            .bind(name)
            .bind(value as i64)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn finish_job(&mut self, job: &CaptureJob) -> Result<()> {
        sqlx::query(sql::FINISH_JOB)
            .bind(job.events_stored as i64)
            .bind(job.events_already_present as i64)
            .bind(job.id.as_str())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// A COPY of event rows that stays open across batches, so that the server works
    /// without pause while the capture prepares the next batch.
    pub fn event_copy(&mut self) -> PgEventCopy<'_> {
        PgEventCopy::Idle(&mut self.tx)
    }

    pub async fn counts(&mut self) -> Result<StoreCounts> {
        counts(&mut self.tx).await
    }

    pub async fn commit(mut self, new_events: u64) -> Result<()> {
        if new_events > 0 {
            // Delivered at commit, and only if the commit succeeds.
            sqlx::query("SELECT pg_notify($1, '')")
                .bind(CHANNEL)
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}

/// Which of these eventIDs are committed, and as event or as error declaration.
pub(crate) async fn existing(conn: &mut PgConnection, event_ids: &[&str]) -> Result<Present> {
    // One array parameter rather than one parameter per eventID: PostgreSQL parses and
    // plans the statement once, whatever the batch size.
    let rows = sqlx::query("SELECT event_id, declaration FROM event WHERE event_id = ANY($1)")
        .bind(event_ids)
        .fetch_all(conn)
        .await?;
    let mut present = Present::default();
    for row in rows {
        let (id, declaration) = rows::event_key(&row)?;
        present.insert(id, declaration);
    }
    Ok(present)
}
