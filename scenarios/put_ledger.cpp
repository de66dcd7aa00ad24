#include "scenarios/put_ledger.hpp"

#include <utility>
#include <vector>

#include <artifact_store/error.hpp>

#include "scenarios/requests.hpp"
#include "scenarios/scenario_support.hpp"
#include "storage/artifact_id.hpp"
#include "storage/sha256.hpp"

namespace artifacts::scenarios {

namespace {

// The artifact's key as one string: scope fields and id, NUL-separated.
std::string key_of(const std::string& tenant, const std::string& user, const std::string& session,
                   const std::string& task, const std::string& id) {
  std::string key;
  for (const auto* part : {&tenant, &user, &session, &task, &id}) {
    key += *part;
    key += '\0';
  }
  return key;
}

std::string key_of(const v1::Scope& scope, const std::string& id) {
  return key_of(scope.tenant(), scope.user(), scope.session(), scope.task(), id);
}

std::string name_of(const v1::Scope& scope, const std::string& id) {
  return scope.tenant() + "/" + scope.user() + "/" + scope.session() + "/" + scope.task() + " " +
         id;
}

}  // namespace

put_ledger::entry& put_ledger::entry_for(const v1::PutRequest& request, const std::string& id) {
  auto [at, inserted] = entries_.try_emplace(key_of(request.scope(), id));
  if (inserted) {
    at->second.scope = request.scope();
    at->second.id = id;
    at->second.sha256 = sha256_hex(request.data());
    at->second.size = static_cast<int64_t>(request.data().size());
  }
  return at->second;
}

void put_ledger::acknowledged(const v1::PutRequest& request, const v1::ArtifactRef& ref) {
  auto& artifact = entry_for(request, ref.id());
  if (artifact.sha256 != sha256_hex(request.data())) {
    conflicts_.push_back(name_of(request.scope(), ref.id()) +
                         ": acknowledged for two different contents");
  }
  if (!artifact.ref) {
    artifact.ref = ref;
  } else if (!same(*artifact.ref, ref)) {
    conflicts_.push_back(name_of(request.scope(), ref.id()) + ": acknowledged as " +
                         artifact.ref->ShortDebugString() + " and as " + ref.ShortDebugString());
  }
}

void put_ledger::unknown(const v1::PutRequest& request) {
  const auto id =
      standard_artifact_id(effective_namespace(request.namespace_()), sha256_hex(request.data()));
  (void)entry_for(request, id);
}

size_t put_ledger::acknowledged_artifacts() const {
  size_t count = 0;
  for (const auto& [key, artifact] : entries_) {
    count += artifact.ref ? 1 : 0;
  }
  return count;
}

void put_ledger::check_served(client& c, failure_log& problems, int threads) const {
  for (const auto& conflict : conflicts_) {
    problems.add(conflict);
  }
  std::vector<const entry*> acknowledged;
  for (const auto& [key, artifact] : entries_) {
    if (artifact.ref) {
      acknowledged.push_back(&artifact);
    }
  }
  run_together(threads, [&](int t) {
    for (size_t i = static_cast<size_t>(t); i < acknowledged.size();
         i += static_cast<size_t>(threads)) {
      const auto& artifact = *acknowledged[i];
      const auto& ref = *artifact.ref;
      const auto name = name_of(artifact.scope, artifact.id) + ": ";
      const auto key = make_key(artifact.scope, artifact.id);
      if (ref.sha256() != artifact.sha256 || ref.size_bytes() != artifact.size) {
        problems.add(name + "acknowledged with the digest or size of other bytes: " +
                     ref.ShortDebugString());
      }
      auto stored = c.get_ref(key);
      if (!stored) {
        problems.add(name + "get_ref: " + describe(stored.error()));
      } else if (!stored->found()) {
        problems.add(name + "acknowledged, but get_ref does not find it");
      } else if (!same(stored->ref(), ref)) {
        problems.add(name + "acknowledged as " + ref.ShortDebugString() + ", stored as " +
                     stored->ref().ShortDebugString());
      }
      auto blob = c.get(key);
      if (!blob) {
        problems.add(name + "get: " + describe(blob.error()));
      } else if (!blob->found()) {
        problems.add(name + "acknowledged, but get does not find it");
      } else if (const auto digest = sha256_hex(blob->data());
                 digest != ref.sha256() || digest != artifact.sha256 ||
                 static_cast<int64_t>(blob->data().size()) != ref.size_bytes()) {
        problems.add(name + "get returned bytes that are not the put's (sha256 " + digest + ", " +
                     std::to_string(blob->data().size()) + " bytes)");
      }
    }
  });
}

ledger_rows put_ledger::check_rows(const testing::temporary_schema& schema,
                                   failure_log& problems) const {
  return check_rows([&schema](const std::string& sql) { return schema.query(sql); }, problems);
}

ledger_rows put_ledger::check_rows(const row_query& query, failure_log& problems) const {
  ledger_rows found;
  std::map<std::string, bool> seen;
  for (const auto& row :
       query("SELECT tenant, \"user\", session, task, id, sha256, encode(sha256(bytes), 'hex'), "
             "size_bytes, octet_length(bytes) FROM artifacts_blobs")) {
    ++found.rows;
    const auto key = key_of(row.at(0), row.at(1), row.at(2), row.at(3), row.at(4));
    const auto name =
        row.at(0) + "/" + row.at(1) + "/" + row.at(2) + "/" + row.at(3) + " " + row.at(4) + ": ";
    auto at = entries_.find(key);
    if (at == entries_.end()) {
      problems.add(name + "a row that no put made");
      continue;
    }
    const auto& artifact = at->second;
    seen[key] = true;
    if (artifact.ref) {
      ++found.acknowledged;
    } else {
      ++found.unknown;
    }
    const auto size = std::to_string(artifact.size);
    if (row.at(5) != artifact.sha256 || row.at(6) != artifact.sha256 || row.at(7) != size ||
        row.at(8) != size) {
      problems.add(name + "the row's digest " + row.at(5) + ", its bytes' digest " + row.at(6) +
                   ", size " + row.at(7) + " and length " + row.at(8) + " are not the put's (" +
                   artifact.sha256 + ", " + size + ")");
    }
  }
  for (const auto& [key, artifact] : entries_) {
    if (artifact.ref && seen.count(key) == 0) {
      problems.add(name_of(artifact.scope, artifact.id) + ": acknowledged, but has no row");
    }
  }
  return found;
}

}  // namespace artifacts::scenarios
