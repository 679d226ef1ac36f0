#pragma once
// One experiment of a hardware-fault campaign rerun from the seed and its index alone
// (`accsim replay`, docs/campaign.md). The campaign's own code plans it
// (planned_experiment) and evaluates it (CampaignEvaluator::evaluate), so its record is
// the campaign's, bit for bit; the full record adds, per batch, every node's fault-free
// and faulty output and, per image, the top-5 classes, logits and margins.
#include <memory>
#include <string>

#include "workloads/campaign/campaign_evaluator.h"
#include "workloads/campaign/campaign_types.h"
#include "workloads/io/results_file.h"

namespace accsim {

class CampaignReplayer {
 public:
  // The fault-free runs, once (as run_campaign computes them). Keeps a reference to `campaign`.
  explicit CampaignReplayer(const Campaign& campaign);

  // What run_campaign describes: trace columns, graph nodes, images, golden predictions.
  const CampaignResults& header() const { return header_; }

  // Experiment `index` as run_campaign records it. InputError naming `what` (e.g.
  // "x.json: --experiment") and the allowed range when `index` is outside [0, experiments).
  ExperimentResult replay(long long index, const std::string& what) const;

  // The full record of experiment `index` (`e`: replay(index)): /experiment/* (the
  // campaign's datasets, one row), /layer_names, /node_names, /images/*, /batches/*
  // and the root attributes (docs/outputs.md).
  void write(ResultsFile& h5, long long index, const ExperimentResult& e) const;

 private:
  const Campaign& c_;
  std::unique_ptr<CampaignEvaluator> evaluator_;
  CampaignResults header_;
};

// `index` checked against [0, experiments): InputError naming `what` and the range.
void check_experiment_index(long long index, long long experiments, const std::string& what);

}  // namespace accsim
