-- artifact-store: outside a transaction
--
-- The index sweeps walk: expiring rows only, by expiry. A sweep takes the
-- oldest expired rows first and stops at its batch size, so it never reads
-- a row that does not expire. Built CONCURRENTLY, like the list-order index
-- (0002), so that writers go on while it is built on a large table.
CREATE INDEX CONCURRENTLY IF NOT EXISTS artifacts_blobs_expiry ON artifacts_blobs (expires_at)
    WHERE expires_at IS NOT NULL
