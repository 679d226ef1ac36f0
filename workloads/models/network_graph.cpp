#include "workloads/models/network_graph.h"

#include <stdexcept>

#include "workloads/models/operators.h"
#include "workloads/models/relu_clip.h"

namespace accsim {

namespace {

using Ints = std::vector<long long>;

// Appends nodes one after another, each reading the value the previous one wrote (named
// after the node) and any parameters given.
struct ChainBuilder {
  Graph& g;
  std::string value;

  const std::vector<int>& shape() const { return g.shape_of(value); }

  void parameter(const std::string& name, Tensor t) {
    g.shapes[name] = t.shape();
    g.initializers[name] = std::move(t);
  }

  Node& add(const std::string& name, const std::string& op, std::vector<int> out_shape, std::vector<std::string> params = {}) {
    Node node;
    node.name = name;
    node.op = op;
    node.inputs = {value};
    node.inputs.insert(node.inputs.end(), params.begin(), params.end());
    node.outputs = {name};
    g.shapes[name] = std::move(out_shape);
    value = name;
    g.nodes.push_back(std::move(node));
    return g.nodes.back();
  }

  void flatten(const std::string& name) {
    const std::vector<int>& s = shape();
    int features = 1;
    for (std::size_t d = 1; d < s.size(); ++d) features *= s[d];
    add(name, "Flatten", {s[0], features}).attributes["axis"] = 1LL;
  }
};

void check_parameters(const Network& net, const NetworkParameters& params) {
  const NetworkParameters expected = init_parameters(net, 0);
  if (params.weights.size() != net.layers.size() || params.biases.size() != net.layers.size())
    throw std::invalid_argument("network_graph: " + net.name + " has " + std::to_string(net.layers.size()) +
                                " layers, the parameters " + std::to_string(params.weights.size()));
  for (std::size_t i = 0; i < net.layers.size(); ++i)
    if (params.weights[i].shape() != expected.weights[i].shape() || params.biases[i].shape() != expected.biases[i].shape())
      throw std::invalid_argument("network_graph: layer " + net.layers[i].name + " needs weights " +
                                  expected.weights[i].shape_string() + ", got " + params.weights[i].shape_string());
}

void add_conv(ChainBuilder& b, const LayerSpec& l, const Tensor& w, std::size_t index) {
  const std::vector<int>& in = b.shape();
  const int p = (in[2] + 2 * l.pad - l.kernel) / l.stride + 1, q = (in[3] + 2 * l.pad - l.kernel) / l.stride + 1;
  Node& conv = b.add(l.name, "Conv", {in[0], l.out_channels, p, q}, {l.name + ".weight", l.name + ".bias"});
  conv.attributes["kernel_shape"] = Ints{l.kernel, l.kernel};
  conv.attributes["strides"] = Ints{l.stride, l.stride};
  conv.attributes["pads"] = Ints{l.pad, l.pad, l.pad, l.pad};
  conv.attributes[kSwizzleSeedAttribute] = static_cast<long long>(index);
  b.parameter(l.name + ".weight", w);
}

void add_fc(ChainBuilder& b, const LayerSpec& l, const Tensor& w, std::size_t index) {
  if (b.shape().size() != 2) b.flatten(l.name + ".flatten");
  Node& gemm = b.add(l.name, "Gemm", {b.shape()[0], l.out_channels}, {l.name + ".weight", l.name + ".bias"});
  gemm.attributes["transB"] = 1LL;
  gemm.attributes[kSwizzleSeedAttribute] = static_cast<long long>(index);
  b.parameter(l.name + ".weight", w.reshaped({l.out_channels, l.in_channels}));
}

void add_layer(ChainBuilder& b, const LayerSpec& l, const NetworkParameters& params, std::size_t index) {
  if (l.kind == JobKind::forward_fc) add_fc(b, l, params.weights[index], index);
  else add_conv(b, l, params.weights[index], index);
  b.parameter(l.name + ".bias", params.biases[index]);
  if (l.relu) b.add(l.name + ".relu", "Relu", b.shape());
  if (l.pool > 1) {
    const std::vector<int> s = b.shape();
    Node& pool = b.add(l.name + ".pool", "MaxPool", {s[0], s[1], s[2] / l.pool, s[3] / l.pool});
    pool.attributes["kernel_shape"] = Ints{l.pool, l.pool};
    pool.attributes["strides"] = Ints{l.pool, l.pool};
  }
}

// Every node through the operator table's load-time checks, as an imported model's.
void check_nodes(const Graph& g) {
  check_topological(g);
  for (const Node& node : g.nodes) {
    const OperatorDef* def = find_operator(node.op);
    if (!def) throw std::logic_error("network_graph: no operator " + node.op);
    def->check(node, g);
  }
}

}  // namespace

Graph network_graph(const Network& net, const NetworkParameters& params, int batch) {
  if (batch < 1) throw std::invalid_argument("network_graph: batch must be >= 1");
  check_parameters(net, params);
  Graph g;
  g.name = net.name;
  g.inputs.push_back({"input", {batch, net.channels, net.height, net.width}});
  g.shapes["input"] = g.inputs[0].shape;
  ChainBuilder b{g, "input"};
  for (std::size_t i = 0; i < net.layers.size(); ++i) add_layer(b, net.layers[i], params, i);
  if (b.shape().size() != 2) b.flatten("flatten");
  // The last value is the graph's output, `logits`.
  Node& last = g.nodes.back();
  g.shapes["logits"] = g.shapes.at(last.outputs[0]);
  g.shapes.erase(last.outputs[0]);
  last.outputs[0] = "logits";
  g.outputs = {"logits"};
  set_relu_clips(g, net.clip);
  check_nodes(g);
  return g;
}

}  // namespace accsim
