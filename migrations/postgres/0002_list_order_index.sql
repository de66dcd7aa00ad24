-- artifact-store: outside a transaction
--
-- The index every list page walks: the store's key in bytewise order, the
-- order lists promise. The primary key has the database's collation, which
-- is bytewise only in a "C" database, so it serves lookups by key but not a
-- list's order. With this index a page starts at its cursor and stops after
-- its last row, for every filter that fixes the scope from the tenant on.
--
-- Built CONCURRENTLY so that writers go on while it is built on a large
-- table; that cannot run inside a transaction, hence the first line. A build
-- that stops part way (a crash, a cancel, a timeout) leaves the index
-- INVALID; the runner drops such a leftover before it builds again, and
-- records this version only once the index is valid.
CREATE INDEX CONCURRENTLY IF NOT EXISTS artifacts_blobs_list_order ON artifacts_blobs (
    tenant COLLATE "C", "user" COLLATE "C", session COLLATE "C", task COLLATE "C",
    namespace COLLATE "C", id COLLATE "C")
