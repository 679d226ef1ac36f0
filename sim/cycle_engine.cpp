#include "sim/cycle_engine.h"

#include "sim/conv_core.h"

namespace accsim {

JobResult CycleEngine::run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) {
  check_job_operands(job, input, weights);
  return run_encoded(job, encode_operands(array_.datatype, input, weights), start_cycle);
}

JobResult CycleEngine::run_encoded(const ConvJob& job, const ArrayOperands& operands, long long start_cycle) {
  return ConvCore::instance().run(job, array_, faults_, operands, start_cycle);
}

}  // namespace accsim
