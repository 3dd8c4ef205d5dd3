-- The append-only EPCIS event log on PostgreSQL: the same columns as on SQLite, with
-- PostgreSQL's types. Rows are never updated or deleted by lotrace (except a capture job's
-- counts, set in the transaction that creates it).
-- Times are microseconds since the Unix epoch, UTC; offsets are minutes.
-- Keys compare bytewise (COLLATE "C"), as on SQLite: faster than a linguistic collation
-- and the same order on every server whatever its locale.
-- No foreign keys: the store writes a job, its events and their index in one transaction,
-- and per-row referential checks doubled the cost of a bulk capture.
-- Indexes serve the store's queries; query indexes (by type, business step, ...) come with
-- the queries that use them.

CREATE TABLE capture_job (
    id               TEXT COLLATE "C" PRIMARY KEY,
    created_at_us    BIGINT NOT NULL,
    finished_at_us   BIGINT,
    running          BOOLEAN NOT NULL,
    success          BOOLEAN NOT NULL,
    error_behaviour  TEXT NOT NULL,
    source           TEXT NOT NULL,
    events_read      BIGINT NOT NULL,
    events_stored    BIGINT NOT NULL,
    events_existing  BIGINT NOT NULL,
    errors_json      TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE event (
    -- The log position. The store assigns it while holding the capture lock, so positions
    -- become visible in increasing order and a follower's cursor never skips one.
    seq              BIGINT PRIMARY KEY,
    event_id         TEXT COLLATE "C" NOT NULL,
    -- TRUE for an error declaration: it shares the eventID of the event it retracts.
    declaration      BOOLEAN NOT NULL DEFAULT FALSE,
    event_type       TEXT NOT NULL,
    event_time_us    BIGINT NOT NULL,
    tz_offset_min    INTEGER NOT NULL,
    record_time_us   BIGINT NOT NULL,
    action           TEXT,
    biz_step         TEXT COLLATE "C",
    disposition      TEXT COLLATE "C",
    read_point       TEXT COLLATE "C",
    biz_location     TEXT COLLATE "C",
    capture_id       TEXT COLLATE "C" NOT NULL,
    body             TEXT NOT NULL,
    -- Every identifier the event names, in canonical form, by role, as a 64-bit key: the
    -- first 8 bytes (big-endian) of SHA-256(role code byte || identifier). The store checks
    -- each match against the body, so a colliding key costs a row read, never a wrong answer.
    identifier_keys  BIGINT[] NOT NULL,
    UNIQUE (event_id, declaration)
);

CREATE INDEX event_by_time ON event (event_time_us, seq);
CREATE INDEX event_by_identifier ON event USING gin (identifier_keys);
