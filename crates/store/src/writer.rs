//! A write transaction on either backend, holding that backend's write lock until it
//! commits or is dropped (which rolls back). Capture and copy both write through it.

use crate::capture::Present;
use crate::master::MasterRecord;
use crate::postgres::{PgEventCopy, PgWriter};
use crate::rows::EventRow;
use crate::sqlite::SqliteWriter;
use crate::{CaptureJob, Result, StoreCounts};

/// What is committed, read beside a write transaction. The transaction holds the write
/// lock, so nothing is committed meanwhile: committed rows are all that is stored except
/// the transaction's own writes, which the writer keeps track of itself.
pub(crate) enum Committed {
    Sqlite(sqlx::SqlitePool),
    /// One connection for the whole capture: its statements stay prepared and planned.
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl Committed {
    /// Which of these eventIDs are stored, and as event or as error declaration.
    pub async fn existing(&mut self, event_ids: &[&str]) -> Result<Present> {
        match self {
            Committed::Sqlite(readers) => crate::sqlite::existing(readers, event_ids).await,
            Committed::Postgres(conn) => crate::postgres::existing(conn, event_ids).await,
        }
    }
}

/// Events and their identifier index, written batch after batch: on SQLite each batch is
/// its own statements, on PostgreSQL every batch goes into one COPY (`PgEventCopy`).
/// `close` it before the transaction's next statement.
pub(crate) enum EventSink<'w> {
    Sqlite(&'w mut SqliteWriter),
    Postgres(PgEventCopy<'w>),
}

impl EventSink<'_> {
    pub async fn send(&mut self, rows: Vec<EventRow<'_>>) -> Result<()> {
        match self {
            EventSink::Sqlite(w) => w.insert_events(rows).await,
            EventSink::Postgres(copy) => copy.send(rows).await,
        }
    }

    /// Ends the sink after `written`, the outcome of its sends: on success the database
    /// then holds every row sent; on failure the sink is abandoned, leaving the connection
    /// usable for the rollback, and the failure returned.
    pub async fn close(self, written: Result<()>) -> Result<()> {
        match (self, written) {
            (EventSink::Sqlite(_), written) => written,
            (EventSink::Postgres(copy), Ok(())) => copy.finish().await,
            (EventSink::Postgres(copy), Err(e)) => {
                copy.abort(&e).await;
                Err(e)
            }
        }
    }
}

pub(crate) enum Writer {
    Sqlite(SqliteWriter),
    Postgres(PgWriter),
}

impl Writer {
    /// How many events a capture checks and writes per round trip.
    pub fn batch_events(&self) -> usize {
        match self {
            Writer::Sqlite(_) => SqliteWriter::BATCH_EVENTS,
            Writer::Postgres(_) => PgWriter::BATCH_EVENTS,
        }
    }

    /// The next log position, and the chain hash of the last event (`chain::GENESIS` for
    /// an empty log): one round trip, inside the write lock.
    pub async fn log_head(&mut self) -> Result<(i64, [u8; 32])> {
        match self {
            Writer::Sqlite(w) => w.log_head().await,
            Writer::Postgres(w) => w.log_head().await,
        }
    }

    /// Reads of what is committed, on connections of their own: they run while this
    /// transaction writes.
    pub async fn committed(&self) -> Result<Committed> {
        Ok(match self {
            Writer::Sqlite(w) => Committed::Sqlite(w.readers.clone()),
            Writer::Postgres(w) => Committed::Postgres(w.pool.acquire().await?),
        })
    }

    pub async fn insert_jobs(&mut self, jobs: &[CaptureJob]) -> Result<()> {
        match self {
            Writer::Sqlite(w) => w.insert_jobs(jobs).await,
            Writer::Postgres(w) => w.insert_jobs(jobs).await,
        }
    }

    pub async fn master_version(&mut self, kind: &str, code: &str) -> Result<Option<u64>> {
        match self {
            Writer::Sqlite(w) => w.master_version(kind, code).await,
            Writer::Postgres(w) => w.master_version(kind, code).await,
        }
    }

    pub async fn write_master(&mut self, record: &MasterRecord) -> Result<()> {
        match self {
            Writer::Sqlite(w) => w.write_master(record).await,
            Writer::Postgres(w) => w.write_master(record).await,
        }
    }

    pub async fn counter_value(&mut self, name: &str) -> Result<u64> {
        match self {
            Writer::Sqlite(w) => w.counter_value(name).await,
            Writer::Postgres(w) => w.counter_value(name).await,
        }
    }

    pub async fn set_counter(&mut self, name: &str, value: u64) -> Result<()> {
        match self {
            Writer::Sqlite(w) => w.set_counter(name, value).await,
            Writer::Postgres(w) => w.set_counter(name, value).await,
        }
    }

    /// Records the outcome of a job inserted earlier in this transaction.
    pub async fn finish_job(&mut self, job: &CaptureJob) -> Result<()> {
        match self {
            Writer::Sqlite(w) => w.finish_job(job).await,
            Writer::Postgres(w) => w.finish_job(job).await,
        }
    }

    pub async fn recall_last_seq(&mut self, recall_id: &str) -> Result<u32> {
        match self {
            Writer::Sqlite(w) => w.recall_last_seq(recall_id).await,
            Writer::Postgres(w) => w.recall_last_seq(recall_id).await,
        }
    }

    pub async fn insert_recall_entry(
        &mut self,
        entry: &crate::RecallEntry,
        body: &str,
    ) -> Result<()> {
        match self {
            Writer::Sqlite(w) => w.insert_recall_entry(entry, body).await,
            Writer::Postgres(w) => w.insert_recall_entry(entry, body).await,
        }
    }

    pub async fn put_document(&mut self, document: &crate::Document) -> Result<()> {
        match self {
            Writer::Sqlite(w) => w.put_document(document).await,
            Writer::Postgres(w) => w.put_document(document).await,
        }
    }

    /// Where events are written, batch after batch (captures and copies).
    pub fn event_sink(&mut self) -> EventSink<'_> {
        match self {
            Writer::Sqlite(w) => EventSink::Sqlite(w),
            Writer::Postgres(w) => EventSink::Postgres(w.event_copy()),
        }
    }

    /// The counts as this transaction sees them, its own writes included.
    pub async fn counts(&mut self) -> Result<StoreCounts> {
        match self {
            Writer::Sqlite(w) => w.counts().await,
            Writer::Postgres(w) => w.counts().await,
        }
    }

    /// Commits durably. `new_events` (how many this transaction added) above 0 wakes
    /// followers (`Store::wait_for_new_events`).
    pub async fn commit(self, new_events: u64) -> Result<()> {
        match self {
            Writer::Sqlite(w) => w.commit(new_events).await,
            Writer::Postgres(w) => w.commit(new_events).await,
        }
    }
}
