#include "cli/store_address.hpp"

#include <cstdlib>

#include <CLI/CLI.hpp>

namespace artifacts::cli {

namespace {

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    return std::nullopt;
  }
  return std::string(value);
}

bool is_decimal(const std::string& text) {
  return !text.empty() && text.size() <= 5 &&
         text.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

node_address parse_node_address(const std::string& text, const std::string& origin,
                                bool port_zero) {
  auto malformed = [&] {
    return CLI::ValidationError(origin, "expected HOST:PORT or [IPv6]:PORT, got '" + text + "'");
  };
  node_address address;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find("]:");
    if (close == std::string::npos) {
      throw malformed();
    }
    address.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) {
      throw malformed();
    }
    address.host = text.substr(0, colon);
    port = text.substr(colon + 1);
    // An unbracketed IPv6 address would make the port ambiguous.
    if (address.host.find(':') != std::string::npos) {
      throw malformed();
    }
  }
  if (address.host.empty() || !is_decimal(port)) {
    throw malformed();
  }
  auto number = std::stoul(port);
  if ((number < 1 && !port_zero) || number > 65535) {
    throw malformed();
  }
  address.port = static_cast<uint16_t>(number);
  return address;
}

std::vector<node_address> parse_node_list(const std::string& text, const std::string& origin) {
  std::vector<node_address> nodes;
  size_t from = 0;
  for (;;) {
    const auto comma = text.find(',', from);
    nodes.push_back(parse_node_address(text.substr(from, comma - from), origin));
    if (comma == std::string::npos) {
      return nodes;
    }
    from = comma + 1;
  }
}

std::string format_address(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

store_address resolve_store_address(const client_flags& flags) {
  store_address address;
  if (flags.dsn && flags.node) {
    throw CLI::ValidationError("--dsn and --node exclude each other: pick one store");
  }
  if (flags.node) {
    address.nodes = parse_node_list(*flags.node, "--node");
    return address;
  }
  if (flags.dsn) {
    address.dsn = *flags.dsn;
    return address;
  }
  auto dsn = environment(dsn_variable);
  auto node = environment(node_variable);
  if (dsn && node) {
    throw CLI::ValidationError(std::string("both ") + dsn_variable + " and " + node_variable +
                               " are set; pass --dsn or --node to choose");
  }
  if (node) {
    address.nodes = parse_node_list(*node, node_variable);
    return address;
  }
  address.dsn = dsn ? *dsn : default_store_dsn();
  return address;
}

std::string resolve_dsn(const std::optional<std::string>& dsn_flag) {
  if (dsn_flag) {
    return *dsn_flag;
  }
  auto dsn = environment(dsn_variable);
  return dsn ? *dsn : default_store_dsn();
}

std::string default_store_dsn() {
  auto state = environment("STATE_DIRECTORY");
  if (!state) {
    return default_dsn;
  }
  // Several StateDirectory= entries arrive separated by ':'.
  return "sqlite:" + state->substr(0, state->find(':')) + "/artifacts.db";
}

}  // namespace artifacts::cli
