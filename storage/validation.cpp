#include "storage/validation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <artifact_store/errc.hpp>

namespace artifacts {

namespace {

bool is_continuation(unsigned char c) noexcept {
  return (c & 0xC0) == 0x80;
}

bool is_blank(std::string_view value) noexcept {
  return value.find_first_not_of(" \t\r\n\v\f") == std::string_view::npos;
}

[[noreturn]] void fail(errc code, std::string_view op, std::string_view what) {
  throw store_error(code, std::string(op) + ": " + std::string(what));
}

// Walks one source value at `depth` (the object or list holding it is at
// depth - 1). Recurses only while depth <= max_depth.
void check_source_value(std::string_view op, const google::protobuf::Value& value, size_t depth,
                        size_t max_depth);

void check_source_object(std::string_view op, const google::protobuf::Struct& object, size_t depth,
                         size_t max_depth) {
  if (depth > max_depth) {
    fail(errc::invalid_argument, op,
         "source nests objects and lists deeper than the limit of " + std::to_string(max_depth) +
             " levels");
  }
  for (const auto& [key, value] : object.fields()) {
    check_string(op, "source", key, std::numeric_limits<size_t>::max());
    check_source_value(op, value, depth + 1, max_depth);
  }
}

void check_source_value(std::string_view op, const google::protobuf::Value& value, size_t depth,
                        size_t max_depth) {
  using google::protobuf::Value;
  switch (value.kind_case()) {
    case Value::kNullValue:
    case Value::kBoolValue:
      return;
    case Value::kNumberValue:
      if (!std::isfinite(value.number_value())) {
        fail(errc::invalid_argument, op,
             "source holds a number JSON cannot carry (NaN or infinity)");
      }
      return;
    case Value::kStringValue:
      check_string(op, "source", value.string_value(), std::numeric_limits<size_t>::max());
      return;
    case Value::kStructValue:
      check_source_object(op, value.struct_value(), depth, max_depth);
      return;
    case Value::kListValue:
      if (depth > max_depth) {
        fail(errc::invalid_argument, op,
             "source nests objects and lists deeper than the limit of " +
                 std::to_string(max_depth) + " levels");
      }
      for (const auto& element : value.list_value().values()) {
        check_source_value(op, element, depth + 1, max_depth);
      }
      return;
    case Value::KIND_NOT_SET:
      break;
  }
  fail(errc::invalid_argument, op, "source holds a value that is none of the JSON kinds");
}

}  // namespace

bool is_valid_utf8(std::string_view text) noexcept {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) {
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if (!is_continuation(cc)) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

void check_string(std::string_view op, std::string_view field, std::string_view value,
                  size_t max_bytes) {
  if (value.size() > max_bytes) {
    fail(errc::invalid_argument, op,
         std::string(field) + " is " + std::to_string(value.size()) + " bytes, over the limit of " +
             std::to_string(max_bytes));
  }
  if (value.find('\0') != std::string_view::npos) {
    fail(errc::invalid_argument, op, std::string(field) + " contains a NUL byte");
  }
  if (!is_valid_utf8(value)) {
    fail(errc::invalid_argument, op, std::string(field) + " is not valid UTF-8");
  }
}

void check_identity(std::string_view op, const v1::Scope& scope, const limits& bounds) {
  const std::string_view required[] = {"tenant", "user", "session"};
  const std::string* values[] = {&scope.tenant(), &scope.user(), &scope.session()};
  for (size_t i = 0; i < 3; ++i) {
    if (is_blank(*values[i])) {
      fail(errc::identity_required, op, std::string(required[i]) + " is required");
    }
  }
  check_filter(op, scope, bounds);
}

void check_source(std::string_view op, const google::protobuf::Struct& source,
                  const limits& bounds) {
  check_source_object(op, source, 1, std::min(bounds.max_source_depth, max_source_depth_ceiling));
}

void check_filter(std::string_view op, const v1::Scope& filter, const limits& bounds) {
  check_string(op, "tenant", filter.tenant(), bounds.max_identity_bytes);
  check_string(op, "user", filter.user(), bounds.max_identity_bytes);
  check_string(op, "session", filter.session(), bounds.max_identity_bytes);
  check_string(op, "task", filter.task(), bounds.max_identity_bytes);
}

}  // namespace artifacts
