// The single-connection storage interface every driver implements.
//
// A backend is used by one thread at a time (the worker that owns it) and
// holds at most one connection. It stores exactly what it is given: inputs
// are already validated, defaulted and digested by `operations`, so a
// backend's only job is to persist and fetch rows faithfully and atomically.
//
// Every method throws store_error on failure and nothing else: a driver maps
// its own exceptions (libpqxx, SQLite, I/O) to store_error in one place. A
// lost or unusable connection is errc::unavailable; the owner may destroy the
// backend and open a fresh one from the driver.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/artifacts.pb.h"

namespace artifacts {

// Addresses one stored row: the scope, the namespace and the id.
struct artifact_key {
  const v1::Scope& scope;
  std::string_view ns;
  std::string_view id;
};

// A new artifact to store. `ref` is complete (id, digest, size, defaults
// applied); `source_json` is the JSON text of ref.source(), or "null".
struct new_artifact {
  const v1::ArtifactRef& ref;
  std::string_view bytes;
  std::string_view source_json;
};

// A page request over rows in the store's order (tenant, user, session, task,
// namespace, id; bytewise). Empty filter fields match anything.
struct list_query {
  const v1::Scope& filter;
  const v1::ListCursor* after;  // null: from the start; else strictly after it
  uint32_t limit;               // at most this many refs
};

class backend {
 public:
  virtual ~backend() = default;

  // Stores `artifact` unless a row exists at its key, and returns the row now
  // stored there: the new one, or the existing one unchanged (first writer
  // wins, including when a concurrent writer on another connection got there
  // first). Never overwrites. The caller compares digests.
  virtual v1::ArtifactRef put(const new_artifact& artifact) = 0;

  // The bytes at `key`, or nullopt when no row is there.
  virtual std::optional<std::string> get(const artifact_key& key) = 0;

  // The ref at `key`, or nullopt when no row is there.
  virtual std::optional<v1::ArtifactRef> get_ref(const artifact_key& key) = 0;

  // Whether a row is at `key`.
  virtual bool exists(const artifact_key& key) = 0;

  // Removes the row at `key`; true when there was one.
  virtual bool remove(const artifact_key& key) = 0;

  // Up to query.limit refs matching the filter, after the cursor, in order.
  virtual std::vector<v1::ArtifactRef> list(const list_query& query) = 0;
};

}  // namespace artifacts
