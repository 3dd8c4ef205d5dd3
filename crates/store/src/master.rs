//! Master data (products, locations, parties) as versioned JSON records, and counters
//! (lot-number sequences, SSCC serials).
//!
//! Both are written through a `Writer`, under the same write lock as captures: a record's
//! version and a counter's value are checked and advanced without a race, and counters
//! advance in the same transaction as the events that use their numbers.

use jiff::Timestamp;
use serde::Serialize;

use crate::rows::Columns;
use crate::writer::Writer;
use crate::{Result, StoreError, from_us, to_us};

/// One version of a master data record.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MasterRecord {
    /// "product", "location", "party", ...: the store does not interpret it.
    pub kind: String,
    pub code: String,
    /// 1 for a new record, one more with every change.
    pub version: u64,
    pub body: serde_json::Value,
    pub updated_at: Timestamp,
}

/// "Counter `name` moves to `value`": valid only if it stands at `value - 1` (0 for a
/// counter never drawn), so that numbers are handed out once and without gaps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CounterStep {
    pub name: String,
    pub value: u64,
}

pub(crate) const MASTER_VERSION: &str =
    "SELECT version FROM master_record WHERE kind = $1 AND code = $2";
pub(crate) const MASTER_RECORDS: &str = "SELECT kind, code, version, body, updated_at_us \
     FROM master_record WHERE kind = $1 ORDER BY code";
pub(crate) const MASTER_RECORD: &str = "SELECT kind, code, version, body, updated_at_us \
     FROM master_record WHERE kind = $1 AND code = $2";
pub(crate) const UPSERT_MASTER: &str = "INSERT INTO master_record \
     (kind, code, version, body, updated_at_us) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (kind, code) DO UPDATE SET version = excluded.version, body = excluded.body, \
     updated_at_us = excluded.updated_at_us";
pub(crate) const INSERT_HISTORY: &str = "INSERT INTO master_history \
     (kind, code, version, body, updated_at_us) VALUES ($1, $2, $3, $4, $5)";
/// Every version of every record, in key order, for copying a store.
pub(crate) const HISTORY_AFTER: &str = "SELECT kind, code, version, body, updated_at_us \
     FROM master_history WHERE (kind, code, version) > ($1, $2, $3) \
     ORDER BY kind, code, version LIMIT $4";
pub(crate) const COUNTER: &str = "SELECT value FROM counter WHERE name = $1";
pub(crate) const SET_COUNTER: &str = "INSERT INTO counter (name, value) VALUES ($1, $2) \
     ON CONFLICT (name) DO UPDATE SET value = excluded.value";
pub(crate) const COUNTERS: &str = "SELECT name, value FROM counter ORDER BY name";

pub(crate) fn record(row: &impl Columns) -> Result<MasterRecord> {
    let text =
        |column: &str| -> Result<String> { Ok(row.text(column)?.unwrap_or_default().to_owned()) };
    let body = text("body")?;
    Ok(MasterRecord {
        kind: text("kind")?,
        code: text("code")?,
        version: row.int("version")?.unwrap_or_default() as u64,
        body: serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
            seq: 0,
            reason: format!("master record body: {e}"),
        })?,
        updated_at: from_us(row.int("updated_at_us")?.unwrap_or_default()),
    })
}

pub(crate) fn counter(row: &impl Columns) -> Result<(String, u64)> {
    Ok((
        row.text("name")?.unwrap_or_default().to_owned(),
        row.int("value")?.unwrap_or_default() as u64,
    ))
}

/// Creates (`expected_version` None) or replaces (Some: the version the caller read) a
/// record, keeping every version; returns the record as stored.
pub(crate) async fn put(
    mut writer: Writer,
    kind: &str,
    code: &str,
    body: &serde_json::Value,
    expected_version: Option<u64>,
) -> Result<MasterRecord> {
    let found = writer.master_version(kind, code).await?;
    let version = match (expected_version, found) {
        (None, None) => 1,
        (None, Some(_)) => {
            return Err(StoreError::MasterExists {
                kind: kind.to_owned(),
                code: code.to_owned(),
            });
        }
        (Some(expected), Some(current)) if expected == current => current + 1,
        (Some(expected), found) => {
            return Err(StoreError::MasterConflict {
                kind: kind.to_owned(),
                code: code.to_owned(),
                expected,
                found,
            });
        }
    };
    let record = MasterRecord {
        kind: kind.to_owned(),
        code: code.to_owned(),
        version,
        body: body.clone(),
        updated_at: from_us(to_us(Timestamp::now())),
    };
    writer.write_master(&record).await?;
    writer.commit(0).await?;
    Ok(record)
}

/// Creates every record of `records` (kind, code, body) in one transaction: all or none.
/// A code already taken (or given twice) is `MasterExists` and nothing is stored.
pub(crate) async fn create_many(
    mut writer: Writer,
    records: &[(String, String, serde_json::Value)],
) -> Result<Vec<MasterRecord>> {
    let now = from_us(to_us(Timestamp::now()));
    let mut stored: Vec<MasterRecord> = Vec::with_capacity(records.len());
    for (kind, code, body) in records {
        let taken = writer.master_version(kind, code).await?.is_some()
            || stored.iter().any(|r| &r.kind == kind && &r.code == code);
        if taken {
            // Dropping the writer rolls the transaction back.
            return Err(StoreError::MasterExists {
                kind: kind.clone(),
                code: code.clone(),
            });
        }
        let record = MasterRecord {
            kind: kind.clone(),
            code: code.clone(),
            version: 1,
            body: body.clone(),
            updated_at: now,
        };
        writer.write_master(&record).await?;
        stored.push(record);
    }
    writer.commit(0).await?;
    Ok(stored)
}

/// Checks that every counter stands just below its step and advances it; a counter drawn
/// meanwhile by another writer is a `CounterConflict` (the caller draws again).
pub(crate) async fn advance(writer: &mut Writer, steps: &[CounterStep]) -> Result<()> {
    for step in steps {
        let found = writer.counter_value(&step.name).await?;
        let expected = step.value.saturating_sub(1);
        if step.value == 0 || found != expected {
            return Err(StoreError::CounterConflict {
                name: step.name.clone(),
                expected,
                found,
            });
        }
        writer.set_counter(&step.name, step.value).await?;
    }
    Ok(())
}
