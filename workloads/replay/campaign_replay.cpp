#include "workloads/replay/campaign_replay.h"

#include <cmath>

#include "arch/input_error.h"
#include "workloads/campaign/campaign_checkpoint.h"
#include "workloads/campaign/campaign_report.h"
#include "workloads/campaign/graph_campaign.h"
#include "workloads/io/output_format.h"
#include "workloads/models/batch_effect.h"
#include "workloads/replay/image_ranking.h"

namespace accsim {

namespace {

constexpr int kTop = 5;

// Per image, in campaign order: what /images/* holds.
struct ImageRecord {
  std::vector<std::int64_t> golden_top, faulty_top, nonfinite;  // [images x top], [images x top], [images]
  std::vector<double> golden_margin, margin;
  std::vector<float> golden_logits, faulty_logits;              // [images x classes]
  int classes = 0, top = 0;
};

void add_images(ImageRecord& rec, const Tensor& golden, const Tensor& faulty) {
  rec.classes = golden.dim(1);
  rec.top = std::min(kTop, rec.classes);
  for (int i = 0; i < golden.dim(0); ++i) {
    const float* g = golden.data() + static_cast<std::size_t>(i) * rec.classes;
    const float* f = faulty.data() + static_cast<std::size_t>(i) * rec.classes;
    const int predicted = argmax_row(g, rec.classes);  // the campaign's fault-free prediction
    for (int c : top_classes(g, rec.classes, kTop)) rec.golden_top.push_back(c);
    for (int c : top_classes(f, rec.classes, kTop)) rec.faulty_top.push_back(c);
    rec.golden_margin.push_back(logit_margin(g, rec.classes, predicted));
    rec.margin.push_back(logit_margin(f, rec.classes, predicted));
    rec.nonfinite.push_back(std::isnan(rec.margin.back()));
    rec.golden_logits.insert(rec.golden_logits.end(), g, g + rec.classes);
    rec.faulty_logits.insert(rec.faulty_logits.end(), f, f + rec.classes);
  }
}

void write_images(ResultsFile& h5, const ImageRecord& rec, const std::vector<int>& labels) {
  const auto n = static_cast<hsize_t>(rec.margin.size());
  h5.write_int64s("/images/labels", std::vector<std::int64_t>(labels.begin(), labels.end()));
  h5.write_int64s("/images/golden_top5", rec.golden_top, {n, static_cast<hsize_t>(rec.top)});
  h5.write_int64s("/images/faulty_top5", rec.faulty_top, {n, static_cast<hsize_t>(rec.top)});
  h5.write_doubles("/images/golden_margin", rec.golden_margin);
  h5.write_doubles("/images/margin", rec.margin);
  h5.write_int64s("/images/nonfinite", rec.nonfinite);
  h5.write_floats("/images/golden_logits", rec.golden_logits, {n, static_cast<hsize_t>(rec.classes)});
  h5.write_floats("/images/faulty_logits", rec.faulty_logits, {n, static_cast<hsize_t>(rec.classes)});
}

}  // namespace

void check_experiment_index(long long index, long long experiments, const std::string& what) {
  if (index >= 0 && index < experiments) return;
  throw InputError(what + ": experiment " + std::to_string(index) + " is outside the run's experiments [0, " +
                   std::to_string(experiments - 1) + "]");
}

CampaignReplayer::CampaignReplayer(const Campaign& campaign)
    : c_(campaign), evaluator_(make_graph_campaign_evaluator(campaign)) {
  evaluator_->describe(header_);
  header_.key = campaign_key(campaign);
}

ExperimentResult CampaignReplayer::replay(long long index, const std::string& what) const {
  check_experiment_index(index, c_.config.experiments, what);
  ExperimentResult e = planned_experiment(c_, *evaluator_, header_.batch_cycles, index);
  evaluator_->evaluate(e, true);  // as run_campaign runs it by default
  return e;
}

void CampaignReplayer::write(ResultsFile& h5, long long index, const ExperimentResult& e) const {
  write_output_format(h5, kReplayOutput);
  h5.set_attribute("/", "source", std::string("campaign"));
  h5.set_attribute("/", "campaign_key", header_.key);
  h5.set_attribute("/", "seed", static_cast<std::int64_t>(c_.seed));
  h5.set_attribute("/", "experiment", index);
  h5.set_attribute("/", "experiments", c_.config.experiments);
  h5.set_attribute("/", "images", header_.images);
  h5.set_attribute("/", "batch_cycles", header_.batch_cycles);
  h5.write_strings("/layer_names", header_.nodes);
  h5.write_strings("/node_names", header_.graph_nodes);
  write_experiment_records(h5, "/experiment", {&e}, header_.nodes.size());
  const Graph& graph = *c_.graphs.begin()->second;
  ImageRecord images;
  int batch = 0;
  evaluator_->visit_runs(e.fault, [&](int first, const GraphRun& golden, const GraphRun& faulty) {
    const std::string at = "/batches/" + std::to_string(batch++);
    h5.set_attribute(at, "first_image", first);
    h5.set_attribute(at, "images", golden.outputs.at(0).dim(0));
    for (std::size_t k = 0; k < graph.nodes.size(); ++k) {
      const std::string& value = graph.nodes[k].outputs.at(0);
      h5.write_tensor(at + "/golden/" + std::to_string(k), golden.values.at(value));
      h5.write_tensor(at + "/faulty/" + std::to_string(k), faulty.values.at(value));
    }
    add_images(images, golden.outputs.at(0), faulty.outputs.at(0));
  });
  write_images(h5, images, c_.labels);
}

}  // namespace accsim
