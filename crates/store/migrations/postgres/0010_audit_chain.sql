-- The hash chain over the audit trail (store/src/audit_chain.rs): every audit row carries a
-- SHA-256 over the previous row's chain hash and this row's fields (position, time, actor,
-- actor kind, role, method, path, status, summary, address). Appends fill it in their
-- transaction, under an advisory lock; rows stored before this migration get theirs, in
-- position order, in the same transaction as this file (migrate.rs runs
-- audit_chain::backfill_postgres after it). Nullable, as on SQLite: an append inserts the row
-- and then sets its link, and `lotrace verify` reports a row without one.
ALTER TABLE audit_entry ADD COLUMN chain_hash BYTEA;
