#include "tools/cli/train_command.h"

#include "workloads/training_run.h"

namespace accsim {

int train_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  RunConfig rc = parse_run_config(options.config_file);
  if (options.train_limit) rc.training.train_limit = *options.train_limit;
  if (options.test_limit) rc.training.test_limit = *options.test_limit;
  if (options.epochs) rc.training.epochs = *options.epochs;
  TrainingOptions to;
  to.engine = options.engine;
  to.out_file = options.out_file;
  to.seed = options.seed.value_or(rc.seed);
  to.progress = progress_style_for_stderr(options.quiet);
  const TrainingConfig& t = rc.training;
  out << "accsim " << ACCSIM_VERSION << " train | array " << rc.array.name << " (" << rc.array.atomic_c << "x"
      << rc.array.atomic_k << ", swizzle " << to_string(rc.array.swizzle) << ") | " << rc.workload.network.name
      << " | seed " << to.seed << " | engine " << to.engine << "\n"
      << "epochs " << t.epochs << ", batch " << t.batch_size << ", lr " << t.sgd.lr << ", momentum " << t.sgd.momentum
      << ", weight decay " << t.sgd.weight_decay << ", training images "
      << (t.train_limit ? t.train_limit : kFashionMnistTrainImages - t.validation_size) << ", validation "
      << t.validation_size << ", test " << t.test_limit << "\n";
  print_faults(out, rc);
  run_training(rc, to, out, err);
  return 0;
}

}  // namespace accsim
