#include "tools/cli/memory_campaign_command.h"

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "tools/cli/output_guard.h"
#include "tools/cli/stop_signals.h"
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

namespace {

// Runs what the checkpoint does not hold yet; Ctrl-C or a kill checkpoints and stops.
MemoryCampaignResults run_with_checkpoint(const RunOptions& options, const Campaign& campaign, const std::string& file,
                                          std::ostream& out, std::ostream& err, StopSignals& signals) {
  const std::string checkpoint = checkpoint_path(options.out_file);
  if (std::filesystem::exists(checkpoint)) out << "resuming from " << checkpoint << "\n";
  const bool own_stderr = &err == &std::cerr;
  ProgressMeter meter(err, own_stderr ? progress_style_for_stderr(options.quiet) : ProgressStyle::none,
                      "accsim: memory campaign");
  MemoryCampaignRunOptions ro;
  ro.checkpoint = checkpoint;
  ro.stop = &signals.flag();
  ro.progress = &meter;
  MemoryCampaignResults r = run_memory_campaign(campaign, file, ro);
  meter.finish();
  return r;
}

}  // namespace

int memory_campaign_command(const RunOptions& options, const RunConfig& rc, const CampaignSource& source,
                            std::ostream& out, std::ostream& err) {
  const CampaignConfig& cc = *rc.campaign;
  RunOptions guarded = options;  // the FIT table is this campaign's own companion: guarded like the others
  guarded.outputs.push_back(fit_csv_path(options.out_file));
  refuse_unsafe_outputs(guarded, run_inputs(rc, options.config_file));
  {
    ResultsFile probe(options.out_file);  // fail before the work if the output cannot be written
  }
  StopSignals signals;
  const auto t0 = std::chrono::steady_clock::now();
  const MemoryCampaignResults r = run_with_checkpoint(options, source.campaign, rc.file, out, err, signals);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string checkpoint = checkpoint_path(options.out_file);
  if (!r.complete() && !std::filesystem::exists(checkpoint)) {  // stopped before an experiment finished
    err << "accsim: memory campaign stopped before any experiment finished; nothing was kept\n";
    return signals.exit_code();
  }
  if (!r.complete()) {
    err << "accsim: memory campaign stopped after " << r.done_count << " of " << r.experiments.size()
        << " experiments; they are kept in " << checkpoint << ": rerun the same command to resume\n";
    return signals.exit_code();
  }
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
  out << r.done_count - r.resumed << " run here on " << threads << " thread" << (threads > 1 ? "s" : "") << " in "
      << ProgressMeter::duration(seconds);
  if (r.resumed > 0) out << "; " << r.resumed << " resumed from " << checkpoint;
  out << "\n\n";
  print_memory_campaign(out, rates, fit);
  out << "\nresults: " << options.out_file << "\n";
  return 0;
}

}  // namespace accsim
