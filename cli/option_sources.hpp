// Where a subcommand's options come from besides its flags: environment
// variables and a configuration file. A flag wins over the environment, which
// wins over the file.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace artifacts::cli {

// ARTIFACT_STORE_ followed by the option's long name in upper case with '-'
// as '_': --pool is ARTIFACT_STORE_POOL, --tls-cert ARTIFACT_STORE_TLS_CERT.
std::string environment_name(const CLI::Option& option);

// Settings of the actor system, as CAF's own flags ("--scheduler.max-threads=2"):
// from `--caf.NAME=VALUE` flags of a subcommand that allows them and from the
// file's `caf` keys and sections.
struct caf_settings {
  std::vector<std::string> flags;
};

// Gives every option of every subcommand of `app` its environment variable
// (environment_name), and adds `--config FILE` to `app`: a TOML file whose
// top-level keys are options of the subcommand being run, and whose sections
// ([serve], [put], …) are options of that subcommand. Keys under `caf`
// (`caf.scheduler.max-threads = 2`, or a [caf.scheduler] section) go to
// `caf` instead. A key that names no option is a CLI::ConfigError (a usage
// error) that names it. --dsn and --node keep the environment variables
// ARTIFACT_STORE_DSN and ARTIFACT_STORE_NODE that resolve_store_address
// reads; the file's dsn and node give way to either.
//
// Call after every subcommand and option is defined and before parsing.
// `caf` must outlive the parse.
void add_option_sources(CLI::App& app, caf_settings& caf);

// Moves the `--caf.NAME=VALUE` (or `--caf.NAME VALUE`) arguments that
// `command` left unparsed (it must allow extras) into `caf`, as
// `--NAME=VALUE`, after those of the file. Throws CLI::ExtrasError for any
// other argument left over.
void take_caf_flags(CLI::App& command, caf_settings& caf);

// The effective configuration of a parsed subcommand, as a TOML file that
// --config reads back: every option with its value or default, and the CAF
// settings in a [caf] section. The TLS passphrase is left out and DSNs lose
// their password (dsn_without_password); `store_dsn` is the DSN the command
// uses when --dsn is not given.
std::string effective_configuration(const CLI::App& command, const caf_settings& caf,
                                    const std::string& store_dsn);

}  // namespace artifacts::cli
