// Listing: filters, wildcards, order, pagination.
#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "scenarios/scenario_catalog.hpp"

namespace artifacts::scenarios {

namespace {

// The five scopes the filter scenarios list from, one artifact each.
struct filter_fixture {
  v1::Scope alice_s1_t1 = make_scope("acme", "alice", "s1", "t1");
  v1::Scope alice_s1_t2 = make_scope("acme", "alice", "s1", "t2");
  v1::Scope alice_s2_t1 = make_scope("acme", "alice", "s2", "t1");
  v1::Scope bob_s1_t1 = make_scope("acme", "bob", "s1", "t1");
  v1::Scope globex_alice = make_scope("globex", "alice", "s1", "t1");

  std::vector<v1::Scope> all() const {
    return {alice_s1_t1, alice_s1_t2, alice_s2_t1, bob_s1_t1, globex_alice};
  }

  void fill(client& c) const {
    for (const auto& scope : all()) {
      const auto data = "payload of " + scope.ShortDebugString();
      REQUIRE_VALUE(c.put(put_request(scope, data)));
    }
  }
};

// The scopes of `refs`, in listing order, as comparable text.
std::vector<std::string> scopes_of(const std::vector<v1::ArtifactRef>& refs) {
  std::vector<std::string> out;
  for (const auto& ref : refs) {
    out.push_back(ref.scope().ShortDebugString());
  }
  return out;
}

std::vector<std::string> scopes_of(const std::vector<v1::Scope>& scopes) {
  std::vector<std::string> out;
  for (const auto& scope : scopes) {
    out.push_back(scope.ShortDebugString());
  }
  return out;
}

// The full listing key of a ref: tenant, user, session, task, namespace, id.
std::string listing_key(const v1::ArtifactRef& ref) {
  const auto& s = ref.scope();
  return s.tenant() + " | " + s.user() + " | " + s.session() + " | " + s.task() + " | " +
         ref.namespace_() + " | " + ref.id();
}

std::vector<std::string> listing_keys(const std::vector<v1::ArtifactRef>& refs) {
  std::vector<std::string> out;
  for (const auto& ref : refs) {
    out.push_back(listing_key(ref));
  }
  return out;
}

void list_filters_by_scope(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  filter_fixture rows;
  rows.fill(c);

  // Every fully given scope lists exactly its own artifact.
  for (const auto& scope : rows.all()) {
    auto listed = list_all(c, scope);
    REQUIRE(listed.size() == 1);
    CHECK_SAME(listed[0].scope(), scope);
  }
  // A scope nobody wrote to lists nothing.
  CHECK(list_all(c, make_scope("acme", "alice", "s1", "t3")).empty());
  CHECK(list_all(c, make_scope("initech", "alice", "s1", "t1")).empty());
}

void empty_filter_fields_are_wildcards(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  filter_fixture rows;
  rows.fill(c);

  CHECK(scopes_of(list_all(c, make_scope("acme", "", ""))) ==
        scopes_of({rows.alice_s1_t1, rows.alice_s1_t2, rows.alice_s2_t1, rows.bob_s1_t1}));
  CHECK(scopes_of(list_all(c, v1::Scope{})) == scopes_of(rows.all()));
  CHECK(scopes_of(list_all(c, make_scope("acme", "alice", ""))) ==
        scopes_of({rows.alice_s1_t1, rows.alice_s1_t2, rows.alice_s2_t1}));
  CHECK(scopes_of(list_all(c, make_scope("acme", "alice", "s1"))) ==
        scopes_of({rows.alice_s1_t1, rows.alice_s1_t2}));
  CHECK(scopes_of(list_all(c, make_scope("", "alice", ""))) ==
        scopes_of({rows.alice_s1_t1, rows.alice_s1_t2, rows.alice_s2_t1, rows.globex_alice}));
  CHECK(scopes_of(list_all(c, make_scope("", "", "", "t2"))) == scopes_of({rows.alice_s1_t2}));
  CHECK(list_all(c, make_scope("initech", "", "")).empty());
}

void list_order_is_stable_and_bytewise(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  // Mixed case, prefixes and non-ASCII text: a locale-aware collation or a
  // concatenated key would order these differently from bytewise per field.
  const std::vector<std::string> tenants = {"acme", "Acme", "ACME", "acme-east", "acmé", "Ärger",
                                            "zeta", "Zeta", "日本", "a",         "ab"};
  const std::vector<std::string> users = {"bob", "Bob", "bobby", "böb", "b", "b b"};
  const std::vector<std::string> sessions = {"s", "S", "s-1", "s1", "ş"};
  const std::vector<std::string> tasks = {"", "t", "T", "task", "ţ", "_"};
  const std::vector<std::string> namespaces = {"", "alpha", "Alpha", "beta", "ß", "a_b"};

  std::vector<v1::ArtifactRef> stored;
  for (size_t i = 0; i < 40; ++i) {
    auto scope = make_scope(tenants[(i * 7) % tenants.size()], users[(i * 5) % users.size()],
                            sessions[(i * 3) % sessions.size()], tasks[i % tasks.size()]);
    auto ns = namespaces[(i * 11) % namespaces.size()];
    stored.push_back(REQUIRE_VALUE(c.put(put_request(scope, "row " + std::to_string(i), ns))));
  }
  // Rows that differ only in their id.
  const auto shared_scope = make_scope("acme", "bob", "s", "t");
  for (size_t i = 0; i < 6; ++i) {
    stored.push_back(
        REQUIRE_VALUE(c.put(put_request(shared_scope, "same scope " + std::to_string(i), "beta"))));
  }

  std::vector<v1::ArtifactRef> ordered = stored;
  std::sort(ordered.begin(), ordered.end(), [](const v1::ArtifactRef& a, const v1::ArtifactRef& b) {
    auto key = [](const v1::ArtifactRef& r) {
      return std::tie(r.scope().tenant(), r.scope().user(), r.scope().session(), r.scope().task(),
                      r.namespace_(), r.id());
    };
    return key(a) < key(b);
  });
  const auto expected = listing_keys(ordered);

  CHECK(listing_keys(list_all(c, v1::Scope{})) == expected);
  // The same order again, and page by page.
  CHECK(listing_keys(list_all(c, v1::Scope{})) == expected);
  CHECK(listing_keys(list_all(c, v1::Scope{}, 4)) == expected);
  CHECK(listing_keys(list_all(c, v1::Scope{}, 1)) == expected);

  // A filtered listing keeps the same relative order.
  std::vector<std::string> acme_expected;
  for (const auto& ref : ordered) {
    if (ref.scope().tenant() == "acme") {
      acme_expected.push_back(listing_key(ref));
    }
  }
  CHECK(listing_keys(list_all(c, make_scope("acme", "", ""), 3)) == acme_expected);
}

void pagination_visits_every_row_once(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  std::set<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    ids.insert(REQUIRE_VALUE(c.put(put_request(scope, "page row " + std::to_string(i)))).id());
  }
  // Noise in other scopes that the filter must skip, before and after.
  for (int i = 0; i < 4; ++i) {
    REQUIRE_VALUE(c.put(put_request(make_scope("aaa", "alice", "session-1"), std::to_string(i))));
    REQUIRE_VALUE(c.put(put_request(make_scope("zzz", "alice", "session-1"), std::to_string(i))));
  }
  REQUIRE(ids.size() == 10);

  std::vector<std::string> seen;
  std::vector<size_t> page_sizes;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    auto listed = REQUIRE_VALUE(c.list(list_request(scope, 3, token)));
    page_sizes.push_back(static_cast<size_t>(listed.refs_size()));
    for (const auto& ref : listed.refs()) {
      CHECK_SAME(ref.scope(), scope);
      seen.push_back(ref.id());
    }
    token = listed.next_page_token();
    if (token.empty()) {
      break;
    }
  }
  CHECK(token.empty());
  CHECK(page_sizes == std::vector<size_t>{3, 3, 3, 1});
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == ids);
  CHECK(seen.size() == ids.size());
  CHECK(std::is_sorted(seen.begin(), seen.end()));

  // Limit 0 is the store's default page size: everything at once here.
  auto whole = REQUIRE_VALUE(c.list(list_request(scope)));
  CHECK(whole.refs_size() == 10);
  CHECK(whole.next_page_token().empty());

  // A token the store did not issue is the caller's mistake.
  for (const char* garbage : {"garbage-token", "zz", "abc", "not a token at all!"}) {
    INFO("page_token = " << garbage);
    CHECK_ERROR(c.list(list_request(scope, 3, garbage)), errc::invalid_argument);
  }
}

}  // namespace

std::vector<scenario> listing_scenarios() {
  return {
      {"list filters by scope", list_filters_by_scope},
      {"empty filter fields are wildcards", empty_filter_fields_are_wildcards},
      {"list order is stable and bytewise", list_order_is_stable_and_bytewise},
      {"pagination visits every row exactly once", pagination_visits_every_row_once},
  };
}

}  // namespace artifacts::scenarios
