-- artifact-store: outside a transaction
--
-- The index usage and purges walk: the scope in bytewise order, as the
-- list-order index has it, carrying each row's size and expiry, so that a
-- usage is counted from the index alone (an index-only scan, once VACUUM has
-- marked the table's pages all-visible) and a purge finds its rows without
-- reading those of other scopes. Built CONCURRENTLY, like 0002.
CREATE INDEX CONCURRENTLY IF NOT EXISTS artifacts_blobs_usage ON artifacts_blobs (
    tenant COLLATE "C", "user" COLLATE "C", session COLLATE "C", task COLLATE "C")
    INCLUDE (size_bytes, expires_at)
