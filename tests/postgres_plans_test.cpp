// Every statement on a request path is served by an index, on a table large
// enough that the planner would scan it if it could, whether PostgreSQL
// plans the statement per call (custom plans) or once for every call
// (generic plans, which `plan_cache_mode = force_generic_plan` imposes).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "scenarios/driver_test_support.hpp"
#include "scenarios/postgres_schema.hpp"
#include "storage/list_statements.hpp"
#include "storage/open_driver.hpp"
#include "storage/postgres/statements.hpp"

namespace {

using artifacts::testing::temporary_schema;
namespace postgres = artifacts::postgres;

// 200 005 rows: a large tenant, a second large tenant, and a small one
// beside them. In the large tenants most rows share one user, session and
// task (u1, s3, t2), so that every filter shape's range holds tens of
// thousands of rows, with a few other values around them. Metadata-sized
// payloads. Loaded as the store loads them, uncounted by the table's
// trigger (which would cost one upsert per row), and counted in one
// statement afterwards.
void load_rows(const temporary_schema& schema) {
  schema.query(
      "SET artifact_store.own_counts = on;"
      "INSERT INTO artifacts_blobs SELECT"
      " CASE WHEN g % 5 < 3 THEN 'big' ELSE 'other' END,"
      " CASE WHEN g % 7 < 6 THEN 'u1' ELSE 'u' || (g % 4) END,"
      " CASE WHEN g % 11 < 10 THEN 's3' ELSE 's' || (g % 10) END,"
      " CASE WHEN g % 13 < 12 THEN 't2' ELSE 't' || (g % 3) END,"
      " 'ns', 'ns_' || substr(md5(g::text), 1, 12), 'text/plain', 16, '',"
      " md5(g::text) || md5(g::text), '\\x6e756c6c', '\\x00112233445566778899aabbccddeeff'"
      " FROM generate_series(1, 200000) g;"
      "INSERT INTO artifacts_blobs SELECT 'small', 'u', 's', 't', 'ns',"
      " 'ns_' || substr(md5(g::text), 1, 12), 'text/plain', 1, '', md5(g::text), '\\x6e756c6c',"
      " '\\x00' FROM generate_series(1, 5) g;"
      // One row in sixteen expires, none of them yet at now_argument.
      "UPDATE artifacts_blobs SET expires_at = '2027-01-01'::timestamptz WHERE id LIKE 'ns_0%';"
      "INSERT INTO artifacts_usage SELECT tenant, 0, count(*), sum(size_bytes)"
      " FROM artifacts_blobs GROUP BY tenant;"
      // 2 000 open uploads of four parts each, expiring a second apart.
      "INSERT INTO artifacts_uploads SELECT md5(g::text), 'big', '\\x00', 12,"
      " '2027-01-01'::timestamptz + g * interval '1 second', NULL"
      " FROM generate_series(1, 2000) g;"
      "INSERT INTO artifacts_upload_parts SELECT md5(g::text), p * 3, '\\x616263'"
      " FROM generate_series(1, 2000) g, generate_series(0, 3) p;"
      "ANALYZE artifacts_blobs; ANALYZE artifacts_usage; ANALYZE artifacts_uploads;"
      " ANALYZE artifacts_upload_parts");
}

// The plan of `statement` run with `arguments` (SQL literals, comma
// separated) under `mode`, its lines joined by newlines.
std::string plan_of(const temporary_schema& schema, const std::string& mode,
                    const std::string& statement, const std::string& arguments) {
  const auto rows =
      schema.query("SET plan_cache_mode = " + mode + "; PREPARE probe AS " + statement +
                   "; EXPLAIN (COSTS OFF) EXECUTE probe(" + arguments + ")");
  std::string plan;
  for (const auto& row : rows) {
    plan += row.at(0) + "\n";
  }
  return plan;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct probe {
  std::string what;
  std::string statement;
  std::string arguments;
  std::string index;  // the index the plan must use
  bool ordered;       // the index must give the order too: no Sort
  // Whether the backend prepares it, so that a generic plan may serve it;
  // the others run unprepared, planned for their values every time.
  bool prepared = true;
};

const std::string key_arguments = "'big', 'u1', 's3', 't2', 'ns', 'ns_0123456789ab'";
// An instant in microseconds since the Unix epoch: 2026-12-01.
const std::string now_argument = "'1764547200000000'";
// An open upload: md5('7'), one of load_rows's.
const std::string upload_argument = "'8f14e45fceea167a5a36dedd4bea2543'";

std::vector<probe> request_path_statements() {
  namespace sql = postgres::sql;
  std::vector<probe> probes = {
      {"get_ref", sql::select_ref, key_arguments + ", " + now_argument, "artifacts_blobs_pkey",
       false},
      {"get", sql::select_bytes, key_arguments + ", " + now_argument, "artifacts_blobs_pkey",
       false},
      {"exists", sql::select_exists, key_arguments + ", " + now_argument, "artifacts_blobs_pkey",
       false},
      {"delete", sql::delete_row, key_arguments + ", " + now_argument, "artifacts_blobs_pkey",
       false},
      {"put", sql::insert_row_returning,
       key_arguments + ", 'text/plain', 3, '', 'abc', '\\x6e756c6c', '\\x616263', " + now_argument +
           ", NULL",
       "artifacts_blobs_pkey", false},
      {"put, counted", sql::insert_row_counted,
       key_arguments + ", 'text/plain', 3, '', 'abc', '\\x6e756c6c', '\\x616263', " + now_argument +
           ", NULL",
       "artifacts_usage_pkey", false},
      {"a batch's counts", sql::add_counts, "'big', 10, 160", "artifacts_usage_pkey", false},
      // The tenant's counts (a few rows, which the planner may read whole)
      // and its expired rows, through the index of the tenant's expiring
      // rows or, when the planner expects few rows expired by then, the
      // expiry index.
      {"usage of a tenant", sql::tenant_usage, "'big', " + now_argument,
       "using artifacts_blobs_expir", false},
      {"put over a stored row", sql::select_stored_ref, key_arguments, "artifacts_blobs_pkey",
       false},
      // The primary key, or the expiry index when the planner expects few
      // rows expired by then.
      {"put over an expired row", sql::delete_expired_row, key_arguments + ", " + now_argument,
       "Index Scan using artifacts_blobs_", false},
      {"put extending an expiry", sql::extend_expiry,
       key_arguments + ", " + now_argument + ", '1767225600000000'", "artifacts_blobs_pkey", false},
      {"sweep", sql::sweep_expired, now_argument + ", 1000", "artifacts_blobs_expiry", false},
      // Streamed uploads: by the upload's id, and the sweep by expiry.
      {"an upload's status", sql::select_upload, upload_argument + ", " + now_argument,
       "artifacts_uploads_pkey", false},
      {"a chunk", sql::append_part,
       upload_argument + ", 12, '\\x616263', '1767225600000000', " + now_argument,
       "artifacts_uploads_pkey", false},
      {"a part read at commit", sql::select_part, upload_argument + ", 3",
       "artifacts_upload_parts_pkey", false},
      {"a commit's insert", sql::insert_uploaded_counted,
       key_arguments + ", 'text/plain', 12, '', 'abc', '\\x6e756c6c', " + upload_argument + ", " +
           now_argument + ", NULL",
       "artifacts_upload_parts_pkey", false},
      {"a commit's mark", sql::mark_committed, upload_argument + ", '\\x00', '1767225600000000'",
       "artifacts_upload_parts_pkey", false},
      {"an abort", sql::delete_upload, upload_argument + ", " + now_argument,
       "artifacts_uploads_pkey", false},
      {"the sweep of uploads", sql::sweep_uploads, "'1798761600000000', 1000",
       "artifacts_uploads_expiry", false},
  };
  // Each list shape, on its first page and from a cursor inside the large
  // tenant's range, with the parameters the backend would send.
  const std::vector<std::vector<std::string>> filters = {
      {"", "", "", ""},        {"big", "", "", ""},       {"big", "u1", "", ""},
      {"big", "u1", "s3", ""}, {"big", "u1", "s3", "t2"}, {"small", "", "", ""},
      {"big", "", "s3", ""}};
  for (const auto& fields : filters) {
    artifacts::v1::Scope filter;
    filter.set_tenant(fields[0]);
    filter.set_user(fields[1]);
    filter.set_session(fields[2]);
    filter.set_task(fields[3]);
    artifacts::v1::ListCursor cursor;
    *cursor.mutable_scope() = filter;
    cursor.mutable_scope()->set_tenant("big");
    cursor.mutable_scope()->set_user("u1");
    cursor.mutable_scope()->set_session("s3");
    cursor.mutable_scope()->set_task("t2");
    cursor.set_namespace_("ns");
    cursor.set_id("ns_8");
    const artifacts::v1::ListCursor* from_start = nullptr;
    for (const artifacts::v1::ListCursor* after :
         {from_start, &static_cast<const artifacts::v1::ListCursor&>(cursor)}) {
      auto parameters = artifacts::list_parameters(filter, after, 1000, 1764547200000000);
      REQUIRE(parameters);
      std::string arguments;
      for (const auto& value : *parameters) {
        arguments += (arguments.empty() ? "'" : ", '") + value + "'";
      }
      probes.push_back(
          {"list " + filter.ShortDebugString() + (after != nullptr ? " after a cursor" : ""),
           artifacts::list_statement_text(artifacts::fixed_prefix(filter),
                                          artifacts::sql_flavour::postgres),
           arguments, "artifacts_blobs_list_order", true});
    }
  }
  // Usage and purge, for each shape a filter can take from the tenant on,
  // and with a gap: over a tenant that holds a small part of the table, as
  // most do, and over the tenant that holds most of it.
  const std::vector<std::vector<std::string>> scope_filters = {
      {"small", "", "", ""},    {"small", "u", "", ""}, {"small", "u", "s", ""},
      {"small", "u", "s", "t"}, {"small", "", "s", ""}, {"big", "", "", ""},
      {"big", "u1", "s3", "t2"}};
  for (const auto& fields : scope_filters) {
    artifacts::v1::Scope filter;
    filter.set_tenant(fields[0]);
    filter.set_user(fields[1]);
    filter.set_session(fields[2]);
    filter.set_task(fields[3]);
    std::string arguments;
    for (const auto& value : artifacts::scope_parameters(filter)) {
      arguments += (arguments.empty() ? "'" : ", '") + value + "'";
    }
    const auto prefix = artifacts::fixed_prefix(filter);
    // (A whole tenant's usage reads its counts: sql::tenant_usage.)
    if (!fields[1].empty() || !fields[2].empty() || !fields[3].empty()) {
      probes.push_back({"usage " + filter.ShortDebugString(),
                        artifacts::usage_statement_text(prefix, artifacts::sql_flavour::postgres),
                        arguments + ", " + now_argument, "artifacts_blobs_usage", false, false});
    }
    // A purge of the tenant that holds most of the table may read the
    // table itself: a scan that stops at the batch's size finds its rows
    // sooner than the index would.
    if (fields[0] == "big") {
      continue;
    }
    probes.push_back(
        {"purge " + filter.ShortDebugString(),
         "WITH gone AS (" +
             artifacts::purge_statement_text(prefix, artifacts::sql_flavour::postgres) + ")" +
             sql::count_purged,
         arguments + ", 1000", "artifacts_blobs_usage", false, false});
  }
  return probes;
}

}  // namespace

TEST_CASE("every statement on a request path is served by an index, custom or generic") {
  temporary_schema schema;
  artifacts::open_driver(artifacts::testing::options_for(schema.dsn()));
  load_rows(schema);

  // The table tempts the planner: version 0.1's single list statement, one
  // text for every filter shape, scans it under a generic plan.
  const std::string one_text_for_every_shape =
      "SELECT tenant, id FROM artifacts_blobs WHERE ($1::text = '' OR tenant = $1::text)"
      " ORDER BY tenant COLLATE \"C\", id COLLATE \"C\" LIMIT $2::bigint";
  CHECK(contains(plan_of(schema, "force_generic_plan", one_text_for_every_shape, "'big', 1000"),
                 "Seq Scan"));

  // As autovacuum would soon after: the visibility map that lets a usage
  // read the index alone.
  schema.query("VACUUM ANALYZE artifacts_blobs");

  for (const auto& probe : request_path_statements()) {
    for (const std::string mode : {"force_custom_plan", "force_generic_plan"}) {
      if (!probe.prepared && mode == "force_generic_plan") {
        continue;
      }
      const auto plan = plan_of(schema, mode, probe.statement, probe.arguments);
      INFO(probe.what << " under " << mode << ":\n" << plan);
      // (artifacts_usage holds a few rows per tenant: the planner may read
      // it whole.)
      CHECK_FALSE(contains(plan, "Seq Scan on artifacts_blobs"));
      CHECK_FALSE(contains(plan, "Seq Scan on artifacts_upload"));
      CHECK(contains(plan, probe.index));
      if (probe.ordered) {
        CHECK_FALSE(contains(plan, "Sort"));
      }
      // The mode took effect: only a generic plan's index conditions still
      // hold parameters. (An insert's plan shows no condition.)
      // (A sweep's subquery names its own result $1 in either mode, once
      // for each condition it appears in.)
      if (contains(plan, "Index Cond")) {
        auto conditions = plan;
        for (const std::string subquery_result : {"(returns $1)", "ANY ($1)"}) {
          for (auto at = conditions.find(subquery_result); at != std::string::npos;
               at = conditions.find(subquery_result)) {
            conditions.erase(at, subquery_result.size());
          }
        }
        CHECK(contains(conditions, "$1") == (mode == "force_generic_plan"));
      }
    }
  }
}
