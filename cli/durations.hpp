// Durations and instants as the command line spells them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <google/protobuf/timestamp.pb.h>

namespace artifacts::cli {

// A positive whole number followed by one unit: ms, s, m, h or d ("90s",
// "10m", "2h", "7d"). nullopt for anything else, zero, or more than 100
// years.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// A CLI11 check for a duration option: empty when `text` parses, else why
// not.
std::string check_duration(const std::string& text);

// An RFC 3339 instant ("2026-12-31T23:59:59Z", "2026-12-31T23:59:59.5+01:00"),
// as protobuf's JSON mapping reads one. nullopt when it does not parse.
std::optional<google::protobuf::Timestamp> parse_instant(const std::string& text);

// A CLI11 check for an instant option.
std::string check_instant(const std::string& text);

}  // namespace artifacts::cli
