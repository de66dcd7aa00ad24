// An actor that reads an artifact in parts, with back-pressure: it keeps at
// most `window` get_range requests outstanding and asks for the next part
// only once it has consumed one, so however large the artifact, it holds
// at most `window` parts. Parts are consumed in order even when they could
// arrive out of it. Here the consumer appends each part to a string, which
// main compares with what was stored.
//
//   chunked_reader [DSN]     (default "memory:"; for example sqlite:parts.db)
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include <artifact_store/artifact_store.hpp>

namespace {

constexpr auto request_timeout = std::chrono::seconds(30);
constexpr int64_t part_bytes = 256 * 1024;
constexpr int window = 2;

// What the reader keeps between its messages.
struct reading {
  artifacts::v1::Key key;
  int64_t next_to_ask = 0;      // the offset of the next part to request
  int64_t next_to_consume = 0;  // the offset the consumer expects next
  int64_t size = -1;            // learnt from the first answer
  int outstanding = 0;
  std::map<int64_t, std::string> early;  // parts that came before their turn
  std::string consumed;
};

// Asks for the next parts while fewer than `window` are outstanding and
// the artifact (once its size is known) has more.
void ask_more(caf::event_based_actor* self, artifacts::store_actor store,
              std::shared_ptr<reading> state, caf::actor report_to);

// Consumes the parts that are next in order, then asks for more, or
// reports when the whole artifact has been consumed.
void on_part(caf::event_based_actor* self, artifacts::store_actor store,
             std::shared_ptr<reading> state, caf::actor report_to, int64_t offset,
             const artifacts::v1::BlobRange& part) {
  --state->outstanding;
  if (!part.found()) {
    std::cerr << "reader: the artifact is gone\n";
    self->send(report_to, std::string{});
    return;
  }
  state->size = part.size_bytes();
  state->early[offset] = part.data();
  for (auto next = state->early.find(state->next_to_consume); next != state->early.end();
       next = state->early.find(state->next_to_consume)) {
    state->consumed += next->second;  // the consumer: here, appending
    state->next_to_consume += static_cast<int64_t>(next->second.size());
    state->early.erase(next);
  }
  if (state->next_to_consume >= state->size) {
    std::cout << "reader: consumed " << state->consumed.size() << " bytes in parts of "
              << part_bytes << "\n";
    self->send(report_to, state->consumed);
    return;
  }
  ask_more(self, store, state, report_to);
}

void ask_more(caf::event_based_actor* self, artifacts::store_actor store,
              std::shared_ptr<reading> state, caf::actor report_to) {
  // Before the size is known, one request; then up to the window.
  const int limit = state->size < 0 ? 1 : window;
  while (state->outstanding < limit && (state->size < 0 || state->next_to_ask < state->size)) {
    const int64_t offset = state->next_to_ask;
    artifacts::v1::RangeRequest request;
    *request.mutable_key() = state->key;
    request.set_offset(offset);
    request.set_length(part_bytes);
    ++state->outstanding;
    state->next_to_ask += part_bytes;
    auto full = caf::actor_cast<artifacts::full_store_actor>(store);
    self->request(full, request_timeout, artifacts::get_range_atom::value, std::move(request))
        .then(
            [=](const artifacts::v1::BlobRange& part) {
              on_part(self, store, state, report_to, offset, part);
            },
            [=](const caf::error& err) {
              std::cerr << "reader: " << artifacts::describe(err) << "\n";
              self->send(report_to, std::string{});
            });
  }
}

void read_in_parts(caf::event_based_actor* self, artifacts::store_actor store,
                   artifacts::v1::Key key, caf::actor report_to) {
  auto state = std::make_shared<reading>();
  state->key = std::move(key);
  ask_more(self, store, state, report_to);
}

}  // namespace

int main(int argc, char** argv) {
  caf::actor_system_config cfg;
  artifacts::configure_actor_system(cfg);
  caf::actor_system sys{cfg};

  artifacts::store_config config;
  config.storage.dsn = argc > 1 ? argv[1] : "memory:";
  auto store = artifacts::open_store(sys, config);
  if (!store) {
    std::cerr << "open: " << artifacts::describe(store.error()) << "\n";
    return 1;
  }
  std::string data(3 * 1024 * 1024 + 12345, '\0');
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<char>((i * 2654435761u) >> 13);
  }
  bool ok = false;
  {
    caf::scoped_actor self{sys};
    artifacts::v1::PutRequest put;
    put.mutable_scope()->set_tenant("acme");
    put.mutable_scope()->set_user("ada");
    put.mutable_scope()->set_session("s-1");
    put.set_data(data);
    artifacts::v1::Key key;
    self->request(store->actor(), request_timeout, artifacts::put_atom::value, std::move(put))
        .receive(
            [&](const artifacts::v1::ArtifactRef& ref) {
              *key.mutable_scope() = ref.scope();
              key.set_id(ref.id());
              std::cout << "stored " << ref.size_bytes() << " bytes as " << ref.id() << "\n";
            },
            [&](const caf::error& err) {
              std::cerr << "put: " << artifacts::describe(err) << "\n";
            });
    if (!key.id().empty()) {
      self->spawn(read_in_parts, store->actor(), key, caf::actor{self});
      self->receive([&](const std::string& read) { ok = read == data; },
                    caf::after(std::chrono::seconds(60)) >> [] { std::cerr << "no answer\n"; });
    }
  }
  std::cout << (ok ? "the parts make up the artifact\n"
                   : "the parts do not make up the artifact\n");
  if (auto err = store->close(sys)) {
    std::cerr << "close: " << artifacts::describe(err) << "\n";
    return 1;
  }
  return ok ? 0 : 1;
}
