#pragma once
// The convolution accumulator (NVDLA CACC) as a SystemC module: CMAC writes each atomic
// operation's column sums into the entry of its stripe slot (sim/accumulator.h holds the
// entries and their faults); when a tile's last stripe ends, its words leave for SDP as
// one TileResult on `to_sdp`. A word is taken when it is written: later flips of the
// entry do not reach the output.
#include <memory>
#include <systemc>

#include "sim/accumulator.h"
#include "sim/sim_job.h"
#include "sim/tile_result.h"

namespace accsim {

// What CMAC asks of CACC.
class CaccIf : public virtual sc_core::sc_interface {
 public:
  virtual void accumulate(int slot, const std::uint32_t* psum, const Stripe& st) = 0;
  virtual void flip(int slot, int col, std::uint32_t mask) = 0;  // a transient in an entry
  // The stripe has ended; a tile's last stripe sends the tile to SDP (may block).
  virtual void end_stripe(const Stripe& st, const std::vector<int>& columns) = 0;
};

class Cacc : public sc_core::sc_module, public CaccIf {
 public:
  explicit Cacc(sc_core::sc_module_name name) : sc_module(name) {}
  void begin(const SimJob& job);

  sc_core::sc_fifo_out<TileResult> to_sdp;

  void accumulate(int slot, const std::uint32_t* psum, const Stripe& st) override;
  void flip(int slot, int col, std::uint32_t mask) override { entries_->flip(slot, col, mask); }
  void end_stripe(const Stripe& st, const std::vector<int>& columns) override;

 private:
  int cols_ = 0;
  std::unique_ptr<Accumulator> entries_;
  TileResult tile_;  // the tile being finished
};

}  // namespace accsim
