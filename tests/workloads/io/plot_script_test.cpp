#include "workloads/io/plot_script.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "child_process.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

class PlotScriptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("accsim_plot_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    ::unsetenv("PYTHONPATH");
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  fs::path dir_;
};

bool matplotlib_installed() { return std::system("/usr/bin/python3 -c 'import matplotlib' 2>/dev/null") == 0; }

TEST_F(PlotScriptTest, AFailingScriptIsReportedWithItsOwnError) {
  if (!matplotlib_installed()) GTEST_SKIP() << "python3-matplotlib is not installed";
  const std::string csv = write("sweep.csv", "point,array.atomic_c,cycles\n0,8,100\n");  // no "pes" column
  const PlotResult r = run_plot_script("plot_sweep.py", {csv, (dir_ / "sweep.png").string()});
  EXPECT_FALSE(r.drawn);
  EXPECT_NE(r.problem.find("plot_sweep.py failed (exit status 1)"), std::string::npos) << r.problem;
  EXPECT_NE(r.problem.find("KeyError: 'pes'"), std::string::npos) << r.problem;
  EXPECT_EQ(r.problem.find("matplotlib"), std::string::npos) << r.problem;
  EXPECT_FALSE(fs::exists(dir_ / "sweep.png"));
}

// A disk that fills up while the PNG is written (a file-size limit one byte below the
// PNG's size, inherited by the script: its last buffered write fails as the file is
// closed): the plot fails with the script's error and leaves neither a truncated PNG
// nor its temporary.
TEST_F(PlotScriptTest, APlotThatCannotBeSavedLeavesNoPartialPng) {
  if (!matplotlib_installed()) GTEST_SKIP() << "python3-matplotlib is not installed";
  const std::string csv = write("train.csv",
                                "epoch,train_loss,train_accuracy,val_accuracy_faulty,val_accuracy_fault_free\n"
                                "1,2.0,0.5,0.4,0.6\n2,1.5,0.6,0.5,0.7\n");
  const std::string png = (dir_ / "train.png").string();
  ASSERT_TRUE(run_plot_script("plot_training.py", {csv, png}).drawn);
  const auto size = fs::file_size(png);
  fs::remove(png);
  const testing::ChildOutcome c = testing::run_with_file_size_limit(size - 1, [&](std::string& text) {
    const PlotResult r = run_plot_script("plot_training.py", {csv, png});
    text = r.problem;
    return r.drawn ? 0 : 1;
  });
  ASSERT_TRUE(c.exited) << c.describe();
  EXPECT_EQ(c.code, 1) << c.describe();
  EXPECT_NE(c.text.find("File too large"), std::string::npos) << c.text;
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir_)) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"train.csv"});
}

TEST_F(PlotScriptTest, ARowWithMoreFieldsThanTheHeaderIsNamedByThePlotScript) {
  if (!matplotlib_installed()) GTEST_SKIP() << "python3-matplotlib is not installed";
  const std::string csv = write("sweep.csv", "point,faults[0].pe,cycles,pes\n0,[3,5],100,64\n");
  const PlotResult r = run_plot_script("plot_sweep.py", {csv, (dir_ / "sweep.png").string()});
  EXPECT_FALSE(r.drawn);
  EXPECT_NE(r.problem.find("row 1 does not have the header's 4 fields"), std::string::npos) << r.problem;
}

TEST_F(PlotScriptTest, OnlyAFailedImportOfMatplotlibSaysToInstallIt) {
  // A matplotlib that cannot be imported, first on the path.
  write("fake/matplotlib/__init__.py", "raise ModuleNotFoundError(\"No module named 'matplotlib'\")\n");
  ::setenv("PYTHONPATH", (dir_ / "fake").c_str(), 1);
  const std::string csv = write("sweep.csv", "point,cycles,utilisation,pes\n0,100,0.5,64\n");
  std::ostringstream notes;
  EXPECT_FALSE(draw_plot("plot_sweep.py", {csv, (dir_ / "sweep.png").string()}, notes));
  EXPECT_EQ(notes.str(), "accsim: note: no plot: needs /usr/bin/python3 with python3-matplotlib\n");
}

TEST_F(PlotScriptTest, AGoodCsvIsPlottedWithoutANote) {
  if (!matplotlib_installed()) GTEST_SKIP() << "python3-matplotlib is not installed";
  const std::string csv = write("sweep.csv", "point,array.atomic_c,cycles,utilisation,pes\n0,8,100,0.5,64\n1,16,60,0.4,128\n");
  std::ostringstream notes;
  EXPECT_TRUE(draw_plot("plot_sweep.py", {csv, (dir_ / "sweep.png").string()}, notes)) << notes.str();
  EXPECT_TRUE(notes.str().empty()) << notes.str();
  EXPECT_GT(fs::file_size(dir_ / "sweep.png"), 0u);
}

// With the energy column (and the memory side's, which are results, not swept keys) the
// figure gains a third panel: energy against PEs, 5 inches (500 pixels) wider.
TEST_F(PlotScriptTest, ASweepWithEnergyGetsAnEnergyPanel) {
  if (!matplotlib_installed()) GTEST_SKIP() << "python3-matplotlib is not installed";
  auto png_width = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    unsigned char b[24] = {};
    in.read(reinterpret_cast<char*>(b), sizeof b);
    return (b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19];  // IHDR width, big-endian
  };
  const std::string plain = write("plain.csv", "point,array.atomic_c,cycles,utilisation,pes\n0,8,100,0.5,64\n1,16,60,0.4,128\n");
  const std::string with_energy = write("energy.csv",
                                        "point,array.atomic_c,cycles,utilisation,pes,dram_read_bytes,energy_pj\n"
                                        "0,8,100,0.5,64,10,2500.5\n1,16,60,0.4,128,10,2400.25\n");
  std::ostringstream notes;
  ASSERT_TRUE(draw_plot("plot_sweep.py", {plain, (dir_ / "plain.png").string()}, notes)) << notes.str();
  ASSERT_TRUE(draw_plot("plot_sweep.py", {with_energy, (dir_ / "energy.png").string()}, notes)) << notes.str();
  EXPECT_EQ(png_width(dir_ / "energy.png"), png_width(dir_ / "plain.png") + 500);
}

}  // namespace
}  // namespace accsim
