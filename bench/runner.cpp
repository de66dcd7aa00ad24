#include "bench/runner.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bench/run_parts.hpp"

namespace artifacts::bench {

namespace {

class start_gate {
 public:
  explicit start_gate(size_t callers) : waiting_(callers) {}

  // Blocks until every caller has arrived (or the gate was opened).
  void arrive_and_wait() {
    std::unique_lock<std::mutex> lock{mutex_};
    if (waiting_ > 0) --waiting_;
    if (waiting_ == 0) {
      open_ = true;
      cv_.notify_all();
    }
    cv_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  size_t waiting_;
  bool open_ = false;
};

void run_caller(caller& c, size_t index, const run_settings& settings,
                const payload_source& payloads, const std::vector<std::string>& keys,
                schedule& plan, caller_tally& tally) {
  operation_picker picker{settings, payloads, keys, index};
  for (auto now = clock_type::now(); plan.may_begin(now); now = clock_type::now()) {
    auto op = picker.next();
    const auto begun = clock_type::now();
    size_t moved = 0;
    std::optional<failure> failed;
    try {
      if (op.is_get) {
        moved = c.get(*op.key);
      } else {
        moved = op.bytes.size();
        c.put(std::move(op.bytes));
      }
    } catch (...) {
      failed = current_failure();
    }
    record(tally, plan, begun, clock_type::now(), moved, std::move(failed));
  }
}

}  // namespace

run_result run(subject& t, const run_settings& settings) {
  const payload_source payloads{settings.payload_bytes, new_run_tag()};
  const auto keys = preload(t, settings, payloads);
  const size_t callers = std::max<size_t>(settings.concurrency, 1);

  std::vector<std::unique_ptr<caller>> connections;
  for (size_t i = 0; i < callers; ++i) {
    connections.push_back(t.open_caller());
  }

  schedule plan;
  std::vector<caller_tally> tallies(callers);
  // The callers and this thread, which releases them once the schedule is set.
  start_gate gate{callers + 1};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < callers; ++i) {
    threads.emplace_back([&, i] {
      gate.arrive_and_wait();
      run_caller(*connections[i], i, settings, payloads, keys, plan, tallies[i]);
    });
  }
  // Callers read the schedule only after the gate opens, which needs this
  // thread's arrival; the gate's mutex publishes it.
  start_schedule(plan, settings);
  process_costs costs{plan.measure_from};
  gate.arrive_and_wait();

  const bool show_progress = shows_progress(settings, plan);
  std::atomic<bool> done{false};
  std::thread progress;
  if (show_progress) {
    progress = std::thread([&] {
      auto next = clock_type::now() + std::chrono::seconds(2);
      while (!done.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const auto now = clock_type::now();
        if (now >= next) {
          report_progress(t.label(), plan, tallies);
          next = now + std::chrono::seconds(2);
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  done = true;
  if (progress.joinable()) {
    progress.join();
  }

  auto result = summarize_run(t.label(), plan, tallies);
  result.costs = costs.finish(result.ops + result.errors);
  return result;
}

}  // namespace artifacts::bench
