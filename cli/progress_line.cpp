#include "cli/progress_line.hpp"

#include <cstdio>
#include <utility>

#include <unistd.h>

namespace artifacts::cli {

namespace {

constexpr std::chrono::milliseconds redraw_interval{100};

double mebibytes(uint64_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

}  // namespace

progress_line::progress_line(std::string op, std::optional<uint64_t> total)
    : op_(std::move(op)), total_(total), shown_(::isatty(STDERR_FILENO) == 1) {}

progress_line::~progress_line() {
  finish();
}

void progress_line::update(uint64_t done) {
  done_ = done;
  const auto now = std::chrono::steady_clock::now();
  if (shown_ && (now - last_draw_ >= redraw_interval || (total_ && done == *total_))) {
    last_draw_ = now;
    draw(done);
  }
}

void progress_line::note(const std::string& text) {
  if (!shown_) {
    return;
  }
  std::fprintf(stderr, "\r\033[K%s\n", text.c_str());
  if (drawn_) {
    draw(done_);
  }
}

void progress_line::draw(uint64_t done) {
  if (total_ && *total_ > 0) {
    std::fprintf(stderr, "\r\033[K%s: %.1f MiB of %.1f MiB (%d%%)", op_.c_str(), mebibytes(done),
                 mebibytes(*total_), static_cast<int>(done * 100 / *total_));
  } else {
    std::fprintf(stderr, "\r\033[K%s: %.1f MiB", op_.c_str(), mebibytes(done));
  }
  std::fflush(stderr);
  drawn_ = true;
}

void progress_line::finish() {
  if (shown_ && drawn_) {
    std::fputc('\n', stderr);
    std::fflush(stderr);
  }
  shown_ = false;
}

}  // namespace artifacts::cli
