#include "scenarios/put_writers.hpp"

#include <algorithm>
#include <utility>

#include <artifact_store/error.hpp>

#include "scenarios/requests.hpp"

namespace artifacts::scenarios {

using namespace std::chrono_literals;

writers::writers(client& c, int count, const std::string& label) {
  for (int w = 0; w < count; ++w) {
    threads_.emplace_back([this, &c, w, label] {
      const auto scope = writer_scope(label, w);
      for (int n = 0; !stop_.load(); ++n) {
        put_outcome outcome;
        outcome.data = label + " writer " + std::to_string(w) + " put " + std::to_string(n) +
                       std::string(static_cast<size_t>(512 + (n * 37) % 1500), 'a' + w % 26);
        outcome.started = clock_type::now();
        auto ref = c.put(put_request(scope, outcome.data));
        outcome.finished = clock_type::now();
        if (ref) {
          outcome.id = ref->id();
          outcome.ref = std::move(*ref);
          ++acknowledged_;
        } else {
          outcome.code = code_of(ref.error());
          outcome.message = describe(ref.error());
          // A failing store answers at once; do not spin on it.
          std::this_thread::sleep_for(5ms);
        }
        std::lock_guard<std::mutex> guard{mutex_};
        outcomes_[w].push_back(std::move(outcome));
      }
    });
  }
}

writers::~writers() {
  stop();
}

void writers::stop() {
  stop_ = true;
  for (auto& thread : threads_) {
    if (thread.joinable()) {
      thread.join();
    }
  }
}

writers::clock_type::time_point writers::first_success_after(clock_type::time_point when) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto first = clock_type::time_point::max();
  for (const auto& [writer, list] : outcomes_) {
    for (const auto& outcome : list) {
      if (!outcome.id.empty() && outcome.started >= when) {
        first = std::min(first, outcome.finished);
      }
    }
  }
  return first;
}

size_t writers::writers_served_after(clock_type::time_point when) {
  std::lock_guard<std::mutex> guard{mutex_};
  size_t served = 0;
  for (const auto& [writer, list] : outcomes_) {
    served += std::any_of(list.begin(), list.end(),
                          [&](const put_outcome& outcome) {
                            return !outcome.id.empty() && outcome.started >= when;
                          })
                  ? 1
                  : 0;
  }
  return served;
}

size_t writers::acknowledged_before(clock_type::time_point when) {
  std::lock_guard<std::mutex> guard{mutex_};
  size_t acknowledged = 0;
  for (const auto& [writer, list] : outcomes_) {
    for (const auto& outcome : list) {
      acknowledged += !outcome.id.empty() && outcome.finished < when ? 1 : 0;
    }
  }
  return acknowledged;
}

v1::Scope writer_scope(const std::string& label, int writer) {
  return make_scope("faults", label, "writer-" + std::to_string(writer));
}

bool timed_out(const std::string& message) {
  return message.find("timed out") != std::string::npos;
}

outcome_summary summarize(const std::map<int, std::vector<put_outcome>>& outcomes) {
  outcome_summary summary;
  for (const auto& [writer, list] : outcomes) {
    for (const auto& outcome : list) {
      summary.slowest =
          std::max(summary.slowest, std::chrono::duration_cast<std::chrono::milliseconds>(
                                        outcome.finished - outcome.started));
      if (!outcome.id.empty()) {
        ++summary.acknowledged;
      } else if (outcome.code == errc::unavailable) {
        ++summary.unavailable;
        summary.timed_out += timed_out(outcome.message) ? 1 : 0;
      } else {
        summary.other_failures.push_back(outcome.message);
      }
    }
  }
  return summary;
}

void record(put_ledger& ledger, const std::map<int, std::vector<put_outcome>>& outcomes,
            const std::string& label) {
  for (const auto& [writer, list] : outcomes) {
    const auto scope = writer_scope(label, writer);
    for (const auto& outcome : list) {
      if (outcome.ref) {
        ledger.acknowledged(put_request(scope, outcome.data), *outcome.ref);
      } else if (outcome.code == errc::unavailable) {
        ledger.unknown(put_request(scope, outcome.data));
      }
    }
  }
}

}  // namespace artifacts::scenarios
