-- Files that events refer to (a certificate of analysis, a lab report), by the SHA-256 of
-- their bytes: the same file stored twice is one row, and a reference cannot change under
-- the event that cites it. Never updated, never deleted.
CREATE TABLE document (
    sha256         TEXT PRIMARY KEY,
    media_type     TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL,
    body           BLOB NOT NULL,
    created_at_us  INTEGER NOT NULL
);
