#pragma once
// The commands of `accsim` as one table: each command's name, summary, the options it
// takes (any other is rejected), the config keys its options override, the keys it
// reads, its handler and its default output. The parser (cli.cpp) and the help
// (command_help.h) both read it.
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tools/cli/run_options.h"

namespace accsim {

// An option of the command line.
struct OptionSpec {
  std::string name;   // without "--"
  std::string arg;    // its value's name ("FILE", "N"); empty for a switch
  std::string help;   // one line
};

// Every option any command takes. help, version, config and out belong to every command.
const std::vector<OptionSpec>& option_table();
const OptionSpec* find_option(const std::string& name);

// An option that sets a config key (run_options.h: ConfigOverride).
struct FlagKey {
  std::string flag;
  std::string key;
  bool creates_block = true;  // false: the key's block is the command's own and required
};

using CommandHandler = int (*)(const RunOptions& options, std::ostream& out, std::ostream& err);

// A file a command writes next to --out besides it.
enum class Companion {
  checkpoint,  // <out>.checkpoint.h5 (workloads/experiments/run_checkpoint.h)
  csv,         // <out> with extension .csv
  png,         // <out> with extension .png
  layers_csv,      // <out stem>_layers.csv (a sweep's layers)
  compute_report,  // <out folder>/<out stem>/COMPUTE_REPORT.csv and BANDWIDTH_REPORT.csv (a topology run, SCALE-Sim's place)
};

struct CommandSpec {
  std::string name;
  std::string summary;                  // one line in `accsim --help`
  std::string doc;                      // where it is documented
  std::vector<std::string> options;     // besides help, version, config, out
  std::vector<FlagKey> flag_keys;       // options that override a config key
  std::vector<std::pair<std::string, std::string>> refused;  // known options it rejects, with the reason
  std::string config_keys;              // the config keys it reads (its help)
  std::string out_suffix;               // default --out: <config name><out_suffix>
  std::string example;
  CommandHandler handler;
  // The workloads it runs (workload.network, workload.topology, workload.model): a config
  // giving another is refused naming the key, never run as something else. Empty: its
  // config has no workload (dlrm).
  std::vector<std::string> workloads = {"network", "model"};
  std::vector<Companion> companions = {};
};

const std::vector<CommandSpec>& command_table();
const CommandSpec* find_command(const std::string& name);  // null when there is none
std::string command_names();                               // "run, errmodel, ..."

// The options a command takes, help, version, config and out first.
std::vector<std::string> command_options(const CommandSpec& command);

// Every file `command` writes for `--out out`: out first, then its companions.
std::vector<std::string> output_files(const CommandSpec& command, const std::string& out);

}  // namespace accsim
