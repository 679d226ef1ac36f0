#pragma once
// The single-point data processor (NVDLA SDP) with the write-back to DRAM: takes each
// finished tile from CACC, converts its words to output values (int8: dequantised by
// the operands' scale), queues the results on the DRAM stream (unless PDP pools the job
// on the fly and writes the pooled results instead) and hands the tile to PDP, which
// ends the job (sim/pdp.h). With the last tile go the core's cycles and SDP's own tail:
//   max(ceil(last tile's results / sdp), ceil(all results / sdp) - core),
//   SDP taking sdp_elements_per_cycle results per cycle since the core started and
//   at least the last tile after it ends (0 without array.memory).
#include <systemc>

#include "arch/tensor.h"
#include "sim/dram.h"
#include "sim/sdp_output.h"
#include "sim/tile_result.h"

namespace accsim {

class Sdp : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Sdp);
  explicit Sdp(sc_core::sc_module_name name);
  void begin(const SimJob& job);

  sc_core::sc_port<DramIf> dram;
  sc_core::sc_fifo_in<int> from_cdma;  // the core starts
  sc_core::sc_fifo_in<TileResult> from_cacc;
  sc_core::sc_fifo_out<SdpOutput> to_pdp;

  struct Stats {
    long long tail = 0;  // SDP after the last atomic operation
  };
  const Stats& stats() const { return stats_; }
  Tensor take_output() { return std::move(output_); }

 private:
  void process();  // one job per start
  SdpOutput write_back(const TileResult& tile);  // converts the tile; the write-back unless PDP pools
  long long tail_cycles(long long last, long long all, long long core) const;

  const SimJob* job_ = nullptr;
  Tensor output_;
  float output_scale_ = 1.0f;
  Stats stats_;
};

}  // namespace accsim
