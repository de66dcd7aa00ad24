// The statements the libpq baselines run: the original driver's, as its put
// and get send them (DESIGN §6). They are the yardstick, so they stay as
// they are when the store's own statements change.
#pragma once

namespace artifacts::bench::sql {

// $1..$6: tenant, user, session, task, namespace, id.
inline constexpr const char* select_ref =
    "SELECT tenant, \"user\", session, task, namespace, id, mime_type, size_bytes, filename,"
    " sha256, source_json FROM artifacts_blobs WHERE tenant = $1 AND \"user\" = $2"
    " AND session = $3 AND task = $4 AND namespace = $5 AND id = $6";

// $1..$6: tenant, user, session, task, namespace, id.
inline constexpr const char* select_bytes =
    "SELECT bytes FROM artifacts_blobs WHERE tenant = $1 AND \"user\" = $2 AND session = $3"
    " AND task = $4 AND namespace = $5 AND id = $6";

// $1..$12: the twelve columns, in the table's order.
inline constexpr const char* insert_row =
    "INSERT INTO artifacts_blobs (tenant, \"user\", session, task, namespace, id, mime_type,"
    " size_bytes, filename, sha256, source_json, bytes)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    " ON CONFLICT (tenant, \"user\", session, task, namespace, id) DO NOTHING";

}  // namespace artifacts::bench::sql
