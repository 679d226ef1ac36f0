#include "sim/cdma.h"

namespace accsim {

Cdma::Cdma(sc_core::sc_module_name name) : sc_module(name) {
  SC_THREAD(fetch);
  set_stack_size(kProcessStackBytes);
  sensitive << start;  // statically: a notification before the first sc_start is not lost
  dont_initialize();
}

void Cdma::begin(const SimJob& job, const CbufAllocation& allocation) {
  job_ = &job;
  prologue_ = 0;
  read_bytes_ = first_bytes_ = 0;
  if (!job.array.memory.enabled) return;
  const ConvShape& sh = job.job.shape;
  const long long bpe = job.bytes_per_element();
  const long long input = static_cast<long long>(sh.n) * sh.c * sh.h * sh.w * bpe;
  const long long weights = static_cast<long long>(sh.k) * sh.c * sh.r * sh.s * bpe;
  read_bytes_ = input + weights * allocation.weight_passes;
  first_bytes_ = memory_traffic(sh, job.array).first_fetch_bytes;
}

void Cdma::fetch() {
  for (;; sc_core::wait()) {  // the next start
    prologue_ = dram->first_request(first_bytes_);
    sc_core::wait(job_->cycles(prologue_));
    cbuf->write(read_bytes_);  // the rest lands while the core runs; CBUF counts it now
    dram->open_stream();
    dram->stream(read_bytes_ - first_bytes_, false);
    to_csc.write(1), to_cmac.write(1), to_sdp.write(1);
  }
}

}  // namespace accsim
