// Throw-away certificates for TLS tests, made at test time with the openssl
// command.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <artifact_store/remoting.hpp>

namespace artifacts::scenarios {

// A store CA with a server and a client certificate, a foreign CA with a
// client certificate of its own, and the client's key once more, encrypted
// with a passphrase. Everything lives in a fresh temporary directory that is
// removed on destruction. Certificates carry no host names: caf_openssl
// checks only that a peer's certificate chains to the configured CA.
class test_certificates {
 public:
  // Runs openssl (bounded by a timeout per step). Throws std::runtime_error
  // naming the step and openssl's output when a step fails.
  test_certificates();
  ~test_certificates();
  test_certificates(const test_certificates&) = delete;
  test_certificates& operator=(const test_certificates&) = delete;

  const std::filesystem::path& directory() const noexcept { return directory_; }

  // The node's side: the server certificate and key, trusting the store CA.
  tls_options server() const;

  // A legitimate client: the client certificate and key, trusting the store
  // CA.
  tls_options client() const;

  // An intruder: a certificate signed by the foreign CA, trusting the store
  // CA (so only the node's check of the client certificate can stop it).
  tls_options foreign_client() const;

  // The legitimate client with its key encrypted; `passphrase` is what the
  // caller claims the passphrase is (see passphrase() for the right one).
  tls_options encrypted_client(std::string passphrase) const;

  // The passphrase of the encrypted key.
  const std::string& passphrase() const noexcept { return passphrase_; }

  // The file of `name` ("ca.pem", "client.key", ...) in the directory.
  std::string file(const std::string& name) const;

 private:
  std::filesystem::path directory_;
  std::string passphrase_;
};

// One set of certificates shared by every test of the process, made on first
// use (thread-safe) and removed at exit. Throws like the constructor.
std::shared_ptr<const test_certificates> shared_test_certificates();

}  // namespace artifacts::scenarios
