// Scraping a node's monitoring endpoint over real HTTP, as Prometheus and
// a load balancer's health check do.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

#include "tests/command_runner.hpp"

namespace artifacts::testing::command {

// An HTTP response: its status code and its body.
struct http_response {
  int status = 0;
  std::string body;
};

// GET `path` from `address` (HOST:PORT) over HTTP/1.0, as a scraper does.
inline http_response http_get(const std::string& address, const std::string& path) {
  const auto colon = address.rfind(':');
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  REQUIRE(::inet_pton(AF_INET, address.substr(0, colon).c_str(), &server.sin_addr) == 1);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  timeval bound{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) == 0);
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + address + "\r\n\r\n";
  REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size()));
  std::string response;
  char buffer[65536];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
    response.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  http_response out;
  INFO(response);
  REQUIRE(response.rfind("HTTP/1.", 0) == 0);
  out.status = std::stoi(response.substr(9, 3));
  const auto body = response.find("\r\n\r\n");
  REQUIRE(body != std::string::npos);
  out.body = response.substr(body + 4);
  return out;
}

// The value of the sample `series` (name and labels, as printed) in a
// Prometheus text exposition; -1 when it is absent.
inline double sample(const std::string& exposition, const std::string& series) {
  for (const auto& line : lines_of(exposition)) {
    if (line.rfind(series + " ", 0) == 0) {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

}  // namespace artifacts::testing::command
