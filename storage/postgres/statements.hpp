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

// The store's order is bytewise (std::string comparison in the memory
// driver), so every comparison and sort uses the "C" collation whatever the
// database's default is.
#define ARTIFACTS_PG_ORDER_KEY                                                                \
  "tenant COLLATE \"C\", \"user\" COLLATE \"C\", session COLLATE \"C\", task COLLATE \"C\", " \
  "namespace COLLATE \"C\", id COLLATE \"C\""

inline constexpr const char* select_ref =
    "SELECT " ARTIFACTS_PG_REF_COLUMNS " FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY;

inline constexpr const char* select_bytes = "SELECT bytes FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY;

inline constexpr const char* select_exists = "SELECT 1 FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY;

inline constexpr const char* delete_row = "DELETE FROM artifacts_blobs" ARTIFACTS_PG_AT_KEY;

// $1..$12: the twelve columns; never overwrites a row already at the key.
inline constexpr const char* insert_row =
    "INSERT INTO artifacts_blobs (tenant, \"user\", session, task, namespace, id, mime_type, "
    "size_bytes, filename, sha256, source_json, bytes) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
    "ON CONFLICT (tenant, \"user\", session, task, namespace, id) DO NOTHING";

// insert_row that reports what it did: one row (the id) when it inserted,
// none when a row was already at the key. One round trip for a new artifact.
inline constexpr const char* insert_row_returning =
    "INSERT INTO artifacts_blobs (tenant, \"user\", session, task, namespace, id, mime_type, "
    "size_bytes, filename, sha256, source_json, bytes) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
    "ON CONFLICT (tenant, \"user\", session, task, namespace, id) DO NOTHING "
    "RETURNING id";

// $1..$4: the filter (an empty string matches anything); $5: true to start
// at the beginning; $6..$11: the cursor's key, rows strictly after it;
// $12: at most this many rows.
inline constexpr const char* list_page =
    "SELECT " ARTIFACTS_PG_REF_COLUMNS
    " FROM artifacts_blobs"
    " WHERE ($1::text = '' OR tenant = $1::text)"
    " AND ($2::text = '' OR \"user\" = $2::text)"
    " AND ($3::text = '' OR session = $3::text)"
    " AND ($4::text = '' OR task = $4::text)"
    " AND ($5::bool OR (" ARTIFACTS_PG_ORDER_KEY
    ") > ($6::text, $7::text, $8::text, $9::text, $10::text, $11::text))"
    " ORDER BY " ARTIFACTS_PG_ORDER_KEY " LIMIT $12::bigint";

#undef ARTIFACTS_PG_REF_COLUMNS
#undef ARTIFACTS_PG_AT_KEY
#undef ARTIFACTS_PG_ORDER_KEY

}  // namespace artifacts::postgres::sql
