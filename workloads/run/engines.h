#pragma once
// The two engines behind one interface: `cycle` (SystemC model, ground truth) and
// `fast` (fault mapper + array-faithful kernel + closed-form cycles), bit-identical.
#include <memory>
#include <string>
#include <vector>

#include "arch/engine.h"
#include "arch/pe_faults.h"

namespace accsim {

class FastEngine : public Engine {
 public:
  // `threads` > 1 splits each job's output positions over threads (same bits).
  FastEngine(const ArrayConfig& array, const PeFaults& faults, int threads = 1);
  std::string name() const override { return "fast"; }
  JobResult run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) override;
  JobResult run_encoded(const ConvJob& job, const ArrayOperands& operands, long long start_cycle) override;
  // Many jobs split over the threads a job at a time (each job on one thread: the same
  // bits as run()); too few jobs to share out evenly run one by one as run() does.
  std::vector<JobResult> run_sequence(const std::vector<ConvJob>& jobs, const std::vector<Tensor>& inputs,
                                      const std::vector<Tensor>& weights, long long start_cycle) override;
  std::optional<JobTiming> timing_before_run(const ConvJob& job) const override {
    return closed_form_timing(job, array_);
  }
  int threads() const override { return threads_; }
  JobResult run_on(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle,
                   int threads) override;

 private:

  ArrayConfig array_;
  const PeFaults& faults_;
  int threads_;
};

const std::vector<std::string>& engine_names();  // {"fast", "cycle"}
// `faults` must outlive the engine. Throws std::invalid_argument for an unknown name.
// `threads`: for the fast engine (the cycle model runs on one).
std::unique_ptr<Engine> make_engine(const std::string& name, const ArrayConfig& array, const PeFaults& faults,
                                    int threads = 1);
// A temporary would not outlive the engine (ASan caught one in a test): refused at compile time.
std::unique_ptr<Engine> make_engine(const std::string& name, const ArrayConfig& array, const PeFaults&& faults,
                                    int threads = 1) = delete;

}  // namespace accsim
