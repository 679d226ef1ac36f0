#include "workloads/replay/campaign_replay.h"

#include <cmath>

#include "arch/input_error.h"
#include "workloads/campaign/campaign_checkpoint.h"
#include "workloads/campaign/campaign_report.h"
#include "workloads/campaign/graph_campaign.h"
#include "workloads/io/output_format.h"
#include "workloads/models/batch_effect.h"
#include "workloads/replay/replay_record.h"

namespace accsim {

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
  ImageRecords images;
  int batch = 0;
  evaluator_->visit_runs(e.fault, [&](int first, const GraphRun& golden, const GraphRun& faulty) {
    const std::string at = "/batches/" + std::to_string(batch++);
    h5.set_attribute(at, "first_image", first);
    h5.set_attribute(at, "images", golden.outputs.at(0).dim(0));
    write_node_outputs(h5, at, graph, golden, faulty);
    images.add(golden.outputs.at(0), faulty.outputs.at(0));
  });
  images.write(h5, c_.labels);
}

}  // namespace accsim
