-- pgbench: one get (DESIGN §6) of an artifact loaded by load.sql; run with
-- -M prepared.
\set k random(1, 256)
SELECT bytes FROM artifacts_blobs WHERE tenant = 'pgbench' AND "user" = 'bench'
  AND session = 'load-' || :payload AND task = '' AND namespace = 'bench' AND id = 'g' || :k;
