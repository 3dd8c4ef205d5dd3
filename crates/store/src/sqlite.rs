//! The SQLite backend: one file, WAL, `synchronous=FULL`, one writer at a time.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Connection, Sqlite, Transaction};
use tokio::sync::{Notify, mpsc};

use crate::capture::Present;
use crate::master::{self, MasterRecord};
use crate::rows::{self, EventRow};
use crate::{
    BackupReport, CaptureJob, Result, StoreCounts, StoreError, StoredEvent, migrate, sql, to_us,
};

/// How long a writer waits for another writer's lock before giving up.
const BUSY_TIMEOUT_MS: u64 = 10_000;
/// Reader connections; SQLite in WAL mode lets readers run beside the one writer.
const READ_CONNECTIONS: u32 = 4;
/// Events naming an identifier, through the identifier table.
const EVENTS_NAMING: &str = "SELECT DISTINCT e.seq, e.capture_id, e.body, e.event_time_us \
     FROM event_identifier i JOIN event e ON e.seq = i.seq WHERE i.identifier = $1 \
     ORDER BY e.event_time_us, e.seq LIMIT $2";
/// Positions of the events naming any identifier of a JSON array (one parameter, any
/// length: json_each feeds the primary key's lookups).
const POSITIONS_NAMING: &str = "SELECT DISTINCT seq FROM event_identifier \
     WHERE identifier IN (SELECT value FROM json_each($1)) ORDER BY seq LIMIT $2";
const EVENTS_AT: &str = "SELECT seq, capture_id, body FROM event \
     WHERE seq IN (SELECT value FROM json_each($1))";
const DECLARATIONS_OF: &str = "SELECT seq, capture_id, body FROM event \
     WHERE declaration = 1 AND event_id IN (SELECT value FROM json_each($1))";
/// The writer's page cache, in KiB: the most it may hold. A capture of 10^6 events
/// touches over a GiB of pages; with less cache SQLite writes dirty pages out and reads them
/// back before the commit (a 256 MiB cache made such a capture ~12% slower).
const WRITER_CACHE_KIB: u32 = 1024 * 1024;
/// Captures larger than this give their cache back after the commit (`shrink_memory`), so a
/// server keeps a small footprint between bulk imports.
const SHRINK_AFTER_EVENTS: u64 = 50_000;
/// Identifier rows per INSERT statement (3 parameters each, well under SQLite's 32766).
const BATCH_IDENTIFIERS: usize = 2_000;
/// WAL pages (4 KiB each) past which the writer checkpoints at its own commit, as SQLite does
/// by default at 1,000. Normally the checkpointer (`checkpoint_after_commits`) has copied the
/// WAL into the database long before: this only bounds the WAL, at about 1 GiB, should it
/// fall behind or readers hold old snapshots.
const WRITER_CHECKPOINT_PAGES: u32 = 262_144;
/// How long the checkpointer waits after a commit before it copies the WAL, gathering the
/// commits that follow into one checkpoint.
const CHECKPOINT_AFTER_MS: u64 = 200;

#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// Exactly one connection: SQLite has one writer, and queuing here beats SQLITE_BUSY.
    writer: SqlitePool,
    readers: SqlitePool,
    /// Wakes followers in this process after a commit; other processes poll.
    committed: Arc<Notify>,
    /// Asks the checkpointer to copy what a commit appended to the WAL into the database.
    checkpoint_due: mpsc::Sender<()>,
    checkpointer: SqlitePool,
}

impl SqliteStore {
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_millis(BUSY_TIMEOUT_MS));
        let writer_options = options
            .clone()
            // A large capture touches many pages; with the default 2 MiB cache SQLite
            // spills dirty pages to the WAL before the commit and writes them twice.
            .pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
            // Temporary files (statement journals, large sorts) stay in memory.
            .pragma("temp_store", "memory")
            // Checkpoints run beside the writer, not in its commit (`checkpoint_after_commits`).
            .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES.to_string())
            // The store is the only writer and writes a job, its events and their index in
            // one transaction; per-row reference checks cost a tenth of a bulk capture.
            // The schema keeps its REFERENCES as documentation.
            .foreign_keys(false);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(writer_options)
            .await
            .map_err(|e| StoreError::BadLocation {
                location: path.display().to_string(),
                reason: e.to_string(),
            })?;
        migrate::run_sqlite(&writer).await?;
        let checkpointer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        let (checkpoint_due, due) = mpsc::channel(1);
        tokio::spawn(checkpoint_after_commits(checkpointer.clone(), due));
        let readers = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore {
            writer,
            readers,
            committed: Arc::new(Notify::new()),
            checkpoint_due,
            checkpointer,
        })
    }

    pub async fn close(&self) {
        self.readers.close().await;
        self.checkpointer.close().await;
        // Last: closing the last connection checkpoints the whole WAL and removes it.
        self.writer.close().await;
    }

    pub(crate) async fn begin_write(&self) -> Result<SqliteWriter> {
        Ok(SqliteWriter {
            tx: self.writer.begin_with("BEGIN IMMEDIATE").await?,
            writer: self.writer.clone(),
            readers: self.readers.clone(),
            committed: self.committed.clone(),
            checkpoint_due: self.checkpoint_due.clone(),
        })
    }

    /// The one writer connection, for schema work outside captures (`baseline`).
    pub(crate) fn writer_pool(&self) -> &SqlitePool {
        &self.writer
    }

    pub(crate) fn reader_pool(&self) -> &SqlitePool {
        &self.readers
    }

    pub(crate) fn committed(&self) -> &Notify {
        &self.committed
    }

    pub async fn capture_job(&self, id: &str) -> Result<Option<CaptureJob>> {
        let row = sqlx::query(sql::JOB_BY_ID)
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        row.as_ref().map(rows::capture_job).transpose()
    }

    pub async fn capture_jobs(&self, limit: u32) -> Result<Vec<CaptureJob>> {
        let rows = sqlx::query(sql::LATEST_JOBS)
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(rows::capture_job).collect()
    }

    pub async fn events_by_id(&self, event_id: &str) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(sql::EVENTS_BY_ID)
            .bind(event_id)
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(rows::stored_event).collect()
    }

    pub async fn events_naming(&self, identifier: &str, limit: u32) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(EVENTS_NAMING)
            .bind(identifier)
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(rows::stored_event).collect()
    }

    pub async fn positions_naming(&self, identifiers: &[String], limit: u32) -> Result<Vec<i64>> {
        let rows = sqlx::query_scalar(POSITIONS_NAMING)
            .bind(json_array(identifiers))
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await?;
        Ok(rows)
    }

    pub async fn events_at(&self, seqs: &[i64]) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(EVENTS_AT)
            .bind(json_array(seqs))
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(rows::stored_event).collect()
    }

    pub async fn declarations_of(&self, event_ids: &[String]) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(DECLARATIONS_OF)
            .bind(json_array(event_ids))
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(rows::stored_event).collect()
    }

    pub async fn events_after(&self, seq: i64, limit: u32) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(sql::EVENTS_AFTER)
            .bind(seq)
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(rows::stored_event).collect()
    }

    pub async fn document(&self, sha256: &str) -> Result<Option<crate::Document>> {
        let row = sqlx::query(crate::documents::BY_HASH)
            .bind(sha256)
            .fetch_optional(&self.readers)
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
            .fetch_all(&self.readers)
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
            .fetch_all(&self.readers)
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
            .fetch_all(&self.readers)
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
        let rows = query.fetch_all(&self.readers).await?;
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
            .fetch_all(&self.readers)
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
            .fetch_one(&self.readers)
            .await?;
        Ok(count as u64)
    }

    pub async fn max_seq(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(sql::MAX_SEQ)
            .fetch_one(&self.readers)
            .await?)
    }

    pub(crate) async fn counts(&self) -> Result<StoreCounts> {
        counts(&mut *self.readers.acquire().await?).await
    }

    pub(crate) async fn jobs_after(&self, id: &str, limit: u32) -> Result<Vec<CaptureJob>> {
        let rows = sqlx::query(sql::JOBS_AFTER)
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(rows::capture_job).collect()
    }

    pub async fn master_records(&self, kind: &str) -> Result<Vec<MasterRecord>> {
        let rows = sqlx::query(master::MASTER_RECORDS)
            .bind(kind)
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(master::record).collect()
    }

    pub async fn master_record(&self, kind: &str, code: &str) -> Result<Option<MasterRecord>> {
        let row = sqlx::query(master::MASTER_RECORD)
            .bind(kind)
            .bind(code)
            .fetch_optional(&self.readers)
            .await?;
        row.as_ref().map(master::record).transpose()
    }

    pub async fn counter_value(&self, name: &str) -> Result<u64> {
        let value: Option<i64> = sqlx::query_scalar(master::COUNTER)
            .bind(name)
            .fetch_optional(&self.readers)
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
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(master::record).collect()
    }

    pub(crate) async fn counters(&self) -> Result<Vec<(String, u64)>> {
        let rows = sqlx::query(master::COUNTERS)
            .fetch_all(&self.readers)
            .await?;
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
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(crate::chain::chain_row).collect()
    }

    /// Writes a consistent copy of the database to `dest` (which must not exist) while
    /// captures go on, then checks the copy by opening it.
    pub async fn backup(&self, dest: &Path) -> Result<BackupReport> {
        if dest.exists() {
            return Err(StoreError::BadLocation {
                location: dest.display().to_string(),
                reason: "the backup file already exists; choose a new name".into(),
            });
        }
        let dest_text = dest.to_str().ok_or_else(|| StoreError::BadLocation {
            location: dest.display().to_string(),
            reason: "the backup path is not valid UTF-8".into(),
        })?;
        // VACUUM INTO reads one snapshot on a reader connection: writers are not blocked.
        sqlx::query("VACUUM INTO $1")
            .bind(dest_text)
            .execute(&self.readers)
            .await?;
        // SQLite does not promise the copy is on disk when VACUUM INTO returns.
        let bytes = sync_file(dest)?;
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(dest)
            .read_only(true);
        let mut copy = SqliteConnection::connect_with(&options).await?;
        let check: String = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_one(&mut copy)
            .await?;
        if check != "ok" {
            return Err(StoreError::Corrupt {
                seq: 0,
                reason: format!("the backup {} fails its check: {check}", dest.display()),
            });
        }
        let counts = counts(&mut copy).await?;
        copy.close().await?;
        Ok(BackupReport {
            path: dest.to_owned(),
            bytes,
            counts,
        })
    }
}

/// fsyncs a new file and its directory; returns its size in bytes.
fn sync_file(path: &Path) -> Result<u64> {
    let io = |e: std::io::Error| StoreError::BadLocation {
        location: path.display().to_string(),
        reason: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    file.sync_all().map_err(io)?;
    let bytes = file.metadata().map_err(io)?.len();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
    }
    Ok(bytes)
}

async fn counts(conn: &mut SqliteConnection) -> Result<StoreCounts> {
    let events: i64 = sqlx::query_scalar(sql::EVENT_COUNT)
        .fetch_one(&mut *conn)
        .await?;
    let identifiers: i64 = sqlx::query_scalar("SELECT count(*) FROM event_identifier")
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

/// The one write transaction (`BEGIN IMMEDIATE`: the write lock is taken at the start, so
/// reading then writing can never fail with SQLITE_BUSY half way).
pub(crate) struct SqliteWriter {
    pub(crate) tx: Transaction<'static, Sqlite>,
    /// The writer pool, for work after the commit.
    writer: SqlitePool,
    /// For reads beside the transaction (`Committed`).
    pub(crate) readers: SqlitePool,
    committed: Arc<Notify>,
    checkpoint_due: mpsc::Sender<()>,
}

impl SqliteWriter {
    /// Events per statement: 12 parameters each stays well under SQLite's 32766.
    pub const BATCH_EVENTS: usize = crate::BATCH_EVENTS;

    pub async fn log_head(&mut self) -> Result<(i64, [u8; 32])> {
        let head: Option<(i64, Option<Vec<u8>>)> = sqlx::query_as(crate::chain::HEAD)
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(crate::chain::head_from(head))
    }

    pub async fn insert_jobs(&mut self, jobs: &[CaptureJob]) -> Result<()> {
        // 11 parameters per job.
        for chunk in jobs.chunks(Self::BATCH_EVENTS) {
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

    pub async fn insert_events(&mut self, rows: Vec<EventRow<'_>>) -> Result<()> {
        // (identifier, seq, role): the rows of `event_identifier`, written after the events
        // they refer to.
        let mut index: Vec<(String, i64, i32)> = Vec::with_capacity(rows.len() * 6);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            // OR FAIL: a broken row fails the capture, whose transaction is then rolled back
            // whole, so no statement needs undoing alone; with SQLite's default (ABORT) each
            // multi-row INSERT keeps a journal of every page it touches, to undo just itself.
            let mut insert = sqlx::QueryBuilder::<Sqlite>::new(format!(
                "INSERT OR FAIL INTO event ({}, chain_hash) ",
                sql::EVENT_COLUMNS
            ));
            insert.push_values(rows.by_ref().take(Self::BATCH_EVENTS), |mut b, row| {
                index.extend(
                    row.identifiers
                        .into_iter()
                        .map(|r| (r.id, row.seq, i32::from(r.role.code()))),
                );
                b.push_bind(row.seq)
                    .push_bind(row.event_id)
                    .push_bind(row.declaration)
                    .push_bind(row.event_type)
                    .push_bind(row.event_time_us)
                    .push_bind(row.tz_offset_min)
                    .push_bind(row.record_time_us)
                    .push_bind(row.action)
                    .push_bind(row.biz_step)
                    .push_bind(row.capture_id)
                    // Moved, not copied: the body is most of a row's bytes.
                    .push_bind(row.body)
                    .push_bind(row.chain_hash.to_vec());
            });
            insert.build().execute(&mut *self.tx).await?;
        }
        // In key order, a batch touches each leaf of the index once instead of at random.
        index.sort_unstable();
        let mut index = index.into_iter().peekable();
        while index.peek().is_some() {
            let mut insert = sqlx::QueryBuilder::<Sqlite>::new(
                "INSERT OR FAIL INTO event_identifier (identifier, seq, role) ",
            );
            insert.push_values(index.by_ref().take(BATCH_IDENTIFIERS), |mut b, row| {
                b.push_bind(row.0).push_bind(row.1).push_bind(row.2);
            });
            insert.build().execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    pub async fn counts(&mut self) -> Result<StoreCounts> {
        counts(&mut self.tx).await
    }

    pub async fn commit(self, new_events: u64) -> Result<()> {
        if new_events > SHRINK_AFTER_EVENTS {
            // Hand back the page cache a large capture filled, once it is committed.
            self.tx.commit().await?;
            sqlx::query("PRAGMA shrink_memory")
                .execute(&self.writer)
                .await?;
        } else {
            self.tx.commit().await?;
        }
        if new_events > 0 {
            self.committed.notify_waiters();
        }
        // Full means a checkpoint is already asked for: it will copy this commit's pages too.
        let _ = self.checkpoint_due.try_send(());
        Ok(())
    }
}

/// Copies committed WAL pages into the database file after commits (those within
/// `CHECKPOINT_AFTER_MS` of each other share one checkpoint), on a connection of its own, so that a capture's commit pays for writing its pages once (to the WAL), not
/// twice: SQLite's automatic checkpoint would run inside the writer's commit. A PASSIVE
/// checkpoint takes no lock a writer or a reader waits for. Ends when every handle of the
/// store is dropped (the channel closes) or the store is closed (the pool refuses).
async fn checkpoint_after_commits(pool: SqlitePool, mut due: mpsc::Receiver<()>) {
    while due.recv().await.is_some() {
        // Commits close together share one checkpoint, and so one sync of the database file.
        tokio::time::sleep(Duration::from_millis(CHECKPOINT_AFTER_MS)).await;
        let _ = due.try_recv();
        // A checkpoint that fails (the disk, say) leaves the pages in the WAL, where they are
        // as durable: the next commit asks again, and the writer's own checkpoint at
        // WRITER_CHECKPOINT_PAGES bounds the WAL meanwhile.
        if let Err(sqlx::Error::PoolClosed) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            break;
        }
    }
}

/// A list as one JSON text parameter, for `json_each`.
fn json_array(items: &[impl serde::Serialize]) -> String {
    // Strings and integers always serialise.
    serde_json::to_string(items).expect("a list of strings or integers serialises")
}

/// Which of these eventIDs are committed, and as event or as error declaration.
pub(crate) async fn existing(readers: &SqlitePool, event_ids: &[&str]) -> Result<Present> {
    let mut present = Present::default();
    for ids in event_ids.chunks(SqliteWriter::BATCH_EVENTS) {
        let mut query = sqlx::query(AssertSqlSafe(sql::existing_events(ids.len())));
        for id in ids {
            query = query.bind(*id);
        }
        for row in query.fetch_all(readers).await? {
            let (id, declaration) = rows::event_key(&row)?;
            present.insert(id, declaration);
        }
    }
    Ok(present)
}
