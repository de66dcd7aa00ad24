-- The index usage and purges walk: the scope, then each row's size and
-- expiry, so that a usage is counted from the index alone.
CREATE INDEX IF NOT EXISTS artifacts_blobs_usage
    ON artifacts_blobs (tenant, "user", session, task, size_bytes, expires_at);
