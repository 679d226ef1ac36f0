#pragma once
// A graph model as a campaign's training subject: an ONNX file (workload.model) or a
// built-in network as network_graph.h builds it. A step is what GraphTrainer
// (workloads/training/graph_trainer.h) does in `accsim train`: graph_gradients (forward,
// backward-data and backward-weight jobs, each tagged with its pass by its JobKind, so
// pass_recorder.h places transients and finds crashes as on a chain) and
// update_parameters, with the `training` block's batch size, optimiser, schedule and data
// order; BatchNorm running statistics follow the batches. Validation is inference.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/lr_schedule.h"
#include "kernels/optimizer.h"
#include "workloads/models/graph.h"
#include "workloads/train_campaign/training_data.h"
#include "workloads/train_campaign/training_subject.h"

namespace accsim {

// The model at a batch size (the graph's batch is static), with its starting parameters.
using GraphSource = std::function<Graph(int batch)>;

// A GraphSource's graphs, each made once and shared by a subject's clones (threads).
class GraphsByBatch {
 public:
  explicit GraphsByBatch(GraphSource source) : source_(std::move(source)) {}
  const Graph& at(int batch);

 private:
  GraphSource source_;
  std::mutex mutex_;
  std::map<int, Graph> graphs_;  // node-based: references stay valid while others are added
};

class GraphTrainingSubject : public TrainingSubject {
 public:
  // Parameters start from the source's initializers (set_parameters to change them before
  // the first step); the schedule spans `total_steps` (the campaign's steps).
  GraphTrainingSubject(std::string name, GraphSource source, const TrainingConfig& t, long long total_steps,
                       std::uint64_t seed, std::shared_ptr<const TrainingData> data);
  GraphTrainingSubject(const GraphTrainingSubject& other);  // the optimiser's state copied exactly
  std::unique_ptr<TrainingSubject> clone() const override;
  SubjectStep train_step(long long step, Engine& engine) override;
  int step_batch(long long step) const override;
  long long validation_correct(Engine& engine) const override;
  int validation_images() const override;
  std::string name() const override { return name_; }

  const Graph& model() const { return graphs_->at(1); }
  const std::map<std::string, Tensor>& parameters() const { return parameters_; }
  void set_parameters(std::map<std::string, Tensor> p);  // the same names and shapes

 private:
  const Graph& graph(int batch) const;  // the model at `batch` with the current parameters and state

  std::string name_;
  std::shared_ptr<GraphsByBatch> graphs_;
  TrainingConfig config_;
  std::vector<std::string> names_;  // trainable parameters, the optimiser's order
  std::map<std::string, Tensor> parameters_, state_;
  std::unique_ptr<Optimizer> optimizer_;
  LrSchedule schedule_;
  std::uint64_t seed_;
  std::shared_ptr<const TrainingData> data_;
  mutable std::map<int, Graph> working_;  // this subject's copies (one thread uses a subject at a time)
};

}  // namespace accsim
