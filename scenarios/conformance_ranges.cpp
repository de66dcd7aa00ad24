// Ranged reads: what a range answers, clamped to the artifact, and a whole
// artifact read back in parts.
#include <chrono>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "scenarios/scenario_catalog.hpp"
#include "scenarios/test_clock.hpp"
#include "storage/sha256.hpp"

namespace artifacts::scenarios {

namespace {

using namespace std::chrono_literals;

v1::BlobRange range_of(client& c, const v1::Key& key, int64_t offset,
                       std::optional<int64_t> length) {
  INFO("range from " << offset << (length ? " of " + std::to_string(*length) : " to the end"));
  return REQUIRE_VALUE(c.get_range(key, offset, length));
}

void a_range_is_clamped_to_the_artifact(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto data = patterned_bytes(3000);
  const auto ref = REQUIRE_VALUE(c.put(put_request(make_scope("t", "u", "s"), data)));
  const auto key = make_key(ref);
  const int64_t size = static_cast<int64_t>(data.size());

  struct expected_range {
    int64_t offset;
    std::optional<int64_t> length;
    std::string data;
  };
  for (const auto& want : std::vector<expected_range>{
           {0, 10, data.substr(0, 10)},
           {1234, 100, data.substr(1234, 100)},
           {0, std::nullopt, data},
           {2990, std::nullopt, data.substr(2990)},
           {2990, 100, data.substr(2990)},
           {17, 0, ""},
           {size, 5, ""},
           {size + 1000, std::nullopt, ""},
           {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max(), ""},
       }) {
    auto range = range_of(c, key, want.offset, want.length);
    CHECK(range.found());
    CHECK(range.data() == want.data);
    CHECK(range.offset() == want.offset);
    CHECK(range.size_bytes() == size);
    CHECK(range.sha256() == ref.sha256());
  }
  // An empty artifact: found, nothing in it.
  const auto empty = REQUIRE_VALUE(c.put(put_request(make_scope("t", "u", "s"), "")));
  auto nothing = range_of(c, make_key(empty), 0, std::nullopt);
  CHECK(nothing.found());
  CHECK(nothing.data().empty());
  CHECK(nothing.size_bytes() == 0);
}

void a_whole_artifact_reads_back_in_parts(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  // Larger than PostgreSQL's TOAST chunks and SQLite's pages, not a whole
  // number of parts.
  const auto data = patterned_bytes((1 << 20) + 4099);
  const auto ref = REQUIRE_VALUE(c.put(put_request(make_scope("t", "u", "s"), data)));
  std::string read;
  constexpr int64_t part = 65536;
  for (int64_t at = 0;;) {
    auto range = range_of(c, make_key(ref), at, part);
    REQUIRE(range.found());
    read += range.data();
    at += static_cast<int64_t>(range.data().size());
    if (range.data().empty() || at >= range.size_bytes()) {
      break;
    }
  }
  CHECK(read.size() == data.size());
  CHECK(read == data);
  CHECK(sha256_hex(read) == ref.sha256());
}

void an_artifact_reads_whole_with_parts_in_flight(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto data = patterned_bytes((1 << 20) + 4099);
  const auto ref = REQUIRE_VALUE(c.put(put_request(make_scope("t", "u", "s"), data)));
  for (size_t in_flight : {size_t{1}, size_t{3}}) {
    INFO(in_flight << " parts in flight");
    std::string read;
    size_t parts = 0;
    auto whole = c.read(
        make_key(ref),
        [&](std::string_view part) {
          read.append(part);
          ++parts;
          return caf::error{};
        },
        read_options{65536, in_flight});
    CHECK(REQUIRE_VALUE(std::move(whole)));
    CHECK(parts == 17);
    CHECK(read == data);
  }

  // A consumer's error stops the read.
  size_t parts = 0;
  auto stopped = c.read(
      make_key(ref),
      [&](std::string_view) {
        return ++parts == 2 ? make_error(errc::invalid_argument, "the disk is full") : caf::error{};
      },
      read_options{65536, 3});
  REQUIRE_FALSE(stopped);
  CHECK(describe(stopped.error()) == "invalid_argument: the disk is full");
  CHECK(parts == 2);

  // Nothing stored: false, nothing consumed; an empty artifact: true.
  auto absent =
      c.read(make_key(make_scope("t", "u", "s"), "default_0123456789ab"), [&](std::string_view) {
        ++parts;
        return caf::error{};
      });
  CHECK_FALSE(REQUIRE_VALUE(std::move(absent)));
  const auto empty = REQUIRE_VALUE(c.put(put_request(make_scope("t", "u", "s"), "")));
  auto nothing = c.read(make_key(empty), [&](std::string_view) {
    ++parts;
    return caf::error{};
  });
  CHECK(REQUIRE_VALUE(std::move(nothing)));
  CHECK(parts == 2);
}

void a_range_of_nothing_is_not_found(const store_factory& make) {
  test_clock clock;
  store_config config;
  config.storage.clock = clock.as_wall_clock();
  config.sweep_interval = std::chrono::milliseconds::zero();
  auto store = make(config);
  auto& c = store->client();
  const auto scope = make_scope("t", "u", "s");
  auto absent = range_of(c, make_key(scope, "default_0123456789ab"), 0, std::nullopt);
  CHECK_FALSE(absent.found());
  CHECK(absent.data().empty());

  auto expiring = put_request(scope, "expires in a minute");
  expiring.mutable_ttl()->set_seconds(60);
  const auto ref = REQUIRE_VALUE(c.put(expiring));
  CHECK(range_of(c, make_key(ref), 3, 4).data() == "ires");
  clock.advance(61s);
  CHECK_FALSE(range_of(c, make_key(ref), 3, 4).found());

  const auto deleted = REQUIRE_VALUE(c.put(put_request(scope, "deleted")));
  REQUIRE(REQUIRE_VALUE(c.remove(make_key(deleted))));
  CHECK_FALSE(range_of(c, make_key(deleted), 0, std::nullopt).found());
}

void a_range_needs_a_valid_key_and_no_negative_numbers(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto ref = REQUIRE_VALUE(c.put(put_request(make_scope("t", "u", "s"), "some bytes")));
  const auto key = make_key(ref);

  auto negative_offset = c.get_range(key, -1, 4);
  REQUIRE_FALSE(negative_offset);
  CHECK(code_of(negative_offset.error()) == errc::invalid_argument);
  CHECK_THAT(describe(negative_offset.error()), Catch::Contains("get_range: offset is -1"));
  auto negative_length = c.get_range(key, 0, -4);
  REQUIRE_FALSE(negative_length);
  CHECK(code_of(negative_length.error()) == errc::invalid_argument);
  CHECK_THAT(describe(negative_length.error()), Catch::Contains("get_range: length is -4"));

  auto no_tenant = key;
  no_tenant.mutable_scope()->set_tenant("");
  auto refused = c.get_range(no_tenant, 0, std::nullopt);
  REQUIRE_FALSE(refused);
  CHECK(code_of(refused.error()) == errc::identity_required);
  // The refusals changed nothing.
  CHECK(range_of(c, key, 5, std::nullopt).data() == "bytes");
}

}  // namespace

std::vector<scenario> range_scenarios() {
  return {
      {"a range is clamped to the artifact", a_range_is_clamped_to_the_artifact},
      {"a whole artifact reads back in parts", a_whole_artifact_reads_back_in_parts},
      {"an artifact reads whole with parts in flight",
       an_artifact_reads_whole_with_parts_in_flight},
      {"a range of an absent, expired or deleted artifact is not found",
       a_range_of_nothing_is_not_found},
      {"a range needs a valid key and no negative numbers",
       a_range_needs_a_valid_key_and_no_negative_numbers},
  };
}

}  // namespace artifacts::scenarios
