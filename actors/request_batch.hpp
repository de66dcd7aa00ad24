// Requests a worker has taken from its mailbox to serve together.
#pragma once

#include <chrono>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/expected.hpp>
#include <caf/typed_response_promise.hpp>

#include <artifact_store/error.hpp>

#include "actors/in_flight.hpp"

namespace artifacts {

// One request waiting in a batch: what was asked, the promise of its answer
// and its place in the worker's load.
template <class Request, class Reply>
struct waiting_request {
  using reply_type = Reply;

  Request request;
  caf::typed_response_promise<Reply> promise;
  finished_request finished;
  // When the worker took the request, for its duration.
  std::chrono::steady_clock::time_point arrived = std::chrono::steady_clock::now();

  // Takes the request off the worker's load and answers its caller with
  // `outcome`, a reply or an error.
  void answer(caf::expected<Reply> outcome) {
    finished.release();
    if (outcome) {
      promise.deliver(std::move(*outcome));
    } else {
      promise.deliver(std::move(outcome.error()));
    }
  }
};

// Requests of one kind that reached a worker together, bounded in number and
// in payload bytes. The worker serves a batch as a whole when it is full,
// when its mailbox holds nothing more, or before a request of another kind,
// so that requests are still served in the order they were sent.
template <class Request, class Reply>
class request_batch {
 public:
  using item = waiting_request<Request, Reply>;

  // `op` names the operation in the error a stopping worker answers with.
  request_batch(size_t max_requests, size_t max_payload_bytes, std::string_view op)
      : max_requests_(max_requests), max_payload_bytes_(max_payload_bytes), op_(op) {}
  request_batch(const request_batch&) = delete;
  request_batch& operator=(const request_batch&) = delete;

  // A worker that stops with requests still waiting answers them, rather
  // than leave their callers to wait out their timeouts.
  ~request_batch() {
    for (auto& waiting : items_) {
      waiting.answer(make_error(
          errc::unavailable, std::string(op_) + ": the worker stopped before serving the request; "
                                                "retrying is safe"));
    }
  }

  bool empty() const noexcept { return items_.empty(); }

  // Adds a request carrying `payload_bytes` of payload. Returns true when
  // the batch is now full and must be served at once.
  bool add(item waiting, size_t payload_bytes) {
    items_.push_back(std::move(waiting));
    payload_bytes_ += payload_bytes;
    return items_.size() >= max_requests_ || payload_bytes_ >= max_payload_bytes_;
  }

  // Empties the batch and hands its requests to the caller, who must answer
  // every one.
  std::vector<item> take() {
    payload_bytes_ = 0;
    std::vector<item> out;
    out.swap(items_);
    return out;
  }

 private:
  size_t max_requests_;
  size_t max_payload_bytes_;
  std::string_view op_;
  std::vector<item> items_;
  size_t payload_bytes_ = 0;
};

}  // namespace artifacts
