// Graph models on both engines: seeded random-shape graphs, written as ONNX and imported
// as any model is, run on the fast engine and on the cycle-level SystemC model with
// random hardware faults of every site and kind, on every swizzle policy and number
// format: every array job's output bits, cycles and start cycle, and the graph's
// outputs, are identical. The graphs cover what docs/mapping.md lowers to jobs: grouped,
// depthwise, dilated, strided and asymmetrically padded convolutions at batch > 1; Gemm
// with every transA/transB, with a weight and with two activations; batched MatMul as
// attention's Q.K^T and A.V, rank 3 and 4, broadcast over heads or over the batch.
// (The SystemC model is elaborated once per process, sim/conv_core's instance(); every
// cycle engine made here shares it.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <set>
#include <sstream>

#include "arch/hardware_fault.h"
#include "arch/pe_faults.h"
#include "test_util.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/models/onnx_import.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::OnnxBuilder;

// An ONNX model under construction with the features it exercises.
class RandomModel {
 public:
  explicit RandomModel(Rng& rng) : rng_(rng) {}
  int pick(int lo, int hi) { return lo + static_cast<int>(rng_.below(static_cast<std::uint64_t>(hi - lo + 1))); }
  bool coin() { return rng_.below(2) == 0; }
  // A parameter initializer of uniform [-1, 1) values; returns its name.
  std::string weight(const std::string& name, const std::vector<int>& dims) {
    std::size_t n = 1;
    for (int d : dims) n *= static_cast<std::size_t>(d);
    std::vector<float> v(n);
    for (auto& x : v) x = rng_.uniform(-1.0f, 1.0f);
    builder.floats(name, dims, v);
    return name;
  }
  std::string transpose(const std::string& in, const std::vector<long long>& perm) {
    const std::string out = in + "_t" + std::to_string(++count_);
    OnnxBuilder::ints_attribute(builder.node("Transpose", {in}, {out}, out), "perm", perm);
    return out;
  }
  std::string reshape(const std::string& in, const std::vector<long long>& shape) {
    const std::string out = in + "_r" + std::to_string(++count_);
    builder.ints(out + ".shape", shape);
    builder.node("Reshape", {in, out + ".shape"}, {out}, out);
    return out;
  }
  std::string matmul(const std::string& a, const std::string& b, const std::string& out) {
    builder.node("MatMul", {a, b}, {out}, out);
    return out;
  }
  // Saves the model and imports it at `batch`, as workload.model would.
  Graph load(int batch) const {
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("accsim_graph_equivalence_" + std::to_string(::getpid()) + ".onnx")).string();
    builder.save(path);
    Graph g = load_onnx_model(path, batch);
    std::filesystem::remove(path);
    return g;
  }

  OnnxBuilder builder;
  std::set<std::string> features;

 private:
  Rng& rng_;
  int count_ = 0;
};

// ---- Conv: two random convolutions with a ReLU between them -----------------------

struct ConvSpec {
  int k = 1, group = 1, r = 1, s = 1, stride = 1, dilation = 1;
  std::array<int, 4> pads{0, 0, 0, 0};  // top, left, bottom, right
};

// Output size along one axis, or < 1 when the kernel does not fit.
int conv_out(int size, int kernel, int before, int after, int stride, int dilation) {
  const int extent = (kernel - 1) * dilation + 1;
  return size + before + after < extent ? 0 : (size + before + after - extent) / stride + 1;
}

// Groups: plain, depthwise (with a channel multiplier of 1 or 2) or a proper divisor of c.
void draw_groups(RandomModel& m, ConvSpec& spec, int c) {
  std::vector<int> divisors;
  for (int g = 2; g < c; ++g)
    if (c % g == 0) divisors.push_back(g);
  const int mode = m.pick(0, 2);
  if (mode == 1 && c > 1) {
    spec.group = c, spec.k = c * m.pick(1, 2);
    m.features.insert("depthwise conv");
  } else if (mode == 2 && !divisors.empty()) {
    spec.group = divisors[static_cast<std::size_t>(m.pick(0, static_cast<int>(divisors.size()) - 1))];
    spec.k = spec.group * m.pick(1, 3);
    m.features.insert("grouped conv");
  } else {
    spec.k = m.pick(1, 12);
  }
}

ConvSpec draw_conv(RandomModel& m, int c, int h, int w) {
  for (;;) {
    ConvSpec spec;
    draw_groups(m, spec, c);
    spec.r = m.pick(1, 3), spec.s = m.pick(1, 3);
    const int mode = m.pick(0, 2);  // plain, strided, dilated (the array runner's dilation needs stride 1)
    if (mode == 1) spec.stride = 2;
    if (mode == 2) spec.dilation = m.pick(2, 3);
    for (int i = 0; i < 4; ++i) spec.pads[i] = m.pick(0, ((i % 2 ? spec.s : spec.r) - 1) * spec.dilation);
    if (conv_out(h, spec.r, spec.pads[0], spec.pads[2], spec.stride, spec.dilation) >= 1 &&
        conv_out(w, spec.s, spec.pads[1], spec.pads[3], spec.stride, spec.dilation) >= 1)
      return spec;
  }
}

// Adds a random Conv on `in` [n, c, h, w]; updates c, h, w to its output's.
std::string add_conv(RandomModel& m, const std::string& in, int& c, int& h, int& w, const std::string& name) {
  const ConvSpec spec = draw_conv(m, c, h, w);
  std::vector<std::string> inputs = {in, m.weight(name + ".weight", {spec.k, c / spec.group, spec.r, spec.s})};
  if (m.coin()) inputs.push_back(m.weight(name + ".bias", {spec.k}));
  auto& node = m.builder.node("Conv", inputs, {name}, name);
  OnnxBuilder::int_attribute(node, "group", spec.group);
  OnnxBuilder::ints_attribute(node, "strides", {spec.stride, spec.stride});
  OnnxBuilder::ints_attribute(node, "dilations", {spec.dilation, spec.dilation});
  const auto& p = spec.pads;
  OnnxBuilder::ints_attribute(node, "pads", {p[0], p[1], p[2], p[3]});
  if (spec.stride > 1) m.features.insert("strided conv");
  if (spec.dilation > 1) m.features.insert("dilated conv");
  if (p[0] != p[2] || p[1] != p[3]) m.features.insert("asymmetric pads");
  h = conv_out(h, spec.r, p[0], p[2], spec.stride, spec.dilation);
  w = conv_out(w, spec.s, p[1], p[3], spec.stride, spec.dilation);
  c = spec.k;
  return name;
}

Graph conv_model(Rng& rng, std::set<std::string>& features) {
  RandomModel m(rng);
  int c = m.pick(1, 12), h = m.pick(3, 8), w = m.pick(3, 8);
  const int batch = m.pick(1, 3);
  m.builder.input("x", {0, c, h, w});
  const std::string first = add_conv(m, "x", c, h, w, "conv1");
  m.builder.node("Relu", {first}, {"relu1"}, "relu1");
  m.builder.output(add_conv(m, "relu1", c, h, w, "conv2"));
  if (batch > 1) m.features.insert("conv batch > 1");
  features.insert(m.features.begin(), m.features.end());
  return m.load(batch);
}

// ---- Gemm: a weight, then two activations, each with a random transA/transB --------

Graph gemm_model(Rng& rng, std::set<std::string>& features) {
  RandomModel m(rng);
  const int batch = m.pick(1, 4), k = m.pick(1, 20), n = m.pick(1, 12);
  m.builder.input("x", {0, k}).output("y2");
  const bool ta1 = m.coin(), tb1 = m.coin(), ta2 = m.coin(), tb2 = m.coin();
  // y1 = op(A) op(B) + bias: A = x or x^T so that op(A) is x [batch, k].
  std::vector<std::string> in1 = {ta1 ? m.transpose("x", {1, 0}) : "x", m.weight("fc.weight", tb1 ? std::vector<int>{n, k} : std::vector<int>{k, n})};
  if (m.coin()) in1.push_back(m.weight("fc.bias", {n}));
  auto& g1 = m.builder.node("Gemm", in1, {"y1"}, "gemm1");
  OnnxBuilder::int_attribute(g1, "transA", ta1);
  OnnxBuilder::int_attribute(g1, "transB", tb1);
  // y2 = y1 y1^T [batch, batch], both operands activations.
  auto& g2 = m.builder.node("Gemm", {ta2 ? m.transpose("y1", {1, 0}) : "y1", tb2 ? "y1" : m.transpose("y1", {1, 0})}, {"y2"}, "gemm2");
  OnnxBuilder::int_attribute(g2, "transA", ta2);
  OnnxBuilder::int_attribute(g2, "transB", tb2);
  for (const auto& [a, b] : {std::pair{ta1, tb1}, std::pair{ta2, tb2}})
    features.insert("gemm transA=" + std::to_string(a) + " transB=" + std::to_string(b));
  features.insert("gemm of two activations");
  return m.load(batch);
}

// ---- MatMul: one attention block with a random A.V form ----------------------------

struct AttentionShape {
  int t, heads, dh, d;
};

// [B, T, D] -> [B, H, T, dh] (perm {0, 2, 1, 3}) or its transpose [B, H, dh, T] ({0, 2, 3, 1}).
std::string split_heads(RandomModel& m, const std::string& in, const AttentionShape& a, const std::vector<long long>& perm) {
  return m.transpose(m.reshape(in, {-1, a.t, a.heads, a.dh}), perm);
}

// A.V in one of three forms; returns [B, H, T, dh].
std::string attend(RandomModel& m, const std::string& x, const std::string& p, const AttentionShape& a) {
  switch (m.pick(0, 2)) {
    case 0:  // per head: V [B, H, T, dh]
      m.features.insert("A.V per head (rank 4)");
      return m.matmul(p, split_heads(m, m.matmul(x, m.weight("wv", {a.d, a.d}), "v"), a, {0, 2, 1, 3}), "av");
    case 1: {  // one V shared by the heads: [B, 1, T, dh] broadcast over H
      m.builder.ints("axis1", {1});
      m.builder.node("Unsqueeze", {m.matmul(x, m.weight("wv", {a.d, a.dh}), "v"), "axis1"}, {"v1"}, "unsqueeze");
      m.features.insert("A.V broadcast over heads (rank 4 x rank 4)");
      return m.matmul(p, "v1", "av");
    }
    default:  // a rank-3 parameter [H, T, dh] broadcast over the batch
      m.features.insert("A.V broadcast over the batch (rank 4 x rank 3)");
      return m.matmul(p, m.weight("wv", {a.heads, a.t, a.dh}), "av");
  }
}

Graph attention_model(Rng& rng, std::set<std::string>& features) {
  RandomModel m(rng);
  const int batch = m.pick(1, 3);
  AttentionShape a{m.pick(1, 6), m.pick(1, 3), m.pick(1, 4), 0};
  a.d = a.heads * a.dh;
  m.builder.input("x", {0, a.t, a.d}).output("y");
  const std::string q = split_heads(m, m.matmul("x", m.weight("wq", {a.d, a.d}), "q"), a, {0, 2, 1, 3});
  const std::string kt = split_heads(m, m.matmul("x", m.weight("wk", {a.d, a.d}), "k"), a, {0, 2, 3, 1});
  m.builder.node("Softmax", {m.matmul(q, kt, "scores")}, {"p"}, "softmax");
  const std::string av = attend(m, "x", "p", a);
  const std::string merged = m.reshape(m.transpose(av, {0, 2, 1, 3}), {-1, a.t, a.d});
  m.matmul(merged, m.weight("wo", {a.d, a.d}), "y");
  if (m.coin()) {  // the Gram matrix x x^T [B, T, T]: rank 3, both operands activations
    m.builder.output(m.matmul("x", m.transpose("x", {0, 2, 1}), "gram"));
    m.features.insert("rank 3 x rank 3 activations");
  }
  features.insert(m.features.begin(), m.features.end());
  features.insert("Q.K^T (rank 4 activations)");
  if (batch > 1) features.insert("attention batch > 1");
  return m.load(batch);
}

// ---- Arrays and faults -------------------------------------------------------------

ArrayConfig random_array(Rng& rng, DataType type) {
  ArrayConfig a = testing::preset(rng.below(2) ? "large" : "small");
  a.datatype = type;
  a.swizzle = static_cast<SwizzlePolicy>(rng.below(4));
  if (rng.below(3) == 0) a.stripe_length = 1 + static_cast<int>(rng.below(20));
  if (rng.below(3) == 0) a.weight_load_bytes_per_cycle = 1 + static_cast<int>(rng.below(300));
  return a;
}

// 1..4 faults of any site and kind; rows and columns mostly where small jobs map.
std::vector<HardwareFault> random_faults(Rng& rng, const ArrayConfig& a, long long cycles) {
  std::vector<HardwareFault> faults(1 + rng.below(4));
  for (HardwareFault& f : faults) {
    f.site = static_cast<FaultSite>(rng.below(5));
    f.kind = static_cast<FaultKind>(rng.below(3));
    const int rows = f.site == FaultSite::accumulator ? a.stripe_length : a.atomic_c;
    f.row = static_cast<int>(rng.below(static_cast<std::uint64_t>(rng.below(2) ? rows : std::min(rows, 8))));
    if (f.site == FaultSite::psum) f.row = 0;
    f.col = static_cast<int>(rng.below(static_cast<std::uint64_t>(rng.below(2) ? a.atomic_k : std::min(a.atomic_k, 8))));
    f.bit = static_cast<int>(rng.below(static_cast<std::uint64_t>(site_bit_width(f.site, a.datatype))));
    if (f.kind == FaultKind::transient) f.cycle = static_cast<long long>(rng.below(static_cast<std::uint64_t>(cycles + 4)));
  }
  return faults;
}

// ---- The comparison ----------------------------------------------------------------

using ModelMaker = Graph (*)(Rng&, std::set<std::string>&);

struct Coverage {
  std::set<std::string> features;
  std::set<std::pair<FaultSite, FaultKind>> faults;
  std::set<SwizzlePolicy> swizzles;
  std::set<std::string> presets;
  int cases = 0, with_effect = 0;
};

void expect_same_jobs(const GraphRun& cycle, const GraphRun& fast, const std::string& what) {
  ASSERT_EQ(cycle.jobs.size(), fast.jobs.size()) << what;
  for (std::size_t j = 0; j < cycle.jobs.size(); ++j) {
    const LayerRun& c = cycle.jobs[j];
    const LayerRun& f = fast.jobs[j];
    const std::string job = what + " job " + std::to_string(j) + " (" + f.job.layer + ")";
    ASSERT_EQ(c.job.layer, f.job.layer) << job;
    ASSERT_EQ(c.output.shape(), f.output.shape()) << job;
    EXPECT_EQ(testing::count_bit_differences(c.output, f.output), 0) << job;
    EXPECT_EQ(c.timing, f.timing) << job;
    EXPECT_EQ(c.start_cycle, f.start_cycle) << job;
  }
  ASSERT_EQ(cycle.outputs.size(), fast.outputs.size()) << what;
  for (std::size_t i = 0; i < cycle.outputs.size(); ++i) {
    ASSERT_EQ(cycle.outputs[i].shape(), fast.outputs[i].shape()) << what;
    EXPECT_EQ(testing::count_bit_differences(cycle.outputs[i], fast.outputs[i]), 0) << what << " output " << i;
  }
  EXPECT_EQ(cycle.cycles, fast.cycles) << what;
}

// One seeded case: a model from `make`, an array of `type`, faults; both engines compared.
void check_case(std::uint64_t seed, ModelMaker make, DataType type, Coverage& cov) {
  Rng rng(seed);
  const Graph graph = make(rng, cov.features);
  const ArrayConfig array = random_array(rng, type);
  const Tensor input = testing::random_tensor(graph.inputs.at(0).shape, rng);
  const PeFaults none;
  const GraphRun healthy = run_graph(graph, input, *make_engine("fast", array, none), true);
  const std::vector<HardwareFault> faults = random_faults(rng, array, healthy.cycles);
  const PeFaults pe(array, faults);
  std::ostringstream hex;
  hex << std::hex << seed;
  std::string what = "seed 0x" + hex.str() + " " + to_string(type) + " " + array.name + " swizzle " +
                     to_string(array.swizzle) + ":";
  for (const auto& f : faults) what += " [" + describe(f) + "]";
  const GraphRun cycle = run_graph(graph, input, *make_engine("cycle", array, pe), true);
  const GraphRun fast = run_graph(graph, input, *make_engine("fast", array, pe), true);
  expect_same_jobs(cycle, fast, what);
  bool changed = false;
  for (std::size_t i = 0; i < fast.outputs.size(); ++i)
    changed |= testing::count_bit_differences(healthy.outputs[i], fast.outputs[i]) > 0;
  cov.with_effect += changed;
  ++cov.cases;
  cov.presets.insert(array.name);
  cov.swizzles.insert(array.swizzle);
  for (const auto& f : faults) cov.faults.insert({f.site, f.kind});
}

// `count` cases of each model family on `type`, seeds base.. (a failure names its seed;
// check_case(seed, family, type) alone reproduces it).
Coverage expect_graph_engines_agree(std::uint64_t base, int count, DataType type) {
  Coverage cov;
  const ModelMaker makers[] = {conv_model, gemm_model, attention_model};
  for (int i = 0; i < count && !::testing::Test::HasFailure(); ++i)
    for (ModelMaker make : makers) check_case(base + static_cast<std::uint64_t>(i), make, type, cov);
  return cov;
}

const std::set<std::string>& every_feature() {
  static const std::set<std::string> all = {
      "grouped conv", "depthwise conv", "strided conv", "dilated conv", "asymmetric pads", "conv batch > 1",
      "gemm transA=0 transB=0", "gemm transA=0 transB=1", "gemm transA=1 transB=0", "gemm transA=1 transB=1",
      "gemm of two activations", "Q.K^T (rank 4 activations)", "A.V per head (rank 4)",
      "A.V broadcast over heads (rank 4 x rank 4)", "A.V broadcast over the batch (rank 4 x rank 3)",
      "rank 3 x rank 3 activations", "attention batch > 1"};
  return all;
}

void expect_complete(const Coverage& cov, DataType type) {
  for (const auto& f : every_feature()) EXPECT_TRUE(cov.features.count(f)) << to_string(type) << ": no case with " << f;
  EXPECT_EQ(cov.faults.size(), 15u) << to_string(type) << ": site/kind pairs covered";
  EXPECT_EQ(cov.swizzles.size(), 4u) << to_string(type);
  EXPECT_EQ(cov.presets.size(), 2u) << to_string(type);
  EXPECT_GT(cov.with_effect, cov.cases / 4) << to_string(type) << ": faults that change the outputs";
}

TEST(GraphEngineEquivalence, Fp32GraphsAreBitIdenticalOnBothEngines) {
  const Coverage cov = expect_graph_engines_agree(0x6a0000, 80, DataType::fp32);
  if (!::testing::Test::HasFailure()) expect_complete(cov, DataType::fp32);
}

TEST(GraphEngineEquivalence, Fp16GraphsAreBitIdenticalOnBothEngines) {
  const Coverage cov = expect_graph_engines_agree(0x6a1000, 80, DataType::fp16);
  if (!::testing::Test::HasFailure()) expect_complete(cov, DataType::fp16);
}

TEST(GraphEngineEquivalence, Bf16GraphsAreBitIdenticalOnBothEngines) {
  const Coverage cov = expect_graph_engines_agree(0x6a2000, 80, DataType::bf16);
  if (!::testing::Test::HasFailure()) expect_complete(cov, DataType::bf16);
}

TEST(GraphEngineEquivalence, Int8GraphsAreBitIdenticalOnBothEngines) {
  const Coverage cov = expect_graph_engines_agree(0x6a3000, 80, DataType::int8);
  if (!::testing::Test::HasFailure()) expect_complete(cov, DataType::int8);
}

}  // namespace
}  // namespace accsim
