#include "workloads/train_campaign/faulty_training.h"

#include <cmath>
#include <limits>

#include "workloads/run/engines.h"

namespace accsim {

std::vector<long long> curve_steps(long long first, long long steps, long long every) {
  std::vector<long long> s;
  if (every > 0)
    for (long long k = (first / every + 1) * every; k < steps; k += every) s.push_back(k);
  s.push_back(steps);
  return s;
}

namespace {

// The engines of one run: fault-free, with the permanent fault, with the transient.
struct RunEngines {
  PeFaults none, permanent, transient;
  std::unique_ptr<Engine> healthy, faulty, struck;

  RunEngines(const TrainFault* f, const ArrayConfig& array, int threads) {
    if (f && f->fault.permanent()) permanent = PeFaults(array, {f->fault});
    if (f && !f->fault.permanent()) transient = PeFaults(array, {f->fault});
    healthy = make_engine("fast", array, none, threads);
    faulty = make_engine("fast", array, permanent, threads);
    struck = make_engine("fast", array, transient, threads);
  }
  // The engine of training step `step`, and of validation after `done` steps.
  Engine& train(const TrainFault* f, long long step) {
    if (!f) return *healthy;
    if (f->fault.permanent()) return step >= f->step ? *faulty : *healthy;
    return step == f->step ? *struck : *healthy;
  }
  Engine& validate(const TrainFault* f, long long done) {
    return f && f->fault.permanent() && done > f->step ? *faulty : *healthy;
  }
};

}  // namespace

TrainRunRecord run_faulty_training(const TrainingSubject& prefix, const TrainFault* fault, const ArrayConfig& array,
                                   const TrainWindow& w, int threads) {
  const std::unique_ptr<TrainingSubject> subject = prefix.clone();
  RunEngines engines(fault, array, threads);
  TrainRunRecord rec;
  rec.loss.assign(static_cast<std::size_t>(w.steps - w.first_step), std::numeric_limits<float>::quiet_NaN());
  rec.correct_faulty.assign(w.curve_steps.size(), -1);
  rec.correct_fault_free.assign(w.curve_steps.size(), -1);
  std::size_t point = 0;
  int first_bad_pass = -1;
  for (long long step = w.first_step; step < w.steps; ++step) {
    PassRecorder recorder(engines.train(fault, step));
    const SubjectStep r = subject->train_step(step, recorder);
    if (first_bad_pass < 0 && recorder.first_non_finite()) first_bad_pass = static_cast<int>(*recorder.first_non_finite());
    rec.loss[static_cast<std::size_t>(step - w.first_step)] = static_cast<float>(r.loss);
    if (r.non_finite || !std::isfinite(r.loss)) {
      rec.crash_step = step, rec.crash_pass = first_bad_pass;
      return rec;
    }
    if (point < w.curve_steps.size() && w.curve_steps[point] == step + 1) {
      rec.correct_faulty[point] = subject->validation_correct(engines.validate(fault, step + 1));
      rec.correct_fault_free[point] = subject->validation_correct(*engines.healthy);
      ++point;
    }
  }
  return rec;
}

}  // namespace accsim
