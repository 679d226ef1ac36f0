#include "workloads/models/constant_folding.h"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace accsim {

namespace {

using Outputs = std::vector<FoldedOutput>;
using Folder = std::function<std::optional<Outputs>(const Node&, const ConstantValues&)>;

long long element_count(const std::vector<int>& shape) {
  long long n = 1;
  for (int d : shape) n *= d;
  return n;
}

IntTensor vector_of(std::vector<long long> values) {
  return IntTensor{{static_cast<int>(values.size())}, std::move(values)};
}

const IntTensor* int_input(const Node& node, const ConstantValues& known, std::size_t i) {
  const auto it = known.ints.find(node.input(i));
  return it == known.ints.end() ? nullptr : &it->second;
}

bool all_int_inputs(const Node& node, const ConstantValues& known) {
  for (const auto& in : node.inputs)
    if (!in.empty() && !known.ints.count(in)) return false;
  return !node.inputs.empty();
}

Outputs one(IntTensor t) { return {FoldedOutput{std::move(t), std::nullopt}}; }

int normalised_axis(long long axis, int rank, const Node& node) {
  if (axis < -rank || axis >= rank) throw std::invalid_argument(node.op + ": axis " + std::to_string(axis) + " out of range");
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// Element-wise integer arithmetic with numpy broadcasting of scalars and equal shapes.
std::optional<Outputs> fold_binary(const Node& node, const ConstantValues& known,
                                   const std::function<long long(long long, long long)>& f) {
  if (!all_int_inputs(node, known) || node.inputs.size() != 2) return std::nullopt;
  const IntTensor& a = *int_input(node, known, 0);
  const IntTensor& b = *int_input(node, known, 1);
  const IntTensor& big = a.values.size() >= b.values.size() ? a : b;
  if (a.values.size() != b.values.size() && std::min(a.values.size(), b.values.size()) != 1)
    throw std::invalid_argument(node.op + ": integer operands of shapes that do not broadcast");
  IntTensor out{big.shape, {}};
  for (std::size_t i = 0; i < big.values.size(); ++i)
    out.values.push_back(f(a.values[a.values.size() == 1 ? 0 : i], b.values[b.values.size() == 1 ? 0 : i]));
  return one(std::move(out));
}

std::optional<Outputs> fold_constant(const Node& node, const ConstantValues&) {
  const auto it = node.attributes.find("value");
  if (it != node.attributes.end()) {
    if (const auto* t = std::get_if<Tensor>(&it->second)) return Outputs{FoldedOutput{std::nullopt, *t}};
    if (const auto* t = std::get_if<IntTensor>(&it->second)) return one(*t);
  }
  if (node.has("value_int")) return one(IntTensor{{}, {node.get_int("value_int", 0)}});
  if (node.has("value_ints")) return one(vector_of(node.get_ints("value_ints", {})));
  if (node.has("value_float")) return Outputs{FoldedOutput{std::nullopt, Tensor({}, node.get_float("value_float", 0))}};
  throw std::invalid_argument("Constant: only value, value_int(s) and value_float are supported");
}

std::optional<Outputs> fold_shape(const Node& node, const ConstantValues& known) {
  const auto it = known.shapes.find(node.input(0));
  if (it == known.shapes.end()) return std::nullopt;
  const int rank = static_cast<int>(it->second.size());
  long long start = node.get_int("start", 0), end = node.get_int("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<long long>(start, 0, rank), end = std::clamp<long long>(end, 0, rank);
  std::vector<long long> dims;
  for (long long i = start; i < end; ++i) dims.push_back(it->second[i]);
  return one(vector_of(std::move(dims)));
}

std::optional<Outputs> fold_gather(const Node& node, const ConstantValues& known) {
  if (!all_int_inputs(node, known)) return std::nullopt;
  const IntTensor& data = *int_input(node, known, 0);
  const IntTensor& idx = *int_input(node, known, 1);
  if (data.shape.size() != 1) throw std::invalid_argument("Gather: integer data of rank != 1");
  const int n = data.shape[0];
  IntTensor out{idx.shape, {}};
  for (long long i : idx.values) {
    if (i < -n || i >= n) throw std::invalid_argument("Gather: index out of range");
    out.values.push_back(data.values[i < 0 ? i + n : i]);
  }
  return one(std::move(out));
}

std::vector<long long> axes_of(const Node& node, const ConstantValues& known) {
  if (const IntTensor* a = int_input(node, known, 1)) return a->values;
  return node.get_ints("axes", {});
}

std::optional<Outputs> fold_unsqueeze(const Node& node, const ConstantValues& known) {
  if (!all_int_inputs(node, known)) return std::nullopt;
  IntTensor out = *int_input(node, known, 0);
  const int rank = static_cast<int>(out.shape.size() + axes_of(node, known).size());
  std::vector<int> axes;
  for (long long a : axes_of(node, known)) axes.push_back(normalised_axis(a, rank, node));
  std::sort(axes.begin(), axes.end());
  for (int a : axes) out.shape.insert(out.shape.begin() + a, 1);
  return one(std::move(out));
}

std::optional<Outputs> fold_squeeze(const Node& node, const ConstantValues& known) {
  if (!all_int_inputs(node, known)) return std::nullopt;
  IntTensor out = *int_input(node, known, 0);
  std::vector<int> shape;
  for (int d : out.shape)
    if (d != 1) shape.push_back(d);
  out.shape = shape;
  return one(std::move(out));
}

std::optional<Outputs> fold_concat(const Node& node, const ConstantValues& known) {
  if (!all_int_inputs(node, known)) return std::nullopt;
  std::vector<long long> all;
  for (std::size_t i = 0; i < node.inputs.size(); ++i) {
    const IntTensor& t = *int_input(node, known, i);
    if (t.shape.size() > 1) throw std::invalid_argument("Concat: integer constants of rank > 1");
    all.insert(all.end(), t.values.begin(), t.values.end());
  }
  return one(vector_of(std::move(all)));
}

std::optional<Outputs> fold_slice(const Node& node, const ConstantValues& known) {
  if (!all_int_inputs(node, known)) return std::nullopt;
  const IntTensor& data = *int_input(node, known, 0);
  if (data.shape.size() != 1) throw std::invalid_argument("Slice: integer data of rank != 1");
  const long long n = data.shape[0];
  long long start = int_input(node, known, 1)->values.at(0), end = int_input(node, known, 2)->values.at(0);
  const IntTensor* steps = int_input(node, known, 4);
  const long long step = steps ? steps->values.at(0) : 1;
  if (step != 1) throw std::invalid_argument("Slice: integer constants with step != 1");
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp(start, 0LL, n), end = std::clamp(end, 0LL, n);
  std::vector<long long> out;
  for (long long i = start; i < end; ++i) out.push_back(data.values[i]);
  return one(vector_of(std::move(out)));
}

std::optional<Outputs> fold_cast(const Node& node, const ConstantValues& known) {
  if (!all_int_inputs(node, known)) return std::nullopt;
  const IntTensor& t = *int_input(node, known, 0);
  if (node.get_int("to", 7) != 1) return one(t);  // to an integer or boolean type
  Tensor f(t.shape);
  for (std::size_t i = 0; i < t.values.size(); ++i) f[i] = static_cast<float>(t.values[i]);
  return Outputs{FoldedOutput{std::nullopt, f}};
}

std::optional<Outputs> fold_constant_of_shape(const Node& node, const ConstantValues& known) {
  if (!all_int_inputs(node, known)) return std::nullopt;
  std::vector<int> shape;
  for (long long d : int_input(node, known, 0)->values) shape.push_back(static_cast<int>(d));
  const auto it = node.attributes.find("value");
  if (it != node.attributes.end())
    if (const auto* t = std::get_if<Tensor>(&it->second))
      return Outputs{FoldedOutput{std::nullopt, Tensor(shape, t->size() ? (*t)[0] : 0.0f)}};
  const IntTensor* v = it == node.attributes.end() ? nullptr : std::get_if<IntTensor>(&it->second);
  if (!v && it != node.attributes.end()) return std::nullopt;
  return one(IntTensor{shape, std::vector<long long>(element_count(shape), v && !v->values.empty() ? v->values[0] : 0)});
}

std::optional<Outputs> fold_where(const Node& node, const ConstantValues& known) {
  if (!all_int_inputs(node, known)) return std::nullopt;
  const IntTensor& c = *int_input(node, known, 0);
  const IntTensor& x = *int_input(node, known, 1);
  const IntTensor& y = *int_input(node, known, 2);
  const std::size_t n = std::max({c.values.size(), x.values.size(), y.values.size()});
  const auto at = [&](const IntTensor& t, std::size_t i) { return t.values[t.values.size() == 1 ? 0 : i]; };
  IntTensor out{c.values.size() == n ? c.shape : x.values.size() == n ? x.shape : y.shape, {}};
  for (std::size_t i = 0; i < n; ++i) out.values.push_back(at(c, i) ? at(x, i) : at(y, i));
  return one(std::move(out));
}

std::optional<Outputs> fold_reshape(const Node& node, const ConstantValues& known) {
  if (!all_int_inputs(node, known)) return std::nullopt;
  IntTensor out = *int_input(node, known, 0);
  std::vector<int> shape;
  for (long long d : int_input(node, known, 1)->values) shape.push_back(d == -1 ? static_cast<int>(out.values.size()) : static_cast<int>(d));
  out.shape = shape;
  return one(std::move(out));
}

std::optional<Outputs> fold_range(const Node& node, const ConstantValues& known) {
  if (!all_int_inputs(node, known)) return std::nullopt;
  const long long start = int_input(node, known, 0)->values.at(0), limit = int_input(node, known, 1)->values.at(0);
  const long long delta = int_input(node, known, 2)->values.at(0);
  if (delta == 0) throw std::invalid_argument("Range: delta 0");
  std::vector<long long> out;
  for (long long v = start; delta > 0 ? v < limit : v > limit; v += delta) out.push_back(v);
  return one(vector_of(std::move(out)));
}

long long checked_div(long long a, long long b) {
  if (b == 0) throw std::invalid_argument("Div: integer division by zero");
  return a / b;
}

const std::map<std::string, Folder>& folders() {
  static const std::map<std::string, Folder> table = {
      {"Constant", fold_constant},
      {"Shape", fold_shape},
      {"Gather", fold_gather},
      {"Unsqueeze", fold_unsqueeze},
      {"Squeeze", fold_squeeze},
      {"Concat", fold_concat},
      {"Slice", fold_slice},
      {"Cast", fold_cast},
      {"ConstantOfShape", fold_constant_of_shape},
      {"Where", fold_where},
      {"Reshape", fold_reshape},
      {"Range", fold_range},
      {"Identity", [](const Node& n, const ConstantValues& k) { return all_int_inputs(n, k) ? std::optional<Outputs>(one(*int_input(n, k, 0))) : std::nullopt; }},
      {"Add", [](const Node& n, const ConstantValues& k) { return fold_binary(n, k, std::plus<long long>()); }},
      {"Sub", [](const Node& n, const ConstantValues& k) { return fold_binary(n, k, std::minus<long long>()); }},
      {"Mul", [](const Node& n, const ConstantValues& k) { return fold_binary(n, k, std::multiplies<long long>()); }},
      {"Div", [](const Node& n, const ConstantValues& k) { return fold_binary(n, k, checked_div); }},
      {"Equal", [](const Node& n, const ConstantValues& k) { return fold_binary(n, k, [](long long a, long long b) { return static_cast<long long>(a == b); }); }},
  };
  return table;
}

}  // namespace

std::optional<std::vector<FoldedOutput>> fold_node(const Node& node, const ConstantValues& known) {
  const auto it = folders().find(node.op);
  if (it == folders().end()) return std::nullopt;
  return it->second(node, known);
}

}  // namespace accsim
