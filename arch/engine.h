#pragma once
// One interface, two engines: `cycle` (the SystemC model, the ground truth) and
// `fast` (the array-faithful kernel). Both run a ConvJob on an array with faults.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "arch/array_operands.h"
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
  // input [n, c, h, w], weights [k, c, r, s]; a job with r = s = 1 may take its weights
  // as the matrix [k, c] (the same elements in the same order: a Gemm's [n, k] weights
  // are used where they lie instead of copied per call). `start_cycle`: the run cycle at
  // which the job starts; transient faults are given in run cycles.
  // The operands are converted to the array's number format at the array boundary
  // (arch/array_operands.h); the output comes back as fp32.
  virtual JobResult run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) = 0;
  // The same on operands already in register words (e.g. words with bit masks
  // applied, or int8 words with chosen scales); operands.datatype must be the array's.
  virtual JobResult run_encoded(const ConvJob& job, const ArrayOperands& operands, long long start_cycle) = 0;

  // Jobs run back to back from `start_cycle` (job i starts at the cycle job i-1 ends),
  // e.g. a grouped convolution's groups. `inputs[i]`, `weights[i]`: job i's operands.
  // The default runs them one at a time through run(); an engine may run them at once
  // when every result is the one run() would give.
  virtual std::vector<JobResult> run_sequence(const std::vector<ConvJob>& jobs, const std::vector<Tensor>& inputs,
                                              const std::vector<Tensor>& weights, long long start_cycle);
  // The job's timing before it runs, when the engine knows it from the job alone (the
  // fast engine's closed form): later jobs can then start before it ends at the cycles
  // they would have started at. nullopt: known only from the run.
  virtual std::optional<JobTiming> timing_before_run(const ConvJob&) const { return std::nullopt; }
  // Threads a job may use.
  virtual int threads() const { return 1; }
  // run() on at most `threads` of them (a job its caller keeps on one thread while other
  // work runs beside it); the bits never depend on it. By default, run().
  virtual JobResult run_on(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle,
                           int /*threads*/) {
    return run(job, input, weights, start_cycle);
  }
};

// The one rule for a job's stationary operand: its weights as [k, c, r, s], or a 1x1
// job's as the matrix [k, c] (the same elements in the same order: a Gemm's [n, k]
// weights are used where they lie). The [k, c, r, s] these weights stand for (a
// matrix's as [k, c, 1, 1]); nullopt for any other rank. Allocates nothing.
using KernelDims = std::array<int, 4>;
std::optional<KernelDims> job_weight_dims(const Tensor& weights);

// Throws std::invalid_argument when the tensors do not match the job's shape (weights
// whose job_weight_dims are the job's [k, c, r, s]).
void check_job_operands(const ConvJob& job, const Tensor& input, const Tensor& weights);

}  // namespace accsim
