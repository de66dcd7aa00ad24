-- Streamed uploads: an upload's state, and its bytes as one row per chunk.
-- Commit writes the chunks into one artifacts_blobs row through incremental
-- blob I/O. Instants are microseconds since the Unix epoch.
CREATE TABLE IF NOT EXISTS artifacts_uploads (
    upload_id   TEXT PRIMARY KEY,
    tenant      TEXT NOT NULL,
    request     BLOB NOT NULL,
    size_bytes  INTEGER NOT NULL DEFAULT 0,
    expires_at  INTEGER NOT NULL,
    committed   BLOB
);

CREATE INDEX IF NOT EXISTS artifacts_uploads_expiry ON artifacts_uploads (expires_at);

CREATE TABLE IF NOT EXISTS artifacts_upload_parts (
    upload_id   TEXT NOT NULL,
    part_offset INTEGER NOT NULL,
    data        BLOB NOT NULL,
    PRIMARY KEY (upload_id, part_offset)
);
