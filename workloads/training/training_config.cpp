#include "workloads/training/training_config.h"

#include <functional>
#include <map>
#include <sstream>

#include "kernels/optimizer_table.h"

namespace accsim {

namespace {

// The optimiser block's keys, each read into the config with its allowed range.
using KeyReader = std::function<void(ConfigReader&, OptimizerConfig&)>;

void read_betas(ConfigReader& r, OptimizerConfig& c) {
  if (!r.has("betas")) return;
  const char* expected = "an array of two numbers in [0, 0.999999]";
  const nlohmann::json& v = r.get_raw("betas", expected);
  if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number())
    r.fail("betas", std::string("expected ") + expected);
  for (std::size_t i = 0; i < 2; ++i) {
    const double b = v[i].get<double>();
    if (!(b >= 0.0 && b <= 0.999999)) r.fail("betas", std::string("expected ") + expected);
  }
  c.beta1 = v[0].get<double>(), c.beta2 = v[1].get<double>();
}

const std::map<std::string, KeyReader>& optimizer_keys() {
  static const std::map<std::string, KeyReader> keys = {
      {"lr", [](ConfigReader& r, OptimizerConfig& c) { c.lr = r.get_double("lr", 1e-8, 10.0, c.lr); }},
      {"momentum", [](ConfigReader& r, OptimizerConfig& c) { c.momentum = r.get_double("momentum", 0.0, 0.999, c.momentum); }},
      {"nesterov", [](ConfigReader& r, OptimizerConfig& c) { c.nesterov = r.get_bool("nesterov", c.nesterov); }},
      {"weight_decay",
       [](ConfigReader& r, OptimizerConfig& c) { c.weight_decay = r.get_double("weight_decay", 0.0, 1.0, c.weight_decay); }},
      {"betas", read_betas},
      {"eps", [](ConfigReader& r, OptimizerConfig& c) { c.eps = r.get_double("eps", 1e-12, 1.0, c.eps); }},
  };
  return keys;
}

OptimizerConfig parse_optimizer(ConfigReader r) {
  const OptimizerKind& kind = optimizer_kind(r.get_choice("name", optimizer_names(), "sgd"));
  OptimizerConfig c = kind.defaults;
  for (const std::string& key : kind.keys) optimizer_keys().at(key)(r, c);
  if (c.nesterov && c.momentum == 0.0) r.fail("nesterov", "true needs momentum > 0");
  r.finish();  // a key of another optimiser (e.g. momentum for adam) is refused here
  return c;
}

// The pre-block form: learning_rate, momentum, weight_decay in `training` itself (SGD).
void parse_flat_sgd(ConfigReader& r, OptimizerConfig& c) {
  c.lr = r.get_double("learning_rate", 1e-8, 10.0, c.lr);
  c.momentum = r.get_double("momentum", 0.0, 0.999, c.momentum);
  c.weight_decay = r.get_double("weight_decay", 0.0, 1.0, c.weight_decay);
}

// The keys each schedule reads besides name and warmup_steps, with their ranges (min_lr: up
// to the optimiser's lr).
using ScheduleKeyReader = void (*)(ConfigReader&, LrScheduleConfig&, double lr);

void read_min_lr(ConfigReader& r, LrScheduleConfig& s, double lr) { s.min_lr = r.get_double("min_lr", 0.0, lr, s.min_lr); }
void read_step_size(ConfigReader& r, LrScheduleConfig& s, double) {
  s.step_size = r.get_int("step_size", 1, 1000000000, s.step_size);
}
void read_gamma(ConfigReader& r, LrScheduleConfig& s, double) { s.gamma = r.get_double("gamma", 1e-6, 1.0, s.gamma); }

const std::map<std::string, std::vector<ScheduleKeyReader>> kScheduleKeys = {
    {"constant", {}}, {"cosine", {read_min_lr}}, {"step", {read_step_size, read_gamma}}};

LrScheduleConfig parse_schedule(ConfigReader r, double lr) {
  LrScheduleConfig s;
  s.name = r.get_choice("name", lr_schedule_names(), s.name);
  s.warmup_steps = r.get_int("warmup_steps", 0, 1000000000, s.warmup_steps);
  for (ScheduleKeyReader read : kScheduleKeys.at(s.name)) read(r, s, lr);
  r.finish();  // a key of another schedule (e.g. gamma for cosine) is refused here
  return s;
}

}  // namespace

TrainingConfig parse_training_config(ConfigReader r) {
  TrainingConfig t;
  t.epochs = static_cast<int>(r.get_int("epochs", 1, 10000, t.epochs));
  t.batch_size = static_cast<int>(r.get_int("batch_size", 1, 4096, t.batch_size));
  if (r.has("optimizer")) {
    for (const char* flat : {"learning_rate", "momentum", "weight_decay"})
      if (r.has(flat)) r.fail(flat, "give the optimiser either in training.optimizer or as learning_rate/momentum/"
                                    "weight_decay here, not both");
    t.optimizer = parse_optimizer(r.get_object("optimizer"));
  } else {
    parse_flat_sgd(r, t.optimizer);
  }
  if (r.has("schedule")) t.schedule = parse_schedule(r.get_object("schedule"), t.optimizer.lr);
  t.validation_size = static_cast<int>(r.get_int("validation_size", 1, 30000, t.validation_size));
  t.train_limit = static_cast<int>(r.get_int("train_limit", 0, kFashionMnistTrainImages - t.validation_size, 0));
  t.test_limit = static_cast<int>(r.get_int("test_limit", 1, 10000, t.test_limit));
  t.eval_batch = static_cast<int>(r.get_int("eval_batch", 1, 4096, t.eval_batch));
  t.init = r.get_choice("init", {"onnx", "seeded", "kaiming"}, t.init);
  t.threads = static_cast<int>(r.get_int("threads", 0, 1024, t.threads));
  r.finish();
  return t;
}

std::string describe_optimization(const TrainingConfig& t) {
  const OptimizerConfig& o = t.optimizer;
  std::ostringstream s;
  s << o.name << " lr " << o.lr;
  if (o.name == "sgd") s << ", momentum " << o.momentum << (o.nesterov ? " (nesterov)" : "");
  else s << ", betas " << o.beta1 << "/" << o.beta2 << ", eps " << o.eps;
  s << ", weight decay " << o.weight_decay << ", " << t.schedule.name << " lr";
  if (t.schedule.warmup_steps > 0) s << " after " << t.schedule.warmup_steps << " warm-up steps";
  return s.str();
}

}  // namespace accsim
