// Durability of the embedded drivers through the actors: what a store
// acknowledged is there, unchanged, after the store is closed and opened
// again, in the same actor system and in a new one.
#include <functional>
#include <optional>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/configure.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/store.hpp>

#include "scenarios/driver_test_support.hpp"
#include "scenarios/scenario_support.hpp"

namespace {

using namespace artifacts;
using artifacts::scenarios::same;
using artifacts::testing::temp_folder;
namespace stdfs = std::filesystem;

caf::actor_system_config& configured(caf::actor_system_config& cfg) {
  configure_actor_system(cfg);
  return cfg;
}

store_config config_for(const std::string& dsn) {
  store_config config;
  config.storage.dsn = dsn;
  config.pool_size = 3;
  return config;
}

// An actor system hosting one store at a time, opened on `dsn`.
class host {
 public:
  explicit host(std::string dsn) : dsn_(std::move(dsn)), sys_(configured(cfg_)) {}

  ~host() { close(); }

  client& open() {
    auto opened = open_store(sys_, config_for(dsn_));
    if (!opened) {
      FAIL("open_store(" << dsn_ << "): " << describe(opened.error()));
    }
    store_.emplace(std::move(*opened));
    client_.emplace(sys_, *store_);
    return *client_;
  }

  void close() {
    client_.reset();
    if (store_) {
      auto closed = store_->close(sys_);
      CHECK_FALSE(closed);
      store_.reset();
    }
  }

 private:
  std::string dsn_;
  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  std::optional<store> store_;
  std::optional<client> client_;
};

v1::PutRequest sample_request() {
  auto request = scenarios::put_request(scenarios::make_scope("tenant", "user", "session", "task"),
                                        std::string(300000, 'r') + std::string("\0tail", 5), "docs",
                                        "report.bin");
  request.set_mime_type("application/x-report");
  (*request.mutable_source()->mutable_fields())["tool"].set_string_value("reopen-test");
  return request;
}

// Checks that `c` serves `ref` with the bytes of `request`.
void check_served(client& c, const v1::PutRequest& request, const v1::ArtifactRef& ref) {
  auto key = scenarios::make_key(request.scope(), ref.id());
  auto blob = REQUIRE_VALUE(c.get(key));
  CHECK(blob.found());
  CHECK(blob.data() == request.data());
  auto stored = REQUIRE_VALUE(c.get_ref(key));
  REQUIRE(stored.found());
  CHECK_SAME(stored.ref(), ref);
  // A re-put after the reopen finds the stored artifact: same ref.
  CHECK_SAME(REQUIRE_VALUE(c.put(request)), ref);
  CHECK(scenarios::list_all(c, v1::Scope{}).size() == 1);
}

void check_reopen(const std::function<std::string(const stdfs::path&)>& dsn_in) {
  temp_folder folder("reopen-test");
  const auto dsn = dsn_in(folder.path());
  const auto request = sample_request();
  v1::ArtifactRef ref;

  SECTION("in the same actor system") {
    host node(dsn);
    ref = REQUIRE_VALUE(node.open().put(request));
    node.close();
    check_served(node.open(), request, ref);
  }

  SECTION("in a new actor system") {
    {
      host first(dsn);
      ref = REQUIRE_VALUE(first.open().put(request));
    }
    host second(dsn);
    check_served(second.open(), request, ref);
  }
}

}  // namespace

TEST_CASE("sqlite: a store survives close and reopen through the actors", "[sqlite][reopen]") {
  check_reopen([](const stdfs::path& folder) { return "sqlite:" + (folder / "a.db").string(); });
}

TEST_CASE("fs: a store survives close and reopen through the actors", "[fs][reopen]") {
  check_reopen([](const stdfs::path& folder) { return "fs:" + (folder / "root").string(); });
}
