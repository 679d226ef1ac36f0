// Writes that fail (a full disk, simulated without root by a file-size limit): an
// InputError naming the file and the reason, the temporary removed, a previous file
// untouched; temporaries of killed writers removed by the next writer.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <string>
#include <vector>

#include "arch/input_error.h"
#include "child_process.h"
#include "workloads/io/results_file.h"
#include "workloads/io/stale_temporaries.h"
#include "workloads/io/text_file.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;
using testing::ChildOutcome;
using testing::run_with_file_size_limit;

constexpr rlim_t kLimit = 16 * 1024;  // far below what the writes below need

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("accsim_disk_full_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  fs::path dir_;
};

// 2 MB of incompressible-enough doubles.
std::vector<double> big_values() {
  std::vector<double> v(256 * 1024);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i) * 1.000123 + 1.0 / (1.0 + i);
  return v;
}

// Runs `write` in a child limited to kLimit bytes per file: exit 2 with the InputError's
// message, 0 when the write succeeded, 3 for any other exception.
ChildOutcome write_in_full_disk(const std::function<void()>& write) {
  return run_with_file_size_limit(kLimit, [&](std::string& text) {
    try {
      write();
      return 0;
    } catch (const InputError& e) {
      text = e.what();
      return 2;
    } catch (const std::exception& e) {
      text = e.what();
      return 3;
    }
  });
}

void expect_write_error(const ChildOutcome& c, const std::string& path) {
  ASSERT_TRUE(c.exited) << c.describe();  // before the fix: a segfault closing the file twice
  EXPECT_EQ(c.code, 2) << c.describe();
  EXPECT_NE(c.text.find(path + ": cannot write"), std::string::npos) << c.text;
  EXPECT_NE(c.text.find("File too large"), std::string::npos) << c.text;  // ENOSPC on a full disk
  EXPECT_EQ(c.text.find('\n'), std::string::npos) << c.text;
}

TEST_F(DiskFullTest, AResultsFileThatCannotBeWrittenIsAnInputErrorAndLeavesNothing) {
  const std::string target = file("r.h5");
  const ChildOutcome c = write_in_full_disk([&] {
    ResultsFile out(target);
    out.write_doubles("x", big_values());
    out.set_attribute("/", "format", "accsim-test");
    out.commit();
  });
  expect_write_error(c, target);
  EXPECT_TRUE(entries().empty());  // no target, no temporary
}

TEST_F(DiskFullTest, AFailedCommitKeepsThePreviousFileAsItWas) {
  const std::string target = file("r.h5");
  {
    ResultsFile out(target);
    out.write_doubles("x", {1.0, 2.0});
    out.commit();
  }
  const std::uintmax_t before = fs::file_size(target);
  expect_write_error(write_in_full_disk([&] {
                       ResultsFile out(target);
                       out.write_doubles("x", big_values());
                       out.commit();
                     }),
                     target);
  EXPECT_EQ(entries(), std::vector<std::string>{"r.h5"});
  EXPECT_EQ(fs::file_size(target), before);
  EXPECT_EQ(read_doubles(target, "x"), (std::vector<double>{1.0, 2.0}));
}

TEST_F(DiskFullTest, ATextFileThatCannotBeWrittenIsAnInputErrorAndLeavesNothing) {
  const std::string target = file("t.csv");
  expect_write_error(write_in_full_disk([&] { write_text_atomically(target, std::string(100000, 'x')); }), target);
  EXPECT_TRUE(entries().empty());
}

// A pid that no longer runs: a child that has exited and been reaped.
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

TEST_F(DiskFullTest, TheNextWriterRemovesTemporariesOfKilledWritersOnly) {
  const std::string dead = std::to_string(dead_pid()), live = std::to_string(::getppid());
  const std::vector<std::string> stale = {"r.h5.partial" + dead, "r.h5.partial" + dead + ".3",
                                          "r.h5.partial" + dead + ".png"};
  const std::vector<std::string> kept = {"r.h5.partial" + live + ".0",  // a live process may still write it
                                         "r.h5.partialx", "r.h5.partial" + dead + "x", "q.h5.partial" + dead + ".0"};
  for (const auto& name : stale) std::ofstream(file(name)) << "left by a kill";
  for (const auto& name : kept) std::ofstream(file(name)) << "not a stale temporary of r.h5";
  fs::create_directory(file("r.h5.partial" + dead + ".9"));  // not a file: never removed
  ResultsFile out(file("r.h5"));
  out.write_doubles("x", {1.0});
  out.commit();
  std::vector<std::string> expected = kept;
  expected.push_back("r.h5");
  expected.push_back("r.h5.partial" + dead + ".9");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(entries(), expected);
}

TEST_F(DiskFullTest, TemporaryNamesAreUniquePerWriter) {
  const std::string a = temporary_name(file("r.h5")), b = temporary_name(file("r.h5"));
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind(file("r.h5") + ".partial" + std::to_string(::getpid()) + ".", 0), 0u) << a;
}

}  // namespace
}  // namespace accsim
