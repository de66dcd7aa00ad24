// Streamed uploads: begin, chunks at explicit offsets, resuming, commit,
// and what becomes of an upload nobody finishes.
#include <algorithm>
#include <chrono>
#include <future>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "scenarios/scenario_catalog.hpp"
#include "scenarios/test_clock.hpp"

namespace artifacts::scenarios {

namespace {

using namespace std::chrono_literals;

// A put request without data: what an upload begins with.
v1::PutRequest upload_metadata(const v1::Scope& scope, std::string filename = "data.bin") {
  v1::PutRequest metadata;
  *metadata.mutable_scope() = scope;
  metadata.set_namespace_("uploads");
  metadata.set_mime_type("application/x-test");
  metadata.set_filename(std::move(filename));
  (*metadata.mutable_source()->mutable_fields())["tool"].set_string_value("recorder");
  return metadata;
}

// A source that hands out `bytes` in pieces of at most `piece`, and fails
// with `failure` once `fail_after` bytes are out (never when it is npos).
byte_source source_of(const std::string& bytes, size_t piece = 1000,
                      size_t fail_after = std::string::npos) {
  auto at = std::make_shared<size_t>(0);
  return [&bytes, piece, fail_after, at](char* buffer, size_t capacity) -> caf::expected<size_t> {
    if (*at >= fail_after) {
      return make_error(errc::internal, "the source broke");
    }
    const size_t n = std::min({capacity, piece, bytes.size() - *at});
    bytes.copy(buffer, n, *at);
    *at += n;
    return n;
  };
}

v1::UploadStatus begun(client& c, const v1::PutRequest& metadata) {
  auto status = REQUIRE_VALUE(c.begin_upload(metadata));
  REQUIRE(status.upload_id().size() == 32);
  CHECK(status.size_bytes() == 0);
  CHECK_FALSE(status.committed());
  CHECK(status.has_expires_at());
  return status;
}

void an_upload_commits_to_an_ordinary_artifact(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("t", "u", "s");
  const auto data = patterned_bytes(300000);
  const auto id = begun(c, upload_metadata(scope)).upload_id();

  for (size_t at = 0; at < data.size(); at += 70000) {
    auto status = REQUIRE_VALUE(c.append(id, static_cast<int64_t>(at), data.substr(at, 70000)));
    CHECK(status.size_bytes() == static_cast<int64_t>(std::min(data.size(), at + 70000)));
  }
  CHECK(REQUIRE_VALUE(c.upload_status(id)).size_bytes() == 300000);

  // Nothing is visible before the commit.
  CHECK(list_all(c, make_scope("t", "", "")).empty());
  CHECK(REQUIRE_VALUE(c.usage(make_scope("t", "", ""))).count() == 0);
  const auto expected_id = "uploads_" + sha256_of(data).substr(0, 12);
  CHECK_FALSE(REQUIRE_VALUE(c.get_ref(make_key(scope, expected_id))).found());

  const auto ref = REQUIRE_VALUE(c.commit_upload(id, sha256_of(data)));
  CHECK(ref.id() == expected_id);
  CHECK(ref.sha256() == sha256_of(data));
  CHECK(ref.size_bytes() == 300000);
  CHECK(ref.filename() == "data.bin");
  CHECK(ref.mime_type() == "application/x-test");
  CHECK(ref.source().fields().at("tool").string_value() == "recorder");
  CHECK_SAME(ref.scope(), scope);
  CHECK(ref.has_created_at());
  CHECK_FALSE(ref.has_expires_at());

  // An ordinary artifact: every read finds it.
  CHECK(REQUIRE_VALUE(c.get(make_key(ref))).data() == data);
  CHECK_SAME(REQUIRE_VALUE(c.get_ref(make_key(ref))).ref(), ref);
  CHECK(REQUIRE_VALUE(c.get_range(make_key(ref), 299990, 100)).data() == data.substr(299990));
  CHECK(list_all(c, make_scope("t", "", "")).size() == 1);
  CHECK(REQUIRE_VALUE(c.usage(make_scope("t", "", ""))).bytes() == 300000);

  // The upload remembers what it became: a commit again answers the same.
  auto status = REQUIRE_VALUE(c.upload_status(id));
  CHECK(status.committed());
  CHECK_SAME(status.ref(), ref);
  CHECK_SAME(REQUIRE_VALUE(c.commit_upload(id)), ref);
  CHECK_ERROR(c.append(id, 300000, "more"), errc::invalid_argument);

  // An upload of nothing is an empty artifact.
  const auto empty = begun(c, upload_metadata(scope, "empty")).upload_id();
  const auto nothing = REQUIRE_VALUE(c.commit_upload(empty));
  CHECK(nothing.size_bytes() == 0);
  CHECK(nothing.sha256() == sha256_of(""));
  CHECK(REQUIRE_VALUE(c.get(make_key(nothing))).found());
}

void a_chunk_at_the_wrong_offset_names_the_offset_expected(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto id = begun(c, upload_metadata(make_scope("t", "u", "s"))).upload_id();
  REQUIRE_VALUE(c.append(id, 0, "abc"));

  for (int64_t offset : {0, 2, 4, 1000}) {
    INFO("a chunk at " << offset);
    auto misplaced = c.append(id, offset, "defg");
    REQUIRE_FALSE(misplaced);
    CHECK(code_of(misplaced.error()) == errc::wrong_offset);
    CHECK(expected_offset_of(misplaced.error()) == std::optional<uint64_t>{3});
    CHECK_THAT(describe(misplaced.error()),
               Catch::Contains("at offset " + std::to_string(offset) + "; expected offset 3"));
  }
  CHECK_ERROR(c.append(id, -1, "x"), errc::invalid_argument);
  CHECK_FALSE(expected_offset_of(make_error(errc::invalid_argument, "expected offset 3")));

  // An empty chunk at the end appends nothing and answers where it stands;
  // elsewhere it is misplaced too.
  CHECK(REQUIRE_VALUE(c.append(id, 3, "")).size_bytes() == 3);
  CHECK_ERROR(c.append(id, 1, ""), errc::wrong_offset);

  // The refusals changed nothing.
  REQUIRE_VALUE(c.append(id, 3, "defg"));
  const auto ref = REQUIRE_VALUE(c.commit_upload(id));
  CHECK(REQUIRE_VALUE(c.get(make_key(ref))).data() == "abcdefg");
}

void of_chunks_sent_at_one_offset_at_once_one_is_appended(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto id = begun(c, upload_metadata(make_scope("t", "u", "s"))).upload_id();
  constexpr int writers = 8;
  std::vector<std::future<caf::expected<v1::UploadStatus>>> sent;
  for (int w = 0; w < writers; ++w) {
    sent.push_back(std::async(std::launch::async, [&c, &id, w] {
      return c.append(id, 0, patterned_bytes(5000, static_cast<uint32_t>(w + 1)));
    }));
  }
  int appended = 0;
  int misplaced = 0;
  for (auto& answer : sent) {
    auto status = answer.get();
    if (status) {
      ++appended;
      CHECK(status->size_bytes() == 5000);
    } else {
      CHECK(code_of(status.error()) == errc::wrong_offset);
      ++misplaced;
    }
  }
  CHECK(appended == 1);
  CHECK(misplaced == writers - 1);
  CHECK(REQUIRE_VALUE(c.upload_status(id)).size_bytes() == 5000);
}

void a_write_streams_and_resumes_where_the_upload_stands(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("t", "u", "s");
  const auto data = patterned_bytes(200000);

  // The first writer's source breaks partway: the upload stays open with
  // the chunks the store acknowledged.
  std::string id;
  write_options first;
  first.part_bytes = 16384;
  first.parts_in_flight = 3;
  first.begun = [&](const std::string& begun_id) { id = begun_id; };
  std::vector<uint64_t> progress;
  first.progress = [&](uint64_t stored) { progress.push_back(stored); };
  auto broken = c.write(upload_metadata(scope), source_of(data, 4096, 90000), first);
  REQUIRE_FALSE(broken);
  CHECK(describe(broken.error()) == "internal: the source broke");
  REQUIRE(id.size() == 32);
  const auto held = REQUIRE_VALUE(c.upload_status(id)).size_bytes();
  CHECK(held > 0);
  CHECK(held % 16384 == 0);
  CHECK(held <= 90000);
  REQUIRE_FALSE(progress.empty());
  CHECK(static_cast<int64_t>(progress.back()) == held);

  // A second writer continues it from the start of the same bytes.
  write_options resumed;
  resumed.part_bytes = 16384;
  resumed.upload_id = id;
  uint64_t last = 0;
  resumed.progress = [&](uint64_t stored) { last = stored; };
  const auto ref = REQUIRE_VALUE(c.write(v1::PutRequest{}, source_of(data, 5000), resumed));
  CHECK(last == data.size());
  CHECK(ref.sha256() == sha256_of(data));
  CHECK(ref.filename() == "data.bin");
  CHECK(REQUIRE_VALUE(c.get(make_key(ref))).data() == data);

  // Continuing a committed upload answers its artifact; a source shorter
  // than what an upload holds is refused.
  CHECK_SAME(REQUIRE_VALUE(c.write(v1::PutRequest{}, source_of(data), resumed)), ref);
  std::string other_id;
  write_options again;
  again.part_bytes = 16384;
  again.begun = [&](const std::string& begun_id) { other_id = begun_id; };
  REQUIRE_FALSE(c.write(upload_metadata(scope), source_of(data, 4096, 40000), again));
  again.upload_id = other_id;
  const std::string shorter = data.substr(0, 10);
  CHECK_ERROR(c.write(v1::PutRequest{}, source_of(shorter), again), errc::invalid_argument);

  // One chunk in flight, and chunks that do not divide the bytes.
  write_options single;
  single.part_bytes = 7777;
  single.parts_in_flight = 1;
  const auto odd = patterned_bytes(50001, 7);
  const auto odd_ref =
      REQUIRE_VALUE(c.write(upload_metadata(scope, "odd"), source_of(odd), single));
  CHECK(REQUIRE_VALUE(c.get(make_key(odd_ref))).data() == odd);
}

void a_commit_checks_the_digest_it_is_given(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("t", "u", "s");
  const auto id = begun(c, upload_metadata(scope)).upload_id();
  REQUIRE_VALUE(c.append(id, 0, "the bytes sent"));

  auto wrong = c.commit_upload(id, sha256_of("other bytes"));
  REQUIRE_FALSE(wrong);
  CHECK(code_of(wrong.error()) == errc::invalid_argument);
  CHECK_THAT(describe(wrong.error()), Catch::Contains("the upload stays open"));
  CHECK_ERROR(c.commit_upload(id, "not a digest"), errc::invalid_argument);
  // It stays open: nothing stored, and more bytes go on.
  CHECK(list_all(c, make_scope("t", "", "")).empty());
  REQUIRE_VALUE(c.append(id, 14, "!"));
  CHECK(REQUIRE_VALUE(c.commit_upload(id, sha256_of("the bytes sent!"))).size_bytes() == 15);

  // The digest the begin named is checked too.
  auto metadata = upload_metadata(scope);
  metadata.set_sha256(sha256_of("promised"));
  const auto promised = begun(c, metadata).upload_id();
  REQUIRE_VALUE(c.append(promised, 0, "delivered"));
  CHECK_ERROR(c.commit_upload(promised), errc::invalid_argument);
  CHECK_ERROR(c.commit_upload(promised, sha256_of("delivered")), errc::invalid_argument);
  metadata.set_sha256("malformed");
  CHECK_ERROR(c.begin_upload(metadata), errc::invalid_argument);
}

void committing_stored_content_answers_the_stored_ref(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("t", "u", "s");
  const auto data = patterned_bytes(40000);
  auto first = put_request(scope, data, "uploads");
  first.set_filename("first.bin");
  const auto stored = REQUIRE_VALUE(c.put(first));

  const auto id = begun(c, upload_metadata(scope, "second.bin")).upload_id();
  REQUIRE_VALUE(c.append(id, 0, data));
  const auto committed = REQUIRE_VALUE(c.commit_upload(id));
  CHECK_SAME(committed, stored);
  CHECK(committed.filename() == "first.bin");
  CHECK(list_all(c, make_scope("t", "", "")).size() == 1);
  CHECK_SAME(REQUIRE_VALUE(c.upload_status(id)).ref(), stored);

  // Identical content written at once by several writers: one artifact.
  const auto shared = patterned_bytes(100000, 99);
  std::vector<std::future<caf::expected<v1::ArtifactRef>>> writers;
  for (int w = 0; w < 4; ++w) {
    writers.push_back(std::async(std::launch::async, [&, w] {
      write_options options;
      options.part_bytes = 8192;
      return c.write(upload_metadata(scope, "writer " + std::to_string(w)), source_of(shared),
                     options);
    }));
  }
  std::string filename;
  for (auto& writer : writers) {
    auto ref = REQUIRE_VALUE(writer.get());
    CHECK(ref.sha256() == sha256_of(shared));
    if (filename.empty()) {
      filename = ref.filename();
    }
    CHECK(ref.filename() == filename);
  }
  CHECK(list_all(c, make_scope("t", "", "")).size() == 2);
}

void a_commit_that_collides_leaves_the_upload_open(const store_factory& make) {
  store_config tweaks;
  // Every content gets the same id in a namespace: the second collides.
  tweaks.storage.make_id = [](std::string_view ns, std::string_view) {
    return std::string(ns) + "_000000000000";
  };
  auto store = make(tweaks);
  auto& c = store->client();
  const auto scope = make_scope("t", "u", "s");
  const auto first = REQUIRE_VALUE(c.put(put_request(scope, "the first content", "uploads")));

  const auto id = begun(c, upload_metadata(scope)).upload_id();
  REQUIRE_VALUE(c.append(id, 0, "another content"));
  CHECK_ERROR(c.commit_upload(id), errc::hash_collision);
  CHECK_ERROR(c.commit_upload(id), errc::hash_collision);
  auto status = REQUIRE_VALUE(c.upload_status(id));
  CHECK_FALSE(status.committed());
  CHECK(status.size_bytes() == 15);
  CHECK(REQUIRE_VALUE(c.get(make_key(first))).data() == "the first content");
  CHECK(REQUIRE_VALUE(c.abort_upload(id)));
}

void an_abandoned_upload_expires_and_is_swept(const store_factory& make) {
  test_clock clock;
  store_config tweaks;
  tweaks.storage.clock = clock.as_wall_clock();
  tweaks.storage.upload_ttl = 1h;
  tweaks.sweep_interval = std::chrono::milliseconds::zero();
  auto store = make(tweaks);
  auto& c = store->client();
  const auto scope = make_scope("t", "u", "s");
  const auto id = begun(c, upload_metadata(scope)).upload_id();
  REQUIRE_VALUE(c.append(id, 0, "part one"));

  // Each chunk keeps it open for another hour.
  clock.advance(50min);
  REQUIRE_VALUE(c.append(id, 8, ", part two"));
  clock.advance(50min);
  CHECK(REQUIRE_VALUE(c.upload_status(id)).size_bytes() == 18);

  // An hour without a chunk: gone for every call, then removed.
  const auto abandoned = begun(c, upload_metadata(scope, "abandoned")).upload_id();
  REQUIRE_VALUE(c.append(abandoned, 0, "never finished"));
  clock.advance(61min);
  CHECK_ERROR(c.upload_status(id), errc::upload_not_found);
  CHECK_ERROR(c.append(id, 18, "late"), errc::upload_not_found);
  CHECK_ERROR(c.commit_upload(id), errc::upload_not_found);
  CHECK_ERROR(c.upload_status(abandoned), errc::upload_not_found);
  const auto open = begun(c, upload_metadata(scope, "open")).upload_id();
  auto removed = REQUIRE_VALUE(c.sweep());
  CHECK(removed.uploads() == 2);
  CHECK(removed.deleted() == 0);
  CHECK(REQUIRE_VALUE(c.sweep()).uploads() == 0);
  CHECK(REQUIRE_VALUE(c.upload_status(open)).size_bytes() == 0);
  CHECK(list_all(c, make_scope("t", "", "")).empty());

  // A committed upload answers its commit for as long, then goes too; its
  // artifact stays.
  REQUIRE_VALUE(c.append(open, 0, "kept"));
  const auto ref = REQUIRE_VALUE(c.commit_upload(open));
  clock.advance(59min);
  CHECK_SAME(REQUIRE_VALUE(c.commit_upload(open)), ref);
  clock.advance(2min);
  CHECK_ERROR(c.upload_status(open), errc::upload_not_found);
  CHECK(REQUIRE_VALUE(c.sweep()).uploads() == 1);
  CHECK(REQUIRE_VALUE(c.get(make_key(ref))).data() == "kept");

  // A ttl counts from the commit, not the begin.
  auto expiring = upload_metadata(scope, "expiring");
  expiring.mutable_ttl()->set_seconds(600);
  const auto later = begun(c, expiring).upload_id();
  REQUIRE_VALUE(c.append(later, 0, "lives ten minutes after its commit"));
  clock.advance(30min);
  const auto expiring_ref = REQUIRE_VALUE(c.commit_upload(later));
  clock.advance(9min);
  CHECK(REQUIRE_VALUE(c.get(make_key(expiring_ref))).found());
  clock.advance(2min);
  CHECK_FALSE(REQUIRE_VALUE(c.get(make_key(expiring_ref))).found());
}

void an_upload_is_checked_at_its_boundary(const store_factory& make) {
  store_config tweaks;
  tweaks.storage.limits.max_payload_bytes = 1000;
  auto store = make(tweaks);
  auto& c = store->client();
  const auto scope = make_scope("t", "u", "s");

  auto with_data = upload_metadata(scope);
  with_data.set_data("bytes belong in chunks");
  CHECK_ERROR(c.begin_upload(with_data), errc::invalid_argument);
  CHECK_ERROR(c.begin_upload(upload_metadata(make_scope("", "u", "s"))), errc::identity_required);
  auto bad_ttl = upload_metadata(scope);
  bad_ttl.mutable_ttl()->set_seconds(-5);
  CHECK_ERROR(c.begin_upload(bad_ttl), errc::invalid_argument);
  auto long_name = upload_metadata(scope, std::string(5000, 'n'));
  CHECK_ERROR(c.begin_upload(long_name), errc::invalid_argument);

  // Ids the store cannot have made name nothing; malformed ones are refused.
  for (const std::string& id : {std::string("0123"), std::string(32, 'f'), std::string(32, 'G')}) {
    INFO("upload id " << id);
    CHECK_ERROR(c.upload_status(id), errc::upload_not_found);
    CHECK_ERROR(c.append(id, 0, "x"), errc::upload_not_found);
    CHECK_ERROR(c.commit_upload(id), errc::upload_not_found);
    CHECK_FALSE(REQUIRE_VALUE(c.abort_upload(id)));
  }
  CHECK_ERROR(c.upload_status(std::string("abc\0def", 7)), errc::invalid_argument);
  CHECK_ERROR(c.upload_status(std::string(100, 'a')), errc::invalid_argument);

  // A chunk is one message: never over the largest payload. An upload is
  // not: it holds many.
  const auto id = begun(c, upload_metadata(scope)).upload_id();
  CHECK_ERROR(c.append(id, 0, std::string(1001, 'x')), errc::too_large);
  for (int64_t at = 0; at < 5000; at += 1000) {
    REQUIRE_VALUE(c.append(id, at, std::string(1000, 'x')));
  }
  CHECK_ERROR(c.append(id, std::numeric_limits<int64_t>::max(), "x"), errc::too_large);

  // An abort discards it.
  CHECK(REQUIRE_VALUE(c.abort_upload(id)));
  CHECK_ERROR(c.upload_status(id), errc::upload_not_found);
  CHECK_FALSE(REQUIRE_VALUE(c.abort_upload(id)));
  CHECK(list_all(c, make_scope("t", "", "")).empty());
}

void a_commit_keeps_to_the_tenants_quota(const store_factory& make) {
  store_config tweaks;
  tweaks.storage.default_quota.max_bytes = 10000;
  auto store = make(tweaks);
  auto& c = store->client();
  const auto scope = make_scope("t", "u", "s");
  REQUIRE_VALUE(c.put(put_request(scope, std::string(6000, 'a'))));
  const auto id = begun(c, upload_metadata(scope)).upload_id();
  REQUIRE_VALUE(c.append(id, 0, std::string(6000, 'b')));
  CHECK_ERROR(c.commit_upload(id), errc::quota_exceeded);
  // Still open, to be committed once there is room.
  CHECK(REQUIRE_VALUE(c.upload_status(id)).size_bytes() == 6000);
  REQUIRE(REQUIRE_VALUE(c.purge(make_scope("t", "", ""))).deleted() == 1);
  CHECK(REQUIRE_VALUE(c.commit_upload(id)).size_bytes() == 6000);
}

}  // namespace

std::vector<scenario> upload_scenarios() {
  return {
      {"an upload commits to an ordinary artifact", an_upload_commits_to_an_ordinary_artifact},
      {"a chunk at the wrong offset names the offset expected",
       a_chunk_at_the_wrong_offset_names_the_offset_expected},
      {"of chunks sent at one offset at once, one is appended",
       of_chunks_sent_at_one_offset_at_once_one_is_appended},
      {"a write streams, and resumes where the upload stands",
       a_write_streams_and_resumes_where_the_upload_stands},
      {"a commit checks the digest it is given", a_commit_checks_the_digest_it_is_given},
      {"committing stored content answers the stored ref",
       committing_stored_content_answers_the_stored_ref},
      {"a commit that collides leaves the upload open",
       a_commit_that_collides_leaves_the_upload_open},
      {"an abandoned upload expires and is swept", an_abandoned_upload_expires_and_is_swept},
      {"an upload is checked at its boundary", an_upload_is_checked_at_its_boundary},
      {"a commit keeps to the tenant's quota", a_commit_keeps_to_the_tenants_quota},
  };
}

}  // namespace artifacts::scenarios
