#include "workloads/train_campaign/train_campaign_output.h"

#include <cstdio>
#include <filesystem>

#include "workloads/io/csv_writer.h"
#include "workloads/io/interval_text.h"
#include "workloads/io/plot_script.h"
#include "workloads/io/run_attributes.h"
#include "workloads/train_campaign/train_campaign_summary.h"
#include "workloads/train_campaign/train_run_records.h"

namespace accsim {

namespace {

namespace fs = std::filesystem;

double final_accuracy(const std::vector<long long>& correct, int images) {
  return correct.back() < 0 ? -1.0 : static_cast<double>(correct.back()) / images;
}

std::string pass_label(const TrainFault& f) { return f.fault.permanent() ? "all" : to_string(f.pass); }

}  // namespace

Table experiments_table(const TrainCampaignResults& r, const std::vector<TrainOutcome>& outcomes) {
  Table t({{"index", CellType::integer, ""},          {"site", CellType::text, ""},
           {"kind", CellType::text, ""},              {"row", CellType::integer, ""},
           {"col", CellType::integer, ""},            {"bit", CellType::integer, ""},
           {"step", CellType::integer, ""},           {"pass", CellType::text, ""},
           {"cycle", CellType::integer, "cycles"},    {"outcome", CellType::text, ""},
           {"val_accuracy_faulty", CellType::real, "fraction"},
           {"val_accuracy_fault_free", CellType::real, "fraction"},
           {"crash_step", CellType::integer, ""},     {"crash_pass", CellType::text, ""}});
  for (std::size_t i = 0; i < r.faults.size(); ++i) {
    const TrainFault& f = r.faults[i];
    const TrainRunRecord& run = r.runs[i];
    t.add_row({static_cast<long long>(i), to_string(f.fault.site), to_string(f.fault.kind), f.fault.row, f.fault.col,
               f.fault.bit, f.step, pass_label(f), f.fault.cycle, train_outcome_names()[static_cast<std::size_t>(outcomes[i])],
               final_accuracy(run.correct_faulty, r.validation_images),
               final_accuracy(run.correct_fault_free, r.validation_images), run.crash_step,
               run.crash_pass < 0 ? std::string(run.crash_step < 0 ? "" : "host")
                                  : to_string(static_cast<Pass>(run.crash_pass))});
  }
  return t;
}

std::vector<std::string> write_train_campaign_outputs(const std::string& out_file, const RunConfig& rc,
                                                      const TrainCampaignSpec& spec, const TrainCampaignResults& r,
                                                      bool plot, std::ostream& notes) {
  const std::vector<TrainOutcome> outcomes = r.outcomes(spec.config.margin);
  const Table summary = train_campaign_summary(r.faults, outcomes);
  ResultsFile h5(out_file);
  write_output_format(h5, kTrainCampaignOutput);
  write_run_attributes(h5, rc.file, rc.json_text, spec.seed, "fast");
  const bool model = !rc.workload.model.empty();
  h5.set_attribute("/", "network", model ? rc.workload.graph->name : rc.workload.network.name);
  if (model) h5.set_attribute("/", "model", rc.workload.model), h5.set_attribute("/", "init", rc.training.init);
  h5.set_attribute("/", "validation_images", r.validation_images);
  h5.set_attribute("/", "margin", spec.config.margin);
  h5.set_attribute("/", "reference_val_accuracy", final_accuracy(r.reference.correct_fault_free, r.validation_images));
  h5.write_table("/experiments", experiments_table(r, outcomes));
  write_run_records(h5, "/runs", r.runs, r.done, r.window);
  write_run_records(h5, "/reference", {r.reference}, {1}, r.window);
  h5.write_int64s("/curve_steps", std::vector<std::int64_t>(r.window.curve_steps.begin(), r.window.curve_steps.end()));
  h5.write_table("/summary", summary);
  h5.commit();
  const std::string csv = fs::path(out_file).replace_extension(".csv").string();
  const std::string png = fs::path(out_file).replace_extension(".png").string();
  write_csv(csv, summary);
  std::vector<std::string> files = {out_file, csv};
  if (plot && draw_plot("plot_train_campaign.py", {csv, png, fs::path(rc.file).stem().string()}, notes))
    files.push_back(png);
  return files;
}

void print_train_campaign_summary(std::ostream& out, const TrainCampaignResults& r, const Table& summary) {
  char line[200];
  std::snprintf(line, sizeof line, "fault-free reference: validation accuracy %.4f (%d images)\n",
                final_accuracy(r.reference.correct_fault_free, r.validation_images), r.validation_images);
  out << line << "outcome rates in % with 95% Wilson intervals:\n";
  std::snprintf(line, sizeof line, "%-6s %-16s %6s", "group", "value", "n");
  out << line;
  for (const std::string& o : train_outcome_names()) {
    std::snprintf(line, sizeof line, "  %-20s", o.c_str());
    out << line;
  }
  out << "\n";
  for (std::size_t row = 0; row < summary.rows(); ++row) {
    std::snprintf(line, sizeof line, "%-6s %-16s %6lld", summary.cell(row, 0).text().c_str(),
                  summary.cell(row, 1).text().c_str(), static_cast<long long>(summary.cell(row, 2).integer()));
    out << line;
    for (std::size_t o = 0; o < train_outcome_names().size(); ++o) {
      const std::size_t c = 3 + 4 * o;
      const std::string v = percent_interval_text(summary.cell(row, c + 1).real(),
                                                  {summary.cell(row, c + 2).real(), summary.cell(row, c + 3).real()}, 1);
      std::snprintf(line, sizeof line, "  %-20s", v.c_str());
      out << line;
    }
    out << "\n";
  }
}

}  // namespace accsim
