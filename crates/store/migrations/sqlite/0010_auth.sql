-- Access control and the audit trail (see store/src/auth.rs): users with a role and an
-- Argon2id password hash, API tokens kept only as the SHA-256 of their secret, web
-- sessions kept only as the SHA-256 of their cookie, and one audit row per write request.
-- Users and tokens are disabled or revoked, never deleted: audit rows name them.

CREATE TABLE app_user (
    name           TEXT PRIMARY KEY,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at_us  INTEGER NOT NULL,
    updated_at_us  INTEGER NOT NULL
);

CREATE TABLE api_token (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    scope          TEXT NOT NULL,
    partner        TEXT,
    secret_sha256  TEXT NOT NULL UNIQUE,
    created_by     TEXT NOT NULL,
    created_at_us  INTEGER NOT NULL,
    revoked_at_us  INTEGER
);

CREATE TABLE web_session (
    id_sha256      TEXT PRIMARY KEY,
    user_name      TEXT NOT NULL,
    created_at_us  INTEGER NOT NULL,
    expires_at_us  INTEGER NOT NULL,
    last_seen_us   INTEGER NOT NULL
);
CREATE INDEX web_session_by_user ON web_session (user_name);

CREATE TABLE audit_entry (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    at_us          INTEGER NOT NULL,
    actor          TEXT NOT NULL,
    actor_kind     TEXT NOT NULL,
    role           TEXT NOT NULL,
    method         TEXT NOT NULL,
    path           TEXT NOT NULL,
    status         INTEGER NOT NULL,
    summary        TEXT NOT NULL,
    address        TEXT
);
CREATE INDEX audit_entry_by_time ON audit_entry (at_us);
CREATE INDEX audit_entry_by_actor ON audit_entry (actor, at_us);
