// Every operator's backward pass against central finite differences of its own forward
// pass (gradient_check.h), on small random shapes.
#include "workloads/training/operator_gradients.h"

#include <gtest/gtest.h>

#include "gradient_check.h"
#include "kernels/elementwise_gradients.h"

namespace accsim::testing {
namespace {

using B = OnnxBuilder;

std::size_t count(const std::vector<int>& dims) {
  std::size_t n = 1;
  for (int d : dims) n *= static_cast<std::size_t>(d);
  return n;
}

void weights(B& b, Rng& rng, const std::string& name, const std::vector<int>& dims, float lo = -1.0f, float hi = 1.0f) {
  b.floats(name, dims, random_values(count(dims), rng, lo, hi));
}

TEST(OperatorGradients, ConvGroupedDilatedAsymmetricPads) {
  check_operator([](B& b, Rng& rng) {
    b.input("x", {0, 4, 7, 7}).output("y");
    weights(b, rng, "w", {6, 2, 3, 3});
    weights(b, rng, "bias", {6});
    auto& n = b.node("Conv", {"x", "w", "bias"}, {"y"}, "conv");
    B::int_attribute(n, "group", 2);
    B::ints_attribute(n, "dilations", {2, 2});
    B::ints_attribute(n, "pads", {1, 0, 2, 1});
  });
}

TEST(OperatorGradients, ConvDepthwiseStrided) {
  check_operator([](B& b, Rng& rng) {
    b.input("x", {0, 3, 6, 5}).output("y");
    weights(b, rng, "w", {3, 1, 3, 3});
    auto& n = b.node("Conv", {"x", "w"}, {"y"}, "dw");
    B::int_attribute(n, "group", 3);
    B::ints_attribute(n, "strides", {2, 2});
    B::ints_attribute(n, "pads", {1, 1, 1, 1});
  });
}

TEST(OperatorGradients, ConvStridedWithUnevenTail) {
  check_operator([](B& b, Rng& rng) {
    b.input("x", {0, 2, 8, 7}).output("y");
    weights(b, rng, "w", {3, 2, 3, 2});
    auto& n = b.node("Conv", {"x", "w"}, {"y"}, "conv");
    B::ints_attribute(n, "strides", {3, 3});
    B::ints_attribute(n, "pads", {0, 1, 1, 0});
  });
}

TEST(OperatorGradients, GemmTransposedScaledWithBias) {
  check_operator([](B& b, Rng& rng) {
    b.input("x", {0, 5}).output("y");  // A [4, 5]
    weights(b, rng, "w", {3, 5});
    weights(b, rng, "c", {3});
    auto& n = b.node("Gemm", {"x", "w", "c"}, {"y"}, "fc");
    B::int_attribute(n, "transB", 1);
    B::float_attribute(n, "alpha", 0.5f);
    B::float_attribute(n, "beta", 2.0f);
  }, GradientCheck().with_batch(4));
  check_operator([](B& b, Rng& rng) {
    b.input("x", {0, 3}).output("y");  // A [4, 3] with transA: op(A) = [3, 4]
    weights(b, rng, "w", {4, 2});
    weights(b, rng, "c", {3, 1});
    B::int_attribute(b.node("Gemm", {"x", "w", "c"}, {"y"}, "fc"), "transA", 1);
  }, GradientCheck().with_batch(4));
}

TEST(OperatorGradients, MatMulBatched) {
  check_operator([](B& b, Rng& rng) {  // batched B: one job per batch matrix (attention's shape)
    b.input("x", {0, 3, 4}).output("y");
    weights(b, rng, "w", {2, 4, 2});
    b.node("MatMul", {"x", "w"}, {"y"}, "mm");
  });
}

TEST(OperatorGradients, MatMulBroadcasts) {
  check_operator([](B& b, Rng& rng) {  // B [3, 5, 2] broadcast over A's leading 2
    b.input("x", {0, 3, 4, 5}).output("y");
    weights(b, rng, "w", {3, 5, 2});
    b.node("MatMul", {"x", "w"}, {"y"}, "mm");
  });
  check_operator([](B& b, Rng& rng) {  // one stationary matrix for every row
    b.input("x", {0, 3, 5}).output("y");
    weights(b, rng, "w", {5, 4});
    b.node("MatMul", {"x", "w"}, {"y"}, "mm");
  });
  check_operator([](B& b, Rng& rng) {  // a vector on the right
    b.input("x", {0, 5}).output("y");
    weights(b, rng, "w", {5});
    b.node("MatMul", {"x", "w"}, {"y"}, "mm");
  });
}

void norm_inputs(B& b, Rng& rng, int c) {
  weights(b, rng, "scale", {c}, 0.5f, 1.5f);
  weights(b, rng, "bias", {c});
  weights(b, rng, "mean", {c}, -0.2f, 0.2f);
  weights(b, rng, "var", {c}, 0.5f, 1.5f);
}

TEST(OperatorGradients, BatchNormalizationTrainingAndInference) {
  const auto build = [](B& b, Rng& rng) {
    b.input("x", {0, 3, 2, 3}).output("y");
    norm_inputs(b, rng, 3);
    b.node("BatchNormalization", {"x", "scale", "bias", "mean", "var"}, {"y"}, "bn");
  };
  check_operator(build, GradientCheck().without_gradient({3, 4}));
  check_operator(build, GradientCheck().inference().without_gradient({3, 4}));
}

TEST(OperatorGradients, LayerNormalizationAndSoftmax) {
  check_operator([](B& b, Rng& rng) {
    b.input("x", {0, 3, 6}).output("y");
    weights(b, rng, "scale", {6}, 0.5f, 1.5f);
    weights(b, rng, "bias", {6});
    B::int_attribute(b.node("LayerNormalization", {"x", "scale", "bias"}, {"y"}, "ln"), "axis", -1);
  }, {}, 17);
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 4, 3}).output("y");
    B::int_attribute(b.node("Softmax", {"x"}, {"y"}, "sm"), "axis", 1);
  }, GradientCheck().range(-2.0f, 2.0f), 13);
}

void unary_case(const std::string& op, float lo, float hi) {
  SCOPED_TRACE(op);
  check_operator([&](B& b, Rng&) {
    b.input("x", {0, 3, 4}).output("y");
    auto& n = b.node(op, {"x"}, {"y"}, "u");
    if (op == "LeakyRelu") B::float_attribute(n, "alpha", 0.1f);
  }, GradientCheck().range(lo, hi));
}

TEST(OperatorGradients, Activations) {
  for (const char* op : {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "Erf", "Exp", "Neg", "Identity"})
    unary_case(op, -2.0f, 2.0f);
  for (const char* op : {"Sqrt", "Reciprocal"}) unary_case(op, 0.5f, 2.0f);
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 5}).output("y");
    b.node("Dropout", {"x"}, {"y"}, "drop");
  });
  check_operator([](B& b, Rng& rng) {
    b.input("x", {0, 6}).output("y");
    b.floats("lo", {}, {-0.5f}).floats("hi", {}, {0.5f});
    (void)rng;
    b.node("Clip", {"x", "lo", "hi"}, {"y"}, "clip");
  }, GradientCheck().without_gradient({1, 2}));
}

void binary_case(const std::string& op, std::vector<int> a, std::vector<int> bshape, float lo, float hi) {
  SCOPED_TRACE(op);
  check_operator([&](B& b, Rng& rng) {
    b.input("x", a).output("y");
    weights(b, rng, "w", bshape, lo, hi);
    b.node(op, {"x", "w"}, {"y"}, "bin");
  }, GradientCheck().range(lo, hi));
}

TEST(OperatorGradients, BroadcastArithmetic) {
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
    binary_case(op, {0, 3, 4}, {4}, 0.5f, 2.0f);
    binary_case(op, {0, 1, 4}, {3, 1}, 0.5f, 2.0f);
  }
  binary_case("Pow", {0, 3}, {3}, 0.5f, 2.0f);
}

TEST(OperatorGradients, Pooling) {
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 2, 5, 6}).output("y");
    auto& n = b.node("MaxPool", {"x"}, {"y"}, "mp");
    B::ints_attribute(n, "kernel_shape", {3, 2});
    B::ints_attribute(n, "strides", {2, 2});
    B::ints_attribute(n, "pads", {1, 0, 1, 1});
  });
  for (int include : {0, 1})
    check_operator([include](B& b, Rng&) {
      b.input("x", {0, 2, 5, 5}).output("y");
      auto& n = b.node("AveragePool", {"x"}, {"y"}, "ap");
      B::ints_attribute(n, "kernel_shape", {3, 3});
      B::ints_attribute(n, "strides", {2, 2});
      B::ints_attribute(n, "pads", {1, 1, 1, 1});
      B::int_attribute(n, "count_include_pad", include);
    });
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 3, 3, 4}).output("y");
    b.node("GlobalAveragePool", {"x"}, {"y"}, "gap");
  });
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 3, 4}).output("y");
    B::ints_attribute(b.node("ReduceMean", {"x"}, {"y"}, "rm"), "axes", {1});
  }, {}, 13);
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 3, 4}).output("y");
    B::ints_attribute(b.node("ReduceSum", {"x"}, {"y"}, "rs"), "axes", {1});
  }, {}, 12);
  check_operator([](B& b, Rng&) {  // opset 13: axes as a constant input
    b.input("x", {0, 3, 4, 2}).output("y");
    b.ints("axes", {-1, 1});
    B::int_attribute(b.node("ReduceSum", {"x", "axes"}, {"y"}, "rs"), "keepdims", 0);
  }, {}, 13);
}

TEST(OperatorGradients, Layout) {
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 2, 3}).output("y");
    B::int_attribute(b.node("Flatten", {"x"}, {"y"}, "f"), "axis", 1);
  });
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 2, 3}).output("y");
    b.ints("shape", {-1, 3, 2});
    b.node("Reshape", {"x", "shape"}, {"y"}, "r");
  });
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 2, 3, 4}).output("y");
    B::ints_attribute(b.node("Transpose", {"x"}, {"y"}, "t"), "perm", {2, 0, 3, 1});
  });
  check_operator([](B& b, Rng& rng) {
    b.input("x", {0, 2, 3}).output("y");
    weights(b, rng, "w", {2, 2, 3});
    B::int_attribute(b.node("Concat", {"x", "w"}, {"y"}, "c"), "axis", 1);
  });
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 5}).output("y").output("z");
    b.ints("split", {2, 3});
    B::int_attribute(b.node("Split", {"x", "split"}, {"y", "z"}, "s"), "axis", 1);
  }, {}, 13);
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 7, 4}).output("y");
    b.ints("starts", {-1, 1}).ints("ends", {-8, 4}).ints("axes", {1, 2}).ints("steps", {-2, 2});
    b.node("Slice", {"x", "starts", "ends", "axes", "steps"}, {"y"}, "sl");
  });
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 1, 3}).output("y");
    b.ints("axes", {1});
    b.node("Squeeze", {"x", "axes"}, {"y"}, "sq");
  }, {}, 13);
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 3}).output("y");
    b.ints("axes", {1});
    b.node("Unsqueeze", {"x", "axes"}, {"y"}, "uq");
  }, {}, 13);
}

// Gelu (opset 20, newer than the ONNX library's schemas): the kernel against differences
// of unary_op's exact-erf form.
TEST(OperatorGradients, GeluKernel) {
  Rng rng(4);
  const Tensor x = random_tensor({16}, rng, -3.0f, 3.0f);
  const Tensor y = unary_op(x, UnaryOp::gelu);
  const Tensor g = unary_backward(x, y, Tensor({16}, 1.0f), UnaryOp::gelu);
  for (std::size_t i = 0; i < x.size(); ++i) {
    Tensor plus = x, minus = x;
    plus[i] += 1e-3f;
    minus[i] -= 1e-3f;
    const double fd = (static_cast<double>(unary_op(plus, UnaryOp::gelu)[i]) - unary_op(minus, UnaryOp::gelu)[i]) /
                      (static_cast<double>(plus[i]) - minus[i]);
    EXPECT_NEAR(g[i], fd, 2e-3) << x[i];
  }
}

// An embedding lookup: rows read several times get the sum of their tokens' gradients.
TEST(OperatorGradients, GatherScatterAddsIntoTheTable) {
  check_operator([](B& b, Rng&) {
    b.input("x", {0, 4}).output("y");  // the table [5, 4] (dim 0 = batch = 5)
    b.ints("ids", {3, 0, 3, 3, 1, 4});
    b.node("Gather", {"x", "ids"}, {"y"}, "emb");
  }, GradientCheck().with_batch(5));
}

}  // namespace
}  // namespace accsim::testing
