//! The rows beside the log that `copy_to` carries besides events, master data and the query
//! interface's rows: access control and the audit trail (`auth.rs`: users, API tokens, web
//! sessions, audit entries) and bills of materials with production orders (`bom.rs`).
//!
//! Each is read from the source in key order, a page at a time, and written into the copy's
//! transaction exactly as stored: password and secret hashes, disabled and revoked flags,
//! the audit positions (`seq`) and chain hashes, timestamps. A copied session still logs its user in, and an
//! audit row keeps the position an export or a later query names it by.

use crate::auth::{ApiToken, AuditEntry, User};
use crate::bom::{BomRow, OrderRow};
use crate::rows::{self, Columns};
use crate::writer::Writer;
use crate::{Result, Store, read_rows, to_us, write_tx};

/// An API token as stored, with the SHA-256 of its secret (which `ApiToken` never shows).
#[derive(Clone, Debug)]
pub(crate) struct TokenRow {
    pub token: ApiToken,
    pub secret_sha256: String,
}

/// An audit row as stored, with its link in the audit trail's chain.
#[derive(Clone, Debug)]
pub(crate) struct AuditRow {
    pub entry: AuditEntry,
    pub chain_hash: Option<Vec<u8>>,
}

fn audit_row(row: &impl Columns) -> Result<AuditRow> {
    Ok(AuditRow {
        entry: crate::auth::audit(row)?,
        chain_hash: row.opt_bytes("chain_hash")?.map(<[u8]>::to_vec),
    })
}

/// A web session as stored: the SHA-256 of its cookie and its user's name.
#[derive(Clone, Debug)]
pub(crate) struct SessionRow {
    pub id_sha256: String,
    pub user_name: String,
    pub created_at_us: i64,
    pub expires_at_us: i64,
    pub last_seen_us: i64,
}

fn text(row: &impl Columns, column: &str) -> Result<String> {
    Ok(row.text(column)?.unwrap_or_default().to_owned())
}

fn token_row(row: &impl Columns) -> Result<TokenRow> {
    Ok(TokenRow {
        token: crate::auth::token(row)?,
        secret_sha256: text(row, "secret_sha256")?,
    })
}

fn session_row(row: &impl Columns) -> Result<SessionRow> {
    Ok(SessionRow {
        id_sha256: text(row, "id_sha256")?,
        user_name: text(row, "user_name")?,
        created_at_us: rows::int(row, "created_at_us")?,
        expires_at_us: rows::int(row, "expires_at_us")?,
        last_seen_us: rows::int(row, "last_seen_us")?,
    })
}

/// Rows after a key, in key order, for `copy_to`.
impl Store {
    pub(crate) async fn users_after(&self, after: &str, limit: u32) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {} FROM app_user WHERE name > $1 ORDER BY name LIMIT $2",
            crate::auth::USER_COLUMNS
        );
        read_rows!(
            self,
            crate::auth::user,
            sqlx::AssertSqlSafe(sql),
            after,
            i64::from(limit)
        )
    }

    pub(crate) async fn tokens_after(&self, after: &str, limit: u32) -> Result<Vec<TokenRow>> {
        let sql = format!(
            "SELECT {}, secret_sha256 FROM api_token WHERE id > $1 ORDER BY id LIMIT $2",
            crate::auth::TOKEN_COLUMNS
        );
        read_rows!(
            self,
            token_row,
            sqlx::AssertSqlSafe(sql),
            after,
            i64::from(limit)
        )
    }

    pub(crate) async fn sessions_after(&self, after: &str, limit: u32) -> Result<Vec<SessionRow>> {
        read_rows!(
            self,
            session_row,
            "SELECT id_sha256, user_name, created_at_us, expires_at_us, last_seen_us \
             FROM web_session WHERE id_sha256 > $1 ORDER BY id_sha256 LIMIT $2",
            after,
            i64::from(limit)
        )
    }

    /// Audit rows with their chain hashes as stored (`audit_chain.rs`).
    pub(crate) async fn audit_after(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditRow>> {
        read_rows!(
            self,
            audit_row,
            "SELECT seq, at_us, actor, actor_kind, role, method, path, status, summary, \
             address, chain_hash FROM audit_entry WHERE seq > $1 ORDER BY seq LIMIT $2",
            after_seq,
            i64::from(limit)
        )
    }

    pub(crate) async fn bom_versions_after(
        &self,
        after: (&str, u64),
        limit: u32,
    ) -> Result<Vec<BomRow>> {
        let sql = format!(
            "SELECT {} FROM bom_version WHERE (code > $1) OR (code = $1 AND version > $2) \
             ORDER BY code, version LIMIT $3",
            crate::bom::BOM_COLUMNS
        );
        read_rows!(
            self,
            crate::bom::bom_row,
            sqlx::AssertSqlSafe(sql),
            after.0,
            after.1 as i64,
            i64::from(limit)
        )
    }

    pub(crate) async fn orders_after(&self, after: &str, limit: u32) -> Result<Vec<OrderRow>> {
        let sql = format!(
            "SELECT {} FROM production_order WHERE id > $1 ORDER BY id LIMIT $2",
            crate::bom::ORDER_COLUMNS
        );
        read_rows!(
            self,
            crate::bom::order_row,
            sqlx::AssertSqlSafe(sql),
            after,
            i64::from(limit)
        )
    }
}

/// Writes rows as read from another store, in the copy's transaction.
impl Writer {
    pub(crate) async fn insert_user(&mut self, u: &User) -> Result<()> {
        write_tx!(
            self,
            "INSERT INTO app_user (name, role, password_hash, disabled, created_at_us, updated_at_us) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            u.name.as_str(),
            u.role.as_str(),
            u.password_hash.as_str(),
            u.disabled,
            to_us(u.created_at),
            to_us(u.updated_at)
        );
        Ok(())
    }

    pub(crate) async fn insert_token(&mut self, t: &TokenRow) -> Result<()> {
        let token = &t.token;
        write_tx!(
            self,
            "INSERT INTO api_token (id, name, scope, partner, secret_sha256, created_by, \
             created_at_us, revoked_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            token.id.as_str(),
            token.name.as_str(),
            token.scope.as_str(),
            token.partner.as_deref(),
            t.secret_sha256.as_str(),
            token.created_by.as_str(),
            to_us(token.created_at),
            token.revoked_at.map(to_us)
        );
        Ok(())
    }

    pub(crate) async fn insert_session(&mut self, s: &SessionRow) -> Result<()> {
        write_tx!(
            self,
            "INSERT INTO web_session (id_sha256, user_name, created_at_us, expires_at_us, last_seen_us) \
             VALUES ($1, $2, $3, $4, $5)",
            s.id_sha256.as_str(),
            s.user_name.as_str(),
            s.created_at_us,
            s.expires_at_us,
            s.last_seen_us
        );
        Ok(())
    }

    /// Keeps the entry's position (`seq`); `finish_audit_copy` then moves the target's
    /// numbering past it.
    pub(crate) async fn insert_audit(&mut self, row: &AuditRow) -> Result<()> {
        let a = &row.entry;
        write_tx!(
            self,
            "INSERT INTO audit_entry (seq, at_us, actor, actor_kind, role, method, path, status, \
             summary, address, chain_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            a.seq,
            to_us(a.at),
            a.actor.as_str(),
            a.actor_kind.as_str(),
            a.role.as_str(),
            a.method.as_str(),
            a.path.as_str(),
            i32::from(a.status),
            a.summary.as_str(),
            a.address.as_deref(),
            row.chain_hash.as_deref()
        );
        Ok(())
    }

    /// After audit rows were inserted with their own positions, the next entry appended to
    /// the copy must come after the last: SQLite's AUTOINCREMENT keeps track by itself, a
    /// PostgreSQL sequence does not.
    pub(crate) async fn finish_audit_copy(&mut self, last_seq: i64) -> Result<()> {
        if let Writer::Postgres(w) = self
            && last_seq > 0
        {
            sqlx::query("SELECT setval(pg_get_serial_sequence('audit_entry', 'seq'), $1)")
                .bind(last_seq)
                .execute(&mut *w.tx)
                .await?;
        }
        Ok(())
    }

    pub(crate) async fn insert_bom_version(&mut self, b: &BomRow) -> Result<()> {
        let body = b.body.to_string();
        write_tx!(
            self,
            "INSERT INTO bom_version (code, version, product, body, created_at_us) \
             VALUES ($1, $2, $3, $4, $5)",
            b.code.as_str(),
            b.version as i64,
            b.product.as_str(),
            body.as_str(),
            to_us(b.created_at)
        );
        Ok(())
    }

    pub(crate) async fn insert_order(&mut self, o: &OrderRow) -> Result<()> {
        let body = o.body.to_string();
        write_tx!(
            self,
            "INSERT INTO production_order (id, product, bom, bom_version, status, body, \
             created_at_us, updated_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            o.id.as_str(),
            o.product.as_str(),
            o.bom.as_str(),
            o.bom_version as i64,
            o.status.as_str(),
            body.as_str(),
            to_us(o.created_at),
            to_us(o.updated_at)
        );
        Ok(())
    }
}
