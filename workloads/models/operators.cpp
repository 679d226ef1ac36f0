#include "workloads/models/operators.h"

#include <map>
#include <stdexcept>

#include "workloads/models/operator_table.h"

namespace accsim {

const Tensor& OperatorContext::in(std::size_t i) const {
  if (i >= inputs.size() || !inputs[i])
    throw std::invalid_argument("node " + node.name + " (" + node.op + "): input " + std::to_string(i) + " is missing or not float");
  return *inputs[i];
}

const IntTensor& OperatorContext::ints(std::size_t i) const {
  if (i >= int_inputs.size() || !int_inputs[i])
    throw std::invalid_argument("node " + node.name + " (" + node.op + "): input " + std::to_string(i) + " must be an integer constant");
  return *int_inputs[i];
}

OperatorContext make_context(const Graph& graph, const Node& node, ArrayRunner& array,
                             const std::function<const Tensor*(const std::string&)>& lookup) {
  OperatorContext c{graph, node, {}, {}, array};
  c.inputs.reserve(node.inputs.size());  // one allocation each, not one per doubling
  c.int_inputs.reserve(node.inputs.size());
  for (const auto& in : node.inputs) {
    c.inputs.push_back(in.empty() ? nullptr : lookup(in));
    const auto k = graph.int_constants.find(in);
    c.int_inputs.push_back(k != graph.int_constants.end() ? &k->second : nullptr);
  }
  return c;
}

void require_int_input(const Node& node, const Graph& graph, std::size_t index, const char* what) {
  if (!graph.int_constants.count(node.input(index)))
    throw std::invalid_argument(std::string("input ") + std::to_string(index) + " (" + what +
                                ") must be a constant known at load time, not computed from data");
}

int normalise_axis(long long axis, std::size_t rank, const Node& node) {
  const long long r = static_cast<long long>(rank);
  if (axis < -r || axis >= r)
    throw std::invalid_argument("node " + node.name + " (" + node.op + "): axis " + std::to_string(axis) +
                                " is outside [" + std::to_string(-r) + ", " + std::to_string(r - 1) + "]");
  return static_cast<int>(axis < 0 ? axis + r : axis);
}

namespace {

const std::map<std::string, const OperatorDef*>& table() {
  static const std::map<std::string, const OperatorDef*> all = [] {
    std::map<std::string, const OperatorDef*> m;
    for (const auto& d : array_operators()) m[d.op] = &d;
    for (const auto& d : host_operators()) m[d.op] = &d;
    return m;
  }();
  return all;
}

}  // namespace

const OperatorDef* find_operator(const std::string& op) {
  const auto it = table().find(op);
  return it == table().end() ? nullptr : it->second;
}

std::string supported_operator_list() {
  std::string list;
  for (const auto& [name, def] : table()) list += (list.empty() ? "" : ", ") + name;
  return list;
}

}  // namespace accsim
