#include "sim/cycle_engine.h"

#include "sim/conv_core.h"

namespace accsim {

JobResult CycleEngine::run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) {
  return ConvCore::instance().run(job, array_, faults_, input, weights, start_cycle);
}

}  // namespace accsim
