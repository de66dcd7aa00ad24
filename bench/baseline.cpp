#include "bench/baseline.hpp"

#include <utility>

#include "bench/baseline_parts.hpp"
#include "storage/artifact_id.hpp"
#include "storage/sha256.hpp"

namespace artifacts::bench {

namespace {

class baseline_subject final : public subject {
 public:
  baseline_subject(baseline_kind kind, std::string dsn, run_scope where)
      : kind_(kind), dsn_(std::move(dsn)), where_(std::move(where)) {}

  std::string label() const override {
    return kind_ == baseline_kind::seed ? "baseline seed" : "baseline raw";
  }

  std::unique_ptr<caller> open_caller() override {
    return kind_ == baseline_kind::seed ? open_seed_caller(dsn_, where_)
                                        : open_raw_caller(dsn_, where_);
  }

 private:
  baseline_kind kind_;
  std::string dsn_;
  run_scope where_;
};

}  // namespace

std::optional<baseline_kind> parse_baseline(std::string_view name) {
  if (name == "seed") return baseline_kind::seed;
  if (name == "raw") return baseline_kind::raw;
  return std::nullopt;
}

std::unique_ptr<subject> make_baseline(baseline_kind kind, std::string dsn, run_scope where) {
  return std::make_unique<baseline_subject>(kind, std::move(dsn), std::move(where));
}

put_row describe_put(const run_scope& where, std::string_view bytes) {
  put_row row;
  row.sha256 = sha256_hex(bytes);
  row.id = standard_artifact_id(effective_namespace(where.name_space), row.sha256);
  row.mime_type = std::string(default_mime_type);
  row.source_json = "null";
  return row;
}

storage_options baseline_storage_options(const std::string& dsn) {
  storage_options options;
  options.dsn = dsn;
  return options;
}

}  // namespace artifacts::bench
