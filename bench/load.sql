-- Loads the 256 artifacts of one size that get.sql reads; psql -v payload=BYTES.
-- Each size has its own session, so loading 1 MiB never finds 1 KiB rows.
INSERT INTO artifacts_blobs (tenant, "user", session, task, namespace, id, mime_type, size_bytes, filename, sha256, source_json, bytes)
SELECT 'pgbench', 'bench', 'load-' || :payload, '', 'bench', 'g' || k, 'application/octet-stream', :payload, '', repeat('0', 64), 'null',
       convert_to(lpad(k::text, :payload, 'x'), 'UTF8')
  FROM generate_series(1, 256) AS k
  ON CONFLICT (tenant, "user", session, task, namespace, id) DO NOTHING;
