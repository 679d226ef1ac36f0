// Broadcasting binary operators against a naive reference that decomposes every output index
// on its own and computes in double (for + - * / a double result rounded once to float is
// the correctly rounded float result, so those must agree bit for bit).
#include "kernels/broadcast_ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "test_util.h"

namespace accsim {
namespace {

using testing::random_tensor;
using testing::same_bits;

const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

double reference_op(double a, double b, BinaryOp op) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return a / b;
    case BinaryOp::pow: return std::pow(a, b);
  }
  return 0.0;
}

// The element of x (right-aligned against `out`) that output multi-index `idx` reads.
float read_broadcast(const Tensor& x, const std::vector<int>& out, const std::vector<int>& idx) {
  std::size_t flat = 0;
  const std::size_t lead = out.size() - x.rank();
  for (std::size_t i = 0; i < x.rank(); ++i) flat = flat * x.dim(i) + (x.dim(i) == 1 ? 0 : idx[lead + i]);
  return x[flat];
}

Tensor reference_binary(const Tensor& a, const Tensor& b, BinaryOp op, const std::vector<int>& out) {
  Tensor y(out);
  for (std::size_t f = 0; f < y.size(); ++f) {
    std::vector<int> idx(out.size());
    std::size_t rest = f;
    for (std::size_t i = out.size(); i-- > 0;) {
      idx[i] = static_cast<int>(rest % out[i]);
      rest /= out[i];
    }
    y[f] = static_cast<float>(reference_op(read_broadcast(a, out, idx), read_broadcast(b, out, idx), op));
  }
  return y;
}

TEST(BroadcastOps, ShapeFollowsNumpyRules) {
  using S = std::vector<int>;
  EXPECT_EQ(broadcast_shape({2, 3, 4}, {4}), (S{2, 3, 4}));
  EXPECT_EQ(broadcast_shape({3, 1}, {1, 4}), (S{3, 4}));
  EXPECT_EQ(broadcast_shape({}, {2, 2}), (S{2, 2}));
  EXPECT_EQ(broadcast_shape({2, 2}, {}), (S{2, 2}));
  EXPECT_EQ(broadcast_shape({5, 1, 3}, {4, 1}), (S{5, 4, 3}));
  EXPECT_EQ(broadcast_shape({0, 3}, {1, 3}), (S{0, 3}));
  EXPECT_EQ(broadcast_shape({1}, {0}), (S{0}));
  EXPECT_THROW(broadcast_shape({3}, {4}), std::invalid_argument);
  EXPECT_THROW(broadcast_shape({0}, {2}), std::invalid_argument);
  EXPECT_THROW(broadcast_shape({2, 3}, {3, 3}), std::invalid_argument);
}

TEST(BroadcastOps, ErrorNamesBothShapes) {
  try {
    binary_op(Tensor({2, 3}), Tensor({4}), BinaryOp::add);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("[2,3]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[4]"), std::string::npos) << e.what();
  }
}

TEST(BroadcastOps, HandComputedColumnMinusRow) {
  Tensor a({2, 1});
  a.values() = {1, 2};
  Tensor b({3});
  b.values() = {10, 20, 30};
  const Tensor y = binary_op(a, b, BinaryOp::sub);
  EXPECT_EQ(y.shape(), (std::vector<int>{2, 3}));
  EXPECT_EQ(y.values(), (std::vector<float>{-9, -19, -29, -8, -18, -28}));
}

TEST(BroadcastOps, DivisionByZerosAndNanFollowIeee) {
  Tensor a({4});
  a.values() = {1, -1, 0, 1};
  Tensor b({4});
  b.values() = {0.0f, 0.0f, 0.0f, -0.0f};
  const Tensor y = binary_op(a, b, BinaryOp::div);
  EXPECT_EQ(y[0], kInf);
  EXPECT_EQ(y[1], -kInf);
  EXPECT_TRUE(std::isnan(y[2]));
  EXPECT_EQ(y[3], -kInf);
  Tensor nan({}, kNan);
  for (auto op : {BinaryOp::add, BinaryOp::sub, BinaryOp::mul, BinaryOp::div}) {
    const Tensor r = binary_op(a, nan, op);
    for (float v : r.values()) EXPECT_TRUE(std::isnan(v));
  }
}

// Values printed by PyTorch 1.13 for torch.pow(tensor([-2., nan, 1., 0., -8.]), tensor([.5, 0., nan, -1., 1/3])).
TEST(BroadcastOps, PowSpecialValuesMatchPyTorch) {
  Tensor a({5});
  a.values() = {-2.0f, kNan, 1.0f, 0.0f, -8.0f};
  Tensor b({5});
  b.values() = {0.5f, 0.0f, kNan, -1.0f, 1.0f / 3.0f};
  const Tensor y = binary_op(a, b, BinaryOp::pow);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], 1.0f);
  EXPECT_EQ(y[2], 1.0f);
  EXPECT_EQ(y[3], kInf);
  EXPECT_TRUE(std::isnan(y[4]));
}

std::vector<int> random_shape(Rng& rng, std::size_t rank) {
  std::vector<int> s(rank);
  for (auto& d : s) d = 1 + static_cast<int>(rng.below(4));
  return s;
}

// An operand that broadcasts to `out`: leading dimensions dropped, some others set to 1.
std::vector<int> operand_shape(Rng& rng, const std::vector<int>& out) {
  std::vector<int> s(out.begin() + static_cast<long>(rng.below(out.size() + 1)), out.end());
  for (auto& d : s)
    if (rng.below(3) == 0) d = 1;
  return s;
}

void sprinkle_specials(Tensor& t, Rng& rng) {
  const float specials[] = {kNan, kInf, -kInf, 0.0f, -0.0f, 1e-40f, 3e38f};
  for (auto& v : t.values())
    if (rng.below(6) == 0) v = specials[rng.below(7)];
}

TEST(BroadcastOps, RandomShapesMatchNaiveReferenceBitForBit) {
  Rng rng(1301);
  for (int trial = 0; trial < 300; ++trial) {
    const auto out = random_shape(rng, rng.below(5));
    Tensor a = random_tensor(operand_shape(rng, out), rng, -4.0f, 4.0f);
    Tensor b = random_tensor(operand_shape(rng, out), rng, -4.0f, 4.0f);
    if (trial % 2) std::swap(a, b);
    sprinkle_specials(a, rng);
    sprinkle_specials(b, rng);
    for (auto op : {BinaryOp::add, BinaryOp::sub, BinaryOp::mul, BinaryOp::div}) {
      const Tensor y = binary_op(a, b, op);
      const Tensor r = reference_binary(a, b, op, broadcast_shape(a.shape(), b.shape()));
      ASSERT_EQ(y.shape(), r.shape());
      for (std::size_t i = 0; i < y.size(); ++i)
        ASSERT_TRUE(same_bits(y[i], r[i]) || (std::isnan(y[i]) && std::isnan(r[i])))
            << "trial " << trial << " op " << static_cast<int>(op) << " element " << i << ": " << y[i] << " vs "
            << r[i];
    }
  }
}

TEST(BroadcastOps, PowWithinOneUlpOfDoublePow) {
  Rng rng(1302);
  for (int trial = 0; trial < 100; ++trial) {
    const auto out = random_shape(rng, rng.below(4));
    Tensor a = random_tensor(operand_shape(rng, out), rng, -3.0f, 3.0f);
    Tensor b = random_tensor(operand_shape(rng, out), rng, -3.0f, 3.0f);
    for (auto& v : b.values())
      if (rng.below(3) == 0) v = std::round(v);  // integer exponents of negative bases are defined
    sprinkle_specials(a, rng);
    const Tensor y = binary_op(a, b, BinaryOp::pow);
    const Tensor r = reference_binary(a, b, BinaryOp::pow, broadcast_shape(a.shape(), b.shape()));
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (std::isnan(r[i]) || std::isinf(r[i])) {
        ASSERT_TRUE(same_bits(y[i], r[i]) || (std::isnan(y[i]) && std::isnan(r[i]))) << y[i] << " vs " << r[i];
        continue;
      }
      ASSERT_LE(std::fabs(y[i] - r[i]), std::fabs(r[i]) * 1.2e-7f + 1e-38f) << "trial " << trial << ": " << y[i]
                                                                             << " vs " << r[i];
    }
  }
}

TEST(BroadcastOps, ZeroSizedOperandGivesEmptyResult) {
  const Tensor y = binary_op(Tensor({0, 3}), Tensor({1, 3}, 2.0f), BinaryOp::mul);
  EXPECT_EQ(y.shape(), (std::vector<int>{0, 3}));
  EXPECT_EQ(y.size(), 0u);
}

TEST(BroadcastOps, BroadcastToRepeatsAlongUnitAndLeadingDimensions) {
  Tensor x({3, 1});
  x.values() = {1, 2, 3};
  const Tensor y = broadcast_to(x, {2, 3, 2});
  EXPECT_EQ(y.values(), (std::vector<float>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  EXPECT_EQ(broadcast_to(Tensor({}, 7.0f), {2}).values(), (std::vector<float>{7, 7}));
  EXPECT_THROW(broadcast_to(Tensor({3}), {4}), std::invalid_argument);
  EXPECT_THROW(broadcast_to(Tensor({2, 3}), {3}), std::invalid_argument);
  EXPECT_THROW(broadcast_to(Tensor({3}), {3, 1}), std::invalid_argument);  // would need a 3-wide last dim
}

}  // namespace
}  // namespace accsim
