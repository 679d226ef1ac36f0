#include "workloads/training/operator_gradients.h"

#include <stdexcept>

#include "workloads/training/gradient_table.h"

namespace accsim {

const Tensor& GradientContext::out(std::size_t i) const {
  if (i >= outputs.size() || !outputs[i])
    throw std::invalid_argument("node " + node().name + " (" + node().op + "): forward output " + std::to_string(i) +
                                " is missing");
  return *outputs[i];
}

const Tensor& GradientContext::grad(std::size_t i) const {
  if (i < grad_outputs.size() && grad_outputs[i]) return *grad_outputs[i];
  auto it = zeros.find(i);
  if (it == zeros.end()) it = zeros.emplace(i, Tensor(out(i).shape())).first;
  return it->second;
}

const GradientDef* find_gradient(const std::string& op) {
  for (const auto* table : {&array_gradients(), &host_gradients(), &layout_gradients()})
    for (const auto& def : *table)
      if (op == def.op) return &def;
  return nullptr;
}

}  // namespace accsim
