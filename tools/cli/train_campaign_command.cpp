#include "tools/cli/train_campaign_command.h"

#include <chrono>
#include <filesystem>
#include <iostream>

#include "tools/cli/config_overrides.h"
#include "tools/cli/stop_signals.h"
#include "workloads/experiments/experiment_runner.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/run/workload_input.h"
#include "workloads/train_campaign/train_campaign_output.h"
#include "workloads/train_campaign/train_campaign_setup.h"
#include "workloads/train_campaign/train_campaign_summary.h"

namespace accsim {

namespace {

std::string subject_line(const RunConfig& rc, const TrainCampaignConfig& c) {
  if (!rc.workload.model.empty())
    return rc.workload.graph->name + " (" + rc.workload.model + "), " + rc.training.init + " parameters";
  return rc.workload.network.name + (c.model.empty() ? ", seeded parameters" : ", " + c.model);
}

void print_header(std::ostream& out, const RunConfig& rc, const TrainCampaignSpec& s) {
  const TrainCampaignConfig& c = s.config;
  const TrainingConfig& t = rc.training;
  out << "accsim " << ACCSIM_VERSION << " train-campaign | array " << rc.array.name << " (" << rc.array.atomic_c
      << "x" << rc.array.atomic_k << ", swizzle " << to_string(rc.array.swizzle) << ") | "
      << subject_line(rc, c) << " | seed " << s.seed
      << "\n"
      << c.experiments << " experiments of " << c.steps << " steps (batch " << t.batch_size << ", " << describe_optimization(t)
      << ", training images " << (t.train_limit ? t.train_limit : kFashionMnistTrainImages - t.validation_size)
      << ", validation " << t.validation_size << "); faults in steps [" << c.first_fault_step << ", "
      << c.last_fault_step << "], bits [" << c.bit_lo << ", " << c.bit_hi << "], margin " << c.margin << "\n";
}

}  // namespace

int train_campaign_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const RunConfig rc = load_run_config(options);
  const TrainCampaignSpec spec = train_campaign_spec(rc);
  require_labelled_images(rc.workload, rc.file, "accsim train-campaign");
  check_output_path(options.out_file);
  const std::unique_ptr<TrainingSubject> subject = training_subject(rc, spec.config);  // refusals before any output
  print_header(out, rc, spec);

  const bool own_stderr = &err == &std::cerr;
  ProgressMeter meter(err, own_stderr ? progress_style_for_stderr(options.quiet) : ProgressStyle::none,
                      "accsim: train-campaign");
  const std::string checkpoint = checkpoint_path(options.out_file);
  if (std::filesystem::exists(checkpoint)) out << "resuming from " << checkpoint << "\n";
  StopSignals signals;  // Ctrl-C, a kill: checkpoint the finished experiments, exit 130 / 143
  TrainCampaignRunOptions ro;
  ro.checkpoint = checkpoint;
  ro.stop = &signals.flag();
  ro.progress = &meter;
  const auto t0 = std::chrono::steady_clock::now();
  const TrainCampaignResults r = run_train_campaign(*subject, spec, ro);
  meter.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r.complete() && !std::filesystem::exists(checkpoint)) {  // stopped before an experiment finished
    err << "accsim: train-campaign stopped before any experiment finished; nothing was kept\n";
    return signals.exit_code();
  }
  if (!r.complete()) {
    err << "accsim: train-campaign stopped after " << r.done_count << " of " << r.runs.size()
        << " experiments; they are kept in " << checkpoint << ": rerun the same command to resume\n";
    return signals.exit_code();
  }
  const std::vector<std::string> files = write_train_campaign_outputs(options.out_file, rc, spec, r, true, err);
  discard_checkpoint(options.out_file);
  const int threads = worker_count(spec.config.threads, static_cast<std::size_t>(r.done_count - r.resumed));
  out << r.done_count - r.resumed << " experiments run here on " << threads << " thread" << (threads > 1 ? "s" : "")
      << " in " << ProgressMeter::duration(seconds);
  if (r.resumed > 0) out << "; " << r.resumed << " resumed from " << checkpoint;
  out << "\n\n";
  print_train_campaign_summary(out, r, train_campaign_summary(r.faults, r.outcomes(spec.config.margin)));
  out << "\nresults:";
  for (std::size_t i = 0; i < files.size(); ++i) out << (i ? ", " : " ") << files[i];
  out << "\n";
  return 0;
}

}  // namespace accsim
