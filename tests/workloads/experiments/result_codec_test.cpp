// Experiment results cross MPI ranks as bytes: every field must come back bit for bit,
// and a truncated or overlong message must be refused rather than misread.
#include "workloads/experiments/result_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "workloads/campaign/campaign_result_codec.h"
#include "workloads/campaign/memory_experiment_codec.h"
#include "workloads/experiments/distributed_runner.h"
#include "workloads/experiments/mpi_session.h"
#include "workloads/pvf/pvf_experiment_codec.h"
#include "workloads/train_campaign/train_run_codec.h"

namespace accsim {
namespace {

TEST(ResultCodec, PlainValuesStringsAndVectorsRoundTrip) {
  ByteWriter w;
  w.put(-3);
  w.put(std::numeric_limits<double>::quiet_NaN());
  w.put_string("rank 1: x");
  w.put_vector(std::vector<long long>{1, -2, 1LL << 40});
  ByteReader r(w.bytes());
  EXPECT_EQ(r.get<int>(), -3);
  EXPECT_TRUE(std::isnan(r.get<double>()));
  EXPECT_EQ(r.get_string(), "rank 1: x");
  EXPECT_EQ(r.get_vector<long long>(), (std::vector<long long>{1, -2, 1LL << 40}));
  EXPECT_NO_THROW(r.expect_end());
}

TEST(ResultCodec, ShortAndOverlongMessagesAreRefused) {
  ByteWriter w;
  w.put(std::int32_t{7});
  ByteReader short_read(w.bytes());
  EXPECT_THROW(short_read.get<std::int64_t>(), std::runtime_error);
  ByteReader overlong(w.bytes());
  overlong.get<std::int16_t>();
  EXPECT_THROW(overlong.expect_end(), std::runtime_error);
  ByteWriter huge;
  huge.put(std::uint64_t{1} << 62);  // a vector length far past the message
  ByteReader as_string(huge.bytes());
  EXPECT_THROW(as_string.get_string(), std::runtime_error);
  ByteReader as_vector(huge.bytes());
  EXPECT_THROW(as_vector.get_vector<double>(), std::runtime_error);
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(ResultCodec, PvfExperimentRoundTripsBitForBit) {
  PvfExperiment e;
  e.model = 1, e.target = 4, e.image = 977, e.bit_flips = 3, e.bit = -1, e.tensor = 2, e.element = 123456789012ULL;
  e.old_value = -0.0f;
  e.new_value = std::numeric_limits<float>::quiet_NaN();
  e.outcomes = {PvfOutcome::crash, PvfOutcome::not_counted, PvfOutcome::sdc, PvfOutcome::masked};
  e.stratum = 7, e.sample = 5000000000LL;  // an adaptive run's plan: every rank tallies the strata
  std::vector<PvfExperiment> from{e}, to(3);
  ByteWriter w;
  pvf_experiment_codec(from).encode(0, w);
  ByteReader r(w.bytes());
  pvf_experiment_codec(to).decode(2, r);
  r.expect_end();
  const PvfExperiment& d = to[2];
  EXPECT_EQ(std::tie(d.model, d.target, d.image, d.bit_flips, d.bit, d.tensor, d.element, d.stratum, d.sample),
            std::tie(e.model, e.target, e.image, e.bit_flips, e.bit, e.tensor, e.element, e.stratum, e.sample));
  EXPECT_TRUE(same_bits(d.old_value, e.old_value));
  EXPECT_TRUE(same_bits(d.new_value, e.new_value));
  EXPECT_EQ(d.outcomes, e.outcomes);
  EXPECT_EQ(w.bytes().size(), 64u + e.outcomes.size());  // docs/scale_out.md's gather size
}

TEST(ResultCodec, CampaignExperimentRoundTrips) {
  ExperimentResult e;
  e.fault = {FaultSite::accumulator, 5, 7, 30, FaultKind::transient, 123456789};
  e.node = 3;
  e.outcome = Outcome::crash;
  e.correct_to_wrong = 11;
  e.nonfinite_images = 2;
  e.trace = {0, 9, 1LL << 35};
  e.image = 41;
  e.golden_top1 = 3;
  e.faulty_top1 = 7;
  e.margin = -0.25f;
  e.nonfinite_node = 12;
  VariantResult v;
  v.outcome = Outcome::due, v.detected = true, v.corrected = false, v.correct_to_wrong = 4, v.cycles = 99;
  e.variants = {v, VariantResult{}};
  std::vector<ExperimentResult> from{e}, to(1);
  ByteWriter w;
  campaign_result_codec(from).encode(0, w);
  ByteReader r(w.bytes());
  campaign_result_codec(to).decode(0, r);
  r.expect_end();
  const ExperimentResult& d = to[0];
  EXPECT_EQ(describe(d.fault), describe(e.fault));
  EXPECT_EQ(d.fault.cycle, e.fault.cycle);
  EXPECT_EQ(std::tie(d.node, d.outcome, d.correct_to_wrong, d.nonfinite_images, d.trace),
            std::tie(e.node, e.outcome, e.correct_to_wrong, e.nonfinite_images, e.trace));
  EXPECT_EQ(std::tie(d.image, d.golden_top1, d.faulty_top1, d.margin, d.nonfinite_node),
            std::tie(e.image, e.golden_top1, e.faulty_top1, e.margin, e.nonfinite_node));
  ASSERT_EQ(d.variants.size(), 2u);
  EXPECT_EQ(std::tie(d.variants[0].outcome, d.variants[0].detected, d.variants[0].corrected,
                     d.variants[0].correct_to_wrong, d.variants[0].cycles),
            std::tie(v.outcome, v.detected, v.corrected, v.correct_to_wrong, v.cycles));
}

TEST(ResultCodec, TrainCampaignRunRoundTripsBitForBit) {
  TrainRunRecord run;
  run.loss = {2.25f, std::numeric_limits<float>::quiet_NaN(), -0.0f};
  run.correct_faulty = {7, -1};
  run.correct_fault_free = {9, 1LL << 40};
  run.crash_step = 12;
  run.crash_pass = 2;
  std::vector<TrainRunRecord> from{run}, to(2);
  ByteWriter w;
  train_run_codec(from).encode(0, w);
  ByteReader r(w.bytes());
  train_run_codec(to).decode(1, r);
  r.expect_end();
  const TrainRunRecord& d = to[1];
  ASSERT_EQ(d.loss.size(), run.loss.size());
  for (std::size_t i = 0; i < run.loss.size(); ++i) EXPECT_TRUE(same_bits(d.loss[i], run.loss[i])) << i;
  EXPECT_EQ(std::tie(d.correct_faulty, d.correct_fault_free, d.crash_step, d.crash_pass),
            std::tie(run.correct_faulty, run.correct_fault_free, run.crash_step, run.crash_pass));
  EXPECT_TRUE(to[0].loss.empty());  // only the decoded index is written
}

// What a memory-fault experiment's evaluation found travels; its drawn fault does not
// (every rank draws it from the seed alike).
TEST(ResultCodec, MemoryCampaignExperimentRoundTrips) {
  MemoryExperiment e;
  e.outcome = MemoryOutcome::due;
  e.reads_corrected = 1, e.reads_detected = 2, e.reads_silent = 3, e.corrupted_elements = 1LL << 33;
  e.correct_to_wrong = 5, e.nonfinite_images = 6;
  std::vector<MemoryExperiment> from{e}, to(2);
  to[1].fault.word = 77;
  ByteWriter w;
  memory_experiment_codec(from).encode(0, w);
  ByteReader r(w.bytes());
  memory_experiment_codec(to).decode(1, r);
  r.expect_end();
  const MemoryExperiment& d = to[1];
  EXPECT_EQ(std::tie(d.outcome, d.reads_corrected, d.reads_detected, d.reads_silent, d.corrupted_elements,
                     d.correct_to_wrong, d.nonfinite_images),
            std::tie(e.outcome, e.reads_corrected, e.reads_detected, e.reads_silent, e.corrupted_elements,
                     e.correct_to_wrong, e.nonfinite_images));
  EXPECT_EQ(d.fault.word, 77);
}

// Outside mpirun a distributed run is the one-process runner: every pending experiment
// runs and is stored once, and the codec is never used.
TEST(DistributedRunner, OneProcessRunsEveryPendingExperimentLocally) {
  ASSERT_EQ(mpi_size(), 1);
  std::vector<char> done{0, 1, 0, 0};
  std::vector<int> stored(4, 0);
  ResultCodec unused{[](std::size_t, ByteWriter&) { FAIL(); }, [](std::size_t, ByteReader&) { FAIL(); }};
  ExperimentRunnerOptions options;
  options.threads = 2;
  const long long ran = run_distributed(
      pending_experiments(done, -1), done,
      [&](const std::vector<std::size_t>& g) -> std::function<void()> {
        return [&stored, g] {
          for (std::size_t i : g) ++stored[i];
        };
      },
      nullptr, unused, options);
  EXPECT_EQ(ran, 3);
  EXPECT_EQ(stored, (std::vector<int>{1, 0, 1, 1}));
  EXPECT_EQ(done, (std::vector<char>{1, 1, 1, 1}));
  EXPECT_TRUE(command_runs_distributed("pvf"));
  EXPECT_TRUE(command_runs_distributed("train-campaign"));
  EXPECT_TRUE(command_runs_distributed("dlrm"));
  EXPECT_FALSE(command_runs_distributed("train"));
  EXPECT_FALSE(command_runs_distributed("run"));
}

}  // namespace
}  // namespace accsim
