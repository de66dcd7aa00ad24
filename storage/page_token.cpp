#include "storage/page_token.hpp"

#include <string>

#include <artifact_store/errc.hpp>

namespace artifacts {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string encode_page_token(const v1::ArtifactRef& last) {
  v1::ListCursor cursor;
  *cursor.mutable_scope() = last.scope();
  cursor.set_namespace_(last.namespace_());
  cursor.set_id(last.id());
  std::string encoded = cursor.SerializeAsString();
  std::string token;
  token.reserve(encoded.size() * 2);
  for (unsigned char c : encoded) {
    token.push_back(hex_digits[c >> 4]);
    token.push_back(hex_digits[c & 0x0f]);
  }
  return token;
}

v1::ListCursor decode_page_token(std::string_view op, std::string_view token) {
  auto bad = [&]() {
    return store_error(errc::invalid_argument, std::string(op) + ": malformed page token");
  };
  if (token.size() % 2 != 0) {
    throw bad();
  }
  std::string encoded;
  encoded.reserve(token.size() / 2);
  for (size_t i = 0; i < token.size(); i += 2) {
    int hi = hex_value(token[i]);
    int lo = hex_value(token[i + 1]);
    if (hi < 0 || lo < 0) {
      throw bad();
    }
    encoded.push_back(static_cast<char>((hi << 4) | lo));
  }
  v1::ListCursor cursor;
  if (!cursor.ParseFromString(encoded)) {
    throw bad();
  }
  // Parsing already refused invalid UTF-8. A NUL byte parses but is in no
  // stored value, so no token of this store holds one; PostgreSQL would cut
  // such a parameter short and continue the listing somewhere else.
  const auto& scope = cursor.scope();
  for (const std::string* field : {&scope.tenant(), &scope.user(), &scope.session(), &scope.task(),
                                   &cursor.namespace_(), &cursor.id()}) {
    if (field->find('\0') != std::string::npos) {
      throw bad();
    }
  }
  return cursor;
}

}  // namespace artifacts
