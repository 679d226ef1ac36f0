// The DLRM parameter-fault study: the PyTEI dummy-model findings hold (MLPs more
// vulnerable than embeddings at the same BER; denser inputs make the embeddings, and
// so the model, more vulnerable), results do not depend on the worker count, the
// summary statistics are right, and bad configs are reported with their JSON path.
#include "workloads/dlrm/dlrm_study.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>

#include "scoped_env.h"
#include "test_util.h"
#include "workloads/io/memory_limit.h"

namespace accsim {
namespace {

using nlohmann::json;

// A small model with the PyTEI study's shape: Gaussian dense features, one embedding
// table over the binary sparse features, MLPs on the nv_small array.
json study_config(std::vector<double> sparsity, std::vector<double> bers, json targets, int trials) {
  return {{"array", testing::ideal_config("small")["array"]},
          {"seed", 31},
          {"dlrm",
           {{"dense_dim", 32}, {"sparse_dim", 2048}, {"tables", 1}, {"embedding_dim", 16}, {"bottom_mlp", {32}},
            {"top_mlp", {32, 1}}}},
          {"study", {{"samples", 64}, {"sparsity", sparsity}, {"trials", trials}}},
          {"parameter_faults", {{"model", "ber"}, {"rate", bers}, {"parameter", "weight"}, {"targets", targets}}}};
}

DlrmStudyResult run(const DlrmStudyConfig& c, int threads = 0) {
  DlrmStudyOptions o;
  o.seed = c.seed;
  o.threads = threads;
  std::ostringstream progress;
  return run_dlrm_study(c, o, progress);
}

// The PyTEI mechanism: every MLP weight takes part in every sample's output, while a
// sample indexes only sparsity x sparse_dim rows of an embedding table. Here an MLP
// corruption reaches 2592 weights per sample, an embedding corruption 33 (sparsity 0.001)
// or 328 (0.01) table entries.
TEST(DlrmStudy, MlpsAreMoreVulnerableThanEmbeddingsAtTheSameBer) {
  const DlrmStudyConfig c = parse_dlrm_study_config_json(
      study_config({0.001, 0.01}, {3e-5, 1e-4}, {"embedding", "mlp"}, 400), "dlrm_test.json");
  const DlrmStudyResult r = run(c);
  for (std::size_t s = 0; s < 2; ++s)
    for (std::size_t m = 0; m < 2; ++m) {
      const DlrmCellSummary& emb = r.cell(s, m, 0).summary;
      const DlrmCellSummary& mlp = r.cell(s, m, 1).summary;
      std::printf("[ DLRM ] sparsity %g BER %g: embeddings %.4g [%.3g, %.3g], MLPs %.4g [%.3g, %.3g] (%d nan)\n",
                  c.sparsity[s], c.faults.models[m].rate, emb.rmse, emb.rmse_lo, emb.rmse_hi, mlp.rmse, mlp.rmse_lo,
                  mlp.rmse_hi, mlp.nonfinite_trials());
      ASSERT_GE(mlp.finite_trials, 300);
      ASSERT_GE(emb.finite_trials, 300);
      EXPECT_GT(mlp.rmse, emb.rmse) << "sparsity " << c.sparsity[s] << " BER " << c.faults.models[m].rate;
      if (s == 0) {  // PyTEI's base setting: even the 95% intervals are disjoint
        EXPECT_GT(mlp.rmse_lo, emb.rmse_hi) << "BER " << c.faults.models[m].rate;
      }
    }
}

// Ten times denser inputs index ten times more embedding rows per sample.
TEST(DlrmStudy, DenserSparseInputsMakeEmbeddingsAndTheModelMoreVulnerable) {
  const DlrmStudyConfig c =
      parse_dlrm_study_config_json(study_config({0.001, 0.01}, {1e-5, 1e-4}, {"embedding", "all"}, 400), "dlrm_test.json");
  const DlrmStudyResult r = run(c);
  for (std::size_t m = 0; m < 2; ++m)
    for (std::size_t t = 0; t < 2; ++t) {
      const DlrmCellSummary& sparse = r.cell(0, m, t).summary;
      const DlrmCellSummary& dense = r.cell(1, m, t).summary;
      std::printf("[ DLRM ] %s BER %g: sparsity 0.001 %.4g [%.3g, %.3g], 0.01 %.4g [%.3g, %.3g]\n",
                  c.faults.targets[t].name.c_str(), c.faults.models[m].rate, sparse.rmse, sparse.rmse_lo,
                  sparse.rmse_hi, dense.rmse, dense.rmse_lo, dense.rmse_hi);
      if (t == 0) {  // embeddings: disjoint 95% intervals at both rates
        EXPECT_GT(dense.rmse_lo, sparse.rmse_hi) << "embeddings, BER " << c.faults.models[m].rate;
      } else if (m == 1) {
        // The whole model: MLP corruptions (the same at both sparsities) dominate; at
        // 1e-4 the embeddings' share is large enough to show. (At 1e-5 the rare MLP
        // exponent flips make the comparison a matter of chance.)
        EXPECT_GT(dense.rmse, sparse.rmse) << "whole model, BER " << c.faults.models[m].rate;
      }
    }
}

TEST(DlrmStudy, ResultsDoNotDependOnTheWorkerCount) {
  const DlrmStudyConfig c =
      parse_dlrm_study_config_json(study_config({0.01}, {1e-4, 1e-3}, {"all"}, 12), "dlrm_test.json");
  const DlrmStudyResult one = run(c, 1), two = run(c, 2);
  ASSERT_EQ(one.cells.size(), two.cells.size());
  for (std::size_t i = 0; i < one.cells.size(); ++i)
    for (std::size_t k = 0; k < one.cells[i].trials.size(); ++k) {
      const DlrmTrial &a = one.cells[i].trials[k], &b = two.cells[i].trials[k];
      EXPECT_TRUE(a.rmse == b.rmse || (std::isnan(a.rmse) && std::isnan(b.rmse)));
      EXPECT_EQ(a.bit_flips, b.bit_flips);
      EXPECT_EQ(a.nonfinite_outputs, b.nonfinite_outputs);
    }
  EXPECT_GT(one.cells[1].summary.mean_bit_flips, one.cells[0].summary.mean_bit_flips);
}

std::uint64_t fnv1a(std::uint64_t h, const void* data, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) h = (h ^ static_cast<const unsigned char*>(data)[i]) * 0x100000001b3ULL;
  return h;
}

// The model ran as its own code (dlrm.cpp's MLP, pooling and interaction loops) before it
// became a graph; the graph must give the same bits. The hash covers the fault-free
// outputs and every trial's RMSE, non-finite count and flips of a study with 3 tables,
// 2 bottom and 3 top layers and NaN trials, as `accsim dlrm` at commit 3647c08 wrote them
// (FNV-1a over the HDF5 datasets' little-endian bytes, golden/sparsity_<s> then
// trials/{rmse, nonfinite_outputs, bit_flips} row by row).
TEST(DlrmStudy, GivesTheBitsOfTheModelsFormerOwnCode) {
  const json config = {
      {"array", testing::ideal_config("small")["array"]},
      {"seed", 77},
      {"dlrm",
       {{"dense_dim", 16}, {"sparse_dim", 600}, {"tables", 3}, {"embedding_dim", 8}, {"bottom_mlp", {12, 8}},
        {"top_mlp", {10, 4, 2}}}},
      {"study", {{"samples", 24}, {"sparsity", {0.02, 0.1}}, {"trials", 10}}},
      {"parameter_faults",
       {{"model", "ber"},
        {"rate", {1e-4, 1e-3, 1e-2}},
        {"targets",
         {{{"name", "embeddings"}, {"tensors", {"embedding"}}},
          {{"name", "mlps"}, {"tensors", {"mlp"}}},
          {{"name", "model"}, {"tensors", {"all"}}}}}}}};
  const DlrmStudyResult r = run(parse_dlrm_study_config_json(config, "pinned.json"), 2);
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const Tensor& g : r.golden) h = fnv1a(h, g.data(), g.size() * sizeof(float));
  int nan_trials = 0;
  for (const auto& c : r.cells)
    for (const DlrmTrial& t : c.trials) {
      const std::int64_t nonfinite = t.nonfinite_outputs, flips = static_cast<std::int64_t>(t.bit_flips);
      h = fnv1a(h, &t.rmse, sizeof t.rmse);
      h = fnv1a(h, &nonfinite, sizeof nonfinite);
      h = fnv1a(h, &flips, sizeof flips);
      nan_trials += std::isnan(t.rmse);
    }
  EXPECT_EQ(nan_trials, 23);
  EXPECT_EQ(r.forward_cycles, 472);
  EXPECT_EQ(r.parameters, 5492u);
  EXPECT_EQ(h, 0xd1b7b6c3e660d7d4ULL);
}

TEST(DlrmStudy, SummaryPoolsFiniteTrialsWithAStudentTInterval) {
  const double nan = std::nan("");
  const DlrmCellSummary s = summarize({{3.0, 0, 10}, {4.0, 0, 20}, {nan, 2, 30}, {0.0, 0, 0}});
  EXPECT_EQ(s.trials, 4);
  EXPECT_EQ(s.finite_trials, 3);
  EXPECT_EQ(s.nonfinite_trials(), 1);
  EXPECT_DOUBLE_EQ(s.rmse, std::sqrt((9.0 + 16.0 + 0.0) / 3));
  EXPECT_DOUBLE_EQ(s.trial_rmse_mean, 7.0 / 3);
  EXPECT_DOUBLE_EQ(s.trial_rmse_max, 4.0);
  EXPECT_DOUBLE_EQ(s.mean_bit_flips, 15.0);
  // MSEs 9, 16, 0: mean 25/3, sd 8.0208; t(0.975, 2) = 4.3027.
  const double half = 4.302652729749464 * std::sqrt(((9 - 25.0 / 3) * (9 - 25.0 / 3) + (16 - 25.0 / 3) * (16 - 25.0 / 3) +
                                                      (25.0 / 3) * (25.0 / 3)) / 2) / std::sqrt(3.0);
  EXPECT_NEAR(s.rmse_hi, std::sqrt(25.0 / 3 + half), 1e-9);
  EXPECT_EQ(s.rmse_lo, 0.0);  // clipped
  EXPECT_TRUE(std::isnan(summarize({{nan, 1, 1}}).rmse));
}

// Dense inputs over big tables make big bags: the fault-free runs' bag rows [n, L, E] are
// estimated at parse time, an InputError above the memory limit instead of an OOM.
TEST(DlrmStudy, BagsBeyondTheMemoryLimitAreRefusedBeforeAnythingIsDrawn) {
  const testing::ScopedEnv limit(kMemoryLimitVariable, "1G");
  json j = study_config({0.001}, {1e-4}, {"all"}, 2);
  EXPECT_NO_THROW(parse_dlrm_study_config_json(j, "d.json"));
  j["dlrm"]["sparse_dim"] = 32768;
  j["dlrm"]["embedding_dim"] = 1024;
  j["study"]["samples"] = 4096;
  j["study"]["sparsity"] = {0.001, 0.5};  // 4096 x 16385 x 1024 floats of bags at 0.5: 256 GiB
  try {
    parse_dlrm_study_config_json(j, "d.json");
    FAIL() << "parsed";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("d.json: the fault-free runs of \"dlrm\" and \"study\" needs about 257 GiB, "
                                         "more than the memory limit of 1 GiB"),
              std::string::npos)
        << e.what();
  }
}

TEST(DlrmStudy, BadConfigsNameTheJsonPath) {
  const auto error_of = [](const json& j) -> std::string {
    try {
      parse_dlrm_study_config_json(j, "d.json");
    } catch (const InputError& e) {
      return e.what();
    }
    return "parsed";
  };
  json j = study_config({0.01}, {1e-4}, {"embedding", "mlp.middle"}, 2);
  EXPECT_NE(error_of(j).find("d.json: parameter_faults.targets[1]: \"mlp.middle\" matches no parameter tensor"),
            std::string::npos)
      << error_of(j);
  j = study_config({0.01, 0}, {1e-4}, {"all"}, 2);
  EXPECT_NE(error_of(j).find("d.json: study.sparsity[1]: 0.0 is outside the allowed range (0, 1]"), std::string::npos)
      << error_of(j);
  j = study_config({0.01}, {1e-4}, {"all"}, 2);
  j["dlrm"]["top_mlp"] = json::array();
  EXPECT_NE(error_of(j).find("d.json: dlrm.top_mlp: expected an array of 1 to 16 layer widths"), std::string::npos)
      << error_of(j);
  j = study_config({0.01}, {1e-4}, {"all"}, 2);
  j["dlrm"]["embeding_dim"] = 8;
  EXPECT_NE(error_of(j).find("d.json: dlrm.embeding_dim: unknown key"), std::string::npos) << error_of(j);
  j = study_config({0.01}, {1e-4}, {"all"}, 2);
  j["dlrm"]["sparse_dim"] = 1 << 24;
  j["dlrm"]["embedding_dim"] = 4096;
  EXPECT_NE(error_of(j).find("d.json: dlrm: the model has"), std::string::npos) << error_of(j);
}

}  // namespace
}  // namespace accsim
