#include "tools/cli/train_campaign_command.h"

#include <chrono>
#include <filesystem>
#include <iostream>

#include "tools/cli/config_overrides.h"
#include "tools/cli/resumable_run.h"
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

  ResumableRun run(options, out, err, "train-campaign");  // Ctrl-C, a kill: checkpoint the finished experiments
  const auto ro = run.runner_options<TrainCampaignRunOptions>();
  const TrainCampaignResults r = run.timed([&] { return run_train_campaign(*subject, spec, ro); });
  if (const auto code = run.stopped(r.complete(), r.done_count, r.runs.size())) return *code;
  const std::string& checkpoint = run.checkpoint();
  const double seconds = run.seconds();
  const std::vector<std::string> files = write_train_campaign_outputs(options.out_file, rc, spec, r, true, err);
  discard_checkpoint(options.out_file);
  const int threads = worker_count(spec.config.threads, static_cast<std::size_t>(r.done_count - r.resumed));
  print_ran_here(out, r.done_count - r.resumed, " experiments", threads, seconds);
  if (r.resumed > 0) out << "; " << r.resumed << " resumed from " << checkpoint;
  out << "\n\n";
  print_train_campaign_summary(out, r, train_campaign_summary(r.faults, r.outcomes(spec.config.margin)));
  out << "\nresults:";
  for (std::size_t i = 0; i < files.size(); ++i) out << (i ? ", " : " ") << files[i];
  out << "\n";
  return 0;
}

}  // namespace accsim
