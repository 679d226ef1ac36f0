// `accsim dlrm` on a DLRM exported to ONNX (configs/models/dlrm_pytei.onnx, written by
// tools/python/models/export_dlrm.py): its fault-free outputs agree with PyTorch's on the
// fixture's batches, the study gives the built-in model's results bit for bit when that
// model runs with the ONNX file's parameters, and a model or config that does not fit is
// refused naming the file, the input and the allowed range.
#include "workloads/dlrm/dlrm_onnx.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "arch/pe_faults.h"
#include "test_util.h"
#include "workloads/dlrm/dlrm_study.h"
#include "workloads/io/results_file.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/int_inputs.h"
#include "workloads/models/onnx_import.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using nlohmann::json;

std::string model_file(const std::string& name) { return std::string(ACCSIM_SOURCE_DIR) + "/configs/models/" + name; }

// The shipped model's shapes (export_dlrm.py's CONFIG), fed from the ONNX file.
json onnx_study_config(int trials) {
  return {{"array", testing::ideal_config("small")["array"]},
          {"seed", 7},
          {"dlrm",
           {{"dense_dim", 128}, {"sparse_dim", 8192}, {"tables", 1}, {"embedding_dim", 64}, {"bottom_mlp", {64}},
            {"top_mlp", {64, 1}}}},
          {"workload", {{"model", model_file("dlrm_pytei.onnx")}}},
          {"study", {{"samples", 32}, {"sparsity", {0.001, 0.01}}, {"trials", trials}}},
          {"parameter_faults",
           {{"model", "ber"}, {"rate", {1e-5, 1e-3}}, {"parameter", "weight"}, {"targets", {"embedding", "mlp", "all"}}}}};
}

std::string error_of(const json& j) {
  try {
    parse_dlrm_study_config_json(j, "d.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "parsed";
}

// Fixture batch k: dense [n, 128], bags [n, L], PyTorch's outputs [n, 1].
TEST(DlrmOnnx, FaultFreeOutputsMatchThePyTorchFixture) {
  const std::string fixture = model_file("dlrm_pytei.outputs.h5");
  const PeFaults none;
  auto engine = make_engine("fast", testing::preset("small"), none);
  double worst = 0;
  for (int k = 0; k < 3; ++k) {
    const std::string group = "batch_" + std::to_string(k) + "/";
    const Tensor dense = read_tensor(fixture, group + "dense");
    const Tensor want = read_tensor(fixture, group + "output");
    const int n = dense.dim(0);
    const std::vector<std::int64_t> flat = read_int64s(fixture, group + "sparse.0");
    IntTensor bags{{n, static_cast<int>(flat.size()) / n}, {flat.begin(), flat.end()}};
    Graph g = load_onnx_model(model_file("dlrm_pytei.onnx"), n, {{"sparse.0", bags.shape}});
    bind_int_inputs(g, {{"sparse.0", bags}});
    const Tensor got = run_graph(g, dense, *engine, false).outputs.at(0);
    ASSERT_EQ(got.shape(), want.shape());
    for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(static_cast<double>(got[i]) - want[i]));
  }
  std::printf("[ DLRM ONNX ] largest |accsim - PyTorch| output difference: %.3g\n", worst);
  // Sigmoid outputs near 0.5 after fp32 sums of up to 128 products in another order: a few ulp.
  EXPECT_LE(worst, 1e-6);
}

// The same parameters as the built-in model's, taken by name from the ONNX file.
DlrmParameters parameters_of(const DlrmConfig& c, const Graph& g) {
  DlrmParameters p = zero_dlrm_parameters(c);
  const auto mlp = [&](const std::string& prefix, std::vector<Tensor>& ws, std::vector<Tensor>& bs) {
    for (std::size_t i = 0; i < ws.size(); ++i) {
      ws[i] = g.initializers.at(prefix + std::to_string(i) + ".weight").reshaped(ws[i].shape());
      bs[i] = g.initializers.at(prefix + std::to_string(i) + ".bias");
    }
  };
  mlp("mlp.bottom.", p.bottom_weights, p.bottom_biases);
  mlp("mlp.top.", p.top_weights, p.top_biases);
  for (std::size_t t = 0; t < p.tables.size(); ++t) p.tables[t] = g.initializers.at("embedding." + std::to_string(t) + ".weight");
  return p;
}

TEST(DlrmOnnx, StudyGivesTheBuiltInModelsResultsWithTheSameParameters) {
  const json j = onnx_study_config(12);
  const DlrmStudyConfig onnx = parse_dlrm_study_config_json(j, "d.json");
  json builtin_json = j;
  builtin_json.erase("workload");
  const DlrmStudyConfig builtin = parse_dlrm_study_config_json(builtin_json, "d.json");
  EXPECT_EQ(onnx.parameters, builtin.model.parameter_count());
  DlrmStudyOptions o;
  o.seed = onnx.seed;
  std::ostringstream progress;
  const DlrmStudyResult a = run_dlrm_study(onnx, o, progress);
  const DlrmParameters params = parameters_of(builtin.model, load_onnx_model(onnx.onnx.file, 1, {{"sparse.0", {1, 1}}}));
  const DlrmStudyResult b = run_dlrm_study(builtin, params, o, progress);
  EXPECT_EQ(a.target_parameters, b.target_parameters);
  EXPECT_EQ(a.forward_cycles, b.forward_cycles);
  ASSERT_EQ(a.golden.size(), 2u);
  for (std::size_t s = 0; s < 2; ++s) EXPECT_EQ(testing::count_bit_differences(a.golden[s], b.golden[s]), 0) << "sparsity " << s;
  ASSERT_EQ(a.cells.size(), b.cells.size());
  std::uint64_t flips = 0;
  for (std::size_t c = 0; c < a.cells.size(); ++c)
    for (std::size_t k = 0; k < a.cells[c].trials.size(); ++k) {
      const DlrmTrial& x = a.cells[c].trials[k];
      const DlrmTrial& y = b.cells[c].trials[k];
      flips += x.bit_flips;
      EXPECT_EQ(x.bit_flips, y.bit_flips) << "cell " << c << " trial " << k;
      EXPECT_TRUE(x.rmse == y.rmse || (std::isnan(x.rmse) && std::isnan(y.rmse))) << "cell " << c << " trial " << k;
    }
  EXPECT_GT(flips, 1000u);  // the comparison covers faulty runs, not only clean ones
}

TEST(DlrmOnnx, AModelOrConfigThatDoesNotFitIsRefusedNamingTheInputAndTheRange) {
  json j = onnx_study_config(1);
  j["workload"]["model"] = model_file("resnet8_fmnist.onnx");
  EXPECT_NE(error_of(j).find("d.json: workload.model: " + model_file("resnet8_fmnist.onnx") + " has no int64 input"),
            std::string::npos) << error_of(j);
  j = onnx_study_config(1);
  j["dlrm"]["dense_dim"] = 100;
  EXPECT_NE(error_of(j).find(model_file("dlrm_pytei.onnx") + ": input \"dense\" is [1, 128] at batch 1; dlrm.dense_dim 100 feeds it [1, 100]"),
            std::string::npos) << error_of(j);
  j = onnx_study_config(1);
  j["dlrm"]["sparse_dim"] = 16384;
  EXPECT_NE(error_of(j).find(": input \"sparse.0\": dlrm.sparse_dim 16384 and dlrm.tables 1 give table 0 indices in "
                             "[0, 16384] (its rows and the zero row), but node \"/Gather\" gathers them from 8193 rows "
                             "(axis 0): allowed indices [0, 8192]"),
            std::string::npos) << error_of(j);
  j = onnx_study_config(1);
  j["dlrm"]["tables"] = 2;
  EXPECT_NE(error_of(j).find("has 1 int64 inputs (\"sparse.0\") where dlrm.tables 2 needs one per table"),
            std::string::npos) << error_of(j);
  j = onnx_study_config(1);
  j["workload"]["sparse_inputs"] = {"dense"};
  EXPECT_NE(error_of(j).find("d.json: workload.sparse_inputs: must name each int64 input"), std::string::npos)
      << error_of(j);
  j = onnx_study_config(1);
  j["workload"]["dense_input"] = "sparse.0";
  EXPECT_NE(error_of(j).find("d.json: workload.dense_input: \"sparse.0\" is not a float32 input"), std::string::npos)
      << error_of(j);
  j = onnx_study_config(1);
  j["workload"]["dense_input"] = "dense";
  j["workload"]["sparse_inputs"] = {"sparse.0"};
  EXPECT_EQ(error_of(j), "parsed");
}

// The run-time check behind the study: an index beyond the table gathered from.
TEST(DlrmOnnx, AnIndexBeyondTheTableIsReportedWithTheAllowedRange) {
  Graph g = load_onnx_model(model_file("dlrm_pytei.onnx"), 2, {{"sparse.0", {2, 1}}});
  try {
    bind_int_inputs(g, {{"sparse.0", IntTensor{{2, 1}, {8192, 8193}}}});
    FAIL() << "bound";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("input \"sparse.0\": index 8193 at [1, 0] is outside the allowed range [0, 8192]"),
              std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace accsim
