#pragma once
// Activation clipping on a graph model (docs/campaign.md "Mitigation variants"): a Relu
// node may carry a clip, two attributes of accsim's own that the Relu operator reads
// (workloads/models/host_operators.cpp): `accsim_clip_mode` ("saturate" or "zero") and
// `accsim_clip_threshold` (T). With them the node computes clipped_relu
// (kernels/activations.h: saturate min(max(x, 0), T), zero FT-ClipAct; NaN and +Inf to
// T or 0) instead of ONNX Relu. Only Relu nodes are activations to clip: Clip nodes are
// bounded already (ReLU6 exports as Clip), and LeakyRelu, Gelu, Sigmoid and Tanh are
// not ReLUs.
#include <cstddef>

#include "kernels/activations.h"
#include "workloads/models/graph.h"

namespace accsim {

inline constexpr const char* kClipModeAttribute = "accsim_clip_mode";
inline constexpr const char* kClipThresholdAttribute = "accsim_clip_threshold";

// The node's clip (mode none without the attributes). std::invalid_argument for a mode
// other than "saturate" or "zero".
ActivationClip relu_clip(const Node& relu);
// Sets (mode none: removes) the node's clip attributes.
void set_relu_clip(Node& relu, const ActivationClip& clip);

// Every Relu node of `graph` gets `clip`; returns how many Relu nodes there are.
std::size_t set_relu_clips(Graph& graph, const ActivationClip& clip);
std::size_t relu_count(const Graph& graph);

// Whether every Relu node of `graph` computes `clip` (true for a graph without Relu nodes).
bool has_relu_clip(const Graph& graph, const ActivationClip& clip);

}  // namespace accsim
