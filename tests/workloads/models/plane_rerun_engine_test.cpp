// The plane rerun engine's corrupted-parameter path (PVF) gives, bit for bit, the fast
// engine's whole job: the corrupted channels computed as a job of their own (clean
// images, every swizzle policy: taken or refused by the rows' mapping) or as a region
// (an image's input differs too), in every floating-point format, for channels in one
// group and across groups; int8 jobs, whose operands scale by the whole tensor, whole.
#include "workloads/models/plane_rerun_engine.h"

#include <gtest/gtest.h>

#include <cstring>

#include "arch/number_format.h"
#include "arch/random.h"
#include "test_util.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

struct Case {
  ConvShape shape;
  std::vector<int> channels;  // corrupted output channels
};

// One job run fault-free on the fast engine and kept as a graph run's record, with the
// stationary operand and mapping a PlaneRerunEngine reads.
struct RecordedJob {
  ConvJob job;
  Tensor input, weights, output;
  GraphRun recorded;
  std::vector<Tensor> stationary;
  std::vector<Mapping> mappings;
};

RecordedJob record_job(const ArrayConfig& array, const ConvShape& s, std::uint64_t seed, Rng& rng) {
  RecordedJob r;
  r.job.layer = "layer";
  r.job.shape = s;
  r.job.swizzle_seed = seed;
  r.input = testing::random_tensor({s.n, s.c, s.h, s.w}, rng);
  r.weights = testing::random_tensor({s.k, s.c, s.r, s.s}, rng);
  const PeFaults healthy;
  const JobResult golden = FastEngine(array, healthy).run(r.job, r.input, r.weights, 0);
  LayerRun layer;
  layer.job = r.job;
  layer.input = r.input;
  layer.output = r.output = golden.output;
  layer.timing = golden.timing;
  r.recorded.jobs.push_back(layer);
  r.stationary = {r.weights};
  r.mappings = {Mapping(s, array, array.swizzle, seed)};
  return r;
}

// One recorded job on `array`, then its rerun with `channels`' weights corrupted (and,
// with `dirty_image`, that image's input changed) against the fast engine's whole job.
void expect_rerun_equals_job(const ArrayConfig& array, const Case& c, int dirty_image, std::uint64_t seed) {
  Rng rng(seed);
  const ConvShape& s = c.shape;
  const RecordedJob r = record_job(array, s, seed, rng);
  const ConvJob& job = r.job;
  const Tensor &input = r.input, &weights = r.weights;
  const PeFaults healthy;
  FastEngine fast(array, healthy);
  Tensor corrupted = weights, streamed = input;
  const std::size_t per_channel = weights.size() / static_cast<std::size_t>(s.k);
  for (int oc : c.channels) {
    float& w = corrupted.data()[static_cast<std::size_t>(oc) * per_channel + rng.below(per_channel)];
    w = bits_float(float_bits(w) ^ (1u << 29));
  }
  if (dirty_image >= 0) streamed.data()[static_cast<std::size_t>(dirty_image) * (input.size() / s.n)] += 1.0f;
  PlaneRerunEngine planes(array, healthy, r.recorded, r.stationary, r.mappings);
  const Tensor want = fast.run(job, streamed, corrupted, 0).output;
  // A fully-connected job also as a rerun's Gemm hands it: the matrix [k, c] (arch/engine.h).
  const bool fc = s.r == 1 && s.s == 1;
  for (const Tensor& w : {corrupted, fc ? corrupted.reshaped({s.k, s.c}) : corrupted}) {
    const Tensor got = planes.run(job, streamed, w, 0).output;
    ASSERT_EQ(got.shape(), want.shape());
    EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)), 0)
        << to_string(array.swizzle) << " " << to_string(array.datatype) << " k " << s.k << " dirty " << dirty_image
        << " rank " << w.rank();
    EXPECT_EQ(testing::count_bit_differences(got, r.output) > 0, true);  // the corruption shows
  }
}

TEST(PlaneRerunEngine, CorruptedChannelsEqualTheWholeJobUnderEverySwizzleAndFormat) {
  const std::vector<Case> cases = {
      {{2, 256, 1, 1, 120, 1, 1, 1, 0}, {0}},       // fc1: one output, group 0
      {{2, 256, 1, 1, 120, 1, 1, 1, 0}, {37}},      // another group
      {{2, 256, 1, 1, 120, 1, 1, 1, 0}, {0, 3, 119}},  // two in one span of compared rows, the last row
      {{2, 120, 1, 1, 84, 1, 1, 1, 0}, {5, 70}},    // two groups
      {{2, 6, 12, 12, 16, 5, 5, 1, 0}, {11}},       // conv2
      {{1, 1, 28, 28, 6, 5, 5, 1, 0}, {4}},         // conv1 (one input channel)
      {{2, 10, 9, 9, 20, 3, 3, 2, 1}, {2, 3, 19}},  // strided, padded, 2 blocks
  };
  std::uint64_t seed = 1;
  for (const SwizzlePolicy policy : {SwizzlePolicy::none, SwizzlePolicy::rotate, SwizzlePolicy::xor_, SwizzlePolicy::random})
    for (const DataType type : {DataType::fp32, DataType::fp16, DataType::bf16, DataType::int8}) {
      ArrayConfig array = testing::preset("small");
      array.swizzle = policy;
      array.datatype = type;
      for (const Case& c : cases) {
        expect_rerun_equals_job(array, c, -1, ++seed);
        expect_rerun_equals_job(array, c, c.shape.n - 1, ++seed);
      }
    }
}

// A stuck-at's rerun gives the faulty fast engine's whole job whether no image's input
// differs (the faulty column's planes over the record's), some (those images too) or every
// one (every plane computed: the run starts from no copy of the record), in every format.
TEST(PlaneRerunEngine, AStuckAtsRerunEqualsTheFaultyJobForAnyDirtyImages) {
  const ConvShape s{3, 6, 12, 12, 16, 5, 5, 1, 0};
  std::uint64_t seed = 40;
  for (const DataType type : {DataType::fp32, DataType::fp16, DataType::bf16, DataType::int8})
    for (const FaultSite site : {FaultSite::weight, FaultSite::psum, FaultSite::accumulator})
      for (const int dirty : {0, 1, 3}) {
        ArrayConfig array = testing::preset("small");
        array.datatype = type;
        Rng rng(++seed);
        const RecordedJob r = record_job(array, s, seed, rng);
        const int bit = site_bit_width(site, type) - 2;  // an exponent bit: the fault shows
        const PeFaults faults(array, {HardwareFault{site, 1, 3, bit, FaultKind::stuck_at_1, -1}});
        Tensor streamed = r.input;
        for (int i = 0; i < dirty; ++i) streamed.data()[static_cast<std::size_t>(i) * (r.input.size() / s.n) + 5] += 1.0f;
        const Tensor want = FastEngine(array, faults).run(r.job, streamed, r.weights, 0).output;
        PlaneRerunEngine planes(array, faults, r.recorded, r.stationary, r.mappings);
        const Tensor got = planes.run(r.job, streamed, r.weights, 0).output;
        ASSERT_EQ(got.shape(), want.shape());
        EXPECT_EQ(testing::count_bit_differences(got, want), 0)
            << to_string(type) << " " << to_string(site) << " dirty images " << dirty;
        EXPECT_GT(testing::count_bit_differences(got, r.output), 0);
      }
}

// Operands the caller says are the record's are not compared with it: a changed image or
// corrupted channel then goes unseen (the record's output), and once expect({}) clears
// the hint both are found again (the fast engine's whole job).
TEST(PlaneRerunEngine, OperandsExpectedSameAreTakenAsTheRecordsUntilCleared) {
  Rng rng(7);
  const ArrayConfig array = testing::preset("small");
  const ConvShape s{2, 6, 12, 12, 16, 5, 5, 1, 0};
  const RecordedJob r = record_job(array, s, 0, rng);
  const ConvJob& job = r.job;
  const Tensor &input = r.input, &weights = r.weights;
  const PeFaults healthy;
  FastEngine fast(array, healthy);
  Tensor streamed = input, corrupted = weights;
  streamed.data()[input.size() - 1] += 1.0f;  // the last image
  corrupted.data()[0] = -corrupted.data()[0];  // channel 0
  const auto same_bits = [](const Tensor& a, const Tensor& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
  };
  PlaneRerunEngine planes(array, healthy, r.recorded, r.stationary, r.mappings);
  const Tensor want = fast.run(job, streamed, corrupted, 0).output;
  planes.expect({true, true});
  EXPECT_TRUE(same_bits(planes.run(job, streamed, corrupted, 0).output, r.output));
  planes.expect({});
  EXPECT_TRUE(same_bits(planes.run(job, streamed, corrupted, 0).output, want));
  EXPECT_FALSE(same_bits(want, r.output));
}

// A rerun's Gemm hands its weights as the matrix [k, c] while the record keeps [k, c, 1, 1]:
// the same operand, so the engine takes the unchanged planes from the record (marked
// here) and computes the corrupted channel's, instead of running the whole job.
TEST(PlaneRerunEngine, AGemmsMatrixWeightsAreTheRecordedKernels) {
  Rng rng(9);
  const ArrayConfig array = testing::preset("small");
  const ConvShape s{2, 256, 1, 1, 120, 1, 1, 1, 0};
  RecordedJob r = record_job(array, s, 0, rng);
  const float marker = 1234.5f;
  r.recorded.jobs[0].output.data()[0] = marker;  // image 0, channel 0: not corrupted
  Tensor corrupted = r.weights.reshaped({s.k, s.c});
  corrupted.data()[5 * s.c + 17] = -corrupted.data()[5 * s.c + 17];  // channel 5
  const PeFaults healthy;
  const Tensor want = FastEngine(array, healthy).run(r.job, r.input, corrupted, 0).output;
  PlaneRerunEngine planes(array, healthy, r.recorded, r.stationary, r.mappings);
  const Tensor got = planes.run(r.job, r.input, corrupted, 0).output;
  EXPECT_EQ(got[0], marker);
  EXPECT_EQ(float_bits(got[5]), float_bits(want[5]));
  EXPECT_NE(float_bits(got[5]), float_bits(r.output[5]));
}

// The channels of one job among rows of several jobs (sorted by job, then channel).
TEST(KnownChanges, ChannelsOfAJobAreItsRowsInOrder) {
  KnownChanges known;
  known.rows = {{0, 3}, {1, 2}, {1, 5}, {3, 0}, {3, 7}};
  EXPECT_EQ(known.channels_of(0), std::vector<int>({3}));
  EXPECT_EQ(known.channels_of(1), std::vector<int>({2, 5}));
  EXPECT_TRUE(known.channels_of(2).empty());
  EXPECT_EQ(known.channels_of(3), std::vector<int>({0, 7}));
  EXPECT_TRUE(known.channels_of(4).empty());
}

}  // namespace
}  // namespace accsim
