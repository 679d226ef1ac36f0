#pragma once
// Activation clipping (a mitigation, docs/config.md "mitigations") on a graph: every Relu
// node takes the clip as accsim's clipping attributes (operators.h) and runs
// clipped_relu (kernels/activations.h); ClipMode::none removes them (the plain ReLU).
#include "kernels/activations.h"
#include "workloads/models/graph.h"

namespace accsim {

void clip_relus(Graph& graph, const ActivationClip& clip);

}  // namespace accsim
