#include "workloads/pvf/pvf_adaptive_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace accsim {

namespace {

std::string stratum_name(const PvfStratum& s, const PvfCampaign& c) {
  std::string name;
  const auto part = [&name](const std::string& p) { name += (name.empty() ? "" : " ") + p; };
  if (s.model >= 0) part(c.config.faults.models[static_cast<std::size_t>(s.model)].describe());
  if (s.target >= 0) part(c.config.faults.targets[static_cast<std::size_t>(s.target)].name);
  if (s.bit >= 0) part("bit " + std::to_string(s.bit));
  return name.empty() ? "all" : name;
}

// Whether `spent` experiments at `rate` (a fraction `counted` of them counted) reach the width.
bool reaches(long long spent, double rate, double counted, const PvfStop& stop) {
  PvfStratumTally t;
  t.spent = spent;
  t.n = std::llround(counted * static_cast<double>(spent));
  t.failures = std::llround(rate * static_cast<double>(t.n));
  return pvf_width_reached(t, stop);
}

}  // namespace

long long fixed_count_needed(double rate, double counted, const PvfStop& stop) {
  long long lo = 1, hi = stop.max_per_stratum;  // the smallest count that reaches it, by bisection
  if (!reaches(hi, rate, counted, stop)) return hi;
  while (lo < hi) {
    const long long mid = lo + (hi - lo) / 2;
    if (reaches(mid, rate, counted, stop))
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

PvfAdaptiveSummary summarize_adaptive(const PvfCampaign& c, const PvfResults& r) {
  PvfAdaptiveSummary s;
  const std::vector<PvfStratumTally> tallies = tally_strata(r);
  const PvfStop& stop = c.config.stop;
  for (std::size_t k = 0; k < r.strata.size(); ++k) {
    PvfStratumRow row;
    row.stratum = r.strata[k];
    row.name = stratum_name(row.stratum, c);
    row.tally = tallies[k];
    row.ci = wilson_interval(row.tally.failures, row.tally.n);
    row.reached = pvf_width_reached(row.tally, stop);
    const double counted = row.tally.spent ? static_cast<double>(row.tally.n) / static_cast<double>(row.tally.spent) : 1.0;
    row.fixed_needed = fixed_count_needed(row.tally.rate(), counted, stop);
    s.spent += row.tally.spent;
    s.fixed_count = std::max(s.fixed_count, row.fixed_needed);
    s.rows.push_back(row);
  }
  s.fixed_spent = s.fixed_count * static_cast<long long>(s.rows.size());
  long long counted = 0;  // the worst case at the run's own fraction of counted images
  for (const PvfStratumRow& row : s.rows) counted += row.tally.n;
  s.worst_case_count = fixed_count_needed(0.5, s.spent ? static_cast<double>(counted) / static_cast<double>(s.spent) : 1.0, stop);
  return s;
}

void print_adaptive_summary(std::ostream& out, const PvfCampaign& c, const PvfAdaptiveSummary& s) {
  const PvfStop& stop = c.config.stop;
  char line[256];
  out << "Adaptive stopping: target 95% half-width " << 100.0 * stop.half_width
      << (stop.relative ? "% of the PVF" : " percentage points") << ", rounds of " << stop.round << ", cap "
      << stop.max_per_stratum << " per stratum (unprotected PVF; pooled rows above weight each stratum by its "
      << "experiments)\n";
  int width = 8;
  for (const PvfStratumRow& row : s.rows) width = std::max(width, static_cast<int>(row.name.size()));
  std::snprintf(line, sizeof line, "  %-*s %9s %8s %7s %9s %9s %9s %9s %6s\n", width, "stratum", "spent", "N", "D",
                "PVF %", "lo %", "hi %", "+- %", "fixed");
  out << line;
  for (const PvfStratumRow& row : s.rows) {
    std::snprintf(line, sizeof line, "  %-*s %9lld %8lld %7lld %9.3f %9.3f %9.3f %9.3f%s %6lld\n", width,
                  row.name.c_str(), row.tally.spent, row.tally.n, row.tally.failures, 100.0 * row.tally.rate(),
                  100.0 * row.ci.lo, 100.0 * row.ci.hi, 100.0 * row.tally.half_width(), row.reached ? " " : "*",
                  row.fixed_needed);
    out << line;
  }
  out << "  (*: capped before reaching the width; fixed: experiments a fixed count needs for this stratum's width)\n"
      << "  adaptive: " << s.spent << " experiments over " << s.rows.size() << " strata; a fixed count reaching every "
      << "stratum's width: " << s.fixed_count << " per stratum, " << s.fixed_spent << " in all";
  if (s.fixed_spent > 0)
    out << " (adaptive spends " << std::lround(100.0 * static_cast<double>(s.spent) / static_cast<double>(s.fixed_spent))
        << "% of it)";
  out << "; without knowing the rates (PVF 0.5): " << s.worst_case_count << " per stratum, "
      << s.worst_case_count * static_cast<long long>(s.rows.size()) << " in all\n";
}

Table pvf_strata_table(const PvfAdaptiveSummary& s) {
  const auto integer = [](const char* name) { return ColumnSpec{name, CellType::integer, ""}; };
  const auto fraction = [](const char* name) { return ColumnSpec{name, CellType::real, "fraction"}; };
  Table t({integer("model_index"), integer("target_index"), integer("bit"), ColumnSpec{"name", CellType::text, ""},
           integer("experiments"), integer("n_correct"), integer("failures"), fraction("pvf"), fraction("pvf_lo"),
           fraction("pvf_hi"), fraction("half_width"), integer("reached"), integer("fixed_needed")});
  for (const PvfStratumRow& row : s.rows)
    t.add_row({row.stratum.model, row.stratum.target, row.stratum.bit, row.name, row.tally.spent, row.tally.n,
               row.tally.failures, row.tally.rate(), row.ci.lo, row.ci.hi, row.tally.half_width(),
               static_cast<int>(row.reached), row.fixed_needed});
  return t;
}

}  // namespace accsim
