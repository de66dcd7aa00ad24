#include "actors/in_flight.hpp"

#include <string>

#include <artifact_store/error.hpp>

#include "actors/store_metrics.hpp"

namespace artifacts {

void load_counts::add(int64_t count, int64_t bytes) noexcept {
  requests.fetch_add(count, std::memory_order_relaxed);
  payload_bytes.fetch_add(bytes, std::memory_order_relaxed);
  if (metrics) {
    metrics->in_flight(count, bytes);
  }
}

namespace {

// Whether the store may hold `requests` requests and `bytes` payload bytes,
// counting the one being admitted.
bool within(const in_flight_limits& limits, int64_t requests, int64_t bytes) noexcept {
  if (requests > static_cast<int64_t>(limits.max_requests)) {
    return false;
  }
  // Alone in the store: admitted whatever its size.
  if (requests <= 1) {
    return true;
  }
  return bytes <= static_cast<int64_t>(limits.max_payload_bytes);
}

}  // namespace

admission worker_load::try_admit(const in_flight_limits& limits, size_t payload_bytes) noexcept {
  const auto bytes = static_cast<int64_t>(payload_bytes);
  std::lock_guard<std::mutex> guard{lock_};
  if (gone_) {
    return admission::worker_gone;
  }
  const auto requests_after = store_->requests.fetch_add(1, std::memory_order_relaxed) + 1;
  const auto bytes_after =
      store_->payload_bytes.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (store_->metrics) {
    store_->metrics->in_flight(1, bytes);
  }
  if (!within(limits, requests_after, bytes_after)) {
    store_->add(-1, -bytes);
    return admission::overloaded;
  }
  own_.add(1, bytes);
  return admission::admitted;
}

void worker_load::finish(size_t payload_bytes) noexcept {
  const auto bytes = static_cast<int64_t>(payload_bytes);
  std::lock_guard<std::mutex> guard{lock_};
  own_.add(-1, -bytes);
  // A dead worker's total was taken off at once by forget.
  if (!gone_) {
    store_->add(-1, -bytes);
  }
}

void worker_load::forget() noexcept {
  std::lock_guard<std::mutex> guard{lock_};
  if (gone_) {
    return;
  }
  gone_ = true;
  store_->add(-own_.requests.load(std::memory_order_relaxed),
              -own_.payload_bytes.load(std::memory_order_relaxed));
}

caf::error overloaded_error(std::string_view op, const in_flight_limits& limits) {
  std::string message(op);
  message += ": the store is overloaded (";
  message += std::to_string(limits.max_requests);
  message += " requests or ";
  message += std::to_string(limits.max_payload_bytes);
  message += " payload bytes in flight); retry later";
  return make_error(errc::unavailable, std::move(message));
}

}  // namespace artifacts
