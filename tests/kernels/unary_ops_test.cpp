// Unary operators against values printed by PyTorch 1.13 (pasted below) and against double
// precision formulas on random inputs.
#include "kernels/unary_ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <vector>

#include "arch/number_format.h"
#include "test_util.h"

namespace accsim {
namespace {

using testing::same_bits;

const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

// |y - r| within `ulps` float ulps of r plus an absolute slack (for results that cancel).
void expect_close(float y, double r, double ulps, double abs_slack, const std::string& what) {
  if (std::isinf(r)) {
    EXPECT_EQ(y, r) << what;
    return;
  }
  const double tol = ulps * std::ldexp(1.0, -23) * std::fabs(r) + abs_slack;
  EXPECT_LE(std::fabs(static_cast<double>(y) - r), tol) << what << ": " << y << " vs " << r;
}

Tensor vec(std::vector<float> v) {
  Tensor t({static_cast<int>(v.size())});
  t.values().assign(v.begin(), v.end());
  return t;
}

// Printed by PyTorch 1.13 (%.9g) for x = [-6, -2.5, -1, -0.3, 0, 0.7, 1.5, 4, 9]:
// torch.relu, F.leaky_relu(x, 0.2), torch.sigmoid, tanh, erf, F.gelu, exp, neg, reciprocal; sqrt of |x|.
TEST(UnaryOps, MatchValuesPrintedByPyTorch) {
  const Tensor x = vec({-6.0f, -2.5f, -1.0f, -0.3f, 0.0f, 0.7f, 1.5f, 4.0f, 9.0f});
  const std::map<UnaryOp, std::vector<float>> torch{
      {UnaryOp::relu, {0, 0, 0, 0, 0, 0.699999988f, 1.5f, 4, 9}},
      {UnaryOp::leaky_relu,
       {-1.20000005f, -0.5f, -0.200000003f, -0.0600000024f, 0, 0.699999988f, 1.5f, 4, 9}},
      {UnaryOp::sigmoid,
       {0.00247262302f, 0.0758581758f, 0.268941432f, 0.425557494f, 0.5f, 0.668187737f, 0.817574441f,
        0.982013762f, 0.999876618f}},
      {UnaryOp::tanh,
       {-0.999987721f, -0.986614287f, -0.761594176f, -0.291312635f, 0, 0.604367793f, 0.905148268f,
        0.999329329f, 1}},
      {UnaryOp::erf,
       {-1, -0.999593019f, -0.842700779f, -0.328626782f, 0, 0.677801192f, 0.966105163f, 1, 1}},
      {UnaryOp::gelu,
       {0, -0.0155241787f, -0.158655286f, -0.114626586f, 0, 0.530625463f, 1.39978909f, 3.99987316f, 9}},
      {UnaryOp::exp,
       {0.00247875229f, 0.0820849985f, 0.36787945f, 0.740818202f, 1, 2.0137527f, 4.48168898f, 54.5981522f,
        8103.08398f}},
      {UnaryOp::neg, {6, 2.5f, 1, 0.300000012f, -0.0f, -0.699999988f, -1.5f, -4, -9}},
      {UnaryOp::reciprocal,
       {-0.166666672f, -0.400000006f, -1, -3.33333325f, kInf, 1.42857146f, 0.666666687f, 0.25f,
        0.111111112f}},
  };
  for (const auto& [op, expected] : torch) {
    const Tensor y = unary_op(x, op, 0.2f);
    for (std::size_t i = 0; i < x.size(); ++i)  // gelu cancels in 1 + erf for negative x
      expect_close(y[i], expected[i], 2, op == UnaryOp::gelu ? 4e-8 * std::fabs(x[i]) : 0.0,
                   "op " + std::to_string(static_cast<int>(op)) + " x=" + std::to_string(x[i]));
  }
  const Tensor ys = unary_op(vec({6, 2.5f, 1, 0.3f, 0, 0.7f, 1.5f, 4, 9}), UnaryOp::sqrt);
  const float sq[] = {2.44948983f, 1.58113885f, 1, 0.547722578f, 0, 0.836660028f, 1.22474492f, 2, 3};
  for (std::size_t i = 0; i < ys.size(); ++i) expect_close(ys[i], sq[i], 1, 0, "sqrt");
}

// PyTorch 1.13 on x = [-inf, inf, nan, -0.0] (str of each output element).
TEST(UnaryOps, InfinitiesNanAndSignedZeroAsPyTorch) {
  const Tensor x = vec({-kInf, kInf, kNan, -0.0f});
  const std::map<UnaryOp, std::vector<float>> torch{
      {UnaryOp::relu, {0.0f, kInf, kNan, -0.0f}},       {UnaryOp::leaky_relu, {-kInf, kInf, kNan, -0.0f}},
      {UnaryOp::sigmoid, {0.0f, 1.0f, kNan, 0.5f}},      {UnaryOp::tanh, {-1.0f, 1.0f, kNan, -0.0f}},
      {UnaryOp::erf, {-1.0f, 1.0f, kNan, -0.0f}},        {UnaryOp::exp, {0.0f, kInf, kNan, 1.0f}},
      {UnaryOp::neg, {kInf, -kInf, kNan, 0.0f}},         {UnaryOp::reciprocal, {-0.0f, 0.0f, kNan, -kInf}},
      {UnaryOp::sqrt, {kNan, kInf, kNan, -0.0f}},
  };
  for (const auto& [op, expected] : torch) {
    const Tensor y = unary_op(x, op);
    for (std::size_t i = 0; i < x.size(); ++i)
      EXPECT_TRUE(same_bits(y[i], expected[i]) || (std::isnan(y[i]) && std::isnan(expected[i])))
          << "op " << static_cast<int>(op) << " x=" << x[i] << ": " << y[i] << " vs " << expected[i];
  }
  // gelu: PyTorch gives [nan, inf, nan, 0] (-inf * 0 is NaN); its zero's sign is not compared.
  const Tensor g = unary_op(x, UnaryOp::gelu);
  EXPECT_TRUE(std::isnan(g[0]));
  EXPECT_EQ(g[1], kInf);
  EXPECT_TRUE(std::isnan(g[2]));
  EXPECT_EQ(g[3], 0.0f);
}

double reference(double x, UnaryOp op, double alpha) {
  switch (op) {
    case UnaryOp::relu: return x > 0 ? x : 0.0;
    case UnaryOp::leaky_relu: return x > 0 ? x : alpha * x;
    case UnaryOp::sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case UnaryOp::tanh: return std::tanh(x);
    case UnaryOp::erf: return std::erf(x);
    case UnaryOp::gelu: return 0.5 * x * std::erfc(-x / std::sqrt(2.0));  // erfc: no cancellation
    case UnaryOp::sqrt: return std::sqrt(std::fabs(x));
    case UnaryOp::exp: return std::exp(x);
    case UnaryOp::neg: return -x;
    case UnaryOp::reciprocal: return 1.0 / x;
    case UnaryOp::identity: return x;
  }
  return 0.0;
}

TEST(UnaryOps, RandomInputsWithinFewUlpsOfDoubleFormulas) {
  Rng rng(1311);
  const Tensor x = testing::random_tensor({3, 5, 7}, rng, -8.0f, 8.0f);
  Tensor ax = x;
  for (auto& v : ax.values()) v = std::fabs(v);
  for (int k = 0; k <= static_cast<int>(UnaryOp::identity); ++k) {
    const auto op = static_cast<UnaryOp>(k);
    const Tensor& in = op == UnaryOp::sqrt ? ax : x;
    const Tensor y = unary_op(in, op, 0.125f);
    ASSERT_EQ(y.shape(), in.shape());
    for (std::size_t i = 0; i < y.size(); ++i)  // gelu's float 1 + erf loses ~2^-24 absolute
      expect_close(y[i], reference(in[i], op, 0.125), 4, op == UnaryOp::gelu ? 6e-8 * std::fabs(in[i]) : 0.0,
                   "op " + std::to_string(k) + " x=" + std::to_string(in[i]));
  }
}

TEST(UnaryOps, IdentityKeepsEveryBitAndShape) {
  Tensor x({2, 1, 2});
  x.values() = {bits_float(0x7fa00001u), -0.0f, kInf, 1e-45f};
  const Tensor y = unary_op(x, UnaryOp::identity);
  EXPECT_EQ(y.shape(), x.shape());
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_TRUE(same_bits(y[i], x[i]));
}

}  // namespace
}  // namespace accsim
