#include "bench/actor_runner.hpp"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/duration.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include <artifact_store/direct_request.hpp>
#include <artifact_store/error.hpp>

#include "bench/run_parts.hpp"

namespace artifacts::bench {

namespace {

// How long after the planned end (plus one request timeout) the runner waits
// for its callers before it stops them.
constexpr std::chrono::seconds stop_grace{5};

// Callers bound their waits as a whole, not per request: the runner stops
// them all a request timeout after the planned end. A timeout on every
// request would arm CAF's clock, whose thread is woken for each one; on this
// machine that halved the memory driver's figure (128 000 against 230 000
// gets/s at 32 callers), a cost of the caller's choice, not of the store.
constexpr auto per_request = caf::infinite;

// Everything the caller actors of one run share. Owned jointly by the actors
// and the runner, so a caller stopped late never outlives what it reads.
struct shared_run {
  shared_run(const run_settings& s, const run_scope& w, store_actor st, const artifacts::store* l)
      : settings(s),
        where(w),
        store(std::move(st)),
        local(l),
        payloads(s.payload_bytes, new_run_tag()),
        tallies(std::max<size_t>(s.concurrency, 1)),
        running(tallies.size()) {}

  const run_settings settings;
  const run_scope where;
  const store_actor store;
  // The in-process store behind `store`, or null for a node.
  const artifacts::store* local;
  const payload_source payloads;
  std::vector<std::string> keys;
  schedule plan;
  std::vector<caller_tally> tallies;

  std::mutex mutex;
  std::condition_variable all_stopped;
  size_t running;

  void caller_stopped() {
    std::lock_guard<std::mutex> guard{mutex};
    if (--running == 0) {
      all_stopped.notify_all();
    }
  }
};

struct caller_actor_state {
  std::shared_ptr<shared_run> run;
  size_t index = 0;
  std::unique_ptr<operation_picker> picker;
  v1::Key key;

  static inline const char* name = "artifacts.bench.caller";
};

using caller_pointer = caf::stateful_actor<caller_actor_state>*;

// Begins the caller's next operation, or stops it when the schedule is over.
void begin_next(caller_pointer self) {
  auto& st = self->state;
  auto& run = *st.run;
  const auto begun = clock_type::now();
  if (!run.plan.may_begin(begun)) {
    self->quit();
    return;
  }
  auto finish = [self, begun](size_t moved, std::optional<failure> failed) {
    auto& r = *self->state.run;
    record(r.tallies[self->state.index], r.plan, begun, clock_type::now(), moved,
           std::move(failed));
    begin_next(self);
  };
  auto failed = [](const caf::error& err) { return failure{code_of(err), describe(err)}; };
  auto op = st.picker->next();
  if (op.is_get) {
    st.key.set_id(*op.key);
    auto on_blob = [finish, id = *op.key](v1::Blob& blob) {
      if (blob.found()) {
        finish(blob.data().size(), std::nullopt);
      } else {
        finish(0, failure{errc::internal, "get: artifact " + id + " not found"});
      }
    };
    auto on_error = [finish, failed](caf::error& err) { finish(0, failed(err)); };
    if (run.local != nullptr) {
      request_direct(self, *run.local, per_request, get_atom::value, st.key)
          .then(std::move(on_blob), std::move(on_error));
    } else {
      self->request(run.store, per_request, get_atom::value, st.key)
          .then(std::move(on_blob), std::move(on_error));
    }
    return;
  }
  v1::PutRequest request;
  *request.mutable_scope() = run.where.scope;
  request.set_namespace_(run.where.name_space);
  const size_t moved = op.bytes.size();
  request.set_data(std::move(op.bytes));
  auto on_ref = [finish, moved](v1::ArtifactRef&) { finish(moved, std::nullopt); };
  auto on_error = [finish, failed](caf::error& err) { finish(0, failed(err)); };
  auto put = verified_put::hashing(std::move(request));
  if (run.local != nullptr) {
    request_direct(self, *run.local, per_request, put_atom::value, std::move(put))
        .then(std::move(on_ref), std::move(on_error));
  } else {
    // A node hashes every put again: only the digest travels.
    self->request(run.store, per_request, put_atom::value, put.release())
        .then(std::move(on_ref), std::move(on_error));
  }
}

caf::behavior caller_actor(caller_pointer self, std::shared_ptr<shared_run> run, size_t index) {
  auto& st = self->state;
  st.run = run;
  st.index = index;
  st.picker = std::make_unique<operation_picker>(run->settings, run->payloads, run->keys, index);
  *st.key.mutable_scope() = run->where.scope;
  self->attach_functor([run] { run->caller_stopped(); });
  begin_next(self);
  // Only the runner sends this, to stop a caller that outlived its bound.
  return {[self](close_atom) { self->quit(); }};
}

}  // namespace

run_result run_caller_actors(caf::actor_system& sys, const store_actor& store,
                             const artifacts::store* local, subject& loader, const run_scope& where,
                             const run_settings& settings,
                             std::chrono::milliseconds request_timeout) {
  auto run = std::make_shared<shared_run>(settings, where, store, local);
  run->keys = preload(loader, settings, run->payloads);
  start_schedule(run->plan, settings);
  process_costs costs{run->plan.measure_from};

  std::vector<caf::actor> callers;
  for (size_t i = 0; i < run->tallies.size(); ++i) {
    callers.push_back(sys.spawn(caller_actor, run, i));
  }

  const auto bound = run->plan.deadline + request_timeout + stop_grace;
  const bool show_progress = shows_progress(settings, run->plan);
  auto next_progress = run->plan.start + std::chrono::seconds(2);
  std::unique_lock<std::mutex> lock{run->mutex};
  while (run->running > 0 && clock_type::now() < bound) {
    run->all_stopped.wait_for(lock, std::chrono::milliseconds(100));
    if (show_progress && clock_type::now() >= next_progress) {
      report_progress("store", run->plan, run->tallies);
      next_progress += std::chrono::seconds(2);
    }
  }
  if (run->running > 0) {
    lock.unlock();
    for (auto& caller : callers) {
      caf::anon_send(caller, close_atom::value);
    }
    throw std::runtime_error("bench: caller actors were still waiting for the store " +
                             std::to_string(request_timeout.count()) +
                             " ms after the run's end; stopped them");
  }
  auto result = summarize_run("store", run->plan, run->tallies);
  result.costs = costs.finish(result.ops + result.errors);
  return result;
}

}  // namespace artifacts::bench
