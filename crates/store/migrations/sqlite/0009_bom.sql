-- Bills of materials and production orders (see store/src/bom.rs). A BOM version is written
-- once and never changed: produced events name the version they were made with. An order
-- row changes only its status.
CREATE TABLE bom_version (
    code           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    product        TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at_us  INTEGER NOT NULL,
    PRIMARY KEY (code, version)
);
CREATE INDEX bom_version_product ON bom_version (product);

CREATE TABLE production_order (
    id             TEXT PRIMARY KEY,
    product        TEXT NOT NULL,
    bom            TEXT NOT NULL,
    bom_version    INTEGER NOT NULL,
    status         TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at_us  INTEGER NOT NULL,
    updated_at_us  INTEGER NOT NULL
);
CREATE INDEX production_order_bom ON production_order (bom, bom_version);
