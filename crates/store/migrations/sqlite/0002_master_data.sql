-- Master data (products, locations, parties) as versioned JSON records, and counters.
-- Records are never deleted: events name them. Every version is kept in master_history.

CREATE TABLE master_record (
    kind           TEXT NOT NULL,
    code           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    body           TEXT NOT NULL,
    updated_at_us  INTEGER NOT NULL,
    PRIMARY KEY (kind, code)
);

CREATE TABLE master_history (
    kind           TEXT NOT NULL,
    code           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    body           TEXT NOT NULL,
    updated_at_us  INTEGER NOT NULL,
    PRIMARY KEY (kind, code, version)
);

-- Lot-number sequences and SSCC serials: advanced in the same transaction as the events
-- that use them, so numbers are never handed out twice and never skipped.
CREATE TABLE counter (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
);
