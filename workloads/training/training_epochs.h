#pragma once
// What every `accsim train` run shares, whatever the model (a layer chain or an ONNX
// graph), besides the data order (training_batches.h; tools/python/models/
// graph_train_reference.py reproduces it): labels gathered in that order, the per-epoch
// history table and the stop rule.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "arch/hardware_fault.h"
#include "arch/tensor.h"
#include "workloads/io/table.h"
#include "workloads/training/training_batches.h"
#include "workloads/training/training_run.h"

namespace accsim {

// Labels order[first .. first + count), as gather() takes their images.
std::vector<int> gather_labels(const std::vector<int>& labels, const std::vector<int>& order, std::size_t first,
                               std::size_t count);

const std::vector<ColumnSpec>& history_columns();
Table history_table(const std::vector<EpochRecord>& history);
// InputError naming the file when the group's columns are not the history's.
std::vector<EpochRecord> read_history(const std::string& file, const std::string& group);

bool stop_requested(const TrainingOptions& o, long long batches_this_call);

// The end of a complete run, its outputs written: the test accuracies and the files on
// `out`, the plot (titled `title`) drawn when asked, the checkpoint removed.
void report_finished_run(const TrainingOptions& o, const TrainingResult& result, int test_images,
                         const std::string& title, std::ostream& out, std::ostream& progress);
std::vector<HardwareFault> permanent_faults(const std::vector<HardwareFault>& faults);

}  // namespace accsim
