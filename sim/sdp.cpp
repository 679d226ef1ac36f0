#include "sim/sdp.h"

#include <algorithm>

#include "arch/memory_timing.h"

namespace accsim {

Sdp::Sdp(sc_core::sc_module_name name) : sc_module(name) {
  SC_THREAD(process);
  set_stack_size(kProcessStackBytes);
}

void Sdp::begin(const SimJob& job) {
  job_ = &job;
  const ConvShape& sh = job.job.shape;
  output_ = Tensor({sh.n, sh.k, sh.p(), sh.q()});
  output_scale_ = job.operands.output_scale();
  stats_ = {};
}

SdpOutput Sdp::write_back(const TileResult& t) {
  const ConvShape& sh = job_->job.shape;
  const long long PQ = static_cast<long long>(sh.p()) * sh.q(), K = sh.k;
  const int cols = static_cast<int>(t.columns.size());
  SdpOutput out;
  out.first_pixel = t.first_pixel, out.length = t.length;
  for (int col = 0; col < cols; ++col) {
    if (t.columns[col] < 0) continue;
    ++out.channels;
    for (int i = 0; i < t.length; ++i) {
      const long long m = t.first_pixel + i, n = m / PQ, pq = m % PQ;
      output_[(n * K + t.columns[col]) * PQ + pq] =
          output_value(job_->array.datatype, t.words[static_cast<std::size_t>(i) * cols + col], output_scale_);
    }
  }
  if (!job_->job.pool.enabled()) dram->stream(out.results() * job_->bytes_per_element(), true);
  return out;
}

long long Sdp::tail_cycles(long long last, long long all, long long core) const {
  const MemoryConfig& m = job_->array.memory;
  if (!m.enabled) return 0;
  return postprocessor_tail(last, all, core, m.sdp_elements_per_cycle);
}

void Sdp::process() {
  for (;;) {
    from_cdma.read();
    const sc_core::sc_time core_start = sc_core::sc_time_stamp();
    const Schedule& sched = job_->schedule;
    const long long tiles = sched.groups() * sched.tiles();
    long long all = 0;
    for (long long t = 0; t < tiles; ++t) {
      SdpOutput out = write_back(from_cacc.read());
      all += out.results();
      if (t + 1 == tiles) {
        out.last = true;
        out.core = job_->cycles_of(sc_core::sc_time_stamp() - core_start);
        out.sdp_tail = stats_.tail = tail_cycles(out.results(), all, out.core);
      }
      to_pdp.write(out);
    }
  }
}

}  // namespace accsim
