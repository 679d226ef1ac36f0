#pragma once
// The outputs of a complete training-fault campaign (docs/outputs.md):
//   <out>      HDF5, format "accsim-train-campaign": the config and run attributes,
//              /experiments (one row per fault: where, when, outcome, final accuracies),
//              /runs and /reference (every run's curve, train_run_records.h),
//              /curve_steps, /summary (train_campaign_summary.h)
//   <out>.csv  the summary table; <out>.png its rates with 95% intervals
// and the summary as text.
#include <ostream>
#include <string>

#include "workloads/io/output_format.h"
#include "workloads/io/table.h"
#include "workloads/run/run_config.h"
#include "workloads/train_campaign/train_campaign.h"

namespace accsim {

inline constexpr OutputFormat kTrainCampaignOutput{"accsim-train-campaign", 1};

// One row per experiment: index, site, kind, row, col, bit, step, pass, cycle, outcome,
// val_accuracy_faulty, val_accuracy_fault_free, crash_step, crash_pass.
Table experiments_table(const TrainCampaignResults& r, const std::vector<TrainOutcome>& outcomes);

// Writes <out> (results first, then the CSV and the plot); `notes` gets a failed plot's note.
// Returns the files written, for the report.
std::vector<std::string> write_train_campaign_outputs(const std::string& out_file, const RunConfig& rc,
                                                      const TrainCampaignSpec& spec, const TrainCampaignResults& r,
                                                      bool plot, std::ostream& notes);

// The summary: the reference accuracy, then outcome rates with 95% intervals per group.
void print_train_campaign_summary(std::ostream& out, const TrainCampaignResults& r, const Table& summary);

}  // namespace accsim
