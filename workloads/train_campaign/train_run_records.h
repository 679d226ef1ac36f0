#pragma once
// Every run's curve of a training-fault campaign as fixed-shape HDF5 datasets under one
// group, the same in the checkpoint and in the results (docs/outputs.md):
//   loss                 float32 [runs, steps - first_fault_step]  NaN where not run
//   correct_faulty       int64 [runs, curve points]  validation images right, faulty array; -1 not run
//   correct_fault_free   int64 [runs, curve points]  the same on a fault-free array
//   crash_step           int64 [runs]   -1: none
//   crash_pass           int64 [runs]   Pass of the first non-finite job output, -1: none
//   done                 uint8 [runs]
#include <string>
#include <vector>

#include "workloads/io/results_file.h"
#include "workloads/train_campaign/faulty_training.h"

namespace accsim {

void write_run_records(ResultsFile& h5, const std::string& group, const std::vector<TrainRunRecord>& runs,
                       const std::vector<char>& done, const TrainWindow& window);

// Reads what write_run_records wrote; InputError naming the file when the shapes differ
// from `window`'s and `runs` rows.
std::vector<TrainRunRecord> read_run_records(const std::string& file, const std::string& group, std::size_t runs,
                                             const TrainWindow& window, std::vector<char>& done);

}  // namespace accsim
