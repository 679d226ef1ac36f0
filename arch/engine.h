#pragma once
// One interface, two engines: `cycle` (the SystemC model, the ground truth) and
// `fast` (the array-faithful kernel). Both run a ConvJob on an array with faults.
#include <string>

#include "arch/conv_job.h"
#include "arch/job_timing.h"
#include "arch/tensor.h"

namespace accsim {

struct JobResult {
  Tensor output;  // [n, k, p, q]
  JobTiming timing;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;
  // input [n, c, h, w], weights [k, c, r, s]. `start_cycle`: the run cycle at which
  // the job starts; transient faults are given in run cycles.
  virtual JobResult run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) = 0;
};

// Throws std::invalid_argument when the tensors do not match the job's shape.
void check_job_operands(const ConvJob& job, const Tensor& input, const Tensor& weights);

}  // namespace accsim
