-- The append-only EPCIS event log. Rows are never updated or deleted by lotrace.
-- Times are microseconds since the Unix epoch, UTC; offsets are minutes.

CREATE TABLE capture_job (
    id               TEXT PRIMARY KEY,
    created_at_us    INTEGER NOT NULL,
    finished_at_us   INTEGER,
    running          INTEGER NOT NULL,
    success          INTEGER NOT NULL,
    error_behaviour  TEXT NOT NULL,
    source           TEXT NOT NULL,
    events_read      INTEGER NOT NULL,
    events_stored    INTEGER NOT NULL,
    events_existing  INTEGER NOT NULL,
    errors_json      TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE event (
    seq              INTEGER PRIMARY KEY,
    event_id         TEXT NOT NULL,
    -- 1 for an error declaration: it shares the eventID of the event it retracts.
    declaration      INTEGER NOT NULL DEFAULT 0,
    event_type       TEXT NOT NULL,
    event_time_us    INTEGER NOT NULL,
    tz_offset_min    INTEGER NOT NULL,
    record_time_us   INTEGER NOT NULL,
    action           TEXT,
    biz_step         TEXT,
    disposition      TEXT,
    read_point       TEXT,
    biz_location     TEXT,
    capture_id       TEXT NOT NULL REFERENCES capture_job(id),
    body             TEXT NOT NULL,
    UNIQUE (event_id, declaration)
);

CREATE INDEX event_by_time ON event (event_time_us);
CREATE INDEX event_by_type ON event (event_type, event_time_us);
CREATE INDEX event_by_biz_step ON event (biz_step, event_time_us);
CREATE INDEX event_by_biz_location ON event (biz_location, event_time_us);
CREATE INDEX event_by_read_point ON event (read_point, event_time_us);

-- Every identifier an event names, in canonical form, with its role (lotrace_epcis::Role code).
CREATE TABLE event_identifier (
    identifier  TEXT NOT NULL,
    seq         INTEGER NOT NULL REFERENCES event(seq),
    role        INTEGER NOT NULL,
    PRIMARY KEY (identifier, seq, role)
) WITHOUT ROWID;
