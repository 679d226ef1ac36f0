#include "tools/cli/output_guard.h"

#include <sys/stat.h>

#include <filesystem>

#include "arch/input_error.h"
#include "arch/input_file.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/io/file_names.h"

namespace accsim {

namespace {

namespace fs = std::filesystem;

// "it" for --out itself, "the file it implies, x.csv," for a companion.
std::string subject(const std::string& output, const RunOptions& options) {
  return output == options.out_file ? "it" : "the file it implies, " + output + ",";
}

// Same file: one inode, however it is named or linked.
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec) && !ec;
}

}  // namespace

std::vector<NamedInput> run_inputs(const RunConfig& rc, const std::string& config_file) {
  std::vector<NamedInput> inputs = {{"the config file", config_file},
                                    {"workload.model", rc.workload.model},
                                    {"workload.topology", rc.workload.topology},
                                    {"workload.parameters", rc.workload.parameters}};
  if (rc.campaign) inputs.push_back({"campaign.model", rc.campaign->model});
  if (rc.pvf) inputs.push_back({"pvf.model", rc.pvf->model});
  for (const std::string& f : fashion_mnist_files(rc.workload.dataset_dir))
    inputs.push_back({"a dataset file of workload.dataset_dir", f});
  return inputs;
}

void refuse_unsafe_outputs(const RunOptions& options, const std::vector<NamedInput>& inputs) {
  const std::vector<std::string> outputs = options.outputs.empty() ? std::vector<std::string>{options.out_file}
                                                                   : options.outputs;
  for (const std::string& output : outputs) {
    const std::string head = "--out " + options.out_file + ": " + subject(output, options);
    const fs::path path(output);
    const std::size_t name = path.filename().string().size(), limit = file_name_limit(path.parent_path().string());
    if (name > limit)
      throw InputError(head + " has a name of " + std::to_string(name) + " bytes; the file-name limit there is " +
                       std::to_string(limit) + "; choose a shorter --out");
    for (const NamedInput& in : inputs)
      if (!in.path.empty() && same_file(output, in.path))
        throw InputError(head + " is " + in.role + " (" + in.path + "), an input of this run; choose another --out");
    struct stat st {};
    if (::stat(output.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
      throw InputError(head + " is " + file_kind(st.st_mode) +
                       "; outputs are regular files (a completed run replaces them); choose another --out");
  }
}

}  // namespace accsim
