#pragma once
// A built-in or config-described network (network.h) as a graph (graph.h), the model
// representation `run` and `errmodel` run. Per layer:
//   conv layer  Conv `<layer>` (bias as input C) -> Relu `<layer>.relu` -> MaxPool `<layer>.pool`
//   fc layer    [Flatten `<layer>.flatten`] -> Gemm `<layer>` (transB, bias as C) -> Relu `<layer>.relu`
// (Relu and MaxPool only where the layer has them; a final Flatten when the last layer is a
// conv), on the input `input` [batch, c, h, w], the output `logits` [batch, classes].
// Parameters are initializers named as PyTorch names them: `<layer>.weight` ([K, C, R, S];
// fc: [K, C]) and `<layer>.bias` [K]. Each array node is named after its layer, so its one
// job is too (error models match torch modules by it), and pins the layer's index as its
// swizzle seed: the graph runs bit for bit as run_network (inference.h) on the same engine.
// The network's activation clip sets every Relu's clipping attributes.
#include "workloads/models/graph.h"
#include "workloads/models/network.h"

namespace accsim {

Graph network_graph(const Network& net, const NetworkParameters& params, int batch);

}  // namespace accsim
