#pragma once
// The planar data processor (NVDLA PDP) on the fly, and the end of every job: SDP hands
// each finished tile to PDP (NVDLA's fused conv -> SDP -> PDP path, no DRAM round trip).
// A job with a pool window (ConvJob::pool) is pooled here: PDP writes each pooled result
// back when the last conv output its window reads has arrived, taking
// pdp_elements_per_cycle SDP results per cycle. Without a window SDP writes back itself
// and PDP only ends the job. When the last tile has arrived, the job ends after
//   the DRAM stream's part that the core did not hide (its end - now, if later),
//   the CMAC pipeline's drain (mac_pipeline_depth), and
//   the post-processing tail: max(SDP's tail, PDP's own), PDP's own being
//   max(ceil(last tile's results / pdp), ceil(all results / pdp) - core) (0 without a
//   window or without array.memory).
// The values are not pooled here: the host pools the job's output (kernels/pooling);
// PDP models the time and the traffic.
#include <vector>

#include <systemc>

#include "sim/dram.h"
#include "sim/sdp_output.h"

namespace accsim {

class Pdp : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Pdp);
  explicit Pdp(sc_core::sc_module_name name);
  void begin(const SimJob& job);

  sc_core::sc_port<DramIf> dram;
  sc_core::sc_fifo_in<SdpOutput> from_sdp;

  struct Stats {
    long long dram_excess = 0, postprocess = 0, pdp = 0;  // pdp: the part of postprocess PDP adds
    long long pooled = 0;                                  // pooled results written back
    bool done = false;                                     // the job's last result has left
  };
  const Stats& stats() const { return stats_; }

 private:
  void process();  // one job per start
  long long pooled_in(const SdpOutput& tile) const;  // pooled results the tile completes
  long long own_tail(long long last, long long all, long long core) const;

  const SimJob* job_ = nullptr;
  std::vector<long long> completes_;  // the last conv output of each pooled position of one image, sorted
  Stats stats_;
};

}  // namespace accsim
