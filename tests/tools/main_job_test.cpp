// The README's main job, `accsim --config configs/small.json`: the shipped config carries
// nv_small's memory side, so every layer shows its stall breakdown and DRAM traffic and
// the energy has CBUF and DRAM parts; without `array.memory` the same run is the compute
// side alone. The totals are the figures README.md and docs/cycle_model.md quote.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tools/cli_test_util.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

using namespace cli_test;

// The per-layer table (its header "layer" and one row per layer, up to the totals) by
// first field: the whitespace-separated fields of each row.
std::map<std::string, std::vector<std::string>> table_rows(const std::string& out) {
  std::map<std::string, std::vector<std::string>> rows;
  const std::size_t from = out.find("\nlayer "), to = out.find("\ntotal cycles");
  if (from == std::string::npos || to == std::string::npos || to < from) return rows;
  std::istringstream lines(out.substr(from, to - from));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string field; fields >> field;) f.push_back(field);
    if (!f.empty()) rows.emplace(f[0], f);
  }
  return rows;
}

long long field(const std::vector<std::string>& row, std::size_t i) { return std::stoll(row.at(i)); }

CliRun run_main_job(const TempDir& dir, const std::string& config) {
  return run_cli({"--config", config, "--out", (dir.path() / "out.h5").string()});
}

TEST(MainJob, ShowsEachLayersStallBreakdownDramTrafficAndMemoryEnergy) {
  TempDir dir;
  const CliRun r = run_main_job(dir, source_file("configs/small.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = table_rows(r.out);
  ASSERT_EQ(rows.size(), 6u) << r.out;
  // layer op job cycles MACs util% wload stalls dfetch dram sdp "DRAM rd B" "DRAM wr B" ...
  const std::vector<std::string> head{"layer", "op",     "job",  "[n,c,h,w]->k", "cycles", "MACs", "util%", "wload",
                                      "stalls", "dfetch", "dram", "sdp",          "DRAM",   "rd",   "B",     "DRAM"};
  const std::vector<std::string>& header = rows.at("layer");
  ASSERT_GT(header.size(), head.size()) << r.out;
  EXPECT_TRUE(std::equal(head.begin(), head.end(), header.begin())) << r.out;
  // fc1 reads its fp32 weights [120,256] and input [256] once and writes its 120 results;
  // its 480 atomic operations, the four stalls and the MAC pipeline (7) make its cycles.
  const std::vector<std::string>& fc1 = rows.at("fc1");
  EXPECT_EQ(field(fc1, 11), (120 * 256 + 256) * 4);
  EXPECT_EQ(field(fc1, 12), 120 * 4);
  EXPECT_EQ(field(fc1, 3), 480 + field(fc1, 7) + field(fc1, 8) + field(fc1, 9) + field(fc1, 10) + 7);
  // PDP pools conv1's 24x24 outputs on the fly: only the 12x12 pooled ones reach DRAM.
  EXPECT_EQ(field(rows.at("conv1"), 12), 6 * 12 * 12 * 4);
  EXPECT_EQ(field(fc1, 9), 13507);  // README: fc1 waits 13507 of its 17363 cycles for DRAM
  EXPECT_EQ(field(fc1, 3), 17363);
  for (const auto& [name, row] : rows) {
    if (name == "layer") continue;
    EXPECT_GT(field(row, 9), 0) << name << ": the first fetch from DRAM costs every layer";
  }
  EXPECT_NE(r.out.find("total cycles 42830 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("total energy 34.1 uJ (MAC 1.296 uJ, register 422.5 nJ, CBUF 1.419 uJ, DRAM 30.96 uJ;"),
            std::string::npos)
      << r.out;
}

// The results file keeps what the table prints: /summary has each layer's memory-side
// columns and energy, equal to the table's row.
TEST(MainJob, ResultsFileSummaryHoldsTheTablesMemoryColumnsAndEnergy) {
  TempDir dir;
  const CliRun r = run_main_job(dir, source_file("configs/small.json"));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = table_rows(r.out);
  const std::string file = (dir.path() / "out.h5").string();
  const std::vector<std::string> layers = read_strings(file, "/layer_names");
  // The table's fields: layer op job cycles MACs util% wload stalls dfetch dram sdp rd wr ...
  const std::vector<std::pair<std::string, std::size_t>> fields{
      {"weight_load_cycles", 6}, {"stall_cycles", 7}, {"data_fetch_stall_cycles", 8}, {"dram_stall_cycles", 9},
      {"postprocess_cycles", 10}, {"dram_read_bytes", 11}, {"dram_write_bytes", 12}};
  ASSERT_EQ(layers.size(), 5u);
  double energy_pj = 0, dram_pj = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::vector<std::string>& row = rows.at(layers[i]);
    for (const auto& [name, at] : fields)
      EXPECT_EQ(read_int64s(file, "/summary/" + name).at(i), field(row, at)) << layers[i] << " " << name;
    energy_pj += read_doubles(file, "/summary/energy_pj").at(i);
    dram_pj += read_doubles(file, "/summary/dram_energy_pj").at(i);
  }
  EXPECT_NEAR(energy_pj, 34.1e6, 0.05e6);  // "total energy 34.1 uJ", the sum of the layers
  EXPECT_NEAR(dram_pj, 30.96e6, 0.005e6);
}

TEST(MainJob, WithoutTheMemoryBlockIsTheComputeSideAlone) {
  TempDir dir;
  json j = small_config();  // array.memory removed
  j["workload"]["parameters"] = trained_lenet5();
  const CliRun r = run_main_job(dir, write_config(dir, j));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("dfetch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("total cycles 22850 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("total energy 1.718 uJ (MAC 1.296 uJ, register 422.5 nJ, CBUF 0 pJ, DRAM 0 pJ;"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace accsim
