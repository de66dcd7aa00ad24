#include "storage/fs/fs_tree.hpp"

#include <functional>

#include <artifact_store/errc.hpp>

#include "storage/fs/fs_sweep.hpp"

namespace artifacts::fs {

namespace {

constexpr char lock_file_name[] = ".lock";
constexpr char tree_folder_name[] = "v1";
constexpr char uploads_folder_name[] = "uploads";

}  // namespace

tree::tree(const std::string& root, std::chrono::milliseconds lock_timeout)
    : root_(open_root(root)), lock_timeout_(lock_timeout) {
  lock_ = try_lock_file(root_.get(), lock_file_name);
  if (!lock_) {
    throw store_error(errc::unavailable, "open: " + root + " is in use by another store");
  }
  folder_ = open_folder(root_.get(), tree_folder_name, true);
  uploads_ = open_folder(root_.get(), uploads_folder_name, true);
  sweep(folder_.get());
}

std::unique_lock<timed_lock> tree::lock_key(std::string_view op, const location& where) {
  size_t hash = std::hash<std::string>{}(where.stem);
  for (const auto& name : where.folders) {
    hash = hash * 31 + std::hash<std::string>{}(name);
  }
  std::unique_lock<timed_lock> guard(stripes_[hash % stripes_.size()], std::defer_lock);
  if (!guard.try_lock_for(lock_timeout_)) {
    throw store_error(errc::unavailable,
                      std::string(op) + ": timed out waiting for another write of the artifact");
  }
  return guard;
}

std::unique_lock<timed_lock> tree::lock_tenant(std::string_view op, std::string_view tenant) {
  auto& stripe = tenant_stripes_[std::hash<std::string_view>{}(tenant) % tenant_stripes_.size()];
  std::unique_lock<timed_lock> guard(stripe, std::defer_lock);
  if (!guard.try_lock_for(lock_timeout_)) {
    throw store_error(errc::unavailable,
                      std::string(op) + ": timed out waiting for another put into the tenant");
  }
  return guard;
}

std::unique_lock<timed_lock> tree::lock_upload(std::string_view op, std::string_view name) {
  auto& stripe = upload_stripes_[std::hash<std::string_view>{}(name) % upload_stripes_.size()];
  std::unique_lock<timed_lock> guard(stripe, std::defer_lock);
  if (!guard.try_lock_for(lock_timeout_)) {
    throw store_error(errc::unavailable,
                      std::string(op) + ": timed out waiting for another call on the upload");
  }
  return guard;
}

}  // namespace artifacts::fs
