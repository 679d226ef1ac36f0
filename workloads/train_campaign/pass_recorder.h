#pragma once
// An engine that runs every job on another engine and notes what it ran: each job's pass
// and cycles (the timeline a transient is placed on) and the first job whose output held
// NaN or Inf (where a crash began). It changes no result.
#include <optional>
#include <vector>

#include "arch/engine.h"
#include "arch/pass_lowering.h"

namespace accsim {

struct JobSpan {
  Pass pass = Pass::forward;
  long long start = 0, cycles = 0;  // run cycles
};

Pass pass_of(JobKind kind);

class PassRecorder : public Engine {
 public:
  explicit PassRecorder(Engine& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  JobResult run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) override;
  JobResult run_encoded(const ConvJob& job, const ArrayOperands& operands, long long start_cycle) override;

  const std::vector<JobSpan>& jobs() const { return jobs_; }
  const std::optional<Pass>& first_non_finite() const { return first_non_finite_; }
  void clear() { jobs_.clear(), first_non_finite_.reset(); }

 private:
  JobResult note(const ConvJob& job, long long start_cycle, JobResult r);
  Engine& inner_;
  std::vector<JobSpan> jobs_;
  std::optional<Pass> first_non_finite_;
};

// Cycles of `timeline`'s jobs of pass `p`.
long long pass_cycles(const std::vector<JobSpan>& timeline, Pass p);
// The run cycle of the k-th cycle (k < pass_cycles) of pass `p`'s jobs, in timeline order.
long long cycle_of_pass(const std::vector<JobSpan>& timeline, Pass p, long long k);

}  // namespace accsim
