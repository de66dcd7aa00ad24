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

// $8: the first byte (1-based), $9: how many. substring fetches only the
// TOAST chunks of the range when the value is stored uncompressed; a
// compressed value is decompressed up to the range's end. octet_length
// reads the size from the value's header.
inline constexpr const char* select_range =
    "SELECT substring(bytes FROM $8::int4 FOR $9::int4), octet_length(bytes)::int8, sha256"
    " FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY ARTIFACTS_PG_LIVE;

inline constexpr const char* select_exists =
    "SELECT 1 FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY ARTIFACTS_PG_LIVE;

// Counts, in artifacts_usage (migration 6), what the data-modifying CTE
// named `changed` did, one upsert per tenant: SIGN is + for rows it added
// and - for rows it removed. The store's sessions count their own writes
// this way, in the statement that makes them, and the table's trigger
// leaves them alone; each session adds to its own shard of a tenant.
// clang-format off
#define ARTIFACTS_PG_COUNTED(changed, SIGN)                                       \
  ", counted AS (INSERT INTO artifacts_usage AS u (tenant, shard, count, bytes)"  \
  " SELECT tenant, pg_backend_pid() % 8, " SIGN "count(*), " SIGN "sum(size_bytes)" \
  " FROM " changed " GROUP BY tenant ON CONFLICT (tenant, shard) DO UPDATE"       \
  " SET count = u.count + excluded.count, bytes = u.bytes + excluded.bytes)"
// clang-format on

// Deletes the row at the key, live or expired; returns whether it was live
// (an expired row was already gone for every reader).
// clang-format off
inline constexpr const char* delete_row =
    "WITH gone AS (DELETE FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY
    " RETURNING tenant, size_bytes, expires_at)"
    ARTIFACTS_PG_COUNTED("gone", "-")
    " SELECT (expires_at IS NULL OR expires_at > " ARTIFACTS_PG_INSTANT("7") ") FROM gone";
// clang-format on

// The row at the key, live or expired: what a put that met a row decides on.
inline constexpr const char* select_stored_ref =
    "SELECT " ARTIFACTS_PG_REF_COLUMNS " FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY;

// Deletes the row at the key if it is expired at $7, for a put to store its
// artifact anew there.
// clang-format off
inline constexpr const char* delete_expired_row =
    "WITH gone AS (DELETE FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY
    " AND expires_at <= " ARTIFACTS_PG_INSTANT("7") " RETURNING tenant, size_bytes)"
    ARTIFACTS_PG_COUNTED("gone", "-")
    " SELECT 1 FROM gone";
// clang-format on

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
// clang-format off
#define ARTIFACTS_PG_INSERT_ROW_OF(BYTES)                                                    \
  "INSERT INTO artifacts_blobs (tenant, \"user\", session, task, namespace, id, mime_type, " \
  "size_bytes, filename, sha256, source_json, bytes, created_at, expires_at) "               \
  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, " BYTES ", "                        \
  ARTIFACTS_PG_INSTANT("13") ", " ARTIFACTS_PG_INSTANT("14") ") "                            \
  "ON CONFLICT (tenant, \"user\", session, task, namespace, id) DO NOTHING "
#define ARTIFACTS_PG_INSERT_ROW ARTIFACTS_PG_INSERT_ROW_OF("$12")

// The insert, counted in the same statement: what a put of one artifact
// runs.
inline constexpr const char* insert_row_counted =
    "WITH added AS (" ARTIFACTS_PG_INSERT_ROW "RETURNING tenant, size_bytes, id)"
    ARTIFACTS_PG_COUNTED("added", "")
    " SELECT id FROM added";

// insert_row_counted for a streamed upload: $12 is the upload's id, and the
// bytes are its parts, assembled on the server in one value (migration 8).
inline constexpr const char* insert_uploaded_counted =
    "WITH added AS (" ARTIFACTS_PG_INSERT_ROW_OF(
        "(SELECT coalesce(string_agg(data, ''::bytea ORDER BY part_offset), ''::bytea)"
        " FROM artifacts_upload_parts WHERE upload_id = $12)")
    "RETURNING tenant, size_bytes, id)"
    ARTIFACTS_PG_COUNTED("added", "")
    " SELECT id FROM added";
// clang-format on

// The insert alone, for a batch, which counts what its inserts added in one
// statement of its own (add_counts) before it commits.
inline constexpr const char* insert_row_returning = ARTIFACTS_PG_INSERT_ROW "RETURNING id";

// $1: a tenant; $2, $3: the artifacts and bytes a batch added to it.
inline constexpr const char* add_counts =
    "INSERT INTO artifacts_usage AS u (tenant, shard, count, bytes)"
    " VALUES ($1, pg_backend_pid() % 8, $2, $3) ON CONFLICT (tenant, shard) DO UPDATE"
    " SET count = u.count + excluded.count, bytes = u.bytes + excluded.bytes";

// $1: a tenant; $2: now. The tenant's live artifacts and bytes: its counts,
// less its rows that have expired and that no sweep has deleted yet
// (through the partial index artifacts_blobs_expiring, migration 7).
inline constexpr const char* tenant_usage =
    "SELECT c.count - e.count, c.bytes - e.bytes FROM"
    " (SELECT coalesce(sum(count), 0)::int8 AS count, coalesce(sum(bytes), 0)::int8 AS bytes"
    " FROM artifacts_usage WHERE tenant = $1) c,"
    " (SELECT count(*)::int8 AS count, coalesce(sum(size_bytes), 0)::int8 AS bytes"
    " FROM artifacts_blobs WHERE tenant COLLATE \"C\" = $1"
    " AND expires_at <= " ARTIFACTS_PG_INSTANT("2") ") e";

// $1: now; $2: the batch size. Takes the oldest expired rows that no other
// session is deleting (SKIP LOCKED: two sweepers never wait for each other
// nor delete a row twice) through the expiry index, and deletes them by
// their row addresses, which the locks keep from changing meanwhile.
inline constexpr const char* sweep_expired =
    "WITH gone AS (DELETE FROM artifacts_blobs WHERE ctid = ANY(ARRAY("
    "SELECT ctid FROM artifacts_blobs WHERE expires_at IS NOT NULL AND expires_at "
    "<= " ARTIFACTS_PG_INSTANT("1") " ORDER BY expires_at LIMIT $2::int8 FOR UPDATE SKIP LOCKED))"
    " RETURNING tenant, size_bytes)" ARTIFACTS_PG_COUNTED("gone", "-")
    " SELECT size_bytes FROM gone";

// $1: a tenant. Serialises, until the transaction ends, the puts into the
// tenant that check its quota, on every connection and every node; the
// two-key form keeps it apart from the migration lock's one key.
inline constexpr const char* lock_tenant =
    "SELECT pg_advisory_xact_lock(1098080101, hashtext($1::text))";

// Wraps a purge statement of list_statements.hpp (a DELETE returning
// tenant, size and expiry) to count what it removed: "WITH gone AS (" the
// purge ")" and this.
inline constexpr const char* count_purged =
    ARTIFACTS_PG_COUNTED("gone", "-") " SELECT size_bytes, expires_at FROM gone";

// Streamed uploads (migration 8). $1 is always the upload's id.

// $2: its tenant; $3: the begin request; $4: when it expires.
inline constexpr const char* insert_upload =
    "INSERT INTO artifacts_uploads (upload_id, tenant, request, expires_at)"
    " VALUES ($1, $2, $3, " ARTIFACTS_PG_INSTANT("4") ")";

// $2: now. The upload if it is live, locked until the transaction ends
// when FOR UPDATE follows.
inline constexpr const char* select_upload =
    "SELECT request, size_bytes, (extract(epoch FROM expires_at) * 1000000)::int8, committed"
    " FROM artifacts_uploads WHERE upload_id = $1 AND expires_at > " ARTIFACTS_PG_INSTANT("2");

// $2: the chunk's offset; $3: its bytes; $4: the new expiry; $5: now.
// Appends the chunk only if the upload is live, not committed, and ends at
// $2: the update locks the upload's row, so of two chunks at one offset
// the second finds the size moved and appends nothing. Returns the new
// size, or no row.
inline constexpr const char* append_part =
    "WITH grown AS (UPDATE artifacts_uploads SET size_bytes = size_bytes + octet_length($3::bytea),"
    " expires_at = " ARTIFACTS_PG_INSTANT("4")
    " WHERE upload_id = $1 AND size_bytes = $2::int8 AND committed IS NULL"
    " AND expires_at > " ARTIFACTS_PG_INSTANT("5") " RETURNING size_bytes)"
    " INSERT INTO artifacts_upload_parts (upload_id, part_offset, data)"
    " SELECT $1, $2::int8, $3::bytea FROM grown RETURNING (SELECT size_bytes FROM grown)";

// $2: an offset. The part that starts there, if any.
inline constexpr const char* select_part =
    "SELECT data FROM artifacts_upload_parts WHERE upload_id = $1 AND part_offset = $2::int8";

// $2: the committed ref; $3: until when it answers. Drops the parts.
inline constexpr const char* mark_committed =
    "WITH dropped AS (DELETE FROM artifacts_upload_parts WHERE upload_id = $1)"
    " UPDATE artifacts_uploads SET committed = $2, expires_at = " ARTIFACTS_PG_INSTANT(
        "3") " WHERE upload_id = $1";

// $2: now. Removes the upload (its parts go with it) if it is live.
inline constexpr const char* delete_upload =
    "DELETE FROM artifacts_uploads WHERE upload_id = $1 AND expires_at > " ARTIFACTS_PG_INSTANT(
        "2") " RETURNING 1";

// $1: now; $2: the batch size. Removes the uploads expired at $1 that no
// other session is removing, as sweep_expired does for artifacts.
inline constexpr const char* sweep_uploads =
    "DELETE FROM artifacts_uploads WHERE upload_id = ANY(ARRAY("
    "SELECT upload_id FROM artifacts_uploads WHERE expires_at <= " ARTIFACTS_PG_INSTANT(
        "1") " ORDER BY expires_at LIMIT $2::int8 FOR UPDATE SKIP LOCKED)) RETURNING 1";

// The list, usage and purge statements, one per filter shape, are in
// list_statements.hpp.

#undef ARTIFACTS_PG_REF_COLUMNS
#undef ARTIFACTS_PG_INSERT_ROW
#undef ARTIFACTS_PG_INSERT_ROW_OF
#undef ARTIFACTS_PG_COUNTED
#undef ARTIFACTS_PG_AT_KEY
#undef ARTIFACTS_PG_LIVE
#undef ARTIFACTS_PG_INSTANT

}  // namespace artifacts::postgres::sql
