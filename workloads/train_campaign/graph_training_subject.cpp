#include "workloads/train_campaign/graph_training_subject.h"

#include <algorithm>
#include <stdexcept>

#include "kernels/optimizer_table.h"
#include "workloads/models/graph_runner.h"
#include "workloads/training/graph_backward.h"
#include "workloads/training/graph_trainer.h"
#include "workloads/training/training_batches.h"

namespace accsim {

namespace {

std::vector<ParameterSpec> specs_of(const std::vector<std::string>& names, const std::map<std::string, Tensor>& p) {
  std::vector<ParameterSpec> specs;
  for (const auto& name : names) specs.push_back({name, p.at(name).shape()});
  return specs;
}

}  // namespace

const Graph& GraphsByBatch::at(int batch) {
  const std::lock_guard<std::mutex> lock(mutex_);
  auto it = graphs_.find(batch);
  if (it == graphs_.end()) it = graphs_.emplace(batch, source_(batch)).first;
  return it->second;
}

GraphTrainingSubject::GraphTrainingSubject(std::string name, GraphSource source, const TrainingConfig& t,
                                           long long total_steps, std::uint64_t seed,
                                           std::shared_ptr<const TrainingData> data)
    : name_(std::move(name)),
      graphs_(std::make_shared<GraphsByBatch>(std::move(source))),
      config_(t),
      schedule_(t.schedule, t.optimizer.lr, total_steps),
      seed_(seed),
      data_(std::move(data)) {
  const Graph& g = graphs_->at(1);
  names_ = trainable_parameters(g);
  for (const auto& n : names_) parameters_[n] = g.initializers.at(n);
  // Initializers neither trained nor constant are state (BatchNormalization's running statistics).
  for (const auto& [n, v] : g.initializers)
    if (!parameters_.count(n) && !g.constants.count(n)) state_[n] = v;
  optimizer_ = make_optimizer(t.optimizer, specs_of(names_, parameters_));
}

GraphTrainingSubject::GraphTrainingSubject(const GraphTrainingSubject& other)
    : name_(other.name_),
      graphs_(other.graphs_),
      config_(other.config_),
      names_(other.names_),
      parameters_(other.parameters_),
      state_(other.state_),
      optimizer_(make_optimizer(other.config_.optimizer, specs_of(names_, parameters_))),
      schedule_(other.schedule_),
      seed_(other.seed_),
      data_(other.data_) {
  optimizer_->load_state(other.optimizer_->state());
  optimizer_->set_learning_rate(other.optimizer_->learning_rate());
}

std::unique_ptr<TrainingSubject> GraphTrainingSubject::clone() const {
  return std::make_unique<GraphTrainingSubject>(*this);
}

void GraphTrainingSubject::set_parameters(std::map<std::string, Tensor> p) {
  for (const auto& [n, v] : parameters_)
    if (!p.count(n) || p.at(n).shape() != v.shape())
      throw std::invalid_argument("GraphTrainingSubject: no parameter " + n + " shaped " + v.shape_string());
  parameters_ = std::move(p);
}

const Graph& GraphTrainingSubject::graph(int batch) const {
  auto it = working_.find(batch);
  if (it == working_.end()) it = working_.emplace(batch, graphs_->at(batch)).first;
  for (const auto* values : {&parameters_, &state_})
    for (const auto& [n, v] : *values) it->second.initializers[n] = v;
  return it->second;
}

int GraphTrainingSubject::step_batch(long long step) const {
  return step_batch_size(*data_, config_.batch_size, step);
}

SubjectStep GraphTrainingSubject::train_step(long long step, Engine& engine) {
  const StepBatch b = step_batch_data(*data_, config_.batch_size, seed_, step);
  optimizer_->set_learning_rate(schedule_.at(optimizer_->steps()));  // a function of the step, as in accsim train
  GraphGradients g = graph_gradients(graph(b.images.dim(0)), b.images, b.labels, engine);  // from run cycle 0
  update_parameters(*optimizer_, names_, parameters_, g.parameters);
  for (auto& [n, v] : g.state) state_[n] = std::move(v);
  return {g.loss.loss, g.loss.non_finite};
}

long long GraphTrainingSubject::validation_correct(Engine& engine) const {
  const LabelledImages& v = data_->validation;
  const int n = v.images.dim(0), batch = config_.eval_batch;
  const std::vector<int> order = identity_order(n);
  long long correct = 0;
  for (int first = 0; first < n; first += batch) {
    const int count = std::min(batch, n - first);
    const Tensor images = gather(v.images, order, static_cast<std::size_t>(first), static_cast<std::size_t>(count));
    const GraphRun run = run_graph(graph(count), images, engine, false);
    const Tensor logits = run.outputs[0].reshaped({count, static_cast<int>(run.outputs[0].size() / count)});
    const std::vector<int> labels(v.labels.begin() + first, v.labels.begin() + first + count);
    correct += softmax_cross_entropy(logits, labels).correct;
  }
  return correct;
}

int GraphTrainingSubject::validation_images() const { return data_->validation.images.dim(0); }

}  // namespace accsim
