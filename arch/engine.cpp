#include "arch/engine.h"

#include <stdexcept>

namespace accsim {

void check_job_operands(const ConvJob& job, const Tensor& input, const Tensor& weights) {
  const ConvShape& s = job.shape;
  s.validate();
  validate_pdp_window(job.pool, s.p(), s.q());
  if (input.shape() != std::vector<int>{s.n, s.c, s.h, s.w})
    throw std::invalid_argument(job.layer + ": input " + input.shape_string() + " does not match the job's [n,c,h,w]");
  const bool matrix = s.r == 1 && s.s == 1 && weights.shape() == std::vector<int>{s.k, s.c};
  if (!matrix && weights.shape() != std::vector<int>{s.k, s.c, s.r, s.s})
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
