#pragma once
// The PVF model of every model (workloads/pvf/pvf_model.h): a graph (ONNX) model loaded
// with batch 1, or a built-in network as its graph with batch 1 (its parameters in layer
// order). The recorded fault-free run of every pool image (from batches of pvf.batch,
// batched_golden.h) is kept once; an experiment applies its
// fault to the worker's own copy of the initializers, reruns only the nodes the corrupted
// tensors change (workloads/models/incremental_run.h, bit-identical to a full run),
// classifies the image from the output logits and undoes the fault. An activation-
// clipping variant runs the model with its clip at every Relu node
// (workloads/models/relu_clip.h) against its own recorded fault-free runs (its own
// correct set); a network's graph has a Relu node per clipped layer.
#include <memory>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/tensor.h"
#include "faultmodels/parameter_set.h"
#include "workloads/models/graph.h"
#include "workloads/pvf/pvf_campaign.h"
#include "workloads/pvf/pvf_model.h"

namespace accsim {

// A graph's parameters: its initializers minus its constants, in name order. The set
// points into `graph`.
ParameterSet graph_parameter_set(Graph& graph);
// The same with the initializers named in `order`, in that order (empty: by name).
ParameterSet graph_parameter_set(Graph& graph, const std::vector<std::string>& order);

// The parameters the array streams as stationary operands (Conv weights, Gemm and MatMul
// initializer operands), in node order: the default PVF targets, one per tensor.
std::vector<std::string> graph_array_weights(const Graph& graph);

// The fault-free model's predictions for `images` [N, ...] (the labels of synthetic
// images, so that an SDC is any changed prediction); `graph` takes one image (batch 1).
std::vector<int> graph_predicted_labels(const Graph& graph, const ArrayConfig& array, const Tensor& images, int threads);

// `campaign.graph` must take one [1, ...] input whose shape is the images' [1:] and give
// [1, classes] logits as its first output: std::invalid_argument otherwise. Keeps a
// reference to `campaign`, which must outlive the model.
std::unique_ptr<PvfModel> make_graph_pvf_model(const PvfCampaign& campaign);

}  // namespace accsim
