// SHA-256 through OpenSSL.
#pragma once

#include <string>
#include <string_view>

namespace artifacts {

// The SHA-256 digest of `bytes` as 64 lowercase hex characters.
std::string sha256_hex(std::string_view bytes);

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
