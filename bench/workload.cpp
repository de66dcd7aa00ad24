#include "bench/workload.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <random>

namespace artifacts::bench {

std::optional<workload_kind> parse_workload(std::string_view name) {
  if (name == "put") return workload_kind::put;
  if (name == "put-dup") return workload_kind::put_dup;
  if (name == "get") return workload_kind::get;
  if (name == "mixed") return workload_kind::mixed;
  return std::nullopt;
}

std::string_view workload_name(workload_kind kind) {
  switch (kind) {
    case workload_kind::put:
      return "put";
    case workload_kind::put_dup:
      return "put-dup";
    case workload_kind::get:
      return "get";
    case workload_kind::mixed:
      return "mixed";
  }
  return "?";
}

std::optional<size_t> parse_byte_size(std::string_view text) {
  uint64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc{} || end == text.data()) {
    return std::nullopt;
  }
  std::string unit;
  for (const char* p = end; p != text.data() + text.size(); ++p) {
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
  }
  int shift = 0;
  if (unit.empty() || unit == "b") {
    shift = 0;
  } else if (unit == "k" || unit == "kb" || unit == "kib") {
    shift = 10;
  } else if (unit == "m" || unit == "mb" || unit == "mib") {
    shift = 20;
  } else if (unit == "g" || unit == "gb" || unit == "gib") {
    shift = 30;
  } else {
    return std::nullopt;
  }
  if (number == 0 || number > (uint64_t{1} << (40 - shift))) {
    return std::nullopt;
  }
  return static_cast<size_t>(number << shift);
}

payload_source::payload_source(size_t payload_bytes, std::string run_tag)
    : base_(payload_bytes, '\0'), run_tag_(std::move(run_tag)) {
  std::mt19937_64 random{std::random_device{}()};
  for (size_t i = 0; i < base_.size(); i += sizeof(uint64_t)) {
    const uint64_t word = random();
    std::copy_n(reinterpret_cast<const char*>(&word), std::min(sizeof word, base_.size() - i),
                base_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

std::string payload_source::unique(size_t caller, uint64_t sequence) const {
  std::string bytes = base_;
  const std::string stamp =
      run_tag_ + "/" + std::to_string(caller) + "/" + std::to_string(sequence) + "/";
  // A payload shorter than its stamp is still unique: it is the stamp.
  if (bytes.size() < stamp.size()) {
    return stamp;
  }
  std::copy(stamp.begin(), stamp.end(), bytes.begin());
  return bytes;
}

std::string new_run_tag() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  return "run-" + std::to_string(micros) + "-" + std::to_string(std::random_device{}() % 100000);
}

}  // namespace artifacts::bench
