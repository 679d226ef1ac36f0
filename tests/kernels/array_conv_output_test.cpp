// array_conv's whole-job output is made without a zero fill: every datapath (fp32, fp16,
// bf16, int8), the one-row chains (c = 1), fully connected jobs and split jobs must write
// every element. Under test, unset elements hold Tensor::kPoisonBits.
#include <gtest/gtest.h>

#include <cstring>

#include "arch/job_timing.h"
#include "faultmodels/transient_mapper.h"
#include "kernels/array_conv.h"
#include "test_util.h"

namespace accsim {
namespace {

using testing::preset;
using testing::random_tensor;

long long unset_elements(const Tensor& t) {
  long long n = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, t.data() + i, sizeof bits);
    n += bits == Tensor::kPoisonBits;
  }
  return n;
}

ConvJob random_job(Rng& rng) {
  ConvJob job;
  job.layer = "case";
  job.swizzle_seed = rng.next();
  ConvShape& s = job.shape;
  s.n = 1 + static_cast<int>(rng.below(4));
  s.c = rng.below(3) == 0 ? 1 : 1 + static_cast<int>(rng.below(40));  // c = 1: the one-row paths
  s.k = 1 + static_cast<int>(rng.below(40));
  s.r = s.s = 1 + static_cast<int>(rng.below(3));
  s.pad = static_cast<int>(rng.below(static_cast<std::uint64_t>(s.r)));
  s.stride = 1 + static_cast<int>(rng.below(2));
  s.h = s.r + static_cast<int>(rng.below(9));
  s.w = s.s + static_cast<int>(rng.below(9));
  if (rng.below(4) == 0) s.h = s.w = s.r = s.s = 1, s.pad = 0, s.stride = 1, s.n = 1 + static_cast<int>(rng.below(80));
  return job;
}

HardwareFault random_fault(Rng& rng, const ArrayConfig& a, const ConvShape& s) {
  HardwareFault f;
  f.site = static_cast<FaultSite>(rng.below(5));
  f.kind = static_cast<FaultKind>(rng.below(3));
  f.row = static_cast<int>(
      rng.below(static_cast<std::uint64_t>(f.site == FaultSite::accumulator ? a.stripe_length : a.atomic_c)));
  if (f.site == FaultSite::psum) f.row = 0;
  f.col = static_cast<int>(rng.below(static_cast<std::uint64_t>(a.atomic_k)));
  f.bit = static_cast<int>(rng.below(8));  // inside every datapath's registers
  if (f.kind == FaultKind::transient)
    f.cycle = static_cast<long long>(rng.below(static_cast<std::uint64_t>(closed_form_timing(s, a).cycles)));
  return f;
}

TEST(ArrayConvOutput, EveryElementIsWrittenOnEveryDatapath) {
  ASSERT_TRUE(Tensor::poison_unset);  // the test binary's main sets it
  for (std::uint64_t seed = 0; seed < 80; ++seed) {
    Rng rng(0xa11e7 + seed);
    ArrayConfig a = preset(rng.below(4) == 0 ? "large" : "small");
    a.datatype = static_cast<DataType>(seed % 4);  // fp32, fp16, bf16, int8 in turn
    a.swizzle = static_cast<SwizzlePolicy>(rng.below(4));
    const ConvJob job = random_job(rng);
    const ConvShape& s = job.shape;
    std::vector<HardwareFault> list;
    if (rng.below(2)) list.push_back(random_fault(rng, a, s));
    const PeFaults faults(a, list);
    const Mapping mapping(s, a, a.swizzle, job.swizzle_seed);
    const ErrorPattern pattern = map_transients(job, a, faults, 0);
    const Tensor in = random_tensor({s.n, s.c, s.h, s.w}, rng), w = random_tensor({s.k, s.c, s.r, s.s}, rng);
    const int threads = 1 + static_cast<int>(rng.below(3));
    const Tensor out = array_conv(job, a, mapping, faults, pattern, in, w, threads);
    ASSERT_EQ(unset_elements(out), 0) << "seed " << seed << " " << to_string(a.datatype) << " threads " << threads;
  }
}

}  // namespace
}  // namespace accsim
