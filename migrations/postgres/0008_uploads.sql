-- Streamed uploads: an upload's state, and its bytes as one row per chunk
-- (appending to one bytea would rewrite it whole at every chunk). Commit
-- assembles the chunks into one artifacts_blobs row, which the original
-- driver reads as any other. New tables only: nothing an earlier binary or
-- the original driver uses changes.
CREATE TABLE IF NOT EXISTS artifacts_uploads (
    upload_id   TEXT PRIMARY KEY,
    tenant      TEXT NOT NULL,
    request     BYTEA NOT NULL,       -- the begin request, serialised
    size_bytes  BIGINT NOT NULL DEFAULT 0,
    expires_at  TIMESTAMPTZ NOT NULL,
    committed   BYTEA                 -- the artifact's ref, once committed
);

-- What the sweep of abandoned uploads walks.
CREATE INDEX IF NOT EXISTS artifacts_uploads_expiry ON artifacts_uploads (expires_at);

CREATE TABLE IF NOT EXISTS artifacts_upload_parts (
    upload_id   TEXT NOT NULL REFERENCES artifacts_uploads (upload_id) ON DELETE CASCADE,
    part_offset BIGINT NOT NULL,
    data        BYTEA NOT NULL,
    PRIMARY KEY (upload_id, part_offset)
);
