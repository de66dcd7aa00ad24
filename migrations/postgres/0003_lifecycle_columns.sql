-- When each artifact was first stored, and when it expires (NULL: never).
--
-- Additive, for the original Go driver's sake: it inserts its twelve
-- columns and reads them back, and its rows get created_at from the
-- default and never expire. now() is stable, not volatile, so PostgreSQL
-- adds the columns without rewriting the table; rows stored before this
-- migration read as created when it ran.
ALTER TABLE artifacts_blobs
    ADD COLUMN IF NOT EXISTS created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN IF NOT EXISTS expires_at TIMESTAMPTZ;
