// Creating the folders a DSN names so that they survive a power cut.
#pragma once

#include <filesystem>

namespace artifacts {

// Creates `path` and every missing folder above it, and after each mkdir
// syncs the folder that holds the new one: a folder's entry is durable only
// once its parent is synced, and without that a store created in a new
// folder could vanish, acknowledged artifacts and all, at a power cut.
// Folders that exist already are left alone. Throws
// std::filesystem::filesystem_error (errno) when a folder cannot be
// created, opened or synced, or when a component exists and is not a
// folder.
void create_folders_durably(const std::filesystem::path& path);

}  // namespace artifacts
