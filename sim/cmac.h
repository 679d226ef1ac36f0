#pragma once
// The convolution MAC array (NVDLA CMAC) as a SystemC module: the PE array of
// arch/pe_array.h stepped by one process that wakes once per stripe. At a stripe's
// start it takes the weight set CSC handed over on `shadow_full` (waiting for it is the
// weight-load stall), promotes it into the active registers and frees CSC's shadow
// buffer for the next set; then it steps the stripe's atomic operations cycle by cycle
// inside the activation (k cycles each: CSC reads the cube, the array fires in the
// k-th) and writes every column sum to CACC. Simulated time advances by the stripe's
// k * length cycles. Transient faults land on the cycle they name (storage flips that
// fall while the array waits apply before the next promote).
#include <memory>
#include <systemc>
#include <vector>

#include "arch/pe_array.h"
#include "sim/cacc.h"
#include "sim/csc.h"

namespace accsim {

class Cmac : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Cmac);
  explicit Cmac(sc_core::sc_module_name name);
  void begin(const SimJob& job);

  sc_core::sc_port<CscIf> csc;
  sc_core::sc_port<CaccIf> cacc;
  sc_core::sc_fifo_in<int> from_cdma;          // the core may start
  sc_core::sc_fifo_in<long long> shadow_full;  // CSC's weight set of the next stripe
  sc_core::sc_fifo_out<int> shadow_free;       // taken: CSC may load the next

  struct Stats {
    long long atomic_ops = 0, stall_cycles = 0, data_fetch_stall_cycles = 0, stripes = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  void compute();  // the process: one activation per stripe
  void run_stripe(const Stripe& st);
  void apply_storage_flips_before(long long cycle);
  const std::vector<TransientFlip>* flips_at(long long cycle);

  const SimJob* job_ = nullptr;
  std::unique_ptr<PeArray> pes_;
  Stats stats_;
  std::size_t next_transient_ = 0;  // first transient not yet applied
  std::vector<TransientFlip> cycle_flips_;
  std::vector<std::uint32_t> cube_, psum_;
};

}  // namespace accsim
