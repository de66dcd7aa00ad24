#include "scenarios/driver_cases.hpp"

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <random>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <artifact_store/errc.hpp>
#include <artifact_store/ref_json.hpp>

#include "scenarios/case_registration.hpp"
#include "scenarios/concurrent_callers.hpp"
#include "scenarios/driver_test_support.hpp"
#include "scenarios/load_scale.hpp"
#include "scenarios/scenario_support.hpp"
#include "storage/artifact_id.hpp"
#include "storage/open_driver.hpp"
#include "storage/sha256.hpp"

namespace artifacts::testing {

namespace {

using scenarios::failure_log;
using scenarios::make_key;
using scenarios::make_scope;
using scenarios::put_request;
using scenarios::run_together;
using scenarios::same;

// One fresh store of the driver under test, for one case. Declared before
// the drivers a case opens on it, so that it outlives them.
class store_under_test {
 public:
  explicit store_under_test(const driver_factory& factory) : store_(factory.make_store()) {}

  // A driver on this store: `tweaks` (make_id, timeouts) with the store's
  // DSN.
  std::shared_ptr<driver> open(storage_options tweaks = {}) const {
    tweaks.dsn = store_.dsn;
    return open_driver(tweaks);
  }

  // Checks, where the factory can count behind the driver's back, that the
  // store holds `expected` artifacts.
  void check_stored(size_t expected) const {
    if (store_.count_stored) {
      CHECK(store_.count_stored() == expected);
    }
  }

 private:
  fresh_store store_;
};

// True when both hold equal refs in the same order.
// Equal refs from two stores: all but created_at, which is each store's own
// instant of the put.
bool same_refs(const std::vector<v1::ArtifactRef>& a, const std::vector<v1::ArtifactRef>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](auto x, auto y) {
    x.clear_created_at();
    y.clear_created_at();
    return same(x, y);
  });
}

// Backends shared by many threads, each used by one thread at a time, like
// the workers of a store. with(i, use) runs use(operations&) on backend
// i mod size under that backend's lock and returns what it returns.
class backend_pool {
 public:
  backend_pool(driver& drv, size_t size) : locks_(size) {
    for (size_t i = 0; i < size; ++i) {
      ops_.push_back(open_ops(drv));
    }
  }

  template <class F>
  auto with(size_t index, F&& use) {
    std::lock_guard<std::mutex> guard{locks_[index % ops_.size()]};
    return use(*ops_[index % ops_.size()]);
  }

 private:
  std::vector<std::mutex> locks_;
  std::vector<std::unique_ptr<operations>> ops_;
};

// Checks that `ops` finds the artifact stored as `ref` by `request` under
// the request's scope: its bytes and its ref. Returns the ref found.
v1::ArtifactRef check_found(operations& ops, const v1::PutRequest& request,
                            const v1::ArtifactRef& ref) {
  const auto key = make_key(request.scope(), ref.id());
  auto blob = ops.get(key);
  CHECK(blob.found());
  CHECK(blob.data() == request.data());
  auto stored = ops.get_ref(key);
  REQUIRE(stored.found());
  CHECK_SAME(stored.ref(), ref);
  return stored.ref();
}

// Every byte value once, in order.
std::string every_byte_value() {
  std::string bytes;
  for (int value = 0; value < 256; ++value) {
    bytes.push_back(static_cast<char>(value));
  }
  return bytes;
}

// 1 MiB of bytes that repeat no short pattern.
std::string mixed_mebibyte() {
  std::string bytes(size_t{1} << 20, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>((i * 7919 + i / 251) & 0xff);
  }
  return bytes;
}

void round_trip(const driver_factory& factory) {
  store_under_test store{factory};
  auto drv = store.open();
  CHECK(drv->name() == factory.driver_name);
  auto ops = open_ops(*drv);
  const auto scope = make_scope("tenant", "user", "session", "task");

  // A filename that would climb out of a folder is only a name.
  auto request = put_request(scope, std::string("bytes\0with nul", 14), "docs", "../../a.txt");
  request.set_mime_type("text/x-test");
  (*request.mutable_source()->mutable_fields())["tool"].set_string_value("grep");
  (*request.mutable_source()->mutable_fields())["n"].set_number_value(3.25);
  auto ref = ops->put(request);
  CHECK(ref.id().rfind("docs_", 0) == 0);
  CHECK(ref.namespace_() == "docs");
  CHECK_SAME(ref.scope(), scope);
  CHECK(ref.size_bytes() == 14);
  CHECK(ref.mime_type() == "text/x-test");
  CHECK(ref.filename() == "../../a.txt");
  CHECK(ref.sha256() == sha256_hex(request.data()));
  CHECK(ref.has_source());

  CHECK_SAME(check_found(*ops, request, ref).source(), request.source());
  CHECK(ops->exists(make_key(scope, ref.id())));

  // Text without a mime type gets the text default; a nested source comes
  // back whole.
  auto text = put_request(scope, "hello", "docs", "hello.txt");
  text.set_text(true);
  REQUIRE(source_from_json(R"({"tool":"grep","n":3,"nested":{"ok":true}})", text.mutable_source()));
  auto text_ref = ops->put(text);
  CHECK(text_ref.id().rfind("docs_", 0) == 0);
  CHECK(text_ref.mime_type() == "text/plain; charset=utf-8");
  CHECK(text_ref.has_source());
  CHECK_SAME(check_found(*ops, text, text_ref).source(), text.source());

  // Empty, every byte value and 1 MiB come back exactly, without a source.
  for (const auto& payload : {std::string(), every_byte_value(), mixed_mebibyte()}) {
    INFO("a payload of " << payload.size() << " bytes");
    const auto payload_request = put_request(scope, payload);
    auto payload_ref = ops->put(payload_request);
    CHECK(payload_ref.size_bytes() == static_cast<int64_t>(payload.size()));
    CHECK_FALSE(check_found(*ops, payload_request, payload_ref).has_source());
  }
  store.check_stored(5);

  const auto absent = make_key(scope, "docs_000000000000");
  CHECK_FALSE(ops->get(absent).found());
  CHECK_FALSE(ops->get_ref(absent).found());
  CHECK_FALSE(ops->exists(absent));
  // Another scope does not find the id.
  const auto elsewhere = make_key(make_scope("nobody", "u", "s"), ref.id());
  CHECK_FALSE(ops->get(elsewhere).found());
  CHECK_FALSE(ops->get_ref(elsewhere).found());
  CHECK_FALSE(ops->exists(elsewhere));
}

void reput_keeps_first_writer(const driver_factory& factory) {
  store_under_test store{factory};
  auto drv = store.open();
  // Two backends: the second writer does not share the first one's
  // connection or transaction.
  auto first_writer = open_ops(*drv);
  auto second_writer = open_ops(*drv);
  const auto scope = make_scope("t", "u", "s", "task");

  auto first = put_request(scope, "same bytes", "", "first.txt");
  first.set_mime_type("application/x-first");
  REQUIRE(source_from_json(R"({"writer":"first"})", first.mutable_source()));
  auto second = put_request(scope, "same bytes", "", "second.txt");
  second.set_mime_type("application/x-second");

  auto stored = first_writer->put(first);
  auto again = second_writer->put(second);
  CHECK_SAME(again, stored);
  CHECK(again.filename() == "first.txt");
  CHECK(again.mime_type() == "application/x-first");
  CHECK(again.has_source());
  CHECK_SAME(first_writer->put(put_request(scope, "same bytes", "", "third.txt")), stored);
  // What the store keeps is the first writer's ref, whoever reads it.
  auto kept = second_writer->get_ref(make_key(stored));
  REQUIRE(kept.found());
  CHECK_SAME(kept.ref(), stored);
  CHECK(kept.ref().mime_type() == "application/x-first");
  store.check_stored(1);

  auto other_ns = second_writer->put(put_request(scope, "same bytes", "other"));
  CHECK(other_ns.id() != stored.id());
  CHECK(other_ns.sha256() == stored.sha256());
  CHECK(list_all(*first_writer, make_scope("t", "", ""), 100).size() == 2);
  store.check_stored(2);
}

void taken_id_is_a_collision(const driver_factory& factory) {
  store_under_test store{factory};
  storage_options tweaks;
  tweaks.make_id = [](std::string_view ns, std::string_view) { return std::string(ns) + "_fixed"; };
  auto drv = store.open(tweaks);
  auto ops = open_ops(*drv);
  const auto scope = make_scope("t", "u", "s");

  auto first = ops->put(put_request(scope, "first content"));
  CHECK(first.id() == "default_fixed");
  try {
    ops->put(put_request(scope, "other content"));
    FAIL("the second put should collide");
  } catch (const store_error& e) {
    CHECK(e.code() == errc::hash_collision);
  }
  auto blob = ops->get(make_key(first));
  REQUIRE(blob.found());
  CHECK(blob.data() == "first content");
  auto kept = ops->get_ref(make_key(first));
  REQUIRE(kept.found());
  CHECK_SAME(kept.ref(), first);
  store.check_stored(1);
}

void list_matches_memory_driver(const driver_factory& factory) {
  store_under_test store{factory};
  auto drv = store.open();
  auto ops = open_ops(*drv);
  auto reference_driver = open_driver(options_for("memory:"));
  auto reference = open_ops(*reference_driver);

  // Case, separators, dot names, escape characters, multi-byte UTF-8 and
  // long values: orders that a path or a collation could get wrong.
  const std::vector<std::string> tenants = {
      "a", "B",  "b", "ab", "a b", "\xC3\xA9",           "a/b",
      "Z", "a%", "_", ".",  "..",  std::string(240, 'm')};
  const std::vector<std::string> users = {"u", "U", "u2"};
  const std::vector<std::string> tasks = {"", "_", "t"};
  const std::vector<std::string> namespaces = {"", "ns", "NS", "n_s"};
  std::mt19937 rng(7);
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> puts;
  for (const auto& tenant : tenants) {
    for (const auto& user : users) {
      for (const auto& task : tasks) {
        for (const auto& ns : namespaces) {
          puts.emplace_back(tenant, user, task, ns);
        }
      }
    }
  }
  std::shuffle(puts.begin(), puts.end(), rng);
  puts.resize(90);
  int n = 0;
  for (const auto& [tenant, user, task, ns] : puts) {
    auto request =
        put_request(make_scope(tenant, user, "s", task), "payload " + std::to_string(n++ % 7), ns);
    ops->put(request);
    reference->put(request);
  }
  store.check_stored(puts.size());

  // Every shape a filter can take from the tenant on (none; tenant; tenant
  // and user; and session; all four), shapes with a gap, and empty ranges.
  const std::vector<v1::Scope> filters = {
      make_scope("", "", ""),         make_scope("a", "", ""),        make_scope("a", "u", ""),
      make_scope("a", "u", "s"),      make_scope("a", "u", "s", "_"), make_scope("B", "U", "s", ""),
      make_scope("a", "", "s"),       make_scope("b", "", "", "t"),   make_scope("", "", "", "_"),
      make_scope("", "U", "s", "t"),  make_scope("nobody", "", ""),   make_scope("..", "", ""),
      make_scope("a", "nobody", "s"),
  };
  for (const auto& filter : filters) {
    auto expected = list_all(*reference, filter, 1000);
    for (uint32_t page : {1u, 7u, 1000u}) {
      INFO("filter " << filter.ShortDebugString() << ", page " << page);
      CHECK(same_refs(list_all(*ops, filter, page), expected));
    }
  }

  // A page token continues after its cursor under any filter, also one it
  // was not issued under: the cursor may lie before, inside or past the
  // filter's range.
  for (const auto& issued_under : filters) {
    auto first = reference->list(scenarios::list_request(issued_under, 5));
    if (first.next_page_token().empty()) {
      continue;
    }
    for (const auto& filter : filters) {
      INFO("token of " << issued_under.ShortDebugString() << " under "
                       << filter.ShortDebugString());
      auto request = scenarios::list_request(filter, 20);
      request.set_page_token(first.next_page_token());
      auto expected = reference->list(request);
      auto got = ops->list(request);
      CHECK(
          same_refs(std::vector<v1::ArtifactRef>(got.refs().begin(), got.refs().end()),
                    std::vector<v1::ArtifactRef>(expected.refs().begin(), expected.refs().end())));
    }
  }
}

// Walks a tenant page by page while puts land between the pages, before and
// after the cursor: every page continues in order after the last, nothing
// stored before the walk began is missed, nothing comes twice, and an
// artifact put between two pages is listed exactly when it lies after the
// cursor it was put behind.
void pages_hold_with_puts_between_them(const driver_factory& factory) {
  store_under_test store{factory};
  auto drv = store.open();
  auto ops = open_ops(*drv);
  const std::string tenant = "walk";
  auto key_of = [](const v1::ArtifactRef& ref) { return ref.scope().user() + "/" + ref.id(); };
  std::set<std::string> before_walk;
  for (int i = 0; i < 40; ++i) {
    before_walk.insert(key_of(ops->put(put_request(
        make_scope(tenant, "u" + std::to_string(i % 4), "s"), "before " + std::to_string(i)))));
  }
  ops->put(put_request(make_scope("walk0", "u", "s"), "another tenant"));

  auto request = scenarios::list_request(make_scope(tenant, "", ""), 6);
  std::vector<std::string> walked;
  // Each put between pages, and the last key listed when it was made.
  std::vector<std::pair<std::string, std::string>> put_between;
  int page_number = 0;
  do {
    auto page = ops->list(request);
    for (const auto& ref : page.refs()) {
      CHECK(ref.scope().tenant() == tenant);
      walked.push_back(key_of(ref));
    }
    request.set_page_token(page.next_page_token());
    for (const char* user : {"u0", "u2", "u9"}) {
      auto ref = ops->put(put_request(make_scope(tenant, user, "s"),
                                      "between " + std::to_string(page_number) + user));
      put_between.emplace_back(key_of(ref), walked.empty() ? std::string() : walked.back());
    }
    ++page_number;
  } while (!request.page_token().empty() && page_number < 100);
  REQUIRE(request.page_token().empty());

  CHECK(std::is_sorted(walked.begin(), walked.end()));
  CHECK(std::adjacent_find(walked.begin(), walked.end()) == walked.end());
  const std::set<std::string> seen(walked.begin(), walked.end());
  for (const auto& key : before_walk) {
    CHECK(seen.count(key) == 1);
  }
  // The puts after the last page came after the walk: none is listed.
  int ahead = 0;
  for (size_t i = 0; i + 3 < put_between.size(); ++i) {
    const auto& [key, cursor] = put_between[i];
    INFO(key << " put behind the cursor " << cursor);
    CHECK(seen.count(key) == (key > cursor ? 1u : 0u));
    ahead += key > cursor ? 1 : 0;
  }
  // Both kinds happened, so both branches of the check ran.
  CHECK(ahead > 0);
  CHECK(ahead < static_cast<int>(put_between.size()) - 3);
}

void delete_is_idempotent_and_scoped(const driver_factory& factory) {
  store_under_test store{factory};
  auto drv = store.open();
  auto ops = open_ops(*drv);
  const auto scope = make_scope("t", "u", "s");
  const auto other = make_scope("t2", "u", "s");
  CHECK_FALSE(ops->remove(make_key(scope, "default_000000000000")));
  auto ref = ops->put(put_request(scope, "to delete"));
  CHECK_FALSE(ops->remove(make_key(other, ref.id())));
  CHECK(ops->exists(make_key(scope, ref.id())));
  CHECK(ops->remove(make_key(scope, ref.id())));
  CHECK_FALSE(ops->remove(make_key(scope, ref.id())));
  CHECK_FALSE(ops->get(make_key(scope, ref.id())).found());
  CHECK_FALSE(ops->get_ref(make_key(scope, ref.id())).found());
  CHECK_FALSE(ops->exists(make_key(scope, ref.id())));
  CHECK(list_all(*ops, make_scope("", "", ""), 10).empty());
  store.check_stored(0);
}

void survives_reopen(const driver_factory& factory) {
  store_under_test store{factory};
  const auto scope = make_scope("t", "u", "s", "k");
  auto request = put_request(scope, std::string(100000, 'x') + "tail", "ns", "big.bin");
  (*request.mutable_source()->mutable_fields())["origin"].set_string_value("test");
  v1::ArtifactRef ref;
  {
    auto drv = store.open();
    ref = open_ops(*drv)->put(request);
  }
  auto drv = store.open();
  check_found(*open_ops(*drv), request, ref);
  store.check_stored(1);
}

// `threads` threads put the same bytes (each under its own filename) into
// one scope through `backends` backends of one driver, all at once.
void check_identical_puts(const driver_factory& factory, size_t backends, int threads) {
  store_under_test store{factory};
  auto drv = store.open();
  backend_pool pool(*drv, backends);
  const auto scope = make_scope("t", "u", "s");
  std::vector<v1::ArtifactRef> refs(static_cast<size_t>(threads));
  failure_log failures;
  run_together(threads, [&](int i) {
    try {
      refs[static_cast<size_t>(i)] = pool.with(static_cast<size_t>(i), [&](operations& ops) {
        return ops.put(put_request(scope, "identical", "", "writer-" + std::to_string(i)));
      });
    } catch (const store_error& e) {
      failures.add("writer " + std::to_string(i) + ": " + e.what());
    }
  });
  INFO("failures: " << failures.summary());
  CHECK(failures.count() == 0);
  for (const auto& ref : refs) {
    CHECK_SAME(ref, refs.front());
  }
  auto listed = pool.with(0, [&](operations& ops) { return list_all(ops, scope, 100); });
  REQUIRE(listed.size() == 1);
  CHECK_SAME(listed.front(), refs.front());
  store.check_stored(1);
}

void identical_puts_leave_one_artifact(const driver_factory& factory) {
  for (size_t backends : {size_t{8}, size_t{64}}) {
    DYNAMIC_SECTION("through " << backends << " backends") {
      check_identical_puts(factory, backends, 64);
    }
  }
}

// 128 threads each run rounds of put, get, get_ref, exists, list and (every
// other round) delete over a handful of overlapping scopes, through 4
// backends. No call may fail, and none may return another artifact's bytes,
// digest or scope.
void mixed_operations(const driver_factory& factory) {
  constexpr int threads = 128;
  const int rounds = scenarios::load_volume(12, 4);
  store_under_test store{factory};
  auto drv = store.open();
  backend_pool pool(*drv, 4);
  failure_log errors;
  failure_log wrong;
  run_together(threads, [&](int t) {
    const auto i = static_cast<size_t>(t);
    auto scope = make_scope("t" + std::to_string(i % 4), "u" + std::to_string(i % 3), "s",
                            i % 2 == 0 ? "" : "k");
    for (int round = 0; round < rounds; ++round) {
      const auto where = "thread " + std::to_string(i) + " round " + std::to_string(round) + ": ";
      auto data = "payload " + std::to_string(i % 16) + "/" + std::to_string(round % 3);
      try {
        auto ref = pool.with(i, [&](operations& ops) { return ops.put(put_request(scope, data)); });
        auto blob =
            pool.with(i + 1, [&](operations& ops) { return ops.get(make_key(scope, ref.id())); });
        // Another thread may delete the same key in between: absence is
        // fine, other bytes are not.
        if (blob.found() && blob.data() != data) {
          wrong.add(where + "get returned other bytes");
        }
        pool.with(i + 2, [&](operations& ops) {
          auto got = ops.get_ref(make_key(scope, ref.id()));
          if (got.found() && got.ref().sha256() != ref.sha256()) {
            wrong.add(where + "get_ref returned another digest");
          }
          ops.exists(make_key(scope, ref.id()));
        });
        pool.with(i + 3, [&](operations& ops) {
          auto page = ops.list(scenarios::list_request(make_scope(scope.tenant(), "", ""), 10));
          for (const auto& listed : page.refs()) {
            if (listed.scope().tenant() != scope.tenant()) {
              wrong.add(where + "list returned another tenant's artifact");
            }
          }
        });
        if (round % 2 == 1) {
          pool.with(i, [&](operations& ops) { return ops.remove(make_key(scope, ref.id())); });
        }
      } catch (const store_error& e) {
        errors.add(where + e.what());
      }
    }
  });
  INFO("errors: " << errors.summary());
  INFO("wrong answers: " << wrong.summary());
  CHECK(errors.count() == 0);
  CHECK(wrong.count() == 0);
}

// One batch through operations::put_batch, with an id rule that gives every
// artifact of namespace "clash" one id: new bytes, the same bytes again, two
// colliding contents, a re-put of an artifact stored before, a put without
// a tenant, other new bytes, bytes hashed by the caller and bytes whose
// claimed digest was checked. Each put gets its own outcome, and the store
// then holds exactly the six artifacts stored.
void batch_keeps_each_outcome(const driver_factory& factory) {
  store_under_test store{factory};
  storage_options tweaks;
  tweaks.make_id = [](std::string_view ns, std::string_view digest) {
    return ns == "clash" ? std::string("clash_000000000000") : standard_artifact_id(ns, digest);
  };
  auto drv = store.open(tweaks);
  auto ops = open_ops(*drv);
  const auto scope = make_scope("t", "u", "s");

  const auto stored_before = ops->put(put_request(scope, "already there"));
  const auto first = put_request(scope, "new bytes", "", "first.bin");
  const auto same_again = put_request(scope, "new bytes", "", "second.bin");
  const auto clash_one = put_request(scope, "one content", "clash");
  const auto clash_two = put_request(scope, "another content", "clash");
  auto wrong_digest = put_request(scope, "checked bytes");
  wrong_digest.set_sha256(std::string(64, '0'));
  const auto repeat = put_request(scope, "already there", "", "ignored.bin");
  const auto no_identity = put_request(make_scope("", "u", "s"), "no tenant");
  const auto other = put_request(scope, "other bytes");

  // Hashed by the caller: the digest is taken as given, not hashed again.
  // A plain request's claimed digest is checked when it becomes a
  // verified_put, so a wrong one never reaches the batch.
  auto hashed_here = verified_put::hashing(put_request(scope, "hashed by the caller"));
  CHECK_FALSE(verified_put::checking(wrong_digest));
  auto malformed = put_request(scope, "vouched for");
  malformed.set_sha256("not a digest");
  CHECK_FALSE(verified_put::checking(malformed));
  auto claimed = put_request(scope, "claimed and right");
  claimed.set_sha256(sha256_hex("claimed and right"));

  const std::vector<verified_put> inputs{
      verified_put::hashing(first),     verified_put::hashing(same_again),
      verified_put::hashing(clash_one), verified_put::hashing(clash_two),
      verified_put::hashing(repeat),    verified_put::hashing(no_identity),
      verified_put::hashing(other),     std::move(hashed_here),
      *verified_put::checking(claimed)};
  std::vector<const verified_put*> batch;
  for (const auto& input : inputs) {
    batch.push_back(&input);
  }
  auto outcomes = ops->put_batch(batch);
  REQUIRE(outcomes.size() == batch.size());

  REQUIRE(outcomes[0].value);
  CHECK(outcomes[0].value->filename() == "first.bin");
  REQUIRE(outcomes[1].value);
  // The first of the two wins.
  CHECK_SAME(*outcomes[1].value, *outcomes[0].value);
  REQUIRE(outcomes[2].value);
  CHECK(outcomes[2].value->id() == "clash_000000000000");
  REQUIRE(outcomes[3].error);
  CHECK(outcomes[3].error->code() == errc::hash_collision);
  REQUIRE(outcomes[4].value);
  CHECK_SAME(*outcomes[4].value, stored_before);
  REQUIRE(outcomes[5].error);
  CHECK(outcomes[5].error->code() == errc::identity_required);
  REQUIRE(outcomes[6].value);
  REQUIRE(outcomes[7].value);
  CHECK(outcomes[7].value->sha256() == sha256_hex("hashed by the caller"));
  REQUIRE(outcomes[8].value);
  CHECK(outcomes[8].value->sha256() == claimed.sha256());
  for (size_t i : {0, 1, 2, 4, 6, 7, 8}) {
    CHECK_FALSE(outcomes[i].error);
  }

  CHECK(list_all(*ops, scope, 100).size() == 6);
  store.check_stored(6);
  auto key = [&](const v1::ArtifactRef& ref) { return make_key(scope, ref.id()); };
  CHECK(ops->get(key(*outcomes[0].value)).data() == "new bytes");
  CHECK(ops->get(key(*outcomes[2].value)).data() == "one content");
  CHECK(ops->get(key(*outcomes[6].value)).data() == "other bytes");
}

// One case: its name, extra tags, and whether it needs a store that
// outlives its driver.
struct driver_case {
  const char* name;
  const char* extra_tags;
  bool needs_reopen;
  void (*run)(const driver_factory&);
};

const std::vector<driver_case>& every_case() {
  static const std::vector<driver_case> cases = {
      {"round trip of bytes, ref and source", "", false, round_trip},
      {"re-put returns the first writer's ref and never overwrites", "", false,
       reput_keeps_first_writer},
      {"a taken id with other content is a hash collision", "", false, taken_id_is_a_collision},
      {"list order and pagination match the memory driver", "", false, list_matches_memory_driver},
      {"pages hold with puts between them", "", false, pages_hold_with_puts_between_them},
      {"delete is idempotent and scoped", "", false, delete_is_idempotent_and_scoped},
      {"a store survives reopen", "", true, survives_reopen},
      {"identical puts from 64 threads leave one artifact", "[concurrency]", false,
       identical_puts_leave_one_artifact},
      {"128 threads of mixed operations through 4 backends", "[concurrency]", false,
       mixed_operations},
      {"a batch of puts keeps each put's own outcome", "", false, batch_keeps_each_outcome},
  };
  return cases;
}

}  // namespace

driver_factory folder_store_factory(
    std::string driver_name, std::string label,
    std::function<std::string(const std::filesystem::path& folder)> dsn_in,
    std::function<size_t(const std::filesystem::path& folder)> count_in) {
  auto make_store = [label = std::move(label), dsn_in = std::move(dsn_in),
                     count_in = std::move(count_in)] {
    auto folder = std::make_shared<temp_folder>(label);
    fresh_store store;
    store.dsn = dsn_in(folder->path());
    if (count_in) {
      store.count_stored = [count_in, path = folder->path()] { return count_in(path); };
    }
    store.resources = std::move(folder);
    return store;
  };
  return {std::move(driver_name), std::move(make_store), store_lifetime::outlives_driver};
}

bool register_driver_cases(const std::string& name, driver_factory factory) {
  auto shared = std::make_shared<const driver_factory>(std::move(factory));
  for (const auto& entry : every_case()) {
    if (entry.needs_reopen && shared->lifetime != store_lifetime::outlives_driver) {
      continue;
    }
    scenarios::register_case(name + ": " + entry.name, "[driver][" + name + "]" + entry.extra_tags,
                             entry.run, shared);
  }
  return true;
}

}  // namespace artifacts::testing
