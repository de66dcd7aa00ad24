#include "cli/option_sources.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>

#include "storage/dsn.hpp"

namespace artifacts::cli {

namespace {

constexpr const char* environment_prefix = "ARTIFACT_STORE_";

// Options that only steer the parse itself, which neither the environment
// nor the file sets and --dump-config does not print.
bool steers_the_parse(const CLI::Option& option) {
  for (const auto& name : option.get_lnames()) {
    if (name == "help" || name == "help-all" || name == "version" || name == "config" ||
        name == "dump-config") {
      return true;
    }
  }
  return false;
}

// --dsn and --node: resolve_store_address reads their variables itself, so
// that a --node flag wins over ARTIFACT_STORE_DSN and the other way round.
bool names_the_store(const std::string& name) {
  return name == "dsn" || name == "node";
}

bool is_set(const char* variable) {
  const char* value = std::getenv(variable);
  return value != nullptr && *value != '\0';
}

// True when the environment gives `option` of `command` a value, so the
// file must not. Either variable names the store of a command that takes
// both --dsn and --node; a command with --dsn alone reads only its own.
bool set_by_environment(const CLI::App& command, const CLI::Option& option) {
  const std::string name = option.get_lnames().front();
  if (names_the_store(name)) {
    const bool takes_both = command.get_option_no_throw("--dsn") != nullptr &&
                            command.get_option_no_throw("--node") != nullptr;
    return name == "dsn"
               ? is_set("ARTIFACT_STORE_DSN") || (takes_both && is_set("ARTIFACT_STORE_NODE"))
               : is_set("ARTIFACT_STORE_NODE") || is_set("ARTIFACT_STORE_DSN");
  }
  return is_set(environment_name(option).c_str());
}

void bind_environment(CLI::App& command) {
  for (auto* option : command.get_options()) {
    if (option->get_lnames().empty() || steers_the_parse(*option) ||
        names_the_store(option->get_lnames().front())) {
      continue;
    }
    option->envname(environment_name(*option));
  }
  for (auto* sub : command.get_subcommands({})) {
    sub->fallthrough();  // --config after the subcommand's name
    bind_environment(*sub);
  }
}

// The innermost subcommand the command line chose.
const CLI::App* chosen_command(const CLI::App& app) {
  const CLI::App* chosen = &app;
  while (!chosen->get_subcommands().empty()) {
    chosen = chosen->get_subcommands().front();
  }
  return chosen;
}

// Sets CAF's NAME to VALUE, replacing an earlier value of NAME.
void set_caf(caf_settings& caf, const std::string& name, const std::string& value) {
  const std::string flag = "--" + name + "=";
  auto& flags = caf.flags;
  flags.erase(std::remove_if(flags.begin(), flags.end(),
                             [&](const std::string& f) { return f.rfind(flag, 0) == 0; }),
              flags.end());
  flags.push_back(flag + value);
}

std::string join(const std::vector<std::string>& parts, size_t from, const std::string& last) {
  std::string out;
  for (size_t i = from; i < parts.size(); ++i) {
    out += parts[i] + ".";
  }
  return out + last;
}

// TOML through CLI11, with each key checked against the subcommands' options
// and left out where the environment or the command line has a say.
class layered_config : public CLI::ConfigTOML {
 public:
  layered_config(const CLI::App& app, caf_settings& caf) : app_(app), caf_(caf) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    const CLI::App* chosen = chosen_command(app_);
    std::vector<CLI::ConfigItem> kept;
    for (auto& item : CLI::ConfigTOML::from_config(input)) {
      if (item.name == "++" || item.name == "--") {
        continue;  // section marks: the command line chose the subcommand
      }
      // [serve] pool = 2 is for serve; a top-level key for the chosen one.
      const CLI::App* target = chosen;
      size_t rest = 0;
      if (!item.parents.empty()) {
        if (auto* named = find_subcommand(item.parents.front())) {
          target = named;
          rest = 1;
        }
      }
      if (rest < item.parents.size()) {
        if (item.parents[rest] != "caf") {
          throw unknown(item);
        }
        if (target == chosen) {
          set_caf(caf_, join(item.parents, rest + 1, item.name),
                  item.inputs.empty() ? "" : item.inputs.front());
        }
        continue;
      }
      const CLI::Option* option = target->get_option_no_throw("--" + item.name);
      if (option == nullptr || steers_the_parse(*option)) {
        throw unknown(item);
      }
      if (target != chosen || set_by_environment(*chosen, *option)) {
        continue;
      }
      item.parents.clear();
      for (const CLI::App* up = chosen; up != &app_; up = up->get_parent()) {
        item.parents.insert(item.parents.begin(), up->get_name());
      }
      kept.push_back(std::move(item));
    }
    return kept;
  }

 private:
  const CLI::App* find_subcommand(const std::string& name) const {
    for (const auto* sub : app_.get_subcommands({})) {
      if (sub->get_name() == name) {
        return sub;
      }
    }
    return nullptr;
  }

  static CLI::ConfigError unknown(const CLI::ConfigItem& item) {
    return CLI::ConfigError("the configuration file's key '" + item.fullname() +
                            "' is not an option here (artifact-store SUBCOMMAND --help lists "
                            "them)");
  }

  const CLI::App& app_;
  caf_settings& caf_;
};

bool is_toml_literal(const std::string& value) {
  if (value == "true" || value == "false") {
    return true;
  }
  size_t digits = value.size() > 1 && value.front() == '-' ? 1 : 0;
  return digits < value.size() &&
         value.find_first_not_of("0123456789", digits) == std::string::npos;
}

std::string toml_value(const std::string& value) {
  if (is_toml_literal(value)) {
    return value;
  }
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static const char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[(c >> 4) & 0xf];
      out += hex[c & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string environment_name(const CLI::Option& option) {
  if (option.get_lnames().empty()) {
    return {};
  }
  std::string name = environment_prefix;
  for (char c : option.get_lnames().front()) {
    name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

void add_option_sources(CLI::App& app, caf_settings& caf) {
  bind_environment(app);
  app.set_config("--config", "",
                 "read options from this TOML file: top-level keys for the subcommand run, "
                 "[SUBCOMMAND] sections, caf.* keys for the actor system; flags and "
                 "ARTIFACT_STORE_<OPTION> variables win over it");
  app.config_formatter(std::make_shared<layered_config>(app, caf));
  app.allow_config_extras(CLI::config_extras_mode::error);
}

void take_caf_flags(CLI::App& command, caf_settings& caf) {
  const auto left = command.remaining();
  std::vector<std::string> unexpected;
  for (size_t i = 0; i < left.size(); ++i) {
    const std::string& arg = left[i];
    if (arg.rfind("--caf.", 0) != 0 || arg.size() == 6) {
      unexpected.push_back(arg);
    } else if (const auto equals = arg.find('='); equals != std::string::npos) {
      set_caf(caf, arg.substr(6, equals - 6), arg.substr(equals + 1));
    } else if (i + 1 < left.size()) {
      set_caf(caf, arg.substr(6), left[++i]);
    } else {
      unexpected.push_back(arg);
    }
  }
  if (!unexpected.empty()) {
    throw CLI::ExtrasError(command.get_name(), unexpected);
  }
}

std::string effective_configuration(const CLI::App& command, const caf_settings& caf,
                                    const std::string& store_dsn) {
  std::ostringstream out;
  out << "# artifact-store " << command.get_name()
      << ": the effective configuration (flags over environment over file over defaults)\n";
  for (const auto* option : command.get_options()) {
    if (option->get_lnames().empty() || steers_the_parse(*option)) {
      continue;
    }
    const std::string name = option->get_lnames().front();
    if (name == "tls-passphrase") {
      out << "# " << name << ": left out\n";
      continue;
    }
    std::vector<std::string> values = option->results();
    if (values.empty() && !option->get_default_str().empty()) {
      values = {option->get_default_str()};
    }
    if (option->get_expected_max() == 0) {  // a flag
      out << name << " = " << (option->count() > 0 && option->as<bool>() ? "true" : "false")
          << "\n";
      continue;
    }
    if (name == "dsn" || name == "read-dsn") {
      if (values.empty() && name == "dsn") {
        values = {store_dsn};
      }
      for (auto& value : values) {
        value = dsn_without_password(value);
      }
    }
    const bool is_list = option->get_expected_max() > 1 || option->get_items_expected_max() > 1;
    if (values.empty() && !is_list) {
      out << "# " << name << ": not set\n";
    } else if (is_list) {
      out << name << " = [";
      for (size_t i = 0; i < values.size(); ++i) {
        out << (i == 0 ? "" : ", ") << toml_value(values[i]);
      }
      out << "]\n";
    } else {
      out << name << " = " << toml_value(values.back()) << "\n";
    }
  }
  if (!caf.flags.empty()) {
    out << "\n[caf]\n";
    for (const auto& flag : caf.flags) {
      const auto equals = flag.find('=');
      out << flag.substr(2, equals - 2) << " = " << toml_value(flag.substr(equals + 1)) << "\n";
    }
  }
  return out.str();
}

}  // namespace artifacts::cli
