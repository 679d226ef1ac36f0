#pragma once
// A tiny residual classifier as an ONNX file, for the graph campaign tests:
// x [N,3,8,8] -> conv1 (6 channels: columns 6 and 7 of an 8-column array idle) -> relu
// -> conv2 -> add(relu, conv2) -> conv3 (1x1, stride 2, 16 channels) -> relu
// -> global average pool -> flatten -> fc (Gemm) -> logits [N,10].
#include <string>
#include <vector>

#include "arch/random.h"
#include "workloads/models/onnx_builder.h"

namespace accsim::testing {

inline void save_tiny_classifier(const std::string& path, std::uint64_t seed = 5) {
  Rng rng(seed);
  const auto values = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(-0.5f, 0.5f);
    return v;
  };
  OnnxBuilder b;
  b.input("x", {0, 3, 8, 8}).output("logits");
  b.floats("conv1.weight", {6, 3, 3, 3}, values(162)).floats("conv1.bias", {6}, values(6));
  b.floats("conv2.weight", {6, 6, 3, 3}, values(324)).floats("conv3.weight", {16, 6, 1, 1}, values(96));
  b.floats("fc.weight", {10, 16}, values(160)).floats("fc.bias", {10}, values(10));
  OnnxBuilder::ints_attribute(b.node("Conv", {"x", "conv1.weight", "conv1.bias"}, {"c1"}, "conv1"), "pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  OnnxBuilder::ints_attribute(b.node("Conv", {"r1", "conv2.weight"}, {"c2"}, "conv2"), "pads", {1, 1, 1, 1});
  b.node("Add", {"r1", "c2"}, {"sum"}, "add");
  OnnxBuilder::ints_attribute(b.node("Conv", {"sum", "conv3.weight"}, {"c3"}, "conv3"), "strides", {2, 2});
  b.node("Relu", {"c3"}, {"r3"}, "relu3");
  b.node("GlobalAveragePool", {"r3"}, {"pooled"}, "pool");
  b.node("Flatten", {"pooled"}, {"flat"}, "flatten");
  OnnxBuilder::int_attribute(b.node("Gemm", {"flat", "fc.weight", "fc.bias"}, {"logits"}, "fc"), "transB", 1);
  b.save(path);
}

}  // namespace accsim::testing
