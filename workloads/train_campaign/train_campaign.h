#pragma once
// A training-fault campaign (`accsim train-campaign`, docs/training.md): N experiments,
// each one fault (train_fault.h) injected while a subject trains. The subject first trains
// fault-free up to the first fault step, once (the shared prefix); the fault-free
// reference and every experiment continue from it to the configured number of steps.
// Experiments run in parallel on every core (experiment_runner.h); an experiment depends
// only on the seed, the config and its index, so results are the same for any thread
// count, and a checkpoint (every checkpoint_seconds, and when stopped) lets a rerun of a
// killed or stopped campaign resume to bit-identical results. The prefix and the
// reference are recomputed on resume: they are deterministic and cost about one experiment.
#include <atomic>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "workloads/experiments/progress_meter.h"
#include "workloads/train_campaign/train_campaign_config.h"
#include "workloads/train_campaign/train_fault.h"
#include "workloads/train_campaign/train_outcome.h"
#include "workloads/train_campaign/training_subject.h"

namespace accsim {

struct TrainCampaignSpec {
  TrainCampaignConfig config;
  ArrayConfig array;
  std::uint64_t seed = 1;
  std::string key;  // resume key: everything the results depend on (a checkpoint of another key is refused)
};

struct TrainCampaignRunOptions {
  std::string checkpoint;                   // "" = none
  long long max_experiments = -1;           // stop after this many new experiments (tests: as if killed)
  const std::atomic<bool>* stop = nullptr;  // set by a signal handler: checkpoint and return
  ProgressMeter* progress = nullptr;
};

struct TrainCampaignResults {
  std::vector<TrainFault> faults;
  TrainWindow window;
  TrainRunRecord reference;  // fault-free, from the same prefix
  std::vector<TrainRunRecord> runs;
  std::vector<char> done;
  int validation_images = 0;
  long long resumed = 0, done_count = 0;
  bool complete() const { return done_count == static_cast<long long>(runs.size()); }
  std::vector<TrainOutcome> outcomes(double margin) const;  // complete results only
};

// Throws InputError for a checkpoint of another campaign, or when the fault-free run
// itself diverges (a non-finite loss: the learning rate is too high).
TrainCampaignResults run_train_campaign(const TrainingSubject& start, const TrainCampaignSpec& spec,
                                        const TrainCampaignRunOptions& options);

}  // namespace accsim
