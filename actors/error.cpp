#include <artifact_store/error.hpp>

#include <caf/actor_system_config.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

#include "storage/uploads.hpp"

namespace artifacts {

caf::error make_error(errc code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(message))};
}

errc code_of(const caf::error& err) noexcept {
  // CAF 0.17 dereferences the (absent) payload of an empty error when asked
  // for its category.
  if (!err) {
    return errc::internal;
  }
  if (err.category() == error_category) {
    auto code = err.code();
    if (code >= static_cast<uint8_t>(errc::identity_required) &&
        code <= static_cast<uint8_t>(errc::wrong_offset)) {
      return static_cast<errc>(code);
    }
    return errc::internal;
  }
  if (err.category() == caf::atom("system")) {
    switch (static_cast<caf::sec>(err.code())) {
      case caf::sec::request_timeout:
      case caf::sec::request_receiver_down:
      case caf::sec::cannot_connect_to_node:
      case caf::sec::no_route_to_receiving_node:
        return errc::unavailable;
      default:
        break;
    }
  }
  return errc::internal;
}

std::string message_of(const caf::error& err) {
  if (!err) {
    return "no error";
  }
  if (err.category() == error_category && err.context().match_elements<std::string>()) {
    return err.context().get_as<std::string>(0);
  }
  return to_string(err);
}

std::optional<uint64_t> expected_offset_of(const caf::error& err) {
  if (!err || code_of(err) != errc::wrong_offset) {
    return std::nullopt;
  }
  return expected_offset_in(message_of(err));
}

std::string describe(const caf::error& err) {
  return std::string(to_string(code_of(err))) + ": " + message_of(err);
}

void add_error_category(caf::actor_system_config& cfg) {
  cfg.add_error_category(error_category,
                         [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                           std::string out = to_string(static_cast<errc>(code));
                           if (ctx.match_elements<std::string>()) {
                             out += ": ";
                             out += ctx.get_as<std::string>(0);
                           }
                           return out;
                         });
}

}  // namespace artifacts
