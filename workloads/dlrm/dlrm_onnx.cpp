#include "workloads/dlrm/dlrm_onnx.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "arch/json_excerpt.h"
#include "workloads/dlrm/dlrm_graph.h"
#include "workloads/models/int_inputs.h"
#include "workloads/models/onnx_import.h"

namespace accsim {

namespace {

std::vector<std::string> names_of_type(const std::vector<OnnxInput>& inputs, const std::string& type) {
  std::vector<std::string> out;
  for (const auto& in : inputs)
    if (in.type == type) out.push_back(in.name);
  return out;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "\"" : ", \"") + n + "\"";
  return s.empty() ? "none" : s;
}

std::string dense_name(ConfigReader& r, const std::string& file, const std::vector<OnnxInput>& inputs) {
  const std::vector<std::string> floats = names_of_type(inputs, "float32");
  if (!r.has("dense_input")) {
    if (floats.size() != 1)
      r.fail("model", file + " has " + std::to_string(floats.size()) + " float32 inputs (" + quoted_list(floats) +
                          "); exactly one takes the dense features");
    return floats.front();
  }
  const std::string name = r.get_string("dense_input");
  if (std::find(floats.begin(), floats.end(), name) == floats.end())
    r.fail("dense_input", "\"" + name + "\" is not a float32 input of " + file + " (its float32 inputs: " + quoted_list(floats) + ")");
  return name;
}

std::vector<std::string> given_sparse_names(ConfigReader& r, int tables) {
  const nlohmann::json& v = r.get_raw("sparse_inputs", "an array of input names, one per table");
  if (!v.is_array() || v.size() != static_cast<std::size_t>(tables))
    r.fail("sparse_inputs", "expected an array of " + std::to_string(tables) + " input names (one per table), got " + json_excerpt(v));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) r.fail("sparse_inputs[" + std::to_string(i) + "]", "expected an input name, got " + json_excerpt(v[i]));
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

std::vector<std::string> sparse_names(ConfigReader& r, const std::string& file, const std::vector<OnnxInput>& inputs,
                                      int tables) {
  const std::vector<std::string> ints = names_of_type(inputs, "int64");
  if (ints.empty())
    r.fail("model", file + " has no int64 input; accsim dlrm feeds each table's bags to one (Gather indices, as "
                           "tools/python/models/export_dlrm.py exports them)");
  if (ints.size() != static_cast<std::size_t>(tables))
    r.fail("model", file + " has " + std::to_string(ints.size()) + " int64 inputs (" + quoted_list(ints) +
                        ") where dlrm.tables " + std::to_string(tables) + " needs one per table");
  if (!r.has("sparse_inputs")) {
    if (tables != 1)
      r.fail("model", file + " has int64 inputs " + quoted_list(ints) +
                          ": which one takes which table's bags is ambiguous; name them in workload.sparse_inputs");
    return ints;
  }
  std::vector<std::string> names = given_sparse_names(r, tables);
  std::vector<std::string> sorted = names, model = ints;
  std::sort(sorted.begin(), sorted.end());
  std::sort(model.begin(), model.end());
  if (sorted != model)
    r.fail("sparse_inputs", "must name each int64 input of " + file + " once (" + quoted_list(ints) + "), got " +
                                quoted_list(names));
  return names;
}

// Table t's bags go to a Gather over the table and its zero row: the config's rows + 1.
void check_table_rows(const DlrmOnnxModel& m, const DlrmConfig& c, const Graph& g) {
  for (int t = 0; t < c.tables; ++t) {
    const std::string& input = m.sparse_inputs[static_cast<std::size_t>(t)];
    const long long want = c.table_rows(t) + 1LL;
    for (const Node& node : g.nodes) {
      if (node.op != "Gather" || node.input(1) != input) continue;
      const long long rows = g.shape_of(node.input(0)).at(0);
      if (node.get_int("axis", 0) != 0 || rows != want)
        throw InputError(m.file + ": input \"" + input + "\": dlrm.sparse_dim " + std::to_string(c.sparse_dim) +
                         " and dlrm.tables " + std::to_string(c.tables) + " give table " + std::to_string(t) +
                         " indices in [0, " + std::to_string(want - 1) + "] (its rows and the zero row), but node \"" +
                         node.name + "\" gathers them from " + std::to_string(rows) + " rows (axis " +
                         std::to_string(node.get_int("axis", 0)) + "): allowed indices [0, " + std::to_string(rows - 1) + "]");
    }
  }
}

void check_dense(const DlrmOnnxModel& m, const DlrmConfig& c, const Graph& g, int n) {
  const std::vector<int> want = {n, c.dense_dim};
  if (g.inputs.at(0).shape != want)
    throw InputError(m.file + ": input \"" + g.inputs[0].name + "\" is " + shape_text(g.inputs[0].shape) + " at batch " +
                     std::to_string(n) + "; dlrm.dense_dim " + std::to_string(c.dense_dim) + " feeds it " + shape_text(want));
}

}  // namespace

DlrmOnnxModel parse_dlrm_workload(ConfigReader r, const std::string& config_file, const DlrmConfig& config) {
  DlrmOnnxModel m;
  m.file = std::filesystem::path(config_relative_path(config_file, r.get_string("model"))).lexically_normal().string();
  const std::vector<OnnxInput> inputs = onnx_model_inputs(m.file);
  m.dense_input = dense_name(r, m.file, inputs);
  m.sparse_inputs = sparse_names(r, m.file, inputs, config.tables);
  r.finish();
  return m;
}

Graph dlrm_onnx_graph(const DlrmOnnxModel& m, const DlrmConfig& c, const DlrmBatch& batch) {
  std::map<std::string, IntTensor> bags;
  IntInputShapes shapes;
  for (int t = 0; t < c.tables; ++t) {
    const std::string& name = m.sparse_inputs.at(static_cast<std::size_t>(t));
    bags[name] = dlrm_table_bags(c, batch, t);
    shapes[name] = bags[name].shape;
  }
  Graph g = load_onnx_model(m.file, batch.size(), shapes);
  check_dense(m, c, g, batch.size());
  check_table_rows(m, c, g);
  try {
    bind_int_inputs(g, bags);
  } catch (const std::invalid_argument& e) {
    throw InputError(m.file + ": " + e.what());
  }
  return g;
}

}  // namespace accsim
