#include "actors/worker.hpp"

#include <chrono>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/result.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <artifact_store/errc.hpp>
#include <artifact_store/error.hpp>

#include "actors/actor_errors.hpp"
#include "actors/answer_record.hpp"
#include "actors/reconnect_backoff.hpp"
#include "actors/request_batch.hpp"
#include "actors/store_metrics.hpp"
#include "storage/operation_names.hpp"
#include "storage/operations.hpp"
#include "storage/sha256.hpp"

namespace artifacts {

namespace {

// Bounds on one batch of puts: enough to share a commit among the puts that
// queue up under load, small enough that one batch's payload stays far below
// what the statement timeout allows.
constexpr size_t max_batch_puts = 64;
constexpr size_t max_batch_put_bytes = size_t{4} << 20;

// Bound on one batch of gets, whose answers are all held at once.
constexpr size_t max_batch_gets = 16;
constexpr size_t unbounded = static_cast<size_t>(-1);

using put_batch = request_batch<verified_put, v1::ArtifactRef>;
using get_batch = request_batch<v1::Key, v1::Blob>;

struct worker_state {
  std::shared_ptr<driver> store_driver;
  closed_flag closed;
  caf::actor_addr supervisor;
  shared_worker_load load;
  reconnect_backoff backoff;
  // Where answers, reconnections and removals are reported.
  worker_observers observers;
  // This worker's place in artifact_store_workers (connected or not).
  std::unique_ptr<worker_gauge> gauge;
  // Whether a backend was ever open: opening one again is a reconnection.
  bool opened_before = false;
  // Declared after `store_driver`: operations refer to the driver's options, so
  // they must go first. The state is destroyed when the worker exits, which
  // closes the connection before the supervisor learns of the exit.
  std::unique_ptr<operations> ops;
  // Requests that arrive together are served together: a request joins its
  // batch, and the batch is served once the mailbox holds nothing more (or
  // the batch is full), so a lone request is served at once and a burst
  // shares one backend call. At most one of the two batches is not empty.
  put_batch puts{max_batch_puts, max_batch_put_bytes, op_names::put};
  get_batch gets{max_batch_gets, unbounded, op_names::get};

  static inline const char* name = "artifacts.worker";
};

using worker_pointer = worker_actor::stateful_base<worker_state>*;

// Opens the backend. A failure never ends the worker: it is answered to the
// caller and remembered by the backoff.
caf::error open_backend(worker_state& st, std::string_view op) {
  auto now = reconnect_backoff::clock::now();
  try {
    st.ops =
        std::make_unique<operations>(st.store_driver->open_backend(), st.store_driver->options());
    if (st.opened_before && st.observers.metrics) {
      st.observers.metrics->reconnected();
    }
    st.opened_before = true;
    st.gauge->connected(true);
    return {};
  } catch (const store_error& e) {
    st.backoff.failed(now);
    return make_error(e.code(), with_op(op, e.what()));
  } catch (const std::exception& e) {
    st.backoff.failed(now);
    return make_error(errc::internal, with_op(op, e.what()));
  } catch (...) {
    st.backoff.failed(now);
    return make_error(errc::internal, with_op(op, "opening the backend failed"));
  }
}

// Opens the backend unless it is open already or the backoff forbids a new
// attempt yet; while it does, callers are answered at once rather than each
// waiting out a connect timeout against a server that is down.
caf::error ensure_backend(worker_state& st, std::string_view op) {
  if (st.ops) {
    return {};
  }
  if (st.backoff.waiting(reconnect_backoff::clock::now())) {
    return make_error(errc::unavailable, with_op(op, "backend unavailable, reconnecting"));
  }
  return open_backend(st, op);
}

// Closes the backend, whose connection may be dead or in an unknown state.
void drop_backend(worker_state& st) {
  st.ops.reset();
  st.gauge->connected(false);
}

enum class on_lost_connection { repeat, report };

// Runs one operation on the backend and turns every failure into an error.
// A lost connection (unavailable) or an unexpected exception drops the
// backend: the connection may be dead or in an unknown state. When the
// connection ended with the outcome unknown and `lost` allows it, the work is
// repeated once on a freshly opened backend.
template <class Work>
auto run(worker_state& st, std::string_view op, Work&& work,
         on_lost_connection lost = on_lost_connection::repeat)
    -> caf::expected<std::invoke_result_t<Work, operations&>> {
  if (st.closed->load()) {
    return closed_error(op);
  }
  if (auto err = ensure_backend(st, op)) {
    return err;
  }
  for (int attempt = 0;; ++attempt) {
    try {
      auto out = work(*st.ops);
      st.backoff.succeeded();
      return out;
    } catch (const store_error& e) {
      if (e.code() != errc::unavailable) {
        return make_error(e.code(), e.what());
      }
      // The next request reconnects at once; only a failed reconnect makes
      // later ones wait for the backoff.
      drop_backend(st);
      bool repeat = attempt == 0 && lost == on_lost_connection::repeat &&
                    e.advice() == retry_advice::on_new_connection && !st.closed->load();
      if (!repeat) {
        return make_error(e.code(), e.what());
      }
      if (auto err = open_backend(st, op)) {
        return make_error(errc::unavailable, std::string(e.what()) + "; reconnecting failed: " +
                                                 std::string(describe(err)));
      }
    } catch (const std::exception& e) {
      drop_backend(st);
      return make_error(errc::internal, with_op(op, e.what()));
    } catch (...) {
      drop_backend(st);
      return make_error(errc::internal, with_op(op, "unknown failure"));
    }
  }
}

// run() as the reply of a handler to a request about `subject`, reported
// (answer_record.hpp).
template <class Work>
auto serve(worker_state& st, std::string_view op, request_subject subject, Work&& work,
           on_lost_connection lost = on_lost_connection::repeat, uint64_t request_bytes = 0)
    -> caf::result<std::invoke_result_t<Work, operations&>> {
  const auto started = std::chrono::steady_clock::now();
  auto outcome = run(st, op, std::forward<Work>(work), lost);
  record_answer(st.observers, op, subject, outcome, started, request_bytes);
  return outcome;
}

// The operation and payload of a batched request, for the metrics.
std::string_view operation_of(const verified_put& put) {
  return op_names::put_of(put.request().text());
}
std::string_view operation_of(const v1::Key&) {
  return op_names::get;
}
uint64_t request_payload_of(const verified_put& put) {
  return put.request().data().size();
}
uint64_t request_payload_of(const v1::Key&) {
  return 0;
}

// Serves the waiting requests of `items` as one backend batch through
// `serve_batch` (operations&, the requests) and answers each with its own
// outcome. A failure of the whole batch (closed store, unreachable backend,
// a connection lost twice) answers every request with it.
template <class Item, class ServeBatch>
void serve_together(worker_state& st, std::string_view op, std::vector<Item>& items,
                    ServeBatch serve_batch) {
  std::vector<const decltype(Item::request)*> requests;
  requests.reserve(items.size());
  for (const auto& item : items) {
    requests.push_back(&item.request);
  }
  auto outcomes = run(st, op, [&](operations& ops) { return serve_batch(ops, requests); });
  for (size_t i = 0; i < items.size(); ++i) {
    using reply = typename Item::reply_type;
    caf::expected<reply> answer = caf::error{};
    if (!outcomes) {
      answer = outcomes.error();
    } else if (auto& outcome = (*outcomes)[i]; outcome.error) {
      answer = make_error(outcome.error->code(), outcome.error->what());
    } else {
      answer = std::move(*outcome.value);
    }
    record_answer(st.observers, operation_of(items[i].request), subject_of(items[i].request),
                  answer, items[i].arrived, request_payload_of(items[i].request));
    items[i].answer(std::move(answer));
  }
}

// Stores the waiting puts as one backend batch.
void flush_puts(worker_state& st) {
  if (st.puts.empty()) {
    return;
  }
  auto puts = st.puts.take();
  serve_together(st, op_names::put, puts,
                 [](operations& ops, const auto& requests) { return ops.put_batch(requests); });
}

// Fetches the waiting gets as one backend batch.
void flush_gets(worker_state& st) {
  if (st.gets.empty()) {
    return;
  }
  auto gets = st.gets.take();
  serve_together(st, op_names::get, gets,
                 [](operations& ops, const auto& keys) { return ops.get_batch(keys); });
}

// Serves whatever is batched; called before any request that is not of the
// batch's kind, and before the worker quits.
void flush_batches(worker_state& st) {
  flush_puts(st);
  flush_gets(st);
}

// Adds a request to `batch` and serves the batch when it is full or when
// no other message waits in the mailbox: nothing more would join it, and a
// lone request must not wait for a round trip through the mailbox. The
// reply follows, from the batch.
template <class Batch, class Request, class Flush>
auto add_to_batch(worker_pointer self, Batch& batch, Request& request, finished_request& finished,
                  size_t payload_bytes, Flush flush) {
  using reply = decltype(std::declval<typename Batch::item&>().promise);
  reply promise = self->make_response_promise<reply>();
  if (batch.add({std::move(request), promise, std::move(finished)}, payload_bytes) ||
      self->mailbox().empty()) {
    flush(self->state);
  }
  return promise;
}

// For a request answered without joining a batch: the batches waiting are
// served now when no other message waits, as add_to_batch would, since no
// later message may come to serve them (their callers wait on them).
void serve_batches_if_idle(worker_pointer self) {
  if (self->mailbox().empty()) {
    flush_batches(self->state);
  }
}

// A put that reached a worker without a digest: hashed here, off the
// supervisor, and handed back to be routed by its digest. The worker it is
// routed to validates it without hashing it again.
caf::result<v1::ArtifactRef> route_by_digest(worker_pointer self, std::string_view op,
                                             v1::PutRequest& request, finished_request& finished) {
  serve_batches_if_idle(self);
  auto supervisor = caf::actor_cast<store_supervisor_actor>(self->state.supervisor);
  if (!supervisor) {
    return closed_error(op);
  }
  try {
    auto put = verified_put::hashing(std::move(request));
    // Off this worker's count before the supervisor admits it again, so the
    // request is never counted twice.
    finished.release();
    return self->delegate(supervisor, put_atom::value, std::move(put));
  } catch (const std::exception& e) {
    return make_error(errc::internal, with_op(op, e.what()));
  }
}

// Queues a put whose digest is known for the next put batch.
caf::result<v1::ArtifactRef> queue_put(worker_pointer self, verified_put& put,
                                       finished_request& finished) {
  flush_gets(self->state);
  const size_t bytes = put.request().data().size();
  return add_to_batch(self, self->state.puts, put, finished, bytes, flush_puts);
}

worker_actor::behavior_type worker_behavior(worker_pointer self,
                                            std::shared_ptr<driver> store_driver,
                                            closed_flag closed, caf::actor_addr supervisor,
                                            shared_worker_load load,
                                            worker_observers observers) {
  auto& st = self->state;
  st.observers = std::move(observers);
  st.gauge = std::make_unique<worker_gauge>(st.observers.metrics);
  st.store_driver = std::move(store_driver);
  st.closed = std::move(closed);
  st.supervisor = std::move(supervisor);
  st.load = std::move(load);
  // Orphaned workers would hold connections forever: follow the supervisor.
  if (auto strong = caf::actor_cast<caf::actor>(st.supervisor)) {
    self->monitor(strong);
  } else {
    self->quit();
  }
  self->set_down_handler([self](caf::down_msg& msg) {
    if (msg.source == self->state.supervisor) {
      flush_batches(self->state);
      self->quit();
    }
  });
  // Connect now, on this worker's own thread, so the first request does not
  // pay for it. A failure is remembered by the backoff and reported later.
  if (!st.closed->load()) {
    (void)ensure_backend(st, "open");
  }
  return {
      [self](put_atom, v1::PutRequest& request) -> caf::result<v1::ArtifactRef> {
        finished_request finished{*self->state.load, request.data().size()};
        std::string_view op = op_names::put_of(request.text());
        if (request.sha256().empty()) {
          return route_by_digest(self, op, request, finished);
        }
        // The sha256 a sender claims is checked here, once, by hashing.
        const auto started = std::chrono::steady_clock::now();
        const auto bytes = request.data().size();
        const v1::Scope scope = request.scope();  // for the report of a refusal
        auto put = verified_put::checking(std::move(request));
        if (!put) {
          serve_batches_if_idle(self);
          caf::expected<v1::ArtifactRef> refused = digest_mismatch_error();
          record_answer(self->state.observers, op, {&scope, {}, {}}, refused, started, bytes);
          return std::move(refused.error());
        }
        return queue_put(self, *put, finished);
      },
      [self](put_atom, verified_put& put) -> caf::result<v1::ArtifactRef> {
        finished_request finished{*self->state.load, put.request().data().size()};
        return queue_put(self, put, finished);
      },
      [self](get_atom, v1::Key& key) -> caf::result<v1::Blob> {
        finished_request finished{*self->state.load, 0};
        flush_puts(self->state);
        return add_to_batch(self, self->state.gets, key, finished, 0, flush_gets);
      },
      [self](get_ref_atom, const v1::Key& key) -> caf::result<v1::RefResult> {
        finished_request finished{*self->state.load, 0};
        flush_batches(self->state);
        return serve(self->state, op_names::get_ref, subject_of(key),
                     [&](operations& ops) { return ops.get_ref(key); });
      },
      [self](get_range_atom, const v1::RangeRequest& request) -> caf::result<v1::BlobRange> {
        finished_request finished{*self->state.load, 0};
        flush_batches(self->state);
        return serve(self->state, op_names::get_range, subject_of(request),
                     [&](operations& ops) { return ops.get_range(request); });
      },
      [self](exists_atom, const v1::Key& key) -> caf::result<bool> {
        finished_request finished{*self->state.load, 0};
        flush_batches(self->state);
        return serve(self->state, op_names::exists, subject_of(key),
                     [&](operations& ops) { return ops.exists(key); });
      },
      [self](delete_atom, const v1::Key& key) -> caf::result<bool> {
        finished_request finished{*self->state.load, 0};
        flush_batches(self->state);
        return serve(
            self->state, op_names::remove, subject_of(key), [&](operations& ops) { return ops.remove(key); },
            on_lost_connection::report);
      },
      [self](list_atom, const v1::ListRequest& request) -> caf::result<v1::RefList> {
        finished_request finished{*self->state.load, 0};
        flush_batches(self->state);
        return serve(self->state, op_names::list, subject_of(request),
                     [&](operations& ops) { return ops.list(request); });
      },
      [self](sweep_one_atom) -> caf::result<v1::Removed> {
        finished_request finished{*self->state.load, 0};
        flush_batches(self->state);
        return serve(self->state, op_names::sweep, request_subject{},
                     [](operations& ops) { return ops.sweep_batch(); });
      },
      [self](purge_one_atom, const v1::PurgeRequest& request) -> caf::result<v1::Removed, bool> {
        finished_request finished{*self->state.load, 0};
        flush_batches(self->state);
        // Not repeated on a new connection: the lost batch's deletions
        // would go uncounted.
        bool done = true;
        const auto started = std::chrono::steady_clock::now();
        auto removed = run(
            self->state, op_names::purge,
            [&](operations& ops) { return ops.purge_batch(request, done); },
            on_lost_connection::report);
        record_answer(self->state.observers, op_names::purge, subject_of(request), removed,
                      started);
        if (!removed) {
          return std::move(removed.error());
        }
        return {std::move(*removed), done};
      },
      [self](usage_atom, const v1::UsageRequest& request) -> caf::result<v1::Usage> {
        finished_request finished{*self->state.load, 0};
        flush_batches(self->state);
        return serve(self->state, op_names::usage, subject_of(request),
                     [&](operations& ops) { return ops.usage(request); });
      },
      [self](upload_atom, const v1::UploadBegin& request) -> caf::result<v1::UploadStatus> {
        finished_request finished{*self->state.load, 0};
        flush_batches(self->state);
        return serve(self->state, op_names::begin_upload, subject_of(request),
                     [&](operations& ops) { return ops.begin_upload(request); });
      },
      [self](upload_atom, const v1::UploadChunk& chunk) -> caf::result<v1::UploadStatus> {
        finished_request finished{*self->state.load, chunk.data().size()};
        flush_batches(self->state);
        // Not repeated on a new connection: a repeat of a chunk that was
        // appended would fail as misplaced. The caller asks where the
        // upload stands instead.
        return serve(
            self->state, op_names::append, subject_of(chunk), [&](operations& ops) { return ops.append(chunk); },
            on_lost_connection::report, chunk.data().size());
      },
      [self](upload_atom, const v1::UploadQuery& query) -> caf::result<v1::UploadStatus> {
        finished_request finished{*self->state.load, 0};
        flush_batches(self->state);
        return serve(self->state, op_names::upload_status, subject_of(query),
                     [&](operations& ops) { return ops.upload_status(query); });
      },
      [self](upload_atom, const v1::UploadCommit& request) -> caf::result<v1::ArtifactRef> {
        finished_request finished{*self->state.load, 0};
        flush_batches(self->state);
        return serve(self->state, op_names::commit, subject_of(request),
                     [&](operations& ops) { return ops.commit(request); });
      },
      [self](upload_atom, const v1::UploadAbort& request) -> caf::result<bool> {
        finished_request finished{*self->state.load, 0};
        flush_batches(self->state);
        return serve(self->state, op_names::abort_upload, subject_of(request),
                     [&](operations& ops) { return ops.abort_upload(request); });
      },
      [self](close_atom) {
        flush_batches(self->state);
        self->quit();
      },
  };
}

}  // namespace

worker_actor spawn_worker(caf::actor_system& sys, std::shared_ptr<driver> store_driver,
                          closed_flag closed, caf::actor_addr supervisor, shared_worker_load load,
                          worker_observers observers) {
  // A worker blocks in its backend's calls, so it gets a thread of its own,
  // unless the driver's calls never wait: then the scheduler's threads serve
  // it without a thread switch per request.
  if (!store_driver->calls_may_wait()) {
    return sys.spawn(worker_behavior, std::move(store_driver), std::move(closed),
                     std::move(supervisor), std::move(load), std::move(observers));
  }
  auto worker =
      sys.spawn<caf::detached>(worker_behavior, std::move(store_driver), std::move(closed),
                               std::move(supervisor), std::move(load), std::move(observers));
  // Runs on the worker's own thread as it ends: CAF counts a detached actor
  // gone before its thread has finished, so the process may exit while the
  // thread's OpenSSL state is still held.
  worker->attach_functor([] { release_thread_hashing_state(); });
  return worker;
}

}  // namespace artifacts
