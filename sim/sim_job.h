#pragma once
// The job in flight on the SystemC pipeline: what every unit reads (shape, array, mapping,
// schedule, operands, faults) and the clock that turns cycles into simulated time. The
// top (sim/conv_core) builds it before the simulation resumes; units keep a pointer to
// it for the job and never write it.
#include <cmath>
#include <cstddef>
#include <systemc>

#include "arch/array_operands.h"
#include "arch/engine.h"
#include "arch/mapping.h"
#include "arch/memory_timing.h"
#include "arch/pe_faults.h"
#include "arch/schedule.h"

namespace accsim {

// Stack of each unit's SC_THREAD: ample for the datapath's frames under AddressSanitizer,
// whose redzones grow them beyond SystemC's default.
constexpr std::size_t kProcessStackBytes = 1 << 20;

struct SimJob {
  SimJob(const ConvJob& j, const ArrayConfig& a, const PeFaults& f, const ArrayOperands& ops, long long start)
      : job(j),
        array(a),
        faults(f),
        operands(ops),
        mapping(j.shape, a, a.swizzle, j.swizzle_seed),
        schedule(j.shape, a),
        start_cycle(start),
        op_cycles(cycles_per_atomic_op(a)),
        period(std::round(1e6 / a.clock_mhz), sc_core::SC_PS),
        began(sc_core::sc_time_stamp()) {}

  sc_core::sc_time cycles(long long n) const { return period * static_cast<double>(n); }
  long long cycles_of(const sc_core::sc_time& t) const { return static_cast<long long>(std::llround(t / period)); }
  // Cycles since the job started (the run's cycle is start_cycle + this).
  long long job_cycle() const { return cycles_of(sc_core::sc_time_stamp() - began); }
  int bytes_per_element() const { return accsim::bytes_per_element(array.datatype); }

  const ConvJob job;
  const ArrayConfig array;
  const PeFaults& faults;
  const ArrayOperands& operands;
  const Mapping mapping;
  const Schedule schedule;
  const long long start_cycle;
  const int op_cycles;             // k: CSC reads an input cube over k cycles, CMAC fires in the last
  const sc_core::sc_time period;   // one clock cycle
  const sc_core::sc_time began;    // simulated time of the job's start
};

}  // namespace accsim
