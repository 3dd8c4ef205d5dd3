-- identifier_keys holds one key per identifier, whatever its role: the first 8 bytes
-- (big-endian) of SHA-256(identifier). Before, the role code was hashed with it, so a lookup
-- of one identifier asked for 14 keys. migrate.rs recomputes the keys of every stored event
-- from its body after this file, in the same transaction (postgres::rekey).
COMMENT ON COLUMN event.identifier_keys IS
    'one key per identifier named (repeated for each role): first 8 bytes of SHA-256(identifier), big-endian';
