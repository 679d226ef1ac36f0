#include "arch/engine.h"

#include <stdexcept>

namespace accsim {

std::optional<KernelDims> job_weight_dims(const Tensor& w) {
  if (w.rank() == 2) return KernelDims{w.dim(0), w.dim(1), 1, 1};
  if (w.rank() == 4) return KernelDims{w.dim(0), w.dim(1), w.dim(2), w.dim(3)};
  return std::nullopt;
}

void check_job_operands(const ConvJob& job, const Tensor& input, const Tensor& weights) {
  const ConvShape& s = job.shape;
  s.validate();
  validate_pdp_window(job.pool, s.p(), s.q());
  // Dims compared in place: a graph's batched MatMul checks thousands of jobs a batch.
  const bool input_ok = input.rank() == 4 && input.dim(0) == s.n && input.dim(1) == s.c && input.dim(2) == s.h &&
                        input.dim(3) == s.w;
  if (!input_ok)
    throw std::invalid_argument(job.layer + ": input " + input.shape_string() + " does not match the job's [n,c,h,w]");
  if (job_weight_dims(weights) != KernelDims{s.k, s.c, s.r, s.s})
    throw std::invalid_argument(job.layer + ": weights " + weights.shape_string() + " do not match the job's [k,c,r,s]");
}

std::vector<JobResult> Engine::run_sequence(const std::vector<ConvJob>& jobs, const std::vector<Tensor>& inputs,
                                            const std::vector<Tensor>& weights, long long start_cycle) {
  std::vector<JobResult> results;
  results.reserve(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    results.push_back(run(jobs[i], inputs.at(i), weights.at(i), start_cycle));
    start_cycle += results.back().timing.cycles;
  }
  return results;
}

}  // namespace accsim
