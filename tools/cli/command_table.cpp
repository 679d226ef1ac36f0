#include "tools/cli/command_table.h"

#include <filesystem>

#include "tools/cli/campaign_command.h"
#include "tools/cli/dlrm_command.h"
#include "tools/cli/errmodel_command.h"
#include "tools/cli/pvf_command.h"
#include "tools/cli/replay_command.h"
#include "tools/cli/run_command.h"
#include "tools/cli/sweep_command.h"
#include "tools/cli/train_campaign_command.h"
#include "tools/cli/train_command.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/scalesim/bandwidth_report.h"
#include "workloads/scalesim/compute_report.h"
#include "workloads/sweep/sweep_output.h"

namespace accsim {

namespace {

const std::vector<std::string> kCommonOptions = {"help", "version", "config", "out"};

const FlagKey kSeed{"seed", "seed", true};

const std::pair<std::string, std::string> kFastEngineOnly{
    "engine", "it runs on the fast engine (bit-identical to the cycle model)"};

const char* kRunKeys = "array, workload, faults, mitigations, seed";

const std::vector<std::string> kAnyWorkload = {"network", "topology", "model"};
const std::vector<Companion> kCheckpointCsvPlot = {Companion::checkpoint, Companion::csv, Companion::png};

}  // namespace

const std::vector<OptionSpec>& option_table() {
  static const std::vector<OptionSpec> options = {
      {"help", "", "show this help"},
      {"version", "", "print the version"},
      {"config", "FILE", "experiment config (JSON), required"},
      {"out", "FILE", "results file (HDF5)"},
      {"engine", "NAME", "fast (array-faithful kernel, default) or cycle (SystemC model); bit-identical"},
      {"seed", "N", "seed in [0, 2^63-1]"},
      {"threads", "N", "threads, 0 = the CPUs this process may use (the default); results do not depend on it"},
      {"train-limit", "N", "training images per epoch (0: the whole training part)"},
      {"test-limit", "N", "test images for the final accuracy"},
      {"epochs", "N", "epochs"},
      {"quiet", "", "no progress on stderr"},
      {"experiment", "ID", "the experiment to replay: its index in the campaign"},
  };
  return options;
}

const OptionSpec* find_option(const std::string& name) {
  for (const auto& o : option_table())
    if (o.name == name) return &o;
  return nullptr;
}

const std::vector<CommandSpec>& command_table() {
  static const std::vector<CommandSpec> commands = {
      {"run", "(default) the workload fault-free and faulty; per-layer table, swizzle report, HDF5", "README.md",
       {"engine", "seed"}, {kSeed}, {}, kRunKeys, ".h5", "accsim --config configs/small.json --out small.h5",
       run_command, kAnyWorkload, {Companion::compute_report}},
      {"errmodel", "the faults as software error models per layer and pass, HDF5 for other tools",
       "docs/error_model.md", {"engine", "seed"}, {kSeed}, {}, "array, workload, faults, seed", ".errmodel.h5",
       "accsim errmodel --config configs/small.json --out small.errmodel.h5", errmodel_command},
      {"train", "Fashion-MNIST training on the faulty array; checkpoints, CSV, plot", "docs/training.md",
       {"engine", "seed", "threads", "train-limit", "test-limit", "epochs", "quiet"},
       {kSeed,
        {"threads", "training.threads"},
        {"train-limit", "training.train_limit"},
        {"test-limit", "training.test_limit"},
        {"epochs", "training.epochs"}},
       {}, std::string(kRunKeys) + ", training", ".h5",
       "accsim train --config configs/experiments/lenet5_bit28_stuck0.json --out lenet5_bit28.h5", train_command,
       {"network", "model"}, kCheckpointCsvPlot},
      {"sweep", "a workload over a grid of array and fault parameters; table, CSV, HDF5, plot", "docs/sweeps.md",
       {"engine", "seed", "threads", "quiet"}, {kSeed, {"threads", "sweep.threads", false}}, {},
       std::string(kRunKeys) + ", campaign (per point), sweep", ".h5",
       "accsim sweep --config configs/sweeps/nv_small_to_large.json --out sweep.h5", sweep_command, kAnyWorkload,
       {Companion::checkpoint, Companion::csv, Companion::layers_csv, Companion::png}},
      {"dlrm", "parameter-fault (BER) RMSE study of a DLRM-style model, MLPs on the array",
       "docs/parameter_faults.md", {"engine", "seed", "threads", "quiet"}, {kSeed, {"threads", "study.threads"}}, {},
       "array, seed, dlrm, study, parameter_faults", ".h5", "accsim dlrm --config configs/experiments/dlrm_pytei.json",
       dlrm_command, {}, {Companion::csv, Companion::png}},
      {"campaign", "hardware-fault campaign: SDC and crash rates by site, kind and bit; resumable",
       "docs/campaign.md", {"seed", "threads", "quiet"}, {kSeed, {"threads", "campaign.threads", false}},
       {kFastEngineOnly}, "array, workload, mitigations.activation_clip, campaign, seed", ".campaign.h5",
       "accsim campaign --config configs/experiments/campaign_lenet5.json --out campaign.h5", campaign_command,
       {"network", "model"}, {Companion::checkpoint, Companion::csv}},
      {"pvf", "parameter vulnerability factor per target and bit, with mitigations; resumable", "docs/pvf.md",
       {"seed", "threads", "quiet"}, {kSeed, {"threads", "pvf.threads", false}}, {kFastEngineOnly},
       "array, workload, mitigations.activation_clip, pvf, parameter_faults, seed", ".pvf.h5",
       "accsim pvf --config configs/experiments/pvf_lenet5.json --out pvf.h5", pvf_command, {"network", "model"},
       kCheckpointCsvPlot},
      {"replay", "one experiment of a campaign or pvf run rerun bit-exactly from its index, with its full record",
       "docs/campaign.md", {"experiment", "seed"}, {kSeed}, {kFastEngineOnly},
       "array, workload, mitigations.activation_clip, campaign or pvf, parameter_faults, seed", ".replay.h5",
       "accsim replay --config configs/experiments/campaign_lenet5.json --experiment 17 --out replay.h5",
       replay_command, {"network", "model"}},
      {"train-campaign", "training-fault campaign: masked/crash/SDC/latent rates by site, pass, kind, bit; resumable",
       "docs/training.md", {"seed", "threads", "quiet"}, {kSeed, {"threads", "train_campaign.threads", false}},
       {kFastEngineOnly}, "array, workload, mitigations.activation_clip, training, train_campaign, seed", ".train_campaign.h5",
       "accsim train-campaign --config configs/experiments/train_campaign_lenet5.json --out tc.h5",
       train_campaign_command, {"network", "model"}, kCheckpointCsvPlot},
  };
  return commands;
}

const CommandSpec* find_command(const std::string& name) {
  for (const auto& c : command_table())
    if (c.name == name) return &c;
  return nullptr;
}

std::string command_names() {
  std::string names;
  for (const auto& c : command_table()) names += (names.empty() ? "" : ", ") + c.name;
  return names;
}

std::vector<std::string> command_options(const CommandSpec& command) {
  std::vector<std::string> all = kCommonOptions;
  all.insert(all.end(), command.options.begin(), command.options.end());
  return all;
}

std::vector<std::string> output_files(const CommandSpec& command, const std::string& out) {
  std::vector<std::string> files = {out};
  for (const Companion c : command.companions) {
    if (c == Companion::checkpoint) files.push_back(checkpoint_path(out));
    if (c == Companion::csv) files.push_back(std::filesystem::path(out).replace_extension(".csv").string());
    if (c == Companion::png) files.push_back(std::filesystem::path(out).replace_extension(".png").string());
    if (c == Companion::layers_csv) files.push_back(sweep_layers_csv_path(out));
    if (c == Companion::compute_report) {
      files.push_back(compute_report_path(out));
      files.push_back(bandwidth_report_path(out));
    }
  }
  return files;
}

}  // namespace accsim
