#include "workloads/training/graph_init.h"

#include <array>
#include <cmath>
#include <functional>

#include "arch/random.h"
#include "workloads/training/graph_backward.h"

namespace accsim {

namespace {

// How one parameter starts: a uniform bound (> 0), or a constant fill.
struct InitRule {
  float bound = 0.0f;
  float fill = 0.0f;
};

int product(const std::vector<int>& shape, std::size_t from) {
  int p = 1;
  for (std::size_t i = from; i < shape.size(); ++i) p *= shape[i];
  return p;
}

// fan_in of the weight of a Conv ([k, c/g, r, s]) or a Gemm (B is [in, out], or [out, in] with transB).
int fan_in(const Graph& graph, const Node& node) {
  const std::vector<int>& w = graph.shape_of(node.input(1));
  if (node.op == "Conv") return product(w, 1);
  return node.get_int("transB", 0) ? w[1] : w[0];
}

// A Conv's or Gemm's uniform bounds {weight, bias} from its fan_in, per seeded scheme.
using LayerBounds = std::function<std::array<float, 2>(float fan_in)>;
const std::map<std::string, LayerBounds>& seeded_schemes() {
  static const std::map<std::string, LayerBounds> schemes = {
      {"seeded", [](float n) { return std::array<float, 2>{1.0f / std::sqrt(n), 1.0f / std::sqrt(n)}; }},
      {"kaiming", [](float n) { return std::array<float, 2>{std::sqrt(6.0f / n), 0.0f}; }},
  };
  return schemes;
}

InitRule rule_for(const Graph& graph, const Node& node, std::size_t input, const LayerBounds& bounds) {
  const bool layer = node.op == "Conv" || node.op == "Gemm";
  if (layer && (input == 1 || input == 2))
    return {bounds(static_cast<float>(fan_in(graph, node)))[input - 1], 0.0f};
  if (node.op == "Mul") return {0.0f, 1.0f};
  return {0.0f, 0.0f};
}

}  // namespace

bool is_seeded_init(const std::string& init) { return seeded_schemes().count(init) > 0; }

std::map<std::string, Tensor> seeded_parameters(const Graph& graph, std::uint64_t seed, const std::string& init) {
  const LayerBounds& bounds = seeded_schemes().at(init);
  std::map<std::string, InitRule> rules;
  for (const Node& node : graph.nodes)
    for (std::size_t i = 0; i < node.inputs.size(); ++i)
      if (!rules.count(node.inputs[i])) rules[node.inputs[i]] = rule_for(graph, node, i, bounds);
  std::map<std::string, Tensor> params;
  std::uint64_t index = 0;
  for (const std::string& name : trainable_parameters(graph)) {  // sorted: each parameter its own stream
    Tensor t(graph.initializers.at(name).shape());
    const InitRule r = rules.at(name);
    Rng rng(splitmix64(seed ^ (0x696e6974000000ULL + index++)));
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = r.bound > 0.0f ? rng.uniform(-r.bound, r.bound) : r.fill;
    params.emplace(name, std::move(t));
  }
  return params;
}

}  // namespace accsim
