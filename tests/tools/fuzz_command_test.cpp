// Issue 12's "keep it fixed": every shipped config and every kind of data file accsim reads
// (the HDF5 parameter file, the ONNX models, the topology CSVs, the Fashion-MNIST IDX
// files), mutated as a hostile user would, through every command of the accsim binary.
// Whatever the input: exit 0 or 2, never a signal, a hang or exit 1; on exit 2 one line
// naming a file and no output; never a temporary left behind (tools/fuzz/fuzz_case.h).
// Seeded and bounded: each failure prints the seed, the case, the mutation, the command
// and how to rerun it alone.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>

#include "dataset_copy.h"
#include "temp_dir.h"
#include "tools/fuzz/byte_mutations.h"
#include "tools/fuzz/fuzz_case.h"
#include "workloads/io/fashion_mnist.h"

namespace accsim {
namespace {

using namespace fuzz;
using testing::TempDir;

const fs::path kSource = ACCSIM_SOURCE_DIR;

std::string read_bytes(const fs::path& p) { return read_text(p.string()); }

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// Shipped configs, relative to the source tree, in a fixed order.
std::vector<std::string> shipped_configs() {
  std::vector<std::string> all;
  for (const auto& e : fs::recursive_directory_iterator(kSource / "configs"))
    if (e.path().extension() == ".json") all.push_back(fs::relative(e.path(), kSource).string());
  std::sort(all.begin(), all.end());
  return all;
}

// The config with its work cut to a few images and experiments (mutations then make it
// hostile): a case must take well under a second, plots aside.
void shrink(json& j) {
  if (j.is_array())
    for (auto& v : j) shrink(v);
  if (!j.is_object()) return;
  static const std::map<std::string, long> caps = {{"experiments", 2}, {"trials", 2},     {"test_limit", 2},
                                                   {"train_limit", 2}, {"samples", 4},    {"epochs", 1},
                                                   {"validation_size", 16}, {"batch", 2}, {"threads", 1}};
  for (auto it = j.begin(); it != j.end(); ++it) {
    const auto cap = caps.find(it.key());
    if (cap != caps.end() && it->is_number_integer()) *it = std::min(it->get<long>(), cap->second);
    if (it.key() == "grid" && it->is_object())
      for (auto& axis : *it)
        if (axis.is_array() && axis.size() > 2) axis.erase(axis.begin() + 2, axis.end());
    shrink(*it);
  }
}

// The commands a config is written for (a mismatched command is refused at once).
std::vector<std::string> intended_commands(const json& j) {
  if (!j.is_object()) return {"run"};
  std::vector<std::string> commands;
  for (const char* block : {"campaign", "pvf", "sweep", "dlrm"})
    if (j.contains(block)) commands.push_back(block);
  if (j.contains("training")) commands.push_back("train");
  if (commands.empty()) commands = {"", "run", "errmodel"};
  return commands;
}

std::vector<std::string> command_args(const std::string& command, const std::string& config) {
  std::vector<std::string> args;
  if (!command.empty()) args.push_back(command);
  args.insert(args.end(), {"--config", config, "--out", "@OUT@"});
  const auto& flags = command_named(command).flags;
  args.insert(args.end(), flags.begin(), flags.end());
  return args;
}

// The case's command: mostly one the config is written for, sometimes any.
std::string pick_command(const json& j, Rng& rng) {
  if (pick(rng, 4) == 0) return all_commands()[pick(rng, all_commands().size())].name;
  return pick_of(rng, intended_commands(j));
}

// Where a case keeps its files: under the test's directory, or ACCSIM_FUZZ_KEEP (kept).
fs::path case_directory(const TempDir& root, int index) {
  const char* keep = std::getenv("ACCSIM_FUZZ_KEEP");
  const fs::path dir = keep && *keep ? fs::path(keep) : root.path() / ("case" + std::to_string(index));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void finish_case(const fs::path& dir) {
  if (!std::getenv("ACCSIM_FUZZ_KEEP")) fs::remove_all(dir);
}

// Every shipped config, mutated by every mutation in turn, through its own commands and
// sometimes others. The mutated config sits beside the original (in a copy of configs/),
// so that its relative paths still lead to the shipped models.
TEST(Fuzz, MutatedConfigs) {
  TempDir root;
  fs::copy(kSource / "configs", root.path() / "configs", fs::copy_options::recursive);
  const auto configs = shipped_configs();
  const auto& mutations = json_mutations();
  Tally tally;
  for (const int i : case_indices(90)) {
    Rng rng = case_rng("MutatedConfigs", i);
    const std::string rel = configs[static_cast<std::size_t>(i) % configs.size()];
    const auto& [name, mutate] = mutations[static_cast<std::size_t>(i) / configs.size() % mutations.size()];
    json j = json::parse(read_bytes(kSource / rel));
    shrink(j);
    const Mutated m = mutate(j, j.dump(1), rng);
    const fs::path config = (root.path() / rel).parent_path() / "fuzz_case.json";
    write_bytes(config, m.text);
    const fs::path dir = case_directory(root, i);
    const FuzzCase c{"MutatedConfigs", i, rel, name + ": " + m.what, command_args(pick_command(j, rng), config.string())};
    // An error names the config (under root) or the file a mutated path names.
    run_case(c, dir, {root.path()}, {root.path().string(), "/dev/", "/proc/", "/etc/"}, tally);
    if (std::getenv("ACCSIM_FUZZ_KEEP")) fs::copy_file(config, dir / "fuzz_case.json");
    fs::remove(config);
    finish_case(dir);
  }
  tally.print("MutatedConfigs");
}

// A hostile value for one option of a command (the overriding ones are checked as the keys
// they set): the message names the config or the option.
TEST(Fuzz, MutatedOptions) {
  TempDir root;
  fs::copy(kSource / "configs", root.path() / "configs", fs::copy_options::recursive);
  const std::vector<std::pair<std::string, std::string>> uses = {
      {"configs/small.json", ""}, {"configs/small.json", "errmodel"},
      {"configs/experiments/campaign_lenet5.json", "campaign"}, {"configs/experiments/pvf_lenet5.json", "pvf"},
      {"configs/experiments/dlrm_pytei.json", "dlrm"}, {"configs/sweeps/lenet5_swizzle_fault.json", "sweep"},
      {"configs/experiments/lenet5_fault_free.json", "train"}};
  const std::map<std::string, std::vector<std::string>> options = {
      {"", {"--seed", "--engine"}}, {"errmodel", {"--seed", "--engine"}}, {"campaign", {"--seed", "--threads"}},
      {"pvf", {"--seed", "--threads"}}, {"dlrm", {"--seed", "--threads", "--engine"}},
      {"sweep", {"--seed", "--threads", "--engine"}},
      {"train", {"--seed", "--threads", "--train-limit", "--test-limit", "--epochs", "--engine"}}};
  std::vector<std::string> values = hostile_numbers();
  values.insert(values.end(), {"", "abc", "[]", "{}", "1 2", "[[[[[[[[1]]]]]]]]", "\"x\"", "59999", "cycle",
                               std::string(5000, '7')});
  Tally tally;
  for (const int i : case_indices(28)) {
    Rng rng = case_rng("MutatedOptions", i);
    const auto& [rel, command] = uses[static_cast<std::size_t>(i) % uses.size()];
    json j = json::parse(read_bytes(kSource / rel));
    shrink(j);
    const fs::path config = (root.path() / rel).parent_path() / "fuzz_case.json";
    write_bytes(config, j.dump(1));
    std::vector<std::string> args = command_args(command, config.string());
    const std::string option = pick_of(rng, options.at(command));
    const std::string value = pick_of(rng, values);
    const auto at = std::find(args.begin(), args.end(), option);
    if (at != args.end()) *(at + 1) = value;
    if (at == args.end()) args.insert(args.end(), {option, value});
    const fs::path dir = case_directory(root, i);
    const FuzzCase c{"MutatedOptions", i, rel, option + " " + value.substr(0, 40), args};
    run_case(c, dir, {root.path()}, {root.path().string(), option}, tally);
    fs::remove(config);
    finish_case(dir);
  }
  tally.print("MutatedOptions");
}

// A shipped config of the data file's commands, shrunk, with its paths made absolute (it
// is written elsewhere) and one key pointing at the mutated copy.
struct DataUse {
  std::string config;   // relative to the source tree
  std::string command;
  std::string pointer;  // the key that names the data file
};

json config_for(const DataUse& use, const fs::path& mutated) {
  json j = json::parse(read_bytes(kSource / use.config));
  shrink(j);
  const fs::path from = (kSource / use.config).parent_path();
  for (const auto& p : value_paths(j)) {
    const json& v = j[p];
    if (!v.is_string()) continue;
    const std::string s = v.get<std::string>();
    for (const char* ext : {".h5", ".onnx", ".csv"})
      if (s.size() > 4 && s.rfind(ext) == s.size() - std::string(ext).size()) j[p] = (from / s).lexically_normal().string();
  }
  j[json::json_pointer(use.pointer)] = mutated.string();
  return j;
}

// How a data file kind is mutated: `make` writes the mutated input into the case directory
// and returns its path (a file, or the dataset directory) and what was done.
struct DataKind {
  std::string suite;
  std::vector<DataUse> uses;
  std::function<std::pair<fs::path, std::string>(const fs::path& dir, Rng&)> make;
};

void run_data_kind(const DataKind& kind, int release_cases) {
  TempDir root;
  Tally tally;
  for (const int i : case_indices(release_cases)) {
    Rng rng = case_rng(kind.suite, i);
    const DataUse& use = kind.uses[static_cast<std::size_t>(i) % kind.uses.size()];
    const fs::path dir = case_directory(root, i);
    const auto [input, what] = kind.make(dir, rng);
    const fs::path config = dir / "config.json";
    write_bytes(config, config_for(use, input).dump(1));
    const FuzzCase c{kind.suite, i, input.string() + " (" + use.config + ", " + use.pointer + ")", what,
                     command_args(use.command, config.string())};
    run_case(c, dir, {root.path()}, {root.path().string()}, tally);
    finish_case(dir);
  }
  tally.print(kind.suite);
}

// A copy of `source` with its bytes mutated (`hot`: the header bytes hit more often), or
// its lines when `lines`.
std::function<std::pair<fs::path, std::string>(const fs::path&, Rng&)> mutated_copy(
    const std::vector<std::string>& sources, std::size_t hot, bool lines) {
  return [=](const fs::path& dir, Rng& rng) {
    const fs::path source = kSource / pick_of(rng, sources);
    const std::string bytes = read_bytes(source);
    const MutatedBytes m = lines ? mutate_text_lines(bytes, rng) : mutate_bytes(bytes, rng, hot);
    const fs::path copy = dir / source.filename();
    write_bytes(copy, m.bytes);
    return std::make_pair(copy, source.filename().string() + ": " + m.what);
  };
}

TEST(Fuzz, MutatedParameterFiles) {
  const std::string model = "configs/models/lenet5_fashion_mnist.h5";
  run_data_kind({"MutatedParameterFiles",
                 {{"configs/small.json", "run", "/workload/parameters"},
                  {"configs/small.json", "errmodel", "/workload/parameters"},
                  {"configs/experiments/campaign_lenet5.json", "campaign", "/campaign/model"},
                  {"configs/experiments/pvf_lenet5.json", "pvf", "/pvf/model"},
                  {"configs/large.json", "", "/workload/parameters"},
                  {"configs/sweeps/lenet5_swizzle_fault.json", "sweep", "/workload/parameters"}},
                 mutated_copy({model}, 4096, false)},
                30);
}

TEST(Fuzz, MutatedOnnxModels) {
  const std::string resnet = "configs/models/resnet8_fmnist.onnx";
  run_data_kind({"MutatedOnnxModels",
                 {{"configs/resnet_fmnist.json", "run", "/workload/model"},
                  {"configs/mobilenet_fmnist.json", "errmodel", "/workload/model"},
                  {"configs/experiments/campaign_resnet_fmnist.json", "campaign", "/workload/model"},
                  {"configs/vit_fmnist.json", "", "/workload/model"},
                  {"configs/experiments/pvf_vit_fmnist.json", "pvf", "/workload/model"},
                  {"configs/sweeps/resnet8_campaign.json", "sweep", "/workload/model"}},
                 mutated_copy({resnet, "configs/models/mobilenet_fmnist.onnx", "configs/models/vit_fmnist.onnx"}, 2048,
                              false)},
                30);
}

// The exported DLRM of accsim dlrm (int64 bag inputs), mutated: one error line, never a crash.
TEST(Fuzz, MutatedDlrmOnnxModels) {
  run_data_kind({"MutatedDlrmOnnxModels",
                 {{"configs/experiments/dlrm_pytei_onnx.json", "dlrm", "/workload/model"}},
                 mutated_copy({"configs/models/dlrm_pytei.onnx"}, 2048, false)},
                12);
}

TEST(Fuzz, MutatedTopologies) {
  run_data_kind({"MutatedTopologies",
                 {{"configs/alexnet_topology.json", "run", "/workload/topology"},
                  {"configs/alexnet_topology.json", "", "/workload/topology"},
                  {"configs/sweeps/nv_small_to_large.json", "sweep", "/workload/topology"}},
                 mutated_copy({"configs/topologies/alexnet_conv.csv", "configs/topologies/small_gemm.csv"}, 0, true)},
                20);
}

std::string gunzip(const std::string& path) {
  std::string bytes;
  gzFile in = gzopen(path.c_str(), "rb");
  char buf[1 << 16];
  for (int n; in && (n = gzread(in, buf, sizeof buf)) > 0;) bytes.append(buf, static_cast<std::size_t>(n));
  if (in) gzclose(in);
  return bytes;
}

void gzip_to(const fs::path& path, const std::string& bytes) {
  gzFile out = gzopen(path.c_str(), "wb1");
  if (!bytes.empty()) gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(out);
}

// A Fashion-MNIST directory (links to the installed files) with one file mutated: a test
// file's IDX content (header 16 or 8 bytes) re-compressed, or any file's gzip bytes.
std::pair<fs::path, std::string> mutated_dataset(const fs::path& dir, Rng& rng) {
  const fs::path data = dir / "fashion-mnist";
  testing::link_fashion_mnist(data);
  const auto files = fashion_mnist_files(data.string());
  const fs::path file = pick_of(rng, files);
  const std::string original = fs::read_symlink(file).string();
  const bool content = file.filename().string().rfind("t10k", 0) == 0 && pick(rng, 3) != 0;
  static std::map<std::string, std::string> unpacked;  // 8 MB to unpack once per process
  const MutatedBytes m = content ? mutate_bytes(unpacked.count(original) ? unpacked[original]
                                                                          : unpacked[original] = gunzip(original),
                                                rng, 16)
                                 : mutate_bytes(read_bytes(original), rng, 64);
  fs::remove(file);
  if (content) gzip_to(file, m.bytes);
  if (!content) write_bytes(file, m.bytes);
  return {data, file.filename().string() + (content ? " (unpacked): " : " (gzip bytes): ") + m.what};
}

TEST(Fuzz, MutatedDatasets) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  run_data_kind({"MutatedDatasets",
                 {{"configs/small.json", "run", "/workload/dataset_dir"},
                  {"configs/small.json", "errmodel", "/workload/dataset_dir"},
                  {"configs/experiments/campaign_lenet5.json", "campaign", "/workload/dataset_dir"},
                  {"configs/experiments/pvf_lenet5.json", "pvf", "/workload/dataset_dir"},
                  {"configs/experiments/lenet5_fault_free.json", "train", "/workload/dataset_dir"},
                  {"configs/sweeps/lenet5_swizzle_fault.json", "sweep", "/workload/dataset_dir"}},
                 mutated_dataset},
                10);
}

}  // namespace
}  // namespace accsim
