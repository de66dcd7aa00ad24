// A guard around caf_openssl's TLS calls that keeps one peer's failed
// handshake from dropping every other connection of the node.
//
// OpenSSL keeps one error queue per thread and requires it to be empty
// before each TLS read, write or handshake step, or SSL_get_error misreads
// the outcome. caf_openssl 0.17.6 never empties it (it drains the queue only
// inside log statements that release builds compile out), and all sessions
// of an actor system run on the middleman's one thread. So a peer that fails
// its handshake (random bytes, an HTTP request, a certificate from another
// CA) leaves errors behind, and the next healthy session whose read ends
// with "want more data" is taken for failed and closed.
//
// The guard defines SSL_accept, SSL_connect, SSL_read and SSL_write in the
// program itself: the dynamic linker binds caf_openssl's calls to them, and
// each empties the calling thread's queue, then calls OpenSSL's own
// function. Emptying the queue before a TLS call is what OpenSSL asks of
// every caller, so other users of OpenSSL in the process are unaffected.
#pragma once

namespace artifacts {

// True when caf_openssl's TLS calls go through the guard in this process.
// (False only when the program was linked in a way that keeps the guard's
// definitions out of its dynamic symbol table.)
bool tls_error_queue_guarded() noexcept;

}  // namespace artifacts
