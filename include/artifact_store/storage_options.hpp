// What a driver needs to know to open and guard a store.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace artifacts {

// Bounds on caller input. Every string, size and digest is checked against
// these before any backend sees it.
struct limits {
  size_t max_payload_bytes = size_t{64} << 20;  // 64 MiB
  size_t max_identity_bytes = 256;              // tenant, user, session, task
  size_t max_namespace_bytes = 128;
  size_t max_mime_type_bytes = 255;
  size_t max_filename_bytes = 1024;
  size_t max_source_json_bytes = size_t{64} << 10;  // 64 KiB
  // Objects and lists nested in `source`, the source object itself counting
  // one. Never more than max_source_depth_ceiling, whatever is configured.
  size_t max_source_depth = 32;
  uint32_t default_list_limit = 1000;
  uint32_t max_list_limit = 10000;
};

// The deepest `source` the store can keep faithfully: protobuf's JSON printer
// stops at 32 levels of objects and lists, and a deeper source would be
// stored as truncated JSON that no later read could parse. Refs carrying a
// source this deep still parse after crossing remoting (protobuf reads at
// most 100 nested messages; a ref in a listing needs 3 per level, plus 1).
inline constexpr size_t max_source_depth_ceiling = 32;

// Maps a namespace and a full digest to an artifact id. The store's rule is
// "{namespace}_{first 12 hex chars}"; tests replace it to force collisions.
using id_rule = std::function<std::string(std::string_view ns, std::string_view sha256_hex)>;

// Limits on what one tenant stores, counted over its live artifacts (what
// usage counts). Zero: no limit.
struct tenant_quota {
  uint64_t max_bytes = 0;
  uint64_t max_count = 0;
};

// The store's wall clock: when artifacts are created and when they expire.
// Tests inject one to move time without sleeping.
using wall_clock = std::function<std::chrono::system_clock::time_point()>;

// Times to live by namespace ("default" for the empty one).
using namespace_ttls = std::map<std::string, std::chrono::milliseconds, std::less<>>;

struct storage_options {
  // Which driver and where: postgres://…, postgresql://…, a libpq keyword
  // string, sqlite:PATH, memory: or fs:DIR.
  std::string dsn;
  // A PostgreSQL server to read from as well, usually a streaming standby
  // of the one `dsn` names (empty: none). get, get_ref, get_range and exists
  // ask it first; what it does not hold (a put it has not replayed yet) or
  // cannot answer is asked of `dsn`, so a put followed by a get finds its
  // artifact. A delete is seen there once the standby replays it: until
  // then a read may still find what was deleted. Everything else (puts,
  // lists, usage, uploads) goes to `dsn`. Only with a PostgreSQL `dsn`.
  std::string read_dsn;
  artifacts::limits limits;
  // Bound on establishing one backend connection.
  std::chrono::milliseconds connect_timeout{5000};
  // Bound on one statement inside a backend.
  std::chrono::milliseconds statement_timeout{15000};
  // Bound on bringing a PostgreSQL schema up to date when a store opens: on
  // the wait for another node's migration and on each migration statement.
  // Generous, since building an index on a large table takes minutes.
  std::chrono::milliseconds migration_timeout{std::chrono::hours{1}};
  // Empty means the standard id rule.
  id_rule make_id;
  // Empty means std::chrono::system_clock::now.
  wall_clock clock;
  // The time to live of a put into a namespace listed here when the put
  // names no expiry of its own. Namespaces not listed never expire by
  // default. Each must be positive.
  namespace_ttls default_ttl;
  // The quota of every tenant not in tenant_quotas (none by default). A put
  // that would take its tenant over it fails with quota_exceeded; a re-put
  // of content already stored never does.
  tenant_quota default_quota;
  // Quotas of particular tenants, each replacing the default for its tenant.
  std::map<std::string, tenant_quota, std::less<>> tenant_quotas;
  // Rows one sweep or purge statement deletes at most: both remove rows in
  // batches of this size, so that no batch holds locks for long.
  uint32_t delete_batch = 1000;
  // How long a streamed upload stays open without receiving a chunk: an
  // upload abandoned longer is removed by the sweeper. A committed upload
  // answers its commit again for as long. Must be positive.
  std::chrono::milliseconds upload_ttl{std::chrono::hours{24}};
};

}  // namespace artifacts
