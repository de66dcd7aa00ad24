// The SQL of the PostgreSQL backend. Every value travels as a parameter;
// nothing here is ever concatenated with data.
//
// Instants cross as microseconds since the Unix epoch (int8), converted on
// the server, so that they are exact whatever the session's time zone and
// date style.
#pragma once

namespace artifacts::postgres::sql {

// The metadata columns, in the order ref_from_row reads them.
#define ARTIFACTS_PG_REF_COLUMNS                               \
  "tenant, \"user\", session, task, namespace, id, mime_type," \
  " size_bytes, filename, sha256, source_json,"                \
  " (extract(epoch FROM created_at) * 1000000)::int8,"         \
  " (extract(epoch FROM expires_at) * 1000000)::int8"

// The timestamptz of parameter N, an instant in microseconds (NULL stays NULL).
#define ARTIFACTS_PG_INSTANT(N) "('epoch'::timestamptz + $" N "::int8 * interval '1 microsecond')"

// $1..$6: tenant, user, session, task, namespace, id; $7: now.
#define ARTIFACTS_PG_AT_KEY                                             \
  " WHERE tenant = $1 AND \"user\" = $2 AND session = $3 AND task = $4" \
  " AND namespace = $5 AND id = $6"
#define ARTIFACTS_PG_LIVE " AND (expires_at IS NULL OR expires_at > " ARTIFACTS_PG_INSTANT("7") ")"

inline constexpr const char* select_ref =
    "SELECT " ARTIFACTS_PG_REF_COLUMNS
    " FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY ARTIFACTS_PG_LIVE;

inline constexpr const char* select_bytes =
    "SELECT bytes FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY ARTIFACTS_PG_LIVE;

inline constexpr const char* select_exists =
    "SELECT 1 FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY ARTIFACTS_PG_LIVE;

// Deletes the row at the key, live or expired; returns whether it was live
// (an expired row was already gone for every reader).
inline constexpr const char* delete_row =
    "DELETE FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY
    " RETURNING (expires_at IS NULL OR expires_at > " ARTIFACTS_PG_INSTANT("7") ")";

// The row at the key, live or expired: what a put that met a row decides on.
inline constexpr const char* select_stored_ref =
    "SELECT " ARTIFACTS_PG_REF_COLUMNS " FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY;

// Deletes the row at the key if it is expired at $7, for a put to store its
// artifact anew there.
inline constexpr const char* delete_expired_row = "DELETE FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY
                                                  " AND expires_at <= " ARTIFACTS_PG_INSTANT("7");

// Moves the expiry of the row at the key, if it is live at $7, to the later
// of its own and $8, or to none when $8 is NULL; returns the row.
inline constexpr const char* extend_expiry =
    "UPDATE artifacts_blobs SET expires_at = CASE WHEN $8::int8 IS NULL THEN NULL "
    "ELSE greatest(expires_at, " ARTIFACTS_PG_INSTANT(
        "8") ") END" ARTIFACTS_PG_AT_KEY
             " AND expires_at > " ARTIFACTS_PG_INSTANT("7") " RETURNING " ARTIFACTS_PG_REF_COLUMNS;

// $1..$12: the twelve columns; $13: created_at (the put's now); $14:
// expires_at or NULL. Never touches a row already at the key: returns one
// row (the id) when it inserted, none when a row was there, which the put
// then reads and settles (expired: deleted and inserted again; live: its
// expiry moved when the put's is later). One round trip for a new artifact.
inline constexpr const char* insert_row_returning =
    "INSERT INTO artifacts_blobs (tenant, \"user\", session, task, namespace, id, mime_type, "
    "size_bytes, filename, sha256, source_json, bytes, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, " ARTIFACTS_PG_INSTANT(
        "13") ", " ARTIFACTS_PG_INSTANT("14") ") "
    "ON CONFLICT (tenant, \"user\", session, task, namespace, id) DO NOTHING "
    "RETURNING id";

// $1: now; $2: the batch size. Takes the oldest expired rows that no other
// session is deleting (SKIP LOCKED: two sweepers never wait for each other
// nor delete a row twice) through the expiry index, and deletes them by
// their row addresses, which the locks keep from changing meanwhile.
inline constexpr const char* sweep_expired =
    "DELETE FROM artifacts_blobs WHERE ctid = ANY(ARRAY("
    "SELECT ctid FROM artifacts_blobs WHERE expires_at IS NOT NULL AND expires_at "
    "<= " ARTIFACTS_PG_INSTANT(
        "1") " ORDER BY expires_at LIMIT $2::int8 FOR UPDATE SKIP LOCKED)) RETURNING size_bytes";

// $1: a tenant. Serialises, until the transaction ends, the puts into the
// tenant that check its quota, on every connection and every node; the
// two-key form keeps it apart from the migration lock's one key.
inline constexpr const char* lock_tenant =
    "SELECT pg_advisory_xact_lock(1098080101, hashtext($1::text))";

// The list, usage and purge statements, one per filter shape, are in
// list_statements.hpp.

#undef ARTIFACTS_PG_REF_COLUMNS
#undef ARTIFACTS_PG_AT_KEY
#undef ARTIFACTS_PG_LIVE
#undef ARTIFACTS_PG_INSTANT

}  // namespace artifacts::postgres::sql
