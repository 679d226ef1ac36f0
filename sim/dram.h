#pragma once
// The DRAM channel behind NVDLA's memory interface (arch/dram_channel.h's open-page
// stream model) as a SystemC channel. A job's traffic is one request CDMA waits for
// (the first fetch: latency + transfer) and then one back-to-back stream that CDMA's
// remaining reads and SDP's write-back queue on, rows counted over the whole stream;
// the stream's end is when its last byte has moved. Without array.memory the channel
// is ideal: every request takes 0 cycles. Counts the bytes read and written.
#include <systemc>

#include "sim/sim_job.h"

namespace accsim {

class DramIf : public virtual sc_core::sc_interface {
 public:
  // The first request: the cycles until its last byte is in CBUF.
  virtual long long first_request(long long bytes) = 0;
  // Opens the stream that follows the first request, now.
  virtual void open_stream() = 0;
  // Queues bytes on the stream.
  virtual void stream(long long bytes, bool write) = 0;
  virtual sc_core::sc_time stream_end() const = 0;
};

class Dram : public sc_core::sc_module, public DramIf {
 public:
  explicit Dram(sc_core::sc_module_name name) : sc_module(name) {}
  void begin(const SimJob& job);

  long long first_request(long long bytes) override;
  void open_stream() override;
  void stream(long long bytes, bool write) override;
  sc_core::sc_time stream_end() const override;

  long long read_bytes() const { return read_bytes_; }
  long long write_bytes() const { return write_bytes_; }

 private:
  const SimJob* job_ = nullptr;
  long long read_bytes_ = 0, write_bytes_ = 0, stream_bytes_ = 0;
  sc_core::sc_time stream_start_;
};

}  // namespace accsim
