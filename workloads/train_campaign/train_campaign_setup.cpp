#include "workloads/train_campaign/train_campaign_setup.h"

#include "arch/input_error.h"
#include "workloads/experiments/key_hasher.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/memory_limit.h"
#include "workloads/models/model_file.h"
#include "workloads/train_campaign/chain_training_subject.h"
#include "workloads/training/training_key.h"

namespace accsim {

namespace {

// Everything the results depend on, and nothing else (not thread counts).
std::string campaign_key(const RunConfig& rc, const TrainCampaignConfig& c) {
  const TrainingConfig& t = rc.training;
  KeyHasher h;
  h.str("accsim train-campaign key 2");  // 2: optimiser and schedule
  h.str(resume_key_text(rc.json_text, result_independent_keys()));
  h.u64(rc.seed);
  for (long long v : {static_cast<long long>(t.batch_size), static_cast<long long>(t.train_limit),
                      static_cast<long long>(t.validation_size)})
    h.i64(v);
  hash_optimizer_settings(h, t);
  for (const std::string& f : fashion_mnist_files(rc.workload.dataset_dir)) h.file(f);
  if (!c.model.empty()) h.file(c.model);
  return h.hex();
}

}  // namespace

TrainCampaignSpec train_campaign_spec(const RunConfig& rc) {
  if (rc.train_campaign.is_null())
    throw InputError(rc.file + ": train_campaign: required key is missing (accsim train-campaign needs a "
                               "\"train_campaign\" object, docs/training.md)");
  if (!rc.faults.empty())
    throw InputError(rc.file + ": faults: a training-fault campaign draws its own fault per experiment; remove "
                               "\"faults\" (or leave it empty)");
  TrainCampaignSpec s;
  s.config = parse_train_campaign_config(rc.train_campaign, rc.file, rc.array);
  const TrainCampaignConfig& c = s.config;
  // Every run's curves stay in memory (and are copied for each checkpoint): loss floats
  // and two counts per curve point.
  const double points = c.curve_every > 0 ? static_cast<double>(c.steps) / static_cast<double>(c.curve_every) + 1 : 1;
  check_memory(2.0 * static_cast<double>(c.experiments + 1) *
                   (4.0 * static_cast<double>(c.steps - c.first_fault_step) + 16.0 * points),
               rc.file + ": train_campaign: experiments x steps (every run's curves)");
  s.array = rc.array;
  s.seed = rc.seed;
  s.key = campaign_key(rc, s.config);
  return s;
}

std::unique_ptr<TrainingSubject> chain_subject(const RunConfig& rc, const TrainCampaignConfig& c) {
  const Network& net = rc.workload.network;
  NetworkParameters params = c.model.empty() ? init_parameters(net, rc.seed) : read_parameters(c.model, net);
  return std::make_unique<ChainTrainingSubject>(net, std::move(params), rc.training, c.steps, rc.seed,
                                                load_training_data(rc.workload.dataset_dir, rc.training));
}

}  // namespace accsim
