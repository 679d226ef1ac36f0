#include "workloads/training/training_config.h"

namespace accsim {

TrainingConfig parse_training_config(ConfigReader r) {
  TrainingConfig t;
  t.epochs = static_cast<int>(r.get_int("epochs", 1, 10000, t.epochs));
  t.batch_size = static_cast<int>(r.get_int("batch_size", 1, 4096, t.batch_size));
  t.sgd.lr = static_cast<float>(r.get_double("learning_rate", 1e-8, 10.0, t.sgd.lr));
  t.sgd.momentum = static_cast<float>(r.get_double("momentum", 0.0, 0.999, t.sgd.momentum));
  t.sgd.weight_decay = static_cast<float>(r.get_double("weight_decay", 0.0, 1.0, t.sgd.weight_decay));
  t.validation_size = static_cast<int>(r.get_int("validation_size", 1, 30000, t.validation_size));
  t.train_limit = static_cast<int>(r.get_int("train_limit", 0, kFashionMnistTrainImages - t.validation_size, 0));
  t.test_limit = static_cast<int>(r.get_int("test_limit", 1, 10000, t.test_limit));
  t.eval_batch = static_cast<int>(r.get_int("eval_batch", 1, 4096, t.eval_batch));
  t.init = r.get_choice("init", {"onnx", "seeded"}, t.init);
  t.threads = static_cast<int>(r.get_int("threads", 0, 1024, t.threads));
  r.finish();
  return t;
}

}  // namespace accsim
