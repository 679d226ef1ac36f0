#pragma once
// The cycle-level SystemC model of the convolution core: sequencer (CSC) -> PE array
// (CMAC) -> accumulator (CACC), driven by one clocked process. The process wakes once
// per stripe and steps the stripe's atomic operations cycle by cycle inside (the
// SystemC kernel costs ~0.15 us per activation, so per-cycle activations would cap
// the model at a few M cycles/s); simulated time advances by exactly the cycles the
// stripe and the following weight-load stall take.
//
// SystemC allows one elaboration per process, so the core is created once (instance())
// and fed jobs of any shape; each run() resumes the simulation until the job drains.
#include <memory>
#include <systemc>

#include "arch/engine.h"
#include "arch/mapping.h"
#include "arch/pe_faults.h"
#include "sim/accumulator.h"
#include "sim/sequencer.h"
#include "arch/pe_array.h"

namespace accsim {

class ConvCore : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(ConvCore);
  static ConvCore& instance();

  // Runs one job to completion on an array of `array`'s shape with `faults`.
  // `operands`: register words of array.datatype (arch/array_operands.h).
  JobResult run(const ConvJob& job, const ArrayConfig& array, const PeFaults& faults, const ArrayOperands& operands,
                long long start_cycle);

 private:
  explicit ConvCore(sc_core::sc_module_name name);
  void clocked();         // the one process: one activation per stripe
  Stripe run_stripe();    // the atomic operations of the next stripe, cycle by cycle; returns it
  void apply_storage_flips_before(long long cycle);  // transients that hit while the array waited
  const std::vector<TransientFlip>* flips_at(long long cycle);
  void wait_cycles(long long cycles);

  sc_core::sc_event start_;
  sc_core::sc_time period_;

  struct Active;                    // the job in flight
  std::unique_ptr<Active> job_;
};

}  // namespace accsim
