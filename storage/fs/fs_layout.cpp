#include "storage/fs/fs_layout.hpp"

namespace artifacts::fs {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// '_' and '.' are kept literal: ids are "{namespace}_{hex}", and the marker
// in front of every name already keeps a literal '.' from forming "." or "..".
bool is_literal(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (is_literal(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex_digits[c >> 4]);
      out.push_back(hex_digits[c & 0x0f]);
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> encode_value(std::string_view value) {
  const std::string escaped = escape(value);
  std::vector<std::string> names;
  size_t pos = 0;
  while (escaped.size() - pos > fs_chunk_chars) {
    names.push_back(continued_marker + escaped.substr(pos, fs_chunk_chars));
    pos += fs_chunk_chars;
  }
  names.push_back(final_marker + escaped.substr(pos));
  return names;
}

std::optional<std::string> decode_escaped(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    auto c = static_cast<unsigned char>(escaped[i]);
    if (is_literal(c)) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    if (c != '%' || escaped.size() - i < 3) {
      return std::nullopt;
    }
    int hi = hex_value(escaped[i + 1]);
    int lo = hex_value(escaped[i + 2]);
    // A byte encode_value keeps literal is never escaped: one spelling only.
    if (hi < 0 || lo < 0 || is_literal(static_cast<unsigned char>((hi << 4) | lo))) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>((hi << 4) | lo));
    i += 2;
  }
  return out;
}

location locate(const v1::Scope& scope, std::string_view ns, std::string_view id) {
  location out;
  for (std::string_view value :
       {std::string_view(scope.tenant()), std::string_view(scope.user()),
        std::string_view(scope.session()), std::string_view(scope.task()), ns}) {
    for (auto& name : encode_value(value)) {
      out.folders.push_back(std::move(name));
    }
  }
  auto id_names = encode_value(id);
  out.stem = std::move(id_names.back());
  id_names.pop_back();
  for (auto& name : id_names) {
    out.folders.push_back(std::move(name));
  }
  return out;
}

}  // namespace artifacts::fs
