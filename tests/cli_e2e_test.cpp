// End-to-end tests of the `artifact-store` command: every test runs the real
// binary as separate processes (a node started with `serve --port 0`, clients
// in-process or with --node) and checks what a user sees: stdout, stderr and
// exit statuses; and that a node killed with SIGKILL in the middle of a
// stream of puts restarts on the same data with every put it acknowledged,
// for each persistent driver.
//
// The PostgreSQL cases are hidden ([.postgres]); cli/CMakeLists.txt runs them
// as one ctest entry labelled "postgres", inside scripts/test's server.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/client.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/remoting.hpp>
#include <artifact_store/store_config.hpp>

#include "bench/bench.pb.h"
#include "scenarios/child_process.hpp"
#include "scenarios/crash_stream.hpp"
#include "scenarios/load_scale.hpp"
#include "scenarios/local_fixture.hpp"
#include "scenarios/postgres_schema.hpp"
#include "scenarios/put_ledger.hpp"
#include "scenarios/remote_fixture.hpp"
#include "scenarios/scenario_support.hpp"
#include "scenarios/test_certificates.hpp"
#include "scenarios/test_files.hpp"
#include "storage/sha256.hpp"
#include "tests/command_runner.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using artifacts::testing::child_process;
using artifacts::testing::read_file;
using artifacts::testing::temp_folder;
using artifacts::testing::write_file;
using namespace artifacts::testing::command;

const bool sigpipe_ignored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

const std::string binary_payload = std::string("head\0\xff\xfe\x01 binary\r\n\0tail", 22);

}  // namespace

TEST_CASE("every subcommand through a node: output, JSON fields and exit statuses", "[cli]") {
  temp_folder dir{"cli"};
  write_file(dir / "payload.bin", binary_payload);
  node serving{dir.path()};
  const auto via = std::vector<std::string>{"--node", serving.address()};
  const auto owner = scope_args("acme", "ada", "s-1", "t-7");

  auto put = run(concat(concat({"put"}, via),
                        concat(owner, {"--namespace", "docs", "--mime", "application/x-test",
                                       "--source", R"({"tool":"grep","hits":3})", "payload.bin"})),
                 {dir.path()});
  INFO(put);
  REQUIRE(put.status == 0);
  const std::string line = only_line(put.out);
  for (const char* field :
       {"\"id\"", "\"mime_type\"", "\"size_bytes\"", "\"filename\"", "\"sha256\"", "\"scope\"",
        "\"namespace\"", "\"source\"", "\"tenant\"", "\"user\"", "\"session\"", "\"task\""}) {
    CHECK(line.find(field) != std::string::npos);
  }
  const auto ref = parse_ref(line);
  const auto digest = artifacts::sha256_hex(binary_payload);
  CHECK(ref.id() == "docs_" + digest.substr(0, 12));
  CHECK(ref.sha256() == digest);
  CHECK(ref.size_bytes() == static_cast<int64_t>(binary_payload.size()));
  CHECK(ref.mime_type() == "application/x-test");
  CHECK(ref.filename() == "payload.bin");
  CHECK(ref.namespace_() == "docs");
  CHECK(ref.scope().tenant() == "acme");
  CHECK(ref.scope().user() == "ada");
  CHECK(ref.scope().session() == "s-1");
  CHECK(ref.scope().task() == "t-7");
  REQUIRE(ref.has_source());
  CHECK(ref.source().fields().at("tool").string_value() == "grep");
  CHECK(ref.source().fields().at("hits").number_value() == 3);

  const auto key = concat(owner, {"--id", ref.id()});

  SECTION("get writes the raw bytes to stdout or to a file") {
    auto got = run(concat(concat({"get"}, via), key));
    CHECK(got.status == 0);
    CHECK(got.out == binary_payload);
    auto to_file = run(concat(concat({"get"}, via), concat(key, {"-o", "copy.bin"})), {dir.path()});
    CHECK(to_file.status == 0);
    CHECK(to_file.out.empty());
    CHECK(read_file(dir / "copy.bin") == binary_payload);
  }

  SECTION("stat prints the same ref, exists prints true") {
    auto stat = run(concat(concat({"stat"}, via), key));
    CHECK(stat.status == 0);
    CHECK(only_line(stat.out) == line);
    auto exists = run(concat(concat({"exists"}, via), key));
    CHECK(exists.status == 0);
    CHECK(exists.out == "true\n");
  }

  SECTION("rm: 0 when it existed, 1 when not; afterwards nothing is found") {
    auto removed = run(concat(concat({"rm"}, via), key));
    CHECK(removed.status == 0);
    CHECK(removed.out.empty());
    auto again = run(concat(concat({"rm"}, via), key));
    CHECK(again.status == 1);
    CHECK(again.out.empty());
    CHECK(again.err.empty());
    auto exists = run(concat(concat({"exists"}, via), key));
    CHECK(exists.status == 1);
    CHECK(exists.out == "false\n");
    auto stat = run(concat(concat({"stat"}, via), key));
    CHECK(stat.status == 1);
    CHECK(stat.out.empty());
    auto got = run(concat(concat({"get"}, via), concat(key, {"-o", "absent.bin"})), {dir.path()});
    CHECK(got.status == 1);
    CHECK(got.out.empty());
    CHECK_FALSE(fs::exists(dir / "absent.bin"));
  }

  SECTION("another scope does not see the artifact") {
    auto stat = run(concat(concat({"stat"}, via),
                           concat(scope_args("other", "ada", "s-1", "t-7"), {"--id", ref.id()})));
    CHECK(stat.status == 1);
    auto removed = run(concat(
        concat({"rm"}, via), concat(scope_args("other", "ada", "s-1", "t-7"), {"--id", ref.id()})));
    CHECK(removed.status == 1);
    CHECK(run(concat(concat({"exists"}, via), key)).status == 0);
  }

  SECTION("put reads standard input, with - or without a file") {
    auto from_stdin =
        run(concat(concat({"put"}, via), scope_args("acme", "ada", "s-1")), {{}, "piped bytes"});
    INFO(from_stdin);
    REQUIRE(from_stdin.status == 0);
    auto piped = parse_ref(only_line(from_stdin.out));
    CHECK(piped.filename().empty());
    CHECK(piped.mime_type() == "application/octet-stream");
    CHECK(piped.namespace_() == "default");
    CHECK(piped.scope().task().empty());
    CHECK_FALSE(piped.has_source());
    CHECK(only_line(from_stdin.out).find("\"source\"") == std::string::npos);

    auto dash = run(concat(concat({"put"}, via), concat(scope_args("acme", "ada", "s-1"), {"-"})),
                    {{}, "piped bytes"});
    CHECK(dash.status == 0);
    CHECK(dash.out == from_stdin.out);
  }

  SECTION("put --text and --filename") {
    auto text = run(
        concat(concat({"put"}, via), concat(scope_args("acme", "ada", "s-1"),
                                            {"--text", "--filename", "note.txt", "payload.bin"})),
        {dir.path(), ""});
    INFO(text);
    REQUIRE(text.status == 0);
    auto stored = parse_ref(only_line(text.out));
    CHECK(stored.mime_type() == "text/plain; charset=utf-8");
    CHECK(stored.filename() == "note.txt");
  }

  SECTION("a missing identity is an error with exit 3") {
    auto put_without_tenant =
        run(concat(concat({"put"}, via), {"--user", "ada", "--session", "s-1"}), {{}, "x"});
    CHECK(put_without_tenant.status == 3);
    CHECK(put_without_tenant.out.empty());
    CHECK(put_without_tenant.err.rfind("error: identity_required: ", 0) == 0);
    auto get_without_session =
        run(concat(concat({"get"}, via), {"--tenant", "acme", "--user", "ada", "--id", ref.id()}));
    CHECK(get_without_session.status == 3);
    CHECK(get_without_session.err.rfind("error: identity_required: ", 0) == 0);
  }

  const int stopped = serving.stop(SIGTERM);
  const auto log = serving.log();
  INFO("node log: " << log);
  CHECK(stopped == 0);
  CHECK(log.find("started") != std::string::npos);
  CHECK(log.find("stopped") != std::string::npos);
  CHECK(log.find("piped bytes") == std::string::npos);
}

TEST_CASE("in-process and --node print the same, on the same SQLite file", "[cli]") {
  temp_folder dir{"cli"};
  node serving{dir.path()};
  const auto via = std::vector<std::string>{"--node", serving.address()};
  const auto owner = scope_args("acme", "ada", "s-1");
  const run_options here{dir.path(), "same bytes"};

  // Many keys: protobuf iterates a map in a different order every run, so
  // only a sorted rendering prints the same line twice.
  const std::vector<std::string> source{
      "--source", R"({"zeta":1,"alpha":2,"mu":3,"beta":4,"omega":5,"gamma":6,"kappa":7})"};
  auto remote_put = run(concat(concat(concat({"put"}, via), owner), source), here);
  auto local_put = run(concat(concat({"put"}, owner), source), here);
  INFO(remote_put);
  INFO(local_put);
  REQUIRE(remote_put.status == 0);
  REQUIRE(local_put.status == 0);
  CHECK(local_put.out == remote_put.out);
  CHECK(
      local_put.out.find(R"({"alpha":2,"beta":4,"gamma":6,"kappa":7,"mu":3,"omega":5,"zeta":1})") !=
      std::string::npos);
  const auto id = parse_ref(only_line(local_put.out)).id();
  const auto key = concat(owner, {"--id", id});

  for (const std::string command : {"get", "stat", "exists"}) {
    auto remote = run(concat(concat({command}, via), key), here);
    auto local = run(concat({command}, key), here);
    INFO(command);
    CHECK(remote.status == 0);
    CHECK(local.status == 0);
    CHECK(local.out == remote.out);
  }
  auto remote_ls = run(concat({"ls"}, via), here);
  auto local_ls = run({"ls"}, here);
  CHECK(remote_ls.status == 0);
  CHECK(local_ls.out == remote_ls.out);
  CHECK(lines_of(local_ls.out).size() == 1);

  SECTION("the environment names the node or the DSN; a flag wins over it") {
    temp_folder elsewhere{"cli"};
    auto through_env = run(concat({"stat"}, key),
                           {elsewhere.path(), "", {{"ARTIFACT_STORE_NODE", serving.address()}}});
    CHECK(through_env.status == 0);
    CHECK(through_env.out == local_put.out);

    const std::string dsn = "sqlite:" + (dir / "artifacts.db").string();
    auto dsn_env =
        run(concat({"stat"}, key), {elsewhere.path(), "", {{"ARTIFACT_STORE_DSN", dsn}}});
    CHECK(dsn_env.status == 0);
    CHECK(dsn_env.out == local_put.out);

    auto flag_over_env = run(concat(concat({"stat"}, {"--dsn", dsn}), key),
                             {elsewhere.path(), "", {{"ARTIFACT_STORE_NODE", dead_address()}}});
    CHECK(flag_over_env.status == 0);
    CHECK(flag_over_env.out == local_put.out);

    auto node_over_env = run(concat(concat({"stat"}, via), key),
                             {elsewhere.path(),
                              "",
                              {{"ARTIFACT_STORE_DSN", "sqlite:" + (elsewhere / "x.db").string()}}});
    CHECK(node_over_env.status == 0);
    CHECK(node_over_env.out == local_put.out);
  }

  SECTION("rm in-process is seen through the node") {
    CHECK(run(concat({"rm"}, key), here).status == 0);
    CHECK(run(concat(concat({"rm"}, via), key), here).status == 1);
    CHECK(run(concat(concat({"exists"}, via), key), here).out == "false\n");
  }

  CHECK(serving.stop(SIGINT) == 0);
}

TEST_CASE("put --ttl and --expires-at, then sweep, in-process and through a node", "[cli]") {
  temp_folder dir{"cli"};
  node serving{dir.path(), {"--sweep-interval", "0", "--default-ttl", "scratch=1h"}};
  const auto via = std::vector<std::string>{"--node", serving.address()};
  const auto owner = scope_args("acme", "ada", "s-1");

  auto remote = run(concat(concat(concat({"put"}, via), owner), {"--ttl", "1s"}),
                    {dir.path(), "expires through the node"});
  auto local = run(concat(concat({"put"}, owner), {"--ttl", "1s"}), {dir.path(), "expires here"});
  INFO(remote);
  INFO(local);
  REQUIRE(remote.status == 0);
  REQUIRE(local.status == 0);
  for (const auto& printed : {remote.out, local.out}) {
    auto ref = parse_ref(only_line(printed));
    CHECK(ref.has_created_at());
    CHECK(ref.expires_at().seconds() - ref.created_at().seconds() <= 1);
    // RFC 3339, as protobuf's JSON mapping prints a Timestamp.
    CHECK(printed.find("\"expires_at\":\"20") != std::string::npos);
    CHECK(printed.find("Z\"") != std::string::npos);
  }
  // The node's default time to live for its namespace.
  auto scratch = run(concat(concat(concat({"put"}, via), owner), {"--namespace", "scratch"}),
                     {dir.path(), "scratch"});
  REQUIRE(scratch.status == 0);
  auto scratch_ref = parse_ref(only_line(scratch.out));
  CHECK(scratch_ref.expires_at().seconds() - scratch_ref.created_at().seconds() == 3600);
  auto absolute = run(concat(concat({"put"}, owner), {"--expires-at", "2999-01-01T00:00:00Z"}),
                      {dir.path(), "far off"});
  REQUIRE(absolute.status == 0);
  CHECK(absolute.out.find("\"expires_at\":\"2999-01-01T00:00:00Z\"") != std::string::npos);

  CHECK(
      run(concat(concat({"put"}, owner), {"--ttl", "10m", "--expires-at", "2999-01-01T00:00:00Z"}),
          {dir.path(), "x"})
          .status == 2);
  CHECK(run(concat(concat({"put"}, owner), {"--ttl", "5x"}), {dir.path(), "x"}).status == 2);
  CHECK(run(concat(concat({"put"}, owner), {"--ttl", "0s"}), {dir.path(), "x"}).status == 2);
  auto past = run(concat(concat({"put"}, owner), {"--expires-at", "2020-01-01T00:00:00Z"}),
                  {dir.path(), "x"});
  CHECK(past.status == 3);
  CHECK(past.err.rfind("error: invalid_argument: put: expires_at", 0) == 0);

  // The command takes the system's clock: rather than wait for the two
  // one-second artifacts to expire, move their expiry back to their
  // creation in the database file, as a second later would find it.
  CHECK(rows_changed(dir.path() / "artifacts.db",
                     "UPDATE artifacts_blobs SET expires_at = created_at"
                     " WHERE expires_at - created_at <= 1000000") == 2);
  auto swept = run(concat({"sweep"}, via), {dir.path()});
  INFO(swept);
  CHECK(swept.status == 0);
  CHECK(swept.out == "{\"deleted\":2,\"bytes\":36}\n");
  auto again = run({"sweep"}, {dir.path()});
  CHECK(again.status == 0);
  CHECK(again.out == "{\"deleted\":0,\"bytes\":0}\n");
  CHECK(lines_of(run({"ls"}, {dir.path()}).out).size() == 2);

  // du and purge, through the node and in-process alike.
  const auto tenant = std::vector<std::string>{"--tenant", "acme"};
  auto du_remote = run(concat(concat({"du"}, via), tenant), {dir.path()});
  auto du_local = run(concat({"du"}, tenant), {dir.path()});
  CHECK(du_remote.status == 0);
  CHECK(du_remote.out == "{\"count\":2,\"bytes\":14}\n");
  CHECK(du_local.out == du_remote.out);
  auto no_tenant = run(concat({"purge"}, {"--user", "ada"}), {dir.path()});
  CHECK(no_tenant.status == 3);
  CHECK(no_tenant.err.rfind("error: identity_required: purge: tenant is required", 0) == 0);
  auto purged =
      run(concat(concat({"purge"}, via), concat(tenant, {"--session", "s-1"})), {dir.path()});
  CHECK(purged.status == 0);
  CHECK(purged.out == "{\"deleted\":2,\"bytes\":14}\n");
  CHECK(run(concat({"purge"}, tenant), {dir.path()}).out == "{\"deleted\":0,\"bytes\":0}\n");
  CHECK(run(concat({"du"}, tenant), {dir.path()}).out == "{\"count\":0,\"bytes\":0}\n");

  CHECK(serving.stop(SIGINT) == 0);
}

TEST_CASE("get --offset and --length write exactly that range, in parts through a node", "[cli]") {
  temp_folder dir{"cli"};
  // Answers of at most 1 KiB: the node's ranges come in parts.
  node serving{dir.path(), {"--max-payload", "1KiB"}};
  const auto via = std::vector<std::string>{"--node", serving.address()};
  const auto owner = scope_args("acme", "ada", "s-1");
  std::string data(3000, '\0');
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  }
  write_file(dir / "data.bin", data);
  auto put = run(concat(concat({"put"}, owner), {"data.bin"}), {dir.path()});
  REQUIRE(put.status == 0);
  const auto key = concat(owner, {"--id", parse_ref(only_line(put.out)).id()});
  // The node takes no put over its largest payload.
  auto refused = run(concat(concat(concat({"put"}, via), owner), {"data.bin"}), {dir.path()});
  CHECK(refused.status == 3);
  CHECK(refused.err.rfind("error: too_large: ", 0) == 0);

  for (const auto& where : {via, std::vector<std::string>{}}) {
    INFO((where.empty() ? "in-process" : "through the node"));
    auto get = [&](std::vector<std::string> flags) {
      return run(concat(concat(concat({"get"}, where), key), flags), {dir.path()});
    };
    // A whole get reads in parts too: each answer carries 1 KiB at most.
    auto whole = get({});
    CHECK(whole.status == 0);
    CHECK(whole.out == data);
    auto middle = get({"--offset", "100", "--length", "2500"});
    CHECK(middle.status == 0);
    CHECK(middle.out == data.substr(100, 2500));
    auto tail = get({"--offset", "1990"});
    CHECK(tail.status == 0);
    CHECK(tail.out == data.substr(1990));
    auto head = get({"--length", "1500"});
    CHECK(head.status == 0);
    CHECK(head.out == data.substr(0, 1500));
    CHECK(get({"--length", "0"}).out.empty());
    for (const char* past : {"3000", "5000"}) {
      auto nothing = get({"--offset", past, "--length", "10", "-o", "past.bin"});
      CHECK(nothing.status == 0);
      CHECK(nothing.out.empty());
      CHECK(fs::exists(dir / "past.bin"));
      CHECK(read_file(dir / "past.bin").empty());
      fs::remove(dir / "past.bin");
    }
    auto to_file = get({"--offset", "1000", "--length", "1100", "-o", "part.bin"});
    CHECK(to_file.status == 0);
    CHECK(read_file(dir / "part.bin") == data.substr(1000, 1100));

    auto absent = run(concat(concat(concat({"get"}, where), owner),
                             {"--id", "default_0123456789ab", "--offset", "1", "-o", "absent.bin"}),
                      {dir.path()});
    CHECK(absent.status == 1);
    CHECK_FALSE(fs::exists(dir / "absent.bin"));
    CHECK(get({"--offset", "-1"}).status == 2);
    CHECK(get({"--length", "-5"}).status == 2);
  }

  // Bytes that are not the artifact's (damaged on disk, same length) are an
  // error, never a silent success; the file written is removed.
  CHECK(rows_changed(dir.path() / "artifacts.db",
                     "UPDATE artifacts_blobs SET bytes = zeroblob(3000) WHERE size_bytes = 3000") ==
        1);
  for (const auto& where : {via, std::vector<std::string>{}}) {
    INFO((where.empty() ? "in-process" : "through the node"));
    auto damaged =
        run(concat(concat(concat({"get"}, where), key), {"-o", "damaged.bin"}), {dir.path()});
    CHECK(damaged.status == 3);
    CHECK(damaged.err.rfind("error: internal: read: the bytes read do not match", 0) == 0);
    CHECK_FALSE(fs::exists(dir / "damaged.bin"));
  }
  CHECK(serving.stop(SIGINT) == 0);
}

TEST_CASE("ls: empty filter fields are wildcards, --limit, pages", "[cli]") {
  temp_folder dir{"cli"};
  const run_options here{dir.path()};
  struct owned {
    std::vector<std::string> scope;
    std::string bytes;
  };
  const std::vector<owned> artifacts = {
      {scope_args("A", "u1", "s1"), "one"},
      {scope_args("A", "u1", "s2"), "two"},
      {scope_args("A", "u2", "s1", "k"), "three"},
      {scope_args("B", "u1", "s1"), "four"},
  };
  std::vector<std::string> expected;
  for (const auto& artifact : artifacts) {
    auto put = run(concat({"put"}, artifact.scope), {dir.path(), artifact.bytes});
    REQUIRE(put.status == 0);
    expected.push_back(only_line(put.out));
  }
  node serving{dir.path()};
  const auto via = std::vector<std::string>{"--node", serving.address()};

  auto listed = [&](const std::vector<std::string>& args) {
    auto local = run(concat({"ls"}, args), here);
    auto remote = run(concat(concat({"ls"}, via), args), here);
    INFO(local);
    REQUIRE(local.status == 0);
    REQUIRE(remote.status == 0);
    CHECK(remote.out == local.out);
    return lines_of(local.out);
  };
  using lines = std::vector<std::string>;
  CHECK(listed({}) == expected);
  CHECK(listed({"--tenant", "A"}) == lines{expected[0], expected[1], expected[2]});
  CHECK(listed({"--tenant", "A", "--user", "u1"}) == lines{expected[0], expected[1]});
  CHECK(listed({"--session", "s1"}) == lines{expected[0], expected[2], expected[3]});
  CHECK(listed({"--task", "k"}) == lines{expected[2]});
  CHECK(listed({"--tenant", "C"}).empty());
  CHECK(listed({"--limit", "2"}) == lines{expected[0], expected[1]});
  CHECK(listed({"--tenant", "A", "--limit", "5"}) == lines{expected[0], expected[1], expected[2]});
  CHECK(serving.stop() == 0);

  SECTION("a listing longer than a page is followed to its end") {
    {
      artifacts::store_config config;
      config.storage.dsn = "sqlite:" + (dir / "artifacts.db").string();
      config.pool_size = 1;
      auto fixture = artifacts::scenarios::make_local_fixture(config);
      for (int i = 0; i < 1234; ++i) {
        artifacts::v1::PutRequest request;
        request.mutable_scope()->set_tenant("bulk");
        request.mutable_scope()->set_user("u");
        request.mutable_scope()->set_session("s");
        request.set_data("item " + std::to_string(i));
        REQUIRE(fixture->client().put(request));
      }
      REQUIRE_FALSE(fixture->close());
    }
    node again{dir.path()};
    const auto all = run({"ls", "--tenant", "bulk"}, here);
    REQUIRE(all.status == 0);
    const auto all_lines = lines_of(all.out);
    CHECK(all_lines.size() == 1234);
    CHECK(run({"ls", "--node", again.address(), "--tenant", "bulk"}, here).out == all.out);
    const auto limited = lines_of(run({"ls", "--tenant", "bulk", "--limit", "1100"}, here).out);
    CHECK(limited == lines(all_lines.begin(), all_lines.begin() + 1100));
    CHECK(lines_of(run({"ls"}, here).out).size() == 1234 + expected.size());
    CHECK(again.stop() == 0);
  }
}

TEST_CASE("a restarted node on the same SQLite file serves the same data", "[cli]") {
  temp_folder dir{"cli"};
  std::string stored;
  std::string id;
  {
    node first{dir.path()};
    auto put =
        run({"put", "--node", first.address(), "--tenant", "t", "--user", "u", "--session", "s"},
            {dir.path(), "kept across restarts"});
    REQUIRE(put.status == 0);
    stored = only_line(put.out);
    id = parse_ref(stored).id();
    CHECK(first.stop(SIGTERM) == 0);
  }
  CHECK(fs::exists(dir / "artifacts.db"));
  node second{dir.path()};
  auto stat = run({"stat", "--node", second.address(), "--tenant", "t", "--user", "u", "--session",
                   "s", "--id", id});
  CHECK(stat.status == 0);
  CHECK(only_line(stat.out) == stored);
  auto got = run({"get", "--node", second.address(), "--tenant", "t", "--user", "u", "--session",
                  "s", "--id", id});
  CHECK(got.out == "kept across restarts");
  CHECK(second.stop(SIGINT) == 0);
}

TEST_CASE("usage errors exit 2 with the usage text, --help exits 0", "[cli]") {
  temp_folder dir{"cli"};
  const run_options here{dir.path()};
  auto usage_error = [&](const std::vector<std::string>& args, const run_options& options) {
    auto result = run(args, options);
    INFO(result);
    CHECK(result.status == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find("Usage:") != std::string::npos);
  };
  usage_error({}, here);
  usage_error({"frobnicate"}, here);
  usage_error({"put", "--no-such-flag"}, here);
  usage_error({"put", "--dsn", "memory:", "--node", "127.0.0.1:4242"}, here);
  usage_error({"get", "--tenant", "t", "--user", "u", "--session", "s"}, here);  // no --id
  usage_error({"put", "--source", "[1, 2]"}, here);
  usage_error({"put", "--source", "{not json"}, here);
  usage_error({"ls", "--limit", "0"}, here);
  usage_error({"ls", "--node", "no-port-here"}, here);
  usage_error({"ls", "--node", "host:99999"}, here);
  usage_error({"serve", "--port", "70000"}, here);
  usage_error(
      {"ls"},
      {dir.path(), "", {{"ARTIFACT_STORE_DSN", "memory:"}, {"ARTIFACT_STORE_NODE", "h:1"}}});

  for (const std::string command :
       {"serve", "put", "get", "stat", "exists", "rm", "ls", "migrate"}) {
    auto help = run({command, "--help"}, here);
    INFO(command);
    CHECK(help.status == 0);
    CHECK(help.out.find("Usage:") != std::string::npos);
    CHECK(help.out.find(command) != std::string::npos);
  }
  auto top = run({"--help"}, here);
  CHECK(top.status == 0);
  for (const char* command : {"serve", "put", "get", "stat", "exists", "rm", "ls", "migrate"}) {
    CHECK(top.out.find(command) != std::string::npos);
  }
  CHECK_FALSE(fs::exists(dir / "artifacts.db"));
}

TEST_CASE("errors exit 3 as error: <code>: <message>", "[cli]") {
  temp_folder dir{"cli"};
  const run_options here{dir.path()};
  auto failure = [&](const std::vector<std::string>& args, const std::string& code,
                     const run_options& options) {
    auto result = run(args, options);
    INFO(result);
    CHECK(result.status == 3);
    CHECK(result.err.rfind("error: " + code + ": ", 0) == 0);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  };
  const auto owner = scope_args("t", "u", "s");
  failure(concat({"put"}, concat(owner, {"missing.bin"})), "invalid_argument", here);
  failure(concat({"put", "--node", dead_address(), "--connect-timeout", "3000"}, owner),
          "unavailable", {dir.path(), "x"});
  failure(concat({"ls", "--node", dead_address(), "--tls-cert", "nope.pem", "--tls-key", "nope.key",
                  "--tls-ca", "nope-ca.pem"},
                 owner),
          "invalid_argument", here);
  failure(concat({"ls", "--node", dead_address(), "--tls-cert", "nope.pem"}, owner),
          "invalid_argument", here);
  failure({"ls", "--dsn", "nosuchdriver://x"}, "unknown_driver", here);
  failure(concat({"put", "--dsn", "memory:", "--filename", "\xff\xfe"}, owner), "invalid_argument",
          {dir.path(), "x"});
  failure({"serve", "--dsn", "memory:", "--port", "0", "--bind", "0.0.0.0"}, "invalid_argument",
          here);
  failure({"serve", "--dsn", "memory:", "--port", "0", "--tls-cert", "absent.pem", "--tls-key",
           "absent.key", "--tls-ca", "absent-ca.pem"},
          "invalid_argument", here);
  failure({"migrate", "--dsn", "nosuchdriver://x"}, "unknown_driver", here);

  auto get = run(concat({"get", "--dsn", "memory:"}, concat(owner, {"--id", "default_x"})), here);
  CHECK(get.status == 1);
}

TEST_CASE("migrate applies the schema and says so", "[cli]") {
  temp_folder dir{"cli"};
  auto sqlite = run({"migrate"}, {dir.path()});
  INFO(sqlite);
  CHECK(sqlite.status == 0);
  CHECK(only_line(sqlite.out).rfind("schema is up to date at version ", 0) == 0);
  CHECK(sqlite.out.find("(driver: sqlite)") != std::string::npos);
  CHECK(fs::exists(dir / "artifacts.db"));
  CHECK(run({"migrate"}, {dir.path()}).out == sqlite.out);
  auto memory = run({"migrate", "--dsn", "memory:"}, {dir.path()});
  CHECK(memory.status == 0);
  CHECK(memory.out == "nothing to migrate (driver: memory)\n");
}

TEST_CASE("bench counts every operation it measures, with caller threads or caller actors",
          "[cli]") {
  temp_folder dir{"cli"};
  for (std::string callers : {"threads", "actors"}) {
    for (std::string workload : {"get", "put", "put-dup"}) {
      auto measured =
          run({"bench", "--dsn", "memory:", "--workload", workload, "--callers", callers,
               "--concurrency", "4", "--ops", "300", "--warmup", "0", "--json"},
              {dir.path()});
      INFO(callers << " " << workload << ": " << measured);
      REQUIRE(measured.status == 0);
      artifacts::bench::v1::Report report;
      REQUIRE(google::protobuf::util::JsonStringToMessage(only_line(measured.out), &report).ok());
      CHECK(report.ops() == 300);
      CHECK(report.errors() == 0);
      CHECK(report.callers() == callers);
      CHECK(report.workload() == workload);
      CHECK(report.concurrency() == 4);
      CHECK(report.ops_per_s() > 0);
      CHECK(report.mb_per_s() > 0);
      CHECK(report.p50_ms() <= report.max_ms());
    }
  }
  auto bad = run({"bench", "--dsn", "memory:", "--callers", "fibers"}, {dir.path()});
  CHECK(bad.status == 2);
  auto no_baseline = run({"bench", "--dsn", "memory:", "--baseline", "raw"}, {dir.path()});
  CHECK(no_baseline.status == 2);
}

TEST_CASE("a TLS node serves clients with a certificate from its CA only", "[cli][tls]") {
  auto certificates = artifacts::scenarios::shared_test_certificates();
  const auto server = certificates->server();
  const auto client = certificates->client();
  const auto intruder = certificates->foreign_client();
  const auto encrypted = certificates->encrypted_client("");
  auto tls_args = [](const artifacts::tls_options& tls) {
    return std::vector<std::string>{"--tls-cert", tls.certificate, "--tls-key",
                                    tls.key,      "--tls-ca",      tls.ca_file};
  };
  temp_folder dir{"cli"};
  node serving{dir.path(), concat({"--dsn", "memory:"}, tls_args(server))};
  const auto owner = scope_args("t", "u", "s");
  const auto via =
      std::vector<std::string>{"--node", serving.address(), "--connect-timeout", "5000"};

  auto put = run(concat(concat(concat({"put"}, via), tls_args(client)), owner), {{}, "secret"});
  INFO(put);
  REQUIRE(put.status == 0);
  const auto id = parse_ref(only_line(put.out)).id();
  auto get =
      run(concat(concat(concat({"get"}, via), tls_args(client)), concat(owner, {"--id", id})));
  CHECK(get.out == "secret");

  auto with_passphrase =
      run(concat(concat(concat({"exists"}, via), tls_args(encrypted)), concat(owner, {"--id", id})),
          {{}, "", {{"ARTIFACT_STORE_TLS_PASSPHRASE", certificates->passphrase()}}});
  CHECK(with_passphrase.status == 0);
  CHECK(with_passphrase.out == "true\n");

  auto plain = run(concat(concat({"exists"}, via), concat(owner, {"--id", id})));
  CHECK(plain.status == 3);
  CHECK(plain.err.rfind("error: unavailable: ", 0) == 0);
  auto foreign =
      run(concat(concat(concat({"exists"}, via), tls_args(intruder)), concat(owner, {"--id", id})));
  CHECK(foreign.status == 3);
  CHECK(foreign.out.empty());

  CHECK(serving.stop() == 0);
  CHECK(serving.log().find("secret") == std::string::npos);
}

// ------------------------------------------------- A node killed mid-stream

namespace {

// Writers putting through one node at once; each has at most one put in
// flight when the node dies.
constexpr int crash_writers = 4;

// Each writer stops by itself after this many puts; the node is killed long
// before.
constexpr int crash_writer_cap = 2500;

// Bound on reaching the kill point; a node that acknowledges fewer puts in
// this time has hung.
constexpr auto crash_bound = 120s;

// A client of `serving` in an actor system of the test process, over real
// CAF remoting.
std::unique_ptr<artifacts::scenarios::remote_client> connect_to(const node& serving) {
  return std::make_unique<artifacts::scenarios::remote_client>(
      serving.host(), serving.port(), artifacts::remoting_options{}, 10s, 20s);
}

// What the writers learnt before their node died.
struct acknowledged_puts {
  std::map<int, artifacts::v1::ArtifactRef> refs;  // stream index -> ref
  std::vector<std::string> failures;               // what ended each writer
};

// Starts `crash_writers` threads putting the artifacts of the crash stream
// (writer w puts w, w + crash_writers, ...) through `serving`, kills the
// node with SIGKILL once `kill_after` puts are acknowledged, and returns
// every put acknowledged before it died.
acknowledged_puts kill_node_mid_stream(node& serving, size_t kill_after) {
  auto session = connect_to(serving);
  std::mutex mutex;
  std::condition_variable acknowledged;
  acknowledged_puts result;
  std::vector<std::thread> writers;
  for (int w = 0; w < crash_writers; ++w) {
    writers.emplace_back([&, w] {
      for (int index = w; index < crash_writer_cap; index += crash_writers) {
        auto ref = session->client().put(artifacts::testing::stream_request(index));
        std::lock_guard<std::mutex> guard{mutex};
        if (!ref) {
          result.failures.push_back(artifacts::describe(ref.error()));
          break;
        }
        result.refs.emplace(index, std::move(*ref));
        acknowledged.notify_all();
      }
    });
  }
  bool reached = false;
  {
    std::unique_lock<std::mutex> lock{mutex};
    reached =
        acknowledged.wait_for(lock, crash_bound, [&] { return result.refs.size() >= kill_after; });
  }
  const int status = serving.stop(SIGKILL);
  for (auto& writer : writers) {
    writer.join();
  }
  std::lock_guard<std::mutex> guard{mutex};
  INFO("writers ended with: " << Catch::Detail::stringify(result.failures));
  REQUIRE(reached);
  CHECK(status == 128 + SIGKILL);
  // A writer stops only on an error, and the only cause here is the lost node.
  CHECK(result.failures.size() == static_cast<size_t>(crash_writers));
  for (const auto& failure : result.failures) {
    CHECK(failure.rfind("unavailable: ", 0) == 0);
  }
  return result;
}

// Checks the store behind a node restarted after a crash: the listing holds
// only whole artifacts of the stream, every acknowledged put is there with
// the ref that was acknowledged and its bytes, `ls --node` lists the same,
// and the store takes puts again: returns the ref of that last put.
artifacts::v1::ArtifactRef check_restarted_node(node& serving, const acknowledged_puts& before) {
  auto session = connect_to(serving);
  auto& client = session->client();
  artifacts::testing::stored_stream stored;
  stored.listed = artifacts::scenarios::list_all(client, artifacts::v1::Scope{}, 16);
  stored.fetch = [&](const artifacts::v1::ArtifactRef& ref) -> std::optional<std::string> {
    auto blob = client.get(artifacts::scenarios::make_key(ref.scope(), ref.id()));
    INFO("get " << ref.id() << ": "
                << (blob ? std::string("ok") : artifacts::describe(blob.error())));
    REQUIRE(blob);
    if (!blob->found()) {
      return std::nullopt;
    }
    return blob->data();
  };
  std::map<int, std::string> ids;
  for (const auto& [index, ref] : before.refs) {
    ids.emplace(index, ref.id());
  }
  artifacts::testing::check_after_crash(stored, ids, crash_writers);
  // An acknowledged ref is what the store keeps: no field changed.
  std::map<std::string, const artifacts::v1::ArtifactRef*> listed_by_id;
  for (const auto& ref : stored.listed) {
    listed_by_id[ref.scope().SerializeAsString() + ref.id()] = &ref;
  }
  for (const auto& [index, ref] : before.refs) {
    auto found = listed_by_id.find(ref.scope().SerializeAsString() + ref.id());
    REQUIRE(found != listed_by_id.end());
    INFO("acknowledged " << ref.ShortDebugString());
    INFO("listed " << found->second->ShortDebugString());
    CHECK(found->second->SerializeAsString() == ref.SerializeAsString());
  }

  auto ls = run({"ls", "--node", serving.address()});
  INFO(ls);
  REQUIRE(ls.status == 0);
  const auto lines = lines_of(ls.out);
  REQUIRE(lines.size() == stored.listed.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    CHECK(parse_ref(lines[i]).SerializeAsString() == stored.listed[i].SerializeAsString());
  }

  auto after = client.put(artifacts::testing::stream_request(crash_writer_cap));
  REQUIRE(after);
  auto blob = client.get(artifacts::scenarios::make_key(after->scope(), after->id()));
  REQUIRE(blob);
  CHECK(blob->data() == artifacts::testing::stream_bytes(crash_writer_cap));
  return *after;
}

// For each kill point: a node on `serve_args` (a fresh store each time,
// made by `fresh_store`, which returns the serve arguments for it) is
// killed mid-stream, restarted on the same data, checked, killed once more
// mid-stream and checked again.
void kill_restart_and_check(
    const std::function<std::vector<std::string>(const fs::path&)>& fresh_store,
    const std::function<void()>& while_serving = {}) {
  const size_t kill_points[] = {20, 57};
  const size_t runs = artifacts::scenarios::load_volume<size_t>(std::size(kill_points), 1);
  for (size_t point = 0; point < runs; ++point) {
    const size_t kill_after = kill_points[point];
    DYNAMIC_SECTION("killed after " << kill_after << " acknowledged puts") {
      temp_folder dir{"cli"};
      const auto serve_args = fresh_store(dir.path());
      acknowledged_puts first;
      {
        node serving{dir.path(), serve_args};
        first = kill_node_mid_stream(serving, kill_after);
      }
      CHECK(first.refs.size() >= kill_after);
      acknowledged_puts second;
      {
        node restarted{dir.path(), serve_args};
        auto extra = check_restarted_node(restarted, first);
        first.refs.emplace(crash_writer_cap, std::move(extra));
        if (while_serving) {
          while_serving();
        }
        // The restarted node dies too; the writers start over, and their
        // first puts find their artifacts stored.
        second = kill_node_mid_stream(restarted, first.refs.size() + kill_after);
      }
      second.refs.insert(first.refs.begin(), first.refs.end());
      node last{dir.path(), serve_args};
      check_restarted_node(last, second);
      CHECK(last.stop(SIGTERM) == 0);
    }
  }
}

}  // namespace

TEST_CASE("sqlite: a node killed mid-stream restarts with every acknowledged put", "[cli][crash]") {
  kill_restart_and_check([](const fs::path& dir) {
    return std::vector<std::string>{"--dsn", "sqlite:" + (dir / "artifacts.db").string()};
  });
}

TEST_CASE("fs: a node killed mid-stream restarts with every acknowledged put", "[cli][crash]") {
  kill_restart_and_check([](const fs::path& dir) {
    return std::vector<std::string>{"--dsn", "fs:" + (dir / "root").string()};
  });
}

// ---------------------------------------------------------------- PostgreSQL

namespace {

std::string unique_application_name(const std::string& role) {
  static std::atomic<unsigned> counter{0};
  return "artifact-store-e2e-" + role + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter++);
}

}  // namespace

TEST_CASE("two nodes on one PostgreSQL share their artifacts, and none leaves a connection",
          "[.postgres]") {
  artifacts::testing::temporary_schema schema;
  temp_folder dir{"cli"};
  const auto first_name = unique_application_name("first");
  const auto second_name = unique_application_name("second");
  const auto local_name = unique_application_name("local");
  node first{dir.path(), {"--dsn", schema.dsn(first_name)}};
  node second{dir.path(), {"--dsn", schema.dsn(second_name), "--pool", "2"}};
  const auto owner = scope_args("acme", "ada", "s-1", "t-1");

  auto put = run(concat({"put", "--node", first.address(), "--source", R"({"k":"v"})"}, owner),
                 {dir.path(), "shared through PostgreSQL"});
  INFO(put);
  REQUIRE(put.status == 0);
  const auto line = only_line(put.out);
  const auto id = parse_ref(line).id();
  const auto key = concat(owner, {"--id", id});
  // Workers connect on their first request; the one that served the put has.
  CHECK(schema.connections_named(first_name) > 0);

  auto seen = run(concat({"stat", "--node", second.address()}, key));
  CHECK(seen.status == 0);
  CHECK(only_line(seen.out) == line);
  auto listed = run({"ls", "--node", second.address(), "--tenant", "acme"});
  CHECK(listed.out == put.out);
  auto local = run(concat({"stat", "--dsn", schema.dsn(local_name)}, key));
  CHECK(local.status == 0);
  CHECK(local.out == put.out);
  auto bytes = run(concat({"get", "--node", second.address()}, key));
  CHECK(bytes.out == "shared through PostgreSQL");
  // The count that must come back to zero sees the second node's pool.
  CHECK(schema.connections_reaching(second_name, 2) == 2);

  CHECK(first.stop(SIGTERM) == 0);
  CHECK(schema.connections_settled(first_name) == 0);
  CHECK(schema.connections_settled(local_name) == 0);
  CHECK(run(concat({"exists", "--node", second.address()}, key)).out == "true\n");
  CHECK(run(concat({"rm", "--node", second.address()}, key)).status == 0);
  CHECK(second.stop(SIGINT) == 0);
  CHECK(schema.connections_settled(second_name) == 0);
  CHECK(schema.stored_artifacts() == 0);
}

TEST_CASE("32 concurrent puts through two nodes never take a tenant over its quota",
          "[.postgres]") {
  artifacts::testing::temporary_schema schema;
  temp_folder dir{"cli"};
  const std::vector<std::string> quota{"--quota-count", "10", "--quota-bytes", "1000"};
  node first{dir.path(), concat({"--dsn", schema.dsn(unique_application_name("first"))}, quota)};
  node second{dir.path(), concat({"--dsn", schema.dsn(unique_application_name("second"))}, quota)};
  const auto owner = scope_args("acme", "ada", "s-1");
  // Eight of the ten artifacts, and 800 of the 1000 bytes.
  for (int i = 0; i < 8; ++i) {
    auto put = run(concat({"put", "--node", first.address()}, owner),
                   {dir.path(), std::to_string(i) + std::string(99, 'x')});
    REQUIRE(put.status == 0);
  }
  std::vector<std::unique_ptr<child_process>> puts;
  for (int i = 0; i < 32; ++i) {
    const auto& via = i % 2 == 0 ? first : second;
    puts.push_back(start_command(
        concat({"put", "--node", via.address()}, owner),
        run_options{dir.path(), "racing " + std::to_string(i) + std::string(80, 'y')}));
  }
  int stored = 0;
  int refused = 0;
  for (auto& put : puts) {
    const int status = put->wait(command_bound);
    if (status == 0) {
      ++stored;
    } else if (status == 3 && put->err().rfind("error: quota_exceeded: put: tenant acme", 0) == 0) {
      ++refused;
    } else {
      FAIL("exit " << status << ": " << put->err());
    }
  }
  INFO(stored << " stored, " << refused << " refused");
  CHECK(stored == 2);
  CHECK(refused == 30);
  auto du = run({"du", "--node", second.address(), "--tenant", "acme"}, {dir.path()});
  CHECK(du.out.rfind("{\"count\":10,", 0) == 0);
  CHECK(schema.stored_artifacts() == 10);
  // A re-put of stored content never fails on quota; a delete frees room.
  auto again = run(concat({"put", "--node", second.address()}, owner),
                   {dir.path(), "0" + std::string(99, 'x')});
  CHECK(again.status == 0);
  auto ref = parse_ref(only_line(again.out));
  CHECK(run(concat(concat({"rm", "--node", first.address()}, owner), {"--id", ref.id()}),
            {dir.path()})
            .status == 0);
  CHECK(run(concat({"put", "--node", second.address()}, owner), {dir.path(), "fits now"}).status ==
        0);
  CHECK(first.stop(SIGTERM) == 0);
  CHECK(second.stop(SIGTERM) == 0);
}

TEST_CASE("32 concurrent identical puts against one node: one id, one row", "[.postgres]") {
  artifacts::testing::temporary_schema schema;
  temp_folder dir{"cli"};
  write_file(dir / "same.bin", binary_payload);
  const auto name = unique_application_name("node");
  node serving{dir.path(), {"--dsn", schema.dsn(name), "--pool", "8"}};
  const auto scope = scope_args("acme", "ada", "s-1");
  const auto args = concat({"put", "--node", serving.address()}, concat(scope, {"same.bin"}));
  // Under ThreadSanitizer, 32 instrumented commands starting at once starve
  // each other and the node of CPU past their connect bound; 8 still race.
  const int callers = artifacts::scenarios::load_volume(32, 8);
  std::vector<std::unique_ptr<child_process>> puts;
  for (int i = 0; i < callers; ++i) {
    puts.push_back(start_command(args, run_options{dir.path()}));
  }
  std::vector<std::string> outputs;
  for (auto& put : puts) {
    const int status = put->wait(command_bound);
    INFO(put->err());
    CHECK(status == 0);
    outputs.push_back(put->out());
  }
  for (const auto& output : outputs) {
    CHECK(output == outputs.front());
  }
  const auto ref = parse_ref(only_line(outputs.front()));
  CHECK(ref.sha256() == artifacts::sha256_hex(binary_payload));
  // What every command printed is what the store holds: read back through
  // the node, and the one row behind it, whose bytes are the file's. (The
  // primary key alone keeps a second row of one id out; this is what a put
  // that answered another ref than the one it stored would fail.)
  artifacts::scenarios::put_ledger ledger;
  ledger.acknowledged(artifacts::scenarios::put_request(
                          artifacts::scenarios::make_scope("acme", "ada", "s-1"), binary_payload),
                      ref);
  {
    auto session = connect_to(serving);
    artifacts::scenarios::failure_log served;
    ledger.check_served(session->client(), served, 1);
    INFO("read back: " << served.summary());
    CHECK(served.count() == 0);
  }
  auto stat = run(concat({"stat", "--node", serving.address()}, concat(scope, {"--id", ref.id()})));
  CHECK(stat.status == 0);
  CHECK(stat.out == outputs.front());
  artifacts::scenarios::failure_log rows;
  const auto found = ledger.check_rows(schema, rows);
  INFO("rows: " << rows.summary());
  CHECK(rows.count() == 0);
  CHECK(found.rows == 1);
  CHECK(found.acknowledged == 1);
  CHECK(schema.stored_artifacts() == 1);
  // The count that must come back to zero sees the node's pool.
  CHECK(schema.connections_reaching(name, 8) == 8);
  CHECK(serving.stop() == 0);
  CHECK(schema.connections_settled(name) == 0);
}

TEST_CASE("migrate on PostgreSQL applies the schema once", "[.postgres]") {
  artifacts::testing::temporary_schema schema;
  const auto name = unique_application_name("migrate");
  auto first = run({"migrate", "--dsn", schema.dsn(name)});
  INFO(first);
  CHECK(first.status == 0);
  CHECK(only_line(first.out).rfind("schema is up to date at version ", 0) == 0);
  CHECK(first.out.find("(driver: postgres)") != std::string::npos);
  const std::string applied_sql =
      "SELECT version, applied_at FROM schema_migrations ORDER BY version";
  const auto applied = schema.query(applied_sql);
  CHECK_FALSE(applied.empty());
  auto second = run({"migrate", "--dsn", schema.dsn(name)});
  INFO(second);
  CHECK(second.status == 0);
  CHECK(second.out == first.out);
  // The second run applied nothing: every version is recorded as the first
  // run applied it.
  CHECK(schema.query(applied_sql) == applied);
  CHECK(schema.connections_settled(name) == 0);
}

TEST_CASE("postgres: a node killed mid-stream restarts with every acknowledged put",
          "[.postgres]") {
  // A fresh schema for each kill point: Catch2 runs the case once per section.
  artifacts::testing::temporary_schema schema;
  const auto name = unique_application_name("crash");
  kill_restart_and_check(
      [&](const fs::path&) {
        return std::vector<std::string>{"--dsn", schema.dsn(name)};
      },
      // The count that must come back to zero below sees the nodes' pools.
      [&] { CHECK(schema.connections_named(name) > 0); });
  // The killed nodes' connections too: the server drops a backend whose
  // client is gone.
  CHECK(schema.connections_settled(name) == 0);
}

namespace {

// The bytes the store's open uploads hold, read from its SQLite file.
int64_t bytes_uploaded(const fs::path& file) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  sqlite3_stmt* stmt = nullptr;
  int64_t bytes = -1;
  if (sqlite3_prepare_v2(db,
                         "SELECT coalesce(sum(size_bytes), 0) FROM artifacts_uploads "
                         "WHERE committed IS NULL",
                         -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    bytes = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return bytes;
}

}  // namespace

TEST_CASE("put streams an input larger than its part size, in-process and through a node",
          "[cli][uploads]") {
  temp_folder dir{"cli"};
  const auto owner = scope_args("acme", "ada", "s-1");
  const auto data = artifacts::scenarios::patterned_bytes((1 << 20) + 123);
  write_file(dir / "data.bin", data);
  const std::vector<std::string> chunked{"--part-size", "64KiB"};

  auto put = run(concat(concat(concat({"put"}, owner), chunked), {"data.bin"}), {dir.path()});
  INFO(put.err);
  REQUIRE(put.status == 0);
  CHECK(put.err.empty());  // no progress without a terminal
  const auto ref = parse_ref(only_line(put.out));
  CHECK(ref.size_bytes() == static_cast<int64_t>(data.size()));
  CHECK(ref.sha256() == artifacts::scenarios::sha256_of(data));
  CHECK(ref.filename() == "data.bin");

  node serving{dir.path()};
  const std::vector<std::string> via{"--node", serving.address()};
  // From standard input through the node: the same content, the same ref.
  auto piped = run(concat(concat(concat({"put"}, via), owner), chunked), {dir.path(), data});
  REQUIRE(piped.status == 0);
  CHECK(only_line(piped.out) == only_line(put.out));
  auto other = artifacts::scenarios::patterned_bytes(300000, 5);
  auto text =
      run(concat(concat(concat({"put", "--text", "--namespace", "logs"}, via), owner), chunked),
          {dir.path(), other});
  REQUIRE(text.status == 0);
  const auto text_ref = parse_ref(only_line(text.out));
  CHECK(text_ref.mime_type() == "text/plain; charset=utf-8");
  CHECK(text_ref.id().rfind("logs_", 0) == 0);

  for (const auto& where : {via, std::vector<std::string>{}}) {
    auto got = run(concat(concat(concat({"get"}, where), owner), {"--id", ref.id()}), {dir.path()});
    CHECK(got.status == 0);
    CHECK(got.out == data);
    auto got_text =
        run(concat(concat(concat({"get"}, where), owner), {"--id", text_ref.id()}), {dir.path()});
    CHECK(got_text.out == other);
  }
  // Nothing is left open once the puts are done.
  CHECK(bytes_uploaded(dir / "artifacts.db") == 0);

  // An upload that is not there cannot be continued.
  auto unknown = run(concat(concat({"put", "--upload-id", std::string(32, 'a')}, owner), chunked),
                     {dir.path(), data});
  CHECK(unknown.status == 3);
  CHECK(unknown.err.rfind("error: upload_not_found: ", 0) == 0);
  CHECK(serving.stop(SIGINT) == 0);
}

TEST_CASE("put through a node that is killed and restarted resumes its upload",
          "[cli][uploads][crash]") {
  temp_folder dir{"cli"};
  const auto owner = scope_args("acme", "ada", "s-1");
  const auto data = artifacts::scenarios::patterned_bytes(2 << 20);
  auto first = std::make_unique<node>(dir.path());
  const auto port = first->port();

  artifacts::testing::child_options child;
  child.cwd = dir.path();
  child.environment = artifacts::testing::environment_with({}, "ARTIFACT_STORE_");
  child.stdin_pipe = true;
  child_process put{
      command_path(),
      concat(concat({"put", "--node", first->address(), "--part-size", "64KiB"}, owner),
             {"--filename", "resumed.bin"}),
      child};
  // A third of the bytes, and the node has some of them.
  const size_t split = data.size() / 3;
  put.write_input(std::string_view{data}.substr(0, split));
  const auto until = std::chrono::steady_clock::now() + artifacts::scenarios::hang_bound(60s);
  while (bytes_uploaded(dir / "artifacts.db") < static_cast<int64_t>(split / 2) &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(20ms);
  }
  const auto held = bytes_uploaded(dir / "artifacts.db");
  REQUIRE(held >= static_cast<int64_t>(split / 2));

  // The node dies with the upload open; another takes its port.
  CHECK(first->stop(SIGKILL) == 128 + SIGKILL);
  first.reset();
  node second{dir.path(), {}, {}, port};
  put.write_input(std::string_view{data}.substr(split));
  put.close_input();
  const int status = put.wait(command_bound);
  INFO(put.err());
  REQUIRE(status == 0);
  const auto ref = parse_ref(only_line(put.out()));
  CHECK(ref.size_bytes() == static_cast<int64_t>(data.size()));
  CHECK(ref.sha256() == artifacts::scenarios::sha256_of(data));
  CHECK(ref.filename() == "resumed.bin");
  auto got = run(concat(concat({"get", "--node", second.address()}, owner), {"--id", ref.id()}),
                 {dir.path()});
  CHECK(got.status == 0);
  CHECK(got.out == data);
  CHECK(bytes_uploaded(dir / "artifacts.db") == 0);
  CHECK(second.stop(SIGINT) == 0);
}

namespace {

// Whether the files hold the same bytes, read a few MiB at a time.
bool same_files(const fs::path& a, const fs::path& b) {
  std::ifstream left{a, std::ios::binary};
  std::ifstream right{b, std::ios::binary};
  std::string left_part(4 << 20, '\0');
  std::string right_part(4 << 20, '\0');
  while (left && right) {
    left.read(left_part.data(), static_cast<std::streamsize>(left_part.size()));
    right.read(right_part.data(), static_cast<std::streamsize>(right_part.size()));
    if (left.gcount() != right.gcount() ||
        left_part.compare(0, static_cast<size_t>(left.gcount()), right_part, 0,
                          static_cast<size_t>(right.gcount())) != 0) {
      return false;
    }
  }
  return left.eof() && right.eof();
}

// Writes `size` patterned bytes to `path`, 4 MiB at a time.
void write_large_file(const fs::path& path, uint64_t size) {
  std::ofstream out{path, std::ios::binary};
  const auto block = artifacts::scenarios::patterned_bytes(4 << 20);
  for (uint64_t written = 0; written < size;) {
    const auto n = std::min<uint64_t>(block.size(), size - written);
    // Each block differs from the last, so that no two are alike.
    std::string part = block.substr(0, static_cast<size_t>(n));
    part[0] = static_cast<char>(written >> 22);
    part[1] = static_cast<char>(written >> 30);
    out.write(part.data(), static_cast<std::streamsize>(n));
    written += n;
  }
  REQUIRE(out.good());
}

// The largest resident memory a command or a node may reach while it moves
// a large artifact.
constexpr long memory_bound_kib = 128 * 1024;

// Puts a file of `size` bytes through a node serving `dsn` with the
// command, gets it back with the command, and checks the bytes and, when
// `bounded`, the peak resident memory of both commands and of the node.
void move_large_artifact(const std::string& driver, const std::string& dsn, uint64_t size,
                         bool bounded = true) {
  temp_folder dir{"cli-large"};
  write_large_file(dir / "large.bin", size);
  node serving{dir.path(), {"--dsn", dsn}};
  const auto owner = scope_args("acme", "ada", "s-1");
  const std::vector<std::string> via{"--node", serving.address()};

  const auto put_started = std::chrono::steady_clock::now();
  auto put_process = start_command(concat(concat(concat({"put"}, via), owner), {"large.bin"}),
                                   run_options{dir.path()});
  const int put_status = put_process->wait(command_bound * 4);
  const std::chrono::duration<double> put_took = std::chrono::steady_clock::now() - put_started;
  INFO(put_process->err());
  REQUIRE(put_status == 0);
  const auto ref = parse_ref(only_line(put_process->out()));
  CHECK(ref.size_bytes() == static_cast<int64_t>(size));

  const auto get_started = std::chrono::steady_clock::now();
  auto get_process = start_command(
      concat(concat(concat({"get"}, via), owner), {"--id", ref.id(), "-o", "back.bin"}),
      run_options{dir.path()});
  const int get_status = get_process->wait(command_bound * 4);
  const std::chrono::duration<double> get_took = std::chrono::steady_clock::now() - get_started;
  REQUIRE(get_status == 0);
  CHECK(fs::file_size(dir / "back.bin") == size);
  CHECK(same_files(dir / "large.bin", dir / "back.bin"));
  REQUIRE(serving.stop(SIGTERM) == 0);

  const double mib = static_cast<double>(size) / (1 << 20);
  const long put_kib = put_process->peak_rss_kib().value_or(-1);
  const long get_kib = get_process->peak_rss_kib().value_or(-1);
  const long node_kib = serving.peak_rss_kib().value_or(-1);
  WARN(mib << " MiB through a node on " << driver << ": put " << put_took.count() << " s ("
           << mib / put_took.count() << " MiB/s), get " << get_took.count() << " s ("
           << mib / get_took.count() << " MiB/s); peak resident: put " << put_kib / 1024
           << " MiB, get " << get_kib / 1024 << " MiB, node " << node_kib / 1024 << " MiB");
  // Instrumented builds keep shadow memory and quarantines of their own.
  if (bounded && !artifacts::scenarios::address_sanitizer_build &&
      !artifacts::scenarios::thread_sanitizer_build) {
    CHECK(put_kib > 0);
    CHECK(put_kib < memory_bound_kib);
    CHECK(get_kib < memory_bound_kib);
    CHECK(node_kib < memory_bound_kib);
  }
}

}  // namespace

TEST_CASE("a 2 GiB artifact moves through a node on fs in bounded memory",
          "[cli][uploads][large]") {
  const uint64_t size =
      artifacts::scenarios::address_sanitizer_build || artifacts::scenarios::thread_sanitizer_build
          ? uint64_t{64} << 20
          : uint64_t{2} << 30;
  temp_folder store{"cli-large-store"};
  move_large_artifact("fs", "fs:" + (store / "tree").string(), size);
}

TEST_CASE("a 512 MiB artifact moves through a node on PostgreSQL in bounded memory",
          "[.postgres][uploads][large]") {
  artifacts::testing::temporary_schema schema;
  const uint64_t size =
      artifacts::scenarios::address_sanitizer_build || artifacts::scenarios::thread_sanitizer_build
          ? uint64_t{64} << 20
          : uint64_t{512} << 20;
  move_large_artifact("PostgreSQL", schema.dsn(unique_application_name("large")), size);
}

TEST_CASE("a 900 MiB artifact moves through a node on SQLite", "[cli][uploads][large]") {
  const uint64_t size =
      artifacts::scenarios::address_sanitizer_build || artifacts::scenarios::thread_sanitizer_build
          ? uint64_t{64} << 20
          : uint64_t{900} << 20;
  temp_folder store{"cli-large-store"};
  // SQLite builds the committed row whole in memory (docs/design.md §2.3):
  // the node's memory is not bounded here, only the bytes are checked.
  move_large_artifact("SQLite", "sqlite:" + (store / "large.db").string(), size, false);
}

TEST_CASE("migrate --status prints the versions, and a newer schema is refused with exit 3",
          "[cli]") {
  temp_folder dir{"cli"};
  const std::vector<std::string> dsn{"--dsn", "sqlite:store.db"};
  auto fresh = run(concat({"migrate", "--status"}, dsn), {dir.path()});
  CHECK(fresh.status == 0);
  CHECK(fresh.out == "driver: sqlite\napplied: none\npending: 1, 2, 3, 4\n");
  CHECK_FALSE(fs::exists(dir / "store.db"));

  REQUIRE(run(concat({"migrate"}, dsn), {dir.path()}).status == 0);
  auto current = run(concat({"migrate", "--status"}, dsn), {dir.path()});
  CHECK(current.out == "driver: sqlite\napplied: 1, 2, 3, 4\npending: none\n");

  // A newer binary applied version 99: nothing serves the file any more.
  CHECK(rows_changed(dir / "store.db", "INSERT INTO schema_migrations (version) VALUES (99)") == 1);
  auto refused = run(concat({"ls", "--tenant", "t"}, dsn), {dir.path()});
  CHECK(refused.status == 3);
  CHECK(refused.err.rfind("error: internal: open: the database's schema is at version 99", 0) == 0);
  CHECK(run(concat({"migrate"}, dsn), {dir.path()}).status == 3);
  auto newer = run(concat({"migrate", "--status"}, dsn), {dir.path()});
  CHECK(newer.status == 0);
  CHECK(newer.out ==
        "driver: sqlite\napplied: 1, 2, 3, 4\npending: none\nnewer than this artifact-store: 99\n");
  CHECK(run(concat({"migrate", "--status"}, {"--dsn", "memory:"}), {dir.path()}).out ==
        "driver: memory\napplied: none\npending: none\n");
}
