#pragma once
// One fuzz case: a command of the accsim binary on mutated input, and what must hold
// whatever the input: exit 0 or 2 (no signal, no hang, never 1 for user input), on exit 2
// exactly one line on stderr naming a file and nothing in the output directory, and never
// a temporary (`.partial`) left anywhere. A failure names the seed, the case, the mutation
// and the command, and how to rerun that one case.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tools/fuzz/binary_run.h"
#include "tools/fuzz/json_mutations.h"

namespace accsim::fuzz {

namespace fs = std::filesystem;

// Case counts and the per-case deadline: the release pass runs the counts given, the
// sanitizer pass (several times slower per run) a quarter of them. ACCSIM_FUZZ_CASES
// multiplies them (a longer local run), ACCSIM_FUZZ_SEED changes the seed, and
// ACCSIM_FUZZ_CASE=<i> runs case i alone, keeping its files in ACCSIM_FUZZ_KEEP if set.
#ifdef ACCSIM_SANITIZE_BUILD
constexpr int kBuildDivisor = 4;
constexpr double kCaseTimeoutSeconds = 240;
#else
constexpr int kBuildDivisor = 1;
constexpr double kCaseTimeoutSeconds = 60;
#endif
constexpr std::uint64_t kDefaultSeed = 20261128;

inline std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

inline std::uint64_t base_seed() { return env_number("ACCSIM_FUZZ_SEED", kDefaultSeed); }

// ACCSIM_FUZZ_CASES may be a fraction (0.25: the sanitizer pass's counts in a release build).
inline int case_count(int release_cases) {
  const char* factor = std::getenv("ACCSIM_FUZZ_CASES");
  const double times = factor && *factor ? std::strtod(factor, nullptr) : 1.0;
  return std::max(1, static_cast<int>(release_cases * times / kBuildDivisor));
}

// The cases a test runs: all, or the one ACCSIM_FUZZ_CASE names.
inline std::vector<int> case_indices(int release_cases) {
  if (const char* only = std::getenv("ACCSIM_FUZZ_CASE"); only && *only) return {std::atoi(only)};
  std::vector<int> all(static_cast<std::size_t>(case_count(release_cases)));
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  return all;
}

// Case i's own generator: the same seed and index give the same case in any run.
inline Rng case_rng(const std::string& suite, int index) {
  std::seed_seq seq{static_cast<std::uint32_t>(base_seed()), static_cast<std::uint32_t>(base_seed() >> 32),
                    static_cast<std::uint32_t>(std::hash<std::string>{}(suite)), static_cast<std::uint32_t>(index)};
  return Rng(seq);
}

// A command and the flags that keep its work tiny (train reads whole epochs otherwise).
struct CommandLine {
  std::string name;  // "" is the default command (run)
  std::vector<std::string> flags;
};

inline const std::vector<CommandLine>& all_commands() {
  static const std::vector<CommandLine> commands = {
      {"", {}},
      {"run", {}},
      {"errmodel", {}},
      {"campaign", {"--quiet", "--threads", "1"}},
      {"pvf", {"--quiet", "--threads", "1"}},
      {"sweep", {"--quiet", "--threads", "1"}},
      {"dlrm", {"--quiet", "--threads", "1"}},
      {"train", {"--quiet", "--threads", "1", "--train-limit", "64", "--test-limit", "32", "--epochs", "1"}},
  };
  return commands;
}

inline const CommandLine& command_named(const std::string& name) {
  for (const auto& c : all_commands())
    if (c.name == name) return c;
  return all_commands().front();
}

struct FuzzCase {
  std::string suite;
  int index = 0;
  std::string input;     // what was mutated
  std::string mutation;  // how
  std::vector<std::string> args;
};

inline std::string shell_line(const std::vector<std::string>& args) {
  std::string line = "accsim";
  for (const auto& a : args) line += " '" + a + "'";
  return line;
}

inline bool one_line(const std::string& s) {
  return !s.empty() && s.back() == '\n' && std::count(s.begin(), s.end(), '\n') == 1;
}

// Paths whose name holds ".partial" under any of `roots`.
inline std::vector<std::string> temporaries(const std::vector<fs::path>& roots) {
  std::vector<std::string> found;
  for (const auto& root : roots)
    for (const auto& e : fs::recursive_directory_iterator(root))
      if (e.path().filename().string().find(".partial") != std::string::npos) found.push_back(e.path().string());
  return found;
}

// What is wrong with a run (empty: nothing). `named` are the roots one of which an error
// message must name (the input files live there).
inline std::string problems(const BinaryRun& r, const fs::path& out_dir, const std::vector<fs::path>& roots,
                            const std::vector<std::string>& named) {
  if (r.timed_out) return "no exit within " + std::to_string(static_cast<int>(kCaseTimeoutSeconds)) + " s";
  if (!r.exited) return "killed by signal " + std::to_string(r.signal);
  std::string wrong;
  if (r.code != 0 && r.code != 2) wrong += "exit code " + std::to_string(r.code) + "; ";
  if (r.code == 2) {
    if (!one_line(r.err)) wrong += "exit 2 without exactly one line on stderr; ";
    if (std::none_of(named.begin(), named.end(), [&](const std::string& n) { return r.err.find(n) != std::string::npos; }))
      wrong += "exit 2 naming no input file; ";
    if (!fs::is_empty(out_dir)) wrong += "exit 2 left " + fs::directory_iterator(out_dir)->path().string() + "; ";
  }
  for (const auto& t : temporaries(roots)) wrong += "left " + t + "; ";
  return wrong;
}

// Tallies of a fuzz test, printed at its end (the figures of docs/testing notes).
struct Tally {
  int cases = 0, exit0 = 0, exit2 = 0, failed = 0;
  double seconds = 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  void print(const std::string& suite) {
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("[fuzz] %s: seed %llu, %d cases (%d exit 0, %d exit 2, %d failed) in %.1f s\n", suite.c_str(),
                static_cast<unsigned long long>(base_seed()), cases, exit0, exit2, failed, seconds);
  }
};

// Runs the case in `case_dir` (its outputs go to case_dir/out) and reports a failure.
inline void run_case(const FuzzCase& c, const fs::path& case_dir, const std::vector<fs::path>& roots,
                     const std::vector<std::string>& named, Tally& tally) {
  const fs::path out_dir = case_dir / "out";
  fs::create_directories(out_dir);
  std::vector<std::string> args = c.args;
  for (auto& a : args)
    if (a == "@OUT@") a = (out_dir / "result.h5").string();
  const BinaryRun r =
      run_binary(args, (case_dir / "stdout.txt").string(), (case_dir / "stderr.txt").string(), kCaseTimeoutSeconds);
  ++tally.cases;
  tally.exit0 += r.exited && r.code == 0;
  tally.exit2 += r.exited && r.code == 2;
  const std::string wrong = problems(r, out_dir, roots, named);
  if (wrong.empty()) return;
  ++tally.failed;
  ADD_FAILURE() << "[fuzz] seed " << base_seed() << ", " << c.suite << " case " << c.index << ": " << wrong
                << "\n  input: " << c.input << "\n  mutation: " << c.mutation.substr(0, 300)
                << "\n  command: " << shell_line(args).substr(0, 600) << "\n  stderr: " << r.err.substr(0, 600)
                << "\n  rerun: ACCSIM_FUZZ_SEED=" << base_seed() << " ACCSIM_FUZZ_CASE=" << c.index
                << " ACCSIM_FUZZ_KEEP=/tmp/fuzzcase build/tests/accsim_tests --gtest_filter='Fuzz." << c.suite << "'";
}

}  // namespace accsim::fuzz
