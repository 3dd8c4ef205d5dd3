-- The hash chain (store/src/chain.rs): every event row carries a SHA-256 over the previous
-- row's chain hash and this row's record (position, recordTime, eventID, declaration, CBV
-- event hash ID, capture job and its source). Captures fill it in their transaction; rows
-- stored before this migration get theirs, in log order, in the same transaction as this
-- file (migrate.rs runs chain::backfill_sqlite after it).
-- Nullable only because SQLite cannot add a NOT NULL column without a default; lotrace
-- always writes it, and `lotrace verify` reports a row without one.
ALTER TABLE event ADD COLUMN chain_hash BLOB;
