// The hostile-input table (scenarios/hostile_inputs.hpp) against the memory,
// SQLite and filesystem drivers, each in-process and through a node.
#include <csignal>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>

#include "scenarios/driver_fixtures.hpp"
#include "scenarios/driver_test_support.hpp"
#include "scenarios/hostile_inputs.hpp"

namespace {

namespace stdfs = std::filesystem;
using artifacts::scenarios::hostile_target;
using artifacts::scenarios::register_hostile_suite;
using artifacts::scenarios::store_access;
using artifacts::testing::temp_folder;

// A peer that hangs up mid-write must not kill the test process.
[[maybe_unused]] const auto sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN);

// Everything under `sandbox` except the inside of the store's root
// (sandbox/<store folder>/root): where a name that escaped the root would
// land. Also counts symbolic links inside the root, of which the driver
// makes none.
std::string around_the_root(const stdfs::path& sandbox) {
  std::ostringstream seen;
  size_t links_in_root = 0;
  std::error_code ec;
  for (stdfs::recursive_directory_iterator it{sandbox, ec}, end; !ec && it != end;
       it.increment(ec)) {
    const auto relative = it->path().lexically_relative(sandbox);
    const bool in_root = std::distance(relative.begin(), relative.end()) >= 2 &&
                         *std::next(relative.begin()) == "root";
    if (in_root) {
      links_in_root += it->is_symlink() ? 1 : 0;
      continue;
    }
    seen << relative.string() << (it->is_directory() ? "/" : "") << "\n";
  }
  if (ec) {
    seen << "cannot walk the sandbox: " << ec.message() << "\n";
  }
  seen << links_in_root << " symbolic links in the root\n";
  return seen.str();
}

hostile_target fs_target(store_access access) {
  // The store's folder lives in a sandbox of its own, so that the sandbox
  // shows anything written next to the root or above it.
  auto sandbox = std::make_shared<temp_folder>("hostile-fs-sandbox");
  hostile_target target;
  target.make = artifacts::scenarios::fs_store_factory(access, sandbox->path());
  target.outside = [path = sandbox->path()] { return around_the_root(path); };
  target.resources = sandbox;
  return target;
}

hostile_target plain_target(artifacts::scenarios::store_factory make) {
  hostile_target target;
  target.make = std::move(make);
  return target;
}

[[maybe_unused]] const bool registered = [] {
  for (auto access : {store_access::in_process, store_access::node}) {
    const std::string how = artifacts::scenarios::to_string(access);
    register_hostile_suite("memory " + how, [access] {
      return plain_target(artifacts::scenarios::memory_store_factory(access));
    });
    register_hostile_suite("sqlite " + how, [access] {
      return plain_target(artifacts::scenarios::sqlite_store_factory(access));
    });
    register_hostile_suite("fs " + how, [access] { return fs_target(access); });
  }
  return true;
}();

}  // namespace
