// Remoting: configuring CAF's middleman (plain or mutual TLS), publishing a
// store on a port, and connecting to a published store with a bounded wait.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include <artifact_store/store_actor.hpp>

namespace artifacts {

// Mutual TLS through caf_openssl. Either all of certificate, key and ca_file
// are set (authenticated mode: both peers present a certificate from the CA)
// or none is (plain BASP, for trusted networks only).
struct tls_options {
  std::string certificate;  // PEM file of this node's certificate
  std::string key;          // PEM file of its private key
  std::string ca_file;      // PEM file of the CA that signs every peer
  std::string passphrase;   // of the key, if it is encrypted

  bool enabled() const noexcept { return !certificate.empty() || !key.empty() || !ca_file.empty(); }
};

struct remoting_options {
  tls_options tls;
  // Both peers send heartbeats at this interval and drop a connection that
  // stays silent for connection_timeout, so a lost peer is noticed even when
  // the network swallows the FIN. CAF compares a peer's last message with
  // the time of its own heartbeat tick, so a process that itself stalls (a
  // loaded host, swapping, a sanitizer) for longer than the timeout drops
  // every peer at once when it wakes: the default leaves a wide margin over
  // such stalls, and a request still fails within its own timeout.
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds connection_timeout{15000};
};

// The options of a client of a node (the command's, with --node). A node
// sends a heartbeat every second, so one silent for 5 s is taken as lost.
// The client's own heartbeats come every 2 s: a node drops a peer it has
// heard nothing from for its connection timeout (15 s by default, possibly
// less), and a client waiting on a long request sends nothing else, so they
// must come well inside that. Not every second either: CAF 0.17 drops a
// connection whose handshake is still under way at a heartbeat tick, and
// connect_store tries again, so a slow node gets two seconds per attempt.
remoting_options client_remoting_options(tls_options tls);

// Checks `options` and applies them to `cfg`: loads the middleman, turns on
// heartbeats, and with TLS loads the OpenSSL manager in authenticated mode.
// Call once per config, after configure_actor_system and before the
// actor_system is constructed; on error `cfg` is left unchanged.
//
// The certificate, the key (decrypted with the passphrase) and the CA file
// are loaded here once, the way caf_openssl loads them for every connection,
// so that a bad file is this error rather than an exception on the
// middleman's thread when the first peer connects. With files that pass,
// constructing the actor_system does not fail because of TLS.
//
// Returns invalid_argument, naming the file and the cause, when TLS is half
// configured (a passphrase alone included), a file is missing or unreadable
// or holds no PEM, the key cannot be decrypted (wrong or missing
// passphrase), or the key does not belong to the certificate; also when the
// heartbeat interval is not positive or not shorter than the connection
// timeout. Returns internal when TLS is asked for in a program linked
// in a way that keeps the TLS error queue guard out of it (the guard is
// part of the library; see docs/design.md).
caf::error configure_remoting(caf::actor_system_config& cfg, const remoting_options& options);

// Connects to the store published at host:port and returns its handle.
// Bounded by `timeout`, also against a peer that accepts TCP and never speaks
// (CAF's remote_actor would wait for it forever). Over TLS when `sys` was
// configured with TLS. Fails with unavailable when nothing answers in time,
// nothing is published there, or the handshake fails (a TLS peer that
// refuses our certificate, or a plain peer, included), and with internal
// when the actor published there is not an artifact store or `sys` has no
// middleman. Wrap the handle in a client: it adds request timeouts and
// fails outstanding calls at once when the node goes away.
caf::expected<store_actor> connect_store(caf::actor_system& sys, const std::string& host,
                                         uint16_t port, std::chrono::milliseconds timeout);

}  // namespace artifacts
