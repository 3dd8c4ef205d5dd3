-- Bills of materials and production orders (see store/src/bom.rs). A BOM version is written
-- once and never changed: produced events name the version they were made with. An order
-- row changes only its status.
CREATE TABLE bom_version (
    code           TEXT COLLATE "C" NOT NULL,
    version        BIGINT NOT NULL,
    product        TEXT COLLATE "C" NOT NULL,
    body           TEXT NOT NULL,
    created_at_us  BIGINT NOT NULL,
    PRIMARY KEY (code, version)
);
CREATE INDEX bom_version_product ON bom_version (product);

CREATE TABLE production_order (
    id             TEXT COLLATE "C" PRIMARY KEY,
    product        TEXT COLLATE "C" NOT NULL,
    bom            TEXT COLLATE "C" NOT NULL,
    bom_version    BIGINT NOT NULL,
    status         TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at_us  BIGINT NOT NULL,
    updated_at_us  BIGINT NOT NULL
);
CREATE INDEX production_order_bom ON production_order (bom, bom_version);
