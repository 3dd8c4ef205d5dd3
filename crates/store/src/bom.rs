//! Bills of materials and production orders beside the log. A BOM version is inserted once
//! and never updated (produced events name it); an order row changes only its status, and
//! only from the status the caller read. The store does not interpret the JSON bodies
//! (lotrace-bom does): it keys, orders and limits them.

use jiff::Timestamp;
use serde::Serialize;

use crate::rows::{self, Columns};
use crate::{Backend, Result, Store, StoreError, from_us, to_us};

/// The largest JSON body of a BOM version or an order, in bytes.
pub const MAX_BOM_BODY_BYTES: usize = 256 * 1024;
/// The most rows one list answers (BOM versions, orders).
pub const MAX_BOM_ROWS: u32 = 10_000;

/// One stored BOM version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BomRow {
    pub code: String,
    pub version: u64,
    pub product: String,
    pub body: serde_json::Value,
    pub created_at: Timestamp,
}

/// One stored production order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderRow {
    pub id: String,
    pub product: String,
    pub bom: String,
    pub bom_version: u64,
    pub status: String,
    pub body: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

macro_rules! bom_write {
    ($store:expr, $sql:expr $(, $bind:expr)*) => {
        match &$store.backend {
            Backend::Sqlite(b) => sqlx::query($sql)$(.bind($bind))*.execute(b.writer_pool()).await?.rows_affected(),
            Backend::Postgres(b) => sqlx::query($sql)$(.bind($bind))*.execute(b.pool()).await?.rows_affected(),
        }
    };
}

macro_rules! bom_read {
    ($store:expr, $decode:expr, $sql:expr $(, $bind:expr)*) => {
        match &$store.backend {
            Backend::Sqlite(b) => sqlx::query($sql)$(.bind($bind))*.fetch_all(b.reader_pool()).await?.iter().map($decode).collect::<Result<Vec<_>>>(),
            Backend::Postgres(b) => sqlx::query($sql)$(.bind($bind))*.fetch_all(b.pool()).await?.iter().map($decode).collect::<Result<Vec<_>>>(),
        }
    };
}

fn text(row: &impl Columns, column: &str) -> Result<String> {
    Ok(row.text(column)?.unwrap_or_default().to_owned())
}

fn body(row: &impl Columns, what: &str) -> Result<serde_json::Value> {
    serde_json::from_str(&text(row, "body")?).map_err(|e| StoreError::Corrupt {
        seq: 0,
        reason: format!("{what} body: {e}"),
    })
}

pub(crate) fn bom_row(row: &impl Columns) -> Result<BomRow> {
    Ok(BomRow {
        code: text(row, "code")?,
        version: rows::int(row, "version")? as u64,
        product: text(row, "product")?,
        body: body(row, "BOM version")?,
        created_at: from_us(rows::int(row, "created_at_us")?),
    })
}

pub(crate) fn order_row(row: &impl Columns) -> Result<OrderRow> {
    Ok(OrderRow {
        id: text(row, "id")?,
        product: text(row, "product")?,
        bom: text(row, "bom")?,
        bom_version: rows::int(row, "bom_version")? as u64,
        status: text(row, "status")?,
        body: body(row, "production order")?,
        created_at: from_us(rows::int(row, "created_at_us")?),
        updated_at: from_us(rows::int(row, "updated_at_us")?),
    })
}

fn checked_body(body: &serde_json::Value) -> Result<String> {
    let text = body.to_string();
    if text.len() > MAX_BOM_BODY_BYTES {
        return Err(StoreError::InvalidDocument(format!(
            "a BOM or order is at most {MAX_BOM_BODY_BYTES} bytes of JSON, this one {}",
            text.len()
        )));
    }
    Ok(text)
}

pub(crate) const BOM_COLUMNS: &str = "code, version, product, body, created_at_us";
pub(crate) const ORDER_COLUMNS: &str =
    "id, product, bom, bom_version, status, body, created_at_us, updated_at_us";

impl Store {
    /// Inserts BOM version `version` of `code`. False (nothing written): that version exists
    /// already, e.g. another writer added it first.
    pub async fn insert_bom_version(
        &self,
        code: &str,
        version: u64,
        product: &str,
        body: &serde_json::Value,
    ) -> Result<bool> {
        let json = checked_body(body)?;
        let changed = bom_write!(
            self,
            "INSERT INTO bom_version (code, version, product, body, created_at_us) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code, version) DO NOTHING",
            code,
            version as i64,
            product,
            json.as_str(),
            to_us(Timestamp::now())
        );
        Ok(changed == 1)
    }

    pub async fn bom_version(&self, code: &str, version: u64) -> Result<Option<BomRow>> {
        let sql = format!("SELECT {BOM_COLUMNS} FROM bom_version WHERE code = $1 AND version = $2");
        Ok(bom_read!(
            self,
            bom_row,
            sqlx::AssertSqlSafe(sql),
            code,
            version as i64
        )?
        .pop())
    }

    /// Every version of one BOM, oldest first (empty: no such BOM).
    pub async fn bom_versions(&self, code: &str) -> Result<Vec<BomRow>> {
        let sql = format!(
            "SELECT {BOM_COLUMNS} FROM bom_version WHERE code = $1 ORDER BY version LIMIT $2"
        );
        bom_read!(
            self,
            bom_row,
            sqlx::AssertSqlSafe(sql),
            code,
            i64::from(MAX_BOM_ROWS)
        )
    }

    /// The latest version of every BOM, by code.
    pub async fn latest_boms(&self) -> Result<Vec<BomRow>> {
        let sql = format!(
            "SELECT {BOM_COLUMNS} FROM bom_version b WHERE version = \
             (SELECT max(version) FROM bom_version WHERE code = b.code) ORDER BY code LIMIT $1"
        );
        bom_read!(
            self,
            bom_row,
            sqlx::AssertSqlSafe(sql),
            i64::from(MAX_BOM_ROWS)
        )
    }

    /// Every version of every BOM, by code and version (at most `MAX_BOM_ROWS`): where-used
    /// looks through all of them.
    pub async fn all_bom_versions(&self) -> Result<Vec<BomRow>> {
        let sql = format!("SELECT {BOM_COLUMNS} FROM bom_version ORDER BY code, version LIMIT $1");
        bom_read!(
            self,
            bom_row,
            sqlx::AssertSqlSafe(sql),
            i64::from(MAX_BOM_ROWS)
        )
    }

    /// Inserts a production order. False (nothing written): the id is taken.
    pub async fn insert_order(&self, order: &OrderRow) -> Result<bool> {
        let json = checked_body(&order.body)?;
        let changed = bom_write!(
            self,
            "INSERT INTO production_order (id, product, bom, bom_version, status, body, \
             created_at_us, updated_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO NOTHING",
            order.id.as_str(),
            order.product.as_str(),
            order.bom.as_str(),
            order.bom_version as i64,
            order.status.as_str(),
            json.as_str(),
            to_us(order.created_at),
            to_us(order.updated_at)
        );
        Ok(changed == 1)
    }

    pub async fn order(&self, id: &str) -> Result<Option<OrderRow>> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM production_order WHERE id = $1");
        Ok(bom_read!(self, order_row, sqlx::AssertSqlSafe(sql), id)?.pop())
    }

    /// Orders, newest first (at most `MAX_BOM_ROWS`).
    pub async fn orders(&self) -> Result<Vec<OrderRow>> {
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM production_order ORDER BY created_at_us DESC, id LIMIT $1"
        );
        bom_read!(
            self,
            order_row,
            sqlx::AssertSqlSafe(sql),
            i64::from(MAX_BOM_ROWS)
        )
    }

    /// Moves an order from status `from` to `to` with its new body. False (nothing written):
    /// there is no such order, or its status is no longer `from`.
    pub async fn update_order_status(
        &self,
        id: &str,
        from: &str,
        to: &str,
        body: &serde_json::Value,
    ) -> Result<bool> {
        let json = checked_body(body)?;
        let changed = bom_write!(
            self,
            "UPDATE production_order SET status = $1, body = $2, updated_at_us = $3 \
             WHERE id = $4 AND status = $5",
            to,
            json.as_str(),
            to_us(Timestamp::now()),
            id,
            from
        );
        Ok(changed == 1)
    }
}
