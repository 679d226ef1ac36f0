#pragma once
// The operator table: every ONNX operator a graph may hold, how it is checked at load
// time and how it runs. Conv, Gemm and MatMul run on the array (ArrayRunner); the others
// run on the host as NVDLA's post-processors would (docs/cycle_model.md).
#include <functional>
#include <string>
#include <vector>

#include "workloads/models/array_runner.h"
#include "workloads/models/graph.h"

namespace accsim {

// accsim's own node attribute (not ONNX; the built-in networks set it, a model file may):
// a Conv, Gemm or MatMul's pinned random-swizzle seed (int >= 0, array_runner.h). A Relu's
// activation clipping has its own attributes (relu_clip.h).
inline constexpr const char* kSwizzleSeedAttribute = "accsim_swizzle_seed";

struct OperatorContext {
  const Graph& graph;
  const Node& node;
  std::vector<const Tensor*> inputs;         // fp32 inputs; nullptr when absent or integer
  std::vector<const IntTensor*> int_inputs;  // integer constant inputs; nullptr otherwise
  ArrayRunner& array;
  // Input 0's value when no later node and no output reads it (graph_runner): an operator
  // may write its result into it and move it out instead of allocating. nullptr otherwise.
  Tensor* consumable = nullptr;
  // A Conv's Relu when the run fuses them (graph_fusion.h): the conv applies it with its bias.
  const Node* fused_relu = nullptr;

  const Tensor& in(std::size_t i) const;       // throws std::invalid_argument when missing
  const IntTensor& ints(std::size_t i) const;  // throws std::invalid_argument when missing
};

// The context of `node`: fp32 inputs through `lookup` (nullptr when absent), integer
// inputs from the graph's constants.
OperatorContext make_context(const Graph& graph, const Node& node, ArrayRunner& array,
                             const std::function<const Tensor*(const std::string&)>& lookup);

// An operator's one output, moved into its result (a braced list would copy it).
inline std::vector<Tensor> one_output(Tensor t) {
  std::vector<Tensor> out;
  out.push_back(std::move(t));
  return out;
}

struct OperatorDef {
  const char* op;
  bool on_array;
  std::vector<Tensor> (*run)(OperatorContext&);
  // Load-time check of attributes and constant inputs; throws std::invalid_argument.
  void (*check)(const Node&, const Graph&);
};

const OperatorDef* find_operator(const std::string& op);  // nullptr when unsupported
std::string supported_operator_list();                     // "Add, AveragePool, ..."

}  // namespace accsim
