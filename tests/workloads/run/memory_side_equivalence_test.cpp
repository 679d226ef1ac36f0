// The memory side (array.memory) on both engines: the SystemC model and the fast engine's
// closed form agree on cycles, the stall breakdown and the bytes moved on random shapes
// and memory configurations (fitting, split and streamed layers; memory-bound ones; a
// CBUF data port that needs several cycles per atomic operation), and transients land
// on the same operations in both. Half the jobs are pooled on the fly by PDP (a random
// pool window: the write-back shrinks to the pooled results, PDP's tail may outlast SDP's).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "arch/cbuf_allocation.h"
#include "arch/input_error.h"
#include "arch/job_timing.h"
#include "arch/memory_timing.h"
#include "sim/cycle_engine.h"
#include "test_util.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::preset;
using testing::random_tensor;

template <class T>
T pick(Rng& rng, std::initializer_list<T> xs) {
  return *(xs.begin() + rng.below(xs.size()));
}

// A memory side drawn around `name`'s preset: CBUFs from tiny (every layer split) to the
// preset's, DRAM from 1 B/cycle (memory-bound) to wide, data ports from 1/8 of a cube per cycle.
ArrayConfig random_memory_array(const std::string& name, Rng& rng) {
  ArrayConfig a = preset(name);
  MemoryConfig& m = a.memory;
  m = memory_preset(name == "small" ? "nv_small" : "nv_large");
  m.enabled = true;
  m.cbuf_banks = pick(rng, {4, 8, 16, 32});
  m.cbuf_bank_entries = pick(rng, {32, 128, 512});
  m.cbuf_entry_bytes = pick(rng, {8, 64});
  m.memory_atomic_bytes = m.cbuf_entry_bytes / pick(rng, {1, 2});
  m.cbuf_read_bytes_per_cycle = pick(rng, {4, 32, 100, 256});
  m.dram_bytes_per_cycle = pick(rng, {1, 8, 32, 512});
  m.dram_latency_cycles = static_cast<int>(rng.below(1200));
  m.dram_row_bytes = pick(rng, {64, 2048});
  m.dram_row_miss_cycles = static_cast<int>(rng.below(40));
  m.sdp_elements_per_cycle = pick(rng, {1, 16});
  m.pdp_elements_per_cycle = pick(rng, {1, 2, 8});
  a.cbuf_bytes = m.cbuf_bytes();
  a.datatype = static_cast<DataType>(rng.below(4));
  a.stripe_length = 1 + static_cast<int>(rng.below(40));
  a.weight_load_bytes_per_cycle = 1 + static_cast<int>(rng.below(600));
  return a;
}

ConvJob random_job(Rng& rng) {
  const int kernel = pick(rng, {1, 3, 5});
  ConvJob job;
  job.layer = "mem";
  job.shape = {1 + static_cast<int>(rng.below(2)), 1 + static_cast<int>(rng.below(90)),
               kernel + static_cast<int>(rng.below(12)), kernel + static_cast<int>(rng.below(12)),
               1 + static_cast<int>(rng.below(70)), kernel, kernel, 1 + static_cast<int>(rng.below(2)),
               static_cast<int>(rng.below(static_cast<std::uint64_t>(kernel / 2 + 1)))};
  return job;
}

// A pool window over the job's p x q output half of the time: kernel 1..3 (at most the
// map), stride 1..3, pads below the kernel, floor or (when the last window starts inside
// the padded map) ceil rounding.
void maybe_pool(ConvJob& job, Rng& rng) {
  if (rng.below(2) == 0) return;
  const int p = job.shape.p(), q = job.shape.q();
  PdpWindow& w = job.pool;
  w.kernel_h = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(std::min(p, 3))));
  w.kernel_w = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(std::min(q, 3))));
  w.stride_h = 1 + static_cast<int>(rng.below(3)), w.stride_w = 1 + static_cast<int>(rng.below(3));
  w.pad_top = static_cast<int>(rng.below(static_cast<std::uint64_t>(w.kernel_h / 2 + 1)));
  w.pad_left = static_cast<int>(rng.below(static_cast<std::uint64_t>(w.kernel_w / 2 + 1)));
  const bool ceil_mode = rng.below(2) == 1;
  auto out = [ceil_mode](int size, int kernel, int stride, int pad) {
    const int span = size + 2 * pad - kernel;
    const int n = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    return (n - 1) * stride - pad >= size ? n - 1 : n;  // no window starting in the end padding
  };
  w.out_h = out(p, w.kernel_h, w.stride_h, w.pad_top);
  w.out_w = out(q, w.kernel_w, w.stride_w, w.pad_left);
}

bool fits_somehow(const ConvShape& s, const ArrayConfig& a) {
  try {
    allocate_cbuf(s, a);
    return true;
  } catch (const InputError&) {
    return false;
  }
}

JobResult run(const std::string& engine, const ArrayConfig& a, const std::vector<HardwareFault>& faults,
              const ConvJob& job, const Tensor& in, const Tensor& w, long long start) {
  PeFaults pf(a, faults);
  if (engine == "cycle") return CycleEngine(a, pf).run(job, in, w, start);
  return FastEngine(a, pf).run(job, in, w, start);
}

TEST(MemorySideEquivalence, CyclesStallsAndBytesAgreeOnRandomShapesBothPresets) {
  Rng rng(316);
  int ran = 0, split = 0, streamed = 0, memory_bound = 0, slow_port = 0, sdp_bound = 0, pooled = 0, pdp_bound = 0;
  while (ran < 320) {
    ArrayConfig a = random_memory_array(ran % 2 ? "large" : "small", rng);
    ConvJob job = random_job(rng);
    if (!fits_somehow(job.shape, a)) continue;
    maybe_pool(job, rng);
    const ConvShape& s = job.shape;
    const Tensor in = random_tensor({s.n, s.c, s.h, s.w}, rng, -1.0f, 1.0f);
    const Tensor w = random_tensor({s.k, s.c, s.r, s.s}, rng, -1.0f, 1.0f);
    const JobResult cycle = run("cycle", a, {}, job, in, w, 0);
    const JobTiming want = closed_form_timing(job, a);
    ASSERT_EQ(cycle.timing, want) << "case " << ran << ": cycles " << cycle.timing.cycles << " vs " << want.cycles;
    EXPECT_EQ(want.cycles, want.atomic_ops + want.stall_cycles + want.data_fetch_stall_cycles +
                               want.dram_stall_cycles + want.postprocess_cycles + a.mac_pipeline_depth);
    const CbufAllocation alloc = allocate_cbuf(s, a);
    split += alloc.data_chunks > 1;
    streamed += alloc.weights == WeightResidency::streamed;
    memory_bound += want.dram_stall_cycles > memory_prologue_cycles(s, a);
    slow_port += want.data_fetch_stall_cycles > 0;
    sdp_bound += want.postprocess_cycles > 0;
    pooled += job.pool.enabled();
    pdp_bound += want.pdp_cycles > 0;
    if (job.pool.enabled()) {
      EXPECT_EQ(want.dram_write_bytes, pooled_results(s, job.pool) * bytes_per_element(a.datatype));
    }
    ++ran;
  }
  // The draw covers every regime the model has.
  EXPECT_GT(split, 10);
  EXPECT_GT(streamed, 5);
  EXPECT_GT(memory_bound, 10);
  EXPECT_GT(slow_port, 10);
  EXPECT_GT(sdp_bound, 10);
  EXPECT_GT(pooled, 100);
  EXPECT_GT(pdp_bound, 10);
}

TEST(MemorySideEquivalence, TransientsHitTheSameOperationsOnBothEngines) {
  Rng rng(17);
  int compared = 0;
  while (compared < 24) {
    ArrayConfig a = random_memory_array(compared % 2 ? "large" : "small", rng);
    a.memory.cbuf_read_bytes_per_cycle = pick(rng, {4, 16});  // several cycles per atomic operation
    ConvJob job = random_job(rng);
    if (!fits_somehow(job.shape, a)) continue;
    maybe_pool(job, rng);
    const ConvShape& s = job.shape;
    const Tensor in = random_tensor({s.n, s.c, s.h, s.w}, rng, -1.0f, 1.0f);
    const Tensor w = random_tensor({s.k, s.c, s.r, s.s}, rng, -1.0f, 1.0f);
    const long long start = 1000, cycles = closed_form_timing(job, a).cycles;
    std::vector<HardwareFault> faults;
    for (int i = 0; i < 6; ++i) {
      HardwareFault f;
      f.site = static_cast<FaultSite>(rng.below(5));
      f.row = static_cast<int>(rng.below(static_cast<std::uint64_t>(
          f.site == FaultSite::accumulator ? a.stripe_length : f.site == FaultSite::psum ? 1 : a.atomic_c)));
      f.col = static_cast<int>(rng.below(static_cast<std::uint64_t>(a.atomic_k)));
      f.bit = static_cast<int>(rng.below(8));  // valid in every format
      f.kind = FaultKind::transient;
      f.cycle = start + static_cast<long long>(rng.below(static_cast<std::uint64_t>(cycles)));
      faults.push_back(f);
    }
    const JobResult c = run("cycle", a, faults, job, in, w, start);
    const JobResult f = run("fast", a, faults, job, in, w, start);
    ASSERT_EQ(testing::count_bit_differences(c.output, f.output), 0) << "case " << compared;
    ASSERT_EQ(c.timing, f.timing) << "case " << compared;
    ++compared;
  }
}

TEST(MemorySideEquivalence, DramBandwidthSweepTurnsAnFcLayerComputeBound) {
  // LeNet fc1 (400 -> 120) on nv_small: 192 kB of fp32 weights for 750 atomic operations.
  ArrayConfig a = preset("small");
  a.memory = memory_preset("nv_small");
  a.memory.enabled = true;
  const ConvShape fc1{1, 400, 1, 1, 120, 1, 1, 1, 0};
  long long previous = -1;
  bool compute_bound = false;
  for (int bw : {1, 2, 8, 32, 128, 512, 4096}) {
    a.memory.dram_bytes_per_cycle = bw;
    const JobTiming t = closed_form_timing(fc1, a);
    const long long excess = t.dram_stall_cycles - memory_prologue_cycles(fc1, a);
    if (bw == 8) {
      EXPECT_GT(excess, 10 * t.atomic_ops) << "nv_small's 64-bit DRAM port makes fc1 memory-bound";
    }
    if (previous >= 0) {
      EXPECT_LE(excess, previous);
    }
    previous = excess;
    compute_bound |= excess == 0;
    EXPECT_EQ(t.dram_read_bytes, 400LL * 4 + 400LL * 120 * 4);  // input once, weights once (ping-pong)
    EXPECT_EQ(t.dram_write_bytes, 120LL * 4);
  }
  EXPECT_TRUE(compute_bound);
}

TEST(MemorySideEquivalence, WithoutMemoryBlockTimingIsTheIdealModel) {
  ArrayConfig a = preset("small");
  const ConvShape s{1, 20, 9, 9, 19, 3, 3, 1, 1};
  const JobTiming t = closed_form_timing(s, a);
  EXPECT_EQ(t.cycles, t.atomic_ops + t.stall_cycles + a.mac_pipeline_depth);
  EXPECT_EQ(t.dram_read_bytes + t.dram_write_bytes + t.cbuf_read_bytes + t.cbuf_write_bytes, 0);
}

}  // namespace
}  // namespace accsim
