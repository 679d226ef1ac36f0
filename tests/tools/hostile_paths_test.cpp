// Paths a hostile or careless user gives: data files that are FIFOs, devices or
// directories; a dataset that is there but unusable; a relative dataset_dir; a
// workload a command does not run; a model that is NaN before any fault; an --out that
// is an input of the run or not a regular file. Each is exit 2 with one line naming the
// key or the path, nothing written, no input touched, never a silent fallback or a hang.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <limits>

#include "tools/cli_test_util.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/io/results_file.h"
#include "workloads/models/model_file.h"

namespace accsim {
namespace {

using namespace cli_test;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Exit 2, nothing on stdout, the error one line holding every part (after notes, if any).
void expect_exit2(const CliRun& r, const std::vector<std::string>& parts, const std::string& what) {
  EXPECT_EQ(r.code, 2) << what << ": " << r.err << r.out.substr(0, 300);
  ASSERT_FALSE(r.err.empty()) << what;
  const std::size_t last = r.err.rfind('\n', r.err.size() - 2);
  const std::string error = last == std::string::npos ? r.err : r.err.substr(last + 1);
  EXPECT_TRUE(exactly_one_line(error)) << what << ": " << r.err;
  for (std::size_t at = 0; last != std::string::npos && at < last; at = r.err.find('\n', at) + 1)
    EXPECT_EQ(r.err.compare(at, 13, "accsim: note:"), 0) << what << ": a line before the error is no note: " << r.err;
  for (const auto& p : parts) EXPECT_NE(error.find(p), std::string::npos) << what << " lacks [" << p << "]: " << error;
  EXPECT_TRUE(r.out.empty()) << what << ": " << r.out.substr(0, 300);
}

// small.json without faults, with the blocks every command needs, on `dataset_dir`.
json every_command_config(const std::string& dataset_dir) {
  json j = small_config();
  j.erase("faults");
  j["workload"]["dataset_dir"] = dataset_dir;
  j["campaign"] = {{"experiments", 2}, {"test_limit", 2}, {"batch", 2}};
  j["pvf"] = {{"experiments", 2}, {"test_limit", 2}, {"batch", 2}};
  j["sweep"] = {{"grid", {{"array.atomic_c", {8}}}}};
  j["training"] = {{"epochs", 1}, {"train_limit", 2}, {"test_limit", 2}, {"validation_size", 2}};
  return j;
}

// ---------------------------------------------------------------- data files

TEST(HostilePaths, ATopologyThatIsAFifoOrADeviceIsExit2AtOnce) {
  TempDir dir;
  const std::string fifo = (dir.path() / "layers.csv").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const auto& [topology, kind] : {std::pair<std::string, std::string>{fifo, "a FIFO"}, {"/dev/zero", "a character device"}}) {
    json j = small_config();
    j["workload"] = {{"topology", topology}};
    const CliRun r = run_cli({"--config", write_config(dir, j), "--out", (dir.path() / "t.h5").string()});
    expect_exit2(r, {topology + ": is " + kind + "; expected a SCALE-Sim topology CSV file"}, topology);
  }
}

// A dataset file that is a FIFO once blocked forever, one that is a directory gave
// synthetic images with a note (`sweep` without one).
TEST(HostilePaths, AnUnusableDatasetIsExit2NamingTheKeyForEveryImageFedCommand) {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  fs::create_directories(data / "t10k-images-idx3-ubyte.gz");  // a directory where the file belongs
  const std::string config = write_config(dir, every_command_config(data.string()));
  for (const std::string command : {"run", "errmodel", "train", "campaign", "pvf", "sweep"}) {
    const CliRun r = run_cli({command, "--config", config, "--out", (dir.path() / "o.h5").string()});
    expect_exit2(r, {config, ": workload.dataset_dir: " + (data / "t10k-images-idx3-ubyte.gz").string() + ": is a directory"},
                 command);
    // Nothing written, the checkpoint included (sweep once left its checkpoint behind).
    EXPECT_TRUE(files_containing(dir.path(), ".h5").empty()) << command;
  }
  fs::remove(data / "t10k-images-idx3-ubyte.gz");
  ASSERT_EQ(::mkfifo((data / "t10k-images-idx3-ubyte.gz").c_str(), 0600), 0);
  const CliRun fifo = run_cli({"campaign", "--config", config, "--out", (dir.path() / "o.h5").string()});
  expect_exit2(fifo, {"workload.dataset_dir: ", ": is a FIFO"}, "FIFO");
}

// An absent dataset gives synthetic images with a note in every command: sweep once
// dropped its points' notes and said nothing.
TEST(HostilePaths, ASweepWithoutTheDatasetSaysOnceThatItsPointsRunOnSyntheticImages) {
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["workload"]["dataset_dir"] = (dir.path() / "nowhere").string();
  j["sweep"] = {{"grid", {{"array.atomic_c", {8, 16}}}}};
  const CliRun r = run_cli({"sweep", "--config", write_config(dir, j), "--out", (dir.path() / "s.h5").string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("accsim: note: Fashion-MNIST not found in " + (dir.path() / "nowhere").string()), std::string::npos)
      << r.err;
}

// Every path of a config is read from the config's folder: dataset_dir once was read from
// the working directory (and fell back to synthetic images).
TEST(HostilePaths, ARelativeDatasetDirIsReadFromTheConfigsFolder) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  const fs::path data = dir.path() / "configs" / "data";
  fs::create_directories(data);
  for (const std::string& f : fashion_mnist_files(kFashionMnistDir)) fs::create_symlink(f, data / fs::path(f).filename());
  json j = small_config();
  j["workload"]["dataset_dir"] = "data";
  const std::string config = write_file(dir.path() / "configs" / "c.json", j.dump());
  ASSERT_FALSE(fs::exists("data")) << "the test needs a working directory without a data folder";
  const CliRun r = run_cli({"--config", config, "--out", (dir.path() / "r.h5").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("on Fashion-MNIST test image 0 (label 9)"), std::string::npos) << r.out.substr(0, 300);
  EXPECT_EQ(r.err.find("synthetic"), std::string::npos) << r.err;
}

// A swept relative path was read from a folder named after the point's label
// ("x.json (sweep point 0: workload.topology=\"topologies") when the value held a '/'.
TEST(HostilePaths, ASweptRelativePathIsReadFromTheConfigsFolder) {
  TempDir dir;
  fs::create_directories(dir.path() / "topologies");
  for (const char* name : {"a.csv", "b.csv"})
    fs::copy_file(source_file("configs/topologies/alexnet_conv.csv"), dir.path() / "topologies" / name);
  json j = small_config();
  j.erase("faults");
  j["workload"] = {{"topology", "topologies/a.csv"}};
  j["sweep"] = {{"grid", {{"workload.topology", {"topologies/a.csv", "topologies/b.csv"}}}}};
  const CliRun r = run_cli({"sweep", "--config", write_config(dir, j), "--out", (dir.path() / "s.h5").string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("topologies/b.csv"), std::string::npos) << r.out;
}

// ---------------------------------------------------------------- workloads and models

// train, errmodel, campaign and pvf once ran LeNet-5 for a topology config.
TEST(HostilePaths, ACommandRefusesAWorkloadItDoesNotRunNamingTheKey) {
  TempDir dir;
  const std::string topology = source_file("configs/alexnet_topology.json");
  for (const std::string command : {"train", "errmodel", "campaign", "pvf"}) {
    const CliRun r = run_cli({command, "--config", topology, "--out", (dir.path() / "o.h5").string()});
    expect_exit2(r, {topology + ": workload.topology: accsim " + command + " runs workload.network", "(run, sweep run those)"},
                 command);
  }
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty());
}

// LeNet-5 whose last bias is NaN: every fault-free logit is NaN before any fault.
std::string nan_model(const TempDir& dir) {
  NetworkParameters p = init_parameters(lenet5(), 1);
  p.biases.back()[0] = std::numeric_limits<float>::quiet_NaN();
  const std::string file = (dir.path() / "nan_model.h5").string();
  ResultsFile h5(file);
  write_parameters(h5, lenet5(), p);
  h5.commit();
  return file;
}

// Once accepted and reported as 100% crash.
TEST(HostilePaths, ACampaignOrPvfOnAModelThatIsNanFaultFreeIsExit2NamingTheKey) {
  TempDir dir;
  const std::string model = nan_model(dir);
  json j = every_command_config(kFashionMnistDir);
  j["campaign"]["model"] = model;
  j["pvf"]["model"] = model;
  const std::string config = write_config(dir, j);
  for (const auto& [command, key] : {std::pair<std::string, std::string>{"campaign", "campaign.model"}, {"pvf", "pvf.model"}}) {
    const fs::path out = dir.path() / "out" / (command + ".h5");
    fs::create_directories(out.parent_path());
    const CliRun r = run_cli({command, "--config", config, "--out", out.string(), "--quiet"});
    expect_exit2(r, {config + ": " + key + ": the fault-free model already gives NaN or Inf logits on 2 of 2 test images"},
                 command);
    EXPECT_TRUE(fs::is_empty(out.parent_path())) << command;
  }
}

// ---------------------------------------------------------------- --out

// Once silently replaced the config, the model or the topology by results.
TEST(HostilePaths, AnOutThatIsAnInputIsExit2AndTheInputStaysAsItWas) {
  TempDir dir;
  const fs::path model = dir.path() / "model.h5";
  fs::copy_file(trained_lenet5(), model);
  json j = every_command_config(kFashionMnistDir);
  j["campaign"]["model"] = "model.h5";
  const std::string config = write_config(dir, j);
  const std::string dlrm = write_file(dir.path() / "dlrm.json", read_all(source_file("configs/experiments/dlrm_pytei.json")));
  const fs::path link = dir.path() / "link.json";
  fs::create_symlink(config, link);
  const std::string topology = write_file(dir.path() / "layers.csv",
                                          "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
                                          "Num Filter, Strides,\nc1, 8, 8, 3, 3, 2, 4, 1,\n");
  json t = small_config();
  t["workload"] = {{"topology", "layers.csv"}};
  t["sweep"] = {{"grid", {{"array.atomic_c", {8}}}}};
  const std::string topology_config = write_file(dir.path() / "topo.json", t.dump());
  fs::create_directories(dir.path() / "reports");  // a topology where a run of reports.h5 writes its report
  const fs::path report = dir.path() / "reports" / "COMPUTE_REPORT.csv";
  fs::copy_file(topology, report);
  t["workload"]["topology"] = "reports/COMPUTE_REPORT.csv";
  const std::string report_config = write_file(dir.path() / "report.json", t.dump());
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"run", "--config", config, "--out", config}, "--out " + config + ": it is the config file"},
      {{"campaign", "--config", config, "--out", link.string()}, ": it is the config file (" + config + ")"},
      {{"campaign", "--config", config, "--out", model.string()}, ": it is campaign.model (" + model.string() + ")"},
      {{"dlrm", "--config", dlrm, "--out", dlrm}, ": it is the config file"},
      // sweep writes <out>.csv next to <out>: here the topology itself
      {{"sweep", "--config", topology_config, "--out", (dir.path() / "layers.h5").string()},
       ": the file it implies, " + topology + ", is workload.topology"},
      // a topology run writes <out folder>/<out stem>/COMPUTE_REPORT.csv: here the topology
      {{"run", "--config", report_config, "--out", (dir.path() / "reports.h5").string()},
       ": the file it implies, " + report.string() + ", is workload.topology"},
  };
  const std::string before = read_all(config) + read_all(model) + read_all(topology) + read_all(dlrm) + read_all(report);
  for (const Case& c : cases) {
    const CliRun r = run_cli(c.args);
    expect_exit2(r, {c.expected, "an input of this run; choose another --out"}, c.args[0] + " " + c.args[4]);
  }
  EXPECT_EQ(read_all(config) + read_all(model) + read_all(topology) + read_all(dlrm) + read_all(report), before)
      << "an input was overwritten";
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
}

// A FIFO (or a device: /dev/null as root) was replaced by a regular file.
TEST(HostilePaths, AnOutThatIsNotARegularFileIsExit2AndLeftAlone) {
  TempDir dir;
  const fs::path fifo = dir.path() / "out.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const CliRun r = run_cli({"--config", source_file("configs/small.json"), "--out", fifo.string()});
  expect_exit2(r, {"--out " + fifo.string() + ": it is a FIFO; outputs are regular files"}, "FIFO");
  EXPECT_TRUE(fs::is_fifo(fifo));
  const fs::path csv = dir.path() / "t.csv";  // the CSV train writes next to t.h5
  fs::create_directories(csv);
  json j = every_command_config(kFashionMnistDir);
  const CliRun train = run_cli({"train", "--config", write_config(dir, j), "--out", (dir.path() / "t.h5").string()});
  expect_exit2(train, {"the file it implies, " + csv.string() + ", is a directory"}, "train");
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty());
}

// A legal 253-byte --out once failed in every command: "<out>.partial<pid>" and
// "<out>.checkpoint.h5" passed the 255-byte file-name limit.
TEST(HostilePaths, ALegal253ByteOutNameWorksForEveryCommandAndLeavesNoTemporary) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  json j = every_command_config(kFashionMnistDir);
  j["workload"]["parameters"] = trained_lenet5();
  const std::string config = write_config(dir, j);
  const fs::path out = dir.path() / "runs" / (std::string(250, 'o') + ".h5");
  fs::create_directories(out.parent_path());
  // errmodel and sweep write their files as run and train do
  for (const std::string command : {"run", "train", "campaign", "pvf"}) {
    const CliRun r = run_cli({command, "--config", config, "--out", out.string()});
    ASSERT_EQ(r.code, 0) << command << ": " << r.err;
    EXPECT_TRUE(fs::is_regular_file(out)) << command;
    EXPECT_TRUE(files_containing(dir.path(), ".partial").empty()) << command;
    EXPECT_TRUE(files_containing(dir.path(), ".checkpoint").empty()) << command;
    fs::remove(out);
  }
  // 255 bytes is legal for --out, but not for the CSV beside it (256): refused before the run.
  const fs::path longest = dir.path() / (std::string(252, 'o') + ".h5");
  const CliRun r = run_cli({"train", "--config", config, "--out", longest.string()});
  expect_exit2(r, {"the file it implies, ", ".csv, has a name of 256 bytes; the file-name limit there is 255"}, "train");
}

}  // namespace
}  // namespace accsim
