#include "storage/sqlite/sqlite_backend.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  select_upload,
  replace_upload,
  insert_upload_part,
  update_upload_size,
  select_upload_piece,
  select_upload_parts,
  mark_upload_committed,
  delete_upload,
  delete_upload_parts,
  sweep_expired_uploads,
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
    // Uploads: ?1 is the upload's id. An upload is live while its
    // expires_at is after the current instant.
    "SELECT size_bytes, expires_at, committed, request FROM artifacts_uploads "
    "WHERE upload_id = ?1 AND expires_at > ?2",
    R"sql(INSERT OR REPLACE INTO artifacts_uploads (upload_id, tenant, request, size_bytes,
                                          expires_at, committed)
VALUES (?1, ?2, ?3, 0, ?4, NULL))sql",
    "INSERT INTO artifacts_upload_parts (upload_id, part_offset, data) VALUES (?1, ?2, ?3)",
    "UPDATE artifacts_uploads SET size_bytes = ?2, expires_at = ?3 WHERE upload_id = ?1",
    // The part holding offset ?4 of a live upload holding at least ?3
    // bytes: the last part starting at or before it (parts follow each
    // other without gaps), through the primary key.
    R"sql(SELECT p.rowid, p.part_offset, length(p.data)
FROM artifacts_uploads u JOIN artifacts_upload_parts p ON p.upload_id = u.upload_id
WHERE u.upload_id = ?1 AND u.expires_at > ?2 AND u.committed IS NULL AND u.size_bytes >= ?3
  AND p.part_offset <= ?4
ORDER BY p.part_offset DESC LIMIT 1)sql",
    "SELECT rowid, part_offset FROM artifacts_upload_parts WHERE upload_id = ?1 "
    "ORDER BY part_offset",
    "UPDATE artifacts_uploads SET committed = ?2, expires_at = ?3 WHERE upload_id = ?1",
    "DELETE FROM artifacts_uploads WHERE upload_id = ?1",
    "DELETE FROM artifacts_upload_parts WHERE upload_id = ?1",
    // The oldest expired uploads first, through the expiry index; their
    // parts go by id in the same transaction.
    R"sql(DELETE FROM artifacts_uploads WHERE upload_id IN (
    SELECT upload_id FROM artifacts_uploads WHERE expires_at <= ?1
    ORDER BY expires_at LIMIT ?2)
RETURNING upload_id)sql",
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

// What a row of artifacts_blobs holds besides its bytes, at most: the key,
// the metadata and the source, which the store's limits keep far below it.
constexpr int64_t row_margin_bytes = int64_t{1} << 20;

// The largest artifact one row of `conn` holds: SQLite's length limit
// bounds a whole row, not only its blob.
uint64_t largest_row_bytes(const connection& conn) noexcept {
  const auto limit = conn.length_limit();
  return limit > row_margin_bytes ? static_cast<uint64_t>(limit - row_margin_bytes) : 0;
}

class sqlite_backend final : public backend {
 public:
  sqlite_backend(std::unique_ptr<connection> conn, std::chrono::milliseconds timeout,
                 wall_clock clock)
      : conn_(std::move(conn)),
        timeout_(timeout),
        clock_(std::move(clock)),
        largest_(largest_row_bytes(*conn_)) {}

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
      blob stored(*conn_, "artifacts_blobs", "bytes", stmt.column_int64(0), false);
      stored.read(range->bytes.data(), count, offset);
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

  // An id already stored (only a leftover could be: ids are random) starts
  // over with no bytes.
  void begin_upload(const new_upload& upload) override {
    run("begin_upload", [&] {
      write_transaction tx(*conn_);
      run_on_upload(delete_upload_parts, upload.id);
      {
        statement& stmt = prepared(replace_upload);
        statement_run running(stmt);
        stmt.bind_text(1, upload.id);
        stmt.bind_text(2, upload.tenant);
        stmt.bind_blob(3, upload.request);
        stmt.bind_int64(4, upload.expires_at);
        stmt.step();
      }
      tx.commit();
    });
  }

  // Under the write lock the offset check and the insert of the part are
  // one step: of two chunks at one offset, the later finds the size moved,
  // whichever connection sent it. An empty chunk adds no part (a part's
  // offset is its key, and the next chunk starts at the same one).
  uint64_t append_upload(std::string_view id, uint64_t offset, std::string_view bytes,
                         micros expires_at) override {
    uint64_t size = 0;
    run("append", [&] {
      write_transaction tx(*conn_);
      auto found = live_upload(id);
      if (!found) {
        throw upload_gone("append", id);
      }
      if (found->committed) {
        throw upload_committed("append", id);
      }
      if (offset != found->size_bytes) {
        throw chunk_misplaced(id, offset, found->size_bytes);
      }
      if (!bytes.empty()) {
        statement& stmt = prepared(insert_upload_part);
        statement_run running(stmt);
        stmt.bind_text(1, id);
        stmt.bind_int64(2, static_cast<int64_t>(offset));
        stmt.bind_blob(3, bytes);
        stmt.step();
      }
      size = offset + bytes.size();
      {
        statement& stmt = prepared(update_upload_size);
        statement_run running(stmt);
        stmt.bind_text(1, id);
        stmt.bind_int64(2, static_cast<int64_t>(size));
        stmt.bind_int64(3, expires_at);
        stmt.step();
      }
      tx.commit();
    });
    return size;
  }

  std::optional<upload_record> find_upload(std::string_view id) override {
    std::optional<upload_record> found;
    run("upload_status", [&] { found = live_upload(id, true); });
    return found;
  }

  // One piece per read transaction: each finds the part holding it (and
  // that the upload is still live and whole) and reads only the piece from
  // it through incremental blob I/O. No transaction stays open while
  // `consume` works, and no more than a piece is in memory, however large
  // the parts are.
  void read_upload(std::string_view id, uint64_t size,
                   const std::function<void(std::string_view)>& consume) override {
    run("commit", [&] {
      auto found = live_upload(id);
      if (!found || found->committed || found->size_bytes < size) {
        throw upload_gone("commit", id);
      }
    });
    std::string piece;
    for (uint64_t at = 0; at < size; at += piece.size()) {
      run("commit", [&] {
        statement& stmt = prepared(select_upload_piece);
        statement_run running(stmt);
        stmt.bind_text(1, id);
        stmt.bind_int64(2, now());
        stmt.bind_int64(3, static_cast<int64_t>(size));
        stmt.bind_int64(4, static_cast<int64_t>(at));
        if (!stmt.step()) {
          throw upload_gone("commit", id);
        }
        const auto start = static_cast<uint64_t>(stmt.column_int64(1));
        const auto end = start + static_cast<uint64_t>(stmt.column_int64(2));
        if (end <= at) {
          throw parts_damaged(id);
        }
        piece.resize(static_cast<size_t>(std::min({upload_piece_bytes, size - at, end - at})));
        blob part(*conn_, "artifacts_upload_parts", "data", stmt.column_int64(0), false);
        part.read(piece.data(), piece.size(), at - start);
      });
      consume(piece);
    }
  }

  // One write transaction: the upload's state, the row at the key (put's
  // rules, store_locked), the bytes copied from the parts, and the upload
  // marked committed with its parts dropped. An already committed upload
  // answers its row and writes nothing (the transaction rolls back empty).
  v1::ArtifactRef commit_upload(std::string_view id, const new_artifact& artifact,
                                micros keep_until) override {
    v1::ArtifactRef stored;
    run("commit", [&] {
      write_transaction tx(*conn_);
      auto found = live_upload(id);
      if (!found) {
        throw upload_gone("commit", id);
      }
      if (found->committed) {
        stored = std::move(*found->committed);
        return;
      }
      const auto size = static_cast<uint64_t>(artifact.ref.size_bytes());
      if (found->size_bytes != size) {
        throw chunk_misplaced(id, size, found->size_bytes);
      }
      stored = store_locked(artifact, id);
      if (stored.sha256() != artifact.ref.sha256()) {
        throw commit_collision(artifact.ref);  // rolled back: the upload stays open
      }
      std::string committed;
      if (!stored.SerializeToString(&committed)) {
        throw store_error(errc::internal, "commit: cannot serialise the ref of " + stored.id());
      }
      {
        statement& stmt = prepared(mark_upload_committed);
        statement_run running(stmt);
        stmt.bind_text(1, id);
        stmt.bind_blob(2, committed);
        stmt.bind_int64(3, keep_until);
        stmt.step();
      }
      run_on_upload(delete_upload_parts, id);
      tx.commit();
    });
    return stored;
  }

  bool abort_upload(std::string_view id) override {
    bool removed = false;
    run("abort_upload", [&] {
      write_transaction tx(*conn_);
      removed = live_upload(id).has_value();
      if (removed) {
        run_on_upload(delete_upload, id);
        run_on_upload(delete_upload_parts, id);
      }
      tx.commit();
    });
    return removed;
  }

  uint64_t sweep_uploads(uint32_t limit) override {
    uint64_t removed = 0;
    run("sweep", [&] {
      std::vector<std::string> ids;
      write_transaction tx(*conn_);
      {
        statement& stmt = prepared(sweep_expired_uploads);
        statement_run running(stmt);
        stmt.bind_int64(1, now());
        stmt.bind_int64(2, limit);
        while (stmt.step()) {
          ids.emplace_back(stmt.column_text(0));
        }
      }
      for (const auto& id : ids) {
        run_on_upload(delete_upload_parts, id);
      }
      tx.commit();
      removed = ids.size();
    });
    return removed;
  }

  uint64_t largest_artifact() const noexcept override { return largest_; }

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
  // the key: the new one, or the one there settled against this put. A new
  // row's bytes are artifact.bytes, or with `upload` that upload's parts.
  v1::ArtifactRef store_locked(const new_artifact& artifact,
                               std::optional<std::string_view> upload = std::nullopt) {
    const auto& ref = artifact.ref;
    const artifact_key key{ref.scope(), ref.namespace_(), ref.id()};
    auto existing = find_ref(key, select_stored_ref);
    if (!existing) {
      check_fits(artifact);
      insert(artifact, upload);
      return ref;
    }
    switch (reput_of(*existing, ref)) {
      case reput_action::keep:
        return std::move(*existing);
      case reput_action::replace:
        check_fits(artifact);
        run_at_key(delete_row, key);
        insert(artifact, upload);
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
  // Its size is the ref's: its bytes may be an upload's, not artifact.bytes.
  void check_fits(const new_artifact& artifact) {
    if (artifact.quota != nullptr) {
      const auto& tenant = artifact.ref.scope().tenant();
      check_quota(*artifact.quota, usage_now(tenant_filter(tenant)),
                  static_cast<uint64_t>(artifact.ref.size_bytes()), tenant);
    }
  }

  // Runs a statement over the upload id (?1) alone.
  void run_on_upload(query which, std::string_view id) {
    statement& stmt = prepared(which);
    statement_run running(stmt);
    stmt.bind_text(1, id);
    stmt.step();
  }

  // The upload `id` if it is live, with its request only when
  // `with_request` (appends and commits do not need it).
  std::optional<upload_record> live_upload(std::string_view id, bool with_request = false) {
    statement& stmt = prepared(select_upload);
    statement_run running(stmt);
    stmt.bind_text(1, id);
    stmt.bind_int64(2, now());
    if (!stmt.step()) {
      return std::nullopt;
    }
    upload_record found;
    found.size_bytes = static_cast<uint64_t>(stmt.column_int64(0));
    found.expires_at = stmt.column_int64(1);
    if (!stmt.column_is_null(2)) {
      const auto committed = stmt.column_blob(2);
      found.committed.emplace();
      if (!found.committed->ParseFromArray(committed.data(), static_cast<int>(committed.size()))) {
        throw store_error(errc::internal,
                          "the committed ref of upload " + std::string(id) + " does not parse");
      }
    }
    if (with_request) {
      found.request = std::string(stmt.column_blob(3));
    }
    return found;
  }

  // Parts that do not follow each other or do not add up to the upload's
  // size: a damaged database, never bytes that are not the upload's.
  static store_error parts_damaged(std::string_view id) {
    return store_error(errc::internal, "commit: the stored parts of upload " + std::string(id) +
                                           " do not make up its bytes");
  }

  // Writes the parts of upload `id`, in order, into the zeroed bytes of the
  // artifacts_blobs row `rowid`, a piece at a time through incremental blob
  // I/O: never the whole payload in memory. The parts must fill the bytes
  // exactly.
  void copy_parts(int64_t rowid, std::string_view id) {
    blob target(*conn_, "artifacts_blobs", "bytes", rowid, true);
    statement& stmt = prepared(select_upload_parts);
    statement_run running(stmt);
    stmt.bind_text(1, id);
    uint64_t end = 0;
    std::string piece;
    while (stmt.step()) {
      if (static_cast<uint64_t>(stmt.column_int64(1)) != end) {
        throw parts_damaged(id);
      }
      blob part(*conn_, "artifacts_upload_parts", "data", stmt.column_int64(0), false);
      const auto length = part.size();
      if (length > target.size() - end) {
        throw parts_damaged(id);
      }
      for (uint64_t at = 0; at < length; at += piece.size()) {
        piece.resize(static_cast<size_t>(std::min(upload_piece_bytes, length - at)));
        part.read(piece.data(), piece.size(), at);
        target.write(piece, end + at);
      }
      end += length;
    }
    if (end != target.size()) {
      throw parts_damaged(id);
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
  // lock after find_ref found none). With `upload`, the row is inserted
  // with zeroed bytes of the ref's size, which the upload's parts then fill
  // in place: the same row a put of those bytes writes.
  void insert(const new_artifact& artifact, std::optional<std::string_view> upload) {
    const auto& ref = artifact.ref;
    {
      statement& stmt = prepared(insert_row);
      statement_run running(stmt);
      bind_key(stmt, 1, ref.scope(), ref.namespace_(), ref.id());
      stmt.bind_text(7, ref.mime_type());
      stmt.bind_int64(8, ref.size_bytes());
      stmt.bind_text(9, ref.filename());
      stmt.bind_text(10, ref.sha256());
      stmt.bind_blob(11, artifact.source_json);
      if (upload) {
        stmt.bind_zeroblob(12, static_cast<uint64_t>(ref.size_bytes()));
      } else {
        stmt.bind_blob(12, artifact.bytes);
      }
      stmt.bind_int64(13, micros_of(ref.created_at()));
      if (auto at = expiry_of(ref)) {
        stmt.bind_int64(14, *at);
      } else {
        stmt.bind_null(14);
      }
      stmt.step();
    }
    if (upload) {
      if (conn_->changes() != 1) {
        throw store_error(errc::internal, "commit: the row of " + ref.id() + " was not inserted");
      }
      copy_parts(conn_->last_insert_rowid(), *upload);
    }
  }

  std::unique_ptr<connection> conn_;
  std::chrono::milliseconds timeout_;
  wall_clock clock_;
  uint64_t largest_;
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
