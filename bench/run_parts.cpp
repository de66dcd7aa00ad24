#include "bench/run_parts.hpp"

#include <algorithm>
#include <exception>
#include <iostream>

namespace artifacts::bench {

namespace {

// Enough distinct artifacts that gets do not all hit one row, few enough that
// preloading large payloads stays quick.
size_t preload_count(size_t payload_bytes) {
  return std::clamp<size_t>((size_t{32} << 20) / std::max<size_t>(payload_bytes, 1), 8, 256);
}

}  // namespace

operation_picker::operation_picker(const run_settings& settings, const payload_source& payloads,
                                   const std::vector<std::string>& keys, size_t caller_index)
    : settings_(settings),
      payloads_(payloads),
      keys_(keys),
      index_(caller_index),
      random_(caller_index * 7919 + 17) {}

next_operation operation_picker::next() {
  next_operation op;
  op.is_get = settings_.workload == workload_kind::get ||
              (settings_.workload == workload_kind::mixed && coin_(random_) < settings_.get_ratio);
  if (op.is_get) {
    op.key = &keys_[random_() % keys_.size()];
  } else {
    op.bytes = settings_.workload == workload_kind::put_dup ? payloads_.fixed()
                                                            : payloads_.unique(index_, sequence_++);
  }
  return op;
}

bool schedule::may_begin(clock_type::time_point now) {
  if (now >= deadline) {
    return false;
  }
  if (op_budget == 0 || now < measure_from) {
    return true;
  }
  return claimed.fetch_add(1, std::memory_order_relaxed) < op_budget;
}

void start_schedule(schedule& plan, const run_settings& settings) {
  plan.start = clock_type::now();
  const auto warmup = std::chrono::duration_cast<clock_type::duration>(settings.warmup);
  const auto measured = std::chrono::duration_cast<clock_type::duration>(
      settings.ops > 0 ? settings.max_duration : settings.duration);
  plan.measure_from = plan.start + warmup;
  plan.deadline = plan.measure_from + measured;
  plan.op_budget = settings.ops;
}

void record(caller_tally& tally, const schedule& plan, clock_type::time_point begun,
            clock_type::time_point finished, size_t moved, std::optional<failure> failed) {
  tally.finished.fetch_add(1, std::memory_order_relaxed);
  if (begun < plan.measure_from) {
    return;
  }
  // A failed operation still ends within the measured time: the window
  // closes at the last completion either way.
  tally.last_finish = finished;
  if (failed) {
    if (tally.errors++ == 0) {
      tally.first_error = std::move(failed->message);
      tally.first_error_code = failed->code;
    }
    return;
  }
  ++tally.succeeded;
  tally.payload_bytes += moved;
  tally.samples_ns.push_back(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(finished - begun).count()));
}

failure current_failure() {
  try {
    throw;
  } catch (const store_error& e) {
    return {e.code(), e.what()};
  } catch (const std::exception& e) {
    return {errc::internal, e.what()};
  } catch (...) {
    return {errc::internal, "unknown failure"};
  }
}

std::vector<std::string> preload(subject& t, const run_settings& settings,
                                 const payload_source& payloads) {
  if (settings.workload != workload_kind::get && settings.workload != workload_kind::mixed) {
    return {};
  }
  auto loader = t.open_caller();
  std::vector<std::string> keys;
  const size_t count = preload_count(settings.payload_bytes);
  // A caller index no caller uses keeps these apart from the run's puts.
  const size_t loader_index = settings.concurrency + 1;
  for (size_t i = 0; i < count; ++i) {
    keys.push_back(loader->put(payloads.unique(loader_index, i)));
  }
  return keys;
}

bool shows_progress(const run_settings& settings, const schedule& plan) {
  return settings.progress &&
         (settings.ops > 0 || plan.deadline - plan.start > std::chrono::seconds(3));
}

void report_progress(const std::string& label, const schedule& plan,
                     const std::vector<caller_tally>& tallies) {
  const auto now = clock_type::now();
  uint64_t finished = 0;
  for (const auto& s : tallies) {
    finished += s.finished.load(std::memory_order_relaxed);
  }
  const double elapsed = std::chrono::duration<double>(now - plan.start).count();
  std::cerr << "bench: " << label << ": " << static_cast<int>(elapsed) << " s, " << finished
            << " operations" << (now < plan.measure_from ? " (warming up)" : "") << std::endl;
}

run_result summarize_run(std::string label, const schedule& plan,
                         std::vector<caller_tally>& tallies) {
  run_result result;
  result.label = std::move(label);
  std::vector<uint64_t> samples;
  auto last_finish = plan.measure_from;
  for (auto& s : tallies) {
    if (s.errors > 0 && result.errors == 0) {
      result.first_error = s.first_error;
      result.first_error_code = s.first_error_code;
    }
    result.ops += s.succeeded;
    result.errors += s.errors;
    result.payload_bytes += s.payload_bytes;
    last_finish = std::max(last_finish, s.last_finish);
    samples.insert(samples.end(), s.samples_ns.begin(), s.samples_ns.end());
  }
  result.seconds = std::chrono::duration<double>(last_finish - plan.measure_from).count();
  result.latency = summarize(samples);
  return result;
}

}  // namespace artifacts::bench
