// `accsim campaign` with the memory sites cbuf and dram (docs/memory_faults.md): the
// files, the code's guarantees on the outcomes, thread-count independence, bad keys, and
// a run killed mid-way that resumes from its checkpoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "tools/cli_test_util.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/results_file.h"
#include "workloads/run/run_config.h"

namespace accsim {
namespace {

using namespace cli_test;

json memory_config(const std::string& code, double multi_bit, int threads) {
  json j = small_config();
  j.erase("faults");
  j["array"]["memory"] = {{"preset", "nv_small"}};
  j["workload"]["parameters"] = trained_lenet5();
  j["campaign"] = {{"experiments", 40}, {"test_limit", 6}, {"batch", 4}, {"threads", threads},
                   {"sites", {"cbuf", "dram"}},
                   {"memory", {{"cbuf_code", code}, {"dram_code", code}, {"multi_bit_fraction", multi_bit}}}};
  return j;
}

std::vector<std::string> outcomes(const std::string& file) { return read_strings(file, "/experiments/outcome_name"); }

long long count(const std::vector<std::string>& v, const std::string& x) { return std::count(v.begin(), v.end(), x); }

TEST(MemoryCampaignCommand, WritesRatesFitTableHdf5AndCsvAndIsThreadIndependent) {
  TempDir dir;
  const std::string one = (dir.path() / "one.h5").string(), two = (dir.path() / "two.h5").string();
  const CliRun a = run_cli({"campaign", "--config", write_config(dir, memory_config("none", 0.3, 1)), "--out", one});
  ASSERT_EQ(a.code, 0) << a.err;
  const CliRun b = run_cli({"campaign", "--config", write_config(dir, memory_config("none", 0.3, 2)), "--out", two});
  ASSERT_EQ(b.code, 0) << b.err;
  for (const char* part : {"memory faults", "FIT per structure", "| cbuf | none", "| dram | none", "results: "})
    EXPECT_NE(a.out.find(part), std::string::npos) << part << "\n" << a.out;
  EXPECT_EQ(a.out.find("not modelled"), std::string::npos) << a.out;  // every LeNet-5 layer's operands are mapped
  EXPECT_EQ(outcomes(one), outcomes(two));
  for (const char* d : {"/experiments/word", "/experiments/bit", "/experiments/bits", "/experiments/cycle",
                        "/experiments/corrupted_elements", "/experiments/correct_to_wrong", "/experiments/live"})
    EXPECT_EQ(read_int64s(one, d), read_int64s(two, d)) << d;
  EXPECT_EQ(outcomes(one).size(), 40u);
  EXPECT_EQ(read_string_attribute(one, "/", "format"), "accsim-memory-campaign");
  EXPECT_EQ(read_int64_attribute(one, "/", "seed"), 1);
  // Without a code every fault that reaches live data is silent: no corrections, no DUE.
  EXPECT_EQ(count(outcomes(one), "corrected") + count(outcomes(one), "due"), 0);
  const auto elements = read_int64s(one, "/experiments/corrupted_elements");
  EXPECT_GT(*std::max_element(elements.begin(), elements.end()), 0);
  EXPECT_TRUE(fs::exists(dir.path() / "one.csv"));
  EXPECT_TRUE(fs::exists(dir.path() / "one.fit.csv"));
  EXPECT_EQ(read_strings(one, "/summary/fit/structure"), (std::vector<std::string>{"cbuf", "dram"}));
}

// The FIT table's CSV is guarded like every output: when it would replace an input (here
// the config, named x.fit.csv) the run is refused before anything is written.
TEST(MemoryCampaignCommand, AFitTableThatWouldReplaceAnInputIsRefused) {
  TempDir dir;
  const std::string config = write_file(dir.path() / "x.fit.csv", memory_config("secded", 0.0, 1).dump());
  const CliRun r = run_cli({"campaign", "--config", config, "--out", (dir.path() / "x.h5").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("x.fit.csv"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "x.h5"));
  EXPECT_FALSE(fs::exists(dir.path() / "x.csv"));
}

TEST(MemoryCampaignCommand, SecdedCorrectsEverySingleBitFaultAndParityNeverLetsOneThrough) {
  TempDir dir;
  const std::string secded = (dir.path() / "s.h5").string(), parity = (dir.path() / "p.h5").string();
  ASSERT_EQ(run_cli({"campaign", "--config", write_config(dir, memory_config("secded", 0.0, 2)), "--out", secded}).code, 0);
  ASSERT_EQ(run_cli({"campaign", "--config", write_config(dir, memory_config("parity", 0.0, 2)), "--out", parity}).code, 0);
  const auto s = outcomes(secded), p = outcomes(parity);
  EXPECT_EQ(count(s, "sdc") + count(s, "crash") + count(s, "due"), 0);
  EXPECT_GT(count(s, "corrected"), 0);
  EXPECT_EQ(count(p, "sdc") + count(p, "crash") + count(p, "corrected"), 0);
  EXPECT_GT(count(p, "due"), 0);
  // The same draws under both codes (the code word's width differs only past bit 64).
  EXPECT_EQ(read_int64s(secded, "/experiments/word"), read_int64s(parity, "/experiments/word"));
}

// DRAM words are densely packed fp32 (LeNet-5's regions hold even element counts): without
// a code, a one-bit transient that strikes a live word changes exactly one element per
// batch that reads it, and one that strikes dead data changes nothing.
TEST(MemoryCampaignCommand, AnUncodedDramBitFlipCorruptsOneElementPerRead) {
  TempDir dir;
  json j = memory_config("none", 0.0, 2);
  j["campaign"]["sites"] = {"dram"};
  j["campaign"]["kinds"] = {"transient"};
  const std::string out = (dir.path() / "d.h5").string();
  ASSERT_EQ(run_cli({"campaign", "--config", write_config(dir, j), "--out", out}).code, 0);
  const auto live = read_int64s(out, "/experiments/live"), silent = read_int64s(out, "/experiments/reads_silent");
  const auto elements = read_int64s(out, "/experiments/corrupted_elements");
  const auto names = outcomes(out);
  long long live_count = 0;
  for (std::size_t i = 0; i < live.size(); ++i) {
    live_count += live[i];
    EXPECT_EQ(elements[i], silent[i]) << i;
    EXPECT_LE(silent[i], 2) << i;  // 2 batches (4 + 2 images)
    if (!live[i]) {
      EXPECT_EQ(names[i], "masked") << i;
    } else {
      EXPECT_GE(silent[i], 1) << i;  // the full batch reads it
    }
  }
  EXPECT_GT(live_count, 0);
}

TEST(MemoryCampaignCommand, TheShippedConfigsParseAsMemoryCampaigns) {
  for (const char* name : {"cbuf", "dram"}) {
    const RunConfig rc =
        parse_run_config(source_file(std::string("configs/experiments/campaign_lenet5_") + name + "_secded.json"));
    ASSERT_TRUE(rc.campaign.has_value());
    EXPECT_EQ(rc.campaign->memory_sites, std::vector<MemoryStructure>{parse_memory_structure(name)});
    EXPECT_TRUE(rc.campaign->sites.empty());
    EXPECT_EQ(rc.campaign->memory.code(parse_memory_structure(name)), EccCode::secded);
    EXPECT_DOUBLE_EQ(rc.campaign->memory.multi_bit_fraction, 0.2);
    EXPECT_TRUE(rc.array.memory.enabled);
  }
}

TEST(MemoryCampaignCommand, BadMemoryKeysExitWith2NamingTheKey) {
  TempDir dir;
  struct Case {
    json config;
    std::vector<std::string> expected;
  };
  json bad_code = memory_config("hamming", 0.0, 1);
  json mixed = memory_config("secded", 0.0, 1);
  mixed["campaign"]["sites"] = {"cbuf", "psum"};
  json bits = memory_config("secded", 0.0, 1);
  bits["campaign"]["bits"] = {0, 31};
  json sizes = memory_config("secded", 0.5, 1);
  sizes["campaign"]["memory"]["multi_bit_sizes"] = {4};
  json fraction = memory_config("secded", 1.5, 1);
  json no_memory = memory_config("secded", 0.0, 1);
  no_memory["array"].erase("memory");
  json unknown = memory_config("secded", 0.0, 1);
  unknown["campaign"]["memory"]["sram_code"] = "secded";
  json pe_memory = memory_config("secded", 0.0, 1);
  pe_memory["campaign"]["sites"] = {"psum"};
  for (const Case& c : {Case{bad_code, {"campaign.memory.cbuf_code", "secded"}}, Case{mixed, {"campaign.sites", "mixed"}},
                        Case{bits, {"campaign.bits", "PE sites"}}, Case{sizes, {"campaign.memory.multi_bit_sizes", "{2, 3}"}},
                        Case{fraction, {"campaign.memory.multi_bit_fraction"}}, Case{no_memory, {"array.memory"}},
                        Case{unknown, {"campaign.memory.sram_code"}}, Case{pe_memory, {"campaign.memory", "cbuf"}}}) {
    const std::string config = write_config(dir, c.config);
    const CliRun r = run_cli({"campaign", "--config", config, "--out", (dir.path() / "x.h5").string()});
    EXPECT_EQ(r.code, 2) << c.config.dump();
    EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find(config), std::string::npos) << r.err;
    for (const auto& part : c.expected) EXPECT_NE(r.err.find(part), std::string::npos) << part << ": " << r.err;
    EXPECT_TRUE(files_containing(dir.path(), "x.h5").empty());
  }
}

std::string text_of(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// SIGKILLed once its checkpoint exists, the campaign resumes to the uninterrupted run's
// results and tables; a checkpoint of another memory campaign (here: another code, which
// the PE campaign's key does not cover) is refused naming it, and left in place.
TEST(MemoryCampaignCommand, ARunKilledMidRunResumesToTheUninterruptedResults) {
  TempDir dir;
  // Silent reads rerun the model; 2000 experiments take ~0.6 s on an idle core, several
  // checkpoints at the shortest interval (400 finished before the first one).
  json j = memory_config("none", 0.3, 1);
  j["campaign"]["experiments"] = 2000;
  j["campaign"]["checkpoint_seconds"] = 0.1;
  const std::string config = write_config(dir, j);
  const std::string whole = (dir.path() / "whole.h5").string(), parts = (dir.path() / "parts.h5").string();
  const CliRun a = run_cli({"campaign", "--config", config, "--out", whole, "--quiet"});
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_FALSE(fs::exists(checkpoint_path(whole)));
  const std::vector<std::string> args = {"campaign", "--config", config, "--out", parts, "--quiet"};
  killed_mid_run(args, checkpoint_path(parts));
  EXPECT_FALSE(fs::exists(parts));

  json other = j;
  other["campaign"]["memory"]["cbuf_code"] = "parity";
  const std::string other_config = write_file(dir.path() / "other.json", other.dump());
  const CliRun refused = run_cli({"campaign", "--config", other_config, "--out", parts, "--quiet"});
  EXPECT_EQ(refused.code, 2);
  EXPECT_TRUE(exactly_one_line(refused.err)) << refused.err;
  EXPECT_NE(refused.err.find("belongs to another memory campaign"), std::string::npos) << refused.err;
  EXPECT_TRUE(fs::exists(checkpoint_path(parts)));

  const CliRun resumed = run_cli(args);
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resumed from"), std::string::npos) << resumed.out;
  EXPECT_FALSE(fs::exists(checkpoint_path(parts)));
  EXPECT_EQ(outcomes(whole), outcomes(parts));
  for (const char* d : {"word", "bit", "bits", "cycle", "layer_index", "live", "reads_corrected", "reads_detected",
                        "reads_silent", "corrupted_elements", "correct_to_wrong", "nonfinite_images"})
    EXPECT_EQ(read_int64s(whole, std::string("/experiments/") + d), read_int64s(parts, std::string("/experiments/") + d))
        << d;
  EXPECT_EQ(text_of(dir.path() / "whole.csv"), text_of(dir.path() / "parts.csv"));
  EXPECT_EQ(text_of(dir.path() / "whole.fit.csv"), text_of(dir.path() / "parts.fit.csv"));
}

// A sweep point runs the PE campaign: memory sites there are refused before anything runs.
TEST(MemoryCampaignCommand, ASweepWithMemorySitesIsRefused) {
  TempDir dir;
  json j = memory_config("secded", 0.0, 1);
  j["sweep"] = {{"grid", {{"array.atomic_k", {8, 16}}}}};
  const CliRun r = run_cli({"sweep", "--config", write_config(dir, j), "--out", (dir.path() / "s.h5").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("campaign.sites"), std::string::npos) << r.err;
  EXPECT_TRUE(files_containing(dir.path(), "s.h5").empty());
}

}  // namespace
}  // namespace accsim
