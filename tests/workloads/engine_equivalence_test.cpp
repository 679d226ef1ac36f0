// The fast engine is checked bit for bit against the cycle-level SystemC model.
#include <gtest/gtest.h>

#include "arch/hardware_fault.h"
#include "arch/job_timing.h"
#include "arch/pass_lowering.h"
#include "test_util.h"
#include "workloads/engines.h"

namespace accsim {
namespace {

using testing::preset;
using testing::random_tensor;

struct Case {
  ArrayConfig array;
  ConvJob job;
  std::vector<HardwareFault> faults;
  long long start = 0;
};

// One random case from a seed: shape, preset, swizzle, 1..4 faults of any site/kind;
// the job is the given pass of a random layer.
Case random_case(std::uint64_t seed, Pass pass = Pass::forward) {
  Rng rng(seed);
  Case c;
  c.array = preset(rng.below(2) ? "large" : "small");
  c.array.swizzle = static_cast<SwizzlePolicy>(rng.below(4));
  if (rng.below(3) == 0) c.array.stripe_length = 1 + static_cast<int>(rng.below(20));
  if (rng.below(3) == 0) c.array.weight_load_bytes_per_cycle = 1 + static_cast<int>(rng.below(300));
  ConvShape& s = c.job.shape;
  const bool large = c.array.atomic_c > 8;
  s.n = 1 + static_cast<int>(rng.below(2));
  s.c = 1 + static_cast<int>(rng.below(large ? 90 : 20));
  s.k = 1 + static_cast<int>(rng.below(large ? 50 : 20));
  s.r = s.s = 1 + static_cast<int>(rng.below(3));
  s.stride = 1 + static_cast<int>(rng.below(2));
  s.pad = static_cast<int>(rng.below(static_cast<std::uint64_t>(s.r)));
  s.h = s.r + static_cast<int>(rng.below(6));
  s.w = s.s + static_cast<int>(rng.below(6));
  c.job.layer = "case";
  c.job.swizzle_seed = rng.next();
  if (pass != Pass::forward) {
    c.job.kind = pass == Pass::backward_data ? JobKind::backward_data : JobKind::backward_weight;
    s = lowered_shape(c.job, pass);
  }
  c.start = static_cast<long long>(rng.below(50));
  const long long cycles = closed_form_timing(s, c.array).cycles;
  const int nfaults = 1 + static_cast<int>(rng.below(4));
  for (int i = 0; i < nfaults; ++i) {
    HardwareFault f;
    f.site = static_cast<FaultSite>(rng.below(5));
    f.kind = static_cast<FaultKind>(rng.below(3));
    f.row = static_cast<int>(rng.below(static_cast<std::uint64_t>(
        f.site == FaultSite::accumulator ? c.array.stripe_length : c.array.atomic_c)));
    if (f.site == FaultSite::psum) f.row = 0;
    // Faults land on used rows/columns often enough to matter.
    f.col = static_cast<int>(rng.below(static_cast<std::uint64_t>(std::min(c.array.atomic_k, s.k + 1))));
    if (f.site != FaultSite::accumulator && rng.below(2))
      f.row = static_cast<int>(rng.below(static_cast<std::uint64_t>(std::min(c.array.atomic_c, s.c))));
    f.bit = static_cast<int>(rng.below(32));
    if (f.kind == FaultKind::transient) f.cycle = c.start + static_cast<long long>(rng.below(static_cast<std::uint64_t>(cycles + 4)));
    c.faults.push_back(f);
  }
  return c;
}

// Runs `count` random cases of one pass on both engines; returns how many the faults changed.
int expect_engines_agree(std::uint64_t base, int count, Pass pass) {
  int with_effect = 0;
  for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(count); ++i) {
    const std::uint64_t seed = base + i;
    Case c = random_case(seed, pass);
    Rng rng(seed * 31 + 7);
    const ConvShape& s = c.job.shape;
    Tensor in = random_tensor({s.n, s.c, s.h, s.w}, rng);
    Tensor w = random_tensor({s.k, s.c, s.r, s.s}, rng);
    PeFaults faults(c.array, c.faults), none;
    JobResult cycle = make_engine("cycle", c.array, faults)->run(c.job, in, w, c.start);
    JobResult fast = make_engine("fast", c.array, faults)->run(c.job, in, w, c.start);
    std::string what = to_string(pass) + " seed " + std::to_string(seed) + ":";
    for (const auto& f : c.faults) what += " [" + describe(f) + "]";
    EXPECT_EQ(testing::count_bit_differences(cycle.output, fast.output), 0) << what;
    EXPECT_EQ(cycle.timing, fast.timing) << what;
    if (::testing::Test::HasFailure()) return with_effect;
    JobResult healthy = make_engine("fast", c.array, none)->run(c.job, in, w, c.start);
    with_effect += testing::count_bit_differences(healthy.output, fast.output) > 0;
  }
  return with_effect;
}

TEST(EngineEquivalence, FastEngineIsBitIdenticalToTheCycleModelOn600RandomCases) {
  const int with_effect = expect_engines_agree(0xacc5, 600, Pass::forward);
  // The cases exercise faults that matter, not only masked ones.
  EXPECT_GT(with_effect, 200);
}

TEST(EngineEquivalence, BackwardDataJobsAreBitIdenticalOnBothEngines) {
  EXPECT_GT(expect_engines_agree(0xbd00, 60, Pass::backward_data), 20);
}

TEST(EngineEquivalence, BackwardWeightJobsAreBitIdenticalOnBothEngines) {
  EXPECT_GT(expect_engines_agree(0xbe00, 60, Pass::backward_weight), 20);
}

TEST(EngineEquivalence, FastEngineGivesTheSameBitsOnAnyThreadCount) {
  int with_effect = 0;
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    Case c = random_case(0x7e00 + seed);
    ConvShape& s = c.job.shape;  // big enough to be split over threads
    s.n = 3, s.c = 9 + static_cast<int>(seed % 7), s.k = 10 + static_cast<int>(seed % 5), s.h = s.w = 17;
    s.r = s.s = 3, s.stride = 1, s.pad = 1;
    for (auto& f : c.faults)
      if (f.site == FaultSite::accumulator) f.row %= c.array.stripe_length;
    Rng rng(seed);
    const Tensor in = random_tensor({s.n, s.c, s.h, s.w}, rng), w = random_tensor({s.k, s.c, s.r, s.s}, rng);
    const PeFaults faults(c.array, c.faults), none;
    const JobResult one = FastEngine(c.array, faults, 1).run(c.job, in, w, c.start);
    for (int threads : {2, 3}) {
      const JobResult many = FastEngine(c.array, faults, threads).run(c.job, in, w, c.start);
      ASSERT_EQ(testing::count_bit_differences(one.output, many.output), 0) << "seed " << seed << ", " << threads << " threads";
    }
    with_effect += testing::count_bit_differences(one.output, FastEngine(c.array, none, 2).run(c.job, in, w, c.start).output) > 0;
  }
  EXPECT_GT(with_effect, 8);
}

TEST(EngineEquivalence, UnknownEngineNameIsRejected) {
  PeFaults none;
  EXPECT_THROW(make_engine("warp", preset("small"), none), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
