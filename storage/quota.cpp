#include "storage/quota.hpp"

#include <string>

#include <artifact_store/errc.hpp>

namespace artifacts {

const tenant_quota* quota_of(const storage_options& options, std::string_view tenant) {
  auto own = options.tenant_quotas.find(tenant);
  const tenant_quota& quota =
      own != options.tenant_quotas.end() ? own->second : options.default_quota;
  return quota.max_bytes == 0 && quota.max_count == 0 ? nullptr : &quota;
}

void check_quota(const tenant_quota& quota, const usage_totals& used, uint64_t size,
                 std::string_view tenant) {
  const std::string who = "put: tenant " + std::string(tenant) + " holds " +
                          std::to_string(used.count) + " artifacts of " +
                          std::to_string(used.bytes) + " bytes";
  if (quota.max_count != 0 && used.count + 1 > quota.max_count) {
    throw store_error(errc::quota_exceeded, who + "; one more is over its quota of " +
                                                std::to_string(quota.max_count) + " artifacts");
  }
  if (quota.max_bytes != 0 && (size > quota.max_bytes || used.bytes > quota.max_bytes - size)) {
    throw store_error(errc::quota_exceeded, who + "; " + std::to_string(size) +
                                                " more bytes are over its quota of " +
                                                std::to_string(quota.max_bytes) + " bytes");
  }
}

v1::Scope tenant_filter(std::string_view tenant) {
  v1::Scope filter;
  filter.set_tenant(std::string(tenant));
  return filter;
}

}  // namespace artifacts
