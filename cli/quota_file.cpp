#include "cli/quota_file.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <artifact_store/error.hpp>

namespace artifacts::cli {

namespace {

// The largest whole number a JSON number (a double) holds exactly.
constexpr double largest_exact = 9007199254740992.0;  // 2^53

}  // namespace

caf::expected<std::map<std::string, tenant_quota, std::less<>>> read_quota_file(
    const std::string& path) {
  const std::string where = "--quota-file " + path + ": ";
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    return make_error(errc::invalid_argument, where + "cannot be read");
  }
  std::ostringstream text;
  text << in.rdbuf();
  google::protobuf::Struct parsed;
  if (!google::protobuf::util::JsonStringToMessage(text.str(), &parsed).ok()) {
    return make_error(errc::invalid_argument, where + "is not a JSON object");
  }
  std::map<std::string, tenant_quota, std::less<>> quotas;
  for (const auto& [tenant, entry] : parsed.fields()) {
    const std::string what = where + "tenant \"" + tenant + "\": ";
    if (tenant.empty() || !entry.has_struct_value()) {
      return make_error(errc::invalid_argument,
                        what + "expects a tenant name and an object with bytes and count");
    }
    tenant_quota quota;
    for (const auto& [key, value] : entry.struct_value().fields()) {
      const double number = value.number_value();
      if (value.kind_case() != google::protobuf::Value::kNumberValue || number < 0 ||
          number > largest_exact || std::floor(number) != number) {
        return make_error(errc::invalid_argument,
                          what + key + " expects a whole number of at least 0");
      }
      if (key == "bytes") {
        quota.max_bytes = static_cast<uint64_t>(number);
      } else if (key == "count") {
        quota.max_count = static_cast<uint64_t>(number);
      } else {
        return make_error(errc::invalid_argument, what + "unknown key \"" + key + "\"");
      }
    }
    quotas.emplace(tenant, quota);
  }
  return quotas;
}

}  // namespace artifacts::cli
