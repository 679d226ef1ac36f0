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
void expect_bad_input(const TempDir& dir, const std::string& config, std::initializer_list<std::string> must_contain) {
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

void expect_bad_config(const json& j, std::initializer_list<std::string> must_contain) {
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

TEST(Cli, UnknownArrayKeyIsRejectedWithItsPathAndTheAllowedKeys) {
  json j = small_config();
  j["array"]["atomic_kk"] = 8;
  expect_bad_config(j, {"array.atomic_kk", "unknown key", "atomic_c", "atomic_k", "stripe_length", "clock_mhz"});
}

TEST(Cli, UnknownTopLevelKeyIsRejectedWithTheAllowedKeys) {
  json j = small_config();
  j["sed"] = 3;
  expect_bad_config(j, {": sed: unknown key", "array", "workload", "seed", "faults"});
}

TEST(Cli, UnknownFaultKeyIsRejectedWithItsIndexedPath) {
  json j = small_config();
  j["faults"][1]["bits"] = 3;
  expect_bad_config(j, {"faults[1].bits", "unknown key", "bit", "kind"});
}

TEST(Cli, MissingRequiredArrayKeyIsRejected) {
  json j = small_config();
  j["array"].erase("stripe_length");
  expect_bad_config(j, {"array.stripe_length", "missing"});
}

TEST(Cli, StringForIntegerKeyIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["atomic_c"] = "8";
  expect_bad_config(j, {"array.atomic_c", "[1, 256]", "\"8\""});
}

TEST(Cli, FractionalIntegerKeyIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["atomic_k"] = 7.5;
  expect_bad_config(j, {"array.atomic_k", "[1, 256]"});
}

TEST(Cli, StringForNumberKeyIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["clock_mhz"] = "fast";
  expect_bad_config(j, {"array.clock_mhz", "[1, 100000]"});
}

TEST(Cli, ArrayNotAnObjectIsRejected) {
  json j = small_config();
  j["array"] = 8;
  expect_bad_config(j, {"array", "object"});
}

TEST(Cli, FaultsNotAnArrayIsRejected) {
  json j = small_config();
  j["faults"] = json::object();
  expect_bad_config(j, {"faults", "array"});
}

TEST(Cli, FaultElementNotAnObjectIsRejected) {
  json j = small_config();
  j["faults"][1] = 3;
  expect_bad_config(j, {"faults[1]", "object"});
}

TEST(Cli, UnknownNetworkIsRejectedWithTheAllowedList) {
  json j = small_config();
  j["workload"]["network"] = "resnet9000";
  expect_bad_config(j, {"workload.network", "lenet5", "resnet9000"});
}

TEST(Cli, ImageIndexOutOfRangeIsRejectedWithTheRange) {
  json j = small_config();
  j["workload"]["image_index"] = 10000;
  expect_bad_config(j, {"workload.image_index", "[0, 9999]"});
}

// ---------------------------------------------------------------- bad input: sizes

TEST(Cli, AtomicCZeroIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["atomic_c"] = 0;
  expect_bad_config(j, {"array.atomic_c", "[1, 256]"});
}

TEST(Cli, AtomicCNegativeIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["atomic_c"] = -3;
  expect_bad_config(j, {"array.atomic_c", "-3", "[1, 256]"});
}

TEST(Cli, AtomicKZeroIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["atomic_k"] = 0;
  expect_bad_config(j, {"array.atomic_k", "[1, 256]"});
}

TEST(Cli, StripeLengthZeroIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["stripe_length"] = 0;
  expect_bad_config(j, {"array.stripe_length", "[1, 4096]"});
}

TEST(Cli, WeightLoadRateZeroIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["weight_load_bytes_per_cycle"] = 0;
  expect_bad_config(j, {"array.weight_load_bytes_per_cycle", "[1, 1048576]"});
}

TEST(Cli, CbufBytesNegativeIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["cbuf_bytes"] = -131072;
  expect_bad_config(j, {"array.cbuf_bytes", "[1, 1099511627776]"});
}

TEST(Cli, MacPipelineDepthNegativeIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["mac_pipeline_depth"] = -1;
  expect_bad_config(j, {"array.mac_pipeline_depth", "[0, 1024]"});
}

TEST(Cli, ClockMhzZeroIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["clock_mhz"] = 0;
  expect_bad_config(j, {"array.clock_mhz", "[1, 100000]"});
}

TEST(Cli, ClockMhzNegativeIsRejectedWithTheRange) {
  json j = small_config();
  j["array"]["clock_mhz"] = -500.5;
  expect_bad_config(j, {"array.clock_mhz", "[1, 100000]"});
}

TEST(Cli, NegativeSeedInConfigIsRejectedWithTheRange) {
  json j = small_config();
  j["seed"] = -1;
  expect_bad_config(j, {": seed: ", "[0, 9223372036854775807]"});
}

TEST(Cli, SeedAboveInt64InConfigIsRejectedWithTheRange) {
  json j = small_config();
  j["seed"] = 18446744073709551615ULL;
  expect_bad_config(j, {": seed: ", "[0, 9223372036854775807]"});
}

TEST(Cli, UnknownDatatypeIsRejectedWithTheAllowedList) {
  json j = small_config();
  j["array"]["datatype"] = "int4";
  expect_bad_config(j, {"array.datatype", "\"int4\"", "{fp32, fp16, bf16, int8}"});
}

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

TEST(Cli, UnknownSwizzleIsRejectedWithTheAllowedList) {
  json j = small_config();
  j["array"]["swizzle"] = "shuffle";
  expect_bad_config(j, {"array.swizzle", "none, rotate, xor, random"});
}

// ---------------------------------------------------------------- bad input: faults

TEST(Cli, BitOutsideTheDatatypeIsRejectedWithTheRange) {
  json j = small_config();
  j["faults"][0]["bit"] = 32;
  expect_bad_config(j, {"faults[0].bit", "32", "[0, 31]"});
}

TEST(Cli, NegativeBitIsRejectedWithTheRange) {
  json j = small_config();
  j["faults"][1]["bit"] = -1;
  expect_bad_config(j, {"faults[1].bit", "[0, 31]"});
}

TEST(Cli, PeRowOutsideTheArrayIsRejectedWithTheRange) {
  json j = small_config();
  j["faults"][1] = {{"site", "weight"}, {"pe", {8, 0}}, {"bit", 3}, {"kind", "stuck_at_0"}};
  expect_bad_config(j, {"faults[1].pe[0]", "8", "[0, 7]"});
}

TEST(Cli, PeColumnOutsideTheArrayIsRejectedWithTheRange) {
  json j = small_config();
  j["faults"][0]["pe"] = {0, 8};
  expect_bad_config(j, {"faults[0].pe[1]", "8", "[0, 7]"});
}

TEST(Cli, NegativePeRowIsRejectedWithTheRange) {
  json j = small_config();
  j["faults"][0]["pe"] = {-1, 0};
  expect_bad_config(j, {"faults[0].pe[0]", "[0, 7]"});
}

TEST(Cli, PeOfWrongShapeIsRejectedWithTheRanges) {
  json j = small_config();
  j["faults"][0]["pe"] = {3};
  expect_bad_config(j, {"faults[0].pe", "[0, 7]"});
}

TEST(Cli, PsumColumnOutsideTheArrayIsRejectedWithTheRange) {
  json j = small_config();
  j["faults"][1]["column"] = 8;
  expect_bad_config(j, {"faults[1].column", "[0, 7]"});
}

TEST(Cli, PsumGivenPeInsteadOfColumnIsRejected) {
  json j = small_config();
  j["faults"][1].erase("column");
  j["faults"][1]["pe"] = {0, 2};
  expect_bad_config(j, {"faults[1].pe", "\"column\""});
}

TEST(Cli, AccumulatorGivenPeInsteadOfEntryIsRejected) {
  json j = small_config();
  j["faults"][0]["site"] = "accumulator";
  expect_bad_config(j, {"faults[0].pe", "\"entry\""});
}

TEST(Cli, AccumulatorSlotOutsideStripeLengthIsRejectedWithTheRange) {
  json j = small_config();
  j["faults"][0] = {{"site", "accumulator"}, {"entry", {16, 0}}, {"bit", 3}, {"kind", "stuck_at_1"}};
  expect_bad_config(j, {"faults[0].entry", "16", "[0, 15]"});
}

// With stripe_length 4 and atomic_k 8 the allowed slots are [0, 3], whatever the slot value.
TEST(Cli, AccumulatorSlotFarOutsideShortStripeReportsTheSlotRange) {
  json j = small_config();
  j["array"]["stripe_length"] = 4;
  j["faults"][0] = {{"site", "accumulator"}, {"entry", {9, 0}}, {"bit", 3}, {"kind", "stuck_at_1"}};
  expect_bad_config(j, {"faults[0].entry", "9", "[0, 3]"});
}

TEST(Cli, AccumulatorColumnOutsideTheArrayIsRejectedWithTheRange) {
  json j = small_config();
  j["faults"][0] = {{"site", "accumulator"}, {"entry", {0, 8}}, {"bit", 3}, {"kind", "stuck_at_1"}};
  expect_bad_config(j, {"faults[0].entry", "8", "[0, 7]"});
}

// With stripe_length 16 and atomic_k 8 the allowed columns are [0, 7], whatever the column value.
TEST(Cli, AccumulatorColumnFarOutsideTheArrayReportsTheColumnRange) {
  json j = small_config();
  j["faults"][0] = {{"site", "accumulator"}, {"entry", {0, 20}}, {"bit", 3}, {"kind", "stuck_at_1"}};
  expect_bad_config(j, {"faults[0].entry", "20", "[0, 7]"});
}

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

TEST(Cli, NegativeTransientCycleIsRejectedWithTheRange) {
  json j = small_config();
  j["faults"][1]["cycle"] = -5;
  expect_bad_config(j, {"faults[1].cycle", "[0, 4611686018427387904]"});
}

TEST(Cli, StuckAtWithCycleIsRejected) {
  json j = small_config();
  j["faults"][0]["cycle"] = 100;
  expect_bad_config(j, {"faults[0].cycle", "transient"});
}

TEST(Cli, UnknownFaultSiteIsRejectedWithTheAllowedList) {
  json j = small_config();
  j["faults"][0]["site"] = "register";
  expect_bad_config(j, {"faults[0].site", "register", "weight, input, product, psum, accumulator"});
}

TEST(Cli, UnknownFaultKindIsRejectedWithTheAllowedList) {
  json j = small_config();
  j["faults"][1]["kind"] = "stuck_at_2";
  expect_bad_config(j, {"faults[1].kind", "stuck_at_2", "stuck_at_0, stuck_at_1, transient"});
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

}  // namespace
}  // namespace accsim
