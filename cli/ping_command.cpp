#include <chrono>
#include <cstdio>
#include <string>

#include "cli/data_commands.hpp"
#include "cli/report.hpp"

namespace artifacts::cli {

namespace {

// The probe asks for a tenant's usage: one read-only round trip to a worker
// and its backend (on PostgreSQL a primary-key read of the counts table).
// The tenant's answer itself is not used.
constexpr const char* probe_tenant = "artifact-store.ping";

}  // namespace

int run_ping(client& store) {
  const auto start = std::chrono::steady_clock::now();
  v1::Scope probe;
  probe.set_tenant(probe_tenant);
  auto answered = store.usage(probe);
  if (!answered) {
    return report_error(answered.error());
  }
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
  char milliseconds[32];
  std::snprintf(milliseconds, sizeof milliseconds, "%.3f", took.count());
  return print_line(std::string("{\"ok\":true,\"milliseconds\":") + milliseconds + "}");
}

}  // namespace artifacts::cli
