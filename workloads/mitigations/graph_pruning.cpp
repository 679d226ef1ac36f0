#include "workloads/mitigations/graph_pruning.h"

#include <cmath>
#include <stdexcept>

#include "faultmodels/weight_footprint.h"
#include "workloads/models/array_runner.h"
#include "workloads/models/operators.h"

namespace accsim {

namespace {

// Keeps every job's operands and computes nothing: its output is zeros of the job's shape.
class OperandCapture : public Engine {
 public:
  std::string name() const override { return "capture"; }
  JobResult run(const ConvJob& job, const Tensor&, const Tensor&, long long) override {
    const ConvShape& s = job.shape;
    return JobResult{Tensor({s.n, s.k, s.p(), s.q()}), JobTiming{}};
  }
  JobResult run_encoded(const ConvJob&, const ArrayOperands&, long long) override {
    throw std::logic_error("OperandCapture: graph runs hand the array fp32 operands");
  }
};

// The parameter an array node holds stationary (its operand B / W), or "" when that
// operand is an activation or a constant.
std::string stationary_parameter(const Graph& graph, const Node& node) {
  const std::string& b = node.input(1);
  return graph.is_initializer(b) && !graph.constants.count(b) ? b : "";
}

Tensor element_indices(const Tensor& t, const std::string& name) {
  if (t.size() > (std::size_t{1} << 24))
    throw std::invalid_argument("fault-aware pruning: parameter " + name + " has " + std::to_string(t.size()) +
                                " elements, more than the 2^24 it can index");
  Tensor indices(t.shape());
  for (std::size_t i = 0; i < t.size(); ++i) indices[i] = static_cast<float>(i);
  return indices;
}

bool on_array(const Node& node) {
  const OperatorDef* def = find_operator(node.op);
  return def && def->on_array;
}

}  // namespace

GraphPruning::GraphPruning(const ArrayConfig& array, const Graph& graph) {
  for (const Node& node : graph.nodes)
    if (on_array(node) && !stationary_parameter(graph, node).empty()) add_node(array, graph, node);
}

std::vector<std::string> unprunable_nodes(const Graph& graph) {
  std::vector<std::string> out;
  for (const Node& node : graph.nodes)
    if (on_array(node) && stationary_parameter(graph, node).empty()) out.push_back(node.name);
  return out;
}

// Runs `node` with its parameter replaced by element indices and every activation by
// zeros, and keeps, per job, which element each stationary register holds.
void GraphPruning::add_node(const ArrayConfig& array, const Graph& graph, const Node& node) {
  const std::string weights = stationary_parameter(graph, node);
  const Tensor indices = element_indices(graph.initializers.at(weights), weights);
  std::map<std::string, Tensor> zeros;
  OperandCapture capture;
  ArrayRunner runner(capture, true);
  OperatorContext c = make_context(graph, node, runner, [&](const std::string& name) -> const Tensor* {
    if (name == weights) return &indices;
    if (const auto p = graph.initializers.find(name); p != graph.initializers.end()) return &p->second;
    if (!graph.shapes.count(name)) return nullptr;
    return &zeros.try_emplace(name, graph.shape_of(name)).first->second;
  });
  find_operator(node.op)->run(c);
  sizes_[weights] = indices.size();
  for (const LayerRun& job : runner.jobs()) {
    JobWeights jw{job.job.shape, Mapping(job.job.shape, array, array.swizzle, job.job.swizzle_seed), weights, {}};
    for (const float v : job.weights.values()) {
      if (!(v >= 0.0f && v < static_cast<float>(indices.size())) || std::floor(v) != v)
        throw std::logic_error("fault-aware pruning: node " + node.name + " does not hold its weights unchanged");
      jw.source.push_back(static_cast<std::uint32_t>(v));
    }
    jobs_.push_back(std::move(jw));
  }
}

PruningMasks GraphPruning::masks(const std::vector<HardwareFault>& faults) const {
  PruningMasks out;
  for (const JobWeights& job : jobs_) {
    const std::vector<std::uint8_t> met = weight_footprint(job.shape, job.mapping, faults);
    for (std::size_t e = 0; e < met.size(); ++e) {
      if (!met[e]) continue;
      std::vector<std::uint8_t>& mask = out[job.initializer];
      if (mask.empty()) mask.assign(sizes_.at(job.initializer), 0);
      mask[job.source[e]] = 1;
    }
  }
  return out;
}

long long apply_pruning(Graph& graph, const PruningMasks& masks) {
  long long pruned = 0;
  for (const auto& [name, mask] : masks) {
    Tensor& t = graph.initializers.at(name);
    if (mask.size() != t.size()) throw std::invalid_argument("apply_pruning: mask size differs from " + name);
    for (std::size_t i = 0; i < mask.size(); ++i)
      if (mask[i]) {
        t[i] = 0.0f;
        ++pruned;
      }
  }
  return pruned;
}

}  // namespace accsim
