-- pgbench: the original driver's put transaction (DESIGN §6) with a new
-- 1 KiB artifact each time; run with -M prepared.
-- The payload is built in SQL (lpad): pgbench's variables are numbers, and a
-- payload given with -D would be one fixed string, which the kernel limits to
-- 128 KiB an argument. At 1 KiB the bytes it does not send are small beside
-- the transaction's five statements, and a value that small is stored
-- uncompressed; at 1 MiB it would send a few bytes where the store sends a
-- MiB and store a value TOAST shrinks to kilobytes, so scripts/bench runs it
-- at 1 KiB only.
\set n random(1, 1000000000)
BEGIN;
SELECT tenant, "user", session, task, namespace, id, mime_type, size_bytes, filename, sha256, source_json
  FROM artifacts_blobs WHERE tenant = 'pgbench' AND "user" = 'bench' AND session = :client_id::text
  AND task = '' AND namespace = 'bench' AND id = 'p' || :n || '-' || txid_current();
INSERT INTO artifacts_blobs (tenant, "user", session, task, namespace, id, mime_type, size_bytes, filename, sha256, source_json, bytes)
  VALUES ('pgbench', 'bench', :client_id::text, '', 'bench', 'p' || :n || '-' || txid_current(), 'application/octet-stream', :payload, '', repeat('0', 64), 'null', convert_to(lpad(:n::text, :payload, 'x'), 'UTF8'))
  ON CONFLICT (tenant, "user", session, task, namespace, id) DO NOTHING;
SELECT tenant, "user", session, task, namespace, id, mime_type, size_bytes, filename, sha256, source_json
  FROM artifacts_blobs WHERE tenant = 'pgbench' AND "user" = 'bench' AND session = :client_id::text
  AND task = '' AND namespace = 'bench' AND id = 'p' || :n || '-' || txid_current();
COMMIT;
