#pragma once
// Shared helpers of the command-line tests: temporary directories, running cli_main
// in-process, and looking for files left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "temp_dir.h"
#include "tools/cli/cli.h"

namespace accsim::cli_test {

namespace fs = std::filesystem;
using nlohmann::json;

using testing::TempDir;

inline std::string source_file(const std::string& relative) { return std::string(ACCSIM_SOURCE_DIR) + "/" + relative; }

// configs/small.json with seeded (untrained) parameters and the ideal memory side:
// tests write it elsewhere; those that want the trained model set workload.parameters
// themselves, those about the memory side set array.memory.
inline json small_config() {
  std::ifstream in(source_file("configs/small.json"));
  json j = json::parse(in);
  j["workload"].erase("parameters");
  j["array"].erase("memory");
  return j;
}

// The shipped trained LeNet-5 parameter file, as an absolute path.
inline std::string trained_lenet5() { return source_file("configs/models/lenet5_fashion_mnist.h5"); }

inline std::string write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  return file.string();
}

inline std::string write_config(const TempDir& dir, const json& j) {
  return write_file(dir.path() / "config.json", j.dump(2) + "\n");
}

struct CliRun {
  int code = -1;
  std::string out, err;
};

inline CliRun run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "accsim");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  CliRun r;
  r.code = cli_main(static_cast<int>(args.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

inline bool exactly_one_line(const std::string& s) {
  return !s.empty() && s.back() == '\n' && std::count(s.begin(), s.end(), '\n') == 1;
}

// Files in `dir` (recursively) whose name contains `part`.
inline std::vector<std::string> files_containing(const fs::path& dir, const std::string& part) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(part) != std::string::npos) found.push_back(e.path().string());
  return found;
}

// Runs the command in a forked child and SIGKILLs it once `checkpoint` exists (a run
// killed mid-way, to test that a rerun resumes it).
inline void killed_mid_run(const std::vector<std::string>& args, const std::string& checkpoint) {
  const pid_t pid = ::fork();
  if (pid == 0) _exit(run_cli(args).code);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(checkpoint) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(fs::exists(checkpoint)) << "the child ended without a checkpoint";
}

}  // namespace accsim::cli_test
