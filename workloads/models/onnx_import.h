#pragma once
// Loads an ONNX model into a Graph (Debian's libonnx: protobuf parsing + ONNX shape
// inference). The batch dimension is fixed to `batch`; shape-only subgraphs are folded;
// every remaining value must have a static shape and every node a supported operator.
// Any problem is an InputError naming the file, the node, its op type and what is supported.
#include <map>
#include <string>
#include <vector>

#include "workloads/models/graph.h"

namespace accsim {

// Refuses int64 inputs (only accsim dlrm feeds them).
Graph load_onnx_model(const std::string& path, int batch);

// With int64 inputs (Graph::int_inputs, int_inputs.h: Gather indices only), each loaded at
// the full shape given here by name (their dynamic dimensions, e.g. a bag's length, too).
using IntInputShapes = std::map<std::string, std::vector<int>>;
Graph load_onnx_model(const std::string& path, int batch, const IntInputShapes& int_inputs);

// The data inputs of a model file (not its initializers), in order, with their element
// type ("float32", "int64" or "other"); InputError when the file is not an ONNX model.
struct OnnxInput {
  std::string name, type;
};
std::vector<OnnxInput> onnx_model_inputs(const std::string& path);

}  // namespace accsim
