//! The hash chain over the audit trail: tamper evidence for who did what.
//!
//! Every audit row carries `chain_hash`, a SHA-256 over the previous row's chain hash (32
//! zero bytes before the first row) and this row's own fields: its position (`seq`), time,
//! actor, actor kind, role, method, path, status, summary and address. `append` computes it
//! in the transaction that inserts the row, holding the write lock (SQLite's `BEGIN
//! IMMEDIATE`, a PostgreSQL advisory lock), so links follow the positions. Rows stored
//! before the chain existed get theirs when the migration that adds the column runs
//! (`backfill`).
//!
//! `Store::verify_audit_chain` recomputes every link in position order and names the first
//! row whose stored hash differs: an edited field, a row removed from the middle, a row
//! inserted by hand. Like the event chain it cannot tell a rewrite of the whole chain from
//! the edited row on, nor rows dropped from its end: keep the head elsewhere.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::AuditEntry;
use crate::rows::Columns;
use crate::{Backend, Result, Store, read_rows, to_us};

/// The link before the first row.
const GENESIS: [u8; 32] = [0; 32];
/// Written first into every link: the format of the chain, should it ever change.
const LINK_TAG: &[u8] = b"lotrace-audit-v1\0";
/// Rows read per round trip when verifying or backfilling.
const AUDIT_CHAIN_BATCH_ROWS: i64 = 2_000;
/// The advisory lock class of audit appends (PostgreSQL), beside `migrate::LOCK_CLASS_*`.
const LOCK_CLASS_AUDIT: i32 = 0x6c6f_7403;

const ROWS_AFTER: &str = "SELECT seq, at_us, actor, actor_kind, role, method, path, status, \
     summary, address, chain_hash FROM audit_entry WHERE seq > $1 ORDER BY seq LIMIT $2";
const HEAD: &str = "SELECT chain_hash FROM audit_entry ORDER BY seq DESC LIMIT 1";
const SET_HASH: &str = "UPDATE audit_entry SET chain_hash = $1 WHERE seq = $2";
const INSERT: &str = "INSERT INTO audit_entry (at_us, actor, actor_kind, role, method, path, \
     status, summary, address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq";

/// The chain hash of `entry` after `prev`.
fn link(prev: &[u8; 32], entry: &AuditEntry) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(LINK_TAG);
    h.update(prev);
    h.update(entry.seq.to_be_bytes());
    h.update(to_us(entry.at).to_be_bytes());
    h.update(entry.status.to_be_bytes());
    // Length-prefixed, so that no two different rows hash the same bytes.
    for field in [
        &entry.actor,
        &entry.actor_kind,
        &entry.role,
        &entry.method,
        &entry.path,
        &entry.summary,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    match &entry.address {
        Some(address) => {
            h.update([1]);
            h.update((address.len() as u64).to_be_bytes());
            h.update(address.as_bytes());
        }
        None => h.update([0]),
    }
    h.finalize().into()
}

fn stored_hash(row: &impl Columns) -> Result<Option<Vec<u8>>> {
    Ok(row.opt_bytes("chain_hash")?.map(<[u8]>::to_vec))
}

/// The outcome of `Store::verify_audit_chain`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditChainReport {
    /// Rows checked (all of them when the chain holds; those before the first bad one
    /// otherwise).
    pub entries: u64,
    /// The last position checked and its chain hash (hex): the head when the chain holds.
    pub head_seq: i64,
    pub head: String,
    pub broken: Option<AuditChainBreak>,
}

impl AuditChainReport {
    pub fn ok(&self) -> bool {
        self.broken.is_none()
    }
}

/// The first audit row whose stored chain hash does not match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditChainBreak {
    pub seq: i64,
    pub actor: String,
    pub path: String,
    pub reason: String,
    /// Hex of the hash the row should carry, and of the one it does (None: no hash).
    pub expected: String,
    pub stored: Option<String>,
}

/// Runs `$body` with `$tx` a write transaction that holds the audit write lock.
macro_rules! with_audit_tx {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.backend {
            Backend::Sqlite(b) => {
                let mut $tx = b.writer_pool().begin_with("BEGIN IMMEDIATE").await?;
                let value = $body;
                $tx.commit().await?;
                value
            }
            Backend::Postgres(b) => {
                let mut $tx = b.pool().begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))")
                    .bind(LOCK_CLASS_AUDIT)
                    .execute(&mut *$tx)
                    .await?;
                let value = $body;
                $tx.commit().await?;
                value
            }
        }
    };
}

/// Inserts `entry` (its `seq` ignored) linked to the last row; its position.
macro_rules! append_in {
    ($tx:ident, $entry:expr) => {{
        let entry: &AuditEntry = $entry;
        let head: Option<Option<Vec<u8>>> =
            sqlx::query_scalar(HEAD).fetch_optional(&mut *$tx).await?;
        let prev = head
            .flatten()
            .and_then(|h| <[u8; 32]>::try_from(h).ok())
            .unwrap_or(GENESIS);
        let seq: i64 = sqlx::query_scalar(INSERT)
            .bind(to_us(entry.at))
            .bind(entry.actor.as_str())
            .bind(entry.actor_kind.as_str())
            .bind(entry.role.as_str())
            .bind(entry.method.as_str())
            .bind(entry.path.as_str())
            .bind(i32::from(entry.status))
            .bind(entry.summary.as_str())
            .bind(entry.address.as_deref())
            .fetch_one(&mut *$tx)
            .await?;
        let hash = link(
            &prev,
            &AuditEntry {
                seq,
                ..entry.clone()
            },
        );
        sqlx::query(SET_HASH)
            .bind(&hash[..])
            .bind(seq)
            .execute(&mut *$tx)
            .await?;
        seq
    }};
}

/// Links every row in position order (the migration that adds the column); rows linked.
macro_rules! backfill_in {
    ($conn:expr) => {{
        let mut prev = GENESIS;
        let mut after = 0i64;
        let mut done = 0u64;
        loop {
            let batch = sqlx::query(ROWS_AFTER)
                .bind(after)
                .bind(AUDIT_CHAIN_BATCH_ROWS)
                .fetch_all(&mut *$conn)
                .await?;
            let Some(last) = batch.last() else { break };
            after = crate::rows::int(last, "seq")?;
            for row in &batch {
                let entry = crate::auth::audit(row)?;
                prev = link(&prev, &entry);
                sqlx::query(SET_HASH)
                    .bind(&prev[..])
                    .bind(entry.seq)
                    .execute(&mut *$conn)
                    .await?;
                done += 1;
            }
        }
        Ok(done)
    }};
}

pub(crate) async fn backfill_sqlite(conn: &mut sqlx::SqliteConnection) -> Result<u64> {
    backfill_in!(conn)
}

pub(crate) async fn backfill_postgres(conn: &mut sqlx::PgConnection) -> Result<u64> {
    backfill_in!(conn)
}

impl Store {
    /// Appends `entry` to the audit trail with its chain link, in one transaction under the
    /// audit write lock; its position.
    pub(crate) async fn append_audit_chained(&self, entry: &AuditEntry) -> Result<i64> {
        Ok(with_audit_tx!(self, |tx| append_in!(tx, entry)))
    }

    /// Recomputes the audit trail's chain in position order; names the first row that does
    /// not match.
    pub async fn verify_audit_chain(&self) -> Result<AuditChainReport> {
        let mut prev = GENESIS;
        let (mut entries, mut head_seq, mut after) = (0u64, 0i64, 0i64);
        loop {
            let batch = read_rows!(
                self,
                |r| Ok((crate::auth::audit(r)?, stored_hash(r)?)),
                ROWS_AFTER,
                after,
                AUDIT_CHAIN_BATCH_ROWS
            )?;
            let Some((last, _)) = batch.last() else { break };
            after = last.seq;
            for (entry, stored) in batch {
                let expected = link(&prev, &entry);
                if stored.as_deref() != Some(&expected[..]) {
                    let reason = match &stored {
                        None => "the row has no chain hash".to_owned(),
                        Some(_) => "the stored chain hash does not match the row's fields and \
                                    the row before it (a field edited, or a row removed or \
                                    inserted before it)"
                            .to_owned(),
                    };
                    return Ok(AuditChainReport {
                        entries,
                        head_seq,
                        head: if entries == 0 {
                            String::new()
                        } else {
                            hex::encode(prev)
                        },
                        broken: Some(AuditChainBreak {
                            seq: entry.seq,
                            actor: entry.actor,
                            path: entry.path,
                            reason,
                            expected: hex::encode(expected),
                            stored: stored.map(hex::encode),
                        }),
                    });
                }
                prev = expected;
                head_seq = entry.seq;
                entries += 1;
            }
        }
        Ok(AuditChainReport {
            entries,
            head_seq,
            head: if entries == 0 {
                String::new()
            } else {
                hex::encode(prev)
            },
            broken: None,
        })
    }
}
