// Isolation between scopes, and the scoped client.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <artifact_store/scoped_client.hpp>

#include "scenarios/scenario_catalog.hpp"

namespace artifacts::scenarios {

namespace {

void cross_tenant_get_isolation(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto tenant_a = make_scope("tenant-a", "alice", "session-1", "task-1");
  const auto tenant_b = make_scope("tenant-b", "alice", "session-1", "task-1");
  const std::string data = "tenant A's secret";

  auto ref = REQUIRE_VALUE(c.put(put_request(tenant_a, data)));
  const auto foreign = make_key(tenant_b, ref.id());
  auto blob = REQUIRE_VALUE(c.get(foreign));
  CHECK_FALSE(blob.found());
  CHECK(blob.data().empty());
  auto found_ref = REQUIRE_VALUE(c.get_ref(foreign));
  CHECK_FALSE(found_ref.found());
  CHECK(found_ref.ref().id().empty());
  CHECK_FALSE(REQUIRE_VALUE(c.exists(foreign)));
  CHECK(list_all(c, make_scope("tenant-b", "", "")).empty());

  // Through scoped clients, one per tenant.
  {
    scoped_client as_a{store->shared_client(), tenant_a};
    scoped_client as_b{store->shared_client(), tenant_b};
    auto scoped_ref = REQUIRE_VALUE(as_a.put(put_request(v1::Scope{}, "scoped secret")));
    CHECK_FALSE(REQUIRE_VALUE(as_b.get(scoped_ref.id())).found());
    CHECK_FALSE(REQUIRE_VALUE(as_b.get_ref(scoped_ref.id())).found());
    CHECK_FALSE(REQUIRE_VALUE(as_b.exists(scoped_ref.id())));
    CHECK(REQUIRE_VALUE(as_b.list()).refs().empty());
    CHECK_FALSE(REQUIRE_VALUE(as_b.get(ref.id())).found());
    CHECK_FALSE(REQUIRE_VALUE(as_b.get_range(scoped_ref.id(), 0)).found());
    bool consumed = false;
    CHECK_FALSE(REQUIRE_VALUE(as_b.read(scoped_ref.id(), [&](std::string_view) {
      consumed = true;
      return caf::error{};
    })));
    CHECK_FALSE(consumed);
    auto own = REQUIRE_VALUE(as_a.get(scoped_ref.id()));
    CHECK(own.found());
    CHECK(own.data() == "scoped secret");
    CHECK(REQUIRE_VALUE(as_a.get_range(scoped_ref.id(), 7, 6)).data() == "secret");
    std::string read;
    CHECK(REQUIRE_VALUE(as_a.read(scoped_ref.id(), [&](std::string_view part) {
      read.append(part);
      return caf::error{};
    })));
    CHECK(read == "scoped secret");
    // A streamed write lands in the bound scope, whatever its metadata says.
    const std::string streamed = "streamed into tenant A";
    bool sent = false;
    auto metadata = put_request(tenant_b, "");
    auto written = REQUIRE_VALUE(as_a.write(metadata, [&](char* buffer, size_t capacity) {
      if (sent) {
        return caf::expected<size_t>{size_t{0}};
      }
      sent = true;
      return caf::expected<size_t>{streamed.copy(buffer, capacity)};
    }));
    CHECK_SAME(written.scope(), tenant_a);
    CHECK_FALSE(REQUIRE_VALUE(as_b.exists(written.id())));
    CHECK(REQUIRE_VALUE(as_a.get(written.id())).data() == streamed);
    CHECK(REQUIRE_VALUE(as_a.list()).refs_size() == 3);
  }
}

void cross_tenant_delete_isolation(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto tenant_a = make_scope("tenant-a", "alice", "session-1");
  const auto tenant_b = make_scope("tenant-b", "alice", "session-1");
  const std::string data = "tenant A's artifact";

  auto ref = REQUIRE_VALUE(c.put(put_request(tenant_a, data)));
  CHECK_FALSE(REQUIRE_VALUE(c.remove(make_key(tenant_b, ref.id()))));
  {
    scoped_client as_b{store->shared_client(), tenant_b};
    CHECK_FALSE(REQUIRE_VALUE(as_b.remove(ref.id())));
  }
  auto blob = REQUIRE_VALUE(c.get(make_key(tenant_a, ref.id())));
  CHECK(blob.found());
  CHECK(blob.data() == data);
  CHECK(REQUIRE_VALUE(c.exists(make_key(tenant_a, ref.id()))));
  CHECK(list_all(c, tenant_a).size() == 1);
}

void scoped_client_stamps_its_scope(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto bound = make_scope("acme", "alice", "session-1", "task-1");
  const auto claimed = make_scope("globex", "mallory", "session-9", "task-9");
  {
    scoped_client scoped{store->shared_client(), bound};

    auto ref = REQUIRE_VALUE(scoped.put(put_request(claimed, "stamped bytes")));
    CHECK_SAME(ref.scope(), bound);
    auto text = REQUIRE_VALUE(scoped.put_text(put_request(claimed, "stamped text")));
    CHECK_SAME(text.scope(), bound);
    CHECK(text.mime_type() == "text/plain; charset=utf-8");

    // The artifacts live in the bound scope, not in the claimed one.
    CHECK(REQUIRE_VALUE(c.get(make_key(bound, ref.id()))).found());
    CHECK_FALSE(REQUIRE_VALUE(c.get(make_key(claimed, ref.id()))).found());
    CHECK(list_all(c, make_scope("globex", "", "")).empty());

    auto blob = REQUIRE_VALUE(scoped.get(ref.id()));
    CHECK(blob.found());
    CHECK(blob.data() == "stamped bytes");
    auto stored = REQUIRE_VALUE(scoped.get_ref(ref.id()));
    CHECK(stored.found());
    CHECK_SAME(stored.ref(), ref);
    CHECK(REQUIRE_VALUE(scoped.exists(ref.id())));
    auto listed = REQUIRE_VALUE(scoped.list());
    REQUIRE(listed.refs_size() == 2);
    for (const auto& listed_ref : listed.refs()) {
      CHECK_SAME(listed_ref.scope(), bound);
    }
    CHECK(REQUIRE_VALUE(scoped.remove(ref.id())));
    CHECK_FALSE(REQUIRE_VALUE(c.exists(make_key(bound, ref.id()))));

    // Paging through the bound scope.
    auto first_page = REQUIRE_VALUE(scoped.list(1));
    CHECK(first_page.refs_size() == 1);
    CHECK(first_page.next_page_token().empty());
  }
  {
    // A scoped client without a task sees every task of its session.
    const auto other_task = make_scope("acme", "alice", "session-1", "task-2");
    REQUIRE_VALUE(c.put(put_request(other_task, "another task's bytes")));
    scoped_client session_scoped{store->shared_client(), make_scope("acme", "alice", "session-1")};
    CHECK(REQUIRE_VALUE(session_scoped.list()).refs_size() == 2);
  }
}

void scoped_client_rejects_invalid_scopes(const store_factory& make) {
  auto store = make({});
  auto shared = store->shared_client();
  const std::vector<v1::Scope> invalid = {
      make_scope("", "alice", "session-1"),
      make_scope("acme", "", "session-1"),
      make_scope("acme", "alice", ""),
      v1::Scope{},
      make_scope("   ", "alice", "session-1"),
      make_scope("acme", "\t", "session-1"),
      make_scope("acme", "alice", " \n "),
      make_scope(std::string("ac\0me", 5), "alice", "session-1"),
      make_scope("acme", std::string("\0", 1), "session-1"),
      make_scope("acme", "alice", "session-1", std::string("task\0", 5)),
      make_scope("acme", "alice", "sess\xff"),
  };
  for (const auto& scope : invalid) {
    INFO("scope = " << scope.ShortDebugString());
    CHECK_THROWS_AS(scoped_client(shared, scope), std::invalid_argument);
  }
  CHECK_THROWS_AS(scoped_client(nullptr, make_scope("acme", "alice", "session-1")),
                  std::invalid_argument);
  CHECK_NOTHROW(scoped_client(shared, make_scope("acme", "alice", "session-1")));
  CHECK_NOTHROW(scoped_client(shared, make_scope("acme", "alice", "session-1", "task-1")));
}

void scoped_client_scope_is_immutable(const store_factory& make) {
  auto store = make({});
  const auto bound = make_scope("acme", "alice", "session-1", "task-1");
  scoped_client scoped{store->shared_client(), bound};

  auto copy = scoped.scope();
  copy.set_tenant("globex");
  copy.set_user("mallory");
  copy.clear_session();
  CHECK_SAME(scoped.scope(), bound);

  auto ref = REQUIRE_VALUE(scoped.put(put_request(copy, "still acme's")));
  CHECK_SAME(ref.scope(), bound);

  // A copy of the client is bound to the same scope.
  const scoped_client copied = scoped;
  CHECK_SAME(copied.scope(), bound);
  CHECK(REQUIRE_VALUE(copied.exists(ref.id())));
}

}  // namespace

std::vector<scenario> isolation_scenarios() {
  return {
      {"cross-tenant get isolation", cross_tenant_get_isolation},
      {"cross-tenant delete isolation", cross_tenant_delete_isolation},
      {"scoped client stamps its scope", scoped_client_stamps_its_scope},
      {"scoped client rejects invalid scopes and a null client",
       scoped_client_rejects_invalid_scopes},
      {"scoped client hands out its scope by value", scoped_client_scope_is_immutable},
  };
}

}  // namespace artifacts::scenarios
