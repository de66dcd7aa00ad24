// The open root of a filesystem store, shared by its driver and backends.
#pragma once

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "storage/fs/fs_io.hpp"
#include "storage/fs/fs_layout.hpp"
#include "storage/fs/fs_timed_lock.hpp"

namespace artifacts::fs {

class tree {
 public:
  // Opens the folder `root` (creating it, ROOT/v1 and ROOT/uploads when
  // missing), takes
  // the exclusive lock on ROOT/.lock and sweeps what interrupted writes left
  // under ROOT/v1 (see fs_sweep.hpp). Throws store_error(unavailable,
  // "open: <root> is in use by another store") when another store holds the
  // lock, std::system_error for I/O failures.
  tree(const std::string& root, std::chrono::milliseconds lock_timeout);

  // ROOT/v1, the folder every location is relative to.
  int folder() const noexcept { return folder_.get(); }

  // ROOT/uploads, the folder of streamed uploads (fs_uploads.hpp). It lies
  // beside ROOT/v1, not in it: listings, usage, purges and sweeps of
  // artifacts never walk it, and no scope's names can lead into it.
  int uploads() const noexcept { return uploads_.get(); }

  // Serialises the writers of one artifact (puts and deletes of one key)
  // inside this store, waiting at most the lock timeout. Throws
  // store_error(unavailable) naming `op` when the wait runs out.
  std::unique_lock<timed_lock> lock_key(std::string_view op, const location& where);

  // Serialises the puts into one tenant that check its quota, waiting at
  // most the lock timeout (unavailable after it). Taken before lock_key,
  // never after it.
  std::unique_lock<timed_lock> lock_tenant(std::string_view op, std::string_view tenant);

  // Serialises the calls on one upload (the folder `name` in uploads())
  // inside this store, waiting at most the lock timeout (unavailable after
  // it). Taken before lock_tenant and lock_key, never after them. No other
  // process writes the root while this store holds ROOT/.lock, so a lock
  // of this process is a lock of the store.
  std::unique_lock<timed_lock> lock_upload(std::string_view op, std::string_view name);

 private:
  unique_fd root_;
  unique_fd lock_;
  unique_fd folder_;
  unique_fd uploads_;
  std::chrono::milliseconds lock_timeout_;
  std::array<timed_lock, 64> stripes_;
  std::array<timed_lock, 16> tenant_stripes_;
  std::array<timed_lock, 64> upload_stripes_;
};

}  // namespace artifacts::fs
