// The filesystem driver at the storage level: open_driver + operations, no
// actors. The cases every driver passes are registered from driver_cases;
// here are the fs driver's own: its path encoding, lock, sweep and sidecars.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <google/protobuf/util/message_differencer.h>
#include <catch2/catch.hpp>

#include <artifact_store/errc.hpp>

#include "scenarios/driver_cases.hpp"
#include "scenarios/driver_test_support.hpp"
#include "scenarios/load_scale.hpp"
#include "storage/fs/fs_layout.hpp"
#include "storage/fs/fs_sidecar.hpp"
#include "storage/fs/fs_timed_lock.hpp"
#include "storage/open_driver.hpp"
#include "storage/operations.hpp"

namespace {

using namespace artifacts;
using namespace artifacts::testing;
using namespace artifacts::scenarios;
namespace stdfs = std::filesystem;
using google::protobuf::util::MessageDifferencer;

// The artifacts a store rooted at `root` holds: its sidecar files, each of
// which commits one artifact.
size_t sidecars_under(const stdfs::path& root) {
  size_t count = 0;
  if (!stdfs::exists(root / "v1")) {
    return 0;
  }
  for (const auto& entry : stdfs::recursive_directory_iterator(root / "v1")) {
    const auto name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() > fs::ref_suffix.size() &&
        name.compare(name.size() - fs::ref_suffix.size(), fs::ref_suffix.size(), fs::ref_suffix) ==
            0) {
      ++count;
    }
  }
  return count;
}

[[maybe_unused]] const bool cases_registered = register_driver_cases(
    "fs", folder_store_factory(
              "fs", "fs-test", [](const stdfs::path& folder) { return "fs:" + folder.string(); },
              sidecars_under));

// A store on a fresh root of its own, and a backend of it.
struct fs_store {
  temp_folder folder{"fs-test"};
  std::shared_ptr<driver> drv = open_driver(options_for("fs:" + folder.path().string()));
  std::unique_ptr<operations> ops = open_ops(*drv);
};

// The path of an artifact's sidecar relative to the store's root.
stdfs::path relative_sidecar(const v1::Scope& scope, std::string_view ns, std::string_view id) {
  auto where = fs::locate(scope, ns, id);
  stdfs::path path = "v1";
  for (const auto& name : where.folders) {
    path /= name;
  }
  return path / (where.stem + std::string(fs::ref_suffix));
}

// The path of the sidecar of `ref`, in the store rooted at `root`.
stdfs::path sidecar_path(const stdfs::path& root, const v1::ArtifactRef& ref) {
  return root / relative_sidecar(ref.scope(), ref.namespace_(), ref.id());
}

// Scope values that stress the encoding: separators, dot names, the escape
// and marker characters, case, unicode and lengths past NAME_MAX.
std::vector<std::string> awkward_values() {
  return {"",
          "_",
          "+",
          ".",
          "..",
          "...",
          "%",
          "%25",
          "%2f",
          "/",
          "\\",
          "A/B",
          "a/b",
          "A",
          "a",
          "_a",
          "+a",
          ".hidden",
          "a.b",
          " ",
          "-",
          "\xC3\xA9",
          "\xE6\x97\xA5\xE6\x9C\xAC",
          "\xF0\x9F\x98\x80",
          "line\nbreak",
          std::string(300, 'a'),
          std::string(300, 'A'),
          std::string(1000, 'z'),
          std::string(1000, '%')};
}

std::string random_value(std::mt19937& rng) {
  static const std::string alphabet = "aA_+.%/\\-z09 \xC3\xA9";
  std::uniform_int_distribution<int> length_of(0, 12);
  std::uniform_int_distribution<int> kind_of(0, 9);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> any_byte(1, 255);
  int length = length_of(rng);
  int kind = kind_of(rng);
  if (kind == 0) {
    length = 190 + length * 8;  // around the chunk size once escaped
  } else if (kind == 1) {
    length = 1000;
  }
  std::string out;
  for (int i = 0; i < length; ++i) {
    out.push_back(kind == 2 ? static_cast<char>(any_byte(rng)) : alphabet[pick(rng)]);
  }
  return out;
}

bool is_safe_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 255) {
    return false;
  }
  if (name.front() != fs::final_marker && name.front() != fs::continued_marker) {
    return false;
  }
  return std::all_of(name.begin() + 1, name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '%';
  });
}

}  // namespace

TEST_CASE("fs: the path encoding is injective and stays under the root", "[fs][layout]") {
  const stdfs::path root = "/srv/artifacts";
  std::mt19937 rng(20240601);
  auto awkward = awkward_values();
  std::uniform_int_distribution<size_t> pick_awkward(0, awkward.size() - 1);
  auto value = [&] { return rng() % 2 == 0 ? awkward[pick_awkward(rng)] : random_value(rng); };

  using tuple =
      std::tuple<std::string, std::string, std::string, std::string, std::string, std::string>;
  std::map<std::string, tuple> seen;
  size_t failures = 0;
  const int samples = load_volume(20000, 4000);
  for (int i = 0; i < samples && failures < 10; ++i) {
    tuple t{value(), value(), value(), value(), value(), value()};
    auto scope = make_scope(std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t));
    auto where = fs::locate(scope, std::get<4>(t), std::get<5>(t));

    std::string path;
    for (const auto& name : where.folders) {
      if (!is_safe_name(name)) {
        ++failures;
        FAIL_CHECK("unsafe folder name " << name);
      }
      path += name + "/";
    }
    const std::string sidecar = where.stem + std::string(fs::ref_suffix);
    if (!is_safe_name(where.stem) || !is_safe_name(sidecar)) {
      ++failures;
      FAIL_CHECK("unsafe file stem " << where.stem);
    }
    path += where.stem;

    auto full = (root / "v1" / path).lexically_normal();
    auto inside = full.lexically_relative(root);
    if (inside.empty() || *inside.begin() == "..") {
      ++failures;
      FAIL_CHECK("path leaves the root: " << full);
    }

    auto [pos, inserted] = seen.emplace(path, t);
    if (!inserted && pos->second != t) {
      ++failures;
      FAIL_CHECK("two tuples share the path " << path);
    }
  }
  CHECK(failures == 0);
  // Random tuples rarely repeat: most of them are distinct.
  CHECK(seen.size() > static_cast<size_t>(samples) * 3 / 4);
}

TEST_CASE("fs: values decode back from their names", "[fs][layout]") {
  std::mt19937 rng(99);
  auto values = awkward_values();
  for (int i = 0; i < 5000; ++i) {
    values.push_back(random_value(rng));
  }
  for (const auto& value : values) {
    auto names = fs::encode_value(value);
    REQUIRE(!names.empty());
    std::string escaped;
    for (size_t i = 0; i < names.size(); ++i) {
      CHECK(names[i].front() == (i + 1 == names.size() ? fs::final_marker : fs::continued_marker));
      CHECK(names[i].size() <= 1 + fs::fs_chunk_chars);
      escaped += names[i].substr(1);
    }
    auto decoded = fs::decode_escaped(escaped);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == value);
  }
  CHECK_FALSE(fs::decode_escaped("%2").has_value());
  CHECK_FALSE(fs::decode_escaped("%zz").has_value());
  CHECK_FALSE(fs::decode_escaped("%61").has_value());  // 'a' has one spelling
  CHECK_FALSE(fs::decode_escaped("A").has_value());
}

TEST_CASE("fs: the classic ambiguous scopes get distinct paths", "[fs][layout]") {
  CHECK(relative_sidecar(make_scope("A", "B/C", "D", "E"), "ns", "ns_1") !=
        relative_sidecar(make_scope("A", "B", "C/D", "E"), "ns", "ns_1"));
  CHECK(relative_sidecar(make_scope("t", "u", "s", ""), "ns", "ns_1") !=
        relative_sidecar(make_scope("t", "u", "s", "_"), "ns", "ns_1"));
  CHECK(relative_sidecar(make_scope("a", "u", "s"), "ns", "ns_1") !=
        relative_sidecar(make_scope("A", "u", "s"), "ns", "ns_1"));

  fs_store store;
  auto& ops = store.ops;
  auto slash_in_user = make_scope("A", "B/C", "D", "E");
  auto slash_in_session = make_scope("A", "B", "C/D", "E");
  auto ref = ops->put(put_request(slash_in_user, "slashes"));
  CHECK(ops->exists(make_key(slash_in_user, ref.id())));
  CHECK_FALSE(ops->exists(make_key(slash_in_session, ref.id())));

  auto no_task = make_scope("t", "u", "s", "");
  auto underscore_task = make_scope("t", "u", "s", "_");
  auto session_ref = ops->put(put_request(no_task, "task scoped?"));
  CHECK_FALSE(ops->exists(make_key(underscore_task, session_ref.id())));
  CHECK_FALSE(ops->remove(make_key(underscore_task, session_ref.id())));
  CHECK(ops->exists(make_key(no_task, session_ref.id())));
}

TEST_CASE("fs: awkward scopes round-trip on disk and stay under the root", "[fs]") {
  temp_folder folder("fs-test");
  auto root = folder.path() / "root";
  auto drv = open_driver(options_for("fs:" + root.string()));
  auto ops = open_ops(*drv);
  auto awkward = awkward_values();
  // Within the store's input limits (UTF-8, no NUL, at most 256 bytes), with
  // room for the suffixes added below.
  awkward.erase(std::remove_if(awkward.begin(), awkward.end(),
                               [](const std::string& v) { return v.size() > 250; }),
                awkward.end());
  awkward.push_back(std::string(250, 'Q'));
  std::string accents;
  while (accents.size() < 250) {
    accents += "\xC3\xA9";
  }
  awkward.push_back(accents);

  std::vector<std::pair<v1::Scope, v1::ArtifactRef>> stored;
  for (size_t i = 0; i < awkward.size(); ++i) {
    const auto& v = awkward[i];
    auto identity = v.empty() || v == " " ? std::string("x") : v;
    auto scope = make_scope(identity, awkward[(i + 3) % awkward.size()] + "u", identity + "s", v);
    auto request = put_request(scope, "bytes " + std::to_string(i), "ns " + v.substr(0, 100));
    stored.emplace_back(scope, ops->put(request));
  }
  for (const auto& [scope, ref] : stored) {
    auto blob = ops->get(make_key(scope, ref.id()));
    CHECK(blob.found());
    auto got = ops->get_ref(make_key(scope, ref.id()));
    REQUIRE(got.found());
    CHECK(MessageDifferencer::Equals(got.ref(), ref));
  }
  CHECK(list_all(*ops, make_scope("", "", ""), 5).size() == stored.size());

  // Nothing but the lock, the tree and the uploads at the root, nothing beside
  // it.
  std::vector<std::string> top;
  for (const auto& entry : stdfs::directory_iterator(root)) {
    top.push_back(entry.path().filename().string());
  }
  std::sort(top.begin(), top.end());
  CHECK(top == std::vector<std::string>{".lock", "uploads", "v1"});
  CHECK(std::distance(stdfs::directory_iterator(folder.path()), stdfs::directory_iterator()) == 1);
  for (const auto& entry : stdfs::recursive_directory_iterator(root / "v1")) {
    CHECK(entry.path().filename().string().size() <= 255);
    CHECK_FALSE(entry.is_symlink());
  }
}

TEST_CASE("fs: the per-key write lock is exclusive and its wait is bounded", "[fs][concurrency]") {
  using namespace std::chrono_literals;
  fs::timed_lock lock;
  REQUIRE(lock.try_lock_for(0ms));

  // Held: another writer gives up when its wait runs out.
  bool taken = true;
  std::thread([&] { taken = lock.try_lock_for(50ms); }).join();
  CHECK_FALSE(taken);

  // Released: a waiting writer gets it, whether it began waiting before the
  // release or after.
  std::thread waiter([&] {
    taken = lock.try_lock_for(60s);
    if (taken) {
      lock.unlock();
    }
  });
  lock.unlock();
  waiter.join();
  CHECK(taken);

  // Writers that take turns lose no update.
  constexpr int writers = 8;
  constexpr int turns = 200;
  int updates = 0;
  std::vector<std::thread> running;
  for (int w = 0; w < writers; ++w) {
    running.emplace_back([&] {
      for (int t = 0; t < turns; ++t) {
        if (lock.try_lock_for(60s)) {
          ++updates;
          lock.unlock();
        }
      }
    });
  }
  for (auto& thread : running) {
    thread.join();
  }
  CHECK(updates == writers * turns);
}

TEST_CASE("fs: a second store on the same root is refused", "[fs]") {
  temp_folder folder("fs-test");
  auto dsn = "fs:" + folder.path().string();
  auto first = open_driver(options_for(dsn));
  auto backend_of_first = open_ops(*first);
  try {
    open_driver(options_for(dsn));
    FAIL("the second open should be refused");
  } catch (const store_error& e) {
    CHECK(e.code() == errc::unavailable);
    CHECK(std::string(e.what()) ==
          "open: " + folder.path().string() + " is in use by another store");
  }
  // The lock lasts as long as the driver and every backend it opened.
  first.reset();
  CHECK_THROWS_AS(open_driver(options_for(dsn)), store_error);
  backend_of_first.reset();
  CHECK_NOTHROW(open_driver(options_for(dsn)));
}

TEST_CASE("fs: opening sweeps what interrupted writes left behind", "[fs]") {
  temp_folder folder("fs-test");
  auto dsn = "fs:" + folder.path().string();
  auto scope = make_scope("t", "u", "s");
  // Folder names that look like an artifact's files must survive the sweep.
  auto file_like = make_scope("report.json", "u.bin", "s", ".tmp-x");
  v1::ArtifactRef kept;
  v1::ArtifactRef file_like_ref;
  v1::ArtifactRef uncommitted;
  {
    auto drv = open_driver(options_for(dsn));
    auto ops = open_ops(*drv);
    kept = ops->put(put_request(scope, "complete"));
    file_like_ref = ops->put(put_request(file_like, "in odd folders", "x.json"));
    uncommitted = ops->put(put_request(scope, "interrupted before its sidecar"));
  }
  auto artifact_folder = sidecar_path(folder.path(), kept).parent_path();
  auto lost_sidecar = sidecar_path(folder.path(), uncommitted);
  auto lost_bytes = stdfs::path(lost_sidecar).replace_extension(".bin");
  stdfs::remove(lost_sidecar);
  std::ofstream(artifact_folder / ".tmp-123-456-7") << "half a file";
  std::ofstream(folder.path() / "v1" / ".tmp-1-2-3") << "half a file";
  stdfs::create_directories(folder.path() / "v1" / "_empty" / "_folders");
  REQUIRE(stdfs::exists(lost_bytes));

  auto drv = open_driver(options_for(dsn));
  auto ops = open_ops(*drv);
  CHECK_FALSE(stdfs::exists(artifact_folder / ".tmp-123-456-7"));
  CHECK_FALSE(stdfs::exists(folder.path() / "v1" / ".tmp-1-2-3"));
  CHECK_FALSE(stdfs::exists(lost_bytes));
  CHECK_FALSE(stdfs::exists(folder.path() / "v1" / "_empty"));
  CHECK(ops->get(make_key(scope, kept.id())).data() == "complete");
  CHECK_FALSE(ops->exists(make_key(scope, uncommitted.id())));
  CHECK(list_all(*ops, scope, 10).size() == 1);
  CHECK(ops->get(make_key(file_like, file_like_ref.id())).data() == "in odd folders");
}

TEST_CASE("fs: an artifact without a readable sidecar is absent", "[fs]") {
  fs_store store;
  auto& ops = store.ops;
  const auto scope = make_scope("t", "u", "s");
  auto ref = ops->put(put_request(scope, "soon unreadable"));
  std::ofstream(sidecar_path(store.folder.path(), ref), std::ios::trunc) << "{not json";
  CHECK_FALSE(ops->get(make_key(scope, ref.id())).found());
  CHECK_FALSE(ops->exists(make_key(scope, ref.id())));
  CHECK(list_all(*ops, scope, 10).empty());
  // A put repairs it.
  auto again = ops->put(put_request(scope, "soon unreadable"));
  CHECK(ops->get(make_key(scope, again.id())).data() == "soon unreadable");
}

TEST_CASE("fs: a sidecar whose identity holds a NUL byte is absent", "[fs]") {
  fs_store store;
  auto& ops = store.ops;
  auto scope = make_scope("t", "u", "s");
  auto ref = ops->put(put_request(scope, "kept"));
  // What a damaged tree can hold: a folder whose name decodes to a value with
  // a NUL byte ("%00"), and a sidecar that claims that value. No put stores
  // one, and a listing could not continue after it.
  auto damaged = ref;
  damaged.mutable_scope()->set_task(std::string("a\0b", 3));
  auto path = sidecar_path(store.folder.path(), damaged);
  stdfs::create_directories(path.parent_path());
  std::ofstream(path) << fs::sidecar_json("test", damaged);
  REQUIRE(fs::parse_sidecar(fs::sidecar_json("test", ref)).has_value());
  CHECK_FALSE(fs::parse_sidecar(fs::sidecar_json("test", damaged)).has_value());

  auto listed = list_all(*ops, make_scope("t", "", ""), 1);
  REQUIRE(listed.size() == 1);
  CHECK(MessageDifferencer::Equals(listed[0], ref));
}
