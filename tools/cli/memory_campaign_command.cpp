#include "tools/cli/memory_campaign_command.h"

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "tools/cli/output_guard.h"
#include "tools/cli/resumable_run.h"
#include "workloads/campaign/memory_campaign.h"
#include "workloads/campaign/memory_campaign_report.h"
#include "workloads/experiments/available_cpus.h"
#include "workloads/experiments/progress_meter.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/csv_writer.h"
#include "workloads/io/results_file.h"
#include "workloads/io/run_attributes.h"

namespace accsim {

std::string fit_csv_path(const std::string& out_file) {
  return std::filesystem::path(out_file).replace_extension(".fit.csv").string();
}

int memory_campaign_command(const RunOptions& options, const RunConfig& rc, const CampaignSource& source,
                            std::ostream& out, std::ostream& err) {
  const CampaignConfig& cc = *rc.campaign;
  RunOptions guarded = options;  // the FIT table is this campaign's own companion: guarded like the others
  guarded.outputs.push_back(fit_csv_path(options.out_file));
  refuse_unsafe_outputs(guarded, run_inputs(rc, options.config_file));
  {
    ResultsFile probe(options.out_file);  // fail before the work if the output cannot be written
  }
  ResumableRun run(options, out, err, "memory campaign");  // Ctrl-C or a kill checkpoints and stops
  const auto ro = run.runner_options<MemoryCampaignRunOptions>();
  const MemoryCampaignResults r = run.timed([&] { return run_memory_campaign(source.campaign, rc.file, ro); });
  if (const auto code = run.stopped(r.complete(), r.done_count, r.experiments.size())) return *code;
  const std::string& checkpoint = run.checkpoint();
  const double seconds = run.seconds();
  const Table rates = memory_rate_table(r);
  const Table fit = memory_fit_table(r, cc.memory, cc.memory_sites);

  ResultsFile h5(options.out_file);
  write_memory_campaign(h5, r, rates, fit);
  write_run_attributes(h5, rc.file, rc.json_text, rc.seed, "fast");
  h5.set_attribute("/", "model_source", source.model_source);
  h5.set_attribute("/", "input_source", source.input_source);
  h5.commit();
  const std::filesystem::path base(options.out_file);
  write_csv(std::filesystem::path(base).replace_extension(".csv").string(), rates);
  write_csv(fit_csv_path(options.out_file), fit);
  discard_checkpoint(options.out_file);

  std::string sites, codes;
  for (MemoryStructure s : cc.memory_sites) {
    sites += (sites.empty() ? "" : ", ") + std::string(to_string(s));
    codes += (codes.empty() ? "" : ", ") + std::string(to_string(s)) + " " + to_string(cc.memory.code(s));
  }
  out << "accsim " << ACCSIM_VERSION << " campaign (memory faults) | array " << rc.array.name << " (CBUF "
      << rc.array.memory.cbuf_banks << " banks x " << rc.array.memory.cbuf_bank_entries << " entries x "
      << rc.array.memory.cbuf_entry_bytes << " B) | " << source.campaign.model_name() << ", " << source.model_source
      << " | seed " << rc.seed << "\n"
      << source.input_source << " in " << r.batches << " batch" << (r.batches > 1 ? "es" : "") << " (one batch's run: "
      << r.batch_cycles << " cycles); fault-free accuracy " << std::fixed << std::setprecision(1)
      << 100.0 * static_cast<double>(r.golden_correct) / static_cast<double>(r.images) << "%\n"
      << r.experiments.size() << " experiments, one memory fault each: sites {" << sites << "}, codes {" << codes
      << "}, multi-bit upsets " << cc.memory.multi_bit_fraction * 100.0 << "%\n" << std::defaultfloat;
  if (!r.unmodelled.empty()) {
    out << "not modelled (their operands hold nothing in memory):";
    for (const std::string& n : r.unmodelled) out << " " << n;
    out << "\n";
  }
  const int threads = resolve_threads(cc.threads);
  print_ran_here(out, r.done_count - r.resumed, "", threads, seconds);
  if (r.resumed > 0) out << "; " << r.resumed << " resumed from " << checkpoint;
  out << "\n\n";
  print_memory_campaign(out, rates, fit);
  out << "\nresults: " << options.out_file << "\n";
  return 0;
}

}  // namespace accsim
