#pragma once
// The convolution DMA (NVDLA CDMA): fetches a job's feature data and weights from DRAM
// into CBUF. The first fetch (the first kernel group's weights, or the first stripe's
// when weights are streamed, and the input rows of the first output row) is one request
// the pipeline waits for; then CDMA tells CSC, CMAC and SDP that the core may start, and
// queues the rest of its reads (the rest of the input once, the weights once per weight
// pass of the CBUF allocation) on the DRAM stream, which the core's time overlaps.
#include <systemc>

#include "sim/cbuf.h"
#include "sim/dram.h"

namespace accsim {

class Cdma : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Cdma);
  explicit Cdma(sc_core::sc_module_name name);
  // `allocation`: CBUF's for this job (how often the weights are fetched).
  void begin(const SimJob& job, const CbufAllocation& allocation);

  sc_core::sc_port<DramIf> dram;
  sc_core::sc_port<CbufIf> cbuf;
  sc_core::sc_fifo_out<int> to_csc, to_cmac, to_sdp;  // "the first fetch is in CBUF"
  sc_core::sc_event start;                            // the job's registers are programmed

  long long prologue_cycles() const { return prologue_; }  // waiting for the first fetch

 private:
  void fetch();  // the process: one job per start

  const SimJob* job_ = nullptr;
  long long read_bytes_ = 0, first_bytes_ = 0, prologue_ = 0;
};

}  // namespace accsim
