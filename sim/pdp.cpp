#include "sim/pdp.h"

#include <algorithm>

#include "arch/memory_timing.h"

namespace accsim {

Pdp::Pdp(sc_core::sc_module_name name) : sc_module(name) {
  SC_THREAD(process);
  set_stack_size(kProcessStackBytes);
}

void Pdp::begin(const SimJob& job) {
  job_ = &job;
  const ConvShape& sh = job.job.shape;
  completes_ = job.job.pool.enabled() ? pool_completion_positions(job.job.pool, sh.p(), sh.q())
                                      : std::vector<long long>{};
  std::sort(completes_.begin(), completes_.end());  // counted by position ranges
  stats_ = {};
}

long long Pdp::pooled_in(const SdpOutput& t) const {
  // Positions are flattened (n, p, q): split the tile at image boundaries and count, in
  // each image, the pooled positions whose window completes inside the tile.
  const ConvShape& sh = job_->job.shape;
  const long long pq = static_cast<long long>(sh.p()) * sh.q();
  long long count = 0;
  for (long long m = t.first_pixel, end = t.first_pixel + t.length; m < end;) {
    const long long image = m / pq, lo = m % pq, hi = std::min(end - image * pq, pq);
    count += std::lower_bound(completes_.begin(), completes_.end(), hi) -
             std::lower_bound(completes_.begin(), completes_.end(), lo);
    m = image * pq + hi;
  }
  return count * t.channels;
}

long long Pdp::own_tail(long long last, long long all, long long core) const {
  const MemoryConfig& m = job_->array.memory;
  if (!m.enabled || !job_->job.pool.enabled()) return 0;
  return postprocessor_tail(last, all, core, m.pdp_elements_per_cycle);
}

void Pdp::process() {
  for (;;) {
    long long all = 0;
    SdpOutput t;
    do {
      t = from_sdp.read();
      all += t.results();
      if (!job_->job.pool.enabled()) continue;
      const long long pooled = pooled_in(t);
      stats_.pooled += pooled;
      dram->stream(pooled * job_->bytes_per_element(), true);
    } while (!t.last);
    const sc_core::sc_time now = sc_core::sc_time_stamp(), dram_end = dram->stream_end();
    stats_.dram_excess = dram_end > now ? job_->cycles_of(dram_end - now) : 0;
    stats_.postprocess = std::max(t.sdp_tail, own_tail(t.results(), all, t.core));
    stats_.pdp = stats_.postprocess - t.sdp_tail;
    sc_core::wait(job_->cycles(stats_.dram_excess + job_->array.mac_pipeline_depth + stats_.postprocess));
    stats_.done = true;
  }
}

}  // namespace accsim
