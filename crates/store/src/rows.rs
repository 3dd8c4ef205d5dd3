//! Rows as the tables hold them, and decoding them from either backend.
//!
//! Decoding is written once against `Columns`, a four-method view of a result row that both
//! `SqliteRow` and `PgRow` implement; this keeps the code free of `sqlx::Database` generics.

use std::borrow::Cow;

use lotrace_epcis::IdRef;
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use crate::{CaptureJob, Result, StoreError, StoredEvent, from_us};

/// One row of `event`, columns in `sql::EVENT_COLUMNS` order. Borrowed when a capture
/// builds it from events, owned when a copy reads it from another store.
#[derive(Clone, Debug)]
pub(crate) struct EventRow<'a> {
    pub seq: i64,
    pub event_id: Cow<'a, str>,
    pub declaration: bool,
    pub event_type: Cow<'a, str>,
    pub event_time_us: i64,
    pub tz_offset_min: i32,
    pub record_time_us: i64,
    pub action: Option<Cow<'a, str>>,
    pub biz_step: Option<Cow<'a, str>>,
    pub capture_id: Cow<'a, str>,
    pub body: String,
    /// Every identifier the event names, canonical, by role (`Event::identifiers`): what
    /// the backend indexes it by (SQLite: `event_identifier` rows; PostgreSQL: keys in a
    /// GIN-indexed array).
    pub identifiers: Vec<IdRef>,
    /// The link of the hash chain (`chain.rs`) this row carries.
    pub chain_hash: [u8; 32],
}

/// What decoding needs from a result row. Integer columns are INTEGER on SQLite and BIGINT
/// on PostgreSQL (`int`), except the small ones, INTEGER on both (`int32`).
pub(crate) trait Columns {
    fn int(&self, column: &str) -> Result<Option<i64>>;
    fn int32(&self, column: &str) -> Result<i32>;
    fn text(&self, column: &str) -> Result<Option<&str>>;
    fn flag(&self, column: &str) -> Result<bool>;
    fn bytes(&self, column: &str) -> Result<&[u8]>;
    fn opt_bytes(&self, column: &str) -> Result<Option<&[u8]>>;
}

impl Columns for SqliteRow {
    fn int(&self, column: &str) -> Result<Option<i64>> {
        Ok(self.try_get(column)?)
    }
    fn int32(&self, column: &str) -> Result<i32> {
        Ok(self.try_get(column)?)
    }
    fn text(&self, column: &str) -> Result<Option<&str>> {
        Ok(self.try_get(column)?)
    }
    fn flag(&self, column: &str) -> Result<bool> {
        Ok(self.try_get(column)?)
    }
    fn bytes(&self, column: &str) -> Result<&[u8]> {
        Ok(self.try_get(column)?)
    }
    fn opt_bytes(&self, column: &str) -> Result<Option<&[u8]>> {
        Ok(self.try_get(column)?)
    }
}

impl Columns for PgRow {
    fn int(&self, column: &str) -> Result<Option<i64>> {
        Ok(self.try_get(column)?)
    }
    fn int32(&self, column: &str) -> Result<i32> {
        Ok(self.try_get(column)?)
    }
    fn text(&self, column: &str) -> Result<Option<&str>> {
        Ok(self.try_get(column)?)
    }
    fn flag(&self, column: &str) -> Result<bool> {
        Ok(self.try_get(column)?)
    }
    fn bytes(&self, column: &str) -> Result<&[u8]> {
        Ok(self.try_get(column)?)
    }
    fn opt_bytes(&self, column: &str) -> Result<Option<&[u8]>> {
        Ok(self.try_get(column)?)
    }
}

fn not_null<T>(value: Option<T>, column: &str) -> Result<T> {
    value.ok_or_else(|| {
        StoreError::Database(sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: "unexpected NULL".into(),
        })
    })
}

pub(crate) fn int(row: &impl Columns, column: &str) -> Result<i64> {
    not_null(row.int(column)?, column)
}

fn text<'r>(row: &'r impl Columns, column: &str) -> Result<&'r str> {
    not_null(row.text(column)?, column)
}

fn opt_text(row: &impl Columns, column: &str) -> Result<Option<Cow<'static, str>>> {
    Ok(row.text(column)?.map(|s| Cow::Owned(s.to_owned())))
}

/// `seq, capture_id, body` into the event as stored.
pub(crate) fn stored_event(row: &impl Columns) -> Result<StoredEvent> {
    let seq = int(row, "seq")?;
    let event = serde_json::from_str(text(row, "body")?).map_err(|e| StoreError::Corrupt {
        seq,
        reason: e.to_string(),
    })?;
    Ok(StoredEvent {
        seq,
        capture_id: text(row, "capture_id")?.to_owned(),
        event,
    })
}

pub(crate) fn capture_job(row: &impl Columns) -> Result<CaptureJob> {
    Ok(CaptureJob {
        id: text(row, "id")?.to_owned(),
        created_at: from_us(int(row, "created_at_us")?),
        finished_at: row.int("finished_at_us")?.map(from_us),
        running: row.flag("running")?,
        success: row.flag("success")?,
        capture_error_behaviour: text(row, "error_behaviour")?.to_owned(),
        source: text(row, "source")?.to_owned(),
        events_read: int(row, "events_read")? as u64,
        events_stored: int(row, "events_stored")? as u64,
        events_already_present: int(row, "events_existing")? as u64,
        errors: serde_json::from_str(text(row, "errors_json")?).unwrap_or_default(),
    })
}

/// Every column of `event` (`sql::EVENT_COLUMNS`), identifiers left empty.
pub(crate) fn event_row(row: &impl Columns) -> Result<EventRow<'static>> {
    Ok(EventRow {
        seq: int(row, "seq")?,
        event_id: Cow::Owned(text(row, "event_id")?.to_owned()),
        declaration: row.flag("declaration")?,
        event_type: Cow::Owned(text(row, "event_type")?.to_owned()),
        event_time_us: int(row, "event_time_us")?,
        tz_offset_min: row.int32("tz_offset_min")?,
        record_time_us: int(row, "record_time_us")?,
        action: opt_text(row, "action")?,
        biz_step: opt_text(row, "biz_step")?,
        capture_id: Cow::Owned(text(row, "capture_id")?.to_owned()),
        body: text(row, "body")?.to_owned(),
        identifiers: Vec::new(),
        chain_hash: crate::chain::GENESIS,
    })
}

/// Fills in a row's identifiers from its body, as a capture would have: a copied store is
/// indexed by the current canonical forms. Returns the event the body holds.
pub(crate) fn index_from_body(row: &mut EventRow<'_>) -> Result<lotrace_epcis::Event> {
    let event: lotrace_epcis::Event =
        serde_json::from_str(&row.body).map_err(|e| StoreError::Corrupt {
            seq: row.seq,
            reason: e.to_string(),
        })?;
    row.identifiers = event.identifiers();
    Ok(event)
}

/// `event_id, declaration`: the key that makes a capture idempotent.
pub(crate) fn event_key(row: &impl Columns) -> Result<(String, bool)> {
    Ok((text(row, "event_id")?.to_owned(), row.flag("declaration")?))
}
