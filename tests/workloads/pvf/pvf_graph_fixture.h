#pragma once
// A tiny graph classifier with transformer-style initializer names for PVF tests:
//   x [N,1,8,8] -> Flatten -> Gemm(blocks.0.attn.q.*) + Gemm(blocks.0.attn.k.weight)
//   -> Mul(blocks.0.norm1.weight) -> Relu -> Gemm(blocks.1.attn.q.weight) -> Relu
//   -> Gemm(head.*) -> logits [N,10]
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "arch/random.h"
#include "workloads/models/graph.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/models/onnx_import.h"

namespace accsim::testing {

inline void save_tiny_attention_model(const std::string& path) {
  Rng rng(21);
  const auto values = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(-0.5f, 0.5f);
    return v;
  };
  OnnxBuilder b;
  b.input("input", {0, 1, 8, 8}).output("logits");
  b.floats("blocks.0.attn.q.weight", {16, 64}, values(16 * 64)).floats("blocks.0.attn.q.bias", {16}, values(16));
  b.floats("blocks.0.attn.k.weight", {16, 64}, values(16 * 64)).floats("blocks.0.norm1.weight", {16}, values(16));
  b.floats("blocks.1.attn.q.weight", {16, 16}, values(16 * 16));
  b.floats("head.weight", {10, 16}, values(10 * 16)).floats("head.bias", {10}, values(10));
  b.node("Flatten", {"input"}, {"flat"}, "flatten");
  const auto gemm = [&](const std::vector<std::string>& in, const std::string& out) {
    OnnxBuilder::int_attribute(b.node("Gemm", in, {out}, out), "transB", 1);
  };
  gemm({"flat", "blocks.0.attn.q.weight", "blocks.0.attn.q.bias"}, "q");
  gemm({"flat", "blocks.0.attn.k.weight"}, "k");
  b.node("Add", {"q", "k"}, {"qk"}, "add");
  b.node("Mul", {"qk", "blocks.0.norm1.weight"}, {"scaled"}, "norm");
  b.node("Relu", {"scaled"}, {"r1"}, "relu1");
  gemm({"r1", "blocks.1.attn.q.weight"}, "h");
  b.node("Relu", {"h"}, {"r2"}, "relu2");
  gemm({"r2", "head.weight", "head.bias"}, "logits");
  b.save(path);
}

inline Graph tiny_attention_graph(int batch) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("accsim_tiny_attention_" + std::to_string(::getpid()) + ".onnx")).string();
  save_tiny_attention_model(path);
  Graph g = load_onnx_model(path, batch);
  std::filesystem::remove(path);
  return g;
}

}  // namespace accsim::testing
