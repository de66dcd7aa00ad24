// What tests that drive a storage driver directly share.
// They use open_driver + operations, no actors: options, backends, paging,
// and counting what a store holds open. The behavioural cases every driver
// passes are in driver_cases.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/storage_options.hpp>

#include "scenarios/requests.hpp"
// The folders these tests make their stores in; included here for the tests
// that took temp_folder from this header.
#include "scenarios/test_files.hpp"
#include "storage/driver.hpp"
#include "storage/operations.hpp"

namespace artifacts::testing {

// The number of file descriptors of this process open on files under
// `folder` (its database, journal, lock or artifact files): how a test
// counts the connections of an embedded store and sees that a closed one
// left none behind.
size_t open_files_under(const std::filesystem::path& folder);

// Default storage options with `dsn` set.
storage_options options_for(const std::string& dsn);

// Operations over a fresh backend of `drv`. Throws what open_backend throws.
std::unique_ptr<operations> open_ops(driver& drv);

// Every ref matching `filter`, read `page` refs at a time until the listing
// ends. Throws what operations::list throws.
std::vector<v1::ArtifactRef> list_all(operations& ops, const v1::Scope& filter, uint32_t page);

}  // namespace artifacts::testing
