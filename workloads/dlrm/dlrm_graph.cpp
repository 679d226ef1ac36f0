#include "workloads/dlrm/dlrm_graph.h"

#include <algorithm>
#include <stdexcept>

#include "workloads/models/operator_table.h"

namespace accsim {

namespace {

using Ints = std::vector<long long>;

struct GraphBuilder {
  Graph& g;

  void parameter(const std::string& name, Tensor t, bool constant = false) {
    g.shapes[name] = t.shape();
    g.initializers[name] = std::move(t);
    if (constant) g.constants.insert(name);
  }

  Node& add(const std::string& name, const std::string& op, std::vector<std::string> inputs, std::vector<int> out_shape) {
    Node node;
    node.name = name;
    node.op = op;
    node.inputs = std::move(inputs);
    node.outputs = {name};
    g.shapes[name] = std::move(out_shape);
    g.nodes.push_back(std::move(node));
    return g.nodes.back();
  }
};

// Gemm (+ Relu) per layer; returns the last value's name.
std::string add_mlp(GraphBuilder& b, const std::string& prefix, std::string x, const std::vector<Tensor>& weights,
                    const std::vector<Tensor>& biases, long long first_seed, bool relu_after_last) {
  const int n = b.g.shape_of(x)[0];
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const std::string name = prefix + std::to_string(i);
    const int k = weights[i].dim(0), c = weights[i].dim(1);
    b.parameter(name + ".weight", weights[i].reshaped({k, c}));
    b.parameter(name + ".bias", biases[i]);
    Node& gemm = b.add(name, "Gemm", {x, name + ".weight", name + ".bias"}, {n, k});
    gemm.attributes["transB"] = 1LL;
    gemm.attributes[kSwizzleSeedAttribute] = first_seed + static_cast<long long>(i);
    x = name;
    if (i + 1 < weights.size() || relu_after_last) x = b.add(name + ".relu", "Relu", {x}, {n, k}).outputs[0];
  }
  return x;
}

std::string add_table(GraphBuilder& b, const DlrmConfig& c, const DlrmBatch& batch, const Tensor& table, int t) {
  const std::string name = "embedding." + std::to_string(t), sparse = "sparse." + std::to_string(t);
  const int rows = table.dim(0), E = c.embedding_dim;
  b.parameter(name + ".weight", table);
  b.parameter(name + ".zero_row", Tensor({1, E}), true);
  b.g.int_constants[sparse] = dlrm_table_bags(c, batch, t);
  const std::vector<int> idx_shape = b.g.int_constants[sparse].shape;
  b.add(name + ".padded", "Concat", {name + ".weight", name + ".zero_row"}, {rows + 1, E}).attributes["axis"] = 0LL;
  b.add(name + ".lookup", "Gather", {name + ".padded", sparse}, {idx_shape[0], idx_shape[1], E}).attributes["axis"] = 0LL;
  b.add(name + ".pool", "ReduceSum", {name + ".lookup", "bag_axis"}, {idx_shape[0], E}).attributes["keepdims"] = 0LL;
  return name + ".pool";
}

// The MLP's layers have weights [out, in, 1, 1] and biases [out], in = the previous width.
bool mlp_fits(const std::vector<Tensor>& ws, const std::vector<Tensor>& bs, const std::vector<int>& widths, int in) {
  if (ws.size() != widths.size() || bs.size() != widths.size()) return false;
  for (std::size_t i = 0; i < widths.size(); in = widths[i++])
    if (ws[i].shape() != std::vector<int>{widths[i], in, 1, 1} || bs[i].shape() != std::vector<int>{widths[i]}) return false;
  return true;
}

void check_shapes(const DlrmConfig& c, const DlrmParameters& p, const DlrmBatch& batch) {
  bool ok = mlp_fits(p.bottom_weights, p.bottom_biases, c.bottom_mlp, c.dense_dim) &&
            mlp_fits(p.top_weights, p.top_biases, c.top_mlp, c.concat_dim()) &&
            p.tables.size() == static_cast<std::size_t>(c.tables);
  for (int t = 0; ok && t < c.tables; ++t)
    ok = p.tables[static_cast<std::size_t>(t)].shape() == std::vector<int>{c.table_rows(t), c.embedding_dim};
  if (!ok) throw std::invalid_argument("dlrm_graph: the parameters' shapes do not fit the model " + c.describe());
  if (batch.size() < 1 || batch.dense.rank() != 2 || batch.dense.dim(1) != c.dense_dim ||
      batch.sparse.size() != static_cast<std::size_t>(batch.size()))
    throw std::invalid_argument("dlrm_graph: a batch of dense " + batch.dense.shape_string() + " and " +
                                std::to_string(batch.sparse.size()) + " sparse rows does not fit dense_dim " +
                                std::to_string(c.dense_dim));
}

// Every node through the operator table's load-time checks, as an imported model's.
void check_nodes(const Graph& g) {
  check_topological(g);
  for (const Node& node : g.nodes) find_operator(node.op)->check(node, g);
}

}  // namespace

IntTensor dlrm_table_bags(const DlrmConfig& c, const DlrmBatch& batch, int t) {
  const int first = c.table_first(t), last = c.table_first(t + 1), rows = last - first, n = batch.size();
  std::vector<std::vector<long long>> bags(static_cast<std::size_t>(n));
  std::size_t longest = 1;
  for (int s = 0; s < n; ++s) {
    auto& bag = bags[static_cast<std::size_t>(s)];
    for (int f : batch.sparse[static_cast<std::size_t>(s)])
      if (f >= first && f < last) bag.push_back(f - first);
    longest = std::max(longest, bag.size());
  }
  IntTensor idx{{n, static_cast<int>(longest)}, {}};
  for (auto& bag : bags) {
    bag.resize(longest, rows);
    idx.values.insert(idx.values.end(), bag.begin(), bag.end());
  }
  return idx;
}

Graph dlrm_graph(const DlrmConfig& c, const DlrmParameters& p, const DlrmBatch& batch) {
  check_shapes(c, p, batch);
  Graph g;
  g.name = "dlrm";
  g.inputs.push_back({"dense", batch.dense.shape()});
  g.shapes["dense"] = batch.dense.shape();
  g.int_constants["bag_axis"] = IntTensor{{1}, {1}};
  GraphBuilder b{g};
  std::vector<std::string> features = {add_mlp(b, "mlp.bottom.", "dense", p.bottom_weights, p.bottom_biases, 0, true)};
  for (int t = 0; t < c.tables; ++t) features.push_back(add_table(b, c, batch, p.tables[static_cast<std::size_t>(t)], t));
  b.add("interaction", "Concat", features, {batch.size(), c.concat_dim()}).attributes["axis"] = 1LL;
  const std::string top = add_mlp(b, "mlp.top.", "interaction", p.top_weights, p.top_biases,
                                  static_cast<long long>(c.bottom_mlp.size()), false);
  b.add("output", "Sigmoid", {top}, {batch.size(), c.outputs()});
  g.outputs = {"output"};
  check_nodes(g);
  return g;
}

}  // namespace accsim
