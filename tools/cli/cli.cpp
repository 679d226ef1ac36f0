#include "tools/cli/cli.h"

#include <boost/program_options.hpp>
#include <algorithm>
#include <vector>
#include <exception>
#include <filesystem>
#include <string>

#include "arch/input_error.h"
#include "tools/cli/campaign_command.h"
#include "tools/cli/dlrm_command.h"
#include "tools/cli/errmodel_command.h"
#include "tools/cli/pvf_command.h"
#include "tools/cli/run_command.h"
#include "tools/cli/sweep_command.h"
#include "tools/cli/train_command.h"

namespace accsim {

namespace po = boost::program_options;

int cli_main(int argc, char** argv, std::ostream& out, std::ostream& err) {
  po::options_description opts(
      "accsim: cycle-level NVDLA-style convolution core with PE fault injection\n\n"
      "Usage: accsim [COMMAND] --config FILE [options]\n"
      "Commands:\n"
      "  run        (default) run the workload fault-free and faulty; per-layer table, HDF5 results\n"
      "  errmodel   map the faults to software error models per layer and pass (docs/error_model.md)\n"
      "  train      train the network on Fashion-MNIST on the faulty array (docs/training.md)\n"
      "  sweep      run the workload over a grid of array/fault parameters (docs/sweeps.md)\n"
      "  dlrm       parameter-fault RMSE study of a DLRM-style model, MLPs on the array (docs/parameter_faults.md)\n"
      "  campaign   hardware-fault inference campaign: SDC and crash rates by site and bit, resumable\n"
      "             (the config's \"campaign\" object; docs/campaign.md)\n"
      "  pvf        parameter vulnerability factor campaign: PVF per target and bit, mitigations, resumable\n"
      "             (the config's \"pvf\" and \"parameter_faults\" objects; docs/pvf.md)\n\n"
      "Options");
  opts.add_options()                                                                       //
      ("help,h", "show this help")                                                         //
      ("version", "print the version")                                                     //
      ("config", po::value<std::string>(), "experiment config (JSON), required")           //
      ("out", po::value<std::string>(), "results file (HDF5); default: <config name>.h5")  //
      ("engine", po::value<std::string>()->default_value("fast"), "fast (array-faithful kernel) or cycle (SystemC model); bit-identical")  //
      ("seed", po::value<std::string>(), "override the config's seed, in [0, 2^63-1]")                  //
      ("train-limit", po::value<int>(), "train: training images per epoch (overrides training.train_limit)")  //
      ("test-limit", po::value<int>(), "train: test images (overrides training.test_limit)")               //
      ("epochs", po::value<int>(), "train: epochs (overrides training.epochs)")                            //
      ("quiet", "no progress on stderr");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::string>()->default_value("run"), "");
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description positional;
  positional.add("command", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    err << "accsim: " << e.what() << " (see accsim --help)\n";
    return 2;
  }
  if (vm.count("help")) {
    out << opts << "\nExamples:\n  accsim --config configs/small.json --out small.h5\n"
        << "  accsim errmodel --config configs/small.json --out small.errmodel.h5\n"
        << "  accsim dlrm --config configs/experiments/dlrm_pytei.json\n"
        << "  accsim campaign --config configs/experiments/campaign_lenet5.json --out campaign.h5\n"
        << "  accsim pvf --config configs/experiments/pvf_lenet5.json --out pvf.h5\n";
    return 0;
  }
  if (vm.count("version")) {
    out << "accsim " << ACCSIM_VERSION << "\n";
    return 0;
  }
  const std::string command = vm["command"].as<std::string>();
  const std::vector<std::string> commands{"run", "errmodel", "train", "sweep", "dlrm", "campaign", "pvf"};
  if (std::find(commands.begin(), commands.end(), command) == commands.end()) {
    err << "accsim: unknown command \"" << command
        << "\"; commands are {run, errmodel, train, sweep, dlrm, campaign, pvf} (see accsim --help)\n";
    return 2;
  }
  if (!vm.count("config")) {
    err << "accsim: --config FILE is required (see accsim --help)\n";
    return 2;
  }
  RunOptions ro;
  ro.config_file = vm["config"].as<std::string>();
  ro.engine = vm["engine"].as<std::string>();
  if (ro.engine != "fast" && ro.engine != "cycle") {
    err << "accsim: --engine: \"" << ro.engine << "\" is not one of {fast, cycle}\n";
    return 2;
  }
  if ((command == "campaign" || command == "pvf") && ro.engine != "fast") {
    err << "accsim: --engine " << ro.engine << ": campaigns run on the fast engine (bit-identical to cycle)\n";
    return 2;
  }
  ro.out_file = vm.count("out") ? vm["out"].as<std::string>()
                                : std::filesystem::path(ro.config_file).stem().string() +
                                      (command == "run" || command == "train" || command == "sweep" || command == "dlrm"
                                           ? ".h5"
                                           : "." + command + ".h5");
  ro.quiet = vm.count("quiet") > 0;
  const auto bounded = [&](const char* name, int lo, int hi, std::optional<int>& into) {
    if (!vm.count(name)) return true;
    const int v = vm[name].as<int>();
    if (v < lo || v > hi) {
      err << "accsim: --" << name << ": " << v << " is outside the allowed range [" << lo << ", " << hi << "]\n";
      return false;
    }
    into = v;
    return true;
  };
  if (!bounded("train-limit", 1, 59999, ro.train_limit) || !bounded("test-limit", 1, 10000, ro.test_limit) ||
      !bounded("epochs", 1, 10000, ro.epochs))
    return 2;
  if (vm.count("seed")) {
    const std::string text = vm["seed"].as<std::string>();
    std::size_t used = 0;
    long long seed = -1;
    try {
      seed = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || text.empty() || seed < 0) {
      err << "accsim: --seed: \"" << text << "\" is not an integer in the allowed range [0, 9223372036854775807]\n";
      return 2;
    }
    ro.seed = static_cast<std::uint64_t>(seed);
  }
  try {
    if (command == "errmodel") return errmodel_command(ro, out, err);
    if (command == "train") return train_command(ro, out, err);
    if (command == "sweep") return sweep_command(ro, out, err);
    if (command == "campaign") return campaign_command(ro, out, err);
    if (command == "dlrm") return dlrm_command(ro, out, err);
    if (command == "pvf") return pvf_command(ro, out, err);
    return run_command(ro, out, err);
  } catch (const InputError& e) {
    err << "accsim: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "accsim: internal error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace accsim
