#include "workloads/models/int_inputs.h"

#include <stdexcept>

namespace accsim {

std::string shape_text(const std::vector<int>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

namespace {

std::size_t count_of(const std::vector<int>& shape) {
  std::size_t n = 1;
  for (int d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

// Row i of a tensor of `shape` as "[r, c]".
std::string position(const std::vector<int>& shape, std::size_t i) {
  std::vector<int> at(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    at[d] = static_cast<int>(i % static_cast<std::size_t>(shape[d]));
    i /= static_cast<std::size_t>(shape[d]);
  }
  return shape_text(at);
}

// Every index must fall in the rows of each Gather reading the input (negative ones,
// which ONNX counts from the end, are refused: a bag index is a row number).
void check_range(const Graph& g, const std::string& name, const IntTensor& v) {
  for (const Node& node : g.nodes) {
    if (node.op != "Gather" || node.input(1) != name) continue;
    const auto& data = g.shape_of(node.input(0));
    const long long axis = node.get_int("axis", 0);
    const long long rows = data.at(static_cast<std::size_t>(axis < 0 ? axis + static_cast<long long>(data.size()) : axis));
    for (std::size_t i = 0; i < v.values.size(); ++i)
      if (v.values[i] < 0 || v.values[i] >= rows)
        throw std::invalid_argument("input \"" + name + "\": index " + std::to_string(v.values[i]) + " at " +
                                    position(v.shape, i) + " is outside the allowed range [0, " +
                                    std::to_string(rows - 1) + "] (the rows node \"" + node.name + "\" gathers from)");
  }
}

}  // namespace

void bind_int_inputs(Graph& g, const std::map<std::string, IntTensor>& values) {
  for (const GraphInput& in : g.int_inputs) {
    const auto it = values.find(in.name);
    if (it == values.end()) throw std::invalid_argument("input \"" + in.name + "\" (int64) is not given");
    const IntTensor& v = it->second;
    if (v.shape != in.shape || v.values.size() != count_of(v.shape))
      throw std::invalid_argument("input \"" + in.name + "\": " + std::to_string(v.values.size()) + " values of shape " +
                                  shape_text(v.shape) + " where the graph was loaded at " + shape_text(in.shape));
    check_range(g, in.name, v);
  }
  for (const GraphInput& in : g.int_inputs) g.int_constants[in.name] = values.at(in.name);
}

bool int_inputs_bound(const Graph& g) {
  for (const GraphInput& in : g.int_inputs) {
    const auto it = g.int_constants.find(in.name);
    if (it == g.int_constants.end() || it->second.values.size() != count_of(in.shape)) return false;
  }
  return true;
}

}  // namespace accsim
