#include "workloads/train_campaign/train_fault.h"

#include <stdexcept>

#include "arch/sampling.h"
#include "workloads/campaign/campaign_fault.h"

namespace accsim {

TrainFault draw_train_fault(const TrainCampaignConfig& config, const ArrayConfig& array, std::uint64_t seed,
                            long long index, const StepTimelineOf& timeline) {
  CampaignConfig hw;
  hw.sites = config.sites, hw.kinds = config.kinds, hw.bit_lo = config.bit_lo, hw.bit_hi = config.bit_hi;
  TrainFault t;
  t.fault = draw_campaign_fault(hw, array, seed, index, 1);
  Rng rng(stream_seed(seed ^ 0x747261696e666c74ULL, static_cast<std::uint64_t>(index)));  // "trainflt"
  const auto span = static_cast<std::uint64_t>(config.last_fault_step - config.first_fault_step + 1);
  const long long drawn_step = config.first_fault_step + static_cast<long long>(uniform_below(rng, span));
  if (t.fault.permanent()) {
    t.step = config.onset == PermanentOnset::drawn ? drawn_step : config.first_fault_step;
    return t;
  }
  t.step = drawn_step;
  t.pass = config.passes[uniform_below(rng, config.passes.size())];
  const std::vector<JobSpan>& jobs = timeline(t.step);
  const long long cycles = pass_cycles(jobs, t.pass);
  if (cycles < 1) throw std::invalid_argument("draw_train_fault: the network has no " + to_string(t.pass) + " jobs");
  t.fault.cycle = cycle_of_pass(jobs, t.pass, static_cast<long long>(uniform_below(rng, static_cast<std::uint64_t>(cycles))));
  return t;
}

std::string describe(const TrainFault& f) {
  if (f.fault.permanent()) return describe(f.fault) + " (from step " + std::to_string(f.step) + ")";
  return describe(f.fault) + " (step " + std::to_string(f.step) + ", " + to_string(f.pass) + ")";
}

}  // namespace accsim
