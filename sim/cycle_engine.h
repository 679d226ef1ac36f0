#pragma once
// The `cycle` engine: runs jobs on the SystemC model of the convolution core.
#include "arch/engine.h"
#include "arch/pe_faults.h"

namespace accsim {

class CycleEngine : public Engine {
 public:
  CycleEngine(const ArrayConfig& array, const PeFaults& faults) : array_(array), faults_(faults) {}
  std::string name() const override { return "cycle"; }
  JobResult run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) override;
  JobResult run_encoded(const ConvJob& job, const ArrayOperands& operands, long long start_cycle) override;

 private:
  ArrayConfig array_;
  const PeFaults& faults_;
};

}  // namespace accsim
