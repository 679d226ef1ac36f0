#include "workloads/mitigations/mitigation_report.h"

#include <cmath>
#include <cstdio>
#include <iomanip>
#include <limits>

#include "workloads/io/interval_text.h"

namespace accsim {

namespace {

std::string rate_text(long long count, long long experiments) {
  if (experiments == 0) return "-";
  return percent_interval_text(static_cast<double>(count) / static_cast<double>(experiments),
                               wilson_interval(count, experiments), 1);
}

std::string percent(double v, bool sign = false) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, sign ? "%+.1f%%" : "%.1f%%", 100.0 * v);
  return buf;
}

void print_line(std::ostream& out, const std::string& name, const std::string& runs, const std::string& sdc,
                const std::string& crash, const std::string& due, const std::string& detected,
                const std::string& recovery, const std::string& cycles, const std::string& storage) {
  out << std::left << std::setw(18) << name << std::right << std::setw(6) << runs << "   " << std::left << std::setw(22)
      << sdc << "  " << std::setw(22) << crash << "  " << std::setw(22) << due << std::right << std::setw(9)
      << detected << std::setw(10) << recovery << std::setw(9) << cycles << std::setw(9) << storage << "\n";
}

// One row per variant (docs/outputs.md): counts, rates with their intervals, overheads.
Table summary_table(const CampaignResults& r, const std::vector<MitigationRow>& rows) {
  const auto count = [](const char* name) { return ColumnSpec{name, CellType::integer, ""}; };
  const auto fraction = [](const char* name) { return ColumnSpec{name, CellType::real, "fraction"}; };
  Table t({count("experiments"), count("masked"), count("sdc"), count("crash"), count("due"), count("detected"),
           count("corrected"), fraction("sdc_rate"), fraction("sdc_lo"), fraction("sdc_hi"), fraction("crash_rate"),
           fraction("crash_lo"), fraction("crash_hi"), fraction("due_rate"), fraction("due_lo"), fraction("due_hi"),
           fraction("detected_rate"), fraction("recovery"), {"fault_free_cycles", CellType::integer, "cycles"},
           fraction("cycle_overhead"), fraction("check_overhead"), fraction("reexecution_overhead"),
           fraction("storage_overhead"), count("golden_correct"), count("false_positives"),
           count("due_unprotected_masked"), count("correct_to_wrong"), count("unprotected_correct_to_wrong")});
  for (std::size_t v = 0; v < rows.size(); ++v) {
    const MitigationRow& row = rows[v];
    t.add_row({row.experiments, row.masked, row.sdc, row.crash, row.due, row.detected, row.corrected,
               row.rate(row.sdc), row.sdc_ci.lo, row.sdc_ci.hi, row.rate(row.crash), row.crash_ci.lo, row.crash_ci.hi,
               row.rate(row.due), row.due_ci.lo, row.due_ci.hi, row.rate(row.detected), row.recovery,
               r.variants.at(v).cycles, row.cycle_overhead, row.check_overhead, row.reexecution_overhead,
               row.storage_overhead, row.golden_correct, row.false_positives, row.due_unprotected_masked,
               row.correct_to_wrong, row.unprotected_correct_to_wrong});
  }
  return t;
}

}  // namespace

std::vector<MitigationRow> summarize_mitigations(const CampaignResults& r) {
  std::vector<MitigationRow> rows(r.variants.size());
  std::vector<double> reexecution(r.variants.size(), 0.0);
  for (std::size_t v = 0; v < rows.size(); ++v) {
    const VariantBaseline& b = r.variants[v];
    MitigationRow& row = rows[v];
    row.name = b.name;
    row.description = b.description;
    row.cycle_overhead = r.cycles ? static_cast<double>(b.cycles) / static_cast<double>(r.cycles) - 1.0 : 0.0;
    row.check_overhead = b.check_overhead;
    row.storage_overhead = b.storage_overhead;
    row.check = b.check_jobs > 0;
    row.check_jobs = b.check_jobs;
    row.false_positives = b.check_detections;
    row.golden_correct = b.golden_correct;
  }
  for (std::size_t i = 0; i < r.experiments.size(); ++i) {
    if (!r.done[i]) continue;
    const ExperimentResult& e = r.experiments[i];
    const bool failed = e.outcome == Outcome::sdc || e.outcome == Outcome::crash;
    for (std::size_t v = 0; v < rows.size() && v < e.variants.size(); ++v) {
      const VariantResult& x = e.variants[v];
      MitigationRow& row = rows[v];
      ++row.experiments;
      row.masked += x.outcome == Outcome::masked;
      row.sdc += x.outcome == Outcome::sdc;
      row.crash += x.outcome == Outcome::crash;
      row.due += x.outcome == Outcome::due;
      row.detected += x.detected;
      row.corrected += x.corrected;
      row.unprotected_failures += failed;
      row.due_unprotected_masked += x.outcome == Outcome::due && e.outcome == Outcome::masked;
      row.correct_to_wrong += x.correct_to_wrong;
      row.unprotected_correct_to_wrong += e.correct_to_wrong;
      if (row.check && r.variants[v].cycles > 0)
        reexecution[v] += static_cast<double>(x.cycles) / static_cast<double>(r.variants[v].cycles) - 1.0;
    }
  }
  for (std::size_t v = 0; v < rows.size(); ++v) {
    MitigationRow& row = rows[v];
    row.sdc_ci = wilson_interval(row.sdc, row.experiments);
    row.crash_ci = wilson_interval(row.crash, row.experiments);
    row.due_ci = wilson_interval(row.due, row.experiments);
    row.recovery = row.unprotected_failures ? 1.0 - static_cast<double>(row.sdc + row.crash) /
                                                        static_cast<double>(row.unprotected_failures)
                                            : std::numeric_limits<double>::quiet_NaN();
    row.reexecution_overhead = row.check && row.experiments ? reexecution[v] / static_cast<double>(row.experiments) : 0.0;
  }
  return rows;
}

void print_mitigation_summary(std::ostream& out, const std::vector<MitigationRow>& rows, const CampaignResults& r) {
  if (rows.empty()) return;
  long long runs = 0, sdc = 0, crash = 0;
  for (std::size_t i = 0; i < r.experiments.size(); ++i) {
    if (!r.done[i]) continue;
    ++runs;
    sdc += r.experiments[i].outcome == Outcome::sdc;
    crash += r.experiments[i].outcome == Outcome::crash;
  }
  out << "mitigations: the same faults under each variant (DUE: a check detected the fault and could not correct "
         "it; recovery: 1 - (SDC + crash) / unprotected (SDC + crash); cycles: fault-free run cycles vs the "
         "unprotected run; storage: protected bits per word)\n";
  print_line(out, "variant", "runs", "SDC % [95% Wilson]", "crash % [95% Wilson]", "DUE % [95% Wilson]", "detected",
             "recovery", "cycles", "storage");
  print_line(out, "unprotected", std::to_string(runs), rate_text(sdc, runs), rate_text(crash, runs), "-", "-", "-", percent(0.0, true),
             percent(0.0));
  for (const MitigationRow& row : rows)
    print_line(out, row.name, std::to_string(row.experiments), rate_text(row.sdc, row.experiments),
               rate_text(row.crash, row.experiments), row.check ? rate_text(row.due, row.experiments) : "-",
               row.check ? percent(row.rate(row.detected)) : "-", percent(row.recovery),
               percent(row.cycle_overhead, true), percent(row.storage_overhead));
  for (const MitigationRow& row : rows) {
    out << "  " << row.name << ": " << row.description;
    if (row.experiments)
      out << "; images turned wrong per experiment " << std::fixed << std::setprecision(2)
          << static_cast<double>(row.correct_to_wrong) / static_cast<double>(row.experiments) << " (unprotected "
          << static_cast<double>(row.unprotected_correct_to_wrong) / static_cast<double>(row.experiments) << ")"
          << std::defaultfloat;
    if (row.check) {
      out << "; fault-free: " << row.false_positives << " of " << row.check_jobs << " jobs flagged, check overhead "
          << percent(row.check_overhead, true) << "; under the faults " << row.corrected << " of " << row.detected
          << " detections corrected, re-execution " << percent(row.reexecution_overhead, true)
          << " cycles on average; " << row.due_unprotected_masked << " of " << row.due
          << " DUEs were masked without the check";
    }
    if (row.golden_correct != r.golden_correct)
      out << "; fault-free accuracy " << std::fixed << std::setprecision(1)
          << 100.0 * static_cast<double>(row.golden_correct) / static_cast<double>(r.images) << "%"
          << std::defaultfloat;
    out << "\n";
  }
}

void write_mitigation_results(ResultsFile& h5, const CampaignResults& r, const std::vector<MitigationRow>& rows) {
  if (rows.empty()) return;
  const std::size_t variants = rows.size();
  std::vector<std::string> names, descriptions;
  for (const MitigationRow& row : rows) {
    names.push_back(row.name);
    descriptions.push_back(row.description);
  }
  h5.write_strings("/mitigations/names", names);
  h5.write_strings("/mitigations/descriptions", descriptions);
  h5.set_attribute("/mitigations", "unprotected_cycles", r.cycles);  // units: cycles

  std::vector<std::int64_t> outcome, detected, corrected, c2w, nonfinite, cycles;
  std::vector<std::string> outcome_name;
  std::size_t done = 0;
  for (std::size_t i = 0; i < r.experiments.size(); ++i) {
    if (!r.done[i]) continue;
    ++done;
    for (std::size_t v = 0; v < variants; ++v) {
      const VariantResult& x = r.experiments[i].variants.at(v);
      outcome.push_back(static_cast<std::int64_t>(x.outcome));
      outcome_name.push_back(to_string(x.outcome));
      detected.push_back(x.detected);
      corrected.push_back(x.corrected);
      c2w.push_back(x.correct_to_wrong);
      nonfinite.push_back(x.nonfinite_images);
      cycles.push_back(x.cycles);
    }
  }
  const std::vector<hsize_t> dims{done, variants};
  h5.write_int64s("/mitigations/outcome", outcome, dims);
  h5.set_attribute("/mitigations/outcome", "meaning", std::string("0 masked, 1 sdc, 2 crash, 3 due; [experiments x variants]"));
  h5.write_int64s("/mitigations/detected", detected, dims);
  h5.write_int64s("/mitigations/corrected", corrected, dims);
  h5.write_int64s("/mitigations/correct_to_wrong", c2w, dims);
  h5.write_int64s("/mitigations/nonfinite_images", nonfinite, dims);
  h5.write_int64s("/mitigations/cycles", cycles, dims);
  h5.set_attribute("/mitigations/cycles", "units", std::string("cycles"));

  h5.write_table("/mitigations/summary", summary_table(r, rows));
}

}  // namespace accsim
