//! Access control and the audit trail: users (a role and an Argon2id PHC string, hashed by
//! the caller), API tokens (only the SHA-256 of the secret is kept), web sessions (only the
//! SHA-256 of the cookie), and the audit trail, one row per write request.
//!
//! The store checks what it keeps (name lengths and characters, the limits below); what a
//! role or scope may do is the server's business (`lotrace_server::auth`). Users and tokens
//! are disabled or revoked, never deleted, so the audit rows that name them stay readable.
//! Unlike the event log these rows change; the audit trail only grows, each row chained to
//! the one before it by a SHA-256 (`audit_chain.rs`).

use jiff::Timestamp;
use serde::Serialize;

use crate::rows::{self, Columns};
use crate::{Backend, Result, Store, StoreError, from_us, to_us};

/// The most users a store keeps (disabled ones included).
pub const MAX_USERS: u32 = 10_000;
/// The most API tokens a store keeps (revoked ones included).
pub const MAX_TOKENS: u32 = 10_000;
/// The most audit entries one `audit_entries` call answers.
pub const MAX_AUDIT_PAGE: u32 = 10_000;
/// Longest user or token name, in characters.
pub const MAX_AUTH_NAME_CHARS: usize = 64;
/// Longest audit path and summary kept, in characters (longer ones are cut, marked `…`).
pub const MAX_AUDIT_TEXT_CHARS: usize = 500;
/// Longest stored password hash (a PHC string), in bytes.
const MAX_HASH_BYTES: usize = 512;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct User {
    pub name: String,
    /// `viewer`, `operator`, `quality` or `admin` (the server checks which).
    pub role: String,
    pub disabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The Argon2id PHC string; never shown.
    #[serde(skip)]
    pub password_hash: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ApiToken {
    /// Public id (`tok_…`), shown in lists and used to revoke.
    pub id: String,
    pub name: String,
    /// `read`, `capture` or `admin`.
    pub scope: String,
    /// The party code whose events a partner token is limited to.
    pub partner: Option<String>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// What a new token is made of; the secret itself never reaches the store.
#[derive(Clone, Debug)]
pub struct NewToken<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub scope: &'a str,
    pub partner: Option<&'a str>,
    /// Hex SHA-256 of the secret.
    pub secret_sha256: &'a str,
    pub created_by: &'a str,
}

/// A live web session and the user it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub user: User,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_seen: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    /// The user or token name (`local` on an open local server).
    pub actor: String,
    /// `user`, `token` or `local`.
    pub actor_kind: String,
    /// The user's role or the token's scope.
    pub role: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    /// A short note: the capture job, record or recall the write made or changed.
    pub summary: String,
    pub address: Option<String>,
}

#[derive(Clone, Debug)]
pub struct NewAuditEntry<'a> {
    pub actor: &'a str,
    pub actor_kind: &'a str,
    pub role: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub summary: &'a str,
    pub address: Option<&'a str>,
}

/// Which audit entries `audit_entries` answers: every condition given holds.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// At or after this instant.
    pub from: Option<Timestamp>,
    /// Before this instant.
    pub to: Option<Timestamp>,
    pub actor: Option<String>,
    /// Entries after this position (0: from the first).
    pub after_seq: i64,
    /// At most this many (and never more than `MAX_AUDIT_PAGE`; 0 means that many).
    pub limit: u32,
}

/// A user or token name: 1 to `MAX_AUTH_NAME_CHARS` letters, digits, `-`, `_`, `.`, `@`.
pub fn check_auth_name(field: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.chars().count() > MAX_AUTH_NAME_CHARS {
        return Err(StoreError::InvalidAuth(format!(
            "{field} must be 1 to {MAX_AUTH_NAME_CHARS} characters"
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
    {
        return Err(StoreError::InvalidAuth(format!(
            "{field} {name:?} may only contain letters, digits, '-', '_', '.' and '@'"
        )));
    }
    Ok(())
}

fn check_short(field: &str, value: &str, max: usize) -> Result<()> {
    if value.is_empty() || value.len() > max || value.chars().any(char::is_control) {
        return Err(StoreError::InvalidAuth(format!(
            "{field} must be 1 to {max} bytes without control characters"
        )));
    }
    Ok(())
}

/// Cuts `text` to `MAX_AUDIT_TEXT_CHARS` characters, control characters replaced.
fn cut(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_AUDIT_TEXT_CHARS)
        .collect();
    if text.chars().count() > MAX_AUDIT_TEXT_CHARS {
        out.pop();
        out.push('…');
    }
    out
}

fn text(row: &impl Columns, column: &str) -> Result<String> {
    row.text(column)?.map(str::to_owned).ok_or_else(|| {
        StoreError::Database(sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: "unexpected NULL".into(),
        })
    })
}

pub(crate) fn user(row: &impl Columns) -> Result<User> {
    Ok(User {
        name: text(row, "name")?,
        role: text(row, "role")?,
        disabled: row.flag("disabled")?,
        created_at: from_us(rows::int(row, "created_at_us")?),
        updated_at: from_us(rows::int(row, "updated_at_us")?),
        password_hash: text(row, "password_hash")?,
    })
}

pub(crate) fn token(row: &impl Columns) -> Result<ApiToken> {
    Ok(ApiToken {
        id: text(row, "id")?,
        name: text(row, "name")?,
        scope: text(row, "scope")?,
        partner: row.text("partner")?.map(str::to_owned),
        created_by: text(row, "created_by")?,
        created_at: from_us(rows::int(row, "created_at_us")?),
        revoked_at: row.int("revoked_at_us")?.map(from_us),
    })
}

fn session(row: &impl Columns) -> Result<Session> {
    Ok(Session {
        user: user(row)?,
        created_at: from_us(rows::int(row, "s_created_at_us")?),
        expires_at: from_us(rows::int(row, "expires_at_us")?),
        last_seen: from_us(rows::int(row, "last_seen_us")?),
    })
}

pub(crate) fn audit(row: &impl Columns) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: rows::int(row, "seq")?,
        at: from_us(rows::int(row, "at_us")?),
        actor: text(row, "actor")?,
        actor_kind: text(row, "actor_kind")?,
        role: text(row, "role")?,
        method: text(row, "method")?,
        path: text(row, "path")?,
        status: u16::try_from(row.int32("status")?).unwrap_or(0),
        summary: text(row, "summary")?,
        address: row.text("address")?.map(str::to_owned),
    })
}

/// Runs one statement on the writer; the rows it changed.
macro_rules! execute {
    ($store:expr, $sql:expr $(, $bind:expr)*) => {
        match &$store.backend {
            Backend::Sqlite(b) => sqlx::query($sql)$(.bind($bind))*.execute(b.writer_pool()).await?.rows_affected(),
            Backend::Postgres(b) => sqlx::query($sql)$(.bind($bind))*.execute(b.pool()).await?.rows_affected(),
        }
    };
}

/// Fetches the rows of a query, decoded with `$decode`; `$pool` is `reader` or `writer`.
macro_rules! fetch {
    ($store:expr, $pool:ident, $decode:expr, $sql:expr $(, $bind:expr)*) => {
        match &$store.backend {
            Backend::Sqlite(b) => sqlx::query($sql)$(.bind($bind))*.fetch_all(fetch!(@sqlite b, $pool)).await?.iter().map($decode).collect::<Result<Vec<_>>>(),
            Backend::Postgres(b) => sqlx::query($sql)$(.bind($bind))*.fetch_all(b.pool()).await?.iter().map($decode).collect::<Result<Vec<_>>>(),
        }
    };
    (@sqlite $b:ident, reader) => { $b.reader_pool() };
    (@sqlite $b:ident, writer) => { $b.writer_pool() };
}

pub(crate) const USER_COLUMNS: &str =
    "name, role, password_hash, disabled, created_at_us, updated_at_us";
pub(crate) const TOKEN_COLUMNS: &str =
    "id, name, scope, partner, created_by, created_at_us, revoked_at_us";
const AUDIT_COLUMNS: &str =
    "seq, at_us, actor, actor_kind, role, method, path, status, summary, address";

fn now() -> Timestamp {
    from_us(to_us(Timestamp::now()))
}

impl Store {
    /// How many users the store has, disabled ones included.
    pub async fn user_count(&self) -> Result<u64> {
        let counts = fetch!(
            self,
            reader,
            |r| rows::int(r, "n"),
            "SELECT count(*) AS n FROM app_user"
        )?;
        Ok(counts.first().copied().unwrap_or(0) as u64)
    }

    /// Adds a user. `AuthExists` if the name is taken (by a disabled user too).
    pub async fn create_user(&self, name: &str, role: &str, password_hash: &str) -> Result<User> {
        check_auth_name("user name", name)?;
        check_short("role", role, 32)?;
        check_short("password hash", password_hash, MAX_HASH_BYTES)?;
        if self.user_count().await? >= u64::from(MAX_USERS) {
            return Err(StoreError::InvalidAuth(format!(
                "the store keeps at most {MAX_USERS} users"
            )));
        }
        let at = now();
        let changed = execute!(
            self,
            "INSERT INTO app_user (name, role, password_hash, disabled, created_at_us, updated_at_us) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (name) DO NOTHING",
            name,
            role,
            password_hash,
            false,
            to_us(at)
        );
        if changed == 0 {
            return Err(StoreError::AuthExists {
                kind: "user",
                name: name.to_owned(),
            });
        }
        Ok(User {
            name: name.to_owned(),
            role: role.to_owned(),
            disabled: false,
            created_at: at,
            updated_at: at,
            password_hash: password_hash.to_owned(),
        })
    }

    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM app_user ORDER BY name LIMIT $1");
        fetch!(
            self,
            reader,
            user,
            sqlx::AssertSqlSafe(sql),
            i64::from(MAX_USERS)
        )
    }

    pub async fn user(&self, name: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM app_user WHERE name = $1");
        Ok(fetch!(self, reader, user, sqlx::AssertSqlSafe(sql), name)?.pop())
    }

    /// Disables (or enables again) a user; disabling ends the user's sessions. False: no
    /// such user.
    pub async fn set_user_disabled(&self, name: &str, disabled: bool) -> Result<bool> {
        let changed = execute!(
            self,
            "UPDATE app_user SET disabled = $1, updated_at_us = $2 WHERE name = $3",
            disabled,
            to_us(now()),
            name
        );
        if disabled {
            execute!(self, "DELETE FROM web_session WHERE user_name = $1", name);
        }
        Ok(changed == 1)
    }

    /// Sets a user's role and, when given, password hash; ends the user's sessions when the
    /// password changes. False: no such user.
    pub async fn update_user(
        &self,
        name: &str,
        role: Option<&str>,
        password_hash: Option<&str>,
    ) -> Result<bool> {
        if let Some(role) = role {
            check_short("role", role, 32)?;
        }
        if let Some(hash) = password_hash {
            check_short("password hash", hash, MAX_HASH_BYTES)?;
        }
        let changed = execute!(
            self,
            "UPDATE app_user SET role = COALESCE($1, role), \
             password_hash = COALESCE($2, password_hash), updated_at_us = $3 WHERE name = $4",
            role,
            password_hash,
            to_us(now()),
            name
        );
        if password_hash.is_some() {
            execute!(self, "DELETE FROM web_session WHERE user_name = $1", name);
        }
        Ok(changed == 1)
    }

    /// Keeps a new token. `AuthExists` if the name is taken (by a revoked token too).
    pub async fn create_token(&self, new: &NewToken<'_>) -> Result<ApiToken> {
        check_auth_name("token name", new.name)?;
        check_short("token id", new.id, 64)?;
        check_short("scope", new.scope, 32)?;
        if let Some(partner) = new.partner {
            check_short("partner", partner, 200)?;
        }
        check_short("creator", new.created_by, 200)?;
        if new.secret_sha256.len() != 64
            || !new.secret_sha256.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(StoreError::InvalidAuth(
                "a token's secret hash is 64 hex digits (SHA-256)".into(),
            ));
        }
        let count = fetch!(
            self,
            reader,
            |r| rows::int(r, "n"),
            "SELECT count(*) AS n FROM api_token"
        )?;
        if count.first().copied().unwrap_or(0) >= i64::from(MAX_TOKENS) {
            return Err(StoreError::InvalidAuth(format!(
                "the store keeps at most {MAX_TOKENS} tokens"
            )));
        }
        let at = now();
        let changed = execute!(
            self,
            "INSERT INTO api_token (id, name, scope, partner, secret_sha256, created_by, created_at_us) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            new.id,
            new.name,
            new.scope,
            new.partner,
            new.secret_sha256.to_ascii_lowercase(),
            new.created_by,
            to_us(at)
        );
        if changed == 0 {
            return Err(StoreError::AuthExists {
                kind: "token",
                name: new.name.to_owned(),
            });
        }
        Ok(ApiToken {
            id: new.id.to_owned(),
            name: new.name.to_owned(),
            scope: new.scope.to_owned(),
            partner: new.partner.map(str::to_owned),
            created_by: new.created_by.to_owned(),
            created_at: at,
            revoked_at: None,
        })
    }

    /// Every token, newest first, revoked ones included.
    pub async fn tokens(&self) -> Result<Vec<ApiToken>> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_token ORDER BY created_at_us DESC, id LIMIT $1"
        );
        fetch!(
            self,
            reader,
            token,
            sqlx::AssertSqlSafe(sql),
            i64::from(MAX_TOKENS)
        )
    }

    /// The token whose secret has this SHA-256 (hex), revoked or not.
    pub async fn token_by_secret_sha256(&self, sha256_hex: &str) -> Result<Option<ApiToken>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_token WHERE secret_sha256 = $1");
        Ok(fetch!(
            self,
            reader,
            token,
            sqlx::AssertSqlSafe(sql),
            sha256_hex.to_ascii_lowercase()
        )?
        .pop())
    }

    /// Revokes the token with this id or name. None: there is no such token; a token
    /// revoked before keeps its first revocation time.
    pub async fn revoke_token(&self, id_or_name: &str) -> Result<Option<ApiToken>> {
        execute!(
            self,
            "UPDATE api_token SET revoked_at_us = $1 \
             WHERE (id = $2 OR name = $2) AND revoked_at_us IS NULL",
            to_us(now()),
            id_or_name
        );
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_token WHERE id = $1 OR name = $1");
        Ok(fetch!(self, writer, token, sqlx::AssertSqlSafe(sql), id_or_name)?.pop())
    }

    /// Keeps a new web session for `user_name`, known by the SHA-256 (hex) of its cookie.
    /// Also removes sessions that have expired.
    pub async fn create_session(
        &self,
        id_sha256: &str,
        user_name: &str,
        expires_at: Timestamp,
    ) -> Result<()> {
        let at = to_us(now());
        execute!(
            self,
            "DELETE FROM web_session WHERE expires_at_us <= $1",
            at
        );
        execute!(
            self,
            "INSERT INTO web_session (id_sha256, user_name, created_at_us, expires_at_us, last_seen_us) \
             VALUES ($1, $2, $3, $4, $3)",
            id_sha256,
            user_name,
            at,
            to_us(expires_at)
        );
        Ok(())
    }

    /// The session with this cookie hash, if it has not expired and its user is enabled.
    pub async fn session(&self, id_sha256: &str) -> Result<Option<Session>> {
        let sql = "SELECT u.name, u.role, u.password_hash, u.disabled, u.created_at_us, \
             u.updated_at_us, s.created_at_us AS s_created_at_us, s.expires_at_us, s.last_seen_us \
             FROM web_session s JOIN app_user u ON u.name = s.user_name \
             WHERE s.id_sha256 = $1 AND s.expires_at_us > $2 AND u.disabled = $3";
        Ok(fetch!(
            self,
            reader,
            session,
            sql,
            id_sha256,
            to_us(Timestamp::now()),
            false
        )?
        .pop())
    }

    /// Records that a session was used now.
    pub async fn touch_session(&self, id_sha256: &str) -> Result<()> {
        execute!(
            self,
            "UPDATE web_session SET last_seen_us = $1 WHERE id_sha256 = $2",
            to_us(now()),
            id_sha256
        );
        Ok(())
    }

    /// Ends a session (logout, or idle too long). False: there was none.
    pub async fn delete_session(&self, id_sha256: &str) -> Result<bool> {
        Ok(execute!(
            self,
            "DELETE FROM web_session WHERE id_sha256 = $1",
            id_sha256
        ) == 1)
    }

    /// Appends an audit entry (path and summary cut to `MAX_AUDIT_TEXT_CHARS`). Durable when
    /// it returns.
    pub async fn append_audit(&self, entry: &NewAuditEntry<'_>) -> Result<AuditEntry> {
        check_short("audit actor", entry.actor, 200)?;
        for (field, value) in [
            ("audit actor kind", entry.actor_kind),
            ("audit role", entry.role),
            ("audit method", entry.method),
        ] {
            check_short(field, value, 32)?;
        }
        let stored = AuditEntry {
            seq: 0,
            at: now(),
            actor: entry.actor.to_owned(),
            actor_kind: entry.actor_kind.to_owned(),
            role: entry.role.to_owned(),
            method: entry.method.to_owned(),
            path: cut(entry.path),
            status: entry.status,
            summary: cut(entry.summary),
            address: entry.address.map(cut),
        };
        // Chained to the row before it (`audit_chain.rs`).
        let seq = self.append_audit_chained(&stored).await?;
        Ok(AuditEntry { seq, ..stored })
    }

    /// The audit entries that `filter` lets through, oldest first; page on with
    /// `after_seq` = the last `seq` returned.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let limit = match filter.limit {
            0 => MAX_AUDIT_PAGE,
            n => n.min(MAX_AUDIT_PAGE),
        };
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_entry \
             WHERE seq > $1 AND ($2 IS NULL OR at_us >= $2) AND ($3 IS NULL OR at_us < $3) \
             AND ($4 IS NULL OR actor = $4) ORDER BY seq LIMIT $5"
        );
        fetch!(
            self,
            reader,
            audit,
            sqlx::AssertSqlSafe(sql),
            filter.after_seq,
            filter.from.map(to_us),
            filter.to.map(to_us),
            filter.actor.as_deref(),
            i64::from(limit)
        )
    }
}
