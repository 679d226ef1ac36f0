#pragma once
// What a corruption of the network's stored parameters (a parameter fault model's
// Injection) does to one batch of labelled images on a healthy array, compared with the
// cached fault-free inference.
//
// With the shortcut (workloads/pvf/shortcut_propagation.h) only what the corrupted elements
// can change is recomputed: a corrupted weight of output channel oc changes that
// channel's planes only (on the array: the column serving oc is recomputed), a corrupted
// bias that channel's activation; later layers recompute only the images whose
// activations differ. Without it the whole network runs again; both are bit-identical
// (tests/workloads/pvf/parameter_fault_evaluator_test.cpp).
#include <vector>

#include "arch/array_config.h"
#include "faultmodels/parameter_injection.h"
#include "faultmodels/parameter_set.h"
#include "workloads/models/network.h"
#include "workloads/pvf/shortcut_propagation.h"

namespace accsim {

// The network's parameters as named tensors, in layer order: "<layer>.weight" (index
// 2l), "<layer>.bias" (2l + 1). The set points into `params`.
ParameterSet network_parameter_set(const Network& net, NetworkParameters& params);

class ParameterFaultEvaluator {
 public:
  // Keeps references: `net` and `params` (the fault-free parameters) must outlive it.
  ParameterFaultEvaluator(const ArrayConfig& array, const Network& net, const NetworkParameters& params);

  GoldenBatch golden(const Tensor& images, const std::vector<int>& labels) const;

  // `faulty`: the fault-free parameters with `injection` applied (its records index
  // network_parameter_set's tensors). Thread-safe.
  BatchEffect evaluate(const GoldenBatch& golden, const NetworkParameters& faulty, const Injection& injection,
                       bool shortcut = true) const;

  // Many corruptions at once, experiment j being injections[j] on goldens[j] (a batch of
  // any size; typically one image). `set` names the tensors of `faulty`, which must hold
  // the fault-free parameters: each injection is applied, evaluated up to the last layer
  // it corrupts, and undone; then the images that still differ run the remaining
  // (fault-free) layers together, one batch per starting layer, which is far cheaper
  // than one small job each and gives the same bits (a fault-free array computes an
  // image the same wherever it sits in a batch). Equals evaluate() per experiment.
  std::vector<BatchEffect> evaluate_many(const std::vector<const GoldenBatch*>& goldens, ParameterSet& set,
                                         NetworkParameters& faulty, const std::vector<Injection>& injections) const;

 private:
  // What an injection corrupts, per layer: output channels of its weights and its bias.
  struct Corruption {
    std::vector<std::vector<int>> weight_channels, bias_channels;
    int first = 0, last = -1;  // the layers holding corrupted elements (first > last: none)
  };
  Corruption corruption_of(const Injection& injection) const;
  LayerChangeFn change_of(const Corruption& c, const GoldenBatch& golden, const NetworkParameters& faulty) const;

  ArrayConfig array_;
  const Network& net_;
  const NetworkParameters& params_;
};

}  // namespace accsim
