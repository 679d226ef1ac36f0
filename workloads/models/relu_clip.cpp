#include "workloads/models/relu_clip.h"

#include <stdexcept>
#include <string>

namespace accsim {

namespace {

bool is_relu(const Node& node) { return node.op == "Relu"; }

bool same_clip(const ActivationClip& a, const ActivationClip& b) {
  return a.mode == b.mode && (a.mode == ClipMode::none || a.threshold == b.threshold);
}

}  // namespace

ActivationClip relu_clip(const Node& relu) {
  ActivationClip clip;
  const std::string mode = relu.get_string(kClipModeAttribute, "none");
  if (mode == "none") return clip;
  if (mode != "saturate" && mode != "zero")
    throw std::invalid_argument("node " + relu.name + ": " + kClipModeAttribute + " \"" + mode +
                                "\" is not one of saturate, zero");
  clip.mode = mode == "saturate" ? ClipMode::saturate : ClipMode::zero;
  clip.threshold = relu.get_float(kClipThresholdAttribute, clip.threshold);
  if (!(clip.threshold > 0.0f))
    throw std::invalid_argument("node " + relu.name + ": " + kClipThresholdAttribute + " must be > 0");
  return clip;
}

void set_relu_clip(Node& relu, const ActivationClip& clip) {
  if (clip.mode == ClipMode::none) {
    relu.attributes.erase(kClipModeAttribute);
    relu.attributes.erase(kClipThresholdAttribute);
    return;
  }
  relu.attributes[kClipModeAttribute] = std::string(clip.mode == ClipMode::saturate ? "saturate" : "zero");
  relu.attributes[kClipThresholdAttribute] = clip.threshold;
}

std::size_t set_relu_clips(Graph& graph, const ActivationClip& clip) {
  std::size_t count = 0;
  for (Node& node : graph.nodes)
    if (is_relu(node)) {
      set_relu_clip(node, clip);
      ++count;
    }
  return count;
}

std::size_t relu_count(const Graph& graph) {
  std::size_t count = 0;
  for (const Node& node : graph.nodes) count += is_relu(node);
  return count;
}

bool has_relu_clip(const Graph& graph, const ActivationClip& clip) {
  for (const Node& node : graph.nodes)
    if (is_relu(node) && !same_clip(relu_clip(node), clip)) return false;
  return true;
}

}  // namespace accsim
