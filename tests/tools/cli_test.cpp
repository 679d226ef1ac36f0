// End-to-end tests of the `accsim` command line through cli_main: usage handling, a good
// run, and the bad-input contract (one-line error naming the file, the JSON path of the
// key and the allowed range; exit code 2; no results file or "*.partial*" file left).
#include "tools/cli/cli.h"

#include <gtest/gtest.h>

#include <initializer_list>

#include "tools/cli_test_util.h"

namespace accsim {
namespace {

using namespace cli_test;

// Runs `accsim --config config --out <dir>/results/out.h5` and checks the whole bad-input contract.
void expect_bad_input(const TempDir& dir, const std::string& config, const std::vector<std::string>& must_contain) {
  const fs::path out_dir = dir.path() / "results";
  fs::create_directories(out_dir);
  const fs::path out_file = out_dir / "out.h5";
  const CliRun r = run_cli({"--config", config, "--out", out_file.string()});
  EXPECT_EQ(r.code, 2) << "stderr: " << r.err;
  EXPECT_TRUE(exactly_one_line(r.err)) << "stderr is not exactly one line: [" << r.err << "]";
  EXPECT_NE(r.err.find(config), std::string::npos) << "stderr does not name the config file " << config << ": "
                                                    << r.err;
  for (const auto& s : must_contain)
    EXPECT_NE(r.err.find(s), std::string::npos) << "stderr lacks [" << s << "]: " << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << "stdout: " << r.out;
  EXPECT_FALSE(fs::exists(out_file)) << "results file left behind";
  EXPECT_TRUE(files_containing(out_dir, ".partial").empty()) << "a temporary .partial file was left behind";
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty()) << "an .h5 file was left behind";
}

void expect_bad_config(const json& j, const std::vector<std::string>& must_contain) {
  TempDir dir;
  expect_bad_input(dir, write_config(dir, j), must_contain);
}

// ---------------------------------------------------------------- usage

TEST(Cli, HelpReturnsZeroAndPrintsUsage) {
  const CliRun r = run_cli({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--config"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--out"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--seed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Example"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Cli, VersionPrintsAccsimAndTheVersion) {
  const CliRun r = run_cli({"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("accsim ", 0), 0u) << r.out;
  EXPECT_GT(r.out.size(), std::string("accsim \n").size()) << r.out;
  EXPECT_TRUE(exactly_one_line(r.out)) << r.out;
}

TEST(Cli, MissingConfigOptionIsUsageErrorExit2) {
  const CliRun r = run_cli({});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("--config"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(Cli, ConfigOptionWithoutValueIsUsageErrorExit2) {
  const CliRun r = run_cli({"--config"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("config"), std::string::npos) << r.err;
}

TEST(Cli, UnknownOptionIsUsageErrorExit2) {
  const CliRun r = run_cli({"--frobnicate", "--config", source_file("configs/small.json")});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("--frobnicate"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(Cli, NonNumericSeedOptionIsUsageErrorExit2) {
  TempDir dir;
  const fs::path out_file = dir.path() / "out.h5";
  const CliRun r = run_cli({"--config", source_file("configs/small.json"), "--out", out_file.string(), "--seed", "abc"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("--seed"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out_file));
}

// A negative --seed must be rejected, not wrapped to 2^64 - 1 (the config's "seed" allows
// [0, 9223372036854775807], so the option should too).
TEST(Cli, NegativeSeedOptionIsRejectedNotWrapped) {
  for (const std::vector<std::string>& seed_args :
       {std::vector<std::string>{"--seed", "-1"}, std::vector<std::string>{"--seed=-1"}}) {
    TempDir dir;
    const fs::path out_file = dir.path() / "out.h5";
    std::vector<std::string> args{"--config", source_file("configs/small.json"), "--out", out_file.string()};
    args.insert(args.end(), seed_args.begin(), seed_args.end());
    const CliRun r = run_cli(args);
    EXPECT_EQ(r.code, 2) << seed_args.back() << " stdout: " << r.out.substr(0, r.out.find('\n'));
    EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find("seed"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("18446744073709551615"), std::string::npos) << "negative seed wrapped: " << r.out.substr(0, r.out.find('\n'));
    EXPECT_FALSE(fs::exists(out_file)) << seed_args.back();
    EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
  }
}

TEST(Cli, OutInMissingDirectoryIsExit2WithOneLineError) {
  TempDir dir;
  const fs::path out_file = dir.path() / "no_such_dir" / "out.h5";
  const CliRun r = run_cli({"--config", source_file("configs/small.json"), "--out", out_file.string()});
  EXPECT_EQ(r.code, 2) << r.err;
  // stderr may carry a dataset note line before the error; the error itself is the last line.
  ASSERT_FALSE(r.err.empty());
  EXPECT_NE(r.err.find("no_such_dir"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out_file));
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
}

// ---------------------------------------------------------------- good runs

TEST(Cli, GoodRunWritesResultsFileAndPrintsLayerTable) {
  TempDir dir;
  const fs::path out_file = dir.path() / "out.h5";
  const CliRun r = run_cli({"--config", source_file("configs/small.json"), "--out", out_file.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out_file));
  EXPECT_GT(fs::file_size(out_file), 0u);
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
  EXPECT_NE(r.out.find("conv1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fc3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("seed 1 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("results: " + out_file.string()), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("error"), std::string::npos) << r.err;
}

// LeNet-5's MACs (conv1 86400, conv2 153600, fc1 30720, fc2 10080, fc3 840 = 281640) at
// 1 pJ each, nothing else costing: the per-layer column and the total follow the config's table.
TEST(Cli, EnergyPerLayerAndTotalFollowTheConfigsTable) {
  TempDir dir;
  json j = small_config();
  j["array"]["energy"] = {{"mac_fp32_pj", 1.0}, {"register_pj", 0.0}};
  const CliRun r = run_cli({"--config", write_config(dir, j), "--out", (dir.path() / "e.h5").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("    86.4 nJ "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("     840 pJ "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("total energy 281.6 nJ (MAC 281.6 nJ, register 0 pJ, CBUF 0 pJ, DRAM 0 pJ;"), std::string::npos)
      << r.out;
}

// The fp16 and int8 variants of the small preset (and bf16) run on both engines, print
// the datatype in the table's header and give the same table on both engines.
TEST(Cli, OtherDatatypeConfigsRunOnBothEnginesWithTheSameTableAndPrintTheDatatype) {
  TempDir dir;
  json bf16 = small_config();
  bf16["array"]["datatype"] = "bf16";
  bf16["faults"][0]["bit"] = 14;
  const std::pair<std::string, std::string> configs[] = {{source_file("configs/small_fp16.json"), "fp16"},
                                                         {source_file("configs/small_int8.json"), "int8"},
                                                         {write_config(dir, bf16), "bf16"}};
  for (const auto& [config, type] : configs) {
    std::string table[2];
    int i = 0;
    for (const char* engine : {"fast", "cycle"}) {
      const fs::path out_file = dir.path() / (type + engine + ".h5");
      const CliRun r = run_cli({"--config", config, "--out", out_file.string(), "--engine", engine});
      ASSERT_EQ(r.code, 0) << type << " " << engine << ": " << r.err;
      EXPECT_NE(r.out.find("8x8, " + type + ", swizzle none"), std::string::npos) << r.out;
      EXPECT_TRUE(fs::exists(out_file));
      const std::size_t from = r.out.find("\nlayer");
      table[i++] = r.out.substr(from, r.out.find("results: ") - from);
    }
    EXPECT_EQ(table[0], table[1]) << type;
  }
}

TEST(Cli, SameConfigAndSeedTwiceGivesByteIdenticalStdout) {
  TempDir dir;
  const fs::path out_file = dir.path() / "out.h5";
  const std::vector<std::string> args{"--config", source_file("configs/small.json"), "--out", out_file.string()};
  const CliRun first = run_cli(args);
  ASSERT_EQ(first.code, 0) << first.err;
  const CliRun second = run_cli(args);
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(first.out, second.out);
  EXPECT_TRUE(fs::exists(out_file));
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
}

TEST(Cli, SeedOptionOverridesTheConfigSeed) {
  TempDir dir;
  const fs::path out_file = dir.path() / "out.h5";
  const CliRun r =
      run_cli({"--config", source_file("configs/small.json"), "--out", out_file.string(), "--seed", "12345"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("seed 12345 "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("seed 1 "), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out_file));
}

TEST(Cli, ConfigSeedIsUsedWithoutTheOption) {
  TempDir dir;
  json j = small_config();
  j["seed"] = 777;
  const std::string config = write_config(dir, j);
  const fs::path out_file = dir.path() / "out.h5";
  const CliRun r = run_cli({"--config", config, "--out", out_file.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("seed 777 "), std::string::npos) << r.out;
}

// ---------------------------------------------------------------- bad input: files and JSON

TEST(Cli, MissingConfigFileGivesOneLineErrorNamingTheFile) {
  TempDir dir;
  expect_bad_input(dir, (dir.path() / "does_not_exist.json").string(), {"cannot open"});
}

TEST(Cli, MalformedJsonGivesOneLineErrorWithLineInfo) {
  TempDir dir;
  std::string text = small_config().dump(2);
  // Drop the comma after "atomic_c": 8 (on line 4 of the dump).
  const std::string key = "\"atomic_c\": 8,";
  const auto pos = text.find(key);
  ASSERT_NE(pos, std::string::npos);
  text.erase(pos + key.size() - 1, 1);
  expect_bad_input(dir, write_file(dir.path() / "config.json", text), {"malformed JSON", "line "});
}

TEST(Cli, TruncatedJsonGivesOneLineError) {
  TempDir dir;
  const std::string text = small_config().dump(2);
  expect_bad_input(dir, write_file(dir.path() / "config.json", text.substr(0, text.size() / 2)),
                   {"malformed JSON", "line "});
}

TEST(Cli, EmptyConfigFileGivesOneLineError) {
  TempDir dir;
  expect_bad_input(dir, write_file(dir.path() / "config.json", ""), {"malformed JSON"});
}

TEST(Cli, TopLevelNotAnObjectIsRejected) { expect_bad_config(json::array({1, 2}), {"top level", "object"}); }

// ---------------------------------------------------------------- bad input: keys and types

TEST(Cli, MissingRequiredArrayKeyIsRejected) {
  json j = small_config();
  j["array"].erase("stripe_length");
  expect_bad_config(j, {"array.stripe_length", "missing"});
}

// ---------------------------------------------------------------- bad input: sizes

TEST(Cli, FaultBitOutsideTheFormatsRegisterWordIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["datatype"] = "fp16";  // weight bit 30 of small.json no longer exists
  expect_bad_config(j, {"faults[0].bit", "30 is outside the allowed range [0, 15]", "fp16 weight register"});
  j["array"]["datatype"] = "int8";
  j["faults"][0] = {{"site", "product"}, {"pe", {1, 1}}, {"bit", 16}, {"kind", "stuck_at_0"}};
  expect_bad_config(j, {"faults[0].bit", "[0, 15]", "int8 multiplier output"});
}

TEST(Cli, XorSwizzleOnNonPowerOfTwoArrayIsRejected) {
  json j = small_config();
  j["array"]["atomic_c"] = 6;
  j["array"]["swizzle"] = "xor";
  expect_bad_config(j, {"array.swizzle", "power-of-two", "6x8"});
}

// ---------------------------------------------------------------- bad input: faults

TEST(Cli, PsumGivenPeInsteadOfColumnIsRejected) {
  json j = small_config();
  j["faults"][1].erase("column");
  j["faults"][1]["pe"] = {0, 2};
  expect_bad_config(j, {"faults[1].pe", "\"column\""});
}

// With stripe_length 4 and atomic_k 8 the allowed slots are [0, 3], whatever the slot value.
TEST(Cli, AccumulatorSlotFarOutsideShortStripeReportsTheSlotRange) {
  json j = small_config();
  j["array"]["stripe_length"] = 4;
  j["faults"][0] = {{"site", "accumulator"}, {"entry", {9, 0}}, {"bit", 3}, {"kind", "stuck_at_1"}};
  expect_bad_config(j, {"faults[0].entry", "9", "[0, 3]"});
}

// With stripe_length 16 and atomic_k 8 the allowed columns are [0, 7], whatever the column value.
TEST(Cli, TransientWithoutCycleIsRejected) {
  json j = small_config();
  j["faults"][1].erase("cycle");
  expect_bad_config(j, {"faults[1].cycle", "missing"});
}

// The contract asks every message for the allowed range, also when a required key is absent.
TEST(Cli, TransientWithoutCycleMessageGivesTheCycleRange) {
  json j = small_config();
  j["faults"][1].erase("cycle");
  expect_bad_config(j, {"faults[1].cycle", "[0, 4611686018427387904]"});
}

TEST(Cli, MissingFaultSiteIsRejected) {
  json j = small_config();
  j["faults"][0].erase("site");
  expect_bad_config(j, {"faults[0].site", "missing"});
}

// A bad config must not touch a results file that already exists at the target.
TEST(Cli, BadConfigLeavesAPreexistingResultsFileUntouched) {
  TempDir dir;
  json j = small_config();
  j["array"]["atomic_c"] = 0;
  const std::string config = write_config(dir, j);
  const fs::path out_file = dir.path() / "out.h5";
  write_file(out_file, "previous results");
  const CliRun r = run_cli({"--config", config, "--out", out_file.string()});
  EXPECT_EQ(r.code, 2);
  std::ifstream in(out_file);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "previous results");
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
}

// ---------------------------------------------------------------- bad input: one key

// One bad value at one JSON pointer of configs/small.json, and what the one-line error
// must contain (the key's path, the offending value or the allowed range).
struct BadKey {
  const char* name;
  const char* pointer;
  json value;
  std::vector<std::string> must_contain;
};

void PrintTo(const BadKey& b, std::ostream* os) { *os << b.pointer << " = " << b.value.dump(); }

class CliBadKey : public ::testing::TestWithParam<BadKey> {};

TEST_P(CliBadKey, IsRejectedWithOneLineNamingTheKey) {
  json j = small_config();
  j[json::json_pointer(GetParam().pointer)] = GetParam().value;
  TempDir dir;
  expect_bad_input(dir, write_config(dir, j), GetParam().must_contain);
}

INSTANTIATE_TEST_SUITE_P(
    Cli, CliBadKey,
    ::testing::Values(
        BadKey{"UnknownArrayKeyIsRejectedWithItsPathAndTheAllowedKeys", "/array/atomic_kk", 8, {"array.atomic_kk", "unknown key", "atomic_c", "atomic_k", "stripe_length", "clock_mhz"}},
        BadKey{"UnknownTopLevelKeyIsRejectedWithTheAllowedKeys", "/sed", 3, {": sed: unknown key", "array", "workload", "seed", "faults"}},
        BadKey{"UnknownFaultKeyIsRejectedWithItsIndexedPath", "/faults/1/bits", 3, {"faults[1].bits", "unknown key", "bit", "kind"}},
        BadKey{"StringForIntegerKeyIsRejectedWithTheRange", "/array/atomic_c", "8", {"array.atomic_c", "[1, 256]", "\"8\""}},
        BadKey{"FractionalIntegerKeyIsRejectedWithTheRange", "/array/atomic_k", 7.5, {"array.atomic_k", "[1, 256]"}},
        BadKey{"StringForNumberKeyIsRejectedWithTheRange", "/array/clock_mhz", "fast", {"array.clock_mhz", "[1, 100000]"}},
        BadKey{"ArrayNotAnObjectIsRejected", "/array", 8, {"array", "object"}},
        BadKey{"NegativeEnergyIsRejectedWithTheRange", "/array/energy/dram_pj_per_byte", -1, {"array.energy.dram_pj_per_byte", "[0, 1e+06]"}},
        BadKey{"UnknownEnergyKeyIsRejected", "/array/energy/sram_pj", 1, {"array.energy.sram_pj", "unknown key", "cbuf_pj_per_byte"}},
        BadKey{"FaultsNotAnArrayIsRejected", "/faults", json::object(), {"faults", "array"}},
        BadKey{"FaultElementNotAnObjectIsRejected", "/faults/1", 3, {"faults[1]", "object"}},
        BadKey{"UnknownNetworkIsRejectedWithTheAllowedList", "/workload/network", "resnet9000", {"workload.network", "lenet5", "resnet9000"}},
        BadKey{"ImageIndexOutOfRangeIsRejectedWithTheRange", "/workload/image_index", 10000, {"workload.image_index", "[0, 9999]"}},
        BadKey{"AtomicCZeroIsRejectedWithTheRange", "/array/atomic_c", 0, {"array.atomic_c", "[1, 256]"}},
        BadKey{"AtomicCNegativeIsRejectedWithTheRange", "/array/atomic_c", -3, {"array.atomic_c", "-3", "[1, 256]"}},
        BadKey{"AtomicKZeroIsRejectedWithTheRange", "/array/atomic_k", 0, {"array.atomic_k", "[1, 256]"}},
        BadKey{"StripeLengthZeroIsRejectedWithTheRange", "/array/stripe_length", 0, {"array.stripe_length", "[1, 4096]"}},
        BadKey{"WeightLoadRateZeroIsRejectedWithTheRange", "/array/weight_load_bytes_per_cycle", 0, {"array.weight_load_bytes_per_cycle", "[1, 1048576]"}},
        BadKey{"CbufBytesNegativeIsRejectedWithTheRange", "/array/cbuf_bytes", -131072, {"array.cbuf_bytes", "[1, 1099511627776]"}},
        BadKey{"MacPipelineDepthNegativeIsRejectedWithTheRange", "/array/mac_pipeline_depth", -1, {"array.mac_pipeline_depth", "[0, 1024]"}},
        BadKey{"ClockMhzZeroIsRejectedWithTheRange", "/array/clock_mhz", 0, {"array.clock_mhz", "[1, 100000]"}},
        BadKey{"ClockMhzNegativeIsRejectedWithTheRange", "/array/clock_mhz", -500.5, {"array.clock_mhz", "[1, 100000]"}},
        BadKey{"NegativeSeedInConfigIsRejectedWithTheRange", "/seed", -1, {": seed: ", "[0, 9223372036854775807]"}},
        BadKey{"SeedAboveInt64InConfigIsRejectedWithTheRange", "/seed", 18446744073709551615ULL, {": seed: ", "[0, 9223372036854775807]"}},
        BadKey{"UnknownDatatypeIsRejectedWithTheAllowedList", "/array/datatype", "int4", {"array.datatype", "\"int4\"", "{fp32, fp16, bf16, int8}"}},
        BadKey{"UnknownSwizzleIsRejectedWithTheAllowedList", "/array/swizzle", "shuffle", {"array.swizzle", "none, rotate, xor, random"}},
        BadKey{"BitOutsideTheDatatypeIsRejectedWithTheRange", "/faults/0/bit", 32, {"faults[0].bit", "32", "[0, 31]"}},
        BadKey{"NegativeBitIsRejectedWithTheRange", "/faults/1/bit", -1, {"faults[1].bit", "[0, 31]"}},
        BadKey{"PeRowOutsideTheArrayIsRejectedWithTheRange", "/faults/1", {{"site", "weight"}, {"pe", {8, 0}}, {"bit", 3}, {"kind", "stuck_at_0"}}, {"faults[1].pe[0]", "8", "[0, 7]"}},
        BadKey{"PeColumnOutsideTheArrayIsRejectedWithTheRange", "/faults/0/pe", {0, 8}, {"faults[0].pe[1]", "8", "[0, 7]"}},
        BadKey{"NegativePeRowIsRejectedWithTheRange", "/faults/0/pe", {-1, 0}, {"faults[0].pe[0]", "[0, 7]"}},
        BadKey{"PeOfWrongShapeIsRejectedWithTheRanges", "/faults/0/pe", {3}, {"faults[0].pe", "[0, 7]"}},
        BadKey{"PsumColumnOutsideTheArrayIsRejectedWithTheRange", "/faults/1/column", 8, {"faults[1].column", "[0, 7]"}},
        BadKey{"AccumulatorGivenPeInsteadOfEntryIsRejected", "/faults/0/site", "accumulator", {"faults[0].pe", "\"entry\""}},
        BadKey{"AccumulatorSlotOutsideStripeLengthIsRejectedWithTheRange", "/faults/0", {{"site", "accumulator"}, {"entry", {16, 0}}, {"bit", 3}, {"kind", "stuck_at_1"}}, {"faults[0].entry", "16", "[0, 15]"}},
        BadKey{"AccumulatorColumnOutsideTheArrayIsRejectedWithTheRange", "/faults/0", {{"site", "accumulator"}, {"entry", {0, 8}}, {"bit", 3}, {"kind", "stuck_at_1"}}, {"faults[0].entry", "8", "[0, 7]"}},
        BadKey{"AccumulatorColumnFarOutsideTheArrayReportsTheColumnRange", "/faults/0", {{"site", "accumulator"}, {"entry", {0, 20}}, {"bit", 3}, {"kind", "stuck_at_1"}}, {"faults[0].entry", "20", "[0, 7]"}},
        BadKey{"NegativeTransientCycleIsRejectedWithTheRange", "/faults/1/cycle", -5, {"faults[1].cycle", "[0, 4611686018427387904]"}},
        BadKey{"StuckAtWithCycleIsRejected", "/faults/0/cycle", 100, {"faults[0].cycle", "transient"}},
        BadKey{"UnknownFaultSiteIsRejectedWithTheAllowedList", "/faults/0/site", "register", {"faults[0].site", "register", "weight, input, product, psum, accumulator"}},
        BadKey{"UnknownFaultKindIsRejectedWithTheAllowedList", "/faults/1/kind", "stuck_at_2", {"faults[1].kind", "stuck_at_2", "stuck_at_0, stuck_at_1, transient"}}),
    [](const ::testing::TestParamInfo<BadKey>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace accsim
