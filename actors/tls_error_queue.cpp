#include "actors/tls_error_queue.hpp"

#include <dlfcn.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace artifacts {

namespace {

// OpenSSL's own definition of `name`: the next one after this program's.
template <class Function>
Function* next_definition(const char* name) noexcept {
  return reinterpret_cast<Function*>(dlsym(RTLD_NEXT, name));
}

}  // namespace

bool tls_error_queue_guarded() noexcept {
  return dlsym(RTLD_DEFAULT, "SSL_read") == reinterpret_cast<void*>(&::SSL_read);
}

}  // namespace artifacts

// The definitions the dynamic linker prefers to libssl's. Each starts its
// call with an empty error queue, as OpenSSL requires.
extern "C" {

int SSL_accept(SSL* ssl) {
  static auto* const openssl_accept = artifacts::next_definition<int(SSL*)>("SSL_accept");
  ERR_clear_error();
  return openssl_accept(ssl);
}

int SSL_connect(SSL* ssl) {
  static auto* const openssl_connect = artifacts::next_definition<int(SSL*)>("SSL_connect");
  ERR_clear_error();
  return openssl_connect(ssl);
}

int SSL_read(SSL* ssl, void* buffer, int size) {
  static auto* const openssl_read = artifacts::next_definition<int(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return openssl_read(ssl, buffer, size);
}

int SSL_write(SSL* ssl, const void* buffer, int size) {
  static auto* const openssl_write =
      artifacts::next_definition<int(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return openssl_write(ssl, buffer, size);
}

}  // extern "C"
