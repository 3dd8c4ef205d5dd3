-- Files that events refer to (a certificate of analysis, a lab report), by the SHA-256 of
-- their bytes: the same file stored twice is one row, and a reference cannot change under
-- the event that cites it. Never updated, never deleted.
CREATE TABLE document (
    sha256         TEXT COLLATE "C" PRIMARY KEY,
    media_type     TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    body           BYTEA NOT NULL,
    created_at_us  BIGINT NOT NULL
);
