#pragma once
// Finite-difference checks of one operator's backward pass (workloads/training/
// operator_gradients.h): a one-node ONNX graph, random inputs, the loss L = sum(y * r) for
// a fixed random r, and each fp32 input's analytic gradient against the central difference
// (L(v + h) - L(v - h)) / 2h of the operator's own forward pass, L summed in double.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "arch/pe_faults.h"
#include "temp_dir.h"
#include "test_util.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/models/onnx_import.h"
#include "workloads/run/engines.h"
#include "workloads/training/operator_gradients.h"

namespace accsim::testing {

struct GradientCheck {
  float lo = -1.0f, hi = 1.0f;  // range of the random inputs
  bool training = true;         // BatchNormalization: batch statistics
  float step = 1e-3f;           // h
  int batch = 2;                // the graph input's dim 0
  std::set<std::size_t> no_gradient;  // inputs without one (running statistics)

  GradientCheck range(float l, float h) const { GradientCheck c = *this; c.lo = l, c.hi = h; return c; }
  GradientCheck with_batch(int b) const { GradientCheck c = *this; c.batch = b; return c; }
  GradientCheck inference() const { GradientCheck c = *this; c.training = false; return c; }
  GradientCheck without_gradient(std::set<std::size_t> inputs) const { GradientCheck c = *this; c.no_gradient = std::move(inputs); return c; }
};

inline std::vector<float> random_values(std::size_t n, Rng& rng, float lo, float hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = rng.uniform(lo, hi);
  return v;
}

class OperatorGradientChecker {
 public:
  OperatorGradientChecker(const OnnxBuilder& b, const GradientCheck& check) : check_(check), rng_(11) {
    const TempDir dir;
    b.save(dir.file("op.onnx"));
    graph_ = load_onnx_model(dir.file("op.onnx"), check.batch);
    engine_ = make_engine("fast", preset("small"), no_faults_);
  }

  // Runs the check; `inputs` are the node's fp32 inputs whose gradients are compared.
  void run() {
    ASSERT_EQ(graph_.nodes.size(), 1u);
    const Node& node = graph_.nodes[0];
    for (const auto& in : node.inputs) {
      if (in.empty() || graph_.int_constants.count(in)) continue;
      const auto init = graph_.initializers.find(in);
      values_[in] = init != graph_.initializers.end() ? init->second
                                                      : random_tensor(graph_.shape_of(in), rng_, check_.lo, check_.hi);
    }
    const std::vector<Tensor> y = forward(values_);
    for (const auto& out : y) weights_.push_back(random_tensor(out.shape(), rng_));
    const InputGradients analytic = backward(y);
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      const std::string& name = node.inputs[i];
      if (!values_.count(name) || check_.no_gradient.count(i)) continue;
      ASSERT_TRUE(i < analytic.size() && analytic[i]) << node.op << " gives no gradient for input " << i;
      compare(name, *analytic[i]);
    }
  }

 private:
  std::vector<Tensor> forward(const std::map<std::string, Tensor>& values) {
    ArrayRunner array(*engine_, false);
    OperatorContext c = make_context(graph_, graph_.nodes[0], array, [&](const std::string& n) -> const Tensor* {
      const auto v = values.find(n);
      return v != values.end() ? &v->second : nullptr;
    });
    const GradientDef* def = find_gradient(graph_.nodes[0].op);
    std::map<std::string, Tensor> state;
    if (check_.training && def && def->train_forward) return def->train_forward(c, state);
    return find_operator(graph_.nodes[0].op)->run(c);
  }

  double loss(const std::map<std::string, Tensor>& values) {
    const std::vector<Tensor> y = forward(values);
    double l = 0;
    for (std::size_t o = 0; o < y.size(); ++o)
      for (std::size_t i = 0; i < y[o].size(); ++i) l += static_cast<double>(y[o][i]) * weights_[o][i];
    return l;
  }

  InputGradients backward(const std::vector<Tensor>& y) {
    const Node& node = graph_.nodes[0];
    const GradientDef* def = find_gradient(node.op);
    EXPECT_NE(def, nullptr) << node.op;
    if (!def) return {};
    ArrayRunner array(*engine_, false);
    GradientContext c{make_context(graph_, node, array,
                                   [&](const std::string& n) -> const Tensor* {
                                     const auto v = values_.find(n);
                                     return v != values_.end() ? &v->second : nullptr;
                                   }),
                      {}, {}, {}, check_.training, {}};
    for (std::size_t o = 0; o < y.size(); ++o) {
      c.outputs.push_back(&y[o]);
      c.grad_outputs.push_back(&weights_[o]);
    }
    for (const auto& in : node.inputs) c.needs.push_back(values_.count(in) > 0);
    return def->backward(c);
  }

  void compare(const std::string& name, const Tensor& analytic) {
    const Tensor& v = values_.at(name);
    ASSERT_EQ(analytic.shape(), v.shape()) << name;
    const std::size_t count = std::min<std::size_t>(v.size(), 24);
    for (std::size_t j = 0; j < count; ++j) {
      const std::size_t i = j * v.size() / count;
      std::map<std::string, Tensor> plus = values_, minus = values_;
      plus[name][i] += check_.step;
      minus[name][i] -= check_.step;
      const double h2 = static_cast<double>(plus[name][i]) - minus[name][i];  // the step as stored
      const double fd = (loss(plus) - loss(minus)) / h2;
      EXPECT_NEAR(analytic[i], fd, 2e-3 + 1e-2 * std::fabs(fd)) << graph_.nodes[0].op << " d/d" << name << "[" << i << "]";
    }
  }

  GradientCheck check_;
  Rng rng_;
  Graph graph_;
  const PeFaults no_faults_;  // the engine keeps a reference
  std::unique_ptr<Engine> engine_;
  std::map<std::string, Tensor> values_;
  std::vector<Tensor> weights_;
};

// Builds a one-node graph with `build` and checks its gradients.
inline void check_operator(const std::function<void(OnnxBuilder&, Rng&)>& build, const GradientCheck& check = {},
                           int opset = 14) {
  OnnxBuilder b(opset);
  Rng rng(3);
  build(b, rng);
  OperatorGradientChecker(b, check).run();
}

}  // namespace accsim::testing
