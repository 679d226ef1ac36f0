#include "workloads/train_campaign/train_campaign_setup.h"

#include <algorithm>

#include "arch/input_error.h"
#include "workloads/experiments/key_hasher.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/memory_limit.h"
#include "workloads/models/model_file.h"
#include "workloads/models/network_graph.h"
#include "workloads/models/onnx_import.h"
#include "workloads/models/relu_clip.h"
#include "workloads/train_campaign/graph_training_subject.h"
#include "workloads/training/graph_init.h"
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
  if (!rc.workload.model.empty()) h.file(rc.workload.model), h.str(t.init);  // absent before models: old keys hold
  return h.hex();
}

NetworkParameters network_parameters(const RunConfig& rc, const TrainCampaignConfig& c) {
  const Network& net = rc.workload.network;
  return c.model.empty() ? init_parameters(net, rc.seed) : read_parameters(c.model, net);
}

void check_model(const RunConfig& rc, const TrainCampaignConfig& c) {
  if (!c.model.empty())
    throw InputError(rc.file + ": train_campaign.model: a parameter file belongs to a network; workload.model " +
                     rc.workload.model + " carries its own (training.init: \"onnx\", \"seeded\" or \"kaiming\")");
  const Graph& g = *rc.workload.graph;
  if (g.inputs.size() != 1 || g.inputs[0].shape.size() != 4 ||
      !std::equal(g.inputs[0].shape.begin() + 1, g.inputs[0].shape.end(), std::vector<int>{1, 28, 28}.begin()))
    throw InputError(rc.file + ": workload.model: accsim train-campaign needs a model with one input [batch, 1, 28, "
                               "28] (Fashion-MNIST), " + rc.workload.model + " has another");
}

std::unique_ptr<TrainingSubject> model_subject(const RunConfig& rc, const TrainCampaignConfig& c) {
  check_model(rc, c);
  GraphSource source = [model = rc.workload.model, clip = rc.mitigations.clip](int batch) {
    Graph g = load_onnx_model(model, batch);
    set_relu_clips(g, clip);
    return g;
  };
  auto s = std::make_unique<GraphTrainingSubject>(rc.workload.graph->name, std::move(source), rc.training, c.steps,
                                                  rc.seed, load_training_data(rc.workload.dataset_dir, rc.training));
  if (is_seeded_init(rc.training.init)) s->set_parameters(seeded_parameters(s->model(), rc.seed, rc.training.init));
  return s;
}

std::unique_ptr<TrainingSubject> network_subject(const RunConfig& rc, const TrainCampaignConfig& c) {
  GraphSource source = [net = rc.workload.network, params = network_parameters(rc, c)](int batch) {
    return network_graph(net, params, batch);
  };
  return std::make_unique<GraphTrainingSubject>(rc.workload.network.name, std::move(source), rc.training, c.steps,
                                                rc.seed, load_training_data(rc.workload.dataset_dir, rc.training));
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

std::unique_ptr<TrainingSubject> training_subject(const RunConfig& rc, const TrainCampaignConfig& c) {
  return rc.workload.model.empty() ? network_subject(rc, c) : model_subject(rc, c);
}

}  // namespace accsim
