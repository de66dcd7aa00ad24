#include <artifact_store/client.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/abstract_actor.hpp>
#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/after.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

#include <artifact_store/error.hpp>

#include "actors/actor_errors.hpp"
#include "actors/bridge.hpp"
#include "actors/caller_pool.hpp"
#include "actors/in_flight.hpp"
#include "actors/routing.hpp"
#include "actors/wire_strings.hpp"
#include "actors/worker_routes.hpp"
#include "storage/operation_names.hpp"
#include "storage/sha256.hpp"

namespace artifacts {

namespace {

// How much longer than the request timeout a caller waits for its bridge. The
// bridge answers at the timeout itself; this only covers a bridge that is
// slow to run.
constexpr std::chrono::milliseconds bridge_grace{500};

// How many times a reconnecting client sends a call again. One repeat is not
// always enough: the new connection can be lost too (see
// docs/reliability.md).
constexpr int max_repeats = 3;

// How often, and how far apart, a reconnecting client asks for a new handle
// while it is handed the lost one (see fresh_handle): a second at most.
constexpr int stale_handle_asks = 20;
constexpr std::chrono::milliseconds stale_handle_pause{50};

// How long a fleet's client leaves a node that failed to connect before it
// tries it again.
constexpr std::chrono::seconds node_retry_pause{1};

// How long the destructor waits for the bridge to stop. Stopping does not
// wait for the store, so this is only reached when the system is overloaded.
constexpr std::chrono::seconds bridge_stop_bound{10};

}  // namespace

// One handle of the store and the bridge that talks to it (none for a local
// store, whose calls the client sends itself: see call_direct).
struct route {
  call_destination destination;
  caf::actor bridge;
};

// What a client of a local store needs to send its calls to the workers
// itself.
struct local_routes {
  // Null for a store made without one: every call goes to the supervisor.
  std::shared_ptr<worker_routes> table;
  storage_options storage;
};

// Whether a call's arguments (its atom first) make a write, whose answer
// waits for a commit (see caller_pool::answer_kind).
template <class Atom, class... Rest>
constexpr bool is_write() {
  return std::is_same_v<std::decay_t<Atom>, put_atom> ||
         std::is_same_v<std::decay_t<Atom>, delete_atom> ||
         std::is_same_v<std::decay_t<Atom>, upload_atom>;
}

// Whether a call may be sent again after its store went away: every one but
// delete and purge, whose repeats would miscount (see client.hpp), and
// begin, append and abort of an upload: a repeated begin opens a second
// upload, a repeated chunk fails as misplaced, a repeated abort finds
// nothing. Asking where an upload stands and committing it repeat safely.
template <class Atom, class Request>
constexpr bool repeatable() {
  if constexpr (std::is_same_v<Atom, upload_atom>) {
    return std::is_same_v<Request, v1::UploadQuery> || std::is_same_v<Request, v1::UploadCommit>;
  }
  return !std::is_same_v<Atom, delete_atom> && !std::is_same_v<Atom, purge_atom>;
}

// The route of a request that continues an upload (routing.hpp).
template <class Request>
constexpr bool continues_upload() {
  return std::is_same_v<Request, v1::UploadChunk> || std::is_same_v<Request, v1::UploadQuery> ||
         std::is_same_v<Request, v1::UploadCommit> || std::is_same_v<Request, v1::UploadAbort>;
}

struct client::impl {
  using clock = std::chrono::steady_clock;

  impl(caf::actor_system& system, call_destination where, reconnector again,
       std::optional<local_routes> local = std::nullopt)
      : sys(system),
        connect_node(again ? node_connector{[again](size_t) { return again(); }} : nullptr),
        local(std::move(local)),
        callers(system),
        retry_at(1) {
    routes.push_back(make_route(std::move(where)));
  }

  // A client of a fleet of `nodes`, connected through node `first`.
  impl(caf::actor_system& system, call_destination where, size_t first, node_connector connect,
       size_t nodes)
      : sys(system),
        connect_node(std::move(connect)),
        callers(system),
        routes(nodes),
        retry_at(nodes),
        home(first),
        next_node(first) {
    routes.at(first) = make_route(std::move(where));
  }

  std::shared_ptr<const route> make_route(call_destination where) {
    if (local) {
      return std::make_shared<const route>(route{std::move(where), nullptr});
    }
    if (connect_node) {
      where.gone = std::make_shared<std::atomic<bool>>(false);
    }
    auto bridge = spawn_bridge(sys, where);
    bridges.push_back(bridge);
    return std::make_shared<const route>(route{std::move(where), std::move(bridge)});
  }

  // The route a call takes now: with one node, its route; in a fleet, the
  // next live node's (`spread`), or the node uploads stay on. Never null:
  // when no node is live, a lost route, whose calls fail unavailable at
  // once and are then rerouted.
  std::shared_ptr<const route> route_now(bool spread = false) {
    std::lock_guard<std::mutex> guard{lock};
    if (routes.size() == 1) {
      return routes.front();
    }
    const size_t n = routes.size();
    const size_t first = spread ? next_node.fetch_add(1, std::memory_order_relaxed) % n : home;
    for (size_t k = 0; k < n; ++k) {
      if (auto live = live_or_connected((first + k) % n, !spread)) {
        return live;
      }
    }
    return routes.at(home);
  }

  // A route to a fresh handle when `lost` is still its node's route (a
  // thread that comes later finds the new route in place); in a fleet,
  // when the lost node cannot be connected again, the next live node's
  // route. Null when no node could be reached.
  std::shared_ptr<const route> reroute(const std::shared_ptr<const route>& lost) {
    std::lock_guard<std::mutex> guard{lock};
    const auto at = std::find(routes.begin(), routes.end(), lost);
    if (at == routes.end()) {
      // Another thread has replaced it already.
      if (routes.size() == 1) {
        return routes.front();
      }
      for (size_t k = 0; k < routes.size(); ++k) {
        if (auto live = live_or_connected(k, false)) {
          return live;
        }
      }
      return nullptr;
    }
    const auto index = static_cast<size_t>(at - routes.begin());
    if (auto handle = fresh_handle(index, lost->destination.store)) {
      call_destination where = lost->destination;
      where.store = std::move(*handle);
      routes[index] = make_route(std::move(where));
      return routes[index];
    }
    retry_at[index] = clock::now() + node_retry_pause;
    for (size_t k = 1; k < routes.size(); ++k) {
      if (auto live = live_or_connected((index + k) % routes.size(), index == home)) {
        return live;
      }
    }
    return nullptr;
  }

  // Node `index`'s route when it is live, or once connected again when it
  // is not and its pause is over; null otherwise. `make_home` makes it the
  // node uploads stay on. Called under the lock.
  std::shared_ptr<const route> live_or_connected(size_t index, bool make_home) {
    auto& slot = routes[index];
    const bool live =
        slot != nullptr && (slot->destination.gone == nullptr || !slot->destination.gone->load());
    if (!live) {
      if (!connect_node || clock::now() < retry_at[index]) {
        return nullptr;
      }
      auto handle =
          slot != nullptr ? fresh_handle(index, slot->destination.store) : connect_node(index);
      if (!handle) {
        retry_at[index] = clock::now() + node_retry_pause;
        return nullptr;
      }
      // The home node always has a route: it was connected first, and only
      // a live node becomes home.
      slot = make_route(call_destination{std::move(*handle), routes[home]->destination.timeout,
                                         nullptr, nullptr});
    }
    if (make_home) {
      home = index;
    }
    return slot;
  }

  // A handle of node `index` other than `lost`. CAF's middleman keeps the
  // handle it last connected to for a host and port until it sees that
  // handle go down, which can come after the client saw it: until then it
  // hands back the lost handle, and is asked again after a pause.
  caf::expected<store_actor> fresh_handle(size_t index, const store_actor& lost) {
    // Handles compare equal when they name the same actor; a new
    // connection's handle of the same store is a new proxy object.
    auto same_proxy = [&](const caf::expected<store_actor>& handle) {
      return handle && caf::actor_cast<caf::abstract_actor*>(*handle) ==
                           caf::actor_cast<caf::abstract_actor*>(lost);
    };
    auto handle = connect_node(index);
    for (int asked = 1; same_proxy(handle) && asked < stale_handle_asks; ++asked) {
      std::this_thread::sleep_for(stale_handle_pause);
      handle = connect_node(index);
    }
    if (same_proxy(handle)) {
      return make_error(errc::unavailable, "reconnect: still handed the lost connection");
    }
    return handle;
  }

  template <class Atom, class Result, class Request>
  caf::expected<Result> call(std::string_view op, Request request) {
    auto via = route_now(!std::is_same_v<Atom, upload_atom>);
    // The client's one check of the closed flag: a call to a closed store
    // fails here at once, before any hashing or sending.
    if (via->destination.closed_now()) {
      return closed_error(op);
    }
    // A remote node would drop such a request unread; say why here instead.
    if (auto err = check_wire_strings(op, request)) {
      return err;
    }
    if constexpr (std::is_same_v<Request, v1::PutRequest>) {
      // Hashing here keeps the payload off the supervisor's thread: it
      // routes by the digest alone. A local store takes the digest as
      // computed (one hash per put); a remote node verifies it.
      if (local) {
        auto put = verified_put::checking(std::move(request));
        if (!put) {
          return digest_mismatch_error();
        }
        return call_direct<Atom, Result>(via->destination, op, std::move(*put));
      }
      if (request.sha256().empty()) {
        request.set_sha256(sha256_hex(request.data()));
      }
    } else if (local) {
      return call_direct<Atom, Result>(via->destination, op, std::move(request));
    }
    if constexpr (repeatable<Atom, Request>()) {
      if (connect_node) {
        return call_repeating<Atom, Result>(std::move(via), op, request);
      }
    }
    return call_on<Atom, Result>(*via, op, std::move(request));
  }

  // Sends a chunk now and returns what waits for its answer (at most the
  // request timeout from now): chunks sent one after another from one
  // thread reach the store in that order, so that a writer can keep
  // several on their way. Never repeated on a new connection.
  std::function<caf::expected<v1::UploadStatus>()> send_chunk(v1::UploadChunk request) {
    using Atom = upload_atom;
    using Result = v1::UploadStatus;
    using Request = v1::UploadChunk;
    static constexpr std::string_view op = op_names::append;
    auto via = route_now();
    auto failed = [](caf::error err) {
      return [err = std::move(err)]() -> caf::expected<Result> { return err; };
    };
    if (via->destination.closed_now()) {
      return failed(closed_error(op));
    }
    if (auto err = check_wire_strings(op, request)) {
      return failed(std::move(err));
    }
    if (local) {
      const worker_routes* table = local->table.get();
      auto supervisor = caf::actor_cast<store_supervisor_actor>(via->destination.store);
      direct_admission routed =
          admit_directly(table, route_of_upload(request.upload_id()), request.data().size());
      if (routed.refused_at) {
        return failed(overloaded_error(op, *routed.refused_at));
      }
      // Built in place: a lease cannot be moved.
      std::shared_ptr<caller_pool::lease> caller{new caller_pool::lease(callers.take())};
      auto answer =
          routed.worker != nullptr
              ? (**caller)->request(routed.worker, caf::infinite, Atom::value, std::move(request))
              : (**caller)->request(supervisor, caf::infinite, Atom::value, std::move(request));
      const auto deadline =
          caf::blocking_actor::timeout_type::clock::now() + via->destination.timeout;
      return [caller, answer, deadline, via]() mutable -> caf::expected<Result> {
        if (!caller->await_answer(deadline, caller_pool::answer_kind::write)) {
          caller->spoil();
          return call_error(op, caf::make_error(caf::sec::request_timeout), via->destination);
        }
        caf::expected<Result> outcome{caf::error{}};
        answer.receive([&](Result& value) { outcome = std::move(value); },
                       [&](caf::error& err) { outcome = call_error(op, err, via->destination); });
        return outcome;
      };
    }
    auto pending = std::make_shared<typed_call<Atom, Request, Result>>(op, std::move(request));
    auto answer = std::make_shared<std::future<caf::expected<Result>>>(pending->answer());
    caf::anon_send(via->bridge, call_message{std::move(pending)});
    return [answer, via]() -> caf::expected<Result> {
      if (answer->wait_for(via->destination.timeout + bridge_grace) != std::future_status::ready) {
        return make_error(errc::unavailable, std::string(op) + ": request timed out after " +
                                                 std::to_string(via->destination.timeout.count()) +
                                                 " ms");
      }
      return answer->get();
    };
  }

  // A call to a local store, sent from a caller of the pool to the worker
  // the supervisor's published table selects, and answered straight back:
  // the caller's thread, the worker, the caller's thread. The request is
  // counted on the worker's load as the supervisor would count it, and
  // refused as overloaded as the supervisor would refuse it. Without a
  // table (close has begun), or when its worker has just died, the call
  // goes to the supervisor, which routes or refuses it.
  template <class Atom, class Result, class Request>
  caf::expected<Result> call_direct(const call_destination& destination, std::string_view op,
                                    Request request) {
    auto caller = callers.take();
    auto supervisor = caf::actor_cast<store_supervisor_actor>(destination.store);
    if constexpr (std::is_same_v<Request, v1::SweepRequest> ||
                  std::is_same_v<Request, v1::PurgeRequest>) {
      // A sweep or a purge is a series of requests the supervisor makes.
      return ask<Result>(caller, destination, op, supervisor, Atom::value, std::move(request));
    } else {
      return call_worker<Atom, Result>(caller, destination, op, supervisor, std::move(request));
    }
  }

  // call_direct for a request a worker serves.
  template <class Atom, class Result, class Request>
  caf::expected<Result> call_worker(caller_pool::lease& caller, const call_destination& destination,
                                    std::string_view op, const store_supervisor_actor& supervisor,
                                    Request request) {
    const worker_routes* table = local->table.get();
    direct_admission routed;
    if constexpr (std::is_same_v<Request, v1::ListRequest> ||
                  std::is_same_v<Request, v1::UsageRequest> ||
                  std::is_same_v<Request, v1::UploadBegin>) {
      // Lists, usage and new uploads have no key: they take the workers in
      // turn.
      routed = admit_directly(table, next_list.fetch_add(1, std::memory_order_relaxed), 0);
    } else if constexpr (std::is_same_v<Request, v1::UploadChunk>) {
      routed = admit_directly(table, route_of_upload(request.upload_id()), request.data().size());
    } else if constexpr (continues_upload<Request>()) {
      routed = admit_directly(table, route_of_upload(request.upload_id()), 0);
    } else if constexpr (std::is_same_v<Request, verified_put>) {
      routed = admit_directly(table, request, local->storage);
    } else if constexpr (std::is_same_v<Request, v1::RangeRequest>) {
      routed = admit_directly(table, request.key());
    } else {
      routed = admit_directly(table, request);
    }
    if (routed.worker != nullptr) {
      return ask<Result>(caller, destination, op, routed.worker, Atom::value, std::move(request));
    }
    if (routed.refused_at) {
      return overloaded_error(op, *routed.refused_at);
    }
    return ask<Result>(caller, destination, op, supervisor, Atom::value, std::move(request));
  }

  // Sends a request from `caller` to `receiver` and waits for its answer, at
  // most the request timeout. The request carries no timeout of its own:
  // CAF would deliver that timeout later to a caller that may serve another
  // call by then; a caller that stopped waiting is spoiled instead.
  template <class Result, class Receiver, class... Ts>
  static caf::expected<Result> ask(caller_pool::lease& caller, const call_destination& destination,
                                   std::string_view op, const Receiver& receiver, Ts&&... xs) {
    auto& self = *caller;
    auto answer = self->request(receiver, caf::infinite, std::forward<Ts>(xs)...);
    const auto deadline = caf::blocking_actor::timeout_type::clock::now() + destination.timeout;
    const auto kind =
        is_write<Ts...>() ? caller_pool::answer_kind::write : caller_pool::answer_kind::read;
    if (!caller.await_answer(deadline, kind)) {
      caller.spoil();
      return call_error(op, caf::make_error(caf::sec::request_timeout), destination);
    }
    caf::expected<Result> outcome{caf::error{}};
    answer.receive([&](Result& value) { outcome = std::move(value); },
                   [&](caf::error& err) { outcome = call_error(op, err, destination); });
    return outcome;
  }

  // Sends the call, and again on a new connection while it fails because
  // its store went away: at most max_repeats times, and only while less than
  // the request timeout has passed since the first send.
  template <class Atom, class Result, class Request>
  caf::expected<Result> call_repeating(std::shared_ptr<const route> via, std::string_view op,
                                       const Request& request) {
    const auto deadline = std::chrono::steady_clock::now() + via->destination.timeout;
    auto outcome = call_on<Atom, Result>(*via, op, request);
    for (int repeats = 0; repeats < max_repeats && lost_store(outcome, via->destination) &&
                          std::chrono::steady_clock::now() < deadline;
         ++repeats) {
      auto next = reroute(via);
      if (next == nullptr) {
        break;
      }
      via = std::move(next);
      outcome = call_on<Atom, Result>(*via, op, request);
    }
    return outcome;
  }

  template <class Result>
  static bool lost_store(const caf::expected<Result>& outcome,
                         const call_destination& destination) {
    return !outcome && destination.gone != nullptr && destination.gone->load() &&
           code_of(outcome.error()) == errc::unavailable;
  }

  template <class Atom, class Result, class Request>
  caf::expected<Result> call_on(const route& via, std::string_view op, Request request) {
    auto pending = std::make_shared<typed_call<Atom, Request, Result>>(op, std::move(request));
    auto answer = pending->answer();
    caf::anon_send(via.bridge, call_message{std::move(pending)});
    if (answer.wait_for(via.destination.timeout + bridge_grace) != std::future_status::ready) {
      return make_error(errc::unavailable, std::string(op) + ": request timed out after " +
                                               std::to_string(via.destination.timeout.count()) +
                                               " ms");
    }
    return answer.get();
  }

  caf::actor_system& sys;
  // Connects node i again (the only one, outside a fleet); empty for a
  // client that does not reconnect.
  const node_connector connect_node;
  // Set for a client of a local store (the constructor from a store): its
  // calls go straight to the workers, and it sends its puts hashed, as
  // verified_put.
  const std::optional<local_routes> local;
  caller_pool callers;
  // Where the next list goes, in turn, as the supervisor sends them.
  std::atomic<size_t> next_list{0};
  std::mutex lock;
  // Every bridge this client started, stopped with it: a replaced one may
  // still hold calls of other threads.
  std::vector<caf::actor> bridges;
  // One route per node (one in all but a fleet); null for a node never
  // connected. A lost route stays until its node is connected again.
  std::vector<std::shared_ptr<const route>> routes;
  // When a node that failed to connect may be tried again.
  std::vector<clock::time_point> retry_at;
  // The node uploads stay on.
  size_t home = 0;
  // The node the next spread call tries first.
  std::atomic<size_t> next_node{0};
};

client::client(caf::actor_system& sys, const store& local)
    : impl_(std::make_unique<impl>(
          sys,
          call_destination{local.actor(), local.config().request_timeout, local.closed(), nullptr},
          nullptr, local_routes{local.routes_, local.config().storage})) {}

client::client(caf::actor_system& sys, store_actor store, std::chrono::milliseconds request_timeout,
               closed_flag closed)
    : impl_(std::make_unique<impl>(
          sys, call_destination{std::move(store), request_timeout, std::move(closed), nullptr},
          nullptr)) {}

client::client(caf::actor_system& sys, store_actor store, std::chrono::milliseconds request_timeout,
               reconnector reconnect)
    : impl_(std::make_unique<impl>(
          sys, call_destination{std::move(store), request_timeout, nullptr, nullptr},
          std::move(reconnect))) {}

client::client(caf::actor_system& sys, store_actor first_handle, size_t first,
               std::chrono::milliseconds request_timeout, node_connector connect, size_t nodes)
    : impl_(std::make_unique<impl>(
          sys, call_destination{std::move(first_handle), request_timeout, nullptr, nullptr}, first,
          std::move(connect), nodes)) {}

client::~client() {
  // Waits until every bridge is gone, so that a client leaves no actor
  // behind.
  caf::scoped_actor self{impl_->sys};
  for (const auto& bridge : impl_->bridges) {
    self->monitor(bridge);
    self->send_exit(bridge, caf::exit_reason::user_shutdown);
  }
  for (size_t i = 0; i < impl_->bridges.size(); ++i) {
    self->receive([](caf::down_msg&) {}, caf::after(bridge_stop_bound) >> [] {});
  }
}

caf::expected<v1::ArtifactRef> client::put(v1::PutRequest request) {
  std::string_view op = op_names::put_of(request.text());
  return impl_->call<put_atom, v1::ArtifactRef>(op, std::move(request));
}

caf::expected<v1::ArtifactRef> client::put_text(v1::PutRequest request) {
  request.set_text(true);
  return put(std::move(request));
}

caf::expected<v1::Blob> client::get(const v1::Key& key) {
  return impl_->call<get_atom, v1::Blob>(op_names::get, key);
}

caf::expected<v1::RefResult> client::get_ref(const v1::Key& key) {
  return impl_->call<get_ref_atom, v1::RefResult>(op_names::get_ref, key);
}

caf::expected<v1::BlobRange> client::get_range(const v1::Key& key, int64_t offset,
                                               std::optional<int64_t> length) {
  v1::RangeRequest request;
  *request.mutable_key() = key;
  request.set_offset(offset);
  if (length) {
    request.set_length(*length);
  }
  return impl_->call<get_range_atom, v1::BlobRange>(op_names::get_range, std::move(request));
}

caf::expected<bool> client::read(const v1::Key& key,
                                 const std::function<caf::error(std::string_view part)>& consume,
                                 read_options options) {
  const auto part_bytes = static_cast<int64_t>(std::max<size_t>(options.part_bytes, 1));
  const auto in_flight = std::max<size_t>(options.parts_in_flight, 1);
  auto first = get_range(key, 0, part_bytes);
  if (!first) {
    return std::move(first.error());
  }
  if (!first->found()) {
    return false;
  }
  const int64_t size = first->size_bytes();
  const std::string digest = first->sha256();
  sha256_stream hashed;
  int64_t consumed = 0;
  // Takes the part that starts at `consumed` (asking for what the store
  // left out of it), hashes it and hands it on.
  auto take = [&](v1::BlobRange& part, int64_t part_end) -> caf::error {
    for (;;) {
      if (!part.found() || part.sha256() != digest) {
        return make_error(errc::unavailable,
                          "read: the artifact was deleted or expired while it was read, after " +
                              std::to_string(consumed) + " of " + std::to_string(size) + " bytes");
      }
      if (!part.data().empty()) {
        hashed.update(part.data());
        if (auto err = consume(part.data())) {
          return err;
        }
      }
      consumed += static_cast<int64_t>(part.data().size());
      if (consumed >= part_end || part.data().empty()) {
        return {};
      }
      auto rest = get_range(key, consumed, part_end - consumed);
      if (!rest) {
        return std::move(rest.error());
      }
      part = std::move(*rest);
    }
  };
  if (auto err = take(*first, std::min(size, part_bytes))) {
    return err;
  }
  // The parts after the first, each asked for on a thread of its own so
  // that in_flight of them are on their way at once.
  std::deque<std::pair<int64_t, std::future<caf::expected<v1::BlobRange>>>> ahead;
  int64_t asked = consumed;
  auto ask_ahead = [&] {
    while (ahead.size() < in_flight && asked < size) {
      const int64_t from = asked;
      ahead.emplace_back(from, std::async(std::launch::async, [this, &key, from, part_bytes] {
                           return get_range(key, from, part_bytes);
                         }));
      asked += part_bytes;
    }
  };
  while (consumed < size) {
    ask_ahead();
    if (ahead.empty() || ahead.front().first != consumed) {
      break;  // a part came back empty before the end: reported below
    }
    auto part = ahead.front().second.get();
    ahead.pop_front();
    if (!part) {
      return std::move(part.error());
    }
    if (auto err = take(*part, std::min(size, consumed + part_bytes))) {
      return err;
    }
  }
  if (consumed != size) {
    return make_error(errc::internal, "read: the store answered " + std::to_string(consumed) +
                                          " of the artifact's " + std::to_string(size) + " bytes");
  }
  if (hashed.finish() != digest) {
    return make_error(errc::internal,
                      "read: the bytes read do not match the artifact's sha256 " + digest);
  }
  return true;
}

caf::expected<bool> client::exists(const v1::Key& key) {
  return impl_->call<exists_atom, bool>(op_names::exists, key);
}

caf::expected<bool> client::remove(const v1::Key& key) {
  return impl_->call<delete_atom, bool>(op_names::remove, key);
}

caf::expected<v1::RefList> client::list(const v1::ListRequest& request) {
  return impl_->call<list_atom, v1::RefList>(op_names::list, request);
}

caf::expected<v1::Removed> client::sweep() {
  return impl_->call<sweep_atom, v1::Removed>(op_names::sweep, v1::SweepRequest{});
}

caf::expected<v1::Removed> client::purge(const v1::Scope& filter) {
  v1::PurgeRequest request;
  *request.mutable_filter() = filter;
  return impl_->call<purge_atom, v1::Removed>(op_names::purge, std::move(request));
}

caf::expected<v1::Usage> client::usage(const v1::Scope& filter) {
  v1::UsageRequest request;
  *request.mutable_filter() = filter;
  return impl_->call<usage_atom, v1::Usage>(op_names::usage, std::move(request));
}

caf::expected<v1::UploadStatus> client::begin_upload(v1::PutRequest metadata) {
  v1::UploadBegin request;
  *request.mutable_metadata() = std::move(metadata);
  return impl_->call<upload_atom, v1::UploadStatus>(op_names::begin_upload, std::move(request));
}

caf::expected<v1::UploadStatus> client::append(const std::string& upload_id, int64_t offset,
                                               std::string data) {
  v1::UploadChunk chunk;
  chunk.set_upload_id(upload_id);
  chunk.set_offset(offset);
  chunk.set_data(std::move(data));
  return impl_->call<upload_atom, v1::UploadStatus>(op_names::append, std::move(chunk));
}

caf::expected<v1::UploadStatus> client::upload_status(const std::string& upload_id) {
  v1::UploadQuery query;
  query.set_upload_id(upload_id);
  return impl_->call<upload_atom, v1::UploadStatus>(op_names::upload_status, std::move(query));
}

caf::expected<v1::ArtifactRef> client::commit_upload(const std::string& upload_id,
                                                     std::string sha256) {
  v1::UploadCommit request;
  request.set_upload_id(upload_id);
  request.set_sha256(std::move(sha256));
  return impl_->call<upload_atom, v1::ArtifactRef>(op_names::commit, std::move(request));
}

caf::expected<bool> client::abort_upload(const std::string& upload_id) {
  v1::UploadAbort request;
  request.set_upload_id(upload_id);
  return impl_->call<upload_atom, bool>(op_names::abort_upload, std::move(request));
}

std::function<caf::expected<v1::UploadStatus>()> client::send_chunk(v1::UploadChunk chunk) {
  return impl_->send_chunk(std::move(chunk));
}

store_actor client::handle() const {
  return impl_->route_now()->destination.store;
}

}  // namespace artifacts
