#include "sim/sdp.h"

#include <algorithm>

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

long long Sdp::write_back(const TileResult& t) {
  const ConvShape& sh = job_->job.shape;
  const long long PQ = static_cast<long long>(sh.p()) * sh.q(), K = sh.k;
  const int cols = static_cast<int>(t.columns.size());
  long long results = 0;
  for (int col = 0; col < cols; ++col) {
    if (t.columns[col] < 0) continue;
    results += t.length;
    for (int i = 0; i < t.length; ++i) {
      const long long m = t.first_pixel + i, n = m / PQ, pq = m % PQ;
      output_[(n * K + t.columns[col]) * PQ + pq] =
          output_value(job_->array.datatype, t.words[static_cast<std::size_t>(i) * cols + col], output_scale_);
    }
  }
  dram->stream(results * job_->bytes_per_element(), true);
  return results;
}

long long Sdp::tail_cycles(long long last, long long all, long long core) const {
  const MemoryConfig& m = job_->array.memory;
  if (!m.enabled) return 0;
  auto ceil_div = [](long long a, long long b) { return (a + b - 1) / b; };
  return std::max(ceil_div(last, m.sdp_elements_per_cycle), ceil_div(all, m.sdp_elements_per_cycle) - core);
}

void Sdp::process() {
  for (;;) {
    from_cdma.read();
    const sc_core::sc_time core_start = sc_core::sc_time_stamp();
    const Schedule& sched = job_->schedule;
    long long last = 0, all = 0;
    for (long long t = 0; t < sched.groups() * sched.tiles(); ++t) all += last = write_back(from_cacc.read());
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    const long long core = job_->cycles_of(now - core_start);
    const sc_core::sc_time dram_end = dram->stream_end();
    stats_.dram_excess = dram_end > now ? job_->cycles_of(dram_end - now) : 0;
    stats_.postprocess = tail_cycles(last, all, core);
    sc_core::wait(job_->cycles(stats_.dram_excess + job_->array.mac_pipeline_depth + stats_.postprocess));
    stats_.done = true;
  }
}

}  // namespace accsim
