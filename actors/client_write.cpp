// client::write: an artifact of any size as one streamed upload.
#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <utility>

#include <artifact_store/client.hpp>
#include <artifact_store/error.hpp>

#include "storage/sha256.hpp"

namespace artifacts {

namespace {

// How long a writer waits for a commit beyond options.resume_for: a store
// writes the whole artifact once more as it commits, and the call may be
// answered only after several request timeouts.
constexpr uint64_t commit_bytes_per_second = uint64_t{4} << 20;

// The first pause between two questions to a lost store, and the longest.
constexpr std::chrono::milliseconds first_pause{50};
constexpr std::chrono::milliseconds longest_pause{1000};

// A chunk sent and not yet acknowledged, kept to be sent again should the
// store be lost before it has it.
struct unacknowledged {
  uint64_t offset = 0;
  std::string bytes;
  // Waits for the store's answer; empty once it was taken.
  std::function<caf::expected<v1::UploadStatus>()> answer;
};

// Up to `want` bytes from `source`: fewer only where it ends.
caf::expected<std::string> next_chunk(const byte_source& source, size_t want) {
  std::string chunk(want, '\0');
  size_t filled = 0;
  while (filled < want) {
    auto got = source(chunk.data() + filled, want - filled);
    if (!got) {
      return std::move(got.error());
    }
    if (*got == 0) {
      break;
    }
    filled += std::min(*got, want - filled);
  }
  chunk.resize(filled);
  return chunk;
}

// Failures after which the upload may go on where the store says it
// stands: the store was lost or cut a call short, or a chunk met the gap an
// earlier failed one left.
bool resumable(const caf::error& err) {
  const auto code = code_of(err);
  return code == errc::unavailable || code == errc::wrong_offset;
}

// Takes every answer still awaited, in order, so that none is left to a
// caller that goes on to other calls; tells `stored` the size after each
// chunk the store acknowledged.
void settle(std::deque<unacknowledged>& window, const std::function<void(uint64_t)>& stored) {
  for (auto& chunk : window) {
    if (chunk.answer) {
      auto answer = chunk.answer();
      chunk.answer = nullptr;
      if (answer && stored) {
        stored(static_cast<uint64_t>(answer->size_bytes()));
      }
    }
  }
}

// Repeats `ask` while it fails with unavailable, pausing longer each time,
// until `deadline`.
template <class Ask>
auto patiently(Ask ask, std::chrono::steady_clock::time_point deadline) -> decltype(ask()) {
  auto pause = first_pause;
  for (;;) {
    auto outcome = ask();
    const auto now = std::chrono::steady_clock::now();
    if (outcome || code_of(outcome.error()) != errc::unavailable || now >= deadline) {
      return outcome;
    }
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, longest_pause);
  }
}

caf::error misplaced(uint64_t stored, uint64_t sent) {
  return make_error(errc::internal, "write: the store holds " + std::to_string(stored) +
                                        " bytes of the upload, where no chunk of the " +
                                        std::to_string(sent) + " bytes sent ends");
}

}  // namespace

caf::expected<v1::ArtifactRef> client::write(v1::PutRequest metadata, const byte_source& source,
                                             write_options options) {
  const size_t part_bytes = std::max<size_t>(options.part_bytes, 1);
  const size_t in_flight = std::max<size_t>(options.parts_in_flight, 1);
  std::string id = options.upload_id;
  uint64_t stored = 0;
  sha256_stream hashed;
  if (id.empty()) {
    auto begun = begin_upload(std::move(metadata));
    if (!begun) {
      return std::move(begun.error());
    }
    id = begun->upload_id();
  } else {
    auto status = upload_status(id);
    if (!status) {
      return std::move(status.error());
    }
    if (status->committed()) {
      return status->ref();
    }
    // What the upload holds is read again, to be hashed, and not sent.
    stored = static_cast<uint64_t>(status->size_bytes());
    for (uint64_t skipped = 0; skipped < stored;) {
      auto chunk =
          next_chunk(source, static_cast<size_t>(std::min<uint64_t>(part_bytes, stored - skipped)));
      if (!chunk) {
        return std::move(chunk.error());
      }
      if (chunk->empty()) {
        return make_error(errc::invalid_argument,
                          "write: the source ends after " + std::to_string(skipped) +
                              " bytes, before the " + std::to_string(stored) + " bytes upload " +
                              id + " holds");
      }
      hashed.update(*chunk);
      skipped += chunk->size();
    }
  }
  if (options.begun) {
    options.begun(id);
  }

  auto send = [&](unacknowledged& chunk) {
    v1::UploadChunk message;
    message.set_upload_id(id);
    message.set_offset(static_cast<int64_t>(chunk.offset));
    message.set_data(chunk.bytes);
    chunk.answer = send_chunk(std::move(message));
  };
  std::deque<unacknowledged> window;
  uint64_t produced = stored;
  bool source_done = false;
  for (;;) {
    while (!source_done && window.size() < in_flight) {
      auto chunk = next_chunk(source, part_bytes);
      if (!chunk) {
        settle(window, options.progress);
        return std::move(chunk.error());
      }
      if (chunk->empty()) {
        source_done = true;
        break;
      }
      hashed.update(*chunk);
      window.push_back(unacknowledged{produced, std::move(*chunk), nullptr});
      produced += window.back().bytes.size();
      send(window.back());
    }
    if (window.empty()) {
      break;
    }
    auto answer = window.front().answer();
    window.front().answer = nullptr;
    if (answer) {
      stored = static_cast<uint64_t>(answer->size_bytes());
      window.pop_front();
      if (options.progress) {
        options.progress(stored);
      }
      continue;
    }
    settle(window, options.progress);
    if (!resumable(answer.error())) {
      return std::move(answer.error());
    }
    // Where does the upload stand? Resend what it lacks from there.
    const auto deadline = std::chrono::steady_clock::now() + options.resume_for;
    auto status = patiently([&] { return upload_status(id); }, deadline);
    if (!status) {
      return std::move(status.error());
    }
    if (status->committed()) {
      return make_error(errc::invalid_argument,
                        "write: upload " + id + " was committed by another writer");
    }
    stored = static_cast<uint64_t>(status->size_bytes());
    while (!window.empty() && window.front().offset + window.front().bytes.size() <= stored) {
      window.pop_front();
    }
    if (window.empty() ? stored != produced : window.front().offset != stored) {
      return misplaced(stored, produced);
    }
    for (auto& chunk : window) {
      send(chunk);
    }
  }
  if (stored != produced) {
    return misplaced(stored, produced);
  }
  const auto digest = hashed.finish();
  const auto deadline = std::chrono::steady_clock::now() + options.resume_for +
                        std::chrono::seconds{produced / commit_bytes_per_second};
  return patiently([&] { return commit_upload(id, digest); }, deadline);
}

}  // namespace artifacts
