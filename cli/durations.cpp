#include "cli/durations.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <utility>

#include <google/protobuf/util/time_util.h>

namespace artifacts::cli {

namespace {

using namespace std::chrono_literals;

constexpr std::array<std::pair<std::string_view, std::chrono::milliseconds>, 5> units = {{
    {"ms", 1ms},
    {"s", 1s},
    {"m", 1min},
    {"h", 1h},
    {"d", 24h},
}};

constexpr std::chrono::milliseconds longest = std::chrono::hours{24} * 366 * 100;

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  // At most 12 digits: no overflow below, and far beyond the longest.
  if (digits == 0 || digits > 12) {
    return std::nullopt;
  }
  int64_t count = 0;
  for (size_t i = 0; i < digits; ++i) {
    count = count * 10 + (text[i] - '0');
  }
  const auto unit = text.substr(digits);
  for (const auto& [name, length] : units) {
    if (unit == name) {
      if (count == 0 || count > longest / length) {
        return std::nullopt;
      }
      return length * count;
    }
  }
  return std::nullopt;
}

std::string check_duration(const std::string& text) {
  if (parse_duration(text)) {
    return {};
  }
  return "expects a positive duration with a unit, such as 90s, 10m, 2h or 7d";
}

std::optional<google::protobuf::Timestamp> parse_instant(const std::string& text) {
  google::protobuf::Timestamp at;
  if (!google::protobuf::util::TimeUtil::FromString(text, &at)) {
    return std::nullopt;
  }
  return at;
}

std::string check_instant(const std::string& text) {
  if (parse_instant(text)) {
    return {};
  }
  return "expects an RFC 3339 instant, such as 2026-12-31T23:59:59Z";
}

}  // namespace artifacts::cli
