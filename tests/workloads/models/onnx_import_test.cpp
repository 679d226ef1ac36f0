// ONNX import: batch fixing, folding of exporter shape arithmetic, static shapes, and
// one clear InputError naming the file and node for every kind of bad model.
#include "workloads/models/onnx_import.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "arch/input_error.h"
#include "workloads/models/onnx_builder.h"

namespace accsim {
namespace {

using testing::OnnxBuilder;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("accsim_onnx_" + std::to_string(::getpid()) + "_" + name)).string();
}

// x [batch, 2, 4, 4] -> Conv 3x3 pad 1 (3 kernels) -> Relu -> Reshape via Shape/Gather/Unsqueeze/Concat
// (the flatten torch exports) -> Gemm to 5 outputs.
OnnxBuilder small_cnn() {
  OnnxBuilder b;
  b.input("x", {0, 2, 4, 4}).output("y");
  b.floats("w", {3, 2, 3, 3}, std::vector<float>(54, 0.1f)).floats("bias", {3}, {0.f, 1.f, 2.f});
  b.floats("fc.weight", {5, 48}, std::vector<float>(240, 0.01f)).floats("fc.bias", {5}, std::vector<float>(5, 0.5f));
  auto& conv = b.node("Conv", {"x", "w", "bias"}, {"c"}, "conv1");
  OnnxBuilder::ints_attribute(conv, "pads", {1, 1, 1, 1});
  OnnxBuilder::ints_attribute(conv, "kernel_shape", {3, 3});
  b.node("Relu", {"c"}, {"r"});
  b.node("Shape", {"r"}, {"s"});
  b.ints("zero", {0}).ints("minus_one", {-1});
  auto& g = b.node("Gather", {"s", "zero_scalar"}, {"n"});
  OnnxBuilder::int_attribute(g, "axis", 0);
  b.node("Unsqueeze", {"n", "zero"}, {"n1"});
  auto& cat = b.node("Concat", {"n1", "minus_one"}, {"shape"});
  OnnxBuilder::int_attribute(cat, "axis", 0);
  b.node("Reshape", {"r", "shape"}, {"flat"}, "flatten");
  auto& gemm = b.node("Gemm", {"flat", "fc.weight", "fc.bias"}, {"y"}, "fc");
  OnnxBuilder::int_attribute(gemm, "transB", 1);
  return b;
}

OnnxBuilder with_scalar_index(OnnxBuilder b) {
  // Gather's index as a rank-0 int64 initializer.
  b.int_scalar("zero_scalar", 0);
  return b;
}

std::string error_of(const std::string& path, int batch = 1) {
  try {
    load_onnx_model(path, batch);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(OnnxImport, FoldsShapeArithmeticAndFixesTheBatch) {
  const std::string path = temp_path("cnn.onnx");
  with_scalar_index(small_cnn()).save(path);
  const Graph g = load_onnx_model(path, 3);
  std::vector<std::string> ops;
  for (const auto& n : g.nodes) ops.push_back(n.op);
  EXPECT_EQ(ops, (std::vector<std::string>{"Conv", "Relu", "Reshape", "Gemm"}));
  EXPECT_EQ(g.inputs.at(0).shape, (std::vector<int>{3, 2, 4, 4}));
  EXPECT_EQ(g.shape_of("flat"), (std::vector<int>{3, 48}));
  EXPECT_EQ(g.shape_of("y"), (std::vector<int>{3, 5}));
  EXPECT_TRUE(g.is_initializer("fc.weight"));
  EXPECT_EQ(g.int_constants.at("shape").values, (std::vector<long long>{3, -1}));
  std::filesystem::remove(path);
}

TEST(OnnxImport, UnknownOperatorNamesTheNodeAndTheSupportedList) {
  OnnxBuilder b;
  b.input("x", {0, 4}).output("y");
  b.node("Hardmax", {"x"}, {"y"}, "mystery");
  const std::string path = temp_path("unknown.onnx");
  b.save(path);
  const std::string e = error_of(path);
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("node \"mystery\" (Hardmax)"), std::string::npos) << e;
  EXPECT_NE(e.find("supported operators: "), std::string::npos) << e;
  EXPECT_NE(e.find("Conv"), std::string::npos) << e;
  std::filesystem::remove(path);
}

TEST(OnnxImport, TruncatedFileIsRejected) {
  const std::string path = temp_path("truncated.onnx");
  const std::string bytes = with_scalar_index(small_cnn()).bytes();
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const std::string e = error_of(path);
  EXPECT_NE(e.find("not a valid ONNX model"), std::string::npos) << e;
  std::filesystem::remove(path);
}

TEST(OnnxImport, DynamicNonBatchDimensionIsRejected) {
  OnnxBuilder b;
  b.input("x", {0, 0}).output("y");  // the second dimension symbolic too
  b.node("Relu", {"x"}, {"y"});
  const std::string path = temp_path("dynamic.onnx");
  b.save(path);
  const std::string e = error_of(path);
  EXPECT_NE(e.find("dynamic dimension 1"), std::string::npos) << e;
  std::filesystem::remove(path);
}

TEST(OnnxImport, FixedBatchMustMatchTheWorkloadBatch) {
  OnnxBuilder b;
  b.input("x", {2, 4}).output("y");
  b.node("Relu", {"x"}, {"y"});
  const std::string path = temp_path("fixed.onnx");
  b.save(path);
  EXPECT_NE(error_of(path, 5).find("fixed batch of 2"), std::string::npos);
  EXPECT_EQ(load_onnx_model(path, 2).shape_of("y"), (std::vector<int>{2, 4}));
  std::filesystem::remove(path);
}

TEST(OnnxImport, BadAttributeNamesTheNode) {
  OnnxBuilder b;
  b.input("x", {0, 2, 6, 6}).output("y");
  b.floats("w", {2, 2, 3, 3}, std::vector<float>(36, 0.f));
  auto& conv = b.node("Conv", {"x", "w"}, {"y"}, "strided");
  OnnxBuilder::ints_attribute(conv, "strides", {1, 2});
  const std::string path = temp_path("strides.onnx");
  b.save(path);
  const std::string e = error_of(path);
  EXPECT_NE(e.find("node \"strided\" (Conv): strides must be equal"), std::string::npos) << e;
  std::filesystem::remove(path);
}

TEST(OnnxImport, GraphInputOfTheWrongRankNamesTheNode) {
  OnnxBuilder b;
  b.input("x", {0, 16}).output("y");  // a conv needs [N, C, H, W]
  b.floats("w", {2, 1, 3, 3}, std::vector<float>(18, 0.f));
  b.node("Conv", {"x", "w"}, {"y"}, "first_conv");
  const std::string path = temp_path("rank.onnx");
  b.save(path);
  const std::string e = error_of(path);
  EXPECT_NE(e.find(path + ": "), std::string::npos) << e;
  EXPECT_NE(e.find("first_conv"), std::string::npos) << e;
  std::filesystem::remove(path);
}

TEST(OnnxImport, NonRegularFileIsRejected) {
  EXPECT_NE(error_of(std::filesystem::temp_directory_path().string()).find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace accsim
