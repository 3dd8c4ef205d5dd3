-- The EPCIS query interface's own state, beside the event log (see store/src/named.rs).
-- Unlike the log these rows change: a named query or subscription can be deleted, and a
-- subscription's position moves as it delivers.

-- Named queries (/epcis/queries): a name and the query's parameters as JSON.
CREATE TABLE named_query (
    name           TEXT PRIMARY KEY,
    query_json     TEXT NOT NULL,
    created_at_us  INTEGER NOT NULL
);

-- Webhook subscriptions to a named query: new matching events are delivered to `dest`;
-- `after_seq` is the last log position handled.
CREATE TABLE subscription (
    id               TEXT PRIMARY KEY,
    query_name       TEXT NOT NULL,
    dest             TEXT NOT NULL,
    signature_token  TEXT,
    report_if_empty  INTEGER NOT NULL,
    created_at_us    INTEGER NOT NULL,
    after_seq        INTEGER NOT NULL,
    delivered        INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT
);
CREATE INDEX subscription_by_query ON subscription (query_name);

-- What a capture with GS1-Capture-Error-Behaviour proceed rejected: the events the job
-- left out, with their errors, keyed by the capture job. Written once, after the capture.
CREATE TABLE capture_report (
    capture_id       TEXT PRIMARY KEY,
    error_behaviour  TEXT NOT NULL,
    events_rejected  INTEGER NOT NULL,
    errors_json      TEXT NOT NULL
);
