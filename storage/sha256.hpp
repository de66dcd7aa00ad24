// SHA-256 through OpenSSL.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace artifacts {

// The SHA-256 digest of `bytes` as 64 lowercase hex characters.
std::string sha256_hex(std::string_view bytes);

// The SHA-256 digest of bytes that arrive piece by piece: what sha256_hex
// answers for all of them together. Throws std::bad_alloc when OpenSSL
// cannot make its context.
class sha256_stream {
 public:
  sha256_stream();
  ~sha256_stream();
  sha256_stream(const sha256_stream&) = delete;
  sha256_stream& operator=(const sha256_stream&) = delete;

  // Adds `bytes` after those added before.
  void update(std::string_view bytes);

  // The digest of everything added, as sha256_hex writes it. Call it once.
  std::string finish();

 private:
  struct context_deleter {
    void operator()(evp_md_ctx_st* context) const noexcept;
  };
  std::unique_ptr<evp_md_ctx_st, context_deleter> context_;
};

// Frees the per-thread state OpenSSL keeps for the calling thread (hashing
// creates its error queue). OpenSSL frees it itself when the thread ends,
// but a thread whose end is not awaited (a detached actor's) may still be
// ending when the process exits and OpenSSL's exit handler has run, and the
// state is then reported as leaked. Call it on a thread that is about to end;
// hashing on it afterwards is still correct, and simply allocates anew.
void release_thread_hashing_state() noexcept;

// True when `digest` is exactly 64 lowercase hex characters.
bool is_sha256_hex(std::string_view digest) noexcept;

}  // namespace artifacts
