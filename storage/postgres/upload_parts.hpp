// The bytes of streamed uploads on PostgreSQL (migration 8), sent and read
// through libpq in binary beneath a libpqxx connection: a chunk crosses the
// wire once, as it is, rather than hex-encoded at twice its size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <pqxx/connection>

#include "storage/lifecycle.hpp"

namespace artifacts::postgres {

// Appends `bytes` at `offset` to upload `id` if it is live at `now`, not
// committed, and ends at `offset` (sql::append_part); moves its expiry to
// `expires_at`. The new size, or nullopt when the upload was not in that
// state (nothing changed). Use it between libpqxx transactions, from the
// connection's thread. Throws pqxx::broken_connection or pqxx::sql_error,
// for the caller's mapping (pg_errors.hpp).
std::optional<uint64_t> append_part(pqxx::connection& conn, std::string_view id, uint64_t offset,
                                    std::string_view bytes, micros expires_at, micros now);

// The bytes of the part of upload `id` that starts at `offset`, or nullopt
// when none does. Throws like append_part.
std::optional<std::string> part_at(pqxx::connection& conn, std::string_view id, uint64_t offset);

}  // namespace artifacts::postgres
