// How far a command that moves many bytes has got, on a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace artifacts::cli {

// One line on standard error, redrawn as bytes move ("put: 120.0 MiB of
// 512.0 MiB (23%)"), when standard error is a terminal; nothing at all
// otherwise, so that scripts and logs see only the command's result.
class progress_line {
 public:
  // `total` is unknown (nullopt) for standard input.
  progress_line(std::string op, std::optional<uint64_t> total);
  ~progress_line();
  progress_line(const progress_line&) = delete;
  progress_line& operator=(const progress_line&) = delete;

  // `done` bytes have moved. Redraws at most ten times a second.
  void update(uint64_t done);

  // Prints `note` on a line of its own, below the progress line.
  void note(const std::string& text);

  // Ends the line; nothing more is drawn.
  void finish();

 private:
  void draw(uint64_t done);

  std::string op_;
  std::optional<uint64_t> total_;
  bool shown_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
  uint64_t done_ = 0;
};

}  // namespace artifacts::cli
