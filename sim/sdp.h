#pragma once
// The single-point data processor (NVDLA SDP) with the write-back to DRAM: takes each
// finished tile from CACC, converts its words to output values (int8: dequantised by
// the operands' scale) and queues the results on the DRAM stream. When the last tile has
// arrived, the job ends after
//   the DRAM stream's part that the core did not hide (its end - now, if later),
//   the CMAC pipeline's drain (mac_pipeline_depth), and
//   SDP's own tail: max(ceil(last tile's results / sdp), ceil(all results / sdp) - core),
//   SDP taking sdp_elements_per_cycle results per cycle since the core started and
//   at least the last tile after it ends (0 without array.memory).
// PDP (pooling) runs on the host and costs no cycles (docs/cycle_model.md).
#include <systemc>

#include "arch/tensor.h"
#include "sim/dram.h"
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

  struct Stats {
    long long dram_excess = 0, postprocess = 0;
    bool done = false;  // the job's last result has left
  };
  const Stats& stats() const { return stats_; }
  Tensor take_output() { return std::move(output_); }

 private:
  void process();  // one job per start
  long long write_back(const TileResult& tile);  // returns the tile's result count
  long long tail_cycles(long long last, long long all, long long core) const;

  const SimJob* job_ = nullptr;
  Tensor output_;
  float output_scale_ = 1.0f;
  Stats stats_;
};

}  // namespace accsim
