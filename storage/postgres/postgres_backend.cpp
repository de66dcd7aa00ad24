#include "storage/postgres/postgres_backend.hpp"

#include <algorithm>
#include <array>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>

#include <google/protobuf/struct.pb.h>
#include <pqxx/binarystring>
#include <pqxx/nontransaction>
#include <pqxx/prepared_statement>
#include <pqxx/result>
#include <pqxx/transaction>

#include <artifact_store/errc.hpp>
#include <artifact_store/ref_json.hpp>

#include "storage/lifecycle.hpp"
#include "storage/list_statements.hpp"
#include "storage/postgres/binary_read.hpp"
#include "storage/postgres/pg_errors.hpp"
#include "storage/postgres/pipelined_insert.hpp"
#include "storage/postgres/statements.hpp"
#include "storage/postgres/upload_parts.hpp"
#include "storage/quota.hpp"

namespace artifacts::postgres {

namespace {

// Prepared statement names.
constexpr const char* select_ref = "artifacts_select_ref";
constexpr const char* select_stored_ref = "artifacts_select_stored_ref";
constexpr const char* select_exists = "artifacts_select_exists";
constexpr const char* delete_row = "artifacts_delete_row";
constexpr const char* delete_expired_row = "artifacts_delete_expired_row";
constexpr const char* extend_expiry = "artifacts_extend_expiry";
constexpr const char* sweep_expired = "artifacts_sweep_expired";
constexpr const char* lock_tenant = "artifacts_lock_tenant";
constexpr const char* insert_row = "artifacts_insert_row";
constexpr const char* tenant_usage = "artifacts_tenant_usage";
constexpr const char* insert_uploaded = "artifacts_insert_uploaded";
constexpr const char* insert_upload = "artifacts_insert_upload";
constexpr const char* select_upload = "artifacts_select_upload";
constexpr const char* select_upload_locked = "artifacts_select_upload_locked";
constexpr const char* mark_committed = "artifacts_mark_committed";
constexpr const char* delete_upload = "artifacts_delete_upload";
constexpr const char* sweep_uploads_batch = "artifacts_sweep_uploads";

// The largest artifact: a bytea holds just under 1 GiB, and the commit
// assembles an upload's parts in one value in the server's memory, which
// string_agg grows to at most 1 GiB; the margin keeps the row's value and
// its header under both.
constexpr uint64_t largest_postgres_artifact = (uint64_t{1} << 30) - (uint64_t{64} << 20);

// What a commit may take beyond the statement bound: it writes the whole
// artifact once more, which PostgreSQL does here at 15 to 40 MB/s; a bound
// at 4 MiB/s leaves it several times that.
constexpr uint64_t commit_bytes_per_second = uint64_t{4} << 20;

// The statements for filters fixing `prefix` fields (list_statements.hpp).
std::string list_page(size_t prefix) {
  return "artifacts_list_page_" + std::to_string(prefix);
}

// A concurrent delete can empty the key between our insert attempt and the
// read that follows it; a few rounds settle any realistic race.
constexpr int put_attempts = 3;

std::string text_of(const pqxx::field& field) {
  return std::string(field.c_str(), field.size());
}

// Reads the ARTIFACTS_PG_REF_COLUMNS of one row.
v1::ArtifactRef ref_from_row(std::string_view op, const pqxx::row& row) {
  v1::ArtifactRef ref;
  auto* scope = ref.mutable_scope();
  scope->set_tenant(text_of(row[0]));
  scope->set_user(text_of(row[1]));
  scope->set_session(text_of(row[2]));
  scope->set_task(text_of(row[3]));
  ref.set_namespace_(text_of(row[4]));
  ref.set_id(text_of(row[5]));
  ref.set_mime_type(text_of(row[6]));
  ref.set_size_bytes(row[7].as<int64_t>());
  ref.set_filename(text_of(row[8]));
  ref.set_sha256(text_of(row[9]));
  pqxx::binarystring stored_json{row[10]};
  std::string_view json{stored_json.get(), stored_json.size()};
  google::protobuf::Struct source;
  if (!source_from_json(json, &source)) {
    throw store_error(errc::internal, std::string(op) + ": the stored source of artifact " +
                                          ref.id() + " is not a JSON object");
  }
  if (!json.empty() && json != "null") {
    *ref.mutable_source() = std::move(source);
  }
  *ref.mutable_created_at() = timestamp_of(row[11].as<int64_t>());
  if (!row[12].is_null()) {
    *ref.mutable_expires_at() = timestamp_of(row[12].as<int64_t>());
  }
  return ref;
}

// Runs a statement whose first six parameters are the key, followed by
// `more`.
template <class... More>
pqxx::result exec_at_key(pqxx::transaction_base& tx, const char* statement, const artifact_key& key,
                         const More&... more) {
  return tx.exec_prepared(statement, key.scope.tenant(), key.scope.user(), key.scope.session(),
                          key.scope.task(), std::string(key.ns), std::string(key.id), more...);
}

auto key_of(const new_artifact& artifact) {
  const auto& ref = artifact.ref;
  const auto& scope = ref.scope();
  return std::tie(scope.tenant(), scope.user(), scope.session(), scope.task(), ref.namespace_(),
                  ref.id());
}

// The order in which a batch takes its row locks: by key, the same in every
// process, so that two batches over the same keys (from two nodes sharing a
// database) queue behind each other instead of deadlocking.
std::vector<size_t> lock_order(const std::vector<new_artifact>& artifacts) {
  std::vector<size_t> order(artifacts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return key_of(artifacts[a]) < key_of(artifacts[b]); });
  return order;
}

// A put that found the row at its key gone, again and again.
store_error row_kept_changing() {
  return store_error(errc::unavailable,
                     "put: the row at the key kept changing under concurrent writers; "
                     "retrying is safe");
}

// Moves the expiry of the live row at `key` as sql::extend_expiry says, to
// `wanted` (nullopt: none); the row, or none when it was not live at
// `put_at`.
pqxx::result extend_at(pqxx::transaction_base& tx, const artifact_key& key, micros put_at,
                       std::optional<micros> wanted) {
  return wanted ? exec_at_key(tx, extend_expiry, key, put_at, *wanted)
                : exec_at_key(tx, extend_expiry, key, put_at, static_cast<const char*>(nullptr));
}

class postgres_backend final : public backend {
 public:
  postgres_backend(std::unique_ptr<pqxx::connection> conn, std::shared_ptr<call_watchdog> watchdog,
                   std::chrono::milliseconds call_bound, wall_clock clock)
      : conn_(std::move(conn)),
        watchdog_(std::move(watchdog)),
        call_bound_(call_bound),
        clock_(std::move(clock)) {
    bounded("connect", [this] {
      conn_->prepare(select_ref, sql::select_ref);
      conn_->prepare(select_stored_ref, sql::select_stored_ref);
      conn_->prepare(select_exists, sql::select_exists);
      conn_->prepare(delete_row, sql::delete_row);
      conn_->prepare(delete_expired_row, sql::delete_expired_row);
      conn_->prepare(extend_expiry, sql::extend_expiry);
      conn_->prepare(sweep_expired, sql::sweep_expired);
      conn_->prepare(lock_tenant, sql::lock_tenant);
      conn_->prepare(insert_row, sql::insert_row_counted);
      conn_->prepare(tenant_usage, sql::tenant_usage);
      conn_->prepare(insert_uploaded, sql::insert_uploaded_counted);
      conn_->prepare(insert_upload, sql::insert_upload);
      conn_->prepare(select_upload, sql::select_upload);
      conn_->prepare(select_upload_locked, std::string(sql::select_upload) + " FOR UPDATE");
      conn_->prepare(mark_committed, sql::mark_committed);
      conn_->prepare(delete_upload, sql::delete_upload);
      conn_->prepare(sweep_uploads_batch, sql::sweep_uploads);
      for (size_t prefix = 0; prefix < list_shapes; ++prefix) {
        conn_->prepare(list_page(prefix), list_statement_text(prefix, sql_flavour::postgres));
      }
      // Usage below a tenant and purge are not prepared: planned for their
      // values each time, they use the usage index for a scope that holds a
      // small part of the table, where a generic plan, which knows only how
      // many tenants there are, may not.
      for (size_t prefix = 1; prefix < list_shapes; ++prefix) {
        usage_text_[prefix] = usage_statement_text(prefix, sql_flavour::postgres);
        purge_text_[prefix] = std::string("WITH gone AS (") +
                              purge_statement_text(prefix, sql_flavour::postgres) + ")" +
                              sql::count_purged;
      }
    });
  }

  // One pipelined transaction for the whole batch (pipelined_insert.hpp):
  // its puts share one round trip and one commit (one WAL flush) instead of
  // paying one each. The puts that met a row at their key then read that
  // row's metadata. A statement error rolls the batch back and the puts are
  // then run one by one, each to its own outcome; a lost connection is the
  // batch's failure.
  std::vector<put_outcome> put(const std::vector<new_artifact>& artifacts) override {
    const bool counted = std::any_of(artifacts.begin(), artifacts.end(),
                                     [](const new_artifact& a) { return a.quota != nullptr; });
    if (artifacts.size() < 2 || counted) {
      return one_by_one(artifacts);
    }
    std::vector<bool> inserted;
    try {
      inserted = bounded(
          "put", [&] { return inserter_.insert_all(*conn_, artifacts, lock_order(artifacts)); });
    } catch (const store_error& e) {
      if (e.code() == errc::unavailable) {
        throw;
      }
      return one_by_one(artifacts);
    }
    std::vector<put_outcome> outcomes(artifacts.size());
    for (size_t i = 0; i < artifacts.size(); ++i) {
      if (inserted[i]) {
        outcomes[i].value = artifacts[i].ref;
        continue;
      }
      // A row was there first (perhaps from earlier in this batch): answer
      // with it, settled against this put, or, when it has gone meanwhile
      // (deleted, or expired and cleared), store the artifact alone.
      try {
        auto stored = bounded("put", [&] { return settle(artifacts[i]); });
        outcomes[i].value = stored ? std::move(*stored) : store_one(artifacts[i]);
      } catch (const store_error& e) {
        if (e.code() == errc::unavailable) {
          throw;
        }
        outcomes[i].error = e;
      }
    }
    return outcomes;
  }

  std::optional<std::string> get(const artifact_key& key) override {
    return bounded("get", [&] { return binary_.bytes_at(*conn_, key, now()); });
  }

  // One pipeline for the batch: one round trip instead of one per key.
  std::vector<std::optional<std::string>> get_batch(
      const std::vector<artifact_key>& keys) override {
    if (keys.size() < 2) {
      return backend::get_batch(keys);
    }
    return bounded("get", [&] { return binary_.bytes_at_each(*conn_, keys, now()); });
  }

  std::optional<stored_range> read_range(const artifact_key& key, uint64_t offset,
                                         uint64_t length) override {
    return bounded("get_range",
                   [&] { return binary_.range_at(*conn_, key, now(), offset, length); });
  }

  std::optional<v1::ArtifactRef> get_ref(const artifact_key& key) override {
    return bounded("get_ref", [&] { return ref_at("get_ref", key); });
  }

  bool exists(const artifact_key& key) override {
    return bounded("exists", [&] {
      pqxx::nontransaction tx{*conn_};
      auto rows = exec_at_key(tx, select_exists, key, now());
      tx.commit();
      return !rows.empty();
    });
  }

  bool remove(const artifact_key& key) override {
    return bounded("delete", [&] {
      pqxx::nontransaction tx{*conn_};
      auto deleted = exec_at_key(tx, delete_row, key, now());
      tx.commit();
      return !deleted.empty() && deleted[0][0].as<bool>();
    });
  }

  removal sweep(uint32_t limit) override {
    return bounded("sweep", [&] {
      pqxx::nontransaction tx{*conn_};
      auto rows = tx.exec_prepared(sweep_expired, now(), static_cast<int64_t>(limit));
      tx.commit();
      removal out;
      for (const auto& row : rows) {
        out.deleted += 1;
        out.bytes += row[0].as<uint64_t>();
      }
      return out;
    });
  }

  // A whole tenant's usage reads its counts (sql::tenant_usage); a narrower
  // filter counts its rows through the usage index.
  usage_totals usage(const v1::Scope& filter) override {
    return bounded("usage", [&] {
      if (filter.user().empty() && filter.session().empty() && filter.task().empty()) {
        pqxx::nontransaction tx{*conn_};
        auto totals = usage_of_tenant(tx, filter.tenant());
        tx.commit();
        return totals;
      }
      auto parameters = scope_parameters(filter);
      parameters.push_back(std::to_string(now()));
      pqxx::nontransaction tx{*conn_};
      auto rows = tx.exec_params(usage_text_[fixed_prefix(filter)],
                                 pqxx::prepare::make_dynamic_params(parameters));
      tx.commit();
      return usage_totals{rows[0][0].as<uint64_t>(), rows[0][1].as<uint64_t>()};
    });
  }

  purge_batch purge(const v1::Scope& filter, uint32_t limit) override {
    return bounded("purge", [&] {
      auto parameters = scope_parameters(filter);
      parameters.push_back(std::to_string(limit));
      const auto at = now();
      pqxx::nontransaction tx{*conn_};
      auto rows = tx.exec_params(purge_text_[fixed_prefix(filter)],
                                 pqxx::prepare::make_dynamic_params(parameters));
      tx.commit();
      purge_batch out;
      for (const auto& row : rows) {
        out.rows += 1;
        if (row[1].is_null() || row[1].as<int64_t>() > at) {
          out.live.deleted += 1;
          out.live.bytes += row[0].as<uint64_t>();
        }
      }
      return out;
    });
  }

  std::vector<v1::ArtifactRef> list(const list_query& query) override {
    return bounded("list", [&] {
      std::vector<v1::ArtifactRef> refs;
      auto parameters = list_parameters(query.filter, query.after, query.limit, now());
      if (!parameters) {
        return refs;
      }
      pqxx::nontransaction tx{*conn_};
      auto rows = tx.exec_prepared(list_page(fixed_prefix(query.filter)),
                                   pqxx::prepare::make_dynamic_params(*parameters));
      tx.commit();
      refs.reserve(rows.size());
      for (const auto& row : rows) {
        refs.push_back(ref_from_row("list", row));
      }
      return refs;
    });
  }

  void begin_upload(const new_upload& upload) override {
    bounded("begin_upload", [&] {
      const pqxx::binarystring request{upload.request.data(), upload.request.size()};
      pqxx::nontransaction tx{*conn_};
      tx.exec_prepared(insert_upload, std::string(upload.id), std::string(upload.tenant), request,
                       upload.expires_at);
      tx.commit();
    });
  }

  uint64_t append_upload(std::string_view id, uint64_t offset, std::string_view bytes,
                         micros expires_at) override {
    return bounded("append", [&] {
      if (auto size = append_part(*conn_, id, offset, bytes, expires_at, now())) {
        return *size;
      }
      // Nothing appended: say why.
      auto record = upload_at(id);
      if (!record) {
        throw upload_gone("append", id);
      }
      if (record->committed) {
        throw upload_committed("append", id);
      }
      throw chunk_misplaced(id, offset, record->size_bytes);
    });
  }

  std::optional<upload_record> find_upload(std::string_view id) override {
    return bounded("upload_status", [&] { return upload_at(id); });
  }

  // One part at a time (each at most the largest payload), cut into
  // pieces of upload_piece_bytes.
  void read_upload(std::string_view id, uint64_t size,
                   const std::function<void(std::string_view)>& consume) override {
    for (uint64_t at = 0; at < size;) {
      auto part = bounded("commit", [&] { return part_at(*conn_, id, at); });
      if (!part || part->empty() || part->size() > size - at) {
        throw upload_gone("commit", id);
      }
      const std::string_view bytes{*part};
      for (size_t cut = 0; cut < bytes.size(); cut += upload_piece_bytes) {
        consume(bytes.substr(cut, upload_piece_bytes));
      }
      at += bytes.size();
    }
  }

  // One transaction: the upload's row locked (no chunk can come in
  // between), the row at the key settled as a put settles it, the parts
  // assembled into a new row on the server when the key is free, and the
  // upload marked committed.
  v1::ArtifactRef commit_upload(std::string_view id, const new_artifact& artifact,
                                micros keep_until) override {
    const auto bound =
        call_bound_ + std::chrono::seconds{static_cast<uint64_t>(artifact.ref.size_bytes()) /
                                           commit_bytes_per_second};
    return bounded_for("commit", bound, [&]() -> v1::ArtifactRef {
      const std::string upload_id{id};
      const auto& ref = artifact.ref;
      const auto& tenant = ref.scope().tenant();
      const artifact_key key{ref.scope(), ref.namespace_(), ref.id()};
      const auto put_at = micros_of(ref.created_at());
      pqxx::work tx{*conn_};
      tx.exec_params("SELECT set_config('statement_timeout', $1, true)",
                     std::to_string((bound - std::chrono::seconds{1}).count()));
      auto upload = tx.exec_prepared(select_upload_locked, upload_id, now());
      if (upload.empty()) {
        throw upload_gone("commit", id);
      }
      if (!upload[0][3].is_null()) {
        auto committed = committed_ref(upload[0][3]);
        tx.commit();
        return committed;
      }
      const auto size = upload[0][1].as<uint64_t>();
      if (size != static_cast<uint64_t>(ref.size_bytes())) {
        throw chunk_misplaced(id, static_cast<uint64_t>(ref.size_bytes()), size);
      }
      if (artifact.quota != nullptr) {
        tx.exec_prepared(lock_tenant, tenant);
      }
      std::optional<v1::ArtifactRef> stored;
      for (int attempt = 0; attempt < put_attempts && !stored; ++attempt) {
        auto rows = exec_at_key(tx, select_stored_ref, key);
        if (!rows.empty()) {
          auto found = ref_from_row("commit", rows[0]);
          const auto action = reput_of(found, ref);
          if (action == reput_action::keep) {
            stored = std::move(found);
            break;
          }
          if (action == reput_action::extend) {
            auto moved = extend_at(tx, key, put_at, expiry_of(ref));
            stored = moved.empty() ? std::move(found) : ref_from_row("commit", moved[0]);
            break;
          }
          exec_at_key(tx, delete_expired_row, key, put_at);
        }
        if (artifact.quota != nullptr) {
          check_quota(*artifact.quota, usage_of_tenant(tx, tenant), size, tenant);
        }
        if (!insert_from_upload(tx, ref, artifact.source_json, upload_id).empty()) {
          stored = ref;
        }
      }
      if (!stored) {
        throw row_kept_changing();
      }
      if (stored->sha256() != ref.sha256()) {
        throw commit_collision(ref);  // rolled back: the upload stays open
      }
      const auto serialized = stored->SerializeAsString();
      tx.exec_prepared(mark_committed, upload_id,
                       pqxx::binarystring{serialized.data(), serialized.size()}, keep_until);
      tx.commit();
      return *stored;
    });
  }

  bool abort_upload(std::string_view id) override {
    return bounded("abort_upload", [&] {
      pqxx::nontransaction tx{*conn_};
      auto rows = tx.exec_prepared(delete_upload, std::string(id), now());
      tx.commit();
      return !rows.empty();
    });
  }

  uint64_t sweep_uploads(uint32_t limit) override {
    return bounded("sweep", [&] {
      pqxx::nontransaction tx{*conn_};
      auto rows = tx.exec_prepared(sweep_uploads_batch, now(), static_cast<int64_t>(limit));
      tx.commit();
      return static_cast<uint64_t>(rows.size());
    });
  }

  uint64_t largest_artifact() const noexcept override { return largest_postgres_artifact; }

 private:
  // The upload `id` if it is live.
  std::optional<upload_record> upload_at(std::string_view id) {
    pqxx::nontransaction tx{*conn_};
    auto rows = tx.exec_prepared(select_upload, std::string(id), now());
    tx.commit();
    if (rows.empty()) {
      return std::nullopt;
    }
    upload_record record;
    const pqxx::binarystring request{rows[0][0]};
    record.request.assign(request.get(), request.size());
    record.size_bytes = rows[0][1].as<uint64_t>();
    record.expires_at = rows[0][2].as<int64_t>();
    if (!rows[0][3].is_null()) {
      record.committed = committed_ref(rows[0][3]);
    }
    return record;
  }

  static v1::ArtifactRef committed_ref(const pqxx::field& field) {
    const pqxx::binarystring stored{field};
    v1::ArtifactRef ref;
    if (!ref.ParseFromArray(stored.get(), static_cast<int>(stored.size()))) {
      throw store_error(errc::internal,
                        "commit: the stored ref of a committed upload does not parse");
    }
    return ref;
  }

  // Inserts the artifact with the bytes of upload `upload_id`
  // (sql::insert_uploaded_counted): one row when it inserted, none when a
  // row was at the key.
  pqxx::result insert_from_upload(pqxx::transaction_base& tx, const v1::ArtifactRef& ref,
                                  std::string_view source_json, const std::string& upload_id) {
    const pqxx::binarystring source{source_json.data(), source_json.size()};
    const auto& scope = ref.scope();
    const auto put_at = micros_of(ref.created_at());
    if (const auto expiry = expiry_of(ref)) {
      return tx.exec_prepared(insert_uploaded, scope.tenant(), scope.user(), scope.session(),
                              scope.task(), ref.namespace_(), ref.id(), ref.mime_type(),
                              ref.size_bytes(), ref.filename(), ref.sha256(), source, upload_id,
                              put_at, *expiry);
    }
    return tx.exec_prepared(insert_uploaded, scope.tenant(), scope.user(), scope.session(),
                            scope.task(), ref.namespace_(), ref.id(), ref.mime_type(),
                            ref.size_bytes(), ref.filename(), ref.sha256(), source, upload_id,
                            put_at, static_cast<const char*>(nullptr));
  }

  std::vector<put_outcome> one_by_one(const std::vector<new_artifact>& artifacts) {
    return put_each(artifacts, [this](const new_artifact& artifact) {
      return artifact.quota != nullptr ? store_counted(artifact) : store_one(artifact);
    });
  }

  // Stores one artifact whose tenant has a quota: in one transaction that
  // holds the tenant's lock (sql::lock_tenant), settles a row already at
  // the key as store_one would, and inserts a new artifact only when the
  // tenant's live artifacts, counted in the same transaction, leave room for
  // it. Puts into the tenant from every node queue on the lock, so two of
  // them cannot both take the last room.
  v1::ArtifactRef store_counted(const new_artifact& artifact) {
    return bounded("put", [&]() -> v1::ArtifactRef {
      const auto& ref = artifact.ref;
      const auto& tenant = ref.scope().tenant();
      const artifact_key key{ref.scope(), ref.namespace_(), ref.id()};
      const auto put_at = micros_of(ref.created_at());
      pqxx::work tx{*conn_};
      tx.exec_prepared(lock_tenant, tenant);
      auto rows = exec_at_key(tx, select_stored_ref, key);
      if (!rows.empty()) {
        auto stored = ref_from_row("put", rows[0]);
        const auto action = reput_of(stored, ref);
        if (action == reput_action::keep) {
          tx.commit();
          return stored;
        }
        if (action == reput_action::extend) {
          auto moved = extend_at(tx, key, put_at, expiry_of(ref));
          tx.commit();
          return moved.empty() ? stored : ref_from_row("put", moved[0]);
        }
        exec_at_key(tx, delete_expired_row, key, put_at);
      }
      check_quota(*artifact.quota, usage_of_tenant(tx, tenant), artifact.bytes.size(), tenant);
      const pqxx::binarystring source{artifact.source_json.data(), artifact.source_json.size()};
      const pqxx::binarystring bytes{artifact.bytes.data(), artifact.bytes.size()};
      const auto& scope = ref.scope();
      const auto expiry = expiry_of(ref);
      auto inserted =
          expiry ? tx.exec_prepared(insert_row, scope.tenant(), scope.user(), scope.session(),
                                    scope.task(), ref.namespace_(), ref.id(), ref.mime_type(),
                                    ref.size_bytes(), ref.filename(), ref.sha256(), source, bytes,
                                    put_at, *expiry)
                 : tx.exec_prepared(insert_row, scope.tenant(), scope.user(), scope.session(),
                                    scope.task(), ref.namespace_(), ref.id(), ref.mime_type(),
                                    ref.size_bytes(), ref.filename(), ref.sha256(), source, bytes,
                                    put_at, static_cast<const char*>(nullptr));
      tx.commit();
      if (!inserted.empty()) {
        return ref;
      }
      // A writer that takes no tenant lock (a node without this quota, the
      // original driver) stored the key meanwhile: its row stands.
      if (auto stored = settle(artifact)) {
        return std::move(*stored);
      }
      throw row_kept_changing();
    });
  }

  // Stores one artifact unless its key is taken: one autocommit insert, and
  // the row's metadata when the key was taken. The row at the key.
  v1::ArtifactRef store_one(const new_artifact& artifact) {
    return bounded("put", [&] {
      const auto& ref = artifact.ref;
      // Autocommit statements: the insert is atomic on its own, and the
      // primary key serialises identical concurrent puts (a conflicting
      // insert waits for the other writer's outcome). The insert goes
      // through libpq with binary parameters (pipelined_insert.hpp): a
      // pipeline of one is one round trip, and the payload is not copied.
      const std::vector<new_artifact> one{artifact};
      for (int attempt = 0; attempt < put_attempts; ++attempt) {
        if (inserter_.insert_all(*conn_, one, {0}).front()) {
          return ref;
        }
        if (auto stored = settle(artifact)) {
          return std::move(*stored);
        }
      }
      throw row_kept_changing();
    });
  }

  // The metadata of the live row at `key`, if any: one round trip, no
  // payload.
  std::optional<v1::ArtifactRef> ref_at(std::string_view op, const artifact_key& key) {
    pqxx::nontransaction tx{*conn_};
    auto rows = exec_at_key(tx, select_ref, key, now());
    tx.commit();
    if (rows.empty()) {
      return std::nullopt;
    }
    return ref_from_row(op, rows[0]);
  }

  // A put found a row at its key: reads only its metadata (the payload
  // crosses the wire once) and settles it against the put (reput_of). The
  // row now stored, or nullopt when none is there any more (deleted
  // meanwhile, or expired and deleted here) and the put should insert
  // again. Each step is conditional on the row's state, so a concurrent
  // writer makes it answer nullopt rather than act on a stale read.
  std::optional<v1::ArtifactRef> settle(const new_artifact& artifact) {
    const auto& ref = artifact.ref;
    const artifact_key key{ref.scope(), ref.namespace_(), ref.id()};
    const auto put_at = micros_of(ref.created_at());
    pqxx::nontransaction tx{*conn_};
    auto rows = exec_at_key(tx, select_stored_ref, key);
    if (rows.empty()) {
      tx.commit();
      return std::nullopt;
    }
    auto stored = ref_from_row("put", rows[0]);
    switch (reput_of(stored, ref)) {
      case reput_action::keep:
        tx.commit();
        return stored;
      case reput_action::replace:
        exec_at_key(tx, delete_expired_row, key, put_at);
        tx.commit();
        return std::nullopt;
      case reput_action::extend: {
        auto moved = extend_at(tx, key, put_at, expiry_of(ref));
        tx.commit();
        if (moved.empty()) {
          return std::nullopt;
        }
        return ref_from_row("put", moved[0]);
      }
    }
    return std::nullopt;
  }

  micros now() const { return now_micros(clock_); }

  // The live artifacts and bytes of `tenant`, from its counts.
  usage_totals usage_of_tenant(pqxx::transaction_base& tx, const std::string& tenant) {
    auto rows = tx.exec_prepared(tenant_usage, tenant, now());
    return usage_totals{rows[0][0].as<uint64_t>(), rows[0][1].as<uint64_t>()};
  }

  // Runs `fn` as one call armed on the watchdog; failures leave as
  // store_error (pg_errors.hpp), a call the watchdog cut short as
  // unavailable saying so.
  template <class Fn>
  auto bounded(std::string_view op, Fn&& fn) -> decltype(fn()) {
    return bounded_for(op, call_bound_, std::forward<Fn>(fn));
  }

  // bounded() for a call that may take `bound`, longer than one statement.
  template <class Fn>
  auto bounded_for(std::string_view op, std::chrono::milliseconds bound, Fn&& fn)
      -> decltype(fn()) {
    auto armed = watchdog_->arm(conn_->sock(), call_watchdog::clock::now() + bound);
    try {
      return with_errors(op, std::forward<Fn>(fn));
    } catch (const store_error&) {
      if (!armed.fired()) {
        throw;
      }
      throw store_error(errc::unavailable, std::string(op) + ": PostgreSQL did not answer within " +
                                               std::to_string(bound.count()) +
                                               " ms; the connection was dropped");
    }
  }

  std::unique_ptr<pqxx::connection> conn_;
  std::shared_ptr<call_watchdog> watchdog_;
  std::chrono::milliseconds call_bound_;
  wall_clock clock_;
  std::array<std::string, list_shapes> usage_text_;
  std::array<std::string, list_shapes> purge_text_;
  binary_reader binary_;
  batch_inserter inserter_;
};

}  // namespace

std::unique_ptr<backend> make_backend(std::unique_ptr<pqxx::connection> conn,
                                      std::shared_ptr<call_watchdog> watchdog,
                                      std::chrono::milliseconds call_bound, wall_clock clock) {
  return std::make_unique<postgres_backend>(std::move(conn), std::move(watchdog), call_bound,
                                            std::move(clock));
}

}  // namespace artifacts::postgres
