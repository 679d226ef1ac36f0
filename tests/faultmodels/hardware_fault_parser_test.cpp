// Unit tests of the "faults" parser on both presets: every site parses to the right
// HardwareFault, boundary locations/bits/cycles are accepted and the values just outside
// are rejected with a one-line message naming the JSON path and the allowed range.
#include "faultmodels/hardware_fault_parser.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "test_util.h"

namespace accsim {
namespace {

using nlohmann::json;
using testing::preset;

const std::string kFile = "faults.json";

HardwareFault parse(const json& j, const ArrayConfig& a) {
  return parse_hardware_fault(ConfigReader(j, kFile, "faults[0]"), a);
}

// The message of the InputError parsing `j` throws.
std::string error_of(const json& j, const ArrayConfig& a) {
  try {
    parse(j, a);
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError for " << j.dump() << ", got: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected InputError for " << j.dump() << ", it parsed";
  return "";
}

void expect_rejected(const json& j, const ArrayConfig& a, std::initializer_list<std::string> must_contain) {
  const std::string m = error_of(j, a);
  EXPECT_EQ(m.rfind(kFile + ": faults[0].", 0), 0u) << "message does not start with file and path: " << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << "message is not one line: " << m;
  for (const auto& s : must_contain)
    EXPECT_NE(m.find(s), std::string::npos) << "for " << j.dump() << " lacks [" << s << "]: " << m;
}

json pe_fault(const std::string& site, long long row, long long col, int bit = 3, const std::string& kind = "stuck_at_1") {
  return {{"site", site}, {"pe", {row, col}}, {"bit", bit}, {"kind", kind}};
}
json psum_fault(long long col, int bit = 3, const std::string& kind = "stuck_at_0") {
  return {{"site", "psum"}, {"column", col}, {"bit", bit}, {"kind", kind}};
}
json acc_fault(long long slot, long long col, int bit = 3, const std::string& kind = "stuck_at_0") {
  return {{"site", "accumulator"}, {"entry", {slot, col}}, {"bit", bit}, {"kind", kind}};
}

struct Preset {
  std::string name;
  int rows, cols, stripe;
};
const Preset kPresets[] = {{"small", 8, 8, 16}, {"large", 64, 32, 32}};

TEST(HardwareFaultParser, PresetsHaveTheExpectedShapes) {
  for (const auto& p : kPresets) {
    const ArrayConfig a = preset(p.name);
    EXPECT_EQ(a.atomic_c, p.rows) << p.name;
    EXPECT_EQ(a.atomic_k, p.cols) << p.name;
    EXPECT_EQ(a.stripe_length, p.stripe) << p.name;
    EXPECT_EQ(bit_width(a.datatype), 32) << p.name;
  }
}

// ---------------------------------------------------------------- fields of every site

TEST(HardwareFaultParser, PeSitesParseRowColumnBitKindOnBothPresets) {
  for (const auto& p : kPresets) {
    const ArrayConfig a = preset(p.name);
    const struct {
      const char* name;
      FaultSite site;
    } sites[] = {{"weight", FaultSite::weight}, {"input", FaultSite::input}, {"product", FaultSite::product}};
    for (const auto& s : sites) {
      const HardwareFault f = parse(pe_fault(s.name, p.rows - 2, p.cols - 3, 30, "stuck_at_1"), a);
      EXPECT_EQ(f.site, s.site) << p.name << " " << s.name;
      EXPECT_EQ(f.row, p.rows - 2) << p.name << " " << s.name;
      EXPECT_EQ(f.col, p.cols - 3) << p.name << " " << s.name;
      EXPECT_EQ(f.bit, 30) << p.name << " " << s.name;
      EXPECT_EQ(f.kind, FaultKind::stuck_at_1) << p.name << " " << s.name;
      EXPECT_EQ(f.cycle, -1) << p.name << " " << s.name;
      EXPECT_NO_THROW(validate(f, a));
    }
  }
}

TEST(HardwareFaultParser, PsumParsesColumnWithRowZeroOnBothPresets) {
  for (const auto& p : kPresets) {
    const ArrayConfig a = preset(p.name);
    const HardwareFault f = parse(psum_fault(p.cols - 1, 27, "stuck_at_0"), a);
    EXPECT_EQ(f.site, FaultSite::psum) << p.name;
    EXPECT_EQ(f.row, 0) << p.name;
    EXPECT_EQ(f.col, p.cols - 1) << p.name;
    EXPECT_EQ(f.bit, 27) << p.name;
    EXPECT_EQ(f.kind, FaultKind::stuck_at_0) << p.name;
    EXPECT_EQ(f.cycle, -1) << p.name;
    EXPECT_NO_THROW(validate(f, a));
  }
}

TEST(HardwareFaultParser, AccumulatorParsesSlotAsRowAndColumnOnBothPresets) {
  for (const auto& p : kPresets) {
    const ArrayConfig a = preset(p.name);
    const HardwareFault f = parse(acc_fault(p.stripe - 1, p.cols - 1, 5, "stuck_at_1"), a);
    EXPECT_EQ(f.site, FaultSite::accumulator) << p.name;
    EXPECT_EQ(f.row, p.stripe - 1) << p.name;
    EXPECT_EQ(f.col, p.cols - 1) << p.name;
    EXPECT_EQ(f.bit, 5) << p.name;
    EXPECT_EQ(f.kind, FaultKind::stuck_at_1) << p.name;
    EXPECT_NO_THROW(validate(f, a));
  }
}

TEST(HardwareFaultParser, TransientParsesItsCycleOnEverySite) {
  for (const auto& p : kPresets) {
    const ArrayConfig a = preset(p.name);
    json faults[] = {pe_fault("weight", 1, 2, 7, "transient"), pe_fault("input", 1, 2, 7, "transient"),
                     pe_fault("product", 1, 2, 7, "transient"), psum_fault(2, 7, "transient"),
                     acc_fault(1, 2, 7, "transient")};
    for (auto& j : faults) {
      j["cycle"] = 1500;
      const HardwareFault f = parse(j, a);
      EXPECT_EQ(f.kind, FaultKind::transient) << j.dump();
      EXPECT_EQ(f.cycle, 1500) << j.dump();
      EXPECT_EQ(f.bit, 7) << j.dump();
      EXPECT_EQ(f.col, 2) << j.dump();
      EXPECT_FALSE(f.permanent());
      EXPECT_NO_THROW(validate(f, a));
    }
  }
}

TEST(HardwareFaultParser, SmallJsonFaultsParseToTheDocumentedFaults) {
  const std::string file = std::string(ACCSIM_SOURCE_DIR) + "/configs/small.json";
  const json j = ConfigReader::load_file(file);
  ConfigReader top(j, file, "");
  const ArrayConfig a = parse_array_config(top.get_object("array"));
  const auto faults = parse_hardware_faults(top, "faults", a);
  ASSERT_EQ(faults.size(), 2u);
  EXPECT_EQ(describe(faults[0]), "weight PE(3,5) bit 30 stuck_at_1");
  EXPECT_EQ(describe(faults[1]), "psum col 2 bit 27 transient @cycle 1500");
}

TEST(HardwareFaultParser, AbsentFaultsKeyGivesNoFaults) {
  const json j = json::object();
  ConfigReader top(j, kFile, "");
  EXPECT_TRUE(parse_hardware_faults(top, "faults", preset("small")).empty());
}

TEST(HardwareFaultParser, ErrorInSecondElementNamesItsIndex) {
  const json j = {{"faults", {pe_fault("weight", 0, 0), pe_fault("weight", 0, 8)}}};
  ConfigReader top(j, kFile, "");
  try {
    parse_hardware_faults(top, "faults", preset("small"));
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("faults.json: faults[1].pe[1]: "), std::string::npos) << m;
    EXPECT_NE(m.find("[0, 7]"), std::string::npos) << m;
  }
}

// ---------------------------------------------------------------- boundaries accepted

TEST(HardwareFaultParser, LastPeIsAcceptedOnBothPresets) {
  const HardwareFault s = parse(pe_fault("weight", 7, 7), preset("small"));
  EXPECT_EQ(s.row, 7);
  EXPECT_EQ(s.col, 7);
  const HardwareFault l = parse(pe_fault("weight", 63, 31), preset("large"));
  EXPECT_EQ(l.row, 63);
  EXPECT_EQ(l.col, 31);
  EXPECT_NO_THROW(parse(pe_fault("product", 0, 0), preset("large")));
}

TEST(HardwareFaultParser, BitsZeroAndThirtyOneAreAccepted) {
  for (const auto& p : kPresets) {
    const ArrayConfig a = preset(p.name);
    EXPECT_EQ(parse(pe_fault("input", 0, 0, 31), a).bit, 31) << p.name;
    EXPECT_EQ(parse(pe_fault("input", 0, 0, 0), a).bit, 0) << p.name;
    EXPECT_EQ(parse(psum_fault(0, 31), a).bit, 31) << p.name;
    EXPECT_EQ(parse(acc_fault(0, 0, 31), a).bit, 31) << p.name;
  }
}

TEST(HardwareFaultParser, LastAccumulatorEntryIsAcceptedOnBothPresets) {
  EXPECT_NO_THROW(parse(acc_fault(15, 7), preset("small")));
  EXPECT_NO_THROW(parse(acc_fault(31, 31), preset("large")));
}

TEST(HardwareFaultParser, TransientCycleBoundsAreAccepted) {
  json j = pe_fault("weight", 0, 0, 1, "transient");
  j["cycle"] = 0;
  EXPECT_EQ(parse(j, preset("small")).cycle, 0);
  j["cycle"] = 1LL << 62;
  EXPECT_EQ(parse(j, preset("small")).cycle, 1LL << 62);
}

// ---------------------------------------------------------------- just outside: rejected with the range

TEST(HardwareFaultParser, PeRowJustOutsideIsRejectedWithTheRowRange) {
  expect_rejected(pe_fault("weight", 8, 0), preset("small"), {"faults[0].pe[0]", "8", "[0, 7]"});
  expect_rejected(pe_fault("input", 64, 0), preset("large"), {"faults[0].pe[0]", "64", "[0, 63]"});
  expect_rejected(pe_fault("product", -1, 0), preset("small"), {"faults[0].pe[0]", "-1", "[0, 7]"});
}

TEST(HardwareFaultParser, PeColumnJustOutsideIsRejectedWithTheColumnRange) {
  expect_rejected(pe_fault("weight", 7, 8), preset("small"), {"faults[0].pe[1]", "8", "[0, 7]"});
  expect_rejected(pe_fault("input", 63, 32), preset("large"), {"faults[0].pe[1]", "32", "[0, 31]"});
  expect_rejected(pe_fault("product", 0, -1), preset("large"), {"faults[0].pe[1]", "-1", "[0, 31]"});
}

TEST(HardwareFaultParser, PeOfWrongShapeOrTypeIsRejectedWithBothRanges) {
  const ArrayConfig a = preset("large");
  json j = pe_fault("weight", 0, 0);
  for (const json& bad : {json::array({1}), json::array({1, 2, 3}), json::array({1, "2"}), json(5), json("1,2"),
                          json::array({1.5, 2})}) {
    j["pe"] = bad;
    expect_rejected(j, a, {"faults[0].pe", "[0, 63]", "[0, 31]"});
  }
}

TEST(HardwareFaultParser, MissingPeIsRejected) {
  json j = pe_fault("weight", 0, 0);
  j.erase("pe");
  expect_rejected(j, preset("small"), {"faults[0].pe", "missing"});
}

TEST(HardwareFaultParser, BitJustOutsideIsRejectedWithTheDatatypeRange) {
  for (const auto& p : kPresets) {
    const ArrayConfig a = preset(p.name);
    expect_rejected(pe_fault("weight", 0, 0, 32), a, {"faults[0].bit", "32", "[0, 31]"});
    expect_rejected(pe_fault("weight", 0, 0, -1), a, {"faults[0].bit", "-1", "[0, 31]"});
    expect_rejected(psum_fault(0, 32), a, {"faults[0].bit", "[0, 31]"});
    expect_rejected(acc_fault(0, 0, 32), a, {"faults[0].bit", "[0, 31]"});
  }
}

// Each site's word on each datatype bounds its bits: the last bit parses, the next one is
// rejected with file, JSON path, the range and which word it is.
TEST(HardwareFaultParser, BitRangeFollowsTheSitesWordOnEveryDatatype) {
  struct Row {
    const char* datatype;
    int weight, input, product, psum, accumulator;
  };
  const Row rows[] = {{"fp32", 32, 32, 32, 32, 32},
                      {"fp16", 16, 16, 32, 32, 32},
                      {"bf16", 16, 16, 32, 32, 32},
                      {"int8", 8, 8, 16, 32, 32}};
  for (const auto& row : rows) {
    ArrayConfig a = preset("small");
    a.datatype = parse_datatype(row.datatype);
    const std::pair<json (*)(int), int> sites[] = {
        {[](int b) { return pe_fault("weight", 1, 1, b); }, row.weight},
        {[](int b) { return pe_fault("input", 1, 1, b); }, row.input},
        {[](int b) { return pe_fault("product", 1, 1, b); }, row.product},
        {[](int b) { return psum_fault(1, b); }, row.psum},
        {[](int b) { return acc_fault(1, 1, b); }, row.accumulator}};
    for (const auto& [make, width] : sites) {
      EXPECT_EQ(parse(make(width - 1), a).bit, width - 1) << row.datatype << " " << make(0).dump();
      const std::string range = "[0, " + std::to_string(width - 1) + "]";
      expect_rejected(make(width), a, {"faults[0].bit", std::to_string(width), range, row.datatype,
                                       std::to_string(width) + " bits"});
    }
  }
}

TEST(HardwareFaultParser, Fp16WeightBitSixteenNamesTheRegisterLayout) {
  ArrayConfig a = preset("small");
  a.datatype = DataType::fp16;
  expect_rejected(pe_fault("weight", 0, 0, 16), a,
                  {"faults[0].bit: 16 is outside the allowed range [0, 15]", "fp16 weight register",
                   "15 sign, 14..10 exponent, 9..0 mantissa"});
}

TEST(HardwareFaultParser, PsumColumnJustOutsideIsRejectedWithTheColumnRange) {
  expect_rejected(psum_fault(8), preset("small"), {"faults[0].column", "8", "[0, 7]"});
  expect_rejected(psum_fault(32), preset("large"), {"faults[0].column", "32", "[0, 31]"});
  expect_rejected(psum_fault(-1), preset("small"), {"faults[0].column", "-1", "[0, 7]"});
}

TEST(HardwareFaultParser, PsumWithPeInsteadOfColumnIsRejected) {
  json j = psum_fault(2);
  j.erase("column");
  j["pe"] = {0, 2};
  expect_rejected(j, preset("small"), {"faults[0].pe", "\"column\""});
}

TEST(HardwareFaultParser, AccumulatorWithPeInsteadOfEntryIsRejected) {
  json j = acc_fault(0, 2);
  j.erase("entry");
  j["pe"] = {0, 2};
  expect_rejected(j, preset("small"), {"faults[0].pe", "\"entry\""});
}

TEST(HardwareFaultParser, AccumulatorSlotJustOutsideIsRejectedWithTheSlotRange) {
  expect_rejected(acc_fault(16, 0), preset("small"), {"faults[0].entry", "16", "[0, 15]"});
  expect_rejected(acc_fault(32, 0), preset("large"), {"faults[0].entry", "32", "[0, 31]"});
  expect_rejected(acc_fault(-1, 0), preset("small"), {"faults[0].entry", "-1", "[0, 15]"});
}

TEST(HardwareFaultParser, AccumulatorColumnJustOutsideIsRejectedWithTheColumnRange) {
  expect_rejected(acc_fault(0, 8), preset("small"), {"faults[0].entry", "8", "[0, 7]"});
  expect_rejected(acc_fault(0, 32), preset("large"), {"faults[0].entry", "32", "[0, 31]"});
}

// Whatever the out-of-range value, the message gives the range of that coordinate (slots
// [0, stripe_length-1], columns [0, atomic_k-1]), not a range that mixes the two.
TEST(HardwareFaultParser, AccumulatorColumnFarOutsideReportsTheColumnRange) {
  // small: stripe 16 > atomic_k 8, so columns 16.. are checked against max(stripe, k) first.
  expect_rejected(acc_fault(0, 16), preset("small"), {"faults[0].entry", "16", "[0, 7]"});
  expect_rejected(acc_fault(0, -1), preset("small"), {"faults[0].entry", "-1", "[0, 7]"});
}

TEST(HardwareFaultParser, AccumulatorSlotFarOutsideShortStripeReportsTheSlotRange) {
  ArrayConfig a = preset("small");
  a.stripe_length = 4;  // slots [0, 3], columns [0, 7]
  expect_rejected(acc_fault(4, 0), a, {"faults[0].entry", "4", "[0, 3]"});
  expect_rejected(acc_fault(8, 0), a, {"faults[0].entry", "8", "[0, 3]"});
}

TEST(HardwareFaultParser, TransientCycleJustOutsideIsRejectedWithTheRange) {
  json j = pe_fault("weight", 0, 0, 1, "transient");
  j["cycle"] = -1;
  expect_rejected(j, preset("small"), {"faults[0].cycle", "-1", "[0, 4611686018427387904]"});
  j["cycle"] = (1LL << 62) + 1;
  expect_rejected(j, preset("small"), {"faults[0].cycle", "[0, 4611686018427387904]"});
  j["cycle"] = 10.5;
  expect_rejected(j, preset("small"), {"faults[0].cycle", "[0, 4611686018427387904]"});
}

TEST(HardwareFaultParser, TransientWithoutCycleIsRejected) {
  expect_rejected(pe_fault("weight", 0, 0, 1, "transient"), preset("small"), {"faults[0].cycle", "missing"});
}

TEST(HardwareFaultParser, StuckAtWithCycleIsRejected) {
  for (const char* kind : {"stuck_at_0", "stuck_at_1"}) {
    json j = psum_fault(0, 1, kind);
    j["cycle"] = 10;
    expect_rejected(j, preset("small"), {"faults[0].cycle", "transient"});
  }
}

TEST(HardwareFaultParser, UnknownSiteAndKindListTheAllowedValues) {
  json j = pe_fault("weight", 0, 0);
  j["site"] = "register_file";
  expect_rejected(j, preset("small"), {"faults[0].site", "register_file", "{weight, input, product, psum, accumulator}"});
  j = pe_fault("weight", 0, 0);
  j["kind"] = "bridging";
  expect_rejected(j, preset("small"), {"faults[0].kind", "bridging", "{stuck_at_0, stuck_at_1, transient}"});
}

TEST(HardwareFaultParser, UnknownKeyIsRejectedListingTheSiteKeys) {
  json j = pe_fault("weight", 0, 0);
  j["column"] = 3;  // not a key of a PE site
  expect_rejected(j, preset("small"), {"faults[0].column", "unknown key", "pe", "bit", "kind"});
}

}  // namespace
}  // namespace accsim
