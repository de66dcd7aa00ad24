#include "scenarios/test_certificates.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "scenarios/test_files.hpp"

namespace artifacts::scenarios {

namespace {

// Key generation takes milliseconds; a step that takes this long is stuck.
constexpr const char* step_timeout = "60";

constexpr const char* key_options = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

std::filesystem::path fresh_directory() {
  static std::atomic<unsigned> counter{0};
  auto path =
      std::filesystem::temp_directory_path() /
      ("artifacts-certificates-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

// Runs one openssl invocation inside `directory`; its output goes to a log
// that the error quotes.
void openssl(const std::filesystem::path& directory, const std::string& step,
             const std::string& arguments) {
  const auto log = directory / "openssl.log";
  const std::string command = "cd '" + directory.string() + "' && timeout " + step_timeout +
                              " openssl " + arguments + " >'" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  if (status != 0) {
    throw std::runtime_error("test certificates: " + step + " failed (status " +
                             std::to_string(status) + "): " + testing::read_file(log));
  }
}

void make_ca(const std::filesystem::path& directory, const std::string& name,
             const std::string& common_name) {
  openssl(directory, "making the CA " + name,
          "req -x509 -new " + std::string(key_options) + " -keyout " + name + ".key -out " + name +
              ".pem -days 2 -subj '/CN=" + common_name + "'");
}

void make_leaf(const std::filesystem::path& directory, const std::string& name,
               const std::string& ca) {
  openssl(directory, "making the key and request of " + name,
          "req -new " + std::string(key_options) + " -keyout " + name + ".key -out " + name +
              ".csr -subj '/CN=artifact-store test " + name + "'");
  openssl(directory, "signing " + name + " with " + ca,
          "x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
              ".key -CAcreateserial -days 2 -extfile leaf.ext -out " + name + ".pem");
}

tls_options options_for(const test_certificates& certificates, const std::string& name,
                        const std::string& key_file) {
  tls_options tls;
  tls.certificate = certificates.file(name + ".pem");
  tls.key = certificates.file(key_file);
  tls.ca_file = certificates.file("ca.pem");
  return tls;
}

}  // namespace

test_certificates::test_certificates()
    : directory_(fresh_directory()), passphrase_("correct horse battery staple") {
  try {
    testing::write_file(directory_ / "leaf.ext",
                        "basicConstraints=critical,CA:FALSE\n"
                        "keyUsage=critical,digitalSignature,keyEncipherment,keyAgreement\n"
                        "extendedKeyUsage=serverAuth,clientAuth\n");
    make_ca(directory_, "ca", "artifact-store test CA");
    make_ca(directory_, "foreign-ca", "artifact-store foreign CA");
    make_leaf(directory_, "server", "ca");
    make_leaf(directory_, "client", "ca");
    make_leaf(directory_, "foreign-client", "foreign-ca");
    testing::write_file(directory_ / "passphrase.txt", passphrase_);
    openssl(directory_, "encrypting the client key",
            "pkey -in client.key -aes256 -passout file:passphrase.txt -out client-encrypted.key");
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(directory_, ec);
    throw;
  }
}

test_certificates::~test_certificates() {
  std::error_code ec;
  std::filesystem::remove_all(directory_, ec);
}

std::string test_certificates::file(const std::string& name) const {
  return (directory_ / name).string();
}

tls_options test_certificates::server() const {
  return options_for(*this, "server", "server.key");
}

tls_options test_certificates::client() const {
  return options_for(*this, "client", "client.key");
}

tls_options test_certificates::foreign_client() const {
  return options_for(*this, "foreign-client", "foreign-client.key");
}

tls_options test_certificates::encrypted_client(std::string passphrase) const {
  auto tls = options_for(*this, "client", "client-encrypted.key");
  tls.passphrase = std::move(passphrase);
  return tls;
}

std::shared_ptr<const test_certificates> shared_test_certificates() {
  static std::mutex mutex;
  static std::shared_ptr<const test_certificates> shared;
  std::lock_guard<std::mutex> guard{mutex};
  if (!shared) {
    shared = std::make_shared<const test_certificates>();
  }
  return shared;
}

}  // namespace artifacts::scenarios
