-- Live counts per tenant, so that a tenant's usage and quota read a few rows
-- instead of every artifact it holds: how many rows artifacts_blobs holds
-- for each tenant, and their bytes.
--
-- Each connection adds to its own shard of a tenant's counts (its backend
-- pid modulo 8), so that concurrent writers into one tenant rarely wait for
-- each other's counter row; a usage adds the shards up. Rows that have
-- expired but are not swept yet are still counted here; a usage subtracts
-- them (artifacts_blobs_expiring, migration 7).
--
-- Every write is counted in the writer's own transaction. The store's
-- sessions mark themselves (artifact_store.own_counts = on) and count their
-- own writes, one upsert per tenant per statement or batch; the trigger
-- counts every other writer's rows (the original Go driver's, a node of an
-- earlier version, an operator's SQL), one upsert per row. TRUNCATE empties
-- the counts with the table. An update counts only when it moves a row to
-- another tenant or changes its size (the store's updates move an expiry).
--
-- The table is locked against writers while the rows already stored are
-- counted, so that no write falls between the count and the trigger.
CREATE TABLE IF NOT EXISTS artifacts_usage (
    tenant TEXT     NOT NULL,
    shard  SMALLINT NOT NULL,
    count  BIGINT   NOT NULL,
    bytes  BIGINT   NOT NULL,
    PRIMARY KEY (tenant, shard)
);

CREATE OR REPLACE FUNCTION artifacts_usage_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.tenant, OLD.size_bytes) IS NOT DISTINCT FROM
                            (NEW.tenant, NEW.size_bytes) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        INSERT INTO artifacts_usage AS u
        VALUES (OLD.tenant, pg_backend_pid() % 8, -1, -OLD.size_bytes)
        ON CONFLICT (tenant, shard)
        DO UPDATE SET count = u.count - 1, bytes = u.bytes - OLD.size_bytes;
    END IF;
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        INSERT INTO artifacts_usage AS u
        VALUES (NEW.tenant, pg_backend_pid() % 8, 1, NEW.size_bytes)
        ON CONFLICT (tenant, shard)
        DO UPDATE SET count = u.count + 1, bytes = u.bytes + NEW.size_bytes;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION artifacts_usage_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE artifacts_usage;
    RETURN NULL;
END
$$;

LOCK TABLE artifacts_blobs IN SHARE ROW EXCLUSIVE MODE;

-- Not limited to the columns it reads (UPDATE OF …): that would forbid
-- altering those columns' types for as long as the trigger exists.
DROP TRIGGER IF EXISTS artifacts_blobs_usage_count ON artifacts_blobs;
CREATE TRIGGER artifacts_blobs_usage_count
    AFTER INSERT OR DELETE OR UPDATE ON artifacts_blobs
    FOR EACH ROW
    WHEN (current_setting('artifact_store.own_counts', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION artifacts_usage_count();

DROP TRIGGER IF EXISTS artifacts_blobs_usage_clear ON artifacts_blobs;
CREATE TRIGGER artifacts_blobs_usage_clear
    AFTER TRUNCATE ON artifacts_blobs FOR EACH STATEMENT EXECUTE FUNCTION artifacts_usage_clear();

DELETE FROM artifacts_usage;
INSERT INTO artifacts_usage
SELECT tenant, 0, count(*), sum(size_bytes) FROM artifacts_blobs GROUP BY tenant;
