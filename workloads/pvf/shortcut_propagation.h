#pragma once
// The shortcut of the PVF evaluator of the built-in networks (parameter_fault_evaluator.h;
// hardware-fault campaigns run every model as a graph, graph_fault_evaluator.h): given a
// batch's cached fault-free run and, layer by layer, what a fault changes in that layer
// (a faulty array, corrupted weights or biases), recompute only what can differ:
//  - in a layer the fault acts on, the output planes (image, output channel) its region
//    names, on the faulty array with the layer's (possibly corrupted) weights;
//  - every plane of the images whose input to the layer already differs;
//  - the activation (bias, clipped ReLU, pooling) of the changed planes only, and of the
//    channels whose bias differs;
// and carry forward only the images whose activations differ. The result is
// bit-identical to running the whole network again with the fault.
#include <functional>
#include <vector>

#include "arch/array_config.h"
#include "arch/error_pattern.h"
#include "arch/pe_faults.h"
#include "kernels/array_conv.h"
#include "workloads/models/batch_effect.h"
#include "workloads/models/inference.h"
#include "workloads/models/network.h"

namespace accsim {

struct GoldenBatch {
  NetworkRun run;                // fault-free: every layer's input and array output, the logits
  std::vector<int> labels;       // [n]
  std::vector<int> predictions;  // [n] argmax of the fault-free logits (first maximum)
  std::vector<char> correct;     // [n] prediction == label
  std::vector<char> nonfinite;   // [n] the fault-free logits hold a NaN or Inf
  int size() const { return static_cast<int>(labels.size()); }
};

// A batch's golden record from its fault-free run and labels.
GoldenBatch make_golden(NetworkRun run, const std::vector<int>& labels);
// Image i of a batch's golden record as a batch of one (its jobs for one image): a
// fault-free array computes every image the same wherever it sits in a batch.
GoldenBatch golden_image(const GoldenBatch& batch, const Network& net, int image);
// The effect of a whole faulty run of the batch (the reference the shortcut must equal).
BatchEffect compare_runs(const GoldenBatch& golden, const NetworkRun& faulty);

// What a fault changes in one layer.
struct LayerChange {
  // False: the layer computes as fault-free; only the images whose input differs are
  // recomputed, on a healthy array. True: `region` is recomputed on `faults`.
  bool active = false;
  const PeFaults* faults = nullptr;  // active: the array's faults (null: healthy)
  ErrorPattern pattern;              // active: the transients striking this layer's job
  // active: the planes to recompute; it must hold every plane of every image whose input
  // differs (the `dirty` the change function is given), so `groups` only when none does.
  ConvRegion region;
  const Tensor* weights = nullptr;  // the layer's weights; null: the fault-free ones
  const Tensor* bias = nullptr;     // the layer's bias; null: the fault-free one
  std::vector<int> bias_channels;   // output channels whose bias differs from the fault-free one
};

// change(l, dirty): the change in layer l, where dirty[i] says image i's input to the
// layer differs from the fault-free one. Called for every layer from `first_layer` on.
using LayerChangeFn = std::function<LayerChange(int layer, const std::vector<char>& dirty)>;

BatchEffect propagate_changes(const ArrayConfig& array, const Network& net, const NetworkParameters& params,
                              const GoldenBatch& golden, int first_layer, const LayerChangeFn& change);

// The same through layers [first_layer, end_layer) only: which images differ from the
// fault-free run after them, and how.
struct Propagation {
  std::vector<char> dirty;               // [n]: the image's activation differs
  std::vector<std::vector<float>> act;   // [n]: that activation (the input of end_layer; the logits after the last)
  std::vector<long long> trace;          // per layer, as BatchEffect::trace
};
Propagation propagate_layers(const ArrayConfig& array, const Network& net, const NetworkParameters& params,
                             const GoldenBatch& golden, int first_layer, int end_layer, const LayerChangeFn& change);
// The effect of a propagation through the last layer (its activations are logits).
BatchEffect classify_propagation(const GoldenBatch& golden, const Propagation& propagation);

}  // namespace accsim
