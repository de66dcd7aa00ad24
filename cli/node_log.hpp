// The node's log: levelled lines on stderr through spdlog, as text or as
// one JSON object per line. Callers pass no payloads, DSNs or passphrases.
#pragma once

#include <string>

namespace artifacts::cli {

// A CLI11 check: empty when `text` is error, warn, info or debug.
std::string check_log_level(const std::string& text);

// A CLI11 check: empty when `text` is text or json.
std::string check_log_format(const std::string& text);

// Sets up the process's default logger: lines at `level` and above on
// stderr, each with its UTC time and level, as
//   2026-12-07T03:10:00.123Z info  started: …              (text)
//   {"time":"2026-12-07T03:10:00.123Z","level":"info","message":"started: …"}  (json)
// Both arguments must have passed their checks.
void configure_log(const std::string& level, const std::string& format);

}  // namespace artifacts::cli
