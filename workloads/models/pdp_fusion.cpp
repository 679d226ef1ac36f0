#include "workloads/models/pdp_fusion.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "arch/number_format.h"
#include "kernels/pooling.h"
#include "workloads/models/operator_table.h"

namespace accsim {

namespace {

// Element-wise operations SDP performs on the way to PDP; Add and Mul only with a
// parameter or constant operand (bias, scale), not with another feature map.
bool sdp_operation(const Graph& g, const Node& n, const std::string& value) {
  static const std::set<std::string> unary{"BatchNormalization", "Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh"};
  if (unary.count(n.op)) return n.input(0) == value;
  if (n.op != "Add" && n.op != "Mul") return false;
  const std::string& other = n.input(0) == value ? n.input(1) : n.input(0);
  return other != value && g.is_initializer(other);
}

// The one node that reads `value`, or nullptr (none, several, or `value` a graph output).
const Node* only_consumer(const Graph& g, const std::string& value) {
  if (std::find(g.outputs.begin(), g.outputs.end(), value) != g.outputs.end()) return nullptr;
  const Node* found = nullptr;
  for (const Node& n : g.nodes)
    for (const std::string& in : n.inputs)
      if (in == value) {
        if (found) return nullptr;
        found = &n;
      }
  return found;
}

// The PDP window of a pooling node over a p x q map.
PdpWindow window_of(const Node& pool, int p, int q) {
  PdpWindow w;
  if (pool.op == "GlobalAveragePool") {
    w.kernel_h = p, w.kernel_w = q, w.out_h = w.out_w = 1;
    return w;
  }
  const PoolWindow pw = pool_window(pool);
  if (pw.kernel.size() != 2) return w;
  const std::vector<int> out = pool_output_shape({1, 1, p, q}, pw);
  w.kernel_h = (pw.kernel[0] - 1) * pw.dilations[0] + 1, w.kernel_w = (pw.kernel[1] - 1) * pw.dilations[1] + 1;
  w.stride_h = pw.strides[0], w.stride_w = pw.strides[1];
  w.pad_top = pw.pads[0], w.pad_left = pw.pads[1];
  w.out_h = out[2], w.out_w = out[3];
  return w;
}

// Attribute values equal bit for bit (floats by their bits); tensor-valued ones never
// compare equal (a pooling node has none: its answer is then recomputed).
bool same_value(const AttributeValue& a, const AttributeValue& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, float>) return float_bits(x) == float_bits(y);
        else if constexpr (std::is_same_v<T, std::vector<float>>)
          return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(),
                                                    [](float u, float v) { return float_bits(u) == float_bits(v); });
        else if constexpr (std::is_same_v<T, Tensor> || std::is_same_v<T, IntTensor>) return false;
        else return x == y;
      },
      a);
}

bool same_attributes(const std::map<std::string, AttributeValue>& a, const std::map<std::string, AttributeValue>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
           return x.first == y.first && same_value(x.second, y.second);
         });
}

// window_of parses the pooling node's attributes (about 4 k instructions), and a PVF or
// campaign rerun asks for the same node's window once per experiment: each thread keeps
// its last answers by node, reused only while the node's op and attributes and the map
// size are those the answer came from (window_of reads nothing else).
PdpWindow remembered_window(const Node& pool, int p, int q) {
  struct Answer {
    const Node* node;
    std::string op;
    std::map<std::string, AttributeValue> attributes;
    int p, q;
    PdpWindow window;
  };
  constexpr std::size_t kKept = 16;
  thread_local std::vector<Answer> answers;
  for (const Answer& a : answers)
    if (a.node == &pool && a.p == p && a.q == q && a.op == pool.op && same_attributes(a.attributes, pool.attributes))
      return a.window;
  Answer fresh{&pool, pool.op, pool.attributes, p, q, window_of(pool, p, q)};
  if (answers.size() == kKept) answers.erase(answers.begin());
  answers.push_back(std::move(fresh));
  return answers.back().window;
}

}  // namespace

PdpWindow fused_pool(const Graph& g, const Node& conv) {
  const std::vector<int>& y = g.shape_of(conv.outputs.at(0));
  if (y.size() != 4) return {};
  std::string value = conv.outputs[0];
  for (const Node* n = only_consumer(g, value); n; n = only_consumer(g, value)) {
    if (n->op == "MaxPool" || n->op == "AveragePool" || n->op == "GlobalAveragePool") {
      const PdpWindow w = remembered_window(*n, y[2], y[3]);
      try {
        validate_pdp_window(w, y[2], y[3]);
        return w;
      } catch (const std::invalid_argument&) {
        return {};  // a window PDP cannot take on the fly (pads past the kernel): pooled off-line
      }
    }
    if (!sdp_operation(g, *n, value) || n->outputs.empty()) return {};
    value = n->outputs[0];
  }
  return {};
}

}  // namespace accsim
