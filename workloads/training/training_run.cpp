#include "workloads/training/training_run.h"

#include <cstdio>
#include <filesystem>

#include "arch/input_error.h"
#include "kernels/lr_schedule.h"
#include "kernels/optimizer_table.h"
#include "workloads/experiments/available_cpus.h"
#include "workloads/experiments/key_hasher.h"
#include "workloads/io/csv_writer.h"
#include "workloads/io/output_format.h"
#include "workloads/io/plot_script.h"
#include "workloads/io/results_file.h"
#include "workloads/io/run_attributes.h"
#include "workloads/mitigations/graph_pruning.h"
#include "workloads/models/model_file.h"
#include "workloads/models/network_graph.h"
#include "workloads/run/engines.h"
#include "workloads/run/workload_input.h"
#include "workloads/training/graph_init.h"
#include "workloads/training/graph_trainer.h"
#include "workloads/training/optimizer_state_file.h"
#include "workloads/training/training_epochs.h"
#include "workloads/training/training_key.h"
#include "workloads/training/training_progress.h"

namespace accsim {

namespace {

namespace fs = std::filesystem;

// Everything that decides the results (the model's and the dataset's bytes included) and
// nothing else: a checkpoint resumes only a run with the same key. A network's run has
// its own version (4: trained as its graph, the checkpoint holds the graph's parameters).
std::string with_extension(const std::string& file, const std::string& ext) {
  return fs::path(file).replace_extension(ext).string();
}

std::string run_key(const TrainingInputs& in, const TrainingOptions& o) {
  const TrainingConfig& t = in.training;
  const bool model = in.workload.graph != nullptr;
  KeyHasher h;
  h.str(model ? "accsim graph train key 2" : "accsim train key 4");  // graph 2: optimiser and schedule
  h.str(resume_key_text(in.json_text, result_independent_keys()));
  h.u64(o.seed);
  h.str(o.engine);
  if (model) h.str(t.init);
  hash_training_settings(h, t);
  if (model) h.file(in.workload.model);
  for (const std::string& f : fashion_mnist_files(in.workload.dataset_dir)) h.file(f);
  return h.hex();
}

using Progress = TrainingProgress;

void write_tensors(ResultsFile& h5, const std::string& group, const TensorMap& tensors) {
  std::size_t i = 0;
  for (const auto& [name, t] : tensors) h5.write_tensor(group + "/" + std::to_string(i++), t);
}

void read_tensors(const std::string& file, const std::string& group, TensorMap& tensors) {
  std::size_t i = 0;
  for (auto& [name, t] : tensors) {
    Tensor v = read_tensor(file, group + "/" + std::to_string(i++));
    if (v.shape() != t.shape()) throw InputError(file + ": " + group + ": " + name + " has another shape");
    t = std::move(v);
  }
}

void write_checkpoint(const std::string& file, const std::string& key, const Progress& p, GraphTrainer& trainer,
                      const Optimizer& optimizer) {
  ResultsFile h5(file);
  h5.set_attribute("/", "run_key", key);
  write_training_progress(h5, p);
  write_tensors(h5, "/parameters", trainer.parameters());
  write_tensors(h5, "/state", trainer.state());
  write_optimizer_state(h5, optimizer.state());
  h5.commit();
}

Progress read_checkpoint(const std::string& file, const std::string& key, GraphTrainer& trainer, Optimizer& optimizer) {
  if (read_string_attribute(file, "/", "run_key") != key)
    throw InputError(file + ": checkpoint of a different run (config, model, seed, engine, limits or the dataset's "
                            "files differ); delete it to start afresh or choose another --out");
  Progress p = read_training_progress(file);
  read_tensors(file, "/parameters", trainer.parameters());
  read_tensors(file, "/state", trainer.state());
  optimizer.load_state(read_optimizer_state(file, optimizer.state()));
  return p;
}

struct Data {
  LabelledImages train, validation, test;
};

Data load_data(const TrainingInputs& in) {
  const TrainingConfig& t = in.training;
  const std::string& dir = in.workload.dataset_dir;
  const int train_part = kFashionMnistTrainImages - t.validation_size;
  return {load_fashion_mnist(dir, DatasetSplit::train, 0, t.train_limit ? t.train_limit : train_part),
          load_fashion_mnist(dir, DatasetSplit::train, train_part, t.validation_size),
          load_fashion_mnist(dir, DatasetSplit::test, 0, t.test_limit)};
}

// The model as a graph: the ONNX file (its initializers or, with training.init "seeded"
// or "kaiming", graph_init.h) or the network (network_graph.h, init_parameters(net, seed) as ever).
GraphTrainer make_trainer(const TrainingInputs& in, std::uint64_t seed) {
  if (!in.workload.graph) {
    const Network& net = in.workload.network;  // its clip is the mitigations'
    return GraphTrainer([net, params = init_parameters(net, seed)](int batch) { return network_graph(net, params, batch); });
  }
  GraphTrainer trainer(in.workload.model, in.clip);
  if (is_seeded_init(in.training.init))
    trainer.parameters() = seeded_parameters(trainer.graph(1), seed, in.training.init);
  return trainer;
}

// InputError when the model does not take Fashion-MNIST.
void check_model(const TrainingInputs& in, GraphTrainer& trainer) {
  const Graph& g = trainer.graph(1);
  const std::string key = in.workload.graph ? "workload.model" : "workload.network";
  const std::string name = in.workload.graph ? in.workload.model : in.workload.network.name;
  if (g.inputs.size() != 1 || g.inputs[0].shape != std::vector<int>{1, 1, 28, 28})
    throw InputError(in.file + ": " + key + ": accsim train needs a model with one input [batch, 1, 28, 28] "
                                            "(Fashion-MNIST), " + name + " has another");
}

// Fault-aware pruning (mitigations.prune_faulty_weights): the weights a permanently faulty
// PE meets are zeroed (a fresh run only: a checkpoint holds them so) and held at zero.
void prune(const TrainingInputs& in, GraphTrainer& trainer, bool fresh, std::ostream& out) {
  if (!in.prune_faulty_weights) return;
  const PruningMasks masks = GraphPruning(in.array, trainer.graph(1)).masks(in.faults);
  if (fresh) {
    long long pruned = 0;
    for (const auto& [name, mask] : masks) {
      Tensor& t = trainer.parameters().at(name);
      for (std::size_t i = 0; i < mask.size(); ++i)
        if (mask[i]) t[i] = 0.0f, ++pruned;
    }
    out << "fault-aware pruning: " << pruned << " weights held at zero\n";
  }
  trainer.hold_at_zero(masks);
}

// A network's trained parameters as its layers hold them ([k, c, r, s] weights, model_file.h).
NetworkParameters network_parameters(const Network& net, const TensorMap& params) {
  NetworkParameters p = init_parameters(net, 0);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    p.weights[i] = params.at(net.layers[i].name + ".weight").reshaped(p.weights[i].shape());
    p.biases[i] = params.at(net.layers[i].name + ".bias");
  }
  return p;
}

struct Engines {
  PeFaults faulty, permanent, healthy;
  std::unique_ptr<Engine> train, eval_faulty, eval_healthy;
  Engines(const TrainingInputs& in, const std::string& engine)
      : faulty(in.array, in.faults), permanent(in.array, permanent_faults(in.faults)) {
    const int threads = resolve_threads(in.training.threads);
    train = make_engine(engine, in.array, faulty, threads);
    eval_faulty = make_engine(engine, in.array, permanent, threads);
    eval_healthy = make_engine(engine, in.array, healthy, threads);
  }
};

void write_results(const TrainingInputs& in, const TrainingOptions& o, const Progress& p, const TrainingResult& result,
                   GraphTrainer& trainer) {
  ResultsFile h5(o.out_file);
  write_output_format(h5, kTrainOutput);
  write_run_attributes(h5, in.file, in.json_text, o.seed, o.engine);
  h5.set_attribute("/", "network", trainer.graph(1).name);
  if (in.workload.graph) {
    h5.set_attribute("/", "model", in.workload.model);
    h5.set_attribute("/", "init", in.training.init);
  }
  h5.set_attribute("/", "test_accuracy_faulty", result.test_accuracy_faulty);
  h5.set_attribute("/", "test_accuracy_fault_free", result.test_accuracy_fault_free);
  h5.set_attribute("/", "total_cycles", static_cast<std::int64_t>(p.cycle));
  std::vector<std::string> faults;
  for (const auto& f : in.faults) faults.push_back(describe(f));
  h5.write_strings("/faults", faults);
  h5.write_table("/history", history_table(p.history));
  if (!in.workload.graph) write_parameters(h5, in.workload.network, network_parameters(in.workload.network, trainer.parameters()));
  else
    for (const auto* values : {&trainer.parameters(), &trainer.state()})
      for (const auto& [name, t] : *values) h5.write_tensor("/parameters/" + hdf5_group_name(name), t);
  h5.commit();
  write_csv(csv_path(o.out_file), history_table(p.history));
}

// One run's pieces, as the epoch loop needs them.
struct Run {
  const TrainingInputs& in;
  const TrainingOptions& o;
  GraphTrainer& trainer;
  Optimizer& optimizer;
  const LrSchedule& schedule;
  const Data& data;
  Engines& engines;
  ProgressMeter& meter;
  std::string key, ckpt;
  Progress p;
  long long batches_this_call = 0;
};

// The epoch's remaining batches; false when a stop came first (the checkpoint then holds them).
bool train_batches(Run& run, int epoch, TrainingResult& result) {
  const int batch_size = run.in.training.batch_size;
  const int n = run.data.train.images.dim(0), batches = (n + batch_size - 1) / batch_size;
  const std::vector<int> order = epoch_order(n, run.o.seed, epoch);
  Progress& p = run.p;
  for (int b = p.batches_done; b < batches; ++b) {
    if (stop_requested(run.o, run.batches_this_call)) {
      write_checkpoint(run.ckpt, run.key, p, run.trainer, run.optimizer);
      result.stopped_epoch = epoch + 1, result.stopped_batch = b;
      return false;
    }
    const auto first = static_cast<std::size_t>(b) * batch_size;
    const auto count = std::min(static_cast<std::size_t>(batch_size), n - first);
    run.optimizer.set_learning_rate(run.schedule.at(run.optimizer.steps()));  // a function of the step: resumes exactly
    const StepResult r =
        run.trainer.train_step(gather(run.data.train.images, order, first, count),
                               gather_labels(run.data.train.labels, order, first, count), *run.engines.train,
                               run.optimizer, p.cycle);
    p.add_batch(r, static_cast<int>(count));
    ++run.batches_this_call;
    run.meter.update(static_cast<long long>(epoch) * batches + b + 1);
  }
  return true;
}

void end_epoch(Run& run, int epoch, std::ostream& out) {
  const TrainingConfig& t = run.in.training;
  EpochRecord rec = run.p.finish_epoch(epoch, run.data.train.images.dim(0));
  rec.val_accuracy_faulty = run.trainer.accuracy(run.data.validation, *run.engines.eval_faulty, t.eval_batch);
  rec.val_accuracy_fault_free = run.trainer.accuracy(run.data.validation, *run.engines.eval_healthy, t.eval_batch);
  run.p.history.push_back(rec);
  run.p.epochs_done = epoch + 1;
  write_checkpoint(run.ckpt, run.key, run.p, run.trainer, run.optimizer);
  run.meter.clear();  // the epoch's line, then the bar again
  out << epoch_line(rec) << std::flush;
}

void resume(Run& run, TrainingResult& result, std::ostream& out) {
  if (!fs::exists(run.ckpt)) return;
  run.p = read_checkpoint(run.ckpt, run.key, run.trainer, run.optimizer);
  result.resumed_from_epoch = run.p.epochs_done;
  out << "resuming from " << run.ckpt << " after epoch " << run.p.epochs_done;
  if (run.p.batches_done > 0) out << " and " << run.p.batches_done << " batches of epoch " << run.p.epochs_done + 1;
  out << "\n";
}

void finish_run(Run& run, TrainingResult& result, std::ostream& out, std::ostream& progress) {
  const TrainingConfig& t = run.in.training;
  result.complete = true;
  result.test_accuracy_faulty = run.trainer.accuracy(run.data.test, *run.engines.eval_faulty, t.eval_batch);
  result.test_accuracy_fault_free = run.trainer.accuracy(run.data.test, *run.engines.eval_healthy, t.eval_batch);
  write_results(run.in, run.o, run.p, result, run.trainer);
  const std::string title = fs::path(run.in.file).stem().string() + " (" + run.trainer.graph(1).name + ")";
  report_finished_run(run.o, result, run.data.test.images.dim(0), title, out, progress);
}

}  // namespace

std::string csv_path(const std::string& out_file) { return with_extension(out_file, ".csv"); }
std::string png_path(const std::string& out_file) { return with_extension(out_file, ".png"); }

TrainingResult run_training(const TrainingInputs& in, const TrainingOptions& o, std::ostream& out,
                            std::ostream& progress) {
  check_output_path(o.out_file);
  const TrainingConfig& t = in.training;
  require_labelled_images(in.workload, in.file, "accsim train");
  GraphTrainer trainer = make_trainer(in, o.seed);
  check_model(in, trainer);
  const Data data = load_data(in);
  const std::unique_ptr<Optimizer> optimizer = make_optimizer(t.optimizer, trainer.parameter_specs());
  const long long batches = (data.train.images.dim(0) + t.batch_size - 1) / t.batch_size;
  const LrSchedule schedule(t.schedule, t.optimizer.lr, t.epochs * batches);
  Engines engines(in, o.engine);
  ProgressMeter meter(progress, o.progress, "accsim: train");  // over every batch of every epoch
  Run run{in, o, trainer, *optimizer, schedule, data, engines, meter, run_key(in, o), checkpoint_path(o.out_file), {}, 0};
  TrainingResult result;
  resume(run, result, out);
  prune(in, trainer, run.p.epochs_done == 0 && run.p.batches_done == 0, out);
  meter.start(run.p.epochs_done * batches + run.p.batches_done, t.epochs * batches);
  for (int epoch = run.p.epochs_done, this_call = 0; epoch < t.epochs; ++epoch, ++this_call) {
    if (o.stop_after_epochs > 0 && this_call == o.stop_after_epochs) break;
    if (!train_batches(run, epoch, result)) break;
    end_epoch(run, epoch, out);
  }
  meter.finish();
  result.epochs = run.p.history;
  if (run.p.epochs_done == t.epochs) finish_run(run, result, out, progress);
  return result;
}

}  // namespace accsim
