#include "tools/cli/train_command.h"

#include "tools/cli/config_overrides.h"
#include "tools/cli/stop_signals.h"
#include "workloads/run/workload_input.h"
#include "workloads/training/training_run.h"

namespace accsim {

int train_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const RunConfig rc = load_run_config(options);
  require_labelled_images(rc.workload, rc.file, "accsim train");  // before the header: a refusal prints nothing else
  TrainingOptions to;
  to.engine = options.engine;
  to.out_file = options.out_file;
  to.seed = rc.seed;
  to.progress = progress_style_for_stderr(options.quiet);
  const TrainingConfig& t = rc.training;
  out << "accsim " << ACCSIM_VERSION << " train | array " << rc.array.name << " (" << rc.array.atomic_c << "x"
      << rc.array.atomic_k << ", swizzle " << to_string(rc.array.swizzle) << ") | "
      << (rc.workload.graph ? rc.workload.model + " (init " + rc.training.init + ")" : rc.workload.network.name)
      << " | seed " << to.seed << " | engine " << to.engine << "\n"
      << "epochs " << t.epochs << ", batch " << t.batch_size << ", " << describe_optimization(t) << ", training images "
      << (t.train_limit ? t.train_limit : kFashionMnistTrainImages - t.validation_size) << ", validation "
      << t.validation_size << ", test " << t.test_limit << "\n";
  print_faults(out, rc);
  if (!rc.workload.parameters.empty())
    err << "accsim: note: accsim train starts from seeded parameters; workload.parameters is not read\n";
  StopSignals signals;  // Ctrl-C, a kill: checkpoint after the current batch, exit 130 / 143
  to.stop = &signals.flag();
  const TrainingResult result = run_training(training_inputs(rc), to, out, err);
  if (!result.complete) {
    err << "accsim: train stopped in epoch " << result.stopped_epoch << " after " << result.stopped_batch
        << " batches; the run so far is kept in " << checkpoint_path(options.out_file)
        << ": rerun the same command to resume\n";
    return signals.exit_code();
  }
  return 0;
}

}  // namespace accsim
