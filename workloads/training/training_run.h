#pragma once
// `accsim train`: trains a network on Fashion-MNIST on the simulated array with the
// config's faults active in every pass, and records per epoch the training loss and
// accuracy (faulty array), the validation accuracy on the faulty array and on a
// fault-free one, NaN/Inf events and array cycles. The run checkpoints after every
// epoch (run_checkpoint.h), and inside an epoch when it is stopped (`stop`: SIGINT,
// SIGTERM); a rerun of the same config resumes from the checkpoint and ends with
// bit-identical results, on any number of threads (training.threads).
// Every model trains as a graph (GraphTrainer, graph_trainer.h): an ONNX model
// (workload.model) as imported, a built-in or config network as network_graph.h builds it,
// bit for bit as its layer chain would train. The parameters start from the file's
// initializers or, with training.init "seeded", from graph_init.h; a network's from
// init_parameters(net, seed). The checkpoint holds the parameters, the optimizer's state,
// the running statistics and the position in the seeded data order.
#include <atomic>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "workloads/experiments/progress_meter.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/training/training_inputs.h"

namespace accsim {

struct EpochRecord {
  int epoch = 0;                       // 1-based
  double train_loss = 0.0;             // mean over the epoch's batches (NaN once a batch is non-finite)
  double train_accuracy = 0.0;         // on the faulty array, during training
  double val_accuracy_faulty = 0.0;    // validation split, array with the permanent faults
  double val_accuracy_fault_free = 0.0;
  long long nonfinite_batches = 0;     // batches whose logits held NaN or Inf
  long long cycles = 0;                // array cycles of the epoch's training jobs
};

struct TrainingResult {
  std::vector<EpochRecord> epochs;
  double test_accuracy_faulty = 0.0, test_accuracy_fault_free = 0.0;
  int resumed_from_epoch = 0;  // epochs loaded from a checkpoint
  bool complete = false;       // false: stopped, the checkpoint holds the run so far
  int stopped_epoch = 0, stopped_batch = 0;  // when stopped: batches done of this 1-based epoch
};

struct TrainingOptions {
  std::string engine = "fast";
  std::string out_file;        // results HDF5; the CSV, PNG and checkpoint sit next to it
  std::uint64_t seed = 1;
  bool plot = true;            // write the PNG (matplotlib from Debian)
  int stop_after_epochs = 0;   // > 0: return after this many epochs of this call (tests kill a run so)
  // Set (by a signal): checkpoint after the current batch and return incomplete.
  const std::atomic<bool>* stop = nullptr;
  long long stop_after_batches = 0;  // > 0: stop as `stop` would after this many batches of this call (tests)
  ProgressStyle progress = ProgressStyle::none;
};

// Progress lines go to `progress` (a bar when it is a terminal); per-epoch lines to `out`.
TrainingResult run_training(const TrainingInputs& inputs, const TrainingOptions& options, std::ostream& out,
                            std::ostream& progress);

std::string csv_path(const std::string& out_file);         // out with extension .csv
std::string png_path(const std::string& out_file);         // out with extension .png

}  // namespace accsim
