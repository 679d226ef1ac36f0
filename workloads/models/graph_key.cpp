#include "workloads/models/graph_key.h"

#include <type_traits>

namespace accsim {

namespace {

void hash_ints(KeyHasher& h, const std::vector<int>& v) {
  h.u64(v.size());
  for (int x : v) h.i64(x);
}

void hash_int_tensor(KeyHasher& h, const IntTensor& t) {
  hash_ints(h, t.shape);
  h.u64(t.values.size());
  for (long long x : t.values) h.i64(x);
}

void hash_attribute(KeyHasher& h, const AttributeValue& value) {
  h.u64(value.index());
  std::visit(
      [&h](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, long long>) {
          h.i64(v);
        } else if constexpr (std::is_same_v<T, float>) {
          h.f64(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          h.str(v);
        } else if constexpr (std::is_same_v<T, Tensor>) {
          h.tensor(v);
        } else if constexpr (std::is_same_v<T, IntTensor>) {
          hash_int_tensor(h, v);
        } else {  // a list of ints or floats
          h.u64(v.size());
          for (const auto& x : v) h.f64(static_cast<double>(x));
        }
      },
      value);
}

void hash_node(KeyHasher& h, const Node& n) {
  h.str(n.name);
  h.str(n.op);
  for (const auto* names : {&n.inputs, &n.outputs}) {
    h.u64(names->size());
    for (const auto& s : *names) h.str(s);
  }
  h.u64(n.attributes.size());
  for (const auto& [key, value] : n.attributes) {
    h.str(key);
    hash_attribute(h, value);
  }
}

}  // namespace

void hash_graph(KeyHasher& h, const Graph& g) {
  h.i64(g.opset);
  h.u64(g.inputs.size());
  for (const GraphInput& in : g.inputs) {
    h.str(in.name);
    hash_ints(h, in.shape);
  }
  h.u64(g.outputs.size());
  for (const auto& out : g.outputs) h.str(out);
  h.u64(g.nodes.size());
  for (const Node& n : g.nodes) hash_node(h, n);
  h.u64(g.initializers.size());
  for (const auto& [name, t] : g.initializers) {
    h.str(name);
    h.i64(static_cast<long long>(g.constants.count(name)));
    h.tensor(t);
  }
  h.u64(g.int_constants.size());
  for (const auto& [name, t] : g.int_constants) {
    h.str(name);
    hash_int_tensor(h, t);
  }
}

}  // namespace accsim
