#pragma once
// The mitigation variants of a campaign, summarised: per variant the SDC, crash and DUE
// rates with 95% Wilson score intervals, how often a check detected the fault, the
// recovery against the unprotected run on the same faults, and what the variant costs
// (cycles of its fault-free runs, storage of protected bits). Printed as the
// "mitigations" table and written to HDF5 under /mitigations (docs/campaign.md).
#include <ostream>
#include <string>
#include <vector>

#include "workloads/campaign/campaign_types.h"
#include "workloads/io/results_file.h"
#include "workloads/experiments/wilson_interval.h"

namespace accsim {

struct MitigationRow {
  std::string name, description;
  long long experiments = 0, masked = 0, sdc = 0, crash = 0, due = 0;
  long long detected = 0, corrected = 0;
  long long unprotected_failures = 0;  // SDC + crash of the unprotected run on the same experiments
  long long due_unprotected_masked = 0;  // DUEs whose fault the unprotected run masked (alarms on benign faults)
  long long correct_to_wrong = 0, unprotected_correct_to_wrong = 0;  // images, summed over experiments
  Interval sdc_ci, crash_ci, due_ci;
  // 1 - (SDC + crash) / unprotected (SDC + crash); NaN when the unprotected run has none.
  double recovery = 0.0;
  double cycle_overhead = 0.0;        // its fault-free runs' cycles / the unprotected ones' - 1
  double check_overhead = 0.0;        // CheckStats::overhead() of its fault-free checked runs
  double reexecution_overhead = 0.0;  // check variants: mean over experiments of faulty / fault-free checked cycles - 1
  double storage_overhead = 0.0;      // protected bits / word bits
  bool check = false;
  long long check_jobs = 0, false_positives = 0;  // jobs and detections of the fault-free checked runs
  long long golden_correct = 0;

  double rate(long long count) const {
    return experiments ? static_cast<double>(count) / static_cast<double>(experiments) : 0.0;
  }
};

// One row per variant, over the finished experiments of `results`.
std::vector<MitigationRow> summarize_mitigations(const CampaignResults& results);

// The "mitigations" table (nothing without variants).
void print_mitigation_summary(std::ostream& out, const std::vector<MitigationRow>& rows, const CampaignResults& results);

// /mitigations/* (nothing without variants).
void write_mitigation_results(ResultsFile& h5, const CampaignResults& results, const std::vector<MitigationRow>& rows);

}  // namespace accsim
