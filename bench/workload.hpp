// What a benchmark run does: the operation mix, the payloads and the limits.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace artifacts::bench {

enum class workload_kind {
  put,      // every put stores new bytes
  put_dup,  // every put repeats the same bytes: the dedup path
  get,      // gets of artifacts stored before the run
  mixed,    // gets with probability get_ratio, unique puts otherwise
};

// "put", "put-dup", "get", "mixed"; nullopt for anything else.
std::optional<workload_kind> parse_workload(std::string_view name);
std::string_view workload_name(workload_kind kind);

// "4096", "1KiB", "1MiB", "2GiB" (also "KB"/"MB" as powers of 1024 and a bare
// "K"/"M"); nullopt when malformed or zero.
std::optional<size_t> parse_byte_size(std::string_view text);

struct run_settings {
  workload_kind workload = workload_kind::put;
  size_t payload_bytes = 1024;
  // Share of gets in the mixed workload, 0 to 1.
  double get_ratio = 0.9;
  // Concurrent caller threads.
  size_t concurrency = 1;
  // The measured phase lasts `duration`, or, when `ops` is not zero, until
  // `ops` operations have completed (bounded by `max_duration`).
  std::chrono::duration<double> duration{5.0};
  uint64_t ops = 0;
  std::chrono::duration<double> max_duration{600.0};
  // Operations before the measured phase, not counted.
  std::chrono::duration<double> warmup{1.0};
  // Print progress to stderr every few seconds on runs longer than ~3 s.
  bool progress = true;
};

// Payloads for one run: `payload_bytes` of pseudo-random bytes whose first
// bytes are replaced by a stamp unique to (run, caller, sequence), so no two
// unique payloads are ever equal and the rest is incompressible.
class payload_source {
 public:
  payload_source(size_t payload_bytes, std::string run_tag);

  // A payload no other call of this run returns.
  std::string unique(size_t caller, uint64_t sequence) const;

  // The same payload on every call.
  const std::string& fixed() const noexcept { return base_; }

 private:
  std::string base_;
  std::string run_tag_;
};

// A fresh tag naming one run: its scope session and its payload stamps.
std::string new_run_tag();

}  // namespace artifacts::bench
