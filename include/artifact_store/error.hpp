// The store's errors as caf::error values: one error model in-process and
// over remoting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include <artifact_store/errc.hpp>

namespace artifacts {

// The category of every store error.
inline constexpr caf::atom_value error_category = caf::atom("artifacts");

// A caf::error with `code` in the artifacts category and `message` as its
// context. Found by ADL for errc values.
caf::error make_error(errc code, std::string message);

// The store error carried by `err`: its code when `err` is in the artifacts
// category; unavailable for a request timeout or a vanished receiver;
// internal for anything else. Never called with an empty error.
errc code_of(const caf::error& err) noexcept;

// The message carried by a store error, or CAF's rendering of another error.
std::string message_of(const caf::error& err);

// The offset a wrong_offset error says the upload expects its next chunk
// at; nullopt for any other error.
std::optional<uint64_t> expected_offset_of(const caf::error& err);

// "<code>: <message>" for logs and the command line.
std::string describe(const caf::error& err);

// Registers the category's renderer, so actor_system::render prints store
// errors as "<code>: <message>".
void add_error_category(caf::actor_system_config& cfg);

}  // namespace artifacts
