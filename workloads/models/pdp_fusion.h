#pragma once
// Which Conv node's output NVDLA's PDP pools on the fly (docs/cycle_model.md, "PDP"): the
// compiler fuses conv -> SDP -> PDP when the conv's result reaches a MaxPool, AveragePool
// or GlobalAveragePool through a chain of single-consumer element-wise operations SDP
// performs (bias Add, Mul by a constant, BatchNormalization, Relu, LeakyRelu, Clip,
// Sigmoid, Tanh), none of them a graph output. The pool still runs on the host; the
// window only sets the conv jobs' PDP timing and write-back.
#include "arch/pdp_window.h"
#include "workloads/models/graph.h"

namespace accsim {

// The pool window fused behind `conv` (disabled when none), in conv output positions.
PdpWindow fused_pool(const Graph& graph, const Node& conv);

}  // namespace accsim
