#pragma once
// A campaign's summary: SDC and crash rates with 95% Wilson score intervals, overall and
// broken down by fault site, kind and bit; printed as a table and written to HDF5 with
// every experiment's fault, outcome, counts and propagation trace (docs/campaign.md).
#include <ostream>
#include <string>
#include <vector>

#include "workloads/campaign/campaign_types.h"
#include "workloads/mitigations/mitigation_report.h"
#include "workloads/io/results_file.h"
#include "workloads/experiments/wilson_interval.h"

namespace accsim {

struct RateRow {
  std::string group;  // "all", a site, a kind or "bit N"
  long long experiments = 0, masked = 0, sdc = 0, crash = 0;
  Interval sdc_ci, crash_ci;  // 95% Wilson score intervals
  double sdc_rate() const { return experiments ? static_cast<double>(sdc) / static_cast<double>(experiments) : 0.0; }
  double crash_rate() const {
    return experiments ? static_cast<double>(crash) / static_cast<double>(experiments) : 0.0;
  }
};

struct CampaignSummary {
  RateRow overall;
  std::vector<RateRow> by_site, by_kind, by_bit;  // one row per configured site / kind / bit
  std::vector<int> bits;                          // the bits of by_bit's rows
  std::vector<MitigationRow> mitigations;         // one row per mitigation variant
};

// Over the finished experiments of `results`.
CampaignSummary summarize_campaign(const CampaignResults& results, const CampaignConfig& config);

// The rate tables; with mitigation variants, the "mitigations" table after them.
void print_campaign_summary(std::ostream& out, const CampaignSummary& summary, const CampaignResults& results);

// One row per experiment of `rows`: <group>/site, kind, row, col, bit, cycle, layer_index,
// outcome, outcome_name, correct_to_wrong, nonfinite_images, trace [rows x columns],
// image, golden_top1, faulty_top1, margin, nonfinite_node_index (docs/outputs.md).
void write_experiment_records(ResultsFile& h5, const std::string& group, const std::vector<const ExperimentResult*>& rows,
                              std::size_t columns);

// One row per finished experiment (`<out>.csv`): experiment, site, kind, row, col, bit,
// cycle, layer (the struck trace column's name, "" none), outcome, correct_to_wrong,
// nonfinite_images, image, golden_top1, faulty_top1, margin, nonfinite_node (a name, "" none).
Table campaign_csv_table(const CampaignResults& results);

// /experiments/*, /layers, /summary/*, /golden/*, /mitigations/* and the root attributes
// (docs/campaign.md).
void write_campaign_results(ResultsFile& h5, const Campaign& campaign, const CampaignResults& results,
                            const CampaignSummary& summary);

}  // namespace accsim
