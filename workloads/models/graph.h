#pragma once
// A model as a graph of typed operators over named tensors with static shapes: the ONNX
// data model. Nodes are in topological order; parameters are initializers addressed by
// name (PVF targets, error models). Every command runs models through this one type.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "arch/tensor.h"

namespace accsim {

struct FusionMemo;  // workloads/models/fusion_memo.h

// Integer constants (shapes, axes, indices) folded at load time, kept apart from the
// fp32 data tensors they describe.
struct IntTensor {
  std::vector<int> shape;
  std::vector<long long> values;
};

using AttributeValue =
    std::variant<long long, float, std::string, std::vector<long long>, std::vector<float>, Tensor, IntTensor>;

struct Node {
  std::string name;  // unique; ONNX nodes without a name get "<op>_<index>"
  std::string op;    // ONNX op type, e.g. "Conv"
  std::vector<std::string> inputs;   // "" for an omitted optional input
  std::vector<std::string> outputs;
  std::map<std::string, AttributeValue> attributes;

  bool has(const std::string& key) const { return attributes.count(key) > 0; }
  // Typed attribute access; a present attribute of another type throws std::invalid_argument.
  long long get_int(const std::string& key, long long fallback) const;
  float get_float(const std::string& key, float fallback) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  std::vector<long long> get_ints(const std::string& key, const std::vector<long long>& fallback) const;
  // The i-th input's name, or "" when absent.
  const std::string& input(std::size_t i) const;
};

struct GraphInput {
  std::string name;
  std::vector<int> shape;  // static, batch first
};

struct Graph {
  std::string name;
  int opset = 17;                             // the default domain's opset version
  std::vector<GraphInput> inputs;             // fp32 data inputs (not initializers)
  std::vector<GraphInput> int_inputs;         // int64 data inputs (Gather indices): bound per run into
                                              // int_constants (int_inputs.h); data, never parameters
  std::vector<std::string> outputs;
  std::map<std::string, Tensor> initializers; // fp32 parameters and constants, by name
  std::set<std::string> constants;            // initializers that are not parameters (Constant nodes)
  std::map<std::string, IntTensor> int_constants;  // folded integer constants
  std::vector<Node> nodes;                    // topological order
  std::map<std::string, std::vector<int>> shapes;  // every fp32 value's static shape
  // The last fusion plan of a run that recorded nothing, with what it was made of
  // (fusion_memo.h: checked against the graph before each use, never trusted as it is).
  mutable std::shared_ptr<const FusionMemo> fusion_memo;

  const std::vector<int>& shape_of(const std::string& value) const;  // throws std::out_of_range
  const std::string& node_output(const std::string& node) const;      // its first output; std::out_of_range
  bool is_initializer(const std::string& value) const { return initializers.count(value) > 0; }
  bool is_output(const std::string& value) const {
    return std::find(outputs.begin(), outputs.end(), value) != outputs.end();
  }
  int batch() const { return inputs.empty() || inputs[0].shape.empty() ? 1 : inputs[0].shape[0]; }
};

// The HDF5 group name of a node or job: ONNX names like "/layer1/conv/Conv/g3" become
// "layer1.conv.Conv.g3" (a '/' would open nested groups).
std::string hdf5_group_name(const std::string& name);

// Checks that every node reads only graph inputs, initializers, integer constants or
// outputs of earlier nodes, and that names are unique. Throws std::invalid_argument naming the node.
void check_topological(const Graph& graph);

}  // namespace accsim
