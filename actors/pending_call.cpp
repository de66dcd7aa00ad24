#include "actors/pending_call.hpp"

#include <algorithm>
#include <string>

#include <caf/exit_reason.hpp>
#include <caf/node_id.hpp>
#include <caf/sec.hpp>

#include <artifact_store/error.hpp>

#include "actors/actor_errors.hpp"

namespace artifacts {

namespace {}  // namespace

caf::error call_error(std::string_view op, const caf::error& err,
                      const call_destination& destination) {
  if (err.category() == error_category) {
    return err;
  }
  if (is_system_error(err, caf::sec::request_timeout)) {
    return make_error(errc::unavailable,
                      with_op(op, "request timed out after " +
                                      std::to_string(destination.timeout.count()) + " ms"));
  }
  if (is_system_error(err, caf::sec::request_receiver_down)) {
    return store_gone_error(op, destination, caf::error{});
  }
  if (is_system_error(err, caf::sec::unexpected_message)) {
    return make_error(errc::internal,
                      with_op(op,
                              "the store does not know this operation (a node of an "
                              "earlier version)"));
  }
  return make_error(code_of(err), with_op(op, to_string(err)));
}

caf::error store_gone_error(std::string_view op, const call_destination& destination,
                            const caf::error& reason) {
  // A remote store that was closed says so in its down reason.
  const bool closed_remotely = reason && reason.category() == error_category &&
                               reason.code() == static_cast<uint8_t>(errc::store_closed);
  if (destination.closed_now() || closed_remotely) {
    return closed_error(op);
  }
  std::string message = "the store is unreachable";
  // An empty caf::error has no category to ask for.
  if (reason && reason.category() == caf::atom("exit")) {
    message += " (";
    message += to_string(static_cast<caf::exit_reason>(reason.code()));
    message += ")";
  }
  return make_error(errc::unavailable, with_op(op, message));
}

bool awaits_down_notice(const caf::error& err, const call_destination& destination,
                        const caf::node_id& here) {
  return is_system_error(err, caf::sec::request_receiver_down) && destination.store != nullptr &&
         destination.store->node() != here;
}

std::chrono::milliseconds down_notice_grace(const call_destination& destination) {
  return std::min(std::chrono::milliseconds{1000}, destination.timeout);
}

call_book::~call_book() {
  fail_all([](std::string_view op) {
    return make_error(errc::unavailable, with_op(op, "the client stopped before the answer came"));
  });
}

void call_book::add(std::shared_ptr<pending_call> call) {
  auto key = call.get();
  calls_.emplace(key, std::move(call));
}

}  // namespace artifacts
