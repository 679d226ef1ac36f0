// Input files must be regular files: directories, FIFOs and devices are refused at once
// (a FIFO never blocks the check), with the path and what it is.
#include "arch/input_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "arch/input_error.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected InputError";
  return "";
}

class InputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("accsim_input_file_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(InputFileTest, ARegularFileIsReadWhole) {
  std::ofstream(path("a.json")) << "{\"a\": 1}";
  EXPECT_EQ(read_regular_file(path("a.json"), "a config", 100), "{\"a\": 1}");
  EXPECT_NO_THROW(require_regular_file(path("a.json"), "a config"));
}

TEST_F(InputFileTest, ADirectoryIsRefusedNamingItAndWhatWasExpected) {
  const std::string m = error_of([&] { read_regular_file(dir_.string(), "a JSON config file", 100); });
  EXPECT_EQ(m, dir_.string() + ": is a directory; expected a JSON config file");
  EXPECT_NE(error_of([&] { require_regular_file(dir_.string(), "x"); }).find("is a directory"), std::string::npos);
}

TEST_F(InputFileTest, AFifoIsRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo(path("f").c_str(), 0600), 0);
  EXPECT_NE(error_of([&] { read_regular_file(path("f"), "x", 100); }).find(": is a FIFO; expected x"), std::string::npos);
  EXPECT_NE(error_of([&] { require_regular_file(path("f"), "x"); }).find(": is a FIFO"), std::string::npos);
}

TEST_F(InputFileTest, ADeviceIsRefused) {
  EXPECT_EQ(error_of([&] { read_regular_file("/dev/zero", "a topology CSV", 100); }),
            "/dev/zero: is a character device; expected a topology CSV");
}

TEST_F(InputFileTest, AMissingFileSaysWhy) {
  EXPECT_NE(error_of([&] { read_regular_file(path("nope"), "x", 100); }).find("cannot open: No such file"),
            std::string::npos);
}

TEST_F(InputFileTest, AFileOverTheLimitIsRefusedBeforeItIsRead) {
  std::ofstream(path("big")) << std::string(101, 'b');
  EXPECT_NE(error_of([&] { read_regular_file(path("big"), "x", 100); }).find("holds 101 bytes, more than the limit of 100"),
            std::string::npos);
}

}  // namespace
}  // namespace accsim
