#include "workloads/campaign/memory_campaign_report.h"

#include <cstdio>
#include <functional>

#include "workloads/experiments/wilson_interval.h"
#include "workloads/io/interval_text.h"

namespace accsim {

namespace {

constexpr int kOutcomes = 5;

std::vector<ColumnSpec> rate_columns() {
  std::vector<ColumnSpec> cols{{"group", CellType::text, ""}, {"experiments", CellType::integer, ""}};
  for (const std::string& o : memory_outcome_names()) cols.push_back({o, CellType::integer, ""});
  for (const std::string& o : memory_outcome_names())
    for (const char* suffix : {"_rate", "_lo", "_hi"}) cols.push_back({o + suffix, CellType::real, "fraction"});
  return cols;
}

void add_rate_row(Table& t, const std::string& group, const std::vector<const MemoryExperiment*>& rows) {
  if (rows.empty()) return;
  long long counts[kOutcomes] = {};
  for (const MemoryExperiment* e : rows) ++counts[static_cast<int>(e->outcome)];
  const auto n = static_cast<long long>(rows.size());
  std::vector<Cell> cells{group, n};
  for (long long c : counts) cells.emplace_back(c);
  for (long long c : counts) {
    const Interval ci = wilson_interval(c, n);
    cells.insert(cells.end(), {static_cast<double>(c) / static_cast<double>(n), ci.lo, ci.hi});
  }
  t.add_row(cells);
}

std::vector<const MemoryExperiment*> select(const MemoryCampaignResults& r,
                                            const std::function<bool(const MemoryExperiment&)>& keep) {
  std::vector<const MemoryExperiment*> out;
  for (const MemoryExperiment& e : r.experiments)
    if (keep(e)) out.push_back(&e);
  return out;
}

std::string percent(const Table& t, std::size_t row, const std::string& outcome) {
  std::size_t c = 0;
  while (t.columns()[c].name != outcome + "_rate") ++c;
  return percent_interval_text(t.cell(row, c).real(), {t.cell(row, c + 1).real(), t.cell(row, c + 2).real()}, 1);
}

std::size_t column(const Table& t, const std::string& name) {
  for (std::size_t c = 0; c < t.columns().size(); ++c)
    if (t.columns()[c].name == name) return c;
  throw std::invalid_argument("memory campaign table: no column " + name);
}

}  // namespace

Table memory_rate_table(const MemoryCampaignResults& r) {
  Table t(rate_columns());
  add_rate_row(t, "all", select(r, [](const MemoryExperiment&) { return true; }));
  for (MemoryStructure s : {MemoryStructure::cbuf, MemoryStructure::dram})
    add_rate_row(t, to_string(s), select(r, [s](const MemoryExperiment& e) { return e.fault.structure == s; }));
  for (FaultKind k : {FaultKind::stuck_at_0, FaultKind::stuck_at_1, FaultKind::transient})
    add_rate_row(t, to_string(k), select(r, [k](const MemoryExperiment& e) { return e.fault.kind == k; }));
  for (int b = 1; b <= 3; ++b)
    add_rate_row(t, std::to_string(b) + (b > 1 ? " bits" : " bit"),
                 select(r, [b](const MemoryExperiment& e) { return e.fault.bits == b; }));
  return t;
}

Table memory_fit_table(const MemoryCampaignResults& r, const MemoryFaultConfig& config,
                       const std::vector<MemoryStructure>& structures) {
  Table t({{"structure", CellType::text, ""},        {"code", CellType::text, ""},
           {"mbit", CellType::real, "Mbit"},         {"raw_fit_per_mbit", CellType::real, "FIT/Mbit"},
           {"occupancy", CellType::real, "fraction"}, {"transients", CellType::integer, ""},
           {"live_hits", CellType::integer, ""},     {"corrected", CellType::integer, ""},
           {"due", CellType::integer, ""},           {"sdc", CellType::integer, ""},
           {"avf_sdc", CellType::real, "fraction"},  {"avf_sdc_lo", CellType::real, "fraction"},
           {"avf_sdc_hi", CellType::real, "fraction"}, {"avf_due", CellType::real, "fraction"},
           {"avf_due_lo", CellType::real, "fraction"}, {"avf_due_hi", CellType::real, "fraction"},
           {"fit_raw", CellType::real, "FIT"},       {"fit_sdc", CellType::real, "FIT"},
           {"fit_sdc_lo", CellType::real, "FIT"},    {"fit_sdc_hi", CellType::real, "FIT"},
           {"fit_due", CellType::real, "FIT"},       {"fit_due_lo", CellType::real, "FIT"},
           {"fit_due_hi", CellType::real, "FIT"}});
  for (MemoryStructure s : structures) {
    const MemoryOccupancy& o = r.occupancy[static_cast<int>(s)];
    long long n = 0, live = 0, corrected = 0, due = 0, sdc = 0;
    for (const MemoryExperiment& e : r.experiments) {
      if (e.fault.structure != s || e.fault.kind != FaultKind::transient) continue;
      ++n;
      live += e.live;
      corrected += e.outcome == MemoryOutcome::corrected;
      due += e.outcome == MemoryOutcome::due;
      sdc += e.outcome == MemoryOutcome::sdc || e.outcome == MemoryOutcome::crash;
    }
    const double fit_raw = config.raw_fit(s) * o.mbit();
    const Interval sdc_ci = wilson_interval(sdc, n), due_ci = wilson_interval(due, n);
    const double avf_sdc = n ? static_cast<double>(sdc) / static_cast<double>(n) : 0.0;
    const double avf_due = n ? static_cast<double>(due) / static_cast<double>(n) : 0.0;
    t.add_row({to_string(s), to_string(config.code(s)), o.mbit(), config.raw_fit(s), o.occupancy(), n, live, corrected,
               due, sdc, avf_sdc, sdc_ci.lo, sdc_ci.hi, avf_due, due_ci.lo, due_ci.hi, fit_raw, fit_raw * avf_sdc,
               fit_raw * sdc_ci.lo, fit_raw * sdc_ci.hi, fit_raw * avf_due, fit_raw * due_ci.lo, fit_raw * due_ci.hi});
  }
  return t;
}

void print_memory_campaign(std::ostream& out, const Table& rates, const Table& fit) {
  out << "| faults | runs | masked | corrected | DUE | SDC | crash | corrected % [95% Wilson] | DUE % [95% Wilson] | "
         "SDC % [95% Wilson] | crash % [95% Wilson] |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < rates.rows(); ++i) {
    out << "| " << rates.cell(i, 0).text();
    for (std::size_t c = 1; c <= 1 + kOutcomes; ++c) out << " | " << rates.cell(i, c).integer();
    for (const char* o : {"corrected", "due", "sdc", "crash"}) out << " | " << percent(rates, i, o);
    out << " |\n";
  }
  out << "\nFIT per structure (transient faults; AVF = share of the campaign's uniform (word, bit, cycle) draws "
         "that end so; FIT = raw FIT/Mbit x Mbit x AVF):\n"
      << "| structure | code | Mbit | raw FIT/Mbit | occupancy | transients | live hits | corrected | DUE | SDC+crash "
         "| AVF SDC [95%] | AVF DUE [95%] | FIT raw | FIT SDC [95%] | FIT DUE [95%] |\n"
      << "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  char buf[64];
  auto real = [&](double v, const char* fmt) { return std::snprintf(buf, sizeof buf, fmt, v), std::string(buf); };
  for (std::size_t i = 0; i < fit.rows(); ++i) {
    auto v = [&](const char* name) { return fit.cell(i, column(fit, name)).real(); };
    auto n = [&](const char* name) { return fit.cell(i, column(fit, name)).integer(); };
    out << "| " << fit.cell(i, 0).text() << " | " << fit.cell(i, 1).text() << " | " << real(v("mbit"), "%.3f")
        << " | " << real(v("raw_fit_per_mbit"), "%g") << " | " << real(v("occupancy"), "%.3f") << " | "
        << n("transients") << " | " << n("live_hits") << " | " << n("corrected") << " | " << n("due") << " | "
        << n("sdc") << " | " << interval_text(v("avf_sdc"), v("avf_sdc_lo"), v("avf_sdc_hi"), 2) << " | "
        << interval_text(v("avf_due"), v("avf_due_lo"), v("avf_due_hi"), 2) << " | " << real(v("fit_raw"), "%.4g")
        << " | " << interval_text(v("fit_sdc"), v("fit_sdc_lo"), v("fit_sdc_hi"), 2) << " | "
        << interval_text(v("fit_due"), v("fit_due_lo"), v("fit_due_hi"), 2) << " |\n";
  }
}

void write_memory_campaign(ResultsFile& h5, const MemoryCampaignResults& r, const Table& rates, const Table& fit) {
  std::vector<std::string> structure, kind, outcome;
  std::vector<std::int64_t> word, bit, bits, cycle, job, live, corrected, detected, silent, elements, c2w, nonfinite;
  for (const MemoryExperiment& e : r.experiments) {
    structure.push_back(to_string(e.fault.structure));
    kind.push_back(to_string(e.fault.kind));
    outcome.push_back(memory_outcome_names().at(static_cast<std::size_t>(e.outcome)));
    word.push_back(e.fault.word);
    bit.push_back(e.fault.bit);
    bits.push_back(e.fault.bits);
    cycle.push_back(e.fault.cycle);
    job.push_back(e.job);
    live.push_back(e.live);
    corrected.push_back(e.reads_corrected);
    detected.push_back(e.reads_detected);
    silent.push_back(e.reads_silent);
    elements.push_back(e.corrupted_elements);
    c2w.push_back(e.correct_to_wrong);
    nonfinite.push_back(e.nonfinite_images);
  }
  h5.set_attribute("/", "format", std::string("accsim-memory-campaign"));
  h5.set_attribute("/", "version", std::int64_t{1});
  h5.set_attribute("/", "experiments", r.experiments.size());
  h5.set_attribute("/", "images", r.images);
  h5.set_attribute("/", "batches", r.batches);
  h5.set_attribute("/", "batch_cycles", r.batch_cycles);
  h5.set_attribute("/", "golden_correct", r.golden_correct);
  h5.write_strings("/layer_names", r.nodes);
  h5.write_strings("/experiments/structure", structure);
  h5.write_strings("/experiments/kind", kind);
  h5.write_strings("/experiments/outcome_name", outcome);
  h5.write_int64s("/experiments/word", word);
  h5.write_int64s("/experiments/bit", bit);
  h5.write_int64s("/experiments/bits", bits);
  h5.write_int64s("/experiments/cycle", cycle);
  h5.write_int64s("/experiments/layer_index", job);
  h5.write_int64s("/experiments/live", live);
  h5.write_int64s("/experiments/reads_corrected", corrected);
  h5.write_int64s("/experiments/reads_detected", detected);
  h5.write_int64s("/experiments/reads_silent", silent);
  h5.write_int64s("/experiments/corrupted_elements", elements);
  h5.write_int64s("/experiments/correct_to_wrong", c2w);
  h5.write_int64s("/experiments/nonfinite_images", nonfinite);
  h5.write_table("/summary/rates", rates);
  h5.write_table("/summary/fit", fit);
}

}  // namespace accsim
