#include "workloads/training/optimizer_state_file.h"

#include <vector>

#include "arch/input_error.h"

namespace accsim {

void write_optimizer_state(ResultsFile& h5, const OptimizerState& s) {
  h5.set_attribute("/", "optimizer_steps", static_cast<std::int64_t>(s.steps));
  std::vector<std::string> names;
  for (const auto& [name, t] : s.buffers) {
    h5.write_tensor("/optimizer/state/" + std::to_string(names.size()), t);
    names.push_back(name);
  }
  if (!names.empty()) h5.write_strings("/optimizer/buffers", names);
}

// Shapes first: a damaged or hostile file may declare any extent.
OptimizerState read_optimizer_state(const std::string& file, const OptimizerState& like) {
  OptimizerState s;
  s.steps = read_int64_attribute(file, "/", "optimizer_steps");
  if (s.steps < 0) throw InputError(file + ": optimizer_steps is negative");
  if (like.buffers.empty()) return s;
  std::vector<std::string> expected;
  for (const auto& [name, t] : like.buffers) expected.push_back(name);
  if (read_strings(file, "/optimizer/buffers") != expected)
    throw InputError(file + ": /optimizer/buffers does not list this optimiser's buffers");
  std::size_t i = 0;
  for (const auto& [name, t] : like.buffers) {
    const std::string path = "/optimizer/state/" + std::to_string(i++);
    const std::vector<hsize_t> dims = dataset_dims(file, path);
    if (dims != std::vector<hsize_t>(t.shape().begin(), t.shape().end()))
      throw InputError(file + ": " + path + " (" + name + ") does not have the shape " + t.shape_string());
    s.buffers.emplace(name, read_tensor(file, path));
  }
  return s;
}

}  // namespace accsim
