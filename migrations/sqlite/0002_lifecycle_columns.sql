-- When each artifact was first stored, and when it expires (NULL: never),
-- as microseconds since the Unix epoch.
--
-- SQLite adds a column only with a constant default, so a row inserted
-- without created_at (the twelve columns of the original schema) gets it
-- from the trigger below; rows stored before this migration read as created
-- when it ran.
ALTER TABLE artifacts_blobs ADD COLUMN created_at INTEGER;
ALTER TABLE artifacts_blobs ADD COLUMN expires_at INTEGER;

UPDATE artifacts_blobs
   SET created_at = CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)
 WHERE created_at IS NULL;

CREATE TRIGGER IF NOT EXISTS artifacts_blobs_created_at
AFTER INSERT ON artifacts_blobs FOR EACH ROW WHEN NEW.created_at IS NULL
BEGIN
    UPDATE artifacts_blobs
       SET created_at = CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)
     WHERE rowid = NEW.rowid;
END;

-- The index sweeps walk: expiring rows only, by expiry.
CREATE INDEX IF NOT EXISTS artifacts_blobs_expiry ON artifacts_blobs (expires_at)
    WHERE expires_at IS NOT NULL;
