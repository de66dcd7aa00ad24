// What tests that drive a storage driver directly (open_driver + operations,
// no actors) share: temporary folders, requests, paging, and the
// concurrency workloads every embedded driver must survive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "messages/artifacts.pb.h"
#include "storage/driver.hpp"
#include "storage/operations.hpp"
#include "storage/storage_options.hpp"

namespace artifacts::testing {

// A fresh, empty folder under `parent` (the system's temporary folder when
// empty), named after `label`, the process and a counter, so that parallel
// test processes never share one. Removed with everything in it on
// destruction; a failure to remove is ignored so that destruction never
// throws. Throws std::filesystem::filesystem_error when the folder cannot be
// created.
class temp_folder {
 public:
  explicit temp_folder(std::string_view label, const std::filesystem::path& parent = {});
  ~temp_folder();
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

// The number of file descriptors of this process open on files under
// `folder` (its database, journal, lock or artifact files): how a test
// counts the connections of an embedded store and sees that a closed one
// left none behind.
size_t open_files_under(const std::filesystem::path& folder);

// Default storage options with `dsn` set.
storage_options options_for(const std::string& dsn);

v1::Scope make_scope(std::string tenant, std::string user, std::string session,
                     std::string task = "");

// A put of `data` under `scope`; the other fields keep their defaults.
v1::PutRequest put_request(const v1::Scope& scope, std::string data, std::string ns = "",
                           std::string filename = "");

v1::Key key_of(const v1::Scope& scope, const std::string& id);

// Operations over a fresh backend of `drv`. Throws what open_backend throws.
std::unique_ptr<operations> open_ops(driver& drv);

// Every ref matching `filter`, read `page` refs at a time until the listing
// ends. Throws what operations::list throws.
std::vector<v1::ArtifactRef> list_all(operations& ops, const v1::Scope& filter, uint32_t page);

// True when both hold equal refs in the same order.
bool same_refs(const std::vector<v1::ArtifactRef>& a, const std::vector<v1::ArtifactRef>& b);

// Backends shared by many threads, each used by one thread at a time, like
// the workers of a store. with(i, use) runs use(operations&) on backend
// i mod size under that backend's lock and returns what it returns.
class backend_pool {
 public:
  backend_pool(driver& drv, size_t size);

  template <class F>
  auto with(size_t index, F&& use) {
    std::lock_guard<std::mutex> guard{locks_[index % ops_.size()]};
    return use(*ops_[index % ops_.size()]);
  }

 private:
  std::vector<std::mutex> locks_;
  std::vector<std::unique_ptr<operations>> ops_;
};

// `threads` threads put the same bytes (each under its own filename) into
// one scope through `backends` backends of `drv`. Checks, as Catch2
// assertions, that no put failed, that all returned the same ref and that
// the scope lists exactly that one ref.
void check_identical_puts_leave_one_row(driver& drv, size_t backends, size_t threads);

// `threads` threads each run `rounds` of put, get, get_ref, exists, list and
// (every other round) delete over a handful of overlapping scopes, through
// `backends` backends of `drv`. Checks, as Catch2 assertions, that no call
// failed and that no call returned another artifact's bytes, digest or
// scope.
void check_mixed_operations(driver& drv, size_t backends, size_t threads, int rounds);

// Opens a driver with `options` (whose make_id it replaces: every artifact
// of namespace "clash" gets one id, so two contents there collide) and puts
// one batch through operations::put_batch: new bytes, the same bytes again,
// two colliding contents, a wrong digest, a re-put of an artifact stored
// before, a put without a tenant and other new bytes. Checks, as Catch2
// assertions, that each put got its own outcome (the valid ones stored or
// answered with the row already there, the others their own error) and
// that the scope then lists exactly the four artifacts stored.
void check_put_batch_outcomes(storage_options options);

}  // namespace artifacts::testing
