// accsim's optimisers and learning-rate schedules against PyTorch's torch.optim on fixed
// parameter and gradient sequences: tests/kernels/data/torch_optim_fixture.json, written by
// tools/python/torch_optim_fixture.py (Debian's python3-torch).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch/config_reader.h"
#include "kernels/lr_schedule.h"
#include "kernels/optimizer_table.h"

namespace accsim {
namespace {

using nlohmann::json;

const json& fixture() {
  static const json j =
      ConfigReader::load_file(std::string(ACCSIM_SOURCE_DIR) + "/tests/kernels/data/torch_optim_fixture.json");
  return j;
}

OptimizerConfig optimizer_config(const json& j) {
  OptimizerConfig c = optimizer_kind(j.at("name").get<std::string>()).defaults;
  c.lr = j.at("lr").get<double>();
  c.momentum = j.value("momentum", c.name == "sgd" ? 0.0 : c.momentum);  // torch.optim.SGD's default
  c.nesterov = j.value("nesterov", false);
  c.weight_decay = j.value("weight_decay", 0.0);
  if (j.contains("betas")) c.beta1 = j["betas"][0].get<double>(), c.beta2 = j["betas"][1].get<double>();
  c.eps = j.value("eps", c.eps);
  return c;
}

LrScheduleConfig schedule_config(const json& j) {
  LrScheduleConfig s;
  s.name = j.at("name").get<std::string>();
  s.warmup_steps = j.value("warmup_steps", 0LL);
  s.min_lr = j.value("min_lr", 0.0);
  s.step_size = j.value("step_size", 1LL);
  s.gamma = j.value("gamma", 0.1);
  return s;
}

Tensor tensor_of(const json& values, const std::vector<int>& shape) {
  Tensor t(shape);
  const std::vector<double> v = values.get<std::vector<double>>();
  EXPECT_EQ(v.size(), t.size());
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(v[i]);
  return t;
}

std::string label(const json& c) { return c.at("optimizer").dump() + " " + c.at("schedule").dump(); }

// Relative error in fp32 terms, against the tensor's largest magnitude: PyTorch's CPU
// kernels fuse some multiply-adds (e.g. add with alpha) and accsim rounds every operation
// (-ffp-contract=off; the SGD arithmetic of shipped results is unchanged), so an element
// that nearly cancels (p - lr*d close to 0) differs by a few ulps of its operands.
double relative_error(float got, double want, double scale) {
  return std::abs(static_cast<double>(got) - want) / std::max(std::abs(want), scale);
}

double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

TEST(TorchOptimReference, FixtureCoversEveryOptimiserAndSchedule) {
  std::vector<std::string> optimisers, schedules;
  for (const json& c : fixture().at("optimizers")) optimisers.push_back(c["optimizer"]["name"]);
  for (const json& c : fixture().at("schedules")) schedules.push_back(c["schedule"]["name"]);
  for (const std::string& n : optimizer_names()) EXPECT_NE(std::count(optimisers.begin(), optimisers.end(), n), 0) << n;
  for (const std::string& n : lr_schedule_names()) EXPECT_NE(std::count(schedules.begin(), schedules.end(), n), 0) << n;
}

TEST(TorchOptimReference, EveryOptimiserFollowsPyTorchStepByStep) {
  double worst = 0.0;
  for (const json& c : fixture().at("optimizers")) {
    SCOPED_TRACE(label(c));
    std::vector<ParameterSpec> specs;
    std::vector<Tensor> params;
    for (const auto& [name, shape] : c.at("shapes").items()) {
      specs.push_back({name, shape.get<std::vector<int>>()});
      params.push_back(tensor_of(c["initial"][name], specs.back().shape));
    }
    const OptimizerConfig oc = optimizer_config(c.at("optimizer"));
    const std::unique_ptr<Optimizer> opt = make_optimizer(oc, specs);
    const LrScheduleConfig sc = c["schedule"].is_null() ? LrScheduleConfig{} : schedule_config(c["schedule"]);
    const LrSchedule schedule(sc, oc.lr, c.at("total_steps").get<long long>());
    for (std::size_t t = 0; t < c.at("gradients").size(); ++t) {
      opt->set_learning_rate(schedule.at(static_cast<long long>(t)));
      EXPECT_NEAR(opt->learning_rate(), c["lr"][t].get<double>(), 1e-12 * oc.lr) << "step " << t;
      std::vector<Tensor> grads;
      for (const ParameterSpec& s : specs) grads.push_back(tensor_of(c["gradients"][t][s.name], s.shape));
      std::vector<ParameterRef> refs;
      for (std::size_t i = 0; i < specs.size(); ++i) refs.push_back({specs[i].name, &params[i], &grads[i]});
      opt->step(refs);
      for (std::size_t i = 0; i < specs.size(); ++i) {
        const std::vector<double> want = c["after"][t][specs[i].name].get<std::vector<double>>();
        for (std::size_t j = 0; j < want.size(); ++j) {
          const double e = relative_error(params[i][j], want[j], max_abs(want));
          worst = std::max(worst, e);
          EXPECT_LT(e, 1e-6) << specs[i].name << "[" << j << "] step " << t << ": " << params[i][j] << " vs " << want[j];
        }
      }
    }
  }
  RecordProperty("worst_relative_error", std::to_string(worst));
  std::printf("worst relative error against torch.optim: %.3g\n", worst);
}

TEST(TorchOptimReference, EveryScheduleFollowsPyTorchStepByStep) {
  for (const json& c : fixture().at("schedules")) {
    SCOPED_TRACE(c.dump().substr(0, 120));
    const double lr = c.at("lr").get<double>();
    const LrSchedule schedule(schedule_config(c.at("schedule")), lr, c.at("total_steps").get<long long>());
    const std::vector<double> want = c.at("lrs").get<std::vector<double>>();
    for (std::size_t t = 0; t < want.size(); ++t)
      EXPECT_NEAR(schedule.at(static_cast<long long>(t)), want[t], 1e-12 * lr) << "step " << t;
  }
}

}  // namespace
}  // namespace accsim
