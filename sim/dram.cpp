#include "sim/dram.h"

#include "arch/dram_channel.h"

namespace accsim {

void Dram::begin(const SimJob& job) {
  job_ = &job;
  read_bytes_ = write_bytes_ = stream_bytes_ = 0;
  stream_start_ = sc_core::sc_time_stamp();
}

long long Dram::first_request(long long bytes) {
  read_bytes_ += bytes;
  const MemoryConfig& m = job_->array.memory;
  return m.enabled ? m.dram_latency_cycles + dram_transfer_cycles(bytes, m) : 0;
}

void Dram::open_stream() { stream_start_ = sc_core::sc_time_stamp(); }

void Dram::stream(long long bytes, bool write) {
  (write ? write_bytes_ : read_bytes_) += bytes;
  stream_bytes_ += bytes;
}

sc_core::sc_time Dram::stream_end() const {
  const MemoryConfig& m = job_->array.memory;
  return stream_start_ + job_->cycles(m.enabled ? dram_transfer_cycles(stream_bytes_, m) : 0);
}

}  // namespace accsim
