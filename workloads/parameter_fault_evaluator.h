#pragma once
// What a corruption of the network's stored parameters (a parameter fault model's
// Injection) does to one batch of labelled images on a healthy array, compared with the
// cached fault-free inference.
//
// With the shortcut (workloads/shortcut_propagation.h) only what the corrupted elements
// can change is recomputed: a corrupted weight of output channel oc changes that
// channel's planes only (on the array: the column serving oc is recomputed), a corrupted
// bias that channel's activation; later layers recompute only the images whose
// activations differ. Without it the whole network runs again; both are bit-identical
// (tests/workloads/parameter_fault_evaluator_test.cpp).
#include <vector>

#include "arch/array_config.h"
#include "faultmodels/parameter_injection.h"
#include "faultmodels/parameter_set.h"
#include "workloads/network.h"
#include "workloads/shortcut_propagation.h"

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

 private:
  ArrayConfig array_;
  const Network& net_;
  const NetworkParameters& params_;
};

}  // namespace accsim
