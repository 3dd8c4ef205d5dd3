-- The hash chain (store/src/chain.rs): every event row carries a SHA-256 over the previous
-- row's chain hash and this row's record (position, recordTime, eventID, declaration, CBV
-- event hash ID, capture job and its source). Captures fill it in their transaction; rows
-- stored before this migration get theirs, in log order, in the same transaction as this
-- file (migrate.rs runs chain::backfill_postgres after it, then makes the column NOT NULL,
-- so that a writer that does not know the chain fails instead of breaking it).
ALTER TABLE event ADD COLUMN chain_hash BYTEA;
