#include "tools/cli/cli.h"

#include <boost/program_options.hpp>
#include <algorithm>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>

#include "arch/bounded_json.h"
#include "arch/input_error.h"
#include "arch/json_excerpt.h"
#include "tools/cli/command_help.h"
#include "tools/cli/command_table.h"
#include "tools/cli/config_overrides.h"
#include "workloads/experiments/distributed_runner.h"
#include "workloads/experiments/mpi_session.h"

namespace accsim {

namespace {

namespace po = boost::program_options;

// A usage error: one line on stderr, exit code 2.
struct UsageError {
  std::string message;
};

// Every option of every command, so that one that does not apply is named as such
// rather than as unknown; the command is the first positional argument.
po::variables_map parse_arguments(int argc, char** argv) {
  po::options_description all;
  for (const auto& o : option_table()) {
    const std::string name = o.name == "help" ? "help,h" : o.name;
    if (o.arg.empty())
      all.add_options()(name.c_str(), "");
    else
      all.add_options()(name.c_str(), po::value<std::string>(), "");
  }
  all.add_options()("command", po::value<std::string>(), "");
  po::positional_options_description positional;
  positional.add("command", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError{std::string(e.what()) + " (see accsim --help)"};
  }
  return vm;
}

const CommandSpec& command_of(const po::variables_map& vm) {
  const std::string name = vm.count("command") ? vm["command"].as<std::string>() : "run";
  const CommandSpec* command = find_command(name);
  if (!command)
    throw UsageError{"unknown command \"" + name + "\"; commands are {" + command_names() + "} (see accsim --help)"};
  return *command;
}

// Options given that the command does not take are errors, never silently ignored.
void check_options_apply(const po::variables_map& vm, const CommandSpec& command) {
  const std::vector<std::string> takes = command_options(command);
  for (const auto& o : option_table()) {
    if (!vm.count(o.name) || std::find(takes.begin(), takes.end(), o.name) != takes.end()) continue;
    std::string why;
    for (const auto& name : command.options) why += (why.empty() ? "it takes --" : ", --") + name;
    for (const auto& [name, reason] : command.refused)
      if (name == o.name) why = reason;
    throw UsageError{"--" + o.name + " does not apply to `accsim " + command.name + "` (" + why +
                     "; see accsim " + command.name + " --help)"};
  }
}

// A number stays a number (the key's parser checks its type and range); anything else
// is passed as a string, which the parser reports with the key's expected type.
nlohmann::json override_value(const std::string& text) {
  try {
    return parse_bounded_json(text, "--option");
  } catch (const InputError&) {
    return nlohmann::json(text);
  }
}

RunOptions run_options(const po::variables_map& vm, const CommandSpec& command) {
  if (!vm.count("config")) throw UsageError{"--config FILE is required (see accsim " + command.name + " --help)"};
  RunOptions ro;
  ro.command = command.name;
  ro.config_file = vm["config"].as<std::string>();
  if (vm.count("engine")) ro.engine = vm["engine"].as<std::string>();
  if (ro.engine != "fast" && ro.engine != "cycle")
    throw UsageError{"--engine: \"" + ro.engine + "\" is not one of {fast, cycle}"};
  ro.out_file = vm.count("out") ? vm["out"].as<std::string>()
                                : std::filesystem::path(ro.config_file).stem().string() + command.out_suffix;
  ro.outputs = output_files(command, ro.out_file);
  ro.quiet = vm.count("quiet") > 0;
  if (vm.count("experiment")) ro.experiment = vm["experiment"].as<std::string>();
  for (const FlagKey& f : command.flag_keys) {
    if (!vm.count(f.flag)) continue;
    const std::string text = vm[f.flag].as<std::string>();
    ro.overrides.push_back({f.flag, f.key, f.creates_block, override_value(text), text});
  }
  return ro;
}

int run(const CommandSpec& command, const RunOptions& ro, std::ostream& out, std::ostream& err) {
  try {
    return command.handler(ro, out, err);
  } catch (const InputError& e) {
    err << "accsim: " << one_line(with_override_source(e.what(), ro.overrides)) << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "accsim: internal error: " << one_line(e.what()) << "\n";
    return 1;
  }
}

}  // namespace

int cli_main(int argc, char** argv, std::ostream& out, std::ostream& err) {
  try {
    const po::variables_map vm = parse_arguments(argc, argv);
    const CommandSpec& command = command_of(vm);
    if (vm.count("help")) {
      if (vm.count("command"))
        print_command_help(command, out);
      else
        print_general_help(out);
      return 0;
    }
    if (vm.count("version")) {
      out << "accsim " << ACCSIM_VERSION << "\n";
      return 0;
    }
    check_options_apply(vm, command);
    if (mpi_size() > 1 && !command_runs_distributed(command.name))
      throw UsageError{"`accsim " + command.name + "` runs in one process: start it without mpirun or srun (docs/scale_out.md)"};
    return run(command, run_options(vm, command), out, err);
  } catch (const UsageError& e) {
    err << "accsim: " << one_line(e.message) << "\n";
    return 2;
  }
}

}  // namespace accsim
