#include "workloads/models/relu_clipping.h"

#include "workloads/models/operators.h"

namespace accsim {

void clip_relus(Graph& graph, const ActivationClip& clip) {
  for (Node& node : graph.nodes) {
    if (node.op != "Relu") continue;
    node.attributes.erase(kClipModeAttribute);
    node.attributes.erase(kClipThresholdAttribute);
    if (clip.mode == ClipMode::none) continue;
    node.attributes[kClipModeAttribute] = std::string(clip.mode == ClipMode::saturate ? "saturate" : "zero");
    node.attributes[kClipThresholdAttribute] = clip.threshold;
  }
}

}  // namespace accsim
