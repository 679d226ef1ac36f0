#pragma once
// A hardware-fault inference campaign: N experiments, each one hardware fault drawn from
// its own seeded generator (campaign_fault.h), evaluated on every batch of the test
// images (graph_campaign.h: any model, as a graph) and classified as masked, SDC or crash.
//
// Workers (std::thread, `config.threads`, 0 = every core) take experiment indices from a
// shared counter; each experiment's result depends only on its index, so the results
// are the same for any thread count and any order. The calling thread reports progress
// and rewrites the checkpoint every `config.checkpoint_seconds`; a run that finds a
// checkpoint of the same campaign skips the experiments it holds (campaign_checkpoint.h).
#include <atomic>
#include <functional>
#include <string>

#include "workloads/campaign/campaign_types.h"
#include "workloads/experiments/progress_meter.h"

namespace accsim {

struct CampaignRunOptions {
  std::string checkpoint;           // checkpoint file; "" = none (nothing is resumed or saved)
  long long max_experiments = -1;   // stop after this many new experiments (-1: run to the end)
  bool shortcut = true;             // false: recompute every layer of every batch (the reference)
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by a signal handler) to stop early
  // Started with the experiments restored from the checkpoint, updated from the calling
  // thread about every `progress_seconds` and once at the end; null: none.
  ProgressMeter* progress = nullptr;
  double progress_seconds = 0.2;
};

// Runs the experiments not yet in the checkpoint. When it stops early (max_experiments,
// stop) the results are incomplete and the checkpoint holds every finished experiment;
// when complete, the checkpoint is left for the caller to remove once the results are
// safely written. Throws InputError for a checkpoint of another campaign.
CampaignResults run_campaign(const Campaign& campaign, const CampaignRunOptions& options = {});

}  // namespace accsim
