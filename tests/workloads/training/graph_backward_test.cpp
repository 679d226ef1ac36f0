// The graph backward pass: every operator has one; gradients of the shipped models agree
// with PyTorch's autograd (fixtures by tools/python/models/gradient_fixture.py); a residual
// graph agrees with finite differences of the whole loss; the fast and cycle engines give
// the same bits on every backward job under a PE fault.
#include "workloads/training/graph_backward.h"

#include <gtest/gtest.h>

#include <cmath>

#include "arch/pe_faults.h"
#include "kernels/elementwise_gradients.h"
#include "temp_dir.h"
#include "test_util.h"
#include "workloads/io/results_file.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/network_graph.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/models/onnx_import.h"
#include "workloads/models/operator_table.h"
#include "workloads/models/relu_clip.h"
#include "workloads/models/tiny_classifier.h"
#include "workloads/run/engines.h"
#include "workloads/training/operator_gradients.h"
#include "workloads/training/chain_trainer.h"

namespace accsim::testing {
namespace {

const PeFaults kNoFaults;  // engines keep a reference to their faults

TEST(GraphBackward, EveryOperatorHasABackwardPass) {
  for (const auto* table : {&array_operators(), &host_operators()})
    for (const auto& def : *table) EXPECT_NE(find_gradient(def.op), nullptr) << def.op;
}

std::string model_path(const std::string& name) { return std::string(ACCSIM_SOURCE_DIR) + "/configs/models/" + name; }

double max_abs(const Tensor& t) {
  double m = 0;
  for (float v : t.values()) m = std::max(m, static_cast<double>(std::fabs(v)));
  return m;
}

class ShippedModelGradients : public ::testing::TestWithParam<std::string> {};

// Every parameter's gradient within 1e-4 of its largest element (PyTorch computes in float64,
// we in float32 through the array); the logits within 1e-4 of the largest and the loss
// within 1e-5 relative.
TEST_P(ShippedModelGradients, AgreeWithPyTorchAutograd) {
  const std::string fixture = model_path(GetParam() + ".gradients.h5");
  const Tensor images = read_tensor(fixture, "images");
  std::vector<int> labels;
  for (auto v : read_int64s(fixture, "labels")) labels.push_back(static_cast<int>(v));
  const Graph g = load_onnx_model(model_path(GetParam() + ".onnx"), images.dim(0));
  auto engine = make_engine("fast", preset("small"), kNoFaults);
  const GraphGradients ours = graph_gradients(g, images, labels, *engine);
  const Tensor logits = read_tensor(fixture, "logits");
  for (std::size_t i = 0; i < logits.size(); ++i) EXPECT_NEAR(ours.logits[i], logits[i], 1e-4 * max_abs(logits));
  const double loss = softmax_cross_entropy(logits, labels).loss;
  EXPECT_NEAR(ours.loss.loss, loss, 1e-5 * loss);
  ASSERT_FALSE(ours.parameters.empty());
  std::size_t checked = 0;
  for (const auto& [name, grad] : ours.parameters) {
    const Tensor theirs = read_tensor(fixture, "gradients/" + name);
    ASSERT_EQ(grad.shape(), theirs.shape()) << name;
    const double tolerance = 1e-4 * max_abs(theirs) + 1e-7;
    double worst = 0;
    for (std::size_t i = 0; i < grad.size(); ++i) worst = std::max(worst, std::fabs(static_cast<double>(grad[i]) - theirs[i]));
    EXPECT_LE(worst, tolerance) << name << ": largest |gradient| " << max_abs(theirs);
    ++checked;
  }
  EXPECT_EQ(checked, g.initializers.size() - g.constants.size());
}

// Every shipped model's step at two threads (backward-weight jobs on the task lane where
// the node's weight allows it: convolutions, grouped ones, Gemm, MatMul) is its
// one-thread step to the bit under a weight fault.
TEST_P(ShippedModelGradients, TwoThreadsGiveTheOneThreadBits) {
  const std::string fixture = model_path(GetParam() + ".gradients.h5");
  const Tensor images = read_tensor(fixture, "images");
  std::vector<int> labels;
  for (auto v : read_int64s(fixture, "labels")) labels.push_back(static_cast<int>(v));
  const Graph g = load_onnx_model(model_path(GetParam() + ".onnx"), images.dim(0));
  const ArrayConfig a = preset("small");
  HardwareFault w;
  w.site = FaultSite::weight, w.row = 1, w.col = 0, w.bit = 28, w.kind = FaultKind::stuck_at_0;
  const PeFaults faults(a, {w});
  const GraphGradients one = graph_gradients(g, images, labels, *make_engine("fast", a, faults, 1));
  const GraphGradients two = graph_gradients(g, images, labels, *make_engine("fast", a, faults, 2));
  EXPECT_EQ(one.cycles, two.cycles);
  EXPECT_EQ(one.loss.loss, two.loss.loss);
  ASSERT_EQ(one.parameters.size(), two.parameters.size());
  for (const auto& [name, grad] : one.parameters)
    EXPECT_EQ(count_bit_differences(grad, two.parameters.at(name)), 0) << name;
}

INSTANTIATE_TEST_SUITE_P(Models, ShippedModelGradients,
                         ::testing::Values("resnet8_fmnist", "mobilenet_fmnist", "vit_fmnist"));

double graph_loss(const Graph& g, const Tensor& x, const std::vector<int>& labels, Engine& engine) {
  const Tensor y = run_graph(g, x, engine, false).outputs.at(0);
  return softmax_cross_entropy(y.reshaped({x.dim(0), static_cast<int>(y.size() / x.dim(0))}), labels).loss;
}

// The residual add's input gets the sum of both paths' gradients: the whole graph against
// central differences of the loss.
TEST(GraphBackward, ResidualGraphAgreesWithFiniteDifferences) {
  const TempDir dir;
  save_tiny_classifier(dir.file("tiny.onnx"));
  Graph g = load_onnx_model(dir.file("tiny.onnx"), 2);
  Rng rng(9);
  const Tensor x = random_tensor({2, 3, 8, 8}, rng);
  const std::vector<int> labels = {3, 7};
  auto engine = make_engine("fast", preset("small"), kNoFaults);
  const GraphGradients grads = graph_gradients(g, x, labels, *engine);
  EXPECT_EQ(grads.parameters.size(), 6u);
  for (const std::string name : {"conv1.weight", "conv1.bias", "conv2.weight", "conv3.weight", "fc.bias"}) {
    Tensor& p = g.initializers.at(name);
    for (std::size_t i = 0; i < p.size(); i += std::max<std::size_t>(1, p.size() / 7)) {
      const float v = p[i];
      p[i] = v + 2e-3f;
      const double up = graph_loss(g, x, labels, *engine);
      p[i] = v - 2e-3f;
      const double down = graph_loss(g, x, labels, *engine);
      p[i] = v;
      const double fd = (up - down) / 4e-3;
      EXPECT_NEAR(grads.parameters.at(name)[i], fd, 1e-3 + 2e-2 * std::fabs(fd)) << name << "[" << i << "]";
    }
  }
}

// Attention's q.k^T: a MatMul of two activations computed from one parameter, so its
// gradient is the sum of both operands' paths; against central differences of the loss.
TEST(GraphBackward, MatMulOfTwoActivationsAgreesWithFiniteDifferences) {
  const TempDir dir;
  Rng rng(6);
  const auto values = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(-0.5f, 0.5f);
    return v;
  };
  OnnxBuilder b;
  b.input("x", {0, 5}).output("logits");
  b.floats("w", {12, 5}, values(60)).floats("fc", {16, 4}, values(64)).ints("heads", {-1, 4, 3});
  OnnxBuilder::int_attribute(b.node("Gemm", {"x", "w"}, {"q"}, "proj"), "transB", 1);
  b.node("Reshape", {"q", "heads"}, {"qh"}, "split_heads");
  OnnxBuilder::ints_attribute(b.node("Transpose", {"qh"}, {"kt"}, "t"), "perm", {0, 2, 1});
  b.node("MatMul", {"qh", "kt"}, {"scores"}, "scores");
  b.node("Flatten", {"scores"}, {"flat"}, "flatten");
  b.node("MatMul", {"flat", "fc"}, {"logits"}, "head");
  b.save(dir.file("attn.onnx"));
  Graph g = load_onnx_model(dir.file("attn.onnx"), 3);
  const Tensor x = random_tensor({3, 5}, rng);
  const std::vector<int> labels = {0, 2, 3};
  auto engine = make_engine("fast", preset("small"), kNoFaults);
  const GraphGradients grads = graph_gradients(g, x, labels, *engine);
  for (const std::string name : {"w", "fc"}) {
    Tensor& p = g.initializers.at(name);
    for (std::size_t i = 0; i < p.size(); i += 5) {
      const float v = p[i];
      p[i] = v + 1e-3f;
      const double up = graph_loss(g, x, labels, *engine);
      p[i] = v - 1e-3f;
      const double down = graph_loss(g, x, labels, *engine);
      p[i] = v;
      const double fd = (up - down) / 2e-3;
      EXPECT_NEAR(grads.parameters.at(name)[i], fd, 1e-3 + 1e-2 * std::fabs(fd)) << name << "[" << i << "]";
    }
  }
}

// A Gemm's bias row gets dY summed over the rows, bit for bit as reduce_to_shape sums it
// (in double, rows in order), also scaled by beta; a [1, N] bias takes reduce_to_shape.
TEST(GraphBackward, GemmBiasGradientIsTheRowSumOfTheOutputGradientBitForBit) {
  for (const std::vector<int>& c_shape : {std::vector<int>{7}, std::vector<int>{1, 7}})
    for (const float beta : {1.0f, 0.75f}) {
      const TempDir dir;
      Rng rng(8);
      OnnxBuilder b;
      b.input("x", {0, 9}).output("logits");
      const auto values = [&](const Tensor& t) { return std::vector<float>(t.values().begin(), t.values().end()); };
      b.floats("w", {7, 9}, values(random_tensor({7, 9}, rng, -2.0f, 2.0f)));
      b.floats("c", c_shape, values(random_tensor(c_shape, rng)));
      auto& gemm = b.node("Gemm", {"x", "w", "c"}, {"logits"}, "fc");
      OnnxBuilder::int_attribute(gemm, "transB", 1);
      OnnxBuilder::float_attribute(gemm, "beta", beta);
      b.save(dir.file("fc.onnx"));
      const int batch = 37;
      const Graph g = load_onnx_model(dir.file("fc.onnx"), batch);
      const Tensor x = random_tensor({batch, 9}, rng, -3.0f, 3.0f);
      std::vector<int> labels(batch);
      for (int i = 0; i < batch; ++i) labels[i] = (i * 5) % 7;
      auto engine = make_engine("fast", preset("small"), kNoFaults);
      const GraphGradients grads = graph_gradients(g, x, labels, *engine);
      Tensor gy = grads.loss.grad;
      for (float& v : gy.values()) v *= beta;
      EXPECT_EQ(count_bit_differences(grads.parameters.at("c"), reduce_to_shape(gy, c_shape)), 0)
          << c_shape.size() << "-d bias, beta " << beta;
    }
}

// Grouped, dilated, strided and depthwise convolutions, a MatMul of two activations and a
// Gemm: every forward, backward-data and backward-weight job under a random PE fault.
void save_array_graph(const std::string& path) {
  Rng rng(2);
  const auto values = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(-0.5f, 0.5f);
    return v;
  };
  OnnxBuilder b;
  b.input("x", {0, 4, 7, 7}).output("logits");
  b.floats("w1", {4, 2, 3, 3}, values(72)).floats("w2", {4, 1, 3, 3}, values(36));
  b.floats("fc", {10, 16}, values(160)).floats("fc_bias", {10}, values(10)).ints("shape", {-1, 4, 6});
  auto& c1 = b.node("Conv", {"x", "w1"}, {"c1"}, "conv1");
  OnnxBuilder::int_attribute(c1, "group", 2);
  OnnxBuilder::ints_attribute(c1, "dilations", {2, 2});
  OnnxBuilder::ints_attribute(c1, "pads", {1, 0, 2, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  auto& c2 = b.node("Conv", {"r1", "w2"}, {"c2"}, "dw");
  OnnxBuilder::int_attribute(c2, "group", 4);
  OnnxBuilder::ints_attribute(c2, "strides", {2, 2});
  OnnxBuilder::ints_attribute(c2, "pads", {1, 1, 1, 1});
  b.node("Reshape", {"c2", "shape"}, {"rows"}, "reshape");
  OnnxBuilder::ints_attribute(b.node("Transpose", {"rows"}, {"cols"}, "t"), "perm", {0, 2, 1});
  b.node("MatMul", {"rows", "cols"}, {"gram"}, "gram");
  b.node("Flatten", {"gram"}, {"flat"}, "flatten");
  OnnxBuilder::int_attribute(b.node("Gemm", {"flat", "fc", "fc_bias"}, {"logits"}, "fc"), "transB", 1);
  b.save(path);
}

TEST(GraphBackward, FastAndCycleEnginesAgreeBitForBitUnderAFault) {
  const TempDir dir;
  save_array_graph(dir.file("array.onnx"));
  const Graph g = load_onnx_model(dir.file("array.onnx"), 2);
  const ArrayConfig a = preset("small");
  Rng rng(static_cast<std::uint64_t>(::testing::UnitTest::GetInstance()->random_seed()) + 17);
  HardwareFault f;  // a random permanent fault on a PE's weight, input or product
  const FaultSite sites[] = {FaultSite::weight, FaultSite::input, FaultSite::product};
  f.site = sites[static_cast<int>(rng.uniform01() * 3)];
  f.row = static_cast<int>(rng.uniform01() * 2);  // PEs every grouped job uses
  f.col = static_cast<int>(rng.uniform01() * 2);
  f.bit = 20 + static_cast<int>(rng.uniform01() * 4);  // low exponent / high mantissa: visible, finite
  f.kind = FaultKind::stuck_at_1;
  SCOPED_TRACE("fault " + to_string(f.site) + " (" + std::to_string(f.row) + "," + std::to_string(f.col) + ") bit " +
               std::to_string(f.bit));
  const PeFaults faults(a, {f});
  auto fast = make_engine("fast", a, faults), cycle = make_engine("cycle", a, faults);
  Rng data(4);
  const Tensor x = random_tensor({2, 4, 7, 7}, data);
  GraphGradientOptions options;
  options.record = true;
  const GraphGradients rf = graph_gradients(g, x, {1, 2}, *fast, options);
  const GraphGradients rc = graph_gradients(g, x, {1, 2}, *cycle, options);
  EXPECT_EQ(rf.cycles, rc.cycles);
  ASSERT_EQ(rf.jobs.size(), rc.jobs.size());
  int backward_jobs = 0;
  for (std::size_t i = 0; i < rf.jobs.size(); ++i) {
    EXPECT_EQ(count_bit_differences(rf.jobs[i].output, rc.jobs[i].output), 0) << rf.jobs[i].job.layer;
    backward_jobs += rf.jobs[i].job.kind == JobKind::backward_data || rf.jobs[i].job.kind == JobKind::backward_weight;
  }
  EXPECT_GT(backward_jobs, 10);
  for (const auto& [name, grad] : rf.parameters) EXPECT_EQ(count_bit_differences(grad, rc.parameters.at(name)), 0) << name;
  const GraphGradients clean = graph_gradients(g, x, {1, 2}, *make_engine("fast", a, kNoFaults), options);
  long long differing = 0;
  for (const auto& [name, grad] : rf.parameters) differing += count_bit_differences(grad, clean.parameters.at(name));
  EXPECT_GT(differing, 0) << "the fault should reach some gradient";
}

// Running statistics are state, not parameters; training mode moves them towards the
// batch statistics with ONNX's momentum.
TEST(GraphBackward, BatchNormalizationRunningStatistics) {
  const TempDir dir;
  OnnxBuilder b;
  b.input("x", {0, 2, 3, 3}).output("logits");
  b.floats("scale", {2}, {1.0f, 2.0f}).floats("bias", {2}, {0.0f, 0.5f});
  b.floats("mean", {2}, {0.0f, 1.0f}).floats("var", {2}, {1.0f, 1.0f});
  b.floats("fc", {18, 3}, std::vector<float>(54, 0.1f)).ints("shape", {-1, 18});
  OnnxBuilder::float_attribute(b.node("BatchNormalization", {"x", "scale", "bias", "mean", "var"}, {"bn"}, "bn"), "momentum", 0.75f);
  b.node("Reshape", {"bn", "shape"}, {"flat"}, "flatten");
  b.node("MatMul", {"flat", "fc"}, {"logits"}, "fc");
  b.save(dir.file("bn.onnx"));
  const Graph g = load_onnx_model(dir.file("bn.onnx"), 2);
  EXPECT_EQ(trainable_parameters(g), (std::vector<std::string>{"bias", "fc", "scale"}));
  Tensor x({2, 2, 3, 3}, 2.0f);  // channel 0 mean 2; channel 1 mean 2 too
  auto engine = make_engine("fast", preset("small"), kNoFaults);
  const GraphGradients r = graph_gradients(g, x, {0, 1}, *engine);
  EXPECT_FLOAT_EQ(r.state.at("mean")[0], 0.0f * 0.75f + 2.0f * 0.25f);
  EXPECT_FLOAT_EQ(r.state.at("mean")[1], 1.0f * 0.75f + 2.0f * 0.25f);
  EXPECT_FLOAT_EQ(r.state.at("var")[1], 1.0f * 0.75f);  // constant input: variance 0
}

// A layer chain as a graph (network_graph) trains bit for bit as the chain trainer under
// faults in every pass: the same jobs, seeds, cycles and gradients.
TEST(GraphBackward, MatchesTheChainTrainerBitForBitUnderFaults) {
  Network net;
  net.name = "tiny";
  net.channels = 3;
  net.height = net.width = 10;
  net.layers = {
      {"conv1", JobKind::forward_conv, 3, 5, 3, 1, 1, true, 2},
      {"conv2", JobKind::forward_conv, 5, 6, 3, 2, 0, true, 1},
      {"fc", JobKind::forward_fc, 24, 4, 1, 1, 0, false, 1},
  };
  NetworkParameters params = init_parameters(net, 11);
  Rng rng(2);
  for (auto& b : params.biases) b = random_tensor(b.shape(), rng, -0.1f, 0.1f);
  const Tensor images = random_tensor({3, 3, 10, 10}, rng, 0.0f, 1.0f);
  const std::vector<int> labels = {0, 3, 1};
  const ArrayConfig a = preset("small");
  HardwareFault w;  // a weight-register stuck-at and a transient in a backward job
  w.site = FaultSite::weight, w.row = 1, w.col = 2, w.bit = 22, w.kind = FaultKind::stuck_at_1;
  HardwareFault t;
  t.site = FaultSite::product, t.row = 0, t.col = 1, t.bit = 24, t.kind = FaultKind::transient, t.cycle = 3000;
  const PeFaults faults(a, {w, t});
  auto chain_engine = make_engine("fast", a, faults), graph_engine = make_engine("fast", a, faults);
  NetworkParameters chain_params = params;
  Trainer trainer(net, chain_params, *chain_engine);
  long long cycle = 0;
  const StepResult chain = trainer.forward_backward(images, labels, cycle);
  const GraphGradients graph = graph_gradients(network_graph(net, params, 3), images, labels, *graph_engine);
  EXPECT_EQ(graph.cycles, chain.cycles);
  EXPECT_EQ(graph.loss.loss, chain.loss.loss);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const std::string& layer = net.layers[i].name;
    const Tensor& gw = graph.parameters.at(layer + ".weight");
    EXPECT_EQ(count_bit_differences(gw, trainer.gradients().weights[i].reshaped(gw.shape())), 0) << layer;
    EXPECT_EQ(count_bit_differences(graph.parameters.at(layer + ".bias"), trainer.gradients().biases[i]), 0) << layer;
  }
}

// At two threads a node's backward-weight job runs on a task lane beside the rest of
// the backward pass, at the start cycle it has in the one-thread order: the step's
// gradients, loss and cycles are the one-thread step's to the bit (and at three, with
// the pool alone), also under a transient that lands inside such a job.
TEST(GraphBackward, TwoThreadsGiveTheOneThreadStepBitForBit) {
  const Network net = lenet5();
  const Graph g = network_graph(net, init_parameters(net, 123), 16);
  Rng rng(3);
  const Tensor images = random_tensor({16, 1, 28, 28}, rng, 0.0f, 1.0f);
  const std::vector<int> labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5};
  const ArrayConfig a = preset("small");
  HardwareFault w;  // the experiments' fault: bit 28 of PE(0,0)'s weight register stuck at 0
  w.site = FaultSite::weight, w.row = 0, w.col = 0, w.bit = 28, w.kind = FaultKind::stuck_at_0;
  const PeFaults permanent(a, {w});
  // The largest backward-weight job followed by a backward-data job (one the lane runs).
  GraphGradientOptions record;
  record.record = true;
  const GraphGradients timeline = graph_gradients(g, images, labels, *make_engine("fast", a, permanent, 1), record);
  const LayerRun* beside = nullptr;
  for (std::size_t i = 0; i + 1 < timeline.jobs.size(); ++i)
    if (timeline.jobs[i].job.kind == JobKind::backward_weight && timeline.jobs[i + 1].job.kind == JobKind::backward_data &&
        (!beside || timeline.jobs[i].timing.cycles > beside->timing.cycles))
      beside = &timeline.jobs[i];
  ASSERT_NE(beside, nullptr);
  const auto step = [&](const PeFaults& f, int threads) {
    return graph_gradients(g, images, labels, *make_engine("fast", a, f, threads));
  };
  const GraphGradients clean = step(permanent, 1);
  // A transient on the top exponent bit of column 0's adder-tree output, at the first of a
  // few cycles inside that job where it changes a gradient (others strike idle cycles).
  HardwareFault t;
  t.site = FaultSite::psum, t.row = 0, t.col = 0, t.bit = 30, t.kind = FaultKind::transient;
  bool hit = false;
  for (int eighth = 1; eighth < 8 && !hit; ++eighth) {
    t.cycle = beside->start_cycle + beside->timing.cycles * eighth / 8;
    const GraphGradients probe = step(PeFaults(a, {w, t}), 1);
    for (const auto& [name, grad] : probe.parameters) hit = hit || count_bit_differences(grad, clean.parameters.at(name)) > 0;
  }
  ASSERT_TRUE(hit) << "no transient in " << beside->job.layer << " changed a gradient";
  const PeFaults faults(a, {w, t});
  const GraphGradients one = step(faults, 1);
  for (int threads : {2, 3}) {  // the lane at two threads, the pool alone at three
    const GraphGradients many = step(faults, threads);
    EXPECT_EQ(one.cycles, many.cycles) << threads << " threads";
    EXPECT_EQ(one.loss.loss, many.loss.loss) << threads << " threads";
    ASSERT_EQ(one.parameters.size(), many.parameters.size());
    for (const auto& [name, grad] : one.parameters)
      EXPECT_EQ(count_bit_differences(grad, many.parameters.at(name)), 0) << name << ", " << threads << " threads";
  }
}

// The training forward pass lets an unclipped Relu write over the Conv or Gemm output it
// alone reads (its backward pass reads its output; theirs read neither), not a clipped
// one (its backward pass reads x); the gradients are those of the pass that copies.
TEST(GraphBackward, TheForwardPassWritesOverValuesNoBackwardPassReads) {
  const Network net = lenet5();
  Graph g = network_graph(net, init_parameters(net, 123), 4);
  std::set<std::string> relu_inputs;
  for (const auto& node : g.nodes)
    if (node.op == "Relu") relu_inputs.insert(node.inputs[0]);
  ASSERT_EQ(relu_inputs.size(), 4u);
  EXPECT_EQ(writable_values(g), relu_inputs);
  Rng rng(5);
  const Tensor images = random_tensor({4, 1, 28, 28}, rng, 0.0f, 1.0f);
  auto engine = make_engine("fast", preset("small"), kNoFaults);
  GraphGradientOptions copies;
  copies.record = true;  // recording steps copy every value
  const GraphGradients written = graph_gradients(g, images, {1, 2, 3, 4}, *engine);
  const GraphGradients copied = graph_gradients(g, images, {1, 2, 3, 4}, *engine, copies);
  for (const auto& [name, grad] : copied.parameters)
    EXPECT_EQ(count_bit_differences(grad, written.parameters.at(name)), 0) << name;
  set_relu_clips(g, ActivationClip{ClipMode::saturate, 0.5f});
  EXPECT_TRUE(writable_values(g).empty());
}

// A step's jobs continue the run's timeline from start_cycle, forward jobs first, so a
// transient's cycle can land in any pass of any step.
TEST(GraphBackward, JobsContinueTheTimeline) {
  const TempDir dir;
  save_tiny_classifier(dir.file("tiny.onnx"));
  const Graph g = load_onnx_model(dir.file("tiny.onnx"), 2);
  auto engine = make_engine("fast", preset("small"), kNoFaults);
  Rng rng(1);
  const Tensor x = random_tensor({2, 3, 8, 8}, rng);
  GraphGradientOptions options;
  options.record = true;
  options.start_cycle = 1000;
  const GraphGradients r = graph_gradients(g, x, {0, 1}, *engine, options);
  const GraphRun forward = run_graph(g, x, *engine, true);
  ASSERT_GT(r.jobs.size(), forward.jobs.size());
  long long cycle = 1000;
  for (std::size_t i = 0; i < r.jobs.size(); ++i) {
    EXPECT_EQ(r.jobs[i].start_cycle, cycle);
    EXPECT_EQ(r.jobs[i].job.kind == JobKind::forward_conv || r.jobs[i].job.kind == JobKind::forward_fc,
              i < forward.jobs.size());
    cycle += r.jobs[i].timing.cycles;
  }
  EXPECT_EQ(r.cycles, cycle - 1000);
}

TEST(GraphBackward, RejectsAMismatchedInput) {
  const TempDir dir;
  save_tiny_classifier(dir.file("tiny.onnx"));
  const Graph g = load_onnx_model(dir.file("tiny.onnx"), 2);
  auto engine = make_engine("fast", preset("small"), kNoFaults);
  EXPECT_THROW(graph_gradients(g, Tensor({3, 3, 8, 8}), {0, 0, 0}, *engine), std::invalid_argument);
}

}  // namespace
}  // namespace accsim::testing
