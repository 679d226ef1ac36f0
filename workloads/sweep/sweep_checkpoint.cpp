#include "workloads/sweep/sweep_checkpoint.h"

#include <filesystem>
#include <set>

#include "arch/input_error.h"
#include "workloads/experiments/key_hasher.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/io/results_file.h"
#include "workloads/run/run_config.h"
#include "workloads/sweep/sweep_points_table.h"

namespace accsim {

namespace {

// The files the points read: parameter files, ONNX models, topologies and, for workloads
// fed with images, the Fashion-MNIST test split.
std::set<std::string> input_files(const Sweep& sweep) {
  std::set<std::string> files;
  for (const SweepPoint& p : sweep.points) {
    const WorkloadConfig& w = p.config.workload;
    for (const std::string& f : {w.parameters, w.model, w.topology, p.config.campaign ? p.config.campaign->campaign.model : ""})
      if (!f.empty()) files.insert(f);
    if (w.topology.empty()) {
      const std::vector<std::string> dataset = fashion_mnist_files(w.dataset_dir);
      files.insert(dataset.begin(), dataset.begin() + 2);  // the test split's images and labels
    }
  }
  return files;
}

}  // namespace

std::string sweep_key(const Sweep& sweep, const SweepOptions& options) {
  KeyHasher h;
  h.str("accsim sweep key 2");  // 2: the input files are part of it
  h.str(resume_key_text(sweep.json_text, result_independent_keys()));
  h.u64(options.seed);
  h.str(options.engine);
  for (const std::string& f : input_files(sweep)) {
    h.str(f);
    h.file(f);
  }
  return h.hex();
}

void write_sweep_checkpoint(const std::string& file, const std::string& key, const SweepResult& result, bool campaign) {
  std::vector<std::vector<SweepLayerResult>> layers(result.points.size());
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (result.points[i].done) layers[i] = result.layers[i];
  ResultsFile h5(file);
  h5.set_attribute("/", "sweep_key", key);
  h5.write_table("/points", points_table(result.points, campaign));
  write_layers(h5, "/layers", layers);
  h5.commit();
}

int resume_sweep_points(const std::string& file, const std::string& key, const Sweep& sweep, SweepResult& result,
                        std::ostream& out) {
  std::vector<SweepPointResult>& points = result.points;
  if (!std::filesystem::exists(file)) return 0;
  if (read_string_attribute(file, "/", "sweep_key") != key)
    throw InputError(file + ": checkpoint of a different sweep (config, seed, engine or an input file: a model, "
                            "topology or dataset file, differ); delete it to start afresh or choose another --out");
  const ResultsTable t = read_table(file, "/points");
  std::vector<std::string> expected;
  const Table empty = points_table({}, sweep.has_campaign());
  for (const ColumnSpec& c : empty.columns()) expected.push_back(c.name);
  if (t.column_names != expected)
    throw InputError(file + ": checkpoint with other columns (written by another accsim version); "
                            "delete it to start afresh or choose another --out");
  int resumed = 0;
  for (std::size_t r = 0; r < t.columns[0].size(); ++r) {
    const std::size_t i = static_cast<std::size_t>(t.columns[0][r]);
    if (i >= points.size()) throw InputError(file + ": point " + std::to_string(i) + " is not in this sweep");
    points[i] = point_of(t, r);
    ++resumed;
  }
  read_layers(file, "/layers", result.layers);
  out << "resuming from " << file << ": " << resumed << " of " << sweep.points.size() << " points done\n";
  return resumed;
}

}  // namespace accsim
