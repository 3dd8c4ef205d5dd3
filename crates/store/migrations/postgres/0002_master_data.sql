-- Master data (products, locations, parties) as versioned JSON records, and counters.
-- Records are never deleted: events name them. Every version is kept in master_history.

CREATE TABLE master_record (
    kind           TEXT COLLATE "C" NOT NULL,
    code           TEXT COLLATE "C" NOT NULL,
    version        BIGINT NOT NULL,
    body           TEXT NOT NULL,
    updated_at_us  BIGINT NOT NULL,
    PRIMARY KEY (kind, code)
);

CREATE TABLE master_history (
    kind           TEXT COLLATE "C" NOT NULL,
    code           TEXT COLLATE "C" NOT NULL,
    version        BIGINT NOT NULL,
    body           TEXT NOT NULL,
    updated_at_us  BIGINT NOT NULL,
    PRIMARY KEY (kind, code, version)
);

-- Lot-number sequences and SSCC serials: advanced in the same transaction as the events
-- that use them, so numbers are never handed out twice and never skipped.
CREATE TABLE counter (
    name   TEXT COLLATE "C" PRIMARY KEY,
    value  BIGINT NOT NULL
);
