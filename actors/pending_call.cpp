#include "actors/pending_call.hpp"

#include <algorithm>
#include <string>

#include <caf/exit_reason.hpp>
#include <caf/node_id.hpp>
#include <caf/sec.hpp>

#include "actors/error.hpp"

namespace artifacts {

namespace {

std::string with_op(std::string_view op, std::string_view message) {
  std::string out(op);
  out.append(": ").append(message);
  return out;
}

bool is_system_error(const caf::error& err, caf::sec code) {
  return err && err.category() == caf::atom("system") && err.code() == static_cast<uint8_t>(code);
}

}  // namespace

caf::error call_error(std::string_view op, const caf::error& err, const call_target& target) {
  if (err.category() == error_category) {
    return err;
  }
  if (is_system_error(err, caf::sec::request_timeout)) {
    return make_error(
        errc::unavailable,
        with_op(op, "request timed out after " + std::to_string(target.timeout.count()) + " ms"));
  }
  if (is_system_error(err, caf::sec::request_receiver_down)) {
    return store_gone_error(op, target, caf::error{});
  }
  return make_error(code_of(err), with_op(op, to_string(err)));
}

caf::error store_gone_error(std::string_view op, const call_target& target,
                            const caf::error& reason) {
  // A remote store that was closed says so in its down reason.
  const bool closed_remotely = reason && reason.category() == error_category &&
                               reason.code() == static_cast<uint8_t>(errc::store_closed);
  if (target.closed_now() || closed_remotely) {
    return make_error(errc::store_closed, with_op(op, "the store is closed"));
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

bool awaits_down_notice(const caf::error& err, const call_target& target,
                        const caf::node_id& here) {
  return is_system_error(err, caf::sec::request_receiver_down) && target.store != nullptr &&
         target.store->node() != here;
}

std::chrono::milliseconds down_notice_grace(const call_target& target) {
  return std::min(std::chrono::milliseconds{1000}, target.timeout);
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
