#pragma once
// What the command line hands to a command (tools/cli/command_table.h).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace accsim {

// A command-line option that sets a config key (`--train-limit 5` sets
// training.train_limit): it replaces the key's value in the config before the config is
// parsed, so the key's own validation checks it.
struct ConfigOverride {
  std::string flag;    // without "--", e.g. "train-limit"
  std::string key;     // JSON path, e.g. "training.train_limit"
  bool creates_block;  // a missing parent object is created (false: the command's own block, which it requires)
  nlohmann::json value;
  std::string text;    // as given on the command line
};

struct RunOptions {
  std::string command;  // its name in the command table ("" from code that calls a handler itself)
  std::string config_file;
  std::string out_file;
  std::vector<std::string> outputs;  // every file the command may write: out_file, then its checkpoint, CSV, plot
  std::string engine = "fast";  // "fast" or "cycle"
  bool quiet = false;           // no progress on stderr
  std::string experiment;       // --experiment (replay), as given; "" = not given
  std::vector<ConfigOverride> overrides;
};

}  // namespace accsim
