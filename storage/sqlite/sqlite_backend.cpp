#include "storage/sqlite/sqlite_backend.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include <sqlite3.h>

#include <artifact_store/errc.hpp>
#include <artifact_store/ref_json.hpp>

#include "storage/lifecycle.hpp"
#include "storage/list_statements.hpp"
#include "storage/quota.hpp"
#include "storage/sqlite/sqlite_guard.hpp"

namespace artifacts::sqlite {

namespace {

enum query : size_t {
  select_ref,
  select_stored_ref,
  select_bytes,
  select_blob_row,
  select_exists,
  insert_row,
  delete_row,
  update_expiry,
  sweep_expired,
  query_count,
};

#define ARTIFACTS_SQLITE_REF_COLUMNS                                               \
  "SELECT tenant, \"user\", session, task, namespace, id, mime_type, size_bytes, " \
  "filename, sha256, source_json, created_at, expires_at FROM artifacts_blobs "
#define ARTIFACTS_SQLITE_AT_KEY                                                            \
  "WHERE tenant = ?1 AND \"user\" = ?2 AND session = ?3 AND task = ?4 AND namespace = ?5 " \
  "AND id = ?6"
#define ARTIFACTS_SQLITE_LIVE " AND (expires_at IS NULL OR expires_at > ?7)"

// select_ref, select_stored_ref and the list statements (list_statements.hpp,
// one per filter shape) return the columns read_ref reads. The primary key,
// compared bytewise (the BINARY collation), serves the lists' filters and
// order. Instants are microseconds since the Unix epoch; ?7 is the current
// one where a statement sees only live rows.
constexpr std::array<std::string_view, query_count> query_text = {
    ARTIFACTS_SQLITE_REF_COLUMNS ARTIFACTS_SQLITE_AT_KEY ARTIFACTS_SQLITE_LIVE,
    ARTIFACTS_SQLITE_REF_COLUMNS ARTIFACTS_SQLITE_AT_KEY,
    "SELECT bytes FROM artifacts_blobs " ARTIFACTS_SQLITE_AT_KEY ARTIFACTS_SQLITE_LIVE,
    // Where a ranged read finds the bytes (incremental blob I/O by rowid).
    "SELECT rowid, length(bytes), sha256 FROM artifacts_blobs " ARTIFACTS_SQLITE_AT_KEY
        ARTIFACTS_SQLITE_LIVE,
    "SELECT 1 FROM artifacts_blobs " ARTIFACTS_SQLITE_AT_KEY ARTIFACTS_SQLITE_LIVE,
    R"sql(INSERT INTO artifacts_blobs (tenant, "user", session, task, namespace, id, mime_type,
                             size_bytes, filename, sha256, source_json, bytes, created_at,
                             expires_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
ON CONFLICT (tenant, "user", session, task, namespace, id) DO NOTHING)sql",
    "DELETE FROM artifacts_blobs " ARTIFACTS_SQLITE_AT_KEY,
    "UPDATE artifacts_blobs SET expires_at = ?7 " ARTIFACTS_SQLITE_AT_KEY,
    // The oldest expired rows first, through the expiry index.
    R"sql(DELETE FROM artifacts_blobs WHERE rowid IN (
    SELECT rowid FROM artifacts_blobs WHERE expires_at IS NOT NULL AND expires_at <= ?1
    ORDER BY expires_at LIMIT ?2)
RETURNING size_bytes)sql",
};

#undef ARTIFACTS_SQLITE_REF_COLUMNS
#undef ARTIFACTS_SQLITE_AT_KEY
#undef ARTIFACTS_SQLITE_LIVE

// Binds scope, namespace and id to parameters first .. first + 5.
void bind_key(statement& stmt, int first, const v1::Scope& scope, std::string_view ns,
              std::string_view id) {
  stmt.bind_text(first, scope.tenant());
  stmt.bind_text(first + 1, scope.user());
  stmt.bind_text(first + 2, scope.session());
  stmt.bind_text(first + 3, scope.task());
  stmt.bind_text(first + 4, ns);
  stmt.bind_text(first + 5, id);
}

// The ref in the current row of a statement selecting the ref columns.
v1::ArtifactRef read_ref(const statement& stmt) {
  v1::ArtifactRef ref;
  auto* scope = ref.mutable_scope();
  scope->set_tenant(std::string(stmt.column_text(0)));
  scope->set_user(std::string(stmt.column_text(1)));
  scope->set_session(std::string(stmt.column_text(2)));
  scope->set_task(std::string(stmt.column_text(3)));
  ref.set_namespace_(std::string(stmt.column_text(4)));
  ref.set_id(std::string(stmt.column_text(5)));
  ref.set_mime_type(std::string(stmt.column_text(6)));
  ref.set_size_bytes(stmt.column_int64(7));
  ref.set_filename(std::string(stmt.column_text(8)));
  ref.set_sha256(std::string(stmt.column_text(9)));
  auto source_json = stmt.column_blob(10);
  if (source_json != "null" && !source_from_json(source_json, ref.mutable_source())) {
    throw store_error(errc::internal, "the stored source of " + ref.id() + " is not JSON");
  }
  *ref.mutable_created_at() = timestamp_of(stmt.column_int64(11));
  if (!stmt.column_is_null(12)) {
    *ref.mutable_expires_at() = timestamp_of(stmt.column_int64(12));
  }
  return ref;
}

class sqlite_backend final : public backend {
 public:
  sqlite_backend(std::unique_ptr<connection> conn, std::chrono::milliseconds timeout,
                 wall_clock clock)
      : conn_(std::move(conn)), timeout_(timeout), clock_(std::move(clock)) {}

  // One write transaction for the whole batch: its puts share one commit
  // (one WAL sync) and one wait for the write lock instead of paying one
  // each. A failure rolls the batch back and the puts are then run one by
  // one, each to its own outcome; an unavailable database is the batch's.
  std::vector<put_outcome> put(const std::vector<new_artifact>& artifacts) override {
    if (artifacts.size() < 2) {
      return one_by_one(artifacts);
    }
    std::vector<put_outcome> outcomes(artifacts.size());
    try {
      run("put", [&] {
        write_transaction tx(*conn_);
        for (size_t i = 0; i < artifacts.size(); ++i) {
          outcomes[i].value = store_locked(artifacts[i]);
        }
        tx.commit();
      });
    } catch (const store_error& e) {
      if (e.code() == errc::unavailable) {
        throw;
      }
      return one_by_one(artifacts);
    }
    return outcomes;
  }

  std::optional<std::string> get(const artifact_key& key) override {
    std::optional<std::string> bytes;
    run("get", [&] {
      statement& stmt = prepared(select_bytes);
      statement_run running(stmt);
      bind_live_key(stmt, key);
      bytes.reset();
      if (stmt.step()) {
        bytes.emplace(stmt.column_blob(0));
      }
    });
    return bytes;
  }

  // Finds the row, then reads only the range through incremental blob I/O
  // while the statement still holds the row's read transaction, so both
  // see the same row. length() of a blob reads its size from the record
  // header, not the blob.
  std::optional<stored_range> read_range(const artifact_key& key, uint64_t offset,
                                         uint64_t length) override {
    std::optional<stored_range> range;
    run("get_range", [&] {
      statement& stmt = prepared(select_blob_row);
      statement_run running(stmt);
      bind_live_key(stmt, key);
      range.reset();
      if (!stmt.step()) {
        return;
      }
      range.emplace();
      range->size_bytes = static_cast<uint64_t>(stmt.column_int64(1));
      range->sha256 = std::string(stmt.column_text(2));
      if (offset >= range->size_bytes) {
        return;
      }
      const auto count = std::min(length, range->size_bytes - offset);
      range->bytes.resize(static_cast<size_t>(count));
      sqlite3_blob* blob = nullptr;
      int code = sqlite3_blob_open(conn_->handle(), "main", "artifacts_blobs", "bytes",
                                   stmt.column_int64(0), 0, &blob);
      if (code == SQLITE_OK) {
        code = sqlite3_blob_read(blob, range->bytes.data(), static_cast<int>(count),
                                 static_cast<int>(offset));
      }
      sqlite3_blob_close(blob);
      if (code != SQLITE_OK) {
        conn_->fail(code);
      }
    });
    return range;
  }

  std::optional<v1::ArtifactRef> get_ref(const artifact_key& key) override {
    std::optional<v1::ArtifactRef> ref;
    run("get_ref", [&] { ref = find_ref(key); });
    return ref;
  }

  bool exists(const artifact_key& key) override {
    bool found = false;
    run("exists", [&] {
      statement& stmt = prepared(select_exists);
      statement_run running(stmt);
      bind_live_key(stmt, key);
      found = stmt.step();
    });
    return found;
  }

  bool remove(const artifact_key& key) override {
    bool removed = false;
    run("delete", [&] {
      write_transaction tx(*conn_);
      // Whether the row was live: an expired one was gone already. Under
      // the write lock it cannot change between the two statements.
      removed = find_ref(key).has_value();
      run_at_key(delete_row, key);
      tx.commit();
    });
    return removed;
  }

  removal sweep(uint32_t limit) override {
    removal out;
    run("sweep", [&] {
      out = removal{};
      write_transaction tx(*conn_);
      {
        statement& stmt = prepared(sweep_expired);
        statement_run running(stmt);
        stmt.bind_int64(1, now());
        stmt.bind_int64(2, limit);
        while (stmt.step()) {
          out.deleted += 1;
          out.bytes += static_cast<uint64_t>(stmt.column_int64(0));
        }
      }
      tx.commit();
    });
    return out;
  }

  usage_totals usage(const v1::Scope& filter) override {
    usage_totals out;
    run("usage", [&] { out = usage_now(filter); });
    return out;
  }

  purge_batch purge(const v1::Scope& filter, uint32_t limit) override {
    purge_batch out;
    const auto parameters = scope_parameters(filter);
    run("purge", [&] {
      out = purge_batch{};
      const auto at = now();
      write_transaction tx(*conn_);
      {
        statement& stmt = shaped(purge_statements_, fixed_prefix(filter), purge_statement_text);
        statement_run running(stmt);
        const int next = bind_all(stmt, parameters);
        stmt.bind_int64(next, limit);
        while (stmt.step()) {
          out.rows += 1;
          if (stmt.column_is_null(1) || stmt.column_int64(1) > at) {
            out.live.deleted += 1;
            out.live.bytes += static_cast<uint64_t>(stmt.column_int64(0));
          }
        }
      }
      tx.commit();
    });
    return out;
  }

  std::vector<v1::ArtifactRef> list(const list_query& query) override {
    std::vector<v1::ArtifactRef> refs;
    // Bound text is not copied: the parameters outlive the statement's run.
    const auto parameters = list_parameters(query.filter, query.after, query.limit, now());
    if (!parameters) {
      return refs;
    }
    run("list", [&] {
      refs.clear();
      statement& stmt = list_statement(fixed_prefix(query.filter));
      statement_run running(stmt);
      for (size_t i = 0; i < parameters->size(); ++i) {
        stmt.bind_text(static_cast<int>(i + 1), (*parameters)[i]);
      }
      while (stmt.step()) {
        refs.push_back(read_ref(stmt));
      }
    });
    return refs;
  }

 private:
  std::vector<put_outcome> one_by_one(const std::vector<new_artifact>& artifacts) {
    return put_each(artifacts,
                    [this](const new_artifact& artifact) { return store_one(artifact); });
  }

  // Stores one artifact unless its key is taken, in a write transaction of
  // its own; the row at the key.
  v1::ArtifactRef store_one(const new_artifact& artifact) {
    const auto& ref = artifact.ref;
    const artifact_key key{ref.scope(), ref.namespace_(), ref.id()};
    v1::ArtifactRef stored;
    run("put", [&] {
      // Re-puts are common: answer those that change nothing without taking
      // the write lock.
      if (auto existing = find_ref(key, select_stored_ref);
          existing && reput_of(*existing, ref) == reput_action::keep) {
        stored = std::move(*existing);
        return;
      }
      write_transaction tx(*conn_);
      stored = store_locked(artifact);
      tx.commit();
    });
    return stored;
  }

  // Stores one artifact inside a write transaction: under the write lock
  // the row at its key cannot change between the statements. The row at
  // the key: the new one, or the one there settled against this put.
  v1::ArtifactRef store_locked(const new_artifact& artifact) {
    const auto& ref = artifact.ref;
    const artifact_key key{ref.scope(), ref.namespace_(), ref.id()};
    auto existing = find_ref(key, select_stored_ref);
    if (!existing) {
      check_fits(artifact);
      insert(artifact);
      return ref;
    }
    switch (reput_of(*existing, ref)) {
      case reput_action::keep:
        return std::move(*existing);
      case reput_action::replace:
        check_fits(artifact);
        run_at_key(delete_row, key);
        insert(artifact);
        return ref;
      case reput_action::extend: {
        const auto wanted = merged_expiry(expiry_of(*existing), expiry_of(ref));
        statement& stmt = prepared(update_expiry);
        statement_run running(stmt);
        bind_key(stmt, 1, key.scope, key.ns, key.id);
        if (wanted) {
          stmt.bind_int64(7, *wanted);
        } else {
          stmt.bind_null(7);
        }
        stmt.step();
        set_expiry(*existing, wanted);
        return std::move(*existing);
      }
    }
    return std::move(*existing);
  }

  usage_totals usage_now(const v1::Scope& filter) {
    const auto parameters = scope_parameters(filter);
    statement& stmt = shaped(usage_statements_, fixed_prefix(filter), usage_statement_text);
    statement_run running(stmt);
    const int next = bind_all(stmt, parameters);
    stmt.bind_int64(next, now());
    usage_totals out;
    if (stmt.step()) {
      out.count = static_cast<uint64_t>(stmt.column_int64(0));
      out.bytes = static_cast<uint64_t>(stmt.column_int64(1));
    }
    return out;
  }

  // Checks a new artifact against its tenant's quota, under the write lock.
  void check_fits(const new_artifact& artifact) {
    if (artifact.quota != nullptr) {
      const auto& tenant = artifact.ref.scope().tenant();
      check_quota(*artifact.quota, usage_now(tenant_filter(tenant)), artifact.bytes.size(), tenant);
    }
  }

  // Runs a statement over the key alone.
  void run_at_key(query which, const artifact_key& key) {
    statement& stmt = prepared(which);
    statement_run running(stmt);
    bind_key(stmt, 1, key.scope, key.ns, key.id);
    stmt.step();
  }

  micros now() const { return now_micros(clock_); }

  // Binds the key and the current instant (?7) of a statement that sees
  // only live rows.
  void bind_live_key(statement& stmt, const artifact_key& key) const {
    bind_key(stmt, 1, key.scope, key.ns, key.id);
    stmt.bind_int64(7, now());
  }

  void run(std::string_view op, const std::function<void()>& attempt) {
    guarded(op, conn_.get(), timeout_, attempt);
  }

  statement& prepared(query which) {
    auto& slot = statements_[which];
    if (!slot) {
      slot = std::make_unique<statement>(*conn_, query_text[which]);
    }
    return *slot;
  }

  using statement_slots = std::array<std::unique_ptr<statement>, list_shapes>;

  // The statement of a filter shape from `slots`, prepared on first use
  // from `text_of`.
  statement& shaped(statement_slots& slots, size_t prefix,
                    std::string (*text_of)(size_t, sql_flavour)) {
    auto& slot = slots.at(prefix);
    if (!slot) {
      slot = std::make_unique<statement>(*conn_, text_of(prefix, sql_flavour::sqlite));
    }
    return *slot;
  }

  // Binds `values` as text to the first parameters; the next one's number.
  // The values must outlive the statement's run.
  static int bind_all(statement& stmt, const std::vector<std::string>& values) {
    for (size_t i = 0; i < values.size(); ++i) {
      stmt.bind_text(static_cast<int>(i + 1), values[i]);
    }
    return static_cast<int>(values.size() + 1);
  }

  statement& list_statement(size_t prefix) {
    auto& slot = list_statements_.at(prefix);
    if (!slot) {
      slot = std::make_unique<statement>(*conn_, list_statement_text(prefix, sql_flavour::sqlite));
    }
    return *slot;
  }

  // The live row at `key` with select_ref; any row with select_stored_ref.
  std::optional<v1::ArtifactRef> find_ref(const artifact_key& key, query which = select_ref) {
    statement& stmt = prepared(which);
    statement_run running(stmt);
    bind_key(stmt, 1, key.scope, key.ns, key.id);
    if (which == select_ref) {
      stmt.bind_int64(7, now());
    }
    if (!stmt.step()) {
      return std::nullopt;
    }
    return read_ref(stmt);
  }

  // Inserts the row; nothing when its key is taken (never, under the write
  // lock after find_ref found none).
  void insert(const new_artifact& artifact) {
    const auto& ref = artifact.ref;
    statement& stmt = prepared(insert_row);
    statement_run running(stmt);
    bind_key(stmt, 1, ref.scope(), ref.namespace_(), ref.id());
    stmt.bind_text(7, ref.mime_type());
    stmt.bind_int64(8, ref.size_bytes());
    stmt.bind_text(9, ref.filename());
    stmt.bind_text(10, ref.sha256());
    stmt.bind_blob(11, artifact.source_json);
    stmt.bind_blob(12, artifact.bytes);
    stmt.bind_int64(13, micros_of(ref.created_at()));
    if (auto at = expiry_of(ref)) {
      stmt.bind_int64(14, *at);
    } else {
      stmt.bind_null(14);
    }
    stmt.step();
  }

  std::unique_ptr<connection> conn_;
  std::chrono::milliseconds timeout_;
  wall_clock clock_;
  // Declared after conn_ so that statements are finalized before it closes.
  std::array<std::unique_ptr<statement>, query_count> statements_;
  statement_slots list_statements_;
  statement_slots usage_statements_;
  statement_slots purge_statements_;
};

}  // namespace

std::unique_ptr<backend> make_sqlite_backend(std::unique_ptr<connection> conn,
                                             std::chrono::milliseconds timeout, wall_clock clock) {
  return std::make_unique<sqlite_backend>(std::move(conn), timeout, std::move(clock));
}

}  // namespace artifacts::sqlite
