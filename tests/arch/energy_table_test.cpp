// The energy estimate: the timing's counts times the per-access table; the table's
// "energy" block in the array config, and its bad values as InputErrors.
#include "arch/energy_table.h"

#include <gtest/gtest.h>

#include <string>

#include "arch/array_config.h"
#include "arch/array_config_json.h"
#include "arch/input_error.h"
#include "arch/job_timing.h"

namespace accsim {
namespace {

using nlohmann::json;

EnergyTable table_of(const json& j) { return testing::parse_array(j).energy; }

json array_json() { return testing::array_json(); }
ArrayConfig parse(const json& j) { return testing::parse_array(j); }
std::string error_of(const json& j) { return testing::array_error(j); }

// A 1x1 convolution, 8 channels in and out on a 4x4 image, fp32 on nv_small (fits CBUF).
ConvShape small_layer() {
  ConvShape s;
  s.c = 8, s.h = 4, s.w = 4, s.k = 8;
  return s;
}

TEST(EnergyTable, CountsOfASmallLayerAreTheHandComputedOnes) {
  json j = array_json();
  j["memory"] = {{"preset", "nv_small"}};
  const EnergyCounts c = energy_counts(closed_form_timing(small_layer(), parse(j)));
  EXPECT_EQ(c.macs, 16 * 8 * 8);  // 16 pixels x 8 kernels x 8 channels
  // DRAM: input 8*16*4 + weights 64*4 read, results 16*8*4 written.
  EXPECT_EQ(c.dram_bytes, 512 + 256 + 512);
  // CBUF: everything fetched is written (768); read: the input once (one kernel group) + the weights once (one tile).
  EXPECT_EQ(c.cbuf_bytes, 768 + 512 + 256);
}

TEST(EnergyTable, EstimateMultipliesCountsByTheTable) {
  const EnergyEstimate e = estimate_energy({1024, 1536, 1280}, DataType::fp32, EnergyTable{});
  EXPECT_DOUBLE_EQ(e.mac_pj, 1024 * 4.6);
  EXPECT_DOUBLE_EQ(e.register_pj, 1024 * 1.5);
  EXPECT_DOUBLE_EQ(e.cbuf_pj, 1536 * 2.5);
  EXPECT_DOUBLE_EQ(e.dram_pj, 1280 * 162.5);
  EXPECT_DOUBLE_EQ(e.total_pj(), 4710.4 + 1536 + 3840 + 208000);
}

TEST(EnergyTable, MacEnergyFollowsTheDatatype) {
  const EnergyTable t;
  EXPECT_DOUBLE_EQ(estimate_energy({10, 0, 0}, DataType::int8, t).mac_pj, 10 * 0.3);
  EXPECT_DOUBLE_EQ(estimate_energy({10, 0, 0}, DataType::fp16, t).mac_pj, 10 * 1.5);
  EXPECT_DOUBLE_EQ(estimate_energy({10, 0, 0}, DataType::bf16, t).mac_pj, 10 * 0.98);
  EXPECT_DOUBLE_EQ(estimate_energy({10, 0, 0}, DataType::fp32, t).mac_pj, 10 * 4.6);
}

TEST(EnergyTable, ConfigOverridesSomeKeysAndKeepsTheRest) {
  json j = array_json();
  j["energy"] = {{"dram_pj_per_byte", 40.0}, {"mac_int8_pj", 0.05}};
  parse(j);  // accepted by the array block
  const EnergyTable t = table_of(j);
  EXPECT_DOUBLE_EQ(t.dram_pj_per_byte, 40.0);
  EXPECT_DOUBLE_EQ(t.mac_int8_pj, 0.05);
  EXPECT_DOUBLE_EQ(t.cbuf_pj_per_byte, EnergyTable{}.cbuf_pj_per_byte);
  EXPECT_DOUBLE_EQ(table_of(array_json()).mac_fp32_pj, 4.6);
}

TEST(EnergyTable, BadValuesNameFileKeyAndRange) {
  json j = array_json();
  j["energy"] = {{"cbuf_pj_per_byte", -1.0}};
  std::string e = error_of(j);
  EXPECT_NE(e.find("a.json"), std::string::npos) << e;
  EXPECT_NE(e.find("array.energy.cbuf_pj_per_byte"), std::string::npos) << e;
  EXPECT_NE(e.find("1e+06"), std::string::npos) << e;
  j["energy"] = {{"sram_pj", 1.0}};
  e = error_of(j);
  EXPECT_NE(e.find("sram_pj"), std::string::npos) << e;
  j["energy"] = {{"register_pj", "cheap"}};
  EXPECT_NE(error_of(j).find("register_pj"), std::string::npos);
}

TEST(EnergyTable, TextPicksTheUnit) {
  EXPECT_EQ(energy_text(12.5), "12.5 pJ");
  EXPECT_EQ(energy_text(218086.4), "218.1 nJ");
  EXPECT_EQ(energy_text(3.2e9), "3.2 mJ");
}

}  // namespace
}  // namespace accsim
