-- Access control and the audit trail (see store/src/auth.rs): users with a role and an
-- Argon2id password hash, API tokens kept only as the SHA-256 of their secret, web
-- sessions kept only as the SHA-256 of their cookie, and one audit row per write request.
-- Users and tokens are disabled or revoked, never deleted: audit rows name them.

CREATE TABLE app_user (
    name           TEXT COLLATE "C" PRIMARY KEY,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_us  BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL
);

CREATE TABLE api_token (
    id             TEXT COLLATE "C" PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    scope          TEXT NOT NULL,
    partner        TEXT,
    secret_sha256  TEXT NOT NULL UNIQUE,
    created_by     TEXT NOT NULL,
    created_at_us  BIGINT NOT NULL,
    revoked_at_us  BIGINT
);

CREATE TABLE web_session (
    id_sha256      TEXT COLLATE "C" PRIMARY KEY,
    user_name      TEXT NOT NULL,
    created_at_us  BIGINT NOT NULL,
    expires_at_us  BIGINT NOT NULL,
    last_seen_us   BIGINT NOT NULL
);
CREATE INDEX web_session_by_user ON web_session (user_name);

CREATE TABLE audit_entry (
    seq            BIGSERIAL PRIMARY KEY,
    at_us          BIGINT NOT NULL,
    actor          TEXT COLLATE "C" NOT NULL,
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
