#include "workloads/training/training_progress.h"

#include <cstdint>
#include <cstdio>

#include "workloads/training/training_epochs.h"

namespace accsim {

void TrainingProgress::add_batch(const StepResult& r, int images) {
  loss_sum += r.loss.loss * images;
  correct += r.loss.correct;
  nonfinite_batches += r.loss.non_finite;
  cycles += r.cycles;
  ++batches_done;
}

EpochRecord TrainingProgress::finish_epoch(int epoch, int images) {
  EpochRecord rec;
  rec.epoch = epoch + 1;
  rec.train_loss = loss_sum / images;
  rec.train_accuracy = static_cast<double>(correct) / images;
  rec.nonfinite_batches = nonfinite_batches;
  rec.cycles = cycles;
  batches_done = 0, loss_sum = 0.0, correct = 0, nonfinite_batches = 0, cycles = 0;
  return rec;
}

void write_training_progress(ResultsFile& h5, const TrainingProgress& p) {
  h5.set_attribute("/", "epochs_done", p.epochs_done);
  h5.set_attribute("/", "cycle", static_cast<std::int64_t>(p.cycle));
  h5.set_attribute("/", "batches_done", p.batches_done);
  h5.set_attribute("/", "epoch_loss_sum", p.loss_sum);
  h5.set_attribute("/", "epoch_correct", static_cast<std::int64_t>(p.correct));
  h5.set_attribute("/", "epoch_nonfinite_batches", static_cast<std::int64_t>(p.nonfinite_batches));
  h5.set_attribute("/", "epoch_cycles", static_cast<std::int64_t>(p.cycles));
  h5.write_table("/history", history_table(p.history));
}

TrainingProgress read_training_progress(const std::string& file) {
  TrainingProgress p;
  p.epochs_done = static_cast<int>(read_int64_attribute(file, "/", "epochs_done"));
  p.cycle = read_int64_attribute(file, "/", "cycle");
  p.batches_done = static_cast<int>(read_int64_attribute(file, "/", "batches_done"));
  p.loss_sum = read_double_attribute(file, "/", "epoch_loss_sum");
  p.correct = read_int64_attribute(file, "/", "epoch_correct");
  p.nonfinite_batches = read_int64_attribute(file, "/", "epoch_nonfinite_batches");
  p.cycles = read_int64_attribute(file, "/", "epoch_cycles");
  p.history = read_history(file, "/history");
  return p;
}

std::string epoch_line(const EpochRecord& rec) {
  char line[256];
  std::snprintf(line, sizeof line,
                "epoch %3d  loss %.4f  train acc %.4f (faulty)  val acc %.4f faulty, %.4f fault-free  "
                "nan/inf batches %lld  cycles %lld\n",
                rec.epoch, rec.train_loss, rec.train_accuracy, rec.val_accuracy_faulty, rec.val_accuracy_fault_free,
                rec.nonfinite_batches, rec.cycles);
  return line;
}

}  // namespace accsim
