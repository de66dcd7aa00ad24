// One record per answered request, for an access log
// (store_config::request_log).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

#include <artifact_store/v1/artifacts.pb.h>

namespace artifacts {

// A request a worker answered. Every field but `op` and `code` may be
// empty; none holds payload bytes. Valid only during the call.
struct answered_request {
  std::string_view op;              // "put", "get", "get_range", "list", ... (as in metrics)
  const v1::Scope* scope = nullptr;  // the artifact's scope, or a list's, purge's or usage's
                                     // filter; null for sweeps and continued uploads
  std::string_view id;              // the artifact's id: named by the request, or made by a put
  std::string_view upload_id;       // the upload a chunk, query, commit or abort continues
  uint64_t payload_bytes = 0;       // received (put, append) or sent (get, get_range)
  std::chrono::steady_clock::duration took{};  // from the worker's taking it to its answer
  const char* code = "ok";          // "ok", or the errc's name ("identity_required", ...)
};

// Called on the answering worker's thread, once per request, after the
// answer is sent on its way: it must be quick, must not throw, and must not
// call the store. Requests refused before a worker took them (overload, a
// closed store) are not recorded.
using request_log = std::function<void(const answered_request&)>;

}  // namespace artifacts
