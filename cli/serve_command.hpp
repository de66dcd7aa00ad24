// The node: `artifact-store serve`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <artifact_store/node.hpp>
#include <artifact_store/remoting.hpp>
#include <artifact_store/store_config.hpp>

namespace artifacts::cli {

struct serve_flags {
  std::optional<std::string> dsn;  // --dsn, when given
  std::string read_dsn;            // --read-dsn: a standby to read from; empty: none
  publish_options publish;
  size_t pool_size = default_pool_size();
  tls_options tls;
  int64_t timeout_ms = 30000;  // bound on each request, and on shutdown
  int64_t statement_timeout_ms = storage_options{}.statement_timeout.count();
  int64_t connect_timeout_ms = storage_options{}.connect_timeout.count();
  size_t max_in_flight = store_config{}.max_in_flight;              // requests
  size_t max_in_flight_bytes = store_config{}.max_in_flight_bytes;  // put payloads
  size_t max_payload_bytes = limits{}.max_payload_bytes;            // --max-payload
  std::string sweep_interval = "1m";      // a duration (durations.hpp), or "0": never
  std::string upload_ttl = "1d";          // --upload-ttl, a duration
  std::vector<std::string> default_ttls;  // NAMESPACE=DURATION, each checked
  tenant_quota default_quota;             // --quota-bytes, --quota-count
  std::string quota_file;                 // --quota-file, empty: none
  std::vector<std::string> caf_flags;     // CAF's settings (store_host::start)
  bool dump_config = false;               // --dump-config: print, do not serve
  std::string metrics_address;            // --metrics-address HOST:PORT; empty: none
  std::string log_level = "info";         // --log-level (node_log.hpp)
  std::string log_format = "text";        // --log-format
  bool access_log = false;                // --access-log (access_log.hpp)
};

// A CLI11 check for --default-ttl: empty when `text` is NAMESPACE=DURATION.
std::string check_namespace_ttl(const std::string& text);

// Opens the store, publishes it and prints "listening on HOST:PORT" as the
// first line of stdout; with a metrics address, serves the store's metrics
// and health there (monitoring_server) and prints "metrics on HOST:PORT"
// as the second. Then runs until SIGINT or SIGTERM: stops accepting,
// closes the store (in-flight requests finish or fail with store_closed) and
// returns exit_ok. Logs on stderr at flags.log_level (node_log.hpp), without
// payloads or secrets. Returns exit_error, after printing the error, when the
// store cannot be opened or published or does not close within the bound.
//
// Call it before any other thread exists: it blocks SIGINT and SIGTERM so
// that only it receives them.
int run_serve(const serve_flags& flags);

}  // namespace artifacts::cli
