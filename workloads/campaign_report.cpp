#include "workloads/campaign_report.h"

#include <cstdio>
#include <iomanip>

namespace accsim {

namespace {

RateRow named(std::string group) {
  RateRow r;
  r.group = std::move(group);
  return r;
}

void add(RateRow& row, Outcome o) {
  ++row.experiments;
  if (o == Outcome::masked) ++row.masked;
  if (o == Outcome::sdc) ++row.sdc;
  if (o == Outcome::crash) ++row.crash;
}

void finish(RateRow& row) {
  row.sdc_ci = wilson_interval(row.sdc, row.experiments);
  row.crash_ci = wilson_interval(row.crash, row.experiments);
}

std::string rate_text(double rate, const Interval& ci, long long experiments) {
  if (experiments == 0) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%5.1f%% [%4.1f, %5.1f]", 100.0 * rate, 100.0 * ci.lo, 100.0 * ci.hi);
  return buf;
}

void print_row(std::ostream& out, const RateRow& r) {
  out << std::left << std::setw(20) << r.group << std::right << std::setw(7) << r.experiments << std::setw(8)
      << r.masked << std::setw(7) << r.sdc << std::setw(7) << r.crash << "   " << std::left << std::setw(22)
      << rate_text(r.sdc_rate(), r.sdc_ci, r.experiments) << "   " << rate_text(r.crash_rate(), r.crash_ci, r.experiments)
      << std::right << "\n";
}

void write_rows(ResultsFile& h5, const std::string& group, const std::vector<RateRow>& rows,
                const std::vector<double>* bits = nullptr) {
  std::vector<std::string> names;
  std::vector<std::vector<double>> cols(10);
  for (const RateRow& r : rows) {
    const double v[10] = {static_cast<double>(r.experiments), static_cast<double>(r.masked),
                          static_cast<double>(r.sdc),         static_cast<double>(r.crash),
                          r.sdc_rate(),                       r.sdc_ci.lo,
                          r.sdc_ci.hi,                        r.crash_rate(),
                          r.crash_ci.lo,                      r.crash_ci.hi};
    for (int i = 0; i < 10; ++i) cols[static_cast<std::size_t>(i)].push_back(v[i]);
  }
  std::vector<std::string> column_names{"experiments", "masked",     "sdc",      "crash",    "sdc_rate",
                                        "sdc_lo",      "sdc_hi",     "crash_rate", "crash_lo", "crash_hi"};
  if (bits) {
    column_names.insert(column_names.begin(), "bit");
    cols.insert(cols.begin(), *bits);
  }
  h5.write_table(group, column_names, cols);
}

}  // namespace

CampaignSummary summarize_campaign(const CampaignResults& results, const CampaignConfig& config) {
  CampaignSummary s;
  s.overall.group = "all";
  for (FaultSite site : config.sites) s.by_site.push_back(named(to_string(site)));
  for (FaultKind kind : config.kinds) s.by_kind.push_back(named(to_string(kind)));
  for (int b = config.bit_lo; b <= config.bit_hi; ++b) {
    s.bits.push_back(b);
    s.by_bit.push_back(named("bit " + std::to_string(b)));
  }
  for (std::size_t i = 0; i < results.experiments.size(); ++i) {
    if (!results.done[i]) continue;
    const ExperimentResult& e = results.experiments[i];
    add(s.overall, e.outcome);
    for (std::size_t j = 0; j < config.sites.size(); ++j)
      if (config.sites[j] == e.fault.site) add(s.by_site[j], e.outcome);
    for (std::size_t j = 0; j < config.kinds.size(); ++j)
      if (config.kinds[j] == e.fault.kind) add(s.by_kind[j], e.outcome);
    if (e.fault.bit >= config.bit_lo && e.fault.bit <= config.bit_hi)
      add(s.by_bit[static_cast<std::size_t>(e.fault.bit - config.bit_lo)], e.outcome);
  }
  finish(s.overall);
  s.mitigations = summarize_mitigations(results);
  for (auto* rows : {&s.by_site, &s.by_kind, &s.by_bit})
    for (RateRow& r : *rows) finish(r);
  return s;
}

void print_campaign_summary(std::ostream& out, const CampaignSummary& s, const CampaignResults& results) {
  out << std::left << std::setw(20) << "faults" << std::right << std::setw(7) << "runs" << std::setw(8) << "masked"
      << std::setw(7) << "SDC" << std::setw(7) << "crash" << "   " << std::left << std::setw(22)
      << "SDC % [95% Wilson]" << "   crash % [95% Wilson]" << std::right << "\n";
  print_row(out, s.overall);
  out << "by site\n";
  for (const RateRow& r : s.by_site) print_row(out, r);
  out << "by kind\n";
  for (const RateRow& r : s.by_kind) print_row(out, r);
  out << "by bit\n";
  for (const RateRow& r : s.by_bit) print_row(out, r);
  if (!s.mitigations.empty()) {
    out << "\n";
    print_mitigation_summary(out, s.mitigations, results);
  }
}

void write_campaign_results(ResultsFile& h5, const Campaign& c, const CampaignResults& r, const CampaignSummary& s) {
  h5.set_attribute("/", "format", std::string("accsim-campaign"));
  h5.set_attribute("/", "version", 1);
  h5.set_attribute("/", "seed", static_cast<std::int64_t>(c.seed));
  h5.set_attribute("/", "campaign_key", r.key);
  h5.set_attribute("/", "network", c.network.name);
  h5.set_attribute("/", "experiments", r.experiments.size());
  h5.set_attribute("/", "images", r.images);
  h5.set_attribute("/", "batch", std::min<long long>(c.config.batch, r.images));
  h5.set_attribute("/", "batches", r.batches);
  h5.set_attribute("/", "batch_cycles", r.batch_cycles);
  h5.set_attribute("/", "golden_correct", r.golden_correct);
  h5.set_attribute("/", "golden_accuracy",
                   r.images ? static_cast<double>(r.golden_correct) / static_cast<double>(r.images) : 0.0);
  h5.set_attribute("/", "sdc_rate", s.overall.sdc_rate());
  h5.set_attribute("/", "sdc_lo", s.overall.sdc_ci.lo);
  h5.set_attribute("/", "sdc_hi", s.overall.sdc_ci.hi);
  h5.set_attribute("/", "crash_rate", s.overall.crash_rate());
  h5.set_attribute("/", "crash_lo", s.overall.crash_ci.lo);
  h5.set_attribute("/", "crash_hi", s.overall.crash_ci.hi);
  h5.write_strings("/layers", r.layers);

  std::vector<std::string> site, kind, outcome_name;
  std::vector<std::int64_t> row, col, bit, cycle, layer, outcome, c2w, nonfinite, trace;
  for (std::size_t i = 0; i < r.experiments.size(); ++i) {
    if (!r.done[i]) continue;
    const ExperimentResult& e = r.experiments[i];
    site.push_back(to_string(e.fault.site));
    kind.push_back(to_string(e.fault.kind));
    row.push_back(e.fault.row);
    col.push_back(e.fault.col);
    bit.push_back(e.fault.bit);
    cycle.push_back(e.fault.cycle);
    layer.push_back(e.layer);
    outcome.push_back(static_cast<std::int64_t>(e.outcome));
    outcome_name.push_back(to_string(e.outcome));
    c2w.push_back(e.correct_to_wrong);
    nonfinite.push_back(e.nonfinite_images);
    trace.insert(trace.end(), e.trace.begin(), e.trace.end());
  }
  h5.write_strings("/experiments/site", site);
  h5.write_strings("/experiments/kind", kind);
  h5.write_int64s("/experiments/row", row);
  h5.write_int64s("/experiments/col", col);
  h5.write_int64s("/experiments/bit", bit);
  h5.write_int64s("/experiments/cycle", cycle);
  h5.write_int64s("/experiments/layer", layer);
  h5.write_int64s("/experiments/outcome", outcome);
  h5.set_attribute("/experiments/outcome", "meaning", std::string("0 masked, 1 sdc, 2 crash"));
  h5.write_strings("/experiments/outcome_name", outcome_name);
  h5.write_int64s("/experiments/correct_to_wrong", c2w);
  h5.write_int64s("/experiments/nonfinite_images", nonfinite);
  h5.write_int64s("/experiments/trace", trace, {row.size(), r.layers.size()});

  write_rows(h5, "/summary/overall", {s.overall});
  h5.write_strings("/summary/sites", [&] {
    std::vector<std::string> v;
    for (const auto& x : s.by_site) v.push_back(x.group);
    return v;
  }());
  write_rows(h5, "/summary/by_site", s.by_site);
  h5.write_strings("/summary/kinds", [&] {
    std::vector<std::string> v;
    for (const auto& x : s.by_kind) v.push_back(x.group);
    return v;
  }());
  write_rows(h5, "/summary/by_kind", s.by_kind);
  const std::vector<double> bits(s.bits.begin(), s.bits.end());
  write_rows(h5, "/summary/by_bit", s.by_bit, &bits);

  std::vector<std::int64_t> labels(c.labels.begin(), c.labels.end());
  std::vector<std::int64_t> predictions(r.golden_predictions.begin(), r.golden_predictions.end());
  h5.write_int64s("/golden/labels", labels);
  h5.write_int64s("/golden/predictions", predictions);
  h5.set_attribute("/", "cycles", r.cycles);
  write_mitigation_results(h5, r, s.mitigations);
}

}  // namespace accsim
