// The `training` block's optimiser and schedule keys: defaults, every key read, and bad
// values refused with the file, the JSON path and the allowed range.
#include "workloads/training/training_config.h"

#include <gtest/gtest.h>

#include <string>

namespace accsim {
namespace {

using nlohmann::json;

TrainingConfig parse(const json& training) { return parse_training_config(ConfigReader(training, "t.json", "training")); }

// The InputError message of parsing `training`, or "" if it parses.
std::string error_of(const json& training) {
  try {
    parse(training);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(TrainingConfig, WithoutOptimiserKeysItIsTodaysSgdAtAConstantRate) {
  const TrainingConfig t = parse(json::object());
  EXPECT_EQ(t.optimizer.name, "sgd");
  EXPECT_EQ(t.optimizer.lr, 0.01);
  EXPECT_EQ(t.optimizer.momentum, 0.9);
  EXPECT_FALSE(t.optimizer.nesterov);
  EXPECT_EQ(t.optimizer.weight_decay, 0.0);
  EXPECT_EQ(t.schedule.name, "constant");
  EXPECT_EQ(t.schedule.warmup_steps, 0);
}

TEST(TrainingConfig, TheFlatSgdKeysAndTheOptimizerBlockGiveTheSameConfig) {
  const TrainingConfig flat = parse({{"learning_rate", 0.02}, {"momentum", 0.8}, {"weight_decay", 5e-4}});
  const TrainingConfig block =
      parse({{"optimizer", {{"name", "sgd"}, {"lr", 0.02}, {"momentum", 0.8}, {"weight_decay", 5e-4}}}});
  for (const TrainingConfig* t : {&flat, &block}) {
    EXPECT_EQ(t->optimizer.name, "sgd");
    EXPECT_EQ(t->optimizer.lr, 0.02);
    EXPECT_EQ(t->optimizer.momentum, 0.8);
    EXPECT_EQ(t->optimizer.weight_decay, 5e-4);
  }
}

TEST(TrainingConfig, ReadsEveryOptimiserAndScheduleKey) {
  const TrainingConfig t = parse({{"optimizer", {{"name", "adamw"}, {"lr", 3e-4}, {"betas", {0.85, 0.98}}, {"eps", 1e-6},
                                                 {"weight_decay", 0.05}}},
                                  {"schedule", {{"name", "cosine"}, {"warmup_steps", 100}, {"min_lr", 1e-5}}}});
  EXPECT_EQ(t.optimizer.name, "adamw");
  EXPECT_EQ(t.optimizer.lr, 3e-4);
  EXPECT_EQ(t.optimizer.beta1, 0.85);
  EXPECT_EQ(t.optimizer.beta2, 0.98);
  EXPECT_EQ(t.optimizer.eps, 1e-6);
  EXPECT_EQ(t.optimizer.weight_decay, 0.05);
  EXPECT_EQ(t.schedule.name, "cosine");
  EXPECT_EQ(t.schedule.warmup_steps, 100);
  EXPECT_EQ(t.schedule.min_lr, 1e-5);
  const TrainingConfig s = parse({{"optimizer", {{"nesterov", true}}},
                                  {"schedule", {{"name", "step"}, {"step_size", 50}, {"gamma", 0.5}}}});
  EXPECT_TRUE(s.optimizer.nesterov);
  EXPECT_EQ(s.schedule.step_size, 50);
  EXPECT_EQ(s.schedule.gamma, 0.5);
  const TrainingConfig adamw = parse({{"optimizer", {{"name", "adamw"}}}});  // PyTorch's defaults
  EXPECT_EQ(adamw.optimizer.lr, 1e-3);
  EXPECT_EQ(adamw.optimizer.weight_decay, 1e-2);
}

TEST(TrainingConfig, BadOptimiserAndScheduleValuesNameTheFileThePathAndTheRange) {
  const std::pair<json, std::string> cases[] = {
      {{{"optimizer", {{"name", "lion"}}}}, "t.json: training.optimizer.name: \"lion\" is not one of {sgd, adam, adamw}"},
      {{{"optimizer", {{"lr", 0.0}}}}, "training.optimizer.lr: 0.0 is outside the allowed range [1e-08, 10]"},
      {{{"optimizer", {{"momentum", 1.0}}}}, "training.optimizer.momentum: 1.0 is outside the allowed range [0, 0.999]"},
      {{{"optimizer", {{"momentum", 0.0}, {"nesterov", true}}}}, "training.optimizer.nesterov: true needs momentum > 0"},
      {{{"optimizer", {{"name", "adam"}, {"betas", {0.9, 1.0}}}}},
       "training.optimizer.betas: expected an array of two numbers in [0, 0.999999]"},
      {{{"optimizer", {{"name", "adam"}, {"betas", {0.9}}}}}, "training.optimizer.betas: expected an array of two"},
      {{{"optimizer", {{"name", "adam"}, {"eps", 0.0}}}}, "training.optimizer.eps: 0.0 is outside the allowed range [1e-12, 1]"},
      {{{"optimizer", {{"name", "adam"}, {"momentum", 0.9}}}}, "training.optimizer.momentum: unknown key"},
      {{{"optimizer", {{"betas", {0.9, 0.99}}}}}, "training.optimizer.betas: unknown key"},
      {{{"optimizer", {{"weight_decay", 2.0}}}}, "training.optimizer.weight_decay: 2.0 is outside the allowed range [0, 1]"},
      {{{"optimizer", json::object()}, {"momentum", 0.9}}, "training.momentum: give the optimiser either"},
      {{{"schedule", {{"name", "linear"}}}}, "training.schedule.name: \"linear\" is not one of {constant, cosine, step}"},
      {{{"schedule", {{"warmup_steps", -1}}}}, "training.schedule.warmup_steps: -1 is outside the allowed range"},
      {{{"schedule", {{"name", "cosine"}, {"min_lr", 0.5}}}}, "training.schedule.min_lr: 0.5 is outside the allowed range [0, 0.01]"},
      {{{"schedule", {{"name", "step"}, {"gamma", 0.0}}}}, "training.schedule.gamma: 0.0 is outside the allowed range"},
      {{{"schedule", {{"name", "step"}, {"step_size", 0}}}}, "training.schedule.step_size: 0 is outside the allowed range"},
      {{{"schedule", {{"name", "cosine"}, {"gamma", 0.5}}}}, "training.schedule.gamma: unknown key"},
  };
  for (const auto& [training, expected] : cases) {
    const std::string e = error_of(training);
    EXPECT_NE(e.find(expected), std::string::npos) << training.dump() << "\n  got: " << e;
    EXPECT_EQ(e.rfind("t.json: training.", 0), 0u) << e;
  }
}

}  // namespace
}  // namespace accsim
