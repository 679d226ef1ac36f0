#pragma once
// What a PVF campaign (workloads/pvf/pvf_campaign.h) runs its experiments on: a model kind's
// fault-free records of the pool images, per mitigation variant, and worker states that
// evaluate corrupted parameters against them. The campaign itself (experiment plan,
// draws, protected bits, threads, checkpoints) is the same for every model. One
// implementation, pvf_graph_model.h, takes every model (a built-in network as its graph):
// it reruns only the nodes a corrupted parameter changes.
#include <cstddef>
#include <memory>
#include <vector>

#include "faultmodels/parameter_injection.h"
#include "faultmodels/parameter_set.h"
#include "workloads/models/graph.h"
#include "workloads/models/graph_runner.h"

namespace accsim {

// Per variant: the outcome of an experiment.
enum class PvfOutcome : std::int8_t {
  not_counted = -1,  // the fault-free model (of this variant) misclassifies the image: not in N
  masked = 0,
  sdc = 1,           // misclassified, finite logits
  crash = 2,         // a NaN or Inf logit
};

// A whole model's fault-free and faulty run of one image, every value recorded.
struct PvfRuns {
  const Graph* graph = nullptr;  // the variant's model (node order, value names); the worker's own
  GraphRun golden, faulty;
};

// One worker thread's own copy of the parameters, corrupted and restored by each experiment.
class PvfWorker {
 public:
  virtual ~PvfWorker() = default;
  // The parameters as named tensors; they hold the fault-free values between calls.
  virtual ParameterSet& parameters() = 0;
  // The outcome of injections[k] (records of parameters()' tensors, not applied) on pool
  // image images[k] under `variant`, whose fault-free model classifies every images[k]
  // correctly. `shortcut` false: rerun the whole model (the reference).
  virtual std::vector<PvfOutcome> evaluate(std::size_t variant, const std::vector<int>& images,
                                           const std::vector<Injection>& injections, bool shortcut) = 0;
  // The whole model on pool image `image` under `variant`, fault-free and with `injection`
  // applied (undone before it returns): what `accsim replay` records.
  virtual PvfRuns record_runs(std::size_t variant, int image, const Injection& injection) = 0;
};

class PvfModel {
 public:
  virtual ~PvfModel() = default;
  // Whether the variant's fault-free model classifies pool image `image` correctly.
  virtual bool golden_correct(std::size_t variant, int image) const = 0;
  // Whether the unprotected fault-free logits of pool image `image` hold a NaN or Inf.
  virtual bool golden_nonfinite(int image) const = 0;
  // Cycles of the variant's fault-free run of one batch (the cycle overhead of clipping).
  virtual long long golden_cycles(std::size_t variant) const = 0;
  virtual std::unique_ptr<PvfWorker> make_worker() const = 0;
};

}  // namespace accsim
