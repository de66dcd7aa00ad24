#include "bench/report.hpp"

#include <cstdio>
#include <stdexcept>

#include <google/protobuf/util/json_util.h>

#include "bench/bench.pb.h"

namespace artifacts::bench {

namespace {

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string padded(std::string text, size_t width) {
  if (text.size() < width) {
    text.insert(0, width - text.size(), ' ');
  }
  return text;
}

std::string table_row(const run_result& r) {
  std::string row = r.label;
  row.resize(16, ' ');
  row += padded(fixed(r.ops_per_s(), 0), 12) + padded(fixed(r.mb_per_s(), 1), 10) +
         padded(fixed(r.latency.p50_ms, 3), 10) + padded(fixed(r.latency.p95_ms, 3), 10) +
         padded(fixed(r.latency.p99_ms, 3), 10) + padded(fixed(r.latency.max_ms, 3), 10) +
         padded(fixed(r.costs.context_switches, 1), 8) + padded(fixed(r.costs.cpu_us, 1), 8) +
         padded(std::to_string(r.errors), 8) + (r.has_errors() ? "  FAILED" : "") + "\n";
  return row;
}

// Says what a run's errors mean for its row.
std::string error_line(const run_result& r) {
  return r.label + ": " + std::to_string(r.errors) + " of " + std::to_string(r.ops + r.errors) +
         " measured operations failed, not counted in ops/s, MB/s or latencies; first error: " +
         r.first_error + "\n";
}

template <class Message>
void fill_figures(Message& out, const run_result& r) {
  out.set_ops_per_s(r.ops_per_s());
  out.set_mb_per_s(r.mb_per_s());
  out.set_p50_ms(r.latency.p50_ms);
  out.set_p95_ms(r.latency.p95_ms);
  out.set_p99_ms(r.latency.p99_ms);
  out.set_max_ms(r.latency.max_ms);
  out.set_ops(r.ops);
  out.set_errors(r.errors);
  out.set_seconds(r.seconds);
  out.set_switches_per_op(r.costs.context_switches);
  out.set_cpu_us_per_op(r.costs.cpu_us);
  out.set_has_errors(r.has_errors());
  out.set_first_error(r.has_errors() ? r.first_error : std::string{});
}

}  // namespace

double ratio(const run_result& store, const run_result& baseline) {
  const double base = baseline.ops_per_s();
  return base > 0 ? store.ops_per_s() / base : 0;
}

std::string format_table(const run_description& what, const run_result& store,
                         const run_result* baseline) {
  const auto& s = what.settings;
  std::string text = "workload " + std::string(workload_name(s.workload));
  if (s.workload == workload_kind::mixed) {
    text += " (get ratio " + fixed(s.get_ratio, 2) + ")";
  }
  text += ", payload " + std::to_string(s.payload_bytes) + " B, " + std::to_string(s.concurrency) +
          " callers (" + what.callers + "), store " + what.store_kind;
  if (what.pool_size > 0) {
    text += ", pool " + std::to_string(what.pool_size);
  }
  if (what.checkpointed) {
    text += ", a CHECKPOINT before each run";
  }
  text += "\n";
  text +=
      "                       ops/s      MB/s    p50 ms    p95 ms    p99 ms    max ms   cs/op  cpu "
      "us"
      "  errors\n";
  text += table_row(store);
  if (baseline != nullptr) {
    text += table_row(*baseline);
    text +=
        "ratio (store / " + baseline->label + ", ops/s): " + fixed(ratio(store, *baseline), 2) +
        (store.has_errors() || baseline->has_errors() ? ", from runs with failed operations" : "") +
        "\n";
  }
  for (const auto* r : {&store, baseline}) {
    if (r != nullptr && r->has_errors()) {
      text += error_line(*r);
    }
  }
  return text;
}

std::string format_json(const run_description& what, const run_result& store,
                        const run_result* baseline) {
  bench::v1::Report report;
  fill_figures(report, store);
  report.set_workload(std::string(workload_name(what.settings.workload)));
  report.set_payload_bytes(what.settings.payload_bytes);
  report.set_concurrency(static_cast<uint32_t>(what.settings.concurrency));
  report.set_pool(static_cast<uint32_t>(what.pool_size));
  report.set_store_kind(what.store_kind);
  report.set_callers(what.callers);
  report.set_checkpointed(what.checkpointed);
  if (what.settings.workload == workload_kind::mixed) {
    report.set_get_ratio(what.settings.get_ratio);
  }
  if (baseline != nullptr) {
    auto* figures = report.mutable_baseline();
    fill_figures(*figures, *baseline);
    figures->set_label(baseline->label);
    report.set_ratio(ratio(store, *baseline));
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(report, &json, options);
  if (!status.ok()) {
    throw std::runtime_error("bench: cannot render the report as JSON: " + status.ToString());
  }
  return json;
}

}  // namespace artifacts::bench
