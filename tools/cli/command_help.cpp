#include "tools/cli/command_help.h"

#include <algorithm>

#include <boost/program_options.hpp>

namespace accsim {

namespace {

namespace po = boost::program_options;

// "<config name>.h5; errmodel: .errmodel.h5, ...", from the table.
std::string out_defaults() {
  std::string text = "<config name>.h5";
  for (const auto& c : command_table())
    if (c.out_suffix != ".h5") text += "; " + c.name + ": " + c.out_suffix;
  return text;
}

// The help line of `option` for `command` (null: any command): the key it overrides
// first, as one word that never wraps, and the default output.
std::string option_help(const OptionSpec& option, const CommandSpec* command) {
  std::string help = option.help;
  if (option.name == "out") help += "; default: " + (command ? "<config name>" + command->out_suffix : out_defaults());
  if (!command) return help;
  for (const FlagKey& f : command->flag_keys)
    if (f.flag == option.name) help = "[" + f.key + "] " + help;
  return help;
}

void add_option(po::options_description& d, const OptionSpec& option, const CommandSpec* command) {
  const std::string help = option_help(option, command);
  if (option.arg.empty())
    d.add_options()(option.name.c_str(), help.c_str());
  else
    d.add_options()(option.name.c_str(), po::value<std::string>()->value_name(option.arg), help.c_str());
}

}  // namespace

void print_general_help(std::ostream& out) {
  out << "accsim: cycle-level NVDLA-style convolution core with PE fault injection\n\n"
      << "Usage: accsim [COMMAND] --config FILE [options]\n"
      << "       accsim COMMAND --help   (the command's options and the config keys it reads)\n\nCommands:\n";
  std::size_t width = 0;  // the longest name sets the summaries' column
  for (const auto& c : command_table()) width = std::max(width, c.name.size());
  for (const auto& c : command_table()) {
    std::string name = "  " + c.name;
    name.resize(width + 4, ' ');
    out << name << c.summary << " (" << c.doc << ")\n";
  }
  po::options_description d("\nOptions of every command", 100);
  for (const char* name : {"help", "version", "config", "out", "seed"}) add_option(d, *find_option(name), nullptr);
  out << d << "\nExamples:\n";
  for (const auto& c : command_table()) out << "  " << c.example << "\n";
}

void print_command_help(const CommandSpec& command, std::ostream& out) {
  out << "Usage: accsim " << command.name << " --config FILE [options]\n"
      << command.summary << " (" << command.doc << ")\n";
  po::options_description d("\nOptions", 100);
  for (const auto& name : command_options(command)) add_option(d, *find_option(name), &command);
  out << d << "\nConfig keys it reads (docs/config.md): " << command.config_keys << "\n";
  out << "[key]: the option overrides that config key and is checked like it.\n";
  out << "\nExample:\n  " << command.example << "\n";
}

}  // namespace accsim
