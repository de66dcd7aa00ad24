// The errors the actor layer makes and recognises, each written once.
#pragma once

#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/sec.hpp>

namespace artifacts {

// "<op>: <message>": how every store error names the operation it ends.
std::string with_op(std::string_view op, std::string_view message);

// store_closed, "<op>: the store is closed": the answer to every call made
// after close began, whichever part of the store gives it.
caf::error closed_error(std::string_view op);

// invalid_argument: a put whose sha256 is not the digest of its data
// (storage's digest_mismatch, as a reply).
caf::error digest_mismatch_error();

// True when `err` is CAF's own error `code` (category "system"), such as a
// request timeout or a receiver that went down. False for an empty error.
bool is_system_error(const caf::error& err, caf::sec code) noexcept;

}  // namespace artifacts
