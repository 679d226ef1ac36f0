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
