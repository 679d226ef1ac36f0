#include "workloads/train_campaign/pass_recorder.h"

#include <cmath>
#include <stdexcept>

namespace accsim {

Pass pass_of(JobKind kind) {
  static const Pass passes[] = {Pass::forward, Pass::forward, Pass::backward_data, Pass::backward_weight};
  return passes[static_cast<int>(kind)];  // JobKind order: forward_conv, forward_fc, backward_data, backward_weight
}

JobResult PassRecorder::note(const ConvJob& job, long long start_cycle, JobResult r) {
  jobs_.push_back({pass_of(job.kind), start_cycle, r.timing.cycles});
  if (!first_non_finite_) {
    const float* d = r.output.data();
    for (std::size_t i = 0; i < r.output.size(); ++i)
      if (!std::isfinite(d[i])) {
        first_non_finite_ = pass_of(job.kind);
        break;
      }
  }
  return r;
}

JobResult PassRecorder::run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) {
  return note(job, start_cycle, inner_.run(job, input, weights, start_cycle));
}

JobResult PassRecorder::run_encoded(const ConvJob& job, const ArrayOperands& operands, long long start_cycle) {
  return note(job, start_cycle, inner_.run_encoded(job, operands, start_cycle));
}

long long pass_cycles(const std::vector<JobSpan>& timeline, Pass p) {
  long long n = 0;
  for (const JobSpan& j : timeline)
    if (j.pass == p) n += j.cycles;
  return n;
}

long long cycle_of_pass(const std::vector<JobSpan>& timeline, Pass p, long long k) {
  for (const JobSpan& j : timeline) {
    if (j.pass != p) continue;
    if (k < j.cycles) return j.start + k;
    k -= j.cycles;
  }
  throw std::out_of_range("cycle_of_pass: the pass has fewer cycles");
}

}  // namespace accsim
