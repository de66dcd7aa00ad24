// The backend of the filesystem driver.
#pragma once

#include <memory>

#include <artifact_store/storage_options.hpp>

#include "storage/backend.hpp"
#include "storage/fs/fs_tree.hpp"

namespace artifacts::fs {

// Serves the backend contract on `root`, which the backend keeps open (and
// locked) as long as it lives. Any number of backends may share one tree:
// puts and deletes of one key are serialised by the tree's key lock, the
// calls on one upload by its upload lock, and readers never see a
// half-written artifact.
std::unique_ptr<backend> make_fs_backend(std::shared_ptr<tree> root, wall_clock clock);

}  // namespace artifacts::fs
