#include "workloads/engines.h"

#include <stdexcept>

#include "arch/mapping.h"
#include "faultmodels/transient_mapper.h"
#include "kernels/array_conv.h"
#include "sim/cycle_engine.h"

namespace accsim {

JobResult FastEngine::run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) {
  check_job_operands(job, input, weights);
  const Mapping mapping(job.shape, array_, array_.swizzle, job.swizzle_seed);
  const ErrorPattern pattern = map_transients(job, array_, faults_, start_cycle);
  return {array_conv(job, array_, mapping, faults_, pattern, input, weights), closed_form_timing(job.shape, array_)};
}

JobResult FastEngine::run_encoded(const ConvJob& job, const ArrayOperands& operands, long long start_cycle) {
  check_job_operands(job, operands);
  const Mapping mapping(job.shape, array_, array_.swizzle, job.swizzle_seed);
  const ErrorPattern pattern = map_transients(job, array_, faults_, start_cycle);
  return {array_conv(job, array_, mapping, faults_, pattern, operands), closed_form_timing(job.shape, array_)};
}

const std::vector<std::string>& engine_names() {
  static const std::vector<std::string> names{"fast", "cycle"};
  return names;
}

std::unique_ptr<Engine> make_engine(const std::string& name, const ArrayConfig& array, const PeFaults& faults) {
  if (name == "fast") return std::make_unique<FastEngine>(array, faults);
  if (name == "cycle") return std::make_unique<CycleEngine>(array, faults);
  throw std::invalid_argument("unknown engine \"" + name + "\" (fast, cycle)");
}

}  // namespace accsim
