#pragma once
// The convolution sequencer (NVDLA CSC) with its two sequencers:
//  - weights: one process fills the shadow weight buffer (CSC's state, atomic_c x
//    atomic_k words) with the next stripe's weights through CBUF's weight port at
//    weight_load_bytes_per_cycle, as soon as CMAC has taken the previous set, i.e. while
//    the previous stripe computes; it then hands the set over on `shadow_full`.
//  - data: CMAC pulls the selected stripe's input cubes through CBUF's data port
//    (cbuf_read_bytes_per_cycle; the k cycles per cube are CMAC's to wait).
// Only the used rows x columns of a weight set are read (Schedule::load_cycles).
#include <memory>
#include <systemc>
#include <vector>

#include "sim/cbuf.h"
#include "sim/sequencer.h"

namespace accsim {

// What CMAC asks of CSC.
class CscIf : public virtual sc_core::sc_interface {
 public:
  virtual const std::uint32_t* shadow() const = 0;            // the weight set handed over
  virtual void select_data(const Stripe& st) = 0;             // the stripe CMAC computes now
  virtual void fetch_cube(int i, std::uint32_t* cube) const = 0;
  virtual const std::vector<int>& columns() const = 0;        // output channel per column
};

class Csc : public sc_core::sc_module, public CscIf {
 public:
  SC_HAS_PROCESS(Csc);
  explicit Csc(sc_core::sc_module_name name);
  void begin(const SimJob& job);

  sc_core::sc_port<CbufIf> cbuf;
  sc_core::sc_fifo_in<int> from_cdma;           // the first fetch is in CBUF
  sc_core::sc_fifo_in<int> shadow_free;         // CMAC took the last set
  sc_core::sc_fifo_out<long long> shadow_full;  // the set of this stripe is ready

  const std::uint32_t* shadow() const override { return shadow_.data(); }
  void select_data(const Stripe& st) override;
  void fetch_cube(int i, std::uint32_t* cube) const override { sequencer_->fetch_cube(i, cube); }
  const std::vector<int>& columns() const override { return sequencer_->columns(); }

  long long weight_load_cycles() const { return weight_load_cycles_; }

 private:
  void load_weights();  // the weight sequencer's process

  const SimJob* job_ = nullptr;
  std::unique_ptr<Sequencer> sequencer_;
  std::vector<std::uint32_t> shadow_;
  long long weight_load_cycles_ = 0;
};

}  // namespace accsim
