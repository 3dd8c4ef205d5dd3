//! Schema migrations, embedded in the binary and run on every start.
//!
//! Each migration runs once, in its own transaction, recorded in `schema_migration`.
//! Migrations are append-only: never edit one that has shipped, add the next. Each backend
//! has its own folder (`migrations/sqlite`, `migrations/postgres`) because DDL differs;
//! a change to the schema adds a file with the same version to both.

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, SqlitePool};

use crate::Result;

/// (version, description, SQL) in the order they apply.
type Migration = (i64, &'static str, &'static str);

const SQLITE_MIGRATIONS: &[Migration] = &[
    (
        1,
        "event log",
        include_str!("../migrations/sqlite/0001_event_log.sql"),
    ),
    (
        2,
        "master data",
        include_str!("../migrations/sqlite/0002_master_data.sql"),
    ),
    (
        3,
        "store indexes only",
        include_str!("../migrations/sqlite/0003_store_indexes_only.sql"),
    ),
    (
        4,
        "event query indexes",
        include_str!("../migrations/sqlite/0004_event_query_indexes.sql"),
    ),
    (
        5,
        "documents",
        include_str!("../migrations/sqlite/0005_documents.sql"),
    ),
    (
        6,
        "recall journal",
        include_str!("../migrations/sqlite/0006_recall_journal.sql"),
    ),
    (
        7,
        "named queries, subscriptions, capture reports",
        include_str!("../migrations/sqlite/0007_named_queries.sql"),
    ),
    (
        SQLITE_CHAIN_VERSION,
        "hash chain",
        include_str!("../migrations/sqlite/0008_hash_chain.sql"),
    ),
    (
        9,
        "bills of materials, production orders",
        include_str!("../migrations/sqlite/0009_bom.sql"),
    ),
    (
        10,
        "users, API tokens, web sessions, audit trail",
        include_str!("../migrations/sqlite/0010_auth.sql"),
    ),
    (
        SQLITE_AUDIT_CHAIN_VERSION,
        "audit trail hash chain",
        include_str!("../migrations/sqlite/0011_audit_chain.sql"),
    ),
    (
        12,
        "drop unread columns",
        include_str!("../migrations/sqlite/0012_drop_unread_columns.sql"),
    ),
];

const POSTGRES_MIGRATIONS: &[Migration] = &[
    (
        1,
        "event log",
        include_str!("../migrations/postgres/0001_event_log.sql"),
    ),
    (
        2,
        "master data",
        include_str!("../migrations/postgres/0002_master_data.sql"),
    ),
    (
        3,
        "event query indexes",
        include_str!("../migrations/postgres/0003_event_query_indexes.sql"),
    ),
    (
        4,
        "documents",
        include_str!("../migrations/postgres/0004_documents.sql"),
    ),
    (
        5,
        "recall journal",
        include_str!("../migrations/postgres/0005_recall_journal.sql"),
    ),
    (
        6,
        "named queries, subscriptions, capture reports",
        include_str!("../migrations/postgres/0006_named_queries.sql"),
    ),
    (
        POSTGRES_CHAIN_VERSION,
        "hash chain",
        include_str!("../migrations/postgres/0007_hash_chain.sql"),
    ),
    (
        8,
        "bills of materials, production orders",
        include_str!("../migrations/postgres/0008_bom.sql"),
    ),
    (
        9,
        "users, API tokens, web sessions, audit trail",
        include_str!("../migrations/postgres/0009_auth.sql"),
    ),
    (
        POSTGRES_AUDIT_CHAIN_VERSION,
        "audit trail hash chain",
        include_str!("../migrations/postgres/0010_audit_chain.sql"),
    ),
    (
        POSTGRES_REKEY_VERSION,
        "identifier keys without roles",
        include_str!("../migrations/postgres/0011_identifier_keys_per_identifier.sql"),
    ),
    (
        12,
        "drop unread columns",
        include_str!("../migrations/postgres/0012_drop_unread_columns.sql"),
    ),
];

/// The migrations that add the hash chain: the rows already stored get their links in the
/// same transaction (`chain::backfill_*`).
const SQLITE_CHAIN_VERSION: i64 = 8;
const POSTGRES_CHAIN_VERSION: i64 = 7;
/// The migrations that add the audit trail's chain (`audit_chain::backfill_*`).
const SQLITE_AUDIT_CHAIN_VERSION: i64 = 11;
const POSTGRES_AUDIT_CHAIN_VERSION: i64 = 10;
/// The migration that rekeys the identifier index (`postgres::rekey`).
const POSTGRES_REKEY_VERSION: i64 = 11;

const CREATE_MIGRATION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migration (\
     version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at_us BIGINT NOT NULL)";
const IS_APPLIED: &str = "SELECT version FROM schema_migration WHERE version = $1";
const RECORD: &str =
    "INSERT INTO schema_migration (version, description, applied_at_us) VALUES ($1, $2, $3)";

/// Advisory lock keys (PostgreSQL): a class constant and the schema, so that stores in
/// different schemas of one database do not wait for each other.
pub(crate) const LOCK_CLASS_MIGRATE: i32 = 0x6c6f_7401;
pub(crate) const LOCK_CLASS_CAPTURE: i32 = 0x6c6f_7402;

pub async fn run_sqlite(pool: &SqlitePool) -> Result<()> {
    sqlx::query(CREATE_MIGRATION_TABLE).execute(pool).await?;
    for &(version, description, sql) in SQLITE_MIGRATIONS {
        // BEGIN IMMEDIATE: a second process opening the same file waits here, then sees the
        // migration applied.
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let applied: Option<i64> = sqlx::query_scalar(IS_APPLIED)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?;
        if applied.is_none() {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await?;
            if version == SQLITE_CHAIN_VERSION {
                crate::chain::backfill_sqlite(&mut tx).await?;
            }
            if version == SQLITE_AUDIT_CHAIN_VERSION {
                crate::audit_chain::backfill_sqlite(&mut tx).await?;
            }
            sqlx::query(RECORD)
                .bind(version)
                .bind(description)
                .bind(jiff::Timestamp::now().as_microsecond())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Runs the PostgreSQL migrations under a session advisory lock, on a connection of its own
/// that is closed at the end: two servers starting at once apply each migration once, and a
/// crash mid-way releases the lock with the connection.
pub async fn run_postgres(options: &PgConnectOptions) -> Result<()> {
    let mut conn = PgConnection::connect_with(options).await?;
    sqlx::query("SELECT pg_advisory_lock($1, hashtext(current_schema()))")
        .bind(LOCK_CLASS_MIGRATE)
        .execute(&mut conn)
        .await?;
    sqlx::query(CREATE_MIGRATION_TABLE)
        .execute(&mut conn)
        .await?;
    for &(version, description, sql) in POSTGRES_MIGRATIONS {
        let mut tx = conn.begin().await?;
        let applied: Option<i64> = sqlx::query_scalar(IS_APPLIED)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?;
        if applied.is_none() {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await?;
            if version == POSTGRES_CHAIN_VERSION {
                crate::chain::backfill_postgres(&mut tx).await?;
                sqlx::query("ALTER TABLE event ALTER COLUMN chain_hash SET NOT NULL")
                    .execute(&mut *tx)
                    .await?;
            }
            if version == POSTGRES_AUDIT_CHAIN_VERSION {
                crate::audit_chain::backfill_postgres(&mut tx).await?;
            }
            if version == POSTGRES_REKEY_VERSION {
                crate::postgres::rekey(&mut tx).await?;
            }
            sqlx::query(RECORD)
                .bind(version)
                .bind(description)
                .bind(jiff::Timestamp::now().as_microsecond())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    // Closing ends the session, which releases the lock.
    conn.close().await?;
    Ok(())
}
