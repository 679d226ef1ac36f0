// Graph operators on the array: Conv (groups, depthwise, dilation, asymmetric pads),
// Gemm and MatMul (batched, broadcast, rank-1) against naive references written here,
// and the fast engine bit for bit against the cycle model on the same lowered jobs.
#include "workloads/models/array_runner.h"

#include <gtest/gtest.h>

#include <cmath>

#include "arch/hardware_fault.h"
#include "arch/number_format.h"
#include "arch/pe_faults.h"
#include "test_util.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::preset;
using testing::random_tensor;

// Textbook grouped, dilated, asymmetrically padded convolution in double.
Tensor naive_conv(const Tensor& x, const Tensor& w, const ConvAttributes& a) {
  const int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
  const int k = w.dim(0), cg = w.dim(1), r = w.dim(2), s = w.dim(3), kg = k / a.group;
  const int p = (h + a.pads[0] + a.pads[2] - (r - 1) * a.dilation - 1) / a.stride + 1;
  const int q = (wd + a.pads[1] + a.pads[3] - (s - 1) * a.dilation - 1) / a.stride + 1;
  Tensor y({n, k, p, q});
  for (int b = 0; b < n; ++b)
    for (int o = 0; o < k; ++o)
      for (int i = 0; i < p; ++i)
        for (int j = 0; j < q; ++j) {
          double acc = 0;
          for (int ci = 0; ci < cg; ++ci)
            for (int u = 0; u < r; ++u)
              for (int v = 0; v < s; ++v) {
                const int row = i * a.stride + u * a.dilation - a.pads[0], col = j * a.stride + v * a.dilation - a.pads[1];
                if (row < 0 || row >= h || col < 0 || col >= wd) continue;
                const int channel = (o / kg) * cg + ci;
                acc += static_cast<double>(x[((static_cast<std::size_t>(b) * c + channel) * h + row) * wd + col]) *
                       w[((static_cast<std::size_t>(o) * cg + ci) * r + u) * s + v];
              }
          y[((static_cast<std::size_t>(b) * k + o) * p + i) * q + j] = static_cast<float>(acc);
        }
  return y;
}

// numpy matmul of stacks with equal batch dims or a rank-2 right operand, in double.
Tensor naive_matmul(const Tensor& a, const Tensor& b, std::vector<int> out_shape) {
  const int m = a.dim(a.rank() - 2), k = a.dim(a.rank() - 1), n = b.dim(b.rank() - 1);
  const std::size_t count = a.size() / (static_cast<std::size_t>(m) * k);
  const bool shared_b = b.rank() == 2;
  Tensor y(std::move(out_shape));
  for (std::size_t t = 0; t < count; ++t)
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) {
        double acc = 0;
        for (int l = 0; l < k; ++l)
          acc += static_cast<double>(a[(t * m + i) * k + l]) * b[((shared_b ? 0 : t) * k + l) * n + j];
        y[(t * m + i) * n + j] = static_cast<float>(acc);
      }
  return y;
}

void expect_close(const Tensor& got, const Tensor& want) {
  ASSERT_EQ(got.shape(), want.shape());
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-4f * (1 + std::fabs(want[i]))) << "element " << i;
}

struct ConvCase {
  std::vector<int> x, w;
  ConvAttributes a;
};

const std::vector<ConvCase>& conv_cases() {
  static const std::vector<ConvCase> cases = {
      {{2, 6, 9, 9}, {4, 6, 3, 3}, {1, 1, 1, {1, 1, 1, 1}, {}}},
      {{1, 6, 9, 8}, {6, 2, 3, 3}, {3, 2, 1, {0, 1, 1, 0}, {}}},     // groups, stride 2, asymmetric pads
      {{2, 16, 7, 7}, {16, 1, 3, 3}, {16, 1, 1, {1, 1, 1, 1}, {}}},  // depthwise
      {{1, 12, 7, 7}, {24, 1, 3, 3}, {12, 2, 1, {1, 1, 1, 1}, {}}},  // depthwise, multiplier 2
      {{1, 5, 11, 10}, {3, 5, 3, 2}, {1, 1, 2, {2, 1, 2, 1}, {}}},   // dilation 2
      {{1, 4, 12, 12}, {8, 4, 3, 3}, {1, 1, 3, {0, 0, 0, 0}, {}}},   // dilation 3, no pads
  };
  return cases;
}

TEST(ArrayRunner, ConvMatchesNaiveReferenceForGroupsDilationAndAsymmetricPads) {
  const ArrayConfig array = preset("small");
  const PeFaults none;
  Rng rng(11);
  for (const auto& c : conv_cases()) {
    FastEngine engine(array, none);
    ArrayRunner runner(engine, true);
    const Tensor x = random_tensor(c.x, rng), w = random_tensor(c.w, rng);
    expect_close(runner.conv("conv", x, w, c.a), naive_conv(x, w, c.a));
    EXPECT_GT(runner.cycles(), 0);
    const std::size_t phases = c.a.dilation * c.a.dilation;
    EXPECT_EQ(runner.jobs().size(), static_cast<std::size_t>(c.a.group) * phases);
  }
}

TEST(ArrayRunner, MatmulMatchesNaiveReferenceAndLowersAttentionPerHead) {
  const ArrayConfig array = preset("small");
  const PeFaults none;
  Rng rng(12);
  FastEngine engine(array, none);
  ArrayRunner runner(engine, true);
  const Tensor q = random_tensor({2, 3, 5, 4}, rng), kt = random_tensor({2, 3, 4, 5}, rng);
  expect_close(runner.matmul("qk", q, kt), naive_matmul(q, kt, {2, 3, 5, 5}));
  EXPECT_EQ(runner.jobs().size(), 6u);  // one job per image and head, K stationary
  EXPECT_EQ(runner.jobs()[0].job.shape.k, 5);
  EXPECT_EQ(runner.jobs()[0].job.shape.c, 4);
  const Tensor x = random_tensor({2, 7, 6}, rng), w = random_tensor({6, 9}, rng);
  expect_close(runner.matmul("linear", x, w), naive_matmul(x, w, {2, 7, 9}));
  EXPECT_EQ(runner.jobs().size(), 7u);  // one job for all 14 rows of x
  EXPECT_EQ(runner.jobs().back().job.shape.n, 14);
  const Tensor v = random_tensor({6}, rng);
  expect_close(runner.matmul("vec", x, v), naive_matmul(x, v.reshaped({6, 1}), {2, 7}));
}

TEST(ArrayRunner, GemmTransposesMatchNaiveReference) {
  const ArrayConfig array = preset("small");
  const PeFaults none;
  Rng rng(13);
  FastEngine engine(array, none);
  ArrayRunner runner(engine, false);
  const Tensor a = random_tensor({5, 3}, rng), b = random_tensor({4, 5}, rng);
  // op(A) = A^T [3, 5], op(B) = B^T [5, 4]
  Tensor at({3, 5}), bt({5, 4});
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 3; ++j) at[j * 5 + i] = a[i * 3 + j];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 5; ++j) bt[j * 4 + i] = b[i * 5 + j];
  expect_close(runner.gemm("gemm", a, b, true, true), naive_matmul(at, bt, {3, 4}));
  EXPECT_TRUE(runner.jobs().empty());  // not recorded
}

// Passes jobs on to the fast engine and keeps where each job's weights lay and their shape.
class WeightsSpy : public Engine {
 public:
  explicit WeightsSpy(Engine& inner) : inner_(inner) {}
  std::string name() const override { return "spy"; }
  JobResult run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) override {
    jobs.push_back(job);
    data.push_back(weights.data());
    shapes.push_back(weights.shape());
    return inner_.run(job, input, weights, start_cycle);
  }
  JobResult run_encoded(const ConvJob& job, const ArrayOperands& operands, long long start_cycle) override {
    return inner_.run_encoded(job, operands, start_cycle);
  }
  std::vector<ConvJob> jobs;
  std::vector<const float*> data;
  std::vector<std::vector<int>> shapes;

 private:
  Engine& inner_;
};

// With transB the Gemm's [n, k] weights are the job's operand where they lie (no copy per
// call), read afresh on every call (weights changed in place between calls give the new
// product, bit for bit the job on a [n, k, 1, 1] copy); a record keeps its own copy as
// [n, k, 1, 1], as every job's.
TEST(ArrayRunner, GemmWeightsAreTheJobsOperandWhereTheyLie) {
  const ArrayConfig array = preset("small");
  const PeFaults none;
  Rng rng(17);
  FastEngine fast(array, none);
  const Tensor a = random_tensor({3, 40}, rng);
  Tensor b = random_tensor({20, 40}, rng);
  const auto product = [&](const ConvJob& job, const Tensor& weights) {  // the job on a [n, k, 1, 1] copy
    return fast.run(job, a.reshaped({3, 40, 1, 1}), weights.reshaped({20, 40, 1, 1}), 0).output.reshaped({3, 20});
  };
  WeightsSpy spy(fast);
  ArrayRunner runner(spy, false);
  std::vector<Tensor> ys;
  for (int call = 0; call < 2; ++call) {
    const Tensor& y = ys.emplace_back(runner.gemm("fc", a, b, false, true));
    EXPECT_EQ(spy.data.back(), b.data()) << call;
    EXPECT_EQ(spy.shapes.back(), std::vector<int>({20, 40})) << call;
    EXPECT_EQ(testing::count_bit_differences(y, product(spy.jobs.back(), b)), 0) << call;
    b.data()[7 * 40 + 3] = -2.0f * b.data()[7 * 40 + 3];  // changed in place for the next call
  }
  EXPECT_GT(testing::count_bit_differences(ys[0], ys[1]), 0);  // the change shows
  ArrayRunner recorder(fast, true);
  recorder.gemm("fc", a, b, false, true);
  ASSERT_EQ(recorder.jobs().size(), 1u);
  EXPECT_EQ(recorder.jobs()[0].weights.shape(), std::vector<int>({20, 40, 1, 1}));
  EXPECT_NE(recorder.jobs()[0].weights.data(), b.data());
  EXPECT_EQ(recorder.jobs()[0].weights.values(), b.values());
}

// The same graph operators on both engines with faults: bit-identical values and cycles.
TEST(ArrayRunner, FastAndCycleEnginesAgreeBitForBitOnGroupedConvAndBatchedMatmul) {
  for (const char* name : {"small", "large"}) {
    const ArrayConfig array = preset(name);
    HardwareFault weight, psum, product;
    weight.site = FaultSite::weight, weight.row = 0, weight.col = 1, weight.bit = 30, weight.kind = FaultKind::stuck_at_1;
    psum.site = FaultSite::psum, psum.col = 2, psum.bit = 27, psum.kind = FaultKind::stuck_at_0;
    product.site = FaultSite::product, product.row = 1, product.col = 0, product.bit = 29, product.kind = FaultKind::transient;
    product.cycle = 40;
    const std::vector<HardwareFault> faults = {weight, psum, product};
    const PeFaults pe(array, faults);
    Rng rng(14);
    auto fast = make_engine("fast", array, pe);
    auto cycle = make_engine("cycle", array, pe);
    ArrayRunner a(*fast, true), b(*cycle, true);
    const auto& c = conv_cases()[1];
    const Tensor x = random_tensor(c.x, rng), w = random_tensor(c.w, rng);
    const Tensor y = a.conv("g", x, w, c.a);
    EXPECT_EQ(testing::count_bit_differences(y, b.conv("g", x, w, c.a)), 0);
    const Tensor q = random_tensor({1, 2, 9, 8}, rng), k = random_tensor({1, 2, 8, 9}, rng);
    const Tensor z = a.matmul("m", q, k);
    EXPECT_EQ(testing::count_bit_differences(z, b.matmul("m", q, k)), 0);
    const PeFaults healthy;
    FastEngine clean(array, healthy);
    ArrayRunner reference(clean, false);
    EXPECT_GT(testing::count_bit_differences(y, reference.conv("g", x, w, c.a)), 0);  // the faults act
    EXPECT_GT(testing::count_bit_differences(z, reference.matmul("m", q, k)), 0);
    EXPECT_EQ(a.cycles(), b.cycles());
  }
}

HardwareFault fault(FaultSite site, int row, int col, int bit, FaultKind kind, long long cycle = -1) {
  HardwareFault f;
  f.site = site, f.row = row, f.col = col, f.bit = bit, f.kind = kind, f.cycle = cycle;
  return f;
}

// A depthwise conv's groups all run on PE (0, 0) (one row, one column, no swizzle) and a
// batched attention's matrices on the array's corner: with faults there (stuck-ats, and
// a transient inside the fourth job, which only a job started at the right cycle sees),
// the fast engine splitting the jobs over 2 threads gives the bits, cycles and recorded
// jobs of the fast engine on 1 thread and of the cycle model; fault-free, the naive
// reference's values.
TEST(ArrayRunner, DepthwiseAndBatchedMatmulJobsSplitOverThreadsMatchOneThreadAndTheCycleModel) {
  const ArrayConfig array = preset("small");
  Rng rng(16);
  const auto& c = conv_cases()[2];  // depthwise, 16 groups
  const Tensor x = random_tensor(c.x, rng), w = random_tensor(c.w, rng);
  const Tensor q = random_tensor({2, 4, 5, 6}, rng), k = random_tensor({2, 4, 6, 5}, rng);
  const PeFaults healthy;
  FastEngine clean(array, healthy, 2);
  ArrayRunner plain(clean, true);
  expect_close(plain.conv("dw", x, w, c.a), naive_conv(x, w, c.a));
  expect_close(plain.matmul("qk", q, k), naive_matmul(q, k, {2, 4, 5, 5}));
  const long long hit = (plain.jobs()[3].start_cycle + plain.jobs()[4].start_cycle) / 2;  // inside the fourth group's job
  const PeFaults pe(array, {fault(FaultSite::input, 0, 0, 29, FaultKind::stuck_at_0),
                            fault(FaultSite::psum, 0, 0, 3, FaultKind::stuck_at_1),
                            fault(FaultSite::product, 0, 0, 27, FaultKind::transient, hit)});
  FastEngine one(array, pe, 1), two(array, pe, 2);
  auto cycle = make_engine("cycle", array, pe);
  ArrayRunner a(one, true), b(two, true), m(*cycle, true);
  const Tensor y = a.conv("dw", x, w, c.a), z = a.matmul("qk", q, k);
  EXPECT_GT(testing::count_bit_differences(y, plain.conv("dw", x, w, c.a)), 0);  // the faults act
  for (ArrayRunner* other : {&b, &m}) {
    EXPECT_EQ(testing::count_bit_differences(y, other->conv("dw", x, w, c.a)), 0);
    EXPECT_EQ(testing::count_bit_differences(z, other->matmul("qk", q, k)), 0);
    EXPECT_EQ(other->cycles(), a.cycles());
    ASSERT_EQ(other->jobs().size(), a.jobs().size());
    for (std::size_t i = 0; i < a.jobs().size(); ++i) {
      EXPECT_EQ(other->jobs()[i].start_cycle, a.jobs()[i].start_cycle);
      EXPECT_EQ(other->jobs()[i].job.layer, a.jobs()[i].job.layer);
      EXPECT_EQ(testing::count_bit_differences(other->jobs()[i].output, a.jobs()[i].output), 0) << i;
      EXPECT_EQ(testing::count_bit_differences(other->jobs()[i].input, a.jobs()[i].input), 0) << i;
    }
  }
  // The transient changed the fourth group's output channel only.
  const PeFaults stuck(array, {fault(FaultSite::input, 0, 0, 29, FaultKind::stuck_at_0),
                               fault(FaultSite::psum, 0, 0, 3, FaultKind::stuck_at_1)});
  FastEngine stuck_engine(array, stuck, 2);
  ArrayRunner s(stuck_engine, true);
  const Tensor ys = s.conv("dw", x, w, c.a);
  for (int ch = 0; ch < 16; ++ch) {
    long long differ = 0;
    for (int n = 0; n < y.dim(0); ++n)
      for (int i = 0; i < y.dim(2) * y.dim(3); ++i) {
        const std::size_t at = (static_cast<std::size_t>(n) * 16 + ch) * y.dim(2) * y.dim(3) + i;
        differ += float_bits(y[at]) != float_bits(ys[at]);
      }
    EXPECT_EQ(differ > 0, ch == 3) << "channel " << ch;
  }
}

// A job's kind follows its operator (a Conv is a conv even on a 1x1 input with a 1x1
// kernel; Gemm and MatMul are fc); its swizzle seed is its name's hash unless the node
// pins one: then its i-th job takes seed + i.
TEST(ArrayRunner, JobKindsFollowTheOperatorAndPinnedSeedsNumberTheNodesJobs) {
  const ArrayConfig array = preset("small");
  const PeFaults none;
  Rng rng(15);
  FastEngine engine(array, none);
  ArrayRunner runner(engine, true);
  const Tensor x = random_tensor({2, 4, 1, 1}, rng), w = random_tensor({6, 2, 1, 1}, rng);
  ConvAttributes grouped;
  grouped.group = 2;
  runner.conv("pinned", x, w, grouped, 7);
  runner.conv("hashed", x, w, grouped);
  runner.gemm("fc", random_tensor({3, 5}, rng), random_tensor({5, 4}, rng), false, false, 9);
  const auto& jobs = runner.jobs();
  ASSERT_EQ(jobs.size(), 5u);
  EXPECT_EQ(jobs[0].job.kind, JobKind::forward_conv);
  EXPECT_EQ(jobs[0].job.swizzle_seed, 7u);
  EXPECT_EQ(jobs[1].job.swizzle_seed, 8u);
  EXPECT_EQ(jobs[1].job.layer, "pinned/g1");
  EXPECT_NE(jobs[2].job.swizzle_seed, jobs[3].job.swizzle_seed);  // hashes of hashed/g0, hashed/g1
  EXPECT_NE(jobs[2].job.swizzle_seed, 7u);
  EXPECT_EQ(jobs[4].job.kind, JobKind::forward_fc);
  EXPECT_EQ(jobs[4].job.swizzle_seed, 9u);
}

}  // namespace
}  // namespace accsim
