-- Recalls and drills, as append-only journals (see store/src/journal.rs): the entry that
-- opened each, then one per hold, notification, return and close. Never updated, never
-- deleted: the journal is the recall's audit trail.
CREATE TABLE recall_entry (
    recall_id  TEXT COLLATE "C" NOT NULL,
    seq        BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    at_us      BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (recall_id, seq)
);
