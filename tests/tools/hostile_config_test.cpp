// Configs a hostile or careless user gives every command: nested too deep, numbers beyond
// double, duplicate keys, NUL bytes, huge or multi-line values, a directory or a FIFO as
// --config. Each is exit 2 with one short line naming the file and the key, nothing
// written, and nothing blocks or crashes.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tools/cli_test_util.h"

namespace accsim {
namespace {

using namespace cli_test;

const std::vector<std::string> kCommands = {"run", "errmodel", "train", "sweep", "dlrm", "campaign", "pvf"};

// `command --config config --out <dir>/out.h5` is refused: exit 2, one line under 600
// characters holding every part, no output.
void expect_refused(const TempDir& dir, const std::string& command, const std::string& config,
                    const std::vector<std::string>& parts, const std::vector<std::string>& extra = {}) {
  const std::string out = (dir.path() / "out.h5").string();
  std::vector<std::string> args = {command, "--config", config, "--out", out};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliRun r = run_cli(args);
  EXPECT_EQ(r.code, 2) << command << ": " << r.err.substr(0, 300);
  EXPECT_TRUE(exactly_one_line(r.err)) << command << ": " << r.err.substr(0, 300);
  EXPECT_LT(r.err.size(), 600u) << command << ": " << r.err.substr(0, 600);
  for (const auto& p : parts) EXPECT_NE(r.err.find(p), std::string::npos) << command << " lacks [" << p << "]: " << r.err;
  EXPECT_TRUE(r.out.empty()) << command << ": " << r.out.substr(0, 200);
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty()) << command;
}

std::string small_text() { return small_config().dump(); }

// The text of small.json with `insert` added as its last top-level member.
std::string with_member(const std::string& insert) {
  std::string s = small_text();
  return s.substr(0, s.size() - 1) + ", " + insert + "}";
}

// 60,000 levels (120 KB) once crashed every command: the document was serialised whole.
TEST(HostileConfig, AConfigNestedSixtyThousandDeepIsExit2ForEveryCommand) {
  TempDir dir;
  const std::string config =
      write_file(dir.path() / "deep.json", with_member("\"x\": " + std::string(60000, '[') + std::string(60000, ']')));
  for (const auto& command : kCommands) expect_refused(dir, command, config, {config + ": x[0]", "nested deeper than 64"});
}

TEST(HostileConfig, ANumberBeyondDoubleIsExit2NamingItsKey) {
  TempDir dir;
  json j = small_config();
  std::string text = j.dump();
  const std::string from = "\"clock_mhz\":1000";
  ASSERT_NE(text.find(from), std::string::npos) << text;
  text.replace(text.find(from), from.size(), "\"clock_mhz\":1e400");
  const std::string config = write_file(dir.path() / "big.json", text);
  for (const auto& command : kCommands)
    expect_refused(dir, command, config, {config + ": array.clock_mhz: the number 1e400 is outside the range"});
}

TEST(HostileConfig, ADirectoryOrAFifoAsConfigIsExit2AtOnce) {
  TempDir dir;
  const std::string fifo = (dir.path() / "fifo.json").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string folder = (dir.path() / "folder.json").string();
  fs::create_directories(folder);
  for (const auto& command : {"run", "campaign"}) {
    expect_refused(dir, command, fifo, {fifo + ": is a FIFO; expected a JSON config file"});
    expect_refused(dir, command, folder, {folder + ": is a directory"});
  }
}

TEST(HostileConfig, ADuplicateKeyIsExit2NamingIt) {
  TempDir dir;
  const std::string config = write_file(dir.path() / "dup.json", with_member("\"seed\": 5, \"seed\": 7"));
  expect_refused(dir, "run", config, {config + ": seed: duplicate key"});
  std::string nested = small_text();
  nested.replace(nested.find("\"atomic_c\""), 0, "\"atomic_k\": 8, ");
  const std::string inner = write_file(dir.path() / "inner.json", nested);
  expect_refused(dir, "campaign", inner, {inner + ": array.atomic_k: duplicate key"});
}

TEST(HostileConfig, AnythingAfterANulByteIsExit2) {
  TempDir dir;
  const std::string config = write_file(dir.path() / "nul.json", small_text() + std::string(1, '\0') + "garbage");
  expect_refused(dir, "run", config, {config + ": malformed JSON: a NUL byte"});
}

// A bad value is quoted as a short excerpt on the one line, whatever its size or line breaks.
TEST(HostileConfig, AHugeOrMultiLineBadValueIsQuotedAsOneShortLine) {
  TempDir dir;
  json j = small_config();
  j["array"]["swizzle"] = std::string(4000, 'a') + "\nsecond line";
  expect_refused(dir, "run", write_config(dir, j), {"array.swizzle: \"aaaa", "...", "is not one of {none"});
  j["array"]["swizzle"] = std::string(10u << 20, 'b');
  expect_refused(dir, "run", write_config(dir, j), {"array.swizzle: a string of 10485760 bytes", "at most 4096"});
  j = small_config();
  j["array"]["atomic_c"] = std::vector<int>(1000000, 7);  // 3 MB of array
  expect_refused(dir, "run", write_config(dir, j), {"array.atomic_c: expected an integer", "got [7, 7, 7"});
  j = small_config();
  j["wrong\nkey"] = 1;
  expect_refused(dir, "run", write_config(dir, j), {"wrong\\nkey: unknown key"});
}

// An option's value goes through the same bounded parser and the same key checks.
TEST(HostileConfig, ADeepOrHugeOptionValueIsExit2WithAShortLine) {
  TempDir dir;
  const std::string config = write_config(dir, small_config());
  expect_refused(dir, "run", config, {"seed: expected an integer", "--seed [[[["},
                 {"--seed", std::string(60000, '[') + std::string(60000, ']')});
  expect_refused(dir, "run", config, {"seed: expected an integer", "--seed 1e400"}, {"--seed", "1e400"});
}

}  // namespace
}  // namespace accsim
