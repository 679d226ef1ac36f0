// The fast engine plans each column's weight registers eight rows at a time by vector
// (kernels/register_vectors.h: the register words through their stuck-at masks and
// their fp32 values, fp16 decoded in integer operations), partial row groups and the
// last kernel positions under lane masks, and recomputes transient-flipped column sums
// over the rows its kernels read (idle rows folded as +0). Jobs whose rows fill no
// whole group, on arbitrary register words, must give the cycle model's bits.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arch/hardware_fault.h"
#include "arch/job_timing.h"
#include "arch/mapping.h"
#include "test_util.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::preset;

// Random words of every kind (fp16 subnormals and NaN payloads, bf16 and fp32 NaNs).
std::vector<std::uint32_t> random_words(std::size_t n, DataType type, Rng& rng) {
  const std::uint32_t mask = type == DataType::fp32 ? ~0u : 0xffffu;
  std::vector<std::uint32_t> words(n);
  for (auto& w : words) w = static_cast<std::uint32_t>(rng.next()) & mask;
  return words;
}

// Both engines on the words; the number of output values that differ.
long long differences(const ArrayConfig& a, const ConvJob& job, const ArrayOperands& ops,
                      const std::vector<HardwareFault>& faults) {
  const PeFaults pe(a, faults);
  const JobResult cycle = make_engine("cycle", a, pe)->run_encoded(job, ops, 0);
  const JobResult fast = make_engine("fast", a, pe)->run_encoded(job, ops, 0);
  return testing::count_bit_differences(cycle.output, fast.output);
}

ArrayOperands operands(const ConvShape& s, DataType type, Rng& rng) {
  ArrayOperands ops;
  ops.datatype = type;
  ops.input = random_words(static_cast<std::size_t>(s.n) * s.c * s.h * s.w, type, rng);
  ops.weights = random_words(static_cast<std::size_t>(s.k) * s.c * s.r * s.s, type, rng);
  ops.input_scale = ops.weight_scale = 1.0f;
  return ops;
}

// Channel counts that leave the last eight-row group partial (6, 13) or fill it (8, 16),
// kernels of 25 positions (three groups of eight and one), 9 and 1 (one load per group
// of consecutive channels), on both presets with every swizzle; weight stuck-ats on a
// used row and on an idle one (every row planned), a transient on a used and an idle PE.
TEST(PlanEquivalence, PartialRowGroupsAreBitIdenticalToTheCycleModelInEveryFloatFormat) {
  for (DataType type : {DataType::fp32, DataType::fp16, DataType::bf16})
    for (int c : {6, 8, 13}) {
      const int kernel = c == 6 ? 5 : c == 8 ? 1 : 3;
      for (const char* name : {"small", "large"}) {
        const std::uint64_t seed = static_cast<std::uint64_t>(type) * 1000 + static_cast<std::uint64_t>(c) * 10 + (name[0] == 'l');
        Rng rng(seed);
        ArrayConfig a = preset(name);
        a.datatype = type;
        a.swizzle = static_cast<SwizzlePolicy>(rng.below(4));
        ConvJob job;
        job.layer = "plan";
        job.swizzle_seed = rng.next();
        job.shape = ConvShape{1, c, kernel + 3, kernel + 3, 10, kernel, kernel, 1, 0};
        const Mapping mapping(job.shape, a, a.swizzle, job.swizzle_seed);
        const int used = mapping.row_of(0, 1), col = mapping.col_of(3);
        int idle = 0;  // a row no channel of block 0 uses
        std::vector<int> rows;
        mapping.rows_to_channels(0, 0, rows);
        while (idle < a.atomic_c && rows[static_cast<std::size_t>(idle)] >= 0) ++idle;
        const int width = bit_width(type);
        const long long cycles = closed_form_timing(job.shape, a).cycles;
        std::vector<HardwareFault> faults = {
            {FaultSite::weight, used, col, static_cast<int>(rng.below(static_cast<std::uint64_t>(width))), FaultKind::stuck_at_1, -1},
            {FaultSite::weight, used, mapping.col_of(5), width - 2, FaultKind::stuck_at_0, -1},
            {FaultSite::product, used, mapping.col_of(7), 20, FaultKind::transient, cycles / 2}};
        if (idle < a.atomic_c) {
          faults.push_back({FaultSite::weight, idle, mapping.col_of(5), width - 1, FaultKind::stuck_at_1, -1});
          faults.push_back({FaultSite::weight, idle, mapping.col_of(7), width - 2, FaultKind::transient, cycles / 3});
        }
        const ArrayOperands ops = operands(job.shape, type, rng);
        const std::string what = to_string(type) + " " + name + " c=" + std::to_string(c);
        ASSERT_EQ(differences(a, job, ops, {}), 0) << what << " fault-free";
        ASSERT_EQ(differences(a, job, ops, faults), 0) << what;
      }
    }
}

// A transient-flipped column sum over rows of -0 products (weights -0, inputs +0): the
// array's tree adds its idle rows' +0 leaves, so the sum is +0 whether the used rows
// fill a power of two (8 of 64: one +0 joins above them) or not (6), and a flip that
// makes an idle PE's product NaN (its weight register to infinity) is in the sum.
TEST(PlanEquivalence, FlippedSumsFoldIdleRowsAsTheArrayTreeAddsThem) {
  int checked = 0;
  for (int c : {6, 8})
    for (bool idle_flip : {false, true}) {
      ArrayConfig a = preset("large");
      ConvJob job;
      job.layer = "fold";
      job.shape = ConvShape{1, c, 4, 4, 4, 1, 1, 1, 0};
      ArrayOperands ops;
      ops.datatype = DataType::fp32;
      ops.input.assign(static_cast<std::size_t>(c) * 16, 0u);           // +0
      ops.weights.assign(static_cast<std::size_t>(c) * 4, 0x80000000u);  // -0
      ops.input_scale = ops.weight_scale = 1.0f;
      const Mapping mapping(job.shape, a, a.swizzle, job.swizzle_seed);
      const int row = idle_flip ? c + 3 : mapping.row_of(0, c - 1);
      const long long cycles = closed_form_timing(job.shape, a).cycles;
      for (long long cycle = 0; cycle < cycles; cycle += 2) {
        // A used PE's weight register stays a zero (a low mantissa bit flips); an idle
        // one's is 1.0 (stuck-ats: still a +0 product) until the flip of bit 30 makes it
        // infinity.
        std::vector<HardwareFault> faults = {{FaultSite::weight, row, 1, idle_flip ? 30 : 3, FaultKind::transient, cycle}};
        if (idle_flip)
          for (int bit = 23; bit < 30; ++bit) faults.push_back({FaultSite::weight, row, 1, bit, FaultKind::stuck_at_1, -1});
        ASSERT_EQ(differences(a, job, ops, faults), 0) << "c=" << c << " row " << row << " cycle " << cycle;
        ++checked;
      }
    }
  EXPECT_GT(checked, 4);
}

// Fully-connected jobs copy a fault-free column's registers of a block of consecutive
// channels in one run of vectors (kernels/float_conv.cpp, plain_column), the other
// columns through the general plan: jobs of whole and partial blocks (21 = 8 + 8 + 5
// channels on the small array), plain and faulty columns side by side, every swizzle
// (rotated and random rows serve no consecutive channels), every float format.
TEST(PlanEquivalence, FullyConnectedPlainAndFaultyColumnsAreBitIdenticalToTheCycleModel) {
  for (DataType type : {DataType::fp32, DataType::fp16, DataType::bf16})
    for (int c : {13, 21})
      for (int policy = 0; policy < 4; ++policy) {
        Rng rng(static_cast<std::uint64_t>(type) * 100 + static_cast<std::uint64_t>(c) * 4 + policy);
        ArrayConfig a = preset("small");
        a.datatype = type;
        a.swizzle = static_cast<SwizzlePolicy>(policy);
        ConvJob job;
        job.layer = "fc";
        job.swizzle_seed = rng.next();
        job.shape = ConvShape{3, c, 1, 1, 20, 1, 1, 1, 0};
        const int width = bit_width(type);
        const std::vector<HardwareFault> faults = {
            {FaultSite::weight, 2, 1, width - 2, FaultKind::stuck_at_1, -1},
            {FaultSite::input, 4, 3, width - 3, FaultKind::stuck_at_1, -1},
            {FaultSite::psum, 0, 6, 30, FaultKind::stuck_at_0, -1}};
        const ArrayOperands ops = operands(job.shape, type, rng);
        const std::string what = to_string(type) + " c=" + std::to_string(c) + " swizzle " + std::to_string(policy);
        ASSERT_EQ(differences(a, job, ops, {}), 0) << what << " fault-free";
        ASSERT_EQ(differences(a, job, ops, faults), 0) << what;
      }
}

// A thread keeps a job's mapping tables for its next job of an equal mapping key: jobs of
// one shape under other swizzle seeds and policies, one after another on one thread,
// each with a weight stuck-at whose channels the mapping picks, must each give the cycle
// model's bits (not those of the previous job's mapping).
TEST(PlanEquivalence, JobsOfAnotherMappingOnTheSameThreadPlanTheirOwnTables) {
  ArrayConfig a = preset("small");
  Rng rng(77);
  ConvJob job;
  job.layer = "tables";
  job.shape = ConvShape{2, 20, 1, 1, 20, 1, 1, 1, 0};
  const ArrayOperands ops = operands(job.shape, DataType::fp32, rng);
  const std::vector<HardwareFault> faults = {{FaultSite::weight, 1, 2, 30, FaultKind::stuck_at_1, -1}};
  int checked = 0;
  for (SwizzlePolicy policy : {SwizzlePolicy::random, SwizzlePolicy::rotate, SwizzlePolicy::random})
    for (std::uint64_t seed : {1u, 2u, 2u, 3u}) {
      a.swizzle = policy;
      job.swizzle_seed = seed;
      ASSERT_EQ(differences(a, job, ops, faults), 0) << to_string(policy) << " seed " << seed;
      ++checked;
    }
  EXPECT_EQ(checked, 12);
}

}  // namespace
}  // namespace accsim
