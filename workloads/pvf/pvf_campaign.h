#pragma once
// A parameter vulnerability factor (PVF) campaign (`accsim pvf`, docs/pvf.md), as the
// PVF paper ("PVF (Parameter Vulnerability Factor): A Quantitative Metric Measuring AI
// Vulnerability Against Parameter Corruptions", Jiao et al.) defines it: for each target (a layer's weights, ...)
// and fault model, N experiments each corrupt the stored parameters once (one draw of
// the model on the target) and classify one test image drawn at random; PVF = D / N over
// the experiments whose image the fault-free model classifies correctly, D those whose
// image becomes misclassified (a NaN/Inf logit included, also counted on its own).
//
// Every mitigation variant (activation clipping, selective bit protection) sees the same
// draws as the unprotected run, so their PVFs compare experiment by experiment.
// Experiments run on worker threads; each depends only on (seed, index), so results are
// the same for any thread count; a checkpoint lets a killed run resume.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/tensor.h"
#include "workloads/models/graph.h"
#include "workloads/models/network.h"
#include "workloads/experiments/progress_meter.h"
#include "workloads/pvf/pvf_config.h"
#include "workloads/pvf/pvf_model.h"

namespace accsim {

// The model is a built-in chain network with its parameters, or, when `graph` is set, a
// graph model (with batch 1) whose parameters are its initializers minus its constants.
struct PvfCampaign {
  ArrayConfig array;
  Network network;  // its clip is the unprotected run's
  NetworkParameters params;
  std::shared_ptr<const Graph> graph;
  Tensor images;            // [N, c, h, w]: the pool of test images
  std::vector<int> labels;  // [N]
  PvfConfig config;
  std::uint64_t seed = 1;
  std::string model_origin = "the model";  // names the model in errors, e.g. "x.json: pvf.model"
};

struct PvfExperiment {
  int model = 0, target = 0;  // indices into config.faults.models / targets
  int image = 0;              // index into the pool
  std::uint64_t bit_flips = 0;
  int bit = -1;               // the flipped bit when exactly one bit flipped, else -1
  std::uint32_t tensor = 0;   // the first corrupted element: tensor (index into PvfResults::tensors) ...
  std::uint64_t element = 0;  // ... and flat index in it
  float old_value = 0, new_value = 0;
  std::vector<PvfOutcome> outcomes;  // per variant (0: unprotected)
  int stratum = -1;           // adaptive runs: index into PvfResults::strata (-1: fixed count)
  long long sample = 0;       // adaptive runs: the experiment's index in its stratum (its draws' key)
};

// An adaptive run's stratum (config.stop): a fault model, target and bit, -1 where the
// stratum spans every one (its axis is not stratified).
struct PvfStratum {
  int model = -1, target = -1, bit = -1;
};

struct PvfResults {
  std::string key;                       // the resume key (pvf_key)
  std::vector<std::string> variants;     // "unprotected", then config.mitigations' names
  std::vector<long long> golden_correct;  // per variant: pool images the fault-free model classifies correctly
  std::vector<long long> golden_cycles;   // per variant: cycles of one fault-free batch of `batch` images
  std::vector<std::uint64_t> target_parameters;  // per target: elements it holds
  std::vector<std::string> tensors;              // the parameter tensors' names (PvfExperiment::tensor)
  int images = 0;
  std::vector<PvfStratum> strata;  // adaptive runs only
  std::vector<PvfExperiment> experiments;  // [model][target][i] (adaptive: round by round), meaningful where done
  std::vector<char> done;
  long long resumed = 0;
  long long done_count() const;
  bool complete() const { return done_count() == static_cast<long long>(experiments.size()); }
};

struct PvfRunOptions {
  std::string checkpoint;          // "" = none
  long long max_experiments = -1;  // stop after this many new experiments (-1: to the end)
  bool shortcut = true;            // false: rerun the whole network per experiment (the reference)
  int group = 128;                 // experiments a worker evaluates together, at most (results do not depend on it)
  const std::atomic<bool>* stop = nullptr;
  ProgressMeter* progress = nullptr;  // as CampaignRunOptions::progress
  double progress_seconds = 0.2;
};

// 16 hex digits over everything the results depend on (not threads, not checkpoint_seconds).
std::string pvf_key(const PvfCampaign& campaign);

PvfResults run_pvf(const PvfCampaign& campaign, const PvfRunOptions& options = {});

// One experiment of a PVF run rerun alone (`accsim replay`, workloads/replay/pvf_replay.h)
// through run_pvf's own plan, draw and evaluation: equal to its record in run_pvf's results.
class PvfReplayer {
 public:
  // The fault-free records and the plan, once. Keeps a reference to `campaign`.
  explicit PvfReplayer(const PvfCampaign& campaign);
  ~PvfReplayer();
  // The plan: every experiment's model, target and image, the variants, targets, tensors.
  const PvfResults& plan() const;
  // An adaptive run's (config.stop) sample `sample` of stratum `stratum`, added to the
  // plan as the run plans it; returns its index for replay(). InputError naming `what`
  // and the ranges when either is outside the run's.
  std::size_t plan_sample(int stratum, long long sample, const std::string& what);
  // Experiment `index` (< plan().experiments.size()) and its injection (every flip).
  PvfExperiment replay(std::size_t index, Injection& injection) const;
  // The unprotected model's whole runs of experiment `e`'s image, fault-free and with
  // `injection` (replay's) applied.
  PvfRuns record(const PvfExperiment& e, const Injection& injection) const;

 private:
  struct State;
  const PvfCampaign& c_;
  std::unique_ptr<State> state_;
};

}  // namespace accsim
