#pragma once
// The one fault of a training-fault experiment. Site, location, bit and kind come from
// the inference campaign's sampler (workloads/campaign/campaign_fault.h); the training
// part (the step, and for a transient the pass and the cycle within it) from a second
// generator keyed by the same seed and index: an experiment's fault depends only on the
// seed, the config and its index.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "arch/hardware_fault.h"
#include "workloads/train_campaign/pass_recorder.h"
#include "workloads/train_campaign/train_campaign_config.h"

namespace accsim {

struct TrainFault {
  HardwareFault fault;        // a transient's cycle counts from the start of its step
  long long step = 0;         // transient: the step it strikes; permanent: the step it appears
  Pass pass = Pass::forward;  // transient: the pass whose job it strikes (permanent: every pass)
};

// The jobs of one training step of `batch` images (pass_recorder.h).
using StepTimelineOf = std::function<const std::vector<JobSpan>&(long long step)>;

// Draws, after the hardware fault: the step (uniform in [first_fault_step,
// last_fault_step]; a permanent fault with onset first_step appears at first_fault_step)
// and, for a transient, the pass (uniform over config.passes) and the cycle (uniform over
// that pass's cycles in the step's timeline).
TrainFault draw_train_fault(const TrainCampaignConfig& config, const ArrayConfig& array, std::uint64_t seed,
                            long long index, const StepTimelineOf& timeline);

// "weight PE(3,5) bit 30 transient @1500 (step 12, bwd_data)", "... stuck_at_1 (from step 0)"
std::string describe(const TrainFault& f);

}  // namespace accsim
