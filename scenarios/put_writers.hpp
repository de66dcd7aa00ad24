// Writers that put distinct payloads through one client until told to stop,
// recording what each caller saw, for the tests that put under faults: a
// server restarted, backends terminated, a primary lost and a standby
// promoted.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <artifact_store/client.hpp>
#include <artifact_store/errc.hpp>

#include "scenarios/put_ledger.hpp"

namespace artifacts::scenarios {

// One put as seen by the caller that made it.
struct put_outcome {
  using clock_type = std::chrono::steady_clock;
  std::string data;
  std::string id;                      // empty when the put failed
  std::optional<v1::ArtifactRef> ref;  // set when it was acknowledged
  std::optional<errc> code;
  std::string message;
  clock_type::time_point started;
  clock_type::time_point finished;
};

// `count` threads, each putting distinct payloads of 0.5 to 2 KiB under a
// scope of its own ("faults" / label / "writer-N") until stop(); a failed
// put is followed by a 5 ms pause, so that a failing store is not spun on.
class writers {
 public:
  using clock_type = put_outcome::clock_type;

  writers(client& c, int count, const std::string& label);
  ~writers();
  writers(const writers&) = delete;
  writers& operator=(const writers&) = delete;

  // Stops the writers and joins them. Idempotent.
  void stop();

  // Every outcome by writer; call after stop.
  const std::map<int, std::vector<put_outcome>>& outcomes() const { return outcomes_; }

  // The puts acknowledged so far; callable while the writers run.
  size_t acknowledged() const { return acknowledged_.load(); }

  // When the first put begun at `when` or later was acknowledged
  // (time_point::max() if none was); callable while the writers run.
  clock_type::time_point first_success_after(clock_type::time_point when);

  // How many writers have had a put acknowledged that they began at `when`
  // or later; callable while the writers run.
  size_t writers_served_after(clock_type::time_point when);

  // The puts acknowledged before `when`; callable while the writers run.
  size_t acknowledged_before(clock_type::time_point when);

 private:
  std::atomic<bool> stop_{false};
  std::atomic<size_t> acknowledged_{0};
  std::mutex mutex_;
  std::map<int, std::vector<put_outcome>> outcomes_;
  std::vector<std::thread> threads_;
};

// The scope writer `writer` of the writers labelled `label` puts under.
v1::Scope writer_scope(const std::string& label, int writer);

struct outcome_summary {
  size_t acknowledged = 0;
  size_t unavailable = 0;
  // Unavailable because the client's request timeout ran out, rather than
  // answered by the store.
  size_t timed_out = 0;
  std::vector<std::string> other_failures;
  std::chrono::milliseconds slowest{0};
};

outcome_summary summarize(const std::map<int, std::vector<put_outcome>>& outcomes);

// Whether an error's message says that the client's own request timeout
// ran out, as opposed to an unavailable the store answered.
bool timed_out(const std::string& message);

// The writers' puts in a ledger: acknowledged ones with their refs, those
// answered unavailable as unknown. Other failures are left out: the store
// must not hold them.
void record(put_ledger& ledger, const std::map<int, std::vector<put_outcome>>& outcomes,
            const std::string& label);

}  // namespace artifacts::scenarios
