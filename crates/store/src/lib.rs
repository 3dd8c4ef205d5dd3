//! The event store: one storage interface over the append-only EPCIS event log.
//!
//! Architecture invariant: only this crate talks SQL. The log is append-only: a capture adds
//! rows, nothing updates or deletes them. A capture is all or nothing, idempotent by eventID,
//! and durable (fsynced) before `capture` returns.
//!
//! Two backends serve the same `Store`: SQLite (one file, the embedded default) and
//! PostgreSQL (`postgres://` URLs). SQL text is shared where both accept it (`sql`);
//! DDL, bulk writes and locks are per backend (`sqlite`, `postgres`).

mod audit_chain;
mod auth;
mod baseline;
mod bom;
mod capture;
mod chain;
mod copy;
mod copy_rows;
mod digest;
mod documents;
mod follow;
mod journal;
mod location;
mod master;
mod migrate;
mod named;
mod pgcopy;
mod postgres;
mod query;
mod rows;
mod sql;
mod sqlite;
mod writer;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use lotrace_epcis::Event;
use serde::Serialize;

pub use audit_chain::{AuditChainBreak, AuditChainReport};
pub use auth::{
    ApiToken, AuditEntry, AuditFilter, MAX_AUDIT_PAGE, MAX_AUDIT_TEXT_CHARS, MAX_AUTH_NAME_CHARS,
    MAX_TOKENS, MAX_USERS, NewAuditEntry, NewToken, Session, User, check_auth_name,
};
pub use bom::{BomRow, MAX_BOM_BODY_BYTES, MAX_BOM_ROWS, OrderRow};
pub use chain::{ChainBreak, ChainReport};
pub use copy::{CopyProgress, CopyReport};
pub use digest::LogDigest;
pub use documents::{
    DOCUMENT_URI_PREFIX, Document, DocumentRef, MAX_DOCUMENT_BYTES, document_sha256,
};
pub use follow::FOLLOW_POLL_INTERVAL_MS;
pub use journal::{
    JournalKind, MAX_RECALL_ENTRIES, MAX_RECALL_ENTRY_BYTES, NewRecallEntry, RecallEntry,
};
pub use location::Location;
pub use master::{CounterStep, MasterRecord};
pub use named::{CaptureReport, MAX_NAMED_QUERIES, MAX_QUERY_JSON_BYTES, NamedQuery, Subscription};
pub use postgres::PgStore;
pub use query::{EventQuery, IdentifierCondition, MAX_QUERY_BATCH, QueryRow, SortKey};
pub use sqlite::SqliteStore;
use writer::Writer;

/// The most events one `events_matching` answers.
pub const MAX_MATCHING_EVENTS: u32 = 10_000;

/// Which events `Store::events_matching` returns: every condition given holds.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub event_type: Option<lotrace_epcis::EventType>,
    /// A CBV business step in any spelling (`shipping`, its URN or web URI), or a URI of
    /// one's own.
    pub biz_step: Option<String>,
    /// eventTime at or after this instant.
    pub from: Option<Timestamp>,
    /// eventTime before this instant.
    pub until: Option<Timestamp>,
    /// At most this many (and never more than `MAX_MATCHING_EVENTS`).
    pub limit: u32,
}

/// Limits the store enforces, whatever its caller checked before.
pub const MAX_EVENTS_PER_CAPTURE: usize = 1_000_000;
/// How many events one trip to the database reads or writes.
pub const BATCH_EVENTS: usize = 500;
/// Identifiers (or eventIDs) one `positions_naming` or `declarations_of` query carries.
const MAX_IDENTIFIERS_PER_QUERY: usize = 5_000;
/// Log positions one `events_at` query carries.
const MAX_POSITIONS_PER_QUERY: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database location {location:?} is not usable: {reason}")]
    BadLocation { location: String, reason: String },
    #[error("stored event {seq} cannot be read back: {reason}")]
    Corrupt { seq: i64, reason: String },
    #[error("a capture of {count} events exceeds the limit of {limit}")]
    TooManyEvents { count: usize, limit: usize },
    #[error("event {index}: {reason}")]
    InvalidEvent { index: usize, reason: String },
    #[error("{operation} is not available on {backend}: {hint}")]
    Unsupported {
        operation: &'static str,
        backend: &'static str,
        hint: &'static str,
    },
    #[error(
        "the target store is not empty ({} events, {} capture jobs); copy into a new, empty database",
        .counts.events, .counts.capture_jobs
    )]
    // Boxed, like the counts of `CopyMismatch`: they would make every StoreError that large.
    TargetNotEmpty { counts: Box<StoreCounts> },
    #[error(
        "the copy does not match its source (source {source_counts:?}, copy {copy_counts:?}); \
         it was rolled back. Stop every writer to the source and copy again"
    )]
    CopyMismatch {
        // Boxed: two sets of counts would make every StoreError that large.
        source_counts: Box<StoreCounts>,
        copy_counts: Box<StoreCounts>,
    },
    #[error("counter {name:?} stands at {found}, not {expected}: another writer drew it first")]
    CounterConflict {
        name: String,
        expected: u64,
        found: u64,
    },
    #[error("document refused: {0}")]
    InvalidDocument(String),
    #[error("recall entry refused: {0}")]
    InvalidRecallEntry(String),
    #[error("no recall or drill {0:?}")]
    NoSuchRecall(String),
    #[error(
        "the hash chain does not verify at log position {} (eventID {}): {}",
        .0.seq, .0.event_id, .0.reason
    )]
    ChainBroken(Box<ChainBreak>),
    #[error("named query refused: {0}")]
    InvalidNamedQuery(String),
    #[error("{0}")]
    InvalidAuth(String),
    #[error("{kind} {name:?} already exists")]
    AuthExists { kind: &'static str, name: String },
    #[error("{kind} {code:?} already exists")]
    MasterExists { kind: String, code: String },
    #[error("{kind} {code:?} is at version {found:?}, not {expected}: it was changed meanwhile")]
    MasterConflict {
        kind: String,
        code: String,
        expected: u64,
        /// None: there is no such record.
        found: Option<u64>,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The state of one capture job, shaped after the EPCIS 2.0 REST binding's CaptureJob.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureJob {
    #[serde(rename = "captureID")]
    pub id: String,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub running: bool,
    pub success: bool,
    pub capture_error_behaviour: String,
    /// Where the events came from: "http", "import:<file>", "demo", ...
    pub source: String,
    pub events_read: u64,
    pub events_stored: u64,
    pub events_already_present: u64,
    pub errors: Vec<serde_json::Value>,
}

/// The result of a successful capture: the job record and the events that were new.
#[derive(Clone, Debug)]
pub struct CaptureReceipt {
    pub job: CaptureJob,
    /// The newly stored events as stored: eventID and recordTime filled in.
    pub stored: Vec<Event>,
}

/// An event as the store holds it.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    /// Position in the log: increases with every stored event.
    pub seq: i64,
    pub capture_id: String,
    pub event: Event,
}

/// The counts that tell two stores hold the same data (`copy_to` compares them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreCounts {
    pub events: u64,
    /// Entries of the identifier index: one per event, identifier and role.
    pub identifiers: u64,
    pub capture_jobs: u64,
    /// The last log position (0 when empty).
    pub max_seq: i64,
    pub master_records: u64,
    /// Every version of every master record.
    pub master_versions: u64,
    pub counters: u64,
    pub documents: u64,
    pub recall_entries: u64,
    /// The EPCIS query interface's rows (`named.rs`).
    pub named_queries: u64,
    pub subscriptions: u64,
    pub capture_reports: u64,
    /// Access control and the audit trail (`auth.rs`).
    pub users: u64,
    pub api_tokens: u64,
    pub sessions: u64,
    pub audit_entries: u64,
    /// Bills of materials (every version) and production orders (`bom.rs`).
    pub bom_versions: u64,
    pub production_orders: u64,
}

/// What `Store::backup_sqlite` wrote, as counted in the copy itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupReport {
    pub path: std::path::PathBuf,
    pub bytes: u64,
    pub counts: StoreCounts,
}

/// The store, whichever backend serves it.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Calls the same method on whichever backend serves the store.
macro_rules! dispatch {
    ($store:expr, $b:ident => $call:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite($b) => $call,
            $crate::Backend::Postgres($b) => $call,
        }
    };
}
pub(crate) use dispatch;

/// Fetches rows from the store's readers, each decoded with `$decode` (a function of the
/// row, so it is written once for both backends' row types).
macro_rules! read_rows {
    ($store:expr, $decode:expr, $sql:expr $(, $bind:expr)*) => {
        match &$store.backend {
            $crate::Backend::Sqlite(b) => sqlx::query($sql)$(.bind($bind))*.fetch_all(b.reader_pool()).await?.iter().map($decode).collect::<$crate::Result<Vec<_>>>(),
            $crate::Backend::Postgres(b) => sqlx::query($sql)$(.bind($bind))*.fetch_all(b.pool()).await?.iter().map($decode).collect::<$crate::Result<Vec<_>>>(),
        }
    };
}
pub(crate) use read_rows;

/// Runs one statement inside a write transaction of either backend.
macro_rules! write_tx {
    ($writer:expr, $sql:expr $(, $bind:expr)*) => {
        match $writer {
            $crate::writer::Writer::Sqlite(w) => {
                sqlx::query($sql)$(.bind($bind))*.execute(&mut *w.tx).await?;
            }
            $crate::writer::Writer::Postgres(w) => {
                sqlx::query($sql)$(.bind($bind))*.execute(&mut *w.tx).await?;
            }
        }
    };
}
pub(crate) use write_tx;

impl Store {
    /// Opens (creating if needed) the store and brings its schema up to date.
    pub async fn open(location: &Location) -> Result<Store> {
        let backend = match location {
            Location::SqliteFile(path) => Backend::Sqlite(SqliteStore::open(path).await?),
            Location::Postgres(url) => {
                Backend::Postgres(PgStore::open(url, &location.to_string()).await?)
            }
        };
        Ok(Store { backend })
    }

    /// "sqlite" or "postgres".
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Stores the events of one document atomically. Events whose (eventID, error
    /// declaration or not) is already stored are counted and skipped. Events without an
    /// eventID get a deterministic one from their content. Durable when it returns.
    pub async fn capture(&self, events: Vec<Event>, source: &str) -> Result<CaptureReceipt> {
        if events.len() > MAX_EVENTS_PER_CAPTURE {
            return Err(StoreError::TooManyEvents {
                count: events.len(),
                limit: MAX_EVENTS_PER_CAPTURE,
            });
        }
        capture::capture(self.begin_write().await?, events, source, &[]).await
    }

    /// `capture`, and in the same transaction advances counters (lot-number sequences,
    /// SSCC serials) whose numbers the events use. Each counter must stand just below its
    /// step (`CounterStep`); otherwise nothing is stored and the error is
    /// `CounterConflict`: another writer drew the number first, draw again.
    pub async fn capture_with_counters(
        &self,
        events: Vec<Event>,
        source: &str,
        steps: &[CounterStep],
    ) -> Result<CaptureReceipt> {
        if events.len() > MAX_EVENTS_PER_CAPTURE {
            return Err(StoreError::TooManyEvents {
                count: events.len(),
                limit: MAX_EVENTS_PER_CAPTURE,
            });
        }
        capture::capture(self.begin_write().await?, events, source, steps).await
    }

    /// A counter's value: the last number drawn, 0 if none.
    pub async fn counter_value(&self, name: &str) -> Result<u64> {
        dispatch!(self, b => b.counter_value(name).await)
    }

    /// The current version of every master record of `kind`, by code.
    pub async fn master_records(&self, kind: &str) -> Result<Vec<MasterRecord>> {
        dispatch!(self, b => b.master_records(kind).await)
    }

    pub async fn master_record(&self, kind: &str, code: &str) -> Result<Option<MasterRecord>> {
        dispatch!(self, b => b.master_record(kind, code).await)
    }

    /// Creates a record (`expected_version` None; `MasterExists` if the code is taken) or
    /// replaces it (Some: the version the caller read; `MasterConflict` if it changed
    /// meanwhile). Every version is kept. Returns the record as stored.
    pub async fn put_master(
        &self,
        kind: &str,
        code: &str,
        body: &serde_json::Value,
        expected_version: Option<u64>,
    ) -> Result<MasterRecord> {
        master::put(
            self.begin_write().await?,
            kind,
            code,
            body,
            expected_version,
        )
        .await
    }

    /// Creates many records (kind, code, body) in one transaction: all or none
    /// (`MasterExists` names the first code taken). For spreadsheet imports.
    pub async fn create_masters(
        &self,
        records: &[(String, String, serde_json::Value)],
    ) -> Result<Vec<MasterRecord>> {
        master::create_many(self.begin_write().await?, records).await
    }

    /// A write transaction holding the backend's write lock.
    pub(crate) async fn begin_write(&self) -> Result<Writer> {
        Ok(match &self.backend {
            Backend::Sqlite(b) => Writer::Sqlite(b.begin_write().await?),
            Backend::Postgres(b) => Writer::Postgres(b.begin_write().await?),
        })
    }

    pub async fn capture_job(&self, id: &str) -> Result<Option<CaptureJob>> {
        dispatch!(self, b => b.capture_job(id).await)
    }

    /// The most recent capture jobs, newest first.
    pub async fn capture_jobs(&self, limit: u32) -> Result<Vec<CaptureJob>> {
        dispatch!(self, b => b.capture_jobs(limit).await)
    }

    /// The event with this eventID, followed by any error declaration of it.
    pub async fn events_by_id(&self, event_id: &str) -> Result<Vec<StoredEvent>> {
        dispatch!(self, b => b.events_by_id(event_id).await)
    }

    /// Every event naming this identifier (canonicalised first), in eventTime order.
    pub async fn events_naming(&self, identifier: &str, limit: u32) -> Result<Vec<StoredEvent>> {
        let canonical = lotrace_gs1::canonicalize(identifier)
            .map(|id| id.canonical)
            .unwrap_or_else(|_| identifier.to_owned());
        dispatch!(self, b => b.events_naming(&canonical, limit).await)
    }

    /// The log positions of the events naming any of `identifiers` (canonicalised first),
    /// ascending, at most `limit`: a caller that gets `limit` back may have missed some. Declarations that repeat the identifiers are among them. On PostgreSQL the
    /// match is by 64-bit key, so an event whose key collides may come along (odds of about
    /// 2^-64 a pair); callers treat such an extra event as harmless or check its body.
    pub async fn positions_naming(&self, identifiers: &[String], limit: u32) -> Result<Vec<i64>> {
        let canonical: Vec<String> = identifiers
            .iter()
            .map(|id| {
                lotrace_gs1::canonicalize(id)
                    .map(|c| c.canonical)
                    .unwrap_or_else(|_| id.clone())
            })
            .collect();
        let mut found = BTreeSet::new();
        for chunk in canonical.chunks(MAX_IDENTIFIERS_PER_QUERY) {
            let left = u32::try_from(found.len()).map_or(0, |n| limit.saturating_sub(n));
            if left == 0 {
                break;
            }
            let seqs = dispatch!(self, b => b.positions_naming(chunk, left).await)?;
            found.extend(seqs);
        }
        Ok(found.into_iter().take(limit as usize).collect())
    }

    /// The events at these log positions (unknown positions are skipped), in eventTime
    /// order, log order among equal times: the order `for_each_event_by_time` gives.
    pub async fn events_at(&self, seqs: &[i64]) -> Result<Vec<StoredEvent>> {
        let mut found = Vec::with_capacity(seqs.len());
        for chunk in seqs.chunks(MAX_POSITIONS_PER_QUERY) {
            found.extend(dispatch!(self, b => b.events_at(chunk).await)?);
        }
        found.sort_by_key(|s| (to_us(s.event.event_time.instant), s.seq));
        Ok(found)
    }

    /// The error declarations stored for any of these eventIDs, in log order.
    pub async fn declarations_of(&self, event_ids: &[String]) -> Result<Vec<StoredEvent>> {
        let mut found = Vec::new();
        for chunk in event_ids.chunks(MAX_IDENTIFIERS_PER_QUERY) {
            found.extend(dispatch!(self, b => b.declarations_of(chunk).await)?);
        }
        found.sort_by_key(|s| s.seq);
        Ok(found)
    }

    /// Up to `limit` events after log position `seq`, in log order: how a follower (another
    /// server's trace index, an export) tails the log. Start from 0; continue from the last
    /// `seq` returned. Positions become visible in increasing order, so the cursor never
    /// skips an event.
    pub async fn events_after(&self, seq: i64, limit: u32) -> Result<Vec<StoredEvent>> {
        dispatch!(self, b => b.events_after(seq, limit).await)
    }

    /// Keeps a document (idempotent: the same bytes are one document) and returns what
    /// names it. Durable before it returns, like a capture.
    pub async fn put_document(&self, document: &Document) -> Result<DocumentRef> {
        let mut writer = self.begin_write().await?;
        writer.put_document(document).await?;
        writer.commit(0).await?;
        Ok(self
            .document(&document.meta.sha256)
            .await?
            .map_or_else(|| document.meta.clone(), |stored| stored.meta))
    }

    /// Opens a new recall or drill: draws its number and writes its first entry, in one
    /// transaction. Durable before it returns.
    pub async fn open_recall(
        &self,
        kind: JournalKind,
        entry: NewRecallEntry<'_>,
    ) -> Result<RecallEntry> {
        let body = journal::check(&entry)?;
        let mut writer = self.begin_write().await?;
        let counter = kind.counter();
        let number = writer.counter_value(&counter).await? + 1;
        writer.set_counter(&counter, number).await?;
        let stored = RecallEntry {
            recall_id: format!("{}-{number:05}", kind.prefix()),
            seq: 1,
            kind: entry.kind.to_owned(),
            at: Timestamp::now(),
            actor: entry.actor.to_owned(),
            body: entry.body.clone(),
        };
        writer.insert_recall_entry(&stored, &body).await?;
        writer.commit(0).await?;
        Ok(stored)
    }

    /// Appends an entry to an open recall or drill. Durable before it returns.
    pub async fn append_recall_entry(
        &self,
        recall_id: &str,
        entry: NewRecallEntry<'_>,
    ) -> Result<RecallEntry> {
        let body = journal::check(&entry)?;
        let mut writer = self.begin_write().await?;
        let last = writer.recall_last_seq(recall_id).await?;
        if last == 0 {
            return Err(StoreError::NoSuchRecall(recall_id.to_owned()));
        }
        if last >= MAX_RECALL_ENTRIES {
            return Err(StoreError::InvalidRecallEntry(format!(
                "{recall_id} has {MAX_RECALL_ENTRIES} entries, the most one recall keeps"
            )));
        }
        let stored = RecallEntry {
            recall_id: recall_id.to_owned(),
            seq: last + 1,
            kind: entry.kind.to_owned(),
            at: Timestamp::now(),
            actor: entry.actor.to_owned(),
            body: entry.body.clone(),
        };
        writer.insert_recall_entry(&stored, &body).await?;
        writer.commit(0).await?;
        Ok(stored)
    }

    /// Every entry of one recall or drill, in order (empty: there is no such recall).
    pub async fn recall_entries(&self, recall_id: &str) -> Result<Vec<RecallEntry>> {
        dispatch!(self, b => b.recall_entries(recall_id, MAX_RECALL_ENTRIES).await)
    }

    /// The entries of every recall (or drill), by id then order, `limit` at most per call;
    /// continue after the last (id, seq) returned, starting from `("", 0)`.
    pub async fn recall_entries_after(
        &self,
        kind: JournalKind,
        after: (&str, u32),
        limit: u32,
    ) -> Result<Vec<RecallEntry>> {
        let like = format!("{}-%", kind.prefix());
        dispatch!(self, b => b.recall_entries_after(after, &like, limit).await)
    }

    /// The document with this SHA-256 (hex), or named by this document URI.
    pub async fn document(&self, uri_or_hash: &str) -> Result<Option<Document>> {
        let Some(sha256) = document_sha256(uri_or_hash) else {
            return Ok(None);
        };
        dispatch!(self, b => b.document(sha256).await)
    }

    /// The events that match `filter`, in eventTime order (log order among equal times),
    /// read through the indexes by type, business step and time.
    pub async fn events_matching(&self, filter: &EventFilter) -> Result<Vec<StoredEvent>> {
        dispatch!(self, b => b.events_matching(filter).await)
    }

    /// The events that `query` lets through (a superset of the caller's query, which checks
    /// each), in (sort key, log position) order from its cursor: see `query.rs`.
    pub async fn query_events(&self, query: &EventQuery) -> Result<Vec<QueryRow>> {
        query::query_events(self, query).await
    }

    /// The last log position (0 for an empty log).
    pub async fn max_seq(&self) -> Result<i64> {
        dispatch!(self, b => b.max_seq().await)
    }

    /// Waits until the log has an event after `seq` or `timeout` passes; returns the last
    /// log position either way. Captures by this process wake it at once; on PostgreSQL so
    /// do other processes' (LISTEN/NOTIFY); otherwise it notices within
    /// `FOLLOW_POLL_INTERVAL_MS`.
    pub async fn wait_for_new_events(&self, seq: i64, timeout: Duration) -> Result<i64> {
        follow::wait_for_new_events(self, seq, timeout).await
    }

    /// Calls `visit` for every stored event in log order, reading in batches.
    pub async fn for_each_event(
        &self,
        mut visit: impl FnMut(StoredEvent) -> Result<()>,
    ) -> Result<()> {
        let mut after: i64 = 0;
        loop {
            let batch = self.events_after(after, (BATCH_EVENTS * 4) as u32).await?;
            let Some(last) = batch.last() else {
                return Ok(());
            };
            after = last.seq;
            for stored in batch {
                visit(stored)?;
            }
        }
    }

    /// Calls `visit` for every stored event in eventTime order (log order among events of
    /// the same time), reading in batches: how views that depend on time order (inventory)
    /// are rebuilt.
    pub async fn for_each_event_by_time(
        &self,
        mut visit: impl FnMut(StoredEvent) -> Result<()>,
    ) -> Result<()> {
        let mut after = (i64::MIN, 0);
        loop {
            let batch = dispatch!(self, b => b.events_by_time_after(after, (BATCH_EVENTS * 4) as u32).await)?;
            let Some((time, last)) = batch.last() else {
                return Ok(());
            };
            after = (*time, last.seq);
            for (_, stored) in batch {
                visit(stored)?;
            }
        }
    }

    pub async fn event_count(&self) -> Result<u64> {
        dispatch!(self, b => b.event_count().await)
    }

    /// Events, identifier index rows, capture jobs and the last log position.
    pub async fn counts(&self) -> Result<StoreCounts> {
        dispatch!(self, b => b.counts().await)
    }

    /// Copies this whole store into `target`, which must be empty: capture jobs and events
    /// with their log positions and capture IDs, in one transaction on the target, which
    /// rebuilds its identifier index from the events. Before committing it compares the
    /// counts (events, capture jobs, last position) on both sides; a difference (the source
    /// changed during the copy) rolls the copy back. `progress` hears after every batch.
    pub async fn copy_to(
        &self,
        target: &Store,
        progress: impl FnMut(CopyProgress),
    ) -> Result<CopyReport> {
        copy::copy_to(self, target, progress).await
    }

    /// Walks the hash chain in log order, recomputing every link from the rows as stored
    /// (`chain.rs`), and reports the count and head, or the first event that does not match.
    /// Reads in batches beside captures; an event committed during the walk may or may not
    /// be included.
    pub async fn verify_chain(&self) -> Result<ChainReport> {
        let mut walker = chain::Walker::new();
        let mut after = 0;
        loop {
            let batch =
                dispatch!(self, b => b.chain_rows_after(after, chain::CHAIN_BATCH_ROWS).await)?;
            let Some(last) = batch.last() else {
                return Ok(walker.report(None));
            };
            after = last.row.seq;
            for row in &batch {
                let event = chain::parse_body(&row.row.body);
                if let Err(broken) = walker.check(row, event.as_ref().map_err(String::clone)) {
                    return Ok(walker.report(Some(broken)));
                }
            }
        }
    }

    /// A digest of the log up to `up_to_seq` (all of it for None): equal digests mean the
    /// same events, bodies, capture IDs and positions, whichever backends hold them.
    pub async fn log_digest(&self, up_to_seq: Option<i64>) -> Result<LogDigest> {
        digest::log_digest(self, up_to_seq).await
    }

    /// Writes an online, consistent copy of a SQLite store to `dest` (a new file) while
    /// captures continue, fsyncs it, and checks it by opening it. PostgreSQL stores are
    /// backed up with PostgreSQL's tools (pg_dump, base backups and WAL archiving; see
    /// docs/deploy.md).
    pub async fn backup_sqlite(&self, dest: &Path) -> Result<BackupReport> {
        match &self.backend {
            Backend::Sqlite(b) => b.backup(dest).await,
            Backend::Postgres(_) => Err(StoreError::Unsupported {
                operation: "backup_sqlite",
                backend: "postgres",
                hint: "back up PostgreSQL with pg_dump or a base backup with WAL archiving",
            }),
        }
    }

    /// The lots and instances a trace reaches through transformations, answered by one
    /// recursive SQL query (`WITH RECURSIVE`) over the event log and its identifier index:
    /// the baseline the trace index is benchmarked against. `forward`: everything made from
    /// `id`; otherwise every input it was made from, recursively. `id` in any accepted
    /// spelling; the answer is canonical ids, sorted, `id` itself excluded. Transformations
    /// only (no containers, shipments, ILMD instances). SQLite only: PostgreSQL keeps hashed
    /// identifier keys, from which SQL cannot name the lots it reaches.
    pub async fn trace_baseline_sql(&self, id: &str, forward: bool) -> Result<Vec<String>> {
        let canonical = lotrace_gs1::canonicalize(id)
            .map(|id| id.canonical)
            .unwrap_or_else(|_| id.to_owned());
        match &self.backend {
            Backend::Sqlite(b) => b.trace_baseline_sql(&canonical, forward).await,
            Backend::Postgres(_) => Err(baseline_unsupported("trace_baseline_sql")),
        }
    }

    /// Creates the indexes `trace_baseline_sql` needs to be fast (by event in the identifier
    /// index, by transformationID) and gathers the planner's statistics (a sampled ANALYZE).
    /// Idempotent. They are not part of the schema and the
    /// store's own queries do not use them: only the benchmark calls this, on its own database.
    pub async fn prepare_trace_baseline(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(b) => b.prepare_trace_baseline().await,
            Backend::Postgres(_) => Err(baseline_unsupported("prepare_trace_baseline")),
        }
    }

    pub async fn close(&self) {
        dispatch!(self, b => b.close().await)
    }
}

fn baseline_unsupported(operation: &'static str) -> StoreError {
    StoreError::Unsupported {
        operation,
        backend: "postgres",
        hint: "the PostgreSQL schema indexes identifiers by hashed key, so SQL cannot name the lots a trace reaches; run the SQL baseline on SQLite",
    }
}

/// Microseconds since the Unix epoch: the portable time column type of every backend.
pub(crate) fn to_us(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub(crate) fn from_us(us: i64) -> Timestamp {
    Timestamp::from_microsecond(us).unwrap_or(Timestamp::UNIX_EPOCH)
}
