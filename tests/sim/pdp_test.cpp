// PDP pooling on the fly (sim/pdp, arch/pdp_window and the closed form's PDP term) against
// naive counts: every window tap walked, SDP and PDP stepped cycle by cycle.
#include "sim/pdp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "arch/job_timing.h"
#include "arch/memory_timing.h"
#include "sim/cycle_engine.h"
#include "test_util.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::preset;
using testing::random_tensor;

ArrayConfig with_memory(const std::string& name) {
  ArrayConfig a = preset(name);
  a.memory = memory_preset(name == "small" ? "nv_small" : "nv_large");
  a.memory.enabled = true;
  return a;
}

// LeNet-5's conv1 (1 -> 6 channels, 5x5, pad 2 on 28x28) and its 2x2 max-pool.
ConvJob lenet_conv1(bool pooled) {
  ConvJob job;
  job.layer = "conv1";
  job.shape = {1, 1, 28, 28, 6, 5, 5, 1, 2};
  if (pooled) job.pool = square_pdp_window(28, 28, 2, 2);
  return job;
}

JobResult run(const std::string& engine, const ArrayConfig& a, const ConvJob& job) {
  Rng rng(5);
  const ConvShape& s = job.shape;
  const Tensor in = random_tensor({s.n, s.c, s.h, s.w}, rng, -1.0f, 1.0f);
  const Tensor w = random_tensor({s.k, s.c, s.r, s.s}, rng, -1.0f, 1.0f);
  const PeFaults none(a, {});
  if (engine == "cycle") return CycleEngine(a, none).run(job, in, w, 0);
  return FastEngine(a, none).run(job, in, w, 0);
}

// Cycles after the core ends until a unit taking `rate` results per cycle has taken all:
// the results of every tile but the last are there from the core's start (the model's
// assumption), the last tile's when the core ends.
long long stepped_tail(long long all, long long last, long long core, long long rate) {
  long long taken = 0, t = 0;
  for (; taken < all; ++t) taken += std::min(rate, (t < core ? all - last : all) - taken);
  return std::max(0LL, t - core);
}

TEST(Pdp, CompletionPositionsMatchANaiveWalkOfEveryWindowTap) {
  Rng rng(11);
  for (int c = 0; c < 200; ++c) {
    const int p = 1 + static_cast<int>(rng.below(12)), q = 1 + static_cast<int>(rng.below(12));
    PdpWindow w;
    w.kernel_h = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(std::min(p, 4))));
    w.kernel_w = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(std::min(q, 4))));
    w.stride_h = 1 + static_cast<int>(rng.below(3)), w.stride_w = 1 + static_cast<int>(rng.below(3));
    w.pad_top = static_cast<int>(rng.below(static_cast<std::uint64_t>(w.kernel_h)));
    w.pad_left = static_cast<int>(rng.below(static_cast<std::uint64_t>(w.kernel_w)));
    w.out_h = (p + w.pad_top - 1) / w.stride_h + 1;  // every window starting inside the map
    w.out_w = (q + w.pad_left - 1) / w.stride_w + 1;
    validate_pdp_window(w, p, q);
    const std::vector<long long> got = pool_completion_positions(w, p, q);
    ASSERT_EQ(got.size(), static_cast<std::size_t>(w.out_h) * w.out_w);
    for (int i = 0; i < w.out_h; ++i)
      for (int j = 0; j < w.out_w; ++j) {
        long long want = -1;
        for (int a = 0; a < w.kernel_h; ++a)
          for (int b = 0; b < w.kernel_w; ++b) {
            const int row = i * w.stride_h - w.pad_top + a, col = j * w.stride_w - w.pad_left + b;
            if (row >= 0 && row < p && col >= 0 && col < q) want = std::max(want, static_cast<long long>(row) * q + col);
          }
        ASSERT_EQ(got[static_cast<std::size_t>(i) * w.out_w + j], want) << "case " << c << " at " << i << "," << j;
      }
  }
}

TEST(Pdp, LenetConv1WritesBackOnlyThePooledResultsOnBothEngines) {
  const ArrayConfig a = with_memory("small");
  const JobResult plain = run("cycle", a, lenet_conv1(false)), pooled = run("cycle", a, lenet_conv1(true));
  EXPECT_EQ(plain.timing.dram_write_bytes, 6LL * 28 * 28 * 4);
  EXPECT_EQ(pooled.timing.dram_write_bytes, 6LL * 14 * 14 * 4);  // a quarter: PDP writes the pooled map
  EXPECT_EQ(pooled.timing.dram_read_bytes, plain.timing.dram_read_bytes);
  EXPECT_EQ(pooled.timing, run("fast", a, lenet_conv1(true)).timing);
  EXPECT_EQ(testing::count_bit_differences(plain.output, pooled.output), 0) << "the host pools the values";
}

TEST(Pdp, SlowerPdpOutlastsSdpByHandCount) {
  // nv_large: SDP takes 16 results per cycle, PDP 8. conv1's 784 positions make 25 tiles of
  // 32, the last one 16 long: 16 x 6 = 96 results after the core ends, 6 cycles for SDP,
  // 12 for PDP; the core (19600 operations) hides the other 4608.
  const ArrayConfig a = with_memory("large");
  for (const char* engine : {"cycle", "fast"}) {
    const JobTiming plain = run(engine, a, lenet_conv1(false)).timing, pooled = run(engine, a, lenet_conv1(true)).timing;
    EXPECT_EQ(plain.postprocess_cycles, 6) << engine;
    EXPECT_EQ(plain.pdp_cycles, 0) << engine;
    EXPECT_EQ(pooled.postprocess_cycles, 12) << engine;
    EXPECT_EQ(pooled.pdp_cycles, 6) << engine;
    EXPECT_EQ(pooled.cycles, pooled.atomic_ops + pooled.stall_cycles + pooled.data_fetch_stall_cycles +
                                 pooled.dram_stall_cycles + pooled.postprocess_cycles + a.mac_pipeline_depth);
  }
}

TEST(Pdp, TailsMatchCycleSteppedUnitsOnRandomPooledJobs) {
  Rng rng(23);
  for (int c = 0; c < 40; ++c) {
    ArrayConfig a = with_memory(c % 2 ? "large" : "small");
    a.memory.sdp_elements_per_cycle = 1 + static_cast<int>(rng.below(16));
    a.memory.pdp_elements_per_cycle = 1 + static_cast<int>(rng.below(16));
    a.memory.cbuf_read_bytes_per_cycle = 1 << rng.below(9);  // slow ports make long cores
    ConvJob job;
    job.layer = "pooled";
    const int hw = 3 + static_cast<int>(rng.below(10));
    job.shape = {1 + static_cast<int>(rng.below(2)), 1 + static_cast<int>(rng.below(20)), hw, hw,
                 1 + static_cast<int>(rng.below(70)), 1 + static_cast<int>(rng.below(2)) * 2, 0, 1, 1};
    job.shape.s = job.shape.r;
    job.pool = square_pdp_window(job.shape.p(), job.shape.q(), 2, 2);
    const JobTiming t = run("cycle", a, job).timing;
    const ConvShape& s = job.shape;
    const long long tiles = (s.pixels() + a.stripe_length - 1) / a.stripe_length;
    const long long last = (s.pixels() - (tiles - 1) * a.stripe_length) * (s.k - (s.k - 1) / a.atomic_k * a.atomic_k);
    const long long all = s.pixels() * s.k, core = t.atomic_ops + t.data_fetch_stall_cycles + t.stall_cycles;
    const long long sdp = stepped_tail(all, last, core, a.memory.sdp_elements_per_cycle);
    const long long pdp = stepped_tail(all, last, core, a.memory.pdp_elements_per_cycle);
    ASSERT_EQ(t.postprocess_cycles, std::max(sdp, pdp)) << "case " << c;
    ASSERT_EQ(t.pdp_cycles, std::max(0LL, pdp - sdp)) << "case " << c;
    ASSERT_EQ(t.dram_write_bytes, static_cast<long long>(s.n) * s.k * (s.p() / 2) * (s.q() / 2) * 4) << "case " << c;
  }
}

TEST(Pdp, WithoutMemoryBlockPoolingCostsNothing) {
  const ArrayConfig a = preset("small");
  EXPECT_EQ(closed_form_timing(lenet_conv1(true), a), closed_form_timing(lenet_conv1(false), a));
  EXPECT_EQ(run("cycle", a, lenet_conv1(true)).timing, closed_form_timing(lenet_conv1(false), a));
}

TEST(Pdp, BadWindowsAreRefusedByBothEngines) {
  const ArrayConfig a = with_memory("small");
  ConvJob job = lenet_conv1(true);
  job.pool.pad_top = 2;  // not below the 2x2 kernel
  EXPECT_THROW(run("cycle", a, job), std::invalid_argument);
  EXPECT_THROW(run("fast", a, job), std::invalid_argument);
  job = lenet_conv1(true);
  job.pool.out_h = 15;  // the 15th window would start at row 28, past the 28-row map
  EXPECT_THROW(run("fast", a, job), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
