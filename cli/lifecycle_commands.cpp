#include <cstdint>
#include <string>

#include "cli/data_commands.hpp"
#include "cli/report.hpp"

namespace artifacts::cli {

namespace {

// One line of JSON with two counts. Numbers, not the strings protobuf's
// JSON mapping makes of 64-bit fields, so that scripts can add them up.
int print_counts(const char* first, uint64_t first_value, uint64_t bytes) {
  return print_line(std::string("{\"") + first + "\":" + std::to_string(first_value) +
                    ",\"bytes\":" + std::to_string(bytes) + "}");
}

}  // namespace

int run_sweep(client& store) {
  auto removed = store.sweep();
  if (!removed) {
    return report_error(removed.error());
  }
  return print_counts("deleted", removed->deleted(), removed->bytes());
}

int run_purge(client& store, const scope_flags& filter) {
  auto removed = store.purge(filter.to_scope());
  if (!removed) {
    return report_error(removed.error());
  }
  return print_counts("deleted", removed->deleted(), removed->bytes());
}

int run_du(client& store, const scope_flags& filter) {
  auto usage = store.usage(filter.to_scope());
  if (!usage) {
    return report_error(usage.error());
  }
  return print_counts("count", usage->count(), usage->bytes());
}

}  // namespace artifacts::cli
