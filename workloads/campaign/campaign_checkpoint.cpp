#include "workloads/campaign/campaign_checkpoint.h"

#include <iterator>

#include "arch/input_error.h"
#include "workloads/experiments/checkpoint_header.h"
#include "workloads/experiments/key_hasher.h"
#include "workloads/models/graph_hash.h"
#include "workloads/io/results_file.h"

namespace accsim {

namespace {

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

constexpr const char* kVariantColumns[] = {"outcome",          "detected",         "corrected",
                                           "correct_to_wrong", "nonfinite_images", "cycles"};

// The mitigation variants' columns of `n` checkpointed experiments, each [n x variants] in
// kVariantColumns' order; InputError unless they match the run's variants.
std::vector<std::vector<std::int64_t>> read_variant_columns(const std::string& path, const CampaignResults& r,
                                                            std::size_t n, const std::string& what) {
  const std::size_t variants = r.variants.size();
  std::vector<std::string> names;
  for (const VariantBaseline& v : r.variants) names.push_back(v.name);
  std::vector<std::vector<std::int64_t>> columns;
  bool consistent = read_int64_attribute(path, "/", "variants") == static_cast<std::int64_t>(variants);
  if (consistent && variants > 0) {
    consistent = read_strings(path, "/variants/names") == names;
    for (const char* d : kVariantColumns) {
      std::vector<hsize_t> dims;
      columns.push_back(read_int64_array(path, std::string("/variants/") + d, dims));
      consistent = consistent && dims.size() == 2 && dims[0] == n && dims[1] == variants;
    }
  }
  if (!consistent)
    throw InputError(what + " is inconsistent (its mitigation variants' datasets do not match); delete it to start afresh");
  return columns;
}

// Checkpointed experiment j's variant results from read_variant_columns' columns.
std::vector<VariantResult> restored_variants(const std::vector<std::vector<std::int64_t>>& columns, std::size_t j,
                                             std::size_t variants, const std::string& what) {
  std::vector<VariantResult> restored(variants);
  for (std::size_t v = 0; v < variants; ++v) {
    const std::size_t at = j * variants + v;
    VariantResult& vr = restored[v];
    if (columns[0][at] < 0 || columns[0][at] > 3)
      throw InputError(what + " holds a variant outcome out of range; delete it to start afresh");
    vr.outcome = static_cast<Outcome>(columns[0][at]);
    vr.detected = columns[1][at] != 0;
    vr.corrected = columns[2][at] != 0;
    vr.correct_to_wrong = columns[3][at];
    vr.nonfinite_images = columns[4][at];
    vr.cycles = columns[5][at];
  }
  return restored;
}

}  // namespace

std::string campaign_key(const Campaign& c) {
  KeyHasher h;
  h.str("accsim campaign key 2");  // 2: the network's clipping counts
  h.array(c.array);
  h.str("graph");
  h.u64(c.graphs.size());
  for (const auto& [batch, graph] : c.graphs) {
    h.i64(batch);
    hash_graph(h, *graph);  // every node and parameter
  }
  const CampaignConfig& cc = c.config;  // every key that decides results: not threads, not checkpoint_seconds
  for (long long v : {cc.experiments, static_cast<long long>(cc.test_offset), static_cast<long long>(cc.test_limit),
                      static_cast<long long>(cc.batch), static_cast<long long>(cc.bit_lo),
                      static_cast<long long>(cc.bit_hi)})
    h.i64(v);
  h.u64(cc.sites.size());
  for (FaultSite s : cc.sites) h.i64(static_cast<int>(s));
  h.u64(cc.kinds.size());
  for (FaultKind k : cc.kinds) h.i64(static_cast<int>(k));
  h.u64(cc.mitigations.size());
  for (const MitigationVariant& v : cc.mitigations) {
    h.str(v.name);
    h.mitigations(v.mitigations);
  }
  h.u64(c.seed);
  h.labelled_images(c.images, c.labels);
  return h.hex();
}

void write_campaign_checkpoint(const std::string& path, const CampaignResults& r) {
  std::vector<std::int64_t> index, outcome, c2w, nonfinite, trace, image, golden_top1, faulty_top1, nonfinite_node;
  std::vector<double> margin;
  std::vector<std::int64_t> v_outcome, v_detected, v_corrected, v_c2w, v_nonfinite, v_cycles;  // [index x variants]
  const std::size_t variants = r.variants.size();
  for (std::size_t i = 0; i < r.experiments.size(); ++i) {
    if (!r.done[i]) continue;
    const ExperimentResult& e = r.experiments[i];
    index.push_back(static_cast<std::int64_t>(i));
    outcome.push_back(static_cast<std::int64_t>(e.outcome));
    c2w.push_back(e.correct_to_wrong);
    nonfinite.push_back(e.nonfinite_images);
    trace.insert(trace.end(), e.trace.begin(), e.trace.end());
    image.push_back(e.image);
    golden_top1.push_back(e.golden_top1);
    faulty_top1.push_back(e.faulty_top1);
    margin.push_back(e.margin);
    nonfinite_node.push_back(e.nonfinite_node);
    if (e.variants.size() != variants) throw std::logic_error("write_campaign_checkpoint: variant results missing");
    for (const VariantResult& v : e.variants) {
      v_outcome.push_back(static_cast<std::int64_t>(v.outcome));
      v_detected.push_back(v.detected);
      v_corrected.push_back(v.corrected);
      v_c2w.push_back(v.correct_to_wrong);
      v_nonfinite.push_back(v.nonfinite_images);
      v_cycles.push_back(v.cycles);
    }
  }
  ResultsFile h5(path);
  write_checkpoint_header(h5, kCampaignCheckpointFormat, kCampaignCheckpointVersion, r.key);
  h5.set_attribute("/", "experiments", r.experiments.size());
  h5.write_strings("/layers", r.nodes);
  h5.write_int64s("/index", index);
  h5.write_int64s("/outcome", outcome);
  h5.write_int64s("/correct_to_wrong", c2w);
  h5.write_int64s("/nonfinite_images", nonfinite);
  h5.write_int64s("/trace", trace, {index.size(), r.nodes.size()});
  h5.write_int64s("/image", image);
  h5.write_int64s("/golden_top1", golden_top1);
  h5.write_int64s("/faulty_top1", faulty_top1);
  h5.write_doubles("/margin", margin);  // a float's value is exact as a double
  h5.write_int64s("/nonfinite_node", nonfinite_node);
  h5.set_attribute("/", "variants", variants);
  if (variants > 0) {
    std::vector<std::string> names;
    for (const VariantBaseline& v : r.variants) names.push_back(v.name);
    h5.write_strings("/variants/names", names);
    const std::vector<hsize_t> dims{index.size(), variants};
    const std::vector<std::int64_t>* columns[] = {&v_outcome, &v_detected, &v_corrected, &v_c2w, &v_nonfinite, &v_cycles};
    for (std::size_t k = 0; k < std::size(kVariantColumns); ++k)
      h5.write_int64s(std::string("/variants/") + kVariantColumns[k], *columns[k], dims);
  }
  h5.commit();
}

long long read_campaign_checkpoint(const std::string& path, CampaignResults& r) {
  const std::string what = "campaign checkpoint " + in_quotes(path);
  check_checkpoint_header(path, kCampaignCheckpointFormat, kCampaignCheckpointVersion, r.key, "campaign",
                          "the array, network, campaign keys, seed, model parameters or test images");
  const std::vector<std::int64_t> index = read_int64s(path, "/index");
  const std::vector<std::int64_t> outcome = read_int64s(path, "/outcome");
  const std::vector<std::int64_t> c2w = read_int64s(path, "/correct_to_wrong");
  const std::vector<std::int64_t> nonfinite = read_int64s(path, "/nonfinite_images");
  std::vector<hsize_t> dims;
  const std::vector<std::int64_t> trace = read_int64_array(path, "/trace", dims);
  const std::vector<std::int64_t> image = read_int64s(path, "/image");
  const std::vector<std::int64_t> golden_top1 = read_int64s(path, "/golden_top1");
  const std::vector<std::int64_t> faulty_top1 = read_int64s(path, "/faulty_top1");
  const std::vector<double> margin = read_doubles(path, "/margin");
  const std::vector<std::int64_t> nonfinite_node = read_int64s(path, "/nonfinite_node");
  const std::size_t n = index.size(), columns = r.nodes.size();
  if (read_strings(path, "/layers") != r.nodes || outcome.size() != n || c2w.size() != n ||
      nonfinite.size() != n || dims.size() != 2 || dims[0] != n || dims[1] != columns || image.size() != n ||
      golden_top1.size() != n || faulty_top1.size() != n || margin.size() != n || nonfinite_node.size() != n)
    throw InputError(what + " is inconsistent (datasets of different lengths); delete it to start afresh");
  const std::vector<std::vector<std::int64_t>> vcols = read_variant_columns(path, r, n, what);
  long long loaded = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const std::int64_t i = index[j];
    const auto within = [](std::int64_t v, std::int64_t end) { return v >= -1 && v < end; };
    if (i < 0 || i >= static_cast<std::int64_t>(r.experiments.size()) || outcome[j] < 0 || outcome[j] > 2 ||
        !within(image[j], r.images) || !within(nonfinite_node[j], static_cast<std::int64_t>(r.graph_nodes.size())) ||
        !within(golden_top1[j], INT32_MAX) || !within(faulty_top1[j], INT32_MAX))
      throw InputError(what + " holds an experiment index or outcome out of range; delete it to start afresh");
    ExperimentResult& e = r.experiments[static_cast<std::size_t>(i)];
    e.outcome = static_cast<Outcome>(outcome[j]);
    e.correct_to_wrong = c2w[j];
    e.nonfinite_images = nonfinite[j];
    e.trace.assign(trace.begin() + static_cast<std::ptrdiff_t>(j * columns),
                   trace.begin() + static_cast<std::ptrdiff_t>((j + 1) * columns));
    e.image = image[j];
    e.golden_top1 = static_cast<int>(golden_top1[j]);
    e.faulty_top1 = static_cast<int>(faulty_top1[j]);
    e.margin = static_cast<float>(margin[j]);
    e.nonfinite_node = static_cast<int>(nonfinite_node[j]);
    e.variants = restored_variants(vcols, j, r.variants.size(), what);
    mark_restored(r.done, static_cast<std::size_t>(i), loaded, &r.done_count);
  }
  return loaded;
}

}  // namespace accsim
