#include "scenarios/driver_test_support.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <utility>

#include <google/protobuf/util/message_differencer.h>
#include <catch2/catch.hpp>

#include "storage/artifact_id.hpp"
#include "storage/errc.hpp"
#include "storage/open_driver.hpp"
#include "storage/sha256.hpp"

namespace artifacts::testing {

namespace stdfs = std::filesystem;
using google::protobuf::util::MessageDifferencer;

temp_folder::temp_folder(std::string_view label, const stdfs::path& parent) {
  static std::atomic<int> counter{0};
  path_ = (parent.empty() ? stdfs::temp_directory_path() : parent) /
          ("artifacts-" + std::string(label) + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter.fetch_add(1)));
  stdfs::remove_all(path_);
  stdfs::create_directories(path_);
}

temp_folder::~temp_folder() {
  std::error_code ignored;
  stdfs::remove_all(path_, ignored);
}

size_t open_files_under(const stdfs::path& folder) {
  const auto inside = stdfs::weakly_canonical(folder);
  size_t count = 0;
  std::error_code ec;
  for (stdfs::directory_iterator it{"/proc/self/fd", ec}, end; !ec && it != end; it.increment(ec)) {
    std::error_code unreadable;
    // A descriptor closed since the listing began reads as an error: skip it.
    const auto target = stdfs::read_symlink(it->path(), unreadable);
    if (unreadable) {
      continue;
    }
    const auto relative = target.lexically_relative(inside);
    if (!relative.empty() && *relative.begin() != "..") {
      ++count;
    }
  }
  return count;
}

storage_options options_for(const std::string& dsn) {
  storage_options options;
  options.dsn = dsn;
  return options;
}

v1::Scope make_scope(std::string tenant, std::string user, std::string session, std::string task) {
  v1::Scope scope;
  scope.set_tenant(std::move(tenant));
  scope.set_user(std::move(user));
  scope.set_session(std::move(session));
  scope.set_task(std::move(task));
  return scope;
}

v1::PutRequest put_request(const v1::Scope& scope, std::string data, std::string ns,
                           std::string filename) {
  v1::PutRequest request;
  *request.mutable_scope() = scope;
  request.set_data(std::move(data));
  request.set_namespace_(std::move(ns));
  request.set_filename(std::move(filename));
  return request;
}

v1::Key key_of(const v1::Scope& scope, const std::string& id) {
  v1::Key key;
  *key.mutable_scope() = scope;
  key.set_id(id);
  return key;
}

std::unique_ptr<operations> open_ops(driver& drv) {
  return std::make_unique<operations>(drv.open_backend(), drv.options());
}

std::vector<v1::ArtifactRef> list_all(operations& ops, const v1::Scope& filter, uint32_t page) {
  std::vector<v1::ArtifactRef> refs;
  v1::ListRequest request;
  *request.mutable_filter() = filter;
  request.set_limit(page);
  for (;;) {
    auto result = ops.list(request);
    for (const auto& ref : result.refs()) {
      refs.push_back(ref);
    }
    if (result.next_page_token().empty()) {
      return refs;
    }
    request.set_page_token(result.next_page_token());
  }
}

bool same_refs(const std::vector<v1::ArtifactRef>& a, const std::vector<v1::ArtifactRef>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return MessageDifferencer::Equals(x, y); });
}

backend_pool::backend_pool(driver& drv, size_t size) : locks_(size) {
  for (size_t i = 0; i < size; ++i) {
    ops_.push_back(open_ops(drv));
  }
}

void check_identical_puts_leave_one_row(driver& drv, size_t backends, size_t threads) {
  backend_pool pool(drv, backends);
  auto scope = make_scope("t", "u", "s");
  std::vector<v1::ArtifactRef> refs(threads);
  std::atomic<int> errors{0};
  std::vector<std::thread> running;
  for (size_t i = 0; i < refs.size(); ++i) {
    running.emplace_back([&, i] {
      try {
        refs[i] = pool.with(i, [&](operations& ops) {
          return ops.put(put_request(scope, "identical", "", "writer-" + std::to_string(i)));
        });
      } catch (const store_error&) {
        ++errors;
      }
    });
  }
  for (auto& thread : running) {
    thread.join();
  }
  CHECK(errors == 0);
  for (const auto& ref : refs) {
    CHECK(MessageDifferencer::Equals(ref, refs.front()));
  }
  auto listed = pool.with(0, [&](operations& ops) { return list_all(ops, scope, 100); });
  REQUIRE(listed.size() == 1);
  CHECK(MessageDifferencer::Equals(listed.front(), refs.front()));
}

void check_mixed_operations(driver& drv, size_t backends, size_t threads, int rounds) {
  backend_pool pool(drv, backends);
  std::atomic<int> errors{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> running;
  for (size_t i = 0; i < threads; ++i) {
    running.emplace_back([&, i] {
      auto scope = make_scope("t" + std::to_string(i % 4), "u" + std::to_string(i % 3), "s",
                              i % 2 == 0 ? "" : "k");
      for (int round = 0; round < rounds; ++round) {
        auto data = "payload " + std::to_string(i % 16) + "/" + std::to_string(round % 3);
        try {
          auto ref =
              pool.with(i, [&](operations& ops) { return ops.put(put_request(scope, data)); });
          auto blob =
              pool.with(i + 1, [&](operations& ops) { return ops.get(key_of(scope, ref.id())); });
          // Another thread may delete the same key in between: absence is
          // fine, other bytes are not.
          if (blob.found() && blob.data() != data) {
            ++wrong;
          }
          pool.with(i + 2, [&](operations& ops) {
            auto got = ops.get_ref(key_of(scope, ref.id()));
            if (got.found() && got.ref().sha256() != ref.sha256()) {
              ++wrong;
            }
            ops.exists(key_of(scope, ref.id()));
          });
          pool.with(i + 3, [&](operations& ops) {
            v1::ListRequest request;
            *request.mutable_filter() = make_scope(scope.tenant(), "", "");
            request.set_limit(10);
            auto page = ops.list(request);
            for (const auto& listed : page.refs()) {
              if (listed.scope().tenant() != scope.tenant()) {
                ++wrong;
              }
            }
          });
          if (round % 2 == 1) {
            pool.with(i, [&](operations& ops) { return ops.remove(key_of(scope, ref.id())); });
          }
        } catch (const store_error&) {
          ++errors;
        }
      }
    });
  }
  for (auto& thread : running) {
    thread.join();
  }
  CHECK(errors == 0);
  CHECK(wrong == 0);
}

void check_put_batch_outcomes(storage_options options) {
  using google::protobuf::util::MessageDifferencer;
  options.make_id = [](std::string_view ns, std::string_view digest) {
    return ns == "clash" ? std::string("clash_000000000000") : standard_artifact_id(ns, digest);
  };
  auto drv = open_driver(options);
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

  // Hashed by the caller: taken as given. A malformed digest is still
  // checked, whoever vouches for it.
  put_input hashed_here{put_request(scope, "hashed by the caller"), true};
  hashed_here.request.set_sha256(sha256_hex("hashed by the caller"));
  put_input malformed{put_request(scope, "vouched for"), true};
  malformed.request.set_sha256("not a digest");

  const std::vector<put_input> inputs{{first},        {same_again}, {clash_one},   {clash_two},
                                      {wrong_digest}, {repeat},     {no_identity}, {other},
                                      {hashed_here},  {malformed}};
  std::vector<const put_input*> batch;
  for (const auto& input : inputs) {
    batch.push_back(&input);
  }
  auto outcomes = ops->put_batch(batch);
  REQUIRE(outcomes.size() == batch.size());

  REQUIRE(outcomes[0].value);
  CHECK(outcomes[0].value->filename() == "first.bin");
  REQUIRE(outcomes[1].value);
  // The first of the two wins.
  CHECK(MessageDifferencer::Equals(*outcomes[1].value, *outcomes[0].value));
  REQUIRE(outcomes[2].value);
  CHECK(outcomes[2].value->id() == "clash_000000000000");
  REQUIRE(outcomes[3].error);
  CHECK(outcomes[3].error->code() == errc::hash_collision);
  REQUIRE(outcomes[4].error);
  CHECK(outcomes[4].error->code() == errc::invalid_argument);
  REQUIRE(outcomes[5].value);
  CHECK(MessageDifferencer::Equals(*outcomes[5].value, stored_before));
  REQUIRE(outcomes[6].error);
  CHECK(outcomes[6].error->code() == errc::identity_required);
  REQUIRE(outcomes[7].value);
  REQUIRE(outcomes[8].value);
  CHECK(outcomes[8].value->sha256() == hashed_here.request.sha256());
  REQUIRE(outcomes[9].error);
  CHECK(outcomes[9].error->code() == errc::invalid_argument);
  for (size_t i : {0, 1, 2, 5, 7, 8}) {
    CHECK_FALSE(outcomes[i].error);
  }

  CHECK(list_all(*ops, scope, 100).size() == 5);
  auto key = [&](const v1::ArtifactRef& ref) { return key_of(scope, ref.id()); };
  CHECK(ops->get(key(*outcomes[0].value)).data() == "new bytes");
  CHECK(ops->get(key(*outcomes[2].value)).data() == "one content");
  CHECK(ops->get(key(*outcomes[7].value)).data() == "other bytes");
}

}  // namespace artifacts::testing
