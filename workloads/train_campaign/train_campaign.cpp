#include "workloads/train_campaign/train_campaign.h"

#include <filesystem>
#include <map>
#include <mutex>

#include "arch/input_error.h"
#include "workloads/experiments/available_cpus.h"
#include "workloads/experiments/checkpoint_header.h"
#include "workloads/experiments/distributed_runner.h"
#include "workloads/experiments/experiment_runner.h"
#include "workloads/run/engines.h"
#include "workloads/train_campaign/train_run_codec.h"
#include "workloads/train_campaign/train_run_records.h"

namespace accsim {

namespace {

constexpr const char* kCheckpointFormat = "accsim-train-campaign-checkpoint";
constexpr int kCheckpointVersion = 1;

// Steps [0, first) fault-free: the prefix every run continues from.
std::unique_ptr<TrainingSubject> train_prefix(const TrainingSubject& start, long long first, Engine& healthy) {
  std::unique_ptr<TrainingSubject> s = start.clone();
  for (long long step = 0; step < first; ++step) {
    const SubjectStep r = s->train_step(step, healthy);
    if (r.non_finite)
      throw InputError("train-campaign: the fault-free training diverged (non-finite loss at step " +
                       std::to_string(step) + "): lower training.learning_rate");
  }
  return s;
}

// Step timelines by batch size, each recorded from one fault-free step on a copy.
class Timelines {
 public:
  Timelines(const TrainingSubject& prefix, Engine& healthy) : prefix_(prefix), healthy_(healthy) {}
  const std::vector<JobSpan>& of(long long step) {
    const int batch = prefix_.step_batch(step);
    auto it = by_batch_.find(batch);
    if (it != by_batch_.end()) return it->second;
    PassRecorder recorder(healthy_);
    prefix_.clone()->train_step(step, recorder);
    return by_batch_.emplace(batch, recorder.jobs()).first->second;
  }

 private:
  const TrainingSubject& prefix_;
  Engine& healthy_;
  std::map<int, std::vector<JobSpan>> by_batch_;
};

void write_checkpoint(const std::string& path, const std::string& key, const std::vector<TrainRunRecord>& runs,
                      const std::vector<char>& done, const TrainWindow& w) {
  ResultsFile h5(path);
  write_checkpoint_header(h5, kCheckpointFormat, kCheckpointVersion, key);
  write_run_records(h5, "/runs", runs, done, w);
  h5.commit();
}

void resume(const std::string& path, const std::string& key, TrainCampaignResults& r) {
  if (path.empty() || !std::filesystem::exists(path)) return;
  check_checkpoint_header(path, kCheckpointFormat, kCheckpointVersion, key, "train-campaign",
                          "the array, network, training or train_campaign keys, seed, model or dataset");
  r.runs = read_run_records(path, "/runs", r.runs.size(), r.window, r.done);
  for (char d : r.done) r.done_count += d;
  r.resumed = r.done_count;
}

}  // namespace

std::vector<TrainOutcome> TrainCampaignResults::outcomes(double margin) const {
  std::vector<TrainOutcome> o;
  for (const TrainRunRecord& run : runs) o.push_back(classify(run, reference, validation_images, margin));
  return o;
}

TrainCampaignResults run_train_campaign(const TrainingSubject& start, const TrainCampaignSpec& spec,
                                        const TrainCampaignRunOptions& options) {
  const TrainCampaignConfig& c = spec.config;
  const PeFaults none;
  const auto healthy = make_engine("fast", spec.array, none, resolve_threads(c.threads));
  TrainCampaignResults r;
  r.window = {c.first_fault_step, c.steps, curve_steps(c.first_fault_step, c.steps, c.curve_every)};
  r.validation_images = start.validation_images();
  const std::unique_ptr<TrainingSubject> prefix = train_prefix(start, c.first_fault_step, *healthy);
  Timelines timelines(*prefix, *healthy);
  for (long long i = 0; i < c.experiments; ++i)
    r.faults.push_back(draw_train_fault(c, spec.array, spec.seed, i, [&](long long s) -> const std::vector<JobSpan>& {
      return timelines.of(s);
    }));
  r.runs.resize(r.faults.size());
  r.done.assign(r.faults.size(), 0);
  resume(options.checkpoint, spec.key, r);
  r.reference = run_faulty_training(*prefix, nullptr, spec.array, r.window, resolve_threads(c.threads));
  if (r.reference.crash_step >= 0)
    throw InputError("train-campaign: the fault-free training diverged (non-finite loss at step " +
                     std::to_string(r.reference.crash_step) + "): lower training.learning_rate");

  const std::vector<std::size_t> pending = pending_experiments(r.done, options.max_experiments);
  ExperimentRunnerOptions ro;
  ro.threads = worker_count(c.threads, pending.size());
  ro.checkpoint_seconds = c.checkpoint_seconds;
  ro.stop = options.stop;
  ro.progress = options.progress;
  auto run = [&](const std::vector<std::size_t>& indices) -> std::function<void()> {
    std::vector<TrainRunRecord> recs;
    for (std::size_t i : indices) recs.push_back(run_faulty_training(*prefix, &r.faults[i], spec.array, r.window));
    return [&r, indices, recs = std::move(recs)]() mutable {
      for (std::size_t k = 0; k < indices.size(); ++k) r.runs[indices[k]] = std::move(recs[k]);
    };
  };
  std::function<std::function<void()>()> checkpoint;
  if (!options.checkpoint.empty())
    checkpoint = [&]() -> std::function<void()> {
      return [path = options.checkpoint, key = spec.key, runs = r.runs, done = r.done, w = r.window] {
        write_checkpoint(path, key, runs, done, w);
      };
    };
  // Over the MPI ranks when started by mpirun (docs/scale_out.md).
  r.done_count += run_distributed(pending, r.done, run, checkpoint, train_run_codec(r.runs), ro);
  return r;
}

}  // namespace accsim
