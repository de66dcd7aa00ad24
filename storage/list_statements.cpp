#include "storage/list_statements.hpp"

#include <array>

namespace artifacts {

namespace {

// The key columns in the store's order; the first four are the scope.
constexpr std::array<const char*, 6> key_columns = {"tenant", "\"user\"",  "session",
                                                    "task",   "namespace", "id"};
constexpr size_t scope_fields = 4;

std::array<const std::string*, 6> key_of(const v1::ListCursor& cursor) {
  const auto& scope = cursor.scope();
  return {&scope.tenant(), &scope.user(),        &scope.session(),
          &scope.task(),   &cursor.namespace_(), &cursor.id()};
}

std::array<const std::string*, scope_fields> fields_of(const v1::Scope& filter) {
  return {&filter.tenant(), &filter.user(), &filter.session(), &filter.task()};
}

// The store's order is bytewise (std::string comparison in the memory
// driver). PostgreSQL compares in the "C" collation whatever the database's
// default is, as its list-order index does; SQLite's columns compare
// bytewise (BINARY) already, as its primary key does.
std::string collated(size_t column, sql_flavour flavour) {
  return std::string(key_columns[column]) +
         (flavour == sql_flavour::postgres ? " COLLATE \"C\"" : "");
}

std::string parameter(size_t number, sql_flavour flavour) {
  return flavour == sql_flavour::postgres ? "$" + std::to_string(number) + "::text"
                                          : "?" + std::to_string(number);
}

std::string limit_parameter(size_t number, sql_flavour flavour) {
  return flavour == sql_flavour::postgres ? "$" + std::to_string(number) + "::bigint"
                                          : "CAST(?" + std::to_string(number) + " AS INTEGER)";
}

}  // namespace

std::string ref_columns(sql_flavour flavour) {
  std::string text =
      "tenant, \"user\", session, task, namespace, id, mime_type, size_bytes, filename, sha256, "
      "source_json, ";
  if (flavour == sql_flavour::postgres) {
    return text +
           "(extract(epoch FROM created_at) * 1000000)::int8, "
           "(extract(epoch FROM expires_at) * 1000000)::int8";
  }
  return text + "created_at, expires_at";
}

std::string live_at(size_t number, sql_flavour flavour) {
  if (flavour == sql_flavour::postgres) {
    return "(expires_at IS NULL OR expires_at > ('epoch'::timestamptz + $" +
           std::to_string(number) + "::int8 * interval '1 microsecond'))";
  }
  return "(expires_at IS NULL OR expires_at > CAST(?" + std::to_string(number) + " AS INTEGER))";
}

size_t fixed_prefix(const v1::Scope& filter) {
  const auto fields = fields_of(filter);
  size_t prefix = 0;
  while (prefix < scope_fields && !fields[prefix]->empty()) {
    ++prefix;
  }
  return prefix;
}

namespace {

// The condition on the scope of a filter that fixes `prefix` fields: those
// fields equal, which an index on the scope takes as its range, and each
// later field equal unless its parameter is empty. Numbers its parameters
// from `next` on, as scope_parameters orders them.
std::string scope_condition(size_t prefix, sql_flavour flavour, size_t& next) {
  std::string text;
  for (size_t column = 0; column < prefix; ++column) {
    text += (column == 0 ? "" : " AND ") + collated(column, flavour) + " = " +
            parameter(next++, flavour);
  }
  for (size_t column = prefix; column < scope_fields; ++column) {
    const auto value = parameter(next++, flavour);
    text += " AND (" + value + " = '' OR " + collated(column, flavour) + " = " + value + ")";
  }
  return text;
}

}  // namespace

std::vector<std::string> scope_parameters(const v1::Scope& filter) {
  std::vector<std::string> parameters;
  for (const auto* field : fields_of(filter)) {
    parameters.push_back(*field);
  }
  return parameters;
}

std::string usage_statement_text(size_t prefix, sql_flavour flavour) {
  size_t next = 1;
  std::string text = "SELECT count(*), coalesce(sum(size_bytes), 0) FROM artifacts_blobs WHERE ";
  text += scope_condition(prefix, flavour, next);
  text += " AND " + live_at(next, flavour);
  return text;
}

std::string purge_statement_text(size_t prefix, sql_flavour flavour) {
  size_t next = 1;
  const auto condition = scope_condition(prefix, flavour, next);
  if (flavour == sql_flavour::postgres) {
    return "DELETE FROM artifacts_blobs WHERE ctid = ANY(ARRAY(SELECT ctid FROM artifacts_blobs "
           "WHERE " +
           condition + " LIMIT " + limit_parameter(next, flavour) +
           " FOR UPDATE)) RETURNING tenant, size_bytes,"
           " (extract(epoch FROM expires_at) * 1000000)::int8 AS expires_at";
  }
  return "DELETE FROM artifacts_blobs WHERE rowid IN (SELECT rowid FROM artifacts_blobs WHERE " +
         condition + " LIMIT " + limit_parameter(next, flavour) +
         ") RETURNING size_bytes, expires_at";
}

std::string list_statement_text(size_t prefix, sql_flavour flavour) {
  std::string text = "SELECT " + ref_columns(flavour) + " FROM artifacts_blobs WHERE ";
  size_t next = 1;
  for (size_t column = 0; column < prefix; ++column) {
    text += collated(column, flavour) + " = " + parameter(next++, flavour) + " AND ";
  }
  // prefix is at most 4, so at least namespace and id remain: a row
  // comparison, which the index takes as the scan's start.
  std::string columns;
  std::string values;
  for (size_t column = prefix; column < key_columns.size(); ++column) {
    columns += (column == prefix ? "" : ", ") + collated(column, flavour);
    values += (column == prefix ? "" : ", ") + parameter(next++, flavour);
  }
  text += "(" + columns + ") > (" + values + ")";
  // Fields after the first empty one filter row by row inside the range.
  for (size_t column = prefix + 1; column < scope_fields; ++column) {
    const auto value = parameter(next++, flavour);
    text += " AND (" + value + " = '' OR " + key_columns[column] + " = " + value + ")";
  }
  text += " AND " + live_at(next++, flavour);
  text += " ORDER BY ";
  for (size_t column = 0; column < key_columns.size(); ++column) {
    text += (column == 0 ? "" : ", ") + collated(column, flavour);
  }
  text += " LIMIT " + limit_parameter(next, flavour);
  return text;
}

std::optional<std::vector<std::string>> list_parameters(const v1::Scope& filter,
                                                        const v1::ListCursor* after, uint32_t limit,
                                                        int64_t now) {
  const auto fields = fields_of(filter);
  const size_t prefix = fixed_prefix(filter);
  std::vector<std::string> parameters;
  for (size_t column = 0; column < prefix; ++column) {
    parameters.push_back(*fields[column]);
  }
  // Where the cursor lies against the fixed range: before it, inside it, or
  // past it, compared bytewise field by field as the index orders them.
  bool from_range_start = after == nullptr;
  if (after != nullptr) {
    const auto key = key_of(*after);
    for (size_t column = 0; column < prefix; ++column) {
      const int order = key[column]->compare(*fields[column]);
      if (order > 0) {
        return std::nullopt;
      }
      if (order < 0) {
        from_range_start = true;
        break;
      }
    }
  }
  for (size_t column = prefix; column < key_columns.size(); ++column) {
    parameters.push_back(from_range_start ? std::string() : *key_of(*after)[column]);
  }
  for (size_t column = prefix + 1; column < scope_fields; ++column) {
    parameters.push_back(*fields[column]);
  }
  parameters.push_back(std::to_string(now));
  parameters.push_back(std::to_string(limit));
  return parameters;
}

}  // namespace artifacts
