#include "workloads/campaign/campaign_report.h"

#include <iomanip>

#include "workloads/io/fault_columns.h"
#include "workloads/io/interval_text.h"
#include "workloads/io/output_format.h"

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
  return experiments == 0 ? "-" : percent_interval_text(rate, ci, 1);
}

void print_row(std::ostream& out, const RateRow& r) {
  out << std::left << std::setw(20) << r.group << std::right << std::setw(7) << r.experiments << std::setw(8)
      << r.masked << std::setw(7) << r.sdc << std::setw(7) << r.crash << "   " << std::left << std::setw(22)
      << rate_text(r.sdc_rate(), r.sdc_ci, r.experiments) << "   " << rate_text(r.crash_rate(), r.crash_ci, r.experiments)
      << std::right << "\n";
}

// A rate table; `bits` (by_bit) adds the bit of each row as the first column.
Table rate_table(const std::vector<RateRow>& rows, const std::vector<int>* bits = nullptr) {
  const auto count = [](const char* name) { return ColumnSpec{name, CellType::integer, ""}; };
  const auto fraction = [](const char* name) { return ColumnSpec{name, CellType::real, "fraction"}; };
  std::vector<ColumnSpec> specs = {count("experiments"), count("masked"),    count("sdc"),
                                   count("crash"),       fraction("sdc_rate"), fraction("sdc_lo"),
                                   fraction("sdc_hi"),   fraction("crash_rate"), fraction("crash_lo"),
                                   fraction("crash_hi")};
  if (bits) specs.insert(specs.begin(), count("bit"));
  Table t(specs);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const RateRow& r = rows[i];
    std::vector<Cell> cells = {r.experiments, r.masked, r.sdc, r.crash, r.sdc_rate(), r.sdc_ci.lo,
                               r.sdc_ci.hi, r.crash_rate(), r.crash_ci.lo, r.crash_ci.hi};
    if (bits) cells.insert(cells.begin(), bits->at(i));
    t.add_row(cells);
  }
  return t;
}

std::vector<std::string> groups_of(const std::vector<RateRow>& rows) {
  std::vector<std::string> v;
  for (const auto& x : rows) v.push_back(x.group);
  return v;
}

void write_experiments(ResultsFile& h5, const CampaignResults& r) {
  std::vector<const ExperimentResult*> rows;
  for (std::size_t i = 0; i < r.experiments.size(); ++i)
    if (r.done[i]) rows.push_back(&r.experiments[i]);
  write_experiment_records(h5, "/experiments", rows, r.nodes.size());
}

}  // namespace

void write_experiment_records(ResultsFile& h5, const std::string& group, const std::vector<const ExperimentResult*>& rows,
                              std::size_t columns) {
  std::vector<const HardwareFault*> faults;
  std::vector<std::string> outcome_name;
  std::vector<std::int64_t> layer, outcome, c2w, nonfinite, trace, image, golden_top1, faulty_top1, nonfinite_node;
  std::vector<double> margin;
  for (const ExperimentResult* p : rows) {
    const ExperimentResult& e = *p;
    faults.push_back(&e.fault);
    layer.push_back(e.node);
    outcome.push_back(static_cast<std::int64_t>(e.outcome));
    outcome_name.push_back(to_string(e.outcome));
    c2w.push_back(e.correct_to_wrong);
    nonfinite.push_back(e.nonfinite_images);
    trace.insert(trace.end(), e.trace.begin(), e.trace.end());
    image.push_back(e.image);
    golden_top1.push_back(e.golden_top1);
    faulty_top1.push_back(e.faulty_top1);
    margin.push_back(e.margin);
    nonfinite_node.push_back(e.nonfinite_node);
  }
  write_fault_columns(h5, group, faults);
  h5.write_int64s(group + "/layer_index", layer);
  h5.write_int64s(group + "/outcome", outcome);
  h5.set_attribute(group + "/outcome", "meaning", std::string("0 masked, 1 sdc, 2 crash"));
  h5.write_strings(group + "/outcome_name", outcome_name);
  h5.write_int64s(group + "/correct_to_wrong", c2w);
  h5.write_int64s(group + "/nonfinite_images", nonfinite);
  h5.write_int64s(group + "/trace", trace, {faults.size(), columns});
  h5.write_int64s(group + "/image", image);
  h5.write_int64s(group + "/golden_top1", golden_top1);
  h5.write_int64s(group + "/faulty_top1", faulty_top1);
  h5.write_doubles(group + "/margin", margin);
  h5.write_int64s(group + "/nonfinite_node_index", nonfinite_node);
}

Table campaign_csv_table(const CampaignResults& r) {
  const auto integer = [](const char* name) { return ColumnSpec{name, CellType::integer, ""}; };
  const auto text = [](const char* name) { return ColumnSpec{name, CellType::text, ""}; };
  Table t({integer("experiment"), text("site"), text("kind"), integer("row"), integer("col"), integer("bit"),
           ColumnSpec{"cycle", CellType::integer, "cycles"}, text("layer"), text("outcome"),
           integer("correct_to_wrong"), integer("nonfinite_images"), integer("image"), integer("golden_top1"),
           integer("faulty_top1"), ColumnSpec{"margin", CellType::real, ""}, text("nonfinite_node")});
  const auto name = [](const std::vector<std::string>& names, int i) {
    return i < 0 ? std::string() : names.at(static_cast<std::size_t>(i));
  };
  for (std::size_t i = 0; i < r.experiments.size(); ++i) {
    if (!r.done[i]) continue;
    const ExperimentResult& e = r.experiments[i];
    t.add_row({static_cast<long long>(i), to_string(e.fault.site), to_string(e.fault.kind), e.fault.row, e.fault.col,
               e.fault.bit, e.fault.cycle, name(r.nodes, e.node), to_string(e.outcome), e.correct_to_wrong,
               e.nonfinite_images, e.image, e.golden_top1, e.faulty_top1, static_cast<double>(e.margin),
               name(r.graph_nodes, e.nonfinite_node)});
  }
  return t;
}

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
  write_output_format(h5, kCampaignOutput);
  h5.set_attribute("/", "seed", static_cast<std::int64_t>(c.seed));
  h5.set_attribute("/", "campaign_key", r.key);
  h5.set_attribute("/", "network", c.model_name());
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
  h5.set_attribute("/", "cycles", r.cycles);
  h5.write_strings("/layer_names", r.nodes);
  h5.write_strings("/node_names", r.graph_nodes);
  write_experiments(h5, r);
  h5.write_table("/summary/overall", rate_table({s.overall}));
  h5.write_strings("/summary/sites", groups_of(s.by_site));
  h5.write_table("/summary/by_site", rate_table(s.by_site));
  h5.write_strings("/summary/kinds", groups_of(s.by_kind));
  h5.write_table("/summary/by_kind", rate_table(s.by_kind));
  h5.write_table("/summary/by_bit", rate_table(s.by_bit, &s.bits));

  std::vector<std::int64_t> labels(c.labels.begin(), c.labels.end());
  std::vector<std::int64_t> predictions(r.golden_predictions.begin(), r.golden_predictions.end());
  h5.write_int64s("/golden/labels", labels);
  h5.write_int64s("/golden/predictions", predictions);
  write_mitigation_results(h5, r, s.mitigations);
}

}  // namespace accsim
