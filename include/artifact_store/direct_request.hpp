// Requests of local actors sent straight to the worker that serves them.
#pragma once

#include <utility>

#include <artifact_store/atoms.hpp>
#include <artifact_store/messages.hpp>
#include <artifact_store/store.hpp>
#include <artifact_store/verified_put.hpp>

namespace artifacts {

// What `self->request(local.actor(), timeout, atom, std::move(key))` does,
// with one message hop less: the request goes to the worker that serves
// `key` (store::admit), and its answer comes straight back. `Atom` is
// get_atom, get_ref_atom, exists_atom or delete_atom; the answer is the
// same as through local.actor() (v1::Blob, v1::RefResult, bool or bool, or
// a caf::error in the artifacts category), and so is the handling of a
// closed or overloaded store. The response handle is untyped: give its
// then, await or receive the handler of the reply type and of caf::error.
// `self` is a local actor of the store's actor system; `timeout` is what
// self->request takes (a duration or caf::infinite).
template <class Self, class Timeout, class Atom>
auto request_direct(Self* self, const store& local, const Timeout& timeout, Atom atom,
                    v1::Key key) {
  auto target = local.admit(key);
  return self->request(target, timeout, atom, std::move(key));
}

// The same for a put this process hashed (verified_put), routed by its
// digest and stored without hashing it again. The answer is a
// v1::ArtifactRef or a caf::error, as for a put through local.actor().
template <class Self, class Timeout>
auto request_direct(Self* self, const store& local, const Timeout& timeout, put_atom atom,
                    verified_put put) {
  auto target = local.admit(put);
  return self->request(target, timeout, atom, std::move(put));
}

}  // namespace artifacts
