// Reading a bytea in libpq's binary result format beneath a libpqxx
// connection. libpqxx 6.4 always asks for text results, which carry a bytea
// hex-encoded at twice its size and decode it on the client; a large get
// spends most of its time there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <libpq-fe.h>
#include <pqxx/connection>

#include "storage/backend.hpp"
#include "storage/lifecycle.hpp"
#include "storage/postgres/libpq_access.hpp"

namespace artifacts::postgres {

// Fetches the bytes at a key through the libpq handle of one libpqxx
// connection, with its own prepared statement (re-prepared when libpqxx has
// replaced the handle by reconnecting). Use it only between libpqxx
// transactions on that connection, from the thread that owns it.
class binary_reader {
 public:
  // The bytes at `key`, copied once out of libpq's result; nullopt when no
  // row is there, or only one expired at `now`. Throws pqxx::broken_connection when the connection
  // is gone and pqxx::sql_error (with the SQLSTATE) when the statement fails, for the caller's
  // mapping to store_error (pg_errors.hpp).
  std::optional<std::string> bytes_at(pqxx::connection& conn, const artifact_key& key, micros now);

  // bytes_at for each key, in order, sent as one pipeline: every query goes
  // out before the first answer is read, so the batch costs one round trip.
  // Throws like bytes_at for the batch as a whole; the connection is out of
  // pipeline mode again when it returns or throws, unless it was lost.
  std::vector<std::optional<std::string>> bytes_at_each(pqxx::connection& conn,
                                                        const std::vector<artifact_key>& keys,
                                                        micros now);

  // Up to `length` bytes at `key` from `offset`, with the artifact's size
  // and digest (backend::read_range); the server sends only the range.
  // Throws like bytes_at.
  std::optional<stored_range> range_at(pqxx::connection& conn, const artifact_key& key, micros now,
                                       uint64_t offset, uint64_t length);

 private:
  // Prepares the statements on `pg` unless they are prepared there already.
  void prepare_on(PGconn* pg);

  // Runs the prepared `statement` with `values`, binary results, preparing
  // it again once when the session lacks it.
  result_ptr exec_binary(PGconn* pg, const char* statement, const char* text, int count,
                         const char* const* values);

  const void* prepared_on_ = nullptr;
};

}  // namespace artifacts::postgres
