// The output files of every command, as a downstream script reads them: each HDF5 file
// names its format and version, layer names sit at one path, counts and indices are
// integers with units where they have one, a sweep without a campaign has no SDC
// columns, and every CSV row has the header's fields (docs/outputs.md).
#include <gtest/gtest.h>

#include <regex>

#include "tools/cli_test_util.h"
#include "workloads/io/csv_test_reader.h"
#include "workloads/io/error_model_file.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/io/output_format.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

using namespace cli_test;
using testing::read_csv_file;

std::vector<std::string> header_of(const std::string& csv) { return read_csv_file(csv).at(0); }

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// Every row of the CSV has the header's fields.
void expect_rectangular(const std::string& csv) {
  const auto rows = read_csv_file(csv);
  ASSERT_GT(rows.size(), 1u) << csv;
  for (std::size_t r = 1; r < rows.size(); ++r) EXPECT_EQ(rows[r].size(), rows[0].size()) << csv << " row " << r;
}

TEST(OutputFiles, TheRunNamesItsFormatAndKeepsLayerNamesAndIntegerCountsWithUnits) {
  TempDir dir;
  const std::string out = (dir.path() / "run.h5").string();
  const CliRun r = run_cli({"--config", source_file("configs/small.json"), "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NO_THROW(check_output_format(out, kRunOutput));
  EXPECT_EQ(read_strings(out, "/layer_names"), (std::vector<std::string>{"conv1", "conv2", "fc1", "fc2", "fc3"}));
  EXPECT_EQ(read_int64s(out, "/summary/cycles").size(), 5u);
  EXPECT_EQ(read_string_attribute(out, "/summary/cycles", "units"), "cycles");
  EXPECT_EQ(read_string_attribute(out, "/summary/utilisation", "units"), "fraction");
  EXPECT_EQ(read_int64s(out, "/summary/corrupted_outputs")[1], 128);  // README: conv2 128/1024
  EXPECT_EQ(read_int64s(out, "/summary/macs")[0], 86400);                // README: conv1 86400 MACs
  EXPECT_EQ(read_int64s(out, "/summary/start_cycle")[0], 0);
  const std::vector<std::int64_t> layers = read_int64s(out, "/swizzle_report/layer_index");
  ASSERT_FALSE(layers.empty());
  EXPECT_EQ(*std::max_element(layers.begin(), layers.end()), 4);
  EXPECT_EQ(read_strings(out, "/swizzle_policies").size(), 4u);
}

TEST(OutputFiles, ATopologyRunNamesItsFormatAndKeepsLayerNamesAtTheSamePath) {
  TempDir dir;
  json j = small_config();
  j["workload"] = {{"topology", source_file("configs/topologies/alexnet_conv.csv")}};
  j["faults"] = json::array();
  const std::string out = (dir.path() / "alex.h5").string();
  const CliRun r = run_cli({"--config", write_config(dir, j), "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NO_THROW(check_output_format(out, kTopologyRunOutput));
  EXPECT_EQ(read_strings(out, "/layer_names").size(), 5u);
  EXPECT_EQ(read_int64s(out, "/summary/analytical_cycles").size(), 5u);
  EXPECT_EQ(read_string_attribute(out, "/summary/stall_cycles", "units"), "cycles");
}

TEST(OutputFiles, ASweepOverValuesWithCommasWritesOneFieldPerColumnAndPlotsIt) {
  TempDir dir;
  json j = small_config();
  j["sweep"] = {{"grid", {{"faults[0].pe", {{3, 5}, {1, 2}}}, {"array.swizzle", {"none", "rotate"}}}}};
  const fs::path out = dir.path() / "s.h5";
  const CliRun r = run_cli({"sweep", "--config", write_config(dir, j), "--out", out.string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string csv = (dir.path() / "s.csv").string();
  expect_rectangular(csv);
  const auto rows = read_csv_file(csv);
  EXPECT_EQ(rows[0][2], "faults[0].pe");
  EXPECT_EQ(rows[1][2], "[3,5]");
  EXPECT_EQ(rows[2][2], "[1,2]");
  EXPECT_EQ(rows[1][1], "none");
  // The plot reads the CSV back: drawn, or the script's own reason.
  EXPECT_EQ(r.err.find("no plot"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(dir.path() / "s.png"));
  EXPECT_NO_THROW(check_output_format(out.string(), kSweepOutput));
}

TEST(OutputFiles, ASweepWithoutACampaignHasNoSdcColumnsAndOneWithACampaignHasThem) {
  TempDir dir;
  json j = small_config();
  j["sweep"] = {{"grid", {{"array.swizzle", {"none", "rotate"}}}}};
  const std::string plain = (dir.path() / "plain.h5").string();
  CliRun r = run_cli({"sweep", "--config", write_config(dir, j), "--out", plain, "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const ResultsTable t = read_table(plain, "/points");
  for (const char* column : {"experiments", "sdc_rate", "sdc_lo", "sdc_hi", "crash_rate"}) {
    EXPECT_FALSE(has(t.column_names, column)) << column;
    EXPECT_FALSE(has(header_of((dir.path() / "plain.csv").string()), column)) << column;
  }
  EXPECT_EQ(read_int64s(plain, "/points/cycles").size(), 2u);  // counts are integers
  EXPECT_EQ(r.out.find("SDC"), std::string::npos) << r.out;

  j.erase("faults");
  j["campaign"] = {{"experiments", 6}, {"test_limit", 4}, {"batch", 4}};
  const std::string with = (dir.path() / "with.h5").string();
  r = run_cli({"sweep", "--config", write_config(dir, j), "--out", with, "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_int64s(with, "/points/experiments"), (std::vector<std::int64_t>{6, 6}));
  EXPECT_EQ(read_string_attribute(with, "/points/sdc_lo", "units"), "fraction");
  const auto header = header_of((dir.path() / "with.csv").string());
  for (const char* column : {"experiments", "sdc_rate", "sdc_lo", "sdc_hi", "crash_rate", "crash_lo", "crash_hi"})
    EXPECT_TRUE(has(header, column)) << column;
}

TEST(OutputFiles, PvfCountsEveryExperimentAndTheCorrectlyClassifiedOnesUnderTheirOwnNames) {
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["parameter_faults"] = {{"model", "sbf"}, {"parameter", "weight"}, {"targets", {"conv2", "fc3"}}};
  j["pvf"] = {{"experiments", 20}, {"test_limit", 10}, {"batch", 5}, {"threads", 2}};
  const std::string out = (dir.path() / "p.h5").string();
  const CliRun r = run_cli({"pvf", "--config", write_config(dir, j), "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NO_THROW(check_output_format(out, kPvfOutput));
  std::vector<hsize_t> dims;
  const std::vector<std::int64_t> outcome = read_int64_array(out, "/experiments/outcome", dims);
  const long long counted = std::count_if(outcome.begin(), outcome.end(), [](std::int64_t o) { return o >= 0; });
  ASSERT_LT(counted, 40) << "an untrained LeNet-5 misclassifies some images: N < experiments";
  EXPECT_EQ(read_int64s(out, "/summary/overall/experiments"), (std::vector<std::int64_t>{40}));
  EXPECT_EQ(read_int64s(out, "/summary/overall/n_correct"), (std::vector<std::int64_t>{counted}));
  EXPECT_EQ(read_int64s(out, "/summary/by_target/target_index"), (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(read_string_attribute(out, "/experiments/outcome", "meaning"), "-1 not counted, 0 masked, 1 sdc, 2 crash");
  const auto rows = read_csv_file((dir.path() / "p.csv").string());
  const auto column = [&](const std::string& name) {
    return std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin();
  };
  const auto& all = rows.back();  // the "all" row of the only variant and model
  EXPECT_EQ(all[column("kind")], "all");
  EXPECT_EQ(all[column("experiments")], "40");
  EXPECT_EQ(all[column("n_correct")], std::to_string(counted));
  expect_rectangular((dir.path() / "p.csv").string());
}

TEST(OutputFiles, CampaignAndErrorModelFilesNameTheirFormatAndShareTheLayerNamesPath) {
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["campaign"] = {{"experiments", 8}, {"test_limit", 4}, {"batch", 4}, {"threads", 2}};
  const std::string out = (dir.path() / "c.h5").string();
  const CliRun r = run_cli({"campaign", "--config", write_config(dir, j), "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NO_THROW(check_output_format(out, kCampaignOutput));
  EXPECT_EQ(read_string_attribute(out, "/", "model_source").rfind("seeded Kaiming-uniform", 0), 0u);  // as pvf's
  EXPECT_EQ(read_strings(out, "/layer_names").size(), 5u);
  EXPECT_EQ(read_int64s(out, "/experiments/layer_index").size(), 8u);
  EXPECT_EQ(read_string_attribute(out, "/experiments/outcome", "meaning"), "0 masked, 1 sdc, 2 crash");
  EXPECT_EQ(read_int64s(out, "/summary/by_bit/bit").front(), 0);
  EXPECT_EQ(read_int64s(out, "/summary/overall/experiments"), (std::vector<std::int64_t>{8}));
  EXPECT_EQ(read_string_attribute(out, "/summary/overall/sdc_rate", "units"), "fraction");

  const std::string em = (dir.path() / "em.h5").string();
  ASSERT_EQ(run_cli({"errmodel", "--config", source_file("configs/small.json"), "--out", em}).code, 0);
  EXPECT_NO_THROW(check_output_format(em, {kErrorModelFormat, kErrorModelVersion}));
  EXPECT_EQ(read_strings(em, "/layer_names"), read_strings(out, "/layer_names"));
}

TEST(OutputFiles, DlrmPrintsEveryValueInsideItsIntervalAndNamesItsFormat) {
  TempDir dir;
  json j = json::parse(std::ifstream(source_file("configs/experiments/dlrm_pytei.json")));
  j["dlrm"] = {{"dense_dim", 16}, {"sparse_dim", 512}, {"embedding_dim", 8}, {"bottom_mlp", {16}}, {"top_mlp", {16, 1}}};
  j["study"] = {{"samples", 16}, {"sparsity", {0.01}}, {"trials", 4}};
  j["parameter_faults"]["rate"] = {1e-3, 1e-2};
  const std::string out = (dir.path() / "d.h5").string();
  const CliRun r = run_cli({"dlrm", "--config", write_config(dir, j), "--out", out, "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NO_THROW(check_output_format(out, kDlrmOutput));
  const std::regex cell(R"(([0-9.e+-]+) \[([0-9.e+-]+), ([0-9.e+-]+)\])");
  int intervals = 0;
  for (std::sregex_iterator m(r.out.begin(), r.out.end(), cell), end; m != end; ++m, ++intervals) {
    const double v = std::stod((*m)[1]), lo = std::stod((*m)[2]), hi = std::stod((*m)[3]);
    EXPECT_LE(lo, v) << m->str();
    EXPECT_LE(v, hi) << m->str();
  }
  EXPECT_GT(intervals, 0) << r.out;
  EXPECT_EQ(read_int64s(out, "/summary/finite_trials").size(), 2u * 3u);
  expect_rectangular((dir.path() / "d.csv").string());
}

TEST(OutputFiles, TrainingNamesItsFormatAndKeepsEpochsAndCyclesAsIntegers) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  json j = small_config();
  j["training"] = {{"epochs", 1}, {"batch_size", 32}, {"train_limit", 32}, {"validation_size", 32}, {"test_limit", 32}};
  j["faults"] = json::array();
  const std::string out = (dir.path() / "t.h5").string();
  const CliRun r = run_cli({"train", "--config", write_config(dir, j), "--out", out, "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NO_THROW(check_output_format(out, kTrainOutput));
  EXPECT_EQ(read_int64s(out, "/history/epoch"), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(read_string_attribute(out, "/history/cycles", "units"), "cycles");
  EXPECT_EQ(read_string_attribute(out, "/history/val_accuracy_faulty", "units"), "fraction");
  const auto rows = read_csv_file((dir.path() / "t.csv").string());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][0], "1");
  EXPECT_EQ(rows[1].back(), std::to_string(read_int64s(out, "/history/cycles")[0]));
}

}  // namespace
}  // namespace accsim
