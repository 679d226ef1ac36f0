#include "kernels/lr_schedule.h"

#include <cmath>
#include <stdexcept>

namespace accsim {

namespace {

using Decay = double (*)(const LrScheduleConfig&, double, long long, long long);

double constant(const LrScheduleConfig&, double lr, long long, long long) { return lr; }

double cosine(const LrScheduleConfig& c, double lr, long long s, long long S) {
  if (s >= S) return c.min_lr;
  const double pi = std::acos(-1.0);
  return c.min_lr + (lr - c.min_lr) * (1.0 + std::cos(pi * static_cast<double>(s) / static_cast<double>(S))) / 2.0;
}

double step_decay(const LrScheduleConfig& c, double lr, long long s, long long) {
  return lr * std::pow(c.gamma, static_cast<double>(s / c.step_size));
}

struct ScheduleKind {
  const char* name;
  Decay decay;
};

const ScheduleKind kKinds[] = {{"constant", constant}, {"cosine", cosine}, {"step", step_decay}};

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("lr schedule: " + what);
}

}  // namespace

LrSchedule::LrSchedule(const LrScheduleConfig& config, double base_lr, long long total_steps)
    : config_(config), base_lr_(base_lr), total_steps_(total_steps), decay_(nullptr) {
  for (const ScheduleKind& k : kKinds)
    if (config.name == k.name) decay_ = k.decay;
  require(decay_ != nullptr, "unknown schedule \"" + config.name + "\"");
  require(std::isfinite(base_lr) && base_lr > 0.0, "the base lr must be finite and > 0");
  require(total_steps >= 0 && config.warmup_steps >= 0, "negative step counts");
  require(config.min_lr >= 0.0 && config.min_lr <= base_lr, "min_lr must be in [0, lr]");
  require(config.step_size >= 1, "step_size must be >= 1");
  require(config.gamma > 0.0 && config.gamma <= 1.0, "gamma must be in (0, 1]");
}

double LrSchedule::at(long long step) const {
  const long long w = config_.warmup_steps;
  if (step < w) return base_lr_ * static_cast<double>(step + 1) / static_cast<double>(w);
  return decay_(config_, base_lr_, step - w, total_steps_ - w);
}

std::vector<std::string> lr_schedule_names() {
  std::vector<std::string> names;
  for (const ScheduleKind& k : kKinds) names.push_back(k.name);
  return names;
}

}  // namespace accsim
