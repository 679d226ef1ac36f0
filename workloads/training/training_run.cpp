#include "workloads/training/training_run.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "arch/input_error.h"
#include "arch/random.h"
#include "kernels/lr_schedule.h"
#include "kernels/optimizer_table.h"
#include "workloads/experiments/available_cpus.h"
#include "workloads/experiments/key_hasher.h"
#include "workloads/run/engines.h"
#include "workloads/io/csv_writer.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/mitigations/fault_aware_pruning.h"
#include "workloads/models/inference.h"
#include "workloads/models/model_file.h"
#include "workloads/io/output_format.h"
#include "workloads/io/plot_script.h"
#include "workloads/io/run_attributes.h"
#include "workloads/training/graph_training_run.h"
#include "workloads/training/optimizer_state_file.h"
#include "workloads/training/trainer.h"
#include "workloads/training/training_epochs.h"
#include "workloads/training/training_batches.h"
#include "workloads/training/training_key.h"
#include "workloads/training/training_progress.h"
#include "workloads/run/workload_input.h"

namespace accsim {

namespace {

namespace fs = std::filesystem;

std::string with_extension(const std::string& file, const std::string& ext) {
  return fs::path(file).replace_extension(ext).string();
}

// Everything that decides the results, the dataset's bytes included, and nothing else (not
// thread counts): a checkpoint resumes only a run with the same key.
std::string run_key(const RunConfig& rc, const TrainingOptions& o) {
  const TrainingConfig& t = rc.training;
  KeyHasher h;
  h.str("accsim train key 3");  // 2: the dataset files are part of it; 3: optimiser and schedule
  h.str(resume_key_text(rc.json_text, result_independent_keys()));
  h.u64(o.seed);
  h.str(o.engine);
  hash_training_settings(h, t);
  for (const std::string& f : fashion_mnist_files(rc.workload.dataset_dir)) h.file(f);
  return h.hex();
}

double accuracy(const Network& net, const NetworkParameters& params, const LabelledImages& data, Engine& engine,
                int batch) {
  const int n = data.images.dim(0);
  const std::vector<int> order = identity_order(n);
  long long correct = 0;
  for (int first = 0; first < n; first += batch) {
    const int count = std::min(batch, n - first);
    const NetworkRun run = run_network(net, params, gather(data.images, order, static_cast<std::size_t>(first),
                                                           static_cast<std::size_t>(count)), engine);
    const std::vector<int> labels(data.labels.begin() + first, data.labels.begin() + first + count);
    correct += softmax_cross_entropy(run.logits, labels).correct;
  }
  return static_cast<double>(correct) / n;
}

struct Checkpoint : TrainingProgress {
  NetworkParameters params;
  OptimizerState optimizer;
};

void write_checkpoint(const std::string& file, const std::string& key, const Network& net, const Checkpoint& c) {
  ResultsFile h5(file);
  h5.set_attribute("/", "run_key", key);
  write_training_progress(h5, c);
  write_parameters(h5, net, c.params);
  write_optimizer_state(h5, c.optimizer);
  h5.commit();
}

Checkpoint read_checkpoint(const std::string& file, const std::string& key, const Network& net,
                           const OptimizerState& like) {
  if (read_string_attribute(file, "/", "run_key") != key)
    throw InputError(file + ": checkpoint of a different run (config, seed, engine, limits or the dataset's files "
                            "differ); delete it to start afresh or choose another --out");
  Checkpoint c;
  static_cast<TrainingProgress&>(c) = read_training_progress(file);
  c.params = read_parameters(file, net);
  c.optimizer = read_optimizer_state(file, like);
  return c;
}


}  // namespace

std::string csv_path(const std::string& out_file) { return with_extension(out_file, ".csv"); }
std::string png_path(const std::string& out_file) { return with_extension(out_file, ".png"); }

TrainingResult run_training(const RunConfig& rc, const TrainingOptions& o, std::ostream& out,
                            std::ostream& progress) {
  if (rc.workload.graph) return run_graph_training(rc, o, out, progress);  // an ONNX model
  check_output_path(o.out_file);
  const TrainingConfig& t = rc.training;
  const Network& net = rc.workload.network;
  const std::string& dir = rc.workload.dataset_dir;
  require_labelled_images(rc, "accsim train");
  const int train_part = kFashionMnistTrainImages - t.validation_size;
  const LabelledImages train = load_fashion_mnist(dir, DatasetSplit::train, 0, t.train_limit ? t.train_limit : train_part);
  const LabelledImages validation = load_fashion_mnist(dir, DatasetSplit::train, train_part, t.validation_size);
  const LabelledImages test = load_fashion_mnist(dir, DatasetSplit::test, 0, t.test_limit);

  const std::string key = run_key(rc, o);
  const std::string ckpt = checkpoint_path(o.out_file);
  Checkpoint state;
  state.params = init_parameters(net, o.seed);
  const std::unique_ptr<Optimizer> optimizer = make_optimizer(t.optimizer, Trainer::parameter_specs(net, state.params));
  TrainingResult result;
  if (fs::exists(ckpt)) {
    state = read_checkpoint(ckpt, key, net, optimizer->state());
    optimizer->load_state(state.optimizer);
    result.resumed_from_epoch = state.epochs_done;
    out << "resuming from " << ckpt << " after epoch " << state.epochs_done;
    if (state.batches_done > 0) out << " and " << state.batches_done << " batches of epoch " << state.epochs_done + 1;
    out << "\n";
  }

  const PeFaults faulty(rc.array, rc.faults), faulty_permanent(rc.array, permanent_faults(rc.faults)), healthy;
  const int threads = resolve_threads(t.threads);
  const auto train_engine = make_engine(o.engine, rc.array, faulty, threads);
  const auto eval_faulty = make_engine(o.engine, rc.array, faulty_permanent, threads);
  const auto eval_healthy = make_engine(o.engine, rc.array, healthy, threads);
  Trainer trainer(net, state.params, *train_engine);
  if (rc.mitigations.prune_faulty_weights) {
    const auto masks = pruning_masks(net, rc.array, rc.faults);
    if (state.epochs_done == 0 && state.batches_done == 0)
      out << "fault-aware pruning: " << apply_pruning(state.params, masks) << " weights held at zero\n";
    trainer.hold_at_zero(masks);
  }

  const int n = train.images.dim(0);
  const int batches = (n + t.batch_size - 1) / t.batch_size;
  const LrSchedule schedule(t.schedule, t.optimizer.lr, static_cast<long long>(t.epochs) * batches);
  int run_this_call = 0;
  ProgressMeter meter(progress, o.progress, "accsim: train");  // over every batch of every epoch
  meter.start(static_cast<long long>(state.epochs_done) * batches + state.batches_done,
              static_cast<long long>(t.epochs) * batches);
  long long batches_this_call = 0;
  for (int epoch = state.epochs_done; epoch < t.epochs; ++epoch) {
    if (o.stop_after_epochs > 0 && run_this_call == o.stop_after_epochs) break;
    const std::vector<int> order = epoch_order(n, o.seed, epoch);
    for (int b = state.batches_done; b < batches; ++b) {
      if (stop_requested(o, batches_this_call)) {
        state.optimizer = optimizer->state();
        write_checkpoint(ckpt, key, net, state);
        meter.finish();
        result.epochs = state.history;
        result.stopped_epoch = epoch + 1, result.stopped_batch = b;
        return result;
      }
      const int first = b * t.batch_size, count = std::min(t.batch_size, n - first);
      const Tensor images = gather(train.images, order, static_cast<std::size_t>(first), static_cast<std::size_t>(count));
      std::vector<int> labels(static_cast<std::size_t>(count));
      for (int i = 0; i < count; ++i) labels[static_cast<std::size_t>(i)] = train.labels[static_cast<std::size_t>(order[static_cast<std::size_t>(first + i)])];
      optimizer->set_learning_rate(schedule.at(optimizer->steps()));  // a function of the step: resumes exactly
      const StepResult r = trainer.train_step(images, labels, *optimizer, state.cycle);
      state.add_batch(r, count);
      ++batches_this_call;
      meter.update(static_cast<long long>(epoch) * batches + b + 1);
    }
    EpochRecord rec = state.finish_epoch(epoch, n);
    rec.val_accuracy_faulty = accuracy(net, state.params, validation, *eval_faulty, t.eval_batch);
    rec.val_accuracy_fault_free = accuracy(net, state.params, validation, *eval_healthy, t.eval_batch);
    state.history.push_back(rec);
    state.epochs_done = epoch + 1;
    state.optimizer = optimizer->state();
    write_checkpoint(ckpt, key, net, state);
    ++run_this_call;
    meter.clear();  // the epoch's line, then the bar again
    out << epoch_line(rec) << std::flush;
  }
  meter.finish();
  result.epochs = state.history;
  if (state.epochs_done < t.epochs) return result;  // stopped after an epoch: the checkpoint holds the run
  result.complete = true;

  result.test_accuracy_faulty = accuracy(net, state.params, test, *eval_faulty, t.eval_batch);
  result.test_accuracy_fault_free = accuracy(net, state.params, test, *eval_healthy, t.eval_batch);
  ResultsFile h5(o.out_file);
  write_output_format(h5, kTrainOutput);
  write_run_attributes(h5, rc, o.seed, o.engine);
  h5.set_attribute("/", "network", net.name);
  h5.set_attribute("/", "test_accuracy_faulty", result.test_accuracy_faulty);
  h5.set_attribute("/", "test_accuracy_fault_free", result.test_accuracy_fault_free);
  h5.set_attribute("/", "total_cycles", static_cast<std::int64_t>(state.cycle));
  std::vector<std::string> faults;
  for (const auto& f : rc.faults) faults.push_back(describe(f));
  h5.write_strings("/faults", faults);
  h5.write_table("/history", history_table(state.history));
  write_parameters(h5, net, state.params);
  h5.commit();
  write_csv(csv_path(o.out_file), history_table(state.history));
  report_finished_run(o, result, test.images.dim(0), fs::path(rc.file).stem().string() + " (" + net.name + ")", out,
                      progress);
  return result;
}

}  // namespace accsim
