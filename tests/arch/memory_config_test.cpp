// The "memory" object of the array block: presets give NVDLA's values, keys override
// them, and every bad value is an InputError naming the key and its range.
#include "arch/memory_config.h"

#include <gtest/gtest.h>

#include <string>

#include "arch/array_config.h"
#include "arch/array_config_json.h"

namespace accsim {
namespace {

using nlohmann::json;

json array_json() { return testing::array_json(); }
ArrayConfig parse(const json& j) { return testing::parse_array(j); }
std::string error_of(const json& j) { return testing::array_error(j); }

TEST(MemoryConfig, AbsentBlockLeavesTheMemorySideIdeal) { EXPECT_FALSE(parse(array_json()).memory.enabled); }

TEST(MemoryConfig, PresetsCarryNvdlaSpecValues) {
  json j = array_json();
  j["memory"] = {{"preset", "nv_small"}};
  const MemoryConfig s = parse(j).memory;
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.cbuf_banks, 32);
  EXPECT_EQ(s.cbuf_bank_entries, 512);
  EXPECT_EQ(s.cbuf_entry_bytes, 8);
  EXPECT_EQ(s.dram_bytes_per_cycle, 8);
  EXPECT_EQ(s.dram_latency_cycles, 64);
  EXPECT_EQ(s.cbuf_bytes(), 131072);
  const MemoryConfig l = memory_preset("nv_large");
  EXPECT_EQ(l.cbuf_banks, 16);
  EXPECT_EQ(l.cbuf_entry_bytes, 64);
  EXPECT_EQ(l.cbuf_bytes(), 524288);
  EXPECT_EQ(l.dram_bytes_per_cycle, 32);
  EXPECT_EQ(l.dram_latency_cycles, 1024);
  EXPECT_EQ(l.sdp_elements_per_cycle, 16);
}

TEST(MemoryConfig, KeysOverrideThePreset) {
  json j = array_json();
  j["memory"] = {{"preset", "nv_small"}, {"dram_bytes_per_cycle", 2}, {"dram_row_miss_cycles", 0}};
  const MemoryConfig m = parse(j).memory;
  EXPECT_EQ(m.dram_bytes_per_cycle, 2);
  EXPECT_EQ(m.dram_row_miss_cycles, 0);
  EXPECT_EQ(m.cbuf_banks, 32);
}

TEST(MemoryConfig, WithoutPresetEveryKeyIsRequired) {
  json j = array_json();
  j["memory"] = {{"cbuf_banks", 32}};
  EXPECT_NE(error_of(j).find("array.memory.cbuf_bank_entries"), std::string::npos) << error_of(j);
}

TEST(MemoryConfig, BadValuesNameKeyAndRange) {
  json j = array_json();
  j["memory"] = {{"preset", "nv_small"}, {"dram_bytes_per_cycle", 0}};
  const std::string e = error_of(j);
  EXPECT_NE(e.find("a.json"), std::string::npos) << e;
  EXPECT_NE(e.find("array.memory.dram_bytes_per_cycle"), std::string::npos) << e;
  j["memory"] = {{"preset", "nv_tiny"}};
  EXPECT_NE(error_of(j).find("nv_small"), std::string::npos);
  j["memory"] = {{"preset", "nv_small"}, {"dram_speed", 3}};
  EXPECT_NE(error_of(j).find("dram_speed"), std::string::npos);
  j["memory"] = {{"preset", "nv_small"}, {"memory_atomic_bytes", 3}};
  EXPECT_NE(error_of(j).find("memory_atomic_bytes"), std::string::npos);
}

TEST(MemoryConfig, CbufSizeMustMatchTheBanks) {
  json j = array_json();
  j["cbuf_bytes"] = 65536;
  j["memory"] = {{"preset", "nv_small"}};
  const std::string e = error_of(j);
  EXPECT_NE(e.find("array.cbuf_bytes"), std::string::npos) << e;
  EXPECT_NE(e.find("131072"), std::string::npos) << e;
}

}  // namespace
}  // namespace accsim
