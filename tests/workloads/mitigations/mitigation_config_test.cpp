// The "mitigations" object: defaults, every key, and clear errors naming the key.
#include "workloads/mitigations/mitigation_config.h"

#include <gtest/gtest.h>

#include "arch/input_error.h"

namespace accsim {
namespace {

using nlohmann::json;

MitigationConfig parse(const json& m) {
  const json top = {{"mitigations", m}};
  ConfigReader r(top, "cfg.json", "");
  return parse_mitigations(r.get_object("mitigations"));
}

std::string error_of(const json& m) {
  try {
    parse(m);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(MitigationConfig, EmptyObjectMeansNoMitigation) {
  const MitigationConfig c = parse(json::object());
  EXPECT_FALSE(c.any());
  EXPECT_EQ(c.describe(), "none");
}

TEST(MitigationConfig, EveryKeyIsReadAndDescribed) {
  const MitigationConfig c = parse({{"activation_clip", {{"mode", "saturate"}, {"threshold", 6}}},
                                    {"check", "abft"},
                                    {"prune_faulty_weights", true},
                                    {"protect_bits", {23, 31, 30}}});
  EXPECT_EQ(c.clip.mode, ClipMode::saturate);
  EXPECT_EQ(c.check, MitigationCheck::abft);
  EXPECT_TRUE(c.prune_faulty_weights);
  EXPECT_EQ(c.protect_bits, (std::vector<int>{31, 30, 23}));
  EXPECT_EQ(c.describe(), "clip saturate 6 + abft + prune faulty weights + protect bits 31,30,23");
}

TEST(MitigationConfig, BadProtectBitsNameTheKeyAndRange) {
  EXPECT_EQ(error_of({{"protect_bits", {30, 32}}}),
            "cfg.json: mitigations.protect_bits[1]: 32 is outside the allowed range [0, 31]");
  EXPECT_EQ(error_of({{"protect_bits", {30, 30}}}), "cfg.json: mitigations.protect_bits[1]: bit 30 is listed twice");
  EXPECT_NE(error_of({{"protect_bits", json::array()}}).find("mitigations.protect_bits: expected a non-empty array of distinct bit positions in [0, 31]"),
            std::string::npos);
  EXPECT_NE(error_of({{"check", "tmr"}}).find("mitigations.check"), std::string::npos);
  EXPECT_NE(error_of({{"protect", {1}}}).find("mitigations.protect"), std::string::npos);
}

}  // namespace
}  // namespace accsim
