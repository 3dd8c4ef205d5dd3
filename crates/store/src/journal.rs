//! The recall journal: recalls and drills as append-only lists of entries (opened, hold,
//! notification, return, closed), each with who, when and a JSON body. A recall's state is
//! what its entries say, folded in order; nothing is updated or deleted, so the journal is
//! also the recall's audit trail.

use jiff::Timestamp;
use serde::Serialize;

use crate::rows::{self, Columns};
use crate::{Result, StoreError};

/// Most entries one recall holds (notifications, returns, holds).
pub const MAX_RECALL_ENTRIES: u32 = 100_000;
/// Longest JSON body of one entry, in bytes.
pub const MAX_RECALL_ENTRY_BYTES: usize = 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecallEntry {
    /// `R-00001` for a recall, `D-00001` for a drill.
    pub recall_id: String,
    /// 1 for the entry that opened it, then one more per entry.
    pub seq: u32,
    pub kind: String,
    pub at: Timestamp,
    pub actor: String,
    pub body: serde_json::Value,
}

/// What is new in an entry the caller appends.
#[derive(Clone, Debug)]
pub struct NewRecallEntry<'a> {
    pub kind: &'a str,
    pub actor: &'a str,
    pub body: &'a serde_json::Value,
}

/// The kinds of journal the store numbers: recalls and drills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JournalKind {
    Recall,
    Drill,
}

impl JournalKind {
    pub fn prefix(self) -> &'static str {
        match self {
            JournalKind::Recall => "R",
            JournalKind::Drill => "D",
        }
    }

    pub(crate) fn counter(self) -> String {
        format!("journal:{}", self.prefix())
    }
}

pub(crate) const INSERT: &str = "INSERT INTO recall_entry \
     (recall_id, seq, kind, at_us, actor, body) VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const LAST_SEQ: &str = "SELECT max(seq) FROM recall_entry WHERE recall_id = $1";
pub(crate) const OF_ONE: &str = "SELECT recall_id, seq, kind, at_us, actor, body \
     FROM recall_entry WHERE recall_id = $1 ORDER BY seq LIMIT $2";
/// Entries after (recall_id, seq) whose id starts with `$3`, in (id, seq) order.
pub(crate) const AFTER: &str = "SELECT recall_id, seq, kind, at_us, actor, body \
     FROM recall_entry WHERE (recall_id > $1 OR (recall_id = $1 AND seq > $2)) \
     AND recall_id LIKE $3 ORDER BY recall_id, seq LIMIT $4";

pub(crate) fn check(entry: &NewRecallEntry) -> Result<String> {
    let text = entry.body.to_string();
    if text.len() > MAX_RECALL_ENTRY_BYTES {
        return Err(StoreError::InvalidRecallEntry(format!(
            "an entry's body is at most {MAX_RECALL_ENTRY_BYTES} bytes, this one {}",
            text.len()
        )));
    }
    for (what, value) in [("kind", entry.kind), ("actor", entry.actor)] {
        if value.is_empty() || value.len() > 200 || value.chars().any(char::is_control) {
            return Err(StoreError::InvalidRecallEntry(format!(
                "the {what} must be 1 to 200 bytes without control characters"
            )));
        }
    }
    Ok(text)
}

pub(crate) fn from_row(row: &impl Columns) -> Result<RecallEntry> {
    let text =
        |column: &str| -> Result<String> { Ok(row.text(column)?.unwrap_or_default().to_owned()) };
    let body = text("body")?;
    Ok(RecallEntry {
        recall_id: text("recall_id")?,
        seq: rows::int(row, "seq")? as u32,
        kind: text("kind")?,
        at: crate::from_us(rows::int(row, "at_us")?),
        actor: text("actor")?,
        body: serde_json::from_str(&body).map_err(|e| {
            StoreError::InvalidRecallEntry(format!("stored entry cannot be read back: {e}"))
        })?,
    })
}
