// One store under test, as the conformance suite sees it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include <caf/error.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/store_config.hpp>

namespace artifacts::scenarios {

// What a closed store left behind, compared to the moment before it was
// opened. A correct store leaves nothing: all three are zero.
struct leftovers {
  size_t actors = 0;
  size_t threads = 0;
  size_t connections = 0;
};

// A fresh, empty store and a client of it. The fixture owns everything it
// needs (an actor system, temporary databases, ...) and releases it on
// destruction, closing the store first if nobody did.
class store_fixture {
 public:
  virtual ~store_fixture() = default;

  // The client of the store. Valid until close_and_release.
  virtual artifacts::client& client() = 0;

  // The same client, shared, for wrappers such as scoped_client. Holders must
  // drop their copies before calling close_and_release.
  virtual std::shared_ptr<artifacts::client> shared_client() = 0;

  // Closes the store. Idempotent: a second call is not an error. Returns an
  // error only when the store failed to close.
  virtual caf::error close() = 0;

  // The live backend connections of the store right now, or nullopt when the
  // driver has none that can be counted (the memory driver).
  virtual std::optional<size_t> backend_connections() = 0;

  // Closes the store, destroys the client, and reports what is left of the
  // store's actors, threads and backend connections compared to before it
  // was opened. Workers may need a moment to wind down after close, so this
  // waits (boundedly, a few seconds) for the counts to reach zero before it
  // reports. After this call the fixture only awaits destruction.
  virtual leftovers close_and_release() = 0;
};

// Makes a fresh, empty store with `tweaks` applied. The factory fills in the
// DSN and whatever else is driver-specific; scenarios use tweaks for limits,
// pool size and the storage_options::make_id seam. Throws when the store
// cannot be opened (a failing scenario, never a skipped one).
using store_factory = std::function<std::unique_ptr<store_fixture>(const store_config& tweaks)>;

}  // namespace artifacts::scenarios
