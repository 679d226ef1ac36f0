#pragma once
// The cycle-level SystemC model of NVDLA's convolution pipeline, one module per unit
// joined by typed channels (docs/cycle_model.md, "The SystemC pipeline"):
//
//   dram <-(DramIf)- cdma -(CbufIf)-> cbuf <-(CbufIf)- csc -(shadow_full)-> cmac -(CaccIf)-> cacc
//     ^               | "first fetch in"                  <-(shadow_free)-  |                  |
//     |               +-> csc, cmac, sdp                  <-----(CscIf)-----+             TileResult
//     +--------------------------(DramIf: write-back)---- pdp <-(SdpOutput)- sdp <----------+
//     +--------------------------(DramIf: write-back, no pool window)-------- sdp
//
// Every process wakes once per stripe (or per tile, per job) and loops over the cycles
// inside: the SystemC kernel costs ~0.15 us per activation, so per-cycle activations
// would cap the model at a few M cycles/s.
//
// SystemC allows one elaboration per process, so the core is created once (instance())
// and fed jobs of any shape: run() gives every unit the job (begin), starts CDMA and
// resumes the simulation until it starves, i.e. every process waits for the next job.
#include <memory>
#include <systemc>

#include "sim/cacc.h"
#include "sim/cbuf.h"
#include "sim/cdma.h"
#include "sim/cmac.h"
#include "sim/csc.h"
#include "sim/dram.h"
#include "sim/pdp.h"
#include "sim/sdp.h"

namespace accsim {

class ConvCore : public sc_core::sc_module {
 public:
  static ConvCore& instance();

  // Runs one job to completion on an array of `array`'s shape with `faults`.
  // `operands`: register words of array.datatype (arch/array_operands.h).
  JobResult run(const ConvJob& job, const ArrayConfig& array, const PeFaults& faults, const ArrayOperands& operands,
                long long start_cycle);

 private:
  explicit ConvCore(sc_core::sc_module_name name);
  JobTiming timing(const SimJob& job) const;  // the units' counts, summed up

  Dram dram_;
  Cbuf cbuf_;
  Cdma cdma_;
  Csc csc_;
  Cmac cmac_;
  Cacc cacc_;
  Sdp sdp_;
  Pdp pdp_;
  sc_core::sc_fifo<int> fetched_csc_, fetched_cmac_, fetched_sdp_;  // CDMA's "first fetch is in"
  sc_core::sc_fifo<long long> shadow_full_;                          // CSC -> CMAC: a weight set
  sc_core::sc_fifo<int> shadow_free_;                                // CMAC -> CSC: taken
  sc_core::sc_fifo<TileResult> tiles_;                               // CACC -> SDP
  sc_core::sc_fifo<SdpOutput> sdp_out_;                              // SDP -> PDP
};

}  // namespace accsim
