// What the two baselines share: the row a put writes, and their connections.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <artifact_store/storage_options.hpp>

#include "bench/subject.hpp"

namespace artifacts::bench {

// The metadata a put of `bytes` stores with default options: the digest,
// the id, the default MIME type, no filename, no source.
struct put_row {
  std::string sha256;
  std::string id;
  std::string mime_type;
  std::string filename;
  std::string source_json;
};
put_row describe_put(const run_scope& where, std::string_view bytes);

// The bounds a baseline connection uses: the store's defaults.
storage_options baseline_storage_options(const std::string& dsn);

// One connection each. Throw std::runtime_error (or store_error, which is
// one) when the server cannot be reached.
std::unique_ptr<caller> open_seed_caller(const std::string& dsn, const run_scope& where);
std::unique_ptr<caller> open_raw_caller(const std::string& dsn, const run_scope& where);

}  // namespace artifacts::bench
