#include "cli/access_log.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <string_view>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace artifacts::cli {

namespace {

// `text` as a JSON string, quotes included.
void append_quoted(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\u00";
      out += hex[byte >> 4];
      out += hex[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

// The record's fields as `name=value` (text) or `"name":value` (json),
// separated by spaces or commas.
std::string fields_of(const answered_request& record, bool json) {
  std::string out;
  auto field = [&](const char* name, auto&& append_value) {
    if (!out.empty()) {
      out += json ? "," : " ";
    }
    if (json) {
      out += '"';
      out += name;
      out += "\":";
    } else {
      out += name;
      out += '=';
    }
    append_value();
  };
  auto text = [&](const char* name, std::string_view value) {
    field(name, [&] { append_quoted(out, value); });
  };
  const v1::Scope empty;
  const v1::Scope& scope = record.scope != nullptr ? *record.scope : empty;
  text("op", record.op);
  text("tenant", scope.tenant());
  text("user", scope.user());
  text("session", scope.session());
  text("task", scope.task());
  text("id", record.id);
  text("upload", record.upload_id);
  field("bytes", [&] { out += std::to_string(record.payload_bytes); });
  field("ms", [&] {
    char milliseconds[32];
    std::snprintf(milliseconds, sizeof milliseconds, "%.3f",
                  std::chrono::duration<double, std::milli>(record.took).count());
    out += milliseconds;
  });
  text("code", record.code);
  return out;
}

}  // namespace

request_log make_access_log(const std::string& format) {
  const bool json = format == "json";
  // A sink of its own: a logger sets its format on its sinks. Both write
  // whole lines to stderr, each with one fwrite, which stdio does not
  // interleave.
  auto logger =
      std::make_shared<spdlog::logger>("access", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      json ? R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","type":"access",%v})"
           : "%Y-%m-%dT%H:%M:%S.%eZ access %v",
      spdlog::pattern_time_type::utc));
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return [logger, json](const answered_request& record) {
    logger->info(fields_of(record, json));
  };
}

}  // namespace artifacts::cli
