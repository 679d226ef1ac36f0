#pragma once
// The PyTEI dummy-model study on the DLRM-style model (`accsim dlrm`,
// docs/parameter_faults.md): for every input sparsity, parameter fault model (e.g. each
// BER of a sweep) and target (e.g. embeddings, MLPs, the whole model), N seeded trials
// each inject one draw into the fault-free parameters, rerun the model's graph
// (dlrm_graph.h; MLPs on the simulated array) against its recorded fault-free run,
// recomputing only what the corrupted tensors reach, and measure the RMSE between the
// fault-free and the faulty outputs. Past building the graph the study sees only a graph
// whose parameters (embedding tables among them) are initializers.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/tensor.h"
#include "faultmodels/parameter_fault_config.h"
#include "workloads/dlrm/dlrm.h"
#include "workloads/dlrm/dlrm_onnx.h"
#include "workloads/experiments/progress_meter.h"
#include "workloads/io/table.h"

namespace accsim {

struct DlrmStudyConfig {
  std::string file;
  std::string json_text;
  ArrayConfig array;
  DlrmConfig model;
  DlrmOnnxModel onnx;                        // "workload": an ONNX DLRM instead of the built-in one
  std::uint64_t parameters = 0;              // the model's parameter elements
  int samples = 256;                         // synthetic inputs per sparsity
  std::vector<double> sparsity = {0.001, 0.01};
  int trials = 10;                           // injections per (sparsity, fault model, target)
  int threads = 0;                           // study.threads: trial workers, 0: the CPUs this process may use
  ParameterFaultsConfig faults;
  std::uint64_t seed = 1;
};

// Keys: "array", "seed", "dlrm" (workloads/dlrm/dlrm.h), "workload" (dlrm_onnx.h: an ONNX
// model whose inputs the "dlrm" shapes feed), "study" {"samples", "sparsity", "trials",
// "threads"}, "parameter_faults" (faultmodels/parameter_fault_config.h). Targets are
// resolved against the model here, so a target that matches nothing, or a fault model
// that cannot fit one, is reported (file, JSON path) before anything runs.
DlrmStudyConfig parse_dlrm_study_config(const std::string& file);
// The built-in model's shapes (DlrmConfig::describe), or the ONNX file and the inputs fed.
std::string describe_model(const DlrmStudyConfig& config);
DlrmStudyConfig parse_dlrm_study_config_json(const nlohmann::json& json, const std::string& file);

struct DlrmTrial {
  double rmse = 0.0;               // over every output; NaN when an output is NaN/Inf (as PyTEI)
  long long nonfinite_outputs = 0;
  std::uint64_t bit_flips = 0;     // bits the injection changed
};

// The RMSE of a cell pools every output of its finite trials: sqrt(mean over trials of
// the per-trial mean squared error), with a 95% interval from the Student-t interval of
// that mean (square-rooted, lower end clipped at 0). Pooling keeps the figure independent
// of the batch size: an embedding row corrupts only the few samples that index it, an
// MLP weight every sample, and the mean of per-trial RMSEs would grow with the batch
// for the former (docs/parameter_faults.md).
struct DlrmCellSummary {
  int trials = 0;
  int finite_trials = 0;  // trials whose outputs are all finite
  double rmse = 0.0, rmse_lo = 0.0, rmse_hi = 0.0;  // pooled over finite trials; NaN if none (interval: if < 2)
  double trial_rmse_mean = 0.0;  // mean of per-trial RMSEs over finite trials (PyTEI's per-run figure)
  double trial_rmse_max = 0.0;
  double mean_bit_flips = 0.0;  // over all trials
  int nonfinite_trials() const { return trials - finite_trials; }
};
DlrmCellSummary summarize(const std::vector<DlrmTrial>& trials);

struct DlrmCell {
  std::size_t sparsity = 0, model = 0, target = 0;  // indices into the config's lists
  std::vector<DlrmTrial> trials;
  DlrmCellSummary summary;
};

struct DlrmStudyResult {
  std::vector<DlrmCell> cells;                   // sparsity-major, then fault model, then target
  std::vector<std::uint64_t> target_parameters;  // elements per target
  std::uint64_t parameters = 0;
  long long forward_cycles = 0;                  // array cycles of one fault-free forward pass
  std::vector<Tensor> golden;                    // per sparsity: the fault-free outputs
  const DlrmCell& cell(std::size_t sparsity, std::size_t model, std::size_t target) const;
};

struct DlrmStudyOptions {
  std::string engine = "fast";
  std::uint64_t seed = 1;
  int threads = 0;  // trial workers, 0: the CPUs this process may use (the cycle engine always uses one); results do not depend on it
  ProgressStyle progress = ProgressStyle::none;
};

DlrmStudyResult run_dlrm_study(const DlrmStudyConfig& config, const DlrmStudyOptions& options, std::ostream& progress);
// The built-in model with the given parameters instead of the seeded ones (e.g. an ONNX
// DLRM's, to compare the two); std::invalid_argument for a config with "workload".
DlrmStudyResult run_dlrm_study(const DlrmStudyConfig& config, const DlrmParameters& parameters,
                               const DlrmStudyOptions& options, std::ostream& progress);

// The RMSE table: one block per sparsity, rows fault models, columns targets.
std::string format_dlrm_table(const DlrmStudyConfig& config, const DlrmStudyResult& result);
// The summary for the CSV: one row per cell, fault models and targets by name.
Table dlrm_csv_table(const DlrmStudyConfig& config, const DlrmStudyResult& result);
// HDF5 (committed atomically) with config, summary, every trial and the golden outputs.
void write_dlrm_results(const std::string& file, const DlrmStudyConfig& config, const DlrmStudyOptions& options,
                        const DlrmStudyResult& result);

}  // namespace accsim
