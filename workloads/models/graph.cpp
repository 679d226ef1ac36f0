#include "workloads/models/graph.h"

#include <set>
#include <stdexcept>

namespace accsim {

namespace {

template <typename T>
const T* typed(const Node& node, const std::string& key) {
  const auto it = node.attributes.find(key);
  if (it == node.attributes.end()) return nullptr;
  if (const T* v = std::get_if<T>(&it->second)) return v;
  throw std::invalid_argument("node " + node.name + " (" + node.op + "): attribute " + key + " has the wrong type");
}

}  // namespace

long long Node::get_int(const std::string& key, long long fallback) const {
  const long long* v = typed<long long>(*this, key);
  return v ? *v : fallback;
}

float Node::get_float(const std::string& key, float fallback) const {
  const float* v = typed<float>(*this, key);
  return v ? *v : fallback;
}

std::string Node::get_string(const std::string& key, const std::string& fallback) const {
  const std::string* v = typed<std::string>(*this, key);
  return v ? *v : fallback;
}

std::vector<long long> Node::get_ints(const std::string& key, const std::vector<long long>& fallback) const {
  const std::vector<long long>* v = typed<std::vector<long long>>(*this, key);
  return v ? *v : fallback;
}

const std::string& Node::input(std::size_t i) const {
  static const std::string none;
  return i < inputs.size() ? inputs[i] : none;
}

const std::vector<int>& Graph::shape_of(const std::string& value) const {
  const auto it = shapes.find(value);
  if (it == shapes.end()) throw std::out_of_range("graph " + name + ": no shape for value \"" + value + "\"");
  return it->second;
}

const std::string& Graph::node_output(const std::string& node) const {
  for (const Node& n : nodes)
    if (n.name == node) return n.outputs.at(0);
  throw std::out_of_range("graph " + name + ": no node \"" + node + "\"");
}

std::string hdf5_group_name(const std::string& name) {
  std::string s = name;
  for (char& c : s)
    if (c == '/') c = '.';
  return s.empty() || s[0] != '.' ? s : s.substr(1);
}

void check_topological(const Graph& graph) {
  std::set<std::string> known;
  for (const auto& in : graph.inputs) known.insert(in.name);
  for (const auto& in : graph.int_inputs) known.insert(in.name);
  for (const auto& [name, t] : graph.initializers) known.insert(name);
  for (const auto& [name, t] : graph.int_constants) known.insert(name);
  std::set<std::string> node_names;
  for (const Node& node : graph.nodes) {
    if (!node_names.insert(node.name).second)
      throw std::invalid_argument("graph " + graph.name + ": two nodes are named \"" + node.name + "\"");
    for (const auto& in : node.inputs)
      if (!in.empty() && !known.count(in))
        throw std::invalid_argument("node " + node.name + " (" + node.op + ") reads \"" + in +
                                    "\" before any node produces it");
    for (const auto& out : node.outputs)
      if (!known.insert(out).second)
        throw std::invalid_argument("node " + node.name + " (" + node.op + ") writes \"" + out +
                                    "\", which is already defined");
  }
  for (const auto& out : graph.outputs)
    if (!known.count(out)) throw std::invalid_argument("graph " + graph.name + ": output \"" + out + "\" is never produced");
}

}  // namespace accsim
