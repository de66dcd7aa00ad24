#include "scenarios/bench/runner.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <iostream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace artifacts::bench {

namespace {

using clock_type = std::chrono::steady_clock;

// Enough distinct artifacts that gets do not all hit one row, few enough that
// preloading large payloads stays quick.
size_t preload_count(size_t payload_bytes) {
  return std::clamp<size_t>((size_t{32} << 20) / std::max<size_t>(payload_bytes, 1), 8, 256);
}

// One caller thread's counters; padded so threads do not share cache lines.
struct alignas(64) caller_state {
  std::atomic<uint64_t> finished{0};
  std::vector<uint64_t> samples_ns;
  uint64_t measured = 0;
  uint64_t errors = 0;
  uint64_t payload_bytes = 0;
  std::string first_error;
  clock_type::time_point last_finish{};
};

// The shared schedule of a run, fixed before the callers start.
struct schedule {
  clock_type::time_point start;
  clock_type::time_point measure_from;
  clock_type::time_point deadline;
  uint64_t op_budget = 0;  // 0: run until the deadline
  std::atomic<uint64_t> claimed{0};

  // Whether a caller may begin another operation at `now`.
  bool may_begin(clock_type::time_point now) {
    if (now >= deadline) {
      return false;
    }
    if (op_budget == 0 || now < measure_from) {
      return true;
    }
    return claimed.fetch_add(1, std::memory_order_relaxed) < op_budget;
  }
};

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
                schedule& plan, caller_state& state) {
  std::mt19937_64 random{index * 7919 + 17};
  std::uniform_real_distribution<double> coin{0.0, 1.0};
  uint64_t sequence = 0;
  for (auto now = clock_type::now(); plan.may_begin(now); now = clock_type::now()) {
    bool is_get = settings.workload == workload_kind::get ||
                  (settings.workload == workload_kind::mixed && coin(random) < settings.get_ratio);
    std::string bytes;
    if (!is_get) {
      bytes = settings.workload == workload_kind::put_dup ? payloads.fixed()
                                                          : payloads.unique(index, sequence++);
    }
    const std::string* key = is_get ? &keys[random() % keys.size()] : nullptr;
    const auto begun = clock_type::now();
    size_t moved = 0;
    std::string failure;
    try {
      if (is_get) {
        moved = c.get(*key);
      } else {
        moved = bytes.size();
        c.put(std::move(bytes));
      }
    } catch (const std::exception& e) {
      failure = e.what();
    }
    const auto finished = clock_type::now();
    state.finished.fetch_add(1, std::memory_order_relaxed);
    if (begun < plan.measure_from) {
      continue;
    }
    ++state.measured;
    state.last_finish = finished;
    state.samples_ns.push_back(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(finished - begun).count()));
    if (failure.empty()) {
      state.payload_bytes += moved;
    } else if (state.errors++ == 0) {
      state.first_error = std::move(failure);
    }
  }
}

std::vector<std::string> preload(target& t, const run_settings& settings,
                                 const payload_source& payloads) {
  if (settings.workload != workload_kind::get && settings.workload != workload_kind::mixed) {
    return {};
  }
  auto loader = t.open_caller();
  std::vector<std::string> keys;
  const size_t count = preload_count(settings.payload_bytes);
  // A caller index no caller thread uses keeps these apart from the run's puts.
  const size_t loader_index = settings.concurrency + 1;
  for (size_t i = 0; i < count; ++i) {
    keys.push_back(loader->put(payloads.unique(loader_index, i)));
  }
  return keys;
}

void report_progress(const std::string& label, const schedule& plan,
                     const std::vector<caller_state>& states, clock_type::time_point now) {
  uint64_t finished = 0;
  for (const auto& s : states) {
    finished += s.finished.load(std::memory_order_relaxed);
  }
  const double elapsed = std::chrono::duration<double>(now - plan.start).count();
  std::cerr << "bench: " << label << ": " << static_cast<int>(elapsed) << " s, " << finished
            << " operations" << (now < plan.measure_from ? " (warming up)" : "") << std::endl;
}

}  // namespace

run_result run(target& t, const run_settings& settings) {
  const payload_source payloads{settings.payload_bytes, new_run_tag()};
  const auto keys = preload(t, settings, payloads);
  const size_t callers = std::max<size_t>(settings.concurrency, 1);

  std::vector<std::unique_ptr<caller>> connections;
  for (size_t i = 0; i < callers; ++i) {
    connections.push_back(t.open_caller());
  }

  schedule plan;
  std::vector<caller_state> states(callers);
  // The callers and this thread, which releases them once the schedule is set.
  start_gate gate{callers + 1};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < callers; ++i) {
    threads.emplace_back([&, i] {
      gate.arrive_and_wait();
      run_caller(*connections[i], i, settings, payloads, keys, plan, states[i]);
    });
  }
  // Callers read the schedule only after the gate opens, which needs this
  // thread's arrival; the gate's mutex publishes it.
  {
    plan.start = clock_type::now();
    const auto warmup = std::chrono::duration_cast<clock_type::duration>(settings.warmup);
    const auto measured = std::chrono::duration_cast<clock_type::duration>(
        settings.ops > 0 ? settings.max_duration : settings.duration);
    plan.measure_from = plan.start + warmup;
    plan.deadline = plan.measure_from + measured;
    plan.op_budget = settings.ops;
  }
  gate.arrive_and_wait();

  const auto planned = plan.deadline - plan.start;
  const bool show_progress =
      settings.progress && (settings.ops > 0 || planned > std::chrono::seconds(3));
  std::atomic<bool> done{false};
  std::thread progress;
  if (show_progress) {
    progress = std::thread([&] {
      auto next = clock_type::now() + std::chrono::seconds(2);
      while (!done.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const auto now = clock_type::now();
        if (now >= next) {
          report_progress(t.label(), plan, states, now);
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

  run_result result;
  result.label = t.label();
  std::vector<uint64_t> samples;
  auto last_finish = plan.measure_from;
  for (auto& s : states) {
    result.ops += s.measured;
    result.errors += s.errors;
    result.payload_bytes += s.payload_bytes;
    if (result.first_error.empty()) {
      result.first_error = s.first_error;
    }
    last_finish = std::max(last_finish, s.last_finish);
    samples.insert(samples.end(), s.samples_ns.begin(), s.samples_ns.end());
  }
  result.seconds = std::chrono::duration<double>(last_finish - plan.measure_from).count();
  result.latency = summarize(samples);
  return result;
}

}  // namespace artifacts::bench
