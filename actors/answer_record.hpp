// What a worker reports of each request it answers: the metrics
// (store_metrics) and the request log (store_config::on_answered).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <artifact_store/errc.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/request_log.hpp>
#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/verified_put.hpp>

#include "actors/store_metrics.hpp"
#include "storage/operation_names.hpp"

namespace artifacts {

// Where a worker reports its answers; either may be empty.
struct worker_observers {
  std::shared_ptr<store_metrics> metrics;
  request_log on_answered;
};

// What a request is about: its scope or filter, the artifact or upload it
// names. Refers into the request, which must outlive it.
struct request_subject {
  const v1::Scope* scope = nullptr;
  std::string_view id;
  std::string_view upload_id;
};

inline request_subject subject_of(const v1::Key& key) { return {&key.scope(), key.id(), {}}; }
inline request_subject subject_of(const v1::PutRequest& put) { return {&put.scope(), {}, {}}; }
inline request_subject subject_of(const verified_put& put) { return subject_of(put.request()); }
inline request_subject subject_of(const v1::RangeRequest& range) { return subject_of(range.key()); }
inline request_subject subject_of(const v1::ListRequest& list) { return {&list.filter(), {}, {}}; }
inline request_subject subject_of(const v1::PurgeRequest& purge) {
  return {&purge.filter(), {}, {}};
}
inline request_subject subject_of(const v1::UsageRequest& usage) {
  return {&usage.filter(), {}, {}};
}
inline request_subject subject_of(const v1::UploadBegin& begin) {
  return subject_of(begin.metadata());
}
template <class Continuation>  // UploadChunk, UploadQuery, UploadCommit, UploadAbort
request_subject subject_of(const Continuation& request) {
  return {nullptr, {}, request.upload_id()};
}

// The payload an answer carries, for the bytes sent.
inline uint64_t payload_of(const v1::Blob& blob) { return blob.data().size(); }
inline uint64_t payload_of(const v1::BlobRange& range) { return range.data().size(); }
template <class Other>
uint64_t payload_of(const Other&) {
  return 0;
}

// What an answer adds to its request's subject: the id a put or commit
// made, the upload a begin opened.
inline void complete(request_subject& subject, const v1::ArtifactRef& ref) {
  subject.id = ref.id();
}
inline void complete(request_subject& subject, const v1::UploadStatus& status) {
  subject.upload_id = status.upload_id();
}
template <class Other>
void complete(request_subject&, const Other&) {}

// What a sweep or purge batch removed, for the metrics.
inline void count_removed(store_metrics& metrics, std::string_view op, const v1::Removed& removed) {
  metrics.removed(op == op_names::purge ? "purged" : "expired", removed.deleted(),
                  removed.bytes(), removed.uploads());
}
template <class Other>
void count_removed(store_metrics&, std::string_view, const Other&) {}

// Reports a request of `op` about `subject`, taken at `started`, that
// carried `request_bytes` of payload and was answered with `outcome`.
template <class Reply>
void record_answer(const worker_observers& observers, std::string_view op,
                   request_subject subject, const caf::expected<Reply>& outcome,
                   std::chrono::steady_clock::time_point started, uint64_t request_bytes = 0) {
  if (!observers.metrics && !observers.on_answered) {
    return;
  }
  const auto took = std::chrono::steady_clock::now() - started;
  uint64_t bytes = request_bytes;
  if (outcome) {
    bytes += payload_of(*outcome);
    complete(subject, *outcome);
  }
  if (observers.metrics) {
    if (outcome) {
      count_removed(*observers.metrics, op, *outcome);
    }
    observers.metrics->answered(op, outcome ? caf::error{} : outcome.error(), took, bytes);
  }
  if (observers.on_answered) {
    answered_request record;
    record.op = op;
    record.scope = subject.scope;
    record.id = subject.id;
    record.upload_id = subject.upload_id;
    record.payload_bytes = bytes;
    record.took = took;
    record.code = outcome ? "ok" : to_string(code_of(outcome.error()));
    try {
      observers.on_answered(record);
    } catch (...) {
      // The log's own failure is not the request's: the answer stands.
    }
  }
}

}  // namespace artifacts
