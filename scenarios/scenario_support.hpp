// What the conformance scenarios share: reading results, paging through
// listings, and (from requests.hpp) building requests.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>
#include <catch2/catch.hpp>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/client.hpp>
#include <artifact_store/errc.hpp>
#include <artifact_store/error.hpp>

#include "scenarios/requests.hpp"
#include "scenarios/store_fixture.hpp"

namespace artifacts::scenarios {

// Follows next_page_token until the listing ends and returns every ref.
// Fails the scenario on an error or on a listing that never ends.
std::vector<v1::ArtifactRef> list_all(client& store, const v1::Scope& filter,
                                      uint32_t page_limit = 0);

// The SHA-256 of `bytes` as 64 lowercase hex characters.
std::string sha256_of(const std::string& bytes);

// True when two messages hold the same fields and values.
bool same(const google::protobuf::Message& a, const google::protobuf::Message& b);

// "ok" for a value, else the store error's code name ("store_closed", ...).
template <class T>
std::string code_name(const caf::expected<T>& result) {
  return result ? std::string("ok") : std::string(to_string(code_of(result.error())));
}

// "ok" for a value, else "<code>: <message>".
template <class T>
std::string outcome(const caf::expected<T>& result) {
  return result ? std::string("ok") : describe(result.error());
}

// What REQUIRE_VALUE expands to.
template <class T>
T require_value(caf::expected<T>&& result, const char* expr, const char* file, size_t line) {
  if (!result) {
    Catch::AssertionHandler handler("REQUIRE_VALUE", Catch::SourceLineInfo(file, line),
                                    Catch::StringRef(expr), Catch::ResultDisposition::Normal);
    const std::string message = std::string(expr) + " failed: " + describe(result.error());
    handler.handleMessage(Catch::ResultWas::ExplicitFailure, message);
    // Throws: a failed REQUIRE_VALUE ends the scenario.
    handler.complete();
  }
  return std::move(*result);
}

}  // namespace artifacts::scenarios

// The value of a caf::expected expression; fails the scenario (naming the
// expression, the error and the scenario's line) when it holds an error.
#define REQUIRE_VALUE(expr) ::artifacts::scenarios::require_value((expr), #expr, __FILE__, __LINE__)

// Checks that two messages are equal, showing both when they are not.
#define CHECK_SAME(a, b)                           \
  do {                                             \
    INFO(#a " = " << (a).ShortDebugString());      \
    INFO(#b " = " << (b).ShortDebugString());      \
    CHECK(::artifacts::scenarios::same((a), (b))); \
  } while (false)

// Checks that a caf::expected expression failed with the store error `code`.
#define CHECK_ERROR(expr, code)                                     \
  do {                                                              \
    auto result_ = (expr);                                          \
    INFO(#expr " -> " << ::artifacts::scenarios::outcome(result_)); \
    CHECK(::artifacts::scenarios::code_name(result_) ==             \
          std::string(::artifacts::to_string(code)));               \
  } while (false)
