#pragma once
// What one hardware fault does to one batch of labelled images: the inference of the
// batch on the array with the fault, compared with the cached fault-free inference.
//
// The fault-free run of a batch (every layer's input and array output, the logits and
// the predictions) is computed once (`GoldenBatch`) and reused by every experiment. With
// the shortcut (the default) an experiment recomputes only what the fault can change:
//  - a transient strikes one layer (the one whose cycle window holds its cycle): layers
//    before it are the cached ones; in that layer only the output planes (image, output
//    channel) its error pattern touches; after it only the images whose activations
//    differ, as a smaller batch on a fault-free array;
//  - a stuck-at acts in every layer, but only on the output channels served by its
//    array column: each layer recomputes that column's planes of every image (none when
//    a weight or input stuck-at never alters a value its register holds in that layer),
//    and every plane of the images whose input already differs.
// Without the shortcut every layer of the batch runs again (run_network); both give
// bit-identical results (tests/workloads/campaign/fault_evaluator_test.cpp).
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "workloads/models/inference.h"
#include "workloads/models/network.h"
#include "workloads/campaign/shortcut_propagation.h"

namespace accsim {

class FaultEvaluator {
 public:
  // Keeps references: `net` and `params` must outlive the evaluator.
  FaultEvaluator(const ArrayConfig& array, const Network& net, const NetworkParameters& params);

  // images [n, c, h, w] with n labels.
  GoldenBatch golden(const Tensor& images, const std::vector<int>& labels) const;

  // Thread-safe (const, no shared scratch): workers share one evaluator.
  BatchEffect evaluate(const GoldenBatch& golden, const HardwareFault& fault, bool shortcut = true) const;

  // The layer a transient at `cycle` strikes in this batch's run, or -1 (after the run).
  static int layer_at_cycle(const NetworkRun& run, long long cycle);

 private:
  BatchEffect evaluate_full(const GoldenBatch& golden, const HardwareFault& fault) const;
  BatchEffect evaluate_shortcut(const GoldenBatch& golden, const HardwareFault& fault) const;

  ArrayConfig array_;
  const Network& net_;
  const NetworkParameters& params_;
};

}  // namespace accsim
