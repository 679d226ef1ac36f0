#pragma once
// Loads an ONNX model into a Graph (Debian's libonnx: protobuf parsing + ONNX shape
// inference). The batch dimension is fixed to `batch`; shape-only subgraphs are folded;
// every remaining value must have a static shape and every node a supported operator.
// Any problem is an InputError naming the file, the node, its op type and what is supported.
#include <string>

#include "workloads/models/graph.h"

namespace accsim {

Graph load_onnx_model(const std::string& path, int batch);

}  // namespace accsim
