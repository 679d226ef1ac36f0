#pragma once
// The gradient table: for every operator of the graph model (workloads/models/operators.h)
// its backward pass, dL/d(inputs) from dL/d(outputs) and the forward run's values. Conv,
// Gemm and MatMul run their backward-data and backward-weight jobs on the array
// (ArrayRunner, docs/mapping.md "Graph backward"); the others run on the host.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "workloads/models/operators.h"

namespace accsim {

struct GradientContext {
  OperatorContext forward;                  // the node, its forward inputs, the array
  std::vector<const Tensor*> outputs;       // the forward outputs (nullptr when unused)
  std::vector<const Tensor*> grad_outputs;  // dL/d output; nullptr when no gradient reaches it
  std::vector<bool> needs;                  // per input: is its gradient wanted
  bool training = true;                     // BatchNormalization uses batch statistics

  const Node& node() const { return forward.node; }
  const Tensor& in(std::size_t i) const { return forward.in(i); }
  const Tensor& out(std::size_t i) const;   // throws std::invalid_argument when missing
  // dL/d output i, or zeros shaped like that output when no gradient reaches it (kept
  // here: a reference, so a backward pass copies no gradient it only reads).
  const Tensor& grad(std::size_t i) const;
  bool need(std::size_t i) const { return i < needs.size() && needs[i]; }

  mutable std::map<std::size_t, Tensor> zeros = {};  // grad()'s zeros for outputs no gradient reaches
  // Where input 1's gradient (a weight read by this node alone) may arrive after the
  // step's task lane is waited for, its backward-weight job running beside the rest of the
  // backward pass; a pass that uses it returns no gradient for input 1. nullptr: not offered.
  Tensor* later = nullptr;
};

using InputGradients = std::vector<std::optional<Tensor>>;  // per input; nullopt: none

struct GradientDef {
  const char* op;
  InputGradients (*backward)(GradientContext&);
  // The training-mode forward when it differs from the operator table's (BatchNormalization:
  // batch statistics); it reports state to keep (running statistics) by initializer name.
  std::vector<Tensor> (*train_forward)(OperatorContext&, std::map<std::string, Tensor>& state);
  // Inputs that hold state rather than parameters (running statistics): never trained.
  std::vector<std::size_t> state_inputs;
  // Whether the backward pass reads input 0's forward value (nullptr: it does) and the
  // node's forward outputs. A value no backward pass reads may be written over by the
  // node that reads it (graph_backward.cpp: the training forward copies it otherwise).
  bool (*reads_input)(const Node&) = nullptr;
  bool reads_outputs = true;
};

const GradientDef* find_gradient(const std::string& op);  // nullptr when it has none

}  // namespace accsim
