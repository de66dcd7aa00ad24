-- The artifact table: the PostgreSQL shape, with BLOB for the byte columns.
-- Keys compare with the BINARY collation, so listings are ordered bytewise
-- like on every other driver.
CREATE TABLE IF NOT EXISTS artifacts_blobs (
    tenant      TEXT    NOT NULL,
    "user"      TEXT    NOT NULL,
    session     TEXT    NOT NULL,
    task        TEXT    NOT NULL,
    namespace   TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    mime_type   TEXT    NOT NULL,
    size_bytes  INTEGER NOT NULL,
    filename    TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    source_json BLOB    NOT NULL,
    bytes       BLOB    NOT NULL,
    PRIMARY KEY (tenant, "user", session, task, namespace, id)
);

-- The runner creates this table before it reads the applied versions; it is
-- declared here too so that this file describes the whole initial schema.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    applied_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
