// The "parameter_faults" config block: every model's keys parse (single values and
// sweeps), targets take defaults from the block, and bad input is one line naming the
// file, the JSON path and the allowed range; targets that match nothing or that a model
// cannot fit are reported with the target's path.
#include "faultmodels/parameter_fault_config.h"

#include <gtest/gtest.h>

#include <initializer_list>

namespace accsim {
namespace {

using nlohmann::json;
const std::string kFile = "pf.json";

ParameterFaultsConfig parse(const json& block) {
  const json top = {{"parameter_faults", block}};
  ConfigReader r(top, kFile, "");
  return parse_parameter_faults(r.get_object("parameter_faults"));
}

std::string error_of(const json& block) {
  try {
    parse(block);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << block.dump() << " parsed";
  return "";
}

void expect_rejected(const json& block, std::initializer_list<std::string> parts) {
  const std::string m = error_of(block);
  EXPECT_EQ(m.rfind(kFile + ": parameter_faults.", 0), 0u) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  for (const auto& p : parts) EXPECT_NE(m.find(p), std::string::npos) << "lacks [" << p << "]: " << m;
}

TEST(ParameterFaultConfig, EveryModelParsesWithDefaultsAndSweeps) {
  const auto sbf = parse({{"model", "sbf"}});
  ASSERT_EQ(sbf.models.size(), 1u);
  EXPECT_EQ(sbf.models[0].kind, ParameterFaultKind::sbf);
  ASSERT_EQ(sbf.targets.size(), 1u);
  EXPECT_EQ(sbf.targets[0].tensors, std::vector<std::string>{"all"});
  EXPECT_EQ(sbf.swept, "");

  const auto mbf = parse({{"model", "mbf"}, {"count", {1, 2, 4, 128}}});
  ASSERT_EQ(mbf.models.size(), 4u);
  EXPECT_EQ(mbf.models[3].count, 128u);
  EXPECT_EQ(mbf.swept, "count");

  const auto mbbf = parse({{"model", "mbbf"}, {"count", 8}, {"burst_length", 3}});
  EXPECT_EQ(mbbf.models[0].burst_length, 3);
  EXPECT_EQ(mbbf.models[0].describe(), "mbbf 8x3");

  const auto ber = parse({{"model", "ber"}, {"rate", {1e-9, 1e-2, 1.0}}});
  ASSERT_EQ(ber.models.size(), 3u);
  EXPECT_EQ(ber.models[1].rate, 1e-2);
  EXPECT_EQ(ber.swept, "rate");
  EXPECT_EQ(ber.models[0].describe(), "ber 1e-09");

  const auto value = parse({{"model", "value"}, {"rate", 1e-4}, {"range", {-2, 2}}});
  EXPECT_EQ(value.models[0].value_lo, -2.0f);
  EXPECT_EQ(value.models[0].value_hi, 2.0f);
  const auto value_count = parse({{"model", "value"}, {"count", 3}});
  EXPECT_EQ(value_count.models[0].count, 3u);
  EXPECT_EQ(value_count.models[0].rate, 0.0);
  EXPECT_EQ(value_count.models[0].value_hi, 1.0f);
}

TEST(ParameterFaultConfig, TargetsTakeTheBlockDefaultsAndMayOverrideThem) {
  const auto c = parse({{"model", "sbf"},
                        {"parameter", "weight"},
                        {"bits", {30, 29}},
                        {"targets",
                         {"mlp.top", json{{"name", "emb"}, {"tensors", {"embedding.0", "embedding.1"}}, {"bits", {0}}},
                          json{{"tensors", {"all"}}, {"parameter", "any"}}}}});
  ASSERT_EQ(c.targets.size(), 3u);
  EXPECT_EQ(c.targets[0].name, "mlp.top");
  EXPECT_EQ(c.targets[0].parameter, ParameterKind::weight);
  EXPECT_EQ(c.targets[0].bits, (std::vector<int>{30, 29}));
  EXPECT_EQ(c.targets[1].name, "emb");
  EXPECT_EQ(c.targets[1].tensors, (std::vector<std::string>{"embedding.0", "embedding.1"}));
  EXPECT_EQ(c.targets[1].bits, std::vector<int>{0});
  EXPECT_EQ(c.targets[2].name, "all");
  EXPECT_EQ(c.targets[2].parameter, ParameterKind::any);
  EXPECT_EQ(c.target_paths[1], "parameter_faults.targets[1]");
}

TEST(ParameterFaultConfig, BadInputNamesThePathAndTheRange) {
  expect_rejected({{"model", "bbf"}}, {"parameter_faults.model", "sbf, mbf, mbbf, ber, value"});
  expect_rejected({{"model", "ber"}}, {"parameter_faults.rate", "required"});
  expect_rejected({{"model", "ber"}, {"rate", 0}}, {"parameter_faults.rate", "(0, 1]"});
  expect_rejected({{"model", "ber"}, {"rate", 1.5}}, {"parameter_faults.rate", "(0, 1]"});
  expect_rejected({{"model", "ber"}, {"rate", {1e-6, -1}}}, {"parameter_faults.rate[1]", "(0, 1]"});
  expect_rejected({{"model", "ber"}, {"rate", json::array()}}, {"parameter_faults.rate", "non-empty"});
  expect_rejected({{"model", "ber"}, {"rate", 1e-3}, {"count", 2}}, {"parameter_faults.count", "not used by the \"ber\""});
  expect_rejected({{"model", "mbf"}, {"count", 0}}, {"parameter_faults.count", "[1, 1099511627776]"});
  expect_rejected({{"model", "mbf"}, {"count", 2.5}}, {"parameter_faults.count", "expected an integer"});
  expect_rejected({{"model", "mbbf"}, {"count", 2}, {"burst_length", 1}}, {"parameter_faults.burst_length", "[2, 32]"});
  expect_rejected({{"model", "sbf"}, {"rate", 1e-3}}, {"parameter_faults.rate", "not used"});
  expect_rejected({{"model", "value"}}, {"parameter_faults.rate", "exactly one of rate"});
  expect_rejected({{"model", "value"}, {"rate", 0.1}, {"count", 1}}, {"exactly one of rate"});
  expect_rejected({{"model", "value"}, {"rate", 0.1}, {"range", {1, 0}}}, {"parameter_faults.range", "lo <= hi"});
  expect_rejected({{"model", "sbf"}, {"bits", {3, 32}}}, {"parameter_faults.bits[1]", "[0, 31]"});
  expect_rejected({{"model", "sbf"}, {"bits", {3, 3}}}, {"parameter_faults.bits[1]", "listed twice"});
  expect_rejected({{"model", "sbf"}, {"parameter", "weights"}}, {"parameter_faults.parameter", "weight, bias, any"});
  expect_rejected({{"model", "sbf"}, {"targets", json::array()}}, {"parameter_faults.targets", "non-empty"});
  expect_rejected({{"model", "sbf"}, {"targets", {"mlp", 3}}}, {"parameter_faults.targets[1]", "selector"});
  expect_rejected({{"model", "sbf"}, {"targets", {json{{"tensors", {"a"}}, {"bitz", {1}}}}}},
                  {"parameter_faults.targets[0].bitz", "unknown key"});
  expect_rejected({{"model", "sbf"}, {"targets", {"mlp", json{{"name", "mlp"}, {"tensors", {"all"}}}}}},
                  {"parameter_faults.targets[1]", "used twice"});
  expect_rejected({{"model", "sbf"}, {"rat", 1}}, {"parameter_faults.rat", "unknown key"});
}

TEST(ParameterFaultConfig, ResolvingNamesTheTargetThatMatchesNothingOrCannotFit) {
  Tensor w({4, 4}), e({2, 3});
  ParameterSet set;
  set.add("mlp.top.0.weight", w);
  set.add("embedding.0.weight", e);
  const auto ok = parse({{"model", "mbf"}, {"count", {1, 16}}, {"targets", {"mlp", "embedding"}}});
  const auto resolved = resolve_parameter_faults(ok, set);
  ASSERT_EQ(resolved.size(), 2u);
  EXPECT_EQ(resolved[1].elements(), 6u);
  try {
    resolve_parameter_faults(parse({{"model", "sbf"}, {"targets", {"mlp", "mlp.bottom"}}}), set);
    FAIL();
  } catch (const InputError& err) {
    EXPECT_EQ(std::string(err.what()).rfind(kFile + ": parameter_faults.targets[1]: \"mlp.bottom\" matches no", 0), 0u)
        << err.what();
  }
  try {  // 6 elements x 1 allowed bit = 6 bits < 7 flips
    resolve_parameter_faults(parse({{"model", "mbf"}, {"count", {1, 7}}, {"targets", {"embedding"}}, {"bits", {30}}}),
                             set);
    FAIL();
  } catch (const InputError& err) {
    EXPECT_NE(std::string(err.what()).find("parameter_faults.targets[0]: target \"embedding\" (6 elements): mbf: count 7"),
              std::string::npos)
        << err.what();
  }
}

}  // namespace
}  // namespace accsim
