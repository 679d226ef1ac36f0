#include "workloads/models/onnx_import.h"

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "arch/input_error.h"
#include "workloads/models/constant_folding.h"
#include "workloads/models/operators.h"

namespace accsim {

namespace {

// Opsets whose operator semantics the table follows (ONNX 1.12 knows up to 17).
constexpr long long kMinOpset = 11, kMaxOpset = 17;

struct Loader {
  std::string path;
  onnx::ModelProto model;
  int batch = 1;
  const IntInputShapes* int_shapes = nullptr;  // the int64 inputs the caller feeds; null: none
  ConstantValues known;
  std::set<std::string> parameters;  // fp32 initializers of the file

  [[noreturn]] void fail(const std::string& message) const { throw InputError(path + ": " + message); }
  [[noreturn]] void fail(const onnx::NodeProto& node, const std::string& name, const std::string& message) const {
    fail("node \"" + name + "\" (" + node.op_type() + "): " + message);
  }
};

std::vector<int> dims_of(const onnx::TensorProto& t) { return {t.dims().begin(), t.dims().end()}; }

long long count_of(const std::vector<int>& shape) {
  long long n = 1;
  for (int d : shape) n *= d;
  return n;
}

// A tensor's elements as doubles, whatever the storage (typed fields or raw bytes).
template <typename Raw, typename Field>
std::vector<double> elements(const onnx::TensorProto& t, const Field& field) {
  std::vector<double> out;
  if (!t.raw_data().empty()) {
    const std::string& raw = t.raw_data();
    if (raw.size() % sizeof(Raw)) throw std::invalid_argument("raw data size is not a multiple of the element size");
    out.resize(raw.size() / sizeof(Raw));
    for (std::size_t i = 0; i < out.size(); ++i) {
      Raw v;
      std::memcpy(&v, raw.data() + i * sizeof(Raw), sizeof(Raw));
      out[i] = static_cast<double>(v);
    }
    return out;
  }
  for (const auto& v : field) out.push_back(static_cast<double>(v));
  return out;
}

std::vector<double> tensor_values(const onnx::TensorProto& t) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw std::invalid_argument("external tensor data is not supported (save the model with its data inside)");
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT: return elements<float>(t, t.float_data());
    case onnx::TensorProto::DOUBLE: return elements<double>(t, t.double_data());
    case onnx::TensorProto::INT64: return elements<std::int64_t>(t, t.int64_data());
    case onnx::TensorProto::INT32: return elements<std::int32_t>(t, t.int32_data());
    case onnx::TensorProto::BOOL: return elements<std::uint8_t>(t, t.int32_data());
    default: throw std::invalid_argument("tensor element type " + std::to_string(t.data_type()) + " is not supported");
  }
}

bool is_float_type(int type) { return type == onnx::TensorProto::FLOAT || type == onnx::TensorProto::DOUBLE; }

// A TensorProto as an fp32 Tensor or an IntTensor, after checking its size.
AttributeValue convert_tensor(const onnx::TensorProto& t) {
  const std::vector<int> shape = dims_of(t);
  const std::vector<double> values = tensor_values(t);
  if (static_cast<long long>(values.size()) != count_of(shape))
    throw std::invalid_argument("tensor \"" + t.name() + "\" holds " + std::to_string(values.size()) +
                                " values for shape of " + std::to_string(count_of(shape)));
  if (is_float_type(t.data_type())) {
    Tensor out(shape);
    for (std::size_t i = 0; i < values.size(); ++i) out[i] = static_cast<float>(values[i]);
    return out;
  }
  IntTensor out{shape, {}};
  for (double v : values) out.values.push_back(static_cast<long long>(v));
  return out;
}

AttributeValue convert_attribute(const onnx::AttributeProto& a) {
  switch (a.type()) {
    case onnx::AttributeProto::INT: return static_cast<long long>(a.i());
    case onnx::AttributeProto::FLOAT: return a.f();
    case onnx::AttributeProto::STRING: return a.s();
    case onnx::AttributeProto::INTS: return std::vector<long long>(a.ints().begin(), a.ints().end());
    case onnx::AttributeProto::FLOATS: return std::vector<float>(a.floats().begin(), a.floats().end());
    case onnx::AttributeProto::TENSOR: return convert_tensor(a.t());
    default: throw std::invalid_argument("attribute \"" + a.name() + "\" has a type accsim does not support (graphs, sparse tensors, lists of strings)");
  }
}

Node convert_node(const onnx::NodeProto& p, const std::string& name) {
  Node node;
  node.name = name;
  node.op = p.op_type();
  node.inputs.assign(p.input().begin(), p.input().end());
  node.outputs.assign(p.output().begin(), p.output().end());
  for (const auto& a : p.attribute()) node.attributes[a.name()] = convert_attribute(a);
  return node;
}

std::string node_name(const onnx::NodeProto& p, int index) {
  return p.name().empty() ? p.op_type() + "_" + std::to_string(index) : p.name();
}

onnx::ModelProto read_model(const Loader& l) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(l.path, ec)) l.fail("not a regular file (an ONNX model is expected)");
  std::ifstream in(l.path, std::ios::binary);
  onnx::ModelProto model;
  if (!in || !model.ParseFromIstream(&in)) l.fail("not a valid ONNX model (truncated, or not an ONNX protobuf file)");
  if (model.graph().node_size() == 0) l.fail("the ONNX graph has no nodes");
  return model;
}

void check_opset(const Loader& l) {
  for (const auto& op : l.model.opset_import()) {
    if (!op.domain().empty() && op.domain() != "ai.onnx") l.fail("operator domain \"" + op.domain() + "\" is not supported (only the default ONNX domain)");
    if (op.version() < kMinOpset || op.version() > kMaxOpset)
      l.fail("opset " + std::to_string(op.version()) + " is outside the supported range [" + std::to_string(kMinOpset) +
             ", " + std::to_string(kMaxOpset) + "] (export with opset_version=14 or 17)");
  }
}

// An int64 input (Gather indices) at the full shape the caller gives: its fixed
// dimensions must agree, its dynamic ones (e.g. a bag's length) take the given sizes.
void fix_int_input_shape(const Loader& l, onnx::ValueInfoProto& in) {
  const std::string what = "graph input \"" + in.name() + "\" (int64)";
  if (!l.int_shapes) l.fail(what + ": integer inputs are accepted by accsim dlrm only (its bags); elsewhere only float32 inputs are supported");
  const auto it = l.int_shapes->find(in.name());
  if (it == l.int_shapes->end()) l.fail(what + " is not one of the integer inputs the command feeds");
  auto& tensor = *in.mutable_type()->mutable_tensor_type();
  const std::vector<int>& shape = it->second;
  if (!tensor.has_shape() || tensor.shape().dim_size() != static_cast<int>(shape.size()))
    l.fail(what + " has rank " + std::to_string(tensor.has_shape() ? tensor.shape().dim_size() : 0) + " where rank " +
           std::to_string(shape.size()) + " is fed");
  auto& dims = *tensor.mutable_shape()->mutable_dim();
  for (int i = 0; i < dims.size(); ++i) {
    auto& d = dims[i];
    if (d.has_dim_value() && d.dim_value() > 0 && d.dim_value() != shape[static_cast<std::size_t>(i)])
      l.fail(what + " has a fixed dimension " + std::to_string(i) + " of " + std::to_string(d.dim_value()) + " where " +
             std::to_string(shape[static_cast<std::size_t>(i)]) + " is fed");
    d.set_dim_value(shape[static_cast<std::size_t>(i)]);
  }
}

// Graph inputs: fp32, batch first (its size becomes `batch`), every other dimension fixed;
// int64 ones as fix_int_input_shape says.
void fix_input_shapes(Loader& l) {
  std::set<std::string> initializers;
  for (const auto& t : l.model.graph().initializer()) initializers.insert(t.name());
  for (auto& in : *l.model.mutable_graph()->mutable_input()) {
    if (initializers.count(in.name())) continue;
    auto& tensor = *in.mutable_type()->mutable_tensor_type();
    if (tensor.elem_type() == onnx::TensorProto::INT64) {
      fix_int_input_shape(l, in);
      continue;
    }
    if (tensor.elem_type() != onnx::TensorProto::FLOAT)
      l.fail("graph input \"" + in.name() + "\" is neither float32 nor int64 (float inputs, and int64 Gather indices for accsim dlrm, are supported)");
    if (!tensor.has_shape() || tensor.shape().dim_size() == 0)
      l.fail("graph input \"" + in.name() + "\" has no shape (a static shape with the batch first is required)");
    auto& dims = *tensor.mutable_shape()->mutable_dim();
    for (int i = 0; i < dims.size(); ++i) {
      auto& d = dims[i];
      const bool symbolic = d.has_dim_param() || !d.has_dim_value() || d.dim_value() <= 0;
      if (i == 0 && !symbolic && d.dim_value() != l.batch)
        l.fail("graph input \"" + in.name() + "\" has a fixed batch of " + std::to_string(d.dim_value()) +
               "; set workload.batch to " + std::to_string(d.dim_value()) + " or export with a dynamic batch axis");
      if (i > 0 && symbolic)
        l.fail("graph input \"" + in.name() + "\" has a dynamic dimension " + std::to_string(i) + " (\"" + d.dim_param() +
               "\"); only the batch (dimension 0) may be dynamic");
      if (i == 0) d.set_dim_value(l.batch);
    }
  }
}

// The model without float initializer data: shape inference needs only their dims.
onnx::ModelProto skeleton(const onnx::ModelProto& model) {
  onnx::ModelProto s = model;
  for (auto& t : *s.mutable_graph()->mutable_initializer())
    if (is_float_type(t.data_type())) t.clear_raw_data(), t.clear_float_data(), t.clear_double_data();
  return s;
}

int rank_in(const onnx::GraphProto& g, const std::string& value) {
  const auto rank_of = [](const onnx::ValueInfoProto& v) {
    return v.type().tensor_type().has_shape() ? v.type().tensor_type().shape().dim_size() : -1;
  };
  for (const auto& v : g.input()) if (v.name() == value) return rank_of(v);
  for (const auto& v : g.value_info()) if (v.name() == value) return rank_of(v);
  for (const auto& t : g.initializer()) if (t.name() == value) return t.dims_size();
  return -1;
}

// libonnx 1.12's Conv/pool shape inference crashes on an input of the wrong rank, so each
// such node's input rank is checked first, on shapes inferred for the nodes before it.
void check_window_input_ranks(const Loader& l) {
  const onnx::ModelProto base = skeleton(l.model);
  for (int i = 0; i < base.graph().node_size(); ++i) {
    const onnx::NodeProto& n = base.graph().node(i);
    if (n.op_type() != "Conv" && n.op_type() != "MaxPool" && n.op_type() != "AveragePool") continue;
    onnx::ModelProto prefix = base;
    auto& nodes = *prefix.mutable_graph()->mutable_node();
    nodes.DeleteSubrange(i, nodes.size() - i);
    prefix.mutable_graph()->clear_output();
    try {
      onnx::shape_inference::InferShapes(prefix, onnx::OpSchemaRegistry::Instance(), onnx::ShapeInferenceOptions(false, 0, false));
    } catch (const std::exception&) {
      continue;  // the full inference reports it
    }
    const int rank = rank_in(prefix.graph(), n.input(0));
    const int expected = n.op_type() == "Conv" ? rank_in(prefix.graph(), n.input(1)) : -1;
    if (rank >= 0 && rank != 4 && (expected < 0 || expected == 4))
      l.fail(n, node_name(n, i), "input \"" + n.input(0) + "\" has rank " + std::to_string(rank) +
                                      "; 2-D windows need [N, C, H, W] (rank 4)");
  }
}

void infer_shapes(Loader& l) {
  l.model.mutable_graph()->clear_value_info();
  try {
    onnx::shape_inference::InferShapes(l.model, onnx::OpSchemaRegistry::Instance(), onnx::ShapeInferenceOptions(false, 1, false));
  } catch (const std::exception& e) {
    l.fail(std::string("ONNX shape inference failed: ") + e.what());
  }
  l.known.shapes.clear();
  const auto add = [&](const onnx::ValueInfoProto& v) {
    if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
    std::vector<int> shape;
    for (const auto& d : v.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value() || d.dim_value() <= 0) return;  // not static (yet)
      shape.push_back(static_cast<int>(d.dim_value()));
    }
    l.known.shapes[v.name()] = shape;
  };
  for (const auto& v : l.model.graph().input()) add(v);
  for (const auto& v : l.model.graph().value_info()) add(v);
  for (const auto& v : l.model.graph().output()) add(v);
  for (const auto& t : l.model.graph().initializer()) l.known.shapes[t.name()] = dims_of(t);
}

onnx::TensorProto to_proto(const std::string& name, const FoldedOutput& f) {
  onnx::TensorProto t;
  t.set_name(name);
  if (f.ints) {
    t.set_data_type(onnx::TensorProto::INT64);
    for (int d : f.ints->shape) t.add_dims(d);
    for (long long v : f.ints->values) t.add_int64_data(v);
  } else {
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (int d : f.floats->shape()) t.add_dims(d);
    for (float v : f.floats->values()) t.add_float_data(v);
  }
  return t;
}

// Integer initializers (shapes, axes) are constants from the start.
void collect_initializers(Loader& l) {
  for (const auto& t : l.model.graph().initializer()) {
    AttributeValue v;
    try {
      v = convert_tensor(t);
    } catch (const std::invalid_argument& e) {
      l.fail("initializer \"" + t.name() + "\": " + e.what());
    }
    if (auto* ints = std::get_if<IntTensor>(&v)) l.known.ints[t.name()] = *ints;
    else l.parameters.insert(t.name());
  }
}

// One pass of folding; returns how many nodes were folded away.
int fold_pass(Loader& l) {
  auto& graph = *l.model.mutable_graph();
  std::vector<onnx::NodeProto> kept;
  int folded = 0;
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto& p = graph.node(i);
    std::optional<std::vector<FoldedOutput>> out;
    try {
      out = fold_node(convert_node(p, node_name(p, i)), l.known);
    } catch (const std::invalid_argument& e) {
      l.fail(p, node_name(p, i), e.what());
    }
    if (!out) {
      kept.push_back(p);
      continue;
    }
    ++folded;
    for (std::size_t o = 0; o < out->size() && o < static_cast<std::size_t>(p.output_size()); ++o) {
      const FoldedOutput& f = (*out)[o];
      if (f.ints) l.known.ints[p.output(o)] = *f.ints;
      else l.known.floats[p.output(o)] = *f.floats;
      *graph.add_initializer() = to_proto(p.output(o), f);
    }
  }
  graph.clear_node();
  for (auto& n : kept) *graph.add_node() = std::move(n);
  return folded;
}

void add_node(Loader& l, Graph& g, const onnx::NodeProto& p, int index) {
  const std::string name = node_name(p, index);
  if (!p.domain().empty() && p.domain() != "ai.onnx") l.fail(p, name, "operator domain \"" + p.domain() + "\" is not supported");
  const OperatorDef* def = find_operator(p.op_type());
  if (!def) l.fail(p, name, "operator " + p.op_type() + " is not supported; supported operators: " + supported_operator_list());
  Node node;
  try {
    node = convert_node(p, name);
  } catch (const std::invalid_argument& e) {
    l.fail(p, name, e.what());
  }
  for (const auto& out : node.outputs) {
    const auto it = l.known.shapes.find(out);
    if (it == l.known.shapes.end())
      l.fail(p, name, "output \"" + out + "\" has no static shape (dynamic shapes are not supported)");
    g.shapes[out] = it->second;
  }
  g.nodes.push_back(std::move(node));
  try {
    def->check(g.nodes.back(), g);
  } catch (const std::invalid_argument& e) {
    l.fail(p, name, e.what());
  }
}

// An int64 input's values change per run, so only Gather may read them, as its indices
// (anything else would need them at load time, or compute on them).
void check_int_input_readers(const Loader& l, const Graph& g, const onnx::NodeProto& p, int index) {
  for (int i = 0; i < p.input_size(); ++i)
    for (const GraphInput& in : g.int_inputs)
      if (p.input(i) == in.name && (p.op_type() != "Gather" || i != 1))
        l.fail(p, node_name(p, index), "reads the int64 input \"" + in.name + "\"; integer inputs may only be Gather's indices (input 1)");
}

Graph build_graph(Loader& l) {
  const auto& pg = l.model.graph();
  Graph g;
  g.name = std::filesystem::path(l.path).stem().string();  // exporters name graphs "torch_jit" and the like
  for (const auto& op : l.model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") g.opset = static_cast<int>(op.version());
  for (const auto& [name, t] : l.known.ints) g.int_constants[name] = t;
  for (const auto& t : pg.initializer()) {
    if (!l.parameters.count(t.name()) && !l.known.floats.count(t.name())) continue;
    g.initializers[t.name()] = std::get<Tensor>(convert_tensor(t));
    if (!l.parameters.count(t.name())) g.constants.insert(t.name());
    g.shapes[t.name()] = g.initializers[t.name()].shape();
  }
  for (const auto& in : pg.input()) {
    if (g.initializers.count(in.name()) || g.int_constants.count(in.name())) continue;
    const GraphInput input{in.name(), l.known.shapes.at(in.name())};
    if (in.type().tensor_type().elem_type() == onnx::TensorProto::INT64) {
      g.int_inputs.push_back(input);
      g.int_constants[in.name()] = IntTensor{input.shape, {}};  // unbound until bind_int_inputs
      continue;
    }
    g.inputs.push_back(input);
    g.shapes[in.name()] = g.inputs.back().shape;
  }
  if (g.inputs.size() != 1) l.fail("the graph has " + std::to_string(g.inputs.size()) + " float32 data inputs; exactly one is supported");
  for (int i = 0; i < pg.node_size(); ++i) {
    check_int_input_readers(l, g, pg.node(i), i);
    add_node(l, g, pg.node(i), i);
  }
  for (const auto& out : pg.output()) g.outputs.push_back(out.name());
  try {
    check_topological(g);
  } catch (const std::invalid_argument& e) {
    l.fail(e.what());
  }
  return g;
}

Graph load(const std::string& path, int batch, const IntInputShapes* int_inputs) {
  Loader l;
  l.path = path;
  l.batch = batch;
  l.int_shapes = int_inputs;
  l.model = read_model(l);
  check_opset(l);
  fix_input_shapes(l);
  collect_initializers(l);
  check_window_input_ranks(l);
  for (int pass = 0; pass < 64; ++pass) {
    infer_shapes(l);
    if (fold_pass(l) == 0) break;
  }
  return build_graph(l);
}

}  // namespace

Graph load_onnx_model(const std::string& path, int batch) { return load(path, batch, nullptr); }

Graph load_onnx_model(const std::string& path, int batch, const IntInputShapes& int_inputs) {
  return load(path, batch, &int_inputs);
}

std::vector<OnnxInput> onnx_model_inputs(const std::string& path) {
  Loader l;
  l.path = path;
  l.model = read_model(l);
  std::set<std::string> initializers;
  for (const auto& t : l.model.graph().initializer()) initializers.insert(t.name());
  std::vector<OnnxInput> out;
  for (const auto& in : l.model.graph().input()) {
    if (initializers.count(in.name())) continue;
    const int type = in.type().tensor_type().elem_type();
    out.push_back({in.name(), type == onnx::TensorProto::FLOAT ? "float32" : type == onnx::TensorProto::INT64 ? "int64" : "other"});
  }
  return out;
}

}  // namespace accsim
