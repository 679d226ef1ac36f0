#include "tools/cli/campaign_command.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "arch/input_error.h"
#include "tools/cli/config_overrides.h"
#include "tools/cli/memory_campaign_command.h"
#include "tools/cli/resumable_run.h"
#include "workloads/experiments/available_cpus.h"
#include "workloads/campaign/campaign.h"
#include "workloads/campaign/campaign_report.h"
#include "workloads/campaign/campaign_setup.h"
#include "workloads/experiments/progress_meter.h"
#include "workloads/io/csv_writer.h"
#include "workloads/io/run_attributes.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/run/run_config.h"

namespace accsim {

namespace {

template <typename T>
std::string joined(const std::vector<T>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + to_string(x);
  return "{" + s + "}";
}

}  // namespace

const CampaignConfig& campaign_block(const RunConfig& rc, const std::string& command) {
  if (!rc.campaign)
    throw InputError(rc.file + ": campaign: required key is missing (accsim " + command +
                     " needs a \"campaign\" object, docs/config.md)");
  if (!rc.faults.empty())
    throw InputError(rc.file + ": faults: a campaign draws its own fault per experiment; remove \"faults\" (or "
                               "leave it empty)");
  return *rc.campaign;
}

int campaign_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const RunConfig rc = load_run_config(options);
  const CampaignConfig& cc = campaign_block(rc, "campaign");
  const std::uint64_t seed = rc.seed;
  const CampaignSource source = load_campaign(rc, seed, err);
  const Campaign& campaign = source.campaign;
  if (!cc.memory_sites.empty()) return memory_campaign_command(options, rc, source, out, err);  // docs/memory_faults.md

  {
    // Fail before hours of work if the output cannot be written.
    ResultsFile probe(options.out_file);
  }
  ResumableRun run(options, out, err, "campaign");
  const auto ro = run.runner_options<CampaignRunOptions>();
  const CampaignResults results = run.timed([&] { return run_campaign(campaign, ro); });
  if (const auto code = run.stopped(results.complete(), results.done_count, results.experiments.size())) return *code;
  const std::string& checkpoint = run.checkpoint();
  const double seconds = run.seconds();

  const CampaignSummary summary = summarize_campaign(results, cc);
  ResultsFile h5(options.out_file);
  write_campaign_results(h5, campaign, results, summary);
  write_run_attributes(h5, rc.file, rc.json_text, seed, "fast");
  h5.set_attribute("/", "model_source", source.model_source);
  h5.set_attribute("/", "input_source", source.input_source);
  h5.set_attribute("/", "swizzle", to_string(rc.array.swizzle));
  h5.set_attribute("/", "atomic_c", rc.array.atomic_c);
  h5.set_attribute("/", "atomic_k", rc.array.atomic_k);
  h5.set_attribute("/", "stripe_length", rc.array.stripe_length);
  h5.commit();
  const std::string csv = std::filesystem::path(options.out_file).replace_extension(".csv").string();
  write_csv(csv, campaign_csv_table(results));
  discard_checkpoint(options.out_file);

  const long long fresh = results.done_count - results.resumed;
  const int threads = resolve_threads(cc.threads);
  out << "accsim " << ACCSIM_VERSION << " campaign | array " << rc.array.name << " (" << rc.array.atomic_c << "x"
      << rc.array.atomic_k << ", swizzle " << to_string(rc.array.swizzle) << ") | " << campaign.model_name() << ", "
      << source.model_source << " | seed " << seed << "\n";
  out << source.input_source << " in " << results.batches << " batch" << (results.batches > 1 ? "es" : "")
      << " of up to " << std::min<long long>(cc.batch, results.images) << " (one batch's run: " << results.batch_cycles
      << " cycles); fault-free accuracy " << std::fixed << std::setprecision(1)
      << 100.0 * static_cast<double>(results.golden_correct) / static_cast<double>(results.images) << "%\n"
      << std::defaultfloat;
  out << results.experiments.size() << " experiments, one fault each: sites " << joined(cc.sites) << ", kinds "
      << joined(cc.kinds) << ", bits [" << cc.bit_lo << ", " << cc.bit_hi << "]";
  if (!cc.mitigations.empty())
    out << "; each fault also under " << cc.mitigations.size() << " mitigation variant"
        << (cc.mitigations.size() > 1 ? "s" : "");
  if (results.resumed > 0) out << "; " << results.resumed << " resumed from " << checkpoint;
  out << "\n";
  print_ran_here(out, fresh, "", threads, seconds, "experiment-images/s", static_cast<double>(results.images));
  out << "\n\n";
  print_campaign_summary(out, summary, results);
  out << "\nresults: " << options.out_file << ", " << csv << "\n";
  return 0;
}

}  // namespace accsim
