#pragma once
// Where an `accsim train` run stands, whatever the model: epochs done, the run's cycle,
// the history and the epoch under way (the sums of its first batches_done batches). A
// checkpoint holds it besides the model's tensors and the optimiser's state, so a stop
// inside an epoch resumes to the same epoch record.
#include <string>
#include <vector>

#include "workloads/io/results_file.h"
#include "workloads/training/step_result.h"
#include "workloads/training/training_run.h"

namespace accsim {

struct TrainingProgress {
  int epochs_done = 0;
  long long cycle = 0;  // the run's timeline: where the next step's jobs start
  std::vector<EpochRecord> history;
  int batches_done = 0;
  double loss_sum = 0.0;
  long long correct = 0, nonfinite_batches = 0, cycles = 0;

  void add_batch(const StepResult& r, int images);
  // The epoch's record from its sums (validation left to the caller); the sums restart.
  EpochRecord finish_epoch(int epoch, int images);
};

// Root attributes and /history of a checkpoint.
void write_training_progress(ResultsFile& h5, const TrainingProgress& p);
TrainingProgress read_training_progress(const std::string& file);

// The line printed after each epoch.
std::string epoch_line(const EpochRecord& rec);

}  // namespace accsim
