#include "workloads/pvf/pvf_report.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "workloads/io/interval_text.h"
#include "workloads/io/output_format.h"
#include "workloads/pvf/pvf_adaptive_report.h"

namespace accsim {

namespace {

void add(PvfRow& row, PvfOutcome o) {
  ++row.experiments;
  if (o == PvfOutcome::not_counted) return;
  ++row.n;
  row.sdc += o == PvfOutcome::sdc;
  row.crash += o == PvfOutcome::crash;
}

void finish(std::vector<PvfRow>& rows) {
  for (PvfRow& r : rows) {
    r.pvf_ci = wilson_interval(r.failures(), r.n);
    r.crash_ci = wilson_interval(r.crash, r.n);
  }
}

// Percentages with two decimals, three below 0.1% (a rare failure still shows).
std::string with_interval(double v, const Interval& ci) {
  return percent_interval_text(v, ci, v >= 0.001 || v == 0.0 ? 2 : 3);
}

double storage_overhead(const PvfCampaign& c, int variant) {
  return variant == 0 ? 0.0
                      : static_cast<double>(c.config.mitigations[static_cast<std::size_t>(variant - 1)]
                                                .mitigations.protect_bits.size()) / 32.0;
}

double cycle_overhead(const PvfResults& r, int variant) {
  return static_cast<double>(r.golden_cycles[static_cast<std::size_t>(variant)]) /
             static_cast<double>(r.golden_cycles[0]) - 1.0;
}

}  // namespace

PvfSummary summarize_pvf(const PvfCampaign& c, const PvfResults& r) {
  const std::size_t variants = r.variants.size(), models = c.config.faults.models.size(),
                    targets = c.config.faults.targets.size();
  PvfSummary s;
  for (std::size_t v = 0; v < variants; ++v)
    for (std::size_t m = 0; m < models; ++m) {
      PvfRow all;
      all.variant = static_cast<int>(v);
      all.model = static_cast<int>(m);
      all.group = "all targets";
      for (std::size_t t = 0; t < targets; ++t) {
        PvfRow row = all;
        row.target = static_cast<int>(t);
        row.group = c.config.faults.targets[t].name;
        row.parameters = r.target_parameters[t];
        all.parameters += row.parameters;
        s.by_target.push_back(row);
      }
      s.overall.push_back(all);
    }
  std::map<std::tuple<std::size_t, std::size_t, int>, PvfRow> bits;
  for (std::size_t i = 0; i < r.experiments.size(); ++i) {
    if (!r.done[i]) continue;
    const PvfExperiment& e = r.experiments[i];
    const auto m = static_cast<std::size_t>(e.model), t = static_cast<std::size_t>(e.target);
    for (std::size_t v = 0; v < variants; ++v) {
      add(s.by_target[(v * models + m) * targets + t], e.outcomes[v]);
      add(s.overall[v * models + m], e.outcomes[v]);
      if (e.bit < 0) continue;
      PvfRow& b = bits[{v, m, e.bit}];
      b.variant = static_cast<int>(v);
      b.model = static_cast<int>(m);
      b.bit = e.bit;
      b.group = "bit " + std::to_string(e.bit);
      add(b, e.outcomes[v]);
    }
  }
  for (auto& [key, row] : bits) s.by_bit.push_back(row);
  finish(s.by_target);
  finish(s.by_bit);
  finish(s.overall);
  return s;
}

void print_pvf_summary(std::ostream& out, const PvfCampaign& c, const PvfResults& r, const PvfSummary& s) {
  const auto& models = c.config.faults.models;
  char line[256];
  for (std::size_t m = 0; m < models.size(); ++m) {
    out << "PVF by target, fault model " << models[m].describe()
        << " (N: experiments whose image the fault-free model classifies correctly; D: those misclassified, "
           "NaN/Inf included)\n";
    int width = 14;  // the longest target name (graph models: initializer names)
    for (const auto& t : c.config.faults.targets) width = std::max(width, static_cast<int>(t.name.size()));
    std::snprintf(line, sizeof line, "  %-*s %11s %8s %7s  %-26s %-22s\n", width, "target", "parameters", "N", "D",
                  "PVF % [95% CI]", "NaN/Inf % [95% CI]");
    out << line;
    for (const PvfRow& row : s.by_target) {
      if (row.variant != 0 || row.model != static_cast<int>(m)) continue;
      std::snprintf(line, sizeof line, "  %-*s %11llu %8lld %7lld  %-26s %-22s\n", width, row.group.c_str(),
                    static_cast<unsigned long long>(row.parameters), row.n, row.failures(),
                    with_interval(row.pvf(), row.pvf_ci).c_str(), with_interval(row.crash_rate(), row.crash_ci).c_str());
      out << line;
    }
    bool header = false;
    const PvfRow* peak = nullptr;
    for (const PvfRow& row : s.by_bit) {
      if (row.variant != 0 || row.model != static_cast<int>(m)) continue;
      if (!header) {
        out << "\nPVF by bit position (single-bit experiments, every target pooled)\n";
        std::snprintf(line, sizeof line, "  %-6s %8s %7s  %-26s %-22s\n", "bit", "N", "D", "PVF % [95% CI]",
                      "NaN/Inf % [95% CI]");
        out << line;
        header = true;
      }
      if (!peak || row.pvf() > peak->pvf()) peak = &row;
      std::snprintf(line, sizeof line, "  %-6d %8lld %7lld  %-26s %-22s\n", row.bit, row.n, row.failures(),
                    with_interval(row.pvf(), row.pvf_ci).c_str(), with_interval(row.crash_rate(), row.crash_ci).c_str());
      out << line;
    }
    if (peak) out << "  most vulnerable bit: " << peak->bit << " (PVF " << with_interval(peak->pvf(), peak->pvf_ci) << " %)\n";
    if (r.variants.size() > 1) {
      out << "\nMitigations on the same experiments (every target pooled); recovery = 1 - PVF / unprotected PVF\n";
      std::snprintf(line, sizeof line, "  %-18s %8s  %-26s %-22s %9s %8s %8s\n", "variant", "N", "PVF % [95% CI]",
                    "NaN/Inf % [95% CI]", "recovery", "cycles", "storage");
      out << line;
      const PvfRow& base = s.overall[m];
      for (const PvfRow& row : s.overall) {
        if (row.model != static_cast<int>(m)) continue;
        char recovery[16] = "-";
        if (base.pvf() > 0) std::snprintf(recovery, sizeof recovery, "%.1f%%", 100.0 * (1.0 - row.pvf() / base.pvf()));
        std::snprintf(line, sizeof line, "  %-18s %8lld  %-26s %-22s %9s %+7.1f%% %+7.1f%%\n",
                      r.variants[static_cast<std::size_t>(row.variant)].c_str(), row.n,
                      with_interval(row.pvf(), row.pvf_ci).c_str(), with_interval(row.crash_rate(), row.crash_ci).c_str(),
                      recovery, 100.0 * cycle_overhead(r, row.variant), 100.0 * storage_overhead(c, row.variant));
        out << line;
      }
    }
    if (m + 1 < models.size()) out << "\n";
  }
  if (!c.config.stop.enabled()) return;
  out << "\n";
  print_adaptive_summary(out, c, summarize_adaptive(c, r));
}

namespace {

// A summary table: the group's own column (target_index or bit) after the variant and model.
Table summary_table(const std::vector<PvfRow>& rows, const char* group_column) {
  const auto integer = [](const char* name) { return ColumnSpec{name, CellType::integer, ""}; };
  const auto fraction = [](const char* name) { return ColumnSpec{name, CellType::real, "fraction"}; };
  std::vector<ColumnSpec> specs = {integer("variant_index"), integer("model_index")};
  if (group_column) specs.push_back(integer(group_column));
  for (const ColumnSpec& c : {integer("parameters"), integer("experiments"), integer("n_correct"), integer("sdc"),
                              integer("crash"), fraction("pvf"), fraction("pvf_lo"), fraction("pvf_hi"),
                              fraction("crash_rate"), fraction("crash_lo"), fraction("crash_hi")})
    specs.push_back(c);
  Table t(specs);
  for (const PvfRow& row : rows) {
    std::vector<Cell> cells = {row.variant, row.model};
    if (group_column) cells.push_back(row.bit >= 0 ? row.bit : row.target);
    for (const Cell& c : std::vector<Cell>{row.parameters, row.experiments, row.n, row.sdc, row.crash, row.pvf(),
                                           row.pvf_ci.lo, row.pvf_ci.hi, row.crash_rate(), row.crash_ci.lo,
                                           row.crash_ci.hi})
      cells.push_back(c);
    t.add_row(cells);
  }
  return t;
}

void write_experiments(ResultsFile& h5, const PvfResults& r) {
  std::vector<const PvfExperiment*> rows;
  for (const PvfExperiment& e : r.experiments) rows.push_back(&e);
  write_pvf_experiment_records(h5, "/experiments", rows, r.variants.size());
}

}  // namespace

void write_pvf_experiment_records(ResultsFile& h5, const std::string& group, const std::vector<const PvfExperiment*>& rows,
                                  std::size_t variants) {
  std::vector<std::int64_t> model, target, image, flips, bit, tensor, element, outcomes, stratum, sample;
  std::vector<double> old_value, new_value;
  for (const PvfExperiment* p : rows) {
    const PvfExperiment& e = *p;
    stratum.push_back(e.stratum);
    sample.push_back(e.sample);
    model.push_back(e.model);
    target.push_back(e.target);
    image.push_back(e.image);
    flips.push_back(static_cast<std::int64_t>(e.bit_flips));
    bit.push_back(e.bit);
    tensor.push_back(e.tensor);
    element.push_back(static_cast<std::int64_t>(e.element));
    old_value.push_back(e.old_value);
    new_value.push_back(e.new_value);
    for (PvfOutcome o : e.outcomes) outcomes.push_back(static_cast<std::int64_t>(o));
  }
  h5.write_int64s(group + "/model_index", model);
  h5.write_int64s(group + "/target_index", target);
  h5.write_int64s(group + "/image", image);
  h5.write_int64s(group + "/bit_flips", flips);
  h5.write_int64s(group + "/bit", bit);
  h5.write_int64s(group + "/tensor", tensor);
  h5.write_int64s(group + "/element", element);
  h5.write_doubles(group + "/old_value", old_value);
  h5.write_doubles(group + "/new_value", new_value);
  h5.write_int64s(group + "/outcome", outcomes, {rows.size(), variants});
  h5.set_attribute(group + "/outcome", "meaning", std::string("-1 not counted, 0 masked, 1 sdc, 2 crash"));
  if (!rows.empty() && rows.front()->stratum >= 0) {  // an adaptive run's: what `accsim replay --experiment S:K` takes
    h5.write_int64s(group + "/stratum", stratum);
    h5.write_int64s(group + "/sample", sample);
  }
}

void write_pvf_results(ResultsFile& h5, const PvfCampaign& c, const PvfResults& r, const PvfSummary& s) {
  write_output_format(h5, kPvfOutput);
  h5.set_attribute("/", "pvf_key", r.key);
  h5.set_attribute("/", "seed", static_cast<std::int64_t>(c.seed));
  h5.set_attribute("/", "images", r.images);
  h5.write_strings("/variants", r.variants);
  std::vector<std::string> targets, models, descriptions;
  for (const auto& t : c.config.faults.targets) targets.push_back(t.name);
  for (const auto& m : c.config.faults.models) models.push_back(m.describe());
  descriptions.push_back("none");
  for (const auto& v : c.config.mitigations) descriptions.push_back(v.mitigations.describe());
  h5.write_strings("/targets", targets);
  h5.write_strings("/tensors", r.tensors);  // names of /experiments/tensor
  h5.write_strings("/models", models);
  h5.write_strings("/variant_mitigations", descriptions);
  std::vector<std::int64_t> golden(r.golden_correct.begin(), r.golden_correct.end()),
      cycles(r.golden_cycles.begin(), r.golden_cycles.end()), params;
  for (auto p : r.target_parameters) params.push_back(static_cast<std::int64_t>(p));
  h5.write_int64s("/golden_correct", golden);
  h5.write_int64s("/golden_cycles", cycles);
  h5.set_attribute("/golden_cycles", "units", std::string("cycles"));
  h5.write_int64s("/target_parameters", params);
  write_experiments(h5, r);
  h5.write_table("/summary/by_target", summary_table(s.by_target, "target_index"));
  h5.write_table("/summary/by_bit", summary_table(s.by_bit, "bit"));
  h5.write_table("/summary/overall", summary_table(s.overall, nullptr));
  if (c.config.stop.enabled()) h5.write_table("/summary/strata", pvf_strata_table(summarize_adaptive(c, r)));
}

Table pvf_csv_table(const PvfCampaign& c, const PvfResults& r, const PvfSummary& s) {
  const auto integer = [](const char* name) { return ColumnSpec{name, CellType::integer, ""}; };
  const auto real = [](const char* name) { return ColumnSpec{name, CellType::real, ""}; };
  const auto text = [](const char* name) { return ColumnSpec{name, CellType::text, ""}; };
  Table t({text("variant"), text("model"), text("kind"), text("group"), integer("bit"), integer("parameters"),
           integer("experiments"), integer("n_correct"), integer("failures"), real("pvf"), real("pvf_lo"),
           real("pvf_hi"), integer("sdc"), integer("crash"), real("crash_rate"), real("crash_lo"), real("crash_hi"),
           integer("cycles"), real("cycle_overhead"), real("storage_overhead")});
  const auto rows = [&](const char* kind, const std::vector<PvfRow>& list) {
    for (const PvfRow& row : list)
      t.add_row({r.variants[static_cast<std::size_t>(row.variant)],
                 c.config.faults.models[static_cast<std::size_t>(row.model)].describe(), kind, row.group, row.bit,
                 row.parameters, row.experiments, row.n, row.failures(), row.pvf(), row.pvf_ci.lo, row.pvf_ci.hi,
                 row.sdc, row.crash, row.crash_rate(), row.crash_ci.lo, row.crash_ci.hi,
                 r.golden_cycles[static_cast<std::size_t>(row.variant)], cycle_overhead(r, row.variant),
                 storage_overhead(c, row.variant)});
  };
  rows("target", s.by_target);
  rows("bit", s.by_bit);
  rows("all", s.overall);
  return t;
}

}  // namespace accsim
