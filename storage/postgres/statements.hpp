// The SQL of the PostgreSQL backend. Every value travels as a parameter;
// nothing here is ever concatenated with data.
#pragma once

namespace artifacts::postgres::sql {

// The metadata columns, in the order ref_from_row reads them.
#define ARTIFACTS_PG_REF_COLUMNS                               \
  "tenant, \"user\", session, task, namespace, id, mime_type," \
  " size_bytes, filename, sha256, source_json"

// $1..$6: tenant, user, session, task, namespace, id.
#define ARTIFACTS_PG_AT_KEY                                             \
  " WHERE tenant = $1 AND \"user\" = $2 AND session = $3 AND task = $4" \
  " AND namespace = $5 AND id = $6"

inline constexpr const char* select_ref =
    "SELECT " ARTIFACTS_PG_REF_COLUMNS " FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY;

inline constexpr const char* select_bytes = "SELECT bytes FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY;

inline constexpr const char* select_exists = "SELECT 1 FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY;

inline constexpr const char* delete_row = "DELETE FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY;

// $1..$12: the twelve columns; never overwrites a row already at the key.
// Reports what it did: one row (the id) when it inserted, none when a row
// was already at the key. One round trip for a new artifact.
inline constexpr const char* insert_row_returning =
    "INSERT INTO artifacts_blobs (tenant, \"user\", session, task, namespace, id, mime_type, "
    "size_bytes, filename, sha256, source_json, bytes) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
    "ON CONFLICT (tenant, \"user\", session, task, namespace, id) DO NOTHING "
    "RETURNING id";

// The list statements, one per filter shape, are in list_statements.hpp.

#undef ARTIFACTS_PG_REF_COLUMNS
#undef ARTIFACTS_PG_AT_KEY

}  // namespace artifacts::postgres::sql
