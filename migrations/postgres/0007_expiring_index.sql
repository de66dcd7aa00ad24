-- artifact-store: outside a transaction
--
-- The rows that expire, by tenant and expiry: what a tenant's usage
-- subtracts from its counts in artifacts_usage (migration 6), the expired
-- rows no sweep has deleted yet, read without visiting the tenant's other
-- rows. Built CONCURRENTLY, like 0002.
CREATE INDEX CONCURRENTLY IF NOT EXISTS artifacts_blobs_expiring ON artifacts_blobs (
    tenant COLLATE "C", expires_at) INCLUDE (size_bytes)
    WHERE expires_at IS NOT NULL
