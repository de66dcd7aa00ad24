#include "actors/supervisor.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/result.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <artifact_store/error.hpp>

#include "actors/actor_errors.hpp"
#include "actors/in_flight.hpp"
#include "actors/routing.hpp"
#include "actors/store_metrics.hpp"
#include "actors/worker.hpp"
#include "actors/worker_routes.hpp"
#include "storage/operation_names.hpp"

namespace artifacts {

namespace {

struct supervisor_state {
  std::shared_ptr<driver> store_driver;
  closed_flag closed;
  store_config config;
  // Null at an index whose worker is down while closing.
  std::vector<worker_actor> workers;
  // What each worker holds, at the same index; replaced with the worker.
  std::vector<shared_worker_load> loads;
  // The sum of the workers' loads, kept as they change.
  std::shared_ptr<load_counts> total = std::make_shared<load_counts>();
  size_t live_workers = 0;
  size_t next_worker = 0;
  bool closing = false;
  std::vector<caf::typed_response_promise<bool>> closers;
  // Where local clients read the pool's arrangement (worker_routes.hpp).
  std::shared_ptr<worker_routes> routes;
  // A pass of the periodic sweeper is under way: the next tick skips.
  bool sweeping = false;

  static inline const char* name = "artifacts.supervisor";
};

using supervisor_pointer = store_supervisor_actor::stateful_base<supervisor_state>*;

bool refusing(const supervisor_state& st) {
  return st.closing || st.closed->load();
}

bool sender_is_local(supervisor_pointer self) {
  const auto& sender = self->current_sender();
  return sender != nullptr && sender->node() == self->system().node();
}

void start_worker(supervisor_pointer self, size_t index) {
  auto& st = self->state;
  auto load = std::make_shared<worker_load>(st.total);
  auto worker = spawn_worker(self->system(), st.store_driver, st.closed, self->address(), load,
                             {st.config.metrics, st.config.on_answered});
  self->monitor(worker);
  st.workers[index] = std::move(worker);
  st.loads[index] = std::move(load);
}

void count_overload(const supervisor_state& st) {
  if (st.config.metrics) {
    st.config.metrics->overloaded();
  }
}

size_t routed(const supervisor_state& st, uint64_t route) {
  return route % st.workers.size();
}

in_flight_limits limits_of(const store_config& config) {
  return {config.max_in_flight, config.max_in_flight_bytes};
}

// Publishes the pool as it is now, for the local clients that route their
// own requests.
void publish_routes(supervisor_state& st) {
  auto table = std::make_shared<worker_table>();
  table->workers = st.workers;
  table->loads = st.loads;
  table->limits = limits_of(st.config);
  table->metrics = st.config.metrics;
  st.routes->publish(std::move(table));
}

size_t any_worker(supervisor_state& st) {
  return st.next_worker++ % st.workers.size();
}

// Hands `request` to the worker at `index`, or refuses it at once when close
// has begun (store_closed) or the store is over its in-flight bound: the
// supervisor decides both here, for every request it routes. A put coming
// back from the worker that hashed it is admitted again like any other:
// under overload it may be refused then, which is a correct answer.
template <class Reply, class Atom, class Request>
caf::result<Reply> dispatch(supervisor_pointer self, std::string_view op, size_t index, Atom atom,
                            Request&& request, size_t payload_bytes = 0) {
  auto& st = self->state;
  if (refusing(st)) {
    return closed_error(op);
  }
  auto limits = limits_of(st.config);
  // A worker here is never gone: the supervisor replaces a dead one as it
  // learns of its death, before it routes anything else.
  if (st.loads[index]->try_admit(limits, payload_bytes) != admission::admitted) {
    count_overload(st);
    return overloaded_error(op, limits);
  }
  return self->delegate(st.workers[index], atom, std::forward<Request>(request));
}

// Answers the pending closers and quits once no worker is left.
void finish_close_when_idle(supervisor_pointer self) {
  auto& st = self->state;
  if (!st.closing || st.live_workers > 0) {
    return;
  }
  bool first = true;
  for (auto& closer : st.closers) {
    closer.deliver(first);
    first = false;
  }
  st.closers.clear();
  // The reason travels with the down message to every monitor, remote ones
  // included: a client on another node learns that the store was closed,
  // not merely that it vanished.
  self->quit(make_error(errc::store_closed, "the store is closed"));
}

void on_worker_down(supervisor_pointer self, const caf::down_msg& msg) {
  auto& st = self->state;
  for (size_t index = 0; index < st.workers.size(); ++index) {
    if (st.workers[index] == nullptr || st.workers[index].address() != msg.source) {
      continue;
    }
    // Its mailbox died with it: what it still held is no longer in flight.
    st.loads[index]->forget();
    if (st.closing) {
      st.workers[index] = nullptr;
      --st.live_workers;
      finish_close_when_idle(self);
    } else {
      start_worker(self, index);
      publish_routes(st);
    }
    return;
  }
}

// A pass of deletions in batches: a sweep, or a purge when `purge` is set.
// Each batch is a request to the next worker in turn, so that other
// requests go between them, until one says nothing is left. `done` gets
// the total or the first error.
struct deletion_pass {
  std::string_view op;
  std::optional<v1::PurgeRequest> purge;
  v1::Removed total;
  std::function<void(caf::expected<v1::Removed>)> done;
};

// Adds a batch to the pass; sends the next one unless `finished`.
void next_batch(supervisor_pointer self, std::shared_ptr<deletion_pass> pass);

void batch_done(supervisor_pointer self, const std::shared_ptr<deletion_pass>& pass,
                const v1::Removed& batch, bool finished) {
  pass->total.set_deleted(pass->total.deleted() + batch.deleted());
  pass->total.set_bytes(pass->total.bytes() + batch.bytes());
  pass->total.set_uploads(pass->total.uploads() + batch.uploads());
  if (finished) {
    pass->done(pass->total);
  } else {
    next_batch(self, pass);
  }
}

void next_batch(supervisor_pointer self, std::shared_ptr<deletion_pass> pass) {
  auto& st = self->state;
  if (refusing(st)) {
    pass->done(closed_error(pass->op));
    return;
  }
  const auto index = any_worker(st);
  const auto limits = limits_of(st.config);
  if (st.loads[index]->try_admit(limits, 0) != admission::admitted) {
    count_overload(st);
    pass->done(overloaded_error(pass->op, limits));
    return;
  }
  auto failed = [pass](caf::error& err) { pass->done(std::move(err)); };
  if (pass->purge) {
    self->request(st.workers[index], st.config.request_timeout, purge_one_atom::value, *pass->purge)
        .then([self, pass](v1::Removed& batch,
                           bool finished) { batch_done(self, pass, batch, finished); },
              failed);
    return;
  }
  self->request(st.workers[index], st.config.request_timeout, sweep_one_atom::value)
      .then(
          [self, pass](v1::Removed& batch) {
            // Every row a sweep deletes was expired: a batch short in
            // both artifacts and uploads was the last.
            const auto bound = self->state.config.storage.delete_batch;
            batch_done(self, pass, batch, batch.deleted() < bound && batch.uploads() < bound);
          },
          failed);
}

// A pass whose outcome answers `promise`.
template <class Promise>
std::shared_ptr<deletion_pass> answered_pass(std::string_view op, Promise promise) {
  auto pass = std::make_shared<deletion_pass>();
  pass->op = op;
  pass->done = [promise](caf::expected<v1::Removed> outcome) mutable {
    if (outcome) {
      promise.deliver(std::move(*outcome));
    } else {
      promise.deliver(std::move(outcome.error()));
    }
  };
  return pass;
}

// The periodic sweeper's tick: a pass unless one is under way, and the
// next tick.
void on_sweep_tick(supervisor_pointer self) {
  auto& st = self->state;
  if (refusing(st)) {
    return;
  }
  self->delayed_send(caf::actor_cast<store_supervisor_actor>(self), st.config.sweep_interval,
                     sweep_tick_atom::value);
  if (st.sweeping) {
    return;
  }
  st.sweeping = true;
  auto pass = std::make_shared<deletion_pass>();
  pass->op = op_names::sweep;
  // A failed pass (an unreachable backend) is not reported: the next tick
  // tries again.
  pass->done = [self](caf::expected<v1::Removed>) { self->state.sweeping = false; };
  next_batch(self, std::move(pass));
}

caf::result<bool> begin_close(supervisor_pointer self) {
  auto& st = self->state;
  if (!sender_is_local(self)) {
    return make_error(errc::internal, "close: close is local only");
  }
  auto closer = self->make_response_promise<bool>();
  st.closers.push_back(closer);
  if (st.closing) {
    return closer;
  }
  st.closing = true;
  st.closed->store(true);
  // Local clients send to the supervisor from now on, which refuses.
  st.routes->publish(nullptr);
  // Sent after every request already delegated to the worker, so those are
  // answered (store_closed) before it quits.
  for (auto& worker : st.workers) {
    if (worker != nullptr) {
      self->send(worker, close_atom::value);
    }
  }
  finish_close_when_idle(self);
  return closer;
}

store_supervisor_actor::behavior_type supervisor_behavior(supervisor_pointer self,
                                                          std::shared_ptr<driver> store_driver,
                                                          closed_flag closed, store_config config,
                                                          std::shared_ptr<worker_routes> routes) {
  auto& st = self->state;
  st.store_driver = std::move(store_driver);
  st.closed = std::move(closed);
  st.config = std::move(config);
  st.total->metrics = st.config.metrics;
  st.routes = std::move(routes);
  st.workers.resize(st.config.pool_size);
  st.loads.resize(st.config.pool_size);
  for (size_t index = 0; index < st.workers.size(); ++index) {
    start_worker(self, index);
  }
  st.live_workers = st.workers.size();
  publish_routes(st);
  self->set_down_handler([self](caf::down_msg& msg) { on_worker_down(self, msg); });
  if (st.config.sweep_interval > std::chrono::milliseconds::zero()) {
    self->delayed_send(caf::actor_cast<store_supervisor_actor>(self), st.config.sweep_interval,
                       sweep_tick_atom::value);
  }
  return {
      [self](put_atom, v1::PutRequest& request) -> caf::result<v1::ArtifactRef> {
        auto& st = self->state;
        std::string_view op = op_names::put_of(request.text());
        // Without a digest the route is unknown: a worker hashes the payload
        // and sends the request back here.
        auto index = request.sha256().empty() ? any_worker(st)
                                              : routed(st, route_of(request, st.config.storage));
        auto payload_bytes = request.data().size();
        return dispatch<v1::ArtifactRef>(self, op, index, put_atom::value, std::move(request),
                                         payload_bytes);
      },
      [self](put_atom, verified_put& put) -> caf::result<v1::ArtifactRef> {
        auto& st = self->state;
        std::string_view op = op_names::put_of(put.request().text());
        auto index = routed(st, route_of(put.request(), st.config.storage));
        auto payload_bytes = put.request().data().size();
        return dispatch<v1::ArtifactRef>(self, op, index, put_atom::value, std::move(put),
                                         payload_bytes);
      },
      [self](get_atom, v1::Key& key) -> caf::result<v1::Blob> {
        auto& st = self->state;
        return dispatch<v1::Blob>(self, op_names::get, routed(st, route_of(key)), get_atom::value,
                                  std::move(key));
      },
      [self](get_ref_atom, v1::Key& key) -> caf::result<v1::RefResult> {
        auto& st = self->state;
        return dispatch<v1::RefResult>(self, op_names::get_ref, routed(st, route_of(key)),
                                       get_ref_atom::value, std::move(key));
      },
      [self](get_range_atom, v1::RangeRequest& request) -> caf::result<v1::BlobRange> {
        auto& st = self->state;
        auto index = routed(st, route_of(request.key()));
        return dispatch<v1::BlobRange>(self, op_names::get_range, index, get_range_atom::value,
                                       std::move(request));
      },
      [self](upload_atom, v1::UploadBegin& request) -> caf::result<v1::UploadStatus> {
        auto& st = self->state;
        return dispatch<v1::UploadStatus>(self, op_names::begin_upload, any_worker(st),
                                          upload_atom::value, std::move(request));
      },
      [self](upload_atom, v1::UploadChunk& chunk) -> caf::result<v1::UploadStatus> {
        auto& st = self->state;
        auto index = routed(st, route_of_upload(chunk.upload_id()));
        auto payload_bytes = chunk.data().size();
        return dispatch<v1::UploadStatus>(self, op_names::append, index, upload_atom::value,
                                          std::move(chunk), payload_bytes);
      },
      [self](upload_atom, v1::UploadQuery& query) -> caf::result<v1::UploadStatus> {
        auto& st = self->state;
        auto index = routed(st, route_of_upload(query.upload_id()));
        return dispatch<v1::UploadStatus>(self, op_names::upload_status, index, upload_atom::value,
                                          std::move(query));
      },
      [self](upload_atom, v1::UploadCommit& request) -> caf::result<v1::ArtifactRef> {
        auto& st = self->state;
        auto index = routed(st, route_of_upload(request.upload_id()));
        return dispatch<v1::ArtifactRef>(self, op_names::commit, index, upload_atom::value,
                                         std::move(request));
      },
      [self](upload_atom, v1::UploadAbort& request) -> caf::result<bool> {
        auto& st = self->state;
        auto index = routed(st, route_of_upload(request.upload_id()));
        return dispatch<bool>(self, op_names::abort_upload, index, upload_atom::value,
                              std::move(request));
      },
      [self](exists_atom, v1::Key& key) -> caf::result<bool> {
        auto& st = self->state;
        return dispatch<bool>(self, op_names::exists, routed(st, route_of(key)), exists_atom::value,
                              std::move(key));
      },
      [self](delete_atom, v1::Key& key) -> caf::result<bool> {
        auto& st = self->state;
        return dispatch<bool>(self, op_names::remove, routed(st, route_of(key)), delete_atom::value,
                              std::move(key));
      },
      [self](list_atom, v1::ListRequest& request) -> caf::result<v1::RefList> {
        auto& st = self->state;
        return dispatch<v1::RefList>(self, op_names::list, any_worker(st), list_atom::value,
                                     std::move(request));
      },
      [self](sweep_atom, const v1::SweepRequest&) -> caf::result<v1::Removed> {
        auto promise = self->make_response_promise<v1::Removed>();
        next_batch(self, answered_pass(op_names::sweep, promise));
        return promise;
      },
      [self](purge_atom, v1::PurgeRequest& request) -> caf::result<v1::Removed> {
        auto promise = self->make_response_promise<v1::Removed>();
        auto pass = answered_pass(op_names::purge, promise);
        pass->purge = std::move(request);
        next_batch(self, std::move(pass));
        return promise;
      },
      [self](usage_atom, v1::UsageRequest& request) -> caf::result<v1::Usage> {
        auto& st = self->state;
        return dispatch<v1::Usage>(self, op_names::usage, any_worker(st), usage_atom::value,
                                   std::move(request));
      },
      [self](sweep_tick_atom) {
        if (sender_is_local(self)) {
          on_sweep_tick(self);
        }
      },
      [self](close_atom) -> caf::result<bool> { return begin_close(self); },
      [self](route_atom, const v1::Key& key) -> caf::result<caf::actor_addr> {
        auto& st = self->state;
        if (!sender_is_local(self)) {
          return make_error(errc::internal, "route: route is local only");
        }
        if (refusing(st)) {
          return closed_error("route");
        }
        return st.workers[routed(st, route_of(key))].address();
      },
  };
}

}  // namespace

store_supervisor_actor spawn_supervisor(caf::actor_system& sys,
                                        std::shared_ptr<driver> store_driver, closed_flag closed,
                                        const store_config& config,
                                        std::shared_ptr<worker_routes> routes) {
  return sys.spawn(supervisor_behavior, std::move(store_driver), std::move(closed), config,
                   std::move(routes));
}

}  // namespace artifacts
