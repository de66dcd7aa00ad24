#include "actors/client.hpp"

#include <future>
#include <string>
#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/after.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

#include "actors/bridge.hpp"
#include "actors/error.hpp"
#include "actors/wire_strings.hpp"
#include "storage/sha256.hpp"

namespace artifacts {

namespace {

// How much longer than the request timeout a caller waits for its bridge. The
// bridge answers at the timeout itself; this only covers a bridge that is
// slow to run.
constexpr std::chrono::milliseconds bridge_grace{500};

// How long the destructor waits for the bridge to stop. Stopping does not
// wait for the store, so this is only reached when the system is overloaded.
constexpr std::chrono::seconds bridge_stop_bound{10};

}  // namespace

struct client::impl {
  impl(caf::actor_system& system, call_target where)
      : sys(system), target(std::move(where)), bridge(spawn_bridge(system, target)) {}

  template <class Atom, class Result, class Request>
  caf::expected<Result> call(std::string_view op, Request request) {
    if (target.closed_now()) {
      return make_error(errc::store_closed, std::string(op) + ": the store is closed");
    }
    // A remote node would drop such a request unread; say why here instead.
    if (auto err = check_wire_strings(op, request)) {
      return err;
    }
    auto pending = std::make_shared<typed_call<Atom, Request, Result>>(op, std::move(request));
    auto answer = pending->answer();
    caf::anon_send(bridge, call_message{std::move(pending)});
    if (answer.wait_for(target.timeout + bridge_grace) != std::future_status::ready) {
      return make_error(errc::unavailable, std::string(op) + ": request timed out after " +
                                               std::to_string(target.timeout.count()) + " ms");
    }
    return answer.get();
  }

  caf::actor_system& sys;
  call_target target;
  caf::actor bridge;
};

client::client(caf::actor_system& sys, const store& local)
    : client(sys, local.actor(), local.config().request_timeout, local.closed()) {}

client::client(caf::actor_system& sys, store_actor target,
               std::chrono::milliseconds request_timeout, closed_flag closed)
    : impl_(std::make_unique<impl>(
          sys, call_target{std::move(target), request_timeout, std::move(closed)})) {}

client::~client() {
  // Waits until the bridge is gone, so that a client leaves no actor behind.
  caf::scoped_actor self{impl_->sys};
  self->monitor(impl_->bridge);
  self->send_exit(impl_->bridge, caf::exit_reason::user_shutdown);
  self->receive([](caf::down_msg&) {}, caf::after(bridge_stop_bound) >> [] {});
}

caf::expected<v1::ArtifactRef> client::put(v1::PutRequest request) {
  std::string_view op = request.text() ? "put_text" : "put";
  // Hashing here keeps the payload off the supervisor's thread: it routes by
  // the digest alone. A closed store is refused before any hashing.
  if (request.sha256().empty() && !impl_->target.closed_now()) {
    request.set_sha256(sha256_hex(request.data()));
  }
  return impl_->call<put_atom, v1::ArtifactRef>(op, std::move(request));
}

caf::expected<v1::ArtifactRef> client::put_text(v1::PutRequest request) {
  request.set_text(true);
  return put(std::move(request));
}

caf::expected<v1::Blob> client::get(const v1::Key& key) {
  return impl_->call<get_atom, v1::Blob>("get", key);
}

caf::expected<v1::RefResult> client::get_ref(const v1::Key& key) {
  return impl_->call<get_ref_atom, v1::RefResult>("get_ref", key);
}

caf::expected<bool> client::exists(const v1::Key& key) {
  return impl_->call<exists_atom, bool>("exists", key);
}

caf::expected<bool> client::remove(const v1::Key& key) {
  return impl_->call<delete_atom, bool>("delete", key);
}

caf::expected<v1::RefList> client::list(const v1::ListRequest& request) {
  return impl_->call<list_atom, v1::RefList>("list", request);
}

const store_actor& client::target() const noexcept {
  return impl_->target.store;
}

}  // namespace artifacts
