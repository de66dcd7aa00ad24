// An actor application with an embedded store: a writer actor puts a note
// through the typed store_actor interface and hands its ref to a reader
// actor, which gets the bytes back, compares them and reports to main.
//
//   embedded_actors [DSN]     (default "memory:"; for example sqlite:notes.db)
#include <chrono>
#include <iostream>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include <artifact_store/artifact_store.hpp>

namespace {

constexpr auto request_timeout = std::chrono::seconds(30);

// Gets the artifact named by `ref`, compares it with `expected` and sends
// the outcome (true: the stored bytes came back) to `report_to`.
void read_back(caf::event_based_actor* self, artifacts::store_actor store,
               artifacts::v1::ArtifactRef ref, std::string expected, caf::actor report_to) {
  artifacts::v1::Key key;
  *key.mutable_scope() = ref.scope();
  key.set_id(ref.id());
  self->request(store, request_timeout, artifacts::get_atom::value, std::move(key))
      .then(
          [=](const artifacts::v1::Blob& blob) {
            const bool same = blob.found() && blob.data() == expected;
            std::cout << "reader: " << (same ? "got the note back" : "the note did not come back")
                      << "\n";
            self->send(report_to, same);
          },
          [=](const caf::error& err) {
            std::cerr << "reader: " << artifacts::describe(err) << "\n";
            self->send(report_to, false);
          });
}

// Puts `text` under one session's scope, then hands the ref to a reader.
void write_note(caf::event_based_actor* self, artifacts::store_actor store, std::string text,
                caf::actor report_to) {
  artifacts::v1::PutRequest put;
  put.mutable_scope()->set_tenant("acme");
  put.mutable_scope()->set_user("ada");
  put.mutable_scope()->set_session("s-1");
  put.set_filename("note.txt");
  put.set_text(true);
  put.set_data(text);
  self->request(store, request_timeout, artifacts::put_atom::value, std::move(put))
      .then(
          [=](const artifacts::v1::ArtifactRef& ref) {
            std::cout << "writer: stored " << artifacts::ref_to_json(ref) << "\n";
            self->spawn(read_back, store, ref, text, report_to);
          },
          [=](const caf::error& err) {
            std::cerr << "writer: " << artifacts::describe(err) << "\n";
            self->send(report_to, false);
          });
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
  bool ok = false;
  {
    caf::scoped_actor self{sys};
    self->spawn(write_note, store->actor(), std::string{"hello from an actor"}, caf::actor{self});
    self->receive([&](bool outcome) { ok = outcome; },
                  caf::after(std::chrono::seconds(60)) >> [] { std::cerr << "no answer\n"; });
  }
  if (auto err = store->close(sys)) {
    std::cerr << "close: " << artifacts::describe(err) << "\n";
    return 1;
  }
  std::cout << "store closed\n";
  return ok ? 0 : 1;
}
