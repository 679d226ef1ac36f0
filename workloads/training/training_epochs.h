#pragma once
// What every `accsim train` run shares, whatever the model (a layer chain or an ONNX
// graph): the seeded data order of an epoch, batches gathered in that order, the
// per-epoch history table and the stop rule.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "arch/hardware_fault.h"
#include "arch/tensor.h"
#include "workloads/io/table.h"
#include "workloads/training/training_run.h"

namespace accsim {

// Images order[first .. first + count) of `images` [n, c, h, w], in that order.
Tensor gather(const Tensor& images, const std::vector<int>& order, std::size_t first, std::size_t count);
std::vector<int> gather_labels(const std::vector<int>& labels, const std::vector<int>& order, std::size_t first,
                               std::size_t count);
std::vector<int> identity_order(int n);
// A seeded Fisher-Yates shuffle per epoch (0-based): no generator state to checkpoint.
// tools/python/graph_train_reference.py reproduces it.
std::vector<int> epoch_order(int n, std::uint64_t seed, int epoch);

const std::vector<ColumnSpec>& history_columns();
Table history_table(const std::vector<EpochRecord>& history);
// InputError naming the file when the group's columns are not the history's.
std::vector<EpochRecord> read_history(const std::string& file, const std::string& group);

bool stop_requested(const TrainingOptions& o, long long batches_this_call);
std::vector<HardwareFault> permanent_faults(const std::vector<HardwareFault>& faults);

}  // namespace accsim
