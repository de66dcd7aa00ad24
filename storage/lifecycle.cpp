#include "storage/lifecycle.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include <google/protobuf/util/time_util.h>

#include <artifact_store/errc.hpp>

namespace artifacts {

micros now_micros(const storage_options& options) {
  return now_micros(options.clock);
}

micros now_micros(const wall_clock& clock) {
  const auto now = clock ? clock() : std::chrono::system_clock::now();
  return std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
}

micros micros_of(const google::protobuf::Timestamp& at) noexcept {
  return at.seconds() * 1'000'000 + at.nanos() / 1'000;
}

google::protobuf::Timestamp timestamp_of(micros at) noexcept {
  google::protobuf::Timestamp out;
  // Floor division: an instant before the epoch has negative seconds and
  // non-negative nanos, as the Timestamp's contract requires.
  auto seconds = at / 1'000'000;
  auto rest = at % 1'000'000;
  if (rest < 0) {
    seconds -= 1;
    rest += 1'000'000;
  }
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(rest * 1'000));
  return out;
}

std::optional<micros> expiry_of(const v1::ArtifactRef& ref) noexcept {
  if (!ref.has_expires_at()) {
    return std::nullopt;
  }
  return micros_of(ref.expires_at());
}

bool expired(const v1::ArtifactRef& ref, micros now) noexcept {
  auto at = expiry_of(ref);
  return at && *at <= now;
}

std::optional<micros> merged_expiry(std::optional<micros> stored,
                                    std::optional<micros> incoming) noexcept {
  if (!stored || !incoming) {
    return std::nullopt;
  }
  return std::max(*stored, *incoming);
}

reput_action reput_of(const v1::ArtifactRef& stored, const v1::ArtifactRef& incoming) noexcept {
  if (expired(stored, micros_of(incoming.created_at()))) {
    return reput_action::replace;
  }
  auto before = expiry_of(stored);
  return merged_expiry(before, expiry_of(incoming)) == before ? reput_action::keep
                                                              : reput_action::extend;
}

namespace {

using google::protobuf::util::TimeUtil;

// The latest instant a Timestamp can name: 9999-12-31T23:59:59.999999Z.
constexpr micros latest_instant = TimeUtil::kTimestampMaxSeconds * 1'000'000 + 999'999;

bool valid_timestamp(const google::protobuf::Timestamp& at) noexcept {
  return at.seconds() >= TimeUtil::kTimestampMinSeconds &&
         at.seconds() <= TimeUtil::kTimestampMaxSeconds && at.nanos() >= 0 &&
         at.nanos() <= 999'999'999;
}

store_error bad_expiry(std::string_view op, const std::string& why) {
  return store_error(errc::invalid_argument, std::string(op) + ": " + why);
}

// now + ttl, or invalid_argument when it is past the latest instant.
micros after(std::string_view op, micros now, micros ttl) {
  if (ttl > latest_instant - now) {
    throw bad_expiry(op, "the time to live reaches past the year 9999");
  }
  return now + ttl;
}

}  // namespace

std::optional<micros> requested_expiry(std::string_view op, const v1::PutRequest& request,
                                       std::string_view ns, const storage_options& options,
                                       micros now) {
  if (request.has_ttl() && request.has_expires_at()) {
    throw bad_expiry(op, "ttl and expires_at are exclusive; set at most one");
  }
  if (request.has_ttl()) {
    const auto& ttl = request.ttl();
    if (ttl.seconds() < 0 || ttl.seconds() > TimeUtil::kDurationMaxSeconds || ttl.nanos() < 0 ||
        ttl.nanos() > 999'999'999 || (ttl.seconds() == 0 && ttl.nanos() < 1'000)) {
      throw bad_expiry(op, "ttl must be a valid duration of at least one microsecond");
    }
    return after(op, now, ttl.seconds() * 1'000'000 + ttl.nanos() / 1'000);
  }
  if (request.has_expires_at()) {
    if (!valid_timestamp(request.expires_at())) {
      throw bad_expiry(op, "expires_at must be a valid timestamp between the years 1 and 9999");
    }
    const auto at = micros_of(request.expires_at());
    if (at <= now) {
      throw bad_expiry(
          op, "expires_at " + TimeUtil::ToString(request.expires_at()) + " is not in the future");
    }
    return at;
  }
  auto configured = options.default_ttl.find(ns);
  if (configured == options.default_ttl.end()) {
    return std::nullopt;
  }
  return after(op, now,
               std::chrono::duration_cast<std::chrono::microseconds>(configured->second).count());
}

void set_expiry(v1::ArtifactRef& ref, std::optional<micros> at) {
  if (at) {
    *ref.mutable_expires_at() = timestamp_of(*at);
  } else {
    ref.clear_expires_at();
  }
}

}  // namespace artifacts
