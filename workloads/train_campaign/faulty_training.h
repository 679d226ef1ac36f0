#pragma once
// One run of a training-fault campaign: from the shared fault-free prefix (the subject
// after first_fault_step steps), the remaining steps with the experiment's fault (none for
// the fault-free reference), validated at the curve steps on the faulty array (its
// permanent fault, once it appeared) and on a fault-free one. A non-finite loss ends the
// run: training would have stopped there.
#include <vector>

#include "arch/array_config.h"
#include "workloads/train_campaign/train_fault.h"
#include "workloads/train_campaign/training_subject.h"

namespace accsim {

struct TrainRunRecord {
  std::vector<float> loss;  // per step from first_fault_step; NaN where not run (after a crash)
  std::vector<long long> correct_faulty, correct_fault_free;  // per curve step; -1 where not run
  long long crash_step = -1;  // first step whose loss was non-finite
  int crash_pass = -1;        // Pass of its first job with a non-finite output; -1: none (the host's arithmetic)
};

struct TrainWindow {
  long long first_step = 0, steps = 0;  // steps [first_step, steps) run here
  std::vector<long long> curve_steps;   // validate after this many steps, ascending, the last = steps
};

// Curve steps of a campaign: every `every` steps after `first` (0: none), and `steps`.
std::vector<long long> curve_steps(long long first, long long steps, long long every);

// `fault`: null for the fault-free reference. `prefix` is cloned, not changed.
TrainRunRecord run_faulty_training(const TrainingSubject& prefix, const TrainFault* fault, const ArrayConfig& array,
                                   const TrainWindow& window, int threads = 1);

}  // namespace accsim
