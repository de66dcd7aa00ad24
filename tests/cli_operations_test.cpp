// End-to-end tests of what an operator uses: options from a configuration
// file and from the environment with their precedence, --dump-config, CAF's
// settings, and ping. Every test runs the real binary as separate processes.
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <artifact_store/store_config.hpp>
#include <artifact_store/version.hpp>

#include "scenarios/local_fixture.hpp"
#include "scenarios/postgres_schema.hpp"
#include "scenarios/remote_fixture.hpp"
#include "scenarios/requests.hpp"
#include "scenarios/test_files.hpp"
#include "storage/sha256.hpp"
#include "tests/command_runner.hpp"
#include "tests/http_scrape.hpp"

namespace {

using artifacts::testing::child_process;
using artifacts::testing::temp_folder;
using artifacts::testing::write_file;
using namespace artifacts::testing::command;

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

// Stores `bytes` through the node at `address` as tenant t; the exit status
// and stderr.
outcome put_through(const fs::path& cwd, const std::string& address, const std::string& bytes) {
  return run(concat({"put", "--node", address}, scope_args("t", "u", "s")), {cwd, bytes});
}

// The value line `name = …` of a --dump-config output, or "" when absent.
std::string dumped(const std::string& config, const std::string& name) {
  for (const auto& line : lines_of(config)) {
    if (line.rfind(name + " = ", 0) == 0) {
      return line.substr(name.size() + 3);
    }
  }
  return {};
}

TEST_CASE("a node configured only from a file serves that store with its pool and limits",
          "[cli][config]") {
  temp_folder dir{"cli-config"};
  write_file(dir / "node.toml",
             "# a node's whole configuration\n"
             "dsn = \"sqlite:from-file.db\"\n"
             "bind = \"127.0.0.1\"\n"
             "pool = 3\n"
             "max-payload = \"1KiB\"\n"
             "sweep-interval = \"0\"\n"
             "[caf.scheduler]\n"
             "max-threads = 3\n");
  node serving{dir.path(), {"--config", "node.toml"}};
  CHECK(put_through(dir.path(), serving.address(), "small enough").status == 0);
  auto too_large = put_through(dir.path(), serving.address(), std::string(1025, 'x'));
  CHECK(too_large.status == 3);
  CHECK_THAT(too_large.err, Contains("error: too_large: "));
  CHECK(serving.stop() == 0);
  CHECK_THAT(serving.log(), Contains("sqlite store, 3 workers"));
  CHECK(fs::exists(dir / "from-file.db"));
}

TEST_CASE("a node configured only from the environment serves that store with its pool and limits",
          "[cli][config]") {
  temp_folder dir{"cli-config"};
  node serving{dir.path(),
               {},
               {{"ARTIFACT_STORE_DSN", "sqlite:from-env.db"},
                {"ARTIFACT_STORE_POOL", "3"},
                {"ARTIFACT_STORE_MAX_PAYLOAD", "1KiB"},
                {"ARTIFACT_STORE_SWEEP_INTERVAL", "0"}}};
  CHECK(put_through(dir.path(), serving.address(), "small enough").status == 0);
  CHECK(put_through(dir.path(), serving.address(), std::string(1025, 'x')).status == 3);
  CHECK(serving.stop() == 0);
  CHECK_THAT(serving.log(), Contains("sqlite store, 3 workers"));
  CHECK(fs::exists(dir / "from-env.db"));
}

TEST_CASE("a flag wins over the environment, which wins over the file", "[cli][config]") {
  temp_folder dir{"cli-config"};
  write_file(dir / "node.toml",
             "pool = 3\n"
             "timeout = 1000\n"
             "upload-ttl = \"2h\"\n"
             "[serve]\n"
             "default-ttl = [\"scratch=1h\", \"logs=7d\"]\n"
             "[put]\n"
             "tenant = \"a put's tenant, not the node's\"\n");
  const std::vector<std::string> dump{"serve", "--config", "node.toml", "--dump-config"};

  auto file_only = run(dump, {dir.path()});
  REQUIRE(file_only.status == 0);
  CHECK(dumped(file_only.out, "pool") == "3");
  CHECK(dumped(file_only.out, "timeout") == "1000");
  CHECK(dumped(file_only.out, "upload-ttl") == "\"2h\"");
  CHECK(dumped(file_only.out, "default-ttl") == "[\"scratch=1h\", \"logs=7d\"]");
  CHECK(dumped(file_only.out, "max-payload") == "67108864");  // the default

  auto environment = run(dump, {dir.path(), "", {{"ARTIFACT_STORE_POOL", "5"}}});
  CHECK(dumped(environment.out, "pool") == "5");
  CHECK(dumped(environment.out, "timeout") == "1000");

  auto flag = run(concat(dump, {"--pool", "7"}), {dir.path(), "", {{"ARTIFACT_STORE_POOL", "5"}}});
  CHECK(dumped(flag.out, "pool") == "7");

  // The dump is a configuration file that reads back to itself.
  write_file(dir / "dumped.toml", flag.out);
  auto again = run({"serve", "--config", "dumped.toml", "--dump-config"}, {dir.path()});
  CHECK(again.status == 0);
  CHECK(again.out == flag.out);
}

TEST_CASE("the dumped configuration leaves out the TLS passphrase and the DSN's password",
          "[cli][config]") {
  temp_folder dir{"cli-config"};
  write_file(dir / "node.toml",
             "dsn = \"postgresql://store:s3cret-pw@db.example:5433/artifacts\"\n"
             "read-dsn = \"host=standby.example password=s3cret-pw\"\n"
             "tls-passphrase = \"s3cret-key-pass\"\n");
  auto from_file = run({"serve", "--config", "node.toml", "--dump-config"}, {dir.path()});
  REQUIRE(from_file.status == 0);
  CHECK(dumped(from_file.out, "dsn") ==
        "\"user='store' dbname='artifacts' host='db.example' port='5433'\"");
  CHECK(dumped(from_file.out, "read-dsn") == "\"host='standby.example'\"");
  CHECK_THAT(from_file.out, Contains("# tls-passphrase: left out"));
  auto from_environment = run({"serve", "--dump-config"},
                              {dir.path(),
                               "",
                               {{"ARTIFACT_STORE_DSN", "host=db.example password=s3cret-pw"},
                                {"ARTIFACT_STORE_TLS_PASSPHRASE", "s3cret-key-pass"}}});
  REQUIRE(from_environment.status == 0);
  CHECK(dumped(from_environment.out, "dsn") == "\"host='db.example'\"");
  for (const auto& output : {from_file.out, from_environment.out}) {
    CHECK_THAT(output, !Contains("s3cret"));
  }
}

TEST_CASE("a read DSN beside a store that is not PostgreSQL stops the node", "[cli][config]") {
  temp_folder dir{"cli-config"};
  auto refused =
      run({"serve", "--port", "0", "--dsn", "memory:", "--read-dsn", "host=127.0.0.1 port=1"},
          {dir.path()});
  CHECK(refused.status == 3);
  CHECK_THAT(refused.err, Contains("a read DSN names a PostgreSQL server"));
}

TEST_CASE("a key the file may not hold is a usage error that names it", "[cli][config]") {
  temp_folder dir{"cli-config"};
  const std::map<std::string, std::string> refused{
      {"pools = 3\n", "'pools'"},
      {"[serve]\nbogus = 1\n", "'serve.bogus'"},
      {"[put]\nfrobnicate = true\n", "'put.frobnicate'"},
      {"[nosuch]\nx = 1\n", "'nosuch.x'"},
      {"tenant = \"t\"\n", "'tenant'"},  // an option of put, not of serve
      {"config = \"other.toml\"\n", "'config'"},
  };
  for (const auto& [text, key] : refused) {
    INFO(text);
    write_file(dir / "node.toml", text);
    auto result = run({"serve", "--config", "node.toml", "--dump-config"}, {dir.path()});
    CHECK(result.status == 2);
    CHECK_THAT(result.err, Contains("configuration file's key " + key));
  }
  auto missing = run({"serve", "--config", "nosuch.toml", "--dump-config"}, {dir.path()});
  CHECK(missing.status == 2);
  CHECK_THAT(missing.err, Contains("nosuch.toml"));
}

TEST_CASE("a client command takes its scope and store from a file, and the environment over it",
          "[cli][config]") {
  temp_folder dir{"cli-config"};
  write_file(dir / "client.toml",
             "dsn = \"sqlite:client.db\"\n"
             "[put]\n"
             "tenant = \"file-tenant\"\n"
             "user = \"u\"\n"
             "session = \"s\"\n"
             "namespace = \"notes\"\n");
  auto put = run({"put", "--config", "client.toml"}, {dir.path(), "hello"});
  REQUIRE(put.status == 0);
  auto ref = parse_ref(only_line(put.out));
  CHECK(ref.scope().tenant() == "file-tenant");
  CHECK(ref.namespace_() == "notes");

  auto overridden = run({"put", "--config", "client.toml"},
                        {dir.path(), "hello", {{"ARTIFACT_STORE_TENANT", "env-tenant"}}});
  REQUIRE(overridden.status == 0);
  CHECK(parse_ref(only_line(overridden.out)).scope().tenant() == "env-tenant");
  // The file's DSN gives way to the environment's.
  auto elsewhere = run({"put", "--config", "client.toml"},
                       {dir.path(), "hello", {{"ARTIFACT_STORE_DSN", "sqlite:env.db"}}});
  REQUIRE(elsewhere.status == 0);
  CHECK(fs::exists(dir / "env.db"));
  // A node's address in the environment does not hide the file's DSN from
  // serve, which never talks to a node.
  write_file(dir / "node.toml", "dsn = \"sqlite:node.db\"\n");
  auto serve = run({"serve", "--config", "node.toml", "--dump-config"},
                   {dir.path(), "", {{"ARTIFACT_STORE_NODE", "127.0.0.1:1"}}});
  CHECK(dumped(serve.out, "dsn") == "\"sqlite:node.db\"");
}

TEST_CASE("CAF's settings reach the node's actor system, and only the node's", "[cli][config]") {
  temp_folder dir{"cli-config"};
  auto dump = run({"serve", "--dump-config", "--caf.scheduler.max-threads=3",
                   "--caf.work-stealing.moderate-poll-attempts", "10"},
                  {dir.path()});
  REQUIRE(dump.status == 0);
  CHECK_THAT(dump.out, Contains("\n[caf]\nscheduler.max-threads = 3\n"
                                "work-stealing.moderate-poll-attempts = 10\n"));
  auto unknown =
      run({"serve", "--dsn", "memory:", "--port", "0", "--caf.scheduler.nosuch=1"}, {dir.path()});
  CHECK(unknown.status == 3);
  CHECK_THAT(unknown.err, StartsWith("error: invalid_argument: CAF setting:"));
  CHECK_THAT(unknown.err, Contains("scheduler.nosuch"));
  auto not_a_node = run(concat({"put", "--dsn", "memory:", "--caf.scheduler.max-threads=3"},
                               scope_args("t", "u", "s")),
                        {dir.path(), "x"});
  CHECK(not_a_node.status == 2);
  CHECK_THAT(not_a_node.err, Contains("--caf.scheduler.max-threads=3"));
}

TEST_CASE("ping answers 0 while the store answers and 3 with the error otherwise", "[cli][ping]") {
  temp_folder dir{"cli-ping"};
  auto in_process = run({"ping", "--dsn", "sqlite:ping.db"}, {dir.path()});
  CHECK(in_process.status == 0);
  CHECK_THAT(only_line(in_process.out), StartsWith("{\"ok\":true,\"milliseconds\":"));

  node serving{dir.path(), {"--dsn", "sqlite:ping.db"}};
  auto through_node = run({"ping", "--node", serving.address()}, {dir.path()});
  CHECK(through_node.status == 0);
  CHECK_THAT(through_node.out, StartsWith("{\"ok\":true"));
  CHECK(serving.stop() == 0);

  auto dead = run({"ping", "--node", dead_address(), "--connect-timeout", "2000"}, {dir.path()});
  CHECK(dead.status == 3);
  CHECK_THAT(dead.err, StartsWith("error: unavailable: "));
  CHECK(dead.out.empty());
  auto broken = run({"ping", "--dsn", "fs:"}, {dir.path()});
  CHECK(broken.status == 3);
  CHECK_THAT(broken.err, StartsWith("error: invalid_argument: "));
}

// The JSON summary a copy or verify ends with, as "key=value" pairs in
// order, for comparison: {"copied":2,"skipped":1} is "copied=2 skipped=1".
std::string summary(const std::string& output) {
  auto lines = lines_of(output);
  REQUIRE_FALSE(lines.empty());
  std::string out;
  for (char c : lines.back()) {
    if (c == ':') {
      out += '=';
    } else if (c == ',') {
      out += ' ';
    } else if (c != '{' && c != '}' && c != '"') {
      out += c;
    }
  }
  return out;
}

// Every ref a store lists, as JSON without created_at (a copy is created
// when it is copied), in a set.
std::set<std::string> listed_refs(const fs::path& cwd, const std::vector<std::string>& store) {
  auto listed = run(concat({"ls"}, store), {cwd});
  REQUIRE(listed.status == 0);
  std::set<std::string> refs;
  for (auto line : lines_of(listed.out)) {
    const auto created = line.find(",\"created_at\":\"");
    if (created != std::string::npos) {
      line.erase(created, line.find('"', created + 15) + 1 - created);
    }
    refs.insert(line);
  }
  return refs;
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// The rows of the schema's artifact table; 0 before the table exists.
size_t stored_so_far(const artifacts::testing::temporary_schema& schema) {
  try {
    return schema.stored_artifacts();
  } catch (const std::exception&) {
    return 0;
  }
}

// Puts `bytes` into `dsn` in-process as tenant/u/s, with metadata worth
// copying.
outcome put_into(const fs::path& cwd, const std::string& dsn, const std::string& tenant,
                 const std::string& bytes) {
  return run(concat({"put", "--dsn", dsn, "--mime", "text/x-note", "--filename", "note.txt",
                     "--source", "{\"tool\":\"grep\",\"n\":[1,2]}", "--ttl", "30d"},
                    scope_args(tenant, "u", "s")),
             {cwd, bytes});
}

// Overwrites, with other bytes of the same length, every file under `root`
// that holds exactly `bytes`; how many it changed.
int change_files_holding(const fs::path& root, const std::string& bytes) {
  int changed = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && artifacts::testing::read_file(entry.path()) == bytes) {
      std::string other = bytes;
      other[other.size() / 2] ^= 0x20;
      write_file(entry.path(), other);
      ++changed;
    }
  }
  return changed;
}

TEST_CASE("verify finds an artifact whose bytes were changed behind the store's back",
          "[cli][verify]") {
  temp_folder dir{"cli-verify"};
  const std::string large = artifacts::scenarios::patterned_bytes(size_t{5} << 20);
  const std::string victim = "the bytes that will change behind the store's back";

  SECTION("SQLite, in-process and through a node") {
    const std::string dsn = "sqlite:store.db";
    for (const char* tenant : {"a", "b"}) {
      REQUIRE(put_into(dir.path(), dsn, tenant, std::string("note of ") + tenant).status == 0);
    }
    REQUIRE(put_into(dir.path(), dsn, "b", large).status == 0);
    auto ref = parse_ref(only_line(put_into(dir.path(), dsn, "c", victim).out));
    auto clean = run({"verify", "--dsn", dsn}, {dir.path()});
    CHECK(clean.status == 0);
    CHECK(clean.out == "{\"checked\":4,\"corrupt\":0}\n");

    CHECK(
        rows_changed(dir / "store.db",
                     ("UPDATE artifacts_blobs SET bytes = CAST(upper(bytes) AS BLOB) WHERE id = '" +
                      ref.id() + "'")
                         .c_str()) == 1);
    for (bool through_node : {false, true}) {
      INFO("through a node: " << through_node);
      std::unique_ptr<node> serving;
      std::vector<std::string> args{"verify", "--dsn", dsn};
      if (through_node) {
        serving = std::make_unique<node>(dir.path(), std::vector<std::string>{"--dsn", dsn});
        args = {"verify", "--node", serving->address()};
      }
      auto found = run(args, {dir.path()});
      CHECK(found.status == 3);
      auto lines = lines_of(found.out);
      REQUIRE(lines.size() == 2);
      CHECK_THAT(lines[0], StartsWith("{\"corrupt\":{\"id\":\"" + ref.id() + "\""));
      CHECK_THAT(lines[0], Contains(",\"sha256\":\"" + artifacts::sha256_hex(upper(victim)) +
                                    "\",\"size_bytes\":" + std::to_string(victim.size()) + "}"));
      CHECK(lines[1] == "{\"checked\":4,\"corrupt\":1}");
      // A tenant filter checks only that tenant.
      auto only_b = run(concat(args, {"--tenant", "b", "--tenant", "a"}), {dir.path()});
      CHECK(only_b.status == 0);
      CHECK(only_b.out == "{\"checked\":3,\"corrupt\":0}\n");
      if (serving) {
        CHECK(serving->stop() == 0);
      }
    }
  }
  SECTION("fs: a data file edited in place") {
    const std::string dsn = "fs:" + (dir / "root").string();
    REQUIRE(put_into(dir.path(), dsn, "a", large).status == 0);
    REQUIRE(put_into(dir.path(), dsn, "a", victim).status == 0);
    CHECK(run({"verify", "--dsn", dsn}, {dir.path()}).status == 0);
    REQUIRE(change_files_holding(dir / "root", victim) == 1);
    auto found = run({"verify", "--dsn", dsn}, {dir.path()});
    CHECK(found.status == 3);
    CHECK(summary(found.out) == "checked=2 corrupt=1");
    REQUIRE(change_files_holding(dir / "root", large) == 1);
    CHECK(summary(run({"verify", "--dsn", dsn}, {dir.path()}).out) == "checked=2 corrupt=2");
  }
}

TEST_CASE("copy moves every artifact with its metadata between stores and nodes, once",
          "[cli][copy]") {
  temp_folder dir{"cli-copy"};
  const std::string source = "sqlite:source.db";
  const std::string large = artifacts::scenarios::patterned_bytes(size_t{9} << 20);
  for (const char* tenant : {"a", "b", "c"}) {
    REQUIRE(put_into(dir.path(), source, tenant, std::string("note of ") + tenant).status == 0);
  }
  REQUIRE(put_into(dir.path(), source, "b", large).status == 0);
  const auto expected = listed_refs(dir.path(), {"--dsn", source});
  REQUIRE(expected.size() == 4);

  node from{dir.path(), {"--dsn", source}};
  const std::string destination = "fs:" + (dir / "copy").string();
  auto first = run({"copy", "--from-node", from.address(), "--to", destination}, {dir.path()});
  INFO(first.err);
  CHECK(first.status == 0);
  CHECK(first.out ==
        "{\"copied\":4,\"skipped\":0,\"bytes\":" + std::to_string(large.size() + 3 * 9) + "}\n");
  CHECK(listed_refs(dir.path(), {"--dsn", destination}) == expected);
  auto again = run({"copy", "--from-node", from.address(), "--to", destination}, {dir.path()});
  CHECK(again.out == "{\"copied\":0,\"skipped\":4,\"bytes\":0}\n");

  // Into a node, one tenant at a time.
  node into{dir.path(), {"--dsn", "sqlite:into.db"}};
  auto tenant_b = run({"copy", "--from", destination, "--to-node", into.address(), "--tenant", "b",
                       "--part-size", "1MiB"},
                      {dir.path()});
  CHECK(summary(tenant_b.out) == "copied=2 skipped=0 bytes=" + std::to_string(large.size() + 9));
  CHECK(listed_refs(dir.path(), {"--node", into.address()}).size() == 2);
  CHECK(from.stop() == 0);
  CHECK(into.stop() == 0);

  auto neither = run({"copy", "--to", destination}, {dir.path()});
  CHECK(neither.status == 2);
  CHECK_THAT(neither.err, Contains("one of --from and --from-node"));
}

TEST_CASE("copy from SQLite to PostgreSQL, killed midway and run again, leaves each artifact once",
          "[cli][copy][.postgres]") {
  temp_folder dir{"cli-copy"};
  artifacts::testing::temporary_schema schema;
  const std::string source = "sqlite:" + (dir / "source.db").string();
  const size_t small_count = 1500;
  {
    artifacts::store_config config;
    config.storage.dsn = source;
    config.pool_size = 1;
    auto fixture = artifacts::scenarios::make_local_fixture(config);
    for (size_t i = 0; i < small_count; ++i) {
      artifacts::v1::PutRequest request;
      request.mutable_scope()->set_tenant(i % 2 == 0 ? "even" : "odd");
      request.mutable_scope()->set_user("u");
      request.mutable_scope()->set_session("s" + std::to_string(i % 7));
      request.set_filename("item-" + std::to_string(i));
      request.set_data("item " + std::to_string(i));
      REQUIRE(fixture->client().put(request));
    }
    for (const char* tenant : {"aaa-first", "zzz-last"}) {
      artifacts::v1::PutRequest request;
      request.mutable_scope()->set_tenant(tenant);
      request.mutable_scope()->set_user("u");
      request.mutable_scope()->set_session("s");
      request.set_data(artifacts::scenarios::patterned_bytes(size_t{6} << 20, tenant[0]));
      REQUIRE(fixture->client().put(request));
    }
    REQUIRE_FALSE(fixture->close());
  }
  const size_t total = small_count + 2;
  const std::vector<std::string> copy{"copy", "--from", source, "--to", schema.dsn()};

  auto interrupted = start_command(copy, {dir.path()});
  const auto give_up = std::chrono::steady_clock::now() + 60s;
  while (stored_so_far(schema) < 100 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(5ms);
  }
  interrupted->signal(SIGKILL);
  interrupted->wait(command_bound);
  const size_t before = schema.stored_artifacts();
  INFO("stored when the copy was killed: " << before);
  REQUIRE(before >= 100);
  REQUIRE(before < total);

  auto resumed = run(copy, {dir.path()});
  INFO(resumed.err);
  REQUIRE(resumed.status == 0);
  CHECK_THAT(summary(resumed.out), StartsWith("copied=" + std::to_string(total - before) +
                                              " skipped=" + std::to_string(before) + " bytes="));
  CHECK(schema.stored_artifacts() == total);
  CHECK(summary(run(copy, {dir.path()}).out) ==
        "copied=0 skipped=" + std::to_string(total) + " bytes=0");
  CHECK(listed_refs(dir.path(), {"--dsn", schema.dsn()}) ==
        listed_refs(dir.path(), {"--dsn", source}));
  auto verified = run({"verify", "--dsn", schema.dsn()}, {dir.path()});
  CHECK(verified.status == 0);
  CHECK(summary(verified.out) == "checked=" + std::to_string(total) + " corrupt=0");
}

TEST_CASE("a node's metrics are scraped over HTTP and move with the requests it serves",
          "[cli][metrics]") {
  temp_folder dir{"cli-metrics"};
  node serving{dir.path(), {"--dsn", "sqlite:m.db", "--metrics-address", "127.0.0.1:0"}};
  const std::string metrics_line = serving.next_line();
  REQUIRE_THAT(metrics_line, StartsWith("metrics on 127.0.0.1:"));
  const std::string metrics = metrics_line.substr(11);

  auto health = http_get(metrics, "/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == "ok\n");
  auto ready = http_get(metrics, "/readyz");
  CHECK(ready.status == 200);
  CHECK(ready.body == "ready\n");
  CHECK(http_get(metrics, "/nosuch").status == 404);

  auto before = http_get(metrics, "/metrics");
  CHECK(before.status == 200);
  CHECK(sample(before.body, "artifact_store_build_info{driver=\"sqlite\",version=\"" +
                                std::string(artifacts::library_version()) + "\"}") == 1);
  CHECK(sample(before.body, "artifact_store_requests_total{code=\"ok\",op=\"put\"}") == -1);

  // Eight clients at once, each a put and a get of its own bytes, and a put
  // the store refuses. The threads only count failures: Catch2's assertions
  // are not thread-safe.
  constexpr int clients = 8;
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  std::atomic<size_t> put_bytes{0};
  for (int c = 0; c < clients; ++c) {
    callers.emplace_back([&, c] {
      const std::string bytes(static_cast<size_t>(1000 + c), static_cast<char>('a' + c));
      put_bytes += bytes.size();
      auto put = put_through(dir.path(), serving.address(), bytes);
      if (put.status != 0) {
        ++failures;
        return;
      }
      // No Catch2 assertion here: it is not safe from several threads.
      artifacts::v1::ArtifactRef ref;
      if (!google::protobuf::util::JsonStringToMessage(put.out, &ref).ok()) {
        ++failures;
        return;
      }
      const auto id = ref.id();
      auto got =
          run(concat({"get", "--node", serving.address(), "--id", id}, scope_args("t", "u", "s")),
              {dir.path()});
      failures += got.status == 0 && got.out == bytes ? 0 : 1;
      auto anonymous = run({"put", "--node", serving.address(), "--user", "u", "--session", "s"},
                           {dir.path(), bytes});
      failures += anonymous.status == 3 ? 0 : 1;
      put_bytes += bytes.size();
    });
  }
  for (auto& caller : callers) {
    caller.join();
  }
  REQUIRE(failures == 0);

  auto after = http_get(metrics, "/metrics");
  CHECK(sample(after.body, "artifact_store_requests_total{code=\"ok\",op=\"put\"}") == clients);
  CHECK(sample(after.body,
               "artifact_store_requests_total{code=\"identity_required\",op=\"put\"}") == clients);
  CHECK(sample(after.body, "artifact_store_requests_total{code=\"ok\",op=\"get_range\"}") ==
        clients);
  CHECK(sample(after.body, "artifact_store_payload_bytes_total{op=\"put\"}") ==
        static_cast<double>(put_bytes));
  CHECK(sample(after.body, "artifact_store_request_duration_seconds_count{op=\"put\"}") ==
        2 * clients);
  CHECK(sample(after.body, "artifact_store_in_flight_requests") == 0);
  CHECK(sample(after.body, "artifact_store_workers{state=\"connected\"}") >= 1);

  // A client that stays connected is one remote connection, until it goes.
  CHECK(sample(after.body, "artifact_store_remote_connections") == 0);
  {
    artifacts::scenarios::remote_client connected{serving.host(), serving.port()};
    REQUIRE(connected.client().exists(
        artifacts::scenarios::make_key(artifacts::scenarios::make_scope("t", "u", "s"), "x")));
    CHECK(sample(http_get(metrics, "/metrics").body, "artifact_store_remote_connections") == 1);
  }
  double left = 1;
  for (const auto deadline = std::chrono::steady_clock::now() + 15s;
       left != 0 && std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(50ms)) {
    left = sample(http_get(metrics, "/metrics").body, "artifact_store_remote_connections");
  }
  CHECK(left == 0);
  CHECK(serving.stop() == 0);
}

TEST_CASE("the node logs at its level, as text or JSON, and never a secret", "[cli][log]") {
  temp_folder dir{"cli-log"};
  SECTION("json: one object per line, whatever the message holds") {
    node serving{
        dir.path(),
        {"--dsn", "sqlite:a \"quoted\"\tname.db", "--log-format", "json", "--log-level", "debug"}};
    const int status = serving.stop();
    INFO(serving.log());
    CHECK(status == 0);
    const auto lines = lines_of(serving.log());
    REQUIRE(lines.size() == 4);  // the configuration, started, stopping, stopped
    std::vector<std::string> levels, messages;
    for (const auto& line : lines) {
      INFO(line);
      google::protobuf::Struct parsed;
      REQUIRE(google::protobuf::util::JsonStringToMessage(line, &parsed).ok());
      levels.push_back(parsed.fields().at("level").string_value());
      messages.push_back(parsed.fields().at("message").string_value());
      CHECK_THAT(parsed.fields().at("time").string_value(), Catch::Matchers::EndsWith("Z"));
    }
    CHECK(levels == std::vector<std::string>{"debug", "info", "info", "info"});
    CHECK_THAT(messages[0], StartsWith("configuration: dsn sqlite:a \"quoted\"\tname.db, "));
    CHECK_THAT(messages[1], StartsWith("started: sqlite store"));
    CHECK(messages[3] == "stopped");
  }
  SECTION("warn: the routine lines are left out") {
    node serving{dir.path(), {"--dsn", "memory:", "--log-level", "warn"}};
    CHECK(serving.stop() == 0);
    CHECK(serving.log().empty());
  }
  SECTION("debug: the configuration, without the DSN's password") {
    auto refused = run({"serve", "--log-level", "debug", "--port", "0", "--connect-timeout", "500",
                        "--dsn", "postgresql://store:s3cret-pw@127.0.0.1:1/artifacts"},
                       {dir.path()});
    CHECK(refused.status == 3);
    CHECK_THAT(refused.err, Contains(" debug configuration: dsn user='store' dbname='artifacts' "
                                     "host='127.0.0.1' port='1'"));
    CHECK_THAT(refused.err, Contains("\nerror: unavailable: "));
    CHECK_THAT(refused.err, !Contains("s3cret"));
  }
  auto bad = run({"serve", "--log-level", "verbose"}, {dir.path()});
  CHECK(bad.status == 2);
}

TEST_CASE("the access log has a line per request, with its scope, id, bytes and outcome",
          "[cli][log]") {
  temp_folder dir{"cli-access"};
  node serving{dir.path(), {"--dsn", "sqlite:a.db", "--access-log"}};
  const std::string payload = "a payload that must never reach the log";
  auto put = put_through(dir.path(), serving.address(), payload);
  REQUIRE(put.status == 0);
  const auto id = parse_ref(only_line(put.out)).id();
  REQUIRE(run(concat({"get", "--node", serving.address(), "--id", id}, scope_args("t", "u", "s")),
              {dir.path()})
              .status == 0);
  // A scope that tries to forge a line of its own.
  auto forged =
      run(concat({"put", "--node", serving.address()}, scope_args("evil\" code=\"ok", "u", "s")),
          {dir.path(), "x"});
  REQUIRE(forged.status == 0);
  auto refused =
      run({"put", "--node", serving.address(), "--user", "u", "--session", "s"}, {dir.path(), "y"});
  REQUIRE(refused.status == 3);
  CHECK(serving.stop() == 0);

  std::vector<std::string> access;
  for (const auto& line : lines_of(serving.log())) {
    if (line.find(" access ") != std::string::npos) {
      access.push_back(line.substr(line.find(" access ") + 8));
    }
  }
  INFO(serving.log());
  REQUIRE(access.size() == 4);
  CHECK(access[0] == "op=\"put\" tenant=\"t\" user=\"u\" session=\"s\" task=\"\" id=\"" + id +
                         "\" upload=\"\" bytes=" + std::to_string(payload.size()) +
                         access[0].substr(access[0].find(" ms=")));
  CHECK_THAT(access[0], Catch::Matchers::EndsWith(" code=\"ok\""));
  CHECK_THAT(access[1], StartsWith("op=\"get_range\" tenant=\"t\""));
  CHECK_THAT(access[1], Contains(" bytes=" + std::to_string(payload.size()) + " "));
  CHECK_THAT(access[2], StartsWith("op=\"put\" tenant=\"evil\\\" code=\\\"ok\" user=\"u\""));
  CHECK_THAT(access[3], StartsWith("op=\"put\" tenant=\"\" user=\"u\""));
  CHECK_THAT(access[3], Catch::Matchers::EndsWith(" code=\"identity_required\""));
  CHECK_THAT(serving.log(), !Contains(payload));
}

// The datagram socket of a stand-in service manager: what a node sends to
// NOTIFY_SOCKET arrives here, as it would at systemd.
class notify_socket {
 public:
  explicit notify_socket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path.string().size() < sizeof address.sun_path);
    std::strcpy(address.sun_path, path.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~notify_socket() { ::close(fd_); }
  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;

  const fs::path& path() const { return path_; }

  // The next notification, or "" when none came within 30 s.
  std::string receive() {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, 30000) != 1) {
      return {};
    }
    char buffer[4096];
    const auto size = ::recv(fd_, buffer, sizeof buffer, 0);
    return size > 0 ? std::string(buffer, static_cast<size_t>(size)) : std::string{};
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

TEST_CASE("serve tells the service manager when it is ready and when it stops", "[cli][service]") {
  temp_folder dir{"cli-service"};
  notify_socket manager{dir / "notify"};
  node serving{dir.path(), {"--dsn", "memory:"}, {{"NOTIFY_SOCKET", manager.path().string()}}};
  CHECK(manager.receive() == "READY=1\nSTATUS=listening on " + serving.address());
  CHECK(serving.stop() == 0);
  CHECK(manager.receive() == "STOPPING=1\nSTATUS=stopping on SIGTERM");
}

TEST_CASE("under a service manager's state directory the default store lives there",
          "[cli][service]") {
  temp_folder dir{"cli-service"};
  fs::create_directory(dir / "state");
  const std::map<std::string, std::string> systemd{
      {"STATE_DIRECTORY", (dir / "state").string() + ":" + (dir / "second").string()}};
  auto dump = run({"serve", "--dump-config"}, {dir.path(), "", systemd});
  CHECK(dumped(dump.out, "dsn") == "\"sqlite:" + (dir / "state").string() + "/artifacts.db\"");
  CHECK(run({"ping"}, {dir.path(), "", systemd}).status == 0);
  CHECK(fs::exists(dir / "state" / "artifacts.db"));
  CHECK_FALSE(fs::exists(dir / "artifacts.db"));
}

// The unit in the tree, naming the command under test.
std::string service_unit() {
  std::ifstream in{ARTIFACT_STORE_SERVICE_TEMPLATE};
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  std::string unit = text.str();
  const std::string placeholder = "@ARTIFACT_STORE_SERVICE_COMMAND@";
  const auto at = unit.find(placeholder);
  REQUIRE(at != std::string::npos);
  return unit.replace(at, placeholder.size(), command_path());
}

// `systemd-analyze ARGS UNIT` on `unit`, written as artifact-store.service.
outcome analyze(const std::vector<std::string>& args, const std::string& unit) {
  temp_folder dir{"cli-unit"};
  write_file(dir / "artifact-store.service", unit);
  artifacts::testing::child_options options;
  options.cwd = dir.path();
  child_process analyzer{"/usr/bin/systemd-analyze",
                         concat(args, {(dir / "artifact-store.service").string()}), options};
  outcome result;
  result.status = analyzer.wait(command_bound);
  result.out = analyzer.out();
  result.err = analyzer.err();
  return result;
}

TEST_CASE("the systemd unit verifies, notifies, keeps state and is hardened", "[cli][service]") {
  const std::string unit = service_unit();
  for (const char* line :
       {"Type=notify", "StateDirectory=artifact-store", "WorkingDirectory=%S/artifact-store",
        "DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
        "PrivateTmp=yes", "KillSignal=SIGTERM"}) {
    CHECK_THAT(unit, Contains(std::string("\n") + line + "\n"));
  }
  auto verified = analyze({"verify"}, unit);
  INFO(verified.err);
  CHECK(verified.status == 0);
  CHECK(verified.err.empty());
  // systemd's own score of the sandbox, from 0 (locked down) to 10 (exposed;
  // the threshold counts tenths): this unit scores 1.6.
  auto security = analyze({"security", "--offline=true", "--threshold=20"}, unit);
  INFO(security.out << security.err);
  CHECK(security.status == 0);

  // What verify reports: an empty report above means something.
  std::string broken = unit;
  broken.replace(broken.find("Type=notify"), 11, "Type=notifyy");
  auto refused = analyze({"verify"}, broken);
  CHECK_THAT(refused.err, Contains("notifyy"));
}

TEST_CASE("the version flag prints the version and exits 0", "[cli]") {
  auto version = run({"--version"});
  CHECK(version.status == 0);
  CHECK_THAT(version.out, StartsWith("artifact-store "));
}

}  // namespace
