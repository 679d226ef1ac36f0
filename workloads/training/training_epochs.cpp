#include "workloads/training/training_epochs.h"

#include <cstdio>

#include "arch/input_error.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/plot_script.h"
#include "workloads/io/results_file.h"

namespace accsim {

std::vector<int> gather_labels(const std::vector<int>& labels, const std::vector<int>& order, std::size_t first,
                               std::size_t count) {
  std::vector<int> out(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = labels[static_cast<std::size_t>(order[first + i])];
  return out;
}

const std::vector<ColumnSpec>& history_columns() {
  static const std::vector<ColumnSpec> columns = {{"epoch", CellType::integer, ""},
                                                  {"train_loss", CellType::real, ""},
                                                  {"train_accuracy", CellType::real, "fraction"},
                                                  {"val_accuracy_faulty", CellType::real, "fraction"},
                                                  {"val_accuracy_fault_free", CellType::real, "fraction"},
                                                  {"nonfinite_batches", CellType::integer, ""},
                                                  {"cycles", CellType::integer, "cycles"}};
  return columns;
}

Table history_table(const std::vector<EpochRecord>& history) {
  Table t(history_columns());
  for (const auto& e : history)
    t.add_row({e.epoch, e.train_loss, e.train_accuracy, e.val_accuracy_faulty, e.val_accuracy_fault_free,
               e.nonfinite_batches, e.cycles});
  return t;
}

std::vector<EpochRecord> read_history(const std::string& file, const std::string& group) {
  const ResultsTable t = read_table(file, group);
  std::vector<std::string> names;
  for (const ColumnSpec& c : history_columns()) names.push_back(c.name);
  if (t.column_names != names) throw InputError(file + ": " + group + " has unexpected columns");
  std::vector<EpochRecord> history;
  for (std::size_t i = 0; i < t.columns[0].size(); ++i) {
    EpochRecord e;
    e.epoch = static_cast<int>(t.columns[0][i]);
    e.train_loss = t.columns[1][i];
    e.train_accuracy = t.columns[2][i];
    e.val_accuracy_faulty = t.columns[3][i];
    e.val_accuracy_fault_free = t.columns[4][i];
    e.nonfinite_batches = static_cast<long long>(t.columns[5][i]);
    e.cycles = static_cast<long long>(t.columns[6][i]);
    history.push_back(e);
  }
  return history;
}

void report_finished_run(const TrainingOptions& o, const TrainingResult& result, int test_images,
                         const std::string& title, std::ostream& out, std::ostream& progress) {
  char line[160];
  std::snprintf(line, sizeof line, "test accuracy %.4f on the faulty array, %.4f fault-free (%d images)\n",
                result.test_accuracy_faulty, result.test_accuracy_fault_free, test_images);
  out << line << "results: " << o.out_file << ", " << csv_path(o.out_file);
  if (o.plot && draw_plot("plot_training.py", {csv_path(o.out_file), png_path(o.out_file), title}, progress))
    out << ", " << png_path(o.out_file);
  out << "\n";
  discard_checkpoint(o.out_file);
}

bool stop_requested(const TrainingOptions& o, long long batches_this_call) {
  return (o.stop && o.stop->load()) || (o.stop_after_batches > 0 && batches_this_call >= o.stop_after_batches);
}

std::vector<HardwareFault> permanent_faults(const std::vector<HardwareFault>& faults) {
  std::vector<HardwareFault> p;
  for (const auto& f : faults)
    if (f.permanent()) p.push_back(f);
  return p;
}

}  // namespace accsim
