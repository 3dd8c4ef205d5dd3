//! The hash chain over the event log: tamper evidence.
//!
//! Every event row carries `chain_hash`, a SHA-256 over the previous row's chain hash (32
//! zero bytes before the first event) and what identifies this record: its log position,
//! recordTime, eventID and whether it is an error declaration, its CBV 2.0 event hash ID
//! (which covers what the event says, however it was serialised), the capture job that
//! stored it and that job's `source` (who captured it). The capture computes it in its write
//! transaction, which holds the write lock, so links are made in log order and committed
//! with the rows they cover.
//!
//! `verify` recomputes every link from the rows as stored, in log order, and names the first
//! event whose stored hash differs, or whose body disagrees with its columns (eventID,
//! recordTime, declaration). Rows written before the chain existed get theirs when the
//! migration that added the column runs (`backfill_*`).
//!
//! The hash ID algorithm (`lotrace_epcis::hash`) is part of the chain: a change to it that
//! changes the hash ID of a stored event breaks the verification of existing stores.

use lotrace_epcis::Event;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, SqliteConnection};

use crate::rows::{self, Columns, EventRow};
use crate::{Result, StoreError, to_us};

/// The link before the first event.
pub(crate) const GENESIS: [u8; 32] = [0; 32];
/// Written first into every link: the format of the chain, should it ever change.
const LINK_TAG: &[u8] = b"lotrace-chain-v1\0";
/// Rows read per round trip when verifying or backfilling.
pub(crate) const CHAIN_BATCH_ROWS: u32 = 2_000;

/// Every column of `event`, its chain hash and its capture job's source, by position.
pub(crate) const CHAIN_ROWS_AFTER: &str = "SELECT seq, event_id, declaration, event_type, \
     event_time_us, tz_offset_min, record_time_us, action, biz_step, capture_id, body, \
     chain_hash, source \
     FROM event LEFT JOIN capture_job ON capture_job.id = event.capture_id \
     WHERE seq > $1 ORDER BY seq LIMIT $2";
/// The last event's position and chain hash. Writers read it holding the backend's write
/// lock, so positions are handed out, and become visible, in commit order.
pub(crate) const HEAD: &str = "SELECT seq, chain_hash FROM event ORDER BY seq DESC LIMIT 1";

/// What one link covers besides the previous link.
pub(crate) struct Link<'a> {
    pub seq: i64,
    pub record_time_us: i64,
    pub event_id: &'a str,
    pub declaration: bool,
    /// The CBV 2.0 event hash ID (`lotrace_epcis::event_hash_id`).
    pub hash_id: &'a str,
    pub capture_id: &'a str,
    /// The capture job's source; None when the job is missing (which no capture writes).
    pub source: Option<&'a str>,
}

/// The chain hash of `link` after `prev`.
pub(crate) fn link(prev: &[u8; 32], link: &Link<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(LINK_TAG);
    h.update(prev);
    h.update(link.seq.to_be_bytes());
    h.update(link.record_time_us.to_be_bytes());
    h.update([u8::from(link.declaration)]);
    // Length-prefixed, so that no two different records hash the same bytes.
    for field in [link.event_id, link.hash_id, link.capture_id] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    match link.source {
        Some(source) => {
            h.update([1]);
            h.update((source.len() as u64).to_be_bytes());
            h.update(source.as_bytes());
        }
        None => h.update([0]),
    }
    h.finalize().into()
}

/// The outcome of `Store::verify_chain`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainReport {
    /// Events checked (all of them when the chain holds; up to the first bad one otherwise).
    pub events: u64,
    /// The last log position checked and its chain hash (hex): the head of the chain when it
    /// holds. Keep the head elsewhere (or sign it) to detect a rewrite of the whole chain.
    pub head_seq: i64,
    pub head: String,
    /// The first event that does not match, if any.
    pub broken: Option<ChainBreak>,
}

impl ChainReport {
    pub fn ok(&self) -> bool {
        self.broken.is_none()
    }
}

/// The first event whose stored chain hash (or body) does not match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainBreak {
    pub seq: i64,
    #[serde(rename = "eventID")]
    pub event_id: String,
    /// The chain hash recomputed from the row and the previous link (hex), when the row
    /// can be read at all.
    pub expected: Option<String>,
    /// The chain hash stored in the row (hex), None when it is missing.
    pub stored: Option<String>,
    pub reason: String,
}

/// One row of `CHAIN_ROWS_AFTER`.
pub(crate) struct ChainRow {
    pub row: EventRow<'static>,
    pub stored: Option<Vec<u8>>,
    pub source: Option<String>,
}

pub(crate) fn chain_row(row: &impl Columns) -> Result<ChainRow> {
    Ok(ChainRow {
        row: rows::event_row(row)?,
        stored: row.opt_bytes("chain_hash")?.map(<[u8]>::to_vec),
        source: row.text("source")?.map(str::to_owned),
    })
}

/// Walks the chain in log order, one row at a time.
pub(crate) struct Walker {
    prev: [u8; 32],
    prev_seq: i64,
    events: u64,
}

impl Walker {
    pub fn new() -> Walker {
        Walker {
            prev: GENESIS,
            prev_seq: 0,
            events: 0,
        }
    }

    /// Checks the next row against the chain so far (`event`: its body, parsed); on success
    /// the row becomes the head and its chain hash is returned.
    pub fn check(
        &mut self,
        row: &ChainRow,
        event: std::result::Result<&Event, String>,
    ) -> std::result::Result<[u8; 32], Box<ChainBreak>> {
        let r = &row.row;
        let stored = row.stored.as_deref().map(hex::encode);
        let broken = |expected: Option<[u8; 32]>, reason: String| {
            Box::new(ChainBreak {
                seq: r.seq,
                event_id: r.event_id.to_string(),
                expected: expected.map(hex::encode),
                stored: stored.clone(),
                reason,
            })
        };
        let event = event.map_err(|e| broken(None, format!("the body is not an event: {e}")))?;
        let hash_id = lotrace_epcis::event_hash_id(event);
        let expected = link(
            &self.prev,
            &Link {
                seq: r.seq,
                record_time_us: r.record_time_us,
                event_id: &r.event_id,
                declaration: r.declaration,
                hash_id: &hash_id,
                capture_id: &r.capture_id,
                source: row.source.as_deref(),
            },
        );
        if row.stored.as_deref() != Some(&expected[..]) {
            let reason = if row.stored.is_none() {
                "the chain hash is missing".to_owned()
            } else if r.seq != self.prev_seq + 1 {
                format!(
                    "the chain hash does not match, and the log jumps from position {} to {}: \
                     events were removed",
                    self.prev_seq, r.seq
                )
            } else if row.source.is_none() {
                format!("the capture job {} of this event is missing", r.capture_id)
            } else {
                "the chain hash does not match: the event, its record metadata (position, \
                 record time, capture) or the stored hash was changed"
                    .to_owned()
            };
            return Err(broken(Some(expected), reason));
        }
        // The columns queries use must say what the body says.
        let body_id = event.event_id.as_deref().unwrap_or_default();
        let mismatch = if body_id != r.event_id {
            Some(format!(
                "the body's eventID {body_id:?} differs from the row's"
            ))
        } else if event.error_declaration.is_some() != r.declaration {
            Some("the body's errorDeclaration differs from the row's".to_owned())
        } else if event.record_time.as_ref().map(|t| to_us(t.instant)) != Some(r.record_time_us) {
            Some("the body's recordTime differs from the row's".to_owned())
        } else if to_us(event.event_time.instant) != r.event_time_us
            || event.event_type.as_str() != r.event_type
        {
            Some("the body's eventType or eventTime differs from the row's".to_owned())
        } else {
            None
        };
        if let Some(reason) = mismatch {
            return Err(broken(Some(expected), reason));
        }
        self.prev = expected;
        self.prev_seq = r.seq;
        self.events += 1;
        Ok(expected)
    }

    pub fn report(&self, broken: Option<Box<ChainBreak>>) -> ChainReport {
        ChainReport {
            events: self.events,
            head_seq: self.prev_seq,
            head: if self.events == 0 {
                String::new()
            } else {
                hex::encode(self.prev)
            },
            broken: broken.map(|b| *b),
        }
    }
}

/// Parses a stored body for checking.
pub(crate) fn parse_body(body: &str) -> std::result::Result<Event, String> {
    serde_json::from_str(body).map_err(|e| e.to_string())
}

/// The next log position and the chain hash it links to, from the last row (`HEAD`; none
/// in an empty log). A head without a hash (a row written by a binary older than the
/// chain) links as the genesis; `verify` reports that row.
pub(crate) fn head_from(last: Option<(i64, Option<Vec<u8>>)>) -> (i64, [u8; 32]) {
    let Some((seq, hash)) = last else {
        return (1, GENESIS);
    };
    let link = hash
        .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
        .unwrap_or(GENESIS);
    (seq + 1, link)
}

/// Computes the chain over rows that have none, in log order, inside the migration that
/// adds the column. A row whose body cannot be read fails the migration.
pub(crate) async fn backfill_sqlite(conn: &mut SqliteConnection) -> Result<u64> {
    let mut prev = GENESIS;
    let mut after = 0i64;
    let mut done = 0u64;
    loop {
        let batch = sqlx::query(CHAIN_ROWS_AFTER)
            .bind(after)
            .bind(i64::from(CHAIN_BATCH_ROWS))
            .fetch_all(&mut *conn)
            .await?;
        let Some(last) = batch.last() else {
            return Ok(done);
        };
        after = rows::int(last, "seq")?;
        for row in &batch {
            let row = chain_row(row)?;
            prev = backfill_link(&prev, &row)?;
            sqlx::query("UPDATE event SET chain_hash = $1 WHERE seq = $2")
                .bind(&prev[..])
                .bind(row.row.seq)
                .execute(&mut *conn)
                .await?;
            done += 1;
        }
    }
}

/// `backfill_sqlite` on PostgreSQL: one UPDATE per batch.
pub(crate) async fn backfill_postgres(conn: &mut PgConnection) -> Result<u64> {
    let mut prev = GENESIS;
    let mut after = 0i64;
    let mut done = 0u64;
    loop {
        let batch = sqlx::query(CHAIN_ROWS_AFTER)
            .bind(after)
            .bind(i64::from(CHAIN_BATCH_ROWS))
            .fetch_all(&mut *conn)
            .await?;
        let Some(last) = batch.last() else {
            return Ok(done);
        };
        after = rows::int(last, "seq")?;
        let mut seqs = Vec::with_capacity(batch.len());
        let mut hashes: Vec<Vec<u8>> = Vec::with_capacity(batch.len());
        for row in &batch {
            let row = chain_row(row)?;
            prev = backfill_link(&prev, &row)?;
            seqs.push(row.row.seq);
            hashes.push(prev.to_vec());
        }
        sqlx::query(
            "UPDATE event SET chain_hash = v.h FROM unnest($1::BIGINT[], $2::BYTEA[]) AS v(seq, h) \
             WHERE event.seq = v.seq",
        )
        .bind(&seqs)
        .bind(&hashes)
        .execute(&mut *conn)
        .await?;
        done += batch.len() as u64;
    }
}

fn backfill_link(prev: &[u8; 32], row: &ChainRow) -> Result<[u8; 32]> {
    let r = &row.row;
    let event = parse_body(&r.body).map_err(|reason| StoreError::Corrupt { seq: r.seq, reason })?;
    let hash_id = lotrace_epcis::event_hash_id(&event);
    Ok(link(
        prev,
        &Link {
            seq: r.seq,
            record_time_us: r.record_time_us,
            event_id: &r.event_id,
            declaration: r.declaration,
            hash_id: &hash_id,
            capture_id: &r.capture_id,
            source: row.source.as_deref(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample<'a>(source: Option<&'a str>) -> Link<'a> {
        Link {
            seq: 1,
            record_time_us: 1_700_000_000_000_000,
            event_id: "urn:uuid:1",
            declaration: false,
            hash_id: "ni:///sha-256;00?ver=CBV2.0",
            capture_id: "c1",
            source,
        }
    }

    #[test]
    fn every_field_and_the_previous_link_change_the_hash() {
        let base = link(&GENESIS, &sample(Some("http")));
        assert_ne!(base, link(&[1; 32], &sample(Some("http"))));
        assert_ne!(base, link(&GENESIS, &sample(Some("demo"))));
        assert_ne!(base, link(&GENESIS, &sample(None)));
        assert_ne!(base, link(&GENESIS, &sample(Some(""))));
        let mut other = sample(Some("http"));
        other.seq = 2;
        assert_ne!(base, link(&GENESIS, &other));
        let mut other = sample(Some("http"));
        other.record_time_us += 1;
        assert_ne!(base, link(&GENESIS, &other));
        let mut other = sample(Some("http"));
        other.declaration = true;
        assert_ne!(base, link(&GENESIS, &other));
        // Moving bytes from one field to the next is a different record.
        let mut other = sample(Some("http"));
        other.event_id = "urn:uuid:1c";
        other.capture_id = "1";
        assert_ne!(base, link(&GENESIS, &other));
        assert_eq!(base, link(&GENESIS, &sample(Some("http"))));
    }
}
