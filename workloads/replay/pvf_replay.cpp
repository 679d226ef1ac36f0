#include "workloads/replay/pvf_replay.h"

#include "workloads/io/output_format.h"
#include "workloads/pvf/pvf_report.h"
#include "workloads/replay/replay_record.h"

namespace accsim {

namespace {

void write_injection(ResultsFile& h5, const Injection& injection) {
  std::vector<std::int64_t> tensor, element, old_bits, new_bits;
  std::vector<double> old_value, new_value;
  for (const ParameterFlip& f : injection.flips) {
    tensor.push_back(f.tensor);
    element.push_back(static_cast<std::int64_t>(f.element));
    old_bits.push_back(f.old_bits);
    new_bits.push_back(f.new_bits);
    old_value.push_back(f.old_value());
    new_value.push_back(f.new_value());
  }
  h5.write_int64s("/injection/tensor", tensor);
  h5.write_int64s("/injection/element", element);
  h5.write_int64s("/injection/old_bits", old_bits);
  h5.write_int64s("/injection/new_bits", new_bits);
  h5.write_doubles("/injection/old_value", old_value);
  h5.write_doubles("/injection/new_value", new_value);
}

// The image's whole runs, laid out as a campaign replay's one batch of one image.
void write_runs(ResultsFile& h5, const PvfRuns& runs, int image, int label) {
  std::vector<std::string> names;
  for (const Node& node : runs.graph->nodes) names.push_back(node.name);
  h5.write_strings("/node_names", names);
  const int nonfinite = first_nonfinite_node(*runs.graph, runs.golden, runs.faulty);
  h5.set_attribute("/", "first_nonfinite_node", nonfinite < 0 ? std::string("none") : names.at(nonfinite));
  h5.set_attribute("/batches/0", "first_image", image);
  h5.set_attribute("/batches/0", "images", 1);
  write_node_outputs(h5, "/batches/0", *runs.graph, runs.golden, runs.faulty);
  ImageRecords images;
  images.add(runs.golden.outputs.at(0), runs.faulty.outputs.at(0));
  images.write(h5, {label});
}

}  // namespace

void write_pvf_replay(ResultsFile& h5, const PvfCampaign& c, const PvfResults& plan, std::size_t index,
                      const PvfExperiment& e, const Injection& injection, const PvfRuns& runs) {
  write_output_format(h5, kReplayOutput);
  h5.set_attribute("/", "source", std::string("pvf"));
  h5.set_attribute("/", "pvf_key", plan.key);
  h5.set_attribute("/", "seed", static_cast<std::int64_t>(c.seed));
  if (e.stratum < 0) {
    h5.set_attribute("/", "experiment", index);
    h5.set_attribute("/", "experiments", plan.experiments.size());
  } else {  // an adaptive run's experiment is its stratum's sample
    h5.set_attribute("/", "stratum", e.stratum);
    h5.set_attribute("/", "sample", e.sample);
  }
  h5.set_attribute("/", "label", c.labels.at(static_cast<std::size_t>(e.image)));
  h5.write_strings("/variants", plan.variants);
  h5.write_strings("/tensors", plan.tensors);
  write_pvf_experiment_records(h5, "/experiment", {&e}, plan.variants.size());
  write_injection(h5, injection);
  write_runs(h5, runs, e.image, c.labels.at(static_cast<std::size_t>(e.image)));
}

}  // namespace accsim
