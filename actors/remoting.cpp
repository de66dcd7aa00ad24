#include <artifact_store/remoting.hpp>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <utility>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/node_id.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/scoped_actor.hpp>

#include <artifact_store/error.hpp>

#include "actors/tls_error_queue.hpp"

namespace artifacts {

namespace {

using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

caf::error tls_error(const std::string& message) {
  return make_error(errc::invalid_argument, "tls: " + message);
}

// The reason OpenSSL gave for the last failure, and a clean error queue for
// whoever uses OpenSSL next on this thread.
std::string openssl_reason() {
  std::string reason;
  if (auto code = ERR_peek_last_error(); code != 0) {
    if (const char* text = ERR_reason_error_string(code)) {
      reason = std::string(" (") + text + ")";
    }
  }
  ERR_clear_error();
  return reason;
}

// Hands OpenSSL the configured passphrase; without one an encrypted key fails
// to load instead of prompting on the terminal.
int passphrase_callback(char* buffer, int size, int, void* user) {
  const auto& passphrase = *static_cast<const std::string*>(user);
  if (passphrase.empty() || passphrase.size() > static_cast<size_t>(size)) {
    return 0;
  }
  passphrase.copy(buffer, passphrase.size());
  return static_cast<int>(passphrase.size());
}

caf::expected<bio_ptr> open_pem(const char* what, const std::string& path) {
  if (path.empty()) {
    return tls_error(std::string("mutual TLS needs a certificate, a key and a CA file; the ") +
                     what + " is missing");
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return tls_error(std::string("the ") + what + " " + path + " is not a readable file");
  }
  bio_ptr bio{BIO_new_file(path.c_str(), "r"), &BIO_free};
  if (!bio) {
    return tls_error(std::string("cannot read the ") + what + " " + path + openssl_reason());
  }
  return bio;
}

caf::expected<x509_ptr> load_certificate(const char* what, const std::string& path) {
  auto bio = open_pem(what, path);
  if (!bio) {
    return std::move(bio.error());
  }
  x509_ptr cert{PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr), &X509_free};
  if (!cert) {
    return tls_error(std::string("the ") + what + " " + path + " holds no PEM certificate" +
                     openssl_reason());
  }
  return cert;
}

// Loads what caf_openssl will load for every connection, so that a bad file
// is reported here, once and clearly, rather than when a peer connects.
caf::error check_tls_files(const tls_options& tls) {
  auto certificate = load_certificate("certificate", tls.certificate);
  if (!certificate) {
    return std::move(certificate.error());
  }
  auto key_file = open_pem("key", tls.key);
  if (!key_file) {
    return std::move(key_file.error());
  }
  auto passphrase = tls.passphrase;
  pkey_ptr key{PEM_read_bio_PrivateKey(key_file->get(), nullptr, passphrase_callback, &passphrase),
               &EVP_PKEY_free};
  if (!key) {
    auto reason = openssl_reason();
    return tls_error("cannot load the key " + tls.key +
                     (tls.passphrase.empty()
                          ? ": it is not a PEM private key, or it is encrypted and no "
                            "passphrase was given"
                          : ": it is not a PEM private key, or the passphrase is wrong") +
                     reason);
  }
  if (X509_check_private_key(certificate->get(), key.get()) != 1) {
    return tls_error("the key " + tls.key + " does not belong to the certificate " +
                     tls.certificate + openssl_reason());
  }
  auto ca = load_certificate("CA file", tls.ca_file);
  if (!ca) {
    return std::move(ca.error());
  }
  return caf::none;
}

}  // namespace

remoting_options client_remoting_options(tls_options tls) {
  remoting_options options;
  options.tls = std::move(tls);
  options.heartbeat_interval = std::chrono::seconds{2};
  // A node sends heartbeats every second: five silent seconds mean the
  // connection is lost, and a reconnecting client then repeats its call.
  options.connection_timeout = std::chrono::seconds{5};
  return options;
}

caf::error configure_remoting(caf::actor_system_config& cfg, const remoting_options& options) {
  if (options.heartbeat_interval.count() <= 0 ||
      options.connection_timeout <= options.heartbeat_interval) {
    return make_error(errc::invalid_argument,
                      "remoting: the heartbeat interval must be positive and shorter than the "
                      "connection timeout");
  }
  const auto& tls = options.tls;
  if (!tls.enabled() && !tls.passphrase.empty()) {
    return tls_error("a passphrase was given without a certificate, a key and a CA file");
  }
  if (tls.enabled()) {
    if (auto err = check_tls_files(tls)) {
      return err;
    }
    // Without the guard, one peer's failed handshake drops the node's other
    // connections (see tls_error_queue.hpp).
    if (!tls_error_queue_guarded()) {
      return make_error(errc::internal,
                        "tls: this program was linked without the guard that keeps a failed "
                        "handshake from dropping other connections");
    }
  }
  cfg.load<caf::io::middleman>();
  cfg.set("middleman.heartbeat-interval", caf::timespan{options.heartbeat_interval});
  cfg.set("middleman.connection-timeout", caf::timespan{options.connection_timeout});
  if (!tls.enabled()) {
    return caf::none;
  }
  // Setting any openssl.* option switches caf_openssl to authenticated mode:
  // both peers must present a certificate that chains to the CA.
  cfg.load<caf::openssl::manager>();
  cfg.set("openssl.certificate", tls.certificate);
  cfg.set("openssl.key", tls.key);
  cfg.set("openssl.cafile", tls.ca_file);
  if (!tls.passphrase.empty()) {
    cfg.set("openssl.passphrase", tls.passphrase);
  }
  return caf::none;
}

caf::expected<store_actor> connect_store(caf::actor_system& sys, const std::string& host,
                                         uint16_t port, std::chrono::milliseconds timeout) {
  const std::string where = "connect " + host + ":" + std::to_string(port);
  if (!sys.has_middleman()) {
    return make_error(errc::internal, where + ": remoting is not configured");
  }
  // remote_actor() waits forever for a peer that accepts and never speaks;
  // a request to the manager carries a timeout.
  auto manager = sys.has_openssl_manager() ? sys.openssl_manager().actor_handle()
                                           : sys.middleman().actor_handle();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  caf::expected<store_actor> result{make_error(errc::unavailable, where + ": no answer")};
  caf::scoped_actor self{sys};
  for (bool again = true; again;) {
    again = false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    self->request(manager, std::max(left, std::chrono::milliseconds{1}), caf::connect_atom::value,
                  host, port)
        .receive(
            [&](const caf::node_id&, caf::strong_actor_ptr& handle,
                const std::set<std::string>& interface) {
              if (!handle) {
                result = make_error(errc::unavailable, where + ": nothing is published there");
              } else if (!sys.assignable<store_actor>(interface)) {
                result = make_error(errc::internal,
                                    where + ": the actor published there is not an artifact store");
              } else {
                result = caf::actor_cast<store_actor>(std::move(handle));
              }
            },
            [&](caf::error& err) {
              result = make_error(errc::unavailable, where + ": " + sys.render(err));
              // CAF 0.17 starts a new connection's "last seen" time only when
              // the peer's first bytes arrive, so a heartbeat tick that falls
              // into the handshake (a TLS handshake is long enough) drops the
              // connection as timed out. Such an attempt says nothing about
              // the peer: it is made again while the bound allows.
              again = err == caf::sec::connection_timeout &&
                      std::chrono::steady_clock::now() < deadline;
            });
  }
  return result;
}

}  // namespace artifacts
