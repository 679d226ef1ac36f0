#pragma once
// The convolution buffer (NVDLA CBUF) as a SystemC channel: banks of
// cbuf_bank_entries x cbuf_entry_bytes, split between feature data and weights the way
// NVDLA's compiler splits them (arch/cbuf_allocation.h; a job that cannot fit throws
// InputError when it is set up). CDMA writes it; CSC reads it through two ports, weights
// (weight_load_bytes_per_cycle) and feature data (cbuf_read_bytes_per_cycle). It counts
// the bytes through each port; the port widths' cycles are paid by CSC, which owns them.
// Without array.memory there is no allocation and nothing is counted (the ideal buffer).
#include <systemc>

#include "arch/cbuf_allocation.h"
#include "sim/sim_job.h"

namespace accsim {

class CbufIf : public virtual sc_core::sc_interface {
 public:
  virtual void write(long long bytes) = 0;         // CDMA fills
  virtual void read_weights(long long bytes) = 0;  // CSC's weight port
  virtual void read_data(long long bytes) = 0;     // CSC's data port
};

class Cbuf : public sc_core::sc_module, public CbufIf {
 public:
  explicit Cbuf(sc_core::sc_module_name name) : sc_module(name) {}
  // Allocates the banks for `job` (throws InputError when it does not fit).
  void begin(const SimJob& job);

  void write(long long bytes) override { write_bytes_ += counted(bytes); }
  void read_weights(long long bytes) override { weight_read_bytes_ += counted(bytes); }
  void read_data(long long bytes) override { data_read_bytes_ += counted(bytes); }
  const CbufAllocation& allocation() const { return allocation_; }

  long long write_bytes() const { return write_bytes_; }
  long long read_bytes() const { return weight_read_bytes_ + data_read_bytes_; }

 private:
  long long counted(long long bytes) const { return enabled_ ? bytes : 0; }

  bool enabled_ = false;
  CbufAllocation allocation_;
  long long write_bytes_ = 0, weight_read_bytes_ = 0, data_read_bytes_ = 0;
};

}  // namespace accsim
