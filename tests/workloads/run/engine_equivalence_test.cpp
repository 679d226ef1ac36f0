// The fast engine is checked bit for bit against the cycle-level SystemC model, on
// every number format (fp32, fp16, bf16, int8).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "arch/hardware_fault.h"
#include "arch/job_timing.h"
#include "arch/pass_lowering.h"
#include "faultmodels/checked_engine.h"
#include "kernels/column_sums.h"
#include "fp16_word_job.h"
#include "test_util.h"
#include "workloads/run/engines.h"

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

// One random case from a seed: shape, preset, swizzle, 1..4 faults of any site/kind
// with a bit inside the site's width on `type`; the job is the given pass of a random
// layer. (fp32 cases draw exactly what they drew before other formats existed.)
Case random_case(std::uint64_t seed, Pass pass = Pass::forward, DataType type = DataType::fp32) {
  Rng rng(seed);
  Case c;
  c.array = preset(rng.below(2) ? "large" : "small");
  c.array.datatype = type;
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
    f.bit = static_cast<int>(rng.below(static_cast<std::uint64_t>(site_bit_width(f.site, type))));
    if (f.kind == FaultKind::transient) f.cycle = c.start + static_cast<long long>(rng.below(static_cast<std::uint64_t>(cycles + 4)));
    c.faults.push_back(f);
  }
  return c;
}

// What a run of random cases covered, to prove the cases reach every corner.
struct Coverage {
  std::set<std::string> presets;
  std::set<SwizzlePolicy> swizzles;
  std::set<std::pair<FaultSite, FaultKind>> faults;
  int with_effect = 0;
  void add(const Case& c) {
    presets.insert(c.array.name);
    swizzles.insert(c.array.swizzle);
    for (const auto& f : c.faults) faults.insert({f.site, f.kind});
  }
  // Both presets, every swizzle, every site with every kind.
  bool complete() const { return presets.size() == 2 && swizzles.size() == 4 && faults.size() == 15; }
};

// Operands of a case: uniform in [-1, 1]; with `wide`, a third of the cases scale each
// tensor by a random power of two in [2^-30, 2^20] (fp16 subnormals and overflow, int8
// scales far from 1).
void random_operands(const Case& c, Rng& rng, bool wide, Tensor& in, Tensor& w) {
  const ConvShape& s = c.job.shape;
  in = random_tensor({s.n, s.c, s.h, s.w}, rng);
  w = random_tensor({s.k, s.c, s.r, s.s}, rng);
  if (!wide || rng.below(3) != 0) return;
  for (Tensor* t : {&in, &w}) {
    const float scale = std::ldexp(1.0f, static_cast<int>(rng.below(51)) - 30);
    for (auto& v : t->values()) v *= scale;
  }
}

// Runs `count` random cases of one pass on both engines; returns what they covered.
Coverage expect_engines_agree(std::uint64_t base, int count, Pass pass, DataType type = DataType::fp32) {
  Coverage cov;
  for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(count); ++i) {
    const std::uint64_t seed = base + i;
    Case c = random_case(seed, pass, type);
    Rng rng(seed * 31 + 7);
    Tensor in, w;
    random_operands(c, rng, type != DataType::fp32, in, w);
    PeFaults faults(c.array, c.faults), none;
    JobResult cycle = make_engine("cycle", c.array, faults)->run(c.job, in, w, c.start);
    JobResult fast = make_engine("fast", c.array, faults)->run(c.job, in, w, c.start);
    std::string what = to_string(type) + " " + to_string(pass) + " seed " + std::to_string(seed) + ":";
    for (const auto& f : c.faults) what += " [" + describe(f) + "]";
    EXPECT_EQ(testing::count_bit_differences(cycle.output, fast.output), 0) << what;
    EXPECT_EQ(cycle.timing, fast.timing) << what;
    if (::testing::Test::HasFailure()) return cov;
    JobResult healthy = make_engine("fast", c.array, none)->run(c.job, in, w, c.start);
    cov.with_effect += testing::count_bit_differences(healthy.output, fast.output) > 0;
    cov.add(c);
  }
  return cov;
}

TEST(EngineEquivalence, FastEngineIsBitIdenticalToTheCycleModelOn600RandomCases) {
  const Coverage cov = expect_engines_agree(0xacc5, 600, Pass::forward);
  // The cases exercise faults that matter, not only masked ones.
  EXPECT_GT(cov.with_effect, 200);
  EXPECT_TRUE(cov.complete());
}

TEST(EngineEquivalence, BackwardDataJobsAreBitIdenticalOnBothEngines) {
  EXPECT_GT(expect_engines_agree(0xbd00, 60, Pass::backward_data).with_effect, 20);
}

TEST(EngineEquivalence, BackwardWeightJobsAreBitIdenticalOnBothEngines) {
  EXPECT_GT(expect_engines_agree(0xbe00, 60, Pass::backward_weight).with_effect, 20);
}

// Every other format: 160 forward cases (both presets, every swizzle, every site and
// kind, bits over the site's width on that format) and 20 of each backward pass.
void expect_format_agrees(DataType type, std::uint64_t base) {
  const Coverage fwd = expect_engines_agree(base, 160, Pass::forward, type);
  if (::testing::Test::HasFailure()) return;
  EXPECT_GT(fwd.with_effect, 50) << to_string(type);
  EXPECT_TRUE(fwd.complete()) << to_string(type) << ": " << fwd.presets.size() << " presets, " << fwd.swizzles.size()
                              << " swizzles, " << fwd.faults.size() << " site/kind pairs";
  EXPECT_GT(expect_engines_agree(base + 0x1000, 20, Pass::backward_data, type).with_effect, 5) << to_string(type);
  EXPECT_GT(expect_engines_agree(base + 0x2000, 20, Pass::backward_weight, type).with_effect, 5) << to_string(type);
}

TEST(EngineEquivalence, Fp16JobsAreBitIdenticalOnBothEnginesOn200RandomCases) {
  expect_format_agrees(DataType::fp16, 0xf160000);
}

TEST(EngineEquivalence, Bf16JobsAreBitIdenticalOnBothEnginesOn200RandomCases) {
  expect_format_agrees(DataType::bf16, 0xbf160000);
}

TEST(EngineEquivalence, Int8JobsAreBitIdenticalOnBothEnginesOn200RandomCases) {
  expect_format_agrees(DataType::int8, 0x180000);
}

// Operands given as arbitrary register words (NaN payloads, infinities, subnormals,
// int8 -128): both engines still agree bit for bit, faults included.
TEST(EngineEquivalence, ArbitraryRegisterWordsAreBitIdenticalOnBothEnginesInEveryFormat) {
  for (DataType type : {DataType::fp32, DataType::fp16, DataType::bf16, DataType::int8}) {
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
      const Case c = random_case(0xa0000 + seed, Pass::forward, type);
      Rng rng(seed * 17 + 3);
      ArrayOperands ops;
      ops.datatype = type;
      const ConvShape& s = c.job.shape;
      const std::uint32_t word_mask = type == DataType::fp32 ? ~0u : (1u << bit_width(type)) - 1u;
      ops.input.resize(static_cast<std::size_t>(s.n) * s.c * s.h * s.w);
      ops.weights.resize(static_cast<std::size_t>(s.k) * s.c * s.r * s.s);
      for (auto* words : {&ops.input, &ops.weights})
        for (auto& v : *words) v = static_cast<std::uint32_t>(rng.next()) & word_mask;
      ops.input_scale = 0.01f, ops.weight_scale = 0.5f;
      const PeFaults faults(c.array, c.faults);
      const JobResult cycle = make_engine("cycle", c.array, faults)->run_encoded(c.job, ops, c.start);
      const JobResult fast = make_engine("fast", c.array, faults)->run_encoded(c.job, ops, c.start);
      std::string what = to_string(type) + " words seed " + std::to_string(0xa0000 + seed) + ":";
      for (const auto& f : c.faults) what += " [" + describe(f) + "]";
      ASSERT_EQ(testing::count_bit_differences(cycle.output, fast.output), 0) << what;
    }
  }
}

// The edge bits of every site (0, the middle, the two top bits: sign and top exponent
// or integer sign) under every kind, on every format, on a case where every PE works;
// on the small preset and on a 6x5 array (the kernel's generic adder-tree path).
TEST(EngineEquivalence, EdgeBitsOfEverySiteAndKindAreBitIdenticalInEveryFormat) {
  for (DataType type : {DataType::fp32, DataType::fp16, DataType::bf16, DataType::int8})
  for (int rows : {8, 6}) {
    ArrayConfig a = preset("small");
    a.datatype = type;
    a.stripe_length = 5;
    a.atomic_c = rows;
    a.atomic_k = rows == 8 ? 8 : 5;
    ConvJob job;
    job.layer = "edge";
    job.shape = ConvShape{1, 11, 5, 5, 10, 3, 3, 1, 1};
    Rng rng(static_cast<std::uint64_t>(type) + 99);
    const Tensor in = random_tensor({1, 11, 5, 5}, rng), w = random_tensor({10, 11, 3, 3}, rng);
    const long long cycles = closed_form_timing(job.shape, a).cycles;
    int changed = 0;
    for (int site = 0; site < 5; ++site)
      for (int kind = 0; kind < 3; ++kind) {
        const int width = site_bit_width(static_cast<FaultSite>(site), type);
        for (int bit : {0, width / 2, width - 2, width - 1}) {
          HardwareFault f;
          f.site = static_cast<FaultSite>(site);
          f.kind = static_cast<FaultKind>(kind);
          f.row = f.site == FaultSite::psum ? 0 : 3;
          f.col = 2;
          f.bit = bit;
          if (f.kind == FaultKind::transient) f.cycle = cycles / 3;
          const PeFaults faults(a, {f}), none;
          const JobResult cycle = make_engine("cycle", a, faults)->run(job, in, w, 0);
          const JobResult fast = make_engine("fast", a, faults)->run(job, in, w, 0);
          ASSERT_EQ(testing::count_bit_differences(cycle.output, fast.output), 0)
              << to_string(type) << " " << rows << "x" << a.atomic_k << " " << describe(f);
          changed += testing::count_bit_differences(make_engine("fast", a, none)->run(job, in, w, 0).output, fast.output) > 0;
        }
      }
    EXPECT_GT(changed, 40) << to_string(type) << " " << rows << " rows";
  }
}

// Transients that meet on one element (the same column sum, or accumulator entry) combine
// as the array combines them: flips of one register XOR (two on one bit cancel), a weight
// flip reaches the stripe's later operations where other flips meet it, sites add up.
// Each set of several transients on both engines, and on the fast one against its flips
// struck one by one on that element (the pattern must merge them, not keep one).
TEST(EngineEquivalence, TransientsMeetingOnOneElementCombineAsOnTheCycleModel) {
  ArrayConfig a = preset("small");
  ConvJob job;
  job.layer = "meet";
  job.shape = ConvShape{1, 16, 8, 8, 8, 1, 1, 1, 0};  // 1x1, two channel blocks: block 1 reads the accumulator
  Rng rng(5);
  const Tensor in = random_tensor({1, 16, 8, 8}, rng), w = random_tensor({8, 16, 1, 1}, rng);
  const long long t = 40;  // within a stripe (the first load takes 8 cycles)
  auto transient = [&](FaultSite site, int row, int bit, long long cycle) {
    return HardwareFault{site, row, 4, bit, FaultKind::transient, cycle};
  };
  const std::vector<std::vector<HardwareFault>> sets = {
      {transient(FaultSite::product, 1, 30, t), transient(FaultSite::product, 1, 23, t)},
      {transient(FaultSite::product, 1, 30, t), transient(FaultSite::product, 1, 30, t),
       transient(FaultSite::psum, 0, 29, t)},
      {transient(FaultSite::weight, 3, 30, t), transient(FaultSite::input, 3, 29, t + 2),
       transient(FaultSite::weight, 5, 27, t + 1), transient(FaultSite::weight, 3, 24, t + 3)},
      {transient(FaultSite::input, 2, 30, t), transient(FaultSite::product, 2, 26, t),
       transient(FaultSite::psum, 0, 28, t), transient(FaultSite::input, 6, 25, t)},
      {transient(FaultSite::accumulator, 3, 30, t + 5), transient(FaultSite::accumulator, 3, 22, t + 5),
       transient(FaultSite::psum, 0, 30, t)},
  };
  const PeFaults none;
  const JobResult healthy = make_engine("fast", a, none)->run(job, in, w, 0);
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const PeFaults faults(a, sets[i]);
    const JobResult cycle = make_engine("cycle", a, faults)->run(job, in, w, 0);
    const JobResult fast = make_engine("fast", a, faults)->run(job, in, w, 0);
    EXPECT_EQ(testing::count_bit_differences(cycle.output, fast.output), 0) << "set " << i;
    EXPECT_GT(testing::count_bit_differences(healthy.output, fast.output), 0) << "set " << i;
  }
}

// psum stuck-ats that keep NaNs NaN (the fast engine's masked pass, NaNs canonicalised
// on the way out) and ones that do not (the exact pass), on operands holding NaNs of
// many payloads, quiet and signalling: bit-identical outputs, NaNs among them. A job of
// one step (1x1, one channel block) outputs the masked sums themselves.
TEST(EngineEquivalence, PsumStuckAtsOnNanPayloadsAreBitIdentical) {
  const ArrayConfig a = preset("small");
  const std::uint32_t payloads[] = {0x7fa12345u, 0xff812345u, 0x7f800001u, 0xffc00000u};
  const std::pair<int, FaultKind> masks[] = {{3, FaultKind::stuck_at_1},  {22, FaultKind::stuck_at_0},
                                             {30, FaultKind::stuck_at_1}, {31, FaultKind::stuck_at_1},
                                             {30, FaultKind::stuck_at_0}, {24, FaultKind::stuck_at_0}};
  for (const ConvShape& shape : {ConvShape{2, 11, 9, 9, 10, 3, 3, 1, 0}, ConvShape{2, 6, 9, 9, 10, 1, 1, 1, 0}}) {
    ConvJob job;
    job.layer = "nans";
    job.shape = shape;
    Rng rng(2027);
    Tensor in = random_tensor({shape.n, shape.c, shape.h, shape.w}, rng);
    const Tensor w = random_tensor({shape.k, shape.c, shape.r, shape.s}, rng);
    for (std::size_t i = 0; i < in.values().size(); i += 37) in.values()[i] = bits_float(payloads[rng.below(4)]);
    for (const auto& [bit, kind] : masks) {
      const HardwareFault f{FaultSite::psum, 0, 2, bit, kind, -1};
      const PeFaults faults(a, {f});
      const JobResult cycle = make_engine("cycle", a, faults)->run(job, in, w, 0);
      const JobResult fast = make_engine("fast", a, faults)->run(job, in, w, 0);
      ASSERT_EQ(testing::count_bit_differences(cycle.output, fast.output), 0) << shape.r << "x" << shape.s << " "
                                                                                << describe(f);
      EXPECT_TRUE(std::any_of(fast.output.values().begin(), fast.output.values().end(),
                              [](float v) { return std::isnan(v); }))
          << describe(f);
    }
  }
}

// fp16 input words on one thread over jobs: a row whose PE has an input mask is
// gathered (job 1), then is no word row (job 2: its flag set aside over the job), then
// is idle with its masked word 0 read through a stuck weight register (job 3): its words
// must have been cleared, as the cycle model's idle input register holds 0.
TEST(EngineEquivalence, Fp16WordRowsIdleInALaterJobReadZero) {
  ArrayConfig a = preset("small");
  a.datatype = DataType::fp16;
  Rng rng(31);
  const auto agree = [&](int c, const std::vector<HardwareFault>& list) {
    ConvJob job;
    job.layer = "words";
    job.shape = ConvShape{1, c, 6, 6, 8, 3, 3, 1, 0};
    const Tensor in = random_tensor({1, c, 6, 6}, rng), w = random_tensor({8, c, 3, 3}, rng);
    const PeFaults faults(a, list);
    const JobResult cycle = make_engine("cycle", a, faults)->run(job, in, w, 0);
    const JobResult fast = make_engine("fast", a, faults)->run(job, in, w, 0);
    return testing::count_bit_differences(cycle.output, fast.output);
  };
  const HardwareFault input5{FaultSite::input, 5, 2, 0, FaultKind::stuck_at_0, -1};
  const HardwareFault weight5{FaultSite::weight, 5, 2, 14, FaultKind::stuck_at_1, -1};
  const HardwareFault input0{FaultSite::input, 0, 2, 0, FaultKind::stuck_at_0, -1};
  ASSERT_EQ(agree(8, {input5}), 0);
  ASSERT_EQ(agree(8, {input0}), 0);
  ASSERT_EQ(agree(3, {input5, weight5}), 0);
}

// fp16 signalling NaN input words (quiet bit clear) on a PE with an input stuck-at that
// clears their payload (word 0x7c01 -> 0x7c00, +Inf), in a column whose psum has a
// transient sign flip: the flipped sum (recomputed from the operand values) and the
// other lanes (masked inputs) must both see the word itself, not a quieted NaN's. One
// step (1x1 kernel, one channel block): the outputs are the sums themselves.
TEST(EngineEquivalence, Fp16SignallingNanWordsUnderAnInputStuckAtAreBitIdentical) {
  auto [a, job, ops] = testing::fp16_word_job("snan", ConvShape{1, 8, 6, 6, 8, 1, 1, 1, 0});
  const ConvShape& s = job.shape;
  Rng rng(7);
  for (auto& v : ops.input) v = 0x3c00u | static_cast<std::uint32_t>(rng.below(0x300));  // [1, 1.75)
  for (auto& v : ops.weights) v = 0x3800u | static_cast<std::uint32_t>(rng.below(0x300));  // [0.5, 0.875)
  for (int i = 0; i < s.h * s.w; ++i) ops.input[static_cast<std::size_t>(3 * s.h * s.w + i)] = 0x7c01u;
  const long long cycles = closed_form_timing(s, a).cycles;
  const HardwareFault input{FaultSite::input, 3, 2, 0, FaultKind::stuck_at_0, -1};
  int infinities = 0;
  for (long long cycle = 0; cycle < cycles; cycle += 3) {
    const HardwareFault flip{FaultSite::psum, 0, 2, 31, FaultKind::transient, cycle};
    const PeFaults faults(a, {input, flip});
    const JobResult cycle_model = make_engine("cycle", a, faults)->run_encoded(job, ops, 0);
    const JobResult fast = make_engine("fast", a, faults)->run_encoded(job, ops, 0);
    ASSERT_EQ(testing::count_bit_differences(cycle_model.output, fast.output), 0) << "flip at cycle " << cycle;
    infinities += static_cast<int>(std::count_if(fast.output.values().begin(), fast.output.values().end(),
                                                 [](float v) { return std::isinf(v) && v < 0; }));
  }
  EXPECT_GT(infinities, 0);  // some flip hit a lane whose sum is +Inf (-Inf after the flip)
}

// Arrays of other shapes (the kernel's generic adder trees, idle rows and columns) and
// jobs of several chunks of output positions, one after another on one thread (the
// kernel keeps per-thread tables between jobs), in every format.
TEST(EngineEquivalence, ArraysOfAnyShapeAndJobsOfManyChunksAreBitIdentical) {
  const int shapes[][2] = {{6, 5}, {3, 7}, {12, 10}, {16, 4}, {8, 8}};
  int with_effect = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const DataType type = static_cast<DataType>(seed % 4);
    Case c = random_case(0x5a7e + seed, Pass::forward, type);
    c.array.atomic_c = shapes[seed % 5][0];
    c.array.atomic_k = shapes[seed % 5][1];
    c.array.swizzle = seed % 3 ? SwizzlePolicy::none : SwizzlePolicy::rotate;
    ConvShape& s = c.job.shape;
    s.n = 1 + static_cast<int>(seed % 3), s.h = 9 + static_cast<int>(seed % 5), s.w = 11;  // up to 3 chunks
    s.c = 1 + static_cast<int>(seed * 7 % 29), s.k = 1 + static_cast<int>(seed * 5 % 23);
    for (auto& f : c.faults) {
      f.row %= f.site == FaultSite::accumulator ? c.array.stripe_length : c.array.atomic_c;
      f.col %= c.array.atomic_k;
      if (f.kind == FaultKind::transient) f.cycle %= closed_form_timing(s, c.array).cycles + 1;
    }
    Rng rng(seed * 31 + 7);
    Tensor in, w;
    random_operands(c, rng, type != DataType::fp32, in, w);
    const float special[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN};  // what a stale register would show
    for (Tensor* t : {&in, &w})
      for (auto& v : t->values())
        if (rng.below(40) == 0) v = special[rng.below(5)];
    const PeFaults faults(c.array, c.faults), none;
    const JobResult cycle = make_engine("cycle", c.array, faults)->run(c.job, in, w, c.start);
    const JobResult fast = make_engine("fast", c.array, faults)->run(c.job, in, w, c.start);
    ASSERT_EQ(testing::count_bit_differences(cycle.output, fast.output), 0)
        << to_string(type) << " " << c.array.atomic_c << "x" << c.array.atomic_k << " seed " << seed;
    with_effect += testing::count_bit_differences(make_engine("fast", c.array, none)->run(c.job, in, w, c.start).output,
                                                  fast.output) > 0;
  }
  EXPECT_GT(with_effect, 15);
}

// The fused kernels at AVX2 and at AVX-512 width give the same bits (both are checked
// against the cycle model; the suite runs the CPU's widest by default).
TEST(EngineEquivalence, Avx2AndAvx512KernelsAreBitIdenticalToTheCycleModel) {
  using column_sums::VectorIsa;
  const VectorIsa native = column_sums::vector_isa();
  if (!column_sums::set_vector_isa(VectorIsa::avx512)) GTEST_SKIP() << "this CPU has no AVX-512";
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    const DataType type = static_cast<DataType>(seed % 4);
    Case c = random_case(0x15a0 + seed, Pass::forward, type);
    ConvShape& s = c.job.shape;
    s.n = 2, s.h = s.r + 9, s.w = s.s + 6;  // several chunks, partial last vectors
    for (auto& f : c.faults)
      if (f.kind == FaultKind::transient) f.cycle %= closed_form_timing(s, c.array).cycles + 1;
    Rng rng(seed);
    Tensor in, w;
    random_operands(c, rng, type != DataType::fp32, in, w);
    const PeFaults faults(c.array, c.faults);
    const JobResult cycle = make_engine("cycle", c.array, faults)->run(c.job, in, w, c.start);
    for (VectorIsa isa : {VectorIsa::avx2, VectorIsa::avx512}) {
      column_sums::set_vector_isa(isa);
      const JobResult fast = make_engine("fast", c.array, faults)->run(c.job, in, w, c.start);
      EXPECT_EQ(testing::count_bit_differences(cycle.output, fast.output), 0)
          << to_string(type) << " seed " << seed << (isa == VectorIsa::avx2 ? " AVX2" : " AVX-512");
    }
    if (::testing::Test::HasFailure()) break;
  }
  column_sums::set_vector_isa(native);
}

TEST(EngineEquivalence, OperandsOfAnotherFormatAreRejected) {
  ArrayConfig a = preset("small");
  a.datatype = DataType::fp16;
  PeFaults none;
  ConvJob job;
  job.layer = "l";
  ArrayOperands ops;
  ops.datatype = DataType::int8;
  ops.input.assign(1, 0u);
  ops.weights.assign(1, 0u);
  for (const char* engine : {"fast", "cycle"})
    EXPECT_THROW(make_engine(engine, a, none)->run_encoded(job, ops, 0), std::invalid_argument) << engine;
}

// Case `c` (its shape set) on random data: the fast engine gives the same bits on 1, 2
// and 3 threads (an ADD_FAILURE otherwise); returns whether its faults change the output.
bool same_bits_on_any_thread_count(Case& c, std::uint64_t seed) {
  const ConvShape& s = c.job.shape;
  for (auto& f : c.faults)
    if (f.site == FaultSite::accumulator) f.row %= c.array.stripe_length;
  Rng rng(seed);
  const Tensor in = random_tensor({s.n, s.c, s.h, s.w}, rng), w = random_tensor({s.k, s.c, s.r, s.s}, rng);
  const PeFaults faults(c.array, c.faults), none;
  const JobResult one = FastEngine(c.array, faults, 1).run(c.job, in, w, c.start);
  for (int threads : {2, 3}) {
    const JobResult many = FastEngine(c.array, faults, threads).run(c.job, in, w, c.start);
    if (testing::count_bit_differences(one.output, many.output) != 0)
      ADD_FAILURE() << "seed " << seed << ", " << threads << " threads";
  }
  return testing::count_bit_differences(one.output, FastEngine(c.array, none, 2).run(c.job, in, w, c.start).output) > 0;
}

TEST(EngineEquivalence, FastEngineGivesTheSameBitsOnAnyThreadCount) {
  int with_effect = 0;
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    Case c = random_case(0x7e00 + seed);
    ConvShape& s = c.job.shape;  // enough chunks to be split by chunks over 2 and 3 threads
    s.n = 8, s.c = 9 + static_cast<int>(seed % 7), s.k = 10 + static_cast<int>(seed % 5), s.h = s.w = 17;
    s.r = s.s = 3, s.stride = 1, s.pad = 1;
    with_effect += same_bits_on_any_thread_count(c, seed);
  }
  EXPECT_GT(with_effect, 8);
}

// Backward-weight jobs have few output positions and long reductions (LeNet-5's conv1:
// 25 positions, 6,272 steps): their columns are split over the threads instead.
TEST(EngineEquivalence, FastEngineSplitsTheColumnsOfJobsOfFewPositionsWithTheSameBits) {
  int with_effect = 0;
  for (std::uint64_t seed = 1; seed <= 16; ++seed) {
    Case c = random_case(0x7f00 + seed, Pass::backward_weight);
    ConvShape& s = c.job.shape;  // one or two chunks, more than 2^18 MACs
    s.n = 1 + static_cast<int>(seed % 2), s.c = 8 + static_cast<int>(seed % 9), s.k = 6 + static_cast<int>(seed % 11);
    s.r = s.s = 16 + static_cast<int>(seed % 5), s.h = s.w = s.r + 4 + static_cast<int>(seed % 4);
    s.stride = 1, s.pad = 0;
    with_effect += same_bits_on_any_thread_count(c, seed);
  }
  EXPECT_GT(with_effect, 5);
}

// A fully-connected job (r = s = 1) takes its weights as the matrix [k, c] too (a Gemm's
// [n, k] operand where it lies, arch/engine.h): the bits and cycles of [k, c, 1, 1] on both
// engines and under both checks, with faults; a matrix for a larger kernel, or of another
// size, is refused.
TEST(EngineEquivalence, AFullyConnectedJobTakesItsWeightsAsAMatrix) {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    Case c = random_case(0x7a00 + seed);
    ConvShape& s = c.job.shape;
    s.h = s.w = s.r = s.s = s.stride = 1, s.pad = 0;
    for (auto& f : c.faults)
      if (f.site == FaultSite::accumulator) f.row %= c.array.stripe_length;
    Rng rng(seed);
    const Tensor in = random_tensor({s.n, s.c, 1, 1}, rng), w = random_tensor({s.k, s.c, 1, 1}, rng);
    const PeFaults faults(c.array, c.faults);
    FastEngine fast(c.array, faults);
    const auto cycle = make_engine("cycle", c.array, faults);
    CheckedEngine abft(fast, c.array, CheckKind::abft), duplicate(fast, c.array, CheckKind::duplicate);
    for (Engine* e : {static_cast<Engine*>(&fast), cycle.get(), static_cast<Engine*>(&abft),
                      static_cast<Engine*>(&duplicate)}) {
      const JobResult want = e->run(c.job, in, w, c.start), got = e->run(c.job, in, w.reshaped({s.k, s.c}), c.start);
      EXPECT_EQ(testing::count_bit_differences(want.output, got.output), 0) << e->name() << " seed " << seed;
      EXPECT_EQ(want.timing.cycles, got.timing.cycles) << e->name() << " seed " << seed;
    }
    EXPECT_THROW(fast.run(c.job, in, random_tensor({s.k, s.c + 1}, rng), c.start), std::invalid_argument);
    ConvJob conv = c.job;
    conv.shape.h = conv.shape.w = conv.shape.r = conv.shape.s = 2;
    const Tensor image = random_tensor({s.n, s.c, 2, 2}, rng);
    EXPECT_THROW(fast.run(conv, image, random_tensor({s.k, s.c * 4}, rng), c.start), std::invalid_argument);
    EXPECT_NO_THROW(fast.run(conv, image, random_tensor({s.k, s.c, 2, 2}, rng), c.start));
  }
}

TEST(EngineEquivalence, UnknownEngineNameIsRejected) {
  PeFaults none;
  EXPECT_THROW(make_engine("warp", preset("small"), none), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
