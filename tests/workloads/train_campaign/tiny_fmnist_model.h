#pragma once
// A tiny residual Fashion-MNIST classifier as an ONNX file, for the graph train-campaign
// tests: x [N,1,28,28] -> conv1 (4 channels, 4x4 stride 4: 7x7) -> relu -> conv2 (3x3,
// pad 1) -> batchnorm (running statistics: training state) -> add(relu, bn) -> global
// average pool -> flatten -> fc (Gemm) -> logits [N,10]. Forward, backward-data and
// backward-weight jobs on the array, a fan-out, and state, in a few hundred parameters.
#include <string>
#include <vector>

#include "arch/random.h"
#include "workloads/models/onnx_builder.h"

namespace accsim::testing {

inline void save_tiny_fmnist_model(const std::string& path, std::uint64_t seed = 3) {
  Rng rng(seed);
  const auto values = [&](std::size_t n, float scale) {
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(-scale, scale);
    return v;
  };
  OnnxBuilder b;
  b.input("x", {0, 1, 28, 28}).output("logits");
  b.floats("conv1.weight", {4, 1, 4, 4}, values(64, 0.25f)).floats("conv1.bias", {4}, values(4, 0.25f));
  b.floats("conv2.weight", {4, 4, 3, 3}, values(144, 0.17f));
  b.floats("bn.scale", {4}, {1, 1, 1, 1}).floats("bn.bias", {4}, {0, 0, 0, 0});
  b.floats("bn.mean", {4}, {0, 0, 0, 0}).floats("bn.var", {4}, {1, 1, 1, 1});
  b.floats("fc.weight", {10, 4}, values(40, 0.5f)).floats("fc.bias", {10}, values(10, 0.5f));
  OnnxBuilder::ints_attribute(b.node("Conv", {"x", "conv1.weight", "conv1.bias"}, {"c1"}, "conv1"), "strides", {4, 4});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  OnnxBuilder::ints_attribute(b.node("Conv", {"r1", "conv2.weight"}, {"c2"}, "conv2"), "pads", {1, 1, 1, 1});
  b.node("BatchNormalization", {"c2", "bn.scale", "bn.bias", "bn.mean", "bn.var"}, {"n2"}, "bn");
  b.node("Add", {"r1", "n2"}, {"sum"}, "add");
  b.node("GlobalAveragePool", {"sum"}, {"pooled"}, "pool");
  b.node("Flatten", {"pooled"}, {"flat"}, "flatten");
  OnnxBuilder::int_attribute(b.node("Gemm", {"flat", "fc.weight", "fc.bias"}, {"logits"}, "fc"), "transB", 1);
  b.save(path);
}

}  // namespace accsim::testing
