// The host operators split over threads (split_rows) give the bits they give on one
// thread: odd leading dimensions (uneven ranges), broadcasts along every side, NaN,
// infinities and signed zeros among the values, sizes above the split threshold.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/activations.h"
#include "kernels/broadcast_ops.h"
#include "kernels/layout_ops.h"
#include "kernels/normalization.h"
#include "kernels/split_rows.h"
#include "kernels/unary_ops.h"
#include "test_util.h"

namespace accsim {
namespace {

using testing::count_bit_differences;

// Random values in [-4, 4] with a NaN, infinities and zeros of both signs spread through.
Tensor values(std::vector<int> shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor t = testing::random_tensor(std::move(shape), rng, -4.0f, 4.0f);
  const float special[] = {std::numeric_limits<float>::quiet_NaN(), INFINITY, -INFINITY, 0.0f, -0.0f};
  for (std::size_t i = 0; i < t.size(); i += 997) t[i] = special[(i / 997) % 5];
  return t;
}

// f(threads) on 2 and 3 threads against 1 thread, bit for bit (every input here holds
// more than kMinSplitElements elements, so the work is split).
template <class F>
void same_on_any_thread_count(const std::string& what, F f) {
  const Tensor one = f(1);
  for (int threads : {2, 3}) {
    const Tensor many = f(threads);
    ASSERT_EQ(many.shape(), one.shape()) << what;
    EXPECT_EQ(count_bit_differences(one, many), 0) << what << " on " << threads << " threads";
  }
}

TEST(HostThreads, UnaryOpsAndClippedReluGiveTheSameBits) {
  const Tensor x = values({1025, 1031}, 1);
  for (UnaryOp op : {UnaryOp::relu, UnaryOp::leaky_relu, UnaryOp::sigmoid, UnaryOp::tanh, UnaryOp::erf, UnaryOp::gelu,
                     UnaryOp::sqrt, UnaryOp::exp, UnaryOp::neg, UnaryOp::reciprocal})
    same_on_any_thread_count("unary " + std::to_string(static_cast<int>(op)),
                             [&](int t) { return unary_op(x, op, 0.2f, t); });
  for (ClipMode mode : {ClipMode::none, ClipMode::saturate, ClipMode::zero})
    same_on_any_thread_count("clipped_relu " + std::to_string(static_cast<int>(mode)),
                             [&](int t) { return clipped_relu(x, {mode, 1.5f}, t); });
}

TEST(HostThreads, BroadcastBinaryOpsGiveTheSameBits) {
  const Tensor a = values({1025, 17, 64}, 2);
  const std::vector<std::vector<int>> others = {{1025, 17, 64}, {64}, {1025, 1, 64}, {1, 17, 1}, {}, {1025, 17, 1}};
  for (const auto& shape : others) {
    const Tensor b = values(shape, 3);
    for (BinaryOp op : {BinaryOp::add, BinaryOp::sub, BinaryOp::mul, BinaryOp::div, BinaryOp::pow}) {
      const std::string what = "binary " + std::to_string(static_cast<int>(op)) + " with " + b.shape_string();
      same_on_any_thread_count(what, [&](int t) { return binary_op(a, b, op, t); });
      same_on_any_thread_count(what + " swapped", [&](int t) { return binary_op(b, a, op, t); });
    }
  }
  const Tensor column = values({1025, 1, 1}, 4), row = values({1, 17, 64}, 5);  // both sides broadcast
  same_on_any_thread_count("outer sum", [&](int t) { return binary_op(column, row, BinaryOp::add, t); });
}

TEST(HostThreads, NormalisationsGiveTheSameBits) {
  const Tensor x = values({1025, 4, 17, 17}, 6);
  for (int axis : {-1, 1, 2, 0})
    same_on_any_thread_count("softmax axis " + std::to_string(axis), [&](int t) { return softmax(x, axis, t); });
  const Tensor tokens = values({1025, 17, 64}, 7), scale = values({64}, 8), bias = values({64}, 9);
  same_on_any_thread_count("layer_norm", [&](int t) { return layer_norm(tokens, scale, &bias, -1, 1e-5f, t); });
  same_on_any_thread_count("layer_norm over 2 axes", [&](int t) { return layer_norm(tokens, values({17, 64}, 10), nullptr, 1, 1e-5f, t); });
  Tensor big = values({1025, 17, 64}, 11);
  for (const std::vector<int>& axes : {std::vector<int>{2}, {1, 2}, {-1}, {1}, {0, 2}})
    for (bool keep : {true, false})
      same_on_any_thread_count("reduce_mean", [&](int t) {
        Tensor y = reduce_mean(big, axes, keep, t);
        return std::move(y).reshaped({static_cast<int>(y.size())});
      });
}

// The trailing-axes path of reduce_mean (rows split over threads) against the general walk
// it replaces there: the same mean over the first axis of the transposed tensor.
TEST(HostThreads, TrailingReduceMeanMatchesTheGeneralWalk) {
  const Tensor x = values({5, 7, 2000}, 12);
  const Tensor trailing = reduce_mean(x, {2}, false, 2);
  const Tensor walked = reduce_mean(transpose(x, {2, 0, 1}), {0}, false);
  EXPECT_EQ(count_bit_differences(trailing, walked), 0);
}

TEST(HostThreads, TransposeAndBiasGiveTheSameBits) {
  const Tensor x = values({1025, 17, 4, 16}, 13);
  for (const std::vector<int>& perm : {std::vector<int>{0, 2, 1, 3}, {3, 2, 1, 0}, {1, 0, 2, 3}, {0, 1, 3, 2}})
    same_on_any_thread_count("transpose", [&](int t) { return transpose(x, perm, t); });
  const Tensor maps = values({1025, 16, 8, 8}, 14), bias = values({16}, 15);
  same_on_any_thread_count("add_bias", [&](int t) {
    Tensor y = maps;
    add_bias(y, bias, t);
    return y;
  });
}

}  // namespace
}  // namespace accsim
