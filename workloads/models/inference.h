#pragma once
// Runs a network forward on an engine, one array job per layer, keeping every
// layer's array output so that a faulty run can be compared with a fault-free one.
// Used by `accsim train` and by the networks' PVF evaluator (workloads/pvf/); every other
// command runs a network as a graph (network_graph.h). LayerRun and compare_outputs
// serve graph runs too.
#include <vector>

#include "arch/engine.h"
#include "workloads/models/network.h"

namespace accsim {

struct LayerRun {
  ConvJob job;
  std::string node;           // the graph node the job belongs to (graph runs)
  long long start_cycle = 0;  // run cycle at which the layer's job started
  Tensor input;               // the job's streamed operand [n, c, h, w]
  Tensor output;              // the job's result [n, k, p, q], before bias/activation
  Tensor weights;             // the job's stationary operand [k, c, r, s] (recorded graph runs)
  JobTiming timing;
};

struct NetworkRun {
  std::vector<LayerRun> layers;
  Tensor logits;  // [n, classes]
  long long cycles = 0;
};

// `images`: [n, c, h, w]. Layers run back to back: each job starts at the cycle the
// previous one ended, so a transient's run cycle picks the layer it hits.
NetworkRun run_network(const Network& net, const NetworkParameters& params, const Tensor& images, Engine& engine);

// Layers first_layer.. of the network on `x` (the input of first_layer: [n, ...]); the
// logits [n, classes]. Every job starts at cycle 0 (for fault-free or permanent-fault engines).
Tensor run_layers(const Network& net, const NetworkParameters& params, Tensor x, int first_layer, Engine& engine);

// Element-wise comparison of two layer outputs.
struct OutputDiff {
  long long corrupted = 0;       // elements whose bits differ
  long long non_finite = 0;      // NaN/Inf elements in the faulty output
  double max_abs_error = 0.0;    // over finite elements
};
OutputDiff compare_outputs(const Tensor& golden, const Tensor& faulty);

}  // namespace accsim
