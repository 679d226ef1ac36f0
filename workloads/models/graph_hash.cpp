#include "workloads/models/graph_hash.h"

#include <type_traits>

namespace accsim {

namespace {

void ints(KeyHasher& h, const std::vector<int>& v) {
  h.u64(v.size());
  for (int x : v) h.i64(x);
}

void int_tensor(KeyHasher& h, const IntTensor& t) {
  ints(h, t.shape);
  h.u64(t.values.size());
  for (long long v : t.values) h.i64(v);
}

// Each alternative is tagged with its index, so that no two values hash the same bytes.
void attribute(KeyHasher& h, const AttributeValue& value) {
  h.u64(value.index());
  std::visit(
      [&h](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, long long>) h.i64(v);
        else if constexpr (std::is_same_v<T, float>) h.f64(v);
        else if constexpr (std::is_same_v<T, std::string>) h.str(v);
        else if constexpr (std::is_same_v<T, std::vector<long long>>) {
          h.u64(v.size());
          for (long long x : v) h.i64(x);
        } else if constexpr (std::is_same_v<T, std::vector<float>>) {
          h.u64(v.size());
          for (float x : v) h.f64(x);
        } else if constexpr (std::is_same_v<T, Tensor>) h.tensor(v);
        else int_tensor(h, v);
      },
      value);
}

void node(KeyHasher& h, const Node& n) {
  h.str(n.name);
  h.str(n.op);
  for (const auto* names : {&n.inputs, &n.outputs}) {
    h.u64(names->size());
    for (const auto& s : *names) h.str(s);
  }
  h.u64(n.attributes.size());
  for (const auto& [key, value] : n.attributes) {
    h.str(key);
    attribute(h, value);
  }
}

}  // namespace

void hash_graph(KeyHasher& h, const Graph& g) {
  h.str(g.name);
  h.i64(g.opset);
  h.u64(g.inputs.size());
  for (const GraphInput& in : g.inputs) {
    h.str(in.name);
    ints(h, in.shape);
  }
  h.u64(g.outputs.size());
  for (const auto& out : g.outputs) h.str(out);
  h.u64(g.nodes.size());
  for (const Node& n : g.nodes) node(h, n);
  h.u64(g.initializers.size());
  for (const auto& [name, t] : g.initializers) {
    h.str(name);
    h.tensor(t);
  }
  h.u64(g.int_constants.size());
  for (const auto& [name, t] : g.int_constants) {
    h.str(name);
    int_tensor(h, t);
  }
}

}  // namespace accsim
