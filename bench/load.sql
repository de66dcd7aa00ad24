-- Loads the 256 artifacts of one size that get.sql reads; psql -v payload=BYTES.
-- Each size has its own session, so loading 1 MiB never finds 1 KiB rows.
-- The bytes are random (chained md5 digests, generated once and prefixed
-- with each row's number), as the store's and the baselines' payloads are:
-- no value compresses, so a 1 MiB get reads a whole MiB from the table, as
-- theirs do.
WITH random_bytes AS (
  SELECT decode(string_agg(md5(i || ':' || random()), ''), 'hex') AS bytes
    FROM generate_series(1, (:payload + 15) / 16) AS i
)
INSERT INTO artifacts_blobs (tenant, "user", session, task, namespace, id, mime_type, size_bytes, filename, sha256, source_json, bytes)
SELECT 'pgbench', 'bench', 'load-' || :payload, '', 'bench', 'g' || k, 'application/octet-stream', :payload, '', repeat('0', 64), 'null',
       substring(int4send(k) || random_bytes.bytes FROM 1 FOR :payload)
  FROM generate_series(1, 256) AS k, random_bytes
  ON CONFLICT (tenant, "user", session, task, namespace, id) DO NOTHING;
