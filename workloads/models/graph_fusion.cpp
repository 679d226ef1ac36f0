#include "workloads/models/graph_fusion.h"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace accsim {

namespace {

using Kind = RowOperand::Kind;
using Readers = std::unordered_map<std::string, std::vector<std::size_t>>;

// Per value, the nodes that read it (each once, in graph order).
Readers readers_of(const Graph& g) {
  Readers r;
  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    for (const std::string& in : g.nodes[i].inputs) {
      if (in.empty()) continue;
      std::vector<std::size_t>& list = r[in];
      if (list.empty() || list.back() != i) list.push_back(i);
    }
  return r;
}

const std::vector<std::size_t>& readers(const Readers& r, const std::string& value) {
  static const std::vector<std::size_t> none;
  const auto it = r.find(value);
  return it == r.end() ? none : it->second;
}

// ---- Conv -> Relu --------------------------------------------------------------------

void plan_conv_relus(const Graph& g, const Readers& r, FusionPlan& plan) {
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& conv = g.nodes[i];
    if (conv.op != "Conv" || conv.outputs.size() != 1 || conv.outputs[0].empty() || g.is_output(conv.outputs[0])) continue;
    const auto& next = readers(r, conv.outputs[0]);
    if (next.size() != 1) continue;
    const Node& relu = g.nodes[next[0]];
    if (relu.op != "Relu" || relu.inputs.size() != 1 || relu.outputs.size() != 1 || relu.outputs[0].empty()) continue;
    plan.nodes[i] = {NodeFusion::Role::conv_with_relu, next[0]};
    plan.nodes[next[0]] = {NodeFusion::Role::relu_of_conv, i};
  }
}

// ---- Row chains ----------------------------------------------------------------------

// A pattern step's operand: the chain's input x, an earlier step's result, or a constant
// (an initializer of one value or one per row element).
struct PatternOperand {
  Kind kind;
  int step;
};
constexpr PatternOperand X{Kind::input, 0}, C{Kind::constant, 0};
constexpr PatternOperand S(int step) { return {Kind::step, step}; }

struct PatternStep {
  const char* op;
  RowOp row_op;
  std::vector<PatternOperand> operands;  // in the order of the export; Add and Mul match either order
};

// The chains as torch.onnx exports them at opset < 17 (docs/models.md, "The ONNX files").
const std::vector<std::vector<PatternStep>>& patterns() {
  static const std::vector<std::vector<PatternStep>> all = {
      // LayerNorm: (x - mean) / sqrt(mean((x - mean)^2) + eps) * weight + bias
      {{"ReduceMean", RowOp::mean, {X}},
       {"Sub", RowOp::sub, {X, S(0)}},
       {"Pow", RowOp::pow, {S(1), C}},
       {"ReduceMean", RowOp::mean, {S(2)}},
       {"Add", RowOp::add, {S(3), C}},
       {"Sqrt", RowOp::sqrt, {S(4)}},
       {"Div", RowOp::div, {S(1), S(5)}},
       {"Mul", RowOp::mul, {S(6), C}},
       {"Add", RowOp::add, {S(7), C}}},
      // Exact GELU: x * (erf(x / sqrt(2)) + 1) * 0.5
      {{"Div", RowOp::div, {X, C}},
       {"Erf", RowOp::erf, {S(0)}},
       {"Add", RowOp::add, {S(1), C}},
       {"Mul", RowOp::mul, {X, S(2)}},
       {"Mul", RowOp::mul, {S(3), C}}},
  };
  return all;
}

// A chain being matched: its nodes and steps so far.
struct Match {
  const Graph& g;
  std::string x;
  std::vector<int> x_shape, row_shape;  // x's shape, and with a last dimension of 1
  std::vector<std::size_t> nodes;
  RowChain chain;
};

// An initializer of one value, or of x's last dimension with every other dimension 1.
bool fits_row(const Match& m, const std::string& value) {
  const auto it = m.g.initializers.find(value);
  if (it == m.g.initializers.end()) return false;
  const std::vector<int>& s = it->second.shape();
  if (s.size() > m.x_shape.size()) return false;
  if (it->second.size() == 1) return true;
  return s.back() == m.x_shape.back() && std::all_of(s.begin(), s.end() - 1, [](int d) { return d == 1; });
}

bool per_row(const Match& m, const RowOperand& o) {
  if (o.kind == Kind::step) return m.chain.steps[static_cast<std::size_t>(o.step)].per_row;
  return o.kind == Kind::constant && m.g.initializers.at(o.constant).size() == 1;
}

// `value` as pattern operand `p`, or false.
bool bind_operand(const Match& m, const PatternOperand& p, const std::string& value, RowOperand& out) {
  out.kind = p.kind;
  out.step = p.step;
  if (p.kind == Kind::input) return value == m.x;
  if (p.kind == Kind::step) return value == m.g.nodes[m.nodes[static_cast<std::size_t>(p.step)]].outputs[0];
  out.constant = value;
  return fits_row(m, value);
}

// A ReduceMean over x's last axis that keeps it (axes by attribute or constant input).
bool reduces_last_axis(const Graph& g, const Node& n, std::size_t rank) {
  if (n.get_int("keepdims", 1) == 0 || n.inputs.size() > 2) return false;
  std::vector<long long> axes = n.get_ints("axes", {});
  if (n.inputs.size() == 2) {
    const auto k = g.int_constants.find(n.inputs[1]);
    if (k == g.int_constants.end()) return false;
    axes = k->second.values;
  }
  const long long r = static_cast<long long>(rank);
  return axes.size() == 1 && (axes[0] == r - 1 || axes[0] == -1);
}

// Node `i` as pattern step `p` (its operands in the node's order), appended to m; or false.
bool take_step(Match& m, const PatternStep& p, std::size_t i) {
  const Node& n = m.g.nodes[i];
  if (n.op != p.op || n.outputs.size() != 1 || n.outputs[0].empty()) return false;
  const bool mean = p.row_op == RowOp::mean;
  if (mean ? !reduces_last_axis(m.g, n, m.x_shape.size()) : n.inputs.size() != p.operands.size()) return false;
  RowStep step{p.row_op, std::vector<RowOperand>(p.operands.size()), mean};
  const bool commutes = p.row_op == RowOp::add || p.row_op == RowOp::mul;
  for (int order = 0; order < (commutes ? 2 : 1); ++order) {
    bool fits = true;
    for (std::size_t k = 0; k < p.operands.size() && fits; ++k)
      fits = bind_operand(m, p.operands[order ? p.operands.size() - 1 - k : k], n.inputs[k], step.operands[k]);
    if (!fits) continue;
    if (mean && per_row(m, step.operands[0])) return false;  // a mean of one value per row: not the pattern
    if (!mean) step.per_row = std::all_of(step.operands.begin(), step.operands.end(), [&](const RowOperand& o) { return per_row(m, o); });
    if (m.g.shape_of(n.outputs[0]) != (step.per_row ? m.row_shape : m.x_shape)) return false;
    m.nodes.push_back(i);
    m.chain.steps.push_back(std::move(step));
    return true;
  }
  return false;
}

// The value a pattern step's nodes are found among the readers of: its first operand that
// is x or a step.
const std::string& anchor(const Match& m, const PatternStep& p) {
  for (const PatternOperand& o : p.operands)
    if (o.kind == Kind::step) return m.g.nodes[m.nodes[static_cast<std::size_t>(o.step)]].outputs[0];
  return m.x;
}

// The values inside the chain (every step's but the last) are no graph output and only
// chain nodes read them.
bool closed(const Match& m, const Readers& r) {
  for (std::size_t s = 0; s + 1 < m.nodes.size(); ++s) {
    const std::string& v = m.g.nodes[m.nodes[s]].outputs[0];
    if (m.g.is_output(v)) return false;
    for (std::size_t reader : readers(r, v))
      if (std::find(m.nodes.begin(), m.nodes.end(), reader) == m.nodes.end()) return false;
  }
  return true;
}

// The chain of `pattern` that starts at node `head`, matched to its end; false otherwise.
bool match_chain(const std::vector<PatternStep>& pattern, std::size_t head, const Readers& r, const FusionPlan& plan,
                 Match& m) {
  const Node& h = m.g.nodes[head];
  if (h.op != pattern[0].op || h.inputs.empty() || m.g.is_initializer(h.inputs[0]) || !m.g.shapes.count(h.inputs[0]))
    return false;
  m.x = h.inputs[0];  // every pattern's first step reads x first
  m.x_shape = m.g.shape_of(m.x);
  if (m.x_shape.empty() || m.x_shape.back() < 1) return false;
  m.row_shape = m.x_shape;
  m.row_shape.back() = 1;
  if (!take_step(m, pattern[0], head)) return false;
  for (std::size_t s = 1; s < pattern.size(); ++s) {
    bool found = false;
    for (std::size_t i : readers(r, anchor(m, pattern[s])))
      if (!found && i > head && plan.nodes[i].role == NodeFusion::Role::alone &&
          std::find(m.nodes.begin(), m.nodes.end(), i) == m.nodes.end())
        found = take_step(m, pattern[s], i);
    if (!found) return false;
  }
  return closed(m, r);
}

void record_chain(const Graph& g, const Readers& r, Match& m, FusionPlan& plan) {
  FusedChain fused;
  fused.chain = std::move(m.chain);
  fused.chain.input = m.x;
  fused.chain.output = g.nodes[m.nodes.back()].outputs[0];
  fused.last_node = *std::max_element(m.nodes.begin(), m.nodes.end());
  const auto& xr = readers(r, m.x);
  fused.input_consumable = !g.is_output(m.x) && std::all_of(xr.begin(), xr.end(), [&](std::size_t i) {
    return std::find(m.nodes.begin(), m.nodes.end(), i) != m.nodes.end();
  });
  plan.nodes[m.nodes[0]] = {NodeFusion::Role::chain_head, plan.chains.size()};
  for (std::size_t s = 1; s < m.nodes.size(); ++s) plan.nodes[m.nodes[s]] = {NodeFusion::Role::in_chain, plan.chains.size()};
  plan.chains.push_back(std::move(fused));
}

void plan_row_chains(const Graph& g, const Readers& r, FusionPlan& plan) {
  for (std::size_t head = 0; head < g.nodes.size(); ++head)
    for (const auto& pattern : patterns()) {
      if (plan.nodes[head].role != NodeFusion::Role::alone) break;
      Match m{g, {}, {}, {}, {}, {}};
      if (match_chain(pattern, head, r, plan, m)) record_chain(g, r, m, plan);
    }
}

}  // namespace

FusionPlan plan_fusions(const Graph& graph) {
  FusionPlan plan;
  plan.nodes.resize(graph.nodes.size());
  const Readers r = readers_of(graph);
  plan_conv_relus(graph, r, plan);
  plan_row_chains(graph, r, plan);
  return plan;
}

}  // namespace accsim
