// Timestamps and expiry: created_at, time to live, what a re-put does to an
// expiry, and the sweeper. Time comes from a test clock moved by hand.
#include <chrono>
#include <string>

#include <google/protobuf/util/time_util.h>

#include "scenarios/scenario_catalog.hpp"
#include "scenarios/test_clock.hpp"

namespace artifacts::scenarios {

namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;

// A store whose clock is `clock` and whose sweeper runs only when asked.
std::unique_ptr<store_fixture> store_on(const store_factory& make, const test_clock& clock,
                                        store_config tweaks = {}) {
  tweaks.storage.clock = clock.as_wall_clock();
  tweaks.sweep_interval = std::chrono::milliseconds::zero();
  return make(tweaks);
}

int64_t micros_of(const google::protobuf::Timestamp& at) {
  return TimeUtil::TimestampToMicroseconds(at);
}

v1::PutRequest with_ttl(v1::PutRequest request, std::chrono::seconds ttl) {
  request.mutable_ttl()->set_seconds(ttl.count());
  return request;
}

// Whether every reader sees the artifact of `ref`.
void check_visible(client& c, const v1::ArtifactRef& ref, bool visible) {
  CHECK(REQUIRE_VALUE(c.get(make_key(ref))).found() == visible);
  CHECK(REQUIRE_VALUE(c.get_ref(make_key(ref))).found() == visible);
  CHECK(REQUIRE_VALUE(c.exists(make_key(ref))) == visible);
  bool listed = false;
  for (const auto& seen : list_all(c, ref.scope())) {
    listed |= seen.id() == ref.id();
  }
  CHECK(listed == visible);
}

void created_at_is_the_first_put(const store_factory& make) {
  test_clock clock;
  auto store = store_on(make, clock);
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  auto first = REQUIRE_VALUE(c.put(put_request(scope, "made once")));
  CHECK(micros_of(first.created_at()) == clock.now_micros());
  CHECK_FALSE(first.has_expires_at());
  clock.advance(1h);
  auto again = REQUIRE_VALUE(c.put(put_request(scope, "made once")));
  CHECK(micros_of(again.created_at()) == test_clock::start_micros);
  auto read = REQUIRE_VALUE(c.get_ref(make_key(first)));
  REQUIRE(read.found());
  CHECK(same(read.ref(), first));
}

void an_expired_artifact_is_gone_for_every_reader(const store_factory& make) {
  test_clock clock;
  auto store = store_on(make, clock);
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  auto ref = REQUIRE_VALUE(c.put(with_ttl(put_request(scope, "short-lived"), 90s)));
  REQUIRE(ref.has_expires_at());
  CHECK(micros_of(ref.expires_at()) == clock.now_micros() + 90'000'000);
  auto keeper = REQUIRE_VALUE(c.put(put_request(scope, "kept")));

  clock.advance(89s);
  check_visible(c, ref, true);
  clock.advance(1s);  // the expiry instant itself is past it
  check_visible(c, ref, false);
  check_visible(c, keeper, true);
  // Deleting what has expired finds nothing.
  CHECK_FALSE(REQUIRE_VALUE(c.remove(make_key(ref))));
}

void a_put_after_expiry_stores_anew(const store_factory& make) {
  test_clock clock;
  auto store = store_on(make, clock);
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  auto request = with_ttl(put_request(scope, "comes back"), 60s);
  request.set_filename("first.txt");
  auto first = REQUIRE_VALUE(c.put(request));
  clock.advance(2min);
  request = put_request(scope, "comes back");
  request.set_filename("second.txt");
  auto second = REQUIRE_VALUE(c.put(request));
  CHECK(second.id() == first.id());
  CHECK(second.filename() == "second.txt");
  CHECK(micros_of(second.created_at()) == clock.now_micros());
  CHECK_FALSE(second.has_expires_at());
  check_visible(c, second, true);
  auto read = REQUIRE_VALUE(c.get_ref(make_key(second)));
  CHECK(same(read.ref(), second));
}

void a_reput_never_shortens_an_expiry(const store_factory& make) {
  test_clock clock;
  auto store = store_on(make, clock);
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  auto request = put_request(scope, "kept alive");
  request.set_filename("first.txt");
  auto first = REQUIRE_VALUE(c.put(with_ttl(request, 1h)));
  const auto first_expiry = micros_of(first.expires_at());

  // A shorter time to live leaves the expiry where it is.
  request.set_filename("second.txt");
  auto shorter = REQUIRE_VALUE(c.put(with_ttl(request, 10min)));
  CHECK(micros_of(shorter.expires_at()) == first_expiry);
  CHECK(shorter.filename() == "first.txt");

  // A later one moves it; the first writer's metadata stays.
  clock.advance(30min);
  auto later = REQUIRE_VALUE(c.put(with_ttl(request, 1h)));
  CHECK(micros_of(later.expires_at()) == clock.now_micros() + 3'600'000'000);
  CHECK(later.filename() == "first.txt");
  CHECK(micros_of(later.created_at()) == test_clock::start_micros);
  auto read = REQUIRE_VALUE(c.get_ref(make_key(first)));
  CHECK(same(read.ref(), later));

  // No expiry wins over any.
  auto forever = REQUIRE_VALUE(c.put(request));
  CHECK_FALSE(forever.has_expires_at());
  clock.advance(24h * 365);
  check_visible(c, forever, true);
  auto expiring = REQUIRE_VALUE(c.put(with_ttl(request, 1min)));
  CHECK_FALSE(expiring.has_expires_at());
}

void an_absolute_expiry_and_its_checks(const store_factory& make) {
  test_clock clock;
  auto store = store_on(make, clock);
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  auto request = put_request(scope, "until noon");
  *request.mutable_expires_at() =
      TimeUtil::MicrosecondsToTimestamp(clock.now_micros() + 12 * 3'600'000'000LL);
  auto ref = REQUIRE_VALUE(c.put(request));
  CHECK(same(ref.expires_at(), request.expires_at()));

  auto both = with_ttl(request, 60s);
  CHECK_ERROR(c.put(both), errc::invalid_argument);
  auto past = put_request(scope, "already gone");
  *past.mutable_expires_at() = TimeUtil::MicrosecondsToTimestamp(clock.now_micros());
  CHECK_ERROR(c.put(past), errc::invalid_argument);
  auto negative = put_request(scope, "negative");
  negative.mutable_ttl()->set_seconds(-5);
  CHECK_ERROR(c.put(negative), errc::invalid_argument);
  auto invalid = put_request(scope, "invalid");
  invalid.mutable_expires_at()->set_seconds(TimeUtil::kTimestampMaxSeconds + 1);
  CHECK_ERROR(c.put(invalid), errc::invalid_argument);
  auto beyond = put_request(scope, "beyond the year 9999");
  beyond.mutable_ttl()->set_seconds(TimeUtil::kDurationMaxSeconds);
  CHECK_ERROR(c.put(beyond), errc::invalid_argument);
  // None of them was stored.
  CHECK(list_all(c, scope).size() == 1);
}

void a_namespace_may_have_a_default_ttl(const store_factory& make) {
  test_clock clock;
  store_config tweaks;
  tweaks.storage.default_ttl["scratch"] = 10min;
  auto store = store_on(make, clock, tweaks);
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  auto scratch = REQUIRE_VALUE(c.put(put_request(scope, "scratch work", "scratch")));
  CHECK(micros_of(scratch.expires_at()) == clock.now_micros() + 600'000'000);
  auto own = REQUIRE_VALUE(c.put(with_ttl(put_request(scope, "own ttl", "scratch"), 1h)));
  CHECK(micros_of(own.expires_at()) == clock.now_micros() + 3'600'000'000);
  auto kept = REQUIRE_VALUE(c.put(put_request(scope, "scratch work")));
  CHECK_FALSE(kept.has_expires_at());
  clock.advance(11min);
  check_visible(c, scratch, false);
  check_visible(c, own, true);
  check_visible(c, kept, true);
}

void a_sweep_deletes_what_expired(const store_factory& make) {
  test_clock clock;
  store_config tweaks;
  tweaks.storage.delete_batch = 3;  // several batches
  auto store = store_on(make, clock, tweaks);
  auto& c = store->client();
  uint64_t expiring_bytes = 0;
  for (int i = 0; i < 7; ++i) {
    const auto scope = make_scope("acme", "user-" + std::to_string(i % 2), "session-1");
    const std::string data = "expiring " + std::to_string(i);
    expiring_bytes += data.size();
    REQUIRE_VALUE(c.put(with_ttl(put_request(scope, data), 60s)));
  }
  const auto scope = make_scope("acme", "alice", "session-1");
  auto later = REQUIRE_VALUE(c.put(with_ttl(put_request(scope, "expires later"), 1h)));
  auto never = REQUIRE_VALUE(c.put(put_request(scope, "never expires")));

  auto nothing_yet = REQUIRE_VALUE(c.sweep());
  CHECK(nothing_yet.deleted() == 0);
  clock.advance(61s);
  auto swept = REQUIRE_VALUE(c.sweep());
  CHECK(swept.deleted() == 7);
  CHECK(swept.bytes() == expiring_bytes);
  auto again = REQUIRE_VALUE(c.sweep());
  CHECK(again.deleted() == 0);
  check_visible(c, later, true);
  check_visible(c, never, true);
  CHECK(list_all(c, v1::Scope{}).size() == 2);
}

}  // namespace

std::vector<scenario> expiry_scenarios() {
  return {
      {"created_at is the first put's instant", created_at_is_the_first_put},
      {"an expired artifact is gone for every reader",
       an_expired_artifact_is_gone_for_every_reader},
      {"a put after expiry stores the artifact anew", a_put_after_expiry_stores_anew},
      {"a re-put never shortens an expiry", a_reput_never_shortens_an_expiry},
      {"an absolute expiry, and the checks of ttl and expires_at",
       an_absolute_expiry_and_its_checks},
      {"a namespace may have a default time to live", a_namespace_may_have_a_default_ttl},
      {"a sweep deletes what expired, in batches", a_sweep_deletes_what_expired},
  };
}

}  // namespace artifacts::scenarios
